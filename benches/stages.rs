//! Throughput per stage, in steps per second, on loop-heavy programs: the tracer (in-memory
//! trace and dry run) against wasmi running the same program, plus trace bytes per step; then
//! building the tables and checking them.
//!
//! `cargo bench --bench stages`; witness and proof stages join this file as they land.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use zkwasm::tables;
use zkwasm::tracer::{self, Image, Inputs, Limits};

/// Arithmetic only: an LCG with xor-shift mixing, all in locals.
const ALU_LOOP: &str = r#"(module
  (func (export "zkmain") (result i64) (local $i i64) (local $acc i64)
    (local.set $i (i64.const 100000))
    (loop $l
      (local.set $acc (i64.add (i64.mul (local.get $acc) (i64.const 6364136223846793005)) (local.get $i)))
      (local.set $acc (i64.xor (local.get $acc) (i64.shr_u (local.get $acc) (i64.const 29))))
      (br_if $l (i64.ne (local.tee $i (i64.sub (local.get $i) (i64.const 1))) (i64.const 0))))
    (local.get $acc)))"#;

/// Memory traffic: a byte-array prefix sum with loads, stores and calls.
const MEM_LOOP: &str = r#"(module (memory 1)
  (func $step (param $p i32) (param $acc i32) (result i32)
    (local.set $acc (i32.add (local.get $acc) (i32.load8_u (local.get $p))))
    (i32.store offset=4096 (i32.shl (i32.and (local.get $p) (i32.const 1023)) (i32.const 2)) (local.get $acc))
    (local.get $acc))
  (func (export "zkmain") (result i32) (local $i i32) (local $acc i32)
    (loop $l
      (i32.store8 (i32.and (local.get $i) (i32.const 4095)) (local.get $i))
      (local.set $acc (call $step (i32.and (local.get $i) (i32.const 4095)) (local.get $acc)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 30000))))
    (local.get $acc)))"#;

fn image(wat: &str) -> Image {
    tracer::load(wat.as_bytes(), &Limits::default())
        .unwrap()
        .image("zkmain")
        .unwrap()
}

fn wasmi_run(wat: &str) -> impl FnMut() -> i64 {
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, wat.as_bytes()).unwrap();
    let mut store = wasmi::Store::new(&engine, ());
    let instance = wasmi::Linker::new(&engine)
        .instantiate_and_start(&mut store, &module)
        .unwrap();
    let f = instance.get_func(&store, "zkmain").unwrap();
    move || {
        let mut out = [wasmi::Val::I64(0)];
        f.call(&mut store, &[], &mut out).unwrap();
        out[0].i64().or(out[0].i32().map(i64::from)).unwrap()
    }
}

fn bench(c: &mut Criterion) {
    let limits = Limits::default();
    let inputs = Inputs::default();
    let mut g = c.benchmark_group("stages");
    for (name, wat) in [("alu_loop", ALU_LOOP), ("mem_loop", MEM_LOOP)] {
        let img = image(wat);
        let run = tracer::execute(&img, &inputs, &limits).unwrap();
        let steps = run.outcome.steps;
        eprintln!(
            "{name}: {steps} steps, {} events, {:.1} trace bytes/step",
            run.trace.events.len(),
            run.trace.size_bytes() as f64 / steps as f64
        );
        g.throughput(Throughput::Elements(steps));
        g.bench_function(BenchmarkId::new("execute", name), |b| {
            b.iter(|| {
                black_box(
                    tracer::execute(&img, &inputs, &limits)
                        .unwrap()
                        .trace
                        .steps
                        .len(),
                )
            })
        });
        g.bench_function(BenchmarkId::new("dry_run", name), |b| {
            b.iter(|| black_box(tracer::dry_run(&img, &inputs, &limits).unwrap().steps))
        });
        // Same program, same step count: wasmi's time per step of our trace.
        let mut reference = wasmi_run(wat);
        g.bench_function(BenchmarkId::new("wasmi", name), |b| {
            b.iter(|| black_box(reference()))
        });
        let t = tables::build(&img, &run.trace, &run.outcome.instances, &limits);
        g.bench_function(BenchmarkId::new("tables_build", name), |b| {
            b.iter(|| {
                black_box(
                    tables::build(&img, &run.trace, &run.outcome.instances, &limits)
                        .mtable
                        .len(),
                )
            })
        });
        g.bench_function(BenchmarkId::new("tables_check", name), |b| {
            b.iter(|| tables::check(&t).unwrap())
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
