//! An adversarial review of `call_indirect` (`etable/op_call.rs`, class `Call`, `sub` 1): the
//! step pops a slot (access slot 0, an i32 read at `sp - 1`), its callee is a cell of four
//! byte limbs that the shared next-state rule makes the next step's `fid`, and the element
//! lookup (inputs only, the image's tag) asks for `(slot, callee, ELEMENT, a)` among the
//! image's element rows, which hold each non-null slot's function with its canonical type id.
//!
//! Each attack is a consistent forgery where the harness allows one. Most forge the run's
//! tables, from which the circuit derives every cell and every lookup term itself: the slot
//! comes from a public input, so changing the input (the instance, the value `wasm_input`
//! writes and the value `i32.wrap_i64` writes, [`forge_write`]) changes the popped slot with
//! every memory lookup intact, and the steps of the callee's frame are relabelled to another
//! function with the same code ([`relabel`]), so every image lookup still holds. Cell
//! overrides patch the range argument's helper and running sum to the tuples the cells then
//! hold ([`Patch`], with the MockProver's challenges; the MTable's `accessed` cells too), so
//! that only the rule under test can object. (The image's `copies` are left as counted, though
//! `range_overrides` could set them, as `one_row_attacks.rs` does: where a patched element
//! term leaves an image row looked up a different number of times, the sum fails on that count
//! too, and the test says why the sum fails regardless.) Each test asserts
//! the exact set of failing constraints.
//!
//! Attacked: the callee another function of the slot's signature (a false public output), a
//! function in no slot with the slot's function's code, a function of another signature
//! (through the slot of another function, and through its own slot: a type mismatch); an
//! empty slot and a slot past the table; the popped slot off by 2^32 (off by p is the same
//! field element: no forgery); callee limbs that are no bytes but sum right, or off by 2^32;
//! the next step's `fid` other than the callee; a nonzero callee on a direct `call`; a direct
//! `call` claimed indirect and a `call_indirect` claimed direct (no pop, `sp` kept); the slot
//! read skipped; `sp` not decremented; the frame slot's parent, return function and return
//! instruction forged (in the JTable too). None is accepted: the element lookup's sum rejects
//! every slot/callee/type triple the image lacks, the range argument every non-byte limb, the
//! image lookup a `sub` other than the instruction's, the slot rule a skipped read (`used` is
//! `sub`, and an unused slot's value is zero anyway), the next-state rule a next `fid` or `sp`
//! other than the callee's and `sp - 1`, and "op call" a nonzero callee on a `call` and every
//! forged field of the frame slot.

#[allow(dead_code)] // Shared with tests/vm.rs, which uses all of it.
mod runs;

use ff::Field;
use runs::patch::{apply, config, Patch};
use runs::*;
use std::collections::BTreeSet;
use std::sync::LazyLock;
use zkwasm_circuits::etable::{Start, ROWS};
use zkwasm_circuits::image::ELEMENT;
use zkwasm_circuits::mock::{failing_rows, failures};
use zkwasm_circuits::mtable::access_tuple;
use zkwasm_circuits::vm::{tuple_lookup, VmCircuit};
use zkwasm_circuits::Fr;
use zkwasm_tables::encode::Class;
use zkwasm_tables::{JRow, Tables};
use zkwasm_tracer::isa::Instr;
use zkwasm_tracer::trace::Rw;
use zkwasm_tracer::{execute, load, Inputs, Limits};

const CALL: &str = "gate: op call";
const NEXT: &str = "gate: etable next state";
const SLOTS: &str = "gate: etable slots";
const CONV: &str = "gate: op conv";
const SUM: &str = "gate: range sum ends at zero";

/// Tuple lookups patched here: (index, tag), by their gates' names (`vm::tuple_lookup`).
static ACCESS: LazyLock<(usize, u64)> =
    LazyLock::new(|| tuple_lookup("access lookup").expect("a lookup of the VM"));
static IMAGE: LazyLock<(usize, u64)> =
    LazyLock::new(|| tuple_lookup("image lookup").expect("a lookup of the VM"));
static ELEMENTS: LazyLock<(usize, u64)> =
    LazyLock::new(|| tuple_lookup("element lookup").expect("a lookup of the VM"));

/// Functions: `$in` 0, `$out` 1, `$double` 2, `$square` 3, `$seven` 4, `$seven_i32` 5,
/// `$twice` 6 (`$double`'s code, in no slot), `zkmain` 7. Slots 0..3 hold functions 2..5
/// (`$seven_i32` of another type, `$in`'s), slot 4 is empty, 5 is past the table. `zkmain`
/// calls the slot its public input names with 21, then `$double` and `$twice` directly with 5
/// and 3.
const PROGRAM: &str = r#"(module
  (import "env" "wasm_input" (func $in (param i32) (result i64)))
  (import "env" "wasm_output" (func $out (param i64)))
  (type $ta (func (param i64) (result i64)))
  (type $tb (func (param i32) (result i64)))
  (table 5 funcref)
  (elem (i32.const 0) $double $square $seven $seven_i32)
  (func $double (type $ta) (i64.add (local.get 0) (local.get 0)))
  (func $square (type $ta) (i64.mul (local.get 0) (local.get 0)))
  (func $seven (type $ta) (i64.const 7))
  (func $seven_i32 (type $tb) (i64.const 7))
  (func $twice (type $ta) (i64.add (local.get 0) (local.get 0)))
  (func (export "zkmain")
    (call $out (call_indirect (type $ta)
      (i64.const 21) (i32.wrap_i64 (call $in (i32.const 1)))))
    (call $out (call $double (i64.const 5)))
    (call $out (call $twice (i64.const 3)))))"#;

const DOUBLE: u32 = 2;
const SQUARE: u32 = 3;
const SEVEN: u32 = 4;
const SEVEN_I32: u32 = 5;
const TWICE: u32 = 6;

/// The steps of a run: the `wasm_input`, the `i32.wrap_i64`, the `call_indirect`, the
/// direct calls of `$double` and of `$twice`.
#[derive(Clone, Copy)]
struct Steps {
    host: usize,
    wrap: usize,
    call: usize,
    direct: usize,
    twice: usize,
}

/// The run with public input `slot` (an honest one) and its steps.
fn program(slot: u64) -> (Tables, Steps) {
    let t = tables_with(PROGRAM, vec![slot], vec![]);
    let host = step(&t, |i| matches!(i, Instr::CallHost(_)));
    let call = step(&t, |i| matches!(i, Instr::CallIndirect { .. }));
    let direct = step(&t, |i| matches!(i, Instr::Call(DOUBLE)));
    let twice = step(&t, |i| matches!(i, Instr::Call(TWICE)));
    assert!(matches!(t.etable[host + 1].instr, Instr::Conv(_)));
    assert_eq!(host + 2, call);
    let s = Steps {
        host,
        wrap: host + 1,
        call,
        direct,
        twice,
    };
    (t, s)
}

/// Whether the program traps on public input `slot`.
fn traps(slot: u64) -> bool {
    let limits = Limits::default();
    let img = load(PROGRAM.as_bytes(), &limits)
        .unwrap()
        .image("zkmain")
        .unwrap();
    let inputs = Inputs {
        public: vec![slot],
        private: vec![],
    };
    execute(&img, &inputs, &limits).is_err()
}

/// The run claiming public input `input`, the slot `slot` (the `i32.wrap_i64` result),
/// every memory value consistent.
fn claim_input(t: &mut Tables, s: Steps, input: u64, slot: u64) {
    assert_eq!(t.instances[0], t.events_of(s.host)[1].value);
    t.instances[0] = input;
    forge_write(t, s.host, 1, input);
    forge_write(t, s.wrap, 1, slot);
}

/// The steps of the frame the call at step `call` opens run function `fid` instead (a
/// function with the same code, so every image lookup holds).
fn relabel(t: &mut Tables, call: usize, fid: u32) {
    let frame = t.etable[call].eid;
    for r in t.etable.iter_mut().filter(|r| r.frame == frame) {
        r.fid = fid;
    }
    let j = t.jtable.iter_mut().find(|j| j.frame == frame).unwrap();
    j.callee = fid;
}

/// A forged circuit: cells overwritten after the honest assignment, and the lookup terms
/// patched to match.
#[derive(Default)]
struct Forgery {
    /// `(step, name, value)`: the common cells "sub", "fid", "sp", "room", slot 0's "used"
    /// and "prev", else a cell of the `Call` class.
    cells: Vec<(usize, &'static str, Fr)>,
    /// `(entry, value)`: MTable entries' `accessed` cells.
    accessed: Vec<(usize, u64)>,
    patches: Vec<Patch>,
}

/// The circuit of `t` forged by `f`, and its size.
fn forged(t: &Tables, f: &Forgery) -> (u32, VmCircuit) {
    let k = k_for(t);
    let cfg = etable_config(t);
    let common = cfg.common();
    let slot = cfg.slot(0);
    let mut c = VmCircuit::new(k, t.clone());
    for &(i, name, v) in &f.cells {
        let (column, rot) = match name {
            "sub" => (common.sub.column, common.sub.rot),
            "fid" => (common.fid.column, common.fid.rot),
            "sp" => (common.sp.column, common.sp.rot),
            "room" => (common.room.column, common.room.rot),
            "used" => (slot.group.used, slot.rot),
            "prev" => (slot.group.prev, slot.rot),
            _ => {
                let cell = cfg.class_cell(Class::Call, name).expect("a call cell");
                (cell.column, cell.rot)
            }
        };
        c.etable_overrides.set(column, i * ROWS + rot as usize, v);
    }
    let vm = config(t);
    let accessed = vm.mtable_cells().accessed;
    for &(e, v) in &f.accessed {
        let row = e * zkwasm_circuits::mtable::ROWS + accessed.rot as usize;
        c.mtable_overrides.set(accessed.column, row, Fr::from(v));
    }
    apply(t, k, &mut c, &f.patches);
    (k, c)
}

/// What fails in the circuit of `t` forged by `f`.
fn attack(t: &Tables, f: &Forgery) -> BTreeSet<String> {
    let (k, c) = forged(t, f);
    failures(k, &c, c.instances())
}

/// The steps at which `gate` fails in the circuit of `t` forged by `f`.
fn failing(t: &Tables, f: &Forgery, gate: &str) -> BTreeSet<usize> {
    let (k, c) = forged(t, f);
    let rows = failing_rows(k, &c, c.instances(), gate);
    rows.into_iter().map(|r| r / ROWS).collect()
}

/// Cells of step `i` only.
fn cells(i: usize, cells: &[(&'static str, Fr)]) -> Forgery {
    Forgery {
        cells: cells.iter().map(|&(name, v)| (i, name, v)).collect(),
        ..Default::default()
    }
}

fn fr(v: &[u64]) -> Vec<Fr> {
    v.iter().map(|&v| Fr::from(v)).collect()
}

/// The element tuple of a `call_indirect` of type `ty` through `slot` to `callee`.
fn element(slot: Fr, callee: Fr, ty: u64) -> Vec<Fr> {
    [slot, callee]
        .into_iter()
        .chain(fr(&[ELEMENT, ty, 0, 0, 0]))
        .collect()
}

/// [`element`] of type 0 (`$ta`), on integers.
fn element0(slot: u64, callee: u32) -> Vec<Fr> {
    element(Fr::from(slot), Fr::from(callee as u64), 0)
}

/// A patch of step `i`'s element term.
fn element_patch(i: usize, old: (i64, Vec<Fr>), new: (i64, Vec<Fr>)) -> Patch {
    Patch {
        lookup: *ELEMENTS,
        row: i * ROWS,
        old,
        new,
    }
}

/// The image tuple of step `i` with `fid` and `sub` in place of its own.
fn image(t: &Tables, i: usize, fid: u32, sub: u8) -> Vec<Fr> {
    let (r, o) = (&t.etable[i], t.step_opcode(i).unwrap());
    let (class, a, b) = (o.class as u64, o.a as u64, o.b as u64);
    fr(&[fid as u64, r.iid as u64, class, sub as u64, a, b, o.c])
}

/// A patch of step `i`'s image term: `fid` and `sub` in place of its own.
fn image_patch(t: &Tables, i: usize, fid: u32, sub: u8) -> Patch {
    let o = t.step_opcode(i).unwrap();
    Patch {
        lookup: *IMAGE,
        row: i * ROWS,
        old: (1, image(t, i, t.etable[i].fid, o.sub)),
        new: (1, image(t, i, fid, sub)),
    }
}

/// The bytes of `v` as the callee limbs.
fn callee(v: u32) -> Vec<(&'static str, Fr)> {
    ["callee0", "callee1", "callee2", "callee3"]
        .into_iter()
        .zip(v.to_le_bytes().map(|b| Fr::from(b as u64)))
        .collect()
}

/// The steps of the frame the call at step `call` opens.
fn frame(t: &Tables, call: usize) -> Vec<usize> {
    let eid = t.etable[call].eid;
    (0..t.etable.len())
        .filter(|&i| t.etable[i].frame == eid)
        .collect()
}

#[test]
fn the_honest_runs_are_accepted() {
    for (slot, output) in [(0, 42), (1, 441), (2, 7)] {
        let (t, _) = program(slot);
        assert_eq!(t.instances, [slot, output, 10, 6]);
        assert_eq!(VmCircuit::first_unprovable(&t), None);
        assert_eq!(run(t), BTreeSet::new());
    }
    // Slot 3 holds a function of another type, 4 is empty, 5 is past the table.
    for slot in [3, 4, 5] {
        assert!(traps(slot), "slot {slot}");
    }
    // The harness: the element term patched to the tuple the cells hold already changes
    // nothing; to another, the element lookup's own gate objects (the helper is that
    // lookup's), and the sum (that row's copies).
    let (t, s) = program(2);
    let honest = (1, element0(2, SEVEN));
    let patch = |new| Forgery {
        patches: vec![element_patch(s.call, honest.clone(), new)],
        ..Default::default()
    };
    assert_eq!(attack(&t, &patch(honest.clone())), BTreeSet::new());
    let f = patch((1, element0(0, DOUBLE)));
    assert_eq!(attack(&t, &f), set(&["gate: element lookup", SUM]));
}

#[test]
fn another_function_of_the_slots_signature_is_rejected() {
    // The run calls slot 1 (`$square`: 441) and claims public input 0 (`$double`'s slot):
    // the false statement "input 0 outputs 441", every memory value consistent. The element
    // lookup asks for (0, `$square`), which the image lacks.
    let (mut t, s) = program(1);
    claim_input(&mut t, s, 0, 0);
    assert_eq!(t.instances, [0, 441, 10, 6]);
    assert_eq!(t.etable[s.call + 1].fid, SQUARE);
    assert_eq!(run(t), set(&[SUM]));
}

#[test]
fn a_function_in_no_slot_is_rejected() {
    // Slot 0's call running `$twice` (`$double`'s code, in no slot).
    let (mut t, s) = program(0);
    relabel(&mut t, s.call, TWICE);
    assert_eq!(run(t), set(&[SUM]));
}

#[test]
fn a_next_fid_other_than_the_callee_is_rejected() {
    // The frame of the `call_indirect` (slot 0, `$double`) and the frame of the direct
    // `call $twice` trade their code (the same instructions): each step's fid is the other
    // function's and its image term the other row's, so every image row is still looked up
    // once and the element lookup (slot 0, `$double`) holds. Only the next state of the two
    // calls objects.
    let (t, s) = program(0);
    let (x, y) = (frame(&t, s.call), frame(&t, s.twice));
    assert_eq!(x.len(), y.len());
    let mut f = Forgery::default();
    for (steps, fid) in [(&x, TWICE), (&y, DOUBLE)] {
        for &i in steps {
            f.cells.push((i, "fid", Fr::from(fid as u64)));
            f.patches
                .push(image_patch(&t, i, fid, t.step_opcode(i).unwrap().sub));
        }
    }
    assert_eq!(attack(&t, &f), set(&[NEXT]));
    assert_eq!(failing(&t, &f, NEXT), BTreeSet::from([s.call, s.twice]));
    // (The patched terms alone: only the image lookup's gate sees the cells' own tuples.)
    f.cells.clear();
    assert_eq!(attack(&t, &f), set(&["gate: image lookup"]));
}

#[test]
fn a_function_of_another_signature_is_rejected() {
    // Slot 2 holds `$seven` (i64 -> i64); its frame relabelled to `$seven_i32` (i32 -> i64,
    // the same code): a callee other than the slot's.
    let (mut t, s) = program(2);
    relabel(&mut t, s.call, SEVEN_I32);
    assert_eq!(run(t.clone()), set(&[SUM]));
    // And public input 3 claimed, `$seven_i32`'s own slot: the slot and the callee agree,
    // only the instruction's type (`$ta`) is not the callee's (`$tb`). The false statement
    // "input 3 outputs 7" (the call traps).
    claim_input(&mut t, s, 3, 3);
    assert_eq!(t.instances, [3, 7, 10, 6]);
    assert_eq!(run(t), set(&[SUM]));
}

#[test]
fn an_empty_slot_or_one_past_the_table_is_rejected() {
    // The run through slot 2 (`$seven`), claiming input 4 (empty) or 5 (past the table).
    for slot in [4, 5] {
        let (mut t, s) = program(2);
        claim_input(&mut t, s, slot, slot);
        assert_eq!(run(t), set(&[SUM]), "slot {slot}");
    }
}

#[test]
fn a_slot_off_by_2_32_is_rejected() {
    // Input 2^32 + 2 wraps to slot 2 (an honest run); the wrap's result claimed 2^32 + 2:
    // the wrap's rule objects, and the element lookup has no such slot.
    let input = (1u64 << 32) + 2;
    let (t, s) = program(input);
    assert_eq!(t.instances, [input, 7, 10, 6]);
    assert_eq!(run(t.clone()), BTreeSet::new());
    let mut f = t;
    claim_input(&mut f, s, input, input);
    assert_eq!(run(f.clone()), set(&[CONV, SUM]));
    assert_eq!(failing_steps(f, CONV), BTreeSet::from([s.wrap]));
}

#[test]
fn callee_limbs_other_than_the_bytes_are_rejected() {
    let (t, s) = program(2);
    // 4 + 256 and -1: they sum to `$seven` (4), but are no bytes.
    let f = cells(
        s.call,
        &[("callee0", Fr::from(4 + 256)), ("callee1", -Fr::ONE)],
    );
    assert_eq!(attack(&t, &f), set(&[SUM]));
    // The top limb 256: the callee 4 + 2^32 (in the element term too): no byte, no element
    // row (SUM either way), and not the next step's fid.
    let off = Fr::from(SEVEN as u64) + Fr::from(1u64 << 32);
    let f = Forgery {
        patches: vec![element_patch(
            s.call,
            (1, element0(2, SEVEN)),
            (1, element(Fr::from(2), off, 0)),
        )],
        ..cells(s.call, &[("callee3", Fr::from(256))])
    };
    assert_eq!(attack(&t, &f), set(&[NEXT, SUM]));
    assert_eq!(failing(&t, &f, NEXT), BTreeSet::from([s.call]));
}

#[test]
fn a_nonzero_callee_on_a_direct_call_is_rejected() {
    let (t, s) = program(2);
    for v in [DOUBLE, 1, 0x0102_0304] {
        let f = attack(&t, &cells(s.direct, &callee(v)));
        assert_eq!(f, set(&[CALL]), "callee {v}");
    }
}

#[test]
fn a_direct_call_claimed_indirect_is_rejected() {
    // `call $double` with `sub` 1 and the callee `$double` (so the next fid holds), its image
    // and element terms patched to the cells: the image has neither row (SUM: no copies can
    // supply them), slot 0 is unused (SLOTS), and `sp` is not decremented (NEXT).
    let (t, s) = program(2);
    let i = s.direct;
    let mut cells = callee(DOUBLE);
    cells.push(("sub", Fr::ONE));
    // (The unused slot's value is 0; the type is the call's `a`, `$double`.)
    let tuple = element(Fr::ZERO, Fr::from(DOUBLE as u64), DOUBLE as u64);
    let f = Forgery {
        patches: vec![
            image_patch(&t, i, t.etable[i].fid, 1),
            element_patch(i, (0, tuple.clone()), (1, tuple)),
        ],
        ..self::cells(i, &cells)
    };
    assert_eq!(attack(&t, &f), set(&[NEXT, SLOTS, SUM]));
    assert_eq!(failing(&t, &f, NEXT), BTreeSet::from([i]));
    assert_eq!(failing(&t, &f, SLOTS), BTreeSet::from([i]));
}

#[test]
fn a_call_indirect_claimed_direct_is_rejected() {
    // `call_indirect` with `sub` 0 and a zero callee (no element lookup, no pop, the next
    // fid its `a`, type 0), its terms patched: the image has no instruction row with `sub` 0
    // there (SUM, whatever the copies; the element row's unused copy adds to it), slot 0 is
    // used (SLOTS), and the next fid and `sp` are the callee's and `sp - 1` (NEXT).
    let (t, s) = program(2);
    let i = s.call;
    let mut cells = callee(0);
    cells.push(("sub", Fr::ZERO));
    let tuple = element0(2, SEVEN);
    let f = Forgery {
        patches: vec![
            image_patch(&t, i, t.etable[i].fid, 0),
            element_patch(i, (1, tuple.clone()), (0, tuple)),
        ],
        ..self::cells(i, &cells)
    };
    assert_eq!(attack(&t, &f), set(&[NEXT, SLOTS, SUM]));
    assert_eq!(failing(&t, &f, NEXT), BTreeSet::from([i]));
    assert_eq!(failing(&t, &f, SLOTS), BTreeSet::from([i]));
}

#[test]
fn the_slot_read_cannot_be_skipped() {
    // The run through slot 0 (`$double`: 42) claiming public input 1: memory holds slot 1
    // (the input, the wrap's result), while the `call_indirect`'s access is claimed unused
    // (`used` 0, and the value and prev an unused slot must have: zero, so slot 0): its
    // access term dropped, the MTable entry supplied once less (`accessed` and its table
    // term), so the access lookup holds, and the element lookup sees (0, `$double`). The
    // false statement "input 1 outputs 42": only the slot rule (`used` is `sub`) objects.
    let (mut t, s) = program(0);
    claim_input(&mut t, s, 1, 1);
    let first = t.etable[s.call - 1].events_end as usize;
    t.events[first].value = 0;
    let e = t.events[first];
    let eid = t.etable[s.call].eid;
    let k = k_for(&t);
    let (entry, m) = t
        .mtable
        .iter()
        .enumerate()
        .find(|(_, m)| (m.loc, m.addr) == (e.loc, e.addr) && m.start < eid && eid <= m.end)
        .unwrap();
    assert_eq!(m.value, 1);
    let prev = zkwasm_circuits::mtable::prev(&t.mtable).nth(entry).unwrap();
    let end = zkwasm_circuits::mtable::end_of(k, m.end);
    let tuple = |v| access_tuple(m.loc, m.addr, m.start, end, v, m.ty, prev);
    // The entry's accesses: the wrap's write and the `call_indirect`'s read.
    let accesses = (0..t.etable.len())
        .flat_map(|j| t.events_of(j).iter().map(move |x| (j, x)))
        .filter(|(j, x)| {
            let eid = t.etable[*j].eid;
            let seen = match x.rw {
                Rw::Write => eid == m.start,
                Rw::Read => m.start < eid && eid <= m.end,
            };
            (x.loc, x.addr) == (m.loc, m.addr) && seen
        })
        .count() as i64;
    assert_eq!(accesses, 2);
    let f = Forgery {
        cells: vec![(s.call, "used", Fr::ZERO), (s.call, "prev", Fr::ZERO)],
        accessed: vec![(entry, accesses as u64 - 1)],
        patches: vec![
            Patch {
                lookup: *ACCESS,
                row: s.call * ROWS,
                old: (1, tuple(0)),
                new: (0, tuple(0)),
            },
            Patch {
                lookup: *ACCESS,
                row: entry * zkwasm_circuits::mtable::ROWS,
                old: (-accesses, tuple(1)),
                new: (1 - accesses, tuple(1)),
            },
        ],
    };
    assert_eq!(t.instances, [1, 42, 10, 6]);
    assert_eq!(attack(&t, &f), set(&[SLOTS]));
    assert_eq!(failing(&t, &f, SLOTS), BTreeSet::from([s.call]));
}

#[test]
fn sp_must_drop_by_the_popped_slot() {
    // The callee's first step at the caller's `sp` (its `room` to match): the call's next
    // state objects (and the callee's step, whose accesses and next state were made for the
    // honest `sp`).
    let (t, s) = program(2);
    let sp = t.etable[s.call].sp as u64;
    let max_sp = Start::of(&t.image.state, k_for(&t)).max_sp as u64;
    let cells = [("sp", Fr::from(sp)), ("room", Fr::from(max_sp - sp))];
    let f = self::cells(s.call + 1, &cells);
    assert_eq!(attack(&t, &f), set(&[NEXT, SLOTS]));
    assert_eq!(failing(&t, &f, NEXT), BTreeSet::from([s.call, s.call + 1]));
    assert_eq!(failing(&t, &f, SLOTS), BTreeSet::from([s.call + 1]));
}

#[test]
fn a_forged_frame_slot_is_rejected() {
    // The JTable entry of the `call_indirect`'s frame forged (the call's frame slot and the
    // return's lookup then agree with it): the call's rule objects, and the return, which
    // goes where the entry says, breaks the next state.
    let (t, s) = program(2);
    let eid = t.etable[s.call].eid;
    let ret = s.call + 2;
    assert!(matches!(t.etable[ret].instr, Instr::Return(_)));
    let forgeries: [fn(&mut JRow); 3] =
        [|j| j.parent = 0, |j| j.ret_fid = DOUBLE, |j| j.ret_iid += 1];
    for (n, forge) in forgeries.into_iter().enumerate() {
        let mut f = t.clone();
        forge(f.jtable.iter_mut().find(|j| j.frame == eid).unwrap());
        assert_eq!(run(f.clone()), set(&[CALL, NEXT]), "forgery {n}");
        assert_eq!(failing_steps(f.clone(), CALL), BTreeSet::from([s.call]));
        assert_eq!(failing_steps(f, NEXT), BTreeSet::from([ret]));
    }
}
