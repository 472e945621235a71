//! `cargo xtask fuzz [SECONDS]` and the fuzz steps of `cargo xtask ci`.
//!
//! The fuzz crate (`fuzz/`) is its own workspace. cargo-fuzz passes nightly-only flags
//! (`-Zsanitizer=address`, …); CI has only the stable toolchain, so every cargo-fuzz command runs
//! with `RUSTC_BOOTSTRAP=1`, which lets the stable compiler accept them (the sanitizer runtimes
//! ship in the stable sysroot too).

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::{cargo_with, elapsed, ensure_cargo_subcommand, output_of, run_logged, workspace_root};

/// Seconds per target when `cargo xtask fuzz` gets no argument.
const DEFAULT_SECONDS: u64 = 60;

/// Throwaway corpus of the CI smoke run, relative to `fuzz/` (inside the gitignored `target/`).
const SMOKE_CORPUS: &str = "target/smoke-corpus";

fn fuzz_dir() -> PathBuf {
    workspace_root().join("fuzz")
}

/// `cargo fuzz <args>` in `fuzz/`, with `RUSTC_BOOTSTRAP=1`.
fn cargo_fuzz(args: &[&str]) -> Command {
    let mut command = cargo_with(["fuzz"]);
    command
        .args(args)
        .current_dir(fuzz_dir())
        .env("RUSTC_BOOTSTRAP", "1");
    command
}

/// Installs cargo-fuzz if needed.
pub fn ensure_cargo_fuzz() -> Result<()> {
    ensure_cargo_subcommand("fuzz", "cargo-fuzz")
}

/// Builds every fuzz target (release, debug assertions, AddressSanitizer: cargo-fuzz defaults).
pub fn build() -> Result<()> {
    ensure_cargo_fuzz()?;
    run_logged(&mut cargo_fuzz(&["build"]))
}

/// The fuzz targets, as `cargo fuzz list` reports them.
pub fn targets() -> Result<Vec<String>> {
    let listing = output_of(&mut cargo_fuzz(&["list"]))?;
    let targets: Vec<String> = listing
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect();
    if targets.is_empty() {
        bail!(
            "`cargo fuzz list` found no fuzz targets in {}",
            fuzz_dir().display()
        );
    }
    Ok(targets)
}

/// The libFuzzer dictionary of a target (`fuzz/dicts/`), by target-name prefix.
fn dictionary(target: &str) -> Option<&'static str> {
    let dict = if target.starts_with("sse") {
        "dicts/sse.dict"
    } else if target.starts_with("json_array") {
        "dicts/json_array.dict"
    } else {
        return None;
    };
    fuzz_dir().join(dict).is_file().then_some(dict)
}

/// Runs one target with the given libFuzzer arguments, on a working corpus directory (new
/// inputs go there: `corpus/<target>` or `target/smoke-corpus/<target>` under `fuzz/`, both
/// gitignored) plus its committed seeds (`fuzz/seeds/<target>`).
fn run_target(target: &str, corpus_dir: &str, libfuzzer_args: &[String]) -> Result<()> {
    let corpus_arg = format!("{corpus_dir}/{target}");
    let corpus = fuzz_dir().join(&corpus_arg);
    std::fs::create_dir_all(&corpus).with_context(|| format!("creating {}", corpus.display()))?;
    let seeds_arg = format!("seeds/{target}");
    let mut args = vec!["run", target, corpus_arg.as_str()];
    if fuzz_dir().join(&seeds_arg).is_dir() {
        args.push(seeds_arg.as_str());
    }
    args.push("--");
    let dict_arg = dictionary(target).map(|dict| format!("-dict={dict}"));
    if let Some(dict_arg) = &dict_arg {
        args.push(dict_arg.as_str());
    }
    args.extend(libfuzzer_args.iter().map(String::as_str));
    run_logged(&mut cargo_fuzz(&args)).with_context(|| {
        format!(
            "fuzz target `{target}` failed; the crashing input is under fuzz/artifacts/{target}/ \
             (reproduce with `RUSTC_BOOTSTRAP=1 cargo fuzz run {target} <file>` in fuzz/)"
        )
    })
}

/// Upper bound on each target's smoke run, in seconds.
const SMOKE_SECONDS: u64 = 20;

/// A short run of every target: `runs` inputs each, after the seeds. The random seed is fixed
/// so that CI runs the same inputs every time (a CI failure is a reproducible one); longer,
/// randomly seeded runs are `cargo xtask fuzz`'s job.
pub fn smoke(runs: u64) -> Result<()> {
    // Start from the seeds alone, not from whatever a local `cargo xtask fuzz` accumulated.
    let smoke_corpus = fuzz_dir().join(SMOKE_CORPUS);
    if smoke_corpus.exists() {
        std::fs::remove_dir_all(&smoke_corpus)
            .with_context(|| format!("clearing {}", smoke_corpus.display()))?;
    }
    for target in targets()? {
        let start = Instant::now();
        run_target(
            &target,
            SMOKE_CORPUS,
            // Bounded in time too: the transport targets replay each input three times, one
            // byte at a time included, and must not stretch CI.
            &[
                format!("-runs={runs}"),
                "-seed=1".to_owned(),
                format!("-max_total_time={SMOKE_SECONDS}"),
            ],
        )?;
        println!(
            "xtask: fuzz smoke `{target}`: ok, up to {runs} runs or {SMOKE_SECONDS}s ({})",
            elapsed(start)
        );
    }
    Ok(())
}

/// `cargo xtask fuzz [SECONDS]`.
pub fn run(args: &[String]) -> Result<()> {
    let seconds = match args {
        [] => DEFAULT_SECONDS,
        [seconds] => seconds
            .parse()
            .with_context(|| format!("SECONDS must be a whole number, not `{seconds}`"))?,
        _ => bail!("usage: cargo xtask fuzz [SECONDS]"),
    };
    build()?;
    let targets = targets()?;
    for target in &targets {
        let start = Instant::now();
        println!("xtask: fuzzing `{target}` for {seconds}s");
        run_target(target, "corpus", &[format!("-max_total_time={seconds}")])?;
        println!("xtask: fuzz `{target}`: no crash in {}", elapsed(start));
    }
    println!(
        "fuzz: {} targets ran {seconds}s each without a crash",
        targets.len()
    );
    Ok(())
}
