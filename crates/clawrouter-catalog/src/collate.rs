//! The catalog's sort order: JavaScript's `localeCompare`, i.e. ICU root collation at tertiary
//! strength with punctuation not ignored (PROTOCOL.md §4.5, §14 D6).
//!
//! Non-ASCII ids are compared by ICU4X's `icu_collator` (root locale, default options, which is
//! what Node's `localeCompare` uses for `en-US`). Catalog ids are almost always ASCII, and for
//! ASCII the root collation reduces to a small rule that is much faster than a general collator:
//!
//! 1. compare the *primary* weights of the characters, position by position, a shorter sequence
//!    first when one is a prefix of the other. Control characters other than TAB, LF, VT, FF
//!    and CR are ignorable (they have no weight); a letter and its capital share a weight;
//!    the order is TAB LF VT FF CR SPACE `_ - , ; : ! ? . ' " ( ) [ ] { } @ * / \ & # % ` ^ + < = > | ~ $`
//!    then digits, then letters;
//! 2. if all primary weights are equal, compare case position by position, lower case first.
//!
//! The rule is written as a sort key ([`ascii_sort_key`]) so that sorting compares bytes. The
//! table was read off ICU itself, and the integration tests check the rule against ICU on
//! random ASCII strings, so the two cannot drift apart unnoticed.

use std::cmp::Ordering;
use std::sync::OnceLock;

use icu_collator::options::CollatorOptions;
use icu_collator::{Collator, CollatorBorrowed};

/// The ASCII characters with a primary weight, in ICU root order (letters are listed once:
/// upper case shares the lower-case weight).
const PRIMARY_ORDER: &[u8] =
    b"\t\n\x0B\x0C\r _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz";

/// Primary weight per ASCII byte; 0 = ignorable.
const PRIMARY: [u8; 128] = primary_table();

// Evaluated at compile time only (`const PRIMARY`): an out-of-range index would fail the build,
// it cannot panic at run time.
#[allow(clippy::indexing_slicing)]
const fn primary_table() -> [u8; 128] {
    let mut table = [0u8; 128];
    let mut index = 0;
    while index < PRIMARY_ORDER.len() {
        let byte = PRIMARY_ORDER[index] as usize;
        // Weights start at 2: 1 separates the primary part of a key from the case part.
        table[byte] = (index + 2) as u8;
        if byte >= b'a' as usize && byte <= b'z' as usize {
            table[byte - 32] = (index + 2) as u8;
        }
        index += 1;
    }
    table
}

/// The ICU sort key of an ASCII string, or `None` when the string is not ASCII.
///
/// Byte order of two keys is the root collation order of their strings.
pub fn ascii_sort_key(text: &str) -> Option<Vec<u8>> {
    if !text.is_ascii() {
        return None;
    }
    let mut key = Vec::with_capacity(text.len() * 2 + 1);
    for byte in text.bytes() {
        let weight = PRIMARY.get(usize::from(byte)).copied().unwrap_or(0);
        if weight != 0 {
            key.push(weight);
        }
    }
    key.push(1);
    for byte in text.bytes() {
        if PRIMARY.get(usize::from(byte)).copied().unwrap_or(0) != 0 {
            key.push(u8::from(byte.is_ascii_uppercase()));
        }
    }
    Some(key)
}

fn icu() -> Option<&'static CollatorBorrowed<'static>> {
    static COLLATOR: OnceLock<Option<CollatorBorrowed<'static>>> = OnceLock::new();
    COLLATOR
        .get_or_init(|| Collator::try_new(Default::default(), CollatorOptions::default()).ok())
        .as_ref()
}

/// `a.localeCompare(b)` under ICU root collation (see the module docs).
pub fn locale_compare(a: &str, b: &str) -> Ordering {
    match (ascii_sort_key(a), ascii_sort_key(b)) {
        (Some(a), Some(b)) => a.cmp(&b),
        _ => icu_compare(a, b),
    }
}

/// ICU4X's root collation, without the ASCII shortcut. The compiled-in data cannot fail to
/// load; if it ever did, code-point order is the documented fallback.
pub fn icu_compare(a: &str, b: &str) -> Ordering {
    match icu() {
        Some(collator) => collator.compare(a, b),
        None => a.cmp(b),
    }
}

/// Sorts items by a string with `localeCompare`, stably (equal strings keep their order).
pub(crate) fn sort_by_locale<T>(items: &mut [T], text: impl Fn(&T) -> &str) {
    if items.iter().all(|item| text(item).is_ascii()) {
        items.sort_by_cached_key(|item| ascii_sort_key(text(item)).unwrap_or_default());
    } else {
        items.sort_by(|a, b| locale_compare(text(a), text(b)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PROTOCOL.md §14 D6, the Node/ICU vectors.
    #[test]
    fn d6_vectors() {
        let vectors: &[&[&str]] = &[
            &["a", "A", "b", "B"],
            &["a", "a_b", "a-b", "a:b", "a.b", "B"],
            &["x1", "x10", "x2"],
            &["openai/gpt_5", "openai/gpt-5-mini", "openai/gpt-5.5"],
            &[
                "anthropic/claude-sonnet-4-6",
                "Codex-beta",
                "codex-latest",
                "deepseek/deepseek-v4-flash",
                "google/gemini-3.5-flash",
                "openai/gpt-5.6",
            ],
        ];
        for expected in vectors {
            for sort in [true, false] {
                let mut items: Vec<&str> = expected.iter().rev().copied().collect();
                if sort {
                    sort_by_locale(&mut items, |item| item);
                } else {
                    items.sort_by(|a, b| icu_compare(a, b));
                }
                assert_eq!(&items, expected);
            }
        }
    }
}
