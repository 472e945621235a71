//! `cargo xtask bench-report [--write] [--no-run] [CARGO-BENCH-ARGS…] [-- BENCH-ARGS…]`
//!
//! Runs `cargo bench -p clawrouter-benches` (unless `--no-run`), then reads criterion's results
//! (`target/criterion/**/new/{benchmark,estimates}.json`: median and MAD of the time per
//! iteration, and the `Elements` throughput) and the side files the bench binaries write to
//! `target/clawrouter-bench/` (corpus metadata, skipped cells, the allocation table), and prints a
//! Markdown report: one table per corpus — rows are chunkings, columns the time per event of each
//! decoder (median ± MAD) and its ratio to the baseline (sse-stream; serde_json for the JSON
//! array) — then the levels L2/L3 tables (`levels/<corpus>` groups: ns/event of each L2 decoder
//! and of ours at L3, and the L3 / L2 ratio), the targets of the benchmark issue, the allocation
//! table and the machine; then the comparison targets again from the `paired` bench's
//! interleaved ratios (`paired.json`), which machine drift does not move.
//! `--write` also writes it to `BENCHMARKS.md` at the workspace root.
//!
//! Arguments before `--` other than `--write` / `--no-run` go to `cargo bench` (e.g.
//! `--bench sse`); arguments after `--` go to the bench binaries (e.g. `--measurement-time 5`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context as _, Result, bail};
use serde_json::Value;

/// Functions of the `levels/<corpus>` groups, in report column order.
const LEVEL_COLUMNS: [&str; 5] = [
    "l2_ours",
    "l2_sse_stream",
    "l2_eventsource_stream",
    "l3_ours",
    "l3_ours_assembled",
];

/// Chunkings in report row order.
const ROWS: [&str; 8] = ["1", "7", "64", "1460", "4096", "16384", "whole", "after-cr"];
/// Decoders in report column order.
const COLUMNS: [&str; 7] = [
    "ours",
    "ours_stream",
    "sse_stream",
    "eventsource_stream",
    "serde_json_stream",
    "serde_json_raw",
    "ours_json",
];

/// Entry point of `cargo xtask bench-report`; `args` are the arguments after `bench-report`.
pub fn run(args: &[String]) -> Result<()> {
    let mut write = false;
    let mut no_run = false;
    let mut cargo_args = Vec::new();
    let mut bench_args = Vec::new();
    let mut after_dashes = false;
    for a in args {
        if after_dashes {
            bench_args.push(a.clone());
            continue;
        }
        match a.as_str() {
            "--write" => write = true,
            "--no-run" => no_run = true,
            "--" => after_dashes = true,
            "-h" | "--help" => {
                println!(
                    "usage: cargo xtask bench-report [--write] [--no-run] [CARGO-BENCH-ARGS...] [-- BENCH-ARGS...]"
                );
                return Ok(());
            }
            _ => cargo_args.push(a.clone()),
        }
    }

    let root = workspace_root()?;
    let target = target_dir(&root)?;
    let out_dir = target.join("clawrouter-bench");
    let criterion_dir = target.join("criterion");

    let mut since = None;
    let mut elapsed = None;
    if !no_run {
        // Side files of an earlier run must not be mistaken for this one's.
        for f in [
            "sse_meta.json",
            "json_array_meta.json",
            "levels_meta.json",
            "alloc.json",
            "paired.json",
        ] {
            let _ = std::fs::remove_file(out_dir.join(f));
        }
        let start_wall = SystemTime::now();
        let start = Instant::now();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let mut cmd = Command::new(cargo);
        cmd.current_dir(&root)
            .args(["bench", "-p", "clawrouter-benches"])
            .args(&cargo_args)
            .env("CLAWROUTER_BENCH_OUT", &out_dir);
        if !bench_args.is_empty() {
            cmd.arg("--").args(&bench_args);
        }
        eprintln!("bench-report: running {cmd:?}");
        let status = cmd.status().context("running cargo bench")?;
        if !status.success() {
            bail!("cargo bench failed: {status}");
        }
        since = Some(start_wall);
        elapsed = Some(start.elapsed());
    }

    let results = read_criterion(&criterion_dir, since)?;
    if results.is_empty() {
        bail!(
            "no criterion results under {} (run without --no-run first)",
            criterion_dir.display()
        );
    }
    let mut meta = Meta::default();
    for f in ["sse_meta.json", "json_array_meta.json", "levels_meta.json"] {
        meta.read(&out_dir.join(f))?;
    }
    let alloc = match std::fs::read(out_dir.join("alloc.json")) {
        Ok(bytes) => serde_json::from_slice::<Vec<Value>>(&bytes)?,
        Err(_) => Vec::new(),
    };

    let paired = match std::fs::read(out_dir.join("paired.json")) {
        Ok(bytes) => serde_json::from_slice::<Value>(&bytes)?,
        Err(_) => Value::Null,
    };

    let report = render(&results, &meta, &alloc, &paired, elapsed, &bench_args);
    print!("{report}");
    if write {
        let path = root.join("BENCHMARKS.md");
        std::fs::write(&path, &report).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("bench-report: wrote {}", path.display());
    }
    Ok(())
}

fn workspace_root() -> Result<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    Ok(manifest
        .parent()
        .context("xtask has no parent directory")?
        .to_path_buf())
}

fn target_dir(root: &Path) -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return Ok(root.join(dir));
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .current_dir(root)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .context("running cargo metadata")?;
    if !out.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let v: Value = serde_json::from_slice(&out.stdout)?;
    let dir = v
        .get("target_directory")
        .and_then(Value::as_str)
        .context("cargo metadata: no target_directory")?;
    Ok(PathBuf::from(dir))
}

/// One criterion measurement.
#[derive(Debug, Clone)]
struct Cell {
    /// Median time per iteration, ns.
    median: f64,
    /// Median absolute deviation of the time per iteration, ns.
    mad: f64,
    /// `Elements` throughput: units per iteration.
    units: f64,
}

impl Cell {
    fn per_unit(&self) -> f64 {
        self.median / self.units.max(1.0)
    }

    /// `median ± MAD` per unit, as the report's time cells show it.
    fn per_unit_with_spread(&self) -> String {
        format!(
            "{} ± {}",
            fmt_ns(self.per_unit()),
            fmt_ns(self.mad / self.units.max(1.0))
        )
    }
}

/// group → chunking → decoder → cell
type Results = BTreeMap<String, BTreeMap<String, BTreeMap<String, Cell>>>;

fn read_criterion(dir: &Path, since: Option<SystemTime>) -> Result<Results> {
    let mut found = Vec::new();
    find_new_dirs(dir, &mut found);
    let mut results = Results::new();
    for new in found {
        let est_path = new.join("estimates.json");
        if let Some(since) = since {
            let fresh = std::fs::metadata(&est_path)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= since);
            if !fresh {
                continue;
            }
        }
        let (Ok(bench), Ok(est)) = (
            std::fs::read(new.join("benchmark.json")),
            std::fs::read(&est_path),
        ) else {
            continue;
        };
        let bench: Value = serde_json::from_slice(&bench)?;
        let est: Value = serde_json::from_slice(&est)?;
        let group = bench.get("group_id").and_then(Value::as_str);
        let function = bench.get("function_id").and_then(Value::as_str);
        let value = bench.get("value_str").and_then(Value::as_str);
        let (Some(group), Some(function), Some(value)) = (group, function, value) else {
            continue;
        };
        if !(group.starts_with("sse/")
            || group.starts_with("json_array/")
            || group.starts_with("levels/"))
        {
            continue;
        }
        let units = bench
            .get("throughput")
            .and_then(|t| t.get("Elements"))
            .and_then(Value::as_f64)
            .unwrap_or(1.0);
        let point = |k: &str| {
            est.get(k)
                .and_then(|e| e.get("point_estimate"))
                .and_then(Value::as_f64)
        };
        let (Some(median), Some(mad)) = (point("median"), point("median_abs_dev")) else {
            continue;
        };
        let function = if group.starts_with("json_array/") && function == "ours" {
            "ours_json"
        } else {
            function
        };
        results
            .entry(group.to_owned())
            .or_default()
            .entry(value.to_owned())
            .or_default()
            .insert(function.to_owned(), Cell { median, mad, units });
    }
    Ok(results)
}

fn find_new_dirs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n == "new") {
                if p.join("benchmark.json").is_file() {
                    out.push(p);
                }
            } else {
                find_new_dirs(&p, out);
            }
        }
    }
}

/// What the bench binaries say about their groups and cells.
#[derive(Default)]
struct Meta {
    /// group → (unit, description, bytes)
    groups: BTreeMap<String, (String, String, u64)>,
    /// (group, chunking) → (units, bytes of input)
    cells: BTreeMap<(String, String), (u64, u64)>,
    /// (group, chunking, decoder) → why it was not run
    skipped: BTreeMap<(String, String, String), String>,
}

impl Meta {
    fn read(&mut self, path: &Path) -> Result<()> {
        let Ok(bytes) = std::fs::read(path) else {
            return Ok(());
        };
        let v: Value = serde_json::from_slice(&bytes)?;
        let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let n = |v: &Value, k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0);
        for g in v
            .get("groups")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.groups.insert(
                s(g, "group"),
                (s(g, "unit"), s(g, "description"), n(g, "bytes")),
            );
        }
        for c in v
            .get("cells")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = (s(c, "group"), s(c, "chunking"));
            if c.get("skipped").is_some() {
                self.skipped
                    .insert((key.0, key.1, s(c, "skipped")), s(c, "why"));
            } else {
                self.cells.insert(key, (n(c, "units"), n(c, "bytes")));
            }
        }
        Ok(())
    }
}

fn fmt_ns(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.1} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.2} µs", ns / 1e3)
    } else if ns < 1_000_000_000.0 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

fn baseline_of(group: &str) -> &'static str {
    if group.starts_with("json_array/") {
        "serde_json_stream"
    } else {
        "sse_stream"
    }
}

fn display_name(decoder: &str) -> &str {
    match decoder {
        "ours_json" => "ours",
        "sse_stream" => "sse-stream",
        "eventsource_stream" => "eventsource-stream",
        "serde_json_stream" => "serde_json StreamDeserializer",
        "serde_json_raw" => "serde_json Box<RawValue>",
        "l2_ours" => "L2 ours",
        "l2_sse_stream" => "L2 sse-stream",
        "l2_eventsource_stream" => "L2 eventsource-stream",
        "l3_ours" => "L3 ours",
        "l3_ours_assembled" => "L3 ours + assembler",
        d => d,
    }
}

fn group_order(group: &str) -> usize {
    const ORDER: [&str; 11] = [
        "sse/openai_chat",
        "sse/openai_chat_tools",
        "sse/openai_responses",
        "sse/anthropic",
        "sse/gemini_sse_crlf",
        "sse/gemini_sse_lf",
        "sse/gemini_sse_crlf_cut_after_cr",
        "json_array/gemini_array",
        "sse/huge_line_1mib",
        "sse/small_events_100k",
        "sse/keepalive_200k",
    ];
    ORDER
        .iter()
        .position(|g| *g == group)
        .unwrap_or(ORDER.len())
}

fn render(
    results: &Results,
    meta: &Meta,
    alloc: &[Value],
    paired: &Value,
    elapsed: Option<Duration>,
    bench_args: &[String],
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Benchmarks\n");
    let _ = writeln!(
        out,
        "Generated by `cargo xtask bench-report` (sources: `benches/`; design: WIRE.md §4.3). \
         Framing only (level L1): each decoder counts the events and `black_box`es the length of \
         each event's data; every decoder in a cell was checked to yield the same events with \
         byte-equal data before timing. Times are criterion's median ± MAD per unit (usually one \
         event); **ratio** is the decoder's time divided by the baseline's in the same cell \
         (sse-stream 0.3.0 for SSE, serde_json's `StreamDeserializer` with retry-on-EOF for the \
         JSON array): below 1 is faster. Only compare numbers within this run. The **Levels** \
         section adds L2 (framing + serde_json into the same borrowed typed struct for every \
         decoder) and L3 (ours: full provider semantics).\n"
    );
    machine(&mut out, elapsed, bench_args);
    targets(&mut out, results, meta, alloc);
    paired_targets(&mut out, paired);

    let mut groups: Vec<&String> = results
        .keys()
        .filter(|g| !g.starts_with("levels/"))
        .collect();
    groups.sort_by_key(|g| (group_order(g), (*g).clone()));
    let _ = writeln!(out, "## Time per unit\n");
    for group in groups {
        let rows = &results[group];
        let (unit, desc, bytes) = meta
            .groups
            .get(group)
            .cloned()
            .unwrap_or_else(|| ("event".to_owned(), String::new(), 0));
        let _ = writeln!(out, "### `{group}`\n");
        if !desc.is_empty() {
            let _ = writeln!(out, "{desc}; {bytes} bytes. Time per {unit}.\n");
        }
        let base = baseline_of(group);
        let present: Vec<&str> = COLUMNS
            .iter()
            .copied()
            .filter(|d| rows.values().any(|r| r.contains_key(*d)))
            .collect();
        let mut header = format!("| chunking | {unit}s |");
        let mut sep = String::from("|---:|---:|");
        for d in &present {
            let _ = write!(header, " {} |", display_name(d));
            sep.push_str("---:|");
        }
        for d in present.iter().filter(|d| **d != base) {
            let _ = write!(header, " {} ratio |", display_name(d));
            sep.push_str("---:|");
        }
        let _ = writeln!(out, "{header}\n{sep}");
        let mut notes = Vec::new();
        for row in ROWS {
            let Some(cells) = rows.get(row) else {
                continue;
            };
            let units = cells.values().next().map_or(0.0, |c| c.units);
            let mut line = format!("| {row} | {units} |");
            for d in &present {
                match cells.get(*d) {
                    Some(c) => {
                        let _ = write!(line, " {} |", c.per_unit_with_spread());
                    }
                    None => {
                        let why =
                            meta.skipped
                                .get(&(group.clone(), row.to_owned(), (*d).to_owned()));
                        if let Some(why) = why {
                            notes.push(format!("{} at {row}: not run ({why})", display_name(d)));
                        }
                        line.push_str(" n/a |");
                    }
                }
            }
            for d in present.iter().filter(|d| **d != base) {
                match (cells.get(*d), cells.get(base)) {
                    (Some(c), Some(b)) => {
                        let _ = write!(line, " {:.2} |", c.median / b.median);
                    }
                    _ => line.push_str(" n/a |"),
                }
            }
            let _ = writeln!(out, "{line}");
        }
        if let Some((units, bytes)) = meta.cells.get(&(group.clone(), "1".to_owned()))
            && *bytes < meta.groups.get(group).map_or(0, |g| g.2)
        {
            notes.push(format!(
                "the 1-byte row runs on a shorter input, to keep the slow peers' cells short: \
                 {bytes} bytes, {units} {unit}s (the first ≤ 64 KiB, cut at a boundary)"
            ));
        }
        if !notes.is_empty() {
            let _ = writeln!(out);
            for n in notes {
                let _ = writeln!(out, "- {n}");
            }
        }
        let _ = writeln!(out);
    }
    levels(&mut out, results, meta);
    alloc_table(&mut out, alloc);
    out
}

fn level_order(group: &str) -> usize {
    const ORDER: [&str; 4] = [
        "levels/openai_chat",
        "levels/openai_responses",
        "levels/anthropic",
        "levels/gemini_sse_crlf",
    ];
    ORDER
        .iter()
        .position(|g| *g == group)
        .unwrap_or(ORDER.len())
}

/// The `levels/<corpus>` groups: one table per corpus, rows are chunkings, columns the time per
/// event of each L2 decoder and of ours at L3, then ours at L1 (the `sse/<corpus>` cell, for
/// context) and the ratios L3 / L2 (ours).
fn levels(out: &mut String, results: &Results, meta: &Meta) {
    let mut groups: Vec<&String> = results
        .keys()
        .filter(|g| g.starts_with("levels/"))
        .collect();
    if groups.is_empty() {
        return;
    }
    groups.sort_by_key(|g| (level_order(g), (*g).clone()));
    let _ = writeln!(out, "## Levels\n");
    let _ = writeln!(
        out,
        "WIRE.md §4.3 levels, from the `levels` bench binary. **L2**: framing, `[DONE]` skipped, \
         then `serde_json::from_str` of each event's data into the same borrowed typed struct \
         (per corpus: the text fields, `id` / `type` / `finish_reason`; strings are `Cow` and \
         borrow when they have no escapes) for every decoder; before timing, all L2 decoders were \
         checked to parse the same number of events with the same total text length, and L3 to \
         see the same text bytes. **L3**: ours only — `ResponseDecoder` (framing + the \
         transport decoder, full provider semantics) with a sink that `black_box`es the fragment \
         lengths; **+ assembler** also folds every event into a `MessageAssembler`. Time per SSE \
         event (`[DONE]` included, the same unit as the L1 tables); **L1 ours** is the \
         `sse/<corpus>` cell of the same chunking, for context.\n"
    );
    for group in groups {
        let rows = &results[group];
        let corpus = group.trim_start_matches("levels/");
        let l1_group = format!("sse/{corpus}");
        let (_, desc, bytes) = meta
            .groups
            .get(group)
            .cloned()
            .unwrap_or_else(|| ("event".to_owned(), String::new(), 0));
        let _ = writeln!(out, "### `{group}`\n");
        if !desc.is_empty() {
            let _ = writeln!(out, "{desc}; {bytes} bytes. Time per event.\n");
        }
        let present: Vec<&str> = LEVEL_COLUMNS
            .iter()
            .copied()
            .filter(|d| rows.values().any(|r| r.contains_key(*d)))
            .collect();
        let mut header = String::from("| chunking | events |");
        let mut sep = String::from("|---:|---:|");
        for d in &present {
            let _ = write!(header, " {} |", display_name(d));
            sep.push_str("---:|");
        }
        header.push_str(" L1 ours | L3 / L2 (ours) | L3 + assembler / L2 (ours) |");
        sep.push_str("---:|---:|---:|");
        let _ = writeln!(out, "{header}\n{sep}");
        for row in ROWS {
            let Some(cells) = rows.get(row) else {
                continue;
            };
            let units = cells.values().next().map_or(0.0, |c| c.units);
            let mut line = format!("| {row} | {units} |");
            for d in &present {
                match cells.get(*d) {
                    Some(c) => {
                        let _ = write!(line, " {} |", c.per_unit_with_spread());
                    }
                    None => line.push_str(" n/a |"),
                }
            }
            match get(results, &l1_group, row, "ours") {
                Some(c) => {
                    let _ = write!(line, " {} |", fmt_ns(c.per_unit()));
                }
                None => line.push_str(" n/a |"),
            }
            for l3 in ["l3_ours", "l3_ours_assembled"] {
                match (cells.get(l3), cells.get("l2_ours")) {
                    (Some(c), Some(b)) => {
                        let _ = write!(line, " {:.2} |", c.median / b.median);
                    }
                    _ => line.push_str(" n/a |"),
                }
            }
            let _ = writeln!(out, "{line}");
        }
        let _ = writeln!(out);
    }
}

fn machine(out: &mut String, elapsed: Option<Duration>, bench_args: &[String]) {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned());
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    let rustc = Command::new("rustc")
        .arg("-V")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(String::new(), |kb| {
            format!("{:.0} GiB", kb as f64 / 1048576.0)
        });
    let _ = writeln!(out, "## Machine\n");
    let _ = writeln!(out, "- CPU: {cpu} ({nproc} logical CPUs available)");
    if !mem.is_empty() {
        let _ = writeln!(out, "- memory: {mem}");
    }
    let _ = writeln!(out, "- Linux {kernel}; {rustc}");
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let load: Vec<&str> = load.split_whitespace().take(3).collect();
        let _ = writeln!(
            out,
            "- load average when the report was written (1/5/15 min): {} — the machine is shared \
             with other builds, so absolute times are noisy; ratios within one run are what count",
            load.join(" / ")
        );
    }
    let _ = writeln!(
        out,
        "- build: `cargo bench` profile (release, thin LTO, codegen-units = 1), default target CPU"
    );
    let settings = if bench_args.is_empty() {
        "warm-up 1 s, measurement 2 s, 20 samples (10 for the 1 MiB line)".to_owned()
    } else {
        format!(
            "in-code defaults (warm-up 1 s, measurement 2 s, 20 samples) overridden by `{}`",
            bench_args.join(" ")
        )
    };
    let _ = writeln!(
        out,
        "- criterion: {settings}; single-threaded, `futures_executor::block_on`"
    );
    if let Some(e) = elapsed {
        let _ = writeln!(
            out,
            "- whole `cargo bench -p clawrouter-benches` run (build included): {:.1} min",
            e.as_secs_f64() / 60.0
        );
    }
    let _ = writeln!(out);
}

fn get<'a>(r: &'a Results, g: &str, row: &str, d: &str) -> Option<&'a Cell> {
    r.get(g)?.get(row)?.get(d)
}

/// The "met" column.
fn met_cell(met: bool) -> &'static str {
    if met { "yes" } else { "**no**" }
}

/// The eventsource-stream row: speed-ups (eventsource time ÷ ours) per corpus at 1460 B.
fn eventsource_row(out: &mut String, mut speedups: Vec<(f64, String)>) {
    if speedups.is_empty() {
        return;
    }
    speedups.sort_by(|a, b| a.0.total_cmp(&b.0));
    let met = speedups.iter().filter(|s| s.0 >= 10.0).count();
    let list = speedups
        .iter()
        .map(|(s, g)| format!("{g} {s:.1}×"))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(
        out,
        "| ≥ 10× faster than eventsource-stream at 1460 B (ours) | {met}/{} corpora: {list} | {} |",
        speedups.len(),
        met_cell(met == speedups.len())
    );
}

/// A JSON-array row: speed-ups (baseline time ÷ ours) per chunking against `what`.
fn json_row(out: &mut String, what: &str, speedups: &[(f64, String)]) {
    if speedups.is_empty() {
        return;
    }
    let list = speedups
        .iter()
        .map(|(s, row)| format!("{row}: {s:.1}×"))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(
        out,
        "| JSON-array splitter ≥ 5× faster than serde_json `StreamDeserializer` ({what}) | speed-up per chunking: {list} | {} |",
        met_cell(speedups.iter().all(|s| s.0 >= 5.0))
    );
}

/// The levels row: L3 ÷ L2 per corpus and chunking.
fn levels_row(out: &mut String, ratios: &[(f64, String)]) {
    if ratios.is_empty() {
        return;
    }
    let met = ratios.iter().filter(|x| x.0 <= 1.3).count();
    let list = ratios
        .iter()
        .map(|(x, c)| format!("{c} {x:.2}×"))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(
        out,
        "| L3 ≤ 1.3× our L2 (per event, same corpus and chunking) | {met}/{} cells: {list} | {} |",
        ratios.len(),
        met_cell(met == ratios.len())
    );
}

/// One pair of the `paired` bench: `decoder`'s time over `baseline`'s, median of the rounds.
struct Pair<'a> {
    group: &'a str,
    chunking: &'a str,
    decoder: &'a str,
    baseline: &'a str,
    ratio: f64,
    low: f64,
    high: f64,
}

fn pairs(paired: &Value) -> Vec<Pair<'_>> {
    let Some(list) = paired.get("pairs").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|p| {
            let s = |k: &str| p.get(k).and_then(Value::as_str);
            let f = |k: &str| p.get(k).and_then(Value::as_f64);
            Some(Pair {
                group: s("group")?,
                chunking: s("chunking")?,
                decoder: s("decoder")?,
                baseline: s("baseline")?,
                ratio: f("ratio")?,
                low: f("low")?,
                high: f("high")?,
            })
        })
        .collect()
}

/// The comparison targets again, judged on the `paired` bench's interleaved ratios, which the
/// machine's drift between criterion's separate measurements does not move.
fn paired_targets(out: &mut String, paired: &Value) {
    let all = pairs(paired);
    if all.is_empty() {
        return;
    }
    let rounds = paired.get("rounds").and_then(Value::as_u64).unwrap_or(0);
    let processes = paired.get("processes").and_then(Value::as_u64).unwrap_or(1);
    let per_side = paired
        .get("per_side_ms")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let _ = writeln!(out, "### Comparison targets, paired measurement\n");
    let _ = writeln!(
        out,
        "From the `paired` bench: the two decoders of a comparison run in alternation on the same \
         input ({rounds} rounds of about {per_side} ms a side, A B B A …), each round giving the \
         ratio of their times per iteration, and the median round is the process's ratio; the \
         suite runs in {processes} processes (code and heap placement differ between processes \
         and move a ratio by a few per cent), and shown is the median of their ratios \
         [lowest–highest]. Drift of the shared machine hits both sides of a round alike, so \
         these ratios hold to a few per cent, where the criterion ratios above (decoders timed \
         seconds apart) move by up to ±20 %. Where the two disagree, this is the measurement \
         of record.\n"
    );
    let _ = writeln!(out, "| target | result | met |");
    let _ = writeln!(out, "|---|---|---|");
    let select = |decoder: &str, baseline: &str, prefix: &str| -> Vec<&Pair<'_>> {
        all.iter()
            .filter(|p| {
                p.decoder == decoder && p.baseline == baseline && p.group.starts_with(prefix)
            })
            .collect()
    };
    let cell = |p: &Pair<'_>| format!("{} @ {}", p.group, p.chunking);
    let range = |p: &Pair<'_>| format!("{:.3} [{:.3}–{:.3}]", p.ratio, p.low, p.high);

    for ours in ["ours", "ours_stream"] {
        let cells = select(ours, "sse_stream", "sse/");
        if cells.is_empty() {
            continue;
        }
        let met = cells.iter().filter(|p| p.ratio <= 1.0).count();
        let worst = cells.iter().max_by(|a, b| a.ratio.total_cmp(&b.ratio));
        let over = cells
            .iter()
            .filter(|p| p.ratio > 1.0)
            .map(|p| format!("{} {}", cell(p), range(p)))
            .collect::<Vec<_>>();
        let detail = if over.is_empty() {
            worst.map_or(String::new(), |w| {
                format!("; worst {} {}", cell(w), range(w))
            })
        } else {
            format!("; above 1: {}", over.join(", "))
        };
        let _ = writeln!(
            out,
            "| {ours} ≤ sse-stream in every SSE cell (time ratio) | {met}/{} cells{detail} | {} |",
            cells.len(),
            met_cell(met == cells.len())
        );
    }

    let speedups = select("ours", "eventsource_stream", "sse/")
        .iter()
        .filter(|p| p.chunking == "1460")
        .map(|p| (1.0 / p.ratio, p.group.trim_start_matches("sse/").to_owned()))
        .collect();
    eventsource_row(out, speedups);
    let json: Vec<(f64, String)> = select("ours_json", "serde_json_stream", "json_array/")
        .iter()
        .map(|p| (1.0 / p.ratio, p.chunking.to_owned()))
        .collect();
    json_row(out, "`IgnoredAny`", &json);
    let levels: Vec<(f64, String)> = select("l3_ours", "l2_ours", "levels/")
        .iter()
        .map(|p| {
            let corpus = p.group.trim_start_matches("levels/");
            (p.ratio, format!("{corpus} @ {}", p.chunking))
        })
        .collect();
    levels_row(out, &levels);
    let _ = writeln!(out);
}

fn targets(out: &mut String, r: &Results, meta: &Meta, alloc: &[Value]) {
    let _ = writeln!(out, "## Targets\n");
    let _ = writeln!(
        out,
        "From the criterion timings below (each decoder timed on its own); the comparison \
         targets are measured again, paired, in the next table.\n"
    );
    let _ = writeln!(out, "| target | result | met |");
    let _ = writeln!(out, "|---|---|---|");

    // 1. ns/event at or below sse-stream in every corpus × chunking cell.
    for ours in ["ours", "ours_stream"] {
        let mut total = 0;
        let mut met = 0;
        let mut worst: Option<(f64, String)> = None;
        for (g, rows) in r.iter().filter(|(g, _)| g.starts_with("sse/")) {
            for (row, cells) in rows {
                if let (Some(o), Some(s)) = (cells.get(ours), cells.get("sse_stream")) {
                    total += 1;
                    let ratio = o.median / s.median;
                    if ratio <= 1.0 {
                        met += 1;
                    }
                    if worst.as_ref().is_none_or(|w| ratio > w.0) {
                        worst = Some((ratio, format!("{g} @ {row}")));
                    }
                }
            }
        }
        if total > 0 {
            let (w, wc) = worst.unwrap_or_default();
            let _ = writeln!(
                out,
                "| {ours} ≤ sse-stream in every SSE cell | {met}/{total} cells; worst ratio {w:.2} ({wc}) | {} |",
                met_cell(met == total)
            );
        }
    }

    // 2. ≥10× faster than eventsource-stream at 1460-byte chunks.
    let mut speedups = Vec::new();
    for (g, rows) in r.iter().filter(|(g, _)| g.starts_with("sse/")) {
        if let Some(cells) = rows.get("1460")
            && let (Some(o), Some(e)) = (cells.get("ours"), cells.get("eventsource_stream"))
        {
            speedups.push((e.median / o.median, g.trim_start_matches("sse/").to_owned()));
        }
    }
    eventsource_row(out, speedups);

    // 3. ≤ 40 ns/event on OpenAI-shaped streams at 1460 B.
    for g in ["sse/openai_chat", "sse/openai_chat_tools"] {
        if let Some(c) = get(r, g, "1460", "ours") {
            let sse = get(r, g, "1460", "sse_stream")
                .map(|s| format!(" (sse-stream ratio {:.2})", c.median / s.median))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| aim ≤ 40 ns/event, `{g}` @ 1460 B | {}{sse} | {} |",
                fmt_ns(c.per_unit()),
                met_cell(c.per_unit() <= 40.0)
            );
        }
    }

    // 4. 0 allocations per single-line event in steady state (ours, sans-IO core).
    let ours_rows: Vec<&Value> = alloc
        .iter()
        .filter(|a| a.get("decoder").and_then(Value::as_str) == Some("ours"))
        .filter(|a| {
            a.get("group")
                .and_then(Value::as_str)
                .is_some_and(|g| g.starts_with("sse/"))
        })
        .collect();
    if !ours_rows.is_empty() {
        let max = ours_rows
            .iter()
            .filter_map(|a| a.get("steady_allocs_per_event").and_then(Value::as_f64))
            .fold(0.0_f64, f64::max);
        let _ = writeln!(
            out,
            "| 0 allocations per single-line event, steady state (ours) | max {max:.4} allocs/event over {} corpus × chunking rows | {} |",
            ours_rows.len(),
            met_cell(max == 0.0)
        );
    }

    // 5. 1 MiB line fed 1 byte at a time within 3× of feeding it whole.
    if let (Some(one), Some(whole)) = (
        get(r, "sse/huge_line_1mib", "1", "ours"),
        get(r, "sse/huge_line_1mib", "whole", "ours"),
    ) {
        let ratio = one.median / whole.median;
        let _ = writeln!(
            out,
            "| 1 MiB line, 1-byte chunks within 3× of whole (ours) | {ratio:.2}× ({:.2} ns/byte vs {:.3} ns/byte) | {} |",
            one.median / f64::from(1u32 << 20),
            whole.median / f64::from(1u32 << 20),
            met_cell(ratio <= 3.0)
        );
        // Context: the per-byte cost of one-byte feeding does not depend on the line length.
        let small = ["sse/openai_chat", "sse/small_events_100k"]
            .iter()
            .filter_map(|g| {
                let c = get(r, g, "1", "ours")?;
                let (_, bytes) = meta.cells.get(&((*g).to_owned(), "1".to_owned()))?;
                Some(format!(
                    "{} {:.2} ns/byte",
                    g.trim_start_matches("sse/"),
                    c.median / (*bytes).max(1) as f64
                ))
            })
            .collect::<Vec<_>>();
        if !small.is_empty() {
            let _ = writeln!(
                out,
                "| (context) per-byte cost of ours fed 1 byte at a time | 1 MiB line {:.2} ns/byte; {} (similar values mean one-byte feeding is a per-call cost, not a rescan) | — |",
                one.median / f64::from(1u32 << 20),
                small.join(", ")
            );
        }
    }

    // 6. JSON-array splitter ≥ 5× faster than serde_json StreamDeserializer.
    if let Some(rows) = r.get("json_array/gemini_array") {
        for (base, what) in [
            ("serde_json_stream", "`IgnoredAny`, the fair baseline"),
            ("serde_json_raw", "`Box<RawValue>`, for context"),
        ] {
            let mut speedups = Vec::new();
            for row in ROWS {
                if let Some(cells) = rows.get(row)
                    && let (Some(o), Some(s)) = (cells.get("ours_json"), cells.get(base))
                {
                    speedups.push((s.median / o.median, row.to_owned()));
                }
            }
            json_row(out, what, &speedups);
        }
    }

    // 7. L3 per event no more than 1.3× our own L2 on the same corpus.
    let mut ratios = Vec::new();
    for (g, rows) in r.iter().filter(|(g, _)| g.starts_with("levels/")) {
        for row in ROWS {
            if let Some(cells) = rows.get(row)
                && let (Some(l3), Some(l2)) = (cells.get("l3_ours"), cells.get("l2_ours"))
            {
                ratios.push((
                    l3.median / l2.median,
                    format!("{} @ {row}", g.trim_start_matches("levels/")),
                ));
            }
        }
    }
    levels_row(out, &ratios);

    // 8. Text deltas: at most 1 allocation each, 0 when the JSON has no escapes. Met when every
    // L3 row's steady pass allocates at most once per escaped text delta (everything else in the
    // pass is charged to them, so this is an upper bound).
    let text_rows: Vec<&Value> = alloc
        .iter()
        .filter(|a| a.get("text_deltas").is_some())
        .collect();
    if !text_rows.is_empty() {
        let mut met = true;
        let mut parts = Vec::new();
        for a in &text_rows {
            let s = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or("");
            let n = |k: &str| a.get(k).and_then(Value::as_u64).unwrap_or(0);
            let per_delta = a
                .get("steady_allocs_per_text_delta")
                .and_then(Value::as_f64)
                .unwrap_or(f64::NAN);
            let deltas = n("text_deltas");
            let escaped = n("escaped_text_deltas");
            let allocs = (per_delta * deltas as f64).round();
            met &= allocs <= escaped as f64;
            parts.push(format!(
                "{} @ {}: {per_delta:.3}/delta ({escaped}/{deltas} escaped)",
                s("group").trim_start_matches("levels/"),
                s("chunking")
            ));
        }
        let _ = writeln!(
            out,
            "| text-delta allocations ≤ 1 (0 without escapes), L3 ours, steady state | {} | {} |",
            parts.join("; "),
            met_cell(met)
        );
    }
    let _ = writeln!(out);
}

fn alloc_table(out: &mut String, alloc: &[Value]) {
    if alloc.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Allocations\n");
    let _ = writeln!(
        out,
        "From the `alloc` bench binary (a counting `#[global_allocator]`). **steady**: the body is \
         fed twice through one decoder and only the second pass is counted; **cold**: one fresh \
         decoder, construction included; **peak**: largest heap growth during the cold run. \
         Allocations count `alloc` + `realloc` calls.\n"
    );
    let _ = writeln!(
        out,
        "| corpus | chunking | decoder | events | steady allocs/event | steady bytes/event | cold allocs/event | peak heap |"
    );
    let _ = writeln!(out, "|---|---:|---|---:|---:|---:|---:|---:|");
    for a in alloc {
        let s = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or("");
        let f = |k: &str| a.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN);
        let n = |k: &str| a.get(k).and_then(Value::as_u64).unwrap_or(0);
        let peak = n("peak_heap_bytes");
        let peak = if peak >= 1 << 20 {
            format!("{:.2} MiB", peak as f64 / f64::from(1u32 << 20))
        } else {
            format!("{:.1} KiB", peak as f64 / 1024.0)
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {:.3} | {:.1} | {:.3} | {} |",
            s("group"),
            s("chunking"),
            display_name(s("decoder")),
            n("events"),
            f("steady_allocs_per_event"),
            f("steady_bytes_per_event"),
            f("cold_allocs_per_event"),
            peak
        );
    }
    let _ = writeln!(out);
    let text_rows: Vec<&Value> = alloc
        .iter()
        .filter(|a| a.get("text_deltas").is_some())
        .collect();
    if text_rows.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "Text deltas at L3 (ours: `ResponseDecoder`, OpenAI chat, a sink that does not allocate; \
         `levels/…` rows above). The steady pass is the whole body after the body with its \
         `[DONE]` replaced by a comment of the same length; **escaped**: text deltas whose JSON string had an escape (`Cow::Owned`); \
         **allocs/text delta**: all allocations of the steady pass divided by its text deltas.\n"
    );
    let _ = writeln!(
        out,
        "| corpus | chunking | text deltas | escaped | steady allocs/text delta |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|");
    for a in text_rows {
        let s = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or("");
        let n = |k: &str| a.get(k).and_then(Value::as_u64).unwrap_or(0);
        let f = |k: &str| a.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN);
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {:.3} |",
            s("group"),
            s("chunking"),
            n("text_deltas"),
            n("escaped_text_deltas"),
            f("steady_allocs_per_text_delta")
        );
    }
    let _ = writeln!(out);
}
