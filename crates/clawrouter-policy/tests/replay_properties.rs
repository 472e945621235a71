//! Properties of the replay pipeline and the conversion (POLICY.md §2, §3): applying the
//! pipeline twice equals applying it once; afterwards every tool call has exactly one result
//! and every id satisfies its transport's rule; arbitrary JSON never panics.

use clawrouter_policy::conversation::{Message, conversation_from_value, conversation_to_value};
use clawrouter_policy::convert::{RequestSpec, build_request_body};
use clawrouter_policy::replay::apply_replay_policy;
use clawrouter_policy::replay::pairing::pairing_calls;
use clawrouter_policy::replay::responses::{check_responses_invariant, is_valid_responses_id};
use clawrouter_wire::transport::Transport;
use proptest::prelude::*;
use serde_json::{Value, json};

const IDS: [&str; 10] = [
    "call_1",
    "call_1|fc_1",
    "call_2|item:9",
    "toolu_01ABC",
    "a b!",
    "",
    " call_1 ",
    "functions.read:0",
    "call_a|b",
    "call_a:b",
];
const NAMES: [&str; 5] = ["read", "exec", " read ", "bad name!", ""];
const STOPS: [Option<&str>; 6] = [
    None,
    Some("stop"),
    Some("toolUse"),
    Some("error"),
    Some("aborted"),
    Some("length"),
];
const TEXTS: [&str; 5] = ["hello", "", "  ", "NO_REPLY", "(session bootstrap)"];
const SIGS: [Option<&str>; 5] = [
    None,
    Some("AQID"),
    Some("msg_1"),
    Some(""),
    Some("{\"type\":\"reasoning\",\"id\":\"rs_1\"}"),
];

fn block() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0..TEXTS.len()).prop_map(|t| json!({"type":"text","text":TEXTS[t]})),
        (0..TEXTS.len(), 0..SIGS.len()).prop_map(|(t, s)| {
            let mut block = json!({"type":"thinking","thinking":TEXTS[t]});
            if let Some(sig) = SIGS[s] {
                block["thinkingSignature"] = json!(sig);
            }
            block
        }),
        Just(json!({"type":"redacted_thinking","data":"opaque"})),
        (0..IDS.len(), 0..NAMES.len(), 0..3_usize, any::<bool>()).prop_map(|(i, n, k, args)| {
            let kind = ["toolCall", "toolUse", "functionCall"][k];
            let mut block = json!({"type":kind,"id":IDS[i],"name":NAMES[n]});
            if args {
                block[if kind == "toolUse" {
                    "input"
                } else {
                    "arguments"
                }] = json!({"p":1});
            }
            block
        }),
        Just(json!({"type":"image","data":"AAAA","mimeType":"image/png"})),
    ]
}

fn message() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0..TEXTS.len()).prop_map(|t| json!({"role":"user","content":TEXTS[t]})),
        prop::collection::vec(block(), 0..3).prop_map(|blocks| json!({"role":"user","content":blocks})),
        (prop::collection::vec(block(), 0..4), 0..STOPS.len(), 0..3_usize).prop_map(|(blocks, s, m)| {
            let mut message = json!({"role":"assistant","content":blocks});
            if let Some(stop) = STOPS[s] {
                message["stopReason"] = json!(stop);
            }
            if m > 0 {
                message["provider"] = json!("clawrouter");
                message["api"] = json!(["openai-responses", "anthropic-messages"][m - 1]);
                message["model"] = json!("m");
            }
            message
        }),
        (0..IDS.len(), 0..NAMES.len(), 0..3_usize).prop_map(|(i, n, alias)| {
            let field = ["toolCallId", "toolUseId", "call_id"][alias];
            json!({"role":"toolResult", field: IDS[i], "toolName": NAMES[n], "content":[{"type":"text","text":"r"}]})
        }),
        Just(json!({"role":"compactionSummary","timestamp":5})),
    ]
}

fn conversation() -> impl Strategy<Value = Vec<Message>> {
    prop::collection::vec(message(), 0..12)
        .prop_map(|messages| conversation_from_value(Value::Array(messages)))
}

fn transport() -> impl Strategy<Value = (Transport, &'static str)> {
    prop_oneof![
        Just((Transport::OpenAiCompletions, "deepseek/deepseek-v4-flash")),
        Just((Transport::OpenAiResponses, "openai/gpt-5.5")),
        Just((Transport::AnthropicMessages, "anthropic/claude-sonnet-4-6")),
        Just((
            Transport::AnthropicMessages,
            "anthropic/claude-3-7-sonnet-20250219"
        )),
        Just((Transport::GoogleGenerativeAi, "google/gemini-3.5-flash")),
    ]
}

fn strict_ok(id: &str) -> bool {
    !id.is_empty() && id.len() <= 40 && id.chars().all(|c| c.is_ascii_alphanumeric())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        // PROPTEST_CASES, when set, overrides this count (`with_cases` alone ignores it).
        std::env::var("PROPTEST_CASES").map_or(512, |_| ProptestConfig::default().cases)
    ))]

    #[test]
    fn pipeline_is_idempotent(messages in conversation(), (transport, model) in transport()) {
        let (once, _) = apply_replay_policy(transport, model, &messages);
        let (twice, _) = apply_replay_policy(transport, model, &once);
        prop_assert_eq!(conversation_to_value(&twice), conversation_to_value(&once));
    }

    #[test]
    fn every_call_has_one_result_and_a_valid_id(messages in conversation(), (transport, model) in transport()) {
        let (out, _) = apply_replay_policy(transport, model, &messages);
        // Every call is answered by exactly one result right after its assistant, and no result
        // lacks its call (the §2.6 S10 invariant, which holds on every route after the pipeline).
        prop_assert_eq!(check_responses_invariant(&out), Ok(()));
        let input_ids: Vec<String> = messages.iter().flat_map(pairing_calls).map(|(id, _)| id).collect();
        for message in &out {
            for (id, _) in pairing_calls(message) {
                let valid = match transport {
                    Transport::OpenAiResponses => is_valid_responses_id(&id),
                    // Strict mode keeps Kimi's native `functions.<name>:<n>` ids (§2.7.1); the
                    // Anthropic route also keeps native `toolu_` ids and the ids of replay-safe
                    // signed-thinking turns verbatim.
                    Transport::AnthropicMessages => {
                        strict_ok(&id) || id == "functions.read:0" || input_ids.contains(&id)
                    }
                    _ => strict_ok(&id) || id == "functions.read:0",
                };
                prop_assert!(valid, "{:?} is not a valid {} id", id, transport.as_str());
            }
        }
        // And the conversion of the result builds a body without panicking.
        let spec = RequestSpec::new(model, &out);
        let _ = build_request_body(transport, &spec);
    }

    #[test]
    fn arbitrary_json_never_panics(value in arbitrary_json(), t in 0..4_usize) {
        let transport = Transport::ALL[t];
        let messages = conversation_from_value(value);
        let (out, _) = apply_replay_policy(transport, "google/gemini-3-pro", &messages);
        let spec = RequestSpec::new("gemini-3-pro", &out);
        let _ = build_request_body(transport, &spec);
        let spec = RequestSpec::new("gemini-3-pro", &messages);
        let _ = build_request_body(transport, &spec);
    }
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        prop::sample::select(vec![
            "user",
            "assistant",
            "toolResult",
            "tool",
            "text",
            "thinking",
            "toolCall",
            "toolUse",
            "redacted_thinking",
            "image",
            "",
            " ",
            "call_1",
            "error",
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "role",
                        "content",
                        "type",
                        "text",
                        "thinking",
                        "id",
                        "name",
                        "arguments",
                        "input",
                        "toolCallId",
                        "toolUseId",
                        "stopReason",
                        "timestamp",
                        "data",
                        "thinkingSignature",
                        "thought_signature",
                        "partialJson",
                        "details",
                    ]),
                    inner
                ),
                0..6
            )
            .prop_map(|pairs| Value::Object(
                pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
            )),
        ]
    })
}
