//! One ETable row: the instruction is the image's, its memory accesses are the ones its class
//! prescribes (walked in order by a [`Cursor`]), written values follow from the values read,
//! every access is backed by the MTable, and the next row is the state the step leads to.
//!
//! This is the per-class specification the circuit's gate modules implement.

use super::{violation, Index, Rule, TableId, Violation};
use crate::{ERow, Tables};
use zkwasm_tracer::alu;
use zkwasm_tracer::isa::*;
use zkwasm_tracer::trace::{Loc, MemEvent, Rw};
use zkwasm_tracer::PAGE_SIZE;

type R<T> = Result<T, Violation>;

/// Where control goes after a step.
#[derive(Debug, PartialEq)]
enum Flow {
    Seq,
    Jump(u32),
    Call(u32),
    Return,
    /// The entry frame returned: the run is over.
    Halt,
}

/// What a step does to the state, besides its memory accesses.
struct Effect {
    flow: Flow,
    sp: u32,
    pages: u32,
    instances: u32,
}

/// Walks a step's events in order, checking each against the access the class prescribes.
struct Cursor<'a> {
    row: usize,
    eid: u32,
    events: &'a [MemEvent],
    pos: usize,
    idx: &'a Index<'a>,
}

impl Cursor<'_> {
    fn fail(&self, rule: Rule, detail: impl std::fmt::Display) -> Violation {
        violation(TableId::ETable, self.row, rule, detail)
    }

    fn next(&mut self, loc: Loc, rw: Rw, addr: u32, ty: ValTy) -> R<MemEvent> {
        let e = *self.events.get(self.pos).ok_or_else(|| {
            self.fail(
                Rule::EventShape,
                format!("missing {rw:?} of {loc:?} {addr} ({})", ty.name()),
            )
        })?;
        self.pos += 1;
        if (e.loc, e.rw, e.addr, e.ty) != (loc, rw, addr, ty) {
            return Err(self.fail(
                Rule::EventShape,
                format!(
                    "event {} is {e:?}, expected {rw:?} of {loc:?} {addr} ({})",
                    self.pos - 1,
                    ty.name()
                ),
            ));
        }
        if e.value & ty.mask() != e.value {
            return Err(self.fail(
                Rule::EventShape,
                format!("{e:?} is wider than {}", ty.name()),
            ));
        }
        Ok(e)
    }

    /// A read: its value, backed by an MTable entry valid at this step.
    fn read(&mut self, loc: Loc, addr: u32, ty: ValTy) -> R<u64> {
        let e = self.next(loc, Rw::Read, addr, ty)?;
        if !self.idx.memory.read(&e, self.eid) {
            return Err(self.fail(
                Rule::ReadMismatch,
                format!("no MTable entry for {e:?} at step {}", self.eid),
            ));
        }
        Ok(e.value)
    }

    /// A write of any value (private inputs), backed by an MTable entry starting here.
    fn write_any(&mut self, loc: Loc, addr: u32, ty: ValTy) -> R<u64> {
        let e = self.next(loc, Rw::Write, addr, ty)?;
        if !self.idx.memory.write(&e, self.eid) {
            return Err(self.fail(
                Rule::WriteMissing,
                format!("no MTable entry for {e:?} at step {}", self.eid),
            ));
        }
        Ok(e.value)
    }

    /// A write of `value`.
    fn write(&mut self, loc: Loc, addr: u32, ty: ValTy, value: u64) -> R<()> {
        let got = self.write_any(loc, addr, ty)?;
        if got != value {
            return Err(self.fail(
                Rule::WrongResult,
                format!("wrote {got:#x} to {loc:?} {addr}, expected {value:#x}"),
            ));
        }
        Ok(())
    }

    fn done(&self) -> R<()> {
        match self.events.get(self.pos) {
            Some(e) => Err(self.fail(Rule::EventShape, format!("unexpected extra event {e:?}"))),
            None => Ok(()),
        }
    }

    fn writes(&self) -> u64 {
        self.events.iter().filter(|e| e.rw == Rw::Write).count() as u64
    }
}

/// The stack slot `depth` below the top (1 = top).
fn slot(c: &Cursor<'_>, sp: u32, depth: u32) -> R<u32> {
    sp.checked_sub(depth)
        .ok_or_else(|| c.fail(Rule::StackBound, format!("depth {depth} below sp {sp}")))
}

struct Step<'a> {
    c: Cursor<'a>,
    t: &'a Tables,
    row: &'a ERow,
    sp: u32,
    pages: u32,
}

impl Step<'_> {
    fn read(&mut self, depth: u32, ty: ValTy) -> R<u64> {
        let s = slot(&self.c, self.sp, depth)?;
        self.c.read(Loc::Stack, s, ty)
    }

    fn write(&mut self, depth: u32, ty: ValTy, v: u64) -> R<()> {
        let s = slot(&self.c, self.sp, depth)?;
        self.c.write(Loc::Stack, s, ty, v)
    }

    /// Pushes `v` (write at `sp`, then `sp + 1`).
    fn push(&mut self, ty: ValTy, v: u64) -> R<()> {
        self.c.write(Loc::Stack, self.sp, ty, v)?;
        self.sp += 1;
        Ok(())
    }

    fn pop(&mut self, ty: ValTy) -> R<u64> {
        let v = self.read(1, ty)?;
        self.sp -= 1;
        Ok(v)
    }

    fn trap(&self, what: impl std::fmt::Display) -> Violation {
        self.c.fail(Rule::Trapping, what)
    }

    fn drop_keep(&mut self, dk: DropKeep) -> R<()> {
        if dk.drop == 0 {
            return Ok(());
        }
        let keep = dk.keep as u32;
        for j in 0..keep {
            let ty = dk.keep_ty(j as usize);
            let v = self.read(keep - j, ty)?;
            self.write(keep - j + dk.drop, ty, v)?;
        }
        self.sp = slot(&self.c, self.sp, dk.drop)?;
        Ok(())
    }

    /// The byte address of `bytes` bytes at `base + offset`, in bounds of the current pages.
    fn address(&self, base: u64, offset: u32, bytes: u64) -> R<u64> {
        let ea = base + offset as u64;
        if ea + bytes > self.pages as u64 * PAGE_SIZE as u64 {
            return Err(self.trap(format!(
                "access of {bytes} bytes at {ea:#x} is out of bounds"
            )));
        }
        Ok(ea)
    }

    fn read_block(&mut self, b: u64) -> R<u64> {
        self.c.read(Loc::Heap, b as u32, ValTy::I64)
    }

    /// The value heap block `b` holds before this step writes it: a write is a
    /// read-modify-write of the MTable entry valid at this step (see `zkwasm_tracer::trace`).
    fn overwritten(&self, b: u64) -> R<u64> {
        let entry = self.c.idx.memory.seen(Loc::Heap, b as u32, self.c.eid);
        entry.map(|r| r.value).ok_or_else(|| {
            self.c.fail(
                Rule::ReadMismatch,
                format!("no MTable entry of block {b} before step {}", self.c.eid),
            )
        })
    }

    fn host(&mut self, h: HostFn, instances: &mut u32) -> R<()> {
        let index = self.row.instance as usize;
        let instance = |s: &Self| {
            s.t.instances.get(index).copied().ok_or_else(|| {
                s.c.fail(Rule::InstanceValue, format!("no instance #{index}"))
            })
        };
        match h {
            HostFn::WasmInput => {
                if self.read(1, ValTy::I32)? != 0 {
                    let v = instance(self)?;
                    let got = self.c.write_any(Loc::Stack, self.sp - 1, ValTy::I64)?;
                    if got != v {
                        return Err(self.c.fail(
                            Rule::InstanceValue,
                            format!("public input {got:#x}, instance #{index} is {v:#x}"),
                        ));
                    }
                    *instances += 1;
                } else {
                    self.c.write_any(Loc::Stack, self.sp - 1, ValTy::I64)?;
                }
            }
            HostFn::WasmOutput => {
                let got = self.pop(ValTy::I64)?;
                let v = instance(self)?;
                if got != v {
                    return Err(self.c.fail(
                        Rule::InstanceValue,
                        format!("output {got:#x}, instance #{index} is {v:#x}"),
                    ));
                }
                *instances += 1;
            }
            HostFn::Require => {
                if self.pop(ValTy::I32)? == 0 {
                    return Err(self.trap("require(0)"));
                }
            }
        }
        Ok(())
    }

    /// A call of `callee`: a host function runs in this step, code opens a frame.
    fn call(&mut self, callee: u32, instances: &mut u32) -> R<Flow> {
        let f = self
            .t
            .image
            .functions
            .get(callee as usize)
            .ok_or_else(|| self.trap(format!("no function {callee}")))?;
        match f.host {
            Some(h) => self.host(h, instances).map(|()| Flow::Seq),
            None => Ok(Flow::Call(callee)),
        }
    }

    /// Checks the step's accesses and values; returns what it does to the state.
    fn run(&mut self) -> R<Effect> {
        use Instr::*;
        let mut instances = 0;
        let mut pages = self.pages;
        let flow = match self.row.instr {
            Nop => Flow::Seq,
            I32Const(v) => self.push(ValTy::I32, v as u64).map(|()| Flow::Seq)?,
            I64Const(v) => self.push(ValTy::I64, v).map(|()| Flow::Seq)?,
            Drop => {
                slot(&self.c, self.sp, 1)?;
                self.sp -= 1;
                Flow::Seq
            }
            Select(ty) => {
                let c = self.read(1, ValTy::I32)?;
                let b = self.read(2, ty)?;
                let a = self.read(3, ty)?;
                self.write(3, ty, if c != 0 { a } else { b })?;
                self.sp -= 2;
                Flow::Seq
            }
            LocalGet { depth, ty } => {
                let v = self.read(depth, ty)?;
                self.push(ty, v)?;
                Flow::Seq
            }
            LocalSet { depth, ty } => {
                let v = self.read(1, ty)?;
                self.write(depth, ty, v)?;
                self.sp -= 1;
                Flow::Seq
            }
            LocalTee { depth, ty } => {
                let v = self.read(1, ty)?;
                self.write(depth, ty, v)?;
                Flow::Seq
            }
            GlobalGet { idx, ty } => {
                let v = self.c.read(Loc::Global, idx, ty)?;
                self.push(ty, v)?;
                Flow::Seq
            }
            GlobalSet { idx, ty } => {
                let v = self.pop(ty)?;
                self.c.write(Loc::Global, idx, ty, v)?;
                Flow::Seq
            }
            Bin { op, ty } => {
                let b = self.read(1, ty)?;
                let a = self.read(2, ty)?;
                let r = alu::bin(op, ty, a, b).map_err(|k| self.trap(k))?;
                self.write(2, ty, r)?;
                self.sp -= 1;
                Flow::Seq
            }
            Rel { op, ty } => {
                let b = self.read(1, ty)?;
                let a = self.read(2, ty)?;
                self.write(2, ValTy::I32, alu::rel(op, ty, a, b) as u64)?;
                self.sp -= 1;
                Flow::Seq
            }
            Eqz(ty) => {
                let a = self.read(1, ty)?;
                self.write(1, ValTy::I32, (a == 0) as u64)?;
                Flow::Seq
            }
            Unary { op, ty } => {
                let a = self.read(1, ty)?;
                self.write(1, ty, alu::unary(op, ty, a))?;
                Flow::Seq
            }
            Conv(op) => {
                let (from, to) = alu::conv_types(op);
                let a = self.read(1, from)?;
                self.write(1, to, alu::conv(op, a))?;
                Flow::Seq
            }
            Load { kind, offset } => {
                let base = self.read(1, ValTy::I32)?;
                let bytes = kind.bytes() as u64;
                let ea = self.address(base, offset, bytes)?;
                let lo = self.read_block(ea / 8)? as u128;
                let hi = if (ea + bytes - 1) / 8 != ea / 8 {
                    self.read_block(ea / 8 + 1)? as u128
                } else {
                    0
                };
                let raw = ((hi << 64 | lo) >> ((ea % 8) * 8)) as u64;
                self.write(1, kind.ty(), alu::extend_load(kind, raw))?;
                Flow::Seq
            }
            Store { kind, offset } => {
                let v = self.read(1, kind.ty)?;
                let base = self.read(2, ValTy::I32)?;
                let bytes = kind.bytes as u64;
                let ea = self.address(base, offset, bytes)?;
                let two = (ea + bytes - 1) / 8 != ea / 8;
                // The blocks as they were: a write overwrites the entry valid at this step.
                let mut mem = [0u8; 16];
                mem[..8].copy_from_slice(&self.overwritten(ea / 8)?.to_le_bytes());
                if two {
                    mem[8..].copy_from_slice(&self.overwritten(ea / 8 + 1)?.to_le_bytes());
                }
                let at = (ea % 8) as usize;
                mem[at..at + bytes as usize].copy_from_slice(&v.to_le_bytes()[..bytes as usize]);
                let word = |k: usize| {
                    u64::from_le_bytes(mem[k * 8..k * 8 + 8].try_into().expect("8 bytes"))
                };
                self.c
                    .write(Loc::Heap, (ea / 8) as u32, ValTy::I64, word(0))?;
                if two {
                    self.c
                        .write(Loc::Heap, (ea / 8 + 1) as u32, ValTy::I64, word(1))?;
                }
                self.sp -= 2;
                Flow::Seq
            }
            MemorySize => self
                .push(ValTy::I32, self.pages as u64)
                .map(|()| Flow::Seq)?,
            MemoryGrow => {
                let delta = self.read(1, ValTy::I32)?;
                let st = self.t.image.state;
                let grown = self.pages as u64 + delta;
                if st.has_memory && grown <= st.max_pages as u64 {
                    self.write(1, ValTy::I32, self.pages as u64)?;
                    pages = grown as u32;
                } else {
                    self.write(1, ValTy::I32, u32::MAX as u64)?;
                }
                Flow::Seq
            }
            Br { dst, dk } => {
                self.drop_keep(dk)?;
                Flow::Jump(dst)
            }
            BrIfEqz { dst, dk } | BrIfNez { dst, dk } => {
                let c = self.pop(ValTy::I32)?;
                if (c == 0) == matches!(self.row.instr, BrIfEqz { .. }) {
                    self.drop_keep(dk)?;
                    Flow::Jump(dst)
                } else {
                    Flow::Seq
                }
            }
            BrTable { len, .. } => {
                let i = self.pop(ValTy::I32)?.min(len as u64 - 1) as u32;
                let key = (self.row.fid, self.row.iid, i);
                let target = *self.c.idx.br.get(&key).ok_or_else(|| {
                    self.c
                        .fail(Rule::BrTableLookup, format!("no target {key:?}"))
                })?;
                self.drop_keep(target.dk)?;
                Flow::Jump(target.dst)
            }
            Return(dk) => {
                self.drop_keep(dk)?;
                if self.row.frame == 0 {
                    Flow::Halt
                } else {
                    Flow::Return
                }
            }
            Call(f) => self.call(f, &mut instances)?,
            CallIndirect { type_idx } => {
                let i = self.pop(ValTy::I32)?;
                let img = &self.t.image;
                let callee = img
                    .elements
                    .get(i as usize)
                    .copied()
                    .flatten()
                    .ok_or_else(|| self.trap(format!("table slot {i} is empty or out of range")))?;
                let want = img.type_ids.get(type_idx as usize).copied();
                if img.functions.get(callee as usize).map(|f| f.type_id) != want {
                    return Err(self.trap(format!("indirect call type mismatch for fn {callee}")));
                }
                self.call(callee, &mut instances)?
            }
            CallHost(h) => {
                self.host(h, &mut instances)?;
                Flow::Seq
            }
            Unreachable | Unsupported(_) => {
                return Err(self.trap(format!("{} cannot be proved", self.row.instr)))
            }
        };
        self.c.done()?;
        if self.sp > self.t.image.state.max_stack {
            return Err(self.c.fail(
                Rule::StackBound,
                format!("sp {} above {}", self.sp, self.t.image.state.max_stack),
            ));
        }
        Ok(Effect {
            flow,
            sp: self.sp,
            pages,
            instances,
        })
    }
}

/// All rules of ETable row `i`.
pub(super) fn check_row(idx: &Index<'_>, i: usize) -> R<()> {
    let t = idx.t;
    let row = &t.etable[i];
    let next = t.etable.get(i + 1);
    let fail = |rule, detail: String| violation(TableId::ETable, i, rule, detail);
    if row.eid != i as u32 + 1 {
        return Err(fail(Rule::EidSequence, format!("eid {}", row.eid)));
    }
    if i == 0 {
        let st = t.image.state;
        let start = (row.fid, row.iid, row.sp, row.frame, row.pages, row.instance);
        if start != (st.entry_fid, 0, 0, 0, st.pages, 0) {
            return Err(fail(Rule::InitialState, format!("starts at {start:?}")));
        }
    }
    if row.sp > t.image.state.max_stack {
        return Err(fail(
            Rule::StackBound,
            format!("sp {} above {}", row.sp, t.image.state.max_stack),
        ));
    }
    if idx.instrs.get(&(row.fid, row.iid)) != Some(&row.instr) {
        return Err(fail(
            Rule::UnknownInstruction,
            format!(
                "({}, {}, {}) is not in the image",
                row.fid, row.iid, row.instr
            ),
        ));
    }
    let start = if i == 0 {
        0
    } else {
        t.etable[i - 1].events_end as usize
    };
    let end = row.events_end as usize;
    let events = t.events.get(start..end).ok_or_else(|| {
        fail(
            Rule::EventShape,
            format!("events {start}..{end} of {}", t.events.len()),
        )
    })?;
    let c = Cursor {
        row: i,
        eid: row.eid,
        events,
        pos: 0,
        idx,
    };
    let mut step = Step {
        c,
        t,
        row,
        sp: row.sp,
        pages: row.pages,
    };
    let eff = step.run()?;
    let writes = step.c.writes();
    match super::bits::lookups(row.instr, events) {
        Some(rows) => {
            for (what, row) in rows {
                if !idx.bits.contains(&row) {
                    return Err(fail(
                        Rule::BitMissing,
                        format!("no bit-table row for {what}: {row:x?}"),
                    ));
                }
            }
        }
        None => {
            return Err(fail(
                Rule::BitMissing,
                "no AND of the operands explains the result".into(),
            ))
        }
    }

    // Counters: what remains after this step is the next row's (zero after the last).
    let is_call = matches!(eff.flow, Flow::Call(_)) as u32;
    let is_ret = (eff.flow == Flow::Return) as u32;
    let after = next.map_or((0, 0, 0), |n| (n.rest_mops, n.rest_calls, n.rest_returns));
    if row.rest_mops.checked_sub(writes) != Some(after.0) {
        return Err(fail(
            Rule::MopsCounter,
            format!("{} - {writes} writes != {}", row.rest_mops, after.0),
        ));
    }
    if row.rest_calls.checked_sub(is_call) != Some(after.1) {
        return Err(fail(
            Rule::CallCounter,
            format!("{} - {is_call} != {}", row.rest_calls, after.1),
        ));
    }
    if row.rest_returns.checked_sub(is_ret) != Some(after.2) {
        return Err(fail(
            Rule::ReturnCounter,
            format!("{} - {is_ret} != {}", row.rest_returns, after.2),
        ));
    }
    let instance = row.instance as u64 + eff.instances as u64;
    let expected_instance = next.map_or(t.instances.len() as u64, |n| n.instance as u64);
    if instance != expected_instance {
        return Err(fail(
            Rule::InstanceIndex,
            format!("{instance} instances after the step, next row says {expected_instance}"),
        ));
    }

    // Frames.
    if let Flow::Call(callee) = eff.flow {
        let want = crate::JRow {
            frame: row.eid,
            parent: row.frame,
            callee,
            ret_fid: row.fid,
            ret_iid: row.iid + 1,
            returned: false,
            is_static: false,
        };
        let found = idx.frames.get(&row.eid).is_some_and(|js| {
            js.iter().any(|j| {
                crate::JRow {
                    returned: false,
                    ..*j
                } == want
            })
        });
        if !found {
            return Err(fail(Rule::CallMissing, format!("no JTable entry {want:?}")));
        }
    }
    let Some(next) = next else {
        return match eff.flow {
            Flow::Halt => Ok(()),
            f => Err(fail(
                Rule::NotHalted,
                format!("the last step does not return from the entry frame ({f:?})"),
            )),
        };
    };
    let (fid, iid, frame) = match eff.flow {
        Flow::Seq => (row.fid, row.iid + 1, row.frame),
        Flow::Jump(dst) => (row.fid, dst, row.frame),
        Flow::Call(callee) => (callee, 0, row.eid),
        Flow::Return => {
            let back = (next.fid, next.iid, next.frame);
            let found = idx.frames.get(&row.frame).is_some_and(|js| {
                js.iter()
                    .any(|j| j.returned && !j.is_static && (j.ret_fid, j.ret_iid, j.parent) == back)
            });
            if !found {
                return Err(fail(
                    Rule::ReturnMissing,
                    format!(
                        "no returned JTable entry for frame {} back to {back:?}",
                        row.frame
                    ),
                ));
            }
            back
        }
        Flow::Halt => {
            return Err(fail(
                Rule::NotHalted,
                "steps after the entry frame returned".into(),
            ))
        }
    };
    let want = (fid, iid, eff.sp, frame, eff.pages);
    let got = (next.fid, next.iid, next.sp, next.frame, next.pages);
    if want != got {
        return Err(fail(
            Rule::Transition,
            format!("next state {got:?}, expected {want:?}"),
        ));
    }
    Ok(())
}
