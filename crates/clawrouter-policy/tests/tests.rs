//! Integration tests of `clawrouter-policy`, one binary (see ARCHITECTURE.md).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod bounded_id;
mod generic;
mod headers;
mod properties;
mod tools;
