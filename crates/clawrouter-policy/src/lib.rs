//! Replay policy and tool-schema normalization per transport family for ClawRouter (sans-IO).
//!
//! Under construction: see the open issue for this crate.

pub mod bounded_id;
pub mod headers;
mod tool;
pub mod tools;

pub use tool::ToolDefinition;
