//! Word-at-a-time byte search (SWAR): eight bytes per step with plain integer arithmetic, no
//! `unsafe` and no target features. Used where a memchr call costs more than the search itself
//! (short lines, JSON keys) or where more than three distinct bytes are wanted. Also the two
//! pieces the 64-byte block scans share ([`lanes`], [`bits`]), which compare 16 bytes at a time
//! through `wide` (SSE2 on x86_64, its portable fallback elsewhere).

use wide::u8x16;

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
        return (load_padded(low), load_padded(high));
    }
    // Loaded in place rather than copied into a zeroed array: the copy's narrow stores would
    // stall the wide loads that read them back (no store-to-load forwarding).
    let (low, high) = bytes.split_at(bytes.len().min(8));
    (load_padded(low), load_padded(high))
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

/// One bit per byte of four 16-byte compare results (all ones or all zeros per byte).
#[inline]
pub(crate) fn bits(lanes: [u8x16; 4]) -> u64 {
    let [a, b, c, d] = lanes.map(|lane| u64::from(lane.to_bitmask()));
    a | b << 16 | c << 32 | d << 48
}

/// A 64-byte block as four 16-byte vectors.
#[inline]
pub(crate) fn lanes(block: &[u8; 64]) -> [u8x16; 4] {
    let (chunks, _) = block.as_chunks::<16>();
    let mut lanes = [u8x16::ZERO; 4];
    for (lane, chunk) in lanes.iter_mut().zip(chunks) {
        *lane = u8x16::new(*chunk);
    }
    lanes
}

/// The LFs and the CRs of a 64-byte block, one bit per byte.
#[inline]
pub(crate) fn line_end_block_masks(block: &[u8; 64]) -> (u64, u64) {
    let v = lanes(block);
    let eq = |byte: u8| bits(v.map(|v| v.simd_eq(u8x16::splat(byte))));
    (eq(b'\n'), eq(b'\r'))
}

/// High bit set in exactly the bytes of `word` that are CR or LF (no spurious bits, unlike
/// [`eq_mask`], so the highest set bit is the last line end too).
fn exact_line_end_mask(word: u64) -> u64 {
    const SEVEN_BITS: u64 = !HIGH_BITS;
    let zero_bytes = |x: u64| !((x & SEVEN_BITS).wrapping_add(SEVEN_BITS) | x) & HIGH_BITS;
    zero_bytes(word ^ (LOW_BITS * u64::from(b'\n')))
        | zero_bytes(word ^ (LOW_BITS * u64::from(b'\r')))
}

/// The positions of the first and the last CR or LF in `bytes`, for the short chunks of a slow
/// reader: one pass of plain arithmetic over 8-byte words costs less than two memchr calls'
/// dispatch on a handful of bytes.
pub(crate) fn first_and_last_line_end(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut first = None;
    let mut last = None;
    let mut record = |hits: u64, offset: usize| {
        if hits != 0 {
            first.get_or_insert(offset + (hits.trailing_zeros() / 8) as usize);
            last = Some(offset + 7 - (hits.leading_zeros() / 8) as usize);
        }
    };
    let mut words = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut words {
        record(exact_line_end_mask(load_padded(chunk)), offset);
        offset += 8;
    }
    let remainder = words.remainder();
    if !remainder.is_empty() {
        match bytes.last_chunk::<8>() {
            // The last eight bytes again, overlapping words already searched: a hit in the
            // overlap is either already `first` or no hit at all, and `last` is right either way.
            Some(word) => record(
                exact_line_end_mask(u64::from_le_bytes(*word)),
                bytes.len() - 8,
            ),
            None => record(exact_line_end_mask(load_padded(remainder)), 0),
        }
    }
    Some((first?, last?))
}

/// Up to eight bytes of `bytes` as a little-endian word, zero-padded, without a `memcpy` call
/// for the short tail: two overlapping loads put every byte in its place (an overlapped byte is
/// ORed with itself).
pub(crate) fn load_padded(bytes: &[u8]) -> u64 {
    if let Some(word) = bytes.first_chunk::<8>() {
        return u64::from_le_bytes(*word);
    }
    let len = bytes.len();
    if let (Some(low), Some(high)) = (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        return u64::from(u32::from_le_bytes(*low))
            | u64::from(u32::from_le_bytes(*high)) << (8 * (len - 4));
    }
    let byte = |index: usize| u64::from(bytes.get(index).copied().unwrap_or(0)) << (8 * index);
    match len {
        0 => 0,
        _ => byte(0) | byte(len / 2) | byte(len - 1),
    }
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

        #[test]
        fn load_padded_is_the_bytes_zero_padded(bytes in prop::collection::vec(any::<u8>(), 0..9)) {
            let mut padded = [0u8; 8];
            padded[..bytes.len()].copy_from_slice(&bytes);
            prop_assert_eq!(super::load_padded(&bytes), u64::from_le_bytes(padded));
        }

        #[test]
        fn first_and_last_line_end_agree_with_byte_loops(bytes in prop::collection::vec(prop_oneof![
            Just(b'\n'), Just(b'\r'), Just(0u8), Just(0x80u8), Just(0x8Au8), Just(0x8Du8),
            Just(0x0Bu8), Just(0x0Cu8), Just(0x0Eu8), Just(0x09u8), any::<u8>()
        ], 0..80)) {
            let is_line_end = |b: &u8| *b == b'\n' || *b == b'\r';
            let expected = bytes.iter().position(is_line_end).zip(bytes.iter().rposition(is_line_end));
            prop_assert_eq!(super::first_and_last_line_end(&bytes), expected);
        }
    }
}
