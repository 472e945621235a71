//! Issue 9 "Secrets" for the binary: every user command run against a real emulator process with
//! a canary key (which the emulator rejects) and against an unreachable router prints nothing
//! of the key; `clawrouter catalog resolve` never turns an absolute `nativeBaseUrl` into a model's
//! base URL.

use std::process::{Command, Stdio};

use serde_json::Value;

use super::emulator::spawn_emulator;
use super::{BIN, Run, run};

const CANARY: &str = "clawrouter-live-canary-S3CR3TCANARY99";
const SECRET: &str = "S3CR3TCANARY99";

/// `clawrouter ARGS` against `base_url` with the canary in CLAWROUTER_API_KEY and every log
/// variable at its most verbose.
fn with_canary(base_url: &str, args: &[&str]) -> Run {
    let output = Command::new(BIN)
        .args(args)
        .env("CLAWROUTER_BASE_URL", base_url)
        .env("CLAWROUTER_API_KEY", CANARY)
        .env("RUST_LOG", "trace")
        .env("RUST_BACKTRACE", "1")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Run::from_output(output)
}

const COMMANDS: [&[&str]; 13] = [
    &["models"],
    &["models", "--all"],
    &["models", "--json"],
    &["models", "status"],
    &["models", "status", "--json"],
    &["status"],
    &["status", "--usage"],
    &["status", "--json"],
    &[
        "run",
        "--model",
        "clawrouter/openai/gpt-4.1-mini",
        "--message",
        "hi",
    ],
    &[
        "run",
        "--model",
        "clawrouter/openai/gpt-5.5",
        "--message",
        "hi",
    ],
    &[
        "run",
        "--model",
        "clawrouter/anthropic/claude-sonnet-4-6",
        "--message",
        "hi",
    ],
    &[
        "run",
        "--model",
        "clawrouter/google/gemini-3.5-flash",
        "--message",
        "hi",
    ],
    &["run", "--model", "no/such-model", "--message", "hi"],
];

#[test]
fn no_user_command_prints_the_key() {
    let (_server, banner) = spawn_emulator();
    let emulator = banner[0]
        .strip_prefix("ClawRouter emulator listening on ")
        .unwrap()
        .to_owned();
    // A port nothing listens on.
    let unreachable = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    for base in [emulator.as_str(), unreachable.as_str()] {
        for args in COMMANDS {
            let out = with_canary(base, args);
            // The emulator does not know the canary: every online command fails, in one line.
            assert_ne!(out.code, Some(0), "{args:?} {out:?}");
            assert!(!out.stderr.contains("panicked"), "{args:?} {out:?}");
            assert!(
                !out.stdout.contains(SECRET) && !out.stderr.contains(SECRET),
                "{args:?} against {base} printed the key: {out:?}"
            );
        }
    }
}

#[test]
fn catalog_resolve_never_offers_an_absolute_native_base_url() {
    let body = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/catalog/server-0.2.0-example.json"
    ))
    .unwrap();
    let mut catalog: Value = serde_json::from_str(&body).unwrap();
    for provider in catalog["providers"].as_array_mut().unwrap() {
        if provider["nativeBaseUrl"] == "/v1/native/anthropic" {
            provider["nativeBaseUrl"] = Value::from("https://evil.example/v1/native/anthropic");
        }
    }
    let out = run(
        &["catalog", "resolve", "--explain"],
        catalog.to_string().as_bytes(),
    );
    assert_eq!(out.code, Some(0), "{out:?}");
    let value: Value = serde_json::from_str(&out.stdout).unwrap();
    for model in value["models"].as_array().unwrap() {
        let base = model["baseUrl"].as_str().unwrap();
        assert!(
            base.starts_with("https://clawrouter.openclaw.ai/"),
            "{model}"
        );
        assert!(!model.to_string().contains("evil.example"), "{model}");
    }
    // The Anthropic model is dropped, and the explanation says why.
    let dropped = value["dropped"].to_string();
    assert!(dropped.contains("anthropic"), "{dropped}");
}
