//! Tool-schema normalization (clawrouter-policy, POLICY.md §4) on arbitrary JSON: every family
//! (and the native-OpenAI strict normalizer, and the generic pass of §4.1) never panics and finishes in bounded time, with
//! default limits and with tiny ones; the DeepSeek, Gemini and Perplexity families are
//! idempotent (normalizing the output again changes nothing). Input that is not JSON is used as
//! UTF-16 units for the bounded-id sanitizers (PROTOCOL.md §7.3), whose output must be ASCII
//! and within the kind's length limit.
#![no_main]

use clawrouter_policy::ToolDefinition;
use clawrouter_policy::bounded_id::BoundedIdKind;
use clawrouter_policy::tools::generic::{GenericSchemaOptions, normalize_tool_parameter_schema};
use clawrouter_policy::tools::{
    NormalizeLimits, ToolSchemaContext, inspect_tools, normalize_tools, normalize_tools_with,
};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const MODELS: [&str; 4] = [
    "google/gemini-3.5-flash",
    "deepseek/deepseek-v4-flash",
    "perplexity/sonar-pro",
    "openai/gpt-5.5",
];

fn tools_of(parameters: Value) -> Vec<ToolDefinition> {
    vec![ToolDefinition {
        name: "t".into(),
        description: String::new(),
        parameters,
    }]
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        let units: Vec<u16> = data
            .chunks(2)
            .map(|pair| u16::from_le_bytes([pair[0], *pair.get(1).unwrap_or(&0)]))
            .collect();
        for kind in [
            BoundedIdKind::Attribution,
            BoundedIdKind::PrintableAttribution,
            BoundedIdKind::RequestId,
        ] {
            if let Some(out) = kind.sanitize_utf16(&units) {
                assert!(out.len() <= kind.max_len());
                assert!(out.bytes().all(|b| (0x20..0x7f).contains(&b)));
            }
        }
        return;
    };
    let tools = tools_of(value);
    let tiny = NormalizeLimits {
        max_depth: 8,
        max_ref_expansion: 64,
    };
    for model in MODELS {
        let out = normalize_tools(model, &tools);
        let _ = inspect_tools(model, &tools);
        let _ = normalize_tools_with(&ToolSchemaContext::clawrouter(model), &tools, tiny);
        if model != "openai/gpt-5.5" {
            let again_input = tools_of(out.tools[0].parameters.clone());
            let again = normalize_tools(model, &again_input);
            assert_eq!(
                serde_json::to_string(&again.tools[0].parameters).unwrap(),
                serde_json::to_string(&out.tools[0].parameters).unwrap(),
                "{model} is not idempotent"
            );
        }
    }
    let native = ToolSchemaContext {
        provider: "openai",
        model_id: "openai/gpt-5.5",
        model_api: "openai-responses",
        base_url: "https://api.openai.com/v1",
    };
    let _ = normalize_tools_with(&native, &tools, NormalizeLimits::DEFAULT);
    let _ = normalize_tools_with(&native, &tools, tiny);
    // The generic pass (POLICY.md §4.1), plain and with every provider-cleaning option.
    for options in [
        GenericSchemaOptions {
            provider: "clawrouter",
            model_id: "openai/gpt-5.5",
            ..GenericSchemaOptions::default()
        },
        GenericSchemaOptions {
            provider: "clawrouter",
            model_id: "google/gemini-3.5-flash",
            omit_empty_array_items: true,
            tool_schema_profile: Some("llamacpp"),
            unsupported_keywords: &["format", "items"],
        },
    ] {
        let _ = normalize_tool_parameter_schema(&tools[0].parameters, &options, NormalizeLimits::DEFAULT);
        let _ = normalize_tool_parameter_schema(&tools[0].parameters, &options, tiny);
    }
});
