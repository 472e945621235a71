//! Catalog resolution: a `/v1/catalog` body in, the selectable models and every drop explained
//! out (PROTOCOL.md §4.1 size cap, §4.3 body rule, §4.5 dedupe and order, §14 D12 pagination).

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::base_url::BaseUrl;
use crate::collate::sort_by_locale;
use crate::json::{self, Json, JsonError, Object};
use crate::mapping;
use crate::model::CatalogModel;
use crate::model_ref::{ModelRef, ModelRefError, closest};
use crate::rows::read_providers;

/// The catalog body cap: 4 MiB (PROTOCOL.md §4.1). A client stops reading past it.
pub const MAX_CATALOG_BODY_BYTES: usize = 4 * 1024 * 1024;

/// A catalog body that yields no catalog at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The body is larger than [`MAX_CATALOG_BODY_BYTES`] (§4.1).
    #[error("Live model catalog response exceeded 4194304 bytes ({received} bytes received)")]
    TooLarge {
        /// The body length seen.
        received: usize,
    },
    /// The body is not JSON (or not UTF-8).
    #[error("ClawRouter catalog response is not valid JSON: {0}")]
    Malformed(#[source] JsonError),
    /// The body is not an object with a `providers` array (§4.3 rule 1).
    #[error("ClawRouter catalog response must contain providers[]")]
    MissingProviders,
    /// The body carries a pagination key (§4.1 "Pagination hazard", §14 D12).
    #[error(
        "ClawRouter catalog response carries the pagination key `{key}`: the catalog is read as one page and a paginated catalog could hide models; the server must not paginate /v1/catalog (PROTOCOL.md §4.1)"
    )]
    Paginated {
        /// The offending top-level key (`links.next` for the nested one).
        key: &'static str,
    },
}

/// Which kind of row was not advertised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DropKind {
    /// A whole provider row (and with it all its models).
    Provider,
    /// One model row.
    Model,
}

/// A provider or model row that produced no model, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DroppedRow {
    /// Provider or model row.
    pub kind: DropKind,
    /// The provider's id, when it has a valid one.
    pub provider: Option<String>,
    /// The model's id, for a model row with a valid one.
    pub model: Option<String>,
    /// The provider row's position in `providers` (0-based).
    pub provider_row: usize,
    /// The model row's position in its provider's `models`, for a model row.
    pub model_row: Option<usize>,
    /// What was wrong, in words a person can act on.
    pub reason: String,
}

/// A part of a kept row that was ignored (an invalid route, pricing field, effort list …).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct IgnoredField {
    /// The provider's id.
    pub provider: String,
    /// The model's id, for a field of an advertised model.
    pub model: Option<String>,
    /// What was ignored and why.
    pub reason: String,
}

/// Options of [`resolve_catalog_with`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResolveOptions {
    /// Read advertised input modalities (PROTOCOL.md §4.9, variant P4v) instead of the input
    /// heuristic. Off by default (§14 D4).
    pub advertised_input_modalities: bool,
}

impl ResolveOptions {
    /// With or without the P4v advertised input modalities.
    pub fn with_advertised_input_modalities(mut self, on: bool) -> Self {
        self.advertised_input_modalities = on;
        self
    }
}

/// The result of resolving a catalog body.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CatalogResolution {
    /// The selectable models, sorted by id like JavaScript's `localeCompare` (§4.5).
    pub models: Vec<CatalogModel>,
    /// Every provider and model row that was not advertised, in body order.
    pub dropped: Vec<DroppedRow>,
    /// Ignored parts of rows: invalid routes, pricing fields, effort lists, display names.
    pub ignored: Vec<IgnoredField>,
    base: BaseUrl,
    raw_provider_count: usize,
}

/// Resolves a `/v1/catalog` body against the configured base URL, with default options.
///
/// ```
/// use clawrouter_catalog::{BaseUrl, resolve_catalog};
///
/// let body = br#"{"providers":[{"id":"openai","openaiCompatible":true,
///   "nativeBaseUrl":"/v1/native/openai","models":[
///   {"id":"openai/gpt-5.6","upstream":"gpt-5.6","capabilities":["llm.responses"]}]}]}"#;
/// let catalog = resolve_catalog(body, &BaseUrl::new(Some("https://clawrouter.example/v1"))).unwrap();
/// assert_eq!(catalog.models[0].base_url(), "https://clawrouter.example/v1");
/// ```
pub fn resolve_catalog(body: &[u8], base: &BaseUrl) -> Result<CatalogResolution, CatalogError> {
    resolve_catalog_with(body, base, ResolveOptions::default())
}

/// [`resolve_catalog`] with options.
pub fn resolve_catalog_with(
    body: &[u8],
    base: &BaseUrl,
    options: ResolveOptions,
) -> Result<CatalogResolution, CatalogError> {
    if body.len() > MAX_CATALOG_BODY_BYTES {
        return Err(CatalogError::TooLarge {
            received: body.len(),
        });
    }
    let root = json::parse_tree(body).map_err(CatalogError::Malformed)?;
    resolve_tree(&root, base, options)
}

/// Resolves an already parsed body (no size cap: the caller read it).
pub fn resolve_catalog_value(
    root: &Value,
    base: &BaseUrl,
    options: ResolveOptions,
) -> Result<CatalogResolution, CatalogError> {
    resolve_tree(&Json::borrow(root), base, options)
}

fn resolve_tree(
    root: &Json<'_>,
    base: &BaseUrl,
    options: ResolveOptions,
) -> Result<CatalogResolution, CatalogError> {
    let Some(object) = root.as_object() else {
        return Err(CatalogError::MissingProviders);
    };
    let Some(Json::Array(providers)) = object.get("providers") else {
        return Err(CatalogError::MissingProviders);
    };
    if let Some(key) = pagination_key(object) {
        return Err(CatalogError::Paginated { key });
    }
    let rows = read_providers(providers);
    let mut dropped = rows.dropped;
    let mut ignored = rows.ignored;
    let mut models: Vec<CatalogModel> = Vec::new();
    // id → the provider that first produced a routed model with it.
    let mut first_by_id: HashMap<&str, &str> = HashMap::new();
    let api_base = base.api_base();
    for provider in &rows.providers {
        let native_base = base.join(provider.native_base_url);
        let bases = mapping::Bases {
            api_base: &api_base,
            native_base: &native_base,
        };
        for row in &provider.models {
            if let Some(first) = first_by_id.get(row.id) {
                dropped.push(DroppedRow {
                    kind: DropKind::Model,
                    provider: Some(provider.id.to_owned()),
                    model: Some(row.id.to_owned()),
                    provider_row: provider.index,
                    model_row: Some(row.index),
                    reason: format!(
                        "model row #{} dropped: duplicate id, first defined by provider {first}",
                        row.index
                    ),
                });
                continue;
            }
            match mapping::map(provider, row, &bases) {
                Ok(mapped) => {
                    first_by_id.insert(row.id, provider.id);
                    ignored.extend(row.ignored.iter().map(|reason| IgnoredField {
                        provider: provider.id.to_owned(),
                        model: Some(row.id.to_owned()),
                        reason: reason.clone(),
                    }));
                    models.push(CatalogModel::build(
                        provider,
                        row,
                        mapped,
                        options.advertised_input_modalities,
                    ));
                }
                Err(reason) => dropped.push(DroppedRow {
                    kind: DropKind::Model,
                    provider: Some(provider.id.to_owned()),
                    model: Some(row.id.to_owned()),
                    provider_row: provider.index,
                    model_row: Some(row.index),
                    reason,
                }),
            }
        }
    }
    sort_by_locale(&mut models, |model| model.id.as_str());
    // Body order: a provider's own drop first, then its model rows in order.
    dropped.sort_by_key(|row| (row.provider_row, row.model_row.map_or(0, |index| index + 1)));
    Ok(CatalogResolution {
        models,
        dropped,
        ignored,
        base: base.clone(),
        raw_provider_count: providers.len(),
    })
}

/// §14 D12: the first top-level key that would make OpenClaw's loader ask for another page.
fn pagination_key(object: &Object<'_>) -> Option<&'static str> {
    if object.get("next").and_then(Json::as_str).is_some() {
        return Some("next");
    }
    if object
        .get("links")
        .and_then(|links| links.get("next"))
        .and_then(Json::as_str)
        .is_some()
    {
        return Some("links.next");
    }
    match object.get("has_more") {
        Some(Json::Bool(true)) => return Some("has_more"),
        Some(Json::Bool(false)) => return None,
        _ => {}
    }
    const CURSORS: [&str; 5] = [
        "next_cursor",
        "last_id",
        "lastId",
        "nextPageToken",
        "next_page_token",
    ];
    CURSORS.into_iter().find(|key| match object.get(key) {
        Some(Json::String(cursor)) => !cursor.is_empty(),
        Some(Json::Number(_)) => true,
        _ => false,
    })
}

impl CatalogResolution {
    /// The base URL the catalog was resolved against.
    pub fn base_url(&self) -> &BaseUrl {
        &self.base
    }

    /// The length of the raw `providers` array, before row validation. PROTOCOL.md §5.1 caches
    /// a catalog only when this is > 0.
    pub fn raw_provider_count(&self) -> usize {
        self.raw_provider_count
    }

    /// The model with this catalog id.
    pub fn get(&self, catalog_id: &str) -> Option<&CatalogModel> {
        self.models.iter().find(|model| model.id == catalog_id)
    }

    /// Selects a model by ref (`clawrouter/<catalog id>`), optionally restricted to an
    /// allowlist of refs (entries compared after trimming).
    ///
    /// Errors: not a ref; `Unknown model: …` with the closest granted refs (among the allowed
    /// ones when an allowlist is given and allows any); granted but not in the allowlist.
    pub fn select(
        &self,
        model_ref: &str,
        allowlist: Option<&[String]>,
    ) -> Result<&CatalogModel, ModelRefError> {
        let parsed = match ModelRef::parse(model_ref) {
            Ok(parsed) => parsed,
            Err(_) => {
                let bare = model_ref.trim();
                let suggestion = self.get(bare).map(|model| model.model_ref().to_string());
                return Err(ModelRefError::NotARef {
                    input: model_ref.to_owned(),
                    suggestion,
                });
            }
        };
        let wanted = parsed.to_string();
        let allowed =
            |text: &str| allowlist.is_none_or(|list| list.iter().any(|entry| entry.trim() == text));
        let Some(model) = self.get(parsed.catalog_id()) else {
            let granted: Vec<String> = self
                .models
                .iter()
                .map(|model| model.model_ref().to_string())
                .collect();
            let allowed_refs: Vec<&str> = granted
                .iter()
                .map(String::as_str)
                .filter(|text| allowed(text))
                .collect();
            let pool: Vec<&str> = if allowed_refs.is_empty() {
                granted.iter().map(String::as_str).collect()
            } else {
                allowed_refs
            };
            return Err(ModelRefError::Unknown {
                model_ref: wanted.clone(),
                closest: closest(&wanted, pool.into_iter()),
            });
        };
        if !allowed(&wanted) {
            return Err(ModelRefError::NotAllowed { model_ref: wanted });
        }
        Ok(model)
    }

    /// The provider configuration OpenClaw builds (PROTOCOL.md §4.5), in its JSON shape
    /// (CLI.md `catalog resolve`): `{baseUrl, api, models}`, never an `apiKey`. With `explain`,
    /// also `dropped` (`{provider, model, reason}` per row not advertised) and `ignored` (the
    /// same shape, per ignored part of a row).
    pub fn to_openclaw_json(&self, explain: bool) -> Value {
        let mut config = Map::new();
        config.insert("baseUrl".into(), self.base.api_base().into());
        config.insert("api".into(), "openai-responses".into());
        config.insert(
            "models".into(),
            Value::Array(
                self.models
                    .iter()
                    .map(CatalogModel::to_openclaw_json)
                    .collect(),
            ),
        );
        if explain {
            let entry = |provider: Option<&str>, model: Option<&str>, reason: &str| {
                let mut entry = Map::new();
                entry.insert("provider".into(), provider.map_or(Value::Null, Value::from));
                entry.insert("model".into(), model.map_or(Value::Null, Value::from));
                entry.insert("reason".into(), reason.into());
                Value::Object(entry)
            };
            config.insert(
                "dropped".into(),
                self.dropped
                    .iter()
                    .map(|row| entry(row.provider.as_deref(), row.model.as_deref(), &row.reason))
                    .collect(),
            );
            config.insert(
                "ignored".into(),
                self.ignored
                    .iter()
                    .map(|field| {
                        entry(Some(&field.provider), field.model.as_deref(), &field.reason)
                    })
                    .collect(),
            );
        }
        Value::Object(config)
    }
}
