//! The cell allocator: virtual cells packed into physical columns and rotations.
//!
//! A table entry (an ETable step, an MTable entry, ...) occupies a block of `rows` consecutive
//! rows. A cell is one `(column, rotation)` inside the block; pools hand out cells column by
//! column, rotation by rotation, so one physical column holds `rows` cells of an entry and one
//! range check per column covers them all.
//!
//! Pools, by what their columns guarantee:
//! - [`Kind::Bit`]: `x (1 - x) = 0` on every row of the block;
//! - [`Kind::U8`]: `x` in `0 .. 256`;
//! - [`Kind::Common`]: `x` in the common range `0 .. 2^k - RESERVED` (eids and eid
//!   differences: any count of rows fits);
//!
//! (U8 and Common columns are range-checked as whole columns by [`crate::range`], which the
//! circuit configures with [`Allocator::range_columns`]);
//! - [`Kind::Unlimited`]: no constraint.
//!
//! Composite values are expressions over limbs, not cells: a [`U32Cell`] is four U8 limbs, a
//! [`U64Cell`] eight. Instruction classes configure on forks of one allocator taken after the
//! common cells, so their cells overlay the same columns; [`Allocator::absorb`] keeps the
//! columns any fork created.

use crate::range::{common_bound, Range, RangeWitness};
use crate::Fr;
use halo2_proofs::circuit::{Region, Value};
use halo2_proofs::plonk::{Advice, Column, ConstraintSystem, Expression, Selector, VirtualCells};
use halo2_proofs::poly::Rotation;

/// What a pool's columns guarantee about their cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Bit,
    U8,
    Common,
    Unlimited,
}

const KINDS: [Kind; 4] = [Kind::Bit, Kind::U8, Kind::Common, Kind::Unlimited];

/// One cell of an entry: a column and a rotation inside the entry's block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cell {
    pub column: Column<Advice>,
    pub rot: i32,
    pub kind: Kind,
}

impl Cell {
    /// The cell of this entry.
    pub fn expr(&self, m: &mut VirtualCells<'_, Fr>) -> Expression<Fr> {
        m.query_advice(self.column, Rotation(self.rot))
    }

    /// The same cell of the next entry (`rows` rows further).
    pub fn next(&self, m: &mut VirtualCells<'_, Fr>, rows: usize) -> Expression<Fr> {
        m.query_advice(self.column, Rotation(self.rot + rows as i32))
    }

    /// The same cell of the previous entry.
    pub fn prev(&self, m: &mut VirtualCells<'_, Fr>, rows: usize) -> Expression<Fr> {
        m.query_advice(self.column, Rotation(self.rot - rows as i32))
    }
}

/// A 32-bit value as four byte limbs, least significant first.
#[derive(Clone, Copy, Debug)]
pub struct U32Cell {
    pub limbs: [Cell; 4],
}

impl U32Cell {
    pub fn expr(&self, m: &mut VirtualCells<'_, Fr>) -> Expression<Fr> {
        compose(m, &self.limbs)
    }
}

/// The value of little-endian byte limbs.
pub fn compose(m: &mut VirtualCells<'_, Fr>, limbs: &[Cell]) -> Expression<Fr> {
    limbs
        .iter()
        .rev()
        .fold(Expression::Constant(Fr::zero()), |acc, l| {
            acc * Expression::Constant(Fr::from(256)) + l.expr(m)
        })
}

#[derive(Clone, Debug)]
struct Pool {
    kind: Kind,
    columns: Vec<Column<Advice>>,
    /// Cells handed out: the next one is at column `used / rows`, rotation `used % rows`.
    used: usize,
}

/// Hands out cells of one table's blocks.
#[derive(Clone, Debug)]
pub struct Allocator {
    rows: usize,
    /// Enables the pools' constraints on every row of the table's blocks.
    q: Selector,
    pools: Vec<Pool>,
}

impl Allocator {
    /// An allocator for blocks of `rows` rows; `q` must be enabled on every row of the table.
    pub fn new(rows: usize, q: Selector) -> Self {
        let pools = KINDS
            .iter()
            .map(|&kind| Pool {
                kind,
                columns: vec![],
                used: 0,
            })
            .collect();
        Allocator { rows, q, pools }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    fn pool(&mut self, kind: Kind) -> &mut Pool {
        self.pools
            .iter_mut()
            .find(|p| p.kind == kind)
            .expect("every kind has a pool")
    }

    /// A new cell of `kind`; creates (and constrains) a column when the pool is full.
    pub fn alloc(&mut self, meta: &mut ConstraintSystem<Fr>, kind: Kind) -> Cell {
        let (rows, q) = (self.rows, self.q);
        let pool = self.pool(kind);
        let col_index = pool.used / rows;
        if col_index == pool.columns.len() {
            let column = meta.advice_column();
            if kind == Kind::Bit {
                meta.create_gate("bit cell", |m| {
                    let (q, x) = (m.query_selector(q), m.query_advice(column, Rotation::cur()));
                    vec![q * x.clone() * (Expression::Constant(Fr::one()) - x)]
                });
            }
            pool.columns.push(column);
        }
        let cell = Cell {
            column: pool.columns[col_index],
            rot: (pool.used % rows) as i32,
            kind,
        };
        pool.used += 1;
        cell
    }

    pub fn bit(&mut self, meta: &mut ConstraintSystem<Fr>) -> Cell {
        self.alloc(meta, Kind::Bit)
    }

    pub fn common(&mut self, meta: &mut ConstraintSystem<Fr>) -> Cell {
        self.alloc(meta, Kind::Common)
    }

    pub fn unlimited(&mut self, meta: &mut ConstraintSystem<Fr>) -> Cell {
        self.alloc(meta, Kind::Unlimited)
    }

    pub fn u32(&mut self, meta: &mut ConstraintSystem<Fr>) -> U32Cell {
        U32Cell {
            limbs: std::array::from_fn(|_| self.alloc(meta, Kind::U8)),
        }
    }

    /// A copy at the same position: an instruction class allocates on a fork, so all classes
    /// overlay the same cells after the common ones.
    pub fn fork(&self) -> Allocator {
        self.clone()
    }

    /// Keeps the columns a fork created (so later forks reuse them), not its position.
    pub fn absorb(&mut self, fork: &Allocator) {
        for (mine, theirs) in self.pools.iter_mut().zip(&fork.pools) {
            if theirs.columns.len() > mine.columns.len() {
                mine.columns = theirs.columns.clone();
            }
        }
    }

    /// Columns per kind, for the cost report.
    pub fn columns(&self) -> Vec<(Kind, usize)> {
        self.pools
            .iter()
            .map(|p| (p.kind, p.columns.len()))
            .collect()
    }

    /// The columns whose cells must lie in a range, for [`crate::range`].
    pub fn range_columns(&self) -> Vec<(Column<Advice>, Range)> {
        let range = |kind| match kind {
            Kind::U8 => Some(Range::U8),
            Kind::Common => Some(Range::Common),
            Kind::Bit | Kind::Unlimited => None,
        };
        self.pools
            .iter()
            .filter_map(|p| range(p.kind).map(|r| p.columns.iter().map(move |&c| (c, r))))
            .flatten()
            .collect()
    }

    /// Every column, for filling unused cells with zeros.
    pub fn all_columns(&self) -> Vec<Column<Advice>> {
        self.pools
            .iter()
            .flat_map(|p| p.columns.iter().copied())
            .collect()
    }
}

/// Block cell values, collected apart from the region so blocks can be computed
/// independently (in parallel) and then written in order by [`BlockWriter::flush`].
#[derive(Debug, Default)]
pub struct BlockWriter {
    /// The block's first row in the region.
    offset: usize,
    cells: Vec<(Column<Advice>, usize, Fr)>,
}

impl BlockWriter {
    pub fn new(offset: usize) -> Self {
        BlockWriter {
            offset,
            cells: Vec::with_capacity(64),
        }
    }

    /// Moves on to the block starting at `offset`, keeping what was collected: one buffer can
    /// collect many blocks.
    pub fn move_to(&mut self, offset: usize) {
        self.offset = offset;
    }

    /// Sets a cell of the block.
    pub fn set(&mut self, cell: Cell, v: Fr) {
        self.cells
            .push((cell.column, self.offset + cell.rot as usize, v));
    }

    /// Sets row `row` of the block in a column outside the allocator (pure columns).
    pub fn set_at(&mut self, column: Column<Advice>, row: usize, v: Fr) {
        self.cells.push((column, self.offset + row, v));
    }

    pub fn set_u64(&mut self, cell: Cell, v: u64) {
        self.set(cell, Fr::from(v));
    }

    pub fn set_bool(&mut self, cell: Cell, v: bool) {
        self.set(cell, Fr::from(v as u64));
    }

    /// Writes `v` into little-endian byte limbs.
    pub fn set_bytes(&mut self, limbs: &[Cell], v: u64) {
        for (i, l) in limbs.iter().enumerate() {
            self.set_u64(*l, v >> (8 * i) & 0xff);
        }
    }

    pub fn set_u32(&mut self, c: &U32Cell, v: u32) {
        self.set_bytes(&c.limbs, v as u64);
    }

    /// Writes the collected values into the region (and, for a table with range-checked
    /// columns, into its `range` witness).
    pub fn flush(self, region: &mut Region<'_, Fr>, mut range: Option<&mut RangeWitness>) {
        for (column, row, v) in self.cells {
            region.assign_advice(column, row, Value::known(v));
            if let Some(range) = range.as_deref_mut() {
                range.record(column, row, v);
            }
        }
    }
}

/// Entry blocks of `rows` rows a table holds at circuit size `k`: every usable row, less one
/// block that the last entry's constraints read as its successor. A table's constraints are
/// on in all of them whatever the run (the circuit's shape, and so its keys, depend on `k`
/// alone); entries past the run's are disabled and zero.
pub fn blocks(k: u32, rows: usize) -> usize {
    (common_bound(k) as usize / rows).saturating_sub(1)
}

/// Assigns zero to `columns` on rows `rows` of the region: cells no entry uses still take part
/// in the pools' constraints.
pub fn zero_fill(
    region: &mut Region<'_, Fr>,
    columns: &[Column<Advice>],
    rows: std::ops::Range<usize>,
) {
    for &c in columns {
        for r in rows.clone() {
            region.assign_advice(c, r, Value::known(Fr::zero()));
        }
    }
}
