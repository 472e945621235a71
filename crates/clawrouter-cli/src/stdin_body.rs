//! Reading a whole request or response body from stdin, shared by the offline inspectors.

use std::io::{self, IsTerminal, Read, Write};

use crate::output::{Status, diagnostic};

/// Reads stdin to its end. On a terminal, says first what is expected (on stderr).
pub(crate) fn read_body(
    command: &str,
    what: &str,
    err: &mut impl Write,
) -> Result<Vec<u8>, Status> {
    let mut stdin = io::stdin().lock();
    if stdin.is_terminal() {
        diagnostic(
            err,
            format_args!("{command}: reading {what} from stdin; end it with Ctrl-D"),
        );
    }
    let mut body = Vec::new();
    match stdin.read_to_end(&mut body) {
        Ok(_) => Ok(body),
        Err(error) => {
            diagnostic(
                err,
                format_args!("error: cannot read {what} from stdin: {error}"),
            );
            Err(Status::Failed)
        }
    }
}

/// Writes one JSON value and a newline to stdout.
pub(crate) fn print_json(value: &serde_json::Value, err: &mut impl Write) -> Status {
    let mut out = io::stdout().lock();
    let mut line = match serde_json::to_vec(value) {
        Ok(line) => line,
        Err(error) => {
            diagnostic(
                err,
                format_args!("error: cannot serialize the output: {error}"),
            );
            return Status::Failed;
        }
    };
    line.push(b'\n');
    match out.write_all(&line).and_then(|()| out.flush()) {
        Ok(()) => Status::Success,
        Err(error) => crate::output::write_failed(&error, err),
    }
}
