//! `nop` (`data.drop`, `elem.drop`; see `zkwasm_tracer::isa::Instr::Nop`): no access, the
//! next instruction, the stack unchanged.

use super::{Ctx, Effects, Op, StepWitness};
use crate::allocator::{Allocator, BlockWriter, Cell};
use crate::Fr;
use halo2_proofs::plonk::{ConstraintSystem, VirtualCells};
use zkwasm_tables::encode::Class;

struct Nop;

pub fn configure(_: &mut ConstraintSystem<Fr>, _: &mut Allocator, _: &Ctx, _: Cell) -> Box<dyn Op> {
    Box::new(Nop)
}

impl Op for Nop {
    fn class(&self) -> Class {
        Class::Nop
    }
    fn effects(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Effects {
        let sp = ctx.common.sp.expr(m);
        Effects {
            accesses: vec![],
            next: ctx.goes_on(m, sp),
        }
    }
    fn assign(&self, _: &mut BlockWriter, _: &StepWitness<'_>) {}
}
