//! Replay policy and tool-schema normalization per transport family for ClawRouter (sans-IO).
//!
//! Under construction: see the open issue for this crate.

mod tool;

pub use tool::ToolDefinition;
