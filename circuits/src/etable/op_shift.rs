//! Shifts and rotations: `shl`, `shr_u`, `shr_s`, `rotl`, `rotr`, i32 and i64. Reads the count
//! `n` (`sp - 1`) and the operand `x` (`sp - 2`), writes the result over `x`. Both operands
//! were range checked when they were written (an i32 slot holds less than 2^32), so neither
//! needs limbs here.
//!
//! **Everything is one left shift of a 64-bit number.** The operand is left-justified,
//! `x' = x · J` (`J = 2^32` for i32, 1 for i64), and shifted left by `e`: the count `s = n mod W`
//! itself for a left shift, `W - s` for a right one (`x >> s` is what a shift by `W - s` carries
//! out). Then, with `x' · 2^e = low + high · 2^64` (`low`, `high` below 2^64):
//!
//! | op | result |
//! |---|---|
//! | `shl` | `low / J` |
//! | `rotl`, `rotr` | `low / J + high` |
//! | `shr_u` | `high` |
//! | `shr_s` | `high + sign · (2^W - 2^(W - s))` |
//!
//! (for i32, `low` is the 32-bit result times 2^32, and `high` what left the 32 bits.)
//!
//! **The shift in cells.** `e = 8 q + r + right`, with `q` one-hot over 8 positions (`g`: byte
//! cells that sum to 1, so one is 1 and the others 0, with no rule of their own) and `r` three
//! bits; the count's low part `sh = 8 q + r` is
//! `s` (left) or `W - 1 - s` (right), both in `0 .. W` (for i32 `q < 4`), and
//! `n = s + W · t + 256 · U` with `t` a byte and `U` seven (no wrap-around: `s = n mod W`). The
//! operand shifted by the bits, `Y = x' · 2^(r + right)` (below 2^72: nine byte limbs), is then
//! moved by whole bytes: `x' · 2^e = Y · 256^q`, so `low` is the sum of the products
//! `g_q · Y_j · 256^(j + q)` below byte 8 and `high` the rest, `(Y · 256^q - low) / 2^64`,
//! degree 2, with no limbs of their own. `2^(r + right)` is `aeff`, pinned
//! through `a0 = 2^r = (1 + r_0)(1 + 3 r_1)(1 + 15 r_2)`; `a_o = 256 / aeff`.
//!
//! **The sign** (`shr_s`): `x'`'s top bit is bit 63, so `Y`'s top byte `Y_8` holds `x'`'s top
//! `r + right` bits, and `Y_8 · a_o` (below 256) has the sign as its top bit
//! (`2 · Y_8 · a_o - 256 · sign` a byte). The fill `2^W - 2^(W - s)` is `2^W - aeff · 256^q`.
//!
//! `sub` is `is_i64 + 2 · right + 4 · rotate + 8 · signed` (`encode::shift_sub`): the four bit
//! cells are pinned by `sub` alone, and the weights of `low` and `high` are cells pinned by
//! them (keeping the result's rule at degree 3).

use super::exponent::Exponent;
use super::{bit_fields, c, modulus, set_bit_fields, Ctx, Effects, Op, StepWitness};
use crate::allocator::{compose, Allocator, BlockWriter, Cell, Kind};
use crate::Fr;
use ff::Field;
use halo2_proofs::plonk::{ConstraintSystem, Expression, VirtualCells};
use zkwasm_tables::encode::{shift_sub, Class};
use zkwasm_tracer::isa::{BinOp, Instr, ValTy};

struct Shift {
    /// `is_i64`, `right`, `rotate`, `signed`.
    fields: [Cell; 4],
    /// `sh = 8 q + r` and `2^r`.
    exp: Exponent,
    sign: Cell,
    /// `signed · sign`.
    neg: Cell,
    /// `2^(r + right)`.
    aeff: Cell,
    /// `256 / aeff`.
    a_o: Cell,
    /// `x' · aeff` in bytes.
    y: [Cell; 9],
    t: Cell,
    u: [Cell; 7],
    /// `2 · Y_8 · a_o - 256 · sign`.
    aux: Cell,
    /// The weights of `low` and `high` in the result.
    wlo: Cell,
    whi: Cell,
}

/// `1 / J`: 1 for i64, `2^-32` for i32.
fn j_inverse(is_i64: Expression<Fr>) -> Expression<Fr> {
    let inv = Fr::from(1 << 32).invert().unwrap();
    Expression::Constant(inv) + is_i64 * Expression::Constant(Fr::ONE - inv)
}

pub fn configure(
    meta: &mut ConstraintSystem<Fr>,
    a: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    let op = Shift {
        fields: std::array::from_fn(|_| a.bit(meta)),
        exp: Exponent::configure(meta, a),
        sign: a.bit(meta),
        // Pinned by `neg = signed · sign`: no bit column needed.
        neg: a.unlimited(meta),
        aeff: a.common(meta),
        a_o: a.common(meta),
        y: std::array::from_fn(|_| a.alloc(meta, Kind::U8)),
        t: a.alloc(meta, Kind::U8),
        u: std::array::from_fn(|_| a.alloc(meta, Kind::U8)),
        aux: a.alloc(meta, Kind::U8),
        wlo: a.unlimited(meta),
        whi: a.alloc(meta, Kind::U8),
    };
    meta.create_gate("op shift", |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let [is_i64, right, rotate, signed] = op.fields.map(|f| f.expr(m));
        let g = op.exp.positions(m);
        let y: [_; 9] = std::array::from_fn(|j| op.y[j].expr(m));
        let (a0, aeff, a_o) = (op.exp.a.expr(m), op.aeff.expr(m), op.a_o.expr(m));
        let (sign, neg) = (op.sign.expr(m), op.neg.expr(m));
        let [n, x, written] = ctx.binary_values(m);
        let width = c(32) + c(32) * is_i64.clone();
        let sub = bit_fields(m, &op.fields);
        // `sh = 8 q + r`: `s` for a left shift, `W - 1 - s` for a right one.
        let sh = op.exp.value(m);
        let s = sh.clone() + right.clone() * (width.clone() - c(1) - c(2) * sh);
        let j = c(1 << 32) - is_i64.clone() * c((1 << 32) - 1);
        // `x' · 2^e = Y · 256^q`: its low 64 bits are the products `g_q · Y_j` that land
        // below byte 8 (36 of them), and `high` the rest, `(Y · 256^q - low) / 2^64`, which
        // costs one product more, not the other 36.
        let mut low = c(0);
        for (q, gq) in g.iter().enumerate() {
            for (jj, yj) in y.iter().enumerate().take(8 - q) {
                low = low + gq.clone() * yj.clone() * c(1 << (8 * (jj + q)));
            }
        }
        let power_q = op.exp.bytes_power(m);
        let two_64 = Fr::from(u64::MAX) + Fr::ONE;
        let high = (compose(m, &op.y) * power_q.clone() - low.clone())
            * Expression::Constant(two_64.invert().unwrap());
        let fill = neg.clone() * (modulus(is_i64.clone()) - aeff.clone() * power_q);
        let mut v = op.exp.constraints(m, is_i64.clone());
        v.extend([
            ctx.common.sub.expr(m) - sub,
            aeff.clone() - a0 * (c(1) + right.clone()),
            aeff.clone() * a_o.clone() - c(256),
            n - s - width * op.t.expr(m) - c(256) * compose(m, &op.u),
            compose(m, &op.y) - x * aeff * j,
            op.aux.expr(m) - (c(2) * y[8].clone() * a_o - c(256) * sign.clone()),
            neg - signed * sign,
            op.wlo.expr(m)
                - (c(1) - right.clone() + right.clone() * rotate.clone()) * j_inverse(is_i64),
            op.whi.expr(m) - (right.clone() + rotate.clone() - right * rotate),
            written - op.wlo.expr(m) * low - op.whi.expr(m) * high - fill,
        ]);
        v.into_iter().map(|e| sel.clone() * e).collect::<Vec<_>>()
    });
    Box::new(op)
}

impl Op for Shift {
    fn class(&self) -> Class {
        Class::BinShift
    }

    fn effects(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Effects {
        let is_i64 = self.fields[0].expr(m);
        ctx.binary_effects(m, is_i64)
    }

    fn assign(&self, w: &mut BlockWriter, s: &StepWitness<'_>) {
        let Instr::Bin { op, ty } = s.row.instr else {
            return;
        };
        let sub = shift_sub(op, ty);
        set_bit_fields(w, &self.fields, sub);
        let is_i64 = ty == ValTy::I64;
        let right = sub >> 1 & 1 == 1;
        let rotate = sub >> 2 & 1 == 1;
        let (n, x) = (s.events[0].value, s.events[1].value);
        let width: u64 = if is_i64 { 64 } else { 32 };
        let count = n % width;
        let sh = if right { width - 1 - count } else { count };
        self.exp.assign(w, sh);
        let aeff = 1u64 << ((sh & 7) + right as u64);
        w.set_u64(self.aeff, aeff);
        w.set_u64(self.a_o, 256 / aeff);
        let justified = if is_i64 { x as u128 } else { (x as u128) << 32 };
        let y = justified * aeff as u128;
        for (j, cell) in self.y.iter().enumerate() {
            w.set_u64(*cell, (y >> (8 * j)) as u64 & 0xff);
        }
        w.set_u64(self.t, (n & 0xff) / width);
        w.set_bytes(&self.u, n >> 8);
        let top = (y >> 64) as u64 * (256 / aeff);
        let sign = top >= 128;
        w.set_bool(self.sign, sign);
        w.set_bool(self.neg, sign && op == BinOp::ShrS);
        w.set_u64(self.aux, (2 * top) & 0xff);
        let wlo = if !right || rotate {
            if is_i64 {
                Fr::ONE
            } else {
                Fr::from(1 << 32).invert().unwrap()
            }
        } else {
            Fr::ZERO
        };
        w.set(self.wlo, wlo);
        w.set_bool(self.whi, right || rotate);
    }

    fn cells(&self) -> Vec<(&'static str, Cell)> {
        const Y: [&str; 9] = ["y0", "y1", "y2", "y3", "y4", "y5", "y6", "y7", "y8"];
        const U: [&str; 7] = ["u0", "u1", "u2", "u3", "u4", "u5", "u6"];
        let names = ["is_i64", "right", "rotate", "signed"];
        let mut v: Vec<_> = names.into_iter().zip(self.fields).collect();
        v.extend(self.exp.cells());
        v.extend([
            ("sign", self.sign),
            ("neg", self.neg),
            ("aeff", self.aeff),
            ("a_o", self.a_o),
            ("t", self.t),
            ("aux", self.aux),
            ("wlo", self.wlo),
            ("whi", self.whi),
        ]);
        v.extend(Y.into_iter().zip(self.y));
        v.extend(U.into_iter().zip(self.u));
        v
    }
}
