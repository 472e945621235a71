//! Reasoning efforts and OpenClaw's thinking levels (PROTOCOL.md §4.7).

use std::fmt;

use serde_json::Value;

use crate::json::Json;

/// A canonical wire reasoning effort, in canonical order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReasoningEffort {
    /// `none` (thinking level `off`).
    None,
    /// `minimal`.
    Minimal,
    /// `low`.
    Low,
    /// `medium`.
    Medium,
    /// `high`.
    High,
    /// `xhigh`.
    Xhigh,
    /// `max`.
    Max,
}

impl ReasoningEffort {
    /// All seven, in canonical order.
    pub const ALL: [ReasoningEffort; 7] = [
        ReasoningEffort::None,
        ReasoningEffort::Minimal,
        ReasoningEffort::Low,
        ReasoningEffort::Medium,
        ReasoningEffort::High,
        ReasoningEffort::Xhigh,
        ReasoningEffort::Max,
    ];

    /// The wire spelling (`none`, `minimal`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ReasoningEffort::None => "none",
            ReasoningEffort::Minimal => "minimal",
            ReasoningEffort::Low => "low",
            ReasoningEffort::Medium => "medium",
            ReasoningEffort::High => "high",
            ReasoningEffort::Xhigh => "xhigh",
            ReasoningEffort::Max => "max",
        }
    }

    /// OpenClaw's thinking-level id for this effort (`none` → `off`, the others unchanged).
    pub fn level_id(self) -> &'static str {
        match self {
            ReasoningEffort::None => "off",
            other => other.as_str(),
        }
    }

    /// The effort with this exact wire spelling.
    pub fn from_wire(text: &str) -> Option<Self> {
        ReasoningEffort::ALL
            .into_iter()
            .find(|effort| effort.as_str() == text)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for ReasoningEffort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A non-empty set of canonical efforts, iterated in canonical order.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct EffortSet(u8);

impl EffortSet {
    /// Whether `effort` is supported.
    pub fn contains(self, effort: ReasoningEffort) -> bool {
        self.0 & effort.bit() != 0
    }

    /// The supported efforts in canonical order.
    pub fn iter(self) -> impl Iterator<Item = ReasoningEffort> {
        ReasoningEffort::ALL
            .into_iter()
            .filter(move |effort| self.contains(*effort))
    }

    /// The thinking-level map: every level id, with its wire effort when supported.
    pub fn thinking_level_map(self) -> [(&'static str, Option<ReasoningEffort>); 7] {
        ReasoningEffort::ALL
            .map(|effort| (effort.level_id(), self.contains(effort).then_some(effort)))
    }
}

impl fmt::Debug for EffortSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Why a `supportedReasoningEfforts` value was not used.
pub(crate) fn normalize(value: &Json<'_>) -> Result<EffortSet, &'static str> {
    let Json::Array(items) = value else {
        return Err("not an array");
    };
    if items.len() > ReasoningEffort::ALL.len() {
        return Err("more than 7 entries");
    }
    let bits = items
        .iter()
        .filter_map(|item| item.as_str().and_then(ReasoningEffort::from_wire))
        .fold(0u8, |bits, effort| bits | effort.bit());
    if bits == 0 {
        return Err("no canonical effort (none, minimal, low, medium, high, xhigh, max)");
    }
    Ok(EffortSet(bits))
}

/// Normalizes a raw `supportedReasoningEfforts` value per §4.7 (absent when unusable).
///
/// ```
/// use clawrouter_catalog::{ReasoningEffort, normalize_reasoning_efforts};
/// use serde_json::json;
///
/// let set = normalize_reasoning_efforts(&json!(["max", "none", "ultra", "low", "low", null, "xhigh"])).unwrap();
/// let efforts: Vec<&str> = set.iter().map(ReasoningEffort::as_str).collect();
/// assert_eq!(efforts, ["none", "low", "xhigh", "max"]);
/// ```
pub fn normalize_reasoning_efforts(value: &Value) -> Option<EffortSet> {
    normalize(&Json::borrow(value)).ok()
}

/// OpenClaw's thinking profile (§4.7, §14 D13): the level ids of the supported efforts, plus
/// `ultra` when `max` is supported and the agent runtime (trimmed, lower-cased) is `openclaw`
/// or `auto`. `None` when the efforts normalize to nothing.
///
/// ```
/// use clawrouter_catalog::thinking_profile;
/// use serde_json::json;
///
/// let efforts = json!(["ultra", "custom", "none", "none", "max"]);
/// assert_eq!(thinking_profile(&efforts, Some("openclaw")), Some(vec!["off", "max", "ultra"]));
/// assert_eq!(thinking_profile(&json!(["ultra", "custom"]), Some("openclaw")), None);
/// ```
pub fn thinking_profile(efforts: &Value, runtime: Option<&str>) -> Option<Vec<&'static str>> {
    normalize_reasoning_efforts(efforts).map(|set| thinking_levels(set, runtime))
}

pub(crate) fn thinking_levels(set: EffortSet, runtime: Option<&str>) -> Vec<&'static str> {
    let mut levels: Vec<&'static str> = set.iter().map(ReasoningEffort::level_id).collect();
    let runtime = runtime.map(|runtime| crate::rows::js_trim(runtime).to_lowercase());
    if set.contains(ReasoningEffort::Max) && matches!(runtime.as_deref(), Some("openclaw" | "auto"))
    {
        levels.push("ultra");
    }
    levels
}
