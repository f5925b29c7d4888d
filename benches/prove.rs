//! Proving cost per stage on a circuit the program nearly fills: time, peak resident memory,
//! steps per second and proof size, at several circuit sizes `k`.
//!
//! The programs: `guests/wasm/fibonacci.wasm` (iterative Fibonacci of a public `n`: locals,
//! arithmetic, branches), `benches/memory.wat` (`n` rounds of loads and stores at unaligned
//! addresses, 7 of each round's 40 steps) and `guests/wasm/sha256.wasm` (SHA-256 of an
//! `n`-byte private message: rotations, shifts, bitwise ops through the bit table, loads and
//! stores). For each `k` the report picks the largest `n` whose
//! run still needs exactly `k` (`zkwasm::prover::execute(..).min_k == k`), so the ETable is
//! nearly full (2 rows per step: about `2^k / 2` steps). Criterion measures fibonacci.
//!
//! ```sh
//! cargo bench --bench prove                                   # criterion at k = 12, report for k = 12, 14
//! ZKWASM_BENCH_KS=16,18 ZKWASM_BENCH_REPORT_ONLY=1 cargo bench --bench prove
//! ZKWASM_BENCH_KS=18 ZKWASM_BENCH_ROUNDS=3 ZKWASM_BENCH_REPORT_ONLY=1 cargo bench --bench prove
//! ```
//!
//! Two parts:
//!
//! - **criterion**, group `prove`, k = 12, 10 samples: `trace`, `tables`, `keygen`, `witness`,
//!   `prove` (the whole [`prove`] call), `verify`. Skipped when `ZKWASM_BENCH_REPORT_ONLY` is
//!   set; criterion's own arguments (filters, `--test`) apply to it.
//! - **report**: every stage once for each `k` in `ZKWASM_BENCH_KS` (comma-separated, default
//!   `12,14`), one markdown table row per `k` on stderr. The proof is made
//!   `ZKWASM_BENCH_ROUNDS` times (default 1), each time followed by a proof of the backend's
//!   benchmark circuit at the same `k` (`baseline/mod.rs`), and the medians are reported:
//!   alternating runs compare the two under the same load on a noisy machine. KZG parameters come from
//!   `target/bench-params` (generated on first use, then cached there).
//!
//! Report columns:
//!
//! | column | meaning |
//! |---|---|
//! | `program`, `k`, `n`, `steps` | the program, circuit size, its input, steps of the run |
//! | `trace s` | [`zkwasm::tracer::execute`]: run and record the trace |
//! | `tables s` | [`zkwasm::tables::build`] and [`zkwasm::tables::check`] |
//! | `keygen s` | [`zkwasm::prover::setup`]: verifying and proving keys |
//! | `witness s` | the circuit's synthesis into advice columns, alone (see below) |
//! | `proof s` | [`prove`] minus `trace s` and `tables s`: witness, commitments, quotient, openings |
//! | `verify ms` | [`verify`] |
//! | `steps/s` | `steps / proof s` |
//! | `baseline s` | `create_proof` of the backend's benchmark circuit (`baseline/mod.rs`) |
//! | `proof / baseline` | `proof s / baseline s`: the VM's cost in units of that circuit's, which hardly depends on the machine |
//! | `there s` | `proof / baseline` times that circuit's time on the design note's 2-core machine (k = 12, 14, 16, 18, 20): what the proof would take there, the machine of the issue's target |
//! | `… MiB` | peak resident memory of the process during that stage (`proof MiB`: the whole [`prove`] call) |
//! | `proof bytes` | `proof.bytes.len()`: the transcript, without the file header |
//!
//! Peak memory: `5` is written to `/proc/self/clear_refs` before a stage (resetting the peak
//! resident set size to the current one) and `VmHWM` is read from `/proc/self/status` after
//! it; `n/a` where either fails (not Linux). The peak is the whole process's, so it includes
//! what is resident before the stage (parameters, keys, the previous stage's output).
//!
//! Witness: halo2's `create_proof` synthesizes the circuit internally and commits to each
//! advice column right after, so the `witness` stage re-runs that synthesis alone: the VM
//! circuit's floor planner writes into [`Witness`], which keeps the advice values as
//! `create_proof` does (one column of `2^k` field elements per advice column) and ignores
//! fixed cells, selectors and copies, which belong to the keys. It includes the parallel
//! per-step cell computation of the ETable; it excludes the advice commitments.

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput};
use halo2_proofs::circuit::Value;
use halo2_proofs::plonk::{
    Advice, Any, Assigned, Assignment, Challenge, Circuit, Column, ConstraintSystem, Error, Fixed,
    FloorPlanner, Instance, Selector,
};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;
use zkwasm::prover::{execute, load_params, prove, setup, verify, Params, Program};
use zkwasm::tables::{self, Tables};
use zkwasm::tracer::{self, Inputs, Limits};
use zkwasm_circuits::vm::VmCircuit;
use zkwasm_circuits::Fr;

mod baseline;
use baseline::Baseline;

/// The size criterion measures.
const CRITERION_K: u32 = 12;
const DEFAULT_KS: &str = "12,14";

/// A program the report proves, with its inputs for a size `n` and a bound on `n`.
struct Workload {
    name: &'static str,
    program: Program,
    inputs: fn(u64) -> Inputs,
    max_n: u64,
}

impl Workload {
    fn load(name: &'static str, path: &str, inputs: fn(u64) -> Inputs, max_n: u64) -> Workload {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        let wasm = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let program = Program::load(&wasm, "zkmain", Limits::default()).expect("the program loads");
        Workload {
            name,
            program,
            inputs,
            max_n,
        }
    }
}

/// Fibonacci (the guest's own bound on `n`), the memory workload, SHA-256 (the guest's
/// bound on the message).
fn workloads() -> [Workload; 3] {
    [
        Workload::load("fibonacci", "guests/wasm/fibonacci.wasm", public, 100_000),
        Workload::load("memory", "benches/memory.wat", public, 1 << 20),
        Workload::load("sha256", "guests/wasm/sha256.wasm", message, 4096),
    ]
}

/// `n` as the public input.
fn public(n: u64) -> Inputs {
    Inputs {
        public: vec![n],
        private: vec![],
    }
}

/// A message of `n` bytes as the private input: its length, then its bytes packed
/// little-endian in words.
fn message(n: u64) -> Inputs {
    let words = (0..n.div_ceil(8)).map(|i| 0x0123_4567_89ab_cdef_u64.rotate_left(i as u32));
    Inputs {
        public: vec![],
        private: std::iter::once(n).chain(words).collect(),
    }
}

/// The largest `n` whose run needs exactly `k`, with the run's step count.
fn fill(w: &Workload, k: u32) -> (u64, u64) {
    let run = |n| execute(&w.program, &(w.inputs)(n));
    // Invariant: run(lo) fits k, run(hi) does not (or hi is past the program's bound). A run
    // past the largest circuit is stopped there, and fits no k.
    let fits = |n| match run(n) {
        Ok(e) => e.min_k <= k,
        Err(zkwasm_prover::Error::TooManySteps { .. }) => false,
        Err(e) => panic!("{}: the program runs: {e}", w.name),
    };
    let (mut lo, mut hi) = (0, w.max_n + 1);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let e = run(lo).expect("the program runs");
    assert_eq!(e.min_k, k, "{}: no n <= {} fills k = {k}", w.name, w.max_n);
    assert_eq!(e.unprovable, None, "{} is fully provable", w.name);
    (lo, e.outcome.steps)
}

fn params(k: u32) -> Params {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-params");
    let (params, origin) = load_params(&dir, k).expect("parameters");
    if origin.is_generated() {
        eprintln!(
            "generated development parameters for k = {k} in {}",
            dir.display()
        );
    }
    params
}

/// Runs the program and lays the run out as checked tables: the `trace` and `tables` stages.
fn trace(program: &Program, inputs: &Inputs) -> tracer::Execution {
    tracer::execute(&program.image, inputs, &program.limits).expect("the program runs")
}

fn build_tables(program: &Program, run: &tracer::Execution) -> Tables {
    let t = tables::build(
        &program.image,
        &run.trace,
        &run.outcome.instances,
        &program.limits,
    );
    tables::check(&t).expect("honest tables pass");
    t
}

/// Advice columns as `create_proof` collects them from the circuit's synthesis.
struct Witness {
    advice: Vec<Vec<Fr>>,
    instances: Vec<Vec<Fr>>,
}

/// Synthesizes the VM circuit of a run at size `k` into its advice columns.
fn witness(k: u32, tables: Tables) -> Witness {
    let circuit = VmCircuit::new(k, tables);
    let mut cs = ConstraintSystem::default();
    let config = VmCircuit::configure_with_params(&mut cs, circuit.params());
    let mut w = Witness {
        advice: vec![vec![Fr::from(0); 1 << k]; cs.num_advice_columns()],
        instances: circuit.instances(),
    };
    <VmCircuit as Circuit<Fr>>::FloorPlanner::synthesize(
        &mut w,
        &circuit,
        config,
        cs.constants().clone(),
    )
    .expect("the circuit synthesizes");
    w
}

impl Assignment<Fr> for Witness {
    fn enter_region<NR: Into<String>, N: FnOnce() -> NR>(&mut self, _: N) {}

    fn annotate_column<A: FnOnce() -> AR, AR: Into<String>>(&mut self, _: A, _: Column<Any>) {}

    fn exit_region(&mut self) {}

    fn enable_selector<A: FnOnce() -> AR, AR: Into<String>>(
        &mut self,
        _: A,
        _: &Selector,
        _: usize,
    ) -> Result<(), Error> {
        Ok(())
    }

    fn query_instance(&self, column: Column<Instance>, row: usize) -> Result<Value<Fr>, Error> {
        self.instances
            .get(column.index())
            .and_then(|c| c.get(row))
            .map(|&v| Value::known(v))
            .ok_or(Error::BoundsFailure)
    }

    /// Stores the value; hands back none, since the VM circuit reads back only cells (for
    /// copies), never values.
    fn assign_advice<'v>(
        &mut self,
        column: Column<Advice>,
        row: usize,
        to: Value<Assigned<Fr>>,
    ) -> Value<&'v Assigned<Fr>> {
        let cell = &mut self.advice[column.index()][row];
        to.map(|v| *cell = v.evaluate());
        Value::unknown()
    }

    fn assign_fixed(&mut self, _: Column<Fixed>, _: usize, _: Assigned<Fr>) {}

    fn copy(&mut self, _: Column<Any>, _: usize, _: Column<Any>, _: usize) {}

    fn fill_from_row(
        &mut self,
        _: Column<Fixed>,
        _: usize,
        _: Value<Assigned<Fr>>,
    ) -> Result<(), Error> {
        Ok(())
    }

    fn get_challenge(&self, _: Challenge) -> Value<Fr> {
        Value::unknown()
    }

    fn push_namespace<NR: Into<String>, N: FnOnce() -> NR>(&mut self, _: N) {}

    fn pop_namespace(&mut self, _: Option<String>) {}
}

/// One stage run once: its result, seconds and peak resident MiB.
struct Measured<T> {
    value: T,
    secs: f64,
    peak_mib: Option<f64>,
}

fn measure<T>(stage: impl FnOnce() -> T) -> Measured<T> {
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let start = Instant::now();
    let value = stage();
    let secs = start.elapsed().as_secs_f64();
    Measured {
        value,
        secs,
        peak_mib: reset.then(peak_mib).flatten(),
    }
}

/// `VmHWM` (peak resident set size) in MiB.
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

fn mib(peak: Option<f64>) -> String {
    peak.map_or("n/a".into(), |m| format!("{m:.0}"))
}

/// Median of some seconds.
fn median(mut secs: Vec<f64>) -> f64 {
    secs.sort_by(f64::total_cmp);
    let n = secs.len();
    (secs[(n - 1) / 2] + secs[n / 2]) / 2.0
}

/// Every stage once at size `k`, the proof (alternating with the baseline's) `rounds` times:
/// one markdown row.
fn report_row(w: &Workload, k: u32, rounds: usize) -> String {
    let (n, steps) = fill(w, k);
    let program = &w.program;
    let inputs = (w.inputs)(n);
    let params = params(k);
    let run = measure(|| trace(program, &inputs));
    let tables = measure(|| build_tables(program, &run.value));
    drop(run.value);
    let keys = measure(|| setup(&params, program).expect("keygen"));
    let (pk, vk) = keys.value;
    let wit = measure(|| witness(k, tables.value));
    drop(wit.value);
    let baseline = Baseline::new(k);
    let baseline_pk = baseline.keys(&params);
    let (mut proof_secs, mut baseline_secs) = (vec![], vec![]);
    let mut proof = None;
    for _ in 0..rounds {
        let p = measure(|| prove(&params, &pk, program, &inputs).expect("proof"));
        proof_secs.push(p.secs - run.secs - tables.secs);
        proof = Some(p);
        baseline_secs.push(baseline.prove_secs(&params, &baseline_pk));
    }
    drop((baseline, baseline_pk));
    let proof = proof.expect("at least one round");
    let verified = measure(|| verify(&params, &vk, &proof.value).expect("the proof verifies"));
    assert_eq!(verified.value, proof.value.instances);
    let (proof_secs, baseline_secs) = (median(proof_secs), median(baseline_secs));
    let ratio = proof_secs / baseline_secs;
    let there = baseline::reference_secs(k).map_or("n/a".into(), |r| format!("{:.1}", ratio * r));
    format!(
        "| {} | {k} | {n} | {steps} | {:.4} | {:.4} | {:.2} | {:.3} | {proof_secs:.2} | {:.1} | {:.0} \
         | {baseline_secs:.2} | {ratio:.2} | {there} \
         | {} | {} | {} | {} | {} | {} | {} |",
        w.name,
        run.secs,
        tables.secs,
        keys.secs,
        wit.secs,
        verified.secs * 1e3,
        steps as f64 / proof_secs,
        mib(run.peak_mib),
        mib(tables.peak_mib),
        mib(keys.peak_mib),
        mib(wit.peak_mib),
        mib(proof.peak_mib),
        mib(verified.peak_mib),
        proof.value.bytes.len(),
    )
}

fn report(workloads: &[Workload]) {
    let ks = std::env::var("ZKWASM_BENCH_KS").unwrap_or_else(|_| DEFAULT_KS.into());
    let ks: Vec<u32> = ks
        .split(',')
        .map(|k| {
            k.trim()
                .parse()
                .expect("ZKWASM_BENCH_KS: comma-separated k")
        })
        .collect();
    let rounds = std::env::var("ZKWASM_BENCH_ROUNDS").map_or(1, |r| {
        r.trim()
            .parse()
            .ok()
            .filter(|&r| r > 0)
            .expect("ZKWASM_BENCH_ROUNDS: a positive number")
    });
    // Missing parameters are generated before the table starts, the largest first: smaller
    // ones are cut down from it.
    let mut largest_first = ks.clone();
    largest_first.sort_unstable_by(|a, b| b.cmp(a));
    for k in largest_first {
        params(k);
    }
    eprintln!(
        "\n| program | k | n | steps | trace s | tables s | keygen s | witness s | proof s | verify ms \
         | steps/s | baseline s | proof / baseline | there s | trace MiB | tables MiB \
         | keygen MiB | witness MiB | proof MiB | verify MiB | proof bytes |"
    );
    eprintln!("|{}", "---|".repeat(21));
    for k in ks {
        for w in workloads {
            // A program whose smallest run is larger than the circuit has no row at it.
            let smallest = execute(&w.program, &(w.inputs)(0)).map(|e| e.min_k);
            match smallest {
                Ok(need) if need > k => {
                    eprintln!("({}: its smallest run needs k = {need})", w.name)
                }
                _ => eprintln!("{}", report_row(w, k, rounds)),
            }
        }
    }
}

fn criterion(c: &mut Criterion, w: &Workload) {
    let k = CRITERION_K;
    let (n, steps) = fill(w, k);
    let program = &w.program;
    let inputs = (w.inputs)(n);
    let params = params(k);
    let (pk, vk) = setup(&params, program).expect("keygen");
    let run = trace(program, &inputs);
    let t = build_tables(program, &run);
    let proof = prove(&params, &pk, program, &inputs).expect("proof");
    let mut g = c.benchmark_group("prove");
    g.sample_size(10);
    // Keys depend on the program and k, not on the run: no throughput.
    g.bench_function(BenchmarkId::new("keygen", k), |b| {
        b.iter(|| setup(&params, program).expect("keygen"))
    });
    g.throughput(Throughput::Elements(steps));
    g.bench_function(BenchmarkId::new("trace", k), |b| {
        b.iter(|| trace(program, &inputs))
    });
    g.bench_function(BenchmarkId::new("tables", k), |b| {
        b.iter(|| build_tables(program, &run))
    });
    g.bench_function(BenchmarkId::new("witness", k), |b| {
        b.iter_batched(
            || t.clone(),
            |t| black_box(witness(k, t).advice.len()),
            BatchSize::LargeInput,
        )
    });
    g.bench_function(BenchmarkId::new("prove", k), |b| {
        b.iter(|| prove(&params, &pk, program, &inputs).expect("proof"))
    });
    g.bench_function(BenchmarkId::new("verify", k), |b| {
        b.iter(|| verify(&params, &vk, &proof).expect("the proof verifies"))
    });
    g.finish();
}

fn main() {
    let workloads = workloads();
    if std::env::var_os("ZKWASM_BENCH_REPORT_ONLY").is_none() {
        let mut c = Criterion::default().configure_from_args();
        criterion(&mut c, &workloads[0]);
        c.final_summary();
    }
    report(&workloads);
}
