//! Memory-access slots: groups of pure columns, one access slot of the step per group on
//! every step's row. A used slot is `(type, address, start, end, value, is_i32, prev)`
//! looked up in the MTable, with
//! - a write: `start = eid` (the entry the write created); `prev` is the value it overwrote
//!   (the MTable's previous entry of the location, zero for a location's first), so a write
//!   is a read-modify-write in one access (a store of two blocks needs four accesses, not six);
//! - a read: `start < eid <= end` (`eid - start - 1` and `end - eid` in the common range);
//!   its `prev` is the entry's, which no rule reads;
//!
//! and an unused slot looks up nothing (its fields are zero, but for `start` and `end`, which
//! nothing reads there). The lookup is a tuple lookup of the
//! range argument (`range::TupleLookup`): each used slot once, against the MTable's entries
//! supplied as often as their `accessed` cells say. Which slots a step uses, and for what,
//! its instruction class says ([`super::Access`]).

use super::Seen;
use crate::allocator::BlockWriter;
use crate::range::Range;
use crate::Fr;
use halo2_proofs::plonk::{Advice, Column, ConstraintSystem, Expression, Selector, VirtualCells};
use halo2_proofs::poly::Rotation;
use zkwasm_tracer::trace::{MemEvent, Rw};
use zkwasm_tracer::ValTy;

/// One group of slot columns.
#[derive(Clone, Copy, Debug)]
pub struct Group {
    /// Every step's row.
    q_step: Selector,
    pub used: Column<Advice>,
    pub is_write: Column<Advice>,
    pub is_i32: Column<Advice>,
    pub loc: Column<Advice>,
    pub addr: Column<Advice>,
    pub start: Column<Advice>,
    pub end: Column<Advice>,
    pub value: Column<Advice>,
    /// The value the entry overwrote (see the module docs).
    pub prev: Column<Advice>,
    /// `eid - start - 1` on reads.
    pub d_start: Column<Advice>,
    /// `end - eid` on reads.
    pub d_end: Column<Advice>,
}

/// A slot: a group and a rotation inside the step's rows.
#[derive(Clone, Copy, Debug)]
pub struct Slot {
    pub group: Group,
    pub rot: i32,
}

impl Slot {
    fn q(&self, m: &mut VirtualCells<'_, Fr>, c: Column<Advice>) -> Expression<Fr> {
        m.query_advice(c, Rotation(self.rot))
    }
    pub fn value(&self, m: &mut VirtualCells<'_, Fr>) -> Expression<Fr> {
        self.q(m, self.group.value)
    }
    /// The value a write overwrote.
    pub fn prev(&self, m: &mut VirtualCells<'_, Fr>) -> Expression<Fr> {
        self.q(m, self.group.prev)
    }
}

impl Group {
    /// Configures one group: per-step rules on every step's row (`q_step`), given the
    /// step's eid column. The eid distances are range-checked by the
    /// circuit ([`Group::range_columns`]), the accesses looked up ([`Group::access_input`]).
    pub fn configure(
        meta: &mut ConstraintSystem<Fr>,
        q_step: Selector,
        eid: Column<Advice>,
    ) -> Group {
        let mut col = || meta.advice_column();
        let g = Group {
            q_step,
            used: col(),
            is_write: col(),
            is_i32: col(),
            loc: col(),
            addr: col(),
            start: col(),
            end: col(),
            value: col(),
            prev: col(),
            d_start: col(),
            d_end: col(),
        };
        // The ETable's slot rule ("etable slots") pins `used`, `is_write`, `loc`, `addr` and
        // `is_i32` of every slot to what the step's class says: bits, a write only where
        // used, zeros where unused. What is left here: the eids, and an unused slot's value
        // and prev are zero (class gates may read them); an unused slot's `start` and `end`
        // are looked up by nobody and read by no rule.
        meta.create_gate("access slot", |m| {
            let q = m.query_selector(q_step);
            let one = Expression::Constant(Fr::one());
            let cur = |m: &mut VirtualCells<'_, Fr>, c| m.query_advice(c, Rotation::cur());
            let (used, w, eid) = (cur(m, g.used), cur(m, g.is_write), cur(m, eid));
            let read = used.clone() - w.clone();
            let v = vec![
                (one.clone() - used.clone()) * cur(m, g.value),
                (one.clone() - used) * cur(m, g.prev),
                w * (cur(m, g.start) - eid.clone()),
                read.clone() * (eid.clone() - cur(m, g.start) - one - cur(m, g.d_start)),
                read * (cur(m, g.end) - eid - cur(m, g.d_end)),
            ];
            v.into_iter().map(|e| q.clone() * e).collect::<Vec<_>>()
        });
        g
    }

    /// What a row's slot looks up in the MTable: its `(type, address, start, end, value,
    /// is_i32, prev)` once when used (degree 2), nothing otherwise.
    pub fn access_input(
        &self,
        m: &mut VirtualCells<'_, Fr>,
    ) -> (Expression<Fr>, Vec<Expression<Fr>>) {
        let cur = |m: &mut VirtualCells<'_, Fr>, c| m.query_advice(c, Rotation::cur());
        let copies = m.query_selector(self.q_step) * cur(m, self.used);
        let tuple = [
            self.loc,
            self.addr,
            self.start,
            self.end,
            self.value,
            self.is_i32,
            self.prev,
        ]
        .iter()
        .map(|c| cur(m, *c))
        .collect();
        (copies, tuple)
    }

    /// The eid distances, in the common range.
    pub fn range_columns(&self) -> [(Column<Advice>, Range); 2] {
        [(self.d_start, Range::Common), (self.d_end, Range::Common)]
    }

    pub fn columns(&self) -> [Column<Advice>; 11] {
        [
            self.used,
            self.is_write,
            self.is_i32,
            self.loc,
            self.addr,
            self.start,
            self.end,
            self.value,
            self.prev,
            self.d_start,
            self.d_end,
        ]
    }

    /// Writes event `e` of step `eid` into row `row` of the step, given the MTable
    /// entry it sees.
    pub fn assign(&self, w: &mut BlockWriter, row: usize, eid: u32, e: &MemEvent, seen: &Seen) {
        let (start, end) = (seen.start, seen.end);
        let mut set = |c: Column<Advice>, v: u64| w.set_at(c, row, Fr::from(v));
        set(self.used, 1);
        set(self.is_write, (e.rw == Rw::Write) as u64);
        set(self.is_i32, (e.ty == ValTy::I32) as u64);
        set(self.loc, e.loc as u64);
        set(self.addr, e.addr as u64);
        set(self.start, start as u64);
        set(self.end, end);
        set(self.value, e.value);
        set(self.prev, seen.prev);
        if e.rw == Rw::Read {
            set(self.d_start, (eid - start - 1) as u64);
            set(self.d_end, end - eid as u64);
        }
    }
}
