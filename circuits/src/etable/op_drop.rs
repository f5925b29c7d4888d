//! `drop`: pops a value without reading it.

use super::{c, Ctx, Effects, Op, StepWitness};
use crate::allocator::{Allocator, BlockWriter, Cell};
use crate::Fr;
use halo2_proofs::plonk::{ConstraintSystem, VirtualCells};
use zkwasm_tables::encode::Class;

struct Drop;

pub fn configure(_: &mut ConstraintSystem<Fr>, _: &mut Allocator, _: &Ctx, _: Cell) -> Box<dyn Op> {
    Box::new(Drop)
}

impl Op for Drop {
    fn class(&self) -> Class {
        Class::Drop
    }
    fn effects(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Effects {
        let sp = ctx.common.sp.expr(m);
        Effects {
            accesses: vec![],
            next: ctx.goes_on(m, sp - c(1)),
        }
    }
    fn assign(&self, _: &mut BlockWriter, _: &StepWitness<'_>) {}
}
