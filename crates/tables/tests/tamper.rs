//! Tests that prove the checker has teeth: every [`Rule`] is broken at least once by
//! corrupting honest tables the way a cheating prover would, and the test asserts the exact
//! violation (table, rule and, where it is well defined, row) that [`check`] reports.
//!
//! [`check`] reports the *first* broken rule in its documented order: MTable structure,
//! JTable structure, bit table, then the ETable row by row (the first failing row), then the
//! table-wide counts (writes, then calls, then returns). Several attacks break more than one
//! rule; their comments say which one comes first and why.
//!
//! An attack the checker accepts would be a soundness gap: such a test is `#[ignore]`d with
//! the reason (none so far; see `return_count_is_implied_by_the_other_rules` for the one rule
//! no table edit can be the first to break).

use zkwasm_tables::{build, check, JRow, MRow, Rule, TableId, Tables, Violation, END_EID};
use zkwasm_tracer::isa::{BinOp, ConvOp, Instr, LoadKind};
use zkwasm_tracer::trace::{Loc, MemEvent, Rw};
use zkwasm_tracer::{execute, load, Inputs, Limits, ValTy};

// ---------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------

/// A table edit, for tests that try several.
type Edit = fn(&mut Tables);

/// Honest tables of `wat`'s `zkmain` run on the given inputs; they pass the checker.
fn honest(wat: &str, public: &[u64], private: &[u64]) -> Tables {
    let limits = Limits::default();
    let image = load(wat.as_bytes(), &limits)
        .expect("valid module")
        .image("zkmain")
        .expect("zkmain");
    let inputs = Inputs {
        public: public.to_vec(),
        private: private.to_vec(),
    };
    let run = execute(&image, &inputs, &limits).expect("the run finishes");
    let t = build(&image, &run.trace, &run.outcome.instances, &limits);
    check(&t).unwrap_or_else(|v| panic!("honest tables fail: {v}"));
    t
}

/// Asserts that the checker rejects `t` with `rule` in `table`; returns the violation.
#[track_caller]
fn expect(t: &Tables, table: TableId, rule: Rule) -> Violation {
    match check(t) {
        Ok(()) => panic!("tampered tables accepted, expected {table:?} {rule:?}"),
        Err(v) => {
            assert_eq!(
                (v.table, v.rule),
                (table, rule),
                "wrong violation reported: {v}"
            );
            v
        }
    }
}

/// Asserts that the checker rejects `t` with `rule` at `row` of `table`.
#[track_caller]
fn expect_at(t: &Tables, table: TableId, row: usize, rule: Rule) {
    let v = expect(t, table, rule);
    assert_eq!(v.row, row, "violation at the wrong row: {v}");
}

/// The `n`-th (from 0) ETable row whose instruction satisfies `pred`.
#[track_caller]
fn step_n(t: &Tables, n: usize, pred: impl Fn(&Instr) -> bool) -> usize {
    t.etable
        .iter()
        .enumerate()
        .filter(|(_, r)| pred(&r.instr))
        .nth(n)
        .map(|(i, _)| i)
        .expect("no such step")
}

/// The first ETable row whose instruction satisfies `pred`.
#[track_caller]
fn step(t: &Tables, pred: impl Fn(&Instr) -> bool) -> usize {
    step_n(t, 0, pred)
}

fn is_bin(op: BinOp) -> impl Fn(&Instr) -> bool {
    move |i| matches!(*i, Instr::Bin { op: o, .. } if o == op)
}

/// The MTable row of `loc` `addr` starting at `start`.
#[track_caller]
fn mrow(t: &Tables, loc: Loc, addr: u32, start: u32) -> usize {
    t.mtable
        .iter()
        .position(|r| (r.loc, r.addr, r.start) == (loc, addr, start))
        .expect("no such MTable entry")
}

/// The MTable entry written by event `k` of ETable row `row`.
#[track_caller]
fn mrow_of_write(t: &Tables, row: usize, k: usize) -> usize {
    let e = t.events_of(row)[k];
    assert_eq!(e.rw, Rw::Write, "event {k} of row {row} is not a write");
    mrow(t, e.loc, e.addr, t.etable[row].eid)
}

/// The JTable row of frame `frame`.
#[track_caller]
fn jrow(t: &Tables, frame: u32) -> usize {
    t.jtable
        .iter()
        .position(|j| j.frame == frame)
        .expect("no such frame")
}

/// The index in `t.events` of event `k` of ETable row `row`.
fn event_index(t: &Tables, row: usize, k: usize) -> usize {
    let start = if row == 0 {
        0
    } else {
        t.etable[row - 1].events_end as usize
    };
    assert!(
        start + k < t.etable[row].events_end as usize,
        "no event {k}"
    );
    start + k
}

/// Changes the value of event `k` of `row` only (the MTable is left alone).
fn set_event(t: &mut Tables, row: usize, k: usize, value: u64) {
    let i = event_index(t, row, k);
    t.events[i].value = value;
}

/// Changes the value of write event `k` of `row` and of its MTable entry, consistently.
fn set_write(t: &mut Tables, row: usize, k: usize, value: u64) {
    let m = mrow_of_write(t, row, k);
    t.mtable[m].value = value;
    set_event(t, row, k, value);
}

/// Inserts `e` as event `pos` of `row`, shifting the later rows' event ranges.
fn insert_event(t: &mut Tables, row: usize, pos: usize, e: MemEvent) {
    let start = if row == 0 {
        0
    } else {
        t.etable[row - 1].events_end as usize
    };
    t.events.insert(start + pos, e);
    for r in &mut t.etable[row..] {
        r.events_end += 1;
    }
}

/// Removes event `k` of `row`, shifting the later rows' event ranges.
fn remove_event(t: &mut Tables, row: usize, k: usize) {
    let i = event_index(t, row, k);
    t.events.remove(i);
    for r in &mut t.etable[row..] {
        r.events_end -= 1;
    }
}

/// Inserts a forged MTable entry where it sorts, keeping the MTable well formed: the
/// previous entry of the location now ends at `r.start`, and `r` ends where the next starts.
/// Returns its index.
fn forge_entry(t: &mut Tables, mut r: MRow) -> usize {
    let key = |m: &MRow| (m.loc, m.addr, m.start);
    let i = t.mtable.partition_point(|m| key(m) < key(&r));
    let same = |m: &MRow| (m.loc, m.addr) == (r.loc, r.addr);
    r.end = t
        .mtable
        .get(i)
        .filter(|m| same(m))
        .map_or(END_EID, |m| m.start);
    if i > 0 && same(&t.mtable[i - 1]) {
        t.mtable[i - 1].end = r.start;
    }
    t.mtable.insert(i, r);
    i
}

/// Removes MTable entry `i`; with `fix_chain`, the previous entry of its location takes
/// over its interval so that the MTable stays well formed.
fn remove_entry(t: &mut Tables, i: usize, fix_chain: bool) -> MRow {
    let r = t.mtable.remove(i);
    if fix_chain && i > 0 && (t.mtable[i - 1].loc, t.mtable[i - 1].addr) == (r.loc, r.addr) {
        t.mtable[i - 1].end = r.end;
    }
    r
}

// ---------------------------------------------------------------------------------------
// Programs
// ---------------------------------------------------------------------------------------

/// Entry wrapper → zkmain → $f: a call, a byte load, a mutable and an immutable global, an
/// i32.add and a public output (11).
///
/// Functions: 0 `$out`, 1 `$f`, 2 zkmain, 3 the entry wrapper.
/// ETable: 0 call zkmain | 1 i32.const 3 | 2 i32.load8_u | 3 call $f | 4 local.get |
/// 5 global.get $c | 6 i32.add | 7 return ($f) | 8 global.set $g | 9 global.get $g |
/// 10 i64.extend_i32_u | 11 wasm_output | 12 return (zkmain) | 13 return (entry: halt).
const MAIN: &str = r#"(module
  (import "env" "wasm_output" (func $out (param i64)))
  (memory 1) (data (i32.const 0) "\01\02\03\04\05\06\07\08")
  (global $g (mut i32) (i32.const 5)) (global $c i32 (i32.const 7))
  (func $f (param i32) (result i32) (i32.add (local.get 0) (global.get $c)))
  (func (export "zkmain")
    (global.set $g (call $f (i32.load8_u (i32.const 3))))
    (call $out (i64.extend_i32_u (global.get $g)))))"#;

fn main_tables() -> Tables {
    let t = honest(MAIN, &[], &[]);
    assert_eq!(t.instances, [11]);
    // Some tests use the row numbers of the layout documented on `MAIN`.
    assert_eq!(t.etable.len(), 14);
    assert_eq!(step(&t, is_bin(BinOp::Add)), 6);
    assert_eq!(step(&t, |i| matches!(i, Instr::CallHost(_))), 11);
    t
}

/// A byte load whose result is the public output: instances `[4]`.
const LOAD8: &str = r#"(module
  (import "env" "wasm_output" (func $out (param i64)))
  (memory 1) (data (i32.const 0) "\01\02\03\04\05\06\07\08")
  (func (export "zkmain") (call $out (i64.load8_u (i32.const 3)))))"#;

/// Private inputs feed a divisor and `require`: with private `[7, 1]`, output `[14]`.
const DIV: &str = r#"(module
  (import "env" "wasm_input" (func $in (param i32) (result i64)))
  (import "env" "wasm_output" (func $out (param i64)))
  (import "env" "require" (func $req (param i32)))
  (func (export "zkmain")
    (call $out (i64.div_u (i64.const 100) (call $in (i32.const 0))))
    (call $req (i32.wrap_i64 (call $in (i32.const 0))))))"#;

/// A public input echoed as output: with public `[133]`, instances `[133, 133]`.
const ECHO: &str = r#"(module
  (import "env" "wasm_input" (func $in (param i32) (result i64)))
  (import "env" "wasm_output" (func $out (param i64)))
  (func (export "zkmain") (call $out (call $in (i32.const 1)))))"#;

/// Wrapping adds: i32 `-1 + 2` and i64 `-1 + 2`, both 1.
const WRAP: &str = r#"(module
  (import "env" "wasm_output" (func $out (param i64)))
  (func (export "zkmain")
    (call $out (i64.extend_i32_u (i32.add (i32.const -1) (i32.const 2))))
    (call $out (i64.add (i64.const -1) (i64.const 2)))))"#;

/// Bitwise steps: `popcnt(0xff0f & 0x0ff0)` = 4.
const BITS: &str = r#"(module
  (import "env" "wasm_output" (func $out (param i64)))
  (func (export "zkmain")
    (call $out (i64.extend_i32_u (i32.xor (i32.and (i32.const 0xff0f) (i32.const 0x0ff0))
                                          (i32.const 0x0f0f))))))"#;

/// A `br_table` taking target 1 (`$b`, so the output of 1 runs): instances `[1, 2]`.
const BR: &str = r#"(module
  (import "env" "wasm_output" (func $out (param i64)))
  (func (export "zkmain")
    (block $a (block $b (br_table $a $b $a (i32.const 1))) (call $out (i64.const 1)))
    (call $out (i64.const 2))))"#;

#[test]
fn programs_are_honest() {
    let t = main_tables();
    assert_eq!(t.etable.len(), 14);
    assert_eq!(t.jtable.len(), 3);
    assert_eq!(honest(LOAD8, &[], &[]).instances, [4]);
    assert_eq!(honest(DIV, &[], &[7, 1]).instances, [14]);
    assert_eq!(honest(ECHO, &[133], &[]).instances, [133, 133]);
    assert_eq!(honest(WRAP, &[], &[]).instances, [1, 1]);
    assert_eq!(honest(BITS, &[], &[]).instances, [15]);
    assert_eq!(honest(BR, &[], &[]).instances, [1, 2]);
}

// ---------------------------------------------------------------------------------------
// MTable: forged, dropped and altered entries
// ---------------------------------------------------------------------------------------

/// Memory injection through a forged write: the attacker inserts an MTable write of heap
/// block 0 at step 2 (the `i32.const`, which writes only the stack) that puts 0x55 in byte
/// 3, so the byte load honestly loads 0x55 and the output becomes 0x55. Every lookup is
/// satisfied: the forged entry is well chained and the ETable only ever asks "is there an
/// entry like this?" (set membership). Nothing but the count of write entries catches it,
/// and counts come last: `WriteCount`.
#[test]
fn forged_write_leaving_counters_alone_is_write_count() {
    let mut t = honest(LOAD8, &[], &[]);
    let (konst, ld, out) = (
        step(&t, |i| matches!(i, Instr::I32Const(3))),
        step(&t, |i| matches!(i, Instr::Load { .. })),
        step(&t, |i| matches!(i, Instr::CallHost(_))),
    );
    let block = t.events_of(ld)[1];
    assert_eq!((block.loc, block.rw), (Loc::Heap, Rw::Read));
    let forged = block.value & !(0xff << 24) | 0x55 << 24;
    let start = t.etable[konst].eid;
    forge_entry(
        &mut t,
        MRow {
            loc: Loc::Heap,
            addr: block.addr,
            start,
            end: 0,
            value: forged,
            ty: ValTy::I64,
            init: false,
            mutable: true,
        },
    );
    set_event(&mut t, ld, 1, forged);
    set_write(&mut t, ld, 2, 0x55);
    set_event(&mut t, out, 0, 0x55);
    t.instances[0] = 0x55;
    expect_at(&t, TableId::MTable, 0, Rule::WriteCount);
}

/// The same forged write, "paid for" by adding 1 to `rest_mops` of every ETable row: the
/// total now equals the MTable's write entries, but the counter must reach 0 after the last
/// step, which made no write: `MopsCounter` at the last row.
#[test]
fn forged_write_with_every_rest_mops_bumped_is_mops_counter_at_last_row() {
    let mut t = honest(LOAD8, &[], &[]);
    let konst = step(&t, |i| matches!(i, Instr::I32Const(3)));
    let ld = step(&t, |i| matches!(i, Instr::Load { .. }));
    let block = t.events_of(ld)[1];
    let start = t.etable[konst].eid;
    forge_entry(
        &mut t,
        MRow {
            loc: Loc::Heap,
            addr: block.addr,
            start,
            end: 0,
            value: block.value ^ 0xff00,
            ty: ValTy::I64,
            init: false,
            mutable: true,
        },
    );
    set_event(&mut t, ld, 1, block.value ^ 0xff00);
    for r in &mut t.etable {
        r.rest_mops += 1;
    }
    let last = t.etable.len() - 1;
    expect_at(&t, TableId::ETable, last, Rule::MopsCounter);
}

/// The forged write paid for at the step it claims to come from: `rest_mops` + 1 up to and
/// including step 2 (`i32.const`), whose counter now drops by 2 though it has one write
/// event: `MopsCounter` at that row. Adding the matching write event to the step instead
/// breaks its class's shape: `EventShape`.
#[test]
fn forged_write_paid_at_its_step_is_mops_counter_or_event_shape() {
    let mut t = honest(LOAD8, &[], &[]);
    let konst = step(&t, |i| matches!(i, Instr::I32Const(3)));
    let ld = step(&t, |i| matches!(i, Instr::Load { .. }));
    let block = t.events_of(ld)[1];
    let forged = MRow {
        loc: Loc::Heap,
        addr: block.addr,
        start: t.etable[konst].eid,
        end: 0,
        value: block.value ^ 0xff00,
        ty: ValTy::I64,
        init: false,
        mutable: true,
    };
    forge_entry(&mut t, forged);
    set_event(&mut t, ld, 1, forged.value);
    for r in &mut t.etable[..=konst] {
        r.rest_mops += 1;
    }
    expect_at(&t, TableId::ETable, konst, Rule::MopsCounter);

    insert_event(
        &mut t,
        konst,
        1,
        MemEvent {
            value: forged.value,
            addr: forged.addr,
            loc: Loc::Heap,
            rw: Rw::Write,
            ty: ValTy::I64,
        },
    );
    expect_at(&t, TableId::ETable, konst, Rule::EventShape);
}

/// Dropping a write entry (the byte load's result) leaves a gap in its slot's chain: the
/// previous entry's end no longer meets a start: `IntervalChain` at that entry.
#[test]
fn dropped_write_is_interval_chain() {
    let mut t = main_tables();
    let ld = step(&t, |i| matches!(i, Instr::Load { .. }));
    let m = mrow_of_write(&t, ld, 2);
    assert_eq!(t.mtable[m - 1].loc, Loc::Stack);
    remove_entry(&mut t, m, false);
    expect_at(&t, TableId::MTable, m - 1, Rule::IntervalChain);
}

/// Dropping the write entry and stretching the previous entry over its interval keeps the
/// MTable well formed, but the load's write finds no entry starting at its step:
/// `WriteMissing` at the load.
#[test]
fn dropped_write_with_fixed_interval_is_write_missing() {
    let mut t = main_tables();
    let ld = step(&t, |i| matches!(i, Instr::Load { .. }));
    let m = mrow_of_write(&t, ld, 2);
    remove_entry(&mut t, m, true);
    expect_at(&t, TableId::ETable, ld, Rule::WriteMissing);
}

/// Dropping the write entry and the step's write event, with the counters lowered from the
/// load on (so the write counts agree): the load's class prescribes a write: `EventShape`.
#[test]
fn dropped_write_and_event_is_event_shape() {
    let mut t = main_tables();
    let ld = step(&t, |i| matches!(i, Instr::Load { .. }));
    let m = mrow_of_write(&t, ld, 2);
    remove_entry(&mut t, m, true);
    remove_event(&mut t, ld, 2);
    for r in &mut t.etable[..=ld] {
        r.rest_mops -= 1;
    }
    expect_at(&t, TableId::ETable, ld, Rule::EventShape);
}

/// A write entry whose value is not the one its step wrote: `WriteMissing` at the step
/// (the write lookup includes the value).
#[test]
fn altered_write_entry_is_write_missing() {
    let mut t = main_tables();
    let add = step(&t, is_bin(BinOp::Add));
    let m = mrow_of_write(&t, add, 2);
    t.mtable[m].value += 1;
    expect_at(&t, TableId::ETable, add, Rule::WriteMissing);
}

/// A read of a stale value: the `return` of `$f` reads the sum from slot 1 but claims the
/// slot's previous value (the argument, 4): no entry valid at that step holds it:
/// `ReadMismatch`.
#[test]
fn stale_read_is_read_mismatch() {
    let mut t = main_tables();
    let ret = step(&t, |i| matches!(i, Instr::Return(dk) if dk.drop == 1));
    let e = t.events_of(ret)[0];
    assert_eq!(
        (e.loc, e.addr, e.rw, e.value),
        (Loc::Stack, 1, Rw::Read, 11)
    );
    set_event(&mut t, ret, 0, 4);
    expect_at(&t, TableId::ETable, ret, Rule::ReadMismatch);
}

/// A read of memory nobody wrote: the byte load claims another content of heap block 0.
#[test]
fn injected_heap_read_is_read_mismatch() {
    let mut t = main_tables();
    let ld = step(&t, |i| matches!(i, Instr::Load { .. }));
    let v = t.events_of(ld)[1].value;
    set_event(&mut t, ld, 1, v ^ 0x0100_0000);
    expect_at(&t, TableId::ETable, ld, Rule::ReadMismatch);
}

/// Removing the only entry of a heap block (its init entry): the load's read has nothing
/// to look up: `ReadMismatch`.
#[test]
fn removed_sole_init_entry_is_read_mismatch() {
    let mut t = main_tables();
    let ld = step(&t, |i| matches!(i, Instr::Load { .. }));
    let m = mrow(&t, Loc::Heap, 0, 0);
    remove_entry(&mut t, m, false);
    expect_at(&t, TableId::ETable, ld, Rule::ReadMismatch);
}

/// Changing the initial content of memory (the init entry of the loaded block):
/// `InitValue` (init entries are looked up in the image).
#[test]
fn altered_heap_init_is_init_value() {
    let mut t = main_tables();
    let ld = step(&t, |i| matches!(i, Instr::Load { .. }));
    let m = mrow(&t, Loc::Heap, 0, 0);
    let v = t.mtable[m].value ^ 0x0100_0000;
    t.mtable[m].value = v;
    set_event(&mut t, ld, 1, v); // the load reads the forged block consistently
    expect_at(&t, TableId::MTable, m, Rule::InitValue);
}

/// A global's initial value, its mutability, and an entry for a global the image lacks:
/// `InitValue`.
#[test]
fn altered_global_init_is_init_value() {
    let t = main_tables();
    let m = mrow(&t, Loc::Global, 1, 0);

    let mut value = t.clone();
    value.mtable[m].value = 8;
    expect_at(&value, TableId::MTable, m, Rule::InitValue);

    let mut mutable = t.clone();
    mutable.mtable[m].mutable = true;
    expect_at(&mutable, TableId::MTable, m, Rule::InitValue);

    let mut width = t.clone();
    width.mtable[m].ty = ValTy::I64;
    expect_at(&width, TableId::MTable, m, Rule::InitValue);

    let mut ghost = t;
    let i = forge_entry(
        &mut ghost,
        MRow {
            loc: Loc::Global,
            addr: 9,
            start: 0,
            end: 0,
            value: 0,
            ty: ValTy::I32,
            init: true,
            mutable: true,
        },
    );
    expect_at(&ghost, TableId::MTable, i, Rule::InitValue);
}

/// Removing the init entry of a global that is later written: its first entry is a write:
/// `MissingInit`.
#[test]
fn removed_init_entry_is_missing_init() {
    let mut t = main_tables();
    let m = mrow(&t, Loc::Global, 0, 0);
    assert!(t.mtable[m].init && !t.mtable[m + 1].init);
    remove_entry(&mut t, m, false);
    expect_at(&t, TableId::MTable, m, Rule::MissingInit);
}

/// Other init-entry forgeries: an init entry for a stack slot, an init entry that does not
/// start at 0, a write entry that starts at 0: `MissingInit`.
#[test]
fn misplaced_init_entries_are_missing_init() {
    let t = main_tables();

    let mut stack = t.clone();
    let i = forge_entry(
        &mut stack,
        MRow {
            loc: Loc::Stack,
            addr: 0,
            start: 0,
            end: 0,
            value: 0,
            ty: ValTy::I32,
            init: true,
            mutable: true,
        },
    );
    expect_at(&stack, TableId::MTable, i, Rule::MissingInit);

    let mut late = t.clone();
    let m = mrow(&late, Loc::Heap, 0, 0);
    late.mtable[m].start = 1;
    expect_at(&late, TableId::MTable, m, Rule::MissingInit);

    let mut zero = t;
    let m = mrow(&zero, Loc::Stack, 0, 2);
    zero.mtable[m].start = 0;
    expect_at(&zero, TableId::MTable, m, Rule::MissingInit);
}

/// A write entry of the immutable global `$c` (well chained after its init entry):
/// `ImmutableWrite`. Marked mutable instead, it contradicts the image: `InitValue`.
#[test]
fn write_to_immutable_global_is_immutable_write() {
    let t = main_tables();
    let forged = MRow {
        loc: Loc::Global,
        addr: 1,
        start: 3,
        end: 0,
        value: 1000,
        ty: ValTy::I32,
        init: false,
        mutable: false,
    };
    let mut imm = t.clone();
    let i = forge_entry(&mut imm, forged);
    expect_at(&imm, TableId::MTable, i, Rule::ImmutableWrite);

    let mut relabelled = t;
    let i = forge_entry(
        &mut relabelled,
        MRow {
            mutable: true,
            ..forged
        },
    );
    expect_at(&relabelled, TableId::MTable, i, Rule::InitValue);
}

/// An i32 entry with bits above 32: `ValueRange`.
#[test]
fn i32_entry_with_high_bits_is_value_range() {
    let mut t = main_tables();
    let m = mrow(&t, Loc::Global, 1, 0);
    t.mtable[m].value |= 1 << 40;
    expect_at(&t, TableId::MTable, m, Rule::ValueRange);
}

/// Two entries of one slot swapped: `Unsorted` at the first of the pair.
#[test]
fn reordered_entries_are_unsorted() {
    let mut t = main_tables();
    let m = mrow(&t, Loc::Stack, 0, 2);
    assert_eq!(t.mtable[m + 1].addr, 0);
    t.mtable.swap(m, m + 1);
    expect_at(&t, TableId::MTable, m, Rule::Unsorted);
}

/// A duplicated entry (the same write twice, e.g. to use it as two writes): `Unsorted`.
#[test]
fn duplicated_entry_is_unsorted() {
    let mut t = main_tables();
    let m = mrow(&t, Loc::Global, 0, 9);
    let r = t.mtable[m];
    t.mtable.insert(m, r);
    expect_at(&t, TableId::MTable, m, Rule::Unsorted);
}

/// An interval end moved (a read then sees an outdated entry for longer), a start moved:
/// `IntervalChain` at the entry whose end does not meet the next start.
#[test]
fn shifted_interval_is_interval_chain() {
    let t = main_tables();
    let m = mrow(&t, Loc::Stack, 0, 2);

    let mut end = t.clone();
    end.mtable[m].end += 1;
    expect_at(&end, TableId::MTable, m, Rule::IntervalChain);

    let mut last = t.clone();
    let g = mrow(&last, Loc::Global, 1, 0);
    last.mtable[g].end = 5;
    expect_at(&last, TableId::MTable, g, Rule::IntervalChain);

    let mut start = t;
    start.mtable[m + 1].start += 1;
    expect_at(&start, TableId::MTable, m, Rule::IntervalChain);
}

/// Start and end moved together (the chain holds): the write of the step that really made
/// the entry finds none starting at its eid: `WriteMissing`.
#[test]
fn consistently_shifted_interval_is_write_missing() {
    let mut t = main_tables();
    let ld = step(&t, |i| matches!(i, Instr::Load { .. }));
    let m = mrow_of_write(&t, ld, 2);
    t.mtable[m - 1].end += 1;
    t.mtable[m].start += 1;
    expect_at(&t, TableId::ETable, ld, Rule::WriteMissing);
}

// ---------------------------------------------------------------------------------------
// ETable: values
// ---------------------------------------------------------------------------------------

/// A wrong sum, written consistently into the event and the MTable: `WrongResult`.
#[test]
fn wrong_arithmetic_result_is_wrong_result() {
    let mut t = main_tables();
    let add = step(&t, is_bin(BinOp::Add));
    set_write(&mut t, add, 2, 12);
    expect_at(&t, TableId::ETable, add, Rule::WrongResult);
}

/// i32 `-1 + 2` claimed as the unwrapped sum `2^32 + 1`: in the event alone the value is
/// wider than its i32 type (`EventShape`); in the MTable entry too, the MTable's range
/// check comes first (`ValueRange`); relabelled as an i64 value in both, the event's type
/// is not the class's (`EventShape`).
#[test]
fn i32_result_off_by_2_pow_32() {
    let t = honest(WRAP, &[], &[]);
    let add = step(&t, |i| {
        matches!(
            i,
            Instr::Bin {
                op: BinOp::Add,
                ty: ValTy::I32
            }
        )
    });
    let unwrapped = (1u64 << 32) + 1;

    let mut event = t.clone();
    set_event(&mut event, add, 2, unwrapped);
    expect_at(&event, TableId::ETable, add, Rule::EventShape);

    let mut both = t.clone();
    let m = mrow_of_write(&both, add, 2);
    set_write(&mut both, add, 2, unwrapped);
    expect_at(&both, TableId::MTable, m, Rule::ValueRange);

    let mut wide = t;
    let m = mrow_of_write(&wide, add, 2);
    set_write(&mut wide, add, 2, unwrapped);
    wide.mtable[m].ty = ValTy::I64;
    let i = event_index(&wide, add, 2);
    wide.events[i].ty = ValTy::I64;
    expect_at(&wide, TableId::ETable, add, Rule::EventShape);
}

/// i64 `-1 + 2` (= 1 after the wrap) claimed as a saturated `u64::MAX` or with the carry
/// folded back in (2), consistently in the event and the MTable: `WrongResult`.
#[test]
fn i64_result_with_wrong_wrap_is_wrong_result() {
    let t = honest(WRAP, &[], &[]);
    let add = step(&t, |i| {
        matches!(
            i,
            Instr::Bin {
                op: BinOp::Add,
                ty: ValTy::I64
            }
        )
    });
    for v in [u64::MAX, 2] {
        let mut bad = t.clone();
        set_write(&mut bad, add, 2, v);
        expect_at(&bad, TableId::ETable, add, Rule::WrongResult);
    }
}

/// The Load8 data injection (reference system, fixed in 812519d4): a byte load returning a
/// value above 255 (bits moved from the neighbouring byte into the picked value), made
/// consistent everywhere else: MTable entry, the output's read, the public instance.
/// The load's result is recomputed from the block: `WrongResult`.
#[test]
fn load8_injection_is_wrong_result() {
    let t = honest(LOAD8, &[], &[]);
    let ld = step(&t, |i| {
        matches!(
            i,
            Instr::Load {
                kind: LoadKind::I64U8,
                ..
            }
        )
    });
    let out = step(&t, |i| matches!(i, Instr::CallHost(_)));
    for injected in [0x104, 0x0504, 0xff04] {
        let mut bad = t.clone();
        set_write(&mut bad, ld, 2, injected);
        set_event(&mut bad, out, 0, injected);
        bad.instances[0] = injected;
        expect_at(&bad, TableId::ETable, ld, Rule::WrongResult);
    }
}

/// A private input replaced by 0 (inputs are unconstrained), consistently in the input's
/// write, its MTable entry and the division's read: the step divides by zero: `Trapping`.
#[test]
fn zero_divisor_is_trapping() {
    let mut t = honest(DIV, &[], &[7, 1]);
    let input = step(&t, |i| matches!(i, Instr::CallHost(_)));
    let div = step(&t, is_bin(BinOp::DivU));
    assert_eq!(t.events_of(div)[0].value, 7);
    set_write(&mut t, input, 1, 0);
    set_event(&mut t, div, 0, 0);
    expect_at(&t, TableId::ETable, div, Rule::Trapping);
}

/// `require` of a private input replaced by 0 consistently: `Trapping`.
#[test]
fn failed_require_is_trapping() {
    let mut t = honest(DIV, &[], &[7, 1]);
    let input = step_n(&t, 2, |i| matches!(i, Instr::CallHost(_)));
    let wrap = step(&t, |i| matches!(i, Instr::Conv(ConvOp::I32WrapI64)));
    let req = step_n(&t, 3, |i| matches!(i, Instr::CallHost(_)));
    assert_eq!(wrap, input + 1);
    assert_eq!(req, wrap + 1);
    set_write(&mut t, input, 1, 0);
    set_event(&mut t, wrap, 0, 0);
    set_write(&mut t, wrap, 1, 0);
    set_event(&mut t, req, 0, 0);
    expect_at(&t, TableId::ETable, req, Rule::Trapping);
}

/// A private input changed in the event but not in the MTable: `WriteMissing` (the value
/// is free, but it is still a write the MTable must hold).
#[test]
fn private_input_without_entry_is_write_missing() {
    let mut t = honest(DIV, &[], &[7, 1]);
    let input = step(&t, |i| matches!(i, Instr::CallHost(_)));
    set_event(&mut t, input, 1, 8);
    expect_at(&t, TableId::ETable, input, Rule::WriteMissing);
}

/// A wrong public instance: for an output (`instances[0]` of MAIN) and for a public input.
#[test]
fn wrong_instance_is_instance_value() {
    let mut t = main_tables();
    let out = step(&t, |i| matches!(i, Instr::CallHost(_)));
    t.instances[0] = 12;
    expect_at(&t, TableId::ETable, out, Rule::InstanceValue);

    let mut echo = honest(ECHO, &[133], &[]);
    let input = step(&echo, |i| matches!(i, Instr::CallHost(_)));
    echo.instances[0] = 134;
    expect_at(&echo, TableId::ETable, input, Rule::InstanceValue);

    // Fewer instances than the run produces: the output has none to match.
    let mut short = honest(ECHO, &[133], &[]);
    let out = step_n(&short, 1, |i| matches!(i, Instr::CallHost(_)));
    short.instances.pop();
    expect_at(&short, TableId::ETable, out, Rule::InstanceValue);
}

// ---------------------------------------------------------------------------------------
// ETable: events, instructions, state
// ---------------------------------------------------------------------------------------

/// Extra, missing, misplaced and mis-typed events of a step: `EventShape`.
#[test]
fn wrong_events_are_event_shape() {
    let t = main_tables();
    let get = step(&t, |i| matches!(i, Instr::GlobalGet { idx: 1, .. }));
    let add = step(&t, is_bin(BinOp::Add));

    // An extra (well backed) read.
    let mut extra = t.clone();
    let e = t.events_of(add)[1];
    insert_event(&mut extra, get, 2, e);
    expect_at(&extra, TableId::ETable, get, Rule::EventShape);

    // A missing read.
    let mut missing = t.clone();
    remove_event(&mut missing, add, 0);
    expect_at(&missing, TableId::ETable, add, Rule::EventShape);

    // A read of another slot.
    let mut addr = t.clone();
    let i = event_index(&addr, add, 0);
    addr.events[i].addr = 0;
    expect_at(&addr, TableId::ETable, add, Rule::EventShape);

    // A read turned into a write.
    let mut rw = t.clone();
    let i = event_index(&rw, add, 0);
    rw.events[i].rw = Rw::Write;
    expect_at(&rw, TableId::ETable, add, Rule::EventShape);

    // A global read moved to the heap.
    let mut loc = t;
    let i = event_index(&loc, get, 0);
    loc.events[i].loc = Loc::Heap;
    expect_at(&loc, TableId::ETable, get, Rule::EventShape);
}

/// Malformed event ranges: a step whose range ends before it starts, and a last step whose
/// range runs past the events: `EventShape` (no panic).
#[test]
fn malformed_event_ranges_are_event_shape() {
    let t = main_tables();

    let mut backwards = t.clone();
    backwards.etable[5].events_end = 0;
    expect_at(&backwards, TableId::ETable, 5, Rule::EventShape);

    let mut past = t;
    let last = past.etable.len() - 1;
    past.etable[last].events_end += 5;
    expect_at(&past, TableId::ETable, last, Rule::EventShape);
}

/// A step that executes another instruction than the image's at its address (a sub where
/// the image has an add, with its result consistent): `UnknownInstruction`.
#[test]
fn changed_instruction_is_unknown_instruction() {
    let mut t = main_tables();
    let add = step(&t, is_bin(BinOp::Add));
    t.etable[add].instr = Instr::Bin {
        op: BinOp::Sub,
        ty: ValTy::I32,
    };
    set_write(&mut t, add, 2, 4u32.wrapping_sub(7) as u64);
    expect_at(&t, TableId::ETable, add, Rule::UnknownInstruction);

    // An address outside the code.
    let mut far = main_tables();
    far.etable[add].iid = 1000;
    // The previous row's transition is checked first.
    expect_at(&far, TableId::ETable, add - 1, Rule::Transition);
}

#[test]
fn changed_eid_is_eid_sequence() {
    let mut t = main_tables();
    t.etable[3].eid = 40;
    expect_at(&t, TableId::ETable, 3, Rule::EidSequence);

    // A step number skipped before the final step.
    let mut skipped = main_tables();
    let last = skipped.etable.len() - 1;
    skipped.etable[last].eid += 1;
    expect_at(&skipped, TableId::ETable, last, Rule::EidSequence);
}

/// The first row is not the image's initial state: another function (skipping the entry
/// wrapper), sp, frame, pages or instance index.
#[test]
fn wrong_initial_state_is_initial_state() {
    let t = main_tables();
    let edits: [Edit; 6] = [
        |t| t.etable[0].fid = t.etable[1].fid,
        |t| t.etable[0].iid = 1,
        |t| t.etable[0].sp = 1,
        |t| t.etable[0].frame = 1,
        |t| t.etable[0].pages = 2,
        |t| t.etable[0].instance = 1,
    ];
    for edit in edits {
        let mut bad = t.clone();
        edit(&mut bad);
        expect_at(&bad, TableId::ETable, 0, Rule::InitialState);
    }
}

/// The state after a sequential step is not what it leads to (next iid, sp, frame, pages,
/// fid): `Transition` at the step.
#[test]
fn wrong_next_state_is_transition() {
    let t = main_tables();
    let ld = step(&t, |i| matches!(i, Instr::Load { .. }));
    let next = ld + 1;
    let edits: [fn(&mut Tables, usize); 5] = [
        |t, n| {
            // Skip an instruction (the image's instruction at the new address, so the
            // row itself is well formed).
            t.etable[n].iid += 1;
            t.etable[n].instr = t.etable[n + 5].instr;
        },
        |t, n| t.etable[n].sp += 1,
        |t, n| t.etable[n].frame = 0,
        |t, n| t.etable[n].pages = 2,
        |t, n| t.etable[n].fid = 0,
    ];
    for (k, edit) in edits.into_iter().enumerate() {
        let mut bad = t.clone();
        edit(&mut bad, next);
        let v = expect(&bad, TableId::ETable, Rule::Transition);
        assert_eq!(v.row, ld, "edit {k}: {v}");
    }
}

/// The stack pointer beyond the bound: a run claimed under a smaller stack (the image's
/// bound lowered below the run's maximum) and a pop below the stack's bottom (the entry
/// function's first instruction replaced by a `drop` in the image and the ETable).
#[test]
fn stack_out_of_bounds_is_stack_bound() {
    let mut t = main_tables();
    t.image.state.max_stack = 2;
    let first_over = t
        .etable
        .iter()
        .position(|r| r.sp == 3)
        .expect("sp reaches 3")
        - 1;
    expect_at(&t, TableId::ETable, first_over, Rule::StackBound);

    let mut under = main_tables();
    let entry = under.image.state.entry_fid;
    let at = under
        .image
        .instructions
        .iter()
        .position(|&(f, i, _)| (f, i) == (entry, 0))
        .expect("entry code");
    under.image.instructions[at].2 = Instr::Drop;
    under.etable[0].instr = Instr::Drop;
    expect_at(&under, TableId::ETable, 0, Rule::StackBound);
}

/// Each counter broken at one row: the row before it sees the wrong drop.
#[test]
fn broken_counters() {
    let t = main_tables();
    let cases: [(Edit, usize, Rule); 7] = [
        (|t| t.etable[5].rest_mops += 1, 4, Rule::MopsCounter),
        (|t| t.etable[0].rest_mops -= 1, 0, Rule::MopsCounter),
        (|t| t.etable[2].rest_calls += 1, 1, Rule::CallCounter),
        (|t| t.etable[1].rest_calls += 1, 0, Rule::CallCounter),
        (|t| t.etable[5].rest_returns += 1, 4, Rule::ReturnCounter),
        (|t| t.etable[12].instance = 0, 11, Rule::InstanceIndex),
        (|t| t.etable[5].instance = 1, 4, Rule::InstanceIndex),
    ];
    for (edit, row, rule) in cases {
        let mut bad = t.clone();
        edit(&mut bad);
        expect_at(&bad, TableId::ETable, row, rule);
    }
}

/// An instance index near `u32::MAX` (an overflow attempt): the step before sees it jump:
/// `InstanceIndex` (no panic).
#[test]
fn huge_instance_index_is_instance_index() {
    let mut t = main_tables();
    let out = step(&t, |i| matches!(i, Instr::CallHost(_)));
    t.etable[out].instance = u32::MAX;
    expect_at(&t, TableId::ETable, out - 1, Rule::InstanceIndex);
}

/// An instance claimed that the run never produced: the last row's index does not reach
/// the number of instances: `InstanceIndex` at the last row.
#[test]
fn extra_instance_is_instance_index() {
    let mut t = main_tables();
    t.instances.push(5);
    let last = t.etable.len() - 1;
    expect_at(&t, TableId::ETable, last, Rule::InstanceIndex);
}

/// A truncated ETable (the entry frame's return dropped): the last step is a return to a
/// caller: `NotHalted`. No steps at all, and steps after the halt, too.
#[test]
fn truncated_etable_is_not_halted() {
    let t = main_tables();

    let mut cut = t.clone();
    cut.etable.pop();
    let last = cut.etable.len() - 1;
    expect_at(&cut, TableId::ETable, last, Rule::NotHalted);

    // Cut deeper, the counters catch it first (a return is still to come).
    let mut deeper = t.clone();
    deeper.etable.truncate(11);
    expect_at(&deeper, TableId::ETable, 10, Rule::ReturnCounter);

    let mut empty = t.clone();
    empty.etable.clear();
    expect_at(&empty, TableId::ETable, 0, Rule::NotHalted);

    // A step after the entry frame returned (a copy of the final return).
    let mut after = t;
    let mut extra = *after.etable.last().expect("rows");
    extra.eid += 1;
    after.etable.push(extra);
    let halt = after.etable.len() - 2;
    expect_at(&after, TableId::ETable, halt, Rule::NotHalted);
}

/// The br_table entry the step takes removed from the image table: `BrTableLookup`.
#[test]
fn removed_br_table_entry_is_br_table_lookup() {
    let mut t = honest(BR, &[], &[]);
    let br = step(&t, |i| matches!(i, Instr::BrTable { .. }));
    let (fid, iid) = (t.etable[br].fid, t.etable[br].iid);
    let taken = t.events_of(br)[0].value as u32;
    assert_eq!(taken, 1);
    let before = t.image.br_table.len();
    t.image
        .br_table
        .retain(|e| (e.fid, e.iid, e.index) != (fid, iid, taken));
    assert_eq!(t.image.br_table.len(), before - 1);
    expect_at(&t, TableId::ETable, br, Rule::BrTableLookup);
}

// ---------------------------------------------------------------------------------------
// Bit table
// ---------------------------------------------------------------------------------------

/// A bit-table row with a wrong AND, and a wrong `and` result made consistent in the event,
/// the MTable and the bit table: `BitOp` (the bit table is checked before the ETable).
#[test]
fn wrong_bit_row_is_bit_op() {
    let t = honest(BITS, &[], &[]);
    let and = t
        .bit_table
        .iter()
        .position(|b| (b.lhs, b.rhs) == (0xff0f, 0x0ff0))
        .expect("the and's row");

    let mut result = t.clone();
    result.bit_table[and].and ^= 1;
    expect_at(&result, TableId::BitTable, and, Rule::BitOp);

    let mut consistent = t.clone();
    let step_and = step(&consistent, is_bin(BinOp::And));
    let v = consistent.events_of(step_and)[2].value ^ 0x10000;
    set_write(&mut consistent, step_and, 2, v);
    consistent.bit_table[and].and = v;
    expect_at(&consistent, TableId::BitTable, and, Rule::BitOp);

    // Without touching the bit table, the ETable recomputes the result itself.
    let mut unbacked = t;
    set_write(&mut unbacked, step_and, 2, v);
    expect_at(&unbacked, TableId::ETable, step_and, Rule::WrongResult);
}

/// A bitwise step without its bit-table row (removed, or its operand changed): `BitMissing`.
#[test]
fn missing_bit_row_is_bit_missing() {
    let t = honest(BITS, &[], &[]);
    let xor = step(&t, is_bin(BinOp::Xor));
    let b = t
        .bit_table
        .iter()
        .position(|b| b.rhs == 0x0f0f)
        .expect("the xor's row");

    let mut removed = t.clone();
    removed.bit_table.remove(b);
    expect_at(&removed, TableId::ETable, xor, Rule::BitMissing);

    // Another true row in its place: the xor's triple is still missing.
    let mut other = t;
    other.bit_table[b].rhs = 0x0f0e;
    other.bit_table[b].and = other.bit_table[b].lhs & 0x0f0e;
    expect_at(&other, TableId::ETable, xor, Rule::BitMissing);
}

/// A bit-table row supplied twice, or a true row no step looks up added: `BitCount` (the
/// circuit supplies every row once, so a spare row would be a cell the prover chooses).
#[test]
fn a_bit_row_no_step_needs_is_bit_count() {
    let t = honest(BITS, &[], &[]);
    let mut twice = t.clone();
    twice.bit_table.push(t.bit_table[0]);
    expect_at(&twice, TableId::BitTable, 0, Rule::BitCount);
    let mut spare = t.clone();
    spare.bit_table.push(zkwasm_tables::BitRow {
        lhs: 6,
        rhs: 3,
        and: 2,
    });
    let last = spare.bit_table.len() - 1;
    expect_at(&spare, TableId::BitTable, last, Rule::BitCount);
}

/// A signed division without the bit-table row of an operand's sign (removed, or the sign
/// flipped in a row that stays true for another value): `BitMissing`.
#[test]
fn a_signed_division_needs_its_operands_signs() {
    let t = honest(
        r#"(module (func (export "zkmain") (drop (i64.rem_s (i64.const -7) (i64.const 2)))))"#,
        &[],
        &[],
    );
    let rem = step(&t, is_bin(BinOp::RemS));
    assert_eq!(t.bit_table.len(), 2);
    for b in 0..2 {
        let mut removed = t.clone();
        removed.bit_table.remove(b);
        expect_at(&removed, TableId::ETable, rem, Rule::BitMissing);
        let mut other = t.clone();
        other.bit_table[b].lhs ^= 1 << 63;
        other.bit_table[b].and ^= 1 << 63;
        expect_at(&other, TableId::ETable, rem, Rule::BitMissing);
    }
}

// ---------------------------------------------------------------------------------------
// JTable: frames
// ---------------------------------------------------------------------------------------

/// The frame entry a fake return would use: frame id 7 (the `i32.add` step, which opened no
/// frame), back to an address of the attacker's choice (`$f`'s caller, skipping the
/// `global.set`).
fn fake_frame(t: &Tables) -> JRow {
    let add = step(t, is_bin(BinOp::Add));
    let set = step(t, |i| matches!(i, Instr::GlobalSet { .. }));
    JRow {
        frame: t.etable[add].eid,
        parent: t.etable[set].frame,
        callee: t.etable[add].fid,
        ret_fid: t.etable[set].fid,
        ret_iid: t.etable[set].iid + 1,
        returned: true,
        is_static: false,
    }
}

/// The fake-return attack (reference system, fixed in 810bc932), first variant: a forged
/// frame entry and nothing else. Every ETable lookup still passes (nobody uses it), so only
/// the count of non-static entries against the ETable's calls catches it: `CallCount`.
#[test]
fn fake_frame_alone_is_call_count() {
    let mut t = main_tables();
    let fake = fake_frame(&t);
    t.jtable.push(fake);
    expect_at(&t, TableId::JTable, 0, Rule::CallCount);
}

/// The forged frame paid for with one more call on every ETable row: the call counter
/// must end at 0 after the last step: `CallCounter` at the last row.
#[test]
fn fake_frame_with_every_rest_calls_bumped_is_call_counter_at_last_row() {
    let mut t = main_tables();
    let fake = fake_frame(&t);
    t.jtable.push(fake);
    for r in &mut t.etable {
        r.rest_calls += 1;
    }
    let last = t.etable.len() - 1;
    expect_at(&t, TableId::ETable, last, Rule::CallCounter);
}

/// The forged frame paid for as if the step whose eid it claims (the `i32.add`) were a
/// call: `CallCounter` at that step (it is no call, its counter may not drop).
#[test]
fn fake_frame_paid_at_its_step_is_call_counter() {
    let mut t = main_tables();
    let fake = fake_frame(&t);
    t.jtable.push(fake);
    let add = step(&t, is_bin(BinOp::Add));
    for r in &mut t.etable[..=add] {
        r.rest_calls += 1;
    }
    expect_at(&t, TableId::ETable, add, Rule::CallCounter);
}

/// The reference system's payment: two more returns instead of a call (its single counter
/// added calls and returns). Returns are counted on their own: `ReturnCounter` at the last
/// row (and with the counters left alone, `CallCount`).
#[test]
fn fake_frame_paid_with_two_returns_is_return_counter() {
    let mut t = main_tables();
    let fake = fake_frame(&t);
    t.jtable.push(fake);
    for r in &mut t.etable {
        r.rest_returns += 2;
    }
    let last = t.etable.len() - 1;
    expect_at(&t, TableId::ETable, last, Rule::ReturnCounter);
}

/// Using the forged frame: the `return` of `$f` is claimed to run in frame 7, so that its
/// lookup finds the forged entry. A frame is entered only by a call: `Transition` at the
/// step before.
#[test]
fn fake_frame_used_by_a_return_is_transition() {
    let mut t = main_tables();
    let fake = fake_frame(&t);
    t.jtable.push(fake);
    let ret = step(&t, |i| matches!(i, Instr::Return(dk) if dk.drop == 1));
    t.etable[ret].frame = fake.frame;
    t.etable[ret + 1].iid = fake.ret_iid;
    t.etable[ret + 1].instr = t.etable[ret + 2].instr;
    expect_at(&t, TableId::ETable, ret - 1, Rule::Transition);
}

/// A second entry for frame 4 (`$f`'s), returning where the attacker likes: the return's
/// lookup could pick either. `DuplicateFrame` at the second entry.
#[test]
fn duplicate_frame_is_duplicate_frame() {
    let mut t = main_tables();
    let j = jrow(&t, 4);
    let forged = JRow {
        ret_iid: 5,
        ..t.jtable[j]
    };
    t.jtable.push(forged);
    let last = t.jtable.len() - 1;
    expect_at(&t, TableId::JTable, last, Rule::DuplicateFrame);
}

/// The static entry frame tampered with: another callee, not returned, a second static
/// entry, the entry removed, an empty JTable.
#[test]
fn tampered_static_entry_is_static_entry() {
    let t = main_tables();
    let cases: [(Edit, usize); 6] = [
        (|t| t.jtable[0].callee = t.jtable[1].callee, 0),
        (|t| t.jtable[0].returned = false, 0),
        (|t| t.jtable[0].frame = 99, 0),
        (|t| t.jtable[1].is_static = true, 1),
        (
            |t| {
                t.jtable.remove(0);
            },
            0,
        ),
        (|t| t.jtable.clear(), 0),
    ];
    for (edit, row) in cases {
        let mut bad = t.clone();
        edit(&mut bad);
        expect_at(&bad, TableId::JTable, row, Rule::StaticEntry);
    }
}

/// A skipped call: the frame entry of `call $f` removed: `CallMissing` at the call. With the
/// call counters lowered too (so the counts agree), the call step's counter cannot drop by
/// its call: `CallCounter` at the call.
#[test]
fn removed_frame_entry_is_call_missing() {
    let t = main_tables();
    let call = step(&t, |i| matches!(i, Instr::Call(1)));
    let j = jrow(&t, t.etable[call].eid);

    let mut removed = t.clone();
    removed.jtable.remove(j);
    expect_at(&removed, TableId::ETable, call, Rule::CallMissing);

    let mut paid = removed;
    for r in &mut paid.etable[..=call] {
        r.rest_calls -= 1;
    }
    expect_at(&paid, TableId::ETable, call, Rule::CallCounter);
}

/// The frame entry's return address, caller frame or callee changed: the call's lookup
/// includes all of them, and the call comes before the return: `CallMissing` at the call.
/// Also when the step after the return is moved to the forged return address.
#[test]
fn altered_frame_entry_is_call_missing() {
    let t = main_tables();
    let call = step(&t, |i| matches!(i, Instr::Call(1)));
    let ret = step(&t, |i| matches!(i, Instr::Return(dk) if dk.drop == 1));
    let j = jrow(&t, t.etable[call].eid);
    let edits: [fn(&mut JRow); 4] = [
        |j| j.ret_iid += 1,
        |j| j.ret_fid = 3,
        |j| j.parent = 0,
        |j| j.callee = 2,
    ];
    for edit in edits {
        let mut bad = t.clone();
        edit(&mut bad.jtable[j]);
        expect_at(&bad, TableId::ETable, call, Rule::CallMissing);
    }

    let mut redirected = t;
    redirected.jtable[j].ret_iid += 1;
    redirected.etable[ret + 1].iid += 1;
    redirected.etable[ret + 1].instr = redirected.etable[ret + 2].instr;
    expect_at(&redirected, TableId::ETable, call, Rule::CallMissing);
}

/// A return to a wrong address (the step after `$f`'s return moved past the `global.set`,
/// a well-formed row of the image) or caller frame, or a frame entry not marked returned:
/// `ReturnMissing` at the return. A wrong sp after the return: `Transition`.
#[test]
fn wrong_return_is_return_missing() {
    let t = main_tables();
    let ret = step(&t, |i| matches!(i, Instr::Return(dk) if dk.drop == 1));

    let mut addr = t.clone();
    addr.etable[ret + 1].iid += 1;
    addr.etable[ret + 1].instr = addr.etable[ret + 2].instr;
    expect_at(&addr, TableId::ETable, ret, Rule::ReturnMissing);

    let mut fid = t.clone();
    fid.etable[ret + 1].fid = 1;
    expect_at(&fid, TableId::ETable, ret, Rule::ReturnMissing);

    let mut frame = t.clone();
    frame.etable[ret + 1].frame = 0;
    expect_at(&frame, TableId::ETable, ret, Rule::ReturnMissing);

    let mut unreturned = t.clone();
    let j = jrow(&t, t.etable[ret].frame);
    unreturned.jtable[j].returned = false;
    expect_at(&unreturned, TableId::ETable, ret, Rule::ReturnMissing);

    let mut sp = t;
    sp.etable[ret + 1].sp += 1;
    expect_at(&sp, TableId::ETable, ret, Rule::Transition);
}

/// `ReturnCount` (returned non-static entries = the ETable's returns) cannot be the first
/// rule a table edit breaks: if the ETable passes and `CallCount` holds, every non-static
/// entry is a real call's frame (call lookups + unique frame ids + the call count), the
/// `frame` column can only move along the frame tree (down by a call, up by a return to the
/// parent), so every frame of a halted run is entered once and left by exactly one return,
/// whose lookup needs its entry marked returned. The count is then equal. The attempts that
/// come closest are caught earlier; this test documents them.
#[test]
fn return_count_is_implied_by_the_other_rules() {
    let t = main_tables();
    let ret = step(&t, |i| matches!(i, Instr::Return(dk) if dk.drop == 1));

    // One returned entry fewer: its return finds no returned entry.
    let mut unreturned = t.clone();
    let j = jrow(&t, t.etable[ret].frame);
    unreturned.jtable[j].returned = false;
    expect_at(&unreturned, TableId::ETable, ret, Rule::ReturnMissing);

    // One return fewer in the ETable's total: the chain breaks at the first row.
    let mut fewer = t.clone();
    fewer.etable[0].rest_returns -= 1;
    expect_at(&fewer, TableId::ETable, 0, Rule::ReturnCounter);

    // A returned forged entry (and its call paid for): the call count sees it first.
    let mut forged = t;
    let fake = fake_frame(&forged);
    forged.jtable.push(fake);
    expect_at(&forged, TableId::JTable, 0, Rule::CallCount);
}
