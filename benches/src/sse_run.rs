//! One function per SSE decoder, over the same pre-built `Vec<Bytes>`.
//!
//! `run_*` is what is timed (WIRE.md §4.3 level L1): count the events and `black_box` the length
//! of each event's data. `collect_*` returns `(event type, data)` per event, and is used before
//! timing to assert that every decoder sees the same events with byte-equal data.
//!
//! The peers are normalised to EventSource semantics exactly as §3.3 / §4.3 say: sse-stream's
//! blocks without data are dropped and its `None` event type is `message`; `id` is never compared
//! (the corpora carry none).
//!
//! The stream-based decoders all run under `futures_executor::block_on` over
//! `futures_util::stream::iter(chunks.iter().cloned().map(Ok::<_, io::Error>))`: one refcount
//! increment per chunk, no allocation.

use std::hint::black_box;
use std::io;

use bytes::Bytes;
use futures_util::StreamExt as _;

use clawrouter_wire::sse::SseDecoder;

/// The decoders compared, in report column order.
pub const DECODERS: [&str; 4] = ["ours", "ours_stream", "sse_stream", "eventsource_stream"];

fn byte_stream(
    chunks: &[Bytes],
) -> impl futures_util::Stream<Item = Result<Bytes, io::Error>> + Unpin + '_ {
    futures_util::stream::iter(chunks.iter().cloned().map(Ok::<_, io::Error>))
}

/// Ours, the sans-IO core: `feed` each chunk, drain `next_event`, then `finish`.
#[must_use]
pub fn run_ours(chunks: &[Bytes]) -> u64 {
    let mut d = SseDecoder::new();
    let mut n = 0u64;
    for c in chunks {
        d.feed(c);
        while let Some(ev) = d.next_event().unwrap() {
            black_box(ev.data.len());
            n += 1;
        }
    }
    d.finish();
    while let Some(ev) = d.next_event().unwrap() {
        black_box(ev.data.len());
        n += 1;
    }
    n
}

/// Ours, through the `Stream` adapter (feature `stream`).
#[cfg(feature = "ours-stream")]
#[must_use]
pub fn run_ours_stream(chunks: &[Bytes]) -> u64 {
    futures_executor::block_on(async {
        let mut s = clawrouter_wire::stream::SseStream::new(byte_stream(chunks));
        let mut n = 0u64;
        while let Some(ev) = s.next().await {
            black_box(ev.unwrap().data.len());
            n += 1;
        }
        n
    })
}

/// sse-stream 0.3.0 through `SseByteStream`, blocks without data dropped.
#[must_use]
pub fn run_sse_stream(chunks: &[Bytes]) -> u64 {
    futures_executor::block_on(async {
        let mut s = sse_stream::SseByteStream::new(byte_stream(chunks));
        let mut n = 0u64;
        while let Some(ev) = s.next().await {
            if let Some(data) = ev.unwrap().data {
                black_box(data.len());
                n += 1;
            }
        }
        n
    })
}

/// eventsource-stream 0.2.3 through `EventStream` (never give it a BOM: it panics).
#[must_use]
pub fn run_eventsource_stream(chunks: &[Bytes]) -> u64 {
    futures_executor::block_on(async {
        let mut s = eventsource_stream::EventStream::new(byte_stream(chunks));
        let mut n = 0u64;
        while let Some(ev) = s.next().await {
            black_box(ev.unwrap().data.len());
            n += 1;
        }
        n
    })
}

/// Whether the benches time `decoder` on `corpus` at `chunking`: `Err` says why not. Cells left
/// out are the quadratic ones of eventsource-stream (hours or minutes each) and, to keep the
/// suite short, `ours_stream` everywhere but `openai_chat` and the 1460 / whole chunkings
/// (`"subset"`). The `sse` and `paired` benches both follow it.
pub fn wants(corpus: &str, decoder: &str, chunking: Option<usize>) -> Result<(), &'static str> {
    // The corpora with ~100k+ lines (not the 1 MiB line, which is one line).
    let many_lines = matches!(corpus, "small_events_100k" | "keepalive_200k");
    match decoder {
        "eventsource_stream"
            if corpus == "huge_line_1mib" && matches!(chunking, Some(n) if n < 1460) =>
        {
            Err("quadratic: re-parses the partial line on every chunk")
        }
        "eventsource_stream" if many_lines && chunking.is_none() => {
            Err("quadratic: copies the rest of the buffer for every line")
        }
        "ours_stream" if corpus != "openai_chat" && !matches!(chunking, Some(1460) | None) => {
            Err("subset")
        }
        _ => Ok(()),
    }
}

/// Runs the named decoder (see [`DECODERS`]). `None` if it is not compiled in.
#[must_use]
#[inline(never)] // a symbol of its own, so that callgrind can count just the decoding
pub fn run(decoder: &str, chunks: &[Bytes]) -> Option<u64> {
    match decoder {
        "ours" => Some(run_ours(chunks)),
        #[cfg(feature = "ours-stream")]
        "ours_stream" => Some(run_ours_stream(chunks)),
        "sse_stream" => Some(run_sse_stream(chunks)),
        "eventsource_stream" => Some(run_eventsource_stream(chunks)),
        _ => None,
    }
}

/// `(event type, data)` of every event.
pub type Events = Vec<(String, String)>;

/// What [`run_ours`] sees, as owned values.
#[must_use]
pub fn collect_ours(chunks: &[Bytes]) -> Events {
    let mut d = SseDecoder::new();
    let mut out = Vec::new();
    for c in chunks {
        d.feed(c);
        while let Some(ev) = d.next_event().unwrap() {
            out.push((ev.event.to_owned(), ev.data.to_owned()));
        }
    }
    d.finish();
    while let Some(ev) = d.next_event().unwrap() {
        out.push((ev.event.to_owned(), ev.data.to_owned()));
    }
    out
}

/// What [`run_ours_stream`] sees.
#[cfg(feature = "ours-stream")]
#[must_use]
pub fn collect_ours_stream(chunks: &[Bytes]) -> Events {
    futures_executor::block_on(async {
        let s = clawrouter_wire::stream::SseStream::new(byte_stream(chunks));
        s.map(|ev| {
            let ev = ev.unwrap();
            (ev.event.into_owned(), ev.data)
        })
        .collect()
        .await
    })
}

/// What [`run_sse_stream`] sees: blocks without data dropped, `None` type → `message`.
#[must_use]
pub fn collect_sse_stream(chunks: &[Bytes]) -> Events {
    futures_executor::block_on(async {
        let s = sse_stream::SseByteStream::new(byte_stream(chunks));
        s.filter_map(|ev| async move {
            let ev = ev.unwrap();
            let data = ev.data?;
            let event = match ev.event {
                Some(e) if !e.is_empty() => e,
                _ => "message".to_owned(),
            };
            Some((event, data))
        })
        .collect()
        .await
    })
}

/// What [`run_eventsource_stream`] sees.
#[must_use]
pub fn collect_eventsource_stream(chunks: &[Bytes]) -> Events {
    futures_executor::block_on(async {
        let s = eventsource_stream::EventStream::new(byte_stream(chunks));
        s.map(|ev| {
            let ev = ev.unwrap();
            (ev.event, ev.data)
        })
        .collect()
        .await
    })
}

/// Collects with the named decoder. `None` if it is not compiled in.
#[must_use]
pub fn collect(decoder: &str, chunks: &[Bytes]) -> Option<Events> {
    match decoder {
        "ours" => Some(collect_ours(chunks)),
        #[cfg(feature = "ours-stream")]
        "ours_stream" => Some(collect_ours_stream(chunks)),
        "sse_stream" => Some(collect_sse_stream(chunks)),
        "eventsource_stream" => Some(collect_eventsource_stream(chunks)),
        _ => None,
    }
}

/// Asserts that every decoder in `decoders` yields exactly `reference` on `chunks`; returns the
/// number of events. Panics with the first difference otherwise (a benchmark of decoders that
/// disagree would be meaningless).
pub fn assert_agree(what: &str, decoders: &[&str], chunks: &[Bytes]) -> u64 {
    let reference = collect_ours(chunks);
    for &dec in decoders {
        let Some(got) = collect(dec, chunks) else {
            continue;
        };
        if got != reference {
            let first = got
                .iter()
                .zip(&reference)
                .position(|(a, b)| a != b)
                .unwrap_or(got.len().min(reference.len()));
            panic!(
                "{what}: {dec} disagrees with ours: {} vs {} events, first difference at event {first}: {:?} vs {:?}",
                got.len(),
                reference.len(),
                got.get(first).map(|(e, d)| (e, d.get(..80.min(d.len())))),
                reference
                    .get(first)
                    .map(|(e, d)| (e, d.get(..80.min(d.len())))),
            );
        }
    }
    reference.len() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{chunks, corpus};

    #[test]
    fn decoders_agree_on_every_corpus() {
        for c in corpus::sse_corpora() {
            if c.name == "huge_line_1mib" {
                continue; // covered by the bench itself; slow in debug builds
            }
            let ch = chunks(&c.body, Some(1460));
            let n = assert_agree(c.name, &DECODERS, &ch);
            assert!(n > 0, "{}", c.name);
        }
    }
}
