//! zkwasm table builder: lays an image and an execution trace out as the tables the circuits
//! prove (image table, ETable, MTable, JTable, bit table, with their fixed lookup tables) and
//! checks every invariant the circuits will enforce, in plain Rust.
//!
//! [`check`] is the executable specification of the prover: a constraint is first a rule
//! here, with a test that breaks it the way an attacker would. The tables are built only from
//! runs that finished; a trap or a failed `require` has nothing to prove.
//!
//! ```
//! use zkwasm_tracer::{load, execute, Inputs, Limits};
//! let wat = r#"(module (func (export "zkmain") (result i32) (i32.add (i32.const 2) (i32.const 3))))"#;
//! let limits = Limits::default();
//! let image = load(wat.as_bytes(), &limits)?.image("zkmain")?;
//! let run = execute(&image, &Inputs::default(), &limits)?;
//! let tables = zkwasm_tables::build(&image, &run.trace, &run.outcome.instances, &limits);
//! zkwasm_tables::check(&tables).expect("honest tables pass");
//! assert_eq!(tables.usage().min_k(), zkwasm_tables::MIN_K);
//! # Ok::<(), zkwasm_tracer::Error>(())
//! ```

mod build;
pub mod capacity;
pub mod check;
pub mod encode;
pub mod fixed;

pub use build::{build, image_table, sign_bit};
pub use capacity::{Capacity, Usage, MAX_K, MIN_K};
pub use check::{check, Rule, TableId, Violation};

use serde::Serialize;
use zkwasm_tracer::image::Global;
use zkwasm_tracer::isa::{BrTarget, HostFn, Instr, ValTy};
use zkwasm_tracer::trace::{Loc, MemEvent};

/// The eid an MTable entry that is never overwritten is valid until.
pub const END_EID: u32 = u32::MAX;

/// A function as the image describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FuncEntry {
    /// Canonical type id: equal signatures have equal ids (what `call_indirect` compares).
    pub type_id: u32,
    /// The host function, for imports.
    pub host: Option<HostFn>,
}

/// One target of a `br_table` instruction at `(fid, iid)`; `index` = len - 1 is the default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct BrEntry {
    pub fid: u32,
    pub iid: u32,
    pub index: u32,
    pub target: BrTarget,
}

/// Initial linear memory, in 8-byte blocks: a data block, or a run of zero blocks
/// `start .. end`. Together they cover every block index, so an MTable init row of any
/// block is backed by one entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum InitMemory {
    Block { block: u32, value: u64 },
    Zero { start: u32, end: u32 },
}

/// The state every run starts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct InitState {
    pub entry_fid: u32,
    pub pages: u32,
    /// `memory.grow` beyond this returns -1 (the module's maximum, capped by the VM limit).
    pub max_pages: u32,
    pub has_memory: bool,
    /// Value stack slots.
    pub max_stack: u32,
}

/// Everything the circuit commits to before a run: code, jump tables, table 0, initial
/// memory and globals, initial state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageTable {
    pub state: InitState,
    pub functions: Vec<FuncEntry>,
    /// `(fid, iid, instruction)`, every function's code in order, the entry function last.
    pub instructions: Vec<(u32, u32, Instr)>,
    /// Every `br_table`'s targets, sorted by `(fid, iid, index)`.
    pub br_table: Vec<BrEntry>,
    /// Canonical type id of each module type index (for `call_indirect`'s immediate).
    pub type_ids: Vec<u32>,
    /// Table 0: the function in each slot.
    pub elements: Vec<Option<u32>>,
    pub memory: Vec<InitMemory>,
    pub globals: Vec<Global>,
}

/// One executed step: its state before the instruction, the instruction, and the counters
/// of what remains from this step on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ERow {
    pub eid: u32,
    pub fid: u32,
    pub iid: u32,
    pub sp: u32,
    pub pages: u32,
    pub frame: u32,
    pub instr: Instr,
    /// MTable writes made by this step and all later ones.
    pub rest_mops: u64,
    /// Calls (frames opened) by this step and all later ones.
    pub rest_calls: u32,
    /// Returns from called frames by this step and all later ones.
    pub rest_returns: u32,
    /// Instances (public inputs read, outputs written) before this step.
    pub instance: u32,
    /// End (exclusive) of this step's events in [`Tables::events`].
    pub events_end: u32,
}

/// One MTable entry: a location's value from the step that wrote it (`start`, 0 for the
/// initial value) until the step that overwrites it (`end`, [`END_EID`] if none). A read at
/// step `e` sees the entry with `start < e <= end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MRow {
    pub loc: Loc,
    pub addr: u32,
    pub start: u32,
    pub end: u32,
    pub value: u64,
    pub ty: ValTy,
    pub init: bool,
    pub mutable: bool,
}

/// One JTable entry: a frame opened by the call at step `frame` (0: the static entry frame).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct JRow {
    pub frame: u32,
    /// The caller's frame.
    pub parent: u32,
    pub callee: u32,
    pub ret_fid: u32,
    pub ret_iid: u32,
    pub returned: bool,
    /// The entry frame, which no call opened.
    pub is_static: bool,
}

impl JRow {
    /// The static entry frame of a finished run: no call opened it, nothing is returned to
    /// (its return halts the run), and it has returned.
    pub fn entry_frame(entry_fid: u32) -> JRow {
        JRow {
            frame: 0,
            parent: 0,
            callee: entry_fid,
            ret_fid: entry_fid,
            ret_iid: 0,
            returned: true,
            is_static: true,
        }
    }
}

/// A bit-table entry: two operands and their AND, proved nibble by nibble against the fixed
/// AND table ([`fixed::and_table`]). One table serves `and`, `or` and `xor`, each linear in
/// the operands and their AND (`a | b = a + b - (a & b)`, `a ^ b = a + b - 2 (a & b)`), and
/// the signs of a signed division's operands (each ANDed with the sign bit). A row is a true
/// statement by itself, not tied to a step: the steps look their triples up (the circuit
/// supplies a row as often as it is looked up).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct BitRow {
    pub lhs: u64,
    pub rhs: u64,
    pub and: u64,
}

/// All tables of one run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tables {
    pub image: ImageTable,
    pub etable: Vec<ERow>,
    /// The steps' memory events, in step order (see [`ERow::events_end`]).
    pub events: Vec<MemEvent>,
    pub mtable: Vec<MRow>,
    pub jtable: Vec<JRow>,
    pub bit_table: Vec<BitRow>,
    /// The public instances, in execution order.
    pub instances: Vec<u64>,
}

impl Tables {
    /// The tables of an image without a run: what keys are made from (they depend on the
    /// program, not on a run).
    pub fn of_image(image: ImageTable) -> Tables {
        Tables {
            image,
            etable: vec![],
            events: vec![],
            mtable: vec![],
            jtable: vec![],
            bit_table: vec![],
            instances: vec![],
        }
    }

    /// The events of ETable row `i`.
    pub fn events_of(&self, i: usize) -> &[MemEvent] {
        let start = if i == 0 {
            0
        } else {
            self.etable[i - 1].events_end as usize
        };
        &self.events[start..self.etable[i].events_end as usize]
    }

    /// The opcode step `i` looks up in the image: its instruction's, but for a `br_table`,
    /// whose step looks up the target it takes ([`encode::br_target`]: the index it popped,
    /// the default past the last); `None` for a step the image does not explain.
    pub fn step_opcode(&self, i: usize) -> Option<encode::Opcode> {
        let row = &self.etable[i];
        match row.instr {
            Instr::BrTable { len, .. } => {
                let popped = self.events_of(i).first()?.value;
                let index = popped.min(len.checked_sub(1)? as u64) as u32;
                let entry = self.image.br_target(row.fid, row.iid, index)?;
                Some(encode::br_target(entry, len))
            }
            i => Some(encode::opcode(i)),
        }
    }
}

impl ImageTable {
    /// Target `index` of the `br_table` at `(fid, iid)` (`br_table` is sorted by them, as
    /// built).
    pub fn br_target(&self, fid: u32, iid: u32, index: u32) -> Option<&BrEntry> {
        let i = self
            .br_table
            .binary_search_by_key(&(fid, iid, index), |e| (e.fid, e.iid, e.index))
            .ok()?;
        Some(&self.br_table[i])
    }
}
