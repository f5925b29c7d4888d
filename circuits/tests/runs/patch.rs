//! What a test needs to patch the range argument's terms the way a consistent prover would:
//! the MockProver's challenges, the tuple compression and the cells of a mock run.

use ff::Field;
use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner};
use halo2_proofs::dev::{AdviceCellValue, MockProver};
use halo2_proofs::plonk::{
    Advice, Challenge, Circuit, Column, ConstraintSystem, Error, FirstPhase, SecondPhase,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use zkwasm_circuits::range::common_bound;
use zkwasm_circuits::vm::{VmCircuit, VmConfig};
use zkwasm_circuits::Fr;
use zkwasm_tables::Tables;

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

/// The VM circuit's configuration for `t` (for the range argument's columns).
pub fn config(t: &Tables) -> VmConfig {
    let mut meta = ConstraintSystem::<Fr>::default();
    let c = VmCircuit::new(super::k_for(t), t.clone());
    VmCircuit::configure_with_params(&mut meta, c.params())
}

/// Range-argument cells to overwrite, as a consistent prover would have them: starts from the
/// cells of a mock run and adds each term's change.
pub struct Terms<'a> {
    prover: &'a MockProver<Fr>,
    sum: Column<Advice>,
    /// The last row of the running sum.
    bound: usize,
    pub values: HashMap<(Column<Advice>, usize), Fr>,
}

impl<'a> Terms<'a> {
    pub fn new(prover: &'a MockProver<Fr>, sum: Column<Advice>, k: u32) -> Self {
        Terms {
            prover,
            sum,
            bound: common_bound(k) as usize,
            values: HashMap::new(),
        }
    }

    /// Adds `delta` to `helper` on `row` and to the running sum on every later row.
    pub fn add(&mut self, helper: Column<Advice>, row: usize, delta: Fr) {
        let prover = self.prover;
        *self
            .values
            .entry((helper, row))
            .or_insert_with(|| cell(prover, helper, row)) += delta;
        for r in row + 1..=self.bound {
            *self
                .values
                .entry((self.sum, r))
                .or_insert_with(|| cell(prover, self.sum, r)) += delta;
        }
    }
}

/// A change of one tuple-lookup term: on `row`, the term of lookup `lookup` (index, tag)
/// goes from `old` to `new`, each `(count, tuple)` (a negative count supplies the tuple).
pub struct Patch {
    pub lookup: (usize, u64),
    pub row: usize,
    pub old: (i64, Vec<Fr>),
    pub new: (i64, Vec<Fr>),
}

/// Makes the range argument of `c` (a forged circuit of `t` at size `k`) what a consistent
/// prover would assign after `patches`: each helper's term changed, the running sum carried.
pub fn apply(t: &Tables, k: u32, c: &mut VmCircuit, patches: &[Patch]) {
    if patches.is_empty() {
        return;
    }
    let [alpha, _, theta] = challenges();
    let prover = MockProver::run(k, &*c, c.instances()).unwrap();
    let range = config(t).range_columns();
    let mut terms = Terms::new(&prover, range.sum, k);
    for p in patches {
        let (index, tag) = p.lookup;
        let term = |(n, tuple): &(i64, Vec<Fr>)| {
            let n = Fr::from(n.unsigned_abs()) * if *n < 0 { -Fr::ONE } else { Fr::ONE };
            n * (alpha - compress(theta, tag, tuple)).invert().unwrap()
        };
        terms.add(
            range.tuple_helpers[index],
            p.row,
            term(&p.new) - term(&p.old),
        );
    }
    for ((column, row), v) in terms.values {
        c.range_overrides.set(column, row, v);
    }
}
