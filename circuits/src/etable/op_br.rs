//! Jumps: `br` always, `br_if_eqz` when the popped i32 is zero, `br_if_nez` when it is not,
//! `br_table` always, to the target its popped index picks. A taken jump drops and keeps
//! ([`super::keep`]) and goes to `a` in the same function; otherwise the next instruction.
//! The condition's zero test is pinned by an inverse: `cond · inv = 1 - zero`,
//! `cond · zero = 0`.
//!
//! A `br_table` step looks up the target it takes in place of its instruction: the image
//! holds one row per target (`encode::br_target`: `sub` 1 for the default, the last target,
//! `a, b` its destination and drop, `c` its keep fields with its index `j` above them), so
//! `(a, b, c)` are the target's, and the rule ties `j` (a cell, `c`'s part above the keep
//! fields) to the popped index `x`: `x = j` for a target other than the default, and
//! `x - j` in byte limbs for the default (`x >= j = len - 1`: a default taken while the index
//! is in range would make it negative, far above 2^32). A wrong `j` (a keep field claimed
//! otherwise) is no integer below 2^32 and satisfies neither.

use super::keep::Keep;
use super::{c, is_zero, Access, Ctx, Effects, Next, Op, StepWitness};
use crate::allocator::{Allocator, BlockWriter, Cell, U32Cell};
use crate::Fr;
use ff::Field;
use halo2_proofs::plonk::{ConstraintSystem, Expression, VirtualCells};
use zkwasm_tables::encode::{dk_of, Class};
use zkwasm_tracer::isa::Instr;
use zkwasm_tracer::trace::Rw;

struct Br {
    class: Class,
    keep: Keep,
    /// For the conditional jumps: the condition is zero, and its inverse.
    zero: Option<(Cell, Cell)>,
    /// For `br_table`: the target's index `j`, and `x - j` for the default (zero otherwise).
    table: Option<(Cell, U32Cell)>,
}

fn configure_class(
    meta: &mut ConstraintSystem<Fr>,
    a: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
    class: Class,
) -> Box<dyn Op> {
    let keep = Keep::configure(meta, a);
    let conditional = matches!(class, Class::BrIfEqz | Class::BrIfNez);
    let zero = conditional.then(|| (a.bit(meta), a.unlimited(meta)));
    let table = (class == Class::BrTable).then(|| (a.unlimited(meta), a.u32(meta)));
    let op = Br {
        class,
        keep,
        zero,
        table,
    };
    let name = match class {
        Class::Br => "op br",
        Class::BrIfEqz => "op br_if_eqz",
        Class::BrIfNez => "op br_if_nez",
        _ => "op br_table",
    };
    meta.create_gate(name, |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let mut v = vec![];
        if let Some((zero, inv)) = op.zero {
            let cond = ctx.slot(0).value(m);
            v.extend(is_zero(cond, zero.expr(m), inv.expr(m)));
        }
        let mut above = c(0);
        if let Some((j, past)) = op.table {
            let (x, j, past) = (ctx.slot(0).value(m), j.expr(m), past.expr(m));
            let default = ctx.common.sub.expr(m);
            v.push((c(1) - default.clone()) * (x.clone() - j.clone()));
            v.push(default.clone() * (x - j.clone() - past.clone()));
            v.push((c(1) - default) * past);
            above = j * c(1 << 32);
        }
        let (taken, first) = (op.taken(m), op.first());
        v.extend(op.keep.constraints(m, ctx, taken, first, above));
        v.into_iter().map(|e| sel.clone() * e).collect::<Vec<_>>()
    });
    Box::new(op)
}

impl Br {
    /// Whether the jump is taken (degree ≤ 1).
    fn taken(&self, m: &mut VirtualCells<'_, Fr>) -> Expression<Fr> {
        match (self.zero, self.class) {
            (None, _) => c(1),
            (Some((zero, _)), Class::BrIfEqz) => zero.expr(m),
            (Some((zero, _)), _) => c(1) - zero.expr(m),
        }
    }

    /// The first slot of the drop/keep: after the condition's or the index's read, if any.
    fn first(&self) -> usize {
        (self.zero.is_some() || self.table.is_some()) as usize
    }
}

pub fn br(meta: &mut ConstraintSystem<Fr>, a: &mut Allocator, ctx: &Ctx, bit: Cell) -> Box<dyn Op> {
    configure_class(meta, a, ctx, bit, Class::Br)
}

pub fn br_if_eqz(
    meta: &mut ConstraintSystem<Fr>,
    a: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    configure_class(meta, a, ctx, bit, Class::BrIfEqz)
}

pub fn br_if_nez(
    meta: &mut ConstraintSystem<Fr>,
    a: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    configure_class(meta, a, ctx, bit, Class::BrIfNez)
}

pub fn br_table(
    meta: &mut ConstraintSystem<Fr>,
    a: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    configure_class(meta, a, ctx, bit, Class::BrTable)
}

impl Op for Br {
    fn class(&self) -> Class {
        self.class
    }

    fn effects(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Effects {
        let x = ctx.common;
        let (iid, dst, drop) = (x.iid.expr(m), x.a.expr(m), x.b.expr(m));
        // The stack pointer after the jump's own pop of the condition.
        let sp = x.sp.expr(m) - c(self.first() as u64);
        let mut accesses = vec![];
        if self.first() == 1 {
            accesses.push(Access::stack(0, Rw::Read, sp.clone(), c(1)));
        }
        accesses.extend(self.keep.accesses(m, ctx, sp.clone(), self.first()));
        let taken = self.taken(m);
        let next_iid = iid.clone() + c(1) + taken.clone() * (dst - iid - c(1));
        Effects {
            accesses,
            next: Next {
                fid: x.fid.expr(m),
                iid: next_iid,
                sp: sp - taken * drop,
                frame: x.frame.expr(m),
            },
        }
    }

    fn assign(&self, w: &mut BlockWriter, s: &StepWitness<'_>) {
        let (dk, taken) = match s.row.instr {
            Instr::Br { dk, .. } => (dk, true),
            Instr::BrIfEqz { dk, .. } => (dk, s.events[0].value == 0),
            Instr::BrIfNez { dk, .. } => (dk, s.events[0].value != 0),
            Instr::BrTable { .. } => (dk_of(s.opcode.b, s.opcode.c), true),
            _ => return,
        };
        if let Some((j, past)) = self.table {
            let (x, index) = (s.events[0].value, s.opcode.c >> 32);
            w.set_u64(j, index);
            w.set_u32(&past, (x - index) as u32);
        }
        if let Some((zero, inv)) = self.zero {
            let cond = s.events[0].value;
            w.set_bool(zero, cond == 0);
            w.set(inv, Fr::from(cond).invert().unwrap_or(Fr::ZERO));
        }
        self.keep.assign(w, dk, taken);
    }

    fn cells(&self) -> Vec<(&'static str, Cell)> {
        let mut v = self.keep.cells().to_vec();
        if let Some((j, past)) = self.table {
            v.push(("index", j));
            v.extend(
                ["past0", "past1", "past2", "past3"]
                    .into_iter()
                    .zip(past.limbs),
            );
        }
        v
    }
}
