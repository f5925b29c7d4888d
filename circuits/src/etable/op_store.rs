//! Stores: `i32.store`, `i64.store`, `store8/16` (i32, i64), `i64.store32`, any alignment and
//! static offset. Slot 0 reads the value at `sp - 1`, slot 1 the address at `sp - 2`, slot 2
//! writes the heap block the access starts in, slot 3 the next block when the access spans
//! both (unused otherwise). A write's slot also holds the value it overwrote (`prev`, see
//! `access`), so each block is one access: a read-modify-write.
//!
//! `sub = bytes · 2 + is_i64` pins the kind: `is_i64` is that expression's rest, a bit by its
//! own rule (no cell: the width bits the image's `sub` does not have leave an even rest off
//! by at least 2); the address, width and bound are [`Address`]'s.
//! The old blocks are 16 byte limbs `O` (composing the slots' `prev`; the second is zero when
//! unused), the value 8 byte limbs `V`, and each written byte `j` of the two blocks is
//! `O[j] + Σ_i [j = pos + i] · [i < bytes] · (V[i] - O[j])`: the stored bytes are the value's
//! low ones, every other byte keeps its old value.

use super::address::Address;
use super::{c, Access, Ctx, Effects, Op, StepWitness};
use crate::allocator::{compose, Allocator, BlockWriter, Cell, Kind};
use crate::Fr;
use halo2_proofs::plonk::{ConstraintSystem, Expression, VirtualCells};
use zkwasm_tables::encode::Class;
use zkwasm_tracer::isa::Instr;
use zkwasm_tracer::trace::{Loc, Rw};

struct Store {
    address: Address,
    /// The two blocks' bytes before the store.
    old: [Cell; 16],
    /// The value's bytes.
    value: [Cell; 8],
}

pub fn configure(
    meta: &mut ConstraintSystem<Fr>,
    a: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    let op = Store {
        address: Address::configure(meta, a),
        old: std::array::from_fn(|_| a.alloc(meta, Kind::U8)),
        value: std::array::from_fn(|_| a.alloc(meta, Kind::U8)),
    };
    let x = ctx.common;
    meta.create_gate("op store", |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let at = &op.address;
        let ea = ctx.slot(1).value(m) + x.a.expr(m);
        let pages = x.pages.expr(m);
        let mut v = at.constraints(m, ea, pages);
        let is_i64 = op.is_i64(m, ctx);
        v.push(is_i64.clone() * (c(1) - is_i64));
        v.push(ctx.slot(0).value(m) - compose(m, &op.value));
        v.push(ctx.slot(2).prev(m) - compose(m, &op.old[..8]));
        v.push(ctx.slot(3).prev(m) - compose(m, &op.old[8..]));
        let mut new: [Expression<Fr>; 16] = std::array::from_fn(|j| op.old[j].expr(m));
        for (j, i, on) in at.covers(m) {
            new[j] = new[j].clone() + on * (op.value[i].expr(m) - op.old[j].expr(m));
        }
        let word = |bytes: &[Expression<Fr>]| {
            bytes
                .iter()
                .rev()
                .fold(c(0), |acc, b| acc * c(256) + b.clone())
        };
        v.push(ctx.slot(2).value(m) - word(&new[..8]));
        v.push(ctx.slot(3).value(m) - word(&new[8..]));
        v.into_iter().map(|e| sel.clone() * e).collect::<Vec<_>>()
    });
    Box::new(op)
}

impl Store {
    /// Whether the value is an i64: the rest of `sub` (degree 1; a bit by its rule).
    fn is_i64(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Expression<Fr> {
        ctx.common.sub.expr(m) - c(2) * self.address.bytes(m)
    }
}

impl Op for Store {
    fn class(&self) -> Class {
        Class::Store
    }

    fn effects(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Effects {
        let sp = ctx.common.sp.expr(m);
        let block = self.address.block.expr(m);
        Effects {
            accesses: vec![
                Access::stack(0, Rw::Read, sp.clone() - c(1), c(1) - self.is_i64(m, ctx)),
                Access::stack(1, Rw::Read, sp.clone() - c(2), c(1)),
                Access::new(2, Rw::Write, Loc::Heap, block.clone(), c(0)),
                Access::new(3, Rw::Write, Loc::Heap, block + c(1), c(0))
                    .when(self.address.span.expr(m)),
            ],
            next: ctx.goes_on(m, sp - c(2)),
        }
    }

    fn assign(&self, w: &mut BlockWriter, s: &StepWitness<'_>) {
        let Instr::Store { kind, offset } = s.row.instr else {
            return;
        };
        let ea = s.events[1].value + offset as u64;
        self.address.assign(w, ea, kind.bytes as u32, s.row.pages);
        w.set_bytes(&self.value, s.events[0].value);
        let prev = |j: usize| s.seen.get(j).map_or(0, |seen| seen.prev);
        w.set_bytes(&self.old[..8], prev(2));
        w.set_bytes(&self.old[8..], prev(3));
    }

    fn cells(&self) -> Vec<(&'static str, Cell)> {
        const OLD: [&str; 16] = [
            "old0", "old1", "old2", "old3", "old4", "old5", "old6", "old7", "old8", "old9",
            "old10", "old11", "old12", "old13", "old14", "old15",
        ];
        let mut v = self.address.cells();
        v.extend(OLD.into_iter().zip(self.old));
        v
    }
}
