//! What `clawrouter-client` adds on top of `clawrouter-wire` (issue 7, "Benchmark").
//!
//! Groups `client_overhead/<corpus>` (OpenAI chat and Anthropic, 1 000 text deltas each) time
//! - `wire_alone`: `ResponseDecoder` + `MessageAssembler` over the body in 1460-byte chunks —
//!   the decoding the client does, with no IO;
//! - `client_loopback`: `Client::dispatch` against a loopback HTTP/1.1 server that answers with
//!   the same body (served from another thread), then every event pulled from the
//!   `ResponseStream` (owned events, assembled message) — one whole request per iteration,
//!   connection reused.
//!
//! - `client_loopback_finish`: the same request, but only `ResponseStream::finish` (the
//!   assembled message, no owned event copies);
//! - `raw_loopback_wire`: the same request written by hand on a kept-alive loopback socket, the
//!   response read off it and each read fed straight to `ResponseDecoder` + `MessageAssembler` —
//!   the raw bytes on loopback decoded with `clawrouter-wire` alone, the client's baseline.
//!
//! Throughput is `Elements(events)` (SSE events of the corpus), so the rows compare per event.
//! The target is the client's overhead over the raw bytes on loopback:
//! `client_loopback / raw_loopback_wire ≤ 1.2`. `wire_alone` (no socket at all) shows what the
//! loopback itself costs.
//!
//! Group `catalog_cache`: `hit` is one `SharedCache::get_or_load` that finds a fresh entry.
//!
//! Settings: warm-up 1 s, measurement 3 s, 20 samples; the usual criterion flags override them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::hint::black_box;
use std::time::Duration;

use bytes::Bytes;
use clawrouter_benches::corpus::{self, Corpus};
use clawrouter_benches::{chunks, sse_run};
use clawrouter_catalog::BaseUrl;
use clawrouter_client::{CacheKey, Client, DispatchRequest, Loaded, SharedCache};
use clawrouter_wire::assemble::MessageAssembler;
use clawrouter_wire::transport::{Framing, ResponseDecoder, Transport};
use criterion::{Criterion, Throughput};
use futures_util::StreamExt as _;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Serves `body` as a `text/event-stream` response to every request, keeping connections alive,
/// from its own thread and runtime, so the server's work is not timed as the client's.
fn serve(body: Bytes) -> String {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            sender
                .send(format!("http://{}", listener.local_addr().unwrap()))
                .unwrap();
            accept(listener, body).await;
        });
    });
    receiver.recv().unwrap()
}

async fn accept(listener: TcpListener, body: Bytes) {
    loop {
        let Ok((mut socket, _)) = listener.accept().await else {
            return;
        };
        let _ = socket.set_nodelay(true);
        let body = body.clone();
        tokio::spawn(async move {
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: {}\r\n\r\n",
                body.len()
            );
            let mut buffer = Vec::new();
            let mut read = [0u8; 8192];
            loop {
                // One request: its head, then the body its Content-Length announces.
                let (head_end, length) = loop {
                    if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                        let text = String::from_utf8_lossy(&buffer[..at]).to_ascii_lowercase();
                        let length = text
                            .lines()
                            .find_map(|line| line.strip_prefix("content-length:"))
                            .map_or(0, |value| value.trim().parse::<usize>().unwrap());
                        break (at + 4, length);
                    }
                    match socket.read(&mut read).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buffer.extend_from_slice(&read[..n]),
                    }
                };
                while buffer.len() < head_end + length {
                    match socket.read(&mut read).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buffer.extend_from_slice(&read[..n]),
                    }
                }
                buffer.drain(..head_end + length);
                if socket.write_all(head.as_bytes()).await.is_err()
                    || socket.write_all(&body).await.is_err()
                {
                    return;
                }
            }
        });
    }
}

fn wire_alone(transport: Transport, chunks: &[Bytes]) -> usize {
    let mut decoder = ResponseDecoder::new(transport, Framing::Sse);
    let mut assembler = MessageAssembler::new();
    let mut events = 0;
    for chunk in chunks {
        decoder
            .feed(chunk, &mut |event| {
                events += 1;
                assembler.push(&event);
            })
            .unwrap();
    }
    let end = decoder.finish(&mut |event| assembler.push(&event));
    let message = assembler.finish_stream(end).unwrap();
    black_box(message);
    events
}

/// One request by hand on `socket` (kept alive), its response decoded as it is read.
async fn raw_loopback_wire(socket: &mut tokio::net::TcpStream, transport: Transport) -> usize {
    const REQUEST: &[u8] =
        b"POST /v1/stream HTTP/1.1\r\nhost: bench\r\ncontent-length: 2\r\n\r\n{}";
    socket.write_all(REQUEST).await.unwrap();
    let mut decoder = ResponseDecoder::new(transport, Framing::Sse);
    let mut assembler = MessageAssembler::new();
    let mut events = 0;
    let mut read = vec![0u8; 16 * 1024];
    let mut head = Vec::new();
    // The head, then whatever body bytes came with it.
    let (mut remaining, first) = loop {
        let n = socket.read(&mut read).await.unwrap();
        head.extend_from_slice(&read[..n]);
        if let Some(at) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            let text = String::from_utf8_lossy(&head[..at]).to_ascii_lowercase();
            let length: usize = text
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .map(|value| value.trim().parse().unwrap())
                .unwrap();
            break (length, head.split_off(at + 4));
        }
    };
    let mut feed = |bytes: &[u8]| {
        decoder
            .feed(bytes, &mut |event| {
                events += 1;
                assembler.push(&event);
            })
            .unwrap();
    };
    feed(&first);
    remaining -= first.len();
    while remaining > 0 {
        let n = socket
            .read(&mut read[..remaining.min(16 * 1024)])
            .await
            .unwrap();
        assert!(n > 0, "the server closed the connection");
        feed(&read[..n]);
        remaining -= n;
    }
    let end = decoder.finish(&mut |event| assembler.push(&event));
    black_box(assembler.finish_stream(end).unwrap());
    events
}

/// The message only: `finish()` without pulling events (no owned copies, no queue).
async fn through_client_finish(client: &Client, transport: Transport, url: &str) -> usize {
    let request = DispatchRequest::new(transport, url, json!({"stream": true}));
    let stream = client.dispatch(request).await.unwrap();
    black_box(stream.finish().await.unwrap()).content.len()
}

async fn through_client(client: &Client, transport: Transport, url: &str) -> usize {
    let request = DispatchRequest::new(transport, url, json!({"stream": true}));
    let mut stream = client.dispatch(request).await.unwrap();
    let mut events = 0;
    while let Some(event) = stream.next().await {
        black_box(event.unwrap());
        events += 1;
    }
    black_box(stream.finish().await.unwrap());
    events
}

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
        .configure_from_args();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let corpora: [(Corpus, Transport); 2] = [
        (corpus::openai_chat(), Transport::OpenAiCompletions),
        (corpus::anthropic(), Transport::AnthropicMessages),
    ];
    for (corpus, transport) in corpora {
        let body = Bytes::from(corpus.body);
        let chunks = chunks(&body, Some(1460));
        let sse_events = sse_run::run_ours(&chunks);
        let url = serve(body.clone());
        let client = Client::builder()
            .base_url(BaseUrl::new(Some(&url)))
            .api_key("clawrouter-test-bench-key12345".into())
            .build()
            .unwrap();
        let endpoint = format!("{url}/v1/stream");
        // Both paths must see the same events before anything is timed.
        let expected = wire_alone(transport, &chunks);
        let got = runtime.block_on(through_client(&client, transport, &endpoint));
        assert_eq!(
            got, expected,
            "{}: the client yields the wire decoder's events",
            corpus.name
        );

        let mut socket = runtime.block_on(async {
            let socket = tokio::net::TcpStream::connect(url.trim_start_matches("http://"))
                .await
                .unwrap();
            socket.set_nodelay(true).unwrap();
            socket
        });
        assert_eq!(
            runtime.block_on(raw_loopback_wire(&mut socket, transport)),
            expected,
            "{}: the raw loopback path sees the same events",
            corpus.name
        );

        let mut group = c.benchmark_group(format!("client_overhead/{}", corpus.name));
        group.throughput(Throughput::Elements(sse_events));
        group.bench_function("wire_alone", |b| b.iter(|| wire_alone(transport, &chunks)));
        group.bench_function("raw_loopback_wire", |b| {
            b.iter(|| runtime.block_on(raw_loopback_wire(&mut socket, transport)));
        });
        group.bench_function("client_loopback", |b| {
            b.iter(|| runtime.block_on(through_client(&client, transport, &endpoint)));
        });
        group.bench_function("client_loopback_finish", |b| {
            b.iter(|| runtime.block_on(through_client_finish(&client, transport, &endpoint)));
        });
        group.finish();
    }

    let cache: SharedCache<u64> = SharedCache::new();
    let key = CacheKey::catalog("https://clawrouter.example/v1/catalog", Some(&"k".into()));
    let ttl = Duration::from_secs(3600);
    runtime
        .block_on(cache.get_or_load(key, ttl, || async {
            Ok(Loaded {
                value: 42,
                cacheable: true,
            })
        }))
        .unwrap();
    let mut group = c.benchmark_group("catalog_cache");
    group.bench_function("hit", |b| {
        b.iter(|| {
            let value =
                futures_executor::block_on(
                    cache.get_or_load(black_box(key), ttl, || async { unreachable!("a hit") }),
                );
            black_box(value.unwrap())
        });
    });
    group.finish();
    c.final_summary();
}
