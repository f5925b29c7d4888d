//! Witness tampering for negative tests: replace the value of any assigned advice cell after
//! the honest assignment, so a test can forge exactly the cell an attacker would and check
//! that the circuit rejects it. Honest proving uses an empty set.

use crate::range::RangeWitness;
use crate::Fr;
use halo2_proofs::circuit::{Region, Value};
use halo2_proofs::plonk::{Advice, Column};
use std::collections::HashMap;

/// Cells to overwrite, by column and row of the table's region.
#[derive(Clone, Debug, Default)]
pub struct Overrides(HashMap<(Column<Advice>, usize), Fr>);

impl Overrides {
    pub fn new() -> Self {
        Self::default()
    }

    /// Overwrite the cell at `(column, row)` with `v`.
    pub fn set(&mut self, column: Column<Advice>, row: usize, v: Fr) -> &mut Self {
        self.0.insert((column, row), v);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The cells to overwrite: column, row, value.
    pub fn cells(&self) -> impl Iterator<Item = (Column<Advice>, usize, Fr)> + '_ {
        self.0.iter().map(|(&(column, row), &v)| (column, row, v))
    }

    /// Writes the overrides into the region (after the honest assignment), and into `range`
    /// (for a table with range-checked columns) where they hit range-checked cells.
    pub fn apply(&self, region: &mut Region<'_, Fr>, mut range: Option<&mut RangeWitness>) {
        for (column, row, v) in self.cells() {
            region.assign_advice(column, row, Value::known(v));
            if let Some(range) = range.as_deref_mut() {
                range.record(column, row, v);
            }
        }
    }
}
