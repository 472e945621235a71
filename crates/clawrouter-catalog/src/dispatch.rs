//! Dispatch-time model preparation (PROTOCOL.md §4.10): what the client sends for a model.
//!
//! For a [`CatalogModel`](crate::CatalogModel) this is [`DispatchTarget`]: the route metadata
//! never becomes public model metadata, and the upstream id is sent only on the native
//! transports. For models that arrive in OpenClaw's JSON shape (an OpenClaw config, the
//! `policy headers` inspector), [`resolve_openclaw_model`] and [`prepare_openclaw_model`] are
//! §4.10's "resolve" and "prepare" steps on that shape.

use clawrouter_wire::transport::Transport;
use serde_json::Value;

/// What the client sends for one model: transport, base URL and model id (§4.10).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DispatchTarget {
    pub(crate) transport: Transport,
    pub(crate) base_url: String,
    pub(crate) model_id: String,
}

impl DispatchTarget {
    /// The transport.
    pub fn transport(&self) -> Transport {
        self.transport
    }

    /// The transport's base URL (under the configured root).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The model id to send: the catalog id for the OpenAI transports, the upstream id for the
    /// native ones.
    pub fn model_id(&self) -> &str {
        &self.model_id
    }

    /// The streaming endpoint (§4.4 "Wire endpoints"): `…/responses`, `…/chat/completions`,
    /// `…/v1/messages`, or `…/models/<id>:streamGenerateContent?alt=sse` (§14 D16; the id is
    /// percent-encoded except for unreserved characters).
    pub fn endpoint_url(&self) -> String {
        match self.transport {
            Transport::OpenAiResponses => format!("{}/responses", self.base_url),
            Transport::OpenAiCompletions => format!("{}/chat/completions", self.base_url),
            Transport::AnthropicMessages => format!("{}/v1/messages", self.base_url),
            Transport::GoogleGenerativeAi => format!(
                "{}/models/{}:streamGenerateContent?alt=sse",
                self.base_url,
                encode_segment(&self.model_id)
            ),
        }
    }
}

fn encode_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Valid `params.clawrouterRoute` metadata (§4.10).
struct RouteMetadata<'a> {
    api: &'a str,
    base_url: &'a str,
    upstream_model: Option<&'a str>,
}

fn route_metadata(model: &Value) -> Option<RouteMetadata<'_>> {
    let route = model.get("params")?.get("clawrouterRoute")?.as_object()?;
    let base_url = route.get("baseUrl")?.as_str().filter(|s| !s.is_empty())?;
    let api = route.get("api")?.as_str()?;
    api.parse::<Transport>().ok()?;
    let upstream_model = route
        .get("upstreamModel")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    Some(RouteMetadata {
        api,
        base_url,
        upstream_model,
    })
}

/// §4.10 "Resolve": valid route metadata → its `api` and `baseUrl` copied onto the model;
/// otherwise the model is returned unchanged.
pub fn resolve_openclaw_model(model: &Value) -> Value {
    let mut resolved = model.clone();
    if let Some(route) = route_metadata(model)
        && let Some(object) = resolved.as_object_mut()
    {
        object.insert("api".into(), route.api.into());
        object.insert("baseUrl".into(), route.base_url.into());
    }
    resolved
}

/// §4.10 "Prepare", immediately before dispatch: valid route metadata → `clawrouterRoute`
/// removed from `params` (and `params` dropped when nothing else is left), and `id` replaced by
/// `upstreamModel` when that is present and different. Otherwise the model passes unchanged.
///
/// ```
/// use clawrouter_catalog::prepare_openclaw_model;
/// use serde_json::json;
///
/// let model = json!({"id": "anthropic/claude-sonnet-4-6", "api": "anthropic-messages",
///     "params": {"clawrouterRoute": {"api": "anthropic-messages",
///         "baseUrl": "https://clawrouter.example/v1/native/anthropic",
///         "upstreamModel": "claude-sonnet-4-6"}}});
/// assert_eq!(prepare_openclaw_model(&model),
///     json!({"id": "claude-sonnet-4-6", "api": "anthropic-messages"}));
/// ```
pub fn prepare_openclaw_model(model: &Value) -> Value {
    let mut prepared = model.clone();
    let Some(route) = route_metadata(model) else {
        return prepared;
    };
    let upstream = route.upstream_model.map(str::to_owned);
    if let Some(object) = prepared.as_object_mut() {
        let params_empty = match object.get_mut("params").and_then(Value::as_object_mut) {
            Some(params) => {
                params.shift_remove("clawrouterRoute");
                params.is_empty()
            }
            None => false,
        };
        if params_empty {
            object.shift_remove("params");
        }
        if let Some(upstream) = upstream
            && object.get("id").and_then(Value::as_str) != Some(upstream.as_str())
        {
            object.insert("id".into(), upstream.into());
        }
    }
    prepared
}
