//! Issue 9 "Secrets": a canary key searched for in everything the client produces — every
//! error of the fault matrix (Display, Debug, the source chain), partial messages, `Debug` of
//! the client and the catalog, `tracing` output at TRACE, request lines — and requests to any
//! origin other than the configured one (redirects, absolute `nativeBaseUrl`s in catalog rows).

use std::error::Error;

use clawrouter_client::{ChatRequest, Client};
use clawrouter_emulator::{Emulator, Fault, FaultScope, Scenario};
use clawrouter_wire::transport::Transport;
use serde_json::Value;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::faults::{
    Loopback, MODELS, Outcome, Step, builder, cases, catalog_json, head_sse, recorded, request,
    run_chat,
};
use crate::support::TraceCapture;

/// The canary key; [`SECRET`] is its distinctive part, searched for everywhere.
const CANARY: &str = "clawrouter-live-canary-S3CR3TCANARY99";
const SECRET: &str = "S3CR3TCANARY99";

/// Display and Debug of an error and of every source below it.
fn error_texts(error: &(dyn Error + 'static)) -> Vec<String> {
    let mut texts = vec![error.to_string(), format!("{error:?}")];
    let mut source = error.source();
    while let Some(cause) = source {
        texts.push(cause.to_string());
        texts.push(format!("{cause:?}"));
        source = cause.source();
    }
    texts
}

/// Everything a caller can print of an outcome.
fn outcome_texts(outcome: &Outcome) -> Vec<String> {
    match outcome {
        Outcome::Before(error) => error_texts(error),
        Outcome::Stream(failure) => {
            let mut texts = error_texts(failure);
            texts.push(format!("{:?}", failure.partial));
            texts.push(serde_json::to_string(&*failure.partial).unwrap());
            texts
        }
        Outcome::Done(message) => vec![
            format!("{message:?}"),
            serde_json::to_string(message).unwrap(),
        ],
    }
}

fn assert_clean(label: &str, texts: &[String]) {
    for text in texts {
        assert!(
            !text.contains(SECRET),
            "{label}: the key leaked into {text}"
        );
    }
}

/// Checks the requests a server received: the key only ever in the Authorization header.
fn assert_requests_carry_the_key_only_in_authorization(label: &str, heads: &[String]) {
    for head in heads {
        for line in head.lines() {
            if line.to_ascii_lowercase().starts_with("authorization:") {
                assert_eq!(line, format!("authorization: Bearer {CANARY}"), "{label}");
            } else {
                assert!(!line.contains(SECRET), "{label}: {line}");
            }
        }
    }
}

/// Scripts whose bodies echo the key back: the client must redact it wherever it keeps text.
fn echoing_scripts(transport: Transport) -> Vec<(&'static str, Vec<Step>)> {
    let json_error = format!(
        r#"{{"error":{{"code":"invalid_proxy_key","message":"the key {CANARY} is not valid"}}}}"#
    );
    let status = |line: &str, content_type: &str, body: &str| {
        vec![
            Step::Head(format!(
                "HTTP/1.1 {line}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close",
                body.len()
            )),
            Step::Raw(body.as_bytes().to_vec()),
        ]
    };
    let html = format!("<html><body>Proxy says: bad credentials Bearer {CANARY}</body></html>");
    // An in-stream provider error whose message quotes the key, in the transport's framing.
    let in_stream = match transport {
        Transport::OpenAiCompletions => format!(
            "data: {{\"error\":{{\"code\":\"invalid_key\",\"message\":\"upstream rejected {CANARY}\"}}}}\n\n"
        ),
        Transport::OpenAiResponses => format!(
            "event: error\ndata: {{\"type\":\"error\",\"code\":\"invalid_key\",\"message\":\"upstream rejected {CANARY}\",\"sequence_number\":0}}\n\n"
        ),
        Transport::AnthropicMessages => format!(
            "event: error\ndata: {{\"type\":\"error\",\"error\":{{\"type\":\"authentication_error\",\"message\":\"upstream rejected {CANARY}\"}}}}\n\n"
        ),
        Transport::GoogleGenerativeAi => format!(
            "data: {{\"error\":{{\"code\":401,\"status\":\"UNAUTHENTICATED\",\"message\":\"upstream rejected {CANARY}\"}}}}\n\n"
        ),
    };
    vec![
        (
            "401 echoing the key",
            status("401 Unauthorized", "application/json", &json_error),
        ),
        (
            "429 echoing the key",
            status("429 Too Many Requests", "application/json", &json_error),
        ),
        (
            "HTML 200 echoing the key",
            status("200 OK", "text/html", &html),
        ),
        (
            "HTML 502 echoing the key",
            status("502 Bad Gateway", "text/html", &html),
        ),
        (
            "provider error after 200 echoing the key",
            vec![head_sse(), Step::Chunk(in_stream.into_bytes()), Step::End],
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_error_of_the_fault_matrix_shows_the_key() {
    for (transport, model) in MODELS {
        let (_, body) = recorded(transport).await;
        let mut scripts: Vec<(String, Vec<Step>, bool)> = cases(transport, &body)
            .into_iter()
            .map(|case| (case.name.to_owned(), case.script, case.refuse_after_catalog))
            .collect();
        scripts.extend(
            echoing_scripts(transport)
                .into_iter()
                .map(|(name, script)| (name.to_owned(), script, false)),
        );
        scripts.push((
            "a complete reply".to_owned(),
            vec![head_sse(), Step::Chunk(body.clone()), Step::End],
            false,
        ));
        for (name, script, refuse) in scripts {
            let label = format!("{model}: {name}");
            let server = Loopback::start(script, refuse).await;
            let client = builder(&server.url, CANARY).build().unwrap();
            let outcome = run_chat(&client, &request(model)).await;
            let mut texts = outcome_texts(&outcome);
            texts.push(format!("{client:?}"));
            assert_clean(&label, &texts);
            let heads = server.all.lock().unwrap().clone();
            assert!(!heads.is_empty(), "{label}");
            assert_requests_carry_the_key_only_in_authorization(&label, &heads);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_faults_and_rejection_never_show_the_key() {
    let emulator = Emulator::start(Scenario::default().with_chunk_delay_ms(0))
        .await
        .unwrap();
    // The canary is not one of the emulator's keys: every call is rejected.
    let client = builder(emulator.base_url(), CANARY).build().unwrap();
    let mut texts = Vec::new();
    match client.catalog().await {
        Err(error) => texts.extend(error_texts(&error)),
        Ok(catalog) => panic!("the emulator accepted the canary: {catalog:?}"),
    }
    match client.usage().await {
        Err(error) => texts.extend(error_texts(&error)),
        Ok(usage) => panic!("the emulator accepted the canary: {usage:?}"),
    }
    for (_, model) in MODELS {
        texts.extend(outcome_texts(&run_chat(&client, &request(model)).await));
    }
    assert_clean("emulator rejection", &texts);
    // A valid key with every fault switched on, the canary only in the client's configuration
    // is covered above; here the faults with the emulator's own key and the canary as a header
    // value the caller tried to smuggle in.
    let client = builder(emulator.base_url(), crate::faults::EMULATOR_KEY)
        .build()
        .unwrap();
    for fault in [
        Fault::StallBeforeFirstByte,
        Fault::StallMidStream { after_events: 4 },
        Fault::CutMidEvent { after_events: 4 },
        Fault::ErrorAfter200 { after_events: 4 },
        Fault::RateLimited {
            retry_after_secs: 1,
        },
        Fault::ServerError { status: 502 },
    ] {
        emulator.set_fault(FaultScope::All, Some(fault.clone()));
        for (_, model) in MODELS {
            let request = request(model).session_id(CANARY);
            let outcome = run_chat(&client, &request).await;
            assert_clean(&format!("{model} {fault:?}"), &outcome_texts(&outcome));
        }
    }
    emulator.shutdown().await.unwrap();
}

/// TRACE output of every crate (reqwest, hyper and rustls included) while the client fetches
/// the catalog and usage, streams a reply, and fails in the ways above: no key anywhere.
#[tokio::test(flavor = "current_thread")]
async fn trace_output_never_shows_the_key() {
    let (captured, _guard) = TraceCapture::start(FmtSpan::FULL);
    for (transport, model) in MODELS {
        let (_, body) = recorded(transport).await;
        let mut scripts = vec![vec![head_sse(), Step::Chunk(body.clone()), Step::End]];
        scripts.extend(echoing_scripts(transport).into_iter().map(|(_, s)| s));
        for script in scripts {
            let server = Loopback::start(script, false).await;
            let client = builder(&server.url, CANARY).build().unwrap();
            let _ = client.usage().await;
            let _ = run_chat(&client, &request(model)).await;
        }
    }
    let output = captured.text();
    assert!(output.contains("gen_ai.chat"), "no spans captured");
    assert!(
        output.contains("TRACE") || output.contains("DEBUG"),
        "{output}"
    );
    for line in output.lines() {
        assert!(
            !line.contains(SECRET),
            "the key leaked into a trace line: {line}"
        );
    }
}

/// `Debug` of the client, its builder, the resolved catalog and every model: no key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_of_the_public_types_never_shows_the_key() {
    let server = Loopback::start(vec![head_sse(), Step::End], false).await;
    let builder = builder(&server.url, CANARY);
    let mut texts = vec![format!("{builder:?}")];
    let client = builder.build().unwrap();
    texts.push(format!("{client:?}"));
    texts.push(format!("{:?}", client.timeouts()));
    texts.push(format!("{:?}", client.base_url()));
    let catalog = client.catalog().await.unwrap();
    texts.push(format!("{catalog:?}"));
    for (_, model) in MODELS {
        let model = client.model(model).await.unwrap();
        texts.push(format!("{model:?}"));
        let prepared = clawrouter_client::prepare_chat(&model, &request(model.id()));
        texts.push(format!("{prepared:?}"));
        let stream = client.chat(&request(model.id())).await;
        texts.push(format!("{stream:?}"));
    }
    texts.push(format!(
        "{:?}",
        ChatRequest::user("clawrouter/openai/gpt-5.5", "hi")
    ));
    assert_clean("Debug", &texts);
    // Model metadata and request URLs are built from the catalog: none carries the key.
    for head in server.all.lock().unwrap().iter() {
        let request_line = head.lines().next().unwrap();
        assert!(!request_line.contains(SECRET), "{request_line}");
    }
}

/// Catalog rows whose `nativeBaseUrl` points at another origin (absolute, protocol-relative)
/// must not become dispatch targets: the other origin receives nothing, with or without key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absolute_native_base_urls_never_become_dispatch_targets() {
    let evil = Loopback::start(vec![head_sse(), Step::End], false).await;
    let evil_host = evil.url.trim_start_matches("http://").to_owned();
    let mut catalog: Value = serde_json::from_str(&catalog_json()).unwrap();
    let providers = catalog["providers"].as_array_mut().unwrap();
    let mut rewritten = Vec::new();
    for provider in providers.iter_mut() {
        let id = provider["id"].as_str().unwrap().to_owned();
        let target = match id.as_str() {
            "openai" => format!("{}/v1/native/openai", evil.url),
            "anthropic" => format!("//{evil_host}/v1/native/anthropic"),
            "google-gemini" => "https://evil.example/v1/native/google-gemini".to_owned(),
            _ => continue,
        };
        provider["nativeBaseUrl"] = Value::String(target);
        rewritten.push(id);
    }
    assert_eq!(rewritten.len(), 3);
    let server =
        Loopback::start_with(vec![head_sse(), Step::End], false, catalog.to_string()).await;
    let client: Client = builder(&server.url, CANARY).build().unwrap();
    let resolution = client.catalog().await.unwrap();
    let mut results = Vec::new();
    for (_, model) in MODELS {
        let outcome = run_chat(&client, &request(model)).await;
        assert_clean(model, &outcome_texts(&outcome));
        let result = match &outcome {
            Outcome::Before(error) => format!("{model}: {}", crate::faults::describe(error)),
            Outcome::Stream(_) | Outcome::Done(_) => format!("{model}: dispatched"),
        };
        results.push(result);
    }
    assert_eq!(evil.all.lock().unwrap().len(), 0, "{results:?}");
    // No model of the rewritten providers is offered; the resolution says why.
    let debug = format!("{resolution:?}");
    assert!(!debug.contains(SECRET));
    assert_eq!(
        results,
        [
            "clawrouter/openai/gpt-4.1-mini: model",
            "clawrouter/openai/gpt-5.5: model",
            "clawrouter/anthropic/claude-sonnet-4-6: model",
            "clawrouter/google/gemini-3.5-flash: model",
        ]
    );
}
