//! The drop/keep of a jump or return: with `keep = 1` (at most one kept value here) and
//! `drop > 0`, the top value is read and written `drop` slots lower; otherwise nothing moves.
//! The opcode's `c` is `keep | i64 mask << 16`; `nz` says `drop != 0` (pinned by an
//! inverse); `moving = active · keep · nz`, with `active` whether the jump is taken.

use super::{c, Ctx};
use crate::allocator::{Allocator, BlockWriter, Cell};
use crate::Fr;
use ff::Field;
use halo2_proofs::plonk::{ConstraintSystem, Expression, VirtualCells};
use zkwasm_tracer::isa::{DropKeep, ValTy};
use zkwasm_tracer::trace::{Loc, Rw};

pub struct Keep {
    keep: Cell,
    keep_i64: Cell,
    nz: Cell,
    drop_inv: Cell,
    moving: Cell,
}

impl Keep {
    pub fn configure(meta: &mut ConstraintSystem<Fr>, a: &mut Allocator) -> Keep {
        Keep {
            keep: a.bit(meta),
            keep_i64: a.bit(meta),
            nz: a.bit(meta),
            moving: a.bit(meta),
            drop_inv: a.unlimited(meta),
        }
    }

    /// The constraints of a drop/keep at stack pointer `sp` (after the jump's own pops),
    /// using slots `first` and `first + 1`; `active` has degree ≤ 1.
    pub fn constraints(
        &self,
        m: &mut VirtualCells<'_, Fr>,
        ctx: &Ctx,
        active: Expression<Fr>,
        sp: Expression<Fr>,
        first: usize,
    ) -> Vec<Expression<Fr>> {
        let x = ctx.common;
        let (keep, k64, nz, moving, drop) = (
            self.keep.expr(m),
            self.keep_i64.expr(m),
            self.nz.expr(m),
            self.moving.expr(m),
            x.b.expr(m),
        );
        let mut v = vec![
            x.c.expr(m) - (keep.clone() + k64.clone() * c(1 << 16)),
            k64.clone() * (c(1) - keep.clone()),
            drop.clone() * self.drop_inv.expr(m) - nz.clone(),
            drop.clone() * (c(1) - nz.clone()),
            moving.clone() - active * keep * nz,
        ];
        let i32 = c(1) - k64;
        let (s0, s1) = (ctx.slot(first), ctx.slot(first + 1));
        let mut moves = s0.is(
            m,
            Rw::Read,
            Loc::Stack as u64,
            sp.clone() - c(1),
            i32.clone(),
        );
        moves.extend(s1.is(m, Rw::Write, Loc::Stack as u64, sp - c(1) - drop, i32));
        moves.push(s1.value(m) - s0.value(m));
        v.extend(moves.into_iter().map(|e| moving.clone() * e));
        v.push((c(1) - moving.clone()) * s0.used(m));
        v.push((c(1) - moving) * s1.used(m));
        v
    }

    pub fn assign(&self, w: &mut BlockWriter, dk: DropKeep, active: bool) {
        w.set_bool(self.keep, dk.keep == 1);
        w.set_bool(self.keep_i64, dk.keep == 1 && dk.keep_ty(0) == ValTy::I64);
        w.set_bool(self.nz, dk.drop != 0);
        w.set(
            self.drop_inv,
            Fr::from(dk.drop as u64).invert().unwrap_or(Fr::ZERO),
        );
        w.set_bool(self.moving, active && dk.keep == 1 && dk.drop != 0);
    }
}
