//! Real KZG proofs end to end: parameters cached on disk, keys bound to a program, proofs that
//! verify, and every way a proof or its file can be wrong is refused with its error.

use halo2_proofs::poly::commitment::Params;
use std::path::PathBuf;
use zkwasm_prover::{load_params, program_id, prove, setup, verify, Error, Proof};
use zkwasm_tracer::{load, Image, Inputs, Limits};

/// zkWasm's wasm_output example (twice: read a public input, output its double).
const EXAMPLE: &str = r#"(module
  (import "env" "wasm_input" (func $in (param i32) (result i64)))
  (import "env" "wasm_output" (func $out (param i64)))
  (func (export "zkmain")
    (call $out (i64.mul (call $in (i32.const 1)) (i64.const 2)))
    (call $out (i64.mul (call $in (i32.const 1)) (i64.const 2)))))"#;

fn image(wat: &str) -> Image {
    load(wat.as_bytes(), &Limits::default())
        .unwrap()
        .image("zkmain")
        .unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("zkwasm-prover-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn inputs(public: Vec<u64>) -> Inputs {
    Inputs {
        public,
        private: vec![],
    }
}

#[test]
fn params_are_generated_once_then_read() {
    let dir = temp_dir("params");
    let (p1, generated) = load_params(&dir, 10).unwrap();
    assert!(generated);
    let (p2, generated) = load_params(&dir, 10).unwrap();
    assert!(!generated);
    let (mut a, mut b) = (vec![], vec![]);
    p1.write(&mut a).unwrap();
    p2.write(&mut b).unwrap();
    assert_eq!(a, b, "the cached parameters are the ones written");
    std::fs::write(dir.join("K10.params"), b"not params").unwrap();
    assert!(matches!(load_params(&dir, 10), Err(Error::Params(_))));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn prove_verify_and_every_wrong_proof_is_refused() {
    let dir = temp_dir("e2e");
    let (params, _) = load_params(&dir, 10).unwrap();
    let limits = Limits::default();
    let img = image(EXAMPLE);
    let keys = setup(&params, &img, &limits).unwrap();
    let proof = prove(&params, &keys, &img, &inputs(vec![133, 2]), &limits).unwrap();
    assert_eq!(
        verify(&params, &keys, &proof).unwrap(),
        vec![133, 266, 2, 4]
    );

    // The file round-trips and is refused when damaged.
    let file = proof.to_bytes();
    assert_eq!(Proof::from_bytes(&file).unwrap(), proof);
    assert!(matches!(
        Proof::from_bytes(&file[..file.len() - 1]),
        Err(Error::Format(_))
    ));
    assert!(matches!(
        Proof::from_bytes(b"something else"),
        Err(Error::Format(_))
    ));
    let mut version = file.clone();
    version[8] = 9;
    let e = Proof::from_bytes(&version).unwrap_err();
    assert!(e.to_string().contains("format version 9"), "{e}");
    let mut flipped = proof.clone();
    flipped.bytes[100] ^= 1;
    assert!(matches!(
        verify(&params, &keys, &flipped),
        Err(Error::Invalid)
    ));
    let mut wrong = proof.clone();
    wrong.instances[1] = 267;
    assert!(matches!(
        verify(&params, &keys, &wrong),
        Err(Error::Invalid)
    ));
    let mut extra = proof.clone();
    extra.instances.push(0);
    assert!(matches!(
        verify(&params, &keys, &extra),
        Err(Error::Invalid)
    ));

    // Keys of another program refuse the proof, and the proof of another program.
    let other = image(&EXAMPLE.replace("i64.const 2", "i64.const 3"));
    assert_ne!(program_id(&other, &limits, 10), keys.program_id);
    let other_keys = setup(&params, &other, &limits).unwrap();
    assert!(matches!(
        verify(&params, &other_keys, &proof),
        Err(Error::ProgramMismatch { .. })
    ));
    assert!(matches!(
        prove(&params, &keys, &other, &inputs(vec![1, 1]), &limits),
        Err(Error::ProgramMismatch { .. })
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn runs_that_cannot_be_proved_say_why() {
    let dir = temp_dir("limits");
    let (params, _) = load_params(&dir, 10).unwrap();
    let limits = Limits::default();
    // Too long for k = 10: the error names the k that fits.
    let long = image(
        r#"(module (func (export "zkmain") (local i32)
             (local.set 0 (i32.const 400))
             (loop (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))))"#,
    );
    let keys = setup(&params, &long, &limits).unwrap();
    let e = prove(&params, &keys, &long, &Inputs::default(), &limits).unwrap_err();
    assert!(matches!(e, Error::TooLong { need: 13, k: 10 }), "{e}");
    // An instruction without a circuit yet.
    let and =
        image(r#"(module (func (export "zkmain") (drop (i32.and (i32.const 6) (i32.const 3)))))"#);
    let keys = setup(&params, &and, &limits).unwrap();
    let e = prove(&params, &keys, &and, &Inputs::default(), &limits).unwrap_err();
    assert!(matches!(e, Error::Unsupported(_)), "{e}");
    // A run that fails is reported as such.
    let e = prove(&params, &keys, &image(EXAMPLE), &inputs(vec![]), &limits);
    assert!(e.is_err());
    let _ = std::fs::remove_dir_all(&dir);
}
