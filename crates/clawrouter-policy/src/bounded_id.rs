//! Bounded-id sanitization of the dispatch headers `X-ClawRouter-Agent-Id`,
//! `X-ClawRouter-Session-Id` and `X-Request-ID` (PROTOCOL.md §7.3, "S4").
//!
//! A value is trimmed (JavaScript's whitespace set); an empty value or one containing a control
//! character (a UTF-16 unit ≤ 0x1F or 0x7F) is *omitted* (`None`: the header is not sent). A value
//! that is short enough, uses only safe characters and does not end in the reserved `~<16 hex>`
//! suffix passes unchanged; any other value is re-encoded as
//! `<prefix with each unsafe code point replaced by "_">~<16 hex of SHA-256>[:model:N]`, cut so
//! that the whole is at most the policy's maximum length.
//!
//! The hash is over the UTF-16LE bytes of the trimmed value's code units, lone surrogates
//! included, so the `*_utf16` functions take UTF-16 code units: a Rust `&str` cannot hold a lone
//! surrogate, and the golden vectors of §7.3 contain two.
//!
//! Attribution ids follow decision D1 of PROTOCOL.md §14: they use the **request-id** safe set
//! (`A–Z a–z 0–9 . _ ~ : / + @ = -`), because the server rejects the whole request when an
//! attribution header holds anything else (PROTOCOL.md §7.5). OpenClaw's own, more permissive
//! rule (any printable ASCII) is kept as [`BoundedIdKind::PrintableAttribution`] for comparison.

use sha2::{Digest, Sha256};

/// The kinds of bounded id (PROTOCOL.md §7.3), each with its maximum length, safe set and
/// suffix rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BoundedIdKind {
    /// Agent and session ids under decision D1 (PROTOCOL.md §14): at most 256 UTF-16 units of the
    /// request-id safe set; reserved suffix `~` + 16 lowercase hex; no preserved suffix.
    Attribution,
    /// Agent and session ids as OpenClaw sanitizes them (PROTOCOL.md §7.3 table): at most 256
    /// units, every character 0x20–0x7E is safe. The server may reject what this lets through
    /// (a space, a quote …), which is why [`BoundedIdKind::Attribution`] is the default.
    PrintableAttribution,
    /// `X-Request-ID`: at most 128 units of `A–Z a–z 0–9 . _ ~ : / + @ = -`; reserved suffix
    /// `~` + 16 hex, optionally followed by `:model:<digits>`; `:model:<digits>` is preserved.
    RequestId,
}

impl BoundedIdKind {
    /// The maximum length of an output, in UTF-16 units (= bytes: outputs are ASCII).
    pub const fn max_len(self) -> usize {
        match self {
            BoundedIdKind::Attribution | BoundedIdKind::PrintableAttribution => 256,
            BoundedIdKind::RequestId => 128,
        }
    }

    fn is_safe(self, c: char) -> bool {
        match self {
            BoundedIdKind::PrintableAttribution => matches!(c, ' '..='~'),
            BoundedIdKind::Attribution | BoundedIdKind::RequestId => {
                c.is_ascii_alphanumeric()
                    || matches!(c, '.' | '_' | '~' | ':' | '/' | '+' | '@' | '=' | '-')
            }
        }
    }

    fn preserves_model_suffix(self) -> bool {
        matches!(self, BoundedIdKind::RequestId)
    }

    /// Sanitizes `value`; `None` means the header is omitted.
    ///
    /// ```
    /// use clawrouter_policy::bounded_id::BoundedIdKind;
    /// assert_eq!(BoundedIdKind::RequestId.sanitize(" request-1 ").as_deref(), Some("request-1"));
    /// assert_eq!(
    ///     BoundedIdKind::RequestId.sanitize("run id:model:7").as_deref(),
    ///     Some("run_id~350e0e9baa677b35:model:7")
    /// );
    /// assert_eq!(BoundedIdKind::Attribution.sanitize("bad\nagent"), None);
    /// ```
    pub fn sanitize(self, value: &str) -> Option<String> {
        let units: Vec<u16> = value.encode_utf16().collect();
        self.sanitize_utf16(&units)
    }

    /// Sanitizes a value given as UTF-16 code units (lone surrogates allowed, as in JavaScript).
    pub fn sanitize_utf16(self, value: &[u16]) -> Option<String> {
        let trimmed = trim_js(value);
        if trimmed.is_empty() || trimmed.iter().any(|&u| u <= 0x1f || u == 0x7f) {
            return None;
        }
        let max = self.max_len();
        // Decoding is lossless here: a lone surrogate becomes `None`, which is unsafe anyway.
        let chars = || char::decode_utf16(trimmed.iter().copied()).map(Result::ok);
        let all_safe = chars().all(|c| c.is_some_and(|c| self.is_safe(c)));
        if trimmed.len() <= max && all_safe && !self.ends_with_reserved_suffix(trimmed) {
            // All safe characters are ASCII, so every unit is one byte.
            return Some(trimmed.iter().map(|&u| char::from(u as u8)).collect());
        }

        let preserved = if self.preserves_model_suffix() {
            model_suffix_len(trimmed)
        } else {
            0
        };
        let (body, kept) = trimmed.split_at(trimmed.len().saturating_sub(preserved));
        let mut suffix = String::with_capacity(17 + kept.len());
        suffix.push('~');
        suffix.push_str(&hash16(trimmed));
        let hash_only = suffix.len();
        suffix.extend(kept.iter().map(|&u| char::from(u as u8)));
        if suffix.len() >= max {
            suffix.truncate(hash_only);
        }
        let room = max.saturating_sub(suffix.len());
        let mut out = String::with_capacity(max);
        for c in char::decode_utf16(body.iter().copied()).take(room) {
            match c {
                Ok(c) if self.is_safe(c) => out.push(c),
                _ => out.push('_'),
            }
        }
        out.push_str(&suffix);
        Some(out)
    }

    /// Whether `value` ends with this kind's reserved "already encoded" suffix.
    fn ends_with_reserved_suffix(self, value: &[u16]) -> bool {
        let end = if self.preserves_model_suffix() {
            value.len() - model_suffix_len(value)
        } else {
            value.len()
        };
        let Some(head) = value.get(..end) else {
            return false;
        };
        match head
            .len()
            .checked_sub(17)
            .and_then(|start| head.get(start..))
        {
            Some([tilde, hex @ ..]) => {
                *tilde == u16::from(b'~')
                    && hex.iter().all(|&u| matches!(u, 0x30..=0x39 | 0x61..=0x66))
            }
            _ => false,
        }
    }
}

/// Sanitizes an agent or session id for `X-ClawRouter-Agent-Id` / `X-ClawRouter-Session-Id`
/// under decision D1 (PROTOCOL.md §14); `None` means the header is omitted.
pub fn sanitize_attribution_id(value: &str) -> Option<String> {
    BoundedIdKind::Attribution.sanitize(value)
}

/// Sanitizes a request id for `X-Request-ID` (PROTOCOL.md §7.3); `None` means the header is
/// omitted.
pub fn sanitize_request_id(value: &str) -> Option<String> {
    BoundedIdKind::RequestId.sanitize(value)
}

/// The length of a trailing `:model:<one or more ASCII digits>`, or 0.
fn model_suffix_len(value: &[u16]) -> usize {
    let digits = value
        .iter()
        .rev()
        .take_while(|&&u| (0x30..=0x39).contains(&u))
        .count();
    if digits == 0 {
        return 0;
    }
    let marker: Vec<u16> = ":model:".encode_utf16().collect();
    let before = value.len() - digits;
    match before
        .checked_sub(marker.len())
        .and_then(|start| value.get(start..before))
    {
        Some(tail) if tail == marker.as_slice() => digits + marker.len(),
        _ => 0,
    }
}

/// The first 16 lowercase hex digits of SHA-256 over the UTF-16LE bytes of `units`.
fn hash16(units: &[u16]) -> String {
    let mut hasher = Sha256::new();
    for unit in units {
        hasher.update(unit.to_le_bytes());
    }
    let digest = hasher.finalize();
    let mut out = String::with_capacity(16);
    for byte in digest.iter().take(8) {
        out.push(hex_digit(byte >> 4));
        out.push(hex_digit(byte & 0x0f));
    }
    out
}

fn hex_digit(nibble: u8) -> char {
    char::from_digit(u32::from(nibble), 16).unwrap_or('0')
}

/// JavaScript's `String.prototype.trim` whitespace: WhiteSpace and LineTerminator code points
/// (all in the BMP, so one UTF-16 unit each).
fn is_js_whitespace(unit: u16) -> bool {
    matches!(
        unit,
        0x09..=0x0d
            | 0x20
            | 0xa0
            | 0x1680
            | 0x2000..=0x200a
            | 0x2028
            | 0x2029
            | 0x202f
            | 0x205f
            | 0x3000
            | 0xfeff
    )
}

fn trim_js(value: &[u16]) -> &[u16] {
    let start = value
        .iter()
        .position(|&u| !is_js_whitespace(u))
        .unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|&u| !is_js_whitespace(u))
        .map_or(start, |i| i + 1);
    value.get(start..end).unwrap_or_default()
}

/// Why [`utf16_from_json_string`] rejected its input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a JSON string literal at byte {offset}: {reason}")]
#[non_exhaustive]
pub struct JsonStringError {
    /// The byte offset in the input where the problem is.
    pub offset: usize,
    /// What is wrong there.
    pub reason: &'static str,
}

/// The UTF-16 code units of one JSON string literal (`"…"`, surrounding whitespace allowed),
/// with escaped lone surrogates kept as they are — as JavaScript's `JSON.parse` reads them —
/// so that `clawrouter policy ids` can feed the golden vectors `"agent-\ud800"` of
/// PROTOCOL.md §7.3 to [`BoundedIdKind::sanitize_utf16`].
///
/// ```
/// use clawrouter_policy::bounded_id::{utf16_from_json_string, BoundedIdKind};
/// let units = utf16_from_json_string(r#" "agent-\ud800" "#).unwrap();
/// assert_eq!(
///     BoundedIdKind::Attribution.sanitize_utf16(&units).as_deref(),
///     Some("agent-_~b5bb5724a963ef36")
/// );
/// ```
pub fn utf16_from_json_string(literal: &str) -> Result<Vec<u16>, JsonStringError> {
    let fail = |offset: usize, reason: &'static str| JsonStringError { offset, reason };
    let start = literal.len() - literal.trim_start().len();
    let mut chars = literal
        .char_indices()
        .skip_while(|(_, c)| c.is_whitespace());
    match chars.next() {
        Some((_, '"')) => {}
        _ => return Err(fail(start, "expected an opening '\"'")),
    }
    let mut units = Vec::with_capacity(literal.len());
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => {
                let rest = literal.get(at + 1..).unwrap_or_default();
                if !rest.trim().is_empty() {
                    let offset = at + 1 + (rest.len() - rest.trim_start().len());
                    return Err(fail(offset, "unexpected text after the closing '\"'"));
                }
                return Ok(units);
            }
            '\\' => {
                let Some((_, escape)) = chars.next() else {
                    return Err(fail(at, "unfinished escape"));
                };
                let unit = match escape {
                    '"' => 0x22,
                    '\\' => 0x5c,
                    '/' => 0x2f,
                    'b' => 0x08,
                    'f' => 0x0c,
                    'n' => 0x0a,
                    'r' => 0x0d,
                    't' => 0x09,
                    'u' => {
                        let mut value: u16 = 0;
                        for _ in 0..4 {
                            let digit = chars
                                .next()
                                .and_then(|(_, h)| h.to_digit(16))
                                .ok_or_else(|| fail(at, "\\u needs four hex digits"))?;
                            value = (value << 4) | digit as u16;
                        }
                        value
                    }
                    _ => return Err(fail(at, "unknown escape")),
                };
                units.push(unit);
            }
            c if u32::from(c) < 0x20 => {
                return Err(fail(at, "control character inside a string (escape it)"));
            }
            c => {
                let mut buf = [0u16; 2];
                units.extend_from_slice(c.encode_utf16(&mut buf));
            }
        }
    }
    Err(fail(literal.len(), "missing the closing '\"'"))
}
