//! `memory.copy` and `memory.fill` as micro-steps: each step moves the bytes that fall in one
//! destination block, keeping the remaining work in the operand slots (see [`crate::trace`]).

use super::{Machine, Next};
use crate::error::TrapKind;
use crate::isa::ValTy;
use crate::trace::Sink;
use crate::Result;

impl<S: Sink> Machine<'_, S> {
    /// Reads the three operands `(dst, x, n)` in place (top first) and checks that
    /// `dst .. dst + n` and, for a copy, `x .. x + n` are in bounds.
    fn bulk_operands(&mut self, x_is_addr: bool) -> Result<(usize, u64, usize)> {
        let n = self.peek(1, ValTy::I32);
        let x = self.peek(2, ValTy::I32);
        let dst = self.peek(3, ValTy::I32);
        let len = self.memory.len() as u64;
        if dst + n > len || (x_is_addr && x + n > len) {
            return Err(self.trap(TrapKind::MemoryOutOfBounds));
        }
        Ok((dst as usize, x, n as usize))
    }

    /// Ends the instruction: pops the three operands.
    fn bulk_done(&mut self) -> Result<Next> {
        self.sp -= 3;
        Ok(Next::Seq)
    }

    /// Moves bytes `src .. src + c` to `dst .. dst + c`, all inside `dst`'s block: reads the
    /// source block(s), reads and writes the destination block.
    fn move_chunk(&mut self, dst: usize, src: usize, c: usize) {
        self.read_block(src / 8);
        if (src + c - 1) / 8 != src / 8 {
            self.read_block((src + c - 1) / 8);
        }
        self.read_block(dst / 8);
        self.memory.copy_within(src..src + c, dst);
        self.wrote_block(dst / 8);
    }

    pub(super) fn copy_step(&mut self) -> Result<Next> {
        let (dst, src, n) = self.bulk_operands(true)?;
        let src = src as usize;
        if n == 0 {
            return self.bulk_done();
        }
        if dst > src {
            // Overlap-safe backwards copy: the last bytes first; only `n` shrinks.
            let end = dst + n;
            let c = n.min((end - 1) % 8 + 1);
            self.move_chunk(end - c, src + n - c, c);
            if c == n {
                return self.bulk_done();
            }
            self.write(self.sp - 1, (n - c) as u64, ValTy::I32);
        } else {
            let c = n.min(8 - dst % 8);
            self.move_chunk(dst, src, c);
            if c == n {
                return self.bulk_done();
            }
            self.write(self.sp - 3, (dst + c) as u64, ValTy::I32);
            self.write(self.sp - 2, (src + c) as u64, ValTy::I32);
            self.write(self.sp - 1, (n - c) as u64, ValTy::I32);
        }
        Ok(Next::Stay)
    }

    pub(super) fn fill_step(&mut self) -> Result<Next> {
        let (dst, value, n) = self.bulk_operands(false)?;
        if n == 0 {
            return self.bulk_done();
        }
        let c = n.min(8 - dst % 8);
        self.read_block(dst / 8);
        self.memory[dst..dst + c].fill(value as u8);
        self.wrote_block(dst / 8);
        if c == n {
            return self.bulk_done();
        }
        self.write(self.sp - 3, (dst + c) as u64, ValTy::I32);
        self.write(self.sp - 1, (n - c) as u64, ValTy::I32);
        Ok(Next::Stay)
    }
}
