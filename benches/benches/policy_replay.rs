//! The replay pipeline of `clawrouter-policy` (POLICY.md §2.6) and the request conversion (§3)
//! on a 200-turn conversation with 100 tool calls: µs per call, per transport.
//!
//! The conversation: 100 rounds of a user turn, an assistant turn (signed thinking, text, one
//! tool call with a Responses-style `call_<n>|fc_<n>` id, so the strict id rules rewrite every
//! id) and its tool result. Every tenth result is missing, so pairing repair synthesises 10.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::hint::black_box;

use clawrouter_policy::conversation::{Message, conversation_from_value};
use clawrouter_policy::convert::{RequestSpec, build_request_body};
use clawrouter_policy::replay::apply_replay_policy;
use clawrouter_wire::transport::Transport;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

fn conversation(model: &str, api: &str) -> Vec<Message> {
    let mut messages = Vec::new();
    for n in 0..100 {
        messages.push(
            json!({"role":"user","content":format!("step {n}: read file {n}"),"timestamp":n * 3}),
        );
        messages.push(json!({"role":"assistant","api":api,"provider":"clawrouter","model":model,
            "stopReason":"toolUse","timestamp":n * 3 + 1,
            "usage":{"input":100,"output":20,"cacheRead":0,"cacheWrite":0,"totalTokens":120,
                     "cost":{"input":0,"output":0,"cacheRead":0,"cacheWrite":0,"total":0}},
            "content":[
                {"type":"thinking","thinking":format!("I should read file {n}"),"thinkingSignature":"AAAAAAAAAAAAAAAAAAAAAA=="},
                {"type":"text","text":format!("Reading file {n}.")},
                {"type":"toolCall","id":format!("call_{n}|fc_{n}"),"name":"read","arguments":{"path":format!("f{n}.txt")}}]}));
        if n % 10 != 9 {
            messages.push(json!({"role":"toolResult","toolCallId":format!("call_{n}|fc_{n}"),"toolName":"read",
                "isError":false,"timestamp":n * 3 + 2,"content":[{"type":"text","text":format!("contents of f{n}")}]}));
        }
    }
    conversation_from_value(Value::Array(messages))
}

const ROUTES: [(Transport, &str); 4] = [
    (Transport::OpenAiCompletions, "deepseek/deepseek-v4-flash"),
    (Transport::OpenAiResponses, "openai/gpt-5.5"),
    (Transport::AnthropicMessages, "anthropic/claude-sonnet-4-6"),
    (Transport::GoogleGenerativeAi, "google/gemini-3.5-flash"),
];

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("policy_replay");
    for (transport, model) in ROUTES {
        let messages = conversation(model, transport.as_str());
        group.bench_function(format!("replay/{}", transport.as_str()), |b| {
            b.iter(|| apply_replay_policy(transport, model, black_box(&messages)))
        });
        let (replayed, _) = apply_replay_policy(transport, model, &messages);
        group.bench_function(format!("body/{}", transport.as_str()), |b| {
            b.iter(|| {
                let spec = RequestSpec::new(model, black_box(&replayed));
                build_request_body(transport, &spec)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
