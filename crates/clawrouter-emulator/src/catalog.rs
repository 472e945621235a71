//! `GET /v1/catalog`, scoped to the presenting key's policy (PROTOCOL.md §4.2, §11 item 1).
//!
//! The body is `{"version": "clawrouter.client-catalog.v1", "providers": [...]}` and nothing
//! else: in particular none of the pagination keys of PROTOCOL.md §4.1 (`next`, `links`,
//! `has_more`, `next_cursor`, `last_id`, `lastId`, `nextPageToken`, `next_page_token`). Only the
//! providers the policy grants appear (`allowed: true`), each with only its granted models; a
//! metered policy omits unpriced models ("fail closed at discovery"). Rows are emitted as the
//! scenario says, so a scenario can hold rows a client must drop (an unsupported route format,
//! a Fusion-like provider with `nativeBaseUrl: "/v1"`, a `nativeBaseUrl` outside
//! `/v1/native/`). Prices and limits are JSON numbers.

use serde_json::{Map, Value, json};

use crate::scenario::{Model, Policy, Provider, Route, Scenario};

/// The catalog version string (PROTOCOL.md §4.2).
pub const CATALOG_VERSION: &str = "clawrouter.client-catalog.v1";

/// The catalog body for `policy`.
pub fn catalog_body(scenario: &Scenario, policy: &Policy) -> Value {
    let providers: Vec<Value> = scenario
        .providers
        .iter()
        .filter(|provider| policy.grants_provider(&provider.id))
        .map(|provider| provider_row(provider, policy))
        .collect();
    json!({"version": CATALOG_VERSION, "providers": providers})
}

fn provider_row(provider: &Provider, policy: &Policy) -> Value {
    let metered = policy.monthly_budget_usd.is_some();
    let models: Vec<Value> = provider
        .models
        .iter()
        .filter(|model| policy.grants_model(&provider.id, &model.id))
        .filter(|model| !metered || model.pricing.is_some())
        .map(model_row)
        .collect();
    let routes: Vec<Value> = provider.routes.iter().map(route_row).collect();
    let endpoints: Vec<&str> = provider.routes.iter().map(route_endpoint).collect();
    json!({
        "id": provider.id,
        "displayName": provider.display_name,
        "allowed": true,
        "executable": true,
        "openaiCompatible": provider.openai_compatible,
        "nativeBaseUrl": provider.native_base_url,
        "policies": [policy.id],
        "readiness": {"id": provider.id, "executable": true, "executableEndpoints": endpoints},
        "connectionTypes": ["api_key"],
        "routes": routes,
        "models": models,
    })
}

/// The route's endpoint name, as the real server labels it.
pub(crate) fn route_endpoint(route: &Route) -> &'static str {
    match route.request_format.as_str() {
        "anthropic.messages" => "messages",
        "google.generate_content" if route.path.contains(":streamGenerateContent") => {
            "stream_generate_content"
        }
        "google.generate_content" => "generate_content",
        _ => "other",
    }
}

fn route_row(route: &Route) -> Value {
    let streaming = match route_endpoint(route) {
        "messages" | "stream_generate_content" => "sse",
        _ => "none",
    };
    json!({
        "endpoint": route_endpoint(route),
        "methods": route.methods,
        "path": route.path,
        "requestFormat": route.request_format,
        "responseFormat": route.request_format,
        "streaming": streaming,
    })
}

fn model_row(model: &Model) -> Value {
    let mut row = Map::new();
    row.insert("id".to_owned(), Value::from(model.id.as_str()));
    row.insert("upstream".to_owned(), Value::from(model.upstream.as_str()));
    if let Some(name) = &model.display_name {
        row.insert("displayName".to_owned(), Value::from(name.as_str()));
    }
    row.insert("capabilities".to_owned(), json!(model.capabilities));
    if let Some(efforts) = &model.supported_reasoning_efforts {
        row.insert("supportedReasoningEfforts".to_owned(), json!(efforts));
    }
    if let Some(pricing) = &model.pricing {
        row.insert(
            "pricing_ref".to_owned(),
            Value::from(format!("emulator/{}", model.id)),
        );
        let mut fields = Map::new();
        fields.insert(
            "inputMicrosPerMillion".to_owned(),
            Value::from(pricing.input_micros_per_million),
        );
        fields.insert(
            "outputMicrosPerMillion".to_owned(),
            Value::from(pricing.output_micros_per_million),
        );
        let optional = [
            (
                "cachedInputMicrosPerMillion",
                pricing.cached_input_micros_per_million,
            ),
            (
                "cacheWrite5mInputMicrosPerMillion",
                pricing.cache_write5m_input_micros_per_million,
            ),
            ("maxInputTokens", pricing.max_input_tokens),
            ("defaultMaxOutputTokens", pricing.default_max_output_tokens),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                fields.insert(name.to_owned(), Value::from(value));
            }
        }
        row.insert("pricing".to_owned(), Value::Object(fields));
    }
    Value::Object(row)
}
