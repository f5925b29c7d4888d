//! `memory.size` and `memory.grow`.
//!
//! - size: slot 0 writes the step's `pages` at `sp` (i32).
//! - grow: slot 0 reads `delta` at `sp - 1`, slot 1 writes the result over it. With `max` the
//!   circuit's constant ([`super::Start::max_pages`], so the verifying key binds it) and a bit
//!   `ok`, the bound `ok ? max - pages - delta : pages + delta - max - 1` is four byte limbs
//!   (so `ok` is exactly `pages + delta <= max`: `pages <= max <= 65536` and `delta < 2^32`
//!   keep either side's negative values far above 2^32), the result is `ok ? pages : 2^32 - 1`
//!   and the next step has `pages + ok · delta` pages ([`Op::grows`], "etable step").

use super::{c, Access, Ctx, Effects, Op, StepWitness};
use crate::allocator::{Allocator, BlockWriter, Cell, U32Cell};
use crate::Fr;
use halo2_proofs::plonk::{ConstraintSystem, Expression, VirtualCells};
use zkwasm_tables::encode::Class;
use zkwasm_tracer::isa::Instr;
use zkwasm_tracer::trace::Rw;

struct Size;

pub fn size(
    meta: &mut ConstraintSystem<Fr>,
    _: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    let x = ctx.common;
    meta.create_gate("op memory.size", |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        [sel * (ctx.slot(0).value(m) - x.pages.expr(m))]
    });
    Box::new(Size)
}

impl Op for Size {
    fn class(&self) -> Class {
        Class::MemorySize
    }
    fn effects(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Effects {
        let sp = ctx.common.sp.expr(m);
        Effects {
            accesses: vec![Access::stack(0, Rw::Write, sp.clone(), c(1))],
            next: ctx.goes_on(m, sp + c(1)),
        }
    }
    fn assign(&self, _: &mut BlockWriter, _: &StepWitness<'_>) {}
}

struct Grow {
    ok: Cell,
    bound: U32Cell,
    max: u32,
}

pub fn grow(
    meta: &mut ConstraintSystem<Fr>,
    a: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    let op = Grow {
        ok: a.bit(meta),
        bound: a.u32(meta),
        max: ctx.start.max_pages,
    };
    let x = ctx.common;
    meta.create_gate("op memory.grow", |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let (ok, pages, max) = (op.ok.expr(m), x.pages.expr(m), c(op.max as u64));
        let grown = pages.clone() + ctx.slot(0).value(m);
        let room = max.clone() - grown.clone();
        let past = grown - max - c(1);
        let failed = c(u32::MAX as u64);
        [
            op.bound.expr(m) - (ok.clone() * room + (c(1) - ok.clone()) * past),
            ctx.slot(1).value(m) - (ok.clone() * pages + (c(1) - ok) * failed),
        ]
        .map(|e| sel.clone() * e)
    });
    Box::new(op)
}

impl Op for Grow {
    fn class(&self) -> Class {
        Class::MemoryGrow
    }
    fn grows(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Expression<Fr> {
        self.ok.expr(m) * ctx.slot(0).value(m)
    }
    fn effects(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Effects {
        let sp = ctx.common.sp.expr(m);
        let top = sp.clone() - c(1);
        Effects {
            accesses: vec![
                Access::stack(0, Rw::Read, top.clone(), c(1)),
                Access::stack(1, Rw::Write, top, c(1)),
            ],
            next: ctx.goes_on(m, sp),
        }
    }
    fn assign(&self, w: &mut BlockWriter, s: &StepWitness<'_>) {
        let Instr::MemoryGrow = s.row.instr else {
            return;
        };
        let (pages, delta) = (s.row.pages as u64, s.events[0].value);
        let ok = s.events[1].value != u32::MAX as u64;
        let bound = if ok {
            (self.max as u64).wrapping_sub(pages + delta)
        } else {
            (pages + delta).wrapping_sub(self.max as u64 + 1)
        };
        w.set_bool(self.ok, ok);
        w.set_u32(&self.bound, bound as u32);
    }
    fn cells(&self) -> Vec<(&'static str, Cell)> {
        vec![("ok", self.ok)]
    }
}
