//! `select`: reads the i32 condition (`sp - 1`), then `b` (`sp - 2`) and `a` (`sp - 3`) of
//! the width `sub` says, and writes `cond ? a : b` at `sp - 3`. The condition's zero test is
//! pinned by an inverse.

use super::{c, is_zero, Ctx, Op, StepWitness};
use crate::allocator::{Allocator, BlockWriter, Cell};
use crate::Fr;
use ff::Field;
use halo2_proofs::plonk::ConstraintSystem;
use zkwasm_tables::encode::Class;
use zkwasm_tracer::trace::{Loc, Rw};

struct Select {
    zero: Cell,
    inv: Cell,
}

pub fn configure(
    meta: &mut ConstraintSystem<Fr>,
    a: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    let op = Select {
        zero: a.bit(meta),
        inv: a.unlimited(meta),
    };
    let x = ctx.common;
    meta.create_gate("op select", |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let (sp, i32) = (x.sp.expr(m), c(1) - x.sub.expr(m));
        let s = [0, 1, 2, 3].map(|j| ctx.slot(j));
        let mut v = s[0].is(m, Rw::Read, Loc::Stack as u64, sp.clone() - c(1), c(1));
        v.extend(s[1].is(
            m,
            Rw::Read,
            Loc::Stack as u64,
            sp.clone() - c(2),
            i32.clone(),
        ));
        v.extend(s[2].is(
            m,
            Rw::Read,
            Loc::Stack as u64,
            sp.clone() - c(3),
            i32.clone(),
        ));
        v.extend(s[3].is(m, Rw::Write, Loc::Stack as u64, sp.clone() - c(3), i32));
        let (cond, b, a_, zero) = (s[0].value(m), s[1].value(m), s[2].value(m), op.zero.expr(m));
        v.extend(is_zero(cond, zero.clone(), op.inv.expr(m)));
        v.push(s[3].value(m) - (a_.clone() + zero * (b - a_)));
        v.extend(ctx.unused_from(m, 4));
        v.extend(ctx.goes_on(m, sp - c(2)));
        v.into_iter().map(|e| sel.clone() * e).collect::<Vec<_>>()
    });
    Box::new(op)
}

impl Op for Select {
    fn class(&self) -> Class {
        Class::Select
    }
    fn assign(&self, w: &mut BlockWriter, s: &StepWitness<'_>) {
        let cond = s.events[0].value;
        w.set_bool(self.zero, cond == 0);
        w.set(self.inv, Fr::from(cond).invert().unwrap_or(Fr::ZERO));
    }
}
