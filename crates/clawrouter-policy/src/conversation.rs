//! The neutral conversation model (POLICY.md §1): what a stored conversation is made of, before a
//! replay policy (§2) and a transport conversion (§3) turn it into a request body.
//!
//! # Shape
//!
//! A conversation is a list of [`Message`]s: [`UserMessage`], [`AssistantMessage`],
//! [`ToolResultMessage`], or [`Message::Other`] for any other role (`compactionSummary`,
//! `custom`, the legacy `tool` role …), which passes through every step untouched (§1.2).
//! Content is a list of [`ContentBlock`]s: text, thinking (signed or redacted), Anthropic-style
//! `redacted_thinking`, image, video and tool-call blocks, and [`ContentBlock::Other`] for any
//! other block (legacy embedded tool results, unknown types).
//!
//! # Lossless round trip
//!
//! Stored conversations come from several producers, so the model is a *typed view* that never
//! loses a byte of what it was given:
//!
//! * JSON field names are the spec's (`toolCallId`, `thinkingSignature`, `stopReason` …).
//! * A field the model knows, present with the expected JSON type, is typed; the same field with
//!   any other type (`"timestamp":"2026-…"`, `"thinkingSignature":null`) is kept verbatim in the
//!   item's `extra` map, as is every field the model does not know (`attachments`, `details`,
//!   `partialJson`, the §1.2 id aliases `toolUseId`, `call_id` …). A block whose defining field
//!   has the wrong type (a `text` block without a string `text`) becomes [`ContentBlock::Other`].
//! * Signatures and opaque payloads are `String`s or `serde_json::Value`s copied as they came:
//!   never trimmed, parsed or re-encoded. Numbers keep their JSON form (`serde_json::Number`), so
//!   `0` stays `0`, not `0.0`.
//! * Known fields serialize first, in the order of the POLICY.md §1.4 example, then the `extra`
//!   fields in their input order. The §1.4 example therefore re-serializes byte for byte.
//!
//! Parsing never fails on a JSON array of any values ([`Message::from_value`] is total): an
//! element that is not an object, or has no known role, is a [`Message::Other`].
//!
//! # From a streamed reply
//!
//! [`AssistantMessage::from_assembled`] turns the assembled reply of `clawrouter-wire` into an
//! assistant message without losing anything the reply carried; see its docs for the mapping.

use std::collections::HashSet;
use std::fmt;

use clawrouter_wire::assemble::{self, AssembledMessage};
use clawrouter_wire::events::{self, StopReason as WireStopReason};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Number, Value};

/// A JSON object with its keys in input order (`serde_json` with `preserve_order`).
pub type JsonMap = Map<String, Value>;

/// One message of a conversation (POLICY.md §1.1, §1.2).
// Boxing the assistant variant would cost an allocation per message and a `Box` in every
// pattern; assistants are half of any conversation, so the size difference buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// `role:"user"`.
    User(UserMessage),
    /// `role:"assistant"`.
    Assistant(AssistantMessage),
    /// `role:"toolResult"`.
    ToolResult(ToolResultMessage),
    /// Any other role (or no role, or not an object): passed through untouched.
    Other(Value),
}

/// Content of a user, assistant or tool-result message: a string or an array of blocks.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// `content: "…"` (user messages; the fork also accepts it on assistants).
    Text(String),
    /// `content: [ … ]`.
    Blocks(Vec<ContentBlock>),
    /// Any other JSON value (`null`, a number, an object): kept verbatim, treated as no blocks.
    Other(Value),
}

/// `role:"user"` (POLICY.md §1.1).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserMessage {
    /// The content; `None` when the field is absent.
    pub content: Option<Content>,
    /// Milliseconds since the epoch, as stored.
    pub timestamp: Option<Number>,
    /// Every other field, verbatim and in input order.
    pub extra: JsonMap,
}

/// Why the model stopped (POLICY.md §1.1 `stopReason`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StopReason {
    /// `"stop"`.
    Stop,
    /// `"length"`.
    Length,
    /// `"toolUse"`.
    ToolUse,
    /// `"error"`.
    Error,
    /// `"aborted"`.
    Aborted,
    /// Any other string (stored sessions contain e.g. `"end_turn"`), kept verbatim.
    Other(String),
}

/// `role:"assistant"` (POLICY.md §1.1).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AssistantMessage {
    /// The API the reply came over (`openai-responses` …).
    pub api: Option<String>,
    /// The provider id (`clawrouter`).
    pub provider: Option<String>,
    /// The model id the request named (POLICY.md §6.2 PD4: the catalog id).
    pub model: Option<String>,
    /// The model the provider said answered.
    pub response_model: Option<String>,
    /// The provider's response id.
    pub response_id: Option<String>,
    /// Why the model stopped.
    pub stop_reason: Option<StopReason>,
    /// The error text of a failed turn.
    pub error_message: Option<String>,
    /// Milliseconds since the epoch, as stored.
    pub timestamp: Option<Number>,
    /// Token counts and cost.
    pub usage: Option<Usage>,
    /// The content; `None` when the field is absent.
    pub content: Option<Content>,
    /// Every other field, verbatim and in input order.
    pub extra: JsonMap,
}

/// `role:"toolResult"` (POLICY.md §1.1). Id aliases (`toolUseId`, `call_id` …, §1.2) stay in
/// `extra`; [`ToolResultMessage::result_id`] reads them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ToolResultMessage {
    /// `toolCallId`.
    pub tool_call_id: Option<String>,
    /// `toolName`.
    pub tool_name: Option<String>,
    /// `isError`.
    pub is_error: Option<bool>,
    /// Milliseconds since the epoch, as stored.
    pub timestamp: Option<Number>,
    /// The content; `None` when the field is absent.
    pub content: Option<Content>,
    /// `details` (bookkeeping; the replay pipeline drops it, §2.6 S8).
    pub details: Option<Value>,
    /// Every other field, verbatim and in input order.
    pub extra: JsonMap,
}

/// Token counts and cost (POLICY.md §1.1 `usage`). Numbers keep their JSON form.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Usage {
    /// `input`.
    pub input: Option<Number>,
    /// `output`.
    pub output: Option<Number>,
    /// `cacheRead`.
    pub cache_read: Option<Number>,
    /// `cacheWrite`.
    pub cache_write: Option<Number>,
    /// `totalTokens`.
    pub total_tokens: Option<Number>,
    /// `cost` (`{input, output, cacheRead, cacheWrite, total}`), verbatim.
    pub cost: Option<JsonMap>,
    /// Every other field, verbatim and in input order.
    pub extra: JsonMap,
}

/// One block of message content (POLICY.md §1.1, §1.2).
#[derive(Debug, Clone, PartialEq)]
pub enum ContentBlock {
    /// `type:"text"`.
    Text(TextBlock),
    /// `type:"thinking"`.
    Thinking(ThinkingBlock),
    /// `type:"redacted_thinking"` (Anthropic's shape, §1.2).
    RedactedThinking(RedactedThinkingBlock),
    /// `type:"image"`.
    Image(MediaBlock),
    /// `type:"video"` (the fork, §1.1).
    Video(MediaBlock),
    /// A tool call under any of its type aliases (§1.2).
    ToolCall(ToolCallBlock),
    /// Any other block, verbatim (legacy embedded tool results, unknown types).
    Other(Value),
}

/// `{type:"text", text, textSignature?}`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextBlock {
    /// The text.
    pub text: String,
    /// Opaque provider state (§1.3), byte-exact.
    pub text_signature: Option<String>,
    /// Every other field (`thought_signature` …), verbatim.
    pub extra: JsonMap,
}

/// `{type:"thinking", thinking, thinkingSignature?, redacted?}`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ThinkingBlock {
    /// The reasoning text.
    pub thinking: String,
    /// Opaque provider state (§1.3), byte-exact.
    pub thinking_signature: Option<String>,
    /// `redacted` (the payload is then in `thinking_signature`).
    pub redacted: Option<bool>,
    /// Every other field (`signature`, `thought_signature` …), verbatim.
    pub extra: JsonMap,
}

/// `{type:"redacted_thinking", data}` (§1.2).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RedactedThinkingBlock {
    /// The opaque payload.
    pub data: Option<String>,
    /// Every other field, verbatim.
    pub extra: JsonMap,
}

/// `{type:"image"|"video", data, mimeType}`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MediaBlock {
    /// Base64 payload.
    pub data: String,
    /// MIME type.
    pub mime_type: String,
    /// Every other field, verbatim.
    pub extra: JsonMap,
}

/// The `type` a tool-call block was stored under (§1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ToolCallKind {
    /// `toolCall` (the neutral model's own).
    #[default]
    ToolCall,
    /// `toolUse`.
    ToolUse,
    /// `functionCall`.
    FunctionCall,
    /// `tool_call`.
    ToolCallSnake,
    /// `tool_use`.
    ToolUseSnake,
    /// `function_call`.
    FunctionCallSnake,
}

impl ToolCallKind {
    /// The `type` string.
    pub fn as_str(self) -> &'static str {
        match self {
            ToolCallKind::ToolCall => "toolCall",
            ToolCallKind::ToolUse => "toolUse",
            ToolCallKind::FunctionCall => "functionCall",
            ToolCallKind::ToolCallSnake => "tool_call",
            ToolCallKind::ToolUseSnake => "tool_use",
            ToolCallKind::FunctionCallSnake => "function_call",
        }
    }

    fn parse(kind: &str) -> Option<Self> {
        Some(match kind {
            "toolCall" => ToolCallKind::ToolCall,
            "toolUse" => ToolCallKind::ToolUse,
            "functionCall" => ToolCallKind::FunctionCall,
            "tool_call" => ToolCallKind::ToolCallSnake,
            "tool_use" => ToolCallKind::ToolUseSnake,
            "function_call" => ToolCallKind::FunctionCallSnake,
            _ => return None,
        })
    }

    /// Whether the pairing and id steps count this alias (`toolCall` / `toolUse` /
    /// `functionCall`; §2.7.1, §2.7.2). The snake-case aliases count only for a few checks.
    pub fn is_camel(self) -> bool {
        matches!(
            self,
            ToolCallKind::ToolCall | ToolCallKind::ToolUse | ToolCallKind::FunctionCall
        )
    }
}

/// A tool call: `{type:"toolCall", id, name, arguments, thoughtSignature?, async?}` or one of its
/// aliases (arguments may come as `input`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ToolCallBlock {
    /// The stored `type` alias.
    pub kind: ToolCallKind,
    /// `id`.
    pub id: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `arguments` (any JSON value, verbatim).
    pub arguments: Option<Value>,
    /// `input` (the alias of `arguments`), verbatim.
    pub input: Option<Value>,
    /// Opaque provider state (§1.3), byte-exact.
    pub thought_signature: Option<String>,
    /// `async` (the fork, §3.1.2).
    pub is_async: Option<bool>,
    /// Every other field (`partialJson` …), verbatim.
    pub extra: JsonMap,
}

impl ToolCallBlock {
    /// The arguments: `arguments`, else `input`, when not `null`.
    pub fn args(&self) -> Option<&Value> {
        self.arguments
            .as_ref()
            .filter(|value| !value.is_null())
            .or(self.input.as_ref().filter(|value| !value.is_null()))
    }
}

// ---------------------------------------------------------------------------------------------
// Convenience constructors and accessors.

impl Message {
    /// A user message with string content.
    pub fn user_text(text: impl Into<String>) -> Self {
        Message::User(UserMessage {
            content: Some(Content::Text(text.into())),
            ..UserMessage::default()
        })
    }

    /// The message's `role`, when it has a string one.
    pub fn role(&self) -> Option<&str> {
        match self {
            Message::User(_) => Some("user"),
            Message::Assistant(_) => Some("assistant"),
            Message::ToolResult(_) => Some("toolResult"),
            Message::Other(value) => value.get("role").and_then(Value::as_str),
        }
    }

    /// Parses one message; total (anything unrecognised is [`Message::Other`]).
    pub fn from_value(value: Value) -> Self {
        let Value::Object(map) = value else {
            return Message::Other(value);
        };
        let role = map.get("role").and_then(Value::as_str).map(str::to_owned);
        let mut fields = Fields(map);
        match role.as_deref() {
            Some("user") => {
                fields.0.shift_remove("role");
                Message::User(UserMessage {
                    content: fields.content(),
                    timestamp: fields.take("timestamp"),
                    extra: fields.0,
                })
            }
            Some("assistant") => {
                fields.0.shift_remove("role");
                Message::Assistant(AssistantMessage {
                    api: fields.take("api"),
                    provider: fields.take("provider"),
                    model: fields.take("model"),
                    response_model: fields.take("responseModel"),
                    response_id: fields.take("responseId"),
                    stop_reason: fields
                        .take::<String>("stopReason")
                        .map(|reason| StopReason::parse(&reason)),
                    error_message: fields.take("errorMessage"),
                    timestamp: fields.take("timestamp"),
                    usage: fields.usage(),
                    content: fields.content(),
                    extra: fields.0,
                })
            }
            Some("toolResult") => {
                fields.0.shift_remove("role");
                Message::ToolResult(ToolResultMessage {
                    tool_call_id: fields.take("toolCallId"),
                    tool_name: fields.take("toolName"),
                    is_error: fields.take("isError"),
                    timestamp: fields.take("timestamp"),
                    content: fields.content(),
                    details: fields.0.shift_remove("details"),
                    extra: fields.0,
                })
            }
            _ => Message::Other(Value::Object(fields.0)),
        }
    }

    /// The message as JSON (known fields first, in §1.4 order, then `extra` in input order).
    pub fn to_value(&self) -> Value {
        let mut out = JsonMap::new();
        match self {
            Message::User(user) => {
                put(&mut out, "role", Some("user"));
                put_value(
                    &mut out,
                    "content",
                    user.content.as_ref().map(Content::to_value),
                );
                put(&mut out, "timestamp", user.timestamp.as_ref());
                extend(&mut out, &user.extra);
            }
            Message::Assistant(assistant) => {
                put(&mut out, "role", Some("assistant"));
                put(&mut out, "api", assistant.api.as_ref());
                put(&mut out, "provider", assistant.provider.as_ref());
                put(&mut out, "model", assistant.model.as_ref());
                put(&mut out, "responseModel", assistant.response_model.as_ref());
                put(&mut out, "responseId", assistant.response_id.as_ref());
                put(
                    &mut out,
                    "stopReason",
                    assistant.stop_reason.as_ref().map(StopReason::as_str),
                );
                put(&mut out, "errorMessage", assistant.error_message.as_ref());
                put(&mut out, "timestamp", assistant.timestamp.as_ref());
                put_value(
                    &mut out,
                    "usage",
                    assistant.usage.as_ref().map(Usage::to_value),
                );
                put_value(
                    &mut out,
                    "content",
                    assistant.content.as_ref().map(Content::to_value),
                );
                extend(&mut out, &assistant.extra);
            }
            Message::ToolResult(result) => {
                put(&mut out, "role", Some("toolResult"));
                put(&mut out, "toolCallId", result.tool_call_id.as_ref());
                put(&mut out, "toolName", result.tool_name.as_ref());
                put(&mut out, "isError", result.is_error.as_ref());
                put(&mut out, "timestamp", result.timestamp.as_ref());
                put_value(
                    &mut out,
                    "content",
                    result.content.as_ref().map(Content::to_value),
                );
                put_value(&mut out, "details", result.details.clone());
                extend(&mut out, &result.extra);
            }
            Message::Other(value) => return value.clone(),
        }
        Value::Object(out)
    }

    /// The content blocks of a user, assistant or tool-result message with array content.
    pub fn blocks(&self) -> &[ContentBlock] {
        match self {
            Message::User(UserMessage { content, .. })
            | Message::Assistant(AssistantMessage { content, .. })
            | Message::ToolResult(ToolResultMessage { content, .. }) => match content {
                Some(Content::Blocks(blocks)) => blocks,
                _ => &[],
            },
            Message::Other(_) => &[],
        }
    }

    /// The numeric `timestamp`, when there is one.
    pub fn timestamp(&self) -> Option<f64> {
        match self {
            Message::User(UserMessage { timestamp, .. })
            | Message::Assistant(AssistantMessage { timestamp, .. })
            | Message::ToolResult(ToolResultMessage { timestamp, .. }) => {
                timestamp.as_ref().and_then(Number::as_f64)
            }
            Message::Other(value) => value.get("timestamp").and_then(Value::as_f64),
        }
    }
}

/// Parses a whole conversation (a JSON array); total for any JSON array. A non-array value is
/// one [`Message::Other`]-only conversation of that value.
pub fn conversation_from_value(value: Value) -> Vec<Message> {
    match value {
        Value::Array(items) => items.into_iter().map(Message::from_value).collect(),
        other => vec![Message::Other(other)],
    }
}

/// A conversation as a JSON array.
pub fn conversation_to_value(messages: &[Message]) -> Value {
    Value::Array(messages.iter().map(Message::to_value).collect())
}

impl StopReason {
    fn parse(reason: &str) -> Self {
        match reason {
            "stop" => StopReason::Stop,
            "length" => StopReason::Length,
            "toolUse" => StopReason::ToolUse,
            "error" => StopReason::Error,
            "aborted" => StopReason::Aborted,
            other => StopReason::Other(other.to_owned()),
        }
    }

    /// The stored string.
    pub fn as_str(&self) -> &str {
        match self {
            StopReason::Stop => "stop",
            StopReason::Length => "length",
            StopReason::ToolUse => "toolUse",
            StopReason::Error => "error",
            StopReason::Aborted => "aborted",
            StopReason::Other(other) => other,
        }
    }

    /// `error` or `aborted`: the turn failed (§2.7.2, §3.1.2).
    pub fn is_failure(&self) -> bool {
        matches!(self, StopReason::Error | StopReason::Aborted)
    }
}

impl From<WireStopReason> for StopReason {
    fn from(reason: WireStopReason) -> Self {
        match reason {
            WireStopReason::Stop => StopReason::Stop,
            WireStopReason::Length => StopReason::Length,
            WireStopReason::ToolUse => StopReason::ToolUse,
            WireStopReason::Error => StopReason::Error,
            WireStopReason::Aborted => StopReason::Aborted,
        }
    }
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Content {
    /// Parses content; total.
    pub fn from_value(value: Value) -> Self {
        match value {
            Value::String(text) => Content::Text(text),
            Value::Array(items) => {
                Content::Blocks(items.into_iter().map(ContentBlock::from_value).collect())
            }
            other => Content::Other(other),
        }
    }

    /// The content as JSON.
    pub fn to_value(&self) -> Value {
        match self {
            Content::Text(text) => Value::String(text.clone()),
            Content::Blocks(blocks) => {
                Value::Array(blocks.iter().map(ContentBlock::to_value).collect())
            }
            Content::Other(value) => value.clone(),
        }
    }
}

impl Usage {
    fn to_value(&self) -> Value {
        let mut out = JsonMap::new();
        put(&mut out, "input", self.input.as_ref());
        put(&mut out, "output", self.output.as_ref());
        put(&mut out, "cacheRead", self.cache_read.as_ref());
        put(&mut out, "cacheWrite", self.cache_write.as_ref());
        put(&mut out, "totalTokens", self.total_tokens.as_ref());
        put_value(&mut out, "cost", self.cost.clone().map(Value::Object));
        extend(&mut out, &self.extra);
        Value::Object(out)
    }
}

impl ContentBlock {
    /// A plain text block.
    pub fn text(text: impl Into<String>) -> Self {
        ContentBlock::Text(TextBlock {
            text: text.into(),
            ..TextBlock::default()
        })
    }

    /// Parses one block; total.
    pub fn from_value(value: Value) -> Self {
        let Value::Object(map) = value else {
            return ContentBlock::Other(value);
        };
        let kind = map.get("type").and_then(Value::as_str).map(str::to_owned);
        let is_string = |key: &str| map.get(key).is_some_and(Value::is_string);
        let (text, thinking, media) = (
            is_string("text"),
            is_string("thinking"),
            is_string("data") && is_string("mimeType"),
        );
        let mut fields = Fields(map);
        match kind.as_deref() {
            Some("text") if text => {
                fields.0.shift_remove("type");
                ContentBlock::Text(TextBlock {
                    text: fields.take("text").unwrap_or_default(),
                    text_signature: fields.take("textSignature"),
                    extra: fields.0,
                })
            }
            Some("thinking") if thinking => {
                fields.0.shift_remove("type");
                ContentBlock::Thinking(ThinkingBlock {
                    thinking: fields.take("thinking").unwrap_or_default(),
                    thinking_signature: fields.take("thinkingSignature"),
                    redacted: fields.take("redacted"),
                    extra: fields.0,
                })
            }
            Some("redacted_thinking") => {
                fields.0.shift_remove("type");
                ContentBlock::RedactedThinking(RedactedThinkingBlock {
                    data: fields.take("data"),
                    extra: fields.0,
                })
            }
            Some(kind @ ("image" | "video")) if media => {
                let is_image = kind == "image";
                fields.0.shift_remove("type");
                let block = MediaBlock {
                    data: fields.take("data").unwrap_or_default(),
                    mime_type: fields.take("mimeType").unwrap_or_default(),
                    extra: fields.0,
                };
                if is_image {
                    ContentBlock::Image(block)
                } else {
                    ContentBlock::Video(block)
                }
            }
            Some(other) => match ToolCallKind::parse(other) {
                Some(kind) => {
                    fields.0.shift_remove("type");
                    ContentBlock::ToolCall(ToolCallBlock {
                        kind,
                        id: fields.take("id"),
                        name: fields.take("name"),
                        arguments: fields.0.shift_remove("arguments"),
                        input: fields.0.shift_remove("input"),
                        thought_signature: fields.take("thoughtSignature"),
                        is_async: fields.take("async"),
                        extra: fields.0,
                    })
                }
                None => ContentBlock::Other(Value::Object(fields.0)),
            },
            None => ContentBlock::Other(Value::Object(fields.0)),
        }
    }

    /// The block as JSON.
    pub fn to_value(&self) -> Value {
        let mut out = JsonMap::new();
        match self {
            ContentBlock::Text(block) => {
                put(&mut out, "type", Some("text"));
                put(&mut out, "text", Some(&block.text));
                put(&mut out, "textSignature", block.text_signature.as_ref());
                extend(&mut out, &block.extra);
            }
            ContentBlock::Thinking(block) => {
                put(&mut out, "type", Some("thinking"));
                put(&mut out, "thinking", Some(&block.thinking));
                put(
                    &mut out,
                    "thinkingSignature",
                    block.thinking_signature.as_ref(),
                );
                put(&mut out, "redacted", block.redacted.as_ref());
                extend(&mut out, &block.extra);
            }
            ContentBlock::RedactedThinking(block) => {
                put(&mut out, "type", Some("redacted_thinking"));
                put(&mut out, "data", block.data.as_ref());
                extend(&mut out, &block.extra);
            }
            ContentBlock::Image(block) | ContentBlock::Video(block) => {
                let kind = if matches!(self, ContentBlock::Image(_)) {
                    "image"
                } else {
                    "video"
                };
                put(&mut out, "type", Some(kind));
                put(&mut out, "data", Some(&block.data));
                put(&mut out, "mimeType", Some(&block.mime_type));
                extend(&mut out, &block.extra);
            }
            ContentBlock::ToolCall(block) => {
                put(&mut out, "type", Some(block.kind.as_str()));
                put(&mut out, "id", block.id.as_ref());
                put(&mut out, "name", block.name.as_ref());
                put_value(&mut out, "arguments", block.arguments.clone());
                put_value(&mut out, "input", block.input.clone());
                put(
                    &mut out,
                    "thoughtSignature",
                    block.thought_signature.as_ref(),
                );
                put(&mut out, "async", block.is_async.as_ref());
                extend(&mut out, &block.extra);
            }
            ContentBlock::Other(value) => return value.clone(),
        }
        Value::Object(out)
    }

    /// Whether this is a thinking-like block (§1.2: `thinking` or `redacted_thinking`).
    pub fn is_thinking_like(&self) -> bool {
        matches!(
            self,
            ContentBlock::Thinking(_) | ContentBlock::RedactedThinking(_)
        )
    }

    /// The tool call, when this is one (any alias).
    pub fn as_tool_call(&self) -> Option<&ToolCallBlock> {
        match self {
            ContentBlock::ToolCall(call) => Some(call),
            _ => None,
        }
    }
}

/// The tool-result id alias fields, in the order the id rules read them (§1.2, §2.7.2).
pub const RESULT_ID_FIELDS: [&str; 6] = [
    "toolCallId",
    "toolUseId",
    "tool_call_id",
    "tool_use_id",
    "callId",
    "call_id",
];

impl ToolResultMessage {
    /// The value of one id alias field, when it is a string.
    pub fn id_field(&self, field: &str) -> Option<&str> {
        if field == "toolCallId" {
            return self.tool_call_id.as_deref();
        }
        self.extra.get(field).and_then(Value::as_str)
    }

    /// The result's id for pairing: the first alias (in [`RESULT_ID_FIELDS`] order) that is
    /// non-empty after trimming, trimmed (§2.7.2).
    pub fn result_id(&self) -> Option<&str> {
        RESULT_ID_FIELDS
            .iter()
            .filter_map(|field| self.id_field(field))
            .map(str::trim)
            .find(|id| !id.is_empty())
    }

    /// Writes `id` into every alias field present, and into `toolCallId` (added if absent).
    pub fn set_id(&mut self, id: &str) {
        for field in RESULT_ID_FIELDS.iter().skip(1) {
            if let Some(Value::String(value)) = self.extra.get_mut(*field) {
                id.clone_into(value);
            }
        }
        self.tool_call_id = Some(id.to_owned());
    }
}

// ---------------------------------------------------------------------------------------------
// serde: through `Value`, so that parsing is total and the field order is ours.

impl Serialize for Message {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(Message::from_value)
    }
}

impl Serialize for ContentBlock {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ContentBlock {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(ContentBlock::from_value)
    }
}

/// A JSON object being taken apart into typed fields; what is left is the `extra` map.
struct Fields(JsonMap);

impl Fields {
    /// Removes `key` when its value has type `T`; otherwise leaves it in the map (§ module docs:
    /// ill-typed known fields are kept verbatim in `extra`).
    fn take<T: DeserializeOwned>(&mut self, key: &str) -> Option<T> {
        let value = self.0.get(key)?;
        if value.is_null() {
            return None;
        }
        let typed = T::deserialize(value).ok()?;
        self.0.shift_remove(key);
        Some(typed)
    }

    fn content(&mut self) -> Option<Content> {
        self.0.shift_remove("content").map(Content::from_value)
    }

    fn usage(&mut self) -> Option<Usage> {
        if !self.0.get("usage").is_some_and(Value::is_object) {
            return None;
        }
        let Some(Value::Object(map)) = self.0.shift_remove("usage") else {
            return None;
        };
        let mut fields = Fields(map);
        Some(Usage {
            input: fields.take("input"),
            output: fields.take("output"),
            cache_read: fields.take("cacheRead"),
            cache_write: fields.take("cacheWrite"),
            total_tokens: fields.take("totalTokens"),
            cost: fields.take("cost"),
            extra: fields.0,
        })
    }
}

fn put<T: Serialize + ?Sized>(out: &mut JsonMap, key: &str, value: Option<&T>) {
    if let Some(value) = value
        && let Ok(value) = serde_json::to_value(value)
    {
        out.insert(key.to_owned(), value);
    }
}

fn put_value(out: &mut JsonMap, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        out.insert(key.to_owned(), value);
    }
}

fn extend(out: &mut JsonMap, extra: &JsonMap) {
    for (key, value) in extra {
        // A typed field wins over a stray duplicate constructed by hand in `extra`.
        if !out.contains_key(key) {
            out.insert(key.clone(), value.clone());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// From the assembled reply of `clawrouter-wire`.

/// Where an assistant reply came from: the `api`, `provider` and `model` fields of §1.1.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Route {
    /// The transport name (`openai-responses` …).
    pub api: String,
    /// The provider id (`clawrouter`).
    pub provider: String,
    /// The model id the request named; POLICY.md §6.2 PD4 recommends the catalog id.
    pub model: String,
}

impl From<AssembledMessage> for AssistantMessage {
    /// Lossless conversion (no route, no timestamp, tool-call ids as the stream gave them); see
    /// [`AssistantMessage::from_assembled`] for the mapping and for filling in the rest.
    fn from(message: AssembledMessage) -> Self {
        let mut extra = JsonMap::new();
        if let Some(reason) = &message.finish_reason {
            extra.insert("finishReason".to_owned(), Value::String(reason.clone()));
        }
        let error_message = message
            .error
            .as_ref()
            .map(|error| error.message.to_string());
        if let Some(error) = &message.error
            && let Ok(value) = serde_json::to_value(error)
        {
            extra.insert("providerError".to_owned(), value);
        }
        let content = message.content.into_iter().map(block_from_wire).collect();
        AssistantMessage {
            response_model: message.model,
            response_id: message.id,
            stop_reason: message.stop_reason.map(StopReason::from),
            error_message,
            usage: message.usage.as_ref().map(usage_from_wire),
            content: Some(Content::Blocks(content)),
            extra,
            ..AssistantMessage::default()
        }
    }
}

impl AssistantMessage {
    /// An assistant message from a streamed reply, ready to store and replay.
    ///
    /// Mapping (nothing the reply carries is lost):
    /// * text → `text` (+ `textSignature`); reasoning → `thinking` (+ `thinkingSignature`,
    ///   `redacted:true` for redacted reasoning, whose payload is the signature, §1.3);
    /// * tool call → `toolCall` with `arguments` = the parsed JSON arguments and `thoughtSignature`;
    ///   arguments that are not valid JSON are kept as text in `partialJson` with `arguments:{}`
    ///   (the replay pipeline then treats the call as a streaming leftover, §2.6 S6);
    /// * `id` → `responseId`, the provider's model → `responseModel`, stop reason →
    ///   `stopReason`, the provider's raw finish reason → `finishReason` (extra field), a
    ///   provider error → `errorMessage` plus `providerError {code?, message, raw}`;
    /// * usage → `input`, `output`, `cacheRead`, `cacheWrite`, `totalTokens` (the reported
    ///   total, else the sum of the four), reasoning tokens → `reasoning` (extra field); no
    ///   `cost` (prices are the catalog's, not the stream's).
    ///
    /// The count of unrecognized frames is stream diagnostics, not message content, and is not
    /// kept. `route` fills `api` / `provider` / `model`; `now_ms` is the `timestamp` and the
    /// clock of the §1.3 rule that replaces a missing or duplicate tool-call id with
    /// `<name>_<now_ms>_<counter>` (counter from 0 within the message).
    pub fn from_assembled(message: AssembledMessage, route: &Route, now_ms: u64) -> Self {
        let mut assistant = AssistantMessage::from(message);
        assistant.api = Some(route.api.clone());
        assistant.provider = Some(route.provider.clone());
        assistant.model = Some(route.model.clone());
        assistant.timestamp = Some(Number::from(now_ms));
        let mut seen = HashSet::new();
        let mut counter = 0_u64;
        if let Some(Content::Blocks(blocks)) = &mut assistant.content {
            for block in blocks {
                if let ContentBlock::ToolCall(call) = block {
                    let fresh = call
                        .id
                        .as_deref()
                        .is_some_and(|id| !id.is_empty() && seen.insert(id.to_owned()));
                    if !fresh {
                        let name = call.name.as_deref().unwrap_or_default();
                        let id = format!("{name}_{now_ms}_{counter}");
                        counter += 1;
                        seen.insert(id.clone());
                        call.id = Some(id);
                    }
                }
            }
        }
        assistant
    }
}

fn block_from_wire(block: assemble::ContentBlock) -> ContentBlock {
    match block {
        assemble::ContentBlock::Text { text, signature } => ContentBlock::Text(TextBlock {
            text,
            text_signature: signature,
            extra: JsonMap::new(),
        }),
        assemble::ContentBlock::Thinking {
            thinking,
            signature,
            redacted,
        } => ContentBlock::Thinking(ThinkingBlock {
            thinking,
            thinking_signature: signature,
            redacted: redacted.then_some(true),
            extra: JsonMap::new(),
        }),
        assemble::ContentBlock::ToolCall(call) => {
            let mut extra = JsonMap::new();
            let arguments = match serde_json::from_str::<Value>(&call.arguments) {
                Ok(arguments) => arguments,
                Err(_) => {
                    extra.insert("partialJson".to_owned(), Value::String(call.arguments));
                    Value::Object(JsonMap::new())
                }
            };
            ContentBlock::ToolCall(ToolCallBlock {
                kind: ToolCallKind::ToolCall,
                id: call.id,
                name: Some(call.name),
                arguments: Some(arguments),
                input: None,
                thought_signature: call.signature,
                is_async: None,
                extra,
            })
        }
    }
}

fn usage_from_wire(usage: &events::Usage) -> Usage {
    let total = usage.total.or_else(|| {
        let parts = [
            usage.input,
            usage.output,
            usage.cache_read,
            usage.cache_write,
        ];
        parts.iter().any(Option::is_some).then(|| {
            parts
                .iter()
                .flatten()
                .fold(0_u64, |sum, n| sum.saturating_add(*n))
        })
    });
    let mut extra = JsonMap::new();
    if let Some(reasoning) = usage.reasoning {
        extra.insert("reasoning".to_owned(), Value::from(reasoning));
    }
    Usage {
        input: usage.input.map(Number::from),
        output: usage.output.map(Number::from),
        cache_read: usage.cache_read.map(Number::from),
        cache_write: usage.cache_write.map(Number::from),
        total_tokens: total.map(Number::from),
        cost: None,
        extra,
    }
}
