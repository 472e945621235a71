//! Integration tests of `clawrouter-emulator`, one binary (see ARCHITECTURE.md): every request
//! goes over real HTTP to an emulator on a loopback port; streamed bodies are decoded with
//! `clawrouter-wire`.

// clippy.toml allows these in `#[test]` functions and `#[cfg(test)]` modules only; the helpers of
// an integration-test crate are neither, and a failed unwrap or index is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

mod auth;
mod catalog;
mod faults;
mod properties;
mod scenario;
mod transports;
mod usage;
mod wire_format;
