//! Every way loading or running a program can fail. Messages are part of the interface: each
//! names what went wrong and where (function index, byte offset, step), never a bare panic.

use serde::Serialize;
use std::fmt;
use thiserror::Error;

/// Which input stream a `wasm_input` call read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    Public,
    Private,
}

impl fmt::Display for InputKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InputKind::Public => "public",
            InputKind::Private => "private",
        })
    }
}

/// A Wasm trap: the program itself is at fault, the VM behaved as the spec says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrapKind {
    Unreachable,
    IntegerDivideByZero,
    IntegerOverflow,
    MemoryOutOfBounds,
    /// `call_indirect` index past the end of the table.
    TableOutOfBounds,
    /// `call_indirect` on an empty table slot.
    UninitializedElement,
    /// `call_indirect` on a function of another type.
    IndirectCallTypeMismatch,
}

impl fmt::Display for TrapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TrapKind::Unreachable => "unreachable executed",
            TrapKind::IntegerDivideByZero => "integer divide by zero",
            TrapKind::IntegerOverflow => "integer overflow",
            TrapKind::MemoryOutOfBounds => "out of bounds memory access",
            TrapKind::TableOutOfBounds => "undefined element: table index out of bounds",
            TrapKind::UninitializedElement => "uninitialized element",
            TrapKind::IndirectCallTypeMismatch => "indirect call type mismatch",
        })
    }
}

/// A deterministic resource limit of the VM (see [`crate::Limits`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    Steps,
    ValueStack,
    CallDepth,
    MemoryPages,
    /// The output budget of a sink (`trace --max-bytes`).
    Output,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Limit::Steps => "step limit",
            Limit::ValueStack => "value stack limit (slots)",
            Limit::CallDepth => "call depth limit",
            Limit::MemoryPages => "memory page limit",
            Limit::Output => "trace output limit (bytes)",
        })
    }
}

/// Where in the program something happened: function index, instruction index, the byte
/// offset of the Wasm operator in the module, and the step (`eid`) when it was executing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    pub fid: u32,
    pub iid: u32,
    pub offset: u32,
    pub eid: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "function {} at offset {:#x} (instruction {}, step {})",
            self.fid, self.offset, self.iid, self.eid
        )
    }
}

#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    /// Neither a Wasm binary nor WAT text that parses.
    #[error("malformed module: {0}")]
    Malformed(String),
    /// The module parses but is not valid Wasm.
    #[error("invalid module: {0}")]
    Invalid(String),
    /// Valid Wasm that uses a feature this VM does not support at all (not even lazily).
    #[error("unsupported module: {0}")]
    UnsupportedFeature(String),
    #[error("unsupported import `{module}.{name}` ({kind}): only env.wasm_input, env.wasm_output and env.require functions can be imported")]
    UnsupportedImport {
        module: String,
        name: String,
        kind: String,
    },
    #[error("import `env.{name}` has type {found}, expected {expected}")]
    ImportSignature {
        name: String,
        found: String,
        expected: String,
    },
    /// A Wasm operator the VM cannot execute was reached.
    #[error("unsupported instruction `{opcode}` executed in {at}")]
    UnsupportedOpcode { opcode: String, at: Location },
    #[error("no exported function `{0}` (use --entry to choose another export)")]
    MissingExport(String),
    #[error("entry function `{name}` has type {found}; an entry function takes no parameters")]
    EntrySignature { name: String, found: String },
    /// `index` counts from 0: the number of inputs of that kind already read.
    #[error("missing {kind} input #{index} (0-based): the program reads more {kind} inputs than the {index} given")]
    MissingInput { kind: InputKind, index: usize },
    #[error("require failed (condition was 0) in {at}")]
    RequireFailed { at: Location },
    #[error("trap: {kind} in {at}")]
    Trap { kind: TrapKind, at: Location },
    #[error("instantiation failed: {0}")]
    Instantiation(String),
    #[error("{limit} exceeded: {limit_value} (in {at})")]
    LimitExceeded {
        limit: Limit,
        limit_value: u64,
        at: Location,
    },
    #[error("bad input `{input}`: {reason}")]
    BadInput { input: String, reason: String },
}

impl Error {
    /// The trap kind, when the program trapped.
    pub fn trap(&self) -> Option<TrapKind> {
        match self {
            Error::Trap { kind, .. } => Some(*kind),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
