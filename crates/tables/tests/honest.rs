//! Honest tables always pass: the bundled guest programs, hand-written programs for every
//! instruction class, and random float-free programs from wasm-smith.

mod common;

use arbitrary::Unstructured;
use common::CLASSES;
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
        // A block of rows per step, and the block after the last.
        let rows = zkwasm_tables::capacity::ETABLE_ROWS;
        assert_eq!(u.etable, (t.etable.len() + 1) * rows);
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
