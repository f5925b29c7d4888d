//! The C guest programs of `guests/` (compiled to `guests/wasm/*.wasm` by `guests/build.sh`)
//! run on the tracer: known answers, trace consistency, and agreement with the wasmi
//! reference run (results, instances, outputs, final memory, failures).

use std::collections::BTreeMap;
use zkwasm::tracer::image::Helper;
use zkwasm::tracer::isa::{BinOp, ConvOp, LoadKind, UnaryOp, ValTy};
use zkwasm::tracer::oracle::{self, OracleError};
use zkwasm::tracer::{
    self, Error, Image, InputKind, Inputs, Instance, Instr, Limits, NullSink, Outcome, Trace,
    TrapKind,
};

const ENTRY: &str = "zkmain";

fn wasm(name: &str) -> Vec<u8> {
    let path = format!("{}/guests/wasm/{name}.wasm", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e} (run `bash guests/build.sh`)"))
}

fn image(name: &str) -> Image {
    let limits = Limits::default();
    tracer::load(&wasm(name), &limits)
        .and_then(|m| m.image(ENTRY))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn inputs(public: &[u64], private: &[u64]) -> Inputs {
    Inputs {
        public: public.to_vec(),
        private: private.to_vec(),
    }
}

/// The wasmi reference run of a bundled guest.
fn oracle_run(name: &str, inputs: &Inputs, limits: &Limits) -> oracle::OracleRun {
    oracle::run_program(&wasm(name), ENTRY, inputs, limits)
}

/// A successful run of a guest on the tracer, checked against the oracle.
struct Run {
    image: Image,
    outcome: Outcome,
    trace: Trace,
}

/// The function index of the run's helper `h` (`memory.copy`, ...), which it must call.
fn helper(r: &Run, h: Helper) -> u32 {
    let helpers = &r.image.module.helpers;
    let found = helpers.iter().find(|(_, x)| *x == h);
    found.unwrap_or_else(|| panic!("no {} helper", h.name())).0
}

impl Run {
    /// How many steps executed each instruction matching `pred`.
    fn count(&self, pred: impl Fn(Instr) -> bool) -> usize {
        self.trace
            .steps
            .iter()
            .filter(|s| {
                pred(
                    self.image
                        .instr(s.fid, s.iid)
                        .expect("step at an instruction"),
                )
            })
            .count()
    }
}

/// The trace is internally consistent: one step per counted step, events partitioned by
/// steps, every step at an instruction of the image, frames closed after a complete run.
fn check_trace(name: &str, image: &Image, trace: &Trace, outcome: &Outcome) {
    assert_eq!(
        trace.steps.len() as u64,
        outcome.steps,
        "{name}: steps in the trace"
    );
    let mut prev = 0;
    for (i, s) in trace.steps.iter().enumerate() {
        assert!(
            s.events_end >= prev,
            "{name}: step {} events go backwards",
            i + 1
        );
        prev = s.events_end;
        assert!(
            image.instr(s.fid, s.iid).is_some(),
            "{name}: step {} at ({}, {}) has no instruction",
            i + 1,
            s.fid,
            s.iid
        );
    }
    assert_eq!(
        prev as usize,
        trace.events.len(),
        "{name}: events after the last step"
    );
    for (i, f) in trace.frames.iter().enumerate() {
        assert!(
            f.call_eid >= 1 && (f.call_eid as usize) <= trace.steps.len(),
            "{name}: frame {i} call eid"
        );
        assert!(
            f.return_eid > f.call_eid,
            "{name}: frame {i} not closed: {f:?}"
        );
    }
}

/// Runs `name` on the tracer (trace, dry run and final memory) and on the oracle; they must
/// agree. Returns the tracer's run; panics with both sides when they differ.
fn run(name: &str, public: &[u64], private: &[u64]) -> Run {
    let limits = Limits::default();
    let image = image(name);
    let inputs = inputs(public, private);

    let exec =
        tracer::execute(&image, &inputs, &limits).unwrap_or_else(|e| panic!("{name}: tracer: {e}"));
    check_trace(name, &image, &exec.trace, &exec.outcome);
    let dry = tracer::dry_run(&image, &inputs, &limits)
        .unwrap_or_else(|e| panic!("{name}: dry run: {e}"));
    assert_eq!(dry, exec.outcome, "{name}: dry run and traced run differ");

    let mut inst = Instance::new(&image.module, limits);
    let again = inst
        .run(&image.entry, &inputs, &mut NullSink)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(again, exec.outcome, "{name}: instance run differs");

    let reference = oracle_run(name, &inputs, &limits);
    assert_eq!(
        reference.result.as_deref(),
        Ok(&exec.outcome.results[..]),
        "{name}: results (tracer vs oracle)"
    );
    assert_eq!(
        reference.instances, exec.outcome.instances,
        "{name}: instances (tracer vs oracle)"
    );
    assert_eq!(
        reference.outputs, exec.outcome.outputs,
        "{name}: outputs (tracer vs oracle)"
    );
    let oracle_mem = reference.memory.expect("guests export their memory");
    assert!(
        oracle_mem == inst.memory(),
        "{name}: final memory differs (tracer vs oracle)"
    );

    Run {
        image,
        outcome: exec.outcome,
        trace: exec.trace,
    }
}

/// Runs `name` expecting a failure; the oracle must fail the same way, with the same
/// instances up to the failure and (for traps) the same memory.
fn run_err(name: &str, public: &[u64], private: &[u64]) -> Error {
    let limits = Limits::default();
    let image = image(name);
    let inputs = inputs(public, private);
    let err = match tracer::execute(&image, &inputs, &limits) {
        Ok(exec) => panic!("{name}: expected a failure, got {:?}", exec.outcome),
        Err(e) => e,
    };
    assert_eq!(
        tracer::dry_run(&image, &inputs, &limits).err(),
        Some(err.clone()),
        "{name}: dry run"
    );

    let mut inst = Instance::new(&image.module, limits);
    assert_eq!(
        inst.run(&image.entry, &inputs, &mut NullSink).err(),
        Some(err.clone())
    );

    let reference = oracle_run(name, &inputs, &limits);
    let expected = match &err {
        Error::Trap { kind, .. } => OracleError::Trap(*kind),
        Error::RequireFailed { .. } => OracleError::RequireFailed,
        Error::MissingInput { kind, index } => OracleError::MissingInput {
            kind: *kind,
            index: *index,
        },
        other => panic!("{name}: unexpected failure {other}"),
    };
    assert_eq!(
        reference.result,
        Err(expected),
        "{name}: tracer failed with {err}"
    );
    if let Some(mem) = reference.memory {
        assert!(
            mem == inst.memory(),
            "{name}: memory after the failure differs (tracer vs oracle)"
        );
    }
    err
}

// ---------------------------------------------------------------------------------------------
// wasm_output: the zkWasm example

#[test]
fn wasm_output_doubles_public_inputs() {
    let r = run("wasm_output", &[133, 2], &[]);
    assert_eq!(r.outcome.instances, vec![133, 266, 2, 4]);
    assert_eq!(r.outcome.outputs, vec![266, 4]);
    assert!(r.outcome.results.is_empty());
    assert_eq!(r.outcome.public_inputs_read, 2);
}

#[test]
fn weighted_sum_of_private_values() {
    let r = run("weighted", &[3, 7, 1000], &[1, 2, 3]);
    assert_eq!(r.outcome.instances, vec![3, 7, 1000, 42]);
    let err = run_err("weighted", &[3, 7, 42], &[1, 2, 3]);
    assert!(matches!(err, Error::RequireFailed { .. }), "{err}");
}

#[test]
fn fibonacci_iterates_modulo_2_64() {
    let r = run("fibonacci", &[90], &[]);
    assert_eq!(r.outcome.instances, vec![90, 2_880_067_194_370_816_120]);
    // fib(100) wraps around 2^64.
    let r = run("fibonacci", &[100], &[]);
    assert_eq!(r.outcome.outputs, vec![fib(100)]);
    let err = run_err("fibonacci", &[100_001], &[]);
    assert!(matches!(err, Error::RequireFailed { .. }), "{err}");
}

#[test]
fn horner_evaluates_a_private_polynomial() {
    let r = run("horner", &[3, 2], &[2, 0, 5]);
    assert_eq!(r.outcome.instances, vec![3, 2, 23]);
    let coefficients = [7u64, u64::MAX, 1 << 40, 9, 12345];
    let x = 0x1234_5678_9abc_def0u64;
    let expected = coefficients
        .iter()
        .fold(0u64, |acc, &c| acc.wrapping_mul(x).wrapping_add(c));
    let r = run("horner", &[x, 4], &coefficients);
    assert_eq!(r.outcome.outputs, vec![expected]);
    let err = run_err("horner", &[3, 65], &[]);
    assert!(matches!(err, Error::RequireFailed { .. }), "{err}");
}

#[test]
fn wasm_output_missing_public_input() {
    let err = run_err("wasm_output", &[133], &[]);
    assert_eq!(
        err,
        Error::MissingInput {
            kind: InputKind::Public,
            index: 1
        }
    );
}

// ---------------------------------------------------------------------------------------------
// fib

fn fib(n: u64) -> u64 {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        (a, b) = (b, a.wrapping_add(b));
    }
    a
}

#[test]
fn fib_known_answers() {
    let r = run("fib", &[20], &[]);
    assert_eq!(r.outcome.instances, vec![20, 6765]);
    assert!(
        r.trace.frames.len() > 1000,
        "recursion: {} frames",
        r.trace.frames.len()
    );
    for n in [0, 1, 2, 10] {
        assert_eq!(run("fib", &[n], &[]).outcome.instances, vec![n, fib(n)]);
    }
}

#[test]
fn fib_input_too_large_fails_require() {
    assert!(matches!(
        run_err("fib", &[26], &[]),
        Error::RequireFailed { .. }
    ));
}

// ---------------------------------------------------------------------------------------------
// sha256

/// Private inputs: the length, then the bytes packed little-endian into words.
fn sha_inputs(msg: &[u8]) -> Vec<u64> {
    let mut v = vec![msg.len() as u64];
    v.extend(msg.chunks(8).map(|c| {
        let mut w = [0u8; 8];
        w[..c.len()].copy_from_slice(c);
        u64::from_le_bytes(w)
    }));
    v
}

fn digest_words(hex: &str) -> Vec<u64> {
    (0..4)
        .map(|i| u64::from_str_radix(&hex[16 * i..16 * i + 16], 16).unwrap())
        .collect()
}

#[test]
fn sha256_known_answers() {
    let cases: [(&[u8], &str); 4] = [
        (
            b"abc",
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ),
        (
            b"",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ),
        (
            b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
        ),
        (
            b"The quick brown fox jumps over the lazy dog",
            "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592",
        ),
    ];
    for (msg, hex) in cases {
        let r = run("sha256", &[], &sha_inputs(msg));
        assert_eq!(
            r.outcome.instances,
            digest_words(hex),
            "sha256({:?})",
            String::from_utf8_lossy(msg)
        );
        assert_eq!(r.outcome.private_inputs_read, 1 + msg.len().div_ceil(8));
    }
}

#[test]
fn sha256_missing_message_word() {
    // Claims 20 bytes but gives 2 of the 3 words.
    let err = run_err("sha256", &[], &[20, 1, 2]);
    assert_eq!(
        err,
        Error::MissingInput {
            kind: InputKind::Private,
            index: 3
        }
    );
}

// ---------------------------------------------------------------------------------------------
// sort

fn sort_public(values: &[u64]) -> Vec<u64> {
    vec![
        values.len() as u64,
        values.iter().fold(0u64, |a, &v| a.wrapping_add(v)),
    ]
}

#[test]
fn sort_known_answer() {
    let values = [5, 3, 1 << 63, 9, 1, 3, 0, 3];
    let r = run("sort", &sort_public(&values), &values);
    assert_eq!(
        r.outcome.instances,
        vec![8, 0x8000_0000_0000_0018, 0, 1, 3, 3, 3, 5, 9, 1 << 63]
    );
}

#[test]
fn sort_matches_std_sort() {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for n in [0usize, 1, 2, 9, 17, 64, 100] {
        let values: Vec<u64> = (0..n)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                if i % 5 == 0 {
                    x % 4 // duplicates
                } else {
                    x
                }
            })
            .collect();
        let r = run("sort", &sort_public(&values), &values);
        let mut sorted = values.clone();
        sorted.sort_unstable();
        assert_eq!(r.outcome.outputs, sorted, "n = {n}");
        assert_eq!(r.outcome.instances[..2], sort_public(&values)[..]);
    }
}

#[test]
fn sort_bad_private_input_fails_require() {
    let values = [5, 3, 8, 1];
    let mut bad = values;
    bad[2] = 7; // the checksum no longer matches
    let err = run_err("sort", &sort_public(&values), &bad);
    assert!(matches!(err, Error::RequireFailed { .. }), "{err}");
}

#[test]
fn sort_missing_private_input() {
    let values = [5, 3, 8, 1, 2];
    let err = run_err("sort", &sort_public(&values), &values[..4]);
    assert_eq!(
        err,
        Error::MissingInput {
            kind: InputKind::Private,
            index: 4
        }
    );
}

// ---------------------------------------------------------------------------------------------
// switch: br_table

#[test]
fn switch_bytecode_interpreter() {
    let r = run("switch", &[27], &[]);
    assert_eq!(
        r.outcome.instances,
        vec![27, 6930, 111, 27u64.wrapping_sub(27 * 27), 0xb9b0_a7a9]
    );
    let br_tables = r.count(|i| matches!(i, Instr::BrTable { .. }));
    assert_eq!(
        br_tables, 2565,
        "one br_table per dispatched bytecode instruction"
    );

    let r = run("switch", &[7], &[]);
    assert_eq!(
        r.outcome.instances,
        vec![7, 140, 16, 7u64.wrapping_sub(49), 0x20ef_11e8]
    );
    let r = run("switch", &[1], &[]);
    assert_eq!(r.outcome.instances, vec![1, 1, 0, 0, 0x0551_2c0c]);
}

// ---------------------------------------------------------------------------------------------
// fnptr: call_indirect

fn fnptr_expected(seed: u64, n: u64) -> Vec<u64> {
    let ops: [fn(u64, u64) -> u64; 8] = [
        |a, b| a.wrapping_add(b),
        |a, b| a.wrapping_sub(b),
        |a, b| a.wrapping_mul(b),
        |a, b| a ^ b,
        |a, b| a | (b >> 7),
        |a, b| a & !b,
        |a, b| a.rotate_left((b & 63) as u32),
        |a, b| a.max(b),
    ];
    let unops: [fn(u32) -> u32; 4] = [
        |x| x.wrapping_add(1),
        |x| x.wrapping_mul(2).wrapping_add(1),
        |x| x.wrapping_neg(),
        |x| (x ^ (x >> 13)).wrapping_mul(0x9e37_79b1),
    ];
    let mut x = seed;
    let xs: Vec<u64> = (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            x
        })
        .collect();
    let mut acc = seed;
    for (i, &v) in xs.iter().enumerate() {
        acc = ops[((seed >> ((i % 21) * 3)) & 7) as usize](acc, v);
    }
    let mut h = 0u64;
    for (j, op) in ops.iter().enumerate() {
        h = h
            .wrapping_mul(31)
            .wrapping_add(xs.iter().fold(j as u64, |a, &v| op(a, v)));
    }
    let mut s = seed as u32;
    for &v in &xs {
        s = unops[((v >> 62) & 3) as usize](s);
    }
    vec![seed, n, acc, h, s as u64]
}

#[test]
fn fnptr_indirect_calls() {
    let r = run("fnptr", &[0x9e37_79b9_7f4a_7c15, 40], &[]);
    assert_eq!(
        r.outcome.instances,
        vec![
            0x9e37_79b9_7f4a_7c15,
            40,
            0x672f_5ea3_9b02_6ecf,
            0x1d4d_edc9_38e7_1a1b,
            0xfaab_68bb
        ]
    );
    assert_eq!(
        r.outcome.instances,
        fnptr_expected(0x9e37_79b9_7f4a_7c15, 40)
    );
    // 40 in the chain, 8 folds of 40, 40 unary calls.
    assert_eq!(
        r.count(|i| matches!(i, Instr::CallIndirect { .. })),
        40 + 8 * 40 + 40
    );
    for (seed, n) in [(0, 1), (12345, 64), (u64::MAX, 21)] {
        assert_eq!(
            run("fnptr", &[seed, n], &[]).outcome.instances,
            fnptr_expected(seed, n)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// i64arith

/// Mirror of `mix` in guests/i64arith.c.
fn mix(a: u64, b: u64) -> u64 {
    let (sa, sb) = (a as i64, b as i64);
    let du = b | 1;
    let du2 = (b >> 5) | 2;
    let mut ds = (b | 1) as i64;
    let ds2 = ((sb >> 9) & !7) | 4;
    if ds == -1 {
        ds = 7;
    }
    let mut r = a.wrapping_mul(b);
    r = r.wrapping_add(a / du);
    r ^= a % du2;
    r = r.wrapping_add((sa / ds) as u64);
    r ^= (sa % ds2) as u64;
    r = r.wrapping_add(a << (b & 63));
    r ^= a >> (b >> 58);
    r = r.wrapping_add((sa >> (b & 63)) as u64);
    r ^= a.rotate_left((b & 63) as u32);
    r = r.wrapping_add(b.rotate_right((a & 63) as u32));
    r ^= a.leading_zeros() as u64
        | (b.trailing_zeros() as u64) << 8
        | ((a ^ b).count_ones() as u64) << 16;
    r = r.wrapping_add(
        ((sa < sb) as u64) << 1
            | ((a < b) as u64) << 2
            | ((sa >= sb) as u64) << 3
            | ((a >= b) as u64) << 4
            | ((a == b) as u64) << 5
            | ((a == 0) as u64) << 6
            | ((sa > 0) as u64) << 7,
    );
    let (x, y) = (a as u32, (b >> 32) as u32);
    let (sx, sy) = (x as i32, y as i32);
    let dy = y | 1;
    let mut sdy = sy | 1;
    if sdy == -1 {
        sdy = 5;
    }
    let q = x / dy;
    let m = x % dy.wrapping_add(2);
    let sq = sx / sdy;
    let sm = sx % ((sy & !7) | 4);
    r = r.wrapping_add((q as u64) << 32 | m as u64);
    r ^= sq as i64 as u64;
    r = r.wrapping_add(sm as u32 as u64);
    r ^= ((x << (y & 31)) as u64) << 3;
    r = r.wrapping_add((sx >> (y & 31)) as i64 as u64);
    r ^= ((x >> (y & 31)) as u64) << 7;
    r = r.wrapping_add((x.rotate_left(y & 31) as u64).wrapping_mul(3));
    r ^= (x.leading_zeros() as u64) << 40
        | (y.trailing_zeros() as u64) << 48
        | ((x & y).count_ones() as u64) << 56;
    r = r.wrapping_add(x.wrapping_mul(y) as u64 + (sx < sy) as u64 + (x > y) as u64 * 2);
    if sa & 1 != 0 {
        r
    } else {
        !r
    }
}

fn i64arith_expected(a0: u64, b0: u64, rounds: u64, c: i64, d: i64) -> Vec<u64> {
    let (mut a, mut b) = (a0, b0);
    for i in 0..rounds {
        let na = mix(a, b);
        b = b.rotate_left(17) ^ a.wrapping_add(i);
        a = na;
    }
    vec![a0, b0, rounds, a, b, c as u64, d as u64, (c / d) as u64]
}

#[test]
fn i64arith_matches_mirror() {
    let cases = [
        (0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210, 100, -7, 2),
        (0, 0, 10, 7, -2),
        (u64::MAX, 1 << 63, 33, i64::MIN, 3),
        (
            0x8000_0000_0000_0001,
            0xffff_ffff_0000_0001,
            50,
            i64::MAX,
            i64::MIN,
        ),
        (1, u64::MAX, 7, -1, 1),
    ];
    for (a, b, rounds, c, d) in cases {
        let r = run("i64arith", &[a, b, rounds, c as u64, d as u64], &[]);
        assert_eq!(
            r.outcome.instances,
            i64arith_expected(a, b, rounds, c, d),
            "a={a:#x} b={b:#x}"
        );
    }
    // The README's example.
    assert_eq!(
        i64arith_expected(0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210, 100, -7, 2)[3..5],
        [0xe70c_5f25_6042_4408, 0x4eb5_559f_cab9_cb05]
    );
    let r = run("i64arith", &[3, 5, 1, 1, 1], &[]);
    for pred in [
        |i| {
            matches!(
                i,
                Instr::Bin {
                    op: BinOp::RemS,
                    ty: ValTy::I64
                }
            )
        },
        |i| {
            matches!(
                i,
                Instr::Bin {
                    op: BinOp::RemU,
                    ty: ValTy::I32
                }
            )
        },
        |i| {
            matches!(
                i,
                Instr::Bin {
                    op: BinOp::Rotr,
                    ty: ValTy::I64
                }
            )
        },
        |i| {
            matches!(
                i,
                Instr::Unary {
                    op: UnaryOp::Clz,
                    ty: ValTy::I64
                }
            )
        },
    ] {
        assert!(r.count(pred) > 0);
    }
    // `popcnt` is a call of its helper.
    let popcnt = helper(&r, Helper::I32Popcnt);
    assert!(r.trace.frames.iter().any(|f| f.callee == popcnt));
}

#[test]
fn i64arith_division_traps() {
    let err = run_err("i64arith", &[1, 2, 3, 10, 0], &[]);
    assert_eq!(err.trap(), Some(TrapKind::IntegerDivideByZero), "{err}");
    let err = run_err("i64arith", &[1, 2, 3, i64::MIN as u64, u64::MAX], &[]);
    assert_eq!(err.trap(), Some(TrapKind::IntegerOverflow), "{err}");
}

// ---------------------------------------------------------------------------------------------
// bytes

const BYTES_INIT: &[u8] =
    b"The quick brown fox jumps over the lazy dog; zkwasm bytes test 0123456789abcdef";

/// Mirror of guests/bytes.c.
fn bytes_expected(seed: u64, rounds: u64) -> Vec<u64> {
    let mut buf = [0u8; 80];
    buf[..BYTES_INIT.len()].copy_from_slice(BYTES_INIT);
    let u16_at = |b: &[u8; 80], p: usize| u16::from_le_bytes(b[p..p + 2].try_into().unwrap());
    let u32_at = |b: &[u8; 80], p: usize| u32::from_le_bytes(b[p..p + 4].try_into().unwrap());
    let u64_at = |b: &[u8; 80], p: usize| u64::from_le_bytes(b[p..p + 8].try_into().unwrap());
    let mut h = seed;
    for round in 0..rounds as u32 {
        // scramble(h ^ round, round)
        let mut x = h ^ round as u64;
        for o in 0..64u32 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let p = ((o * 7 + round) % 64) as usize;
            match (x >> 60) & 7 {
                0 => buf[p] = (x >> 32) as u8,
                1 => buf[p..p + 2].copy_from_slice(&((x >> 40) as u16).to_le_bytes()),
                2 => buf[p..p + 4].copy_from_slice(&((x >> 16) as u32).to_le_bytes()),
                3 => buf[p..p + 8].copy_from_slice(&x.to_le_bytes()),
                4 => {
                    let v = u64_at(&buf, p) ^ (x >> 1);
                    buf[p..p + 8].copy_from_slice(&v.to_le_bytes());
                }
                5 => {
                    let v = u32_at(&buf, p).wrapping_add((x >> 33) as u32);
                    buf[p..p + 4].copy_from_slice(&v.to_le_bytes());
                }
                6 => {
                    let v = u16_at(&buf, p + 1).wrapping_sub((x >> 24) as u16);
                    buf[p + 1..p + 3].copy_from_slice(&v.to_le_bytes());
                }
                _ => buf[p + 3] = buf[p] ^ buf[p + 9],
            }
        }
        // checksum(h)
        for p in 0..64usize {
            let step = |h: u64, v: u64| h.wrapping_mul(31).wrapping_add(v);
            for v in [
                buf[p] as i8 as i32 as u32 as u64,
                buf[p + 1] as u64,
                u16_at(&buf, p + 2) as i16 as i32 as u32 as u64,
                u16_at(&buf, p + 1) as u64,
                u32_at(&buf, p + 3) as u64,
                buf[p + 4] as i8 as i64 as u64,
                buf[p + 5] as u64,
                u16_at(&buf, p + 5) as i16 as i64 as u64,
                u16_at(&buf, p + 6) as u64,
                u32_at(&buf, p + 7) as i32 as i64 as u64,
                u32_at(&buf, p + 2) as u64,
                u64_at(&buf, p + 5),
            ] {
                h = step(h, v);
            }
            let w = h as u32;
            h = step(h, w.wrapping_add(3) as i8 as i32 as u32 as u64);
            h = step(h, w.wrapping_mul(5) as i16 as i32 as u32 as u64);
            h = step(h, (h >> 3) as i8 as i64 as u64);
            h = step(h, (h >> 5) as i16 as i64 as u64);
            h = step(h, (h >> 7) as i32 as i64 as u64);
        }
    }
    let mut out = vec![seed, rounds, h];
    out.extend((0..4).map(|i| u64_at(&buf, 8 * i)));
    out
}

#[test]
fn bytes_matches_mirror() {
    for (seed, rounds) in [(0x0123_4567_89ab_cdef, 3), (0, 1), (u64::MAX, 5)] {
        let r = run("bytes", &[seed, rounds], &[]);
        assert_eq!(
            r.outcome.instances,
            bytes_expected(seed, rounds),
            "seed {seed:#x}"
        );
    }
    // The README's example.
    assert_eq!(
        bytes_expected(0x0123_4567_89ab_cdef, 3)[2..],
        [
            0x3fcf_0b87_28a3_f868,
            0x2650_6c04_e376_c3fc,
            0xa1a2_9b0b_0dd6_6378,
            0x1c8a_8586_d6b7_4c57,
            0x24f8_3c49_3998_b260
        ]
    );
    let r = run("bytes", &[42, 2], &[]);
    let kinds = [
        LoadKind::I32S8,
        LoadKind::I32U8,
        LoadKind::I32S16,
        LoadKind::I32U16,
        LoadKind::I32,
        LoadKind::I64S8,
        LoadKind::I64U8,
        LoadKind::I64S16,
        LoadKind::I64U16,
        LoadKind::I64S32,
        LoadKind::I64U32,
        LoadKind::I64,
    ];
    for k in kinds {
        assert!(
            r.count(|i| matches!(i, Instr::Load { kind, .. } if kind == k)) > 0,
            "{k:?} executed"
        );
    }
    for op in [
        ConvOp::I32Extend8S,
        ConvOp::I32Extend16S,
        ConvOp::I64Extend8S,
        ConvOp::I64Extend16S,
        ConvOp::I64Extend32S,
    ] {
        assert!(r.count(|i| i == Instr::Conv(op)) > 0, "{op:?} executed");
    }
    for bytes in [1, 2, 4, 8] {
        assert!(
            r.count(|i| matches!(i, Instr::Store { kind, .. } if kind.bytes == bytes)) > 0,
            "store{}",
            bytes * 8
        );
    }
    // Some loads and stores touched two 8-byte blocks.
    let straddling = r
        .trace
        .steps
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            matches!(
                r.image.instr(s.fid, s.iid),
                Some(Instr::Load { .. } | Instr::Store { .. })
            ) && r
                .trace
                .events_of(*i)
                .iter()
                .filter(|e| e.loc == tracer::trace::Loc::Heap)
                .count()
                >= 2
        })
        .count();
    assert!(straddling > 0, "no access crossed an 8-byte boundary");
}

// ---------------------------------------------------------------------------------------------
// bulk: memory.copy / memory.fill

/// Mirror of guests/bulk.c (without the out-of-bounds copy).
fn bulk_expected(seed: u64, rounds: u64, oob: u64) -> Vec<u64> {
    const LEN: u64 = 2048;
    let mut buf = vec![0u8; LEN as usize];
    let mut x = seed;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        x >> 33
    };
    for _ in 0..rounds {
        let a = next() % LEN;
        let n = next() % (LEN - a) % 300;
        let v = next() as u8;
        buf[a as usize..(a + n) as usize].fill(v);

        let src = next() % (LEN / 2);
        let dst = LEN / 2 + next() % (LEN / 2);
        let mut m = next() % 257;
        if src + m > LEN / 2 {
            m = LEN / 2 - src;
        }
        if dst + m > LEN {
            m = LEN - dst;
        }
        buf.copy_within(src as usize..(src + m) as usize, dst as usize);

        let s = (next() % (LEN - 512)) as usize;
        let k = (next() % 200) as usize;
        let d = (next() % 64) as usize;
        buf.copy_within(s + d..s + d + k, s);
        buf.copy_within(s..s + k, s + d + 1);
    }
    let h = buf.chunks(8).fold(0u64, |h, w| {
        (h ^ u64::from_le_bytes(w.try_into().unwrap())).wrapping_mul(0x100000001b3)
    });
    vec![
        seed,
        rounds,
        oob,
        h,
        u64::from_le_bytes(buf[..8].try_into().unwrap()),
    ]
}

#[test]
fn bulk_matches_mirror_and_calls_the_helpers() {
    for (seed, rounds) in [(7, 8), (0xdead_beef, 16), (0, 1)] {
        let r = run("bulk", &[seed, rounds, 0], &[]);
        assert_eq!(
            r.outcome.instances,
            bulk_expected(seed, rounds, 0),
            "seed {seed:#x}"
        );
    }
    let r = run("bulk", &[7, 8, 0], &[]);
    assert_eq!(r.outcome.instances, [7, 8, 0, 0x2d39_832a_0bbf_9885, 0]); // the README's example
    let (copy, fill) = (
        helper(&r, Helper::MemoryCopy),
        helper(&r, Helper::MemoryFill),
    );
    let calls = |fid: u32| r.trace.frames.iter().filter(|f| f.callee == fid).count();
    // Per round: 4 copies and 2 fills.
    assert!(
        calls(copy) >= 4 * 8 && calls(fill) >= 2 * 8,
        "copies {}, fills {}",
        calls(copy),
        calls(fill)
    );
    let distinct_copy_sites: std::collections::BTreeSet<(u32, u32)> = r
        .trace
        .frames
        .iter()
        .filter(|f| f.callee == copy)
        .map(|f| (f.ret_fid, f.ret_iid))
        .collect();
    assert!(distinct_copy_sites.len() >= 3, "{distinct_copy_sites:?}");
}

#[test]
fn bulk_out_of_bounds_copy_traps_before_writing() {
    let err = run_err("bulk", &[7, 2, 1], &[]);
    assert_eq!(err.trap(), Some(TrapKind::MemoryOutOfBounds), "{err}");
}

// ---------------------------------------------------------------------------------------------
// All programs

/// Step counts of the README's inputs: every program stays small (well under 200k steps).
#[test]
fn step_counts_stay_small() {
    let sha = sha_inputs(b"abc");
    let sort = [5, 3, 1 << 63, 9, 1, 3, 0, 3];
    let runs: Vec<(&str, Vec<u64>, Vec<u64>)> = vec![
        ("wasm_output", vec![133, 2], vec![]),
        ("fib", vec![20], vec![]),
        ("sha256", vec![], sha),
        ("sort", sort_public(&sort), sort.to_vec()),
        ("switch", vec![27], vec![]),
        ("fnptr", vec![0x9e37_79b9_7f4a_7c15, 40], vec![]),
        (
            "i64arith",
            vec![
                0x0123_4567_89ab_cdef,
                0xfedc_ba98_7654_3210,
                100,
                -7i64 as u64,
                2,
            ],
            vec![],
        ),
        ("bytes", vec![0x0123_4567_89ab_cdef, 3], vec![]),
        ("bulk", vec![7, 8, 0], vec![]),
        ("weighted", vec![3, 7, 1000], vec![1, 2, 3]),
        ("fibonacci", vec![90], vec![]),
        ("horner", vec![3, 2], vec![2, 0, 5]),
    ];
    let mut steps = BTreeMap::new();
    for (name, public, private) in runs {
        let out =
            tracer::dry_run(&image(name), &inputs(&public, &private), &Limits::default()).unwrap();
        eprintln!(
            "{name}: {} steps, instances {:#x?}",
            out.steps, out.instances
        );
        steps.insert(name, out.steps);
    }
    for (name, n) in steps {
        assert!(n < 200_000, "{name}: {n} steps");
    }
}

/// Every committed binary imports only the host ABI and has a `zkmain` export.
#[test]
fn all_guests_load() {
    let dir = format!("{}/guests/wasm", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "bulk",
            "bytes",
            "fib",
            "fibonacci",
            "fnptr",
            "horner",
            "i64arith",
            "sha256",
            "sort",
            "switch",
            "wasm_output",
            "weighted"
        ],
        "guests/wasm and the tests list the same programs"
    );
    for name in names {
        let image = image(&name);
        assert!(
            image.module.unsupported.is_empty(),
            "{name}: {:?}",
            image.module.unsupported
        );
    }
}

/// More inputs for the programs with a Rust mirror: tracer, oracle and mirror agree.
#[test]
fn sweep_against_mirrors() {
    let mut x = 0x853c_49e6_748f_ea9bu64;
    let mut rand = move || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        x ^ (x >> 29)
    };
    for _ in 0..12 {
        let seed = rand();
        let rounds = 1 + rand() % 16;
        assert_eq!(
            run("bulk", &[seed, rounds, 0], &[]).outcome.instances,
            bulk_expected(seed, rounds, 0)
        );
        let rounds = 1 + rand() % 4;
        assert_eq!(
            run("bytes", &[seed, rounds], &[]).outcome.instances,
            bytes_expected(seed, rounds)
        );
        let n = 1 + rand() % 64;
        assert_eq!(
            run("fnptr", &[seed, n], &[]).outcome.instances,
            fnptr_expected(seed, n)
        );
        let (a, b, rounds) = (rand(), rand(), rand() % 40);
        let (c, d) = (rand() as i64, (rand() as i64) >> (rand() % 64));
        if d != 0 && !(c == i64::MIN && d == -1) {
            let public = [a, b, rounds, c as u64, d as u64];
            let expected = i64arith_expected(a, b, rounds, c, d);
            assert_eq!(run("i64arith", &public, &[]).outcome.instances, expected);
        }
        let n = 1 + rand() % 30;
        assert_eq!(run("switch", &[n], &[]).outcome.instances[0], n);
    }
}
