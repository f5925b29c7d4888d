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
use halo2_proofs::plonk::{ConstraintSystem, Expression};
use zkwasm_tables::encode::Class;
use zkwasm_tracer::trace::{Loc, Rw};

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
        let (sp, depth, ty64) = (x.sp.expr(m), x.a.expr(m), x.sub.expr(m));
        let i32 = c(1) - ty64;
        let (from, to, next_sp): (Expression<Fr>, Expression<Fr>, Expression<Fr>) = match class {
            Class::LocalGet => (sp.clone() - depth, sp.clone(), sp + c(1)),
            Class::LocalSet => (sp.clone() - c(1), sp.clone() - depth, sp - c(1)),
            _ => (sp.clone() - c(1), sp.clone() - depth, sp),
        };
        let (s0, s1) = (ctx.slot(0), ctx.slot(1));
        let mut v = s0.is(m, Rw::Read, Loc::Stack as u64, from, i32.clone());
        v.extend(s1.is(m, Rw::Write, Loc::Stack as u64, to, i32));
        v.push(s1.value(m) - s0.value(m));
        v.extend(ctx.unused_from(m, 2));
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
