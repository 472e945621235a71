//! Issue 9 "Load": N concurrent `Client::chat` streams against the emulator on loopback, from one
//! process, and the peak memory of a 100 MiB hostile stream.
//!
//! `cargo run --release -p clawrouter-client --example load -- [STREAMS] [CHUNK_DELAY_MS]`
//! (defaults: 2000 streams, 5 ms between the emulator's writes). One client (one connection
//! pool) serves every stream, round-robin over the four transports; every stream is read to its
//! end and its message must be exactly `expected_reply_text(prompt)`. The run stops by itself
//! (120 s overall budget) and exits 1 on any wrong, failed or late stream.
//!
//! It prints Markdown lines (the figures section of RELIABILITY.md, which `cargo xtask
//! reliability` rewrites from them): events/s, CPU time per event (utime + stime of
//! `/proc/self/stat`, at the usual 100 ticks/s), peak RSS (`VmHWM` of `/proc/self/status`) per
//! stream above the idle baseline. The emulator runs in the same process, so CPU and memory
//! include the server's side.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clawrouter_catalog::BaseUrl;
use clawrouter_client::{ChatRequest, Client, ClientError};
use clawrouter_emulator::{Emulator, Scenario, expected_reply_text};
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const KEY: &str = "clawrouter-test-open-emulator0002";
const MODELS: [&str; 4] = [
    "clawrouter/openai/gpt-4.1-mini",
    "clawrouter/openai/gpt-5.5",
    "clawrouter/anthropic/claude-sonnet-4-6",
    "clawrouter/google/gemini-3.5-flash",
];
/// The overall budget: the run stops by itself.
const BUDGET: Duration = Duration::from_secs(120);
/// Clock ticks per second of `/proc/self/stat` (`CLK_TCK`; 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

/// CPU seconds (user + system) of this process.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The command name may contain spaces: fields are counted after its closing parenthesis.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of stat(5); `after` starts at field 3.
    let ticks = |index: usize| fields.get(index).and_then(|f| f.parse::<f64>().ok());
    (ticks(11).unwrap_or(0.0) + ticks(12).unwrap_or(0.0)) / TICKS_PER_SECOND
}

/// A `/proc/self/status` field in KiB (`VmHWM`, `VmRSS`).
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|line| {
            let rest = line.strip_prefix(field)?.strip_prefix(':')?;
            rest.trim().trim_end_matches("kB").trim().parse().ok()
        })
        .unwrap_or(0)
}

/// About 300 one-letter words (600 characters, within the emulator's echo limit): one event per
/// word, so each stream carries a few hundred events.
fn long_prompt(index: usize) -> String {
    let letter = char::from(b'a' + u8::try_from(index % 26).unwrap());
    let mut prompt = format!("{index:05}");
    while prompt.len() < 600 {
        prompt.push(' ');
        prompt.push(letter);
    }
    prompt
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let streams: usize = args.next().map_or(2000, |n| n.parse().expect("STREAMS"));
    let delay: u64 = args
        .next()
        .map_or(5, |n| n.parse().expect("CHUNK_DELAY_MS"));
    match tokio::time::timeout(BUDGET, run(streams, delay)).await {
        Ok(Ok(())) => {}
        Ok(Err(message)) => {
            eprintln!("error: {message}");
            std::process::exit(1);
        }
        Err(_) => {
            eprintln!("error: the load run exceeded its {BUDGET:?} budget");
            std::process::exit(1);
        }
    }
}

async fn run(streams: usize, delay: u64) -> Result<(), String> {
    let emulator = Emulator::start(Scenario::default().with_chunk_delay_ms(delay))
        .await
        .map_err(|error| error.to_string())?;
    let client = Client::builder()
        .base_url(BaseUrl::new(Some(emulator.base_url())))
        .api_key(KEY.into())
        .first_byte_timeout(Duration::from_secs(60))
        .idle_timeout(Duration::from_secs(60))
        .build()
        .map_err(|error| error.to_string())?;
    client.catalog().await.map_err(|error| error.to_string())?;
    let baseline_kib = status_kib("VmRSS");
    let events = Arc::new(AtomicU64::new(0));
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let tasks: Vec<_> = (0..streams)
        .map(|index| {
            let client = client.clone();
            let events = Arc::clone(&events);
            tokio::spawn(async move {
                let prompt = long_prompt(index);
                let model = MODELS[index % MODELS.len()];
                let request = ChatRequest::user(model, &prompt);
                let mut stream = client.chat(&request).await?;
                let mut count = 0u64;
                while let Some(event) = stream.next().await {
                    event?;
                    count += 1;
                }
                events.fetch_add(count, Ordering::Relaxed);
                let text = stream.message().text();
                Ok::<_, ClientError>((text == expected_reply_text(&prompt), count))
            })
        })
        .collect();
    let mut wrong = 0usize;
    let mut failed = Vec::new();
    let (mut fewest, mut most) = (u64::MAX, 0u64);
    for task in tasks {
        match task.await {
            Ok(Ok((exact, count))) => {
                wrong += usize::from(!exact);
                fewest = fewest.min(count);
                most = most.max(count);
            }
            Ok(Err(error)) => failed.push(error.to_string()),
            Err(join) => failed.push(join.to_string()),
        }
    }
    let wall = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before;
    let peak_kib = status_kib("VmHWM");
    let total = events.load(Ordering::Relaxed);
    emulator
        .shutdown()
        .await
        .map_err(|error| error.to_string())?;
    if wrong > 0 || !failed.is_empty() {
        return Err(format!(
            "{wrong} streams had a wrong message, {} failed (first: {:?})",
            failed.len(),
            failed.first()
        ));
    }
    let per_stream_kib = peak_kib.saturating_sub(baseline_kib) / streams.max(1) as u64;
    println!(
        "- Load: {streams} concurrent `Client::chat` streams (4 transports, round-robin; emulator write delay {delay} ms), every one completed with the exact expected message."
    );
    println!(
        "- Events per stream: {fewest}–{most} (a 600-character prompt of one-letter words, echoed one word per delta); {total} events in {wall:.2} s wall = {:.0} events/s.",
        total as f64 / wall
    );
    println!(
        "- CPU: {cpu:.2} s user+system = {:.2} µs per event (client and in-process emulator together).",
        cpu * 1e6 / total.max(1) as f64
    );
    println!(
        "- Memory: peak RSS {} MiB, {} KiB per stream above the {} MiB idle baseline (client and emulator together).",
        peak_kib / 1024,
        per_stream_kib,
        baseline_kib / 1024
    );
    hostile_stream().await
}

/// 100 MiB of one endless SSE line through `Client::dispatch`: the decoder's 16 MiB event-size
/// limit must end it with a typed error, and memory must stay bounded.
async fn hostile_stream() -> Result<(), String> {
    const TOTAL: usize = 100 * 1024 * 1024;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|error| error.to_string())?;
    let url = format!(
        "http://{}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    tokio::spawn(async move {
        let Ok((mut socket, _)) = listener.accept().await else {
            return;
        };
        let mut buffer = [0u8; 8192];
        let _ = socket.read(&mut buffer).await;
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: {}\r\n\r\ndata: ",
            TOTAL + 6
        );
        if socket.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let block = vec![b'x'; 64 * 1024];
        let mut sent = 0;
        while sent < TOTAL {
            if socket.write_all(&block).await.is_err() {
                return;
            }
            sent += block.len();
        }
    });
    let client = Client::builder()
        .base_url(BaseUrl::new(Some(&url)))
        .api_key(KEY.into())
        .build()
        .map_err(|error| error.to_string())?;
    // Reset the peak RSS to the current RSS (Linux ≥ 4.0), so VmHWM measures this phase alone.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before_kib = status_kib("VmRSS");
    let started = Instant::now();
    let request = clawrouter_client::DispatchRequest::new(
        clawrouter_wire::transport::Transport::OpenAiCompletions,
        format!("{url}/v1/chat/completions"),
        serde_json::json!({"model": "x", "stream": true}),
    );
    let stream = client
        .dispatch(request)
        .await
        .map_err(|error| error.to_string())?;
    let outcome = stream.finish().await;
    let peak_kib = status_kib("VmHWM");
    let error = match outcome {
        Ok(_) => return Err("the 100 MiB hostile stream was accepted".to_owned()),
        Err(failure) => failure.error,
    };
    let class = match &error {
        ClientError::MalformedBody { .. } => "MalformedBody",
        ClientError::Truncated { .. } => "Truncated",
        _ => return Err(format!("unexpected error for the hostile stream: {error}")),
    };
    println!(
        "- Hostile stream: 100 MiB of one endless SSE line → `ClientError::{class}` after {:.2} s (\"{}\"); RSS {} MiB before, peak {} MiB (the event-size limit is 16 MiB).",
        started.elapsed().as_secs_f64(),
        error.to_string().chars().take(140).collect::<String>(),
        before_kib / 1024,
        peak_kib.max(before_kib) / 1024
    );
    if !reset {
        println!("  (the peak could not be reset: it includes the load phase)");
    }
    Ok(())
}
