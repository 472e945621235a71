//! The JSON reader for catalog and usage bodies, reading them as OpenClaw's reference
//! (`TextDecoder` + `JSON.parse`) does — PROTOCOL.md §14 D18.
//!
//! Differences from a default `serde_json` read, each on purpose:
//!
//! - one leading UTF-8 byte-order mark is skipped;
//! - a number literal too large for an `f64` (`1e400`, which `JSON.parse` turns into `Infinity`)
//!   is not an error: it becomes [`Value::Null`]. Every field rule of PROTOCOL.md §4.3 and §8.3
//!   rejects both `Infinity` and `null` ("a finite JSON number"), and an array keeps its length,
//!   so the replacement is invisible to every rule;
//! - an escaped lone surrogate (`"\ud800"`) inside a string becomes U+FFFD;
//! - nesting has no depth limit (V8's `JSON.parse` has none): the reader is iterative, and
//!   containers nested deeper than [`KEPT_DEPTH`] are validated but replaced by [`Value::Null`],
//!   since no rule of the catalog or usage reads anywhere near that deep, and a value tree of
//!   unbounded depth could not even be dropped without exhausting the stack;
//! - all numbers are read as `f64`, as JavaScript does.
//!
//! Invalid UTF-8 is a malformed body, as §8.3 rule 3 says. Errors carry the byte offset in the
//! original body (the BOM counts).

use std::borrow::Cow;

use serde_json::{Map, Number, Value};

/// Containers deeper than this are validated but not kept (they become `null`).
pub const KEPT_DEPTH: usize = 64;

/// A body that is not JSON: what was wrong and at which byte of the body.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} at byte {offset}")]
pub struct JsonError {
    /// Byte offset in the body (a skipped BOM counts).
    pub offset: usize,
    /// What was expected or found there.
    pub message: &'static str,
}

/// Parses a whole body as OpenClaw's reference does (see the module docs).
///
/// ```
/// use clawrouter_catalog::json::parse;
///
/// let value = parse(b"\xEF\xBB\xBF{\"n\": 1e400, \"s\": \"\\ud800\"}").unwrap();
/// assert_eq!(value["n"], serde_json::Value::Null);
/// assert_eq!(value["s"], "\u{FFFD}");
/// assert_eq!(parse(b"{\"a\":").unwrap_err().offset, 5);
/// ```
pub fn parse(body: &[u8]) -> Result<Value, JsonError> {
    parse_tree(body).map(|tree| tree.to_value())
}

/// Checks that a body is JSON as the reference reads it (see the module docs), building only
/// the borrowed tree the catalog rules read and no `serde_json::Value`. This is exactly the
/// body-parse step of [`resolve_catalog`](crate::resolve_catalog).
pub fn validate(body: &[u8]) -> Result<(), JsonError> {
    parse_tree(body).map(drop)
}

/// A parsed body that borrows its strings from the input when they have no escapes. The
/// catalog rules read this tree: objects are small, so a key is found by a linear scan (from
/// the end: with a repeated key the last value wins, as in `JSON.parse`), and reading a
/// catalog costs no hashing and few allocations.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Json<'a> {
    Null,
    Bool(bool),
    Number(f64),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    Object(Object<'a>),
}

/// An object's members in input order.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Object<'a>(Vec<(Cow<'a, str>, Json<'a>)>);

impl<'a> Object<'a> {
    pub(crate) fn get(&self, key: &str) -> Option<&Json<'a>> {
        self.0
            .iter()
            .rev()
            .find(|(name, _)| name.as_ref() == key)
            .map(|(_, value)| value)
    }
}

impl<'a> Json<'a> {
    pub(crate) fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Object(object) => object.get(key),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(text) => Some(text),
            _ => None,
        }
    }

    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Number(number) => Some(*number),
            _ => None,
        }
    }

    pub(crate) fn as_array(&self) -> Option<&[Json<'a>]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    pub(crate) fn as_object(&self) -> Option<&Object<'a>> {
        match self {
            Json::Object(object) => Some(object),
            _ => None,
        }
    }

    /// Borrows a `serde_json::Value` (containers deeper than [`KEPT_DEPTH`] become `Null`).
    pub(crate) fn borrow(value: &'a Value) -> Self {
        Self::borrow_at(value, 0)
    }

    fn borrow_at(value: &'a Value, depth: usize) -> Self {
        match value {
            Value::Null => Json::Null,
            Value::Bool(flag) => Json::Bool(*flag),
            Value::Number(number) => number
                .as_f64()
                .filter(|n| n.is_finite())
                .map_or(Json::Null, Json::Number),
            Value::String(text) => Json::String(Cow::Borrowed(text)),
            Value::Array(_) | Value::Object(_) if depth >= KEPT_DEPTH => Json::Null,
            Value::Array(items) => Json::Array(
                items
                    .iter()
                    .map(|item| Self::borrow_at(item, depth + 1))
                    .collect(),
            ),
            Value::Object(map) => Json::Object(Object(
                map.iter()
                    .map(|(key, item)| {
                        (
                            Cow::Borrowed(key.as_str()),
                            Self::borrow_at(item, depth + 1),
                        )
                    })
                    .collect(),
            )),
        }
    }

    /// The same value as a `serde_json::Value` (depth is bounded by the reader).
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(flag) => Value::Bool(*flag),
            Json::Number(number) => Number::from_f64(*number).map_or(Value::Null, Value::Number),
            Json::String(text) => Value::String(text.as_ref().to_owned()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(object) => {
                let mut map = Map::new();
                for (key, item) in &object.0 {
                    map.insert(key.as_ref().to_owned(), item.to_value());
                }
                Value::Object(map)
            }
        }
    }
}

/// [`parse`] into the borrowed tree.
pub(crate) fn parse_tree(body: &[u8]) -> Result<Json<'_>, JsonError> {
    let start = if body.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let rest = body.get(start..).unwrap_or_default();
    let text = match std::str::from_utf8(rest) {
        Ok(text) => text,
        Err(error) => {
            return Err(JsonError {
                offset: start + error.valid_up_to(),
                message: "invalid UTF-8",
            });
        }
    };
    Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        base: start,
    }
    .document()
}

/// Serializes a value compactly, printing numbers as JavaScript's `JSON.stringify` does
/// (`0.000001`, not `1e-6`; `10000000000000000`, not `1e16`; `-0` as `0`). The OpenClaw JSON
/// shapes of this crate are meant to be printed with it.
///
/// ```
/// use clawrouter_catalog::json::to_js_string;
/// use serde_json::json;
///
/// assert_eq!(to_js_string(&json!({"a": [0.000001, 1e21, 1.5, 3.0]})), r#"{"a":[0.000001,1e+21,1.5,3]}"#);
/// ```
pub fn to_js_string(value: &Value) -> String {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, JsFormatter);
    // Serializing a `Value` into memory cannot fail: its keys are strings.
    if serde::Serialize::serialize(value, &mut serializer).is_err() {
        return String::new();
    }
    String::from_utf8(out).unwrap_or_default()
}

/// `serde_json`'s compact output with JavaScript's number text.
struct JsFormatter;

impl serde_json::ser::Formatter for JsFormatter {
    fn write_f64<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        value: f64,
    ) -> std::io::Result<()> {
        writer.write_all(js_number_text(value).as_bytes())
    }

    fn write_f32<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        value: f32,
    ) -> std::io::Result<()> {
        writer.write_all(js_number_text(f64::from(value)).as_bytes())
    }
}

/// ECMAScript `Number::toString(10)` for a finite number (`null` for others, as JSON does).
pub(crate) fn js_number_text(value: f64) -> String {
    if !value.is_finite() {
        return "null".to_owned();
    }
    if value == 0.0 {
        return "0".to_owned();
    }
    // Rust's `{:e}` prints the shortest round-trip digits: "-1.2345e-7".
    let scientific = format!("{:e}", value.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = i64::try_from(digits.len()).unwrap_or(1);
    // value = 0.d1d2…dk × 10^n
    let n = exponent.parse::<i64>().unwrap_or(0) + 1;
    let sign = if value < 0.0 { "-" } else { "" };
    let zeros = |count: i64| "0".repeat(usize::try_from(count).unwrap_or(0));
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", zeros(n - k))
    } else if 0 < n && n <= 21 {
        let split = usize::try_from(n).unwrap_or(0);
        let (int, frac) = digits.split_at(split.min(digits.len()));
        format!("{int}.{frac}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", zeros(-n))
    } else {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let exp = n - 1;
        let exp_sign = if exp < 0 { "-" } else { "+" };
        if rest.is_empty() {
            format!("{first}e{exp_sign}{}", exp.abs())
        } else {
            format!("{first}.{rest}e{exp_sign}{}", exp.abs())
        }
    };
    format!("{sign}{body}")
}

/// A kept container being filled.
enum Frame<'a> {
    Array(Vec<Json<'a>>),
    Object(Vec<(Cow<'a, str>, Json<'a>)>, Cow<'a, str>),
}

/// The innermost open container.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    Array,
    Object,
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    fn error(&self, message: &'static str) -> JsonError {
        JsonError {
            offset: self.base + self.pos,
            message,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn document(mut self) -> Result<Json<'a>, JsonError> {
        // Kept containers, then (always above them) skipped ones, one byte each.
        let mut frames: Vec<Frame<'a>> = Vec::new();
        let mut skipped: Vec<Open> = Vec::new();
        'value: loop {
            self.skip_whitespace();
            let depth = frames.len() + skipped.len();
            let mut value = match self.peek() {
                None => return Err(self.error("unexpected end of input, expected a value")),
                Some(open @ (b'{' | b'[')) => {
                    self.pos += 1;
                    self.skip_whitespace();
                    let kind = if open == b'{' {
                        Open::Object
                    } else {
                        Open::Array
                    };
                    let close = if kind == Open::Object { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.pos += 1;
                        if depth >= KEPT_DEPTH {
                            Json::Null
                        } else if kind == Open::Object {
                            Json::Object(Object::default())
                        } else {
                            Json::Array(Vec::new())
                        }
                    } else {
                        let key = if kind == Open::Object {
                            self.key()?
                        } else {
                            Cow::Borrowed("")
                        };
                        if depth >= KEPT_DEPTH || !skipped.is_empty() {
                            skipped.push(kind);
                        } else if kind == Open::Object {
                            frames.push(Frame::Object(Vec::with_capacity(8), key));
                        } else {
                            frames.push(Frame::Array(Vec::with_capacity(4)));
                        }
                        continue 'value;
                    }
                }
                Some(b'"') => Json::String(self.string()?),
                Some(b't') => self.literal("true", Json::Bool(true))?,
                Some(b'f') => self.literal("false", Json::Bool(false))?,
                Some(b'n') => self.literal("null", Json::Null)?,
                Some(b'-' | b'0'..=b'9') => self.number()?,
                Some(_) => return Err(self.error("expected a value")),
            };
            // A value is complete: hand it to its container, closing containers as they end.
            loop {
                let open = match (skipped.last(), frames.last_mut()) {
                    (Some(&open), _) => open,
                    (None, Some(Frame::Array(items))) => {
                        items.push(value);
                        Open::Array
                    }
                    (None, Some(Frame::Object(map, key))) => {
                        map.push((std::mem::take(key), value));
                        Open::Object
                    }
                    (None, None) => {
                        self.skip_whitespace();
                        if self.pos < self.bytes.len() {
                            return Err(self.error("unexpected data after the JSON value"));
                        }
                        return Ok(value);
                    }
                };
                self.skip_whitespace();
                match (self.peek(), open) {
                    (Some(b','), _) => {
                        self.pos += 1;
                        if open == Open::Object {
                            self.skip_whitespace();
                            let key = self.key()?;
                            if skipped.is_empty()
                                && let Some(Frame::Object(_, slot)) = frames.last_mut()
                            {
                                *slot = key;
                            }
                        }
                        continue 'value;
                    }
                    (Some(b']'), Open::Array) | (Some(b'}'), Open::Object) => {
                        self.pos += 1;
                        if skipped.pop().is_some() {
                            value = Json::Null;
                        } else {
                            value = match frames.pop() {
                                Some(Frame::Array(items)) => Json::Array(items),
                                Some(Frame::Object(map, _)) => Json::Object(Object(map)),
                                None => Json::Null,
                            };
                        }
                    }
                    (None, _) => {
                        return Err(self.error("unexpected end of input inside a container"));
                    }
                    (Some(_), Open::Array) => return Err(self.error("expected ',' or ']'")),
                    (Some(_), Open::Object) => return Err(self.error("expected ',' or '}'")),
                }
            }
        }
    }

    /// An object key and its `:`.
    fn key(&mut self) -> Result<Cow<'a, str>, JsonError> {
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a string key"));
        }
        let key = self.string()?;
        self.skip_whitespace();
        if self.peek() != Some(b':') {
            return Err(self.error("expected ':'"));
        }
        self.pos += 1;
        Ok(key)
    }

    fn literal(&mut self, word: &'static str, value: Json<'a>) -> Result<Json<'a>, JsonError> {
        if self
            .bytes
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(word.as_bytes()))
        {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("invalid literal"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    /// JSON's number grammar; the value as JavaScript reads it (`f64`, overflow → `null`).
    fn number(&mut self) -> Result<Json<'a>, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("expected a digit")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("expected a digit after '.'"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("expected a digit in the exponent"));
            }
        }
        let literal = self.text.get(start..self.pos).unwrap_or("0");
        let number = literal.parse::<f64>().ok().filter(|n| n.is_finite());
        Ok(number.map_or(Json::Null, Json::Number))
    }

    /// A string starting at `"`; escapes decoded, lone surrogates → U+FFFD.
    fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        self.pos += 1;
        let first = self.pos;
        // The common case: no escape, the string borrows from the body. The first `"`, `\\` or
        // control byte is found eight bytes at a time (catalog strings are short: ids, names).
        self.pos = first + string_run(self.bytes.get(first..).unwrap_or_default());
        if self.peek() == Some(b'"') {
            let text = self.text.get(first..self.pos).unwrap_or_default();
            self.pos += 1;
            return Ok(Cow::Borrowed(text));
        }
        let mut out = String::new();
        let mut run = first;
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    out.push_str(self.text.get(run..self.pos).unwrap_or_default());
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    out.push_str(self.text.get(run..self.pos).unwrap_or_default());
                    self.pos += 1;
                    self.escape(&mut out)?;
                    run = self.pos;
                }
                Some(0..=0x1F) => return Err(self.error("control character inside a string")),
                Some(_) => self.pos += 1,
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let Some(byte) = self.peek() else {
            return Err(self.error("unterminated string"));
        };
        self.pos += 1;
        let decoded = match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                match unit {
                    0xD800..=0xDBFF => {
                        // A high surrogate pairs only with an immediately escaped low one.
                        let rest = self.bytes.get(self.pos..).unwrap_or_default();
                        let low = if rest.starts_with(b"\\u") {
                            let saved = self.pos;
                            self.pos += 2;
                            match self.hex4() {
                                Ok(low @ 0xDC00..=0xDFFF) => Some(low),
                                _ => {
                                    self.pos = saved;
                                    None
                                }
                            }
                        } else {
                            None
                        };
                        match low {
                            Some(low) => {
                                let scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                                char::from_u32(scalar).unwrap_or('\u{FFFD}')
                            }
                            None => '\u{FFFD}',
                        }
                    }
                    _ => char::from_u32(unit).unwrap_or('\u{FFFD}'),
                }
            }
            _ => {
                self.pos -= 1;
                return Err(self.error("invalid escape"));
            }
        };
        out.push(decoded);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut unit = 0u32;
        for _ in 0..4 {
            let digit = match self.peek() {
                Some(byte @ b'0'..=b'9') => byte - b'0',
                Some(byte @ b'a'..=b'f') => byte - b'a' + 10,
                Some(byte @ b'A'..=b'F') => byte - b'A' + 10,
                _ => return Err(self.error("invalid \\u escape")),
            };
            unit = unit * 16 + u32::from(digit);
            self.pos += 1;
        }
        Ok(unit)
    }
}

/// The length of the leading run of `bytes` with no `"`, `\\` or control byte (below 0x20): the
/// plain part of a JSON string. Word at a time: in each flag computation a borrow only runs from
/// a flagged byte upwards, so the lowest flag of a word is exact.
fn string_run(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let flags = |word: u64| {
        let quote = word ^ (ONES * u64::from(b'"'));
        let backslash = word ^ (ONES * u64::from(b'\\'));
        let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x;
        let control = word.wrapping_sub(ONES * 0x20) & !word;
        (zero_byte(quote) | zero_byte(backslash) | control) & HIGH
    };
    let mut words = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut words {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([b'"'; 8]));
        let hits = flags(word);
        if hits != 0 {
            return offset + (hits.trailing_zeros() / 8) as usize;
        }
        offset += 8;
    }
    let tail = words.remainder();
    offset
        + tail
            .iter()
            .position(|&byte| byte == b'"' || byte == b'\\' || byte < 0x20)
            .unwrap_or(tail.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(input: &str, expected: Result<Value, (usize, &str)>) {
        let got = parse(input.as_bytes()).map_err(|e| (e.offset, e.message));
        assert_eq!(got, expected, "input {input:?}");
    }

    proptest::proptest! {
        /// The word-at-a-time scan finds what a byte-by-byte scan finds.
        #[test]
        fn string_run_matches_a_byte_loop(bytes in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just(b'"'),
                proptest::strategy::Just(b'\\'),
                0u8..0x20,
                0x20u8..=0xFF,
                0x20u8..=0xFF,
                0x20u8..=0xFF,
            ],
            0..40,
        )) {
            let naive = bytes
                .iter()
                .position(|&byte| byte == b'"' || byte == b'\\' || byte < 0x20)
                .unwrap_or(bytes.len());
            proptest::prop_assert_eq!(string_run(&bytes), naive);
        }
    }

    #[test]
    fn reads_like_json_parse() {
        check(
            " {\"a\": [1, -2.5e1, true, false, null, \"x\"]} ",
            Ok(json!({"a": [1.0, -25.0, true, false, null, "x"]})),
        );
        check("\u{FEFF}[]", Ok(json!([])));
        check("1e400", Ok(Value::Null));
        check("[-1e400, 1]", Ok(json!([null, 1.0])));
        check("\"\\ud800x\"", Ok(json!("\u{FFFD}x")));
        check("\"\\udc00\"", Ok(json!("\u{FFFD}")));
        check("\"\\ud83d\\ude00\"", Ok(json!("😀")));
        check("\"\\ud83d\\u0041\"", Ok(json!("\u{FFFD}A")));
        check("{\"a\":1,\"a\":2}", Ok(json!({"a": 2.0})));
        check(
            "{\"a\":",
            Err((5, "unexpected end of input, expected a value")),
        );
        check("[1,]", Err((3, "expected a value")));
        check("01", Err((1, "unexpected data after the JSON value")));
        check("\"a\nb\"", Err((2, "control character inside a string")));
        check("[1 2]", Err((3, "expected ',' or ']'")));
        check("{\"a\" 1}", Err((5, "expected ':'")));
        check("nul", Err((0, "invalid literal")));
        check("\"\\x\"", Err((2, "invalid escape")));
        check("", Err((0, "unexpected end of input, expected a value")));
        check("1.", Err((2, "expected a digit after '.'")));
    }

    #[test]
    fn numbers_print_like_javascript() {
        for (value, expected) in [
            (0.000001, "0.000001"),
            (0.0000015, "0.0000015"),
            (1e-7, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (0.00001, "0.00001"),
            (1e21, "1e+21"),
            (1.5e20, "150000000000000000000"),
            (1e16, "10000000000000000"),
            (1.2345e17, "123450000000000000"),
            (100.0 / 3.0, "33.333333333333336"),
            (-0.0, "0"),
            (-2.5, "-2.5"),
            (3.0, "3"),
            (0.3, "0.3"),
            (123.456, "123.456"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
        ] {
            assert_eq!(js_number_text(value), expected, "{value}");
        }
    }

    #[test]
    fn invalid_utf8_names_the_offset() {
        let error = parse(b"\xEF\xBB\xBF\"a\xFF\"").unwrap_err();
        assert_eq!((error.offset, error.message), (5, "invalid UTF-8"));
    }

    #[test]
    fn deep_nesting_is_read_without_recursion() {
        let depth = 200_000;
        let body = format!("{{\"a\":{}{}}}", "[".repeat(depth), "]".repeat(depth));
        let value = parse(body.as_bytes()).unwrap();
        let mut inner = &value["a"];
        let mut kept = 1;
        while let Some(first) = inner.as_array().and_then(|items| items.first()) {
            inner = first;
            kept += 1;
        }
        // The root object and 63 arrays are kept (64 containers); the 64th array is `null`.
        assert_eq!(kept, KEPT_DEPTH);
        assert_eq!(inner, &Value::Null);
        let unclosed = format!("{{\"a\":{}", "[".repeat(depth));
        assert_eq!(
            parse(unclosed.as_bytes()).unwrap_err().message,
            "unexpected end of input, expected a value"
        );
    }
}
