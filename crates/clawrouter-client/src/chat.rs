//! Model calls from a neutral conversation: select the model from the catalog, shape the
//! conversation and tools for its transport with `clawrouter-policy`, build the headers, and
//! stream the answer through [`Client::dispatch`].
//!
//! The order is the one OpenClaw uses (PROTOCOL.md §4.10, §7; POLICY.md §0.1, §4.0):
//! 1. the catalog entry gives the transport, the endpoint and the model id to send (the upstream
//!    id only on the native transports, only here);
//! 2. the tool schemas are normalized for the model's family (POLICY.md §4);
//! 3. the replay policy of the transport and model repairs the conversation (POLICY.md §2);
//! 4. the conversation is converted into the transport's request body (POLICY.md §3);
//! 5. the header map of PROTOCOL.md §7.2 is built with sanitized attribution and request ids;
//!    the key itself is attached by [`Client::dispatch`] and nowhere else.
//!
//! [`prepare_chat`] is steps 1–5 as a pure function, so what would be sent can be inspected
//! (and tested) without a network.

use clawrouter_catalog::{CatalogModel, InputModality};
use clawrouter_policy::ToolDefinition;
use clawrouter_policy::conversation::Message;
use clawrouter_policy::convert::{RequestSpec, build_request_body};
use clawrouter_policy::headers::{DispatchInput, dispatch_headers};
use clawrouter_policy::replay::apply_replay_policy;
use clawrouter_policy::tools::normalize_tools;
use clawrouter_wire::transport::{Framing, Transport};
use http::HeaderName;
use serde_json::Value;

use crate::client::Client;
use crate::dispatch::{DispatchRequest, ResponseStream};
use crate::error::ClientError;

/// The value this client sends as `X-ClawRouter-Client` (PROTOCOL.md §7.2 lets the configured
/// headers override the `openclaw` default; the router uses it for attribution only).
pub const CLIENT_NAME: &str = "clawrouter-rs";

/// One model call in the neutral conversation model (POLICY.md §1).
///
/// ```
/// use clawrouter_client::ChatRequest;
///
/// let request = ChatRequest::user("clawrouter/openai/gpt-5.5", "Say hi")
///     .system("Answer in one line.")
///     .max_output_tokens(256)
///     .session_id("session-42");
/// assert_eq!(request.model_ref(), "clawrouter/openai/gpt-5.5");
/// ```
#[derive(Debug, Clone, Default)]
pub struct ChatRequest {
    model_ref: String,
    system: Option<String>,
    messages: Vec<Message>,
    tools: Vec<ToolDefinition>,
    max_output_tokens: Option<u64>,
    reasoning: Option<String>,
    agent_id: Option<String>,
    session_id: Option<String>,
    request_id: Option<String>,
}

impl ChatRequest {
    /// A call of `model_ref` (`clawrouter/<catalog id>`) with a stored conversation.
    pub fn new(model_ref: impl Into<String>, messages: Vec<Message>) -> Self {
        ChatRequest {
            model_ref: model_ref.into(),
            messages,
            ..ChatRequest::default()
        }
    }

    /// A call of `model_ref` with one user message.
    pub fn user(model_ref: impl Into<String>, text: impl Into<String>) -> Self {
        Self::new(model_ref, vec![Message::user_text(text)])
    }

    /// The system prompt.
    #[must_use]
    pub fn system(mut self, text: impl Into<String>) -> Self {
        self.system = Some(text.into());
        self
    }

    /// The tools the model may call (schemas are normalized for the model's family).
    #[must_use]
    pub fn tools(mut self, tools: Vec<ToolDefinition>) -> Self {
        self.tools = tools;
        self
    }

    /// The output token limit.
    #[must_use]
    pub fn max_output_tokens(mut self, limit: u64) -> Self {
        self.max_output_tokens = Some(limit);
        self
    }

    /// The reasoning level (`off`, `minimal`, `low`, `medium`, `high`, `xhigh`, `max`;
    /// PROTOCOL.md §4.7).
    #[must_use]
    pub fn reasoning(mut self, level: impl Into<String>) -> Self {
        self.reasoning = Some(level.into());
        self
    }

    /// `X-ClawRouter-Agent-Id` (attribution-sanitized, PROTOCOL.md §7.3).
    #[must_use]
    pub fn agent_id(mut self, id: impl Into<String>) -> Self {
        self.agent_id = Some(id.into());
        self
    }

    /// `X-ClawRouter-Session-Id` (attribution-sanitized).
    #[must_use]
    pub fn session_id(mut self, id: impl Into<String>) -> Self {
        self.session_id = Some(id.into());
        self
    }

    /// `X-Request-ID` (request-id-sanitized; without one the router generates it, §7.4).
    #[must_use]
    pub fn request_id(mut self, id: impl Into<String>) -> Self {
        self.request_id = Some(id.into());
        self
    }

    /// The model ref asked for.
    pub fn model_ref(&self) -> &str {
        &self.model_ref
    }

    /// The conversation.
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }
}

/// What [`prepare_chat`] decided to send: everything but the key.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedChat {
    /// The model's transport.
    pub transport: Transport,
    /// The streaming endpoint.
    pub url: String,
    /// The request body.
    pub body: Value,
    /// The headers besides `Authorization`, in order.
    pub headers: Vec<(String, String)>,
    /// Every change the policy made on the way (tool schemas, replay repairs, conversion), for
    /// logs: what was repaired, dropped or rewritten, and why.
    pub changes: Vec<String>,
}

/// Steps 1–5 of the [module docs](self) for `model`: pure, no IO.
pub fn prepare_chat(model: &CatalogModel, request: &ChatRequest) -> PreparedChat {
    let target = model.dispatch_target();
    let transport = target.transport();
    let mut changes = Vec::new();

    let tools = normalize_tools(model.id(), &request.tools);
    changes.extend(
        tools
            .diagnostics
            .iter()
            .map(|change| format!("tool schema: {change}")),
    );
    let (messages, replay) = apply_replay_policy(transport, model.id(), &request.messages);
    changes.extend(
        replay
            .iter()
            .map(|change| format!("replay: {}", change.message)),
    );

    let mut spec = RequestSpec::new(target.model_id(), &messages);
    spec.catalog_model = Some(model.id());
    spec.image_input = Some(model.input().contains(&InputModality::Image));
    spec.system_prompt = request.system.as_deref();
    spec.tools = &tools.tools;
    spec.max_output_tokens = request.max_output_tokens;
    spec.reasoning = request.reasoning.as_deref();
    let (body, conversion) = build_request_body(transport, &spec);
    changes.extend(
        conversion
            .iter()
            .map(|change| format!("conversion: {}", change.message)),
    );

    let model_headers = [("X-ClawRouter-Client", CLIENT_NAME)];
    let headers = dispatch_headers(&DispatchInput {
        model_headers: &model_headers,
        agent_id: request.agent_id.as_deref(),
        session_id: request.session_id.as_deref(),
        request_id: request.request_id.as_deref(),
        ..DispatchInput::default()
    });
    let headers = headers
        .iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    PreparedChat {
        transport,
        url: target.endpoint_url(),
        body,
        headers,
        changes,
    }
}

impl Client {
    /// Calls a model: selects `request.model_ref()` from the (cached) catalog, prepares the
    /// request for its transport ([`prepare_chat`]) and streams the answer.
    ///
    /// The returned [`ResponseStream`] yields the provider-neutral events as they arrive and
    /// assembles the message ([`ResponseStream::finish`]). A dispatch POST is not retried
    /// unless the client's retry configuration says so.
    ///
    /// # Errors
    ///
    /// [`ClientError::Model`] for a ref the key does not grant (`Unknown model: …`), and those of
    /// [`Client::catalog`] and [`Client::dispatch`].
    pub async fn chat(&self, request: &ChatRequest) -> Result<ResponseStream, ClientError> {
        let model = self.model(request.model_ref()).await?;
        let prepared = prepare_chat(&model, request);
        for change in &prepared.changes {
            tracing::debug!(model = model.id(), "{change}");
        }
        let mut dispatch = DispatchRequest::new(prepared.transport, prepared.url, prepared.body)
            .framing(Framing::Sse);
        for (name, value) in prepared.headers {
            let name =
                HeaderName::try_from(name.as_str()).map_err(|_| ClientError::InvalidHeader {
                    operation: crate::error::Operation::Dispatch(prepared.transport),
                    name,
                })?;
            dispatch = dispatch.header(name, value);
        }
        self.dispatch(dispatch).await
    }
}
