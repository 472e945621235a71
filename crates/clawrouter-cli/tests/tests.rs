//! End-to-end tests of the `clawrouter` binary: the recorded wire fixtures and the documented
//! edge cases of `clawrouter decode`; `clawrouter policy replay` (in `policy_replay`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

mod catalog_usage;
mod emulator;
mod online;
mod policy_replay;
mod proxy;
mod secrets;

const BIN: &str = env!("CARGO_BIN_EXE_clawrouter");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/wire");

/// What one run of the binary produced.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The exit status and the output of a finished child (both streams must be UTF-8).
    fn from_output(output: std::process::Output) -> Run {
        Run {
            code: output.status.code(),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }
}

/// Runs `clawrouter ARGS` with `stdin` as its standard input.
fn run(args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the clawrouter binary starts");
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    // A separate thread, so that a large body cannot deadlock against a full stdout pipe. The
    // binary may exit without reading stdin (a wrong command line): ignore write errors.
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    Run::from_output(output)
}

/// `decode --output frames` on `body` at chunk sizes 0, 1 and 7; asserts the three runs agree
/// and returns one of them.
fn frames(transport: &str, framing: &str, body: &[u8]) -> Run {
    let runs: Vec<Run> = [0, 1, 7]
        .iter()
        .map(|chunk_size| {
            let chunk_size = chunk_size.to_string();
            run(
                &[
                    "decode",
                    "--transport",
                    transport,
                    "--framing",
                    framing,
                    "--output",
                    "frames",
                    "--chunk-size",
                    &chunk_size,
                ],
                body,
            )
        })
        .collect();
    for other in &runs[1..] {
        assert_eq!(
            other.code, runs[0].code,
            "exit status depends on the chunk size"
        );
        assert_eq!(
            other.stdout, runs[0].stdout,
            "stdout depends on the chunk size"
        );
        assert_eq!(
            other.stderr, runs[0].stderr,
            "stderr depends on the chunk size"
        );
    }
    runs.into_iter().next().unwrap()
}

fn sse(body: &[u8]) -> Run {
    frames("anthropic-messages", "sse", body)
}

fn json_array(body: &[u8]) -> Run {
    frames("google-generative-ai", "json-array", body)
}

fn parse_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

fn fixture_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(FIXTURES)
        .unwrap_or_else(|e| panic!("cannot read {FIXTURES}: {e}"))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("meta.json").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn check_fixture(dir: &Path) {
    let name = dir.file_name().unwrap().to_string_lossy();
    let meta: Value =
        serde_json::from_slice(&std::fs::read(dir.join("meta.json")).unwrap()).unwrap();
    let transport = meta["transport"].as_str().unwrap();
    let framing = meta["framing"].as_str().unwrap();
    let body = std::fs::read(dir.join("body")).unwrap();
    let expected =
        parse_lines(&std::fs::read_to_string(dir.join("expected_frames.jsonl")).unwrap());

    let out = frames(transport, framing, &body);
    assert_eq!(out.code, Some(0), "{name}: {out:?}");
    assert_eq!(out.stderr, "", "{name}");
    let actual = parse_lines(&out.stdout);
    assert_eq!(actual.len(), expected.len(), "{name}: number of frames");
    for (index, (actual, expected)) in actual.iter().zip(&expected).enumerate() {
        assert_eq!(actual, expected, "{name}: frame {index}");
        if framing == "sse" {
            // The fixtures carry no `id` field, so no frame has an `id` key.
            assert_eq!(keys(actual), ["event", "data"], "{name}: frame {index}");
        }
    }
    // One compact JSON object per line.
    for line in out.stdout.lines() {
        let value: Value = serde_json::from_str(line).unwrap();
        assert_eq!(line, serde_json::to_string(&value).unwrap(), "{name}");
    }
}

#[test]
fn every_wire_fixture_decodes_to_its_expected_frames() {
    let dirs = fixture_dirs();
    assert_eq!(dirs.len(), 24, "fixtures found in {FIXTURES}");
    let mut framings = std::collections::BTreeSet::new();
    for dir in &dirs {
        let meta: Value =
            serde_json::from_slice(&std::fs::read(dir.join("meta.json")).unwrap()).unwrap();
        framings.insert(meta["framing"].as_str().unwrap().to_owned());
        check_fixture(dir);
    }
    assert_eq!(
        framings.into_iter().collect::<Vec<_>>(),
        ["json-array", "sse"]
    );
}

#[test]
fn sse_id_is_omitted_until_one_is_set_then_persists() {
    let out = sse(b"data: a\n\nid: 7\ndata: b\n\ndata: c\n\nid\ndata: d\n\nid: x\0y\ndata: e\n\n");
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(out.stderr, "");
    assert_eq!(
        out.stdout,
        concat!(
            r#"{"event":"message","data":"a"}"#,
            "\n",
            r#"{"event":"message","data":"b","id":"7"}"#,
            "\n",
            r#"{"event":"message","data":"c","id":"7"}"#,
            "\n",
            r#"{"event":"message","data":"d","id":""}"#,
            "\n",
            r#"{"event":"message","data":"e","id":""}"#,
            "\n",
        )
    );
}

#[test]
fn sse_strings_are_escaped_as_serde_json_does() {
    let out = sse(b"event: x\"y\ndata: tab\there \\ \x01 \xc3\xa9\ndata\n\n");
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(
        out.stdout,
        "{\"event\":\"x\\\"y\",\"data\":\"tab\\there \\\\ \\u0001 \u{e9}\\n\"}\n"
    );
}

#[test]
fn sse_invalid_utf8_becomes_replacement_character() {
    let out = sse(b"data: a\xffb\n\n");
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(
        out.stdout,
        "{\"event\":\"message\",\"data\":\"a\u{fffd}b\"}\n"
    );
}

#[test]
fn sse_retry_changes_are_reported_before_the_next_event_and_at_the_end() {
    let body = b"retry: 100\ndata: a\n\ndata: b\n\nretry: 1x\nretry: 250\n\n\
                 event: e\ndata: c\n\nretry: 250\ndata: d\n\nretry: 300\n\n";
    let out = sse(body);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(out.stderr, "");
    assert_eq!(
        out.stdout,
        concat!(
            "{\"retry\":100}\n",
            "{\"event\":\"message\",\"data\":\"a\"}\n",
            "{\"event\":\"message\",\"data\":\"b\"}\n",
            "{\"retry\":250}\n",
            "{\"event\":\"e\",\"data\":\"c\"}\n",
            "{\"event\":\"message\",\"data\":\"d\"}\n",
            "{\"retry\":300}\n",
        )
    );
}

#[test]
fn sse_unterminated_last_event_warns_and_succeeds() {
    let out = sse(b"data: a\n\ndata: b\n");
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(out.stdout, "{\"event\":\"message\",\"data\":\"a\"}\n");
    assert_eq!(
        out.stderr,
        "warning: stream ended inside an event: 8 bytes discarded (no blank line after the last event)\n"
    );
}

#[test]
fn sse_event_over_the_limit_fails_and_keeps_earlier_frames() {
    let limit = 16 * 1024 * 1024;
    let mut body = b"data: small\n\ndata: ".to_vec();
    body.resize(body.len() + limit + 1, b'x');
    body.extend_from_slice(b"\n\ndata: after\n\n");
    let out = run(
        &[
            "decode",
            "--transport",
            "openai-completions",
            "--output",
            "frames",
        ],
        &body,
    );
    assert_eq!(out.code, Some(1), "{:?}", out.stderr);
    assert_eq!(out.stdout, "{\"event\":\"message\",\"data\":\"small\"}\n");
    assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    assert!(out.stderr.contains("byte 13"), "{}", out.stderr);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
}

#[test]
fn sse_empty_body_prints_nothing() {
    let out = sse(b"");
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (Some(0), "", "")
    );
}

#[test]
fn json_array_elements_keep_their_key_order() {
    let out = json_array(b"[{\n  \"z\": 1,\n  \"a\": {\"y\": [1, 2.5, \"\\u00e9\"], \"b\": null}\n}\n,\r\n{\"k\": true}\n]");
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(out.stderr, "");
    assert_eq!(
        out.stdout,
        "{\"z\":1,\"a\":{\"y\":[1,2.5,\"\u{e9}\"],\"b\":null}}\n{\"k\":true}\n"
    );
}

#[test]
fn json_array_bare_object_is_printed_then_fails() {
    let body = b"{\n  \"error\": {\n    \"code\": 429,\n    \"message\": \"Resource exhausted\",\n    \"status\": \"RESOURCE_EXHAUSTED\"\n  }\n}\n";
    let out = json_array(body);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert_eq!(
        out.stdout,
        "{\"error\":{\"code\":429,\"message\":\"Resource exhausted\",\"status\":\"RESOURCE_EXHAUSTED\"}}\n"
    );
    assert_eq!(
        out.stderr,
        "error: the body is a single JSON object, not an array (Gemini error form): Resource exhausted\n"
    );

    let out = json_array(b"{\"unexpected\": 1}");
    assert_eq!(out.code, Some(1), "{out:?}");
    assert_eq!(out.stdout, "{\"unexpected\":1}\n");
    assert_eq!(
        out.stderr,
        "error: the body is a single JSON object, not an array (Gemini error form)\n"
    );
}

#[test]
fn json_array_truncated_fails_with_offset_and_keeps_elements() {
    // Cut inside the second element.
    let out = json_array(b"[{\"a\": 1}\n,\r\n{\"b\": [2");
    assert_eq!(out.code, Some(1), "{out:?}");
    assert_eq!(out.stdout, "{\"a\":1}\n");
    assert_eq!(
        out.stderr,
        "error: streamed JSON array ended early, expected the end of the element at byte 21; \
         1 element was printed before it\n"
    );

    // Every element complete, but no closing `]`.
    let out = json_array(b"[{\"a\": 1}\n,\r\n{\"b\": 2}\n");
    assert_eq!(out.code, Some(1), "{out:?}");
    assert_eq!(out.stdout, "{\"a\":1}\n{\"b\":2}\n");
    assert_eq!(
        out.stderr,
        "error: streamed JSON array ended early, expected ',' or ']' at byte 22; \
         2 elements were printed before it\n"
    );
}

#[test]
fn json_array_element_that_is_not_json_fails() {
    let out = json_array(b"[{\"a\": 1},\n{\"a\": tru}]");
    assert_eq!(out.code, Some(1), "{out:?}");
    assert_eq!(out.stdout, "{\"a\":1}\n");
    assert!(
        out.stderr
            .starts_with("error: array element 2 is not valid JSON"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
}

#[test]
fn message_output_reproduces_every_fixture_at_every_chunk_size() {
    for dir in fixture_dirs() {
        let meta: Value =
            serde_json::from_slice(&fs::read(dir.join("meta.json")).unwrap()).unwrap();
        let expected: Value =
            serde_json::from_slice(&fs::read(dir.join("expected_message.json")).unwrap()).unwrap();
        let body = fs::read(dir.join("body")).unwrap();
        let transport = meta["transport"].as_str().unwrap();
        let framing = meta["framing"].as_str().unwrap();
        let mut previous: Option<String> = None;
        for chunk in ["0", "1", "7"] {
            let out = run(
                &[
                    "decode",
                    "--transport",
                    transport,
                    "--framing",
                    framing,
                    "--chunk-size",
                    chunk,
                ],
                &body,
            );
            assert_eq!(out.code, Some(0), "{}: {out:?}", dir.display());
            let message: Value = serde_json::from_str(out.stdout.trim_end()).unwrap();
            assert_eq!(message["text"], expected["text"], "{}", dir.display());
            assert_eq!(
                message["reasoning"],
                expected["reasoning"],
                "{}",
                dir.display()
            );
            assert_eq!(
                message["finish_reason"],
                expected["finish_reason"],
                "{}",
                dir.display()
            );
            assert_eq!(message["error"], Value::Null, "{}", dir.display());
            let calls: Vec<Value> = message["tool_calls"]
                .as_array()
                .unwrap()
                .iter()
                .map(|call| {
                    let arguments: Value =
                        serde_json::from_str(call["arguments"].as_str().unwrap()).unwrap();
                    serde_json::json!({"name": call["name"], "arguments": arguments})
                })
                .collect();
            assert_eq!(
                Value::from(calls),
                expected["tool_calls"],
                "{}",
                dir.display()
            );
            if let Some(previous) = &previous {
                assert_eq!(
                    previous,
                    &out.stdout,
                    "{}: output depends on the chunk size",
                    dir.display()
                );
            }
            previous = Some(out.stdout);
        }
    }
}

#[test]
fn events_output_is_one_json_object_per_event() {
    let body = b"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n\
data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n\
data: [DONE]\n\n";
    let out = run(
        &[
            "decode",
            "--transport",
            "openai-completions",
            "--output",
            "events",
        ],
        body,
    );
    assert_eq!(out.code, Some(0), "{out:?}");
    let lines = parse_lines(&out.stdout);
    assert!(
        lines.contains(&serde_json::json!({"type": "text_delta", "text": "Hi"})),
        "{lines:?}"
    );
    assert!(
        lines.contains(&serde_json::json!({"type": "finish", "reason": "stop", "raw": "stop"})),
        "{lines:?}"
    );
}

#[test]
fn truncated_stream_prints_what_arrived_then_fails() {
    let body = b"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"partial\"}}]}\n\n";
    let out = run(&["decode", "--transport", "openai-completions"], body);
    assert_eq!(out.code, Some(1), "{out:?}");
    let message: Value = serde_json::from_str(out.stdout.trim_end()).unwrap();
    assert_eq!(message["text"], "partial");
    assert_eq!(message["error"]["code"], "stream_truncated");
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(
        out.stderr
            .starts_with("error: openai-completions stream ended before"),
        "{}",
        out.stderr
    );
}

#[test]
fn provider_error_after_200_sets_error_and_fails() {
    let body = b"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}\n\n\
event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
    let out = run(
        &[
            "decode",
            "--transport",
            "anthropic-messages",
            "--output",
            "message",
        ],
        body,
    );
    assert_eq!(out.code, Some(1), "{out:?}");
    let message: Value = serde_json::from_str(out.stdout.trim_end()).unwrap();
    assert_eq!(message["text"], "Hel");
    assert_eq!(message["error"]["code"], "overloaded_error");
    assert_eq!(message["error"]["message"], "Overloaded");
    assert_eq!(
        out.stderr,
        "error: the provider reported an error inside the stream (overloaded_error): Overloaded\n"
    );
}

#[test]
fn bad_command_lines_exit_2_with_one_error_line() {
    for args in [
        &["decode", "--transport", "cohere-chat", "--output", "frames"][..],
        &["decode", "--output", "frames"][..],
        &[
            "decode",
            "--transport",
            "anthropic-messages",
            "--framing",
            "xml",
        ][..],
        &[
            "decode",
            "--transport",
            "anthropic-messages",
            "--chunk-size",
            "-1",
        ][..],
        &[
            "decode",
            "--transport",
            "openai-responses",
            "--framing",
            "json-array",
            "--output",
            "frames",
        ][..],
        &["frobnicate"][..],
    ] {
        let out = run(args, b"");
        assert_eq!(out.code, Some(2), "{args:?}: {out:?}");
        assert_eq!(out.stdout, "", "{args:?}");
        assert!(
            out.stderr.starts_with("error: "),
            "{args:?}: {}",
            out.stderr
        );
        assert_eq!(out.stderr.lines().count(), 1, "{args:?}: {}", out.stderr);
    }
    let out = run(&["decode", "--transport", "cohere-chat"], b"");
    assert!(
        out.stderr.contains("google-generative-ai"),
        "{}",
        out.stderr
    );
}

#[test]
fn help_and_version() {
    let out = run(&["--version"], b"");
    assert_eq!(out.code, Some(0));
    assert_eq!(
        out.stdout,
        format!("clawrouter {}\n", env!("CARGO_PKG_VERSION"))
    );

    let out = run(&["decode", "--help"], b"");
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(out.stdout.contains("Examples:"), "{}", out.stdout);
    assert!(
        out.stdout.contains("clawrouter decode --transport"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("{\"retry\":N}"), "{}", out.stdout);

    let out = run(&["--help"], b"");
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(out.stdout.contains("decode"), "{}", out.stdout);
    assert!(out.stdout.contains("Examples:"), "{}", out.stdout);
}

#[test]
fn closed_stdout_pipe_ends_quietly_with_status_0() {
    let mut body = Vec::new();
    for i in 0..100_000 {
        body.extend_from_slice(format!("data: event number {i}\n\n").as_bytes());
    }
    let mut child = Command::new(BIN)
        .args([
            "decode",
            "--transport",
            "openai-completions",
            "--output",
            "frames",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&body);
    });
    // Read the first line, as `| head -1` would, then close the pipe.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert_eq!(
        first,
        "{\"event\":\"message\",\"data\":\"event number 0\"}\n"
    );
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

fn hex(text: &str) -> Vec<u8> {
    assert_eq!(text.len() % 2, 0, "hex chunk {text}");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// The 34 explicit `sse-parse` conformance vectors, through the binary. The vectors write `""`
/// for "no id yet", which the inspector prints as an absent `id` key. Retry lines are expected
/// where the vector's `retry` attachment (or, after the last event, its last reconnection-time
/// update) differs from the last value printed.
#[test]
fn sse_conformance_vectors_through_the_binary() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/sse-conformance/conformance-vectors.json"
    );
    let file: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut checked = 0;
    for vector in file["vectors"].as_array().unwrap() {
        let Some(chunks) = vector["chunks"].as_array() else {
            continue; // a generator
        };
        let name = vector["id"].as_str().unwrap();
        let mut body = Vec::new();
        for chunk in chunks {
            match (chunk["text"].as_str(), chunk["hex"].as_str()) {
                (Some(text), _) => body.extend_from_slice(text.as_bytes()),
                (None, Some(h)) => body.extend_from_slice(&hex(h)),
                _ => panic!("{name}: bad chunk {chunk}"),
            }
        }
        let mut expected = Vec::new();
        let mut reported: Option<u64> = None;
        for event in vector["expected"]["events"].as_array().unwrap() {
            if let Some(retry) = event["retry"].as_u64()
                && reported != Some(retry)
            {
                expected.push(serde_json::json!({ "retry": retry }));
                reported = Some(retry);
            }
            let mut line = serde_json::json!({ "event": event["event"], "data": event["data"] });
            let id = event["id"].as_str().unwrap();
            if !id.is_empty() {
                line["id"] = Value::from(id);
            }
            expected.push(line);
        }
        if let Some(last) = vector["expected"]["retry_updates"]
            .as_array()
            .unwrap()
            .last()
            .and_then(Value::as_u64)
            && reported != Some(last)
        {
            expected.push(serde_json::json!({ "retry": last }));
        }

        let out = sse(&body);
        assert_eq!(out.code, Some(0), "{name}: {out:?}");
        let mut actual = parse_lines(&out.stdout);
        // An id that was set to "" prints as `"id":""`; the vectors cannot tell it from "no id".
        for line in &mut actual {
            if line.get("id").and_then(Value::as_str) == Some("") {
                line.as_object_mut().unwrap().remove("id");
            }
        }
        assert_eq!(actual, expected, "{name}");
        checked += 1;
    }
    assert_eq!(checked, 34);
}

mod policy_tools;
