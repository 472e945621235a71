//! Runs one level function (`l2_ours`, `l3_ours`, `l3_ours_assembled`) on one `levels` corpus
//! `N` times, for `valgrind --tool=callgrind`: instruction counts are repeatable on a noisy
//! machine, where the criterion timings of the `levels` bench move by ±30 %.
//! `cargo xtask` is not involved; see BENCHMARKS.md for how the counts were taken.
//!
//! Usage: `level_instructions FUNCTION CORPUS CHUNKING N` with CORPUS one of
//! `openai_chat`, `openai_responses`, `anthropic`, `gemini_sse_crlf` and CHUNKING a byte count
//! or `whole`. Per-iteration cost = (count with N=11 − count with N=1) / 10.

// A measuring tool: a bad argument may stop it with a message.
#![allow(clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use clawrouter_benches::{chunks, levels};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, function, corpus, chunking, iterations] = args.as_slice() else {
        eprintln!("usage: level_instructions FUNCTION CORPUS CHUNKING N");
        std::process::exit(2);
    };
    let (corpus, kind) = levels::corpora()
        .into_iter()
        .find(|(c, _)| c.name.ends_with(corpus.as_str()))
        .unwrap_or_else(|| panic!("unknown corpus {corpus}"));
    let size = if chunking == "whole" {
        None
    } else {
        Some(chunking.parse().expect("chunking"))
    };
    let pieces = chunks(&corpus.body, size);
    let iterations: u32 = iterations.parse().expect("N");
    for _ in 0..iterations {
        black_box(levels::run(function, kind, &pieces).expect("function"));
    }
}
