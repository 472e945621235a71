//! Per-transport request conversion (POLICY.md §3): the neutral conversation, after the replay
//! policy (§2), becomes the request body of one of the four ClawRouter transports.
//!
//! [`build_request_body`] first runs [`transform_messages`] (§3.1 with the fork deltas of
//! §3.1.2), then the per-API conversion of §3.2:
//!
//! | transport | module | streaming request (WIRE.md §2) |
//! |---|---|---|
//! | `openai-completions` | [`completions`] | `"stream":true`, `"stream_options":{"include_usage":true}` (usage arrives in a last chunk, WIRE.md §2a) |
//! | `openai-responses` | [`responses`] | `"stream":true`, `"store":false` |
//! | `anthropic-messages` | [`anthropic`] | `"stream":true` |
//! | `google-generative-ai` | [`google`] | nothing in the body: streaming is the URL (`…:streamGenerateContent`, with `?alt=sse` or the JSON-array form, WIRE.md §2d); the model is in the URL too |
//!
//! Choices where the spec is silent are documented on each module and on [`RequestSpec`].

pub mod anthropic;
pub mod completions;
pub mod google;
pub mod ids;
pub mod responses;
mod transform;

use clawrouter_wire::transport::Transport;
use serde_json::Value;

pub use transform::{Target, transform_messages};

use crate::ToolDefinition;
use crate::conversation::Message;
use crate::diagnostic::Diagnostic;

/// The provider id ClawRouter models carry (the `provider` field of stored assistant messages).
pub const CLAWROUTER_PROVIDER: &str = "clawrouter";

/// Everything a request body is built from.
///
/// Build it with [`RequestSpec::new`] and set the optional fields:
///
/// ```
/// use clawrouter_policy::convert::{RequestSpec, build_request_body};
/// use clawrouter_policy::conversation::Message;
/// use clawrouter_wire::transport::Transport;
///
/// let messages = [Message::user_text("hi")];
/// let mut spec = RequestSpec::new("openai/gpt-5.5", &messages);
/// spec.max_output_tokens = Some(256);
/// let (body, diagnostics) = build_request_body(Transport::OpenAiCompletions, &spec);
/// assert_eq!(body["messages"][0], serde_json::json!({"role":"user","content":"hi"}));
/// assert_eq!(body["stream_options"]["include_usage"], true);
/// assert!(diagnostics.is_empty());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RequestSpec<'a> {
    /// The model id written into the body (native routes: the upstream id, PROTOCOL.md §4.10).
    /// Not written for `google-generative-ai`, whose model is in the URL.
    pub model: &'a str,
    /// The model id stored assistant messages are compared with to decide "same model" (§3.1;
    /// POLICY.md §6.2 PD4: the catalog id). `None` = [`model`](Self::model).
    pub catalog_model: Option<&'a str>,
    /// The provider id of the target (`clawrouter`); stored assistants with another provider
    /// are "another model".
    pub provider: &'a str,
    /// Whether the model takes image input. `None` = the POLICY.md §0.1 heuristic on
    /// `<provider>/<catalog model>` (`claude-`, `gemini-`, `gpt-4o`, `gpt-5`).
    pub image_input: Option<bool>,
    /// The system prompt.
    pub system_prompt: Option<&'a str>,
    /// The conversation, after the replay policy (`crate::replay`).
    pub messages: &'a [Message],
    /// The tools, already schema-normalized.
    pub tools: &'a [ToolDefinition],
    /// The output token limit.
    pub max_output_tokens: Option<u64>,
    /// The reasoning level (`off`, `minimal`, `low`, `medium`, `high`, `xhigh`, `max`, or a
    /// wire effort such as `none`; PROTOCOL.md §4.7).
    pub reasoning: Option<&'a str>,
    /// Ask for a streamed response (the default, and what the client uses).
    pub stream: bool,
}

impl<'a> RequestSpec<'a> {
    /// A streaming request for `model` with `messages`, provider `clawrouter`, no system prompt,
    /// no tools, no limits.
    pub fn new(model: &'a str, messages: &'a [Message]) -> Self {
        RequestSpec {
            model,
            catalog_model: None,
            provider: CLAWROUTER_PROVIDER,
            image_input: None,
            system_prompt: None,
            messages,
            tools: &[],
            max_output_tokens: None,
            reasoning: None,
            stream: true,
        }
    }

    /// The model id "same model" is decided against.
    pub fn catalog_model(&self) -> &'a str {
        self.catalog_model.unwrap_or(self.model)
    }

    /// Whether the model takes images (explicit, else the §0.1 heuristic).
    pub fn accepts_images(&self) -> bool {
        self.image_input
            .unwrap_or_else(|| model_accepts_images(self.provider, self.catalog_model()))
    }

    /// Whether the model reasons (POLICY.md §0.1 heuristic, or a reasoning level was asked for).
    pub fn is_reasoning_model(&self) -> bool {
        self.reasoning.is_some_and(|level| !is_reasoning_off(level))
            || model_reasons(self.provider, self.catalog_model())
    }

    /// The reasoning level, unless it turns reasoning off (`off` / `none`).
    pub(crate) fn reasoning_level(&self) -> Option<&'a str> {
        self.reasoning
            .map(str::trim)
            .filter(|level| !level.is_empty() && !is_reasoning_off(level))
    }

    pub(crate) fn target(&self, transport: Transport) -> Target<'a> {
        Target {
            provider: self.provider,
            api: transport.as_str(),
            model: self.catalog_model(),
            images: self.accepts_images(),
        }
    }
}

fn is_reasoning_off(level: &str) -> bool {
    matches!(level.trim(), "off" | "none")
}

/// POLICY.md §0.1: `input` includes `image` when `<provider>/<model>` (lower-cased) contains
/// `claude-`, `gemini-`, `gpt-4o` or `gpt-5`.
pub fn model_accepts_images(provider: &str, model: &str) -> bool {
    let key = format!("{provider}/{model}").to_lowercase();
    ["claude-", "gemini-", "gpt-4o", "gpt-5"]
        .iter()
        .any(|needle| key.contains(needle))
}

/// POLICY.md §0.1: the `reasoning` heuristic on `<provider>/<model>` (lower-cased).
pub fn model_reasons(provider: &str, model: &str) -> bool {
    let key = format!("{provider}/{model}").to_lowercase();
    [
        "claude-",
        "gemini-",
        "gpt-5",
        "gpt-oss",
        "deepseek-v",
        "reasoner",
        "glm-5",
        "grok-4",
        "minimax-m",
    ]
    .iter()
    .any(|needle| key.contains(needle))
}

/// Builds the request body for `transport` (POLICY.md §3): [`transform_messages`], then the
/// per-API conversion. Total: any conversation yields a body; every change made on the way is a
/// [`Diagnostic`].
pub fn build_request_body(
    transport: Transport,
    spec: &RequestSpec<'_>,
) -> (Value, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let target = spec.target(transport);
    let normalize = ids::normalizer(transport, spec);
    let messages = transform_messages(spec.messages, &target, &normalize, &mut diagnostics);
    let body = match transport {
        Transport::OpenAiCompletions => completions::body(spec, &messages, &mut diagnostics),
        Transport::OpenAiResponses => responses::body(spec, &messages, &mut diagnostics),
        Transport::AnthropicMessages => anthropic::body(spec, &messages, &mut diagnostics),
        Transport::GoogleGenerativeAi => google::body(spec, &messages, &mut diagnostics),
    };
    (body, diagnostics)
}

/// Texts of text blocks joined by `sep`.
pub(crate) fn join_texts<'m>(
    blocks: impl IntoIterator<Item = &'m crate::conversation::ContentBlock>,
    sep: &str,
) -> String {
    blocks
        .into_iter()
        .filter_map(|block| match block {
            crate::conversation::ContentBlock::Text(text) => Some(text.text.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(sep)
}

/// The arguments of a call as a JSON string (`{}` when absent).
pub(crate) fn arguments_json(call: &crate::conversation::ToolCallBlock) -> String {
    match call.args() {
        Some(Value::String(text)) => text.clone(),
        Some(value) => value.to_string(),
        None => "{}".to_owned(),
    }
}

/// The arguments of a call as a JSON value (`{}` when absent or not an object).
pub(crate) fn arguments_object(call: &crate::conversation::ToolCallBlock) -> Value {
    match call.args() {
        Some(value @ Value::Object(_)) => value.clone(),
        _ => Value::Object(serde_json::Map::new()),
    }
}
