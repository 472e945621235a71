//! Rendering a planned [`Reply`] in each transport's real wire format (WIRE.md §2), and cutting
//! it into network writes.
//!
//! | Format | Shape (WIRE.md) |
//! | --- | --- |
//! | Chat Completions | §2a: `data:` lines only, `chat.completion.chunk` objects, reasoning as `delta.reasoning_content` (the DeepSeek / vLLM form), tool-call argument fragments, the usage chunk with `choices: []` only when `stream_options.include_usage` is true, then `data: [DONE]` |
//! | Responses | §2b: `event:` + `data:` with `type` and `sequence_number` from 0; `response.created`, `in_progress`, a reasoning item with summary deltas, a message item, a function-call item, `response.completed` with the usage; no `[DONE]` |
//! | Anthropic | §2c: `message_start` … `message_stop`, a `ping` spelled `{"type": "ping"}`, a thinking block with one `signature_delta`, text and `tool_use` blocks, cumulative `message_delta.usage`; content-block deltas padded with spaces before their final `}` as real responses are |
//! | Gemini SSE | §2d: `data:` lines only, `": "` after keys and no space after commas, each event ending `\r\n\r\n`; `usageMetadata` on every chunk, `finishReason` on the last; no `[DONE]` |
//! | Gemini array | §2d: one JSON array, elements pretty-printed with two-space indentation, separated by `\n,\r\n`, ending `\n]` |
//!
//! Writes ([`chunk_writes`]): the framed events are grouped so that most writes carry more than
//! one event and every third event is split across two writes, as real servers and proxies do.

use bytes::Bytes;
use serde::Serialize;
use serde_json::{Value, json};

use crate::reply::Reply;

/// Every `created` timestamp the emulator sends: replies are a function of the request only.
const CREATED: u64 = 1_760_000_000;

/// A streamed body format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WireFormat {
    /// OpenAI Chat Completions (WIRE.md §2a).
    Chat,
    /// OpenAI Responses (WIRE.md §2b).
    Responses,
    /// Anthropic Messages (WIRE.md §2c).
    Anthropic,
    /// Gemini `streamGenerateContent?alt=sse` (WIRE.md §2d).
    GeminiSse,
    /// Gemini `streamGenerateContent` without `alt=sse`: the streamed JSON array (WIRE.md §2d).
    GeminiArray,
}

impl WireFormat {
    /// Every format.
    pub const ALL: [WireFormat; 5] = [
        WireFormat::Chat,
        WireFormat::Responses,
        WireFormat::Anthropic,
        WireFormat::GeminiSse,
        WireFormat::GeminiArray,
    ];

    /// The `Content-Type` of a body in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            WireFormat::GeminiArray => "application/json; charset=UTF-8",
            _ => "text/event-stream; charset=utf-8",
        }
    }
}

/// What the renderer needs besides the reply.
#[derive(Clone, Copy, Debug)]
pub struct RenderContext<'a> {
    /// The model name the stream reports.
    pub model: &'a str,
    /// Chat: send the usage chunk (`stream_options.include_usage`).
    pub include_usage: bool,
}

/// The framed events of a complete, successful reply, one entry per event (SSE event, or
/// JSON-array element with its separator; the array's closing `\n]` is the last entry).
/// Concatenated, they are the response body the server streams.
pub fn render(format: WireFormat, context: &RenderContext<'_>, reply: &Reply) -> Vec<Vec<u8>> {
    match format {
        WireFormat::Chat => chat(context, reply),
        WireFormat::Responses => responses(context, reply),
        WireFormat::Anthropic => anthropic(context, reply),
        WireFormat::GeminiSse | WireFormat::GeminiArray => {
            let chunks = gemini_chunks(context, reply);
            if format == WireFormat::GeminiSse {
                chunks.iter().map(gemini_sse_event).collect()
            } else {
                let mut pieces: Vec<Vec<u8>> = chunks
                    .iter()
                    .enumerate()
                    .map(|(position, chunk)| array_element(chunk, position == 0))
                    .collect();
                pieces.push(b"\n]".to_vec());
                pieces
            }
        }
    }
}

/// The message every injected in-stream error carries.
pub const FAULT_MESSAGE: &str = "The ClawRouter emulator injected an error after HTTP 200.";

/// The transport's in-stream error, to follow `sent` framed events (WIRE.md §2, "Errors after
/// the 200").
pub fn error_tail(
    format: WireFormat,
    context: &RenderContext<'_>,
    reply: &Reply,
    sent: usize,
) -> Vec<Vec<u8>> {
    match format {
        WireFormat::Chat => vec![sse_data(&json!({
            "error": {"message": FAULT_MESSAGE, "type": "server_error", "param": null, "code": "emulated_fault"}
        }))],
        WireFormat::Responses => vec![
            sse_named(
                "error",
                &json!({
                    "type": "error",
                    "sequence_number": sent,
                    "error": {"type": "server_error", "code": "emulated_fault", "message": FAULT_MESSAGE, "param": null}
                }),
            ),
            sse_named(
                "response.failed",
                &json!({
                    "type": "response.failed",
                    "sequence_number": sent + 1,
                    "response": {
                        "id": format!("resp_{}", reply.id), "object": "response", "created_at": CREATED,
                        "status": "failed", "model": context.model, "output": [],
                        "error": {"code": "emulated_fault", "message": FAULT_MESSAGE}, "usage": null
                    }
                }),
            ),
        ],
        WireFormat::Anthropic => vec![sse_named(
            "error",
            &json!({
                "type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}
            }),
        )],
        WireFormat::GeminiSse => {
            // Gemini sends a mid-stream error as raw pretty-printed lines, not SSE-framed.
            let mut lines = pretty(&gemini_error());
            lines.push(b'\n');
            vec![lines]
        }
        WireFormat::GeminiArray => vec![array_element(&gemini_error(), sent == 0), b"\n]".to_vec()],
    }
}

fn gemini_error() -> Value {
    json!({"error": {"code": 503, "message": FAULT_MESSAGE, "status": "UNAVAILABLE"}})
}

/// Groups framed events into network writes (module docs).
pub fn chunk_writes(pieces: &[Vec<u8>]) -> Vec<Bytes> {
    let mut writes = Vec::with_capacity(pieces.len());
    let mut current: Vec<u8> = Vec::new();
    for (position, piece) in pieces.iter().enumerate() {
        match position % 3 {
            0 => current.extend_from_slice(piece),
            1 => {
                current.extend_from_slice(piece);
                writes.push(Bytes::from(std::mem::take(&mut current)));
            }
            _ => {
                let (head, tail) = piece
                    .split_at_checked(piece.len() / 2)
                    .unwrap_or((piece, &[]));
                current.extend_from_slice(head);
                writes.push(Bytes::from(std::mem::take(&mut current)));
                current.extend_from_slice(tail);
            }
        }
    }
    if !current.is_empty() {
        writes.push(Bytes::from(current));
    }
    writes
}

fn compact(value: &Value) -> String {
    value.to_string()
}

fn sse_data(value: &Value) -> Vec<u8> {
    format!("data: {}\n\n", compact(value)).into_bytes()
}

fn sse_named(event: &str, value: &Value) -> Vec<u8> {
    format!("event: {event}\ndata: {}\n\n", compact(value)).into_bytes()
}

fn pretty(value: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(value).unwrap_or_default()
}

fn array_element(value: &Value, first: bool) -> Vec<u8> {
    let mut piece = if first {
        b"[".to_vec()
    } else {
        b"\n,\r\n".to_vec()
    };
    piece.extend_from_slice(&pretty(value));
    piece
}

/// Google's serializer: `": "` after keys, nothing after commas.
struct GoogleFormatter;

impl serde_json::ser::Formatter for GoogleFormatter {
    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        writer.write_all(b": ")
    }
}

fn gemini_sse_event(value: &Value) -> Vec<u8> {
    let mut out = b"data: ".to_vec();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, GoogleFormatter);
    // Serializing a `Value` into a Vec cannot fail.
    let _ = value.serialize(&mut serializer);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

/// Splits tool arguments into two fragments (at a character boundary near the middle), the
/// way streams split JSON anywhere.
fn argument_fragments(arguments: &str) -> Vec<&str> {
    let middle = arguments.len() / 2;
    let cut = (middle..=arguments.len())
        .find(|position| arguments.is_char_boundary(*position))
        .unwrap_or(arguments.len());
    let (head, tail) = arguments.split_at_checked(cut).unwrap_or((arguments, ""));
    [head, tail]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect()
}

fn chat(context: &RenderContext<'_>, reply: &Reply) -> Vec<Vec<u8>> {
    let id = format!("chatcmpl-{}", reply.id);
    let chunk = |delta: Value, finish: Value| {
        let mut chunk = json!({
            "id": id, "object": "chat.completion.chunk", "created": CREATED, "model": context.model,
            "system_fingerprint": "fp_emulator",
            "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}]
        });
        if context.include_usage
            && let Some(object) = chunk.as_object_mut()
        {
            object.insert("usage".to_owned(), Value::Null);
        }
        sse_data(&chunk)
    };
    let mut pieces = vec![chunk(
        json!({"role": "assistant", "content": "", "refusal": null}),
        Value::Null,
    )];
    for delta in &reply.reasoning_deltas {
        pieces.push(chunk(json!({"reasoning_content": delta}), Value::Null));
    }
    for delta in &reply.text_deltas {
        pieces.push(chunk(json!({"content": delta}), Value::Null));
    }
    if let Some(call) = &reply.tool_call {
        pieces.push(chunk(
            json!({"tool_calls": [{"index": 0, "id": format!("call_{}", reply.id), "type": "function",
                    "function": {"name": call.name, "arguments": ""}}]}),
            Value::Null,
        ));
        for fragment in argument_fragments(&call.arguments) {
            pieces.push(chunk(
                json!({"tool_calls": [{"index": 0, "function": {"arguments": fragment}}]}),
                Value::Null,
            ));
        }
    }
    let finish = if reply.tool_call.is_some() {
        "tool_calls"
    } else {
        "stop"
    };
    pieces.push(chunk(json!({}), Value::from(finish)));
    if context.include_usage {
        pieces.push(sse_data(&json!({
            "id": id, "object": "chat.completion.chunk", "created": CREATED, "model": context.model,
            "system_fingerprint": "fp_emulator", "choices": [],
            "usage": {
                "prompt_tokens": reply.input_tokens,
                "completion_tokens": reply.output_tokens,
                "total_tokens": reply.input_tokens + reply.output_tokens,
                "prompt_tokens_details": {"cached_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": reply.reasoning_tokens}
            }
        })));
    }
    pieces.push(b"data: [DONE]\n\n".to_vec());
    pieces
}

fn responses(context: &RenderContext<'_>, reply: &Reply) -> Vec<Vec<u8>> {
    let response_id = format!("resp_{}", reply.id);
    let mut pieces = Vec::new();
    let mut sequence = 0u64;
    let mut push = |pieces: &mut Vec<Vec<u8>>, kind: &str, mut payload: Value| {
        if let Some(object) = payload.as_object_mut() {
            object.insert("sequence_number".to_owned(), Value::from(sequence));
        }
        sequence += 1;
        pieces.push(sse_named(kind, &payload));
    };
    let envelope = |status: &str, output: Value, usage: Value| {
        json!({"id": response_id, "object": "response", "created_at": CREATED, "status": status,
               "model": context.model, "output": output, "usage": usage})
    };
    for kind in ["response.created", "response.in_progress"] {
        push(
            &mut pieces,
            kind,
            json!({"type": kind, "response": envelope("in_progress", json!([]), Value::Null)}),
        );
    }
    let mut output = Vec::new();
    if let Some(reasoning) = &reply.reasoning {
        let item_id = format!("rs_{}", reply.id);
        let index = output.len();
        push(
            &mut pieces,
            "response.output_item.added",
            json!({"type": "response.output_item.added", "output_index": index,
            "item": {"id": item_id, "type": "reasoning", "summary": []}}),
        );
        push(
            &mut pieces,
            "response.reasoning_summary_part.added",
            json!({"type": "response.reasoning_summary_part.added",
            "item_id": item_id, "output_index": index, "summary_index": 0, "part": {"type": "summary_text", "text": ""}}),
        );
        for delta in &reply.reasoning_deltas {
            push(
                &mut pieces,
                "response.reasoning_summary_text.delta",
                json!({"type": "response.reasoning_summary_text.delta",
                "item_id": item_id, "output_index": index, "summary_index": 0, "delta": delta}),
            );
        }
        push(
            &mut pieces,
            "response.reasoning_summary_text.done",
            json!({"type": "response.reasoning_summary_text.done",
            "item_id": item_id, "output_index": index, "summary_index": 0, "text": reasoning}),
        );
        push(
            &mut pieces,
            "response.reasoning_summary_part.done",
            json!({"type": "response.reasoning_summary_part.done",
            "item_id": item_id, "output_index": index, "summary_index": 0, "part": {"type": "summary_text", "text": reasoning}}),
        );
        let item = json!({"id": item_id, "type": "reasoning", "summary": [{"type": "summary_text", "text": reasoning}],
            "encrypted_content": format!("ZW11bGF0b3I{}", reply.id)});
        push(
            &mut pieces,
            "response.output_item.done",
            json!({"type": "response.output_item.done", "output_index": index, "item": item}),
        );
        output.push(item);
    }
    {
        let item_id = format!("msg_{}", reply.id);
        let index = output.len();
        push(
            &mut pieces,
            "response.output_item.added",
            json!({"type": "response.output_item.added", "output_index": index,
            "item": {"id": item_id, "type": "message", "status": "in_progress", "role": "assistant", "content": []}}),
        );
        push(
            &mut pieces,
            "response.content_part.added",
            json!({"type": "response.content_part.added", "item_id": item_id,
            "output_index": index, "content_index": 0, "part": {"type": "output_text", "annotations": [], "text": ""}}),
        );
        for delta in &reply.text_deltas {
            push(
                &mut pieces,
                "response.output_text.delta",
                json!({"type": "response.output_text.delta", "item_id": item_id,
                "output_index": index, "content_index": 0, "delta": delta, "logprobs": []}),
            );
        }
        push(
            &mut pieces,
            "response.output_text.done",
            json!({"type": "response.output_text.done", "item_id": item_id,
            "output_index": index, "content_index": 0, "text": reply.text, "logprobs": []}),
        );
        let part = json!({"type": "output_text", "annotations": [], "text": reply.text});
        push(
            &mut pieces,
            "response.content_part.done",
            json!({"type": "response.content_part.done", "item_id": item_id,
            "output_index": index, "content_index": 0, "part": part}),
        );
        let item = json!({"id": item_id, "type": "message", "status": "completed", "role": "assistant", "content": [part]});
        push(
            &mut pieces,
            "response.output_item.done",
            json!({"type": "response.output_item.done", "output_index": index, "item": item}),
        );
        output.push(item);
    }
    if let Some(call) = &reply.tool_call {
        let item_id = format!("fc_{}", reply.id);
        let call_id = format!("call_{}", reply.id);
        let index = output.len();
        push(
            &mut pieces,
            "response.output_item.added",
            json!({"type": "response.output_item.added", "output_index": index,
            "item": {"id": item_id, "type": "function_call", "status": "in_progress", "arguments": "", "call_id": call_id, "name": call.name}}),
        );
        for fragment in argument_fragments(&call.arguments) {
            push(
                &mut pieces,
                "response.function_call_arguments.delta",
                json!({"type": "response.function_call_arguments.delta",
                "item_id": item_id, "output_index": index, "delta": fragment}),
            );
        }
        push(
            &mut pieces,
            "response.function_call_arguments.done",
            json!({"type": "response.function_call_arguments.done",
            "item_id": item_id, "output_index": index, "arguments": call.arguments}),
        );
        let item = json!({"id": item_id, "type": "function_call", "status": "completed", "arguments": call.arguments,
            "call_id": call_id, "name": call.name});
        push(
            &mut pieces,
            "response.output_item.done",
            json!({"type": "response.output_item.done", "output_index": index, "item": item}),
        );
        output.push(item);
    }
    let usage = json!({
        "input_tokens": reply.input_tokens, "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": reply.output_tokens, "output_tokens_details": {"reasoning_tokens": reply.reasoning_tokens},
        "total_tokens": reply.input_tokens + reply.output_tokens
    });
    push(
        &mut pieces,
        "response.completed",
        json!({"type": "response.completed",
        "response": envelope("completed", Value::Array(output), usage)}),
    );
    pieces
}

fn anthropic(context: &RenderContext<'_>, reply: &Reply) -> Vec<Vec<u8>> {
    let mut pieces = Vec::new();
    // Real content-block deltas carry a varying run of spaces before their final brace.
    let padded = |value: &Value, spaces: usize| {
        let mut data = compact(value);
        data.pop();
        data.push_str(&" ".repeat(spaces));
        data.push('}');
        format!("event: content_block_delta\ndata: {data}\n\n").into_bytes()
    };
    pieces.push(sse_named("message_start", &json!({"type": "message_start", "message": {
        "id": format!("msg_{}", reply.id), "type": "message", "role": "assistant", "content": [], "model": context.model,
        "stop_reason": null, "stop_sequence": null,
        "usage": {"input_tokens": reply.input_tokens, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "output_tokens": 1}
    }})));
    let mut index = 0usize;
    let mut deltas = 0usize;
    if reply.reasoning.is_some() {
        pieces.push(sse_named(
            "content_block_start",
            &json!({"type": "content_block_start", "index": index,
            "content_block": {"type": "thinking", "thinking": "", "signature": ""}}),
        ));
        pieces.push(b"event: ping\ndata: {\"type\": \"ping\"}\n\n".to_vec());
        for delta in &reply.reasoning_deltas {
            pieces.push(padded(
                &json!({"type": "content_block_delta", "index": index,
                "delta": {"type": "thinking_delta", "thinking": delta}}),
                deltas % 4 * 3,
            ));
            deltas += 1;
        }
        pieces.push(padded(&json!({"type": "content_block_delta", "index": index,
            "delta": {"type": "signature_delta", "signature": format!("RW11bGF0b3Igc2lnbmF0dXJl{}", reply.id)}}), 0));
        pieces.push(sse_named(
            "content_block_stop",
            &json!({"type": "content_block_stop", "index": index}),
        ));
        index += 1;
    }
    pieces.push(sse_named(
        "content_block_start",
        &json!({"type": "content_block_start", "index": index,
        "content_block": {"type": "text", "text": ""}}),
    ));
    if reply.reasoning.is_none() {
        pieces.push(b"event: ping\ndata: {\"type\": \"ping\"}\n\n".to_vec());
    }
    for delta in &reply.text_deltas {
        pieces.push(padded(
            &json!({"type": "content_block_delta", "index": index,
            "delta": {"type": "text_delta", "text": delta}}),
            deltas % 4 * 3,
        ));
        deltas += 1;
    }
    pieces.push(sse_named(
        "content_block_stop",
        &json!({"type": "content_block_stop", "index": index}),
    ));
    index += 1;
    if let Some(call) = &reply.tool_call {
        pieces.push(sse_named("content_block_start", &json!({"type": "content_block_start", "index": index,
            "content_block": {"type": "tool_use", "id": format!("toolu_{}", reply.id), "name": call.name, "input": {}}})));
        let mut fragments = vec![""];
        fragments.extend(argument_fragments(&call.arguments));
        for fragment in fragments {
            pieces.push(padded(
                &json!({"type": "content_block_delta", "index": index,
                "delta": {"type": "input_json_delta", "partial_json": fragment}}),
                0,
            ));
        }
        pieces.push(sse_named(
            "content_block_stop",
            &json!({"type": "content_block_stop", "index": index}),
        ));
    }
    let stop = if reply.tool_call.is_some() {
        "tool_use"
    } else {
        "end_turn"
    };
    pieces.push(sse_named("message_delta", &json!({"type": "message_delta",
        "delta": {"stop_reason": stop, "stop_sequence": null}, "usage": {"output_tokens": reply.output_tokens}})));
    pieces.push(sse_named("message_stop", &json!({"type": "message_stop"})));
    pieces
}

/// Words per Gemini chunk: Gemini streams a few tokens per chunk, not one.
const GEMINI_WORDS_PER_CHUNK: usize = 3;

fn gemini_chunks(context: &RenderContext<'_>, reply: &Reply) -> Vec<Value> {
    // (parts, candidates tokens so far, thought tokens so far)
    let mut plan: Vec<(Vec<Value>, u64, u64)> = Vec::new();
    let mut thoughts = 0u64;
    let mut candidates = 0u64;
    for group in reply.reasoning_deltas.chunks(GEMINI_WORDS_PER_CHUNK) {
        thoughts += group.len() as u64;
        plan.push((
            vec![json!({"text": group.concat(), "thought": true})],
            candidates,
            thoughts,
        ));
    }
    for group in reply.text_deltas.chunks(GEMINI_WORDS_PER_CHUNK) {
        candidates += group.len() as u64;
        plan.push((vec![json!({"text": group.concat()})], candidates, thoughts));
    }
    if let Some(call) = &reply.tool_call {
        let args: Value = serde_json::from_str(&call.arguments).unwrap_or_else(|_| json!({}));
        plan.push((
            vec![json!({"functionCall": {"name": call.name, "args": args},
                        "thoughtSignature": format!("RW11bGF0b3I{}", reply.id)})],
            candidates,
            thoughts,
        ));
    }
    let last = plan.len().saturating_sub(1);
    plan.into_iter()
        .enumerate()
        .map(|(position, (parts, candidates, thoughts))| {
            let finished = position == last;
            let (candidates, thoughts) = if finished {
                (
                    reply.output_tokens.saturating_sub(reply.reasoning_tokens),
                    reply.reasoning_tokens,
                )
            } else {
                (candidates, thoughts)
            };
            let mut candidate = json!({"content": {"parts": parts, "role": "model"}});
            let mut usage = json!({"promptTokenCount": reply.input_tokens});
            if let (Some(candidate), Some(usage)) =
                (candidate.as_object_mut(), usage.as_object_mut())
            {
                if finished {
                    candidate.insert("finishReason".to_owned(), Value::from("STOP"));
                }
                candidate.insert("index".to_owned(), Value::from(0));
                if candidates > 0 {
                    usage.insert("candidatesTokenCount".to_owned(), Value::from(candidates));
                }
                usage.insert(
                    "totalTokenCount".to_owned(),
                    Value::from(reply.input_tokens + candidates + thoughts),
                );
                usage.insert(
                    "promptTokensDetails".to_owned(),
                    json!([{"modality": "TEXT", "tokenCount": reply.input_tokens}]),
                );
                if thoughts > 0 {
                    usage.insert("thoughtsTokenCount".to_owned(), Value::from(thoughts));
                }
            }
            json!({"candidates": [candidate], "usageMetadata": usage, "modelVersion": context.model,
                   "responseId": format!("emu{}", reply.id)})
        })
        .collect()
}
