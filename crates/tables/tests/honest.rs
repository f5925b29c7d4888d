//! Honest tables always pass: the bundled guest programs, hand-written programs for every
//! instruction class, and random float-free programs from wasm-smith.

use arbitrary::Unstructured;
use zkwasm_tables::{build, check, Tables};
use zkwasm_tracer::image::Image;
use zkwasm_tracer::{execute, load, Error, Inputs, Limits};

fn tables_of(image: &Image, inputs: &Inputs, limits: &Limits) -> Result<Tables, Error> {
    let run = execute(image, inputs, limits)?;
    Ok(build(image, &run.trace, &run.outcome.instances, limits))
}

fn guest(name: &str) -> Image {
    let path = format!(
        "{}/../../guests/wasm/{name}.wasm",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    load(&bytes, &Limits::default())
        .unwrap()
        .image("zkmain")
        .unwrap()
}

#[test]
fn guest_programs_pass() {
    let cases: &[(&str, &[u64], &[u64])] = &[
        ("wasm_output", &[133, 2], &[]),
        ("fib", &[15], &[]),
        ("sha256", &[], &[3, 0x636261]),
        (
            "sort",
            &[8, 0x8000000000000018],
            &[5, 3, 1 << 63, 9, 1, 3, 0, 3],
        ),
        ("switch", &[27], &[]),
        ("fnptr", &[0x9e3779b97f4a7c15, 40], &[]),
        (
            "i64arith",
            &[
                0x0123456789abcdef,
                0xfedcba9876543210,
                20,
                (-7i64) as u64,
                2,
            ],
            &[],
        ),
        ("bytes", &[0x0123456789abcdef, 3], &[]),
        ("bulk", &[7, 8, 0], &[]),
    ];
    for (name, public, private) in cases {
        let img = guest(name);
        let inputs = Inputs {
            public: public.to_vec(),
            private: private.to_vec(),
        };
        let t = tables_of(&img, &inputs, &Limits::default()).unwrap();
        check(&t).unwrap_or_else(|v| panic!("{name}: {v}"));
        let u = t.usage();
        assert_eq!(u.etable, t.etable.len());
        assert!(u.min_k() >= zkwasm_tables::MIN_K);
        println!(
            "{name}: {} steps, {} mtable, {} jtable, {} bit rows, k = {}",
            u.etable,
            u.mtable,
            u.jtable,
            u.bit_table,
            u.min_k()
        );
    }
}

const CLASSES: &str = r#"(module
  (import "env" "wasm_input" (func $in (param i32) (result i64)))
  (import "env" "wasm_output" (func $out (param i64)))
  (import "env" "require" (func $require (param i32)))
  (type $t (func (param i64) (result i64))) (type $o (func (param i64)))
  (memory 1 4) (data (i32.const 5) "\01\02\03\04\05\06\07\08\09")
  (global $g (mut i64) (i64.const 40)) (global $c i32 (i32.const 7))
  (table 4 funcref) (elem (i32.const 1) $sq $out)
  (func $sq (type $t) (i64.mul (local.get 0) (local.get 0)))
  (func $pair (param i32) (result i32 i64) (local i64)
    (local.set 1 (i64.extend_i32_s (local.get 0)))
    (block $b (result i32 i64)
      (i32.const 1) (i64.const 2) (br_if $b (local.get 0)) (drop) (drop)
      (i32.const 3) (local.get 1)))
  (func (export "zkmain") (local $i i32) (local $x i64)
    (call $out (call_indirect (type $t) (call $in (i32.const 1)) (i32.const 1)))
    (call_indirect (type $o) (i64.const 99) (i32.const 2))
    (local.set $x (call $in (i32.const 0)))
    (call $out (i64.and (local.get $x) (i64.const 0xff0f)))
    (call $out (i64.or (i64.xor (local.get $x) (i64.const -1)) (i64.const 3)))
    (call $out (i64.extend_i32_u (i32.popcnt (i32.wrap_i64 (local.get $x)))))
    (call $out (i64.rotl (local.get $x) (i64.const 67)))
    (call $out (i64.extend_i32_u (i32.div_u (i32.const 100) (i32.const 7))))
    (call $out (i64.rem_s (i64.const -100) (i64.const 7)))
    (call $out (i64.extend_i32_u (i32.clz (global.get $c))))
    (global.set $g (i64.add (global.get $g) (i64.const 2)))
    (call $out (global.get $g))
    (i64.store offset=3 (i32.const 1) (local.get $x))
    (call $out (i64.load (i32.const 2)))
    (call $out (i64.load8_s (i32.const 9)))
    (i32.store16 (i32.const 15) (i32.const -1))
    (call $out (i64.extend_i32_u (i32.load16_u (i32.const 15))))
    (call $out (i64.extend_i32_u (memory.grow (i32.const 1))))
    (call $out (i64.extend_i32_u (memory.grow (i32.const 10))))
    (call $out (i64.extend_i32_u (memory.size)))
    (memory.copy (i32.const 3) (i32.const 0) (i32.const 20))
    (memory.copy (i32.const 100) (i32.const 3) (i32.const 13))
    (memory.fill (i32.const 60) (i32.const 0xab) (i32.const 19))
    (call $out (i64.load (i32.const 60)))
    (call $out (select (i64.const 1) (i64.const 2) (i32.const 0)))
    (call $out (i64.extend_i32_u (i64.lt_s (local.get $x) (i64.const 0))))
    (call $out (i64.extend32_s (i64.const 0x80000000)))
    (call $require (i32.eqz (i32.const 0)))
    (block $exit
      (loop $l
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (block $a (block $b (block $c
          (br_table $a $b $c (i32.rem_u (local.get $i) (i32.const 4))))
          (call $out (i64.const 10)) (br $l))
          (call $out (i64.const 11)))
        (br_if $exit (i32.ge_u (local.get $i) (i32.const 6)))
        (br $l)))
    (call $pair (i32.const 0)) (call $out) (drop)
    (call $pair (i32.const 5)) (call $out) (drop)))"#;

#[test]
fn every_class_passes() {
    let img = load(CLASSES.as_bytes(), &Limits::default())
        .unwrap()
        .image("zkmain")
        .unwrap();
    let t = tables_of(
        &img,
        &Inputs {
            public: vec![12],
            private: vec![0x1234_5678_9abc_def0],
        },
        &Limits::default(),
    )
    .unwrap();
    check(&t).unwrap();
    assert!(!t.bit_table.is_empty());
    assert!(t.jtable.len() > 3);
}

/// A float-free random program, its exports called with zero arguments after the start
/// function; runs that trap or hit a limit have no tables (nothing to prove).
fn random_tables(seed: &[u8]) -> Vec<Tables> {
    let cfg = wasm_smith::Config {
        allow_floats: false,
        simd_enabled: false,
        relaxed_simd_enabled: false,
        reference_types_enabled: false,
        gc_enabled: false,
        exceptions_enabled: false,
        tail_call_enabled: false,
        threads_enabled: false,
        memory64_enabled: false,
        extended_const_enabled: false,
        saturating_float_to_int_enabled: false,
        bulk_memory_enabled: true,
        max_memories: 1,
        max_tables: 1,
        max_imports: 0,
        min_funcs: 1,
        max_memory32_bytes: 1 << 20,
        export_everything: true,
        ..Default::default()
    };
    let Ok(m) = wasm_smith::Module::new(cfg, &mut Unstructured::new(seed)) else {
        return vec![];
    };
    let limits = Limits {
        max_steps: 20_000,
        ..Limits::default()
    };
    let Ok(module) = load(&m.to_bytes(), &limits) else {
        return vec![];
    };
    let mut out = vec![];
    for &fid in module.exports.values() {
        let args = vec![0; module.signature(fid).params.len()];
        let Ok(entry) = module.entry_function(fid, &args, true) else {
            continue;
        };
        let image = Image {
            module: module.clone(),
            entry,
        };
        if let Ok(t) = tables_of(&image, &Inputs::default(), &limits) {
            out.push(t);
        }
    }
    out
}

#[test]
fn random_programs_pass() {
    let mut checked = 0;
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..1000 {
        let seed: Vec<u8> = (0..2048)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        for t in random_tables(&seed) {
            check(&t).unwrap_or_else(|v| panic!("{v}"));
            checked += 1;
        }
    }
    println!("{checked} random runs checked");
    assert!(checked >= 200, "only {checked} random runs finished");
}
