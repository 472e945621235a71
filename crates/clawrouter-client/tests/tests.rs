//! Integration tests of `clawrouter-client`, one binary (see ARCHITECTURE.md): wiremock and raw
//! loopback servers for the catalog and its cache, usage, dispatch, errors, retries and the
//! key's confinement to the configured origin.

// clippy.toml allows these in `#[test]` functions and `#[cfg(test)]` modules only; the helpers of
// an integration-test crate are neither, and a failed unwrap or index is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

mod catalog;
mod chat;
mod dispatch;
mod errors;
mod faults;
mod limits;
mod secrets;
mod security;
mod usage;
