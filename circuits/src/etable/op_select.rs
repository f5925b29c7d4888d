//! `select`: reads the i32 condition (`sp - 1`), then `b` (`sp - 2`) and `a` (`sp - 3`) of
//! the width `sub` says, and writes `cond ? a : b` at `sp - 3`. The condition's zero test is
//! pinned by an inverse.

use super::{c, is_zero, Access, Ctx, Effects, Op, StepWitness};
use crate::allocator::{Allocator, BlockWriter, Cell};
use crate::Fr;
use ff::Field;
use halo2_proofs::plonk::{ConstraintSystem, VirtualCells};
use zkwasm_tables::encode::Class;
use zkwasm_tracer::trace::Rw;

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
    meta.create_gate("op select", |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let [cond, b, a_, r] = [0, 1, 2, 3].map(|j| ctx.slot(j).value(m));
        let zero = op.zero.expr(m);
        let mut v = is_zero(cond, zero.clone(), op.inv.expr(m)).to_vec();
        v.push(r - (a_.clone() + zero * (b - a_)));
        v.into_iter().map(|e| sel.clone() * e).collect::<Vec<_>>()
    });
    Box::new(op)
}

impl Op for Select {
    fn class(&self) -> Class {
        Class::Select
    }
    fn effects(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Effects {
        let x = ctx.common;
        let (sp, i32) = (x.sp.expr(m), c(1) - x.sub.expr(m));
        let stack =
            |j: usize, rw, below: u64, is_i32| Access::stack(j, rw, sp.clone() - c(below), is_i32);
        Effects {
            accesses: vec![
                stack(0, Rw::Read, 1, c(1)),
                stack(1, Rw::Read, 2, i32.clone()),
                stack(2, Rw::Read, 3, i32.clone()),
                stack(3, Rw::Write, 3, i32),
            ],
            next: ctx.goes_on(m, sp.clone() - c(2)),
        }
    }
    fn assign(&self, w: &mut BlockWriter, s: &StepWitness<'_>) {
        let cond = s.events[0].value;
        w.set_bool(self.zero, cond == 0);
        w.set(self.inv, Fr::from(cond).invert().unwrap_or(Fr::ZERO));
    }
}
