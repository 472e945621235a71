//! The deepseek family `normalizeDeepSeekSchema` (POLICY.md §4.4): DeepSeek rejects `anyOf` /
//! `oneOf`, so every union is collapsed — string-literal unions into one `enum`, object unions
//! flattened into one object, anything else to its first non-null variant — bottom-up and
//! copy-on-write: an unchanged node is not copied, and an unchanged tool list is returned as it
//! is.
//!
//! `patternProperties` keys are ECMAScript regexes, matched with the `regress` crate; a pattern
//! it cannot compile matches nothing (POLICY.md §6.2 PD7).

use serde_json::{Map, Value};

use super::{NormalizeLimits, SchemaAction, Walk};

/// The keys a property keeps when a variant would accept it undeclared (POLICY.md §4.4).
const ANNOTATION_KEYS: &[&str] = &[
    "$comment",
    "default",
    "deprecated",
    "description",
    "example",
    "examples",
    "readOnly",
    "title",
    "writeOnly",
];

/// Normalizes one schema for DeepSeek; `None` when nothing changed (the input is to be used as
/// it is).
///
/// ```
/// use clawrouter_policy::tools::normalize_deepseek_schema;
/// use serde_json::json;
/// assert_eq!(
///     normalize_deepseek_schema(&json!({"oneOf": [{"type": "string"}, {"type": "null"}]})),
///     Some(json!({"type": "string", "nullable": true}))
/// );
/// assert_eq!(normalize_deepseek_schema(&json!({"type": "string"})), None);
/// ```
pub fn normalize_deepseek_schema(schema: &Value) -> Option<Value> {
    let mut sink = Vec::new();
    let mut walk = Walk::bare("", NormalizeLimits::DEFAULT, &mut sink);
    normalize(schema, &mut walk)
}

/// `None` when `node` is unchanged.
pub(crate) fn normalize(node: &Value, walk: &mut Walk<'_>) -> Option<Value> {
    match node {
        Value::Array(items) => {
            let mut changed: Vec<Option<Value>> = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                changed.push(match walk.enter_index(i) {
                    Some(mark) => {
                        let out = normalize(item, walk);
                        walk.leave(mark);
                        out
                    }
                    None => Some(Value::Object(Map::new())),
                });
            }
            if changed.iter().all(Option::is_none) {
                return None;
            }
            Some(Value::Array(
                items
                    .iter()
                    .zip(changed)
                    .map(|(item, new)| new.unwrap_or_else(|| item.clone()))
                    .collect(),
            ))
        }
        Value::Object(map) => normalize_object(map, walk),
        _ => None,
    }
}

fn normalize_at_key(value: &Value, key: &str, walk: &mut Walk<'_>) -> Option<Value> {
    // Scalars never change: no need to go (and count) a level down.
    if !value.is_object() && !value.is_array() {
        return None;
    }
    match walk.enter_key(key) {
        Some(mark) => {
            let out = normalize(value, walk);
            walk.leave(mark);
            out
        }
        None => Some(Value::Object(Map::new())),
    }
}

fn normalize_object(map: &Map<String, Value>, walk: &mut Walk<'_>) -> Option<Value> {
    // Only one union keyword per node is collapsed: `anyOf` first.
    let union_key = ["anyOf", "oneOf"]
        .into_iter()
        .find(|key| map.get(*key).is_some_and(Value::is_array));

    let mut children: Vec<Option<Value>> = Vec::with_capacity(map.len());
    for (key, value) in map {
        if Some(key.as_str()) == union_key {
            children.push(None);
            continue;
        }
        children.push(normalize_at_key(value, key, walk));
    }
    let Some(union_key) = union_key else {
        if children.iter().all(Option::is_none) {
            return None;
        }
        let out = map
            .iter()
            .zip(children)
            .map(|((k, v), new)| (k.clone(), new.unwrap_or_else(|| v.clone())))
            .collect();
        return Some(Value::Object(out));
    };

    let mut outer = Map::with_capacity(map.len());
    for ((key, value), new) in map.iter().zip(children) {
        if key != union_key {
            outer.insert(key.clone(), new.unwrap_or_else(|| value.clone()));
        }
    }
    let variants: Vec<Value> = match map.get(union_key) {
        Some(Value::Array(variants)) => match walk.enter_key(union_key) {
            Some(mark) => {
                let out = variants
                    .iter()
                    .enumerate()
                    .map(|(i, v)| match walk.enter_index(i) {
                        Some(inner) => {
                            let out = normalize(v, walk).unwrap_or_else(|| v.clone());
                            walk.leave(inner);
                            out
                        }
                        None => Value::Object(Map::new()),
                    })
                    .collect();
                walk.leave(mark);
                out
            }
            None => Vec::new(),
        },
        _ => Vec::new(),
    };
    walk.note(union_key, SchemaAction::Collapsed);
    Some(Value::Object(collapse(outer, variants)))
}

/// Collapses the normalized `variants` of a union into `outer` (the node without the union).
fn collapse(mut outer: Map<String, Value>, variants: Vec<Value>) -> Map<String, Value> {
    let (nulls, non_null): (Vec<&Value>, Vec<&Value>) =
        variants.iter().partition(|v| is_null_variant(v));
    let has_null = !nulls.is_empty()
        || non_null.iter().any(|v| {
            v.as_object().is_some_and(|m| {
            is_object_variant(m)
                && matches!(m.get("type"), Some(Value::Array(t)) if t.iter().any(|t| t == "null"))
                && literal_values(m).is_none_or(|values| values.contains(&Value::Null))
        })
        });

    // A union of string constants becomes one string enum.
    if non_null.len() > 1 {
        let consts: Option<Vec<Value>> = non_null
            .iter()
            .map(|v| v.get("const").filter(|c| c.is_string()).cloned())
            .collect();
        if let Some(consts) = consts {
            outer.insert("type".to_owned(), Value::String("string".to_owned()));
            outer.insert("enum".to_owned(), Value::Array(consts));
            if has_null {
                outer.insert("nullable".to_owned(), Value::Bool(true));
            }
            return outer;
        }
    }

    let all_object_variants = !non_null.is_empty()
        && non_null
            .iter()
            .all(|v| v.as_object().is_some_and(is_object_variant));
    let chosen: Option<Map<String, Value>> = if non_null.len() > 1 && all_object_variants {
        flatten(&non_null).or_else(|| non_null.first().and_then(|v| v.as_object().cloned()))
    } else {
        non_null
            .first()
            .copied()
            .or(variants.first())
            .and_then(|v| v.as_object().cloned())
    };
    let Some(mut chosen) = chosen else {
        return outer;
    };

    let nullable_object = has_null && all_object_variants;
    if nullable_object {
        let literals = literal_values(&chosen);
        chosen.insert(
            "type".to_owned(),
            Value::Array(vec![
                Value::String("object".to_owned()),
                Value::String("null".to_owned()),
            ]),
        );
        if let Some(mut values) = literals {
            if !values.contains(&Value::Null) {
                values.push(Value::Null);
            }
            chosen.insert("enum".to_owned(), Value::Array(values));
            chosen.remove("const");
        }
    }
    // Outer keys win.
    for (key, value) in outer {
        chosen.insert(key, value);
    }
    if has_null && !nullable_object {
        chosen.insert("nullable".to_owned(), Value::Bool(true));
    }
    chosen
}

/// `{type:"null"}`, `{type:["null"]}`, `{const:null}` or `{enum:[null]}`.
fn is_null_variant(v: &Value) -> bool {
    let Some(map) = v.as_object() else {
        return false;
    };
    match map.get("type") {
        Some(Value::String(t)) if t == "null" => return true,
        Some(Value::Array(types)) if types.len() == 1 && types.iter().all(|t| t == "null") => {
            return true;
        }
        _ => {}
    }
    map.get("const").is_some_and(Value::is_null)
        || matches!(map.get("enum"), Some(Value::Array(values)) if values.len() == 1 && values.iter().all(Value::is_null))
}

/// `type:"object"`, or a type array containing `"object"` and only `"object"` / `"null"`.
fn is_object_variant(map: &Map<String, Value>) -> bool {
    match map.get("type") {
        Some(Value::String(t)) => t == "object",
        Some(Value::Array(types)) => {
            types.iter().any(|t| t == "object")
                && types.iter().all(|t| t == "object" || t == "null")
        }
        _ => false,
    }
}

/// The literal values of a schema (POLICY.md §4.4): from `const` (checked against `enum`),
/// else the `enum` array, else none.
fn literal_values(map: &Map<String, Value>) -> Option<Vec<Value>> {
    match (map.get("const"), map.get("enum")) {
        (Some(c), Some(Value::Array(values))) => Some(if values.contains(c) {
            vec![c.clone()]
        } else {
            Vec::new()
        }),
        (Some(c), _) => Some(vec![c.clone()]),
        (None, Some(Value::Array(values))) => Some(values.clone()),
        (None, _) => None,
    }
}

/// The keys that are neither literals nor annotations, for comparing two literal properties.
fn shape(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter()
        .filter(|(k, _)| {
            k.as_str() != "const" && k.as_str() != "enum" && !ANNOTATION_KEYS.contains(&k.as_str())
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Flattens object variants into one object (POLICY.md §4.4); `None` when a variant has no
/// `properties` object.
fn flatten(variants: &[&Value]) -> Option<Map<String, Value>> {
    let maps: Vec<&Map<String, Value>> = variants
        .iter()
        .map(|v| v.as_object())
        .collect::<Option<_>>()?;
    let property_maps: Vec<&Map<String, Value>> = maps
        .iter()
        .map(|m| m.get("properties").and_then(Value::as_object))
        .collect::<Option<_>>()?;

    let mut properties = Map::new();
    for props in &property_maps {
        for (key, schema) in *props {
            let Some(existing) = properties.get_mut(key) else {
                properties.insert(key.clone(), schema.clone());
                continue;
            };
            if existing == schema {
                continue;
            }
            let (Some(first), Some(second)) = (existing.as_object(), schema.as_object()) else {
                continue;
            };
            let (Some(first_values), Some(second_values)) =
                (literal_values(first), literal_values(second))
            else {
                continue;
            };
            if shape(first) != shape(second) {
                continue;
            }
            let mut pooled: Vec<Value> = Vec::new();
            for value in first_values.into_iter().chain(second_values) {
                if !pooled.contains(&value) {
                    pooled.push(value);
                }
            }
            if pooled.is_empty() {
                continue;
            }
            let mut merged = first.clone();
            merged.insert("enum".to_owned(), Value::Array(pooled));
            merged.remove("const");
            *existing = Value::Object(merged);
        }
    }

    // A property some variant would accept without declaring it keeps only its annotations.
    for (key, schema) in properties.iter_mut() {
        let loose = maps
            .iter()
            .zip(&property_maps)
            .any(|(variant, props)| !props.contains_key(key) && accepts_undeclared(variant, key));
        if loose && let Value::Object(map) = schema {
            map.retain(|k, _| ANNOTATION_KEYS.contains(&k.as_str()));
        }
    }

    let mut required: Vec<Value> = Vec::new();
    if let Some(first) = maps.first() {
        let lists: Vec<Vec<&str>> = maps
            .iter()
            .map(|m| match m.get("required") {
                Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            })
            .collect();
        if let Some(Value::Array(names)) = first.get("required") {
            for name in names.iter().filter_map(Value::as_str) {
                let everywhere = lists.iter().all(|list| list.contains(&name));
                if everywhere && !required.iter().any(|r| r == name) {
                    required.push(Value::String(name.to_owned()));
                }
            }
        }
    }

    let mut out = Map::new();
    out.insert("type".to_owned(), Value::String("object".to_owned()));
    if !required.is_empty() {
        out.insert("required".to_owned(), Value::Array(required));
    }
    out.insert("properties".to_owned(), Value::Object(properties));
    Some(out)
}

/// Whether `variant` accepts `key` without declaring it: its `additionalProperties` is not
/// literally `false`, or one of its `patternProperties` matches.
fn accepts_undeclared(variant: &Map<String, Value>, key: &str) -> bool {
    if variant.get("additionalProperties") != Some(&Value::Bool(false)) {
        return true;
    }
    variant
        .get("patternProperties")
        .and_then(Value::as_object)
        .is_some_and(|patterns| {
            patterns
                .keys()
                .any(|pattern| regress::Regex::new(pattern).is_ok_and(|re| re.find(key).is_some()))
        })
}
