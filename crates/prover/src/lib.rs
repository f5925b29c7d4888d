//! zkwasm proving: KZG parameters (read from a directory, cut down from a larger setup, or
//! generated for development), programs and their identity, dry runs, keys bound to one
//! program and circuit size, proofs, and the key and proof files.
//!
//! Everything is thread-safe and free of global state: one [`ProvingKey`] serves any number of
//! concurrent [`prove`] calls (see `examples/rollup_node.rs`).
//!
//! ```no_run
//! use zkwasm_prover::{execute, load_params, prove, setup, verify, Program};
//! use zkwasm_tracer::{Inputs, Limits};
//! let program = Program::load(&std::fs::read("prog.wasm")?, "zkmain", Limits::default())?;
//! let inputs = Inputs { public: vec![2], private: vec![] };
//! let k = execute(&program, &inputs)?.min_k;
//! let (params, _origin) = load_params(std::path::Path::new("params"), k)?;
//! let (pk, vk) = setup(&params, &program)?;
//! let proof = prove(&params, &pk, &program, &inputs)?;
//! let instances = verify(&params, &vk, &proof)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod control;
mod file;
mod keys;
mod mock;
mod params;
mod program;
mod proof;

pub use control::{Control, Stage};
pub use file::FORMAT_VERSION;
/// The backend's parameter methods (`k()`, `write`, ...), for [`Params`] values.
pub use halo2_proofs::poly::commitment::{Params as ParamsMethods, ParamsProver};
pub use keys::{setup, setup_with, verifying_key, ProvingKey, VerifyingKey};
pub use mock::{mock_prove, mock_prove_with};
pub use params::{fingerprint, load_params, read_params, Origin, Params};
pub use program::{execute, execute_with, Execution, Program, ProgramId};
pub use proof::Proof;

use halo2_proofs::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_proofs::plonk::{create_proof, verify_proof};
use halo2_proofs::poly::kzg::commitment::KZGCommitmentScheme;
use halo2_proofs::poly::kzg::multiopen::{ProverSHPLONK, VerifierSHPLONK};
use halo2_proofs::poly::kzg::strategy::SingleStrategy;
use halo2_proofs::transcript::{
    Blake2bRead, Blake2bWrite, Challenge255, TranscriptReadBuffer, TranscriptWriterBuffer,
};
use thiserror::Error;
use zkwasm_circuits::vm::VmCircuit;
use zkwasm_tracer::Inputs;

/// Changes whenever the circuit changes: part of every program id, so keys and proofs of
/// another circuit are refused. The golden verifying-key test fails when the circuit changes
/// without it.
pub const CIRCUIT_VERSION: u32 = 12;

#[derive(Debug, Error)]
pub enum Error {
    #[error("i/o on {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("parameters: {0}")]
    Params(String),
    #[error(transparent)]
    Tracer(#[from] zkwasm_tracer::Error),
    #[error("{what} needs k = {need}, the keys are for k = {k}")]
    TooLong {
        need: u32,
        k: u32,
        what: &'static str,
    },
    #[error(
        "the run needs k = {need}, larger than the largest circuit (k = {max}): shorten the run"
    )]
    BeyondLargestCircuit { need: u32, max: u32 },
    #[error(
        "the run has more than {steps} steps, what the largest circuit (k = {max}) holds: stopped there; shorten the run"
    )]
    TooManySteps { steps: u64, max: u32 },
    #[error("internal error (a zkwasm bug): {0}")]
    Internal(String),
    #[error(
        "the run breaks the circuit's constraints at k = {k} (a zkwasm bug: please report it with the program and inputs): {first}{}",
        if *more > 0 { format!(" (and {more} more)") } else { String::new() }
    )]
    ConstraintsFailed { k: u32, first: String, more: usize },
    #[error("cannot be proved yet: {0}")]
    Unsupported(String),
    #[error("bad file: {0}")]
    Format(String),
    #[error("{what} is for program {found} at k = {found_k}, the key is for program {expected} at k = {expected_k}")]
    ProgramMismatch {
        what: &'static str,
        expected: ProgramId,
        expected_k: u32,
        found: ProgramId,
        found_k: u32,
    },
    #[error("the parameters are not the ones the key was made with ({0})")]
    ParamsMismatch(String),
    #[error("invalid proof: the proof does not verify against the key and its instances")]
    Invalid,
    #[error("cancelled before the {0} stage")]
    Cancelled(Stage),
}

/// Proofs are made and checked with the parameters the keys were made with, and nothing else.
fn check_params(params: &Params, k: u32, made_with: &[u8; 32]) -> Result<(), Error> {
    if params.k() != k {
        return Err(Error::ParamsMismatch(format!(
            "they are for k = {}, the key for k = {k}",
            params.k()
        )));
    }
    if params::fingerprint(params) != *made_with {
        return Err(Error::ParamsMismatch("another setup".into()));
    }
    Ok(())
}

/// Runs the program on `inputs` and proves the run.
pub fn prove(
    params: &Params,
    pk: &ProvingKey,
    program: &Program,
    inputs: &Inputs,
) -> Result<Proof, Error> {
    prove_with(params, pk, program, inputs, &Control::default())
}

/// [`prove`] with progress reports and cancellation.
pub fn prove_with(
    params: &Params,
    pk: &ProvingKey,
    program: &Program,
    inputs: &Inputs,
    control: &Control,
) -> Result<Proof, Error> {
    check_params(params, pk.k, &pk.params)?;
    pk.check_program(program)?;
    let (summary, tables) = program::provable_run(program, inputs, control)?;
    if summary.min_k > pk.k {
        return Err(Error::TooLong {
            need: summary.min_k,
            k: pk.k,
            what: "the run",
        });
    }
    let instances = summary.outcome.instances;
    control.stage(Stage::Proof, || {
        let circuit = VmCircuit::new(pk.k, tables);
        let columns = circuit.instances();
        let columns: Vec<&[Fr]> = columns.iter().map(|v| &v[..]).collect();
        let mut transcript = Blake2bWrite::<_, G1Affine, Challenge255<_>>::init(vec![]);
        create_proof::<
            KZGCommitmentScheme<Bn256>,
            ProverSHPLONK<'_, Bn256>,
            Challenge255<G1Affine>,
            _,
            _,
            _,
        >(
            params,
            &pk.pk,
            &[circuit],
            &[&columns],
            rand::rngs::OsRng,
            &mut transcript,
        )
        .map_err(|e| Error::Internal(format!("proving: {e:?}")))?;
        Ok(Proof {
            program_id: pk.program_id,
            k: pk.k,
            instances,
            bytes: transcript.finalize(),
        })
    })
}

/// Checks a proof against a verifying key; returns its public instances. The transcript must
/// end where the verifier stops reading: bytes after it are refused (`Error::Format`).
pub fn verify(params: &Params, vk: &VerifyingKey, proof: &Proof) -> Result<Vec<u64>, Error> {
    vk.check_label(proof)?;
    check_params(params, vk.k, &vk.params)?;
    // Row 0 must be the number of values: values past it would go unchecked.
    let columns = zkwasm_circuits::vm::instance_columns(&proof.instances);
    let columns: Vec<&[Fr]> = columns.iter().map(|c| c.as_slice()).collect();
    // Read through `rest`, so that what the verifier leaves unread shows: bytes after the
    // transcript would give one proof endless encodings.
    let mut rest = &proof.bytes[..];
    let mut transcript = Blake2bRead::<_, G1Affine, Challenge255<_>>::init(&mut rest);
    verify_proof::<
        KZGCommitmentScheme<Bn256>,
        VerifierSHPLONK<'_, Bn256>,
        Challenge255<G1Affine>,
        _,
        _,
    >(
        params.verifier_params(),
        &vk.vk,
        SingleStrategy::new(params),
        &[&columns],
        &mut transcript,
    )
    .map_err(|_| Error::Invalid)?;
    match rest.len() {
        0 => Ok(proof.instances.clone()),
        1 => Err(Error::Format("1 byte after the proof's transcript".into())),
        n => Err(Error::Format(format!(
            "{n} bytes after the proof's transcript"
        ))),
    }
}
