//! The replay policy record (POLICY.md §2.1), the family builders (§2.2–§2.5), ClawRouter's
//! choice of family by transport (§0.1), and the merge of a hook's partial policy over the
//! defaults.
//!
//! Builders return the *hook output*: a JSON object with exactly the keys and key order the spec
//! lists (§5 A5 and B compare them exactly). [`ReplayPolicy::merge`] turns one into the
//! effective policy the pipeline reads.

use serde_json::{Map, Value, json};

use crate::conversation::JsonMap;

/// `toolCallIdMode` (§2.7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ToolCallIdMode {
    /// Alphanumeric, at most 40 characters.
    Strict,
    /// Alphanumeric, exactly 9 characters (Mistral).
    Strict9,
}

/// `sanitizeThoughtSignatures` (§2.6 S2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SanitizeThoughtSignatures {
    /// Keep only valid canonical base64 signatures.
    pub allow_base64_only: bool,
    /// Also look at `thoughtSignature` (camel case).
    pub include_camel_case: bool,
}

/// The effective replay policy (§2.1, right-hand names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayPolicy {
    /// `sanitizeMode` (`"full"` / `"images-only"`). Read by nothing in the baseline (§6.2 PD3):
    /// kept because policy outputs include it; it has no effect here.
    pub sanitize_mode: String,
    /// `sanitizeToolCallIds`.
    pub sanitize_tool_call_ids: bool,
    /// `toolCallIdMode`.
    pub tool_call_id_mode: Option<ToolCallIdMode>,
    /// `duplicateToolCallIdStyle` is `"openai"`.
    pub duplicate_tool_call_id_style_openai: bool,
    /// `preserveNativeAnthropicToolUseIds`.
    pub preserve_native_anthropic_tool_use_ids: bool,
    /// `repairToolUseResultPairing`.
    pub repair_tool_use_result_pairing: bool,
    /// `preserveSignatures`.
    pub preserve_signatures: bool,
    /// `appendOnlyRuntimeContext`.
    pub append_only_runtime_context: bool,
    /// `sanitizeThoughtSignatures`.
    pub sanitize_thought_signatures: Option<SanitizeThoughtSignatures>,
    /// `dropThinkingBlocks`.
    pub drop_thinking_blocks: bool,
    /// `dropReasoningFromHistory`.
    pub drop_reasoning_from_history: bool,
    /// `applyGoogleTurnOrdering` (hook name `applyAssistantFirstOrderingFix`).
    pub apply_google_turn_ordering: bool,
    /// `validateGeminiTurns`.
    pub validate_gemini_turns: bool,
    /// `validateAnthropicTurns`.
    pub validate_anthropic_turns: bool,
    /// `allowSyntheticToolResults` (the session write guard only; replay repair always
    /// synthesises).
    pub allow_synthetic_tool_results: bool,
}

impl Default for ReplayPolicy {
    /// The host defaults (§2.1; §5 C1).
    fn default() -> Self {
        ReplayPolicy {
            sanitize_mode: "images-only".to_owned(),
            sanitize_tool_call_ids: false,
            tool_call_id_mode: None,
            duplicate_tool_call_id_style_openai: false,
            preserve_native_anthropic_tool_use_ids: false,
            repair_tool_use_result_pairing: true,
            preserve_signatures: false,
            append_only_runtime_context: false,
            sanitize_thought_signatures: None,
            drop_thinking_blocks: false,
            drop_reasoning_from_history: false,
            apply_google_turn_ordering: false,
            validate_gemini_turns: false,
            validate_anthropic_turns: false,
            allow_synthetic_tool_results: false,
        }
    }
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

impl ReplayPolicy {
    /// Merges a hook's partial policy over the defaults (§2.1 "Merge"): `sanitizeMode` copied
    /// when non-null; booleans only when the value is a boolean; `toolCallIdMode`,
    /// `duplicateToolCallIdStyle` and `sanitizeThoughtSignatures` only when truthy. `None` = all
    /// defaults.
    pub fn merge(hook: Option<&JsonMap>) -> Self {
        let mut policy = ReplayPolicy::default();
        let Some(hook) = hook else {
            return policy;
        };
        if let Some(Value::String(mode)) = hook.get("sanitizeMode") {
            policy.sanitize_mode.clone_from(mode);
        }
        let flags: [(&str, &mut bool); 11] = [
            ("sanitizeToolCallIds", &mut policy.sanitize_tool_call_ids),
            (
                "preserveNativeAnthropicToolUseIds",
                &mut policy.preserve_native_anthropic_tool_use_ids,
            ),
            (
                "repairToolUseResultPairing",
                &mut policy.repair_tool_use_result_pairing,
            ),
            ("preserveSignatures", &mut policy.preserve_signatures),
            (
                "appendOnlyRuntimeContext",
                &mut policy.append_only_runtime_context,
            ),
            ("dropThinkingBlocks", &mut policy.drop_thinking_blocks),
            (
                "dropReasoningFromHistory",
                &mut policy.drop_reasoning_from_history,
            ),
            (
                "applyAssistantFirstOrderingFix",
                &mut policy.apply_google_turn_ordering,
            ),
            ("validateGeminiTurns", &mut policy.validate_gemini_turns),
            (
                "validateAnthropicTurns",
                &mut policy.validate_anthropic_turns,
            ),
            (
                "allowSyntheticToolResults",
                &mut policy.allow_synthetic_tool_results,
            ),
        ];
        for (key, field) in flags {
            if let Some(Value::Bool(value)) = hook.get(key) {
                *field = *value;
            }
        }
        match hook.get("toolCallIdMode").filter(|value| truthy(value)) {
            Some(Value::String(mode)) if mode == "strict" => {
                policy.tool_call_id_mode = Some(ToolCallIdMode::Strict);
            }
            Some(Value::String(mode)) if mode == "strict9" => {
                policy.tool_call_id_mode = Some(ToolCallIdMode::Strict9);
            }
            _ => {}
        }
        if let Some(Value::String(style)) = hook.get("duplicateToolCallIdStyle") {
            policy.duplicate_tool_call_id_style_openai = style == "openai";
        }
        if let Some(value) = hook
            .get("sanitizeThoughtSignatures")
            .filter(|value| truthy(value))
        {
            let flag = |key: &str| value.get(key).is_some_and(|v| v.as_bool() == Some(true));
            policy.sanitize_thought_signatures = Some(SanitizeThoughtSignatures {
                allow_base64_only: flag("allowBase64Only"),
                include_camel_case: flag("includeCamelCase"),
            });
        }
        policy
    }

    /// ClawRouter's effective policy for a transport and (prefixed) model id.
    pub fn for_clawrouter(api: &str, model_id: &str) -> Self {
        ReplayPolicy::merge(clawrouter_replay_policy(api, model_id).as_ref())
    }
}

/// The Responses APIs (§2.2, §2.6 S7).
pub fn is_responses_api(api: &str) -> bool {
    matches!(
        api,
        "openai-responses" | "openai-chatgpt-responses" | "azure-openai-responses"
    )
}

/// Options of the openai-compatible builder (§2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenAiCompatibleOptions<'a> {
    /// `sanitizeToolCallIds` (default true).
    pub sanitize_tool_call_ids: bool,
    /// `duplicateToolCallIdStyle`.
    pub duplicate_tool_call_id_style: Option<&'a str>,
    /// `dropReasoningFromHistory` (default true).
    pub drop_reasoning_from_history: bool,
    /// `modelId` (read by no baseline rule; the Gemma-4 rule is a VARIANT, B5).
    pub model_id: &'a str,
}

impl Default for OpenAiCompatibleOptions<'_> {
    fn default() -> Self {
        OpenAiCompatibleOptions {
            sanitize_tool_call_ids: true,
            duplicate_tool_call_id_style: None,
            drop_reasoning_from_history: true,
            model_id: "",
        }
    }
}

/// The openai-compatible family (§2.2). `None` = no policy (an API outside the four OpenAI
/// ones).
pub fn openai_compatible_policy(
    model_api: &str,
    options: &OpenAiCompatibleOptions<'_>,
) -> Option<JsonMap> {
    let responses = is_responses_api(model_api);
    if model_api != "openai-completions" && !responses {
        return None;
    }
    let completions = model_api == "openai-completions";
    let mut out = Map::new();
    if options.sanitize_tool_call_ids {
        out.insert("sanitizeToolCallIds".into(), Value::Bool(true));
        out.insert("toolCallIdMode".into(), Value::from("strict"));
        if let Some(style) = options.duplicate_tool_call_id_style {
            out.insert("duplicateToolCallIdStyle".into(), Value::from(style));
        }
    }
    if responses {
        out.insert("allowSyntheticToolResults".into(), Value::Bool(true));
    }
    for key in [
        "applyAssistantFirstOrderingFix",
        "validateGeminiTurns",
        "validateAnthropicTurns",
    ] {
        out.insert(key.into(), Value::Bool(completions));
    }
    if completions && options.drop_reasoning_from_history {
        out.insert("dropReasoningFromHistory".into(), Value::Bool(true));
    }
    Some(out)
}

/// The native-anthropic-by-model family (§2.3). `canonical_model_id` is
/// `model.params.canonicalModelId` when the runtime model has one.
pub fn native_anthropic_policy(model_id: &str, canonical_model_id: Option<&str>) -> JsonMap {
    let mut out = anthropic_by_model_policy(model_id, canonical_model_id);
    out.insert(
        "preserveNativeAnthropicToolUseIds".into(),
        Value::Bool(true),
    );
    out
}

/// The anthropic-by-model family (§2.5): native-anthropic minus
/// `preserveNativeAnthropicToolUseIds`.
pub fn anthropic_by_model_policy(model_id: &str, canonical_model_id: Option<&str>) -> JsonMap {
    let identity_source = canonical_model_id.unwrap_or(model_id);
    let mut out = strict_anthropic_base(super::claude::binds_prefix(identity_source));
    if super::claude::should_drop_thinking(identity_source) {
        out.insert("dropThinkingBlocks".into(), Value::Bool(true));
    }
    out
}

fn strict_anthropic_base(binds_prefix: bool) -> JsonMap {
    let value = json!({"sanitizeMode":"full","sanitizeToolCallIds":true,"toolCallIdMode":"strict",
        "preserveSignatures":true,"appendOnlyRuntimeContext":binds_prefix,
        "repairToolUseResultPairing":true,"validateAnthropicTurns":true,"allowSyntheticToolResults":true});
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The google-gemini family (§2.4).
pub fn google_gemini_policy() -> JsonMap {
    let value = json!({"appendOnlyRuntimeContext":false,"sanitizeMode":"full","sanitizeToolCallIds":true,
        "toolCallIdMode":"strict","sanitizeThoughtSignatures":{"allowBase64Only":true,"includeCamelCase":true},
        "repairToolUseResultPairing":true,"applyAssistantFirstOrderingFix":true,"validateGeminiTurns":true,
        "validateAnthropicTurns":false,"allowSyntheticToolResults":true});
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The passthrough-gemini family (§2.5).
pub fn passthrough_gemini_policy(model_id: &str) -> JsonMap {
    let mut out = Map::new();
    for key in [
        "applyAssistantFirstOrderingFix",
        "validateGeminiTurns",
        "validateAnthropicTurns",
    ] {
        out.insert(key.into(), Value::Bool(false));
    }
    if model_id.to_lowercase().contains("gemini") {
        out.insert(
            "sanitizeThoughtSignatures".into(),
            json!({"allowBase64Only":true,"includeCamelCase":true}),
        );
    }
    out
}

/// The hybrid-anthropic-openai family (§2.5): the strict Anthropic policy for
/// `anthropic-messages` / `bedrock-converse-stream` (thinking dropped only when
/// `drop_thinking_blocks` asks and shouldDrop holds), else the openai-compatible one.
pub fn hybrid_anthropic_openai_policy(
    model_api: &str,
    model_id: &str,
    drop_thinking_blocks: bool,
    options: &OpenAiCompatibleOptions<'_>,
) -> Option<JsonMap> {
    if matches!(model_api, "anthropic-messages" | "bedrock-converse-stream") {
        let mut out = strict_anthropic_base(super::claude::binds_prefix(model_id));
        if drop_thinking_blocks && super::claude::should_drop_thinking(model_id) {
            out.insert("dropThinkingBlocks".into(), Value::Bool(true));
        }
        return Some(out);
    }
    openai_compatible_policy(model_api, options)
}

/// ClawRouter's `buildReplayPolicy` hook (§0.1): `anthropic-messages` → native-anthropic by
/// model; `google-generative-ai` → google-gemini; anything else → openai-compatible with
/// `dropReasoningFromHistory:false` (`None` for a non-OpenAI API, §5 A6).
pub fn clawrouter_replay_policy(model_api: &str, model_id: &str) -> Option<JsonMap> {
    match model_api {
        "anthropic-messages" => Some(native_anthropic_policy(model_id, None)),
        "google-generative-ai" => Some(google_gemini_policy()),
        _ => openai_compatible_policy(
            model_api,
            &OpenAiCompatibleOptions {
                drop_reasoning_from_history: false,
                model_id,
                ..OpenAiCompatibleOptions::default()
            },
        ),
    }
}

/// How the host reads reasoning from a reply (§2.4, §0.1 `resolveReasoningOutputMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasoningOutputMode {
    /// From the API's native reasoning fields (the host default).
    Native,
    /// From `<think>…</think><final>…</final>` tags in the text.
    Tagged,
}

/// ClawRouter's `resolveReasoningOutputMode`: `tagged` for `google-generative-ai`, else the
/// host default `native`.
pub fn reasoning_output_mode(model_api: &str) -> ReasoningOutputMode {
    if model_api == "google-generative-ai" {
        ReasoningOutputMode::Tagged
    } else {
        ReasoningOutputMode::Native
    }
}
