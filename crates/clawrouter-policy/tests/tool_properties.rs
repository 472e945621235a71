//! Properties of the tool-schema families (issue 6 "Proof"): idempotence, no unsupported keyword
//! left by the Gemini cleaner, no panic or runaway on hostile schemas, and — checked with the
//! `jsonschema` crate — instances valid under the original schema stay valid under the normalized
//! one wherever the rule is meant to be lossless.

use clawrouter_policy::ToolDefinition;
use clawrouter_policy::tools::generic::{GenericSchemaOptions, normalize_tool_parameter_schema};
use clawrouter_policy::tools::{
    NormalizeLimits, ToolSchemaContext, inspect_tools, normalize_tools, normalize_tools_with,
};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const GEMINI: &str = "google/gemini-3.5-flash";
const DEEPSEEK: &str = "deepseek/deepseek-v4-flash";
const PERPLEXITY: &str = "perplexity/sonar-pro";
const FAMILIES: [&str; 4] = [GEMINI, DEEPSEEK, PERPLEXITY, "openai/gpt-5.5"];

fn tools_of(parameters: Value) -> Vec<ToolDefinition> {
    vec![ToolDefinition {
        name: "t".into(),
        description: String::new(),
        parameters,
    }]
}

fn normalize(model: &str, parameters: &Value) -> Value {
    let tools = tools_of(parameters.clone());
    normalize_tools(model, &tools).tools[0].parameters.clone()
}

fn obj(entries: Vec<(&str, Value)>) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

/// What a schema generator may produce.
#[derive(Debug, Clone, Copy)]
struct Vocabulary {
    /// `anyOf` / `oneOf` / `allOf` / `not`.
    unions: bool,
    /// Nullable types, null variants, non-string enums.
    lossy_literals: bool,
    /// `$ref`s (cycles and unresolvable ones included).
    refs: bool,
}

const EVERYTHING: Vocabulary = Vocabulary {
    unions: true,
    lossy_literals: true,
    refs: true,
};

fn leaf(v: Vocabulary) -> BoxedStrategy<Value> {
    let mut leaves: Vec<BoxedStrategy<Value>> = vec![
        Just(json!({"type":"string"})).boxed(),
        Just(json!({"type":"string","minLength":1,"format":"email","pattern":"^a"})).boxed(),
        Just(json!({"type":"integer","minimum":0,"maximum":9})).boxed(),
        Just(json!({"type":"number","description":"n"})).boxed(),
        Just(json!({"type":"boolean"})).boxed(),
        Just(json!({"const":"x","type":"string"})).boxed(),
        Just(json!({"type":"string","enum":["a","b","a"]})).boxed(),
        Just(json!({})).boxed(),
    ];
    if v.lossy_literals {
        leaves.push(Just(json!({"type":["string","null"]})).boxed());
        leaves.push(Just(json!({"type":"null"})).boxed());
        leaves.push(Just(json!({"enum":[1,2,"a",null,1.5]})).boxed());
        leaves.push(Just(json!({"const":null})).boxed());
        leaves.push(Just(json!({"type":"integer","enum":[1,2]})).boxed());
    }
    if v.refs {
        for target in [
            "#/$defs/A",
            "#/$defs/N",
            "#/definitions/C",
            "#/$defs/missing",
        ] {
            leaves.push(Just(json!({"$ref": target, "description": "r"})).boxed());
        }
    }
    proptest::strategy::Union::new(leaves).boxed()
}

fn schema(v: Vocabulary) -> BoxedStrategy<Value> {
    leaf(v)
        .prop_recursive(5, 48, 4, move |inner| {
            let names = proptest::sample::subsequence(vec!["a", "b", "name", "kind"], 0..=4);
            let mut branches: Vec<BoxedStrategy<Value>> = vec![
                (
                    names,
                    proptest::collection::vec(inner.clone(), 4),
                    any::<u8>(),
                )
                    .prop_map(|(names, children, flags)| {
                        let properties: Map<String, Value> = names
                            .iter()
                            .zip(children)
                            .map(|(n, c)| ((*n).to_owned(), c))
                            .collect();
                        let mut required: Vec<Value> = names
                            .iter()
                            .take(usize::from(flags % 3))
                            .map(|n| json!(n))
                            .collect();
                        if flags & 4 != 0 {
                            required.push(json!("ghost"));
                        }
                        let mut node = vec![
                            ("type", json!("object")),
                            ("properties", Value::Object(properties)),
                            ("required", Value::Array(required)),
                        ];
                        if flags & 8 != 0 {
                            node.push(("additionalProperties", json!(false)));
                        }
                        if flags & 16 != 0 {
                            node.push(("patternProperties", json!({"^x": {"type":"string"}})));
                        }
                        obj(node)
                    })
                    .boxed(),
                inner
                    .clone()
                    .prop_map(|items| {
                        obj(vec![
                            ("type", json!("array")),
                            ("items", items),
                            ("maxItems", json!(3)),
                        ])
                    })
                    .boxed(),
            ];
            if v.unions {
                branches.push(
                    (
                        proptest::sample::select(vec!["anyOf", "oneOf", "allOf"]),
                        proptest::collection::vec(inner.clone(), 0..4),
                    )
                        .prop_map(|(key, variants)| {
                            obj(vec![
                                (key, Value::Array(variants)),
                                ("description", json!("u")),
                            ])
                        })
                        .boxed(),
                );
                branches.push(inner.prop_map(|not| obj(vec![("not", not)])).boxed());
            }
            proptest::strategy::Union::new(branches).boxed()
        })
        .boxed()
}

/// A root schema: a body plus, with refs, `$defs` that reference each other (and a cycle).
fn root(v: Vocabulary) -> BoxedStrategy<Value> {
    (schema(v), schema(v), schema(v))
        .prop_map(move |(body, a, c)| {
            let mut body = match body {
                Value::Object(map) => map,
                other => {
                    let mut map = Map::new();
                    map.insert("items".into(), other);
                    map
                }
            };
            if v.refs {
                body.insert(
                    "$defs".into(),
                    json!({"A": a, "N": {"type":"object","properties":{"next":{"$ref":"#/$defs/N"}}}}),
                );
                body.insert("definitions".into(), json!({"C": c}));
            }
            Value::Object(body)
        })
        .boxed()
}

/// Arbitrary JSON whose object keys are drawn from schema keywords, so that hostile inputs hit
/// every rule (refs to anything, unions of scalars, keywords with the wrong value types).
fn hostile() -> BoxedStrategy<Value> {
    let keys = vec![
        "type",
        "properties",
        "items",
        "anyOf",
        "oneOf",
        "allOf",
        "$ref",
        "$defs",
        "definitions",
        "const",
        "enum",
        "required",
        "additionalProperties",
        "patternProperties",
        "not",
        "format",
        "description",
        "default",
        "nullable",
        "dependencies",
        "x",
    ];
    let scalar = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        proptest::sample::select(vec![
            "object",
            "string",
            "null",
            "array",
            "#/$defs/type",
            "#/$defs/x",
            "#/definitions/x",
            "#/",
            "",
            "~1",
        ])
        .prop_map(Value::from),
    ];
    scalar
        .prop_recursive(6, 64, 5, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                proptest::collection::vec((proptest::sample::select(keys.clone()), inner), 0..6)
                    .prop_map(|entries| {
                        Value::Object(
                            entries
                                .into_iter()
                                .map(|(k, v)| (k.to_owned(), v))
                                .collect(),
                        )
                    }),
            ]
        })
        .boxed()
}

/// Candidate instances for the validity property.
fn instance() -> BoxedStrategy<Value> {
    let scalar = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (0i64..12).prop_map(Value::from),
        Just(json!(1.5)),
        proptest::sample::select(vec!["", "a", "b", "x", "abc", "fast"]).prop_map(Value::from),
    ];
    scalar
        .prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::vec(
                    (
                        proptest::sample::select(vec!["a", "b", "name", "kind", "next", "xy"]),
                        inner
                    ),
                    0..4
                )
                .prop_map(|entries| {
                    Value::Object(
                        entries
                            .into_iter()
                            .map(|(k, v)| (k.to_owned(), v))
                            .collect(),
                    )
                }),
            ]
        })
        .boxed()
}

/// Every candidate valid under `original` is valid under `normalized`.
fn assert_widening(
    original: &Value,
    normalized: &Value,
    candidates: &[Value],
) -> Result<(), TestCaseError> {
    let Ok(before) = jsonschema::validator_for(original) else {
        // An unresolvable `$ref` does not compile: nothing to compare.
        return Ok(());
    };
    let after = jsonschema::validator_for(normalized)
        .map_err(|e| TestCaseError::fail(format!("normalized schema does not compile: {e}")))?;
    for candidate in candidates {
        if before.is_valid(candidate) {
            prop_assert!(
                after.is_valid(candidate),
                "{candidate} valid under {original} but not under {normalized}"
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn normalization_is_idempotent(schema in root(EVERYTHING)) {
        for model in FAMILIES {
            let once = normalize(model, &schema);
            let twice = normalize(model, &once);
            prop_assert_eq!(
                serde_json::to_string(&twice).unwrap(),
                serde_json::to_string(&once).unwrap(),
                "{}", model
            );
        }
    }

    #[test]
    fn gemini_output_has_no_unsupported_keyword_and_no_ref(schema in root(EVERYTHING)) {
        let tools = tools_of(schema);
        let out = normalize_tools(GEMINI, &tools);
        prop_assert_eq!(inspect_tools(GEMINI, &out.tools), vec![]);
        let text = serde_json::to_string(&out.tools[0].parameters).unwrap();
        prop_assert!(!text.contains("\"$ref\""), "{}", text);
    }

    #[test]
    fn hostile_json_never_panics(value in hostile()) {
        let tools = tools_of(value);
        let limits = NormalizeLimits { max_depth: 16, max_ref_expansion: 500 };
        for model in FAMILIES {
            let _ = normalize_tools_with(&ToolSchemaContext::clawrouter(model), &tools, limits);
            let _ = normalize_tools(model, &tools);
            let _ = inspect_tools(model, &tools);
        }
        let openai = ToolSchemaContext {
            provider: "openai",
            model_id: "openai/gpt-5.5",
            model_api: "openai-responses",
            base_url: "",
        };
        let _ = normalize_tools_with(&openai, &tools, limits);
        for model in ["google/gemini-3.5-flash", "openai/gpt-5.5"] {
            let options = GenericSchemaOptions {
                provider: "clawrouter",
                model_id: model,
                tool_schema_profile: Some("llamacpp"),
                unsupported_keywords: &["format"],
                ..GenericSchemaOptions::default()
            };
            let _ = normalize_tool_parameter_schema(&tools[0].parameters, &options, limits);
        }
    }

    #[test]
    fn generic_pass_inlines_every_resolvable_ref(schema in root(Vocabulary { refs: true, ..EVERYTHING })) {
        let options = GenericSchemaOptions {
            provider: "clawrouter",
            model_id: "openai/gpt-5.5",
            ..GenericSchemaOptions::default()
        };
        let (once, _) = normalize_tool_parameter_schema(&schema, &options, NormalizeLimits::DEFAULT);
        let text = serde_json::to_string(&once).unwrap();
        // Only the unresolvable reference of the generator may remain.
        prop_assert!(!text.contains("#/$defs/A") && !text.contains("#/$defs/N") && !text.contains("#/definitions/C"), "{}", text);
    }

    #[test]
    fn perplexity_only_widens(
        schema in root(Vocabulary { unions: false, ..EVERYTHING }),
        candidates in proptest::collection::vec(instance(), 24),
    ) {
        assert_widening(&schema, &normalize(PERPLEXITY, &schema), &candidates)?;
    }

    #[test]
    fn gemini_is_lossless_on_its_lossless_rules(
        schema in root(Vocabulary { unions: false, lossy_literals: false, refs: true }),
        candidates in proptest::collection::vec(instance(), 24),
    ) {
        // Keyword removal, `$ref` inlining, `const` → string `enum`, `required` sanitation.
        assert_widening(&schema, &normalize(GEMINI, &schema), &candidates)?;
    }

    #[test]
    fn deepseek_string_literal_unions_are_lossless(
        values in proptest::collection::vec(proptest::sample::select(vec!["a", "b", "x", "fast"]), 2..5),
        candidates in proptest::collection::vec(instance(), 24),
    ) {
        let variants: Vec<Value> = values.iter().map(|v| json!({"const": v, "type": "string"})).collect();
        let schema = json!({"type":"object","properties":{"mode":{"anyOf": variants}}});
        let normalized = normalize(DEEPSEEK, &schema);
        let mut with_modes = candidates;
        with_modes.extend(values.iter().map(|v| json!({"mode": v})));
        assert_widening(&schema, &normalized, &with_modes)?;
    }
}
