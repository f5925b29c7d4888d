//! Whole runs of the VM circuit for the tests: tables of a WAT program, the circuit size that
//! holds them, MockProver failures, and consistent forgeries of a run's written values.

#[allow(dead_code)] // The attack tests'.
pub mod patch;

use std::collections::BTreeSet;
use zkwasm_circuits::allocator::blocks;
use zkwasm_circuits::etable::ROWS;
use zkwasm_circuits::mock::{failing_rows, failures};
use zkwasm_circuits::vm::VmCircuit;
use zkwasm_tables::{build, check, Tables, MIN_K};
use zkwasm_tracer::isa::Instr;
use zkwasm_tracer::trace::Rw;
use zkwasm_tracer::{execute, load, Inputs, Limits};

pub fn tables(wat: &str) -> Tables {
    try_tables(wat).expect("the program runs")
}

/// The (checked) tables of `wat`'s run, or `None` when the run fails (a trap).
pub fn try_tables(wat: &str) -> Option<Tables> {
    let limits = Limits::default();
    let img = load(wat.as_bytes(), &limits)
        .unwrap()
        .image("zkmain")
        .unwrap();
    let run = execute(&img, &Inputs::default(), &limits).ok()?;
    let t = build(&img, &run.trace, &run.outcome.instances, &limits);
    check(&t).unwrap();
    Some(t)
}

pub fn k_for(t: &Tables) -> u32 {
    let need = t.etable.len().max(t.mtable.len()).max(t.jtable.len()) + 2;
    let bits = t.bit_table.len() + 1;
    (MIN_K..)
        .find(|&k| blocks(k, ROWS) >= need && blocks(k, zkwasm_circuits::bittable::ROWS) >= bits)
        .unwrap()
}

pub fn run(t: Tables) -> BTreeSet<String> {
    let k = k_for(&t);
    let c = VmCircuit::new(k, t);
    failures(k, &c, c.instances())
}

/// The steps at which `gate` fails.
pub fn failing_steps(t: Tables, gate: &str) -> BTreeSet<usize> {
    let k = k_for(&t);
    let c = VmCircuit::new(k, t);
    failing_rows(k, &c, c.instances(), gate)
        .into_iter()
        .map(|row| row / ROWS)
        .collect()
}

/// Runs `wat` with inputs and builds its (checked) tables.
pub fn tables_with(wat: &str, public: Vec<u64>, private: Vec<u64>) -> Tables {
    let limits = Limits::default();
    let img = load(wat.as_bytes(), &limits)
        .unwrap()
        .image("zkmain")
        .unwrap();
    let run = execute(&img, &Inputs { public, private }, &limits).unwrap();
    let t = build(&img, &run.trace, &run.outcome.instances, &limits);
    check(&t).unwrap();
    t
}

pub fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// The ETable row of the first step running `want`.
pub fn step(t: &Tables, want: fn(&Instr) -> bool) -> usize {
    t.etable
        .iter()
        .position(|r| want(&r.instr))
        .expect("the program runs it")
}

/// Changes the value written by event `e` of step `i`, and the MTable entry it created, so
/// that every memory lookup still passes and only the step's own semantics can object.
pub fn forge_write(t: &mut Tables, i: usize, e: usize, value: u64) {
    let start = if i == 0 {
        0
    } else {
        t.etable[i - 1].events_end as usize
    };
    let ev = t.events[start + e];
    assert_eq!(ev.rw, Rw::Write);
    t.events[start + e].value = value;
    let eid = t.etable[i].eid;
    let m = t
        .mtable
        .iter_mut()
        .find(|m| (m.loc, m.addr, m.start) == (ev.loc, ev.addr, eid))
        .unwrap();
    m.value = value;
    // Later reads of the forged entry see the forged value too.
    let (loc, addr, end) = (ev.loc, ev.addr, m.end);
    for (j, r) in t.etable.iter().enumerate() {
        if r.eid > eid && r.eid <= end {
            let s = if j == 0 {
                0
            } else {
                t.etable[j - 1].events_end as usize
            };
            for x in &mut t.events[s..r.events_end as usize] {
                if (x.loc, x.addr, x.rw) == (loc, addr, Rw::Read) {
                    x.value = value;
                }
            }
        }
    }
}

pub fn etable_config(t: &Tables) -> zkwasm_circuits::etable::ETableConfig {
    use halo2_proofs::plonk::{Circuit, ConstraintSystem};
    let mut meta = ConstraintSystem::<zkwasm_circuits::Fr>::default();
    let c = VmCircuit::new(k_for(t), t.clone());
    let cfg = VmCircuit::configure_with_params(&mut meta, c.params());
    std::rc::Rc::try_unwrap(cfg.etable_rc()).unwrap_or_else(|_| unreachable!())
}

/// The bit table's columns (for forging its cells).
#[allow(dead_code)] // The bitwise tests'.
pub fn bit_columns(t: &Tables) -> zkwasm_circuits::bittable::BitColumns {
    use halo2_proofs::plonk::{Circuit, ConstraintSystem};
    let mut meta = ConstraintSystem::<zkwasm_circuits::Fr>::default();
    let c = VmCircuit::new(k_for(t), t.clone());
    VmCircuit::configure_with_params(&mut meta, c.params()).bit_columns()
}

/// The run's circuit with cells of class `class` at step `i` overwritten, by name, and its
/// size.
#[allow(dead_code)] // The class tests'.
pub fn with_class_cells(
    t: &Tables,
    class: zkwasm_tables::encode::Class,
    i: usize,
    cells: &[(&str, zkwasm_circuits::Fr)],
) -> (u32, VmCircuit) {
    let k = k_for(t);
    let cfg = etable_config(t);
    let mut c = VmCircuit::new(k, t.clone());
    for &(name, v) in cells {
        let cell = cfg.class_cell(class, name).expect("the class has the cell");
        c.etable_overrides
            .set(cell.column, i * ROWS + cell.rot as usize, v);
    }
    (k, c)
}

/// What fails in the run with cells of class `class` at step `i` overwritten
/// ([`with_class_cells`]).
#[allow(dead_code)] // The class tests'.
pub fn forge_cells(
    t: &Tables,
    class: zkwasm_tables::encode::Class,
    i: usize,
    cells: &[(&str, zkwasm_circuits::Fr)],
) -> BTreeSet<String> {
    let (k, c) = with_class_cells(t, class, i, cells);
    failures(k, &c, c.instances())
}

/// Overwrites cell `name` of class `class` at step `i` (after the honest assignment) and
/// returns the rows at which `gate` fails.
#[allow(dead_code)] // The class tests' (memory, alu); tests/vm.rs forges tables instead.
pub fn forge_cell(
    t: &Tables,
    class: zkwasm_tables::encode::Class,
    i: usize,
    name: &str,
    v: u64,
    gate: &str,
) -> BTreeSet<usize> {
    let k = k_for(t);
    let cfg = etable_config(t);
    let cell = cfg.class_cell(class, name).expect("the class has the cell");
    let mut c = VmCircuit::new(k, t.clone());
    c.etable_overrides.set(
        cell.column,
        i * ROWS + cell.rot as usize,
        zkwasm_circuits::Fr::from(v),
    );
    failing_rows(k, &c, c.instances(), gate)
}
