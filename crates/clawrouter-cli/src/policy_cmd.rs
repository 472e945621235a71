//! `clawrouter policy …`: offline inspectors of `clawrouter-policy` (CLI.md "Offline
//! inspectors"). Only `replay` lives here so far.
//!
//! `clawrouter policy replay --transport T --model ID`: stdin is a conversation in the neutral
//! message model (POLICY.md §1) as a JSON array; stdout is the conversation after ClawRouter's
//! replay policy for that transport and model (POLICY.md §2), as one compact JSON line; stderr
//! gets one line per repair (`<kind> (message N): <what and why>`, N = the index in the input
//! of the step that made the change).

use std::io::{self, Write};

use clawrouter_policy::conversation::{conversation_from_value, conversation_to_value};
use clawrouter_policy::replay::apply_replay_policy;
use clawrouter_wire::transport::Transport as WireTransport;
use serde_json::Value;

use crate::cli::{PolicyReplayArgs, Transport};
use crate::output::{Status, diagnostic, write_failed};

fn wire_transport(transport: Transport) -> WireTransport {
    match transport {
        Transport::OpenaiCompletions => WireTransport::OpenAiCompletions,
        Transport::OpenaiResponses => WireTransport::OpenAiResponses,
        Transport::AnthropicMessages => WireTransport::AnthropicMessages,
        Transport::GoogleGenerativeAi => WireTransport::GoogleGenerativeAi,
    }
}

/// The byte offset of a 1-based (line, column) position in `input`.
fn byte_offset(input: &[u8], line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (number, text) in input.split_inclusive(|&b| b == b'\n').enumerate() {
        if number + 1 == line {
            return offset + column.saturating_sub(1).min(text.len());
        }
        offset += text.len();
    }
    offset
}

/// The value of the four hex digits at `at`, if they are four hex digits.
fn hex4(input: &[u8], at: usize) -> Option<u32> {
    let digits = std::str::from_utf8(input.get(at..at + 4)?).ok()?;
    u32::from_str_radix(digits, 16).ok()
}

/// Replaces escaped lone surrogates (`"\ud800"`) inside JSON strings by `\ufffd`, as
/// `JSON.parse` accepts them (CLI.md "Input bodies", PROTOCOL.md §14 D18); the byte length is
/// unchanged, so error offsets still point into the input. Pairs are left alone.
fn replace_lone_surrogates(input: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let mut in_string = false;
    let mut at = 0;
    while let Some(&byte) = input.get(at) {
        if !in_string {
            in_string = byte == b'"';
            at += 1;
            continue;
        }
        match byte {
            b'"' => {
                in_string = false;
                at += 1;
            }
            b'\\' if input.get(at + 1) == Some(&b'u') => {
                let Some(unit) = hex4(input, at + 2) else {
                    at += 2;
                    continue;
                };
                let paired = (0xD800..=0xDBFF).contains(&unit)
                    && input.get(at + 6) == Some(&b'\\')
                    && input.get(at + 7) == Some(&b'u')
                    && hex4(input, at + 8).is_some_and(|low| (0xDC00..=0xDFFF).contains(&low));
                if paired {
                    at += 12;
                } else if (0xD800..=0xDFFF).contains(&unit) {
                    let buffer = out.get_or_insert_with(|| input.to_vec());
                    if let Some(escape) = buffer.get_mut(at + 2..at + 6) {
                        escape.copy_from_slice(b"fffd");
                    }
                    at += 6;
                } else {
                    at += 6;
                }
            }
            b'\\' => at += 2,
            _ => at += 1,
        }
    }
    match out {
        Some(replaced) => std::borrow::Cow::Owned(replaced),
        None => std::borrow::Cow::Borrowed(input),
    }
}

/// Parses the stdin body: a leading UTF-8 BOM is skipped and escaped lone surrogates become
/// U+FFFD (CLI.md "Input bodies"). A number too large for an `f64` is still an error here: the
/// conversation model has no field where it could be an "invalid value" instead.
fn parse(input: &[u8]) -> Result<Value, String> {
    let (body, skipped) = match input.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (rest, 3),
        None => (input, 0),
    };
    let body = &*replace_lone_surrogates(body);
    serde_json::from_slice(body).map_err(|error| {
        let at = skipped + byte_offset(body, error.line(), error.column());
        format!("stdin is not a valid JSON conversation: {error} (at byte {at}); pass a JSON array of messages (POLICY.md §1)")
    })
}

/// Runs `policy replay` on `input`.
pub(crate) fn run_replay(
    args: &PolicyReplayArgs,
    input: &[u8],
    out: &mut impl Write,
    err: &mut impl Write,
) -> Status {
    let value = match parse(input) {
        Ok(value) => value,
        Err(message) => {
            diagnostic(err, format_args!("error: {message}"));
            return Status::Failed;
        }
    };
    if !value.is_array() {
        diagnostic(
            err,
            format_args!(
                "error: the conversation must be a JSON array of messages, not {}",
                kind(&value)
            ),
        );
        return Status::Failed;
    }
    let messages = conversation_from_value(value);
    let (replayed, diagnostics) =
        apply_replay_policy(wire_transport(args.transport), &args.model, &messages);
    for repair in &diagnostics {
        diagnostic(err, format_args!("{repair}"));
    }
    let written = serde_json::to_writer(&mut *out, &conversation_to_value(&replayed))
        .map_err(io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    match written {
        Ok(()) => Status::Success,
        Err(error) => write_failed(&error, err),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let value =
            parse(br#"["\ud800", "\udc00x", "\ud83d\ude00", "\\ud800", "\u0041"]"#).unwrap();
        assert_eq!(
            value,
            serde_json::json!(["\u{fffd}", "\u{fffd}x", "\u{1f600}", "\\ud800", "A"])
        );
    }

    #[test]
    fn byte_offsets_of_json_errors() {
        assert_eq!(byte_offset(b"[1,\n 2,\n x]", 3, 2), 9);
        let message = parse(b"\xEF\xBB\xBF[1,]").unwrap_err();
        assert!(message.contains("at byte 6"), "{message}"); // the `]` after the BOM
    }
}
