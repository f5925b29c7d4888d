//! The MTable circuit: the memory history (initial values and writes of stack slots, heap
//! blocks and globals), sorted by `(location type, address, start eid)`, each entry valid over
//! `start < eid <= end`. It enforces what `zkwasm_tables::check` calls the MTable rules:
//!
//! | rule (checker) | constraint here |
//! |---|---|
//! | `Unsorted` | location types only move forward (stack → heap → global); inside one type, a new location has a larger address (`diff = addr' - addr - 1`), inside one location a larger start (`diff = start' - start - 1`), `diff` four byte limbs |
//! | `IntervalChain` | `end = start'` inside a location; the last entry's end is the circuit's eid bound ([`end_of`]) |
//! | `MissingInit` | `init` ⇔ first entry of a heap block or global; `init ⇒ start = 0` |
//! | `InitValue` | an init entry's `(type, address, value, width, mutability)` lies in the image's initial-memory table (a data block, a run of zero blocks, a global): `lo <= address < hi` for the row's `[lo, hi)` |
//! | `ImmutableWrite` | non-init entries are mutable; mutability is constant per location |
//! | `ValueRange`, widths | heap entries are 64-bit; a global's width is constant |
//! | `WriteCount` | `rest` drops by one per non-init entry and ends at 0; its first value is the total of writes (an instance here; the ETable's counter in the full circuit) |
//! | (overwritten values) | `prev` is the previous entry's value inside a location, zero on a location's first entry: the access tuple carries it, so a write also says what it overwrote (a store's read-modify-write of a block is one access) |
//!
//! A non-init entry's start is nonzero and its value in range because every one of them is
//! the target of an ETable write lookup with `start = eid >= 1` and a range-checked value, and
//! the counter makes them exactly the writes.
//!
//! **Invariant the write counter needs**: the counter makes the non-init entries exactly the
//! ETable's writes, one entry per write, and a write's entry starts at its step's eid; the
//! ordering makes `(location, start)` unique. So no step may write one location twice (two
//! writes of one step would need two entries with the same start). Every class keeps it: a
//! step's writes go to distinct stack slots, globals or heap blocks (a store's two blocks are
//! consecutive).
//!
//! Layout: one entry per block of [`ROWS`] rows (7 bits, 9 unlimited and 12 byte limbs in 15
//! columns). Constraints are on in every block the circuit size allows; blocks past the run's
//! entries are disabled (every type bit 0) and zero.

use crate::allocator::{blocks, zero_fill, BlockWriter, Cell, U32Cell};
use crate::blocks::Blocks;
use crate::image::{record_image_lookup, ImageColumns, INIT};
use crate::range::{common_bound, Range, RangeConfig, RangeWitness, TupleLookup};
use crate::tamper::Overrides;
use crate::Fr;
use halo2_proofs::circuit::Layouter;
use halo2_proofs::plonk::{Column, ConstraintSystem, Error, Expression, Selector, VirtualCells};
use halo2_proofs::poly::Rotation;
use zkwasm_tables::{ImageTable, InitMemory, MRow, END_EID};

/// The circuit's `end` of an MTable entry: the table's, except that "never overwritten"
/// ([`END_EID`]) becomes the largest common-range value, so `end - eid` of a read stays in the
/// common range. A smaller `end` on a location's last entry could only make reads fail, so the
/// circuit leaves it to the witness.
pub fn end_of(k: u32, end: u32) -> u64 {
    if end == END_EID {
        common_bound(k) - 1
    } else {
        end as u64
    }
}
use zkwasm_tracer::trace::Loc;
use zkwasm_tracer::ValTy;

/// An entry's tuple as the access lookup compares it: `(type, address, start, end, value,
/// is_i32, prev)` (`end` in circuit terms, see [`end_of`]; `prev` as [`prev`] says).
pub fn access_tuple(
    loc: Loc,
    addr: u32,
    start: u32,
    end: u64,
    value: u64,
    ty: ValTy,
    prev: u64,
) -> Vec<Fr> {
    [
        loc as u64,
        addr as u64,
        start as u64,
        end,
        value,
        (ty == ValTy::I32) as u64,
        prev,
    ]
    .map(Fr::from)
    .to_vec()
}

/// Each entry's `prev`: the value of the entry before it when that one is of the same location
/// (the value a write creating this entry overwrote), zero for a location's first entry.
pub fn prev(rows: &[MRow]) -> impl Iterator<Item = u64> + '_ {
    let before = std::iter::once(None).chain(rows.iter().map(Some));
    rows.iter().zip(before).map(|(r, b)| match b {
        Some(b) if (b.loc, b.addr) == (r.loc, r.addr) => b.value,
        _ => 0,
    })
}

/// Rows per MTable entry.
pub const ROWS: usize = zkwasm_tables::capacity::MTABLE_ROWS;

/// The cells of one MTable entry.
#[derive(Clone, Copy, Debug)]
pub struct Cells {
    pub is_stack: Cell,
    pub is_heap: Cell,
    pub is_global: Cell,
    pub is_i32: Cell,
    pub init: Cell,
    pub mutable: Cell,
    /// The next entry is at the same location.
    pub same: Cell,
    pub addr: Cell,
    pub start: Cell,
    pub end: Cell,
    pub value: Cell,
    /// The previous entry's value inside the location, zero on its first entry.
    pub prev: Cell,
    /// Non-init entries from this one on.
    pub rest: Cell,
    /// The image row `[lo, hi)` that holds an init entry's initial value.
    pub lo: Cell,
    pub hi: Cell,
    /// How often the ETable's steps access the entry: its multiplicity in the access lookup.
    pub accessed: Cell,
    /// The sorting difference (see the module docs).
    pub diff: U32Cell,
    /// `addr - lo` and `hi - 1 - addr` on init entries.
    pub dlo: U32Cell,
    pub dhi: U32Cell,
}

#[derive(Clone, Debug)]
pub struct MTableConfig {
    /// On the first row of every block (the lookup table's selector).
    q_entry: Selector,
    pub cells: Cells,
    columns: Vec<Column<halo2_proofs::plonk::Advice>>,
    range_columns: Vec<(Column<halo2_proofs::plonk::Advice>, Range)>,
}

fn c(v: u64) -> Expression<Fr> {
    Expression::Constant(Fr::from(v))
}

impl MTableConfig {
    pub fn configure(meta: &mut ConstraintSystem<Fr>, blocks: Blocks) -> Self {
        let (q_entry, q_first, q_tail) = (blocks.q_entry, blocks.q_first, blocks.q_tail);
        let mut a = blocks.allocator();
        let cells = Cells {
            is_stack: a.bit(meta),
            is_heap: a.bit(meta),
            is_global: a.bit(meta),
            is_i32: a.bit(meta),
            init: a.bit(meta),
            mutable: a.bit(meta),
            same: a.bit(meta),
            addr: a.unlimited(meta),
            start: a.unlimited(meta),
            end: a.unlimited(meta),
            value: a.unlimited(meta),
            prev: a.unlimited(meta),
            // The first entry's is copied to the ETable's write counter.
            rest: a.unlimited(meta),
            lo: a.unlimited(meta),
            hi: a.unlimited(meta),
            accessed: a.unlimited(meta),
            diff: a.u32(meta),
            dlo: a.u32(meta),
            dhi: a.u32(meta),
        };
        let x = cells;
        let cur = |m: &mut VirtualCells<'_, Fr>, c: Cell| c.expr(m);
        let next = |m: &mut VirtualCells<'_, Fr>, c: Cell| c.next(m, ROWS);
        // Whether the entry is enabled.
        let enabled = |m: &mut VirtualCells<'_, Fr>| {
            cur(m, x.is_stack) + cur(m, x.is_heap) + cur(m, x.is_global)
        };
        let enabled_next = |m: &mut VirtualCells<'_, Fr>| {
            next(m, x.is_stack) + next(m, x.is_heap) + next(m, x.is_global)
        };
        let same_type = |m: &mut VirtualCells<'_, Fr>| {
            cur(m, x.is_stack) * next(m, x.is_stack)
                + cur(m, x.is_heap) * next(m, x.is_heap)
                + cur(m, x.is_global) * next(m, x.is_global)
        };
        let gate =
            |meta: &mut ConstraintSystem<Fr>,
             name: &'static str,
             f: &dyn Fn(&mut VirtualCells<'_, Fr>) -> Vec<Expression<Fr>>| {
                meta.create_gate(name, |m| {
                    let q = m.query_selector(q_entry);
                    f(m).into_iter().map(|e| q.clone() * e).collect::<Vec<_>>()
                })
            };

        gate(meta, "mtable one location type", &|m| {
            let e = enabled(m);
            vec![e.clone() * (c(1) - e)]
        });
        gate(meta, "mtable enabled prefix", &|m| {
            vec![enabled_next(m) * (c(1) - enabled(m))]
        });
        gate(meta, "mtable types in order", &|m| {
            vec![
                cur(m, x.is_heap) * next(m, x.is_stack),
                cur(m, x.is_global) * next(m, x.is_stack),
                cur(m, x.is_global) * next(m, x.is_heap),
            ]
        });
        gate(meta, "mtable same location", &|m| {
            let same = cur(m, x.same);
            vec![
                same.clone() * (c(1) - same_type(m)),
                same * (next(m, x.addr) - cur(m, x.addr)),
            ]
        });
        gate(meta, "mtable sorted", &|m| {
            let (same, diff) = (cur(m, x.same), x.diff.expr(m));
            let by_start = diff.clone() - (next(m, x.start) - cur(m, x.start) - c(1));
            let by_addr = diff - (next(m, x.addr) - cur(m, x.addr) - c(1));
            vec![same.clone() * by_start + (same_type(m) - same) * by_addr]
        });
        gate(meta, "mtable interval chain", &|m| {
            let same = cur(m, x.same);
            let end = cur(m, x.end);
            vec![same * (end - next(m, x.start))]
        });
        gate(meta, "mtable init entries", &|m| {
            let same_prev = x.same.prev(m, ROWS);
            let first = c(1) - (c(1) - m.query_selector(q_first)) * same_prev;
            let init = cur(m, x.init);
            vec![
                init.clone() - first * (cur(m, x.is_heap) + cur(m, x.is_global)),
                init * cur(m, x.start),
            ]
        });
        gate(meta, "mtable previous value", &|m| {
            // The previous entry is of this location when its `same` says so (never on the
            // first row, whose rotation -ROWS wraps around).
            let same_prev = (c(1) - m.query_selector(q_first)) * x.same.prev(m, ROWS);
            vec![cur(m, x.prev) - same_prev * x.value.prev(m, ROWS)]
        });
        gate(meta, "mtable mutability", &|m| {
            let (same, mutable, init) = (cur(m, x.same), cur(m, x.mutable), cur(m, x.init));
            vec![
                same * (next(m, x.mutable) - mutable.clone()),
                (enabled(m) - init) * (c(1) - mutable),
            ]
        });
        gate(meta, "mtable widths", &|m| {
            let (same, i32) = (cur(m, x.same), cur(m, x.is_i32));
            vec![
                cur(m, x.is_heap) * i32.clone(),
                cur(m, x.is_global) * same * (next(m, x.is_i32) - i32),
            ]
        });
        gate(meta, "mtable init range", &|m| {
            let init = cur(m, x.init);
            let addr = cur(m, x.addr);
            let (lo, hi) = (cur(m, x.lo), cur(m, x.hi));
            vec![
                init.clone() * (x.dlo.expr(m) - (addr.clone() - lo)),
                init * (x.dhi.expr(m) - (hi - c(1) - addr)),
            ]
        });
        gate(meta, "mtable write counter", &|m| {
            vec![cur(m, x.rest) - next(m, x.rest) - (enabled(m) - cur(m, x.init))]
        });
        meta.create_gate("mtable tail", |m| {
            let q = m.query_selector(q_tail);
            [x.is_stack, x.is_heap, x.is_global, x.rest].map(|cell| q.clone() * cell.expr(m))
        });
        let columns = a.all_columns();
        let range_columns = a.range_columns();
        MTableConfig {
            q_entry,
            cells,
            columns,
            range_columns,
        }
    }

    /// What an entry looks up in the image: its initial value
    /// `(type, lo, INIT, hi, value, is_i32, mutable)` once for an init entry, nothing
    /// otherwise (degree 2). The tuple is the entry's own cells: where nothing is looked up,
    /// it counts for nothing in the sum.
    pub fn image_input(
        &self,
        m: &mut VirtualCells<'_, Fr>,
    ) -> (Expression<Fr>, Vec<Expression<Fr>>) {
        let x = &self.cells;
        let q = m.query_selector(self.q_entry);
        let ltype = ltype(m, x);
        let tuple = vec![
            ltype,
            x.lo.expr(m),
            c(INIT),
            x.hi.expr(m),
            x.value.expr(m),
            x.is_i32.expr(m),
            x.mutable.expr(m),
        ];
        (q * x.init.expr(m), tuple)
    }

    /// The columns whose cells must lie in a range (the circuit checks them).
    pub fn range_columns(&self) -> &[(Column<halo2_proofs::plonk::Advice>, Range)] {
        &self.range_columns
    }

    /// What the MTable supplies to the ETable's memory accesses: every entry's
    /// [`access_tuple`] `(type, address, start, end, value, is_i32, prev)`, as often as its
    /// `accessed` cell says, on its row (rows a prover could fill outside the entries supply
    /// nothing). Degree 2.
    pub fn access_table(
        &self,
        m: &mut VirtualCells<'_, Fr>,
    ) -> (Expression<Fr>, Vec<Expression<Fr>>) {
        let x = &self.cells;
        let copies = m.query_selector(self.q_entry) * x.accessed.expr(m);
        let ltype = ltype(m, x);
        let rest = [x.addr, x.start, x.end, x.value, x.is_i32, x.prev].map(|cell| cell.expr(m));
        (copies, std::iter::once(ltype).chain(rest).collect())
    }

    /// Assigns the entries into a table of size `k` (its capacity is [`blocks`]`(k, ROWS)`)
    /// with their access counts (none past `accessed`); returns the cell holding the total of
    /// writes (entry 0's counter).
    #[allow(clippy::too_many_arguments)]
    pub fn assign(
        &self,
        layouter: &mut impl Layouter<Fr>,
        k: u32,
        image: &ImageTable,
        rows: &[MRow],
        accessed: &[u64],
        overrides: &Overrides,
        range: &mut RangeWitness,
    ) -> Result<(), Error> {
        layouter.assign_region(
            || "mtable",
            |mut region| {
                let cap = blocks(k, ROWS);
                if rows.len() > cap {
                    return Err(Error::NotEnoughRowsAvailable { current_k: k });
                }
                zero_fill(&mut region, &self.columns, 0..(cap + 1) * ROWS);
                let mut rest = rows.iter().filter(|r| !r.init).count() as u64;
                for (i, (row, prev)) in rows.iter().zip(prev(rows)).enumerate() {
                    let mut w = BlockWriter::new(i * ROWS);
                    let same = rows
                        .get(i + 1)
                        .is_some_and(|n| (n.loc, n.addr) == (row.loc, row.addr));
                    self.assign_entry(&mut w, k, image, row, rows.get(i + 1), same, rest);
                    w.set_u64(self.cells.accessed, accessed.get(i).copied().unwrap_or(0));
                    w.set_u64(self.cells.prev, prev);
                    w.flush(&mut region, Some(range));
                    rest = rest.wrapping_sub(!row.init as u64);
                }
                overrides.apply(&mut region, Some(range));
                Ok(())
            },
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn assign_entry(
        &self,
        w: &mut BlockWriter,
        k: u32,
        image: &ImageTable,
        row: &MRow,
        next: Option<&MRow>,
        same: bool,
        rest: u64,
    ) {
        let x = &self.cells;
        w.set_bool(x.is_stack, row.loc == Loc::Stack);
        w.set_bool(x.is_heap, row.loc == Loc::Heap);
        w.set_bool(x.is_global, row.loc == Loc::Global);
        w.set_bool(x.is_i32, row.ty == ValTy::I32);
        w.set_bool(x.init, row.init);
        w.set_bool(x.mutable, row.mutable);
        w.set_bool(x.same, same);
        w.set_u64(x.addr, row.addr as u64);
        w.set_u64(x.start, row.start as u64);
        w.set_u64(x.end, end_of(k, row.end));
        w.set_u64(x.value, row.value);
        w.set_u64(x.rest, rest);
        // Wrapping: forged (unsorted) rows in negative tests get a difference the gate rejects.
        let diff = match next {
            Some(n) if same => n.start.wrapping_sub(row.start).wrapping_sub(1),
            Some(n) if n.loc == row.loc => n.addr.wrapping_sub(row.addr).wrapping_sub(1),
            _ => 0,
        };
        w.set_u32(&x.diff, diff);
        if row.init {
            let (lo, hi) = init_range(image, row);
            w.set_u64(x.lo, lo as u64);
            w.set_u64(x.hi, hi);
            w.set_u32(&x.dlo, row.addr.wrapping_sub(lo));
            w.set_u32(&x.dhi, (hi as u32).wrapping_sub(1).wrapping_sub(row.addr));
        }
    }
}

/// An entry's location type as a number (1 stack, 2 heap, 3 global, 0 disabled).
fn ltype(m: &mut VirtualCells<'_, Fr>, x: &Cells) -> Expression<Fr> {
    x.is_stack.expr(m) + c(2) * x.is_heap.expr(m) + c(3) * x.is_global.expr(m)
}

/// The `[lo, hi)` of the image's initial-memory row that covers an init entry: the global
/// itself, or the data block or run of zero blocks holding the heap block.
pub(crate) fn init_range(image: &ImageTable, row: &MRow) -> (u32, u64) {
    if row.loc != Loc::Heap {
        return (row.addr, row.addr as u64 + 1);
    }
    let i = image.memory.partition_point(|m| match *m {
        InitMemory::Block { block, .. } => block < row.addr,
        InitMemory::Zero { end, .. } => end <= row.addr,
    });
    match image.memory.get(i) {
        Some(InitMemory::Zero { start, end }) => (*start, *end as u64),
        _ => (row.addr, row.addr as u64 + 1),
    }
}

/// The MTable on its own, with the total of writes as its one public instance: what the full
/// circuit composes with the ETable (whose write counter then replaces the instance).
#[derive(Clone, Debug)]
pub struct MTableCircuit {
    pub k: u32,
    pub image: ImageTable,
    pub rows: Vec<MRow>,
    pub overrides: Overrides,
}

#[derive(Clone, Debug)]
pub struct MTableCircuitConfig {
    blocks: Blocks,
    image: ImageColumns,
    range: RangeConfig,
    pub mtable: MTableConfig,
}

impl MTableCircuit {
    /// The public instance: the number of writes.
    pub fn instances(&self) -> Vec<Fr> {
        vec![Fr::from(self.rows.iter().filter(|r| !r.init).count() as u64)]
    }
}

impl halo2_proofs::plonk::Circuit<Fr> for MTableCircuit {
    type Config = MTableCircuitConfig;
    type FloorPlanner = halo2_proofs::circuit::SimpleFloorPlanner;
    type Params = ();

    fn without_witnesses(&self) -> Self {
        MTableCircuit {
            rows: vec![],
            overrides: Overrides::new(),
            ..self.clone()
        }
    }

    fn configure(meta: &mut ConstraintSystem<Fr>) -> Self::Config {
        let blocks = Blocks::configure(meta);
        let image = ImageColumns::configure(meta);
        let mtable = MTableConfig::configure(meta, blocks);
        // Init entries look up their initial value in the image (the only input here).
        let init = TupleLookup {
            name: "image lookup",
            input: Some(&|m| mtable.image_input(m)),
            table: Some(&|m| image.table(m)),
            tag: 1,
        };
        let rows = meta.fixed_column();
        let range = RangeConfig::configure(meta, rows, mtable.range_columns(), &[init]);
        let instance = meta.instance_column();
        // The first entry's write counter is the instance (the ETable's in the full circuit).
        meta.create_gate("mtable total", |m| {
            let q = m.query_selector(blocks.q_first);
            let rest = mtable.cells.rest.expr(m);
            [q * (rest - m.query_instance(instance, Rotation::cur()))]
        });
        MTableCircuitConfig {
            blocks,
            image,
            range,
            mtable,
        }
    }

    fn synthesize(
        &self,
        config: Self::Config,
        mut layouter: impl Layouter<Fr>,
    ) -> Result<(), Error> {
        config.blocks.assign(&mut layouter, self.k)?;
        let mut range = config.range.witness(self.k);
        let copies = record_image_lookup(&self.image, &[], &self.rows, &[], &mut range, [0; 3]);
        config.image.load(&mut layouter, &self.image, &copies)?;
        config.mtable.assign(
            &mut layouter,
            self.k,
            &self.image,
            &self.rows,
            &[],
            &self.overrides,
            &mut range,
        )?;
        config
            .range
            .assign(&mut layouter, self.k, &range, &Overrides::new())
    }
}
