//! Properties (proptest) of the whole decoding pipeline, [`ResponseDecoder`] plus
//! [`MessageAssembler`]:
//! - every recorded body in `fixtures/wire/` gives, at any chunking, exactly the events, the
//!   assembled message and the end result of one feed;
//! - arbitrary bytes, under every transport × framing, never panic and give the same results at
//!   any chunking;
//! - arbitrary JSON values in place of provider payloads (random trees over the field names the
//!   decoders look at, and the payload shapes of each transport with random holes and random
//!   mutations), framed as SSE events and as a JSON array, never panic, give the same results at
//!   any chunking, and assemble into tool calls whose `arguments` are valid JSON exactly when
//!   they carry no `arguments_error`.
//!
//! `generators_reach_the_decoders` checks, with a fixed seed, that the generators produce input
//! the decoders actually act on (text, tool calls, valid and invalid arguments), so that the
//! properties cannot hold vacuously.

use std::sync::LazyLock;

use clawrouter_wire::assemble::{AssembledMessage, MessageAssembler};
use clawrouter_wire::events::StreamEvent;
use clawrouter_wire::transport::{DecodeError, Framing, ResponseDecoder, Transport};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};

use crate::support::{WireCase, split_at_points, wire_cases};

// ---------------------------------------------------------------------------------------------
// Driver

/// Everything observable after decoding one body.
#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    /// Every event, serialized with serde_json, in order.
    events: Vec<String>,
    /// The assembled message.
    message: AssembledMessage,
    /// The first error (from a `feed` or from `finish`), else the result of `finish`.
    end: Result<(), DecodeError>,
    /// What `finish` itself returned.
    finish: Result<(), DecodeError>,
    /// `is_complete()` after `finish`.
    complete: bool,
}

fn decode<'a>(
    transport: Transport,
    framing: Framing,
    chunks: impl IntoIterator<Item = &'a [u8]>,
) -> Outcome {
    let mut decoder = ResponseDecoder::new(transport, framing);
    let mut assembler = MessageAssembler::new();
    let mut events = Vec::new();
    let mut sink = |event: StreamEvent<'_>| {
        events.push(serde_json::to_string(&event).unwrap());
        assembler.push(&event);
    };
    let mut end = Ok(());
    for chunk in chunks {
        let fed = decoder.feed(chunk, &mut sink);
        if end.is_ok() {
            end = fed;
        }
    }
    let finish = decoder.finish(&mut sink);
    if end.is_ok() {
        end = finish.clone();
    }
    Outcome {
        events,
        message: assembler.finish(),
        end,
        finish,
        complete: decoder.is_complete(),
    }
}

/// Sorted cut positions in `0..=len`: `picks` anywhere, plus a cluster of cuts at
/// `anchor + offset` (runs of tiny chunks at one random place).
fn cuts(len: usize, picks: &[usize], anchor: usize, offsets: &[usize]) -> Vec<usize> {
    let anchor = anchor % (len + 1);
    let mut points: Vec<usize> = picks
        .iter()
        .map(|pick| pick % (len + 1))
        .chain(offsets.iter().map(|offset| (anchor + offset).min(len)))
        .collect();
    points.sort_unstable();
    points
}

/// Random split points: `(picks, anchor, offsets)` for [`cuts`].
fn split_points() -> impl Strategy<Value = (Vec<usize>, usize, Vec<usize>)> {
    (
        prop::collection::vec(any::<usize>(), 0..24),
        any::<usize>(),
        prop::collection::vec(0usize..24, 0..16),
    )
}

/// Every transport with every framing (the decoder accepts any combination).
fn combinations() -> impl Iterator<Item = (Transport, Framing)> {
    Transport::ALL
        .into_iter()
        .flat_map(|transport| [(transport, Framing::Sse), (transport, Framing::JsonArray)])
}

/// Whether a serialized event is more than an `Unrecognized` frame or a keep-alive.
fn is_meaningful(event: &str) -> bool {
    let event: Value = serde_json::from_str(event).unwrap();
    !matches!(event["type"].as_str(), Some("unrecognized" | "keep_alive"))
}

// ---------------------------------------------------------------------------------------------
// Fixtures

struct Fixture {
    name: String,
    transport: Transport,
    framing: Framing,
    body: Vec<u8>,
    /// The body decoded in one feed.
    whole: Outcome,
}

static FIXTURES: LazyLock<Vec<Fixture>> = LazyLock::new(|| {
    wire_cases()
        .into_iter()
        .map(|case| {
            let WireCase {
                name,
                transport,
                framing,
                body,
                ..
            } = case;
            let whole = decode(transport, framing, [body.as_slice()]);
            // Not vacuous: every fixture decodes to a complete, non-empty message.
            assert_eq!(whole.end, Ok(()), "{name}: one feed should end cleanly");
            assert!(whole.complete, "{name}: one feed should be complete");
            assert!(
                whole.events.iter().any(|event| is_meaningful(event)),
                "{name}: one feed should produce events"
            );
            assert!(
                !whole.message.content.is_empty(),
                "{name}: one feed should assemble content"
            );
            Fixture {
                name,
                transport,
                framing,
                body,
                whole,
            }
        })
        .collect()
});

// ---------------------------------------------------------------------------------------------
// Arbitrary bytes

/// Pieces of SSE and JSON-array syntax and of each transport's payloads, including whole frames
/// the decoders act on, so that random concatenations reach past the framing layer.
fn byte_token() -> impl Strategy<Value = &'static [u8]> {
    prop::sample::select(vec![
        &b"data: "[..],
        b"data:",
        b"event: ",
        b"event: error\n",
        b"event: message_start\n",
        b"event: ping\n",
        b": c\n",
        b"id: 1\n",
        b"retry: 5\n",
        b"\n",
        b"\r\n",
        b"\r",
        b"\n\n",
        b"\r\n\r\n",
        b"[",
        b"]",
        b"{",
        b"}",
        b",",
        b":",
        b"\"",
        b"\\",
        b"\\u00e9",
        b"\\ud800",
        b" ",
        b"0",
        b"1e400",
        b"null",
        b"\xEF\xBB\xBF",
        b"\xFF",
        b"\xC3\xA9",
        b"\xC3",
        b"[DONE]",
        b"data: [DONE]\n\n",
        b"\"type\":",
        b"\"index\":0",
        b"\"text\":\"a\"",
        b"\"partial_json\":\"{\\\"a\\\":\"",
        b"\"arguments\":\"1}\"",
        b"data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n",
        b"data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"t\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\"",
        b"\"}}]},\"finish_reason\":\"tool_calls\"}]}\n\n",
        b"data: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"x\"}}\n\n",
        b"data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"f\",\"input\":{}}}\n\n",
        b"data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"a",
        b"data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}\n\n",
        b"data: {\"type\":\"message_stop\"}\n\n",
        b"data: {\"type\":\"response.created\",\"response\":{\"id\":\"r\",\"model\":\"x\"}}\n\n",
        b"data: {\"type\":\"response.output_text.delta\",\"item_id\":\"m\",\"delta\":\"hi\"}\n\n",
        b"data: {\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"type\":\"function_call\",\"call_id\":\"c\",\"name\":\"f\"}}\n\n",
        b"data: {\"type\":\"response.function_call_arguments.delta\",\"output_index\":0,\"delta\":\"{\\\"",
        b"data: {\"type\":\"response.completed\",\"response\":{\"status\":\"completed\"}}\n\n",
        b"{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"a\"},{\"functionCall\":{\"name\":\"f\",\"args\":{\"a\":[1",
        b"]}}}]},\"finishReason\":\"STOP\"}]}",
        b"data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hi\",\"thought\":true}]}}]}\n\n",
        b"{\"error\":{\"code\":429,\"message\":\"m\",\"status\":\"RESOURCE_EXHAUSTED\"}}",
    ])
}

fn arbitrary_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..512),
        2 => prop::collection::vec(byte_token(), 0..48).prop_map(|tokens| tokens.concat()),
    ]
}

// ---------------------------------------------------------------------------------------------
// Arbitrary payloads

/// Field names the decoders look at, plus a few they skip.
const KEYS: &[&str] = &[
    "type",
    "choices",
    "delta",
    "content",
    "reasoning_content",
    "reasoning",
    "reasoning_text",
    "reasoning_details",
    "refusal",
    "tool_calls",
    "function_call",
    "index",
    "id",
    "call_id",
    "model",
    "function",
    "name",
    "arguments",
    "finish_reason",
    "usage",
    "error",
    "message",
    "code",
    "object",
    "response",
    "item",
    "output_index",
    "item_id",
    "output",
    "status",
    "summary",
    "encrypted_content",
    "incomplete_details",
    "reason",
    "content_block",
    "partial_json",
    "text",
    "thinking",
    "signature",
    "data",
    "input",
    "stop_reason",
    "candidates",
    "parts",
    "thought",
    "thoughtSignature",
    "functionCall",
    "args",
    "finishReason",
    "usageMetadata",
    "promptFeedback",
    "blockReason",
    "responseId",
    "modelVersion",
    "sequence_number",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "prompt_tokens_details",
    "completion_tokens_details",
    "cached_tokens",
    "reasoning_tokens",
    "input_tokens",
    "output_tokens",
    "input_tokens_details",
    "output_tokens_details",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
    "promptTokenCount",
    "candidatesTokenCount",
    "thoughtsTokenCount",
    "cachedContentTokenCount",
    "totalTokenCount",
];

/// Strings with a meaning somewhere: type and event names, finish reasons, ids.
const WORDS: &[&str] = &[
    "",
    "a",
    "é",
    "x\ny",
    "\\",
    "\"",
    "call_1",
    "toolu_1",
    "fc_1",
    "msg_1",
    "resp_1",
    "get_weather",
    "text",
    "thinking",
    "tool_use",
    "server_tool_use",
    "redacted_thinking",
    "text_delta",
    "thinking_delta",
    "input_json_delta",
    "signature_delta",
    "citations_delta",
    "function",
    "function_call",
    "message",
    "reasoning",
    "output_text",
    "summary_text",
    "reasoning.text",
    "reasoning.summary",
    "reasoning.encrypted",
    "[DONE]",
    "error",
    "ping",
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
    "response.created",
    "response.output_text.delta",
    "response.output_item.added",
    "response.output_item.done",
    "response.function_call_arguments.delta",
    "response.function_call_arguments.done",
    "response.completed",
    "response.incomplete",
    "response.failed",
    "completed",
    "incomplete",
    "failed",
    "max_output_tokens",
    "STOP",
    "MAX_TOKENS",
    "SAFETY",
    "stop",
    "length",
    "tool_calls",
    "content_filter",
    "end_turn",
    "max_tokens",
    "refusal",
    "RESOURCE_EXHAUSTED",
    "overloaded_error",
];

/// Tool-call argument texts and fragments: valid, invalid, and the edge cases of JSON validity
/// (numbers out of range, lone surrogates, deep nesting, trailing data).
const ARGUMENTS: &[&str] = &[
    "",
    " ",
    "{",
    "}",
    "{}",
    "{\"a\":",
    "1}",
    "{\"a\":1}",
    "[1,",
    "2]",
    "\"s\"",
    "null",
    "nul",
    "1e400",
    "-1e400",
    "-0",
    "01",
    "\"\\ud800\"",
    "{\"a\":\"\\udc00\"}",
    "{\"a\":\"\\u00e9\"}",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    "\u{0}",
    "é",
    "{\"a\":1}{\"b\":2}",
];

/// Finish reasons of all four transports (and Gemini's numeric enum values).
const FINISH_REASONS: &[&str] = &[
    "stop",
    "length",
    "tool_calls",
    "function_call",
    "content_filter",
    "end_turn",
    "max_tokens",
    "tool_use",
    "refusal",
    "stop_sequence",
    "pause_turn",
    "model_context_window_exceeded",
    "STOP",
    "MAX_TOKENS",
    "SAFETY",
    "MALFORMED_FUNCTION_CALL",
    "",
];

/// The SSE event names the decoders know.
const EVENTS: &[&str] = &[
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
    "ping",
    "error",
    "response.created",
    "response.output_text.delta",
    "response.output_item.added",
    "response.output_item.done",
    "response.function_call_arguments.delta",
    "response.function_call_arguments.done",
    "response.completed",
    "response.failed",
    "message",
];

/// SSE data that is not a JSON payload.
const RAW_DATA: &[&str] = &["[DONE]", "", " ", "not json", "{", "[1]", "\"s\""];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(KEYS).prop_map(str::to_owned),
        1 => "[a-zA-Z_.]{0,10}",
    ]
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(WORDS).prop_map(str::to_owned),
        1 => ".{0,8}",
    ]
}

fn argument_text() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(ARGUMENTS).prop_map(str::to_owned),
        1 => ".{0,6}",
    ]
}

/// A random JSON tree over [`KEYS`], with small integers (indexes) and meaningful strings likely.
fn json_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        3 => (0u64..4).prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => (-1_000_000i32..1_000_000).prop_map(|n| Value::from(f64::from(n) / 8.0)),
        3 => word().prop_map(Value::String),
        2 => argument_text().prop_map(Value::String),
    ];
    // Built once: the recursion closure runs for every generated tree.
    let key = key().boxed();
    leaf.prop_recursive(4, 32, 5, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
    .boxed()
}

/// The kinds of holes in a [`TEMPLATES`] payload, by placeholder.
const HOLES: [&str; 7] = ["$S", "$I", "$A", "$F", "$N", "$B", "$V"];

/// One strategy per hole kind: mostly a value of the expected type, sometimes any value.
fn hole(kind: usize) -> BoxedStrategy<Value> {
    let typed: BoxedStrategy<Value> = match kind {
        0 => word().prop_map(Value::String).boxed(),
        1 => prop_oneof![
            6 => (0u64..3).prop_map(Value::from),
            1 => any::<i64>().prop_map(Value::from),
        ]
        .boxed(),
        2 => argument_text().prop_map(Value::String).boxed(),
        3 => prop_oneof![
            6 => prop::sample::select(FINISH_REASONS).prop_map(Value::from),
            1 => Just(Value::Null),
            1 => (0i64..10).prop_map(Value::from),
        ]
        .boxed(),
        4 => prop_oneof![
            4 => (0u64..1000).prop_map(Value::from),
            1 => any::<i64>().prop_map(Value::from),
            1 => any::<u64>().prop_map(Value::from),
            1 => Just(Value::from(1.5)),
        ]
        .boxed(),
        5 => any::<bool>().prop_map(Value::Bool).boxed(),
        _ => return json_value(),
    };
    prop_oneof![6 => typed, 1 => json_value()].boxed()
}

/// The payload shapes of the four transports, with placeholders for [`HOLES`].
static TEMPLATES: LazyLock<Vec<Value>> = LazyLock::new(|| {
    vec![
        // openai-completions
        json!({"id": "$S", "model": "$S", "choices": [{"index": "$I", "delta": {
            "role": "assistant", "content": "$S", "reasoning_content": "$S",
            "tool_calls": [{"index": "$I", "id": "$S", "type": "function",
                "function": {"name": "$S", "arguments": "$A"}}]},
            "finish_reason": "$F"}]}),
        json!({"choices": [{"delta": {"tool_calls": [{"index": "$I", "function": {"arguments": "$A"}}]}}]}),
        json!({"choices": [{"index": 0, "delta": {"reasoning": "$S", "reasoning_details": [
            {"type": "reasoning.encrypted", "id": "$S", "data": "$S"},
            {"type": "reasoning.text", "text": "$S"}]}}]}),
        json!({"choices": [{"delta": {"function_call": {"name": "$S", "arguments": "$A"}},
            "finish_reason": "$F"}]}),
        json!({"choices": [], "usage": {"prompt_tokens": "$N", "completion_tokens": "$N",
            "total_tokens": "$N", "prompt_tokens_details": {"cached_tokens": "$N"},
            "completion_tokens_details": {"reasoning_tokens": "$N"}}}),
        json!({"error": {"message": "$S", "code": "$V", "type": "$S"}}),
        // openai-responses
        json!({"type": "response.created", "sequence_number": "$N",
            "response": {"id": "$S", "model": "$S", "status": "in_progress"}}),
        json!({"type": "response.output_item.added", "output_index": "$I",
            "item": {"type": "function_call", "id": "$S", "call_id": "$S", "name": "$S",
                "arguments": "$A", "status": "in_progress"}}),
        json!({"type": "response.function_call_arguments.delta", "output_index": "$I",
            "item_id": "$S", "delta": "$A"}),
        json!({"type": "response.function_call_arguments.done", "output_index": "$I",
            "item_id": "$S", "arguments": "$A"}),
        json!({"type": "response.output_item.done", "output_index": "$I",
            "item": {"type": "function_call", "id": "$S", "call_id": "$S", "name": "$S",
                "arguments": "$A"}}),
        json!({"type": "response.output_item.done", "output_index": "$I",
            "item": {"type": "$S", "id": "$S", "summary": [{"type": "summary_text", "text": "$S"}],
                "encrypted_content": "$S", "content": "$V"}}),
        json!({"type": "response.output_text.delta", "output_index": "$I", "item_id": "$S",
            "delta": "$S"}),
        json!({"type": "response.reasoning_summary_text.delta", "output_index": "$I",
            "item_id": "$S", "delta": "$S"}),
        json!({"type": "response.completed", "response": {"id": "$S", "status": "$S",
            "usage": {"input_tokens": "$N", "output_tokens": "$N", "total_tokens": "$N",
                "input_tokens_details": {"cached_tokens": "$N"},
                "output_tokens_details": {"reasoning_tokens": "$N"}}}}),
        json!({"type": "response.failed", "response": {"status": "failed",
            "error": {"code": "$S", "message": "$S"}, "usage": "$V"}}),
        json!({"type": "response.incomplete", "response": {
            "incomplete_details": {"reason": "$S"}, "usage": "$V"}}),
        json!({"type": "error", "code": "$S", "message": "$S", "error": "$V"}),
        // anthropic-messages
        json!({"type": "message_start", "message": {"id": "$S", "model": "$S",
            "usage": {"input_tokens": "$N", "output_tokens": "$N",
                "cache_read_input_tokens": "$N", "cache_creation_input_tokens": "$N"}}}),
        json!({"type": "content_block_start", "index": "$I",
            "content_block": {"type": "tool_use", "id": "$S", "name": "$S", "input": "$V"}}),
        json!({"type": "content_block_start", "index": "$I",
            "content_block": {"type": "$S", "text": "$S", "thinking": "$S", "signature": "$S",
                "data": "$S"}}),
        json!({"type": "content_block_delta", "index": "$I",
            "delta": {"type": "input_json_delta", "partial_json": "$A"}}),
        json!({"type": "content_block_delta", "index": "$I",
            "delta": {"type": "$S", "text": "$S", "thinking": "$S", "signature": "$S",
                "partial_json": "$A"}}),
        json!({"type": "content_block_stop", "index": "$I"}),
        json!({"type": "message_delta", "delta": {"stop_reason": "$F"},
            "usage": {"output_tokens": "$N"}}),
        json!({"type": "message_stop"}),
        json!({"type": "error", "error": {"type": "$S", "message": "$S"}}),
        // google-generative-ai
        json!({"candidates": [{"index": "$I", "content": {"role": "model", "parts": [
                {"text": "$S", "thought": "$B", "thoughtSignature": "$S"},
                {"functionCall": {"name": "$S", "args": "$V", "id": "$S"},
                    "thoughtSignature": "$S"}]},
            "finishReason": "$F"}],
            "usageMetadata": {"promptTokenCount": "$N", "candidatesTokenCount": "$N",
                "thoughtsTokenCount": "$N", "cachedContentTokenCount": "$N",
                "totalTokenCount": "$N"},
            "responseId": "$S", "modelVersion": "$S"}),
        json!({"candidates": [{"content": {"parts": [{"functionCall": {"name": "$S", "args": "$V"}}]}}]}),
        json!({"promptFeedback": {"blockReason": "$V"}}),
        json!({"error": {"code": "$N", "message": "$S", "status": "$V"}}),
    ]
});

/// Values for the holes of one payload: for each kind, a pool used in turn.
type HolePools = [Vec<Value>; 7];

fn hole_pools() -> impl Strategy<Value = HolePools> {
    let pool = |kind| prop::collection::vec(hole(kind), 2);
    (
        pool(0),
        pool(1),
        pool(2),
        pool(3),
        pool(4),
        pool(5),
        pool(6),
    )
        .prop_map(|(s, i, a, f, n, b, v)| [s, i, a, f, n, b, v])
}

/// `template` with its placeholders replaced from `pools`.
fn fill(template: &Value, pools: &HolePools, used: &mut [usize; 7]) -> Value {
    match template {
        Value::String(text) => match HOLES.iter().position(|hole| hole == text) {
            Some(kind) => {
                let pool = &pools[kind];
                let value = pool[used[kind] % pool.len()].clone();
                used[kind] += 1;
                value
            }
            None => template.clone(),
        },
        Value::Array(items) => {
            Value::Array(items.iter().map(|item| fill(item, pools, used)).collect())
        }
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(key, value)| (key.clone(), fill(value, pools, used)))
                .collect(),
        ),
        _ => template.clone(),
    }
}

/// A random edit of a payload: delete a member or element (`None`), or replace it by a value.
type Mutation = (Index, Option<Value>);

fn node_count(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(node_count).sum(),
        Value::Object(members) => members.values().map(node_count).sum(),
        _ => 0,
    }
}

/// Applies `edit` to the `target`-th descendant of `value` (pre-order, root excluded).
fn mutate_at(value: &mut Value, target: &mut usize, edit: &Option<Value>) -> bool {
    match value {
        Value::Array(items) => {
            for at in 0..items.len() {
                if *target == 0 {
                    match edit {
                        None => drop(items.remove(at)),
                        Some(new) => items[at] = new.clone(),
                    }
                    return true;
                }
                *target -= 1;
                if mutate_at(&mut items[at], target, edit) {
                    return true;
                }
            }
        }
        Value::Object(members) => {
            let keys: Vec<String> = members.keys().cloned().collect();
            for key in keys {
                if *target == 0 {
                    match edit {
                        None => drop(members.remove(&key)),
                        Some(new) => members[&key] = new.clone(),
                    }
                    return true;
                }
                *target -= 1;
                if mutate_at(members.get_mut(&key).unwrap(), target, edit) {
                    return true;
                }
            }
        }
        _ => {}
    }
    false
}

fn mutate(value: &mut Value, mutations: &[Mutation]) {
    for (index, edit) in mutations {
        let descendants = node_count(value) - 1;
        if descendants > 0 {
            let mut target = index.index(descendants);
            assert!(
                mutate_at(value, &mut target, edit),
                "mutation target not found"
            );
        }
    }
}

/// A payload: a random tree, or a transport's payload shape with random holes and mutations.
fn payload() -> impl Strategy<Value = Value> {
    let shaped = (
        0..TEMPLATES.len(),
        hole_pools(),
        prop::collection::vec(
            (
                any::<Index>(),
                prop_oneof![Just(None), json_value().prop_map(Some)],
            ),
            0..3,
        ),
    )
        .prop_map(|(template, pools, mutations)| {
            let mut value = fill(&TEMPLATES[template], &pools, &mut [0; 7]);
            mutate(&mut value, &mutations);
            value
        });
    prop_oneof![1 => json_value(), 3 => shaped]
}

/// One frame's data: a JSON payload (compact or pretty) or raw text.
#[derive(Debug, Clone)]
enum Data {
    Json { value: Value, pretty: bool },
    Raw(&'static str),
}

impl Data {
    fn text(&self) -> String {
        match self {
            Data::Json {
                value,
                pretty: true,
            } => serde_json::to_string_pretty(value).unwrap(),
            Data::Json {
                value,
                pretty: false,
            } => serde_json::to_string(value).unwrap(),
            Data::Raw(raw) => (*raw).to_owned(),
        }
    }
}

/// One SSE event: an optional `event:` name and the data.
type Frame = (Option<&'static str>, Data);

fn frames() -> impl Strategy<Value = Vec<Frame>> {
    let data = prop_oneof![
        12 => (payload(), any::<bool>()).prop_map(|(value, pretty)| Data::Json { value, pretty }),
        1 => prop::sample::select(RAW_DATA).prop_map(Data::Raw),
    ];
    prop::collection::vec(
        (
            prop_oneof![1 => Just(None), 3 => prop::sample::select(EVENTS).prop_map(Some)],
            data,
        ),
        1..10,
    )
}

/// The frames as an SSE body (a multi-line payload becomes several `data:` lines).
fn sse_body(frames: &[Frame]) -> Vec<u8> {
    let mut body = String::new();
    for (event, data) in frames {
        if let Some(event) = event {
            body.push_str(&format!("event: {event}\n"));
        }
        for line in data.text().split('\n') {
            body.push_str(&format!("data: {line}\n"));
        }
        body.push('\n');
    }
    body.into_bytes()
}

/// The JSON payloads of the frames as one JSON array (raw data is left out).
fn array_body(frames: &[Frame]) -> Vec<u8> {
    let elements: Vec<String> = frames
        .iter()
        .filter(|(_, data)| matches!(data, Data::Json { .. }))
        .map(|(_, data)| data.text())
        .collect();
    format!("[{}]", elements.join(",")).into_bytes()
}

/// Each transport with each framing and the body in that framing.
fn framed_bodies(frames: &[Frame]) -> Vec<(Transport, Framing, Vec<u8>)> {
    let sse = sse_body(frames);
    let array = array_body(frames);
    Transport::ALL
        .into_iter()
        .flat_map(|transport| {
            [
                (transport, Framing::Sse, sse.clone()),
                (transport, Framing::JsonArray, array.clone()),
            ]
        })
        .collect()
}

/// Whether every tool call's arguments are valid JSON exactly when they carry no error; the
/// first offending call otherwise.
fn check_arguments(message: &AssembledMessage) -> Result<(), String> {
    for call in message.tool_calls() {
        let parsed = serde_json::from_str::<Value>(&call.arguments);
        if parsed.is_ok() != call.arguments_error.is_none() {
            return Err(format!(
                "tool call {:?}: arguments {:?} parse as Value: {:?}, but arguments_error is {:?}",
                call.name,
                call.arguments,
                parsed.err().map(|error| error.to_string()),
                call.arguments_error
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        // PROPTEST_CASES, when set, overrides this count (`with_cases` alone ignores it).
        std::env::var("PROPTEST_CASES").map_or(256, |_| ProptestConfig::default().cases)
    ))]

    /// Every recorded body gives, at any chunking, exactly the results of one feed.
    #[test]
    fn fixture_bodies_decode_the_same_at_any_chunking(
        case in 0..FIXTURES.len(),
        (picks, anchor, offsets) in split_points(),
    ) {
        let fixture = &FIXTURES[case];
        let points = cuts(fixture.body.len(), &picks, anchor, &offsets);
        let chunked = decode(
            fixture.transport,
            fixture.framing,
            split_at_points(&fixture.body, &points),
        );
        let whole = &fixture.whole;
        prop_assert_eq!(&chunked.events, &whole.events, "{}: cuts {:?}", fixture.name, points);
        prop_assert_eq!(&chunked.message, &whole.message, "{}: cuts {:?}", fixture.name, points);
        prop_assert_eq!(&chunked.end, &whole.end, "{}: cuts {:?}", fixture.name, points);
        prop_assert_eq!(&chunked, whole, "{}: cuts {:?}", fixture.name, points);
    }

    /// Arbitrary bytes under every transport × framing never panic, and give the same results
    /// at any chunking (and one byte at a time) as in one feed.
    #[test]
    fn arbitrary_bytes_decode_the_same_at_any_chunking(
        body in arbitrary_body(),
        (picks, anchor, offsets) in split_points(),
    ) {
        let points = cuts(body.len(), &picks, anchor, &offsets);
        for (transport, framing) in combinations() {
            let whole = decode(transport, framing, [body.as_slice()]);
            let chunked = decode(transport, framing, split_at_points(&body, &points));
            prop_assert_eq!(&chunked, &whole, "{} {:?}: cuts {:?}", transport, framing, points);
            let bytewise = decode(transport, framing, body.chunks(1));
            prop_assert_eq!(&bytewise, &whole, "{} {:?}: one byte at a time", transport, framing);
        }
    }

    /// Arbitrary JSON payloads, as SSE events and as a JSON array, under every transport never
    /// panic and give the same results at any chunking as in one feed.
    #[test]
    fn arbitrary_payloads_decode_the_same_at_any_chunking(
        frames in frames(),
        (picks, anchor, offsets) in split_points(),
    ) {
        for (transport, framing, body) in framed_bodies(&frames) {
            let points = cuts(body.len(), &picks, anchor, &offsets);
            let whole = decode(transport, framing, [body.as_slice()]);
            let chunked = decode(transport, framing, split_at_points(&body, &points));
            prop_assert_eq!(&chunked, &whole, "{} {:?}: cuts {:?}", transport, framing, points);
        }
    }

    /// Arbitrary JSON payloads assemble into tool calls whose arguments are valid JSON exactly
    /// when they carry no `arguments_error`.
    #[test]
    fn arbitrary_payloads_assemble_valid_or_flagged_arguments(frames in frames()) {
        for (transport, framing, body) in framed_bodies(&frames) {
            let whole = decode(transport, framing, [body.as_slice()]);
            let checked = check_arguments(&whole.message);
            prop_assert!(
                checked.is_ok(),
                "{} {:?}: {}\nbody: {}",
                transport,
                framing,
                checked.unwrap_err(),
                String::from_utf8_lossy(&body)
            );
        }
    }
}

/// With a fixed seed, the generators of the properties above produce input every transport acts
/// on: events other than `Unrecognized` and keep-alives, tool calls, and (where arguments arrive
/// as text) both valid and invalid arguments. The properties are therefore not vacuous.
#[test]
fn generators_reach_the_decoders() {
    let mut runner = TestRunner::deterministic();

    let bodies = arbitrary_body();
    let mut meaningful = [0usize; 4];
    for _ in 0..128 {
        let body = bodies.new_tree(&mut runner).unwrap().current();
        for (at, transport) in Transport::ALL.into_iter().enumerate() {
            let framing = if transport == Transport::GoogleGenerativeAi {
                Framing::JsonArray
            } else {
                Framing::Sse
            };
            let outcome = decode(transport, framing, [body.as_slice()]);
            if outcome.events.iter().any(|event| is_meaningful(event)) {
                meaningful[at] += 1;
            }
        }
    }
    for (transport, count) in Transport::ALL.into_iter().zip(meaningful) {
        assert!(
            count > 0,
            "{transport}: no arbitrary body produced a meaningful event"
        );
    }

    #[derive(Debug, Default)]
    struct Reach {
        meaningful: usize,
        tool_calls: usize,
        valid: usize,
        flagged: usize,
    }
    let strategy = frames();
    let mut reach: Vec<Reach> = Transport::ALL.iter().map(|_| Reach::default()).collect();
    for _ in 0..128 {
        let frames = strategy.new_tree(&mut runner).unwrap().current();
        for (transport, framing, body) in framed_bodies(&frames) {
            let at = Transport::ALL.iter().position(|t| *t == transport).unwrap();
            let outcome = decode(transport, framing, [body.as_slice()]);
            let reach = &mut reach[at];
            reach.meaningful += outcome
                .events
                .iter()
                .filter(|event| is_meaningful(event))
                .count();
            for call in outcome.message.tool_calls() {
                reach.tool_calls += 1;
                if call.arguments_error.is_some() {
                    reach.flagged += 1;
                } else {
                    reach.valid += 1;
                }
            }
        }
    }
    for (transport, reach) in Transport::ALL.into_iter().zip(&reach) {
        assert!(reach.meaningful > 0, "{transport}: {reach:?}");
        assert!(reach.tool_calls > 0, "{transport}: {reach:?}");
        assert!(reach.valid > 0, "{transport}: {reach:?}");
        // Gemini's `args` is JSON by construction; the others send arguments as text.
        if transport != Transport::GoogleGenerativeAi {
            assert!(reach.flagged > 0, "{transport}: {reach:?}");
        }
    }
}
