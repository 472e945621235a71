//! The generic pass `normalizeToolParameterSchema` (POLICY.md §4.1), which the host runs on every
//! tool's `parameters` when the tool list is finalised, *before* the family hook (§4.0 step 1):
//!
//! 1. local `$ref`s are inlined (`$defs` and `definitions` are two namespaces; any other `#/…`
//!    pointer is resolved against the root; a reference already being expanded becomes `{}`);
//!    `$defs` / `definitions` / `components` are then removed, unless a local reference could not
//!    be resolved;
//! 2. OpenAPI keywords go: `nullable: true` becomes a `"null"` type (or an `anyOf` with
//!    `{type:"null"}` around a union), and `discriminator`, `externalDocs`, `readOnly`,
//!    `writeOnly`, `xml`, `example` are deleted;
//! 3. the root is made an object schema; a root `anyOf` / `oneOf` is flattened into one object;
//! 4. provider cleaning: `items: {}` for arrays without `items` (or the reverse with
//!    `omitEmptyArrayItems`), the llama.cpp profile, the Gemini cleaner for Gemini-like models,
//!    and the model's extra unsupported keywords.
//!
//! `normalize_tools` does *not* run this pass: it is the family hook alone, which is what
//! `clawrouter policy tools` prints and what the §5 cases assert. A caller that owns the tool
//! list (as the host does) runs this first.

use serde_json::{Map, Value};

use super::{NormalizeLimits, SchemaAction, SchemaDiagnostic, Walk, gemini};

/// What the generic pass knows of the model (POLICY.md §4.1: `modelProvider`, `modelId`,
/// `modelCompat`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GenericSchemaOptions<'a> {
    /// The provider id (`clawrouter` for every ClawRouter model).
    pub provider: &'a str,
    /// The model id (`google/gemini-3.5-flash`).
    pub model_id: &'a str,
    /// Compat `omitEmptyArrayItems`: remove empty `items: {}` instead of adding them.
    pub omit_empty_array_items: bool,
    /// Compat `toolSchemaProfile` (`"llamacpp"`, `"gemini"`).
    pub tool_schema_profile: Option<&'a str>,
    /// Compat `unsupportedToolSchemaKeywords`: removed at every schema position.
    pub unsupported_keywords: &'a [&'a str],
}

/// Keys whose value is a map of schemas (step 1 traversal).
const MAP_KEYS: &[&str] = &[
    "$defs",
    "definitions",
    "dependentSchemas",
    "patternProperties",
    "properties",
];
/// Keys whose value is one schema.
const SINGLE_KEYS: &[&str] = &[
    "additionalProperties",
    "contains",
    "else",
    "if",
    "items",
    "not",
    "propertyNames",
    "then",
];
/// Keys whose value is an array of schemas.
const ARRAY_KEYS: &[&str] = &["allOf", "anyOf", "items", "oneOf", "prefixItems"];
/// OpenAPI annotations deleted everywhere (step 2).
const OPENAPI_KEYS: &[&str] = &[
    "nullable",
    "discriminator",
    "externalDocs",
    "readOnly",
    "writeOnly",
    "xml",
    "example",
];
const META_KEYS: [&str; 3] = ["title", "description", "default"];

/// Runs the generic pass on one tool's `parameters` (POLICY.md §4.1). A non-object schema is
/// returned as it is. Bounded by `limits` like the families.
///
/// ```
/// use clawrouter_policy::tools::NormalizeLimits;
/// use clawrouter_policy::tools::generic::{normalize_tool_parameter_schema, GenericSchemaOptions};
/// use serde_json::json;
/// let options = GenericSchemaOptions { provider: "clawrouter", model_id: "openai/gpt-5.5", ..Default::default() };
/// let (schema, _) = normalize_tool_parameter_schema(
///     &json!({"properties": {"p": {"$ref": "#/$defs/P", "description": "d"}},
///             "$defs": {"P": {"type": "string", "nullable": true}}}),
///     &options,
///     NormalizeLimits::DEFAULT,
/// );
/// assert_eq!(schema, json!({"properties": {"p": {"type": ["string", "null"], "description": "d"}}, "type": "object"}));
/// ```
pub fn normalize_tool_parameter_schema(
    schema: &Value,
    options: &GenericSchemaOptions<'_>,
    limits: NormalizeLimits,
) -> (Value, Vec<SchemaDiagnostic>) {
    let mut diagnostics = Vec::new();
    let Value::Object(_) = schema else {
        return (schema.clone(), diagnostics);
    };
    let mut walk = Walk::bare("parameters", limits, &mut diagnostics);

    // Step 1: inline; definitions are kept only when some local reference did not resolve.
    let mut inliner = Inliner {
        root: schema,
        stack: Vec::new(),
        unresolved: false,
        remove_definitions: true,
        walk: &mut walk,
    };
    let mut out = inliner.node(schema, &Scope::ROOT);
    if inliner.unresolved {
        inliner.remove_definitions = false;
        inliner.unresolved = false;
        out = inliner.node(schema, &Scope::ROOT);
    }

    // Step 2: OpenAPI keywords, everywhere.
    out = openapi(out, &mut walk);
    // Step 3: the root shape.
    if let Value::Object(root) = out {
        out = Value::Object(root_shape(root, &mut walk));
    }
    // Step 4: provider cleaning.
    out = array_items(out, options.omit_empty_array_items, &mut walk);
    if options.tool_schema_profile == Some("llamacpp") {
        out = llamacpp(out, &mut walk);
    }
    if is_gemini_like(options)
        && let Value::Object(root) = &out
    {
        out = gemini::clean_root(root, &mut walk);
    }
    if !options.unsupported_keywords.is_empty() {
        out = strip_keywords(out, options.unsupported_keywords, &mut walk);
    }
    (out, diagnostics)
}

/// POLICY.md §4.1 step 4: the provider id contains `google` / `gemini`, or the model id matches
/// `(^|[/:])gemini($|[-/:.])`, or the profile is `gemini` — and the provider is not Anthropic.
fn is_gemini_like(options: &GenericSchemaOptions<'_>) -> bool {
    let provider = options.provider.to_ascii_lowercase();
    if provider.contains("anthropic") {
        return false;
    }
    let model = options.model_id.to_ascii_lowercase();
    let model_matches = model.match_indices("gemini").any(|(at, _)| {
        let before_ok = at == 0 || matches!(model.as_bytes().get(at - 1), Some(b'/' | b':'));
        let after = model.as_bytes().get(at + "gemini".len());
        let after_ok = matches!(after, None | Some(b'-' | b'/' | b':' | b'.'));
        before_ok && after_ok
    });
    provider.contains("google")
        || provider.contains("gemini")
        || model_matches
        || options.tool_schema_profile == Some("gemini")
}

/// The definitions visible at a node, in two namespaces.
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

    fn lookup(&self, namespace: &str, name: &str) -> Option<&'v Value> {
        let mut scope = Some(self);
        while let Some(current) = scope {
            let map = if namespace == "$defs" {
                current.defs
            } else {
                current.definitions
            };
            if let Some(found) = map.and_then(|m| m.get(name)) {
                return Some(found);
            }
            scope = current.parent;
        }
        None
    }
}

struct Inliner<'v, 'w, 'd> {
    root: &'v Value,
    stack: Vec<&'v str>,
    unresolved: bool,
    remove_definitions: bool,
    walk: &'w mut Walk<'d>,
}

impl<'v> Inliner<'v, '_, '_> {
    fn node(&mut self, node: &'v Value, parent: &Scope<'v, '_>) -> Value {
        let Value::Object(map) = node else {
            return node.clone();
        };
        if !self.stack.is_empty() && !self.walk.spend_expansion() {
            return Value::Object(Map::new());
        }
        let scope = Scope {
            defs: map.get("$defs").and_then(Value::as_object),
            definitions: map.get("definitions").and_then(Value::as_object),
            parent: Some(parent),
        };
        if let Some(Value::String(reference)) = map.get("$ref")
            && reference.starts_with('#')
        {
            if self.stack.contains(&reference.as_str()) {
                self.walk.note("$ref", SchemaAction::CycleBroken);
                return Value::Object(Map::new());
            }
            match self.resolve(reference, &scope) {
                Some(target) => {
                    if !self.walk.enter_same() {
                        return Value::Object(Map::new());
                    }
                    self.walk.note("$ref", SchemaAction::Inlined);
                    self.stack.push(reference);
                    let inlined = self.node(target, &scope);
                    self.stack.pop();
                    self.walk.leave_same();
                    return match inlined {
                        Value::Object(mut out) => {
                            for key in META_KEYS {
                                if let Some(value) = map.get(key) {
                                    out.insert(key.to_owned(), value.clone());
                                }
                            }
                            if map.get("nullable") == Some(&Value::Bool(true)) {
                                out.insert("nullable".to_owned(), Value::Bool(true));
                            }
                            Value::Object(out)
                        }
                        other => other,
                    };
                }
                None => {
                    self.walk.note("$ref", SchemaAction::Unresolved);
                    self.unresolved = true;
                }
            }
        }

        let mut out = Map::with_capacity(map.len());
        for (key, value) in map {
            let k = key.as_str();
            if self.remove_definitions && matches!(k, "$defs" | "definitions" | "components") {
                self.walk.note(k, SchemaAction::Removed);
                continue;
            }
            let value = match value {
                Value::Object(members) if MAP_KEYS.contains(&k) => {
                    let mut rebuilt = Map::with_capacity(members.len());
                    for (name, member) in members {
                        let member = self.at(member, &[k, name], &scope);
                        rebuilt.insert(name.clone(), member);
                    }
                    Value::Object(rebuilt)
                }
                Value::Array(items) if ARRAY_KEYS.contains(&k) => {
                    let mut rebuilt = Vec::with_capacity(items.len());
                    for (i, item) in items.iter().enumerate() {
                        let item = match self.walk.enter_key(k) {
                            Some(outer) => {
                                let item = match self.walk.enter_index(i) {
                                    Some(inner) => {
                                        let item = self.node(item, &scope);
                                        self.walk.leave(inner);
                                        item
                                    }
                                    None => Value::Object(Map::new()),
                                };
                                self.walk.leave(outer);
                                item
                            }
                            None => Value::Object(Map::new()),
                        };
                        rebuilt.push(item);
                    }
                    Value::Array(rebuilt)
                }
                Value::Object(_) if SINGLE_KEYS.contains(&k) => self.at(value, &[k], &scope),
                other => other.clone(),
            };
            out.insert(key.clone(), value);
        }
        Value::Object(out)
    }

    /// `node` one or two path segments down.
    fn at(&mut self, node: &'v Value, keys: &[&str], scope: &Scope<'v, '_>) -> Value {
        let mut marks = Vec::with_capacity(keys.len());
        for key in keys {
            match self.walk.enter_key(key) {
                Some(mark) => marks.push(mark),
                None => {
                    for mark in marks.into_iter().rev() {
                        self.walk.leave(mark);
                    }
                    return Value::Object(Map::new());
                }
            }
        }
        let out = self.node(node, scope);
        for mark in marks.into_iter().rev() {
            self.walk.leave(mark);
        }
        out
    }

    /// A local reference's target: `#/$defs/<name>[/…]` or `#/definitions/<name>[/…]` in its
    /// namespace, else any `#/…` pointer against the root document (array indices allowed).
    fn resolve(&self, reference: &str, scope: &Scope<'v, '_>) -> Option<&'v Value> {
        let pointer = reference.strip_prefix('#')?;
        if pointer.is_empty() {
            return Some(self.root);
        }
        let segments: Vec<String> = pointer
            .strip_prefix('/')?
            .split('/')
            .map(decode_segment)
            .collect();
        if let [namespace, name, tail @ ..] = segments.as_slice()
            && (namespace == "$defs" || namespace == "definitions")
            && let Some(found) = scope
                .lookup(namespace, name)
                .and_then(|entry| follow(entry, tail))
        {
            return Some(found);
        }
        follow(self.root, &segments)
    }
}

fn decode_segment(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

fn follow<'v>(mut node: &'v Value, segments: &[String]) -> Option<&'v Value> {
    for segment in segments {
        node = follow_one(node, segment)?;
    }
    Some(node)
}

fn follow_one<'v>(node: &'v Value, segment: &str) -> Option<&'v Value> {
    match node {
        Value::Object(map) => map.get(segment),
        Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    }
}

/// A rewrite of one schema node (its children already rewritten).
type NodeRewrite<'f> = dyn FnMut(Map<String, Value>, &mut Walk<'_>) -> Map<String, Value> + 'f;

/// Applies `f` to every schema position below `node` (children first), then to `node`.
fn map_schemas(node: Value, walk: &mut Walk<'_>, f: &mut NodeRewrite<'_>) -> Value {
    let Value::Object(map) = node else {
        return node;
    };
    let mut out = Map::with_capacity(map.len());
    for (key, value) in map {
        let k = key.as_str();
        let value = match value {
            Value::Object(members) if MAP_KEYS.contains(&k) => {
                let mut rebuilt = Map::with_capacity(members.len());
                for (name, member) in members {
                    let member = match walk.enter_key(k) {
                        Some(outer) => {
                            let member = match walk.enter_key(&name) {
                                Some(inner) => {
                                    let m = map_schemas(member, walk, f);
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
                    rebuilt.insert(name, member);
                }
                Value::Object(rebuilt)
            }
            Value::Array(items) if ARRAY_KEYS.contains(&k) => match walk.enter_key(k) {
                Some(outer) => {
                    let mut rebuilt = Vec::with_capacity(items.len());
                    for (i, item) in items.into_iter().enumerate() {
                        rebuilt.push(match walk.enter_index(i) {
                            Some(inner) => {
                                let item = map_schemas(item, walk, f);
                                walk.leave(inner);
                                item
                            }
                            None => Value::Object(Map::new()),
                        });
                    }
                    walk.leave(outer);
                    Value::Array(rebuilt)
                }
                None => Value::Array(Vec::new()),
            },
            value @ Value::Object(_) if SINGLE_KEYS.contains(&k) => match walk.enter_key(k) {
                Some(mark) => {
                    let v = map_schemas(value, walk, f);
                    walk.leave(mark);
                    v
                }
                None => Value::Object(Map::new()),
            },
            other => other,
        };
        out.insert(key, value);
    }
    Value::Object(f(out, walk))
}

/// Step 2 at one node.
fn openapi(node: Value, walk: &mut Walk<'_>) -> Value {
    map_schemas(node, walk, &mut |mut map, walk| {
        let nullable = map.get("nullable") == Some(&Value::Bool(true));
        for key in OPENAPI_KEYS {
            if map.shift_remove(*key).is_some() {
                walk.note(key, SchemaAction::Removed);
            }
        }
        if !nullable {
            return map;
        }
        let has_union = ["allOf", "anyOf", "oneOf"]
            .iter()
            .any(|k| map.get(*k).is_some_and(Value::is_array));
        if has_union {
            let admits_null = ["anyOf", "oneOf"].iter().any(|k| {
                map.get(*k)
                    .and_then(Value::as_array)
                    .is_some_and(|variants| variants.iter().any(admits_null))
            });
            if admits_null {
                return map;
            }
            walk.note("nullable", SchemaAction::Rewritten);
            let mut wrapper = Map::new();
            let mut inner = map;
            let meta: Vec<(String, Value)> = META_KEYS
                .iter()
                .filter_map(|k| inner.shift_remove(*k).map(|v| ((*k).to_owned(), v)))
                .collect();
            let mut null = Map::new();
            null.insert("type".to_owned(), Value::String("null".to_owned()));
            wrapper.insert(
                "anyOf".to_owned(),
                Value::Array(vec![Value::Object(inner), Value::Object(null)]),
            );
            wrapper.extend(meta);
            return wrapper;
        }
        walk.note("nullable", SchemaAction::Rewritten);
        match map.get_mut("type") {
            Some(Value::String(t)) if t != "null" => {
                let t = std::mem::take(t);
                map.insert(
                    "type".to_owned(),
                    Value::Array(vec![Value::String(t), Value::String("null".to_owned())]),
                );
            }
            Some(Value::Array(types)) if !types.iter().any(|t| t == "null") => {
                types.push(Value::String("null".to_owned()));
            }
            _ => {}
        }
        if let Some(Value::Array(values)) = map.get_mut("enum")
            && !values.contains(&Value::Null)
        {
            values.push(Value::Null);
        }
        map
    })
}

/// Whether a union variant admits `null`.
fn admits_null(variant: &Value) -> bool {
    match variant.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(types)) => types.iter().any(|t| t == "null"),
        _ => {
            variant.get("const").is_some_and(Value::is_null)
                || variant
                    .get("enum")
                    .and_then(Value::as_array)
                    .is_some_and(|values| values.contains(&Value::Null))
        }
    }
}

/// Step 3: the root becomes an object schema.
fn root_shape(mut root: Map<String, Value>, walk: &mut Walk<'_>) -> Map<String, Value> {
    let cond = ["anyOf", "oneOf", "allOf"]
        .into_iter()
        .find(|k| root.get(*k).is_some_and(Value::is_array));
    let properties_ok = root.get("properties").is_some_and(Value::is_object);
    let union = ["anyOf", "oneOf"]
        .into_iter()
        .find(|k| root.get(*k).is_some_and(Value::is_array));
    if let Some(union) = union {
        walk.note(union, SchemaAction::Collapsed);
        return flatten_root(&root, union);
    }
    let type_object = root.get("type").is_some_and(|t| t == "object");
    if cond.is_none() {
        if type_object && properties_ok {
            return root;
        }
        let required_ok = root.get("required").is_some_and(Value::is_array);
        if !root.contains_key("type") && (properties_ok || required_ok) {
            walk.note("type", SchemaAction::Added);
            root.insert("type".to_owned(), Value::String("object".to_owned()));
            if !properties_ok {
                root.insert("properties".to_owned(), Value::Object(Map::new()));
            }
            return root;
        }
        if type_object {
            walk.note("properties", SchemaAction::Added);
            root.insert("properties".to_owned(), Value::Object(Map::new()));
            return root;
        }
    }
    if root.is_empty() {
        walk.note("type", SchemaAction::Added);
        root.insert("type".to_owned(), Value::String("object".to_owned()));
        root.insert("properties".to_owned(), Value::Object(Map::new()));
    }
    root
}

/// A root `anyOf` / `oneOf` flattened into one object (POLICY.md §4.1 step 3).
fn flatten_root(root: &Map<String, Value>, union: &str) -> Map<String, Value> {
    let variants: Vec<&Map<String, Value>> = root
        .get(union)
        .and_then(Value::as_array)
        .map(|vs| vs.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default();
    let with_properties: Vec<&Map<String, Value>> = variants
        .iter()
        .copied()
        .filter(|v| v.get("properties").is_some_and(Value::is_object))
        .collect();

    let mut properties = Map::new();
    let sources = std::iter::once(root.get("properties").and_then(Value::as_object))
        .chain(
            with_properties
                .iter()
                .map(|v| v.get("properties").and_then(Value::as_object)),
        )
        .flatten();
    for props in sources {
        for (key, schema) in props {
            match properties.get(key) {
                None => {
                    properties.insert(key.clone(), schema.clone());
                }
                Some(existing) => {
                    let (a, b) = (literals(existing), literals(schema));
                    if a.is_none() && b.is_none() {
                        continue;
                    }
                    let merged = merge_literals(existing, schema, a, b);
                    properties.insert(key.clone(), Value::Object(merged));
                }
            }
        }
    }

    let root_required: Vec<Value> = root
        .get("required")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let required = if root_required.is_empty() {
        let lists: Vec<Vec<&Value>> = with_properties
            .iter()
            .map(|v| match v.get("required") {
                Some(Value::Array(names)) => names.iter().collect(),
                _ => Vec::new(),
            })
            .collect();
        match lists.split_first() {
            Some((first, rest)) => first
                .iter()
                .filter(|name| rest.iter().all(|list| list.contains(name)))
                .map(|name| (*name).clone())
                .collect(),
            None => Vec::new(),
        }
    } else {
        root_required
    };

    let mut out = Map::new();
    out.insert("type".to_owned(), Value::String("object".to_owned()));
    for key in ["title", "description"] {
        if let Some(Value::String(text)) = root.get(key) {
            out.insert(key.to_owned(), Value::String(text.clone()));
        }
    }
    out.insert("properties".to_owned(), Value::Object(properties));
    if !required.is_empty() {
        out.insert("required".to_owned(), Value::Array(required));
    }
    out.insert(
        "additionalProperties".to_owned(),
        root.get("additionalProperties")
            .cloned()
            .unwrap_or(Value::Bool(true)),
    );
    out
}

/// The literal values a property schema carries: `enum`, `const`, or those of its union's
/// variants.
fn literals(schema: &Value) -> Option<Vec<Value>> {
    let map = schema.as_object()?;
    if let Some(Value::Array(values)) = map.get("enum") {
        return Some(values.clone());
    }
    if let Some(value) = map.get("const") {
        return Some(vec![value.clone()]);
    }
    let variants = ["anyOf", "oneOf"]
        .iter()
        .find_map(|k| map.get(*k).and_then(Value::as_array))?;
    let mut values = Vec::new();
    for variant in variants {
        values.extend(literals(variant).unwrap_or_default());
    }
    (!values.is_empty()).then_some(values)
}

fn merge_literals(
    first: &Value,
    second: &Value,
    a: Option<Vec<Value>>,
    b: Option<Vec<Value>>,
) -> Map<String, Value> {
    let mut out = Map::new();
    for key in META_KEYS {
        if let Some(value) = first.get(key).or_else(|| second.get(key)) {
            out.insert(key.to_owned(), value.clone());
        }
    }
    let mut values: Vec<Value> = Vec::new();
    for value in a.into_iter().chain(b).flatten() {
        if !values.contains(&value) {
            values.push(value);
        }
    }
    // JavaScript `typeof` of every value; `null` counts as "object" (POLICY.md §6.2 PD7).
    let js_type = |v: &Value| match v {
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "boolean",
        Value::Null | Value::Array(_) | Value::Object(_) => "object",
    };
    if let Some((head, rest)) = values.split_first() {
        let t = js_type(head);
        if rest.iter().all(|v| js_type(v) == t) {
            out.insert("type".to_owned(), Value::String(t.to_owned()));
        }
    }
    out.insert("enum".to_owned(), Value::Array(values));
    out
}

/// Step 4 arrays: `items: {}` where an array schema has none, or (with `omitEmptyArrayItems`)
/// the removal of empty `items: {}`.
fn array_items(node: Value, omit_empty: bool, walk: &mut Walk<'_>) -> Value {
    map_schemas(node, walk, &mut |mut map, walk| {
        if map.get("type").is_some_and(|t| t == "array") {
            if omit_empty {
                if map
                    .get("items")
                    .and_then(Value::as_object)
                    .is_some_and(Map::is_empty)
                {
                    walk.note("items", SchemaAction::Removed);
                    map.shift_remove("items");
                }
            } else if !map.contains_key("items") {
                walk.note("items", SchemaAction::Added);
                map.insert("items".to_owned(), Value::Object(Map::new()));
            }
        }
        map
    })
}

/// Step 4, llama.cpp profile: every `pattern`, and every `maxLength` ≥ 2000, removed.
fn llamacpp(node: Value, walk: &mut Walk<'_>) -> Value {
    map_schemas(node, walk, &mut |mut map, walk| {
        if map.shift_remove("pattern").is_some() {
            walk.note("pattern", SchemaAction::Removed);
        }
        if map
            .get("maxLength")
            .and_then(Value::as_f64)
            .is_some_and(|n| n >= 2000.0)
        {
            walk.note("maxLength", SchemaAction::Removed);
            map.shift_remove("maxLength");
        }
        map
    })
}

/// Step 4: the compat's unsupported keywords removed at every schema position.
fn strip_keywords(node: Value, keywords: &[&str], walk: &mut Walk<'_>) -> Value {
    map_schemas(node, walk, &mut |mut map, walk| {
        for keyword in keywords {
            if map.shift_remove(*keyword).is_some() {
                walk.note(keyword, SchemaAction::Removed);
            }
        }
        map
    })
}
