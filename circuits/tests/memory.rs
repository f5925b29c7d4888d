//! The memory classes on whole runs: loads, stores, `memory.size` and `memory.grow`. Honest
//! runs of every width, sign and alignment are accepted; forged results, untouched bytes,
//! addresses, bounds and page counts are rejected by the named constraint.

#[allow(dead_code)] // Shared with tests/vm.rs, which uses all of it.
mod runs;

use proptest::prelude::*;
use runs::*;
use std::collections::BTreeSet;
use zkwasm_circuits::etable::ROWS;
use zkwasm_tables::encode::Class;
use zkwasm_tables::Tables;
use zkwasm_tracer::isa::{Instr, LoadKind};

const LOAD: &str = "gate: op load";
const STORE: &str = "gate: op store";
const GROW: &str = "gate: op memory.grow";

/// Loads of every kind.
const LOADS: [&str; 12] = [
    "i32.load",
    "i64.load",
    "i32.load8_s",
    "i32.load8_u",
    "i32.load16_s",
    "i32.load16_u",
    "i64.load8_s",
    "i64.load8_u",
    "i64.load16_s",
    "i64.load16_u",
    "i64.load32_s",
    "i64.load32_u",
];

/// Stores of every kind, with the type of their value.
const STORES: [(&str, &str); 7] = [
    ("i32.store", "i32"),
    ("i64.store", "i64"),
    ("i32.store8", "i32"),
    ("i32.store16", "i32"),
    ("i64.store8", "i64"),
    ("i64.store16", "i64"),
    ("i64.store32", "i64"),
];

/// A value of type `ty` with every byte distinct and top bits set and clear.
fn value(ty: &str) -> &'static str {
    if ty == "i32" {
        "0x89abcdef"
    } else {
        "-0x123456789abcdef"
    }
}

/// A module of one page (at most 3) whose first two blocks hold bytes with their top bits set
/// and clear in turn, and whose last block is set too; `body` is `zkmain`'s.
fn module(body: &str) -> String {
    format!(
        r#"(module (memory 1 3)
  (data (i32.const 0) "\01\82\03\84\05\86\07\88\89\0a\8b\0c\8d\0e\8f\10")
  (data (i32.const 65528) "\f1\72\f3\74\f5\76\f7\ff")
  (func (export "zkmain") {body}))"#
    )
}

/// Every load kind at every byte of the first block (so the wide ones span into the second),
/// through the base and through the offset immediate.
fn every_load() -> String {
    let mut body = String::new();
    for load in LOADS {
        for pos in 0..8 {
            body += &format!("(drop ({load} (i32.const {pos})))");
            body += &format!("(drop ({load} offset={pos} (i32.const 0)))");
        }
    }
    module(&body)
}

/// Every store kind at every byte of the first block, each followed by a load of both blocks.
fn every_store() -> String {
    let mut body = String::new();
    for (store, ty) in STORES {
        for pos in 0..8 {
            let v = value(ty);
            body += &format!("({store} offset={pos} (i32.const 0) ({ty}.const {v}))");
            body += "(drop (i64.load (i32.const 0))) (drop (i64.load (i32.const 8)))";
        }
    }
    module(&body)
}

/// `memory.grow` succeeding and failing, `memory.size`, and the last byte and block of
/// memory after the grow.
const GROWS: &str = r#"(result i32)
    (drop (i32.load8_u (i32.const 65535)))
    (drop (memory.grow (i32.const 1)))
    (drop (i32.load8_u (i32.const 131071)))
    (i64.store offset=131064 (i32.const 0) (i64.const -1))
    (drop (i64.load offset=131000 (i32.const 64)))
    (drop (memory.grow (i32.const 2)))
    (drop (memory.grow (i32.const -1)))
    (drop (memory.grow (i32.const 0)))
    (drop (memory.size))
    (memory.grow (i32.const 1))"#;

#[test]
fn every_load_kind_and_alignment_is_accepted() {
    assert_eq!(run(tables(&every_load())), BTreeSet::new());
}

#[test]
fn every_store_kind_and_alignment_is_accepted() {
    assert_eq!(run(tables(&every_store())), BTreeSet::new());
}

#[test]
fn grow_size_and_the_end_of_memory_are_accepted() {
    let t = tables(&module(GROWS));
    let grows: Vec<u64> = (0..t.etable.len())
        .filter(|&i| t.etable[i].instr == Instr::MemoryGrow)
        .map(|i| t.events_of(i)[1].value)
        .collect();
    assert_eq!(
        grows,
        [1, u32::MAX as u64, u32::MAX as u64, 2, 2],
        "ok, fail, fail, ok, ok"
    );
    assert_eq!(run(t), BTreeSet::new());
}

/// The step of the first `load` of `kind` at byte `pos` through the base.
fn load_step(t: &Tables, kind: LoadKind, pos: u64) -> usize {
    (0..t.etable.len())
        .find(|&i| {
            matches!(t.etable[i].instr, Instr::Load { kind: k, offset: 0 } if k == kind)
                && t.events_of(i)[0].value == pos
        })
        .expect("the program runs it")
}

/// The load's written result (its last event).
fn result_of(t: &Tables, i: usize) -> (usize, u64) {
    let events = t.events_of(i);
    (events.len() - 1, events[events.len() - 1].value)
}

#[test]
fn every_result_byte_is_pinned() {
    let t = tables(&every_load());
    for kind in [
        LoadKind::I64,
        LoadKind::I32U8,
        LoadKind::I32S16,
        LoadKind::I64S32,
    ] {
        for pos in [0, 3, 7] {
            let i = load_step(&t, kind, pos);
            let (e, right) = result_of(&t, i);
            let width = if kind.ty() == zkwasm_tracer::ValTy::I64 {
                8
            } else {
                4
            };
            // Every byte of the result, the ones past the access's width (zero or the sign
            // fill) as well as the loaded ones: "Load8 data injection" is the byte after a
            // load8's.
            for byte in 0..width {
                let mut forged = t.clone();
                forge_write(&mut forged, i, e, right ^ 1 << (8 * byte));
                assert_eq!(run(forged), set(&[LOAD]), "{kind:?} at {pos}, byte {byte}");
            }
        }
    }
}

#[test]
fn sign_fill_is_the_loaded_top_bit() {
    let t = tables(&every_load());
    // Byte 1 is 0x82: a signed load of it fills with ones, an unsigned one with zeros.
    for (kind, right, wrong) in [
        (LoadKind::I32S8, 0xffff_ff82, 0x82),
        (LoadKind::I32U8, 0x82, 0xffff_ff82),
        (LoadKind::I64S8, u64::MAX - 0x7d, 0xffff_ff82),
        (LoadKind::I64S16, 0x0382, u64::MAX - 0xfc7d),
    ] {
        let i = load_step(&t, kind, 1);
        let (e, value) = result_of(&t, i);
        assert_eq!(value, right, "{kind:?}");
        let mut forged = t.clone();
        forge_write(&mut forged, i, e, wrong);
        assert_eq!(run(forged), set(&[LOAD]), "{kind:?}");
    }
    // The i32 result off by 2^32 (an i32 slot holding a 33-bit value).
    let i = load_step(&t, LoadKind::I32, 2);
    let (e, value) = result_of(&t, i);
    let mut forged = t.clone();
    forge_write(&mut forged, i, e, value + (1 << 32));
    assert!(run(forged).contains(LOAD));
}

#[test]
fn the_address_is_the_instructions() {
    let t = tables(&every_load());
    // The result of a load one byte further on.
    let i = load_step(&t, LoadKind::I32U16, 2);
    let (e, _) = result_of(&t, i);
    let mut forged = t.clone();
    forge_write(&mut forged, i, e, 0x0584);
    assert_eq!(run(forged), set(&[LOAD]));
    // The position claimed one byte further on (its bit set beside the honest one): the
    // one-hot rule and the address equation.
    let rows = forge_cell(&t, Class::Load, i, "at3", 1, LOAD);
    assert!(rows.contains(&(i * ROWS)), "{rows:?}");
    // An access that spans two blocks claimed not to (its second block unread).
    let i = load_step(&t, LoadKind::I64, 3);
    let rows = forge_cell(&t, Class::Load, i, "span", 0, LOAD);
    assert!(rows.contains(&(i * ROWS)), "{rows:?}");
}

#[test]
fn a_stale_block_is_rejected() {
    // A load after a store reading the block as it was before.
    let mut t = tables(&module(
        "(i32.store8 (i32.const 3) (i32.const 0x55)) (drop (i32.load8_u (i32.const 3)))",
    ));
    let i = load_step(&t, LoadKind::I32U8, 3);
    let block = t.events_of(i)[1];
    let at = t.etable[i - 1].events_end as usize + 1;
    t.events[at].value = 0x8807_8605_8403_8201;
    assert_ne!(block.value, t.events[at].value);
    let (e, _) = result_of(&t, i);
    forge_write(&mut t, i, e, 0x84);
    // The block's value is no MTable entry's at that step: the access lookup's sum fails.
    assert!(run(t).contains("gate: range sum ends at zero"));
}

/// The step of the first store.
fn store_step(t: &Tables, want: fn(&Instr) -> bool) -> usize {
    (0..t.etable.len())
        .find(|&i| matches!(t.etable[i].instr, Instr::Store { .. }) && want(&t.etable[i].instr))
        .expect("the program runs it")
}

#[test]
fn stores_keep_untouched_bytes() {
    // An i32.store at byte 6: bytes 6, 7 of the first block and 0, 1 of the second.
    let t = tables(&module(
        "(i32.store offset=6 (i32.const 0) (i32.const 0x44332211))",
    ));
    let i = store_step(&t, |_| true);
    assert_eq!(t.events_of(i).len(), 4, "two blocks, each written once");
    for (e, touched) in [(2, [6, 7]), (3, [0, 1])] {
        let written = t.events_of(i)[e].value;
        for byte in 0..8 {
            let mut forged = t.clone();
            forge_write(&mut forged, i, e, written ^ 1 << (8 * byte));
            let what = if touched.contains(&byte) {
                "stored"
            } else {
                "untouched"
            };
            assert_eq!(
                run(forged),
                set(&[STORE]),
                "{what} byte {byte} of block {e}"
            );
        }
    }
    // The old bytes the store kept, forged (the slot's overwritten value stays the MTable's).
    for (name, step) in [("old0", i), ("old9", i)] {
        let rows = forge_cell(&t, Class::Store, step, name, 0x99, STORE);
        assert!(rows.contains(&(i * ROWS)), "{name}: {rows:?}");
    }
    // The second block claimed untouched.
    let rows = forge_cell(&t, Class::Store, i, "span", 0, STORE);
    assert!(rows.contains(&(i * ROWS)), "{rows:?}");
}

/// The run of `wat` with its memory shrunk to `pages` from the start: what a prover claims
/// when it proves a run against a smaller memory than the one the run had.
fn with_pages(mut t: Tables, pages: u32) -> Tables {
    t.image.state.pages = pages;
    for r in &mut t.etable {
        r.pages = pages;
    }
    t
}

#[test]
fn accesses_past_the_end_of_memory_are_rejected() {
    // The last byte of a 2-page memory is provable, and so is the first of its second page;
    // claimed against one page, the access is past the end.
    let load = "(drop (i32.load8_u (i32.const 65536))) (drop (i32.load8_u (i32.const 131071)))";
    let store = "(i64.store offset=65536 (i32.const 0) (i64.const 7))";
    for (body, gate) in [(load, LOAD), (store, STORE)] {
        let wat = format!("(module (memory 2) (func (export \"zkmain\") {body}))");
        let t = tables(&wat);
        assert_eq!(run(t.clone()), BTreeSet::new(), "{body}");
        assert_eq!(run(with_pages(t, 1)), set(&[gate]), "{body}");
    }
    // Straddling the end: 4 bytes from the last-but-one byte of one page.
    let t = tables(
        "(module (memory 2) (func (export \"zkmain\") (drop (i32.load (i32.const 65534)))))",
    );
    assert_eq!(run(with_pages(t, 1)), set(&[LOAD]));
}

/// The steps of every `memory.grow`.
fn grow_steps(t: &Tables) -> Vec<usize> {
    (0..t.etable.len())
        .filter(|&i| t.etable[i].instr == Instr::MemoryGrow)
        .collect()
}

/// Forges grow step `i` to return `result` and the memory to have `pages` from the next
/// step on.
fn forge_grow(t: &mut Tables, i: usize, result: u64, pages: u32) {
    forge_write(t, i, 1, result);
    for r in &mut t.etable[i + 1..] {
        r.pages = pages;
    }
}

#[test]
fn grow_succeeds_exactly_up_to_the_maximum() {
    let body = "(result i32) (drop (memory.grow (i32.const 3))) (memory.grow (i32.const 2))";
    let t = tables(&module(body));
    let [fail, ok] = grow_steps(&t)[..] else {
        panic!()
    };
    // A success past the maximum (1 + 3 > 3 pages).
    let mut forged = t.clone();
    forge_grow(&mut forged, fail, 1, 4);
    let f = failing_steps(forged, GROW);
    assert!(f.contains(&fail), "{f:?}");
    // A failure below it (1 + 2 <= 3).
    let mut forged = t.clone();
    forge_grow(&mut forged, ok, u32::MAX as u64, 1);
    assert_eq!(run(forged), set(&[GROW]));
    // Pages that grow without a grow.
    let mut forged = t;
    forge_grow(&mut forged, fail, u32::MAX as u64, 2);
    assert!(run(forged).contains("gate: etable step"));
}

/// A random program of stores, loads and grows over the first two pages.
fn program() -> impl Strategy<Value = String> {
    // Mostly the first blocks (so loads read stores back), sometimes the end of memory.
    let at = || prop_oneof![4 => 0u32..48, 1 => 65_500u32..131_100];
    let op = prop_oneof![
        (0..LOADS.len(), at(), 0u32..16).prop_map(|(k, at, off)| format!(
            "(drop ({} offset={off} (i32.const {at})))",
            LOADS[k]
        )),
        (0..STORES.len(), at(), 0u32..16, any::<i64>()).prop_map(|(k, at, off, v)| {
            let (store, ty) = STORES[k];
            let v = if ty == "i32" { v as i32 as i64 } else { v };
            format!("({store} offset={off} (i32.const {at}) ({ty}.const {v}))")
        }),
        (0u32..3).prop_map(|d| format!("(drop (memory.grow (i32.const {d})))")),
    ];
    proptest::collection::vec(op, 1..12).prop_map(|ops| {
        // Accesses past the end of memory trap: such programs run no further (see below).
        format!(
            "(module (memory 1 3) (func (export \"zkmain\") {}))",
            ops.concat()
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 12,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// The honest run proves; a load's result other than the tracer's (which the tracer's
    /// tests compare with wasmi's) does not.
    #[test]
    fn random_memory_programs(wat in program(), flip in 0u32..64) {
        let Some(t) = try_tables(&wat) else { return Ok(()) };
        prop_assert_eq!(run(t.clone()), BTreeSet::new());
        let loads: Vec<usize> = (0..t.etable.len())
            .filter(|&i| matches!(t.etable[i].instr, Instr::Load { .. }))
            .collect();
        if let Some(&i) = loads.first() {
            let (e, value) = result_of(&t, i);
            let ty = if t.events_of(i)[e].ty == zkwasm_tracer::ValTy::I64 { 64 } else { 32 };
            let mut forged = t;
            forge_write(&mut forged, i, e, value ^ 1 << (flip % ty));
            prop_assert_eq!(run(forged), set(&[LOAD]));
        }
    }
}

#[test]
fn flags_outside_the_bit_columns_are_still_bits() {
    // A load's `signed` (a byte-limb cell with its own rule) cleared on a signed load or set
    // to 2, its `top` (pinned by `2 T - 256 · top` being a byte) set to 2, and a store's width
    // claimed wider (its `is_i64`, the rest of `sub`, is then no bit): each fails its class
    // gate at that step.
    let t = tables(&every_load());
    let i = load_step(&t, LoadKind::I32S8, 1);
    // And its `w8` (a common-range cell, a bit by the address rule) set to 2.
    for (name, v) in [("signed", 0), ("signed", 2), ("top", 2), ("w8", 2)] {
        let rows = forge_cell(&t, Class::Load, i, name, v, LOAD);
        assert!(rows.contains(&(i * ROWS)), "{name} = {v}: {rows:?}");
    }
    let t = tables(&module("(i32.store8 (i32.const 3) (i32.const 0x55))"));
    let i = store_step(&t, |_| true);
    let rows = forge_cell(&t, Class::Store, i, "w2", 1, STORE);
    assert!(rows.contains(&(i * ROWS)), "{rows:?}");
    // A comparison's sign bit (a byte-limb cell too) set to 2.
    let t = tables(
        "(module (func (export \"zkmain\") (drop (i32.lt_s (i32.const -1) (i32.const 1)))))",
    );
    let i = (0..t.etable.len())
        .find(|&i| matches!(t.etable[i].instr, Instr::Rel { .. }))
        .expect("the program compares");
    let rows = forge_cell(&t, Class::Rel, i, "sa", 2, "gate: op rel");
    assert!(rows.contains(&(i * ROWS)), "{rows:?}");
}
