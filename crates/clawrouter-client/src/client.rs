//! [`ClientBuilder`] and [`Client`]: configuration, the key, and the one place where a request
//! is sent (PROTOCOL.md §2, §3, §4.1, §14 D5).
//!
//! The key is attached in exactly one function, right before a request leaves, and only when the
//! request's origin (scheme, host, port) equals the configured root's origin. Redirects are
//! followed only within that origin; any other redirect is refused with
//! [`ClientError::RedirectRefused`], so the key can never be carried elsewhere. `Debug` of every
//! type shows `[REDACTED]` where the key would be.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use clawrouter_catalog::{BaseUrl, DEFAULT_ROOT_URL};
use http::header::{AUTHORIZATION, CONTENT_LENGTH};
use http::{HeaderMap, HeaderValue, Method};
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;
use url::Url;

use crate::error::{
    ClientError, ERROR_EXCERPT_LIMIT, HttpFailure, Operation, SharedSource, TimeoutPhase,
    classify_status, error_fields, excerpt,
};
use crate::retry::{RetryConfig, retry_after};

/// The environment variable holding the key (PROTOCOL.md §1).
pub const API_KEY_ENV: &str = "CLAWROUTER_API_KEY";

/// How much of an error body is read to find its JSON error code; the excerpt keeps less.
const ERROR_BODY_READ_LIMIT: usize = 16 * 1024;

/// The longest wait for the body of an error response.
const ERROR_BODY_WAIT: Duration = Duration::from_secs(5);

/// Redirects followed within the configured origin before giving up.
const MAX_REDIRECTS: usize = 10;

/// The client's timeouts. See each field for its default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Opening a connection (TCP and TLS). Default 10 s.
    pub connect: Duration,
    /// From sending a request to its response headers. Default 60 s (a model call's headers come
    /// when the upstream provider answers).
    pub first_byte: Duration,
    /// Between two chunks of a streamed body. Default 120 s (reasoning models may think quietly
    /// for a long time; Anthropic pings every few seconds).
    pub idle: Duration,
    /// The whole catalog fetch: 5 s (PROTOCOL.md §4.1).
    pub catalog: Duration,
    /// The whole usage fetch, also its idle timeout (PROTOCOL.md §8.1 leaves the value to the
    /// caller). Default 5 s.
    pub usage: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            first_byte: Duration::from_secs(60),
            idle: Duration::from_secs(120),
            catalog: Duration::from_secs(5),
            usage: Duration::from_secs(5),
        }
    }
}

/// Whether the environment's `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` are
/// honoured (PROTOCOL.md §4.1, §8.1, §14 D5).
///
/// For a plain `http://` origin an HTTP proxy receives the request itself (absolute-form, as
/// every HTTP client does); an `https://` origin is reached through a `CONNECT` tunnel, so the
/// proxy sees only the host and port.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyMode {
    /// OpenClaw's rule ([`BaseUrl::network_mode`]): the catalog and model calls use the
    /// environment proxy on the public origin (`https://clawrouter.openclaw.ai`) and connect
    /// directly to any other origin; usage uses the environment proxy on every origin.
    #[default]
    Auto,
    /// Always honour the environment proxy.
    Environment,
    /// Never use a proxy.
    Direct,
}

impl ProxyMode {
    /// Whether `operation` against `base` honours the environment proxy.
    ///
    /// ```
    /// use clawrouter_catalog::BaseUrl;
    /// use clawrouter_client::{Operation, ProxyMode};
    ///
    /// let private = BaseUrl::new(Some("https://router.example"));
    /// assert!(!ProxyMode::Auto.uses_env_proxy(&private, Operation::Catalog));
    /// assert!(ProxyMode::Auto.uses_env_proxy(&private, Operation::Usage));
    /// assert!(ProxyMode::Auto.uses_env_proxy(&BaseUrl::new(None), Operation::Catalog));
    /// assert!(!ProxyMode::Direct.uses_env_proxy(&private, Operation::Usage));
    /// ```
    pub fn uses_env_proxy(self, base: &BaseUrl, operation: Operation) -> bool {
        match self {
            ProxyMode::Auto => base
                .network_mode(operation.router_request())
                .uses_env_proxy(),
            ProxyMode::Environment => true,
            ProxyMode::Direct => false,
        }
    }
}

/// Builds a [`Client`].
///
/// ```
/// use std::time::Duration;
/// use clawrouter_catalog::BaseUrl;
/// use clawrouter_client::Client;
///
/// let client = Client::builder()
///     .base_url(BaseUrl::new(Some("https://router.example/v1")))
///     .api_key("clawrouter-live-abcd-secret12".into())
///     .idle_timeout(Duration::from_secs(30))
///     .build()
///     .unwrap();
/// assert!(client.has_key());
/// assert!(!format!("{client:?}").contains("secret12"));
/// ```
#[derive(Clone, Default)]
pub struct ClientBuilder {
    base: BaseUrl,
    key: Option<SecretString>,
    timeouts: Timeouts,
    retry: RetryConfig,
    user_agent: Option<String>,
    proxy: ProxyMode,
    catalog_ttl: Option<Duration>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base", &self.base)
            .field("key", &self.key.as_ref().map(|_| "[REDACTED]"))
            .field("timeouts", &self.timeouts)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .field("proxy", &self.proxy)
            .finish()
    }
}

impl ClientBuilder {
    /// The default configuration: the default origin, no key.
    pub fn new() -> Self {
        Self::default()
    }

    /// The ClawRouter base URL (normalized per PROTOCOL.md §2).
    pub fn base_url(mut self, base: BaseUrl) -> Self {
        self.base = base;
        self
    }

    /// The key. Trimmed; empty or the literal `CLAWROUTER_API_KEY` counts as no key
    /// (PROTOCOL.md §3.3).
    pub fn api_key(mut self, key: SecretString) -> Self {
        self.key = usable_key(key);
        self
    }

    /// The key from the `CLAWROUTER_API_KEY` environment variable, when it holds a usable one
    /// (otherwise the builder keeps no key).
    pub fn api_key_from_env(mut self) -> Self {
        self.key = std::env::var(API_KEY_ENV)
            .ok()
            .and_then(|key| usable_key(SecretString::from(key)));
        self
    }

    /// All timeouts at once.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// See [`Timeouts::connect`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.connect = timeout;
        self
    }

    /// See [`Timeouts::first_byte`].
    pub fn first_byte_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.first_byte = timeout;
        self
    }

    /// See [`Timeouts::idle`].
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.idle = timeout;
        self
    }

    /// See [`Timeouts::catalog`].
    pub fn catalog_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.catalog = timeout;
        self
    }

    /// See [`Timeouts::usage`].
    pub fn usage_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.usage = timeout;
        self
    }

    /// How failures are retried.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// The `User-Agent` header (default `clawrouter-rs/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Whether the environment proxy is used.
    pub fn proxy(mut self, proxy: ProxyMode) -> Self {
        self.proxy = proxy;
        self
    }

    /// How long a catalog stays cached by a [`CatalogCache`](crate::CatalogCache) that uses this
    /// client (default 60 s, PROTOCOL.md §5.1; zero disables caching).
    pub fn catalog_ttl(mut self, ttl: Duration) -> Self {
        self.catalog_ttl = Some(ttl);
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`ClientError::Config`] when the root URL is not an absolute `http`/`https` URL, the key
    /// or user agent is not a valid header value, or TLS cannot be set up.
    pub fn build(self) -> Result<Client, ClientError> {
        let root = Url::parse(self.base.root()).map_err(|error| {
            ClientError::Config(format!(
                "the base URL {} is not an absolute URL ({error}); use e.g. {DEFAULT_ROOT_URL}",
                self.base
            ))
        })?;
        if !matches!(root.scheme(), "http" | "https") || root.host_str().is_none() {
            return Err(ClientError::Config(format!(
                "the base URL {} must be an http or https URL with a host",
                self.base
            )));
        }
        if root.host_str() == Some("clawrouter.openclaw.ai") && root.scheme() != "https" {
            return Err(ClientError::Config(format!(
                "the default ClawRouter origin is only reached over HTTPS (PROTOCOL.md §4.1); use {DEFAULT_ROOT_URL}"
            )));
        }
        if root.query().is_some() || root.fragment().is_some() || !root.username().is_empty() {
            return Err(ClientError::Config(format!(
                "the base URL {} must not carry credentials, a query or a fragment",
                self.base
            )));
        }
        let authorization = match &self.key {
            Some(key) => {
                let mut value = HeaderValue::from_str(&format!("Bearer {}", key.expose_secret()))
                    .map_err(|_| {
                        ClientError::Config(
                            "the API key contains characters that are not allowed in an HTTP header; copy the key again"
                                .to_owned(),
                        )
                    })?;
                value.set_sensitive(true);
                Some(value)
            }
            None => None,
        };
        let user_agent = self
            .user_agent
            .unwrap_or_else(|| format!("clawrouter-rs/{}", env!("CARGO_PKG_VERSION")));
        // Whether the catalog, usage and model calls honour the environment proxy: one reqwest
        // client is built per mode in use.
        let env_proxy = [
            Operation::Catalog,
            Operation::Usage,
            Operation::Dispatch(clawrouter_wire::transport::Transport::OpenAiCompletions),
        ]
        .map(|operation| self.proxy.uses_env_proxy(&self.base, operation));
        let build_http =
            |env_proxy: bool| http_client(&root, self.timeouts.connect, &user_agent, env_proxy);
        let direct = env_proxy
            .contains(&false)
            .then(|| build_http(false))
            .transpose()?;
        let env_proxied = env_proxy
            .contains(&true)
            .then(|| build_http(true))
            .transpose()?;
        Ok(Client {
            inner: Arc::new(Inner {
                direct,
                env_proxied,
                proxy: self.proxy,
                authorization,
                key: self.key,
                root,
                base: self.base,
                timeouts: self.timeouts,
                retry: self.retry,
                catalog_ttl: self.catalog_ttl.unwrap_or(Duration::from_secs(60)),
                models: crate::models::resolved_catalog_cache(),
            }),
        })
    }
}

/// Runs `fetch` until `deadline`, the end of a whole-request `budget` (the catalog's and the
/// usage request's); past it, [`ClientError::Timeout`] with [`TimeoutPhase::Total`].
pub(crate) async fn within_budget<T>(
    operation: Operation,
    budget: Duration,
    deadline: Instant,
    fetch: impl Future<Output = Result<T, ClientError>>,
) -> Result<T, ClientError> {
    tokio::time::timeout_at(deadline, fetch)
        .await
        .unwrap_or(Err(ClientError::Timeout {
            operation,
            phase: TimeoutPhase::Total,
            after: budget,
        }))
}

/// One reqwest client: rustls, the connect timeout, the same-origin redirect policy, and the
/// environment proxy or none. A [`Client`] holds one or two of them (see [`ProxyMode`]).
fn http_client(
    root: &Url,
    connect_timeout: Duration,
    user_agent: &str,
    env_proxy: bool,
) -> Result<reqwest::Client, ClientError> {
    let origin = root.origin();
    let redirect = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.url().origin() != origin {
            let target = attempt.url().origin().ascii_serialization();
            let internal = attempt.url().host().is_some_and(is_internal_host);
            attempt.error(CrossOriginRedirect { target, internal })
        } else if attempt.previous().len() >= MAX_REDIRECTS {
            attempt.error(TooManyRedirects)
        } else {
            attempt.follow()
        }
    });
    let mut http = reqwest::Client::builder()
        .tls_backend_preconfigured(tls_config()?)
        .connect_timeout(connect_timeout)
        .redirect(redirect)
        .referer(false)
        .user_agent(user_agent);
    if !env_proxy {
        http = http.no_proxy();
    }
    http.build().map_err(|error| {
        ClientError::Config(format!("the HTTP client could not be built: {error}"))
    })
}

/// Whether a redirect target is a private, loopback, link-local or otherwise internal address
/// (PROTOCOL.md §14 D5). Such redirects are refused like any other cross-origin redirect; the
/// error says so, because a router redirecting there is a sign of SSRF or a misconfiguration.
pub(crate) fn is_internal_host(host: url::Host<&str>) -> bool {
    use std::net::{IpAddr, Ipv4Addr};
    fn internal_v4(ip: Ipv4Addr) -> bool {
        let [a, b, ..] = ip.octets();
        ip.is_private()
            || ip.is_loopback()
            || ip.is_link_local()
            || ip.is_unspecified()
            || ip.is_broadcast()
            || a == 0
            // 100.64.0.0/10, carrier-grade NAT (RFC 6598).
            || (a == 100 && (b & 0xC0) == 64)
    }
    let ip = match host {
        url::Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            return name == "localhost"
                || [".localhost", ".local", ".internal"]
                    .iter()
                    .any(|suffix| name.ends_with(suffix));
        }
        url::Host::Ipv4(ip) => IpAddr::V4(ip),
        url::Host::Ipv6(ip) => IpAddr::V6(ip),
    };
    match ip {
        IpAddr::V4(ip) => internal_v4(ip),
        IpAddr::V6(ip) => {
            let first = ip.segments().first().copied().unwrap_or(0);
            ip.is_loopback()
                || ip.is_unspecified()
                // fc00::/7 unique local, fe80::/10 link-local.
                || (first & 0xFE00) == 0xFC00
                || (first & 0xFFC0) == 0xFE80
                || ip.to_ipv4_mapped().is_some_and(internal_v4)
        }
    }
}

/// The key unless it is blank or the env-var-name marker (PROTOCOL.md §3.2, §3.3).
fn usable_key(key: SecretString) -> Option<SecretString> {
    let trimmed = key.expose_secret().trim();
    if trimmed.is_empty() || trimmed == API_KEY_ENV {
        None
    } else if trimmed.len() == key.expose_secret().len() {
        Some(key)
    } else {
        Some(SecretString::from(trimmed.to_owned()))
    }
}

/// rustls with the ring provider and the platform's trust store, built per process rather than
/// installed as the process default (a host application keeps its own choice). Loading the
/// trust store is the expensive part of building a client, so it is done once and every client
/// gets a copy of the same configuration.
fn tls_config() -> Result<rustls::ClientConfig, ClientError> {
    static CONFIG: std::sync::OnceLock<Result<rustls::ClientConfig, String>> =
        std::sync::OnceLock::new();
    CONFIG
        .get_or_init(|| {
            use rustls_platform_verifier::BuilderVerifierExt;
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let mut config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .and_then(|builder| builder.with_platform_verifier())
                .map_err(|error| format!("TLS could not be set up: {error}"))?
                .with_no_client_auth();
            config.alpn_protocols = vec![b"http/1.1".to_vec()];
            Ok(config)
        })
        .clone()
        .map_err(ClientError::Config)
}

/// The redirect policy's refusal, recognized again when the error comes back from reqwest.
#[derive(Debug)]
struct CrossOriginRedirect {
    target: String,
    internal: bool,
}

impl fmt::Display for CrossOriginRedirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.internal {
            "a private or internal address"
        } else {
            "another origin"
        };
        write!(f, "redirect to {what} ({}) refused", self.target)
    }
}

impl std::error::Error for CrossOriginRedirect {}

#[derive(Debug)]
struct TooManyRedirects;

impl fmt::Display for TooManyRedirects {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "more than {MAX_REDIRECTS} redirects")
    }
}

impl std::error::Error for TooManyRedirects {}

/// The ClawRouter client: cheap to clone (an `Arc` inside), safe to share between tasks.
///
/// Build one with [`Client::builder`] or [`Client::from_env`].
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    /// Connects directly; `None` when every request honours the environment proxy.
    direct: Option<reqwest::Client>,
    /// Honours the environment proxy; `None` when no request does.
    env_proxied: Option<reqwest::Client>,
    proxy: ProxyMode,
    base: BaseUrl,
    root: Url,
    /// `Bearer <key>`, marked sensitive; attached only by [`Client::send_once`].
    authorization: Option<HeaderValue>,
    /// The key: hashed for the catalog cache's fingerprint (PROTOCOL.md §5.1), and searched for
    /// to redact it from error excerpts. Never sent from here.
    key: Option<SecretString>,
    pub(crate) timeouts: Timeouts,
    pub(crate) retry: RetryConfig,
    pub(crate) catalog_ttl: Duration,
    /// The resolved catalogs of [`Client::catalog`](crate::Client::catalog).
    pub(crate) models: crate::catalog::CatalogCache<clawrouter_catalog::CatalogResolution>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.inner.base)
            .field(
                "key",
                &self.inner.authorization.as_ref().map(|_| "[REDACTED]"),
            )
            .field("timeouts", &self.inner.timeouts)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// One request, kept whole so that a retry can send it again.
pub(crate) struct Outgoing {
    pub operation: Operation,
    pub method: Method,
    pub url: Url,
    pub headers: HeaderMap,
    pub body: Option<Bytes>,
}

impl Client {
    /// A builder with the default configuration.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// The default origin with the key from `CLAWROUTER_API_KEY` (none when unset or blank).
    ///
    /// # Errors
    ///
    /// As [`ClientBuilder::build`].
    pub fn from_env() -> Result<Client, ClientError> {
        ClientBuilder::new().api_key_from_env().build()
    }

    /// The configured base URL.
    pub fn base_url(&self) -> &BaseUrl {
        &self.inner.base
    }

    /// Whether a usable key is configured.
    pub fn has_key(&self) -> bool {
        self.inner.authorization.is_some()
    }

    /// The configured timeouts.
    pub fn timeouts(&self) -> &Timeouts {
        &self.inner.timeouts
    }

    pub(crate) fn key(&self) -> Option<&SecretString> {
        self.inner.key.as_ref()
    }

    /// Parses `url` and checks that it lies under the configured root: same origin, and a path
    /// equal to the root's path or below it. Only such URLs may receive the key.
    pub(crate) fn url_under_root(
        &self,
        operation: Operation,
        url: &str,
    ) -> Result<Url, ClientError> {
        let refused = || ClientError::OutsideRoot {
            operation,
            url: url.to_owned(),
            root: self.inner.base.root().to_owned(),
        };
        let parsed = Url::parse(url).map_err(|_| refused())?;
        let root = &self.inner.root;
        if parsed.origin() != root.origin()
            || !parsed.username().is_empty()
            || parsed.password().is_some()
        {
            return Err(refused());
        }
        // `Url` has already resolved `.` and `..` segments, so a prefix check is sound.
        let root_path = root.path().trim_end_matches('/');
        let path = parsed.path();
        let below = path == root_path
            || path
                .strip_prefix(root_path)
                .is_some_and(|rest| rest.starts_with('/'));
        if below { Ok(parsed) } else { Err(refused()) }
    }

    /// `GET url` with `Accept: application/json`: the catalog and usage requests (§4.1, §8.1).
    pub(crate) fn json_get(
        &self,
        operation: Operation,
        url: &str,
    ) -> Result<Outgoing, ClientError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::ACCEPT,
            HeaderValue::from_static("application/json"),
        );
        Ok(Outgoing {
            operation,
            method: Method::GET,
            url: self.endpoint(operation, url)?,
            headers,
            body: None,
        })
    }

    /// An endpoint built from the root (PROTOCOL.md §2).
    pub(crate) fn endpoint(&self, operation: Operation, url: &str) -> Result<Url, ClientError> {
        self.url_under_root(operation, url)
    }

    /// Sends one request and waits for its response headers. The key is attached here, and only
    /// when the request's origin is the configured root's origin.
    pub(crate) async fn send_once(
        &self,
        outgoing: &Outgoing,
    ) -> Result<reqwest::Response, ClientError> {
        let operation = outgoing.operation;
        let mut request = self
            .http_for(operation)?
            .request(outgoing.method.clone(), outgoing.url.clone())
            .headers(outgoing.headers.clone());
        if let Some(authorization) = &self.inner.authorization
            && outgoing.url.origin() == self.inner.root.origin()
        {
            request = request.header(AUTHORIZATION, authorization.clone());
        }
        if let Some(body) = &outgoing.body {
            request = request.body(body.clone());
        }
        let first_byte = self.inner.timeouts.first_byte;
        match tokio::time::timeout(first_byte, request.send()).await {
            Err(_) => Err(ClientError::Timeout {
                operation,
                phase: TimeoutPhase::FirstByte,
                after: first_byte,
            }),
            Ok(Err(error)) => Err(self.transport_error(operation, error)),
            Ok(Ok(response)) => Ok(response),
        }
    }

    /// The reqwest client for `operation`: proxied or direct per [`ProxyMode::uses_env_proxy`].
    fn http_for(&self, operation: Operation) -> Result<&reqwest::Client, ClientError> {
        let inner = &self.inner;
        let http = if inner.proxy.uses_env_proxy(&inner.base, operation) {
            inner.env_proxied.as_ref()
        } else {
            inner.direct.as_ref()
        };
        // Both are built by `ClientBuilder::build` from the same rule, so this never fails.
        http.ok_or_else(|| {
            ClientError::Config(format!("no HTTP client was built for the {operation}"))
        })
    }

    /// Sends one request and turns a non-success status into its typed error (reading a bounded
    /// excerpt of the error body).
    pub(crate) async fn send_checked(
        &self,
        outgoing: &Outgoing,
    ) -> Result<reqwest::Response, ClientError> {
        let response = self.send_once(outgoing).await?;
        if response.status().is_success() {
            return Ok(response);
        }
        Err(self.status_error(outgoing.operation, response).await)
    }

    /// The typed error for a non-success response.
    pub(crate) async fn status_error(
        &self,
        operation: Operation,
        response: reqwest::Response,
    ) -> ClientError {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = self.read_prefix(response, ERROR_BODY_READ_LIMIT).await;
        let (code, message) = error_fields(&body);
        let failure = HttpFailure {
            status,
            code,
            message: message.map(|message| self.redact(&message)),
            retry_after: retry_after(&headers, SystemTime::now()),
            request_id: headers
                .get("x-request-id")
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned),
            excerpt: self.excerpt(&body),
        };
        classify_status(operation, failure)
    }

    /// A bounded, redacted excerpt of a body.
    pub(crate) fn excerpt(&self, body: &[u8]) -> String {
        excerpt(
            body,
            ERROR_EXCERPT_LIMIT,
            self.inner.key.as_ref().map(|key| key.expose_secret()),
        )
    }

    fn redact(&self, text: &str) -> String {
        match &self.inner.key {
            Some(key) if !key.expose_secret().is_empty() => {
                text.replace(key.expose_secret(), "[REDACTED]")
            }
            _ => text.to_owned(),
        }
    }

    /// Reads at most `limit` bytes of a body, giving up quietly on an error or when
    /// [`ERROR_BODY_WAIT`] (or a shorter idle / first-byte timeout) has passed in total: what
    /// arrived is all an error report needs, and a stalled error body must not hold the caller.
    pub(crate) async fn read_prefix(&self, mut response: reqwest::Response, limit: usize) -> Bytes {
        let mut body = BytesMut::new();
        let wait = ERROR_BODY_WAIT
            .min(self.inner.timeouts.idle)
            .min(self.inner.timeouts.first_byte);
        let read = async {
            while body.len() < limit {
                match response.chunk().await {
                    Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                    _ => break,
                }
            }
        };
        let _ = tokio::time::timeout(wait, read).await;
        body.truncate(limit);
        body.freeze()
    }

    /// Reads a whole body of at most `limit` bytes, waiting at most `idle` for each chunk and
    /// stopping at `deadline`. Reading stops as soon as the limit is passed (the connection is
    /// then dropped, not drained).
    pub(crate) async fn read_body(
        &self,
        operation: Operation,
        mut response: reqwest::Response,
        limit: usize,
        idle: Duration,
        deadline: Instant,
    ) -> Result<Bytes, ClientError> {
        let announced = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        if let Some(announced) = announced
            && announced > limit as u64
        {
            return Err(ClientError::BodyTooLarge {
                operation,
                limit,
                received: announced,
            });
        }
        let mut body = BytesMut::new();
        loop {
            let now = Instant::now();
            let remaining = deadline.saturating_duration_since(now);
            let wait = idle.min(remaining);
            let chunk = match tokio::time::timeout(wait, response.chunk()).await {
                Err(_) if wait == remaining => {
                    return Err(ClientError::Timeout {
                        operation,
                        phase: TimeoutPhase::Total,
                        after: self.total_timeout(operation),
                    });
                }
                Err(_) => {
                    return Err(ClientError::Timeout {
                        operation,
                        phase: TimeoutPhase::Idle,
                        after: idle,
                    });
                }
                Ok(Err(error)) => return Err(self.transport_error(operation, error)),
                Ok(Ok(None)) => return Ok(body.freeze()),
                Ok(Ok(Some(chunk))) => chunk,
            };
            let received = body.len().saturating_add(chunk.len());
            if received > limit {
                return Err(ClientError::BodyTooLarge {
                    operation,
                    limit,
                    received: received as u64,
                });
            }
            body.extend_from_slice(&chunk);
        }
    }

    pub(crate) fn total_timeout(&self, operation: Operation) -> Duration {
        match operation {
            Operation::Usage => self.inner.timeouts.usage,
            _ => self.inner.timeouts.catalog,
        }
    }

    /// Maps a reqwest error to the client's classes.
    pub(crate) fn transport_error(
        &self,
        operation: Operation,
        error: reqwest::Error,
    ) -> ClientError {
        if error.is_redirect() {
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                if let Some(redirect) = cause.downcast_ref::<CrossOriginRedirect>() {
                    return ClientError::RedirectRefused {
                        operation,
                        target: redirect.target.clone(),
                        internal: redirect.internal,
                    };
                }
                source = cause.source();
            }
        }
        if error.is_connect() && error.is_timeout() {
            return ClientError::Timeout {
                operation,
                phase: TimeoutPhase::Connect,
                after: self.inner.timeouts.connect,
            };
        }
        let source: SharedSource = Arc::new(error.without_url());
        if source_is_connect(&source) {
            ClientError::Connect {
                operation,
                origin: self.inner.root.origin().ascii_serialization(),
                source,
            }
        } else {
            ClientError::Network { operation, source }
        }
    }
}

fn source_is_connect(source: &SharedSource) -> bool {
    source
        .downcast_ref::<reqwest::Error>()
        .is_some_and(reqwest::Error::is_connect)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: &str) -> Client {
        Client::builder()
            .base_url(BaseUrl::new(Some(base)))
            .build()
            .unwrap()
    }

    /// PROTOCOL.md §12.2 cases 16–19 and §14 D5, per operation and mode; and which reqwest
    /// clients a [`Client`] builds for them.
    #[test]
    fn proxy_mode_per_origin_and_operation() {
        let dispatch =
            Operation::Dispatch(clawrouter_wire::transport::Transport::AnthropicMessages);
        // (base URL, mode, catalog, usage, dispatch)
        let cases: [(Option<&str>, ProxyMode, [bool; 3]); 9] = [
            (None, ProxyMode::Auto, [true, true, true]),
            (
                Some("https://clawrouter.openclaw.ai"),
                ProxyMode::Auto,
                [true, true, true],
            ),
            (
                Some("https://clawrouter.openclaw.ai/v1/"),
                ProxyMode::Auto,
                [true, true, true],
            ),
            (
                Some("https://clawrouter.example/v1"),
                ProxyMode::Auto,
                [false, true, false],
            ),
            (
                Some("http://127.0.0.1:9"),
                ProxyMode::Auto,
                [false, true, false],
            ),
            (None, ProxyMode::Direct, [false, false, false]),
            (
                Some("https://clawrouter.example"),
                ProxyMode::Direct,
                [false, false, false],
            ),
            (None, ProxyMode::Environment, [true, true, true]),
            (
                Some("https://clawrouter.example"),
                ProxyMode::Environment,
                [true, true, true],
            ),
        ];
        for (input, mode, expected) in cases {
            let base = BaseUrl::new(input);
            let actual = [Operation::Catalog, Operation::Usage, dispatch]
                .map(|operation| mode.uses_env_proxy(&base, operation));
            assert_eq!(actual, expected, "{input:?} {mode:?}");
            let client = Client::builder()
                .base_url(base)
                .proxy(mode)
                .build()
                .unwrap();
            assert_eq!(
                (
                    client.inner.direct.is_some(),
                    client.inner.env_proxied.is_some()
                ),
                (expected.contains(&false), expected.contains(&true)),
                "{input:?} {mode:?}"
            );
        }
    }

    #[test]
    fn internal_hosts() {
        for (url, internal) in [
            ("http://10.0.0.1:9/v1/usage", true),
            ("http://172.16.5.4/", true),
            ("http://172.32.0.1/", false),
            ("http://192.168.1.1/", true),
            ("http://127.0.0.1/", true),
            ("http://169.254.169.254/latest/meta-data", true),
            ("http://100.64.0.1/", true),
            ("http://100.128.0.1/", false),
            ("http://0.0.0.0/", true),
            ("http://[::1]/", true),
            ("http://[fd00::1]/", true),
            ("http://[fe80::1]/", true),
            ("http://[::ffff:10.1.2.3]/", true),
            ("http://[2001:db8::1]/", false),
            ("http://localhost:8080/", true),
            ("http://api.localhost/", true),
            ("http://metadata.google.internal/", true),
            ("http://printer.local./", true),
            ("https://router.example/", false),
            ("https://8.8.8.8/", false),
        ] {
            let parsed = Url::parse(url).unwrap();
            assert_eq!(
                parsed.host().is_some_and(is_internal_host),
                internal,
                "{url}"
            );
        }
    }

    #[test]
    fn urls_under_the_root() {
        let check = |base: &str, url: &str, allowed: bool| {
            let result = client(base).url_under_root(Operation::Catalog, url);
            assert_eq!(result.is_ok(), allowed, "{base} {url}");
        };
        check("https://r.example", "https://r.example/v1/responses", true);
        check("https://r.example", "https://r.example", true);
        check("https://r.example", "https://r.example:443/v1", true);
        check("https://r.example", "http://r.example/v1", false);
        check("https://r.example", "https://r.example:8443/v1", false);
        check("https://r.example", "https://evil.example/v1", false);
        check("https://r.example", "https://r.example.evil/v1", false);
        check("https://r.example", "https://user:pw@r.example/v1", false);
        check(
            "https://r.example/private",
            "https://r.example/private/v1/x",
            true,
        );
        check(
            "https://r.example/private",
            "https://r.example/private",
            true,
        );
        check(
            "https://r.example/private",
            "https://r.example/privateer/v1",
            false,
        );
        check(
            "https://r.example/private",
            "https://r.example/private/../admin",
            false,
        );
        check("https://r.example/private", "https://r.example/v1", false);
        check("https://r.example", "not a url", false);
    }

    #[test]
    fn unusable_keys_count_as_none() {
        let check = |key: &str, usable: bool| {
            let client = Client::builder()
                .api_key(SecretString::from(key.to_owned()))
                .build()
                .unwrap();
            assert_eq!(client.has_key(), usable, "{key:?}");
        };
        check("", false);
        check("   ", false);
        check("CLAWROUTER_API_KEY", false);
        check(" CLAWROUTER_API_KEY ", false);
        check("clawrouter-live-abcd-secret12", true);
    }

    #[test]
    fn invalid_configuration_is_reported_without_the_key() {
        let error = Client::builder()
            .api_key(SecretString::from("bad\nkey-secret".to_owned()))
            .build()
            .unwrap_err();
        assert!(matches!(error, ClientError::Config(_)));
        assert!(!error.to_string().contains("key-secret"));
        let error = Client::builder()
            .base_url(BaseUrl::new(Some("ftp://r.example")))
            .build()
            .unwrap_err();
        assert!(error.to_string().contains("http or https"), "{error}");
        let error = Client::builder()
            .base_url(BaseUrl::new(Some("http://clawrouter.openclaw.ai/v1")))
            .build()
            .unwrap_err();
        assert!(
            error.to_string().contains("only reached over HTTPS"),
            "{error}"
        );
        let error = Client::builder()
            .base_url(BaseUrl::new(Some("https://user:pw@r.example")))
            .build()
            .unwrap_err();
        assert!(!error.to_string().is_empty());
    }
}
