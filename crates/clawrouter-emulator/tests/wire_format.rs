//! The raw bytes look like the real streams (WIRE.md §2, the recorded `fixtures/wire` bodies).

use clawrouter_emulator::{Emulator, Scenario};

use crate::support::{Ask, DEMO, calls, post, start};

fn ask() -> Ask<'static> {
    Ask {
        prompt: "Shape check",
        reasoning: true,
        tool: true,
    }
}

#[tokio::test]
async fn each_transport_has_its_real_framing() {
    let emulator = start().await;
    for call in calls(ask()) {
        let received = post(&emulator, &call.path, DEMO, &call.body).await;
        let text = received.text();
        let content_type = received.header("content-type").unwrap();
        assert!(received.header("x-request-id").unwrap().starts_with("req_"));
        match call.name {
            "chat" => {
                assert_eq!(content_type, "text/event-stream; charset=utf-8");
                assert!(text.starts_with("data: {\"id\":\"chatcmpl-"), "{text}");
                assert!(!text.contains("event:"));
                assert!(text.ends_with("data: [DONE]\n\n"));
                assert!(text.contains("\"choices\":[],\"usage\":{\"prompt_tokens\":"));
                assert!(text.contains("\"reasoning_content\":"));
                assert!(!text.contains('\r'));
            }
            "responses" => {
                assert!(
                    text.starts_with(
                        "event: response.created\ndata: {\"type\":\"response.created\""
                    )
                );
                assert!(text.contains("\"sequence_number\":0"));
                assert!(text.contains("event: response.reasoning_summary_text.delta\n"));
                assert!(text.contains("event: response.function_call_arguments.delta\n"));
                let last = text.trim_end().rsplit("\n\n").next().unwrap();
                assert!(last.starts_with("event: response.completed\n"), "{last}");
                assert!(!text.contains("[DONE]"));
                // Sequence numbers run from 0 without gaps.
                let count = text.matches("\ndata: ").count();
                for n in 0..count {
                    assert!(text.contains(&format!("\"sequence_number\":{n}}}")), "{n}");
                }
            }
            "anthropic" => {
                assert!(
                    text.starts_with("event: message_start\ndata: {\"type\":\"message_start\"")
                );
                assert!(text.contains("event: ping\ndata: {\"type\": \"ping\"}\n\n"));
                assert!(text.contains("\"type\":\"signature_delta\""));
                assert!(text.contains("\"partial_json\":\"\""));
                // Real deltas are padded before their final brace.
                assert!(text.contains("}   }\n\n"), "{text}");
                assert!(
                    text.ends_with("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
                );
            }
            "gemini-sse" => {
                assert!(
                    text.starts_with(
                        "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": "
                    ),
                    "{text}"
                );
                assert!(text.ends_with("\r\n\r\n"));
                assert_eq!(
                    text.matches("data: ").count(),
                    text.matches("\r\n\r\n").count()
                );
                assert!(text.contains("\"thought\": true"));
                assert!(text.contains("\"finishReason\": \"STOP\""));
                assert!(!text.contains("[DONE]"));
            }
            "gemini-array" => {
                assert_eq!(content_type, "application/json; charset=UTF-8");
                assert!(
                    text.starts_with("[{\n  \"candidates\": [\n    {\n"),
                    "{text}"
                );
                assert!(text.contains("\n}\n,\r\n{\n  \"candidates\""));
                assert!(text.ends_with("\n}\n]"));
                let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
                assert!(parsed.as_array().unwrap().len() > 3);
            }
            other => panic!("unexpected call {other}"),
        }
    }
}

/// With pacing on, a body arrives in several writes, some of which split an event.
#[tokio::test]
async fn bodies_are_chunked_and_paced() {
    let emulator = Emulator::start(Scenario::default().with_chunk_delay_ms(5))
        .await
        .unwrap();
    for call in calls(ask()) {
        let received = post(&emulator, &call.path, DEMO, &call.body).await;
        assert!(
            received.chunks.len() >= 5,
            "{}: {} chunks",
            call.name,
            received.chunks.len()
        );
        let separator: &[u8] = match call.name {
            "gemini-sse" => b"\r\n\r\n",
            "gemini-array" => b"\n,\r\n",
            _ => b"\n\n",
        };
        let split = received
            .chunks
            .iter()
            .any(|chunk| !chunk.ends_with(separator));
        assert!(split, "{}: no write splits an event", call.name);
        let several = received.chunks.iter().any(|chunk| {
            chunk
                .windows(separator.len())
                .filter(|w| *w == separator)
                .count()
                >= 2
        });
        assert!(several, "{}: no write carries two events", call.name);
    }
}
