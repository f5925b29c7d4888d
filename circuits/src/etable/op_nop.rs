//! `nop` (`data.drop`, `elem.drop`; see `zkwasm_tracer::isa::Instr::Nop`): no access, the
//! next instruction, the stack unchanged.

use super::{Ctx, Op, StepWitness};
use crate::allocator::{Allocator, BlockWriter, Cell};
use crate::Fr;
use halo2_proofs::plonk::ConstraintSystem;
use zkwasm_tables::encode::Class;

struct Nop;

pub fn configure(
    meta: &mut ConstraintSystem<Fr>,
    _: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    let x = ctx.common;
    meta.create_gate("op nop", |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let mut v = ctx.unused_from(m, 0);
        let sp = x.sp.expr(m);
        v.extend(ctx.goes_on(m, sp));
        v.into_iter().map(|e| sel.clone() * e).collect::<Vec<_>>()
    });
    Box::new(Nop)
}

impl Op for Nop {
    fn class(&self) -> Class {
        Class::Nop
    }
    fn assign(&self, _: &mut BlockWriter, _: &StepWitness<'_>) {}
}
