//! The user commands (`models`, `models status`, `status --usage`, `run`, `demo`) end to end:
//! the real binary against a real `clawrouter emulator` process, for each command and each
//! error class the emulator can produce (unknown key, revoked key, exhausted budget, unknown
//! model ref, unreachable router, missing key).

use std::process::{Command, Stdio};

use serde_json::Value;

use super::emulator::spawn_emulator;
use super::{BIN, Run};

/// The emulator's built-in test keys (crates/clawrouter-emulator/scenarios/default.toml).
const DEMO: &str = "clawrouter-test-demo-emulator0001";
const REVOKED: &str = "clawrouter-test-gone-emulator0004";
const EXHAUSTED: &str = "clawrouter-test-broke-emulator0005";
const UNKNOWN: &str = "clawrouter-test-nope-emulator9999";

/// `clawrouter ARGS` against `base_url` with `key` in CLAWROUTER_API_KEY (none when `None`).
fn online(base_url: &str, key: Option<&str>, args: &[&str]) -> Run {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env("CLAWROUTER_BASE_URL", base_url)
        .env("NO_COLOR", "1")
        .env_remove("CLAWROUTER_API_KEY")
        .stdin(Stdio::null());
    if let Some(key) = key {
        command.env("CLAWROUTER_API_KEY", key);
    }
    let output = command.output().unwrap();
    Run::from_output(output)
}

/// Starts the emulator; returns it and its base URL.
pub(super) fn base_url() -> (super::emulator::Server, String) {
    let (server, banner) = spawn_emulator();
    let base = banner[0]
        .strip_prefix("ClawRouter emulator listening on ")
        .unwrap()
        .to_owned();
    (server, base)
}

/// Asserts a one-line failure with exit status 1 that starts with `prefix`, and no key anywhere.
fn assert_failure(run: &Run, prefix: &str, key: Option<&str>) {
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.starts_with(prefix), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    if let Some(key) = key {
        let secret = key.rsplit(['-', '_']).next().unwrap();
        assert!(
            !run.stderr.contains(secret) && !run.stdout.contains(secret),
            "{run:?}"
        );
    }
}

#[test]
fn models_lists_the_granted_models_and_explains_the_dropped_rows() {
    let (_server, base) = base_url();
    let table = online(&base, Some(DEMO), &["models", "--all"]);
    assert_eq!(table.code, Some(0), "{table:?}");
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert!(lines[0].starts_with("MODEL"), "{}", table.stdout);
    for (model, transport) in [
        (
            "clawrouter/anthropic/claude-sonnet-4-6",
            "anthropic-messages",
        ),
        ("clawrouter/google/gemini-3.5-flash", "google-generative-ai"),
        ("clawrouter/openai/gpt-4.1-mini", "openai-completions"),
        ("clawrouter/openai/gpt-5.5", "openai-responses"),
    ] {
        assert!(
            lines
                .iter()
                .any(|line| line.starts_with(model) && line.contains(transport)),
            "{model}: {}",
            table.stdout
        );
    }
    assert!(
        table
            .stdout
            .contains("route format cohere.chat is not a supported transport")
    );
    assert!(
        !table.stdout.contains('\u{1b}'),
        "NO_COLOR: no escape codes"
    );

    let json = online(
        &base,
        Some(DEMO),
        &["models", "--json", "--provider", "anthropic"],
    );
    assert_eq!(json.code, Some(0), "{json:?}");
    let value: Value = serde_json::from_str(&json.stdout).unwrap();
    let models = value["models"].as_array().unwrap();
    assert_eq!(models.len(), 1);
    assert_eq!(models[0]["ref"], "clawrouter/anthropic/claude-sonnet-4-6");
    assert_eq!(models[0]["api"], "anthropic-messages");
    assert_eq!(models[0]["baseUrl"], format!("{base}/v1/native/anthropic"));
    assert!(value.get("dropped").is_none(), "--all not given");

    let status = online(&base, Some(DEMO), &["models", "status", "--json"]);
    assert_eq!(status.code, Some(0), "{status:?}");
    let value: Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(value["key"]["present"], true);
    assert_eq!(value["catalog"]["reachable"], true);
    assert_eq!(value["catalog"]["models"], 4);
    assert_eq!(value["catalog"]["dropped"].as_array().unwrap().len(), 3);
}

#[test]
fn run_streams_a_reply_over_each_transport() {
    let (_server, base) = base_url();
    let expected = clawrouter_emulator::expected_reply_text("Hello there");
    for model in [
        "clawrouter/openai/gpt-4.1-mini",
        "clawrouter/openai/gpt-5.5",
        "clawrouter/anthropic/claude-sonnet-4-6",
        "clawrouter/google/gemini-3.5-flash",
    ] {
        let text = online(
            &base,
            Some(DEMO),
            &["run", "--model", model, "--message", "Hello there"],
        );
        assert_eq!(text.code, Some(0), "{model}: {text:?}");
        assert!(
            text.stdout.starts_with(&expected),
            "{model}: {}",
            text.stdout
        );

        let events = online(
            &base,
            Some(DEMO),
            &[
                "run",
                "--model",
                model,
                "--message",
                "Hello there",
                "--json",
            ],
        );
        assert_eq!(events.code, Some(0), "{model}: {events:?}");
        let streamed: String = events
            .stdout
            .lines()
            .map(|line| serde_json::from_str::<Value>(line).unwrap())
            .filter(|event| event["type"] == "text_delta")
            .map(|event| event["text"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(streamed, expected, "{model}");
    }
}

#[test]
fn usage_is_charged_by_calls() {
    let (_server, base) = base_url();
    let before = online(&base, Some(DEMO), &["status", "--usage", "--json"]);
    assert_eq!(before.code, Some(0), "{before:?}");
    let before: Value = serde_json::from_str(&before.stdout).unwrap();
    assert_eq!(before["provider"], "clawrouter");
    assert_eq!(before["plan"], "Managed monthly budget");
    assert!(before["windows"][0]["usedPercent"].is_number());
    let run = online(
        &base,
        Some(DEMO),
        &[
            "run",
            "--model",
            "clawrouter/openai/gpt-5.5",
            "--message",
            "hi",
        ],
    );
    assert_eq!(run.code, Some(0), "{run:?}");
    let after = online(&base, Some(DEMO), &["status", "--usage"]);
    assert_eq!(after.code, Some(0), "{after:?}");
    assert!(
        after.stdout.contains("1 requests") || after.stdout.contains("1 request"),
        "{}",
        after.stdout
    );
}

#[test]
fn every_error_class_is_one_actionable_line() {
    let (_server, base) = base_url();
    let unknown_key = online(&base, Some(UNKNOWN), &["models"]);
    assert_failure(
        &unknown_key,
        "error: catalog request rejected (HTTP 401",
        Some(UNKNOWN),
    );
    assert!(
        unknown_key.stderr.contains("reissue or re-scope"),
        "{}",
        unknown_key.stderr
    );

    let revoked = online(&base, Some(REVOKED), &["models"]);
    assert_failure(
        &revoked,
        "error: catalog request rejected (HTTP 403",
        Some(REVOKED),
    );

    let exhausted = online(
        &base,
        Some(EXHAUSTED),
        &[
            "run",
            "--model",
            "clawrouter/openai/gpt-5.5",
            "--message",
            "hi",
        ],
    );
    assert_failure(&exhausted, "error: ", Some(EXHAUSTED));
    assert!(
        exhausted.stderr.contains("402") || exhausted.stderr.contains("budget"),
        "{}",
        exhausted.stderr
    );

    let unknown_model = online(
        &base,
        Some(DEMO),
        &[
            "run",
            "--model",
            "clawrouter/openai/gpt-5",
            "--message",
            "hi",
        ],
    );
    assert_failure(
        &unknown_model,
        "error: Unknown model: clawrouter/openai/gpt-5 (closest granted: clawrouter/openai/gpt-5.5",
        Some(DEMO),
    );

    let not_a_ref = online(
        &base,
        Some(DEMO),
        &["run", "--model", "openai/gpt-5.5", "--message", "hi"],
    );
    assert_failure(
        &not_a_ref,
        "error: model ref \"openai/gpt-5.5\" must look like clawrouter/<catalog model id>",
        Some(DEMO),
    );
    assert!(
        not_a_ref
            .stderr
            .contains("did you mean clawrouter/openai/gpt-5.5?"),
        "{}",
        not_a_ref.stderr
    );

    let no_key = online(&base, None, &["models"]);
    assert_failure(
        &no_key,
        "error: no ClawRouter key: the environment variable CLAWROUTER_API_KEY is not set",
        None,
    );

    let other_env = online(
        &base,
        None,
        &["--api-key-env", "MY_ROUTER_KEY", "status", "--usage"],
    );
    assert_failure(
        &other_env,
        "error: no ClawRouter key: the environment variable MY_ROUTER_KEY is not set",
        None,
    );

    // A port nobody listens on: the connection is refused quickly.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let unreachable = online(
        &format!("http://{closed}"),
        Some(DEMO),
        &["models", "--timeout", "5"],
    );
    assert_failure(&unreachable, "error: ", Some(DEMO));

    let bad_timeout = online(&base, Some(DEMO), &["models", "--timeout", "-1"]);
    assert_eq!(bad_timeout.code, Some(2), "{bad_timeout:?}");
}

#[test]
fn demo_runs_everything_offline() {
    let mut command = Command::new(BIN);
    let output = command
        .args(["demo", "--fast"])
        .env("NO_COLOR", "1")
        .env_remove("CLAWROUTER_API_KEY")
        .env_remove("CLAWROUTER_BASE_URL")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let expected = clawrouter_emulator::expected_reply_text("What does ClawRouter do?");
    for transport in [
        "openai-completions",
        "openai-responses",
        "anthropic-messages",
        "google-generative-ai",
    ] {
        assert!(
            stdout.contains(&format!("· {transport} ·")),
            "{transport}: {stdout}"
        );
    }
    assert_eq!(stdout.matches(&expected).count(), 4, "{stdout}");
    for section in [
        "$ clawrouter models --all",
        "$ clawrouter models status",
        "$ clawrouter status --usage",
    ] {
        assert!(stdout.contains(section), "{section}: {stdout}");
    }
    assert!(
        stdout.contains("error: Unknown model: clawrouter/openai/gpt-5"),
        "{stdout}"
    );
}

/// Malformed stdin for each offline inspector: one `error:` line naming where, exit status 1
/// (and for `usage summarize`, the documented snapshot with its error, exit status 0).
#[test]
fn malformed_stdin_for_each_inspector() {
    let cases: [(&[&str], &str, &str); 6] = [
        (
            &["catalog", "resolve"],
            r#"{"providers": ["#,
            "error: ClawRouter catalog response is not valid JSON: unexpected end of input, expected a value at byte 15",
        ),
        (
            &[
                "policy",
                "replay",
                "--transport",
                "openai-completions",
                "--model",
                "openai/gpt-5.5",
            ],
            r#"[{"role":"#,
            "error: stdin is not a valid JSON conversation: EOF while parsing a value at line 1 column 9 (at byte 8)",
        ),
        (
            &["policy", "tools", "--model", "google/gemini-3.5-flash"],
            r#"[{"name":"#,
            "error: stdin is not valid JSON at byte 9",
        ),
        (
            &["policy", "headers"],
            r#"{"model":"#,
            "error: the dispatch description is not JSON: unexpected end of input, expected a value at byte 9",
        ),
        (
            &["policy", "ids", "--kind", "request-id"],
            "\"ok\"\nabc\n",
            "error: line 2: not a JSON string literal at byte 0",
        ),
        (
            &["decode", "--transport", "openai-completions"],
            "data: {\"x",
            "error: stream ended inside an SSE event: 9 bytes after the last blank line were discarded",
        ),
    ];
    for (args, stdin, expected) in cases {
        let outcome = super::run(args, stdin.as_bytes());
        assert_eq!(outcome.code, Some(1), "{args:?}: {outcome:?}");
        assert!(
            outcome.stderr.starts_with(expected),
            "{args:?}: {}",
            outcome.stderr
        );
        assert_eq!(
            outcome.stderr.lines().count(),
            1,
            "{args:?}: {}",
            outcome.stderr
        );
    }
    let usage = super::run(&["usage", "summarize"], br#"{"budget":"#);
    assert_eq!(usage.code, Some(0), "{usage:?}");
    assert_eq!(
        usage.stdout,
        "{\"provider\":\"clawrouter\",\"displayName\":\"ClawRouter\",\"windows\":[],\"error\":\"Malformed usage response\"}\n"
    );
}
