//! sunrise_libutils.rs - our stand-in for Sunrise's `sunrise_libutils`
//! crate, compiled as the crate `sunrise_libutils`. The seed uses one
//! function of it.

#![deny(missing_docs)]

/// The index of the first clear bit of `bitarray`: bytes in order, bits
/// least significant first (bit `i` is bit `i % 8` of byte `i / 8`).
/// Returns `None` when every bit is set.
pub fn bit_array_first_zero(bitarray: &[u8]) -> Option<usize> {
    for (index, &byte) in bitarray.iter().enumerate() {
        if byte == 0xff {
            continue;
        }
        for bit in 0..8 {
            if byte & (1u8 << bit) == 0 {
                return Some(index * 8 + bit);
            }
        }
    }
    None
}
