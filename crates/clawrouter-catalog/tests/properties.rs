//! Properties (issue 5): resolution never panics on arbitrary JSON or bytes; shuffling the
//! providers changes only which duplicate wins, never the id set; every resolved model has a
//! supported transport and a base URL under the configured root.

use std::collections::BTreeSet;

use clawrouter_catalog::{
    BaseUrl, ResolveOptions, resolve_catalog, resolve_catalog_with, usage_snapshot,
};
use clawrouter_wire::transport::Transport;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value, json};

/// Keys the rules read, so that random objects hit them often.
const KEYS: &[&str] = &[
    "providers",
    "id",
    "displayName",
    "openaiCompatible",
    "nativeBaseUrl",
    "routes",
    "models",
    "path",
    "methods",
    "requestFormat",
    "upstream",
    "capabilities",
    "pricing",
    "supportedReasoningEfforts",
    "inputMicrosPerMillion",
    "maxInputTokens",
    "input_modalities",
    "architecture",
    "modality",
    "next",
    "has_more",
    "budget",
    "usage",
    "summary",
    "configured",
    "limitMicros",
    "spentMicros",
    "windowKey",
    "requestCount",
    "actualCostMicros",
];

const STRINGS: &[&str] = &[
    "",
    " ",
    "p",
    "p/m",
    "/v1/native/p",
    "/v1/native/../x",
    "/v1",
    "llm.chat",
    "llm.responses",
    "llm.messages",
    "llm.stream",
    "POST",
    "post",
    "anthropic.messages",
    "google.generate_content",
    "/v1beta/models/${model}:streamGenerateContent",
    "/models/${model}:streamGenerateContent",
    "none",
    "max",
    "ultra",
    "text->image+video",
    "t/p/2026-07",
    "ünï",
    "😀",
];

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>()
            .prop_map(|n| serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)),
        (0u64..2_000_000).prop_map(|n| json!(n)),
        select(STRINGS).prop_map(|s| json!(s)),
        ".{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((select(KEYS), inner), 0..8).prop_map(|entries| {
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect::<Map<_, _>>(),
                )
            }),
        ]
    })
}

/// A provider row drawn from parts that are mostly valid.
fn arb_provider() -> impl Strategy<Value = Value> {
    let model = (
        select(&["a/m1", "a/m2", "b/m1", "B/m1", "c-1", "c_1", "ü/x"][..]),
        select(&["u1", "u2", " ", "u3"][..]),
        prop::sample::subsequence(
            &[
                "llm.chat",
                "llm.responses",
                "llm.messages",
                "llm.stream",
                "llm.generate",
            ][..],
            0..=3,
        ),
    )
        .prop_map(
            |(id, upstream, caps)| json!({"id": id, "upstream": upstream, "capabilities": caps}),
        );
    (
        select(&["p1", "p2", "p3", "p4"][..]),
        any::<bool>(),
        select(&["/v1/native/x", "/v1/native/y/", "/v1/x", "/v1/native/a/../b"][..]),
        prop::sample::subsequence(
            vec![
                json!({"path": "/v1/messages", "methods": ["POST"], "requestFormat": "anthropic.messages"}),
                json!({"path": "/v1beta/models/${model}:streamGenerateContent", "methods": ["post"], "requestFormat": "google.generate_content"}),
                json!({"path": "/models/${model}:streamGenerateContent", "methods": ["POST"], "requestFormat": "google.generate_content"}),
                json!({"path": "/v2/chat", "methods": ["POST"], "requestFormat": "cohere.chat"}),
            ],
            0..=3,
        ),
        prop::collection::vec(model, 0..5),
    )
        .prop_map(|(id, compatible, native, routes, models)| {
            json!({"id": id, "openaiCompatible": compatible, "nativeBaseUrl": native, "routes": routes, "models": models})
        })
}

fn id_set(body: &Value, base: &BaseUrl) -> BTreeSet<String> {
    let bytes = serde_json::to_vec(body).unwrap();
    resolve_catalog(&bytes, base)
        .unwrap()
        .models
        .iter()
        .map(|model| model.id().to_owned())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        // PROPTEST_CASES, when set, overrides this count (`with_cases` alone ignores it).
        std::env::var("PROPTEST_CASES").map_or(512, |_| ProptestConfig::default().cases)
    ))]

    #[test]
    fn never_panics_on_arbitrary_json(value in arb_json(), wrap in any::<bool>(), modalities in any::<bool>()) {
        let body = if wrap { json!({"providers": [value.clone(), {"id": "p", "nativeBaseUrl": "/v1/native/p", "models": [value.clone()], "routes": [value]}]}) } else { value };
        let bytes = serde_json::to_vec(&body).unwrap();
        let options = ResolveOptions::default().with_advertised_input_modalities(modalities);
        if let Ok(catalog) = resolve_catalog_with(&bytes, &BaseUrl::new(None), options) {
            let _ = catalog.to_openclaw_json(true);
            let _ = catalog.select("clawrouter/p/m", None);
        }
        let _ = usage_snapshot(200, &bytes, 0).map(|s| s.to_openclaw_json());
    }

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = resolve_catalog(&bytes, &BaseUrl::new(None));
        let _ = usage_snapshot(200, &bytes, 0);
    }

    #[test]
    fn shuffling_providers_keeps_the_id_set(
        providers in prop::collection::vec(arb_provider(), 0..8),
        seed in any::<u64>(),
    ) {
        let base = BaseUrl::new(Some("https://r.example/prefix"));
        let mut shuffled = providers.clone();
        // A deterministic Fisher–Yates shuffle from the seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            let j = usize::try_from(state % (i as u64 + 1)).unwrap();
            shuffled.swap(i, j);
        }
        let original = id_set(&json!({"providers": providers}), &base);
        let reordered = id_set(&json!({"providers": shuffled}), &base);
        prop_assert_eq!(original, reordered);
    }

    #[test]
    fn every_model_has_a_transport_and_a_base_url_under_the_root(
        providers in prop::collection::vec(arb_provider(), 0..8),
        root in select(&["https://r.example", "https://r.example/v1/", "http://127.0.0.1:8787/private", ""][..]),
    ) {
        let base = BaseUrl::new(Some(root));
        let bytes = serde_json::to_vec(&json!({"providers": providers})).unwrap();
        let catalog = resolve_catalog(&bytes, &base).unwrap();
        let under = format!("{}/v1", base.root());
        for model in &catalog.models {
            prop_assert!(Transport::ALL.contains(&model.transport()));
            prop_assert!(model.base_url().starts_with(&under), "{} not under {}", model.base_url(), under);
            let target = model.dispatch_target();
            prop_assert!(target.endpoint_url().starts_with(&under));
            let native = matches!(model.transport(), Transport::AnthropicMessages | Transport::GoogleGenerativeAi);
            prop_assert_eq!(model.upstream_model().is_some(), native);
        }
        // Ids are unique and sorted.
        let ids: BTreeSet<&str> = catalog.models.iter().map(|m| m.id()).collect();
        prop_assert_eq!(ids.len(), catalog.models.len());
    }
}
