//! The ALU classes on whole runs, so far the conversions (`op_conv`): honest runs of edge
//! values are accepted; every result byte, the sign fill, the operand's limbs and the fields
//! `sub` pins are forged and rejected by the class gate.

#[allow(dead_code)] // Shared with tests/vm.rs, which uses all of it.
mod runs;

use proptest::prelude::*;
use runs::*;
use std::collections::BTreeSet;
use zkwasm_circuits::etable::ROWS;
use zkwasm_tables::encode::Class;
use zkwasm_tables::Tables;
use zkwasm_tracer::alu::{conv, conv_types};
use zkwasm_tracer::isa::{ConvOp, Instr};
use zkwasm_tracer::ValTy;

const CONV: &str = "gate: op conv";

/// Every conversion, by its WAT name.
const CONVS: [(&str, ConvOp); 8] = [
    ("i32.wrap_i64", ConvOp::I32WrapI64),
    ("i64.extend_i32_s", ConvOp::I64ExtendI32S),
    ("i64.extend_i32_u", ConvOp::I64ExtendI32U),
    ("i32.extend8_s", ConvOp::I32Extend8S),
    ("i32.extend16_s", ConvOp::I32Extend16S),
    ("i64.extend8_s", ConvOp::I64Extend8S),
    ("i64.extend16_s", ConvOp::I64Extend16S),
    ("i64.extend32_s", ConvOp::I64Extend32S),
];

/// Operands at every edge a conversion has: zero, one, all ones, each kept width's top bit
/// clear and set, and values whose dropped bytes differ from the kept ones' fill.
const EDGES: [u64; 12] = [
    0,
    1,
    u64::MAX,
    0x7f,
    0x80,
    0x7fff,
    0x8000,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x8000_0000_0000_0000,
    0x1234_5678_9abc_de80,
];

fn ty_name(ty: ValTy) -> &'static str {
    if ty == ValTy::I64 {
        "i64"
    } else {
        "i32"
    }
}

/// A program converting each `(op, operand)` (the operand cut to the op's source type).
fn program(cases: &[(ConvOp, u64)]) -> String {
    let body: String = cases
        .iter()
        .map(|&(op, x)| {
            let (name, _) = CONVS.iter().find(|(_, o)| *o == op).unwrap();
            let from = conv_types(op).0;
            let x = x & from.mask();
            format!("(drop ({name} ({}.const {x})))\n", ty_name(from))
        })
        .collect();
    format!("(module (func (export \"zkmain\")\n{body}))")
}

fn every_case() -> Vec<(ConvOp, u64)> {
    CONVS
        .iter()
        .flat_map(|&(_, op)| EDGES.map(|x| (op, x)))
        .collect()
}

/// The steps that convert, in order, with their result's event index and value.
fn conversions(t: &Tables) -> Vec<(usize, usize, u64)> {
    (0..t.etable.len())
        .filter(|&i| matches!(t.etable[i].instr, Instr::Conv(_)))
        .map(|i| {
            let events = t.events_of(i);
            (i, events.len() - 1, events[events.len() - 1].value)
        })
        .collect()
}

#[test]
fn every_conversion_of_edge_values_is_accepted() {
    let cases = every_case();
    let t = tables(&program(&cases));
    let steps = conversions(&t);
    assert_eq!(steps.len(), cases.len());
    for (&(op, x), &(_, _, r)) in cases.iter().zip(&steps) {
        assert_eq!(r, conv(op, x & conv_types(op).0.mask()), "{op:?} {x:#x}");
    }
    assert_eq!(run(t), BTreeSet::new());
}

#[test]
fn every_result_byte_is_pinned() {
    // Byte by byte, every conversion's result forged at once: each forged step, and only
    // those, fails the class gate (the kept bytes, and the fill past them, sign or zeros).
    let cases = every_case();
    let t = tables(&program(&cases));
    let steps = conversions(&t);
    for byte in 0..8 {
        let mut forged = t.clone();
        let mut want = BTreeSet::new();
        for (&(op, _), &(i, e, right)) in cases.iter().zip(&steps) {
            if byte < 4 || conv_types(op).1 == ValTy::I64 {
                forge_write(&mut forged, i, e, right ^ 1 << (8 * byte));
                want.insert(i);
            }
        }
        assert_eq!(failing_steps(forged, CONV), want, "byte {byte}");
    }
}

#[test]
fn the_fill_is_the_kept_top_bit_and_the_width_the_instructions() {
    // 0x80 and 0x8000_0000 sign-extend to ones; the other fill (and a right value off by
    // 2^W, or by 2^32 in an i32 slot) is rejected.
    let cases = [
        (ConvOp::I32Extend8S, 0x80),
        (ConvOp::I64Extend32S, 0x8000_0000),
        (ConvOp::I64ExtendI32U, 0x8000_0000),
        (ConvOp::I32WrapI64, 0xffff_ffff_8000_0000),
    ];
    let t = tables(&program(&cases));
    for (&(op, x), &(i, e, right)) in cases.iter().zip(&conversions(&t)) {
        let to = conv_types(op).1;
        let flipped = match op {
            ConvOp::I32Extend8S => 0x80,
            ConvOp::I64Extend32S => 0x8000_0000,
            _ => right | (u64::MAX << 32 & to.mask()),
        };
        for wrong in [flipped, right.wrapping_add(1 << 32)] {
            if wrong == right {
                continue;
            }
            let mut forged = t.clone();
            forge_write(&mut forged, i, e, wrong);
            assert!(run(forged).contains(CONV), "{op:?} {x:#x} as {wrong:#x}");
        }
    }
}

#[test]
fn forged_cells_fail_the_class_gate() {
    let t = tables(&program(&[(ConvOp::I64Extend16S, 0x8123)]));
    let (i, _, _) = conversions(&t)[0];
    // The fields `sub` pins, the top bit, its byte check and an operand limb.
    for (name, v) in [
        ("w2", 0),
        ("w4", 1),
        ("signed", 0),
        ("from64", 0),
        ("to64", 0),
        ("top", 0),
        ("low", 3),
        ("x0", 0x24),
    ] {
        let rows = forge_cell(&t, Class::Conv, i, name, v, CONV);
        assert!(rows.contains(&(i * ROWS)), "{name} = {v}: {rows:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    /// Random conversions: the honest run is accepted, one whose result differs from
    /// wasmi's is rejected by the class gate.
    #[test]
    fn random_conversions(
        cases in prop::collection::vec((0..8usize, any::<u64>()), 1..6),
        flip in 0..64u32,
    ) {
        let cases: Vec<(ConvOp, u64)> = cases.into_iter().map(|(o, x)| (CONVS[o].1, x)).collect();
        let t = tables(&program(&cases));
        prop_assert_eq!(run(t.clone()), BTreeSet::new());
        let (op, _) = cases[0];
        let (i, e, right) = conversions(&t)[0];
        let mut forged = t;
        let bits = if conv_types(op).1 == ValTy::I64 { 64 } else { 32 };
        forge_write(&mut forged, i, e, right ^ 1 << (flip % bits));
        prop_assert!(run(forged).contains(CONV));
    }
}
