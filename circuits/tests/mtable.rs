//! The MTable circuit: honest tables of real runs are accepted (MockProver), every attack the
//! table checker rejects is rejected here too, by the constraint named for its rule, and a
//! real KZG proof verifies (and fails for a wrong instance).

mod common;

use common::Kzg;
use std::collections::BTreeSet;
use zkwasm_circuits::allocator::blocks;
use zkwasm_circuits::allocator::Cell;
use zkwasm_circuits::mock::failures;
use zkwasm_circuits::mtable::{Cells, MTableCircuit, ROWS};
use zkwasm_circuits::tamper::Overrides;
use zkwasm_circuits::Fr;
use zkwasm_tables::{build, check, MRow, Tables, MIN_K};
use zkwasm_tracer::trace::Loc;
use zkwasm_tracer::{execute, load, Inputs, Limits, ValTy};

const PROGRAM: &str = r#"(module
  (import "env" "wasm_output" (func $out (param i64)))
  (memory 1) (data (i32.const 16) "\01\02\03\04\05\06\07\08\09")
  (global $g (mut i64) (i64.const 40)) (global $c i32 (i32.const 7))
  (func $f (param i32) (result i32) (i32.add (local.get 0) (global.get $c)))
  (func (export "zkmain") (local $i i32)
    (global.set $g (i64.add (global.get $g) (i64.const 2)))
    (i64.store (i32.const 20) (global.get $g))
    (i32.store8 (i32.const 4000) (call $f (i32.const 1)))
    (call $out (i64.load (i32.const 16)))
    (call $out (i64.extend_i32_u (i32.load8_u (i32.const 4000))))
    (call $out (i64.load (i32.const 9000)))))"#;

fn tables(wat: &str) -> Tables {
    let limits = Limits::default();
    let img = load(wat.as_bytes(), &limits)
        .unwrap()
        .image("zkmain")
        .unwrap();
    let run = execute(&img, &Inputs::default(), &limits).unwrap();
    let t = build(&img, &run.trace, &run.outcome.instances, &limits);
    check(&t).unwrap();
    t
}

fn k_for(rows: usize) -> u32 {
    (MIN_K..).find(|&k| blocks(k, ROWS) >= rows).unwrap()
}

fn circuit(t: &Tables, rows: Vec<MRow>) -> MTableCircuit {
    MTableCircuit {
        k: k_for(rows.len() + 4),
        image: t.image.clone(),
        rows,
        overrides: Overrides::new(),
    }
}

/// What fails when proving `rows` against the honest write count.
fn run(t: &Tables, rows: Vec<MRow>, overrides: Overrides) -> BTreeSet<String> {
    let honest_writes = Fr::from(t.mtable.iter().filter(|r| !r.init).count() as u64);
    let c = MTableCircuit {
        overrides,
        ..circuit(t, rows)
    };
    failures(c.k, &c, vec![vec![honest_writes]])
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn position(t: &Tables, f: impl Fn(&MRow) -> bool) -> usize {
    t.mtable
        .iter()
        .position(f)
        .expect("the program has such an entry")
}

#[test]
fn honest_tables_are_accepted() {
    let t = tables(PROGRAM);
    assert_eq!(run(&t, t.mtable.clone(), Overrides::new()), set(&[]));
    for name in ["fib", "bytes", "sort"] {
        let path = format!("{}/../guests/wasm/{name}.wasm", env!("CARGO_MANIFEST_DIR"));
        let limits = Limits::default();
        let img = load(&std::fs::read(path).unwrap(), &limits)
            .unwrap()
            .image("zkmain")
            .unwrap();
        let inputs = match name {
            "fib" => Inputs {
                public: vec![10],
                private: vec![],
            },
            "bytes" => Inputs {
                public: vec![0x0123456789abcdef, 1],
                private: vec![],
            },
            _ => Inputs {
                public: vec![3, 6],
                private: vec![3, 1, 2],
            },
        };
        let run_ = execute(&img, &inputs, &limits).unwrap();
        let t = build(&img, &run_.trace, &run_.outcome.instances, &limits);
        assert_eq!(
            run(&t, t.mtable.clone(), Overrides::new()),
            set(&[]),
            "{name}"
        );
    }
}

#[test]
fn forged_init_value_fails_the_image_lookup() {
    let t = tables(PROGRAM);
    let mut rows = t.mtable.clone();
    let i = position(&t, |r| r.loc == Loc::Heap && r.init && r.value != 0);
    rows[i].value ^= 0xff00;
    assert_eq!(
        run(&t, rows, Overrides::new()),
        set(&["gate: range sum ends at zero"])
    );
    // A block outside the data claiming a nonzero initial value.
    let mut rows = t.mtable.clone();
    let i = position(&t, |r| r.loc == Loc::Heap && r.init && r.value == 0);
    rows[i].value = 1;
    assert_eq!(
        run(&t, rows, Overrides::new()),
        set(&["gate: range sum ends at zero"])
    );
    // A global's initial value.
    let mut rows = t.mtable.clone();
    let i = position(&t, |r| r.loc == Loc::Global && r.init);
    rows[i].value += 1;
    assert_eq!(
        run(&t, rows, Overrides::new()),
        set(&["gate: range sum ends at zero"])
    );
}

#[test]
fn reordered_entries_are_rejected() {
    let t = tables(PROGRAM);
    let mut rows = t.mtable.clone();
    let i = position(&t, |r| r.loc == Loc::Stack && r.end != u32::MAX);
    rows.swap(i, i + 1);
    let f = run(&t, rows, Overrides::new());
    assert!(f.contains("gate: mtable sorted"), "{f:?}");
}

#[test]
fn out_of_range_limb_is_rejected() {
    // The sorting difference with a limb of 256 and the next limb one smaller: the same
    // composite value, so only the byte range check can catch it.
    let t = tables(PROGRAM);
    let limbs = cells().diff.limbs;
    let i = position(&t, |r| r.loc == Loc::Stack && r.end != u32::MAX);
    let (l0, l1) = (limbs[0], limbs[1]);
    let diff = t.mtable[i + 1].start - t.mtable[i].start - 1;
    let mut o = Overrides::new();
    forge(&mut o, l0, i, Fr::from((diff & 0xff) as u64 + 256));
    forge(
        &mut o,
        l1,
        i,
        Fr::from((diff >> 8 & 0xff) as u64) - Fr::one(),
    );
    assert_eq!(
        run(&t, t.mtable.clone(), o),
        set(&["gate: range sum ends at zero"])
    );
}

/// The configured cells (columns and rotations), to tamper with.
fn cells() -> Cells {
    use halo2_proofs::plonk::{Circuit, ConstraintSystem};
    let mut meta = ConstraintSystem::<Fr>::default();
    MTableCircuit::configure(&mut meta).mtable.cells
}

/// Overrides cell `c` of entry `i`.
fn forge(o: &mut Overrides, c: Cell, i: usize, v: Fr) {
    o.set(c.column, i * ROWS + c.rot as usize, v);
}

#[test]
fn forged_cells_are_rejected_by_their_gate() {
    let t = tables(PROGRAM);
    let x = cells();
    let honest = || t.mtable.clone();
    let stack = position(&t, |r| r.loc == Loc::Stack && r.end != u32::MAX);
    // Two location types at once.
    let mut o = Overrides::new();
    forge(&mut o, x.is_heap, stack, Fr::one());
    assert!(run(&t, honest(), o).contains("gate: mtable one location type"));
    // A disabled entry in the middle of the table.
    let mut o = Overrides::new();
    forge(&mut o, x.is_stack, stack, Fr::zero());
    assert!(run(&t, honest(), o).contains("gate: mtable enabled prefix"));
    // Claiming the next entry is at the same location when it is not.
    let last = position(&t, |r| r.loc == Loc::Stack && r.end == u32::MAX);
    let mut o = Overrides::new();
    forge(&mut o, x.same, last, Fr::one());
    assert!(run(&t, honest(), o).contains("gate: mtable same location"));
    // A write counter that does not drop by one per write.
    let mut o = Overrides::new();
    forge(&mut o, x.rest, stack + 1, Fr::from(1000));
    assert!(run(&t, honest(), o).contains("gate: mtable write counter"));
    // An init entry's value cell changed after the honest assignment: its image lookup
    // reads the entry's own cells, so the lookup's helper no longer holds (nor does the next
    // entry's `prev`, which is the value it follows).
    let init = position(&t, |r| r.loc == Loc::Global && r.init);
    assert_eq!(
        (t.mtable[init + 1].loc, t.mtable[init + 1].addr),
        (Loc::Global, t.mtable[init].addr),
        "the global is written"
    );
    let mut o = Overrides::new();
    forge(&mut o, x.value, init, Fr::from(t.mtable[init].value + 1));
    assert_eq!(
        run(&t, honest(), o),
        set(&["gate: image lookup", "gate: mtable previous value"])
    );
    // The value a write overwrote: its location's previous entry's, zero on a first entry.
    for (at, v) in [(init + 1, t.mtable[init].value + 1), (init, 5), (stack, 1)] {
        let mut o = Overrides::new();
        forge(&mut o, x.prev, at, Fr::from(v));
        assert_eq!(
            run(&t, honest(), o),
            set(&["gate: mtable previous value"]),
            "prev of entry {at}"
        );
    }
    // A heap init entry claiming a range that does not hold its address.
    let heap = position(&t, |r| r.loc == Loc::Heap && r.init);
    let mut o = Overrides::new();
    forge(&mut o, x.lo, heap, Fr::from(t.mtable[heap].addr as u64 + 1));
    assert!(run(&t, honest(), o).contains("gate: mtable init range"));
}

/// The MTable with a write nobody made, slotted in sorted order after a heap block's init
/// entry, its interval chained.
fn with_forged_write(t: &Tables) -> Vec<MRow> {
    let mut rows = t.mtable.clone();
    let i = position(t, |r| r.loc == Loc::Heap && r.init && r.end != u32::MAX);
    let next_start = rows[i].end;
    let forged = MRow {
        init: false,
        start: next_start - 1,
        end: next_start,
        value: 0x4141,
        ..rows[i]
    };
    rows[i].end = next_start - 1;
    rows.insert(i + 1, forged);
    rows
}

#[test]
fn forged_write_breaks_the_count() {
    // A write nobody made, slotted in sorted order with its interval chained: only the
    // write counter (against the ETable's total, the instance here) catches it.
    let t = tables(PROGRAM);
    let rows = with_forged_write(&t);
    assert_eq!(
        run(&t, rows, Overrides::new()),
        set(&["gate: mtable total"])
    );
}

#[test]
fn broken_interval_and_missing_init_are_rejected() {
    let t = tables(PROGRAM);
    let mut rows = t.mtable.clone();
    let i = position(&t, |r| r.loc == Loc::Stack && r.end != u32::MAX);
    rows[i].end += 1;
    assert_eq!(
        run(&t, rows, Overrides::new()),
        set(&["gate: mtable interval chain"])
    );
    // Dropping a heap block's init entry: its first write is now first, and not init.
    let mut rows = t.mtable.clone();
    let i = position(&t, |r| r.loc == Loc::Heap && r.init && r.end != u32::MAX);
    rows.remove(i);
    assert!(run(&t, rows, Overrides::new()).contains("gate: mtable init entries"));
    // An init entry that does not start at 0.
    let mut rows = t.mtable.clone();
    let i = position(&t, |r| r.loc == Loc::Global && r.init);
    rows[i].start = 1;
    assert!(run(&t, rows, Overrides::new()).contains("gate: mtable init entries"));
}

#[test]
fn immutable_and_width_rules() {
    let t = tables(PROGRAM);
    // A write to the immutable global $c (index 1), chained after its init entry.
    let mut rows = t.mtable.clone();
    let i = position(&t, |r| r.loc == Loc::Global && r.addr == 1);
    assert!(!rows[i].mutable);
    rows[i].end = 3;
    rows.insert(
        i + 1,
        MRow {
            init: false,
            start: 3,
            end: u32::MAX,
            value: 9,
            ..rows[i]
        },
    );
    let f = run(&t, rows, Overrides::new());
    assert!(f.contains("gate: mtable mutability"), "{f:?}");
    // A heap block recorded as 32 bits wide.
    let mut rows = t.mtable.clone();
    let i = position(&t, |r| r.loc == Loc::Heap && !r.init);
    rows[i].ty = ValTy::I32;
    assert_eq!(
        run(&t, rows, Overrides::new()),
        set(&["gate: mtable widths"])
    );
}

#[test]
fn location_types_only_move_forward() {
    let t = tables(PROGRAM);
    let mut rows = t.mtable.clone();
    let heap = position(&t, |r| r.loc == Loc::Heap);
    rows[heap - 1].loc = Loc::Global;
    rows[heap - 1].end = u32::MAX;
    let f = run(&t, rows, Overrides::new());
    assert!(f.contains("gate: mtable types in order"), "{f:?}");
}

#[test]
fn real_proof_verifies() {
    let t = tables(PROGRAM);
    let honest = circuit(&t, t.mtable.clone());
    let kzg = Kzg::setup(honest.k, &honest);
    let instances = vec![honest.instances()];
    let proof = kzg.prove(&honest, &instances);
    kzg.verify(&proof, &instances)
        .expect("the honest proof verifies");
    let wrong = vec![vec![instances[0][0] + Fr::one()]];
    assert!(
        kzg.verify(&proof, &wrong).is_err(),
        "a wrong write count is rejected"
    );
    // A proof of a forged witness (an initial value the image does not have) does not verify:
    // the constraints are on in the proving key, not only in MockProver.
    let mut rows = t.mtable.clone();
    let i = position(&t, |r| r.loc == Loc::Heap && r.init && r.value != 0);
    rows[i].value ^= 1;
    let forged = kzg.prove(&circuit(&t, rows), &instances);
    assert!(
        kzg.verify(&forged, &instances).is_err(),
        "a forged memory table is rejected"
    );
}

#[test]
fn cost_stays_within_budget() {
    use halo2_proofs::plonk::{Circuit, ConstraintSystem};
    let mut meta = ConstraintSystem::<Fr>::default();
    MTableCircuit::configure(&mut meta);
    // Degree 5 keeps the quotient on the 4n extended domain (see circuits/README.md).
    assert!(meta.degree() <= 5, "degree {}", meta.degree());
    assert_eq!(
        meta.num_advice_columns(),
        28 + 8 + 2,
        "7 bits, 9 unlimited, 12 byte limbs in a row; the range argument's 2 multiplicities, \
         4 helpers (12 byte-limb columns, the image lookup's helper holding none), table \
         helper and running sum; the image lookup's helper and the image's copies"
    );
    assert_eq!(
        meta.lookups().len(),
        0,
        "the init-value lookup is in the range argument"
    );
}

#[test]
fn forged_write_with_rewritten_counters_is_rejected() {
    // The forged write of `forged_write_breaks_the_count`, with every counter rewritten so
    // that the first one still equals the ETable's total: the count can only balance if the
    // block after the last entry holds -1, and that block is pinned to zero.
    let t = tables(PROGRAM);
    let rows = with_forged_write(&t);
    let c = circuit(&t, rows.clone());
    let x = cells();
    let mut o = Overrides::new();
    let mut rest = Fr::from(t.mtable.iter().filter(|r| !r.init).count() as u64);
    for (j, r) in rows.iter().enumerate() {
        forge(&mut o, x.rest, j, rest);
        if !r.init {
            rest -= Fr::one();
        }
    }
    for j in rows.len()..=blocks(c.k, ROWS) {
        forge(&mut o, x.rest, j, rest);
    }
    assert_eq!(run(&t, rows, o), set(&["gate: mtable tail"]));
}
