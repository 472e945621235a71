//! The openai family (POLICY.md §4.3). It applies only to provider `openai` on OpenAI's own
//! Responses hosts; for ClawRouter (provider `clawrouter`) it is always a pass-through, and
//! `normalize_tools` then returns the caller's slice without allocating.
//!
//! When it applies, `normalizeOpenAIStrictCompatSchema` fills in what strict mode needs for
//! *empty* object schemas only (non-empty objects are deliberately not tightened: the transport
//! falls back to `strict: false`). `findOpenAIStrictSchemaViolations` is the spec's (tested,
//! unused by the hook) strictness report.

use serde_json::{Map, Value};

use super::walker::push_index;
use super::{NormalizeLimits, SchemaAction, ToolSchemaContext, Walk};

/// Keys whose value is a map of schemas.
const MAP_KEYS: &[&str] = &[
    "$defs",
    "definitions",
    "dependentSchemas",
    "dependencies",
    "patternProperties",
    "properties",
];

/// Keys whose value is a schema or an array of schemas.
const NESTED_KEYS: &[&str] = &[
    "additionalItems",
    "additionalProperties",
    "allOf",
    "anyOf",
    "contains",
    "contentSchema",
    "else",
    "if",
    "items",
    "not",
    "oneOf",
    "prefixItems",
    "propertyNames",
    "then",
    "unevaluatedItems",
    "unevaluatedProperties",
];

/// Keys deleted when their value is `null`.
const NULLABLE_KEYS: &[&str] = &[
    "type",
    "default",
    "description",
    "examples",
    "format",
    "title",
];

/// The applicability gate of POLICY.md §4.3.
pub(crate) fn applies(context: &ToolSchemaContext<'_>) -> bool {
    if !context.provider.eq_ignore_ascii_case("openai") {
        return false;
    }
    let base = context.base_url;
    let api = context.model_api.to_ascii_lowercase();
    match api.as_str() {
        "openai-responses" => base.is_empty() || is_api_openai_com(base),
        "openai-chatgpt-responses" => {
            base.is_empty() || is_api_openai_com(base) || is_chatgpt_backend(base)
        }
        _ => false,
    }
}

/// `^https://api\.openai\.com(/v1)?(/|$)`.
fn is_api_openai_com(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://api.openai.com") else {
        return false;
    };
    let rest = rest
        .strip_prefix("/v1")
        .filter(|r| r.is_empty() || r.starts_with('/'))
        .unwrap_or(rest);
    rest.is_empty() || rest.starts_with('/')
}

/// `^https://chatgpt\.com/backend-api(/|$)`.
fn is_chatgpt_backend(url: &str) -> bool {
    url.strip_prefix("https://chatgpt.com/backend-api")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The hook's per-tool step: `None` when the tool stays as it is.
pub(crate) fn normalize_tool(parameters: &Value, walk: &mut Walk<'_>) -> Option<Value> {
    match parameters {
        // Absent (null) parameters are treated as `{}`.
        Value::Null => Some(strict_empty_root()),
        Value::Object(map) => normalize_node(map, true, walk),
        _ => None,
    }
}

/// `normalizeOpenAIStrictCompatSchema` on one schema; `None` when nothing changed.
///
/// ```
/// use clawrouter_policy::tools::normalize_openai_strict_compat_schema;
/// use serde_json::json;
/// assert_eq!(
///     normalize_openai_strict_compat_schema(&json!({"type": "object"})),
///     Some(json!({"type": "object", "properties": {}, "required": [], "additionalProperties": false}))
/// );
/// ```
pub fn normalize_openai_strict_compat_schema(schema: &Value) -> Option<Value> {
    let mut sink = Vec::new();
    let mut walk = Walk::bare("", NormalizeLimits::DEFAULT, &mut sink);
    match schema {
        Value::Object(map) => normalize_node(map, true, &mut walk),
        _ => None,
    }
}

fn strict_empty_root() -> Value {
    let mut root = Map::new();
    root.insert("type".to_owned(), Value::String("object".to_owned()));
    root.insert("properties".to_owned(), Value::Object(Map::new()));
    root.insert("required".to_owned(), Value::Array(Vec::new()));
    root.insert("additionalProperties".to_owned(), Value::Bool(false));
    Value::Object(root)
}

fn normalize_node(map: &Map<String, Value>, root: bool, walk: &mut Walk<'_>) -> Option<Value> {
    let mut next = map.clone();
    let mut changed = false;
    let mut type_was_null = false;
    for key in NULLABLE_KEYS {
        if next.get(*key).is_some_and(Value::is_null) {
            next.shift_remove(*key);
            walk.note(key, SchemaAction::Removed);
            changed = true;
            type_was_null |= *key == "type";
        }
    }
    if next.is_empty() {
        return if root {
            walk.note("", SchemaAction::Rewritten);
            Some(strict_empty_root())
        } else {
            // A nested node that only had null annotations stays as it was.
            None
        };
    }

    for key in MAP_KEYS {
        if let Some(Value::Object(members)) = next.get(*key) {
            let mut rebuilt: Option<Map<String, Value>> = None;
            if let Some(mark) = walk.enter_key(key) {
                for (index, (name, member)) in members.iter().enumerate() {
                    let new = match (member, walk.enter_key(name)) {
                        (Value::Object(child), Some(inner)) => {
                            let new = normalize_node(child, false, walk);
                            walk.leave(inner);
                            new
                        }
                        (_, Some(inner)) => {
                            walk.leave(inner);
                            None
                        }
                        (_, None) => Some(Value::Object(Map::new())),
                    };
                    if let Some(new) = new {
                        let out = rebuilt.get_or_insert_with(|| {
                            members
                                .iter()
                                .take(index)
                                .map(|(k, v)| (k.clone(), v.clone()))
                                .collect()
                        });
                        out.insert(name.clone(), new);
                    } else if let Some(out) = rebuilt.as_mut() {
                        out.insert(name.clone(), member.clone());
                    }
                }
                walk.leave(mark);
            }
            if let Some(rebuilt) = rebuilt {
                next.insert((*key).to_owned(), Value::Object(rebuilt));
                changed = true;
            }
        }
    }
    for key in NESTED_KEYS {
        let Some(value) = next.get(*key) else {
            continue;
        };
        let new = match walk.enter_key(key) {
            Some(mark) => {
                let new = normalize_nested(value, walk);
                walk.leave(mark);
                new
            }
            None => Some(Value::Object(Map::new())),
        };
        if let Some(new) = new {
            next.insert((*key).to_owned(), new);
            changed = true;
        }
    }

    if !next.contains_key("type") {
        let object_hint = next.get("properties").is_some_and(Value::is_object)
            || next.get("required").is_some_and(Value::is_array);
        let array_hint = next.contains_key("items");
        if object_hint != array_hint {
            let t = if object_hint { "object" } else { "array" };
            walk.note("type", SchemaAction::Added);
            next.insert("type".to_owned(), Value::String(t.to_owned()));
            changed = true;
        } else if type_was_null {
            next.insert("type".to_owned(), Value::Null);
        }
    }
    if next.get("type").is_some_and(|t| t == "object") {
        if !next.contains_key("properties") {
            walk.note("properties", SchemaAction::Added);
            next.insert("properties".to_owned(), Value::Object(Map::new()));
            changed = true;
        }
        if next
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(Map::is_empty)
        {
            if !next.get("required").is_some_and(Value::is_array) {
                walk.note("required", SchemaAction::Added);
                next.insert("required".to_owned(), Value::Array(Vec::new()));
                changed = true;
            }
            if !next.contains_key("additionalProperties") {
                walk.note("additionalProperties", SchemaAction::Added);
                next.insert("additionalProperties".to_owned(), Value::Bool(false));
                changed = true;
            }
        }
    }
    changed.then_some(Value::Object(next))
}

fn normalize_nested(value: &Value, walk: &mut Walk<'_>) -> Option<Value> {
    match value {
        Value::Object(map) => normalize_node(map, false, walk),
        Value::Array(items) => {
            let mut out: Option<Vec<Value>> = None;
            for (i, item) in items.iter().enumerate() {
                let new = match (item, walk.enter_index(i)) {
                    (Value::Object(map), Some(mark)) => {
                        let new = normalize_node(map, false, walk);
                        walk.leave(mark);
                        new
                    }
                    (_, Some(mark)) => {
                        walk.leave(mark);
                        None
                    }
                    (_, None) => Some(Value::Object(Map::new())),
                };
                if let Some(new) = new {
                    let out = out.get_or_insert_with(|| items.iter().take(i).cloned().collect());
                    out.push(new);
                } else if let Some(out) = out.as_mut() {
                    out.push(item.clone());
                }
            }
            out.map(Value::Array)
        }
        _ => None,
    }
}

/// `findOpenAIStrictSchemaViolations(schema, path, {requireObjectRoot})` (POLICY.md §4.3).
///
/// ```
/// use clawrouter_policy::tools::find_openai_strict_schema_violations;
/// use serde_json::json;
/// let cron = json!({"type": "object", "properties": {"action": {"type": "string"},
///     "schedule": {"type": "string"}}, "required": ["action"], "additionalProperties": true});
/// assert_eq!(
///     find_openai_strict_schema_violations(&cron, "cron.parameters", false),
///     ["cron.parameters.additionalProperties", "cron.parameters.required.schedule"]
/// );
/// ```
pub fn find_openai_strict_schema_violations(
    schema: &Value,
    path: &str,
    require_object_root: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    let root_is_object = schema
        .as_object()
        .is_some_and(|map| map.get("type").is_some_and(|t| t == "object"));
    if require_object_root && !root_is_object {
        out.push(format!("{path}.type"));
        // An array-typed root would report `.type` again below.
        if schema.get("type").is_some_and(Value::is_array) || !schema.is_object() {
            return out;
        }
    }
    strict_violations(
        schema,
        &mut path.to_owned(),
        &mut out,
        NormalizeLimits::DEFAULT.max_depth,
    );
    out
}

fn strict_violations(node: &Value, path: &mut String, out: &mut Vec<String>, depth_left: usize) {
    let Some(depth_left) = depth_left.checked_sub(1) else {
        return;
    };
    let mark = path.len();
    let Value::Object(map) = node else {
        if let Value::Array(items) = node {
            for (i, item) in items.iter().enumerate() {
                push_index(path, i);
                strict_violations(item, path, out, depth_left);
                path.truncate(mark);
            }
        }
        return;
    };
    for key in ["anyOf", "oneOf", "allOf"] {
        if map.contains_key(key) {
            out.push(format!("{path}.{key}"));
        }
    }
    if map.get("type").is_some_and(Value::is_array) {
        out.push(format!("{path}.type"));
    }
    if map.get("type").is_some_and(|t| t == "object") {
        if map.get("additionalProperties") != Some(&Value::Bool(false)) {
            out.push(format!("{path}.additionalProperties"));
        }
        match map.get("required") {
            Some(Value::Array(required)) => {
                if let Some(Value::Object(properties)) = map.get("properties") {
                    for key in properties.keys() {
                        if !required.iter().any(|r| r == key.as_str()) {
                            out.push(format!("{path}.required.{key}"));
                        }
                    }
                }
            }
            _ => out.push(format!("{path}.required")),
        }
    }
    for key in MAP_KEYS {
        if let Some(Value::Object(members)) = map.get(*key) {
            for (name, member) in members {
                path.push('.');
                path.push_str(key);
                path.push('.');
                path.push_str(name);
                strict_violations(member, path, out, depth_left);
                path.truncate(mark);
            }
        }
    }
    for key in NESTED_KEYS {
        if let Some(value) = map.get(*key) {
            path.push('.');
            path.push_str(key);
            strict_violations(value, path, out, depth_left);
            path.truncate(mark);
        }
    }
}
