//! The execution trace: one [`Step`] per executed instruction, its memory events, and one
//! [`Frame`] per call.
//!
//! The trace is compact by construction: a step is 24 bytes and a memory event 16, kept in
//! two flat vectors (a step's events are the run between the previous step's `events_end` and
//! its own), and nothing copies the stack per step. The instruction itself is not stored: it
//! is `image.instr(fid, iid)`.
//!
//! # Memory model
//! Three location types share one event format: the value stack (slot index, values of width
//! i32/i64), linear memory in 8-byte blocks (block index = byte address / 8, value = the block's
//! little-endian u64, always 64 bits wide) and globals (global index). A load or store that
//! touches two blocks records both. A store writes each block it touches without reading it
//! first: a write stands for a read-modify-write, since the MTable's entry before the one a
//! write creates holds the value it overwrites (the circuit's access tuple carries it), so a
//! store needs at most four accesses.
//!
//! # Event order per instruction class
//! Reads come before writes; operands are read top of the stack first.
//! - `local.get`: read local, write pushed slot. `local.set`: read top, write local.
//!   `local.tee`: read top, write local. `global.get/set` likewise. `const`: write pushed slot.
//!   `drop`, `call`, `br` with `drop == 0`: no event.
//! - unary/`eqz`/conversions: read operand, write result. Binary and relational: read rhs, read
//!   lhs, write result. `select`: read condition, rhs, lhs, write result.
//! - load: read address, read block(s), write result. store: read value, read address, write
//!   block(s). `memory.size`: write. `memory.grow`: read delta, write result.
//! - jumps with `drop > 0`: for each kept value bottom first, read it, write it `drop` slots
//!   lower. `br_if*`/`br_table` read their condition/index first.
//! - host calls: `wasm_input` reads its flag and writes the input in the same slot,
//!   `wasm_output` and `require` read their operand.
//!
//! # Bulk memory
//! `memory.copy` and `memory.fill` are calls to helper functions the compiler adds to the
//! module (`compile::helpers`): their steps are ordinary loads, stores, arithmetic and jumps.

use crate::isa::ValTy;
use serde::Serialize;

/// Location type of a memory event (numbered like the reference system's MTable).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum Loc {
    Stack = 1,
    Heap = 2,
    Global = 3,
}

/// Read or write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum Rw {
    Read,
    Write,
}

/// One memory access of a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MemEvent {
    pub value: u64,
    /// Stack slot, heap block index or global index.
    pub addr: u32,
    pub loc: Loc,
    pub rw: Rw,
    /// Width of the value: stack and global accesses are i32 or i64, heap blocks always i64.
    pub ty: ValTy,
}

/// The state before one executed instruction. Its step number (`eid`) is its position in
/// [`Trace::steps`] plus one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    pub fid: u32,
    pub iid: u32,
    /// Number of values on the stack (the next free slot).
    pub sp: u32,
    /// Allocated memory pages.
    pub pages: u32,
    /// Frame id: the eid of the call that opened the current frame, 0 for the entry frame.
    pub frame: u32,
    /// End (exclusive) of this step's events in [`Trace::events`].
    pub events_end: u32,
}

/// One call frame: a JTable entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Frame {
    /// The eid of the call step; also the frame's id.
    pub call_eid: u32,
    /// Frame id of the caller.
    pub parent: u32,
    pub callee: u32,
    /// Where the return goes: the caller's `(fid, iid + 1)`.
    pub ret_fid: u32,
    pub ret_iid: u32,
    /// The eid of the `return` step that closed the frame, 0 while it is open.
    pub return_eid: u32,
}

/// Receives the trace as the interpreter produces it. The interpreter is generic over the
/// sink, so unused hooks cost nothing.
pub trait Sink {
    /// Whether [`Sink::before`] wants to see the machine before each step (slower).
    const WANTS_VIEW: bool = false;
    /// The machine state before a step executes (only when [`Sink::WANTS_VIEW`]).
    fn before(&mut self, _view: &StepView<'_>) {}
    /// A memory event of the step being executed.
    fn event(&mut self, e: MemEvent);
    /// The step that just executed (its events came before).
    fn step(&mut self, step: Step);
    /// A call opened frame number `index` (frames are numbered in call order).
    fn call(&mut self, index: u32, frame: Frame);
    /// Frame number `index` returned at step `eid`.
    fn ret(&mut self, index: u32, eid: u32);
    /// The output budget the sink has used up, if it has: the run then stops before its next
    /// step with [`crate::Error::LimitExceeded`] for [`crate::Limit::Output`] (a trace written
    /// to disk stops at its byte budget instead of filling the disk).
    fn full(&self) -> Option<u64> {
        None
    }
}

/// The machine state before a step, for human-readable traces.
#[derive(Debug)]
pub struct StepView<'a> {
    pub eid: u32,
    pub step: Step,
    /// Call depth (0 in the entry function).
    pub depth: u32,
    /// The current function's locals (parameters first).
    pub locals: &'a [u64],
    /// The whole value stack, bottom first.
    pub stack: &'a [u64],
}

/// A sink that discards everything: for dry runs that need only the outcome.
#[derive(Default, Debug)]
pub struct NullSink;

impl Sink for NullSink {
    #[inline(always)]
    fn event(&mut self, _: MemEvent) {}
    #[inline(always)]
    fn step(&mut self, _: Step) {}
    #[inline(always)]
    fn call(&mut self, _: u32, _: Frame) {}
    #[inline(always)]
    fn ret(&mut self, _: u32, _: u32) {}
}

/// The whole trace in memory.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Trace {
    pub steps: Vec<Step>,
    pub events: Vec<MemEvent>,
    pub frames: Vec<Frame>,
}

impl Trace {
    /// The events of the step at index `i` (eid `i + 1`).
    pub fn events_of(&self, i: usize) -> &[MemEvent] {
        let start = if i == 0 {
            0
        } else {
            self.steps[i - 1].events_end as usize
        };
        &self.events[start..self.steps[i].events_end as usize]
    }

    /// Bytes the trace occupies (its vectors' contents).
    pub fn size_bytes(&self) -> usize {
        self.steps.len() * std::mem::size_of::<Step>()
            + self.events.len() * std::mem::size_of::<MemEvent>()
            + self.frames.len() * std::mem::size_of::<Frame>()
    }
}

impl Sink for Trace {
    #[inline(always)]
    fn event(&mut self, e: MemEvent) {
        self.events.push(e);
    }
    #[inline(always)]
    fn step(&mut self, mut step: Step) {
        step.events_end = self.events.len() as u32;
        self.steps.push(step);
    }
    fn call(&mut self, index: u32, frame: Frame) {
        debug_assert_eq!(index as usize, self.frames.len());
        self.frames.push(frame);
    }
    fn ret(&mut self, index: u32, eid: u32) {
        self.frames[index as usize].return_eid = eid;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_compact() {
        assert_eq!(std::mem::size_of::<Step>(), 24);
        assert_eq!(std::mem::size_of::<MemEvent>(), 16);
    }
}
