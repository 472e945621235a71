//! The two OpenAI transport decoders (`openai-completions`, `openai-responses`) on hand-written
//! streams, one small case per quirk of WIRE.md §2a / §2b. Every body runs through
//! `ResponseDecoder` + `MessageAssembler` whole and at several read sizes; the events must not
//! depend on the read size.

use std::borrow::Cow;

use clawrouter_wire::assemble::{AssembledMessage, ContentBlock, MessageAssembler};
use clawrouter_wire::events::{StopReason, StreamEvent, Usage};
use clawrouter_wire::transport::{DecodeError, Frame, Framing, ResponseDecoder, Transport};
use serde_json::{Value, json};

use crate::support::chunks_of;

const CHAT: Transport = Transport::OpenAiCompletions;
const RESP: Transport = Transport::OpenAiResponses;

/// The outcome of one body.
#[derive(Debug)]
struct Run {
    events: Vec<Value>,
    message: AssembledMessage,
    end: Result<(), DecodeError>,
    complete: bool,
}

fn run_at(transport: Transport, body: &str, chunk_size: usize) -> Run {
    let mut decoder = ResponseDecoder::new(transport, Framing::Sse);
    let mut assembler = MessageAssembler::new();
    let mut events = Vec::new();
    let mut sink = |event: StreamEvent<'_>| {
        events.push(serde_json::to_value(&event).unwrap());
        assembler.push(&event);
    };
    let mut end = Ok(());
    for chunk in chunks_of(body.as_bytes(), chunk_size) {
        if let Err(error) = decoder.feed(chunk, &mut sink) {
            end = Err(error);
        }
    }
    let complete = decoder.is_complete();
    let finished = decoder.finish(&mut sink);
    if end.is_ok() {
        end = finished;
    }
    Run {
        events,
        message: assembler.finish(),
        end,
        complete,
    }
}

/// Runs `body` whole and at several read sizes; asserts the events are the same every time.
fn run_all(transport: Transport, body: &str) -> Run {
    let whole = run_at(transport, body, 0);
    for size in [1, 2, 3, 7, 64] {
        let split = run_at(transport, body, size);
        assert_eq!(
            split.events, whole.events,
            "events differ at read size {size} for body:\n{body}"
        );
        assert_eq!(
            split.message, whole.message,
            "message differs at read size {size}"
        );
        assert_eq!(split.end, whole.end, "end differs at read size {size}");
    }
    whole
}

/// Like [`run`], and the body must end cleanly.
fn run_ok(transport: Transport, body: &str) -> Run {
    let run = run_all(transport, body);
    assert_eq!(
        run.end,
        Ok(()),
        "body did not end cleanly:\n{body}\nevents: {:#?}",
        run.events
    );
    run
}

/// A Chat Completions body: one `data:` event per payload, then `data: [DONE]`.
fn chat(payloads: &[Value]) -> String {
    let mut body = chat_open(payloads);
    body.push_str("data: [DONE]\n\n");
    body
}

/// A Chat Completions body without `[DONE]`.
fn chat_open(payloads: &[Value]) -> String {
    payloads
        .iter()
        .map(|payload| format!("data: {payload}\n\n"))
        .collect()
}

/// A chunk with one choice (index 0) carrying `delta`, and `finish_reason`.
fn delta(delta: Value, finish: Option<&str>) -> Value {
    json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "m",
           "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}],
           "usage": null, "obfuscation": "x9Z"})
}

/// A Responses body: `event: <type>` + `data: <payload>` per payload.
fn resp(payloads: &[Value]) -> String {
    payloads
        .iter()
        .map(|payload| {
            format!(
                "event: {}\ndata: {payload}\n\n",
                payload["type"].as_str().unwrap()
            )
        })
        .collect()
}

fn created() -> Value {
    json!({"type": "response.created", "sequence_number": 0,
           "response": {"id": "resp_1", "object": "response", "status": "in_progress", "model": "gpt-5", "output": [], "usage": null}})
}

fn in_progress() -> Value {
    json!({"type": "response.in_progress", "sequence_number": 1,
           "response": {"id": "resp_1", "object": "response", "status": "in_progress", "model": "gpt-5", "output": [], "usage": null}})
}

fn completed() -> Value {
    json!({"type": "response.completed", "sequence_number": 99,
           "response": {"id": "resp_1", "status": "completed", "model": "gpt-5", "output": [{"type": "message"}],
                        "usage": {"input_tokens": 40, "input_tokens_details": {"cached_tokens": 10},
                                  "output_tokens": 25, "output_tokens_details": {"reasoning_tokens": 8},
                                  "total_tokens": 65}}})
}

fn text_delta(item: &str, text: &str) -> Value {
    json!({"type": "response.output_text.delta", "item_id": item, "output_index": 0, "content_index": 0,
           "delta": text, "logprobs": [], "obfuscation": "ab"})
}

fn message_added(item: &str) -> Value {
    json!({"type": "response.output_item.added", "output_index": 0,
           "item": {"id": item, "type": "message", "status": "in_progress", "content": [], "role": "assistant"}})
}

fn message_done(item: &str, phase: Option<&str>) -> Value {
    let mut item = json!({"id": item, "type": "message", "status": "completed", "role": "assistant",
                          "content": [{"type": "output_text", "text": "…", "annotations": []}]});
    if let Some(phase) = phase {
        item["phase"] = json!(phase);
    }
    json!({"type": "response.output_item.done", "output_index": 0, "item": item})
}

fn of_type<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events
        .iter()
        .filter(|event| event["type"] == kind)
        .collect()
}

fn usage(input: u64, output: u64, cache_read: u64, reasoning: u64, total: u64) -> Usage {
    Usage {
        input: Some(input),
        output: Some(output),
        cache_read: Some(cache_read),
        cache_write: None,
        reasoning: Some(reasoning),
        total: Some(total),
    }
}

/// Decodes single frames with the transport decoder itself (no framing), collecting whether each
/// text delta borrowed from the frame.
fn borrowed_text_deltas(transport: Transport, data: &str) -> Vec<(String, bool)> {
    let mut decoder = transport.decoder();
    let mut out = Vec::new();
    decoder.decode_frame(
        Frame {
            event: "message",
            data,
        },
        &mut |event| {
            if let StreamEvent::TextDelta { text } | StreamEvent::ReasoningDelta { text } = &event {
                out.push((text.to_string(), matches!(text, Cow::Borrowed(_))));
            }
        },
    );
    out
}

// ---------------------------------------------------------------------------------------------
// openai-completions
// ---------------------------------------------------------------------------------------------

#[test]
fn chat_content_string_empty_and_null() {
    let body = chat(&[
        delta(
            json!({"role": "assistant", "content": "", "refusal": null}),
            None,
        ),
        delta(json!({"content": null}), None),
        delta(json!({"content": "Hel"}), None),
        delta(json!({}), None),
        delta(json!({"content": "lo"}), None),
        delta(json!({}), Some("stop")),
    ]);
    let run = run_ok(CHAT, &body);
    assert_eq!(
        run.events,
        vec![
            json!({"type": "message_start", "id": "chatcmpl-1", "model": "m"}),
            json!({"type": "text_delta", "text": "Hel"}),
            json!({"type": "text_delta", "text": "lo"}),
            json!({"type": "finish", "reason": "stop", "raw": "stop"}),
        ]
    );
    assert_eq!(
        run.message.content.len(),
        1,
        "one text block, no empty ones"
    );
    assert_eq!(run.message.text(), "Hello");
}

#[test]
fn chat_refusal_is_visible_text() {
    let body = chat(&[
        delta(
            json!({"role": "assistant", "content": null, "refusal": ""}),
            None,
        ),
        delta(json!({"refusal": "I can't help"}), None),
        delta(json!({"refusal": " with that."}), Some("stop")),
    ]);
    let run = run_ok(CHAT, &body);
    assert_eq!(run.message.text(), "I can't help with that.");
    assert_eq!(run.message.stop_reason, Some(StopReason::Stop));
}

#[test]
fn chat_reasoning_fields_and_their_signatures() {
    // (delta field, expected signature): one signature per reasoning block, naming the field.
    for field in ["reasoning_content", "reasoning", "reasoning_text"] {
        let body = chat(&[
            delta(
                json!({"role": "assistant", "content": "", field: "Think"}),
                None,
            ),
            delta(json!({"content": "", field: "ing."}), None),
            delta(json!({"content": "Answer", field: null}), None),
            delta(json!({field: "More."}), None),
            delta(json!({"content": "Done"}), Some("stop")),
        ]);
        let run = run_ok(CHAT, &body);
        let signatures = of_type(&run.events, "reasoning_signature");
        assert_eq!(
            signatures.len(),
            2,
            "{field}: one signature per reasoning block"
        );
        assert!(
            signatures.iter().all(|event| event["signature"] == field),
            "{field}"
        );
        let thinking = |thinking: &str| ContentBlock::Thinking {
            thinking: thinking.to_owned(),
            signature: Some(field.to_owned()),
            redacted: false,
        };
        let text = |text: &str| ContentBlock::Text {
            text: text.to_owned(),
            signature: None,
        };
        assert_eq!(
            run.message.content,
            vec![
                thinking("Thinking."),
                text("Answer"),
                thinking("More."),
                text("Done")
            ],
            "{field}"
        );
    }
}

#[test]
fn chat_reasoning_sent_twice_is_not_double_counted() {
    // OpenRouter: `reasoning` plus `reasoning_details`; some servers: `reasoning_content` plus
    // `reasoning` with the same text. The first non-empty field wins.
    let body = chat(&[
        delta(
            json!({"content": "", "reasoning": "Hmm.",
                   "reasoning_details": [{"type": "reasoning.text", "text": "Hmm.", "format": "unknown", "index": 0}]}),
            None,
        ),
        delta(
            json!({"reasoning_content": " Yes.", "reasoning": " Yes."}),
            None,
        ),
        delta(json!({"content": "Ok"}), Some("stop")),
    ]);
    let run = run_ok(CHAT, &body);
    assert_eq!(run.message.reasoning(), "Hmm. Yes.");
    // The block's signature is the field of its first piece.
    assert!(
        matches!(&run.message.content[0], ContentBlock::Thinking { signature: Some(s), .. } if s == "reasoning")
    );
}

#[test]
fn chat_reasoning_details_alone_become_reasoning() {
    let body = chat(&[
        delta(
            json!({"reasoning_details": [{"type": "reasoning.text", "text": "Step 1.", "signature": null},
                                         {"type": "reasoning.summary", "summary": " Step 2."},
                                         {"type": "reasoning.encrypted", "data": "QUJD"}]}),
            None,
        ),
        delta(json!({"content": "Ok"}), Some("stop")),
    ]);
    let run = run_ok(CHAT, &body);
    assert_eq!(run.message.reasoning(), "Step 1. Step 2.");
    assert_eq!(
        of_type(&run.events, "reasoning_signature"),
        vec![&json!({"type": "reasoning_signature", "signature": "reasoning"})]
    );
}

#[test]
fn chat_tool_calls_are_assembled_by_index_across_chunks() {
    // Two parallel calls, interleaved, arguments split inside an escape and a multi-byte char.
    let body = chat(&[
        delta(
            json!({"role": "assistant", "content": null,
                     "tool_calls": [{"index": 0, "id": "call_a", "type": "function", "function": {"name": "lookup", "arguments": ""}}]}),
            None,
        ),
        delta(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": "{\"q\":\"a\\"}}]}),
            None,
        ),
        delta(
            json!({"tool_calls": [{"index": 1, "id": "call_b", "type": "function", "function": {"name": "fetch", "arguments": "{\"u"}}]}),
            None,
        ),
        delta(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": "\"b é\"}"}}]}),
            None,
        ),
        delta(
            json!({"tool_calls": [{"index": 1, "function": {"arguments": "rl\":1}"}}]}),
            None,
        ),
        delta(json!({}), Some("tool_calls")),
    ]);
    let run = run_ok(CHAT, &body);
    assert_eq!(
        of_type(&run.events, "tool_call_start"),
        vec![
            &json!({"type": "tool_call_start", "index": 0, "id": "call_a", "name": "lookup"}),
            &json!({"type": "tool_call_start", "index": 1, "id": "call_b", "name": "fetch"}),
        ]
    );
    let calls: Vec<_> = run.message.tool_calls().collect();
    assert_eq!(calls.len(), 2);
    assert_eq!(
        (calls[0].id.as_deref(), calls[0].name.as_str()),
        (Some("call_a"), "lookup")
    );
    assert_eq!(
        serde_json::from_str::<Value>(&calls[0].arguments).unwrap(),
        json!({"q": "a\"b é"})
    );
    assert_eq!(
        serde_json::from_str::<Value>(&calls[1].arguments).unwrap(),
        json!({"url": 1})
    );
    // Both calls end when the finish reason arrives, before the finish.
    let tail: Vec<_> = run.events.iter().rev().take(3).rev().cloned().collect();
    assert_eq!(
        tail,
        vec![
            json!({"type": "tool_call_end", "index": 0}),
            json!({"type": "tool_call_end", "index": 1}),
            json!({"type": "finish", "reason": "toolUse", "raw": "tool_calls"}),
        ]
    );
    assert_eq!(run.message.stop_reason, Some(StopReason::ToolUse));
}

#[test]
fn chat_whole_tool_call_in_one_fragment_in_the_finish_chunk_with_the_finish_repeated() {
    // The call and `finish_reason` share a chunk; the finish reason comes again on a later chunk
    // (with the usage): it is emitted once.
    let body = chat(&[
        delta(json!({"role": "assistant"}), None),
        delta(
            json!({"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                                   "function": {"name": "now", "arguments": "{\"tz\":\"UTC\"}"}}]}),
            Some("tool_calls"),
        ),
        json!({"id": "chatcmpl-1", "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}],
               "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}}),
    ]);
    let run = run_ok(CHAT, &body);
    let kinds: Vec<_> = run
        .events
        .iter()
        .map(|event| event["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "message_start",
            "tool_call_start",
            "tool_call_arguments",
            "tool_call_end",
            "finish",
            "usage"
        ]
    );
    let call = run.message.tool_calls().next().unwrap();
    assert_eq!(call.arguments, "{\"tz\":\"UTC\"}");
    assert_eq!(run.message.finish_reason.as_deref(), Some("tool_calls"));
}

#[test]
fn chat_repeated_id_and_name_do_not_start_a_second_call() {
    let fragment = |arguments: &str| {
        delta(
            json!({"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                                     "function": {"name": "f", "arguments": arguments}}]}),
            None,
        )
    };
    let body = chat(&[
        fragment("{\"a\""),
        fragment(":1}"),
        delta(json!({}), Some("tool_calls")),
    ]);
    let run = run_ok(CHAT, &body);
    assert_eq!(of_type(&run.events, "tool_call_start").len(), 1);
    let calls: Vec<_> = run.message.tool_calls().collect();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        (calls[0].name.as_str(), calls[0].arguments.as_str()),
        ("f", "{\"a\":1}")
    );
}

#[test]
fn chat_late_name_fills_a_call_that_started_without_one() {
    let body = chat(&[
        delta(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": "{"}}]}),
            None,
        ),
        delta(
            json!({"tool_calls": [{"index": 0, "id": "call_9", "function": {"name": "late", "arguments": "}"}}]}),
            None,
        ),
        delta(
            json!({"tool_calls": [{"index": 0, "id": "call_9", "function": {"name": "late"}}]}),
            Some("tool_calls"),
        ),
    ]);
    let run = run_ok(CHAT, &body);
    assert_eq!(
        of_type(&run.events, "tool_call_start"),
        vec![
            &json!({"type": "tool_call_start", "index": 0, "name": ""}),
            &json!({"type": "tool_call_start", "index": 0, "id": "call_9", "name": "late"}),
        ]
    );
    let calls: Vec<_> = run.message.tool_calls().collect();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        (
            calls[0].id.as_deref(),
            calls[0].name.as_str(),
            calls[0].arguments.as_str()
        ),
        (Some("call_9"), "late", "{}")
    );
}

#[test]
fn chat_open_calls_end_at_done_without_a_finish_reason() {
    let body = chat(&[delta(
        json!({"tool_calls": [{"index": 3, "id": "c", "function": {"name": "f", "arguments": "{}"}}]}),
        None,
    )]);
    let run = run_ok(CHAT, &body);
    assert_eq!(
        run.events.last().unwrap(),
        &json!({"type": "tool_call_end", "index": 3})
    );
    assert_eq!(run.message.stop_reason, None);
}

#[test]
fn chat_tool_call_without_index_uses_its_position_and_object_arguments_pass_through() {
    let body = chat(&[delta(
        json!({"tool_calls": [{"id": "c0", "function": {"name": "a", "arguments": {"x": 1}}},
                              {"id": "c1", "function": {"name": "b", "arguments": "{\"y\":2}"}}]}),
        Some("tool_calls"),
    )]);
    let run = run_ok(CHAT, &body);
    let calls: Vec<_> = run
        .message
        .tool_calls()
        .map(|call| (call.name.clone(), call.arguments.clone()))
        .collect();
    assert_eq!(
        calls,
        [
            ("a".to_owned(), "{\"x\":1}".to_owned()),
            ("b".to_owned(), "{\"y\":2}".to_owned())
        ]
    );
}

#[test]
fn chat_legacy_function_call_delta_is_tool_call_zero() {
    let body = chat(&[
        delta(
            json!({"function_call": {"name": "get", "arguments": ""}}),
            None,
        ),
        delta(json!({"function_call": {"arguments": "{\"k\":"}}), None),
        delta(json!({"function_call": {"arguments": "true}"}}), None),
        delta(json!({}), Some("function_call")),
    ]);
    let run = run_ok(CHAT, &body);
    let call = run.message.tool_calls().next().unwrap();
    assert_eq!(
        (call.name.as_str(), call.arguments.as_str()),
        ("get", "{\"k\":true}")
    );
    assert_eq!(run.message.stop_reason, Some(StopReason::ToolUse));
}

#[test]
fn chat_openrouter_encrypted_reasoning_signs_its_tool_call() {
    let detail = r#"{"type":"reasoning.encrypted","id":"call_x","data":"c2ln","format":"google-gemini-v1","index":0}"#;
    let body = format!(
        "data: {}\n\ndata: {{\"choices\":[{{\"index\":0,\"delta\":{{\"reasoning_details\":[{detail}]}}}}]}}\n\ndata: {}\n\ndata: [DONE]\n\n",
        delta(
            json!({"tool_calls": [{"index": 0, "id": "call_x", "function": {"name": "f", "arguments": "{}"}}]}),
            None
        ),
        delta(json!({}), Some("tool_calls")),
    );
    let run = run_ok(CHAT, &body);
    assert_eq!(
        run.message
            .tool_calls()
            .next()
            .unwrap()
            .signature
            .as_deref(),
        Some(detail)
    );
    // …and when the entry comes after the call ended, it is attached all the same.
    let body = format!(
        "data: {}\n\ndata: {{\"choices\":[{{\"index\":0,\"delta\":{{\"reasoning_details\":[{detail}]}}}}]}}\n\ndata: [DONE]\n\n",
        delta(
            json!({"tool_calls": [{"index": 0, "id": "call_x", "function": {"name": "f", "arguments": "{}"}}]}),
            Some("tool_calls")
        ),
    );
    let run = run_ok(CHAT, &body);
    assert_eq!(
        run.message
            .tool_calls()
            .next()
            .unwrap()
            .signature
            .as_deref(),
        Some(detail)
    );
}

#[test]
fn chat_finish_reason_mapping() {
    let cases = [
        ("stop", StopReason::Stop),
        ("length", StopReason::Length),
        ("tool_calls", StopReason::ToolUse),
        ("function_call", StopReason::ToolUse),
        ("content_filter", StopReason::Error),
        ("eos", StopReason::Stop),
    ];
    for (raw, reason) in cases {
        let body = chat(&[
            delta(json!({"content": "x"}), None),
            delta(json!({}), Some(raw)),
        ]);
        let run = run_ok(CHAT, &body);
        assert_eq!(run.message.stop_reason, Some(reason), "{raw}");
        assert_eq!(run.message.finish_reason.as_deref(), Some(raw));
    }
}

#[test]
fn chat_finish_in_the_same_chunk_as_content_and_a_different_later_finish_wins() {
    let body = chat(&[
        delta(json!({"reasoning_content": "r"}), None),
        delta(
            json!({"content": "Hello", "reasoning_content": null}),
            Some("length"),
        ),
        delta(json!({"content": ""}), None),
        delta(json!({}), Some("stop")),
    ]);
    let run = run_ok(CHAT, &body);
    assert_eq!(run.message.text(), "Hello");
    assert_eq!(
        of_type(&run.events, "finish"),
        vec![
            &json!({"type": "finish", "reason": "length", "raw": "length"}),
            &json!({"type": "finish", "reason": "stop", "raw": "stop"}),
        ]
    );
    assert_eq!(run.message.finish_reason.as_deref(), Some("stop"));
}

#[test]
fn chat_usage_chunk_and_usage_on_the_finish_chunk() {
    // OpenAI: a separate `choices: []` chunk before [DONE].
    let body = chat(&[
        delta(json!({"content": "x"}), None),
        delta(json!({}), Some("stop")),
        json!({"id": "chatcmpl-1", "choices": [], "usage": {"prompt_tokens": 42, "completion_tokens": 19, "total_tokens": 61,
               "prompt_tokens_details": {"cached_tokens": 12, "audio_tokens": 0},
               "completion_tokens_details": {"reasoning_tokens": 7, "audio_tokens": 0}}}),
    ]);
    let run = run_ok(CHAT, &body);
    assert_eq!(run.message.usage, Some(usage(30, 19, 12, 7, 61)));
    // DeepSeek: on the finish chunk, cache hits as `prompt_cache_hit_tokens`.
    let mut finish = delta(json!({"content": "y"}), Some("stop"));
    finish["usage"] = json!({"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120,
                             "prompt_cache_hit_tokens": 64, "prompt_cache_miss_tokens": 36,
                             "completion_tokens_details": {"reasoning_tokens": 5}});
    let run = run_ok(CHAT, &chat(&[finish]));
    assert_eq!(run.message.usage, Some(usage(36, 20, 64, 5, 120)));
    assert_eq!(
        run.events.last().unwrap()["type"],
        "usage",
        "usage after the finish of the same chunk"
    );
    // No details at all: no cache_read, input = prompt_tokens.
    let run = run_ok(
        CHAT,
        &chat(&[json!({"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 1}})]),
    );
    assert_eq!(
        run.message.usage,
        Some(Usage {
            input: Some(9),
            output: Some(1),
            ..Usage::default()
        })
    );
}

#[test]
fn chat_obfuscation_and_other_unknown_fields_are_ignored() {
    let body = chat(&[
        json!({"id": "c", "model": "m", "obfuscation": "QmZ", "service_tier": "default",
                             "system_fingerprint": "fp", "prompt_filter_results": [{"x": 1}],
                             "choices": [{"index": 0, "delta": {"content": "ok", "annotations": []},
                                          "content_filter_results": {}, "native_finish_reason": null,
                                          "finish_reason": null}]}),
    ]);
    let run = run_ok(CHAT, &body);
    assert_eq!(run.message.text(), "ok");
    assert_eq!(run.message.unrecognized_frames, 0);
}

#[test]
fn chat_done_is_terminal_and_later_frames_are_ignored() {
    let body = format!(
        "{}data: [DONE]  \n\ndata: {}\n\ndata: {{\"choices\":[],\"cost\":\"0\"}}\n\ndata: not json\n\n",
        chat_open(&[delta(json!({"content": "a"}), None)]),
        delta(json!({"content": "b"}), Some("stop")),
    );
    let run = run_ok(CHAT, &body);
    assert!(run.complete);
    assert_eq!(run.message.text(), "a");
    assert_eq!(run.message.unrecognized_frames, 0);
}

#[test]
fn chat_end_of_body_without_done() {
    // Cut before any finish: truncated.
    let run = run_all(CHAT, &chat_open(&[delta(json!({"content": "a"}), None)]));
    assert!(matches!(
        run.end,
        Err(DecodeError::Truncated {
            transport: Transport::OpenAiCompletions,
            ..
        })
    ));
    assert_eq!(run.message.text(), "a", "what came before the cut is kept");
    // Some compatible servers omit [DONE]: after a finish_reason EOF is a clean end.
    let run = run_ok(
        CHAT,
        &chat_open(&[delta(json!({"content": "a"}), Some("stop"))]),
    );
    assert_eq!(run.message.stop_reason, Some(StopReason::Stop));
}

#[test]
fn chat_only_choice_zero_is_used() {
    // n = 2: the choices interleave; a missing index counts as 0.
    let two = |first: &str, second: &str| json!({"choices": [{"index": 1, "delta": {"content": second}}, {"index": 0, "delta": {"content": first}}]});
    let body = chat(&[
        two("A", "x"),
        json!({"choices": [{"index": 1, "delta": {"content": "y", "tool_calls": [{"index": 0, "id": "c", "function": {"name": "n"}}]}}]}),
        json!({"choices": [{"delta": {"content": "B"}}]}),
        json!({"choices": [{"index": 1, "delta": {}, "finish_reason": "length"}, {"index": 0, "delta": {}, "finish_reason": "stop"}]}),
    ]);
    let run = run_ok(CHAT, &body);
    assert_eq!(run.message.text(), "AB");
    assert_eq!(run.message.tool_calls().count(), 0);
    assert_eq!(run.message.finish_reason.as_deref(), Some("stop"));
}

#[test]
fn chat_message_start_once_from_the_first_chunk_that_names_the_response() {
    let body = chat(&[
        json!({"choices": [], "created": 0, "id": "", "model": "", "object": "", "prompt_filter_results": []}),
        json!({"id": "chatcmpl-2", "model": "gpt-4.1-mini", "choices": [{"index": 0, "delta": {"content": "a"}}]}),
        json!({"id": "chatcmpl-2", "model": "gpt-4.1-mini", "choices": [{"index": 0, "delta": {"content": "b"}}]}),
    ]);
    let run = run_ok(CHAT, &body);
    assert_eq!(
        of_type(&run.events, "message_start"),
        vec![&json!({"type": "message_start", "id": "chatcmpl-2", "model": "gpt-4.1-mini"})]
    );
    assert_eq!(
        (run.message.id.as_deref(), run.message.model.as_deref()),
        (Some("chatcmpl-2"), Some("gpt-4.1-mini"))
    );
}

#[test]
fn chat_in_stream_errors() {
    let openai = r#"{"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}}"#;
    let coded = r#"{"error":{"message":"Rate limited","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#;
    let string = r#"{"error":"upstream connect error"}"#;
    let vllm = r#"{"object":"error","message":"max tokens exceeded","type":"BadRequestError","param":null,"code":400}"#;
    let cases = [
        (openai, Some("server_error"), "The server had an error"),
        (coded, Some("rate_limit_exceeded"), "Rate limited"),
        (string, None, "upstream connect error"),
        (vllm, Some("400"), "max tokens exceeded"),
    ];
    for (payload, code, message) in cases {
        for event_line in ["", "event: error\n"] {
            let body = format!(
                "{}{event_line}data: {payload}\n\ndata: {}\n\n",
                chat_open(&[delta(json!({"content": "par"}), None)]),
                delta(json!({"content": "tial"}), Some("stop")),
            );
            let run = run_all(CHAT, &body);
            assert_eq!(
                run.end,
                Ok(()),
                "an error ends the stream cleanly: {payload}"
            );
            let expected =
                json!({"type": "error", "code": code, "message": message, "raw": payload});
            let mut expected = expected.as_object().unwrap().clone();
            if code.is_none() {
                expected.remove("code");
            }
            assert_eq!(
                of_type(&run.events, "error"),
                vec![&Value::Object(expected)],
                "{payload} {event_line:?}"
            );
            assert_eq!(
                run.message.text(),
                "par",
                "frames after the error are ignored"
            );
            assert_eq!(run.message.stop_reason, Some(StopReason::Error));
        }
    }
    // `event: error` whose data is not JSON at all.
    let run = run_ok(CHAT, "event: error\ndata: upstream timed out\n\n");
    assert_eq!(
        run.events,
        vec![
            json!({"type": "error", "message": "upstream timed out", "raw": "upstream timed out"})
        ]
    );
}

#[test]
fn chat_blank_non_json_and_wrong_shape_frames() {
    let body = format!(
        "data:\n\ndata:   \n\n: OPENROUTER PROCESSING\n\ndata: hello\n\ndata: [1,2]\n\ndata: \"s\"\n\ndata: {{\"choices\":\"nope\"}}\n\n{}",
        chat(&[delta(json!({"content": "ok"}), Some("stop"))])
    );
    let run = run_ok(CHAT, &body);
    let reasons: Vec<_> = of_type(&run.events, "unrecognized")
        .iter()
        .map(|event| event["raw"].clone())
        .collect();
    assert_eq!(
        reasons,
        [
            json!("hello"),
            json!("[1,2]"),
            json!("\"s\""),
            json!("{\"choices\":\"nope\"}")
        ]
    );
    assert_eq!(run.message.unrecognized_frames, 4);
    assert_eq!(run.message.text(), "ok");
}

#[test]
fn chat_keepalive_events() {
    let body = format!(
        "event: keepalive\ndata: {{}}\n\n{}",
        chat(&[delta(json!({"content": "ok"}), None)])
    );
    let run = run_ok(CHAT, &body);
    assert_eq!(run.events[0], json!({"type": "keep_alive"}));
}

#[test]
fn chat_text_borrows_from_the_frame_unless_escaped() {
    let plain =
        r#"{"choices":[{"index":0,"delta":{"content":"plain text","reasoning_content":"why"}}]}"#;
    assert_eq!(
        borrowed_text_deltas(CHAT, plain),
        [("why".to_owned(), true), ("plain text".to_owned(), true)]
    );
    let escaped = r#"{"choices":[{"index":0,"delta":{"content":"line\nbreak"}}]}"#;
    assert_eq!(
        borrowed_text_deltas(CHAT, escaped),
        [("line\nbreak".to_owned(), false)]
    );
}

// ---------------------------------------------------------------------------------------------
// openai-responses
// ---------------------------------------------------------------------------------------------

#[test]
fn responses_text_with_message_start_and_text_signature() {
    let body = resp(&[
        created(),
        in_progress(),
        message_added("msg_1"),
        json!({"type": "response.content_part.added", "item_id": "msg_1", "output_index": 0, "content_index": 0,
               "part": {"type": "output_text", "text": ""}}),
        text_delta("msg_1", "Hel"),
        text_delta("msg_1", "lo"),
        json!({"type": "response.output_text.done", "item_id": "msg_1", "output_index": 0, "content_index": 0, "text": "Hello"}),
        json!({"type": "response.content_part.done", "item_id": "msg_1", "output_index": 0, "content_index": 0,
               "part": {"type": "output_text", "text": "Hello"}}),
        message_done("msg_1", Some("final_answer")),
        completed(),
    ]);
    let run = run_ok(RESP, &body);
    assert_eq!(
        run.events,
        vec![
            json!({"type": "message_start", "id": "resp_1", "model": "gpt-5"}),
            json!({"type": "text_delta", "text": "Hel"}),
            json!({"type": "text_delta", "text": "lo"}),
            json!({"type": "text_signature", "signature": "{\"v\":1,\"id\":\"msg_1\",\"phase\":\"final_answer\"}"}),
            json!({"type": "block_end"}),
            json!({"type": "usage", "input": 30, "output": 25, "cacheRead": 10, "reasoning": 8, "total": 65}),
            json!({"type": "finish", "reason": "stop", "raw": "completed"}),
        ]
    );
    assert_eq!(
        run.message.content,
        vec![ContentBlock::Text {
            text: "Hello".to_owned(),
            signature: Some("{\"v\":1,\"id\":\"msg_1\",\"phase\":\"final_answer\"}".to_owned())
        }]
    );
    assert_eq!(run.message.usage, Some(usage(30, 25, 10, 8, 65)));
    assert_eq!(run.message.finish_reason.as_deref(), Some("completed"));
    assert!(run.complete);
}

#[test]
fn responses_two_messages_are_two_text_blocks_and_refusal_is_text() {
    let body = resp(&[
        created(),
        message_added("msg_1"),
        text_delta("msg_1", "One."),
        message_done("msg_1", None),
        message_added("msg_2"),
        json!({"type": "response.refusal.delta", "item_id": "msg_2", "output_index": 1, "content_index": 0, "delta": "No."}),
        json!({"type": "response.refusal.done", "item_id": "msg_2", "output_index": 1, "content_index": 0, "refusal": "No."}),
        message_done("msg_2", None),
        completed(),
    ]);
    let run = run_ok(RESP, &body);
    let text = |text: &str, id: &str| ContentBlock::Text {
        text: text.to_owned(),
        signature: Some(format!("{{\"v\":1,\"id\":\"{id}\"}}")),
    };
    assert_eq!(
        run.message.content,
        vec![text("One.", "msg_1"), text("No.", "msg_2")]
    );
}

#[test]
fn responses_reasoning_summary_and_byte_exact_item_signature() {
    // The item JSON has odd spacing and escapes: the signature must be the exact slice.
    let item = r#"{"id":"rs_1", "type":"reasoning","encrypted_content":"gAAA\/+==","summary":[{"type":"summary_text","text":"A"}]}"#;
    let body = format!(
        "{}event: response.output_item.done\ndata: {{\"type\":\"response.output_item.done\",\"output_index\":0,\"item\": {item} ,\"sequence_number\":9}}\n\n{}",
        resp(&[
            created(),
            json!({"type": "response.output_item.added", "output_index": 0, "item": {"id": "rs_1", "type": "reasoning", "summary": []}}),
            json!({"type": "response.reasoning_summary_part.added", "item_id": "rs_1", "output_index": 0, "summary_index": 0}),
            json!({"type": "response.reasoning_summary_text.delta", "item_id": "rs_1", "output_index": 0, "summary_index": 0, "delta": "**Plan**"}),
            json!({"type": "response.reasoning_summary_text.done", "item_id": "rs_1", "output_index": 0, "summary_index": 0, "text": "**Plan**"}),
            json!({"type": "response.reasoning_summary_part.done", "item_id": "rs_1", "output_index": 0, "summary_index": 0}),
            json!({"type": "response.reasoning_summary_part.added", "item_id": "rs_1", "output_index": 0, "summary_index": 1}),
            json!({"type": "response.reasoning_summary_text.delta", "item_id": "rs_1", "output_index": 0, "summary_index": 1, "delta": "Then act."}),
        ]),
        resp(&[
            message_added("msg_1"),
            text_delta("msg_1", "Hi"),
            message_done("msg_1", None),
            completed()
        ]),
    );
    let run = run_ok(RESP, &body);
    assert_eq!(
        of_type(&run.events, "reasoning_signature"),
        vec![&json!({"type": "reasoning_signature", "signature": item})]
    );
    assert_eq!(
        run.message.content[0],
        ContentBlock::Thinking {
            thinking: "**Plan**Then act.".to_owned(),
            signature: Some(item.to_owned()),
            redacted: false
        }
    );
    assert_eq!(run.message.text(), "Hi");
    assert_eq!(run.message.content.len(), 2);
}

#[test]
fn responses_reasoning_text_deltas_and_reasoning_without_summary() {
    // LM Studio: `reasoning_text` deltas; OpenAI: a reasoning item with no readable text still
    // yields a block carrying the item (for replay).
    let body = resp(&[
        created(),
        json!({"type": "response.output_item.added", "output_index": 0, "item": {"id": "rs_a", "type": "reasoning", "summary": []}}),
        json!({"type": "response.reasoning_text.delta", "item_id": "rs_a", "output_index": 0, "content_index": 0, "delta": "The user"}),
        json!({"type": "response.reasoning_text.delta", "item_id": "rs_a", "output_index": 0, "content_index": 0, "delta": " asks."}),
        json!({"type": "response.reasoning_text.done", "item_id": "rs_a", "output_index": 0, "content_index": 0, "text": "The user asks."}),
        json!({"type": "response.content_part.done", "item_id": "rs_a", "output_index": 0, "content_index": 0, "part": {"type": "reasoning_text"}}),
        json!({"type": "response.output_item.done", "output_index": 0, "item": {"id": "rs_a", "type": "reasoning", "summary": []}}),
        json!({"type": "response.output_item.done", "output_index": 1, "item": {"id": "rs_b", "type": "reasoning", "encrypted_content": "e"}}),
        completed(),
    ]);
    let run = run_ok(RESP, &body);
    let blocks: Vec<_> = run
        .message
        .content
        .iter()
        .map(|block| match block {
            ContentBlock::Thinking {
                thinking,
                signature,
                ..
            } => (thinking.clone(), signature.clone().unwrap()),
            other => panic!("unexpected block {other:?}"),
        })
        .collect();
    assert_eq!(blocks.len(), 2);
    assert_eq!(blocks[0].0, "The user asks.");
    assert!(blocks[0].1.contains("\"rs_a\""));
    assert_eq!(blocks[1].0, "");
    assert!(blocks[1].1.contains("\"rs_b\""));
}

fn call_added(index: u64, item: &str, call: &str, name: &str) -> Value {
    json!({"type": "response.output_item.added", "output_index": index,
           "item": {"id": item, "type": "function_call", "status": "in_progress", "call_id": call, "name": name, "arguments": ""}})
}

fn call_done(index: u64, item: &str, call: &str, name: &str, arguments: &str) -> Value {
    json!({"type": "response.output_item.done", "output_index": index,
           "item": {"id": item, "type": "function_call", "status": "completed", "call_id": call, "name": name, "arguments": arguments}})
}

#[test]
fn responses_function_call_deltas_done_and_item_done() {
    let body = resp(&[
        created(),
        call_added(0, "fc_1", "call_7", "lookup_city"),
        json!({"type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 0, "delta": "{\"name\":", "obfuscation": "k2"}),
        json!({"type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 0, "delta": "\"Oslo\"}"}),
        json!({"type": "response.function_call_arguments.done", "item_id": "fc_1", "output_index": 0, "arguments": "{\"name\":\"Oslo\"}"}),
        call_done(0, "fc_1", "call_7", "lookup_city", "{\"name\":\"Oslo\"}"),
        completed(),
    ]);
    let run = run_ok(RESP, &body);
    let kinds: Vec<_> = run
        .events
        .iter()
        .map(|event| event["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "message_start",
            "tool_call_start",
            "tool_call_arguments",
            "tool_call_arguments",
            "tool_call_end",
            "usage",
            "finish"
        ]
    );
    assert_eq!(
        run.events[1],
        json!({"type": "tool_call_start", "index": 0, "id": "call_7|fc_1", "name": "lookup_city"})
    );
    assert_eq!(
        run.events[4],
        json!({"type": "tool_call_end", "index": 0, "arguments": "{\"name\":\"Oslo\"}"})
    );
    let call = run.message.tool_calls().next().unwrap();
    assert_eq!(
        (call.id.as_deref(), call.arguments.as_str()),
        (Some("call_7|fc_1"), "{\"name\":\"Oslo\"}")
    );
    assert_eq!(
        run.message.stop_reason,
        Some(StopReason::ToolUse),
        "completed with tool calls → toolUse"
    );
    assert_eq!(run.message.finish_reason.as_deref(), Some("completed"));
}

#[test]
fn responses_function_call_arguments_only_in_done_or_only_in_the_item() {
    // LM Studio (fixture 14): no deltas, only `.done`.
    let body = resp(&[
        created(),
        call_added(2, "fc_z", "call_2", "weather"),
        json!({"type": "response.function_call_arguments.done", "item_id": "fc_z", "output_index": 2, "arguments": "{\"location\":\"SF\"}"}),
        call_done(2, "fc_z", "call_2", "weather", "{\"location\":\"SF\"}"),
        completed(),
    ]);
    let run = run_ok(RESP, &body);
    assert_eq!(of_type(&run.events, "tool_call_end").len(), 1);
    assert_eq!(
        run.message.tool_calls().next().unwrap().arguments,
        "{\"location\":\"SF\"}"
    );
    // Neither deltas nor `.done`: the item's arguments.
    let body = resp(&[
        created(),
        call_added(0, "fc_a", "call_a", "f"),
        call_done(0, "fc_a", "call_a", "f", "{\"a\":1}"),
        completed(),
    ]);
    let run = run_ok(RESP, &body);
    assert_eq!(
        of_type(&run.events, "tool_call_end"),
        vec![&json!({"type": "tool_call_end", "index": 0, "arguments": "{\"a\":1}"})]
    );
    // An item done whose `added` never came: started from the item, then ended.
    let body = resp(&[
        created(),
        call_done(1, "fc_b", "call_b", "g", "{}"),
        completed(),
    ]);
    let run = run_ok(RESP, &body);
    let call = run.message.tool_calls().next().unwrap();
    assert_eq!(
        (
            call.id.as_deref(),
            call.name.as_str(),
            call.arguments.as_str()
        ),
        (Some("call_b|fc_b"), "g", "{}")
    );
}

#[test]
fn responses_incomplete_and_failed() {
    let incomplete = |reason: &str| {
        json!({"type": "response.incomplete", "response": {"id": "resp_1", "status": "incomplete",
               "incomplete_details": {"reason": reason},
               "usage": {"input_tokens": 5, "output_tokens": 16, "total_tokens": 21}}})
    };
    for (reason, stop) in [
        ("max_output_tokens", StopReason::Length),
        ("content_filter", StopReason::Error),
    ] {
        let run = run_ok(
            RESP,
            &resp(&[created(), text_delta("msg_1", "cut"), incomplete(reason)]),
        );
        assert_eq!(run.message.stop_reason, Some(stop), "{reason}");
        assert_eq!(run.message.finish_reason.as_deref(), Some("incomplete"));
        assert_eq!(run.message.usage.unwrap().output, Some(16));
        assert_eq!(run.message.text(), "cut");
    }
    let failed = json!({"type": "response.failed", "sequence_number": 3,
                        "response": {"id": "resp_1", "status": "failed", "error": {"code": "server_error", "message": "Boom"}, "usage": null}});
    let run = run_ok(RESP, &resp(&[created(), failed.clone()]));
    assert_eq!(
        run.events[1..],
        [
            json!({"type": "error", "code": "server_error", "message": "Boom", "raw": failed.to_string()}),
            json!({"type": "finish", "reason": "error", "raw": "failed"}),
        ]
    );
    assert_eq!(run.message.stop_reason, Some(StopReason::Error));
}

#[test]
fn responses_error_event_flat_and_nested_then_everything_is_dead() {
    let flat = json!({"type": "error", "code": "ERR_SOMETHING", "message": "Something went wrong", "param": null, "sequence_number": 2});
    let nested = json!({"type": "error", "sequence_number": 2,
                        "error": {"type": "insufficient_quota", "code": "insufficient_quota", "message": "Quota exceeded", "param": null}});
    let nested_no_code = json!({"type": "error", "error": {"type": "server_error", "code": null, "message": "Oops"}});
    let cases = [
        (&flat, "ERR_SOMETHING", "Something went wrong"),
        (&nested, "insufficient_quota", "Quota exceeded"),
        (&nested_no_code, "server_error", "Oops"),
    ];
    let failed = json!({"type": "response.failed", "response": {"id": "resp_1", "status": "failed",
                        "error": {"code": "other", "message": "other"}, "usage": {"input_tokens": 3, "output_tokens": 0, "total_tokens": 3}}});
    for (error, code, message) in cases {
        // The error, then deltas that must not surface, then response.failed.
        let body = resp(&[
            created(),
            text_delta("msg_1", "a"),
            error.clone(),
            text_delta("msg_1", "b"),
            call_added(1, "fc", "call", "f"),
            failed.clone(),
        ]);
        let run = run_ok(RESP, &body);
        assert_eq!(
            of_type(&run.events, "error"),
            vec![
                &json!({"type": "error", "code": code, "message": message, "raw": error.to_string()})
            ],
            "the response.failed error is not reported a second time"
        );
        assert_eq!(run.message.text(), "a");
        assert_eq!(run.message.tool_calls().count(), 0);
        assert_eq!(run.message.finish_reason.as_deref(), Some("failed"));
        assert_eq!(run.message.stop_reason, Some(StopReason::Error));
        assert_eq!(run.message.usage.unwrap().input, Some(3));
        // The body may also end right after the error.
        let run = run_ok(
            RESP,
            &resp(&[created(), error.clone(), text_delta("msg_1", "b")]),
        );
        assert!(run.complete);
        assert_eq!(run.message.error.as_ref().unwrap().message, message);
        assert_eq!(run.message.text(), "");
    }
}

#[test]
fn responses_terminal_events_end_the_stream() {
    let body = resp(&[
        created(),
        text_delta("msg_1", "a"),
        completed(),
        text_delta("msg_1", "late"),
        completed(),
    ]);
    let run = run_ok(RESP, &body);
    assert_eq!(run.message.text(), "a");
    assert_eq!(of_type(&run.events, "finish").len(), 1);
    // No terminal event: truncated.
    let run = run_all(RESP, &resp(&[created(), text_delta("msg_1", "a")]));
    assert!(matches!(
        run.end,
        Err(DecodeError::Truncated {
            transport: Transport::OpenAiResponses,
            ..
        })
    ));
    assert_eq!(run.message.text(), "a");
}

#[test]
fn responses_type_falls_back_to_the_event_name() {
    let body = "event: response.created\ndata: {\"response\":{\"id\":\"resp_x\",\"model\":\"m\"}}\n\n\
                event: response.output_text.delta\ndata: {\"item_id\":\"msg_1\",\"delta\":\"hi\"}\n\n\
                data: {\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"delta\":\"!\"}\n\n\
                event: response.completed\ndata: {\"response\":{\"status\":\"completed\"}}\n\n";
    let run = run_ok(RESP, body);
    assert_eq!(run.message.id.as_deref(), Some("resp_x"));
    assert_eq!(run.message.text(), "hi!");
    assert_eq!(run.message.finish_reason.as_deref(), Some("completed"));
}

#[test]
fn responses_unknown_types_are_skipped_silently() {
    let body = resp(&[
        json!({"type": "response.queued", "response": {"id": "resp_q", "model": "m", "status": "queued"}}),
        created(),
        json!({"type": "response.web_search_call.searching", "item_id": "ws_1", "output_index": 0}),
        json!({"type": "response.output_text.annotation.added", "item_id": "msg_1", "annotation": {"type": "url_citation"}}),
        json!({"type": "response.custom_tool_call_input.delta", "item_id": "ct_1", "delta": "x"}),
        json!({"type": "response.image_generation_call.partial_image", "partial_image_b64": "AAAA", "delta": {"odd": true}}),
        json!({"type": "response.mcp_call_arguments.delta", "item_id": "mcp", "delta": {"not": "a string"}, "output_index": "zero"}),
        json!({"type": "response.future_thing", "response": "not an object"}),
        json!({"type": "response.output_item.added", "output_index": 0, "item": {"id": "ws_1", "type": "web_search_call"}}),
        completed(),
    ]);
    let run = run_ok(RESP, &body);
    let kinds: Vec<_> = run
        .events
        .iter()
        .map(|event| event["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["message_start", "usage", "finish"]);
    assert_eq!(
        run.message.id.as_deref(),
        Some("resp_q"),
        "response.queued starts the message"
    );
}

#[test]
fn responses_blank_non_json_and_wrong_shape_frames() {
    let body = format!(
        "data:\n\nevent: response.output_text.delta\ndata: not json\n\ndata: [1]\n\n\
         event: response.completed\ndata: {{\"type\":\"response.completed\",\"response\":\"oops\"}}\n\n{}",
        resp(&[created(), text_delta("msg_1", "ok"), completed()])
    );
    let run = run_ok(RESP, &body);
    let raws: Vec<_> = of_type(&run.events, "unrecognized")
        .iter()
        .map(|event| event["raw"].clone())
        .collect();
    assert_eq!(
        raws,
        [
            json!("not json"),
            json!("[1]"),
            json!("{\"type\":\"response.completed\",\"response\":\"oops\"}")
        ]
    );
    assert_eq!(run.message.text(), "ok");
}

#[test]
fn responses_obfuscation_and_unknown_fields_are_ignored_and_text_borrows() {
    let data = r#"{"type":"response.output_text.delta","sequence_number":6,"item_id":"msg_1","output_index":1,"content_index":0,"delta":"The","logprobs":[],"obfuscation":"CPp20acasANQC"}"#;
    assert_eq!(borrowed_text_deltas(RESP, data), [("The".to_owned(), true)]);
    let escaped = r#"{"type":"response.reasoning_text.delta","item_id":"rs","delta":"a\"b"}"#;
    assert_eq!(
        borrowed_text_deltas(RESP, escaped),
        [("a\"b".to_owned(), false)]
    );
}
