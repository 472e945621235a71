//! Integration tests of `clawrouter-policy`, one binary (see ARCHITECTURE.md): the conversation
//! model (POLICY.md §1), transport conversion (§3), the replay pipeline (§2) with the §5 cases,
//! and properties.

// clippy.toml allows these in `#[test]` functions and `#[cfg(test)]` modules only; the helpers of
// an integration-test crate are neither, and a failed unwrap or index is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod bounded_id;
mod conversation;
mod convert;
mod generic;
mod headers;
mod policy_records;
mod replay_properties;
mod replay_steps;
mod tool_properties;
mod tools;
