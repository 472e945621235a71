//! The environment proxy, end to end (PROTOCOL.md §4.1, §8.1, §12.2 cases 16–19, §12.4 cases
//! 51–52, §14 D5): the real binary with `HTTP_PROXY` / `HTTPS_PROXY` pointing at a recording
//! proxy in this test. The environment can only be set for a child process, which is why these
//! cases live here rather than in the client's tests.
//!
//! - usage honours the proxy on any origin (51), and a redirect to a private address through it
//!   is blocked (52);
//! - the catalog of a non-default origin is strictly direct: the proxy sees nothing (19);
//! - the catalog of the public origin goes through the proxy as a `CONNECT` tunnel (16–18); the
//!   proxy refuses the tunnel, as there is no network here, and never sees the key.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;

use super::online::base_url;
use super::{BIN, Run};

/// The emulator's unmetered key (crates/clawrouter-emulator/scenarios/default.toml).
const UNMETERED: &str = "clawrouter-test-open-emulator0002";

/// Every variable that could route the child elsewhere or bypass the proxy.
const PROXY_VARIABLES: [&str; 8] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// What a recording server or proxy saw: the head of every request, as text.
type Seen = Arc<Mutex<Vec<String>>>;

/// Reads one request head (up to the blank line); returns it and any bytes read after it.
fn read_head(socket: &mut TcpStream) -> io::Result<(String, Vec<u8>)> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            let rest = buffer.split_off(end + 4);
            return Ok((String::from_utf8_lossy(&buffer).into_owned(), rest));
        }
        let read = socket.read(&mut chunk)?;
        if read == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
}

/// Copies both directions between two sockets until either side closes.
fn pipe(client: TcpStream, upstream: TcpStream) {
    let (mut client_read, mut upstream_write) =
        (client.try_clone().unwrap(), upstream.try_clone().unwrap());
    let forward = thread::spawn(move || {
        let _ = io::copy(&mut client_read, &mut upstream_write);
        let _ = upstream_write.shutdown(Shutdown::Write);
    });
    let (mut upstream_read, mut client_write) = (upstream, client);
    let _ = io::copy(&mut upstream_read, &mut client_write);
    let _ = client_write.shutdown(Shutdown::Write);
    let _ = forward.join();
}

/// A listener on a free port whose connections are handled, each on its own thread, by
/// `handle` with the head of their first request (also recorded) and the bytes after it.
/// Returns its `http://` URL and what it saw.
fn spawn_recording_server(
    handle: impl Fn(TcpStream, &str, Vec<u8>) + Send + Sync + 'static,
) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let seen = Seen::default();
    let record = Arc::clone(&seen);
    let handle = Arc::new(handle);
    thread::spawn(move || {
        for socket in listener.incoming() {
            let Ok(mut socket) = socket else { return };
            let (record, handle) = (Arc::clone(&record), Arc::clone(&handle));
            thread::spawn(move || {
                let Ok((head, rest)) = read_head(&mut socket) else {
                    return;
                };
                record.lock().unwrap().push(head.clone());
                handle(socket, &head, rest);
            });
        }
    });
    (format!("http://{address}"), seen)
}

/// A recording HTTP proxy. `CONNECT host:port` is tunnelled when `tunnel` is true and refused
/// with 502 otherwise; an absolute-form request (`GET http://host:port/…`, how every client
/// sends a plain-HTTP request through a proxy) is forwarded as it came.
fn spawn_proxy(tunnel: bool) -> (String, Seen) {
    spawn_recording_server(move |mut socket, head, rest| {
        let mut words = head.split_whitespace();
        let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
        let authority = if method == "CONNECT" {
            target
        } else {
            target
                .strip_prefix("http://")
                .and_then(|rest| rest.split('/').next())
                .unwrap_or("")
        };
        let upstream = match TcpStream::connect(authority) {
            Ok(upstream) if tunnel || method != "CONNECT" => upstream,
            _ => {
                let _ = socket.write_all(
                    b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
                return;
            }
        };
        let mut upstream_write = upstream.try_clone().unwrap();
        if method == "CONNECT" {
            socket
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .unwrap();
        } else {
            upstream_write.write_all(head.as_bytes()).unwrap();
        }
        upstream_write.write_all(&rest).unwrap();
        pipe(socket, upstream);
    })
}

/// A server whose every response is a 302 to `location`; returns its base URL and what it saw.
fn spawn_redirector(location: &'static str) -> (String, Seen) {
    spawn_recording_server(move |mut socket, _, _| {
        let _ = write!(
            socket,
            "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
    })
}

/// `clawrouter ARGS` with the key, `HTTP_PROXY` and `HTTPS_PROXY` set to `proxy`, no other proxy
/// variable, and `CLAWROUTER_BASE_URL` set to `base_url` (unset when `None`: the public origin).
fn run_proxied(base_url: Option<&str>, proxy: &str, args: &[&str]) -> Run {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env("NO_COLOR", "1")
        .env("CLAWROUTER_API_KEY", UNMETERED)
        .env_remove("CLAWROUTER_BASE_URL")
        .stdin(Stdio::null());
    for variable in PROXY_VARIABLES {
        command.env_remove(variable);
    }
    command.env("HTTP_PROXY", proxy).env("HTTPS_PROXY", proxy);
    if let Some(base_url) = base_url {
        command.env("CLAWROUTER_BASE_URL", base_url);
    }
    let output = command.output().unwrap();
    Run::from_output(output)
}

fn request_lines(seen: &Seen) -> Vec<String> {
    seen.lock()
        .unwrap()
        .iter()
        .map(|head| head.lines().next().unwrap_or("").to_owned())
        .collect()
}

/// Case 51: usage goes through the environment proxy on a non-default origin. The origin is
/// plain HTTP, so the proxy receives the request itself (an HTTPS origin would be a `CONNECT`).
#[test]
fn case_51_usage_goes_through_the_env_proxy() {
    let (_emulator, base) = base_url();
    let (proxy, seen) = spawn_proxy(true);
    let run = run_proxied(Some(&base), &proxy, &["status", "--usage"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("requests ·"), "{}", run.stdout);
    assert!(run.stdout.contains("Unmetered proxy key"), "{}", run.stdout);
    let authority = base.strip_prefix("http://").unwrap();
    assert_eq!(
        request_lines(&seen),
        [format!("GET http://{authority}/v1/usage HTTP/1.1")]
    );
}

/// Case 52: a 302 to `http://10.0.0.1:9/v1/usage`, through the proxy, is blocked: one request,
/// which the proxy forwarded once, and nothing more.
#[test]
fn case_52_a_redirect_to_a_private_address_is_blocked() {
    let (redirector, redirected) = spawn_redirector("http://10.0.0.1:9/v1/usage");
    let (proxy, seen) = spawn_proxy(true);
    let run = run_proxied(Some(&redirector), &proxy, &["status", "--usage"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr
            .contains("private or internal address (http://10.0.0.1:9), which is blocked"),
        "{}",
        run.stderr
    );
    let authority = redirector.strip_prefix("http://").unwrap();
    assert_eq!(
        request_lines(&seen),
        [format!("GET http://{authority}/v1/usage HTTP/1.1")]
    );
    assert_eq!(request_lines(&redirected).len(), 1);
}

/// Case 19: the catalog of a non-default origin is strict direct — the proxy sees nothing,
/// though both proxy variables are set.
#[test]
fn case_19_the_catalog_of_another_origin_ignores_the_proxy() {
    let (_emulator, base) = base_url();
    let (proxy, seen) = spawn_proxy(true);
    let run = run_proxied(Some(&base), &proxy, &["models"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("clawrouter/"), "{}", run.stdout);
    assert_eq!(request_lines(&seen), Vec::<String>::new());
}

/// Cases 16–18: the public origin's catalog goes through the proxy as a `CONNECT` tunnel to
/// `clawrouter.openclaw.ai:443` (HTTPS required), for each spelling of the base URL. The proxy
/// refuses the tunnel; the command fails with one line; the proxy never saw the key.
#[test]
fn cases_16_to_18_the_public_catalog_tunnels_through_the_proxy() {
    for base_url in [
        None,
        Some("https://clawrouter.openclaw.ai"),
        Some("https://clawrouter.openclaw.ai/v1/"),
    ] {
        let (proxy, seen) = spawn_proxy(false);
        let run = run_proxied(base_url, &proxy, &["models"]);
        assert_eq!(run.code, Some(1), "{base_url:?} {run:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        let lines = request_lines(&seen);
        assert!(!lines.is_empty(), "{base_url:?}: the proxy saw nothing");
        for line in &lines {
            assert_eq!(
                line, "CONNECT clawrouter.openclaw.ai:443 HTTP/1.1",
                "{base_url:?}"
            );
        }
        let heads = seen.lock().unwrap().concat();
        assert!(
            !heads.contains("emulator0002"),
            "the key reached the proxy: {heads}"
        );
    }
}
