//! `clawrouter_catalog::resolve_catalog` on arbitrary bytes: never panics; when a catalog
//! resolves, every model has a supported transport and a base URL under the root, ids are
//! unique, every model is selectable by its ref, the OpenClaw JSON is valid JSON, and resolving
//! the parsed value gives the same models.
#![no_main]

use clawrouter_catalog::{BaseUrl, ResolveOptions, json, resolve_catalog_value, resolve_catalog_with};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the options and the base URL.
    let Some((&flags, body)) = data.split_first() else {
        return;
    };
    let base = BaseUrl::new(Some(if flags & 2 == 0 { "https://r.example/v1/" } else { "http://127.0.0.1:1/p" }));
    let options = ResolveOptions::default().with_advertised_input_modalities(flags & 1 == 1);
    let Ok(catalog) = resolve_catalog_with(body, &base, options) else {
        return;
    };
    let root = format!("{}/v1", base.root());
    let mut ids = std::collections::HashSet::new();
    for model in &catalog.models {
        assert!(model.base_url().starts_with(&root), "{}", model.base_url());
        assert!(model.dispatch_target().endpoint_url().starts_with(&root));
        assert!(ids.insert(model.id()), "duplicate id {}", model.id());
        let selected = catalog.select(&model.model_ref().to_string(), None).unwrap();
        assert_eq!(selected.id(), model.id());
    }
    let text = json::to_js_string(&catalog.to_openclaw_json(true));
    assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok(), "{text}");
    let parsed = json::parse(body).unwrap();
    let again = resolve_catalog_value(&parsed, &base, options).unwrap();
    assert_eq!(again.models, catalog.models);
});
