//! Bit-table rows: the result is composed of the op table's results for the operands'
//! nibbles (the circuit looks each nibble triple up in [`crate::fixed::op_table`]).

use super::{violation, Rule, TableId, Violation};
use crate::fixed::{nibble_op, nibbles};
use crate::{BitOp, Tables};

pub(super) fn check_bit_table(t: &Tables) -> Result<(), Violation> {
    for (i, b) in t.bit_table.iter().enumerate() {
        let (l, r) = (nibbles(b.lhs), nibbles(b.rhs));
        let res: Vec<u8> = l
            .iter()
            .zip(&r)
            .map(|(&x, &y)| nibble_op(b.op, x, y))
            .collect();
        let rhs_ok = b.op != BitOp::Popcnt || b.rhs == 0;
        let composed = match b.op {
            BitOp::Popcnt => res.iter().map(|&z| z as u64).sum(),
            _ => res.iter().rev().fold(0u64, |acc, &z| acc << 4 | z as u64),
        };
        if !rhs_ok || composed != b.result {
            return Err(violation(
                TableId::BitTable,
                i,
                Rule::BitOp,
                format!("{:?}({:#x}, {:#x}) != {:#x}", b.op, b.lhs, b.rhs, b.result),
            ));
        }
    }
    Ok(())
}
