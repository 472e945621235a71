//! Model refs `clawrouter/<catalog id>`: parsing, display, selection with closest refs and the
//! allowlist (issue 5).

use clawrouter_catalog::{ModelRef, ModelRefError};
use serde_json::json;

use crate::support::{fixture_c, provider, resolve};

#[test]
fn parse_and_display() {
    let cases: [(&str, Option<&str>); 7] = [
        ("clawrouter/openai/gpt-5.5", Some("openai/gpt-5.5")),
        ("  clawrouter/codex-latest ", Some("codex-latest")),
        ("clawrouter/", None),
        ("openai/gpt-5.5", None),
        ("ClawRouter/openai/gpt-5.5", None),
        ("", None),
        ("clawrouter/ünï/模型", Some("ünï/模型")),
    ];
    for (input, expected) in cases {
        let parsed = ModelRef::parse(input).ok();
        assert_eq!(
            parsed.as_ref().map(ModelRef::catalog_id),
            expected,
            "{input:?}"
        );
        if let Some(parsed) = parsed {
            assert_eq!(
                parsed.to_string(),
                format!("clawrouter/{}", expected.unwrap())
            );
        }
    }
}

#[test]
fn select_with_messages() {
    let catalog = resolve(&fixture_c(), None);
    let allow = |refs: &[&str]| {
        refs.iter()
            .map(|s| (*s).to_owned())
            .collect::<Vec<String>>()
    };
    let only_openai = allow(&[" clawrouter/openai/gpt-5.6 "]);
    /// (ref, allowlist, selected id or error text)
    type Case<'a> = (&'a str, Option<&'a [String]>, Result<&'a str, &'a str>);
    let cases: [Case<'_>; 8] = [
        ("clawrouter/openai/gpt-5.6", None, Ok("openai/gpt-5.6")),
        (
            "clawrouter/openai/gpt-5.6",
            Some(&only_openai),
            Ok("openai/gpt-5.6"),
        ),
        (
            "clawrouter/openai/gpt-5.5",
            None,
            Err(
                "Unknown model: clawrouter/openai/gpt-5.5 (closest granted: clawrouter/openai/gpt-5.6, clawrouter/google/gemini-3.5-flash, clawrouter/anthropic/claude-sonnet-4-6)",
            ),
        ),
        (
            "clawrouter/cohere/command-a-plus-05-2026",
            None,
            Err(
                "Unknown model: clawrouter/cohere/command-a-plus-05-2026 (closest granted: clawrouter/google/gemini-3.5-flash, clawrouter/openai/gpt-5.6, clawrouter/anthropic/claude-sonnet-4-6)",
            ),
        ),
        (
            "clawrouter/anthropic/claude-sonet-4-6",
            Some(&only_openai),
            Err(
                "Unknown model: clawrouter/anthropic/claude-sonet-4-6 (closest granted: clawrouter/openai/gpt-5.6)",
            ),
        ),
        (
            "clawrouter/anthropic/claude-sonnet-4-6",
            Some(&only_openai),
            Err(
                "model clawrouter/anthropic/claude-sonnet-4-6 is granted by the key but not in the model allowlist: add \"clawrouter/anthropic/claude-sonnet-4-6\" to the allowlist to use it",
            ),
        ),
        (
            "openai/gpt-5.6",
            None,
            Err(
                "model ref \"openai/gpt-5.6\" must look like clawrouter/<catalog model id>, e.g. clawrouter/openai/gpt-5.5 (did you mean clawrouter/openai/gpt-5.6?)",
            ),
        ),
        (
            "gpt",
            None,
            Err(
                "model ref \"gpt\" must look like clawrouter/<catalog model id>, e.g. clawrouter/openai/gpt-5.5",
            ),
        ),
    ];
    for (wanted, allowlist, expected) in cases {
        let got = catalog
            .select(wanted, allowlist)
            .map(|model| model.id())
            .map_err(|error| error.to_string());
        assert_eq!(got, expected.map_err(str::to_owned), "{wanted}");
    }
}

#[test]
fn unknown_in_an_empty_catalog() {
    let catalog = resolve(
        &json!({"providers": [provider("p", false, json!([]), json!([]))]}),
        None,
    );
    let error = catalog.select("clawrouter/x", None).unwrap_err();
    assert_eq!(
        error,
        ModelRefError::Unknown {
            model_ref: "clawrouter/x".into(),
            closest: vec![]
        }
    );
    assert_eq!(
        error.to_string(),
        "Unknown model: clawrouter/x (the key grants no models)"
    );
}
