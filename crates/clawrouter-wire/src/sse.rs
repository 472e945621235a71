//! A sans-IO `text/event-stream` decoder, exactly per the WHATWG HTML standard (WIRE.md §1).
//!
//! [`SseDecoder`] is a push parser: [`feed`](SseDecoder::feed) it bytes as they arrive, pull
//! events with [`next_event`](SseDecoder::next_event), and call [`finish`](SseDecoder::finish) at
//! end of input. Events borrow from the decoder ([`SseEvent`]), so the common single-line
//! `data:` event costs no allocation at all once the decoder's buffers have warmed up.
//!
//! # Conformance (WHATWG HTML §9.2.5–§9.2.6)
//!
//! - One leading UTF-8 BOM is removed, also when it arrives split across feeds; a second BOM, or a
//!   BOM later in the stream, is content (so `\u{FEFF}data` is an unknown field).
//! - Lines end at CRLF, LF or CR. A CR that is the last byte of a feed ends the line at once; an LF
//!   at the start of the next feed is then swallowed, so a split CRLF is one line end.
//! - Comments (`:`), fields without a colon (value `""`), the single optional leading space, field
//!   names compared literally, multi-line `data` joined with `\n`, no dispatch when the data buffer
//!   is empty, event type `message` by default.
//! - `id` persists across events and is committed at every blank line, even when nothing is
//!   dispatched; an `id` whose value contains NUL is ignored.
//! - `retry` takes effect when its line is processed, and only when the value is one or more ASCII
//!   digits.
//! - Invalid UTF-8 is replaced with U+FFFD (WHATWG "UTF-8 decode"), never an error. Decoding
//!   per line is equivalent to decoding the whole stream because every delimiter is ASCII.
//! - At end of input an unterminated block, or a partial last line, is discarded.
//!
//! # Choices the specification leaves open (WIRE.md §1.7)
//!
//! - **Truncation is diagnosable.** The spec silently discards an unterminated block at EOF.
//!   After [`finish`](SseDecoder::finish), [`next_event`](SseDecoder::next_event) returns
//!   [`SseError::Truncated`] once when bytes were discarded (a partial line, or a block with at
//!   least one field but no blank line), so an LLM client can tell a cut stream from a clean end.
//!   A tail of complete comment lines is not a truncation. [`SseConfig::dispatch_unterminated_at_eof`]
//!   opts into dispatching the pending block instead (some servers omit the last blank line).
//! - **Size limit.** [`SseConfig::max_event_size`] (default 16 MiB) bounds what one event may make
//!   the decoder hold: its accumulated `data` plus the line being read. Exceeding it yields
//!   [`SseError::EventTooLarge`] once; the rest of that block is discarded and decoding resumes at
//!   the next block. The check is the same whether a line arrives whole or in pieces, so the
//!   result stays chunk-split invariant.
//! - **`retry` overflow.** A digits-only value too large for a `u64` is ignored.
//! - **Bytes fed after [`finish`](SseDecoder::finish)** reopen the stream: `finish` only says
//!   "no more bytes for now", and a later `feed` continues where decoding stopped.
//! - **`id` on events.** [`SseEvent::id`] is `None` until an `id` field has been accepted, then
//!   the last-event-ID buffer (which may be `""` after `id:` with an empty value).
//!
//! # Cost
//!
//! Every byte is scanned once (memchr for line ends), whatever the chunking: a partial line is
//! never re-scanned from its start, and consumed bytes are dropped only when the next chunk
//! arrives, moving at most the unfinished line. Memory is bounded by one event plus one chunk.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use memchr::{memchr, memchr2};

use crate::DEFAULT_MAX_FRAME_SIZE;
use crate::swar::eq_mask;

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// Settings of an [`SseDecoder`].
///
/// ```
/// use clawrouter_wire::sse::{SseConfig, SseDecoder};
/// let decoder = SseDecoder::with_config(SseConfig { max_event_size: 1 << 20, ..SseConfig::default() });
/// # drop(decoder);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SseConfig {
    /// Largest number of bytes one event may make the decoder hold: its accumulated `data`
    /// (joined with `\n`) plus the line currently being read. Default: 16 MiB.
    pub max_event_size: usize,
    /// At end of input, dispatch a pending block that lacks its final blank line instead of
    /// discarding it (and reporting [`SseError::Truncated`]). Off by default, as the spec says.
    pub dispatch_unterminated_at_eof: bool,
    /// Keep up to this many bytes of the lines the spec ignores (unknown field names, such as a
    /// bare `{`), since the last dispatched event: see [`SseDecoder::ignored_lines`]. Off (0) by
    /// default. Gemini is reported to send a mid-stream error as raw, unframed JSON lines, which a
    /// conforming parser would otherwise drop without a trace (WIRE.md §2d).
    pub keep_ignored_lines: usize,
}

impl Default for SseConfig {
    fn default() -> Self {
        Self {
            max_event_size: DEFAULT_MAX_FRAME_SIZE,
            dispatch_unterminated_at_eof: false,
            keep_ignored_lines: 0,
        }
    }
}

/// One dispatched event, borrowing from the decoder.
///
/// Valid until the next call to a `&mut` method of the decoder. Use
/// [`into_owned`](Self::into_owned) to keep it longer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SseEvent<'a> {
    /// The event type: the last `event` field of the block, or `message` when there was none (or
    /// it was empty).
    pub event: &'a str,
    /// The data: every `data` field of the block joined with `\n`. Invalid UTF-8 is replaced with
    /// U+FFFD.
    pub data: &'a str,
    /// The last event ID at dispatch time; `None` when no `id` field has been accepted yet in
    /// this stream. It persists across events, as in a browser's `EventSource`.
    pub id: Option<&'a str>,
    /// The most recent valid `retry` value (milliseconds) processed since the previous dispatched
    /// event, if any. [`SseDecoder::reconnection_time`] gives the current value at any time.
    pub retry: Option<u64>,
}

impl SseEvent<'_> {
    /// Copies the event out of the decoder's buffers.
    pub fn into_owned(self) -> OwnedSseEvent {
        OwnedSseEvent::from(self)
    }
}

/// An [`SseEvent`] that owns its strings, e.g. to send it to another task.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OwnedSseEvent {
    /// See [`SseEvent::event`]. `message` is stored without allocating.
    pub event: Cow<'static, str>,
    /// See [`SseEvent::data`].
    pub data: String,
    /// See [`SseEvent::id`].
    pub id: Option<String>,
    /// See [`SseEvent::retry`].
    pub retry: Option<u64>,
}

impl From<SseEvent<'_>> for OwnedSseEvent {
    fn from(event: SseEvent<'_>) -> Self {
        Self {
            event: if event.event == "message" {
                Cow::Borrowed("message")
            } else {
                Cow::Owned(event.event.to_owned())
            },
            data: event.data.to_owned(),
            id: event.id.map(str::to_owned),
            retry: event.retry,
        }
    }
}

/// What went wrong while decoding an event stream.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SseError {
    /// One event grew past [`SseConfig::max_event_size`]. The rest of its block was discarded;
    /// decoding continues with the next block.
    #[error(
        "SSE event starting in the line at byte {offset} exceeds the {limit}-byte event size limit; the event was discarded"
    )]
    EventTooLarge {
        /// The configured limit in bytes.
        limit: usize,
        /// Byte offset in the stream of the line that crossed the limit.
        offset: u64,
    },
    /// The input ended inside an event: the bytes after the last blank line were discarded, as
    /// the spec requires. Reported once, after [`SseDecoder::finish`].
    #[error(
        "stream ended inside an SSE event: {unterminated_bytes} bytes after the last blank line were discarded{}",
        if *pending_data { " (including data)" } else { "" }
    )]
    Truncated {
        /// Bytes after the last blank line (the unterminated block, including any partial line).
        unterminated_bytes: u64,
        /// Whether the discarded bytes held a `data` field (complete, or the partial last line),
        /// i.e. an event was lost rather than only comments or metadata.
        pending_data: bool,
    },
}

/// Where the data of the current block lives.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Data {
    /// No `data` field yet.
    Empty,
    /// Exactly one `data` field whose value is still in `buf` at this range: the zero-copy path.
    InBuffer(Range<usize>),
    /// The joined values are in `scratch` (several fields, or the line left `buf`).
    InScratch,
}

/// A sans-IO WHATWG `text/event-stream` decoder. See the [module docs](self).
///
/// ```
/// use clawrouter_wire::sse::SseDecoder;
///
/// let mut decoder = SseDecoder::new();
/// decoder.feed(b"id: 7\ndata: first\n\ndata: second\n");
/// let first = decoder.next_event().unwrap().unwrap();
/// assert_eq!((first.data, first.id), ("first", Some("7")));
/// assert!(decoder.next_event().unwrap().is_none()); // "second" awaits its blank line
/// decoder.feed(b"\n");
/// let second = decoder.next_event().unwrap().unwrap();
/// assert_eq!((second.data, second.id), ("second", Some("7")));
/// ```
pub struct SseDecoder {
    config: SseConfig,
    /// Unconsumed input. `buf[line_start..]` is the line being read.
    buf: Vec<u8>,
    /// Start of the first line not yet processed.
    line_start: usize,
    /// `buf[line_start..scan]` is known to hold no line end.
    scan: usize,
    /// Absolute stream offset of `buf[0]`.
    buf_offset: u64,
    /// Whether the leading-BOM decision has been made.
    bom_checked: bool,
    /// The previous line ended with a CR that was the last byte available: an LF that starts
    /// the next input belongs to it.
    swallow_lf: bool,
    /// [`Self::finish`] was called and no bytes came after it.
    eof: bool,
    /// The truncation at this end of input was already reported.
    eof_reported: bool,
    /// The previous `next_event` returned an event whose block state must now be cleared.
    dispatched: bool,

    // The block being read (cleared at every blank line).
    data: Data,
    /// Length of the data joined so far (`Data::InBuffer` range length or `scratch.len()`).
    data_len: usize,
    scratch: Vec<u8>,
    /// The last `event` value seen; it is the block's type only while `has_event_type` is set.
    /// Kept across blocks so that a repeated name (`content_block_delta` …) is neither
    /// re-validated nor re-copied.
    event_type: String,
    has_event_type: bool,
    /// A non-comment line was processed since the last blank line.
    block_has_fields: bool,
    /// Absolute offset of the first byte after the last blank line.
    block_start: u64,
    /// The current block overflowed: ignore its lines until the next blank line.
    discard_block: bool,
    /// The current line overflowed while incomplete: drop its bytes until its line end.
    discard_line: bool,

    // State that outlives blocks.
    id_buffer: String,
    id_seen: bool,
    id_dirty: bool,
    last_event_id: String,
    reconnection_time: Option<u64>,
    retry_since_dispatch: Option<u64>,
    /// Holds the U+FFFD-replaced data when the data is not valid UTF-8.
    lossy: String,
    /// Ignored lines since the last dispatch (see [`SseConfig::keep_ignored_lines`]).
    ignored: Vec<u8>,
    line_ends: LineEnds,
}

impl Default for SseDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for SseDecoder {
    // Sizes and positions only: the buffers may hold megabytes of someone's conversation.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SseDecoder")
            .field("config", &self.config)
            .field(
                "buffered_bytes",
                &(self.buf.len() - self.line_start.min(self.buf.len())),
            )
            .field("stream_offset", &(self.buf_offset + self.buf.len() as u64))
            .field("pending_data_bytes", &self.data_len)
            .field("last_event_id", &self.last_event_id)
            .field("reconnection_time", &self.reconnection_time)
            .field("eof", &self.eof)
            .finish_non_exhaustive()
    }
}

impl SseDecoder {
    /// A decoder with the default [`SseConfig`].
    pub fn new() -> Self {
        Self::with_config(SseConfig::default())
    }

    /// A decoder with the given settings.
    pub fn with_config(config: SseConfig) -> Self {
        Self {
            config,
            buf: Vec::new(),
            line_start: 0,
            scan: 0,
            buf_offset: 0,
            bom_checked: false,
            swallow_lf: false,
            eof: false,
            eof_reported: false,
            dispatched: false,
            data: Data::Empty,
            data_len: 0,
            scratch: Vec::new(),
            event_type: String::new(),
            has_event_type: false,
            block_has_fields: false,
            block_start: 0,
            discard_block: false,
            discard_line: false,
            id_buffer: String::new(),
            id_seen: false,
            id_dirty: false,
            last_event_id: String::new(),
            reconnection_time: None,
            retry_since_dispatch: None,
            lossy: String::new(),
            ignored: Vec::new(),
            line_ends: LineEnds::new(),
        }
    }

    /// The settings this decoder was built with.
    pub fn config(&self) -> &SseConfig {
        &self.config
    }

    /// Forgets the stream (buffers, last event ID, reconnection time) but keeps the allocated
    /// capacity, so a pooled decoder can serve the next response without allocating.
    pub fn reset(&mut self) {
        let mut fresh = Self::with_config(self.config);
        std::mem::swap(&mut fresh.buf, &mut self.buf);
        std::mem::swap(&mut fresh.scratch, &mut self.scratch);
        std::mem::swap(&mut fresh.event_type, &mut self.event_type);
        std::mem::swap(&mut fresh.id_buffer, &mut self.id_buffer);
        std::mem::swap(&mut fresh.last_event_id, &mut self.last_event_id);
        std::mem::swap(&mut fresh.lossy, &mut self.lossy);
        std::mem::swap(&mut fresh.ignored, &mut self.ignored);
        *self = fresh;
        self.buf.clear();
        self.scratch.clear();
        self.event_type.clear();
        self.id_buffer.clear();
        self.last_event_id.clear();
        self.lossy.clear();
        self.ignored.clear();
    }

    /// Appends the next piece of the stream. Pieces may split the stream anywhere, even inside a
    /// CRLF, the BOM or a UTF-8 character.
    ///
    /// Feeding after [`finish`](Self::finish) continues the stream (see the module docs).
    #[inline]
    pub fn feed(&mut self, chunk: &[u8]) {
        // One byte while no event awaits settling and nothing is left to compact (a slow reader
        // in the middle of a line): the general path below would only append it. Inlined, like
        // `next_event`, so that this costs no call.
        if let [byte] = chunk
            && !self.dispatched
            && self.line_start == 0
        {
            self.eof = false;
            self.eof_reported = false;
            self.buf.push(*byte);
            return;
        }
        self.feed_slow(chunk);
    }

    fn feed_slow(&mut self, chunk: &[u8]) {
        if chunk.is_empty() {
            return;
        }
        self.eof = false;
        self.eof_reported = false;
        self.settle_dispatch();
        self.compact();
        self.buf.extend_from_slice(chunk);
    }

    /// Declares the end of the input. Keep calling [`next_event`](Self::next_event) until it
    /// returns `Ok(None)`: it yields the events still buffered, then [`SseError::Truncated`] once
    /// if the stream ended inside an event.
    pub fn finish(&mut self) {
        self.eof = true;
    }

    /// The last event ID, as committed at the last blank line (`""` if none).
    pub fn last_event_id(&self) -> &str {
        &self.last_event_id
    }

    /// The reconnection time in milliseconds set by the most recent valid `retry` field.
    pub fn reconnection_time(&self) -> Option<u64> {
        self.reconnection_time
    }

    /// Total number of bytes fed so far.
    pub fn stream_offset(&self) -> u64 {
        self.buf_offset + self.buf.len() as u64
    }

    /// The lines the spec ignored since the last dispatched event (unknown field names, each
    /// followed by `\n`), up to [`SseConfig::keep_ignored_lines`] bytes; empty unless enabled.
    pub fn ignored_lines(&self) -> &[u8] {
        &self.ignored
    }

    /// The next complete event, `Ok(None)` when more input is needed (or, after
    /// [`finish`](Self::finish), when the stream is over).
    ///
    /// An `Err` does not end decoding: the next call continues after the faulty event.
    #[inline]
    pub fn next_event(&mut self) -> Result<Option<SseEvent<'_>>, SseError> {
        // Inlined into the caller, so that the fast path does not pay for the prologue of the
        // large function below.
        if self.skip_partial_line_byte() {
            return Ok(None);
        }
        self.next_event_slow()
    }

    fn next_event_slow(&mut self) -> Result<Option<SseEvent<'_>>, SseError> {
        if self.advance()? {
            Ok(Some(self.current_event()))
        } else {
            Ok(None)
        }
    }

    /// The fast path of one-byte feeds in the middle of a line: when at most one byte is not yet
    /// scanned, it is not a line end, and nothing else is pending (EOF, an event to settle, the
    /// BOM decision, a split CRLF, an overflowing line), `advance` would only mark it scanned and
    /// check the size limit. Returns true when it did just that.
    #[inline]
    fn skip_partial_line_byte(&mut self) -> bool {
        let Some(tail) = self.buf.get(self.scan..) else {
            return false;
        };
        if tail.len() > 1
            || self.eof
            || self.dispatched
            || !self.bom_checked
            || self.swallow_lf
            || self.discard_line
            || matches!(tail, [b'\n' | b'\r'])
        {
            return false;
        }
        let partial = self.buf.len().saturating_sub(self.line_start);
        if self.data_len.saturating_add(partial) > self.config.max_event_size {
            // `end_of_input` reports it.
            return false;
        }
        self.scan = self.buf.len();
        true
    }

    /// Clears the block state of the event returned by the previous `next_event`.
    fn settle_dispatch(&mut self) {
        if self.dispatched {
            self.dispatched = false;
            self.data = Data::Empty;
            self.data_len = 0;
            self.has_event_type = false;
            self.retry_since_dispatch = None;
        }
    }

    /// Drops consumed bytes from the front of `buf`. Only the unfinished line moves, and it moves
    /// at most once (afterwards `line_start` is 0 until that line ends), so compaction is linear
    /// overall. A single `data` value still in `buf` is first copied to `scratch` so that a block
    /// with many fields after its data line cannot make us move that value again and again.
    fn compact(&mut self) {
        if self.line_start == 0 {
            return;
        }
        if let Data::InBuffer(range) = &self.data {
            let value = self.buf.get(range.clone()).unwrap_or_default();
            self.scratch.clear();
            self.scratch.extend_from_slice(value);
            self.data = Data::InScratch;
        }
        let consumed = self.line_start.min(self.buf.len());
        self.buf.drain(..consumed);
        self.buf_offset += consumed as u64;
        self.scan -= consumed.min(self.scan);
        self.line_start = 0;
    }

    /// Processes lines until an event is ready (`Ok(true)`) or the input is exhausted.
    fn advance(&mut self) -> Result<bool, SseError> {
        self.settle_dispatch();
        if !self.bom_checked && !self.check_bom() {
            return self.end_of_input();
        }
        loop {
            if self.swallow_lf {
                match self.buf.get(self.scan) {
                    None => return self.end_of_input(),
                    Some(&byte) => {
                        self.swallow_lf = false;
                        if byte == b'\n' {
                            // The LF completes a CRLF whose CR ended a blank line at the end of
                            // the previous feed: the block starts after it, as with a whole feed.
                            if self.block_start == self.buf_offset + self.scan as u64 {
                                self.block_start += 1;
                            }
                            self.scan += 1;
                            self.line_start = self.scan;
                        }
                    }
                }
            }
            let rest = self.buf.get(self.scan..).unwrap_or_default();
            // The blank line that ends most events is found without a search.
            let found = find_line_end(rest, &self.line_ends);
            let Some(found) = found else {
                self.scan = self.buf.len();
                return self.end_of_input();
            };
            let eol = self.scan + found;
            let mut next = eol + 1;
            if self.buf.get(eol) == Some(&b'\r') {
                match self.buf.get(next) {
                    Some(b'\n') => next += 1,
                    Some(_) => {}
                    None => self.swallow_lf = true,
                }
            }
            let line = self.line_start..eol;
            self.line_start = next;
            self.scan = next;
            if self.discard_line {
                // The tail of a line that already overflowed.
                self.discard_line = false;
                continue;
            }
            // Inline fast paths for the lines almost every LLM event consists of: the blank line,
            // the first `data:` line of a block, and `event:`. Everything else takes
            // `process_line`.
            if line.is_empty() {
                if self.end_block() {
                    return Ok(true);
                }
                continue;
            }
            if self.buf.get(line.start) == Some(&b':')
                && !self.discard_block
                && self.data_len.saturating_add(line.len()) <= self.config.max_event_size
            {
                // A comment (keep-alive): nothing to record.
                continue;
            }
            if matches!(self.data, Data::Empty)
                && !self.discard_block
                && line.len() <= self.config.max_event_size
                && self.buf.get(line.start..line.start + 5) == Some(b"data:")
            {
                let skip = usize::from(self.buf.get(line.start + 5) == Some(&b' '));
                let value = line.start + 5 + skip..line.end;
                self.data_len = value.len();
                self.data = Data::InBuffer(value);
                self.block_has_fields = true;
                continue;
            }
            // Anthropic names every event: `event: content_block_delta` before its data line.
            if !self.discard_block
                && self.data_len.saturating_add(line.len()) <= self.config.max_event_size
                && self.buf.get(line.start..line.start + 6) == Some(b"event:")
            {
                let skip = usize::from(self.buf.get(line.start + 6) == Some(&b' '));
                self.set_event_type(line.start + 6 + skip..line.end);
                self.block_has_fields = true;
                continue;
            }
            if self.process_line(line)? {
                return Ok(true);
            }
        }
    }

    /// Decides whether the stream starts with a BOM. Returns false when more bytes are needed.
    fn check_bom(&mut self) -> bool {
        let head = self.buf.get(self.line_start..).unwrap_or_default();
        if head.len() >= BOM.len() {
            if head.starts_with(&BOM) {
                self.line_start += BOM.len();
                self.scan = self.line_start;
                self.block_start = self.buf_offset + self.line_start as u64;
            }
            self.bom_checked = true;
            true
        } else if BOM.starts_with(head) && !self.eof {
            false
        } else {
            self.bom_checked = true;
            true
        }
    }

    /// No complete line is left: enforce the size limit on the partial line, then handle EOF.
    fn end_of_input(&mut self) -> Result<bool, SseError> {
        let partial = self.buf.len().saturating_sub(self.line_start);
        if self.discard_line {
            // Keep dropping the overflowing line's bytes as they arrive.
            self.line_start = self.buf.len();
            self.scan = self.line_start;
        } else if partial > 0
            && self.bom_checked
            && self.data_len.saturating_add(partial) > self.config.max_event_size
        {
            // Same rule as in `process_line`, applied before the line is complete so that memory
            // stays bounded; a block already being discarded reports nothing more.
            let offset = self.buf_offset + self.line_start as u64;
            self.line_start = self.buf.len();
            self.scan = self.line_start;
            self.discard_line = true;
            if !self.discard_block {
                self.start_discarding_block();
                return Err(SseError::EventTooLarge {
                    limit: self.config.max_event_size,
                    offset,
                });
            }
        }
        if !self.eof || self.eof_reported {
            return Ok(false);
        }
        self.eof_reported = true;
        let partial = self.buf.len().saturating_sub(self.line_start);
        if self.config.dispatch_unterminated_at_eof && !self.discard_line {
            let mut dispatched = false;
            if partial > 0 {
                let line = self.line_start..self.buf.len();
                self.line_start = self.buf.len();
                self.scan = self.line_start;
                dispatched = self.process_line(line)?;
            }
            if !dispatched && (self.block_has_fields || !matches!(self.data, Data::Empty)) {
                let empty = self.line_start..self.line_start;
                dispatched = self.process_line(empty)?;
            }
            return Ok(dispatched);
        }
        let truncated = partial > 0 || self.block_has_fields;
        let partial_is_data = self
            .buf
            .get(self.line_start..)
            .is_some_and(|line| line == b"data" || line.starts_with(b"data:"));
        let report = SseError::Truncated {
            unterminated_bytes: self.stream_offset().saturating_sub(self.block_start),
            pending_data: !self.discard_block
                && (!matches!(self.data, Data::Empty) || partial_is_data),
        };
        // The spec discards the pending block; start from a clean state if bytes follow.
        self.line_start = self.buf.len();
        self.scan = self.line_start;
        self.discard_line = false;
        self.discard_block = false;
        self.data = Data::Empty;
        self.data_len = 0;
        self.has_event_type = false;
        self.block_has_fields = false;
        self.block_start = self.stream_offset();
        if truncated { Err(report) } else { Ok(false) }
    }

    fn start_discarding_block(&mut self) {
        self.discard_block = true;
        self.data = Data::Empty;
        self.data_len = 0;
    }

    /// Interprets one line (WHATWG §9.2.6). Returns true when it dispatched an event.
    fn process_line(&mut self, line: Range<usize>) -> Result<bool, SseError> {
        let Some(bytes) = self.buf.get(line.clone()) else {
            return Ok(false);
        };
        if bytes.is_empty() {
            return Ok(self.end_block());
        }
        if self.discard_block {
            return Ok(false);
        }
        if self.data_len.saturating_add(bytes.len()) > self.config.max_event_size {
            let offset = self.buf_offset + line.start as u64;
            self.start_discarding_block();
            return Err(SseError::EventTooLarge {
                limit: self.config.max_event_size,
                offset,
            });
        }
        if bytes.first() == Some(&b':') {
            return Ok(false);
        }
        self.block_has_fields = true;
        if let Some(value) = bytes.strip_prefix(b"data:") {
            // The hot path: most lines of an LLM stream are `data:` lines.
            let skip = usize::from(value.first() == Some(&b' '));
            self.push_data(line.end - value.len() + skip..line.end);
            return Ok(false);
        }
        let (name, value) = match memchr(b':', bytes) {
            Some(colon) => {
                let mut start = colon + 1;
                if bytes.get(start) == Some(&b' ') {
                    start += 1;
                }
                (line.start..line.start + colon, line.start + start..line.end)
            }
            None => (line.clone(), line.end..line.end),
        };
        let name = self.buf.get(name).unwrap_or_default();
        let value_bytes = self.buf.get(value.clone()).unwrap_or_default();
        match name {
            b"data" => self.push_data(value),
            b"event" => self.set_event_type(value),
            // An id containing NUL is ignored wholesale.
            b"id" if memchr(0, value_bytes).is_none() => {
                self.id_buffer.clear();
                push_lossy(&mut self.id_buffer, value_bytes);
                self.id_seen = true;
                self.id_dirty = true;
            }
            b"retry" => {
                if let Some(ms) = parse_retry(value_bytes) {
                    self.reconnection_time = Some(ms);
                    self.retry_since_dispatch = Some(ms);
                }
            }
            _ => {
                let line_bytes = self.buf.get(line).unwrap_or_default();
                if self.ignored.len() + line_bytes.len() < self.config.keep_ignored_lines {
                    self.ignored.extend_from_slice(line_bytes);
                    self.ignored.push(b'\n');
                }
            }
        }
        Ok(false)
    }

    /// An `event` field whose value is `buf[value]`.
    fn set_event_type(&mut self, value: Range<usize>) {
        let value = self.buf.get(value).unwrap_or_default();
        if self.event_type.as_bytes() != value {
            self.event_type.clear();
            push_lossy(&mut self.event_type, value);
        }
        self.has_event_type = true;
    }

    fn push_data(&mut self, value: Range<usize>) {
        match &self.data {
            Data::Empty => {
                self.data_len = value.len();
                self.data = Data::InBuffer(value);
            }
            Data::InBuffer(first) => {
                let first = self.buf.get(first.clone()).unwrap_or_default();
                let value = self.buf.get(value).unwrap_or_default();
                self.scratch.clear();
                self.scratch.extend_from_slice(first);
                self.scratch.push(b'\n');
                self.scratch.extend_from_slice(value);
                self.data_len = self.scratch.len();
                self.data = Data::InScratch;
            }
            Data::InScratch => {
                let value = self.buf.get(value).unwrap_or_default();
                self.scratch.push(b'\n');
                self.scratch.extend_from_slice(value);
                self.data_len = self.scratch.len();
            }
        }
    }

    /// A blank line: commit the ID, then dispatch when the data buffer is not empty (§1.5).
    fn end_block(&mut self) -> bool {
        if self.id_dirty {
            self.id_dirty = false;
            self.last_event_id.clone_from(&self.id_buffer);
        }
        self.block_has_fields = false;
        self.block_start = self.buf_offset + self.line_start as u64;
        let discarded = std::mem::take(&mut self.discard_block);
        if discarded || matches!(self.data, Data::Empty) {
            self.data = Data::Empty;
            self.data_len = 0;
            self.has_event_type = false;
            return false;
        }
        // The block state is cleared by `settle_dispatch` once the caller is done with the event.
        self.dispatched = true;
        self.ignored.clear();
        true
    }

    /// The event prepared by the last `end_block`.
    fn current_event(&mut self) -> SseEvent<'_> {
        let Self {
            buf,
            scratch,
            data,
            event_type,
            has_event_type,
            lossy,
            id_seen,
            last_event_id,
            retry_since_dispatch,
            ..
        } = self;
        let raw: &[u8] = match data {
            Data::InBuffer(range) => buf.get(range.clone()).unwrap_or_default(),
            Data::InScratch => scratch,
            Data::Empty => &[],
        };
        let data: &str = match simdutf8::basic::from_utf8(raw) {
            Ok(text) => text,
            Err(_) => {
                lossy.clear();
                lossy.push_str(&String::from_utf8_lossy(raw));
                lossy
            }
        };
        SseEvent {
            event: if *has_event_type && !event_type.is_empty() {
                event_type
            } else {
                "message"
            },
            data,
            id: id_seen.then_some(last_event_id.as_str()),
            retry: *retry_since_dispatch,
        }
    }
}

/// The position of the first CR or LF in `hay`.
///
/// Comments (keep-alives such as `: ping`) are short: for a line that starts with `:` the first
/// 16 bytes are checked with plain integer arithmetic before paying for a memchr call. Other lines
/// go straight to memchr, which wins on the long `data:` lines of LLM streams.
fn find_line_end(hay: &[u8], line_ends: &LineEnds) -> Option<usize> {
    if hay.first() != Some(&b':') {
        return match hay.first() {
            Some(b'\n' | b'\r') => Some(0),
            _ if hay.len() < 16 => hay.iter().position(|&b| b == b'\n' || b == b'\r'),
            _ => line_ends.find(hay),
        };
    }
    let line_end = |word: &[u8; 8]| {
        let word = u64::from_le_bytes(*word);
        eq_mask(word, b'\n') | eq_mask(word, b'\r')
    };
    match hay.first_chunk::<16>() {
        Some(head) => {
            let (low, high) = head.split_at(8);
            let low: &[u8; 8] = low.try_into().unwrap_or(&[0; 8]);
            let high: &[u8; 8] = high.try_into().unwrap_or(&[0; 8]);
            let hits = line_end(low);
            if hits != 0 {
                return Some((hits.trailing_zeros() / 8) as usize);
            }
            let hits = line_end(high);
            if hits != 0 {
                return Some(8 + (hits.trailing_zeros() / 8) as usize);
            }
            line_ends.find(hay.get(16..)?).map(|found| 16 + found)
        }
        None => hay.iter().position(|&b| b == b'\n' || b == b'\r'),
    }
}

/// memchr's search for CR or LF. On x86-64 with AVX2 the searcher is built once per decoder and
/// called directly, which skips `memchr2`'s per-call dispatch (an atomic load, an indirect call
/// and building the needle vectors): a sizeable part of the search on short lines.
#[derive(Clone, Copy)]
struct LineEnds {
    #[cfg(target_arch = "x86_64")]
    avx2: Option<memchr::arch::x86_64::avx2::memchr::Two>,
}

impl LineEnds {
    fn new() -> Self {
        Self {
            #[cfg(target_arch = "x86_64")]
            avx2: memchr::arch::x86_64::avx2::memchr::Two::new(b'\n', b'\r'),
        }
    }

    #[inline]
    fn find(&self, hay: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if let Some(searcher) = &self.avx2 {
            return searcher.find(hay);
        }
        memchr2(b'\n', b'\r', hay)
    }
}

/// Appends `bytes` as text, invalid UTF-8 replaced with U+FFFD. The valid case (every real
/// event name and id) skips `from_utf8_lossy`'s chunk iterator, which costs several times more.
fn push_lossy(out: &mut String, bytes: &[u8]) {
    match std::str::from_utf8(bytes) {
        Ok(text) => out.push_str(text),
        Err(_) => out.push_str(&String::from_utf8_lossy(bytes)),
    }
}

/// `retry`: one or more ASCII digits, base 10; anything else (or overflow) is ignored.
fn parse_retry(value: &[u8]) -> Option<u64> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    value.iter().try_fold(0u64, |acc, &digit| {
        acc.checked_mul(10)
            .and_then(|acc| acc.checked_add(u64::from(digit - b'0')))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(chunks: &[&[u8]]) -> Vec<(String, String, Option<String>)> {
        let mut decoder = SseDecoder::new();
        let mut out = Vec::new();
        for chunk in chunks {
            decoder.feed(chunk);
            while let Some(ev) = decoder.next_event().unwrap() {
                out.push((
                    ev.event.to_owned(),
                    ev.data.to_owned(),
                    ev.id.map(str::to_owned),
                ));
            }
        }
        decoder.finish();
        while let Ok(Some(ev)) = decoder.next_event() {
            out.push((
                ev.event.to_owned(),
                ev.data.to_owned(),
                ev.id.map(str::to_owned),
            ));
        }
        out
    }

    #[test]
    fn split_crlf_is_one_line_end() {
        let got = decode(&[b"data: a\r", b"\ndata: b\r\n\r\n"]);
        assert_eq!(got, [("message".into(), "a\nb".into(), None)]);
    }

    #[test]
    fn single_data_line_survives_compaction() {
        let got = decode(&[b"data: abc\n", b"id: 1\n", b"event: x\n", b"\n"]);
        assert_eq!(got, [("x".into(), "abc".into(), Some("1".into()))]);
    }

    #[test]
    fn retry_parsing() {
        assert_eq!(parse_retry(b"100"), Some(100));
        assert_eq!(parse_retry(b""), None);
        assert_eq!(parse_retry(b"+5"), None);
        assert_eq!(parse_retry(b"99999999999999999999999"), None);
    }
}
