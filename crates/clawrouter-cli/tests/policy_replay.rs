//! `clawrouter policy replay` (CLI.md): the conversation after the replay policy on stdout, one
//! stderr line per repair, exit status 0 / 1 / 2.

use serde_json::{Value, json};

use super::run;

#[test]
fn worked_example_e1() {
    let input = json!([{"role":"user","content":"hi"},
        {"role":"assistant","stopReason":"toolUse","content":[{"type":"text","text":""},
            {"type":"toolCall","id":"call_AbC-12|fc_x","name":"read","arguments":{}}]},
        {"role":"user","content":"next"}]);
    let out = run(
        &[
            "policy",
            "replay",
            "--transport",
            "openai-completions",
            "--model",
            "openai/gpt-5.5",
        ],
        input.to_string().as_bytes(),
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let printed: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        printed,
        json!([{"role":"user","content":"hi"},
            {"role":"assistant","stopReason":"toolUse","content":[{"type":"toolCall","id":"callAbC12fcx","name":"read","arguments":{}}]},
            {"role":"toolResult","toolCallId":"callAbC12fcx","toolName":"read","isError":true,
             "content":[{"type":"text","text":"[openclaw] missing tool result in session history; inserted synthetic error result for transcript repair."}]},
            {"role":"user","content":"next"}])
    );
    assert_eq!(out.stdout.lines().count(), 1);
    assert_eq!(
        out.stderr.lines().collect::<Vec<_>>(),
        [
            "empty-content (message 1): blank text removed from an assistant turn",
            "synthetic-tool-result (message 1): call \"call_AbC-12|fc_x\" had no result; a synthetic error result was inserted",
            "tool-call-id-rewritten (message 1): tool-call id \"call_AbC-12|fc_x\" → \"callAbC12fcx\"",
        ]
    );
}

#[test]
fn unchanged_conversation_has_no_repairs_and_keeps_unknown_fields() {
    let input =
        r#"[{"role":"user","content":"hi","custom":1},{"role":"compactionSummary","summary":"s"}]"#;
    let out = run(
        &[
            "policy",
            "replay",
            "--transport",
            "openai-responses",
            "--model",
            "openai/gpt-5.5",
        ],
        format!("\u{feff}{input}").as_bytes(),
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(out.stdout, format!("{input}\n"));
    assert_eq!(out.stderr, "");
}

#[test]
fn gemini_bootstrap_is_reported() {
    let out = run(
        &[
            "policy",
            "replay",
            "--transport",
            "google-generative-ai",
            "--model",
            "google/gemini-3.5-flash",
        ],
        br#"[{"role":"assistant","content":[{"type":"text","text":"hello"}]}]"#,
    );
    assert_eq!(out.code, Some(0));
    assert_eq!(
        out.stdout,
        "[{\"role\":\"user\",\"content\":\"(session bootstrap)\"},{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"hello\"}]}]\n"
    );
    assert!(
        out.stderr.starts_with("bootstrap-inserted (message 0): "),
        "{}",
        out.stderr
    );
}

#[test]
fn bad_input_fails_with_one_line() {
    for (stdin, expected) in [
        (
            &b"[1,"[..],
            "error: stdin is not a valid JSON conversation: EOF while parsing a value at line 1 column 3 (at byte 2)",
        ),
        (
            &b"{\"role\":\"user\"}"[..],
            "error: the conversation must be a JSON array of messages, not an object",
        ),
    ] {
        let out = run(
            &[
                "policy",
                "replay",
                "--transport",
                "anthropic-messages",
                "--model",
                "m",
            ],
            stdin,
        );
        assert_eq!(out.code, Some(1));
        assert_eq!(out.stdout, "");
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
        assert!(out.stderr.starts_with(expected), "{}", out.stderr);
    }
    let out = run(
        &["policy", "replay", "--transport", "nope", "--model", "m"],
        b"[]",
    );
    assert_eq!(out.code, Some(2));
    assert_eq!(out.stderr.lines().count(), 1);
}
