//! The effective address of a load or a store, shared by both classes: the access covers
//! `bytes` bytes (1, 2, 4 or 8) from byte address `ea = base + offset` (the popped u32 and the
//! immediate: 33 bits, no wrap-around), which lie in heap block `block = ea / 8` from byte
//! `pos = ea % 8` on, and in block `block + 1` too when they `span` past its end.
//!
//! Cells: the width as three monotone bits `wide = [bytes >= 2, bytes >= 4, bytes = 8]` (the
//! last two in common-range cells, bits by a rule: both classes have room there and none in
//! the bit columns), the position one-hot (`at[p]`, bits for `p = 1 .. 7`, `at[0]` their complement), `span` and a
//! bound `pages · 65536 - ea - bytes` in four byte limbs. The rules:
//!
//! - `block = (ea - pos) / 8`, an expression, not a cell. It needs no range check: with `pos`
//!   one of `0 .. 7`, a `pos` other than `ea % 8` makes `block` a field element far above
//!   2^250, and the access then names a heap block the MTable has no entry of (every heap
//!   location has an init entry, whose address lies in an image row's `[lo, hi)`, below
//!   2^33), so its access lookup fails;
//! - `span` is exactly `pos + bytes > 8` (an expression of bits that is 0 or 1, so its cell
//!   lies in an unlimited column, not a bit column);
//! - the bound: `ea + bytes <= pages · 65536`, so an access past the end of memory (a trap in
//!   Wasm) is never provable, although the MTable holds zeros for every block past it
//!   (`pages <= 65536`, kept by `memory.grow`, so a negative difference wraps far above 2^32).

use super::c;
use super::width::Width;
use crate::allocator::{Allocator, BlockWriter, Cell, U32Cell};
use crate::Fr;
use halo2_proofs::plonk::{ConstraintSystem, Expression, VirtualCells};

/// Bytes per Wasm page.
const PAGE: u64 = 65536;

#[derive(Clone, Copy, Debug)]
pub struct Address {
    wide: [Cell; 3],
    at: [Cell; 7],
    pub span: Cell,
    bound: U32Cell,
}

impl Address {
    pub fn configure(meta: &mut ConstraintSystem<Fr>, a: &mut Allocator) -> Self {
        Address {
            wide: [a.bit(meta), a.common(meta), a.common(meta)],
            at: std::array::from_fn(|_| a.bit(meta)),
            // No bit column: the rule pins it to a bit.
            span: a.unlimited(meta),
            bound: a.u32(meta),
        }
    }

    /// The access's width.
    pub fn width(&self, m: &mut VirtualCells<'_, Fr>) -> Width {
        Width(self.wide.map(|w| w.expr(m)))
    }

    /// The heap block the access starts in, `(ea - pos) / 8` (degree 1).
    pub fn block(&self, m: &mut VirtualCells<'_, Fr>, ea: Expression<Fr>) -> Expression<Fr> {
        let at = self.at(m);
        let pos = (1..8).fold(c(0), |acc, p| acc + at[p].clone() * c(p as u64));
        let eighth = Expression::Constant(Fr::from(8).invert().unwrap());
        (ea - pos) * eighth
    }

    /// `[pos = p]` for each `p` (degree 1).
    pub fn at(&self, m: &mut VirtualCells<'_, Fr>) -> [Expression<Fr>; 8] {
        let bits = self.at.map(|b| b.expr(m));
        let rest = bits.iter().fold(c(1), |acc, b| acc - b.clone());
        std::array::from_fn(|p| {
            if p == 0 {
                rest.clone()
            } else {
                bits[p - 1].clone()
            }
        })
    }

    /// `256^pos` (degree 1).
    pub fn shift(&self, m: &mut VirtualCells<'_, Fr>) -> Expression<Fr> {
        let at = self.at(m);
        (1..8).fold(at[0].clone(), |acc, p| {
            acc + at[p].clone() * c(1 << (8 * p))
        })
    }

    /// The bytes from `pos` on of the 16 bytes `b` of two blocks: `s[i] = b[pos + i]`
    /// (degree 2). Loads and stores call it on cells of the same columns, so the backend,
    /// which evaluates each distinct product once, pays its 64 products once for both gates.
    pub fn aligned(&self, m: &mut VirtualCells<'_, Fr>, b: &[Cell; 16]) -> [Expression<Fr>; 8] {
        let at = self.at(m);
        std::array::from_fn(|i| {
            (1..8).fold(at[0].clone() * b[i].expr(m), |acc, p| {
                acc + at[p].clone() * b[p + i].expr(m)
            })
        })
    }

    /// The witness of [`Address::aligned`]: the two blocks `lo`, `hi` from byte `ea % 8` on.
    pub fn aligned_value(lo: u64, hi: u64, ea: u64) -> u128 {
        ((hi as u128) << 64 | lo as u128) >> (8 * (ea % 8))
    }

    /// The rules above, for the byte address `ea` and the step's `pages` (degree ≤ 2).
    pub fn constraints(
        &self,
        m: &mut VirtualCells<'_, Fr>,
        ea: Expression<Fr>,
        pages: Expression<Fr>,
    ) -> Vec<Expression<Fr>> {
        let [w2, w4, w8] = self.wide.map(|w| w.expr(m));
        let at = self.at(m);
        let any = c(1) - at[0].clone();
        let span = at[7].clone() * w2.clone()
            + (at[5].clone() + at[6].clone()) * w4.clone()
            + (1..5).fold(c(0), |acc, p| acc + at[p].clone()) * w8.clone();
        vec![
            w4.clone() * (c(1) - w2),
            w4.clone() * (c(1) - w4.clone()),
            w8.clone() * (c(1) - w8.clone()),
            w8 * (c(1) - w4),
            any.clone() * (c(1) - any),
            self.span.expr(m) - span,
            pages * c(PAGE) - ea - self.width(m).bytes() - self.bound.expr(m),
        ]
    }

    /// The named cells (for tamper tests): `span`, the width bits `w2`, `w4`, `w8`
    /// and the position bits `at1` .. `at7`.
    pub fn cells(&self) -> Vec<(&'static str, Cell)> {
        const AT: [&str; 7] = ["at1", "at2", "at3", "at4", "at5", "at6", "at7"];
        let mut v = vec![("span", self.span)];
        v.extend(["w2", "w4", "w8"].into_iter().zip(self.wide));
        v.extend(AT.into_iter().zip(self.at));
        v
    }

    /// The cells of an access of `bytes` bytes at byte address `ea` with `pages` pages.
    pub fn assign(&self, w: &mut BlockWriter, ea: u64, bytes: u32, pages: u32) {
        for (cell, on) in self.wide.iter().zip([2, 4, 8]) {
            w.set_bool(*cell, bytes >= on);
        }
        let pos = (ea % 8) as usize;
        for (p, cell) in self.at.iter().enumerate() {
            w.set_bool(*cell, pos == p + 1);
        }
        w.set_bool(self.span, pos + bytes as usize > 8);
        // Wrapping: a forged access past the end gets a bound the gate rejects.
        let end = (pages as u64 * PAGE).wrapping_sub(ea + bytes as u64);
        w.set_u32(&self.bound, end as u32);
    }
}
