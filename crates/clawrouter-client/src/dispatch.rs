//! Streaming dispatch at the transport level (PROTOCOL.md §7, §4.4 endpoints, §14 D16; WIRE.md §2).
//!
//! [`Client::dispatch`] sends a request the caller built — transport, URL, JSON body, headers —
//! adds `Authorization: Bearer <key>` itself (the only place a model call gets the key), and
//! returns a [`ResponseStream`]: the response body decoded by `clawrouter-wire` into
//! [`StreamEvent`]s as chunks arrive, assembled into the final message on the side.
//!
//! - The URL must lie under the configured root ([`ClientError::OutsideRoot`] otherwise): the key
//!   goes nowhere else.
//! - A caller's `Authorization` header is dropped when the client has a key (§7.2 step 2).
//! - Gemini: with the SSE framing hint (the default) `alt=sse` is added to the URL when absent
//!   (§14 D16); the framing actually decoded follows the response's `Content-Type`
//!   (`text/event-stream` → SSE, `application/json` → the streamed JSON array).
//! - Status errors are mapped before any stream exists, with a bounded error-body excerpt.
//!   A body that is not an event stream (an HTML page from a proxy, a JSON document from a
//!   non-streaming request) is [`ClientError::MalformedBody`].
//! - A framing error (an event over the decoder's size limit, a broken JSON array) ends the
//!   stream at once with [`ClientError::MalformedBody`] and the partial message, and drops the
//!   connection: an endless hostile body is never read to its end.
//! - Between chunks, the idle timeout applies. A provider error after HTTP 200, a truncated body,
//!   a broken connection or a stall end the stream with a typed error that keeps the partial
//!   message ([`StreamError`]).
//! - Dropping the stream drops the response body, which aborts the request and closes its
//!   connection (an unfinished HTTP/1.1 body is never returned to the pool).
//! - Dispatch `POST`s are not retried unless the request or the client's
//!   [`RetryConfig`](crate::RetryConfig) asks; retries only ever happen before the first byte.
//!
//! Building the request (neutral conversation → body, the §7.2 header map, the upstream model id
//! of §4.10) is `clawrouter-policy`'s and `clawrouter-catalog`'s job; not yet wired in here.

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use clawrouter_wire::assemble::{AssembledMessage, FailureCause, MessageAssembler};
use clawrouter_wire::events::{ProviderError, StreamEvent};
use clawrouter_wire::sse::SseError;
use clawrouter_wire::transport::{DecodeError, Framing, ResponseDecoder, Transport};
use futures_core::Stream;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Sleep;
use tracing::Instrument;

use crate::client::{Client, Outgoing};
use crate::error::{ClientError, Operation, TimeoutPhase};
use crate::retry;

/// A request body: JSON (serialized by the client) or bytes sent as they are.
#[derive(Clone, Debug, PartialEq)]
pub enum RequestBody {
    /// A JSON document.
    Json(serde_json::Value),
    /// Bytes already serialized (sent with `Content-Type: application/json` unless the caller
    /// sets another).
    Bytes(Bytes),
}

impl From<serde_json::Value> for RequestBody {
    fn from(value: serde_json::Value) -> Self {
        RequestBody::Json(value)
    }
}

impl From<Bytes> for RequestBody {
    fn from(bytes: Bytes) -> Self {
        RequestBody::Bytes(bytes)
    }
}

/// One model call, built by the caller. See the [module docs](self).
///
/// `Debug` shows `[REDACTED]` for the values of credential headers (`authorization`,
/// `x-api-key`, `x-goog-api-key`, `api-key`).
#[derive(Clone)]
pub struct DispatchRequest {
    /// The transport the model speaks.
    pub transport: Transport,
    /// The full endpoint URL; must lie under the client's root URL.
    pub url: String,
    /// The request body.
    pub body: RequestBody,
    /// Headers to send (PROTOCOL.md §7.2's map). `Authorization` is the client's business.
    pub headers: Vec<(HeaderName, String)>,
    /// The framing asked for. Only Gemini has a choice: SSE (`alt=sse`, the default) or the
    /// streamed JSON array.
    pub framing: Framing,
    /// Retry failures before the first byte even though a `POST` is not idempotent.
    pub retry: bool,
}

/// Headers whose values are credentials.
const CREDENTIAL_HEADERS: [&str; 4] = ["authorization", "x-api-key", "x-goog-api-key", "api-key"];

impl fmt::Debug for DispatchRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let shown = if CREDENTIAL_HEADERS.contains(&name.as_str()) {
                    "[REDACTED]"
                } else {
                    value.as_str()
                };
                (name.as_str(), shown)
            })
            .collect();
        f.debug_struct("DispatchRequest")
            .field("transport", &self.transport)
            .field("url", &self.url)
            .field("body", &self.body)
            .field("headers", &headers)
            .field("framing", &self.framing)
            .field("retry", &self.retry)
            .finish()
    }
}

impl DispatchRequest {
    /// A request with no extra headers, SSE framing and no retries.
    pub fn new(transport: Transport, url: impl Into<String>, body: impl Into<RequestBody>) -> Self {
        Self {
            transport,
            url: url.into(),
            body: body.into(),
            headers: Vec::new(),
            framing: Framing::Sse,
            retry: false,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Sets the framing hint (Gemini only).
    pub fn framing(mut self, framing: Framing) -> Self {
        self.framing = framing;
        self
    }

    /// Allows retries before the first byte.
    pub fn retry(mut self, retry: bool) -> Self {
        self.retry = retry;
        self
    }
}

impl Client {
    /// Sends a model call and returns its decoded response stream.
    ///
    /// # Errors
    ///
    /// [`ClientError::OutsideRoot`] for a URL outside the configured root, the status classes
    /// (auth, budget, rate limit, unavailable, bad request), timeouts and connection failures
    /// before the response, [`ClientError::MalformedBody`] for a response that is not a stream.
    pub async fn dispatch(&self, request: DispatchRequest) -> Result<ResponseStream, ClientError> {
        let span = dispatch_span(&request);
        let result = self
            .dispatch_in(request, span.clone())
            .instrument(span.clone())
            .await;
        if let Err(error) = &result {
            span.record("error.type", error.kind());
        }
        result
    }

    async fn dispatch_in(
        &self,
        request: DispatchRequest,
        span: tracing::Span,
    ) -> Result<ResponseStream, ClientError> {
        let transport = request.transport;
        let operation = Operation::Dispatch(transport);
        let mut url = self.url_under_root(operation, &request.url)?;
        let gemini = transport == Transport::GoogleGenerativeAi;
        let hint = if gemini {
            request.framing
        } else {
            Framing::Sse
        };
        if gemini && hint == Framing::Sse && !url.query_pairs().any(|(name, _)| name == "alt") {
            url.query_pairs_mut().append_pair("alt", "sse");
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &request.headers {
            if name == AUTHORIZATION && self.has_key() {
                continue;
            }
            let value = HeaderValue::from_str(value).map_err(|_| ClientError::InvalidHeader {
                operation,
                name: name.to_string(),
            })?;
            headers.append(name.clone(), value);
        }
        if !headers.contains_key(CONTENT_TYPE) {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        if !headers.contains_key(ACCEPT) {
            let accept = match hint {
                Framing::Sse => "text/event-stream",
                Framing::JsonArray => "application/json",
            };
            headers.insert(ACCEPT, HeaderValue::from_static(accept));
        }
        let body = match request.body {
            RequestBody::Bytes(bytes) => bytes,
            RequestBody::Json(value) => Bytes::from(value.to_string()),
        };
        let outgoing = Outgoing {
            operation,
            method: Method::POST,
            url,
            headers,
            body: Some(body),
        };
        let retries = request.retry || self.inner.retry.retry_dispatch;
        let response = retry::run(&self.inner.retry, retries, None, || {
            self.send_checked(&outgoing)
        })
        .await?;
        let framing = match self.response_framing(operation, hint, &response) {
            Ok(framing) => framing,
            Err(detail) => {
                let body = self.read_prefix(response, 4096).await;
                return Err(ClientError::MalformedBody {
                    operation,
                    detail,
                    excerpt: Some(self.excerpt(&body)),
                });
            }
        };
        let mut stream =
            ResponseStream::new(transport, framing, response, self.timeouts().idle, span);
        stream.secret = self
            .key()
            .map(|key| SecretString::from(key.expose_secret().to_owned()));
        Ok(stream)
    }

    /// The framing the response's `Content-Type` announces, or what is wrong with it.
    fn response_framing(
        &self,
        operation: Operation,
        hint: Framing,
        response: &reqwest::Response,
    ) -> Result<Framing, String> {
        let Some(content_type) = response.headers().get(CONTENT_TYPE) else {
            return Ok(hint);
        };
        let content_type = content_type.to_str().unwrap_or_default();
        let media_type = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let gemini = operation == Operation::Dispatch(Transport::GoogleGenerativeAi);
        match media_type.as_str() {
            "text/event-stream" => Ok(Framing::Sse),
            "application/json" if gemini => Ok(Framing::JsonArray),
            "application/json" => Err(
                "the server answered with a JSON document instead of an event stream — ask for a streamed response (`\"stream\": true` in the body)".to_owned(),
            ),
            "text/html" => Err(
                "the server answered with an HTML page instead of an event stream — a proxy, a captive portal or a wrong base URL answered; check the base URL and the network".to_owned(),
            ),
            other => Err(format!(
                "the server answered with Content-Type `{other}` instead of `text/event-stream` — check the base URL"
            )),
        }
    }
}

/// A stream that ended with an error, with everything received before it.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{error}")]
pub struct StreamError {
    /// The message as assembled from what arrived: partial text, completed tool calls, usage.
    pub partial: Box<AssembledMessage>,
    /// What went wrong.
    #[source]
    pub error: ClientError,
}

/// The decoded response of a model call: a [`Stream`] of owned [`StreamEvent`]s, and the
/// assembled message at the end ([`ResponseStream::finish`]).
///
/// When the stream fails, its last item is the error; the partial message stays available
/// through [`ResponseStream::message`] and [`ResponseStream::finish`]. Dropping the stream
/// aborts the request.
pub struct ResponseStream {
    transport: Transport,
    body: BoxStream<'static, Result<Bytes, reqwest::Error>>,
    decoder: ResponseDecoder,
    assembler: Option<MessageAssembler>,
    queue: VecDeque<StreamEvent<'static>>,
    emit: bool,
    idle: Duration,
    sleep: Pin<Box<Sleep>>,
    first_error: Option<DecodeError>,
    outcome: Option<Result<AssembledMessage, StreamError>>,
    error_reported: bool,
    request_id: Option<String>,
    status: u16,
    span: tracing::Span,
    /// The key, only to redact it from provider errors that echo it (issue 9 "Secrets").
    secret: Option<SecretString>,
}

impl fmt::Debug for ResponseStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseStream")
            .field("transport", &self.transport)
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field("decoder", &self.decoder)
            .field("ended", &self.outcome.is_some())
            .finish_non_exhaustive()
    }
}

impl ResponseStream {
    fn new(
        transport: Transport,
        framing: Framing,
        response: reqwest::Response,
        idle: Duration,
        span: tracing::Span,
    ) -> Self {
        let request_id = response
            .headers()
            .get("x-request-id")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let status = response.status().as_u16();
        let body = futures_util::stream::unfold(Some(response), |response| async move {
            let mut response = response?;
            match response.chunk().await {
                Ok(Some(chunk)) => Some((Ok(chunk), Some(response))),
                Ok(None) => None,
                // Nothing after a transport error: the connection is gone.
                Err(error) => Some((Err(error), None)),
            }
        })
        .boxed();
        Self {
            transport,
            body,
            decoder: ResponseDecoder::new(transport, framing),
            assembler: Some(MessageAssembler::new()),
            queue: VecDeque::new(),
            emit: true,
            idle,
            sleep: Box::pin(tokio::time::sleep(idle)),
            first_error: None,
            outcome: None,
            error_reported: false,
            request_id,
            status,
            span,
            secret: None,
        }
    }

    /// The transport being decoded.
    pub fn transport(&self) -> Transport {
        self.transport
    }

    /// The HTTP status (a success status: errors never become streams).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response's `x-request-id`, to quote to the router's operators (PROTOCOL.md §7.5).
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The message as assembled so far; after the end, the final (or partial) message.
    pub fn message(&self) -> &AssembledMessage {
        match (&self.outcome, &self.assembler) {
            (Some(Ok(message)), _) => message,
            (Some(Err(failure)), _) => &failure.partial,
            (None, Some(assembler)) => assembler.message(),
            (None, None) => empty_message(),
        }
    }

    /// Reads the rest of the stream (without queueing events) and returns the assembled message.
    ///
    /// # Errors
    ///
    /// A [`StreamError`] with the partial message: a provider error after HTTP 200
    /// ([`ClientError::ProviderStream`]), a truncated body or broken connection
    /// ([`ClientError::Truncated`]), a stall ([`ClientError::Timeout`] with
    /// [`TimeoutPhase::Idle`]), a malformed framing ([`ClientError::MalformedBody`]).
    pub async fn finish(mut self) -> Result<AssembledMessage, StreamError> {
        self.emit = false;
        self.queue.clear();
        while self.next().await.is_some() {}
        match self.outcome.take() {
            Some(outcome) => outcome,
            // Unreachable: the stream only ends once the outcome is set.
            None => Err(StreamError {
                partial: Box::default(),
                error: ClientError::Truncated {
                    transport: self.transport,
                    reason: "the stream ended without an outcome".to_owned(),
                },
            }),
        }
    }

    fn feed(&mut self, chunk: &[u8]) {
        let Self {
            decoder,
            assembler,
            queue,
            emit,
            first_error,
            secret,
            ..
        } = self;
        let Some(assembler) = assembler.as_mut() else {
            return;
        };
        let emit = *emit;
        let secret = secret.as_ref().map(|key| key.expose_secret());
        let result = decoder.feed(chunk, &mut |event| {
            let event = scrub_event(event, secret);
            assembler.push(&event);
            if emit {
                queue.push_back(event.into_owned());
            }
        });
        if let Err(error) = result
            && first_error.is_none()
        {
            *first_error = Some(error);
        }
    }

    /// The body ended: let the decoder judge it.
    fn end_of_body(&mut self) {
        let Some(mut assembler) = self.assembler.take() else {
            return;
        };
        let emit = self.emit;
        let queue = &mut self.queue;
        let secret = self.secret.as_ref().map(|key| key.expose_secret());
        let finished = self.decoder.finish(&mut |event| {
            let event = scrub_event(event, secret);
            assembler.push(&event);
            if emit {
                queue.push_back(event.into_owned());
            }
        });
        let end = match self.first_error.take() {
            Some(error) => Err(error),
            None => finished,
        };
        let transport = self.transport;
        let outcome = assembler.finish_stream(end).map_err(|failure| StreamError {
            error: failure_error(transport, failure.cause),
            partial: failure.partial,
        });
        self.set_outcome(outcome);
    }

    /// Ends the stream and records the outcome on the span (OpenTelemetry GenAI attributes).
    fn set_outcome(&mut self, outcome: Result<AssembledMessage, StreamError>) {
        let (message, error) = match &outcome {
            Ok(message) => (message, None),
            Err(failure) => (&*failure.partial, Some(&failure.error)),
        };
        record_message(&self.span, message);
        if let Some(error) = error {
            self.span.record("error.type", error.kind());
        }
        self.outcome = Some(outcome);
    }

    /// The stream failed before its end: keep what arrived, drop the connection.
    fn fail(&mut self, error: ClientError) {
        self.body = futures_util::stream::empty().boxed();
        let partial = self
            .assembler
            .take()
            .map(MessageAssembler::finish)
            .unwrap_or_default();
        // A provider error reported before the failure explains it better.
        let error = match &partial.error {
            Some(provider) => ClientError::ProviderStream {
                transport: self.transport,
                code: provider.code.as_deref().map(str::to_owned),
                message: provider.message.to_string(),
            },
            None => error,
        };
        self.set_outcome(Err(StreamError {
            partial: Box::new(partial),
            error,
        }));
    }
}

/// The span of one model call, named and attributed after the OpenTelemetry GenAI semantic
/// conventions (`gen_ai.*`). It carries no header value, no body and no key.
fn dispatch_span(request: &DispatchRequest) -> tracing::Span {
    let model = match &request.body {
        RequestBody::Json(body) => body.get("model").and_then(|model| model.as_str()),
        RequestBody::Bytes(_) => None,
    };
    let address = url::Url::parse(&request.url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned));
    tracing::info_span!(
        "gen_ai.chat",
        otel.name = %format!("chat {}", model.unwrap_or_default()),
        gen_ai.operation.name = "chat",
        gen_ai.provider.name = "clawrouter",
        gen_ai.request.model = model,
        clawrouter.transport = request.transport.as_str(),
        server.address = address.as_deref(),
        gen_ai.response.id = tracing::field::Empty,
        gen_ai.response.model = tracing::field::Empty,
        gen_ai.response.finish_reasons = tracing::field::Empty,
        gen_ai.usage.input_tokens = tracing::field::Empty,
        gen_ai.usage.output_tokens = tracing::field::Empty,
        error.type = tracing::field::Empty,
    )
}

/// Records what the response said on the call's span.
fn record_message(span: &tracing::Span, message: &AssembledMessage) {
    if let Some(id) = &message.id {
        span.record("gen_ai.response.id", id.as_str());
    }
    if let Some(model) = &message.model {
        span.record("gen_ai.response.model", model.as_str());
    }
    if let Some(reason) = &message.finish_reason {
        span.record("gen_ai.response.finish_reasons", reason.as_str());
    }
    if let Some(usage) = &message.usage {
        if let Some(input) = usage.input {
            span.record("gen_ai.usage.input_tokens", input);
        }
        if let Some(output) = usage.output {
            span.record("gen_ai.usage.output_tokens", output);
        }
    }
}

/// A provider error event with every occurrence of the key replaced by `[REDACTED]`: a provider
/// or proxy that echoes the credential in its error must not make the client print it. Other
/// events pass unchanged (their text is the model's output).
fn scrub_event<'a>(event: StreamEvent<'a>, secret: Option<&str>) -> StreamEvent<'a> {
    let Some(secret) = secret.filter(|secret| !secret.is_empty()) else {
        return event;
    };
    match event {
        StreamEvent::Error(error)
            if error.message.contains(secret)
                || error.raw.contains(secret)
                || error
                    .code
                    .as_deref()
                    .is_some_and(|code| code.contains(secret)) =>
        {
            let redact = |text: &str| text.replace(secret, "[REDACTED]");
            StreamEvent::Error(ProviderError {
                code: error.code.as_deref().map(|code| redact(code).into()),
                message: redact(&error.message).into(),
                raw: redact(&error.raw).into(),
            })
        }
        other => other,
    }
}

fn empty_message() -> &'static AssembledMessage {
    static EMPTY: std::sync::OnceLock<AssembledMessage> = std::sync::OnceLock::new();
    EMPTY.get_or_init(AssembledMessage::default)
}

/// The client error for a stream the assembler judged failed.
fn failure_error(transport: Transport, cause: FailureCause) -> ClientError {
    match cause {
        FailureCause::Provider(provider) => ClientError::ProviderStream {
            transport,
            code: provider.code.as_deref().map(str::to_owned),
            message: provider.message.to_string(),
        },
        FailureCause::Decode(DecodeError::Truncated { expected, .. }) => ClientError::Truncated {
            transport,
            reason: format!("the body ended before {expected}"),
        },
        FailureCause::Decode(DecodeError::Sse(error @ SseError::Truncated { .. })) => {
            ClientError::Truncated {
                transport,
                reason: error.to_string(),
            }
        }
        FailureCause::Decode(error) => ClientError::MalformedBody {
            operation: Operation::Dispatch(transport),
            detail: format!(
                "the stream's framing is broken ({error}) — the partial reply is kept; retry, and report the response if it persists"
            ),
            excerpt: None,
        },
        FailureCause::Limit {
            what,
            limit,
            dropped,
        } => ClientError::MalformedBody {
            operation: Operation::Dispatch(transport),
            detail: format!(
                "the stream exceeded the limit of {limit} {what} ({dropped} more were not kept) — the reply is kept up to the limit; the response is hostile or broken, report it"
            ),
            excerpt: None,
        },
        // `FailureCause` may grow; anything new is reported as a broken stream.
        other => ClientError::MalformedBody {
            operation: Operation::Dispatch(transport),
            detail: format!("the stream failed ({other:?})"),
            excerpt: None,
        },
    }
}

impl Stream for ResponseStream {
    type Item = Result<StreamEvent<'static>, ClientError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(event) = this.queue.pop_front() {
                return Poll::Ready(Some(Ok(event)));
            }
            if let Some(outcome) = &this.outcome {
                if !this.error_reported {
                    this.error_reported = true;
                    if let Err(failure) = outcome {
                        return Poll::Ready(Some(Err(failure.error.clone())));
                    }
                }
                return Poll::Ready(None);
            }
            // The span is entered around the IO only, not for each queued event.
            let polled = {
                let _entered = this.span.enter();
                this.body.as_mut().poll_next(cx)
            };
            match polled {
                Poll::Ready(Some(Ok(chunk))) => {
                    this.sleep
                        .as_mut()
                        .reset(crate::retry::deadline_after(this.idle));
                    this.feed(&chunk);
                    // A framing error (an event over the size limit, a broken JSON array) fails
                    // the stream now: the outcome is a failure either way, and reading on would
                    // let a hostile server keep the client busy with an endless body.
                    if let Some(error) = this.first_error.take() {
                        let error = failure_error(this.transport, FailureCause::Decode(error));
                        this.fail(error);
                    }
                }
                Poll::Ready(Some(Err(error))) => {
                    let reason = format!(
                        "the connection failed mid-body ({})",
                        crate::error::causes(&error)
                    );
                    this.fail(ClientError::Truncated {
                        transport: this.transport,
                        reason,
                    });
                }
                Poll::Ready(None) => this.end_of_body(),
                Poll::Pending => {
                    if this.sleep.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    let error = ClientError::Timeout {
                        operation: Operation::Dispatch(this.transport),
                        phase: TimeoutPhase::Idle,
                        after: this.idle,
                    };
                    this.fail(error);
                }
            }
        }
    }
}
