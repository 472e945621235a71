//! Explain: every dropped row and ignored field of `fixtures/catalog/explain.json`, exactly.

use clawrouter_catalog::{BaseUrl, DropKind, resolve_catalog};
use serde_json::json;

use crate::support::fixture;

#[test]
fn every_drop_has_an_actionable_reason() {
    let catalog = resolve_catalog(&fixture("catalog/explain.json"), &BaseUrl::new(None)).unwrap();
    let json = catalog.to_openclaw_json(true);
    assert_eq!(json["models"].as_array().unwrap().len(), 1);
    assert_eq!(
        json["dropped"],
        json!([
            {"provider": null, "model": null, "reason": "provider row #0 dropped: not an object (got the string \"not a provider\")"},
            {"provider": null, "model": null, "reason": "provider row #1 dropped: id must be a non-empty string (got a blank string)"},
            {"provider": "fusion", "model": null, "reason": "provider dropped: nativeBaseUrl must start with /v1/native/ (got \"/v1\")"},
            {"provider": "escape", "model": null, "reason": "provider dropped: nativeBaseUrl \"/v1/native/../../admin\" contains a '.' or '..' path segment; it must be a plain path under /v1/native/"},
            {"provider": "openai", "model": "openai/gpt-5.6", "reason": "model row #1 dropped: duplicate id, first defined by provider openai"},
            {"provider": "openai", "model": "openai/no-upstream", "reason": "model dropped: upstream must be a non-empty string (got nothing)"},
            {"provider": "openai", "model": null, "reason": "model row #3 dropped: id must be a non-empty string (got nothing)"},
            {"provider": "google-gemini", "model": "google/gemini-3.5-flash", "reason": "model dropped: no supported transport: capability llm.generate alone is not enough: Google models need llm.stream"},
            {"provider": "cohere", "model": "cohere/command-a-plus-05-2026", "reason": "model dropped: no supported transport: capability llm.chat needs a provider with openaiCompatible: true; route format cohere.chat is not a supported transport"}
        ])
    );
    assert_eq!(
        json["ignored"],
        json!([
            {"provider": "openai", "model": null, "reason": "route #0 ignored: requestFormat must be a non-empty string (got nothing)"},
            {"provider": "openai", "model": null, "reason": "route #1 ignored: not an object (got the number 7)"},
            {"provider": "openai", "model": "openai/gpt-5.6", "reason": "supportedReasoningEfforts ignored: no canonical effort (none, minimal, low, medium, high, xhigh, max)"},
            {"provider": "openai", "model": "openai/gpt-5.6", "reason": "pricing field inputMicrosPerMillion ignored: not a finite JSON number ≥ 0 (got the string \"3000000\")"},
            {"provider": "openai", "model": "openai/gpt-5.6", "reason": "pricing field maxInputTokens ignored: not a positive integer (got the number 1.5)"}
        ])
    );
    let kinds: Vec<(DropKind, usize, Option<usize>)> = catalog
        .dropped
        .iter()
        .map(|row| (row.kind, row.provider_row, row.model_row))
        .collect();
    assert_eq!(
        kinds,
        [
            (DropKind::Provider, 0, None),
            (DropKind::Provider, 1, None),
            (DropKind::Provider, 2, None),
            (DropKind::Provider, 3, None),
            (DropKind::Model, 4, Some(1)),
            (DropKind::Model, 4, Some(2)),
            (DropKind::Model, 4, Some(3)),
            (DropKind::Model, 5, Some(0)),
            (DropKind::Model, 6, Some(0)),
        ]
    );
    // Without --explain the shape is exactly {baseUrl, api, models}.
    let plain = catalog.to_openclaw_json(false);
    let keys: Vec<&String> = plain.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["baseUrl", "api", "models"]);
    assert!(!plain.to_string().contains("apiKey"));
}

/// Other explained shapes: missing Anthropic route, misplaced Google placeholder, efforts list
/// too long, pricing not an object, models not an array.
#[test]
fn more_reasons() {
    let body = json!({"providers": [
        {"id": "anthropic", "nativeBaseUrl": "/v1/native/anthropic", "routes": {"path": "/v1/messages"},
         "models": [{"id": "anthropic/c", "upstream": "c", "capabilities": ["llm.messages"]}]},
        {"id": "g", "nativeBaseUrl": "/v1/native/g",
         "routes": [{"path": "/models/${model}:streamGenerateContent", "methods": ["POST"], "requestFormat": "google.generate_content"}],
         "models": [{"id": "google/m", "upstream": "m", "capabilities": ["llm.stream"]}]},
        {"id": "o", "openaiCompatible": true, "nativeBaseUrl": "/v1/native/o",
         "models": [{"id": "o/m", "upstream": "m", "capabilities": ["llm.chat"], "pricing": [1],
                     "supportedReasoningEfforts": ["none","minimal","low","medium","high","xhigh","max","max"]}]},
        {"id": "empty", "nativeBaseUrl": "/v1/native/empty", "models": {"id": "x"}},
        {"id": 5, "nativeBaseUrl": "/v1/native/x"},
        {"id": "nobase"},
    ]});
    let bytes = serde_json::to_vec(&body).unwrap();
    let catalog = resolve_catalog(&bytes, &BaseUrl::new(None)).unwrap();
    let reasons: Vec<&str> = catalog
        .dropped
        .iter()
        .map(|row| row.reason.as_str())
        .collect();
    assert_eq!(
        reasons,
        [
            "model dropped: no supported transport: capability llm.messages needs a POST route with requestFormat anthropic.messages; the provider has none",
            "model dropped: no supported transport: the first streaming Google route path \"/models/${model}:streamGenerateContent\" must contain /models/${model} after a prefix (later routes are not considered)",
            "provider row #4 dropped: id must be a non-empty string (got the number 5)",
            "provider dropped: nativeBaseUrl must be a string starting with /v1/native/ (got nothing)",
        ]
    );
    let ignored: Vec<&str> = catalog
        .ignored
        .iter()
        .map(|field| field.reason.as_str())
        .collect();
    assert_eq!(
        ignored,
        [
            "routes ignored: not an array (got an object)",
            "models ignored: not an array (got an object); the provider has no models",
            "supportedReasoningEfforts ignored: more than 7 entries",
            "pricing ignored: not an object (got an array); cost counts as 0",
        ]
    );
}
