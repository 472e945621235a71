//! The client's typed errors (PROTOCOL.md §10; issue 7's error classes).
//!
//! Every [`ClientError`] keeps what a caller needs to act on it — the HTTP status, the router's or
//! provider's error code, `Retry-After`, the echoed `x-request-id`, and a bounded excerpt of the
//! error body — and its message says what was wrong and what to do. No error ever contains the
//! API key: the key is never formatted, and a body excerpt that echoes it is redacted before it
//! is stored ([`HttpFailure::excerpt`]).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use clawrouter_wire::transport::Transport;

/// How much of an error body is kept: enough for the router's `{"error":{…}}` and a provider's
/// message, small enough to log.
pub const ERROR_EXCERPT_LIMIT: usize = 2 * 1024;

/// Which call failed; part of every error message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// `GET root/v1/catalog` (PROTOCOL.md §4).
    Catalog,
    /// `GET root/v1/usage` (PROTOCOL.md §8).
    Usage,
    /// A streamed model call over one of the four transports (PROTOCOL.md §7).
    Dispatch(Transport),
}

impl Operation {
    /// The request kind whose network rule applies ([`BaseUrl::network_mode`]).
    ///
    /// [`BaseUrl::network_mode`]: clawrouter_catalog::BaseUrl::network_mode
    pub fn router_request(self) -> clawrouter_catalog::RouterRequest {
        match self {
            Operation::Catalog => clawrouter_catalog::RouterRequest::Catalog,
            Operation::Usage => clawrouter_catalog::RouterRequest::Usage,
            Operation::Dispatch(_) => clawrouter_catalog::RouterRequest::Dispatch,
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operation::Catalog => f.write_str("catalog request"),
            Operation::Usage => f.write_str("usage request"),
            Operation::Dispatch(transport) => write!(f, "{transport} model call"),
        }
    }
}

/// Which wait ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// Opening the TCP/TLS connection.
    Connect,
    /// Waiting for the response headers after the request was sent.
    FirstByte,
    /// Waiting for the next chunk of a response body.
    Idle,
    /// The operation's whole time budget (the catalog's 5 s of PROTOCOL.md §4.1, the usage
    /// timeout of §8.1).
    Total,
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutPhase::Connect => "connecting",
            TimeoutPhase::FirstByte => "waiting for the response headers",
            TimeoutPhase::Idle => "waiting for the next chunk of the body",
            TimeoutPhase::Total => "within the operation's time budget",
        })
    }
}

/// A non-success HTTP response, as far as it was read.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpFailure {
    /// The HTTP status.
    pub status: u16,
    /// The error code of the router's or provider's JSON error body (`error.code`, else
    /// `error.type`, else a top-level `code`), when it has one.
    pub code: Option<String>,
    /// The error message of that body (`error.message`, else a top-level `message`).
    pub message: Option<String>,
    /// The delay asked for by `retry-after-ms` or `Retry-After` (seconds or an HTTP date), when
    /// the response sent one.
    pub retry_after: Option<Duration>,
    /// The response's `x-request-id`, to quote to the router's operators.
    pub request_id: Option<String>,
    /// The first [`ERROR_EXCERPT_LIMIT`] bytes of the body, cut at a character boundary, lossily
    /// decoded, with any occurrence of the API key replaced by `[REDACTED]`.
    pub excerpt: String,
}

impl fmt::Debug for HttpFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpFailure")
            .field("status", &self.status)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("retry_after", &self.retry_after)
            .field("request_id", &self.request_id)
            .field("excerpt", &self.excerpt)
            .finish()
    }
}

impl fmt::Display for HttpFailure {
    /// `HTTP 401 (proxy_key_revoked: the key was revoked)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        match (&self.code, &self.message) {
            (Some(code), Some(message)) => write!(f, " ({code}: {message})"),
            (Some(code), None) => write!(f, " ({code})"),
            (None, Some(message)) => write!(f, " ({message})"),
            (None, None) => Ok(()),
        }
    }
}

/// An error source that can be shared between the callers of one cached load.
pub type SharedSource = Arc<dyn std::error::Error + Send + Sync>;

/// Everything that can go wrong in the client. See the [module docs](self).
///
/// Cheap to clone (sources are shared), so that every caller waiting on one cached catalog load
/// gets the same error.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// 401 or 403: the key is missing, invalid, revoked, or not allowed to do this. Never
    /// retried, and never answered with a fallback to other credentials (PROTOCOL.md §10).
    #[error(
        "{operation} rejected (HTTP {}{}): the key is invalid or revoked — reissue or re-scope it; upstream provider keys are never used as a fallback",
        .response.status,
        .response.code.as_deref().map(|code| format!(" {code}")).unwrap_or_default()
    )]
    Auth {
        /// The call that failed.
        operation: Operation,
        /// The response.
        response: HttpFailure,
    },
    /// 402, or an error code naming the budget: the policy's budget is spent. Permanent until
    /// the budget window resets or the limit is raised; never retried.
    #[error(
        "{operation} rejected ({response}): the policy's budget is exhausted — wait for the budget window to reset or ask the ClawRouter administrator to raise the limit; retrying will not help"
    )]
    BudgetExhausted {
        /// The call that failed.
        operation: Operation,
        /// The response.
        response: HttpFailure,
    },
    /// 429: too many requests. Retryable after `response.retry_after`.
    #[error(
        "{operation} rate limited ({response}): slow down and retry{}",
        retry_hint(.response.retry_after)
    )]
    RateLimited {
        /// The call that failed.
        operation: Operation,
        /// The response.
        response: HttpFailure,
    },
    /// 5xx: the router or the upstream provider is failing. Retryable.
    #[error(
        "{operation} failed ({response}): the router or the upstream provider is unavailable — retry later{}; if it persists, check the provider's connection and readiness on the ClawRouter side",
        retry_hint(.response.retry_after)
    )]
    Unavailable {
        /// The call that failed.
        operation: Operation,
        /// The response.
        response: HttpFailure,
    },
    /// Any other 4xx: the request itself is wrong (unknown route, bad body, invalid ids).
    #[error(
        "{operation} rejected ({response}): the request is invalid — fix the request (model, route, body or headers) before retrying"
    )]
    BadRequest {
        /// The call that failed.
        operation: Operation,
        /// The response.
        response: HttpFailure,
    },
    /// A status that is neither success nor an error class above (an unfollowed 3xx, 1xx).
    #[error(
        "{operation} got an unexpected {response} — check that the base URL points at a ClawRouter server"
    )]
    UnexpectedStatus {
        /// The call that failed.
        operation: Operation,
        /// The response.
        response: HttpFailure,
    },
    /// A wait ran out.
    #[error(
        "{operation} timed out {phase} (after {} ms) — check the network and the router's health, or raise the client's timeout",
        .after.as_millis()
    )]
    Timeout {
        /// The call that failed.
        operation: Operation,
        /// Which wait ran out.
        phase: TimeoutPhase,
        /// How long it was.
        after: Duration,
    },
    /// The connection could not be opened (refused, DNS, TLS). Retryable.
    #[error(
        "{operation} could not connect to {origin}: {} — check the base URL and the network",
        causes(.source.as_ref())
    )]
    Connect {
        /// The call that failed.
        operation: Operation,
        /// The origin the client tried to reach.
        origin: String,
        /// The transport error.
        source: SharedSource,
    },
    /// The connection failed after it was opened and before a response arrived. Retryable.
    #[error(
        "{operation} failed before a response arrived: {} — retry; check the network",
        causes(.source.as_ref())
    )]
    Network {
        /// The call that failed.
        operation: Operation,
        /// The transport error.
        source: SharedSource,
    },
    /// The server redirected to another origin. The key is only sent to the configured origin,
    /// so the client refuses to follow (PROTOCOL.md §14 D5). A redirect to a private, loopback
    /// or link-local address is reported as blocked (`internal`).
    #[error(
        "{operation} was redirected to {}; the key is only sent to the configured origin, so the redirect was refused — point the base URL at the right origin",
        redirect_target(*.internal, .target)
    )]
    RedirectRefused {
        /// The call that failed.
        operation: Operation,
        /// The origin the server redirected to (never a path or query).
        target: String,
        /// Whether that origin is a private, loopback, link-local or `.internal` address.
        internal: bool,
    },
    /// A URL the client was asked to call is not under the configured root URL, so the key
    /// must not go there.
    #[error(
        "{operation} refused: {url} is not under the configured ClawRouter root {root} — build request URLs from the client's base URL"
    )]
    OutsideRoot {
        /// The call that was refused.
        operation: Operation,
        /// The URL asked for (as given; it never carries the key).
        url: String,
        /// The configured root URL.
        root: String,
    },
    /// A response body was larger than the operation allows; reading stopped at the limit.
    #[error(
        "{operation} response exceeded {limit} bytes ({received} bytes received) — the server is not answering like ClawRouter; check the base URL"
    )]
    BodyTooLarge {
        /// The call that failed.
        operation: Operation,
        /// The cap (4 MiB for the catalog, 1 MiB for usage; PROTOCOL.md §4.1, §8.3).
        limit: usize,
        /// How many bytes had arrived (or the announced `Content-Length`).
        received: u64,
    },
    /// The response could not be used: not an event stream, an HTML page from a proxy, a
    /// malformed stream framing, a catalog body that its parser rejected.
    #[error("{operation} returned an unusable response: {detail}")]
    MalformedBody {
        /// The call that failed.
        operation: Operation,
        /// What was wrong and what to do.
        detail: String,
        /// The first bytes of the offending body (bounded, redacted), when there is one.
        excerpt: Option<String>,
    },
    /// The catalog body carries a pagination key. ClawRouter catalogs are one page; following or
    /// ignoring the key could add request surface or hide models (PROTOCOL.md §4.1, §14 D12).
    #[error(
        "catalog response did not include a supported next page: it carries the pagination key `{key}`, and a ClawRouter catalog is a single page — check that the base URL points at a ClawRouter server"
    )]
    PaginatedCatalog {
        /// The offending top-level key (`next`, `links.next`, `has_more`, `next_cursor` …).
        key: &'static str,
    },
    /// The catalog body was read but the caller's parser rejected it.
    #[error("{operation} returned a body that could not be used: {source}")]
    Parse {
        /// The call that failed.
        operation: Operation,
        /// The parser's error.
        source: SharedSource,
    },
    /// The provider reported an error inside a stream that had started with HTTP 200.
    #[error(
        "the provider reported an error mid-stream{}: {message} — the partial reply is kept; retry the call or pick another model",
        code.as_deref().map(|code| format!(" ({code})")).unwrap_or_default()
    )]
    ProviderStream {
        /// The transport of the call.
        transport: Transport,
        /// The provider's error code or type.
        code: Option<String>,
        /// The provider's message.
        message: String,
    },
    /// The stream ended (or the connection broke) before the transport's terminal signal.
    #[error(
        "{transport} stream was cut short: {reason} — the partial reply is kept; retry the call"
    )]
    Truncated {
        /// The transport of the call.
        transport: Transport,
        /// What happened (`the body ended before data: [DONE]`, the connection error …).
        reason: String,
    },
    /// The call needs a key and the client has none.
    #[error(
        "{operation} needs a ClawRouter key and none is configured — set CLAWROUTER_API_KEY or pass the key issued by your ClawRouter administrator"
    )]
    NoKey {
        /// The call that was not made.
        operation: Operation,
    },
    /// A header the caller supplied has a value that cannot be sent.
    #[error(
        "{operation} refused: the value of header `{name}` is not a valid HTTP header value — sanitize it (PROTOCOL.md §7.3) or leave the header out"
    )]
    InvalidHeader {
        /// The call that was refused.
        operation: Operation,
        /// The header's name (its value is not repeated).
        name: String,
    },
    /// The model ref selects no granted model (`Unknown model: …` with the closest granted
    /// refs), or is not a ref at all.
    #[error("{error}")]
    Model {
        /// Why the ref selects nothing.
        #[source]
        error: clawrouter_catalog::ModelRefError,
    },
    /// `GET /v1/usage` answered with a non-2xx status or an oversized body.
    #[error("{error}{}", usage_hint(error))]
    Usage {
        /// Always [`Operation::Usage`].
        operation: Operation,
        /// What the usage computation rejected.
        #[source]
        error: clawrouter_catalog::UsageError,
    },
    /// The client could not be built (an unusable base URL, a key that is not a valid header
    /// value, a TLS setup failure).
    #[error("invalid client configuration: {0}")]
    Config(String),
}

/// `another origin (…)` or, for an internal address, a sentence that says it was blocked.
fn redirect_target(internal: bool, target: &str) -> String {
    if internal {
        format!("a private or internal address ({target}), which is blocked")
    } else {
        format!("another origin ({target})")
    }
}

fn usage_hint(error: &clawrouter_catalog::UsageError) -> &'static str {
    match error {
        clawrouter_catalog::UsageError::Http { status: 401 | 403 } => {
            " — the key is invalid, revoked or not allowed to read usage: reissue or re-scope it"
        }
        clawrouter_catalog::UsageError::Http { .. } => {
            " — try again later; model calls are not affected"
        }
        _ => " — report it to the router's operators; model calls are not affected",
    }
}

/// An error and its sources, joined by `: ` (reqwest's own message stops at "error sending
/// request"; the cause, e.g. "Connection refused", is further down the chain).
pub(crate) fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn retry_hint(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(delay) => format!(" (the server asks to wait {} ms)", delay.as_millis()),
        None => String::new(),
    }
}

impl ClientError {
    /// The HTTP response behind the error, for the status-class variants.
    pub fn http_failure(&self) -> Option<&HttpFailure> {
        match self {
            ClientError::Auth { response, .. }
            | ClientError::BudgetExhausted { response, .. }
            | ClientError::RateLimited { response, .. }
            | ClientError::Unavailable { response, .. }
            | ClientError::BadRequest { response, .. }
            | ClientError::UnexpectedStatus { response, .. } => Some(response),
            _ => None,
        }
    }

    /// A short, stable name of the error class (`auth`, `budget_exhausted`, `rate_limited`,
    /// `unavailable`, `bad_request`, `timeout`, `network`, `provider_error`, `truncated`,
    /// `unknown_model` …), as
    /// the `error.type` attribute of the client's tracing spans uses it. Never the error's text.
    pub fn kind(&self) -> &'static str {
        match self {
            ClientError::Auth { .. } => "auth",
            ClientError::BudgetExhausted { .. } => "budget_exhausted",
            ClientError::RateLimited { .. } => "rate_limited",
            ClientError::Unavailable { .. } => "unavailable",
            ClientError::BadRequest { .. } => "bad_request",
            ClientError::UnexpectedStatus { .. } => "unexpected_status",
            ClientError::Timeout { .. } => "timeout",
            ClientError::Connect { .. } | ClientError::Network { .. } => "network",
            ClientError::RedirectRefused { .. } => "redirect_refused",
            ClientError::OutsideRoot { .. } => "outside_root",
            ClientError::BodyTooLarge { .. } => "body_too_large",
            ClientError::MalformedBody { .. } => "malformed_body",
            ClientError::PaginatedCatalog { .. } => "paginated_catalog",
            ClientError::Parse { .. } => "parse",
            ClientError::ProviderStream { .. } => "provider_error",
            ClientError::Truncated { .. } => "truncated",
            ClientError::NoKey { .. } => "no_key",
            ClientError::InvalidHeader { .. } => "invalid_header",
            ClientError::Model { .. } => "unknown_model",
            ClientError::Usage { .. } => "usage",
            ClientError::Config(_) => "config",
        }
    }

    /// The HTTP status, when the error came from a response.
    pub fn status(&self) -> Option<u16> {
        self.http_failure().map(|response| response.status)
    }

    /// The delay the server asked for, when it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        self.http_failure()
            .and_then(|response| response.retry_after)
    }

    /// Whether retrying the same request later can succeed (429, 5xx, connection failures,
    /// connect and first-byte timeouts). Auth, budget and request errors are permanent.
    pub fn is_retryable(&self) -> bool {
        match self {
            ClientError::RateLimited { .. }
            | ClientError::Connect { .. }
            | ClientError::Network { .. } => true,
            ClientError::Unavailable { response, .. } => {
                // 501 Not Implemented will not change on retry.
                response.status != 501
            }
            ClientError::Timeout { phase, .. } => {
                matches!(phase, TimeoutPhase::Connect | TimeoutPhase::FirstByte)
            }
            _ => false,
        }
    }
}

/// Classifies a non-success response (PROTOCOL.md §10; issue 7's classes).
///
/// A budget code wins over the status, since the router may report an exhausted budget with 402,
/// 403 or 429, and it must never be retried.
pub(crate) fn classify_status(operation: Operation, response: HttpFailure) -> ClientError {
    let status = response.status;
    if status == 402 || response.code.as_deref().is_some_and(is_budget_code) {
        return ClientError::BudgetExhausted {
            operation,
            response,
        };
    }
    match status {
        401 | 403 => ClientError::Auth {
            operation,
            response,
        },
        429 => ClientError::RateLimited {
            operation,
            response,
        },
        500..=599 => ClientError::Unavailable {
            operation,
            response,
        },
        400..=499 => ClientError::BadRequest {
            operation,
            response,
        },
        _ => ClientError::UnexpectedStatus {
            operation,
            response,
        },
    }
}

/// Whether an error code names an exhausted budget. The 0.2.0 server's exact code is not in the
/// spec; any code containing `budget` (`budget_exceeded`, `budget_exhausted`,
/// `monthly_budget_exceeded` …) counts.
pub(crate) fn is_budget_code(code: &str) -> bool {
    code.to_ascii_lowercase().contains("budget")
}

/// The first `limit` bytes of `body`, cut back to a UTF-8 character boundary and lossily
/// decoded, with every occurrence of `secret` replaced by `[REDACTED]`.
pub(crate) fn excerpt(body: &[u8], limit: usize, secret: Option<&str>) -> String {
    let mut end = body.len().min(limit);
    // Cut at a character boundary: back up over at most three continuation bytes when the cut
    // falls inside a multi-byte character (invalid bytes elsewhere are replaced, not cut).
    if end < body.len() {
        let is_continuation = |at: usize| body.get(at).is_some_and(|b| b & 0xC0 == 0x80);
        let mut start = end;
        while start > 0 && end - start < 3 && is_continuation(start) {
            start -= 1;
        }
        if !is_continuation(start) {
            end = start;
        }
    }
    let text = String::from_utf8_lossy(body.get(..end).unwrap_or_default()).into_owned();
    match secret {
        Some(secret) if !secret.is_empty() => text.replace(secret, "[REDACTED]"),
        _ => text,
    }
}

/// The code and message of a JSON error body: `{"error":{"code"|"type","message"}}` (the router
/// and OpenAI), `{"error":{"status","message"}}` (Gemini), `{"type":"error","error":{"type"}}`
/// (Anthropic), or a top-level `code` / `message`.
pub(crate) fn error_fields(body: &[u8]) -> (Option<String>, Option<String>) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return (None, None);
    };
    let text = |value: Option<&serde_json::Value>| -> Option<String> {
        match value? {
            serde_json::Value::String(text) if !text.trim().is_empty() => Some(text.clone()),
            serde_json::Value::Number(number) => Some(number.to_string()),
            _ => None,
        }
    };
    let error = value.get("error").filter(|error| error.is_object());
    let code = error
        .and_then(|error| {
            text(error.get("code"))
                .or_else(|| text(error.get("type")))
                .or_else(|| text(error.get("status")))
        })
        .or_else(|| text(value.get("code")));
    let message = error
        .and_then(|error| text(error.get("message")))
        .or_else(|| text(value.get("message")))
        .or_else(|| text(value.get("error")));
    (code, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_cuts_at_a_character_boundary() {
        let check = |body: &[u8], limit: usize, expected: &str| {
            assert_eq!(excerpt(body, limit, None), expected, "{body:?} at {limit}");
        };
        check(b"hello", 10, "hello");
        check(b"hello", 3, "hel");
        check("aé".as_bytes(), 2, "a");
        check("a😀b".as_bytes(), 3, "a");
        check("a😀b".as_bytes(), 5, "a😀");
        check(b"\xff\xfe", 1, "\u{fffd}");
        check(b"", 4, "");
    }

    proptest::proptest! {
        /// Any bytes, any limit: a body within the limit is kept whole; a valid UTF-8 body is cut
        /// to a prefix of at most `limit` bytes that loses at most 3 bytes to the boundary.
        #[test]
        fn excerpt_of_arbitrary_bytes(
            body in proptest::collection::vec(proptest::num::u8::ANY, 0..64),
            limit in 0usize..80,
        ) {
            let text = excerpt(&body, limit, None);
            let whole = String::from_utf8_lossy(&body).into_owned();
            if body.len() <= limit {
                proptest::prop_assert_eq!(&text, &whole);
            }
            if std::str::from_utf8(&body).is_ok() {
                proptest::prop_assert!(whole.starts_with(&text));
                proptest::prop_assert!(text.len() <= limit);
                proptest::prop_assert!(text.len() + 3 >= body.len().min(limit));
            }
        }
    }

    #[test]
    fn excerpt_redacts_the_key() {
        assert_eq!(
            excerpt(b"bad key sk-123 and sk-123", 100, Some("sk-123")),
            "bad key [REDACTED] and [REDACTED]"
        );
    }

    #[test]
    fn error_fields_of_each_dialect() {
        let check = |body: &str, code: Option<&str>, message: Option<&str>| {
            let (got_code, got_message) = error_fields(body.as_bytes());
            assert_eq!(
                (got_code.as_deref(), got_message.as_deref()),
                (code, message),
                "{body}"
            );
        };
        check(
            r#"{"error":{"code":"proxy_key_revoked","message":"revoked"}}"#,
            Some("proxy_key_revoked"),
            Some("revoked"),
        );
        check(
            r#"{"type":"error","error":{"type":"overloaded_error","message":"busy"}}"#,
            Some("overloaded_error"),
            Some("busy"),
        );
        check(
            r#"{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":"quota"}}"#,
            Some("429"),
            Some("quota"),
        );
        check(r#"{"error":"nope"}"#, None, Some("nope"));
        check("<html>502</html>", None, None);
    }

    #[test]
    fn classification_table() {
        let check = |status: u16, code: Option<&str>, expected: &str| {
            let response = HttpFailure {
                status,
                code: code.map(str::to_owned),
                message: None,
                retry_after: None,
                request_id: None,
                excerpt: String::new(),
            };
            let error = classify_status(Operation::Catalog, response);
            let name = match error {
                ClientError::Auth { .. } => "auth",
                ClientError::BudgetExhausted { .. } => "budget",
                ClientError::RateLimited { .. } => "rate",
                ClientError::Unavailable { .. } => "unavailable",
                ClientError::BadRequest { .. } => "bad",
                ClientError::UnexpectedStatus { .. } => "unexpected",
                _ => "other",
            };
            assert_eq!(name, expected, "{status} {code:?}");
        };
        check(401, Some("invalid_proxy_key"), "auth");
        check(403, Some("proxy_key_revoked"), "auth");
        check(402, None, "budget");
        check(403, Some("budget_exceeded"), "budget");
        check(429, Some("monthly_budget_exhausted"), "budget");
        check(429, None, "rate");
        check(500, None, "unavailable");
        check(503, None, "unavailable");
        check(400, Some("invalid_request_id"), "bad");
        check(404, Some("route_not_found"), "bad");
        check(304, None, "unexpected");
    }
}
