//! Runs one framing decoder (`benches/src/{sse_run,json_run}.rs`) on one corpus `N` times, for
//! `valgrind --tool=callgrind`: instruction counts are repeatable on a noisy machine, where the
//! criterion timings of the `sse` and `json_array` benches move by ±30 %.
//!
//! Usage: `wire_instructions DECODER CORPUS CHUNKING N` with DECODER one of `ours`,
//! `sse_stream`, `eventsource_stream` (SSE corpora, e.g. `anthropic`, `small_events_100k`) or
//! `json_ours`, `json_serde` (corpus `gemini_array`), and CHUNKING a byte count, `after-cr` or
//! `whole`. Per-iteration cost = (count with N=6 − count with N=1) / 5; the corpus is built and
//! chunked once, so it cancels out.

// A measuring tool: a bad argument may stop it with a message.
#![allow(clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use clawrouter_benches::{chunks, chunks_after_cr, corpus, json_run, sse_run};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, decoder, name, chunking, iterations] = args.as_slice() else {
        eprintln!("usage: wire_instructions DECODER CORPUS CHUNKING N");
        std::process::exit(2);
    };
    let body = if name == "gemini_array" {
        corpus::gemini_array()
    } else {
        corpus::sse_corpora()
            .into_iter()
            .find(|c| c.name == name.as_str())
            .unwrap_or_else(|| panic!("unknown corpus {name}"))
            .body
    };
    let pieces = match chunking.as_str() {
        "whole" => chunks(&body, None),
        "after-cr" => chunks_after_cr(&body),
        size => chunks(&body, Some(size.parse().expect("chunking"))),
    };
    let iterations: u32 = iterations.parse().expect("N");
    for _ in 0..iterations {
        let count = match decoder.as_str() {
            "json_ours" => json_run::run("ours", &pieces),
            "json_serde" => json_run::run("serde_json_stream", &pieces),
            other => sse_run::run(other, &pieces),
        };
        black_box(count.unwrap_or_else(|| panic!("unknown decoder {decoder}")));
    }
}
