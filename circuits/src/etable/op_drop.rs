//! `drop`: pops a value without reading it.

use super::{c, Ctx, Op, StepWitness};
use crate::allocator::{Allocator, BlockWriter, Cell};
use crate::Fr;
use halo2_proofs::plonk::ConstraintSystem;
use zkwasm_tables::encode::Class;

struct Drop;

pub fn configure(
    meta: &mut ConstraintSystem<Fr>,
    _: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    let x = ctx.common;
    meta.create_gate("op drop", |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let mut v = ctx.unused_from(m, 0);
        let sp = x.sp.expr(m);
        v.extend(ctx.goes_on(m, sp - c(1)));
        v.into_iter().map(|e| sel.clone() * e).collect::<Vec<_>>()
    });
    Box::new(Drop)
}

impl Op for Drop {
    fn class(&self) -> Class {
        Class::Drop
    }
    fn assign(&self, _: &mut BlockWriter, _: &StepWitness<'_>) {}
}
