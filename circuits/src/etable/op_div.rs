//! Division and remainder: `div_u`, `div_s`, `rem_u`, `rem_s`, i32 and i64. Reads the divisor
//! (`sp - 1`) and the dividend (`sp - 2`), writes the quotient or the remainder over the
//! dividend. Both operands were range checked when they were written.
//!
//! Everything is an unsigned division of magnitudes: with `sl`, `sr` the operands' signs
//! (zero when unsigned), `|x| = x + s · (2^W - 2 x)`, and
//!
//! - `|lhs| = Q · |rhs| + R` with `Q`, `R` in byte limbs and `D = |rhs| - R - 1` in byte limbs
//!   too, so `R < |rhs|`: the equation holds over the integers (every term is below 2^129), so
//!   `Q` and `R` are the quotient and remainder of the magnitudes, and a zero divisor (a trap)
//!   leaves no `D` in range;
//! - the result is `V = Q` or `R` (`rem`) with the sign `s_out` (`sl xor sr` for a quotient,
//!   `sl` for a remainder, which takes the dividend's): `V + s_out · (2^W - 2 V)`, less
//!   `2^W` when `V = 0` (`zv`, pinned by an inverse), so in `[0, 2^W)`;
//! - a signed quotient with `s_out = 0` has its top bit clear (`qt`, from `Q`'s top byte:
//!   `2 · T - 256 · qt` a byte): `INT_MIN / -1`, whose quotient 2^(W-1) is no signed value (a
//!   trap), is never provable.
//!
//! The signs come from the bit table: a signed step looks up `(lhs, 2^(W-1), sl · 2^(W-1))`
//! and `(rhs, 2^(W-1), sr · 2^(W-1))` there (the sign lookups, `bittable.rs`), as the operands
//! have no limbs here to take a top bit from.
//!
//! `sub` is `is_i64 + 2 · signed + 4 · rem` (`encode::arith_sub`), pinning three bit cells.

use super::{bit_fields, c, modulus, set_bit_fields, Ctx, Effects, Op, SignLookups, StepWitness};
use crate::allocator::{compose, Allocator, BlockWriter, Cell, Kind};
use crate::Fr;
use ff::Field;
use halo2_proofs::plonk::{ConstraintSystem, Expression, VirtualCells};
use zkwasm_tables::encode::{arith_sub, Class};
use zkwasm_tracer::isa::{BinOp, Instr, ValTy};

struct Div {
    /// `is_i64`, `signed`, `rem`.
    fields: [Cell; 3],
    sl: Cell,
    sr: Cell,
    s_out: Cell,
    zv: Cell,
    qt: Cell,
    q: [Cell; 8],
    r: [Cell; 8],
    d: [Cell; 8],
    /// `2 · T - 256 · qt`, `T` the quotient's top byte.
    qaux: Cell,
    inv: Cell,
}

impl Div {
    /// `2^(W-1)` (degree 1).
    fn top(&self, m: &mut VirtualCells<'_, Fr>) -> Expression<Fr> {
        c(1 << 31) + self.fields[0].expr(m) * c((1 << 63) - (1 << 31))
    }

    /// `V`: the quotient, or the remainder (degree 2).
    fn value(&self, m: &mut VirtualCells<'_, Fr>) -> Expression<Fr> {
        let (q, r) = (compose(m, &self.q), compose(m, &self.r));
        q.clone() + self.fields[2].expr(m) * (r - q)
    }
}

/// `|x|` for the sign `s` of `x < 2^W` (degree 2).
fn magnitude(x: Expression<Fr>, s: Expression<Fr>, modulus: Expression<Fr>) -> Expression<Fr> {
    x.clone() + s * (modulus - c(2) * x)
}

pub fn configure(
    meta: &mut ConstraintSystem<Fr>,
    a: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    let op = Div {
        fields: std::array::from_fn(|_| a.bit(meta)),
        sl: a.bit(meta),
        sr: a.bit(meta),
        s_out: a.bit(meta),
        zv: a.bit(meta),
        qt: a.bit(meta),
        q: std::array::from_fn(|_| a.alloc(meta, Kind::U8)),
        r: std::array::from_fn(|_| a.alloc(meta, Kind::U8)),
        d: std::array::from_fn(|_| a.alloc(meta, Kind::U8)),
        qaux: a.alloc(meta, Kind::U8),
        inv: a.unlimited(meta),
    };
    meta.create_gate("op div", |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let [is_i64, signed, rem] = op.fields.map(|f| f.expr(m));
        let [sl, sr, s_out, zv, qt] = [op.sl, op.sr, op.s_out, op.zv, op.qt].map(|x| x.expr(m));
        let [rhs, lhs, written] = ctx.binary_values(m);
        let modulus = modulus(is_i64.clone());
        let (q, r) = (compose(m, &op.q), compose(m, &op.r));
        let al = magnitude(lhs, sl.clone(), modulus.clone());
        let ar = magnitude(rhs, sr.clone(), modulus.clone());
        let v = op.value(m);
        let sub = bit_fields(m, &op.fields);
        let quotient_sign = sl.clone() + sr.clone() - c(2) * sl.clone() * sr.clone();
        let top = is_i64.clone() * op.q[7].expr(m) + (c(1) - is_i64) * op.q[3].expr(m);
        let constraints = vec![
            ctx.common.sub.expr(m) - sub,
            (c(1) - signed.clone()) * sl.clone(),
            (c(1) - signed.clone()) * sr,
            al - q * ar.clone() - r.clone(),
            ar - r - c(1) - compose(m, &op.d),
            s_out.clone() - (rem.clone() * sl.clone() + (c(1) - rem) * quotient_sign),
            v.clone() * zv.clone(),
            v.clone() * op.inv.expr(m) - (c(1) - zv.clone()),
            written
                - (v.clone() + s_out.clone() * (modulus.clone() - c(2) * v)
                    - s_out.clone() * zv * modulus),
            op.qaux.expr(m) - (c(2) * top - c(256) * qt.clone()),
            qt * (c(1) - s_out) * signed,
        ];
        constraints
            .into_iter()
            .map(|e| sel.clone() * e)
            .collect::<Vec<_>>()
    });
    Box::new(op)
}

impl Op for Div {
    fn class(&self) -> Class {
        Class::BinDiv
    }

    fn effects(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Effects {
        let is_i64 = self.fields[0].expr(m);
        ctx.binary_effects(m, is_i64)
    }

    fn sign_lookups(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Option<SignLookups> {
        let [rhs, lhs, _] = ctx.binary_values(m);
        let top = self.top(m);
        let signed = self.fields[1].expr(m);
        let (sl, sr) = (self.sl.expr(m), self.sr.expr(m));
        let tuple = |x: Expression<Fr>, s: Expression<Fr>| vec![x, top.clone(), s * top.clone()];
        Some((signed, [tuple(lhs, sl), tuple(rhs, sr)]))
    }

    fn assign(&self, w: &mut BlockWriter, s: &StepWitness<'_>) {
        let Instr::Bin { op, ty } = s.row.instr else {
            return;
        };
        let sub = arith_sub(op, ty);
        set_bit_fields(w, &self.fields, sub);
        let (rhs, lhs) = (s.events[0].value, s.events[1].value);
        let signed = matches!(op, BinOp::DivS | BinOp::RemS);
        let rem = matches!(op, BinOp::RemU | BinOp::RemS);
        let bits = if ty == ValTy::I64 { 64 } else { 32 };
        let sign = |x: u64| signed && x >> (bits - 1) & 1 == 1;
        let magnitude = |x: u64| {
            if sign(x) {
                x.wrapping_neg() & ty.mask()
            } else {
                x
            }
        };
        let (sl, sr) = (sign(lhs), sign(rhs));
        let (al, ar) = (magnitude(lhs), magnitude(rhs));
        // A zero divisor traps before any step is written; a forged one gets zeros here and
        // fails the gate.
        let (q, r) = (
            al.checked_div(ar).unwrap_or(0),
            al.checked_rem(ar).unwrap_or(0),
        );
        let v = if rem { r } else { q };
        let s_out = if rem { sl } else { sl != sr };
        w.set_bool(self.sl, sl);
        w.set_bool(self.sr, sr);
        w.set_bool(self.s_out, s_out);
        w.set_bool(self.zv, v == 0);
        w.set(self.inv, Fr::from(v).invert().unwrap_or(Fr::ZERO));
        w.set_bytes(&self.q, q);
        w.set_bytes(&self.r, r);
        w.set_bytes(&self.d, ar.wrapping_sub(r).wrapping_sub(1));
        let top = (q >> (bits - 8)) as u8;
        w.set_bool(self.qt, top >= 128);
        w.set_u64(self.qaux, (2 * top as u64) & 0xff);
    }

    fn cells(&self) -> Vec<(&'static str, Cell)> {
        const Q: [&str; 8] = ["q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7"];
        const R: [&str; 8] = ["r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7"];
        const D: [&str; 8] = ["d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7"];
        let names = ["is_i64", "signed", "rem"];
        let mut v: Vec<_> = names.into_iter().zip(self.fields).collect();
        v.extend([
            ("sl", self.sl),
            ("sr", self.sr),
            ("s_out", self.s_out),
            ("zv", self.zv),
            ("qt", self.qt),
            ("qaux", self.qaux),
            ("inv", self.inv),
        ]);
        v.extend(Q.into_iter().zip(self.q));
        v.extend(R.into_iter().zip(self.r));
        v.extend(D.into_iter().zip(self.d));
        v
    }
}
