//! `i32.const` / `i64.const`: pushes the opcode's `c` (`sub` is 1 for i64). The value comes
//! from the image, so it needs no range check.

use super::{c, Access, Ctx, Effects, Op, StepWitness};
use crate::allocator::{Allocator, BlockWriter, Cell};
use crate::Fr;
use halo2_proofs::plonk::{ConstraintSystem, VirtualCells};
use zkwasm_tables::encode::Class;
use zkwasm_tracer::trace::Rw;

struct Const;

pub fn configure(
    meta: &mut ConstraintSystem<Fr>,
    _: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    let x = ctx.common;
    meta.create_gate("op const", |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        [sel * (ctx.slot(0).value(m) - x.c.expr(m))]
    });
    Box::new(Const)
}

impl Op for Const {
    fn class(&self) -> Class {
        Class::Const
    }
    fn effects(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Effects {
        let (sp, ty64) = (ctx.common.sp.expr(m), ctx.common.sub.expr(m));
        Effects {
            accesses: vec![Access::stack(0, Rw::Write, sp.clone(), c(1) - ty64)],
            next: ctx.goes_on(m, sp + c(1)),
        }
    }
    fn assign(&self, _: &mut BlockWriter, _: &StepWitness<'_>) {}
}
