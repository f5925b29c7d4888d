//! zkwasm proving: KZG parameters (read from a directory, or generated for development),
//! keys bound to one program and circuit size, proofs, and the proof file format.
//!
//! ```no_run
//! use zkwasm_prover::{load_params, prove, setup, verify};
//! use zkwasm_tracer::{load, Inputs, Limits};
//! let limits = Limits::default();
//! let image = load(&std::fs::read("prog.wasm")?, &limits)?.image("zkmain")?;
//! let (params, _generated) = load_params(std::path::Path::new("params"), 12)?;
//! let keys = setup(&params, &image, &limits)?;
//! let proof = prove(&params, &keys, &image, &Inputs { public: vec![2], private: vec![] }, &limits)?;
//! let instances = verify(&params, &keys, &proof)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod proof;

pub use proof::{Proof, FORMAT_VERSION};

use halo2_proofs::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_proofs::plonk::{
    create_proof, keygen_pk, keygen_vk_custom, verify_proof, Circuit, ProvingKey, VerifyingKey,
};
use halo2_proofs::poly::commitment::{Params, ParamsProver};
use halo2_proofs::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_proofs::poly::kzg::multiopen::{ProverSHPLONK, VerifierSHPLONK};
use halo2_proofs::poly::kzg::strategy::SingleStrategy;
use halo2_proofs::transcript::{
    Blake2bRead, Blake2bWrite, Challenge255, TranscriptReadBuffer, TranscriptWriterBuffer,
};
use std::path::Path;
use thiserror::Error;
use zkwasm_circuits::vm::VmCircuit;
use zkwasm_tables::Tables;
use zkwasm_tracer::{Image, Inputs, Limits};

/// Changes whenever the circuit changes: part of every program id, so keys and proofs of
/// another circuit are refused.
pub const CIRCUIT_VERSION: u32 = 1;

#[derive(Debug, Error)]
pub enum Error {
    #[error("i/o on {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("corrupt parameters in {0}")]
    Params(String),
    #[error(transparent)]
    Tracer(#[from] zkwasm_tracer::Error),
    #[error("the run needs k = {need}, the keys are for k = {k}")]
    TooLong { need: u32, k: u32 },
    #[error("the run's tables break a rule (a zkwasm bug): {0}")]
    Internal(String),
    #[error("the run uses an instruction the circuit cannot prove yet: {0}")]
    Unsupported(String),
    #[error("bad proof file: {0}")]
    Format(String),
    #[error("the proof is for program {found}, these keys are for {expected}")]
    ProgramMismatch { expected: String, found: String },
    #[error("invalid proof")]
    Invalid,
}

/// Reads `K{k}.params` from `dir`, or generates development parameters there. Returns whether
/// they were generated: development parameters come from local randomness, not a trusted
/// setup, so proofs made with them convince only whoever trusts this machine.
pub fn load_params(dir: &Path, k: u32) -> Result<(ParamsKZG<Bn256>, bool), Error> {
    let path = dir.join(format!("K{k}.params"));
    let io = |source| Error::Io {
        path: path.display().to_string(),
        source,
    };
    if path.exists() {
        let bytes = std::fs::read(&path).map_err(io)?;
        // The backend allocates 2^k points from the file's first word before reading them:
        // check the header and the size first, so a corrupt file is an error, not an abort.
        let header = bytes
            .get(..4)
            .map(|h| u32::from_le_bytes(h.try_into().expect("4 bytes")));
        let corrupt = || {
            Error::Params(format!(
                "{}: not KZG parameters for k = {k}",
                path.display()
            ))
        };
        if header != Some(k) || (bytes.len() as u64) < (1u64 << k) * 128 {
            return Err(corrupt());
        }
        let params = ParamsKZG::<Bn256>::read(&mut &bytes[..]).map_err(|_| corrupt())?;
        return Ok((params, false));
    }
    let params = ParamsKZG::<Bn256>::setup(k, rand::rngs::OsRng);
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut bytes = vec![];
    params.write(&mut bytes).map_err(io)?;
    std::fs::write(&path, bytes).map_err(io)?;
    Ok((params, true))
}

/// Keys for one program at one circuit size.
pub struct Keys {
    pub k: u32,
    /// Hash of the image, the circuit version and `k`.
    pub program_id: [u8; 32],
    pk: ProvingKey<G1Affine>,
}

impl Keys {
    pub fn vk(&self) -> &VerifyingKey<G1Affine> {
        self.pk.get_vk()
    }

    pub fn program_id_hex(&self) -> String {
        hex(&self.program_id)
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The tables of an image without a run: what keys are made from.
fn image_only(image: &Image, limits: &Limits) -> Tables {
    Tables {
        image: zkwasm_tables::image_table(image, limits),
        etable: vec![],
        events: vec![],
        mtable: vec![],
        jtable: vec![],
        bit_table: vec![],
        instances: vec![],
    }
}

/// The program id: the image table's encoding, the circuit version and `k`, hashed.
pub fn program_id(image: &Image, limits: &Limits, k: u32) -> [u8; 32] {
    let table = zkwasm_tables::image_table(image, limits);
    let mut h = blake2b_simd::Params::new().hash_length(32).to_state();
    h.update(b"zkwasm program");
    h.update(&CIRCUIT_VERSION.to_le_bytes());
    h.update(&k.to_le_bytes());
    h.update(
        serde_json::to_string(&table)
            .expect("image tables serialize")
            .as_bytes(),
    );
    let mut id = [0u8; 32];
    id.copy_from_slice(h.finalize().as_bytes());
    id
}

/// Keys binding `image` at the parameters' size.
pub fn setup(params: &ParamsKZG<Bn256>, image: &Image, limits: &Limits) -> Result<Keys, Error> {
    let k = params.k();
    let circuit = VmCircuit::new(k, image_only(image, limits)).without_witnesses();
    let synth = |e: halo2_proofs::plonk::Error| Error::Internal(format!("key generation: {e:?}"));
    let vk = keygen_vk_custom(params, &circuit, true).map_err(synth)?;
    let pk = keygen_pk(params, vk, &circuit).map_err(synth)?;
    Ok(Keys {
        k,
        program_id: program_id(image, limits, k),
        pk,
    })
}

/// Runs the program on `inputs` and proves the run.
pub fn prove(
    params: &ParamsKZG<Bn256>,
    keys: &Keys,
    image: &Image,
    inputs: &Inputs,
    limits: &Limits,
) -> Result<Proof, Error> {
    let id = program_id(image, limits, keys.k);
    if id != keys.program_id {
        return Err(Error::ProgramMismatch {
            expected: keys.program_id_hex(),
            found: hex(&id),
        });
    }
    let run = zkwasm_tracer::execute(image, inputs, limits)?;
    let tables = zkwasm_tables::build(image, &run.trace, &run.outcome.instances, limits);
    zkwasm_tables::check(&tables).map_err(|v| Error::Internal(v.to_string()))?;
    let usage = tables.usage();
    if !usage.fits(keys.k) {
        return Err(Error::TooLong {
            need: usage.min_k(),
            k: keys.k,
        });
    }
    if let Some((i, instr)) = VmCircuit::first_unprovable(&tables) {
        return Err(Error::Unsupported(format!("step {} runs `{instr}`", i + 1)));
    }
    let circuit = VmCircuit::new(keys.k, tables);
    let instances = circuit.instances();
    let inst: Vec<&[Fr]> = instances.iter().map(|v| &v[..]).collect();
    let mut tw = Blake2bWrite::<_, G1Affine, Challenge255<_>>::init(vec![]);
    create_proof::<
        KZGCommitmentScheme<Bn256>,
        ProverSHPLONK<'_, Bn256>,
        Challenge255<G1Affine>,
        _,
        _,
        _,
    >(
        params,
        &keys.pk,
        &[circuit],
        &[&inst],
        rand::rngs::OsRng,
        &mut tw,
    )
    .map_err(|e| Error::Internal(format!("proving: {e:?}")))?;
    Ok(Proof {
        program_id: keys.program_id,
        k: keys.k,
        instances: run.outcome.instances,
        bytes: tw.finalize(),
    })
}

/// Checks a proof against the keys; returns its public instances.
pub fn verify(params: &ParamsKZG<Bn256>, keys: &Keys, proof: &Proof) -> Result<Vec<u64>, Error> {
    if proof.program_id != keys.program_id || proof.k != keys.k {
        return Err(Error::ProgramMismatch {
            expected: keys.program_id_hex(),
            found: hex(&proof.program_id),
        });
    }
    let values: Vec<Fr> = proof.instances.iter().map(|&v| Fr::from(v)).collect();
    // The count column must be the number of values: values past it would go unchecked.
    let count = [Fr::from(proof.instances.len() as u64)];
    let inst: [&[Fr]; 2] = [&values, &count];
    let mut tr = Blake2bRead::<_, G1Affine, Challenge255<_>>::init(&proof.bytes[..]);
    verify_proof::<
        KZGCommitmentScheme<Bn256>,
        VerifierSHPLONK<'_, Bn256>,
        Challenge255<G1Affine>,
        _,
        _,
    >(
        params.verifier_params(),
        keys.vk(),
        SingleStrategy::new(params),
        &[&inst],
        &mut tr,
    )
    .map_err(|_| Error::Invalid)?;
    Ok(proof.instances.clone())
}
