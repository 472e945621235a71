//! The generic pass of POLICY.md §4.1 (no §5 case asserts it; the expected values are derived
//! from the rules of §4.1, [D]).

use clawrouter_policy::tools::NormalizeLimits;
use clawrouter_policy::tools::generic::{GenericSchemaOptions, normalize_tool_parameter_schema};
use serde_json::{Value, json};

const CLAWROUTER_OPENAI: GenericSchemaOptions<'static> = GenericSchemaOptions {
    provider: "clawrouter",
    model_id: "openai/gpt-5.5",
    omit_empty_array_items: false,
    tool_schema_profile: None,
    unsupported_keywords: &[],
};

fn run(options: &GenericSchemaOptions<'_>, input: Value) -> Value {
    normalize_tool_parameter_schema(&input, options, NormalizeLimits::DEFAULT).0
}

/// Exact text (key order included).
fn check(options: &GenericSchemaOptions<'_>, input: &str, expected: &str) {
    let input: Value = serde_json::from_str(input).unwrap();
    let got = serde_json::to_string(&run(options, input.clone())).unwrap();
    let expected =
        serde_json::to_string(&serde_json::from_str::<Value>(expected).unwrap()).unwrap();
    assert_eq!(got, expected, "{input}");
}

#[test]
fn step1_ref_inlining() {
    let cases = [
        // Inlined with the referencing node's title / description / default (and nullable).
        (
            r##"{"type":"object","properties":{"p":{"$ref":"#/$defs/P","title":"T","minimum":3}},"$defs":{"P":{"type":"integer","description":"inner"}}}"##,
            r#"{"type":"object","properties":{"p":{"type":"integer","description":"inner","title":"T"}}}"#,
        ),
        // Two namespaces; a sub-pointer; a pointer into the root document with an array index.
        (
            r##"{"type":"object","properties":{"a":{"$ref":"#/definitions/X"},"b":{"$ref":"#/$defs/Y/properties/z"},"c":{"$ref":"#/properties/list/items/0"},"list":{"type":"array","items":[{"type":"boolean"}]}},"$defs":{"X":{"type":"number"},"Y":{"properties":{"z":{"type":"string"}}}},"definitions":{"X":{"type":"integer"}}}"##,
            r#"{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"string"},"c":{"type":"boolean"},"list":{"type":"array","items":[{"type":"boolean"}]}}}"#,
        ),
        // A cycle becomes {}.
        (
            r##"{"type":"object","properties":{"n":{"$ref":"#/$defs/N"}},"$defs":{"N":{"type":"object","properties":{"next":{"$ref":"#/$defs/N"}}}}}"##,
            r#"{"type":"object","properties":{"n":{"type":"object","properties":{"next":{}}}}}"#,
        ),
        // An unresolved local ref keeps every definition; a non-local ref is left alone.
        (
            r##"{"type":"object","properties":{"a":{"$ref":"#/$defs/Missing"},"b":{"$ref":"#/$defs/P"},"c":{"$ref":"https://x/y"}},"$defs":{"P":{"type":"string"}}}"##,
            r##"{"type":"object","properties":{"a":{"$ref":"#/$defs/Missing"},"b":{"type":"string"},"c":{"$ref":"https://x/y"}},"$defs":{"P":{"type":"string"}}}"##,
        ),
        // Literal keywords are not inspected; `components` goes too; a nested object without
        // properties stays as it is (the root shape rules touch the root only).
        (
            r##"{"type":"object","properties":{"a":{"type":"object","default":{"$ref":"#/$defs/P"}}},"$defs":{"P":{}},"components":{}}"##,
            r##"{"type":"object","properties":{"a":{"type":"object","default":{"$ref":"#/$defs/P"}}}}"##,
        ),
    ];
    for (input, expected) in cases {
        check(&CLAWROUTER_OPENAI, input, expected);
    }
}

#[test]
fn step2_openapi_keywords() {
    let cases = [
        (
            r#"{"type":"object","properties":{"a":{"type":"string","nullable":true,"example":"x","readOnly":true},"b":{"type":["integer"],"enum":[1,2],"nullable":true},"c":{"type":"string","nullable":false,"xml":{}}}}"#,
            r#"{"type":"object","properties":{"a":{"type":["string","null"]},"b":{"type":["integer","null"],"enum":[1,2,null]},"c":{"type":"string"}}}"#,
        ),
        (
            r#"{"type":"object","properties":{"u":{"oneOf":[{"type":"string"},{"type":"integer"}],"nullable":true,"description":"d"},"v":{"anyOf":[{"type":"string"},{"type":"null"}],"nullable":true}}}"#,
            r#"{"type":"object","properties":{"u":{"anyOf":[{"oneOf":[{"type":"string"},{"type":"integer"}]},{"type":"null"}],"description":"d"},"v":{"anyOf":[{"type":"string"},{"type":"null"}]}}}"#,
        ),
    ];
    for (input, expected) in cases {
        check(&CLAWROUTER_OPENAI, input, expected);
    }
}

#[test]
fn step3_root_shape() {
    let cases = [
        (
            r#"{"type":"object","properties":{"a":{}}}"#,
            r#"{"type":"object","properties":{"a":{}}}"#,
        ),
        (
            r#"{"properties":{"a":{}}}"#,
            r#"{"properties":{"a":{}},"type":"object"}"#,
        ),
        (
            r#"{"required":["a"]}"#,
            r#"{"required":["a"],"type":"object","properties":{}}"#,
        ),
        (
            r#"{"type":"object"}"#,
            r#"{"type":"object","properties":{}}"#,
        ),
        (
            r#"{"type":"object","properties":"x"}"#,
            r#"{"type":"object","properties":{}}"#,
        ),
        (r#"{}"#, r#"{"type":"object","properties":{}}"#),
        (r#"{"type":"string"}"#, r#"{"type":"string"}"#),
        (
            r#"{"allOf":[{"type":"object"}]}"#,
            r#"{"allOf":[{"type":"object"}]}"#,
        ),
        (
            r#"{"title":"T","description":5,"properties":{"common":{"type":"string"}},"anyOf":[
                {"properties":{"kind":{"const":"a"},"x":{"type":"string"}},"required":["kind","x"]},
                {"properties":{"kind":{"enum":["b",null]},"x":{"type":"number"}},"required":["kind"]},
                {"type":"null"}]}"#,
            r#"{"type":"object","title":"T","properties":{"common":{"type":"string"},"kind":{"enum":["a","b",null]},"x":{"type":"string"}},"required":["kind"],"additionalProperties":true}"#,
        ),
        (
            r#"{"oneOf":[{"properties":{"m":{"anyOf":[{"const":1},{"const":2}],"description":"d"}}},{"properties":{"m":{"const":3}}}],"required":["m"],"additionalProperties":false}"#,
            r#"{"type":"object","properties":{"m":{"description":"d","type":"number","enum":[1,2,3]}},"required":["m"],"additionalProperties":false}"#,
        ),
    ];
    for (input, expected) in cases {
        check(&CLAWROUTER_OPENAI, input, expected);
    }
}

#[test]
fn step4_provider_cleaning() {
    check(
        &CLAWROUTER_OPENAI,
        r#"{"type":"object","properties":{"l":{"type":"array"},"m":{"type":"array","items":{"type":"array"}}}}"#,
        r#"{"type":"object","properties":{"l":{"type":"array","items":{}},"m":{"type":"array","items":{"type":"array","items":{}}}}}"#,
    );
    let omit = GenericSchemaOptions {
        omit_empty_array_items: true,
        ..CLAWROUTER_OPENAI
    };
    check(
        &omit,
        r#"{"type":"object","properties":{"l":{"type":"array","items":{}},"m":{"type":"array"}}}"#,
        r#"{"type":"object","properties":{"l":{"type":"array"},"m":{"type":"array"}}}"#,
    );
    let llama = GenericSchemaOptions {
        tool_schema_profile: Some("llamacpp"),
        unsupported_keywords: &["format"],
        ..CLAWROUTER_OPENAI
    };
    check(
        &llama,
        r#"{"type":"object","properties":{"a":{"type":"string","pattern":"^x","maxLength":2000,"format":"uri"},"b":{"type":"string","maxLength":1999}}}"#,
        r#"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string","maxLength":1999}}}"#,
    );
}

#[test]
fn step4_gemini_like_models_are_cleaned() {
    let input = r#"{"type":"object","properties":{"a":{"type":"string","format":"email","nullable":true}}}"#;
    for model in [
        "google/gemini-3.5-flash",
        "gemini-2.5-pro",
        "vertex:gemini",
        "x/gemini.1",
    ] {
        let options = GenericSchemaOptions {
            model_id: model,
            ..CLAWROUTER_OPENAI
        };
        check(
            &options,
            input,
            r#"{"type":"object","properties":{"a":{"type":"string"}}}"#,
        );
    }
    let google_provider = GenericSchemaOptions {
        provider: "google",
        model_id: "gemma-3",
        ..CLAWROUTER_OPENAI
    };
    check(
        &google_provider,
        input,
        r#"{"type":"object","properties":{"a":{"type":"string"}}}"#,
    );
    // Not Gemini-like: google/gemma-…, "geminix", and any Anthropic provider.
    for (provider, model) in [
        ("clawrouter", "google/gemma-3"),
        ("clawrouter", "x/geminix"),
        ("anthropic-vertex", "gemini-2.5-pro"),
    ] {
        let options = GenericSchemaOptions {
            provider,
            model_id: model,
            ..CLAWROUTER_OPENAI
        };
        check(
            &options,
            input,
            r#"{"type":"object","properties":{"a":{"type":["string","null"],"format":"email"}}}"#,
        );
    }
}

#[test]
fn generic_pass_is_bounded() {
    let mut defs = serde_json::Map::new();
    for i in 0..30 {
        let next = format!("#/$defs/D{}", i + 1);
        defs.insert(
            format!("D{i}"),
            json!({"properties":{"l":{"$ref":next},"r":{"$ref":next}}}),
        );
    }
    let schema = json!({"$defs": defs, "properties": {"root": {"$ref": "#/$defs/D0"}}});
    let (out, diagnostics) =
        normalize_tool_parameter_schema(&schema, &CLAWROUTER_OPENAI, NormalizeLimits::DEFAULT);
    assert!(diagnostics.iter().any(|d| {
        d.to_string()
            .contains("$ref inlining exceeded 20000 schema nodes")
    }));
    assert!(serde_json::to_string(&out).unwrap().len() < 10_000_000);
}
