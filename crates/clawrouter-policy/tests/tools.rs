//! POLICY.md §5 sections A (tool schemas), I, J, K, L, M and PROTOCOL.md §12.7, exact.
//!
//! `check` compares JSON values (key order ignored, like the spec's object-literal notation);
//! `check_exact` compares the serialized text, for the cases whose key order the spec gives.

use std::borrow::Cow;

use clawrouter_policy::ToolDefinition;
use clawrouter_policy::tools::{
    NormalizeLimits, SchemaAction, ToolFamily, ToolSchemaContext, clean_schema_for_gemini,
    find_openai_strict_schema_violations, find_unsupported_schema_keywords, inspect_tools,
    normalize_tools, normalize_tools_for_family, normalize_tools_with,
};
use serde_json::{Value, json};

fn tool(name: &str, parameters: Value) -> ToolDefinition {
    ToolDefinition {
        name: name.to_owned(),
        description: String::new(),
        parameters,
    }
}

/// The family for `model` on one tool `t` with `input` → its parameters.
fn normalized(model: &str, input: Value) -> Value {
    let tools = [tool("t", input)];
    normalize_tools(model, &tools).tools[0].parameters.clone()
}

fn check(model: &str, input: Value, expected: Value) {
    let got = normalized(model, input.clone());
    assert_eq!(got, expected, "{model} {input}");
}

fn check_exact(model: &str, input: &str, expected: &str) {
    let input: Value = serde_json::from_str(input).unwrap();
    let got = serde_json::to_string(&normalized(model, input.clone())).unwrap();
    let expected =
        serde_json::to_string(&serde_json::from_str::<Value>(expected).unwrap()).unwrap();
    assert_eq!(got, expected, "{model} {input}");
}

/// Inspection of `tools` for `model`, as the spec's JSON.
fn check_inspect(model: &str, tools: &[ToolDefinition], expected: Value) {
    let got = serde_json::to_value(inspect_tools(model, tools)).unwrap();
    assert_eq!(got, expected, "{model}");
}

const GEMINI: &str = "google/gemini-3.5-flash";
const DEEPSEEK: &str = "deepseek/deepseek-v4-flash";
const PERPLEXITY: &str = "perplexity/sonar-pro";

// ---------------------------------------------------------------- A. dispatch by model id

#[test]
fn a8_a10_family_by_model_id_prefix() {
    let cases = [
        ("PeRpLeXiTy/sonar-pro", ToolFamily::Perplexity),
        ("DeepSeek/deepseek-v4", ToolFamily::DeepSeek),
        ("google/gemma-3", ToolFamily::Gemini),
        ("google/gemini-3.5-flash", ToolFamily::Gemini),
        ("anthropic/claude-sonnet-4-6", ToolFamily::OpenAi),
        ("openai/gpt-5.5", ToolFamily::OpenAi),
        ("x-ai/grok-4", ToolFamily::OpenAi),
        ("", ToolFamily::OpenAi),
        ("deepseek", ToolFamily::OpenAi),
        ("é/", ToolFamily::OpenAi),
    ];
    for (model, family) in cases {
        assert_eq!(ToolFamily::for_model(model), family, "{model}");
    }
    check(
        "PeRpLeXiTy/sonar-pro",
        json!({"type":"object","patternProperties":{".*":{"type":"string"}}}),
        json!({"type":"object","properties":{}}),
    );
}

#[test]
fn a9_k8_openai_family_on_clawrouter_is_the_same_slice() {
    let tools = [
        tool(
            "t",
            json!({"type":"object","patternProperties":{".*":{"type":"string"}}}),
        ),
        tool("u", json!({})),
    ];
    for model in [
        "openai/gpt-5.5",
        "anthropic/claude-sonnet-4-6",
        "x-ai/grok-4",
        "",
    ] {
        let out = normalize_tools(model, &tools);
        assert_eq!(out.family, ToolFamily::OpenAi);
        match out.tools {
            Cow::Borrowed(same) => assert!(std::ptr::eq(same, &tools[..])),
            Cow::Owned(_) => panic!("{model}: the openai family copied the tools"),
        }
        assert!(out.diagnostics.is_empty());
        assert!(inspect_tools(model, &tools).is_empty());
    }
    // ClawRouter's context in A9: provider clawrouter, api openai-responses.
    let context = ToolSchemaContext {
        provider: "clawrouter",
        model_id: "openai/gpt-5.5",
        model_api: "openai-responses",
        base_url: "https://clawrouter.openclaw.ai/v1",
    };
    let out = normalize_tools_with(&context, &tools, NormalizeLimits::DEFAULT);
    assert!(matches!(out.tools, Cow::Borrowed(_)));
}

// ---------------------------------------------------------------- I. perplexity (§12.7)

#[test]
fn i1_case72_exec() {
    let tools = [tool(
        "exec",
        json!({"type":"object","properties":{"env":{"type":"object",
            "patternProperties":{"^.*$":{"type":"string"}},"additionalProperties":{"type":"string"}}},
            "additionalProperties":false}),
    )];
    let out = normalize_tools(PERPLEXITY, &tools);
    assert_eq!(
        serde_json::to_string(&out.tools[0].parameters).unwrap(),
        r#"{"type":"object","properties":{"env":{"type":"object","properties":{}}}}"#
    );
    check_inspect(
        PERPLEXITY,
        &tools,
        json!([{"toolName":"exec","toolIndex":0,"violations":[
            "exec.parameters.properties.env.patternProperties",
            "exec.parameters.properties.env.additionalProperties",
            "exec.parameters.additionalProperties",
            "exec.parameters.properties.env.properties"]}]),
    );
    let diagnostics: Vec<String> = out.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(
        diagnostics,
        [
            "exec.parameters.properties.env.patternProperties: removed",
            "exec.parameters.properties.env.additionalProperties: removed",
            "exec.parameters.properties.env.properties: added",
            "exec.parameters.additionalProperties: removed",
        ]
    );
    // The normalized schema has nothing left to report.
    assert!(inspect_tools(PERPLEXITY, &out.tools).is_empty());
}

#[test]
fn i2_case73_nested() {
    check_exact(
        PERPLEXITY,
        r#"{"type":"object","anyOf":[{"type":"object","additionalProperties":true},{"type":"array","items":{"type":"object","properties":{"value":{"anyOf":[{"type":"object"},{"type":"string"}]}}}}],"$defs":{"metadata":{"type":"object","patternProperties":{".*":{"type":"string"}}}}}"#,
        r#"{"type":"object","anyOf":[{"type":"object","properties":{}},{"type":"array","items":{"type":"object","properties":{"value":{"anyOf":[{"type":"object","properties":{}},{"type":"string"}]}}}}],"$defs":{"metadata":{"type":"object","properties":{}}},"properties":{}}"#,
    );
}

#[test]
fn i3_case74_type_array_with_object() {
    let tools = [tool(
        "union",
        json!({"type":"object","properties":{"payload":{"type":["object","null"],"additionalProperties":{"type":"string"}}}}),
    )];
    let out = normalize_tools(PERPLEXITY, &tools);
    assert_eq!(
        out.tools[0].parameters,
        json!({"type":"object","properties":{"payload":{"type":["object","null"],"properties":{}}}})
    );
    check_inspect(
        PERPLEXITY,
        &tools,
        json!([{"toolName":"union","toolIndex":0,"violations":[
            "union.parameters.properties.payload.additionalProperties",
            "union.parameters.properties.payload.properties"]}]),
    );
}

#[test]
fn i4_case75_other_schema_positions() {
    check(
        PERPLEXITY,
        json!({"type":"object","properties":{},
            "dependentSchemas":{"x":{"type":"object","additionalProperties":false}},
            "unevaluatedProperties":{"type":"object"},
            "additionalItems":{"type":"object","additionalProperties":false}}),
        json!({"type":"object","properties":{},
            "dependentSchemas":{"x":{"type":"object","properties":{}}},
            "unevaluatedProperties":{"type":"object","properties":{}},
            "additionalItems":{"type":"object","properties":{}}}),
    );
}

#[test]
fn i6_legacy_dependencies() {
    check(
        PERPLEXITY,
        json!({"dependencies":{"a":["b"],"c":{"type":"object"}}}),
        json!({"dependencies":{"a":["b"],"c":{"type":"object","properties":{}}}}),
    );
}

#[test]
fn non_object_parameters_pass_through_every_family() {
    for model in [GEMINI, DEEPSEEK, PERPLEXITY] {
        for params in [json!(null), json!("x"), json!([1]), json!(true)] {
            check(model, params.clone(), params);
        }
    }
}

// ---------------------------------------------------------------- J. deepseek

#[test]
fn j1_union_and_nullable() {
    let tools = [tool(
        "t",
        json!({"type":"object","properties":{
            "date":{"description":"Balance sheet date","anyOf":[{"type":"string"},{"type":"integer"}]},
            "ticker":{"oneOf":[{"type":"string"},{"type":"null"}]}},"required":["date"]}),
    )];
    let out = normalize_tools(DEEPSEEK, &tools);
    assert_eq!(
        out.tools[0].parameters,
        json!({"type":"object","properties":{
            "date":{"description":"Balance sheet date","type":"string"},
            "ticker":{"type":"string","nullable":true}},"required":["date"]})
    );
    assert!(inspect_tools(DEEPSEEK, &out.tools).is_empty());
    let diagnostics: Vec<String> = out.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(
        diagnostics,
        [
            "t.parameters.properties.date.anyOf: collapsed",
            "t.parameters.properties.ticker.oneOf: collapsed"
        ]
    );
}

#[test]
fn j2_string_literal_unions() {
    check(
        DEEPSEEK,
        json!({"type":"object","properties":{
            "mode":{"description":"…","anyOf":[{"const":"overwrite","type":"string"},{"const":"append","type":"string"},{"const":"replace_range","type":"string"}]},
            "optional_mode":{"anyOf":[{"const":"a","type":"string"},{"const":"b","type":"string"},{"type":"null"}]},
            "single_const":{"anyOf":[{"const":"only","type":"string"}]}}}),
        json!({"type":"object","properties":{
            "mode":{"description":"…","type":"string","enum":["overwrite","append","replace_range"]},
            "optional_mode":{"type":"string","enum":["a","b"],"nullable":true},
            "single_const":{"const":"only","type":"string"}}}),
    );
}

#[test]
fn j5_the_examples_of_4_4() {
    let cases = [
        (
            r#"{"description":"d","anyOf":[{"type":"string"},{"type":"integer"}]}"#,
            r#"{"type":"string","description":"d"}"#,
        ),
        (
            r#"{"oneOf":[{"type":"string"},{"type":"null"}]}"#,
            r#"{"type":"string","nullable":true}"#,
        ),
        (
            r#"{"anyOf":[{"const":"a","type":"string"},{"const":"b","type":"string"},{"type":"null"}]}"#,
            r#"{"type":"string","enum":["a","b"],"nullable":true}"#,
        ),
        (
            r#"{"anyOf":[{"const":"only","type":"string"}]}"#,
            r#"{"const":"only","type":"string"}"#,
        ),
        (
            r#"{"anyOf":[{"type":"object","properties":{"a":{"type":"string"}}},{"type":"null"}]}"#,
            r#"{"type":["object","null"],"properties":{"a":{"type":"string"}}}"#,
        ),
        (
            r#"{"anyOf":[
              {"type":"object","additionalProperties":false,"required":["kind","a"],
               "properties":{"kind":{"const":"a"},"a":{"type":"string"}}},
              {"type":"object","additionalProperties":false,"required":["kind","b"],
               "properties":{"kind":{"const":"b"},"b":{"type":"number"}}}]}"#,
            r#"{"type":"object","required":["kind"],
                "properties":{"kind":{"enum":["a","b"]},"a":{"type":"string"},"b":{"type":"number"}}}"#,
        ),
        (
            r#"{"anyOf":[
              {"type":"object","required":["kind","a"],
               "properties":{"kind":{"const":"a"},"a":{"type":"string"}}},
              {"type":"object","required":["kind","b"],
               "properties":{"kind":{"const":"b"},"b":{"type":"number"}}}]}"#,
            r#"{"type":"object","required":["kind"],"properties":{"kind":{"enum":["a","b"]},"a":{},"b":{}}}"#,
        ),
    ];
    for (input, expected) in cases {
        check_exact(DEEPSEEK, input, expected);
    }
}

#[test]
fn j5_pattern_properties_accept_undeclared_keys() {
    // additionalProperties:false, but a patternProperties regex (ECMAScript) matches `b`.
    check(
        DEEPSEEK,
        json!({"anyOf":[
            {"type":"object","additionalProperties":false,"patternProperties":{"^b$":{}},
             "properties":{"a":{"type":"string","description":"A"}}},
            {"type":"object","additionalProperties":false,"patternProperties":{"(":{}},
             "properties":{"b":{"type":"number"}}}]}),
        json!({"type":"object","properties":{"a":{"type":"string","description":"A"},"b":{}}}),
    );
}

#[test]
fn j6_unchanged_tools_are_not_copied() {
    let tools = [
        tool(
            "a",
            json!({"type":"object","properties":{"x":{"type":"string"}}}),
        ),
        tool(
            "b",
            json!({"type":"object","properties":{"y":{"oneOf":[{"type":"string"}]}}}),
        ),
    ];
    let out = normalize_tools(DEEPSEEK, &tools[..1]);
    assert!(matches!(out.tools, Cow::Borrowed(_)));
    let out = normalize_tools(DEEPSEEK, &tools);
    assert!(matches!(out.tools, Cow::Owned(_)));
    assert_eq!(out.tools[0], tools[0]);
    assert_eq!(
        out.tools[1].parameters,
        json!({"type":"object","properties":{"y":{"type":"string"}}})
    );
}

#[test]
fn j7_j8_only_any_of_collapses_when_both_exist() {
    check(
        DEEPSEEK,
        json!({"anyOf":[{"type":"string"}],"oneOf":[{"type":"integer"}]}),
        json!({"type":"string","oneOf":[{"type":"integer"}]}),
    );
    let tools = [tool(
        "t",
        json!({"type":"object","properties":{"a":{"anyOf":[{"type":"string"}]}},"oneOf":[{"type":"object"}]}),
    )];
    check_inspect(
        DEEPSEEK,
        &tools,
        json!([{"toolName":"t","toolIndex":0,"violations":["t.parameters.properties.a.anyOf","t.parameters.oneOf"]}]),
    );
}

#[test]
fn j3_families_by_name() {
    for (name, family) in [
        ("openai", ToolFamily::OpenAi),
        ("deepseek", ToolFamily::DeepSeek),
        ("gemini", ToolFamily::Gemini),
        ("perplexity", ToolFamily::Perplexity),
    ] {
        assert_eq!(name.parse::<ToolFamily>(), Ok(family));
        assert_eq!(family.as_str(), name);
    }
    let error = "anthropic".parse::<ToolFamily>().unwrap_err();
    assert_eq!(
        error.to_string(),
        "unknown tool-schema family \"anthropic\": expected one of openai, deepseek, gemini, perplexity"
    );
    // A family applied on its own, whatever the model id.
    let tools = [tool("t", json!({"anyOf":[{"type":"string"}]}))];
    let out = normalize_tools_for_family(
        ToolFamily::DeepSeek,
        &ToolSchemaContext::clawrouter("openai/gpt-5.5"),
        &tools,
        NormalizeLimits::DEFAULT,
    );
    assert_eq!(out.tools[0].parameters, json!({"type":"string"}));
}

// ---------------------------------------------------------------- K. openai

fn openai(api: &'static str, base_url: &'static str) -> ToolSchemaContext<'static> {
    ToolSchemaContext {
        provider: "openai",
        model_id: "openai/gpt-5.5",
        model_api: api,
        base_url,
    }
}

fn check_openai(context: &ToolSchemaContext<'_>, input: &str, expected: Option<&str>) {
    let tools = [tool("t", serde_json::from_str(input).unwrap())];
    let out = normalize_tools_with(context, &tools, NormalizeLimits::DEFAULT);
    match expected {
        None => assert!(matches!(out.tools, Cow::Borrowed(_)), "{input}: changed"),
        Some(expected) => {
            let expected: Value = serde_json::from_str(expected).unwrap();
            assert_eq!(
                serde_json::to_string(&out.tools[0].parameters).unwrap(),
                serde_json::to_string(&expected).unwrap(),
                "{input}"
            );
        }
    }
    assert!(inspect_tools(context.model_id, &tools).is_empty());
}

const STRICT_EMPTY: &str =
    r#"{"type":"object","properties":{},"required":[],"additionalProperties":false}"#;

#[test]
fn k1_to_k4_strict_compat_on_native_openai() {
    let native = openai("openai-responses", "https://api.openai.com/v1");
    check_openai(&native, "{}", Some(STRICT_EMPTY));
    check_openai(&native, r#"{"type":"object"}"#, Some(STRICT_EMPTY));
    check_openai(
        &native,
        r#"{"type":"object","properties":{}}"#,
        Some(STRICT_EMPTY),
    );
    check_openai(
        &native,
        r#"{"properties":{},"description":null}"#,
        Some(r#"{"properties":{},"type":"object","required":[],"additionalProperties":false}"#),
    );
    check_openai(&native, "null", Some(STRICT_EMPTY));
    let unchanged = [
        r#"{"type":"object","properties":{"payload":{}},"required":["payload"],"additionalProperties":false}"#,
        r#"{"type":"object","properties":{"mode":{"$defs":{"nested":{}},"dependentSchemas":{"flag":{}}}},"required":["mode"],"additionalProperties":false}"#,
        r#"{"type":"object","properties":{"mode":{"anyOf":[{}],"prefixItems":[{}]}},"required":["mode"],"additionalProperties":false}"#,
        r#"{"type":"object","properties":{"mode":{"type":"string","default":{},"const":{},"examples":[{}]}},"required":["mode"],"additionalProperties":false}"#,
        r#"{"type":"object","properties":{"action":{"type":"string"},"schedule":{"type":"string"}},"required":["action"],"additionalProperties":true}"#,
        r#""not an object""#,
    ];
    for input in unchanged {
        check_openai(&native, input, None);
    }
    // Nested nodes: only null annotations → kept as they were; an empty object gains the rest.
    check_openai(
        &native,
        r#"{"type":"object","properties":{"a":{"title":null},"b":{"type":"object","title":null}},"required":["a","b"]}"#,
        Some(
            r#"{"type":"object","properties":{"a":{"title":null},"b":{"type":"object","properties":{},"required":[],"additionalProperties":false}},"required":["a","b"]}"#,
        ),
    );
}

#[test]
fn k5_k6_the_applicability_gate() {
    let input = r#"{"type":"object"}"#;
    check_openai(
        &openai("openai-completions", "https://example.com/v1"),
        input,
        None,
    );
    check_openai(
        &openai("openai-responses", "https://example.com/v1"),
        input,
        None,
    );
    check_openai(
        &openai("openai-responses", "https://api.openai.com.evil/v1"),
        input,
        None,
    );
    for base in [
        "https://chatgpt.com/backend-api",
        "https://chatgpt.com/backend-api/codex",
        "https://api.openai.com",
        "",
    ] {
        check_openai(
            &openai("openai-chatgpt-responses", base),
            input,
            Some(STRICT_EMPTY),
        );
    }
    check_openai(&openai("OpenAI-Responses", ""), input, Some(STRICT_EMPTY));
    check_openai(
        &openai(
            "openai-chatgpt-responses",
            "https://chatgpt.com/backend-apix",
        ),
        input,
        None,
    );
    let mut clawrouter = openai("openai-responses", "https://api.openai.com/v1");
    clawrouter.provider = "clawrouter";
    check_openai(&clawrouter, input, None);
}

#[test]
fn k4_k9_strict_violations() {
    let cron = json!({"type":"object","properties":{"action":{"type":"string"},"schedule":{"type":"string"}},"required":["action"],"additionalProperties":true});
    assert_eq!(
        find_openai_strict_schema_violations(&cron, "cron.parameters", false),
        [
            "cron.parameters.additionalProperties",
            "cron.parameters.required.schedule"
        ]
    );
    assert_eq!(
        find_openai_strict_schema_violations(&json!({"type":["string","null"]}), "p", false),
        ["p.type"]
    );
    assert_eq!(
        find_openai_strict_schema_violations(&json!({"type":"string"}), "p", true),
        ["p.type"]
    );
    assert_eq!(
        find_openai_strict_schema_violations(
            &json!({"type":"object","properties":{"a":{"anyOf":[{"type":"object","additionalProperties":false,"required":[]}]}},"required":["a"],"additionalProperties":false}),
            "p",
            false
        ),
        ["p.properties.a.anyOf"]
    );
}

// ---------------------------------------------------------------- L. gemini cleaner

fn gemini(input: Value) -> Value {
    normalized(GEMINI, input)
}

#[test]
fn l1_to_l3_invalid_properties_become_empty() {
    for bad in [json!(null), json!("invalid"), json!([])] {
        assert_eq!(
            serde_json::to_string(&gemini(json!({"type":"object","properties":bad}))).unwrap(),
            r#"{"type":"object","properties":{}}"#
        );
    }
}

#[test]
fn l4_to_l14_required() {
    let s = json!({"type":"string"});
    let cases = [
        (
            json!({"type":"object","properties":{"action":s,"amount":s},"required":["action","amount","token"]}),
            json!({"type":"object","properties":{"action":s,"amount":s},"required":["action","amount"]}),
        ),
        (
            json!({"type":"object","properties":{"a":s},"required":["a"]}),
            json!({"type":"object","properties":{"a":s},"required":["a"]}),
        ),
        (
            json!({"type":"object","properties":{"a":s},"required":["x","y"]}),
            json!({"type":"object","properties":{"a":s}}),
        ),
        (
            json!({"type":"object","required":["a","b"]}),
            json!({"type":"object"}),
        ),
        (
            json!({"type":"array","required":["a","b"]}),
            json!({"type":"array","required":["a","b"]}),
        ),
        (
            json!({"type":"object","properties":{"p":{"type":"object","properties":{"name":s},"required":["name","ghost"]}}}),
            json!({"type":"object","properties":{"p":{"type":"object","properties":{"name":s},"required":["name"]}}}),
        ),
        (
            json!({"type":"object","properties":{"name":s},"required":["toString","name"]}),
            json!({"type":"object","properties":{"name":s},"required":["name"]}),
        ),
        (
            json!({"type":"object","properties":{"bad":{"type":"object","properties":null},"good":s}}),
            json!({"type":"object","properties":{"bad":{"type":"object","properties":{}},"good":s}}),
        ),
        (
            json!({"type":"object","required":[]}),
            json!({"type":"object"}),
        ),
        (
            json!({"type":"object","properties":{"name":s},"required":["name"]}),
            json!({"type":"object","properties":{"name":s},"required":["name"]}),
        ),
        (
            json!({"type":"object","properties":{"nested":{"type":"object","properties":{"x":s},"required":[]}},"required":["nested"]}),
            json!({"type":"object","properties":{"nested":{"type":"object","properties":{"x":s}}},"required":["nested"]}),
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(gemini(input.clone()), expected, "{input}");
    }
}

#[test]
fn l15_to_l21_keywords_types_and_enums() {
    let cases = [
        (
            json!({"type":"object","properties":{"a":{"type":"string"}},"not":{"const":true}}),
            r#"{"type":"object","properties":{"a":{"type":"string"}}}"#,
        ),
        (
            json!({"type":["string","null"],"description":"nullable field"}),
            r#"{"type":"string","description":"nullable field"}"#,
        ),
        (
            json!({"type":"object","properties":{"agentId":{"type":["string","null"]}}}),
            r#"{"type":"object","properties":{"agentId":{"type":"string"}}}"#,
        ),
        (
            json!({"type":"integer","enum":[1,2,3]}),
            r#"{"type":"integer","enum":["1","2","3"]}"#,
        ),
        (
            json!({"enum":[1,2,3],"type":"integer"}),
            r#"{"enum":["1","2","3"],"type":"integer"}"#,
        ),
        (
            json!({"type":"boolean","enum":[true,false]}),
            r#"{"type":"boolean","enum":["true","false"]}"#,
        ),
        (
            json!({"type":"string","enum":["a","b"]}),
            r#"{"type":"string","enum":["a","b"]}"#,
        ),
        (
            json!({"const":42,"type":"integer"}),
            r#"{"enum":["42"],"type":"integer"}"#,
        ),
        (
            json!({"type":"integer","enum":[1,2,2,null,3]}),
            r#"{"type":"integer","enum":["1","2","3"]}"#,
        ),
        (
            json!({"type":"array","items":{"type":"object","properties":{"score":{"type":"number","enum":[1,2,3,4,5]}}}}),
            r#"{"type":"array","items":{"type":"object","properties":{"score":{"type":"number","enum":["1","2","3","4","5"]}}}}"#,
        ),
        (
            json!({"type":"integer","enum":[null,{}]}),
            r#"{"type":"integer"}"#,
        ),
        (
            json!({"type":"number","enum":[1.5,1e21,0.1]}),
            r#"{"type":"number","enum":["1.5","1e+21","0.1"]}"#,
        ),
        // Both `const` and `enum`: the later key's result, at the position of the first.
        (
            json!({"const":1,"type":"integer","enum":[2,3]}),
            r#"{"enum":["2","3"],"type":"integer"}"#,
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(
            serde_json::to_string(&gemini(input.clone())).unwrap(),
            expected,
            "{input}"
        );
    }
}

#[test]
fn l23_baseline_keeps_all_of() {
    // PD11: the baseline cleans each allOf member and keeps allOf (L23–L26 are ✗VARIANT).
    check_exact(
        GEMINI,
        r#"{"type":"object","properties":{"settings":{"description":"Selected settings mode","allOf":[{"const":"x","type":"string"}]}}}"#,
        r#"{"type":"object","properties":{"settings":{"description":"Selected settings mode","allOf":[{"enum":["x"],"type":"string"}]}}}"#,
    );
}

const WORKED_IN: &str = r##"{"type":"object","$schema":"https://json-schema.org/draft/2020-12/schema","additionalProperties":false,
 "properties":{
   "mode":{"description":"Mode","anyOf":[{"const":"fast","type":"string"},{"const":"safe","type":"string"}]},
   "count":{"type":["integer","null"],"minimum":1,"format":"int32"},
   "tags":{"type":"array","items":{"type":"string","minLength":1},"maxItems":5},
   "where":{"$ref":"#/$defs/Point","description":"A point"}},
 "required":["mode","ghost"],
 "$defs":{"Point":{"type":"object","properties":{"x":{"type":"number"}},"required":["x"]}}}"##;

#[test]
fn l27_worked_example_and_extra_examples() {
    check_exact(
        GEMINI,
        WORKED_IN,
        r#"{"type":"object",
 "properties":{
   "mode":{"type":"string","enum":["fast","safe"],"description":"Mode"},
   "count":{"type":"integer"},
   "tags":{"type":"array","items":{"type":"string"}},
   "where":{"type":"object","properties":{"x":{"type":"number"}},"required":["x"],"description":"A point"}},
 "required":["mode"]}"#,
    );
    let extra = [
        (
            r#"{"anyOf":[{"type":"object","properties":{"a":{"type":"string"}}},{"type":"object","properties":{"b":{"type":"string"}}}],"description":"x"}"#,
            r#"{"type":"object","description":"x"}"#,
        ),
        (
            r#"{"anyOf":[{"type":"string"},{"type":"number"}]}"#,
            r#"{"type":"string"}"#,
        ),
        (
            r#"{"type":"integer","enum":[1,2,2,null,3]}"#,
            r#"{"type":"integer","enum":["1","2","3"]}"#,
        ),
        (
            r#"{"type":"integer","enum":[null,{}]}"#,
            r#"{"type":"integer"}"#,
        ),
        (
            r#"{"type":"object","required":["a","b"]}"#,
            r#"{"type":"object"}"#,
        ),
        (
            r#"{"type":"array","required":["a"]}"#,
            r#"{"type":"array","required":["a"]}"#,
        ),
        (
            r#"{"type":"object","properties":null}"#,
            r#"{"type":"object","properties":{}}"#,
        ),
    ];
    for (input, expected) in extra {
        check_exact(GEMINI, input, expected);
    }
}

#[test]
fn l28_to_l32_refs_unions_and_optional() {
    let cases = [
        (
            r##"{"$defs":{"N":{"type":"object","properties":{"next":{"$ref":"#/$defs/N"}}}},"$ref":"#/$defs/N"}"##,
            r#"{"type":"object","properties":{"next":{}}}"#,
        ),
        (
            r##"{"$ref":"#/components/schemas/X","description":"d"}"##,
            r#"{"description":"d"}"#,
        ),
        (
            r#"{"anyOf":[{"type":"string"},{"type":"null"}],"description":"d","format":"email"}"#,
            r#"{"type":"string","description":"d"}"#,
        ),
        (
            r#"{"anyOf":[{"type":"string"},{"const":null}]}"#,
            r#"{"type":"string"}"#,
        ),
        (
            r#"{"type":"object","~optional":true,"properties":{}}"#,
            r#"{"type":"object","properties":{}}"#,
        ),
        // `definitions` and pointer escapes; inner definitions override outer ones.
        (
            r##"{"definitions":{"a/b":{"type":"string"}},"properties":{"p":{"$ref":"#/definitions/a~1b","title":"T"}}}"##,
            r#"{"properties":{"p":{"type":"string","title":"T"}}}"#,
        ),
        (
            r##"{"$defs":{"X":{"type":"string"}},"properties":{"p":{"$defs":{"X":{"type":"number"}},"$ref":"#/$defs/X"}}}"##,
            r#"{"properties":{"p":{"type":"number"}}}"#,
        ),
        // A falsy definition does not resolve.
        (
            r##"{"$defs":{"Z":false},"properties":{"p":{"$ref":"#/$defs/Z","default":1}}}"##,
            r#"{"properties":{"p":{"default":1}}}"#,
        ),
    ];
    for (input, expected) in cases {
        check_exact(GEMINI, input, expected);
    }
}

#[test]
fn gemini_diagnostics_say_what_was_done() {
    let tools = [tool("t", serde_json::from_str(WORKED_IN).unwrap())];
    let out = normalize_tools(GEMINI, &tools);
    let diagnostics: Vec<String> = out.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(
        diagnostics,
        [
            "t.parameters.$schema: removed",
            "t.parameters.additionalProperties: removed",
            "t.parameters.properties.mode.anyOf[0].const: rewritten",
            "t.parameters.properties.mode.anyOf[1].const: rewritten",
            "t.parameters.properties.mode.anyOf: collapsed",
            "t.parameters.properties.count.type: rewritten",
            "t.parameters.properties.count.minimum: removed",
            "t.parameters.properties.count.format: removed",
            "t.parameters.properties.tags.items.minLength: removed",
            "t.parameters.properties.tags.maxItems: removed",
            "t.parameters.properties.where.$ref: inlined",
            "t.parameters.$defs: removed",
            "t.parameters.required: rewritten",
        ]
    );
}

// ---------------------------------------------------------------- M. gemini inspect

#[test]
fn m1_to_m3_gemini_inspect() {
    let tools = [
        tool(
            "ok",
            json!({"type":"object","properties":{"a":{"type":"string"}}}),
        ),
        tool(
            "healthy_tool",
            json!({"type":"object","properties":{"count":{"type":"integer","minimum":1}}}),
        ),
    ];
    check_inspect(
        GEMINI,
        &tools,
        json!([{"toolName":"healthy_tool","toolIndex":1,"violations":["healthy_tool.parameters.properties.count.minimum"]}]),
    );
    let worked = [tool("t", serde_json::from_str(WORKED_IN).unwrap())];
    check_inspect(
        GEMINI,
        &worked,
        json!([{"toolName":"t","toolIndex":0,"violations":[
            "t.parameters.properties.count.minimum",
            "t.parameters.properties.count.format",
            "t.parameters.properties.tags.items.minLength",
            "t.parameters.properties.tags.maxItems",
            "t.parameters.properties.where.$ref",
            "t.parameters.$schema",
            "t.parameters.additionalProperties",
            "t.parameters.$defs"]}]),
    );
    let unsupported = ToolFamily::Gemini.unsupported_keywords();
    assert_eq!(unsupported.len(), 22);
    assert!(
        find_unsupported_schema_keywords(
            &json!({"properties":{"format":{"type":"string"}}}),
            "p",
            unsupported
        )
        .is_empty()
    );
    assert_eq!(
        find_unsupported_schema_keywords(
            &json!({"$defs":{"format":{"type":"string"}}}),
            "p",
            unsupported
        ),
        ["p.$defs", "p.$defs.format"]
    );
    // Arrays are walked with [i]; literal values are walked too (as the baseline does).
    assert_eq!(
        find_unsupported_schema_keywords(
            &json!({"allOf":[{"pattern":"x"}],"default":{"format":1}}),
            "p",
            unsupported
        ),
        ["p.allOf[0].pattern", "p.default.format"]
    );
}

#[test]
fn gemini_public_cleaner_matches_the_family() {
    let input: Value = serde_json::from_str(WORKED_IN).unwrap();
    assert_eq!(clean_schema_for_gemini(&input), gemini(input));
}

/// A union of literals keeps each literal once (the baseline repeats them, and cleaning its
/// output again would drop the repeats: see `literal_union`), so cleaning is idempotent.
#[test]
fn gemini_literal_union_keeps_each_literal_once() {
    let input = json!({"anyOf":[
        {"const":"x","type":"string"},
        {"enum":["y"],"type":"string"},
        {"const":"x","type":"string"}
    ],"description":"u"});
    let once = gemini(input);
    assert_eq!(
        once,
        json!({"type":"string","enum":["x","y"],"description":"u"})
    );
    assert_eq!(gemini(once.clone()), once);
}

// ---------------------------------------------------------------- limits

/// `{"properties":{"a":{"properties":{"a":…}}}}`, `levels` deep, built without recursion.
fn deep(levels: usize) -> Value {
    let mut node = json!({"type":"string"});
    for _ in 0..levels {
        node = json!({"type":"object","properties":{"a":node}});
    }
    node
}

#[test]
fn depth_limit_is_reported_and_bounded() {
    let tools = [tool("t", deep(40))];
    let limits = NormalizeLimits {
        max_depth: 20,
        ..NormalizeLimits::DEFAULT
    };
    for model in [GEMINI, DEEPSEEK, PERPLEXITY] {
        let context = ToolSchemaContext::clawrouter(model);
        let out = normalize_tools_with(&context, &tools, limits);
        let hits: Vec<_> = out
            .diagnostics
            .iter()
            .filter(|d| d.action == SchemaAction::DepthLimitExceeded { limit: 20 })
            .collect();
        assert_eq!(hits.len(), 1, "{model}: {:?}", out.diagnostics);
        assert!(
            hits[0]
                .path
                .starts_with("t.parameters.properties.a.properties.a")
        );
    }
    // Deep but within the limit: nothing reported.
    let out = normalize_tools(GEMINI, &tools);
    assert!(out.diagnostics.is_empty());
    assert_eq!(out.tools[0].parameters, tools[0].parameters);
}

#[test]
fn ref_expansion_limit_stops_exponential_blow_up() {
    // D0 → two refs to D1 → … → D29: 2^30 nodes if fully inlined.
    let mut defs = serde_json::Map::new();
    for i in 0..30 {
        let next = format!("#/$defs/D{}", i + 1);
        defs.insert(
            format!("D{i}"),
            json!({"type":"object","properties":{"l":{"$ref":next},"r":{"$ref":next}}}),
        );
    }
    defs.insert("D30".into(), json!({"type":"string"}));
    let schema = json!({"$defs": defs, "$ref": "#/$defs/D0"});
    let tools = [tool("t", schema)];
    let out = normalize_tools(GEMINI, &tools);
    let hits: Vec<_> = out
        .diagnostics
        .iter()
        .filter(|d| matches!(d.action, SchemaAction::RefExpansionLimitExceeded { .. }))
        .collect();
    assert_eq!(hits.len(), 1);
    assert_eq!(
        hits[0].action,
        SchemaAction::RefExpansionLimitExceeded {
            limit: NormalizeLimits::DEFAULT.max_ref_expansion
        }
    );
    let size = serde_json::to_string(&out.tools[0].parameters)
        .unwrap()
        .len();
    assert!(size < 10_000_000, "{size}");
}
