//! Issue 9 "Load" and "Hostile input" checks that are assertions, not measurements: the catalog
//! cache under 1 000 concurrent callers during expiry, and a 100 MiB hostile stream. The figures
//! (events/s, CPU, memory) come from `examples/load.rs`.

use std::time::Duration;

use clawrouter_client::{ClientError, DispatchRequest};
use clawrouter_emulator::{Emulator, Endpoint, Scenario};
use clawrouter_wire::transport::Transport;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::faults::{EMULATOR_KEY, builder};
use crate::support::{RawServer, Step};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_callers_during_expiry_make_exactly_one_refresh() {
    let emulator = Emulator::start(Scenario::default().with_chunk_delay_ms(0))
        .await
        .unwrap();
    let client = builder(emulator.base_url(), EMULATOR_KEY)
        .catalog_ttl(Duration::from_millis(200))
        .build()
        .unwrap();
    client.catalog().await.unwrap();
    assert_eq!(emulator.request_count(Endpoint::Catalog), 1);
    tokio::time::sleep(Duration::from_millis(300)).await; // the entry has expired
    let callers: Vec<_> = (0..1000)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.catalog().await.map(|catalog| catalog.models.len()) })
        })
        .collect();
    for caller in callers {
        assert!(caller.await.unwrap().unwrap() > 0);
    }
    assert_eq!(emulator.request_count(Endpoint::Catalog), 2);
    emulator.shutdown().await.unwrap();
}

/// 100 MiB of one endless SSE line: the decoder's 16 MiB event-size limit ends the stream with a
/// typed error, and the client stops reading (the server sees the connection close early).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100_mib_endless_event_gives_a_typed_error_and_stops_reading() {
    const TOTAL: usize = 100 * 1024 * 1024;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buffer = [0u8; 8192];
        let _ = socket.read(&mut buffer).await;
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: {}\r\n\r\ndata: ",
            TOTAL + 6
        );
        socket.write_all(head.as_bytes()).await.unwrap();
        let block = vec![b'x'; 64 * 1024];
        let mut sent = 0;
        while sent < TOTAL {
            if socket.write_all(&block).await.is_err() {
                break;
            }
            sent += block.len();
        }
        sent
    });
    let client = builder(&url, EMULATOR_KEY)
        .idle_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let request = DispatchRequest::new(
        Transport::OpenAiCompletions,
        format!("{url}/v1/chat/completions"),
        serde_json::json!({"model": "x", "stream": true}),
    );
    let failure = client
        .dispatch(request)
        .await
        .unwrap()
        .finish()
        .await
        .unwrap_err();
    match &failure.error {
        ClientError::MalformedBody { detail, .. } => {
            assert!(
                detail.contains("exceeds the 16777216-byte event size limit"),
                "{detail}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(failure.partial.text(), "");
    // The client dropped the connection once the limit was passed: far less than 100 MiB went.
    let sent = server.await.unwrap();
    assert!(sent < TOTAL, "the client read all {sent} bytes");
}

/// 5 000 tool calls in one message (each a complete OpenAI Chat Completions tool-call delta):
/// the assembler keeps the first `MAX_TOOL_CALLS_PER_MESSAGE` and the stream fails with a typed
/// error that names the limit, instead of growing without bound.
#[tokio::test]
async fn too_many_tool_calls_in_one_message_is_a_typed_error() {
    use clawrouter_wire::assemble::MAX_TOOL_CALLS_PER_MESSAGE;
    let mut body = String::new();
    for index in 0..5000 {
        body.push_str(&format!(
            "data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"tool_calls\":[{{\"index\":{index},\"id\":\"call_{index}\",\"type\":\"function\",\"function\":{{\"name\":\"t\",\"arguments\":\"{{}}\"}}}}]}}}}]}}\n\n"
        ));
    }
    body.push_str("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n");
    let server = RawServer::event_stream(vec![Step::chunk(&body), Step::End]).await;
    let url = server.url.clone();
    let client = builder(&url, EMULATOR_KEY).build().unwrap();
    let request = DispatchRequest::new(
        Transport::OpenAiCompletions,
        format!("{url}/v1/chat/completions"),
        serde_json::json!({"stream": true}),
    );
    let failure = client
        .dispatch(request)
        .await
        .unwrap()
        .finish()
        .await
        .unwrap_err();
    assert!(
        matches!(&failure.error, ClientError::MalformedBody { detail, .. }
            if detail.starts_with("the stream exceeded the limit of 1024 tool calls per message (3976 more were not kept)")),
        "{:?}",
        failure.error
    );
    assert_eq!(
        failure.partial.tool_calls().count(),
        MAX_TOOL_CALLS_PER_MESSAGE
    );
}
