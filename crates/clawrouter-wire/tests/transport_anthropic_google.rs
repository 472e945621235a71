//! The Anthropic Messages and Gemini transport decoders (WIRE.md §2c, §2d): one hand-written
//! stream per quirk the recorded fixtures do not cover, each replayed through
//! [`ResponseDecoder`] + [`MessageAssembler`] at several chunkings.
//!
//! A case states the assembled message as a JSON subset (keys it names must match; `null` means
//! absent), optionally the exact event list, and whether the body ends cleanly. Every chunking
//! must give the same events as the whole body.

use std::borrow::Cow;

use clawrouter_wire::assemble::{AssembledMessage, MessageAssembler};
use clawrouter_wire::events::StreamEvent;
use clawrouter_wire::transport::{
    AnthropicMessagesDecoder, DecodeError, Frame, Framing, GoogleGenerativeAiDecoder,
    ResponseDecoder, Transport, TransportDecoder,
};
use serde_json::{Value, json};

use crate::support::chunks_of;

/// Read sizes every case is replayed at (0 = the whole body in one feed).
const CHUNKINGS: [usize; 7] = [0, 1, 2, 3, 7, 13, 64];

/// How the body is expected to end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    /// `finish()` returns `Ok`.
    Clean,
    /// `finish()` reports [`DecodeError::Truncated`].
    Truncated,
    /// The framing layer fails.
    FramingError,
}

struct Case {
    name: String,
    transport: Transport,
    framing: Framing,
    body: String,
    /// The exact events (serialized), when the case pins them.
    events: Option<Value>,
    /// A subset of the assembled message (serialized).
    message: Value,
    end: End,
}

struct Run {
    events: Vec<Value>,
    message: AssembledMessage,
    result: Result<(), DecodeError>,
}

fn run(transport: Transport, framing: Framing, body: &[u8], size: usize) -> Run {
    let mut decoder = ResponseDecoder::new(transport, framing);
    let mut assembler = MessageAssembler::new();
    let mut events = Vec::new();
    let mut sink = |event: StreamEvent<'_>| {
        events.push(serde_json::to_value(&event).unwrap());
        assembler.push(&event);
    };
    let mut result = Ok(());
    for chunk in chunks_of(body, size) {
        if let Err(error) = decoder.feed(chunk, &mut sink) {
            result = Err(error);
            break;
        }
    }
    if result.is_ok() {
        result = decoder.finish(&mut sink);
    }
    Run {
        events,
        message: assembler.finish(),
        result,
    }
}

/// Every key of `expected` matches in `actual` (recursively; arrays element-wise with equal
/// length; `null` = absent).
fn assert_subset(path: &str, expected: &Value, actual: &Value) {
    match (expected, actual) {
        (Value::Object(expected), Value::Object(actual)) => {
            for (key, want) in expected {
                let at = format!("{path}.{key}");
                match actual.get(key) {
                    None | Some(Value::Null) => {
                        assert!(want.is_null(), "{at}: missing, want {want}")
                    }
                    Some(got) => {
                        assert!(!want.is_null(), "{at}: want absent, got {got}");
                        assert_subset(&at, want, got);
                    }
                }
            }
        }
        (Value::Array(expected), Value::Array(actual)) => {
            assert_eq!(
                expected.len(),
                actual.len(),
                "{path}: length; got {actual:?}"
            );
            for (i, (want, got)) in expected.iter().zip(actual).enumerate() {
                assert_subset(&format!("{path}[{i}]"), want, got);
            }
        }
        _ => assert_eq!(expected, actual, "{path}"),
    }
}

fn check(case: &Case) {
    let whole = run(case.transport, case.framing, case.body.as_bytes(), 0);
    let name = &case.name;
    if let Some(events) = &case.events {
        assert_eq!(
            &Value::Array(whole.events.clone()),
            events,
            "{name}: events"
        );
    }
    for size in CHUNKINGS {
        let got = run(case.transport, case.framing, case.body.as_bytes(), size);
        assert_eq!(
            got.events, whole.events,
            "{name} @ {size}: events differ from the whole body"
        );
        let message = serde_json::to_value(&got.message).unwrap();
        assert_subset(&format!("{name} @ {size}"), &case.message, &message);
        let end = match &got.result {
            Ok(()) => End::Clean,
            Err(DecodeError::Truncated { .. }) => End::Truncated,
            Err(_) => End::FramingError,
        };
        assert_eq!(end, case.end, "{name} @ {size}: {:?}", got.result);
    }
}

// ---------------------------------------------------------------------------------------------
// Body builders

/// Anthropic SSE: `event: <payload type>` + `data: <payload>` per payload (the type is read from
/// the JSON; a payload that is not JSON gets `event: message`).
fn anthropic(payloads: &[&str]) -> String {
    payloads
        .iter()
        .map(|data| {
            let event = serde_json::from_str::<Value>(data)
                .ok()
                .and_then(|v| v.get("type").and_then(Value::as_str).map(str::to_owned))
                .unwrap_or_else(|| "message".to_owned());
            format!("event: {event}\ndata: {data}\n\n")
        })
        .collect()
}

/// Gemini `alt=sse`: `data: <chunk>\r\n\r\n` per chunk.
fn gemini_sse(chunks: &[&str]) -> String {
    chunks
        .iter()
        .map(|data| format!("data: {data}\r\n\r\n"))
        .collect()
}

/// Gemini's streamed array: elements pretty-printed (2 spaces), joined by `\n,\r\n`.
fn gemini_array(chunks: &[&str]) -> String {
    let elements: Vec<String> = chunks
        .iter()
        .map(|data| {
            serde_json::to_string_pretty(&serde_json::from_str::<Value>(data).unwrap()).unwrap()
        })
        .collect();
    format!("[{}\n]", elements.join("\n,\r\n"))
}

const A_START: &str = r#"{"type":"message_start","message":{"id":"msg_01A","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":310,"cache_creation_input_tokens":0,"cache_read_input_tokens":128,"output_tokens":1}}}"#;
const A_END_TURN: &str = r#"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":20}}"#;
const A_STOP: &str = r#"{"type":"message_stop"}"#;

fn anthropic_case(
    name: &str,
    body: String,
    events: Option<Value>,
    message: Value,
    end: End,
) -> Case {
    Case {
        name: format!("anthropic: {name}"),
        transport: Transport::AnthropicMessages,
        framing: Framing::Sse,
        body,
        events,
        message,
        end,
    }
}

fn gemini_case(
    name: &str,
    framing: Framing,
    body: String,
    events: Option<Value>,
    message: Value,
    end: End,
) -> Case {
    Case {
        name: format!("gemini {framing:?}: {name}"),
        transport: Transport::GoogleGenerativeAi,
        framing,
        body,
        events,
        message,
        end,
    }
}

// ---------------------------------------------------------------------------------------------
// Anthropic

fn anthropic_cases() -> Vec<Case> {
    let mut cases = vec![
        anthropic_case(
            "WIRE.md composed example: thinking + signature, ping, tool call with \"\" first piece",
            anthropic(&[
                A_START,
                r#"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}"#,
                r#"{"type":"ping"}"#,
                r#"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"The user wants Oslo weather;"}}"#,
                r#"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCkgIARABGAIiQL"}}"#,
                r#"{"type":"content_block_stop","index":0}"#,
                r#"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01B","name":"lookup_city","input":{}}}"#,
                r#"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}"#,
                r#"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"name\": \"Os"}}"#,
                r#"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"lo\"}"}}"#,
                r#"{"type":"content_block_stop","index":1}"#,
                r#"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":87}}"#,
                A_STOP,
            ]),
            Some(json!([
                {"type": "message_start", "id": "msg_01A", "model": "claude-sonnet-4-5"},
                {"type": "usage", "input": 310, "output": 1, "cacheRead": 128, "cacheWrite": 0},
                {"type": "keep_alive"},
                {"type": "reasoning_delta", "text": "The user wants Oslo weather;"},
                {"type": "reasoning_signature", "signature": "EqQBCkgIARABGAIiQL"},
                {"type": "block_end"},
                {"type": "tool_call_start", "index": 1, "id": "toolu_01B", "name": "lookup_city"},
                {"type": "tool_call_arguments", "index": 1, "fragment": ""},
                {"type": "tool_call_arguments", "index": 1, "fragment": "{\"name\": \"Os"},
                {"type": "tool_call_arguments", "index": 1, "fragment": "lo\"}"},
                {"type": "tool_call_end", "index": 1},
                {"type": "finish", "reason": "toolUse", "raw": "tool_use"},
                {"type": "usage", "output": 87},
            ])),
            json!({
                "id": "msg_01A",
                "model": "claude-sonnet-4-5",
                "content": [
                    {"type": "thinking", "thinking": "The user wants Oslo weather;", "thinkingSignature": "EqQBCkgIARABGAIiQL", "redacted": null},
                    {"type": "toolCall", "id": "toolu_01B", "name": "lookup_city", "arguments": "{\"name\": \"Oslo\"}", "argumentsError": null},
                ],
                "usage": {"input": 310, "output": 87, "cacheRead": 128, "cacheWrite": 0},
                "stopReason": "toolUse",
                "finishReason": "tool_use",
                "error": null,
            }),
            End::Clean,
        ),
        anthropic_case(
            "overloaded_error mid-stream keeps the text before it and ends the stream",
            anthropic(&[
                A_START,
                r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
                r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}"#,
                r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
            ]),
            Some(json!([
                {"type": "message_start", "id": "msg_01A", "model": "claude-sonnet-4-5"},
                {"type": "usage", "input": 310, "output": 1, "cacheRead": 128, "cacheWrite": 0},
                {"type": "text_delta", "text": "Hel"},
                {"type": "error", "code": "overloaded_error", "message": "Overloaded",
                 "raw": r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#},
            ])),
            json!({
                "content": [{"type": "text", "text": "Hel"}],
                "stopReason": "error",
                "error": {"code": "overloaded_error", "message": "Overloaded"},
            }),
            End::Clean,
        ),
        anthropic_case(
            "an error event in an unknown shape (not JSON) is still an error",
            [
                "event: message_start\ndata: ",
                A_START,
                "\n\nevent: error\ndata: Overloaded\n\n",
            ]
            .concat(),
            None,
            json!({
                "stopReason": "error",
                "error": {"code": null, "message": "Overloaded", "raw": "Overloaded"},
                "unrecognizedFrames": null,
            }),
            End::Clean,
        ),
        anthropic_case(
            "a flat error payload is still an error",
            anthropic(&[A_START, r#"{"type":"error","message":"upstream timeout"}"#]),
            None,
            json!({
                "stopReason": "error",
                "error": {"code": null, "message": r#"{"type":"error","message":"upstream timeout"}"#},
            }),
            End::Clean,
        ),
        anthropic_case(
            "redacted_thinking arrives whole in content_block_start",
            anthropic(&[
                A_START,
                r#"{"type":"content_block_start","index":0,"content_block":{"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"}}"#,
                r#"{"type":"content_block_stop","index":0}"#,
                r#"{"type":"content_block_start","index":1,"content_block":{"type":"thinking","thinking":"","signature":""}}"#,
                r#"{"type":"content_block_delta","index":1,"delta":{"type":"thinking_delta","thinking":"visible"}}"#,
                r#"{"type":"content_block_delta","index":1,"delta":{"type":"signature_delta","signature":"SIG"}}"#,
                r#"{"type":"content_block_stop","index":1}"#,
                r#"{"type":"content_block_start","index":2,"content_block":{"type":"text","text":""}}"#,
                r#"{"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":"Done."}}"#,
                r#"{"type":"content_block_stop","index":2}"#,
                A_END_TURN,
                A_STOP,
            ]),
            None,
            json!({
                "content": [
                    {"type": "thinking", "thinking": "[Reasoning redacted]", "thinkingSignature": "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP", "redacted": true},
                    {"type": "thinking", "thinking": "visible", "thinkingSignature": "SIG", "redacted": null},
                    {"type": "text", "text": "Done."},
                ],
                "stopReason": "stop",
                "finishReason": "end_turn",
            }),
            End::Clean,
        ),
        anthropic_case(
            "server_tool_use is a tool call; web_search_tool_result and citations_delta are ignored",
            anthropic(&[
                A_START,
                r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
                r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Let me search."}}"#,
                r#"{"type":"content_block_stop","index":0}"#,
                r#"{"type":"content_block_start","index":1,"content_block":{"type":"server_tool_use","id":"srvtoolu_01","name":"web_search","input":{}}}"#,
                r#"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"query\": \"Oslo"}}"#,
                r#"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" weather\"}"}}"#,
                r#"{"type":"content_block_stop","index":1}"#,
                r#"{"type":"content_block_start","index":2,"content_block":{"type":"web_search_tool_result","tool_use_id":"srvtoolu_01","content":[{"type":"web_search_result","title":"Yr","url":"https://www.yr.no/","encrypted_content":"Eo8B","page_age":null}]}}"#,
                r#"{"type":"content_block_stop","index":2}"#,
                r#"{"type":"content_block_start","index":3,"content_block":{"type":"text","text":""}}"#,
                r#"{"type":"content_block_delta","index":3,"delta":{"type":"citations_delta","citation":{"type":"web_search_result_location","cited_text":"Sunny","url":"https://www.yr.no/","title":"Yr","encrypted_index":"Eo8B"}}}"#,
                r#"{"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":"It is sunny."}}"#,
                r#"{"type":"content_block_stop","index":3}"#,
                r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":2000,"output_tokens":60,"server_tool_use":{"web_search_requests":1}}}"#,
                A_STOP,
            ]),
            None,
            json!({
                "content": [
                    {"type": "text", "text": "Let me search."},
                    {"type": "toolCall", "id": "srvtoolu_01", "name": "web_search", "arguments": "{\"query\": \"Oslo weather\"}"},
                    {"type": "text", "text": "It is sunny."},
                ],
                // end_turn with a (server) tool call: the assembler's rule turns Stop into ToolUse.
                "finishReason": "end_turn",
                "usage": {"input": 2000, "output": 60, "cacheRead": 128},
            }),
            End::Clean,
        ),
        anthropic_case(
            "signature partly in content_block_start, then split over deltas; no-space event:/data: lines",
            concat!(
                "event:message_start\ndata:{\"type\":\"message_start\",\"message\":{\"id\":\"msg_ds\",\"model\":\"deepseek-v4-pro\",\"usage\":{\"input_tokens\":12,\"output_tokens\":0}}}\n\n",
                "event:content_block_start\ndata:{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"Sig-A\"}}\n\n",
                "event:content_block_delta\ndata:{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Hmm.\"}}\n\n",
                "event:content_block_delta\ndata:{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"Sig-B\"}}\n\n",
                "event:content_block_delta\ndata:{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"\"}}\n\n",
                "event:content_block_delta\ndata:{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"Sig-C\"}}\n\n",
                "event:content_block_stop\ndata:{\"type\":\"content_block_stop\",\"index\":0}\n\n",
                "event:content_block_start\ndata:{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
                "event:content_block_delta\ndata:{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n",
                "event:content_block_stop\ndata:{\"type\":\"content_block_stop\",\"index\":1}\n\n",
                "event:message_delta\ndata:{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":9}}\n\n",
                "event:message_stop\ndata:{\"type\":\"message_stop\"}\n\n",
            )
            .to_owned(),
            None,
            json!({
                "id": "msg_ds",
                "model": "deepseek-v4-pro",
                "content": [
                    {"type": "thinking", "thinking": "Hmm.", "thinkingSignature": "Sig-ASig-BSig-C"},
                    {"type": "text", "text": "Hi"},
                ],
                "stopReason": "stop",
                "finishReason": "end_turn",
            }),
            End::Clean,
        ),
        anthropic_case(
            "thinking block with only a signature in content_block_start",
            anthropic(&[
                A_START,
                r#"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":"WholeSig"}}"#,
                r#"{"type":"content_block_stop","index":0}"#,
                A_END_TURN,
                A_STOP,
            ]),
            None,
            json!({"content": [{"type": "thinking", "thinking": "", "thinkingSignature": "WholeSig"}]}),
            End::Clean,
        ),
        anthropic_case(
            "padded JSON before the closing brace and a spaced ping",
            [
                "event: message_start\ndata: ",
                A_START,
                "        \n\n",
                "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}              }\n\n",
                "event: ping\ndata: {\"type\": \"ping\"}\n\n",
                "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"OK\"}            }\n\n",
                "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0               }\n\n",
                "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":5}        }\n\n",
                "event: message_stop\ndata: {\"type\":\"message_stop\"        }\n\n",
            ]
            .concat(),
            Some(json!([
                {"type": "message_start", "id": "msg_01A", "model": "claude-sonnet-4-5"},
                {"type": "usage", "input": 310, "output": 1, "cacheRead": 128, "cacheWrite": 0},
                {"type": "keep_alive"},
                {"type": "text_delta", "text": "OK"},
                {"type": "block_end"},
                {"type": "finish", "reason": "stop", "raw": "end_turn"},
                {"type": "usage", "output": 5},
            ])),
            json!({"content": [{"type": "text", "text": "OK"}], "unrecognizedFrames": null}),
            End::Clean,
        ),
        anthropic_case(
            "parallel tool calls; a no-argument call (single \"\" piece) becomes {}",
            anthropic(&[
                A_START,
                r#"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"now","input":{}}}"#,
                r#"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}"#,
                r#"{"type":"content_block_stop","index":0}"#,
                r#"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_2","name":"add","input":{}}}"#,
                r#"{"type":"ping"}"#,
                r#"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"a\":"}}"#,
                r#"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" 1, \"b\": 2}"}}"#,
                r#"{"type":"content_block_stop","index":1}"#,
                r#"{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_3","name":"noop","input":{}}}"#,
                r#"{"type":"content_block_stop","index":2}"#,
                r#"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":40}}"#,
                A_STOP,
            ]),
            None,
            json!({
                "content": [
                    {"type": "toolCall", "id": "toolu_1", "name": "now", "arguments": "{}", "argumentsError": null},
                    {"type": "toolCall", "id": "toolu_2", "name": "add", "arguments": "{\"a\": 1, \"b\": 2}", "argumentsError": null},
                    {"type": "toolCall", "id": "toolu_3", "name": "noop", "arguments": "{}", "argumentsError": null},
                ],
                "stopReason": "toolUse",
                "finishReason": "tool_use",
            }),
            End::Clean,
        ),
        anthropic_case(
            "cumulative message_delta usage repeats input/cache fields and adds thinking_tokens",
            anthropic(&[
                r#"{"type":"message_start","message":{"id":"msg_u","model":"claude-opus-4-6","usage":{"input_tokens":9,"cache_creation_input_tokens":100,"cache_read_input_tokens":4202,"output_tokens":1}}}"#,
                r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":10,"cache_creation_input_tokens":101,"cache_read_input_tokens":4203,"output_tokens":55,"output_tokens_details":{"thinking_tokens":30}}}"#,
                A_STOP,
            ]),
            None,
            json!({"usage": {"input": 10, "output": 55, "cacheRead": 4203, "cacheWrite": 101, "reasoning": 30, "total": null}}),
            End::Clean,
        ),
        anthropic_case(
            "event kind falls back to the SSE event name; unknown events and delta types are skipped",
            [
                "event: message_start\ndata: ",
                A_START,
                "\n\n",
                "event: content_block_start\ndata: {\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
                "event: content_block_delta\ndata: {\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"fallback\"}}\n\n",
                "event: brand_new_event\ndata: {\"type\":\"brand_new_event\",\"delta\":\"a string where deltas are objects\",\"index\":\"x\"}\n\n",
                "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"future_delta\",\"blob\":[1,2]}}\n\n",
                "event: content_block_stop\ndata: {\"index\":0}\n\n",
                "event: message_delta\ndata: {\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":3}}\n\n",
                "event: message_stop\ndata: {}\n\n",
            ]
            .concat(),
            None,
            json!({"content": [{"type": "text", "text": "fallback"}], "finishReason": "end_turn", "unrecognizedFrames": null}),
            End::Clean,
        ),
        anthropic_case(
            "a payload that is not JSON is reported, not dropped; blank data is skipped",
            [
                "event: message_start\ndata: ",
                A_START,
                "\n\n",
                "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"\n\n",
                "event: ping\ndata:   \n\n",
                "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
            ]
            .concat(),
            None,
            json!({"unrecognizedFrames": 1, "content": []}),
            End::Clean,
        ),
        anthropic_case(
            "EOF before message_stop is a truncation, with the content so far kept",
            anthropic(&[
                A_START,
                r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
                r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"partial"}}"#,
            ]),
            None,
            json!({"content": [{"type": "text", "text": "partial"}], "stopReason": null}),
            End::Truncated,
        ),
        anthropic_case(
            "escaped text and unicode are decoded",
            anthropic(&[
                A_START,
                r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
                r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"line\n\"q\" \u00e6\ud83d\ude00 ø"}}"#,
                r#"{"type":"content_block_stop","index":0}"#,
                A_END_TURN,
                A_STOP,
            ]),
            None,
            json!({"content": [{"type": "text", "text": "line\n\"q\" æ😀 ø"}]}),
            End::Clean,
        ),
    ];
    for (raw, reason) in [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("pause_turn", "stop"),
        ("max_tokens", "length"),
        ("model_context_window_exceeded", "length"),
        ("tool_use", "toolUse"),
        ("refusal", "error"),
        ("some_future_reason", "stop"),
    ] {
        let delta = format!(
            r#"{{"type":"message_delta","delta":{{"stop_reason":"{raw}","stop_sequence":null}},"usage":{{"output_tokens":2}}}}"#
        );
        cases.push(anthropic_case(
            &format!("stop_reason {raw}"),
            anthropic(&[A_START, &delta, A_STOP]),
            None,
            json!({"stopReason": reason, "finishReason": raw, "error": null}),
            End::Clean,
        ));
    }
    cases
}

#[test]
fn anthropic_quirks() {
    for case in anthropic_cases() {
        check(&case);
    }
}

// ---------------------------------------------------------------------------------------------
// Gemini

fn gemini_cases() -> Vec<Case> {
    let thought_text_call = [
        r#"{"candidates": [{"content": {"parts": [{"text": "**Planning**\nLook up Oslo.","thought": true}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 83,"totalTokenCount": 83},"modelVersion": "gemini-2.5-flash","responseId": "qpc2"}"#,
        r#"{"candidates": [{"content": {"parts": [{"text": "Oslo is","thoughtSignature": "CiQB"}],"role": "model"},"index": 0}],"modelVersion": "gemini-2.5-flash","responseId": "qpc2"}"#,
        r#"{"candidates": [{"content": {"parts": [{"functionCall": {"name": "lookup_city","args": {"name": "Oslo"}},"thoughtSignature": "CikB"}],"role": "model"},"finishReason": "STOP","index": 0,"finishMessage": "Model generated function call(s).","safetyRatings": []}],"usageMetadata": {"promptTokenCount": 83,"candidatesTokenCount": 14,"thoughtsTokenCount": 104,"cachedContentTokenCount": 0,"toolUsePromptTokenCount": 0,"totalTokenCount": 201,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 83}]},"modelVersion": "gemini-2.5-flash","responseId": "qpc2"}"#,
    ];
    let thought_text_call_events = json!([
        {"type": "message_start", "id": "qpc2", "model": "gemini-2.5-flash"},
        {"type": "reasoning_delta", "text": "**Planning**\nLook up Oslo."},
        {"type": "usage", "input": 83, "total": 83},
        {"type": "block_end"},
        {"type": "text_delta", "text": "Oslo is"},
        {"type": "text_signature", "signature": "CiQB"},
        {"type": "tool_call_start", "index": 0, "name": "lookup_city"},
        {"type": "tool_call_end", "index": 0, "arguments": "{\"name\": \"Oslo\"}", "signature": "CikB"},
        {"type": "finish", "reason": "stop", "raw": "STOP"},
        {"type": "usage", "input": 83, "output": 118, "cacheRead": 0, "reasoning": 104, "total": 201},
    ]);
    let thought_text_call_message = json!({
        "id": "qpc2",
        "model": "gemini-2.5-flash",
        "content": [
            {"type": "thinking", "thinking": "**Planning**\nLook up Oslo.", "thinkingSignature": null},
            {"type": "text", "text": "Oslo is", "textSignature": "CiQB"},
            {"type": "toolCall", "id": null, "name": "lookup_city", "arguments": "{\"name\": \"Oslo\"}", "thoughtSignature": "CikB", "argumentsError": null},
        ],
        "usage": {"input": 83, "output": 118, "cacheRead": 0, "reasoning": 104, "total": 201},
        "stopReason": "toolUse",
        "finishReason": "STOP",
    });

    let mut cases = vec![
        gemini_case(
            "thought, signed text, signed functionCall (CRLF), one MessageStart",
            Framing::Sse,
            gemini_sse(&thought_text_call),
            Some(thought_text_call_events.clone()),
            thought_text_call_message.clone(),
            End::Clean,
        ),
        gemini_case(
            "same stream with LF-only event ends (CR stripped)",
            Framing::Sse,
            gemini_sse(&thought_text_call).replace("\r\n", "\n"),
            Some(thought_text_call_events),
            thought_text_call_message.clone(),
            End::Clean,
        ),
        gemini_case(
            "same stream as a pretty-printed array (args kept as the array printed them)",
            Framing::JsonArray,
            gemini_array(&thought_text_call),
            None,
            {
                let mut message = thought_text_call_message;
                message["content"][2]["arguments"] = json!("{\n                \"name\": \"Oslo\"\n              }");
                message
            },
            End::Clean,
        ),
        gemini_case(
            "thoughtSignature on a thought part is the thinking signature; thought/text/thought make 3 blocks",
            Framing::Sse,
            gemini_sse(&[
                r#"{"candidates":[{"content":{"parts":[{"text":"plan A","thought":true}],"role":"model"},"index":0}]}"#,
                r#"{"candidates":[{"content":{"parts":[{"text":" and B","thought":true,"thoughtSignature":"ThSig"},{"text":"Answer."}],"role":"model"},"index":0}]}"#,
                r#"{"candidates":[{"content":{"parts":[{"text":"more thought","thought":true},{"text":" More answer."}],"role":"model"},"finishReason":"STOP","index":0}]}"#,
            ]),
            None,
            json!({
                "content": [
                    {"type": "thinking", "thinking": "plan A and B", "thinkingSignature": "ThSig"},
                    {"type": "text", "text": "Answer.", "textSignature": null},
                    {"type": "thinking", "thinking": "more thought", "thinkingSignature": null},
                    {"type": "text", "text": " More answer."},
                ],
                "stopReason": "stop",
            }),
            End::Clean,
        ),
        gemini_case(
            "a signature on an empty text part attaches to the text before it",
            Framing::Sse,
            gemini_sse(&[
                r#"{"candidates":[{"content":{"parts":[{"text":"Straw"}],"role":"model"},"index":0}]}"#,
                r#"{"candidates":[{"content":{"parts":[{"text":"berry"}],"role":"model"},"index":0}]}"#,
                r#"{"candidates":[{"content":{"parts":[{"text":"","thoughtSignature":"EpAI"}],"role":"model"},"finishReason":"STOP","index":0}]}"#,
            ]),
            Some(json!([
                {"type": "text_delta", "text": "Straw"},
                {"type": "text_delta", "text": "berry"},
                {"type": "text_signature", "signature": "EpAI"},
                {"type": "finish", "reason": "stop", "raw": "STOP"},
            ])),
            json!({"content": [{"type": "text", "text": "Strawberry", "textSignature": "EpAI"}]}),
            End::Clean,
        ),
        gemini_case(
            "a signature-only empty text part with no text before it keeps the signature",
            Framing::Sse,
            gemini_sse(&[
                r#"{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{}}}],"role":"model"},"index":0}]}"#,
                r#"{"candidates":[{"content":{"parts":[{"text":"","thoughtSignature":"OnlySig"}],"role":"model"},"finishReason":"STOP","index":0}]}"#,
            ]),
            None,
            json!({
                "content": [
                    {"type": "toolCall", "name": "f", "arguments": "{}", "thoughtSignature": null},
                    {"type": "text", "text": "", "textSignature": "OnlySig"},
                ],
            }),
            End::Clean,
        ),
        gemini_case(
            "two signed text parts in a row keep separate signatures",
            Framing::Sse,
            gemini_sse(&[
                r#"{"candidates":[{"content":{"parts":[{"text":"one","thoughtSignature":"S1"},{"text":" two","thoughtSignature":"S2"},{"text":" three"}],"role":"model"},"finishReason":"STOP","index":0}]}"#,
            ]),
            None,
            json!({
                "content": [
                    {"type": "text", "text": "one", "textSignature": "S1"},
                    {"type": "text", "text": " two three", "textSignature": "S2"},
                ],
            }),
            End::Clean,
        ),
        gemini_case(
            "an empty text part next to finishReason adds nothing",
            Framing::Sse,
            gemini_sse(&[
                r#"{"candidates":[{"content":{"parts":[{"functionCall":{"name":"weather","args":{"location":"San Francisco"}},"thoughtSignature":"EqUC"}],"role":"model"},"index":0}]}"#,
                r#"{"candidates":[{"content":{"parts":[{"text":""}],"role":"model"},"finishReason":"STOP","index":0}]}"#,
            ]),
            None,
            json!({
                "content": [{"type": "toolCall", "name": "weather", "arguments": "{\"location\":\"San Francisco\"}", "thoughtSignature": "EqUC"}],
                "stopReason": "toolUse",
            }),
            End::Clean,
        ),
        gemini_case(
            "parallel function calls in one chunk: running index, ids, byte-exact args, missing args",
            Framing::Sse,
            gemini_sse(&[
                r#"{"candidates": [{"content": {"parts": [{"text": "Checking."},{"functionCall": {"name": "get_weather","args": {"unit": "C",  "city": "Cairo", "nested": {"b": [1, 2.50, "\u00e6"]}},"id": "call_1"},"thoughtSignature": "Sig1"},{"functionCall": {"name": "get_time","id": "call_2"}},{"functionCall": {"name": "noop","args": null}}],"role": "model"},"index": 0}]}"#,
                r#"{"candidates": [{"content": {"parts": [{"functionCall": {"name": "later","args": {}}}],"role": "model"},"finishReason": "STOP","index": 0}]}"#,
            ]),
            Some(json!([
                {"type": "text_delta", "text": "Checking."},
                {"type": "tool_call_start", "index": 0, "id": "call_1", "name": "get_weather"},
                {"type": "tool_call_end", "index": 0, "arguments": r#"{"unit": "C",  "city": "Cairo", "nested": {"b": [1, 2.50, "\u00e6"]}}"#, "signature": "Sig1"},
                {"type": "tool_call_start", "index": 1, "id": "call_2", "name": "get_time"},
                {"type": "tool_call_end", "index": 1, "arguments": "{}"},
                {"type": "tool_call_start", "index": 2, "name": "noop"},
                {"type": "tool_call_end", "index": 2, "arguments": "{}"},
                {"type": "tool_call_start", "index": 3, "name": "later"},
                {"type": "tool_call_end", "index": 3, "arguments": "{}"},
                {"type": "finish", "reason": "stop", "raw": "STOP"},
            ])),
            json!({
                "content": [
                    {"type": "text", "text": "Checking."},
                    {"type": "toolCall", "id": "call_1", "name": "get_weather", "thoughtSignature": "Sig1", "argumentsError": null},
                    {"type": "toolCall", "id": "call_2", "name": "get_time", "arguments": "{}"},
                    {"type": "toolCall", "id": null, "name": "noop", "arguments": "{}"},
                    {"type": "toolCall", "id": null, "name": "later", "arguments": "{}"},
                ],
                "stopReason": "toolUse",
            }),
            End::Clean,
        ),
        gemini_case(
            "blocked prompt: promptFeedback.blockReason and no candidates",
            Framing::Sse,
            gemini_sse(&[
                r#"{"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"},"usageMetadata": {"promptTokenCount": 7,"totalTokenCount": 7},"modelVersion": "gemini-2.5-flash","responseId": "blk1"}"#,
            ]),
            Some(json!([
                {"type": "message_start", "id": "blk1", "model": "gemini-2.5-flash"},
                {"type": "error", "code": "PROHIBITED_CONTENT", "message": "prompt blocked: PROHIBITED_CONTENT",
                 "raw": r#"{"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"},"usageMetadata": {"promptTokenCount": 7,"totalTokenCount": 7},"modelVersion": "gemini-2.5-flash","responseId": "blk1"}"#},
                {"type": "finish", "reason": "error", "raw": "PROHIBITED_CONTENT"},
                {"type": "usage", "input": 7, "total": 7},
            ])),
            json!({
                "content": [],
                "stopReason": "error",
                "finishReason": "PROHIBITED_CONTENT",
                "error": {"code": "PROHIBITED_CONTENT", "message": "prompt blocked: PROHIBITED_CONTENT"},
            }),
            End::Clean,
        ),
        gemini_case(
            "blocked prompt in the array framing, with safety ratings",
            Framing::JsonArray,
            gemini_array(&[
                r#"{"promptFeedback": {"blockReason": "SAFETY","safetyRatings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT","probability": "HIGH"}]},"usageMetadata": {"promptTokenCount": 7,"totalTokenCount": 7},"modelVersion": "gemini-2.5-flash"}"#,
            ]),
            None,
            json!({"stopReason": "error", "finishReason": "SAFETY", "error": {"code": "SAFETY", "message": "prompt blocked: SAFETY"}}),
            End::Clean,
        ),
        gemini_case(
            "blocked response: a candidate without content and finishReason SAFETY",
            Framing::Sse,
            gemini_sse(&[
                r#"{"candidates":[{"content":{"parts":[{"text":"Sure, here"}],"role":"model"},"index":0}]}"#,
                r#"{"candidates":[{"finishReason":"SAFETY","index":0,"safetyRatings":[{"category":"HARM_CATEGORY_HARASSMENT","probability":"HIGH","blocked":true}]}]}"#,
            ]),
            None,
            json!({"content": [{"type": "text", "text": "Sure, here"}], "stopReason": "error", "finishReason": "SAFETY", "error": null}),
            End::Clean,
        ),
        gemini_case(
            "error object as an array element after content",
            Framing::JsonArray,
            concat!(
                "[{\n  \"candidates\": [\n    {\n      \"content\": {\n        \"parts\": [\n          {\n            \"text\": \"Once upon\"\n          }\n        ],\n        \"role\": \"model\"\n      },\n      \"index\": 0\n    }\n  ]\n}\n,\r\n",
                "{\n  \"error\": {\n    \"code\": 429,\n    \"message\": \"Resource exhausted. Please try again later.\",\n    \"status\": \"RESOURCE_EXHAUSTED\"\n  }\n}\n]",
            )
            .to_owned(),
            None,
            json!({
                "content": [{"type": "text", "text": "Once upon"}],
                "stopReason": "error",
                "error": {
                    "code": "RESOURCE_EXHAUSTED",
                    "message": "Resource exhausted. Please try again later.",
                    "raw": "{\n  \"error\": {\n    \"code\": 429,\n    \"message\": \"Resource exhausted. Please try again later.\",\n    \"status\": \"RESOURCE_EXHAUSTED\"\n  }\n}",
                },
            }),
            End::Clean,
        ),
        gemini_case(
            "the whole body is a bare error object (non-2xx)",
            Framing::JsonArray,
            "{\n  \"error\": {\n    \"code\": 400,\n    \"message\": \"API key not valid. Please pass a valid API key.\",\n    \"status\": \"INVALID_ARGUMENT\",\n    \"details\": [\n      {\n        \"@type\": \"type.googleapis.com/google.rpc.ErrorInfo\",\n        \"reason\": \"API_KEY_INVALID\"\n      }\n    ]\n  }\n}\n".to_owned(),
            None,
            json!({"content": [], "stopReason": "error", "error": {"code": "INVALID_ARGUMENT", "message": "API key not valid. Please pass a valid API key."}}),
            End::Clean,
        ),
        gemini_case(
            "error object as an SSE data payload; a numeric code without status becomes text",
            Framing::Sse,
            gemini_sse(&[
                r#"{"candidates": [{"content": {"parts": [{"text": "Hi"}],"role": "model"},"index": 0}]}"#,
                r#"{"error": {"code": 503,"message": "The model is overloaded. Please try again later."}}"#,
            ]),
            None,
            json!({
                "content": [{"type": "text", "text": "Hi"}],
                "stopReason": "error",
                "error": {"code": "503", "message": "The model is overloaded. Please try again later."},
            }),
            End::Clean,
        ),
        gemini_case(
            "enums as integers (enum-encoding=int): finishReason 1 = STOP, int safety ratings and modalities",
            Framing::JsonArray,
            gemini_array(&[
                r#"{"candidates": [{"content": {"parts": [{"text": "1, 2, 3"}],"role": "model"},"finishReason": 1,"index": 0,"safetyRatings": [{"category": 8,"probability": 1}]}],"usageMetadata": {"promptTokenCount": 8,"candidatesTokenCount": 7,"totalTokenCount": 15,"promptTokensDetails": [{"modality": 1,"tokenCount": 8}]},"modelVersion": "gemini-2.5-flash"}"#,
            ]),
            None,
            json!({"content": [{"type": "text", "text": "1, 2, 3"}], "stopReason": "stop", "finishReason": "STOP", "unrecognizedFrames": null}),
            End::Clean,
        ),
        gemini_case(
            "enums as integers: finishReason 2 = MAX_TOKENS",
            Framing::Sse,
            gemini_sse(&[r#"{"candidates":[{"content":{"parts":[{"text":"cut"}],"role":"model"},"finishReason":2,"index":0}]}"#]),
            None,
            json!({"stopReason": "length", "finishReason": "MAX_TOKENS"}),
            End::Clean,
        ),
        gemini_case(
            "enums as integers: other finish reasons are errors with the number as raw text",
            Framing::Sse,
            gemini_sse(&[r#"{"candidates":[{"finishReason":3,"index":0}]}"#]),
            None,
            json!({"stopReason": "error", "finishReason": "3"}),
            End::Clean,
        ),
        gemini_case(
            "enums as integers: a numeric blockReason",
            Framing::Sse,
            gemini_sse(&[r#"{"promptFeedback":{"blockReason":1}}"#]),
            None,
            json!({"stopReason": "error", "finishReason": "1", "error": {"code": "1", "message": "prompt blocked: 1"}}),
            End::Clean,
        ),
        gemini_case(
            "usage: cached tokens leave input, thoughts join output, the last report wins",
            Framing::Sse,
            gemini_sse(&[
                r#"{"candidates":[{"content":{"parts":[{"text":"a"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":100,"cachedContentTokenCount":60,"totalTokenCount":150,"thoughtsTokenCount":50}}"#,
                r#"{"candidates":[{"content":{"parts":[{"text":"b"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":100,"cachedContentTokenCount":60,"candidatesTokenCount":10,"thoughtsTokenCount":55,"toolUsePromptTokenCount":3,"totalTokenCount":168}}"#,
            ]),
            None,
            json!({"usage": {"input": 40, "cacheRead": 60, "output": 65, "reasoning": 55, "total": 168, "cacheWrite": null}}),
            End::Clean,
        ),
        gemini_case(
            "executableCode, codeExecutionResult and inlineData parts are skipped; candidates[0] only",
            Framing::Sse,
            gemini_sse(&[
                r#"{"candidates":[{"content":{"parts":[{"text":"Computing. "},{"executableCode":{"language":"PYTHON","code":"print(1+1)"}},{"codeExecutionResult":{"outcome":"OUTCOME_OK","output":"2\n"}},{"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="},"thoughtSignature":"ImgSig"},{"text":"The answer is 2."}],"role":"model"},"index":0},{"content":{"parts":[{"text":"OTHER CANDIDATE"}],"role":"model"},"index":1}]}"#,
                r#"{"candidates":[{"content":{"parts":[{"text":"ALSO OTHER"}],"role":"model"},"index":1},{"content":{"parts":[{"text":""}],"role":"model"},"finishReason":"STOP","index":0}]}"#,
            ]),
            None,
            json!({"content": [{"type": "text", "text": "Computing. The answer is 2.", "textSignature": null}], "finishReason": "STOP"}),
            End::Clean,
        ),
        gemini_case(
            "a data payload that is not JSON is reported; blank data is skipped",
            Framing::Sse,
            "data: {\"candidates\": [\r\n\r\ndata:   \r\n\r\ndata: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"ok\"}]},\"finishReason\":\"STOP\"}]}\r\n\r\n".to_owned(),
            None,
            json!({"content": [{"type": "text", "text": "ok"}], "unrecognizedFrames": 1}),
            End::Clean,
        ),
        gemini_case(
            "SSE without a finishReason is a truncation",
            Framing::Sse,
            gemini_sse(&[r#"{"candidates":[{"content":{"parts":[{"text":"half"}],"role":"model"},"index":0}],"responseId":"t1"}"#]),
            None,
            json!({"content": [{"type": "text", "text": "half"}], "stopReason": null}),
            End::Truncated,
        ),
        gemini_case(
            "an array without its closing ] is a framing error, with the content so far kept",
            Framing::JsonArray,
            {
                let mut body = gemini_array(&[r#"{"candidates":[{"content":{"parts":[{"text":"half"}],"role":"model"},"finishReason":"STOP","index":0}]}"#]);
                body.pop();
                body
            },
            None,
            json!({"content": [{"type": "text", "text": "half"}]}),
            End::FramingError,
        ),
    ];
    for (raw, reason) in [
        ("STOP", "stop"),
        ("MAX_TOKENS", "length"),
        ("SAFETY", "error"),
        ("RECITATION", "error"),
        ("MALFORMED_FUNCTION_CALL", "error"),
        ("OTHER", "error"),
        ("SOME_NEW_REASON", "error"),
    ] {
        let chunk = format!(
            r#"{{"candidates":[{{"content":{{"parts":[{{"text":"x"}}],"role":"model"}},"finishReason":"{raw}","index":0}}]}}"#
        );
        cases.push(gemini_case(
            &format!("finishReason {raw}"),
            Framing::Sse,
            gemini_sse(&[&chunk]),
            None,
            json!({"stopReason": reason, "finishReason": raw, "error": null}),
            End::Clean,
        ));
    }
    cases
}

#[test]
fn gemini_quirks() {
    for case in gemini_cases() {
        check(&case);
    }
}

// ---------------------------------------------------------------------------------------------
// Zero copy: text without escapes and function-call args borrow from the frame.

#[test]
fn plain_text_borrows_from_the_frame() {
    let mut anthropic = AnthropicMessagesDecoder::new();
    let mut borrowed = Vec::new();
    anthropic.decode_frame(
        Frame {
            event: "content_block_delta",
            data: r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"plain"}}"#,
        },
        &mut |event| borrowed.push(matches!(event, StreamEvent::TextDelta { text: Cow::Borrowed("plain") })),
    );
    anthropic.decode_frame(
        Frame {
            event: "content_block_delta",
            data: r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"esc\n"}}"#,
        },
        &mut |event| borrowed.push(matches!(event, StreamEvent::TextDelta { text: Cow::Owned(_) })),
    );
    let mut google = GoogleGenerativeAiDecoder::new();
    google.decode_frame(
        Frame {
            event: "message",
            data: r#"{"candidates":[{"content":{"parts":[{"text":"plain"},{"functionCall":{"name":"f","args":{"a":"b\n"}}}]}}]}"#,
        },
        &mut |event| {
            borrowed.push(match event {
                StreamEvent::TextDelta { text } => matches!(text, Cow::Borrowed("plain")),
                StreamEvent::ToolCallStart { name, .. } => matches!(name, Cow::Borrowed("f")),
                StreamEvent::ToolCallEnd { arguments, .. } => {
                    matches!(arguments, Some(Cow::Borrowed(r#"{"a":"b\n"}"#)))
                }
                _ => false,
            })
        },
    );
    assert_eq!(borrowed, [true, true, true, true, true]);
}

#[test]
fn terminal_state() {
    let mut anthropic = AnthropicMessagesDecoder::new();
    assert!(!anthropic.is_complete());
    anthropic.decode_frame(
        Frame {
            event: "message_stop",
            data: r#"{"type":"message_stop"}"#,
        },
        &mut |_| {},
    );
    assert!(anthropic.is_complete());
    assert_eq!(anthropic.terminal_signal(), "event: message_stop");

    let mut google = GoogleGenerativeAiDecoder::default();
    google.decode_frame(
        Frame {
            event: "message",
            data: r#"{"candidates":[{"index":0}]}"#,
        },
        &mut |_| {},
    );
    assert!(!google.is_complete());
    google.decode_frame(
        Frame {
            event: "message",
            data: r#"{"candidates":[{"finishReason":"STOP"}]}"#,
        },
        &mut |_| {},
    );
    assert!(google.is_complete());
}
