//! The image table in fixed columns: every instruction as `(fid, iid, class, sub, a, b, c)`
//! (see `zkwasm_tables::encode`). Being fixed, it is part of the verifying key, so a key binds
//! one program. Row 0 is all zeros: the tuple that steps past the end of the run look up.

use crate::Fr;
use halo2_proofs::circuit::{Layouter, Value};
use halo2_proofs::plonk::{ConstraintSystem, Error, TableColumn};
use zkwasm_tables::encode::opcode;
use zkwasm_tables::ImageTable;

/// `(fid, iid, class, sub, a, b, c)`.
pub const FIELDS: usize = 7;

#[derive(Clone, Copy, Debug)]
pub struct InstructionTable {
    pub cols: [TableColumn; FIELDS],
}

/// The instruction tuples of an image (without the zero row).
pub fn instruction_rows(image: &ImageTable) -> Vec<[u64; FIELDS]> {
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

impl InstructionTable {
    pub fn configure(meta: &mut ConstraintSystem<Fr>) -> Self {
        InstructionTable {
            cols: std::array::from_fn(|_| meta.lookup_table_column()),
        }
    }

    pub fn load(&self, layouter: &mut impl Layouter<Fr>, image: &ImageTable) -> Result<(), Error> {
        layouter.assign_table(
            || "instructions",
            |mut t| {
                let rows = std::iter::once([0; FIELDS]).chain(instruction_rows(image));
                for (r, row) in rows.enumerate() {
                    for (col, v) in self.cols.iter().zip(row) {
                        t.assign_cell(|| "instruction", *col, r, || Value::known(Fr::from(v)))?;
                    }
                }
                Ok(())
            },
        )
    }
}
