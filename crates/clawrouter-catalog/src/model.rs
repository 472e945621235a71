//! A resolved, selectable model and its fields (PROTOCOL.md §4.6), reasoning (§4.7), the
//! heuristics (§4.8) and the optional advertised input modalities (§4.9).

use std::fmt;

use clawrouter_wire::transport::Transport;
use serde_json::{Map, Value, json};

use crate::dispatch::DispatchTarget;
use crate::efforts::{self, EffortSet, ReasoningEffort};
use crate::json::{Json, Object};
use crate::mapping::Mapped;
use crate::model_ref::ModelRef;
use crate::rows::{ModelRow, Pricing, ProviderRow, js_trim};

/// `contextWindow` when the pricing has no valid `maxInputTokens` (§4.6).
pub const DEFAULT_CONTEXT_WINDOW: u64 = 200_000;
/// `maxTokens` when the pricing has no valid `defaultMaxOutputTokens` (§4.6).
pub const DEFAULT_MAX_TOKENS: u64 = 32_768;

/// An input modality a model accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InputModality {
    /// `text` (always present, always first).
    Text,
    /// `image`.
    Image,
    /// `video` (only from advertised modalities, §4.9).
    Video,
}

impl InputModality {
    /// OpenClaw's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            InputModality::Text => "text",
            InputModality::Image => "image",
            InputModality::Video => "video",
        }
    }
}

/// Price in USD per million tokens (§4.6 "Cost").
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Cost {
    /// Input tokens.
    pub input: f64,
    /// Output tokens.
    pub output: f64,
    /// Cached input tokens.
    pub cache_read: f64,
    /// Cache writes: the 5-minute rate, else the 1-hour rate, else the generic rate (§14 D7).
    pub cache_write: f64,
}

impl Cost {
    fn from_pricing(pricing: Option<&Pricing>) -> Self {
        let Some(pricing) = pricing else {
            return Cost::default();
        };
        let usd = |micros: Option<f64>| micros.map_or(0.0, |micros| micros / 1_000_000.0);
        Cost {
            input: usd(pricing.input),
            output: usd(pricing.output),
            cache_read: usd(pricing.cached_input),
            cache_write: usd(pricing
                .cache_write_5m
                .or(pricing.cache_write_1h)
                .or(pricing.cache_write_generic)),
        }
    }
}

/// One selectable model of the catalog.
#[derive(Clone, PartialEq)]
pub struct CatalogModel {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) provider: String,
    pub(crate) transport: Transport,
    pub(crate) base_url: String,
    /// Native transports only: an OpenAI-routed model's upstream id is never kept (§4.10).
    pub(crate) upstream: Option<String>,
    pub(crate) reasoning: bool,
    pub(crate) input: Vec<InputModality>,
    pub(crate) cost: Cost,
    pub(crate) context_window: u64,
    pub(crate) max_tokens: u64,
    pub(crate) efforts: Option<EffortSet>,
}

impl CatalogModel {
    pub(crate) fn build(
        provider: &ProviderRow<'_>,
        row: &ModelRow<'_>,
        mapped: Mapped,
        advertised_modalities: bool,
    ) -> Self {
        let name = match row.display_name {
            Some(name) => name.to_owned(),
            None => {
                let label = row
                    .id
                    .strip_prefix(provider.id)
                    .and_then(|rest| rest.strip_prefix('/'))
                    .unwrap_or(row.id);
                format!("{} · {label}", provider.display_name)
            }
        };
        // §4.8 runs on the lower-cased "<provider id>/<model id>".
        let mut haystack = String::with_capacity(provider.id.len() + row.id.len() + 1);
        haystack.push_str(provider.id);
        haystack.push('/');
        haystack.push_str(row.id);
        if haystack.is_ascii() {
            haystack.make_ascii_lowercase();
        } else {
            haystack = haystack.to_lowercase();
        }
        let contains_any =
            |needles: &[&str]| needles.iter().any(|needle| haystack.contains(needle));
        let reasoning = row.efforts.is_some()
            || contains_any(&[
                "claude-",
                "gemini-",
                "gpt-5",
                "gpt-oss",
                "deepseek-v",
                "reasoner",
                "glm-5",
                "grok-4",
                "minimax-m",
            ]);
        let advertised = if advertised_modalities {
            advertised_input(row.raw)
        } else {
            None
        };
        let input = advertised.unwrap_or_else(|| {
            if contains_any(&["claude-", "gemini-", "gpt-4o", "gpt-5"]) {
                vec![InputModality::Text, InputModality::Image]
            } else {
                vec![InputModality::Text]
            }
        });
        let pricing = row.pricing.as_ref();
        CatalogModel {
            id: row.id.to_owned(),
            name,
            provider: provider.id.to_owned(),
            transport: mapped.transport,
            base_url: mapped.base_url,
            upstream: mapped.upstream,
            reasoning,
            input,
            cost: Cost::from_pricing(pricing),
            context_window: pricing
                .and_then(|p| p.max_input_tokens)
                .unwrap_or(DEFAULT_CONTEXT_WINDOW),
            max_tokens: pricing
                .and_then(|p| p.default_max_output_tokens)
                .unwrap_or(DEFAULT_MAX_TOKENS),
            efforts: row.efforts,
        }
    }

    /// The catalog id (`openai/gpt-5.6`).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The user-facing ref, `clawrouter/<id>`.
    pub fn model_ref(&self) -> ModelRef {
        ModelRef::new(&self.id)
    }

    /// The display name (§4.6).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The id of the catalog provider row that defined the model.
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// The transport (§4.4).
    pub fn transport(&self) -> Transport {
        self.transport
    }

    /// The transport's base URL, under the configured root (§4.4).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The upstream model id sent at dispatch: present for the native transports only.
    pub fn upstream_model(&self) -> Option<&str> {
        self.upstream.as_deref()
    }

    /// Whether the model reasons (§4.6: efforts present, else the §4.8 heuristic).
    pub fn reasoning(&self) -> bool {
        self.reasoning
    }

    /// Accepted input modalities; `text` first.
    pub fn input(&self) -> &[InputModality] {
        &self.input
    }

    /// Price per million tokens.
    pub fn cost(&self) -> Cost {
        self.cost
    }

    /// Context window in tokens.
    pub fn context_window(&self) -> u64 {
        self.context_window
    }

    /// Default maximum output tokens.
    pub fn max_tokens(&self) -> u64 {
        self.max_tokens
    }

    /// The supported reasoning efforts (§4.7), when the catalog lists any.
    pub fn reasoning_efforts(&self) -> Option<EffortSet> {
        self.efforts
    }

    /// OpenClaw's `thinkingLevelMap`: all seven level ids, each with its wire effort or `None`.
    pub fn thinking_level_map(&self) -> Option<[(&'static str, Option<ReasoningEffort>); 7]> {
        self.efforts.map(EffortSet::thinking_level_map)
    }

    /// OpenClaw's `compat`: `{supportsReasoningEffort: true, supportedReasoningEfforts}`, when
    /// efforts are present.
    pub fn compat(&self) -> Option<Value> {
        self.efforts.map(|set| {
            json!({
                "supportsReasoningEffort": true,
                "supportedReasoningEfforts": set.iter().map(ReasoningEffort::as_str).collect::<Vec<_>>(),
            })
        })
    }

    /// The thinking levels offered for this model (§4.7 "Thinking profile", §14 D13); `None`
    /// without efforts.
    pub fn thinking_levels(&self, runtime: Option<&str>) -> Option<Vec<&'static str>> {
        self.efforts
            .map(|set| efforts::thinking_levels(set, runtime))
    }

    /// The route metadata OpenClaw keeps in `params.clawrouterRoute` (§4.6).
    pub fn route(&self) -> Value {
        let mut route = Map::new();
        route.insert("api".into(), self.transport.as_str().into());
        route.insert("baseUrl".into(), self.base_url.clone().into());
        if let Some(upstream) = &self.upstream {
            route.insert("upstreamModel".into(), upstream.clone().into());
        }
        Value::Object(route)
    }

    /// What the client sends for this model (§4.10).
    pub fn dispatch_target(&self) -> DispatchTarget {
        DispatchTarget {
            transport: self.transport,
            base_url: self.base_url.clone(),
            model_id: self.upstream.clone().unwrap_or_else(|| self.id.clone()),
        }
    }

    /// The model as OpenClaw's provider config lists it, keys in the order of §4.6; absent
    /// fields omitted, `thinkingLevelMap` with its `null`s.
    pub fn to_openclaw_json(&self) -> Value {
        let mut model = Map::new();
        model.insert("id".into(), self.id.clone().into());
        model.insert("name".into(), self.name.clone().into());
        model.insert("api".into(), self.transport.as_str().into());
        model.insert("baseUrl".into(), self.base_url.clone().into());
        model.insert("reasoning".into(), self.reasoning.into());
        if let Some(map) = self.thinking_level_map() {
            let map: Map<String, Value> = map
                .into_iter()
                .map(|(level, effort)| {
                    (
                        level.to_owned(),
                        effort.map_or(Value::Null, |e| e.as_str().into()),
                    )
                })
                .collect();
            model.insert("thinkingLevelMap".into(), Value::Object(map));
        }
        if let Some(compat) = self.compat() {
            model.insert("compat".into(), compat);
        }
        model.insert(
            "input".into(),
            self.input
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .into(),
        );
        let mut cost = Map::new();
        cost.insert("input".into(), js_number(self.cost.input));
        cost.insert("output".into(), js_number(self.cost.output));
        cost.insert("cacheRead".into(), js_number(self.cost.cache_read));
        cost.insert("cacheWrite".into(), js_number(self.cost.cache_write));
        model.insert("cost".into(), Value::Object(cost));
        model.insert("contextWindow".into(), self.context_window.into());
        model.insert("maxTokens".into(), self.max_tokens.into());
        let mut params = Map::new();
        params.insert("clawrouterRoute".into(), self.route());
        model.insert("params".into(), Value::Object(params));
        Value::Object(model)
    }
}

impl fmt::Debug for CatalogModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CatalogModel")
            .field("id", &self.id)
            .field("transport", &self.transport)
            .field("base_url", &self.base_url)
            .field("upstream", &self.upstream)
            .finish_non_exhaustive()
    }
}

/// A number as JavaScript's `JSON.stringify` prints it: integral values without `.0`.
pub(crate) fn js_number(number: f64) -> Value {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    if number.fract() == 0.0 && number.abs() <= MAX_SAFE {
        // Integral and within ±2^53: exact.
        #[allow(clippy::cast_possible_truncation)]
        return Value::from(number as i64);
    }
    serde_json::Number::from_f64(number).map_or(Value::Null, Value::Number)
}

/// §4.9: the advertised input modalities, `None` when the row advertises none.
fn advertised_input(row: &Object<'_>) -> Option<Vec<InputModality>> {
    const ARRAY_KEYS: [&str; 3] = ["input_modalities", "inputModalities", "input"];
    let architecture = row.get("architecture").and_then(Json::as_object);
    let array = ARRAY_KEYS
        .iter()
        .find_map(|key| row.get(key).and_then(Json::as_array))
        .or_else(|| {
            architecture.and_then(|arch| {
                ARRAY_KEYS
                    .iter()
                    .find_map(|key| arch.get(key).and_then(Json::as_array))
            })
        });
    let entries: Vec<String> = match array {
        Some(items) => items
            .iter()
            .filter_map(Json::as_str)
            .map(|entry| js_trim(entry).to_ascii_lowercase())
            .collect(),
        None => {
            let modality = architecture
                .and_then(|arch| crate::rows::string(arch.get("modality")))
                .or_else(|| crate::rows::string(row.get("modality")))?;
            let input_side = modality.split("->").next().unwrap_or_default();
            input_side
                .split('+')
                .map(|entry| js_trim(entry).to_ascii_lowercase())
                .collect()
        }
    };
    let mut input = vec![InputModality::Text];
    for modality in [InputModality::Image, InputModality::Video] {
        if entries.iter().any(|entry| entry == modality.as_str()) {
            input.push(modality);
        }
    }
    Some(input)
}
