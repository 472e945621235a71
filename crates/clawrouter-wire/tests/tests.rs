//! Integration tests of `clawrouter-wire`: conformance vectors, the WIRE.md §1.8 checklist,
//! recorded wire fixtures, the JSON-array splitter, properties and the stream adapters.
//!
//! Fixtures are read from `fixtures/` at the workspace root (copied unchanged from the project's
//! shared spec folder; see `fixtures/README.md`).

// clippy.toml allows these in `#[test]` functions and `#[cfg(test)]` modules only; the helpers of
// an integration-test crate are neither, and a failed unwrap or index is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

mod json_array;
mod properties;
mod sse_checklist;
mod sse_conformance;
mod stream_adapter;
mod transport_anthropic_google;
mod transport_fixtures;
mod transport_openai;
mod transport_properties;
mod wire_fixtures;
