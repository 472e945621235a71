//! The scenario: what the emulated ClawRouter knows (keys, policies, providers, models,
//! pricing, pacing and faults).
//!
//! A scenario is TOML (or JSON with the same shape); [`Scenario::default()`] is built in and is
//! the file `scenarios/default.toml` of this crate. Field names follow the catalog's own
//! spelling (PROTOCOL.md §4.2) so that a scenario reads like the catalog it produces.
//!
//! ```toml
//! [settings]
//! tenant = "default"        # first part of the usage windowKey (PROTOCOL.md §8.2)
//! chunkDelayMs = 10         # pause between two writes of a streamed body; 0 for load tests
//!
//! [[keys]]
//! key = "clawrouter-test-demo-emulator0001"   # PROTOCOL.md §1 key syntax, checked on load
//! policy = "team"
//! label = "demo"            # printed by `clawrouter emulator`
//! revoked = false
//!
//! [[policies]]
//! id = "team"
//! providers = ["openai", "anthropic"]   # granted providers
//! models = ["*"]                        # granted model ids, "*" = every model of those providers
//! monthlyBudgetUsd = 5.0                # absent = unmetered
//! spentUsd = 1.25                       # spend already in the ledger at start
//!
//! [[providers]]
//! id = "anthropic"
//! displayName = "Anthropic"
//! openaiCompatible = false
//! nativeBaseUrl = "/v1/native/anthropic"
//! routes = [{ path = "/v1/messages", requestFormat = "anthropic.messages", methods = ["POST"] }]
//!
//! [[providers.models]]
//! id = "anthropic/claude-sonnet-4-6"
//! upstream = "claude-sonnet-4-6"
//! capabilities = ["llm.messages"]
//! reasoning = true                      # the model streams reasoning when asked for it
//! supportedReasoningEfforts = ["low", "medium", "high"]
//! pricing = { inputMicrosPerMillion = 3000000, outputMicrosPerMillion = 15000000 }
//!
//! [[faults]]                            # optional; also switchable at runtime
//! model = "anthropic/claude-sonnet-4-6" # or key = "…"; neither = every call
//! fault = { kind = "rate-limited", retryAfterSecs = 7 }
//! ```
//!
//! Keys are validated against the PROTOCOL.md §1 syntax when the scenario is loaded, and are
//! never shown by `Debug` (see [`ProxyKey`]).

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;

use crate::faults::{Fault, FaultScope};
use crate::keys::ProxyKey;

/// The built-in scenario, `scenarios/default.toml`.
pub const DEFAULT_SCENARIO_TOML: &str = include_str!("../scenarios/default.toml");

/// A whole scenario. See the [module docs](self) for the file format.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[non_exhaustive]
pub struct Scenario {
    /// Server-wide settings.
    #[serde(default)]
    pub settings: Settings,
    /// The proxy keys the server accepts.
    #[serde(default)]
    pub keys: Vec<KeyEntry>,
    /// The policies the keys belong to.
    #[serde(default)]
    pub policies: Vec<Policy>,
    /// The providers, in catalog order.
    #[serde(default)]
    pub providers: Vec<Provider>,
    /// Faults active from the start.
    #[serde(default)]
    pub faults: Vec<FaultEntry>,
}

/// Server-wide settings.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct Settings {
    /// The tenant part of the usage `windowKey` (PROTOCOL.md §8.2).
    pub tenant: String,
    /// Milliseconds between two writes of a streamed body (0: write as fast as possible).
    pub chunk_delay_ms: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            tenant: "default".to_owned(),
            chunk_delay_ms: 10,
        }
    }
}

/// One proxy key.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[non_exhaustive]
pub struct KeyEntry {
    /// The key itself (PROTOCOL.md §1 syntax).
    pub key: ProxyKey,
    /// The policy it belongs to.
    pub policy: String,
    /// A human label (`demo`, `revoked` …), shown by `clawrouter emulator`.
    #[serde(default)]
    pub label: String,
    /// A revoked key is answered 403 `proxy_key_revoked`.
    #[serde(default)]
    pub revoked: bool,
}

/// A policy: what its keys may use, and its monthly budget.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[non_exhaustive]
pub struct Policy {
    /// The policy id (`policyId` in `/v1/usage`).
    pub id: String,
    /// Granted provider ids.
    #[serde(default)]
    pub providers: Vec<String>,
    /// Granted model ids; `"*"` grants every model of the granted providers.
    #[serde(default)]
    pub models: Vec<String>,
    /// Monthly budget in USD; absent = unmetered.
    #[serde(default)]
    pub monthly_budget_usd: Option<f64>,
    /// Spend (USD) already in the ledger when the emulator starts.
    #[serde(default)]
    pub spent_usd: f64,
}

impl Policy {
    /// Whether this policy grants `provider`.
    pub fn grants_provider(&self, provider: &str) -> bool {
        self.providers.iter().any(|id| id == provider)
    }

    /// Whether this policy grants `model` of `provider`.
    pub fn grants_model(&self, provider: &str, model: &str) -> bool {
        self.grants_provider(provider) && self.models.iter().any(|id| id == "*" || id == model)
    }

    /// The monthly budget in micro-USD, when metered.
    pub fn budget_micros(&self) -> Option<u64> {
        self.monthly_budget_usd.map(usd_to_micros)
    }
}

/// USD → integer micro-USD, rounded; negative or non-finite amounts count as 0 (rejected on load).
pub(crate) fn usd_to_micros(usd: f64) -> u64 {
    let micros = (usd * 1_000_000.0).round();
    if micros.is_finite() && micros > 0.0 {
        // Saturating float → int conversion is Rust's defined `as` behaviour.
        micros as u64
    } else {
        0
    }
}

/// A provider row of the catalog.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[non_exhaustive]
pub struct Provider {
    /// Provider id (`anthropic`, `google-gemini` …).
    pub id: String,
    /// Display name.
    pub display_name: String,
    /// Whether the OpenAI transports serve its models (PROTOCOL.md §4.4 rules 1–2).
    #[serde(default)]
    pub openai_compatible: bool,
    /// Native base URL; real providers use `/v1/native/<id>`. Anything else is emitted as
    /// given, so a scenario can hold rows the client must drop.
    pub native_base_url: String,
    /// Native routes.
    #[serde(default)]
    pub routes: Vec<Route>,
    /// Models, in catalog order.
    #[serde(default)]
    pub models: Vec<Model>,
}

/// A native route of a provider.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[non_exhaustive]
pub struct Route {
    /// Path template below `nativeBaseUrl`; `${model}` stands for the upstream model id.
    pub path: String,
    /// `anthropic.messages`, `google.generate_content`, or an unsupported format such as
    /// `cohere.chat` (advertised, but answered 400 `unsupported_request_format`).
    pub request_format: String,
    /// Allowed methods.
    #[serde(default = "default_methods")]
    pub methods: Vec<String>,
}

fn default_methods() -> Vec<String> {
    vec!["POST".to_owned()]
}

/// A model of a provider.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[non_exhaustive]
pub struct Model {
    /// Catalog id (`anthropic/claude-sonnet-4-6`).
    pub id: String,
    /// Upstream id (`claude-sonnet-4-6`).
    pub upstream: String,
    /// Optional display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Capabilities (`llm.responses`, `llm.chat`, `llm.messages`, `llm.stream` …).
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// Whether the model streams reasoning when the request asks for it.
    #[serde(default)]
    pub reasoning: bool,
    /// Advertised reasoning efforts (PROTOCOL.md §4.7).
    #[serde(default)]
    pub supported_reasoning_efforts: Option<Vec<String>>,
    /// Pricing; absent = unpriced (omitted from metered policies' catalogs, PROTOCOL.md §4.2).
    #[serde(default)]
    pub pricing: Option<Pricing>,
}

/// Model pricing, micro-USD per million tokens (PROTOCOL.md §4.2).
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[non_exhaustive]
pub struct Pricing {
    /// Input price.
    #[serde(default)]
    pub input_micros_per_million: u64,
    /// Output price.
    #[serde(default)]
    pub output_micros_per_million: u64,
    /// Cached-input price.
    #[serde(default)]
    pub cached_input_micros_per_million: Option<u64>,
    /// Five-minute cache-write price.
    #[serde(default)]
    pub cache_write5m_input_micros_per_million: Option<u64>,
    /// Context window.
    #[serde(default)]
    pub max_input_tokens: Option<u64>,
    /// Default output cap.
    #[serde(default)]
    pub default_max_output_tokens: Option<u64>,
}

impl Pricing {
    /// The cost of one call in micro-USD, rounded up so that a priced call never costs 0.
    pub fn cost_micros(&self, input_tokens: u64, output_tokens: u64) -> u64 {
        let total = u128::from(input_tokens) * u128::from(self.input_micros_per_million)
            + u128::from(output_tokens) * u128::from(self.output_micros_per_million);
        u64::try_from(total.div_ceil(1_000_000)).unwrap_or(u64::MAX)
    }
}

/// A fault active from the start (see [`crate::faults`]).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[non_exhaustive]
pub struct FaultEntry {
    /// Only calls with this key.
    #[serde(default)]
    pub key: Option<ProxyKey>,
    /// Only calls to this model (catalog id or upstream id).
    #[serde(default)]
    pub model: Option<String>,
    /// The fault.
    pub fault: Fault,
}

impl FaultEntry {
    /// The scope the entry applies to (a key wins over a model when both are given).
    pub fn scope(&self) -> FaultScope {
        match (&self.key, &self.model) {
            (Some(key), _) => FaultScope::Key(key.clone()),
            (None, Some(model)) => FaultScope::Model(model.clone()),
            (None, None) => FaultScope::All,
        }
    }
}

/// Why a scenario was rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read the scenario file {path}: {source}")]
    Read {
        /// The path.
        path: String,
        /// The IO error.
        source: std::io::Error,
    },
    /// The TOML is malformed or has unknown fields.
    #[error("the scenario is not valid TOML for the emulator: {0}")]
    Toml(String),
    /// The JSON is malformed or has unknown fields.
    #[error("the scenario is not valid JSON for the emulator: {0}")]
    Json(String),
    /// The scenario is well-formed but inconsistent.
    #[error("invalid scenario: {0}")]
    Invalid(String),
}

impl Default for Scenario {
    /// The built-in scenario (`scenarios/default.toml`): one granted model per transport, rows
    /// the client must drop, and the demo, unmetered, revoked and exhausted keys.
    fn default() -> Self {
        // The built-in file is checked by the crate's tests; an empty scenario is the only
        // non-panicking fallback (not `unwrap_or_default`, which would recurse).
        Scenario::from_toml_str(DEFAULT_SCENARIO_TOML).unwrap_or_else(|_| Scenario::empty())
    }
}

impl Scenario {
    /// A scenario with no keys, policies or providers.
    pub fn empty() -> Self {
        Scenario {
            settings: Settings::default(),
            keys: Vec::new(),
            policies: Vec::new(),
            providers: Vec::new(),
            faults: Vec::new(),
        }
    }

    /// Parses and validates a TOML scenario.
    pub fn from_toml_str(text: &str) -> Result<Self, ScenarioError> {
        let scenario: Scenario = toml::from_str(text)
            .map_err(|error| ScenarioError::Toml(toml_message(text, &error)))?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// Parses and validates a JSON scenario (same shape as the TOML).
    pub fn from_json_str(text: &str) -> Result<Self, ScenarioError> {
        let scenario: Scenario =
            serde_json::from_str(text).map_err(|error| ScenarioError::Json(error.to_string()))?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// Reads a scenario file: JSON when the name ends in `.json`, TOML otherwise.
    pub fn load(path: &Path) -> Result<Self, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: path.display().to_string(),
            source,
        })?;
        if path.extension().is_some_and(|ext| ext == "json") {
            Scenario::from_json_str(&text)
        } else {
            Scenario::from_toml_str(&text)
        }
    }

    /// The pause between two writes of a streamed body.
    pub fn with_chunk_delay_ms(mut self, millis: u64) -> Self {
        self.settings.chunk_delay_ms = millis;
        self
    }

    /// The key entry for `key`, if the scenario knows it.
    pub fn key_entry(&self, key: &str) -> Option<&KeyEntry> {
        self.keys.iter().find(|entry| entry.key.expose() == key)
    }

    /// The policy `id`.
    pub fn policy(&self, id: &str) -> Option<&Policy> {
        self.policies.iter().find(|policy| policy.id == id)
    }

    /// The provider `id`.
    pub fn provider(&self, id: &str) -> Option<&Provider> {
        self.providers.iter().find(|provider| provider.id == id)
    }

    /// Keys with the given label (e.g. `demo`), in scenario order.
    pub fn keys_labelled<'a>(&'a self, label: &'a str) -> impl Iterator<Item = &'a KeyEntry> {
        self.keys.iter().filter(move |entry| entry.label == label)
    }

    fn validate(&self) -> Result<(), ScenarioError> {
        let invalid = |message: String| Err(ScenarioError::Invalid(message));
        let mut policy_ids = HashSet::new();
        for policy in &self.policies {
            if !policy_ids.insert(policy.id.as_str()) {
                return invalid(format!("policy {:?} is defined twice", policy.id));
            }
            for (what, amount) in [
                ("monthlyBudgetUsd", policy.monthly_budget_usd.unwrap_or(0.0)),
                ("spentUsd", policy.spent_usd),
            ] {
                if !amount.is_finite() || amount < 0.0 {
                    return invalid(format!(
                        "policy {:?}: {what} must be a finite amount ≥ 0",
                        policy.id
                    ));
                }
            }
        }
        let mut keys = HashSet::new();
        for (position, entry) in self.keys.iter().enumerate() {
            if !keys.insert(entry.key.expose()) {
                // The key itself is never printed; its position is enough to find it.
                return invalid(format!("key #{} is listed twice", position + 1));
            }
            if !policy_ids.contains(entry.policy.as_str()) {
                return invalid(format!(
                    "key #{} ({}) names the unknown policy {:?}",
                    position + 1,
                    entry.label,
                    entry.policy
                ));
            }
        }
        let mut provider_ids = HashSet::new();
        for provider in &self.providers {
            if !provider_ids.insert(provider.id.as_str()) {
                return invalid(format!("provider {:?} is defined twice", provider.id));
            }
            let mut model_ids = HashSet::new();
            for model in &provider.models {
                if !model_ids.insert(model.id.as_str()) {
                    return invalid(format!(
                        "provider {:?}: model {:?} is defined twice",
                        provider.id, model.id
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The TOML error's message and position, without the quoted source line: that line may hold
/// a key.
fn toml_message(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim();
    match error.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or_default();
            let line = before.matches('\n').count() + 1;
            let column = before
                .rsplit('\n')
                .next()
                .map_or(0, |tail| tail.chars().count())
                + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message.to_owned(),
    }
}
