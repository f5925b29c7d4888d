//! Arithmetic binary operations: `add`, `sub` and `mul`, i32 and i64, wrapping. Reads the
//! right operand (`sp - 1`) and the left (`sp - 2`), writes the result `r` over the left:
//!
//! - add: `lhs + rhs = r + carry · 2^W`;
//! - sub: `lhs - rhs = r - borrow · 2^W`;
//! - mul: `lhs · rhs = r + hi · 2^W` (exact in the field: the product is below 2^128).
//!
//! `r` and `hi` are byte limbs (the upper four zero for i32), so every written value is in
//! range; operands were range checked when they were written (or are the image's).
//! `sub = 2 · op + is_i64` pins the operation: division and remainder cannot be proved by this
//! class.

use super::{c, modulus, upper_limbs, Ctx, Effects, Op, StepWitness};
use crate::allocator::{compose, Allocator, BlockWriter, Cell, Kind};
use crate::Fr;
use halo2_proofs::plonk::{ConstraintSystem, VirtualCells};
use zkwasm_tables::encode::Class;
use zkwasm_tracer::isa::{BinOp, Instr, ValTy};

struct Bin {
    is_sub: Cell,
    is_mul: Cell,
    is_i64: Cell,
    carry: Cell,
    result: [Cell; 8],
    hi: [Cell; 8],
}

pub fn configure(
    meta: &mut ConstraintSystem<Fr>,
    a: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    let op = Bin {
        is_sub: a.bit(meta),
        is_mul: a.bit(meta),
        is_i64: a.bit(meta),
        carry: a.bit(meta),
        result: std::array::from_fn(|_| a.alloc(meta, Kind::U8)),
        hi: std::array::from_fn(|_| a.alloc(meta, Kind::U8)),
    };
    let x = ctx.common;
    meta.create_gate("op bin arith", |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let (is_sub, is_mul, is_i64, carry) = (
            op.is_sub.expr(m),
            op.is_mul.expr(m),
            op.is_i64.expr(m),
            op.carry.expr(m),
        );
        let is_add = c(1) - is_sub.clone() - is_mul.clone();
        let i32 = c(1) - is_i64.clone();
        let (r, hi) = (compose(m, &op.result), compose(m, &op.hi));
        let [rhs, lhs, written] = ctx.binary_values(m);
        let mut v = vec![written - r.clone()];
        v.push(x.sub.expr(m) - (c(2) * (is_sub.clone() + c(2) * is_mul.clone()) + is_i64.clone()));
        v.push(is_sub.clone() * is_mul.clone());
        let modulus = modulus(is_i64);
        let add = lhs.clone() + rhs.clone() - r.clone() - carry.clone() * modulus.clone();
        let sub = lhs.clone() - rhs.clone() - r.clone() + carry.clone() * modulus.clone();
        let mul = lhs * rhs - r - hi.clone() * modulus;
        v.push(is_add * add + is_sub * sub + is_mul.clone() * mul);
        v.push(is_mul.clone() * carry);
        v.push((c(1) - is_mul) * hi);
        v.push(i32 * upper_limbs(m, &[&op.result, &op.hi]));
        v.into_iter().map(|e| sel.clone() * e).collect::<Vec<_>>()
    });
    Box::new(op)
}

impl Op for Bin {
    fn class(&self) -> Class {
        Class::BinArith
    }

    fn effects(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Effects {
        let i32 = c(1) - self.is_i64.expr(m);
        let sp = ctx.common.sp.expr(m);
        Effects {
            accesses: ctx.binary(m, i32.clone(), i32),
            next: ctx.goes_on(m, sp - c(1)),
        }
    }

    fn assign(&self, w: &mut BlockWriter, s: &StepWitness<'_>) {
        let Instr::Bin { op, ty } = s.row.instr else {
            return;
        };
        let (rhs, lhs, r) = (s.events[0].value, s.events[1].value, s.events[2].value);
        let bits = if ty == ValTy::I64 { 64 } else { 32 };
        let (carry, hi) = match op {
            BinOp::Sub => (lhs < rhs, 0),
            BinOp::Mul => (false, ((lhs as u128 * rhs as u128) >> bits) as u64),
            _ => ((lhs as u128 + rhs as u128) >> bits != 0, 0),
        };
        w.set_bool(self.is_sub, op == BinOp::Sub);
        w.set_bool(self.is_mul, op == BinOp::Mul);
        w.set_bool(self.is_i64, ty == ValTy::I64);
        w.set_bool(self.carry, carry);
        w.set_bytes(&self.result, r);
        w.set_bytes(&self.hi, hi);
    }
}
