//! Streaming dispatch: events as they arrive, the assembled message, and failures that keep the
//! partial message (issue 7; WIRE.md §2). Recorded fixtures replayed over a raw loopback server.

use std::time::Duration;

use clawrouter_client::{ClientError, DispatchRequest, TimeoutPhase};
use clawrouter_wire::events::StreamEvent;
use clawrouter_wire::transport::{Framing, Transport};
use futures_util::StreamExt;
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{RawServer, Step, builder, chunked, client, message_summary, wire_cases};

const HEL: &str = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n";
const LO: &str = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}\n\n";
const STOP: &str = "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";

fn chat(url: &str) -> DispatchRequest {
    DispatchRequest::new(
        Transport::OpenAiCompletions,
        format!("{url}/v1/chat/completions"),
        json!({"model": "openai/gpt-5.6", "stream": true}),
    )
}

#[tokio::test]
async fn events_arrive_as_a_stream_and_the_message_is_assembled() {
    let server = RawServer::event_stream(vec![
        Step::chunk(HEL),
        Step::Pause(Duration::from_millis(20)),
        Step::chunk(&LO[..10]),
        Step::chunk(&LO[10..]),
        Step::chunk(STOP),
        Step::End,
    ])
    .await;
    let mut stream = client(&server.url)
        .dispatch(chat(&server.url))
        .await
        .unwrap();
    let mut texts = Vec::new();
    while let Some(event) = stream.next().await {
        if let StreamEvent::TextDelta { text } = event.unwrap() {
            texts.push(text.into_owned());
        }
    }
    assert_eq!(texts, ["Hel", "lo"]);
    assert_eq!(stream.message().text(), "Hello");
    let message = stream.finish().await.unwrap();
    assert_eq!(message.text(), "Hello");
    assert_eq!(message.finish_reason.as_deref(), Some("stop"));
}

#[tokio::test]
async fn a_stalled_stream_times_out_and_keeps_the_partial_message() {
    let server =
        RawServer::event_stream(vec![Step::chunk(HEL), Step::Pause(Duration::from_secs(30))]).await;
    let client = builder(&server.url)
        .idle_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let failure = client
        .dispatch(chat(&server.url))
        .await
        .unwrap()
        .finish()
        .await
        .unwrap_err();
    match &failure.error {
        ClientError::Timeout { phase, after, .. } => {
            assert_eq!(
                (*phase, *after),
                (TimeoutPhase::Idle, Duration::from_millis(300))
            );
        }
        other => panic!("{other}"),
    }
    assert_eq!(failure.partial.text(), "Hel");
}

#[tokio::test]
async fn the_idle_timeout_applies_between_chunks_not_to_the_whole_stream() {
    // Ten chunks 100 ms apart: one second in total, never idle for 300 ms.
    let mut steps = Vec::new();
    for _ in 0..10 {
        steps.push(Step::chunk(HEL));
        steps.push(Step::Pause(Duration::from_millis(100)));
    }
    steps.push(Step::chunk(STOP));
    steps.push(Step::End);
    let server = RawServer::event_stream(steps).await;
    let client = builder(&server.url)
        .idle_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let message = client
        .dispatch(chat(&server.url))
        .await
        .unwrap()
        .finish()
        .await
        .unwrap();
    assert_eq!(message.text(), "Hel".repeat(10));
}

#[tokio::test]
async fn timeouts_and_ttls_of_duration_max_mean_never_not_a_panic() {
    let server =
        RawServer::event_stream(vec![Step::chunk(HEL), Step::chunk(STOP), Step::End]).await;
    let client = builder(&server.url)
        .timeouts(clawrouter_client::Timeouts {
            connect: Duration::MAX,
            first_byte: Duration::MAX,
            idle: Duration::MAX,
            catalog: Duration::MAX,
            usage: Duration::MAX,
        })
        .catalog_ttl(Duration::MAX)
        .build()
        .unwrap();
    let message = client
        .dispatch(chat(&server.url))
        .await
        .unwrap()
        .finish()
        .await
        .unwrap();
    assert_eq!(message.text(), "Hel");
    // The catalog and usage paths compute deadlines from the same budgets.
    let _ = client.fetch_usage().await;
    let cache =
        clawrouter_client::CatalogCache::new(|body: &[u8], _: &clawrouter_catalog::BaseUrl| {
            serde_json::from_slice::<serde_json::Value>(body)
        });
    let _ = cache.get(&client).await;
}

#[tokio::test]
async fn a_stream_cut_mid_event_is_truncated_with_the_partial_message() {
    // The connection closes inside the second event, without the terminating chunk.
    let server =
        RawServer::event_stream(vec![Step::chunk(HEL), Step::chunk(&LO[..20]), Step::Close]).await;
    let mut stream = client(&server.url)
        .dispatch(chat(&server.url))
        .await
        .unwrap();
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item);
    }
    // The text delta, then the error as the last item.
    assert!(matches!(&items[0], Ok(StreamEvent::TextDelta { text }) if text == "Hel"));
    let last = items.last().unwrap().as_ref().unwrap_err();
    assert!(matches!(last, ClientError::Truncated { .. }), "{last}");
    let failure = stream.finish().await.unwrap_err();
    assert!(matches!(failure.error, ClientError::Truncated { .. }));
    assert_eq!(failure.partial.text(), "Hel");
    assert!(
        failure.to_string().contains("partial reply is kept"),
        "{failure}"
    );
}

#[tokio::test]
async fn a_body_that_ends_cleanly_before_the_terminal_signal_is_truncated() {
    // A complete HTTP body that stops inside an event, and one that stops before `[DONE]`.
    for steps in [
        vec![Step::chunk(HEL), Step::chunk(&LO[..20]), Step::End],
        vec![Step::chunk(HEL), Step::End],
    ] {
        let server = RawServer::event_stream(steps).await;
        let failure = client(&server.url)
            .dispatch(chat(&server.url))
            .await
            .unwrap()
            .finish()
            .await
            .unwrap_err();
        match &failure.error {
            ClientError::Truncated { transport, reason } => {
                assert_eq!(*transport, Transport::OpenAiCompletions);
                assert!(!reason.is_empty());
            }
            other => panic!("{other}"),
        }
        assert_eq!(failure.partial.text(), "Hel");
    }
}

#[tokio::test]
async fn a_reset_before_the_headers_is_a_retryable_network_error() {
    let server = RawServer::start("", vec![Step::Close]).await;
    let error = client(&server.url)
        .dispatch(chat(&server.url))
        .await
        .unwrap_err();
    assert!(matches!(error, ClientError::Network { .. }), "{error}");
    assert!(error.is_retryable());
    // Not retried: a dispatch `POST` is not idempotent unless the request says so.
    assert_eq!(server.requests.lock().unwrap().len(), 1);
    let error = client(&server.url)
        .dispatch(chat(&server.url).retry(true))
        .await
        .unwrap_err();
    assert!(matches!(error, ClientError::Network { .. }), "{error}");
    assert_eq!(server.requests.lock().unwrap().len(), 4);
}

#[tokio::test]
async fn a_broken_chunked_encoding_or_a_cut_inside_a_character_keeps_the_partial_message() {
    let cut_character =
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"caf\u{e9}\"}}]}\n\n";
    let split = cut_character.find('\u{e9}').unwrap() + 1; // inside the two bytes of é
    for steps in [
        vec![
            Step::chunk(HEL),
            Step::Raw(b"zz\r\nnot a chunk\r\n".to_vec()),
            Step::Close,
        ],
        vec![
            Step::chunk(HEL),
            Step::chunk(&cut_character.as_bytes()[..split]),
            Step::Close,
        ],
    ] {
        let server = RawServer::event_stream(steps).await;
        let failure = client(&server.url)
            .dispatch(chat(&server.url))
            .await
            .unwrap()
            .finish()
            .await
            .unwrap_err();
        assert!(
            matches!(failure.error, ClientError::Truncated { .. }),
            "{}",
            failure.error
        );
        assert_eq!(failure.partial.text(), "Hel");
    }
}

#[tokio::test]
async fn an_error_event_after_http_200_is_a_provider_error_with_the_partial_message() {
    let body = concat!(
        "event: message_start\n",
        "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude\",\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\n",
        "event: content_block_start\n",
        "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
        "event: content_block_delta\n",
        "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Par\"}}\n\n",
        "event: error\n",
        "data: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n",
    );
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "text/event-stream"),
        )
        .mount(&server)
        .await;
    let request = DispatchRequest::new(
        Transport::AnthropicMessages,
        format!("{}/v1/native/anthropic/v1/messages", server.uri()),
        json!({"model": "claude-sonnet-4-6", "stream": true}),
    );
    let mut stream = client(&server.uri()).dispatch(request).await.unwrap();
    let mut saw_error_event = false;
    let mut last = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(StreamEvent::Error(error)) => {
                saw_error_event = true;
                assert_eq!(error.code.as_deref(), Some("overloaded_error"));
            }
            Ok(_) => {}
            Err(error) => last = Some(error),
        }
    }
    assert!(saw_error_event);
    match last.unwrap() {
        ClientError::ProviderStream { code, message, .. } => {
            assert_eq!(
                (code.as_deref(), message.as_str()),
                (Some("overloaded_error"), "Overloaded")
            );
        }
        other => panic!("{other}"),
    }
    let failure = stream.finish().await.unwrap_err();
    assert_eq!(failure.partial.text(), "Par");
    assert_eq!(failure.partial.id.as_deref(), Some("msg_1"));
}

#[tokio::test]
async fn dropping_the_stream_aborts_the_request() {
    let server = RawServer::event_stream(vec![
        Step::chunk(HEL),
        Step::KeepWritingUntilClosed(Duration::from_millis(20)),
    ])
    .await;
    let mut stream = client(&server.url)
        .dispatch(chat(&server.url))
        .await
        .unwrap();
    let first = stream.next().await.unwrap().unwrap();
    assert!(matches!(first, StreamEvent::TextDelta { .. }));
    let gone = server.peer_gone.notified();
    drop(stream);
    tokio::time::timeout(Duration::from_secs(5), gone)
        .await
        .expect("the server saw the connection close after the stream was dropped");
}

#[tokio::test]
async fn gemini_asks_for_sse_and_decodes_either_framing() {
    let sse = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hi\"}],\"role\":\"model\"},\"finishReason\":\"STOP\"}]}\r\n\r\n";
    let array = "[{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hi\"}],\"role\":\"model\"},\"finishReason\":\"STOP\"}]}]";
    for (content_type, body, framing) in [
        ("text/event-stream", sse, Framing::Sse),
        // §14 D16: the array form is still decoded when the server answers JSON.
        ("application/json", array, Framing::Sse),
        ("application/json", array, Framing::JsonArray),
    ] {
        let server = RawServer::start(
            &format!(
                "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ntransfer-encoding: chunked"
            ),
            chunked(body.as_bytes(), 9, 0, Duration::ZERO),
        )
        .await;
        let request = DispatchRequest::new(
            Transport::GoogleGenerativeAi,
            format!(
                "{}/v1/native/google/v1beta/models/gemini-3.5-flash:streamGenerateContent",
                server.url
            ),
            json!({"contents": []}),
        )
        .framing(framing);
        let message = client(&server.url)
            .dispatch(request)
            .await
            .unwrap()
            .finish()
            .await
            .unwrap();
        assert_eq!(message.text(), "Hi", "{content_type}");
        let head = server.requests.lock().unwrap()[0].clone();
        let first_line = head.lines().next().unwrap().to_owned();
        let expected = match framing {
            Framing::Sse => {
                "POST /v1/native/google/v1beta/models/gemini-3.5-flash:streamGenerateContent?alt=sse HTTP/1.1"
            }
            Framing::JsonArray => {
                "POST /v1/native/google/v1beta/models/gemini-3.5-flash:streamGenerateContent HTTP/1.1"
            }
        };
        assert_eq!(first_line, expected);
    }
}

/// Every recorded fixture, streamed by a raw loopback server in small delayed chunks, assembles
/// the expected message and yields exactly the golden events of `fixtures/events/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_fixtures_stream_through_the_client_for_every_transport() {
    let cases = wire_cases();
    let transports: std::collections::BTreeSet<_> =
        cases.iter().map(|case| case.transport.as_str()).collect();
    assert_eq!(transports.len(), 4);
    let mut runs = Vec::new();
    for case in cases {
        let case = std::sync::Arc::new(case);
        for size in [7, 61] {
            runs.push(tokio::spawn(replay(std::sync::Arc::clone(&case), size)));
        }
    }
    let mut failures = Vec::new();
    for run in runs {
        failures.extend(run.await.unwrap());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Streams one fixture in `size`-byte chunks (a 1 ms pause every 16; at most about 2 000 chunks,
/// so the largest fixture gets larger ones) and returns what differed.
async fn replay(case: std::sync::Arc<crate::support::WireCase>, size: usize) -> Vec<String> {
    let size = size.max(case.body.len() / 2000);
    let mut failures = Vec::new();
    let content_type = match case.framing {
        Framing::Sse => "text/event-stream",
        Framing::JsonArray => "application/json",
    };
    let server = RawServer::start(
        &format!("HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ntransfer-encoding: chunked"),
        chunked(&case.body, size, 16, Duration::from_millis(1)),
    )
    .await;
    let request = DispatchRequest::new(
        case.transport,
        format!("{}/v1/stream", server.url),
        json!({"stream": true}),
    )
    .framing(case.framing);
    let mut stream = client(&server.url).dispatch(request).await.unwrap();
    let mut events = Vec::new();
    let mut errors = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(event) => events.push(serde_json::to_string(&event).unwrap()),
            Err(error) => errors.push(error.to_string()),
        }
    }
    let message = match stream.finish().await {
        Ok(message) => message,
        Err(failure) => return vec![format!("{} ({size}): {failure}", case.name)],
    };
    if !errors.is_empty() {
        failures.push(format!("{} ({size}): errors {errors:?}", case.name));
    }
    if message_summary(&message) != case.expected {
        failures.push(format!(
            "{} ({size}): message {} != {}",
            case.name,
            message_summary(&message),
            case.expected
        ));
    }
    if events != case.events {
        failures.push(format!(
            "{} ({size}): events differ from the golden file",
            case.name
        ));
    }
    failures
}
