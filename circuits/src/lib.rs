//! zkwasm circuits (Halo2, KZG over BN254 with halo2-axiom): the cell allocator, the range
//! checks and the table circuits. Each circuit enforces the rules that
//! `zkwasm_tables::check` states in plain Rust; `circuits/README.md` keeps the cost budget.

pub mod allocator;
pub mod bittable;
pub mod blocks;
pub mod etable;
pub mod image;
pub mod jtable;
pub mod mock;
pub mod mtable;
pub mod range;
pub mod tamper;
pub mod vm;

pub use halo2_proofs::halo2curves::bn256::Fr;
