//! What a test needs to patch the range argument's terms the way a consistent prover would:
//! the MockProver's challenges, the tuple compression and the cells of a mock run.

use ff::Field;
use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner};
use halo2_proofs::dev::{AdviceCellValue, MockProver};
use halo2_proofs::plonk::{
    Advice, Challenge, Circuit, Column, ConstraintSystem, Error, FirstPhase, SecondPhase,
};
use std::sync::{Arc, Mutex};
use zkwasm_circuits::Fr;

/// The MockProver's challenges `(α, γ, θ)`: a hash chain, the same for every circuit, so a
/// circuit of three challenges reads the VM's (`range.rs` draws these three, in this order).
pub fn challenges() -> [Fr; 3] {
    #[derive(Clone, Default)]
    struct Read(Arc<Mutex<Vec<Fr>>>);
    impl Circuit<Fr> for Read {
        type Config = [Challenge; 3];
        type FloorPlanner = SimpleFloorPlanner;
        type Params = ();
        fn without_witnesses(&self) -> Self {
            self.clone()
        }
        fn configure(meta: &mut ConstraintSystem<Fr>) -> Self::Config {
            meta.advice_column_in(FirstPhase);
            let c = [(); 3].map(|_| meta.challenge_usable_after(FirstPhase));
            meta.advice_column_in(SecondPhase);
            c
        }
        fn synthesize(&self, c: Self::Config, layouter: impl Layouter<Fr>) -> Result<(), Error> {
            let mut got = vec![];
            for ch in c {
                layouter.get_challenge(ch).map(|v| got.push(v));
            }
            if got.len() == 3 {
                *self.0.lock().unwrap() = got;
            }
            Ok(())
        }
    }
    let read = Read::default();
    MockProver::run(4, &read, vec![]).unwrap();
    let got = read.0.lock().unwrap().clone();
    got.try_into().unwrap()
}

/// `range::compress` on values: `θ · (tag + Σ_i f_i θ^(i+1))`.
pub fn compress(theta: Fr, tag: u64, tuple: &[Fr]) -> Fr {
    let tail = tuple
        .iter()
        .rev()
        .fold(Fr::ZERO, |acc, f| (acc + f) * theta);
    (tail + Fr::from(tag)) * theta
}

/// An assigned advice cell of a mock run.
pub fn cell(p: &MockProver<Fr>, c: Column<Advice>, row: usize) -> Fr {
    match &p.advice_values(c)[row] {
        AdviceCellValue::Assigned(v) => v.evaluate(),
        AdviceCellValue::Poison(_) => panic!("row {row} is not usable"),
    }
}
