//! The Gemini cleaner `cleanSchemaForGemini` (POLICY.md §4.5.1, baseline).
//!
//! One pass over the schema: local `$ref`s into `$defs` / `definitions` are inlined (one
//! namespace, inner definitions override outer ones; a reference already being expanded becomes
//! `{}`, so cycles end), `anyOf` / `oneOf` unions are simplified or collapsed, `const` becomes a
//! one-element string `enum`, enum values are stringified, the 22 unsupported keywords are
//! dropped, and `required` keeps only declared properties. `allOf` is cleaned and kept
//! (POLICY.md §6.2 PD11: the flattening variant is not ported). One deliberate difference from the
//! baseline: a union of literals keeps each literal once (see `literal_union`), so that cleaning
//! is idempotent.
//!
//! Keys the cleaner does not know (`prefixItems`, `if` / `then` / `else`, `nullable`, vendor
//! extensions …) are copied *without* recursion, as the baseline does.

use serde_json::{Map, Value};

use super::{GEMINI_UNSUPPORTED_KEYWORDS, NormalizeLimits, SchemaAction, Walk, jsnum};

/// The annotations a `$ref` or a collapsed union keeps from the node it replaces.
const META_KEYS: [&str; 3] = ["description", "title", "default"];

/// Cleans one schema for Gemini (POLICY.md §4.5.1); always a new value.
///
/// ```
/// use clawrouter_policy::tools::clean_schema_for_gemini;
/// use serde_json::json;
/// assert_eq!(
///     clean_schema_for_gemini(&json!({"type": "integer", "enum": [1, 2, 2, null, 3]})),
///     json!({"type": "integer", "enum": ["1", "2", "3"]})
/// );
/// ```
pub fn clean_schema_for_gemini(schema: &Value) -> Value {
    let mut sink = Vec::new();
    let mut walk = Walk::bare("", NormalizeLimits::DEFAULT, &mut sink);
    Cleaner {
        refs: Vec::new(),
        walk: &mut walk,
    }
    .clean(schema, &Scope::ROOT)
}

pub(crate) fn clean_root(params: &Map<String, Value>, walk: &mut Walk<'_>) -> Value {
    Cleaner {
        refs: Vec::new(),
        walk,
    }
    .clean_object(params, &Scope::ROOT)
}

/// The definitions visible at a node: its own `$defs` and `definitions` (in that order, so a
/// `definitions` entry overrides a `$defs` entry of the same name) over its ancestors'.
struct Scope<'v, 's> {
    defs: Option<&'v Map<String, Value>>,
    definitions: Option<&'v Map<String, Value>>,
    parent: Option<&'s Scope<'v, 's>>,
}

impl<'v> Scope<'v, '_> {
    const ROOT: Scope<'static, 'static> = Scope {
        defs: None,
        definitions: None,
        parent: None,
    };

    fn lookup(&self, name: &str) -> Option<&'v Value> {
        let mut scope = Some(self);
        while let Some(current) = scope {
            let found = current
                .definitions
                .and_then(|d| d.get(name))
                .or_else(|| current.defs.and_then(|d| d.get(name)));
            if found.is_some() {
                return found;
            }
            scope = current.parent;
        }
        None
    }
}

struct Cleaner<'v, 'w, 'd> {
    /// The `$ref` strings being expanded, outermost first.
    refs: Vec<&'v str>,
    walk: &'w mut Walk<'d>,
}

/// The outcome of simplifying one union (POLICY.md §4.5.1 step 3).
enum Simplified {
    /// The whole node is replaced by this value.
    Replace(Value),
    /// The union stays, with these variants.
    Keep(Vec<Value>),
}

impl<'v> Cleaner<'v, '_, '_> {
    fn clean(&mut self, node: &'v Value, scope: &Scope<'v, '_>) -> Value {
        match node {
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.clean_at_index(item, i, scope))
                    .collect(),
            ),
            Value::Object(map) => self.clean_object(map, scope),
            other => other.clone(),
        }
    }

    fn clean_at_key(&mut self, node: &'v Value, key: &str, scope: &Scope<'v, '_>) -> Value {
        if !node.is_object() && !node.is_array() {
            return node.clone();
        }
        match self.walk.enter_key(key) {
            Some(mark) => {
                let out = self.clean(node, scope);
                self.walk.leave(mark);
                out
            }
            None => Value::Object(Map::new()),
        }
    }

    fn clean_at_index(&mut self, node: &'v Value, index: usize, scope: &Scope<'v, '_>) -> Value {
        if !node.is_object() && !node.is_array() {
            return node.clone();
        }
        match self.walk.enter_index(index) {
            Some(mark) => {
                let out = self.clean(node, scope);
                self.walk.leave(mark);
                out
            }
            None => Value::Object(Map::new()),
        }
    }

    fn clean_object(&mut self, map: &'v Map<String, Value>, parent: &Scope<'v, '_>) -> Value {
        // Inside a `$ref` expansion every node counts against the expansion budget.
        if !self.refs.is_empty() && !self.walk.spend_expansion() {
            return Value::Object(Map::new());
        }
        let scope = Scope {
            defs: map.get("$defs").and_then(Value::as_object),
            definitions: map.get("definitions").and_then(Value::as_object),
            parent: Some(parent),
        };

        // Step 2: a `$ref` node is replaced by its target; its other keys are discarded.
        if let Some(Value::String(reference)) = map.get("$ref") {
            return self.inline(reference, map, &scope);
        }

        // Step 3: clean and simplify the unions.
        let mut unions: [Option<Vec<Value>>; 2] = [None, None];
        for (slot, key) in unions.iter_mut().zip(["anyOf", "oneOf"]) {
            if let Some(Value::Array(variants)) = map.get(key) {
                let cleaned = match self.walk.enter_key(key) {
                    Some(mark) => {
                        let cleaned = variants
                            .iter()
                            .enumerate()
                            .map(|(i, v)| self.clean_at_index(v, i, &scope))
                            .collect();
                        self.walk.leave(mark);
                        cleaned
                    }
                    None => Vec::new(),
                };
                match simplify(cleaned, map) {
                    Simplified::Replace(value) => {
                        self.walk.note(key, SchemaAction::Collapsed);
                        return value;
                    }
                    Simplified::Keep(kept) => *slot = Some(kept),
                }
            }
        }
        let [mut any_of, mut one_of] = unions;
        let has_union = any_of.is_some() || one_of.is_some();

        // Step 4: copy the remaining keys in order.
        let mut out = Map::with_capacity(map.len());
        for (key, value) in map {
            let k = key.as_str();
            if GEMINI_UNSUPPORTED_KEYWORDS.contains(&k) {
                self.walk.note(k, SchemaAction::Removed);
                continue;
            }
            match (k, value) {
                ("const", literal) => {
                    let values = stringify_enum(std::slice::from_ref(literal));
                    self.walk.note(k, SchemaAction::Rewritten);
                    if !values.is_empty() {
                        out.insert("enum".to_owned(), Value::Array(values));
                    }
                }
                ("enum", Value::Array(literals)) => {
                    let values = stringify_enum(literals);
                    if values != *literals {
                        self.walk.note(k, SchemaAction::Rewritten);
                    }
                    if !values.is_empty() {
                        out.insert("enum".to_owned(), Value::Array(values));
                    }
                }
                ("required", Value::Array(names)) if names.is_empty() => {
                    self.walk.note(k, SchemaAction::Removed);
                }
                ("type", _) if has_union => self.walk.note(k, SchemaAction::Removed),
                ("type", Value::Array(types)) if types.iter().all(Value::is_string) => {
                    let mut kept: Vec<Value> =
                        types.iter().filter(|t| *t != "null").cloned().collect();
                    if kept.len() != types.len() {
                        self.walk.note(k, SchemaAction::Rewritten);
                    }
                    let value = match kept.len() {
                        1 => kept.pop().unwrap_or(Value::Null),
                        _ => Value::Array(kept),
                    };
                    out.insert(key.clone(), value);
                }
                ("properties", Value::Object(properties)) => {
                    let cleaned = match self.walk.enter_key(k) {
                        Some(mark) => {
                            let mut cleaned = Map::with_capacity(properties.len());
                            for (name, schema) in properties {
                                let schema = self.clean_at_key(schema, name, &scope);
                                cleaned.insert(name.clone(), schema);
                            }
                            self.walk.leave(mark);
                            cleaned
                        }
                        None => Map::new(),
                    };
                    out.insert(key.clone(), Value::Object(cleaned));
                }
                ("properties", _) => {
                    self.walk.note(k, SchemaAction::Rewritten);
                    out.insert(key.clone(), Value::Object(Map::new()));
                }
                ("items", Value::Array(_) | Value::Object(_)) | ("allOf", Value::Array(_)) => {
                    let cleaned = self.clean_at_key(value, k, &scope);
                    out.insert(key.clone(), cleaned);
                }
                ("anyOf", Value::Array(_)) => {
                    out.insert(key.clone(), Value::Array(any_of.take().unwrap_or_default()));
                }
                ("oneOf", Value::Array(_)) => {
                    out.insert(key.clone(), Value::Array(one_of.take().unwrap_or_default()));
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }

        // Step 5: a union that is still there collapses to one schema.
        let mut out = match self.union_fallback(&out) {
            Some(collapsed) => collapsed,
            None => out,
        };

        // Step 6: `required` keeps only declared properties.
        self.sanitize_required(&mut out);
        Value::Object(out)
    }

    /// Step 2: the target of `reference`, cleaned, with the referencing node's annotations.
    fn inline(
        &mut self,
        reference: &'v str,
        node: &'v Map<String, Value>,
        scope: &Scope<'v, '_>,
    ) -> Value {
        if self.refs.contains(&reference) {
            self.walk.note("$ref", SchemaAction::CycleBroken);
            return Value::Object(Map::new());
        }
        let target = local_definition_name(reference)
            .and_then(|name| scope.lookup(&name))
            .filter(|target| is_truthy(target));
        let Some(target) = target else {
            self.walk.note("$ref", SchemaAction::Unresolved);
            let mut out = Map::new();
            copy_meta(node, &mut out);
            return Value::Object(out);
        };
        // An inlined definition is one level deeper (at the same path), so that chains of
        // references are bounded by the depth limit too.
        if !self.walk.enter_same() {
            return Value::Object(Map::new());
        }
        self.walk.note("$ref", SchemaAction::Inlined);
        self.refs.push(reference);
        let cleaned = self.clean(target, scope);
        self.refs.pop();
        self.walk.leave_same();
        match cleaned {
            Value::Object(mut out) => {
                copy_meta(node, &mut out);
                Value::Object(out)
            }
            other => other,
        }
    }

    /// Step 5 (POLICY.md §4.5.1): an `anyOf` (then `oneOf`) that survived, with at least one
    /// object or array variant, collapses to a single schema plus the cleaned node's
    /// annotations; the rest of the node is discarded.
    fn union_fallback(&mut self, out: &Map<String, Value>) -> Option<Map<String, Value>> {
        let (key, variants) =
            ["anyOf", "oneOf"]
                .into_iter()
                .find_map(|key| match out.get(key) {
                    Some(Value::Array(variants))
                        if variants.iter().any(|v| v.is_object() || v.is_array()) =>
                    {
                        Some((key, variants))
                    }
                    _ => None,
                })?;
        self.walk.note(key, SchemaAction::Collapsed);
        let type_of = |v: &Value| v.get("type").filter(|t| is_truthy(t)).cloned();
        let mut collapsed = match variants.as_slice() {
            [only] => match only {
                Value::Object(map) => map.clone(),
                // A lone array variant cannot carry annotations: keep the node's type, if any.
                _ => Map::new(),
            },
            // "All variants share one truthy type" and "else the first variant's truthy type"
            // both give `{type: <first variant's type>}`.
            [first, ..] => {
                let mut map = Map::new();
                if let Some(t) = type_of(first) {
                    map.insert("type".to_owned(), t);
                }
                map
            }
            [] => Map::new(),
        };
        copy_meta(out, &mut collapsed);
        Some(collapsed)
    }

    /// Step 6: `required` keeps the string entries that name own keys of `properties`; it is
    /// deleted when none remain, or when `properties` is missing and the type is `object`.
    fn sanitize_required(&mut self, out: &mut Map<String, Value>) {
        let Some(Value::Array(required)) = out.get("required") else {
            return;
        };
        let kept: Option<Vec<Value>> = match out.get("properties") {
            Some(Value::Object(properties)) => {
                let kept: Vec<Value> = required
                    .iter()
                    .filter(|name| name.as_str().is_some_and(|n| properties.contains_key(n)))
                    .cloned()
                    .collect();
                (!kept.is_empty()).then_some(kept)
            }
            _ if out.get("type").is_some_and(|t| t == "object") => None,
            _ => return,
        };
        match kept {
            Some(kept) => {
                if kept.len() != required.len() {
                    self.walk.note("required", SchemaAction::Rewritten);
                }
                out.insert("required".to_owned(), Value::Array(kept));
            }
            None => {
                self.walk.note("required", SchemaAction::Removed);
                out.remove("required");
            }
        }
    }
}

/// Step 3's simplification of one cleaned union.
fn simplify(variants: Vec<Value>, node: &Map<String, Value>) -> Simplified {
    let before = variants.len();
    // Judged on the cleaned variants, so only `{"type":"null"}` is recognised (POLICY.md §4.5.1).
    let kept: Vec<Value> = variants
        .into_iter()
        .filter(|v| v.get("type").is_none_or(|t| t != "null"))
        .collect();
    let removed_null = kept.len() != before;

    if let Some(collapsed) = literal_union(&kept) {
        let mut out = collapsed;
        copy_meta(node, &mut out);
        return Simplified::Replace(Value::Object(out));
    }
    if removed_null && kept.len() == 1 {
        let mut kept = kept;
        return Simplified::Replace(match kept.pop() {
            Some(Value::Object(mut only)) => {
                copy_meta(node, &mut only);
                Value::Object(only)
            }
            Some(other) => other,
            None => Value::Object(Map::new()),
        });
    }
    Simplified::Keep(kept)
}

/// `{type, enum}` when every variant is a literal (`const` or a one-element `enum`) and all
/// share one string `type`.
///
/// Repeated literals are kept once. The baseline keeps them (POLICY.md §4.5.1 step 3, "not
/// de-duplicated"), but then cleaning its own output removes them (step 4 de-duplicates every
/// `enum`), so the baseline is not idempotent; one copy is also what JSON Schema asks of `enum`.
fn literal_union(variants: &[Value]) -> Option<Map<String, Value>> {
    let mut shared_type: Option<&str> = None;
    let mut literals = Vec::with_capacity(variants.len());
    for variant in variants {
        let map = variant.as_object()?;
        let literal = match (map.get("const"), map.get("enum")) {
            (Some(c), _) => c,
            (None, Some(Value::Array(values))) => match values.as_slice() {
                [only] => only,
                _ => return None,
            },
            _ => return None,
        };
        let t = map.get("type")?.as_str()?;
        if shared_type.is_some_and(|s| s != t) {
            return None;
        }
        shared_type = Some(t);
        if !literals.contains(literal) {
            literals.push(literal.clone());
        }
    }
    let t = shared_type?;
    let mut out = Map::new();
    out.insert("type".to_owned(), Value::String(t.to_owned()));
    out.insert("enum".to_owned(), Value::Array(literals));
    Some(out)
}

/// Enum values as Gemini takes them: strings as they are, finite numbers and booleans as their
/// JavaScript text, anything else dropped; duplicates removed, first occurrence kept.
fn stringify_enum(values: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(values.len());
    for value in values {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => match jsnum::number_to_js_string(n) {
                Some(text) => text,
                None => continue,
            },
            _ => continue,
        };
        if !out.iter().any(|seen| seen.as_str() == Some(text.as_str())) {
            out.push(Value::String(text));
        }
    }
    out
}

/// Copies `description`, `title` and `default` from `from` onto `to`, overwriting.
fn copy_meta(from: &Map<String, Value>, to: &mut Map<String, Value>) {
    for key in META_KEYS {
        if let Some(value) = from.get(key) {
            to.insert(key.to_owned(), value.clone());
        }
    }
}

/// `#/$defs/<name>` or `#/definitions/<name>`, with the JSON-pointer escapes decoded.
fn local_definition_name(reference: &str) -> Option<String> {
    let rest = reference
        .strip_prefix("#/$defs/")
        .or_else(|| reference.strip_prefix("#/definitions/"))?;
    Some(rest.replace("~1", "/").replace("~0", "~"))
}

/// JavaScript truthiness of a JSON value.
pub(crate) fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}
