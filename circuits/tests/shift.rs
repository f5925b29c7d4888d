//! The shift and rotation class (`op_shift`) on whole runs: every operation and width on edge
//! operands and counts is accepted; every result byte, a result off by 2^W, each cell the
//! class decomposes the shift into, and consistent forgeries of the sign, the count and the
//! width are rejected by the constraint that should catch them.

#[allow(dead_code)] // Shared by the ALU class tests, each using part of it.
mod binops;
#[allow(dead_code)] // Shared with tests/vm.rs, which uses all of it.
mod runs;

use binops::{assert_result_bytes_pinned, bits, program, steps, Case};
use proptest::prelude::*;
use runs::*;
use std::collections::BTreeSet;
use zkwasm_circuits::etable::ROWS;
use zkwasm_circuits::Fr;
use zkwasm_tables::encode::Class;
use zkwasm_tracer::alu::bin;
use zkwasm_tracer::isa::BinOp;
use zkwasm_tracer::ValTy;

const SHIFT: &str = "gate: op shift";
const RANGE: &str = "gate: range sum ends at zero";

/// Every shift and rotation, by its WAT name.
const OPS: [(&str, BinOp); 5] = [
    ("shl", BinOp::Shl),
    ("shr_u", BinOp::ShrU),
    ("shr_s", BinOp::ShrS),
    ("rotl", BinOp::Rotl),
    ("rotr", BinOp::Rotr),
];

/// Operands at the edges (cut to the width): zero, one, all ones, INT_MIN, INT_MAX of both
/// widths, and a pattern whose bytes differ.
const OPERANDS: [u64; 8] = [
    0,
    1,
    u64::MAX,
    0x8000_0000,
    0x7fff_ffff,
    0x8000_0000_0000_0000,
    0x7fff_ffff_ffff_ffff,
    0x1234_5678_9abc_def1,
];

/// Counts at the edges of width `bits`: 0, 1, a byte apart, width - 1, width, width + 1, and
/// 2^32 - 1 (and 2^64 - 1 for i64).
fn counts(ty: ValTy) -> Vec<u64> {
    let w = bits(ty);
    let mut v = vec![0, 1, 7, 8, 9, w - 1, w, w + 1, u32::MAX as u64];
    if ty == ValTy::I64 {
        v.push(u64::MAX);
    }
    v
}

fn every_case(ty: ValTy) -> Vec<Case> {
    let mut v = vec![];
    for (_, op) in OPS {
        for x in OPERANDS {
            for n in counts(ty) {
                v.push((op, ty, x, n));
            }
        }
    }
    v
}

fn accepts_every_case(ty: ValTy) {
    let cases = every_case(ty);
    let t = tables(&program(&OPS, &cases));
    let steps = steps(&t, &OPS);
    assert_eq!(steps.len(), cases.len());
    for (&(op, ty, x, n), &(_, _, r)) in cases.iter().zip(&steps) {
        let want = bin(op, ty, x & ty.mask(), n & ty.mask()).unwrap();
        assert_eq!(r, want, "{op:?} {ty:?} {x:#x} {n}");
    }
    assert_eq!(run(t), BTreeSet::new());
}

#[test]
fn every_i32_shift_of_edge_values_is_accepted() {
    accepts_every_case(ValTy::I32);
}

#[test]
fn every_i64_shift_of_edge_values_is_accepted() {
    accepts_every_case(ValTy::I64);
}

/// A few cases of every operation and width: a negative and a positive operand, counts 0,
/// one inside the first byte, one past it, and one past the width.
fn some_cases() -> Vec<Case> {
    let mut v = vec![];
    for (_, op) in OPS {
        for ty in [ValTy::I32, ValTy::I64] {
            for x in [0x8123_4567_89ab_cdef, 0x7654_3210_fedc_ba98] {
                for n in [0, 3, 13, bits(ty) + 9] {
                    v.push((op, ty, x, n));
                }
            }
        }
    }
    v
}

#[test]
fn every_result_byte_is_pinned() {
    assert_result_bytes_pinned(&OPS, &some_cases(), SHIFT);
}

#[test]
fn a_result_off_by_the_width_is_rejected() {
    // Right modulo 2^W but not below it: 2^32 more in an i32 slot, 2^64 more (as a field
    // element, through the MTable's value) cannot be written as a u64, so i32 only here;
    // the i64 result's bytes are pinned above.
    let cases = [(BinOp::Shl, ValTy::I32, 0xffff_ffff, 4)];
    let t = tables(&program(&OPS, &cases));
    let (i, e, right) = steps(&t, &OPS)[0];
    let mut forged = t;
    forge_write(&mut forged, i, e, right + (1 << 32));
    assert!(run(forged).contains(SHIFT));
}

#[test]
fn forged_cells_fail_the_class_gate() {
    let t = tables(&program(
        &OPS,
        &[(BinOp::ShrS, ValTy::I64, 0x8000_0000_0000_0000, 13)],
    ));
    let (i, _, _) = steps(&t, &OPS)[0];
    // (The count's low part is 63 - 13 = 50: q = 6, r = 2; the operand times 2^3 has the
    // top byte 4.) Each field `sub` pins, each bit of the count, the sign and its product, each power of
    // two, a limb of the shifted operand, a position, the count's other parts and the weights.
    for (name, v) in [
        ("is_i64", 0),
        ("right", 0),
        ("rotate", 1),
        ("signed", 0),
        ("r0", 1),
        ("r1", 0),
        ("r2", 1),
        ("sign", 0),
        ("neg", 0),
        ("a0", 3),
        ("aeff", 3),
        ("a_o", 3),
        ("y0", 1),
        ("y8", 0),
        ("g0", 1),
        ("g6", 0),
        ("g1", 1),
        ("t", 1),
        ("u0", 1),
        ("aux", 1),
        ("wlo", 1),
        ("whi", 0),
    ] {
        let rows = forge_cell(&t, Class::BinShift, i, name, v, SHIFT);
        assert!(rows.contains(&(i * ROWS)), "{name} = {v}: {rows:?}");
    }
}

#[test]
fn a_signed_shift_cannot_claim_the_positive_sign() {
    // shr_s of a negative operand claimed as the logical shift, with the sign and its product
    // set to match: the class gate holds, but the sign's byte check (`2 · Y_8 · a_o - 256 ·
    // sign`, now 256 or more) fails the range argument, and nothing else.
    let x = 0x8000_0000_0000_0000u64;
    let t = tables(&program(&OPS, &[(BinOp::ShrS, ValTy::I64, x, 4)]));
    let (i, e, _) = steps(&t, &OPS)[0];
    let mut forged = t;
    forge_write(&mut forged, i, e, x >> 4);
    // Y_8 · a_o = 128 (the top bit of x, at the top of a byte): aux = 256 with sign 0.
    let failed = forge_cells(
        &forged,
        Class::BinShift,
        i,
        &[
            ("sign", Fr::zero()),
            ("neg", Fr::zero()),
            ("aux", Fr::from(256)),
        ],
    );
    assert_eq!(failed, BTreeSet::from([RANGE.to_string()]));
}

#[test]
fn an_i32_count_cannot_take_a_position_past_the_width() {
    // i32.shl by 33 is a shift by 1; claimed as one by 33 (q = 4, t = 0, so the count still
    // adds up), which moves every bit out: the width rule (`q < 4` for i32) rejects it.
    let t = tables(&program(&OPS, &[(BinOp::Shl, ValTy::I32, 0x1234_5678, 33)]));
    let (i, e, _) = steps(&t, &OPS)[0];
    let mut forged = t;
    forge_write(&mut forged, i, e, 0);
    let failed = forge_cells(
        &forged,
        Class::BinShift,
        i,
        &[("g0", Fr::zero()), ("g4", Fr::one()), ("t", Fr::zero())],
    );
    assert_eq!(failed, BTreeSet::from([SHIFT.to_string()]));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    /// Random shifts: the honest run is accepted, one whose result differs from wasmi's is
    /// rejected by the class gate.
    #[test]
    fn random_shifts(
        cases in prop::collection::vec((0..5usize, any::<bool>(), any::<u64>(), any::<u64>()), 1..6),
        flip in 0..64u32,
    ) {
        let cases: Vec<Case> = cases
            .into_iter()
            .map(|(o, wide, x, n)| {
                let ty = if wide { ValTy::I64 } else { ValTy::I32 };
                (OPS[o].1, ty, x, n)
            })
            .collect();
        let t = tables(&program(&OPS, &cases));
        prop_assert_eq!(run(t.clone()), BTreeSet::new());
        let (_, ty, _, _) = cases[0];
        let (i, e, right) = steps(&t, &OPS)[0];
        let mut forged = t;
        forge_write(&mut forged, i, e, right ^ 1 << (flip % bits(ty) as u32));
        prop_assert!(run(forged).contains(SHIFT));
    }
}
