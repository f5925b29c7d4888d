//! `local.get`, `local.set`, `local.tee`: a read and a write of the same value, between the
//! top of the stack and the local `a` slots below it (`sub` is 1 for i64):
//!
//! | class | reads | writes | next sp |
//! |---|---|---|---|
//! | get | `sp - a` | `sp` | `sp + 1` |
//! | set | `sp - 1` | `sp - a` | `sp - 1` |
//! | tee | `sp - 1` | `sp - a` | `sp` |

use super::{c, copy_gate, Ctx, Effects, Op, StepWitness};
use crate::allocator::{Allocator, BlockWriter, Cell};
use crate::Fr;
use halo2_proofs::plonk::{ConstraintSystem, VirtualCells};
use zkwasm_tables::encode::Class;
use zkwasm_tracer::trace::Loc;

struct Local(Class);

fn configure_class(
    meta: &mut ConstraintSystem<Fr>,
    ctx: &Ctx,
    bit: Cell,
    class: Class,
) -> Box<dyn Op> {
    let name = match class {
        Class::LocalGet => "op local.get",
        Class::LocalSet => "op local.set",
        _ => "op local.tee",
    };
    copy_gate(meta, ctx, bit, name);
    Box::new(Local(class))
}

pub fn get(
    meta: &mut ConstraintSystem<Fr>,
    _: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    configure_class(meta, ctx, bit, Class::LocalGet)
}

pub fn set(
    meta: &mut ConstraintSystem<Fr>,
    _: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    configure_class(meta, ctx, bit, Class::LocalSet)
}

pub fn tee(
    meta: &mut ConstraintSystem<Fr>,
    _: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    configure_class(meta, ctx, bit, Class::LocalTee)
}

impl Op for Local {
    fn class(&self) -> Class {
        self.0
    }
    fn effects(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Effects {
        let x = ctx.common;
        let (sp, depth, i32) = (x.sp.expr(m), x.a.expr(m), c(1) - x.sub.expr(m));
        let (from, to, next_sp) = match self.0 {
            Class::LocalGet => (sp.clone() - depth, sp.clone(), sp + c(1)),
            Class::LocalSet => (sp.clone() - c(1), sp.clone() - depth, sp - c(1)),
            _ => (sp.clone() - c(1), sp.clone() - depth, sp),
        };
        Effects {
            accesses: ctx.copy((Loc::Stack, from), (Loc::Stack, to), i32),
            next: ctx.goes_on(m, next_sp),
        }
    }
    fn assign(&self, _: &mut BlockWriter, _: &StepWitness<'_>) {}
}
