//! Hostile catalogs: wrong types everywhere, a huge catalog, deep junk, duplicates across
//! providers, unicode ids, an oversized body. Nothing panics; every outcome is exact.

use clawrouter_catalog::{
    BaseUrl, CatalogError, ResolveOptions, resolve_catalog, resolve_catalog_value,
};
use serde_json::{Value, json};

use crate::support::{ids, provider, resolve};

/// Every field of every level replaced by every wrong JSON type.
#[test]
fn wrong_types_everywhere() {
    let wrong = [
        json!(null),
        json!(true),
        json!(1),
        json!(-1.5),
        json!(""),
        json!("  "),
        json!([]),
        json!({}),
        json!([null]),
    ];
    let good_model = json!({"id": "p/m", "upstream": "m", "capabilities": ["llm.chat"],
        "supportedReasoningEfforts": ["low"], "pricing": {"inputMicrosPerMillion": 1, "maxInputTokens": 5}, "displayName": "M"});
    let good_provider = provider(
        "p",
        true,
        json!([{"path": "/x", "methods": ["POST"], "requestFormat": "anthropic.messages"}]),
        json!([good_model.clone()]),
    );
    let mut runs = 0;
    for field in [
        "id",
        "displayName",
        "openaiCompatible",
        "nativeBaseUrl",
        "routes",
        "models",
    ] {
        for value in &wrong {
            let mut row = good_provider.clone();
            row[field] = value.clone();
            let catalog = resolve(&json!({"providers": [row]}), None);
            let kept = ids(&catalog) == ["p/m"];
            let expected_kept = match field {
                "id" | "nativeBaseUrl" | "models" => false,
                // Only the boolean true routes llm.chat.
                "openaiCompatible" => *value == json!(true),
                _ => true,
            };
            assert_eq!(kept, expected_kept, "provider.{field} = {value}");
            // Whatever happened is reported: a model, a drop, or an ignored field (an empty
            // models array is the one silent case: there is nothing to report).
            let reported = !catalog.models.is_empty()
                || !catalog.dropped.is_empty()
                || !catalog.ignored.is_empty();
            assert_eq!(
                reported,
                *value != json!([]) || field != "models",
                "provider.{field} = {value}"
            );
            runs += 1;
        }
    }
    for field in [
        "id",
        "upstream",
        "capabilities",
        "supportedReasoningEfforts",
        "pricing",
        "displayName",
    ] {
        for value in &wrong {
            let mut model = good_model.clone();
            model[field] = value.clone();
            let catalog = resolve(
                &json!({"providers": [provider("p", true, json!([]), json!([model]))]}),
                None,
            );
            let expected_kept = !matches!(field, "id" | "upstream" | "capabilities");
            assert_eq!(
                ids(&catalog) == ["p/m"],
                expected_kept,
                "model.{field} = {value}"
            );
            runs += 1;
        }
    }
    for field in ["path", "requestFormat", "methods"] {
        for value in &wrong {
            let mut route = json!({"path": "/v1/messages", "methods": ["POST"], "requestFormat": "anthropic.messages"});
            route[field] = value.clone();
            let body = json!({"providers": [provider("p", false, json!([route]), json!([
                {"id": "p/m", "upstream": "m", "capabilities": ["llm.messages"]}]))]});
            let catalog = resolve(&body, None);
            assert!(ids(&catalog).is_empty(), "route.{field} = {value}");
            runs += 1;
        }
    }
    assert_eq!(runs, 9 * 15);
    // Whole rows of every type.
    let rows: Vec<Value> = wrong.to_vec();
    let catalog = resolve(&json!({"providers": rows}), None);
    assert_eq!(catalog.dropped.len(), wrong.len());
}

/// 10 000 providers × 100 models: over the 4 MiB body cap as bytes, and resolved in full once
/// parsed. The ids collide across providers, so exactly 100 survive, all from the first.
#[test]
fn ten_thousand_providers_times_one_hundred_models() {
    let mut models = String::new();
    for i in 0..100 {
        if i > 0 {
            models.push(',');
        }
        models.push_str(&format!(
            r#"{{"id":"shared/m{i:03}","upstream":"u","capabilities":["llm.chat"]}}"#
        ));
    }
    let mut body = String::from(r#"{"providers":["#);
    for p in 0..10_000 {
        if p > 0 {
            body.push(',');
        }
        body.push_str(&format!(
            r#"{{"id":"p{p}","openaiCompatible":true,"nativeBaseUrl":"/v1/native/p{p}","models":[{models}]}}"#
        ));
    }
    body.push_str("]}");
    assert!(body.len() > 4 * 1024 * 1024);
    assert!(matches!(
        resolve_catalog(body.as_bytes(), &BaseUrl::new(None)),
        Err(CatalogError::TooLarge { received }) if received == body.len()
    ));
    let root = clawrouter_catalog::json::parse(body.as_bytes()).unwrap();
    let catalog =
        resolve_catalog_value(&root, &BaseUrl::new(None), ResolveOptions::default()).unwrap();
    assert_eq!(catalog.models.len(), 100);
    assert_eq!(catalog.models[0].id(), "shared/m000");
    assert!(catalog.models.iter().all(|model| model.provider() == "p0"));
    assert_eq!(catalog.dropped.len(), 999_900);
    assert_eq!(
        catalog.dropped[0].reason,
        "model row #0 dropped: duplicate id, first defined by provider p0"
    );
}

/// Deeply nested junk in every field; the catalog is still read.
#[test]
fn deeply_nested_junk() {
    let junk = format!("{}0{}", "[".repeat(100_000), "]".repeat(100_000));
    let body = format!(
        "{{\"junk\":{junk},\"providers\":[{junk},{{\"id\":\"p\",\"openaiCompatible\":true,\"nativeBaseUrl\":\"/v1/native/p\",\"extra\":{junk},\
         \"models\":[{junk},{{\"id\":\"p/m\",\"upstream\":\"m\",\"capabilities\":[\"llm.chat\",{junk}],\"pricing\":{{\"maxInputTokens\":{junk}}},\
         \"supportedReasoningEfforts\":[\"low\",{junk}]}}]}}]}}"
    );
    let catalog = resolve_catalog(body.as_bytes(), &BaseUrl::new(None)).unwrap();
    assert_eq!(ids(&catalog), ["p/m"]);
    let model = &catalog.models[0];
    assert_eq!(model.context_window(), 200_000);
    assert!(model.reasoning_efforts().is_some());
    assert_eq!(catalog.dropped.len(), 2);
    // Unbalanced deep nesting is malformed, with its offset.
    let unbalanced = format!("{{\"providers\":{}", "[".repeat(1_000_000));
    assert_eq!(
        resolve_catalog(unbalanced.as_bytes(), &BaseUrl::new(None))
            .unwrap_err()
            .to_string(),
        "ClawRouter catalog response is not valid JSON: unexpected end of input, expected a value at byte 1000013"
    );
}

/// Unicode ids, names and provider ids survive unchanged and are sorted by ICU.
#[test]
fn unicode_ids() {
    let body = json!({"providers": [{"id": "ünï", "displayName": "Ünï 😀", "openaiCompatible": true,
    "nativeBaseUrl": "/v1/native/ünï", "models": [
        {"id": "ünï/模型-β", "upstream": "u", "capabilities": ["llm.chat"]},
        {"id": "ünï/Zeta", "upstream": "u", "capabilities": ["llm.chat"]},
        {"id": "ünï/ápple", "upstream": "u", "capabilities": ["llm.chat"]},
        {"id": "\u{FEFF}ünï/trimmed\u{3000}", "upstream": "u", "capabilities": ["llm.chat"]},
        {"id": "\u{85}nel", "upstream": "u", "capabilities": ["llm.chat"]},
    ]}]});
    let catalog = resolve(&body, Some("https://r.example"));
    assert_eq!(
        ids(&catalog),
        [
            "\u{85}nel",
            "ünï/ápple",
            "ünï/trimmed",
            "ünï/Zeta",
            "ünï/模型-β"
        ]
    );
    assert_eq!(catalog.get("ünï/模型-β").unwrap().name(), "Ünï 😀 · 模型-β");
    assert_eq!(catalog.models[0].base_url(), "https://r.example/v1");
}
