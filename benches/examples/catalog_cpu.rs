//! CPU time per catalog resolution, for a loaded machine where criterion's wall-clock times
//! are inflated by other processes: run under `perf stat -e task-clock` and divide by N.
//!
//! `cargo run --release -p clawrouter-benches --example catalog_cpu -- resolve|parse N`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::hint::black_box;

use clawrouter_benches::catalog_corpus::catalog_body;
use clawrouter_catalog::{BaseUrl, json, resolve_catalog};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map_or("resolve", String::as_str);
    let n: usize = args.get(2).map_or(1000, |n| n.parse().unwrap());
    let body = catalog_body();
    let base = BaseUrl::new(Some("https://clawrouter.example/v1"));
    let start = std::time::Instant::now();
    for _ in 0..n {
        match mode {
            "resolve" => {
                black_box(resolve_catalog(black_box(&body), &base).unwrap());
            }
            "parse" => json::validate(black_box(&body)).unwrap(),
            "setup" => {}
            other => panic!("unknown mode {other}"),
        }
    }
    eprintln!(
        "{mode}: {n} runs, {:?} wall per run",
        start.elapsed() / u32::try_from(n.max(1)).unwrap()
    );
}
