//! Gemini's streamed JSON array (1,000 pretty-printed elements, `\n,\r\n` separators): ours
//! against serde_json's `StreamDeserializer` with retry-on-EOF (WIRE.md §3.4 item 3; the baseline
//! and why it is the fair one are described in `clawrouter_benches::json_run`). The SSE peers
//! cannot parse this body.
//!
//! Group `json_array/gemini_array`, functions `ours` and `serde_json_stream`, parameter the
//! chunking; throughput `Elements(elements)`. The one-byte cell uses the first ≤ 64 KiB of the body
//! cut after an element and closed with `]` (the baseline re-parses the unfinished element from
//! its start on every chunk, so one byte at a time it is quadratic in the element size). Both
//! splitters must yield byte-equal elements before a cell is timed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::time::Duration;

use clawrouter_benches::json_run::{self, DECODERS};
use clawrouter_benches::{CHUNKINGS, ONE_BYTE_PREFIX, chunking_label, chunks, corpus};
use criterion::{BenchmarkId, Criterion, Throughput};
use serde_json::json;

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
        .configure_from_args();
    let body = corpus::gemini_array();
    let group_name = "json_array/gemini_array";
    let mut cells = Vec::new();
    for chunking in CHUNKINGS {
        let label = chunking_label(chunking);
        let input = if chunking == Some(1) {
            clawrouter_benches::json_array_prefix(&body, ONE_BYTE_PREFIX)
        } else {
            body.clone()
        };
        let chunked = chunks(&input, chunking);
        let elements = json_run::assert_agree(&format!("{group_name}/{label}"), &chunked);
        cells.push(json!({
            "group": group_name, "chunking": label, "events": elements, "units": elements,
            "bytes": input.len(), "chunks": chunked.len(), "decoders": DECODERS,
        }));
        let mut g = c.benchmark_group(group_name);
        g.throughput(Throughput::Elements(elements));
        for dec in DECODERS {
            g.bench_with_input(BenchmarkId::new(dec, &label), &chunked, |b, ch| {
                b.iter(|| json_run::run(dec, ch));
            });
        }
        g.finish();
    }
    if let Some(dir) = std::env::var_os("CLAWROUTER_BENCH_OUT") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        let doc = json!({
            "groups": [{
                "group": group_name, "unit": "element", "bytes": body.len(),
                "description": "Gemini JSON array: 1,000 pretty-printed elements, `\\n,\\r\\n` separators",
            }],
            "cells": cells,
        });
        std::fs::write(
            dir.join("json_array_meta.json"),
            serde_json::to_vec_pretty(&doc).unwrap(),
        )
        .unwrap();
    }
    c.final_summary();
}
