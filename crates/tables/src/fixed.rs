//! The fixed lookup tables, sized so the smallest circuit fits in 2^10 rows.
//!
//! Limbs are 8 bits wide for range checks (a 256-row table) and 4 bits wide for bitwise
//! operations: the AND table lists `(a, b, a & b)` for all nibble pairs, 256 rows, and serves
//! `or` and `xor` too (both are linear in the operands and their AND). The reference
//! system's 8-bit op tables need 3 · 65,536 rows, which forces k ≥ 18 for every program. The
//! cost: a 64-bit bitwise operation takes 16 nibble lookups instead of 8 byte lookups.

/// Width of a range-checked limb.
pub const LIMB_BITS: u32 = 8;
/// Width of a bit-table limb.
pub const NIBBLE_BITS: u32 = 4;
/// Nibbles in a 64-bit value.
pub const NIBBLES: usize = 64 / NIBBLE_BITS as usize;

/// The range table: `0 .. 2^LIMB_BITS`.
pub fn range_table() -> impl Iterator<Item = u64> {
    0..1u64 << LIMB_BITS
}

/// The AND table: `(a, b, a & b)` for every pair of nibbles, 256 rows.
pub fn and_table() -> impl Iterator<Item = (u8, u8, u8)> {
    (0..16u8).flat_map(|a| (0..16u8).map(move |b| (a, b, a & b)))
}

/// The nibbles of `x`, least significant first.
pub fn nibbles(x: u64) -> [u8; NIBBLES] {
    std::array::from_fn(|i| (x >> (4 * i) & 0xf) as u8)
}

/// Rows the fixed tables need (they sit side by side in fixed columns).
pub fn fixed_rows() -> usize {
    and_table().count().max(1 << LIMB_BITS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_have_the_documented_sizes() {
        assert_eq!(and_table().count(), 256);
        assert_eq!(range_table().count(), 256);
        assert_eq!(fixed_rows(), 256);
        assert_eq!(
            nibbles(0xfedc_ba98_7654_3210),
            std::array::from_fn(|i| i as u8)
        );
    }
}
