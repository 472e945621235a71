//! Shared helpers: fixture paths, chunkings, and "run a decoder to completion" drivers that
//! record every result (events and errors, including the ones reported after `finish()`).

use std::fs;
use std::path::PathBuf;

use clawrouter_wire::json_array::{JsonArrayError, JsonArraySplitter, JsonFrame};
use clawrouter_wire::sse::{OwnedSseEvent, SseDecoder, SseError};
use clawrouter_wire::transport::{Framing, Transport};
use serde_json::Value;

/// `fixtures/` at the workspace root.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// One recorded stream of `fixtures/wire/`: its transport, framing, body and expected message.
pub struct WireCase {
    pub name: String,
    pub transport: Transport,
    pub framing: Framing,
    pub body: Vec<u8>,
    /// `expected_message.json`.
    pub expected: Value,
}

/// Every case of `fixtures/wire/`, sorted by name (all 24 must be there).
pub fn wire_cases() -> Vec<WireCase> {
    let dir = fixtures_dir().join("wire");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| dir.join(name).join("meta.json").exists())
        .collect();
    names.sort();
    assert_eq!(names.len(), 24, "fixtures/wire should hold 24 cases");
    names
        .into_iter()
        .map(|name| {
            let case = dir.join(&name);
            let read_json = |file: &str| -> Value {
                serde_json::from_slice(&fs::read(case.join(file)).unwrap()).unwrap()
            };
            let meta = read_json("meta.json");
            let transport = meta["transport"].as_str().unwrap().parse().unwrap();
            let framing = match meta["framing"].as_str().unwrap() {
                "sse" => Framing::Sse,
                "json-array" => Framing::JsonArray,
                other => panic!("{name}: unknown framing {other}"),
            };
            WireCase {
                body: fs::read(case.join("body")).unwrap(),
                expected: read_json("expected_message.json"),
                name,
                transport,
                framing,
            }
        })
        .collect()
}

/// Decodes a lowercase or uppercase hex string.
pub fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd-length hex {s:?}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// `input` cut into `size`-byte pieces (the last one may be shorter). `size == 0` means whole.
pub fn chunks_of(input: &[u8], size: usize) -> Vec<&[u8]> {
    if size == 0 || input.is_empty() {
        return vec![input];
    }
    input.chunks(size).collect()
}

/// `input` cut at the given (sorted, in-range) positions.
pub fn split_at_points<'a>(input: &'a [u8], points: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::with_capacity(points.len() + 1);
    let mut start = 0;
    for &p in points {
        out.push(&input[start..p]);
        start = p;
    }
    out.push(&input[start..]);
    out
}

/// Every two-chunk split of `input`, including the empty first / last chunk.
pub fn two_chunk_splits(input: &[u8]) -> impl Iterator<Item = (usize, [&[u8]; 2])> {
    (0..=input.len()).map(move |i| {
        let (a, b) = input.split_at(i);
        (i, [a, b])
    })
}

/// One result of [`SseDecoder::next_event`]: an event or an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseItem {
    Event(OwnedSseEvent),
    Error(SseError),
}

impl SseItem {
    pub fn event(&self) -> Option<&OwnedSseEvent> {
        match self {
            SseItem::Event(e) => Some(e),
            SseItem::Error(_) => None,
        }
    }
}

/// Everything observable after a complete run over one stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseRun {
    /// Results returned while feeding, then after `finish()`, in order.
    pub items: Vec<SseItem>,
    /// How many of `items` were returned after `finish()`.
    pub after_finish: usize,
    pub last_event_id: String,
    pub reconnection_time: Option<u64>,
}

impl SseRun {
    pub fn events(&self) -> Vec<OwnedSseEvent> {
        self.items
            .iter()
            .filter_map(SseItem::event)
            .cloned()
            .collect()
    }

    pub fn errors(&self) -> Vec<SseError> {
        self.items
            .iter()
            .filter_map(|i| match i {
                SseItem::Error(e) => Some(e.clone()),
                SseItem::Event(_) => None,
            })
            .collect()
    }

    /// `(event, data)` pairs, the shape of `expected_frames.jsonl`.
    pub fn event_data(&self) -> Vec<(String, String)> {
        self.events()
            .into_iter()
            .map(|e| (e.event.into_owned(), e.data))
            .collect()
    }
}

/// Calls `next_event()` until `Ok(None)`, recording everything.
pub fn drain_sse(d: &mut SseDecoder, out: &mut Vec<SseItem>) {
    drain_sse_by(d, out, |d| {
        d.next_event().map(|e| e.map(|e| e.into_owned()))
    });
}

/// [`drain_sse`] through `next_owned_event`.
pub fn drain_sse_owned(d: &mut SseDecoder, out: &mut Vec<SseItem>) {
    drain_sse_by(d, out, SseDecoder::next_owned_event);
}

fn drain_sse_by(
    d: &mut SseDecoder,
    out: &mut Vec<SseItem>,
    next: impl Fn(&mut SseDecoder) -> Result<Option<OwnedSseEvent>, SseError>,
) {
    let mut consecutive_errors = 0;
    loop {
        match next(d) {
            Ok(Some(ev)) => {
                consecutive_errors = 0;
                out.push(SseItem::Event(ev));
            }
            Ok(None) => return,
            Err(e) => {
                consecutive_errors += 1;
                assert!(
                    consecutive_errors < 10_000,
                    "next_event() keeps returning errors without reaching Ok(None): {e:?}"
                );
                out.push(SseItem::Error(e));
            }
        }
    }
}

/// Feeds `chunks` one by one into `d` (draining after each), then finishes and drains.
pub fn run_sse_with<'a, I>(d: SseDecoder, chunks: I) -> SseRun
where
    I: IntoIterator<Item = &'a [u8]>,
{
    run_sse_draining(d, chunks, drain_sse)
}

/// [`run_sse_with`], pulling with `next_owned_event` (what the `Stream` adapter does).
pub fn run_sse_owned_with<'a, I>(d: SseDecoder, chunks: I) -> SseRun
where
    I: IntoIterator<Item = &'a [u8]>,
{
    run_sse_draining(d, chunks, drain_sse_owned)
}

fn run_sse_draining<'a, I>(
    mut d: SseDecoder,
    chunks: I,
    drain: fn(&mut SseDecoder, &mut Vec<SseItem>),
) -> SseRun
where
    I: IntoIterator<Item = &'a [u8]>,
{
    let mut items = Vec::new();
    for chunk in chunks {
        d.feed(chunk);
        drain(&mut d, &mut items);
    }
    let before = items.len();
    d.finish();
    drain(&mut d, &mut items);
    // Once the end has been reported, the decoder stays at the end.
    assert!(
        matches!(d.next_event(), Ok(None)),
        "next_event() after the end"
    );
    SseRun {
        after_finish: items.len() - before,
        items,
        last_event_id: d.last_event_id().to_owned(),
        reconnection_time: d.reconnection_time(),
    }
}

/// [`run_sse_with`] with the default configuration.
pub fn run_sse<'a, I>(chunks: I) -> SseRun
where
    I: IntoIterator<Item = &'a [u8]>,
{
    run_sse_with(SseDecoder::new(), chunks)
}

/// An expected event: `message`/`data` with no id and no retry, refined with the builders.
pub fn ev(event: &str, data: &str) -> OwnedSseEvent {
    OwnedSseEvent {
        event: event.to_owned().into(),
        data: data.to_owned(),
        id: None,
        retry: None,
    }
}

pub fn ev_id(event: &str, data: &str, id: &str) -> OwnedSseEvent {
    OwnedSseEvent {
        id: Some(id.to_owned()),
        ..ev(event, data)
    }
}

/// One result of [`JsonArraySplitter::next_frame`], owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonItem {
    Element(Vec<u8>),
    Object(Vec<u8>),
    Error(JsonArrayError),
}

/// Calls `next_frame()` until `Ok(None)` or an error (recorded; the splitter is poisoned then).
/// Returns `true` when an error ended the drain.
pub fn drain_json(s: &mut JsonArraySplitter, out: &mut Vec<JsonItem>) -> bool {
    loop {
        match s.next_frame() {
            Ok(Some(JsonFrame::Element(raw))) => out.push(JsonItem::Element(raw.to_vec())),
            Ok(Some(JsonFrame::Object(raw))) => out.push(JsonItem::Object(raw.to_vec())),
            Ok(None) => return false,
            Err(e) => {
                out.push(JsonItem::Error(e));
                return true;
            }
        }
    }
}

/// Feeds `chunks` into `s`, draining after each, then finishes and drains. Stops at the first
/// error, after checking that the splitter is poisoned (returns the same error again).
pub fn run_json_with<'a, I>(mut s: JsonArraySplitter, chunks: I) -> Vec<JsonItem>
where
    I: IntoIterator<Item = &'a [u8]>,
{
    let mut items = Vec::new();
    let mut failed = false;
    for chunk in chunks {
        s.feed(chunk);
        if drain_json(&mut s, &mut items) {
            failed = true;
            break;
        }
    }
    if !failed {
        s.finish();
        failed = drain_json(&mut s, &mut items);
    }
    if failed {
        let Some(JsonItem::Error(first)) = items.last().cloned() else {
            unreachable!()
        };
        // Poisoned: the same error again, also after more input and after finish().
        assert_eq!(s.next_frame().err(), Some(first.clone()), "not poisoned");
        s.feed(b"[1]");
        assert_eq!(
            s.next_frame().err(),
            Some(first.clone()),
            "not poisoned after feed"
        );
        s.finish();
        assert_eq!(
            s.next_frame().err(),
            Some(first),
            "not poisoned after finish"
        );
    } else {
        assert_eq!(s.next_frame(), Ok(None), "next_frame() after the end");
    }
    items
}

pub fn run_json<'a, I>(chunks: I) -> Vec<JsonItem>
where
    I: IntoIterator<Item = &'a [u8]>,
{
    run_json_with(JsonArraySplitter::new(), chunks)
}
