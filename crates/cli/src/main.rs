//! `zkwasm-cli`: runs and traces WebAssembly programs for the zkwasm prover.
//!
//! Each subcommand lives in its own module; [`exit`] maps failures to the stable exit codes.

mod args;
mod dry_run;
mod exit;
mod files;
mod out;
mod progress;
mod prove;
mod setup;
mod trace;
mod verify;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Zero-knowledge VM for WebAssembly: run, trace and prove programs, and verify proofs.
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
    /// Make the proving and verifying keys of a program (they bind its image) at one size.
    Setup(setup::SetupArgs),
    /// Run a program and prove the run (making the keys first when missing).
    Prove(prove::ProveArgs),
    /// Check a proof against a verifying key; print its public instances.
    Verify(verify::VerifyArgs),
}

fn main() -> ExitCode {
    // Like other Unix tools, end quietly when the reader of stdout goes away (`| head`)
    // instead of panicking in `println!`.
    #[cfg(unix)]
    // SAFETY: restoring a signal's default disposition at start-up, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // Clap exits with 2 on usage errors and 0 for --help/--version.
    let cli = Cli::parse();
    let code = match cli.command {
        Command::DryRun(args) => dry_run::run(&args),
        Command::Trace(args) => trace::run(&args),
        Command::Setup(args) => setup::run(&args),
        Command::Prove(args) => prove::run(&args),
        Command::Verify(args) => verify::run(&args),
    };
    ExitCode::from(out::exit_code(code) as u8)
}
