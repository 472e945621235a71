//! The HTTP server: routing, the checks the real server makes, faults and pacing.
//!
//! Every request goes through one handler, in this order (PROTOCOL.md §4.2, §4.4, §7.5, §11):
//!
//! 1. count the request for its [`Endpoint`];
//! 2. `X-Request-ID`: trimmed, 1–128 characters of `A–Z a–z 0–9 . _ ~ : / + @ = -`, else 400
//!    `invalid_request_id`; missing → the server makes one (`req_` + 32 hex). Every response
//!    echoes `x-request-id`;
//! 3. attribution headers (the first present of each source, plus project and client): 1–256
//!    characters of the same set, else 400 `invalid_attribution_id`;
//! 4. routing: unknown path → 404 `not_found`; unknown native provider → 404
//!    `provider_not_found`; no matching native route → 404 `route_not_found`; wrong method →
//!    405 `method_not_allowed` with `Allow`;
//! 5. the key ([`crate::keys`]): 401 `client_auth_required` / `invalid_proxy_key` /
//!    `unknown_proxy_key`, 403 `proxy_key_revoked`;
//! 6. model calls: the body must be a JSON object (400 `invalid_request`) asking to stream
//!    (400 `streaming_required`: the emulator serves streaming calls only); the model must
//!    exist (404 `model_not_found`), be granted (403 `model_not_granted`) and be served by the
//!    endpoint (400 `unsupported_endpoint`; an advertised route of an unsupported format →
//!    400 `unsupported_request_format`);
//! 7. budget: a metered policy whose window spend has reached its limit → 402
//!    `budget_exhausted` (the spec names no code; this one is the emulator's choice);
//! 8. faults ([`crate::faults`]), then the reply, streamed in writes paced by the chunk delay.
//!
//! Error bodies are `{"error":{"code":…,"message":…}}` (PROTOCOL.md §4.2) with
//! `cache-control: no-store` and `x-content-type-options: nosniff`.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::catalog::catalog_body;
use crate::faults::{Fault, FaultScope, FaultSwitches};
use crate::keys::{Presented, presented_key};
use crate::ledger::{Charge, Ledger, UsageReport};
use crate::reply::{Dialect, Reply, RequestShape};
use crate::scenario::{KeyEntry, Model, Policy, Provider, Route, Scenario};
use crate::wire::{RenderContext, WireFormat, chunk_writes, error_tail, render};

/// Largest request body the emulator reads.
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// The endpoints the emulator counts requests for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Endpoint {
    /// `GET /v1/catalog`.
    Catalog,
    /// `GET /v1/usage`.
    Usage,
    /// `POST /v1/responses`.
    Responses,
    /// `POST /v1/chat/completions`.
    ChatCompletions,
    /// `POST /v1/native/<p>/v1/messages` (any native route of format `anthropic.messages`).
    AnthropicMessages,
    /// `POST /v1/native/<p>/<prefix>/models/<upstream>:streamGenerateContent`.
    GoogleStreamGenerateContent,
    /// Any other path, or a native path that matches no route.
    Other,
}

impl Endpoint {
    const ALL: [Endpoint; 7] = [
        Endpoint::Catalog,
        Endpoint::Usage,
        Endpoint::Responses,
        Endpoint::ChatCompletions,
        Endpoint::AnthropicMessages,
        Endpoint::GoogleStreamGenerateContent,
        Endpoint::Other,
    ];

    fn slot(self) -> usize {
        Endpoint::ALL
            .iter()
            .position(|endpoint| *endpoint == self)
            .unwrap_or(Endpoint::ALL.len() - 1)
    }
}

/// Why the emulator could not start or stop.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// The listening socket could not be opened.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address.
        address: String,
        /// The IO error.
        source: io::Error,
    },
    /// The server stopped with an IO error.
    #[error("the emulator's server failed: {0}")]
    Serve(io::Error),
}

/// The emulator: start it with [`Emulator::start`] (tests) or [`Emulator::serve`] (a given
/// listener, e.g. `clawrouter emulator --listen`).
#[derive(Debug)]
#[non_exhaustive]
pub struct Emulator;

impl Emulator {
    /// Serves `scenario` on a random loopback port (`127.0.0.1:0`).
    pub async fn start(scenario: Scenario) -> Result<RunningEmulator, EmulatorError> {
        let listener =
            TcpListener::bind("127.0.0.1:0")
                .await
                .map_err(|source| EmulatorError::Bind {
                    address: "127.0.0.1:0".to_owned(),
                    source,
                })?;
        Emulator::serve(scenario, listener).await
    }

    /// Serves `scenario` on `listener` until the returned handle is shut down or dropped.
    pub async fn serve(
        scenario: Scenario,
        listener: TcpListener,
    ) -> Result<RunningEmulator, EmulatorError> {
        let address = listener
            .local_addr()
            .map_err(|source| EmulatorError::Bind {
                address: "the given listener".to_owned(),
                source,
            })?;
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let faults = FaultSwitches::default();
        for entry in &scenario.faults {
            faults.set(entry.scope(), Some(entry.fault.clone()));
        }
        let shared = Arc::new(Shared {
            ledger: Ledger::new(&scenario, SystemTime::now()),
            chunk_delay_ms: AtomicU64::new(scenario.settings.chunk_delay_ms),
            scenario,
            faults,
            counters: Default::default(),
            request_ids: AtomicU64::new(0),
            shutdown: shutdown_rx.clone(),
        });
        let router = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        let mut stop = shutdown_rx;
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|stopped| *stopped).await;
                })
                .await
        });
        Ok(RunningEmulator {
            address,
            base_url: format!("http://{address}"),
            shared,
            shutdown: shutdown_tx,
            task: Some(task),
        })
    }
}

/// A running emulator. Dropping it stops the server (in the background); [`Self::shutdown`]
/// stops it and waits.
#[derive(Debug)]
pub struct RunningEmulator {
    address: SocketAddr,
    base_url: String,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl RunningEmulator {
    /// `http://127.0.0.1:<port>`: the ClawRouter root (PROTOCOL.md §2), without `/v1`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The listening address.
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// The scenario being served.
    pub fn scenario(&self) -> &Scenario {
        &self.shared.scenario
    }

    /// Requests received on `endpoint` so far (rejected ones included).
    pub fn request_count(&self, endpoint: Endpoint) -> u64 {
        self.shared
            .counters
            .get(endpoint.slot())
            .map_or(0, |counter| counter.load(Ordering::Relaxed))
    }

    /// Switches the fault of `scope` on (`Some`) or off (`None`) for the calls that follow.
    pub fn set_fault(&self, scope: FaultScope, fault: Option<Fault>) {
        self.shared.faults.set(scope, fault);
    }

    /// Switches every fault off.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Sets the pause between two writes of the streams that start from now on.
    pub fn set_chunk_delay(&self, delay: Duration) {
        let millis = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self.shared.chunk_delay_ms.store(millis, Ordering::Relaxed);
    }

    /// The usage of `key`'s policy, as `/v1/usage` would report it; `None` for an unknown key.
    pub fn usage_of(&self, key: &str) -> Option<UsageReport> {
        let entry = self.shared.scenario.key_entry(key)?;
        self.shared.ledger.report(&entry.policy, SystemTime::now())
    }

    /// Stops accepting connections, ends stalled and streaming responses, and waits (at most
    /// five seconds) for the server to finish.
    pub async fn shutdown(mut self) -> Result<(), EmulatorError> {
        let _ = self.shutdown.send(true);
        let Some(mut task) = self.task.take() else {
            return Ok(());
        };
        match tokio::time::timeout(Duration::from_secs(5), &mut task).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(error))) => Err(EmulatorError::Serve(error)),
            Ok(Err(join)) => Err(EmulatorError::Serve(io::Error::other(join.to_string()))),
            Err(_) => {
                task.abort();
                Ok(())
            }
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

#[derive(Debug)]
struct Shared {
    scenario: Scenario,
    ledger: Ledger,
    faults: FaultSwitches,
    counters: [AtomicU64; Endpoint::ALL.len()],
    chunk_delay_ms: AtomicU64,
    request_ids: AtomicU64,
    shutdown: watch::Receiver<bool>,
}

impl Shared {
    fn count(&self, endpoint: Endpoint) {
        if let Some(counter) = self.counters.get(endpoint.slot()) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }

    async fn until_shutdown(&self) {
        let mut shutdown = self.shutdown.clone();
        let _ = shutdown.wait_for(|stopped| *stopped).await;
    }
}

/// Where a request goes.
enum Target<'a> {
    Catalog,
    Usage,
    OpenAi(Dialect),
    Native {
        provider: &'a Provider,
        route: &'a Route,
        /// The `${model}` part of the path, for templated routes.
        model: Option<String>,
    },
}

/// A rejected request: status, code, message (plus extra headers).
struct Reject {
    status: StatusCode,
    code: &'static str,
    message: String,
    headers: Vec<(header::HeaderName, HeaderValue)>,
}

impl Reject {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Reject {
            status,
            code,
            message: message.into(),
            headers: Vec::new(),
        }
    }

    fn with_header(mut self, name: header::HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    fn into_response(self, request_id: &str) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message}});
        let mut response = json_response(self.status, &body, request_id);
        for (name, value) in self.headers {
            response.headers_mut().insert(name, value);
        }
        response
    }
}

fn json_response(status: StatusCode, body: &Value, request_id: &str) -> Response {
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("x-request-id", value);
    }
    response
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or_default().to_owned();
    shared.count(classify(&shared.scenario, &path));
    let request_id = match request_id(&parts.headers, &shared) {
        Ok(id) => id,
        Err(reject) => {
            let id = generated_request_id(&shared);
            return reject.into_response(&id);
        }
    };
    let body = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(body) => body,
        Err(_) => {
            return Reject::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "request_too_large",
                format!("the request body is unreadable or larger than {MAX_BODY_BYTES} bytes"),
            )
            .into_response(&request_id);
        }
    };
    match respond(&shared, &parts.method, &path, &query, &parts.headers, body).await {
        Ok(response) => with_request_id(response, &request_id),
        Err(reject) => reject.into_response(&request_id),
    }
}

fn with_request_id(mut response: Response, request_id: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

fn classify(scenario: &Scenario, path: &str) -> Endpoint {
    match path {
        "/v1/catalog" => Endpoint::Catalog,
        "/v1/usage" => Endpoint::Usage,
        "/v1/responses" => Endpoint::Responses,
        "/v1/chat/completions" => Endpoint::ChatCompletions,
        _ => match native_target(scenario, path) {
            Ok(Target::Native { route, .. }) if route.request_format == "anthropic.messages" => {
                Endpoint::AnthropicMessages
            }
            Ok(Target::Native { route, .. })
                if route.request_format == "google.generate_content" =>
            {
                Endpoint::GoogleStreamGenerateContent
            }
            _ => Endpoint::Other,
        },
    }
}

/// The request-id safe set (PROTOCOL.md §7.3, §7.5).
fn id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || ".-_~:/+@=".contains(c)
}

fn valid_id(value: &str, max: usize) -> bool {
    !value.is_empty() && value.len() <= max && value.chars().all(id_char)
}

fn generated_request_id(shared: &Shared) -> String {
    let sequence = shared.request_ids.fetch_add(1, Ordering::Relaxed);
    format!("req_{sequence:032x}")
}

fn request_id(headers: &HeaderMap, shared: &Shared) -> Result<String, Reject> {
    let Some(value) = headers.get("x-request-id") else {
        return Ok(generated_request_id(shared));
    };
    match value.to_str().map(str::trim) {
        Ok(id) if valid_id(id, 128) => Ok(id.to_owned()),
        _ => Err(Reject::new(
            StatusCode::BAD_REQUEST,
            "invalid_request_id",
            "X-Request-ID must be a 128-character-or-shorter ASCII identifier without whitespace or control characters",
        )),
    }
}

/// The attribution sources of PROTOCOL.md §7.5; within a group the first present wins.
const ATTRIBUTION_GROUPS: [&[&str]; 5] = [
    &[
        "x-clawrouter-session-id",
        "x-claude-code-session-id",
        "session-id",
    ],
    &["x-clawrouter-agent-id", "x-claude-code-agent-id"],
    &[
        "x-clawrouter-parent-agent-id",
        "x-claude-code-parent-agent-id",
    ],
    &["x-clawrouter-project-id"],
    &["x-clawrouter-client"],
];

fn check_attribution(headers: &HeaderMap) -> Result<(), Reject> {
    for group in ATTRIBUTION_GROUPS {
        let Some((name, value)) = group
            .iter()
            .find_map(|name| headers.get(*name).map(|value| (*name, value)))
        else {
            continue;
        };
        let valid = value.to_str().is_ok_and(|text| valid_id(text.trim(), 256));
        if !valid {
            return Err(Reject::new(
                StatusCode::BAD_REQUEST,
                "invalid_attribution_id",
                format!(
                    "{name} must be 1-256 characters of A-Z a-z 0-9 . _ ~ : / + @ = - (no spaces or control characters)"
                ),
            ));
        }
    }
    Ok(())
}

fn method_not_allowed(allowed: &str) -> Reject {
    let reject = Reject::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("this endpoint accepts {allowed} only"),
    );
    match HeaderValue::from_str(allowed) {
        Ok(value) => reject.with_header(header::ALLOW, value),
        Err(_) => reject,
    }
}

fn native_target<'a>(scenario: &'a Scenario, path: &str) -> Result<Target<'a>, Reject> {
    let Some(rest) = path.strip_prefix("/v1/native/") else {
        return Err(Reject::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no ClawRouter endpoint at {path}"),
        ));
    };
    let (provider_id, native_path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let provider = scenario
        .providers
        .iter()
        .find(|provider| {
            provider.native_base_url.trim_end_matches('/') == format!("/v1/native/{provider_id}")
        })
        .ok_or_else(|| {
            Reject::new(
                StatusCode::NOT_FOUND,
                "provider_not_found",
                format!("no provider {provider_id:?} behind /v1/native/"),
            )
        })?;
    for route in &provider.routes {
        if let Some(model) = match_template(&route.path, native_path) {
            return Ok(Target::Native {
                provider,
                route,
                model,
            });
        }
    }
    Err(Reject::new(
        StatusCode::NOT_FOUND,
        "route_not_found",
        format!("provider {provider_id:?} has no native route {native_path:?}"),
    ))
}

/// Matches a route template against a path: `Some(None)` for an exact match of a template
/// without `${model}`, `Some(Some(model))` when `${model}` matched one non-empty segment.
fn match_template(template: &str, path: &str) -> Option<Option<String>> {
    match template.split_once("${model}") {
        None => (template == path).then_some(None),
        Some((prefix, suffix)) => {
            let middle = path.strip_prefix(prefix)?.strip_suffix(suffix)?;
            (!middle.is_empty() && !middle.contains('/')).then(|| Some(middle.to_owned()))
        }
    }
}

async fn respond(
    shared: &Arc<Shared>,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response, Reject> {
    check_attribution(headers)?;
    let scenario = &shared.scenario;
    let target = match path {
        "/v1/catalog" => Target::Catalog,
        "/v1/usage" => Target::Usage,
        "/v1/responses" => Target::OpenAi(Dialect::Responses),
        "/v1/chat/completions" => Target::OpenAi(Dialect::Chat),
        _ => native_target(scenario, path)?,
    };
    match &target {
        Target::Catalog | Target::Usage => {
            if method != Method::GET {
                return Err(method_not_allowed("GET"));
            }
        }
        Target::OpenAi(_) => {
            if method != Method::POST {
                return Err(method_not_allowed("POST"));
            }
        }
        Target::Native { route, .. } => {
            if !route
                .methods
                .iter()
                .any(|allowed| allowed.eq_ignore_ascii_case(method.as_str()))
            {
                return Err(method_not_allowed(&route.methods.join(", ")));
            }
        }
    }
    let (entry, policy) = authenticate(scenario, headers)?;
    let now = SystemTime::now();
    match target {
        Target::Catalog => Ok(json_response(
            StatusCode::OK,
            &catalog_body(scenario, policy),
            "",
        )),
        Target::Usage => {
            let report = shared.ledger.report(&policy.id, now).ok_or_else(|| {
                Reject::new(
                    StatusCode::FORBIDDEN,
                    "credential_policy_missing",
                    "the key's policy has no ledger",
                )
            })?;
            Ok(json_response(StatusCode::OK, &report.to_json(), ""))
        }
        Target::OpenAi(dialect) => {
            let shape = parse_body(dialect, &body)?;
            let requested = shape.model.clone().unwrap_or_default();
            if requested.is_empty() {
                return Err(Reject::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "the request body has no \"model\"",
                ));
            }
            let (provider, model) = find_model(scenario, None, &requested)?;
            check_grant(policy, provider, model)?;
            let capability = if dialect == Dialect::Responses {
                "llm.responses"
            } else {
                "llm.chat"
            };
            if !provider.openai_compatible || !has(model, capability) {
                return Err(unsupported_endpoint(model, path));
            }
            let format = if dialect == Dialect::Responses {
                WireFormat::Responses
            } else {
                WireFormat::Chat
            };
            serve_model(
                shared, entry, policy, model, &model.id, format, &shape, &body,
            )
            .await
        }
        Target::Native {
            provider,
            route,
            model: path_model,
        } => {
            let (dialect, format, capability) = match route.request_format.as_str() {
                "anthropic.messages" => (Dialect::Anthropic, WireFormat::Anthropic, "llm.messages"),
                "google.generate_content" => {
                    if !route.path.contains(":streamGenerateContent") {
                        return Err(Reject::new(
                            StatusCode::BAD_REQUEST,
                            "streaming_required",
                            "the emulator serves :streamGenerateContent only",
                        ));
                    }
                    let format = if query.split('&').any(|pair| pair == "alt=sse") {
                        WireFormat::GeminiSse
                    } else {
                        WireFormat::GeminiArray
                    };
                    (Dialect::Gemini, format, "llm.stream")
                }
                other => {
                    return Err(Reject::new(
                        StatusCode::BAD_REQUEST,
                        "unsupported_request_format",
                        format!("the emulator cannot serve request format {other:?}"),
                    ));
                }
            };
            let shape = parse_body(dialect, &body)?;
            let requested = path_model
                .or_else(|| shape.model.clone())
                .unwrap_or_default();
            if requested.is_empty() {
                return Err(Reject::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "the request names no model",
                ));
            }
            let (_, model) = find_model(scenario, Some(provider), &requested)?;
            check_grant(policy, provider, model)?;
            if !has(model, capability) {
                return Err(unsupported_endpoint(model, path));
            }
            serve_model(
                shared,
                entry,
                policy,
                model,
                &model.upstream,
                format,
                &shape,
                &body,
            )
            .await
        }
    }
}

fn has(model: &Model, capability: &str) -> bool {
    model.capabilities.iter().any(|owned| owned == capability)
}

fn unsupported_endpoint(model: &Model, path: &str) -> Reject {
    Reject::new(
        StatusCode::BAD_REQUEST,
        "unsupported_endpoint",
        format!("model {:?} is not served on {path}", model.id),
    )
}

fn parse_body(dialect: Dialect, body: &[u8]) -> Result<RequestShape, Reject> {
    let shape = RequestShape::parse(dialect, body).ok_or_else(|| {
        Reject::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the request body must be a JSON object",
        )
    })?;
    if !shape.stream {
        return Err(Reject::new(
            StatusCode::BAD_REQUEST,
            "streaming_required",
            "the emulator serves streaming calls only: send \"stream\": true",
        ));
    }
    Ok(shape)
}

fn authenticate<'a>(
    scenario: &'a Scenario,
    headers: &HeaderMap,
) -> Result<(&'a KeyEntry, &'a Policy), Reject> {
    let key = match presented_key(headers) {
        Presented::Missing => {
            return Err(Reject::new(
                StatusCode::UNAUTHORIZED,
                "client_auth_required",
                "send a ClawRouter proxy key in Authorization: Bearer, x-api-key, x-goog-api-key or api-key",
            ));
        }
        Presented::Malformed => {
            return Err(Reject::new(
                StatusCode::UNAUTHORIZED,
                "invalid_proxy_key",
                "the credential is not a ClawRouter proxy key (clawrouter-live-…, clawrouter-test-…, ocpk_live_…, ocpk_test_…)",
            ));
        }
        Presented::Key(key) => key,
    };
    let entry = scenario.key_entry(key).ok_or_else(|| {
        Reject::new(
            StatusCode::UNAUTHORIZED,
            "unknown_proxy_key",
            "this proxy key is not known to the server; reissue it",
        )
    })?;
    if entry.revoked {
        return Err(Reject::new(
            StatusCode::FORBIDDEN,
            "proxy_key_revoked",
            "this proxy key was revoked; reissue it",
        ));
    }
    let policy = scenario.policy(&entry.policy).ok_or_else(|| {
        Reject::new(
            StatusCode::FORBIDDEN,
            "credential_policy_missing",
            "the key's policy no longer exists",
        )
    })?;
    Ok((entry, policy))
}

fn find_model<'a>(
    scenario: &'a Scenario,
    provider: Option<&'a Provider>,
    requested: &str,
) -> Result<(&'a Provider, &'a Model), Reject> {
    let scoped = provider.is_some();
    let providers: Vec<&Provider> = match provider {
        Some(provider) => vec![provider],
        None => scenario.providers.iter().collect(),
    };
    providers
        .into_iter()
        .find_map(|provider| {
            provider
                .models
                .iter()
                // Native routes name the upstream id, which is only unique within a provider.
                .find(|model| model.id == requested || (scoped && model.upstream == requested))
                .map(|model| (provider, model))
        })
        .ok_or_else(|| {
            Reject::new(
                StatusCode::NOT_FOUND,
                "model_not_found",
                format!("no model {requested:?} here"),
            )
        })
}

/// A metered policy cannot use an unpriced model: the catalog omits it (PROTOCOL.md §4.2), and
/// the server refuses it like any model the policy does not grant.
fn check_grant(policy: &Policy, provider: &Provider, model: &Model) -> Result<(), Reject> {
    let priced_or_unmetered = model.pricing.is_some() || policy.monthly_budget_usd.is_none();
    if policy.grants_model(&provider.id, &model.id) && priced_or_unmetered {
        Ok(())
    } else {
        Err(Reject::new(
            StatusCode::FORBIDDEN,
            "model_not_granted",
            format!("policy {:?} does not grant model {:?}", policy.id, model.id),
        ))
    }
}

#[allow(clippy::too_many_arguments)]
async fn serve_model(
    shared: &Arc<Shared>,
    entry: &KeyEntry,
    policy: &Policy,
    model: &Model,
    wire_model: &str,
    format: WireFormat,
    shape: &RequestShape,
    body: &[u8],
) -> Result<Response, Reject> {
    let now = SystemTime::now();
    if let Some(report) = shared.ledger.report(&policy.id, now)
        && report.exhausted()
    {
        return Err(Reject::new(
            StatusCode::PAYMENT_REQUIRED,
            "budget_exhausted",
            format!(
                "the monthly budget of policy {:?} is used up ({} of {} micro-USD); it resets at {}",
                policy.id,
                report.spent_micros,
                report.limit_micros.unwrap_or(0),
                report.reset_at
            ),
        ));
    }
    let fault = shared
        .faults
        .lookup(entry.key.expose(), [&model.id, &model.upstream]);
    match &fault {
        Some(Fault::RateLimited { retry_after_secs }) => {
            shared.ledger.charge(&policy.id, Charge::Error, now);
            let reject = Reject::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("rate limited by the emulator; retry after {retry_after_secs} s"),
            );
            return Err(
                reject.with_header(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs))
            );
        }
        Some(Fault::ServerError { status }) => {
            shared.ledger.charge(&policy.id, Charge::Error, now);
            let status = StatusCode::from_u16(*status)
                .ok()
                .filter(StatusCode::is_server_error)
                .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            return Err(Reject::new(
                status,
                "upstream_unavailable",
                "the emulator injected a server error",
            ));
        }
        Some(Fault::StallBeforeFirstByte) => {
            shared.ledger.charge(&policy.id, Charge::Error, now);
            shared.until_shutdown().await;
            return Err(Reject::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "shutting_down",
                "the emulator is shutting down",
            ));
        }
        Some(fault) => {
            if let Some(delay) = fault.first_byte_delay() {
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    () = shared.until_shutdown() => {}
                }
            }
        }
        None => {}
    }
    let reply = Reply::plan(shape, model.reasoning, body.len(), body);
    let context = RenderContext {
        model: wire_model,
        include_usage: shape.include_usage,
    };
    let mut pieces = render(format, &context, &reply);
    let mut end = End::Complete;
    let stream_fault = match fault {
        Some(Fault::StallMidStream { after_events }) => {
            pieces.truncate(after_events.min(pieces.len().saturating_sub(1)));
            end = End::Stall;
            true
        }
        Some(Fault::CutMidEvent { after_events }) => {
            let keep = after_events.min(pieces.len().saturating_sub(1));
            let half = pieces
                .get(keep)
                .map(|piece| Bytes::copy_from_slice(piece.get(..piece.len() / 2).unwrap_or(&[])))
                .unwrap_or_default();
            pieces.truncate(keep);
            end = End::Cut(half);
            true
        }
        Some(Fault::ErrorAfter200 { after_events }) => {
            let keep = after_events.min(pieces.len().saturating_sub(1));
            pieces.truncate(keep);
            pieces.extend(error_tail(format, &context, &reply, keep));
            true
        }
        _ => false,
    };
    let charge = if stream_fault {
        Charge::Error
    } else {
        let cost = model.pricing.map_or(0, |pricing| {
            pricing.cost_micros(reply.input_tokens, reply.output_tokens)
        });
        Charge::Success {
            input_tokens: reply.input_tokens,
            output_tokens: reply.output_tokens,
            cost_micros: cost,
        }
    };
    shared.ledger.charge(&policy.id, charge, now);
    let delay = Duration::from_millis(shared.chunk_delay_ms.load(Ordering::Relaxed));
    let state = BodyState {
        writes: chunk_writes(&pieces).into(),
        end,
        delay,
        first: true,
        shutdown: shared.shutdown.clone(),
    };
    let stream = futures_util::stream::unfold(state, next_write);
    let mut response = Response::new(Body::from_stream(stream));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

/// How a streamed body ends after its writes.
enum End {
    Complete,
    Stall,
    Cut(Bytes),
    Done,
}

struct BodyState {
    writes: VecDeque<Bytes>,
    end: End,
    delay: Duration,
    first: bool,
    shutdown: watch::Receiver<bool>,
}

impl BodyState {
    /// Sleeps `duration`; false when the emulator shut down meanwhile.
    async fn pause(&mut self, duration: Duration) -> bool {
        if duration.is_zero() {
            return !*self.shutdown.borrow();
        }
        tokio::select! {
            () = tokio::time::sleep(duration) => true,
            _ = self.shutdown.wait_for(|stopped| *stopped) => false,
        }
    }
}

async fn next_write(mut state: BodyState) -> Option<(Result<Bytes, io::Error>, BodyState)> {
    if let Some(write) = state.writes.pop_front() {
        if !state.first && !state.pause(state.delay).await {
            state.end = End::Done;
            state.writes.clear();
            return Some((Err(io::Error::other("the emulator shut down")), state));
        }
        state.first = false;
        return Some((Ok(write), state));
    }
    match std::mem::replace(&mut state.end, End::Done) {
        End::Complete | End::Done => None,
        End::Stall => {
            let _ = state.shutdown.wait_for(|stopped| *stopped).await;
            None
        }
        End::Cut(half) => {
            if !half.is_empty() {
                // Pause first so that the preceding write is flushed on its own.
                let _ = state.pause(state.delay).await;
                state.end = End::Cut(Bytes::new());
                return Some((Ok(half), state));
            }
            // Give the server time to flush the half event before the connection is reset.
            let _ = state.pause(Duration::from_millis(20)).await;
            Some((
                Err(io::Error::new(
                    io::ErrorKind::ConnectionReset,
                    "the emulator cut the stream mid-event",
                )),
                state,
            ))
        }
    }
}
