//! `openai-completions` request bodies (POLICY.md §3.2 "openai-completions (chat)").
//!
//! Body: `{"model", "messages", "stream":true, "stream_options":{"include_usage":true},
//! "max_completion_tokens"?, "reasoning_effort"?, "tools"?}`.
//!
//! Choices where the spec is silent or leaves it to compat flags (ClawRouter sets none):
//! * The system prompt is a `developer` message for reasoning models (§0.1 heuristic), else
//!   `system`.
//! * The output limit is `max_completion_tokens` (the current OpenAI name; `max_tokens` is
//!   deprecated for reasoning models).
//! * The reasoning level is sent as `reasoning_effort` with the wire effort of PROTOCOL.md §4.7
//!   (`off` → not sent); whether the model supports it is the catalog's business.
//! * `stream_options.include_usage` makes the server send usage in a final chunk (WIRE.md §2a).
//! * No compat bridges (`requiresAssistantAfterToolResult`, `requiresThinkingAsText`,
//!   `requiresToolResultName`): ClawRouter's catalog sets none of them.
//! * Tools are sorted by name and sent with `strict:false` (the fork, §3.2); messages of unknown
//!   roles cannot be expressed and are skipped.

use serde_json::{Map, Value, json};

use super::{RequestSpec, arguments_json, join_texts};
use crate::conversation::{Content, ContentBlock, Message};
use crate::diagnostic::Diagnostic;

/// Names of the delta fields a chat-completions reasoning signature may name (§1.3).
const REASONING_FIELDS: [&str; 3] = ["reasoning_content", "reasoning", "reasoning_text"];

pub(crate) fn body(
    spec: &RequestSpec<'_>,
    messages: &[Message],
    _diagnostics: &mut [Diagnostic],
) -> Value {
    let mut out = Vec::with_capacity(messages.len() + 1);
    if let Some(system) = spec.system_prompt {
        let role = if spec.is_reasoning_model() {
            "developer"
        } else {
            "system"
        };
        out.push(json!({"role": role, "content": system}));
    }
    let images = spec.accepts_images();
    let mut pending_images: Vec<Value> = Vec::new();
    let mut has_tool_history = false;
    for message in messages {
        if !matches!(message, Message::ToolResult(_)) {
            flush_tool_images(&mut out, &mut pending_images);
        }
        match message {
            Message::User(user) => match &user.content {
                Some(Content::Text(text)) => out.push(json!({"role":"user","content":text})),
                Some(Content::Blocks(blocks)) => {
                    let parts: Vec<Value> = blocks.iter().filter_map(user_part).collect();
                    if !parts.is_empty() {
                        out.push(json!({"role":"user","content":parts}));
                    }
                }
                _ => {}
            },
            Message::Assistant(_) => {
                if let Some(value) = assistant(message.blocks()) {
                    has_tool_history |= value.get("tool_calls").is_some();
                    out.push(value);
                }
            }
            Message::ToolResult(result) => {
                has_tool_history = true;
                let blocks = message.blocks();
                let text = join_texts(blocks, "\n");
                let has_images = blocks
                    .iter()
                    .any(|block| matches!(block, ContentBlock::Image(_)));
                let content = if text.is_empty() && has_images {
                    "(see attached image)".to_owned()
                } else if let Some(Content::Text(plain)) = &result.content {
                    plain.clone()
                } else {
                    text
                };
                out.push(json!({
                    "role": "tool",
                    "tool_call_id": result.tool_call_id.clone().unwrap_or_default(),
                    "content": content,
                }));
                if images {
                    pending_images.extend(blocks.iter().filter_map(image_url_part));
                }
            }
            Message::Other(_) => {}
        }
    }
    flush_tool_images(&mut out, &mut pending_images);

    let mut body = Map::new();
    body.insert("model".into(), Value::from(spec.model));
    body.insert("messages".into(), Value::Array(out));
    if spec.stream {
        body.insert("stream".into(), Value::Bool(true));
        body.insert("stream_options".into(), json!({"include_usage": true}));
    }
    if let Some(max) = spec.max_output_tokens {
        body.insert("max_completion_tokens".into(), Value::from(max));
    }
    if let Some(level) = spec.reasoning_level() {
        body.insert("reasoning_effort".into(), Value::from(wire_effort(level)));
    }
    if !spec.tools.is_empty() || has_tool_history {
        let mut tools: Vec<_> = spec.tools.iter().collect();
        tools.sort_by(|a, b| a.name.cmp(&b.name));
        let tools = tools
            .into_iter()
            .map(|tool| {
                json!({"type":"function","function":{
                    "name": tool.name, "description": tool.description,
                    "parameters": tool.parameters, "strict": false}})
            })
            .collect();
        body.insert("tools".into(), Value::Array(tools));
    }
    Value::Object(body)
}

/// PROTOCOL.md §4.7: OpenClaw level id → wire effort (`off` → `none`; others unchanged).
pub(crate) fn wire_effort(level: &str) -> &str {
    match level {
        "off" => "none",
        other => other,
    }
}

fn user_part(block: &ContentBlock) -> Option<Value> {
    match block {
        ContentBlock::Text(text) => Some(json!({"type":"text","text":text.text})),
        ContentBlock::Image(_) => image_url_part(block),
        _ => None,
    }
}

fn image_url_part(block: &ContentBlock) -> Option<Value> {
    match block {
        ContentBlock::Image(image) => Some(json!({"type":"image_url","image_url":{
            "url": format!("data:{};base64,{}", image.mime_type, image.data)}})),
        _ => None,
    }
}

fn flush_tool_images(out: &mut Vec<Value>, pending: &mut Vec<Value>) {
    if pending.is_empty() {
        return;
    }
    let mut parts = vec![json!({"type":"text","text":"Attached image(s) from tool result:"})];
    parts.append(pending);
    out.push(json!({"role":"user","content":parts}));
}

fn assistant(blocks: &[ContentBlock]) -> Option<Value> {
    let text: String = blocks
        .iter()
        .filter_map(|block| match block {
            ContentBlock::Text(text) if !text.text.trim().is_empty() => Some(text.text.as_str()),
            _ => None,
        })
        .collect();
    let thinking: Vec<_> = blocks
        .iter()
        .filter_map(|block| match block {
            ContentBlock::Thinking(thinking) if !thinking.thinking.trim().is_empty() => {
                Some(thinking)
            }
            _ => None,
        })
        .collect();
    let calls: Vec<_> = blocks
        .iter()
        .filter_map(ContentBlock::as_tool_call)
        .collect();
    let mut message = Map::new();
    message.insert("role".into(), Value::from("assistant"));
    let has_content = !text.is_empty();
    message.insert(
        "content".into(),
        if has_content {
            Value::String(text)
        } else {
            Value::Null
        },
    );
    if let Some(field) = thinking
        .first()
        .and_then(|first| first.thinking_signature.as_deref())
        .filter(|field| REASONING_FIELDS.contains(field))
    {
        let joined = thinking
            .iter()
            .map(|block| block.thinking.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        message.insert(field.to_owned(), Value::String(joined));
    }
    if !calls.is_empty() {
        let tool_calls = calls
            .iter()
            .map(|call| {
                json!({"id": call.id.clone().unwrap_or_default(), "type":"function",
                       "function": {"name": call.name.clone().unwrap_or_default(),
                                    "arguments": arguments_json(call)}})
            })
            .collect();
        message.insert("tool_calls".into(), Value::Array(tool_calls));
        let details: Vec<Value> = calls
            .iter()
            .filter_map(|call| call.thought_signature.as_deref())
            .filter_map(|signature| serde_json::from_str(signature).ok())
            .collect();
        if !details.is_empty() {
            message.insert("reasoning_details".into(), Value::Array(details));
        }
    }
    (has_content || !calls.is_empty()).then_some(Value::Object(message))
}
