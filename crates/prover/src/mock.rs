//! Mock proving: a run checked against the circuit's constraints by halo2's MockProver at the
//! run's smallest `k`, without parameters or keys. The circuit and the witness are exactly
//! [`crate::prove`]'s, so a run that passes proves (given keys of that size), and one that
//! fails names the first constraint it breaks: the fast way to learn that a program proves,
//! and to report a circuit bug with a user's program. It costs the memory of every cell (about
//! 10 GiB at k = 18) and about as long as a real proof.

use crate::program::{self, Execution, Program};
use crate::{Control, Error, Stage};
use zkwasm_circuits::vm::VmCircuit;
use zkwasm_tracer::Inputs;

/// Runs the program on `inputs` and checks the run against the circuit's constraints at its
/// smallest `k`; returns the dry run's summary. A broken constraint is
/// [`Error::ConstraintsFailed`] (a zkwasm bug: the circuit and its witness disagree).
pub fn mock_prove(program: &Program, inputs: &Inputs) -> Result<Execution, Error> {
    mock_prove_with(program, inputs, &Control::default())
}

/// [`mock_prove`] with progress reports and cancellation (the check is the `Proof` stage).
pub fn mock_prove_with(
    program: &Program,
    inputs: &Inputs,
    control: &Control,
) -> Result<Execution, Error> {
    let (summary, tables) = program::provable_run(program, inputs, control)?;
    let k = summary.min_k;
    control.stage(Stage::Proof, || {
        let circuit = VmCircuit::new(k, tables);
        let failures = zkwasm_circuits::mock::report(k, &circuit, circuit.instances());
        match failures.split_first() {
            None => Ok(()),
            Some((first, rest)) => Err(Error::ConstraintsFailed {
                k,
                first: first.clone(),
                more: rest.len(),
            }),
        }
    })?;
    Ok(summary)
}
