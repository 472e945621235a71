//! `cargo xtask ci`: every check CI runs, in order, stopping at the first failure.

use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::{
    cargo_with, display, elapsed, ensure_cargo_subcommand, fuzz, has_cargo_subcommand, output_of,
    run_logged,
};

/// Library crates that must stay free of the async runtime and the HTTP stack
/// (ARCHITECTURE.md): checked by [`layering`] when they exist in the workspace.
const PURE_CRATES: &[&str] = &["clawrouter-wire", "clawrouter-catalog", "clawrouter-policy"];

/// Crates none of [`PURE_CRATES`] may depend on, directly or not.
const FORBIDDEN: &[&str] = &["tokio", "reqwest", "hyper"];

/// Inputs per fuzz target in the CI smoke run (after the seeds).
const FUZZ_SMOKE_RUNS: u64 = 10_000;

struct Step {
    name: &'static str,
    action: fn() -> Result<()>,
}

fn step(name: &'static str, action: fn() -> Result<()>) -> Step {
    Step { name, action }
}

const USAGE: &str = "usage: cargo xtask ci [--skip STEP]...
steps: fmt clippy tests doctests deny layering benches fuzz-build fuzz-smoke";

/// `cargo xtask ci [--skip STEP]...`. CI runs every step; `--skip` is for local runs only.
pub fn run(args: &[String]) -> Result<()> {
    let steps = [
        step("fmt", fmt),
        step("clippy", clippy),
        step("tests", tests),
        step("doctests", doctests),
        step("deny", deny),
        step("layering", layering),
        step("benches", benches),
        step("fuzz-build", fuzz_build),
        step("fuzz-smoke", fuzz_smoke),
    ];
    let mut skip: Vec<&str> = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match (arg.as_str(), rest.next()) {
            ("--skip", Some(name)) if steps.iter().any(|step| step.name == name) => {
                skip.push(name);
            }
            _ => bail!("{USAGE}"),
        }
    }
    let total = steps.len();
    let start = Instant::now();
    let mut passed = 0;
    for (index, step) in steps.iter().enumerate() {
        let number = index + 1;
        if skip.contains(&step.name) {
            println!("ci: [{number}/{total}] {} skipped (--skip)", step.name);
            continue;
        }
        println!("ci: [{number}/{total}] {} ...", step.name);
        let step_start = Instant::now();
        match (step.action)() {
            Ok(()) => {
                passed += 1;
                println!(
                    "ci: [{number}/{total}] {} ok ({})",
                    step.name,
                    elapsed(step_start)
                );
            }
            Err(error) => {
                println!(
                    "ci: [{number}/{total}] {} FAILED after {}",
                    step.name,
                    elapsed(step_start)
                );
                return Err(error.context(format!("ci step `{}` failed", step.name)));
            }
        }
    }
    if skip.is_empty() {
        println!("ci: {passed} steps passed in {}", elapsed(start));
    } else {
        println!(
            "ci: {passed} steps passed in {}, {} skipped ({})",
            elapsed(start),
            skip.len(),
            skip.join(", ")
        );
    }
    Ok(())
}

/// Prints the command, then runs it.
fn cargo_step(args: &[&str]) -> Result<()> {
    run_logged(&mut cargo_with(args))
}

fn fmt() -> Result<()> {
    cargo_step(&["fmt", "--all", "--check"])
}

fn clippy() -> Result<()> {
    cargo_step(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ])
}

/// cargo-nextest when installed, else `cargo test`. nextest does not run doctests: see
/// [`doctests`].
fn tests() -> Result<()> {
    if has_cargo_subcommand("nextest") {
        cargo_step(&["nextest", "run", "--workspace", "--all-features"])
    } else {
        println!("ci: cargo-nextest not found, using cargo test");
        cargo_step(&["test", "--workspace", "--all-features"])
    }
}

fn doctests() -> Result<()> {
    cargo_step(&["test", "--workspace", "--doc", "--all-features"])
}

fn deny() -> Result<()> {
    ensure_cargo_subcommand("deny", "cargo-deny")?;
    cargo_step(&["deny", "check", "bans", "licenses", "sources"])
}

/// Workspace package names, from `cargo metadata`.
fn workspace_packages() -> Result<Vec<String>> {
    let json = output_of(&mut cargo_with([
        "metadata",
        "--no-deps",
        "--format-version",
        "1",
    ]))?;
    let metadata: serde_json::Value =
        serde_json::from_str(&json).context("parsing `cargo metadata` output")?;
    let packages = metadata
        .get("packages")
        .and_then(serde_json::Value::as_array)
        .context("`cargo metadata` output has no `packages` array")?;
    Ok(packages
        .iter()
        .filter_map(|package| package.get("name")?.as_str().map(str::to_owned))
        .collect())
}

/// The lines of `cargo tree` naming a forbidden crate (`tokio v1.0.0 …`).
fn forbidden_lines(tree: &str) -> Vec<&str> {
    tree.lines()
        .map(str::trim_start)
        .filter(|line| {
            FORBIDDEN.iter().any(|name| {
                line.strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with(' '))
            })
        })
        .collect()
}

/// No tokio, reqwest or hyper in the normal dependency tree of the pure library crates, for
/// every target platform, with default and with all features.
fn layering() -> Result<()> {
    let packages = workspace_packages()?;
    let mut checked = 0;
    let mut violations = Vec::new();
    for krate in PURE_CRATES {
        if !packages.iter().any(|package| package == krate) {
            println!("ci: layering: {krate} is not in the workspace yet, skipped");
            continue;
        }
        for features in [&[][..], &["--all-features"][..]] {
            let mut args = vec![
                "tree", "-e", "normal", "-p", krate, "--prefix", "none", "--target", "all",
            ];
            args.extend_from_slice(features);
            let mut command = cargo_with(&args);
            println!("xtask: $ {}", display(&command));
            let tree = output_of(&mut command)?;
            let found = forbidden_lines(&tree);
            let mut unique: Vec<&str> = Vec::new();
            for line in found {
                if !unique.contains(&line) {
                    unique.push(line);
                }
            }
            for line in unique {
                let feature_set = if features.is_empty() {
                    "default features"
                } else {
                    "all features"
                };
                violations.push(format!("{krate} ({feature_set}) depends on {line}"));
            }
        }
        checked += 1;
    }
    if !violations.is_empty() {
        bail!(
            "layering violated: the pure library crates must not depend on {}:\n  {}",
            FORBIDDEN.join(", "),
            violations.join("\n  ")
        );
    }
    println!(
        "ci: layering: {checked} crate(s) free of {}",
        FORBIDDEN.join(", ")
    );
    Ok(())
}

/// The benches must build; CI does not run them. The bench profile's thin LTO with one codegen
/// unit is for measuring and costs minutes per bench binary on 2 cores, so this build uses
/// cheaper codegen settings: what it checks (the benches compile and link) does not depend on them.
fn benches() -> Result<()> {
    let mut command = cargo_with(["bench", "--package", "clawrouter-benches", "--no-run"]);
    command
        .env("CARGO_PROFILE_BENCH_LTO", "false")
        .env("CARGO_PROFILE_BENCH_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_BENCH_DEBUG", "0");
    run_logged(&mut command)
}

fn fuzz_build() -> Result<()> {
    fuzz::build()
}

fn fuzz_smoke() -> Result<()> {
    fuzz::smoke(FUZZ_SMOKE_RUNS)
}

#[cfg(test)]
mod tests {
    use super::forbidden_lines;

    #[test]
    fn finds_forbidden_crates_only_by_exact_name() {
        let tree = "clawrouter-wire v0.1.0 (/w)\nmemchr v2.8.0\ntokio v1.40.0\n\
                    tokio-util v0.7.0\nhyper v1.0.0 (*)\nhyper-util v0.1.0\nreqwest v0.12.0\n";
        assert_eq!(
            forbidden_lines(tree),
            ["tokio v1.40.0", "hyper v1.0.0 (*)", "reqwest v0.12.0"]
        );
    }
}
