//! The tool set of the `tool_schemas` benches: 50 tools shaped like real agent tools (a few
//! string / integer / enum / array properties with formats and bounds, a nullable field, a
//! string-literal union, an object union) sharing `$defs` that reference each other, so the
//! Gemini cleaner has `$ref`s to inline, unions to collapse and keywords to drop on every tool.

use clawrouter_policy::ToolDefinition;
use serde_json::{Value, json};

/// The shared definitions every tool carries (as in schemas generated from typed code).
fn defs() -> Value {
    json!({
        "Point": {"type":"object","description":"A point","properties":{
            "x":{"type":"number","minimum":-1000,"maximum":1000},
            "y":{"type":"number","minimum":-1000,"maximum":1000}},"required":["x","y"]},
        "Range": {"type":"object","properties":{
            "start":{"$ref":"#/$defs/Point"},"end":{"$ref":"#/$defs/Point"}},
            "required":["start","end"],"additionalProperties":false},
        "Tag": {"type":"string","minLength":1,"maxLength":64,"pattern":"^[a-z-]+$"},
        "Node": {"type":"object","properties":{
            "name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#/$defs/Node"}}}}
    })
}

/// Tool `i` of the set.
pub fn tool(i: usize) -> ToolDefinition {
    ToolDefinition {
        name: format!("tool_{i}"),
        description: format!("Tool number {i}: does something useful with its arguments."),
        parameters: json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "query": {"type":"string","description":"What to look for","minLength":1,"maxLength":2000},
                "limit": {"type":["integer","null"],"minimum":1,"maximum":100,"default":10},
                "mode": {"description":"How","anyOf":[
                    {"const":"fast","type":"string"},{"const":"safe","type":"string"},{"const":"thorough","type":"string"}]},
                "since": {"type":"string","format":"date-time"},
                "tags": {"type":"array","items":{"$ref":"#/$defs/Tag"},"maxItems":16,"uniqueItems":true},
                "where": {"$ref":"#/$defs/Range","description":"The region"},
                "tree": {"$ref":"#/$defs/Node"},
                "target": {"oneOf":[
                    {"type":"object","properties":{"path":{"type":"string"}},"required":["path"]},
                    {"type":"object","properties":{"url":{"type":"string","format":"uri"}},"required":["url"]}]},
                "level": {"type":"integer","enum":[1,2,3,4,5]},
                "note": {"anyOf":[{"type":"string"},{"type":"null"}]}
            },
            "required": ["query","mode","ghost"],
            "$defs": defs()
        }),
    }
}

/// The 50-tool set.
pub fn tool_set() -> Vec<ToolDefinition> {
    (0..50).map(tool).collect()
}
