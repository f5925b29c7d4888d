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
//! unused), the value 8 byte limbs `V`. Two rules pin the written blocks:
//!
//! - the next block, byte by byte: byte `j` is `O[j] + Σ_i [j = pos + i] · [i < bytes] ·
//!   (V[i] - O[j])`, the value's byte where the access covers it, the old byte elsewhere (28
//!   position and width pairs reach it; zero pairs when the access does not span);
//! - both blocks as one 128-bit number: `new = old + 256^pos · (V' - O')`, with `V'` the
//!   value's low `bytes` bytes and `O'` the old bytes the access covers (the cell `covered`,
//!   which keeps this rule at degree 3; it is the same aligned window a load reads, on the
//!   same columns, so the backend evaluates its products once for both gates).
//!   Every term is below 2^128 < p, so with the next block pinned to its true bytes this
//!   pins the first to its true value too: no byte cells of its own, and still a value in
//!   range, as every write's must be (the MTable relies on it).

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
    /// The old bytes the access covers, as a number (a cell so that the rule moving the
    /// blocks stays at degree 3).
    covered: Cell,
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
        covered: a.unlimited(meta),
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
        // The next block: each byte `j` its old one, or the value's byte `j - pos` inside the
        // access (at most 28 position and width pairs reach it).
        let (pos, mask) = (at.at(m), at.width(m).mask());
        let next = (8..16).rev().fold(c(0), |acc, j| {
            let old = op.old[j].expr(m);
            let new = ((j - 7)..8).fold(old.clone(), |b, p| {
                b + pos[p].clone() * mask[j - p].clone() * (op.value[j - p].expr(m) - old.clone())
            });
            acc * c(256) + new
        });
        v.push(ctx.slot(3).value(m) - next);
        // Both blocks as one 128-bit number move by `256^pos` times the change of the
        // accessed bytes; with the next block pinned, this pins the first.
        let value: [Expression<Fr>; 8] = std::array::from_fn(|i| op.value[i].expr(m));
        let old = at.aligned(m, &op.old);
        let covered = op.covered.expr(m);
        v.push(covered.clone() - at.width(m).low(&old));
        let change = at.width(m).low(&value) - covered;
        let base = Expression::Constant(Fr::from(u64::MAX) + Fr::one());
        let (first, second) = (ctx.slot(2), ctx.slot(3));
        let new = first.value(m) + second.value(m) * base.clone();
        let old = first.prev(m) + second.prev(m) * base;
        v.push(new - old - at.shift(m) * change);
        v.into_iter().map(|e| sel.clone() * e).collect::<Vec<_>>()
    });
    Box::new(op)
}

impl Store {
    /// Whether the value is an i64: the rest of `sub` (degree 1; a bit by its rule).
    fn is_i64(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Expression<Fr> {
        ctx.common.sub.expr(m) - c(2) * self.address.width(m).bytes()
    }
}

impl Op for Store {
    fn class(&self) -> Class {
        Class::Store
    }

    fn effects(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Effects {
        let sp = ctx.common.sp.expr(m);
        let ea = ctx.slot(1).value(m) + ctx.common.a.expr(m);
        let block = self.address.block(m, ea);
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
        let covered =
            Address::aligned_value(prev(2), prev(3), ea) & ((1u128 << (8 * kind.bytes)) - 1);
        w.set_u64(self.covered, covered as u64);
    }

    fn cells(&self) -> Vec<(&'static str, Cell)> {
        const OLD: [&str; 16] = [
            "old0", "old1", "old2", "old3", "old4", "old5", "old6", "old7", "old8", "old9",
            "old10", "old11", "old12", "old13", "old14", "old15",
        ];
        let mut v = self.address.cells();
        v.extend(OLD.into_iter().zip(self.old));
        v.push(("covered", self.covered));
        v
    }
}
