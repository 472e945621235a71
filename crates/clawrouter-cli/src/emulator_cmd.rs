//! `clawrouter emulator [--listen ADDR] [--scenario FILE]` (CLI.md "User commands"): runs the
//! built-in ClawRouter emulator as a server until Ctrl-C, so that any ClawRouter client
//! (this one, OpenClaw, curl) can be tried against it.
//!
//! stdout: the base URL on the first line (`ClawRouter emulator listening on <url>`), then the
//! scenario's keys with their labels and policies — the emulator's own test keys, which are safe
//! to print — and an example `curl`. Failures (an unreadable or invalid scenario, an address
//! that cannot be bound) are one `error: …` line on stderr and exit status 1.

use std::io::{self, Write};
use std::process::ExitCode;

use clawrouter_emulator::{Emulator, Scenario};

use crate::cli::EmulatorArgs;
use crate::output::{Status, diagnostic};

/// Runs the command.
pub(crate) fn emulator_main(args: &EmulatorArgs) -> ExitCode {
    let mut err = io::stderr().lock();
    let scenario = match &args.scenario {
        Some(path) => match Scenario::load(path) {
            Ok(scenario) => scenario,
            Err(error) => {
                diagnostic(&mut err, format_args!("error: {error}"));
                return Status::Failed.into();
            }
        },
        None => Scenario::default(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            diagnostic(
                &mut err,
                format_args!("error: cannot start the async runtime: {error}"),
            );
            return Status::Failed.into();
        }
    };
    drop(err);
    runtime.block_on(serve(args, scenario)).into()
}

async fn serve(args: &EmulatorArgs, scenario: Scenario) -> Status {
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(listener) => listener,
        Err(error) => {
            diagnostic(
                &mut io::stderr().lock(),
                format_args!(
                    "error: cannot listen on {}: {error}; pick another address with --listen",
                    args.listen
                ),
            );
            return Status::Failed;
        }
    };
    let emulator = match Emulator::serve(scenario, listener).await {
        Ok(emulator) => emulator,
        Err(error) => {
            diagnostic(&mut io::stderr().lock(), format_args!("error: {error}"));
            return Status::Failed;
        }
    };
    if print_banner(&mut io::stdout().lock(), &emulator).is_err() {
        // stdout is gone (a closed pipe): keep serving anyway; the banner is informative.
    }
    if let Err(error) = tokio::signal::ctrl_c().await {
        diagnostic(
            &mut io::stderr().lock(),
            format_args!("error: cannot wait for Ctrl-C: {error}"),
        );
        let _ = emulator.shutdown().await;
        return Status::Failed;
    }
    match emulator.shutdown().await {
        Ok(()) => {
            diagnostic(
                &mut io::stderr().lock(),
                format_args!("clawrouter emulator: stopped"),
            );
            Status::Success
        }
        Err(error) => {
            diagnostic(&mut io::stderr().lock(), format_args!("error: {error}"));
            Status::Failed
        }
    }
}

fn print_banner(
    out: &mut impl Write,
    emulator: &clawrouter_emulator::RunningEmulator,
) -> io::Result<()> {
    let base_url = emulator.base_url();
    writeln!(out, "ClawRouter emulator listening on {base_url}")?;
    writeln!(out)?;
    writeln!(out, "Keys (the emulator's own test keys):")?;
    let scenario = emulator.scenario();
    let width = scenario
        .keys
        .iter()
        .map(|entry| entry.label.len())
        .max()
        .unwrap_or(0);
    for entry in &scenario.keys {
        let budget = scenario
            .policy(&entry.policy)
            .and_then(|policy| policy.monthly_budget_usd)
            .map_or_else(
                || "unmetered".to_owned(),
                |usd| format!("${usd:.2} a month"),
            );
        let state = if entry.revoked { ", revoked" } else { "" };
        writeln!(
            out,
            "  {:<width$}  {}  (policy {}, {budget}{state})",
            entry.label,
            entry.key.expose(),
            entry.policy,
        )?;
    }
    if let Some(demo) = scenario.keys_labelled("demo").next() {
        writeln!(out)?;
        writeln!(out, "Try it:")?;
        writeln!(
            out,
            "  curl -H 'Authorization: Bearer {}' {base_url}/v1/catalog",
            demo.key.expose()
        )?;
    }
    writeln!(out)?;
    writeln!(out, "Press Ctrl-C to stop.")?;
    out.flush()
}
