//! The fixed lookup tables, sized so the smallest circuit fits in 2^10 rows.
//!
//! Limbs are 8 bits wide for range checks (a 256-row table) and 4 bits wide for bitwise
//! operations: the op table lists `(op, a, b, op(a, b))` for all nibble pairs, 3 · 256 rows
//! plus 16 popcount rows. The reference system's 8-bit op table alone needs 3 · 65,536 rows,
//! which forces k ≥ 18 for every program. The cost: a 64-bit bitwise operation takes 16
//! nibble lookups instead of 8 byte lookups.

use crate::BitOp;

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

/// `op(a, b)` on nibbles (popcnt ignores `b`).
pub fn nibble_op(op: BitOp, a: u8, b: u8) -> u8 {
    match op {
        BitOp::And => a & b,
        BitOp::Or => a | b,
        BitOp::Xor => a ^ b,
        BitOp::Popcnt => a.count_ones() as u8,
    }
}

/// The op table: `(op, a, b, result)` rows.
pub fn op_table() -> Vec<(BitOp, u8, u8, u8)> {
    let mut rows = Vec::with_capacity(3 * 256 + 16);
    for op in [BitOp::And, BitOp::Or, BitOp::Xor] {
        for a in 0..16u8 {
            for b in 0..16u8 {
                rows.push((op, a, b, nibble_op(op, a, b)));
            }
        }
    }
    rows.extend((0..16u8).map(|a| (BitOp::Popcnt, a, 0, nibble_op(BitOp::Popcnt, a, 0))));
    rows
}

/// Powers of two `(i, 2^i)` for `i < 64`: shift amounts and sub-word masks.
pub fn pow2_table() -> impl Iterator<Item = (u64, u64)> {
    (0..64).map(|i| (i, 1u64 << i))
}

/// The nibbles of `x`, least significant first.
pub fn nibbles(x: u64) -> [u8; NIBBLES] {
    std::array::from_fn(|i| (x >> (4 * i) & 0xf) as u8)
}

/// Rows the fixed tables need (they sit side by side in fixed columns).
pub fn fixed_rows() -> usize {
    op_table().len().max(1 << LIMB_BITS).max(64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_have_the_documented_sizes() {
        assert_eq!(op_table().len(), 784);
        assert_eq!(range_table().count(), 256);
        assert_eq!(fixed_rows(), 784);
        assert_eq!(
            nibbles(0xfedc_ba98_7654_3210),
            std::array::from_fn(|i| i as u8)
        );
    }
}
