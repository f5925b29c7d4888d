//! An adversarial review of the one-row layout (`ETABLE_ROWS = MTABLE_ROWS = JTABLE_ROWS = 1`):
//! four access-slot groups with an access lookup each (only group 0's with the MTable's table
//! side), the MTable's init entries in an input-only image lookup of their own (tag 4, shared
//! with the steps' image lookup and the element lookup), no `q_rows` and no eid-constancy
//! gate, rules reading the next entry at rotation +1 and the previous one at -1.
//!
//! Each attack is a consistent forgery where the harness allows one: the run's tables are
//! edited (the circuit derives every cell and lookup term from them), or cells are overridden
//! after the honest assignment and the range argument's helpers and running sum patched to
//! the tuples the cells then hold (with the MockProver's challenges), so that only the rule
//! under test can object. Each test asserts the exact set of failing constraints.

#[allow(dead_code)]
mod runs;

use ff::Field;
use halo2_proofs::dev::MockProver;
use halo2_proofs::plonk::{Advice, Column, ConstraintSystem};
use runs::patch::{apply, cell, config, Patch};
use runs::*;
use std::collections::BTreeSet;
use zkwasm_circuits::allocator::blocks;
use zkwasm_circuits::etable::ROWS;
use zkwasm_circuits::image::INIT;
use zkwasm_circuits::mock::failures;
use zkwasm_circuits::mtable::access_tuple;
use zkwasm_circuits::range::{common_bound, Range};
use zkwasm_circuits::vm::{tuple_lookup, VmCircuit};
use zkwasm_circuits::Fr;
use zkwasm_tables::Tables;
use zkwasm_tracer::isa::Instr;
use zkwasm_tracer::trace::{Loc, Rw};

const SUM: &str = "gate: range sum ends at zero";
const SLOTS: &str = "gate: etable slots";
const INIT_ENTRIES: &str = "gate: mtable init entries";
const WRITE_COUNTER: &str = "gate: mtable write counter";
const PREV: &str = "gate: mtable previous value";
const ETABLE_TAIL: &str = "gate: etable tail";
const ETABLE_STEP: &str = "gate: etable step";
const ACCESS_SLOT: &str = "gate: access slot";
/// The access lookups of slot groups 0 ..= 3.
const ACCESS_LOOKUPS: [&str; 4] = [
    "access lookup",
    "access lookup (second group)",
    "access lookup (third group)",
    "access lookup (fourth group)",
];

/// A global read into the stack, a heap block read, a call: every table has entries, the
/// MTable has stack, heap and global entries.
const PROGRAM: &str = r#"(module (memory 1)
 (data (i32.const 0) "\05\00\00\00\00\00\00\00")
 (global $g (mut i64) (i64.const 5))
 (func $f (param i64) (result i64) (local.get 0))
 (func (export "zkmain")
   (drop (global.get $g))
   (drop (call $f (i64.const 1)))
   (drop (i64.load (i32.const 0)))))"#;

fn program() -> Tables {
    tables(PROGRAM)
}

/// A lookup's `(index, tag)` by its gate's name.
fn lookup(name: &str) -> (usize, u64) {
    tuple_lookup(name).unwrap_or_else(|| panic!("no lookup {name}"))
}

fn fr(v: &[u64]) -> Vec<Fr> {
    v.iter().map(|&v| Fr::from(v)).collect()
}

/// A forged circuit: cells overwritten after the honest assignment, and lookup terms patched.
#[derive(Default)]
struct Forgery {
    etable: Vec<(Column<Advice>, usize, Fr)>,
    mtable: Vec<(Column<Advice>, usize, Fr)>,
    /// Cells of the range argument's region (and first-phase columns it may overwrite, as the
    /// image's `copies`), set before the patches are added.
    range: Vec<(Column<Advice>, usize, Fr)>,
    patches: Vec<Patch>,
}

fn forged(t: &Tables, f: &Forgery) -> (u32, VmCircuit) {
    let k = k_for(t);
    let mut c = VmCircuit::new(k, t.clone());
    for &(col, row, v) in &f.etable {
        c.etable_overrides.set(col, row, v);
    }
    for &(col, row, v) in &f.mtable {
        c.mtable_overrides.set(col, row, v);
    }
    for &(col, row, v) in &f.range {
        c.range_overrides.set(col, row, v);
    }
    apply(t, k, &mut c, &f.patches);
    (k, c)
}

fn attack(t: &Tables, f: &Forgery) -> BTreeSet<String> {
    let (k, c) = forged(t, f);
    failures(k, &c, c.instances())
}

/// The step running `global.get`, and its events: slot 0 reads the global, slot 1 writes the
/// stack.
fn global_get(t: &Tables) -> usize {
    let i = step(t, |i| matches!(i, Instr::GlobalGet { .. }));
    let ev = t.events_of(i);
    assert_eq!((ev[0].loc, ev[0].rw), (Loc::Global, Rw::Read));
    assert_eq!((ev[1].loc, ev[1].rw), (Loc::Stack, Rw::Write));
    i
}

/// The MTable row of global 0's init entry.
fn global_init(t: &Tables) -> usize {
    t.mtable
        .iter()
        .position(|m| m.loc == Loc::Global && m.addr == 0 && m.init)
        .expect("the global's init entry")
}

/// The init entry `e`'s image tuple `(type, lo, INIT, hi, value, is_i32, mutable)`, with
/// `value` in place of its own (a global: `[lo, hi) = [addr, addr + 1)`).
fn init_tuple(t: &Tables, e: usize, value: u64) -> Vec<Fr> {
    let m = &t.mtable[e];
    let i32 = (m.ty == zkwasm_tracer::ValTy::I32) as u64;
    let (lo, hi) = (m.addr as u64, m.addr as u64 + 1);
    fr(&[m.loc as u64, lo, INIT, hi, value, i32, m.mutable as u64])
}

/// The image row holding global `g`'s initial value: the instructions (no `br_table` here),
/// the initial memory, then the globals.
fn global_image_row(t: &Tables, g: usize) -> usize {
    assert!(t.image.br_table.is_empty());
    t.image.instructions.len() + t.image.memory.len() + g
}

/// The image's `copies` column: the VM's first advice column (`ImageColumns::configure` runs
/// first), checked against the honest counts by the callers.
fn copies_column() -> Column<Advice> {
    let mut meta = ConstraintSystem::<Fr>::default();
    meta.advice_column()
}

/// The MTable's entry tuple as the access lookup compares it.
fn mtable_tuple(t: &Tables, k: u32, e: usize, value: u64, prev: u64) -> Vec<Fr> {
    let m = &t.mtable[e];
    let end = zkwasm_circuits::mtable::end_of(k, m.end);
    access_tuple(m.loc, m.addr, m.start, end, value, m.ty, prev)
}

// ---------------------------------------------------------------------------------------

#[test]
fn the_honest_run_is_accepted() {
    let t = program();
    assert_eq!(VmCircuit::first_unprovable(&t), None);
    assert_eq!(run(t.clone()), BTreeSet::new());
    // The harness: patches that leave every term as it is change nothing.
    let e = global_init(&t);
    let same = init_tuple(&t, e, 5);
    let f = Forgery {
        patches: vec![Patch {
            lookup: lookup("image lookup (init entries)"),
            row: e * zkwasm_circuits::mtable::ROWS,
            old: (1, same.clone()),
            new: (1, same),
        }],
        ..Default::default()
    };
    assert_eq!(attack(&t, &f), BTreeSet::new());
}

/// The global's initial value forged (5 -> 6) in the MTable, and every read of it (the
/// `global.get`'s read and the stack write it makes, and what reads that): the tables are
/// consistent but for the init entry's image lookup, whose tuple the image does not hold.
#[test]
fn a_forged_init_value_is_rejected_by_the_sum() {
    assert_eq!(run(forged_init_tables()), set(&[SUM]));
}

/// [`PROGRAM`]'s tables with the global's initial value 6 (the image's is 5).
fn forged_init_tables() -> Tables {
    let mut t = program();
    let e = global_init(&t);
    assert_eq!(t.mtable[e].value, 5);
    t.mtable[e].value = 6;
    let i = global_get(&t);
    let start = if i == 0 {
        0
    } else {
        t.etable[i - 1].events_end as usize
    };
    t.events[start].value = 6;
    forge_write(&mut t, i, 1, 6);
    t
}

/// The same forgery, balanced through the other lookups of tag 4 (one multiset, one table):
/// the init entry's term patched back to the honest tuple (so the image's row is consumed as
/// before) leaves only the init lookup's own helper gate; the forged tuple's term kept and
/// cancelled by a negative term of the same tuple on the element lookup's or the steps' image
/// lookup's helper (on the `global.get`'s row) breaks that helper's gate instead.
#[test]
fn a_forged_init_value_cannot_be_balanced_by_another_lookup_of_its_tag() {
    let t = forged_init_tables();
    let e = global_init(&t);
    let row = e * zkwasm_circuits::mtable::ROWS;
    let (honest, forged) = (init_tuple(&t, e, 5), init_tuple(&t, e, 6));
    // (a) The init term at the honest tuple (and the image row it consumes supplied, as the
    // honest copies say: `copies` overridden to 1).
    let r = global_image_row(&t, 0);
    let f = Forgery {
        range: vec![(copies_column(), r, Fr::ONE)],
        patches: vec![
            Patch {
                lookup: lookup("image lookup (init entries)"),
                row,
                old: (1, forged.clone()),
                new: (1, honest.clone()),
            },
            Patch {
                lookup: lookup("image lookup"),
                row: r,
                old: (0, honest.clone()),
                new: (-1, honest),
            },
        ],
        ..Default::default()
    };
    assert_eq!(attack(&t, &f), set(&["gate: image lookup (init entries)"]));
    // (b) The forged term cancelled on another helper of tag 4.
    let i = global_get(&t);
    for other in ["element lookup", "image lookup"] {
        let f = Forgery {
            patches: vec![Patch {
                lookup: lookup(other),
                row: i * ROWS,
                old: (0, forged.clone()),
                new: (-1, forged.clone()),
            }],
            ..Default::default()
        };
        let want = format!("gate: {other}");
        assert_eq!(attack(&t, &f), set(&[&want]), "{other}");
    }
}

/// An init entry whose image lookup is skipped (`init` 0), its term removed from the init
/// lookup's helper and the image's row supplied once less (`copies` and the image lookup's
/// table term): the init rule names it, and the entry now counts as a write.
#[test]
fn an_init_entry_cannot_skip_its_image_lookup() {
    let t = program();
    let e = global_init(&t);
    let k = k_for(&t);
    let x = config(&t).mtable_cells();
    let row = e * zkwasm_circuits::mtable::ROWS;
    let r = global_image_row(&t, 0);
    let copies = copies_column();
    {
        let c = VmCircuit::new(k, t.clone());
        let p = MockProver::run(k, &c, c.instances()).unwrap();
        assert_eq!(cell(&p, copies, r), Fr::ONE, "the image row's copies");
    }
    let tuple = init_tuple(&t, e, 5);
    let f = Forgery {
        mtable: vec![(x.init.column, row, Fr::ZERO)],
        range: vec![(copies, r, Fr::ZERO)],
        patches: vec![
            Patch {
                lookup: lookup("image lookup (init entries)"),
                row,
                old: (1, tuple.clone()),
                new: (0, tuple.clone()),
            },
            Patch {
                lookup: lookup("image lookup"),
                row: r,
                old: (-1, tuple.clone()),
                new: (0, tuple),
            },
        ],
        ..Default::default()
    };
    assert_eq!(attack(&t, &f), set(&[INIT_ENTRIES, WRITE_COUNTER]));
}

/// An access moved from its slot group to another (the `global.get`'s read from group 0 to
/// group 2, the lookups patched: the groups' lookups share one tag and one table, so the sum
/// holds): the slot rule pins each group to its class's access, and the class reads its
/// value from its own group.
#[test]
fn an_access_cannot_move_to_another_slot_group() {
    let t = program();
    let k = k_for(&t);
    let i = global_get(&t);
    let cfg = etable_config(&t);
    let (g0, g2) = (cfg.slot(0).group, cfg.slot(2).group);
    let e = global_init(&t);
    let tuple = mtable_tuple(&t, k, e, 5, 0);
    let ev = t.events_of(i)[0];
    let row = i * ROWS;
    let mut f = Forgery::default();
    let end = Fr::from(zkwasm_circuits::mtable::end_of(k, t.mtable[e].end));
    let eid = t.etable[i].eid as u64;
    let fields = |g: zkwasm_circuits::etable::access::Group| {
        [
            (g.used, Fr::ONE),
            (g.is_write, Fr::ZERO),
            (g.is_i32, Fr::ZERO),
            (g.loc, Fr::from(ev.loc as u64)),
            (g.addr, Fr::from(ev.addr as u64)),
            (g.start, Fr::ZERO),
            (g.end, end),
            (g.value, Fr::from(5)),
            (g.prev, Fr::ZERO),
            (g.d_start, Fr::from(eid - 1)),
            (g.d_end, end - Fr::from(eid)),
        ]
    };
    for ((c0, _), (c2, v)) in fields(g0).into_iter().zip(fields(g2)) {
        f.etable.push((c0, row, Fr::ZERO));
        f.etable.push((c2, row, v));
    }
    f.patches = vec![
        Patch {
            lookup: lookup("access lookup"),
            row,
            old: (1, tuple.clone()),
            new: (0, tuple.clone()),
        },
        Patch {
            lookup: lookup("access lookup (third group)"),
            row,
            old: (0, tuple.clone()),
            new: (1, tuple),
        },
    ];
    // (The range argument counts d_start, d_end as the witness has them: moved cells keep
    // the multiset of range values, but the range witness is derived from the overrides.)
    // The class reads the read's value from group 0 (the copy to the stack).
    assert_eq!(attack(&t, &f), set(&[SLOTS, "gate: op global.get"]));
}

/// A location's first MTable entry (past row 0) claiming a previous value: the rule reads the
/// row above (rotation -1, now one entry up) only where its `same` says it is the same
/// location, and `prev` must be 0 otherwise. The access tuples (the MTable's side and every
/// slot that accesses the entry) patched to the forged `prev`, so only the rule objects.
/// (On row 0 the same forgery also fails the rule, but MockProver panics formatting the
/// failure: the rule's wrapped rotation -1 reads a poisoned row; see the report.)
#[test]
fn a_locations_first_entry_has_no_previous_value() {
    let t = program();
    let k = k_for(&t);
    let x = config(&t).mtable_cells();
    let cfg = etable_config(&t);
    let e = (1..t.mtable.len())
        .find(|&e| {
            let (m, p) = (&t.mtable[e], &t.mtable[e - 1]);
            (m.loc, m.addr) != (p.loc, p.addr) && m.loc == Loc::Stack
        })
        .expect("a stack slot's first entry past row 0");
    let m = t.mtable[e];
    let accesses: Vec<(usize, usize)> = (0..t.etable.len())
        .flat_map(|s| {
            let evs = t.events_of(s);
            let slots: Vec<usize> =
                zkwasm_circuits::etable::slots(t.etable[s].instr, evs.len()).collect();
            let eid = t.etable[s].eid;
            evs.iter()
                .enumerate()
                .filter(|(_, ev)| {
                    (ev.loc, ev.addr) == (m.loc, m.addr)
                        && match ev.rw {
                            Rw::Write => eid == m.start,
                            Rw::Read => eid > m.start && eid <= m.end,
                        }
                })
                .map(|(n, _)| (s, slots[n]))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(!accesses.is_empty());
    let (old, new) = (
        mtable_tuple(&t, k, e, m.value, 0),
        mtable_tuple(&t, k, e, m.value, 7),
    );
    let n = accesses.len() as i64;
    let row = e * zkwasm_circuits::mtable::ROWS;
    let mut f = Forgery {
        mtable: vec![(x.prev.column, row, Fr::from(7))],
        patches: vec![Patch {
            lookup: lookup("access lookup"),
            row,
            old: (-n, old.clone()),
            new: (-n, new.clone()),
        }],
        ..Default::default()
    };
    for &(s, sl) in &accesses {
        let g = cfg.slot(sl).group;
        f.etable.push((g.prev, s * ROWS, Fr::from(7)));
        f.patches.push(Patch {
            lookup: lookup(ACCESS_LOOKUPS[sl]),
            row: s * ROWS,
            old: (1, old.clone()),
            new: (1, new.clone()),
        });
    }
    assert_eq!(attack(&t, &f), set(&[PREV]));
}

/// The tail rows (the row after each table's last entry, which the last entry's rules read
/// at rotation +1) are pinned: a tail claiming a further enabled step fails the tail rule.
#[test]
fn the_tail_rows_are_pinned() {
    let t = program();
    let k = k_for(&t);
    let tail = blocks(k, ROWS);
    let cfg = etable_config(&t);
    let common = cfg.common();
    // A tail enabled: the disabled last entry before it breaks the enabled prefix too.
    let f = Forgery {
        etable: vec![(common.enabled.column, tail, Fr::ONE)],
        ..Default::default()
    };
    assert_eq!(attack(&t, &f), set(&[ETABLE_TAIL, ETABLE_STEP]));
}

/// A range-checked column held by a tuple lookup's helper (`tuple_inputs`: the helpers of the
/// input-only lookups take range inputs as further terms) with an out-of-range cell on a
/// disabled step's row, where no gate reads it: the helper takes `1 / (α - x)` for it and no
/// table value matches, so the sum does not end at zero.
#[test]
fn a_range_input_held_by_a_tuple_helper_is_range_checked() {
    let t = program();
    let k = k_for(&t);
    let vm = config(&t);
    let range = vm.range_columns();
    let cfg = etable_config(&t);
    let held: Vec<(usize, Column<Advice>, Range)> = range
        .tuple_inputs
        .iter()
        .enumerate()
        .flat_map(|(l, cols)| cols.iter().map(move |&(c, r)| (l, c, r)))
        .collect();
    assert!(!held.is_empty(), "tuple helpers hold range inputs");
    // The access groups' eid distances: the input-only access lookups hold some of them.
    let distances: Vec<Column<Advice>> = (0..4)
        .flat_map(|j| {
            let g = cfg.slot(j).group;
            [g.d_start, g.d_end]
        })
        .collect();
    let held_distance = held
        .iter()
        .find(|(_, c, _)| distances.contains(c))
        .expect("a tuple helper holds an eid distance");
    assert_eq!(held_distance.2, Range::Common);
    let row = t.etable.len() + 1; // a disabled step
    for bad in [Fr::from(common_bound(k)), -Fr::ONE, Fr::from(1u64 << 32)] {
        let f = Forgery {
            etable: vec![(held_distance.1, row * ROWS, bad)],
            ..Default::default()
        };
        assert_eq!(attack(&t, &f), set(&[SUM]));
    }
    // On an enabled read, `d_start = eid - start - 1` with a read whose start is at or past
    // its eid: the access slot rule pins the distance, the range its value.
    let i = global_get(&t);
    let g0 = cfg.slot(0).group;
    let f = Forgery {
        etable: vec![(g0.d_start, i * ROWS, -Fr::ONE)],
        ..Default::default()
    };
    assert_eq!(attack(&t, &f), set(&[ACCESS_SLOT, SUM]));
}
