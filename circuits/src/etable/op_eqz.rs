//! `eqz`: replaces the top value (`sub` is 1 for i64) by the i32 `x == 0`, pinned by an
//! inverse: `x · inv = 1 - zero`, `x · zero = 0`.

use super::{c, is_zero, Ctx, Op, StepWitness};
use crate::allocator::{Allocator, BlockWriter, Cell};
use crate::Fr;
use ff::Field;
use halo2_proofs::plonk::ConstraintSystem;
use zkwasm_tables::encode::Class;
use zkwasm_tracer::trace::{Loc, Rw};

struct Eqz {
    zero: Cell,
    inv: Cell,
}

pub fn configure(
    meta: &mut ConstraintSystem<Fr>,
    a: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    let op = Eqz {
        zero: a.bit(meta),
        inv: a.unlimited(meta),
    };
    let x = ctx.common;
    meta.create_gate("op eqz", |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let (sp, ty64) = (x.sp.expr(m), x.sub.expr(m));
        let (s0, s1) = (ctx.slot(0), ctx.slot(1));
        let mut v = s0.is(
            m,
            Rw::Read,
            Loc::Stack as u64,
            sp.clone() - c(1),
            c(1) - ty64,
        );
        v.extend(s1.is(m, Rw::Write, Loc::Stack as u64, sp.clone() - c(1), c(1)));
        let (val, zero) = (s0.value(m), op.zero.expr(m));
        v.extend(is_zero(val, zero.clone(), op.inv.expr(m)));
        v.push(s1.value(m) - zero);
        v.extend(ctx.unused_from(m, 2));
        v.extend(ctx.goes_on(m, sp));
        v.into_iter().map(|e| sel.clone() * e).collect::<Vec<_>>()
    });
    Box::new(op)
}

impl Op for Eqz {
    fn class(&self) -> Class {
        Class::Eqz
    }
    fn assign(&self, w: &mut BlockWriter, s: &StepWitness<'_>) {
        let v = s.events[0].value;
        w.set_bool(self.zero, v == 0);
        w.set(self.inv, Fr::from(v).invert().unwrap_or(Fr::ZERO));
    }
}
