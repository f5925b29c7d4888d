//! End to end through the library: bundled guests proved and verified with real KZG proofs at
//! small k, one proving key shared by concurrent provers, and the golden verifying key.

use rand::SeedableRng;
use zkwasm::prover::{self, Params, Program};
use zkwasm::tracer::{Inputs, Limits};

fn guest(name: &str) -> Program {
    let path = format!("{}/guests/wasm/{name}.wasm", env!("CARGO_MANIFEST_DIR"));
    let wasm = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Program::load(&wasm, "zkmain", Limits::default()).unwrap()
}

fn inputs(public: &[u64], private: &[u64]) -> Inputs {
    Inputs {
        public: public.to_vec(),
        private: private.to_vec(),
    }
}

/// Development parameters from a fixed seed: reproducible keys (never for production).
fn seeded_params(k: u32) -> Params {
    Params::setup(k, rand::rngs::StdRng::seed_from_u64(20261121))
}

#[test]
fn bundled_guests_prove_and_verify() {
    let cases: [(&str, Inputs, Vec<u64>); 3] = [
        (
            "weighted",
            inputs(&[3, 7, 1000], &[1, 2, 3]),
            vec![3, 7, 1000, 42],
        ),
        ("horner", inputs(&[3, 2], &[2, 0, 5]), vec![3, 2, 23]),
        ("fibonacci", inputs(&[20], &[]), vec![20, 6765]),
    ];
    for (name, inputs, expected) in cases {
        let program = guest(name);
        let run = prover::execute(&program, &inputs).unwrap();
        assert_eq!(run.unprovable, None, "{name}");
        let params = seeded_params(run.min_k);
        let (pk, vk) = prover::setup(&params, &program).unwrap();
        let proof = prover::prove(&params, &pk, &program, &inputs).unwrap();
        assert_eq!(proof.instances, run.outcome.instances, "{name}");
        let proof = prover::Proof::from_bytes(&proof.to_bytes()).unwrap();
        assert_eq!(
            prover::verify(&params, &vk, &proof).unwrap(),
            expected,
            "{name}"
        );
    }
}

/// Loads, stores (aligned, unaligned, across two blocks), `memory.size` and `memory.grow`: a
/// public value stored as 8 bytes at an odd address spanning two blocks, its bytes summed back
/// with byte loads, a signed half-word, the grow's and size's results (widened by a store and
/// a load) and the last block of memory after the grow, output; then conversions (a wrap and
/// the sign and zero extensions) of a loaded byte and a constant, shifts and rotations (an
/// arithmetic shift of a negative i64, an i32 shift by more than its width, then rotated),
/// counts of leading and trailing zeros, signed and unsigned divisions and remainders, and
/// bitwise ops (`and`, `or`, `xor` through the bit table).
const MEMORY: &str = r#"(module
  (import "env" "wasm_input" (func $in (param i32) (result i64)))
  (import "env" "wasm_output" (func $out (param i64)))
  (memory 1 2)
  (data (i32.const 16) "\fe\ff")
  (func (export "zkmain") (local $i i32) (local $sum i64)
    (i64.store offset=5 (i32.const 0) (call $in (i32.const 1)))
    (loop $bytes
      (local.set $sum (i64.add (local.get $sum)
        (i64.load8_u offset=5 (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $bytes (i32.lt_u (local.get $i) (i32.const 8))))
    (call $out (local.get $sum))
    (call $out (i64.load16_s (i32.const 16)))
    (i32.store (i32.const 32) (memory.grow (i32.const 1)))
    (call $out (i64.load32_u (i32.const 32)))
    (i64.store offset=131064 (i32.const 0) (i64.load offset=5 (i32.const 0)))
    (call $out (i64.load (i32.const 131064)))
    (i32.store (i32.const 32) (memory.size))
    (call $out (i64.load32_u (i32.const 32)))
    (call $out (i64.extend_i32_s (i32.wrap_i64 (i64.load8_s (i32.const 16)))))
    (call $out (i64.extend_i32_u (i32.extend8_s (i32.const 0x80))))
    (call $out (i64.shr_s (i64.const -256) (i64.const 68)))
    (call $out (i64.add (i64.clz (i64.const 0x100)) (i64.ctz (i64.const 0))))
    (call $out (i64.rem_s (i64.const -7) (i64.const 2)))
    (call $out (i64.extend_i32_u (i32.div_s (i32.const -7) (i32.const 2))))
    (call $out (i64.div_u (i64.const -1) (i64.const 3)))
    (call $out (i64.xor (i64.or (i64.and (i64.const -1) (i64.const 0xff00ff))
                                (i64.const 0x3000000000000000))
                        (i64.const 0x0f)))
    (call $out (i64.extend_i32_u
      (i32.rotr (i32.shl (i32.const 0x12345678) (i32.const 36)) (i32.const 8))))))"#;

#[test]
fn memory_program_proves_and_verifies() {
    let program = Program::load(MEMORY.as_bytes(), "zkmain", Limits::default()).unwrap();
    let value = 0x0102_0304_0506_0708;
    let inputs = inputs(&[value], &[]);
    let run = prover::execute(&program, &inputs).unwrap();
    assert_eq!(run.unprovable, None);
    let params = seeded_params(run.min_k);
    let (pk, vk) = prover::setup(&params, &program).unwrap();
    let proof = prover::prove(&params, &pk, &program, &inputs).unwrap();
    let expected = vec![
        value,
        36,
        u64::MAX - 1,
        1,
        value,
        2,
        u64::MAX - 1,
        0xffff_ff80,
        u64::MAX - 15,
        55 + 64,
        u64::MAX,
        0xffff_fffd,
        u64::MAX / 3,
        0x3000_0000_00ff_00f0,
        0x8023_4567,
    ];
    assert_eq!(prover::verify(&params, &vk, &proof).unwrap(), expected);
    // A byte after the transcript: the same proof in another encoding, refused (anything
    // keyed on a proof's hash needs one encoding per proof).
    let mut longer = proof.clone();
    longer.bytes.push(0);
    let err = prover::verify(&params, &vk, &longer).unwrap_err();
    assert!(
        matches!(&err, prover::Error::Format(m) if m.contains("1 byte after")),
        "{err}"
    );
}

#[test]
fn one_proving_key_serves_concurrent_provers() {
    let program = guest("horner");
    let params = seeded_params(10);
    let (pk, vk) = prover::setup(&params, &program).unwrap();
    let proofs: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..3u64)
            .map(|x| {
                let (params, pk, program) = (&params, &pk, &program);
                s.spawn(move || prover::prove(params, pk, program, &inputs(&[x, 1], &[2, 5])))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap().unwrap())
            .collect()
    });
    for (x, proof) in proofs.iter().enumerate() {
        let x = x as u64;
        assert_eq!(
            prover::verify(&params, &vk, proof).unwrap(),
            vec![x, 1, 2 * x + 5]
        );
    }
}

/// The verifying key file of a fixed program with fixed parameters. It changes only when the
/// circuit (or the image encoding) changes: then bump `prover::CIRCUIT_VERSION` and update the
/// hash, so keys and proofs of the old circuit are refused by their header rather than by a
/// failed proof. (A new key file layout changes it too, with `prover::FORMAT_VERSION`.)
#[test]
fn golden_verifying_key() {
    const GOLDEN: &str = r#"(module
      (import "env" "wasm_input" (func $in (param i32) (result i64)))
      (import "env" "wasm_output" (func $out (param i64)))
      (global $g (mut i64) (i64.const 7))
      (func $f (param i64) (result i64)
        (select (i64.mul (local.get 0) (global.get $g)) (i64.const 1)
                (i64.lt_u (local.get 0) (i64.const 100))))
      (func (export "zkmain")
        (call $out (call $f (i64.add (call $in (i32.const 1)) (i64.const 3))))))"#;
    let program = Program::load(GOLDEN.as_bytes(), "zkmain", Limits::default()).unwrap();
    let (_, vk) = prover::setup(&seeded_params(10), &program).unwrap();
    // The key file and the backend's digest (the file holds fixed-column commitments, not the
    // gates; the digest covers the constraint system too).
    let both = [vk.hash(), vk.circuit_digest()].concat();
    let digest = blake2b_simd::Params::new().hash_length(32).hash(&both);
    let hash: String = digest
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        (prover::CIRCUIT_VERSION, hash.as_str()),
        (12, "0b807b17eac13cdf5d8b15b1ea4c1d2ad3cf828dcef772c8af00531bd04490f4"),
        "the verifying key changed (program id {}): if the circuit changed on purpose, bump CIRCUIT_VERSION and pin the new hash",
        vk.program_id
    );
}
