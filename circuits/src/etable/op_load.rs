//! Loads: `i32.load`, `i64.load`, `load8/16 _s/_u` (i32, i64), `i64.load32_s/_u`, any
//! alignment and static offset. Slot 0 reads the address at `sp - 1`, slot 1 the heap block
//! the access starts in, slot 2 the next block when the access spans both (unused otherwise),
//! slot 3 writes the result over the address.
//!
//! `sub = bytes · 4 + signed · 2 + is_i64` pins the kind (`is_i64` is that expression's
//! rest, a bit by its own rule, so it needs no cell); the address, width and bound are
//! [`Address`]'s. The two blocks are 16 byte limbs `L` (their values composed; the second is
//! zero when unused, as the slot's value is), and the result is
//! `Σ_i [i < bytes] · L[pos + i] · 256^i + sign · (2^W - 256^bytes)`: every result byte is
//! pinned, the ones past the width to zero or to the sign fill, never free (the reference
//! system's "Load8 data injection" bug was a free upper limb). `sign = signed · top`, where
//! `top` is the top bit of the loaded top byte `T` (`2 T - 256 · top` a byte).
//!
//! `signed` and `top` are byte-limb cells, not bit cells: the ETable's bit columns are sized
//! by the class with the most bits, and this one has spare byte limbs. `signed` has a rule of
//! its own (`signed · (1 - signed)`); `top` needs none: with `T < 256`, `2 T - 256 · top` is
//! a byte only for `top = [T >= 128]`.

use super::address::Address;
use super::{c, modulus, Access, Ctx, Effects, Op, StepWitness};
use crate::allocator::{compose, Allocator, BlockWriter, Cell, Kind};
use crate::Fr;
use halo2_proofs::plonk::{ConstraintSystem, Expression, VirtualCells};
use zkwasm_tables::encode::Class;
use zkwasm_tracer::isa::Instr;
use zkwasm_tracer::trace::{Loc, Rw};

struct Load {
    address: Address,
    /// The two blocks' bytes.
    bytes: [Cell; 16],
    /// (A byte-limb cell, see the module docs.)
    signed: Cell,
    /// The top bit of the loaded value's top byte (a byte-limb cell).
    top: Cell,
    /// `2 T - 256 · top`.
    low: Cell,
}

pub fn configure(
    meta: &mut ConstraintSystem<Fr>,
    a: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    // The bytes first: they take the columns of the store's old bytes (see `Address::aligned`).
    let address = Address::configure(meta, a);
    let bytes = std::array::from_fn(|_| a.alloc(meta, Kind::U8));
    let op = Load {
        address,
        bytes,
        signed: a.alloc(meta, Kind::U8),
        top: a.alloc(meta, Kind::U8),
        low: a.alloc(meta, Kind::U8),
    };
    let x = ctx.common;
    meta.create_gate("op load", |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let at = &op.address;
        let (signed, is_i64, top_bit) = (op.signed.expr(m), op.is_i64(m, ctx), op.top.expr(m));
        let ea = ctx.slot(0).value(m) + x.a.expr(m);
        let pages = x.pages.expr(m);
        let mut v = at.constraints(m, ea, pages);
        v.push(signed.clone() * (c(1) - signed.clone()));
        v.push(is_i64.clone() * (c(1) - is_i64.clone()));
        v.push(ctx.slot(1).value(m) - compose(m, &op.bytes[..8]));
        v.push(ctx.slot(2).value(m) - compose(m, &op.bytes[8..]));
        let aligned = at.aligned(m, &op.bytes);
        let top = at.width(m).top(&aligned);
        v.push(op.low.expr(m) - (c(2) * top - c(256) * top_bit.clone()));
        let fill = signed * top_bit * (modulus(is_i64) - at.width(m).power());
        v.push(ctx.slot(3).value(m) - at.width(m).low(&aligned) - fill);
        v.into_iter().map(|e| sel.clone() * e).collect::<Vec<_>>()
    });
    Box::new(op)
}

impl Load {
    /// Whether the result is an i64: the rest of `sub` (degree 1; a bit by its rule).
    fn is_i64(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Expression<Fr> {
        let bytes = self.address.width(m).bytes();
        ctx.common.sub.expr(m) - c(4) * bytes - c(2) * self.signed.expr(m)
    }
}

impl Op for Load {
    fn class(&self) -> Class {
        Class::Load
    }

    fn effects(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Effects {
        let sp = ctx.common.sp.expr(m);
        let ea = ctx.slot(0).value(m) + ctx.common.a.expr(m);
        let block = self.address.block(m, ea);
        let top = sp.clone() - c(1);
        Effects {
            accesses: vec![
                Access::stack(0, Rw::Read, top.clone(), c(1)),
                Access::new(1, Rw::Read, Loc::Heap, block.clone(), c(0)),
                Access::new(2, Rw::Read, Loc::Heap, block + c(1), c(0))
                    .when(self.address.span.expr(m)),
                Access::stack(3, Rw::Write, top, c(1) - self.is_i64(m, ctx)),
            ],
            next: ctx.goes_on(m, sp),
        }
    }

    fn assign(&self, w: &mut BlockWriter, s: &StepWitness<'_>) {
        let Instr::Load { kind, offset } = s.row.instr else {
            return;
        };
        let ea = s.events[0].value + offset as u64;
        let bytes = kind.bytes();
        self.address.assign(w, ea, bytes, s.row.pages);
        let lo = s.events[1].value;
        let hi = if s.events.len() == 4 {
            s.events[2].value
        } else {
            0
        };
        let raw = Address::aligned_value(lo, hi, ea);
        let top = (raw >> (8 * (bytes - 1))) as u8;
        w.set_bool(self.signed, kind.signed());
        w.set_bool(self.top, top >= 128);
        w.set_bytes(&self.bytes[..8], lo);
        w.set_bytes(&self.bytes[8..], hi);
        w.set_u64(self.low, (top as u64 * 2) & 0xff);
    }

    fn cells(&self) -> Vec<(&'static str, Cell)> {
        let mut v = self.address.cells();
        v.extend([
            ("signed", self.signed),
            ("top", self.top),
            ("low", self.low),
        ]);
        v
    }
}
