//! Splitting Gemini's streamed JSON array into elements: ours against the serde_json baseline of
//! WIRE.md §3.4 item 3.
//!
//! # The baseline, and why this one
//!
//! serde_json's `StreamDeserializer` with retry-on-EOF: append each chunk to a buffer; skip the
//! array's own `[`, `,`, `]` and whitespace by hand; run
//! `Deserializer::from_slice(&buf[pos..]).into_iter::<IgnoredAny>()` for one value; on success the
//! element is `buf[pos..pos + byte_offset()]`; on an EOF error keep the buffer and retry from the
//! same `pos` when the next chunk arrives (re-parsing the unfinished element from its start, as
//! the approach does). Consumed bytes are dropped once they are more than half the buffer
//! (amortised compaction, so the baseline is not penalised with quadratic copying).
//!
//! `IgnoredAny` is the cheapest "split into elements" serde_json offers: it checks the JSON
//! syntax and skips the value without building anything, and `byte_offset()` gives the element's
//! end, so the element is handed over as a borrowed slice — the same output as ours. The other
//! candidates cost more for no extra output: `Box<RawValue>` allocates and copies every element
//! (and validates UTF-8), `&RawValue` validates UTF-8 too, and `Value` builds a DOM. The
//! baseline therefore does strictly more checking than ours (full JSON syntax), which is the
//! approach's inherent cost, but no avoidable work.
//!
//! For context the report also has `serde_json_raw`: the same loop deserializing each element
//! into a `Box<RawValue>`, which is how such splitters are usually written (one allocation and
//! copy per element, plus UTF-8 validation). The targets are judged against the `IgnoredAny` one.

use std::hint::black_box;

use bytes::Bytes;
use clawrouter_wire::json_array::JsonArraySplitter;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

/// The decoders compared, in report column order.
pub const DECODERS: [&str; 3] = ["ours", "serde_json_stream", "serde_json_raw"];

/// Ours: feed each chunk, drain `next_frame`, then `finish` and drain again.
#[must_use]
pub fn run_ours(chunks: &[Bytes]) -> u64 {
    let mut s = JsonArraySplitter::new();
    let mut n = 0u64;
    for c in chunks {
        s.feed(c);
        while let Some(f) = s.next_frame().unwrap() {
            black_box(f.bytes().len());
            n += 1;
        }
    }
    s.finish();
    while let Some(f) = s.next_frame().unwrap() {
        black_box(f.bytes().len());
        n += 1;
    }
    n
}

/// The serde_json `StreamDeserializer` splitter with retry-on-EOF (see the module docs).
#[derive(Default)]
pub struct SerdeSplitter {
    buf: Vec<u8>,
    pos: usize,
    started: bool,
    done: bool,
}

impl SerdeSplitter {
    pub fn feed(&mut self, chunk: &[u8]) {
        if self.pos > 0 && self.pos * 2 >= self.buf.len() {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(chunk);
    }

    /// The next element, `None` if more input is needed or the array is closed.
    pub fn next_element(&mut self) -> Option<&[u8]> {
        if !self.skip_punctuation() {
            return None;
        }
        let rest = &self.buf[self.pos..];
        let mut it = serde_json::Deserializer::from_slice(rest).into_iter::<IgnoredAny>();
        match it.next() {
            Some(Ok(IgnoredAny)) => {
                let start = self.pos;
                self.pos += it.byte_offset();
                Some(&self.buf[start..self.pos])
            }
            Some(Err(e)) if e.is_eof() => None, // retry from `pos` with more input
            Some(Err(e)) => panic!("serde_json: {e}"),
            None => None,
        }
    }

    /// Like [`Self::next_element`], but deserializes the element into a `Box<RawValue>`.
    pub fn next_raw(&mut self) -> Option<Box<RawValue>> {
        if !self.skip_punctuation() {
            return None;
        }
        let rest = &self.buf[self.pos..];
        let mut it = serde_json::Deserializer::from_slice(rest).into_iter::<Box<RawValue>>();
        match it.next() {
            Some(Ok(raw)) => {
                self.pos += it.byte_offset();
                Some(raw)
            }
            Some(Err(e)) if e.is_eof() => None, // retry from `pos` with more input
            Some(Err(e)) => panic!("serde_json: {e}"),
            None => None,
        }
    }

    /// Skips whitespace and the array's own `[`, `,`; false if the input ran out or `]` closed it.
    fn skip_punctuation(&mut self) -> bool {
        loop {
            let Some(&b) = self.buf.get(self.pos) else {
                return false;
            };
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                b'[' if !self.started => {
                    self.started = true;
                    self.pos += 1;
                }
                b',' if self.started => self.pos += 1,
                b']' if self.started => {
                    self.done = true;
                    self.pos += 1;
                    return false;
                }
                _ if self.done => panic!("bytes after the closing ]"),
                _ => return true,
            }
        }
    }

    /// Whether the closing `]` was seen.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.done
    }
}

/// The baseline over `chunks`.
#[must_use]
pub fn run_serde(chunks: &[Bytes]) -> u64 {
    let mut s = SerdeSplitter::default();
    let mut n = 0u64;
    for c in chunks {
        s.feed(c);
        while let Some(el) = s.next_element() {
            black_box(el.len());
            n += 1;
        }
    }
    assert!(s.is_done());
    n
}

/// The `Box<RawValue>` variant of the baseline over `chunks`.
#[must_use]
pub fn run_serde_raw(chunks: &[Bytes]) -> u64 {
    let mut s = SerdeSplitter::default();
    let mut n = 0u64;
    for c in chunks {
        s.feed(c);
        while let Some(el) = s.next_raw() {
            black_box(el.get().len());
            n += 1;
        }
    }
    assert!(s.is_done());
    n
}

/// Runs the named decoder (see [`DECODERS`]).
#[must_use]
#[inline(never)] // a symbol of its own, so that callgrind can count just the decoding
pub fn run(decoder: &str, chunks: &[Bytes]) -> Option<u64> {
    match decoder {
        "ours" => Some(run_ours(chunks)),
        "serde_json_stream" => Some(run_serde(chunks)),
        "serde_json_raw" => Some(run_serde_raw(chunks)),
        _ => None,
    }
}

/// Every element ours yields, owned.
#[must_use]
pub fn collect_ours(chunks: &[Bytes]) -> Vec<Vec<u8>> {
    let mut s = JsonArraySplitter::new();
    let mut out = Vec::new();
    for c in chunks {
        s.feed(c);
        while let Some(f) = s.next_frame().unwrap() {
            out.push(f.bytes().to_vec());
        }
    }
    s.finish();
    while let Some(f) = s.next_frame().unwrap() {
        out.push(f.bytes().to_vec());
    }
    assert!(s.is_done());
    out
}

/// Every element the baseline yields, owned.
#[must_use]
pub fn collect_serde(chunks: &[Bytes]) -> Vec<Vec<u8>> {
    let mut s = SerdeSplitter::default();
    let mut out = Vec::new();
    for c in chunks {
        s.feed(c);
        while let Some(el) = s.next_element() {
            out.push(el.to_vec());
        }
    }
    assert!(s.is_done());
    out
}

/// Every element the `Box<RawValue>` baseline yields, owned.
#[must_use]
pub fn collect_serde_raw(chunks: &[Bytes]) -> Vec<Vec<u8>> {
    let mut s = SerdeSplitter::default();
    let mut out = Vec::new();
    for c in chunks {
        s.feed(c);
        while let Some(el) = s.next_raw() {
            out.push(el.get().as_bytes().to_vec());
        }
    }
    assert!(s.is_done());
    out
}

/// Asserts all splitters yield byte-equal elements; returns how many.
pub fn assert_agree(what: &str, chunks: &[Bytes]) -> u64 {
    let a = collect_ours(chunks);
    let b = collect_serde(chunks);
    let c = collect_serde_raw(chunks);
    assert_eq!(a.len(), b.len(), "{what}: element counts differ");
    assert!(a == b, "{what}: elements differ");
    assert!(a == c, "{what}: RawValue elements differ");
    a.len() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{chunks, corpus};

    #[test]
    fn splitters_agree() {
        let body = corpus::gemini_array();
        for size in [Some(7), Some(1460), None] {
            assert_eq!(assert_agree("gemini_array", &chunks(&body, size)), 1000);
        }
        let prefix = crate::json_array_prefix(&body, crate::ONE_BYTE_PREFIX);
        assert!(assert_agree("prefix", &chunks(&prefix, Some(64))) > 10);
    }
}
