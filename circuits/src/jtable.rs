//! The JTable circuit: one entry per frame, the static entry frame first, then one per call in
//! call order. It enforces what `zkwasm_tables::check` calls the JTable rules:
//!
//! | rule (checker) | constraint here |
//! |---|---|
//! | `StaticEntry` | the first entry is `JRow::entry_frame(entry fid)` (constants of the circuit, so the verifying key binds the entry) |
//! | `DuplicateFrame` | no rule of its own: the frame lookup's exact multiplicities and the call counter (below) |
//! | `CallCount` | `rest_calls` drops by one per non-static entry and ends at 0 |
//! | `ReturnCount` | `rest_returns` drops by one per returned non-static entry and ends at 0 |
//!
//! Calls and returns are counted separately (the reference system's single counter let a
//! prover forge a frame and pay for it with two returns). Entries past the last are all zero.
//!
//! **Why frames are distinct without an ordering rule.** The frame lookup is a tuple lookup
//! with exact multiplicities: as multisets, what the entries supply (each non-static entry's
//! tuple once, twice if returned) equals what the steps look up (each call its tuple, whose
//! frame is the call's eid, so no two calls share a frame; each return to a caller its
//! frame's tuple, marked returned). Unreturned tuples are looked up by calls only, so the
//! unreturned entries are exactly the unreturned calls' tuples. The counter makes the entries
//! as many as the calls, so the returned entries are as many as the returned calls; a
//! returned call's tuple `T` has `2 · entries(T) = 1 + returns(T)`, so at least one entry, and
//! with as many entries as such calls, exactly one. Every entry is therefore one call's tuple
//! (distinct frames), and every returned frame is returned from exactly once.
//!
//! Layout: a block of [`ROWS`] rows per entry, its 8 cells (2 bits, checked here, and 6
//! unlimited) in 4 unlimited columns (with 4 rows per entry they fitted 2, where a bit pool of
//! their own would have taken a third).

use crate::allocator::{blocks, zero_fill, BlockWriter, Cell};
use crate::blocks::Blocks;
use crate::etable::frame_of;
use crate::range::{RangeWitness, Side};
use crate::tamper::Overrides;
use crate::Fr;
use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner};
use halo2_proofs::plonk::{
    Advice, Circuit, Column, ConstraintSystem, Error, Expression, Selector, VirtualCells,
};
use halo2_proofs::poly::Rotation;
use std::collections::HashMap;
use zkwasm_tables::{JRow, Tables};

/// A frame's tuple as the frame lookup compares it: `(frame, parent, ret_fid, ret_iid,
/// returned)`. The callee is the JTable's record of the call, bound only on the static entry:
/// no rule reads it, and nothing may trust it without binding it to the call's `a` again.
pub fn tuple(j: &JRow) -> [u64; 5] {
    [
        j.frame as u64,
        j.parent as u64,
        j.ret_fid as u64,
        j.ret_iid as u64,
        j.returned as u64,
    ]
}

/// Rows per JTable entry.
pub const ROWS: usize = zkwasm_tables::capacity::JTABLE_ROWS;

/// The cells of one JTable entry.
#[derive(Clone, Copy, Debug)]
pub struct Cells {
    pub enabled: Cell,
    pub returned: Cell,
    pub frame: Cell,
    pub parent: Cell,
    pub ret_fid: Cell,
    pub ret_iid: Cell,
    /// Non-static entries from this one on.
    pub rest_calls: Cell,
    /// Returned non-static entries from this one on.
    pub rest_returns: Cell,
}

#[derive(Clone, Debug)]
pub struct JTableConfig {
    /// The first row of every entry's block (the lookup table's selector).
    q_entry: Selector,
    /// The static entry's row.
    q_first: Selector,
    pub cells: Cells,
    columns: Vec<Column<Advice>>,
}

fn c(v: u64) -> Expression<Fr> {
    Expression::Constant(Fr::from(v))
}

impl JTableConfig {
    /// `entry_fid` is the image's entry function: the static entry is fixed by the circuit.
    pub fn configure(meta: &mut ConstraintSystem<Fr>, blocks: Blocks, entry_fid: u32) -> Self {
        let (q_entry, q_first, q_tail) = (blocks.q_entry, blocks.q_first, blocks.q_tail);
        let mut a = blocks.allocator();
        let x = Cells {
            enabled: a.unlimited(meta),
            returned: a.unlimited(meta),
            frame: a.unlimited(meta),
            parent: a.unlimited(meta),
            ret_fid: a.unlimited(meta),
            ret_iid: a.unlimited(meta),
            // The first entry's equal the ETable's counters (the VM's "counters" rule).
            rest_calls: a.unlimited(meta),
            rest_returns: a.unlimited(meta),
        };
        let cur = |m: &mut VirtualCells<'_, Fr>, c: Cell| c.expr(m);
        let next = |m: &mut VirtualCells<'_, Fr>, c: Cell| c.next(m, ROWS);
        let tuple = [x.frame, x.parent, x.ret_fid, x.ret_iid, x.returned];
        meta.create_gate("jtable bits", |m| {
            let q = m.query_selector(q_entry);
            [x.enabled, x.returned].map(|b| q.clone() * cur(m, b) * (c(1) - cur(m, b)))
        });
        meta.create_gate("jtable static entry", |m| {
            let q = m.query_selector(q_first);
            let entry = JRow::entry_frame(entry_fid);
            let want = [
                (x.enabled, 1),
                (x.frame, entry.frame as u64),
                (x.parent, entry.parent as u64),
                (x.ret_fid, entry.ret_fid as u64),
                (x.ret_iid, entry.ret_iid as u64),
                (x.returned, entry.returned as u64),
            ];
            want.into_iter()
                .map(|(cell, v)| q.clone() * (cur(m, cell) - c(v)))
                .collect::<Vec<_>>()
        });
        meta.create_gate("jtable tail", |m| {
            let q = m.query_selector(q_tail);
            [x.enabled, x.rest_calls, x.rest_returns].map(|cell| q.clone() * cell.expr(m))
        });
        meta.create_gate("jtable enabled prefix", |m| {
            let q = m.query_selector(q_entry);
            vec![q * next(m, x.enabled) * (c(1) - cur(m, x.enabled))]
        });
        meta.create_gate("jtable disabled entries are zero", |m| {
            let q = m.query_selector(q_entry);
            let off = c(1) - cur(m, x.enabled);
            tuple
                .iter()
                .map(|cell| q.clone() * off.clone() * cur(m, *cell))
                .collect::<Vec<_>>()
        });
        meta.create_gate("jtable counters", |m| {
            let q = m.query_selector(q_entry);
            let called = cur(m, x.enabled) - m.query_selector(q_first);
            vec![
                q.clone() * (cur(m, x.rest_calls) - next(m, x.rest_calls) - called.clone()),
                q * (cur(m, x.rest_returns)
                    - next(m, x.rest_returns)
                    - called * cur(m, x.returned)),
            ]
        });
        JTableConfig {
            q_entry,
            q_first,
            cells: x,
            columns: a.all_columns(),
        }
    }

    /// What the JTable supplies to the ETable's frame lookups: every entry's [`tuple`] as often as the run looks it up,
    /// once for the call that opened it and once more if it returned; the static entry (no call
    /// opened it; its return halts) and disabled entries not at all. Degree 3.
    pub fn frame_table(
        &self,
        m: &mut VirtualCells<'_, Fr>,
    ) -> (Expression<Fr>, Vec<Expression<Fr>>) {
        let x = &self.cells;
        let q = m.query_selector(self.q_entry);
        let called = x.enabled.expr(m) - m.query_selector(self.q_first);
        let copies = q * called * (c(1) + x.returned.expr(m));
        let tuple = [x.frame, x.parent, x.ret_fid, x.ret_iid, x.returned]
            .iter()
            .map(|cell| cell.expr(m))
            .collect();
        (copies, tuple)
    }

    /// Records the frame lookup (tuple lookup `lookup` of the range argument) of a run: what
    /// its steps look up ([`ETableConfig::frame_input`](crate::etable::ETableConfig)) and
    /// what its entries supply ([`JTableConfig::frame_table`]).
    pub fn record_frame_lookup(t: &Tables, range: &mut RangeWitness, lookup: usize) {
        let field = |j: &JRow| tuple(j).map(Fr::from).to_vec();
        let frames: HashMap<u32, &JRow> = t.jtable.iter().map(|j| (j.frame, j)).collect();
        for (i, row) in t.etable.iter().enumerate() {
            if let Some(j) = frame_of(row).and_then(|f| frames.get(&f)) {
                range.record_tuple(lookup, Side::Input, i * ROWS, 1, field(j));
            }
        }
        for (i, j) in t.jtable.iter().enumerate() {
            if !j.is_static {
                let n = 1 + j.returned as u64;
                range.record_tuple(lookup, Side::Table, i * ROWS, n, field(j));
            }
        }
    }

    /// Assigns the entries into a table of size `k` (its capacity is [`blocks`]`(k, ROWS)`);
    /// returns the cells of the first entry's call and return counters.
    pub fn assign(
        &self,
        layouter: &mut impl Layouter<Fr>,
        k: u32,
        rows: &[JRow],
        overrides: &Overrides,
    ) -> Result<(), Error> {
        layouter.assign_region(
            || "jtable",
            |mut region| {
                let cap = blocks(k, ROWS);
                if rows.len() > cap {
                    return Err(Error::NotEnoughRowsAvailable { current_k: k });
                }
                zero_fill(&mut region, &self.columns, 0..(cap + 1) * ROWS);
                let x = self.cells;
                let mut calls = rows.iter().filter(|j| !j.is_static).count() as u64;
                let mut returns = rows.iter().filter(|j| !j.is_static && j.returned).count() as u64;
                for (i, j) in rows.iter().enumerate() {
                    let mut w = BlockWriter::new(i * ROWS);
                    w.set_bool(x.enabled, true);
                    w.set_bool(x.returned, j.returned);
                    for (cell, v) in [
                        (x.frame, j.frame),
                        (x.parent, j.parent),
                        (x.ret_fid, j.ret_fid),
                        (x.ret_iid, j.ret_iid),
                    ] {
                        w.set_u64(cell, v as u64);
                    }
                    w.set_u64(x.rest_calls, calls);
                    w.set_u64(x.rest_returns, returns);
                    w.flush(&mut region, None);
                    calls = calls.wrapping_sub(!j.is_static as u64);
                    returns = returns.wrapping_sub((!j.is_static && j.returned) as u64);
                }
                overrides.apply(&mut region, None);
                Ok(())
            },
        )
    }
}

/// The JTable on its own, with the totals of calls and returns as its public instances (the
/// ETable's counters in the full circuit).
#[derive(Clone, Debug)]
pub struct JTableCircuit {
    pub k: u32,
    pub entry_fid: u32,
    pub rows: Vec<JRow>,
    pub overrides: Overrides,
}

#[derive(Clone, Debug)]
pub struct JTableCircuitConfig {
    blocks: Blocks,
    pub jtable: JTableConfig,
}

impl JTableCircuit {
    /// The public instances: calls, then returns.
    pub fn instances(&self) -> Vec<Fr> {
        let calls = self.rows.iter().filter(|j| !j.is_static).count() as u64;
        let returns = self
            .rows
            .iter()
            .filter(|j| !j.is_static && j.returned)
            .count() as u64;
        vec![Fr::from(calls), Fr::from(returns)]
    }
}

impl Circuit<Fr> for JTableCircuit {
    type Config = JTableCircuitConfig;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = u32;

    fn params(&self) -> u32 {
        self.entry_fid
    }

    fn without_witnesses(&self) -> Self {
        JTableCircuit {
            rows: vec![],
            overrides: Overrides::new(),
            ..self.clone()
        }
    }

    fn configure_with_params(meta: &mut ConstraintSystem<Fr>, entry_fid: u32) -> Self::Config {
        let blocks = Blocks::configure(meta);
        let jtable = JTableConfig::configure(meta, blocks, entry_fid);
        let instance = meta.instance_column();
        // The first entry's counters are the instances (the ETable's in the full circuit).
        meta.create_gate("jtable totals", |m| {
            let q = m.query_selector(blocks.q_first);
            let x = jtable.cells;
            [
                (x.rest_calls, Rotation::cur()),
                (x.rest_returns, Rotation::next()),
            ]
            .map(|(cell, row)| q.clone() * (cell.expr(m) - m.query_instance(instance, row)))
        });
        JTableCircuitConfig { blocks, jtable }
    }

    fn configure(_: &mut ConstraintSystem<Fr>) -> Self::Config {
        unreachable!("the JTable circuit is configured with its entry function")
    }

    fn synthesize(
        &self,
        config: Self::Config,
        mut layouter: impl Layouter<Fr>,
    ) -> Result<(), Error> {
        config.blocks.assign(&mut layouter, self.k)?;
        config
            .jtable
            .assign(&mut layouter, self.k, &self.rows, &self.overrides)
    }
}
