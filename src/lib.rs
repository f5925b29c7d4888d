//! zkwasm: a zero-knowledge virtual machine for WebAssembly.
//!
//! The library a rollup node embeds: [`tracer`] loads and runs programs, [`tables`] lays a run
//! out as the tables the circuits prove and checks them, [`prover`] makes keys and proofs.

pub use zkwasm_prover as prover;
pub use zkwasm_tables as tables;
pub use zkwasm_tracer as tracer;
