//! Bit-table rows: each row's `and` is composed of the AND table's results for the operands'
//! nibbles (the circuit looks each nibble triple up in [`crate::fixed::and_table`]), and the
//! table holds each triple exactly as often as the steps look it up (the circuit supplies
//! every row once to a lookup with exact multiplicities).

use super::{violation, Rule, TableId, Violation};
use crate::fixed::nibbles;
use crate::{BitRow, Tables};
use std::collections::HashMap;
use zkwasm_tracer::isa::{BinOp, Instr};
use zkwasm_tracer::trace::MemEvent;

/// What a step looks up in the bit table, each with what it is for: a bitwise operation's
/// `(lhs, rhs, lhs & rhs)`, the AND derived from its result (`and` is the result, `or` makes
/// `lhs + rhs - and`, `xor` `lhs + rhs - 2 and`); a signed division's `(x, sign bit, x & sign
/// bit)` for each operand. `None` when no AND below 2^64 explains a bitwise result.
pub(super) fn lookups(instr: Instr, events: &[MemEvent]) -> Option<Vec<(String, BitRow)>> {
    let Instr::Bin { op, ty } = instr else {
        return Some(vec![]);
    };
    let (Some(rhs), Some(lhs)) = (events.first(), events.get(1)) else {
        return Some(vec![]);
    };
    let (lhs, rhs) = (lhs.value, rhs.value);
    match op {
        BinOp::DivS | BinOp::RemS => {
            let top = crate::build::sign_bit(ty);
            let sign = |x: u64| BitRow {
                lhs: x,
                rhs: top,
                and: x & top,
            };
            Some(vec![
                ("the sign of the lhs".into(), sign(lhs)),
                ("the sign of the rhs".into(), sign(rhs)),
            ])
        }
        _ if crate::build::is_bitwise(op) => {
            let res = events.get(2)?.value;
            let twice = (lhs as u128 + rhs as u128).wrapping_sub(res as u128);
            let (and, exact) = match op {
                BinOp::And => (res as u128, true),
                BinOp::Or => (twice, true),
                _ => (twice / 2, twice.is_multiple_of(2)),
            };
            (exact && and >> 64 == 0).then(|| {
                let row = BitRow {
                    lhs,
                    rhs,
                    and: and as u64,
                };
                vec![(format!("{op:?}"), row)]
            })
        }
        _ => Some(vec![]),
    }
}

/// Every triple is in the table as often as the steps look it up: no row is left over, so
/// no row is the prover's to choose (the steps' rules have found each lookup's row).
pub(super) fn check_counts(t: &Tables) -> Result<(), Violation> {
    let mut wanted: HashMap<BitRow, i64> = HashMap::new();
    for (i, row) in t.etable.iter().enumerate() {
        for (_, b) in lookups(row.instr, t.events_of(i)).unwrap_or_default() {
            *wanted.entry(b).or_default() += 1;
        }
    }
    let mut supplied: HashMap<BitRow, i64> = HashMap::new();
    for b in &t.bit_table {
        *supplied.entry(*b).or_default() += 1;
    }
    for (i, b) in t.bit_table.iter().enumerate() {
        let (want, have) = (wanted.get(b).copied().unwrap_or(0), supplied[b]);
        if want != have {
            return Err(violation(
                TableId::BitTable,
                i,
                Rule::BitCount,
                format!("{b:x?} is looked up {want} times and supplied {have} times"),
            ));
        }
    }
    Ok(())
}

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
