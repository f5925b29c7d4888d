//! `global.get` and `global.set` of global `a` (`sub` is 1 for i64): a read and a write of
//! the same value between the global and the top of the stack. Whether a global may be
//! written is the MTable's rule (non-init entries are mutable).

use super::{c, Ctx, Op, StepWitness};
use crate::allocator::{Allocator, BlockWriter, Cell};
use crate::Fr;
use halo2_proofs::plonk::ConstraintSystem;
use zkwasm_tables::encode::Class;
use zkwasm_tracer::trace::{Loc, Rw};

struct Global(Class);

fn configure_class(
    meta: &mut ConstraintSystem<Fr>,
    ctx: &Ctx,
    bit: Cell,
    class: Class,
) -> Box<dyn Op> {
    let x = ctx.common;
    let name = if class == Class::GlobalGet {
        "op global.get"
    } else {
        "op global.set"
    };
    meta.create_gate(name, |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let (sp, idx, i32) = (x.sp.expr(m), x.a.expr(m), c(1) - x.sub.expr(m));
        let (s0, s1) = (ctx.slot(0), ctx.slot(1));
        let (global, stack) = (Loc::Global as u64, Loc::Stack as u64);
        let mut v = if class == Class::GlobalGet {
            let mut v = s0.is(m, Rw::Read, global, idx, i32.clone());
            v.extend(s1.is(m, Rw::Write, stack, sp.clone(), i32));
            v
        } else {
            let mut v = s0.is(m, Rw::Read, stack, sp.clone() - c(1), i32.clone());
            v.extend(s1.is(m, Rw::Write, global, idx, i32));
            v
        };
        v.push(s1.value(m) - s0.value(m));
        v.extend(ctx.unused_from(m, 2));
        let next_sp = if class == Class::GlobalGet {
            sp + c(1)
        } else {
            sp - c(1)
        };
        v.extend(ctx.goes_on(m, next_sp));
        v.into_iter().map(|e| sel.clone() * e).collect::<Vec<_>>()
    });
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
    fn assign(&self, _: &mut BlockWriter, _: &StepWitness<'_>) {}
}
