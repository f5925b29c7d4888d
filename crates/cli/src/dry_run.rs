//! `dry-run`: runs the program and prints its instances, outputs, results and step count.

use crate::args::ProgramArgs;
use crate::exit::Exit;
use clap::Args;
use serde_json::json;
use zkwasm_tracer::Outcome;

#[derive(Args, Debug)]
#[command(after_help = crate::args::after_help())]
pub struct DryRunArgs {
    #[command(flatten)]
    pub program: ProgramArgs,

    /// Print one JSON object on stdout: {"ok", "entry", "instances", "outputs", "results",
    /// "steps"}, or {"ok": false, "error": {"kind", "message", "exit_code", ...}} on failure.
    /// Values are unsigned 64-bit decimal integers.
    #[arg(long, help_heading = "Output")]
    pub json: bool,
}

pub fn run(args: &DryRunArgs) -> Exit {
    let result = args
        .program
        .load()
        .and_then(|p| Ok(zkwasm_tracer::dry_run(&p.image, &p.inputs, &p.limits)?));
    match result {
        Ok(outcome) => {
            if args.json {
                println!("{}", success_json(&args.program.entry, &outcome));
            } else {
                print!("{}", human(&outcome));
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

fn success_json(entry: &str, o: &Outcome) -> serde_json::Value {
    json!({
        "ok": true,
        "entry": entry,
        "instances": o.instances,
        "outputs": o.outputs,
        "results": o.results,
        "steps": o.steps,
    })
}

fn list(values: &[u64]) -> String {
    let items: Vec<String> = values.iter().map(u64::to_string).collect();
    format!("[{}]", items.join(", "))
}

fn human(o: &Outcome) -> String {
    format!(
        "instances: {}\noutputs:   {}\nresults:   {}\nsteps:     {}\n",
        list(&o.instances),
        list(&o.outputs),
        list(&o.results),
        o.steps
    )
}
