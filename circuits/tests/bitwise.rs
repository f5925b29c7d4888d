//! Bitwise operations (`and`, `or`, `xor`, i32 and i64): the `op_bin` class looks
//! `(lhs, rhs, lhs & rhs)` up in the bit table (`bittable.rs`), whose nibbles the AND table
//! checks. Honest runs of edge operands are accepted; a wrong result, a wrong AND, a forged
//! nibble made consistent with the composed operands, and forged multiplicities are rejected
//! by the constraint that should catch them.

#[allow(dead_code)] // Shared by the ALU class tests, each using part of it.
mod binops;
#[allow(dead_code)] // Shared with tests/vm.rs, which uses all of it.
mod runs;

use binops::{assert_result_bytes_pinned, bits, program, steps, Case};
use halo2_proofs::plonk::{Advice, Column};
use proptest::prelude::*;
use runs::*;
use std::collections::BTreeSet;
use zkwasm_circuits::bittable::BitColumns;
use zkwasm_circuits::etable::ROWS;
use zkwasm_circuits::mock::failures;
use zkwasm_circuits::Fr;
use zkwasm_tables::encode::Class;
use zkwasm_tables::Tables;
use zkwasm_tracer::alu::bin;
use zkwasm_tracer::isa::BinOp;
use zkwasm_tracer::ValTy;

const BIN: &str = "gate: op bin arith";
const SUM: &str = "gate: range sum ends at zero";

const OPS: [(&str, BinOp); 3] = [("and", BinOp::And), ("or", BinOp::Or), ("xor", BinOp::Xor)];

/// Operands at the edges: zero, one, all ones, INT_MIN and INT_MAX of both widths, patterns.
const OPERANDS: [u64; 8] = [
    0,
    1,
    u64::MAX,
    0x8000_0000,
    0x7fff_ffff,
    0x8000_0000_0000_0000,
    0x7fff_ffff_ffff_ffff,
    0x0123_4567_89ab_cdef,
];

fn every_case() -> Vec<Case> {
    let mut v = vec![];
    for (_, op) in OPS {
        for ty in [ValTy::I32, ValTy::I64] {
            for x in OPERANDS {
                for y in [0, u64::MAX, 0x8000_0000_8000_0000, 0xf0f0_0f0f_5555_aaaa] {
                    v.push((op, ty, x, y));
                }
            }
        }
    }
    v
}

#[test]
fn every_bitwise_op_of_edge_values_is_accepted() {
    let cases = every_case();
    let t = tables(&program(&OPS, &cases));
    let s = steps(&t, &OPS);
    assert_eq!(s.len(), cases.len());
    for (&(op, ty, x, y), &(_, _, r)) in cases.iter().zip(&s) {
        assert_eq!(r, bin(op, ty, x & ty.mask(), y & ty.mask()).unwrap());
    }
    assert_eq!(t.bit_table.len(), cases.len());
    assert_eq!(run(t), BTreeSet::new());
}

#[test]
fn every_result_byte_is_pinned() {
    // Byte by byte, every result forged at once (in the MTable too): each forged step, and
    // only those, fails the class gate.
    let cases: Vec<Case> = OPS
        .iter()
        .flat_map(|&(_, op)| {
            [ValTy::I32, ValTy::I64]
                .map(|ty| (op, ty, 0x0123_4567_89ab_cdef, 0xff00_f0f0_3c3c_5a5a))
        })
        .collect();
    assert_result_bytes_pinned(&OPS, &cases, BIN);
}

/// A bit-table column, by name.
type BitColumn = fn(&BitColumns) -> Column<Advice>;

/// Runs `t` with ETable cells (class `BinArith`, at step `i`) and bit-table cells (column,
/// row) overwritten; returns what fails.
fn forge(
    t: &Tables,
    etable: (usize, &[(&str, Fr)]),
    bits: &[(BitColumn, usize, Fr)],
) -> BTreeSet<String> {
    let (i, cells) = etable;
    let (k, mut c) = with_class_cells(t, Class::BinArith, i, cells);
    let cols = bit_columns(t);
    for &(column, row, v) in bits {
        c.bit_overrides.set(column(&cols), row, v);
    }
    failures(k, &c, c.instances())
}

#[test]
fn a_wrong_and_is_not_in_the_bit_table() {
    // i64.and(0xff, 0x0f) claimed as 0x1f, with the class's AND (`hi`) to match: the class
    // gate holds; the bit table has no such triple, so the sum fails, and only it.
    let t = tables(&program(&OPS, &[(BinOp::And, ValTy::I64, 0xff, 0x0f)]));
    let (i, e, r) = steps(&t, &OPS)[0];
    let mut forged = t;
    forge_write(&mut forged, i, e, r | 0x10);
    let failed = forge(&forged, (i, &[("hi0", Fr::from(0x1f))]), &[]);
    assert_eq!(failed, BTreeSet::from([SUM.to_string()]));
}

#[test]
fn a_false_nibble_and_fails_the_and_table() {
    // i64.and(0xff, 0x0f) claimed as 0x0e, the class's AND to match, and the bit table's
    // first AND nibble forged to 0xe so that its entry composes the claimed triple: the bit
    // lookup balances, but the pair (0xf, 0xf, 0xe) is no row of the AND table.
    let t = tables(&program(&OPS, &[(BinOp::And, ValTy::I64, 0xff, 0x0f)]));
    let (i, e, _) = steps(&t, &OPS)[0];
    let mut forged = t;
    forge_write(&mut forged, i, e, 0x0e);
    let r0: BitColumn = |c| c.r[0];
    let failed = forge(
        &forged,
        (i, &[("hi0", Fr::from(0x0e))]),
        &[(r0, 0, Fr::from(0xe))],
    );
    assert_eq!(failed, BTreeSet::from([SUM.to_string()]));
}

#[test]
fn a_nibble_past_16_cannot_carry_into_the_next() {
    // i64.xor(0x10, 0) = 0x10 claimed as 0 through an AND of 0x08 (`0x10 + 0 - 2 · 0x08`),
    // the bit table's entry composing `lhs = 0x10` from the nibbles (16, 0) instead of
    // (0, 1) and its AND 0x08 from (8, 0): every sum adds up, but 16 is no nibble, so the
    // AND table has no pair (16, 0, 8), and the sum fails, and only it.
    let t = tables(&program(&OPS, &[(BinOp::Xor, ValTy::I64, 0x10, 0)]));
    let (i, e, _) = steps(&t, &OPS)[0];
    let mut forged = t;
    forge_write(&mut forged, i, e, 0);
    let (a0, a1, r0): (BitColumn, BitColumn, BitColumn) = (|c| c.a[0], |c| c.a[1], |c| c.r[0]);
    let failed = forge(
        &forged,
        (i, &[("hi0", Fr::from(0x08))]),
        &[
            (a0, 0, Fr::from(16)),
            (a1, 0, Fr::zero()),
            (r0, 0, Fr::from(8)),
        ],
    );
    assert_eq!(failed, BTreeSet::from([SUM.to_string()]));
}

#[test]
fn forged_multiplicities_unbalance_the_sum() {
    // An entry supplied twice (`copies`), or the AND table's uses of (0, 0, 0) off by one.
    let t = tables(&program(&OPS, &[(BinOp::Or, ValTy::I32, 0xf0, 0x0f)]));
    let copies: BitColumn = |c| c.copies;
    assert_eq!(
        forge(&t, (0, &[]), &[(copies, 0, Fr::from(2))]),
        BTreeSet::from([SUM.to_string()])
    );
    let uses: BitColumn = |c| c.uses;
    let failed = forge(&t, (0, &[]), &[(uses, 0, Fr::from(12345))]);
    assert_eq!(failed, BTreeSet::from([SUM.to_string()]));
}

#[test]
fn every_field_is_pinned_by_sub() {
    // An and claimed as an or or a xor (the result and AND recomputed to match would need
    // another `sub`): the class gate rejects each field flipped.
    let t = tables(&program(&OPS, &[(BinOp::And, ValTy::I64, 0xf0f0, 0xff00)]));
    let (i, _, _) = steps(&t, &OPS)[0];
    for name in ["is_i64", "is_sub", "is_mul", "is_and", "is_or", "is_xor"] {
        let rows = forge_cell(&t, Class::BinArith, i, name, 0, BIN);
        let rows1 = forge_cell(&t, Class::BinArith, i, name, 1, BIN);
        assert!(
            rows.contains(&(i * ROWS)) || rows1.contains(&(i * ROWS)),
            "{name}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    /// Random bitwise ops: the honest run is accepted, one whose result differs from wasmi's
    /// is rejected.
    #[test]
    fn random_bitwise_ops(
        cases in prop::collection::vec((0..3usize, any::<bool>(), any::<u64>(), any::<u64>()), 1..6),
        flip in 0..64u32,
    ) {
        let cases: Vec<Case> = cases
            .into_iter()
            .map(|(o, wide, x, y)| (OPS[o].1, if wide { ValTy::I64 } else { ValTy::I32 }, x, y))
            .collect();
        let t = tables(&program(&OPS, &cases));
        prop_assert_eq!(run(t.clone()), BTreeSet::new());
        let (_, ty, _, _) = cases[0];
        let (i, e, r) = steps(&t, &OPS)[0];
        let mut forged = t;
        forge_write(&mut forged, i, e, r ^ 1 << (flip % bits(ty) as u32));
        prop_assert!(run(forged).contains(BIN));
    }
}
