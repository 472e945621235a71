//! Allocations per event, from a counting `#[global_allocator]` (WIRE.md §4.3 "Metrics"). A
//! separate bench binary, so the counting does not perturb the criterion timings; plain `main`.
//!
//! For each decoder × corpus × chunking (1460 and `whole`):
//! - **steady** — the body is fed twice through one decoder; only the second pass is counted, so
//!   buffers have already grown to their working size (for the stream-based decoders the counters
//!   are read when the stream pulls the first chunk of the second pass);
//! - **cold** — one fresh decoder over the body once, construction included;
//! - **peak** — the largest heap growth above the starting point during the cold run (bytes).
//!
//! Plus level L3 (ours: `ResponseDecoder` for OpenAI chat, a sink that does not allocate) on
//! `openai_chat`, `openai_chat_no_escapes` and `openai_chat_all_escapes` (groups `levels/…`,
//! decoder `l3_ours`): the steady pass is the whole body after the body with its `[DONE]` replaced
//! by a comment of the same length (after `[DONE]` the decoder ignores everything), and the rows also give the text deltas of that
//! pass, how many had JSON escapes (`Cow::Owned`), and the steady allocations per text delta
//! (`ALLOC_TEXT\t<group>\t<chunking>\t<decoder>\t<text deltas>\t<escaped>\t<allocs/text delta>`).
//!
//! "allocations" counts `alloc`, `alloc_zeroed` and `realloc` calls; "bytes" is the size requested
//! by each of them. Events are counted as the decoder sees them (sse-stream: blocks with data).
//!
//! Prints a Markdown table and one machine-readable line per row:
//! `ALLOC\t<group>\t<chunking>\t<decoder>\t<events>\t<steady allocs/event>\t<steady bytes/event>\t<cold allocs/event>\t<peak bytes>`,
//! and writes the same rows as JSON to `$CLAWROUTER_BENCH_OUT/alloc.json` when that is set.

// The workspace forbids `unsafe`; this crate only denies it (see benches/Cargo.toml) so that the
// `GlobalAlloc` impl below — the only unsafe code here, forwarding to `System` — can exist.
#![allow(unsafe_code)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::borrow::Cow;
use std::hint::black_box;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use bytes::Bytes;
use clawrouter_benches::{chunking_label, chunks, corpus, json_run, sse_run};
use clawrouter_wire::events::StreamEvent;
use clawrouter_wire::json_array::JsonArraySplitter;
use clawrouter_wire::sse::SseDecoder;
use clawrouter_wire::transport::{Framing, ResponseDecoder, Transport};
use futures_util::StreamExt as _;
use serde_json::json;

static ALLOCS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);
static LIVE: AtomicU64 = AtomicU64::new(0);
static PEAK: AtomicU64 = AtomicU64::new(0);

struct Counting;

impl Counting {
    fn grow(size: usize) {
        let live = LIVE.fetch_add(size as u64, Relaxed) + size as u64;
        PEAK.fetch_max(live, Relaxed);
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the counters
// are plain atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(layout.size() as u64, Relaxed);
        Self::grow(layout.size());
        // SAFETY: forwarded as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(layout.size() as u64, Relaxed);
        Self::grow(layout.size());
        // SAFETY: forwarded as is.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as u64, Relaxed);
        // SAFETY: forwarded as is.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(new_size as u64, Relaxed);
        LIVE.fetch_sub(layout.size() as u64, Relaxed);
        Self::grow(new_size);
        // SAFETY: forwarded as is.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[derive(Clone, Copy, Default)]
struct Snap {
    allocs: u64,
    bytes: u64,
}

fn snap() -> Snap {
    Snap {
        allocs: ALLOCS.load(Relaxed),
        bytes: BYTES.load(Relaxed),
    }
}

// Counter values when the second pass started (set from inside the chunk stream).
static MARK_ALLOCS: AtomicU64 = AtomicU64::new(0);
static MARK_BYTES: AtomicU64 = AtomicU64::new(0);

fn mark() {
    let s = snap();
    MARK_ALLOCS.store(s.allocs, Relaxed);
    MARK_BYTES.store(s.bytes, Relaxed);
}

/// Chunks of the body followed by the chunks of the body again, marking the counters when the
/// second pass starts.
fn marked_stream(
    first: &[Bytes],
    twice: &[Bytes],
) -> impl futures_util::Stream<Item = Result<Bytes, io::Error>> + Unpin {
    let half = first.len();
    let all: Vec<Bytes> = twice.to_vec();
    futures_util::stream::iter(all.into_iter().enumerate().map(move |(i, c)| {
        if i == half {
            mark();
        }
        Ok::<_, io::Error>(c)
    }))
}

/// Runs `decoder` over `first` then `first` again, calling `mark()` when the second pass begins.
/// Returns the number of events of both passes.
fn run_twice(decoder: &str, first: &[Bytes]) -> u64 {
    let twice: Vec<Bytes> = first.iter().chain(first.iter()).cloned().collect();
    match decoder {
        "ours" => {
            let mut d = SseDecoder::new();
            let mut n = 0;
            for (i, c) in twice.iter().enumerate() {
                if i == first.len() {
                    mark();
                }
                d.feed(c);
                while let Some(ev) = d.next_event().unwrap() {
                    black_box(ev.data.len());
                    n += 1;
                }
            }
            d.finish();
            while d.next_event().unwrap().is_some() {
                n += 1;
            }
            n
        }
        #[cfg(feature = "ours-stream")]
        "ours_stream" => futures_executor::block_on(async {
            let mut s = clawrouter_wire::stream::SseStream::new(marked_stream(first, &twice));
            let mut n = 0;
            while let Some(ev) = s.next().await {
                black_box(ev.unwrap().data.len());
                n += 1;
            }
            n
        }),
        "sse_stream" => futures_executor::block_on(async {
            let mut s = sse_stream::SseByteStream::new(marked_stream(first, &twice));
            let mut n = 0;
            while let Some(ev) = s.next().await {
                if let Some(d) = ev.unwrap().data {
                    black_box(d.len());
                    n += 1;
                }
            }
            n
        }),
        "eventsource_stream" => futures_executor::block_on(async {
            let mut s = eventsource_stream::EventStream::new(marked_stream(first, &twice));
            let mut n = 0;
            while let Some(ev) = s.next().await {
                black_box(ev.unwrap().data.len());
                n += 1;
            }
            n
        }),
        "json/ours" => {
            // Two arrays back to back are not one valid body: use a fresh splitter state via
            // `reset()`, which keeps the capacity — what a pooled splitter would do.
            let mut s = JsonArraySplitter::new();
            let mut n = 0;
            for (i, c) in twice.iter().enumerate() {
                if i == first.len() {
                    s.finish();
                    while s.next_frame().unwrap().is_some() {
                        n += 1;
                    }
                    s.reset();
                    mark();
                }
                s.feed(c);
                while let Some(f) = s.next_frame().unwrap() {
                    black_box(f.bytes().len());
                    n += 1;
                }
            }
            s.finish();
            while s.next_frame().unwrap().is_some() {
                n += 1;
            }
            n
        }
        "json/serde_json_stream" | "json/serde_json_raw" => {
            let raw = decoder == "json/serde_json_raw";
            let mut n = 0;
            let mut s = json_run::SerdeSplitter::default();
            for (i, c) in twice.iter().enumerate() {
                if i == first.len() {
                    assert!(s.is_done());
                    s = json_run::SerdeSplitter::default();
                    mark();
                }
                s.feed(c);
                if raw {
                    while let Some(el) = s.next_raw() {
                        black_box(el.get().len());
                        n += 1;
                    }
                } else {
                    while let Some(el) = s.next_element() {
                        black_box(el.len());
                        n += 1;
                    }
                }
            }
            n
        }
        other => panic!("unknown decoder {other}"),
    }
}

fn run_once(decoder: &str, chunks: &[Bytes]) -> u64 {
    match decoder.strip_prefix("json/") {
        Some(d) => json_run::run(d, chunks),
        None => sse_run::run(decoder, chunks),
    }
    .unwrap()
}

struct Row {
    group: String,
    chunking: String,
    decoder: String,
    events: u64,
    steady_allocs: f64,
    steady_bytes: f64,
    cold_allocs: f64,
    peak: u64,
    /// L3 rows only: text-delta statistics of the counted (steady) pass.
    text: Option<TextStats>,
}

/// Text deltas of an L3 row's steady pass.
struct TextStats {
    /// `TextDelta` events.
    deltas: u64,
    /// Of those, how many were `Cow::Owned` (their JSON had an escape).
    escaped: u64,
    /// All steady allocations of the pass divided by `deltas` (an upper bound: the pass's other
    /// events are charged to the text deltas too).
    allocs_per_delta: f64,
}

fn measure(group: &str, decoder: &str, body: &[u8], chunking: Option<usize>) -> Row {
    let first = chunks(body, chunking);
    // Warm-up (also faults in code and lazy statics).
    black_box(run_once(decoder, &first));

    let both = run_twice(decoder, &first);
    let end = snap();
    let events = both / 2;
    let steady = Snap {
        allocs: end.allocs - MARK_ALLOCS.load(Relaxed),
        bytes: end.bytes - MARK_BYTES.load(Relaxed),
    };

    let live0 = LIVE.load(Relaxed);
    PEAK.store(live0, Relaxed);
    let before = snap();
    let once = run_once(decoder, &first);
    let after = snap();
    let peak = PEAK.load(Relaxed).saturating_sub(live0);
    assert_eq!(once, events, "{group} {decoder}: pass counts differ");

    let per = |x: u64| x as f64 / events.max(1) as f64;
    Row {
        group: group.to_owned(),
        chunking: chunking_label(chunking),
        decoder: decoder.to_owned(),
        events,
        steady_allocs: per(steady.allocs),
        steady_bytes: per(steady.bytes),
        cold_allocs: per(after.allocs - before.allocs),
        peak,
        text: None,
    }
}

/// Counts an L3 pass: events and text deltas, without allocating (dropping an owned `Cow`
/// deallocates, which is not counted).
#[derive(Default)]
struct L3Count {
    events: u64,
    deltas: u64,
    escaped: u64,
}

impl L3Count {
    fn see(&mut self, event: &StreamEvent<'_>) {
        self.events += 1;
        if let StreamEvent::TextDelta { text } = event {
            black_box(text.len());
            self.deltas += 1;
            self.escaped += u64::from(matches!(text, Cow::Owned(_)));
        }
    }
}

fn l3_once(chunks: &[Bytes]) -> L3Count {
    let mut d = ResponseDecoder::new(Transport::OpenAiCompletions, Framing::Sse);
    let mut count = L3Count::default();
    let mut sink = |event: StreamEvent<'_>| count.see(&event);
    for c in chunks {
        d.feed(c, &mut sink).unwrap();
    }
    d.finish(&mut sink).unwrap();
    count
}

/// L3 (ours: `ResponseDecoder` for OpenAI chat) on `corpus`. Steady state: one decoder is fed the
/// body with its `data: [DONE]` (which would end decoding) replaced by a comment of the same
/// length, then the whole body, both chunked exactly as in a single pass; only the second pass is
/// counted. "events" are the SSE events of
/// the body (as in the L1 rows); text deltas are counted from the decoder's output.
fn measure_l3(corpus: &corpus::Corpus, chunking: Option<usize>) -> Row {
    const DONE: &[u8] = b"data: [DONE]\n\n";
    // A comment of the same length: the first pass has exactly the chunk boundaries of the
    // second, so the buffers are already at their working size when counting starts.
    const NOT_DONE: &[u8] = b": DONE later\n\n";
    let group = format!("levels/{}", corpus.name);
    let body = &corpus.body[..];
    let mut first_body = body
        .strip_suffix(DONE)
        .unwrap_or_else(|| panic!("{group}: does not end with [DONE]"))
        .to_vec();
    first_body.extend_from_slice(NOT_DONE);
    assert_eq!(first_body.len(), body.len());
    let first = chunks(&first_body, chunking);
    let second = chunks(body, chunking);
    let events = sse_run::run_ours(&second);
    // Warm-up (also faults in code and lazy statics).
    black_box(l3_once(&second).events);

    let mut d = ResponseDecoder::new(Transport::OpenAiCompletions, Framing::Sse);
    let mut count = L3Count::default();
    let mut at_mark = (0, 0);
    {
        let mut sink = |event: StreamEvent<'_>| count.see(&event);
        for c in &first {
            d.feed(c, &mut sink).unwrap();
        }
    }
    at_mark.0 = count.deltas;
    at_mark.1 = count.escaped;
    mark();
    {
        let mut sink = |event: StreamEvent<'_>| count.see(&event);
        for c in &second {
            d.feed(c, &mut sink).unwrap();
        }
        d.finish(&mut sink).unwrap();
    }
    let end = snap();
    let steady = Snap {
        allocs: end.allocs - MARK_ALLOCS.load(Relaxed),
        bytes: end.bytes - MARK_BYTES.load(Relaxed),
    };
    drop(d);
    let deltas = count.deltas - at_mark.0;
    let escaped = count.escaped - at_mark.1;

    let live0 = LIVE.load(Relaxed);
    PEAK.store(live0, Relaxed);
    let before = snap();
    let once = l3_once(&second);
    let after = snap();
    let peak = PEAK.load(Relaxed).saturating_sub(live0);
    assert_eq!(
        once.deltas, deltas,
        "{group}: pass text-delta counts differ"
    );

    let per = |x: u64| x as f64 / events.max(1) as f64;
    Row {
        group,
        chunking: chunking_label(chunking),
        decoder: "l3_ours".to_owned(),
        events,
        steady_allocs: per(steady.allocs),
        steady_bytes: per(steady.bytes),
        cold_allocs: per(after.allocs - before.allocs),
        peak,
        text: Some(TextStats {
            deltas,
            escaped,
            allocs_per_delta: steady.allocs as f64 / deltas.max(1) as f64,
        }),
    }
}

fn main() {
    let mut rows = Vec::new();
    let decoders: Vec<&str> = sse_run::DECODERS
        .iter()
        .copied()
        .filter(|d| sse_run::run(d, &[]).is_some())
        .collect();
    for c in corpus::sse_corpora() {
        let group = format!("sse/{}", c.name);
        for chunking in [Some(1460), None] {
            for &dec in &decoders {
                let quadratic = dec == "eventsource_stream"
                    && chunking.is_none()
                    && matches!(c.name, "small_events_100k" | "keepalive_200k");
                if quadratic {
                    continue;
                }
                rows.push(measure(&group, dec, &c.body, chunking));
            }
        }
    }
    let array = corpus::gemini_array();
    for chunking in [Some(1460), None] {
        for dec in json_run::DECODERS {
            let mut row = measure(
                "json_array/gemini_array",
                &format!("json/{dec}"),
                &array,
                chunking,
            );
            row.decoder = dec.to_owned();
            rows.push(row);
        }
    }
    // L3 (WIRE.md §4.3 levels): ours, full OpenAI chat semantics, text-delta allocations.
    for c in [
        corpus::openai_chat(),
        corpus::openai_chat_no_escapes(),
        corpus::openai_chat_all_escapes(),
    ] {
        for chunking in [Some(1460), None] {
            rows.push(measure_l3(&c, chunking));
        }
    }

    println!();
    println!(
        "| corpus | chunking | decoder | events | steady allocs/event | steady bytes/event | cold allocs/event | peak heap |"
    );
    println!("|---|---:|---|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {:.3} | {:.1} | {:.3} | {} |",
            r.group,
            r.chunking,
            r.decoder,
            r.events,
            r.steady_allocs,
            r.steady_bytes,
            r.cold_allocs,
            r.peak
        );
    }
    println!();
    println!(
        "| corpus | chunking | decoder | text deltas | with escapes | steady allocs/text delta |"
    );
    println!("|---|---:|---|---:|---:|---:|");
    for r in &rows {
        if let Some(t) = &r.text {
            println!(
                "| {} | {} | {} | {} | {} | {:.3} |",
                r.group, r.chunking, r.decoder, t.deltas, t.escaped, t.allocs_per_delta
            );
        }
    }
    println!();
    for r in &rows {
        println!(
            "ALLOC\t{}\t{}\t{}\t{}\t{:.4}\t{:.2}\t{:.4}\t{}",
            r.group,
            r.chunking,
            r.decoder,
            r.events,
            r.steady_allocs,
            r.steady_bytes,
            r.cold_allocs,
            r.peak
        );
    }
    for r in &rows {
        if let Some(t) = &r.text {
            println!(
                "ALLOC_TEXT\t{}\t{}\t{}\t{}\t{}\t{:.4}",
                r.group, r.chunking, r.decoder, t.deltas, t.escaped, t.allocs_per_delta
            );
        }
    }
    if let Some(dir) = std::env::var_os("CLAWROUTER_BENCH_OUT") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        let doc: Vec<_> = rows
            .iter()
            .map(|r| {
                let mut v = json!({
                    "group": r.group, "chunking": r.chunking, "decoder": r.decoder,
                    "events": r.events, "steady_allocs_per_event": r.steady_allocs,
                    "steady_bytes_per_event": r.steady_bytes,
                    "cold_allocs_per_event": r.cold_allocs, "peak_heap_bytes": r.peak,
                });
                if let Some(t) = &r.text {
                    v["text_deltas"] = json!(t.deltas);
                    v["escaped_text_deltas"] = json!(t.escaped);
                    v["steady_allocs_per_text_delta"] = json!(t.allocs_per_delta);
                }
                v
            })
            .collect();
        std::fs::write(
            dir.join("alloc.json"),
            serde_json::to_vec_pretty(&doc).unwrap(),
        )
        .unwrap();
    }
}
