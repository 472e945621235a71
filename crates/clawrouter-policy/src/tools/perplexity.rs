//! The perplexity family (POLICY.md §4.6, PROTOCOL.md §7.7): `patternProperties` and
//! `additionalProperties` are dropped at every schema position, and an object-typed schema
//! without `properties` gains `properties: {}` as its last key.

use serde_json::{Map, Value};

use super::walker::push_index;
use super::{NormalizeLimits, SchemaAction, Walk};

/// Keys whose value is a map of schemas.
const MAP_KEYS: &[&str] = &[
    "properties",
    "$defs",
    "definitions",
    "dependentSchemas",
    "dependencies",
];

/// Keys whose value is a schema or an array of schemas.
const VALUE_KEYS: &[&str] = &[
    "items",
    "additionalItems",
    "prefixItems",
    "anyOf",
    "oneOf",
    "allOf",
    "then",
    "else",
    "if",
    "not",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
];

/// Normalizes one schema for Perplexity (always a new value).
///
/// ```
/// use clawrouter_policy::tools::normalize_perplexity_schema;
/// use serde_json::json;
/// assert_eq!(
///     normalize_perplexity_schema(&json!({"type": ["object", "null"], "additionalProperties": {}})),
///     json!({"type": ["object", "null"], "properties": {}})
/// );
/// ```
pub fn normalize_perplexity_schema(schema: &Value) -> Value {
    let mut sink = Vec::new();
    let mut walk = Walk::bare("", NormalizeLimits::DEFAULT, &mut sink);
    normalize_value(schema, &mut walk)
}

pub(crate) fn normalize(params: &Map<String, Value>, walk: &mut Walk<'_>) -> Value {
    normalize_object(params, walk)
}

fn normalize_value(node: &Value, walk: &mut Walk<'_>) -> Value {
    match node {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| match walk.enter_index(i) {
                    Some(mark) => {
                        let out = normalize_value(item, walk);
                        walk.leave(mark);
                        out
                    }
                    None => Value::Object(Map::new()),
                })
                .collect(),
        ),
        Value::Object(map) => normalize_object(map, walk),
        other => other.clone(),
    }
}

fn normalize_object(map: &Map<String, Value>, walk: &mut Walk<'_>) -> Value {
    let mut out = Map::with_capacity(map.len() + 1);
    for (key, value) in map {
        match key.as_str() {
            "patternProperties" | "additionalProperties" => walk.note(key, SchemaAction::Removed),
            k if MAP_KEYS.contains(&k) => {
                let value = match value {
                    Value::Object(members) => {
                        let mut normalized = Map::with_capacity(members.len());
                        for (name, member) in members {
                            let member = match walk.enter_key(key) {
                                Some(outer) => {
                                    let member = match walk.enter_key(name) {
                                        Some(inner) => {
                                            let m = normalize_member(member, walk);
                                            walk.leave(inner);
                                            m
                                        }
                                        None => Value::Object(Map::new()),
                                    };
                                    walk.leave(outer);
                                    member
                                }
                                None => Value::Object(Map::new()),
                            };
                            normalized.insert(name.clone(), member);
                        }
                        Value::Object(normalized)
                    }
                    other => other.clone(),
                };
                out.insert(key.clone(), value);
            }
            k if VALUE_KEYS.contains(&k) => {
                let value = match walk.enter_key(key) {
                    Some(mark) => {
                        let v = normalize_value(value, walk);
                        walk.leave(mark);
                        v
                    }
                    None => Value::Object(Map::new()),
                };
                out.insert(key.clone(), value);
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    if is_object_typed(&out) && !out.contains_key("properties") {
        walk.note("properties", SchemaAction::Added);
        out.insert("properties".to_owned(), Value::Object(Map::new()));
    }
    Value::Object(out)
}

/// A map member: objects are normalized, anything else (a legacy `dependencies` string array)
/// stays as it is.
fn normalize_member(member: &Value, walk: &mut Walk<'_>) -> Value {
    match member {
        Value::Object(map) => normalize_object(map, walk),
        other => other.clone(),
    }
}

fn is_object_typed(map: &Map<String, Value>) -> bool {
    match map.get("type") {
        Some(Value::String(t)) => t == "object",
        Some(Value::Array(types)) => types.iter().any(|t| t == "object"),
        _ => false,
    }
}

/// The missing-properties findings of the perplexity inspection (PROTOCOL.md §7.7 (b)): every
/// object-typed schema without a `properties` key, as `<path>.properties`.
pub(crate) fn missing_properties(
    node: &Value,
    path: &mut String,
    out: &mut Vec<String>,
    depth_left: usize,
) {
    let Some(depth_left) = depth_left.checked_sub(1) else {
        return;
    };
    let mark = path.len();
    match node {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                push_index(path, i);
                missing_properties(item, path, out, depth_left);
                path.truncate(mark);
            }
        }
        Value::Object(map) => {
            if is_object_typed(map) && !map.contains_key("properties") {
                out.push(format!("{path}.properties"));
            }
            for (key, value) in map {
                if MAP_KEYS.contains(&key.as_str()) {
                    if let Value::Object(members) = value {
                        for (name, member) in members {
                            path.push('.');
                            path.push_str(key);
                            path.push('.');
                            path.push_str(name);
                            if member.is_object() {
                                missing_properties(member, path, out, depth_left);
                            }
                            path.truncate(mark);
                        }
                    }
                } else if VALUE_KEYS.contains(&key.as_str()) {
                    path.push('.');
                    path.push_str(key);
                    missing_properties(value, path, out, depth_left);
                    path.truncate(mark);
                }
            }
        }
        _ => {}
    }
}
