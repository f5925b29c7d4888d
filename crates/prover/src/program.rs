//! A program to prove: a loaded image with the limits it runs under, its identity, and dry runs.

use crate::control::{Control, Stage};
use crate::{Error, CIRCUIT_VERSION};
use std::fmt;
use zkwasm_circuits::vm::VmCircuit;
use zkwasm_tables::capacity::Capacity;
use zkwasm_tables::{ImageTable, Tables, Usage, MAX_K};
use zkwasm_tracer::{Error as TracerError, Image, Inputs, Limit, Limits, Outcome};

/// A program's identity at one circuit size: the hash (BLAKE2b-256) of its image table, the
/// circuit version and `k`. Keys and proofs carry it, so mixing files of different programs,
/// circuits or sizes fails with a clear message before any cryptography runs.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProgramId(pub [u8; 32]);

impl ProgramId {
    /// The id of the program whose image table is `table`, at size `k`.
    pub fn of(table: &ImageTable, k: u32) -> ProgramId {
        let mut h = blake2b_simd::Params::new().hash_length(32).to_state();
        h.update(b"zkwasm program");
        h.update(&CIRCUIT_VERSION.to_le_bytes());
        h.update(&k.to_le_bytes());
        h.update(
            serde_json::to_string(table)
                .expect("image tables serialize")
                .as_bytes(),
        );
        ProgramId(h.finalize().as_bytes().try_into().expect("32 bytes"))
    }
}

impl fmt::Display for ProgramId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for ProgramId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProgramId({self})")
    }
}

/// A loaded program: its image (instructions, initial memory, globals, entry) and the limits
/// it runs under. The image table, hence the keys, depend on both.
#[derive(Clone, Debug)]
pub struct Program {
    pub image: Image,
    pub limits: Limits,
}

impl Program {
    /// Loads a Wasm binary or WAT text whose entry is the export `entry` (no parameters).
    pub fn load(wasm: &[u8], entry: &str, limits: Limits) -> Result<Program, Error> {
        let image = zkwasm_tracer::load(wasm, &limits)?.image(entry)?;
        Ok(Program { image, limits })
    }

    pub fn id(&self, k: u32) -> ProgramId {
        ProgramId::of(&zkwasm_tables::image_table(&self.image, &self.limits), k)
    }

    /// The tables of the image without a run: what keys are made from.
    pub(crate) fn image_tables(&self) -> Tables {
        Tables::of_image(zkwasm_tables::image_table(&self.image, &self.limits))
    }

    /// Runs the program and lays the run out as checked tables. A run is stopped as soon as
    /// it has more steps than the largest circuit holds (when its step limit allows more): it
    /// could never be proved, and running on would only cost time and memory.
    pub(crate) fn tables(
        &self,
        inputs: &Inputs,
        control: &Control,
    ) -> Result<(Outcome, Tables), Error> {
        let most = Capacity::of(MAX_K).steps as u64;
        let limits = Limits {
            max_steps: self.limits.max_steps.min(most),
            ..self.limits
        };
        let run = control.stage(Stage::Execute, || {
            zkwasm_tracer::execute(&self.image, inputs, &limits).map_err(|e| match e {
                TracerError::LimitExceeded {
                    limit: Limit::Steps,
                    ..
                } if self.limits.max_steps > most => Error::TooManySteps {
                    steps: most,
                    max: MAX_K,
                },
                e => e.into(),
            })
        })?;
        let tables = control.stage(Stage::Tables, || {
            let t = zkwasm_tables::build(
                &self.image,
                &run.trace,
                &run.outcome.instances,
                &self.limits,
            );
            zkwasm_tables::check(&t).map_err(|v| Error::Internal(v.to_string()))?;
            Ok(t)
        })?;
        Ok((run.outcome, tables))
    }
}

/// What a dry run tells before proving: the outcome, the rows each table needs, the smallest
/// circuit that holds them, and the first step the circuits cannot prove yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Execution {
    pub outcome: Outcome,
    pub usage: Usage,
    /// The smallest `k` whose circuit holds the run (may exceed [`zkwasm_tables::MAX_K`]).
    pub min_k: u32,
    /// `(step, instruction)` of the first step the circuit cannot prove (steps count from 1):
    /// none in a completed run, unless an invariant of the compiler the circuit relies on is
    /// broken (`zkwasm_circuits::etable::provable`).
    pub unprovable: Option<(u64, String)>,
}

impl Execution {
    /// Why the run cannot be proved at any size, if it cannot.
    pub fn obstacle(&self) -> Option<Error> {
        if let Some((step, instr)) = &self.unprovable {
            return Some(Error::Unsupported(format!("step {step} runs `{instr}`")));
        }
        (self.min_k > zkwasm_tables::MAX_K).then_some(Error::BeyondLargestCircuit {
            need: self.min_k,
            max: zkwasm_tables::MAX_K,
        })
    }
}

/// Runs the program, builds and checks its tables: everything [`crate::prove`] does before the
/// cryptography, and what decides the circuit size.
pub fn execute(program: &Program, inputs: &Inputs) -> Result<Execution, Error> {
    execute_with(program, inputs, &Control::default())
}

/// [`execute`] with progress reports and cancellation.
pub fn execute_with(
    program: &Program,
    inputs: &Inputs,
    control: &Control,
) -> Result<Execution, Error> {
    let (outcome, tables) = program.tables(inputs, control)?;
    Ok(summary(outcome, &tables))
}

/// The run's summary and tables when some circuit can prove it (what [`crate::prove`] and
/// [`crate::mock_prove`] start from), its obstacle otherwise.
pub(crate) fn provable_run(
    program: &Program,
    inputs: &Inputs,
    control: &Control,
) -> Result<(Execution, Tables), Error> {
    let (outcome, tables) = program.tables(inputs, control)?;
    let summary = summary(outcome, &tables);
    match summary.obstacle() {
        Some(e) => Err(e),
        None => Ok((summary, tables)),
    }
}

pub(crate) fn summary(outcome: Outcome, tables: &Tables) -> Execution {
    let usage = tables.usage();
    Execution {
        outcome,
        usage,
        min_k: usage.min_k(),
        unprovable: VmCircuit::first_unprovable(tables)
            .map(|(i, instr)| (i as u64 + 1, instr.to_string())),
    }
}
