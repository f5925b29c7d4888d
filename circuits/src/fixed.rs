//! Fixed lookup tables: the 8-bit range and the common range `0 .. 2^k - RESERVED_ROWS`
//! (eids and eid differences). Contents come from `zkwasm_tables::fixed` and the capacity
//! model, so the checker and the circuit agree on them.

use crate::Fr;
use halo2_proofs::circuit::{Layouter, Value};
use halo2_proofs::plonk::{ConstraintSystem, Error, TableColumn};
use zkwasm_tables::capacity::RESERVED_ROWS;
use zkwasm_tables::fixed::range_table;

#[derive(Clone, Copy, Debug)]
pub struct FixedTables {
    pub range8: TableColumn,
    pub common: TableColumn,
}

impl FixedTables {
    pub fn configure(meta: &mut ConstraintSystem<Fr>) -> Self {
        FixedTables {
            range8: meta.lookup_table_column(),
            common: meta.lookup_table_column(),
        }
    }

    /// The largest common-range value plus one at circuit size `k`.
    pub fn common_bound(k: u32) -> u64 {
        (1u64 << k) - RESERVED_ROWS as u64
    }

    pub fn load(&self, layouter: &mut impl Layouter<Fr>, k: u32) -> Result<(), Error> {
        layouter.assign_table(
            || "range8",
            |mut t| {
                for (i, v) in range_table().enumerate() {
                    t.assign_cell(|| "range8", self.range8, i, || Value::known(Fr::from(v)))?;
                }
                Ok(())
            },
        )?;
        layouter.assign_table(
            || "common range",
            |mut t| {
                for v in 0..Self::common_bound(k) {
                    t.assign_cell(
                        || "common",
                        self.common,
                        v as usize,
                        || Value::known(Fr::from(v)),
                    )?;
                }
                Ok(())
            },
        )
    }
}
