//! Replay policy and tool-schema normalization per transport family for ClawRouter (sans-IO).
//!
//! A stored conversation in the neutral model of POLICY.md §1 parses losslessly and
//! re-serializes byte for byte:
//!
//! ```
//! use clawrouter_policy::conversation::{Message, conversation_from_value, conversation_to_value};
//!
//! let stored = r#"[{"role":"user","content":"list files","timestamp":1},{"role":"assistant","api":"openai-responses","provider":"clawrouter","model":"openai/gpt-5.5","stopReason":"toolUse","timestamp":2,"content":[{"type":"toolCall","id":"call_9|fc_9","name":"exec","arguments":{"cmd":"ls"}}]}]"#;
//! let messages = conversation_from_value(serde_json::from_str(stored)?);
//! assert!(matches!(messages[1], Message::Assistant(_)));
//! assert_eq!(serde_json::to_string(&conversation_to_value(&messages))?, stored);
//! # Ok::<(), serde_json::Error>(())
//! ```

pub mod bounded_id;
pub mod conversation;
pub mod convert;
pub mod diagnostic;
pub mod headers;
pub mod replay;
mod tool;
pub mod tools;

pub use tool::ToolDefinition;
