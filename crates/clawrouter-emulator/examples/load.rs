//! Many concurrent streams against one emulator (the shape of issue 9's load test).
//!
//! `cargo run --release -p clawrouter-emulator --example load -- [STREAMS] [CHUNK_DELAY_MS]`
//! (defaults: 2000 streams, 0 ms). Every stream is read to its end and checked for its
//! terminal event; the example prints the wall time and fails if any stream was wrong.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Instant;

use clawrouter_emulator::{Emulator, Scenario};

const KEY: &str = "clawrouter-test-open-emulator0002";

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let streams: usize = args.next().map_or(2000, |n| n.parse().expect("STREAMS"));
    let delay: u64 = args
        .next()
        .map_or(0, |n| n.parse().expect("CHUNK_DELAY_MS"));
    let emulator = Emulator::start(Scenario::default().with_chunk_delay_ms(delay))
        .await
        .unwrap();
    let base = emulator.base_url().to_owned();
    // One connection per stream, as 2 000 independent clients would open.
    // reqwest is built with rustls but no provider in this workspace (see Cargo.toml).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let calls = [
        (
            "/v1/chat/completions",
            r#"{"model":"openai/gpt-4.1-mini","stream":true,"messages":[{"role":"user","content":"load"}]}"#,
            &b"data: [DONE]\n\n"[..],
        ),
        (
            "/v1/responses",
            r#"{"model":"openai/gpt-5.5","stream":true,"input":"load"}"#,
            &b"\"status\":\"completed\""[..],
        ),
        (
            "/v1/native/anthropic/v1/messages",
            r#"{"model":"claude-sonnet-4-6","stream":true,"messages":[{"role":"user","content":"load"}]}"#,
            &b"event: message_stop\n"[..],
        ),
        (
            "/v1/native/google-gemini/v1beta/models/gemini-3.5-flash:streamGenerateContent?alt=sse",
            r#"{"contents":[{"parts":[{"text":"load"}]}]}"#,
            &b"\"finishReason\": \"STOP\""[..],
        ),
    ];
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(streams);
    for n in 0..streams {
        let (path, body, terminal) = calls[n % calls.len()];
        let request = client
            .post(format!("{base}{path}"))
            .header("authorization", format!("Bearer {KEY}"))
            .body(body);
        tasks.push(tokio::spawn(async move {
            let mut response = request.send().await.unwrap();
            assert_eq!(response.status(), 200);
            let mut bytes = Vec::new();
            while let Some(chunk) = response.chunk().await.unwrap() {
                bytes.extend_from_slice(&chunk);
            }
            assert!(
                bytes
                    .windows(terminal.len())
                    .any(|window| window == terminal),
                "{path}: no terminal event"
            );
            bytes.len()
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap();
    }
    let elapsed = started.elapsed();
    let usage = emulator.usage_of(KEY).unwrap();
    assert_eq!(usage.totals.success_count, streams as u64);
    println!(
        "{streams} concurrent streams, chunk delay {delay} ms: {:.0} ms wall, {:.1} MB received, {} calls in the ledger",
        elapsed.as_secs_f64() * 1000.0,
        total as f64 / 1e6,
        usage.totals.request_count
    );
    emulator.shutdown().await.unwrap();
}
