//! `i32.const` / `i64.const`: pushes the opcode's `c` (`sub` is 1 for i64). The value comes
//! from the image, so it needs no range check.

use super::{c, Ctx, Op, StepWitness};
use crate::allocator::{Allocator, BlockWriter, Cell};
use crate::Fr;
use halo2_proofs::plonk::ConstraintSystem;
use zkwasm_tables::encode::Class;
use zkwasm_tracer::trace::{Loc, Rw};

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
        let (sp, ty64) = (x.sp.expr(m), x.sub.expr(m));
        let s0 = ctx.slot(0);
        let mut v = s0.is(m, Rw::Write, Loc::Stack as u64, sp.clone(), c(1) - ty64);
        v.push(s0.value(m) - x.c.expr(m));
        v.extend(ctx.unused_from(m, 1));
        v.extend(ctx.goes_on(m, sp + c(1)));
        v.into_iter().map(|e| sel.clone() * e).collect::<Vec<_>>()
    });
    Box::new(Const)
}

impl Op for Const {
    fn class(&self) -> Class {
        Class::Const
    }
    fn assign(&self, _: &mut BlockWriter, _: &StepWitness<'_>) {}
}
