//! `call` and `call_indirect` (one class: `sub` is 1 for `call_indirect`): opens a frame. The
//! frame slot holds `(eid, frame, fid, iid + 1, returned)`, looked up in the JTable (which
//! supplies each frame once for its call, once more if it returned); the next step is the
//! callee's first instruction in the new frame, the stack unchanged (the arguments become
//! the callee's first locals), less the slot a `call_indirect` pops.
//!
//! A `call`'s callee is its `a`. A `call_indirect`'s is a cell (byte limbs), tied to table 0
//! by the element lookup: `(slot, callee, ELEMENT, type)` must be an image row
//! (`image::element`), whose type is the callee's canonical type id, and the instruction's
//! `a` is its type's (the compiler names equal signatures by one index). An empty slot, a
//! slot past the table and a type mismatch have no row: those traps are never provable.

use super::{c, Access, Ctx, Effects, Next, Op, StepWitness};
use crate::allocator::{Allocator, BlockWriter, Cell, U32Cell};
use crate::image::ELEMENT;
use crate::Fr;
use halo2_proofs::plonk::{ConstraintSystem, Expression, VirtualCells};
use zkwasm_tables::encode::Class;
use zkwasm_tracer::trace::Rw;

struct Call {
    /// A `call_indirect`'s callee; zero for a `call`.
    callee: U32Cell,
}

pub fn configure(
    meta: &mut ConstraintSystem<Fr>,
    a: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    let op = Call {
        callee: a.u32(meta),
    };
    let x = ctx.common;
    meta.create_gate("op call", |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let f = ctx.frame;
        let want = [
            (f.frame, ctx.eid(m)),
            (f.parent, x.frame.expr(m)),
            (f.ret_fid, x.fid.expr(m)),
            (f.ret_iid, x.iid.expr(m) + c(1)),
        ];
        let mut v: Vec<_> = want
            .into_iter()
            .map(|(cell, e)| sel.clone() * (cell.expr(m) - e))
            .collect();
        let indirect = x.sub.expr(m);
        v.push(sel.clone() * indirect.clone() * (c(1) - indirect.clone()));
        v.push(sel * (c(1) - indirect) * op.callee.expr(m));
        v
    });
    Box::new(op)
}

impl Op for Call {
    fn class(&self) -> Class {
        Class::Call
    }

    fn calls(&self, _: &mut VirtualCells<'_, Fr>) -> Expression<Fr> {
        c(1)
    }

    fn effects(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Effects {
        let x = ctx.common;
        let (indirect, callee, a) = (x.sub.expr(m), self.callee.expr(m), x.a.expr(m));
        let sp = x.sp.expr(m);
        Effects {
            accesses: vec![
                Access::stack(0, Rw::Read, sp.clone() - c(1), c(1)).when(indirect.clone())
            ],
            next: Next {
                fid: a.clone() + indirect.clone() * (callee - a),
                iid: c(0),
                sp: sp - indirect,
                frame: ctx.eid(m),
            },
        }
    }

    fn element_lookup(
        &self,
        m: &mut VirtualCells<'_, Fr>,
        ctx: &Ctx,
    ) -> Option<(Expression<Fr>, Vec<Expression<Fr>>)> {
        let x = ctx.common;
        let (slot, callee) = (ctx.slot(0).value(m), self.callee.expr(m));
        let tuple = vec![slot, callee, c(ELEMENT), x.a.expr(m), c(0), c(0), c(0)];
        Some((x.sub.expr(m), tuple))
    }

    fn assign(&self, w: &mut BlockWriter, s: &StepWitness<'_>) {
        if let zkwasm_tracer::Instr::CallIndirect { .. } = s.row.instr {
            w.set_u32(&self.callee, s.next.map_or(0, |n| n.fid));
        }
    }

    fn cells(&self) -> Vec<(&'static str, Cell)> {
        let names = ["callee0", "callee1", "callee2", "callee3"];
        names.into_iter().zip(self.callee.limbs).collect()
    }
}
