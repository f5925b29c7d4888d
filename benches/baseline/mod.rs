//! The backend's benchmark circuit of `shared/design/halo2-backend.md` (§3), rebuilt to
//! calibrate a machine: its proving times there, measured on a 2-core, 24 GiB machine, are
//! the reference points of the proving target (the issue's "40-advice-column, 3-lookup
//! circuit"), so proving it here beside the VM says what the VM's times would be there,
//! whatever this machine's speed.
//!
//! As the note describes it: 40 advice, 8 fixed and 1 instance column, one simple selector
//! (`q`) and one complex selector (`ql`), one table column; six degree-4 gates
//! `q·(f·x0·x1 + x2·x3 - x4)` over advice 0..30; a running sum over the next row; a linear
//! gate on two fixed columns; two range lookups (an 8-bit table below `k = 17`, a 16-bit one
//! from there); one advice-to-advice lookup of two columns; a chain of about `2^k` copies
//! seeded from the instance; every usable row filled; degree 5 (the 4n quotient domain).
//! Values the note leaves open are random bytes (gate inputs, fixed coefficients, the seed) or
//! random table values (lookups), seeded so every run proves the same witness. Bytes are the
//! cheap end: commitments to small values are cheaper (one run here at k = 16: 14.7 s with
//! bytes, 16.8 s with 32-bit values, 17.8 s with 64-bit ones, 23 s with random field
//! elements), so if the note's circuit held larger values, this machine is slower against the
//! reference than the ratio says, and the VM's time there is shorter than `there s`.
use halo2_proofs::arithmetic::Field;
use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner, Value};
use halo2_proofs::halo2curves::bn256::{Bn256, G1Affine};
use halo2_proofs::plonk::{
    create_proof, keygen_pk, keygen_vk, verify_proof, Advice, Circuit, Column, ConstraintSystem,
    Error, Fixed, Instance, ProvingKey, Selector, TableColumn,
};
use halo2_proofs::poly::commitment::ParamsProver;
use halo2_proofs::poly::kzg::commitment::KZGCommitmentScheme;
use halo2_proofs::poly::kzg::multiopen::{ProverSHPLONK, VerifierSHPLONK};
use halo2_proofs::poly::kzg::strategy::SingleStrategy;
use halo2_proofs::poly::Rotation;
use halo2_proofs::transcript::{
    Blake2bRead, Blake2bWrite, Challenge255, TranscriptReadBuffer, TranscriptWriterBuffer,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::Instant;
use zkwasm::prover::Params;
use zkwasm_circuits::Fr;

/// The note's `create_proof` times (midpoints of its ranges), by `k`.
pub const REFERENCE_SECS: [(u32, f64); 5] =
    [(12, 0.62), (14, 2.1), (16, 8.1), (18, 35.65), (20, 193.0)];

/// The reference machine's time at `k`, where the note measured one.
pub fn reference_secs(k: u32) -> Option<f64> {
    REFERENCE_SECS
        .iter()
        .find(|&&(rk, _)| rk == k)
        .map(|&(_, s)| s)
}

const DEGREE4_GATES: usize = 6;

#[derive(Clone)]
pub struct Config {
    advice: [Column<Advice>; 40],
    fixed: [Column<Fixed>; 8],
    instance: Column<Instance>,
    q: Selector,
    ql: Selector,
    table: TableColumn,
}

/// Column indices of the parts that are not degree-4 gates.
const SUM: usize = 30; // running sum; SUM + 1 is its increment, the copy chain's column
const CHAIN: usize = SUM + 1;
const LINEAR: usize = 32; // LINEAR + 1 = f6 · LINEAR + f7
const RANGE: usize = 34; // two range-checked columns
const TUPLE_IN: usize = 36; // looked up in TUPLE_TABLE, TUPLE_TABLE + 1
const TUPLE_TABLE: usize = 38;

/// A full witness: every usable row of every advice and fixed column.
pub struct Baseline {
    k: u32,
    rows: usize,
    advice: Vec<Vec<Fr>>,
    fixed: Vec<Vec<Fr>>,
    /// The copy chain's seed, the only instance.
    seed: Fr,
}

fn range_bits(k: u32) -> u32 {
    if k < 17 {
        8
    } else {
        16
    }
}

impl Baseline {
    /// The witness for size `k`, filling the rows the backend leaves usable.
    pub fn new(k: u32) -> Self {
        let mut cs = ConstraintSystem::<Fr>::default();
        Self::configure(&mut cs);
        assert_eq!(cs.degree(), 5, "the note's circuit has degree 5");
        let rows = (1 << k) - (cs.blinding_factors() + 1);
        let mut rng = StdRng::seed_from_u64(k as u64);
        let mut bytes = |n: usize| {
            (0..n)
                .map(|_| Fr::from(rng.gen::<u8>() as u64))
                .collect::<Vec<_>>()
        };
        let fixed: Vec<Vec<Fr>> = (0..8).map(|_| bytes(rows)).collect();
        let mut advice: Vec<Vec<Fr>> = (0..40).map(|_| vec![Fr::ZERO; rows]).collect();
        for g in 0..DEGREE4_GATES {
            for column in &mut advice[5 * g..5 * g + 4] {
                *column = bytes(rows);
            }
            let x = &advice[5 * g..5 * g + 4];
            advice[5 * g + 4] = (0..rows)
                .map(|r| fixed[g][r] * x[0][r] * x[1][r] + x[2][r] * x[3][r])
                .collect();
        }
        let seed = bytes(1)[0];
        advice[CHAIN] = vec![seed; rows];
        advice[SUM] = (0..rows as u64).map(|r| seed * Fr::from(r)).collect();
        advice[LINEAR] = bytes(rows);
        advice[LINEAR + 1] = (0..rows)
            .map(|r| fixed[6][r] * advice[LINEAR][r] + fixed[7][r])
            .collect();
        let bound = 1u64 << range_bits(k);
        for c in [RANGE, RANGE + 1, TUPLE_TABLE, TUPLE_TABLE + 1] {
            advice[c] = (0..rows)
                .map(|_| Fr::from(rng.gen_range(0..bound)))
                .collect();
        }
        for i in 0..2 {
            advice[TUPLE_IN + i] = advice[TUPLE_TABLE + i].iter().rev().copied().collect();
        }
        Baseline {
            k,
            rows,
            advice,
            fixed,
            seed,
        }
    }

    /// The circuit's proving key.
    pub fn keys(&self, params: &Params) -> ProvingKey<G1Affine> {
        let vk = keygen_vk(params, &self).expect("baseline vk");
        keygen_pk(params, vk, &self).expect("baseline pk")
    }

    /// One proof (its seconds: `create_proof` alone), then its verification.
    pub fn prove_secs(&self, params: &Params, pk: &ProvingKey<G1Affine>) -> f64 {
        let instances = [self.seed];
        let mut transcript = Blake2bWrite::<_, G1Affine, Challenge255<_>>::init(vec![]);
        let start = Instant::now();
        create_proof::<
            KZGCommitmentScheme<Bn256>,
            ProverSHPLONK<'_, Bn256>,
            Challenge255<_>,
            _,
            _,
            _,
        >(
            params,
            pk,
            &[self],
            &[&[&instances]],
            StdRng::seed_from_u64(0),
            &mut transcript,
        )
        .expect("baseline proof");
        let secs = start.elapsed().as_secs_f64();
        let proof = transcript.finalize();
        let mut transcript = Blake2bRead::<_, G1Affine, Challenge255<_>>::init(&proof[..]);
        verify_proof::<KZGCommitmentScheme<Bn256>, VerifierSHPLONK<'_, Bn256>, _, _, _>(
            params.verifier_params(),
            pk.get_vk(),
            SingleStrategy::new(params),
            &[&[&instances]],
            &mut transcript,
        )
        .expect("the baseline proof verifies");
        secs
    }
}

impl Circuit<Fr> for &Baseline {
    type Config = Config;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = ();

    fn without_witnesses(&self) -> Self {
        self
    }

    fn configure(meta: &mut ConstraintSystem<Fr>) -> Config {
        Baseline::configure(meta)
    }

    fn synthesize(&self, config: Config, mut layouter: impl Layouter<Fr>) -> Result<(), Error> {
        let bits = range_bits(self.k);
        layouter.assign_table(
            || "range",
            |mut table| {
                for v in 0..1u64 << bits {
                    table.assign_cell(
                        || "",
                        config.table,
                        v as usize,
                        || Value::known(Fr::from(v)),
                    )?;
                }
                Ok(())
            },
        )?;
        layouter.assign_region(
            || "rows",
            |mut region| {
                for (c, values) in config.fixed.iter().zip(&self.fixed) {
                    for (r, &v) in values.iter().enumerate() {
                        region.assign_fixed(*c, r, v);
                    }
                }
                for (i, (c, values)) in config.advice.iter().zip(&self.advice).enumerate() {
                    if i != CHAIN {
                        for (r, &v) in values.iter().enumerate() {
                            region.assign_advice(*c, r, Value::known(v));
                        }
                    }
                }
                // The chain: its first cell the instance, every next one a copy of it.
                let column = config.advice[CHAIN];
                let mut chain = region
                    .assign_advice_from_instance(|| "seed", config.instance, 0, column, 0)?
                    .cell();
                for (r, &v) in self.advice[CHAIN].iter().enumerate().skip(1) {
                    let cell = region.assign_advice(column, r, Value::known(v)).cell();
                    region.constrain_equal(chain, cell);
                    chain = cell;
                }
                for r in 0..self.rows {
                    config.ql.enable(&mut region, r)?;
                    // The running sum reads the next row: not past the last.
                    if r + 1 < self.rows {
                        config.q.enable(&mut region, r)?;
                    }
                }
                Ok(())
            },
        )
    }
}

impl Baseline {
    fn configure(meta: &mut ConstraintSystem<Fr>) -> Config {
        let advice = [(); 40].map(|_| meta.advice_column());
        let fixed = [(); 8].map(|_| meta.fixed_column());
        let instance = meta.instance_column();
        let q = meta.selector();
        let ql = meta.complex_selector();
        let table = meta.lookup_table_column();
        meta.enable_equality(instance);
        meta.enable_equality(advice[CHAIN]);
        for g in 0..DEGREE4_GATES {
            meta.create_gate("degree 4", |m| {
                let q = m.query_selector(q);
                let f = m.query_fixed(fixed[g], Rotation::cur());
                let x = [0, 1, 2, 3, 4].map(|i| m.query_advice(advice[5 * g + i], Rotation::cur()));
                vec![
                    q * (f * x[0].clone() * x[1].clone() + x[2].clone() * x[3].clone()
                        - x[4].clone()),
                ]
            });
        }
        meta.create_gate("running sum", |m| {
            let q = m.query_selector(q);
            let sum = m.query_advice(advice[SUM], Rotation::cur());
            let next = m.query_advice(advice[SUM], Rotation::next());
            let step = m.query_advice(advice[CHAIN], Rotation::cur());
            vec![q * (next - sum - step)]
        });
        meta.create_gate("linear", |m| {
            let q = m.query_selector(q);
            let [a, b] = [0, 1].map(|i| m.query_advice(advice[LINEAR + i], Rotation::cur()));
            let [f6, f7] = [6, 7].map(|i| m.query_fixed(fixed[i], Rotation::cur()));
            vec![q * (f6 * a + f7 - b)]
        });
        for i in 0..2 {
            meta.lookup("range", |m| {
                let ql = m.query_selector(ql);
                vec![(
                    ql * m.query_advice(advice[RANGE + i], Rotation::cur()),
                    table,
                )]
            });
        }
        meta.lookup_any("tuple", |m| {
            let ql = m.query_selector(ql);
            (0..2)
                .map(|i| {
                    let input = m.query_advice(advice[TUPLE_IN + i], Rotation::cur());
                    let table = m.query_advice(advice[TUPLE_TABLE + i], Rotation::cur());
                    (ql.clone() * input, table)
                })
                .collect()
        });
        Config {
            advice,
            fixed,
            instance,
            q,
            ql,
            table,
        }
    }
}
