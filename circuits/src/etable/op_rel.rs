//! Comparisons (`eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u`, i32 and i64): reads `b`
//! (`sp - 1`) and `a` (`sp - 2`), writes the i32 result over `a`. Three facts decide them all:
//!
//! - `a <u b`: `d = a - b + ltu · 2^W` in byte limbs (so in `[0, 2^W)`: `ltu` is the borrow);
//! - `a == b`: `d == 0`, pinned by an inverse (`d · inv = 1 - eq`, `d · eq = 0`);
//! - the sign bits: `e = 2x - s · 2^W` in byte limbs for `x` = `a`, `b` (so `s` is the top bit),
//!   and `a <s b` is `sa · (1 - sb)`, or `a <u b` when the signs agree.
//!
//! `sub = 2 · op + is_i64` with the operation one-hot over ten bits.

use super::{c, is_zero, modulus, upper_limbs, Ctx, Effects, Op, StepWitness};
use crate::allocator::{compose, Allocator, BlockWriter, Cell, Kind};
use crate::Fr;
use ff::Field;
use halo2_proofs::plonk::{ConstraintSystem, Expression, VirtualCells};
use zkwasm_tables::encode::Class;
use zkwasm_tracer::isa::{Instr, RelOp, ValTy};

/// In the order of the encoding's operation index.
const OPS: [RelOp; 10] = [
    RelOp::Eq,
    RelOp::Ne,
    RelOp::LtS,
    RelOp::LtU,
    RelOp::GtS,
    RelOp::GtU,
    RelOp::LeS,
    RelOp::LeU,
    RelOp::GeS,
    RelOp::GeU,
];

struct Rel {
    ops: [Cell; 10],
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
        ops: std::array::from_fn(|_| a.bit(meta)),
        is_i64: a.bit(meta),
        ltu: a.bit(meta),
        lts: a.bit(meta),
        eq: a.bit(meta),
        sa: a.bit(meta),
        sb: a.bit(meta),
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
        // The operation: one-hot, and its index in `sub`.
        let bits: Vec<Expression<Fr>> = op.ops.iter().map(|b| b.expr(m)).collect();
        v.push(bits.iter().fold(c(0), |acc, b| acc + b.clone()) - c(1));
        let index = bits
            .iter()
            .enumerate()
            .fold(c(0), |acc, (k, b)| acc + b.clone() * c(k as u64));
        v.push(x.sub.expr(m) - (c(2) * index + is_i64));
        let result = |o: RelOp| -> Expression<Fr> {
            match o {
                RelOp::Eq => eq.clone(),
                RelOp::Ne => c(1) - eq.clone(),
                RelOp::LtS => lts.clone(),
                RelOp::LtU => ltu.clone(),
                RelOp::GtS => c(1) - lts.clone() - eq.clone(),
                RelOp::GtU => c(1) - ltu.clone() - eq.clone(),
                RelOp::LeS => lts.clone() + eq.clone(),
                RelOp::LeU => ltu.clone() + eq.clone(),
                RelOp::GeS => c(1) - lts.clone(),
                RelOp::GeU => c(1) - ltu.clone(),
            }
        };
        let r = OPS
            .iter()
            .zip(&bits)
            .fold(c(0), |acc, (o, b)| acc + b.clone() * result(*o));
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
        for (cell, o) in self.ops.iter().zip(OPS) {
            w.set_bool(*cell, o == op);
        }
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
