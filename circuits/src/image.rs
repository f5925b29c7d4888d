//! The image table in fixed columns: being fixed, it is part of the verifying key, so a key
//! binds one program. Two lookups search it, told apart by the third field:
//!
//! - instructions `(fid, iid, class, sub, a, b, c)` (see `zkwasm_tables::encode`), looked up by
//!   the ETable's steps; the class is a class id;
//! - initial memory `(type, lo, INIT, hi, value, is_i32, mutable)` (a data block, a run of zero
//!   blocks, a global), looked up by the MTable's init entries; an init entry at address `a`
//!   needs a row with `lo <= a < hi`. [`INIT`] is no class id, and a step's class is a sum of
//!   its one-hot class bits times class ids, so neither lookup can land on the other's rows.
//!
//! Row 0 is all zeros: the tuple that disabled steps and non-init entries look up. Sharing
//! the columns saves the prover six fixed columns (each extended to the quotient's domain in
//! every proof).

use crate::Fr;
use halo2_proofs::circuit::{Layouter, Value};
use halo2_proofs::plonk::{ConstraintSystem, Error, Expression, TableColumn, VirtualCells};
use zkwasm_tables::encode::opcode;
use zkwasm_tables::{ImageTable, InitMemory};
use zkwasm_tracer::trace::Loc;
use zkwasm_tracer::ValTy;

/// Fields of a row.
pub const FIELDS: usize = 7;

/// One input of the image lookup: a tuple of expressions.
pub type Input<'a> = &'a dyn Fn(&mut VirtualCells<'_, Fr>) -> [Expression<Fr>; FIELDS];

/// The third field of initial-memory rows: no class id (`Class` is `repr(u8)`).
pub const INIT: u64 = u32::MAX as u64;
const _: () = assert!(INIT > u8::MAX as u64);

#[derive(Clone, Copy, Debug)]
pub struct ImageColumns {
    pub cols: [TableColumn; FIELDS],
}

/// The instruction tuples of an image.
fn instruction_rows(image: &ImageTable) -> Vec<[u64; FIELDS]> {
    image
        .instructions
        .iter()
        .map(|&(fid, iid, i)| {
            let o = opcode(i);
            [
                fid as u64,
                iid as u64,
                o.class as u64,
                o.sub as u64,
                o.a as u64,
                o.b as u64,
                o.c,
            ]
        })
        .collect()
}

/// The initial-memory tuples of an image.
fn init_rows(image: &ImageTable) -> Vec<[u64; FIELDS]> {
    let heap = Loc::Heap as u64;
    let blocks = image.memory.iter().map(|m| match *m {
        InitMemory::Block { block, value } => {
            [heap, block as u64, INIT, block as u64 + 1, value, 0, 1]
        }
        InitMemory::Zero { start, end } => [heap, start as u64, INIT, end as u64, 0, 0, 1],
    });
    let globals = image.globals.iter().enumerate().map(|(i, g)| {
        let i32 = (g.ty.width() == ValTy::I32) as u64;
        let global = Loc::Global as u64;
        [
            global,
            i as u64,
            INIT,
            i as u64 + 1,
            g.init,
            i32,
            g.mutable as u64,
        ]
    });
    blocks.chain(globals).collect()
}

impl ImageColumns {
    pub fn configure(meta: &mut ConstraintSystem<Fr>) -> Self {
        ImageColumns {
            cols: std::array::from_fn(|_| meta.lookup_table_column()),
        }
    }

    /// The lookup of the image: every input a tuple of [`FIELDS`] expressions, zeros on rows
    /// that look up nothing, and on any row at most one input nonzero (their sum is looked up,
    /// so the inputs share one argument: each lookup argument costs the prover three committed
    /// polynomials).
    pub fn lookup(&self, meta: &mut ConstraintSystem<Fr>, inputs: &[Input<'_>]) {
        meta.lookup("image", |m| {
            let mut sum: [Expression<Fr>; FIELDS] =
                std::array::from_fn(|_| Expression::Constant(Fr::zero()));
            for input in inputs {
                for (s, e) in sum.iter_mut().zip(input(m)) {
                    *s = s.clone() + e;
                }
            }
            sum.into_iter().zip(self.cols).collect()
        });
    }

    pub fn load(&self, layouter: &mut impl Layouter<Fr>, image: &ImageTable) -> Result<(), Error> {
        layouter.assign_table(
            || "image",
            |mut t| {
                let rows = std::iter::once([0; FIELDS])
                    .chain(instruction_rows(image))
                    .chain(init_rows(image));
                for (r, row) in rows.enumerate() {
                    for (col, v) in self.cols.iter().zip(row) {
                        t.assign_cell(|| "image", *col, r, || Value::known(Fr::from(v)))?;
                    }
                }
                Ok(())
            },
        )
    }
}
