//! `clawrouter-policy`: any JSON value read as a conversation goes through the replay pipeline
//! (POLICY.md §2.6) and the request conversion (§3) of one transport without panicking. The
//! first input byte picks the transport and model; the rest is the JSON text (inputs that are not
//! JSON are skipped: parsing is serde_json's business).
#![no_main]

use clawrouter_policy::conversation::conversation_from_value;
use clawrouter_policy::convert::{RequestSpec, build_request_body};
use clawrouter_policy::replay::apply_replay_policy;
use clawrouter_wire::transport::Transport;
use libfuzzer_sys::fuzz_target;

const MODELS: [&str; 4] = [
    "openai/gpt-5.5",
    "anthropic/claude-sonnet-4-6",
    "anthropic/claude-3-7-sonnet-20250219",
    "google/gemini-3-pro",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, json)) = data.split_first() else {
        return;
    };
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(json) else {
        return;
    };
    let transport = Transport::ALL[usize::from(selector) % 4];
    let model = MODELS[usize::from(selector / 4) % 4];
    let messages = conversation_from_value(value);
    let (replayed, _) = apply_replay_policy(transport, model, &messages);
    let mut spec = RequestSpec::new(model, &replayed);
    spec.reasoning = Some("high");
    spec.system_prompt = Some("s");
    let _ = build_request_body(transport, &spec);
    // The conversion is total on un-replayed conversations too.
    let spec = RequestSpec::new(model, &messages);
    let _ = build_request_body(transport, &spec);
});
