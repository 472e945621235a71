//! PROTOCOL.md §4.10: dispatch-time preparation, for catalog models and for OpenClaw JSON.

use clawrouter_catalog::{prepare_openclaw_model, resolve_openclaw_model};
use clawrouter_wire::transport::Transport;
use serde_json::{Value, json};

use crate::support::{fixture_c, resolve};

/// Every transport of fixture C: what is sent, and where.
#[test]
fn dispatch_targets_of_fixture_c() {
    let catalog = resolve(&fixture_c(), Some("https://clawrouter.example/v1"));
    let rows: Vec<(Transport, String, String)> = catalog
        .models
        .iter()
        .map(|model| {
            let target = model.dispatch_target();
            (
                target.transport(),
                target.model_id().to_owned(),
                target.endpoint_url(),
            )
        })
        .collect();
    let expected = [
        (
            Transport::AnthropicMessages,
            "claude-sonnet-4-6",
            "https://clawrouter.example/v1/native/anthropic/v1/messages",
        ),
        (
            Transport::OpenAiCompletions,
            "deepseek/deepseek-v4-flash",
            "https://clawrouter.example/v1/chat/completions",
        ),
        (
            Transport::GoogleGenerativeAi,
            "gemini-3.5-flash",
            "https://clawrouter.example/v1/native/google-gemini/v1beta/models/gemini-3.5-flash:streamGenerateContent?alt=sse",
        ),
        (
            Transport::OpenAiResponses,
            "openai/gpt-5.6",
            "https://clawrouter.example/v1/responses",
        ),
    ];
    let expected: Vec<(Transport, String, String)> = expected
        .into_iter()
        .map(|(t, id, url)| (t, id.to_owned(), url.to_owned()))
        .collect();
    assert_eq!(rows, expected);
    let gemini = catalog
        .get("google/gemini-3.5-flash")
        .unwrap()
        .dispatch_target();
    assert_eq!(
        gemini.base_url(),
        "https://clawrouter.example/v1/native/google-gemini/v1beta"
    );
}

/// Case 24's model part: headers stay, params go, the upstream id is sent.
#[test]
fn case_24_prepare_native_model() {
    let model = json!({
        "api": "anthropic-messages", "id": "anthropic/claude-sonnet-4-6",
        "headers": {"x-request-id": "request-1"},
        "params": {"clawrouterRoute": {"api": "anthropic-messages",
            "baseUrl": "https://clawrouter.example/v1/native/anthropic", "upstreamModel": "claude-sonnet-4-6"}}
    });
    assert_eq!(
        prepare_openclaw_model(&model),
        json!({"api": "anthropic-messages", "id": "claude-sonnet-4-6", "headers": {"x-request-id": "request-1"}})
    );
}

/// §4.10 validity rules: invalid metadata changes nothing; other params survive.
#[test]
fn route_metadata_validity() {
    let route = |route: Value| json!({"id": "a/b", "api": "x", "baseUrl": "old", "params": {"clawrouterRoute": route, "temperature": 1}});
    let cases: [(Value, Value, Value); 5] = [
        // Valid: resolve copies api/baseUrl; prepare removes the route, keeps other params.
        (
            route(
                json!({"api": "openai-completions", "baseUrl": "https://r/v1", "upstreamModel": "b-up"}),
            ),
            json!({"id": "a/b", "api": "openai-completions", "baseUrl": "https://r/v1", "params": {"clawrouterRoute": {"api": "openai-completions", "baseUrl": "https://r/v1", "upstreamModel": "b-up"}, "temperature": 1}}),
            json!({"id": "b-up", "api": "x", "baseUrl": "old", "params": {"temperature": 1}}),
        ),
        // Unknown api → invalid, unchanged.
        (
            route(json!({"api": "cohere-chat", "baseUrl": "https://r/v1"})),
            route(json!({"api": "cohere-chat", "baseUrl": "https://r/v1"})),
            route(json!({"api": "cohere-chat", "baseUrl": "https://r/v1"})),
        ),
        // Empty baseUrl → invalid.
        (
            route(json!({"api": "openai-responses", "baseUrl": ""})),
            route(json!({"api": "openai-responses", "baseUrl": ""})),
            route(json!({"api": "openai-responses", "baseUrl": ""})),
        ),
        // Empty upstreamModel → the id stays.
        (
            route(json!({"api": "openai-responses", "baseUrl": "u", "upstreamModel": ""})),
            json!({"id": "a/b", "api": "openai-responses", "baseUrl": "u", "params": {"clawrouterRoute": {"api": "openai-responses", "baseUrl": "u", "upstreamModel": ""}, "temperature": 1}}),
            json!({"id": "a/b", "api": "x", "baseUrl": "old", "params": {"temperature": 1}}),
        ),
        // Not an object.
        (
            route(json!("openai-responses")),
            route(json!("openai-responses")),
            route(json!("openai-responses")),
        ),
    ];
    for (model, resolved, prepared) in cases {
        assert_eq!(resolve_openclaw_model(&model), resolved, "{model}");
        assert_eq!(prepare_openclaw_model(&model), prepared, "{model}");
    }
}

/// Google upstream ids are one path segment in the endpoint.
#[test]
fn google_endpoint_encodes_the_id() {
    let body = json!({"providers": [{"id": "g", "nativeBaseUrl": "/v1/native/g",
        "routes": [{"path": "/v1beta/models/${model}:streamGenerateContent", "methods": ["POST"], "requestFormat": "google.generate_content"}],
        "models": [{"id": "google/x", "upstream": "tuned/a b?", "capabilities": ["llm.stream"]}]}]});
    let catalog = resolve(&body, Some("https://r.example"));
    assert_eq!(
        catalog.models[0].dispatch_target().endpoint_url(),
        "https://r.example/v1/native/g/v1beta/models/tuned%2Fa%20b%3F:streamGenerateContent?alt=sse"
    );
}
