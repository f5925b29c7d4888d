//! `global.get` and `global.set` of global `a` (`sub` is 1 for i64): a read and a write of
//! the same value between the global and the top of the stack. Whether a global may be
//! written is the MTable's rule (non-init entries are mutable).

use super::{c, Ctx, Op, StepWitness};
use crate::allocator::{Allocator, BlockWriter, Cell};
use crate::Fr;
use halo2_proofs::plonk::ConstraintSystem;
use zkwasm_tables::encode::Class;
use zkwasm_tracer::trace::Loc;

struct Global(Class);

fn configure_class(
    meta: &mut ConstraintSystem<Fr>,
    ctx: &Ctx,
    bit: Cell,
    class: Class,
) -> Box<dyn Op> {
    let x = ctx.common;
    let get = class == Class::GlobalGet;
    meta.create_gate(
        if get {
            "op global.get"
        } else {
            "op global.set"
        },
        |m| {
            let sel = m.query_selector(ctx.q_step) * bit.expr(m);
            let (sp, idx, i32) = (x.sp.expr(m), x.a.expr(m), c(1) - x.sub.expr(m));
            let (global, top) = ((Loc::Global, idx), (Loc::Stack, sp.clone() - c(1)));
            let mut v = if get {
                ctx.copy(m, global, (Loc::Stack, sp.clone()), i32)
            } else {
                ctx.copy(m, top, global, i32)
            };
            v.extend(ctx.goes_on(m, if get { sp + c(1) } else { sp - c(1) }));
            v.into_iter().map(|e| sel.clone() * e).collect::<Vec<_>>()
        },
    );
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
