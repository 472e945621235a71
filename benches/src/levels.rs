//! Levels L2 and L3 of WIRE.md §4.3, over the same pre-built `Vec<Bytes>` as the L1 benches.
//!
//! - **L2** — framing plus `serde_json::from_str` of every event's data into the *same* borrowed
//!   typed struct for every decoder (ours, sse-stream, eventsource-stream). `[DONE]` is skipped;
//!   every other event must parse. The struct of each corpus keeps only what the provider
//!   semantics need for text (the text fields, `id`, `type`, `finish_reason`): serde skips the
//!   rest. Strings are `Cow` and borrow from the event data when they have no escapes (for the
//!   peers that is their owned `String` data: the struct borrows from it).
//! - **L3** — ours only: [`ResponseDecoder`] (framing + the transport decoder, full provider
//!   semantics) with a sink that `black_box`es the length of each text / reasoning / tool-argument
//!   fragment; and the same folded into a [`MessageAssembler`] (`l3_ours_assembled`).
//!
//! Every runner returns `(events, text bytes)`: for L2 the number of events parsed and the sum of
//! the lengths of their text fields; for L3 the number of [`StreamEvent`]s and the sum of the
//! lengths of their text, reasoning and tool-argument fragments (the same bytes, so the totals
//! agree with L2's).

use std::borrow::Cow;
use std::hint::black_box;
use std::io;

use bytes::Bytes;
use futures_util::StreamExt as _;
use serde::Deserialize;

use clawrouter_wire::assemble::MessageAssembler;
use clawrouter_wire::events::StreamEvent;
use clawrouter_wire::sse::SseDecoder;
use clawrouter_wire::transport::{Framing, ResponseDecoder, Transport};

use crate::corpus::{self, Corpus};

/// The functions of a `levels/<corpus>` group, in report column order.
pub const FUNCTIONS: [&str; 5] = [
    "l2_ours",
    "l2_sse_stream",
    "l2_eventsource_stream",
    "l3_ours",
    "l3_ours_assembled",
];

/// The L2 decoders (the first three of [`FUNCTIONS`]).
pub const L2: [&str; 3] = ["l2_ours", "l2_sse_stream", "l2_eventsource_stream"];

/// Which typed struct (and which transport) a corpus is decoded with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// OpenAI Chat Completions chunks.
    OpenAiChat,
    /// OpenAI Responses events.
    OpenAiResponses,
    /// Anthropic Messages events.
    Anthropic,
    /// Gemini `GenerateContentResponse`s (`alt=sse`).
    Gemini,
}

impl Kind {
    /// The transport that decodes this corpus at L3.
    #[must_use]
    pub fn transport(self) -> Transport {
        match self {
            Kind::OpenAiChat => Transport::OpenAiCompletions,
            Kind::OpenAiResponses => Transport::OpenAiResponses,
            Kind::Anthropic => Transport::AnthropicMessages,
            Kind::Gemini => Transport::GoogleGenerativeAi,
        }
    }
}

/// The corpora of the `levels` bench, with their kind.
#[must_use]
pub fn corpora() -> Vec<(Corpus, Kind)> {
    vec![
        (corpus::openai_chat(), Kind::OpenAiChat),
        (corpus::openai_responses(), Kind::OpenAiResponses),
        (corpus::anthropic(), Kind::Anthropic),
        (corpus::gemini_sse_crlf(), Kind::Gemini),
    ]
}

// ---------------------------------------------------------------------------------------------
// The borrowed typed structs (the same for every L2 decoder)
// ---------------------------------------------------------------------------------------------

/// A JSON string, borrowed from the data when it has no escapes. (`Option<Cow<str>>` with
/// `#[serde(borrow)]` would always allocate: serde only borrows a bare `Cow<str>` field.)
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct Str<'a>(#[serde(borrow)] pub Cow<'a, str>);

fn len(s: Option<&Str<'_>>) -> usize {
    s.map_or(0, |s| s.0.len())
}

/// OpenAI chat: `chat.completion.chunk`.
pub mod openai_chat {
    use super::{Deserialize, Str, len};

    #[derive(Debug, Deserialize)]
    pub struct Chunk<'a> {
        #[serde(borrow, default)]
        pub id: Option<Str<'a>>,
        #[serde(borrow, default)]
        pub choices: Vec<Choice<'a>>,
    }

    #[derive(Debug, Deserialize)]
    pub struct Choice<'a> {
        #[serde(borrow, default)]
        pub delta: Option<Delta<'a>>,
        #[serde(borrow, default)]
        pub finish_reason: Option<Str<'a>>,
    }

    #[derive(Debug, Deserialize)]
    pub struct Delta<'a> {
        #[serde(borrow, default)]
        pub content: Option<Str<'a>>,
    }

    impl Chunk<'_> {
        #[must_use]
        pub fn text_len(&self) -> usize {
            self.choices
                .iter()
                .filter_map(|c| c.delta.as_ref())
                .map(|d| len(d.content.as_ref()))
                .sum()
        }
    }
}

/// OpenAI Responses: one event object; only the `*.delta` events carry text.
pub mod openai_responses {
    use super::{Deserialize, Str, len};

    #[derive(Debug, Deserialize)]
    pub struct Event<'a> {
        #[serde(borrow, rename = "type")]
        pub kind: Str<'a>,
        #[serde(borrow, default)]
        pub delta: Option<Str<'a>>,
    }

    impl Event<'_> {
        #[must_use]
        pub fn text_len(&self) -> usize {
            len(self.delta.as_ref())
        }
    }
}

/// Anthropic Messages: `type`, `index`, `delta { type, text, thinking, partial_json }`.
pub mod anthropic {
    use super::{Deserialize, Str, len};

    #[derive(Debug, Deserialize)]
    pub struct Event<'a> {
        #[serde(borrow, rename = "type")]
        pub kind: Str<'a>,
        #[serde(default)]
        pub index: Option<u64>,
        #[serde(borrow, default)]
        pub delta: Option<Delta<'a>>,
    }

    #[derive(Debug, Deserialize)]
    pub struct Delta<'a> {
        #[serde(borrow, default, rename = "type")]
        pub kind: Option<Str<'a>>,
        #[serde(borrow, default)]
        pub text: Option<Str<'a>>,
        #[serde(borrow, default)]
        pub thinking: Option<Str<'a>>,
        #[serde(borrow, default)]
        pub partial_json: Option<Str<'a>>,
    }

    impl Event<'_> {
        #[must_use]
        pub fn text_len(&self) -> usize {
            self.delta.as_ref().map_or(0, |d| {
                len(d.text.as_ref()) + len(d.thinking.as_ref()) + len(d.partial_json.as_ref())
            })
        }
    }
}

/// Gemini: `candidates[].content.parts[].{text, thought}`, `finishReason`.
pub mod gemini {
    use super::{Deserialize, Str, len};

    #[derive(Debug, Deserialize)]
    pub struct Response<'a> {
        #[serde(borrow, default)]
        pub candidates: Vec<Candidate<'a>>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Candidate<'a> {
        #[serde(borrow, default)]
        pub content: Option<Content<'a>>,
        #[serde(borrow, default)]
        pub finish_reason: Option<Str<'a>>,
    }

    #[derive(Debug, Deserialize)]
    pub struct Content<'a> {
        #[serde(borrow, default)]
        pub parts: Vec<Part<'a>>,
    }

    #[derive(Debug, Deserialize)]
    pub struct Part<'a> {
        #[serde(borrow, default)]
        pub text: Option<Str<'a>>,
        #[serde(default)]
        pub thought: Option<bool>,
    }

    impl Response<'_> {
        #[must_use]
        pub fn text_len(&self) -> usize {
            self.candidates
                .iter()
                .filter_map(|c| c.content.as_ref())
                .flat_map(|c| &c.parts)
                .map(|p| len(p.text.as_ref()))
                .sum()
        }
    }
}

fn parse_failed(data: &str, e: &serde_json::Error) -> ! {
    panic!(
        "L2: event data does not parse ({e}): {:?}",
        data.get(..80.min(data.len()))
    )
}

fn text_openai_chat(data: &str) -> usize {
    serde_json::from_str::<openai_chat::Chunk<'_>>(data)
        .unwrap_or_else(|e| parse_failed(data, &e))
        .text_len()
}

fn text_openai_responses(data: &str) -> usize {
    serde_json::from_str::<openai_responses::Event<'_>>(data)
        .unwrap_or_else(|e| parse_failed(data, &e))
        .text_len()
}

fn text_anthropic(data: &str) -> usize {
    serde_json::from_str::<anthropic::Event<'_>>(data)
        .unwrap_or_else(|e| parse_failed(data, &e))
        .text_len()
}

fn text_gemini(data: &str) -> usize {
    serde_json::from_str::<gemini::Response<'_>>(data)
        .unwrap_or_else(|e| parse_failed(data, &e))
        .text_len()
}

// ---------------------------------------------------------------------------------------------
// L2 runners
// ---------------------------------------------------------------------------------------------

fn byte_stream(
    chunks: &[Bytes],
) -> impl futures_util::Stream<Item = Result<Bytes, io::Error>> + Unpin + '_ {
    futures_util::stream::iter(chunks.iter().cloned().map(Ok::<_, io::Error>))
}

/// `[DONE]` is OpenAI's end marker, not JSON: skipped by every L2 decoder.
fn is_done(data: &str) -> bool {
    data == "[DONE]"
}

fn l2_ours_with(chunks: &[Bytes], text: impl Fn(&str) -> usize) -> (u64, u64) {
    let mut d = SseDecoder::new();
    let (mut n, mut total) = (0u64, 0u64);
    let mut on = |data: &str| {
        if !is_done(data) {
            total += black_box(text(data)) as u64;
            n += 1;
        }
    };
    for c in chunks {
        d.feed(c);
        while let Some(ev) = d.next_event().unwrap() {
            on(ev.data);
        }
    }
    d.finish();
    while let Some(ev) = d.next_event().unwrap() {
        on(ev.data);
    }
    (n, total)
}

fn l2_sse_stream_with(chunks: &[Bytes], text: impl Fn(&str) -> usize) -> (u64, u64) {
    futures_executor::block_on(async {
        let mut s = sse_stream::SseByteStream::new(byte_stream(chunks));
        let (mut n, mut total) = (0u64, 0u64);
        while let Some(ev) = s.next().await {
            if let Some(data) = ev.unwrap().data
                && !is_done(&data)
            {
                total += black_box(text(&data)) as u64;
                n += 1;
            }
        }
        (n, total)
    })
}

fn l2_eventsource_stream_with(chunks: &[Bytes], text: impl Fn(&str) -> usize) -> (u64, u64) {
    futures_executor::block_on(async {
        let mut s = eventsource_stream::EventStream::new(byte_stream(chunks));
        let (mut n, mut total) = (0u64, 0u64);
        while let Some(ev) = s.next().await {
            let data = ev.unwrap().data;
            if !is_done(&data) {
                total += black_box(text(&data)) as u64;
                n += 1;
            }
        }
        (n, total)
    })
}

fn l2_with(function: &str, chunks: &[Bytes], text: impl Fn(&str) -> usize) -> Option<(u64, u64)> {
    match function {
        "l2_ours" => Some(l2_ours_with(chunks, text)),
        "l2_sse_stream" => Some(l2_sse_stream_with(chunks, text)),
        "l2_eventsource_stream" => Some(l2_eventsource_stream_with(chunks, text)),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// L3 runners
// ---------------------------------------------------------------------------------------------

/// The length of the text, reasoning or tool-argument fragment an event carries (0 otherwise).
#[must_use]
pub fn fragment_len(event: &StreamEvent<'_>) -> usize {
    match event {
        StreamEvent::TextDelta { text } | StreamEvent::ReasoningDelta { text } => text.len(),
        StreamEvent::ToolCallArguments { fragment, .. } => fragment.len(),
        _ => 0,
    }
}

/// Ours at L3: [`ResponseDecoder`] with a sink that counts the events and `black_box`es the
/// fragment lengths. Panics if the body is truncated (the corpora are complete).
#[must_use]
pub fn l3_ours(transport: Transport, chunks: &[Bytes]) -> (u64, u64) {
    let mut d = ResponseDecoder::new(transport, Framing::Sse);
    let (mut n, mut total) = (0u64, 0u64);
    let mut sink = |event: StreamEvent<'_>| {
        total += black_box(fragment_len(&event)) as u64;
        n += 1;
    };
    for c in chunks {
        d.feed(c, &mut sink).unwrap();
    }
    d.finish(&mut sink).unwrap();
    (n, total)
}

/// [`l3_ours`], with every event also folded into a [`MessageAssembler`]; the assembled message
/// is `black_box`ed (and dropped) at the end.
#[must_use]
pub fn l3_ours_assembled(transport: Transport, chunks: &[Bytes]) -> (u64, u64) {
    let mut d = ResponseDecoder::new(transport, Framing::Sse);
    let mut assembler = MessageAssembler::new();
    let (mut n, mut total) = (0u64, 0u64);
    let mut sink = |event: StreamEvent<'_>| {
        total += black_box(fragment_len(&event)) as u64;
        n += 1;
        assembler.push(&event);
    };
    for c in chunks {
        d.feed(c, &mut sink).unwrap();
    }
    d.finish(&mut sink).unwrap();
    black_box(assembler.finish());
    (n, total)
}

/// Runs one function of [`FUNCTIONS`] on a corpus of `kind`. `None` for an unknown name.
#[must_use]
pub fn run(function: &str, kind: Kind, chunks: &[Bytes]) -> Option<(u64, u64)> {
    match function {
        "l3_ours" => Some(l3_ours(kind.transport(), chunks)),
        "l3_ours_assembled" => Some(l3_ours_assembled(kind.transport(), chunks)),
        _ => match kind {
            Kind::OpenAiChat => l2_with(function, chunks, text_openai_chat),
            Kind::OpenAiResponses => l2_with(function, chunks, text_openai_responses),
            Kind::Anthropic => l2_with(function, chunks, text_anthropic),
            Kind::Gemini => l2_with(function, chunks, text_gemini),
        },
    }
}

/// Before timing: every L2 decoder parses the same number of events with the same total text
/// length, and L3 (both variants) sees the same total text length. Returns the L2 event count
/// and the text total. Panics on any disagreement.
pub fn assert_agree(what: &str, kind: Kind, chunks: &[Bytes]) -> (u64, u64) {
    let reference = run("l2_ours", kind, chunks).unwrap();
    assert!(reference.0 > 0 && reference.1 > 0, "{what}: empty corpus");
    for f in L2 {
        let got = run(f, kind, chunks).unwrap();
        assert_eq!(
            got, reference,
            "{what}: {f} disagrees with l2_ours: (events, text bytes)"
        );
    }
    for f in ["l3_ours", "l3_ours_assembled"] {
        let (_, text) = run(f, kind, chunks).unwrap();
        assert_eq!(
            text, reference.1,
            "{what}: {f} fragment bytes differ from L2's text bytes"
        );
    }
    reference
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunks;

    #[test]
    fn levels_agree_on_every_corpus() {
        for (c, kind) in corpora() {
            for chunking in [Some(1460), None] {
                let ch = chunks(&c.body, chunking);
                let (n, text) = assert_agree(c.name, kind, &ch);
                assert!(n > 0 && text > 0, "{}", c.name);
            }
        }
    }

    #[test]
    fn openai_chat_variants_escape_as_promised() {
        for (c, all) in [
            (corpus::openai_chat_no_escapes(), false),
            (corpus::openai_chat_all_escapes(), true),
        ] {
            let ch = chunks(&c.body, Some(1460));
            let mut d = ResponseDecoder::new(Transport::OpenAiCompletions, Framing::Sse);
            let (mut deltas, mut owned) = (0, 0);
            let mut sink = |event: StreamEvent<'_>| {
                if let StreamEvent::TextDelta { text } = event {
                    deltas += 1;
                    owned += usize::from(matches!(text, Cow::Owned(_)));
                }
            };
            for chunk in &ch {
                d.feed(chunk, &mut sink).unwrap();
            }
            d.finish(&mut sink).unwrap();
            assert_eq!(deltas, 1000, "{}", c.name);
            assert_eq!(owned, if all { 1000 } else { 0 }, "{}", c.name);
        }
    }
}
