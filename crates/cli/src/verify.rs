//! `verify`: checks a proof file against a verifying key.

use crate::exit::{Exit, Failure};
use crate::files::{self, OutDir};
use clap::Args;
use serde_json::json;
use std::path::PathBuf;
use zkwasm_prover::{Proof, VerifyingKey};

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

    /// Print one JSON object on stdout: {"valid": true, "program_id", "k", "instances"}, or
    /// {"valid": false, "error": {"kind", "message", "exit_code"}}.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &VerifyArgs) -> Exit {
    match verify(args) {
        Ok(proof) => {
            if args.json {
                println!(
                    "{}",
                    json!({"valid": true, "program_id": proof.program_id.to_string(), "k": proof.k, "instances": proof.instances})
                );
            } else {
                println!(
                    "valid proof of program {} (k = {})",
                    proof.program_id, proof.k
                );
                println!("instances: {:?}", proof.instances);
            }
            Exit::Success
        }
        Err(f) => {
            f.report();
            if args.json {
                println!("{}", json!({"valid": false, "error": f.to_json()}));
            }
            f.exit
        }
    }
}

fn verify(args: &VerifyArgs) -> Result<Proof, Failure> {
    let (proof_path, vk_path) = match (&args.output, &args.proof, &args.vk) {
        (Some(dir), _, _) => {
            let out = OutDir(dir.clone());
            (out.proof(), out.vk())
        }
        (None, Some(proof), Some(vk)) => (proof.clone(), vk.clone()),
        _ => unreachable!("clap requires --output or both --proof and --vk"),
    };
    let vk = VerifyingKey::from_bytes(&files::read("verifying key", &vk_path)?)?;
    let proof =
        Proof::from_bytes(&files::read("proof", &proof_path)?).map_err(Failure::rejected)?;
    let (params, _) = zkwasm_prover::read_params(&args.params, vk.k)?;
    zkwasm_prover::verify(&params, &vk, &proof).map_err(Failure::rejected)?;
    Ok(proof)
}
