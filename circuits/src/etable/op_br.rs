//! Jumps: `br` always, `br_if_eqz` when the popped i32 is zero, `br_if_nez` when it is not.
//! A taken jump drops and keeps ([`super::keep`]) and goes to `a` in the same function;
//! otherwise the next instruction. The condition's zero test is pinned by an inverse:
//! `cond · inv = 1 - zero`, `cond · zero = 0`.

use super::keep::Keep;
use super::{c, is_zero, Access, Ctx, Effects, Next, Op, StepWitness};
use crate::allocator::{Allocator, BlockWriter, Cell};
use crate::Fr;
use ff::Field;
use halo2_proofs::plonk::{ConstraintSystem, Expression, VirtualCells};
use zkwasm_tables::encode::Class;
use zkwasm_tracer::isa::Instr;
use zkwasm_tracer::trace::Rw;

struct Br {
    class: Class,
    keep: Keep,
    /// For the conditional jumps: the condition is zero, and its inverse.
    zero: Option<(Cell, Cell)>,
}

fn configure_class(
    meta: &mut ConstraintSystem<Fr>,
    a: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
    class: Class,
) -> Box<dyn Op> {
    let keep = Keep::configure(meta, a);
    let zero = (class != Class::Br).then(|| (a.bit(meta), a.unlimited(meta)));
    let op = Br { class, keep, zero };
    let name = match class {
        Class::Br => "op br",
        Class::BrIfEqz => "op br_if_eqz",
        _ => "op br_if_nez",
    };
    meta.create_gate(name, |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let mut v = vec![];
        if let Some((zero, inv)) = op.zero {
            let cond = ctx.slot(0).value(m);
            v.extend(is_zero(cond, zero.expr(m), inv.expr(m)));
        }
        let (taken, first) = (op.taken(m), op.first());
        v.extend(op.keep.constraints(m, ctx, taken, first));
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

    /// The first slot of the drop/keep: after the condition's read, if any.
    fn first(&self) -> usize {
        self.zero.is_some() as usize
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
        if self.zero.is_some() {
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
            _ => return,
        };
        if let Some((zero, inv)) = self.zero {
            let cond = s.events[0].value;
            w.set_bool(zero, cond == 0);
            w.set(inv, Fr::from(cond).invert().unwrap_or(Fr::ZERO));
        }
        self.keep.assign(w, dk, taken);
    }
}
