//! Transport decoding (framing + per-transport events + message assembly): the first input byte
//! picks one of the four transports and the framing, the rest is the body. The same body fed in
//! one piece, one byte at a time and in a pseudo-random schedule must give identical events,
//! assembled message and end result; nothing may panic; every assembled tool call's arguments
//! are either valid JSON or flagged.
#![no_main]

mod common;

use clawrouter_wire::assemble::{AssembledMessage, MessageAssembler};
use clawrouter_wire::transport::{DecodeError, Framing, ResponseDecoder, Transport};
use common::{Step, bytewise, hash, one_shot, random};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, PartialEq)]
struct Run {
    events: Vec<String>,
    message: AssembledMessage,
    feed_errors: Vec<DecodeError>,
    end: Result<(), DecodeError>,
}

fn run(transport: Transport, framing: Framing, body: &[u8], steps: &[Step]) -> Run {
    let mut decoder = ResponseDecoder::new(transport, framing);
    let mut assembler = MessageAssembler::new();
    let mut events = Vec::new();
    let mut feed_errors = Vec::new();
    let mut sink = |event: clawrouter_wire::events::StreamEvent<'_>| {
        events.push(serde_json::to_string(&event).expect("events serialize"));
        assembler.push(&event);
    };
    let mut at = 0;
    for step in steps {
        let piece = &body[at..at + step.len];
        at += step.len;
        // A JSON-array error is final and comes back on every later feed: record it once.
        if let Err(error) = decoder.feed(piece, &mut sink)
            && feed_errors.last() != Some(&error)
        {
            feed_errors.push(error);
        }
    }
    let end = decoder.finish(&mut sink);
    Run { events, message: assembler.finish(), feed_errors, end }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let transport = Transport::ALL[usize::from(selector & 3)];
    let framing = if selector & 4 == 0 { Framing::Sse } else { Framing::JsonArray };

    let whole = run(transport, framing, body, &one_shot(body.len()));
    let bytes = run(transport, framing, body, &bytewise(body.len()));
    assert_eq!(whole, bytes, "one feed vs one byte per feed");
    let split = run(transport, framing, body, &random(body.len(), hash(data)));
    assert_eq!(whole, split, "one feed vs random split");

    for call in whole.message.tool_calls() {
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&call.arguments).is_ok(),
            call.arguments_error.is_none(),
            "arguments {:?} flagged inconsistently",
            call.arguments
        );
    }
});
