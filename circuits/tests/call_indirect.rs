//! `call_indirect`: calls through every slot of a table of two signatures (arguments in,
//! results out, nested, recursive) are accepted; a callee other than the slot's, a type other
//! than the instruction's and a slot the table does not hold are rejected by the element
//! lookup.

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

const ELEMENT: &str = "gate: element lookup";

/// Slots 0..3 hold `$double`, `$square`, `$add` (another type) and `$fact` (recursive through
/// the table); slot 4 is empty.
const PROGRAM: &str = r#"(module
  (import "env" "wasm_output" (func $out (param i64)))
  (type $unary (func (param i64) (result i64)))
  (type $binary (func (param i64 i64) (result i64)))
  (type $unary_again (func (param i64) (result i64)))
  (table 5 funcref)
  (elem (i32.const 0) $double $square $add $fact)
  (func $double (type $unary) (i64.add (local.get 0) (local.get 0)))
  (func $square (type $unary_again) (i64.mul (local.get 0) (local.get 0)))
  (func $add (type $binary) (i64.add (local.get 0) (local.get 1)))
  (func $fact (type $unary)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 1))
      (else (i64.mul (local.get 0)
        (call_indirect (type $unary) (i64.sub (local.get 0) (i64.const 1)) (i32.const 3))))))
  (func (export "zkmain")
    (call $out (call_indirect (type $unary) (i64.const 21) (i32.const 0)))
    (call $out (call_indirect (type $unary_again) (i64.const 12) (i32.const 1)))
    (call $out (call_indirect (type $binary) (i64.const 40) (i64.const 2) (i32.const 2)))
    (call $out (call_indirect (type $unary) (i64.const 5) (i32.const 3)))))"#;

/// The `call_indirect` steps, in order.
fn indirect_calls(t: &Tables) -> Vec<usize> {
    (0..t.etable.len())
        .filter(|&i| matches!(t.etable[i].instr, Instr::CallIndirect { .. }))
        .collect()
}

#[test]
fn calls_through_every_slot_are_accepted() {
    let t = tables(PROGRAM);
    assert_eq!(t.instances, [42, 144, 42, 120]);
    // Four from zkmain, and `$fact`'s five recursive ones.
    assert_eq!(indirect_calls(&t).len(), 9);
    assert_eq!(VmCircuit::first_unprovable(&t), None);
    assert_eq!(run(t), BTreeSet::new());
}

#[test]
fn the_callee_is_the_slots() {
    let t = tables(PROGRAM);
    let first = indirect_calls(&t)[0];
    // Slot 0 holds `$double` (function 1); claimed `$square` (same signature), `$add` and
    // a function no slot holds.
    for callee in [2u64, 3, 5] {
        let f = forge_cells(&t, Class::Call, first, &[("callee0", Fr::from(callee))]);
        assert!(f.contains(ELEMENT), "callee {callee}: {f:?}");
    }
}

#[test]
fn the_type_and_the_slot_must_be_the_tables() {
    let t = tables(PROGRAM);
    let first = indirect_calls(&t)[0];
    let common = etable_config(&t).common();
    // The instruction's type claimed `$binary` (index 1): neither its image row nor the
    // element's.
    let (k, mut c) = with_class_cells(&t, Class::Call, first, &[]);
    let row = first * ROWS + common.a.rot as usize;
    c.etable_overrides.set(common.a.column, row, Fr::from(1));
    let f = zkwasm_circuits::mock::failures(k, &c, c.instances());
    assert!(f.contains(ELEMENT), "{f:?}");
    // The popped slot claimed 4 (empty) or 5 (past the table), the value read made
    // consistent with the write that pushed it: the constant's own rule objects, and the
    // element lookup has no row for the slot (its sum does not close).
    for slot in [4, 5] {
        let mut forged = t.clone();
        let push = first - 1;
        assert!(matches!(forged.etable[push].instr, Instr::I32Const(0)));
        forge_write(&mut forged, push, 0, slot);
        let f = run(forged);
        assert!(
            f.contains("gate: range sum ends at zero"),
            "slot {slot}: {f:?}"
        );
    }
}

/// The host functions in the table (`wasm_output`, `require`): called through their wrappers
/// (`compile::helpers`), which the table names instead, so the element lookup and the call
/// are a Wasm function's. A failing `require` through the table is the tracer's trap.
#[test]
fn host_functions_in_the_table_are_called_through_wrappers() {
    let program = |arg: i32| {
        format!(
            r#"(module
  (import "env" "wasm_output" (func $out (param i64)))
  (import "env" "require" (func $require (param i32)))
  (type $sink (func (param i64)))
  (type $check (func (param i32)))
  (table 2 funcref)
  (elem (i32.const 0) $out $require)
  (func (export "zkmain")
    (call_indirect (type $sink) (i64.const 7) (i32.const 0))
    (call_indirect (type $check) (i32.const {arg}) (i32.const 1))
    (call_indirect (type $sink) (i64.const 8) (i32.const 0))))"#
        )
    };
    let t = tables(&program(1));
    assert_eq!(t.instances, [7, 8]);
    assert_eq!(indirect_calls(&t).len(), 3);
    assert!(t
        .etable
        .iter()
        .any(|r| matches!(r.instr, Instr::CallHost(_))));
    assert_eq!(VmCircuit::first_unprovable(&t), None);
    assert_eq!(run(t), BTreeSet::new());
    assert!(try_tables(&program(0)).is_none());
}
