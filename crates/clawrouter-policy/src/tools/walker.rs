//! The diagnostics walker `findUnsupportedSchemaKeywords` (POLICY.md §4.2).
//!
//! An object's `properties` entries are walked first (property *names* are never reported),
//! then every other key in insertion order: reported when it is in the set, then walked into when
//! its value is an object or an array. So definition names inside `$defs` are checked as
//! keywords, and literal values (`enum`, `default`, `examples`) are walked too — exactly as the
//! baseline does.

use serde_json::Value;

/// The paths of every keyword of `unsupported` in `schema`, depth-first, starting at `path`
/// (POLICY.md §4.2).
///
/// ```
/// use clawrouter_policy::tools::find_unsupported_schema_keywords;
/// use serde_json::json;
/// let schema = json!({"properties": {"format": {"type": "string"}}, "$defs": {"format": {}}});
/// assert_eq!(
///     find_unsupported_schema_keywords(&schema, "p", &["format", "$defs"]),
///     ["p.$defs", "p.$defs.format"]
/// );
/// ```
pub fn find_unsupported_schema_keywords(
    schema: &Value,
    path: &str,
    unsupported: &[&str],
) -> Vec<String> {
    let mut out = Vec::new();
    walk(
        schema,
        &mut path.to_owned(),
        unsupported,
        &mut out,
        super::NormalizeLimits::DEFAULT.max_depth,
    );
    out
}

/// The walk itself; `depth_left` bounds the recursion (a deeper subtree is not inspected).
pub(crate) fn walk(
    node: &Value,
    path: &mut String,
    unsupported: &[&str],
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
                walk(item, path, unsupported, out, depth_left);
                path.truncate(mark);
            }
        }
        Value::Object(map) => {
            if let Some(Value::Object(properties)) = map.get("properties") {
                for (name, value) in properties {
                    path.push_str(".properties.");
                    path.push_str(name);
                    walk(value, path, unsupported, out, depth_left);
                    path.truncate(mark);
                }
            }
            for (key, value) in map {
                if key == "properties" {
                    continue;
                }
                path.push('.');
                path.push_str(key);
                if unsupported.contains(&key.as_str()) {
                    out.push(path.clone());
                }
                if value.is_object() || value.is_array() {
                    walk(value, path, unsupported, out, depth_left);
                }
                path.truncate(mark);
            }
        }
        _ => {}
    }
}

pub(crate) fn push_index(path: &mut String, index: usize) {
    use std::fmt::Write as _;
    let _ = write!(path, "[{index}]");
}
