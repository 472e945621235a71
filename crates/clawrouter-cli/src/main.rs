//! `clawrouter`: ClawRouter's command line.
//!
//! Two things (CLI.md):
//! - the user's tool for a ClawRouter key — `models`, `models status`, `status --usage`, `run`
//!   (`online.rs`, over `clawrouter-client`), `demo` (`demo.rs`, the same commands against an
//!   in-process emulator) and `emulator` (`emulator_cmd.rs`);
//! - offline inspectors that expose each library crate on stdin/stdout as JSON — `decode`
//!   (wire), `catalog resolve` and `usage summarize` (catalog), `policy replay|tools|ids|headers`
//!   (policy). Their output shapes are a contract: see `CLI.md` and each command's `--help`.
//!
//! The key is read only from the environment (`--api-key-env`, default `CLAWROUTER_API_KEY`) and
//! never printed.
//!
//! Exit status: 0 success, 1 the operation failed, 2 the command line is wrong. Every failure
//! prints one `error: …` line on stderr.

mod catalog;
mod cli;
mod decode;
mod decode_events;
mod demo;
mod emulator_cmd;
mod online;
mod output;
mod policy_cmd;
mod policy_ids_cmd;
mod policy_tools_cmd;
mod stdin_body;
mod table;
mod usage;

use std::io::{self, BufWriter};
use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

use crate::cli::{Cli, Command, DecodeArgs, DemoArgs, GlobalArgs, ModelsCommand, PolicyCommand};
use crate::online::{Failure, KeySource, Out};
use crate::output::{Status, diagnostic};
use clawrouter_client::Client;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return clap_failure(&error),
    };
    match cli.command {
        Command::Decode(args) => decode_main(&args),
        Command::Catalog(args) => catalog::main(&args, cli.global.base_url.as_deref()),
        Command::Models(args) => online_main(&cli.global, |client, source, out| {
            Box::pin(async move {
                match &args.command {
                    Some(ModelsCommand::Status(status)) => {
                        online::models_status(client, source, status.json, out).await
                    }
                    None => online::models(client, source, &args, out).await,
                }
            })
        }),
        Command::Status(args) => online_main(&cli.global, |client, source, out| {
            Box::pin(async move { online::status(client, source, &args, out).await })
        }),
        Command::Run(args) => online_main(&cli.global, |client, source, out| {
            Box::pin(async move { online::run(client, source, &args, out).await })
        }),
        Command::Demo(args) => demo_main(&args),
        Command::Usage(args) => usage::main(&args),
        Command::Policy(PolicyCommand::Replay(args)) => stdin_body::read_body(
            "clawrouter policy replay",
            "the conversation",
            &mut io::stderr().lock(),
        )
        .map_or_else(Into::into, |input| {
            let mut out = BufWriter::new(io::stdout().lock());
            policy_cmd::run_replay(&args, &input, &mut out, &mut io::stderr().lock()).into()
        }),
        Command::Policy(PolicyCommand::Tools(args)) => policy_tools_cmd::run(&args),
        Command::Policy(PolicyCommand::Ids(args)) => {
            inspect("clawrouter policy ids", "the ids", |input, out, err| {
                policy_ids_cmd::run_ids(args.kind, input, out, err)
            })
        }
        Command::Policy(PolicyCommand::Headers) => inspect(
            "clawrouter policy headers",
            "the dispatch description",
            policy_ids_cmd::run_headers,
        ),
        Command::Emulator(args) => emulator_cmd::emulator_main(&args),
    }
}

/// `--help` and `--version` print as clap prints them; a command-line error becomes one
/// `error: …` line with exit status 2.
fn clap_failure(error: &clap::Error) -> ExitCode {
    match error.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2))
        }
        _ => {
            let rendered = error.render().to_string();
            diagnostic(
                &mut io::stderr().lock(),
                format_args!("{}", one_line(&rendered)),
            );
            Status::Usage.into()
        }
    }
}

/// Joins clap's multi-line message into one line: `error: … [possible values: …]; Usage: …`.
fn one_line(rendered: &str) -> String {
    let mut line = String::with_capacity(rendered.len());
    for part in rendered
        .lines()
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        if !line.is_empty() {
            let glue = if line.ends_with(':') || part.starts_with('[') {
                " "
            } else {
                "; "
            };
            line.push_str(glue);
        }
        line.push_str(part);
    }
    line
}

/// The boxed future of one online command.
type CommandFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), Failure>> + 'a>>;

/// Runs a user command that talks to a server: builds the client from the global options,
/// runs the command on a current-thread runtime, and turns a failure into one `error:` line.
fn online_main(
    global: &GlobalArgs,
    command: impl for<'a> FnOnce(&'a Client, &'a KeySource, &'a mut Out) -> CommandFuture<'a>,
) -> ExitCode {
    let mut out = anstream::stdout();
    let result = online::runtime().and_then(|runtime| {
        let (client, source) = online::build_client(global)?;
        runtime.block_on(command(&client, &source, &mut out))
    });
    finish_online(result, &mut out)
}

fn demo_main(args: &DemoArgs) -> ExitCode {
    let mut out = anstream::stdout();
    let result = online::runtime().and_then(|runtime| runtime.block_on(demo::demo(args, &mut out)));
    finish_online(result, &mut out)
}

fn finish_online(result: Result<(), Failure>, out: &mut Out) -> ExitCode {
    use std::io::Write as _;
    let _ = out.flush();
    match result {
        Ok(()) => Status::Success.into(),
        Err(Failure(line)) => {
            diagnostic(&mut io::stderr().lock(), format_args!("error: {line}"));
            Status::Failed.into()
        }
    }
}

/// Runs an offline inspector: stdin read whole, then `run(input, stdout, stderr)`.
fn inspect(
    command: &str,
    what: &str,
    run: impl FnOnce(
        &[u8],
        &mut BufWriter<io::StdoutLock<'static>>,
        &mut io::StderrLock<'static>,
    ) -> Status,
) -> ExitCode {
    let mut err = io::stderr().lock();
    match stdin_body::read_body(command, what, &mut err) {
        Ok(input) => run(&input, &mut BufWriter::new(io::stdout().lock()), &mut err).into(),
        Err(status) => status.into(),
    }
}

fn decode_main(args: &DecodeArgs) -> ExitCode {
    let mut err = io::stderr().lock();
    // A wrong combination of options fails before stdin is read.
    if let Err(status) = decode::check_args(args, &mut err) {
        return status.into();
    }
    let input = match stdin_body::read_body("clawrouter decode", "the response body", &mut err) {
        Ok(input) => input,
        Err(status) => return status.into(),
    };
    let mut out = BufWriter::new(io::stdout().lock());
    decode::run_decode(args, &input, &mut out, &mut err).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_errors_become_one_line() {
        let error =
            Cli::try_parse_from(["clawrouter", "decode", "--transport", "nope"]).unwrap_err();
        let line = one_line(&error.render().to_string());
        assert!(
            line.starts_with("error: invalid value 'nope' for '--transport <T>'"),
            "{line}"
        );
        assert!(line.contains("openai-completions"), "{line}");
        assert!(!line.contains('\n'));
    }

    #[test]
    fn command_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
