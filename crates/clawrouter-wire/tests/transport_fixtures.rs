//! Every recorded stream in `fixtures/wire/` decoded by its transport: the assembled message
//! equals `expected_message.json` at read sizes 1, 7, 64 and whole, and the event stream equals
//! the golden `fixtures/events/<case>.jsonl` (regenerate with `UPDATE_EXPECT=1`).

use std::fs;
use std::path::Path;

use clawrouter_wire::assemble::{AssembledMessage, MessageAssembler};
use clawrouter_wire::transport::{DecodeError, Framing, ResponseDecoder, Transport};
use serde_json::{Value, json};

use crate::support::{chunks_of, fixtures_dir, wire_cases};

/// The outcome of decoding one body: the events as JSON lines, the message, the end result.
struct Decoded {
    events: Vec<String>,
    message: AssembledMessage,
    end: Result<(), DecodeError>,
}

fn decode(transport: Transport, framing: Framing, body: &[u8], chunk_size: usize) -> Decoded {
    let mut decoder = ResponseDecoder::new(transport, framing);
    let mut assembler = MessageAssembler::new();
    let mut events = Vec::new();
    let mut sink = |event: clawrouter_wire::events::StreamEvent<'_>| {
        events.push(serde_json::to_string(&event).unwrap());
        assembler.push(&event);
    };
    let mut end = Ok(());
    for chunk in chunks_of(body, chunk_size) {
        if let Err(error) = decoder.feed(chunk, &mut sink) {
            end = Err(error);
        }
    }
    let finished = decoder.finish(&mut sink);
    if end.is_ok() {
        end = finished;
    }
    Decoded {
        events,
        message: assembler.finish(),
        end,
    }
}

/// The message in the shape of `expected_message.json` (fixtures/wire/README.md).
fn message_summary(message: &AssembledMessage) -> Value {
    let tool_calls: Vec<Value> = message
        .tool_calls()
        .map(|call| {
            let arguments: Value = serde_json::from_str(&call.arguments)
                .unwrap_or_else(|error| panic!("arguments of {} are not JSON: {error}", call.name));
            json!({"name": call.name, "arguments": arguments})
        })
        .collect();
    json!({
        "text": message.text(),
        "reasoning": message.reasoning(),
        "tool_calls": tool_calls,
        "finish_reason": message.finish_reason,
    })
}

#[test]
fn every_fixture_assembles_its_expected_message_at_every_read_size() {
    let mut failures = Vec::new();
    for case in wire_cases() {
        for chunk_size in [0, 1, 7, 64] {
            let decoded = decode(case.transport, case.framing, &case.body, chunk_size);
            if let Err(error) = &decoded.end {
                failures.push(format!(
                    "{} (chunk {chunk_size}): ended with {error}",
                    case.name
                ));
            }
            let got = message_summary(&decoded.message);
            if got != case.expected {
                failures.push(format!(
                    "{} (chunk {chunk_size}):\n   got {got}\n  want {}",
                    case.name, case.expected
                ));
            }
            if decoded.message.unrecognized_frames != 0 {
                failures.push(format!(
                    "{} (chunk {chunk_size}): {} unrecognized frames",
                    case.name, decoded.message.unrecognized_frames
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_fixture_matches_its_golden_events_at_every_read_size() {
    let golden_dir = fixtures_dir().join("events");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for case in wire_cases() {
        let whole = decode(case.transport, case.framing, &case.body, 0).events;
        for chunk_size in [1, 7, 64] {
            let split = decode(case.transport, case.framing, &case.body, chunk_size).events;
            if split != whole {
                failures.push(format!(
                    "{}: events differ at chunk size {chunk_size}",
                    case.name
                ));
            }
        }
        let path = golden_dir.join(format!("{}.jsonl", case.name));
        let actual = whole
            .iter()
            .map(|line| format!("{line}\n"))
            .collect::<String>();
        if update {
            fs::create_dir_all(&golden_dir).unwrap();
            fs::write(&path, &actual).unwrap();
            continue;
        }
        match fs::read_to_string(&path) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => failures.push(first_difference(&case.name, &expected, &actual)),
            Err(_) => failures.push(format!(
                "{}: no golden file {}; run with UPDATE_EXPECT=1",
                case.name,
                display(&path)
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn first_difference(name: &str, expected: &str, actual: &str) -> String {
    let line = expected
        .lines()
        .zip(actual.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
    format!(
        "{name}: events differ from the golden file at line {} (UPDATE_EXPECT=1 rewrites it)\n  want {:?}\n   got {:?}",
        line + 1,
        expected.lines().nth(line),
        actual.lines().nth(line)
    )
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

#[test]
fn every_fixture_cut_short_fails_with_what_arrived() {
    use clawrouter_wire::assemble::FailureCause;
    for case in wire_cases() {
        let expected_text = case.expected["text"].as_str().unwrap().to_owned();
        let expected_reasoning = case.expected["reasoning"].as_str().unwrap().to_owned();
        // Cut inside the body (never at its very end, which would be the whole stream).
        for cut in [
            case.body.len() / 3,
            case.body.len() / 2,
            case.body.len() * 9 / 10,
        ] {
            let mut decoder = ResponseDecoder::new(case.transport, case.framing);
            let mut assembler = MessageAssembler::new();
            let mut sink = |event: clawrouter_wire::events::StreamEvent<'_>| assembler.push(&event);
            let fed = decoder.feed(&case.body[..cut], &mut sink);
            let end = fed.and_then(|()| decoder.finish(&mut sink));
            let failure = assembler.finish_stream(end).expect_err(&format!(
                "{} cut at {cut} must not look complete",
                case.name
            ));
            assert!(
                matches!(failure.cause, FailureCause::Decode(_)),
                "{} cut at {cut}: {:?}",
                case.name,
                failure.cause
            );
            let text = failure.partial.text();
            let reasoning = failure.partial.reasoning();
            assert!(
                expected_text.starts_with(&text),
                "{} cut at {cut}: text {text:?}",
                case.name
            );
            assert!(
                expected_reasoning.starts_with(&reasoning),
                "{} cut at {cut}: reasoning {reasoning:?}",
                case.name
            );
            assert!(!failure.to_string().is_empty());
        }
    }
}

/// WIRE.md §2d: Gemini is reported to end a stream with its error written as raw JSON lines,
/// outside SSE framing. The SSE layer ignores such lines; the Gemini pipeline keeps them
/// (bounded) and reads the error at EOF, at any chunking.
#[test]
fn gemini_unframed_error_lines_after_the_last_event_are_reported() {
    use clawrouter_wire::assemble::FailureCause;
    let body = b"data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hel\"}],\"role\": \"model\"},\"index\": 0}]}\r\n\r\n\
{\n  \"error\": {\n    \"code\": 503,\n    \"message\": \"The model is overloaded.\",\n    \"status\": \"UNAVAILABLE\"\n  }\n}\n";
    for chunk_size in [0, 1, 7, 64] {
        let mut decoder = ResponseDecoder::new(Transport::GoogleGenerativeAi, Framing::Sse);
        let mut assembler = MessageAssembler::new();
        let mut sink = |event: clawrouter_wire::events::StreamEvent<'_>| assembler.push(&event);
        for chunk in chunks_of(body, chunk_size) {
            decoder.feed(chunk, &mut sink).unwrap();
        }
        let end = decoder.finish(&mut sink);
        let failure = assembler.finish_stream(end).unwrap_err();
        assert_eq!(failure.partial.text(), "Hel", "chunk {chunk_size}");
        let FailureCause::Provider(error) = &failure.cause else {
            panic!("chunk {chunk_size}: {:?}", failure.cause);
        };
        assert_eq!(
            error.code.as_deref(),
            Some("UNAVAILABLE"),
            "chunk {chunk_size}"
        );
        assert_eq!(
            error.message, "The model is overloaded.",
            "chunk {chunk_size}"
        );
    }
    // Other transports keep the spec's behaviour: such lines are ignored and the stream is
    // truncated.
    let openai = b"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n{\n  \"error\": {}\n}\n";
    let mut decoder = ResponseDecoder::new(Transport::OpenAiCompletions, Framing::Sse);
    decoder.feed(openai, &mut |_| {}).unwrap();
    assert!(matches!(
        decoder.finish(&mut |_| {}),
        Err(DecodeError::Sse(
            clawrouter_wire::sse::SseError::Truncated { .. }
        ))
    ));
}
