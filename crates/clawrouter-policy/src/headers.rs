//! The dispatch header map (PROTOCOL.md §7.2) and the request-id source (§7.4), as a pure
//! function: configured headers, key and ids in; an ordered header list out. No clock, no RNG:
//! a client-generated request id, when a caller wants one (§14 D3's opt-in ordinal fallback),
//! is an input.
//!
//! Rules, in order (§7.2):
//! 1. the key is *usable* when, trimmed, it is non-empty and not the literal `CLAWROUTER_API_KEY`
//!    (§3.3);
//! 2. the model's configured headers are copied in order, leaving out every `Authorization`
//!    (any letter case) when the key is usable;
//! 3. `X-ClawRouter-Client: openclaw`, `X-ClawRouter-Agent-Id`, `X-ClawRouter-Session-Id` and
//!    `X-Request-ID` are appended, each only when no header of that name (any case) was copied
//!    and its value is defined; ids are sanitized by [`crate::bounded_id`] (attribution ids under
//!    §14 D1); `X-Request-ID` is never added when the per-request headers already carry one;
//! 4. with a usable key, `Authorization: Bearer <key>` is appended.
//!
//! The key never appears in `Debug` output: [`DispatchInput`] and [`DispatchHeaders`] redact it,
//! and [`DispatchHeaders::redacted`] gives the header list with every `Authorization` value
//! replaced (`Bearer [REDACTED]`), as `clawrouter policy headers` prints it (CLI.md).

use std::fmt;

use crate::bounded_id::BoundedIdKind;

/// The placeholder a redacted credential is rendered as.
pub const REDACTED: &str = "[REDACTED]";

/// The environment-variable name that counts as "no key" when it is passed as the key itself
/// (PROTOCOL.md §3.3).
pub const API_KEY_ENV_MARKER: &str = "CLAWROUTER_API_KEY";

/// Everything the header map of one dispatch depends on (PROTOCOL.md §7.1).
#[derive(Clone, Copy, Default)]
pub struct DispatchInput<'a> {
    /// The model's configured headers (provider config, after dispatch-time preparation), in
    /// order. Names are compared case-insensitively.
    pub model_headers: &'a [(&'a str, &'a str)],
    /// The proxy key for this call, if any (`options.apiKey`).
    pub api_key: Option<&'a str>,
    /// The agent id of the wrapper (`ctx.agentId`).
    pub agent_id: Option<&'a str>,
    /// The session id of the call (`options.sessionId`).
    pub session_id: Option<&'a str>,
    /// The request id of the call (`options.requestId`).
    pub request_id: Option<&'a str>,
    /// The per-request headers (`options.headers`); only the presence of `X-Request-ID` matters
    /// here, they are forwarded by the caller untouched.
    pub request_headers: &'a [(&'a str, &'a str)],
    /// A request id the caller generated itself, used only when `request_id` is absent
    /// (PROTOCOL.md §7.4 variant S4+ordinal, opt-in per §14 D3, e.g. `<sessionId>:model:<k>`).
    pub generated_request_id: Option<&'a str>,
}

impl fmt::Debug for DispatchInput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DispatchInput")
            .field("model_headers", &RedactedHeaders(self.model_headers))
            .field("api_key", &self.api_key.map(|_| REDACTED))
            .field("agent_id", &self.agent_id)
            .field("session_id", &self.session_id)
            .field("request_id", &self.request_id)
            .field("request_headers", &RedactedHeaders(self.request_headers))
            .field("generated_request_id", &self.generated_request_id)
            .finish()
    }
}

struct RedactedHeaders<'a>(&'a [(&'a str, &'a str)]);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(
                self.0
                    .iter()
                    .map(|&(name, value)| (name, redact_if_authorization(name, value))),
            )
            .finish()
    }
}

/// One header: its name as it will be sent, and its value.
#[derive(Clone, PartialEq, Eq)]
pub struct Header {
    /// The name, spelled as sent.
    pub name: String,
    /// The value.
    pub value: String,
}

/// The ordered header list of a dispatch. Its `Debug` redacts `Authorization` values.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct DispatchHeaders {
    headers: Vec<Header>,
}

impl fmt::Debug for DispatchHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(
                self.headers
                    .iter()
                    .map(|h| (&h.name, redact_if_authorization(&h.name, &h.value))),
            )
            .finish()
    }
}

impl DispatchHeaders {
    /// The headers in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers
            .iter()
            .map(|h| (h.name.as_str(), h.value.as_str()))
    }

    /// The value of the first header named `name` (any letter case).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    /// The number of headers.
    pub fn len(&self) -> usize {
        self.headers.len()
    }

    /// Whether there are no headers.
    pub fn is_empty(&self) -> bool {
        self.headers.is_empty()
    }

    /// The headers with every `Authorization` value (any letter case) redacted: `Bearer <key>`
    /// becomes `Bearer [REDACTED]`, another `<scheme> <credentials>` keeps its scheme word, and a
    /// value without a scheme becomes `[REDACTED]` (CLI.md `policy headers`).
    pub fn redacted(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .map(|h| {
                (
                    h.name.clone(),
                    redact_if_authorization(&h.name, &h.value).into_owned(),
                )
            })
            .collect()
    }

    /// The headers, consumed (with the key in clear: only for building the request).
    pub fn into_vec(self) -> Vec<Header> {
        self.headers
    }

    fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    fn push(&mut self, name: &str, value: String) {
        self.headers.push(Header {
            name: name.to_owned(),
            value,
        });
    }
}

/// Whether `api_key` is a usable key (PROTOCOL.md §7.2 step 1, §3.3): trimmed, non-empty and not
/// the literal `CLAWROUTER_API_KEY`. Returns the trimmed key.
pub fn usable_api_key(api_key: Option<&str>) -> Option<&str> {
    api_key
        .map(str::trim)
        .filter(|key| !key.is_empty() && *key != API_KEY_ENV_MARKER)
}

/// Builds the header list of one dispatch (PROTOCOL.md §7.2, §7.4).
///
/// ```
/// use clawrouter_policy::headers::{dispatch_headers, DispatchInput};
/// let model_headers = [("x-request-id", "request-1")];
/// let headers = dispatch_headers(&DispatchInput {
///     model_headers: &model_headers,
///     api_key: Some("runtime-proxy-key"),
///     request_id: Some("automatic-call-id"),
///     ..DispatchInput::default()
/// });
/// assert_eq!(
///     headers.redacted(),
///     [
///         ("x-request-id".to_owned(), "request-1".to_owned()),
///         ("X-ClawRouter-Client".to_owned(), "openclaw".to_owned()),
///         ("Authorization".to_owned(), "Bearer [REDACTED]".to_owned()),
///     ]
/// );
/// ```
pub fn dispatch_headers(input: &DispatchInput<'_>) -> DispatchHeaders {
    let key = usable_api_key(input.api_key);
    let mut out = DispatchHeaders {
        headers: Vec::with_capacity(input.model_headers.len() + 5),
    };
    for &(name, value) in input.model_headers {
        if key.is_some() && name.eq_ignore_ascii_case("authorization") {
            continue;
        }
        out.push(name, value.to_owned());
    }

    let explicit_request_id = input
        .request_headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("x-request-id"));
    let request_id = if explicit_request_id {
        None
    } else {
        input
            .request_id
            .or(input.generated_request_id)
            .and_then(|id| BoundedIdKind::RequestId.sanitize(id))
    };
    let defaults = [
        ("X-ClawRouter-Client", Some("openclaw".to_owned())),
        (
            "X-ClawRouter-Agent-Id",
            input
                .agent_id
                .and_then(|id| BoundedIdKind::Attribution.sanitize(id)),
        ),
        (
            "X-ClawRouter-Session-Id",
            input
                .session_id
                .and_then(|id| BoundedIdKind::Attribution.sanitize(id)),
        ),
        ("X-Request-ID", request_id),
    ];
    for (name, value) in defaults {
        if let Some(value) = value
            && !out.contains(name)
        {
            out.push(name, value);
        }
    }

    if let Some(key) = key {
        let mut value = String::with_capacity(7 + key.len());
        value.push_str("Bearer ");
        value.push_str(key);
        out.push("Authorization", value);
    }
    out
}

/// The request id of PROTOCOL.md §7.4's opt-in S4+ordinal fallback (§14 D3):
/// `<raw session id>:model:<k>`, where `k` is a counter the caller owns (starting at 1, advanced
/// each time the fallback is evaluated). Pass it as [`DispatchInput::generated_request_id`]; it is
/// request-id-sanitized there like any request id.
pub fn ordinal_request_id(session_id: &str, ordinal: u64) -> String {
    format!("{session_id}:model:{ordinal}")
}

/// The attribution headers the server validates (PROTOCOL.md §7.5), lower-cased.
pub const ATTRIBUTION_HEADERS: &[&str] = &[
    "x-clawrouter-session-id",
    "x-claude-code-session-id",
    "session-id",
    "x-clawrouter-agent-id",
    "x-claude-code-agent-id",
    "x-clawrouter-parent-agent-id",
    "x-claude-code-parent-agent-id",
    "x-clawrouter-project-id",
    "x-clawrouter-client",
];

/// A configured attribution header the server would reject (PROTOCOL.md §7.5, §14 D2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "configured header {name} is not a valid attribution id ({problem}): the server rejects every request carrying it with 400 invalid_attribution_id; use 1-256 characters of A-Z a-z 0-9 . _ ~ : / + @ = -"
)]
#[non_exhaustive]
pub struct InvalidAttributionHeader {
    /// The header name, as configured.
    pub name: String,
    /// What is wrong with the value (never the value itself).
    pub problem: &'static str,
}

/// Checks the configured headers that the server treats as attribution ids (PROTOCOL.md §7.5):
/// each must be, after trimming, 1–256 characters of the request-id safe set. Decision D2 of
/// PROTOCOL.md §14: these human-chosen labels are validated when the client is configured, not
/// silently rewritten. Returns the first offending header.
///
/// ```
/// use clawrouter_policy::headers::validate_attribution_headers;
/// assert!(validate_attribution_headers(&[("X-ClawRouter-Project-Id", "fakeco")]).is_ok());
/// let error = validate_attribution_headers(&[("X-ClawRouter-Project-Id", "fake co")]).unwrap_err();
/// assert_eq!(error.name, "X-ClawRouter-Project-Id");
/// ```
pub fn validate_attribution_headers(
    headers: &[(&str, &str)],
) -> Result<(), InvalidAttributionHeader> {
    for &(name, value) in headers {
        let lower = name.to_ascii_lowercase();
        if !ATTRIBUTION_HEADERS.contains(&lower.as_str()) {
            continue;
        }
        let value = value.trim();
        let problem = if value.is_empty() {
            Some("empty")
        } else if value.chars().count() > 256 {
            Some("longer than 256 characters")
        } else if !value.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '.' | '_' | '~' | ':' | '/' | '+' | '@' | '=' | '-')
        }) {
            Some("a character outside the allowed set")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(InvalidAttributionHeader {
                name: name.to_owned(),
                problem,
            });
        }
    }
    Ok(())
}

fn redact_if_authorization<'v>(name: &str, value: &'v str) -> std::borrow::Cow<'v, str> {
    if !name.eq_ignore_ascii_case("authorization") {
        return std::borrow::Cow::Borrowed(value);
    }
    match value.trim().split_once(' ') {
        Some((scheme, _)) if !scheme.is_empty() => format!("{scheme} {REDACTED}").into(),
        _ => REDACTED.into(),
    }
}
