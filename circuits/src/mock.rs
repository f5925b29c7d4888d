//! MockProver helpers for tests: run a circuit and name what failed, as `gate: NAME`,
//! `lookup: NAME` or `permutation`, so negative tests assert the exact constraint.

use crate::Fr;
use halo2_proofs::dev::{FailureLocation, MockProver, VerifyFailure};
use halo2_proofs::plonk::Circuit;
use std::collections::BTreeSet;

/// What failed, by constraint kind and name (empty when the circuit is satisfied).
pub fn failures<C: Circuit<Fr>>(k: u32, circuit: &C, instances: Vec<Vec<Fr>>) -> BTreeSet<String> {
    let prover = match MockProver::run(k, circuit, instances) {
        Ok(p) => p,
        Err(e) => return BTreeSet::from([format!("synthesis: {e:?}")]),
    };
    match prover.verify() {
        Ok(()) => BTreeSet::new(),
        Err(fs) => fs.iter().map(name).collect(),
    }
}

/// The rows (offsets in their region) at which gate `gate` (named as [`failures`] names it,
/// `gate: NAME`) fails: for shared rules, which step broke them.
pub fn failing_rows<C: Circuit<Fr>>(
    k: u32,
    circuit: &C,
    instances: Vec<Vec<Fr>>,
    gate: &str,
) -> BTreeSet<usize> {
    let Ok(prover) = MockProver::run(k, circuit, instances) else {
        return BTreeSet::new();
    };
    let Err(fs) = prover.verify() else {
        return BTreeSet::new();
    };
    fs.iter()
        .filter(|f| name(f) == gate)
        .filter_map(|f| match f {
            VerifyFailure::ConstraintNotSatisfied { location, .. } => Some(match location {
                FailureLocation::InRegion { offset, .. } => *offset,
                FailureLocation::OutsideRegion { row } => *row,
            }),
            _ => None,
        })
        .collect()
}

fn name(f: &VerifyFailure) -> String {
    match f {
        VerifyFailure::ConstraintNotSatisfied { constraint, .. } => {
            // "Constraint i in gate g ('NAME')": the gate's name is the last quoted part.
            let s = constraint.to_string();
            let gate = s.rsplit("('").next().unwrap_or(&s).trim_end_matches("')");
            format!("gate: {gate}")
        }
        VerifyFailure::Lookup { name, .. } => format!("lookup: {name}"),
        VerifyFailure::Permutation { .. } => "permutation".to_string(),
        other => format!("other: {other}"),
    }
}
