//! `GET /v1/catalog` (PROTOCOL.md §4.1, §4.2, §11 item 1).

use serde_json::Value;

use crate::support::{DEMO, SCOPED, UNMETERED, get, send, start};

/// The top-level keys OpenClaw's loader treats as pagination (PROTOCOL.md §4.1).
const PAGINATION_KEYS: [&str; 8] = [
    "next",
    "links",
    "has_more",
    "next_cursor",
    "last_id",
    "lastId",
    "nextPageToken",
    "next_page_token",
];

fn model_ids(catalog: &Value) -> Vec<String> {
    catalog["providers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|provider| provider["models"].as_array().unwrap())
        .map(|model| model["id"].as_str().unwrap().to_owned())
        .collect()
}

fn provider_ids(catalog: &Value) -> Vec<String> {
    catalog["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|provider| provider["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn catalog_is_scoped_to_the_key() {
    let emulator = start().await;
    // (key, providers, models)
    let cases: [(&str, &[&str], &[&str]); 3] = [
        (
            DEMO,
            &[
                "clawrouter",
                "openai",
                "anthropic",
                "google-gemini",
                "cohere",
                "legacy",
            ],
            // Metered: the unpriced openai/gpt-oss-lab is omitted.
            &[
                "clawrouter/fusion",
                "openai/gpt-5.5",
                "openai/gpt-4.1-mini",
                "anthropic/claude-sonnet-4-6",
                "google/gemini-3.5-flash",
                "cohere/command-a",
                "legacy/claude-old",
            ],
        ),
        (
            UNMETERED,
            &[
                "clawrouter",
                "openai",
                "anthropic",
                "google-gemini",
                "cohere",
                "legacy",
            ],
            &[
                "clawrouter/fusion",
                "openai/gpt-5.5",
                "openai/gpt-4.1-mini",
                "openai/gpt-oss-lab",
                "anthropic/claude-sonnet-4-6",
                "google/gemini-3.5-flash",
                "cohere/command-a",
                "legacy/claude-old",
            ],
        ),
        (SCOPED, &["anthropic"], &["anthropic/claude-sonnet-4-6"]),
    ];
    for (key, providers, models) in cases {
        let received = get(&emulator, "/v1/catalog", key).await;
        assert_eq!(received.status, 200);
        let catalog = received.json();
        assert_eq!(provider_ids(&catalog), providers);
        assert_eq!(model_ids(&catalog), models);
    }
}

#[tokio::test]
async fn catalog_shape_follows_the_server_contract() {
    let emulator = start().await;
    let received = get(&emulator, "/v1/catalog", DEMO).await;
    assert_eq!(
        received.header("cache-control").as_deref(),
        Some("no-store")
    );
    assert_eq!(
        received.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert!(received.header("x-request-id").is_some());
    assert!(
        received
            .header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let catalog = received.json();
    let top: Vec<&String> = catalog.as_object().unwrap().keys().collect();
    assert_eq!(top, ["version", "providers"]);
    for key in PAGINATION_KEYS {
        assert!(catalog.get(key).is_none(), "{key}");
    }
    assert_eq!(catalog["version"], "clawrouter.client-catalog.v1");
    let anthropic = &catalog["providers"][2];
    assert_eq!(
        anthropic,
        &serde_json::json!({
            "id": "anthropic",
            "displayName": "Anthropic",
            "allowed": true,
            "executable": true,
            "openaiCompatible": false,
            "nativeBaseUrl": "/v1/native/anthropic",
            "policies": ["team"],
            "readiness": {"id": "anthropic", "executable": true, "executableEndpoints": ["messages"]},
            "connectionTypes": ["api_key"],
            "routes": [{"endpoint": "messages", "methods": ["POST"], "path": "/v1/messages",
                        "requestFormat": "anthropic.messages", "responseFormat": "anthropic.messages",
                        "streaming": "sse"}],
            "models": [{
                "id": "anthropic/claude-sonnet-4-6", "upstream": "claude-sonnet-4-6",
                "capabilities": ["llm.messages"],
                "supportedReasoningEfforts": ["low", "medium", "high", "max"],
                "pricing_ref": "emulator/anthropic/claude-sonnet-4-6",
                "pricing": {"inputMicrosPerMillion": 3000000, "outputMicrosPerMillion": 15000000,
                            "cachedInputMicrosPerMillion": 300000,
                            "cacheWrite5mInputMicrosPerMillion": 3750000,
                            "maxInputTokens": 200000, "defaultMaxOutputTokens": 64000}
            }]
        })
    );
    // Every pricing value is a JSON number.
    for provider in catalog["providers"].as_array().unwrap() {
        for model in provider["models"].as_array().unwrap() {
            if let Some(pricing) = model.get("pricing") {
                for (name, value) in pricing.as_object().unwrap() {
                    assert!(value.is_u64(), "{name}: {value}");
                }
            }
        }
    }
}

/// The default scenario holds one model per transport and the rows a client must drop.
#[tokio::test]
async fn default_catalog_has_rows_to_drop() {
    let emulator = start().await;
    let catalog = get(&emulator, "/v1/catalog", UNMETERED).await.json();
    let providers = catalog["providers"].as_array().unwrap();
    let by_id = |id: &str| {
        providers
            .iter()
            .find(|provider| provider["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(by_id("clawrouter")["nativeBaseUrl"], "/v1");
    assert_eq!(by_id("legacy")["nativeBaseUrl"], "/native/legacy");
    assert_eq!(by_id("cohere")["routes"][0]["requestFormat"], "cohere.chat");
    assert_eq!(by_id("openai")["openaiCompatible"], true);
    let google = by_id("google-gemini");
    assert_eq!(
        google["routes"][0]["path"],
        "/v1beta/models/${model}:streamGenerateContent"
    );
    assert_eq!(
        google["models"][0]["capabilities"],
        serde_json::json!(["llm.generate", "llm.stream"])
    );
}

/// Every credential header of PROTOCOL.md §1 is accepted.
#[tokio::test]
async fn key_is_read_from_every_credential_header() {
    let emulator = start().await;
    let bearer = format!("Bearer {SCOPED}");
    for (name, value) in [
        ("authorization", bearer.as_str()),
        ("x-api-key", SCOPED),
        ("x-goog-api-key", SCOPED),
        ("api-key", SCOPED),
    ] {
        let received = send(&emulator, "GET", "/v1/catalog", &[(name, value)], None).await;
        assert_eq!(received.status, 200, "{name}");
        assert_eq!(provider_ids(&received.json()), ["anthropic"], "{name}");
    }
}
