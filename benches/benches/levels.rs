//! Levels L2 and L3 of WIRE.md §4.3, in one run.
//!
//! Groups are `levels/<corpus>` (OpenAI chat, OpenAI Responses, Anthropic, Gemini `alt=sse`);
//! functions are
//! - `l2_ours`, `l2_sse_stream`, `l2_eventsource_stream`: framing, `[DONE]` skipped, then
//!   `serde_json::from_str` of each event's data into the same borrowed typed struct;
//! - `l3_ours`: `ResponseDecoder` (full provider semantics) with a sink that `black_box`es the
//!   fragment lengths; `l3_ours_assembled`: the same, also folded into a `MessageAssembler`;
//!
//! and the parameter is the chunking (1460 bytes or `whole`). Throughput is `Elements(events)`,
//! the number of SSE events of the corpus (the same unit as the L1 `sse/<corpus>` groups, `[DONE]`
//! included), so ns/event is comparable across levels. Before each cell is timed, the L2 decoders
//! must parse the same number of events with the same total text length, and L3 must see the
//! same text bytes.
//!
//! Settings: warm-up 1 s, measurement 2 s, 20 samples; the usual criterion flags override them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::time::Duration;

use bytes::Bytes;
use clawrouter_benches::levels::{self, FUNCTIONS};
use clawrouter_benches::{chunking_label, chunks, sse_run};
use criterion::{BenchmarkId, Criterion, Throughput};
use serde_json::json;

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
        .configure_from_args();
    let mut groups = Vec::new();
    let mut cells = Vec::new();

    for (corpus, kind) in levels::corpora() {
        let group_name = format!("levels/{}", corpus.name);
        groups.push(json!({
            "group": group_name, "unit": "event", "description": corpus.description,
            "bytes": corpus.body.len(),
        }));
        for chunking in [Some(1460), None] {
            let label = chunking_label(chunking);
            let chunked = chunks(&corpus.body, chunking);
            let (parsed, text) =
                levels::assert_agree(&format!("{group_name}/{label}"), kind, &chunked);
            let events = sse_run::run_ours(&chunked);
            let bytes: usize = chunked.iter().map(Bytes::len).sum();
            cells.push(json!({
                "group": group_name, "chunking": label, "events": events, "units": events,
                "parsed": parsed, "text_bytes": text, "bytes": bytes, "chunks": chunked.len(),
                "decoders": FUNCTIONS,
            }));
            let mut g = c.benchmark_group(&group_name);
            g.throughput(Throughput::Elements(events));
            for f in FUNCTIONS {
                g.bench_with_input(BenchmarkId::new(f, &label), &chunked, |b, ch| {
                    b.iter(|| levels::run(f, kind, ch));
                });
            }
            g.finish();
        }
    }

    if let Some(dir) = std::env::var_os("CLAWROUTER_BENCH_OUT") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        let doc = json!({ "groups": groups, "cells": cells });
        std::fs::write(
            dir.join("levels_meta.json"),
            serde_json::to_vec_pretty(&doc).unwrap(),
        )
        .unwrap();
    }
    c.final_summary();
}
