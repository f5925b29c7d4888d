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
        (7, "e4b67fafbf3a8f25febed53d0bb370559a02c5b6cf69b7df57910b9e74fd6cfb"),
        "the verifying key changed (program id {}): if the circuit changed on purpose, bump CIRCUIT_VERSION and pin the new hash",
        vk.program_id
    );
}
