//! The VM circuit (ETable + MTable + JTable + image) on whole runs: honest runs of programs in
//! the implemented instruction classes are accepted; forged steps are rejected.

mod common;
mod runs;

use common::Kzg;
use runs::*;
use std::collections::BTreeSet;
use zkwasm_circuits::allocator::blocks;
use zkwasm_circuits::etable::ROWS;
use zkwasm_circuits::mock::{failing_rows, failures};
use zkwasm_circuits::range::Range;
use zkwasm_circuits::vm::VmCircuit;
use zkwasm_tables::{build, check, Tables};
use zkwasm_tracer::{execute, load, Inputs, Limits};

const PROGRAM: &str = r#"(module
  (func $f (param i64) (result i64) (local i64)
    (local.set 1 (i64.add (local.get 0) (i64.const 5)))
    (drop (local.tee 0 (i64.const 7)))
    (i64.sub (local.get 1) (i64.const 3)))
  (func $wrap (result i32) (i32.add (i32.const -1) (i32.const 2)))
  (func $mul (result i64)
    (drop (i32.mul (i32.const 0x10001) (i32.const 0x10001)))
    (i64.mul (i64.const 0x123456789) (i64.const -7)))
  (func (export "zkmain") (result i64)
    (drop (call $wrap))
    (drop (call $mul))
    (call $f (i64.const 40))))"#;

/// The ETable's shared rules: a class's accesses and its next state.
const SLOTS_RULE: &str = "gate: etable slots";
const NEXT_RULE: &str = "gate: etable next state";

/// zkWasm's `wasm_output` example (twice: read a public input, output its double), plus a
/// private input and a `require`.
const IO: &str = r#"(module
  (import "env" "wasm_input" (func $in (param i32) (result i64)))
  (import "env" "wasm_output" (func $out (param i64)))
  (import "env" "require" (func $require (param i32)))
  (func (export "zkmain")
    (call $out (i64.add (call $in (i32.const 1)) (call $in (i32.const 1))))
    (call $require (i64.eqz (i64.sub (call $in (i32.const 0)) (i64.const 5))))
    (call $out (i64.add (call $in (i32.const 1)) (call $in (i32.const 1))))))"#;

/// The checked tables of a bundled C guest's run.
fn guest(name: &str, public: Vec<u64>, private: Vec<u64>) -> Tables {
    let path = format!("{}/../guests/wasm/{name}.wasm", env!("CARGO_MANIFEST_DIR"));
    let wasm = std::fs::read(path).unwrap();
    let limits = Limits::default();
    let img = load(&wasm, &limits).unwrap().image("zkmain").unwrap();
    let run_ = execute(&img, &Inputs { public, private }, &limits).unwrap();
    let t = build(&img, &run_.trace, &run_.outcome.instances, &limits);
    check(&t).unwrap();
    t
}

#[test]
fn c_guests_in_the_implemented_classes_are_accepted() {
    // guests/weighted.c: a loop over private inputs with calls, i64 add/mul, comparisons,
    // require and an output.
    let t = guest("weighted", vec![3, 7, 1000], vec![1, 2, 3]);
    assert_eq!(t.instances, vec![3, 7, 1000, 42]);
    assert_eq!(run(t), BTreeSet::new());
    // guests/wasm_output.c (zkWasm's example: a shift doubles each input).
    let t = guest("wasm_output", vec![133, 2], vec![]);
    assert_eq!(t.instances, vec![133, 266, 2, 4]);
    assert_eq!(run(t), BTreeSet::new());
    // guests/sort.c: quicksort through pointers (loads, stores, shifts, unsigned compares),
    // `require(sorted)` and a checksum.
    let sorted = [5, 3, 1 << 63, 9, 1, 3, 0, 3];
    let t = guest("sort", vec![8, 0x8000_0000_0000_0018], sorted.to_vec());
    assert_eq!(t.instances[..2], [8, 0x8000_0000_0000_0018]);
    assert_eq!(run(t), BTreeSet::new());
}

#[test]
fn the_sha256_guest_is_accepted() {
    // guests/sha256.c: SHA-256 of "abc" (rotations, shifts, xor, and, loads and stores of
    // a constant table and the message): 9,111 steps, k = 15.
    let t = guest("sha256", vec![], vec![3, 0x0063_6261]);
    assert_eq!(t.instances[0], 0xba78_16bf_8f01_cfea);
    assert_eq!(run(t), BTreeSet::new());
}

#[test]
fn the_i64arith_guest_is_accepted() {
    // guests/i64arith.c: i64/i32 multiplication, division and remainder, shifts, rotations,
    // clz/ctz/popcnt (a call of the compiler's helper), comparisons, extend/wrap; one round.
    let t = guest("i64arith", vec![3, 5, 1, 1, 1], vec![]);
    assert_eq!(t.instances[..3], [3, 5, 1]);
    assert_eq!(run(t), BTreeSet::new());
}

#[test]
fn the_switch_and_bytes_guests_are_accepted() {
    // guests/switch.c: a bytecode interpreter dispatching through `br_table` (in range and the
    // default), n = 1.
    let t = guest("switch", vec![1], vec![]);
    assert_eq!(t.instances, [1, 1, 0, 0, 0x0551_2c0c]);
    assert_eq!(run(t), BTreeSet::new());
    // guests/bytes.c: byte loads and stores, a `switch` over byte classes; one round.
    let t = guest("bytes", vec![42, 1], vec![]);
    assert_eq!(t.instances[..2], [42, 1]);
    assert_eq!(run(t), BTreeSet::new());
}

#[test]
fn the_fnptr_guest_is_accepted() {
    // guests/fnptr.c: calls through a table of function pointers (`call_indirect`).
    let t = guest("fnptr", vec![0x9e37_79b9_7f4a_7c15, 3], vec![]);
    assert_eq!(t.instances[..2], [0x9e37_79b9_7f4a_7c15, 3]);
    assert_eq!(run(t), BTreeSet::new());
}

#[test]
fn the_recursive_fib_guest_is_accepted() {
    // guests/fib.c: recursive Fibonacci (calls and returns with values, deep frames); n = 10.
    // (horner and fibonacci prove with real KZG in the root crate's tests/prove.rs.)
    let t = guest("fib", vec![10], vec![]);
    assert_eq!(t.instances, [10, 55]);
    assert_eq!(run(t), BTreeSet::new());
}

#[test]
fn the_bulk_guest_is_accepted() {
    // guests/bulk.c: memcpy, memmove both ways and memset (memory.copy and memory.fill, calls
    // to the compiler's helpers) over a buffer, two rounds, and its checksum.
    let t = guest("bulk", vec![7, 2, 0], vec![]);
    assert_eq!(t.instances[..3], [7, 2, 0]);
    assert_eq!(run(t), BTreeSet::new());
}

#[test]
fn instances_are_public() {
    let t = tables_with(IO, vec![133, 133, 2, 2], vec![5]);
    assert_eq!(t.instances, vec![133, 133, 266, 2, 2, 4]);
    assert_eq!(run(t.clone()), BTreeSet::new());
    // A wrong public instance: the verifier's values disagree with the run (the instance
    // lookup's helper, derived from the prover's values, fails on the verifier's row).
    let k = k_for(&t);
    let c = VmCircuit::new(k, t.clone());
    let mut inst = c.instances();
    inst[0][2] += zkwasm_circuits::Fr::one();
    let rows = failing_rows(k, &c, inst, "gate: instance lookup");
    assert_eq!(rows, BTreeSet::from([2]), "the changed row");
    // Claiming fewer instances than the run produced (their number is on row 0).
    let mut inst = c.instances();
    inst[0][0] -= zkwasm_circuits::Fr::one();
    assert!(failures(k, &c, inst).contains("gate: counters"));
}

#[test]
fn forged_private_input_and_require() {
    // A private input that does not satisfy `require` (the run would fail): forging the
    // input and everything downstream still leaves the require step unprovable.
    let mut t = tables_with(IO, vec![133, 133, 2, 2], vec![5]);
    let i = step(&t, |i| matches!(i, Instr::Eqz(_)));
    forge_write(&mut t, i, 1, 0);
    // The eqz result is wrong for its input, and require(0) cannot be proved either.
    let f = run(t);
    assert!(
        f.contains("gate: op eqz") && f.contains("gate: op host"),
        "{f:?}"
    );
}

/// Control flow: a counted loop (`br_if_nez` back), `if`/`else` (`br_if_eqz` and `br`), a
/// block exited by `br` with values to drop under the kept one; globals, `eqz`, `select`.
const CONTROL: &str = r#"(module
  (func $sum (param $n i32) (result i32) (local $acc i32)
    (loop $top
      (local.set $acc (i32.add (local.get $acc) (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $top (local.get $n)))
    (local.get $acc))
  (func $pick (param i32) (result i64)
    (if (result i64) (local.get 0) (then (i64.const 10)) (else (i64.const 20))))
  (func $block (result i32)
    (block $b (result i32) (i32.const 1) (i32.const 2) (br $b (i32.const 3))))
  (global $g (mut i64) (i64.const 40)) (global $k i32 (i32.const 3))
  (memory 1) (data $passive "x")
  (func $misc (result i64)
    (data.drop $passive)
    (global.set $g (i64.add (global.get $g) (i64.const 2)))
    (drop (i32.eqz (global.get $k)))
    (drop (i64.eqz (i64.const 0)))
    (select (global.get $g) (i64.const 9) (i32.eqz (i32.const 0))))
  (func $cmp (param $a i64) (param $b i64) (result i32)
    (i32.add (i32.add (i32.add (i64.eq (local.get $a) (local.get $b)) (i64.ne (local.get $a) (local.get $b)))
                      (i32.add (i64.lt_s (local.get $a) (local.get $b)) (i64.lt_u (local.get $a) (local.get $b))))
      (i32.add (i32.add (i64.gt_s (local.get $a) (local.get $b)) (i64.gt_u (local.get $a) (local.get $b)))
        (i32.add (i32.add (i64.le_s (local.get $a) (local.get $b)) (i64.le_u (local.get $a) (local.get $b)))
                 (i32.add (i64.ge_s (local.get $a) (local.get $b)) (i64.ge_u (local.get $a) (local.get $b)))))))
  (func $cmp32 (param $a i32) (param $b i32) (result i32)
    (i32.add (i32.lt_s (local.get $a) (local.get $b)) (i32.gt_u (local.get $a) (local.get $b))))
  (func (export "zkmain") (result i32)
    (drop (call $cmp (i64.const -5) (i64.const 3)))
    (drop (call $cmp (i64.const 3) (i64.const 3)))
    (drop (call $cmp (i64.const 0x7fffffffffffffff) (i64.const -1)))
    (drop (call $cmp32 (i32.const -1) (i32.const 1)))
    (drop (call $misc))
    (drop (call $pick (i32.const 0)))
    (drop (call $pick (i32.const 7)))
    (drop (call $block))
    (call $sum (i32.const 5))))"#;

#[test]
fn honest_runs_are_accepted() {
    assert_eq!(run(tables(PROGRAM)), BTreeSet::new());
    assert_eq!(run(tables(CONTROL)), BTreeSet::new());
}

#[test]
fn wrong_branch_is_rejected() {
    // The loop's br_if_nez going on when its condition says jump back.
    let mut t = tables(CONTROL);
    let i = step(&t, |i| matches!(i, Instr::BrIfNez { .. }));
    t.etable[i + 1].iid = t.etable[i].iid + 1;
    let f = failing_steps(t, NEXT_RULE);
    assert!(f.contains(&i), "{f:?}");
}

use zkwasm_tracer::isa::{BinOp, Instr, RelOp};
use zkwasm_tracer::trace::Rw;

#[test]
fn wrong_arithmetic_is_rejected() {
    let mut t = tables(PROGRAM);
    let i = step(&t, |i| matches!(i, Instr::Bin { op: BinOp::Add, .. }));
    let right = t.events[t.etable[i].events_end as usize - 1].value;
    forge_write(&mut t, i, 2, right + 1);
    assert_eq!(run(t), set(&["gate: op bin arith"]));
}

#[test]
fn wrong_product_is_rejected() {
    let mut t = tables(PROGRAM);
    let i = step(&t, |i| {
        matches!(
            i,
            Instr::Bin {
                op: BinOp::Mul,
                ty: zkwasm_tracer::ValTy::I64
            }
        )
    });
    let right = t.events[t.etable[i].events_end as usize - 1].value;
    forge_write(&mut t, i, 2, right ^ 1);
    assert!(run(t).contains("gate: op bin arith"));
}

#[test]
fn result_off_by_the_width_is_rejected() {
    // An i32 sum plus 2^32: the same value modulo 2^32, but it does not fit the i32 result.
    let mut t = tables(PROGRAM);
    let i = step(&t, |i| {
        matches!(
            i,
            Instr::Bin {
                op: BinOp::Add,
                ty: zkwasm_tracer::ValTy::I32
            }
        )
    });
    let right = t.events[t.etable[i].events_end as usize - 1].value;
    forge_write(&mut t, i, 2, right + (1 << 32));
    assert!(run(t).contains("gate: op bin arith"));
}

#[test]
fn wrong_copy_is_rejected() {
    // local.get writing another value than it read.
    let mut t = tables(PROGRAM);
    let i = step(&t, |i| matches!(i, Instr::LocalGet { .. }));
    forge_write(&mut t, i, 1, 999);
    // (The forged value also flows into the later add, which then fails too.)
    assert!(run(t).contains("gate: op local.get"));
}

#[test]
fn stale_read_is_rejected() {
    // A read claiming a value the memory entry does not hold.
    let mut t = tables(PROGRAM);
    let i = step(&t, |i| matches!(i, Instr::Bin { .. }));
    let start = t.etable[i - 1].events_end as usize;
    t.events[start].value += 1;
    // No MTable entry holds it: the access lookup in the range argument's sum fails.
    let f = run(t);
    assert!(f.contains("gate: range sum ends at zero"), "{f:?}");
}

#[test]
fn instruction_not_in_image_is_rejected() {
    let mut t = tables(PROGRAM);
    let i = step(&t, |i| matches!(i, Instr::I64Const(5)));
    t.etable[i].instr = Instr::I64Const(6);
    forge_write(&mut t, i, 0, 6);
    // No image row explains the step: the image lookup in the range argument's sum fails.
    assert!(run(t).contains("gate: range sum ends at zero"));
}

#[test]
fn unfinished_run_is_rejected() {
    let mut t = tables(PROGRAM);
    t.etable.pop();
    let f = run(t);
    assert!(f.contains("gate: etable step"), "{f:?}");
}

#[test]
fn forged_frame_is_rejected() {
    // The fake-return attack: an extra frame in the JTable. The JTable's call counter no
    // longer equals the ETable's.
    let mut t = tables(PROGRAM);
    let last = *t.jtable.last().unwrap();
    t.jtable.push(zkwasm_tables::JRow {
        frame: last.frame + 1,
        ..last
    });
    // (And the frame lookup: the JTable supplies the frame once, no step looks it up.)
    assert_eq!(
        run(t),
        set(&["gate: counters", "gate: range sum ends at zero"])
    );
}

#[test]
fn duplicated_frame_is_rejected() {
    // The JTable has no ordering rule: its entries are exactly the calls' frames because the
    // frame lookup's multiplicities are exact. A second copy of a frame's entry, in place of
    // the last frame's (so the JTable's counts stay right): the copy is supplied to the sum
    // but looked up by nobody, and the call of the frame left out finds no entry (its frame
    // slot cannot hold its own eid), nor does its return (its frame slot is not its frame,
    // the next state not the slot's return address, and the slot's lookup is not recorded).
    let mut t = tables(PROGRAM);
    let first = t.jtable.iter().position(|j| !j.is_static).unwrap();
    let last = t.jtable.len() - 1;
    assert!(first < last && t.jtable[last].returned);
    t.jtable[last] = t.jtable[first];
    assert_eq!(
        run(t),
        set(&[
            "gate: op call",
            "gate: op return",
            NEXT_RULE,
            "gate: frame lookup",
            "gate: range sum ends at zero"
        ])
    );
}

#[test]
fn frame_order_does_not_matter() {
    // The same frames in another order prove the same run.
    let mut t = tables(PROGRAM);
    let n = t.jtable.len();
    assert!(n > 3);
    t.jtable[1..].reverse();
    assert_eq!(run(t), set(&[]));
}

#[test]
fn cost_stays_within_budget() {
    use halo2_proofs::plonk::{Circuit, ConstraintSystem};
    use zkwasm_circuits::Fr;
    let t = tables(PROGRAM);
    let c = VmCircuit::new(k_for(&t), t);
    let mut meta = ConstraintSystem::<Fr>::default();
    let config = VmCircuit::configure_with_params(&mut meta, c.params());
    // The backend caps `degree()` at 5 (its MAX_DEGREE) and then computes the quotient on the
    // 4n domain whatever the gates' degrees: a gate of degree 6 passes MockProver but breaks
    // every real proof. So each polynomial's own degree is checked.
    for gate in meta.gates() {
        for poly in gate.polynomials() {
            assert!(
                poly.degree() <= 5,
                "{}: degree {}",
                gate.name(),
                poly.degree()
            );
        }
    }
    assert!(meta.degree() <= 5, "degree {}", meta.degree());
    // The range argument: the tuple lookups' helpers (frames, with multiplicities the
    // JTable's, stated by the circuit; memory accesses of each slot group, the MTable's
    // `accessed` cells; instances and the image, a column of copies each; the MTable's init
    // entries against the image; the bit table's two nibble pairs against the AND table, its
    // uses a column; the bitwise steps' triples against the bit table, its copies a column),
    // holding range inputs where they have room, one helper per three of the other
    // range-checked columns, the table terms' helper, two multiplicities and the running sum.
    let range = config.range_columns();
    let count = |r| range.inputs.iter().filter(|(_, x)| *x == r).count();
    assert_eq!(
        (count(Range::U8), count(Range::Common)),
        (40, 12),
        "bytes: ETable 28 (a store's 16 old and 8 value bytes, 4 of its bound), MTable 12; \
         common: ETable 4 (sp, frame ids) and 8 eid distances"
    );
    assert_eq!(range.tuple_helpers.len(), 14);
    let held: Vec<usize> = range.tuple_inputs.iter().map(Vec::len).collect();
    assert_eq!(
        held,
        [0, 1, 2, 2, 2, 1, 1, 2, 1, 2, 0, 1, 1, 1],
        "range inputs the tuple helpers hold: each as many as keep its gate at degree 5 (the \
         frame lookup's numerator has degree 3; the access lookups of the second to fourth \
         groups, the init entries' image lookup, the second nibble lookup and the sign \
         lookups have no table side; the bit lookup's input has degree 3, the sign lookups' \
         tuples degree 2)"
    );
    assert_eq!(
        range.helpers.len(),
        12,
        "the other 35 inputs, three to a helper"
    );
    assert!(
        range.h_table.is_some(),
        "the last helper has two inputs: the table terms take a helper of their own"
    );
    // Helpers, the table terms' helper, the multiplicities, the running sum and the two
    // copies columns.
    let range = range.helpers.len() + range.tuple_helpers.len() + 1 + 2 + 1 + 2;
    // The MTable (28 columns) and the JTable (8) have their own budget tests, the bit table
    // has 8 (two nibble pairs, its copies, the AND table's uses); the rest is the ETable, one
    // row per step: at most 140 cells per step (the reference system has 160).
    let etable_cells = (meta.num_advice_columns() - 28 - 8 - 8 - range) * ROWS;
    assert_eq!(meta.num_advice_columns(), 205, "advice columns");
    assert_eq!(
        etable_cells, 129,
        "45 pure columns (eid, 4 groups of one access slot), 84 allocated (36 bit, 28 byte, \
         4 common, 16 unlimited)"
    );
    assert!(etable_cells <= 140, "{etable_cells} cells per step");
    // Range checks, frames, memory accesses, instances and the image are no lookup
    // arguments (each would cost three committed polynomials).
    assert_eq!(meta.lookups().len(), 0, "lookups");
    // No copy constraints: the counters are tied by a rule on the first row, so there is no
    // permutation argument (its grand products and their openings).
    let permuted = meta.permutation().get_columns().len();
    assert_eq!(permuted, 0, "columns in the permutation argument");
    println!(
        "vm circuit: {} advice columns, {} fixed, {} lookups, degree {}, {permuted} permuted columns",
        meta.num_advice_columns(),
        meta.num_fixed_columns(),
        meta.lookups().len(),
        meta.degree()
    );
}

#[test]
fn real_proof_of_a_program_verifies() {
    // zkWasm's wasm_output example with public inputs 133 and 2 (each read twice here).
    let t = tables_with(IO, vec![133, 133, 2, 2], vec![5]);
    let k = k_for(&t);
    let honest = VmCircuit::new(k, t.clone());
    let kzg = Kzg::setup(k, &honest);
    let instances = honest.instances();
    let proof = kzg.prove(&honest, &instances);
    kzg.verify(&proof, &instances)
        .expect("the honest proof verifies");
    let mut wrong = instances.clone();
    wrong[0][2] = zkwasm_circuits::Fr::from(267);
    assert!(
        kzg.verify(&proof, &wrong).is_err(),
        "a wrong output is rejected"
    );
    // A value past the count, in a column a verifier builds itself: a prover that proves the
    // honest run against that column gets no proof that verifies.
    let mut longer = instances.clone();
    longer[0].push(zkwasm_circuits::Fr::from(7));
    let padded = kzg.prove(&honest, &longer);
    assert!(
        kzg.verify(&padded, &longer).is_err(),
        "a value past the count is rejected"
    );
    let mut forged = t;
    let i = step(&forged, |i| matches!(i, Instr::Bin { op: BinOp::Add, .. }));
    let right = forged.events[forged.etable[i].events_end as usize - 1].value;
    forge_write(&mut forged, i, 2, right + 1);
    let forged_proof = kzg.prove(&VmCircuit::new(k, forged), &instances);
    assert!(
        kzg.verify(&forged_proof, &instances).is_err(),
        "a proof of a wrong sum is rejected"
    );
}

#[test]
fn wrong_test_and_select_results_are_rejected() {
    let mut t = tables(CONTROL);
    let i = step(&t, |i| matches!(i, Instr::Eqz(_)));
    let right = t.events[t.etable[i].events_end as usize - 1].value;
    forge_write(&mut t, i, 1, 1 - right);
    assert!(run(t).contains("gate: op eqz"));
    let mut t = tables(CONTROL);
    let i = step(&t, |i| matches!(i, Instr::Select(_)));
    forge_write(&mut t, i, 3, 9 + 1);
    assert!(run(t).contains("gate: op select"));
}

#[test]
fn wrong_comparisons_are_rejected() {
    for pick in [
        (|i: &Instr| matches!(i, Instr::Rel { op: RelOp::LtS, .. })) as fn(&Instr) -> bool,
        |i| matches!(i, Instr::Rel { op: RelOp::GeU, .. }),
        |i| matches!(i, Instr::Rel { op: RelOp::Eq, .. }),
    ] {
        let mut t = tables(CONTROL);
        let i = step(&t, pick);
        let right = t.events[t.etable[i].events_end as usize - 1].value;
        forge_write(&mut t, i, 2, 1 - right);
        assert!(run(t).contains("gate: op rel"));
    }
}

#[test]
fn comparison_must_be_the_instructions() {
    // An `lt_s` step proved as `lt_u` (its signedness bit cleared) or as `gt_s` (its predicate
    // moved, one-hot kept): the operation index no longer matches the image's `sub`.
    use zkwasm_circuits::Fr;
    use zkwasm_tables::encode::Class;
    let t = tables(CONTROL);
    let cfg = etable_config(&t);
    let k = k_for(&t);
    let i = step(&t, |i| matches!(i, Instr::Rel { op: RelOp::LtS, .. }));
    let cell = |name| cfg.class_cell(Class::Rel, name).unwrap();
    let forgeries: [&[(&str, u64)]; 2] = [&[("signed", 0)], &[("lt", 0), ("gt", 1)]];
    for forged in forgeries {
        let mut c = VmCircuit::new(k, t.clone());
        for &(name, v) in forged {
            let x = cell(name);
            c.etable_overrides
                .set(x.column, i * ROWS + x.rot as usize, Fr::from(v));
        }
        let rows = failing_rows(k, &c, c.instances(), "gate: op rel");
        assert!(rows.contains(&(i * ROWS)), "{forged:?}: {rows:?}");
    }
}

#[test]
fn wrong_global_copy_is_rejected() {
    let mut t = tables(CONTROL);
    let i = step(&t, |i| matches!(i, Instr::GlobalSet { .. }));
    forge_write(&mut t, i, 1, 7);
    assert!(run(t).contains("gate: op global.set"));
}

/// The configured ETable (its cells' columns and rotations), to tamper with.

#[test]
fn flipped_class_selector_is_rejected() {
    // A `const` step claiming to be a `drop`: the instruction is not the image's, and the
    // step's write is not a drop's access either.
    use zkwasm_tables::encode::Class;
    let t = tables(PROGRAM);
    let cfg = etable_config(&t);
    let i = step(&t, |i| matches!(i, Instr::I64Const(_)));
    let (konst, drop) = (
        cfg.class_bit(Class::Const).unwrap(),
        cfg.class_bit(Class::Drop).unwrap(),
    );
    let k = k_for(&t);
    let mut c = VmCircuit::new(k, t);
    c.etable_overrides.set(
        konst.column,
        i * ROWS + konst.rot as usize,
        zkwasm_circuits::Fr::zero(),
    );
    c.etable_overrides.set(
        drop.column,
        i * ROWS + drop.rot as usize,
        zkwasm_circuits::Fr::one(),
    );
    let f = failures(k, &c, c.instances());
    assert!(
        f.contains("gate: image lookup") && f.contains(SLOTS_RULE),
        "{f:?}"
    );
    let rows = failing_rows(k, &c, c.instances(), SLOTS_RULE);
    assert_eq!(rows, BTreeSet::from([i * ROWS]), "a drop writes no slot");
}

/// A `local.get` step of [`PROGRAM`] (it reads slot 0 and writes slot 1): the tables, the
/// ETable's configuration and the step.
fn local_get_step() -> (Tables, zkwasm_circuits::etable::ETableConfig, usize) {
    let t = tables(PROGRAM);
    let cfg = etable_config(&t);
    let i = step(&t, |i| matches!(i, Instr::LocalGet { .. }));
    (t, cfg, i)
}

/// The rows at which `gate` fails once the ETable's cell `(col, row)` holds `v`.
fn failing_with_cell(
    t: &Tables,
    col: halo2_proofs::plonk::Column<halo2_proofs::plonk::Advice>,
    row: usize,
    v: u64,
    gate: &str,
) -> BTreeSet<usize> {
    let k = k_for(t);
    let mut c = VmCircuit::new(k, t.clone());
    c.etable_overrides
        .set(col, row, zkwasm_circuits::Fr::from(v));
    failing_rows(k, &c, c.instances(), gate)
}

#[test]
fn forged_slot_fields_are_rejected() {
    // A `local.get` reads slot 0 and writes slot 1; every field of a used slot moved by one,
    // and an unused slot claimed used, breaks the shared slot rule at that step.
    let (t, cfg, i) = local_get_step();
    let mut forged = vec![];
    for (j, e) in t.events_of(i).iter().enumerate() {
        let s = cfg.slot(j);
        let g = s.group;
        let is_write = e.rw == zkwasm_tracer::trace::Rw::Write;
        let is_i32 = e.ty == zkwasm_tracer::ValTy::I32;
        forged.extend([
            (g.used, s.rot, 1),
            (g.is_write, s.rot, is_write as u64),
            (g.loc, s.rot, e.loc as u64),
            (g.addr, s.rot, e.addr as u64),
            (g.is_i32, s.rot, is_i32 as u64),
        ]);
    }
    assert_eq!(forged.len(), 10, "two accesses");
    // An unused slot claimed used, a write, or at a location, address or width: the slot
    // rule is what keeps them zero (and bits where used).
    let unused = cfg.slot(2);
    let g = unused.group;
    for col in [g.used, g.is_write, g.loc, g.addr, g.is_i32] {
        forged.push((col, unused.rot, 0));
    }
    for (col, rot, honest_value) in forged {
        let row = i * ROWS + rot as usize;
        let rows = failing_with_cell(&t, col, row, honest_value + 1, SLOTS_RULE);
        assert_eq!(rows, BTreeSet::from([i * ROWS]), "{col:?} row {row}");
    }
}

#[test]
fn slot_eids_and_unused_values_are_checked() {
    // What the access-slot gate itself checks, at the slot's row: a write's start is the
    // step's eid, a read's eid distances, and an unused slot's value is zero.
    let (t, cfg, i) = local_get_step();
    let (read, write, unused) = (cfg.slot(0), cfg.slot(1), cfg.slot(2));
    let eid = t.etable[i].eid as u64;
    for (col, rot, v) in [
        (write.group.start, write.rot, eid + 1),
        (read.group.d_start, read.rot, 1 << 20),
        (read.group.d_end, read.rot, 1 << 20),
        (unused.group.value, unused.rot, 5),
    ] {
        let row = i * ROWS + rot as usize;
        let rows = failing_with_cell(&t, col, row, v, "gate: access slot");
        assert_eq!(rows, BTreeSet::from([row]), "{col:?} row {row}");
    }
}

#[test]
fn both_slot_groups_are_looked_up() {
    // A read's `end` moved by one, its distance `d_end` with it (so the access-slot gate still
    // holds): no MTable entry has that interval, and the lookup of the slot's group fails at
    // the slot's row, the first group's and the second's alike.
    use zkwasm_circuits::Fr;
    // A `select` reads slots 0, 1 and 2.
    let t = tables(CONTROL);
    let cfg = etable_config(&t);
    let k = k_for(&t);
    for (j, lookup) in [
        (0, "gate: access lookup"),
        (ROWS, "gate: access lookup (second group)"),
    ] {
        let (i, e) = (0..t.etable.len())
            .find_map(|i| {
                let e = *t.events_of(i).get(j)?;
                (e.rw == Rw::Read).then_some((i, e))
            })
            .expect("a read in the slot");
        let eid = t.etable[i].eid;
        let entry = t
            .mtable
            .iter()
            .find(|r| r.loc == e.loc && r.addr == e.addr && r.start < eid && eid <= r.end)
            .expect("the entry the read reads");
        let end = zkwasm_circuits::mtable::end_of(k, entry.end);
        let s = cfg.slot(j);
        let row = i * ROWS + s.rot as usize;
        let mut c = VmCircuit::new(k, t.clone());
        c.etable_overrides
            .set(s.group.end, row, Fr::from(end + 1))
            .set(s.group.d_end, row, Fr::from(end + 1 - eid as u64));
        let failed = failures(k, &c, c.instances());
        assert!(failed.contains(lookup), "slot {j}: {failed:?}");
        assert!(
            !failed.contains("gate: access slot"),
            "slot {j}: {failed:?}"
        );
        assert_eq!(
            failing_rows(k, &c, c.instances(), lookup),
            BTreeSet::from([row])
        );
    }
}

#[test]
fn disabled_steps_access_nothing() {
    // A step past the run (all class bits zero) claiming a memory access: the slot rule
    // wants every slot of a disabled step unused.
    use zkwasm_circuits::Fr;
    let t = tables(PROGRAM);
    let cfg = etable_config(&t);
    let k = k_for(&t);
    let past = t.etable.len() + 1;
    assert!(past < blocks(k, ROWS), "a disabled block inside the table");
    for j in 0..ROWS {
        let s = cfg.slot(j);
        let mut c = VmCircuit::new(k, t.clone());
        let row = past * ROWS + s.rot as usize;
        c.etable_overrides.set(s.group.used, row, Fr::one());
        let rows = failing_rows(k, &c, c.instances(), SLOTS_RULE);
        assert_eq!(rows, BTreeSet::from([past * ROWS]), "slot {j}");
    }
}

#[test]
fn wrong_next_state_is_rejected() {
    let t = tables(PROGRAM);
    let i = step(&t, |i| matches!(i, Instr::I64Const(_)));
    let mut sp = t.clone();
    sp.etable[i + 1].sp += 1;
    assert!(failing_steps(sp, NEXT_RULE).contains(&i));
    let mut frame = t.clone();
    frame.etable[i + 1].frame += 1;
    assert!(failing_steps(frame, NEXT_RULE).contains(&i));
}

#[test]
fn return_to_a_wrong_address_is_rejected() {
    let mut t = tables(PROGRAM);
    let i = step(&t, |i| matches!(i, Instr::Return(_)));
    assert_ne!(t.etable[i].frame, 0, "a return from a called function");
    let frame = t.etable[i].frame;
    t.etable[i + 1].iid += 1;
    // The frame slot (the JTable's return address) disagrees with the next step.
    assert!(failing_steps(t.clone(), NEXT_RULE).contains(&i));
    // Moving the JTable's return address along breaks the call that opened the frame: its
    // frame slot must hold the call's own `iid + 1`.
    let j = t.jtable.iter_mut().find(|j| j.frame == frame).unwrap();
    j.ret_iid += 1;
    assert!(run(t.clone()).contains("gate: op call"));
    assert!(!failing_steps(t, NEXT_RULE).contains(&i));
}

/// A return's cell `name` (see `Op::cells`) set to `v` at step `i`: what fails.
fn forge_return(t: &Tables, i: usize, name: &str, v: u64) -> BTreeSet<String> {
    use zkwasm_tables::encode::Class;
    let cfg = etable_config(t);
    let cell = cfg.class_cell(Class::Return, name).unwrap();
    let k = k_for(t);
    let mut c = VmCircuit::new(k, t.clone());
    let row = i * ROWS + cell.rot as usize;
    c.etable_overrides
        .set(cell.column, row, zkwasm_circuits::Fr::from(v));
    failures(k, &c, c.instances())
}

#[test]
fn return_halts_exactly_in_the_entry_frame() {
    let t = tables(PROGRAM);
    // A return from a called frame claiming to halt: `frame · halt = 0`.
    let i = step(&t, |i| matches!(i, Instr::Return(_)));
    assert_ne!(t.etable[i].frame, 0);
    assert!(forge_return(&t, i, "halt", 1).contains("gate: op return"));
    // The entry frame's return claiming to go back to a caller: it now looks up frame 0,
    // which the JTable supplies to no lookup (the frame lookup's helper cannot account for
    // it).
    let last = t.etable.len() - 1;
    assert_eq!(t.etable[last].frame, 0);
    let f = forge_return(&t, last, "halt", 0);
    assert!(f.contains("gate: frame lookup"), "{f:?}");
}

#[test]
fn kept_value_must_move() {
    // A return with a kept value and a nonzero drop that does not move the value:
    // `drop · (active · keep - moving) = 0`.
    let t = tables(PROGRAM);
    let i = (0..t.etable.len())
        .find(|&i| matches!(t.etable[i].instr, Instr::Return(dk) if dk.keep == 1 && dk.drop > 0))
        .expect("a return that moves its result");
    assert!(forge_return(&t, i, "moving", 0).contains("gate: op return"));
    // Moving what is not kept: `moving · (1 - active · keep) = 0`.
    let t =
        tables(r#"(module (func $f (local i64)) (func (export "zkmain") (call $f) (call $f)))"#);
    let j = step(
        &t,
        |i| matches!(i, Instr::Return(dk) if dk.keep == 0 && dk.drop > 0),
    );
    assert!(forge_return(&t, j, "moving", 1).contains("gate: op return"));
}

#[test]
fn frame_lookup_is_exact() {
    // A frame the run opened and returned from, marked unreturned in the JTable: it is
    // supplied once, looked up twice (and the return's slot says returned).
    let mut t = tables(PROGRAM);
    let i = step(&t, |i| matches!(i, Instr::Return(_)));
    let frame = t.etable[i].frame;
    let j = t.jtable.iter_mut().find(|j| j.frame == frame).unwrap();
    j.returned = false;
    let f = run(t);
    assert!(f.contains("gate: range sum ends at zero"), "{f:?}");
    // A frame whose return address differs from what the call recorded: the call's gate
    // pins its slot, so the JTable's tuple is looked up by nobody.
    let mut t = tables(PROGRAM);
    let j = t.jtable.iter_mut().find(|j| !j.is_static).unwrap();
    j.parent += 1;
    let f = run(t);
    assert!(f.contains("gate: op call"), "{f:?}");
}

/// Which step of a run a test tampers with.
type Pick = fn(&Instr) -> bool;

/// Every class's next state is checked: the step after one of each class with its stack
/// pointer moved by one breaks the shared next-state rule at that class's step.
#[test]
fn every_class_checks_its_next_state() {
    let cases: [(&str, Pick, &str); 14] = [
        (
            "const",
            |i| matches!(i, Instr::I32Const(_) | Instr::I64Const(_)),
            PROGRAM,
        ),
        ("drop", |i| matches!(i, Instr::Drop), PROGRAM),
        (
            "local.get",
            |i| matches!(i, Instr::LocalGet { .. }),
            PROGRAM,
        ),
        (
            "local.set",
            |i| matches!(i, Instr::LocalSet { .. }),
            PROGRAM,
        ),
        (
            "local.tee",
            |i| matches!(i, Instr::LocalTee { .. }),
            PROGRAM,
        ),
        ("bin", |i| matches!(i, Instr::Bin { .. }), PROGRAM),
        ("call", |i| matches!(i, Instr::Call(_)), PROGRAM),
        ("return", |i| matches!(i, Instr::Return(_)), PROGRAM),
        ("br", |i| matches!(i, Instr::Br { .. }), CONTROL),
        ("br_if_eqz", |i| matches!(i, Instr::BrIfEqz { .. }), CONTROL),
        ("br_if_nez", |i| matches!(i, Instr::BrIfNez { .. }), CONTROL),
        (
            "global.get",
            |i| matches!(i, Instr::GlobalGet { .. }),
            CONTROL,
        ),
        ("rel", |i| matches!(i, Instr::Rel { .. }), CONTROL),
        ("select", |i| matches!(i, Instr::Select(_)), CONTROL),
    ];
    for (class, pick, program) in cases {
        let mut t = tables(program);
        let i = step(&t, pick);
        t.etable[i + 1].sp += 1;
        let f = failing_steps(t, NEXT_RULE);
        assert!(f.contains(&i), "{class} at step {i}: {f:?}");
    }
}

#[test]
fn the_table_really_ends() {
    // The block after the last is what the last step reads as its successor: claiming it
    // enabled would let a run that fills the table stop without halting (a proved prefix).
    let t = tables(PROGRAM);
    let k = k_for(&t);
    let cfg = etable_config(&t);
    let on = cfg.common().enabled;
    let mut c = VmCircuit::new(k, t);
    let tail = blocks(k, ROWS) * ROWS + on.rot as usize;
    c.etable_overrides
        .set(on.column, tail, zkwasm_circuits::Fr::one());
    let f = failures(k, &c, c.instances());
    // (The last capacity block's own rules object too: a disabled step before an enabled one.)
    assert!(f.contains("gate: etable tail"), "{f:?}");
}

#[test]
fn provable_classes_have_gates() {
    // Every instruction `provable` accepts has a configured class; a return of two values
    // is not provable yet.
    let t = tables(CONTROL);
    let cfg = etable_config(&t);
    for (i, row) in t.etable.iter().enumerate() {
        assert!(
            zkwasm_circuits::etable::provable(row.instr, t.events_of(i).len()),
            "{}",
            row.instr
        );
        let class = zkwasm_tables::encode::opcode(row.instr).class;
        assert!(cfg.class_bit(class).is_some(), "{class:?}");
    }
    let two = zkwasm_tracer::isa::DropKeep {
        drop: 0,
        keep: 2,
        i64_mask: 0,
    };
    assert!(!zkwasm_circuits::etable::provable(Instr::Return(two), 4));
    assert_eq!(VmCircuit::first_unprovable(&t), None);
}

#[test]
fn forged_range_multiplicities_are_rejected() {
    // The VM's 12 range-checked columns share one argument: a prover claiming that no cell
    // holds the byte 0 (or that one more common-range cell holds 1) cannot balance it.
    use halo2_proofs::plonk::{Circuit, ConstraintSystem};
    let t = tables(PROGRAM);
    let k = k_for(&t);
    let mut meta = ConstraintSystem::<zkwasm_circuits::Fr>::default();
    let cols = VmCircuit::configure_with_params(&mut meta, VmCircuit::new(k, t.clone()).params())
        .range_columns();
    for (column, row, v) in [(cols.m8, 0, 0), (cols.mc, 1, 1 << 20)] {
        let mut c = VmCircuit::new(k, t.clone());
        c.range_overrides
            .set(column, row, zkwasm_circuits::Fr::from(v));
        assert_eq!(
            failures(k, &c, c.instances()),
            set(&["gate: range sum ends at zero"])
        );
    }
}

#[test]
fn inputs_in_tuple_helpers_are_range_checked() {
    // The range inputs the tuple lookups' helpers hold (the ETable's last seventeen
    // range-checked columns: the slots' eight eid distances and nine others) are checked like the
    // others: an out-of-range value on a disabled step's row (where no other rule reads the
    // cell) cannot balance the sum, whichever helper holds it.
    use halo2_proofs::plonk::{Circuit, ConstraintSystem};
    use zkwasm_circuits::Fr;
    let t = tables(PROGRAM);
    let k = k_for(&t);
    let mut meta = ConstraintSystem::<Fr>::default();
    let cols = VmCircuit::configure_with_params(&mut meta, VmCircuit::new(k, t.clone()).params())
        .range_columns();
    let held: Vec<_> = cols.tuple_inputs.iter().flatten().collect();
    assert_eq!(held.len(), 17);
    let past = (t.etable.len() + 1) * ROWS;
    for &&(column, _) in &held {
        for v in [Fr::from(1u64 << 40), -Fr::one()] {
            let mut c = VmCircuit::new(k, t.clone());
            c.etable_overrides.set(column, past, v);
            assert_eq!(
                failures(k, &c, c.instances()),
                set(&["gate: range sum ends at zero"]),
                "{column:?}"
            );
        }
        // And an in-range value there is accepted (the test forges only the range).
        let mut c = VmCircuit::new(k, t.clone());
        c.etable_overrides.set(column, past, Fr::from(7));
        assert_eq!(failures(k, &c, c.instances()), set(&[]));
    }
}

/// The stack limit the program id claims (the image's `max_stack`) binds the proof: a run
/// whose stack reaches the limit proves, the same run labelled with a limit one lower (a run
/// the tracer refuses) fails the step rule at the step past it.
#[test]
fn the_stack_pointer_stays_within_the_images_limit() {
    let tables_under = |limits: &Limits| {
        let img = load(PROGRAM.as_bytes(), limits)
            .unwrap()
            .image("zkmain")
            .unwrap();
        let run = execute(&img, &Inputs::default(), limits).unwrap();
        let t = build(&img, &run.trace, &run.outcome.instances, limits);
        check(&t).unwrap();
        t
    };
    let top = tables_under(&Limits::default())
        .etable
        .iter()
        .map(|r| r.sp)
        .max()
        .unwrap();
    let exact = Limits {
        max_stack: top,
        ..Limits::default()
    };
    let t = tables_under(&exact);
    assert_eq!(run(t.clone()), BTreeSet::new());
    let mut relabelled = t.clone();
    relabelled.image.state.max_stack = top - 1;
    let over: BTreeSet<usize> = (0..t.etable.len())
        .filter(|&i| t.etable[i].sp == top)
        .collect();
    assert!(!over.is_empty());
    assert_eq!(failing_steps(relabelled, "gate: etable step"), over);
}

/// Any nonzero value past the instance count fails the rule on its row (MockProver), at the
/// row after the last instance and at the last row a verifier can fill.
#[test]
fn instance_values_past_the_count_are_rejected() {
    let t = tables_with(IO, vec![133, 133, 2, 2], vec![5]);
    let k = k_for(&t);
    let c = VmCircuit::new(k, t);
    let honest = c.instances();
    let count = honest[0].len();
    // (The backend keeps the last rows: the blinding factors and one more.)
    let blinding = {
        use halo2_proofs::plonk::{Circuit, ConstraintSystem};
        let mut meta = ConstraintSystem::<zkwasm_circuits::Fr>::default();
        VmCircuit::configure_with_params(&mut meta, c.params());
        meta.blinding_factors()
    };
    let last = (1usize << k) - blinding - 2;
    for row in [count, last] {
        let mut forged = honest.clone();
        forged[0].resize(row + 1, zkwasm_circuits::Fr::zero());
        forged[0][row] = zkwasm_circuits::Fr::from(1);
        assert_eq!(
            failures(k, &c, forged),
            set(&["gate: instances past the count"]),
            "row {row}"
        );
    }
}
