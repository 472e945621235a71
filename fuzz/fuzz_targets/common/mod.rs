//! Helpers shared by the fuzz targets: split schedules, drain loops and a reference SSE model.
#![allow(dead_code)]

use clawrouter_wire::assemble::{AssembledMessage, MessageAssembler};
use clawrouter_wire::transport::{DecodeError, Framing, ResponseDecoder, Transport};
use clawrouter_wire::json_array::{
    JsonArrayConfig, JsonArrayError, JsonArraySplitter, OwnedJsonFrame,
};
use clawrouter_wire::sse::{OwnedSseEvent, SseConfig, SseDecoder, SseError};

/// FNV-1a of the input: seeds the split schedule, so a schedule is a pure function of the input
/// and every crash reproduces from the crashing file alone.
pub fn hash(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// splitmix64.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
}

/// One step of a split schedule: feed this many bytes, then drain (or not).
#[derive(Clone, Copy, Debug)]
pub struct Step {
    pub len: usize,
    pub drain: bool,
}

/// The whole input in one feed.
pub fn one_shot(len: usize) -> Vec<Step> {
    vec![Step { len, drain: true }]
}

/// One byte per feed, draining after every byte: the most adversarial split for line/CRLF/BOM
/// and string/escape state carried across feeds.
pub fn bytewise(len: usize) -> Vec<Step> {
    (0..len)
        .map(|_| Step {
            len: 1,
            drain: true,
        })
        .collect()
}

/// A pseudo-random schedule: mostly tiny pieces, some larger ones, some empty feeds, and
/// sometimes several feeds before the next drain (so several frames are pending at once).
pub fn random(len: usize, seed: u64) -> Vec<Step> {
    let mut rng = Rng::new(seed);
    let mut steps = Vec::new();
    let mut left = len;
    while left > 0 {
        let piece = match rng.below(8) {
            0 => 0,
            1..=4 => 1 + rng.below(8) as usize,
            5 | 6 => 1 + rng.below(64) as usize,
            _ => 1 + rng.below(512) as usize,
        }
        .min(left);
        left -= piece;
        steps.push(Step {
            len: piece,
            drain: rng.below(4) != 0,
        });
    }
    steps
}

/// Everything an SSE decoder produced for one input, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SseRun {
    pub outputs: Vec<Result<OwnedSseEvent, SseError>>,
    pub last_event_id: String,
    pub reconnection_time: Option<u64>,
    pub stream_offset: u64,
    pub ignored_lines: Vec<u8>,
}

fn drain_sse(
    decoder: &mut SseDecoder,
    outputs: &mut Vec<Result<OwnedSseEvent, SseError>>,
    budget: &mut usize,
    owned: bool,
) {
    loop {
        assert!(*budget > 0, "next_event keeps returning items: {outputs:?}");
        *budget -= 1;
        let next = if owned {
            decoder.next_owned_event()
        } else {
            decoder.next_event().map(|event| event.map(|event| event.into_owned()))
        };
        match next {
            Ok(Some(event)) => outputs.push(Ok(event)),
            Ok(None) => break,
            // Errors do not end SSE decoding: keep pulling.
            Err(error) => outputs.push(Err(error)),
        }
    }
}

/// Feeds `data` to a fresh decoder following `schedule`, then finishes and drains to `Ok(None)`.
pub fn run_sse(config: SseConfig, data: &[u8], schedule: &[Step]) -> SseRun {
    run_sse_pulling(config, data, schedule, false)
}

/// [`run_sse`], pulling with `next_owned_event` (what the `Stream` adapter does).
pub fn run_sse_owned(config: SseConfig, data: &[u8], schedule: &[Step]) -> SseRun {
    run_sse_pulling(config, data, schedule, true)
}

fn run_sse_pulling(config: SseConfig, data: &[u8], schedule: &[Step], owned: bool) -> SseRun {
    let mut decoder = SseDecoder::with_config(config);
    let mut outputs = Vec::new();
    // Every output item needs at least one input byte (an event needs a line end, an error
    // needs bytes), plus one end-of-input error and the final `Ok(None)` calls per drain.
    let mut budget = 2 * data.len() + 2 * schedule.len() + 8;
    let mut rest = data;
    for step in schedule {
        let (piece, tail) = rest.split_at(step.len);
        rest = tail;
        decoder.feed(piece);
        if step.drain {
            drain_sse(&mut decoder, &mut outputs, &mut budget, owned);
        }
    }
    assert!(rest.is_empty(), "schedule does not cover the input");
    decoder.finish();
    drain_sse(&mut decoder, &mut outputs, &mut budget, owned);
    // The end is sticky: asking again yields nothing more.
    assert!(
        matches!(decoder.next_event(), Ok(None)),
        "next_event after Ok(None) at EOF"
    );
    SseRun {
        outputs,
        last_event_id: decoder.last_event_id().to_owned(),
        reconnection_time: decoder.reconnection_time(),
        stream_offset: decoder.stream_offset(),
        ignored_lines: decoder.ignored_lines().to_vec(),
    }
}

/// Everything a JSON-array splitter produced for one input: its frames, then the first error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonRun {
    pub frames: Vec<OwnedJsonFrame>,
    pub error: Option<JsonArrayError>,
    pub done: bool,
}

fn drain_json(splitter: &mut JsonArraySplitter, run: &mut JsonRun, budget: &mut usize) {
    if let Some(error) = &run.error {
        // The first error is sticky.
        assert_eq!(
            splitter.next_frame().as_ref().err(),
            Some(error),
            "error not sticky"
        );
        return;
    }
    loop {
        assert!(*budget > 0, "next_frame keeps returning frames: {run:?}");
        *budget -= 1;
        match splitter.next_frame() {
            Ok(Some(frame)) => run.frames.push(frame.into_owned()),
            Ok(None) => break,
            Err(error) => {
                run.error = Some(error);
                break;
            }
        }
    }
}

/// Feeds `data` to a fresh splitter following `schedule`, then finishes and drains.
pub fn run_json(config: JsonArrayConfig, data: &[u8], schedule: &[Step]) -> JsonRun {
    let mut splitter = JsonArraySplitter::with_config(config);
    let mut run = JsonRun {
        frames: Vec::new(),
        error: None,
        done: false,
    };
    let mut budget = data.len() + schedule.len() + 8;
    let mut rest = data;
    for step in schedule {
        let (piece, tail) = rest.split_at(step.len);
        rest = tail;
        splitter.feed(piece);
        if step.drain {
            drain_json(&mut splitter, &mut run, &mut budget);
        }
    }
    assert!(rest.is_empty(), "schedule does not cover the input");
    splitter.finish();
    drain_json(&mut splitter, &mut run, &mut budget);
    drain_json(&mut splitter, &mut run, &mut budget);
    run.done = splitter.is_done();
    run
}

/// What the reference model says about one SSE stream (default config).
#[derive(Debug, PartialEq, Eq)]
pub struct SseModel {
    pub events: Vec<OwnedSseEvent>,
    pub last_event_id: String,
    pub reconnection_time: Option<u64>,
    /// The stream ended inside a block: a partial line, or a block with at least one field
    /// (not a comment) and no blank line yet.
    pub truncated: bool,
}

/// A direct, slow transcription of WHATWG HTML "interpreting an event stream", used as the
/// oracle for the decoder's events. Decode the whole stream as UTF-8 with replacement (which
/// also strips one leading BOM), split into lines at CRLF / LF / CR, drop the unterminated
/// last line, and process each line.
pub fn sse_model(data: &[u8]) -> SseModel {
    let text = String::from_utf8_lossy(data);
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);

    let mut events = Vec::new();
    let mut data_buf = String::new();
    let mut event_type = String::new();
    let mut id_buf: Option<String> = None;
    let mut last_event_id: Option<String> = None;
    let mut retry_pending: Option<u64> = None;
    let mut reconnection_time: Option<u64> = None;
    let mut block_has_field = false;

    let mut rest = text;
    let partial_line;
    loop {
        let Some(end) = rest.find(['\r', '\n']) else {
            partial_line = !rest.is_empty();
            break;
        };
        let line = &rest[..end];
        let terminator = if rest[end..].starts_with("\r\n") {
            2
        } else {
            1
        };
        rest = &rest[end + terminator..];

        if line.is_empty() {
            // Dispatch.
            last_event_id = id_buf.clone();
            block_has_field = false;
            if data_buf.is_empty() {
                event_type.clear();
                continue;
            }
            data_buf.pop(); // the trailing "\n"
            let event = if event_type.is_empty() {
                "message".to_owned()
            } else {
                std::mem::take(&mut event_type)
            };
            events.push(OwnedSseEvent {
                event: event.into(),
                data: std::mem::take(&mut data_buf),
                id: last_event_id.clone(),
                retry: retry_pending.take(),
            });
            event_type.clear();
            continue;
        }
        if line.starts_with(':') {
            continue;
        }
        block_has_field = true;
        let (name, value) = match line.find(':') {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(' ').unwrap_or(value))
            }
            None => (line, ""),
        };
        match name {
            "event" => event_type = value.to_owned(),
            "data" => {
                data_buf.push_str(value);
                data_buf.push('\n');
            }
            "id" => {
                if !value.contains('\0') {
                    id_buf = Some(value.to_owned());
                }
            }
            "retry" => {
                if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
                    if let Ok(ms) = value.parse::<u64>() {
                        retry_pending = Some(ms);
                        reconnection_time = Some(ms);
                    }
                }
            }
            _ => {}
        }
    }
    SseModel {
        events,
        last_event_id: last_event_id.unwrap_or_default(),
        reconnection_time,
        truncated: partial_line || block_has_field,
    }
}

/// Everything a transport decoding run produced (events as JSON, the message, the errors).
#[derive(Debug, PartialEq)]
pub struct Run {
    events: Vec<String>,
    message: AssembledMessage,
    feed_errors: Vec<DecodeError>,
    end: Result<(), DecodeError>,
}

pub fn run_transport(transport: Transport, framing: Framing, body: &[u8], steps: &[Step]) -> Run {
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


/// The transport-decoder property: the first byte picks the framing, the rest is the body; one
/// feed, one byte per feed and a pseudo-random schedule must agree exactly, and every assembled
/// tool call's arguments are either valid JSON or flagged.
pub fn check_transport(transport: Transport, data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let framing = if selector & 1 == 0 { Framing::Sse } else { Framing::JsonArray };
    let whole = run_transport(transport, framing, body, &one_shot(body.len()));
    let bytes = run_transport(transport, framing, body, &bytewise(body.len()));
    assert_eq!(whole, bytes, "one feed vs one byte per feed");
    let split = run_transport(transport, framing, body, &random(body.len(), hash(data)));
    assert_eq!(whole, split, "one feed vs random split");
    for call in whole.message.tool_calls() {
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&call.arguments).is_ok(),
            call.arguments_error.is_none(),
            "arguments {:?} flagged inconsistently",
            call.arguments
        );
    }
}
