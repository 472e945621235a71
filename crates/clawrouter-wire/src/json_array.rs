//! A sans-IO splitter for a JSON array streamed element by element (WIRE.md §2d, §3.4).
//!
//! Gemini's default `streamGenerateContent` body is one JSON array written incrementally: `[`,
//! pretty-printed elements separated by `\n,\r\n`, then `]`. Network reads split it anywhere:
//! inside strings, inside escapes, inside multi-byte characters, between `}` and `,`.
//! [`JsonArraySplitter`] cuts out each complete element as soon as its last byte arrives and hands
//! it over as a borrowed slice, ready for `serde_json::from_slice`.
//!
//! # What it checks, and what it leaves to the JSON parser
//!
//! The splitter tracks only structure: nesting (with bracket matching), strings and escapes, and
//! the array's own `[`, `,` and `]` with any JSON whitespace (space, tab, CR, LF) around them. It
//! does not validate the inside of an element (numbers, literals, key syntax, UTF-8): every
//! structural byte is ASCII, so the element's bytes can be validated once, by the deserializer.
//! Anything outside the elements that is not whitespace, `,`, or `]` is a
//! [`JsonArrayError`] with its byte offset.
//!
//! A body that is a single JSON object instead of an array (Gemini's error form,
//! `{"error":{…}}`, as sent with a non-2xx status) is reported as [`JsonFrame::Object`]. A leading
//! UTF-8 BOM is skipped.
//!
//! # Cost
//!
//! Each byte is examined about once (the bytes of an element's last block that follow its end are
//! read again for the next element). Inside an element the scanner reads 64 bytes at a time: SIMD
//! compares give one bit per byte for `"`, `\`, and the four brackets; a prefix XOR of the quotes
//! that no backslash escapes (simdjson's odd-run rule for backslashes) marks the bytes inside
//! strings, with the string and escape state carried from block to block and from feed to feed.
//! Only the brackets outside strings are then visited, one step each, to track nesting. A block in
//! which a backslash lies outside a string (invalid JSON, where the odd-run rule does not apply),
//! and the last bytes short of a block (the end of each feed), are scanned eight bytes at a time
//! instead: every byte that may matter is flagged with plain integer arithmetic and the flags of a
//! word are handled in order; after 32 bytes of one string without a flag that path jumps with
//! `memchr2(b'"', b'\\')`. Between elements the scanner looks at one byte at a time. Consumed bytes
//! are dropped only when the next chunk arrives, moving at most the unfinished element, and that at
//! most once.
//!
//! The compares run at the widest SIMD level the CPU has, detected once per splitter at run time
//! through `fearless_simd` (on x86_64: AVX-512, AVX2, SSE4.2 or SSE2; NEON on aarch64), which
//! keeps this crate free of `unsafe`. The scan is compiled once per level, and the splitter calls
//! into the detected level's copy when at least 256 bytes wait to be scanned; fewer bytes (small
//! feeds) are scanned with SSE2 through `wide` (its portable fallback on other targets), inlined,
//! since the call would cost more than the wider compares save.

use std::fmt;

use fearless_simd::prelude::*;
use fearless_simd::{Level, dispatch, u8x64};
use memchr::memchr2;
use wide::u8x16;

use crate::DEFAULT_MAX_FRAME_SIZE;
use crate::swar::{bits, eq_mask, find_in_words, lanes, load_padded};

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// Default maximum nesting depth inside one element (serde_json's own default recursion limit).
pub const DEFAULT_MAX_DEPTH: usize = 128;

/// Settings of a [`JsonArraySplitter`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonArrayConfig {
    /// Largest element, in bytes. Default: 16 MiB.
    pub max_element_size: usize,
    /// Deepest nesting of arrays and objects inside one element (the element itself is depth 1).
    /// Default: 128.
    pub max_depth: usize,
}

impl Default for JsonArrayConfig {
    fn default() -> Self {
        Self {
            max_element_size: DEFAULT_MAX_FRAME_SIZE,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

/// One complete top-level value, borrowing the splitter's buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonFrame<'a> {
    /// One element of the top-level array, exactly as it appeared (without surrounding whitespace).
    Element(&'a [u8]),
    /// The body was a single JSON object, not an array: Gemini's error form `{"error":{…}}`.
    Object(&'a [u8]),
}

impl<'a> JsonFrame<'a> {
    /// The raw bytes of the value.
    pub fn bytes(&self) -> &'a [u8] {
        match *self {
            JsonFrame::Element(bytes) | JsonFrame::Object(bytes) => bytes,
        }
    }

    /// Copies the frame out of the splitter's buffer.
    pub fn into_owned(self) -> OwnedJsonFrame {
        match self {
            JsonFrame::Element(bytes) => OwnedJsonFrame::Element(bytes.to_vec()),
            JsonFrame::Object(bytes) => OwnedJsonFrame::Object(bytes.to_vec()),
        }
    }
}

/// A [`JsonFrame`] that owns its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OwnedJsonFrame {
    /// See [`JsonFrame::Element`].
    Element(Vec<u8>),
    /// See [`JsonFrame::Object`].
    Object(Vec<u8>),
}

impl OwnedJsonFrame {
    /// The raw bytes of the value.
    pub fn bytes(&self) -> &[u8] {
        match self {
            OwnedJsonFrame::Element(bytes) | OwnedJsonFrame::Object(bytes) => bytes,
        }
    }
}

/// Why the body is not a well-formed streamed JSON array.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonArrayErrorKind {
    /// A byte that cannot appear here.
    UnexpectedByte {
        /// The offending byte.
        found: u8,
        /// What the splitter expected instead, in words.
        expected: &'static str,
    },
    /// The input ended before the array (or bare object) was closed.
    Truncated {
        /// What was still missing, in words.
        expected: &'static str,
    },
    /// One element grew past [`JsonArrayConfig::max_element_size`].
    ElementTooLarge {
        /// The configured limit in bytes.
        limit: usize,
    },
    /// Nesting inside one element went deeper than [`JsonArrayConfig::max_depth`].
    TooDeep {
        /// The configured limit.
        limit: usize,
    },
}

/// A malformed or over-limit body, with the byte offset where the problem was found.
///
/// The splitter stops at the first error and returns it again on every later call.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {offset}")]
pub struct JsonArrayError {
    kind: JsonArrayErrorKind,
    offset: u64,
}

impl JsonArrayError {
    /// What went wrong.
    pub fn kind(&self) -> &JsonArrayErrorKind {
        &self.kind
    }

    /// Absolute byte offset in the body (counting a skipped BOM).
    pub fn offset(&self) -> u64 {
        self.offset
    }
}

impl fmt::Display for JsonArrayErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonArrayErrorKind::UnexpectedByte { found, expected } => {
                write!(
                    f,
                    "unexpected {} in streamed JSON array, expected {expected}",
                    Byte(*found)
                )
            }
            JsonArrayErrorKind::Truncated { expected } => {
                write!(f, "streamed JSON array ended early, expected {expected}")
            }
            JsonArrayErrorKind::ElementTooLarge { limit } => {
                write!(f, "JSON array element exceeds the {limit}-byte size limit")
            }
            JsonArrayErrorKind::TooDeep { limit } => {
                write!(f, "JSON array element nests deeper than {limit} levels")
            }
        }
    }
}

/// Shows a byte as a readable character or as hex.
struct Byte(u8);

impl fmt::Display for Byte {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_ascii_graphic() {
            write!(f, "'{}'", char::from(self.0))
        } else {
            write!(f, "byte 0x{:02X}", self.0)
        }
    }
}

/// Where the scanner is, outside or inside an element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Before the first non-whitespace byte (and before the BOM decision).
    Start,
    /// After `[`: an element or `]`.
    AfterOpen,
    /// After `,`: an element.
    AfterComma,
    /// After an element: `,` or `]`.
    AfterElement,
    /// Inside an element (or the bare object).
    InValue,
    /// After `]` or after the bare object: only whitespace may follow.
    Done,
}

/// What kind of value is being scanned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ValueKind {
    /// An object or array; ends when the bracket stack empties.
    Container,
    /// A top-level string element; ends at its closing quote.
    String,
    /// A number or literal; ends before the next delimiter.
    Scalar,
}

/// A sans-IO splitter for a streamed JSON array. See the [module docs](self).
///
/// ```
/// use clawrouter_wire::json_array::{JsonArraySplitter, JsonFrame};
///
/// let mut splitter = JsonArraySplitter::new();
/// splitter.feed(b"[{\"a\":1}\n,\r\n{\"b\":");
/// assert_eq!(splitter.next_frame().unwrap(), Some(JsonFrame::Element(&b"{\"a\":1}"[..])));
/// assert_eq!(splitter.next_frame().unwrap(), None); // the second element is not complete yet
/// splitter.feed(b"[2]}\n]");
/// assert_eq!(splitter.next_frame().unwrap(), Some(JsonFrame::Element(&b"{\"b\":[2]}"[..])));
/// splitter.finish();
/// assert_eq!(splitter.next_frame().unwrap(), None); // closed cleanly
/// ```
pub struct JsonArraySplitter {
    config: JsonArrayConfig,
    buf: Vec<u8>,
    /// First byte still needed: the element start while inside one, else `scan`.
    keep_from: usize,
    /// Next byte to examine.
    scan: usize,
    /// Absolute offset of `buf[0]`.
    buf_offset: u64,
    state: State,
    bom_checked: bool,
    /// The body is a bare object, not an array.
    bare_object: bool,
    kind: ValueKind,
    /// Open brackets of the current element (`{` or `[`).
    stack: Vec<u8>,
    in_string: bool,
    /// The previous byte inside a string was a backslash.
    escaped: bool,
    /// End of the bytes the current element may be scanned in (see `scan_value`).
    visible: usize,
    eof: bool,
    error: Option<JsonArrayError>,
    /// Absolute offset of the first byte of the frame returned last.
    last_frame_offset: u64,
    /// The widest SIMD this CPU has, detected at run time: the block scan is compiled for each
    /// level and runs the one this selects.
    simd: Level,
}

impl Default for JsonArraySplitter {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for JsonArraySplitter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonArraySplitter")
            .field("config", &self.config)
            .field("state", &self.state)
            .field(
                "buffered_bytes",
                &(self.buf.len() - self.keep_from.min(self.buf.len())),
            )
            .field("stream_offset", &self.stream_offset())
            .field("depth", &self.stack.len())
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl JsonArraySplitter {
    /// A splitter with the default [`JsonArrayConfig`].
    pub fn new() -> Self {
        Self::with_config(JsonArrayConfig::default())
    }

    /// A splitter with the given settings.
    pub fn with_config(config: JsonArrayConfig) -> Self {
        Self {
            config,
            buf: Vec::new(),
            keep_from: 0,
            scan: 0,
            buf_offset: 0,
            state: State::Start,
            bom_checked: false,
            bare_object: false,
            kind: ValueKind::Container,
            stack: Vec::new(),
            in_string: false,
            escaped: false,
            visible: 0,
            eof: false,
            error: None,
            last_frame_offset: 0,
            simd: Level::new(),
        }
    }

    /// Forgets the body but keeps allocated capacity.
    pub fn reset(&mut self) {
        let mut fresh = Self::with_config(self.config);
        std::mem::swap(&mut fresh.buf, &mut self.buf);
        std::mem::swap(&mut fresh.stack, &mut self.stack);
        *self = fresh;
        self.buf.clear();
        self.stack.clear();
    }

    /// Appends the next piece of the body.
    pub fn feed(&mut self, chunk: &[u8]) {
        if chunk.is_empty() || self.error.is_some() {
            return;
        }
        self.eof = false;
        if self.keep_from > 0 {
            let consumed = self.keep_from.min(self.buf.len());
            self.buf.drain(..consumed);
            self.buf_offset += consumed as u64;
            self.scan -= consumed.min(self.scan);
            self.keep_from = 0;
        }
        self.buf.extend_from_slice(chunk);
    }

    /// Declares the end of the body. Keep calling [`next_frame`](Self::next_frame) until it
    /// returns `Ok(None)` (the array was closed) or an error (it was not).
    pub fn finish(&mut self) {
        self.eof = true;
    }

    /// Total number of bytes fed so far.
    pub fn stream_offset(&self) -> u64 {
        self.buf_offset + self.buf.len() as u64
    }

    /// Absolute byte offset of the first byte of the frame returned last by
    /// [`next_frame`](Self::next_frame), e.g. to locate a JSON error inside an element.
    pub fn last_frame_offset(&self) -> u64 {
        self.last_frame_offset
    }

    /// Whether the closing `]` (or the end of the bare object) has been seen.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// The next complete element; `Ok(None)` when more input is needed, or after
    /// [`finish`](Self::finish) when the body is complete.
    pub fn next_frame(&mut self) -> Result<Option<JsonFrame<'_>>, JsonArrayError> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        match self.advance() {
            Ok(Some(range)) => {
                self.last_frame_offset = self.buf_offset + range.start as u64;
                let bytes = self.buf.get(range).unwrap_or_default();
                Ok(Some(if self.bare_object {
                    JsonFrame::Object(bytes)
                } else {
                    JsonFrame::Element(bytes)
                }))
            }
            Ok(None) => Ok(None),
            Err(error) => {
                self.error = Some(error.clone());
                Err(error)
            }
        }
    }

    fn error_at(&self, position: usize, kind: JsonArrayErrorKind) -> JsonArrayError {
        JsonArrayError {
            kind,
            offset: self.buf_offset + position as u64,
        }
    }

    fn unexpected(&self, position: usize, found: u8, expected: &'static str) -> JsonArrayError {
        self.error_at(
            position,
            JsonArrayErrorKind::UnexpectedByte { found, expected },
        )
    }

    /// Scans until an element completes (its range in `buf`) or the input runs out.
    fn advance(&mut self) -> Result<Option<Range>, JsonArrayError> {
        if !self.bom_checked {
            let head = self.buf.get(self.scan..).unwrap_or_default();
            if head.len() < BOM.len() && BOM.starts_with(head) && !self.eof {
                return Ok(None);
            }
            if head.starts_with(&BOM) {
                self.scan += BOM.len();
            }
            self.bom_checked = true;
        }
        loop {
            if self.state == State::InValue {
                if let Some(end) = self.scan_value()? {
                    let start = self.keep_from;
                    self.keep_from = end;
                    self.state = if self.bare_object {
                        State::Done
                    } else {
                        State::AfterElement
                    };
                    return Ok(Some(start..end));
                }
                return self.end_of_input();
            }
            let Some(&byte) = self.buf.get(self.scan) else {
                self.keep_from = self.scan;
                return self.end_of_input();
            };
            let position = self.scan;
            if matches!(byte, b' ' | b'\t' | b'\r' | b'\n') {
                self.scan += 1;
                continue;
            }
            match (self.state, byte) {
                (State::Start, b'[') => self.state = State::AfterOpen,
                (State::Start, b'{') => {
                    self.bare_object = true;
                    self.start_value(position, byte)?;
                }
                (State::Start, _) => {
                    return Err(self.unexpected(position, byte, "'[' to open the array"));
                }
                (State::AfterOpen, b']') | (State::AfterElement, b']') => self.state = State::Done,
                (State::AfterOpen | State::AfterComma, _) => self.start_value(position, byte)?,
                (State::AfterElement, b',') => self.state = State::AfterComma,
                (State::AfterElement, _) => {
                    return Err(self.unexpected(position, byte, "',' or ']' after an element"));
                }
                (State::Done, _) => {
                    let expected = if self.bare_object {
                        "nothing after the JSON object"
                    } else {
                        "nothing after the closing ']'"
                    };
                    return Err(self.unexpected(position, byte, expected));
                }
                (State::InValue, _) => {}
            }
            if self.state != State::InValue {
                self.scan += 1;
            }
        }
    }

    /// Begins an element at `position`, whose first byte is `byte`.
    fn start_value(&mut self, position: usize, byte: u8) -> Result<(), JsonArrayError> {
        self.kind = match byte {
            b'{' | b'[' => ValueKind::Container,
            b'"' => ValueKind::String,
            b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => ValueKind::Scalar,
            _ => return Err(self.unexpected(position, byte, "a JSON value")),
        };
        self.keep_from = position;
        self.state = State::InValue;
        self.stack.clear();
        self.in_string = false;
        self.escaped = false;
        Ok(())
    }

    /// Scans the current value from `self.scan`. Returns its end (exclusive) once complete.
    ///
    /// Only the first `max_element_size + 1` bytes of the element are ever scanned, so the first
    /// error found is the same however the input was split.
    fn scan_value(&mut self) -> Result<Option<usize>, JsonArrayError> {
        let limit = self.config.max_element_size;
        self.visible = self
            .buf
            .len()
            .min(self.keep_from.saturating_add(limit).saturating_add(1));
        let end = match self.kind {
            ValueKind::Container => self.scan_container()?,
            ValueKind::String => self.scan_top_level_string(),
            ValueKind::Scalar => self.scan_scalar(),
        };
        let too_large = match end {
            Some(end) => end - self.keep_from > limit,
            None => self.visible - self.keep_from > limit,
        };
        if too_large {
            return Err(self.error_at(
                self.keep_from,
                JsonArrayErrorKind::ElementTooLarge { limit },
            ));
        }
        Ok(end)
    }

    /// Skips string content from `self.scan`; returns true when the closing quote was consumed.
    fn skip_string(&mut self) -> bool {
        let hay = self.buf.get(..self.visible).unwrap_or_default();
        match skip_string_bytes(hay, self.scan, self.escaped) {
            StringScan::Closed(after) => {
                self.scan = after;
                self.in_string = false;
                self.escaped = false;
                true
            }
            StringScan::Open { escaped } => {
                self.scan = hay.len();
                self.escaped = escaped;
                false
            }
        }
    }

    fn scan_top_level_string(&mut self) -> Option<usize> {
        if !self.in_string {
            // The opening quote.
            self.in_string = true;
            self.scan += 1;
        }
        self.skip_string().then_some(self.scan)
    }

    fn scan_scalar(&mut self) -> Option<usize> {
        let rest = self.buf.get(self.scan..self.visible).unwrap_or_default();
        match rest.iter().position(
            |byte| !matches!(byte, b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'+' | b'-' | b'.'),
        ) {
            // The delimiter itself is checked by the `AfterElement` state.
            Some(found) => {
                self.scan += found;
                Some(self.scan)
            }
            None => {
                self.scan = self.visible;
                None
            }
        }
    }

    fn scan_container(&mut self) -> Result<Option<usize>, JsonArrayError> {
        if self.visible.saturating_sub(self.scan) >= DISPATCH_AT_LEAST {
            return self.scan_container_at_best_level();
        }
        let hay = self.buf.get(..self.visible).unwrap_or_default();
        let stack = &mut self.stack;
        let max_depth = self.config.max_depth;
        let state = Strings {
            in_string: self.in_string,
            escaped: self.escaped,
        };
        let (found, state) =
            scan_container_bytes(Sse2Blocks, hay, self.scan, stack, max_depth, state);
        self.scanned(found, state, hay.len())
    }

    /// [`scan_container`](Self::scan_container) at the CPU's best SIMD level, which takes a call
    /// (into the level's copy of the scan) and so pays only for several blocks.
    #[inline(always)]
    fn scan_container_at_best_level(&mut self) -> Result<Option<usize>, JsonArrayError> {
        // The same locals as in `scan_container`, on purpose: taken from one shared helper, they
        // cost 1- to 64-byte feeds 2-4 % more instructions (callgrind).
        let hay = self.buf.get(..self.visible).unwrap_or_default();
        let stack = &mut self.stack;
        let max_depth = self.config.max_depth;
        let state = Strings {
            in_string: self.in_string,
            escaped: self.escaped,
        };
        let pos = self.scan;
        let (found, state) = dispatch!(self.simd, simd => scan_container_bytes(
            SimdBlocks(simd), hay, pos, stack, max_depth, state
        ));
        self.scanned(found, state, hay.len())
    }

    /// Takes the result of a container scan that stopped at `end` of the visible bytes unless it
    /// found the element's end or an error.
    #[inline(always)]
    fn scanned(
        &mut self,
        found: Found,
        state: Strings,
        end: usize,
    ) -> Result<Option<usize>, JsonArrayError> {
        match found {
            Ok(Some(end)) => {
                self.scan = end;
                Ok(Some(end))
            }
            Ok(None) => {
                self.in_string = state.in_string;
                self.escaped = state.escaped;
                self.scan = end;
                Ok(None)
            }
            Err((at, kind)) => Err(self.error_at(at, kind)),
        }
    }

    /// The input ran out: wait for more, or at EOF say what is missing.
    fn end_of_input(&mut self) -> Result<Option<Range>, JsonArrayError> {
        if !self.eof {
            return Ok(None);
        }
        let expected = match self.state {
            State::Done => return Ok(None),
            State::Start => "'[' to open the array",
            State::AfterOpen => "an element or ']'",
            State::AfterComma => "an element after ','",
            State::AfterElement => "',' or ']'",
            State::InValue if self.bare_object => "the end of the JSON object",
            State::InValue => "the end of the element",
        };
        Err(self.error_at(self.buf.len(), JsonArrayErrorKind::Truncated { expected }))
    }
}

type Range = std::ops::Range<usize>;

/// The scan takes the CPU's best SIMD level (a call through `dispatch!`) only for at least this
/// many bytes; fewer take `Sse2Blocks`, inlined. Measured: through the dispatch, 64-byte feeds
/// cost 30 % more; at the best level, whole bodies cost 10 % less.
const DISPATCH_AT_LEAST: usize = 4 * BLOCK;

/// Bytes per block of [`BlockMasks`].
const BLOCK: usize = 64;

/// Where the string scan is between two bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Strings {
    in_string: bool,
    /// The next byte is escaped (the byte before it was a backslash inside a string).
    escaped: bool,
}

/// Where an element scan stopped: `Ok(Some(end))` when the element is complete, `Ok(None)` when
/// the bytes ran out, or the error and its position in the buffer.
type Found = Result<Option<usize>, (usize, JsonArrayErrorKind)>;

/// Scans a container element in `hay` from `pos`, in `state`, until it ends (`Ok(Some(end))`), an
/// error, or the end of `hay` (`Ok(None)`, with the string state there). This is the splitter's hot
/// path, compiled once per SIMD level (`simd`) and always inlined into that level's copy. Whole
/// 64-byte blocks go through `BlockMasks`; a block with a backslash outside a string, and the last
/// bytes short of a block, go through `words`.
#[inline(always)]
fn scan_container_bytes<C: ClassifyBlock>(
    classify: C,
    hay: &[u8],
    mut pos: usize,
    stack: &mut Vec<u8>,
    max_depth: usize,
    mut state: Strings,
) -> (Found, Strings) {
    loop {
        // Where the eight-byte path stops, if this block cannot use the masks.
        let to;
        if let Some(block) = hay.get(pos..).and_then(|rest| rest.first_chunk::<BLOCK>()) {
            let masks = classify.masks(block);
            let (strings, escaped_after) = masks.strings(state);
            if masks.backslash & !strings == 0 {
                match block_brackets(block, masks.brackets & !strings, pos, stack, max_depth) {
                    Ok(None) => {}
                    end => return (end, state),
                }
                state = Strings {
                    in_string: strings >> 63 != 0,
                    escaped: escaped_after,
                };
                pos += BLOCK;
                continue;
            }
            // A backslash outside a string is no escape (the masks assumed it was one): this
            // block eight bytes at a time.
            to = pos + BLOCK;
        } else {
            to = hay.len();
        }
        let (found, after, after_state) = words(hay, pos, to, stack, max_depth, state);
        (pos, state) = (after, after_state);
        if to == hay.len() || !matches!(found, Ok(None)) {
            return (found, state);
        }
    }
}

/// Handles a bracket outside a string at `at` (other bytes are nothing); `Ok(Some(at + 1))` when
/// it closes the element.
#[inline]
fn bracket(stack: &mut Vec<u8>, max_depth: usize, at: usize, byte: u8) -> Found {
    match byte {
        b'{' | b'[' => {
            if stack.len() >= max_depth {
                let limit = max_depth;
                return Err((at, JsonArrayErrorKind::TooDeep { limit }));
            }
            stack.push(byte);
            Ok(None)
        }
        b'}' | b']' => {
            let opener = if byte == b'}' { b'{' } else { b'[' };
            let expected = match stack.pop() {
                Some(open) if open == opener => return Ok(stack.is_empty().then_some(at + 1)),
                Some(b'{') => "'}' to close the object",
                _ => "']' to close the array",
            };
            Err((
                at,
                JsonArrayErrorKind::UnexpectedByte {
                    found: byte,
                    expected,
                },
            ))
        }
        _ => Ok(None),
    }
}

/// Handles the brackets outside strings of one block (`brackets`, one bit per byte of `block`,
/// which starts at `pos`), in order; `Ok(Some(end))` when one closes the element.
#[inline]
fn block_brackets(
    block: &[u8; BLOCK],
    mut brackets: u64,
    pos: usize,
    stack: &mut Vec<u8>,
    max_depth: usize,
) -> Found {
    // `{` and `[` have bit 1 set, `}` and `]` not; the opener of a closing bracket differs from
    // it in bits 1 and 2.
    while brackets != 0 {
        let i = brackets.trailing_zeros() as usize;
        brackets &= brackets - 1;
        let byte = block.get(i % BLOCK).copied().unwrap_or_default();
        if byte & 2 != 0 {
            if stack.len() < max_depth {
                stack.push(byte);
                continue;
            }
        } else if stack.last() == Some(&(byte ^ 6)) {
            stack.pop();
            if stack.is_empty() {
                return Ok(Some(pos + i + 1));
            }
            continue;
        }
        // Too deep, or the wrong closer.
        return bracket(stack, max_depth, pos + i, byte);
    }
    Ok(None)
}

/// Scans `hay` from `pos` eight bytes at a time until `to` (the end of `hay`, or a multiple of
/// eight bytes ahead), or until the element ends; returns what it found, where it stopped and
/// the string state there. Every byte that may matter (`"`, `\`, brackets) is found eight at a
/// time by `candidates`, and all the candidates of one word are handled from one mask, in order,
/// without a call per string.
#[inline(always)]
fn words(
    hay: &[u8],
    mut pos: usize,
    to: usize,
    stack: &mut Vec<u8>,
    max_depth: usize,
    state: Strings,
) -> (Found, usize, Strings) {
    let mut in_string = state.in_string;
    // Candidates before `escaped_until` are the byte after a backslash: not structural.
    let mut escaped_until = pos + usize::from(state.escaped);
    // Candidate-free words seen in a row inside a string (see `LONG_STRING_WORDS`).
    let mut quiet_words = 0;
    while let Some(rest) = hay.get(pos..to).filter(|rest| !rest.is_empty()) {
        let word = match rest.first_chunk::<8>() {
            Some(word) => *word,
            // Zero padding is never a candidate.
            None => load_padded(rest).to_le_bytes(),
        };
        // Eight bytes, or the last few before `to`: a word never reaches past `to`, which may be
        // where the next block starts.
        let step = rest.len().min(8);
        let (quotes, others) = candidates(u64::from_le_bytes(word));
        if others == 0 && escaped_until <= pos {
            // Only quotes, or nothing: the common word of pretty-printed JSON (indentation,
            // keys, short values). Each quote enters or leaves a string; no bracket to track.
            if quotes != 0 {
                quiet_words = 0;
                in_string ^= flag_count(quotes) & 1 == 1;
            } else if in_string {
                quiet_words += 1;
                if quiet_words >= LONG_STRING_WORDS {
                    // A long string (base64, say): memchr is faster than words from here on.
                    quiet_words = 0;
                    let after = pos + step;
                    pos = match memchr2(b'"', b'\\', hay.get(after..).unwrap_or_default()) {
                        Some(found) => after + found,
                        None => hay.len(),
                    };
                    continue;
                }
            }
            pos += step;
            continue;
        }
        quiet_words = 0;
        let mut hits = quotes | others;
        while hits != 0 {
            let at = pos + (hits.trailing_zeros() / 8) as usize;
            hits &= hits - 1;
            if at < escaped_until {
                continue;
            }
            let byte = hay.get(at).copied().unwrap_or_default();
            if in_string {
                match byte {
                    b'"' => in_string = false,
                    b'\\' => escaped_until = at + 2,
                    _ => {}
                }
                continue;
            }
            if byte == b'"' {
                in_string = true;
                continue;
            }
            // `\` outside a string, or `|` (see `candidates`), are nothing.
            let found = bracket(stack, max_depth, at, byte);
            if !matches!(found, Ok(None)) {
                return (found, at + 1, state);
            }
        }
        pos += step;
    }
    let state = Strings {
        in_string,
        escaped: escaped_until > pos,
    };
    (Ok(None), pos, state)
}

/// How [`scan_container_bytes`] computes a block's [`BlockMasks`].
trait ClassifyBlock: Copy {
    fn masks(self, block: &[u8; BLOCK]) -> BlockMasks;
}

/// SSE2 on x86_64 (the baseline, so it inlines anywhere) through `wide`; its portable fallback
/// elsewhere.
#[derive(Clone, Copy)]
struct Sse2Blocks;

impl ClassifyBlock for Sse2Blocks {
    #[inline(always)]
    fn masks(self, block: &[u8; BLOCK]) -> BlockMasks {
        let v = lanes(block);
        let eq = |byte: u8| v.map(|v| v.simd_eq(u8x16::splat(byte)));
        let backslash = eq(b'\\');
        // Backslashes are rare: one movemask says whether the block has any.
        let [b0, b1, b2, b3] = backslash;
        let backslash = if (b0 | b1 | b2 | b3).to_bitmask() == 0 {
            0
        } else {
            bits(backslash)
        };
        // Setting bit 5 maps `[` and `]` onto `{` and `}`, and no other byte onto them; then
        // `{` and `}` are the bytes 0 and 2 above `{`, the only ones with no bit but bit 1 set.
        let brackets = v.map(|v| {
            let above = (v | u8x16::splat(0x20)) - u8x16::splat(b'{');
            (above & u8x16::splat(!2)).simd_eq(u8x16::ZERO)
        });
        BlockMasks {
            quotes: bits(eq(b'"')),
            backslash,
            brackets: bits(brackets),
        }
    }
}

/// Any `fearless_simd` level (AVX2, AVX-512, …), inside that level's `dispatch!` arm.
#[derive(Clone, Copy)]
struct SimdBlocks<S>(S);

impl<S: Simd> ClassifyBlock for SimdBlocks<S> {
    #[inline(always)]
    fn masks(self, block: &[u8; BLOCK]) -> BlockMasks {
        let simd = self.0;
        let v = u8x64::load_array_ref(simd, block);
        let backslash = v.simd_eq(u8x64::splat(simd, b'\\'));
        // The same bracket test as `Sse2Blocks`.
        let above = (v | 0x20) - b'{';
        let brackets = (above & !2).simd_eq(u8x64::splat(simd, 0));
        BlockMasks {
            quotes: v.simd_eq(u8x64::splat(simd, b'"')).to_bitmask(),
            backslash: backslash.to_bitmask(),
            brackets: brackets.to_bitmask(),
        }
    }
}

/// Flags of one 64-byte block, one bit per byte (bit `i` for byte `i`), computed by a
/// [`ClassifyBlock`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct BlockMasks {
    quotes: u64,
    backslash: u64,
    /// `{`, `[`, `}`, `]`.
    brackets: u64,
}

const EVEN_BITS: u64 = 0x5555_5555_5555_5555;

impl BlockMasks {
    /// The bytes inside strings (an opening quote counts as inside, a closing one does not),
    /// given whether the block starts inside a string and, if so, on an escaped byte; and whether
    /// the block ends on a backslash that escapes the next block's first byte.
    ///
    /// Every backslash is taken as an escape (simdjson's odd-run rule), which is right only
    /// inside strings: the caller checks that none is outside one.
    #[inline(always)]
    fn strings(&self, state: Strings) -> (u64, bool) {
        let (escaped_bytes, escaped_after) = if self.backslash == 0 && !state.escaped {
            (0, false)
        } else {
            escaped_bytes(self.backslash, state.escaped)
        };
        let quotes = self.quotes & !escaped_bytes;
        let carried = 0u64.wrapping_sub(u64::from(state.in_string));
        (prefix_xor(quotes) ^ carried, escaped_after)
    }
}

/// The bytes escaped by a backslash, when every backslash not itself escaped escapes the next
/// byte (`escaped`: the first byte is escaped by the previous block), and whether the last byte
/// is a backslash that escapes the next block's first byte (simdjson's `find_escaped`).
fn escaped_bytes(backslash: u64, escaped: bool) -> (u64, bool) {
    let carried = u64::from(escaped);
    let backslash = backslash & !carried;
    let follows_escape = (backslash << 1) | carried;
    // A run of backslashes escapes the byte after it when it is odd-length. Adding each run's
    // odd-position start to the run carries past its end and flips the parity of that run.
    let odd_starts = backslash & !EVEN_BITS & !follows_escape;
    let (even_started, overflow) = odd_starts.overflowing_add(backslash);
    let invert = even_started << 1;
    ((EVEN_BITS ^ invert) & follows_escape, overflow)
}

/// Bit `i` of the result is the XOR of bits `0..=i` of `x`.
#[inline]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// Strings up to this many bytes are scanned word by word, longer ones with memchr.
const SHORT_STRING: usize = 32;

/// Setting bit 5 maps `[`, `\`, `]` onto `{`, `|`, `}` (0x7B–0x7D) and leaves `"` as it is.
const CASE_BIT: u64 = 0x2020_2020_2020_2020;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
const LOW_SEVEN: u64 = !HIGH_BITS;

/// After this many candidate-free words inside one string, the rest of it is searched with memchr.
const LONG_STRING_WORDS: u32 = 4;

/// Flags (the high bit of a byte, little-endian) for the bytes of `word` that may matter inside a
/// container: `(quotes, others)`, where `others` flags `\`, `{`, `[`, `}`, `]` and also `|`,
/// which folds onto the same value and which the caller skips. Unlike `eq_mask`, every flag is
/// exact (no borrow runs from one byte into the next), so all the flags of a word can be used.
fn candidates(word: u64) -> (u64, u64) {
    let folded = word | CASE_BIT;
    let low = folded & LOW_SEVEN;
    // Per byte, with no carry between bytes (each sum stays below 0x100): the high bit of the
    // first sum is set when the low seven bits are at least 0x7B, that of the second when they
    // are at least 0x7E, so that of their XOR when they are 0x7B–0x7D.
    let in_range = (low + 0x0505_0505_0505_0505) ^ (low + 0x0202_0202_0202_0202);
    let others = in_range & !folded & HIGH_BITS;
    // The high bit is set where the byte differs from `"`.
    let diff = word ^ 0x2222_2222_2222_2222;
    let not_quote = ((diff & LOW_SEVEN) + LOW_SEVEN) | diff;
    (!not_quote & HIGH_BITS, others)
}

/// The number of flags in a `candidates` mask (no `popcnt` instruction on the baseline target).
fn flag_count(flags: u64) -> u32 {
    ((flags >> 7).wrapping_mul(0x0101_0101_0101_0101) >> 56) as u32
}

/// Where the scan of a string's content ended.
enum StringScan {
    /// The closing quote was found; the position after it.
    Closed(usize),
    /// The input ran out inside the string; `escaped` if it ended on a backslash.
    Open { escaped: bool },
}

/// Scans string content in `hay` from `pos` (just after the opening quote, or where an earlier
/// scan stopped; `escaped` if that scan ended on a backslash).
fn skip_string_bytes(hay: &[u8], mut pos: usize, escaped: bool) -> StringScan {
    if escaped {
        if pos >= hay.len() {
            return StringScan::Open { escaped: true };
        }
        pos += 1;
    }
    loop {
        let rest = hay.get(pos..).unwrap_or_default();
        // Keys and short values are the common case: look at a few words before paying for a
        // memchr call.
        let head = rest.get(..SHORT_STRING).unwrap_or(rest);
        let found = match find_in_words(head, |word| eq_mask(word, b'"') | eq_mask(word, b'\\')) {
            Some(found) => Some(found),
            None if head.len() < rest.len() => {
                memchr2(b'"', b'\\', rest.get(SHORT_STRING..).unwrap_or_default())
                    .map(|found| found + SHORT_STRING)
            }
            None => None,
        };
        let Some(found) = found else {
            return StringScan::Open { escaped: false };
        };
        let at = pos + found;
        if rest.get(found) == Some(&b'"') {
            return StringScan::Closed(at + 1);
        }
        // A backslash: skip it and the byte it escapes (which may not have arrived yet).
        if at + 1 >= hay.len() {
            return StringScan::Open { escaped: true };
        }
        pos = at + 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every SIMD level this CPU can run, from the baseline up: each has its own copy of the
    /// block scan, and all must agree.
    fn levels() -> Vec<Level> {
        let best = Level::new();
        let mut levels = vec![Level::baseline()];
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        {
            levels.extend(best.as_sse4_2().map(Level::Sse4_2));
            levels.extend(best.as_avx2().map(Level::Avx2));
            levels.extend(best.as_avx512().map(Level::Avx512));
        }
        levels.push(best);
        levels
    }

    fn masks_at(level: Level, block: &[u8; BLOCK]) -> BlockMasks {
        dispatch!(level, simd => SimdBlocks(simd).masks(block))
    }

    /// A `ClassifyBlock`'s masks and `BlockMasks::strings` by a byte loop: the flags, the bytes inside
    /// strings when every backslash not itself escaped escapes the next byte, and whether the
    /// block ends on such a backslash.
    fn naive_masks(block: &[u8; BLOCK], state: Strings) -> (BlockMasks, u64, bool) {
        let mut masks = BlockMasks {
            quotes: 0,
            backslash: 0,
            brackets: 0,
        };
        let (mut in_string, mut escaped) = (state.in_string, state.escaped);
        let mut strings = 0;
        for (i, &byte) in block.iter().enumerate() {
            let bit = 1u64 << i;
            match byte {
                b'"' => masks.quotes |= bit,
                b'\\' => masks.backslash |= bit,
                b'{' | b'[' | b'}' | b']' => masks.brackets |= bit,
                _ => {}
            }
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = !in_string;
                if !in_string {
                    // A closing quote is outside.
                    continue;
                }
            }
            if in_string {
                strings |= bit;
            }
        }
        (masks, strings, escaped)
    }

    /// The JSON rule: a backslash escapes the next byte only inside a string. The string state
    /// after the block.
    fn naive_json_state(block: &[u8; BLOCK], state: Strings) -> Strings {
        let (mut in_string, mut escaped) = (state.in_string, state.escaped);
        for &byte in block {
            if escaped {
                escaped = false;
            } else if in_string && byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = !in_string;
            }
        }
        Strings { in_string, escaped }
    }

    /// Pieces of JSON-like bodies: structure, escapes, strings long enough to span blocks, and
    /// now and then any byte.
    fn json_piece() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::strategy::Strategy;
        proptest::prop_oneof![
            proptest::sample::select(vec![
                &b"{\"k\": "[..],
                b"[",
                b"]",
                b"}",
                b",",
                b"\n,\r\n",
                b"  ",
                b"1",
                b"\"a\\\"b\"",
                b"\"\\\\\"",
                b"\"[{]}\"",
                b"\\",
            ])
            .prop_map(<[u8]>::to_vec),
            (1usize..150).prop_map(|n| {
                let mut text = vec![b'"'];
                text.extend(std::iter::repeat_n(b'x', n));
                text.push(b'"');
                text
            }),
            proptest::num::u8::ANY.prop_map(|byte| vec![byte]),
        ]
    }

    /// Frames (as bytes) and the first error of a splitter at `level`, fed `chunk` bytes at a time.
    fn split_at_level(
        level: Level,
        body: &[u8],
        chunk: usize,
    ) -> Vec<Result<Vec<u8>, JsonArrayError>> {
        let mut splitter = JsonArraySplitter::new();
        splitter.simd = level;
        let mut out = Vec::new();
        let drain = |splitter: &mut JsonArraySplitter, out: &mut Vec<_>| loop {
            match splitter.next_frame() {
                Ok(Some(frame)) => out.push(Ok(frame.bytes().to_vec())),
                Ok(None) => return true,
                Err(error) => {
                    out.push(Err(error));
                    return false;
                }
            }
        };
        for piece in body.chunks(chunk.max(1)) {
            splitter.feed(piece);
            if !drain(&mut splitter, &mut out) {
                return out;
            }
        }
        splitter.finish();
        drain(&mut splitter, &mut out);
        out
    }

    fn block_bytes() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just(b'"'),
                proptest::strategy::Just(b'\\'),
                proptest::strategy::Just(b'\\'),
                proptest::sample::select(&b"{}[]|,: \n"[..]),
                proptest::num::u8::ANY,
            ],
            BLOCK,
        )
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(
        // PROPTEST_CASES, when set, overrides this count (`with_cases` alone ignores it).
        std::env::var("PROPTEST_CASES").map_or(2048, |_| proptest::prelude::ProptestConfig::default().cases)
    ))]

        /// The 64-byte block masks are what a byte loop finds, for any carried state; and where
        /// no backslash is outside a string (the scanner's condition for using them), they give
        /// the JSON string state.
        #[test]
        fn block_masks_match_a_byte_loop(
            bytes in block_bytes(),
            in_string: bool,
            escaped: bool,
        ) {
            let block: [u8; BLOCK] = bytes.try_into().unwrap();
            let state = Strings { in_string, escaped };
            let masks = Sse2Blocks.masks(&block);
            let (strings, escaped_after) = masks.strings(state);
            let (naive, naive_strings, naive_escaped) = naive_masks(&block, state);
            proptest::prop_assert_eq!(masks, naive);
            for level in levels() {
                proptest::prop_assert_eq!(masks_at(level, &block), naive, "{:?}", level);
            }
            proptest::prop_assert_eq!(strings, naive_strings, "{:?}", block);
            proptest::prop_assert_eq!(escaped_after, naive_escaped);
            if masks.backslash & !strings == 0 && (in_string || !escaped) {
                let after = Strings {
                    in_string: strings >> 63 != 0,
                    escaped: escaped_after,
                };
                proptest::prop_assert_eq!(after, naive_json_state(&block, state));
            }
        }

        /// Every SIMD level's copy of the scan splits any body into the same frames and errors,
        /// at any chunk size.
        #[test]
        fn every_simd_level_splits_alike(
            pieces in proptest::collection::vec(json_piece(), 0..120),
            chunk in 1usize..300,
        ) {
            let body: Vec<u8> = std::iter::once(&b"["[..])
                .chain(pieces.iter().map(Vec::as_slice))
                .flatten()
                .copied()
                .collect();
            let want = split_at_level(Level::baseline(), &body, body.len());
            for level in levels() {
                proptest::prop_assert_eq!(&split_at_level(level, &body, body.len()), &want);
                proptest::prop_assert_eq!(&split_at_level(level, &body, chunk), &want);
            }
        }

        /// The prefix XOR is a running parity.
        #[test]
        fn prefix_xor_is_a_running_parity(x: u64) {
            let mut parity = 0;
            let mut naive = 0;
            for i in 0..64 {
                parity ^= (x >> i) & 1;
                naive |= parity << i;
            }
            proptest::prop_assert_eq!(prefix_xor(x), naive);
        }
    }

    /// A block scanned eight bytes at a time (a backslash outside a string) in which a long
    /// string is skipped with memchr, so that its last word is short: the word stops where the
    /// next block starts (it once ran on and skipped that block's first byte, here the `}` at
    /// 321). Found by the differential test against the eight-byte-only splitter.
    #[test]
    fn a_short_last_word_stops_at_the_next_block() {
        let input = r#"[{
  "7": [
    {
      "": [
        [
          {
            "or8en\"v\\xqf\"\"a\u00e9\\\u00e9w1é": true,
            "b9"6\n:qfpj\u00e90x1779w4\\gn 7z1, c\\e\nbaécép33": 42
         },
          {
            "l": 42
          },
          [
          ]
        ],
        null,
        null
      ],
      "5y7\\3}b1é eué\"t7\u00e9\"crt3[wky38wg3y6\"26s3618x\nét,\u00e9:2yfoa\"xbg\\\\\n5éy8\"xk\nfyl0\u00e9y\\m\"ne\\\u00e9p46k\u00e942arbybcnd\\cq4u\\1g\\ha\n\nc8éx\u00e940\nfbgv6maoéci0j": 42
    }
  ],
  "6": 0,
  "lgj": "j\n3ndn\\qj9i1",
  "y90qn6o2mq7nh\"vr é\"4": 42
},[
  [
  ],
  {
  },
  "6u5"
],"u33",42"#.as_bytes();
        for chunk in [input.len(), 1, 7, 64, 100] {
            let mut splitter = JsonArraySplitter::new();
            let mut error = None;
            for piece in input.chunks(chunk) {
                splitter.feed(piece);
                if let Err(e) = splitter.next_frame() {
                    error = Some(e);
                    break;
                }
            }
            let error = error.unwrap();
            assert_eq!(error.offset(), 511, "chunks of {chunk}");
            assert_eq!(
                error.kind(),
                &JsonArrayErrorKind::UnexpectedByte {
                    found: b'}',
                    expected: "']' to close the array"
                }
            );
        }
    }

    /// Deep nesting (past 64 levels, a block's width): every depth closes, and a wrong closer
    /// at any level is reported with the kind of the innermost open bracket.
    #[test]
    fn deep_nesting_matches_a_stack() {
        for depth in [1, 2, 63, 64, 65, 66, 127, 128, 129, 200] {
            let opener = |level: usize| if level.is_multiple_of(3) { b'{' } else { b'[' };
            let closer = |open: u8| if open == b'{' { b'}' } else { b']' };
            let element: Vec<u8> = (0..depth).map(opener).collect();
            let well_formed: Vec<u8> = element
                .iter()
                .chain(
                    element
                        .iter()
                        .rev()
                        .map(|&open| closer(open))
                        .collect::<Vec<_>>()
                        .iter(),
                )
                .copied()
                .collect();
            let config = JsonArrayConfig {
                max_depth: 256,
                ..JsonArrayConfig::default()
            };
            let mut input = b"[".to_vec();
            input.extend_from_slice(&well_formed);
            input.push(b']');
            let mut splitter = JsonArraySplitter::with_config(config);
            splitter.feed(&input);
            assert_eq!(
                splitter.next_frame().unwrap(),
                Some(JsonFrame::Element(&well_formed[..])),
                "depth {depth}"
            );
            // Close all but `kept` levels properly, then close the next one with the wrong kind.
            let levels = [0, 1, depth / 2, depth.saturating_sub(64), depth - 1];
            for kept in levels.into_iter().filter(|&kept| kept < depth) {
                let mut bad = element.clone();
                for &open in element[kept + 1..].iter().rev() {
                    bad.push(closer(open));
                }
                let wrong = if element[kept] == b'{' { b']' } else { b'}' };
                bad.push(wrong);
                let mut input = b"[".to_vec();
                input.extend_from_slice(&bad);
                let mut splitter = JsonArraySplitter::with_config(config);
                splitter.feed(&input);
                let error = splitter.next_frame().unwrap_err();
                assert_eq!(
                    error.offset(),
                    input.len() as u64 - 1,
                    "depth {depth} kept {kept}"
                );
                let expected = if element[kept] == b'{' {
                    "'}' to close the object"
                } else {
                    "']' to close the array"
                };
                assert_eq!(
                    error.kind(),
                    &JsonArrayErrorKind::UnexpectedByte {
                        found: wrong,
                        expected
                    },
                    "depth {depth} kept {kept}"
                );
            }
        }
    }

    /// Runs of backslashes across a block boundary: the carried escape.
    #[test]
    fn escapes_carry_across_blocks() {
        for run in 0..=70 {
            let mut bytes = vec![b'"'; 1];
            bytes.extend(std::iter::repeat_n(b'\\', run));
            bytes.extend_from_slice(b"\"x\"");
            bytes.resize(2 * BLOCK, b' ');
            let (first, second) = bytes.split_at(BLOCK);
            let mut state = Strings {
                in_string: false,
                escaped: false,
            };
            let mut strings = Vec::new();
            for block in [first, second] {
                let block: &[u8; BLOCK] = block.try_into().unwrap();
                let (mask, escaped) = masks_at(Level::new(), block).strings(state);
                assert_eq!((mask, escaped), {
                    let (_, naive, naive_escaped) = naive_masks(block, state);
                    (naive, naive_escaped)
                });
                strings.push(mask);
                state = Strings {
                    in_string: mask >> 63 != 0,
                    escaped,
                };
            }
            // An even run leaves the quote after it closing the string.
            let close = 1 + run;
            let inside = |at: usize| strings[at / BLOCK] >> (at % BLOCK) & 1 == 1;
            assert_eq!(inside(close), run % 2 == 1, "run of {run}");
        }
    }
}
