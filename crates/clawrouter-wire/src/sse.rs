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
//! - Invalid UTF-8 is replaced with U+FFFD (WHATWG "UTF-8 decode"), never an error. The stream is
//!   decoded as it is fed, before lines are parsed, exactly as the spec orders it; a character
//!   split across feeds is decoded whole, and one cut off by the end of input becomes U+FFFD.
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
//! Every byte is validated as UTF-8 once and scanned for line ends once, whatever the chunking: a
//! partial line is never re-scanned from its start, and consumed bytes are dropped only when new
//! bytes are appended, moving at most the unfinished line. Events are slices of the decoded
//! buffer, so they need no validation of their own.
//!
//! How a feed is decoded depends on its size. A feed of 64 bytes or more (a network read) is
//! validated and appended in one step. Shorter feeds wait, undecoded, in a small *stage* until a
//! line end arrives, so that a slow trickle costs one validation per line rather than one per
//! feed, and a staged comment line (a keep-alive fed in pieces) is dropped without being decoded
//! at all. Runs of short comment lines already in the buffer are skipped without the general
//! per-line bookkeeping.
//!
//! An owned event of 64 KiB or more ([`next_owned_event`](SseDecoder::next_owned_event), which
//! the `Stream` adapter uses) is not copied into new memory: the decoder hands out its own buffer
//! as the event's `String` and starts a new one. When a feed of at least 1 KiB starts a `data`
//! line on a buffer with nothing left to process and the line runs on for 64 KiB or past the
//! feed, the field name is not even decoded into the buffer, so the value already sits at its
//! front; otherwise the value is moved to the front, within memory already touched.
//!
//! Memory is bounded by one event plus one chunk (plus a stage of at most 4 KiB, which is
//! decoded into the buffer when full). The size limit counts the bytes as fed (an invalid byte
//! counts as one byte, not as the three of its U+FFFD), so it does not depend on the chunking.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use memchr::{memchr, memchr2};

use crate::DEFAULT_MAX_FRAME_SIZE;
use crate::swar::{first_and_last_line_end, line_end_block_masks, short_line_end};

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// Staged bytes (the tail of a line still without its line end) are decoded into the buffer once
/// there are this many, so a long line is scanned once, in pieces, and not held back whole.
const STAGE_LIMIT: usize = 4096;

/// [`SseDecoder::next_owned_event`] gives an event whose data is at least this long the decoder's
/// own buffer (see [`SseDecoder::next_owned_event`]) instead of a copy of the data.
const HAND_OVER_AT_LEAST: usize = 64 * 1024;

/// Only a feed at least this long may start a long `data` line without its field name
/// (`SseDecoder::drop_long_data_prefix`): a small-event stream fed in short pieces (a slow
/// reader) then pays nothing for it, and a long line fed in short pieces still reaches
/// [`HAND_OVER_AT_LEAST`] by moving its value once, in `next_owned_event`.
const LONG_LINE_CHUNK: usize = 1024;

/// Whether [`SseDecoder::next_owned_event`] hands `event`'s buffer out rather than copying it.
#[inline]
pub(crate) fn is_long(event: &SseEvent<'_>) -> bool {
    event.data.len() >= HAND_OVER_AT_LEAST
}

/// Feeds at least this long are decoded into the buffer at once; shorter ones are staged until
/// their line ends (see [`SseDecoder::feed_small`]).
const DECODE_AT_ONCE: usize = 64;

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
    /// (joined with `\n`) plus the line currently being read, counted as fed (before U+FFFD
    /// replacement). Default: 16 MiB.
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
        Self::with_data(event, event.data.to_owned())
    }
}

impl OwnedSseEvent {
    /// `event` owned, with `data` (its data, already owned) in place of `event.data`.
    // Always inlined: called, it read the `data` its caller had just stored with one 16-byte load
    // over two 8-byte stores: a store-forwarding stall, two thirds of the ~9 % of the adapter's
    // time that perf put in this function on a CRLF stream cut after every CR.
    #[inline(always)]
    fn with_data(event: SseEvent<'_>, data: String) -> Self {
        Self {
            event: if event.event == "message" {
                Cow::Borrowed("message")
            } else {
                Cow::Owned(event.event.to_owned())
            },
            data,
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
    /// Unconsumed input, already decoded as UTF-8 (invalid sequences replaced with U+FFFD when
    /// they are fed), so that an event's text is a slice of it and needs no validation of its
    /// own. `buf[line_start..]` is the line being read.
    buf: String,
    /// Raw bytes fed after the last line end, not yet decoded into `buf`: the tail of the line
    /// being read. Never holds CR or LF. Decoding waits for the line end (or [`STAGE_LIMIT`]
    /// bytes, or the end of input), so that small feeds cost one UTF-8 validation per line
    /// rather than one per feed, and a character split across feeds is decoded whole.
    stage: Vec<u8>,
    /// Raw bytes fed so far (what [`Self::stream_offset`] reports).
    fed: u64,
    /// Where the decoded length departs from the raw length (an invalid sequence of 1–3 bytes
    /// became the 3 bytes of U+FFFD; the staged bytes of an overflowing line were dropped):
    /// `(decoded stream offset where it happened, decoded minus raw length of everything before
    /// it)`, for the positions still in `buf`. Empty for valid UTF-8.
    length_changes: Vec<(u64, i64)>,
    /// Decoded minus raw length of everything before `buf` (folded from `length_changes`).
    length_change_base: i64,
    /// Start of the first line not yet processed.
    line_start: usize,
    /// `buf[line_start..scan]` is known to hold no line end.
    scan: usize,
    /// Decoded stream offset of `buf[0]` (the raw offset plus the expansion before it).
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
    /// Raw length (as fed, see `raw_len`) of the data joined so far, `\n` joins included.
    data_len: usize,
    scratch: String,
    /// The last `event` value seen; it is the block's type only while `has_event_type` is set.
    /// Kept across blocks so that a repeated name (`content_block_delta` …) is neither
    /// re-validated nor re-copied.
    event_type: String,
    has_event_type: bool,
    /// A non-comment line was processed since the last blank line.
    block_has_fields: bool,
    /// Raw stream offset of the first byte after the last blank line.
    block_start: u64,
    /// The current block overflowed: ignore its lines until the next blank line.
    discard_block: bool,
    /// The current line overflowed while incomplete: drop its bytes until its line end. Also
    /// set, with `value_line`, for a long `data` line that lost its field name (the line that
    /// needs handling of its own either way, so the hot path tests one flag for both).
    discard_line: bool,
    /// Nonzero when the line at `buf[0]` is the value of a `data` field whose name, colon and
    /// optional space (this many bytes, 5 or 6) were not decoded into `buf` (see
    /// `feed_large`); `discard_line` is then set too, but the line is kept.
    value_line: usize,

    // State that outlives blocks.
    id_buffer: String,
    id_seen: bool,
    id_dirty: bool,
    last_event_id: String,
    reconnection_time: Option<u64>,
    retry_since_dispatch: Option<u64>,
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
            .field("stream_offset", &self.fed)
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
            buf: String::new(),
            stage: Vec::new(),
            fed: 0,
            length_changes: Vec::new(),
            length_change_base: 0,
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
            scratch: String::new(),
            event_type: String::new(),
            has_event_type: false,
            block_has_fields: false,
            block_start: 0,
            discard_block: false,
            discard_line: false,
            value_line: 0,
            id_buffer: String::new(),
            id_seen: false,
            id_dirty: false,
            last_event_id: String::new(),
            reconnection_time: None,
            retry_since_dispatch: None,
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
        std::mem::swap(&mut fresh.length_changes, &mut self.length_changes);
        std::mem::swap(&mut fresh.stage, &mut self.stage);
        std::mem::swap(&mut fresh.ignored, &mut self.ignored);
        *self = fresh;
        self.buf.clear();
        self.scratch.clear();
        self.event_type.clear();
        self.id_buffer.clear();
        self.last_event_id.clear();
        self.length_changes.clear();
        self.stage.clear();
        self.ignored.clear();
    }

    /// Appends the next piece of the stream. Pieces may split the stream anywhere, even inside a
    /// CRLF, the BOM or a UTF-8 character.
    ///
    /// Feeding after [`finish`](Self::finish) continues the stream (see the module docs).
    #[inline]
    pub fn feed(&mut self, chunk: &[u8]) {
        // One byte in the middle of a line (a slow reader): it only joins the stage. Inlined, like
        // `next_event`, so that this costs no call.
        if let [byte] = chunk
            && *byte != b'\n'
            && *byte != b'\r'
            && self.stage.len() < STAGE_LIMIT
        {
            self.eof = false;
            self.eof_reported = false;
            self.byte_follows_buf();
            self.fed += 1;
            self.stage.push(*byte);
            return;
        }
        self.feed_slow(chunk);
    }

    /// A byte that is not an LF is being staged: if `buf` is all processed and ended with a CR,
    /// that CR was a line end of its own.
    #[inline]
    fn byte_follows_buf(&mut self) {
        if self.scan == self.buf.len() {
            self.swallow_lf = false;
        }
    }

    fn feed_slow(&mut self, chunk: &[u8]) {
        if chunk.is_empty() {
            return;
        }
        self.eof = false;
        self.eof_reported = false;
        self.fed += chunk.len() as u64;
        if chunk.len() >= DECODE_AT_ONCE {
            self.feed_large(chunk);
        } else {
            self.feed_small(chunk);
        }
    }

    /// A network-sized chunk is decoded into `buf` at once (one validation per chunk); only an
    /// incomplete character at its end is staged.
    fn feed_large(&mut self, mut chunk: &[u8]) {
        if !self.stage.is_empty() {
            // Join the staged bytes (an incomplete character, or a line begun by small feeds)
            // with the chunk's first line.
            let head_len = memchr2(b'\n', b'\r', chunk).map_or(chunk.len(), |end| end + 1);
            let (head, rest) = chunk.split_at(head_len);
            self.stage.extend_from_slice(head);
            self.flush_stage(false);
            chunk = rest;
        }
        // The join either took the whole chunk or ended at an (ASCII) line end, which left
        // nothing staged.
        if chunk.is_empty() {
            return;
        }
        self.make_room(chunk.len());
        let mut searched = 0;
        if chunk.len() >= LONG_LINE_CHUNK && self.line_start == self.buf.len() {
            (chunk, searched) = self.drop_long_data_prefix(chunk);
        }
        let changes = self.length_changes.len();
        let start = self.buf.len();
        let used = self.decode(chunk, false);
        if searched > 0 && self.length_changes.len() == changes {
            // The value's first bytes were searched for a line end already (and decoded to
            // themselves): `advance` goes on from there.
            self.scan = (start + searched).min(self.buf.len());
        }
        self.stage
            .extend_from_slice(chunk.get(used..).unwrap_or_default());
    }

    /// Small feeds wait in the stage until a line end arrives, so that they cost one UTF-8
    /// validation per line rather than one per feed; a staged keep-alive is dropped unread.
    fn feed_small(&mut self, chunk: &[u8]) {
        if chunk.len() <= 2
            && chunk.iter().all(|&byte| byte == b'\n' || byte == b'\r')
            && self.stage.is_empty()
        {
            // Line ends alone (a CRLF stream cut after each CR sends `\n\r` between events) are
            // ASCII: they go straight into `buf`, with no stage and no validation.
            self.make_room(chunk.len());
            self.buf.extend(chunk.iter().map(|&byte| char::from(byte)));
            return;
        }
        let Some((first_line_end, last_line_end)) = first_and_last_line_end(chunk) else {
            self.byte_follows_buf();
            self.stage.extend_from_slice(chunk);
            if self.stage.len() >= STAGE_LIMIT {
                // A long line: decode what arrived, so that it is scanned once and in pieces.
                self.flush_stage(false);
            }
            return;
        };
        let (mut lines, rest) = chunk.split_at(last_line_end + 1);
        if !self.stage.is_empty() {
            // The first line end of the chunk completes the staged line.
            let (head, tail) = lines.split_at(first_line_end + 1);
            if let Some(after) = self.drop_staged_comment(head, tail) {
                lines = after;
            }
        }
        if !lines.is_empty() {
            self.stage.extend_from_slice(lines);
            self.flush_stage(true);
        }
        self.stage.extend_from_slice(rest);
    }

    /// When the staged line is a comment (a keep-alive fed in small pieces) that `head` ends,
    /// drops it without decoding or copying it, and returns what follows it in `tail`. The line
    /// records nothing, so this is what processing it would do; `None` leaves it to the general
    /// path (not all of `buf` processed, a CR that an LF may follow, the size limit, the BOM).
    fn drop_staged_comment<'c>(&mut self, head: &[u8], tail: &'c [u8]) -> Option<&'c [u8]> {
        if self.stage.first() != Some(&b':')
            || self.scan != self.buf.len()
            || self.line_start != self.buf.len()
            || !self.bom_checked
            || self.discard_line
            || self.discard_block
        {
            return None;
        }
        let (after, line_end) = match (head.last(), tail.first()) {
            (Some(b'\n'), _) => (tail, 1),
            (Some(b'\r'), Some(b'\n')) => (tail.get(1..).unwrap_or_default(), 2),
            _ => return None,
        };
        self.settle_dispatch();
        // The staged `:` follows the end of `buf`: a CR there was a line end of its own.
        self.swallow_lf = false;
        let length = self.stage.len() + head.len() - 1;
        if self.data_len.saturating_add(length) > self.config.max_event_size {
            return None;
        }
        let dropped = self.stage.len() + head.len() + line_end - 1;
        self.stage.clear();
        self.record_length_change(-(dropped as i64));
        Some(after)
    }

    /// Settles the last dispatched event and compacts `buf`, before about `incoming` bytes are
    /// appended to it.
    fn make_room(&mut self, incoming: usize) {
        self.settle_dispatch();
        self.compact(incoming);
    }

    /// `chunk` starts a line, and every byte of `buf` has been processed (`buf` is then empty,
    /// unless compaction was put off for a pending data value, which this line's value joins in
    /// `scratch`): when that line is a `data` line whose value runs on for
    /// [`HAND_OVER_AT_LEAST`] bytes or past the chunk, returns the chunk without the field name,
    /// colon and optional space, and marks the line (`value_line`, `discard_line`), so that the
    /// value alone fills the buffer and `next_owned_event` can hand the buffer out without
    /// moving it. Otherwise returns `chunk` as it is. Called for chunks of at least
    /// [`LONG_LINE_CHUNK`] bytes only.
    ///
    /// Also returns how many bytes at the start of the returned chunk were searched for a line
    /// end and hold none (0 when the chunk is returned as it is).
    fn drop_long_data_prefix<'c>(&mut self, chunk: &'c [u8]) -> (&'c [u8], usize) {
        let Some(&[d, a, t, a2, colon, sixth]) = chunk.first_chunk::<6>() else {
            return (chunk, 0);
        };
        if [d, a, t, a2, colon] != *b"data:"
            || self.swallow_lf
            || self.discard_line
            || self.discard_block
        {
            return (chunk, 0);
        }
        let prefix = 5 + usize::from(sixth == b' ');
        let head = chunk.get(prefix..).unwrap_or_default();
        let look = head.get(..HAND_OVER_AT_LEAST).unwrap_or(head);
        if head.is_empty() || memchr2(b'\n', b'\r', look).is_some() {
            return (chunk, 0);
        }
        // The stream's first bytes are not a BOM: what `check_bom` would decide.
        self.bom_checked = true;
        self.buf_offset += prefix as u64;
        self.value_line = prefix;
        self.discard_line = true;
        (head, look.len())
    }

    /// Decodes the stage into `buf`. Unless `whole`, an incomplete character at its end stays.
    fn flush_stage(&mut self, whole: bool) {
        if self.stage.is_empty() {
            return;
        }
        self.make_room(self.stage.len());
        let mut stage = std::mem::take(&mut self.stage);
        let used = self.decode(&stage, whole);
        stage.drain(..used);
        self.stage = stage;
    }

    /// Appends `bytes` to `buf` as text: WHATWG "UTF-8 decode" of the stream, with invalid
    /// sequences replaced by U+FFFD. Unless `whole`, an incomplete character at the end is left
    /// undecoded. Returns how many bytes were decoded.
    fn decode(&mut self, bytes: &[u8], whole: bool) -> usize {
        if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
            self.buf.push_str(text);
            return bytes.len();
        }
        let mut used = 0;
        let mut pieces = bytes.utf8_chunks().peekable();
        while let Some(piece) = pieces.next() {
            self.buf.push_str(piece.valid());
            used += piece.valid().len();
            let invalid = piece.invalid();
            if invalid.is_empty() {
                continue;
            }
            if !whole && pieces.peek().is_none() && is_incomplete_char(invalid) {
                // The next feed may complete it.
                break;
            }
            self.buf.push(char::REPLACEMENT_CHARACTER);
            used += invalid.len();
            let grown = char::REPLACEMENT_CHARACTER.len_utf8() as i64 - invalid.len() as i64;
            self.record_length_change(grown);
        }
        used
    }

    /// How many raw bytes `buf[range]` was decoded from: the size limit counts what was fed, so
    /// that it does not depend on where the input was split.
    #[inline]
    fn raw_len(&self, range: &Range<usize>) -> usize {
        if self.length_changes.is_empty() {
            return range.len();
        }
        if range.is_empty() {
            // Skips two searches of the table, which dropped keep-alives keep non-empty.
            return 0;
        }
        let raw = self
            .raw_offset(range.end)
            .saturating_sub(self.raw_offset(range.start));
        usize::try_from(raw).unwrap_or(usize::MAX)
    }

    /// Notes that the decoded stream is now `change` bytes longer than the raw one (shorter if
    /// negative), from the current end of `buf` on.
    fn record_length_change(&mut self, change: i64) {
        let at = self.buf_offset + self.buf.len() as u64;
        match self.length_changes.last_mut() {
            // Several changes at one place (dropped keep-alives) are one entry.
            Some((last_at, total)) if *last_at == at => *total += change,
            Some(&mut (_, total)) => self.length_changes.push((at, total + change)),
            None => self
                .length_changes
                .push((at, self.length_change_base + change)),
        }
    }

    /// The raw stream offset of `buf[index]`.
    #[inline]
    fn raw_offset(&self, index: usize) -> u64 {
        let decoded = self.buf_offset + index as u64;
        if self.length_changes.is_empty() {
            return decoded.saturating_add_signed(-self.length_change_base);
        }
        let change = self
            .length_changes
            .iter()
            .rev()
            .find(|&&(at, _)| at <= decoded)
            .map_or(self.length_change_base, |&(_, total)| total);
        decoded.saturating_add_signed(-change)
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
        self.fed
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
        if self.nothing_to_do() {
            return Ok(None);
        }
        self.next_event_slow()
    }

    /// Like [`next_event`](Self::next_event), but the event owns its strings, as
    /// [`SseEvent::into_owned`] would make it; this is what [`SseStream`](crate::stream::SseStream)
    /// yields. The difference is in the cost of a long event (64 KiB of data or more): instead of
    /// copying the data into a new `String`, the decoder hands out the buffer that holds it (the
    /// data moved to its front) and starts a new one with the bytes that follow. A fresh `String`
    /// of that size would be new memory, which the kernel must fault in and zero page by page.
    ///
    /// ```
    /// use clawrouter_wire::sse::SseDecoder;
    ///
    /// let mut decoder = SseDecoder::new();
    /// let value = "x".repeat(100_000);
    /// decoder.feed(format!("data: {value}\n\ndata: next\n\n").as_bytes());
    /// assert_eq!(decoder.next_owned_event().unwrap().unwrap().data, value);
    /// assert_eq!(decoder.next_owned_event().unwrap().unwrap().data, "next");
    /// assert!(decoder.next_owned_event().unwrap().is_none());
    /// ```
    #[inline]
    pub fn next_owned_event(&mut self) -> Result<Option<OwnedSseEvent>, SseError> {
        let Some(event) = self.next_event()? else {
            return Ok(None);
        };
        if !is_long(&event) {
            return Ok(Some(event.into_owned()));
        }
        // The event's block state stays until the next call (`settle_dispatch`).
        Ok(Some(self.long_owned_event()))
    }

    /// The event just returned by `next_event`, which [`is_long`], owned without copying its
    /// data into new memory: the buffer holding the data becomes the event's `String`.
    #[inline(never)]
    pub(crate) fn long_owned_event(&mut self) -> OwnedSseEvent {
        let data = match &self.data {
            Data::InBuffer(range) => {
                let Range { start, end } = range.clone();
                let rest = self.buf.get(end..).unwrap_or_default().to_owned();
                let mut data = std::mem::replace(&mut self.buf, rest);
                data.truncate(end);
                // Within memory already touched: the value moves to the front of its buffer.
                data.drain(..start);
                self.buf_offset += end as u64;
                self.line_start -= end.min(self.line_start);
                self.scan -= end.min(self.scan);
                self.data = Data::Empty;
                data
            }
            Data::InScratch => {
                self.data = Data::Empty;
                std::mem::take(&mut self.scratch)
            }
            Data::Empty => String::new(),
        };
        OwnedSseEvent::with_data(self.current_event(), data)
    }

    fn next_event_slow(&mut self) -> Result<Option<SseEvent<'_>>, SseError> {
        if self.advance()? {
            Ok(Some(self.current_event()))
        } else {
            Ok(None)
        }
    }

    /// True when `advance` would find nothing: every decoded byte has been scanned (new bytes of
    /// the current line are still in the stage), it is not the end of input, no line is being
    /// discarded, and the partial line is within the size limit (else `end_of_input` reports it).
    #[inline]
    fn nothing_to_do(&self) -> bool {
        self.scan == self.buf.len()
            && !self.eof
            && !self.discard_line
            && self.data_len.saturating_add(self.partial_line_len()) <= self.config.max_event_size
    }

    /// Raw length of the line being read: its decoded part in `buf` plus the stage.
    #[inline]
    fn partial_line_len(&self) -> usize {
        self.raw_len(&(self.line_start.min(self.buf.len())..self.buf.len()))
            .saturating_add(self.stage.len())
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
    ///
    /// While that value is waiting for its blank line and `buf` has room for the `incoming`
    /// bytes, compaction waits: copying the value would cost more than the bytes it frees. This
    /// is the common case of a chunk that ends between an event's data line and its blank line
    /// (CRLF streams cut after the CR). `buf` does not grow for it, so memory stays bounded.
    fn compact(&mut self, incoming: usize) {
        if self.line_start == 0 {
            return;
        }
        if let Data::InBuffer(range) = &self.data {
            if self.buf.capacity() - self.buf.len() >= incoming {
                return;
            }
            let value = self.buf.get(range.clone()).unwrap_or_default();
            self.scratch.clear();
            self.scratch.push_str(value);
            self.data = Data::InScratch;
        }
        let consumed = self.line_start.min(self.buf.len());
        // Lines start after an ASCII line end (or the BOM), so this always holds.
        if !self.buf.is_char_boundary(consumed) {
            return;
        }
        if consumed == self.buf.len() {
            self.buf.clear();
        } else {
            self.buf.drain(..consumed);
        }
        self.buf_offset += consumed as u64;
        // Expansions now before `buf` are folded into the base.
        let settled = self
            .length_changes
            .iter()
            .take_while(|&&(at, _)| at <= self.buf_offset)
            .count();
        if let Some(&(_, total)) = settled
            .checked_sub(1)
            .and_then(|last| self.length_changes.get(last))
        {
            self.length_change_base = total;
            self.length_changes.drain(..settled);
        }
        self.scan -= consumed.min(self.scan);
        self.line_start = 0;
    }

    /// Processes lines until an event is ready (`Ok(true)`) or the input is exhausted.
    fn advance(&mut self) -> Result<bool, SseError> {
        self.settle_dispatch();
        if self.eof && !self.eof_reported && !self.dropping_line() {
            // The end of input ends the staged partial line: decode it (an incomplete character
            // becomes U+FFFD) before the BOM decision and the truncation report look at it.
            self.flush_stage(true);
        }
        if !self.bom_checked && !self.stage.is_empty() {
            // The BOM decision needs the stream's first bytes in `buf`.
            self.flush_stage(false);
        }
        if !self.bom_checked && !self.check_bom() {
            return self.end_of_input();
        }
        loop {
            if self.swallow_lf {
                match self.buf.as_bytes().get(self.scan) {
                    None => return self.end_of_input(),
                    Some(&byte) => {
                        self.swallow_lf = false;
                        if byte == b'\n' {
                            // The LF completes a CRLF whose CR ended a blank line at the end of
                            // the previous feed: the block starts after it, as with a whole feed.
                            if self.block_start == self.raw_offset(self.scan) {
                                self.block_start += 1;
                            }
                            self.scan += 1;
                            self.line_start = self.scan;
                        }
                    }
                }
            }
            if self.buf.as_bytes().get(self.scan) == Some(&b':')
                && self.scan == self.line_start
                && !self.discard_block
                && !self.discard_line
            {
                self.skip_comment_lines();
            }
            let rest = self.buf.as_bytes().get(self.scan..).unwrap_or_default();
            // The blank line that ends most events is found without a search.
            let found = find_line_end(rest, &self.line_ends);
            let Some(found) = found else {
                self.scan = self.buf.len();
                return self.end_of_input();
            };
            let eol = self.scan + found;
            let mut next = eol + 1;
            if self.buf.as_bytes().get(eol) == Some(&b'\r') {
                match self.buf.as_bytes().get(next) {
                    Some(b'\n') => next += 1,
                    Some(_) => {}
                    // Unless staged bytes (never an LF) follow the CR.
                    None => self.swallow_lf = self.stage.is_empty(),
                }
            }
            let line = self.line_start..eol;
            self.line_start = next;
            self.scan = next;
            if self.discard_line {
                self.discard_line = false;
                let prefix = std::mem::take(&mut self.value_line);
                if prefix > 0 {
                    // A long `data` line without its field name: `line` is the value.
                    self.process_value_line(line, prefix)?;
                }
                // Else the tail of a line that already overflowed.
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
            if self.buf.as_bytes().get(line.start) == Some(&b':')
                && !self.discard_block
                && self.data_len.saturating_add(self.raw_len(&line)) <= self.config.max_event_size
            {
                // A comment (keep-alive): nothing to record.
                continue;
            }
            if matches!(self.data, Data::Empty)
                && !self.discard_block
                && self.raw_len(&line) <= self.config.max_event_size
                && self.buf.as_bytes().get(line.start..line.start + 5) == Some(b"data:")
            {
                let skip = usize::from(self.buf.as_bytes().get(line.start + 5) == Some(&b' '));
                let value = line.start + 5 + skip..line.end;
                self.data_len = self.raw_len(&value);
                self.data = Data::InBuffer(value);
                self.block_has_fields = true;
                continue;
            }
            // Anthropic names every event: `event: content_block_delta` before its data line.
            if !self.discard_block
                && self.data_len.saturating_add(self.raw_len(&line)) <= self.config.max_event_size
                && self.buf.as_bytes().get(line.start..line.start + 6) == Some(b"event:")
            {
                let skip = usize::from(self.buf.as_bytes().get(line.start + 6) == Some(&b' '));
                self.set_event_type(line.start + 6 + skip..line.end);
                self.block_has_fields = true;
                continue;
            }
            if self.process_line(line)? {
                return Ok(true);
            }
        }
    }

    /// Skips a run of short, LF-terminated comment lines (keep-alives such as `: ping`) starting
    /// at `scan`, which must be the start of a line: they record nothing, so none of the general
    /// loop's bookkeeping is needed. Stops at anything else (including a comment that ends with
    /// CR, is longer than 15 bytes, or would cross the size limit), which the general loop handles.
    fn skip_comment_lines(&mut self) {
        let bytes = self.buf.as_bytes();
        if !self.length_changes.is_empty() {
            // Lengths below are decoded ones; the general path measures raw ones.
            return;
        }
        let room = self.config.max_event_size.saturating_sub(self.data_len);
        let mut at = self.scan;
        // Whole 64-byte blocks first: one pass of compares finds every line end of the block, so
        // the lines are checked without a search each (a chain of dependent searches is what
        // bounds this loop).
        while let Some(block) = bytes.get(at..).and_then(<[u8]>::first_chunk::<64>) {
            let (mut line_feeds, carriage_returns) = line_end_block_masks(block);
            let mut start = 0;
            while line_feeds != 0 {
                let end = line_feeds.trailing_zeros();
                let below_end = (1u64 << end) - 1;
                let length = (end - start) as usize;
                if block.get(start as usize) != Some(&b':')
                    || (carriage_returns & below_end) >> start != 0
                    || length > room
                {
                    break;
                }
                start = end + 1;
                line_feeds &= line_feeds - 1;
            }
            at += start as usize;
            if line_feeds != 0 || start == 0 {
                // Stopped at a line the general loop must see, or a line longer than the block.
                self.scan = at;
                self.line_start = at;
                return;
            }
        }
        while let Some(rest) = bytes.get(at..)
            && rest.first() == Some(&b':')
        {
            let Some(length) = short_line_end(rest) else {
                break;
            };
            if rest.get(length) != Some(&b'\n') || length > room {
                break;
            }
            at += length + 1;
        }
        self.scan = at;
        self.line_start = at;
    }

    /// Decides whether the stream starts with a BOM. Returns false when more bytes are needed.
    fn check_bom(&mut self) -> bool {
        let head = self
            .buf
            .as_bytes()
            .get(self.line_start..)
            .unwrap_or_default();
        if head.len() >= BOM.len() {
            if head.starts_with(&BOM) {
                self.line_start += BOM.len();
                self.scan = self.line_start;
                self.block_start = self.raw_offset(self.line_start);
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
        let partial = self.partial_line_len() + self.value_line;
        if self.dropping_line() {
            // Keep dropping the overflowing line's bytes as they arrive.
            self.line_start = self.buf.len();
            self.scan = self.line_start;
            self.drop_stage();
        } else if partial > 0
            && self.bom_checked
            && self.data_len.saturating_add(partial) > self.config.max_event_size
        {
            // Same rule as in `process_line`, applied before the line is complete so that memory
            // stays bounded; a block already being discarded reports nothing more.
            let offset = self
                .raw_offset(self.line_start)
                .saturating_sub(self.value_line as u64);
            self.value_line = 0;
            self.line_start = self.buf.len();
            self.scan = self.line_start;
            self.drop_stage();
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
        // Bytes staged after a discarded line's end are the last, unterminated line.
        self.flush_stage(true);
        let partial = self.buf.len().saturating_sub(self.line_start);
        if self.config.dispatch_unterminated_at_eof && !self.dropping_line() {
            let mut dispatched = false;
            if partial > 0 {
                let line = self.line_start..self.buf.len();
                self.line_start = self.buf.len();
                self.scan = self.line_start;
                self.discard_line = false;
                dispatched = match std::mem::take(&mut self.value_line) {
                    0 => self.process_line(line)?,
                    prefix => {
                        self.process_value_line(line, prefix)?;
                        false
                    }
                };
            }
            if !dispatched && (self.block_has_fields || !matches!(self.data, Data::Empty)) {
                let empty = self.line_start..self.line_start;
                dispatched = self.process_line(empty)?;
            }
            return Ok(dispatched);
        }
        let truncated = partial > 0 || self.block_has_fields;
        let partial_is_data = self.value_line > 0
            || self
                .buf
                .as_bytes()
                .get(self.line_start..)
                .is_some_and(|line| line == b"data" || line.starts_with(b"data:"));
        let report = SseError::Truncated {
            unterminated_bytes: self.stream_offset().saturating_sub(self.block_start),
            pending_data: !self.discard_block
                && (!matches!(self.data, Data::Empty) || partial_is_data),
        };
        // The spec discards the pending block; start from a clean state if bytes follow.
        self.value_line = 0;
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

    /// Drops the staged bytes (the tail of a line being discarded).
    fn drop_stage(&mut self) {
        if !self.stage.is_empty() {
            let dropped = self.stage.len() as i64;
            self.stage.clear();
            self.record_length_change(-dropped);
        }
    }

    fn start_discarding_block(&mut self) {
        self.discard_block = true;
        self.data = Data::Empty;
        self.data_len = 0;
    }

    /// Interprets one line (WHATWG §9.2.6). Returns true when it dispatched an event.
    fn process_line(&mut self, line: Range<usize>) -> Result<bool, SseError> {
        let Some(blank) = self.buf.as_bytes().get(line.clone()).map(<[u8]>::is_empty) else {
            return Ok(false);
        };
        if blank {
            return Ok(self.end_block());
        }
        if self.discard_block {
            return Ok(false);
        }
        self.check_line_size(&line, 0)?;
        let bytes = self.buf.as_bytes().get(line.clone()).unwrap_or_default();
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
        let name = self.buf.as_bytes().get(name).unwrap_or_default();
        let value_text = self.buf.get(value.clone()).unwrap_or_default();
        match name {
            b"data" => self.push_data(value),
            b"event" => self.set_event_type(value),
            // An id containing NUL is ignored wholesale.
            b"id" if !value_text.contains('\0') => {
                self.id_buffer.clear();
                self.id_buffer.push_str(value_text);
                self.id_seen = true;
                self.id_dirty = true;
            }
            b"retry" => {
                if let Some(ms) = parse_retry(value_text.as_bytes()) {
                    self.reconnection_time = Some(ms);
                    self.retry_since_dispatch = Some(ms);
                }
            }
            _ => {
                let line_bytes = self.buf.as_bytes().get(line).unwrap_or_default();
                if self.ignored.len() + line_bytes.len() < self.config.keep_ignored_lines {
                    self.ignored.extend_from_slice(line_bytes);
                    self.ignored.push(b'\n');
                }
            }
        }
        Ok(false)
    }

    /// The line being read overflowed and its bytes are dropped as they arrive (`discard_line`
    /// without `value_line`, which marks a kept line).
    fn dropping_line(&self) -> bool {
        self.discard_line && self.value_line == 0
    }

    /// A `data` line whose field name was not decoded (`value_line`): `value` is its value, and
    /// `prefix` the length of what was dropped. The same checks as `process_line` on the whole
    /// line (a `data` line never dispatches an event).
    fn process_value_line(&mut self, value: Range<usize>, prefix: usize) -> Result<(), SseError> {
        if self.discard_block {
            return Ok(());
        }
        self.check_line_size(&value, prefix)?;
        self.block_has_fields = true;
        self.push_data(value);
        Ok(())
    }

    /// The size rule for a complete line (`buf[line]`, after `prefix` raw bytes that were not
    /// decoded into `buf`): when it would take the event past the limit, the block is discarded
    /// and the error names the line's raw offset.
    fn check_line_size(&mut self, line: &Range<usize>, prefix: usize) -> Result<(), SseError> {
        let line_len = self.raw_len(line).saturating_add(prefix);
        if self.data_len.saturating_add(line_len) <= self.config.max_event_size {
            return Ok(());
        }
        let offset = self.raw_offset(line.start).saturating_sub(prefix as u64);
        self.start_discarding_block();
        Err(SseError::EventTooLarge {
            limit: self.config.max_event_size,
            offset,
        })
    }

    /// An `event` field whose value is `buf[value]`.
    fn set_event_type(&mut self, value: Range<usize>) {
        let value = self.buf.get(value).unwrap_or_default();
        if self.event_type != value {
            self.event_type.clear();
            self.event_type.push_str(value);
        }
        self.has_event_type = true;
    }

    fn push_data(&mut self, value: Range<usize>) {
        // `data_len` counts raw bytes (see `raw_len`), `\n` joins included.
        let raw_len = self.raw_len(&value);
        match &self.data {
            Data::Empty => {
                self.data_len = raw_len;
                self.data = Data::InBuffer(value);
            }
            Data::InBuffer(first) => {
                let first = self.buf.get(first.clone()).unwrap_or_default();
                let value = self.buf.get(value).unwrap_or_default();
                self.scratch.clear();
                self.scratch.push_str(first);
                self.scratch.push('\n');
                self.scratch.push_str(value);
                self.data_len = self.data_len.saturating_add(1 + raw_len);
                self.data = Data::InScratch;
            }
            Data::InScratch => {
                let value = self.buf.get(value).unwrap_or_default();
                self.scratch.push('\n');
                self.scratch.push_str(value);
                self.data_len = self.data_len.saturating_add(1 + raw_len);
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
        self.block_start = self.raw_offset(self.line_start);
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
            id_seen,
            last_event_id,
            retry_since_dispatch,
            ..
        } = self;
        let data: &str = match data {
            Data::InBuffer(range) => buf.get(range.clone()).unwrap_or_default(),
            Data::InScratch => scratch,
            Data::Empty => "",
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
            _ if hay.len() <= 16 => short_line_end(hay),
            _ => line_ends.find(hay),
        };
    }
    match short_line_end(hay) {
        Some(found) => Some(found),
        None => line_ends.find(hay.get(16..)?).map(|found| 16 + found),
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

/// Whether `bytes` (an invalid piece from `utf8_chunks`) is the start of a character that more
/// bytes could complete, rather than an invalid sequence.
fn is_incomplete_char(bytes: &[u8]) -> bool {
    matches!(std::str::from_utf8(bytes), Err(error) if error.error_len().is_none())
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

    /// Compaction is put off while a data value waits for its blank line, but only while `buf` has
    /// room: many lines after the value, fed in small pieces, do not grow the buffer.
    #[test]
    fn put_off_compaction_does_not_grow_the_buffer() {
        let mut decoder = SseDecoder::new();
        decoder.feed(format!("data: {}\r", "v".repeat(500)).as_bytes());
        assert!(decoder.next_event().unwrap().is_none());
        for i in 0..20_000 {
            decoder.feed(b"\n");
            decoder.feed(format!("id: {i}\r").as_bytes());
            assert!(decoder.next_event().unwrap().is_none());
            assert!(decoder.buf.capacity() <= 4096, "{}", decoder.buf.capacity());
        }
        decoder.feed(b"\n\r\n");
        let event = decoder.next_event().unwrap().unwrap();
        assert_eq!((event.data.len(), event.id), (500, Some("19999")));
    }

    #[test]
    fn retry_parsing() {
        assert_eq!(parse_retry(b"100"), Some(100));
        assert_eq!(parse_retry(b""), None);
        assert_eq!(parse_retry(b"+5"), None);
        assert_eq!(parse_retry(b"99999999999999999999999"), None);
    }
}
