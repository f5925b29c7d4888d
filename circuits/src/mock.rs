//! MockProver helpers: run a circuit and name what failed, as `gate: NAME`, `lookup: NAME` or
//! `permutation`, so negative tests assert the exact constraint; and the same in words with
//! where, for `prove --mock`.

use crate::Fr;
use halo2_proofs::dev::{FailureLocation, MockProver, VerifyFailure};
use halo2_proofs::plonk::Circuit;
use std::collections::BTreeSet;

/// The circuit's failures under MockProver (`Err`: its synthesis failed, in words).
fn check<C: Circuit<Fr>>(
    k: u32,
    circuit: &C,
    instances: Vec<Vec<Fr>>,
) -> Result<Vec<VerifyFailure>, String> {
    let prover = MockProver::run(k, circuit, instances).map_err(|e| format!("synthesis: {e:?}"))?;
    Ok(prover.verify().err().unwrap_or_default())
}

/// What failed, by constraint kind and name (empty when the circuit is satisfied).
pub fn failures<C: Circuit<Fr>>(k: u32, circuit: &C, instances: Vec<Vec<Fr>>) -> BTreeSet<String> {
    match check(k, circuit, instances) {
        Ok(fs) => fs.iter().map(name).collect(),
        Err(e) => BTreeSet::from([e]),
    }
}

/// Every failure in words and in the order MockProver finds them, for users (`prove --mock`):
/// what failed and where (`gate: op load at row 1234`: a step's rules are on its first row,
/// `ROWS` times its index); empty when the circuit is satisfied.
pub fn report<C: Circuit<Fr>>(k: u32, circuit: &C, instances: Vec<Vec<Fr>>) -> Vec<String> {
    match check(k, circuit, instances) {
        Ok(fs) => fs
            .iter()
            .map(|f| match f {
                VerifyFailure::ConstraintNotSatisfied { location, .. } => match location {
                    FailureLocation::OutsideRegion { row } => format!("{} at row {row}", name(f)),
                    _ => format!("{} {location}", name(f)),
                },
                _ => name(f),
            })
            .collect(),
        Err(e) => vec![e],
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
