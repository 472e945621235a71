//! `clawrouter decode`: a raw streamed body on stdin, its frames as JSON lines on stdout.

use std::io::{self, Write};

use clawrouter_wire::json_array::{JsonArraySplitter, JsonFrame};
use clawrouter_wire::sse::{SseDecoder, SseError};

use crate::cli::{DecodeArgs, Framing, Output, Transport};
use crate::output::{JsonLines, Status, diagnostic, write_failed};

/// Why decoding stopped early.
enum Stop {
    /// Writing to stdout failed.
    Write(io::Error),
    /// The input is bad: the message of the one `error:` line, without the prefix.
    Input(String),
}

impl From<io::Error> for Stop {
    fn from(error: io::Error) -> Self {
        Stop::Write(error)
    }
}

/// How a body that was read to its end ended.
enum Ending {
    /// Cleanly.
    Clean,
    /// SSE: inside an event, whose bytes the decoder discarded.
    UnterminatedEvent { discarded: u64 },
}

/// Checks the option combinations clap cannot express. Called before stdin is read, so that a
/// wrong command line fails at once instead of waiting for input.
pub(crate) fn check_args(args: &DecodeArgs, err: &mut impl Write) -> Result<(), Status> {
    if args.framing == Framing::JsonArray && args.transport != Transport::GoogleGenerativeAi {
        diagnostic(
            err,
            format_args!(
                "error: --framing json-array is Gemini's stream format; use it with --transport google-generative-ai, or use --framing sse"
            ),
        );
        return Err(Status::Usage);
    }
    Ok(())
}

/// Runs `decode` on a whole body: frames as JSON lines on `out`, at most one warning or error
/// line on `err`.
pub(crate) fn run_decode(
    args: &DecodeArgs,
    input: &[u8],
    out: &mut impl Write,
    err: &mut impl Write,
) -> Status {
    if let Err(status) = check_args(args, err) {
        return status;
    }
    if args.output != Output::Frames {
        return crate::decode_events::run(args, input, out, err);
    }
    let mut lines = JsonLines::new(out);
    let result = match args.framing {
        Framing::Sse => sse_frames(input, args.chunk_size, &mut lines),
        Framing::JsonArray => json_array_frames(input, args.chunk_size, &mut lines),
    };
    // Whatever happened, the frames decoded so far are kept.
    if let Err(error) = lines.flush() {
        return write_failed(&error, err);
    }
    match result {
        Ok(Ending::Clean) => Status::Success,
        Ok(Ending::UnterminatedEvent { discarded }) => {
            diagnostic(
                err,
                format_args!(
                    "warning: stream ended inside an event: {discarded} bytes discarded (no blank line after the last event)"
                ),
            );
            Status::Success
        }
        Err(Stop::Write(error)) => write_failed(&error, err),
        Err(Stop::Input(message)) => {
            diagnostic(err, format_args!("error: {message}"));
            Status::Failed
        }
    }
}

/// The body in pieces of `chunk_size` bytes; 0 means one piece.
fn chunks(input: &[u8], chunk_size: usize) -> impl Iterator<Item = &[u8]> {
    input.chunks(if chunk_size == 0 {
        input.len().max(1)
    } else {
        chunk_size
    })
}

fn sse_frames(
    input: &[u8],
    chunk_size: usize,
    lines: &mut JsonLines<impl Write>,
) -> Result<Ending, Stop> {
    sse_frames_with(SseDecoder::new(), input, chunk_size, lines)
}

/// [`sse_frames`] with a given decoder (tests use a small event size limit).
fn sse_frames_with(
    mut decoder: SseDecoder,
    input: &[u8],
    chunk_size: usize,
    lines: &mut JsonLines<impl Write>,
) -> Result<Ending, Stop> {
    let mut printer = SsePrinter {
        reported_retry: None,
        events: 0,
        discarded: None,
    };
    for chunk in chunks(input, chunk_size) {
        decoder.feed(chunk);
        printer.drain(&mut decoder, lines)?;
    }
    decoder.finish();
    printer.drain(&mut decoder, lines)?;
    // A reconnection-time change after the last event.
    printer.report_retry(decoder.reconnection_time(), lines)?;
    Ok(match printer.discarded {
        None => Ending::Clean,
        Some(discarded) => Ending::UnterminatedEvent { discarded },
    })
}

/// Prints SSE events and reconnection-time changes.
struct SsePrinter {
    /// The last `{"retry":N}` printed.
    reported_retry: Option<u64>,
    /// Events printed so far.
    events: u64,
    /// Bytes the decoder discarded at the end of an unterminated stream.
    discarded: Option<u64>,
}

impl SsePrinter {
    /// Prints every event the decoder has ready.
    fn drain(
        &mut self,
        decoder: &mut SseDecoder,
        lines: &mut JsonLines<impl Write>,
    ) -> Result<(), Stop> {
        loop {
            match decoder.next_event() {
                Ok(Some(event)) => {
                    // `event.retry` is the latest valid `retry` processed since the previous
                    // event (in this block, or in blocks that dispatched nothing), else `None`.
                    self.report_retry(event.retry, lines)?;
                    lines.sse_event(event.event, event.data, event.id)?;
                    self.events += 1;
                }
                Ok(None) => return Ok(()),
                // Only after `finish`, and once: the stream ended inside an event.
                Err(SseError::Truncated {
                    unterminated_bytes, ..
                }) => self.discarded = Some(unterminated_bytes),
                // EventTooLarge, or a later variant. The decoder could go on with the next block,
                // but an inspector that silently skipped an event would misrepresent the stream.
                Err(error) => {
                    return Err(Stop::Input(format!(
                        "{error}; {} before it, the rest of the body was not decoded",
                        printed(self.events, "event")
                    )));
                }
            }
        }
    }

    /// Prints a `{"retry":N}` line if `current` differs from the last value printed.
    fn report_retry(
        &mut self,
        current: Option<u64>,
        lines: &mut JsonLines<impl Write>,
    ) -> io::Result<()> {
        if let Some(millis) = current
            && self.reported_retry != Some(millis)
        {
            lines.retry(millis)?;
            self.reported_retry = Some(millis);
        }
        Ok(())
    }
}

fn json_array_frames(
    input: &[u8],
    chunk_size: usize,
    lines: &mut JsonLines<impl Write>,
) -> Result<Ending, Stop> {
    let mut splitter = JsonArraySplitter::new();
    let mut elements = 0_u64;
    for chunk in chunks(input, chunk_size) {
        splitter.feed(chunk);
        drain_json_array(&mut splitter, &mut elements, lines)?;
    }
    splitter.finish();
    drain_json_array(&mut splitter, &mut elements, lines)?;
    Ok(Ending::Clean)
}

fn drain_json_array(
    splitter: &mut JsonArraySplitter,
    elements: &mut u64,
    lines: &mut JsonLines<impl Write>,
) -> Result<(), Stop> {
    loop {
        match splitter.next_frame() {
            Ok(Some(JsonFrame::Element(raw))) => {
                *elements += 1;
                let value = parse_element(raw, *elements)?;
                lines.value(&value)?;
            }
            Ok(Some(JsonFrame::Object(raw))) => {
                let value = serde_json::from_slice::<serde_json::Value>(raw).map_err(|e| {
                    Stop::Input(format!(
                        "the body is a single JSON object, not an array, and it is not valid JSON: {e}"
                    ))
                })?;
                lines.value(&value)?;
                let message = value
                    .pointer("/error/message")
                    .and_then(serde_json::Value::as_str);
                return Err(Stop::Input(match message {
                    Some(message) => format!(
                        "the body is a single JSON object, not an array (Gemini error form): {message}"
                    ),
                    None => "the body is a single JSON object, not an array (Gemini error form)"
                        .to_owned(),
                }));
            }
            Ok(None) => return Ok(()),
            Err(error) => {
                // The message names the byte offset ("… at byte N").
                return Err(Stop::Input(format!(
                    "{error}; {} before it",
                    printed(*elements, "element")
                )));
            }
        }
    }
}

/// "no element was printed", "1 element was printed", "2 elements were printed".
fn printed(count: u64, noun: &str) -> String {
    match count {
        0 => format!("no {noun} was printed"),
        1 => format!("1 {noun} was printed"),
        _ => format!("{count} {noun}s were printed"),
    }
}

fn parse_element(raw: &[u8], number: u64) -> Result<serde_json::Value, Stop> {
    serde_json::from_slice(raw).map_err(|e| {
        Stop::Input(format!(
            "array element {number} is not valid JSON: {e} (counted within the element); {} before it",
            printed(number - 1, "element")
        ))
    })
}

#[cfg(test)]
mod tests {
    use clawrouter_wire::sse::SseConfig;

    use super::*;

    fn args(framing: Framing, chunk_size: usize) -> DecodeArgs {
        DecodeArgs {
            transport: Transport::GoogleGenerativeAi,
            framing,
            output: Output::Frames,
            chunk_size,
        }
    }

    fn decode(framing: Framing, chunk_size: usize, input: &[u8]) -> (Status, String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = run_decode(&args(framing, chunk_size), input, &mut out, &mut err);
        (
            status,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    /// Every chunk size from 1 to the body length gives what one feed gives.
    fn assert_chunk_invariant(framing: Framing, input: &[u8]) -> (Status, String, String) {
        let whole = decode(framing, 0, input);
        for chunk_size in 1..=input.len() + 1 {
            assert_eq!(
                decode(framing, chunk_size, input),
                whole,
                "chunk size {chunk_size}, input {:?}",
                String::from_utf8_lossy(input)
            );
        }
        whole
    }

    #[test]
    fn sse_output_does_not_depend_on_chunk_size() {
        for input in [
            &b"\xEF\xBB\xBFdata: a\r\n\r\nevent: x\rdata: b\r\rid: 1\ndata\n\n"[..],
            b"retry: 5\n: comment\ndata: \xC3\xA9 \xFF\n\nretry: 6\n\n",
            b"data: a\n\ndata: cut",
            b"data: a\r",
            b"",
        ] {
            let (status, _, _) = assert_chunk_invariant(Framing::Sse, input);
            assert_eq!(status, Status::Success);
        }
    }

    #[test]
    fn json_array_output_does_not_depend_on_chunk_size() {
        for (input, expected) in [
            (
                &b"\xEF\xBB\xBF[{\n  \"a\": \"]\\\"\\u00e9\"\n}\n,\r\n{\"b\": [1, {}]}\n]\n"[..],
                Status::Success,
            ),
            (b"[]", Status::Success),
            (b"[{\"a\": 1}, {\"b\"", Status::Failed),
            (b"[{\"a\": 1}} ]", Status::Failed),
            (b"{\"error\": {\"message\": \"quota\"}}", Status::Failed),
            (b"", Status::Failed),
        ] {
            let (status, _, _) = assert_chunk_invariant(Framing::JsonArray, input);
            assert_eq!(status, expected, "{:?}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn sse_event_over_the_limit_stops_with_one_error_line() {
        let decoder = SseDecoder::with_config(SseConfig {
            max_event_size: 16,
            ..SseConfig::default()
        });
        let mut lines = JsonLines::new(Vec::new());
        let result = sse_frames_with(
            decoder,
            b"data: ok\n\ndata: 0123456789abcdefghij\n\ndata: later\n\n",
            3,
            &mut lines,
        );
        let Err(Stop::Input(message)) = result else {
            panic!("expected an input error");
        };
        assert!(message.contains("at byte 10"), "{message}");
        assert!(
            message
                .ends_with("1 event was printed before it, the rest of the body was not decoded"),
            "{message}"
        );
    }

    #[test]
    fn json_array_without_bracket_is_not_gemini() {
        let (status, out, err) = decode(Framing::JsonArray, 0, b"data: {}\n\n");
        assert_eq!((status, out.as_str()), (Status::Failed, ""));
        assert_eq!(
            err,
            "error: unexpected 'd' in streamed JSON array, expected '[' to open the array at byte 0; no element was printed before it\n"
        );
    }

    /// A writer that accepts `room` bytes, then fails with `kind`.
    struct Failing {
        room: usize,
        kind: io::ErrorKind,
    }

    impl Write for Failing {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::Error::from(self.kind));
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn closed_pipe_is_a_quiet_success_other_write_errors_fail() {
        let input = b"data: a\n\ndata: b\n\ndata: c\n\n";
        for chunk_size in [0, 1] {
            let mut err = Vec::new();
            let mut out = Failing {
                room: 40,
                kind: io::ErrorKind::BrokenPipe,
            };
            let status = run_decode(&args(Framing::Sse, chunk_size), input, &mut out, &mut err);
            assert_eq!((status, err.as_slice()), (Status::Success, &b""[..]));

            let mut out = Failing {
                room: 40,
                kind: io::ErrorKind::StorageFull,
            };
            let status = run_decode(&args(Framing::Sse, chunk_size), input, &mut out, &mut err);
            assert_eq!(status, Status::Failed);
            let err = String::from_utf8(err).unwrap();
            assert!(
                err.starts_with("error: cannot write the output to stdout: "),
                "{err}"
            );
            assert_eq!(err.lines().count(), 1);
        }
    }

    #[test]
    fn framing_mismatch_is_a_usage_error() {
        let mut err = Vec::new();
        let mut anthropic_array = args(Framing::JsonArray, 0);
        anthropic_array.transport = Transport::AnthropicMessages;
        assert_eq!(check_args(&anthropic_array, &mut err), Err(Status::Usage));
        assert_eq!(String::from_utf8(err).unwrap().lines().count(), 1);
        assert_eq!(
            check_args(&args(Framing::JsonArray, 0), &mut Vec::new()),
            Ok(())
        );
    }
}
