//! Bit-table rows: each row's `and` is composed of the AND table's results for the operands'
//! nibbles (the circuit looks each nibble triple up in [`crate::fixed::and_table`]).

use super::{violation, Rule, TableId, Violation};
use crate::fixed::nibbles;
use crate::Tables;

pub(super) fn check_bit_table(t: &Tables) -> Result<(), Violation> {
    for (i, b) in t.bit_table.iter().enumerate() {
        let (l, r) = (nibbles(b.lhs), nibbles(b.rhs));
        let composed = l
            .iter()
            .zip(&r)
            .rev()
            .fold(0u64, |acc, (&x, &y)| acc << 4 | (x & y) as u64);
        if composed != b.and {
            return Err(violation(
                TableId::BitTable,
                i,
                Rule::BitOp,
                format!("{:#x} & {:#x} != {:#x}", b.lhs, b.rhs, b.and),
            ));
        }
    }
    Ok(())
}
