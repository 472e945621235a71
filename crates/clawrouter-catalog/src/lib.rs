//! The ClawRouter model catalog, sans-IO: turn a `GET /v1/catalog` body into exactly the set of
//! selectable models — each with its transport, endpoint, pricing and limits — explain every row
//! that was not advertised, select models by ref, prepare them for dispatch, and compute
//! `GET /v1/usage` snapshots.
//!
//! ```
//! use clawrouter_catalog::{BaseUrl, resolve_catalog};
//! use clawrouter_wire::transport::Transport;
//!
//! let body = br#"{"version":"clawrouter.client-catalog.v1","providers":[
//!   {"id":"anthropic","displayName":"Anthropic","openaiCompatible":false,
//!    "nativeBaseUrl":"/v1/native/anthropic",
//!    "routes":[{"path":"/v1/messages","methods":["post"],"requestFormat":"anthropic.messages"}],
//!    "models":[{"id":"anthropic/claude-sonnet-4-6","upstream":"claude-sonnet-4-6",
//!               "capabilities":["llm.messages"]}]},
//!   {"id":"cohere","nativeBaseUrl":"/v1/native/cohere",
//!    "routes":[{"path":"/v2/chat","methods":["POST"],"requestFormat":"cohere.chat"}],
//!    "models":[{"id":"cohere/command-a","upstream":"command-a","capabilities":["llm.chat"]}]}]}"#;
//! let base = BaseUrl::new(Some("https://clawrouter.example/v1"));
//! let catalog = resolve_catalog(body, &base)?;
//!
//! let model = catalog.select("clawrouter/anthropic/claude-sonnet-4-6", None)?;
//! assert_eq!(model.name(), "Anthropic · claude-sonnet-4-6");
//! let target = model.dispatch_target();
//! assert_eq!(target.transport(), Transport::AnthropicMessages);
//! assert_eq!(target.model_id(), "claude-sonnet-4-6");
//! assert_eq!(target.endpoint_url(), "https://clawrouter.example/v1/native/anthropic/v1/messages");
//!
//! // The cohere model is not advertised, and the resolution says why.
//! assert_eq!(catalog.dropped[0].model.as_deref(), Some("cohere/command-a"));
//! assert!(catalog.dropped[0].reason.contains("route format cohere.chat is not a supported transport"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Map
//!
//! | Spec | Here |
//! | --- | --- |
//! | PROTOCOL.md §2 base URL | [`BaseUrl`] |
//! | §4.1 size cap, §4.3 rows, §4.5 dedupe/order, §14 D12 | [`resolve_catalog`], [`CatalogResolution`], [`DroppedRow`] |
//! | §4.4 transports, §4.6–§4.9 model fields | [`CatalogModel`] |
//! | §4.7 efforts, thinking profile | [`ReasoningEffort`], [`EffortSet`], [`thinking_profile`] |
//! | §4.10 dispatch preparation | [`DispatchTarget`], [`prepare_openclaw_model`] |
//! | §1 model refs | [`ModelRef`], [`CatalogResolution::select`] |
//! | §8.3 usage snapshot | [`usage_snapshot`], [`UsageSnapshot`] |
//! | §14 D6 `localeCompare` | [`collate`] |
//! | §14 D18 JSON as `JSON.parse` reads it | [`json`] |
//!
//! The crate performs no IO and reads no clock: bodies and time are parameters. It never sees a
//! key: the catalog's provider config is printed without `apiKey`.

mod base_url;
pub mod collate;
mod dispatch;
mod efforts;
pub mod json;
mod mapping;
mod model;
mod model_ref;
mod resolve;
mod rows;
mod usage;

pub use base_url::{BaseUrl, DEFAULT_ROOT_URL, NetworkMode, RouterRequest};
pub use dispatch::{DispatchTarget, prepare_openclaw_model, resolve_openclaw_model};
pub use efforts::{EffortSet, ReasoningEffort, normalize_reasoning_efforts, thinking_profile};
pub use model::{CatalogModel, Cost, DEFAULT_CONTEXT_WINDOW, DEFAULT_MAX_TOKENS, InputModality};
pub use model_ref::{ModelRef, ModelRefError, REF_PREFIX};
pub use resolve::{
    CatalogError, CatalogResolution, DropKind, DroppedRow, IgnoredField, MAX_CATALOG_BODY_BYTES,
    ResolveOptions, resolve_catalog, resolve_catalog_value, resolve_catalog_with,
};
pub use usage::{
    Billing, MALFORMED_USAGE, MAX_USAGE_BODY_BYTES, UsageError, UsageSnapshot, UsageWindow,
    usage_snapshot,
};
