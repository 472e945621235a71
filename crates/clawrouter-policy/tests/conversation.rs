//! POLICY.md §1: the neutral conversation model round-trips, and the assembled reply of
//! `clawrouter-wire` converts into it without loss.

use std::borrow::Cow;

use clawrouter_policy::conversation::{
    AssistantMessage, Content, ContentBlock, Message, Route, StopReason, conversation_from_value,
    conversation_to_value,
};
use clawrouter_wire::assemble::MessageAssembler;
use clawrouter_wire::events::{StopReason as WireStop, StreamEvent, Usage};
use serde_json::{Value, json};

/// POLICY.md §1.4, verbatim (whitespace removed).
const EXAMPLE_1_4: &str = r#"[{"role":"user","content":"list files","timestamp":1},{"role":"assistant","api":"openai-responses","provider":"clawrouter","model":"openai/gpt-5.5","stopReason":"toolUse","timestamp":2,"usage":{"input":0,"output":0,"cacheRead":0,"cacheWrite":0,"totalTokens":0,"cost":{"input":0,"output":0,"cacheRead":0,"cacheWrite":0,"total":0}},"content":[{"type":"thinking","thinking":"need ls","thinkingSignature":"{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[]}"},{"type":"toolCall","id":"call_9|fc_9","name":"exec","arguments":{"cmd":"ls"}}]},{"role":"toolResult","toolCallId":"call_9|fc_9","toolName":"exec","isError":false,"timestamp":3,"content":[{"type":"text","text":"a.txt"}]}]"#;

fn roundtrip(text: &str) -> String {
    let messages: Vec<Message> = serde_json::from_str(text).unwrap();
    serde_json::to_string(&messages).unwrap()
}

#[test]
fn example_1_4_reserializes_byte_for_byte() {
    assert_eq!(roundtrip(EXAMPLE_1_4), EXAMPLE_1_4);
    let messages: Vec<Message> = serde_json::from_str(EXAMPLE_1_4).unwrap();
    let Message::Assistant(assistant) = &messages[1] else {
        panic!("not an assistant: {:?}", messages[1]);
    };
    assert_eq!(assistant.stop_reason, Some(StopReason::ToolUse));
    let ContentBlock::Thinking(thinking) = &messages[1].blocks()[0] else {
        panic!()
    };
    assert_eq!(
        thinking.thinking_signature.as_deref(),
        Some(r#"{"type":"reasoning","id":"rs_1","summary":[]}"#)
    );
    let Message::ToolResult(result) = &messages[2] else {
        panic!()
    };
    assert_eq!(result.result_id(), Some("call_9|fc_9"));
}

/// Every §1.2 extra shape survives a round trip unchanged as a JSON value (known fields move to
/// their canonical position; everything else keeps its order).
#[test]
fn extra_shapes_round_trip() {
    let cases = [
        // tool-call aliases, `input`, snake-case signatures, unknown fields
        r#"[{"role":"assistant","content":[{"type":"toolUse","id":"t1","name":"read","input":{"p":1},"partialJson":"{"},{"type":"functionCall","id":"t2","name":"x","arguments":{}},{"type":"tool_use","id":"t3"},{"type":"text","text":"hi","thought_signature":"msg_1","thoughtSignature":"AQID"}],"stopReason":"end_turn"}]"#,
        // tool-result id aliases, legacy role, other roles, embedded legacy results
        r#"[{"role":"toolResult","toolUseId":"a","call_id":"b","content":"plain"},{"role":"tool","toolCallId":"x"},{"role":"compactionSummary","timestamp":100},{"role":"user","content":[{"type":"toolResult","toolUseId":"tool-1","content":[]},{"type":"text","text":"Thanks"}],"attachments":["a.png"],"someCustomField":"keep-me"}]"#,
        // thinking-like blocks, redacted, ill-typed known fields
        r#"[{"role":"assistant","content":[{"type":"redacted_thinking","data":"blob"},{"type":"thinking","thinking":"[Reasoning redacted]","thinkingSignature":"opaque","redacted":true},{"type":"thinking","thinking":"x","thinkingSignature":null,"signature":"s"},{"type":"text"}],"timestamp":"2026-01-01","usage":{"input":1.5,"output":7}}]"#,
        // non-object messages, no role, null content, video, images
        r#"[1,"x",null,{"content":"no role"},{"role":"user","content":null},{"role":"user","content":[{"type":"image","data":"AAAA","mimeType":"image/png"},{"type":"video","data":"BBBB","mimeType":"video/mp4"},{"type":"image"}]}]"#,
    ];
    for case in cases {
        let value: Value = serde_json::from_str(case).unwrap();
        let messages = conversation_from_value(value.clone());
        assert_eq!(conversation_to_value(&messages), value, "{case}");
        let again: Value = serde_json::from_str(&roundtrip(case)).unwrap();
        assert_eq!(again, value);
    }
}

#[test]
fn typed_view_of_extra_shapes() {
    let messages: Vec<Message> = serde_json::from_str(
        r#"[{"role":"toolResult","toolUseId":" a ","call_id":"b"},{"role":"tool","toolCallId":"x"},{"role":"assistant","content":"plain"}]"#,
    )
    .unwrap();
    let Message::ToolResult(result) = &messages[0] else {
        panic!()
    };
    assert_eq!(result.result_id(), Some("a"));
    assert!(matches!(messages[1], Message::Other(_)));
    assert_eq!(messages[1].role(), Some("tool"));
    let Message::Assistant(assistant) = &messages[2] else {
        panic!()
    };
    assert_eq!(assistant.content, Some(Content::Text("plain".into())));
}

#[test]
fn assembled_reply_converts_without_loss() {
    let mut assembler = MessageAssembler::new();
    let events = [
        StreamEvent::MessageStart {
            id: Some(Cow::Borrowed("resp_1")),
            model: Some(Cow::Borrowed("gpt-5.5-2026")),
        },
        StreamEvent::ReasoningDelta {
            text: Cow::Borrowed("think"),
        },
        StreamEvent::ReasoningSignature {
            signature: Cow::Borrowed("{\"type\":\"reasoning\",\"id\":\"rs_1\"}"),
        },
        StreamEvent::BlockEnd,
        StreamEvent::RedactedReasoning {
            data: Cow::Borrowed("opaque=="),
        },
        StreamEvent::TextDelta {
            text: Cow::Borrowed("Hi"),
        },
        StreamEvent::TextSignature {
            signature: Cow::Borrowed("sig"),
        },
        StreamEvent::ToolCallStart {
            index: 0,
            id: Some(Cow::Borrowed("call_1")),
            name: Cow::Borrowed("exec"),
        },
        StreamEvent::ToolCallArguments {
            index: 0,
            fragment: Cow::Borrowed("{\"cmd\":\"ls\"}"),
        },
        StreamEvent::ToolCallStart {
            index: 1,
            id: None,
            name: Cow::Borrowed("read"),
        },
        StreamEvent::ToolCallArguments {
            index: 1,
            fragment: Cow::Borrowed("{\"p\":"),
        },
        StreamEvent::Usage(Usage {
            input: Some(10),
            output: Some(5),
            reasoning: Some(3),
            ..Usage::default()
        }),
        StreamEvent::Finish {
            reason: WireStop::Stop,
            raw: Some(Cow::Borrowed("completed")),
        },
    ];
    for event in &events {
        assembler.push(event);
    }
    let route = Route {
        api: "openai-responses".into(),
        provider: "clawrouter".into(),
        model: "openai/gpt-5.5".into(),
    };
    let message = AssistantMessage::from_assembled(assembler.finish(), &route, 1700);
    assert_eq!(
        Message::Assistant(message).to_value(),
        json!({"role":"assistant","api":"openai-responses","provider":"clawrouter","model":"openai/gpt-5.5",
          "responseModel":"gpt-5.5-2026","responseId":"resp_1","stopReason":"toolUse","timestamp":1700,
          "usage":{"input":10,"output":5,"totalTokens":15,"reasoning":3},
          "content":[
            {"type":"thinking","thinking":"think","thinkingSignature":"{\"type\":\"reasoning\",\"id\":\"rs_1\"}"},
            {"type":"thinking","thinking":"[Reasoning redacted]","thinkingSignature":"opaque==","redacted":true},
            {"type":"text","text":"Hi","textSignature":"sig"},
            {"type":"toolCall","id":"call_1","name":"exec","arguments":{"cmd":"ls"}},
            {"type":"toolCall","id":"read_1700_0","name":"read","arguments":{},"partialJson":"{\"p\":"}],
          "finishReason":"completed"})
    );
}

#[test]
fn assembled_error_reply_keeps_the_provider_error() {
    let mut assembler = MessageAssembler::new();
    assembler.push(&StreamEvent::TextDelta {
        text: Cow::Borrowed("partial"),
    });
    assembler.push(&StreamEvent::Error(
        clawrouter_wire::events::ProviderError {
            code: Some(Cow::Borrowed("overloaded_error")),
            message: Cow::Borrowed("Overloaded"),
            raw: Cow::Borrowed("{\"type\":\"error\"}"),
        },
    ));
    let message = AssistantMessage::from(assembler.finish());
    assert_eq!(
        Message::Assistant(message).to_value(),
        json!({"role":"assistant","stopReason":"error","errorMessage":"Overloaded",
               "content":[{"type":"text","text":"partial"}],
               "providerError":{"code":"overloaded_error","message":"Overloaded","raw":"{\"type\":\"error\"}"}})
    );
}
