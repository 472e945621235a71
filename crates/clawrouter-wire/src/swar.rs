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
