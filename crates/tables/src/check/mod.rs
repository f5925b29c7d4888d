//! The executable specification: every rule the circuits enforce, checked over the tables.
//!
//! The checker sees only the tables, exactly as the circuit does, and treats cross-table
//! references as the circuit's lookups: set membership plus counts. Rules run in a fixed
//! order (MTable, JTable, bit table, then the ETable row by row, then the table-wide counts)
//! and [`check`] reports the first rule broken, naming the table, the row and the rule.

mod bits;
mod frames;
mod memory;
mod step;

use crate::{BrEntry, Tables};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;
use zkwasm_tracer::isa::{BrTarget, Instr};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum TableId {
    Image,
    ETable,
    MTable,
    JTable,
    BitTable,
}

/// The rules. Each names one constraint (or lookup, or count) of the circuits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Rule {
    // ETable
    /// Row `i` has eid `i + 1`.
    EidSequence,
    /// The first row is the image's initial state, with the counters' totals.
    InitialState,
    /// `(fid, iid, instruction)` is not in the image table.
    UnknownInstruction,
    /// The step's memory accesses are not the ones its class prescribes (location, address,
    /// read/write, width, count).
    EventShape,
    /// A written value does not follow from the values read.
    WrongResult,
    /// The step would trap (or fail `require`): a proved run cannot contain it.
    Trapping,
    /// The next row's `fid`, `iid`, `sp`, `frame` or `pages` is not what the step leads to.
    Transition,
    /// The stack pointer leaves `0 ..= max_stack`.
    StackBound,
    /// `rest_mops` does not drop by the step's writes (to 0 after the last row).
    MopsCounter,
    /// `rest_calls` does not drop by the step's calls.
    CallCounter,
    /// `rest_returns` does not drop by the step's returns.
    ReturnCounter,
    /// The instance index does not advance by the step's public inputs and outputs.
    InstanceIndex,
    /// A public input or output differs from the instance at its index.
    InstanceValue,
    /// The run does not end with the entry frame's return, or goes on after it.
    NotHalted,
    /// A `br_table` target is not in the image table.
    BrTableLookup,
    /// A read has no MTable entry with its location, value and `start < eid <= end`.
    ReadMismatch,
    /// A write has no MTable entry with its location, value and `start = eid`.
    WriteMissing,
    /// A call has no JTable entry `(eid, frame, callee, fid, iid + 1)`.
    CallMissing,
    /// A return has no returned JTable entry `(frame, next frame, next fid, next iid)`.
    ReturnMissing,
    /// A bitwise step's `(lhs, rhs, lhs & rhs)`, with the AND derived from its result
    /// (the result for `and`, `lhs + rhs - result` for `or`, half of it for `xor`), or a
    /// signed division's `(x, sign bit, x & sign bit)` for either operand, is no bit-table
    /// row.
    BitMissing,
    // MTable
    /// Entries are not strictly sorted by `(location, address, start)`.
    Unsorted,
    /// `end` is not the next entry's `start` at the same location ([`crate::END_EID`] for
    /// the last).
    IntervalChain,
    /// An init entry's value, width or mutability is not the image's.
    InitValue,
    /// A heap block's or global's first entry is not an init entry, a stack slot has an init
    /// entry, or an init entry does not start at 0.
    MissingInit,
    /// A write entry of an immutable global.
    ImmutableWrite,
    /// A value does not fit its width.
    ValueRange,
    /// Non-init entries ≠ the ETable's total writes.
    WriteCount,
    // JTable
    /// The first entry is not the static entry frame, returned at the end, or a later one
    /// claims to be static.
    StaticEntry,
    /// Two entries share a frame id.
    DuplicateFrame,
    /// Non-static entries ≠ the ETable's total calls.
    CallCount,
    /// Returned non-static entries ≠ the ETable's total returns.
    ReturnCount,
    // Bit table
    /// A bit-table row's `and` is not its operands' AND, nibble by nibble.
    BitOp,
    /// A bit-table triple is not supplied exactly as often as the steps look it up.
    BitCount,
}

/// A broken rule: which table, which row, which rule, and what was found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{table:?} row {row}: {rule:?}: {detail}")]
pub struct Violation {
    pub table: TableId,
    pub row: usize,
    pub rule: Rule,
    pub detail: String,
}

pub(crate) fn violation(
    table: TableId,
    row: usize,
    rule: Rule,
    detail: impl fmt::Display,
) -> Violation {
    Violation {
        table,
        row,
        rule,
        detail: detail.to_string(),
    }
}

/// Lookup indexes over the tables, built once. They hold sets, as the circuit's lookups do.
pub(crate) struct Index<'t> {
    pub t: &'t Tables,
    pub instrs: HashMap<(u32, u32), Instr>,
    pub br: HashMap<(u32, u32, u32), BrTarget>,
    pub memory: memory::MemIndex,
    pub frames: HashMap<u32, Vec<crate::JRow>>,
    pub bits: std::collections::HashSet<crate::BitRow>,
}

impl<'t> Index<'t> {
    fn new(t: &'t Tables) -> Self {
        let mut frames: HashMap<u32, Vec<crate::JRow>> = HashMap::new();
        for j in &t.jtable {
            frames.entry(j.frame).or_default().push(*j);
        }
        Index {
            t,
            instrs: t
                .image
                .instructions
                .iter()
                .map(|&(f, i, ins)| ((f, i), ins))
                .collect(),
            br: t
                .image
                .br_table
                .iter()
                .map(
                    |&BrEntry {
                         fid,
                         iid,
                         index,
                         target,
                     }| ((fid, iid, index), target),
                )
                .collect(),
            memory: memory::MemIndex::new(&t.mtable),
            frames,
            bits: t.bit_table.iter().copied().collect(),
        }
    }
}

/// Checks every rule; the first one broken, in the documented order.
pub fn check(t: &Tables) -> Result<(), Violation> {
    memory::check_mtable(t)?;
    frames::check_jtable(t)?;
    bits::check_bit_table(t)?;
    let idx = Index::new(t);
    let first = (0..t.etable.len())
        .into_par_iter()
        .find_map_first(|i| step::check_row(&idx, i).err());
    if let Some(v) = first {
        return Err(v);
    }
    if t.etable.is_empty() {
        return Err(violation(TableId::ETable, 0, Rule::NotHalted, "no steps"));
    }
    memory::check_counts(t)?;
    frames::check_counts(t)?;
    bits::check_counts(t)
}
