//! `setup`, `prove` and `verify` through the binary with real KZG proofs at small k: the files
//! they write, exit codes, and every wrong proof refused with a one-line reason.

mod common;

use common::{cli, code, stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A fresh directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let d =
            std::env::temp_dir().join(format!("zkwasm-cli-prove-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }

    fn join(&self, p: &str) -> String {
        self.0.join(p).to_str().unwrap().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn guest(name: &str) -> String {
    format!(
        "{}/../../guests/wasm/{name}.wasm",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn json_file(path: &str) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Runs the command, asserting its exit code; returns the output.
fn expect(code_wanted: i32, args: &[&str]) -> Output {
    let o = cli(args);
    assert_eq!(
        code(&o),
        code_wanted,
        "{args:?}\nstdout: {}\nstderr: {}",
        stdout(&o),
        stderr(&o)
    );
    o
}

/// The one `error: ...` line a failing command prints.
fn error_line(o: &Output) -> String {
    let err = stderr(o);
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(lines.len(), 1, "one error line expected: {err}");
    lines[0].to_string()
}

fn verify(params: &str, proof: &str, vk: &str) -> Output {
    cli(&["verify", "--params", params, "--proof", proof, "--vk", vk])
}

fn copy_with(path: &str, to: &str, change: impl FnOnce(&mut Vec<u8>)) {
    let mut bytes = std::fs::read(path).unwrap();
    change(&mut bytes);
    std::fs::write(to, bytes).unwrap();
}

/// A change to a file's bytes.
type Tamper = Box<dyn FnOnce(&mut Vec<u8>)>;

const HORNER: [&str; 4] = ["--public", "3,2", "--private", "2,0,5"];

#[test]
fn setup_prove_verify_and_tampered_proofs() {
    let t = TempDir::new("e2e");
    let (params, out) = (t.join("params"), t.join("out"));
    let wasm = guest("horner");
    let mut args = vec!["setup", "--wasm", &wasm[..]];
    args.extend(HORNER);
    args.extend(["--params", &params, "--output", &out]);
    let o = expect(0, &args);
    // k from the dry run; development parameters generated, and said so.
    assert!(stderr(&o).contains("k = 10"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("NOT from a trusted setup"),
        "{}",
        stderr(&o)
    );
    let description = json_file(&t.join("out/program.json"));
    assert_eq!(description["k"], 10);
    let id = description["program_id"].as_str().unwrap().to_string();
    assert!(stdout(&o).contains(&id));
    assert!(Path::new(&t.join("out/pk.bin")).exists());

    let mut prove = vec!["prove", "--wasm", &wasm[..]];
    prove.extend(HORNER);
    prove.extend(["--params", &params, "--output", &out]);
    let o = expect(0, &prove);
    assert!(
        !stderr(&o).contains("trusted"),
        "params are read, not generated: {}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("proved in"), "{}", stderr(&o));
    let instances = json_file(&t.join("out/instances.json"));
    assert_eq!(instances["instances"], serde_json::json!([3, 2, 23]));
    assert_eq!(instances["program_id"], id.as_str());

    let o = expect(0, &["verify", "--params", &params, "--output", &out]);
    assert!(
        stdout(&o).contains("instances: [3, 2, 23]"),
        "{}",
        stdout(&o)
    );

    // Output that cannot be written (a full device): exit 2, said on stderr when stdout is
    // the full one; never a panic (exit 101).
    #[cfg(target_os = "linux")]
    {
        use common::cli_full;
        let verify = ["verify", "--params", &params, "--output", &out];
        // (Keys made into another directory: setup replaces the proof of its output.)
        let elsewhere = t.join("full");
        let mut setup = args.clone();
        *setup.last_mut().unwrap() = &elsewhere;
        for (args, out_full) in [(&verify[..], true), (&prove[..], true), (&setup[..], false)] {
            let o = cli_full(args, out_full);
            assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
            if out_full {
                assert!(
                    stderr(&o).contains("cannot write standard output"),
                    "{args:?}: {}",
                    stderr(&o)
                );
            }
        }
    }
    let (proof, vk) = (t.join("out/proof.bin"), t.join("out/vk.bin"));
    let o = expect(
        0,
        &[
            "verify", "--params", &params, "--proof", &proof, "--vk", &vk, "--json",
        ],
    );
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["instances"], serde_json::json!([3, 2, 23]));

    // The expected key, by hash: accepted; any other: exit 5.
    let vk_hash = description["vk_blake2b"].as_str().unwrap().to_string();
    assert_eq!(v["vk_hash"], vk_hash.as_str());
    let mut with_hash = vec!["verify", "--params", &params, "--output", &out, "--vk-hash"];
    expect(0, &[&with_hash[..], &[&vk_hash[..]]].concat());
    let zeros = "0".repeat(64);
    let o = expect(5, &[&with_hash[..], &[&zeros[..]]].concat());
    assert!(error_line(&o).contains("hash"), "{}", stderr(&o));
    // Not a hash at all: a usage error.
    with_hash.push("xyz");
    let o = expect(2, &with_hash);
    assert!(stderr(&o).contains("64 hex digits"), "{}", stderr(&o));

    // The key the module makes: accepted; another module's: exit 5.
    let mut with_wasm = vec!["verify", "--params", &params, "--output", &out, "--wasm"];
    expect(0, &[&with_wasm[..], &[&wasm[..]]].concat());
    let fib = guest("fibonacci");
    with_wasm.push(&fib);
    let o = expect(5, &with_wasm);
    assert!(error_line(&o).contains("the key"), "{}", stderr(&o));

    // Parameters of another setup with the same keys: refused (exit 3), never an invalid proof.
    let other_params = t.join("other-params");
    let weighted = guest("weighted");
    expect(
        0,
        &[
            "setup",
            "--wasm",
            &weighted,
            "-k",
            "10",
            "--params",
            &other_params,
            "--output",
            &t.join("w"),
        ],
    );
    let o = expect(
        3,
        &[
            &prove[..3 + HORNER.len()],
            &["--params", &other_params, "--output", &out],
        ]
        .concat(),
    );
    assert!(error_line(&o).contains("another setup"), "{}", stderr(&o));
    // (The failed prove moved the proof aside, see below: put it back.)
    assert!(stderr(&o).contains("proof.previous.bin"), "{}", stderr(&o));
    std::fs::rename(t.join("out/proof.previous.bin"), &proof).unwrap();
    let o = verify(&other_params, &proof, &vk);
    assert_eq!(code(&o), 3);
    assert!(error_line(&o).contains("another setup"), "{}", stderr(&o));

    // Tampered proof files: exit 5 with one line saying why.
    let bad = t.join("bad.bin");
    let len = std::fs::read(&proof).unwrap().len();
    let tampers: Vec<(&str, Tamper)> = vec![
        (
            "invalid proof",
            Box::new(move |b: &mut Vec<u8>| b[len - 100] ^= 1),
        ),
        // The third instance (23) becomes 24: bytes 8 + 4 + 4 + 32 + 4 + 4 + 2 * 8.
        ("invalid proof", Box::new(|b: &mut Vec<u8>| b[72] = 24)),
        (
            "truncated",
            Box::new(move |b: &mut Vec<u8>| b.truncate(len / 2)),
        ),
        (
            "not a zkwasm proof file",
            Box::new(|b: &mut Vec<u8>| b[0] = b'X'),
        ),
        ("format version 7", Box::new(|b: &mut Vec<u8>| b[8] = 7)),
        ("circuit version 99", Box::new(|b: &mut Vec<u8>| b[12] = 99)),
        ("is for program", Box::new(|b: &mut Vec<u8>| b[16] ^= 1)),
    ];
    for (reason, tamper) in tampers {
        copy_with(&proof, &bad, tamper);
        let o = verify(&params, &bad, &vk);
        assert_eq!(code(&o), 5, "{reason}: {}", stderr(&o));
        assert!(error_line(&o).contains(reason), "{reason}: {}", stderr(&o));
    }

    // The proof against another program's key, and against the same program's key at k = 11.
    let other = t.join("other");
    expect(
        0,
        &[
            "setup", "--wasm", &weighted, "-k", "10", "--params", &params, "--output", &other,
        ],
    );
    let o = verify(&params, &proof, &t.join("other/vk.bin"));
    assert_eq!(code(&o), 5);
    assert!(error_line(&o).contains("is for program"), "{}", stderr(&o));
    let k11 = t.join("k11");
    expect(
        0,
        &[
            "setup", "--wasm", &wasm, "-k", "11", "--params", &params, "--output", &k11,
        ],
    );
    let o = verify(&params, &proof, &t.join("k11/vk.bin"));
    assert_eq!(code(&o), 5);
    assert!(error_line(&o).contains("at k = 10"), "{}", stderr(&o));

    // A damaged or missing key: exit 3.
    copy_with(&vk, &bad, |b| b[200] ^= 1);
    let o = verify(&params, &proof, &bad);
    assert_eq!(code(&o), 3);
    assert!(error_line(&o).contains("checksum"), "{}", stderr(&o));
    let o = verify(&params, &proof, &t.join("nothing.bin"));
    assert_eq!(code(&o), 3);
    // Verifying never generates parameters.
    let o = verify(&t.join("no-params"), &proof, &vk);
    assert_eq!(code(&o), 3);
    assert!(error_line(&o).contains("K10.params"), "{}", stderr(&o));
    assert!(!Path::new(&t.join("no-params")).exists());

    // A second writer into the directory is refused while the first holds its lock.
    let lock = std::fs::File::options()
        .write(true)
        .open(t.join("out/.lock"))
        .unwrap();
    lock.lock().unwrap();
    let o = expect(2, &prove);
    assert!(
        error_line(&o).contains("another zkwasm-cli is writing"),
        "{}",
        stderr(&o)
    );
    drop(lock);
    assert!(
        Path::new(&proof).exists(),
        "the refused run touched nothing"
    );
    // What an interrupted key write left behind goes with the next writer.
    let stale = t.join("out/pk.partial.12345");
    std::fs::write(&stale, b"half a key").unwrap();

    // A run that fails (a missing input) moves the earlier proof aside: no proof.bin looks
    // like its own.
    let mut failing = vec!["prove", "--wasm", &wasm[..], "--public", "3"];
    failing.extend(["--params", &params, "--output", &out]);
    let o = expect(1, &failing);
    assert!(stderr(&o).contains("proof.previous.bin"), "{}", stderr(&o));
    assert!(!Path::new(&stale).exists());
    assert!(!Path::new(&proof).exists());
    assert!(Path::new(&t.join("out/proof.previous.bin")).exists());
    assert!(Path::new(&t.join("out/instances.previous.json")).exists());
    expect(0, &prove);

    // Setup of another program into the directory is refused (its proof would go) unless
    // told; with --force it replaces the keys and removes the proof made with the old ones.
    assert!(Path::new(&proof).exists());
    let mut setup = vec!["setup", "--wasm", &weighted[..], "-k", "10"];
    setup.extend(["--params", &params, "--output", &out]);
    let o = expect(2, &setup);
    assert!(
        error_line(&o).contains("keys of another program") && error_line(&o).contains("--force"),
        "{}",
        stderr(&o)
    );
    assert!(Path::new(&proof).exists());
    setup.push("--force");
    expect(0, &setup);
    assert!(!Path::new(&proof).exists());
    assert!(!Path::new(&t.join("out/instances.json")).exists());
}

#[test]
fn prove_makes_missing_keys_and_refuses_what_it_cannot_prove() {
    let t = TempDir::new("refusals");
    let params = t.join("params");
    let fib = guest("fibonacci");
    // No keys yet: prove makes them at the smallest k (10 for n = 20).
    let out = t.join("fib");
    let o = expect(
        0,
        &[
            "prove", "--wasm", &fib, "--public", "20", "--params", &params, "--output", &out,
        ],
    );
    assert!(stdout(&o).contains("[20, 6765]"), "{}", stdout(&o));
    assert_eq!(json_file(&t.join("fib/program.json"))["k"], 10);
    expect(0, &["verify", "--params", &params, "--output", &out]);

    // Setup chooses k by a dry run: without the inputs it needs, it refuses (exit 1, the
    // run's failure) and says what to give; with -k and inputs the run does not fit, it
    // refuses at once (exit 6) naming the k that fits.
    let sizing = t.join("unsized");
    let o = expect(
        1,
        &[
            "setup", "--wasm", &fib, "--params", &params, "--output", &sizing,
        ],
    );
    assert!(
        error_line(&o).contains("missing public input") && error_line(&o).contains("-k"),
        "{}",
        stderr(&o)
    );
    assert!(!Path::new(&t.join("unsized/pk.bin")).exists());
    let o = expect(
        6,
        &[
            "setup", "--wasm", &fib, "-k", "10", "--public", "90", "--params", &params, "--output",
            &sizing,
        ],
    );
    let line = error_line(&o);
    assert!(
        line.contains("needs k = 11") && line.contains("-k 11"),
        "{line}"
    );

    // Keys too small for the run (n = 90 needs k = 11): exit 6 naming the k that fits.
    let small = t.join("small");
    expect(
        0,
        &[
            "setup", "--wasm", &fib, "-k", "10", "--params", &params, "--output", &small,
        ],
    );
    let o = expect(
        6,
        &[
            "prove", "--wasm", &fib, "--public", "90", "--params", &params, "--output", &small,
        ],
    );
    let line = error_line(&o);
    assert!(
        line.contains("needs k = 11") && line.contains("setup -k 11"),
        "{line}"
    );
    // Keys of another program in the output directory: exit 6.
    let horner = guest("horner");
    let mut args = vec![
        "prove",
        "--wasm",
        &horner[..],
        "--params",
        &params,
        "--output",
        &small,
    ];
    args.extend(HORNER);
    let o = expect(6, &args);
    assert!(error_line(&o).contains("another program"), "{}", stderr(&o));
    // A run that fails: exit 1. A size out of range: exit 2.
    expect(
        1,
        &[
            "prove",
            "--wasm",
            &fib,
            "--params",
            &params,
            "--output",
            &t.join("none"),
        ],
    );
    expect(
        2,
        &["setup", "--wasm", &fib, "-k", "9", "--params", &params],
    );
    // verify needs --output or both --proof and --vk.
    expect(2, &["verify", "--proof", &t.join("fib/proof.bin")]);
}

/// The SHA-256 guest (`guests/sha256.c`, memory, shifts, rotations, bitwise operations) of
/// "abc": 9,111 steps, proved with real KZG at its smallest k (14) and verified.
#[test]
fn sha256_proves_and_verifies_at_its_smallest_k() {
    let t = TempDir::new("sha256");
    let (params, out) = (t.join("params"), t.join("sha256"));
    let sha = guest("sha256");
    let args = [
        "prove",
        "--wasm",
        &sha,
        "--private",
        "3,0x636261",
        "--params",
        &params,
        "--output",
        &out,
    ];
    let o = expect(0, &args);
    assert_eq!(json_file(&t.join("sha256/program.json"))["k"], 14);
    // The digest's first word, as the guest outputs it.
    assert!(
        stdout(&o).contains(&0xba78_16bf_8f01_cfea_u64.to_string()),
        "{}",
        stdout(&o)
    );
    expect(0, &["verify", "--params", &params, "--output", &out]);
}
