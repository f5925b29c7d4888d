//! Soundness attacks on `op_div` (division, remainder) and `op_unary` (`clz`, `ctz`): each
//! test forges a false statement (a written result and the class cells that best support it)
//! and asserts the exact set of constraints that reject it.

#[allow(dead_code)] // Shared with tests/vm.rs, which uses all of it.
mod runs;

use runs::*;
use std::collections::BTreeSet;
use zkwasm_circuits::etable::ROWS;
use zkwasm_circuits::mock::failures;
use zkwasm_circuits::vm::VmCircuit;
use zkwasm_circuits::Fr;
use zkwasm_tables::encode::Class;
use zkwasm_tables::Tables;
use zkwasm_tracer::isa::Instr;

const DIV: &str = "gate: op div";
const UNARY: &str = "gate: op unary";
const SUM: &str = "gate: range sum ends at zero";

/// A program evaluating each `(instr, operands)` line and dropping its result.
fn program(lines: &[String]) -> String {
    format!("(module (func (export \"zkmain\")\n{}))", lines.concat())
}

/// `(drop (ty.name (ty.const x) (ty.const y)))`.
fn bin(ty: &str, name: &str, x: u64, y: u64) -> String {
    format!("(drop ({ty}.{name} ({ty}.const {x}) ({ty}.const {y})))\n")
}

/// `(drop (ty.name (ty.const x)))`.
fn unary(ty: &str, name: &str, x: u64) -> String {
    format!("(drop ({ty}.{name} ({ty}.const {x})))\n")
}

/// The first step whose instruction passes `want`, with its last event (the write).
fn last_write(t: &Tables, want: fn(&Instr) -> bool) -> (usize, usize) {
    let i = step(t, want);
    (i, t.events_of(i).len() - 1)
}

fn is_div(i: &Instr) -> bool {
    matches!(i, Instr::Bin { .. })
}

fn is_unary(i: &Instr) -> bool {
    matches!(i, Instr::Unary { .. })
}

/// `x`'s eight byte limbs as field elements.
fn bytes(x: u64) -> [Fr; 8] {
    std::array::from_fn(|j| Fr::from(x >> (8 * j) & 0xff))
}

/// `-x` in the field.
fn neg(x: u64) -> Fr {
    -Fr::from(x)
}

/// Named limb cells `prefix0 .. prefix7` set to `limbs`.
fn limbs(prefix: &str, limbs: [Fr; 8]) -> Vec<(String, Fr)> {
    (0..8).map(|j| (format!("{prefix}{j}"), limbs[j])).collect()
}

/// Runs `t` with cells of `class` at step `i` overwritten; the failing constraints.
fn forge(t: &Tables, class: Class, i: usize, cells: &[(String, Fr)]) -> BTreeSet<String> {
    let k = k_for(t);
    let cfg = etable_config(t);
    let mut c = VmCircuit::new(k, t.clone());
    for (name, v) in cells {
        let cell = cfg.class_cell(class, name).expect("a class cell");
        c.etable_overrides
            .set(cell.column, i * ROWS + cell.rot as usize, *v);
    }
    failures(k, &c, c.instances())
}

fn named(cells: &[(&str, Fr)]) -> Vec<(String, Fr)> {
    cells.iter().map(|&(n, v)| (n.to_string(), v)).collect()
}

/// Wasm's edge cases run honestly: `INT_MIN % -1 = 0`, `INT_MIN / 1`, the remainder's sign
/// following the dividend, truncation toward zero, and the zero counts of `0` and of the top
/// bit alone, both widths. Every one is accepted (the attacks below start from these).
#[test]
fn honest_edge_cases_are_accepted() {
    let mut lines = vec![];
    for (ty, min, m1) in [
        ("i32", 1u64 << 31, u32::MAX as u64),
        ("i64", 1 << 63, u64::MAX),
    ] {
        lines.push(bin(ty, "rem_s", min, m1));
        lines.push(bin(ty, "div_s", min, 1));
        lines.push(bin(ty, "rem_s", min, 1));
        lines.push(bin(ty, "rem_s", m1 - 6, 2)); // -7 % 2 = -1
        lines.push(bin(ty, "div_s", m1 - 6, 2)); // -7 / 2 = -3
        lines.push(bin(ty, "rem_s", 7, m1 - 1)); // 7 % -2 = 1
        for op in ["clz", "ctz"] {
            lines.push(unary(ty, op, 0));
            lines.push(unary(ty, op, min));
        }
    }
    assert_eq!(run(tables(&program(&lines))), BTreeSet::new());
}

/// `i64.div_s(-7, 2)` claimed as the floored `-4`: `|lhs| = 7 = 4 · 2 + R` needs `R = -1`,
/// `D = |rhs| - R - 1 = 2` in range: the gate holds, the range argument rejects `R`'s limb.
#[test]
fn a_floored_quotient_is_rejected_by_the_remainder_range() {
    let t = tables(&program(&[bin("i64", "div_s", u64::MAX - 6, 2)]));
    let (i, e) = last_write(&t, is_div);
    let mut forged = t;
    forge_write(&mut forged, i, e, (-4i64) as u64);
    let mut cells = limbs("q", bytes(4));
    let mut r = bytes(0);
    r[0] = neg(1);
    cells.extend(limbs("r", r));
    cells.extend(limbs("d", bytes(2)));
    cells.extend(named(&[("inv", Fr::from(4).invert().unwrap())]));
    assert_eq!(
        forge(&forged, Class::BinDiv, i, &cells),
        BTreeSet::from([SUM.to_string()])
    );
}

/// `i64.div_u(7, 2)` claimed as `2` with `R = 3 >= |rhs|`: the equation holds, `D = -2` is
/// out of range.
#[test]
fn a_remainder_past_the_divisor_is_rejected_by_d() {
    let t = tables(&program(&[bin("i64", "div_u", 7, 2)]));
    let (i, e) = last_write(&t, is_div);
    let mut forged = t;
    forge_write(&mut forged, i, e, 2);
    let mut cells = limbs("q", bytes(2));
    cells.extend(limbs("r", bytes(3)));
    let mut d = bytes(0);
    d[0] = neg(2);
    cells.extend(limbs("d", d));
    cells.extend(named(&[("inv", Fr::from(2).invert().unwrap())]));
    assert_eq!(
        forge(&forged, Class::BinDiv, i, &cells),
        BTreeSet::from([SUM.to_string()])
    );
}

/// `i32.rem_s(-7, 2) = -1` claimed as `+1` (the sign of the quotient, or none, instead of the
/// dividend's): `s_out` is pinned to `sl` for a remainder.
#[test]
fn a_remainder_cannot_drop_the_dividends_sign() {
    let t = tables(&program(&[bin("i32", "rem_s", u32::MAX as u64 - 6, 2)]));
    let (i, e) = last_write(&t, is_div);
    let mut forged = t;
    forge_write(&mut forged, i, e, 1);
    let cells = named(&[("s_out", Fr::zero())]);
    assert_eq!(
        forge(&forged, Class::BinDiv, i, &cells),
        BTreeSet::from([DIV.to_string()])
    );
}

/// `i32.rem_s(INT_MIN, -1) = 0` claimed as `INT_MIN` (the quotient's `2^31` in the remainder's
/// place): `V` is `R = 0` for a remainder, so the written value is pinned to 0.
#[test]
fn int_min_rem_minus_one_is_zero() {
    let t = tables(&program(&[bin("i32", "rem_s", 1 << 31, u32::MAX as u64)]));
    let (i, e) = last_write(&t, is_div);
    let mut forged = t;
    forge_write(&mut forged, i, e, 1 << 31);
    // Also claim `V` nonzero: `zv = 0` with no inverse of 0.
    let cells = named(&[("zv", Fr::zero())]);
    assert_eq!(
        forge(&forged, Class::BinDiv, i, &cells),
        BTreeSet::from([DIV.to_string()])
    );
}

/// `i64.div_s(INT_MIN, 1) = INT_MIN` with the sign cells swapped to a positive quotient
/// (`s_out = 0`, a dividend "positive" `2^63`): the top-bit rule `qt · (1 - s_out)` and the
/// sign rule both fail, and the dividend's sign lookup (`2^63` has its top bit set).
#[test]
fn a_positive_int_min_quotient_is_rejected() {
    let t = tables(&program(&[bin("i64", "div_s", 1 << 63, 1)]));
    let (i, _) = last_write(&t, is_div);
    let cells = named(&[("sl", Fr::zero()), ("s_out", Fr::zero())]);
    assert_eq!(
        forge(&t, Class::BinDiv, i, &cells),
        BTreeSet::from([DIV.to_string(), "gate: sign lookup (left)".to_string()])
    );
}

/// `i32.div_u(7, 0)` is not run (a trap); its divisor's constant forged to 0 with `Q = 0`,
/// `R = 7`: `D = 0 - 7 - 1` is out of range, and the constant's own rule objects.
#[test]
fn a_zero_divisor_has_no_d() {
    let t = tables(&program(&[bin("i32", "div_u", 7, 1)]));
    let (i, e) = last_write(&t, is_div);
    let mut forged = t;
    let c = i - 1;
    let ce = forged.events_of(c).len() - 1;
    forge_write(&mut forged, c, ce, 0);
    forge_write(&mut forged, i, e, 0);
    let mut cells = limbs("q", bytes(0));
    cells.extend(limbs("r", bytes(7)));
    let mut d = bytes(0);
    d[0] = neg(8);
    cells.extend(limbs("d", d));
    cells.extend(named(&[("zv", Fr::one()), ("inv", Fr::zero())]));
    // The division gate holds; only `D`'s range and the forged constant's rule fail.
    assert_eq!(
        forge(&forged, Class::BinDiv, i, &cells),
        BTreeSet::from(["gate: op const".to_string(), SUM.to_string()])
    );
}

/// `i32.clz(0) = 32` claimed as `31` (`zx = 0`, `P = 1`): `x · inv = 1 - zx` has no inverse.
#[test]
fn clz_of_zero_cannot_skip_the_zero_test() {
    let t = tables(&program(&[unary("i32", "clz", 0)]));
    let (i, e) = last_write(&t, is_unary);
    let mut forged = t;
    forge_write(&mut forged, i, e, 31);
    let cells = named(&[("zx", Fr::zero())]);
    assert_eq!(
        forge(&forged, Class::Unary, i, &cells),
        BTreeSet::from([UNARY.to_string()])
    );
}

/// `i64.clz(2^63) = 0` claimed as `64` (`zx = 1` on a nonzero operand): `x · zx = 0` fails.
#[test]
fn top_bit_alone_is_not_zero() {
    let t = tables(&program(&[unary("i64", "clz", 1 << 63)]));
    let (i, e) = last_write(&t, is_unary);
    let mut forged = t;
    forge_write(&mut forged, i, e, 64);
    let cells = named(&[("zx", Fr::one()), ("inv", Fr::zero())]);
    assert_eq!(
        forge(&forged, Class::Unary, i, &cells),
        BTreeSet::from([UNARY.to_string()])
    );
}

/// An i32 exponent position past the width (`q = 4`, `P = 2^32`) on `i32.clz(0)`: the count
/// stays `W` (the zero test), but the position rule `q < 4` for i32 rejects it on its own.
#[test]
fn i32_exponent_cannot_pass_the_width() {
    let t = tables(&program(&[unary("i32", "clz", 0)]));
    let (i, _) = last_write(&t, is_unary);
    let cells = named(&[("g0", Fr::zero()), ("g4", Fr::one())]);
    assert_eq!(
        forge(&t, Class::Unary, i, &cells),
        BTreeSet::from([UNARY.to_string()])
    );
}

/// `i64.ctz(0x100) = 8` claimed as `0` (`P = 1`, the positions moved to `q = 0`):
/// `0x100 = 1 · (1 + 2 y)` has no integer `y`, so `y` is a field element out of range.
#[test]
fn ctz_cannot_name_a_bit_below_the_lowest() {
    let t = tables(&program(&[unary("i64", "ctz", 0x100)]));
    let (i, e) = last_write(&t, is_unary);
    let mut forged = t;
    forge_write(&mut forged, i, e, 0);
    let y = (Fr::from(0x100) - Fr::one()) * Fr::from(2).invert().unwrap();
    let cells = named(&[
        ("g0", Fr::one()),
        ("g1", Fr::zero()),
        ("scale", Fr::from(2)),
        ("low0", y),
    ]);
    assert_eq!(
        forge(&forged, Class::Unary, i, &cells),
        BTreeSet::from([SUM.to_string()])
    );
}
