//! Paired, interleaved ratios for the targets that compare two decoders on one cell.
//!
//! The criterion benches time each decoder of a cell on its own, seconds apart; on a shared VM
//! the machine's speed drifts by ±20 % over that time, which is as large as the differences the
//! targets ask about (e.g. ours against sse-stream at 0.9×). Here the two decoders of a pair run
//! in alternation — A, B, B, A, A, B, … — each for a few milliseconds, and every round yields one
//! ratio of the two times per iteration, measured under the same conditions: drift hits both
//! sides of a round alike and cancels in the ratio. The rounds of one process agree to about
//! ±1 %; between processes, code and heap placement still move a ratio by a few per cent, so the
//! whole suite runs in several processes (default 3) and each pair reports the median of the
//! processes' median ratios, with the lowest and the highest of them as its range.
//!
//! Pairs (the same cells and inputs as the `sse`, `json_array` and `levels` benches):
//! - every SSE corpus × chunking, plus the cut-after-CR cell: ours / sse-stream, and
//!   ours_stream / sse-stream where the `sse` bench times ours_stream (the cut-after-CR cell too);
//! - every SSE corpus at 1460-byte chunks: ours / eventsource-stream;
//! - the JSON array at every chunking: ours / serde_json `StreamDeserializer` (`IgnoredAny`);
//! - every levels corpus at 1460 bytes and whole: L3 ours / L2 ours.
//!
//! Settings from the environment: `CLAWROUTER_PAIRED_PROCESSES` (default 3),
//! `CLAWROUTER_PAIRED_ROUNDS` (default 21), `CLAWROUTER_PAIRED_MS` (the time per side of a round,
//! default 10) and `CLAWROUTER_PAIRED_FILTER` (a substring of `group@chunking` that selects the
//! cells to run). The results go to `$CLAWROUTER_BENCH_OUT/paired.json` for
//! `cargo xtask bench-report`, and to standard output. Each pair's range (`low`, `high`) is the
//! lowest and highest process median, or with one process the interquartile range of the rounds.
//! With `--test` (what `cargo test --benches` passes) it does one round of one cell per kind.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::Bytes;
use clawrouter_benches::corpus;
use clawrouter_benches::levels;
use clawrouter_benches::{
    CHUNKINGS, ONE_BYTE_PREFIX, chunking_label, chunks, chunks_after_cr, json_run, sse_run,
};
use serde_json::{Value, json};

struct Settings {
    rounds: usize,
    per_side: Duration,
    quick: bool,
}

/// How long `iterations` runs of `run` take.
fn time(run: &dyn Fn() -> u64, iterations: u32) -> Duration {
    let start = Instant::now();
    for _ in 0..iterations {
        black_box(run());
    }
    start.elapsed()
}

/// Nanoseconds per iteration of `run` over `iterations` iterations.
fn time_per_iteration(run: &dyn Fn() -> u64, iterations: u32) -> f64 {
    time(run, iterations).as_secs_f64() * 1e9 / f64::from(iterations)
}

/// How many iterations of `run` take about `per_side`.
fn calibrate(run: &dyn Fn() -> u64, per_side: Duration) -> u32 {
    let mut iterations = 1u32;
    loop {
        let elapsed = time(run, iterations);
        if elapsed >= per_side / 4 || iterations >= 1 << 24 {
            let scaled = per_side.as_secs_f64() / elapsed.as_secs_f64().max(1e-9);
            return ((f64::from(iterations) * scaled).round() as u32).max(1);
        }
        iterations *= 2;
    }
}

/// The median, first and third quartile of the per-round ratios time(a) / time(b).
fn paired_ratio(a: &dyn Fn() -> u64, b: &dyn Fn() -> u64, settings: &Settings) -> [f64; 3] {
    let (iterations_a, iterations_b) = (
        calibrate(a, settings.per_side),
        calibrate(b, settings.per_side),
    );
    let mut ratios = Vec::with_capacity(settings.rounds);
    for round in 0..settings.rounds {
        // Alternate which side goes first, so that neither always runs on a warmer cache.
        let (ta, tb) = if round % 2 == 0 {
            let ta = time_per_iteration(a, iterations_a);
            (ta, time_per_iteration(b, iterations_b))
        } else {
            let tb = time_per_iteration(b, iterations_b);
            (time_per_iteration(a, iterations_a), tb)
        };
        ratios.push(ta / tb);
    }
    ratios.sort_by(f64::total_cmp);
    let at = |q: f64| ratios[((ratios.len() - 1) as f64 * q).round() as usize];
    [at(0.5), at(0.25), at(0.75)]
}

/// Whether `CLAWROUTER_PAIRED_FILTER` (a substring of `group@chunking`) selects the cell.
fn selected(group: &str, chunking: &str) -> bool {
    std::env::var("CLAWROUTER_PAIRED_FILTER").map_or(true, |filter| {
        format!("{group}@{chunking}").contains(&filter)
    })
}

fn record(
    results: &mut Vec<Value>,
    cell: (&str, &str),
    pair: (&str, &str),
    ratio: [f64; 3],
    rounds: usize,
) {
    let (group, chunking) = cell;
    let (decoder, baseline) = pair;
    results.push(json!({
        "group": group, "chunking": chunking, "decoder": decoder, "baseline": baseline,
        "ratio": ratio[0], "low": ratio[1], "high": ratio[2], "rounds": rounds,
    }));
}

fn print_pair(pair: &Value) {
    let text = |key: &str| pair[key].as_str().unwrap_or_default().to_owned();
    let number = |key: &str| pair[key].as_f64().unwrap_or(f64::NAN);
    println!(
        "{:<36} {:>8}  {:>12} / {:<18} {:.3}  [{:.3} – {:.3}]",
        text("group"),
        text("chunking"),
        text("decoder"),
        text("baseline"),
        number("ratio"),
        number("low"),
        number("high")
    );
}

/// The comparisons of one SSE cell: against sse-stream wherever the `sse` bench times the
/// decoder, and against eventsource-stream at 1460 B (the target's chunking).
fn sse_pairs(corpus_name: &str, chunking: Option<usize>) -> Vec<(&'static str, &'static str)> {
    let mut pairs = vec![("ours", "sse_stream"), ("ours_stream", "sse_stream")];
    if chunking == Some(1460) {
        pairs.push(("ours", "eventsource_stream"));
    }
    pairs.retain(|&(decoder, baseline)| {
        sse_run::wants(corpus_name, decoder, chunking).is_ok()
            && sse_run::wants(corpus_name, baseline, chunking).is_ok()
    });
    pairs
}

/// Every pair of the suite in this process, in report order.
fn measure_all(settings: &Settings) -> Vec<Value> {
    let mut results = Vec::new();

    for corpus in corpus::sse_corpora() {
        let group = format!("sse/{}", corpus.name);
        for chunking in CHUNKINGS {
            if settings.quick && chunking != Some(1460)
                || !selected(&group, &chunking_label(chunking))
            {
                continue;
            }
            let body = if chunking == Some(1) {
                corpus::one_byte_body(&corpus).0
            } else {
                corpus.body.clone()
            };
            let chunked = &chunks(&body, chunking);
            for (decoder, baseline) in sse_pairs(corpus.name, chunking) {
                let run = |d: &'static str| move || sse_run::run(d, chunked).unwrap_or(0);
                if sse_run::run(decoder, &[]).is_none() {
                    continue; // ours_stream without the `ours-stream` feature
                }
                sse_run::assert_agree(&group, &[decoder, baseline], chunked);
                let ratio = paired_ratio(&run(decoder), &run(baseline), settings);
                let label = chunking_label(chunking);
                record(
                    &mut results,
                    (&group, &label),
                    (decoder, baseline),
                    ratio,
                    settings.rounds,
                );
            }
        }
        if settings.quick {
            break;
        }
    }

    if !settings.quick && selected("sse/gemini_sse_crlf_cut_after_cr", "after-cr") {
        let body = corpus::gemini_sse_crlf().body;
        let chunked: &Vec<Bytes> = &chunks_after_cr(&body);
        let run = |d: &'static str| move || sse_run::run(d, chunked).unwrap_or(0);
        // The `sse` bench times ours_stream in this cell too.
        for decoder in ["ours", "ours_stream"] {
            if sse_run::run(decoder, &[]).is_none() {
                continue; // ours_stream without the `ours-stream` feature
            }
            let ratio = paired_ratio(&run(decoder), &run("sse_stream"), settings);
            record(
                &mut results,
                ("sse/gemini_sse_crlf_cut_after_cr", "after-cr"),
                (decoder, "sse_stream"),
                ratio,
                settings.rounds,
            );
        }
    }

    let array = corpus::gemini_array();
    for chunking in CHUNKINGS {
        if settings.quick && chunking != Some(1460)
            || !selected("json_array/gemini_array", &chunking_label(chunking))
        {
            continue;
        }
        let input = if chunking == Some(1) {
            clawrouter_benches::json_array_prefix(&array, ONE_BYTE_PREFIX)
        } else {
            array.clone()
        };
        let chunked = &chunks(&input, chunking);
        json_run::assert_agree("json_array/gemini_array", chunked);
        let run = |d: &'static str| move || json_run::run(d, chunked).unwrap_or(0);
        let ratio = paired_ratio(&run("ours"), &run("serde_json_stream"), settings);
        // `ours_json` is the name the json_array bench gives ours in the report.
        record(
            &mut results,
            ("json_array/gemini_array", &chunking_label(chunking)),
            ("ours_json", "serde_json_stream"),
            ratio,
            settings.rounds,
        );
    }

    for (corpus, kind) in levels::corpora() {
        let group = format!("levels/{}", corpus.name);
        for chunking in [Some(1460), None] {
            if !selected(&group, &chunking_label(chunking)) {
                continue;
            }
            let chunked = &chunks(&corpus.body, chunking);
            levels::assert_agree(&group, kind, chunked);
            let run = |f: &'static str| move || levels::run(f, kind, chunked).map_or(0, |r| r.0);
            let ratio = paired_ratio(&run("l3_ours"), &run("l2_ours"), settings);
            record(
                &mut results,
                (&group, &chunking_label(chunking)),
                ("l3_ours", "l2_ours"),
                ratio,
                settings.rounds,
            );
        }
        if settings.quick {
            break;
        }
    }

    results
}

/// Results of several processes folded into one: the median over the processes of each pair's
/// median ratio, with the lowest and highest of them as its range.
fn fold_processes(runs: &[Vec<Value>]) -> Vec<Value> {
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    first
        .iter()
        .enumerate()
        .map(|(index, pair)| {
            let mut ratios: Vec<f64> = runs
                .iter()
                .filter_map(|run| run.get(index)?.get("ratio")?.as_f64())
                .collect();
            ratios.sort_by(f64::total_cmp);
            let mut folded = pair.clone();
            folded["ratio"] = json!(ratios[ratios.len() / 2]);
            folded["low"] = json!(ratios[0]);
            folded["high"] = json!(ratios[ratios.len() - 1]);
            folded["processes"] = json!(ratios.len());
            folded
        })
        .collect()
}

fn main() {
    let quick = std::env::args().any(|a| a == "--test");
    let env_number = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let settings = Settings {
        rounds: if quick {
            1
        } else {
            env_number("CLAWROUTER_PAIRED_ROUNDS", 21).max(1) as usize
        },
        per_side: Duration::from_millis(if quick {
            1
        } else {
            env_number("CLAWROUTER_PAIRED_MS", 10).max(1)
        }),
        quick,
    };
    let started = Instant::now();
    let processes = if quick {
        1
    } else {
        env_number("CLAWROUTER_PAIRED_PROCESSES", 3).max(1) as usize
    };
    if let Some(out) = std::env::var_os("CLAWROUTER_PAIRED_CHILD") {
        // One of the processes of a run: measure, hand the results to the parent, done.
        let results = measure_all(&settings);
        std::fs::write(out, serde_json::to_vec(&results).unwrap()).unwrap();
        return;
    }
    let results = if processes == 1 {
        let results = measure_all(&settings);
        for pair in &results {
            print_pair(pair);
        }
        results
    } else {
        // Code placement and heap layout differ between processes and move a ratio by a few
        // per cent (more than the spread within one process): measure in several processes.
        let exe = std::env::current_exe().unwrap();
        let runs: Vec<Vec<Value>> = (0..processes)
            .map(|i| {
                let out = std::env::temp_dir()
                    .join(format!("clawrouter-paired-{}-{i}.json", std::process::id()));
                let status = std::process::Command::new(&exe)
                    .args(std::env::args().skip(1))
                    .env("CLAWROUTER_PAIRED_CHILD", &out)
                    .status()
                    .unwrap();
                assert!(status.success(), "paired: process {i} failed: {status}");
                let results = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
                let _ = std::fs::remove_file(&out);
                eprintln!("paired: process {} of {processes} done", i + 1);
                results
            })
            .collect();
        let results = fold_processes(&runs);
        for pair in &results {
            print_pair(pair);
        }
        results
    };

    eprintln!(
        "paired: {} pairs × {} rounds in {:.0} s",
        results.len(),
        settings.rounds,
        started.elapsed().as_secs_f64()
    );
    if let Some(dir) = std::env::var_os("CLAWROUTER_BENCH_OUT")
        && !settings.quick
    {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        let doc = json!({
            "processes": processes,
            "rounds": settings.rounds,
            "per_side_ms": settings.per_side.as_millis() as u64,
            "pairs": results,
        });
        std::fs::write(
            dir.join("paired.json"),
            serde_json::to_vec_pretty(&doc).unwrap(),
        )
        .unwrap();
    }
}
