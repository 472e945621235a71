//! `GET /v1/usage` (PROTOCOL.md §8.1, §8.3, cases 41, 46–50): status and body, bounded. Cases
//! 51–52 (through a proxy) are in `crates/clawrouter-cli/tests/proxy.rs`.

use std::time::Duration;

use clawrouter_catalog::BaseUrl;
use clawrouter_client::{Client, ClientError, DispatchRequest, TimeoutPhase, USAGE_BODY_LIMIT};
use clawrouter_wire::transport::Transport;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{RawServer, Step, TEST_KEY, builder, client};

const USAGE: &str = r#"{"policyId":"team","budget":{"configured":true,"windowKey":"default/test-policy/2026-07","limitMicros":100000000,"spentMicros":25000000},"usage":{"summary":{"requestCount":12,"totalTokens":34567,"actualCostMicros":25000000}}}"#;

#[tokio::test]
async fn usage_returns_status_and_body_from_the_usage_endpoint() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/usage"))
        .and(header("accept", "application/json"))
        .and(header(
            "authorization",
            format!("Bearer {TEST_KEY}").as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_string(USAGE))
        .expect(1)
        .mount(&server)
        .await;
    // Case 41: the base URL carries `/v1`; the request goes to root + `/v1/usage`.
    let response = client(&format!("{}/v1", server.uri()))
        .fetch_usage()
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(&response.body[..], USAGE.as_bytes());
}

/// Case 47: a non-2xx response's body is never exposed (the snapshot reports the status).
#[tokio::test]
async fn a_non_2xx_status_is_returned_without_its_body() {
    for status in [401, 403, 404, 503] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(status).set_body_string("secret details"))
            .mount(&server)
            .await;
        let response = client(&server.uri()).fetch_usage().await.unwrap();
        assert_eq!(response.status, status);
        assert!(
            response.body.is_empty(),
            "{status}: the body is never exposed"
        );
    }
}

#[tokio::test]
async fn a_503_that_never_ends_its_body_still_returns_promptly() {
    // Case 48: 503 "service unavailable" without ending the body.
    let server = RawServer::start(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked",
        vec![Step::chunk("service unavailable"), Step::Pause(Duration::from_secs(30))],
    )
    .await;
    let client = builder(&server.url)
        .usage_timeout(Duration::from_secs(5))
        .idle_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let response = client.fetch_usage().await.unwrap();
    assert_eq!(response.status, 503);
    let requests = server.requests.lock().unwrap().clone();
    assert!(
        requests
            .iter()
            .all(|head| head.starts_with("GET /v1/usage HTTP/1.1"))
    );
}

#[tokio::test]
async fn a_body_cut_mid_stream_fails_with_the_transport_error() {
    // Case 46: the body stream fails → the call fails with that failure, not a snapshot of a
    // "malformed" body.
    let server = RawServer::start(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked",
        vec![Step::chunk("{\"budget\":{\"configured\":"), Step::Close],
    )
    .await;
    let client = client(&server.url);
    let error = client.fetch_usage().await.unwrap_err();
    assert!(matches!(error, ClientError::Network { .. }), "{error:?}");
    let error = client.usage().await.unwrap_err();
    assert!(matches!(error, ClientError::Network { .. }), "{error:?}");
    assert!(error.to_string().starts_with("usage request"), "{error}");
}

#[tokio::test]
async fn a_body_over_1_mib_fails() {
    // Case 49, streamed without Content-Length so the cap is enforced while reading.
    let pad = vec![b' '; 64 * 1024];
    let mut steps: Vec<Step> = (0..20).map(|_| Step::Chunk(pad.clone())).collect();
    steps.push(Step::End);
    let server = RawServer::start(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked",
        steps,
    )
    .await;
    let error = client(&server.url).fetch_usage().await.unwrap_err();
    match error {
        ClientError::BodyTooLarge {
            limit, received, ..
        } => {
            assert_eq!(limit, USAGE_BODY_LIMIT);
            assert!(
                received > USAGE_BODY_LIMIT as u64
                    && received <= USAGE_BODY_LIMIT as u64 + 64 * 1024
            );
        }
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn a_stalled_usage_body_times_out() {
    let server = RawServer::start(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked",
        vec![
            Step::chunk("{\"budget\":"),
            Step::Pause(Duration::from_secs(30)),
        ],
    )
    .await;
    let client = builder(&server.url)
        .usage_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = client.fetch_usage().await.unwrap_err();
    match error {
        ClientError::Timeout { phase, .. } => assert_eq!(phase, TimeoutPhase::Total),
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn usage_without_a_key_is_not_requested() {
    let server = MockServer::start().await;
    let client = Client::builder()
        .base_url(BaseUrl::new(Some(&server.uri())))
        .build()
        .unwrap();
    let error = client.fetch_usage().await.unwrap_err();
    assert!(matches!(error, ClientError::NoKey { .. }), "{error}");
    assert!(error.to_string().contains("CLAWROUTER_API_KEY"));
    assert_eq!(server.received_requests().await.unwrap().len(), 0);
}

#[tokio::test]
async fn a_failing_usage_lookup_does_not_block_a_model_call() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/usage"))
        .respond_with(ResponseTemplate::new(500).set_delay(Duration::from_secs(30)))
        .mount(&server)
        .await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            b"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: [DONE]\n\n"
                .to_vec(),
            "text/event-stream",
        ))
        .mount(&server)
        .await;
    let client = builder(&server.uri())
        .usage_timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let usage = tokio::spawn({
        let client = client.clone();
        async move { client.fetch_usage().await }
    });
    let request = DispatchRequest::new(
        Transport::OpenAiCompletions,
        format!("{}/v1/chat/completions", server.uri()),
        json!({"stream": true}),
    );
    let message = client
        .dispatch(request)
        .await
        .unwrap()
        .finish()
        .await
        .unwrap();
    assert_eq!(message.text(), "Hi");
    assert!(
        !usage.is_finished(),
        "the model call finished while usage was still pending"
    );
    let error = usage.await.unwrap().unwrap_err();
    assert!(matches!(error, ClientError::Timeout { .. }), "{error}");
}
