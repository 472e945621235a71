//! Integration tests of `clawrouter-catalog`, one binary (see ARCHITECTURE.md): the numbered
//! cases of PROTOCOL.md §12.1, §12.2 and §12.4 as tables, the §4.7 examples, the §14 decisions
//! this crate implements, hostile catalogs and properties.
//!
//! Fixtures are read from `fixtures/catalog` and `fixtures/usage` at the workspace root (see
//! `fixtures/README.md`).

// clippy.toml allows these in `#[test]` functions and `#[cfg(test)]` modules only; the helpers of
// an integration-test crate are neither, and a failed unwrap or index is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

mod catalog_cases;
mod collation;
mod dispatch;
mod explain;
mod hostile;
mod model_refs;
mod properties;
mod usage_cases;
