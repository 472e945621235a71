//! JSON-lines output and the exit status.
//!
//! Every JSON string is escaped by `serde_json`, so the output is exactly what `serde_json`
//! would print. Write errors are kept apart from input errors: a closed pipe (`| head -1`) ends
//! the command quietly with status 0, any other write error is a failure.

use std::io::{self, Write};
use std::process::ExitCode;

/// How a command ended; maps onto the process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// 0: success.
    Success,
    /// 1: the operation failed (bad input data, a write error …).
    Failed,
    /// 2: the command line itself is wrong.
    Usage,
}

impl Status {
    /// The numeric exit status.
    pub(crate) fn code(self) -> u8 {
        match self {
            Status::Success => 0,
            Status::Failed => 1,
            Status::Usage => 2,
        }
    }
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> Self {
        ExitCode::from(status.code())
    }
}

/// Writes one compact JSON value per line.
pub(crate) struct JsonLines<W: Write> {
    out: W,
    /// Reused for every line, so that each line reaches `out` in one `write_all`.
    line: Vec<u8>,
}

impl<W: Write> JsonLines<W> {
    pub(crate) fn new(out: W) -> Self {
        JsonLines {
            out,
            line: Vec::with_capacity(256),
        }
    }

    /// `{"event":…,"data":…}` or `{"event":…,"data":…,"id":…}`, in that key order.
    pub(crate) fn sse_event(
        &mut self,
        event: &str,
        data: &str,
        id: Option<&str>,
    ) -> io::Result<()> {
        self.line.clear();
        self.line.extend_from_slice(b"{\"event\":");
        serde_json::to_writer(&mut self.line, event)?;
        self.line.extend_from_slice(b",\"data\":");
        serde_json::to_writer(&mut self.line, data)?;
        if let Some(id) = id {
            self.line.extend_from_slice(b",\"id\":");
            serde_json::to_writer(&mut self.line, id)?;
        }
        self.line.extend_from_slice(b"}\n");
        self.out.write_all(&self.line)
    }

    /// `{"retry":N}`.
    pub(crate) fn retry(&mut self, millis: u64) -> io::Result<()> {
        self.line.clear();
        self.line.extend_from_slice(b"{\"retry\":");
        serde_json::to_writer(&mut self.line, &millis)?;
        self.line.extend_from_slice(b"}\n");
        self.out.write_all(&self.line)
    }

    /// Any JSON value, compactly.
    pub(crate) fn value(&mut self, value: &serde_json::Value) -> io::Result<()> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, value)?;
        self.line.push(b'\n');
        self.out.write_all(&self.line)
    }

    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Prints one diagnostic line on `err`. A failure to write to stderr cannot be reported anywhere,
/// so it is ignored.
pub(crate) fn diagnostic(err: &mut impl Write, line: std::fmt::Arguments<'_>) {
    let _ = err.write_fmt(line);
    let _ = err.write_all(b"\n");
    let _ = err.flush();
}

/// The status for a failed write to stdout: quiet success for a closed pipe (the reader has
/// seen all it wanted), otherwise a one-line error.
pub(crate) fn write_failed(error: &io::Error, err: &mut impl Write) -> Status {
    if error.kind() == io::ErrorKind::BrokenPipe {
        Status::Success
    } else {
        diagnostic(
            err,
            format_args!("error: cannot write the output to stdout: {error}"),
        );
        Status::Failed
    }
}

/// Writes `bytes` to `out` and flushes; a failed write is reported like [`write_failed`].
pub(crate) fn write_all(out: &mut impl Write, bytes: &[u8], err: &mut impl Write) -> Status {
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Status::Success,
        Err(error) => write_failed(&error, err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_event_key_order_and_escaping() {
        let mut lines = JsonLines::new(Vec::new());
        lines
            .sse_event("message", "a\"b\n\u{1}\u{fffd}", None)
            .unwrap();
        lines.sse_event("delta", "", Some("7")).unwrap();
        lines.retry(1500).unwrap();
        let text = String::from_utf8(lines.out).unwrap();
        assert_eq!(
            text,
            "{\"event\":\"message\",\"data\":\"a\\\"b\\n\\u0001\u{fffd}\"}\n\
             {\"event\":\"delta\",\"data\":\"\",\"id\":\"7\"}\n\
             {\"retry\":1500}\n"
        );
    }

    #[test]
    fn value_keeps_key_order() {
        let value: serde_json::Value =
            serde_json::from_str("{\"z\": 1, \"a\": [true, null]}").unwrap();
        let mut lines = JsonLines::new(Vec::new());
        lines.value(&value).unwrap();
        assert_eq!(lines.out, b"{\"z\":1,\"a\":[true,null]}\n");
    }
}
