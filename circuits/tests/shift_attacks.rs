//! An adversarial review of the shift and rotation class (`op_shift`): consistent false
//! statements, each a full witness of the class's cells (computed by the gate's own
//! equations from a false claim, see [`Claim`]) with the written value forged to match in the
//! MTable, so that only the constraint that should stop the claim can object. None is
//! accepted; each test asserts the exact set of failing constraints.
//!
//! What holds the class together, as found: every equation's terms stay far below the field
//! (`x' · aeff < 2^72`, the count's parts below 2^65, `x' · 2^e < 2^128`), so each is an
//! equation over the integers; `W` divides 256, so `n = s + W t + 256 U` pins `s = n mod W`
//! however `t` and `U` split the rest; `aeff` is pinned by its bits, and the only integer
//! pairs with `aeff · a_o = 256` are powers of two; bytes summing to one are one-hot.

#[allow(dead_code)] // Shared with tests/vm.rs, which uses all of it.
mod runs;

use ff::{Field, PrimeField};
use runs::*;
use std::collections::{BTreeSet, HashMap};
use zkwasm_circuits::allocator::Cell;
use zkwasm_circuits::etable::ROWS;
use zkwasm_circuits::mock::failures;
use zkwasm_circuits::vm::VmCircuit;
use zkwasm_circuits::Fr;
use zkwasm_tables::encode::{decode, opcode, shift_sub, Class, Opcode};
use zkwasm_tables::Tables;
use zkwasm_tracer::alu::bin;
use zkwasm_tracer::isa::{BinOp, Instr};
use zkwasm_tracer::ValTy;

const SHIFT: &str = "gate: op shift";
const RANGE: &str = "gate: range sum ends at zero";

const OPS: [(&str, BinOp); 5] = [
    ("shl", BinOp::Shl),
    ("shr_u", BinOp::ShrU),
    ("shr_s", BinOp::ShrS),
    ("rotl", BinOp::Rotl),
    ("rotr", BinOp::Rotr),
];

const Y: [&str; 9] = ["y0", "y1", "y2", "y3", "y4", "y5", "y6", "y7", "y8"];
const U: [&str; 7] = ["u0", "u1", "u2", "u3", "u4", "u5", "u6"];
const G: [&str; 8] = ["g0", "g1", "g2", "g3", "g4", "g5", "g6", "g7"];

type Case = (BinOp, ValTy, u64, u64);

fn bits(ty: ValTy) -> u64 {
    if ty == ValTy::I64 {
        64
    } else {
        32
    }
}

/// A program running each `(op, ty, x, n)` and dropping the result.
fn program(cases: &[Case]) -> String {
    let body: String = cases
        .iter()
        .map(|&(op, ty, x, n)| {
            let (name, _) = OPS.iter().find(|(_, o)| *o == op).unwrap();
            let t = if ty == ValTy::I64 { "i64" } else { "i32" };
            let (x, n) = (x & ty.mask(), n & ty.mask());
            format!("(drop ({t}.{name} ({t}.const {x}) ({t}.const {n})))\n")
        })
        .collect();
    format!("(module (func (export \"zkmain\")\n{body}))")
}

/// The steps that shift, in order: the step and its result's event index.
fn shifts(t: &Tables) -> Vec<(usize, usize)> {
    (0..t.etable.len())
        .filter(|&i| {
            matches!(t.etable[i].instr, Instr::Bin { op, .. }
                if OPS.iter().any(|(_, o)| *o == op))
        })
        .map(|i| (i, t.events_of(i).len() - 1))
        .collect()
}

/// `v` as a field element (negative values wrap).
fn fr(v: i128) -> Fr {
    let m = v.unsigned_abs();
    let f = Fr::from((m >> 64) as u64) * Fr::from(1 << 32).square() + Fr::from(m as u64);
    if v < 0 {
        -f
    } else {
        f
    }
}

/// `v` as a u64 (it must be one: the MTable forgery writes u64 values).
fn to_u64(v: Fr) -> u64 {
    let repr = v.to_repr();
    assert!(repr[8..].iter().all(|&b| b == 0), "{v:?} is no u64");
    u64::from_le_bytes(repr[..8].try_into().unwrap())
}

/// What a step claims, in the gate's terms: the four fields, the position `q` and the bits
/// `r` of `sh`, the operand `x`, the count `n` and the count's byte `t` (the seven bytes of
/// `U` then follow from the count rule). [`Claim::cells`] computes every other cell and the
/// written value by the gate's equations, so a false claim breaks only what its own
/// parameters break.
#[derive(Clone, Copy, Debug)]
struct Claim {
    is_i64: bool,
    right: bool,
    rotate: bool,
    signed: bool,
    x: u64,
    n: u64,
    q: usize,
    r: u64,
    t: u64,
}

impl Claim {
    /// The honest claim of `op` on `(x, n)`, as the class assigns it.
    fn honest(op: BinOp, ty: ValTy, x: u64, n: u64) -> Claim {
        let sub = shift_sub(op, ty);
        let (x, n) = (x & ty.mask(), n & ty.mask());
        let w = bits(ty);
        let right = sub & 2 != 0;
        let sh = if right { w - 1 - n % w } else { n % w };
        Claim {
            is_i64: sub & 1 != 0,
            right,
            rotate: sub & 4 != 0,
            signed: sub & 8 != 0,
            x,
            n,
            q: (sh >> 3) as usize,
            r: sh & 7,
            t: (n & 0xff) / w,
        }
    }

    fn width(&self) -> i128 {
        if self.is_i64 {
            64
        } else {
            32
        }
    }

    /// `x' · 2^(r + right)`.
    fn y(&self) -> u128 {
        let j = if self.is_i64 { 1 } else { 1u128 << 32 };
        self.x as u128 * j * self.aeff() as u128
    }

    fn aeff(&self) -> u64 {
        1 << (self.r + self.right as u64)
    }

    /// `Y_8 · a_o`, whose top bit is the sign.
    fn top(&self) -> u64 {
        (self.y() >> 64) as u64 * (256 / self.aeff())
    }

    fn sign(&self) -> bool {
        self.top() >= 128
    }

    /// The written value the gate's result rule gives.
    fn written(&self) -> Fr {
        let full = self.y() << (8 * self.q);
        let (low, high) = (full as u64, (full >> 64) as u64);
        let j_inv = if self.is_i64 {
            Fr::ONE
        } else {
            Fr::from(1 << 32).invert().unwrap()
        };
        let wlo = if !self.right || self.rotate {
            j_inv
        } else {
            Fr::ZERO
        };
        let whi = (self.right || self.rotate) as u64;
        let e = 8 * self.q as u32 + self.r as u32 + self.right as u32;
        let fill = if self.signed && self.sign() {
            fr(1i128 << self.width()) - fr(1i128 << e)
        } else {
            Fr::ZERO
        };
        wlo * Fr::from(low) + Fr::from(whi) * Fr::from(high) + fill
    }

    /// Every cell of the class, by name.
    fn cells(&self) -> Vec<(&'static str, Fr)> {
        let b = |v: bool| Fr::from(v as u64);
        let aeff = self.aeff();
        let mut v = vec![
            ("is_i64", b(self.is_i64)),
            ("right", b(self.right)),
            ("rotate", b(self.rotate)),
            ("signed", b(self.signed)),
            ("r0", b(self.r & 1 != 0)),
            ("r1", b(self.r & 2 != 0)),
            ("r2", b(self.r & 4 != 0)),
            ("sign", b(self.sign())),
            ("neg", b(self.signed && self.sign())),
            ("a0", Fr::from(1 << self.r)),
            ("aeff", Fr::from(aeff)),
            ("a_o", Fr::from(256 / aeff)),
            ("t", Fr::from(self.t)),
            ("aux", Fr::from(2 * self.top() - 256 * self.sign() as u64)),
            (
                "wlo",
                if !self.right || self.rotate {
                    if self.is_i64 {
                        Fr::ONE
                    } else {
                        Fr::from(1 << 32).invert().unwrap()
                    }
                } else {
                    Fr::ZERO
                },
            ),
            ("whi", b(self.right || self.rotate)),
        ];
        v.extend(Y.iter().enumerate().map(|(j, &name)| {
            let byte = (self.y() >> (8 * j)) as u64 & 0xff;
            (name, Fr::from(byte))
        }));
        v.extend(
            G.iter()
                .enumerate()
                .map(|(q, &name)| (name, b(q == self.q))),
        );
        // The count rule: `n = s + W t + 256 U`. A remainder that is no multiple of 256 goes,
        // as the field element `rem / 256`, into the first byte of `U`.
        let w = self.width();
        let sh = 8 * self.q as i128 + self.r as i128;
        let s = if self.right { w - 1 - sh } else { sh };
        let rem = self.n as i128 - s - w * self.t as i128;
        if rem >= 0 && rem % 256 == 0 {
            let u = rem / 256;
            v.extend(U.iter().enumerate().map(|(i, &name)| {
                let byte = (u >> (8 * i)) as u64 & 0xff;
                (name, Fr::from(byte))
            }));
        } else {
            v.push(("u0", fr(rem) * Fr::from(256).invert().unwrap()));
            v.extend(U[1..].iter().map(|&name| (name, Fr::ZERO)));
        }
        v
    }
}

/// Every cell of the shift class, by name (`Op::cells`).
fn shift_cells(t: &Tables) -> HashMap<&'static str, Cell> {
    let cfg = etable_config(t);
    let named = [
        "is_i64", "right", "rotate", "signed", "r0", "r1", "r2", "sign", "neg", "a0", "aeff",
        "a_o", "t", "aux", "wlo", "whi",
    ];
    named
        .iter()
        .chain(&Y)
        .chain(&U)
        .chain(&G)
        .map(|&name| (name, cfg.class_cell(Class::BinShift, name).unwrap()))
        .collect()
}

/// Runs `t` with the shift at step `i` (result event `e`) forged: the class cells `cells`
/// (by name, later ones winning) and its written value `written`, in the MTable too.
/// Returns what fails.
fn forge(
    t: &Tables,
    (i, e): (usize, usize),
    cells: &[(&'static str, Fr)],
    written: u64,
) -> BTreeSet<String> {
    let places = shift_cells(t);
    let mut forged = t.clone();
    forge_write(&mut forged, i, e, written);
    let k = k_for(&forged);
    let mut c = VmCircuit::new(k, forged);
    for &(name, v) in cells {
        let cell = places[name];
        c.etable_overrides
            .set(cell.column, i * ROWS + cell.rot as usize, v);
    }
    failures(k, &c, c.instances())
}

/// The cells of `claim`, then `extra` over them.
fn with(claim: &Claim, extra: &[(&'static str, Fr)]) -> Vec<(&'static str, Fr)> {
    let mut v = claim.cells();
    v.extend_from_slice(extra);
    v
}

/// Runs `t` with the shift at `step` claiming `claim`, written value included.
fn forge_claim(t: &Tables, step: (usize, usize), claim: &Claim) -> BTreeSet<String> {
    forge(t, step, &claim.cells(), to_u64(claim.written()))
}

/// The tables of one case and its shift step.
fn one(case: Case) -> (Tables, (usize, usize)) {
    let t = tables(&program(&[case]));
    let step = shifts(&t)[0];
    (t, step)
}

#[test]
fn the_claim_model_reproduces_every_honest_step() {
    // Sanity of this file's model (and of the places of the cells the class does not name):
    // every cell overwritten with the honest claim's value, for every operation and width,
    // on a negative operand and a count past the width, is accepted.
    for (_, op) in OPS {
        for ty in [ValTy::I32, ValTy::I64] {
            let (x, n) = (0x8123_4567_89ab_cdef, bits(ty) + 300 + 13);
            let claim = Claim::honest(op, ty, x, n);
            let want = bin(op, ty, x & ty.mask(), n & ty.mask()).unwrap();
            assert_eq!(to_u64(claim.written()), want, "{op:?} {ty:?}");
            let (t, step) = one((op, ty, x, n));
            assert_eq!(
                forge_claim(&t, step, &claim),
                BTreeSet::new(),
                "{op:?} {ty:?}"
            );
        }
    }
}

#[test]
fn the_count_split_is_not_unique_but_harmless() {
    // `n = s + W t + 256 U` does not pin `t` and `U` (i64.shl by 261: the honest `t = 0,
    // U = 1`, or `t = 4, U = 0`), but every split has `s = n mod W`, since W divides 256: the
    // other split is accepted with the true result, and is no false statement.
    let x = 0x1234_5678_9abc_def1;
    let (t, step) = one((BinOp::Shl, ValTy::I64, x, 261));
    let mut claim = Claim::honest(BinOp::Shl, ValTy::I64, x, 261);
    assert_eq!(claim.t, 0);
    claim.t = 4;
    assert_eq!(to_u64(claim.written()), x << 5);
    assert_eq!(forge_claim(&t, step, &claim), BTreeSet::new());
}

#[test]
fn a_count_off_by_one_needs_an_out_of_range_count_limb() {
    // i64.shl by 5 claimed as a shift by 6 (every cell of the claim consistent): the count
    // rule then holds only with `U = (n - 6) / 256` as a field element in a byte cell, which
    // the byte range rejects, and nothing else.
    let x = 0x1234_5678_9abc_def1;
    let (t, step) = one((BinOp::Shl, ValTy::I64, x, 5));
    let mut claim = Claim::honest(BinOp::Shl, ValTy::I64, x, 5);
    claim.r = 6;
    assert_eq!(to_u64(claim.written()), x << 6);
    assert_eq!(forge_claim(&t, step, &claim), set(&[RANGE]));
}

#[test]
fn the_count_is_taken_mod_the_width_not_as_a_shift_by_the_width() {
    // Counts equal to the width are shifts by 0 in Wasm: each shift by W claimed to shift
    // everything out (0, or the sign fill for shr_s; a rotation by W is the operand either
    // way) fails the class gate, and nothing else. The gate cannot even state such a shift:
    // a left shift's `e = s < W`, a right shift's `e = W - s >= 1`.
    let x = 0x8123_4567_89ab_cdef;
    let mut cases = vec![];
    for ty in [ValTy::I32, ValTy::I64] {
        for op in [BinOp::Shl, BinOp::ShrU, BinOp::ShrS] {
            cases.push((op, ty, x, bits(ty)));
        }
    }
    let t = tables(&program(&cases));
    let steps = shifts(&t);
    let mut forged = t;
    for (&(op, ty, _, _), &(i, e)) in cases.iter().zip(&steps) {
        let out = if op == BinOp::ShrS { ty.mask() } else { 0 };
        forge_write(&mut forged, i, e, out);
    }
    let want: BTreeSet<usize> = steps.iter().map(|&(i, _)| i).collect();
    assert_eq!(failing_steps(forged.clone(), SHIFT), want);
    assert_eq!(run(forged), set(&[SHIFT]));
}

#[test]
fn an_i32_right_shift_cannot_take_a_position_past_the_width() {
    // i32.shr_u(0x1234, 23) is 0. Claimed with `sh = 40` (q = 5): `s = 31 - 40 = -9`, and
    // `23 = -9 + 32 · 1` holds the count rule with `t = 1, U = 0`; the shift by `e = 41`
    // leaves `0x1234 << 9 = 0x246800` in `high`, an in-range i32. Only the width rule
    // (`q < 4` for i32) rejects it.
    let (t, step) = one((BinOp::ShrU, ValTy::I32, 0x1234, 23));
    let mut claim = Claim::honest(BinOp::ShrU, ValTy::I32, 0x1234, 23);
    (claim.q, claim.r, claim.t) = (5, 0, 1);
    assert_eq!(to_u64(claim.written()), 0x24_6800);
    assert_eq!(forge_claim(&t, step, &claim), set(&[SHIFT]));
}

#[test]
fn a_carry_moved_across_the_64_bit_split_is_out_of_range() {
    // i32.shl(0x8000_0001, 1) is 2: `Y = 0x1_0000_0002 · 2^32`, its top byte 1. The same Y
    // with that unit moved down into `Y_7` as 256 moves 2^64 from `high` to `low`: the
    // result becomes 2^32 + 2, which nothing but the byte range stops (access slots and the
    // MTable do not range-check values: the writing class must). The sign is cleared to
    // match the emptied top byte.
    let (t, step) = one((BinOp::Shl, ValTy::I32, 0x8000_0001, 1));
    let claim = Claim::honest(BinOp::Shl, ValTy::I32, 0x8000_0001, 1);
    assert!(claim.sign());
    let extra = [
        ("y7", Fr::from(256)),
        ("y8", Fr::ZERO),
        ("sign", Fr::ZERO),
        ("aux", Fr::ZERO),
    ];
    let failed = forge(&t, step, &with(&claim, &extra), (1 << 32) + 2);
    assert_eq!(failed, set(&[RANGE]));
}

#[test]
fn the_position_must_be_one_hot() {
    // i64.shl(2, 8) is 512. Claimed with the position split as halves, `g0 = g2 = 1/2`
    // (still summing to one, and `sh` still 8): the result is the mean of the shifts by 0
    // and 16, 65537. The byte range rejects it, and only it: bytes summing to one are
    // one-hot, so the positions need no bit rule of their own.
    let (t, step) = one((BinOp::Shl, ValTy::I64, 2, 8));
    let claim = Claim::honest(BinOp::Shl, ValTy::I64, 2, 8);
    let half = Fr::from(2).invert().unwrap();
    let extra = [("g0", half), ("g1", Fr::ZERO), ("g2", half)];
    let failed = forge(&t, step, &with(&claim, &extra), 65537);
    assert_eq!(failed, set(&[RANGE]));
}

#[test]
fn the_bit_power_is_pinned_by_the_count_bits() {
    // i64.shl by 3 claimed as a shift by 4 through `aeff = 16, a_o = 16` alone (`a0 = 8`
    // and the count's bits honest, `Y` and the sign recomputed): only `aeff = a0 (1 +
    // right)` rejects it (the count split is the honest one).
    let x = 0x1234_5678_9abc_def1;
    let (t, step) = one((BinOp::Shl, ValTy::I64, x, 3));
    let mut claim = Claim::honest(BinOp::Shl, ValTy::I64, x, 3);
    claim.r = 4;
    let extra = [
        ("a0", Fr::from(8)),
        ("r0", Fr::ONE),
        ("r1", Fr::ONE),
        ("r2", Fr::ZERO),
        ("u0", Fr::ZERO),
    ];
    let failed = forge(&t, step, &with(&claim, &extra), x << 4);
    assert_eq!(failed, set(&[SHIFT]));
}

#[test]
fn the_sign_cannot_be_moved_by_a_scaled_a_o() {
    // i64.shr_s(0x4000_0000_0000_0000, 1): `aeff = 128, a_o = 2`, `Y_8 = 32`, `Y_8 · a_o =
    // 64`, positive. With `a_o = 4`, `Y_8 · a_o = 128` has its top bit set, and the sign 1
    // passes its byte check (`aux = 0`): the result would be filled with ones,
    // 0xa000_0000_0000_0000. Only `aeff · a_o = 256` rejects it.
    let x = 0x4000_0000_0000_0000;
    let (t, step) = one((BinOp::ShrS, ValTy::I64, x, 1));
    let claim = Claim::honest(BinOp::ShrS, ValTy::I64, x, 1);
    assert!(!claim.sign());
    let extra = [
        ("a_o", Fr::from(4)),
        ("sign", Fr::ONE),
        ("neg", Fr::ONE),
        ("aux", Fr::ZERO),
    ];
    let failed = forge(&t, step, &with(&claim, &extra), 0xa000_0000_0000_0000);
    assert_eq!(failed, set(&[SHIFT]));
}

#[test]
fn a_positive_operand_cannot_claim_the_negative_sign() {
    // i64.shr_s(0x7fff_ffff_ffff_ffff, 4) claimed filled with ones (0xf7ff_ffff_ffff_ffff),
    // sign and its product set: the class gate holds with `aux = 2 · 112 - 256 = -32`, a
    // field element the byte range rejects, and nothing else.
    let x = 0x7fff_ffff_ffff_ffff;
    let (t, step) = one((BinOp::ShrS, ValTy::I64, x, 4));
    let claim = Claim::honest(BinOp::ShrS, ValTy::I64, x, 4);
    assert_eq!(claim.top(), 112);
    let extra = [("sign", Fr::ONE), ("neg", Fr::ONE), ("aux", -Fr::from(32))];
    let failed = forge(&t, step, &with(&claim, &extra), 0xf7ff_ffff_ffff_ffff);
    assert_eq!(failed, set(&[RANGE]));
}

#[test]
fn a_shift_cannot_take_a_rotations_weights() {
    // The result's weights follow the fields: i64.shl(x, 4) with `whi = 1` (the bits that
    // left added back: rotl's result), and i64.shr_u(x, 4) with `wlo = 1` (rotr's), every
    // other cell honest: only the weight rules reject them.
    let x: u64 = 0x8123_4567_89ab_cdef;
    for (op, weight, result) in [
        (BinOp::Shl, "whi", x.rotate_left(4)),
        (BinOp::ShrU, "wlo", x.rotate_right(4)),
    ] {
        let (t, step) = one((op, ValTy::I64, x, 4));
        let claim = Claim::honest(op, ValTy::I64, x, 4);
        let failed = forge(&t, step, &with(&claim, &[(weight, Fr::ONE)]), result);
        assert_eq!(failed, set(&[SHIFT]), "{op:?}");
    }
}

#[test]
fn the_fields_are_pinned_by_sub() {
    // An instruction's fields claimed as another's, every other cell (and the result)
    // consistent with the claimed operation, `sub` the image's: i64.shr_u of a negative
    // operand as shr_s (filled with ones), i64.shl as rotl, i32.rotr as shr_u. Only the rule
    // `sub = Σ 2^i · field_i` rejects each.
    let x = 0x8123_4567_89ab_cdef;
    for (op, ty, claimed) in [
        (BinOp::ShrU, ValTy::I64, BinOp::ShrS),
        (BinOp::Shl, ValTy::I64, BinOp::Rotl),
        (BinOp::Rotr, ValTy::I32, BinOp::ShrU),
    ] {
        let (t, step) = one((op, ty, x, 12));
        let claim = Claim::honest(claimed, ty, x, 12);
        let want = bin(claimed, ty, x & ty.mask(), 12).unwrap();
        assert_ne!(want, bin(op, ty, x & ty.mask(), 12).unwrap());
        assert_eq!(to_u64(claim.written()), want);
        assert_eq!(
            forge_claim(&t, step, &claim),
            set(&[SHIFT]),
            "{op:?} as {claimed:?}"
        );
    }
}

#[test]
fn every_shift_sub_the_image_can_hold_is_an_instruction_with_consistent_fields() {
    // The circuit reads the four fields off `sub` and trusts the image's combinations: the
    // image holds `opcode(instr)` of the module's instructions, and the only BinShift subs
    // any instruction encodes to are the ten shifts', each decoding to itself, with
    // `signed` only on a right shift that does not rotate (the fill's precondition).
    let mut seen = BTreeSet::new();
    for (_, op) in OPS {
        for ty in [ValTy::I32, ValTy::I64] {
            let i = Instr::Bin { op, ty };
            let o = opcode(i);
            assert_eq!((o.class, o.sub), (Class::BinShift, shift_sub(op, ty)));
            assert_eq!(decode(o), Some(i));
            let (right, rotate, signed) = (o.sub & 2 != 0, o.sub & 4 != 0, o.sub & 8 != 0);
            assert_eq!(o.sub & 1 != 0, ty == ValTy::I64);
            assert_eq!(right, matches!(op, BinOp::ShrU | BinOp::ShrS | BinOp::Rotr));
            assert_eq!(rotate, matches!(op, BinOp::Rotl | BinOp::Rotr));
            assert_eq!(signed, op == BinOp::ShrS);
            seen.insert(o.sub);
        }
    }
    assert_eq!(seen, BTreeSet::from([0, 1, 2, 3, 4, 5, 6, 7, 10, 11]));
    for sub in 0..=u8::MAX {
        let o = Opcode {
            class: Class::BinShift,
            sub,
            a: 0,
            b: 0,
            c: 0,
        };
        assert_eq!(decode(o).is_some(), seen.contains(&sub), "sub {sub}");
    }
}
