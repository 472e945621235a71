//! `clawrouter emulator`: the real binary serves the built-in scenario on a free port.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use super::{BIN, run};

/// Kills the child when the test ends, whatever happens.
pub(super) struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn http_get(address: &str, path: &str, key: &str) -> String {
    let mut socket = TcpStream::connect(address).unwrap();
    write!(
        socket,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {key}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    socket.read_to_string(&mut response).unwrap();
    response
}

/// Starts `clawrouter emulator --listen 127.0.0.1:0` and reads its banner (base URL first).
pub(super) fn spawn_emulator() -> (Server, Vec<String>) {
    let child = Command::new(BIN)
        .args(["emulator", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Server(child);
    let mut stdout = BufReader::new(server.0.stdout.take().unwrap());
    let mut banner = Vec::new();
    loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "banner ended early: {banner:?}"
        );
        let done = line.starts_with("Press Ctrl-C");
        banner.push(line.trim_end().to_owned());
        if done {
            break;
        }
    }
    (server, banner)
}

#[test]
fn emulator_serves_the_default_scenario() {
    let (_server, banner) = spawn_emulator();
    let base_url = banner[0]
        .strip_prefix("ClawRouter emulator listening on ")
        .unwrap()
        .to_owned();
    let address = base_url.strip_prefix("http://").unwrap();
    let demo = banner
        .iter()
        .find_map(|line| line.trim_start().strip_prefix("demo "))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    assert!(demo.starts_with("clawrouter-test-demo-"), "{banner:?}");
    assert!(
        banner.iter().any(|line| line.contains("revoked")),
        "{banner:?}"
    );
    let catalog = http_get(address, "/v1/catalog", &demo);
    assert!(catalog.starts_with("HTTP/1.1 200 OK"), "{catalog}");
    assert!(catalog.contains("clawrouter.client-catalog.v1"));
    let usage = http_get(address, "/v1/usage", &demo);
    assert!(usage.contains("\"policyId\":\"team\""), "{usage}");
    let unknown = http_get(address, "/v1/catalog", "clawrouter-test-nope-0123456789");
    assert!(unknown.starts_with("HTTP/1.1 401"), "{unknown}");
}

#[test]
fn emulator_errors() {
    let dir = std::env::temp_dir().join(format!("clawrouter-emulator-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[settings]\nspeed = 3\n").unwrap();
    let bad = bad.to_str().unwrap();
    let cases: [(&[&str], i32, &str); 3] = [
        (
            &["emulator", "--scenario", bad],
            1,
            "error: the scenario is not valid TOML for the emulator: line 2, column 1: unknown field `speed`",
        ),
        (
            &["emulator", "--scenario", "/nonexistent/s.toml"],
            1,
            "error: cannot read the scenario file /nonexistent/s.toml:",
        ),
        (
            &["emulator", "--listen", "localhost"],
            2,
            "error: invalid value 'localhost' for '--listen <ADDR>'",
        ),
    ];
    for (args, code, stderr) in cases {
        let outcome = run(args, b"");
        assert_eq!(outcome.code, Some(code), "{args:?}: {outcome:?}");
        assert!(
            outcome.stderr.starts_with(stderr),
            "{args:?}: {}",
            outcome.stderr
        );
        assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
        assert!(outcome.stdout.is_empty());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn emulator_port_in_use() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let outcome = run(&["emulator", "--listen", &address], b"");
    assert_eq!(outcome.code, Some(1), "{outcome:?}");
    assert!(
        outcome
            .stderr
            .starts_with(&format!("error: cannot listen on {address}: ")),
        "{}",
        outcome.stderr
    );
}
