//! Jumps: `br` always, `br_if_eqz` when the popped i32 is zero, `br_if_nez` when it is not.
//! A taken jump drops and keeps ([`super::keep`]) and goes to `a` in the same function;
//! otherwise the next instruction. The condition's zero test is pinned by an inverse:
//! `cond · inv = 1 - zero`, `cond · zero = 0`.

use super::keep::Keep;
use super::{c, is_zero, Ctx, Op, StepWitness};
use crate::allocator::{Allocator, BlockWriter, Cell};
use crate::Fr;
use ff::Field;
use halo2_proofs::plonk::ConstraintSystem;
use zkwasm_tables::encode::Class;
use zkwasm_tracer::isa::Instr;
use zkwasm_tracer::trace::{Loc, Rw};

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
    let x = ctx.common;
    let name = match class {
        Class::Br => "op br",
        Class::BrIfEqz => "op br_if_eqz",
        _ => "op br_if_nez",
    };
    meta.create_gate(name, |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let (sp, iid, dst, drop) = (x.sp.expr(m), x.iid.expr(m), x.a.expr(m), x.b.expr(m));
        let mut v = vec![];
        // `taken` and the stack pointer after the jump's own pop.
        let (taken, sp, first) = match op.zero {
            None => (c(1), sp, 0),
            Some((zero, inv)) => {
                let s0 = ctx.slot(0);
                v.extend(s0.is(m, Rw::Read, Loc::Stack as u64, sp.clone() - c(1), c(1)));
                let (cond, zero, inv) = (s0.value(m), zero.expr(m), inv.expr(m));
                v.extend(is_zero(cond, zero.clone(), inv));
                let taken = if class == Class::BrIfEqz {
                    zero
                } else {
                    c(1) - zero
                };
                (taken, sp - c(1), 1)
            }
        };
        v.extend(
            op.keep
                .constraints(m, ctx, taken.clone(), sp.clone(), first),
        );
        v.extend(ctx.unused_from(m, first + 2));
        let next_iid = iid.clone() + c(1) + taken.clone() * (dst - iid - c(1));
        let (fid, frame) = (x.fid.expr(m), x.frame.expr(m));
        v.extend(ctx.goes_to(m, fid, next_iid, sp - taken * drop, frame));
        v.into_iter().map(|e| sel.clone() * e).collect::<Vec<_>>()
    });
    Box::new(op)
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
