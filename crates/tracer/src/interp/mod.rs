//! The tracing interpreter over the flat ISA.
//!
//! One loop iteration executes one instruction and reports to the [`Sink`]: the memory events as they happen, then the step
//! with its pre-state. Values are `u64` with i32 values zero-extended. The interpreter is
//! generic over the sink, so a dry run with [`crate::NullSink`] pays nothing for tracing.

mod exec;

use crate::error::{Limit, Location, TrapKind};
use crate::image::{Function, Module};
use crate::isa::Instr;
use crate::trace::{Sink, Step, StepView};
use crate::{Error, Inputs, Limits, Result, PAGE_SIZE};

/// What a finished run produced.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Outcome {
    /// The entry function's results (bit patterns, i32 zero-extended).
    pub results: Vec<u64>,
    /// Public inputs read and outputs written, in execution order: the proof's instances.
    pub instances: Vec<u64>,
    /// Values passed to `wasm_output`, in order.
    pub outputs: Vec<u64>,
    /// Executed steps.
    pub steps: u64,
    /// Public and private inputs consumed.
    pub public_inputs_read: usize,
    pub private_inputs_read: usize,
}

/// A return address on the call stack.
#[derive(Clone, Copy)]
struct CallRecord {
    ret_fid: u32,
    ret_iid: u32,
    /// The caller's frame id.
    frame: u32,
    /// The caller's first local.
    base: usize,
    /// Index of the frame in call order (for [`Sink::ret`]).
    index: u32,
}

/// A module's mutable state: memory, globals and table. Runs on the same instance see each
/// other's effects, like calls on one Wasm instance.
pub struct Instance<'m> {
    module: &'m Module,
    limits: Limits,
    memory: Vec<u8>,
    globals: Vec<u64>,
    stack: Vec<u64>,
}

impl<'m> Instance<'m> {
    /// The module as instantiated: data segments applied, globals initialised.
    pub fn new(module: &'m Module, limits: Limits) -> Self {
        Instance {
            module,
            limits,
            memory: module.memory.bytes(),
            globals: module.globals.iter().map(|g| g.init).collect(),
            stack: vec![0; limits.max_stack as usize],
        }
    }

    /// Linear memory 0 (empty if the module has none).
    pub fn memory(&self) -> &[u8] {
        &self.memory
    }

    /// Global values by global index.
    pub fn globals(&self) -> &[u64] {
        &self.globals
    }

    /// Runs `entry` (an entry function of this module, see [`Module::entry_function`]) from an
    /// empty stack, streaming the trace into `sink`.
    pub fn run<S: Sink>(
        &mut self,
        entry: &Function,
        inputs: &Inputs,
        sink: &mut S,
    ) -> Result<Outcome> {
        let entry_fid = self.module.functions.len() as u32;
        let mut m = Machine {
            module: self.module,
            entry,
            entry_fid,
            limits: self.limits,
            stack: &mut self.stack,
            memory: &mut self.memory,
            globals: &mut self.globals,
            inputs,
            sink,
            sp: 0,
            base: 0,
            fid: entry_fid,
            iid: 0,
            frame: 0,
            eid: 1,
            calls: Vec::new(),
            frames: 0,
            out: Outcome::default(),
        };
        m.run()?;
        let mut out = m.out;
        out.steps = m.eid as u64 - 1;
        Ok(out)
    }
}

struct Machine<'a, S> {
    module: &'a Module,
    entry: &'a Function,
    entry_fid: u32,
    limits: Limits,
    stack: &'a mut [u64],
    memory: &'a mut Vec<u8>,
    globals: &'a mut [u64],
    inputs: &'a Inputs,
    sink: &'a mut S,
    sp: usize,
    /// Stack slot of the current function's first local.
    base: usize,
    fid: u32,
    iid: u32,
    frame: u32,
    /// The step being executed (1-based).
    eid: u32,
    calls: Vec<CallRecord>,
    /// Calls made so far: the next frame's index.
    frames: u32,
    out: Outcome,
}

/// How an instruction moves the program counter.
enum Next {
    /// To `iid + 1`.
    Seq,
    /// To an instruction of the current function.
    Jump(u32),
    /// Into another function (a call or a return): `fid`, `iid` already set.
    Switched,
    /// The entry function returned.
    Finish,
}

impl<'a, S: Sink> Machine<'a, S> {
    fn function(&self, fid: u32) -> &'a Function {
        if fid == self.entry_fid {
            self.entry
        } else {
            &self.module.functions[fid as usize]
        }
    }

    /// Where the running instruction is; inside a helper function, the instruction that
    /// called it (`memory.copy`, ...: the helper's code is not the user's).
    fn at(&self) -> Location {
        let (fid, iid) = match self.calls.last() {
            Some(c) if self.module.helper(self.fid).is_some() => (c.ret_fid, c.ret_iid - 1),
            _ => (self.fid, self.iid),
        };
        Location {
            fid,
            iid,
            offset: self.function(fid).offset(iid),
            eid: self.eid,
        }
    }

    fn trap(&self, kind: TrapKind) -> Error {
        Error::Trap {
            kind,
            at: self.at(),
        }
    }

    fn limit(&self, limit: Limit, limit_value: u64) -> Error {
        Error::LimitExceeded {
            limit,
            limit_value,
            at: self.at(),
        }
    }

    fn run(&mut self) -> Result<()> {
        let mut code: &'a [Instr] = self.entry.code();
        loop {
            if self.eid as u64 > self.limits.max_steps || self.eid == u32::MAX {
                return Err(
                    self.limit(Limit::Steps, self.limits.max_steps.min(u32::MAX as u64 - 1))
                );
            }
            if let Some(budget) = self.sink.full() {
                return Err(self.limit(Limit::Output, budget));
            }
            let instr = code[self.iid as usize];
            let step = Step {
                fid: self.fid,
                iid: self.iid,
                sp: self.sp as u32,
                pages: (self.memory.len() / PAGE_SIZE) as u32,
                frame: self.frame,
                events_end: 0,
            };
            if S::WANTS_VIEW {
                self.view(step);
            }
            let next = self.exec(instr)?;
            self.sink.step(step);
            self.eid += 1;
            match next {
                Next::Seq => self.iid += 1,
                Next::Jump(dst) => self.iid = dst,
                Next::Switched => code = self.function(self.fid).code(),
                Next::Finish => return Ok(()),
            }
        }
    }

    #[cold]
    fn view(&mut self, step: Step) {
        let n_locals = self.function(self.fid).n_locals as usize;
        // While a function zero-initialises its declared locals, fewer are on the stack yet.
        let end = (self.base + n_locals).min(self.sp);
        let view = StepView {
            eid: self.eid,
            step,
            depth: self.calls.len() as u32,
            locals: &self.stack[self.base..end.max(self.base)],
            stack: &self.stack[..self.sp],
        };
        self.sink.before(&view);
    }
}
