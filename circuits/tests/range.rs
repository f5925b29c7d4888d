//! The range argument on its own (MockProver, k = 10): three byte columns and two common-range
//! columns (helpers of three and of two inputs) hold chosen values. Honest values pass; out-of-range values, a byte cell passed off
//! as a common-range value, and forged helpers, multiplicities or sums fail by the named gate.

use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner, Value};
use halo2_proofs::plonk::{Advice, Circuit, Column, ConstraintSystem, Error};
use std::collections::BTreeSet;
use zkwasm_circuits::mock::failures;
use zkwasm_circuits::range::{common_bound, Range, RangeConfig};
use zkwasm_circuits::tamper::Overrides;
use zkwasm_circuits::Fr;

const K: u32 = 10;
const LAYOUT: [Range; 5] = [
    Range::U8,
    Range::U8,
    Range::Common,
    Range::Common,
    Range::U8,
];

fn bound() -> usize {
    common_bound(K) as usize
}

/// Input column `i` holds `values[i]` on rows `0 ..`, zero after.
#[derive(Clone, Debug)]
struct RangeCircuit {
    values: [Vec<Fr>; 5],
    forged: Overrides,
}

#[derive(Clone, Debug)]
struct Config {
    inputs: [Column<Advice>; 5],
    range: RangeConfig,
}

impl Circuit<Fr> for RangeCircuit {
    type Config = Config;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = ();

    fn without_witnesses(&self) -> Self {
        RangeCircuit {
            values: Default::default(),
            forged: Overrides::new(),
        }
    }

    fn configure(meta: &mut ConstraintSystem<Fr>) -> Config {
        let inputs = [(); 5].map(|_| meta.advice_column());
        let checked: Vec<_> = inputs.iter().copied().zip(LAYOUT).collect();
        let rows = meta.fixed_column();
        let range = RangeConfig::configure(meta, rows, &checked, &[]);
        Config { inputs, range }
    }

    fn synthesize(&self, config: Config, mut layouter: impl Layouter<Fr>) -> Result<(), Error> {
        let mut w = config.range.witness(K);
        layouter.assign_region(
            || "inputs",
            |mut region| {
                for (column, values) in config.inputs.iter().zip(&self.values) {
                    for r in 0..bound() {
                        let v = values.get(r).copied().unwrap_or(Fr::zero());
                        region.assign_advice(*column, r, Value::known(v));
                        w.record(*column, r, v);
                    }
                }
                Ok(())
            },
        )?;
        config.range.assign(&mut layouter, K, &w, &self.forged)
    }
}

/// Every byte and every common-range value, in an order unlike the tables'.
fn honest() -> RangeCircuit {
    let n = bound() as u64;
    RangeCircuit {
        values: [
            (0..n).map(|r| Fr::from(r % 256)).collect(),
            (0..n).map(|r| Fr::from((r * 7 + 3) % 256)).collect(),
            (0..n).map(Fr::from).collect(),
            (0..n).map(|r| Fr::from((r * 13 + 5) % n)).collect(),
            (0..n).map(|r| Fr::from(255 - r % 256)).collect(),
        ],
        forged: Overrides::new(),
    }
}

fn columns() -> zkwasm_circuits::range::RangeColumns {
    let mut meta = ConstraintSystem::<Fr>::default();
    RangeCircuit::configure(&mut meta).range.columns()
}

fn run(c: &RangeCircuit) -> BTreeSet<String> {
    failures(K, c, vec![])
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// How often `v` occurs in the columns of range `r`.
fn count(c: &RangeCircuit, r: Range, v: Fr) -> u64 {
    c.values
        .iter()
        .zip(LAYOUT)
        .filter(|(_, range)| *range == r)
        .map(|(vals, _)| vals.iter().filter(|&&x| x == v).count() as u64)
        .sum()
}

const END: &str = "gate: range sum ends at zero";

#[test]
fn honest_values_pass() {
    let c = honest();
    assert_eq!(run(&c), set(&[]));
    // A helper of three inputs and one of two; degree 5.
    assert_eq!(columns().helpers.len(), 2);
    let mut meta = ConstraintSystem::<Fr>::default();
    RangeCircuit::configure(&mut meta);
    assert_eq!(meta.degree(), 5);
    assert_eq!(meta.lookups().len(), 0);
}

#[test]
fn out_of_range_values_are_rejected() {
    let b = common_bound(K);
    for (column, v) in [
        (0, Fr::from(256)),
        (1, -Fr::one()),
        (1, Fr::from(1 << 40)),
        (2, Fr::from(b)),
        (3, -Fr::one()),
        (3, Fr::from(b + 256)),
        (4, Fr::from(300)),
    ] {
        // The first, a middle and the last row checked.
        for row in [0, 9, bound() - 1] {
            let mut c = honest();
            c.values[column][row] = v;
            assert_eq!(run(&c), set(&[END]), "{v:?} in column {column}, row {row}");
        }
    }
    // The largest values in range pass.
    let mut c = honest();
    c.values[1][9] = Fr::from(255);
    c.values[3][9] = Fr::from(b - 1);
    assert_eq!(run(&c), set(&[]));
}

#[test]
fn forged_multiplicities_are_rejected() {
    let cols = columns();
    let mut c = honest();
    // A byte cell moved from 7 to 8 with the counts left as they were.
    let (old, new) = (Fr::from(7), Fr::from(8));
    let row = c.values[0].iter().position(|&x| x == old).unwrap();
    c.values[0][row] = new;
    let mut stale = c.clone();
    stale
        .forged
        .set(cols.m8, 7, Fr::from(count(&c, Range::U8, old) + 1))
        .set(cols.m8, 8, Fr::from(count(&c, Range::U8, new) - 1));
    assert_eq!(run(&stale), set(&[END]));
    // The same counts, forged to the true ones: a consistent prover passes (the forgery
    // mechanism itself is sound).
    let mut fixed = c.clone();
    fixed
        .forged
        .set(cols.m8, 7, Fr::from(count(&c, Range::U8, old)))
        .set(cols.m8, 8, Fr::from(count(&c, Range::U8, new)));
    assert_eq!(run(&fixed), set(&[]));
    // A byte cell holding 300, counted as the common-range value 300: the byte and common
    // elements differ by γ, so the tables do not balance.
    let mut c = honest();
    let was = c.values[1][9];
    c.values[1][9] = Fr::from(300);
    let (bytes, commons) = (
        count(&c, Range::U8, was),
        count(&c, Range::Common, Fr::from(300)),
    );
    c.forged
        .set(cols.m8, bytes_of(was), Fr::from(bytes))
        .set(cols.mc, 300, Fr::from(commons + 1));
    assert_eq!(run(&c), set(&[END]));
    // The other way round: a common-range cell holding 5, counted as the byte 5.
    let mut c = honest();
    let five = Fr::from(5);
    let (bytes, commons) = (count(&c, Range::U8, five), count(&c, Range::Common, five));
    c.forged
        .set(cols.m8, 5, Fr::from(bytes + 1))
        .set(cols.mc, 5, Fr::from(commons - 1));
    assert_eq!(run(&c), set(&[END]));
    // Out-of-range 256 balanced by a negative multiplicity somewhere else.
    let mut c = honest();
    c.values[0][9] = Fr::from(256);
    let (top, zero) = (
        count(&c, Range::U8, Fr::from(255)),
        count(&c, Range::U8, Fr::zero()),
    );
    c.forged
        .set(cols.m8, 255, Fr::from(top + 1))
        .set(cols.m8, 0, Fr::from(zero) - Fr::one());
    assert_eq!(run(&c), set(&[END]));
}

/// The byte a small field element is.
fn bytes_of(v: Fr) -> usize {
    (0..256).find(|&b| Fr::from(b as u64) == v).unwrap()
}

#[test]
fn forged_derived_columns_are_rejected() {
    let cols = columns();
    let forge = |column, row, v| {
        let mut c = honest();
        c.forged.set(column, row, v);
        run(&c)
    };
    for h in &cols.helpers {
        assert_eq!(
            forge(*h, 7, Fr::from(5)),
            set(&["gate: range helper", "gate: range sum"])
        );
    }
    assert_eq!(
        forge(
            cols.h_table.expect("5 inputs: a table helper of its own"),
            7,
            Fr::from(5)
        ),
        set(&["gate: range table helper", "gate: range sum"])
    );
    assert_eq!(
        forge(cols.sum, 0, Fr::one()),
        set(&["gate: range sum starts at zero", "gate: range sum"])
    );
    assert_eq!(forge(cols.sum, 7, Fr::one()), set(&["gate: range sum"]));
    assert_eq!(
        forge(cols.sum, bound(), Fr::one()),
        set(&[END, "gate: range sum"])
    );
}
