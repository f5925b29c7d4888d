//! `dry-run`: runs the program and prints its instances, outputs, results and step count.

use crate::args::ProgramArgs;
use crate::exit::Exit;
use crate::exit::Failure;
use clap::Args;
use serde_json::json;
use zkwasm_tables::{Usage, MAX_K};
use zkwasm_tracer::Outcome;

#[derive(Args, Debug)]
#[command(after_help = crate::args::after_help())]
pub struct DryRunArgs {
    #[command(flatten)]
    pub program: ProgramArgs,

    /// Print one JSON object on stdout: {"ok", "entry", "instances", "outputs", "results",
    /// "steps", "rows": {table: rows}, "k"}, or {"ok": false, "error": {"kind", "message",
    /// "exit_code", ...}} on failure. Values are unsigned 64-bit decimal integers.
    #[arg(long, help_heading = "Output")]
    pub json: bool,
}

pub fn run(args: &DryRunArgs) -> Exit {
    let result = args.program.load().and_then(|p| {
        let run = zkwasm_tracer::execute(&p.image, &p.inputs, &p.limits)?;
        let tables = zkwasm_tables::build(&p.image, &run.trace, &run.outcome.instances, &p.limits);
        zkwasm_tables::check(&tables).map_err(|v| Failure::internal(&v))?;
        Ok((run.outcome, tables.usage()))
    });
    match result {
        Ok((outcome, usage)) => {
            if args.json {
                println!("{}", success_json(&args.program.entry, &outcome, &usage));
            } else {
                print!("{}", human(&outcome, &usage));
            }
            Exit::Success
        }
        Err(failure) => {
            failure.report();
            if args.json {
                println!(
                    "{}",
                    json!({"ok": false, "entry": args.program.entry, "error": failure.to_json()})
                );
            }
            failure.exit
        }
    }
}

fn success_json(entry: &str, o: &Outcome, u: &Usage) -> serde_json::Value {
    json!({
        "ok": true,
        "entry": entry,
        "instances": o.instances,
        "outputs": o.outputs,
        "results": o.results,
        "steps": o.steps,
        "rows": u,
        "k": u.min_k(),
    })
}

/// The smallest circuit, with a warning when no supported circuit holds the run.
fn k_line(u: &Usage) -> String {
    let k = u.min_k();
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

fn human(o: &Outcome, u: &Usage) -> String {
    format!(
        "instances: {}\noutputs:   {}\nresults:   {}\nsteps:     {}\nrows:      etable {}, mtable {}, jtable {}, bit table {}, image {}, fixed {}\nmin k:     {}\n",
        list(&o.instances),
        list(&o.outputs),
        list(&o.results),
        o.steps,
        u.etable,
        u.mtable,
        u.jtable,
        u.bit_table,
        u.image,
        u.fixed,
        k_line(u)
    )
}
