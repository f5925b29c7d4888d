//! The flat stack ISA that structured Wasm is compiled to.
//!
//! There are no blocks: control flow is a jump to an absolute instruction index carrying a
//! drop/keep pair, locals are addressed by their depth on the value stack, and every function
//! ends in an explicit [`Instr::Return`]. One Wasm operator becomes at most one instruction
//! (`if`/`else` add a jump, `nop`/`block`/`loop` vanish, `memory.copy`, `memory.fill` and
//! `popcnt` become calls to helper functions written in Wasm, see `compile::helpers`), so the
//! circuits see a small, regular instruction set whose every instruction has a fixed address
//! `(fid, iid)`.

use serde::Serialize;
use std::fmt;

/// Width of a value on the stack or in a global. `f32`/`f64` values are carried as their bit
/// patterns (they may be moved around by code that never does float arithmetic).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ValTy {
    I32,
    I64,
}

impl ValTy {
    /// Mask of the bits a value of this width may have set.
    #[inline(always)]
    pub const fn mask(self) -> u64 {
        match self {
            ValTy::I32 => u32::MAX as u64,
            ValTy::I64 => u64::MAX,
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            ValTy::I32 => "i32",
            ValTy::I64 => "i64",
        }
    }
}

/// How many values a jump removes below the kept ones, and how many it keeps: 0 or 1 as the
/// compiler emits them. A branch that keeps more (multi-value blocks, functions returning
/// several values) is compiled to moves of the kept values first (`local.get`/`local.set`
/// pairs), then a jump that only drops; a jump that drops nothing keeps nothing (the values
/// stay where they are).
///
/// `i64_mask` bit `j` says whether the `j`-th kept value counted from the bottom is 64 bits wide;
/// the tables record every stack access with its width, so the jump must know them statically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize)]
pub struct DropKeep {
    pub drop: u32,
    pub keep: u16,
    pub i64_mask: u16,
}

impl DropKeep {
    /// Width of the `j`-th kept value, counted from the bottom of the kept run.
    #[inline(always)]
    pub fn keep_ty(self, j: usize) -> ValTy {
        if self.i64_mask >> j & 1 == 1 {
            ValTy::I64
        } else {
            ValTy::I32
        }
    }
}

/// One target of a `br_table`, stored in [`crate::Image::br_table`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct BrTarget {
    pub dst: u32,
    pub dk: DropKeep,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
/// (`popcnt` is a call of a helper function: `compile::helpers`.)
pub enum UnaryOp {
    Clz,
    Ctz,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    DivS,
    DivU,
    RemS,
    RemU,
    And,
    Or,
    Xor,
    Shl,
    ShrS,
    ShrU,
    Rotl,
    Rotr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RelOp {
    Eq,
    Ne,
    LtS,
    LtU,
    GtS,
    GtU,
    LeS,
    LeU,
    GeS,
    GeU,
}

/// Integer conversions and sign extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConvOp {
    I32WrapI64,
    I64ExtendI32S,
    I64ExtendI32U,
    I32Extend8S,
    I32Extend16S,
    I64Extend8S,
    I64Extend16S,
    I64Extend32S,
}

/// Width and signedness of a load.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadKind {
    I32,
    I64,
    I32S8,
    I32U8,
    I32S16,
    I32U16,
    I64S8,
    I64U8,
    I64S16,
    I64U16,
    I64S32,
    I64U32,
}

impl LoadKind {
    /// Bytes read from memory.
    pub const fn bytes(self) -> u32 {
        match self {
            LoadKind::I32S8 | LoadKind::I32U8 | LoadKind::I64S8 | LoadKind::I64U8 => 1,
            LoadKind::I32S16 | LoadKind::I32U16 | LoadKind::I64S16 | LoadKind::I64U16 => 2,
            LoadKind::I32 | LoadKind::I64S32 | LoadKind::I64U32 => 4,
            LoadKind::I64 => 8,
        }
    }

    /// Whether the loaded value is sign-extended.
    pub const fn signed(self) -> bool {
        matches!(
            self,
            LoadKind::I32S8
                | LoadKind::I32S16
                | LoadKind::I64S8
                | LoadKind::I64S16
                | LoadKind::I64S32
        )
    }

    /// Width of the result pushed on the stack.
    pub const fn ty(self) -> ValTy {
        match self {
            LoadKind::I32
            | LoadKind::I32S8
            | LoadKind::I32U8
            | LoadKind::I32S16
            | LoadKind::I32U16 => ValTy::I32,
            _ => ValTy::I64,
        }
    }
}

/// Width of a store; the stored value's type is `ty`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct StoreKind {
    pub ty: ValTy,
    pub bytes: u8,
}

/// The host functions a guest may import from module `env`, compatible with zkWasm guests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HostFn {
    /// `wasm_input(is_public: i32) -> i64`: the next public or private input.
    WasmInput,
    /// `wasm_output(value: i64)`: appends a public output to the instances.
    WasmOutput,
    /// `require(cond: i32)`: aborts the run when `cond` is zero.
    Require,
}

impl HostFn {
    /// The host function imported as `env.name`, if there is one.
    pub fn by_name(name: &str) -> Option<HostFn> {
        match name {
            "wasm_input" => Some(HostFn::WasmInput),
            "wasm_output" => Some(HostFn::WasmOutput),
            "require" => Some(HostFn::Require),
            _ => None,
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            HostFn::WasmInput => "wasm_input",
            HostFn::WasmOutput => "wasm_output",
            HostFn::Require => "require",
        }
    }

    /// The Wasm signature `(params, results)` the import must have.
    pub const fn signature(self) -> (&'static [ValTy], &'static [ValTy]) {
        match self {
            HostFn::WasmInput => (&[ValTy::I32], &[ValTy::I64]),
            HostFn::WasmOutput => (&[ValTy::I64], &[]),
            HostFn::Require => (&[ValTy::I32], &[]),
        }
    }
}

/// One instruction of the flat ISA.
///
/// Stack effects are written `[inputs] -> [outputs]`, top of the stack last. `depth` counts from
/// the top of the stack before the instruction pops anything: depth 1 is the top value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Instr {
    /// Traps.
    Unreachable,
    /// Does nothing: `data.drop` and `elem.drop`. Dropping a segment is observable only
    /// through `memory.init`/`table.init`, which are unsupported, so it has no effect here.
    /// When those become supported, dropping needs state of its own.
    Nop,
    /// A Wasm operator this VM cannot execute (floats, table/reference ops, ...); index into
    /// [`crate::Image::unsupported`]. Running it stops with [`crate::Error::UnsupportedOpcode`].
    Unsupported(u32),
    /// `[x] -> []`
    Drop,
    /// `[a b c:i32] -> [c ? a : b]`
    Select(ValTy),
    /// `[] -> [local]`
    LocalGet {
        depth: u32,
        ty: ValTy,
    },
    /// `[x] -> []`, writes the local `depth` below the top (counted before the pop).
    LocalSet {
        depth: u32,
        ty: ValTy,
    },
    /// `[x] -> [x]`, writes the local `depth` below the top.
    LocalTee {
        depth: u32,
        ty: ValTy,
    },
    GlobalGet {
        idx: u32,
        ty: ValTy,
    },
    GlobalSet {
        idx: u32,
        ty: ValTy,
    },
    I32Const(u32),
    I64Const(u64),
    /// `[addr:i32] -> [value]`
    Load {
        kind: LoadKind,
        offset: u32,
    },
    /// `[addr:i32 value] -> []`
    Store {
        kind: StoreKind,
        offset: u32,
    },
    /// `[] -> [pages:i32]`
    MemorySize,
    /// `[delta:i32] -> [old pages or -1]`
    MemoryGrow,
    Unary {
        op: UnaryOp,
        ty: ValTy,
    },
    /// `[x] -> [x == 0]`
    Eqz(ValTy),
    Rel {
        op: RelOp,
        ty: ValTy,
    },
    Bin {
        op: BinOp,
        ty: ValTy,
    },
    Conv(ConvOp),
    Br {
        dst: u32,
        dk: DropKeep,
    },
    /// Pops an i32; jumps when it is zero.
    BrIfEqz {
        dst: u32,
        dk: DropKeep,
    },
    /// Pops an i32; jumps when it is not zero.
    BrIfNez {
        dst: u32,
        dk: DropKeep,
    },
    /// Pops an index; targets `br_table[start .. start + len]`, the last one is the default.
    BrTable {
        start: u32,
        len: u32,
    },
    Return(DropKeep),
    Call(u32),
    /// Pops a table index; calls table 0's element there if its type equals `type_idx`'s.
    CallIndirect {
        type_idx: u32,
    },
    CallHost(HostFn),
}

impl Instr {
    /// The Wasm-style mnemonic, as shown in traces and errors.
    pub fn mnemonic(&self) -> String {
        self.to_string()
    }
}

fn snake<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        other => format!("{other:?}"),
    }
}

impl fmt::Display for Instr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Instr::*;
        match *self {
            Unreachable => write!(f, "unreachable"),
            Nop => write!(f, "nop"),
            Unsupported(i) => write!(f, "unsupported#{i}"),
            Drop => write!(f, "drop"),
            Select(t) => write!(f, "select {}", t.name()),
            LocalGet { depth, ty } => write!(f, "{}.local.get {depth}", ty.name()),
            LocalSet { depth, ty } => write!(f, "{}.local.set {depth}", ty.name()),
            LocalTee { depth, ty } => write!(f, "{}.local.tee {depth}", ty.name()),
            GlobalGet { idx, ty } => write!(f, "{}.global.get {idx}", ty.name()),
            GlobalSet { idx, ty } => write!(f, "{}.global.set {idx}", ty.name()),
            I32Const(v) => write!(f, "i32.const {}", v as i32),
            I64Const(v) => write!(f, "i64.const {}", v as i64),
            Load { kind, offset } => write!(f, "load.{} offset={offset}", snake(&kind)),
            Store { kind, offset } => {
                write!(
                    f,
                    "{}.store{} offset={offset}",
                    kind.ty.name(),
                    kind.bytes * 8
                )
            }
            MemorySize => write!(f, "memory.size"),
            MemoryGrow => write!(f, "memory.grow"),
            Unary { op, ty } => write!(f, "{}.{}", ty.name(), snake(&op)),
            Eqz(ty) => write!(f, "{}.eqz", ty.name()),
            Rel { op, ty } => write!(f, "{}.{}", ty.name(), snake(&op)),
            Bin { op, ty } => write!(f, "{}.{}", ty.name(), snake(&op)),
            Conv(op) => write!(f, "{}", snake(&op)),
            Br { dst, dk } => write!(f, "br {dst} drop={} keep={}", dk.drop, dk.keep),
            BrIfEqz { dst, dk } => write!(f, "br_if_eqz {dst} drop={} keep={}", dk.drop, dk.keep),
            BrIfNez { dst, dk } => write!(f, "br_if_nez {dst} drop={} keep={}", dk.drop, dk.keep),
            BrTable { start, len } => write!(f, "br_table [{start}; {len}]"),
            Return(dk) => write!(f, "return drop={} keep={}", dk.drop, dk.keep),
            Call(fid) => write!(f, "call {fid}"),
            CallIndirect { type_idx } => write!(f, "call_indirect type={type_idx}"),
            CallHost(h) => write!(f, "call_host {}", h.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instr_stays_small() {
        // The interpreter's dispatch and the image's memory both depend on this.
        assert!(
            std::mem::size_of::<Instr>() <= 16,
            "{}",
            std::mem::size_of::<Instr>()
        );
    }

    #[test]
    fn mnemonics() {
        let i = Instr::Bin {
            op: BinOp::DivS,
            ty: ValTy::I64,
        };
        assert_eq!(i.to_string(), "i64.div_s");
        assert_eq!(
            Instr::Conv(ConvOp::I64ExtendI32U).to_string(),
            "i64_extend_i32_u"
        );
        assert_eq!(Instr::I32Const(u32::MAX).to_string(), "i32.const -1");
    }
}
