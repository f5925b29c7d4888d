//! Arguments shared by the commands that run a program: the module, its entry, inputs and
//! limits, and the loading steps behind them.

use crate::exit::Failure;
use clap::Args;
use std::path::PathBuf;
use zkwasm_tracer::{Inputs, Limits};

const INPUT_HELP: &str = "Input syntax (repeat the flag or separate items with commas):
  N:i64              one value: decimal (negative = two's complement) or 0x hex; a bare N means N:i64
  0x..:bytes         one value per byte
  0x..:bytes-packed  8 bytes little-endian per value, last chunk zero-padded
  PATH:file          file content, 8 bytes big-endian per value, last chunk zero-padded";

/// The program to run and its inputs.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Program")]
pub struct ProgramArgs {
    /// The module to run: a Wasm binary or WAT text.
    #[arg(long, value_name = "FILE")]
    pub wasm: PathBuf,

    /// Public input(s), read by `wasm_input(1)` and appended to the instances. See the input
    /// syntax below.
    #[arg(long, value_name = "V", allow_hyphen_values = true)]
    pub public: Vec<String>,

    /// Private input(s), read by `wasm_input(0)`. Same syntax as --public.
    #[arg(long, value_name = "V", allow_hyphen_values = true)]
    pub private: Vec<String>,

    /// The exported function to run; it takes no parameters.
    #[arg(long, value_name = "NAME", default_value = "zkmain")]
    pub entry: String,

    /// Stop with an error after N executed instructions.
    #[arg(long, value_name = "N", visible_alias = "limit")]
    pub max_steps: Option<u64>,
}

/// `after_help` of the commands taking [`ProgramArgs`].
pub fn after_help() -> String {
    format!("{INPUT_HELP}\n\n{}", crate::exit::EXIT_CODES_HELP)
}

/// A loaded program with its inputs, ready to run or prove.
pub struct Program {
    pub program: zkwasm_prover::Program,
    pub inputs: Inputs,
}

impl ProgramArgs {
    pub fn limits(&self) -> Limits {
        let mut limits = Limits::default();
        if let Some(n) = self.max_steps {
            limits.max_steps = n;
        }
        limits
    }

    /// Parses the inputs (exit 2 on bad syntax), then reads and loads the module (exit 3).
    pub fn load(&self) -> Result<Program, Failure> {
        let inputs = Inputs::parse(&self.public, &self.private)?;
        let limits = self.limits();
        let bytes = std::fs::read(&self.wasm).map_err(|e| Failure::read_module(&self.wasm, &e))?;
        let image = zkwasm_tracer::load(&bytes, &limits)?.image(&self.entry)?;
        Ok(Program {
            program: zkwasm_prover::Program { image, limits },
            inputs,
        })
    }
}

/// Where KZG parameters live.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Parameters")]
pub struct ParamsArgs {
    /// Directory of KZG parameters `K{k}.params` (the format halo2 writes). A missing size is
    /// cut down from a larger file there; `setup` and `prove` generate development
    /// parameters when there is none (NOT a trusted setup, and said so).
    #[arg(long, value_name = "DIR", default_value = "params")]
    pub params: PathBuf,
}
