//! The image table in fixed columns: being fixed, it is part of the verifying key, so a key
//! binds one program. Two kinds of rows, told apart by the third field:
//!
//! - instructions `(fid, iid, class, sub, a, b, c)` (see `zkwasm_tables::encode`), looked up by
//!   the ETable's steps; the class is a class id (`Class` is `repr(u8)`, ids from 1);
//! - initial memory `(type, lo, INIT, hi, value, is_i32, mutable)` (a data block, a run of zero
//!   blocks, a global), looked up by the MTable's init entries; an init entry at address `a`
//!   needs a row with `lo <= a < hi`;
//! - table 0's elements `(slot, callee, ELEMENT, type id, 0, 0, 0)` (non-null slots only, the
//!   callee's canonical type id), looked up by `call_indirect` steps (a lookup of their own,
//!   inputs only, against these rows: `vm::Lookup::Element`).
//!
//! [`INIT`] and [`ELEMENT`] are no class id, and a step's class is a sum of its one-hot class
//! bits times class ids, so no kind of lookup lands on another's rows.
//!
//! The lookup is a tuple lookup of the range argument (`range::TupleLookup`): enabled steps
//! look up their instruction on their row, and init entries their initial value in a lookup
//! of their own with the same tag (`vm::Lookup::ImageInit`, inputs only: both inputs are on
//! every row), and a first-phase `copies` column says how often each image row is looked up. Sharing the columns saves six fixed columns (each
//! extended to the quotient's domain in every proof); the lookup in the sum saves the three
//! committed polynomials of a lookup argument.

use crate::mtable::init_range;
use crate::range::{RangeWitness, Side};
use crate::Fr;
use halo2_proofs::circuit::{Layouter, Value};
use halo2_proofs::plonk::{
    Advice, Column, ConstraintSystem, Error, Expression, Fixed, VirtualCells,
};
use halo2_proofs::poly::Rotation;
use std::collections::HashMap;
use zkwasm_tables::encode::{br_target, opcode, Opcode};
use zkwasm_tables::{ImageTable, InitMemory, MRow, Tables};
use zkwasm_tracer::isa::Instr;
use zkwasm_tracer::trace::Loc;
use zkwasm_tracer::ValTy;

/// Fields of a row.
pub const FIELDS: usize = 7;

/// The third field of initial-memory rows: no class id.
pub const INIT: u64 = u32::MAX as u64;
/// The third field of table-element rows: no class id either.
pub const ELEMENT: u64 = INIT - 1;
const _: () = assert!(ELEMENT > u8::MAX as u64);
// The two inputs are on different rows of a block.

#[derive(Clone, Copy, Debug)]
pub struct ImageColumns {
    pub cols: [Column<Fixed>; FIELDS],
    /// How often each row is looked up (first phase).
    pub copies: Column<Advice>,
}

/// An instruction's tuple, or a `br_table` target's (`encode::br_target`).
fn instruction(fid: u32, iid: u32, o: Opcode) -> [u64; FIELDS] {
    [
        fid as u64,
        iid as u64,
        o.class as u64,
        o.sub as u64,
        o.a as u64,
        o.b as u64,
        o.c,
    ]
}

/// Table 0's slot `slot` holding function `callee` of canonical type `type_id`: what a
/// `call_indirect` of that type through that slot looks up.
pub fn element(slot: u64, callee: u64, type_id: u64) -> [u64; FIELDS] {
    [slot, callee, ELEMENT, type_id, 0, 0, 0]
}

/// An init entry's tuple.
fn init(loc: Loc, lo: u32, hi: u64, value: u64, ty: ValTy, mutable: bool) -> [u64; FIELDS] {
    let i32 = (ty == ValTy::I32) as u64;
    [loc as u64, lo as u64, INIT, hi, value, i32, mutable as u64]
}

/// The image's rows: the instructions (a `br_table` as its targets, one row each), then the
/// initial memory.
fn rows(image: &ImageTable) -> Vec<[u64; FIELDS]> {
    let instructions = image.instructions.iter().flat_map(|&(fid, iid, i)| {
        let opcodes: Vec<Opcode> = match i {
            Instr::BrTable { len, .. } => (0..len)
                .filter_map(|index| image.br_target(fid, iid, index))
                .map(|e| br_target(e, len))
                .collect(),
            i => vec![opcode(i)],
        };
        opcodes.into_iter().map(move |o| instruction(fid, iid, o))
    });
    let blocks = image.memory.iter().map(|m| match *m {
        InitMemory::Block { block, value } => {
            init(Loc::Heap, block, block as u64 + 1, value, ValTy::I64, true)
        }
        InitMemory::Zero { start, end } => init(Loc::Heap, start, end as u64, 0, ValTy::I64, true),
    });
    let globals = image.globals.iter().enumerate().map(|(i, g)| {
        let i = i as u32;
        init(
            Loc::Global,
            i,
            i as u64 + 1,
            g.init,
            g.ty.width(),
            g.mutable,
        )
    });
    let elements = image.elements.iter().enumerate().filter_map(|(slot, f)| {
        let f = (*f)?;
        let type_id = image.functions.get(f as usize)?.type_id;
        Some(element(slot as u64, f as u64, type_id as u64))
    });
    instructions
        .chain(blocks)
        .chain(globals)
        .chain(elements)
        .collect()
}

impl ImageColumns {
    pub fn configure(meta: &mut ConstraintSystem<Fr>) -> Self {
        ImageColumns {
            cols: std::array::from_fn(|_| meta.fixed_column()),
            copies: meta.advice_column(),
        }
    }

    /// What the image supplies: every row as often as its `copies` cell says (degree 1).
    pub fn table(&self, m: &mut VirtualCells<'_, Fr>) -> (Expression<Fr>, Vec<Expression<Fr>>) {
        let tuple = self
            .cols
            .iter()
            .map(|c| m.query_fixed(*c, Rotation::cur()))
            .collect();
        (m.query_advice(self.copies, Rotation::cur()), tuple)
    }

    /// Assigns the image's rows and how often each is looked up.
    pub fn load(
        &self,
        layouter: &mut impl Layouter<Fr>,
        image: &ImageTable,
        copies: &[u64],
    ) -> Result<(), Error> {
        layouter.assign_region(
            || "image",
            |mut region| {
                for (r, row) in rows(image).iter().enumerate() {
                    for (col, v) in self.cols.iter().zip(row) {
                        region.assign_fixed(*col, r, Fr::from(*v));
                    }
                    let n = copies.get(r).copied().unwrap_or(0);
                    region.assign_advice(self.copies, r, Value::known(Fr::from(n)));
                }
                Ok(())
            },
        )
    }
}

/// Records the image lookup (tuple lookups `lookup` and, for init entries, `init_lookup` of
/// the range argument): every step and every init entry of `mtable` once, every image row as
/// often as they look it up. Returns those counts, the `copies` column. An input the image
/// does not hold (a forged run) is recorded all the same: the running sum then does not end
/// at zero.
/// `call_indirect` steps' element lookups (`elements`, each with its row, in tuple lookup
/// `element_lookup`, inputs only) count among each image row's lookups too.
pub fn record_image_lookup(
    image: &ImageTable,
    steps: &[[u64; FIELDS]],
    mtable: &[MRow],
    elements: &[(usize, [u64; FIELDS])],
    range: &mut RangeWitness,
    [lookup, init_lookup, element_lookup]: [usize; 3],
) -> Vec<u64> {
    let rows = rows(image);
    let index: HashMap<[u64; FIELDS], usize> =
        rows.iter().enumerate().map(|(r, t)| (*t, r)).collect();
    let mut copies = vec![0u64; rows.len()];
    let block = crate::blocks::ROWS;
    let steps = steps
        .iter()
        .enumerate()
        .map(|(i, s)| (lookup, i * block, *s));
    let inits = mtable
        .iter()
        .enumerate()
        .filter(|(_, e)| e.init)
        .map(|(i, e)| {
            let (lo, hi) = init_range(image, e);
            let tuple = init(e.loc, lo, hi, e.value, e.ty, e.mutable);
            (init_lookup, i * block, tuple)
        });
    let elements = elements.iter().map(|&(row, t)| (element_lookup, row, t));
    for (l, row, tuple) in steps.chain(inits).chain(elements) {
        if let Some(&r) = index.get(&tuple) {
            copies[r] += 1;
        }
        range.record_tuple(l, Side::Input, row, 1, fields(&tuple));
    }
    for (r, (tuple, &n)) in rows.iter().zip(&copies).enumerate() {
        range.record_tuple(lookup, Side::Table, r, n, fields(tuple));
    }
    copies
}

/// What each step of a run looks up in the image (`Tables::step_opcode`; a step the image
/// does not explain, in a forged run, looks up its instruction).
pub fn step_tuples(t: &Tables) -> Vec<[u64; FIELDS]> {
    (0..t.etable.len())
        .map(|i| {
            let s = &t.etable[i];
            let o = t.step_opcode(i).unwrap_or(opcode(s.instr));
            instruction(s.fid, s.iid, o)
        })
        .collect()
}

/// What each `call_indirect` step of a run looks up in table 0 ([`element`]), on its block's
/// first row: the popped slot, the callee (the next step's function) and the instruction's
/// type.
pub fn element_tuples(t: &Tables) -> Vec<(usize, [u64; FIELDS])> {
    (0..t.etable.len())
        .filter_map(|i| {
            let Instr::CallIndirect { type_idx } = t.etable[i].instr else {
                return None;
            };
            let slot = t.events_of(i).first()?.value;
            let callee = t.etable.get(i + 1).map_or(0, |n| n.fid);
            Some((
                i * crate::blocks::ROWS,
                element(slot, callee as u64, type_idx as u64),
            ))
        })
        .collect()
}

fn fields(tuple: &[u64; FIELDS]) -> Vec<Fr> {
    tuple.iter().map(|&v| Fr::from(v)).collect()
}
