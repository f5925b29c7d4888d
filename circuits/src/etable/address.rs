//! The effective address of a load or a store, shared by both classes: the access covers
//! `bytes` bytes (1, 2, 4 or 8) from byte address `ea = base + offset` (the popped u32 and the
//! immediate: 33 bits, no wrap-around), which lie in heap block `block = ea / 8` from byte
//! `pos = ea % 8` on, and in block `block + 1` too when they `span` past its end.
//!
//! Cells: the width as three monotone bits `wide = [bytes >= 2, bytes >= 4, bytes = 8]`, the
//! position one-hot (`at[p]`, bits for `p = 1 .. 7`, `at[0]` their complement), `span`, `block`
//! and a bound `pages · 65536 - ea - bytes` in four byte limbs. The rules:
//!
//! - `ea = 8 · block + pos`. `block` needs no range check of its own: with `pos` one of
//!   `0 .. 7`, a `block` other than `ea / 8` is `(ea - pos) / 8` for a `pos` that is not
//!   `ea % 8`, a field element far above 2^250, and the access then names a heap block the
//!   MTable has no entry of (every heap location has an init entry, whose address lies in an
//!   image row's `[lo, hi)`, below 2^33), so its access lookup fails;
//! - `span` is exactly `pos + bytes > 8`;
//! - the bound: `ea + bytes <= pages · 65536`, so an access past the end of memory (a trap in
//!   Wasm) is never provable, although the MTable holds zeros for every block past it
//!   (`pages <= 65536`, kept by `memory.grow`, so a negative difference wraps far above 2^32).

use super::c;
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
    pub block: Cell,
    bound: U32Cell,
}

impl Address {
    pub fn configure(meta: &mut ConstraintSystem<Fr>, a: &mut Allocator) -> Self {
        Address {
            wide: std::array::from_fn(|_| a.bit(meta)),
            at: std::array::from_fn(|_| a.bit(meta)),
            span: a.bit(meta),
            block: a.unlimited(meta),
            bound: a.u32(meta),
        }
    }

    /// The access's width in bytes.
    pub fn bytes(&self, m: &mut VirtualCells<'_, Fr>) -> Expression<Fr> {
        let [w2, w4, w8] = self.wide.map(|w| w.expr(m));
        c(1) + w2 + c(2) * w4 + c(4) * w8
    }

    /// `[i < bytes]` for each byte `i` of a value (degree 1).
    pub fn mask(&self, m: &mut VirtualCells<'_, Fr>) -> [Expression<Fr>; 8] {
        let [w2, w4, w8] = self.wide.map(|w| w.expr(m));
        std::array::from_fn(|i| match i {
            0 => c(1),
            1 => w2.clone(),
            2 | 3 => w4.clone(),
            _ => w8.clone(),
        })
    }

    /// `2^(8 · bytes)`.
    pub fn power(&self, m: &mut VirtualCells<'_, Fr>) -> Expression<Fr> {
        let [w2, w4, w8] = self.wide.map(|w| w.expr(m));
        let k = |v: u64| Expression::Constant(Fr::from(v));
        k(1 << 8)
            + w2 * k((1 << 16) - (1 << 8))
            + w4 * k((1 << 32) - (1 << 16))
            + w8 * k(u64::MAX - u32::MAX as u64)
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

    /// `[byte j of the two blocks holds byte i of the value]` for the 16 bytes `j` of the
    /// blocks and the 8 bytes `i` of a value, as `(j, i, indicator)` (degree 2): the access's
    /// bytes are the `i < bytes` from `pos` on.
    pub fn covers(&self, m: &mut VirtualCells<'_, Fr>) -> Vec<(usize, usize, Expression<Fr>)> {
        let (at, mask) = (self.at(m), self.mask(m));
        let mut v = vec![];
        for (p, at) in at.iter().enumerate() {
            for (i, mask) in mask.iter().enumerate() {
                v.push((p + i, i, at.clone() * mask.clone()));
            }
        }
        v
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
        let pos = (1..8).fold(c(0), |acc, p| acc + at[p].clone() * c(p as u64));
        let any = c(1) - at[0].clone();
        let span = at[7].clone() * w2.clone()
            + (at[5].clone() + at[6].clone()) * w4.clone()
            + (1..5).fold(c(0), |acc, p| acc + at[p].clone()) * w8.clone();
        vec![
            w4.clone() * (c(1) - w2),
            w8 * (c(1) - w4),
            any.clone() * (c(1) - any),
            self.span.expr(m) - span,
            ea.clone() - c(8) * self.block.expr(m) - pos,
            pages * c(PAGE) - ea - self.bytes(m) - self.bound.expr(m),
        ]
    }

    /// The named cells (for tamper tests): `span`, `block`, the width bits `w2`, `w4`, `w8`
    /// and the position bits `at1` .. `at7`.
    pub fn cells(&self) -> Vec<(&'static str, Cell)> {
        const AT: [&str; 7] = ["at1", "at2", "at3", "at4", "at5", "at6", "at7"];
        let mut v = vec![("span", self.span), ("block", self.block)];
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
        w.set_u64(self.block, ea / 8);
        // Wrapping: a forged access past the end gets a bound the gate rejects.
        let end = (pages as u64 * PAGE).wrapping_sub(ea + bytes as u64);
        w.set_u32(&self.bound, end as u32);
    }
}
