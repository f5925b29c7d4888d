//! `return`: drops and keeps ([`super::keep`]) and goes back to the caller. In a called frame
//! the frame slot `(frame, next frame, next fid, next iid, 1)` must be a returned JTable
//! entry; in the entry frame (frame 0) the return halts the run. `halt` needs no inverse:
//! `frame · halt = 0`, and a return that does not halt looks up its frame, which frame 0 (the
//! static entry, supplied to no lookup) cannot be.

use super::keep::Keep;
use super::{c, Ctx, Effects, Next, Op, StepWitness};
use crate::allocator::{Allocator, BlockWriter, Cell};
use crate::Fr;
use halo2_proofs::plonk::{ConstraintSystem, Expression, VirtualCells};
use zkwasm_tables::encode::Class;
use zkwasm_tracer::isa::Instr;

struct Return {
    keep: Keep,
    halt: Cell,
}

pub fn configure(
    meta: &mut ConstraintSystem<Fr>,
    a: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    let op = Return {
        keep: Keep::configure(meta, a),
        halt: a.bit(meta),
    };
    let x = ctx.common;
    meta.create_gate("op return", |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let (frame, halt) = (x.frame.expr(m), op.halt.expr(m));
        let mut v = vec![frame.clone() * halt.clone()];
        v.extend(op.keep.constraints(m, ctx, c(1), 0, c(0)));
        // Back in the caller: the JTable entry is this frame's, returned (where to, the
        // shared next-state rule reads from it).
        let (back, f) = (c(1) - halt, ctx.frame);
        v.push(back.clone() * (f.frame.expr(m) - frame));
        v.push(back * (f.returned.expr(m) - c(1)));
        v.into_iter().map(|e| sel.clone() * e).collect::<Vec<_>>()
    });
    Box::new(op)
}

impl Op for Return {
    fn class(&self) -> Class {
        Class::Return
    }
    fn returns(&self, m: &mut VirtualCells<'_, Fr>) -> Expression<Fr> {
        c(1) - self.halt.expr(m)
    }
    fn halts(&self, m: &mut VirtualCells<'_, Fr>) -> Expression<Fr> {
        self.halt.expr(m)
    }
    fn effects(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Effects {
        let (sp, drop) = (ctx.common.sp.expr(m), ctx.common.b.expr(m));
        // The frame slot `(frame, parent, ret_fid, ret_iid, returned)`: the caller's
        // frame and return address (a halting return has no next step).
        Effects {
            accesses: self.keep.accesses(m, ctx, sp.clone(), 0).into(),
            next: Next {
                fid: ctx.frame.ret_fid.expr(m),
                iid: ctx.frame.ret_iid.expr(m),
                sp: sp - drop,
                frame: ctx.frame.parent.expr(m),
            },
        }
    }
    fn cells(&self) -> Vec<(&'static str, Cell)> {
        let mut v = vec![("halt", self.halt)];
        v.extend(self.keep.cells());
        v
    }
    fn assign(&self, w: &mut BlockWriter, s: &StepWitness<'_>) {
        let Instr::Return(dk) = s.row.instr else {
            return;
        };
        self.keep.assign(w, dk, true);
        w.set_bool(self.halt, s.row.frame == 0);
    }
}
