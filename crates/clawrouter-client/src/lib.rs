//! The async ClawRouter client: catalog fetch and cache, usage, and streaming dispatch for the
//! four transports, over reqwest (rustls) and tokio.
//!
//! ```no_run
//! use clawrouter_client::{Client, DispatchRequest};
//! use clawrouter_wire::transport::Transport;
//! use serde_json::json;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! // The default origin, the key from CLAWROUTER_API_KEY.
//! let client = Client::from_env()?;
//! let catalog = client.fetch_catalog_raw().await?; // `GET /v1/catalog`, ≤ 4 MiB, 5 s budget
//! # let _ = catalog;
//! let url = format!("{}/chat/completions", client.base_url().api_base());
//! let body = json!({"model": "openai/gpt-5.6", "stream": true,
//!                   "messages": [{"role": "user", "content": "Hi"}]});
//! let stream = client
//!     .dispatch(DispatchRequest::new(Transport::OpenAiCompletions, url, body))
//!     .await?;
//! let message = stream.finish().await?; // or poll it as a `Stream` of events
//! println!("{}", message.text());
//! # Ok(()) }
//! ```
//!
//! The example above needs a server; this one runs as is and shows the pieces that need none:
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
//! | [`dispatch`] | [`Client::dispatch`] → [`ResponseStream`] of [`StreamEvent`](clawrouter_wire::events::StreamEvent)s | PROTOCOL.md §7, WIRE.md §2 |
//!
//! # Security properties
//!
//! - The key lives in a [`secrecy::SecretString`]; `Debug` of every type shows `[REDACTED]`,
//!   and error excerpts that echo it are redacted.
//! - It is attached only when a request is sent, and only to URLs whose origin is the
//!   configured root's; dispatch URLs must lie under the root. Redirects to another origin are
//!   refused ([`ClientError::RedirectRefused`]), so the key never follows one.
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
//! Not yet implemented: building requests from a neutral conversation (`clawrouter-policy`),
//! resolving the catalog into models and usage snapshots (`clawrouter-catalog`), and the runtime
//! model snapshots of PROTOCOL.md §5.2.

pub mod cache;
pub mod catalog;
pub mod client;
pub mod dispatch;
pub mod error;
pub mod retry;
pub mod usage;

pub use cache::{CacheKey, Loaded, SharedCache};
pub use catalog::{CATALOG_BODY_LIMIT, CatalogCache};
pub use client::{API_KEY_ENV, Client, ClientBuilder, ProxyMode, Timeouts};
pub use dispatch::{DispatchRequest, RequestBody, ResponseStream, StreamError};
pub use error::{ClientError, HttpFailure, Operation, TimeoutPhase};
pub use retry::{RetryConfig, RetryDecision};
pub use usage::{USAGE_BODY_LIMIT, UsageResponse};
