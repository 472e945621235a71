//! PROTOCOL.md §12.1 (catalog building) and §12.2 (catalog proxy policy), the §4.7 examples and
//! the catalog-side §14 decisions (D6, D7, D8, D12, D17, D18).

use clawrouter_catalog::{
    BaseUrl, CatalogError, InputModality, MAX_CATALOG_BODY_BYTES, NetworkMode, ReasoningEffort,
    ResolveOptions, RouterRequest, prepare_openclaw_model, resolve_catalog, resolve_openclaw_model,
};
use clawrouter_wire::transport::Transport;
use serde_json::{Value, json};

use crate::support::{fixture, fixture_c, ids, model_json, provider, resolve, resolve_with};

const EXAMPLE_V1: Option<&str> = Some("https://clawrouter.example/v1");

/// Case 1: ids in localeCompare order; no cohere model.
#[test]
fn case_01_fixture_c_ids_in_order() {
    let catalog = resolve(&fixture_c(), EXAMPLE_V1);
    assert_eq!(
        ids(&catalog),
        [
            "anthropic/claude-sonnet-4-6",
            "deepseek/deepseek-v4-flash",
            "google/gemini-3.5-flash",
            "openai/gpt-5.6"
        ]
    );
    assert_eq!(catalog.raw_provider_count(), 5);
}

/// Cases 2–5: every field of the four models, as OpenClaw's JSON, with key order.
#[test]
fn cases_02_to_05_model_fields() {
    let catalog = resolve(&fixture_c(), EXAMPLE_V1);
    let cases: [(&str, &str); 4] = [
        // Case 2.
        (
            "openai/gpt-5.6",
            r#"{"id":"openai/gpt-5.6","name":"OpenAI · gpt-5.6","api":"openai-responses","baseUrl":"https://clawrouter.example/v1","reasoning":true,"thinkingLevelMap":{"off":"none","minimal":null,"low":"low","medium":"medium","high":"high","xhigh":"xhigh","max":"max"},"compat":{"supportsReasoningEffort":true,"supportedReasoningEfforts":["none","low","medium","high","xhigh","max"]},"input":["text","image"],"cost":{"input":3,"output":15,"cacheRead":0.3,"cacheWrite":3.75},"contextWindow":1000000,"maxTokens":64000,"params":{"clawrouterRoute":{"api":"openai-responses","baseUrl":"https://clawrouter.example/v1"}}}"#,
        ),
        // Case 3: no compat, no thinking map.
        (
            "deepseek/deepseek-v4-flash",
            r#"{"id":"deepseek/deepseek-v4-flash","name":"DeepSeek · deepseek-v4-flash","api":"openai-completions","baseUrl":"https://clawrouter.example/v1","reasoning":true,"input":["text"],"cost":{"input":0,"output":0,"cacheRead":0,"cacheWrite":0},"contextWindow":200000,"maxTokens":32768,"params":{"clawrouterRoute":{"api":"openai-completions","baseUrl":"https://clawrouter.example/v1"}}}"#,
        ),
        // Case 4.
        (
            "anthropic/claude-sonnet-4-6",
            r#"{"id":"anthropic/claude-sonnet-4-6","name":"Anthropic · claude-sonnet-4-6","api":"anthropic-messages","baseUrl":"https://clawrouter.example/v1/native/anthropic","reasoning":true,"input":["text","image"],"cost":{"input":3,"output":15,"cacheRead":0.3,"cacheWrite":3.75},"contextWindow":1000000,"maxTokens":64000,"params":{"clawrouterRoute":{"api":"anthropic-messages","baseUrl":"https://clawrouter.example/v1/native/anthropic","upstreamModel":"claude-sonnet-4-6"}}}"#,
        ),
        // Case 5.
        (
            "google/gemini-3.5-flash",
            r#"{"id":"google/gemini-3.5-flash","name":"Google Gemini · google/gemini-3.5-flash","api":"google-generative-ai","baseUrl":"https://clawrouter.example/v1/native/google-gemini/v1beta","reasoning":true,"input":["text","image"],"cost":{"input":0,"output":0,"cacheRead":0,"cacheWrite":0},"contextWindow":200000,"maxTokens":32768,"params":{"clawrouterRoute":{"api":"google-generative-ai","baseUrl":"https://clawrouter.example/v1/native/google-gemini/v1beta","upstreamModel":"gemini-3.5-flash"}}}"#,
        ),
    ];
    for (id, expected) in cases {
        assert_eq!(model_json(&catalog, id).to_string(), expected, "{id}");
    }
    // The typed accessors agree with the JSON.
    let openai = catalog.get("openai/gpt-5.6").unwrap();
    assert_eq!(openai.transport(), Transport::OpenAiResponses);
    assert_eq!(openai.input(), [InputModality::Text, InputModality::Image]);
    assert_eq!(openai.context_window(), 1_000_000);
    assert_eq!(openai.max_tokens(), 64_000);
    assert_eq!(openai.upstream_model(), None);
    assert_eq!(openai.provider(), "openai");
}

/// Case 6: an alias whose upstream differs never leaks the upstream id (OpenAI transport).
#[test]
fn case_06_alias_never_leaks_upstream() {
    for upstream in ["codex-latest", "synthetic-upstream-sentinel"] {
        let mut body = fixture_c();
        body["providers"] = json!([body["providers"][0].clone()]);
        body["providers"][0]["models"] = json!([{
            "id": "codex-latest", "displayName": "Codex (Latest)", "upstream": upstream,
            "capabilities": ["llm.responses"]
        }]);
        let catalog = resolve(&body, Some("https://clawrouter.example/private"));
        assert_eq!(ids(&catalog), ["codex-latest"]);
        let model = &catalog.models[0];
        assert_eq!(
            (model.name(), model.transport(), model.base_url()),
            (
                "Codex (Latest)",
                Transport::OpenAiResponses,
                "https://clawrouter.example/private/v1"
            )
        );
        let prepared = prepare_openclaw_model(&resolve_openclaw_model(&model.to_openclaw_json()));
        assert_eq!(prepared["id"], "codex-latest");
        assert_eq!(prepared["name"], "Codex (Latest)");
        assert_eq!(prepared.get("params"), None);
        assert_eq!(model.dispatch_target().model_id(), "codex-latest");
        let serialized = catalog.to_openclaw_json(true).to_string();
        assert!(
            !serialized.contains("synthetic-upstream-sentinel"),
            "{serialized}"
        );
        assert!(!format!("{catalog:?}").contains("synthetic-upstream-sentinel"));
        assert_eq!(
            catalog.to_openclaw_json(false)["baseUrl"],
            "https://clawrouter.example/private/v1"
        );
    }
}

/// Case 7: another catalog for another endpoint shares nothing (the crate keeps no state).
#[test]
fn case_07_no_bleed_between_resolutions() {
    let catalog = resolve(&fixture_c(), Some("https://clawrouter.example"));
    assert!(!ids(&catalog).contains(&"codex-latest"));
}

/// Case 8: preparing a native model sends the upstream id; an OpenAI model its catalog id.
#[test]
fn case_08_native_rewrite() {
    let catalog = resolve(&fixture_c(), Some("https://clawrouter.example"));
    let anthropic = catalog.get("anthropic/claude-sonnet-4-6").unwrap();
    let resolved = resolve_openclaw_model(&anthropic.to_openclaw_json());
    assert_eq!(
        (&resolved["id"], &resolved["api"]),
        (
            &json!("anthropic/claude-sonnet-4-6"),
            &json!("anthropic-messages")
        )
    );
    let prepared = prepare_openclaw_model(&resolved);
    assert_eq!(prepared["id"], "claude-sonnet-4-6");
    assert_eq!(prepared.get("params"), None);
    assert_eq!(anthropic.dispatch_target().model_id(), "claude-sonnet-4-6");

    let openai = catalog.get("openai/gpt-5.6").unwrap();
    let prepared = prepare_openclaw_model(&resolve_openclaw_model(&openai.to_openclaw_json()));
    assert_eq!(prepared["id"], "openai/gpt-5.6");
    assert_eq!(openai.dispatch_target().model_id(), "openai/gpt-5.6");
}

fn with_efforts(efforts: Value) -> Value {
    let mut body = fixture_c();
    body["providers"][0]["models"][0]["supportedReasoningEfforts"] = efforts;
    body
}

/// Cases 9 and 10, and the §4.7 examples.
#[test]
fn cases_09_10_reasoning_efforts() {
    let cases: [(Value, Option<Value>); 5] = [
        // Case 9.
        (
            json!(["max", "none", "ultra", "low", "low", null, "xhigh"]),
            Some(
                json!({"off":"none","minimal":null,"low":"low","medium":null,"high":null,"xhigh":"xhigh","max":"max"}),
            ),
        ),
        // Case 10: 8 entries.
        (
            json!([
                "none", "minimal", "low", "medium", "high", "xhigh", "max", "ultra"
            ]),
            None,
        ),
        // 7 entries with duplicates and null still count as 7.
        (
            json!(["low", "low", null, null, "high", "x", "y"]),
            Some(
                json!({"off":null,"minimal":null,"low":"low","medium":null,"high":"high","xhigh":null,"max":null}),
            ),
        ),
        (json!("low"), None),
        (json!(["ultra", "custom"]), None),
    ];
    for (efforts, expected_map) in cases {
        let catalog = resolve(&with_efforts(efforts.clone()), EXAMPLE_V1);
        let model = model_json(&catalog, "openai/gpt-5.6");
        assert_eq!(
            model.get("thinkingLevelMap"),
            expected_map.as_ref(),
            "{efforts}"
        );
        let expected_compat = expected_map.as_ref().map(|map| {
            let efforts: Vec<&Value> = map
                .as_object()
                .unwrap()
                .values()
                .filter(|v| !v.is_null())
                .collect();
            json!({"supportsReasoningEffort": true, "supportedReasoningEfforts": efforts})
        });
        assert_eq!(model.get("compat"), expected_compat.as_ref(), "{efforts}");
    }
    let catalog = resolve(
        &with_efforts(json!(["max", "none", "ultra", "low", "low", null, "xhigh"])),
        EXAMPLE_V1,
    );
    let set = catalog
        .get("openai/gpt-5.6")
        .unwrap()
        .reasoning_efforts()
        .unwrap();
    let efforts: Vec<ReasoningEffort> = set.iter().collect();
    assert_eq!(
        efforts,
        [
            ReasoningEffort::None,
            ReasoningEffort::Low,
            ReasoningEffort::Xhigh,
            ReasoningEffort::Max
        ]
    );
}

/// Case 10's consequence: without efforts, reasoning comes from the heuristic (§4.8).
#[test]
fn reasoning_falls_back_to_the_heuristic() {
    let mut body = json!({"providers": [provider("acme", true, json!([]), json!([
        {"id": "acme/plain-1", "upstream": "p", "capabilities": ["llm.chat"],
         "supportedReasoningEfforts": ["none","minimal","low","medium","high","xhigh","max","ultra"]},
        {"id": "acme/grok-4-fast", "upstream": "g", "capabilities": ["llm.chat"]},
        {"id": "acme/GPT-4o", "upstream": "g", "capabilities": ["llm.chat"]},
        {"id": "acme/r1-reasoner", "upstream": "g", "capabilities": ["llm.chat"]},
    ]))]});
    body["providers"][0]["displayName"] = json!("Acme");
    let catalog = resolve(&body, None);
    let rows: Vec<(&str, bool, Vec<&str>)> = catalog
        .models
        .iter()
        .map(|m| {
            (
                m.id(),
                m.reasoning(),
                m.input().iter().map(|i| i.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("acme/GPT-4o", false, vec!["text", "image"]),
            ("acme/grok-4-fast", true, vec!["text"]),
            ("acme/plain-1", false, vec!["text"]),
            ("acme/r1-reasoner", true, vec!["text"]),
        ]
    );
}

/// Case 12: Gemini without the streaming route and with `llm.generate` only.
#[test]
fn case_12_gemini_without_streaming_route() {
    let mut body = fixture_c();
    let gemini = &mut body["providers"][3];
    gemini["routes"] = json!([gemini["routes"][0].clone()]);
    gemini["models"][0]["capabilities"] = json!(["llm.generate"]);
    let catalog = resolve(&body, EXAMPLE_V1);
    assert!(catalog.get("google/gemini-3.5-flash").is_none());
    let reasons: Vec<&str> = catalog
        .dropped
        .iter()
        .filter(|row| row.provider.as_deref() == Some("google-gemini"))
        .map(|row| row.reason.as_str())
        .collect();
    assert_eq!(
        reasons,
        [
            "model dropped: no supported transport: capability llm.generate alone is not enough: Google models need llm.stream"
        ]
    );
}

/// Case 13 (P4v, behind the option of §14 D4) and case 39.
#[test]
fn case_13_39_advertised_input_modalities() {
    let mut body = fixture_c();
    body["providers"][0]["models"][0]["input_modalities"] = json!(["text"]);
    body["providers"][1]["models"][0]["architecture"] = json!({"modality": "text->video+image"});
    body["providers"][3]["models"][0]["input_modalities"] =
        json!(["text", "image", "video", "audio"]);
    body["providers"].as_array_mut().unwrap().push(provider(
        "moonshot",
        true,
        json!([]),
        json!([{"id": "moonshot/kimi-k3", "upstream": "kimi-k3", "capabilities": ["llm.chat"],
                "input_modalities": ["text", "image", "video", "audio"]}]),
    ));
    let on = ResolveOptions::default().with_advertised_input_modalities(true);
    let catalog = resolve_with(&body, EXAMPLE_V1, on);
    let input = |id: &str| model_json(&catalog, id)["input"].clone();
    assert_eq!(input("openai/gpt-5.6"), json!(["text"]));
    assert_eq!(input("deepseek/deepseek-v4-flash"), json!(["text"]));
    assert_eq!(
        input("google/gemini-3.5-flash"),
        json!(["text", "image", "video"])
    );
    assert_eq!(input("moonshot/kimi-k3"), json!(["text", "image", "video"]));
    assert_eq!(
        model_json(&catalog, "moonshot/kimi-k3")["api"],
        "openai-completions"
    );
    // Off by default: the heuristic.
    let catalog = resolve(&body, EXAMPLE_V1);
    assert_eq!(
        model_json(&catalog, "openai/gpt-5.6")["input"],
        json!(["text", "image"])
    );
    assert_eq!(
        model_json(&catalog, "moonshot/kimi-k3")["input"],
        json!(["text"])
    );
}

/// §4.9 sources, in their order of precedence.
#[test]
fn advertised_modality_sources() {
    let cases: [(Value, Value); 7] = [
        (
            json!({"inputModalities": ["image", "text"]}),
            json!(["text", "image"]),
        ),
        (json!({"input": ["video"]}), json!(["text", "video"])),
        (
            json!({"architecture": {"input_modalities": ["image"]}}),
            json!(["text", "image"]),
        ),
        (
            json!({"input_modalities": [], "architecture": {"input_modalities": ["image"]}}),
            json!(["text"]),
        ),
        (
            json!({"modality": " text+image -> text "}),
            json!(["text", "image"]),
        ),
        (
            json!({"architecture": {"modality": "text"}, "modality": "text+image->text"}),
            json!(["text"]),
        ),
        (json!({"input": "image"}), json!(["text"])),
    ];
    for (extra, expected) in cases {
        let mut model = json!({"id": "acme/m", "upstream": "m", "capabilities": ["llm.chat"]});
        for (key, value) in extra.as_object().unwrap() {
            model[key] = value.clone();
        }
        let body = json!({"providers": [provider("acme", true, json!([]), json!([model]))]});
        let catalog = resolve_with(
            &body,
            None,
            ResolveOptions::default().with_advertised_input_modalities(true),
        );
        assert_eq!(model_json(&catalog, "acme/m")["input"], expected, "{extra}");
    }
}

/// Cases 16–20: the catalog request's network mode follows from the normalized origin
/// (`trusted_env_proxy` with `requireHttps` on the public origin, strict direct elsewhere);
/// `{providers:[]}` is an empty catalog. The client's requests through a real proxy are in
/// `crates/clawrouter-cli/tests/proxy.rs`.
#[test]
fn cases_16_to_20_catalog_network_mode_and_empty_catalog() {
    const ENV_HTTPS: NetworkMode = NetworkMode::TrustedEnvProxy {
        require_https: true,
    };
    let cases: [(Option<&str>, NetworkMode); 4] = [
        (None, ENV_HTTPS),
        (Some("https://clawrouter.openclaw.ai"), ENV_HTTPS),
        (Some("https://clawrouter.openclaw.ai/v1/"), ENV_HTTPS),
        (
            Some("https://clawrouter.example/v1"),
            NetworkMode::StrictDirect,
        ),
    ];
    for (input, mode) in cases {
        let base = BaseUrl::new(input);
        assert_eq!(base.network_mode(RouterRequest::Catalog), mode, "{input:?}");
        assert_eq!(base.is_default_origin(), mode == ENV_HTTPS, "{input:?}");
        let catalog = resolve_catalog(br#"{"providers":[]}"#, &base).unwrap();
        assert!(catalog.models.is_empty() && catalog.dropped.is_empty());
        assert_eq!(catalog.raw_provider_count(), 0);
    }
}

/// Case 34: the live catalog L with the default base URL.
#[test]
fn case_34_live_catalog_default_base() {
    let catalog = resolve_catalog(&fixture("catalog/live-l.json"), &BaseUrl::new(None)).unwrap();
    let model = model_json(&catalog, "openai/gpt-5.5");
    assert_eq!(model["api"], "openai-responses");
    assert_eq!(model["baseUrl"], "https://clawrouter.openclaw.ai/v1");
    assert_eq!(
        model["params"]["clawrouterRoute"],
        json!({"api": "openai-responses", "baseUrl": "https://clawrouter.openclaw.ai/v1"})
    );
}

/// The 0.2.0 server example: the Fusion pseudo-provider is dropped with its reason (D8).
#[test]
fn server_example_drops_fusion() {
    let catalog = resolve_catalog(
        &fixture("catalog/server-0.2.0-example.json"),
        &BaseUrl::new(None),
    )
    .unwrap();
    assert_eq!(ids(&catalog), ["anthropic/claude-sonnet-4-6"]);
    assert_eq!(catalog.dropped.len(), 1);
    assert_eq!(catalog.dropped[0].provider.as_deref(), Some("clawrouter"));
    assert_eq!(
        catalog.dropped[0].reason,
        "provider dropped: nativeBaseUrl must start with /v1/native/ (got \"/v1\")"
    );
    assert_eq!(
        catalog
            .get("anthropic/claude-sonnet-4-6")
            .unwrap()
            .context_window(),
        200_000
    );
}

/// §4.6 cost: the cache-write fallbacks, D7's generic rate third.
#[test]
fn cost_cache_write_fallbacks() {
    let cases: [(Value, Value); 5] = [
        (
            json!({"cacheWrite5mInputMicrosPerMillion": 3_750_000, "cacheWrite1hInputMicrosPerMillion": 6_000_000}),
            json!(3.75),
        ),
        (
            json!({"cacheWrite1hInputMicrosPerMillion": 6_000_000, "cacheWriteInputMicrosPerMillion": 1}),
            json!(6),
        ),
        (
            json!({"cacheWriteInputMicrosPerMillion": 1_250_000}),
            json!(1.25),
        ),
        (
            json!({"cacheWrite5mInputMicrosPerMillion": -1, "cacheWriteInputMicrosPerMillion": 500_000}),
            json!(0.5),
        ),
        (json!({}), json!(0)),
    ];
    for (pricing, expected) in cases {
        let body = json!({"providers": [provider("acme", true, json!([]), json!([
            {"id": "acme/m", "upstream": "m", "capabilities": ["llm.chat"], "pricing": pricing}]))]});
        let catalog = resolve(&body, None);
        assert_eq!(
            model_json(&catalog, "acme/m")["cost"]["cacheWrite"],
            expected,
            "{pricing}"
        );
    }
}

/// §4.3 rule 5: number-only, range-checked pricing; token limits must be safe integers > 0.
#[test]
fn pricing_field_rules() {
    let cases: [(Value, Value, u64, u64); 6] = [
        (
            json!({"inputMicrosPerMillion": "3000000"}),
            json!(0),
            200_000,
            32_768,
        ),
        (
            json!({"inputMicrosPerMillion": 0, "maxInputTokens": 0}),
            json!(0),
            200_000,
            32_768,
        ),
        (
            json!({"inputMicrosPerMillion": 1.5, "maxInputTokens": 9_007_199_254_740_991_u64}),
            json!(0.0000015),
            9_007_199_254_740_991,
            32_768,
        ),
        (
            json!({"maxInputTokens": 9_007_199_254_740_992_u64, "defaultMaxOutputTokens": 8192.0}),
            json!(0),
            200_000,
            8192,
        ),
        (
            json!({"maxInputTokens": -5, "defaultMaxOutputTokens": "64000"}),
            json!(0),
            200_000,
            32_768,
        ),
        (
            json!({"inputMicrosPerMillion": null, "defaultMaxOutputTokens": 1e3}),
            json!(0),
            200_000,
            1000,
        ),
    ];
    for (pricing, input_cost, context, max_tokens) in cases {
        let body = json!({"providers": [provider("acme", true, json!([]), json!([
            {"id": "acme/m", "upstream": "m", "capabilities": ["llm.chat"], "pricing": pricing}]))]});
        let catalog = resolve(&body, None);
        let model = model_json(&catalog, "acme/m");
        assert_eq!(
            (
                &model["cost"]["input"],
                model["contextWindow"].as_u64().unwrap(),
                model["maxTokens"].as_u64().unwrap()
            ),
            (&input_cost, context, max_tokens),
            "{pricing}"
        );
    }
}

/// §4.3 reading rules: trimmed strings, exact booleans, upper-cased methods, string lists.
#[test]
fn reading_rules() {
    let body = json!({"providers": [
        {"id": " openai ", "displayName": "  ", "openaiCompatible": "true", "nativeBaseUrl": " /v1/native/openai/ ",
         "routes": [{"path": " /v1/messages ", "methods": [" post ", 3], "requestFormat": " anthropic.messages "}],
         "models": [{"id": " openai/claude-x ", "upstream": " up ", "displayName": 7,
                     "capabilities": [" llm.messages ", "", 5, "llm.chat"]}]},
        {"id": "other", "openaiCompatible": true, "nativeBaseUrl": "/v1/native/other",
         "models": [{"id": "other/m", "upstream": "m", "capabilities": "llm.chat"}]},
    ]});
    let catalog = resolve(&body, Some("https://r.example"));
    assert_eq!(ids(&catalog), ["openai/claude-x"]);
    let model = catalog.get("openai/claude-x").unwrap();
    // "true" is not true: not OpenAI-compatible, so llm.chat does not apply; llm.messages does.
    assert_eq!(model.transport(), Transport::AnthropicMessages);
    // The trailing `/` of nativeBaseUrl is kept.
    assert_eq!(model.base_url(), "https://r.example/v1/native/openai/");
    assert_eq!(model.upstream_model(), Some("up"));
    assert_eq!(model.name(), "openai · claude-x");
    assert_eq!(
        catalog
            .dropped
            .iter()
            .map(|row| row.reason.as_str())
            .collect::<Vec<_>>(),
        [
            "model dropped: no supported transport: no capability maps to a transport (capabilities []; needed: llm.responses or llm.chat on an openaiCompatible provider, llm.messages, or llm.stream)"
        ]
    );
}

/// §4.4 rule 4 details: only the first qualifying Google route counts; `${model}` at position
/// 0 or missing drops the model; later routes are not considered.
#[test]
fn google_route_rules() {
    let route = |path: &str, methods: Value| json!({"path": path, "methods": methods, "requestFormat": "google.generate_content"});
    let cases: [(Value, Option<&str>); 6] = [
        (
            json!([route(
                "/v1beta/models/${model}:streamGenerateContent",
                json!(["POST"])
            )]),
            Some("https://g.example/v1/native/g/v1beta"),
        ),
        (
            json!([route(
                "/models/${model}:streamGenerateContent",
                json!(["POST"])
            )]),
            None,
        ),
        (
            json!([
                route(
                    "/v1beta/models/{model}:streamGenerateContent",
                    json!(["POST"])
                ),
                route("/v1/models/${model}:streamGenerateContent", json!(["POST"]))
            ]),
            None,
        ),
        (
            json!([
                route(
                    "/v1beta/models/${model}:streamGenerateContent",
                    json!(["GET"])
                ),
                route(
                    "/a/b/models/${model}:streamGenerateContent",
                    json!(["post"])
                )
            ]),
            Some("https://g.example/v1/native/g/a/b"),
        ),
        (
            json!([route(
                "/v1beta/../models/${model}:streamGenerateContent",
                json!(["POST"])
            )]),
            None,
        ),
        (
            json!([route(
                "/v1beta/models/${model}:generateContent",
                json!(["POST"])
            )]),
            None,
        ),
    ];
    for (routes, expected) in cases {
        let body = json!({"providers": [provider("g", false, routes.clone(), json!([
            {"id": "google/m", "upstream": "m", "capabilities": ["llm.stream"]}]))]});
        let catalog = resolve(&body, Some("https://g.example"));
        assert_eq!(
            catalog.get("google/m").map(|m| m.base_url()),
            expected,
            "{routes}"
        );
    }
}

/// §4.4 precedence: responses before chat before anthropic before google.
#[test]
fn transport_precedence() {
    let routes = json!([
        {"path": "/v1/messages", "methods": ["POST"], "requestFormat": "anthropic.messages"},
        {"path": "/v1beta/models/${model}:streamGenerateContent", "methods": ["POST"], "requestFormat": "google.generate_content"}
    ]);
    let cases: [(bool, Value, Option<Transport>); 6] = [
        (
            true,
            json!(["llm.stream", "llm.messages", "llm.chat", "llm.responses"]),
            Some(Transport::OpenAiResponses),
        ),
        (
            true,
            json!(["llm.stream", "llm.messages", "llm.chat"]),
            Some(Transport::OpenAiCompletions),
        ),
        (
            true,
            json!(["llm.stream", "llm.messages"]),
            Some(Transport::AnthropicMessages),
        ),
        (
            false,
            json!(["llm.responses", "llm.stream"]),
            Some(Transport::GoogleGenerativeAi),
        ),
        (false, json!(["LLM.STREAM", "llm.generate"]), None),
        (false, json!(["llm.responses", "llm.chat"]), None),
    ];
    for (compatible, caps, expected) in cases {
        let body = json!({"providers": [provider("p", compatible, routes.clone(), json!([
            {"id": "p/m", "upstream": "m", "capabilities": caps}]))]});
        let catalog = resolve(&body, None);
        assert_eq!(
            catalog.get("p/m").map(|m| m.transport()),
            expected,
            "{caps}"
        );
    }
}

/// §4.5: first wins across providers; a dropped row does not reserve its id.
#[test]
fn dedupe_first_routed_wins() {
    let body = json!({"providers": [
        provider("a", false, json!([]), json!([{"id": "x/m", "upstream": "a-up", "capabilities": ["llm.chat"]}])),
        provider("b", true, json!([]), json!([{"id": "x/m", "upstream": "b-up", "capabilities": ["llm.chat"]}])),
        provider("c", true, json!([]), json!([{"id": "x/m", "upstream": "c-up", "capabilities": ["llm.responses"]}])),
    ]});
    let catalog = resolve(&body, None);
    assert_eq!(catalog.models.len(), 1);
    assert_eq!(catalog.models[0].provider(), "b");
    assert_eq!(catalog.models[0].transport(), Transport::OpenAiCompletions);
    let reasons: Vec<(Option<&str>, &str)> = catalog
        .dropped
        .iter()
        .map(|row| (row.provider.as_deref(), row.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            (
                Some("a"),
                "model dropped: no supported transport: capability llm.chat needs a provider with openaiCompatible: true"
            ),
            (
                Some("c"),
                "model row #0 dropped: duplicate id, first defined by provider b"
            ),
        ]
    );
}

/// §4.3 rule 1 and §4.1: bodies that yield no catalog are typed errors with OpenClaw's texts.
#[test]
fn rejected_bodies() {
    let base = BaseUrl::new(None);
    let cases: [(&[u8], &str); 9] = [
        (
            b"[]",
            "ClawRouter catalog response must contain providers[]",
        ),
        (
            b"null",
            "ClawRouter catalog response must contain providers[]",
        ),
        (
            br#"{"providers":{}}"#,
            "ClawRouter catalog response must contain providers[]",
        ),
        (
            br#"{"Providers":[]}"#,
            "ClawRouter catalog response must contain providers[]",
        ),
        (
            b"{\"providers\":[",
            "ClawRouter catalog response is not valid JSON: unexpected end of input, expected a value at byte 14",
        ),
        (
            b"{\"providers\":[\"\xFF\"]}",
            "ClawRouter catalog response is not valid JSON: invalid UTF-8 at byte 15",
        ),
        (
            br#"{"providers":[],"next":"https://x/v1/catalog?page=2"}"#,
            "ClawRouter catalog response carries the pagination key `next`: the catalog is read as one page and a paginated catalog could hide models; the server must not paginate /v1/catalog (PROTOCOL.md §4.1)",
        ),
        (
            br#"{"providers":[],"has_more":true}"#,
            "ClawRouter catalog response carries the pagination key `has_more`: the catalog is read as one page and a paginated catalog could hide models; the server must not paginate /v1/catalog (PROTOCOL.md §4.1)",
        ),
        (
            br#"{"providers":[],"links":{"next":"/v1/catalog?p=2"}}"#,
            "ClawRouter catalog response carries the pagination key `links.next`: the catalog is read as one page and a paginated catalog could hide models; the server must not paginate /v1/catalog (PROTOCOL.md §4.1)",
        ),
    ];
    for (body, expected) in cases {
        let error = resolve_catalog(body, &base).unwrap_err();
        assert_eq!(
            error.to_string(),
            expected,
            "{}",
            String::from_utf8_lossy(body)
        );
    }
    // D12: a cursor counts unless has_more is false; null / empty cursors do not count.
    let cursor_cases: [(&[u8], Option<&str>); 5] = [
        (
            br#"{"providers":[],"next_cursor":"abc"}"#,
            Some("next_cursor"),
        ),
        (br#"{"providers":[],"lastId":7}"#, Some("lastId")),
        (
            br#"{"providers":[],"nextPageToken":"abc","has_more":false}"#,
            None,
        ),
        (
            br#"{"providers":[],"next_page_token":"","last_id":null}"#,
            None,
        ),
        (br#"{"providers":[],"next":null,"has_more":"true"}"#, None),
    ];
    for (body, key) in cursor_cases {
        let got = match resolve_catalog(body, &base) {
            Ok(_) => None,
            Err(CatalogError::Paginated { key }) => Some(key),
            Err(other) => panic!("{other}"),
        };
        assert_eq!(got, key, "{}", String::from_utf8_lossy(body));
    }
}

/// §4.1: the 4 MiB cap, with OpenClaw's text.
#[test]
fn body_over_the_limit() {
    let mut body = br#"{"providers":[],"pad":""#.to_vec();
    body.resize(MAX_CATALOG_BODY_BYTES - 2, b' ');
    body.extend_from_slice(b"\"}");
    assert_eq!(body.len(), MAX_CATALOG_BODY_BYTES);
    assert!(resolve_catalog(&body, &BaseUrl::new(None)).is_ok());
    body.insert(1, b' ');
    assert_eq!(
        resolve_catalog(&body, &BaseUrl::new(None))
            .unwrap_err()
            .to_string(),
        "Live model catalog response exceeded 4194304 bytes (4194305 bytes received)"
    );
}

/// D18: a BOM, an out-of-range number and an escaped lone surrogate do not reject the body.
#[test]
fn d18_reference_json_reading() {
    let body = "\u{FEFF}{\"providers\":[{\"id\":\"acme\",\"displayName\":\"Ac\\ud800me\",\"openaiCompatible\":true,\
        \"nativeBaseUrl\":\"/v1/native/acme\",\"models\":[{\"id\":\"acme/m\",\"upstream\":\"m\",\
        \"capabilities\":[\"llm.chat\"],\"pricing\":{\"inputMicrosPerMillion\":1e400,\"outputMicrosPerMillion\":2000000,\
        \"maxInputTokens\":1e400}}]}]}";
    let catalog = resolve_catalog(body.as_bytes(), &BaseUrl::new(None)).unwrap();
    let model = model_json(&catalog, "acme/m");
    assert_eq!(model["name"], "Ac\u{FFFD}me · m");
    assert_eq!(
        model["cost"],
        json!({"input": 0, "output": 2, "cacheRead": 0, "cacheWrite": 0})
    );
    assert_eq!(model["contextWindow"], 200_000);
    let reasons: Vec<&str> = catalog.ignored.iter().map(|f| f.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "pricing field inputMicrosPerMillion ignored: not a finite JSON number ≥ 0 (got null)",
            "pricing field maxInputTokens ignored: not a positive integer (got null)"
        ]
    );
}

/// D17: hardened nativeBaseUrl.
#[test]
fn d17_native_base_url_hardening() {
    let cases: [(&str, Option<&str>); 10] = [
        ("/v1/native/anthropic", None),
        ("/v1/native/", None),
        (
            "/v1/native/../../admin",
            Some("contains a '.' or '..' path segment"),
        ),
        (
            "/v1/native/./a",
            Some("contains a '.' or '..' path segment"),
        ),
        ("/v1/native//a", Some("contains '//'")),
        ("/v1/native/a\\b", Some("contains a backslash")),
        ("/v1/native/a?x=1", Some("contains '?' or '#'")),
        ("/v1/native/a#x", Some("contains '?' or '#'")),
        (
            "/v1/native/%2E%2e/admin",
            Some("contains a percent-encoded '.' or '/'"),
        ),
        ("/v1/native/a\u{7}", Some("contains a control character")),
    ];
    for (native, problem) in cases {
        let mut row = provider(
            "p",
            true,
            json!([]),
            json!([{"id": "p/m", "upstream": "m", "capabilities": ["llm.chat"]}]),
        );
        row["nativeBaseUrl"] = json!(native);
        let catalog = resolve(&json!({"providers": [row]}), None);
        let expected = problem.map(|problem| {
            format!("provider dropped: nativeBaseUrl {native:?} {problem}; it must be a plain path under /v1/native/")
        });
        assert_eq!(
            catalog.dropped.first().map(|row| row.reason.clone()),
            expected,
            "{native}"
        );
        assert_eq!(catalog.models.len(), usize::from(problem.is_none()));
    }
}

/// Cases 22 and 23: the thinking profile (§4.7, D13).
#[test]
fn cases_22_23_thinking_profile() {
    use clawrouter_catalog::thinking_profile;
    let six = json!(["none", "low", "medium", "high", "xhigh", "max"]);
    let with_ultra = Some(vec![
        "off", "low", "medium", "high", "xhigh", "max", "ultra",
    ]);
    let without = Some(vec!["off", "low", "medium", "high", "xhigh", "max"]);
    /// (efforts, runtime, expected levels)
    type Case<'a> = (&'a Value, Option<&'a str>, Option<Vec<&'a str>>);
    let cases: [Case<'_>; 8] = [
        (&six, Some("openclaw"), with_ultra.clone()),
        (&six, Some("auto"), with_ultra.clone()),
        (&six, Some("  OpenClaw "), with_ultra),
        (&six, Some("codex"), without.clone()),
        (&six, None, without),
        (
            &json!(["ultra", "custom", "none", "none", "max"]),
            Some("openclaw"),
            Some(vec!["off", "max", "ultra"]),
        ),
        (&json!(["ultra", "custom"]), Some("openclaw"), None),
        (&Value::Null, Some("openclaw"), None),
    ];
    for (efforts, runtime, expected) in cases {
        assert_eq!(
            thinking_profile(efforts, runtime),
            expected,
            "{efforts} {runtime:?}"
        );
    }
    // The same through a resolved model.
    let catalog = resolve(&fixture_c(), None);
    assert_eq!(
        catalog
            .get("openai/gpt-5.6")
            .unwrap()
            .thinking_levels(Some("auto")),
        Some(vec![
            "off", "low", "medium", "high", "xhigh", "max", "ultra"
        ])
    );
    assert_eq!(
        catalog
            .get("anthropic/claude-sonnet-4-6")
            .unwrap()
            .thinking_levels(Some("auto")),
        None
    );
}
