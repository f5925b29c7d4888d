//! `prove`: runs the program and proves the run with the keys in the output directory (made
//! first when missing).

use crate::args::{ParamsArgs, ProgramArgs};
use crate::exit::{Exit, Failure};
use crate::files::{self, OutDir};
use crate::out::{note, say};
use crate::progress::Progress;
use crate::setup;
use clap::Args;
use serde_json::json;
use std::path::PathBuf;
use zkwasm_prover::ProvingKey;

#[derive(Args, Debug)]
#[command(after_help = crate::args::after_help())]
pub struct ProveArgs {
    #[command(flatten)]
    pub program: ProgramArgs,

    #[command(flatten)]
    pub params: ParamsArgs,

    /// Directory of the keys (made there by `setup` first when missing) and of the proof:
    /// proof.bin and instances.json are written there.
    #[arg(long, value_name = "DIR", required_unless_present = "mock")]
    pub output: Option<PathBuf>,

    /// Check the run against the circuit's constraints with halo2's MockProver at the run's
    /// smallest k instead of proving: no parameters, no keys, nothing written; the same
    /// circuit and witness as a proof. A broken constraint is named (exit 4: a zkwasm bug).
    #[arg(long, conflicts_with = "output")]
    pub mock: bool,
}

pub fn run(args: &ProveArgs) -> Exit {
    match prove(args) {
        Ok(()) => Exit::Success,
        Err(f) => {
            f.report();
            f.exit
        }
    }
}

/// `--mock`: the run checked under MockProver; its k, steps and instances on stdout.
fn mock(args: &ProveArgs) -> Result<(), Failure> {
    let program = args.program.load()?;
    let progress = Progress::default();
    let run =
        zkwasm_prover::mock_prove_with(&program.program, &program.inputs, &progress.control())?;
    progress.summary("checked");
    say!(
        "k = {}: the run ({} steps) satisfies every constraint of the circuit (MockProver)",
        run.min_k,
        run.outcome.steps
    )?;
    say!("instances:  {:?}", run.outcome.instances)
}

fn prove(args: &ProveArgs) -> Result<(), Failure> {
    let Some(output) = &args.output else {
        return mock(args);
    };
    let program = args.program.load()?;
    let out = OutDir(output.clone());
    let _lock = out.lock()?;
    let (pk, params) = if out.pk().exists() {
        let pk = files::read_key("proving key", &out.pk(), ProvingKey::from_bytes)?;
        pk.check_program(&program.program).map_err(|e| {
            Failure::from(e).hint(&format!(
                "the keys in `{}` are another program's: choose another --output",
                out.0.display()
            ))
        })?;
        // Existing keys need the parameters they were made with: never generate others.
        let (params, _) = zkwasm_prover::read_params(&args.params.params, pk.k)?;
        (pk, params)
    } else {
        let k = setup::choose_k(&program)?;
        setup::make_keys(&program, &args.program, k, &args.params.params, &out)?
    };
    // The keys are this program's: an earlier run's proof goes aside before this run can fail.
    if let Some(aside) = out.retire_proof()? {
        note!("note: the previous proof is now `{}`", aside.display());
    }
    let progress = Progress::default();
    let proof = zkwasm_prover::prove_with(
        &params,
        &pk,
        &program.program,
        &program.inputs,
        &progress.control(),
    )
    .map_err(|e| match e {
        e @ zkwasm_prover::Error::TooLong { need, .. } => Failure::from(e).hint(&format!(
            "make keys of that size with `zkwasm-cli setup -k {need}` into another --output"
        )),
        e => Failure::from(e),
    })?;
    progress.summary("proved");
    let file = proof.to_bytes();
    files::write_proof(&out.proof(), &file)?;
    files::write_json(
        &out.instances(),
        &json!({
            "program_id": proof.program_id.to_string(),
            "k": proof.k,
            "instances": proof.instances,
        }),
    )?;
    say!("program id: {}", proof.program_id)?;
    say!("instances:  {:?}", proof.instances)?;
    say!(
        "proof:      {} ({} bytes)",
        out.proof().display(),
        file.len()
    )
}
