//! Each error class over HTTP, and the retry loop with `Retry-After` (issue 7).

use std::time::{Duration, Instant};

use clawrouter_client::{ClientError, DispatchRequest, RetryConfig, TimeoutPhase};
use clawrouter_wire::transport::Transport;
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{builder, client};

fn chat(server: &MockServer) -> DispatchRequest {
    DispatchRequest::new(
        Transport::OpenAiCompletions,
        format!("{}/v1/chat/completions", server.uri()),
        json!({"model": "openai/gpt-5.6", "stream": true}),
    )
}

async fn server_answering(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(template.clone())
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(template)
        .mount(&server)
        .await;
    server
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

fn class(error: &ClientError) -> &'static str {
    match error {
        ClientError::Auth { .. } => "auth",
        ClientError::BudgetExhausted { .. } => "budget",
        ClientError::RateLimited { .. } => "rate-limited",
        ClientError::Unavailable { .. } => "unavailable",
        ClientError::BadRequest { .. } => "bad-request",
        ClientError::MalformedBody { .. } => "malformed",
        ClientError::Timeout { .. } => "timeout",
        ClientError::Connect { .. } => "connect",
        _ => "other",
    }
}

/// Status → class, code, Retry-After and excerpt, for a model call; what to do is in the text.
#[tokio::test]
async fn status_classes_of_a_model_call() {
    struct Case {
        status: u16,
        body: &'static str,
        retry_after: Option<&'static str>,
        class: &'static str,
        code: Option<&'static str>,
        advice: &'static str,
    }
    let cases = [
        Case {
            status: 401,
            body: r#"{"error":{"code":"invalid_proxy_key","message":"Invalid proxy key"}}"#,
            retry_after: None,
            class: "auth",
            code: Some("invalid_proxy_key"),
            advice: "(HTTP 401 invalid_proxy_key): the key is invalid or revoked — reissue or re-scope it; upstream provider keys are never used as a fallback",
        },
        Case {
            status: 403,
            body: r#"{"error":{"code":"proxy_key_revoked","message":"revoked"}}"#,
            retry_after: None,
            class: "auth",
            code: Some("proxy_key_revoked"),
            advice: "reissue or re-scope it",
        },
        Case {
            status: 402,
            body: r#"{"error":{"code":"payment_required","message":"budget"}}"#,
            retry_after: None,
            class: "budget",
            code: Some("payment_required"),
            advice: "budget is exhausted",
        },
        Case {
            status: 403,
            body: r#"{"error":{"code":"budget_exceeded","message":"monthly budget reached"}}"#,
            retry_after: None,
            class: "budget",
            code: Some("budget_exceeded"),
            advice: "retrying will not help",
        },
        Case {
            status: 429,
            body: r#"{"error":{"type":"rate_limit_error","message":"slow down"}}"#,
            retry_after: Some("120"),
            class: "rate-limited",
            code: Some("rate_limit_error"),
            advice: "slow down and retry (the server asks to wait 120000 ms)",
        },
        Case {
            status: 503,
            body: "upstream unavailable",
            retry_after: None,
            class: "unavailable",
            code: None,
            advice: "retry later",
        },
        Case {
            status: 400,
            body: r#"{"error":{"code":"invalid_request_id","message":"X-Request-ID must be …"}}"#,
            retry_after: None,
            class: "bad-request",
            code: Some("invalid_request_id"),
            advice: "fix the request",
        },
        Case {
            status: 404,
            body: r#"{"error":{"code":"route_not_found","message":"no route"}}"#,
            retry_after: None,
            class: "bad-request",
            code: Some("route_not_found"),
            advice: "fix the request",
        },
    ];
    for case in cases {
        let mut template = ResponseTemplate::new(case.status)
            .set_body_string(case.body)
            .insert_header("x-request-id", "req_0123");
        if let Some(retry_after) = case.retry_after {
            template = template.insert_header("retry-after", retry_after);
        }
        let server = server_answering(template).await;
        // Retries disabled so every class is seen on its first response.
        let client = builder(&server.uri())
            .retry(RetryConfig::disabled())
            .build()
            .unwrap();
        let error = client.dispatch(chat(&server)).await.unwrap_err();
        let response = error.http_failure().unwrap();
        assert_eq!(class(&error), case.class, "{}: {error}", case.status);
        assert_eq!(response.status, case.status);
        assert_eq!(response.code.as_deref(), case.code, "{error}");
        assert_eq!(response.request_id.as_deref(), Some("req_0123"));
        assert_eq!(response.excerpt, case.body);
        assert_eq!(
            response.retry_after,
            case.retry_after
                .map(|seconds| Duration::from_secs(seconds.parse().unwrap()))
        );
        assert!(error.to_string().contains(case.advice), "{error}");
    }
}

#[tokio::test]
async fn the_error_excerpt_is_bounded() {
    let body = "é".repeat(5000); // 10 000 bytes; the cut at 2 KiB must not split a character
    let server = server_answering(ResponseTemplate::new(500).set_body_string(body)).await;
    let client = builder(&server.uri())
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let error = client.fetch_catalog_raw().await.unwrap_err();
    assert_eq!(error.http_failure().unwrap().excerpt, "é".repeat(1024));
}

#[tokio::test]
async fn catalog_401_and_403_are_auth_errors_with_no_fallback() {
    for status in [401, 403] {
        let server = server_answering(
            ResponseTemplate::new(status)
                .set_body_string(r#"{"error":{"code":"unknown_proxy_key"}}"#),
        )
        .await;
        let error = client(&server.uri()).fetch_catalog_raw().await.unwrap_err();
        assert_eq!(class(&error), "auth", "{error}");
        assert_eq!(error.status(), Some(status));
        assert!(
            error.to_string().contains(&format!("HTTP {status}")),
            "{error}"
        );
        // One request: not retried, and no second attempt without (or with other) credentials.
        assert_eq!(requests(&server).await, 1);
    }
}

/// The exact one-line message of CLI.md's example.
#[tokio::test]
async fn the_catalog_auth_message_is_the_cli_contract_line() {
    let server = server_answering(ResponseTemplate::new(401)).await;
    let error = client(&server.uri()).fetch_catalog_raw().await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "catalog request rejected (HTTP 401): the key is invalid or revoked — reissue or re-scope it; upstream provider keys are never used as a fallback"
    );
}

#[tokio::test]
async fn retryable_failures_are_retried_until_success() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"providers":[1]}"#))
        .with_priority(2)
        .mount(&server)
        .await;
    client(&server.uri()).fetch_catalog_raw().await.unwrap();
    assert_eq!(requests(&server).await, 3);
}

#[tokio::test]
async fn retries_stop_after_the_configured_attempts() {
    let server = server_answering(ResponseTemplate::new(502)).await;
    let error = client(&server.uri()).fetch_catalog_raw().await.unwrap_err();
    assert_eq!(class(&error), "unavailable");
    assert_eq!(requests(&server).await, 3);
}

#[tokio::test]
async fn retry_after_ms_is_honoured() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after-ms", "300"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"providers":[1]}"#))
        .with_priority(2)
        .mount(&server)
        .await;
    let started = Instant::now();
    client(&server.uri()).fetch_catalog_raw().await.unwrap();
    // The computed backoff would be 5 ms; the server's 300 ms wins.
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_ends_the_retries() {
    let server =
        server_answering(ResponseTemplate::new(429).insert_header("retry-after", "3600")).await;
    let error = client(&server.uri()).fetch_catalog_raw().await.unwrap_err();
    assert_eq!(class(&error), "rate-limited");
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn dispatch_is_not_retried_unless_asked() {
    let server = server_answering(ResponseTemplate::new(503)).await;
    let client = client(&server.uri());
    let error = client.dispatch(chat(&server)).await.unwrap_err();
    assert_eq!(class(&error), "unavailable");
    assert_eq!(requests(&server).await, 1);
    let error = client
        .dispatch(chat(&server).retry(true))
        .await
        .unwrap_err();
    assert_eq!(class(&error), "unavailable");
    assert_eq!(requests(&server).await, 4);
}

#[tokio::test]
async fn budget_and_auth_errors_are_never_retried() {
    for (status, body) in [
        (402, ""),
        (429, r#"{"error":{"code":"budget_exhausted"}}"#),
        (401, ""),
    ] {
        let server = server_answering(ResponseTemplate::new(status).set_body_string(body)).await;
        let client = client(&server.uri());
        let error = client
            .dispatch(chat(&server).retry(true))
            .await
            .unwrap_err();
        assert!(!error.is_retryable(), "{error}");
        client.fetch_catalog_raw().await.unwrap_err();
        assert_eq!(requests(&server).await, 2, "{status}");
    }
}

#[tokio::test]
async fn a_slow_first_byte_times_out() {
    let server =
        server_answering(ResponseTemplate::new(200).set_delay(Duration::from_secs(3))).await;
    let client = builder(&server.uri())
        .first_byte_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let error = client.dispatch(chat(&server)).await.unwrap_err();
    match error {
        ClientError::Timeout { phase, after, .. } => {
            assert_eq!(
                (phase, after),
                (TimeoutPhase::FirstByte, Duration::from_millis(200))
            );
        }
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let client = builder(&format!("http://{address}"))
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let error = client.fetch_catalog_raw().await.unwrap_err();
    assert_eq!(class(&error), "connect", "{error}");
    assert!(error.is_retryable());
    assert!(error.to_string().contains("check the base URL"), "{error}");
    // The cause is spelled out, not just reqwest's "error sending request".
    assert!(error.to_string().contains("onnection refused"), "{error}");
}

#[tokio::test]
async fn responses_that_are_not_event_streams_are_refused() {
    let cases = [
        (
            ResponseTemplate::new(200).set_body_raw(
                b"<html><body>Bad gateway</body></html>".to_vec(),
                "text/html; charset=utf-8",
            ),
            "HTML page",
        ),
        (
            ResponseTemplate::new(200).set_body_raw(
                br#"{"id":"chatcmpl-1","choices":[]}"#.to_vec(),
                "application/json",
            ),
            "stream\": true",
        ),
        (
            ResponseTemplate::new(200).set_body_raw(b"hello".to_vec(), "text/plain"),
            "text/plain",
        ),
    ];
    for (template, needle) in cases {
        let server = server_answering(template).await;
        let error = client(&server.uri())
            .dispatch(chat(&server))
            .await
            .unwrap_err();
        assert_eq!(class(&error), "malformed", "{error}");
        assert!(error.to_string().contains(needle), "{error}");
        match error {
            ClientError::MalformedBody { excerpt, .. } => assert!(excerpt.is_some()),
            other => panic!("{other}"),
        }
    }
}
