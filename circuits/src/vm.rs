//! The VM circuit: the image's instruction and initial-memory tables (fixed), the ETable,
//! the MTable and the JTable, with the counters tied across tables by one rule on the first
//! row ("counters"; every table's first entry is there, so no copy constraint and no
//! permutation argument is needed): the ETable's writes, calls and returns are the MTable's
//! write entries, the JTable's non-static entries and its returned ones, and its instances
//! the verifier's count (row 0 of the instance column).

use crate::blocks::Blocks;
use crate::etable::{record_access_lookup, ETableConfig, Io, Start, ROWS};
use crate::image::{record_image_lookup, ImageColumns};
use crate::jtable::JTableConfig;
use crate::mtable::MTableConfig;
use crate::range::{common_bound, RangeConfig, RangeWitness, Side, TupleLookup};
use crate::tamper::Overrides;
use crate::Fr;
use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner, Value};
use halo2_proofs::plonk::{Circuit, ConstraintSystem, Error, Expression, VirtualCells};
use halo2_proofs::poly::Rotation;
use std::sync::{Arc, Mutex};
use zkwasm_tables::Tables;

/// The tuple lookups' tags ([`TupleLookup::tag`]): one per table, so no table supplies
/// another lookup's inputs (the two access lookups share the MTable's).
mod tag {
    pub const FRAME: u64 = 1;
    pub const ACCESS: u64 = 2;
    pub const INSTANCE: u64 = 3;
    pub const IMAGE: u64 = 4;
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
            range_overrides: Overrides::new(),
            first_phase: Arc::default(),
        }
    }

    /// The first step the circuit cannot prove yet (its index and instruction), if any.
    pub fn first_unprovable(tables: &Tables) -> Option<(usize, zkwasm_tracer::Instr)> {
        (0..tables.etable.len())
            .map(|i| (i, tables.etable[i].instr, tables.events_of(i).len()))
            .find(|&(_, instr, events)| !crate::etable::provable(instr, events))
            .map(|(i, instr, _)| (i, instr))
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

    /// The range argument's columns (for tamper tests).
    pub fn range_columns(&self) -> crate::range::RangeColumns {
        self.range.columns()
    }
}

#[derive(Clone)]
pub struct VmConfig {
    blocks: Blocks,
    range: RangeConfig,
    image: ImageColumns,
    mtable: MTableConfig,
    jtable: JTableConfig,
    etable: std::rc::Rc<ETableConfig>,
    io: Io,
}

impl Circuit<Fr> for VmCircuit {
    type Config = VmConfig;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = Start;

    fn params(&self) -> Start {
        Start::of(&self.tables.image.state)
    }

    fn without_witnesses(&self) -> Self {
        VmCircuit {
            witness: false,
            mtable_overrides: Overrides::new(),
            etable_overrides: Overrides::new(),
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
        let inputs = [mtable.range_columns(), etable.range_columns()].concat();
        // Calls and returns look up their frame in the JTable in the range argument's sum.
        // (Its numerators have degree 3 and the image lookup's tuples degree 2: neither helper
        // has room for a range input; the access lookups' and the instance lookup's have.)
        let frames = TupleLookup {
            name: "frame lookup",
            input: &|m| etable.frame_input(m),
            table: &|m| jtable.frame_table(m),
            tag: tag::FRAME,
            spare: false,
        };
        // Memory accesses look up their MTable entry there too.
        let accesses = TupleLookup {
            name: "access lookup",
            input: &|m| etable.access_input(m, 0),
            table: &|m| mtable.access_table(m),
            tag: tag::ACCESS,
            spare: true,
        };
        // The second slot group's accesses: inputs only, against the same entries.
        let nothing = |_: &mut VirtualCells<'_, Fr>| (Expression::Constant(Fr::zero()), vec![]);
        let accesses_2 = TupleLookup {
            name: "access lookup (second group)",
            input: &|m| etable.access_input(m, 1),
            table: &nothing,
            tag: tag::ACCESS,
            spare: true,
        };
        // And host calls their instance.
        let instances = TupleLookup {
            name: "instance lookup",
            input: &|m| etable.instance_input(m),
            table: &|m| io.table(m),
            tag: tag::INSTANCE,
            spare: true,
        };
        // And steps their instruction (on their block's first row), init entries their initial
        // value (on its second) in the image.
        let images = TupleLookup {
            name: "image lookup",
            input: &|m| ImageColumns::input(m, &blocks, &etable, &mtable),
            table: &|m| image.table(m),
            tag: tag::IMAGE,
            spare: false,
        };
        let lookups = [frames, accesses, instances, images, accesses_2];
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
        VmConfig {
            blocks,
            range,
            image,
            mtable,
            jtable,
            etable: std::rc::Rc::new(etable),
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
        // The range argument's tuple lookups, in `configure`'s order: frames, accesses (first
        // slot group), instances, the image, accesses (second slot group).
        JTableConfig::record_frame_lookup(run, &mut range, 0);
        let accessed = record_access_lookup(self.k, run, &mut range, [1, 4]);
        record_instance_lookup(run, &mut range, 2);
        let copies = record_image_lookup(&t.image, &run.etable, &run.mtable, &mut range, 3);
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
        config
            .range
            .assign(&mut layouter, self.k, &range, overrides)?;
        let rows = common_bound(self.k) as usize;
        layouter.assign_region(
            || "instance positions",
            |mut region| {
                for r in 0..rows {
                    let copies = Fr::from((1..=run.instances.len()).contains(&r) as u64);
                    region.assign_advice(config.io.copies, r, Value::known(copies));
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
