//! Counting zeros (`op_unary`: `clz`, `ctz`, i32 and i64): every count of edge operands is
//! accepted; every result byte, and a power of two other than the operand's top (clz) or
//! lowest (ctz) bit, are rejected by the class gate or the range argument.

#[allow(dead_code)] // Shared with tests/vm.rs, which uses all of it.
mod runs;

use proptest::prelude::*;
use runs::*;
use std::collections::BTreeSet;
use zkwasm_circuits::Fr;
use zkwasm_tables::encode::Class;
use zkwasm_tables::Tables;
use zkwasm_tracer::alu::unary;
use zkwasm_tracer::isa::{Instr, UnaryOp};
use zkwasm_tracer::ValTy;

const UNARY: &str = "gate: op unary";
const SUM: &str = "gate: range sum ends at zero";

const OPS: [(&str, UnaryOp); 2] = [("clz", UnaryOp::Clz), ("ctz", UnaryOp::Ctz)];

type Case = (UnaryOp, ValTy, u64);

fn program(cases: &[Case]) -> String {
    let body: String = cases
        .iter()
        .map(|&(op, ty, x)| {
            let (name, _) = OPS.iter().find(|(_, o)| *o == op).unwrap();
            let t = if ty == ValTy::I64 { "i64" } else { "i32" };
            format!("(drop ({t}.{name} ({t}.const {})))\n", x & ty.mask())
        })
        .collect();
    format!("(module (func (export \"zkmain\")\n{body}))")
}

/// The counting steps with their result's event index and value.
fn steps(t: &Tables) -> Vec<(usize, usize, u64)> {
    (0..t.etable.len())
        .filter(|&i| matches!(t.etable[i].instr, Instr::Unary { .. }))
        .map(|i| (i, 1, t.events_of(i)[1].value))
        .collect()
}

/// Zero, one, all ones, single bits at both ends and in between, and patterns.
fn every_case() -> Vec<Case> {
    let mut xs = vec![
        0,
        1,
        u64::MAX,
        0x8000_0000,
        0x8000_0000_0000_0000,
        0x0123_4567_89ab_cdef,
    ];
    xs.extend((0..64).step_by(7).map(|b| 1u64 << b));
    xs.extend([0x00f0_0000_0000_0100, 0x7fff_ffff, 0x0000_0001_0000_0000]);
    let mut v = vec![];
    for (_, op) in OPS {
        for ty in [ValTy::I32, ValTy::I64] {
            v.extend(xs.iter().map(|&x| (op, ty, x)));
        }
    }
    v
}

#[test]
fn every_count_of_edge_values_is_accepted() {
    let cases = every_case();
    let t = tables(&program(&cases));
    let s = steps(&t);
    assert_eq!(s.len(), cases.len());
    for (&(op, ty, x), &(_, _, r)) in cases.iter().zip(&s) {
        assert_eq!(r, unary(op, ty, x & ty.mask()), "{op:?} {ty:?} {x:#x}");
    }
    assert_eq!(run(t), BTreeSet::new());
}

#[test]
fn every_result_bit_is_pinned() {
    // The count's low seven bits, and one past (the high limbs), flipped in every step: each
    // forged step, and only those, fails the class gate.
    let cases = every_case();
    let t = tables(&program(&cases));
    let s = steps(&t);
    for bit in [0, 1, 2, 3, 4, 5, 6, 32] {
        let mut forged = t.clone();
        let want: BTreeSet<usize> = s.iter().map(|&(i, _, _)| i).collect();
        for &(i, e, r) in &s {
            forge_write(&mut forged, i, e, r ^ 1 << bit);
        }
        assert_eq!(failing_steps(forged, UNARY), want, "bit {bit}");
    }
}

#[test]
fn clz_cannot_name_a_lower_bit() {
    // i64.clz(0x100) = 55 claimed as 56 (`P = 2^7`, `A = 128`, `r = 7`, `q = 0`): the class
    // gate's own rules hold with `x - P = 0x80`, but `2 P - 1 - x` is negative, out of range.
    let t = tables(&program(&[(UnaryOp::Clz, ValTy::I64, 0x100)]));
    let (i, e, _) = steps(&t)[0];
    let mut forged = t;
    forge_write(&mut forged, i, e, 56);
    let cells = [
        ("r0", Fr::one()),
        ("r1", Fr::one()),
        ("r2", Fr::one()),
        ("a0", Fr::from(128)),
        ("g0", Fr::one()),
        ("g1", Fr::zero()),
        ("low0", Fr::from(0x80)),
        ("low1", Fr::zero()),
        // `2 P - 1 - x = 255 - 256 = -1`, in the first limb (the others are zero).
        ("high0", -Fr::one()),
    ];
    let failed = forge_cells(&forged, Class::Unary, i, &cells);
    assert_eq!(failed, BTreeSet::from([SUM.to_string()]));
}

#[test]
fn ctz_cannot_name_a_higher_bit() {
    // i32.ctz(12) = 2 claimed as 3 (`P = 8`): `12 = 8 · (1 + 2 y)` has no integer `y`, so `y`
    // is a field element far out of range.
    let t = tables(&program(&[(UnaryOp::Ctz, ValTy::I32, 12)]));
    let (i, e, _) = steps(&t)[0];
    let mut forged = t;
    forge_write(&mut forged, i, e, 3);
    let y =
        (Fr::from(12) * Fr::from(8).invert().unwrap() - Fr::one()) * Fr::from(2).invert().unwrap();
    let failed = forge_cells(
        &forged,
        Class::Unary,
        i,
        &[
            ("r0", Fr::one()),
            ("r1", Fr::one()),
            ("a0", Fr::from(8)),
            ("scale", Fr::from(16)),
            ("low0", y),
        ],
    );
    assert_eq!(failed, BTreeSet::from([SUM.to_string()]));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    /// Random counts: the honest run is accepted, a count off by one is rejected.
    #[test]
    fn random_counts(
        cases in prop::collection::vec((any::<bool>(), any::<bool>(), any::<u64>(), 0..64u32), 1..6),
    ) {
        let cases: Vec<Case> = cases
            .into_iter()
            .map(|(ctz, wide, x, shift)| {
                let op = if ctz { UnaryOp::Ctz } else { UnaryOp::Clz };
                (op, if wide { ValTy::I64 } else { ValTy::I32 }, x >> shift)
            })
            .collect();
        let t = tables(&program(&cases));
        prop_assert_eq!(run(t.clone()), BTreeSet::new());
        let (i, e, r) = steps(&t)[0];
        let mut forged = t;
        forge_write(&mut forged, i, e, r ^ 1);
        prop_assert!(run(forged).contains(UNARY));
    }
}
