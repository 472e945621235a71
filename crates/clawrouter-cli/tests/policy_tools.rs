//! `clawrouter policy tools` (CLI.md): the family of the model applied to stdin's tools.

use super::run;

const PERPLEXITY_IN: &str = r#"[{"name":"exec","description":"Run","parameters":{"type":"object","properties":{"env":{"type":"object","patternProperties":{"^.*$":{"type":"string"}},"additionalProperties":{"type":"string"}}},"additionalProperties":false}}]"#;

#[test]
fn perplexity_case_72_with_diagnostics() {
    let run = run(
        &["policy", "tools", "--model", "perplexity/sonar-pro"],
        PERPLEXITY_IN.as_bytes(),
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "[{\"name\":\"exec\",\"description\":\"Run\",\"parameters\":{\"type\":\"object\",\"properties\":{\"env\":{\"type\":\"object\",\"properties\":{}}}}}]\n"
    );
    assert_eq!(
        run.stderr,
        "perplexity: exec.parameters.properties.env.patternProperties: removed\n\
         perplexity: exec.parameters.properties.env.additionalProperties: removed\n\
         perplexity: exec.parameters.properties.env.properties: added\n\
         perplexity: exec.parameters.additionalProperties: removed\n"
    );
}

#[test]
fn openai_family_prints_the_input_unchanged() {
    let input = "\u{feff}[ {\"z\":1, \"name\":\"t\", \"parameters\":{\"b\":{}, \"a\":null}} ]";
    let run = run(
        &["policy", "tools", "--model", "openai/gpt-5.5"],
        input.as_bytes(),
    );
    assert_eq!(run.code, Some(0));
    assert_eq!(
        run.stdout,
        "[{\"z\":1,\"name\":\"t\",\"parameters\":{\"b\":{},\"a\":null}}]\n"
    );
    assert_eq!(run.stderr, "");
}

#[test]
fn gemini_worked_example_keeps_key_order() {
    let input = r##"[{"name":"t","parameters":{"type":"object","$schema":"https://json-schema.org/draft/2020-12/schema","additionalProperties":false,"properties":{"mode":{"description":"Mode","anyOf":[{"const":"fast","type":"string"},{"const":"safe","type":"string"}]},"count":{"type":["integer","null"],"minimum":1,"format":"int32"},"tags":{"type":"array","items":{"type":"string","minLength":1},"maxItems":5},"where":{"$ref":"#/$defs/Point","description":"A point"}},"required":["mode","ghost"],"$defs":{"Point":{"type":"object","properties":{"x":{"type":"number"}},"required":["x"]}}}}]"##;
    let run = run(
        &["policy", "tools", "--model", "google/gemini-3.5-flash"],
        input.as_bytes(),
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "[{\"name\":\"t\",\"parameters\":{\"type\":\"object\",\"properties\":{\"mode\":{\"type\":\"string\",\"enum\":[\"fast\",\"safe\"],\"description\":\"Mode\"},\"count\":{\"type\":\"integer\"},\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},\"where\":{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"number\"}},\"required\":[\"x\"],\"description\":\"A point\"}},\"required\":[\"mode\"]}}]\n"
    );
    assert!(
        run.stderr
            .contains("gemini: t.parameters.properties.where.$ref: inlined\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn deepseek_warns_about_what_remains() {
    let input =
        r#"[{"name":"t","parameters":{"anyOf":[{"type":"string"}],"oneOf":[{"type":"integer"}]}}]"#;
    let run = run(
        &["policy", "tools", "--model", "DeepSeek/deepseek-v4"],
        input.as_bytes(),
    );
    assert_eq!(run.code, Some(0));
    assert_eq!(
        run.stdout,
        "[{\"name\":\"t\",\"parameters\":{\"type\":\"string\",\"oneOf\":[{\"type\":\"integer\"}]}}]\n"
    );
    assert_eq!(
        run.stderr,
        "deepseek: t.parameters.anyOf: collapsed\nwarning: t.parameters.oneOf: still unsupported by deepseek\n"
    );
}

#[test]
fn bad_input_is_one_error_line_and_status_1() {
    let cases: &[(&str, &str)] = &[
        (
            "[{\"name\":\"t\",",
            "error: stdin is not valid JSON at byte 13: ",
        ),
        ("{}", "error: stdin must be a JSON array of tools"),
        (
            "[{\"parameters\":{}}]",
            "error: tool 0 has no string \"name\"",
        ),
    ];
    for (input, prefix) in cases {
        let run = run(
            &["policy", "tools", "--model", "google/gemini-3.5-flash"],
            input.as_bytes(),
        );
        assert_eq!(run.code, Some(1), "{input}");
        assert_eq!(run.stdout, "");
        assert!(run.stderr.starts_with(prefix), "{input}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1);
    }
    let run = run(&["policy", "tools"], b"[]");
    assert_eq!(run.code, Some(2));
}

#[test]
fn lone_surrogate_escapes_are_accepted() {
    let input = r#"[{"name":"t\ud800","parameters":{"type":"object","properties":{"a":{"type":"string","format":"x"}}}}]"#;
    let run = run(
        &["policy", "tools", "--model", "google/gemini-3.5-flash"],
        input.as_bytes(),
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "[{\"name\":\"t\u{fffd}\",\"parameters\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}}]\n"
    );
}
