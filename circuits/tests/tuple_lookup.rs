//! A tuple lookup of the range argument on its own (MockProver, k = 10): pairs `(a, b)` on the
//! input rows are looked up in a fixed table of pairs supplied as often as a multiplicity
//! column says. Honest witnesses pass; a pair not in the table, a swapped pair, and a wrong
//! multiplicity fail at the end of the running sum even when the prover derives the helper
//! from them consistently; a forged helper fails its gate, also on a row where both
//! numerators are zero. A second lookup in the same sum (single values, supplied by the
//! table's first column) cannot supply the first one's pairs.

use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner, Value};
use halo2_proofs::plonk::{Advice, Circuit, Column, ConstraintSystem, Error, Fixed, Selector};
use halo2_proofs::poly::Rotation;
use std::collections::BTreeSet;
use zkwasm_circuits::mock::{failing_rows, failures};
use zkwasm_circuits::range::{RangeConfig, Side, TupleLookup};
use zkwasm_circuits::tamper::Overrides;
use zkwasm_circuits::Fr;

const K: u32 = 10;
const END: &str = "gate: range sum ends at zero";

/// The table: `(r, r * r + 1)` for `r < 32`.
fn table() -> Vec<[u64; 2]> {
    (0..32).map(|r| [r, r * r + 1]).collect()
}

#[derive(Clone, Debug)]
struct PairCircuit {
    /// The looked-up pairs, one per row from row 0.
    inputs: Vec<[u64; 2]>,
    /// How often each table row is supplied.
    copies: Vec<u64>,
    /// How often each table row's first field is supplied to the single-value lookup (which
    /// looks up nothing: honest runs supply nothing).
    singles: Vec<u64>,
    forged: Overrides,
}

#[derive(Clone, Debug)]
struct Config {
    q_in: Selector,
    pair: [Column<Advice>; 2],
    table: [Column<Fixed>; 2],
    copies: Column<Advice>,
    singles: Column<Advice>,
    range: RangeConfig,
}

impl Circuit<Fr> for PairCircuit {
    type Config = Config;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = ();

    fn without_witnesses(&self) -> Self {
        PairCircuit {
            inputs: vec![],
            copies: vec![],
            singles: vec![],
            forged: Overrides::new(),
        }
    }

    fn configure(meta: &mut ConstraintSystem<Fr>) -> Config {
        let q_in = meta.complex_selector();
        let pair = [(); 2].map(|_| meta.advice_column());
        let table = [(); 2].map(|_| meta.fixed_column());
        let copies = meta.advice_column();
        let singles = meta.advice_column();
        let rows = meta.fixed_column();
        let lookup = TupleLookup {
            name: "pair lookup",
            input: Some(&|m| {
                let tuple = pair
                    .iter()
                    .map(|c| m.query_advice(*c, Rotation::cur()))
                    .collect();
                (m.query_selector(q_in), tuple)
            }),
            table: Some(&|m| {
                let tuple = table
                    .iter()
                    .map(|c| m.query_fixed(*c, Rotation::cur()))
                    .collect();
                (m.query_advice(copies, Rotation::cur()), tuple)
            }),
            tag: 1,
        };
        let single = TupleLookup {
            name: "single lookup",
            input: None,
            table: Some(&|m| {
                let first = m.query_fixed(table[0], Rotation::cur());
                (m.query_advice(singles, Rotation::cur()), vec![first])
            }),
            tag: 2,
        };
        let range = RangeConfig::configure(meta, rows, &[], &[lookup, single]);
        Config {
            q_in,
            pair,
            table,
            copies,
            singles,
            range,
        }
    }

    fn synthesize(&self, config: Config, mut layouter: impl Layouter<Fr>) -> Result<(), Error> {
        let mut w = config.range.witness(K);
        let field = |t: &[u64; 2]| t.iter().map(|&v| Fr::from(v)).collect::<Vec<_>>();
        for (r, t) in self.inputs.iter().enumerate() {
            w.record_tuple(0, Side::Input, r, 1, field(t));
        }
        let supplied = || {
            table()
                .into_iter()
                .zip(self.copies.iter().zip(&self.singles))
        };
        for (r, (t, (&n, &single))) in supplied().enumerate() {
            w.record_tuple(0, Side::Table, r, n, field(&t));
            w.record_tuple(1, Side::Table, r, single, field(&t)[..1].to_vec());
        }
        layouter.assign_region(
            || "pairs",
            |mut region| {
                for (r, t) in self.inputs.iter().enumerate() {
                    config.q_in.enable(&mut region, r)?;
                    for (c, v) in config.pair.iter().zip(t) {
                        region.assign_advice(*c, r, Value::known(Fr::from(*v)));
                    }
                }
                for (r, (t, (&n, &single))) in supplied().enumerate() {
                    for (c, v) in config.table.iter().zip(t) {
                        region.assign_fixed(*c, r, Fr::from(v));
                    }
                    region.assign_advice(config.copies, r, Value::known(Fr::from(n)));
                    region.assign_advice(config.singles, r, Value::known(Fr::from(single)));
                }
                Ok(())
            },
        )?;
        config.range.assign(&mut layouter, K, &w, &self.forged)
    }
}

/// Pairs from the table, with repeats, and their exact counts.
fn honest() -> PairCircuit {
    let t = table();
    let inputs: Vec<[u64; 2]> = (0..100).map(|i| t[(i * 7) % 5 + (i % 3) * 9]).collect();
    let copies = t
        .iter()
        .map(|row| inputs.iter().filter(|p| *p == row).count() as u64)
        .collect();
    PairCircuit {
        inputs,
        copies,
        singles: vec![0; t.len()],
        forged: Overrides::new(),
    }
}

fn run(c: &PairCircuit) -> BTreeSet<String> {
    failures(K, c, vec![])
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[test]
fn honest_pairs_pass() {
    let c = honest();
    assert!(c.copies.iter().any(|&n| n > 1), "repeats");
    assert!(c.copies.contains(&0), "rows nobody looks up");
    assert_eq!(run(&c), set(&[]));
}

#[test]
fn a_pair_not_in_the_table_fails_the_sum() {
    let mut c = honest();
    c.inputs[17][1] += 1;
    assert_eq!(run(&c), set(&[END]));
    // Fields swapped: the compression is ordered.
    let mut c = honest();
    let [a, b] = c.inputs[3];
    assert_ne!(a, b);
    c.inputs[3] = [b, a];
    assert_eq!(run(&c), set(&[END]));
}

#[test]
fn multiplicities_are_exact() {
    // A row supplied once too often, or once too rarely (a classic lookup allows both).
    for delta in [1i64, -1] {
        let mut c = honest();
        let r = c.copies.iter().position(|&n| n > 1).unwrap();
        c.copies[r] = (c.copies[r] as i64 + delta) as u64;
        assert_eq!(run(&c), set(&[END]), "{delta:+}");
    }
}

#[test]
fn a_forged_helper_fails_its_gate() {
    // On a row with an input and a table entry, and on one with neither (both numerators
    // zero: the helper must be zero there too, or a prover could add any value to the sum).
    let mut meta = ConstraintSystem::<Fr>::default();
    let cols = PairCircuit::configure(&mut meta).range.columns();
    let c = honest();
    let past = c.inputs.len().max(table().len());
    for row in [5, past + 100] {
        let mut c = honest();
        c.forged.set(cols.tuple_helpers[0], row, Fr::from(9));
        assert_eq!(
            run(&c),
            set(&["gate: pair lookup", "gate: range sum"]),
            "row {row}"
        );
        let rows = failing_rows(K, &c, vec![], "gate: pair lookup");
        assert_eq!(rows, BTreeSet::from([row]));
    }
}

#[test]
fn one_lookup_cannot_supply_another() {
    // The pair (5, 0) is not in the pair table, but the single-value lookup's table holds 5:
    // supplied from there, the pair is balanced unless the lookups' tags tell `(5, 0)` and
    // `(5)` apart (without them both compress to `θ + 5θ²`).
    let mut c = honest();
    c.inputs.push([5, 0]);
    c.singles[5] = 1;
    assert_eq!(run(&c), set(&[END]));
}
