//! `call`: opens a frame. The frame slot holds `(eid, frame, fid, iid + 1, returned)`, looked
//! up in the JTable (which supplies each frame once for its call, once more if it returned);
//! the next step is the callee's first instruction in the new frame, the stack unchanged
//! (the arguments become the callee's first locals).

use super::{c, Ctx, Effects, Next, Op, StepWitness};
use crate::allocator::{Allocator, BlockWriter, Cell};
use crate::Fr;
use halo2_proofs::plonk::{ConstraintSystem, Expression, VirtualCells};
use zkwasm_tables::encode::Class;

struct Call;

pub fn configure(
    meta: &mut ConstraintSystem<Fr>,
    _: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
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
        want.into_iter()
            .map(|(cell, e)| sel.clone() * (cell.expr(m) - e))
            .collect::<Vec<_>>()
    });
    Box::new(Call)
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
        Effects {
            accesses: vec![],
            next: Next {
                fid: x.a.expr(m),
                iid: c(0),
                sp: x.sp.expr(m),
                frame: ctx.eid(m),
            },
        }
    }
    fn assign(&self, _: &mut BlockWriter, _: &StepWitness<'_>) {}
}
