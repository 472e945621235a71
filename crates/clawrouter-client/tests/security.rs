//! The key goes only to the configured origin, and never into `Debug` or error text
//! (PROTOCOL.md §3, §10, §14 D5).

use clawrouter_client::{ClientError, DispatchRequest};
use clawrouter_wire::transport::Transport;
use http::HeaderName;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use tracing_subscriber::fmt::format::FmtSpan;

use crate::support::{TEST_KEY, TraceCapture, client};

fn redirect_to(location: &str) -> ResponseTemplate {
    ResponseTemplate::new(302).insert_header("location", location)
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_refused_and_the_other_server_sees_nothing() {
    let router = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(redirect_to(&format!("{}/v1/catalog", elsewhere.uri())))
        .mount(&router)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"providers":[1]}"#))
        .mount(&elsewhere)
        .await;
    let error = client(&router.uri()).fetch_catalog_raw().await.unwrap_err();
    match &error {
        ClientError::RedirectRefused { target, .. } => assert_eq!(target, &elsewhere.uri()),
        other => panic!("{other}"),
    }
    assert!(!error.to_string().contains(TEST_KEY));
    assert_eq!(elsewhere.received_requests().await.unwrap().len(), 0);
    assert_eq!(router.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_dispatch_redirect_to_another_origin_is_refused() {
    let router = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(307).insert_header(
            "location",
            format!("{}/v1/chat/completions", elsewhere.uri()).as_str(),
        ))
        .mount(&router)
        .await;
    let client = client(&router.uri());
    let request = DispatchRequest::new(
        Transport::OpenAiCompletions,
        format!("{}/v1/chat/completions", router.uri()),
        json!({"stream": true}),
    );
    let error = client.dispatch(request).await.unwrap_err();
    assert!(
        matches!(error, ClientError::RedirectRefused { .. }),
        "{error}"
    );
    assert_eq!(elsewhere.received_requests().await.unwrap().len(), 0);
}

#[tokio::test]
async fn a_same_origin_redirect_is_followed_with_the_key() {
    let router = MockServer::start().await;
    Mock::given(path("/v1/catalog"))
        .respond_with(redirect_to("/v2/catalog"))
        .mount(&router)
        .await;
    Mock::given(path("/v2/catalog"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"providers":[1]}"#))
        .mount(&router)
        .await;
    client(&router.uri()).fetch_catalog_raw().await.unwrap();
    let requests = router.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(
            request.headers.get("authorization").unwrap(),
            &format!("Bearer {TEST_KEY}")
        );
    }
}

#[tokio::test]
async fn dispatch_urls_outside_the_root_are_refused_before_sending() {
    let router = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    let client = client(&format!("{}/private", router.uri()));
    for url in [
        format!("{}/v1/chat/completions", elsewhere.uri()),
        format!("{}/v1/chat/completions", router.uri()),
        format!("{}/private/../v1/chat/completions", router.uri()),
        format!("{}/privateer/v1/chat/completions", router.uri()),
        "/v1/chat/completions".to_owned(),
    ] {
        let request = DispatchRequest::new(Transport::OpenAiCompletions, url.clone(), json!({}));
        let error = client.dispatch(request).await.unwrap_err();
        assert!(
            matches!(error, ClientError::OutsideRoot { .. }),
            "{url}: {error}"
        );
    }
    assert_eq!(router.received_requests().await.unwrap().len(), 0);
    assert_eq!(elsewhere.received_requests().await.unwrap().len(), 0);
}

#[tokio::test]
async fn the_client_sets_authorization_and_drops_the_callers() {
    let router = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(b"data: [DONE]\n\n".to_vec(), "text/event-stream"),
        )
        .mount(&router)
        .await;
    let client = client(&router.uri());
    let request = DispatchRequest::new(
        Transport::OpenAiCompletions,
        format!("{}/v1/chat/completions", router.uri()),
        json!({"model": "openai/gpt-5.6", "stream": true}),
    )
    .header(
        HeaderName::from_static("authorization"),
        "Bearer upstream-provider-key",
    )
    .header(HeaderName::from_static("x-clawrouter-client"), "openclaw");
    client
        .dispatch(request)
        .await
        .unwrap()
        .finish()
        .await
        .unwrap();
    let requests = router.received_requests().await.unwrap();
    let headers = &requests[0].headers;
    let authorizations: Vec<_> = headers.get_all("authorization").iter().collect();
    assert_eq!(authorizations, [&format!("Bearer {TEST_KEY}")]);
    assert_eq!(headers.get("x-clawrouter-client").unwrap(), "openclaw");
    assert_eq!(headers.get("accept").unwrap(), "text/event-stream");
    assert_eq!(headers.get("content-type").unwrap(), "application/json");
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(body, json!({"model": "openai/gpt-5.6", "stream": true}));
}

#[tokio::test]
async fn debug_and_errors_never_show_the_key() {
    let router = MockServer::start().await;
    // A hostile or careless server echoes the key in its error body.
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_string(format!(
            r#"{{"error":{{"code":"invalid_proxy_key","message":"key {TEST_KEY} is unknown"}}}}"#
        )))
        .mount(&router)
        .await;
    let builder = crate::support::builder(&router.uri());
    let client = builder.clone().build().unwrap();
    let error = client.fetch_catalog_raw().await.unwrap_err();
    let request = DispatchRequest::new(Transport::AnthropicMessages, router.uri(), json!({}))
        .header(HeaderName::from_static("x-api-key"), TEST_KEY)
        .header(
            HeaderName::from_static("authorization"),
            format!("Bearer {TEST_KEY}"),
        );
    let texts = [
        format!("{request:?}"),
        format!("{builder:?}"),
        format!("{client:?}"),
        format!("{error}"),
        format!("{error:?}"),
    ];
    for text in &texts {
        assert!(!text.contains(TEST_KEY), "{text}");
        assert!(!text.contains("CANARY"), "{text}");
    }
    assert!(texts[0].contains("[REDACTED]"), "{}", texts[0]);
    assert!(texts[4].contains("[REDACTED]"), "{}", texts[4]);
}

#[tokio::test]
async fn dispatch_spans_follow_the_gen_ai_conventions_and_never_carry_the_key() {
    let router = MockServer::start().await;
    let body = concat!(
        "data: {\"id\":\"chatcmpl-1\",\"model\":\"gpt-5.6\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n",
        "data: {\"id\":\"chatcmpl-1\",\"model\":\"gpt-5.6\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}\n\n",
        "data: [DONE]\n\n",
    );
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "text/event-stream"),
        )
        .mount(&router)
        .await;
    let (captured, _guard) = TraceCapture::start(FmtSpan::CLOSE);
    let request = DispatchRequest::new(
        Transport::OpenAiCompletions,
        format!("{}/v1/chat/completions", router.uri()),
        json!({"model": "openai/gpt-5.6", "stream": true}),
    )
    .header(
        HeaderName::from_static("x-clawrouter-session-id"),
        "session-1",
    );
    let message = client(&router.uri())
        .dispatch(request)
        .await
        .unwrap()
        .finish()
        .await
        .unwrap();
    assert_eq!(message.text(), "Hi");
    let output = captured.text();
    for needle in [
        "gen_ai.chat",
        "gen_ai.operation.name=\"chat\"",
        "gen_ai.provider.name=\"clawrouter\"",
        "gen_ai.request.model=\"openai/gpt-5.6\"",
        "gen_ai.response.id=\"chatcmpl-1\"",
        "gen_ai.response.finish_reasons=\"stop\"",
        "gen_ai.usage.output_tokens=2",
    ] {
        assert!(output.contains(needle), "{needle} missing from:\n{output}");
    }
    assert!(!output.contains(TEST_KEY), "{output}");
    assert!(!output.contains("CANARY"), "{output}");
}
