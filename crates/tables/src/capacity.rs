//! How many rows each table needs, and the smallest circuit size `k` that holds them.
//!
//! The layout model: every table occupies its own columns, one row per entry (the ETable
//! one row per step), so each needs `entries + RESERVED_ROWS <= 2^k`; the fixed lookup tables
//! need `fixed::fixed_rows()`. The circuit issues set these per-entry row counts; when they
//! change, [`ROWS_PER_STEP`] and friends change here and `dry-run` follows.

use crate::{fixed, Tables};
use serde::Serialize;

/// Rows per ETable step.
pub const ROWS_PER_STEP: usize = 1;
/// Rows per MTable, JTable, bit-table and image entry.
pub const ROWS_PER_ENTRY: usize = 1;
/// Rows at the end of every column that halo2 keeps for blinding (and one unusable row).
pub const RESERVED_ROWS: usize = 16;
/// The smallest supported circuit: the fixed tables need 784 rows.
pub const MIN_K: u32 = 10;
/// The largest circuit that fits the 24 GiB machines (see the backend notes).
pub const MAX_K: u32 = 22;

/// Rows each table of a run needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Usage {
    pub etable: usize,
    pub mtable: usize,
    pub jtable: usize,
    pub bit_table: usize,
    pub image: usize,
    pub fixed: usize,
}

/// What a circuit of size `k` holds: usable rows per table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Capacity {
    pub k: u32,
    pub steps: usize,
    pub rows: usize,
}

impl Capacity {
    pub fn of(k: u32) -> Capacity {
        let rows = (1usize << k) - RESERVED_ROWS;
        Capacity {
            k,
            steps: rows / ROWS_PER_STEP,
            rows,
        }
    }
}

impl Usage {
    /// The largest row count of any table.
    pub fn max_rows(&self) -> usize {
        [
            self.etable,
            self.mtable,
            self.jtable,
            self.bit_table,
            self.image,
            self.fixed,
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
    }

    /// The smallest `k >= MIN_K` whose every table fits (may exceed [`MAX_K`]: callers say so).
    pub fn min_k(&self) -> u32 {
        let need = self.max_rows() + RESERVED_ROWS;
        need.next_power_of_two().trailing_zeros().max(MIN_K)
    }

    /// Whether the run fits a circuit of size `k`.
    pub fn fits(&self, k: u32) -> bool {
        self.max_rows() <= Capacity::of(k).rows
    }
}

impl Tables {
    /// Rows each table needs.
    pub fn usage(&self) -> Usage {
        let image = &self.image;
        Usage {
            etable: self.etable.len() * ROWS_PER_STEP,
            mtable: self.mtable.len() * ROWS_PER_ENTRY,
            jtable: self.jtable.len() * ROWS_PER_ENTRY,
            bit_table: self.bit_table.len() * ROWS_PER_ENTRY,
            image: (image.instructions.len()
                + image.br_table.len()
                + image.elements.len()
                + image.memory.len()
                + image.globals.len()
                + 1)
                * ROWS_PER_ENTRY,
            fixed: fixed::fixed_rows(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smallest_k() {
        let u = Usage {
            etable: 10,
            mtable: 5,
            jtable: 1,
            bit_table: 0,
            image: 30,
            fixed: 784,
        };
        assert_eq!(u.min_k(), 10);
        let u = Usage {
            etable: 1024 - 16,
            ..u
        };
        assert_eq!(u.min_k(), 10);
        assert!(u.fits(10));
        let u = Usage {
            etable: 1024 - 15,
            ..u
        };
        assert_eq!(u.min_k(), 11);
        assert!(!u.fits(10) && u.fits(11));
        assert_eq!(Capacity::of(12).steps, 4080);
    }
}
