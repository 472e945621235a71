//! Project automation, run as `cargo xtask <command>` (alias in `.cargo/config.toml`).
//!
//! - `cargo xtask ci [--skip STEP]...` — everything CI checks, in order, stopping at the first
//!   failure.
//! - `cargo xtask fuzz [SECONDS]` — runs every fuzz target for SECONDS (default 60).
//! - `cargo xtask bench-report [ARGS]` — see `bench_report.rs`.
//!
//! Commands are spawned with `std::process::Command`, never through a shell.

mod bench_report;
mod ci;
mod fuzz;
mod reliability;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  ci [--skip STEP]...   run every CI check, failing fast: fmt clippy tests doctests deny
                        layering benches fuzz-build fuzz-smoke (--skip: local runs only)
  fuzz [SECONDS]        run every fuzz target for SECONDS each (default 60)
  bench-report [ARGS]   benchmark report (see xtask/src/bench_report.rs)
  reliability [STREAMS] fault/secret/limit tests, the load example (default 2000 streams),
                        and the figures section of RELIABILITY.md
  help                  this text";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, rest) = match args.split_first() {
        Some((command, rest)) => (command.as_str(), rest),
        None => ("help", &[][..]),
    };
    let result = match command {
        "ci" => ci::run(rest),
        "fuzz" => fuzz::run(rest),
        "bench-report" => bench_report::run(rest),
        "reliability" => reliability::run(rest),
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(anyhow::anyhow!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map_or_else(|| manifest_dir.to_path_buf(), Path::to_path_buf)
}

/// The `cargo` that runs us (`$CARGO`), or `cargo` from `PATH`.
pub fn cargo() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(workspace_root());
    command
}

/// A `cargo` command with these arguments, run from the workspace root.
pub fn cargo_with<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = cargo();
    command.args(args);
    command
}

/// Shows a command the way a person would type it.
pub fn display(command: &Command) -> String {
    let mut text = String::new();
    for (key, value) in command.get_envs() {
        if let Some(value) = value {
            text.push_str(&format!(
                "{}={} ",
                key.to_string_lossy(),
                value.to_string_lossy()
            ));
        }
    }
    let program = command.get_program().to_string_lossy();
    // `$CARGO` is an absolute path; `cargo` reads better.
    let program = if Path::new(&*program).file_stem() == Some(OsStr::new("cargo")) {
        "cargo".into()
    } else {
        program
    };
    text.push_str(&program);
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    if let Some(dir) = command.get_current_dir()
        && dir != workspace_root()
    {
        text.push_str(&format!("   (in {})", dir.display()));
    }
    text
}

/// Runs a command with inherited stdio; an error unless it exits successfully.
pub fn run_command(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("could not start `{}`", display(command)))?;
    if !status.success() {
        bail!("`{}` failed: {status}", display(command));
    }
    Ok(())
}

/// Prints the command (`xtask: $ …`), then runs it like [`run_command`].
pub fn run_logged(command: &mut Command) -> Result<()> {
    println!("xtask: $ {}", display(command));
    run_command(command)
}

/// Runs a command and returns its stdout; an error unless it exits successfully.
pub fn output_of(command: &mut Command) -> Result<String> {
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("could not start `{}`", display(command)))?;
    if !output.status.success() {
        bail!("`{}` failed: {}", display(command), output.status);
    }
    String::from_utf8(output.stdout)
        .with_context(|| format!("`{}` printed invalid UTF-8", display(command)))
}

/// Whether `cargo <subcommand> --version` works, i.e. the cargo plugin is installed.
pub fn has_cargo_subcommand(subcommand: &str) -> bool {
    cargo_with([subcommand, "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Installs the crate that provides `cargo <subcommand>` unless it is already there.
pub fn ensure_cargo_subcommand(subcommand: &str, krate: &str) -> Result<()> {
    if has_cargo_subcommand(subcommand) {
        return Ok(());
    }
    println!("xtask: `cargo {subcommand}` is missing; installing {krate}");
    run_command(&mut cargo_with(["install", "--locked", krate]))
        .with_context(|| format!("installing {krate}"))
}

/// `12.3s` or `4m05s`.
pub fn format_duration(duration: Duration) -> String {
    let seconds = duration.as_secs_f64();
    if seconds < 60.0 {
        format!("{seconds:.1}s")
    } else {
        let whole = duration.as_secs();
        format!("{}m{:02}s", whole / 60, whole % 60)
    }
}

/// Time since `start`, formatted.
pub fn elapsed(start: Instant) -> String {
    format_duration(start.elapsed())
}
