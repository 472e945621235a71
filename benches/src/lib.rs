//! Shared code of the `clawrouter-wire` benchmarks (WIRE.md §4.3).
//!
//! - [`corpus`]: deterministic corpus generators (a tiny xorshift, no RNG crate), composed to
//!   reproduce the shapes and quirks of the provider streams of WIRE.md §2 — OpenAI chat with
//!   `obfuscation` and a tool-call variant, OpenAI Responses with a large `response.completed` and
//!   `encrypted_content`, Anthropic with thinking, padding and pings, Gemini `alt=sse` with CRLF and
//!   an LF variant, Gemini's pretty-printed JSON array, and the adversarial corpora.
//! - [`chunks`] / [`chunks_after_cr`] / [`prefix_at_event_boundary`]: how the input is split into
//!   the pre-built `Vec<Bytes>` fed to every decoder.
//! - [`sse_run`] and [`json_run`]: one function per decoder, used both for timing (L1: count the
//!   events, `black_box(data.len())`) and, in their `collect_*` form, to assert before timing that
//!   every decoder sees the same events with byte-equal data (the fairness rules of §4.3).
//! - [`tool_schemas`]: the 50-tool set with `$defs` of the `tool_schemas` benches (POLICY.md §4).
//! - [`levels`]: levels L2 (framing + serde_json into the same borrowed typed struct for every
//!   SSE decoder) and L3 (ours: `ResponseDecoder`, optionally with `MessageAssembler`).
//!
//! None of the corpora carry `id` or `retry` fields (sse-stream does not inherit `id`, so it would
//! not be comparable), and none starts with a BOM (eventsource-stream 0.2.3 panics on one).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use bytes::Bytes;

pub mod catalog_corpus;
pub mod corpus;
pub mod json_run;
pub mod levels;
pub mod sse_run;
pub mod tool_schemas;

/// The chunk sizes of WIRE.md §4.3; `None` is the whole body in one chunk.
pub const CHUNKINGS: [Option<usize>; 7] = [
    Some(1),
    Some(7),
    Some(64),
    Some(1460),
    Some(4096),
    Some(16384),
    None,
];

/// Cells fed one byte at a time use a prefix of the corpus of at most this many bytes (cut at an
/// event boundary), so the slow peers finish in reasonable time. ns/event stays comparable within
/// the row: every decoder gets the same prefix.
pub const ONE_BYTE_PREFIX: usize = 64 * 1024;

/// The label of a chunking, as used in benchmark ids and in the report.
#[must_use]
pub fn chunking_label(chunking: Option<usize>) -> String {
    match chunking {
        Some(n) => n.to_string(),
        None => "whole".to_owned(),
    }
}

/// Split `body` into chunks of `size` bytes (the last one shorter); `None` gives one chunk.
#[must_use]
pub fn chunks(body: &[u8], size: Option<usize>) -> Vec<Bytes> {
    let body = Bytes::copy_from_slice(body);
    match size {
        None => vec![body],
        Some(size) => {
            let size = size.max(1);
            let mut out = Vec::with_capacity(body.len().div_ceil(size));
            let mut start = 0;
            while start < body.len() {
                let end = (start + size).min(body.len());
                out.push(body.slice(start..end));
                start = end;
            }
            out
        }
    }
}

/// Split `body` right after every CR, so that every CRLF is cut between its CR and its LF.
#[must_use]
pub fn chunks_after_cr(body: &[u8]) -> Vec<Bytes> {
    let body = Bytes::copy_from_slice(body);
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in body.iter().enumerate() {
        if b == b'\r' {
            out.push(body.slice(start..=i));
            start = i + 1;
        }
    }
    if start < body.len() {
        out.push(body.slice(start..));
    }
    out
}

/// The longest prefix of an SSE body of at most `max` bytes that ends at an event boundary (a
/// blank line: `\n\n` or `\r\n\r\n`). Returns the whole body if it is not longer than `max`.
#[must_use]
pub fn prefix_at_event_boundary(body: &[u8], max: usize) -> &[u8] {
    if body.len() <= max {
        return body;
    }
    let window = &body[..max];
    let lf = window.windows(2).rposition(|w| w == b"\n\n").map(|p| p + 2);
    let crlf = window
        .windows(4)
        .rposition(|w| w == b"\r\n\r\n")
        .map(|p| p + 4);
    match lf.max(crlf) {
        Some(end) => &body[..end],
        None => body,
    }
}

/// The longest prefix of a Gemini JSON-array body of at most `max` bytes that ends right after an
/// element, closed with `]` so that it is itself a complete array.
#[must_use]
pub fn json_array_prefix(body: &[u8], max: usize) -> Vec<u8> {
    if body.len() <= max {
        return body.to_vec();
    }
    // Elements end with "\n}" followed by "\n,\r\n" (Gemini's separator).
    let window = &body[..max];
    match window.windows(5).rposition(|w| w == b"}\n,\r\n") {
        Some(p) => {
            let mut out = body[..=p].to_vec();
            out.extend_from_slice(b"\n]");
            out
        }
        None => body.to_vec(),
    }
}

/// Formats a duration in nanoseconds with a unit that keeps 3–4 significant digits.
#[must_use]
pub fn fmt_ns(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.1} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.2} µs", ns / 1e3)
    } else if ns < 1_000_000_000.0 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunking_covers_body() {
        let body = b"data: abc\n\ndata: def\r\n\r\n";
        for size in CHUNKINGS {
            let c = chunks(body, size);
            let joined: Vec<u8> = c.iter().flat_map(|b| b.iter().copied()).collect();
            assert_eq!(joined, body);
        }
        let c = chunks_after_cr(body);
        assert!(c.iter().all(|b| !b.contains(&b'\r') || b.ends_with(b"\r")));
        assert_eq!(prefix_at_event_boundary(body, 15), b"data: abc\n\n");
    }
}
