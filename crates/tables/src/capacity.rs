//! How many rows each table needs, and the smallest circuit size `k` that holds them.
//!
//! The circuits' layout: every table occupies its own columns, a block of rows per entry (the
//! constants below, which the circuits use too), plus one block after the last entry that its
//! constraints read; so a table of `n` entries needs `(n + 1) · rows + RESERVED_ROWS <= 2^k`.
//! The fixed lookup tables need `fixed::fixed_rows()`.

use crate::{fixed, Tables};
use serde::Serialize;

/// Rows per ETable step. One, not two or four: every row of the circuit pays for every gate
/// (the backend evaluates all of them on every row of the quotient's domain), so the same
/// cells in fewer rows and more columns cut the gates' share of a proof, and a run of `n`
/// steps needs a smaller size `k`.
pub const ETABLE_ROWS: usize = 1;
/// Rows per MTable entry.
pub const MTABLE_ROWS: usize = 1;
/// Rows per JTable entry: its 8 cells in 8 columns. Frames are at most the steps (every
/// frame but the static one is opened by a call step, and a run ends with a return step), so
/// the JTable holds whatever the ETable does.
pub const JTABLE_ROWS: usize = 1;
/// Rows per bit-table entry: its 16 nibble pairs (and their ANDs), two to a row.
pub const BIT_TABLE_ROWS: usize = 8;
/// Rows per image entry.
pub const ROWS_PER_ENTRY: usize = 1;
/// Rows at the end of every column that halo2 keeps for blinding (and one unusable row).
pub const RESERVED_ROWS: usize = 16;
/// The smallest supported circuit (the fixed tables need 256 rows; a circuit of 2^10 rows
/// proves a small program in about a second).
pub const MIN_K: u32 = 10;
/// The largest circuit a 24 GiB machine proves safely: proving peaks at 2.7 GiB at k = 16
/// (`benches/prove.rs`, 205 advice columns) and about doubles with every size, so k = 18
/// takes about 11 GiB and k = 19 (about 22 GiB) does not fit safely. k = 18 holds 262,127
/// steps (what k = 19 held with 2 rows per step). Longer runs need continuations.
pub const MAX_K: u32 = 18;

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
        let steps = (rows / ETABLE_ROWS).saturating_sub(1);
        Capacity { k, steps, rows }
    }
}

/// Rows a table of `n` entries of `rows` rows takes: the entries and the block after them.
fn table_rows(n: usize, rows: usize) -> usize {
    (n + 1) * rows
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
            etable: table_rows(self.etable.len(), ETABLE_ROWS),
            mtable: table_rows(self.mtable.len(), MTABLE_ROWS),
            jtable: table_rows(self.jtable.len(), JTABLE_ROWS),
            bit_table: table_rows(self.bit_table.len(), BIT_TABLE_ROWS),
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
        // 4080 usable rows, one of them after the last step.
        assert_eq!(Capacity::of(12).steps, 4079);
    }
}
