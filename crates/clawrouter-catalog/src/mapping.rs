//! Row → transport mapping, first match wins (PROTOCOL.md §4.4), and the explanation of a model
//! that maps to nothing.

use clawrouter_wire::transport::Transport;

use crate::rows::{ModelRow, ProviderRow, shown, unsafe_path};

/// The Google placeholder, the literal 8-character text `${model}` after `/models/`.
const GOOGLE_MODEL_SEGMENT: &str = "/models/${model}";
const ANTHROPIC_FORMAT: &str = "anthropic.messages";
const GOOGLE_FORMAT: &str = "google.generate_content";
const GOOGLE_STREAM: &str = ":streamGenerateContent";

/// The two base URLs a provider's models can get, built once per provider: `root/v1` and
/// `root + nativeBaseUrl`.
pub(crate) struct Bases<'a> {
    pub(crate) api_base: &'a str,
    pub(crate) native_base: &'a str,
}

/// Where a routed model is dispatched.
pub(crate) struct Mapped {
    pub(crate) transport: Transport,
    pub(crate) base_url: String,
    /// The upstream id, for the native transports only (rules 3 and 4).
    pub(crate) upstream: Option<String>,
}

/// §4.4 for one model of one provider; `Err` carries why no rule matched.
pub(crate) fn map(
    provider: &ProviderRow<'_>,
    model: &ModelRow<'_>,
    bases: &Bases<'_>,
) -> Result<Mapped, String> {
    if provider.openai_compatible {
        if model.has_capability("llm.responses") {
            return Ok(Mapped {
                transport: Transport::OpenAiResponses,
                base_url: bases.api_base.to_owned(),
                upstream: None,
            });
        }
        if model.has_capability("llm.chat") {
            return Ok(Mapped {
                transport: Transport::OpenAiCompletions,
                base_url: bases.api_base.to_owned(),
                upstream: None,
            });
        }
    }
    if model.has_capability("llm.messages")
        && provider
            .routes
            .iter()
            .any(|route| route.post && route.request_format == ANTHROPIC_FORMAT)
    {
        return Ok(Mapped {
            transport: Transport::AnthropicMessages,
            base_url: bases.native_base.to_owned(),
            upstream: Some(model.upstream.to_owned()),
        });
    }
    let mut google_problem = None;
    if model.has_capability("llm.stream") {
        match google_prefix(provider) {
            Ok(prefix) => {
                return Ok(Mapped {
                    transport: Transport::GoogleGenerativeAi,
                    base_url: format!("{}{prefix}", bases.native_base),
                    upstream: Some(model.upstream.to_owned()),
                });
            }
            Err(problem) => google_problem = Some(problem),
        }
    }
    Err(explain(provider, model, google_problem))
}

/// Rule 4: the path prefix of the first qualifying Google route.
fn google_prefix<'a>(provider: &ProviderRow<'a>) -> Result<&'a str, String> {
    let Some(route) = provider.routes.iter().find(|route| {
        route.post && route.request_format == GOOGLE_FORMAT && route.path.contains(GOOGLE_STREAM)
    }) else {
        return Err(format!(
            "capability llm.stream needs a POST route with {GOOGLE_FORMAT} containing {GOOGLE_STREAM}; the provider has none"
        ));
    };
    match route.path.find(GOOGLE_MODEL_SEGMENT) {
        Some(position) if position > 0 => {
            let prefix = route.path.get(..position).unwrap_or_default();
            match unsafe_path(prefix) {
                None => Ok(prefix),
                Some(problem) => Err(format!(
                    "the streaming Google route path {} {problem}",
                    shown(route.path)
                )),
            }
        }
        _ => Err(format!(
            "the first streaming Google route path {} must contain {GOOGLE_MODEL_SEGMENT} after a prefix (later routes are not considered)",
            shown(route.path)
        )),
    }
}

/// Every reason no rule of §4.4 matched, most specific first.
fn explain(
    provider: &ProviderRow<'_>,
    model: &ModelRow<'_>,
    google_problem: Option<String>,
) -> String {
    let mut reasons: Vec<String> = Vec::new();
    if !provider.openai_compatible {
        for capability in ["llm.responses", "llm.chat"] {
            if model.has_capability(capability) {
                reasons.push(format!(
                    "capability {capability} needs a provider with openaiCompatible: true"
                ));
            }
        }
    }
    if model.has_capability("llm.messages") {
        reasons.push(format!(
            "capability llm.messages needs a POST route with requestFormat {ANTHROPIC_FORMAT}; the provider has none"
        ));
    }
    if let Some(problem) = google_problem {
        reasons.push(problem);
    } else if model.has_capability("llm.generate") {
        reasons.push(
            "capability llm.generate alone is not enough: Google models need llm.stream".to_owned(),
        );
    }
    let mut unsupported: Vec<&str> = Vec::new();
    for route in &provider.routes {
        let format = route.request_format;
        let known =
            format == ANTHROPIC_FORMAT || format == GOOGLE_FORMAT || format.starts_with("openai.");
        if !known && !unsupported.contains(&format) {
            unsupported.push(format);
        }
    }
    for format in unsupported {
        reasons.push(format!(
            "route format {format} is not a supported transport"
        ));
    }
    if reasons.is_empty() {
        let capabilities: Vec<String> = model.capabilities.iter().map(|c| shown(c)).collect();
        reasons.push(format!(
            "no capability maps to a transport (capabilities [{}]; needed: llm.responses or llm.chat on an openaiCompatible provider, llm.messages, or llm.stream)",
            capabilities.join(", ")
        ));
    }
    format!(
        "model dropped: no supported transport: {}",
        reasons.join("; ")
    )
}
