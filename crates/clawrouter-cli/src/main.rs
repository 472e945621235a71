//! `clawrouter`: ClawRouter's command line.
//!
//! For now it holds one offline inspector, `clawrouter decode --output frames`, which shows the
//! framing layer of `clawrouter-wire` (SSE events, or the elements of Gemini's streamed JSON
//! array) as JSON lines. The output shapes are a contract: see `CLI.md` and
//! `clawrouter decode --help`.
//!
//! Exit status: 0 success, 1 the operation failed, 2 the command line is wrong. Every failure
//! prints one `error: …` line on stderr.

mod cli;
mod decode;
mod decode_events;
mod emulator_cmd;
mod output;

use std::io::{self, BufWriter, IsTerminal, Read};
use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

use crate::cli::{Cli, Command, DecodeArgs};
use crate::output::{Status, diagnostic};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return clap_failure(&error),
    };
    match cli.command {
        Command::Decode(args) => decode_main(&args),
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

fn decode_main(args: &DecodeArgs) -> ExitCode {
    let mut err = io::stderr().lock();
    // A wrong combination of options fails before stdin is read.
    if let Err(status) = decode::check_args(args, &mut err) {
        return status.into();
    }
    let mut stdin = io::stdin().lock();
    if stdin.is_terminal() {
        diagnostic(
            &mut err,
            format_args!(
                "clawrouter decode: reading the response body from stdin; end it with Ctrl-D"
            ),
        );
    }
    let mut input = Vec::new();
    if let Err(error) = stdin.read_to_end(&mut input) {
        diagnostic(
            &mut err,
            format_args!("error: cannot read the body from stdin: {error}"),
        );
        return Status::Failed.into();
    }
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
