//! MTable rules and the ETable → MTable lookups.

use super::{violation, Rule, TableId, Violation};
use crate::build::init_block;
use crate::{MRow, Tables, END_EID};
use std::collections::HashMap;
use zkwasm_tracer::trace::{Loc, MemEvent};
use zkwasm_tracer::ValTy;

fn v(row: usize, rule: Rule, detail: impl std::fmt::Display) -> Violation {
    violation(TableId::MTable, row, rule, detail)
}

/// Sorting, interval chaining, init entries and widths.
pub(super) fn check_mtable(t: &Tables) -> Result<(), Violation> {
    let rows = &t.mtable;
    for (i, r) in rows.iter().enumerate() {
        if r.value & r.ty.mask() != r.value {
            return Err(v(
                i,
                Rule::ValueRange,
                format!(
                    "{:?} value {:#x} is wider than {}",
                    r.loc,
                    r.value,
                    r.ty.name()
                ),
            ));
        }
        let next = rows.get(i + 1);
        if let Some(n) = next {
            if (n.loc, n.addr, n.start) <= (r.loc, r.addr, r.start) {
                return Err(v(
                    i,
                    Rule::Unsorted,
                    "the next entry does not come after this one",
                ));
            }
        }
        let same = |n: &&MRow| (n.loc, n.addr) == (r.loc, r.addr);
        let end = next.filter(same).map_or(END_EID, |n| n.start);
        if r.end != end {
            return Err(v(
                i,
                Rule::IntervalChain,
                format!("end {} but the next write is at {end}", r.end),
            ));
        }
        let first = i == 0 || (rows[i - 1].loc, rows[i - 1].addr) != (r.loc, r.addr);
        let needs_init = r.loc != Loc::Stack;
        if r.init != (first && needs_init) || (r.init && r.start != 0) || (!r.init && r.start == 0)
        {
            return Err(v(
                i,
                Rule::MissingInit,
                format!(
                    "{:?} {} entry (init: {}, start {})",
                    r.loc, r.addr, r.init, r.start
                ),
            ));
        }
        let (mutable, ty) = match r.loc {
            Loc::Global => {
                let g = t
                    .image
                    .globals
                    .get(r.addr as usize)
                    .ok_or_else(|| v(i, Rule::InitValue, "no such global"))?;
                (g.mutable, g.ty.width())
            }
            Loc::Heap => (true, ValTy::I64),
            Loc::Stack => (true, r.ty),
        };
        if r.mutable != mutable || r.ty != ty {
            return Err(v(
                i,
                Rule::InitValue,
                "mutability or width differs from the image",
            ));
        }
        if r.init {
            let value = match r.loc {
                Loc::Global => t.image.globals[r.addr as usize].init,
                _ => init_block(&t.image, r.addr),
            };
            if r.value != value {
                return Err(v(
                    i,
                    Rule::InitValue,
                    format!("initial value {:#x}, image has {value:#x}", r.value),
                ));
            }
        } else if !r.mutable {
            return Err(v(
                i,
                Rule::ImmutableWrite,
                format!("write to immutable global {}", r.addr),
            ));
        }
    }
    Ok(())
}

/// The MTable as lookup sets: write entries by `(loc, addr, start)`, and per location the
/// entries sorted by `start` for interval search.
pub(crate) struct MemIndex {
    writes: HashMap<(Loc, u32, u32), (u64, ValTy)>,
    by_loc: HashMap<(Loc, u32), Vec<MRow>>,
}

impl MemIndex {
    pub fn new(rows: &[MRow]) -> Self {
        let mut by_loc: HashMap<(Loc, u32), Vec<MRow>> = HashMap::new();
        let mut writes = HashMap::new();
        for r in rows {
            by_loc.entry((r.loc, r.addr)).or_default().push(*r);
            if !r.init {
                writes.insert((r.loc, r.addr, r.start), (r.value, r.ty));
            }
        }
        for v in by_loc.values_mut() {
            v.sort_by_key(|r| r.start);
        }
        MemIndex { writes, by_loc }
    }

    /// The entry of `(loc, addr)` with `start < eid <= end`: the one a read at step `eid`
    /// sees, and the one a write at `eid` overwrites.
    pub fn seen(&self, loc: Loc, addr: u32, eid: u32) -> Option<&MRow> {
        let rows = self.by_loc.get(&(loc, addr))?;
        let i = rows.partition_point(|r| r.start < eid);
        let r = rows.get(i.checked_sub(1)?)?;
        (eid <= r.end).then_some(r)
    }

    /// Whether an entry `(loc, addr, value, ty)` with `start < eid <= end` exists.
    pub fn read(&self, e: &MemEvent, eid: u32) -> bool {
        self.seen(e.loc, e.addr, eid)
            .is_some_and(|r| r.value == e.value && r.ty == e.ty)
    }

    /// Whether a write entry `(loc, addr, value, ty)` with `start = eid` exists.
    pub fn write(&self, e: &MemEvent, eid: u32) -> bool {
        self.writes.get(&(e.loc, e.addr, eid)) == Some(&(e.value, e.ty))
    }
}

/// Non-init entries = the ETable's writes.
pub(super) fn check_counts(t: &Tables) -> Result<(), Violation> {
    let writes = t.mtable.iter().filter(|r| !r.init).count() as u64;
    let total = t.etable.first().map_or(0, |r| r.rest_mops);
    if writes != total {
        return Err(v(
            0,
            Rule::WriteCount,
            format!("{writes} write entries, the ETable counts {total}"),
        ));
    }
    Ok(())
}
