//! An adversarial review of `br_table` (`etable/op_br.rs`, class `BrTable`, and the drop/keep
//! of `etable/keep.rs`): a step looks up the image row of the target it takes
//! (`encode::br_target`: `sub` 1 for the default, `a` the destination, `b` the drop, `c` the
//! keep fields with the index `j` from bit 32 on), and the rule ties `j` to the popped index
//! `x` (`x = j`, or `x - j` in four byte limbs `past0..3` for the default).
//!
//! Each attack is a consistent forgery where the harness allows one: a step taking another
//! target's row has every cell of that row (opcode cells, `index`, `past`, keep cells), and
//! the image lookup's helper and the running sum are patched to the tuple its cells now hold
//! ([`Forgery::takes`]; the steps of one `br_table` trade rows, so every image row is still
//! looked up as often as the image's `copies` say); a forged kept value is forged in the
//! MTable too ([`forge_write`]), up to the public output it becomes. Each test asserts the
//! exact set of failing constraints, and for the rule which steps break it.
//!
//! Attacked: another index's target (same destination, and elsewhere); the default while the
//! index is in range (with `past` the wrap-around mod 2^32, or one limb holding `x - j` mod
//! p); a non-default target past the end, for 7 and 2^32 - 1, with `j` claimed equal to `x`;
//! `j` off by 2^32 (a field element, so "off by p" is the same cell and no forgery); a popped
//! i32 of 2^32 + 1; `past` limbs that are no bytes but sum right, off by one, off by 2^32, or
//! nonzero off the default; a kept value changed (also as a false public output), a kept i64
//! claimed i32, the kept value not moved, no value kept (with `j` compensating in the field),
//! another target's drop. None is accepted: the rule rejects every false index/target pair,
//! the range argument every non-byte limb, the writer of the popped value an i32 at or above
//! 2^32 (the rule itself relies on that bound), and the shared next-state and slot rules a
//! destination, drop or keep other than the row's.

#[allow(dead_code)] // Shared with tests/vm.rs, which uses all of it.
mod runs;

use ff::Field;
use halo2_proofs::dev::MockProver;
use runs::patch::{challenges, compress, config, Terms};
use runs::*;
use std::collections::BTreeSet;
use std::sync::LazyLock;
use zkwasm_circuits::etable::{ETableConfig, ROWS};
use zkwasm_circuits::mock::{failing_rows, failures};
use zkwasm_circuits::vm::{tuple_lookup, VmCircuit};
use zkwasm_circuits::Fr;
use zkwasm_tables::encode::{dk_of, Class, Opcode};
use zkwasm_tables::Tables;
use zkwasm_tracer::isa::Instr;

const BR_TABLE: &str = "gate: op br_table";
const NEXT: &str = "gate: etable next state";
const SLOTS: &str = "gate: etable slots";
const CONST: &str = "gate: op const";
const IMAGE_GATE: &str = "gate: image lookup";
const SUM: &str = "gate: range sum ends at zero";

/// The image lookup among the range argument's tuple lookups (`vm::tuple_lookup`) and
/// its tag (`vm::Lookup::tag`).
static IMAGE: LazyLock<(usize, u64)> =
    LazyLock::new(|| tuple_lookup("image lookup").expect("a lookup of the VM"));

/// `$pick`'s `br_table` has four targets: 0 and 1 go to `$a` (10), 2 to `$b` (11), the
/// default (3) to `$a` again, so an index may take another index's row, or the default's,
/// without changing where the jump lands. Called with 0, 1, 2, 3, 7 and 2^32 - 1.
const PICK: &str = r#"(module
  (import "env" "wasm_output" (func $out (param i64)))
  (func $pick (param $i i32) (result i32)
    (block $b
      (block $a
        (br_table $a $a $b $a (local.get $i)))
      (return (i32.const 10)))
    (i32.const 11))
  (func (export "zkmain")
    (call $out (i64.extend_i32_u (call $pick (i32.const 0))))
    (call $out (i64.extend_i32_u (call $pick (i32.const 1))))
    (call $out (i64.extend_i32_u (call $pick (i32.const 2))))
    (call $out (i64.extend_i32_u (call $pick (i32.const 3))))
    (call $out (i64.extend_i32_u (call $pick (i32.const 7))))
    (call $out (i64.extend_i32_u (call $pick (i32.const -1))))))"#;

/// `$keep`'s `br_table` keeps the i64 5: to `$y` (drop 1; the value is dropped after) for
/// index 0 and the default, to `$x` (drop 2; the value is returned and output) for index 1.
/// Called with 0, 1 and 9.
const KEEP: &str = r#"(module
  (import "env" "wasm_output" (func $out (param i64)))
  (func $keep (param $i i32) (result i64)
    (block $x (result i64)
      (i64.const 1)
      (block $y (result i64)
        (i64.const 7)
        (br_table $y $x $y (i64.const 5) (local.get $i)))
      (drop)
      (drop)
      (i64.const 100)))
  (func (export "zkmain")
    (call $out (call $keep (i32.const 0)))
    (call $out (call $keep (i32.const 1)))
    (call $out (call $keep (i32.const 9)))))"#;

/// The `br_table` steps, in order.
fn br_steps(t: &Tables) -> Vec<usize> {
    (0..t.etable.len())
        .filter(|&i| matches!(t.etable[i].instr, Instr::BrTable { .. }))
        .collect()
}

/// The index step `i` pops.
fn popped(t: &Tables, i: usize) -> u64 {
    t.events_of(i)[0].value
}

/// A forged run: steps taking other steps' target rows, then cells overwritten.
#[derive(Default)]
struct Forgery {
    /// `(step, from)`: `step` takes the target row the honest step `from` takes (of the same
    /// `br_table`), with every cell that row implies ([`row_cells`]); the image lookup's
    /// helper and the running sum are patched to match. The pairs are a permutation, so every
    /// image row is looked up as often as before.
    takes: Vec<(usize, usize)>,
    /// `(step, name, value)`, after `takes`: `sub`, `a`, `b`, `c` name common cells, other
    /// names the class's cells.
    cells: Vec<(usize, &'static str, Fr)>,
    /// Patch the lookup terms of `takes` but leave the cells honest (a check of the harness).
    terms_only: bool,
}

/// The cells of step `i` (popping `x`) taking the target row `o`: the opcode cells, `j`, the
/// keep cells (as `Keep::assign` sets them) and `past` (`x - j` mod 2^32 for the default, the
/// best a prover can do in four bytes; zero otherwise).
fn row_cells(o: &Opcode, x: u64) -> Vec<(&'static str, Fr)> {
    let dk = dk_of(o.b, o.c);
    let j = o.c >> 32;
    let keep = dk.keep == 1;
    let past = if o.sub == 1 {
        x.wrapping_sub(j) as u32
    } else {
        0
    };
    let mut v = vec![
        ("sub", Fr::from(o.sub as u64)),
        ("a", Fr::from(o.a as u64)),
        ("b", Fr::from(o.b as u64)),
        ("c", Fr::from(o.c)),
        ("index", Fr::from(j)),
        ("keep", Fr::from(keep as u64)),
        ("keep_i64", Fr::from((keep && dk.i64_mask & 1 == 1) as u64)),
        ("moving", Fr::from((keep && dk.drop != 0) as u64)),
    ];
    v.extend(limbs(past as u64));
    v
}

/// `past`'s four limbs holding the bytes of `v`.
fn limbs(v: u64) -> Vec<(&'static str, Fr)> {
    ["past0", "past1", "past2", "past3"]
        .into_iter()
        .zip((v as u32).to_le_bytes().map(|b| Fr::from(b as u64)))
        .collect()
}

/// The image tuple step `i` looks up when it takes the row of step `from`.
fn tuple(t: &Tables, i: usize, from: usize) -> Vec<Fr> {
    let (row, src) = (&t.etable[i], &t.etable[from]);
    assert_eq!((row.fid, row.iid), (src.fid, src.iid), "one br_table");
    let o = t.step_opcode(from).unwrap();
    [
        row.fid as u64,
        row.iid as u64,
        Class::BrTable as u64,
        o.sub as u64,
        o.a as u64,
        o.b as u64,
        o.c,
    ]
    .map(Fr::from)
    .to_vec()
}

fn set_cell(c: &mut VmCircuit, cfg: &ETableConfig, i: usize, name: &str, v: Fr) {
    let common = cfg.common();
    let cell = match name {
        "sub" => common.sub,
        "a" => common.a,
        "b" => common.b,
        "c" => common.c,
        _ => cfg
            .class_cell(Class::BrTable, name)
            .expect("a br_table cell"),
    };
    c.etable_overrides
        .set(cell.column, i * ROWS + cell.rot as usize, v);
}

/// The forged circuit of `t` and its size.
fn forged(t: &Tables, f: &Forgery) -> (u32, VmCircuit) {
    let k = k_for(t);
    let cfg = etable_config(t);
    let mut c = VmCircuit::new(k, t.clone());
    if !f.terms_only {
        for &(i, from) in &f.takes {
            let o = t.step_opcode(from).unwrap();
            for (name, v) in row_cells(&o, popped(t, i)) {
                set_cell(&mut c, &cfg, i, name, v);
            }
        }
    }
    for &(i, name, v) in &f.cells {
        set_cell(&mut c, &cfg, i, name, v);
    }
    let mut from: Vec<usize> = f.takes.iter().map(|&(_, from)| from).collect();
    let mut to: Vec<usize> = f.takes.iter().map(|&(i, _)| i).collect();
    from.sort_unstable();
    to.sort_unstable();
    assert_eq!(from, to, "the steps trade rows");
    if f.takes.is_empty() {
        return (k, c);
    }
    // The image lookup's input on step `i`'s row is now `from`'s tuple, not its own.
    let [alpha, _, theta] = challenges();
    let prover = MockProver::run(k, &c, c.instances()).unwrap();
    let range = config(t).range_columns();
    let h = range.tuple_helpers[IMAGE.0];
    let mut terms = Terms::new(&prover, range.sum, k);
    for &(i, from) in &f.takes {
        let inv = |tuple: Vec<Fr>| (alpha - compress(theta, IMAGE.1, &tuple)).invert().unwrap();
        terms.add(h, i * ROWS, inv(tuple(t, i, from)) - inv(tuple(t, i, i)));
    }
    for ((column, row), v) in terms.values {
        c.range_overrides.set(column, row, v);
    }
    (k, c)
}

/// What fails in the run of `t` forged by `f`.
fn attack(t: &Tables, f: &Forgery) -> BTreeSet<String> {
    let (k, c) = forged(t, f);
    failures(k, &c, c.instances())
}

/// The steps at which `gate` fails in the run of `t` forged by `f`.
fn failing(t: &Tables, f: &Forgery, gate: &str) -> BTreeSet<usize> {
    let (k, c) = forged(t, f);
    failing_rows(k, &c, c.instances(), gate)
        .into_iter()
        .map(|row| row / ROWS)
        .collect()
}

fn steps(s: &[usize]) -> BTreeSet<usize> {
    s.iter().copied().collect()
}

/// Two steps trading their target rows.
fn trade(a: usize, b: usize) -> Forgery {
    Forgery {
        takes: vec![(a, b), (b, a)],
        ..Default::default()
    }
}

/// `PICK`'s tables and its `br_table` steps, by the index they pop.
fn pick() -> (Tables, [usize; 6]) {
    let t = tables(PICK);
    assert_eq!(t.instances, [10, 10, 11, 10, 10, 10]);
    let s: [usize; 6] = br_steps(&t).try_into().unwrap();
    let x: Vec<u64> = s.iter().map(|&i| popped(&t, i)).collect();
    assert_eq!(x, [0, 1, 2, 3, 7, u32::MAX as u64]);
    (t, s)
}

/// `KEEP`'s tables and its `br_table` steps (indexes 0, 1, 9).
fn keep() -> (Tables, [usize; 3]) {
    let t = tables(KEEP);
    assert_eq!(t.instances, [100, 5, 100]);
    let s: [usize; 3] = br_steps(&t).try_into().unwrap();
    let o: Vec<(u8, u32)> = s
        .iter()
        .map(|&i| t.step_opcode(i).unwrap())
        .map(|o| (o.sub, o.b))
        .collect();
    assert_eq!(o, [(0, 1), (0, 2), (1, 1)]);
    (t, s)
}

#[test]
fn the_harness_patches_only_tuples_the_cells_hold() {
    let (t, s) = pick();
    assert_eq!(run(t.clone()), BTreeSet::new());
    // Honest cells, patched terms: the lookup's gate sees the cells' own tuples.
    let f = Forgery {
        terms_only: true,
        ..trade(s[0], s[1])
    };
    assert_eq!(attack(&t, &f), set(&[IMAGE_GATE]));
    // Two default steps trading their (equal) rows, each with its own `past`: the honest run.
    assert_eq!(attack(&t, &trade(s[3], s[4])), BTreeSet::new());
}

#[test]
fn another_indexs_target_is_rejected_by_the_rule() {
    let (t, s) = pick();
    // Indexes 0 and 1 trading rows: the same destination, drop and keep, so only `x = j`
    // objects, on both steps.
    let f = trade(s[0], s[1]);
    assert_eq!(attack(&t, &f), set(&[BR_TABLE]));
    assert_eq!(failing(&t, &f, BR_TABLE), steps(&[s[0], s[1]]));
    // Indexes 1 and 2: the targets land elsewhere, which the next state sees too.
    let f = trade(s[1], s[2]);
    assert_eq!(attack(&t, &f), set(&[BR_TABLE, NEXT]));
    assert_eq!(failing(&t, &f, BR_TABLE), steps(&[s[1], s[2]]));
    assert_eq!(failing(&t, &f, NEXT), steps(&[s[1], s[2]]));
}

#[test]
fn the_default_while_the_index_is_in_range_is_rejected() {
    let (t, s) = pick();
    // Index 1 taking the default (`j` = 3, `past` the wrap-around 2^32 - 2), index 3 taking
    // target 1 (the same destination).
    let f = trade(s[1], s[3]);
    assert_eq!(attack(&t, &f), set(&[BR_TABLE]));
    assert_eq!(failing(&t, &f, BR_TABLE), steps(&[s[1], s[3]]));
    // Index 0 taking the default the same way.
    let f = trade(s[0], s[4]);
    assert_eq!(failing(&t, &f, BR_TABLE), steps(&[s[0], s[4]]));
    // Index 1's `past` as one limb holding `x - j = -2` (mod p): the rule holds there (only
    // index 3, on target 1, breaks it), the range check does not.
    let minus_two = Fr::from(1) - Fr::from(3);
    let f = Forgery {
        cells: vec![(s[1], "past0", minus_two)]
            .into_iter()
            .chain(["past1", "past2", "past3"].map(|n| (s[1], n, Fr::ZERO)))
            .collect(),
        ..trade(s[1], s[3])
    };
    assert_eq!(attack(&t, &f), set(&[BR_TABLE, SUM]));
    assert_eq!(failing(&t, &f, BR_TABLE), steps(&[s[3]]));
}

#[test]
fn a_target_other_than_the_default_past_the_end_is_rejected() {
    let (t, s) = pick();
    // Index 7 taking target 0 (the default's destination), index 0 the default.
    let f = trade(s[4], s[0]);
    assert_eq!(attack(&t, &f), set(&[BR_TABLE]));
    assert_eq!(failing(&t, &f, BR_TABLE), steps(&[s[4], s[0]]));
    // Index 2^32 - 1 (-1) taking target 1, index 1 the default.
    let f = trade(s[5], s[1]);
    assert_eq!(attack(&t, &f), set(&[BR_TABLE]));
    assert_eq!(failing(&t, &f, BR_TABLE), steps(&[s[5], s[1]]));
    // Index 7 on target 0's row with `j` claimed 7 (so `x = j`): `c` is no longer `j`'s.
    let f = Forgery {
        cells: vec![(s[4], "index", Fr::from(7))],
        ..trade(s[4], s[0])
    };
    assert_eq!(failing(&t, &f, BR_TABLE), steps(&[s[4], s[0]]));
    // Index 2^32 - 1 with `j` claimed 2^32 - 1, the wrap-around of -1 ...
    let f = Forgery {
        cells: vec![(s[5], "index", Fr::from(u32::MAX as u64))],
        ..trade(s[5], s[1])
    };
    assert_eq!(failing(&t, &f, BR_TABLE), steps(&[s[5], s[1]]));
    // ... or -1 itself, in the field.
    let f = Forgery {
        cells: vec![(s[5], "index", -Fr::ONE)],
        ..trade(s[5], s[1])
    };
    assert_eq!(failing(&t, &f, BR_TABLE), steps(&[s[5], s[1]]));
}

#[test]
fn an_index_off_by_2_32_is_rejected() {
    let (t, s) = pick();
    // `j` off by 2^32 on index 1's own row (`x = j` then fails, and `c` is not `j`'s).
    let two32 = Fr::from(1u64 << 32);
    let f = Forgery {
        cells: vec![(s[1], "index", Fr::from(1) + two32)],
        ..Default::default()
    };
    assert_eq!(attack(&t, &f), set(&[BR_TABLE]));
    assert_eq!(failing(&t, &f, BR_TABLE), steps(&[s[1]]));
    // The default with `past` off by 2^32 (index 7: 4 + 2^32, its top limb 256).
    let f = Forgery {
        cells: vec![(s[4], "past3", Fr::from(256))],
        ..Default::default()
    };
    assert_eq!(attack(&t, &f), set(&[BR_TABLE, SUM]));
    // The popped i32 itself 2^32 + 1 (the caller's `i32.const 1` and `local.get` forged,
    // memory consistent): the step then takes the default (`x - 3` fits four bytes) and
    // lands where target 1 does, so the rule and the rest hold; only the i32's writer
    // objects. The rule relies on i32 entries below 2^32, which their writers keep.
    let mut f = t.clone();
    let (get, konst) = (s[1] - 1, s[1] - 3);
    assert!(matches!(f.etable[get].instr, Instr::LocalGet { .. }));
    assert_eq!(f.etable[konst].instr, Instr::I32Const(1));
    let v = (1u64 << 32) + 1;
    forge_write(&mut f, konst, 0, v);
    forge_write(&mut f, get, 1, v);
    assert_eq!(f.step_opcode(s[1]).unwrap().sub, 1);
    assert_eq!(run(f.clone()), set(&[CONST]));
    assert_eq!(failing_steps(f, CONST), steps(&[konst]));
}

#[test]
fn past_limbs_other_than_the_bytes_of_x_minus_j_are_rejected() {
    let (t, s) = pick();
    // Index 7 on the default (`x - j = 4`): limbs 260 and -1 sum to 4, but are no bytes.
    let f = Forgery {
        cells: vec![(s[4], "past0", Fr::from(260)), (s[4], "past1", -Fr::ONE)],
        ..Default::default()
    };
    assert_eq!(attack(&t, &f), set(&[SUM]));
    // Off by one.
    let f = Forgery {
        cells: vec![(s[4], "past0", Fr::from(3))],
        ..Default::default()
    };
    assert_eq!(attack(&t, &f), set(&[BR_TABLE]));
    // Nonzero on a target other than the default.
    let f = Forgery {
        cells: vec![(s[1], "past0", Fr::from(1))],
        ..Default::default()
    };
    assert_eq!(attack(&t, &f), set(&[BR_TABLE]));
    assert_eq!(failing(&t, &f, BR_TABLE), steps(&[s[1]]));
}

#[test]
fn a_changed_kept_value_is_rejected() {
    let (t, s) = keep();
    // Index 0: the kept 5 written as 6 (dropped later, so nothing else reads it).
    let mut f = t.clone();
    forge_write(&mut f, s[0], 2, 6);
    assert_eq!(run(f.clone()), set(&[BR_TABLE]));
    assert_eq!(failing_steps(f, BR_TABLE), steps(&[s[0]]));
    // Index 1: the kept 5 written as 6, returned and output: the false public output 6.
    let mut f = t.clone();
    forge_write(&mut f, s[1], 2, 6);
    assert!(matches!(f.etable[s[1] + 1].instr, Instr::Return(_)));
    forge_write(&mut f, s[1] + 1, 1, 6);
    f.instances[1] = 6;
    assert_eq!(run(f.clone()), set(&[BR_TABLE]));
    assert_eq!(failing_steps(f, BR_TABLE), steps(&[s[1]]));
}

#[test]
fn a_forged_keep_is_rejected() {
    let (t, s) = keep();
    let only = |cells: Vec<(usize, &'static str, Fr)>| Forgery {
        cells,
        ..Default::default()
    };
    // The kept i64 claimed i32: `c`'s keep fields, and the slots' widths.
    let f = only(vec![(s[0], "keep_i64", Fr::ZERO)]);
    assert_eq!(attack(&t, &f), set(&[BR_TABLE, SLOTS]));
    assert_eq!(failing(&t, &f, BR_TABLE), steps(&[s[0]]));
    // The kept value not moved (left in place under the dropped value).
    let f = only(vec![(s[0], "moving", Fr::ZERO)]);
    assert_eq!(attack(&t, &f), set(&[BR_TABLE, SLOTS]));
    // No value kept, with `j` compensating for the keep fields in `c` (`c = 2^16 + 1`
    // then needs `j = (2^16 + 1) / 2^32` in the field, which is not 0).
    let j = Fr::from(65537) * Fr::from(1u64 << 32).invert().unwrap();
    let f = only(vec![
        (s[0], "keep", Fr::ZERO),
        (s[0], "keep_i64", Fr::ZERO),
        (s[0], "moving", Fr::ZERO),
        (s[0], "index", j),
    ]);
    assert_eq!(attack(&t, &f), set(&[BR_TABLE, SLOTS]));
    assert_eq!(failing(&t, &f, BR_TABLE), steps(&[s[0]]));
}

#[test]
fn another_targets_drop_is_rejected() {
    let (t, s) = keep();
    // Index 0 (to `$y`, drop 1) and index 1 (to `$x`, drop 2) trading rows: the rule, the
    // kept value's write address (top - drop) and the next iid and sp all object.
    let f = trade(s[0], s[1]);
    assert_eq!(attack(&t, &f), set(&[BR_TABLE, NEXT, SLOTS]));
    assert_eq!(failing(&t, &f, BR_TABLE), steps(&[s[0], s[1]]));
    assert_eq!(failing(&t, &f, NEXT), steps(&[s[0], s[1]]));
    // Index 0 and the default (both to `$y`): the same drop and keep, so only the rule.
    let f = trade(s[0], s[2]);
    assert_eq!(attack(&t, &f), set(&[BR_TABLE]));
    assert_eq!(failing(&t, &f, BR_TABLE), steps(&[s[0], s[2]]));
}
