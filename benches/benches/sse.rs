//! SSE decoding: ours (sans-IO core and `Stream` adapter) against sse-stream 0.3.0 and
//! eventsource-stream 0.2.3, in one run, per WIRE.md §4.3.
//!
//! Groups are `sse/<corpus>`; inside a group the function is the decoder and the parameter the
//! chunking (1, 7, 64, 1460, 4096, 16384 bytes or `whole`). Throughput is `Elements(units)`: one
//! unit is one dispatched event, except for `huge_line_1mib` (the whole 1 MiB line) and
//! `keepalive_200k` (one comment line). Before each cell is timed, every decoder in it is run once
//! and must yield exactly the same `(event type, data)` sequence as ours.
//!
//! Cells left out, so the suite stays within ~15 minutes on 2 cores (also written to the meta
//! file that `cargo xtask bench-report` reads, and shown there as n/a):
//! - one-byte cells use a prefix of the corpus of at most 64 KiB cut at an event boundary (the
//!   keepalive corpus: 5,000 lines), except the 1 MiB line, which is fed whole one byte at a time;
//! - eventsource-stream gets no 1 MiB-line cell below 1460-byte chunks (it re-parses the partial
//!   line from its start on every chunk: quadratic, hours at 1 byte) and no `whole` cell on the
//!   100k-event and 200k-line corpora (it copies the rest of the buffer for every line:
//!   quadratic, minutes);
//! - `ours_stream` runs every chunking on `openai_chat`, and 1460 / `whole` elsewhere.
//!
//! Settings: warm-up 1 s, measurement 2 s, 20 samples (criterion switches slow cells to flat
//! sampling by itself); the usual criterion flags override them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::time::Duration;

use bytes::Bytes;
use clawrouter_benches::corpus::{self, Corpus};
use clawrouter_benches::sse_run::{self, DECODERS};
use clawrouter_benches::{CHUNKINGS, chunking_label, chunks, chunks_after_cr};
use criterion::{BenchmarkId, Criterion, Throughput};
use serde_json::json;

struct Meta {
    cells: Vec<serde_json::Value>,
    groups: Vec<serde_json::Value>,
}

#[allow(clippy::too_many_arguments)]
fn bench_cell(
    c: &mut Criterion,
    meta: &mut Meta,
    group_name: &str,
    corpus: &Corpus,
    label: &str,
    chunked: &[Bytes],
    units: Option<u64>,
    decoders: &[&str],
) {
    let run: Vec<&str> = decoders
        .iter()
        .copied()
        .filter(|d| sse_run::run(d, &[]).is_some()) // compiled in
        .collect();
    let events = sse_run::assert_agree(&format!("{group_name}/{label}"), &run, chunked);
    let units = units.unwrap_or(events);
    let bytes: usize = chunked.iter().map(Bytes::len).sum();
    meta.cells.push(json!({
        "group": group_name, "chunking": label, "events": events, "units": units,
        "bytes": bytes, "chunks": chunked.len(), "decoders": run,
    }));
    let mut g = c.benchmark_group(group_name);
    g.throughput(Throughput::Elements(units));
    if corpus.name == "huge_line_1mib" {
        g.sample_size(10);
    }
    for dec in run {
        g.bench_with_input(BenchmarkId::new(dec, label), chunked, |b, ch| {
            b.iter(|| sse_run::run(dec, ch));
        });
    }
    g.finish();
}

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
        .configure_from_args();
    let mut meta = Meta {
        cells: Vec::new(),
        groups: Vec::new(),
    };

    for corpus in corpus::sse_corpora() {
        let group_name = format!("sse/{}", corpus.name);
        meta.groups.push(json!({
            "group": group_name, "unit": corpus.unit, "description": corpus.description,
            "bytes": corpus.body.len(),
        }));
        for chunking in CHUNKINGS {
            let label = chunking_label(chunking);
            let (body, units) = if chunking == Some(1) {
                corpus::one_byte_body(&corpus)
            } else {
                (corpus.body.clone(), corpus.units)
            };
            let mut decoders = Vec::new();
            for dec in DECODERS {
                match sse_run::wants(corpus.name, dec, chunking) {
                    Ok(()) => decoders.push(dec),
                    Err("subset") => {}
                    Err(why) => meta.cells.push(json!({
                        "group": group_name, "chunking": label, "skipped": dec, "why": why,
                    })),
                }
            }
            let chunked = chunks(&body, chunking);
            bench_cell(
                &mut c,
                &mut meta,
                &group_name,
                &corpus,
                &label,
                &chunked,
                units,
                &decoders,
            );
        }
    }

    // A CRLF stream cut right after every CR: every line end straddles two chunks.
    let corpus = corpus::gemini_sse_crlf();
    let group_name = "sse/gemini_sse_crlf_cut_after_cr";
    meta.groups.push(json!({
        "group": group_name, "unit": "event",
        "description": "the Gemini CRLF corpus, split right after every CR",
        "bytes": corpus.body.len(),
    }));
    bench_cell(
        &mut c,
        &mut meta,
        group_name,
        &corpus,
        "after-cr",
        &chunks_after_cr(&corpus.body),
        None,
        &DECODERS,
    );

    if let Some(dir) = std::env::var_os("CLAWROUTER_BENCH_OUT") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        let doc = json!({ "groups": meta.groups, "cells": meta.cells });
        std::fs::write(
            dir.join("sse_meta.json"),
            serde_json::to_vec_pretty(&doc).unwrap(),
        )
        .unwrap();
    }
    c.final_summary();
}
