//! Programs of binary operations for the ALU class tests (shifts, bitwise, division): one
//! step per case, its result dropped, and the tests every such class shares.

use crate::runs::{failing_steps, forge_write, tables};
use std::collections::BTreeSet;
use zkwasm_tables::Tables;
use zkwasm_tracer::isa::{BinOp, Instr};
use zkwasm_tracer::ValTy;

/// An operation, its width and its operands `(lhs, rhs)`, cut to the width in programs.
pub type Case = (BinOp, ValTy, u64, u64);

/// A class's operations by their WAT names.
pub type Ops = [(&'static str, BinOp)];

pub fn ty_name(ty: ValTy) -> &'static str {
    if ty == ValTy::I64 {
        "i64"
    } else {
        "i32"
    }
}

pub fn bits(ty: ValTy) -> u64 {
    if ty == ValTy::I64 {
        64
    } else {
        32
    }
}

/// A program running each case and dropping its result.
pub fn program(ops: &Ops, cases: &[Case]) -> String {
    let body: String = cases
        .iter()
        .map(|&(op, ty, x, y)| {
            let (name, _) = ops.iter().find(|(_, o)| *o == op).expect("listed");
            let t = ty_name(ty);
            let (x, y) = (x & ty.mask(), y & ty.mask());
            format!("(drop ({t}.{name} ({t}.const {x}) ({t}.const {y})))\n")
        })
        .collect();
    format!("(module (func (export \"zkmain\")\n{body}))")
}

/// The steps running one of `ops`, in order, with their result's event index and value.
pub fn steps(t: &Tables, ops: &Ops) -> Vec<(usize, usize, u64)> {
    (0..t.etable.len())
        .filter(|&i| {
            matches!(t.etable[i].instr, Instr::Bin { op, .. }
                if ops.iter().any(|(_, o)| *o == op))
        })
        .map(|i| {
            let events = t.events_of(i);
            (i, events.len() - 1, events[events.len() - 1].value)
        })
        .collect()
}

/// Byte by byte, every case's result forged at once (in the MTable too, so only the step can
/// object): each forged step, and only those, fails `gate`.
pub fn assert_result_bytes_pinned(ops: &Ops, cases: &[Case], gate: &str) {
    let t = tables(&program(ops, cases));
    let s = steps(&t, ops);
    for byte in 0..8 {
        let mut forged = t.clone();
        let mut want = BTreeSet::new();
        for (&(_, ty, _, _), &(i, e, r)) in cases.iter().zip(&s) {
            if byte < 4 || ty == ValTy::I64 {
                forge_write(&mut forged, i, e, r ^ 1 << (8 * byte));
                want.insert(i);
            }
        }
        assert_eq!(failing_steps(forged, gate), want, "byte {byte}");
    }
}
