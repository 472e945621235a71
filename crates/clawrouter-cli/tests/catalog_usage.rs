//! `clawrouter catalog resolve` and `clawrouter usage summarize` (CLI.md), end to end.

use std::process::{Command, Stdio};

use serde_json::Value;

use super::{BIN, run};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{path}")).unwrap()
}

#[test]
fn catalog_resolve_prints_openclaw_provider_config() {
    let out = run(
        &[
            "catalog",
            "resolve",
            "--base-url",
            "https://clawrouter.example/v1",
        ],
        &fixture("catalog/fixture-c.json"),
    );
    assert_eq!((out.code, out.stderr.as_str()), (Some(0), ""));
    assert!(out.stdout.ends_with("}\n") && out.stdout.lines().count() == 1);
    assert!(out.stdout.starts_with(
        r#"{"baseUrl":"https://clawrouter.example/v1","api":"openai-responses","models":[{"id":"anthropic/claude-sonnet-4-6","name":"Anthropic · claude-sonnet-4-6","api":"anthropic-messages","baseUrl":"https://clawrouter.example/v1/native/anthropic","reasoning":true,"input":["text","image"],"cost":{"input":3,"output":15,"cacheRead":0.3,"cacheWrite":3.75},"contextWindow":1000000,"maxTokens":64000,"params":{"clawrouterRoute":{"api":"anthropic-messages","baseUrl":"https://clawrouter.example/v1/native/anthropic","upstreamModel":"claude-sonnet-4-6"}}},"#
    ), "{}", out.stdout);
    let value: Value = serde_json::from_str(&out.stdout).unwrap();
    let ids: Vec<&str> = value["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "anthropic/claude-sonnet-4-6",
            "deepseek/deepseek-v4-flash",
            "google/gemini-3.5-flash",
            "openai/gpt-5.6"
        ]
    );
    assert_eq!(
        value["models"][3]["thinkingLevelMap"]["minimal"],
        Value::Null
    );
    assert!(value.get("dropped").is_none() && !out.stdout.contains("apiKey"));
}

#[test]
fn catalog_resolve_explain_lists_drops() {
    let out = run(
        &["catalog", "resolve", "--explain"],
        &fixture("catalog/fixture-c.json"),
    );
    assert_eq!(out.code, Some(0));
    let value: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(value["baseUrl"], "https://clawrouter.openclaw.ai/v1");
    assert_eq!(
        value["dropped"],
        serde_json::json!([{"provider": "cohere", "model": "cohere/command-a-plus-05-2026",
            "reason": "model dropped: no supported transport: capability llm.chat needs a provider with openaiCompatible: true; route format cohere.chat is not a supported transport"}])
    );
    assert_eq!(value["ignored"], serde_json::json!([]));
}

#[test]
fn catalog_resolve_reads_the_base_url_from_the_environment() {
    let output = Command::new(BIN)
        .args(["catalog", "resolve"])
        .env("CLAWROUTER_BASE_URL", "https://env.example/v1///")
        .stdin(std::fs::File::open(format!("{FIXTURES}/catalog/live-l.json")).unwrap())
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["baseUrl"], "https://env.example/v1");
    // The flag wins over the environment.
    let output = Command::new(BIN)
        .args(["catalog", "resolve", "--base-url", "https://flag.example"])
        .env("CLAWROUTER_BASE_URL", "https://env.example")
        .stdin(std::fs::File::open(format!("{FIXTURES}/catalog/live-l.json")).unwrap())
        .output()
        .unwrap();
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["models"][0]["baseUrl"], "https://flag.example/v1");
}

#[test]
fn catalog_resolve_rejected_bodies_exit_1_with_one_line() {
    let cases: [(&[u8], &str); 3] = [
        (
            b"[]",
            "error: ClawRouter catalog response must contain providers[]\n",
        ),
        (
            b"{\"providers\":[}",
            "error: ClawRouter catalog response is not valid JSON: expected a value at byte 14\n",
        ),
        (
            br#"{"providers":[],"has_more":true}"#,
            "error: ClawRouter catalog response carries the pagination key `has_more`: the catalog is read as one page and a paginated catalog could hide models; the server must not paginate /v1/catalog (PROTOCOL.md §4.1)\n",
        ),
    ];
    for (body, expected) in cases {
        let out = run(&["catalog", "resolve"], body);
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (Some(1), "", expected)
        );
    }
}

#[test]
fn usage_summarize_cases() {
    let cases: [(&[&str], &str, i32, &str, &str); 5] = [
        (
            &[],
            "usage/budget.json",
            0,
            "{\"provider\":\"clawrouter\",\"displayName\":\"ClawRouter\",\"windows\":[{\"label\":\"Monthly budget\",\"usedPercent\":25,\"resetAt\":1785542400000}],\"billing\":[{\"type\":\"budget\",\"used\":25,\"limit\":100,\"unit\":\"USD\",\"period\":\"month\",\"resetAt\":1785542400000}],\"summary\":\"12 requests · 34,567 tokens · $25.00 used\",\"plan\":\"Managed monthly budget\"}\n",
            "",
        ),
        (
            &[],
            "usage/truncated.json",
            0,
            "{\"provider\":\"clawrouter\",\"displayName\":\"ClawRouter\",\"windows\":[],\"error\":\"Malformed usage response\"}\n",
            "",
        ),
        (
            &["--status", "201"],
            "usage/unmetered.json",
            0,
            "{\"provider\":\"clawrouter\",\"displayName\":\"ClawRouter\",\"windows\":[],\"billing\":[{\"type\":\"spend\",\"amount\":0,\"unit\":\"USD\"}],\"summary\":\"0 requests · 0 tokens · $0.00 used\",\"plan\":\"Unmetered proxy key\"}\n",
            "",
        ),
        (
            &["--status", "503"],
            "usage/budget.json",
            1,
            "",
            "error: ClawRouter usage request failed (HTTP 503)\n",
        ),
        (
            &["--status", "403"],
            "usage/invalid-utf8.json",
            1,
            "",
            "error: ClawRouter usage request failed (HTTP 403)\n",
        ),
    ];
    for (flags, path, code, stdout, stderr) in cases {
        let mut args = vec!["usage", "summarize"];
        args.extend_from_slice(flags);
        let out = run(&args, &fixture(path));
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (Some(code), stdout, stderr),
            "{path} {flags:?}"
        );
    }
    let big = vec![b' '; 1024 * 1024 + 1];
    let out = run(&["usage", "summarize"], &big);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (
            Some(1),
            "error: ClawRouter usage response exceeds 1048576 bytes\n"
        )
    );
    let out = run(&["usage", "summarize", "--status", "99"], b"");
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr
            .starts_with("error: invalid value '99' for '--status <N>'"),
        "{}",
        out.stderr
    );
}

#[test]
fn help_has_examples() {
    for args in [
        ["catalog", "resolve", "--help"],
        ["usage", "summarize", "--help"],
    ] {
        let out = run(&args, b"");
        assert_eq!(out.code, Some(0));
        assert!(out.stdout.contains("Examples:"), "{}", out.stdout);
    }
}
