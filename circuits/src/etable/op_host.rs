//! Host calls (`sub`: 0 `wasm_input`, 1 `wasm_output`, 2 `require`):
//! - `wasm_input(flag)`: reads the i32 flag at `sp - 1` and writes the input there as an i64,
//!   range checked by byte limbs (a private input is the prover's choice; a public one is the
//!   verifier's field element, so both need it). A nonzero flag makes it public: the step adds
//!   an instance, `(position, value)` in the instance column (see `Common::io_pos`).
//! - `wasm_output(v)`: reads the i64 at `sp - 1`; the step adds it as an instance.
//! - `require(c)`: reads the i32 at `sp - 1`, which must be nonzero (`c · inv = 1`).
//!
//! The flag's zero test is pinned by an inverse: `flag · inv = public`, `flag · (1 - public) = 0`.

use super::{c, Access, Ctx, Effects, Op, StepWitness};
use crate::allocator::{compose, Allocator, BlockWriter, Cell, Kind};
use crate::Fr;
use ff::Field;
use halo2_proofs::plonk::{ConstraintSystem, Expression, VirtualCells};
use zkwasm_tables::encode::Class;
use zkwasm_tracer::isa::{HostFn, Instr};
use zkwasm_tracer::trace::Rw;

struct Host {
    is_input: Cell,
    is_output: Cell,
    is_require: Cell,
    public: Cell,
    io: Cell,
    inv: Cell,
    limbs: [Cell; 8],
}

pub fn configure(
    meta: &mut ConstraintSystem<Fr>,
    a: &mut Allocator,
    ctx: &Ctx,
    bit: Cell,
) -> Box<dyn Op> {
    let op = Host {
        is_input: a.bit(meta),
        is_output: a.bit(meta),
        is_require: a.bit(meta),
        public: a.bit(meta),
        io: a.bit(meta),
        inv: a.unlimited(meta),
        limbs: std::array::from_fn(|_| a.alloc(meta, Kind::U8)),
    };
    let x = ctx.common;
    meta.create_gate("op host", |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        let (input, output, require) = (
            op.is_input.expr(m),
            op.is_output.expr(m),
            op.is_require.expr(m),
        );
        let (public, io, inv) = (op.public.expr(m), op.io.expr(m), op.inv.expr(m));
        let mut v = vec![
            input.clone() + output.clone() + require.clone() - c(1),
            x.sub.expr(m) - (output.clone() + c(2) * require.clone()),
        ];
        let (arg, written) = (ctx.slot(0).value(m), ctx.slot(1).value(m));
        // wasm_input: the written input, its limbs, public or not.
        let limbs = compose(m, &op.limbs);
        let writes = [
            written.clone() - limbs,
            arg.clone() * inv.clone() - public.clone(),
            arg.clone() * (c(1) - public.clone()),
        ];
        v.extend(writes.into_iter().map(|e| input.clone() * e));
        // require: the condition is nonzero.
        v.push(require.clone() * (arg.clone() * inv - c(1)));
        // The instance a public input or an output adds.
        v.push(io.clone() - (input.clone() * public.clone() + output.clone()));
        v.push(x.io_pos.expr(m) - io * x.instance.expr(m));
        v.push(x.io_val.expr(m) - (input * public * written + output * arg));
        v.into_iter().map(|e| sel.clone() * e).collect::<Vec<_>>()
    });
    Box::new(op)
}

impl Op for Host {
    fn class(&self) -> Class {
        Class::CallHost
    }

    fn io(&self, m: &mut VirtualCells<'_, Fr>) -> Expression<Fr> {
        self.io.expr(m)
    }

    fn effects(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Effects {
        let (input, output, require) = (
            self.is_input.expr(m),
            self.is_output.expr(m),
            self.is_require.expr(m),
        );
        let top = ctx.common.sp.expr(m) - c(1);
        // The argument is read (an output's may be i64); an input is written over it.
        Effects {
            accesses: vec![
                Access::stack(0, Rw::Read, top.clone(), c(1) - output.clone()),
                Access::stack(1, Rw::Write, top.clone(), c(0)).when(input),
            ],
            next: ctx.goes_on(m, top + c(1) - output - require),
        }
    }

    fn cells(&self) -> Vec<(&'static str, Cell)> {
        vec![("public", self.public)]
    }
    fn assign(&self, w: &mut BlockWriter, s: &StepWitness<'_>) {
        let Instr::CallHost(h) = s.row.instr else {
            return;
        };
        let arg = s.events[0].value;
        w.set_bool(self.is_input, h == HostFn::WasmInput);
        w.set_bool(self.is_output, h == HostFn::WasmOutput);
        w.set_bool(self.is_require, h == HostFn::Require);
        w.set(self.inv, Fr::from(arg).invert().unwrap_or(Fr::ZERO));
        let public = h == HostFn::WasmInput && arg != 0;
        w.set_bool(self.public, public);
        let io = public || h == HostFn::WasmOutput;
        w.set_bool(self.io, io);
        if h == HostFn::WasmInput {
            let value = s.events[1].value;
            w.set_bytes(&self.limbs, value);
        }
        if io {
            let value = if public { s.events[1].value } else { arg };
            w.set_u64(
                s.common.io_pos,
                (s.instances - s.row.instance as usize) as u64,
            );
            w.set_u64(s.common.io_val, value);
        }
    }
}
