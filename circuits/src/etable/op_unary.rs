//! Counting zeros: `clz` and `ctz`, i32 and i64 (`popcnt` is a call of a helper function the
//! compiler adds: `zkwasm_tracer::compile::helpers`). Slot 0 reads `x` at `sp - 1`, slot 1 writes the count over it. The operand
//! was range checked when it was written.
//!
//! Both name a power of two `P = 2^e` below `2^W`, `e = 8 q + r` taken apart as the shifts
//! take theirs (`exponent.rs`: `P = 2^r · 256^q`, degree 2, no cell):
//!
//! - `clz`: `P <= x < 2 P`, as `x - P` and `2 P - 1 - x` in byte limbs: `P` is `x`'s top bit,
//!   and the count `W - 1 - e`;
//! - `ctz`: `x = P · (1 + 2 y)` with `y` in byte limbs (the first limbs, through the cell
//!   `M = 2 P`, which keeps the rule at degree 2): `x / P` is an odd integer, so `P` is `x`'s
//!   lowest set bit, and the count `e`.
//!
//! For `x = 0` (`zx`, pinned by an inverse) the count is `W`, and the rules read
//! `x + zx · P` instead of `x` (then `P` itself, which both hold for any `P`).
//!
//! `sub` is `is_i64 + 2 · is_ctz` (`encode`'s unary `sub`: the operation index twice, plus the
//! width), pinning two bit cells.

use super::exponent::Exponent;
use super::{bit_fields, c, set_bit_fields, Ctx, Effects, Op, StepWitness};
use crate::allocator::{compose, Allocator, BlockWriter, Cell, Kind};
use crate::Fr;
use ff::Field;
use halo2_proofs::plonk::{ConstraintSystem, VirtualCells};
use zkwasm_tables::encode::{opcode, Class};
use zkwasm_tracer::isa::{Instr, UnaryOp};

struct Unary {
    /// `is_i64`, `is_ctz`.
    fields: [Cell; 2],
    /// `e`, and `2^r`.
    exp: Exponent,
    zx: Cell,
    /// `x - P` (clz) or `y` (ctz).
    low: [Cell; 8],
    /// `2 P - 1 - x` (clz), zero for ctz.
    high: [Cell; 8],
    /// `1` (clz) or `2 P` (ctz).
    scale: Cell,
    inv: Cell,
}

pub fn configure(
    meta: &mut ConstraintSystem<Fr>,
    a: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    let op = Unary {
        fields: std::array::from_fn(|_| a.bit(meta)),
        exp: Exponent::configure(meta, a),
        zx: a.bit(meta),
        low: std::array::from_fn(|_| a.alloc(meta, Kind::U8)),
        high: std::array::from_fn(|_| a.alloc(meta, Kind::U8)),
        scale: a.unlimited(meta),
        inv: a.unlimited(meta),
    };
    meta.create_gate("op unary", |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let [is_i64, is_ctz] = op.fields.map(|f| f.expr(m));
        let (zx, scale) = (op.zx.expr(m), op.scale.expr(m));
        let x = ctx.slot(0).value(m);
        let written = ctx.slot(1).value(m);
        let width = c(32) + c(32) * is_i64.clone();
        let e = op.exp.value(m);
        let p = op.exp.a.expr(m) * op.exp.bytes_power(m);
        let x_eff = x.clone() + zx.clone() * p.clone();
        let count = e.clone() + (c(1) - is_ctz.clone()) * (width.clone() - c(1) - c(2) * e);
        let (low, high) = (compose(m, &op.low), compose(m, &op.high));
        let mut v = op.exp.constraints(m, is_i64);
        v.extend([
            ctx.common.sub.expr(m) - bit_fields(m, &op.fields),
            x.clone() * zx.clone(),
            x.clone() * op.inv.expr(m) - (c(1) - zx.clone()),
            scale.clone() - (c(1) + is_ctz.clone() * (c(2) * p.clone() - c(1))),
            x_eff.clone() - p.clone() - scale * low,
            // (For `x = 0` it holds for any `P` as it is.)
            (c(1) - is_ctz.clone()) * (c(2) * p - c(1) - x.clone() - high.clone()),
            is_ctz * high,
            written - (zx.clone() * width + (c(1) - zx) * count),
        ]);
        v.into_iter().map(|e| sel.clone() * e).collect::<Vec<_>>()
    });
    Box::new(op)
}

impl Op for Unary {
    fn class(&self) -> Class {
        Class::Unary
    }

    fn effects(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Effects {
        let i32 = c(1) - self.fields[0].expr(m);
        ctx.unary_effects(m, i32.clone(), i32)
    }

    fn assign(&self, w: &mut BlockWriter, s: &StepWitness<'_>) {
        let Instr::Unary { op, .. } = s.row.instr else {
            return;
        };
        set_bit_fields(w, &self.fields, opcode(s.row.instr).sub);
        let x = s.events[0].value;
        let ctz = op == UnaryOp::Ctz;
        // The bit `P` names: the top one (clz) or the lowest (ctz); any for zero.
        let e = match (x, ctz) {
            (0, _) => 0,
            (_, true) => x.trailing_zeros() as u64,
            (_, false) => 63 - x.leading_zeros() as u64,
        };
        let p = 1u64 << e;
        self.exp.assign(w, e);
        w.set_bool(self.zx, x == 0);
        w.set(self.inv, Fr::from(x).invert().unwrap_or(Fr::ZERO));
        let x_eff = if x == 0 { p } else { x };
        let (low, high, scale) = if ctz {
            ((x_eff / p - 1) / 2, 0, Fr::from(p) * Fr::from(2))
        } else {
            (x_eff - p, (2 * p as u128 - 1 - x as u128) as u64, Fr::ONE)
        };
        w.set_bytes(&self.low, low);
        w.set_bytes(&self.high, high);
        w.set(self.scale, scale);
    }

    fn cells(&self) -> Vec<(&'static str, Cell)> {
        let mut v: Vec<_> = ["is_i64", "is_ctz"].into_iter().zip(self.fields).collect();
        v.extend(self.exp.cells());
        v.extend([
            ("zx", self.zx),
            ("low0", self.low[0]),
            ("low1", self.low[1]),
            ("high0", self.high[0]),
            ("scale", self.scale),
            ("inv", self.inv),
        ]);
        v
    }
}
