//! The encodings the image table commits to, defined once.
//!
//! Every image entry packs into one 256-bit word (< 2^253, so one BN254 field element): a tag
//! in the top bits says what the entry is, and its fields sit at fixed offsets. An instruction
//! is `(fid, iid, opcode)`; an opcode is `(class, sub, a, b, c)`, where `class` selects the
//! circuit gate module and `sub` the operation inside it. [`opcode`] and [`decode`] are
//! inverse, and [`Packed`] is the same word the circuit builds from its cells.

use serde::Serialize;
use zkwasm_tracer::isa::*;

/// The instruction classes: one gate module each in the circuits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[repr(u8)]
pub enum Class {
    Const = 1,
    Drop,
    Select,
    LocalGet,
    LocalSet,
    LocalTee,
    GlobalGet,
    GlobalSet,
    Load,
    Store,
    MemorySize,
    MemoryGrow,
    /// (13 and 14 were `memory.copy` and `memory.fill`, which are calls now: the ids after
    /// them keep their values, so the images of programs without bulk memory keep theirs.)
    Unary = 15,
    Eqz,
    Rel,
    /// add, sub, mul, and, or, xor (the bitwise ones through the bit table).
    BinArith,
    /// div, rem (signed and unsigned).
    BinDiv,
    /// shl, shr, rotl, rotr.
    BinShift,
    Conv,
    Br,
    BrIfEqz,
    BrIfNez,
    BrTable,
    Return,
    /// `call` and `call_indirect` (`sub` 1).
    Call,
    CallHost,
    Unreachable,
    Unsupported,
    Nop,
}

/// An instruction's fields as the image table stores them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Opcode {
    pub class: Class,
    /// Operation, kind and width inside the class.
    pub sub: u8,
    pub a: u32,
    pub b: u32,
    pub c: u64,
}

fn ty_bit(ty: ValTy) -> u8 {
    (ty == ValTy::I64) as u8
}

fn ty_of(bit: u8) -> ValTy {
    if bit & 1 == 1 {
        ValTy::I64
    } else {
        ValTy::I32
    }
}

fn dk_c(dk: DropKeep) -> u64 {
    dk.keep as u64 | (dk.i64_mask as u64) << 16
}

/// The drop/keep of an opcode's `b` and `c` (`c`'s low 32 bits; a `br_table` target's
/// index lies above them).
pub fn dk_of(b: u32, c: u64) -> DropKeep {
    DropKeep {
        drop: b,
        keep: c as u16,
        i64_mask: (c >> 16) as u16,
    }
}

const REL_OPS: [RelOp; 10] = [
    RelOp::Eq,
    RelOp::Ne,
    RelOp::LtS,
    RelOp::LtU,
    RelOp::GtS,
    RelOp::GtU,
    RelOp::LeS,
    RelOp::LeU,
    RelOp::GeS,
    RelOp::GeU,
];
const UNARY_OPS: [UnaryOp; 2] = [UnaryOp::Clz, UnaryOp::Ctz];
const CONV_OPS: [ConvOp; 8] = [
    ConvOp::I32WrapI64,
    ConvOp::I64ExtendI32S,
    ConvOp::I64ExtendI32U,
    ConvOp::I32Extend8S,
    ConvOp::I32Extend16S,
    ConvOp::I64Extend8S,
    ConvOp::I64Extend16S,
    ConvOp::I64Extend32S,
];
const LOAD_KINDS: [LoadKind; 12] = [
    LoadKind::I32,
    LoadKind::I64,
    LoadKind::I32S8,
    LoadKind::I32U8,
    LoadKind::I32S16,
    LoadKind::I32U16,
    LoadKind::I64S8,
    LoadKind::I64U8,
    LoadKind::I64S16,
    LoadKind::I64U16,
    LoadKind::I64S32,
    LoadKind::I64U32,
];
const HOSTS: [HostFn; 3] = [HostFn::WasmInput, HostFn::WasmOutput, HostFn::Require];

/// A conversion's `sub`: its fields as bits, `[kept bytes >= 2] + 2 · [kept bytes >= 4] +
/// 4 · signed + 8 · [from i64] + 16 · [to i64]`, so that the circuit reads them off `sub`
/// (the kept bytes are the operand's low ones that the result keeps: 1, 2 or 4).
pub fn conv_sub(o: ConvOp) -> u8 {
    use ConvOp::*;
    let (from, to) = zkwasm_tracer::alu::conv_types(o);
    let kept = match o {
        I32Extend8S | I64Extend8S => 1,
        I32Extend16S | I64Extend16S => 2,
        I32WrapI64 | I64ExtendI32S | I64ExtendI32U | I64Extend32S => 4,
    };
    let signed = !matches!(o, I32WrapI64 | I64ExtendI32U);
    (kept >= 2) as u8
        | ((kept >= 4) as u8) << 1
        | (signed as u8) << 2
        | ty_bit(from) << 3
        | ty_bit(to) << 4
}

/// The shifts and rotations, in the order of their `sub` ([`shift_sub`]) less the width bit.
const SHIFT_OPS: [BinOp; 5] = [
    BinOp::Shl,
    BinOp::ShrU,
    BinOp::Rotl,
    BinOp::Rotr,
    BinOp::ShrS,
];

/// A shift's or rotation's `sub`: its fields as bits, `is_i64 + 2 · right + 4 · rotate +
/// 8 · signed`, so that the circuit reads them off `sub` (every other combination is no
/// instruction's).
pub fn shift_sub(o: BinOp, ty: ValTy) -> u8 {
    let right = matches!(o, BinOp::ShrU | BinOp::ShrS | BinOp::Rotr);
    let rotate = matches!(o, BinOp::Rotl | BinOp::Rotr);
    let signed = o == BinOp::ShrS;
    ty_bit(ty) | (right as u8) << 1 | (rotate as u8) << 2 | (signed as u8) << 3
}

fn index_of<T: PartialEq>(all: &[T], x: T) -> u8 {
    all.iter().position(|y| *y == x).expect("listed") as u8
}

/// `sub` = operation index · 2 + width bit.
fn op_sub<T: PartialEq>(all: &[T], op: T, ty: ValTy) -> u8 {
    index_of(all, op) << 1 | ty_bit(ty)
}

/// A load's `sub`: `bytes · 4 + signed · 2 + is_i64`, linear in the fields the load circuit
/// decomposes it into (like a store's `bytes · 2 + is_i64`).
fn load_sub(kind: LoadKind) -> u8 {
    (kind.bytes() as u8) << 2 | (kind.signed() as u8) << 1 | ty_bit(kind.ty())
}

/// The class of a binary operation.
pub fn bin_class(op: BinOp) -> Class {
    match op {
        BinOp::Shl | BinOp::ShrS | BinOp::ShrU | BinOp::Rotl | BinOp::Rotr => Class::BinShift,
        BinOp::DivS | BinOp::DivU | BinOp::RemS | BinOp::RemU => Class::BinDiv,
        _ => Class::BinArith,
    }
}

/// The arithmetic and bitwise operations, in the order of their `sub` ([`arith_sub`]).
const ARITH_OPS: [BinOp; 6] = [
    BinOp::Add,
    BinOp::Sub,
    BinOp::Mul,
    BinOp::And,
    BinOp::Or,
    BinOp::Xor,
];

/// The divisions and remainders, in the order of their `sub` ([`arith_sub`]).
const DIV_OPS: [BinOp; 4] = [BinOp::DivU, BinOp::DivS, BinOp::RemU, BinOp::RemS];

/// A binary operation's `sub` in its class (arithmetic or division): its fields as bits, so
/// that the circuit reads them off `sub`: `is_i64 + 2 · [sub] + 4 · [mul] + 8 · [and] +
/// 16 · [or] + 32 · [xor]` (add has none), or `is_i64 + 2 · signed + 4 · rem` for a division
/// or remainder.
pub fn arith_sub(o: BinOp, ty: ValTy) -> u8 {
    let field = match o {
        BinOp::Sub | BinOp::DivS => 2,
        BinOp::Mul | BinOp::RemU => 4,
        BinOp::And => 8,
        BinOp::Or => 16,
        BinOp::Xor => 32,
        BinOp::RemS => 6,
        _ => 0,
    };
    ty_bit(ty) | field
}

/// The opcode of an instruction.
pub fn opcode(i: Instr) -> Opcode {
    use Instr::*;
    let op = |class, sub, a, b, c| Opcode {
        class,
        sub,
        a,
        b,
        c,
    };
    match i {
        Unreachable => op(Class::Unreachable, 0, 0, 0, 0),
        Nop => op(Class::Nop, 0, 0, 0, 0),
        Unsupported(n) => op(Class::Unsupported, 0, n, 0, 0),
        Drop => op(Class::Drop, 0, 0, 0, 0),
        Select(t) => op(Class::Select, ty_bit(t), 0, 0, 0),
        LocalGet { depth, ty } => op(Class::LocalGet, ty_bit(ty), depth, 0, 0),
        LocalSet { depth, ty } => op(Class::LocalSet, ty_bit(ty), depth, 0, 0),
        LocalTee { depth, ty } => op(Class::LocalTee, ty_bit(ty), depth, 0, 0),
        GlobalGet { idx, ty } => op(Class::GlobalGet, ty_bit(ty), idx, 0, 0),
        GlobalSet { idx, ty } => op(Class::GlobalSet, ty_bit(ty), idx, 0, 0),
        I32Const(v) => op(Class::Const, 0, 0, 0, v as u64),
        I64Const(v) => op(Class::Const, 1, 0, 0, v),
        Load { kind, offset } => op(Class::Load, load_sub(kind), offset, 0, 0),
        Store { kind, offset } => op(
            Class::Store,
            kind.bytes << 1 | ty_bit(kind.ty),
            offset,
            0,
            0,
        ),
        MemorySize => op(Class::MemorySize, 0, 0, 0, 0),
        MemoryGrow => op(Class::MemoryGrow, 0, 0, 0, 0),
        Unary { op: o, ty } => op(Class::Unary, op_sub(&UNARY_OPS, o, ty), 0, 0, 0),
        Eqz(ty) => op(Class::Eqz, ty_bit(ty), 0, 0, 0),
        Rel { op: o, ty } => op(Class::Rel, op_sub(&REL_OPS, o, ty), 0, 0, 0),
        Bin { op: o, ty } if bin_class(o) == Class::BinShift => {
            op(Class::BinShift, shift_sub(o, ty), 0, 0, 0)
        }
        Bin { op: o, ty } => op(bin_class(o), arith_sub(o, ty), 0, 0, 0),
        Conv(o) => op(Class::Conv, conv_sub(o), 0, 0, 0),
        Br { dst, dk } => op(Class::Br, 0, dst, dk.drop, dk_c(dk)),
        BrIfEqz { dst, dk } => op(Class::BrIfEqz, 0, dst, dk.drop, dk_c(dk)),
        BrIfNez { dst, dk } => op(Class::BrIfNez, 0, dst, dk.drop, dk_c(dk)),
        BrTable { start, len } => op(Class::BrTable, 0, start, len, 0),
        Return(dk) => op(Class::Return, 0, 0, dk.drop, dk_c(dk)),
        Call(f) => op(Class::Call, 0, f, 0, 0),
        CallIndirect { type_idx } => op(Class::Call, 1, type_idx, 0, 0),
        CallHost(h) => op(Class::CallHost, index_of(&HOSTS, h), 0, 0, 0),
    }
}

/// The image row of `br_table` target `e` of an instruction with `len` targets, which a
/// `br_table` step taking it looks up in place of its instruction's: class `BrTable`, `sub`
/// 1 for the default (the last target) and 0 for the others, `a` the destination, `b` the
/// drop, and `c` the keep fields with the target's index from bit 32 on.
pub fn br_target(e: &crate::BrEntry, len: u32) -> Opcode {
    let dk = e.target.dk;
    Opcode {
        class: Class::BrTable,
        sub: (e.index + 1 == len) as u8,
        a: e.target.dst,
        b: dk.drop,
        c: dk_c(dk) | (e.index as u64) << 32,
    }
}

/// The instruction of an opcode; `None` for words no instruction encodes to.
pub fn decode(o: Opcode) -> Option<Instr> {
    use Instr::*;
    let (s, ty) = (o.sub as usize, ty_of(o.sub));
    let i = match o.class {
        Class::Unreachable => Unreachable,
        Class::Nop => Nop,
        Class::Unsupported => Unsupported(o.a),
        Class::Drop => Drop,
        Class::Select => Select(ty),
        Class::LocalGet => LocalGet { depth: o.a, ty },
        Class::LocalSet => LocalSet { depth: o.a, ty },
        Class::LocalTee => LocalTee { depth: o.a, ty },
        Class::GlobalGet => GlobalGet { idx: o.a, ty },
        Class::GlobalSet => GlobalSet { idx: o.a, ty },
        Class::Const if o.sub == 0 => I32Const(u32::try_from(o.c).ok()?),
        Class::Const => I64Const(o.c),
        Class::Load => Load {
            kind: *LOAD_KINDS.iter().find(|k| load_sub(**k) == o.sub)?,
            offset: o.a,
        },
        Class::Store => Store {
            kind: StoreKind {
                ty,
                bytes: o.sub >> 1,
            },
            offset: o.a,
        },
        Class::MemorySize => MemorySize,
        Class::MemoryGrow => MemoryGrow,
        Class::Unary => Unary {
            op: *UNARY_OPS.get(s >> 1)?,
            ty,
        },
        Class::Eqz => Eqz(ty),
        Class::Rel => Rel {
            op: *REL_OPS.get(s >> 1)?,
            ty,
        },
        Class::BinShift => Bin {
            op: *SHIFT_OPS
                .iter()
                .find(|&&op| shift_sub(op, ty) as usize == s)?,
            ty,
        },
        Class::BinArith | Class::BinDiv => Bin {
            op: *ARITH_OPS
                .iter()
                .chain(&DIV_OPS)
                .find(|&&op| bin_class(op) == o.class && arith_sub(op, ty) as usize == s)?,
            ty,
        },
        Class::Conv => Conv(*CONV_OPS.iter().find(|&&o| conv_sub(o) as usize == s)?),
        Class::Br => Br {
            dst: o.a,
            dk: dk_of(o.b, o.c),
        },
        Class::BrIfEqz => BrIfEqz {
            dst: o.a,
            dk: dk_of(o.b, o.c),
        },
        Class::BrIfNez => BrIfNez {
            dst: o.a,
            dk: dk_of(o.b, o.c),
        },
        Class::BrTable => BrTable {
            start: o.a,
            len: o.b,
        },
        Class::Return => Return(dk_of(o.b, o.c)),
        Class::Call if o.sub == 0 => Call(o.a),
        Class::Call => CallIndirect { type_idx: o.a },
        Class::CallHost => CallHost(*HOSTS.get(s)?),
    };
    (opcode(i) == o).then_some(i)
}

/// What an image-table word holds (its top bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[repr(u8)]
pub enum Tag {
    Instruction = 1,
    BrTable = 2,
    Element = 3,
    InitMemory = 4,
    Global = 5,
    State = 6,
}

/// Bit offset of the tag.
pub const TAG_SHIFT: u32 = 248;

/// A 256-bit word built from fields, least significant first; the circuit rebuilds the same
/// word from its cells with the same shifts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Packed(pub [u64; 4]);

impl Packed {
    /// Packs `(value, bits)` fields, the first at bit 0, then the tag at [`TAG_SHIFT`].
    pub fn new(tag: Tag, fields: &[(u64, u32)]) -> Packed {
        let mut p = Packed::default();
        let mut at = 0;
        for &(v, bits) in fields {
            debug_assert!(bits == 64 || v >> bits == 0, "{v} does not fit {bits} bits");
            p.put(v, at);
            at += bits;
        }
        assert!(at <= TAG_SHIFT, "fields overlap the tag");
        p.put(tag as u64, TAG_SHIFT);
        p
    }

    fn put(&mut self, v: u64, at: u32) {
        let (w, s) = ((at / 64) as usize, at % 64);
        self.0[w] |= v << s;
        if s != 0 && w + 1 < 4 {
            self.0[w + 1] |= v >> (64 - s);
        }
    }

    /// Little-endian bytes (a field element's canonical representation, as the word < 2^253).
    pub fn to_le_bytes(self) -> [u8; 32] {
        let mut b = [0u8; 32];
        for (i, w) in self.0.iter().enumerate() {
            b[i * 8..i * 8 + 8].copy_from_slice(&w.to_le_bytes());
        }
        b
    }
}

/// `(fid, iid, opcode)`: c (64) | b (32) | a (32) | sub (8) | class (8) | iid (32) | fid (32).
pub fn instruction(fid: u32, iid: u32, i: Instr) -> Packed {
    let o = opcode(i);
    Packed::new(
        Tag::Instruction,
        &[
            (o.c, 64),
            (o.b as u64, 32),
            (o.a as u64, 32),
            (o.sub as u64, 8),
            (o.class as u64, 8),
            (iid as u64, 32),
            (fid as u64, 32),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_instrs() -> Vec<Instr> {
        use Instr::*;
        let dk = DropKeep {
            drop: 3,
            keep: 2,
            i64_mask: 0b10,
        };
        let mut v = vec![
            Unreachable,
            Nop,
            Unsupported(7),
            Drop,
            MemorySize,
            MemoryGrow,
            I32Const(u32::MAX),
            I64Const(u64::MAX),
            Br { dst: 9, dk },
            BrIfEqz { dst: 1, dk },
            BrIfNez { dst: u32::MAX, dk },
            BrTable { start: 4, len: 5 },
            Return(dk),
            Call(3),
            CallIndirect { type_idx: 2 },
        ];
        for ty in [ValTy::I32, ValTy::I64] {
            v.extend([
                Select(ty),
                Eqz(ty),
                LocalGet { depth: 5, ty },
                LocalSet { depth: 1, ty },
            ]);
            v.extend([
                LocalTee { depth: 2, ty },
                GlobalGet { idx: 1, ty },
                GlobalSet { idx: 0, ty },
            ]);
            let bins = ARITH_OPS.iter().chain(&DIV_OPS).chain(&SHIFT_OPS);
            v.extend(bins.map(|&op| Bin { op, ty }));
            v.extend(REL_OPS.map(|op| Rel { op, ty }));
            v.extend(UNARY_OPS.map(|op| Unary { op, ty }));
        }
        v.extend(CONV_OPS.map(Conv));
        v.extend(LOAD_KINDS.map(|kind| Load { kind, offset: 77 }));
        v.extend(HOSTS.map(CallHost));
        for (ty, bytes) in [
            (ValTy::I32, 1),
            (ValTy::I32, 4),
            (ValTy::I64, 8),
            (ValTy::I64, 2),
        ] {
            v.push(Store {
                kind: StoreKind { ty, bytes },
                offset: 12,
            });
        }
        v
    }

    #[test]
    fn opcodes_round_trip_and_are_distinct() {
        let all = all_instrs();
        let mut seen = std::collections::HashSet::new();
        for i in &all {
            let o = opcode(*i);
            assert_eq!(decode(o), Some(*i), "{i}");
            assert!(seen.insert(o), "{i} shares its opcode");
        }
    }

    #[test]
    fn invalid_words_do_not_decode() {
        let bad = Opcode {
            class: Class::Load,
            sub: 200,
            a: 0,
            b: 0,
            c: 0,
        };
        assert_eq!(decode(bad), None);
        let wide = Opcode {
            class: Class::Const,
            sub: 0,
            a: 0,
            b: 0,
            c: 1 << 40,
        };
        assert_eq!(decode(wide), None, "an i32 constant wider than 32 bits");
        let junk = Opcode {
            class: Class::Drop,
            sub: 0,
            a: 1,
            b: 0,
            c: 0,
        };
        assert_eq!(decode(junk), None, "unused fields must be zero");
    }

    #[test]
    fn packing_places_fields() {
        let p = instruction(0x11, 0x22, Instr::I64Const(0xdead));
        assert_eq!(p.0[0], 0xdead);
        assert_eq!(
            p.0[2] & 0xffff,
            (1 << 8) | Class::Const as u64,
            "sub then class at bit 128"
        );
        assert_eq!((p.0[2] >> 16) & 0xffff_ffff, 0x22);
        assert_eq!((p.0[2] >> 48) | ((p.0[3] & 0xffff) << 16), 0x11);
        assert_eq!(p.0[3] >> 56, Tag::Instruction as u64);
        assert!(p.to_le_bytes()[31] < 0x20, "below 2^253");
    }
}
