//! Conversions: `i32.wrap_i64`, `i64.extend_i32_s/_u` and the sign extensions
//! `i32.extend8_s/16_s`, `i64.extend8_s/16_s/32_s`. Slot 0 reads the operand `x` at `sp - 1`,
//! slot 1 writes the result over it.
//!
//! Every conversion keeps the operand's low `bytes` bytes (1, 2 or 4) and fills the rest of
//! the result's `W` bits with zeros or with the kept top bit: with `X` the operand's 8 byte
//! limbs, the result is `Σ_{i < bytes} X[i] · 256^i + signed · top · (2^W - 256^bytes)`,
//! where `top` is the top bit of the kept top byte `T` (`2 T - 256 · top` a byte). A wrap is
//! an unsigned keep of 4 bytes into an i32, `extend_i32_u` one into an i64.
//!
//! `sub` is `[bytes >= 2] + 2 · [bytes >= 4] + 4 · signed + 8 · [from i64] + 16 · [to i64]`
//! (`encode::conv_sub`), so the five bit cells are pinned by `sub` alone.

use super::width::Width;
use super::{bit_fields, c, modulus, set_bit_fields, Ctx, Effects, Op, StepWitness};
use crate::allocator::{compose, Allocator, BlockWriter, Cell, Kind};
use crate::Fr;
use halo2_proofs::plonk::{ConstraintSystem, VirtualCells};
use zkwasm_tables::encode::{conv_sub, Class};
use zkwasm_tracer::isa::Instr;

struct Conv {
    /// `[bytes >= 2]`, `[bytes >= 4]`, `signed`, `[from i64]`, `[to i64]`.
    fields: [Cell; 5],
    /// The operand's bytes.
    x: [Cell; 8],
    top: Cell,
    /// `2 T - 256 · top`.
    low: Cell,
}

pub fn configure(
    meta: &mut ConstraintSystem<Fr>,
    a: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    let op = Conv {
        fields: std::array::from_fn(|_| a.bit(meta)),
        x: std::array::from_fn(|_| a.alloc(meta, Kind::U8)),
        top: a.bit(meta),
        low: a.alloc(meta, Kind::U8),
    };
    meta.create_gate("op conv", |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let [w2, w4, signed, _, to64] = op.fields.map(|f| f.expr(m));
        let sub = bit_fields(m, &op.fields);
        let width = Width([w2, w4, c(0)]);
        let x: [_; 8] = std::array::from_fn(|i| op.x[i].expr(m));
        let top = op.top.expr(m);
        let fill = signed * top.clone() * (modulus(to64) - width.power());
        let v = vec![
            ctx.common.sub.expr(m) - sub,
            ctx.slot(0).value(m) - compose(m, &op.x),
            op.low.expr(m) - (c(2) * width.top(&x) - c(256) * top),
            ctx.slot(1).value(m) - width.low(&x) - fill,
        ];
        v.into_iter().map(|e| sel.clone() * e).collect::<Vec<_>>()
    });
    Box::new(op)
}

impl Op for Conv {
    fn class(&self) -> Class {
        Class::Conv
    }

    fn effects(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Effects {
        let [.., from64, to64] = self.fields.map(|f| f.expr(m));
        ctx.unary_effects(m, c(1) - from64, c(1) - to64)
    }

    fn assign(&self, w: &mut BlockWriter, s: &StepWitness<'_>) {
        let Instr::Conv(o) = s.row.instr else {
            return;
        };
        let sub = conv_sub(o);
        set_bit_fields(w, &self.fields, sub);
        let x = s.events[0].value;
        let bytes = 1 << (sub & 3).count_ones();
        let top = (x >> (8 * bytes - 8)) as u8;
        w.set_bytes(&self.x, x);
        w.set_bool(self.top, top >= 128);
        w.set_u64(self.low, (top as u64 * 2) & 0xff);
    }

    fn cells(&self) -> Vec<(&'static str, Cell)> {
        let names = ["w2", "w4", "signed", "from64", "to64"];
        let mut v: Vec<_> = names.into_iter().zip(self.fields).collect();
        v.extend([("top", self.top), ("low", self.low), ("x0", self.x[0])]);
        v
    }
}
