//! The ETable circuit: one row ([`ROWS`]) per step.
//!
//! Every step has the common cells (state before the step, the counters of what remains,
//! the instruction's opcode fields and a one-hot class bit), [`SLOTS`] memory-access slots in
//! pure columns ([`access`]), and one frame slot (cells of the call and return classes) for
//! the JTable lookup of a call or a return. Each instruction class (`op_*.rs`) states its [`Effects`] (the accesses
//! it makes and the next step's state), which two shared rules check for all classes at once
//! (`etable slots`, `etable next state`: one constraint per field, its expected value summed
//! over the one-hot class bits), and adds its own gate, multiplied by its class bit, for its
//! values and result. The generic rules here are the checker's ETable rules that hold for
//! every class:
//!
//! | rule (checker) | constraint here |
//! |---|---|
//! | `EidSequence` | eid 1 at the first step, +1 per step |
//! | `InitialState` | the first step's state is the image's (circuit constants) |
//! | `UnknownInstruction` | `(fid, iid, class, sub, a, b, c)` is in the image's instruction table |
//! | `MopsCounter` / `CallCounter` / `ReturnCounter` | each drops by the step's writes / calls / returns; zero on disabled steps |
//! | `NotHalted` | the last step is the entry frame's return, and nothing follows one |
//! | `ReadMismatch` / `WriteMissing` | access slots ([`access`]) |
//! | `CallMissing` / `ReturnMissing` | the frame slot `(frame, parent, ret_fid, ret_iid, returned)` is in the JTable |
//!
//! Steps past the run are disabled (every class bit 0) and zero.
//!
//! **Free cells.** Some cells are the prover's to choose; none of them can make a false
//! statement, so pinning them would only cost constraints (`tests/free_cells.rs` proves runs
//! with the first and the third changed):
//! - a disabled step's opcode cells (`class`, `sub`, `a`, `b`, `c`) and state cells (`fid`,
//!   `iid`, `sp`, `frame`, `pages`): every class gate is multiplied by its class bit (0 there),
//!   the opcode lookup by `enabled` (0), the slot rule makes every slot unused, `room` is
//!   pinned only on enabled steps, and a step's successor state is bound only when the
//!   successor is enabled (`on_next`); the halting step has no enabled successor. What a
//!   disabled step must hold is pinned: its counters are zero, and the instance counter is
//!   carried (the row after the run holds the total);
//! - an unused access slot's `start` and `end` ([`access`]): looked up by nobody, read by no
//!   rule;
//! - the host class's `public` bit on a `wasm_output` or `require` step (`op_host`): every
//!   rule that reads it multiplies it by `is_input`;
//! - the MTable's `end` of a location's last entry (`mtable::end_of`): a smaller one only
//!   makes reads of that entry fail.
//!
//! The counters rely on two invariants every class keeps: no step writes one location twice
//! (the MTable's write counter: a write's entry starts at its step's eid, see `mtable` and
//! `Op::effects`), and a step opens at most one frame (`Op::calls` is a bit: a frame's id is
//! the eid of the step that opened it, so two frames of one step would share it).

pub mod access;
mod address;
mod exponent;
mod keep;
mod op_bin;
mod op_br;
mod op_call;
mod op_const;
mod op_conv;
mod op_div;
mod op_drop;
mod op_eqz;
mod op_global;
mod op_host;
mod op_load;
mod op_local;
mod op_memory;
mod op_nop;
mod op_rel;
mod op_return;
mod op_select;
mod op_shift;
mod op_store;
mod op_unary;
mod width;

use crate::allocator::{blocks, zero_fill, Allocator, BlockWriter, Cell};
use crate::blocks::Blocks;
use crate::mtable::access_tuple;
use crate::range::{Range, RangeWitness, Side};
use crate::tamper::Overrides;
use crate::Fr;
use access::{Group, Slot};
use halo2_proofs::circuit::Layouter;
use halo2_proofs::plonk::{
    Advice, Column, ConstraintSystem, Error, Expression, Selector, VirtualCells,
};
use halo2_proofs::poly::Rotation;
use rayon::prelude::*;
use std::collections::HashMap;
use zkwasm_tables::encode::{opcode, Class, Opcode};
use zkwasm_tables::{ERow, InitState, JRow, Tables};
use zkwasm_tracer::isa::{DropKeep, Instr};
use zkwasm_tracer::trace::{Loc, MemEvent, Rw};

/// Rows per step.
pub const ROWS: usize = zkwasm_tables::capacity::ETABLE_ROWS;
/// Memory accesses a step can make.
pub const SLOTS: usize = 4;
/// Access-slot groups: one slot of the step each (one row per step), and each has its own
/// access lookup (a row's helper holds one input of each lookup).
pub const GROUPS: usize = SLOTS;
/// Steps whose witness one parallel task computes into one buffer.
const CHUNK: usize = 1024;

/// Whether the circuit can prove a step running `i` with `events` memory accesses: every
/// instruction but the two that always trap (`unreachable`, an unsupported operator), with
/// the compiler's and the tracer's invariants the gates rely on: a jump keeps at most one
/// value (the compiler moves more before the jump) and a step makes at most [`SLOTS`]
/// accesses. The prover checks this before proving, so that a broken invariant is an error
/// naming the step, not the backend's abort on a witness it cannot assign.
pub fn provable(i: Instr, events: usize) -> bool {
    let keeps_at_most_one = |dk: DropKeep| dk.keep <= 1;
    let class = match i {
        Instr::Br { dk, .. }
        | Instr::BrIfEqz { dk, .. }
        | Instr::BrIfNez { dk, .. }
        | Instr::Return(dk) => keeps_at_most_one(dk),
        Instr::Unreachable | Instr::Unsupported(_) => false,
        // (A `br_table`'s target keeps at most one value too: `step_provable`.)
        Instr::BrTable { .. }
        | Instr::Bin { .. }
        | Instr::Nop
        | Instr::I32Const(_)
        | Instr::I64Const(_)
        | Instr::Drop
        | Instr::Select(_)
        | Instr::LocalGet { .. }
        | Instr::LocalSet { .. }
        | Instr::LocalTee { .. }
        | Instr::GlobalGet { .. }
        | Instr::GlobalSet { .. }
        | Instr::Eqz(_)
        | Instr::Rel { .. }
        | Instr::Call(_)
        | Instr::CallIndirect { .. }
        | Instr::CallHost(_)
        | Instr::Load { .. }
        | Instr::Store { .. }
        | Instr::MemorySize
        | Instr::MemoryGrow
        | Instr::Conv(_)
        | Instr::Unary { .. } => true,
    };
    class && events <= SLOTS
}

/// Whether the circuit can prove step `i` of `t`: [`provable`], and a `br_table` step's
/// target keeps at most one value.
pub fn step_provable(t: &Tables, i: usize) -> bool {
    let row = &t.etable[i];
    let fits = match row.instr {
        Instr::BrTable { .. } => t.step_opcode(i).is_some_and(|o| o.c & 0xffff <= 1),
        _ => true,
    };
    provable(row.instr, t.events_of(i).len()) && fits
}

/// The slots of a step's `n` events, in event order: the `j`-th event's, but for a load of one
/// block, whose result goes to the slot after the second block's (unused), so that a load's
/// every access has one slot ([`op_load`]).
pub fn slots(i: Instr, n: usize) -> impl Iterator<Item = usize> {
    let one_block_load = matches!(i, Instr::Load { .. }) && n == 3;
    (0..n).map(move |j| if one_block_load && j == 2 { 3 } else { j })
}

/// The state every run of the image starts in: constants of the circuit, so the verifying key
/// binds them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Start {
    pub entry_fid: u32,
    pub pages: u32,
    /// `memory.grow` past this fails: the module's maximum capped by the VM's limit (a module
    /// without memory has no `memory.grow` to run, so its zero is never read).
    pub max_pages: u32,
    /// The largest stack pointer a step may have: the image's `max_stack` (the tracer's
    /// limit, part of the program id), or the largest value of the common range when that is
    /// smaller (the range bounds `sp` then anyway).
    pub max_sp: u32,
}

impl Start {
    pub fn of(init: &InitState, k: u32) -> Start {
        Start {
            entry_fid: init.entry_fid,
            pages: init.pages,
            max_pages: if init.has_memory { init.max_pages } else { 0 },
            max_sp: (init.max_stack as u64).min(crate::range::common_bound(k) - 1) as u32,
        }
    }
}

/// The common cells of a step.
#[derive(Clone, Copy, Debug)]
pub struct Common {
    pub enabled: Cell,
    pub fid: Cell,
    pub iid: Cell,
    pub sp: Cell,
    /// `max_sp - sp` on enabled steps, zero on the others: in the common range, so no step's
    /// stack pointer passes the limit the program id claims (a run made under a larger limit
    /// cannot be relabelled with a smaller one).
    pub room: Cell,
    pub pages: Cell,
    pub frame: Cell,
    pub rest_mops: Cell,
    pub rest_calls: Cell,
    pub rest_returns: Cell,
    /// Instances (public inputs read, outputs written) still to add, this step's included:
    /// the instance count on the first step, zero after the run.
    pub instance: Cell,
    /// `(position, value)` of the instance the step adds, zeros otherwise: looked up in the
    /// instance column, which holds the instances last first, so an instance's position is
    /// the number still to add (`instance`).
    pub io_pos: Cell,
    pub io_val: Cell,
    pub sub: Cell,
    pub a: Cell,
    pub b: Cell,
    pub c: Cell,
}

/// The frame slot `(frame, parent, ret_fid, ret_iid, returned)` of a call or a return (the
/// JTable's tuple less the callee, which no rule reads): the first cells of those classes'
/// forks (the same cells for both), which other classes overlay. It is looked up in the
/// JTable through the range argument's sum ([`ETableConfig::frame_input`]), so its cells need
/// not be pure columns.
#[derive(Clone, Copy, Debug)]
pub struct FrameSlot {
    pub frame: Cell,
    pub parent: Cell,
    pub ret_fid: Cell,
    pub ret_iid: Cell,
    pub returned: Cell,
}

impl FrameSlot {
    /// Allocates the slot: frame ids in the common range (eids, below any circuit's row
    /// count), the returned flag a bit, the return address unlimited.
    fn configure(meta: &mut ConstraintSystem<Fr>, a: &mut Allocator) -> Self {
        FrameSlot {
            frame: a.common(meta),
            parent: a.common(meta),
            ret_fid: a.unlimited(meta),
            ret_iid: a.unlimited(meta),
            returned: a.bit(meta),
        }
    }

    /// The cells in the order of `jtable::tuple`.
    pub fn cells(&self) -> [Cell; 5] {
        [
            self.frame,
            self.parent,
            self.ret_fid,
            self.ret_iid,
            self.returned,
        ]
    }
}

/// The frame a step looks up in the JTable: a call's new frame (its eid), a return's own frame
/// unless it is the entry's (the halting return); none for other steps.
pub fn frame_of(row: &ERow) -> Option<u32> {
    match opcode(row.instr).class {
        Class::Call => Some(row.eid),
        Class::Return if row.frame != 0 => Some(row.frame),
        _ => None,
    }
}

/// The public instances: their number on row 0 of `values`, then the values last first (see
/// `vm::instance_columns`), and `rows` the row index (the range argument's common-range
/// table), so `(rows, values)` lists `(position, instance)` from row 1 on, the position the
/// number of instances from it to the end; `copies` (first phase) says how often each row is
/// looked up (once for each instance, never row 0, whose position no step has: the instance
/// lookup is a tuple lookup of the range argument, with exact multiplicities).
#[derive(Clone, Copy, Debug)]
pub struct Io {
    pub values: Column<halo2_proofs::plonk::Instance>,
    pub rows: Column<halo2_proofs::plonk::Fixed>,
    pub copies: Column<Advice>,
}

impl Io {
    /// What the instances supply to the steps' instance lookups (degree 1).
    pub fn table(&self, m: &mut VirtualCells<'_, Fr>) -> (Expression<Fr>, Vec<Expression<Fr>>) {
        let tuple = vec![
            m.query_fixed(self.rows, Rotation::cur()),
            m.query_instance(self.values, Rotation::cur()),
        ];
        (m.query_advice(self.copies, Rotation::cur()), tuple)
    }
}

/// What an instruction class's gates see of the step.
pub struct Ctx {
    pub common: Common,
    pub groups: [Group; GROUPS],
    pub frame: FrameSlot,
    pub eid: Column<Advice>,
    pub q_step: Selector,
    pub start: Start,
}

impl Ctx {
    /// Access slot `j` of the step: group `j`, on the step's row (one slot per group).
    pub fn slot(&self, j: usize) -> Slot {
        Slot {
            group: self.groups[j],
            rot: 0,
        }
    }

    pub fn eid(&self, m: &mut VirtualCells<'_, Fr>) -> Expression<Fr> {
        m.query_advice(self.eid, Rotation::cur())
    }

    /// A common cell of the next step.
    pub fn next(&self, m: &mut VirtualCells<'_, Fr>, c: Cell) -> Expression<Fr> {
        c.next(m, ROWS)
    }

    /// The next step continues in this function at `iid + 1` with stack pointer `sp`.
    pub fn goes_on(&self, m: &mut VirtualCells<'_, Fr>, sp: Expression<Fr>) -> Next {
        let x = self.common;
        Next {
            fid: x.fid.expr(m),
            iid: x.iid.expr(m) + c(1),
            sp,
            frame: x.frame.expr(m),
        }
    }

    /// A copy's accesses: slot 0 reads `from`, slot 1 writes `to`, both of width `is_i32`.
    /// The class's gate says the values are equal ([`Ctx::copied`]).
    pub fn copy(
        &self,
        from: (Loc, Expression<Fr>),
        to: (Loc, Expression<Fr>),
        is_i32: Expression<Fr>,
    ) -> Vec<Access> {
        vec![
            Access::new(0, Rw::Read, from.0, from.1, is_i32.clone()),
            Access::new(1, Rw::Write, to.0, to.1, is_i32),
        ]
    }

    /// A copy's value rule: slot 1 writes what slot 0 read.
    pub fn copied(&self, m: &mut VirtualCells<'_, Fr>) -> Expression<Fr> {
        self.slot(1).value(m) - self.slot(0).value(m)
    }

    /// A binary operation's accesses: slot 0 reads the right operand (`sp - 1`), slot 1 the
    /// left (`sp - 2`), both of width `in_i32`; slot 2 writes the result of width `out_i32`
    /// over the left.
    pub fn binary(
        &self,
        m: &mut VirtualCells<'_, Fr>,
        in_i32: Expression<Fr>,
        out_i32: Expression<Fr>,
    ) -> Vec<Access> {
        let sp = self.common.sp.expr(m);
        vec![
            Access::stack(0, Rw::Read, sp.clone() - c(1), in_i32.clone()),
            Access::stack(1, Rw::Read, sp.clone() - c(2), in_i32),
            Access::stack(2, Rw::Write, sp - c(2), out_i32),
        ]
    }

    /// A unary operation's effects: slot 0 reads the top value (width `in_i32`), slot 1
    /// writes the result over it (width `out_i32`), and the next step goes on.
    pub fn unary_effects(
        &self,
        m: &mut VirtualCells<'_, Fr>,
        in_i32: Expression<Fr>,
        out_i32: Expression<Fr>,
    ) -> Effects {
        let sp = self.common.sp.expr(m);
        Effects {
            accesses: vec![
                Access::stack(0, Rw::Read, sp.clone() - c(1), in_i32),
                Access::stack(1, Rw::Write, sp.clone() - c(1), out_i32),
            ],
            next: self.goes_on(m, sp),
        }
    }

    /// A binary operation's effects ([`Ctx::binary`], both widths `1 - is_i64`): the next
    /// step goes on with the two operands replaced by the result.
    pub fn binary_effects(&self, m: &mut VirtualCells<'_, Fr>, is_i64: Expression<Fr>) -> Effects {
        let i32 = c(1) - is_i64;
        let sp = self.common.sp.expr(m);
        Effects {
            accesses: self.binary(m, i32.clone(), i32),
            next: self.goes_on(m, sp - c(1)),
        }
    }

    /// The values of a binary operation's slots: `(rhs, lhs, result)`.
    pub fn binary_values(&self, m: &mut VirtualCells<'_, Fr>) -> [Expression<Fr>; 3] {
        [0, 1, 2].map(|j| self.slot(j).value(m))
    }
}

/// An access a class's step makes: slot `slot` is used when `used` (degree ≤ 1) is 1, for a
/// `rw` of `(loc, addr)` of width `is_i32` (degree ≤ 2 each). The ETable's shared rules
/// ("etable slots") tie the slot's columns to the accesses of the step's class; a slot no
/// access names is unused (all zero).
pub struct Access {
    pub slot: usize,
    pub used: Expression<Fr>,
    pub rw: Rw,
    pub loc: Loc,
    pub addr: Expression<Fr>,
    pub is_i32: Expression<Fr>,
}

impl Access {
    /// An access the step always makes.
    pub fn new(
        slot: usize,
        rw: Rw,
        loc: Loc,
        addr: Expression<Fr>,
        is_i32: Expression<Fr>,
    ) -> Self {
        Access {
            slot,
            used: c(1),
            rw,
            loc,
            addr,
            is_i32,
        }
    }

    /// A stack access the step always makes.
    pub fn stack(slot: usize, rw: Rw, addr: Expression<Fr>, is_i32: Expression<Fr>) -> Self {
        Access::new(slot, rw, Loc::Stack, addr, is_i32)
    }

    /// The same access, made only when `when` (degree ≤ 1) is 1.
    pub fn when(self, when: Expression<Fr>) -> Self {
        Access { used: when, ..self }
    }
}

/// The next step's state, when there is one (degree ≤ 2 each): checked by the ETable's
/// shared rule "etable next state".
pub struct Next {
    pub fid: Expression<Fr>,
    pub iid: Expression<Fr>,
    pub sp: Expression<Fr>,
    pub frame: Expression<Fr>,
}

/// What a class's step does that the ETable's shared rules check.
pub struct Effects {
    pub accesses: Vec<Access>,
    pub next: Next,
}

/// The gate of a copy class (`local.*`, `global.*`): the written value is the read one.
pub fn copy_gate(meta: &mut ConstraintSystem<Fr>, ctx: &Ctx, bit: Cell, name: &'static str) {
    meta.create_gate(name, |m| {
        let sel = m.query_selector(ctx.q_step) * bit.expr(m);
        [sel * ctx.copied(m)]
    });
}

/// `Σ 2^i · fields[i]`: bit cells that are the bits of `sub`, which the encodings of the
/// classes with operation fields lay out as bits (`encode::conv_sub`, `shift_sub`,
/// `arith_sub`), so the image pins each.
pub fn bit_fields(m: &mut VirtualCells<'_, Fr>, fields: &[Cell]) -> Expression<Fr> {
    (0..fields.len()).fold(c(0), |acc, i| acc + fields[i].expr(m) * c(1 << i))
}

/// Assigns the bits of `sub` to the cells of [`bit_fields`].
pub fn set_bit_fields(w: &mut BlockWriter, fields: &[Cell], sub: u8) {
    for (i, cell) in fields.iter().enumerate() {
        w.set_bool(*cell, sub >> i & 1 == 1);
    }
}

/// `zero` says whether `v` is zero, pinned by an inverse: `v · inv = 1 - zero`, `v · zero = 0`.
pub fn is_zero(
    v: Expression<Fr>,
    zero: Expression<Fr>,
    inv: Expression<Fr>,
) -> [Expression<Fr>; 2] {
    [v.clone() * inv - (c(1) - zero.clone()), v * zero]
}

/// The sum of the upper four of each 8-limb value's byte limbs: zero exactly when every one is
/// (at most 12 limbs below 256 cannot wrap the field), so an i32 result needs one constraint.
pub fn upper_limbs(m: &mut VirtualCells<'_, Fr>, values: &[&[Cell; 8]]) -> Expression<Fr> {
    values
        .iter()
        .flat_map(|v| &v[4..])
        .fold(c(0), |acc, l| acc + l.expr(m))
}

/// `Σ weight · value`, adding the weights of equal values first: the classes share many
/// expected values (`sp - 1`, a constant), and each distinct one then costs the prover one
/// product per row instead of one per class.
///
/// With `total`, a cell the circuit constrains to the sum of all the weights (a slot's
/// `used`, the step's `enabled`), the most frequent value `d` is taken out of the sum:
/// `total · d + Σ_{v ≠ d} weight(v) · (v - d)`, the same value under that constraint, without
/// the long sum of `d`'s weights (the prover evaluates every gate on every row of the
/// quotient's domain, so each term saved is one operation per row).
fn weighted_sum(
    terms: impl IntoIterator<Item = (Expression<Fr>, Expression<Fr>)>,
    total: Option<Expression<Fr>>,
) -> Expression<Fr> {
    // (key, summed weights, value, number of terms)
    let mut groups: Vec<(String, Expression<Fr>, Expression<Fr>, usize)> = vec![];
    for (weight, value) in terms {
        let key = format!("{value:?}");
        match groups.iter_mut().find(|g| g.0 == key) {
            Some(g) => {
                g.1 = g.1.clone() + weight;
                g.3 += 1;
            }
            None => groups.push((key, weight, value, 1)),
        }
    }
    let (start, default) = match total {
        Some(total) if !groups.is_empty() => {
            let d = (0..groups.len())
                .rev()
                .max_by_key(|&i| groups[i].3)
                .expect("not empty");
            let default = groups.remove(d).2;
            (scaled(total, &default), Some(default))
        }
        _ => (c(0), None),
    };
    groups
        .into_iter()
        .fold(start, |acc, (_, weight, value, _)| {
            let value = match &default {
                Some(d) => difference(value, d),
                None => value,
            };
            acc + scaled(weight, &value)
        })
}

fn is_constant(e: &Expression<Fr>, v: Fr) -> bool {
    matches!(e, Expression::Constant(x) if *x == v)
}

/// `weight · value`, nothing for a zero value and the weight alone for a unit one (the
/// prover evaluates the operands of a product by zero all the same).
fn scaled(weight: Expression<Fr>, value: &Expression<Fr>) -> Expression<Fr> {
    if is_constant(value, Fr::zero()) {
        c(0)
    } else if is_constant(value, Fr::one()) {
        weight
    } else {
        weight * value.clone()
    }
}

/// `v - d`, with the terms they share cancelled (the expected values of the classes are
/// mostly affine in the step's cells: `sp - 1` against `sp - 2` leaves a constant).
fn difference(v: Expression<Fr>, d: &Expression<Fr>) -> Expression<Fr> {
    let mut terms = Terms::new();
    affine(&v, Fr::one(), &mut terms);
    affine(d, -Fr::one(), &mut terms);
    terms
        .into_values()
        .filter(|(_, k)| *k != Fr::zero())
        .fold(c(0), |acc, (e, k)| match e {
            None => acc + Expression::Constant(k),
            Some(e) if k == Fr::one() => acc + e,
            Some(e) if k == -Fr::one() => acc - e,
            Some(e) => acc + e * Expression::Constant(k),
        })
}

/// A sum of terms: the coefficient of each part (`None`: the constant), keyed by the part's
/// form, so equal sums come out as equal expressions.
type Terms = std::collections::BTreeMap<String, (Option<Expression<Fr>>, Fr)>;

/// Adds `k · e` to `terms`, splitting `e` into its affine parts (a product of two
/// non-constants is one part).
fn affine(e: &Expression<Fr>, k: Fr, terms: &mut Terms) {
    match e {
        Expression::Constant(v) => add_part(terms, None, k * v),
        Expression::Sum(a, b) => {
            affine(a, k, terms);
            affine(b, k, terms);
        }
        Expression::Negated(a) => affine(a, -k, terms),
        Expression::Scaled(a, f) => affine(a, k * f, terms),
        Expression::Product(a, b) => match (&**a, &**b) {
            (Expression::Constant(f), x) | (x, Expression::Constant(f)) => affine(x, k * f, terms),
            _ => add_part(terms, Some(e), k),
        },
        _ => add_part(terms, Some(e), k),
    }
}

fn add_part(terms: &mut Terms, e: Option<&Expression<Fr>>, k: Fr) {
    let key = e.map_or(String::new(), |e| format!("{e:?}"));
    terms.entry(key).or_insert((e.cloned(), Fr::zero())).1 += k;
}

/// `2^W`: 2^32, or 2^64 when `is_i64`.
pub fn modulus(is_i64: Expression<Fr>) -> Expression<Fr> {
    let step = Fr::from(u64::MAX) + Fr::one() - Fr::from(1 << 32);
    c(1 << 32) + is_i64 * Expression::Constant(step)
}

/// A class's sign lookups: how often, and the tuples of the left and the right operand.
pub type SignLookups = (Expression<Fr>, [Vec<Expression<Fr>>; 2]);

/// An expression a class contributes to a generic rule (its calls, returns, halts).
type ClassExpr<'a> = dyn Fn(&dyn Op, &mut VirtualCells<'_, Fr>) -> Expression<Fr> + 'a;

pub fn c(v: u64) -> Expression<Fr> {
    Expression::Constant(Fr::from(v))
}

/// A configured instruction class.
pub trait Op: Send + Sync {
    fn class(&self) -> Class;
    /// Whether the step opens a frame (degree ≤ 1: the class bit multiplies it).
    fn calls(&self, _m: &mut VirtualCells<'_, Fr>) -> Expression<Fr> {
        c(0)
    }
    /// Whether the step returns from a called frame (degree ≤ 1).
    fn returns(&self, _m: &mut VirtualCells<'_, Fr>) -> Expression<Fr> {
        c(0)
    }
    /// Whether the step halts the run (degree ≤ 1).
    fn halts(&self, _m: &mut VirtualCells<'_, Fr>) -> Expression<Fr> {
        c(0)
    }
    /// Pages the step adds to memory (degree ≤ 2).
    fn grows(&self, _m: &mut VirtualCells<'_, Fr>, _ctx: &Ctx) -> Expression<Fr> {
        c(0)
    }
    /// Whether the step adds an instance (degree ≤ 1); the class then sets the io cells.
    fn io(&self, _m: &mut VirtualCells<'_, Fr>) -> Expression<Fr> {
        c(0)
    }
    /// The step's accesses and the next step's state. A class that writes twice must make the
    /// two locations provably distinct (the store's blocks are `block` and `block + 1`): the
    /// MTable's write counter relies on no step writing one location twice (see `mtable`).
    fn effects(&self, m: &mut VirtualCells<'_, Fr>, ctx: &Ctx) -> Effects;
    /// What the step looks up in the bit table: how often (degree ≤ 1, the class bit
    /// multiplies it) and `(lhs, rhs, lhs & rhs)` (degree 1); `None` for a class that never
    /// does (only `op_bin`'s bitwise operations do).
    fn bit_lookup(
        &self,
        _m: &mut VirtualCells<'_, Fr>,
        _ctx: &Ctx,
    ) -> Option<(Expression<Fr>, Vec<Expression<Fr>>)> {
        None
    }
    /// What the step looks up in the bit table for its operands' signs: how often (degree
    /// ≤ 1) and `(x, 2^(W-1), x & 2^(W-1))` for `x` the left and the right operand (degree
    /// ≤ 2); `None` for a class that never does (only `op_div`'s signed operations do).
    fn sign_lookups(&self, _m: &mut VirtualCells<'_, Fr>, _ctx: &Ctx) -> Option<SignLookups> {
        None
    }
    /// What the step looks up in table 0's elements: how often (degree ≤ 1, the class bit
    /// multiplies it) and the element (`image::element`, degree 1); `None` for a class that
    /// never does (only `op_call`'s `call_indirect` does).
    fn element_lookup(
        &self,
        _m: &mut VirtualCells<'_, Fr>,
        _ctx: &Ctx,
    ) -> Option<(Expression<Fr>, Vec<Expression<Fr>>)> {
        None
    }
    /// The class's own cells of a step.
    fn assign(&self, w: &mut BlockWriter, s: &StepWitness<'_>);
    /// Named cells of the class, for tamper tests.
    fn cells(&self) -> Vec<(&'static str, Cell)> {
        vec![]
    }
}

/// What a class needs to assign a step.
pub struct StepWitness<'a> {
    pub row: &'a ERow,
    /// What the step looks up in the image (`Tables::step_opcode`).
    pub opcode: Opcode,
    pub next: Option<&'a ERow>,
    pub events: &'a [MemEvent],
    /// The JTable entry of the step's call or return.
    pub frame: Option<&'a JRow>,
    /// The common cells (for classes that set the io cells).
    pub common: Common,
    /// The run's number of instances.
    pub instances: usize,
    /// The MTable entry each event sees, in event order.
    pub seen: &'a [Seen],
}

impl ETableConfig {
    /// The common cells of a step (for tamper tests).
    pub fn common(&self) -> Common {
        self.ctx.common
    }

    /// Access slot `j` of a step (for tamper tests).
    pub fn slot(&self, j: usize) -> Slot {
        self.ctx.slot(j)
    }

    /// What a step looks up in the image: its instruction `(fid, iid, class, sub, a, b, c)`,
    /// the class the sum of the class bits times their class ids, once when enabled (degree
    /// 2).
    pub fn image_input(
        &self,
        m: &mut VirtualCells<'_, Fr>,
    ) -> (Expression<Fr>, Vec<Expression<Fr>>) {
        let x = self.ctx.common;
        let q = m.query_selector(self.ctx.q_step);
        let class = self.classes.iter().fold(c(0), |acc, (bit, op)| {
            acc + bit.expr(m) * c(op.class() as u64)
        });
        let tuple = vec![
            x.fid.expr(m),
            x.iid.expr(m),
            class,
            x.sub.expr(m),
            x.a.expr(m),
            x.b.expr(m),
            x.c.expr(m),
        ];
        (q * x.enabled.expr(m), tuple)
    }

    /// What a step looks up in the JTable: its frame slot, once for a call or a return to a
    /// caller (degree 3), none otherwise.
    pub fn frame_input(
        &self,
        m: &mut VirtualCells<'_, Fr>,
    ) -> (Expression<Fr>, Vec<Expression<Fr>>) {
        let q = m.query_selector(self.ctx.q_step);
        let framed = self.classes.iter().fold(c(0), |acc, (bit, op)| {
            acc + bit.expr(m) * (op.calls(m) + op.returns(m))
        });
        let tuple = self.ctx.frame.cells().iter().map(|c| c.expr(m)).collect();
        (q * framed, tuple)
    }

    /// What a step looks up in the instances: `(position, value)` once when it reads a public
    /// input or writes an output, nothing otherwise. How often is the drop of the instance
    /// counter, which "etable step" ties to the class's io flag: degree 2 rather than the
    /// flag's 3, so the lookup's helper has room for a range input.
    pub fn instance_input(
        &self,
        m: &mut VirtualCells<'_, Fr>,
    ) -> (Expression<Fr>, Vec<Expression<Fr>>) {
        let x = self.ctx.common;
        let q = m.query_selector(self.ctx.q_step);
        let io = x.instance.expr(m) - x.instance.next(m, ROWS);
        (q * io, vec![x.io_pos.expr(m), x.io_val.expr(m)])
    }

    /// The input of a lookup only one class makes: how often (`q_step`, the class bit and
    /// the class's own count) and the tuple `pick` takes from what the class returns.
    fn class_input<L>(
        &self,
        m: &mut VirtualCells<'_, Fr>,
        what: &str,
        lookup: impl Fn(&dyn Op, &mut VirtualCells<'_, Fr>) -> Option<(Expression<Fr>, L)>,
        pick: impl FnOnce(L) -> Vec<Expression<Fr>>,
    ) -> (Expression<Fr>, Vec<Expression<Fr>>) {
        let q = m.query_selector(self.ctx.q_step);
        let (bit, (n, l)) = self
            .classes
            .iter()
            .find_map(|(bit, op)| lookup(op.as_ref(), m).map(|l| (bit, l)))
            .unwrap_or_else(|| panic!("a class makes the {what} lookup"));
        (q * bit.expr(m) * n, pick(l))
    }

    /// What a step looks up in the bit table: `(lhs, rhs, lhs & rhs)` once for a bitwise
    /// operation (degree 3), nothing otherwise.
    pub fn bit_input(&self, m: &mut VirtualCells<'_, Fr>) -> (Expression<Fr>, Vec<Expression<Fr>>) {
        self.class_input(m, "bit", |op, m| op.bit_lookup(m, &self.ctx), |t| t)
    }

    /// What a step looks up in the bit table for the sign of its left (`which = 0`) or right
    /// operand: once for a signed division or remainder (degree 3), nothing otherwise.
    pub fn sign_input(
        &self,
        m: &mut VirtualCells<'_, Fr>,
        which: usize,
    ) -> (Expression<Fr>, Vec<Expression<Fr>>) {
        let pick = |[lhs, rhs]: [Vec<Expression<Fr>>; 2]| if which == 0 { lhs } else { rhs };
        self.class_input(m, "sign", |op, m| op.sign_lookups(m, &self.ctx), pick)
    }

    /// What a step looks up in table 0: its element, once for a `call_indirect` (degree 3),
    /// nothing otherwise.
    pub fn element_input(
        &self,
        m: &mut VirtualCells<'_, Fr>,
    ) -> (Expression<Fr>, Vec<Expression<Fr>>) {
        self.class_input(m, "element", |op, m| op.element_lookup(m, &self.ctx), |t| t)
    }

    /// What a row's access slot of group `group` looks up in the MTable
    /// ([`Group::access_input`]).
    pub fn access_input(
        &self,
        m: &mut VirtualCells<'_, Fr>,
        group: usize,
    ) -> (Expression<Fr>, Vec<Expression<Fr>>) {
        self.ctx.groups[group].access_input(m)
    }

    /// Cell `name` of class `class` (see [`Op::cells`]), for tamper tests.
    pub fn class_cell(&self, class: Class, name: &str) -> Option<Cell> {
        let (_, op) = self.classes.iter().find(|(_, op)| op.class() == class)?;
        op.cells()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| c)
    }

    /// The class bit of `class`, if the class is implemented.
    pub fn class_bit(&self, class: Class) -> Option<Cell> {
        self.classes
            .iter()
            .find(|(_, op)| op.class() == class)
            .map(|(bit, _)| *bit)
    }
}

pub struct ETableConfig {
    ctx: Ctx,
    classes: Vec<(Cell, Box<dyn Op>)>,
    columns: Vec<Column<Advice>>,
    range_columns: Vec<(Column<Advice>, Range)>,
}

impl ETableConfig {
    pub fn configure(meta: &mut ConstraintSystem<Fr>, blocks: Blocks, init: Start) -> Self {
        let Blocks {
            q_entry: q_step,
            q_first,
            q_tail,
            ..
        } = blocks;
        let eid = meta.advice_column();
        let groups = std::array::from_fn(|_| Group::configure(meta, q_step, eid));
        let mut a = Allocator::new(ROWS, q_step);
        let common = Common {
            enabled: a.bit(meta),
            fid: a.unlimited(meta),
            iid: a.unlimited(meta),
            // In the common range: no stack pointer wraps around the field.
            sp: a.common(meta),
            room: a.common(meta),
            pages: a.unlimited(meta),
            frame: a.unlimited(meta),
            // The first step's equal the MTable's and JTable's totals and the instance count
            // (the VM's "counters" rule).
            rest_mops: a.unlimited(meta),
            rest_calls: a.unlimited(meta),
            rest_returns: a.unlimited(meta),
            instance: a.unlimited(meta),
            io_pos: a.unlimited(meta),
            io_val: a.unlimited(meta),
            sub: a.unlimited(meta),
            a: a.unlimited(meta),
            b: a.unlimited(meta),
            c: a.unlimited(meta),
        };
        type Ctor = fn(&mut ConstraintSystem<Fr>, &mut Allocator, &Ctx, Cell) -> Box<dyn Op>;
        // Each class's constructor, and whether its steps use the frame slot.
        let ctors: [(Ctor, bool); 27] = [
            (op_const::configure, false),
            (op_drop::configure, false),
            (op_local::get, false),
            (op_local::set, false),
            (op_local::tee, false),
            (op_bin::configure, false),
            (op_return::configure, true),
            (op_call::configure, true),
            (op_br::br, false),
            (op_br::br_if_eqz, false),
            (op_br::br_if_nez, false),
            (op_br::br_table, false),
            (op_eqz::configure, false),
            (op_select::configure, false),
            (op_global::get, false),
            (op_global::set, false),
            (op_host::configure, false),
            (op_rel::configure, false),
            (op_nop::configure, false),
            (op_load::configure, false),
            (op_store::configure, false),
            (op_memory::size, false),
            (op_memory::grow, false),
            (op_conv::configure, false),
            (op_shift::configure, false),
            (op_div::configure, false),
            (op_unary::configure, false),
        ];
        // One bit per class, then each class's cells on a fork after the common cells (after
        // the frame slot for calls and returns).
        let bits: Vec<Cell> = ctors.iter().map(|_| a.bit(meta)).collect();
        let mut framed = a.fork();
        let frame = FrameSlot::configure(meta, &mut framed);
        a.absorb(&framed);
        let ctx = Ctx {
            common,
            groups,
            frame,
            eid,
            q_step,
            start: init,
        };
        let mut classes = vec![];
        for (&(ctor, uses_frame), &bit) in ctors.iter().zip(&bits) {
            // (Forks reuse the columns earlier forks created.)
            framed.absorb(&a);
            let mut fork = if uses_frame { framed.fork() } else { a.fork() };
            classes.push((bit, ctor(meta, &mut fork, &ctx, bit)));
            a.absorb(&fork);
        }
        let x = common;
        let class_sum = |m: &mut VirtualCells<'_, Fr>, f: &ClassExpr<'_>| {
            classes
                .iter()
                .fold(c(0), |acc, (bit, op)| acc + bit.expr(m) * f(op.as_ref(), m))
        };
        meta.create_gate("etable step", |m| {
            let q = m.query_selector(q_step);
            let (on, on_next) = (x.enabled.expr(m), x.enabled.next(m, ROWS));
            let one_hot = classes.iter().fold(c(0), |acc, (bit, _)| acc + bit.expr(m));
            let eid = m.query_advice(ctx.eid, Rotation::cur());
            let eid_next = m.query_advice(ctx.eid, Rotation(ROWS as i32));
            let writes = (0..SLOTS).fold(c(0), |acc, j| {
                let s = ctx.slot(j);
                acc + m.query_advice(s.group.is_write, Rotation(s.rot))
            });
            let calls = class_sum(m, &|op, m| op.calls(m));
            let returns = class_sum(m, &|op, m| op.returns(m));
            let halts = class_sum(m, &|op, m| op.halts(m));
            let io = class_sum(m, &|op, m| op.io(m));
            let grows = class_sum(m, &|op, m| op.grows(m, &ctx));
            let v = vec![
                one_hot - on.clone(),
                on_next.clone() * (c(1) - on.clone()),
                on_next.clone() * (eid_next - eid - c(1)),
                on_next.clone() * (x.pages.next(m, ROWS) - x.pages.expr(m) - grows),
                x.rest_mops.expr(m) - x.rest_mops.next(m, ROWS) - writes,
                x.rest_calls.expr(m) - x.rest_calls.next(m, ROWS) - calls,
                x.rest_returns.expr(m) - x.rest_returns.next(m, ROWS) - returns,
                (c(1) - on.clone()) * x.rest_mops.expr(m),
                (c(1) - on.clone()) * x.rest_calls.expr(m),
                (c(1) - on.clone()) * x.rest_returns.expr(m),
                // The run ends with a halting step, and nothing follows one.
                halts.clone() * on_next.clone(),
                // Instances: the counter moves on every row (carried past the run to the
                // row after the last, which holds the total); io cells are zero off io.
                x.instance.expr(m) - x.instance.next(m, ROWS) - io.clone(),
                (c(1) - io.clone()) * x.io_pos.expr(m),
                (c(1) - io) * x.io_val.expr(m),
                on.clone() * (c(1) - on_next) * (c(1) - halts),
                on * (x.room.expr(m) - (c(init.max_sp as u64) - x.sp.expr(m))),
            ];
            v.into_iter().map(|e| q.clone() * e).collect::<Vec<_>>()
        });
        // The accesses and next state of the step's class: one constraint per slot field
        // and per state field, its expected value summed over the (one-hot) class bits,
        // rather than one per class and field.
        let effects = |m: &mut VirtualCells<'_, Fr>| -> Vec<(Expression<Fr>, Effects)> {
            classes
                .iter()
                .map(|(bit, op)| (bit.expr(m), op.effects(m, &ctx)))
                .collect()
        };
        meta.create_gate("etable slots", |m| {
            let q = m.query_selector(q_step);
            let effects = effects(m);
            // One access per slot and class: with one-hot class bits and bit-valued `used`
            // expressions, each expected `used` and `is_write` is then a bit (the access-slot
            // gate relies on it).
            for (_, e) in &effects {
                let mut slots: Vec<usize> = e.accesses.iter().map(|a| a.slot).collect();
                slots.sort_unstable();
                slots.dedup();
                assert_eq!(slots.len(), e.accesses.len(), "a class names a slot twice");
            }
            let mut v = vec![];
            for j in 0..SLOTS {
                let s = ctx.slot(j);
                let accesses = || {
                    effects.iter().flat_map(|(bit, e)| {
                        e.accesses
                            .iter()
                            .filter(move |a| a.slot == j)
                            .map(move |a| (bit.clone() * a.used.clone(), a))
                    })
                };
                let g = s.group;
                // Every field but `used` is expected as a sum that `used` totals.
                let used = m.query_advice(g.used, Rotation(s.rot));
                let want = |f: &dyn Fn(&Access) -> Expression<Fr>| {
                    weighted_sum(accesses().map(|(on, a)| (on, f(a))), Some(used.clone()))
                };
                for (col, want) in [
                    (
                        g.used,
                        weighted_sum(accesses().map(|(on, _)| (on, c(1))), None),
                    ),
                    (g.is_write, want(&|a| c((a.rw == Rw::Write) as u64))),
                    (g.loc, want(&|a| c(a.loc as u64))),
                    (g.addr, want(&|a| a.addr.clone())),
                    (g.is_i32, want(&|a| a.is_i32.clone())),
                ] {
                    v.push(q.clone() * (m.query_advice(col, Rotation(s.rot)) - want));
                }
            }
            v
        });
        meta.create_gate("etable next state", |m| {
            let q = m.query_selector(q_step) * x.enabled.next(m, ROWS);
            let effects = effects(m);
            // The class bits total `enabled` (the one-hot rule of "etable step").
            let on = x.enabled.expr(m);
            let want = |f: &dyn Fn(&Next) -> Expression<Fr>| {
                let terms = effects.iter().map(|(bit, e)| (bit.clone(), f(&e.next)));
                weighted_sum(terms, Some(on.clone()))
            };
            [
                (x.fid, want(&|n| n.fid.clone())),
                (x.iid, want(&|n| n.iid.clone())),
                (x.sp, want(&|n| n.sp.clone())),
                (x.frame, want(&|n| n.frame.clone())),
            ]
            .map(|(cell, want)| q.clone() * (cell.next(m, ROWS) - want))
        });
        meta.create_gate("etable tail", |m| {
            let q = m.query_selector(q_tail);
            [
                x.enabled,
                x.rest_mops,
                x.rest_calls,
                x.rest_returns,
                x.instance,
            ]
            .map(|cell| q.clone() * cell.expr(m))
        });
        meta.create_gate("etable initial state", |m| {
            let q = m.query_selector(q_first);
            let eid = m.query_advice(ctx.eid, Rotation::cur());
            let want = [
                (x.enabled.expr(m), 1),
                (eid, 1),
                (x.fid.expr(m), init.entry_fid as u64),
                (x.iid.expr(m), 0),
                (x.sp.expr(m), 0),
                (x.frame.expr(m), 0),
                (x.pages.expr(m), init.pages as u64),
            ];
            want.into_iter()
                .map(|(e, v)| q.clone() * (e - c(v)))
                .collect::<Vec<_>>()
        });
        let mut columns = a.all_columns();
        columns.push(eid);
        columns.extend(groups.iter().flat_map(|g| g.columns()));
        let mut range_columns = a.range_columns();
        range_columns.extend(groups.iter().flat_map(|g| g.range_columns()));
        ETableConfig {
            ctx,
            classes,
            columns,
            range_columns,
        }
    }

    /// The columns whose cells must lie in a range (the circuit checks them).
    pub fn range_columns(&self) -> &[(Column<Advice>, Range)] {
        &self.range_columns
    }

    /// Assigns the steps into a table of size `k`.
    pub fn assign(
        &self,
        layouter: &mut impl Layouter<Fr>,
        k: u32,
        t: &Tables,
        overrides: &Overrides,
        range: &mut RangeWitness,
    ) -> Result<(), Error> {
        layouter.assign_region(
            || "etable",
            |mut region| {
                let cap = blocks(k, ROWS);
                if t.etable.len() > cap {
                    return Err(Error::NotEnoughRowsAvailable { current_k: k });
                }
                zero_fill(&mut region, &self.columns, 0..(cap + 1) * ROWS);
                let mem = MemIndex::new(k, &t.mtable);
                let frames: HashMap<u32, JRow> = t.jtable.iter().map(|j| (j.frame, *j)).collect();
                // Chunks of steps in parallel, one buffer per chunk.
                let chunks: Vec<BlockWriter> = t
                    .etable
                    .par_chunks(CHUNK)
                    .enumerate()
                    .map(|(c, rows)| {
                        let mut w = BlockWriter::new(0);
                        for (j, row) in rows.iter().enumerate() {
                            self.step_cells(&mut w, t, &mem, &frames, c * CHUNK + j, row)?;
                        }
                        Ok(w)
                    })
                    .collect::<Result<_, Error>>()?;
                for w in chunks {
                    w.flush(&mut region, Some(range));
                }
                overrides.apply(&mut region, Some(range));
                Ok(())
            },
        )
    }

    /// Writes the cells of step `i` into `w`, apart from the region (steps are independent).
    fn step_cells(
        &self,
        w: &mut BlockWriter,
        t: &Tables,
        mem: &MemIndex,
        frames: &HashMap<u32, JRow>,
        i: usize,
        row: &ERow,
    ) -> Result<(), Error> {
        w.move_to(i * ROWS);
        let x = self.ctx.common;
        let events = t.events_of(i);
        let o = t.step_opcode(i).ok_or(Error::Synthesis)?;
        let class = self
            .classes
            .iter()
            .find(|(_, op)| op.class() == o.class)
            .ok_or(Error::Synthesis)?;
        if events.len() > SLOTS {
            return Err(Error::Synthesis);
        }
        for r in 0..ROWS {
            w.set_at(self.ctx.eid, r, Fr::from(row.eid as u64));
        }
        let seen = events
            .iter()
            .map(|e| mem.entry(e, row.eid).ok_or(Error::Synthesis))
            .collect::<Result<Vec<_>, _>>()?;
        for ((j, e), seen) in slots(row.instr, events.len()).zip(events).zip(&seen) {
            let s = self.ctx.slot(j);
            s.group.assign(w, s.rot as usize, row.eid, e, seen);
        }
        let frame = frame_of(row).and_then(|f| frames.get(&f));
        if let Some(j) = frame {
            for (cell, v) in self.ctx.frame.cells().iter().zip(crate::jtable::tuple(j)) {
                w.set_u64(*cell, v);
            }
        }
        w.set_bool(x.enabled, true);
        for (cell, v) in [
            (x.fid, row.fid as u64),
            (x.iid, row.iid as u64),
            (x.sp, row.sp as u64),
            // (Saturating: a forged run past the limit fails the step rule, not the witness.)
            (x.room, self.ctx.start.max_sp.saturating_sub(row.sp) as u64),
            (x.pages, row.pages as u64),
            (x.frame, row.frame as u64),
            (x.rest_mops, row.rest_mops),
            (x.rest_calls, row.rest_calls as u64),
            (x.rest_returns, row.rest_returns as u64),
            (
                x.instance,
                (t.instances.len() - row.instance as usize) as u64,
            ),
            (x.sub, o.sub as u64),
            (x.a, o.a as u64),
            (x.b, o.b as u64),
            (x.c, o.c),
        ] {
            w.set_u64(cell, v);
        }
        w.set_bool(class.0, true);
        let s = StepWitness {
            row,
            opcode: o,
            next: t.etable.get(i + 1),
            events,
            frame,
            common: x,
            instances: t.instances.len(),
            seen: &seen,
        };
        class.1.assign(w, &s);
        Ok(())
    }
}

/// The MTable entry an access sees (a read's valid one, the one a write creates).
#[derive(Clone, Copy, Debug)]
pub struct Seen {
    pub start: u32,
    /// In circuit terms (see `mtable::end_of`).
    pub end: u64,
    /// Its index in the MTable.
    pub index: usize,
    /// What a write there overwrote: the location's previous entry's value (`mtable::prev`).
    pub prev: u64,
}

/// The MTable entry each access sees.
pub struct MemIndex {
    /// By location, in start order.
    by_loc: HashMap<(Loc, u32), Vec<Seen>>,
}

impl MemIndex {
    pub fn new(k: u32, rows: &[zkwasm_tables::MRow]) -> Self {
        let mut by_loc: HashMap<_, Vec<Seen>> = HashMap::new();
        for (i, (r, prev)) in rows.iter().zip(crate::mtable::prev(rows)).enumerate() {
            by_loc.entry((r.loc, r.addr)).or_default().push(Seen {
                start: r.start,
                end: crate::mtable::end_of(k, r.end),
                index: i,
                prev,
            });
        }
        MemIndex { by_loc }
    }

    /// The entry a read at `eid` sees (`start < eid`), or the one a write at `eid` creates.
    pub fn entry(&self, e: &MemEvent, eid: u32) -> Option<Seen> {
        let rows = self.by_loc.get(&(e.loc, e.addr))?;
        let i = match e.rw {
            Rw::Write => rows.iter().position(|r| r.start == eid)?,
            Rw::Read => rows.partition_point(|r| r.start < eid).checked_sub(1)?,
        };
        Some(rows[i])
    }
}

/// Records the access lookup of a run: every memory access of a step on its slot's row, in
/// tuple lookup `lookups[g]` of the range argument for a slot of group `g`; every MTable entry
/// as often as it is accessed, in `lookups[0]`.
/// Returns the counts, the MTable's `accessed` cells. An access no entry explains (a forged
/// run) is left out: the running sum then does not end at zero.
pub fn record_access_lookup(
    k: u32,
    t: &Tables,
    range: &mut RangeWitness,
    lookups: [usize; GROUPS],
) -> Vec<u64> {
    let mem = MemIndex::new(k, &t.mtable);
    let mut accessed = vec![0u64; t.mtable.len()];
    for (i, row) in t.etable.iter().enumerate() {
        let events = t.events_of(i);
        for (j, e) in slots(row.instr, events.len()).zip(events) {
            if let Some(seen) = mem.entry(e, row.eid) {
                let tuple = access_tuple(
                    e.loc, e.addr, seen.start, seen.end, e.value, e.ty, seen.prev,
                );
                range.record_tuple(lookups[j], Side::Input, i * ROWS, 1, tuple);
                accessed[seen.index] += 1;
            }
        }
    }
    let prev = crate::mtable::prev(&t.mtable);
    for (i, ((r, &n), prev)) in t.mtable.iter().zip(&accessed).zip(prev).enumerate() {
        let end = crate::mtable::end_of(k, r.end);
        let tuple = access_tuple(r.loc, r.addr, r.start, end, r.value, r.ty, prev);
        range.record_tuple(lookups[0], Side::Table, i * crate::mtable::ROWS, n, tuple);
    }
    accessed
}
