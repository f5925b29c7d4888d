//! Integer semantics of the arithmetic, comparison and conversion instructions, as pure
//! functions over zero-extended `u64` values: the interpreter computes with them and the
//! table checker (the circuits' executable spec) checks results against them.

use crate::error::TrapKind;
use crate::isa::{BinOp, ConvOp, LoadKind, RelOp, UnaryOp, ValTy};

/// `a op b` for two values of width `ty`; the result is zero-extended.
#[inline(always)]
pub fn bin(op: BinOp, ty: ValTy, a: u64, b: u64) -> Result<u64, TrapKind> {
    Ok(match ty {
        ValTy::I32 => bin32(op, a as u32, b as u32)? as u64,
        ValTy::I64 => bin64(op, a, b)?,
    })
}

/// One binary operation per width, written once: shift and rotate counts are taken modulo the
/// width, as Wasm specifies.
macro_rules! bin_op {
    ($name:ident, $u:ty, $s:ty) => {
        #[inline(always)]
        fn $name(op: BinOp, a: $u, b: $u) -> Result<$u, TrapKind> {
            let (sa, sb) = (a as $s, b as $s);
            Ok(match op {
                BinOp::Add => a.wrapping_add(b),
                BinOp::Sub => a.wrapping_sub(b),
                BinOp::Mul => a.wrapping_mul(b),
                BinOp::DivU => a.checked_div(b).ok_or(TrapKind::IntegerDivideByZero)?,
                BinOp::RemU => a.checked_rem(b).ok_or(TrapKind::IntegerDivideByZero)?,
                BinOp::DivS => {
                    if b == 0 {
                        return Err(TrapKind::IntegerDivideByZero);
                    }
                    sa.checked_div(sb).ok_or(TrapKind::IntegerOverflow)? as $u
                }
                BinOp::RemS => {
                    if b == 0 {
                        return Err(TrapKind::IntegerDivideByZero);
                    }
                    sa.wrapping_rem(sb) as $u
                }
                BinOp::And => a & b,
                BinOp::Or => a | b,
                BinOp::Xor => a ^ b,
                BinOp::Shl => a.wrapping_shl(b as u32),
                BinOp::ShrS => sa.wrapping_shr(b as u32) as $u,
                BinOp::ShrU => a.wrapping_shr(b as u32),
                BinOp::Rotl => a.rotate_left((b % <$u>::BITS as $u) as u32),
                BinOp::Rotr => a.rotate_right((b % <$u>::BITS as $u) as u32),
            })
        }
    };
}

bin_op!(bin32, u32, i32);
bin_op!(bin64, u64, i64);

/// `a op b` as a boolean.
#[inline(always)]
pub fn rel(op: RelOp, ty: ValTy, a: u64, b: u64) -> bool {
    // Sign-extend i32 operands so one set of 64-bit comparisons serves both widths.
    let (sa, sb) = match ty {
        ValTy::I32 => (a as u32 as i32 as i64, b as u32 as i32 as i64),
        ValTy::I64 => (a as i64, b as i64),
    };
    match op {
        RelOp::Eq => a == b,
        RelOp::Ne => a != b,
        RelOp::LtS => sa < sb,
        RelOp::LtU => a < b,
        RelOp::GtS => sa > sb,
        RelOp::GtU => a > b,
        RelOp::LeS => sa <= sb,
        RelOp::LeU => a <= b,
        RelOp::GeS => sa >= sb,
        RelOp::GeU => a >= b,
    }
}

#[inline(always)]
pub fn unary(op: UnaryOp, ty: ValTy, a: u64) -> u64 {
    match (op, ty) {
        (UnaryOp::Clz, ValTy::I32) => (a as u32).leading_zeros() as u64,
        (UnaryOp::Ctz, ValTy::I32) => (a as u32).trailing_zeros() as u64,
        (UnaryOp::Clz, ValTy::I64) => a.leading_zeros() as u64,
        (UnaryOp::Ctz, ValTy::I64) => a.trailing_zeros() as u64,
    }
}

#[inline(always)]
pub fn conv(op: ConvOp, a: u64) -> u64 {
    match op {
        ConvOp::I32WrapI64 => a as u32 as u64,
        ConvOp::I64ExtendI32S => a as u32 as i32 as i64 as u64,
        ConvOp::I64ExtendI32U => a as u32 as u64,
        ConvOp::I32Extend8S => a as u8 as i8 as i32 as u32 as u64,
        ConvOp::I32Extend16S => a as u16 as i16 as i32 as u32 as u64,
        ConvOp::I64Extend8S => a as u8 as i8 as i64 as u64,
        ConvOp::I64Extend16S => a as u16 as i16 as i64 as u64,
        ConvOp::I64Extend32S => a as u32 as i32 as i64 as u64,
    }
}

/// The operand and result widths of a conversion.
pub fn conv_types(op: ConvOp) -> (ValTy, ValTy) {
    match op {
        ConvOp::I32WrapI64 => (ValTy::I64, ValTy::I32),
        ConvOp::I64ExtendI32S | ConvOp::I64ExtendI32U => (ValTy::I32, ValTy::I64),
        ConvOp::I32Extend8S | ConvOp::I32Extend16S => (ValTy::I32, ValTy::I32),
        ConvOp::I64Extend8S | ConvOp::I64Extend16S | ConvOp::I64Extend32S => {
            (ValTy::I64, ValTy::I64)
        }
    }
}

/// The loaded value from the `kind.bytes()` little-endian bytes in `raw`'s low end.
#[inline(always)]
pub fn extend_load(kind: LoadKind, raw: u64) -> u64 {
    let bits = kind.bytes() * 8;
    let v = if kind.signed() {
        let shift = 64 - bits;
        ((raw << shift) as i64 >> shift) as u64
    } else if bits == 64 {
        raw
    } else {
        raw & ((1u64 << bits) - 1)
    };
    v & kind.ty().mask()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_traps() {
        assert_eq!(
            bin(BinOp::DivS, ValTy::I32, 1, 0),
            Err(TrapKind::IntegerDivideByZero)
        );
        assert_eq!(
            bin(BinOp::DivS, ValTy::I32, 0x8000_0000, 0xffff_ffff),
            Err(TrapKind::IntegerOverflow)
        );
        assert_eq!(
            bin(BinOp::RemS, ValTy::I32, 0x8000_0000, 0xffff_ffff),
            Ok(0)
        );
        assert_eq!(
            bin(BinOp::DivS, ValTy::I64, 1 << 63, u64::MAX),
            Err(TrapKind::IntegerOverflow)
        );
        assert_eq!(
            bin(BinOp::RemU, ValTy::I64, 7, 0),
            Err(TrapKind::IntegerDivideByZero)
        );
        assert_eq!(
            bin(BinOp::DivS, ValTy::I32, (-7i32) as u32 as u64, 2),
            Ok((-3i32) as u32 as u64)
        );
    }

    #[test]
    fn shifts_mask_their_count() {
        assert_eq!(bin(BinOp::Shl, ValTy::I32, 1, 33), Ok(2));
        assert_eq!(
            bin(BinOp::ShrS, ValTy::I32, 0x8000_0000, 31),
            Ok(0xffff_ffff)
        );
        assert_eq!(bin(BinOp::Rotl, ValTy::I64, 1 << 63, 65), Ok(1));
        assert_eq!(bin(BinOp::Rotr, ValTy::I32, 1, 33), Ok(0x8000_0000));
    }

    #[test]
    fn results_stay_zero_extended() {
        assert_eq!(bin(BinOp::Sub, ValTy::I32, 0, 1), Ok(0xffff_ffff));
        assert_eq!(conv(ConvOp::I32Extend8S, 0x80), 0xffff_ff80);
        assert_eq!(
            conv(ConvOp::I64Extend32S, 0x8000_0000),
            0xffff_ffff_8000_0000
        );
        assert_eq!(extend_load(LoadKind::I32S16, 0x8001), 0xffff_8001);
        assert_eq!(extend_load(LoadKind::I64S8, 0xff), u64::MAX);
        assert_eq!(extend_load(LoadKind::I64U32, 0x1_ffff_ffff), 0xffff_ffff);
        assert!(rel(RelOp::LtS, ValTy::I32, 0xffff_ffff, 0));
        assert!(!rel(RelOp::LtU, ValTy::I32, 0xffff_ffff, 0));
        assert_eq!(unary(UnaryOp::Clz, ValTy::I32, 0), 32);
        assert_eq!(unary(UnaryOp::Ctz, ValTy::I64, 0), 64);
    }
}
