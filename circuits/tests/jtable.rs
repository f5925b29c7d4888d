//! The JTable circuit: honest frame tables pass, in any order; a forged frame (the reference
//! system's fake-return attack), a tampered static entry, a non-zero entry past the end, a
//! non-bit flag and broken counters are each rejected by the constraint named for their rule
//! (a duplicated frame id by the VM's frame lookup: `vm.rs`).

use std::collections::BTreeSet;
use zkwasm_circuits::allocator::blocks;
use zkwasm_circuits::allocator::Cell;
use zkwasm_circuits::jtable::{Cells, JTableCircuit, ROWS};
use zkwasm_circuits::mock::failures;
use zkwasm_circuits::tamper::Overrides;
use zkwasm_circuits::Fr;
use zkwasm_tables::{build, check, JRow, Tables, MIN_K};
use zkwasm_tracer::{execute, load, Inputs, Limits};

fn tables() -> Tables {
    let path = format!("{}/../guests/wasm/fib.wasm", env!("CARGO_MANIFEST_DIR"));
    let limits = Limits::default();
    let img = load(&std::fs::read(path).unwrap(), &limits)
        .unwrap()
        .image("zkmain")
        .unwrap();
    let run = execute(
        &img,
        &Inputs {
            public: vec![8],
            private: vec![],
        },
        &limits,
    )
    .unwrap();
    let t = build(&img, &run.trace, &run.outcome.instances, &limits);
    check(&t).unwrap();
    t
}

fn circuit(t: &Tables, rows: Vec<JRow>, overrides: Overrides) -> JTableCircuit {
    let k = (MIN_K..)
        .find(|&k| blocks(k, ROWS) >= rows.len() + 4)
        .unwrap();
    JTableCircuit {
        k,
        entry_fid: t.image.state.entry_fid,
        rows,
        overrides,
    }
}

/// What fails when proving `rows` against the honest call and return counts.
fn run(t: &Tables, rows: Vec<JRow>, overrides: Overrides) -> BTreeSet<String> {
    let honest = circuit(t, t.jtable.clone(), Overrides::new()).instances();
    let c = circuit(t, rows, overrides);
    failures(c.k, &c, vec![honest])
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn cells(t: &Tables) -> Cells {
    use halo2_proofs::plonk::{Circuit, ConstraintSystem};
    let mut meta = ConstraintSystem::<Fr>::default();
    JTableCircuit::configure_with_params(&mut meta, t.image.state.entry_fid)
        .jtable
        .cells
}

/// Sets cell `c` of entry `entry` (the entry after the last is the table's tail block).
fn forge(o: &mut Overrides, c: Cell, entry: usize, v: u64) {
    o.set(c.column, entry * ROWS + c.rot as usize, Fr::from(v));
}

#[test]
fn honest_frames_are_accepted() {
    let t = tables();
    assert!(t.jtable.len() > 10);
    assert_eq!(run(&t, t.jtable.clone(), Overrides::new()), set(&[]));
}

#[test]
fn forged_frame_breaks_the_call_count() {
    // The fake-return attack: a frame no call opened, with a return address of the
    // attacker's choice, paid for with returns. The call counter (the ETable's, an instance
    // here) no longer matches.
    let t = tables();
    let mut rows = t.jtable.clone();
    let last = *rows.last().unwrap();
    rows.push(JRow {
        frame: last.frame + 1,
        ret_iid: 999,
        ..last
    });
    assert_eq!(
        run(&t, rows, Overrides::new()),
        set(&["gate: jtable totals"])
    );
}

#[test]
fn frame_order_is_not_a_rule() {
    // Entries in another order: the JTable is a multiset of frames to the frame lookup, whose
    // exact multiplicities (in the VM circuit) make its entries exactly the calls' frames.
    // Duplicates are rejected there (`vm.rs`: `duplicated_frame_is_rejected`).
    let t = tables();
    let mut rows = t.jtable.clone();
    rows.swap(2, 3);
    assert_eq!(run(&t, rows, Overrides::new()), set(&[]));
}

#[test]
fn static_entry_is_fixed() {
    let t = tables();
    for edit in [
        (|j: &mut JRow| j.ret_iid = 5) as fn(&mut JRow),
        |j: &mut JRow| j.returned = false,
        |j: &mut JRow| j.parent = 3,
    ] {
        let mut rows = t.jtable.clone();
        edit(&mut rows[0]);
        assert!(run(&t, rows, Overrides::new()).contains("gate: jtable static entry"));
    }
}

#[test]
fn forged_cells_are_rejected_by_their_gate() {
    let t = tables();
    let x = cells(&t);
    let n = t.jtable.len();
    // A frame past the end of the table (disabled, but not zero): a forged lookup target.
    let mut o = Overrides::new();
    forge(&mut o, x.frame, n, 123);
    forge(&mut o, x.ret_iid, n, 4);
    assert_eq!(
        run(&t, t.jtable.clone(), o),
        set(&["gate: jtable disabled entries are zero"])
    );
    // Flags that are no bits: an entry enabled twice over (it would count as two calls).
    for cell in [x.enabled, x.returned] {
        let mut o = Overrides::new();
        forge(&mut o, cell, 2, 2);
        assert!(run(&t, t.jtable.clone(), o).contains("gate: jtable bits"));
    }
    // Re-enabling an entry after the end.
    let mut o = Overrides::new();
    forge(&mut o, x.enabled, n + 1, 1);
    assert!(run(&t, t.jtable.clone(), o).contains("gate: jtable enabled prefix"));
    // A return counter that skips a returned frame.
    let mut o = Overrides::new();
    forge(&mut o, x.rest_returns, 2, 0);
    assert!(run(&t, t.jtable.clone(), o).contains("gate: jtable counters"));
    // A frame marked unreturned: the return count no longer matches.
    let mut rows = t.jtable.clone();
    rows[4].returned = false;
    assert_eq!(
        run(&t, rows, Overrides::new()),
        set(&["gate: jtable totals"])
    );
}

#[test]
fn the_table_really_ends() {
    // The block after the last entry holds the counters' end: pinned to zero, so the counts
    // of frames and returned frames are the ETable's.
    let t = tables();
    let x = cells(&t);
    let k = circuit(&t, t.jtable.clone(), Overrides::new()).k;
    let mut o = Overrides::new();
    forge(
        &mut o,
        x.rest_calls,
        zkwasm_circuits::allocator::blocks(k, ROWS),
        1,
    );
    assert!(run(&t, t.jtable.clone(), o).contains("gate: jtable tail"));
}

#[test]
fn cost_stays_within_budget() {
    use halo2_proofs::plonk::{Circuit, ConstraintSystem};
    let t = tables();
    let mut meta = ConstraintSystem::<Fr>::default();
    JTableCircuit::configure_with_params(&mut meta, t.image.state.entry_fid);
    assert!(meta.degree() <= 5, "degree {}", meta.degree());
    assert_eq!(
        meta.num_advice_columns(),
        8,
        "2 bits and 6 unlimited cells in a row, no range-checked cell"
    );
    assert_eq!(meta.lookups().len(), 0);
}
