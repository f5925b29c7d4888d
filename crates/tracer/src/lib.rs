//! zkwasm tracer: loads a WebAssembly program, compiles it to a flat stack ISA and runs it on a
//! tracing interpreter, producing the image (what the circuit commits to) and the execution
//! trace (what the circuit proves).
//!
//! ```
//! use zkwasm_tracer::{load, Inputs, Limits};
//! let wat = r#"(module
//!   (import "env" "wasm_input" (func $in (param i32) (result i64)))
//!   (import "env" "wasm_output" (func $out (param i64)))
//!   (func (export "zkmain") (call $out (i64.mul (call $in (i32.const 1)) (i64.const 2)))))"#;
//! let limits = Limits::default();
//! let image = load(wat.as_bytes(), &limits)?.image("zkmain")?;
//! let run = zkwasm_tracer::execute(&image, &Inputs { public: vec![21], private: vec![] }, &limits)?;
//! assert_eq!(run.outcome.instances, vec![21, 42]);
//! assert_eq!(run.trace.steps.len() as u64, run.outcome.steps);
//! # Ok::<(), zkwasm_tracer::Error>(())
//! ```

pub mod alu;
pub mod compile;
pub mod error;
pub mod image;
pub mod inputs;
pub mod interp;
pub mod isa;
pub mod oracle;
pub mod trace;

pub use error::{Error, InputKind, Limit, Location, Result, TrapKind};
pub use image::{Image, Module};
pub use inputs::Inputs;
pub use interp::{Instance, Outcome};
pub use isa::{Instr, ValTy};
pub use trace::{Frame, MemEvent, NullSink, Sink, Step, Trace};

/// Bytes in a Wasm page.
pub const PAGE_SIZE: usize = 65536;

/// Deterministic resource limits. Exceeding one stops the run with
/// [`Error::LimitExceeded`], except memory, where `memory.grow` past the limit returns -1 as the
/// spec allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Limits {
    /// Executed instructions (those of the bulk-memory helpers included).
    pub max_steps: u64,
    /// Value stack slots (locals and operands of all frames).
    pub max_stack: u32,
    /// Nested calls.
    pub max_call_depth: u32,
    /// Linear memory pages of 64 KiB.
    pub max_pages: u32,
    /// Table 0 elements.
    pub max_table: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_steps: 50_000_000,
            max_stack: 1 << 20,
            max_call_depth: 16_384,
            max_pages: 1024,
            max_table: 1 << 20,
        }
    }
}

/// Loads a module from a Wasm binary or WAT text: validates it with wasmi and compiles it.
pub fn load(bytes: &[u8], limits: &Limits) -> Result<Module> {
    compile::load(bytes, limits)
}

/// A finished run with its whole trace.
#[derive(Debug)]
pub struct Execution {
    pub trace: Trace,
    pub outcome: Outcome,
}

/// Runs an image from its fresh initial state and keeps the trace in memory.
pub fn execute(image: &Image, inputs: &Inputs, limits: &Limits) -> Result<Execution> {
    let mut trace = Trace::default();
    let outcome = run_with(image, inputs, limits, &mut trace)?;
    Ok(Execution { trace, outcome })
}

/// Runs an image from its fresh initial state without keeping a trace.
pub fn dry_run(image: &Image, inputs: &Inputs, limits: &Limits) -> Result<Outcome> {
    run_with(image, inputs, limits, &mut NullSink)
}

/// Runs an image from its fresh initial state, streaming the trace into `sink`.
pub fn run_with<S: Sink>(
    image: &Image,
    inputs: &Inputs,
    limits: &Limits,
    sink: &mut S,
) -> Result<Outcome> {
    Instance::new(&image.module, *limits).run(&image.entry, inputs, sink)
}
