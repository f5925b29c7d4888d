//! The VM circuit: the image's instruction and initial-memory tables (fixed), the ETable,
//! the MTable and the JTable, with the counters tied across tables by one rule on the first
//! row ("counters"; every table's first entry is there, so no copy constraint and no
//! permutation argument is needed): the ETable's writes, calls and returns are the MTable's
//! write entries, the JTable's non-static entries and its returned ones, and its instances
//! the verifier's count (row 0 of the instance column).

use crate::bittable::{record_bit_inputs, BitTableConfig, PAIRS};
use crate::blocks::Blocks;
use crate::etable::{record_access_lookup, ETableConfig, Io, Start, GROUPS, ROWS};
use crate::image::{element_tuples, record_image_lookup, step_tuples, ImageColumns};
use crate::jtable::JTableConfig;
use crate::mtable::MTableConfig;
use crate::range::{RangeConfig, RangeWitness, Side, TupleLookup, TupleSide};
use crate::tamper::Overrides;
use crate::Fr;
use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner, Value};
use halo2_proofs::plonk::{Circuit, ConstraintSystem, Error, Expression, Selector, VirtualCells};
use halo2_proofs::poly::Rotation;
use std::sync::{Arc, Mutex};
use zkwasm_tables::Tables;

/// The VM's tuple lookups, all in the range argument's one sum: the one list `configure`
/// builds them from (in [`Lookup::ALL`]'s order) and `synthesize` records their witnesses
/// by ([`Lookup::index`]), so a lookup cannot be wired to another's index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lookup {
    /// Calls and returns look up their frame in the JTable.
    Frame,
    /// Memory accesses of slot group `g` look up their MTable entry; the first group's lookup
    /// has the table side: the MTable supplies each entry as often as any group accesses it.
    Access(usize),
    /// Host calls look up their instance.
    Instance,
    /// Steps look up their instruction in the image.
    Image,
    /// Init entries of the MTable look up their initial value in the image: inputs only.
    ImageInit,
    /// The bit table's first nibble pair of every row looks itself up in the AND table.
    Nibble,
    /// Its second pair: inputs only, against the same table.
    NibbleSecond,
    /// Bitwise steps look up `(lhs, rhs, lhs & rhs)` in the bit table.
    Bit,
    /// Signed divisions look up their left operand's sign there: inputs only.
    SignLhs,
    /// And their right operand's.
    SignRhs,
    /// `call_indirect` steps look up their table element in the image: inputs only.
    Element,
}

// One nibble lookup per pair of a bit-table row, one access lookup per slot group.
const _: () = assert!(PAIRS == 2 && GROUPS == 4);

impl Lookup {
    const ALL: [Lookup; 14] = [
        Lookup::Frame,
        Lookup::Access(0),
        Lookup::Access(1),
        Lookup::Access(2),
        Lookup::Access(3),
        Lookup::Instance,
        Lookup::Image,
        Lookup::ImageInit,
        Lookup::Nibble,
        Lookup::NibbleSecond,
        Lookup::Bit,
        Lookup::SignLhs,
        Lookup::SignRhs,
        Lookup::Element,
    ];

    /// Its index among the range argument's tuple lookups.
    fn index(self) -> usize {
        Lookup::ALL.iter().position(|&l| l == self).expect("listed")
    }

    fn name(self) -> &'static str {
        match self {
            Lookup::Frame => "frame lookup",
            Lookup::Access(0) => "access lookup",
            Lookup::Access(1) => "access lookup (second group)",
            Lookup::Access(2) => "access lookup (third group)",
            Lookup::Access(_) => "access lookup (fourth group)",
            Lookup::Instance => "instance lookup",
            Lookup::Image => "image lookup",
            Lookup::ImageInit => "image lookup (init entries)",
            Lookup::Nibble => "nibble lookup",
            Lookup::NibbleSecond => "nibble lookup (second pair)",
            Lookup::Bit => "bit lookup",
            Lookup::SignLhs => "sign lookup (left)",
            Lookup::SignRhs => "sign lookup (right)",
            Lookup::Element => "element lookup",
        }
    }

    /// [`TupleLookup::tag`]: one per table, so no table supplies another lookup's inputs (the
    /// two access lookups share the MTable's).
    fn tag(self) -> u64 {
        match self {
            Lookup::Frame => 1,
            Lookup::Access(_) => 2,
            Lookup::Instance => 3,
            Lookup::Image | Lookup::ImageInit | Lookup::Element => 4,
            Lookup::Nibble | Lookup::NibbleSecond => 5,
            Lookup::Bit | Lookup::SignLhs | Lookup::SignRhs => 6,
        }
    }
}

/// The index and tag of the tuple lookup whose gate is named `name` (for tamper tests, which
/// forge its helper's terms).
pub fn tuple_lookup(name: &str) -> Option<(usize, u64)> {
    let l = Lookup::ALL.into_iter().find(|l| l.name() == name)?;
    Some((l.index(), l.tag()))
}

/// A run to prove at circuit size `k`. Without a witness (for keys) it keeps the image.
#[derive(Clone, Debug)]
pub struct VmCircuit {
    pub k: u32,
    pub tables: Arc<Tables>,
    /// Only the image is used: keys depend on the program and `k`, not on a run.
    pub witness: bool,
    /// Cells to overwrite in the MTable and ETable regions (tamper tests).
    pub mtable_overrides: Overrides,
    pub etable_overrides: Overrides,
    /// Cells to overwrite in the bit table's region (tamper tests).
    pub bit_overrides: Overrides,
    /// Cells of the range argument to forge (see [`RangeConfig::assign`]).
    pub range_overrides: Overrides,
    /// The range argument's witness of the first phase, kept for the second: the prover
    /// synthesizes the circuit once per phase, and the second needs only the argument's
    /// second-phase columns (the tables' cells were committed with the first).
    first_phase: Arc<Mutex<Option<RangeWitness>>>,
}

impl VmCircuit {
    pub fn new(k: u32, tables: Tables) -> Self {
        VmCircuit {
            k,
            tables: Arc::new(tables),
            witness: true,
            mtable_overrides: Overrides::new(),
            etable_overrides: Overrides::new(),
            bit_overrides: Overrides::new(),
            range_overrides: Overrides::new(),
            first_phase: Arc::default(),
        }
    }

    /// The first step the circuit cannot prove yet (its index and instruction), if any.
    pub fn first_unprovable(tables: &Tables) -> Option<(usize, zkwasm_tracer::Instr)> {
        (0..tables.etable.len())
            .find(|&i| !crate::etable::step_provable(tables, i))
            .map(|i| (i, tables.etable[i].instr))
    }

    /// The public instances ([`instance_columns`] of the run's instances).
    pub fn instances(&self) -> Vec<Vec<Fr>> {
        instance_columns(&self.tables.instances)
    }
}

impl VmConfig {
    /// The ETable's configuration (for tamper tests: its cells' columns and rotations).
    pub fn etable_rc(self) -> std::rc::Rc<ETableConfig> {
        self.etable
    }

    /// The MTable's cells (for tamper tests).
    pub fn mtable_cells(&self) -> crate::mtable::Cells {
        self.mtable.cells
    }

    /// The bit table's columns (for tamper tests).
    pub fn bit_columns(&self) -> crate::bittable::BitColumns {
        self.bits.columns()
    }

    /// The range argument's columns (for tamper tests).
    pub fn range_columns(&self) -> crate::range::RangeColumns {
        self.range.columns()
    }
}

#[derive(Clone)]
pub struct VmConfig {
    /// Rows 1 .. of the instance column that a verifier can fill (all but the last
    /// `blinding + 1` rows of the circuit).
    q_values: Selector,
    blinding: usize,
    blocks: Blocks,
    range: RangeConfig,
    image: ImageColumns,
    mtable: MTableConfig,
    jtable: JTableConfig,
    etable: std::rc::Rc<ETableConfig>,
    bits: BitTableConfig,
    io: Io,
}

impl Circuit<Fr> for VmCircuit {
    type Config = VmConfig;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = Start;

    fn params(&self) -> Start {
        Start::of(&self.tables.image.state, self.k)
    }

    fn without_witnesses(&self) -> Self {
        VmCircuit {
            witness: false,
            mtable_overrides: Overrides::new(),
            etable_overrides: Overrides::new(),
            bit_overrides: Overrides::new(),
            range_overrides: Overrides::new(),
            first_phase: Arc::default(),
            ..self.clone()
        }
    }

    fn configure_with_params(meta: &mut ConstraintSystem<Fr>, start: Start) -> VmConfig {
        let image = ImageColumns::configure(meta);
        let blocks = Blocks::configure(meta);
        let mtable = MTableConfig::configure(meta, blocks);
        let jtable = JTableConfig::configure(meta, blocks, start.entry_fid);
        let io = Io {
            values: meta.instance_column(),
            rows: meta.fixed_column(),
            copies: meta.advice_column(),
        };
        let etable = ETableConfig::configure(meta, blocks, start);
        let bits = BitTableConfig::configure(meta);
        let inputs = [mtable.range_columns(), etable.range_columns()].concat();
        let frame_input = |m: &mut VirtualCells<'_, Fr>| etable.frame_input(m);
        let frame_table = |m: &mut VirtualCells<'_, Fr>| jtable.frame_table(m);
        let e = &etable;
        let access_inputs: [_; GROUPS] =
            std::array::from_fn(|g| move |m: &mut VirtualCells<'_, Fr>| e.access_input(m, g));
        let access_table = |m: &mut VirtualCells<'_, Fr>| mtable.access_table(m);
        let instance_input = |m: &mut VirtualCells<'_, Fr>| etable.instance_input(m);
        let instance_table = |m: &mut VirtualCells<'_, Fr>| io.table(m);
        let image_input = |m: &mut VirtualCells<'_, Fr>| etable.image_input(m);
        let image_init = |m: &mut VirtualCells<'_, Fr>| mtable.image_input(m);
        let image_table = |m: &mut VirtualCells<'_, Fr>| image.table(m);
        let nibble_input = |m: &mut VirtualCells<'_, Fr>| bits.nibble_input(m, 0);
        let nibble_second = |m: &mut VirtualCells<'_, Fr>| bits.nibble_input(m, 1);
        let nibble_table = |m: &mut VirtualCells<'_, Fr>| bits.nibble_table(m);
        let bit_input = |m: &mut VirtualCells<'_, Fr>| etable.bit_input(m);
        let bit_table = |m: &mut VirtualCells<'_, Fr>| bits.bit_table(m);
        let sign_lhs = |m: &mut VirtualCells<'_, Fr>| etable.sign_input(m, 0);
        let sign_rhs = |m: &mut VirtualCells<'_, Fr>| etable.sign_input(m, 1);
        let element_input = |m: &mut VirtualCells<'_, Fr>| etable.element_input(m);
        let lookups = Lookup::ALL.map(|l| {
            let (input, table): (TupleSide<'_>, Option<TupleSide<'_>>) = match l {
                Lookup::Frame => (&frame_input, Some(&frame_table)),
                Lookup::Access(0) => (&access_inputs[0], Some(&access_table)),
                Lookup::Access(g) => (&access_inputs[g], None),
                Lookup::Instance => (&instance_input, Some(&instance_table)),
                Lookup::Image => (&image_input, Some(&image_table)),
                Lookup::ImageInit => (&image_init, None),
                Lookup::Nibble => (&nibble_input, Some(&nibble_table)),
                Lookup::NibbleSecond => (&nibble_second, None),
                Lookup::Bit => (&bit_input, Some(&bit_table)),
                Lookup::SignLhs => (&sign_lhs, None),
                Lookup::SignRhs => (&sign_rhs, None),
                Lookup::Element => (&element_input, None),
            };
            TupleLookup {
                name: l.name(),
                input: Some(input),
                table,
                tag: l.tag(),
            }
        });
        let range = RangeConfig::configure(meta, io.rows, &inputs, &lookups);
        meta.create_gate("counters", |m| {
            let q = m.query_selector(blocks.q_first);
            let (e, mt, jt) = (etable.common(), mtable.cells, jtable.cells);
            [
                (e.rest_mops, mt.rest.expr(m)),
                (e.rest_calls, jt.rest_calls.expr(m)),
                (e.rest_returns, jt.rest_returns.expr(m)),
                // Row 0 of the instance column holds their number.
                (e.instance, m.query_instance(io.values, Rotation::cur())),
            ]
            .map(|(cell, total)| q.clone() * (cell.expr(m) - total))
        });
        // The instance column past its count: the instance lookup consumes exactly rows
        // 1 ..= count (each step that adds an instance looks up its own position), so the
        // sum makes `copies` 0 on every other row, and this rule makes those rows' values 0.
        // The public values of a proof are then exactly its instance column, whoever builds
        // it (a verifier appending values after the count gets no valid proof for them).
        let q_values = meta.selector();
        meta.create_gate("instances past the count", |m| {
            let q = m.query_selector(q_values);
            let copies = m.query_advice(io.copies, Rotation::cur());
            let value = m.query_instance(io.values, Rotation::cur());
            vec![q * (Expression::Constant(Fr::one()) - copies) * value]
        });
        VmConfig {
            q_values,
            blinding: meta.blinding_factors(),
            blocks,
            range,
            image,
            mtable,
            jtable,
            etable: std::rc::Rc::new(etable),
            bits,
            io,
        }
    }

    fn configure(_: &mut ConstraintSystem<Fr>) -> VmConfig {
        unreachable!("the VM circuit is configured with its image's start state")
    }

    fn synthesize(&self, config: VmConfig, mut layouter: impl Layouter<Fr>) -> Result<(), Error> {
        let t = &self.tables;
        let empty;
        let run: &Tables = if self.witness {
            t
        } else {
            empty = Tables::of_image(t.image.clone());
            &empty
        };
        let overrides = &self.range_overrides;
        let cached = self
            .first_phase
            .lock()
            .map_err(|_| Error::Synthesis)?
            .take();
        if let Some(range) = cached.filter(|_| config.range.second_phase(&mut layouter)) {
            return config
                .range
                .assign(&mut layouter, self.k, &range, overrides);
        }
        config.blocks.assign(&mut layouter, self.k)?;
        let mut range = config.range.witness(self.k);
        JTableConfig::record_frame_lookup(run, &mut range, Lookup::Frame.index());
        let access = std::array::from_fn(|g| Lookup::Access(g).index());
        let accessed = record_access_lookup(self.k, run, &mut range, access);
        record_instance_lookup(run, &mut range, Lookup::Instance.index());
        let (steps, elements) = (step_tuples(run), element_tuples(run));
        let lookups = [Lookup::Image, Lookup::ImageInit, Lookup::Element].map(Lookup::index);
        let copies = record_image_lookup(
            &t.image,
            &steps,
            &run.mtable,
            &elements,
            &mut range,
            lookups,
        );
        config.image.load(&mut layouter, &t.image, &copies)?;
        config.mtable.assign(
            &mut layouter,
            self.k,
            &t.image,
            &run.mtable,
            &accessed,
            &self.mtable_overrides,
            &mut range,
        )?;
        config
            .jtable
            .assign(&mut layouter, self.k, &run.jtable, &Overrides::new())?;
        config.etable.assign(
            &mut layouter,
            self.k,
            run,
            &self.etable_overrides,
            &mut range,
        )?;
        // Every row a witness can fill.
        let rows = (1usize << self.k) - (config.blinding + 1);
        let signs = [Lookup::SignLhs, Lookup::SignRhs].map(Lookup::index);
        record_bit_inputs(run, &mut range, Lookup::Bit.index(), signs);
        config.bits.assign(
            &mut layouter,
            self.k,
            rows - 1,
            &run.bit_table,
            &self.bit_overrides,
            &mut range,
            [Lookup::Nibble, Lookup::NibbleSecond].map(Lookup::index),
            Lookup::Bit.index(),
        )?;
        config
            .range
            .assign(&mut layouter, self.k, &range, overrides)?;
        layouter.assign_region(
            || "instance positions",
            |mut region| {
                for r in 0..rows {
                    let copies = Fr::from((1..=run.instances.len()).contains(&r) as u64);
                    region.assign_advice(config.io.copies, r, Value::known(copies));
                    if r > 0 {
                        config.q_values.enable(&mut region, r)?;
                    }
                }
                Ok(())
            },
        )?;
        if !config.range.second_phase(&mut layouter) {
            *self.first_phase.lock().map_err(|_| Error::Synthesis)? = Some(range);
        }
        Ok(())
    }
}

/// Records the instance lookup (tuple lookup `lookup` of the range argument) of a run: every
/// step that adds an instance looks up `(position, value)` once, and the instance column
/// (last first from row 1: row `r` at position `r`) supplies each of those rows once.
fn record_instance_lookup(t: &Tables, range: &mut RangeWitness, lookup: usize) {
    let n = t.instances.len();
    let tuple = |pos: usize, value: u64| vec![Fr::from(pos as u64), Fr::from(value)];
    for (i, row) in t.etable.iter().enumerate() {
        let after = t.etable.get(i + 1).map_or(n, |next| next.instance as usize);
        let index = row.instance as usize;
        if after > index {
            let value = t.instances.get(index).copied().unwrap_or(0);
            range.record_tuple(lookup, Side::Input, i * ROWS, 1, tuple(n - index, value));
        }
    }
    for (r, &value) in t.instances.iter().rev().enumerate() {
        range.record_tuple(lookup, Side::Table, r + 1, 1, tuple(r + 1, value));
    }
}

/// The instance column of a run's public values (execution order): their number, then the
/// values last first (an instance's row then says how many are left from it on, which the
/// ETable counts down to). One column, not a second one for the number: every column is
/// extended to the quotient's domain in every proof.
pub fn instance_columns(values: &[u64]) -> Vec<Vec<Fr>> {
    let count = std::iter::once(Fr::from(values.len() as u64));
    vec![count
        .chain(values.iter().rev().map(|&v| Fr::from(v)))
        .collect()]
}
