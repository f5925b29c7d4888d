//! An exponent below a value's width, as the shifts and the zero counts take it apart:
//! `e = 8 q + r` with `r` three bits and `q` one-hot over eight positions (byte cells that sum
//! to one, so one is 1 and the others 0, with no rule of their own; `q < 4` for i32), and
//! `A = 2^r` (a byte cell, pinned by the bits). Then `2^e = A · 256^q`, degree 2 without a
//! cell, and a value moves by whole bytes as products of a position cell and its limbs.

use super::c;
use crate::allocator::{Allocator, BlockWriter, Cell, Kind};
use crate::Fr;
use halo2_proofs::plonk::{ConstraintSystem, Expression, VirtualCells};

#[derive(Clone, Copy, Debug)]
pub struct Exponent {
    pub r: [Cell; 3],
    /// `[q = j]` for each position `j`.
    pub g: [Cell; 8],
    /// `2^r`.
    pub a: Cell,
}

impl Exponent {
    pub fn configure(meta: &mut ConstraintSystem<Fr>, a: &mut Allocator) -> Self {
        Exponent {
            r: std::array::from_fn(|_| a.bit(meta)),
            g: std::array::from_fn(|_| a.alloc(meta, Kind::U8)),
            a: a.alloc(meta, Kind::U8),
        }
    }

    /// The rules: one position, below 4 for i32, and `A = 2^r` (degree ≤ 3).
    pub fn constraints(
        &self,
        m: &mut VirtualCells<'_, Fr>,
        is_i64: Expression<Fr>,
    ) -> Vec<Expression<Fr>> {
        let [r0, r1, r2] = self.r.map(|b| b.expr(m));
        let g = self.positions(m);
        vec![
            g.iter().fold(c(0), |acc, gq| acc + gq.clone()) - c(1),
            (c(1) - is_i64) * (4..8).fold(c(0), |acc, q| acc + g[q].clone()),
            self.a.expr(m) - (c(1) + r0) * (c(1) + c(3) * r1) * (c(1) + c(15) * r2),
        ]
    }

    /// `[q = j]` for each position `j`.
    pub fn positions(&self, m: &mut VirtualCells<'_, Fr>) -> [Expression<Fr>; 8] {
        std::array::from_fn(|q| self.g[q].expr(m))
    }

    /// `e = 8 q + r` (degree 1).
    pub fn value(&self, m: &mut VirtualCells<'_, Fr>) -> Expression<Fr> {
        let [r0, r1, r2] = self.r.map(|b| b.expr(m));
        let g = self.positions(m);
        (0..8).fold(r0 + c(2) * r1 + c(4) * r2, |acc, q| {
            acc + g[q].clone() * c(8 * q as u64)
        })
    }

    /// `256^q` (degree 1).
    pub fn bytes_power(&self, m: &mut VirtualCells<'_, Fr>) -> Expression<Fr> {
        let g = self.positions(m);
        (0..8).fold(c(0), |acc, q| acc + g[q].clone() * c(1 << (8 * q)))
    }

    pub fn assign(&self, w: &mut BlockWriter, e: u64) {
        for (i, cell) in self.r.iter().enumerate() {
            w.set_bool(*cell, e >> i & 1 == 1);
        }
        for (q, cell) in self.g.iter().enumerate() {
            w.set_bool(*cell, q as u64 == e >> 3);
        }
        w.set_u64(self.a, 1 << (e & 7));
    }

    /// The named cells (for tamper tests): `r0` .. `r2`, `g0` .. `g7`, `a0` (`2^r`).
    pub fn cells(&self) -> Vec<(&'static str, Cell)> {
        const G: [&str; 8] = ["g0", "g1", "g2", "g3", "g4", "g5", "g6", "g7"];
        let mut v: Vec<_> = ["r0", "r1", "r2"].into_iter().zip(self.r).collect();
        v.extend(G.into_iter().zip(self.g));
        v.push(("a0", self.a));
        v
    }
}
