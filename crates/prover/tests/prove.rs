//! Real KZG proofs end to end: parameters cached on disk, keys bound to a program, key and
//! proof files, progress and cancellation, and every way a proof, a key or their files can be
//! wrong is refused with its error, never a panic.

use halo2_proofs::poly::commitment::Params as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use zkwasm_prover::{
    execute, load_params, mock_prove, prove, prove_with, read_params, setup, verify, verifying_key,
    Control, Error, Origin, Params, Program, Proof, ProvingKey, Stage, VerifyingKey,
};
use zkwasm_tracer::{Inputs, Limits};

/// zkWasm's wasm_output example (twice: read a public input, output its double).
const EXAMPLE: &str = r#"(module
  (import "env" "wasm_input" (func $in (param i32) (result i64)))
  (import "env" "wasm_output" (func $out (param i64)))
  (func (export "zkmain")
    (call $out (i64.mul (call $in (i32.const 1)) (i64.const 2)))
    (call $out (i64.mul (call $in (i32.const 1)) (i64.const 2)))))"#;

fn program(wat: &str) -> Program {
    Program::load(wat.as_bytes(), "zkmain", Limits::default()).unwrap()
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

fn params(name: &str, k: u32) -> (Params, PathBuf) {
    let dir = temp_dir(name);
    (load_params(&dir, k).unwrap().0, dir)
}

#[test]
fn everything_is_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Params>();
    shared::<Program>();
    shared::<ProvingKey>();
    shared::<VerifyingKey>();
    shared::<Proof>();
    shared::<Control>();
    shared::<Error>();
}

#[test]
fn params_are_generated_once_read_then_cut_down() {
    let dir = temp_dir("params");
    let origin = |k| load_params(&dir, k).unwrap().1;
    let e = read_params(&dir, 11).unwrap_err();
    assert!(e.to_string().contains("K11.params"), "{e}");
    assert_eq!(origin(11), Origin::Generated(dir.join("K11.params")));
    assert_eq!(origin(11), Origin::Read(dir.join("K11.params")));
    // A smaller size comes from the larger file, and is then cached.
    assert_eq!(
        origin(10),
        Origin::Downsized {
            from: dir.join("K11.params"),
            cached: true
        }
    );
    assert_eq!(origin(10), Origin::Read(dir.join("K10.params")));
    // What was cut down is the larger setup's own downsizing.
    let mut larger =
        Params::read(&mut &std::fs::read(dir.join("K11.params")).unwrap()[..]).unwrap();
    larger.downsize(10);
    let (mut expected, mut got) = (vec![], vec![]);
    larger.write(&mut expected).unwrap();
    load_params(&dir, 10).unwrap().0.write(&mut got).unwrap();
    assert!(
        expected == got,
        "cut-down parameters differ from the larger setup's prefix"
    );
    assert_eq!(
        read_params(&dir, 11).unwrap().1,
        Origin::Read(dir.join("K11.params"))
    );
    std::fs::write(dir.join("K10.params"), b"not params").unwrap();
    assert!(matches!(load_params(&dir, 10), Err(Error::Params(_))));
    let mut wrong_k = std::fs::read(dir.join("K11.params")).unwrap();
    wrong_k[0] = 10;
    std::fs::write(dir.join("K10.params"), wrong_k).unwrap();
    assert!(matches!(load_params(&dir, 10), Err(Error::Params(_))));
    let e = load_params(&dir, 40).unwrap_err();
    assert!(e.to_string().contains("k = 40"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn concurrent_callers_share_one_parameter_file() {
    let dir = temp_dir("race");
    let written: Vec<Vec<u8>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| load_params(&dir, 10).unwrap().0))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                let mut bytes = vec![];
                h.join().unwrap().write(&mut bytes).unwrap();
                bytes
            })
            .collect()
    });
    let on_disk = std::fs::read(dir.join("K10.params")).unwrap();
    assert!(
        written.iter().all(|w| *w == on_disk),
        "every caller holds the file's parameters"
    );
    let files = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(files, 1, "no partial files left");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn prove_verify_and_every_wrong_proof_is_refused() {
    let (params, dir) = params("e2e", 10);
    let prog = program(EXAMPLE);
    let (pk, vk) = setup(&params, &prog).unwrap();
    assert_eq!(pk.program_id, prog.id(10));
    let proof = prove(&params, &pk, &prog, &inputs(vec![133, 2])).unwrap();
    assert_eq!(verify(&params, &vk, &proof).unwrap(), vec![133, 266, 2, 4]);

    // The file round-trips and is refused when damaged.
    let file = proof.to_bytes();
    assert_eq!(Proof::from_bytes(&file).unwrap(), proof);
    for cut in [0, 7, 12, 44, 48, 60, file.len() - 1] {
        assert!(matches!(
            Proof::from_bytes(&file[..cut]),
            Err(Error::Format(_))
        ));
    }
    let mut longer = file.clone();
    longer.push(0);
    assert!(matches!(Proof::from_bytes(&longer), Err(Error::Format(_))));
    let mut version = file.clone();
    version[8] = 9;
    let e = Proof::from_bytes(&version).unwrap_err();
    assert!(e.to_string().contains("format version 9"), "{e}");
    let mut circuit = file.clone();
    circuit[12] ^= 3;
    let e = Proof::from_bytes(&circuit).unwrap_err();
    assert!(e.to_string().contains("circuit version"), "{e}");
    let mut flipped = proof.clone();
    flipped.bytes[100] ^= 1;
    assert!(matches!(
        verify(&params, &vk, &flipped),
        Err(Error::Invalid)
    ));
    let mut wrong = proof.clone();
    wrong.instances[1] = 267;
    assert!(matches!(verify(&params, &vk, &wrong), Err(Error::Invalid)));
    let mut extra = proof.clone();
    extra.instances.push(0);
    assert!(matches!(verify(&params, &vk, &extra), Err(Error::Invalid)));
    let mut fewer = proof.clone();
    fewer.instances.pop();
    assert!(matches!(verify(&params, &vk, &fewer), Err(Error::Invalid)));

    // Keys of another program refuse the proof, and the proof of another program.
    let other = program(&EXAMPLE.replace("i64.const 2", "i64.const 3"));
    assert_ne!(other.id(10), prog.id(10));
    let (other_pk, other_vk) = setup(&params, &other).unwrap();
    let e = verify(&params, &other_vk, &proof).unwrap_err();
    assert!(matches!(e, Error::ProgramMismatch { .. }), "{e}");
    // ... also when the proof's id is rewritten to theirs: the key itself binds the program.
    let mut relabelled = proof.clone();
    relabelled.program_id = other_vk.program_id;
    assert!(matches!(
        verify(&params, &other_vk, &relabelled),
        Err(Error::Invalid)
    ));
    let e = prove(&params, &other_pk, &prog, &inputs(vec![1, 1])).unwrap_err();
    assert!(matches!(e, Error::ProgramMismatch { .. }), "{e}");

    // Keys and proofs of another size are refused, as are parameters of another size.
    let (params11, dir11) = self::params("e2e-11", 11);
    let (pk11, vk11) = setup(&params11, &prog).unwrap();
    let e = verify(&params, &vk11, &proof).unwrap_err();
    assert!(
        e.to_string().contains("at k = 10") && e.to_string().contains("at k = 11"),
        "{e}"
    );
    let e = verify(
        &params,
        &vk11,
        &prove(&params11, &pk11, &prog, &inputs(vec![1, 1])).unwrap(),
    )
    .unwrap_err();
    assert!(matches!(e, Error::ParamsMismatch(_)), "{e}");

    // Parameters of another setup (same k): refused by the keys' fingerprint of theirs.
    let (other_params, dir_other) = self::params("e2e-other", 10);
    let e = prove(&other_params, &pk, &prog, &inputs(vec![1, 1])).unwrap_err();
    assert!(e.to_string().contains("another setup"), "{e}");
    let e = verify(&other_params, &vk, &proof).unwrap_err();
    assert!(matches!(e, Error::ParamsMismatch(_)), "{e}");
    for d in [dir, dir11, dir_other] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn key_files_round_trip_and_damaged_ones_are_refused() {
    let (params, dir) = params("keys", 10);
    let prog = program(EXAMPLE);
    let (pk, vk) = setup(&params, &prog).unwrap();
    let vk_file = vk.to_bytes();
    let pk_file = pk.to_bytes();
    assert_eq!(pk.verifying_key().to_bytes(), vk_file);
    // A verifier makes the same key from the module alone; another module makes another.
    assert_eq!(verifying_key(&params, &prog).unwrap().to_bytes(), vk_file);
    let other = program(&EXAMPLE.replace("i64.const 2", "i64.const 3"));
    assert_ne!(verifying_key(&params, &other).unwrap().to_bytes(), vk_file);

    // Keys read back prove and verify.
    let vk2 = VerifyingKey::from_bytes(&vk_file).unwrap();
    let pk2 = ProvingKey::from_bytes(&pk_file).unwrap();
    assert_eq!(vk2.to_bytes(), vk_file);
    assert_eq!(vk2.hash(), vk.hash());
    let proof = prove(&params, &pk2, &prog, &inputs(vec![5, 6])).unwrap();
    assert_eq!(verify(&params, &vk2, &proof).unwrap(), vec![5, 10, 6, 12]);

    // A key of another circuit version: refused by its header, before the backend reads it.
    let mut old = vk_file.clone();
    old[12] = 1;
    let e = VerifyingKey::from_bytes(&old).unwrap_err();
    assert!(e.to_string().contains("circuit version 1"), "{e}");

    // A kind of file for another: refused by its magic.
    let e = VerifyingKey::from_bytes(&pk_file).unwrap_err();
    assert!(
        e.to_string().contains("not a zkwasm verifying key file"),
        "{e}"
    );
    assert!(ProvingKey::from_bytes(&vk_file).is_err());
    assert!(VerifyingKey::from_bytes(&proof.to_bytes()).is_err());

    // Truncated or with a byte flipped anywhere: refused by the checksum.
    for cut in (0..vk_file.len()).step_by(7) {
        assert!(
            VerifyingKey::from_bytes(&vk_file[..cut]).is_err(),
            "cut {cut}"
        );
    }
    for at in (0..vk_file.len()).step_by(3) {
        let mut damaged = vk_file.clone();
        damaged[at] ^= 0x10;
        let e = VerifyingKey::from_bytes(&damaged).unwrap_err();
        assert!(matches!(e, Error::Format(_)), "flip at byte {at}: {e}");
    }
    for cut in [0, 20, 52, 60, 100, pk_file.len() / 2, pk_file.len() - 1] {
        assert!(
            ProvingKey::from_bytes(&pk_file[..cut]).is_err(),
            "cut {cut}"
        );
    }
    let mut damaged = pk_file.clone();
    damaged[pk_file.len() / 2] ^= 1;
    let e = ProvingKey::from_bytes(&damaged).unwrap_err();
    assert!(e.to_string().contains("checksum"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Multi-value returns (moved before the return) and a host function called through the table
/// (through its wrapper) prove and verify with real KZG.
#[test]
fn multi_value_and_host_functions_in_the_table_prove() {
    let (params, dir) = params("multi", 10);
    let prog = program(
        r#"(module
  (import "env" "wasm_output" (func $out (param i64)))
  (table 1 funcref)
  (elem (i32.const 0) $out)
  (func $two (param i64) (result i64 i64) (local i64) (local.get 0) (i64.const 2))
  (func (export "zkmain")
    (call_indirect (param i64) (i64.mul (call $two (i64.const 5))) (i32.const 0))))"#,
    );
    assert_eq!(execute(&prog, &Inputs::default()).unwrap().unprovable, None);
    // Mock proving: the same circuit and witness, under MockProver at the run's k.
    let run = mock_prove(&prog, &Inputs::default()).unwrap();
    assert_eq!((run.min_k, run.outcome.instances), (10, vec![10]));
    let (pk, vk) = setup(&params, &prog).unwrap();
    let proof = prove(&params, &pk, &prog, &Inputs::default()).unwrap();
    assert_eq!(verify(&params, &vk, &proof).unwrap(), vec![10]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn runs_that_cannot_be_proved_say_why() {
    let (params, dir) = params("limits", 10);
    // Too long for k = 10: the error names the k that fits.
    let long = program(
        r#"(module (func (export "zkmain") (local i32)
             (local.set 0 (i32.const 800))
             (loop (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))))"#,
    );
    assert_eq!(execute(&long, &Inputs::default()).unwrap().min_k, 12);
    let (pk, _) = setup(&params, &long).unwrap();
    let e = prove(&params, &pk, &long, &Inputs::default()).unwrap_err();
    assert!(
        matches!(
            e,
            Error::TooLong {
                need: 12,
                k: 10,
                ..
            }
        ),
        "{e}"
    );
    // An image too large for k = 10: refused before key generation.
    let big = program(&format!(
        r#"(module (memory 2) (data (i32.const 0) "{}") (func (export "zkmain")))"#,
        "\\01".repeat(70_000)
    ));
    let e = setup(&params, &big).expect_err("too large");
    assert!(e.to_string().contains("image needs k = 14"), "{e}");
    // A run that fails is the tracer's error.
    let prog = program(EXAMPLE);
    let (pk, _) = setup(&params, &prog).unwrap();
    let e = prove(&params, &pk, &prog, &inputs(vec![1])).unwrap_err();
    assert!(matches!(e, Error::Tracer(_)), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn progress_is_reported_and_cancellation_stops_between_stages() {
    let (params, dir) = params("control", 10);
    let prog = program(EXAMPLE);
    let (pk, vk) = setup(&params, &prog).unwrap();
    let seen = Arc::new(Mutex::new(vec![]));
    let log = seen.clone();
    let control = Control::with_progress(move |stage, fraction| {
        log.lock().unwrap().push((stage, fraction));
    });
    let proof = prove_with(&params, &pk, &prog, &inputs(vec![1, 2]), &control).unwrap();
    assert!(verify(&params, &vk, &proof).is_ok());
    let expected: Vec<(Stage, f64)> = [Stage::Execute, Stage::Tables, Stage::Proof]
        .into_iter()
        .flat_map(|s| [(s, 0.0), (s, 1.0)])
        .collect();
    assert_eq!(*seen.lock().unwrap(), expected);

    // Cancelled before starting, and by the callback once the tables are done.
    let cancelled = Control::default();
    cancelled.cancel();
    let e = prove_with(&params, &pk, &prog, &inputs(vec![1, 2]), &cancelled).unwrap_err();
    assert!(matches!(e, Error::Cancelled(Stage::Execute)), "{e}");
    let slot: Arc<Mutex<Option<Control>>> = Arc::default();
    let handle = slot.clone();
    let control = Control::with_progress(move |stage, fraction| {
        if (stage, fraction) == (Stage::Tables, 1.0) {
            handle.lock().unwrap().as_ref().unwrap().cancel();
        }
    });
    *slot.lock().unwrap() = Some(control.clone());
    let e = prove_with(&params, &pk, &prog, &inputs(vec![1, 2]), &control).unwrap_err();
    assert!(matches!(e, Error::Cancelled(Stage::Proof)), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Files with a valid checksum around a damaged backend encoding (what a malicious key
/// publisher could send a verifier): refused or read, never a panic.
#[test]
fn resealed_damaged_keys_never_panic() {
    let (params, dir) = params("reseal", 10);
    let prog = program(EXAMPLE);
    let (_, vk) = setup(&params, &prog).unwrap();
    let file = vk.to_bytes();
    let body = &file[..file.len() - 32];
    let seal = |mut b: Vec<u8>| {
        let sum = blake2b_simd::Params::new().hash_length(32).hash(&b);
        b.extend_from_slice(sum.as_bytes());
        b
    };
    assert_eq!(seal(body.to_vec()), file);
    let mut variants = vec![];
    for at in (92..body.len()).step_by(11) {
        for x in [0x01u8, 0xff] {
            let mut b = body.to_vec();
            b[at] ^= x;
            variants.push(seal(b));
        }
        variants.push(seal(body[..at].to_vec()));
    }
    let mut longer = body.to_vec();
    longer.extend_from_slice(&[0; 40]);
    variants.push(seal(longer));
    for (i, v) in variants.iter().enumerate() {
        let read = std::panic::catch_unwind(|| VerifyingKey::from_bytes(v).is_ok());
        assert!(read.is_ok(), "variant {i} panicked");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
