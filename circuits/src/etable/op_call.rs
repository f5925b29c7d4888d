//! `call`: opens a frame. The frame slot holds `(eid, frame, callee, fid, iid + 1, returned)`,
//! looked up in the JTable (where the call counter makes it the frame of exactly one call);
//! the next step is the callee's first instruction in the new frame, the stack unchanged
//! (the arguments become the callee's first locals).

use super::{c, Ctx, Op, StepWitness};
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
        let mut v: Vec<Expression<Fr>> = want
            .into_iter()
            .enumerate()
            .map(|(i, e)| ctx.frame_field(m, i) - e)
            .collect();
        v.extend(ctx.unused_from(m, 0));
        let (callee, sp) = (x.a.expr(m), x.sp.expr(m));
        v.extend(ctx.goes_to(m, callee, c(0), sp, eid));
        v.into_iter().map(|e| sel.clone() * e).collect::<Vec<_>>()
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
    fn assign(&self, _: &mut BlockWriter, _: &StepWitness<'_>) {}
}
