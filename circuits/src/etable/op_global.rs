//! `global.get` and `global.set` of global `a` (`sub` is 1 for i64): a read and a write of
//! the same value between the global and the top of the stack. Whether a global may be
//! written is the MTable's rule (non-init entries are mutable).

use super::{c, copy_gate, Ctx, Effects, Op, StepWitness};
use crate::allocator::{Allocator, BlockWriter, Cell};
use crate::Fr;
use halo2_proofs::plonk::{ConstraintSystem, VirtualCells};
use zkwasm_tables::encode::Class;
use zkwasm_tracer::trace::Loc;

struct Global(Class);

fn configure_class(
    meta: &mut ConstraintSystem<Fr>,
    ctx: &Ctx,
    bit: Cell,
    class: Class,
) -> Box<dyn Op> {
    let name = if class == Class::GlobalGet {
        "op global.get"
    } else {
        "op global.set"
    };
    copy_gate(meta, ctx, bit, name);
    Box::new(Global(class))
}

pub fn get(
    meta: &mut ConstraintSystem<Fr>,
    _: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    configure_class(meta, ctx, bit, Class::GlobalGet)
}

pub fn set(
    meta: &mut ConstraintSystem<Fr>,
    _: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    configure_class(meta, ctx, bit, Class::GlobalSet)
}

impl Op for Global {
    fn class(&self) -> Class {
        self.0
    }
    fn effects(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Effects {
        let x = ctx.common;
        let (sp, idx, i32) = (x.sp.expr(m), x.a.expr(m), c(1) - x.sub.expr(m));
        let global = (Loc::Global, idx);
        let (accesses, next_sp) = if self.0 == Class::GlobalGet {
            let top = (Loc::Stack, sp.clone());
            (ctx.copy(global, top, i32), sp + c(1))
        } else {
            let top = (Loc::Stack, sp.clone() - c(1));
            (ctx.copy(top, global, i32), sp - c(1))
        };
        Effects {
            accesses,
            next: ctx.goes_on(m, next_sp),
        }
    }
    fn assign(&self, _: &mut BlockWriter, _: &StepWitness<'_>) {}
}
