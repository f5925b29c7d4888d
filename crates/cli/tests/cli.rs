//! End-to-end tests of the `zkwasm-cli` binary: exit codes, JSON output and trace formats.

mod common;

use common::{cli, code, stderr, stdout};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};

const EXAMPLE: &str = r#"(module
  (import "env" "wasm_input" (func $in (param i32) (result i64)))
  (import "env" "wasm_output" (func $out (param i64)))
  (func (export "zkmain")
    (call $out (i64.mul (call $in (i32.const 1)) (i64.const 2)))
    (call $out (i64.mul (call $in (i32.const 1)) (i64.const 2)))))"#;

/// Reads private inputs, stores them in memory, loads them back and returns their sum.
const MEMORY: &str = r#"(module
  (import "env" "wasm_input" (func $in (param i32) (result i64)))
  (memory 1)
  (global $g (mut i64) (i64.const 5))
  (func $add (param $a i64) (param $b i64) (result i64) (i64.add (local.get $a) (local.get $b)))
  (func (export "zkmain") (result i64)
    (i64.store (i32.const 96) (call $in (i32.const 0)))
    (i64.store (i32.const 104) (call $in (i32.const 0)))
    (global.set $g (call $add (i64.load (i32.const 96)) (i64.load (i32.const 104))))
    (global.get $g)))"#;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A unique temporary file with `content`, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, content: &[u8]) -> TempFile {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let path =
            std::env::temp_dir().join(format!("zkwasm-cli-test-{}-{n}-{name}", std::process::id()));
        std::fs::write(&path, content).unwrap();
        TempFile(path)
    }

    fn wat(src: &str) -> TempFile {
        TempFile::new("m.wat", src.as_bytes())
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The one JSON object `dry-run --json` prints.
fn json(o: &Output) -> Value {
    let out = stdout(o);
    assert_eq!(out.lines().count(), 1, "one JSON line expected: {out}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

fn u64s(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

fn dry_run_json(wasm: &str, extra: &[&str]) -> Output {
    let mut args = vec!["dry-run", "--wasm", wasm, "--json"];
    args.extend_from_slice(extra);
    cli(&args)
}

#[test]
fn example_gives_zkwasm_instances() {
    let m = TempFile::wat(EXAMPLE);
    let o = dry_run_json(m.path(), &["--public", "133:i64", "--public", "2:i64"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["ok"], true);
    assert_eq!(u64s(&v["instances"]), vec![133, 266, 2, 4]);
    assert_eq!(u64s(&v["outputs"]), vec![266, 4]);
    assert_eq!(u64s(&v["results"]), Vec::<u64>::new());
    assert!(v["steps"].as_u64().unwrap() > 0);
    assert!(stderr(&o).is_empty());
    // Table sizes and the smallest circuit that holds them.
    // One row per step, and the row after the last.
    let steps = v["steps"].as_u64().unwrap();
    assert_eq!(v["rows"]["etable"].as_u64(), Some(steps + 1));
    for table in ["mtable", "jtable", "bit_table", "image", "fixed"] {
        assert!(v["rows"][table].is_u64(), "rows.{table} in {v}");
    }
    assert_eq!(v["k"], 10);
}

/// `prove --mock`: the run checked under MockProver at its smallest k, no parameters or keys
/// and nothing written; `--mock` with `--output` is a usage error, and a run that fails is
/// the tracer's exit code.
#[test]
fn mock_proving_checks_the_run_without_keys() {
    let m = TempFile::wat(EXAMPLE);
    let o = cli(&["prove", "--mock", "--wasm", m.path(), "--public", "133,2"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("k = 10: the run") && out.contains("satisfies every constraint"),
        "{out}"
    );
    assert!(out.contains("instances:  [133, 266, 2, 4]"), "{out}");
    let o = cli(&["prove", "--mock", "--wasm", m.path(), "--output", "x"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let o = cli(&["prove", "--mock", "--wasm", m.path()]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
}

/// `dry-run` into a full device: exit 2, for the human and the JSON output, and for a run that
/// failed (its own exit code stands); a full stderr fails a run that would have succeeded.
#[cfg(target_os = "linux")]
#[test]
fn output_that_cannot_be_written_exits_2() {
    use common::cli_full;
    let m = TempFile::wat(EXAMPLE);
    let inputs = ["--public", "1", "--public", "2"];
    for json in [false, true] {
        let mut args = vec!["dry-run", "--wasm", m.path()];
        args.extend(inputs);
        if json {
            args.push("--json");
        }
        let o = cli_full(&args, true);
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        assert!(stderr(&o).contains("cannot write standard output"));
        // Missing inputs: the run fails (exit 1) whatever happens to its output.
        let o = cli_full(&args[..3], true);
        assert_eq!(code(&o), 1, "{}", stderr(&o));
    }
    let o = cli_full(&["dry-run", "--wasm", "/nonexistent.wasm"], false);
    assert_eq!(code(&o), 3);
}

/// A run with more steps than the largest circuit holds (262,127) is stopped there: `dry-run`
/// does not run on to the step limit, and says why (exit 6).
#[test]
fn a_run_past_the_largest_circuit_is_stopped_there() {
    let m = TempFile::wat(
        r#"(module (func (export "zkmain") (local $i i32)
          (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (i32.const 10000000))))))"#,
    );
    let start = std::time::Instant::now();
    let o = dry_run_json(m.path(), &[]);
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["error"]["kind"], "too_long", "{v}");
    assert_eq!(v["error"]["stopped_at_steps"], 262_127, "{v}");
    assert!(
        stderr(&o).contains("the largest circuit (k = 18)"),
        "{}",
        stderr(&o)
    );
    // (About 60 M steps to the step limit, a quarter of a million to the stop.)
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
}

/// A run whose steps fit the largest circuit but whose memory table does not (each store
/// writes two fresh blocks) is not provable, and `dry-run` says why, in JSON and in words.
#[test]
fn a_run_too_long_for_any_circuit_is_not_provable() {
    let m = TempFile::wat(
        r#"(module (memory 7) (func (export "zkmain") (local $i i32)
          (loop $l
            (i64.store offset=4 (local.get $i) (i64.const -1))
            (local.tee $i (i32.add (local.get $i) (i32.const 16)))
            (br_if $l (i32.lt_u (i32.const 384000))))))"#,
    );
    let o = dry_run_json(m.path(), &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    assert!(v["steps"].as_u64().unwrap() < 262_127, "{v}");
    assert_eq!(v["provable"], false, "{v}");
    assert_eq!(v["unprovable"]["max_k"], 18, "{v}");
    assert!(v["unprovable"]["need_k"].as_u64().unwrap() > 18, "{v}");
    let o = cli(&["dry-run", "--wasm", m.path()]);
    assert!(
        stdout(&o).contains("provable:  no (the run needs k = 19"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn comma_lists_and_hex_equal_repeated_flags() {
    let m = TempFile::wat(EXAMPLE);
    let o = dry_run_json(m.path(), &["--public", "0x85,2"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(u64s(&json(&o)["instances"]), vec![133, 266, 2, 4]);
}

#[test]
fn negative_input_is_twos_complement() {
    let m = TempFile::wat(EXAMPLE);
    let o = dry_run_json(m.path(), &["--public", "-1", "--public=-3"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(
        u64s(&v["instances"]),
        vec![u64::MAX, u64::MAX - 1, u64::MAX - 2, u64::MAX - 5]
    );
}

#[test]
fn negative_hex_input_is_a_value_not_a_flag() {
    let m = TempFile::wat(EXAMPLE);
    let o = dry_run_json(m.path(), &["--public", "-0x10", "--public", "-0x1"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        u64s(&json(&o)["instances"]),
        vec![u64::MAX - 15, u64::MAX - 31, u64::MAX, u64::MAX - 1]
    );
}

/// A WAT parser's error draws the source under its first line: printed as one line, with the
/// location.
#[test]
fn a_multi_line_error_is_one_line() {
    let m = TempFile::wat(r#"(module (func (export "zkmain") (garbage)))"#);
    let o = cli(&["dry-run", "--wasm", m.path()]);
    assert_eq!(code(&o), 3);
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("unexpected token (at "), "{err}");
    let o = dry_run_json(m.path(), &[]);
    let message = json(&o)["error"]["message"].as_str().unwrap().to_string();
    assert!(
        !message.contains('\n') && message.contains(":1:34)"),
        "{message}"
    );
}

#[test]
fn human_output() {
    let m = TempFile::wat(EXAMPLE);
    let o = cli(&[
        "dry-run",
        "--wasm",
        m.path(),
        "--public",
        "133",
        "--public",
        "2",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("instances: [133, 266, 2, 4]"), "{out}");
    assert!(out.contains("outputs:   [266, 4]"), "{out}");
    assert!(out.contains("results:   []"), "{out}");
    assert!(out.contains("steps:"), "{out}");
}

#[test]
fn private_inputs_memory_and_results() {
    let m = TempFile::wat(MEMORY);
    let o = dry_run_json(m.path(), &["--private", "40", "--private", "2"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(u64s(&v["results"]), vec![42]);
    assert_eq!(
        u64s(&v["instances"]),
        Vec::<u64>::new(),
        "private inputs are not instances"
    );
    // In words, the results say they are not proved.
    let o = cli(&["dry-run", "--wasm", m.path(), "--private", "40,2"]);
    assert!(
        stdout(&o).contains("results:   [42] (returned by the entry: not part of a proof"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn file_input_is_big_endian() {
    let m = TempFile::wat(EXAMPLE);
    let input = TempFile::new("in.bin", &[0, 0, 0, 0, 0, 0, 0, 7, 1]);
    let arg = format!("{}:file", input.path());
    let o = dry_run_json(m.path(), &["--public", &arg]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(u64s(&json(&o)["instances"]), vec![7, 14, 1 << 56, 2 << 56]);
}

#[test]
fn missing_input_exits_1_and_names_it() {
    let m = TempFile::wat(EXAMPLE);
    let o = dry_run_json(m.path(), &["--public", "133"]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.starts_with("error: ") && err.contains("public input #"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    let v = json(&o);
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"]["kind"], "missing_input");
    assert_eq!(v["error"]["exit_code"], 1);
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("public input #"));

    // Without --json: nothing on stdout.
    let o = cli(&["dry-run", "--wasm", m.path()]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).is_empty());
    assert!(stderr(&o).contains("public input #"));
}

#[test]
fn trap_exits_1() {
    let m = TempFile::wat(
        r#"(module (func (export "zkmain") (drop (i32.div_u (i32.const 1) (i32.const 0)))))"#,
    );
    let o = dry_run_json(m.path(), &[]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["error"]["kind"], "trap");
    assert_eq!(v["error"]["trap"], "integer_divide_by_zero");
    assert!(v["error"]["at"]["eid"].as_u64().unwrap() > 0);
    assert!(
        stderr(&o).contains("integer divide by zero"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn require_failure_exits_1() {
    let m = TempFile::wat(
        r#"(module (import "env" "require" (func $req (param i32)))
             (func (export "zkmain") (call $req (i32.const 0))))"#,
    );
    let o = dry_run_json(m.path(), &[]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(json(&o)["error"]["kind"], "require_failed");
}

#[test]
fn step_limit_exits_1() {
    let m = TempFile::wat(r#"(module (func (export "zkmain") (loop $l (br $l))))"#);
    let o = dry_run_json(m.path(), &["--max-steps", "1000"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["error"]["kind"], "limit_exceeded");
    assert_eq!(v["error"]["limit_value"], 1000);
}

/// `trace` of an endless loop stops at its byte budget (`--max-bytes`), with only complete
/// records written, long before the step limit, and says how to raise it.
#[test]
fn trace_stops_at_its_byte_budget() {
    let m = TempFile::wat(r#"(module (func (export "zkmain") (loop $l (br $l))))"#);
    let out =
        std::env::temp_dir().join(format!("zkwasm-trace-budget-{}.jsonl", std::process::id()));
    let o = cli(&[
        "trace",
        "--wasm",
        m.path(),
        "--max-bytes",
        "100000",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("trace output limit (bytes) exceeded: 100000") && err.contains("--max-bytes"),
        "{err}"
    );
    let written = std::fs::read_to_string(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    assert!(
        written.len() <= 100_000 && written.len() > 99_000,
        "{}",
        written.len()
    );
    assert!(written.ends_with('\n'));
    let records = written.lines().count();
    assert!(err.contains(&format!("after {records} steps")), "{err}");
    for line in written.lines() {
        serde_json::from_str::<Value>(line).expect("a complete record");
    }
}

#[test]
fn malformed_module_exits_3() {
    let m = TempFile::new("bad.wasm", b"\0asm\x01\0\0\0\xff\xff garbage");
    let o = dry_run_json(m.path(), &[]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"]["exit_code"], 3);
    assert!(stderr(&o).starts_with("error: "));

    let t = TempFile::wat("(module (func (export \"zkmain\") (i32.bogus)))");
    assert_eq!(code(&cli(&["dry-run", "--wasm", t.path()])), 3);
}

#[test]
fn missing_file_exits_3() {
    let path = std::env::temp_dir().join("zkwasm-cli-test-definitely-missing.wasm");
    let o = cli(&["dry-run", "--wasm", path.to_str().unwrap()]);
    assert_eq!(code(&o), 3);
    let err = stderr(&o);
    assert!(
        err.contains("cannot read module") && err.contains("definitely-missing"),
        "{err}"
    );
    let o = cli(&["trace", "--wasm", path.to_str().unwrap()]);
    assert_eq!(code(&o), 3);
}

#[test]
fn bad_input_syntax_exits_2() {
    let m = TempFile::wat(EXAMPLE);
    for bad in ["12x", "0x123:bytes", "1:u32", "99999999999999999999"] {
        let o = dry_run_json(m.path(), &["--public", bad]);
        assert_eq!(code(&o), 2, "{bad}: {}", stderr(&o));
        assert!(stderr(&o).starts_with("error: bad input"), "{}", stderr(&o));
        assert_eq!(json(&o)["error"]["kind"], "bad_input");
    }
    let o = cli(&[
        "dry-run",
        "--wasm",
        m.path(),
        "--private",
        "/nonexistent/zkwasm-input:file",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

#[test]
fn missing_export_exits_3() {
    let m = TempFile::wat(EXAMPLE);
    let o = dry_run_json(m.path(), &["--entry", "main"]);
    assert_eq!(code(&o), 3);
    assert_eq!(json(&o)["error"]["kind"], "missing_export");
    assert!(stderr(&o).contains("--entry"), "{}", stderr(&o));
}

#[test]
fn entry_with_parameters_exits_3() {
    let m = TempFile::wat(r#"(module (func (export "zkmain") (param i32)))"#);
    let o = dry_run_json(m.path(), &[]);
    assert_eq!(code(&o), 3);
    assert_eq!(json(&o)["error"]["kind"], "entry_signature");
}

#[test]
fn unsupported_import_exits_3() {
    let m = TempFile::wat(r#"(module (import "env" "foo" (func)) (func (export "zkmain")))"#);
    let o = dry_run_json(m.path(), &[]);
    assert_eq!(code(&o), 3);
    assert_eq!(json(&o)["error"]["kind"], "unsupported_import");
}

#[test]
fn other_entry() {
    let m = TempFile::wat(r#"(module (func (export "main") (result i32) (i32.const 7)))"#);
    let o = dry_run_json(m.path(), &["--entry", "main"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(u64s(&json(&o)["results"]), vec![7]);
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(code(&cli(&["dry-run"])), 2, "--wasm is required");
    assert_eq!(code(&cli(&["nope"])), 2);
    assert_eq!(
        code(&cli(&["dry-run", "--wasm", "x", "--max-steps", "many"])),
        2
    );
    assert_eq!(code(&cli(&["trace", "--wasm", "x", "--format", "xml"])), 2);
}

#[test]
fn help_and_version() {
    let o = cli(&["--version"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains(env!("CARGO_PKG_VERSION")));
    for cmd in [
        &["--help"][..],
        &["dry-run", "--help"],
        &["trace", "--help"],
    ] {
        let o = cli(cmd);
        assert_eq!(code(&o), 0);
        let out = stdout(&o);
        assert!(out.contains("Exit codes:"), "{cmd:?}: {out}");
    }
    let out = stdout(&cli(&["dry-run", "--help"]));
    for flag in [
        "--wasm",
        "--public",
        "--private",
        "--entry",
        "--json",
        "--max-steps",
        "bytes-packed",
    ] {
        assert!(out.contains(flag), "{flag}: {out}");
    }
    let out = stdout(&cli(&["trace", "--help"]));
    for flag in ["--format", "--output", "jsonl", "csv", "heap"] {
        assert!(out.contains(flag), "{flag}: {out}");
    }
}

fn steps_of(wasm: &str, extra: &[&str]) -> u64 {
    let o = dry_run_json(wasm, extra);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    json(&o)["steps"].as_u64().unwrap()
}

#[test]
fn trace_jsonl_one_record_per_step() {
    let m = TempFile::wat(EXAMPLE);
    let inputs = ["--public", "133,2"];
    let steps = steps_of(m.path(), &inputs);
    let mut args = vec!["trace", "--wasm", m.path()];
    args.extend_from_slice(&inputs);
    let o = cli(&args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    let records: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(records.len() as u64, steps);
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r["eid"].as_u64().unwrap(), i as u64 + 1);
        for key in [
            "fid", "iid", "offset", "depth", "frame", "sp", "pages", "n_locals",
        ] {
            assert!(r[key].is_u64(), "{key} in {r}");
        }
        assert!(r["pc"].is_string() && r["instr"].is_string(), "{r}");
        assert!(
            r["events"].is_array() && r["stack_top"].is_array() && r["locals"].is_array(),
            "{r}"
        );
    }
    let instrs: Vec<&str> = records
        .iter()
        .map(|r| r["instr"].as_str().unwrap())
        .collect();
    assert!(
        instrs.iter().any(|i| i.contains("wasm_input")),
        "{instrs:?}"
    );
    assert!(instrs.iter().any(|i| i.contains("mul")), "{instrs:?}");
    // The first wasm_output reads 266 off the stack.
    let out_rec = records
        .iter()
        .find(|r| r["instr"].as_str().unwrap().contains("wasm_output"))
        .unwrap();
    assert_eq!(out_rec["stack_top"][0], 266);
    assert_eq!(out_rec["events"][0]["rw"], "read");
    assert_eq!(out_rec["events"][0]["value"], 266);
    assert!(
        records.iter().any(|r| r["call"].is_object()),
        "a call record"
    );
}

#[test]
fn trace_shows_heap_blocks_globals_and_locals() {
    let m = TempFile::wat(MEMORY);
    let o = cli(&["trace", "--wasm", m.path(), "--private", "40,2"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let records: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let events: Vec<&Value> = records
        .iter()
        .flat_map(|r| r["events"].as_array().unwrap())
        .collect();
    let heap_write = events
        .iter()
        .find(|e| e["loc"] == "heap" && e["rw"] == "write" && e["value"] == 40)
        .expect("the store of 40 writes a heap block");
    assert_eq!(heap_write["addr"], 12, "byte address 96 is block 12");
    assert_eq!(heap_write["byte_addr"], 96);
    assert!(events
        .iter()
        .any(|e| e["loc"] == "global" && e["rw"] == "write" && e["value"] == 42));
    // Inside $add the locals are its two parameters.
    assert!(records
        .iter()
        .any(|r| r["n_locals"] == 2 && r["locals"] == serde_json::json!([40, 2])));
    assert!(records.iter().any(|r| r["depth"] == 2), "zkmain calls $add");

    let o = cli(&[
        "trace",
        "--wasm",
        m.path(),
        "--private",
        "40,2",
        "--format",
        "text",
    ]);
    assert_eq!(code(&o), 0);
    assert!(
        stdout(&o).contains("heap block 12 (bytes 96..104)"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn trace_csv_header_and_rows() {
    let m = TempFile::wat(MEMORY);
    let steps = steps_of(m.path(), &["--private", "40,2"]);
    let o = cli(&[
        "trace",
        "--wasm",
        m.path(),
        "--private",
        "40,2",
        "--format",
        "csv",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    let mut lines = out.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[0], "eid");
    for col in [
        "fid",
        "iid",
        "pc",
        "offset",
        "instr",
        "depth",
        "sp",
        "stack_top",
        "locals",
        "events",
    ] {
        assert!(header.contains(&col), "{col} in {header:?}");
    }
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len() as u64, steps);
    for (i, row) in rows.iter().enumerate() {
        assert!(row.starts_with(&format!("{},", i + 1)), "{row}");
    }
    assert!(out.contains("W heap block 12 (bytes 96..104) 40"), "{out}");
}

#[test]
fn trace_output_file() {
    let m = TempFile::wat(EXAMPLE);
    let dest = TempFile::new("trace.jsonl", b"");
    let o = cli(&[
        "trace",
        "--wasm",
        m.path(),
        "--public",
        "133,2",
        "--output",
        dest.path(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    let steps = steps_of(m.path(), &["--public", "133,2"]);
    let written = std::fs::read_to_string(&dest.0).unwrap();
    assert_eq!(written.lines().count() as u64, steps);
    assert!(
        stderr(&o).contains(&format!("wrote {steps} steps")),
        "{}",
        stderr(&o)
    );

    let bad = std::env::temp_dir().join("zkwasm-cli-test-no-such-dir/trace.jsonl");
    let o = cli(&[
        "trace",
        "--wasm",
        m.path(),
        "--public",
        "133,2",
        "--output",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("cannot write trace file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn trace_of_failing_run_keeps_steps_and_exits_1() {
    let m = TempFile::wat(EXAMPLE);
    let o = cli(&["trace", "--wasm", m.path(), "--public", "133"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("public input #"), "{}", stderr(&o));
    let lines: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() >= 5, "the steps before the failure are written");

    let l = TempFile::wat(r#"(module (func (export "zkmain") (loop $l (br $l))))"#);
    let o = cli(&[
        "trace",
        "--wasm",
        l.path(),
        "--max-steps",
        "50",
        "--format",
        "csv",
    ]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("step limit"), "{}", stderr(&o));
    assert!(stdout(&o).lines().count() > 1);
}
