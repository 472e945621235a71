//! Word-at-a-time byte search (SWAR): eight bytes per step with plain integer arithmetic, no
//! `unsafe` and no target features. Used where a memchr call costs more than the search itself
//! (short lines, JSON keys) or where more than three distinct bytes are wanted.

const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// A mask whose lowest set bit marks the first byte of `word` (little-endian) equal to `byte`.
/// Bits above the first match may be spurious (borrows), so only the lowest one is meaningful.
pub(crate) fn eq_mask(word: u64, byte: u8) -> u64 {
    let diff = word ^ (LOW_BITS * u64::from(byte));
    diff.wrapping_sub(LOW_BITS) & !diff & HIGH_BITS
}

/// The first position in `hay` whose byte `mask` flags (`mask` is built from [`eq_mask`]s).
pub(crate) fn find_in_words(hay: &[u8], mask: impl Fn(u64) -> u64) -> Option<usize> {
    let mut words = hay.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut words {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let hits = mask(word);
        if hits != 0 {
            return Some(offset + (hits.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    let mut tail = [0u8; 8];
    let remainder = words.remainder();
    tail.get_mut(..remainder.len())?.copy_from_slice(remainder);
    let hits = mask(u64::from_le_bytes(tail));
    let found = (hits.trailing_zeros() / 8) as usize;
    (hits != 0 && found < remainder.len()).then_some(offset + found)
}

/// `bytes` (at most 16 of them; the rest are ignored) as two little-endian words, zero-padded.
/// Zero never matches a line end and is ASCII, so padding cannot create a hit.
pub(crate) fn padded_words(bytes: &[u8]) -> (u64, u64) {
    if let Some(head) = bytes.first_chunk::<16>() {
        let (low, high) = head.split_at(8);
        let word = |half: &[u8]| u64::from_le_bytes(half.try_into().unwrap_or([0; 8]));
        return (word(low), word(high));
    }
    let mut padded = [0u8; 16];
    let len = bytes.len().min(16);
    if let (Some(slot), Some(bytes)) = (padded.get_mut(..len), bytes.get(..len)) {
        slot.copy_from_slice(bytes);
    }
    let (low, high) = padded.split_at(8);
    let word = |half: &[u8]| u64::from_le_bytes(half.try_into().unwrap_or([0; 8]));
    (word(low), word(high))
}

/// The position of the first CR or LF in `bytes` (at most 16 are looked at).
pub(crate) fn short_line_end(bytes: &[u8]) -> Option<usize> {
    let (low, high) = padded_words(bytes);
    let hits = |word: u64| eq_mask(word, b'\n') | eq_mask(word, b'\r');
    let low_hits = hits(low);
    let found = if low_hits != 0 {
        low_hits.trailing_zeros() / 8
    } else {
        let high_hits = hits(high);
        if high_hits == 0 {
            return None;
        }
        8 + high_hits.trailing_zeros() / 8
    };
    Some(found as usize).filter(|&found| found < bytes.len())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn short_line_end_agrees_with_a_byte_loop(bytes in prop::collection::vec(prop_oneof![
            Just(b'\n'), Just(b'\r'), Just(0u8), Just(0x80u8), Just(0xFFu8), any::<u8>()
        ], 0..17)) {
            prop_assert_eq!(
                super::short_line_end(&bytes),
                bytes.iter().position(|&b| b == b'\n' || b == b'\r')
            );
        }
    }
}
