//! The neutral tool definition every transport's tool list is built from (POLICY.md §1, §4).

use serde::{Deserialize, Serialize};

/// A tool the model may call: its name, a description, and the JSON Schema of its arguments.
///
/// `parameters` is kept as a `serde_json::Value` (with `preserve_order`, so object key order is
/// the input's: some normalization rules depend on it). This is the input shape of
/// `clawrouter policy tools` (`[{"name","description","parameters"}]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolDefinition {
    /// The tool's name, as the model will call it.
    pub name: String,
    /// What the tool does, for the model.
    #[serde(default)]
    pub description: String,
    /// The JSON Schema of the tool's arguments.
    pub parameters: serde_json::Value,
}
