//! `clawrouter usage summarize`: a `/v1/usage` body on stdin, OpenClaw's usage snapshot on
//! stdout (CLI.md; PROTOCOL.md §8.3).

use std::io;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Args, Subcommand};
use clawrouter_catalog::usage_snapshot;

use crate::output::{Status, diagnostic};
use crate::stdin_body::{print_json, read_body};

const SUMMARIZE_AFTER_HELP: &str = "\
Output: one JSON object, OpenClaw's usage snapshot (PROTOCOL.md §8.3):
  {\"provider\":\"clawrouter\",\"displayName\":\"ClawRouter\",
   \"windows\":[{\"label\":\"Monthly budget\",\"usedPercent\",\"resetAt\"}],
   \"billing\":[…],\"summary\":\"12 requests · 34,567 tokens · $25.00 used\",
   \"plan\":\"Managed monthly budget\"}
  resetAt is in epoch milliseconds; absent keys are omitted. A body that is not a JSON
  object (or not UTF-8) is not an error: the snapshot then carries
  \"error\":\"Malformed usage response\".
A --status outside 200-299 exits 1 with 'ClawRouter usage request failed (HTTP N)' and the
body is not read; a body over 1 MiB exits 1.

Examples:
  clawrouter usage summarize < fixtures/usage/budget.json
  clawrouter usage summarize --status 503 < /dev/null";

/// Options of `clawrouter usage`.
#[derive(Debug, Args)]
pub(crate) struct UsageArgs {
    #[command(subcommand)]
    pub(crate) command: UsageCommand,
}

/// The `usage` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum UsageCommand {
    /// Summarize a /v1/usage body read from stdin as OpenClaw's usage snapshot
    #[command(after_help = SUMMARIZE_AFTER_HELP)]
    Summarize(SummarizeArgs),
}

/// Options of `clawrouter usage summarize`.
#[derive(Debug, Args)]
pub(crate) struct SummarizeArgs {
    /// The HTTP status the body came with
    #[arg(long, value_name = "N", default_value_t = 200, value_parser = clap::value_parser!(u16).range(100..=599))]
    pub(crate) status: u16,
}

/// Runs `clawrouter usage …`.
pub(crate) fn main(args: &UsageArgs) -> ExitCode {
    match &args.command {
        UsageCommand::Summarize(args) => summarize(args).into(),
    }
}

fn summarize(args: &SummarizeArgs) -> Status {
    let mut err = io::stderr().lock();
    // A non-2xx status fails without reading the body, as the client does (§8.3 rule 1).
    let body = if (200..300).contains(&args.status) {
        match read_body("clawrouter usage summarize", "the usage body", &mut err) {
            Ok(body) => body,
            Err(status) => return status,
        }
    } else {
        Vec::new()
    };
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        });
    match usage_snapshot(args.status, &body, now_ms) {
        Ok(snapshot) => print_json(&snapshot.to_openclaw_json(), &mut err),
        Err(error) => {
            diagnostic(&mut err, format_args!("error: {error}"));
            Status::Failed
        }
    }
}
