//! `br_table`: each index in range takes its own target, an index past the end (up to
//! 2^32 - 1) takes the default, with and without a kept value and a drop. A target other than
//! the index's, the index claimed otherwise, and the default taken while the index is in range
//! are rejected by the class's rule.

#[allow(dead_code)] // Shared with tests/vm.rs, which uses all of it.
mod runs;

use runs::*;
use std::collections::BTreeSet;
use zkwasm_circuits::etable::ROWS;
use zkwasm_circuits::vm::VmCircuit;
use zkwasm_circuits::Fr;
use zkwasm_tables::encode::Class;
use zkwasm_tables::Tables;
use zkwasm_tracer::isa::Instr;

const BR_TABLE: &str = "gate: op br_table";

/// `$pick` returns 10 + the target a `br_table` of four (the last the default) takes;
/// `$keep` keeps an i64 through a `br_table` that drops a value under it.
const PROGRAM: &str = r#"(module
  (import "env" "wasm_output" (func $out (param i64)))
  (func $pick (param $i i32) (result i32)
    (block $default
      (block $two
        (block $one
          (block $zero
            (br_table $zero $one $two $default (local.get $i)))
          (return (i32.const 10)))
        (return (i32.const 11)))
      (return (i32.const 12)))
    (i32.const 13))
  (func $keep (param $i i32) (result i64)
    (block $x (result i64)
      (block $y (result i64)
        (i64.const 7)
        (br_table $y $x (i64.const 5) (local.get $i)))
      (i64.const 100)
      (i64.add)))
  (func (export "zkmain")
    (call $out (i64.extend_i32_u (call $pick (i32.const 0))))
    (call $out (i64.extend_i32_u (call $pick (i32.const 1))))
    (call $out (i64.extend_i32_u (call $pick (i32.const 2))))
    (call $out (i64.extend_i32_u (call $pick (i32.const 3))))
    (call $out (i64.extend_i32_u (call $pick (i32.const 4))))
    (call $out (i64.extend_i32_u (call $pick (i32.const -1))))
    (call $out (call $keep (i32.const 0)))
    (call $out (call $keep (i32.const 1)))
    (call $out (call $keep (i32.const 9)))))"#;

/// The `br_table` steps of `$pick` (function 1), in order.
fn picks(t: &Tables) -> Vec<usize> {
    (0..t.etable.len())
        .filter(|&i| t.etable[i].fid == 1 && matches!(t.etable[i].instr, Instr::BrTable { .. }))
        .collect()
}

#[test]
fn every_target_and_the_default_are_accepted() {
    let t = tables(PROGRAM);
    assert_eq!(t.instances, [10, 11, 12, 13, 13, 13, 105, 5, 5]);
    assert_eq!(picks(&t).len(), 6);
    assert_eq!(VmCircuit::first_unprovable(&t), None);
    assert_eq!(run(t), BTreeSet::new());
}

/// The circuit of `t` with common cell overrides at step `i`, and what fails.
fn forge_common(t: &Tables, i: usize, cells: &[(&str, u64)]) -> BTreeSet<String> {
    let (k, mut c) = with_class_cells(t, Class::BrTable, i, &[]);
    let common = etable_config(t).common();
    for &(name, v) in cells {
        let cell = match name {
            "sub" => common.sub,
            "a" => common.a,
            "c" => common.c,
            _ => unreachable!("{name}"),
        };
        c.etable_overrides
            .set(cell.column, i * ROWS + cell.rot as usize, Fr::from(v));
    }
    zkwasm_circuits::mock::failures(k, &c, c.instances())
}

#[test]
fn the_index_picks_the_target() {
    let t = tables(PROGRAM);
    let steps = picks(&t);
    // Index 1 claimed to be target 2's (its `j`): the rule ties `j` to the popped index, and
    // `c` to `j` (above the keep fields).
    let f = forge_cells(&t, Class::BrTable, steps[1], &[("index", Fr::from(2))]);
    assert!(f.contains(BR_TABLE), "{f:?}");
    // Index 1 taking target 2's row, consistently in `c` and `j` (the destination too): the
    // popped index is not 2.
    let (k, mut c) = with_class_cells(&t, Class::BrTable, steps[1], &[("index", Fr::from(2))]);
    let common = etable_config(&t).common();
    let row = steps[1] * ROWS + common.c.rot as usize;
    c.etable_overrides
        .set(common.c.column, row, Fr::from(2u64 << 32));
    let f = zkwasm_circuits::mock::failures(k, &c, c.instances());
    assert!(f.contains(BR_TABLE), "{f:?}");
}

#[test]
fn the_default_is_taken_only_past_the_end() {
    let t = tables(PROGRAM);
    let steps = picks(&t);
    // Index 1 (in range) claiming the default (`sub` 1, `j` = 3): `x - j` is negative, no u32.
    let default = [("sub", 1), ("c", 3u64 << 32)];
    let f = forge_common(&t, steps[1], &default);
    assert!(f.contains(BR_TABLE), "{f:?}");
    // With the difference's limbs set to what wraps around mod 2^32.
    let past = (1u32.wrapping_sub(3)).to_le_bytes();
    let limbs: Vec<(&str, Fr)> = ["past0", "past1", "past2", "past3"]
        .into_iter()
        .zip(past.map(|b| Fr::from(b as u64)))
        .chain([("index", Fr::from(3))])
        .collect();
    let (k, mut c) = with_class_cells(&t, Class::BrTable, steps[1], &limbs);
    let common = etable_config(&t).common();
    for (cell, v) in [(common.sub, 1u64), (common.c, 3 << 32)] {
        let row = steps[1] * ROWS + cell.rot as usize;
        c.etable_overrides.set(cell.column, row, Fr::from(v));
    }
    let f = zkwasm_circuits::mock::failures(k, &c, c.instances());
    assert!(f.contains(BR_TABLE), "{f:?}");
    // Index 4 (past the end) claiming target 0 (`sub` 0): `x = j` fails.
    let f = forge_common(&t, steps[4], &[("sub", 0), ("c", 0), ("a", 0)]);
    assert!(f.contains(BR_TABLE), "{f:?}");
}
