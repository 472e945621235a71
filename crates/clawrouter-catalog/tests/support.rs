//! Fixture loading and small builders shared by the test modules.

use clawrouter_catalog::{BaseUrl, CatalogResolution, ResolveOptions, resolve_catalog_with};
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");

/// The bytes of `fixtures/<path>`.
pub fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{path}")).unwrap_or_else(|e| panic!("fixtures/{path}: {e}"))
}

/// Catalog fixture C of PROTOCOL.md §12 as a JSON value, for edits.
pub fn fixture_c() -> Value {
    serde_json::from_slice(&fixture("catalog/fixture-c.json")).unwrap()
}

/// Resolves a JSON value (serialized first, so the body path is what is tested).
pub fn resolve(body: &Value, base: Option<&str>) -> CatalogResolution {
    resolve_with(body, base, ResolveOptions::default())
}

pub fn resolve_with(
    body: &Value,
    base: Option<&str>,
    options: ResolveOptions,
) -> CatalogResolution {
    let bytes = serde_json::to_vec(body).unwrap();
    resolve_catalog_with(&bytes, &BaseUrl::new(base), options).unwrap()
}

/// The model ids, in order.
pub fn ids(catalog: &CatalogResolution) -> Vec<&str> {
    catalog.models.iter().map(|model| model.id()).collect()
}

/// The OpenClaw JSON of the model with this id.
pub fn model_json(catalog: &CatalogResolution, id: &str) -> Value {
    catalog
        .get(id)
        .unwrap_or_else(|| panic!("model {id} not in {:?}", ids(catalog)))
        .to_openclaw_json()
}

/// One provider row with the given fields and models.
pub fn provider(id: &str, openai_compatible: bool, routes: Value, models: Value) -> Value {
    serde_json::json!({
        "id": id,
        "openaiCompatible": openai_compatible,
        "nativeBaseUrl": format!("/v1/native/{id}"),
        "routes": routes,
        "models": models,
    })
}
