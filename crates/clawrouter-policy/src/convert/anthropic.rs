//! `anthropic-messages` request bodies (POLICY.md §3.2 "anthropic-messages").
//!
//! Body: `{"model", "max_tokens", "system"?, "messages", "stream":true, "thinking"?, "tools"?}`.
//!
//! Choices where the spec is silent:
//! * `max_tokens` is required by the API: the request's limit, else [`DEFAULT_MAX_TOKENS`].
//! * The system prompt is sent as a plain string.
//! * A reasoning level becomes `thinking:{type:"enabled", budget_tokens}` with the budget of
//!   [`thinking_budget`]. The API needs `budget_tokens < max_tokens` and at least 1024, so the
//!   budget is cut to `max_tokens - 1`; if that is under 1024 thinking is not requested and a
//!   [`RequestOption`](crate::diagnostic::DiagnosticKind::RequestOption) diagnostic says so.
//! * Tools keep their whole (already normalized) schema as `input_schema`, with `type:"object"`,
//!   `properties` and `required` forced (the fork); the fork's tuple-`items` → `prefixItems`
//!   rewrite is not yet implemented.

use serde_json::{Map, Value, json};

use super::{RequestSpec, arguments_object};
use crate::conversation::{Content, ContentBlock, Message};
use crate::diagnostic::{Diagnostic, DiagnosticKind};

/// `max_tokens` when the request sets no limit.
pub const DEFAULT_MAX_TOKENS: u64 = 8192;

/// The thinking budget for a reasoning level (pi-ai's defaults; `xhigh` / `max` take the
/// largest). `None` for `off` / `none` / unknown levels.
pub fn thinking_budget(level: &str) -> Option<u64> {
    Some(match level {
        "minimal" => 1024,
        "low" => 2048,
        "medium" => 8192,
        "high" => 16384,
        "xhigh" | "max" => 32000,
        _ => return None,
    })
}

pub(crate) fn body(
    spec: &RequestSpec<'_>,
    messages: &[Message],
    diagnostics: &mut Vec<Diagnostic>,
) -> Value {
    let mut out: Vec<Value> = Vec::with_capacity(messages.len());
    let mut results: Vec<Value> = Vec::new();
    for message in messages {
        if !matches!(message, Message::ToolResult(_)) && !results.is_empty() {
            out.push(json!({"role":"user","content":std::mem::take(&mut results)}));
        }
        match message {
            Message::User(user) => match &user.content {
                Some(Content::Text(text)) if !text.trim().is_empty() => {
                    out.push(json!({"role":"user","content":text}));
                }
                Some(Content::Blocks(blocks)) => {
                    let parts: Vec<Value> = blocks.iter().filter_map(user_part).collect();
                    if !parts.is_empty() {
                        out.push(json!({"role":"user","content":parts}));
                    }
                }
                _ => {}
            },
            Message::Assistant(_) => {
                let parts: Vec<Value> =
                    message.blocks().iter().filter_map(assistant_part).collect();
                if !parts.is_empty() {
                    out.push(json!({"role":"assistant","content":parts}));
                }
            }
            Message::ToolResult(result) => {
                let blocks = message.blocks();
                let has_images = blocks
                    .iter()
                    .any(|block| matches!(block, ContentBlock::Image(_)));
                let content = if has_images {
                    let mut parts: Vec<Value> = blocks.iter().filter_map(user_part).collect();
                    if !blocks
                        .iter()
                        .any(|block| matches!(block, ContentBlock::Text(_)))
                    {
                        parts.insert(0, json!({"type":"text","text":"(see attached image)"}));
                    }
                    Value::Array(parts)
                } else {
                    match &result.content {
                        Some(Content::Text(plain)) => Value::String(plain.clone()),
                        _ => Value::String(super::join_texts(blocks, "\n")),
                    }
                };
                results.push(json!({"type":"tool_result",
                    "tool_use_id": result.tool_call_id.clone().unwrap_or_default(),
                    "content": content, "is_error": result.is_error.unwrap_or(false)}));
            }
            Message::Other(_) => {}
        }
    }
    if !results.is_empty() {
        out.push(json!({"role":"user","content":results}));
    }

    let mut max_tokens = spec.max_output_tokens.unwrap_or(DEFAULT_MAX_TOKENS);
    if max_tokens == 0 {
        max_tokens = DEFAULT_MAX_TOKENS;
    }
    let mut body = Map::new();
    body.insert("model".into(), Value::from(spec.model));
    body.insert("max_tokens".into(), Value::from(max_tokens));
    if let Some(system) = spec.system_prompt {
        body.insert("system".into(), Value::from(system));
    }
    body.insert("messages".into(), Value::Array(out));
    if spec.stream {
        body.insert("stream".into(), Value::Bool(true));
    }
    if let Some(level) = spec.reasoning_level() {
        match thinking_budget(level).map(|budget| budget.min(max_tokens.saturating_sub(1))) {
            Some(budget) if budget >= 1024 => {
                body.insert("thinking".into(), json!({"type":"enabled","budget_tokens":budget}));
            }
            Some(_) => diagnostics.push(Diagnostic::general(
                DiagnosticKind::RequestOption,
                format!("reasoning level {level:?} not requested: max_tokens {max_tokens} leaves no thinking budget of at least 1024 tokens"),
            )),
            None => diagnostics.push(Diagnostic::general(
                DiagnosticKind::RequestOption,
                format!("unknown reasoning level {level:?} ignored"),
            )),
        }
    }
    if !spec.tools.is_empty() {
        let tools = spec
            .tools
            .iter()
            .map(|tool| {
                json!({"name":tool.name,"description":tool.description,
                       "input_schema": input_schema(&tool.parameters)})
            })
            .collect();
        body.insert("tools".into(), Value::Array(tools));
    }
    Value::Object(body)
}

fn input_schema(parameters: &Value) -> Value {
    let mut schema = match parameters {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    schema.insert("type".into(), Value::from("object"));
    if !schema.get("properties").is_some_and(Value::is_object) {
        schema.insert("properties".into(), json!({}));
    }
    if !schema.get("required").is_some_and(Value::is_array) {
        schema.insert("required".into(), json!([]));
    }
    Value::Object(schema)
}

fn user_part(block: &ContentBlock) -> Option<Value> {
    match block {
        ContentBlock::Text(text) if !text.text.trim().is_empty() => {
            Some(json!({"type":"text","text":text.text}))
        }
        ContentBlock::Image(image) => Some(json!({"type":"image","source":{
            "type":"base64","media_type":image.mime_type,"data":image.data}})),
        _ => None,
    }
}

fn assistant_part(block: &ContentBlock) -> Option<Value> {
    match block {
        ContentBlock::Text(text) if !text.text.trim().is_empty() => {
            Some(json!({"type":"text","text":text.text}))
        }
        ContentBlock::Thinking(thinking) => {
            let signature = thinking
                .thinking_signature
                .as_deref()
                .filter(|sig| !sig.trim().is_empty());
            if thinking.redacted == Some(true) {
                return signature.map(|data| json!({"type":"redacted_thinking","data":data}));
            }
            if thinking.thinking.trim().is_empty() {
                return None;
            }
            Some(match signature {
                Some(signature) => {
                    json!({"type":"thinking","thinking":thinking.thinking,"signature":signature})
                }
                None => json!({"type":"text","text":thinking.thinking}),
            })
        }
        ContentBlock::RedactedThinking(redacted) => redacted
            .data
            .as_deref()
            .filter(|data| !data.trim().is_empty())
            .map(|data| json!({"type":"redacted_thinking","data":data})),
        ContentBlock::ToolCall(call) => Some(json!({"type":"tool_use",
            "id": call.id.clone().unwrap_or_default(),
            "name": call.name.clone().unwrap_or_default(),
            "input": arguments_object(call)})),
        _ => None,
    }
}
