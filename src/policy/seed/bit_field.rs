//! bit_field.rs - our stand-in for the `bit_field` crate, compiled as the
//! crate `bit_field` so that the seed's `use bit_field::BitArray;` finds it.
//!
//! The seed uses one trait of it: `BitArray`, bits of a byte slice by
//! index. Bit `i` is bit `i % 8` (least significant first) of byte `i / 8`,
//! as in the real crate. An index past the slice panics (slice indexing),
//! as in the real crate.

#![deny(missing_docs)]

/// Bits of an array of `T`, numbered from bit 0 of element 0.
pub trait BitArray<T> {
    /// How many bits the array holds.
    fn bit_length(&self) -> usize;
    /// Whether bit `bit` is set. Panics past the end.
    fn get_bit(&self, bit: usize) -> bool;
    /// Set bit `bit` to `value`. Panics past the end.
    fn set_bit(&mut self, bit: usize, value: bool);
}

impl BitArray<u8> for [u8] {
    fn bit_length(&self) -> usize {
        self.len() * 8
    }

    fn get_bit(&self, bit: usize) -> bool {
        self[bit / 8] & (1u8 << (bit % 8)) != 0
    }

    fn set_bit(&mut self, bit: usize, value: bool) {
        if value {
            self[bit / 8] |= 1u8 << (bit % 8);
        } else {
            self[bit / 8] &= !(1u8 << (bit % 8));
        }
    }
}
