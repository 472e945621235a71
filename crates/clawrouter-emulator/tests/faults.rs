//! Each fault switch (per key, per model, at runtime) and the request counters.

use std::time::{Duration, Instant};

use clawrouter_emulator::{Endpoint, Fault, FaultScope, expected_reply_text};
use clawrouter_wire::assemble::FailureCause;
use clawrouter_wire::transport::{DecodeError, Framing, Transport};

use crate::support::{Ask, DEMO, UNMETERED, calls, decode, post, start};

fn ask() -> Ask<'static> {
    Ask {
        prompt: "fault",
        reasoning: false,
        tool: false,
    }
}

#[tokio::test]
async fn error_after_200_in_every_transport() {
    let emulator = start().await;
    emulator.set_fault(
        FaultScope::key(DEMO).unwrap(),
        Some(Fault::ErrorAfter200 { after_events: 4 }),
    );
    for call in calls(ask()) {
        let received = post(&emulator, &call.path, DEMO, &call.body).await;
        assert_eq!(received.status, 200, "{}", call.name);
        let failure = decode(call.transport, call.framing, &received).unwrap_err();
        let FailureCause::Provider(error) = &failure.cause else {
            panic!("{}: {failure}", call.name);
        };
        let expected_code = match call.transport {
            Transport::OpenAiCompletions | Transport::OpenAiResponses => "emulated_fault",
            Transport::AnthropicMessages => "overloaded_error",
            Transport::GoogleGenerativeAi => "UNAVAILABLE",
        };
        assert_eq!(error.code.as_deref(), Some(expected_code), "{}", call.name);
        // What came before the error is kept, and is a prefix of the reply.
        let partial = failure.partial.text();
        assert!(
            expected_reply_text("fault").starts_with(&partial),
            "{}: {partial:?}",
            call.name
        );
    }
    // Another key is not affected.
    for call in calls(ask()) {
        let received = post(&emulator, &call.path, UNMETERED, &call.body).await;
        decode(call.transport, call.framing, &received).unwrap();
    }
    let report = emulator.usage_of(DEMO).unwrap();
    assert_eq!(report.totals.error_count, 5);
    assert_eq!(report.totals.success_count, 0);
}

#[tokio::test]
async fn cut_mid_event_truncates_the_stream() {
    let emulator = start().await;
    emulator.set_fault(
        FaultScope::model("openai/gpt-4.1-mini"),
        Some(Fault::CutMidEvent { after_events: 3 }),
    );
    let call = calls(ask())
        .into_iter()
        .find(|call| call.name == "chat")
        .unwrap();
    let received = post(&emulator, &call.path, DEMO, &call.body).await;
    assert_eq!(received.status, 200);
    assert!(received.body_error, "the connection was not cut");
    let body = received.text();
    assert_eq!(body.matches("\n\n").count(), 3, "{body}");
    assert!(!body.ends_with("\n\n"));
    let failure = decode(call.transport, call.framing, &received).unwrap_err();
    assert!(matches!(
        failure.cause,
        FailureCause::Decode(DecodeError::Truncated { .. }) | FailureCause::Decode(_)
    ));
    // Other models are served normally.
    let other = calls(ask())
        .into_iter()
        .find(|call| call.name == "anthropic")
        .unwrap();
    let received = post(&emulator, &other.path, DEMO, &other.body).await;
    decode(other.transport, other.framing, &received).unwrap();
}

#[tokio::test]
async fn model_scope_matches_the_upstream_id_too() {
    let emulator = start().await;
    emulator.set_fault(
        FaultScope::model("gemini-3.5-flash"),
        Some(Fault::RateLimited {
            retry_after_secs: 7,
        }),
    );
    for call in calls(ask()) {
        let received = post(&emulator, &call.path, DEMO, &call.body).await;
        if call.transport == Transport::GoogleGenerativeAi {
            assert_eq!(received.status, 429, "{}", call.name);
            assert_eq!(received.error_code(), "rate_limited");
            assert_eq!(received.header("retry-after").as_deref(), Some("7"));
        } else {
            assert_eq!(received.status, 200, "{}", call.name);
        }
    }
    emulator.set_fault(FaultScope::model("gemini-3.5-flash"), None);
    let call = calls(ask())
        .into_iter()
        .find(|call| call.name == "gemini-sse")
        .unwrap();
    assert_eq!(
        post(&emulator, &call.path, DEMO, &call.body).await.status,
        200
    );
}

#[tokio::test]
async fn server_errors() {
    let emulator = start().await;
    let call = calls(ask())
        .into_iter()
        .find(|call| call.name == "responses")
        .unwrap();
    for (status, expected) in [(500, 500), (502, 502), (529, 529), (404, 503)] {
        emulator.set_fault(FaultScope::All, Some(Fault::ServerError { status }));
        let received = post(&emulator, &call.path, DEMO, &call.body).await;
        assert_eq!(received.status, expected);
        assert_eq!(received.error_code(), "upstream_unavailable");
    }
    emulator.clear_faults();
    assert_eq!(
        post(&emulator, &call.path, DEMO, &call.body).await.status,
        200
    );
    // The catalog is never faulted.
    emulator.set_fault(FaultScope::All, Some(Fault::ServerError { status: 500 }));
    assert_eq!(
        crate::support::get(&emulator, "/v1/catalog", DEMO)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn slow_first_byte() {
    let emulator = start().await;
    emulator.set_fault(
        FaultScope::All,
        Some(Fault::SlowFirstByte { delay_ms: 300 }),
    );
    let call = calls(ask())
        .into_iter()
        .find(|call| call.name == "anthropic")
        .unwrap();
    let started = Instant::now();
    let received = post(&emulator, &call.path, DEMO, &call.body).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    let message = decode(call.transport, call.framing, &received).unwrap();
    assert_eq!(message.text(), expected_reply_text("fault"));
}

/// A stall before the first byte: the client's own timeout fires; shutdown still completes.
#[tokio::test]
async fn stall_before_first_byte() {
    let emulator = start().await;
    emulator.set_fault(FaultScope::All, Some(Fault::StallBeforeFirstByte));
    let call = calls(ask())
        .into_iter()
        .find(|call| call.name == "chat")
        .unwrap();
    let client = super::support::http();
    let request = client
        .post(format!("{}{}", emulator.base_url(), call.path))
        .header("authorization", format!("Bearer {DEMO}"))
        .body(call.body.clone())
        .send();
    let outcome = tokio::time::timeout(Duration::from_millis(300), request).await;
    assert!(outcome.is_err(), "a response arrived");
    let started = Instant::now();
    emulator.shutdown().await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// A stall mid-stream: the head and the first events arrive, then nothing.
#[tokio::test]
async fn stall_mid_stream() {
    let emulator = start().await;
    emulator.set_fault(
        FaultScope::All,
        Some(Fault::StallMidStream { after_events: 2 }),
    );
    let call = calls(ask())
        .into_iter()
        .find(|call| call.name == "gemini-sse")
        .unwrap();
    let mut response = super::support::http()
        .post(format!("{}{}", emulator.base_url(), call.path))
        .header("x-goog-api-key", DEMO)
        .body(call.body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut received = Vec::new();
    loop {
        match tokio::time::timeout(Duration::from_millis(300), response.chunk()).await {
            Ok(Ok(Some(chunk))) => received.extend_from_slice(&chunk),
            Ok(other) => panic!("the stream ended: {other:?}"),
            Err(_) => break,
        }
    }
    let text = String::from_utf8(received).unwrap();
    assert_eq!(text.matches("\r\n\r\n").count(), 2, "{text}");
    let started = Instant::now();
    emulator.shutdown().await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn faults_from_the_scenario() {
    let scenario = clawrouter_emulator::Scenario::from_toml_str(&format!(
        "{}\n[[faults]]\nkey = \"{UNMETERED}\"\nfault = {{ kind = \"server-error\", status = 502 }}\n",
        clawrouter_emulator::scenario::DEFAULT_SCENARIO_TOML
    ))
    .unwrap()
    .with_chunk_delay_ms(0);
    let emulator = clawrouter_emulator::Emulator::start(scenario)
        .await
        .unwrap();
    let call = calls(ask())
        .into_iter()
        .find(|call| call.name == "chat")
        .unwrap();
    assert_eq!(
        post(&emulator, &call.path, UNMETERED, &call.body)
            .await
            .status,
        502
    );
    assert_eq!(
        post(&emulator, &call.path, DEMO, &call.body).await.status,
        200
    );
}

#[tokio::test]
async fn requests_are_counted_per_endpoint() {
    let emulator = start().await;
    for _ in 0..3 {
        crate::support::get(&emulator, "/v1/catalog", DEMO).await;
    }
    crate::support::get(&emulator, "/v1/catalog", "bad").await;
    crate::support::get(&emulator, "/v1/usage", DEMO).await;
    for call in calls(ask()) {
        post(&emulator, &call.path, DEMO, &call.body).await;
    }
    crate::support::get(&emulator, "/nowhere", DEMO).await;
    let expected = [
        (Endpoint::Catalog, 4),
        (Endpoint::Usage, 1),
        (Endpoint::Responses, 1),
        (Endpoint::ChatCompletions, 1),
        (Endpoint::AnthropicMessages, 1),
        (Endpoint::GoogleStreamGenerateContent, 2),
        (Endpoint::Other, 1),
    ];
    for (endpoint, count) in expected {
        assert_eq!(emulator.request_count(endpoint), count, "{endpoint:?}");
    }
    let _ = Framing::Sse;
}
