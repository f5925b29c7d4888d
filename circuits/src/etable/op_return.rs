//! `return`: drops and keeps ([`super::keep`]) and goes back to the caller. In a called frame
//! the frame slot `(frame, next frame, callee, next fid, next iid, 1)` must be a returned
//! JTable entry; in the entry frame (frame 0) the return halts the run. `halt` is pinned by
//! an inverse: `frame · inv = 1 - halt`, `frame · halt = 0`.

use super::keep::Keep;
use super::{c, is_zero, Ctx, Effects, Next, Op, StepWitness};
use crate::allocator::{Allocator, BlockWriter, Cell};
use crate::Fr;
use ff::Field;
use halo2_proofs::plonk::{ConstraintSystem, Expression, VirtualCells};
use zkwasm_tables::encode::Class;
use zkwasm_tracer::isa::Instr;

struct Return {
    keep: Keep,
    halt: Cell,
    frame_inv: Cell,
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
        frame_inv: a.unlimited(meta),
    };
    let x = ctx.common;
    meta.create_gate("op return", |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let (frame, halt) = (x.frame.expr(m), op.halt.expr(m));
        let mut v = is_zero(frame.clone(), halt.clone(), op.frame_inv.expr(m)).to_vec();
        v.extend(op.keep.constraints(m, ctx, c(1), 0));
        // Back in the caller: the JTable entry is this frame's, returned (where to, the
        // shared next-state rule reads from it).
        let back = c(1) - halt;
        v.push(back.clone() * (ctx.frame_field(m, 0) - frame));
        v.push(back * (ctx.frame_field(m, 5) - c(1)));
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
        // The frame slot `(frame, parent, callee, ret_fid, ret_iid, returned)`: the caller's
        // frame and return address (a halting return has no next step).
        Effects {
            accesses: self.keep.accesses(m, ctx, sp.clone(), 0).into(),
            next: Next {
                fid: ctx.frame_field(m, 3),
                iid: ctx.frame_field(m, 4),
                sp: sp - drop,
                frame: ctx.frame_field(m, 1),
            },
        }
    }
    fn assign(&self, w: &mut BlockWriter, s: &StepWitness<'_>) {
        let Instr::Return(dk) = s.row.instr else {
            return;
        };
        self.keep.assign(w, dk, true);
        w.set_bool(self.halt, s.row.frame == 0);
        w.set(
            self.frame_inv,
            Fr::from(s.row.frame as u64).invert().unwrap_or(Fr::ZERO),
        );
    }
}
