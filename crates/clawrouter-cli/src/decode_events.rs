//! `clawrouter decode --output events|message`: the transport layer of `clawrouter-wire` on a
//! whole body.
//!
//! `events` prints every provider-neutral [`StreamEvent`] as one JSON line (the serde form
//! documented in `clawrouter_wire::events`). `message` prints the assembled reply in CLI.md's
//! shape. Either way, a stream that reports an error after HTTP 200, or that is truncated or
//! malformed, exits 1 after printing everything decoded before the failure.

use std::io::{self, Write};

use clawrouter_wire::assemble::{AssembledMessage, MessageAssembler};
use clawrouter_wire::events::StreamEvent;
use clawrouter_wire::sse::SseError;
use clawrouter_wire::transport::{self, DecodeError, ResponseDecoder};
use serde_json::{Value, json};

use crate::cli::{DecodeArgs, Framing, Output, Transport};
use crate::output::{Status, diagnostic, write_failed};

fn transport(transport: Transport) -> transport::Transport {
    match transport {
        Transport::OpenaiCompletions => transport::Transport::OpenAiCompletions,
        Transport::OpenaiResponses => transport::Transport::OpenAiResponses,
        Transport::AnthropicMessages => transport::Transport::AnthropicMessages,
        Transport::GoogleGenerativeAi => transport::Transport::GoogleGenerativeAi,
    }
}

fn framing(framing: Framing) -> transport::Framing {
    match framing {
        Framing::Sse => transport::Framing::Sse,
        Framing::JsonArray => transport::Framing::JsonArray,
    }
}

/// Runs `decode` for `--output events` or `--output message` on a whole body.
pub(crate) fn run(
    args: &DecodeArgs,
    input: &[u8],
    out: &mut impl Write,
    err: &mut impl Write,
) -> Status {
    let mut decoder = ResponseDecoder::new(transport(args.transport), framing(args.framing));
    let mut assembler = MessageAssembler::new();
    let print_events = args.output == Output::Events;
    let mut line = Vec::with_capacity(256);
    let mut write_error: Option<io::Error> = None;
    let mut sink = |event: StreamEvent<'_>| {
        if print_events && write_error.is_none() {
            line.clear();
            let written = serde_json::to_writer(&mut line, &event)
                .map_err(io::Error::from)
                .and_then(|()| {
                    line.push(b'\n');
                    out.write_all(&line)
                });
            if let Err(error) = written {
                write_error = Some(error);
            }
        }
        assembler.push(&event);
    };
    let size = if args.chunk_size == 0 {
        input.len().max(1)
    } else {
        args.chunk_size
    };
    let mut failure: Option<DecodeError> = None;
    for chunk in input.chunks(size) {
        if let Err(error) = decoder.feed(chunk, &mut sink) {
            // A JSON-array error is final; an oversized SSE event is reported, not skipped over.
            failure = Some(error);
            break;
        }
    }
    if failure.is_none()
        && let Err(error) = decoder.finish(&mut sink)
    {
        failure = Some(error);
    }
    if let Some(error) = write_error {
        return write_failed(&error, err);
    }
    let message = assembler.finish();
    if !print_events {
        let summary = message_json(&message, failure.as_ref());
        let written = serde_json::to_writer(&mut *out, &summary)
            .map_err(io::Error::from)
            .and_then(|()| out.write_all(b"\n"));
        if let Err(error) = written {
            return write_failed(&error, err);
        }
    }
    if let Err(error) = out.flush() {
        return write_failed(&error, err);
    }
    if let Some(error) = failure {
        diagnostic(
            err,
            format_args!("error: {error}; everything decoded before it was printed"),
        );
        return Status::Failed;
    }
    if let Some(error) = &message.error {
        diagnostic(
            err,
            format_args!(
                "error: the provider reported an error inside the stream{}: {}",
                error
                    .code
                    .as_deref()
                    .map(|code| format!(" ({code})"))
                    .unwrap_or_default(),
                error.message
            ),
        );
        return Status::Failed;
    }
    Status::Success
}

/// CLI.md's message shape: `{"text","reasoning","tool_calls":[{"id","name","arguments"}],
/// "finish_reason","usage","error"}`. `error` holds the provider's error, or else the decoding
/// failure (`{"code":"stream_truncated"|"malformed_stream","message":…}`).
fn message_json(message: &AssembledMessage, failure: Option<&DecodeError>) -> Value {
    let tool_calls: Vec<Value> = message
        .tool_calls()
        .map(|call| json!({"id": call.id, "name": call.name, "arguments": call.arguments}))
        .collect();
    let error = match (&message.error, failure) {
        (Some(error), _) => json!({"code": error.code, "message": error.message}),
        (
            None,
            Some(
                failure @ (DecodeError::Truncated { .. }
                | DecodeError::Sse(SseError::Truncated { .. })),
            ),
        ) => {
            json!({"code": "stream_truncated", "message": failure.to_string()})
        }
        (None, Some(failure)) => {
            json!({"code": "malformed_stream", "message": failure.to_string()})
        }
        (None, None) => Value::Null,
    };
    json!({
        "text": message.text(),
        "reasoning": message.reasoning(),
        "tool_calls": tool_calls,
        "finish_reason": message.finish_reason,
        "usage": message.usage,
        "error": error,
    })
}
