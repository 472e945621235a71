//! POLICY.md §5 A (dispatch, as far as it concerns replay), B (policy builders) and C (merge).

use clawrouter_policy::conversation::{conversation_from_value, conversation_to_value};
use clawrouter_policy::replay::bootstrap::bootstrap_turn;
use clawrouter_policy::replay::claude::{binds_prefix, identity, should_drop_thinking};
use clawrouter_policy::replay::policy::{
    OpenAiCompatibleOptions, ReasoningOutputMode, ReplayPolicy, SanitizeThoughtSignatures,
    ToolCallIdMode, anthropic_by_model_policy, clawrouter_replay_policy, google_gemini_policy,
    hybrid_anthropic_openai_policy, native_anthropic_policy, openai_compatible_policy,
    passthrough_gemini_policy, reasoning_output_mode,
};
use serde_json::{Map, Value, json};

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// `actual ⊇ expected` (every key of `expected` with that value).
fn check_contains(actual: &Map<String, Value>, expected: Value) {
    for (key, value) in object(expected) {
        assert_eq!(actual.get(&key), Some(&value), "{key} in {actual:?}");
    }
}

/// Exact equality including key order.
fn check_exact(actual: Option<Map<String, Value>>, expected: Value) {
    let actual = Value::Object(actual.expect("a policy"));
    assert_eq!(
        serde_json::to_string(&actual).unwrap(),
        serde_json::to_string(&expected).unwrap()
    );
}

#[test]
fn a1_to_a4_clawrouter_dispatch() {
    let anthropic =
        clawrouter_replay_policy("anthropic-messages", "anthropic/claude-sonnet-4-6").unwrap();
    check_contains(
        &anthropic,
        json!({"preserveNativeAnthropicToolUseIds":true,"validateAnthropicTurns":true}),
    );
    let google =
        clawrouter_replay_policy("google-generative-ai", "google/gemini-3.5-flash").unwrap();
    check_contains(&google, json!({"validateGeminiTurns":true}));
    let deepseek =
        clawrouter_replay_policy("openai-completions", "deepseek/deepseek-v4-flash").unwrap();
    check_contains(&deepseek, json!({"sanitizeToolCallIds":true}));
    check_contains(
        &clawrouter_replay_policy("anthropic-messages", "anthropic/default").unwrap(),
        json!({"preserveNativeAnthropicToolUseIds":true,"preserveSignatures":true,"validateAnthropicTurns":true}),
    );
    check_contains(
        &clawrouter_replay_policy("google-generative-ai", "google/gemini-default").unwrap(),
        json!({"validateGeminiTurns":true}),
    );
    check_contains(
        &clawrouter_replay_policy("openai-responses", "openai/gpt-5.5-mini").unwrap(),
        json!({"validateGeminiTurns":false,"validateAnthropicTurns":false}),
    );
}

#[test]
fn a5_exact_outputs() {
    check_exact(
        clawrouter_replay_policy("openai-completions", "openai/gpt-5.5"),
        json!({"sanitizeToolCallIds":true,"toolCallIdMode":"strict","applyAssistantFirstOrderingFix":true,
               "validateGeminiTurns":true,"validateAnthropicTurns":true}),
    );
    check_exact(
        clawrouter_replay_policy("openai-responses", "openai/gpt-5.5"),
        json!({"sanitizeToolCallIds":true,"toolCallIdMode":"strict","allowSyntheticToolResults":true,
               "applyAssistantFirstOrderingFix":false,"validateGeminiTurns":false,"validateAnthropicTurns":false}),
    );
    check_exact(
        clawrouter_replay_policy("google-generative-ai", "google/gemini-3.5-flash"),
        json!({"appendOnlyRuntimeContext":false,"sanitizeMode":"full","sanitizeToolCallIds":true,
               "toolCallIdMode":"strict","sanitizeThoughtSignatures":{"allowBase64Only":true,"includeCamelCase":true},
               "repairToolUseResultPairing":true,"applyAssistantFirstOrderingFix":true,"validateGeminiTurns":true,
               "validateAnthropicTurns":false,"allowSyntheticToolResults":true}),
    );
    check_exact(
        clawrouter_replay_policy("anthropic-messages", "anthropic/claude-sonnet-4-6"),
        json!({"sanitizeMode":"full","sanitizeToolCallIds":true,"toolCallIdMode":"strict","preserveSignatures":true,
               "appendOnlyRuntimeContext":false,"repairToolUseResultPairing":true,"validateAnthropicTurns":true,
               "allowSyntheticToolResults":true,"preserveNativeAnthropicToolUseIds":true}),
    );
    check_exact(
        clawrouter_replay_policy("anthropic-messages", "anthropic/claude-sonnet-4-5"),
        json!({"sanitizeMode":"full","sanitizeToolCallIds":true,"toolCallIdMode":"strict","preserveSignatures":true,
               "appendOnlyRuntimeContext":false,"repairToolUseResultPairing":true,"validateAnthropicTurns":true,
               "allowSyntheticToolResults":true,"dropThinkingBlocks":true,"preserveNativeAnthropicToolUseIds":true}),
    );
}

#[test]
fn a6_a7_other_api_and_hooks() {
    assert_eq!(
        clawrouter_replay_policy("bedrock-converse-stream", "x"),
        None
    );
    assert_eq!(
        reasoning_output_mode("google-generative-ai"),
        ReasoningOutputMode::Tagged
    );
    for api in [
        "openai-completions",
        "openai-responses",
        "anthropic-messages",
    ] {
        assert_eq!(reasoning_output_mode(api), ReasoningOutputMode::Native);
    }
}

fn options(
    sanitize: bool,
    style: Option<&'static str>,
    drop: bool,
    model: &'static str,
) -> OpenAiCompatibleOptions<'static> {
    OpenAiCompatibleOptions {
        sanitize_tool_call_ids: sanitize,
        duplicate_tool_call_id_style: style,
        drop_reasoning_from_history: drop,
        model_id: model,
    }
}

#[test]
fn b1_to_b9_openai_compatible_builder() {
    let b1 = openai_compatible_policy("openai-completions", &OpenAiCompatibleOptions::default())
        .unwrap();
    check_contains(
        &b1,
        json!({"sanitizeToolCallIds":true,"toolCallIdMode":"strict","applyAssistantFirstOrderingFix":true,
               "validateGeminiTurns":true,"validateAnthropicTurns":true,"dropReasoningFromHistory":true}),
    );
    let b2 =
        openai_compatible_policy("openai-completions", &options(false, None, true, "")).unwrap();
    check_contains(
        &b2,
        json!({"applyAssistantFirstOrderingFix":true,"validateGeminiTurns":true,"validateAnthropicTurns":true}),
    );
    assert!(!b2.contains_key("sanitizeToolCallIds") && !b2.contains_key("toolCallIdMode"));
    let b3 = openai_compatible_policy(
        "openai-completions",
        &options(true, None, true, "qwen3.6-27b"),
    )
    .unwrap();
    assert_eq!(b3.get("dropReasoningFromHistory"), Some(&json!(true)));
    // B4, and B5 in its baseline form (the Gemma-4 rule is a VARIANT, not ported).
    for model in ["google/gemma-3-27b-it", "google/gemma-4-26b-a4b-it"] {
        let policy =
            openai_compatible_policy("openai-completions", &options(true, None, false, model))
                .unwrap();
        assert!(!policy.contains_key("dropReasoningFromHistory"), "{model}");
    }
    let b6 = openai_compatible_policy(
        "openai-responses",
        &options(true, None, true, "google/gemma-4-26b-a4b-it"),
    )
    .unwrap();
    assert!(!b6.contains_key("dropReasoningFromHistory"));
    let b7 = openai_compatible_policy("openai-responses", &options(false, None, true, "")).unwrap();
    check_contains(
        &b7,
        json!({"applyAssistantFirstOrderingFix":false,"validateGeminiTurns":false,"validateAnthropicTurns":false,"allowSyntheticToolResults":true}),
    );
    assert!(!b7.contains_key("sanitizeToolCallIds") && !b7.contains_key("toolCallIdMode"));
    let b8 = openai_compatible_policy(
        "openai-completions",
        &options(true, Some("openai"), false, ""),
    )
    .unwrap();
    assert_eq!(
        Value::Object(b8),
        json!({"applyAssistantFirstOrderingFix":true,"validateGeminiTurns":true,"validateAnthropicTurns":true,
               "sanitizeToolCallIds":true,"toolCallIdMode":"strict","duplicateToolCallIdStyle":"openai"})
    );
    let b9 = openai_compatible_policy(
        "openai-responses",
        &options(false, Some("openai"), false, ""),
    )
    .unwrap();
    assert_eq!(
        Value::Object(b9),
        json!({"applyAssistantFirstOrderingFix":false,"validateGeminiTurns":false,"validateAnthropicTurns":false,"allowSyntheticToolResults":true})
    );
}

#[test]
fn b10_to_b16_anthropic_builders() {
    let b10 = hybrid_anthropic_openai_policy(
        "anthropic-messages",
        "claude-3-7-sonnet-20250219",
        true,
        &OpenAiCompatibleOptions::default(),
    )
    .unwrap();
    check_contains(
        &b10,
        json!({"sanitizeMode":"full","preserveSignatures":true,"repairToolUseResultPairing":true,
               "allowSyntheticToolResults":true,"dropThinkingBlocks":true}),
    );
    let b11 = anthropic_by_model_policy("claude-sonnet-4-6", None);
    check_contains(
        &b11,
        json!({"sanitizeToolCallIds":true,"toolCallIdMode":"strict","validateAnthropicTurns":true}),
    );
    assert!(
        !b11.contains_key("dropThinkingBlocks")
            && !b11.contains_key("preserveNativeAnthropicToolUseIds")
    );
    assert_eq!(
        anthropic_by_model_policy("claude-3-7-sonnet-20250219", None).get("dropThinkingBlocks"),
        Some(&json!(true))
    );
    assert!(
        !anthropic_by_model_policy("amazon.nova-pro-v1", None).contains_key("dropThinkingBlocks")
    );
    // B12, and B13 in its baseline form (Sonnet 4.5 / Haiku 4.5 drop; PD2).
    for (model, drop) in [
        ("claude-opus-4-5-20251101", false),
        ("claude-opus-4-6", false),
        ("claude-sonnet-4-6", false),
        ("claude-3-7-sonnet-20250219", true),
        ("claude-3-5-sonnet-20240620", true),
        ("claude-sonnet-4-5-20250929", true),
        ("claude-haiku-4-5-20251001", true),
        ("claude-opus-4-1", true),
        ("anthropic/default", false),
    ] {
        assert_eq!(should_drop_thinking(model), drop, "{model}");
    }
    let b14 = native_anthropic_policy("claude-sonnet-4-6", None);
    check_contains(
        &b14,
        json!({"sanitizeMode":"full","sanitizeToolCallIds":true,"toolCallIdMode":"strict","preserveNativeAnthropicToolUseIds":true,
               "preserveSignatures":true,"repairToolUseResultPairing":true,"validateAnthropicTurns":true,"allowSyntheticToolResults":true}),
    );
    assert!(!b14.contains_key("dropThinkingBlocks"));
    assert_eq!(
        native_anthropic_policy("claude-3-7-sonnet-20250219", None).get("dropThinkingBlocks"),
        Some(&json!(true))
    );
    // canonicalModelId wins over the model id.
    assert_eq!(
        native_anthropic_policy("my-alias", Some("claude-3-7-sonnet-20250219"))
            .get("dropThinkingBlocks"),
        Some(&json!(true))
    );
    let defaults = OpenAiCompatibleOptions::default();
    let b16 =
        hybrid_anthropic_openai_policy("anthropic-messages", "claude-sonnet-4-6", true, &defaults)
            .unwrap();
    check_contains(&b16, json!({"validateAnthropicTurns":true}));
    assert!(!b16.contains_key("dropThinkingBlocks"));
    let minimax =
        hybrid_anthropic_openai_policy("openai-completions", "MiniMax-M2.7", true, &defaults)
            .unwrap();
    check_contains(
        &minimax,
        json!({"sanitizeToolCallIds":true,"applyAssistantFirstOrderingFix":true}),
    );
    // B17 baseline: no dropReasoningFromHistory on anthropic-messages.
    let b17 =
        hybrid_anthropic_openai_policy("anthropic-messages", "MiniMax-M2.7", false, &defaults)
            .unwrap();
    assert!(!b17.contains_key("dropReasoningFromHistory"));
}

#[test]
fn b18_b19_gemini_builders() {
    check_contains(
        &google_gemini_policy(),
        json!({"validateGeminiTurns":true,"allowSyntheticToolResults":true}),
    );
    check_contains(
        &passthrough_gemini_policy("gemini-2.5-pro"),
        json!({"applyAssistantFirstOrderingFix":false,"validateGeminiTurns":false,"validateAnthropicTurns":false,
               "sanitizeThoughtSignatures":{"allowBase64Only":true,"includeCamelCase":true}}),
    );
    assert!(
        !passthrough_gemini_policy("anthropic/claude-sonnet-4-6")
            .contains_key("sanitizeThoughtSignatures")
    );
}

#[test]
fn b20_b21_gemini_bootstrap() {
    let mut diagnostics = Vec::new();
    let mut marker = false;
    let assistant_first = conversation_from_value(
        json!([{"role":"assistant","content":[{"type":"text","text":"hello"}]}]),
    );
    let out = bootstrap_turn(&assistant_first, Some(&mut marker), &mut diagnostics).unwrap();
    assert_eq!(
        conversation_to_value(&out),
        json!([{"role":"user","content":"(session bootstrap)"},{"role":"assistant","content":[{"type":"text","text":"hello"}]}])
    );
    assert!(marker, "one marker entry is due");
    // Second call after the marker exists: inserted again, marker untouched (no second entry).
    let again = bootstrap_turn(&assistant_first, Some(&mut marker), &mut diagnostics).unwrap();
    assert_eq!(again.len(), 2);
    for unchanged in [
        json!([{"role":"user","content":"hi"}]),
        json!([]),
        json!([{"role":"user","content":"  (session bootstrap)  "},{"role":"assistant","content":[]}]),
        json!([{"role":"toolResult","toolCallId":"a","content":[]}]),
    ] {
        assert_eq!(
            bootstrap_turn(&conversation_from_value(unchanged), None, &mut diagnostics),
            None
        );
    }
}

#[test]
fn b22_claude_identity() {
    for (model, expected_identity, drop, binds) in [
        (
            "anthropic/Claude-Sonnet-4.6",
            "claude-sonnet-4-6",
            false,
            false,
        ),
        (
            "claude-opus-4-1-20250805",
            "claude-opus-4-1-20250805",
            true,
            false,
        ),
        ("claude-opus-5-5", "claude-opus-5-5", false, true),
        ("claude-fable-5-1", "claude-fable-5-1", false, true),
        ("claude-fable-5", "claude-fable-5", false, false),
        (
            "us.anthropic.claude-opus-4-5-v1:0",
            "claude-opus-4-5-v1:0",
            false,
            false,
        ),
        ("opus-5-5", "opus-5-5", false, true),
    ] {
        assert_eq!(identity(model), expected_identity, "{model}");
        assert_eq!(should_drop_thinking(model), drop, "{model}");
        assert_eq!(binds_prefix(model), binds, "{model}");
    }
}

#[test]
fn c1_to_c3_merge() {
    let defaults = ReplayPolicy::merge(None);
    assert_eq!(defaults, ReplayPolicy::default());
    assert_eq!(defaults.sanitize_mode, "images-only");
    assert!(defaults.repair_tool_use_result_pairing && !defaults.sanitize_tool_call_ids);
    let c2 = ReplayPolicy::merge(Some(&object(
        json!({"applyAssistantFirstOrderingFix":true}),
    )));
    assert!(c2.apply_google_turn_ordering);
    let c3 = ReplayPolicy::merge(Some(&object(json!({"sanitizeToolCallIds":"yes"}))));
    assert!(!c3.sanitize_tool_call_ids);
    let google = ReplayPolicy::for_clawrouter("google-generative-ai", "google/gemini-3.5-flash");
    assert_eq!(google.tool_call_id_mode, Some(ToolCallIdMode::Strict));
    assert_eq!(
        google.sanitize_thought_signatures,
        Some(SanitizeThoughtSignatures {
            allow_base64_only: true,
            include_camel_case: true
        })
    );
}

/// PD6: the replay family follows the API, not the model-id prefix.
#[test]
fn google_model_over_openai_completions_gets_openai_replay() {
    assert_eq!(
        clawrouter_replay_policy("openai-completions", "google/gemini-3.5-flash"),
        clawrouter_replay_policy("openai-completions", "openai/gpt-5.5")
    );
    let policy = ReplayPolicy::for_clawrouter("openai-completions", "google/gemini-3.5-flash");
    assert_eq!(policy.sanitize_thought_signatures, None);
    assert!(policy.validate_anthropic_turns && policy.validate_gemini_turns);
}
