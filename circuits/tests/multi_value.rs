//! Multi-value: branches and returns keeping several values of mixed widths, with values
//! dropped under them, through `return`, `br`, `br_if` (taken and not), `br_table` and a
//! loop's parameters. The compiler moves the kept values with `local.get`/`local.set` pairs
//! before a jump that only drops (`compile::function`), so these runs use no gate of their
//! own: they prove, every jump keeps at most one value, and a moved value forged consistently
//! in memory is rejected by the move's own rule.

#[allow(dead_code)] // Shared with tests/vm.rs, which uses all of it.
mod runs;

use runs::*;
use std::collections::BTreeSet;
use zkwasm_circuits::etable::ROWS;
use zkwasm_circuits::vm::VmCircuit;
use zkwasm_tables::Tables;
use zkwasm_tracer::isa::Instr;

const PROGRAM: &str = r#"(module
  (import "env" "wasm_output" (func $out (param i64)))
  ;; `return` with three operands and two locals under the three results.
  (func $three (param $x i64) (result i32 i64 i32) (local $t i32)
    (local.set $t (i32.wrap_i64 (local.get $x)))
    i32.const 99
    i64.const 98
    local.get $t
    local.get $x
    i32.const 7
    return)
  ;; A block's two results: `br_if` keeps them (taken or not) over a value it drops; the
  ;; function's end keeps them over its parameter.
  (func $pair (param $c i32) (result i64 i64)
    (block (result i64 i64)
      i64.const 1
      i64.const 10
      i64.const 20
      (br_if 0 (local.get $c))
      drop drop drop
      i64.const 30
      i64.const 45))
  ;; `br_table` to three blocks of two results over a value it drops.
  (func $pick (param $i i32) (result i32 i32)
    (block $b2 (result i32 i32)
      (block $b1 (result i32 i32)
        (block $b0 (result i32 i32)
          i32.const 5
          i32.const 1
          i32.const 2
          local.get $i
          br_table $b0 $b1 $b2)
        i32.const 100
        i32.add
        br $b2)
      i32.const 10
      i32.mul))
  ;; A loop's two parameters: the back edge drops a value under them.
  (func $fib (param $n i32) (result i64 i64) (local $a i64) (local $b i64)
    i64.const 0
    i64.const 1
    (loop $l (param i64 i64) (result i64 i64)
      local.set $b
      local.set $a
      i64.const 77
      local.get $b
      (i64.add (local.get $a) (local.get $b))
      (local.tee $n (i32.sub (local.get $n) (i32.const 1)))
      br_if $l
      return))
  (func (export "zkmain") (result i32 i64)
    (local $p i32) (local $q i64) (local $r i32)
    (call $three (i64.const 0x1_0000_002a))
    local.set $r
    local.set $q
    local.set $p
    (call $out (i64.extend_i32_u (local.get $p)))
    (call $out (local.get $q))
    (call $out (i64.extend_i32_u (local.get $r)))
    (call $pair (i32.const 1))
    (call $out (i64.sub))
    (call $pair (i32.const 0))
    (call $out (i64.sub))
    (call $pick (i32.const 0))
    (call $out (i64.extend_i32_u (i32.sub)))
    (call $pick (i32.const 1))
    (call $out (i64.extend_i32_u (i32.sub)))
    (call $pick (i32.const 9))
    (call $out (i64.extend_i32_u (i32.sub)))
    (call $fib (i32.const 10))
    (call $out (i64.add))
    ;; The entry's own two results.
    (call $three (i64.const 5))
    drop))"#;

#[test]
fn every_multi_value_jump_proves() {
    let t = tables(PROGRAM);
    let expected: Vec<u64> = vec![
        0x2a,
        0x1_0000_002a,
        7,
        (10i64 - 20) as u64,
        (30i64 - 45) as u64,
        (1i32 - 102) as u32 as u64,
        (1i32 - 20) as u32 as u64,
        1u32.wrapping_sub(2) as u64,
        55 + 89,
    ];
    assert_eq!(t.instances, expected);
    assert!(t.etable.iter().all(|r| match r.instr {
        Instr::Br { dk, .. }
        | Instr::BrIfEqz { dk, .. }
        | Instr::BrIfNez { dk, .. }
        | Instr::Return(dk) => dk.keep <= 1,
        _ => true,
    }));
    assert_eq!(VmCircuit::first_unprovable(&t), None);
    assert_eq!(run(t), BTreeSet::new());
}

/// The `local.set` steps that move a kept value: each right after the `local.get` of it.
fn moves(t: &Tables) -> Vec<usize> {
    (1..t.etable.len())
        .filter(|&i| {
            matches!(t.etable[i].instr, Instr::LocalSet { .. })
                && matches!(t.etable[i - 1].instr, Instr::LocalGet { .. })
                && t.etable[i - 1].fid == t.etable[i].fid
        })
        .collect()
}

#[test]
fn a_moved_value_forged_in_memory_is_rejected() {
    let t = tables(PROGRAM);
    let moved = moves(&t);
    assert!(moved.len() >= 10, "{moved:?}");
    for &i in &moved[..3] {
        let mut forged = t.clone();
        let value = t.events_of(i)[1].value ^ 1;
        forge_write(&mut forged, i, 1, value);
        assert_eq!(
            run(forged.clone()),
            set(&["gate: op local.set"]),
            "step {i}: {}",
            t.etable[i].instr
        );
        // In words (`prove --mock`): the gate and the step's rows.
        let k = k_for(&forged);
        let c = VmCircuit::new(k, forged);
        let report = zkwasm_circuits::mock::report(k, &c, c.instances());
        assert_eq!(
            report[0],
            format!("gate: op local.set at row {}", i * ROWS),
            "{report:?}"
        );
    }
}
