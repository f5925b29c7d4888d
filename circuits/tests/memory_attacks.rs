//! Soundness review of the memory classes (loads, stores, `memory.size`, `memory.grow`), the
//! write slots' `prev` and the MTable's `mtable previous value`: forged witnesses of false
//! statements, each expected to be rejected by the named constraint.
//!
//! Forgeries edit the `Tables` (so the lookups' helpers, which are derived from them, stay
//! consistent: what a cheating prover would commit), and where a cell the witness generator
//! derives must be forged too, override it after the honest assignment.

#[allow(dead_code)]
mod runs;

use halo2_proofs::plonk::{Circuit, ConstraintSystem};
use runs::*;
use std::collections::BTreeSet;
use zkwasm_circuits::etable::ROWS;
use zkwasm_circuits::mock::failures;
use zkwasm_circuits::vm::VmCircuit;
use zkwasm_circuits::Fr;
use zkwasm_tables::encode::Class;
use zkwasm_tables::{MRow, Tables, END_EID};
use zkwasm_tracer::isa::Instr;
use zkwasm_tracer::trace::{Loc, MemEvent, Rw};
use zkwasm_tracer::ValTy;

const LOAD: &str = "gate: op load";
const STORE: &str = "gate: op store";
const GROW: &str = "gate: op memory.grow";
const SIZE: &str = "gate: op memory.size";
const SLOTS: &str = "gate: etable slots";
const STEP: &str = "gate: etable step";
const SUM: &str = "gate: range sum ends at zero";
const PREV: &str = "gate: mtable previous value";

// ---------------------------------------------------------------------------------------
// Helpers: editing a run's tables consistently.

/// Index of step `i`'s first event in `t.events`.
fn ev_start(t: &Tables, i: usize) -> usize {
    if i == 0 {
        0
    } else {
        t.etable[i - 1].events_end as usize
    }
}

/// Inserts `ev` as event `e` of step `i`.
fn insert_event(t: &mut Tables, i: usize, e: usize, ev: MemEvent) {
    let at = ev_start(t, i) + e;
    t.events.insert(at, ev);
    for r in &mut t.etable[i..] {
        r.events_end += 1;
    }
}

/// Removes event `e` of step `i`.
fn remove_event(t: &mut Tables, i: usize, e: usize) -> MemEvent {
    let at = ev_start(t, i) + e;
    let ev = t.events.remove(at);
    for r in &mut t.etable[i..] {
        r.events_end -= 1;
    }
    ev
}

/// Mutable event `e` of step `i`.
fn event(t: &mut Tables, i: usize, e: usize) -> &mut MemEvent {
    let at = ev_start(t, i) + e;
    &mut t.events[at]
}

/// The MTable row of `(loc, addr, start)`.
fn mrow(t: &Tables, loc: Loc, addr: u32, start: u32) -> usize {
    t.mtable
        .iter()
        .position(|m| (m.loc, m.addr, m.start) == (loc, addr, start))
        .unwrap_or_else(|| panic!("no MTable entry {loc:?} {addr} {start}"))
}

/// Inserts `row` into the MTable at its sorted place.
fn insert_mrow(t: &mut Tables, row: MRow) {
    let key = |m: &MRow| (m.loc as u8, m.addr, m.start);
    let at = t.mtable.partition_point(|m| key(m) < key(&row));
    t.mtable.insert(at, row);
}

fn heap_init(addr: u32, value: u64) -> MRow {
    MRow {
        loc: Loc::Heap,
        addr,
        start: 0,
        end: END_EID,
        value,
        ty: ValTy::I64,
        init: true,
        mutable: true,
    }
}

/// A write entry of heap `block` at step `eid` (its init entry's interval cut there), and the
/// first load (of that block, after `eid`) reading `value` from it.
fn phantom_write(t: &mut Tables, block: u32, eid: u32, value: u64) {
    let r = mrow(t, Loc::Heap, block, 0);
    t.mtable[r].end = eid;
    insert_mrow(
        t,
        MRow {
            start: eid,
            value,
            init: false,
            ..heap_init(block, 0)
        },
    );
    let l = first(t, is_load);
    event(t, l, 1).value = value;
    forge_write(t, l, 2, value);
}

/// A run whose access names another block than its address: the slot rule fails (the block
/// is no cell but `(ea - pos) / 8`, so only the position could move it, and no position one-hot
/// moves it by a whole block).
fn block_forgery_is_rejected(t: Tables) {
    assert_eq!(run(t), set(&[SLOTS]));
}

/// The program's first load (of one block) made a load of `kind` at immediate `offset` (the
/// image edited: another program), reading zeros from heap `block` (an init entry added).
fn load_at(t: &mut Tables, kind: zkwasm_tracer::isa::LoadKind, offset: u32, block: u32) {
    let l = first(t, is_load);
    let instr = Instr::Load { kind, offset };
    let (fid, iid) = (t.etable[l].fid, t.etable[l].iid);
    for x in &mut t.image.instructions {
        if (x.0, x.1) == (fid, iid) {
            x.2 = instr;
        }
    }
    t.etable[l].instr = instr;
    let ev = event(t, l, 1);
    ev.addr = block;
    ev.value = 0;
    insert_mrow(t, heap_init(block, 0));
    forge_write(t, l, 2, 0);
}

/// The step of the first instruction `want` accepts.
fn first(t: &Tables, want: fn(&Instr) -> bool) -> usize {
    step(t, want)
}

fn is_load(i: &Instr) -> bool {
    matches!(i, Instr::Load { .. })
}

fn is_store(i: &Instr) -> bool {
    matches!(i, Instr::Store { .. })
}

/// The failures of the circuit of `t` with cells overridden by `f` after the honest
/// assignment.
fn run_with(t: Tables, f: impl FnOnce(&mut VmCircuit)) -> BTreeSet<String> {
    let k = k_for(&t);
    let mut c = VmCircuit::new(k, t);
    f(&mut c);
    failures(k, &c, c.instances())
}

/// The MTable's cells, as the VM configures them.
fn mtable_cells(t: &Tables) -> zkwasm_circuits::mtable::Cells {
    let mut meta = ConstraintSystem::<Fr>::default();
    let c = VmCircuit::new(k_for(t), t.clone());
    VmCircuit::configure_with_params(&mut meta, c.params()).mtable_cells()
}

// ---------------------------------------------------------------------------------------
// The attacks.

/// The invariant the write counter needs ("no step writes one location twice"), attacked
/// through the store, the only class with two writes: a spanning store whose second write is
/// claimed at the first block (same tuple as the first write: the MTable entry is looked up
/// twice), which frees one counted MTable entry for a phantom write no step made, read by a
/// later load. The store is chosen so that its gate holds: at byte 4 of a block whose old
/// bytes are 01..08, storing 05 06 07 08 01 02 03 04 leaves the block as it was, and the
/// second block's (forged) old value equal to the first's makes both written words equal.
/// Blocked only by the slot rule (the second write's address must be `block + 1`).
#[test]
fn a_store_cannot_write_one_block_twice_to_free_a_phantom_write() {
    let mut t = tables(
        r#"(module (memory 1)
 (data (i32.const 0) "\01\02\03\04\05\06\07\08")
 (func (export "zkmain")
   (i64.store (i32.const 4) (i64.const 0x0403020108070605))
   (drop (i64.load (i32.const 16)))))"#,
    );
    let s = first(&t, is_store);
    let eid = t.etable[s].eid;
    let w0 = *event(&mut t, s, 2);
    assert_eq!((w0.addr, w0.value), (0, 0x0807_0605_0403_0201));
    // The second write: block 0 again, with the first's value.
    let w1 = event(&mut t, s, 3);
    assert_eq!(w1.addr, 1);
    w1.addr = 0;
    w1.value = w0.value;
    // Block 1 keeps its initial value; its write entry goes.
    let r = mrow(&t, Loc::Heap, 1, eid);
    t.mtable.remove(r);
    let r = mrow(&t, Loc::Heap, 1, 0);
    t.mtable[r].end = END_EID;
    // The freed entry: a phantom write of block 2 at the store's eid, which the later load
    // of block 2 reads.
    phantom_write(&mut t, 2, eid, 0xdead_beef_0bad_f00d);
    assert_eq!(run(t), set(&[SLOTS]));
}

/// A load returning a value memory does not hold: the data block's initial value forged in
/// the MTable (and the block read and the result with it). The init entry's image lookup
/// fails: the running sum does not end at zero.
#[test]
fn a_load_of_a_forged_initial_value_is_rejected() {
    let mut t = tables(
        r#"(module (memory 1)
 (data (i32.const 0) "\01\02\03\04\05\06\07\08")
 (func (export "zkmain") (drop (i64.load (i32.const 0)))))"#,
    );
    let l = first(&t, is_load);
    const FAKE: u64 = 0x1111_2222_3333_4444;
    let r = mrow(&t, Loc::Heap, 0, 0);
    t.mtable[r].value = FAKE;
    event(&mut t, l, 1).value = FAKE;
    forge_write(&mut t, l, 2, FAKE);
    assert_eq!(run(t), set(&[SUM]));
}

/// A load of block 777 claimed to read block 778 (which holds data): the block read and the
/// result forged consistently: the slot rule fails.
#[test]
fn a_load_of_the_wrong_block_is_rejected() {
    let t = tables(
        r#"(module (memory 1)
 (data (i32.const 6224) "\11\22\33\44\55\66\77\88")
 (func (export "zkmain")
   (drop (i64.load (i32.const 6216)))
   (drop (i64.load (i32.const 6224)))))"#,
    );
    let l = first(&t, is_load);
    let mut forged = t.clone();
    let data = 0x8877_6655_4433_2211;
    let ev = event(&mut forged, l, 1);
    assert_eq!((ev.addr, ev.value), (777, 0));
    ev.addr = 778;
    ev.value = data;
    forge_write(&mut forged, l, 2, data);
    block_forgery_is_rejected(forged);
}

/// A store to block 777 claimed to write block 778 (read back by a later load): the write's
/// MTable entry moved to block 778: the slot rule fails.
#[test]
fn a_store_to_the_wrong_block_is_rejected() {
    let t = tables(
        r#"(module (memory 1)
 (func (export "zkmain")
   (i64.store (i32.const 6216) (i64.const 0x1122334455667788))
   (drop (i64.load (i32.const 6224)))))"#,
    );
    let s = first(&t, is_store);
    let eid = t.etable[s].eid;
    let mut forged = t.clone();
    let v = event(&mut forged, s, 2).value;
    event(&mut forged, s, 2).addr = 778;
    // Block 777 keeps its initial value; block 778 gets the write.
    let r = mrow(&forged, Loc::Heap, 777, eid);
    forged.mtable.remove(r);
    let r = mrow(&forged, Loc::Heap, 777, 0);
    forged.mtable[r].end = END_EID;
    phantom_write(&mut forged, 778, eid, v);
    block_forgery_is_rejected(forged);
}

/// A spanning load that skips its second block's read, claiming that block's bytes zero: the
/// slot rule wants slot 2 used when the access spans; with `span` forged to 0 as well, the
/// span rule of `op load` fails.
#[test]
fn a_spanning_load_cannot_skip_its_second_block() {
    let t = tables(
        r#"(module (memory 1)
 (data (i32.const 0) "\01\82\03\84\05\86\07\88\89\0a\8b\0c\8d\0e\8f\10")
 (func (export "zkmain") (drop (i64.load (i32.const 4)))))"#,
    );
    let l = first(&t, is_load);
    assert_eq!(t.events_of(l).len(), 4);
    let mut forged = t.clone();
    let lo = t.events_of(l)[1].value;
    remove_event(&mut forged, l, 2);
    forge_write(&mut forged, l, 2, lo >> 32);
    assert_eq!(run(forged.clone()), set(&[SLOTS]));
    let cfg = etable_config(&forged);
    let span = cfg.class_cell(Class::Load, "span").unwrap();
    let got = run_with(forged, |c| {
        c.etable_overrides
            .set(span.column, l * ROWS + span.rot as usize, Fr::zero());
    });
    assert_eq!(got, set(&[LOAD]));
}

/// A store that also claims a write of the block after the one it touches (not spanning):
/// an extra write, counted (the step's counters and the MTable entry forged with it). The
/// slot rule: slot 3 is used only when the access spans.
#[test]
fn a_store_cannot_write_a_block_it_does_not_touch() {
    let mut t = tables(
        r#"(module (memory 1)
 (func (export "zkmain")
   (i32.store8 (i32.const 3) (i32.const 0x55))
   (drop (i64.load (i32.const 8)))))"#,
    );
    let s = first(&t, is_store);
    let eid = t.etable[s].eid;
    assert_eq!(t.events_of(s).len(), 3);
    const FAKE: u64 = 0x0102_0304_0506_0708;
    insert_event(
        &mut t,
        s,
        3,
        MemEvent {
            value: FAKE,
            addr: 1,
            loc: Loc::Heap,
            rw: Rw::Write,
            ty: ValTy::I64,
        },
    );
    for r in &mut t.etable[..=s] {
        r.rest_mops += 1;
    }
    phantom_write(&mut t, 1, eid, FAKE);
    // (The store's gate also objects: the unused second block's bytes are its old ones.)
    assert_eq!(run(t), set(&[SLOTS, STORE]));
}

/// A store whose untouched bytes come from a forged old value: the store's write entry's
/// `prev` is the previous entry's value, here the block's initial value, so forging what was
/// overwritten means forging the init entry, whose image lookup fails.
#[test]
fn a_store_cannot_claim_a_forged_old_block() {
    let mut t = tables(
        r#"(module (memory 1)
 (data (i32.const 0) "\01\02\03\04\05\06\07\08")
 (func (export "zkmain")
   (i32.store8 (i32.const 3) (i32.const 0x55))
   (drop (i64.load (i32.const 0)))))"#,
    );
    let s = first(&t, is_store);
    let eid = t.etable[s].eid;
    let old: u64 = 0x0807_0605_0403_0201;
    let fake_old: u64 = 0xf8f7_f6f5_0403_0201;
    let written = (fake_old & !0xff00_0000) | 0x5500_0000;
    let r = mrow(&t, Loc::Heap, 0, 0);
    assert_eq!(t.mtable[r].value, old);
    t.mtable[r].value = fake_old;
    // The write and the later read of the block, with the forged untouched bytes.
    event(&mut t, s, 2).value = written;
    let r = mrow(&t, Loc::Heap, 0, eid);
    t.mtable[r].value = written;
    let l = first(&t, is_load);
    event(&mut t, l, 1).value = written;
    forge_write(&mut t, l, 2, written);
    assert_eq!(run(t), set(&[SUM]));
}

/// A write whose `prev` is not what it overwrote: the MTable's `prev` cell of the store's
/// write entry overwritten (the lookups' helpers, derived from the tables, then fail their
/// gates too; the point is that `mtable previous value` pins the cell).
#[test]
fn a_write_prev_other_than_the_overwritten_value_is_rejected() {
    let t = tables(
        r#"(module (memory 1)
 (data (i32.const 0) "\01\02\03\04\05\06\07\08")
 (func (export "zkmain") (i32.store8 (i32.const 3) (i32.const 0x55))))"#,
    );
    let s = first(&t, is_store);
    let r = mrow(&t, Loc::Heap, 0, t.etable[s].eid);
    let cells = mtable_cells(&t);
    let got = run_with(t, |c| {
        c.mtable_overrides.set(
            cells.prev.column,
            r * ROWS + cells.prev.rot as usize,
            Fr::from(0x1234u64),
        );
    });
    assert!(got.contains(PREV), "{got:?}");
}

/// A load at the top of the 4 GiB address space against one page of memory: the program's
/// offset is 2^32 - 8 (the image edited, so the statement is a program that traps), the
/// block read is 2^29 - 1 (which the MTable's zero run holds). `ea + bytes` is far above
/// `pages · 65536`: the bound's difference wraps around the field, no four byte limbs
/// hold it.
#[test]
fn a_load_at_the_top_of_the_address_space_is_rejected() {
    let mut t = tables(
        r#"(module (memory 1)
 (data (i32.const 8) "\01\02\03\04\05\06\07\08")
 (func (export "zkmain") (drop (i64.load offset=8 (i32.const 0)))))"#,
    );
    let offset = u32::MAX - 7;
    let top = offset / 8;
    load_at(&mut t, zkwasm_tracer::isa::LoadKind::I64, offset, top);
    assert_eq!(run(t), set(&[LOAD]));
}

/// `memory.grow(-1)` claimed to succeed (from one page of at most 3): pages would be 2^32
/// after it (the later steps' page cells forged to it, so "etable step" holds). The grow's
/// bound `max - pages - delta` is negative and no byte limbs hold it.
#[test]
fn a_grow_by_minus_one_cannot_succeed() {
    let mut t = tables(
        r#"(module (memory 1 3)
 (func (export "zkmain") (drop (memory.grow (i32.const -1)))))"#,
    );
    let g = first(&t, |i| *i == Instr::MemoryGrow);
    assert_eq!(t.events_of(g)[1].value, u32::MAX as u64);
    forge_write(&mut t, g, 1, 1);
    let steps = t.etable.len();
    let cfg = etable_config(&t);
    let pages = cfg.common().pages;
    let got = run_with(t, |c| {
        for i in g + 1..steps {
            c.etable_overrides.set(
                pages.column,
                i * ROWS + pages.rot as usize,
                Fr::from(1u64 << 32),
            );
        }
    });
    assert_eq!(got, set(&[GROW]));
}

/// A grow that succeeds but claims a result other than the old page count, and one that
/// succeeds with pages growing by other than its delta.
#[test]
fn a_grow_returns_the_old_pages_and_grows_by_its_delta() {
    let t = tables(
        r#"(module (memory 1 3)
 (func (export "zkmain") (drop (memory.grow (i32.const 1))) (drop (memory.size))))"#,
    );
    let g = first(&t, |i| *i == Instr::MemoryGrow);
    assert_eq!(t.events_of(g)[1].value, 1);
    let mut forged = t.clone();
    forge_write(&mut forged, g, 1, 2);
    assert_eq!(run(forged), set(&[GROW]));
    // Pages 3 after the grow by 1 (and memory.size reporting 3).
    let mut forged = t.clone();
    for r in &mut forged.etable[g + 1..] {
        r.pages = 3;
    }
    let sz = first(&forged, |i| *i == Instr::MemorySize);
    forge_write(&mut forged, sz, 0, 3);
    assert_eq!(run(forged), set(&[STEP]));
    // memory.size reporting other than the pages.
    let mut forged = t;
    forge_write(&mut forged, sz, 0, 1);
    assert_eq!(run(forged), set(&[SIZE]));
}

/// Pages that change at a step that is no grow, so that a later access past the end of the
/// original memory passes its bound: "etable step" at that step.
#[test]
fn pages_cannot_change_without_a_grow() {
    let t = tables(
        r#"(module (memory 2)
 (func (export "zkmain") (drop (i32.load8_u (i32.const 65536)))))"#,
    );
    // The step before the load (its address's i32.const) claims the second page appears.
    let n = first(&t, is_load) - 1;
    assert!(matches!(t.etable[n].instr, Instr::I32Const(65536)));
    let mut forged = t.clone();
    forged.image.state.pages = 1;
    for r in &mut forged.etable[..=n] {
        r.pages = 1;
    }
    let f = failing_steps(forged.clone(), STEP);
    assert_eq!(f, BTreeSet::from([n]));
    assert_eq!(run(forged), set(&[STEP]));
}

/// The second slot group's lookup has no table side: a slot of a disabled step (past the
/// run) claimed used, to inject an access, fails the slot rule (and the helpers, which the
/// tables derive without it).
#[test]
fn an_access_injected_past_the_run_is_rejected() {
    let t =
        tables(r#"(module (memory 1) (func (export "zkmain") (drop (i64.load (i32.const 0)))))"#);
    let past = t.etable.len() + 1;
    let cfg = etable_config(&t);
    for j in [2, 3] {
        let s = cfg.slot(j);
        let got = run_with(t.clone(), |c| {
            c.etable_overrides
                .set(s.group.used, past * ROWS + s.rot as usize, Fr::one());
        });
        assert!(got.contains(SLOTS), "slot {j}: {got:?}");
    }
}

/// `base + offset` past 2^32 (base 8, offset 2^32 - 4: the effective address is 33 bits, a
/// trap in Wasm, never wrapped to 4): the bound fails (and the block, 2^29, is in no image
/// row, so its init entry's lookup fails too).
#[test]
fn an_effective_address_past_four_gib_is_rejected() {
    let mut t = tables(
        r#"(module (memory 1)
 (func (export "zkmain") (drop (i32.load offset=4 (i32.const 8)))))"#,
    );
    let offset = u32::MAX - 3;
    let block = ((8 + offset as u64) / 8) as u32;
    assert_eq!(block, 1 << 29);
    load_at(&mut t, zkwasm_tracer::isa::LoadKind::I32, offset, block);
    assert_eq!(run(t), set(&[LOAD, SUM]));
}
