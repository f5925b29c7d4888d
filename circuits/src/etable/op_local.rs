//! `local.get`, `local.set`, `local.tee`: a read and a write of the same value, between the
//! top of the stack and the local `a` slots below it (`sub` is 1 for i64):
//!
//! | class | reads | writes | next sp |
//! |---|---|---|---|
//! | get | `sp - a` | `sp` | `sp + 1` |
//! | set | `sp - 1` | `sp - a` | `sp - 1` |
//! | tee | `sp - 1` | `sp - a` | `sp` |

use super::{c, Ctx, Op, StepWitness};
use crate::allocator::{Allocator, BlockWriter, Cell};
use crate::Fr;
use halo2_proofs::plonk::ConstraintSystem;
use zkwasm_tables::encode::Class;
use zkwasm_tracer::trace::Loc;

struct Local(Class);

fn configure_class(
    meta: &mut ConstraintSystem<Fr>,
    ctx: &Ctx,
    bit: Cell,
    class: Class,
) -> Box<dyn Op> {
    let x = ctx.common;
    let name = match class {
        Class::LocalGet => "op local.get",
        Class::LocalSet => "op local.set",
        _ => "op local.tee",
    };
    meta.create_gate(name, |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let (sp, depth, i32) = (x.sp.expr(m), x.a.expr(m), c(1) - x.sub.expr(m));
        let (from, to, next_sp) = match class {
            Class::LocalGet => (sp.clone() - depth, sp.clone(), sp + c(1)),
            Class::LocalSet => (sp.clone() - c(1), sp.clone() - depth, sp - c(1)),
            _ => (sp.clone() - c(1), sp.clone() - depth, sp),
        };
        let mut v = ctx.copy(m, (Loc::Stack, from), (Loc::Stack, to), i32);
        v.extend(ctx.goes_on(m, next_sp));
        v.into_iter().map(|e| sel.clone() * e).collect::<Vec<_>>()
    });
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
    fn assign(&self, _: &mut BlockWriter, _: &StepWitness<'_>) {}
}
