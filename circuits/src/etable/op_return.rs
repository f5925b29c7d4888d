//! `return`: drops and keeps ([`super::keep`]) and goes back to the caller. In a called frame
//! the frame slot `(frame, next frame, callee, next fid, next iid, 1)` must be a returned
//! JTable entry; in the entry frame (frame 0) the return halts the run. `halt` is pinned by
//! an inverse: `frame · inv = 1 - halt`, `frame · halt = 0`.

use super::keep::Keep;
use super::{c, is_zero, Ctx, Op, StepWitness};
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
        let (sp, drop, frame, halt) = (x.sp.expr(m), x.b.expr(m), x.frame.expr(m), op.halt.expr(m));
        let mut v = is_zero(frame.clone(), halt.clone(), op.frame_inv.expr(m)).to_vec();
        v.extend(op.keep.constraints(m, ctx, c(1), sp.clone(), 0));
        v.extend(ctx.unused_from(m, 2));
        // Back in the caller: the JTable entry names where.
        let back = c(1) - halt;
        let next = [x.frame, x.fid, x.iid].map(|cell| ctx.next(m, cell));
        let want = [
            (0, frame),
            (1, next[0].clone()),
            (3, next[1].clone()),
            (4, next[2].clone()),
            (5, c(1)),
        ];
        for (i, e) in want {
            v.push(back.clone() * (ctx.frame_field(m, i) - e));
        }
        let on_next = ctx.next(m, x.enabled);
        v.push(on_next * (ctx.next(m, x.sp) - (sp - drop)));
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
