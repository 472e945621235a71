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
//!
//! ```
//! use std::borrow::Cow;
//! use clawrouter_policy::ToolDefinition;
//! use clawrouter_policy::headers::{dispatch_headers, DispatchInput};
//! use clawrouter_policy::tools::normalize_tools;
//! use serde_json::json;
//!
//! // Tool schemas follow the model-id prefix (POLICY.md §4): Gemini gets the Gemini cleaner…
//! let tools = vec![ToolDefinition {
//!     name: "search".into(),
//!     description: "Search the web".into(),
//!     parameters: json!({"type": "object", "properties": {
//!         "q": {"type": "string", "minLength": 1},
//!         "n": {"type": ["integer", "null"], "enum": [5, 10]}}}),
//! }];
//! let gemini = normalize_tools("google/gemini-3.5-flash", &tools);
//! assert_eq!(
//!     gemini.tools[0].parameters,
//!     json!({"type": "object", "properties": {
//!         "q": {"type": "string"},
//!         "n": {"type": "integer", "enum": ["5", "10"]}}})
//! );
//! assert_eq!(gemini.diagnostics[0].to_string(), "search.parameters.properties.q.minLength: removed");
//! // …and everything else on ClawRouter is passed through without a copy.
//! assert!(matches!(normalize_tools("anthropic/claude-sonnet-4-6", &tools).tools, Cow::Borrowed(_)));
//!
//! // The dispatch headers of PROTOCOL.md §7.2, with sanitized ids (§7.3).
//! let headers = dispatch_headers(&DispatchInput {
//!     api_key: Some("sk-example"),
//!     agent_id: Some("main"),
//!     request_id: Some("run 1:model:1"),
//!     ..DispatchInput::default()
//! });
//! assert_eq!(headers.get("X-Request-ID"), Some("run_1~170a6e3a08e02fd9:model:1"));
//! assert_eq!(headers.redacted().last().unwrap().1, "Bearer [REDACTED]");
//! ```
//!
//! Modules:
//! - [`tools`] — tool-schema normalization and inspection per family (POLICY.md §4,
//!   PROTOCOL.md §7.6–§7.7);
//! - [`bounded_id`] — bounded-id sanitization of attribution and request ids (PROTOCOL.md §7.3,
//!   §14 D1);
//! - [`headers`] — the dispatch header map (PROTOCOL.md §7.2, §7.4) as a pure function.
//!
//! Every function is total and deterministic: no IO, no clock, no RNG, no panics.

pub mod bounded_id;
pub mod conversation;
pub mod convert;
pub mod diagnostic;
pub mod headers;
pub mod replay;
mod tool;
pub mod tools;

pub use tool::ToolDefinition;
