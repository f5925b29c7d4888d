//! The row layout the ETable, MTable and JTable share: each puts one entry in a row
//! ([`ROWS`] is 1), as many as circuit size `k` allows ([`blocks`]), followed by one more
//! that the last entry's rules read as its successor (the tail).
//!
//! Since the layout is the same for all three, so are its selectors: configured once here
//! and enabled in a region of their own. Every complex selector is a fixed column, and the
//! prover extends every fixed column to the quotient's domain in every proof: three tables
//! with selectors of their own took 5 more fixed columns. (The tables' regions must not
//! enable them: the floor planner places regions that share a column one after another.)

use crate::allocator::{blocks, Allocator};
use crate::Fr;
use halo2_proofs::circuit::Layouter;
use halo2_proofs::plonk::{ConstraintSystem, Error, Selector};
use zkwasm_tables::capacity::{ETABLE_ROWS, JTABLE_ROWS, MTABLE_ROWS};

/// Rows per entry of every table: one, so an entry's selector covers all its cells (the
/// allocator's pools, the per-row rules) and its rules read the next entry at rotation 1.
pub const ROWS: usize = ETABLE_ROWS;
const _: () = assert!(ROWS == 1 && MTABLE_ROWS == ROWS && JTABLE_ROWS == ROWS);

/// The selectors of the block layout.
#[derive(Clone, Copy, Debug)]
pub struct Blocks {
    /// Every entry's row (the allocator's pools, entry and step rules, lookups).
    pub q_entry: Selector,
    /// The first entry's row.
    pub q_first: Selector,
    /// The tail's row: pins it disabled with zero counters, so each table really ends.
    pub q_tail: Selector,
}

impl Blocks {
    pub fn configure(meta: &mut ConstraintSystem<Fr>) -> Self {
        Blocks {
            q_entry: meta.complex_selector(),
            q_first: meta.complex_selector(),
            q_tail: meta.selector(),
        }
    }

    /// An allocator for the tables' blocks.
    pub fn allocator(&self) -> Allocator {
        Allocator::new(ROWS, self.q_entry)
    }

    /// Enables the selectors for a circuit of size `k`.
    pub fn assign(&self, layouter: &mut impl Layouter<Fr>, k: u32) -> Result<(), Error> {
        layouter.assign_region(
            || "blocks",
            |mut region| {
                let cap = blocks(k, ROWS);
                for b in 0..cap {
                    self.q_entry.enable(&mut region, b * ROWS)?;
                }
                self.q_first.enable(&mut region, 0)?;
                self.q_tail.enable(&mut region, cap * ROWS)
            },
        )
    }
}
