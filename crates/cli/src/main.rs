//! `zkwasm-cli`: runs and traces WebAssembly programs for the zkwasm prover.
//!
//! Each subcommand lives in its own module; [`exit`] maps failures to the stable exit codes.

mod args;
mod dry_run;
mod exit;
mod trace;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Zero-knowledge VM for WebAssembly: run and trace programs.
#[derive(Parser, Debug)]
#[command(name = "zkwasm-cli", version, about, after_help = exit::EXIT_CODES_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a program and print its instances, outputs, results and step count.
    DryRun(dry_run::DryRunArgs),
    /// Run a program and write its execution trace, one record per step (streamed).
    Trace(trace::TraceArgs),
}

fn main() -> ExitCode {
    // Clap exits with 2 on usage errors and 0 for --help/--version.
    let cli = Cli::parse();
    let code = match cli.command {
        Command::DryRun(args) => dry_run::run(&args),
        Command::Trace(args) => trace::run(&args),
    };
    ExitCode::from(code as u8)
}
