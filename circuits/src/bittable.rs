//! The bit table: the AND of two 64-bit operands, nibble by nibble, for the bitwise steps.
//!
//! An entry is a block of [`ROWS`] rows holding the operands' 16 nibble pairs and their
//! ANDs, [`PAIRS`] to a row (columns `a`, `b`, `r`). Every pair `(a, b, r)` on every row of
//! the range argument's rows is looked up in the fixed AND table (`(x, y, x & y)` for all
//! nibbles, 256 rows: the nibble lookups, tuple lookups of the range argument's sum, the
//! table's multiplicities a first-phase column): so each cell is a nibble and each `r` the
//! AND of its pair. On a block's first row, the entry supplies
//! `(lhs, rhs, and) = Σ_i 16^i · (a_i, b_i, r_i)` to the bit lookup as often as its `copies`
//! cell says; the ETable's `and`, `or` and `xor` steps look their `(lhs, rhs, lhs & rhs)` up
//! there (`etable/op_bin.rs`), since `or` and `xor` are linear in the operands and their AND.
//!
//! No rule of its own: whatever the prover puts in a block is a true statement (the nibbles
//! compose below 2^64, so each triple is the only one of its operands), and `copies` may be
//! anything, since a supplied triple is true however often it is looked up. Blocks past the
//! run's entries hold zeros, whose pairs `(0, 0, 0)` the AND table has.
//!
//! One AND table serves three operations, and two pairs to a row keep the table to 8 columns
//! (`a`, `b`, `r` twice, `copies`, the AND table's multiplicities), where one entry per row
//! would take 49: a circuit holds a bitwise step for every four steps of its ETable.

use crate::allocator::blocks;
use crate::range::{RangeWitness, Side};
use crate::tamper::Overrides;
use crate::Fr;
use halo2_proofs::circuit::{Layouter, Value};
use halo2_proofs::plonk::{
    Advice, Column, ConstraintSystem, Error, Expression, Fixed, Selector, VirtualCells,
};
use halo2_proofs::poly::Rotation;
use zkwasm_tables::capacity::BIT_TABLE_ROWS;
use zkwasm_tables::fixed::{and_table, nibbles, NIBBLES};
use zkwasm_tables::BitRow;

/// Rows per entry.
pub const ROWS: usize = BIT_TABLE_ROWS;
/// Nibble pairs per row.
pub const PAIRS: usize = NIBBLES / ROWS;

/// A lookup's side: how often, which tuple.
type Side2 = (Expression<Fr>, Vec<Expression<Fr>>);

#[derive(Clone, Debug)]
pub struct BitTableConfig {
    a: [Column<Advice>; PAIRS],
    b: [Column<Advice>; PAIRS],
    r: [Column<Advice>; PAIRS],
    /// On each block's first row: how often its triple is supplied.
    copies: Column<Advice>,
    /// The AND table, and how often each of its rows is looked up.
    table: [Column<Fixed>; 3],
    uses: Column<Advice>,
    /// The first row of every block.
    q_entry: Selector,
}

impl BitTableConfig {
    pub fn configure(meta: &mut ConstraintSystem<Fr>) -> Self {
        BitTableConfig {
            a: std::array::from_fn(|_| meta.advice_column()),
            b: std::array::from_fn(|_| meta.advice_column()),
            r: std::array::from_fn(|_| meta.advice_column()),
            copies: meta.advice_column(),
            table: std::array::from_fn(|_| meta.fixed_column()),
            uses: meta.advice_column(),
            q_entry: meta.complex_selector(),
        }
    }

    /// Pair `i` of a row as a nibble lookup's input: once on every row (degree 1).
    pub fn nibble_input(&self, m: &mut VirtualCells<'_, Fr>, i: usize) -> Side2 {
        let cur = |m: &mut VirtualCells<'_, Fr>, c| m.query_advice(c, Rotation::cur());
        let tuple = vec![cur(m, self.a[i]), cur(m, self.b[i]), cur(m, self.r[i])];
        (Expression::Constant(Fr::one()), tuple)
    }

    /// The AND table as the nibble lookups' table side (degree 1).
    pub fn nibble_table(&self, m: &mut VirtualCells<'_, Fr>) -> Side2 {
        let tuple = self
            .table
            .iter()
            .map(|&c| m.query_fixed(c, Rotation::cur()))
            .collect();
        (m.query_advice(self.uses, Rotation::cur()), tuple)
    }

    /// What a block supplies to the bit lookup: `(lhs, rhs, and)` from its nibbles, `copies`
    /// times on its first row (degree 2).
    pub fn bit_table(&self, m: &mut VirtualCells<'_, Fr>) -> Side2 {
        let mut compose = |cols: &[Column<Advice>; PAIRS]| {
            (0..ROWS * PAIRS)
                .rev()
                .fold(Expression::Constant(Fr::zero()), |acc, n| {
                    let cell = m.query_advice(cols[n % PAIRS], Rotation((n / PAIRS) as i32));
                    acc * Expression::Constant(Fr::from(16)) + cell
                })
        };
        let tuple = vec![compose(&self.a), compose(&self.b), compose(&self.r)];
        let q = m.query_selector(self.q_entry);
        (q * m.query_advice(self.copies, Rotation::cur()), tuple)
    }

    /// The advice columns (for tamper tests).
    pub fn columns(&self) -> BitColumns {
        BitColumns {
            a: self.a,
            b: self.b,
            r: self.r,
            copies: self.copies,
            uses: self.uses,
        }
    }

    /// Assigns the run's entries (one block each, supplied once), zeros on every other row
    /// the lookups read (to `last`, the last row a witness may fill), the AND table and its
    /// multiplicities, then records both nibble lookups (`nibble`: the pair-0 lookup, which
    /// holds the table, first) and the bit lookup's table side (`bit`) in `range`, from the
    /// cells as assigned (forged ones included: a prover that lies consistently).
    #[allow(clippy::too_many_arguments)]
    pub fn assign(
        &self,
        layouter: &mut impl Layouter<Fr>,
        k: u32,
        last: usize,
        rows: &[BitRow],
        overrides: &Overrides,
        range: &mut RangeWitness,
        nibble: [usize; PAIRS],
        bit: usize,
    ) -> Result<(), Error> {
        let cap = blocks(k, ROWS);
        if rows.len() > cap {
            return Err(Error::NotEnoughRowsAvailable { current_k: k });
        }
        let bound = crate::range::common_bound(k) as usize;
        // Every row of the sum looks its pairs up; a block's triple reads the rows below.
        let filled = (bound + ROWS - 1).min(last + 1);
        let mut w = Witness::new(self, filled);
        for (e, row) in rows.iter().enumerate() {
            w.set(self.copies, e * ROWS, Fr::one());
            let (l, r) = (nibbles(row.lhs), nibbles(row.rhs));
            for n in 0..NIBBLES {
                let at = e * ROWS + n / PAIRS;
                w.set(self.a[n % PAIRS], at, Fr::from(l[n] as u64));
                w.set(self.b[n % PAIRS], at, Fr::from(r[n] as u64));
                w.set(self.r[n % PAIRS], at, Fr::from((l[n] & r[n]) as u64));
            }
        }
        w.forge(overrides, |c| c != self.uses);
        let pairs = |w: &Witness, i: usize, row: usize| {
            [self.a[i], self.b[i], self.r[i]]
                .map(|c| w.get(c, row))
                .to_vec()
        };
        let mut uses = vec![0u64; 256];
        for row in 0..bound {
            for i in 0..PAIRS {
                if let Some(x) = and_index(&pairs(&w, i, row)) {
                    uses[x] += 1;
                }
            }
        }
        for (x, &n) in uses.iter().enumerate() {
            w.set(self.uses, x, Fr::from(n));
        }
        w.forge(overrides, |c| c == self.uses);
        layouter.assign_region(
            || "bit table",
            |mut region| {
                for e in 0..cap {
                    self.q_entry.enable(&mut region, e * ROWS)?;
                }
                for (x, (a, b, r)) in and_table().enumerate() {
                    for (c, v) in self.table.iter().zip([a, b, r]) {
                        region.assign_fixed(*c, x, Fr::from(v as u64));
                    }
                }
                for (c, values) in &w.columns {
                    for (row, v) in values.iter().enumerate() {
                        region.assign_advice(*c, row, Value::known(*v));
                    }
                }
                Ok(())
            },
        )?;
        for row in 0..bound {
            for (i, &lookup) in nibble.iter().enumerate() {
                range.record_tuple_n(lookup, Side::Input, row, Fr::one(), pairs(&w, i, row));
            }
        }
        for (x, (a, b, r)) in and_table().enumerate() {
            let tuple = [a, b, r].map(|v| Fr::from(v as u64)).to_vec();
            range.record_tuple_n(nibble[0], Side::Table, x, w.get(self.uses, x), tuple);
        }
        let sixteen = Fr::from(16);
        for e in 0..cap {
            let n = w.get(self.copies, e * ROWS);
            if n == Fr::zero() {
                continue;
            }
            let compose = |cols: &[Column<Advice>; PAIRS]| {
                (0..NIBBLES).rev().fold(Fr::zero(), |acc, n| {
                    acc * sixteen + w.get(cols[n % PAIRS], e * ROWS + n / PAIRS)
                })
            };
            let tuple = vec![compose(&self.a), compose(&self.b), compose(&self.r)];
            range.record_tuple_n(bit, Side::Table, e * ROWS, n, tuple);
        }
        Ok(())
    }
}

/// The bit table's advice cells, kept apart from the region to derive the lookups' records
/// from the cells as assigned.
struct Witness {
    columns: Vec<(Column<Advice>, Vec<Fr>)>,
}

impl Witness {
    fn new(c: &BitTableConfig, rows: usize) -> Self {
        let all =
            c.a.iter()
                .chain(&c.b)
                .chain(&c.r)
                .chain([&c.copies, &c.uses]);
        Witness {
            columns: all.map(|&col| (col, vec![Fr::zero(); rows])).collect(),
        }
    }

    fn column(&mut self, c: Column<Advice>) -> Option<&mut Vec<Fr>> {
        self.columns
            .iter_mut()
            .find(|(x, _)| *x == c)
            .map(|(_, v)| v)
    }

    fn set(&mut self, c: Column<Advice>, row: usize, v: Fr) {
        if let Some(cell) = self.column(c).and_then(|v| v.get_mut(row)) {
            *cell = v;
        }
    }

    fn get(&self, c: Column<Advice>, row: usize) -> Fr {
        let values = self.columns.iter().find(|(x, _)| *x == c).map(|(_, v)| v);
        values
            .and_then(|v| v.get(row))
            .copied()
            .unwrap_or(Fr::zero())
    }

    /// Overwrites the cells of the columns `which` selects with the forged ones.
    fn forge(&mut self, overrides: &Overrides, which: impl Fn(Column<Advice>) -> bool) {
        for (c, row, v) in overrides.cells() {
            if which(c) {
                self.set(c, row, v);
            }
        }
    }
}

/// The AND table's row of a tuple, if it is one of its rows.
fn and_index(t: &[Fr]) -> Option<usize> {
    let small = |x: &Fr| (0..16u64).find(|&v| Fr::from(v) == *x);
    let (a, b, r) = (small(&t[0])?, small(&t[1])?, small(&t[2])?);
    (r == a & b).then_some((a * 16 + b) as usize)
}

/// The bit table's advice columns.
#[derive(Clone, Copy, Debug)]
pub struct BitColumns {
    pub a: [Column<Advice>; PAIRS],
    pub b: [Column<Advice>; PAIRS],
    pub r: [Column<Advice>; PAIRS],
    pub copies: Column<Advice>,
    pub uses: Column<Advice>,
}

/// Records the bit table's inputs: every bitwise step looks up `(lhs, rhs, and)` once
/// (tuple lookup `bit` of the range argument), on its block's first row, with the AND its
/// result claims (the result for `and`, `lhs + rhs - result` for `or`, half of it for `xor`),
/// as the class's `hi` holds it; every signed division looks up `(x, 2^(W-1), x & 2^(W-1))`
/// for its left and its right operand (`signs`).
pub fn record_bit_inputs(
    t: &zkwasm_tables::Tables,
    range: &mut RangeWitness,
    bit: usize,
    signs: [usize; 2],
) {
    use zkwasm_tracer::isa::{BinOp, Instr};
    let half = Fr::from(2).invert().unwrap();
    for (i, row) in t.etable.iter().enumerate() {
        let Instr::Bin { op, ty } = row.instr else {
            continue;
        };
        let events = t.events_of(i);
        let at = i * crate::etable::ROWS;
        if let BinOp::DivS | BinOp::RemS = op {
            let top = zkwasm_tables::sign_bit(ty);
            for (lookup, x) in signs.into_iter().zip([events[1].value, events[0].value]) {
                let tuple = [x, top, x & top].map(Fr::from).to_vec();
                range.record_tuple(lookup, Side::Input, at, 1, tuple);
            }
            continue;
        }
        let [rhs, lhs, result] = [0, 1, 2].map(|e| Fr::from(events[e].value));
        let and = match op {
            BinOp::And => result,
            BinOp::Or => lhs + rhs - result,
            BinOp::Xor => (lhs + rhs - result) * half,
            _ => continue,
        };
        range.record_tuple_n(bit, Side::Input, at, Fr::one(), vec![lhs, rhs, and]);
    }
}
