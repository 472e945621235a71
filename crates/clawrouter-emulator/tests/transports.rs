//! Each transport, over real HTTP, decoded with `clawrouter-wire`: exact text, reasoning, tool
//! call, stop reason and usage (WIRE.md §2).

use clawrouter_emulator::reply::word_deltas;
use clawrouter_emulator::{expected_reasoning_text, expected_reply_text};
use clawrouter_wire::events::{StopReason, Usage};
use clawrouter_wire::transport::Transport;
use serde_json::Value;

use crate::support::{Ask, DEMO, calls, decode, post, start};

const TOOL_ARGUMENTS: &str = r#"{"city":"emulator"}"#;

/// The usage each transport reports for a reply, as the wire decoders normalize it.
fn expected_usage(transport: Transport, input: u64, output: u64, reasoning: u64) -> Usage {
    match transport {
        Transport::OpenAiResponses | Transport::OpenAiCompletions => Usage {
            input: Some(input),
            output: Some(output),
            cache_read: Some(0),
            cache_write: None,
            reasoning: Some(reasoning),
            total: Some(input + output),
        },
        Transport::AnthropicMessages => Usage {
            input: Some(input),
            output: Some(output),
            cache_read: Some(0),
            cache_write: Some(0),
            reasoning: None,
            total: None,
        },
        Transport::GoogleGenerativeAi => Usage {
            input: Some(input),
            output: Some(output),
            cache_read: None,
            cache_write: None,
            reasoning: (reasoning > 0).then_some(reasoning),
            total: Some(input + output),
        },
    }
}

async fn check(ask: Ask<'_>) {
    let emulator = start().await;
    for call in calls(ask) {
        let received = post(&emulator, &call.path, DEMO, &call.body).await;
        assert_eq!(received.status, 200, "{}: {}", call.name, received.text());
        let message = decode(call.transport, call.framing, &received)
            .unwrap_or_else(|failure| panic!("{}: {failure}", call.name));
        assert_eq!(
            message.text(),
            expected_reply_text(ask.prompt),
            "{}",
            call.name
        );
        let reasoning = if ask.reasoning {
            expected_reasoning_text(ask.prompt)
        } else {
            String::new()
        };
        assert_eq!(message.reasoning(), reasoning, "{}", call.name);
        let tools: Vec<_> = message.tool_calls().collect();
        if ask.tool {
            assert_eq!(tools.len(), 1, "{}", call.name);
            assert_eq!(tools[0].name, "lookup_city", "{}", call.name);
            assert_eq!(tools[0].arguments_error, None, "{}", call.name);
            let arguments: Value = serde_json::from_str(&tools[0].arguments).unwrap();
            assert_eq!(
                arguments,
                serde_json::json!({"city": "emulator"}),
                "{}",
                call.name
            );
            assert_eq!(
                message.stop_reason,
                Some(StopReason::ToolUse),
                "{}",
                call.name
            );
        } else {
            assert!(tools.is_empty(), "{}", call.name);
            assert_eq!(message.stop_reason, Some(StopReason::Stop), "{}", call.name);
        }
        // Usage: ⌈body / 4⌉ in; one token per word delta, ⌈arguments / 4⌉ + 4 per tool call out.
        let input = call.body.len().div_ceil(4) as u64;
        let reasoning_tokens = if ask.reasoning {
            word_deltas(&reasoning).len() as u64
        } else {
            0
        };
        let tool_tokens = if ask.tool {
            TOOL_ARGUMENTS.len().div_ceil(4) as u64 + 4
        } else {
            0
        };
        let output = word_deltas(&expected_reply_text(ask.prompt)).len() as u64
            + reasoning_tokens
            + tool_tokens;
        assert_eq!(
            message.usage,
            Some(expected_usage(
                call.transport,
                input,
                output,
                reasoning_tokens
            )),
            "{}",
            call.name
        );
    }
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn text_only() {
    check(Ask {
        prompt: "Hi there",
        reasoning: false,
        tool: false,
    })
    .await;
}

#[tokio::test]
async fn with_reasoning() {
    check(Ask {
        prompt: "Explain the sky, please",
        reasoning: true,
        tool: false,
    })
    .await;
}

#[tokio::test]
async fn with_a_tool_call() {
    check(Ask {
        prompt: "Weather in Oslo?",
        reasoning: false,
        tool: true,
    })
    .await;
}

#[tokio::test]
async fn with_reasoning_and_a_tool_call_and_unicode() {
    check(Ask {
        prompt: "Grüße aus Köln 😀 \"quoted\" \\ back\nslash",
        reasoning: true,
        tool: true,
    })
    .await;
}

/// The exact numbers of one case, independent of the helper formulas.
#[test]
fn reply_numbers_of_one_prompt() {
    assert_eq!(word_deltas(&expected_reply_text("Hi there")).len(), 13);
    assert_eq!(word_deltas(&expected_reasoning_text("Hi there")).len(), 13);
    assert_eq!(
        word_deltas("You said: \"Hi\"."),
        ["You", " said:", " \"Hi\"."]
    );
}

/// The same request twice gives the same bytes.
#[tokio::test]
async fn replies_are_deterministic() {
    let emulator = start().await;
    for call in calls(Ask {
        prompt: "Same again",
        reasoning: true,
        tool: true,
    }) {
        let first = post(&emulator, &call.path, DEMO, &call.body).await.body();
        let second = post(&emulator, &call.path, DEMO, &call.body).await.body();
        assert_eq!(first, second, "{}", call.name);
    }
}

/// After a tool result the reply is text only, so an agent loop ends.
#[tokio::test]
async fn no_tool_call_after_a_tool_result() {
    let emulator = start().await;
    let body = r#"{"model":"openai/gpt-4.1-mini","stream":true,"messages":[
        {"role":"user","content":"Weather?"},
        {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup_city","arguments":"{}"}}]},
        {"role":"tool","tool_call_id":"call_1","content":"sunny"}],
      "tools":[{"type":"function","function":{"name":"lookup_city","parameters":{}}}]}"#;
    let received = post(&emulator, "/v1/chat/completions", DEMO, body).await;
    let message = decode(
        Transport::OpenAiCompletions,
        clawrouter_wire::transport::Framing::Sse,
        &received,
    )
    .unwrap();
    assert_eq!(message.text(), expected_reply_text("Weather?"));
    assert_eq!(message.tool_calls().count(), 0);
}
