//! `return`: keeps the top `keep` values (at most one here), drops `b` values under them, and
//! goes back to the caller. In a called frame the frame slot `(frame, next frame, callee,
//! next fid, next iid, 1)` must be a returned JTable entry; in the entry frame (frame 0) the
//! return halts the run. `halt` is pinned by an inverse: `frame · inv = 1 - halt`,
//! `frame · halt = 0`. The kept value moves only when `b > 0` (`nz` likewise).

use super::{c, Ctx, Op, StepWitness};
use crate::allocator::{Allocator, BlockWriter, Cell};
use crate::Fr;
use ff::Field;
use halo2_proofs::plonk::{ConstraintSystem, Expression, VirtualCells};
use zkwasm_tables::encode::Class;
use zkwasm_tracer::isa::{Instr, ValTy};
use zkwasm_tracer::trace::{Loc, Rw};

struct Return {
    keep: Cell,
    keep_i64: Cell,
    nz: Cell,
    drop_inv: Cell,
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
        keep: a.bit(meta),
        keep_i64: a.bit(meta),
        nz: a.bit(meta),
        halt: a.bit(meta),
        drop_inv: a.unlimited(meta),
        frame_inv: a.unlimited(meta),
    };
    let x = ctx.common;
    meta.create_gate("op return", |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let (sp, drop, frame) = (x.sp.expr(m), x.b.expr(m), x.frame.expr(m));
        let (keep, k64, nz, halt) = (
            op.keep.expr(m),
            op.keep_i64.expr(m),
            op.nz.expr(m),
            op.halt.expr(m),
        );
        let mut v = vec![
            // c = keep | i64 mask << 16, at most one kept value.
            x.c.expr(m) - (keep.clone() + k64.clone() * c(1 << 16)),
            k64.clone() * (c(1) - keep.clone()),
            drop.clone() * op.drop_inv.expr(m) - nz.clone(),
            drop.clone() * (c(1) - nz.clone()),
            frame.clone() * op.frame_inv.expr(m) - (c(1) - halt.clone()),
            frame.clone() * halt.clone(),
        ];
        let moves = keep * nz;
        let i32 = c(1) - k64;
        let (s0, s1) = (ctx.slot(0), ctx.slot(1));
        let mut slots = s0.is(
            m,
            Rw::Read,
            Loc::Stack as u64,
            sp.clone() - c(1),
            i32.clone(),
        );
        slots.extend(s1.is(
            m,
            Rw::Write,
            Loc::Stack as u64,
            sp.clone() - c(1) - drop.clone(),
            i32,
        ));
        slots.push(s1.value(m) - s0.value(m));
        v.extend(slots.into_iter().map(|e| moves.clone() * e));
        for j in [0, 1] {
            v.push((c(1) - moves.clone()) * ctx.slot(j).used(m));
        }
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
    fn assign(&self, w: &mut BlockWriter<'_, '_>, s: &StepWitness<'_>) {
        let Instr::Return(dk) = s.row.instr else {
            return;
        };
        w.set_bool(self.keep, dk.keep == 1);
        w.set_bool(self.keep_i64, dk.keep == 1 && dk.keep_ty(0) == ValTy::I64);
        w.set_bool(self.nz, dk.drop != 0);
        w.set(
            self.drop_inv,
            Fr::from(dk.drop as u64).invert().unwrap_or(Fr::ZERO),
        );
        w.set_bool(self.halt, s.row.frame == 0);
        w.set(
            self.frame_inv,
            Fr::from(s.row.frame as u64).invert().unwrap_or(Fr::ZERO),
        );
    }
}
