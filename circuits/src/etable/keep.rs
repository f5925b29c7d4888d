//! The drop/keep of a jump or return: with `keep = 1` (at most one kept value here) and
//! `drop > 0`, the top value is read and written `drop` slots lower; otherwise nothing moves.
//! The opcode's `c` is `keep | i64 mask << 16`; `active` says whether the jump is taken. The
//! bit `moving` implies `active · keep`, and `drop · (active · keep - moving) = 0` makes it
//! equal whenever `drop != 0`. With `drop = 0` the prover may still move the value: onto
//! itself, which changes no memory (no inverse of `drop` is needed).

use super::{c, Access, Ctx};
use crate::allocator::{Allocator, BlockWriter, Cell};
use crate::Fr;
use halo2_proofs::plonk::{ConstraintSystem, Expression, VirtualCells};
use zkwasm_tracer::isa::{DropKeep, ValTy};
use zkwasm_tracer::trace::Rw;

pub struct Keep {
    keep: Cell,
    keep_i64: Cell,
    moving: Cell,
}

impl Keep {
    pub fn configure(meta: &mut ConstraintSystem<Fr>, a: &mut Allocator) -> Keep {
        Keep {
            keep: a.bit(meta),
            keep_i64: a.bit(meta),
            moving: a.bit(meta),
        }
    }

    /// The rules of a drop/keep: the opcode's keep fields (`c` is them plus `above`, zero
    /// but for a `br_table` target, whose index lies above them), `moving` (`active` has
    /// degree ≤ 1) and, when moving, the value it moves (slots `first` and `first + 1`).
    pub fn constraints(
        &self,
        m: &mut VirtualCells<'_, Fr>,
        ctx: &Ctx,
        active: Expression<Fr>,
        first: usize,
        above: Expression<Fr>,
    ) -> Vec<Expression<Fr>> {
        let x = ctx.common;
        let (keep, k64, moving, drop) = (
            self.keep.expr(m),
            self.keep_i64.expr(m),
            self.moving.expr(m),
            x.b.expr(m),
        );
        let kept = active * keep.clone();
        let moved = ctx.slot(first + 1).value(m) - ctx.slot(first).value(m);
        vec![
            x.c.expr(m) - (keep.clone() + k64.clone() * c(1 << 16)) - above,
            k64 * (c(1) - keep.clone()),
            moving.clone() * (c(1) - kept.clone()),
            drop * (kept - moving.clone()),
            moving * moved,
        ]
    }

    /// The accesses of a drop/keep at stack pointer `sp` (after the jump's own pops), in
    /// slots `first` and `first + 1`, made when the value moves: the top value read, written
    /// `drop` slots lower.
    pub fn accesses(
        &self,
        m: &mut VirtualCells<'_, Fr>,
        ctx: &Ctx,
        sp: Expression<Fr>,
        first: usize,
    ) -> [Access; 2] {
        let (moving, i32, drop) = (
            self.moving.expr(m),
            c(1) - self.keep_i64.expr(m),
            ctx.common.b.expr(m),
        );
        let top = sp - c(1);
        [
            Access::stack(first, Rw::Read, top.clone(), i32.clone()).when(moving.clone()),
            Access::stack(first + 1, Rw::Write, top - drop, i32).when(moving),
        ]
    }

    /// The cells, named, for tamper tests.
    pub fn cells(&self) -> [(&'static str, Cell); 3] {
        [
            ("keep", self.keep),
            ("keep_i64", self.keep_i64),
            ("moving", self.moving),
        ]
    }

    pub fn assign(&self, w: &mut BlockWriter, dk: DropKeep, active: bool) {
        w.set_bool(self.keep, dk.keep == 1);
        w.set_bool(self.keep_i64, dk.keep == 1 && dk.keep_ty(0) == ValTy::I64);
        w.set_bool(self.moving, active && dk.keep == 1 && dk.drop != 0);
    }
}
