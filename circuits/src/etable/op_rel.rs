//! Comparisons (`eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u`, i32 and i64): reads `b`
//! (`sp - 1`) and `a` (`sp - 2`), writes the i32 result over `a`. Three facts decide them all:
//!
//! - `a <u b`: `d = a - b + ltu · 2^W` in byte limbs (so in `[0, 2^W)`: `ltu` is the borrow);
//! - `a == b`: `d == 0`, pinned by an inverse (`d · inv = 1 - eq`, `d · eq = 0`);
//! - the sign bits: `e = 2x - s · 2^W` in byte limbs for `x` = `a`, `b` (so `s` is the top bit),
//!   and `a <s b` is `sa · (1 - sb)`, or `a <u b` when the signs agree. `s` is a byte-limb
//!   cell, not a bit cell (the ETable's bit columns are sized by the class with the most
//!   bits): with `x < 2^W`, `e` lies in `[0, 2^W)` only for `s` the top bit of `x`.
//!
//! `sub = 2 · op + is_i64`, the operation index `op` in the encoding's order (`eq ne lt_s lt_u
//! gt_s gt_u le_s le_u ge_s ge_u`), stated by a predicate one-hot over six bits (`eq ne lt gt
//! le ge`) and a `signed` bit (zero for `eq`, `ne`): `op` is the predicate's base index plus
//! `1 - signed` for the ordered ones. Seven bits rather than ten one-hot operations keep the
//! class within the ETable's bit columns.

use super::{c, is_zero, modulus, upper_limbs, Ctx, Effects, Op, StepWitness};
use crate::allocator::{compose, Allocator, BlockWriter, Cell, Kind};
use crate::Fr;
use ff::Field;
use halo2_proofs::plonk::{ConstraintSystem, VirtualCells};
use zkwasm_tables::encode::Class;
use zkwasm_tracer::isa::{Instr, RelOp, ValTy};

/// The predicates, with the encoding's index of their signed form (`eq`, `ne`: their only
/// form; the unsigned form follows the signed one).
const PREDICATES: [u64; 6] = [0, 1, 2, 4, 6, 8];

/// An operation's predicate (index into [`PREDICATES`]) and whether it is signed.
fn predicate(op: RelOp) -> (usize, bool) {
    match op {
        RelOp::Eq => (0, false),
        RelOp::Ne => (1, false),
        RelOp::LtS => (2, true),
        RelOp::LtU => (2, false),
        RelOp::GtS => (3, true),
        RelOp::GtU => (3, false),
        RelOp::LeS => (4, true),
        RelOp::LeU => (4, false),
        RelOp::GeS => (5, true),
        RelOp::GeU => (5, false),
    }
}

struct Rel {
    preds: [Cell; 6],
    signed: Cell,
    is_i64: Cell,
    ltu: Cell,
    lts: Cell,
    eq: Cell,
    inv: Cell,
    sa: Cell,
    sb: Cell,
    d: [Cell; 8],
    ea: [Cell; 8],
    eb: [Cell; 8],
}

fn bytes(meta: &mut ConstraintSystem<Fr>, a: &mut Allocator) -> [Cell; 8] {
    std::array::from_fn(|_| a.alloc(meta, Kind::U8))
}

pub fn configure(
    meta: &mut ConstraintSystem<Fr>,
    a: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    let op = Rel {
        preds: std::array::from_fn(|_| a.bit(meta)),
        signed: a.bit(meta),
        is_i64: a.bit(meta),
        // Pinned by the range of `d` (any other value puts `d` out of `[0, 2^W)`): a
        // common-range cell, the bit columns being full.
        ltu: a.common(meta),
        // Both pinned to bits by their rules: byte-limb cells, so that the class stays within
        // the ETable's bit columns.
        lts: a.alloc(meta, Kind::U8),
        eq: a.alloc(meta, Kind::U8),
        sa: a.alloc(meta, Kind::U8),
        sb: a.alloc(meta, Kind::U8),
        inv: a.unlimited(meta),
        d: bytes(meta, a),
        ea: bytes(meta, a),
        eb: bytes(meta, a),
    };
    let x = ctx.common;
    meta.create_gate("op rel", |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let is_i64 = op.is_i64.expr(m);
        let i32 = c(1) - is_i64.clone();
        let [b, a_, written] = ctx.binary_values(m);
        let modulus = modulus(is_i64.clone());
        let (ltu, lts, eq, sa, sb) = (
            op.ltu.expr(m),
            op.lts.expr(m),
            op.eq.expr(m),
            op.sa.expr(m),
            op.sb.expr(m),
        );
        let (d, ea, eb) = (compose(m, &op.d), compose(m, &op.ea), compose(m, &op.eb));
        let mut v = vec![d.clone() - (a_.clone() - b.clone() + ltu.clone() * modulus.clone())];
        v.extend(is_zero(d, eq.clone(), op.inv.expr(m)));
        v.push(ea - (c(2) * a_ - sa.clone() * modulus.clone()));
        v.push(eb - (c(2) * b - sb.clone() * modulus));
        let same_sign = c(1) - sa.clone() - sb.clone() + c(2) * sa.clone() * sb.clone();
        v.push(lts.clone() - (sa * (c(1) - sb) + same_sign * ltu.clone()));
        v.push(i32 * upper_limbs(m, &[&op.d, &op.ea, &op.eb]));
        // The operation: a one-hot predicate and the signedness, and its index in `sub`.
        let [p_eq, p_ne, p_lt, p_gt, p_le, p_ge] = op.preds.map(|b| b.expr(m));
        let signed = op.signed.expr(m);
        let preds = [&p_eq, &p_ne, &p_lt, &p_gt, &p_le, &p_ge];
        v.push(preds.iter().fold(c(0), |acc, &p| acc + p.clone()) - c(1));
        v.push((p_eq.clone() + p_ne.clone()) * signed.clone());
        let ordered = p_lt.clone() + p_gt.clone() + p_le.clone() + p_ge.clone();
        let base = preds
            .iter()
            .zip(PREDICATES)
            .fold(c(0), |acc, (&p, i)| acc + p.clone() * c(i));
        let index = base + ordered * (c(1) - signed.clone());
        v.push(x.sub.expr(m) - (c(2) * index + is_i64));
        // `a < b` in the operation's sense.
        let lt = signed.clone() * lts + (c(1) - signed) * ltu;
        let r = p_eq * eq.clone()
            + p_ne * (c(1) - eq.clone())
            + p_lt * lt.clone()
            + p_gt * (c(1) - lt.clone() - eq.clone())
            + p_le * (lt.clone() + eq)
            + p_ge * (c(1) - lt);
        v.push(written - r);
        v.into_iter().map(|e| sel.clone() * e).collect::<Vec<_>>()
    });
    Box::new(op)
}

impl Op for Rel {
    fn class(&self) -> Class {
        Class::Rel
    }

    fn effects(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Effects {
        let i32 = c(1) - self.is_i64.expr(m);
        let sp = ctx.common.sp.expr(m);
        Effects {
            accesses: ctx.binary(m, i32, c(1)),
            next: ctx.goes_on(m, sp - c(1)),
        }
    }

    fn cells(&self) -> Vec<(&'static str, Cell)> {
        let names = ["eq", "ne", "lt", "gt", "le", "ge"];
        let mut v: Vec<_> = names.into_iter().zip(self.preds).collect();
        v.extend([("signed", self.signed), ("sa", self.sa), ("sb", self.sb)]);
        v
    }

    fn assign(&self, w: &mut BlockWriter, s: &StepWitness<'_>) {
        let Instr::Rel { op, ty } = s.row.instr else {
            return;
        };
        let (b, a) = (s.events[0].value, s.events[1].value);
        let bits = if ty == ValTy::I64 { 64 } else { 32 };
        let mask = ty.mask();
        let sign = |x: u64| x >> (bits - 1) & 1 == 1;
        let (sa, sb, ltu) = (sign(a), sign(b), a < b);
        let d = a.wrapping_sub(b) & mask;
        let (pred, signed) = predicate(op);
        for (i, cell) in self.preds.iter().enumerate() {
            w.set_bool(*cell, i == pred);
        }
        w.set_bool(self.signed, signed);
        w.set_bool(self.is_i64, ty == ValTy::I64);
        w.set_bool(self.ltu, ltu);
        w.set_bool(self.lts, if sa == sb { ltu } else { sa });
        w.set_bool(self.eq, a == b);
        w.set_bool(self.sa, sa);
        w.set_bool(self.sb, sb);
        w.set(self.inv, Fr::from(d).invert().unwrap_or(Fr::ZERO));
        w.set_bytes(&self.d, d);
        w.set_bytes(&self.ea, (a << 1) & mask);
        w.set_bytes(&self.eb, (b << 1) & mask);
    }
}
