//! The free cells `etable` documents ("Free cells"): the prover's to choose, read by no rule,
//! so a run still proves with any value in them. These tests pin that argument: if a rule
//! starts reading one, it fails here and the documentation must change with it.

#[allow(dead_code)] // Shared with tests/vm.rs, which uses all of it.
mod runs;

use runs::*;
use std::collections::BTreeSet;
use zkwasm_circuits::etable::ROWS;
use zkwasm_circuits::mock::failures;
use zkwasm_circuits::vm::VmCircuit;
use zkwasm_circuits::Fr;
use zkwasm_tables::encode::Class;
use zkwasm_tracer::isa::{HostFn, Instr};

const PROGRAM: &str = r#"(module
  (import "env" "wasm_output" (func $out (param i64)))
  (import "env" "require" (func $require (param i32)))
  (func (export "zkmain")
    (call $out (i64.const 7))
    (call $require (i32.const 1))))"#;

/// The host class's `public` bit on a `wasm_output` and a `require` step.
#[test]
fn the_public_bit_of_a_host_step_that_reads_no_input_is_free() {
    let t = tables(PROGRAM);
    for host in [HostFn::WasmOutput, HostFn::Require] {
        let i = t
            .etable
            .iter()
            .position(|r| r.instr == Instr::CallHost(host))
            .expect("the program calls it");
        let f = forge_cells(&t, Class::CallHost, i, &[("public", Fr::one())]);
        assert_eq!(f, BTreeSet::new(), "{host:?}");
    }
}

/// A disabled step's opcode and state cells: the block after the run's last step and the
/// one after it.
#[test]
fn a_disabled_steps_opcode_and_state_cells_are_free() {
    let t = tables(PROGRAM);
    let x = etable_config(&t).common();
    let k = k_for(&t);
    let forged = |steps: &[usize]| {
        let mut c = VmCircuit::new(k, t.clone());
        for &i in steps {
            for (j, cell) in [x.fid, x.iid, x.sp, x.pages, x.frame, x.sub, x.a, x.b, x.c]
                .into_iter()
                .enumerate()
            {
                let row = i * ROWS + cell.rot as usize;
                c.etable_overrides
                    .set(cell.column, row, Fr::from(1000 + j as u64));
            }
        }
        failures(k, &c, c.instances())
    };
    let last = t.etable.len() - 1;
    assert_eq!(forged(&[last + 1, last + 2]), BTreeSet::new());
    // The same cells of the halting step are not free.
    assert!(forged(&[last]).contains("gate: image lookup"));
}
