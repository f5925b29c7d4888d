//! `call`: opens a frame. The frame slot holds `(eid, frame, callee, fid, iid + 1, returned)`,
//! looked up in the JTable (where the call counter makes it the frame of exactly one call);
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
        let eid = ctx.eid(m);
        let want = [
            eid.clone(),
            x.frame.expr(m),
            x.a.expr(m),
            x.fid.expr(m),
            x.iid.expr(m) + c(1),
        ];
        want.into_iter()
            .enumerate()
            .map(|(i, e)| sel.clone() * (ctx.frame_field(m, i) - e))
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
