//! `dry-run`: runs the program and prints its instances, outputs, results and step count.

use crate::args::ProgramArgs;
use crate::exit::Exit;
use crate::out::{self, say};
use clap::Args;
use serde_json::json;
use zkwasm_prover::Execution;
use zkwasm_tables::MAX_K;

#[derive(Args, Debug)]
#[command(after_help = crate::args::after_help())]
pub struct DryRunArgs {
    #[command(flatten)]
    pub program: ProgramArgs,

    /// Print one JSON object on stdout: {"ok", "entry", "instances", "outputs", "results",
    /// "steps", "rows": {table: rows}, "k", "provable", "unprovable": {"step", "instruction"} or
    /// null}, or {"ok": false, "error": {"kind", "message",
    /// "exit_code", ...}} on failure. Values are unsigned 64-bit decimal integers.
    #[arg(long, help_heading = "Output")]
    pub json: bool,
}

pub fn run(args: &DryRunArgs) -> Exit {
    let result = args
        .program
        .load()
        .and_then(|p| Ok(zkwasm_prover::execute(&p.program, &p.inputs)?));
    match result {
        Ok(run) => out::done(if args.json {
            say!("{}", success_json(&args.program.entry, &run))
        } else {
            out::stdout(format_args!("{}", human(&run)))
        }),
        Err(failure) => {
            failure.report();
            if args.json {
                // The run's failure sets the exit code, whether or not this gets out.
                let _ = say!(
                    "{}",
                    json!({"ok": false, "entry": args.program.entry, "error": failure.to_json()})
                );
            }
            failure.exit
        }
    }
}

fn success_json(entry: &str, run: &Execution) -> serde_json::Value {
    let (o, u) = (&run.outcome, &run.usage);
    json!({
        "ok": true,
        "entry": entry,
        "instances": o.instances,
        "outputs": o.outputs,
        "results": o.results,
        "steps": o.steps,
        "rows": u,
        "k": run.min_k,
        "provable": obstacle(run).is_none(),
        "unprovable": obstacle(run).map(|(_, detail)| detail),
    })
}

/// Why the run cannot be proved, in words and as JSON: its length when no supported circuit
/// holds it (until runs can be split into segments), or its first step the circuit cannot
/// prove (none in a completed run unless an invariant of the compiler is broken).
fn obstacle(run: &Execution) -> Option<(String, serde_json::Value)> {
    match (&run.unprovable, run.min_k) {
        (Some((step, instr)), _) => Some((
            format!("step {step} runs `{instr}`, which the circuit cannot prove (a zkwasm bug: please report it)"),
            json!({"step": step, "instruction": instr}),
        )),
        (None, k) if k > MAX_K => Some((
            format!("the run needs k = {k}, above the largest supported k = {MAX_K}"),
            json!({"need_k": k, "max_k": MAX_K}),
        )),
        (None, _) => None,
    }
}

/// The smallest circuit, with a warning when no supported circuit holds the run.
fn k_line(k: u32) -> String {
    if k > MAX_K {
        format!("{k} (above the largest supported k = {MAX_K}: the run is too long to prove in one circuit)")
    } else {
        k.to_string()
    }
}

fn list(values: &[u64]) -> String {
    let items: Vec<String> = values.iter().map(u64::to_string).collect();
    format!("[{}]", items.join(", "))
}

fn human(run: &Execution) -> String {
    let (o, u) = (&run.outcome, &run.usage);
    let provable = obstacle(run).map_or("yes".to_string(), |(why, _)| format!("no ({why})"));
    let results = if o.results.is_empty() {
        list(&o.results)
    } else {
        format!(
            "{} (returned by the entry: not part of a proof; output them with wasm_output to prove them)",
            list(&o.results)
        )
    };
    format!(
        "instances: {}\noutputs:   {}\nresults:   {}\nsteps:     {}\nrows:      etable {}, mtable {}, jtable {}, bit table {}, image {}, fixed {}\nmin k:     {}\nprovable:  {}\n",
        list(&o.instances),
        list(&o.outputs),
        results,
        o.steps,
        u.etable,
        u.mtable,
        u.jtable,
        u.bit_table,
        u.image,
        u.fixed,
        k_line(run.min_k),
        provable
    )
}
