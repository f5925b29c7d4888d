//! The image: everything about a program that the circuit commits to before it runs.
//!
//! A [`Module`] is a compiled Wasm module; an [`Image`] is a module plus its entry function, a
//! synthetic function (index `module.functions.len()`) that runs the start function, then the
//! chosen export, then returns. The whole run therefore starts in one fixed state, at
//! `(entry fid, iid 0)` with an empty stack, and the start function is traced like any code.

use crate::isa::{BrTarget, DropKeep, HostFn, Instr, ValTy};
use crate::{Error, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// A Wasm value type as it appears in signatures, locals and globals (kept exact so that
/// `call_indirect` compares signatures as the spec does). Floats and references are carried as
/// bit patterns; no instruction that computes on them can execute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NumTy {
    I32,
    I64,
    F32,
    F64,
    FuncRef,
    ExternRef,
}

impl NumTy {
    /// The stack width of a value of this type.
    pub const fn width(self) -> ValTy {
        match self {
            NumTy::I32 | NumTy::F32 | NumTy::FuncRef | NumTy::ExternRef => ValTy::I32,
            NumTy::I64 | NumTy::F64 => ValTy::I64,
        }
    }

    /// The integer type of a width.
    pub const fn int(ty: ValTy) -> NumTy {
        match ty {
            ValTy::I32 => NumTy::I32,
            ValTy::I64 => NumTy::I64,
        }
    }

    pub const fn is_int(self) -> bool {
        matches!(self, NumTy::I32 | NumTy::I64)
    }

    pub const fn name(self) -> &'static str {
        match self {
            NumTy::I32 => "i32",
            NumTy::I64 => "i64",
            NumTy::F32 => "f32",
            NumTy::F64 => "f64",
            NumTy::FuncRef => "funcref",
            NumTy::ExternRef => "externref",
        }
    }
}

/// A function type.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Signature {
    pub params: Vec<NumTy>,
    pub results: Vec<NumTy>,
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |v: &[NumTy]| v.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ");
        write!(f, "[{}] -> [{}]", list(&self.params), list(&self.results))
    }
}

/// What a function index refers to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Body {
    /// An imported host function.
    Host(HostFn),
    /// Compiled code. `offsets[i]` is the byte offset in the module of the Wasm operator that
    /// `code[i]` came from (for error messages).
    Code { code: Vec<Instr>, offsets: Vec<u32> },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Function {
    pub type_idx: u32,
    /// Parameters plus declared locals: the function's part of the value stack below its
    /// operands.
    pub n_locals: u32,
    pub body: Body,
}

impl Function {
    /// The compiled code (empty for host functions).
    pub fn code(&self) -> &[Instr] {
        match &self.body {
            Body::Code { code, .. } => code,
            Body::Host(_) => &[],
        }
    }

    /// Byte offset of instruction `iid` in the module (0 when unknown).
    pub fn offset(&self, iid: u32) -> u32 {
        match &self.body {
            Body::Code { offsets, .. } => offsets.get(iid as usize).copied().unwrap_or(0),
            Body::Host(_) => 0,
        }
    }
}

/// A global variable's declaration and initial value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Global {
    pub ty: NumTy,
    pub mutable: bool,
    pub init: u64,
}

/// The Wasm operator behind an [`Instr::Unsupported`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnsupportedOp {
    pub opcode: String,
    pub offset: u32,
}

/// Linear memory 0 as instantiated: initial pages with active data segments applied.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize)]
pub struct MemoryImage {
    pub exists: bool,
    pub initial_pages: u32,
    pub max_pages: Option<u32>,
    /// Active data segments as `(offset, bytes)`, in module order.
    pub data: Vec<(u32, Vec<u8>)>,
}

impl MemoryImage {
    /// The initial memory bytes (pages × 64 KiB) with the data segments applied.
    pub fn bytes(&self) -> Vec<u8> {
        let mut mem = vec![0u8; self.initial_pages as usize * crate::PAGE_SIZE];
        for (off, bytes) in &self.data {
            // In bounds: checked when the module was compiled.
            mem[*off as usize..*off as usize + bytes.len()].copy_from_slice(bytes);
        }
        mem
    }

    /// The non-zero initial 8-byte blocks as `(block index, little-endian value)`, in order:
    /// what the image table commits to (every other block starts at zero).
    pub fn blocks(&self) -> Vec<(u32, u64)> {
        let mem = self.bytes();
        mem.chunks_exact(8)
            .enumerate()
            .filter_map(|(i, c)| {
                let v = u64::from_le_bytes(c.try_into().expect("8-byte chunk"));
                (v != 0).then_some((i as u32, v))
            })
            .collect()
    }
}

/// A compiled module: functions, types, table, memory and globals as instantiated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Module {
    pub types: Vec<Signature>,
    /// Indexed by Wasm function index: imported host functions first.
    pub functions: Vec<Function>,
    /// All `br_table` targets of all functions; [`Instr::BrTable`] points into it.
    pub br_table: Vec<BrTarget>,
    /// Table 0 after active element segments: the function index in each slot.
    pub table: Vec<Option<u32>>,
    pub memory: MemoryImage,
    pub globals: Vec<Global>,
    pub start: Option<u32>,
    /// Exported functions by name.
    pub exports: BTreeMap<String, u32>,
    pub unsupported: Vec<UnsupportedOp>,
    /// The helper functions the module's code calls, with their function indices: after the
    /// module's own functions, in the order of first use (see `compile::helpers`).
    pub helpers: Vec<(u32, Helper)>,
}

/// A function the compiler adds to a module whose code needs it (`compile::helpers`): an
/// operation that runs, and is proved, as a call of ordinary instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Helper {
    MemoryCopy,
    MemoryFill,
    I32Popcnt,
    I64Popcnt,
    /// An imported host function that the table names: `call_indirect` calls only functions
    /// with code, so the table names this wrapper instead (`call_host`, then `return`).
    Host(HostFn),
}

impl Helper {
    /// The helpers written in Wasm (`compile::helpers`).
    pub const WASM: [Helper; 4] = [
        Helper::MemoryCopy,
        Helper::MemoryFill,
        Helper::I32Popcnt,
        Helper::I64Popcnt,
    ];

    /// The Wasm operator the helper runs.
    pub const fn name(self) -> &'static str {
        match self {
            Helper::MemoryCopy => "memory.copy",
            Helper::MemoryFill => "memory.fill",
            Helper::I32Popcnt => "i32.popcnt",
            Helper::I64Popcnt => "i64.popcnt",
            Helper::Host(h) => h.name(),
        }
    }
}

impl Module {
    /// The helper function `fid` is, if it is one.
    pub fn helper(&self, fid: u32) -> Option<Helper> {
        self.helpers
            .iter()
            .find(|(f, _)| *f == fid)
            .map(|(_, h)| *h)
    }

    pub fn signature(&self, fid: u32) -> &Signature {
        &self.types[self.functions[fid as usize].type_idx as usize]
    }

    /// The image that runs the start function (if any), then export `name`, which must take no
    /// parameters; its results are the run's results.
    pub fn image(self, name: &str) -> Result<Image> {
        let fid = *self
            .exports
            .get(name)
            .ok_or_else(|| Error::MissingExport(name.to_string()))?;
        let sig = self.signature(fid);
        if !sig.params.is_empty() {
            return Err(Error::EntrySignature {
                name: name.to_string(),
                found: sig.to_string(),
            });
        }
        let entry = self.entry_function(fid, &[], true)?;
        Ok(Image {
            module: self,
            entry,
        })
    }

    /// An entry function calling `fid` with `args` (pushed as constants), after the start
    /// function when `run_start`. Used for the image's entry and by harnesses that invoke
    /// exports with arguments on an instance whose start function already ran.
    pub fn entry_function(&self, fid: u32, args: &[u64], run_start: bool) -> Result<Function> {
        let sig = self.signature(fid);
        if sig.params.len() != args.len() {
            return Err(Error::EntrySignature {
                name: format!("function {fid}"),
                found: sig.to_string(),
            });
        }
        let mut code = Vec::with_capacity(args.len() + 3);
        if let Some(start) = self.start.filter(|_| run_start) {
            code.push(Instr::Call(start));
        }
        for (ty, &v) in sig.params.iter().zip(args) {
            code.push(match ty.width() {
                ValTy::I32 => Instr::I32Const(v as u32),
                ValTy::I64 => Instr::I64Const(v),
            });
        }
        code.push(Instr::Call(fid));
        // The entry frame's stack holds exactly the results now: the halting return keeps
        // them where they are (`interp` reads them off the stack).
        code.push(Instr::Return(DropKeep::default()));
        let offsets = vec![0; code.len()];
        Ok(Function {
            type_idx: u32::MAX,
            n_locals: 0,
            body: Body::Code { code, offsets },
        })
    }

    /// Runs the start function only (for harnesses that instantiate and then invoke).
    pub fn start_function(&self) -> Option<Function> {
        let start = self.start?;
        let code = vec![Instr::Call(start), Instr::Return(DropKeep::default())];
        Some(Function {
            type_idx: u32::MAX,
            n_locals: 0,
            body: Body::Code {
                offsets: vec![0; code.len()],
                code,
            },
        })
    }
}

/// A module with its entry function: what a proof is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Image {
    pub module: Module,
    /// The synthetic entry function, index [`Image::entry_fid`].
    pub entry: Function,
}

impl Image {
    pub fn entry_fid(&self) -> u32 {
        self.module.functions.len() as u32
    }

    /// Function `fid`, the entry function included.
    pub fn function(&self, fid: u32) -> Option<&Function> {
        if fid == self.entry_fid() {
            Some(&self.entry)
        } else {
            self.module.functions.get(fid as usize)
        }
    }

    /// The instruction at `(fid, iid)`.
    pub fn instr(&self, fid: u32, iid: u32) -> Option<Instr> {
        self.function(fid)?.code().get(iid as usize).copied()
    }

    /// Number of instructions over all functions, the entry included.
    pub fn code_len(&self) -> usize {
        self.module
            .functions
            .iter()
            .map(|f| f.code().len())
            .sum::<usize>()
            + self.entry.code().len()
    }
}
