//! Arithmetic and bitwise binary operations: `add`, `sub`, `mul`, `and`, `or` and `xor`, i32
//! and i64, wrapping. Reads the right operand (`sp - 1`) and the left (`sp - 2`), writes the
//! result `r` over the left:
//!
//! - add: `lhs + rhs = r + carry · 2^W`;
//! - sub: `lhs - rhs = r - borrow · 2^W`;
//! - mul: `lhs · rhs = r + hi · 2^W` (exact in the field: the product is below 2^128);
//! - and, or, xor: `hi` is `lhs & rhs`, which the step looks up in the bit table
//!   (`bittable.rs`, the bit lookup) with the operands, and `r` is `hi`, `lhs + rhs - hi` or
//!   `lhs + rhs - 2 · hi`.
//!
//! `r` and `hi` are byte limbs (the upper four zero for i32), so every written value is in
//! range; operands were range checked when they were written (or are the image's).
//! `sub` is the operation's fields as bits (`encode::arith_sub`: `is_i64 + 2 · [sub] +
//! 4 · [mul] + 8 · [and] + 16 · [or] + 32 · [xor]`), so the six bit cells are pinned by the
//! image alone; division and remainder (64 and up) cannot be proved by this class.

use super::{bit_fields, c, modulus, set_bit_fields, upper_limbs, Ctx, Effects, Op, StepWitness};
use crate::allocator::{compose, Allocator, BlockWriter, Cell, Kind};
use crate::Fr;
use halo2_proofs::plonk::{ConstraintSystem, Expression, VirtualCells};
use zkwasm_tables::encode::{arith_sub, Class};
use zkwasm_tracer::isa::{BinOp, Instr, ValTy};

struct Bin {
    /// `is_i64`, `[sub]`, `[mul]`, `[and]`, `[or]`, `[xor]`.
    fields: [Cell; 6],
    carry: Cell,
    result: [Cell; 8],
    hi: [Cell; 8],
}

impl Bin {
    /// `[and] + [or] + [xor]` (degree 1).
    fn bitwise(&self, m: &mut VirtualCells<'_, Fr>) -> Expression<Fr> {
        self.fields[3].expr(m) + self.fields[4].expr(m) + self.fields[5].expr(m)
    }
}

pub fn configure(
    meta: &mut ConstraintSystem<Fr>,
    a: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    let op = Bin {
        fields: std::array::from_fn(|_| a.bit(meta)),
        carry: a.bit(meta),
        result: std::array::from_fn(|_| a.alloc(meta, Kind::U8)),
        hi: std::array::from_fn(|_| a.alloc(meta, Kind::U8)),
    };
    let x = ctx.common;
    meta.create_gate("op bin arith", |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let [is_i64, is_sub, is_mul, is_and, is_or, is_xor] = op.fields.map(|f| f.expr(m));
        let carry = op.carry.expr(m);
        let bitwise = op.bitwise(m);
        let is_add = c(1) - is_sub.clone() - is_mul.clone() - bitwise.clone();
        let i32 = c(1) - is_i64.clone();
        let (r, hi) = (compose(m, &op.result), compose(m, &op.hi));
        let [rhs, lhs, written] = ctx.binary_values(m);
        let sub = bit_fields(m, &op.fields);
        let modulus = modulus(is_i64);
        let add = lhs.clone() + rhs.clone() - r.clone() - carry.clone() * modulus.clone();
        let diff = lhs.clone() - rhs.clone() - r.clone() + carry.clone() * modulus.clone();
        let mul = lhs.clone() * rhs.clone() - r.clone() - hi.clone() * modulus;
        // `lhs + rhs = (lhs ^ rhs) + 2 (lhs & rhs) = (lhs | rhs) + (lhs & rhs)`.
        let sum = lhs + rhs;
        let and = r.clone() - hi.clone();
        let or = r.clone() - sum.clone() + hi.clone();
        let xor = r.clone() - sum + c(2) * hi.clone();
        let v = vec![
            written - r,
            x.sub.expr(m) - sub,
            is_add * add
                + is_sub * diff
                + is_mul.clone() * mul
                + is_and * and
                + is_or * or
                + is_xor * xor,
            (is_mul.clone() + bitwise.clone()) * carry,
            (c(1) - is_mul - bitwise) * hi,
            i32 * upper_limbs(m, &[&op.result, &op.hi]),
        ];
        v.into_iter().map(|e| sel.clone() * e).collect::<Vec<_>>()
    });
    Box::new(op)
}

impl Op for Bin {
    fn class(&self) -> Class {
        Class::BinArith
    }

    fn effects(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Effects {
        let is_i64 = self.fields[0].expr(m);
        ctx.binary_effects(m, is_i64)
    }

    fn bit_lookup(
        &self,
        m: &mut VirtualCells<'_, Fr>,
        ctx: &Ctx,
    ) -> Option<(Expression<Fr>, Vec<Expression<Fr>>)> {
        let [rhs, lhs, _] = ctx.binary_values(m);
        Some((self.bitwise(m), vec![lhs, rhs, compose(m, &self.hi)]))
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
            BinOp::And | BinOp::Or | BinOp::Xor => (false, lhs & rhs),
            _ => ((lhs as u128 + rhs as u128) >> bits != 0, 0),
        };
        let sub = arith_sub(op, ty);
        set_bit_fields(w, &self.fields, sub);
        w.set_bool(self.carry, carry);
        w.set_bytes(&self.result, r);
        w.set_bytes(&self.hi, hi);
    }

    fn cells(&self) -> Vec<(&'static str, Cell)> {
        let names = ["is_i64", "is_sub", "is_mul", "is_and", "is_or", "is_xor"];
        let mut v: Vec<_> = names.into_iter().zip(self.fields).collect();
        v.extend([
            ("carry", self.carry),
            ("hi0", self.hi[0]),
            ("r0", self.result[0]),
        ]);
        v
    }
}
