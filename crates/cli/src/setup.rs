//! `setup`: keys for a program at one circuit size, written with a description of the program.

use crate::args::{ParamsArgs, Program, ProgramArgs};
use crate::exit::{Exit, Failure};
use crate::files::{self, OutDir};
use crate::out::{note, say};
use crate::progress::Progress;
use clap::Args;
use serde_json::json;
use std::path::{Path, PathBuf};
use zkwasm_prover::{Origin, Params, ProvingKey};
use zkwasm_tables::{MAX_K, MIN_K};

#[derive(Args, Debug)]
#[command(after_help = crate::args::after_help())]
pub struct SetupArgs {
    #[command(flatten)]
    pub program: ProgramArgs,

    /// Circuit size: 2^K rows. Without it, the smallest that holds a dry run with the inputs
    /// given, or 18 when that run fails.
    #[arg(short, long, value_name = "K", value_parser = clap::value_parser!(u32).range(MIN_K as i64..=MAX_K as i64))]
    pub k: Option<u32>,

    #[command(flatten)]
    pub params: ParamsArgs,

    /// Directory for vk.bin, pk.bin and program.json.
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub output: PathBuf,

    /// Replace the keys of another program in --output (and delete its proof).
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: &SetupArgs) -> Exit {
    let result = args.program.load().and_then(|program| {
        let k = match args.k {
            Some(k) => fits(&program, k)?,
            None => choose_k(&program).map_err(|f| {
                f.hint("setup chooses k by a dry run on the inputs: give a representative run's inputs, or the size with -k")
            })?,
        };
        let out = OutDir(args.output.clone());
        let _lock = out.lock()?;
        if !args.force {
            out.refuse_foreign_keys(&program.program)?;
        }
        let (pk, _) = make_keys(&program, &args.program, k, &args.params.params, &out)?;
        say!("program id: {}", pk.program_id)?;
        say!("k:          {k}")?;
        say!("vk hash:    {}", files::hex(&pk.verifying_key().hash()))?;
        say!("keys:       {}", out.0.display())?;
        Ok(())
    });
    match result {
        Ok(()) => Exit::Success,
        Err(f) => {
            f.report();
            f.exit
        }
    }
}

/// The smallest k that holds a dry run of the program on its inputs, or the run's error.
pub fn choose_k(program: &Program) -> Result<u32, Failure> {
    let run = zkwasm_prover::execute(&program.program, &program.inputs)?;
    if let Some(e) = run.obstacle() {
        return Err(Failure::from(e));
    }
    let k = run.min_k.max(MIN_K);
    note!(
        "k = {k}: the smallest circuit that holds the run ({} steps)",
        run.outcome.steps
    );
    Ok(k)
}

/// `k`, checked against a dry run on the inputs when there are any: keys too small for the
/// run they were made for are refused here, not at `prove`. (Keys need no inputs: without
/// any, or when the run fails, `k` is taken as given.)
fn fits(program: &Program, k: u32) -> Result<u32, Failure> {
    let inputs = &program.inputs;
    if inputs.public.is_empty() && inputs.private.is_empty() {
        return Ok(k);
    }
    match zkwasm_prover::execute(&program.program, inputs) {
        Ok(run) if run.min_k > k => Err(Failure::from(zkwasm_prover::Error::TooLong {
            need: run.min_k,
            k,
            what: "the run on these inputs",
        })
        .hint(&format!("give -k {} (or more)", run.min_k))),
        Ok(_) => Ok(k),
        Err(e) => {
            note!("note: the dry run on these inputs failed ({e}); keys made for k = {k} as asked");
            Ok(k)
        }
    }
}

/// Parameters for `k` from `dir`, with a warning when they are generated here.
pub fn params(dir: &Path, k: u32) -> Result<Params, Failure> {
    let (params, origin) = zkwasm_prover::load_params(dir, k)?;
    match origin {
        Origin::Generated(path) => note!(
            "warning: generated development parameters {}: NOT from a trusted setup; proofs made with them convince only those who trust this machine (put ceremony parameters in {} for production)",
            path.display(),
            dir.display()
        ),
        Origin::Downsized { from, .. } => {
            note!("note: parameters for k = {k} cut down from {}", from.display())
        }
        Origin::Read(_) => {}
    }
    Ok(params)
}

/// Makes the keys of `program` at `k` and writes vk.bin, pk.bin and program.json into `out`;
/// returns the proving key and the parameters it was made with.
pub fn make_keys(
    program: &Program,
    args: &ProgramArgs,
    k: u32,
    params_dir: &Path,
    out: &OutDir,
) -> Result<(ProvingKey, Params), Failure> {
    out.create()?;
    let params = params(params_dir, k)?;
    let progress = Progress::default();
    let (pk, vk) = zkwasm_prover::setup_with(&params, &program.program, &progress.control())?;
    progress.summary("keys made");
    // A proof left from earlier keys would not verify against these.
    files::remove(&out.proof())?;
    files::remove(&out.instances())?;
    let description = json!({
        "program_id": pk.program_id.to_string(),
        "k": k,
        "circuit_version": zkwasm_prover::CIRCUIT_VERSION,
        "file_format_version": zkwasm_prover::FORMAT_VERSION,
        "wasm": args.wasm.display().to_string(),
        "entry": args.entry,
        "limits": program.program.limits,
        "vk": "vk.bin",
        "vk_blake2b": files::hex(&vk.hash()),
        "pk": "pk.bin",
        "params": params_dir.join(format!("K{k}.params")).display().to_string(),
    });
    files::write_json(&out.program(), &description)?;
    files::write(&out.vk(), &vk.to_bytes())?;
    // Last: `prove` takes the directory's keys as complete once pk.bin is there.
    files::write(&out.pk(), &pk.to_bytes())?;
    Ok((pk, params))
}
