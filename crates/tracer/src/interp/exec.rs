//! Executing one instruction: stack, globals, heap, control flow and host calls, each access
//! reported to the sink as a memory event in the order documented in [`crate::trace`].

use super::{CallRecord, Machine, Next};
use crate::alu;
use crate::error::{InputKind, Limit, TrapKind};
use crate::image::Body;
use crate::isa::*;
use crate::trace::{Frame, Loc, MemEvent, Rw, Sink};
use crate::{Error, Result, PAGE_SIZE};

/// Wasm's absolute page limit for 32-bit memories.
const MAX_WASM_PAGES: u64 = 65536;

impl<'a, S: Sink> Machine<'a, S> {
    #[inline(always)]
    fn event(&mut self, loc: Loc, rw: Rw, addr: u32, value: u64, ty: ValTy) {
        self.sink.event(MemEvent {
            value,
            addr,
            loc,
            rw,
            ty,
        });
    }

    /// Reads stack slot `slot`.
    #[inline(always)]
    pub(super) fn read(&mut self, slot: usize, ty: ValTy) -> u64 {
        let v = self.stack[slot];
        self.event(Loc::Stack, Rw::Read, slot as u32, v, ty);
        v
    }

    /// Writes stack slot `slot`.
    #[inline(always)]
    pub(super) fn write(&mut self, slot: usize, v: u64, ty: ValTy) {
        self.stack[slot] = v;
        self.event(Loc::Stack, Rw::Write, slot as u32, v, ty);
    }

    /// Reads the value `depth` slots below the top (1 = top).
    #[inline(always)]
    pub(super) fn peek(&mut self, depth: usize, ty: ValTy) -> u64 {
        self.read(self.sp - depth, ty)
    }

    #[inline(always)]
    fn pop(&mut self, ty: ValTy) -> u64 {
        self.sp -= 1;
        self.read(self.sp, ty)
    }

    #[inline(always)]
    fn push(&mut self, v: u64, ty: ValTy) -> Result<()> {
        if self.sp == self.stack.len() {
            return Err(self.limit(Limit::ValueStack, self.stack.len() as u64));
        }
        self.write(self.sp, v, ty);
        self.sp += 1;
        Ok(())
    }

    /// Replaces the top value (an instruction popping one operand and pushing one result).
    #[inline(always)]
    fn set_top(&mut self, v: u64, ty: ValTy) {
        self.write(self.sp - 1, v, ty);
    }

    /// Reads heap block `b` (8 bytes at byte address `8 b`).
    #[inline(always)]
    pub(super) fn read_block(&mut self, b: usize) -> u64 {
        let v = u64::from_le_bytes(self.memory[b * 8..b * 8 + 8].try_into().expect("8 bytes"));
        self.event(Loc::Heap, Rw::Read, b as u32, v, ValTy::I64);
        v
    }

    /// Reports heap block `b`'s current content as written.
    #[inline(always)]
    pub(super) fn wrote_block(&mut self, b: usize) {
        let v = u64::from_le_bytes(self.memory[b * 8..b * 8 + 8].try_into().expect("8 bytes"));
        self.event(Loc::Heap, Rw::Write, b as u32, v, ValTy::I64);
    }

    /// The byte address of an access of `bytes` bytes at `base + offset`, if in bounds.
    #[inline(always)]
    pub(super) fn effective(&self, base: u64, offset: u32, bytes: u32) -> Result<usize> {
        let ea = base + offset as u64;
        if ea + bytes as u64 > self.memory.len() as u64 {
            return Err(self.trap(TrapKind::MemoryOutOfBounds));
        }
        Ok(ea as usize)
    }

    /// Moves the top `keep` values down by `drop` slots.
    #[inline(always)]
    fn drop_keep(&mut self, dk: DropKeep) {
        if dk.drop == 0 {
            return;
        }
        let (drop, keep) = (dk.drop as usize, dk.keep as usize);
        for j in 0..keep {
            let ty = dk.keep_ty(j);
            let src = self.sp - keep + j;
            let v = self.read(src, ty);
            self.write(src - drop, v, ty);
        }
        self.sp -= drop;
    }

    fn call(&mut self, callee: u32) -> Result<Next> {
        let f = &self.module.functions[callee as usize];
        if let Body::Host(h) = f.body {
            return self.host(h).map(|()| Next::Seq);
        }
        if self.calls.len() as u32 >= self.limits.max_call_depth {
            return Err(self.limit(Limit::CallDepth, self.limits.max_call_depth as u64));
        }
        let index = self.frames;
        self.frames += 1;
        self.sink.call(
            index,
            Frame {
                call_eid: self.eid,
                parent: self.frame,
                callee,
                ret_fid: self.fid,
                ret_iid: self.iid + 1,
                return_eid: 0,
            },
        );
        self.calls.push(CallRecord {
            ret_fid: self.fid,
            ret_iid: self.iid + 1,
            frame: self.frame,
            base: self.base,
            index,
        });
        let n_params = self.module.types[f.type_idx as usize].params.len();
        self.base = self.sp - n_params;
        self.frame = self.eid;
        self.fid = callee;
        self.iid = 0;
        Ok(Next::Switched)
    }

    fn ret(&mut self, dk: DropKeep) -> Next {
        self.drop_keep(dk);
        let Some(r) = self.calls.pop() else {
            // The entry frame's operands are the results (`Module::entry_function`).
            self.out.results = self.stack[self.base..self.sp].to_vec();
            return Next::Finish;
        };
        self.sink.ret(r.index, self.eid);
        self.fid = r.ret_fid;
        self.iid = r.ret_iid;
        self.frame = r.frame;
        self.base = r.base;
        Next::Switched
    }

    fn host(&mut self, h: HostFn) -> Result<()> {
        match h {
            HostFn::WasmInput => {
                let public = self.peek(1, ValTy::I32) != 0;
                let (stream, pos, kind) = if public {
                    (
                        &self.inputs.public,
                        &mut self.out.public_inputs_read,
                        InputKind::Public,
                    )
                } else {
                    (
                        &self.inputs.private,
                        &mut self.out.private_inputs_read,
                        InputKind::Private,
                    )
                };
                let Some(&v) = stream.get(*pos) else {
                    return Err(Error::MissingInput { kind, index: *pos });
                };
                *pos += 1;
                if public {
                    self.out.instances.push(v);
                }
                self.set_top(v, ValTy::I64);
            }
            HostFn::WasmOutput => {
                let v = self.pop(ValTy::I64);
                self.out.instances.push(v);
                self.out.outputs.push(v);
            }
            HostFn::Require => {
                if self.pop(ValTy::I32) == 0 {
                    return Err(Error::RequireFailed { at: self.at() });
                }
            }
        }
        Ok(())
    }

    fn grow(&mut self, delta: u64) -> u64 {
        let old = (self.memory.len() / PAGE_SIZE) as u64;
        let max = self
            .module
            .memory
            .max_pages
            .map_or(MAX_WASM_PAGES, |m| m as u64)
            .min(self.limits.max_pages as u64);
        if !self.module.memory.exists || old + delta > max {
            return u32::MAX as u64;
        }
        self.memory.resize((old + delta) as usize * PAGE_SIZE, 0);
        old
    }

    /// Executes one instruction.
    #[inline(always)]
    pub(super) fn exec(&mut self, instr: Instr) -> Result<Next> {
        use Instr::*;
        match instr {
            I32Const(v) => self.push(v as u64, ValTy::I32)?,
            I64Const(v) => self.push(v, ValTy::I64)?,
            LocalGet { depth, ty } => {
                let v = self.peek(depth as usize, ty);
                self.push(v, ty)?;
            }
            LocalSet { depth, ty } => {
                let v = self.peek(1, ty);
                self.write(self.sp - depth as usize, v, ty);
                self.sp -= 1;
            }
            LocalTee { depth, ty } => {
                let v = self.peek(1, ty);
                self.write(self.sp - depth as usize, v, ty);
            }
            GlobalGet { idx, ty } => {
                let v = self.globals[idx as usize];
                self.event(Loc::Global, Rw::Read, idx, v, ty);
                self.push(v, ty)?;
            }
            GlobalSet { idx, ty } => {
                let v = self.pop(ty);
                self.globals[idx as usize] = v;
                self.event(Loc::Global, Rw::Write, idx, v, ty);
            }
            Drop => self.sp -= 1,
            Select(ty) => {
                let c = self.pop(ValTy::I32);
                let b = self.pop(ty);
                let a = self.peek(1, ty);
                self.set_top(if c != 0 { a } else { b }, ty);
            }
            Bin { op, ty } => {
                let b = self.pop(ty);
                let a = self.peek(1, ty);
                let r = alu::bin(op, ty, a, b).map_err(|k| self.trap(k))?;
                self.set_top(r, ty);
            }
            Rel { op, ty } => {
                let b = self.pop(ty);
                let a = self.peek(1, ty);
                self.set_top(alu::rel(op, ty, a, b) as u64, ValTy::I32);
            }
            Eqz(ty) => {
                let a = self.peek(1, ty);
                self.set_top((a == 0) as u64, ValTy::I32);
            }
            Unary { op, ty } => {
                let a = self.peek(1, ty);
                self.set_top(alu::unary(op, ty, a), ty);
            }
            Conv(op) => {
                let (from, to) = alu::conv_types(op);
                let a = self.peek(1, from);
                self.set_top(alu::conv(op, a), to);
            }
            Load { kind, offset } => {
                let base = self.peek(1, ValTy::I32);
                let bytes = kind.bytes();
                let ea = self.effective(base, offset, bytes)?;
                let (first, last) = (ea / 8, (ea + bytes as usize - 1) / 8);
                let lo = self.read_block(first) as u128;
                let hi = if last != first {
                    self.read_block(last) as u128
                } else {
                    0
                };
                let raw = ((hi << 64 | lo) >> ((ea % 8) * 8)) as u64;
                let ty = kind.ty();
                self.set_top(alu::extend_load(kind, raw), ty);
            }
            Store { kind, offset } => {
                let v = self.pop(kind.ty);
                let base = self.pop(ValTy::I32);
                let bytes = kind.bytes as u32;
                let ea = self.effective(base, offset, bytes)?;
                let (first, last) = (ea / 8, (ea + bytes as usize - 1) / 8);
                self.memory[ea..ea + bytes as usize]
                    .copy_from_slice(&v.to_le_bytes()[..bytes as usize]);
                self.wrote_block(first);
                if last != first {
                    self.wrote_block(last);
                }
            }
            MemorySize => self.push((self.memory.len() / PAGE_SIZE) as u64, ValTy::I32)?,
            MemoryGrow => {
                let delta = self.peek(1, ValTy::I32);
                let r = self.grow(delta);
                self.set_top(r, ValTy::I32);
            }
            Br { dst, dk } => {
                self.drop_keep(dk);
                return Ok(Next::Jump(dst));
            }
            BrIfEqz { dst, dk } => {
                if self.pop(ValTy::I32) == 0 {
                    self.drop_keep(dk);
                    return Ok(Next::Jump(dst));
                }
            }
            BrIfNez { dst, dk } => {
                if self.pop(ValTy::I32) != 0 {
                    self.drop_keep(dk);
                    return Ok(Next::Jump(dst));
                }
            }
            BrTable { start, len } => {
                let i = self.pop(ValTy::I32).min(len as u64 - 1);
                let t = self.module.br_table[(start as u64 + i) as usize];
                self.drop_keep(t.dk);
                return Ok(Next::Jump(t.dst));
            }
            Return(dk) => return Ok(self.ret(dk)),
            Call(fid) => return self.call(fid),
            CallIndirect { type_idx } => {
                let i = self.pop(ValTy::I32) as usize;
                let Some(&slot) = self.module.table.get(i) else {
                    return Err(self.trap(TrapKind::TableOutOfBounds));
                };
                let callee = slot.ok_or_else(|| self.trap(TrapKind::UninitializedElement))?;
                if self.module.signature(callee) != &self.module.types[type_idx as usize] {
                    return Err(self.trap(TrapKind::IndirectCallTypeMismatch));
                }
                return self.call(callee);
            }
            CallHost(h) => self.host(h)?,
            Unreachable => return Err(self.trap(TrapKind::Unreachable)),
            Nop => {}
            Unsupported(i) => {
                let opcode = self.module.unsupported[i as usize].opcode.clone();
                return Err(Error::UnsupportedOpcode {
                    opcode,
                    at: self.at(),
                });
            }
        }
        Ok(Next::Seq)
    }
}
