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

/// Parses the stdin body: a leading UTF-8 BOM is skipped (CLI.md "Input bodies").
fn parse(input: &[u8]) -> Result<Value, String> {
    let (body, skipped) = match input.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (rest, 3),
        None => (input, 0),
    };
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
    fn byte_offsets_of_json_errors() {
        assert_eq!(byte_offset(b"[1,\n 2,\n x]", 3, 2), 9);
        let message = parse(b"\xEF\xBB\xBF[1,]").unwrap_err();
        assert!(message.contains("at byte 6"), "{message}"); // the `]` after the BOM
    }
}
