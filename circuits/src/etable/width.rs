//! A value's width in bytes (1, 2, 4 or 8) as three monotone bits `[bytes >= 2, bytes >= 4,
//! bytes = 8]`, and what the classes that cut a value to a width (loads, stores,
//! conversions) compute from them. Each function is linear in the bits, so its degree is
//! one above its bytes'.

use super::c;
use crate::Fr;
use halo2_proofs::plonk::Expression;

pub struct Width(pub [Expression<Fr>; 3]);

impl Width {
    /// The width in bytes.
    pub fn bytes(&self) -> Expression<Fr> {
        let [w2, w4, w8] = self.0.clone();
        c(1) + w2 + c(2) * w4 + c(4) * w8
    }

    /// `[i < bytes]` for each byte `i` of a value.
    pub fn mask(&self) -> [Expression<Fr>; 8] {
        let [w2, w4, w8] = self.0.clone();
        std::array::from_fn(|i| match i {
            0 => c(1),
            1 => w2.clone(),
            2 | 3 => w4.clone(),
            _ => w8.clone(),
        })
    }

    /// `2^(8 · bytes)`.
    pub fn power(&self) -> Expression<Fr> {
        let [w2, w4, w8] = self.0.clone();
        let k = |v: u64| Expression::Constant(Fr::from(v));
        k(1 << 8)
            + w2 * k((1 << 16) - (1 << 8))
            + w4 * k((1 << 32) - (1 << 16))
            + w8 * k(u64::MAX - u32::MAX as u64)
    }

    /// `Σ_{i < bytes} s[i] · 256^i`: the low `bytes` bytes of `s` as a number.
    pub fn low(&self, s: &[Expression<Fr>; 8]) -> Expression<Fr> {
        let [w2, w4, w8] = self.0.clone();
        let part =
            |r: std::ops::Range<usize>| r.fold(c(0), |acc, i| acc + s[i].clone() * c(1 << (8 * i)));
        part(0..1) + w2 * part(1..2) + w4 * part(2..4) + w8 * part(4..8)
    }

    /// `s[bytes - 1]`: the top byte of the low `bytes` bytes of `s`.
    pub fn top(&self, s: &[Expression<Fr>; 8]) -> Expression<Fr> {
        let [w2, w4, w8] = self.0.clone();
        (c(1) - w2.clone()) * s[0].clone()
            + (w2 - w4.clone()) * s[1].clone()
            + (w4 - w8.clone()) * s[3].clone()
            + w8 * s[7].clone()
    }
}
