//! The async ClawRouter client: catalog fetch and cache, usage, and streaming dispatch for the
//! four transports, over reqwest (rustls) and tokio.
//!
//! ```
//! use clawrouter_catalog::BaseUrl;
//! use clawrouter_client::{ChatRequest, Client};
//! use futures_util::StreamExt;
//! # use clawrouter_emulator::{Emulator, Scenario};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = Emulator::start(Scenario::default().with_chunk_delay_ms(0)).await?;
//! # let (router, key) = (emulator.base_url().to_owned(), "clawrouter-test-demo-emulator0001");
//! // `Client::from_env()` reads CLAWROUTER_API_KEY and uses the default origin; here the router
//! // is the built-in emulator.
//! let client = Client::builder()
//!     .base_url(BaseUrl::new(Some(&router)))
//!     .api_key(key.into())
//!     .build()?;
//!
//! // What the key may use: cached for 60 s, shared by concurrent callers.
//! let catalog = client.catalog().await?;
//! let model = catalog.select("clawrouter/anthropic/claude-sonnet-4-6", None)?;
//! assert_eq!(model.transport().as_str(), "anthropic-messages");
//!
//! // One call: the transport, endpoint, replay policy and headers follow from the catalog.
//! let request = ChatRequest::user("clawrouter/anthropic/claude-sonnet-4-6", "Hi there");
//! let mut stream = client.chat(&request).await?;
//! while let Some(event) = stream.next().await {
//!     let _event = event?; // provider-neutral `StreamEvent`s as they arrive
//! }
//! assert!(stream.message().text().starts_with("You said: \"Hi there\""));
//! # emulator.shutdown().await?;
//! # Ok(()) }
//! ```
//!
//! Lower down, [`Client::dispatch`] sends a request body you built yourself and decodes the
//! answer; [`Client::fetch_catalog_raw`] and [`Client::fetch_usage`] return the raw bodies.
//!
//! The pieces that need no server:
//!
//! ```
//! use std::time::Duration;
//! use clawrouter_catalog::BaseUrl;
//! use clawrouter_client::{Client, ClientError, RetryConfig, RetryDecision};
//!
//! let client = Client::builder()
//!     .base_url(BaseUrl::new(Some("https://clawrouter.example/v1/")))
//!     .api_key("clawrouter-test-abcd-s3cr3t-value".into())
//!     .build()?;
//! assert_eq!(client.base_url().root(), "https://clawrouter.example");
//! // The key never shows in Debug output.
//! assert!(!format!("{client:?}").contains("s3cr3t"));
//! // Permanent errors are never retried.
//! let denied = ClientError::NoKey { operation: clawrouter_client::Operation::Usage };
//! assert_eq!(RetryConfig::default().decide(1, &denied), RetryDecision::GiveUp);
//! # Ok::<(), ClientError>(())
//! ```
//!
//! | Module | What it does | Spec |
//! | --- | --- | --- |
//! | [`client`] | [`ClientBuilder`], [`Client`]: base URL, key, timeouts, proxy, the one place the key is attached | PROTOCOL.md §2, §3, §14 D5 |
//! | [`error`] | [`ClientError`]: auth, budget, rate limit, unavailable, bad request, timeouts, stream failures | PROTOCOL.md §10 |
//! | [`retry`] | [`RetryConfig::decide`], pure retry decisions; `Retry-After` parsing | issue 7 |
//! | [`catalog`] | `GET /v1/catalog` and [`CatalogCache`] | PROTOCOL.md §4.1, §5.1, §14 D12 |
//! | [`cache`] | [`SharedCache`]: TTL, in-flight sharing, no caching of failures | PROTOCOL.md §5.1 |
//! | [`usage`] | `GET /v1/usage` → status and body | PROTOCOL.md §8 |
//! | `models` | [`Client::catalog`], [`Client::model`], [`Client::usage`]: the resolved catalog (cached) and the usage snapshot | PROTOCOL.md §4, §5.1, §8.3 |
//! | [`chat`] | [`ChatRequest`], [`Client::chat`], [`prepare_chat`]: a neutral conversation → the model's transport, replay, tools, headers | PROTOCOL.md §4.10, §7; POLICY.md |
//! | [`dispatch`] | [`Client::dispatch`] → [`ResponseStream`] of [`StreamEvent`](clawrouter_wire::events::StreamEvent)s | PROTOCOL.md §7, WIRE.md §2 |
//!
//! # Security properties
//!
//! - The key lives in a [`secrecy::SecretString`]; `Debug` of every type shows `[REDACTED]`,
//!   and error excerpts that echo it are redacted.
//! - It is attached only when a request is sent, and only to URLs whose origin is the
//!   configured root's; dispatch URLs must lie under the root. Redirects to another origin are
//!   refused ([`ClientError::RedirectRefused`]), so the key never follows one; a redirect to a
//!   private, loopback or link-local address is reported as blocked.
//! - The environment proxy (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`) follows
//!   OpenClaw's rule by default ([`ProxyMode::Auto`]): the catalog and model calls use it only on
//!   the public origin and connect directly elsewhere; usage uses it on every origin.
//!   [`ClientBuilder::proxy`] overrides the rule for every request.
//! - 401/403 are [`ClientError::Auth`]: there is no fallback to other credentials.
//!
//! # Tracing
//!
//! Each model call runs in a `gen_ai.chat` span with the OpenTelemetry GenAI attributes
//! (`gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.request.model`, and at the end
//! `gen_ai.response.id`, `gen_ai.response.model`, `gen_ai.response.finish_reasons`,
//! `gen_ai.usage.input_tokens` / `output_tokens`, `error.type`). Spans carry no header value, no
//! body and no key. The catalog and usage calls run in `clawrouter.catalog` / `clawrouter.usage`
//! spans (`http.request.method`, `url.full`, `error.type`).
//!
//! Not yet implemented: the runtime model snapshots of PROTOCOL.md §5.2.

pub mod cache;
pub mod catalog;
pub mod chat;
pub mod client;
pub mod dispatch;
pub mod error;
mod models;
pub mod retry;
pub mod usage;

pub use cache::{CacheKey, Loaded, SharedCache};
pub use catalog::{CATALOG_BODY_LIMIT, CatalogCache};
pub use chat::{CLIENT_NAME, ChatRequest, PreparedChat, prepare_chat};
pub use client::{API_KEY_ENV, Client, ClientBuilder, ProxyMode, Timeouts};
pub use dispatch::{DispatchRequest, RequestBody, ResponseStream, StreamError};
pub use error::{ClientError, HttpFailure, Operation, TimeoutPhase};
pub use retry::{RetryConfig, RetryDecision};
pub use usage::{USAGE_BODY_LIMIT, UsageResponse};
