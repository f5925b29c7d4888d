//! `verify`: checks a proof file against a verifying key.

use crate::exit::{Exit, Failure};
use crate::files::{self, OutDir};
use crate::out::{self, say};
use clap::Args;
use serde_json::json;
use std::path::PathBuf;
use zkwasm_prover::{Program, Proof, VerifyingKey};
use zkwasm_tracer::Limits;

#[derive(Args, Debug)]
#[command(after_help = crate::exit::EXIT_CODES_HELP)]
pub struct VerifyArgs {
    /// Directory of KZG parameters: the ones the keys were made with (`K{k}.params`, or a
    /// larger file to cut down). Never generated here.
    #[arg(long, value_name = "DIR", default_value = "params")]
    pub params: PathBuf,

    /// Directory holding vk.bin and proof.bin (as `prove` writes them).
    #[arg(long, value_name = "DIR", required_unless_present_all = ["proof", "vk"], conflicts_with_all = ["proof", "vk"])]
    pub output: Option<PathBuf>,

    /// The proof file.
    #[arg(long, value_name = "FILE", requires = "vk")]
    pub proof: Option<PathBuf>,

    /// The verifying key file.
    #[arg(long, value_name = "FILE", requires = "proof")]
    pub vk: Option<PathBuf>,

    /// Make the verifying key of this module (Wasm or WAT) with the parameters and require the
    /// received key to be exactly it: binds the proof to the module, not to the key's claim.
    #[arg(long, value_name = "FILE")]
    pub wasm: Option<PathBuf>,

    /// The module's entry export (with --wasm).
    #[arg(long, value_name = "NAME", default_value = "zkmain", requires = "wasm")]
    pub entry: String,

    /// Require the verifying key file to have this BLAKE2b-256 hash (hex, as `setup` prints it
    /// and program.json records it): the program id in a key file is only the key's claim.
    #[arg(long, value_name = "HEX", value_parser = hash_hex)]
    pub vk_hash: Option<String>,

    /// Print one JSON object on stdout: {"valid": true, "program_id", "k", "vk_hash",
    /// "instances"}, or {"valid": false, "error": {"kind", "message", "exit_code"}}.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &VerifyArgs) -> Exit {
    match verify(args) {
        Ok((proof, vk_hash)) => out::done(if args.json {
            say!(
                "{}",
                json!({"valid": true, "program_id": proof.program_id.to_string(), "k": proof.k, "vk_hash": vk_hash, "instances": proof.instances})
            )
        } else {
            say!(
                "valid proof of program {} (k = {})\nvk hash:   {vk_hash}\ninstances: {:?}",
                proof.program_id,
                proof.k,
                proof.instances
            )
        }),
        Err(f) => {
            f.report();
            if args.json {
                // The rejection sets the exit code, whether or not this gets out.
                let _ = say!("{}", json!({"valid": false, "error": f.to_json()}));
            }
            f.exit
        }
    }
}

/// A `--vk-hash`: 64 hex digits (a usage error otherwise, not a rejected proof).
fn hash_hex(s: &str) -> Result<String, String> {
    if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(s.to_string())
    } else {
        Err("expected 64 hex digits (a BLAKE2b-256 hash, as `setup` prints it)".into())
    }
}

/// The proof and the hash of the key it verified against.
fn verify(args: &VerifyArgs) -> Result<(Proof, String), Failure> {
    let (proof_path, vk_path) = match (&args.output, &args.proof, &args.vk) {
        (Some(dir), _, _) => {
            let out = OutDir(dir.clone());
            (out.proof(), out.vk())
        }
        (None, Some(proof), Some(vk)) => (proof.clone(), vk.clone()),
        _ => unreachable!("clap requires --output or both --proof and --vk"),
    };
    let vk = files::read_key("verifying key", &vk_path, VerifyingKey::from_bytes)?;
    let vk_hash = files::hex(&vk.hash());
    if let Some(want) = &args.vk_hash {
        if !want.eq_ignore_ascii_case(&vk_hash) {
            return Err(Failure::rejected_key(&vk_hash, want));
        }
    }
    let proof =
        Proof::from_bytes(&files::read("proof", &proof_path)?).map_err(Failure::rejected)?;
    // A proof of another program or size is refused before parameters are even read.
    vk.check_label(&proof).map_err(Failure::rejected)?;
    let (params, _) = zkwasm_prover::read_params(&args.params, vk.k)?;
    if let Some(wasm) = &args.wasm {
        let bytes = std::fs::read(wasm).map_err(|e| Failure::read_module(wasm, &e))?;
        let program = Program::load(&bytes, &args.entry, Limits::default())?;
        let expected = zkwasm_prover::verifying_key(&params, &program)?;
        if expected.to_bytes() != vk.to_bytes() {
            return Err(Failure::rejected_key(
                &vk_hash,
                &format!(
                    "{} (the key `{}` makes)",
                    files::hex(&expected.hash()),
                    wasm.display()
                ),
            ));
        }
    }
    zkwasm_prover::verify(&params, &vk, &proof).map_err(Failure::rejected)?;
    Ok((proof, vk_hash))
}
