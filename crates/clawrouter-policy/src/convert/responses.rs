//! `openai-responses` request bodies (POLICY.md §3.2 "openai-responses").
//!
//! Body: `{"model", "input", "stream":true, "store":false, "max_output_tokens"?,
//! "reasoning":{"effort","summary":"auto"}?, "include":["reasoning.encrypted_content"]?,
//! "tools"?}`.
//!
//! Choices where the spec is silent:
//! * `store:false`: ClawRouter replays the whole history each turn; nothing is kept server-side.
//! * With a reasoning level, `include:["reasoning.encrypted_content"]` asks for the encrypted
//!   reasoning item that a later turn replays verbatim (§1.3), and `summary:"auto"` for the
//!   visible summary the stream decoder reports as reasoning.
//! * The system prompt is an input message with role `developer` for reasoning models, else
//!   `system`.
//! * Message-item ids over 64 characters become `msg_<shortHash>` with pi-ai's hash
//!   ([`super::ids::short_hash`]); a missing id becomes `msg_<message index>`.

use serde_json::{Map, Value, json};

use super::completions::wire_effort;
use super::ids::short_hash;
use super::{RequestSpec, arguments_json, join_texts};
use crate::conversation::{AssistantMessage, Content, ContentBlock, Message};
use crate::diagnostic::Diagnostic;

pub(crate) fn body(
    spec: &RequestSpec<'_>,
    messages: &[Message],
    _diagnostics: &mut [Diagnostic],
) -> Value {
    let mut input = Vec::with_capacity(messages.len() + 1);
    if let Some(system) = spec.system_prompt {
        let role = if spec.is_reasoning_model() {
            "developer"
        } else {
            "system"
        };
        input.push(json!({"role": role, "content": system}));
    }
    let images = spec.accepts_images();
    for (index, message) in messages.iter().enumerate() {
        match message {
            Message::User(user) => {
                let parts: Vec<Value> = match &user.content {
                    Some(Content::Text(text)) => vec![json!({"type":"input_text","text":text})],
                    Some(Content::Blocks(blocks)) => blocks.iter().filter_map(input_part).collect(),
                    _ => Vec::new(),
                };
                if !parts.is_empty() {
                    input.push(json!({"role":"user","content":parts}));
                }
            }
            Message::Assistant(assistant) => {
                assistant_items(assistant, message.blocks(), index, spec, &mut input);
            }
            Message::ToolResult(result) => {
                let blocks = message.blocks();
                let has_images = blocks
                    .iter()
                    .any(|block| matches!(block, ContentBlock::Image(_)));
                let call_id = result
                    .tool_call_id
                    .as_deref()
                    .map(|id| id.split('|').next().unwrap_or(id))
                    .unwrap_or_default();
                let output = if has_images && images {
                    Value::Array(blocks.iter().filter_map(input_part).collect())
                } else {
                    let text = match &result.content {
                        Some(Content::Text(plain)) => plain.clone(),
                        _ => join_texts(blocks, "\n"),
                    };
                    if text.is_empty() && has_images {
                        Value::from("(see attached image)")
                    } else {
                        Value::String(text)
                    }
                };
                input
                    .push(json!({"type":"function_call_output","call_id":call_id,"output":output}));
            }
            Message::Other(_) => {}
        }
    }
    let mut body = Map::new();
    body.insert("model".into(), Value::from(spec.model));
    body.insert("input".into(), Value::Array(input));
    if spec.stream {
        body.insert("stream".into(), Value::Bool(true));
    }
    body.insert("store".into(), Value::Bool(false));
    if let Some(max) = spec.max_output_tokens {
        body.insert("max_output_tokens".into(), Value::from(max));
    }
    if let Some(level) = spec.reasoning_level() {
        body.insert(
            "reasoning".into(),
            json!({"effort": wire_effort(level), "summary": "auto"}),
        );
        body.insert("include".into(), json!(["reasoning.encrypted_content"]));
    }
    if !spec.tools.is_empty() {
        let tools = spec
            .tools
            .iter()
            .map(|tool| {
                json!({"type":"function","name":tool.name,"description":tool.description,
                       "parameters":tool.parameters,"strict":false})
            })
            .collect();
        body.insert("tools".into(), Value::Array(tools));
    }
    Value::Object(body)
}

fn input_part(block: &ContentBlock) -> Option<Value> {
    match block {
        ContentBlock::Text(text) => Some(json!({"type":"input_text","text":text.text})),
        ContentBlock::Image(image) => Some(json!({"type":"input_image","detail":"auto",
            "image_url": format!("data:{};base64,{}", image.mime_type, image.data)})),
        _ => None,
    }
}

fn assistant_items(
    assistant: &AssistantMessage,
    blocks: &[ContentBlock],
    index: usize,
    spec: &RequestSpec<'_>,
    input: &mut Vec<Value>,
) {
    // A different model of the same provider and api: its `fc_` item ids are not replayable.
    let other_model_same_route = assistant.provider.as_deref() == Some(spec.provider)
        && assistant.api.as_deref() == Some("openai-responses")
        && assistant.model.as_deref() != Some(spec.catalog_model());
    for block in blocks {
        match block {
            ContentBlock::Thinking(thinking) => {
                if let Some(item) = thinking
                    .thinking_signature
                    .as_deref()
                    .and_then(|signature| serde_json::from_str::<Value>(signature).ok())
                    .filter(Value::is_object)
                {
                    input.push(item);
                }
            }
            ContentBlock::Text(text) => {
                let (id, phase) = text_item_id(text.text_signature.as_deref(), index);
                let mut item = Map::new();
                item.insert("type".into(), Value::from("message"));
                item.insert("role".into(), Value::from("assistant"));
                item.insert("status".into(), Value::from("completed"));
                item.insert("id".into(), Value::String(id));
                if let Some(phase) = phase {
                    item.insert("phase".into(), phase);
                }
                item.insert(
                    "content".into(),
                    json!([{"type":"output_text","text":text.text,"annotations":[]}]),
                );
                input.push(Value::Object(item));
            }
            ContentBlock::ToolCall(call) => {
                let raw = call.id.as_deref().unwrap_or_default();
                let (call_id, item_id) = match raw.split_once('|') {
                    Some((call_id, item_id)) => (call_id, Some(item_id)),
                    None => (raw, None),
                };
                let mut item = Map::new();
                item.insert("type".into(), Value::from("function_call"));
                if let Some(item_id) = item_id
                    && !(other_model_same_route && item_id.starts_with("fc_"))
                {
                    item.insert("id".into(), Value::from(item_id));
                }
                item.insert("call_id".into(), Value::from(call_id));
                item.insert(
                    "name".into(),
                    Value::from(call.name.clone().unwrap_or_default()),
                );
                item.insert("arguments".into(), Value::String(arguments_json(call)));
                input.push(Value::Object(item));
            }
            _ => {}
        }
    }
}

/// The message-item id and phase from a `textSignature` (§1.3): JSON `{"v":1,"id","phase"?}`,
/// or the legacy bare id.
fn text_item_id(signature: Option<&str>, index: usize) -> (String, Option<Value>) {
    let (id, phase) = match signature {
        Some(signature) => match serde_json::from_str::<Value>(signature) {
            Ok(Value::Object(parsed)) => (
                parsed.get("id").and_then(Value::as_str).map(str::to_owned),
                parsed
                    .get("phase")
                    .filter(|phase| phase.is_string())
                    .cloned(),
            ),
            _ => (Some(signature.to_owned()), None),
        },
        None => (None, None),
    };
    let id = match id.filter(|id| !id.is_empty()) {
        Some(id) if id.chars().count() > 64 => format!("msg_{}", short_hash(&id)),
        Some(id) => id,
        None => format!("msg_{index}"),
    };
    (id, phase)
}
