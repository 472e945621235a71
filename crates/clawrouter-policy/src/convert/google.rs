//! `google-generative-ai` request bodies (POLICY.md §3.2 "google-generative-ai").
//!
//! Body: `{"contents", "systemInstruction"?, "generationConfig"?, "tools"?}`. Neither the model
//! nor streaming is in the body: both are in the URL (`…/models/<model>:streamGenerateContent`,
//! WIRE.md §2d), which the client builds.
//!
//! Rules followed: the fork's (blank user text → `" "`, an empty request gets one user part
//! `" "`; "same" = same provider, api and model; function-call ids sent for Claude / gpt-oss
//! targets and for same-route calls; the `skip_thought_signature_validator` sentinel on the first
//! unsigned call of each model turn for Gemini 3 Pro/Flash targets, POLICY.md §6.2 PD12).
//!
//! Choices where the spec is silent:
//! * `generationConfig.maxOutputTokens` carries the output limit.
//! * A reasoning level becomes `thinkingConfig:{includeThoughts:true, …}` with
//!   `thinkingLevel` for Gemini 3 ids (`minimal`/`low`/`medium`/`high`; `xhigh`/`max` → `high`)
//!   and `thinkingBudget` otherwise (the budgets of
//!   [`super::anthropic::thinking_budget`]); `off` sends no thinking config.
//! * The reasoning output mode of this route is `tagged` (§2.4): the `<think>`/`<final>`
//!   instructions belong in the system prompt the caller passes; this module does not add them.

use serde_json::{Map, Value, json};

use super::anthropic::thinking_budget;
use super::ids::bare_model_id;
use super::{RequestSpec, arguments_object};
use crate::conversation::{AssistantMessage, Content, ContentBlock, Message};
use crate::diagnostic::Diagnostic;

/// The sentinel signature for unsigned function calls on Gemini 3 (§3.2, PD12).
pub const SKIP_SIGNATURE_SENTINEL: &str = "skip_thought_signature_validator";

pub(crate) fn body(
    spec: &RequestSpec<'_>,
    messages: &[Message],
    _diagnostics: &mut [Diagnostic],
) -> Value {
    let target = bare_model_id(spec.model);
    let send_ids = target.starts_with("claude-") || target.starts_with("gpt-oss-");
    let sentinel = wants_sentinel(target) && spec.provider != "google-gemini-cli";
    let nested_images = gemini_major(spec.model).is_none_or(|major| major >= 3);
    let mut contents: Vec<Value> = Vec::with_capacity(messages.len());
    // Index in `contents` of the user turn collecting function responses, if the last one is.
    let mut response_turn: Option<usize> = None;
    for message in messages {
        if !matches!(message, Message::ToolResult(_)) {
            response_turn = None;
        }
        match message {
            Message::User(user) => {
                let parts: Vec<Value> = match &user.content {
                    Some(Content::Text(text)) => vec![text_part(text)],
                    Some(Content::Blocks(blocks)) => blocks.iter().filter_map(user_part).collect(),
                    _ => Vec::new(),
                };
                if !parts.is_empty() {
                    contents.push(json!({"role":"user","parts":parts}));
                }
            }
            Message::Assistant(assistant) => {
                let parts = model_parts(assistant, message.blocks(), spec, send_ids, sentinel);
                if !parts.is_empty() {
                    contents.push(json!({"role":"model","parts":parts}));
                }
            }
            Message::ToolResult(result) => {
                let blocks = message.blocks();
                let images: Vec<Value> = blocks.iter().filter_map(inline_data).collect();
                let text = match &result.content {
                    Some(Content::Text(plain)) => plain.clone(),
                    _ => super::join_texts(blocks, "\n"),
                };
                let text = if text.is_empty() && !images.is_empty() {
                    "(see attached image)".to_owned()
                } else {
                    text
                };
                let key = if result.is_error == Some(true) {
                    "error"
                } else {
                    "output"
                };
                let mut response = Map::new();
                response.insert(
                    "name".into(),
                    Value::from(result.tool_name.clone().unwrap_or_default()),
                );
                response.insert("response".into(), json!({key: text}));
                if nested_images && !images.is_empty() {
                    response.insert("parts".into(), Value::Array(images.clone()));
                }
                if send_ids && let Some(id) = &result.tool_call_id {
                    response.insert("id".into(), Value::from(id.as_str()));
                }
                let part = json!({"functionResponse": response});
                match response_turn.and_then(|at| contents.get_mut(at)) {
                    Some(turn) => {
                        if let Some(Value::Array(parts)) = turn.get_mut("parts") {
                            parts.push(part);
                        }
                    }
                    None => {
                        contents.push(json!({"role":"user","parts":[part]}));
                        response_turn = Some(contents.len() - 1);
                    }
                }
                if !nested_images && !images.is_empty() {
                    let mut parts = vec![json!({"text":"Tool result image:"})];
                    parts.extend(images);
                    contents.push(json!({"role":"user","parts":parts}));
                    response_turn = None;
                }
            }
            Message::Other(_) => {}
        }
    }
    if contents.is_empty() {
        contents.push(json!({"role":"user","parts":[{"text":" "}]}));
    }
    let mut body = Map::new();
    body.insert("contents".into(), Value::Array(contents));
    if let Some(system) = spec.system_prompt {
        body.insert(
            "systemInstruction".into(),
            json!({"parts":[{"text":system}]}),
        );
    }
    let mut config = Map::new();
    if let Some(max) = spec.max_output_tokens {
        config.insert("maxOutputTokens".into(), Value::from(max));
    }
    if let Some(level) = spec.reasoning_level() {
        if gemini_major(spec.model) == Some(3) {
            let level = match level {
                "xhigh" | "max" => "high",
                other => other,
            };
            config.insert(
                "thinkingConfig".into(),
                json!({"includeThoughts":true,"thinkingLevel":level}),
            );
        } else if let Some(budget) = thinking_budget(level) {
            config.insert(
                "thinkingConfig".into(),
                json!({"includeThoughts":true,"thinkingBudget":budget}),
            );
        }
    }
    if !config.is_empty() {
        body.insert("generationConfig".into(), Value::Object(config));
    }
    if !spec.tools.is_empty() {
        let declarations: Vec<Value> = spec
            .tools
            .iter()
            .map(|tool| {
                json!({"name":tool.name,"description":tool.description,
                       "parametersJsonSchema":tool.parameters})
            })
            .collect();
        body.insert(
            "tools".into(),
            json!([{"functionDeclarations": declarations}]),
        );
    }
    Value::Object(body)
}

/// The Gemini major version of a model id: `gemini-<N>` at the start or after a `/` (the fork
/// accepts a vendor prefix; §3.2, PD4). `None` for non-Gemini ids.
pub fn gemini_major(model: &str) -> Option<u32> {
    let rest = bare_model_id(model).strip_prefix("gemini-")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Gemini 3(.x) Pro/Flash, or `gemini-(pro|flash|flash-lite)-latest` (§3.2, PD12).
fn wants_sentinel(target: &str) -> bool {
    if matches!(
        target,
        "gemini-pro-latest" | "gemini-flash-latest" | "gemini-flash-lite-latest"
    ) {
        return true;
    }
    let Some(rest) = target.strip_prefix("gemini-3") else {
        return false;
    };
    // `gemini-3-pro…`, `gemini-3.5-flash…`: an optional `.N` minor, then `-pro` or `-flash`.
    let rest = match rest.strip_prefix('.') {
        Some(minor) => minor.trim_start_matches(|c: char| c.is_ascii_digit()),
        None => rest,
    };
    rest.starts_with("-pro") || rest.starts_with("-flash")
}

fn text_part(text: &str) -> Value {
    if text.trim().is_empty() {
        json!({"text":" "})
    } else {
        json!({"text":text})
    }
}

fn inline_data(block: &ContentBlock) -> Option<Value> {
    match block {
        ContentBlock::Image(image) => {
            Some(json!({"inlineData":{"mimeType":image.mime_type,"data":image.data}}))
        }
        _ => None,
    }
}

fn user_part(block: &ContentBlock) -> Option<Value> {
    match block {
        ContentBlock::Text(text) => Some(text_part(&text.text)),
        ContentBlock::Image(_) => inline_data(block),
        _ => None,
    }
}

/// Valid padded base64: length a multiple of 4 and `^[A-Za-z0-9+/]+={0,2}$` (§3.2).
pub fn is_padded_base64(signature: &str) -> bool {
    let body = signature.trim_end_matches('=');
    let padding = signature.len() - body.len();
    !signature.is_empty()
        && signature.len().is_multiple_of(4)
        && padding <= 2
        && !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

fn model_parts(
    assistant: &AssistantMessage,
    blocks: &[ContentBlock],
    spec: &RequestSpec<'_>,
    send_ids: bool,
    sentinel: bool,
) -> Vec<Value> {
    let same = assistant.provider.as_deref() == Some(spec.provider)
        && assistant.api.as_deref() == Some("google-generative-ai")
        && assistant.model.as_deref() == Some(spec.catalog_model());
    let signature = |sig: Option<&str>| -> Option<String> {
        sig.filter(|sig| same && is_padded_base64(sig))
            .map(str::to_owned)
    };
    let mut parts = Vec::with_capacity(blocks.len());
    let mut sentinel_used = false;
    for block in blocks {
        let mut part = Map::new();
        match block {
            ContentBlock::Text(text) if !text.text.trim().is_empty() => {
                part.insert("text".into(), Value::from(text.text.as_str()));
                if let Some(sig) = signature(text.text_signature.as_deref()) {
                    part.insert("thoughtSignature".into(), Value::String(sig));
                }
            }
            ContentBlock::Thinking(thinking) if !thinking.thinking.trim().is_empty() => {
                if same {
                    part.insert("thought".into(), Value::Bool(true));
                }
                part.insert("text".into(), Value::from(thinking.thinking.as_str()));
                if let Some(sig) = signature(thinking.thinking_signature.as_deref()) {
                    part.insert("thoughtSignature".into(), Value::String(sig));
                }
            }
            ContentBlock::ToolCall(call) => {
                let mut function_call = Map::new();
                function_call.insert(
                    "name".into(),
                    Value::from(call.name.clone().unwrap_or_default()),
                );
                function_call.insert("args".into(), arguments_object(call));
                if (send_ids || same)
                    && let Some(id) = &call.id
                {
                    function_call.insert("id".into(), Value::from(id.as_str()));
                }
                part.insert("functionCall".into(), Value::Object(function_call));
                match signature(call.thought_signature.as_deref()) {
                    Some(sig) => {
                        part.insert("thoughtSignature".into(), Value::String(sig));
                    }
                    None if sentinel && !sentinel_used => {
                        sentinel_used = true;
                        part.insert(
                            "thoughtSignature".into(),
                            Value::from(SKIP_SIGNATURE_SENTINEL),
                        );
                    }
                    None => {}
                }
            }
            _ => continue,
        }
        parts.push(Value::Object(part));
    }
    parts
}
