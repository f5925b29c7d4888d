//! The reference run: the same program on wasmi 2.0, to check the tracer against.
//!
//! The tracer re-implements Wasm execution (its own compiler and interpreter), so every result
//! it produces is only as good as its agreement with a spec-conformant engine. This module runs
//! a program on wasmi with the tracer's host ABI and limits, and reports what a run of the
//! tracer reports: results as `u64` bit patterns, the trap kind ([`TrapKind`]), the instances,
//! and the final exported memory and globals. Tests (spec suite, differential fuzzing, guest
//! programs) compare the two.
//!
//! Floats are enabled in wasmi: the tracer loads float code and refuses it only when it runs
//! ([`crate::Error::UnsupportedOpcode`]), so a comparison is meaningful exactly for the runs
//! where the tracer did not stop on an unsupported operator.
//!
//! The oracle never panics and never takes the process down: wasmi runs on a thread of its own
//! with a large stack (see `on_native_stack` for why), and a panic inside wasmi (a wasmi bug)
//! comes back as [`OracleError::WasmiPanic`].
//!
//! Host ABI (as in the tracer): `env.wasm_input(i32 is_public) -> i64` reads the next public
//! input when `is_public != 0`, else the next private one (a missing input is an error);
//! `env.wasm_output(i64)` appends to the instances; `env.require(i32)` fails on 0. The
//! instances are the public inputs read and the outputs written, in execution order.
//!
//! ```
//! use zkwasm_tracer::{oracle, Inputs, Limits};
//! let wat = r#"(module
//!   (import "env" "wasm_input" (func $in (param i32) (result i64)))
//!   (import "env" "wasm_output" (func $out (param i64)))
//!   (memory (export "memory") 1)
//!   (global $g (export "g") (mut i32) (i32.const 0))
//!   (func (export "zkmain") (result i32)
//!     (call $out (i64.mul (call $in (i32.const 1)) (i64.const 2)))
//!     (i32.store8 (i32.const 3) (i32.const 7))
//!     (global.set $g (i32.const -1))
//!     (i32.const 5)))"#;
//! let run = oracle::run_program(wat.as_bytes(), "zkmain", &Inputs { public: vec![21], private: vec![] }, &Limits::default());
//! assert_eq!(run.result, Ok(vec![5]));
//! assert_eq!(run.instances, vec![21, 42]);
//! assert_eq!(run.memory.as_deref().map(|m| m[3]), Some(7));
//! assert_eq!(run.globals["g"], 0xffff_ffff); // i32 zero-extended
//! ```

use crate::{InputKind, Inputs, Limits, TrapKind, PAGE_SIZE};
use std::collections::BTreeMap;
use std::fmt;
use wasmi::errors::ErrorKind;
use wasmi::{
    Caller, Config, Engine, Extern, Linker, Module, Nullable, Store, StoreLimits,
    StoreLimitsBuilder, Val, ValType,
};

/// Why a reference run (or part of it) did not produce results. The variants line up with the
/// tracer's [`crate::Error`] so that tests can compare outcomes, and separate real program
/// behaviour (traps, host failures) from resource limits (fuel, stack), which the two engines
/// count differently and which therefore only compare loosely.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OracleError {
    /// wasmi could not parse or validate the module (or the WAT text).
    #[error("invalid module: {0}")]
    Invalid(String),
    /// Linking or instantiation failed before the start function ran: unknown import, import
    /// of the wrong type, a segment that does not fit, memory or table over the limits.
    #[error("instantiation failed: {0}")]
    Instantiation(String),
    /// No exported function of that name.
    #[error("no exported function `{0}`")]
    MissingExport(String),
    /// Wrong number of arguments for the function's signature.
    #[error("bad arguments: {0}")]
    BadArguments(String),
    /// A Wasm trap the tracer also models, normalised to the tracer's kind.
    #[error("trap: {0}")]
    Trap(TrapKind),
    /// A trap the tracer has no kind for (e.g. float-to-int conversion: the tracer never runs
    /// float code).
    #[error("trap not modelled by the tracer: {0}")]
    OtherTrap(String),
    /// Call depth or value stack exhausted (a resource limit).
    #[error("call stack exhausted")]
    StackExhausted,
    /// The run used up its fuel: the bound on execution that stops runaway programs (a
    /// resource limit).
    #[error("out of fuel")]
    OutOfFuel,
    /// `wasm_input` asked for more inputs than were given; `index` is the number given.
    #[error("missing {kind} input #{index}")]
    MissingInput { kind: InputKind, index: usize },
    /// `require(0)`.
    #[error("require failed (condition was 0)")]
    RequireFailed,
    /// A result that has no `u64` form (a non-null reference or a vector).
    #[error("result cannot be represented as u64: {0}")]
    Unrepresentable(String),
    /// wasmi itself panicked (a wasmi bug, e.g. in its translator): caught, never propagated.
    #[error("wasmi panicked: {0}")]
    WasmiPanic(String),
    /// Anything else wasmi reported.
    #[error("{0}")]
    Other(String),
}

impl OracleError {
    /// The trap kind, when the program trapped with a kind the tracer models.
    pub fn trap(&self) -> Option<TrapKind> {
        match self {
            OracleError::Trap(kind) => Some(*kind),
            _ => None,
        }
    }

    /// A resource limit (fuel or stack) rather than program behaviour: the engines count
    /// these differently, so a run that hit one is not comparable.
    pub fn is_resource_limit(&self) -> bool {
        matches!(self, OracleError::StackExhausted | OracleError::OutOfFuel)
    }
}

/// A host function's failure, carried through wasmi as a host error and recovered by downcast.
#[derive(Debug)]
enum HostFailure {
    MissingInput { kind: InputKind, index: usize },
    RequireFailed,
}

impl fmt::Display for HostFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostFailure::MissingInput { kind, index } => write!(f, "missing {kind} input #{index}"),
            HostFailure::RequireFailed => f.write_str("require failed"),
        }
    }
}

impl wasmi::errors::HostError for HostFailure {}

/// The store's data: input cursors, what the program wrote, and the resource limiter.
struct Host {
    inputs: Inputs,
    next_public: usize,
    next_private: usize,
    instances: Vec<u64>,
    outputs: Vec<u64>,
    limits: StoreLimits,
}

impl Host {
    fn input(&mut self, is_public: i32) -> Result<i64, wasmi::Error> {
        let (kind, stream, next) = if is_public != 0 {
            (
                InputKind::Public,
                &self.inputs.public,
                &mut self.next_public,
            )
        } else {
            (
                InputKind::Private,
                &self.inputs.private,
                &mut self.next_private,
            )
        };
        let Some(&v) = stream.get(*next) else {
            return Err(wasmi::Error::host(HostFailure::MissingInput {
                kind,
                index: *next,
            }));
        };
        *next += 1;
        if kind == InputKind::Public {
            self.instances.push(v);
        }
        Ok(v as i64)
    }
}

/// Maps a wasmi error raised while Wasm code ran (a call or the start function).
fn runtime_error(e: &wasmi::Error) -> OracleError {
    if let Some(h) = e.downcast_ref::<HostFailure>() {
        return match h {
            HostFailure::MissingInput { kind, index } => OracleError::MissingInput {
                kind: *kind,
                index: *index,
            },
            HostFailure::RequireFailed => OracleError::RequireFailed,
        };
    }
    use wasmi::TrapCode as T;
    match e.as_trap_code() {
        Some(T::UnreachableCodeReached) => OracleError::Trap(TrapKind::Unreachable),
        Some(T::MemoryOutOfBounds) => OracleError::Trap(TrapKind::MemoryOutOfBounds),
        Some(T::TableOutOfBounds) => OracleError::Trap(TrapKind::TableOutOfBounds),
        Some(T::IndirectCallToNull) => OracleError::Trap(TrapKind::UninitializedElement),
        Some(T::IntegerDivisionByZero) => OracleError::Trap(TrapKind::IntegerDivideByZero),
        Some(T::IntegerOverflow) => OracleError::Trap(TrapKind::IntegerOverflow),
        Some(T::BadSignature) => OracleError::Trap(TrapKind::IndirectCallTypeMismatch),
        Some(T::StackOverflow) => OracleError::StackExhausted,
        Some(T::OutOfFuel) => OracleError::OutOfFuel,
        Some(other) => OracleError::OtherTrap(other.trap_message().to_string()),
        None => OracleError::Other(e.to_string()),
    }
}

/// Maps an error of `instantiate_and_start`: errors from running the start function are
/// runtime errors; everything else happened before any code ran.
fn instantiation_error(e: &wasmi::Error) -> OracleError {
    match e.kind() {
        ErrorKind::TrapCode(_) | ErrorKind::Host(_) | ErrorKind::Fuel(_) => runtime_error(e),
        _ if e.as_trap_code() == Some(wasmi::TrapCode::OutOfFuel) => OracleError::OutOfFuel,
        _ => OracleError::Instantiation(e.to_string()),
    }
}

/// A value as the tracer holds it: i32 zero-extended, floats as raw bits, null reference 0.
fn val_to_u64(v: &Val) -> Result<u64, OracleError> {
    match v {
        Val::I32(x) => Ok(*x as u32 as u64),
        Val::I64(x) => Ok(*x as u64),
        Val::F32(x) => Ok(x.to_bits() as u64),
        Val::F64(x) => Ok(x.to_bits()),
        Val::FuncRef(r) if r.is_null() => Ok(0),
        Val::ExternRef(r) if r.is_null() => Ok(0),
        other => Err(OracleError::Unrepresentable(format!("{other:?}"))),
    }
}

/// An argument from its bit pattern: i32 takes the low 32 bits (as the tracer's entry function
/// does); references can only be null (0).
fn u64_to_val(ty: ValType, v: u64) -> Result<Val, OracleError> {
    Ok(match ty {
        ValType::I32 => Val::I32(v as u32 as i32),
        ValType::I64 => Val::I64(v as i64),
        ValType::F32 => Val::F32(wasmi::F32::from_bits(v as u32)),
        ValType::F64 => Val::F64(wasmi::F64::from_bits(v)),
        ValType::FuncRef if v == 0 => Val::FuncRef(Nullable::Null),
        ValType::ExternRef if v == 0 => Val::ExternRef(Nullable::Null),
        other => {
            return Err(OracleError::BadArguments(format!(
                "no {other:?} argument from bits {v:#x}"
            )))
        }
    })
}

/// Native stack for wasmi executions (reserved, committed only as used).
const NATIVE_STACK: usize = 256 << 20;

/// Runs `f` (wasmi translating or executing) on a thread with a [`NATIVE_STACK`] stack, turning
/// a panic into [`OracleError::WasmiPanic`].
///
/// wasmi 2.0 dispatches instructions by tail calls that rely on LLVM's sibling-call
/// optimisation, and its `memory.grow`/`table.grow` handlers are never optimised that way
/// (wasmi-labs/wasmi#1946): every executed grow leaves a native frame (~200 bytes) until the
/// call returns. A loop of failing `memory.grow` overflows a 2 MiB test thread within about
/// 12,000 iterations and aborts the whole process. A large stack, with grows priced at
/// [`GROW_FUEL`] so that the fuel bounds their number, keeps every run inside it.
fn on_native_stack<R: Send>(f: impl FnOnce() -> R + Send) -> Result<R, OracleError> {
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .name("wasmi-oracle".into())
            .stack_size(NATIVE_STACK)
            .spawn_scoped(s, f)
            .map_err(|e| OracleError::Other(format!("cannot start the oracle thread: {e}")))?;
        handle.join().map_err(|p| {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            OracleError::WasmiPanic(msg)
        })
    })
}

/// Fuel charged per executed `memory.grow`/`table.grow` (the most an operator can cost): with
/// fuel `max_steps`, at most `max_steps / 255` grow frames pile up (the default 50M steps give
/// ~200k frames, ~40 MiB, within [`NATIVE_STACK`]).
const GROW_FUEL: u8 = u8::MAX;

/// The wasmi engine configured like the tracer: limits on call depth, value stack and (as
/// fuel) executed instructions. Eager compilation so that every function is translated (and
/// checked) at load, as the tracer compiles everything.
fn engine(limits: &Limits) -> Engine {
    let cost = wasmi::OperatorCost {
        memory_grow: GROW_FUEL,
        table_grow: GROW_FUEL,
        ..Default::default()
    };
    let mut cfg = Config::default();
    cfg.compilation_mode(wasmi::CompilationMode::Eager)
        .consume_fuel(true)
        .operator_cost(cost)
        .set_max_recursion_depth((limits.max_call_depth as usize).max(1))
        // wasmi counts bytes of 8-byte cells and keeps more cells per frame than the tracer
        // keeps slots; never below wasmi's minimum height (a lower max would panic).
        .set_max_stack_height((limits.max_stack as usize).saturating_mul(16).max(1 << 16));
    Engine::new(&cfg)
}

/// Parses, links and instantiates (running the start function). The store comes back even
/// when instantiation fails, so that the instances written before a failing start function
/// can still be read.
fn instantiate(
    bytes: &[u8],
    inputs: &Inputs,
    limits: &Limits,
) -> (Option<Store<Host>>, Result<wasmi::Instance, OracleError>) {
    let bin = match crate::compile::to_binary(bytes) {
        Ok(b) => b,
        Err(e) => return (None, Err(OracleError::Invalid(e.to_string()))),
    };
    let engine = engine(limits);
    // In a guarded thread: wasmi 2.0's eager translator can panic on valid modules.
    let module = match on_native_stack(|| Module::new(&engine, &bin[..])) {
        Ok(Ok(m)) => m,
        Ok(Err(e)) => return (None, Err(OracleError::Invalid(e.to_string()))),
        Err(e) => return (None, Err(e)),
    };
    let host = Host {
        inputs: inputs.clone(),
        next_public: 0,
        next_private: 0,
        instances: vec![],
        outputs: vec![],
        limits: StoreLimitsBuilder::new()
            .memory_size((limits.max_pages as usize).saturating_mul(PAGE_SIZE))
            .table_elements(limits.max_table as usize)
            .build(),
    };
    let mut store = Store::new(&engine, host);
    store.limiter(|h| &mut h.limits);
    let mut linker = Linker::<Host>::new(&engine);
    let defined = linker
        .func_wrap(
            "env",
            "wasm_input",
            |mut c: Caller<'_, Host>, is_public: i32| c.data_mut().input(is_public),
        )
        .and_then(|l| {
            l.func_wrap("env", "wasm_output", |mut c: Caller<'_, Host>, v: i64| {
                let h = c.data_mut();
                h.instances.push(v as u64);
                h.outputs.push(v as u64);
            })
        })
        .and_then(|l| {
            l.func_wrap(
                "env",
                "require",
                |_: Caller<'_, Host>, cond: i32| -> Result<(), wasmi::Error> {
                    if cond == 0 {
                        return Err(wasmi::Error::host(HostFailure::RequireFailed));
                    }
                    Ok(())
                },
            )
        });
    if let Err(e) = defined {
        return (Some(store), Err(OracleError::Other(e.to_string())));
    }
    if let Err(e) = store.set_fuel(limits.max_steps) {
        return (Some(store), Err(OracleError::Other(e.to_string())));
    }
    let instance = on_native_stack(|| linker.instantiate_and_start(&mut store, &module))
        .and_then(|r| r.map_err(|e| instantiation_error(&e)));
    (Some(store), instance)
}

/// A module instantiated on wasmi with the tracer's host ABI and limits, its start function
/// run. State (memory, globals, input cursors, instances) persists across calls, like runs on
/// one tracer [`crate::Instance`]; the inputs are one stream over the instance's life.
pub struct OracleInstance {
    store: Store<Host>,
    instance: wasmi::Instance,
    fuel: u64,
    /// Exported memories and globals by export name, in name order.
    memories: BTreeMap<String, wasmi::Memory>,
    globals: BTreeMap<String, wasmi::Global>,
}

impl OracleInstance {
    /// Parses (binary or WAT), validates, links and instantiates `bytes`, running the start
    /// function. A trap or host failure in the start function comes back as the run error it
    /// is (e.g. [`OracleError::Trap`]); failures before any code ran as
    /// [`OracleError::Invalid`] or [`OracleError::Instantiation`].
    ///
    /// Limits: `max_steps` is the fuel of the start function and of each call (wasmi charges at
    /// most 1 per executed Wasm operator, 0 for `block`, `loop`, `end`, `nop`, `drop`..., plus
    /// 1 per 64 bytes for bulk memory and 255 per grow: it bounds execution but does
    /// not stop where the tracer's step limit stops); `max_call_depth` and `max_stack` bound wasmi's stacks;
    /// `max_pages` and `max_table` cap memory and table size (growth past them fails, as in
    /// the tracer).
    pub fn new(
        bytes: &[u8],
        inputs: &Inputs,
        limits: &Limits,
    ) -> Result<OracleInstance, OracleError> {
        match instantiate(bytes, inputs, limits) {
            (Some(store), Ok(instance)) => Ok(OracleInstance::from_parts(store, instance, limits)),
            (_, Err(e)) => Err(e),
            (None, Ok(_)) => Err(OracleError::Other("instance without a store".into())),
        }
    }

    fn from_parts(
        store: Store<Host>,
        instance: wasmi::Instance,
        limits: &Limits,
    ) -> OracleInstance {
        let mut memories = BTreeMap::new();
        let mut globals = BTreeMap::new();
        for export in instance.exports(&store) {
            let name = export.name().to_string();
            match export.into_extern() {
                Extern::Memory(m) => {
                    memories.insert(name, m);
                }
                Extern::Global(g) => {
                    globals.insert(name, g);
                }
                _ => {}
            }
        }
        OracleInstance {
            store,
            instance,
            fuel: limits.max_steps,
            memories,
            globals,
        }
    }

    /// Calls exported function `export` with `args` as bit patterns (i32 takes the low 32 bits,
    /// floats raw bits). Returns its results as bit patterns: i32 zero-extended, f32/f64 raw
    /// bits, null references 0. Each call gets fresh fuel (`max_steps`).
    pub fn call(&mut self, export: &str, args: &[u64]) -> Result<Vec<u64>, OracleError> {
        let func = self
            .instance
            .get_func(&self.store, export)
            .ok_or_else(|| OracleError::MissingExport(export.to_string()))?;
        let ty = func.ty(&self.store);
        if ty.params().len() != args.len() {
            return Err(OracleError::BadArguments(format!(
                "`{export}` takes {} arguments, {} given",
                ty.params().len(),
                args.len()
            )));
        }
        let params = ty
            .params()
            .iter()
            .zip(args)
            .map(|(t, v)| u64_to_val(*t, *v))
            .collect::<Result<Vec<_>, _>>()?;
        let mut results: Vec<Val> = ty
            .results()
            .iter()
            .map(|t| Val::default_for_ty(*t))
            .collect();
        self.store
            .set_fuel(self.fuel)
            .map_err(|e| OracleError::Other(e.to_string()))?;
        let store = &mut self.store;
        on_native_stack(|| func.call(store, &params, &mut results))?
            .map_err(|e| runtime_error(&e))?;
        results.iter().map(val_to_u64).collect()
    }

    /// The bytes of the exported memory `name`.
    pub fn memory_named(&self, name: &str) -> Option<&[u8]> {
        self.memories.get(name).map(|m| m.data(&self.store))
    }

    /// The bytes of the first exported memory (by name order). The tracer supports one memory,
    /// so for its modules this is memory 0 whenever memory 0 is exported.
    pub fn memory(&self) -> Option<&[u8]> {
        self.memories.values().next().map(|m| m.data(&self.store))
    }

    /// The value of exported global `name` as a bit pattern (i32 zero-extended); `None` if no
    /// such export (or a non-null reference).
    pub fn global(&self, name: &str) -> Option<u64> {
        self.globals
            .get(name)
            .and_then(|g| val_to_u64(&g.get(&self.store)).ok())
    }

    /// All exported globals by export name, as bit patterns (non-null references left out).
    pub fn globals(&self) -> BTreeMap<String, u64> {
        self.globals
            .iter()
            .filter_map(|(n, g)| Some((n.clone(), val_to_u64(&g.get(&self.store)).ok()?)))
            .collect()
    }

    /// Public inputs read and outputs written so far, in execution order (the proof's
    /// instances).
    pub fn instances(&self) -> &[u64] {
        &self.store.data().instances
    }

    /// Values passed to `wasm_output` so far.
    pub fn outputs(&self) -> &[u64] {
        &self.store.data().outputs
    }
}

/// A whole program run on the oracle: what a tracer run of the image for the same entry
/// produces, for comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OracleRun {
    /// The entry's results, or why the run (instantiation, start function or entry) stopped.
    pub result: Result<Vec<u64>, OracleError>,
    /// Public inputs read and outputs written, in execution order (also when the run failed).
    pub instances: Vec<u64>,
    /// Values passed to `wasm_output`.
    pub outputs: Vec<u64>,
    /// The first exported memory at the end (also after a trap in the entry). `None` when no
    /// memory is exported or when there is no instance (invalid module, failed
    /// instantiation, or a failing start function: wasmi returns no instance then).
    pub memory: Option<Vec<u8>>,
    /// Exported globals by export name at the end (empty when there is no instance).
    pub globals: BTreeMap<String, u64>,
}

/// Runs a program as the tracer's image does: instantiate (start function included) and call
/// export `entry` without arguments, reading `inputs` through `wasm_input`. Never panics:
/// every failure ends up in [`OracleRun::result`].
pub fn run_program(bytes: &[u8], entry: &str, inputs: &Inputs, limits: &Limits) -> OracleRun {
    let (store, instance) = instantiate(bytes, inputs, limits);
    let failed = |store: Option<Store<Host>>, e: OracleError| {
        let (instances, outputs) = store
            .map(|s| (s.data().instances.clone(), s.data().outputs.clone()))
            .unwrap_or_default();
        OracleRun {
            result: Err(e),
            instances,
            outputs,
            memory: None,
            globals: BTreeMap::new(),
        }
    };
    let mut inst = match (store, instance) {
        (Some(store), Ok(instance)) => OracleInstance::from_parts(store, instance, limits),
        (store, Err(e)) => return failed(store, e),
        (None, Ok(_)) => {
            return failed(None, OracleError::Other("instance without a store".into()))
        }
    };
    let result = inst.call(entry, &[]);
    OracleRun {
        result,
        instances: inst.instances().to_vec(),
        outputs: inst.outputs().to_vec(),
        memory: inst.memory().map(<[u8]>::to_vec),
        globals: inst.globals(),
    }
}

/// A module's exports by kind: name → index in that kind's index space. The tracer's
/// [`crate::Module::exports`] lists functions only; comparing exported memory and globals
/// with the oracle needs the rest, read here from the export section.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportMap {
    pub functions: BTreeMap<String, u32>,
    pub tables: BTreeMap<String, u32>,
    pub memories: BTreeMap<String, u32>,
    pub globals: BTreeMap<String, u32>,
}

impl ExportMap {
    /// Reads the export section of a binary or WAT module (without validating it).
    pub fn parse(bytes: &[u8]) -> Result<ExportMap, OracleError> {
        let bin =
            crate::compile::to_binary(bytes).map_err(|e| OracleError::Invalid(e.to_string()))?;
        let mut map = ExportMap::default();
        for payload in wasmparser::Parser::new(0).parse_all(&bin) {
            let payload = payload.map_err(|e| OracleError::Invalid(e.to_string()))?;
            if let wasmparser::Payload::ExportSection(r) = payload {
                for e in r {
                    let e = e.map_err(|e| OracleError::Invalid(e.to_string()))?;
                    let kind = match e.kind {
                        wasmparser::ExternalKind::Func => &mut map.functions,
                        wasmparser::ExternalKind::Table => &mut map.tables,
                        wasmparser::ExternalKind::Memory => &mut map.memories,
                        wasmparser::ExternalKind::Global => &mut map.globals,
                        _ => continue,
                    };
                    kind.insert(e.name.to_string(), e.index);
                }
            }
        }
        Ok(map)
    }

    /// The tracer's exported globals by export name, from its values by global index (as
    /// [`crate::Instance::globals`] gives them): comparable with [`OracleInstance::globals`].
    pub fn tracer_globals(&self, values: &[u64]) -> BTreeMap<String, u64> {
        self.globals
            .iter()
            .filter_map(|(n, &i)| Some((n.clone(), *values.get(i as usize)?)))
            .collect()
    }

    /// Whether memory 0 (the tracer's only memory) is exported, and so visible to
    /// [`OracleInstance::memory`].
    pub fn exports_memory0(&self) -> bool {
        self.memories.values().any(|&i| i == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inst(wat: &str) -> OracleInstance {
        OracleInstance::new(wat.as_bytes(), &Inputs::default(), &Limits::default()).unwrap()
    }

    #[test]
    fn traps_map_to_tracer_kinds() {
        let mut o = inst(
            r#"(module (memory 1) (table 2 funcref) (elem (i32.const 0) $a) (type $v (func))
              (func $a (param i32))
              (func (export "unreachable") unreachable)
              (func (export "div0") (drop (i32.div_u (i32.const 1) (i32.const 0))))
              (func (export "ovf") (drop (i64.div_s (i64.const 0x8000000000000000) (i64.const -1))))
              (func (export "oob") (drop (i32.load (i32.const 65534))))
              (func (export "tab") (call_indirect (type $v) (i32.const 5)))
              (func (export "null") (call_indirect (type $v) (i32.const 1)))
              (func (export "sig") (call_indirect (type $v) (i32.const 0))))"#,
        );
        for (f, kind) in [
            ("unreachable", TrapKind::Unreachable),
            ("div0", TrapKind::IntegerDivideByZero),
            ("ovf", TrapKind::IntegerOverflow),
            ("oob", TrapKind::MemoryOutOfBounds),
            ("tab", TrapKind::TableOutOfBounds),
            ("null", TrapKind::UninitializedElement),
            ("sig", TrapKind::IndirectCallTypeMismatch),
        ] {
            assert_eq!(o.call(f, &[]), Err(OracleError::Trap(kind)), "{f}");
        }
    }

    #[test]
    fn values_are_bit_patterns() {
        let mut o = inst(
            r#"(module (func (export "f") (param i32 i64 f32 f64) (result i32 i64 f32 f64)
                 local.get 0 local.get 1 local.get 2 local.get 3))"#,
        );
        let args = [0x1_ffff_ffff, u64::MAX, 0x7fc0_0001, 0x8000_0000_0000_0001];
        assert_eq!(
            o.call("f", &args),
            Ok(vec![
                0xffff_ffff,
                u64::MAX,
                0x7fc0_0001,
                0x8000_0000_0000_0001
            ])
        );
        assert!(matches!(
            o.call("f", &[1]),
            Err(OracleError::BadArguments(_))
        ));
        assert_eq!(
            o.call("g", &[]),
            Err(OracleError::MissingExport("g".into()))
        );
    }

    #[test]
    fn host_abi_and_instances() {
        let wat = r#"(module
          (import "env" "wasm_input" (func $in (param i32) (result i64)))
          (import "env" "wasm_output" (func $out (param i64)))
          (import "env" "require" (func $req (param i32)))
          (func (export "main") (result i64)
            (call $out (i64.add (call $in (i32.const 0)) (call $in (i32.const 1))))
            (call $in (i32.const 7)))
          (func (export "req") (param i32) (call $req (local.get 0))))"#;
        let inputs = Inputs {
            public: vec![10, 20],
            private: vec![5],
        };
        let run = run_program(wat.as_bytes(), "main", &inputs, &Limits::default());
        assert_eq!(run.result, Ok(vec![20]));
        assert_eq!(run.instances, vec![10, 15, 20]);
        assert_eq!(run.outputs, vec![15]);
        let short = Inputs {
            public: vec![10],
            private: vec![5],
        };
        let run = run_program(wat.as_bytes(), "main", &short, &Limits::default());
        assert_eq!(
            run.result,
            Err(OracleError::MissingInput {
                kind: InputKind::Public,
                index: 1
            })
        );
        assert_eq!(
            run.instances,
            vec![10, 15],
            "instances written before the failure stay"
        );
        let mut o = OracleInstance::new(wat.as_bytes(), &inputs, &Limits::default()).unwrap();
        assert_eq!(o.call("req", &[1]), Ok(vec![]));
        assert_eq!(o.call("req", &[0]), Err(OracleError::RequireFailed));
        assert!(matches!(
            OracleInstance::new(
                b"(module (import \"env\" \"nope\" (func)))",
                &inputs,
                &Limits::default()
            ),
            Err(OracleError::Instantiation(_))
        ));
    }

    #[test]
    fn limits_bound_the_run() {
        let limits = Limits {
            max_steps: 10_000,
            max_call_depth: 50,
            max_pages: 2,
            max_table: 4,
            ..Limits::default()
        };
        let wat = r#"(module (memory (export "mem") 1)
          (func $r (export "rec") (call $r))
          (func (export "spin") (loop (br 0)))
          (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#;
        let mut o = OracleInstance::new(wat.as_bytes(), &Inputs::default(), &limits).unwrap();
        assert_eq!(o.call("rec", &[]), Err(OracleError::StackExhausted));
        assert_eq!(o.call("spin", &[]), Err(OracleError::OutOfFuel));
        assert_eq!(
            o.call("grow", &[2]),
            Ok(vec![0xffff_ffff]),
            "past max_pages: -1"
        );
        assert_eq!(o.call("grow", &[1]), Ok(vec![1]));
        assert_eq!(o.memory().map(<[u8]>::len), Some(2 * PAGE_SIZE));
        for wat in ["(module (memory 3))", "(module (table 5 funcref))"] {
            let r = OracleInstance::new(wat.as_bytes(), &Inputs::default(), &limits);
            assert!(matches!(r, Err(OracleError::Instantiation(_))), "{wat}");
        }
    }

    /// A loop of failing `memory.grow` must neither abort the process (native stack, see
    /// [`on_native_stack`]) nor run forever.
    #[test]
    fn failing_grow_loop_survives() {
        let wat = r#"(module (memory 1) (func (export "f") (param i32)
          (loop (drop (memory.grow (i32.const 100000)))
                (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                (br_if 0 (local.get 0)))))"#;
        let limits = Limits {
            max_steps: 50_000_000,
            ..Limits::default()
        };
        let mut o = OracleInstance::new(wat.as_bytes(), &Inputs::default(), &limits).unwrap();
        assert_eq!(o.call("f", &[100_000]), Ok(vec![]));
        assert_eq!(o.call("f", &[1 << 30]), Err(OracleError::OutOfFuel));
    }

    #[test]
    fn start_function_and_exports() {
        let wat = r#"(module (memory (export "m") 1) (global $g (export "g") (mut i64) (i64.const 0))
          (func $s (global.set $g (i64.const -2)) (i32.store8 (i32.const 9) (i32.const 1)))
          (start $s))"#;
        let o = inst(wat);
        assert_eq!(o.global("g"), Some(u64::MAX - 1));
        assert_eq!(o.memory_named("m").map(|m| m[9]), Some(1));
        let trapping = "(module (func $s unreachable) (start $s) (func (export \"f\")))";
        let run = run_program(
            trapping.as_bytes(),
            "f",
            &Inputs::default(),
            &Limits::default(),
        );
        assert_eq!(run.result, Err(OracleError::Trap(TrapKind::Unreachable)));
        assert_eq!(run.memory, None);
        let bad = run_program(
            b"\0asm\x01\0\0\0\x01",
            "f",
            &Inputs::default(),
            &Limits::default(),
        );
        assert!(matches!(bad.result, Err(OracleError::Invalid(_))));
        let map = ExportMap::parse(wat.as_bytes()).unwrap();
        assert_eq!(map.globals.get("g"), Some(&0));
        assert!(map.exports_memory0());
        assert_eq!(
            map.tracer_globals(&[7]),
            BTreeMap::from([("g".to_string(), 7)])
        );
    }
}
