//! `eqz`: replaces the top value (`sub` is 1 for i64) by the i32 `x == 0`, pinned by an
//! inverse: `x · inv = 1 - zero`, `x · zero = 0`.

use super::{c, is_zero, Ctx, Effects, Op, StepWitness};
use crate::allocator::{Allocator, BlockWriter, Cell};
use crate::Fr;
use ff::Field;
use halo2_proofs::plonk::{ConstraintSystem, VirtualCells};
use zkwasm_tables::encode::Class;

struct Eqz {
    zero: Cell,
    inv: Cell,
}

pub fn configure(
    meta: &mut ConstraintSystem<Fr>,
    a: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    let op = Eqz {
        zero: a.bit(meta),
        inv: a.unlimited(meta),
    };
    meta.create_gate("op eqz", |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let (val, zero) = (ctx.slot(0).value(m), op.zero.expr(m));
        let mut v = is_zero(val, zero.clone(), op.inv.expr(m)).to_vec();
        v.push(ctx.slot(1).value(m) - zero);
        v.into_iter().map(|e| sel.clone() * e).collect::<Vec<_>>()
    });
    Box::new(op)
}

impl Op for Eqz {
    fn class(&self) -> Class {
        Class::Eqz
    }
    fn effects(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Effects {
        let ty64 = ctx.common.sub.expr(m);
        ctx.unary_effects(m, c(1) - ty64, c(1))
    }
    fn assign(&self, w: &mut BlockWriter, s: &StepWitness<'_>) {
        let v = s.events[0].value;
        w.set_bool(self.zero, v == 0);
        w.set(self.inv, Fr::from(v).invert().unwrap_or(Fr::ZERO));
    }
}
