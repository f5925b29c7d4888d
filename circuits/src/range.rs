//! Range checks of whole advice columns, all batched into one logarithmic-derivative (logUp)
//! argument instead of one lookup argument per column.
//!
//! A lookup argument costs this backend three committed polynomials (permuted input, permuted
//! table, grand product) and five quotient terms, and the VM has two dozen range-checked
//! columns (byte limbs, eids and eid differences): those lookups were a quarter of the proving
//! time. Here every range-checked column costs a third of one committed polynomial:
//!
//! - two fixed tables: `t8` holds `0 .. 256`, `tc` the common range `0 .. B`
//!   (`B = `[`common_bound`]`(k)`; `tc` is the row index there, which the caller may use too),
//!   zero on the rows past them;
//! - first phase: multiplicities `m8`, `mc`, how often each table row's value occurs in the
//!   inputs;
//! - challenges `α`, `γ` drawn after the first phase: a byte input `x` is the element
//!   `e = x + γ` (tag 1), a common-range input the element `e = x` (tag 0), so a byte cell can
//!   only match the byte table;
//! - second phase: one helper column per group of up to three inputs,
//!   `h = Σ 1 / (α - e_i)`, the table terms `- m8 / (α - γ - t8) - mc / (α - tc)` (in the
//!   last helper when it has at most one input, else in a helper of their own), and the
//!   running sum `s`: `s = 0` on row 0, `s' = s + Σ h` on rows `0 .. B`, `s = 0` on row `B`.
//!
//! The sum of `1 / (α - e)` over every input cell of rows `0 .. B` then equals the sum of
//! `m / (α - t)` over the tables; for random `α`, `γ` that holds only if every input is a table
//! value (Haböck, "Multivariate lookups based on logarithmic derivatives", 2022). The checks
//! cover every row `0 .. B` of an input column, whatever the table in it: rows a table leaves
//! empty hold zero, which is in both ranges.
//!
//! Degrees: a helper of three inputs is `q · (h · Π (α - e_i) - Σ_i Π_{j≠i} (α - e_j))`,
//! degree 5; the table helper's gate has degree 4.
//!
//! **Tuple lookups** ([`TupleLookup`]) join the same sum: on each row an input side looks up
//! `n_in` copies of a tuple and a table side supplies `n_t` copies of one, both compressed
//! with a third challenge `θ` as `e = θ · (tag + Σ_i f_i θ^(i+1))` (the lookup's tag), and one
//! helper column per lookup holds `n_in / (α - e_in) - n_t / (α - e_t)`: degree
//! `1 + max(2 + 1 + 1, deg n + 1)`, so the numerators may have degree 3. A helper whose gate
//! has room takes range-checked inputs as further terms, as many as keep it at degree 5
//! (`configure` adds them one by one): the VM's first access lookup and its instance lookup
//! take one each, the second access lookup (no table side) two, so its other 22 inputs fit
//! eight helpers, the last with the table terms.
//! Unlike a lookup argument, multiplicities are exact: the table side must supply every tuple
//! exactly as often as it is looked up, and a lookup whose multiplicities the circuit can
//! state needs no committed multiplicity at all.
//!
//! Why a tuple cannot stand for a range element, or one lookup's tuple for another's: every
//! range cell, tuple field and numerator is a first-phase value (or fixed), committed before
//! `α`, `γ`, `θ` are drawn. As polynomials in `(γ, θ)`, a range element is `x` or `x + γ`
//! (no `θ` term) and a tuple element has its lookup's nonzero tag as `θ`-coefficient, so
//! distinct kinds, and the tuples of lookups with distinct tags, only meet for negligibly many
//! challenges. (Before the tags, a tuple equalled every longer one it is a prefix of with
//! zeros after, so the image's table could supply a forged access: a review found it; test
//! `one_lookup_cannot_supply_another`.) Within one lookup, kinds of rows are told apart by a
//! field (the image's instructions and init rows by `image::INIT`). A second-phase field in a
//! [`TupleLookup`] would void this: the sides must be first-phase expressions.

use crate::tamper::Overrides;
use crate::Fr;
use ff::{BatchInvert, Field, PrimeField};
use halo2_proofs::circuit::{Layouter, Region, Value};
use halo2_proofs::plonk::{
    Advice, Challenge, Column, ConstraintSystem, Error, Expression, FirstPhase, Fixed, SecondPhase,
    Selector, VirtualCells,
};
use halo2_proofs::poly::Rotation;
use rayon::prelude::*;
use zkwasm_tables::capacity::RESERVED_ROWS;

/// Inputs per helper column: three keep the helper's gate at degree 5.
const GROUP: usize = 3;

/// Rows of the byte table.
const BYTES: usize = 256;

/// The largest common-range value plus one at circuit size `k`: every row a table may use.
pub fn common_bound(k: u32) -> u64 {
    (1u64 << k) - RESERVED_ROWS as u64
}

/// The range a column's cells must lie in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Range {
    /// `0 .. 256`.
    U8,
    /// `0 .. `[`common_bound`]`(k)`.
    Common,
}

/// One side of a tuple lookup: on each row, how many copies (the numerator) of which tuple.
pub type TupleSide<'a> =
    &'a dyn Fn(&mut VirtualCells<'_, Fr>) -> (Expression<Fr>, Vec<Expression<Fr>>);

/// A lookup of tuples in the range argument's sum (see the module docs). Either side may be
/// absent: a lookup whose inputs another lookup's table supplies (same tag), or a table
/// whose inputs another lookup makes. The helper's gate takes as many range-checked inputs
/// besides as keep it at degree 5 (`configure`), which saves helper columns.
pub struct TupleLookup<'a> {
    /// The helper's gate is named after it.
    pub name: &'static str,
    pub input: Option<TupleSide<'a>>,
    pub table: Option<TupleSide<'a>>,
    /// Tells this lookup's tuples from other lookups' in the sum: nonzero, and shared only by
    /// lookups whose inputs the same table supplies (see [`compress`]).
    pub tag: u64,
}

/// The side of a tuple lookup a witness record is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Input,
    Table,
}

/// A helper column and the inputs it sums (less the table terms, if it carries them).
#[derive(Clone, Debug)]
struct Helper {
    column: Column<Advice>,
    inputs: Vec<(Column<Advice>, Range)>,
    with_table: bool,
}

#[derive(Clone, Debug)]
pub struct RangeConfig {
    t8: Column<Fixed>,
    tc: Column<Fixed>,
    m8: Column<Advice>,
    mc: Column<Advice>,
    alpha: Challenge,
    gamma: Challenge,
    theta: Challenge,
    helpers: Vec<Helper>,
    /// The tuple lookups' helpers.
    tuple_helpers: Vec<Column<Advice>>,
    /// The range inputs each tuple helper holds.
    tuple_inputs: Vec<Vec<(Column<Advice>, Range)>>,
    /// Each tuple lookup's tag ([`TupleLookup::tag`]).
    tuple_tags: Vec<u64>,
    /// The table terms' own helper, unless the last input helper has room for them.
    h_table: Option<Column<Advice>>,
    sum: Column<Advice>,
    /// Rows `0 .. B`.
    q_on: Selector,
    q_first: Selector,
    /// Row `B`.
    q_end: Selector,
}

/// The element a cell of range `r` stands for.
fn element(r: Range, x: Expression<Fr>, gamma: Expression<Fr>) -> Expression<Fr> {
    match r {
        Range::U8 => x + gamma,
        Range::Common => x,
    }
}

/// A range-checked input's term `1 / (α - e)` of a helper, as `(numerator, denominator)`.
fn input_term(
    m: &mut VirtualCells<'_, Fr>,
    (c, r): (Column<Advice>, Range),
    alpha: Expression<Fr>,
    gamma: Expression<Fr>,
) -> (Expression<Fr>, Expression<Fr>) {
    let x = m.query_advice(c, Rotation::cur());
    (Expression::Constant(Fr::ONE), alpha - element(r, x, gamma))
}

impl RangeConfig {
    /// Range-checks every cell of rows `0 .. B` of each input column, and checks the tuple
    /// lookups. The argument assigns `rows` (the row index on rows `0 .. B`, its table).
    pub fn configure(
        meta: &mut ConstraintSystem<Fr>,
        rows: Column<Fixed>,
        inputs: &[(Column<Advice>, Range)],
        lookups: &[TupleLookup<'_>],
    ) -> Self {
        let (t8, tc) = (meta.fixed_column(), rows);
        let m8 = meta.advice_column_in(FirstPhase);
        let mc = meta.advice_column_in(FirstPhase);
        let alpha = meta.challenge_usable_after(FirstPhase);
        let gamma = meta.challenge_usable_after(FirstPhase);
        let theta = meta.challenge_usable_after(FirstPhase);
        let cur =
            |m: &mut VirtualCells<'_, Fr>, c: Column<Advice>| m.query_advice(c, Rotation::cur());
        let (q_on, q_first, q_end) = (meta.selector(), meta.selector(), meta.selector());
        // The tuple lookups' helpers first: each takes inputs (from the end) while its gate
        // stays at degree 5; the rest go three to a helper.
        let mut inputs = inputs.to_vec();
        let mut tuple_helpers = vec![];
        let mut tuple_inputs: Vec<Vec<(Column<Advice>, Range)>> = vec![];
        let tuple_tags: Vec<u64> = lookups.iter().map(|l| l.tag).collect();
        assert!(
            !tuple_tags.contains(&0),
            "a tuple lookup's tag is nonzero: range elements have no θ term"
        );
        for l in lookups {
            assert!(
                l.input.is_some() || l.table.is_some(),
                "{}: no side",
                l.name
            );
            let h = meta.advice_column_in(SecondPhase);
            let mut held = vec![];
            meta.create_gate(l.name, |m| {
                let q = m.query_selector(q_on);
                let (a, t) = (m.query_challenge(alpha), m.query_challenge(theta));
                let g = m.query_challenge(gamma);
                let mut terms = vec![];
                let mut above = false;
                for (side, sign) in [(l.input, Fr::ONE), (l.table, -Fr::ONE)] {
                    if let Some(side) = side {
                        let (n, tuple) = side(m);
                        above |= tuple.iter().any(reads_above);
                        let d = a.clone() - compress(t.clone(), l.tag, tuple);
                        terms.push((n * Expression::Constant(sign), d));
                    }
                }
                let helper = cur(m, h);
                let gate = |terms: &[_]| q.clone() * helper_constraint(helper.clone(), terms);
                assert!(gate(&terms).degree() <= 5, "{}: degree above 5", l.name);
                // An input's term multiplies the tuples' denominators whatever their
                // numerators: a tuple read from a row above would then be read, on row 0,
                // from the last rows (blinding values). That holds in a real proof (the
                // prover's helper makes the denominator a common factor where its numerator
                // is zero), but a mock prover reports it, so such a helper holds no input.
                while let Some(&input) = inputs.last().filter(|_| !above) {
                    let mut more = terms.clone();
                    more.push(input_term(m, input, a.clone(), g.clone()));
                    if gate(&more).degree() > 5 {
                        break;
                    }
                    terms = more;
                    held.push(input);
                    inputs.pop();
                }
                vec![gate(&terms)]
            });
            tuple_helpers.push(h);
            tuple_inputs.push(held);
        }
        let mut helpers: Vec<Helper> = inputs
            .chunks(GROUP)
            .map(|g| Helper {
                column: meta.advice_column_in(SecondPhase),
                inputs: g.to_vec(),
                with_table: false,
            })
            .collect();
        // The two table terms fit a helper of at most one input (three terms: degree 5).
        let h_table = match helpers.last_mut() {
            Some(h) if h.inputs.len() + 2 <= GROUP => {
                h.with_table = true;
                None
            }
            _ => Some(meta.advice_column_in(SecondPhase)),
        };
        let sum = meta.advice_column_in(SecondPhase);
        for h in &helpers {
            meta.create_gate("range helper", |m| {
                let q = m.query_selector(q_on);
                let (a, g) = (m.query_challenge(alpha), m.query_challenge(gamma));
                // Terms `n / d`: the inputs (`n = 1`), then the table terms (`n = -m`).
                let mut terms: Vec<(Expression<Fr>, Expression<Fr>)> = h
                    .inputs
                    .iter()
                    .map(|&input| input_term(m, input, a.clone(), g.clone()))
                    .collect();
                if h.with_table {
                    terms.extend(table_terms(m, t8, tc, m8, mc, a.clone(), g.clone()));
                }
                vec![q * helper_constraint(cur(m, h.column), &terms)]
            });
        }
        if let Some(h_table) = h_table {
            meta.create_gate("range table helper", |m| {
                let q = m.query_selector(q_on);
                let (a, g) = (m.query_challenge(alpha), m.query_challenge(gamma));
                let terms = table_terms(m, t8, tc, m8, mc, a, g);
                vec![q * helper_constraint(cur(m, h_table), &terms)]
            });
        }
        meta.create_gate("range sum", |m| {
            let q = m.query_selector(q_on);
            let step = helpers
                .iter()
                .map(|h| h.column)
                .chain(tuple_helpers.iter().copied())
                .fold(Expression::Constant(Fr::ZERO), |acc, h| acc + cur(m, h));
            let table = h_table.map_or(Expression::Constant(Fr::ZERO), |h| cur(m, h));
            let next = m.query_advice(sum, Rotation::next());
            vec![q * (next - cur(m, sum) - step - table)]
        });
        meta.create_gate("range sum starts at zero", |m| {
            vec![m.query_selector(q_first) * cur(m, sum)]
        });
        // Where every input cell was a table value.
        meta.create_gate("range sum ends at zero", |m| {
            vec![m.query_selector(q_end) * cur(m, sum)]
        });
        RangeConfig {
            t8,
            tc,
            m8,
            mc,
            alpha,
            gamma,
            theta,
            helpers,
            tuple_helpers,
            tuple_inputs,
            tuple_tags,
            h_table,
            sum,
            q_on,
            q_first,
            q_end,
        }
    }

    /// The input columns, in the order [`RangeWitness`] keeps them.
    fn inputs(&self) -> impl Iterator<Item = (Column<Advice>, Range)> + '_ {
        let held = self.tuple_inputs.iter().flatten().copied();
        self.helpers
            .iter()
            .flat_map(|h| h.inputs.iter().copied())
            .chain(held)
    }

    /// Whether the challenges are drawn: the prover is synthesizing the second phase (or a
    /// mock prover, which knows them from the start).
    pub fn second_phase(&self, layouter: &mut impl Layouter<Fr>) -> bool {
        let mut known = false;
        layouter.get_challenge(self.alpha).map(|_| known = true);
        known
    }

    /// An empty record of the input columns' values at circuit size `k`.
    pub fn witness(&self, k: u32) -> RangeWitness {
        RangeWitness::new(
            k,
            self.inputs().map(|(c, _)| c).collect(),
            self.tuple_helpers.len(),
        )
    }

    /// The advice columns of the argument, for tamper tests.
    pub fn columns(&self) -> RangeColumns {
        RangeColumns {
            m8: self.m8,
            mc: self.mc,
            helpers: self.helpers.iter().map(|h| h.column).collect(),
            tuple_helpers: self.tuple_helpers.clone(),
            tuple_inputs: self.tuple_inputs.clone(),
            inputs: self.inputs().collect(),
            h_table: self.h_table,
            sum: self.sum,
        }
    }

    /// Assigns the tables, the multiplicities of the values in `w` and, once the challenges
    /// are drawn (second phase), the helpers and the running sum.
    ///
    /// `forged` is for tamper tests (empty when proving): its multiplicities replace the
    /// counted ones before the helpers and the sum are derived from them (a prover that lies
    /// about them consistently), its other cells overwrite the derived ones.
    pub fn assign(
        &self,
        layouter: &mut impl Layouter<Fr>,
        k: u32,
        w: &RangeWitness,
        forged: &Overrides,
    ) -> Result<(), Error> {
        let challenges = layouter
            .get_challenge(self.alpha)
            .zip(layouter.get_challenge(self.gamma))
            .zip(layouter.get_challenge(self.theta));
        let mut known = None;
        challenges.map(|ag| known = Some(ag));
        let bound = common_bound(k) as usize;
        layouter.assign_region(
            || "range checks",
            |mut region| {
                for r in 0..bound {
                    self.q_on.enable(&mut region, r)?;
                    region.assign_fixed(self.tc, r, Fr::from(r as u64));
                    region.assign_fixed(self.t8, r, Fr::from((r < BYTES) as u64 * r as u64));
                }
                self.q_first.enable(&mut region, 0)?;
                self.q_end.enable(&mut region, bound)?;
                let (mut m8, mut mc) = self.multiplicities(w, bound);
                for (c, r, v) in forged.cells() {
                    match (c == self.m8, c == self.mc) {
                        (true, _) => m8[r] = v,
                        (_, true) => mc[r] = v,
                        _ => {}
                    }
                }
                let set = |region: &mut Region<'_, Fr>, c: Column<Advice>, v: &[Fr]| {
                    for (r, v) in v.iter().enumerate() {
                        region.assign_advice(c, r, Value::known(*v));
                    }
                };
                set(&mut region, self.m8, &m8);
                set(&mut region, self.mc, &mc);
                if let Some(((alpha, gamma), theta)) = known {
                    let inv = Inverses::new(alpha, gamma, bound);
                    let helpers: Vec<Vec<Fr>> = self
                        .helpers
                        .par_iter()
                        .map(|h| {
                            let mut sum = vec![Fr::ZERO; bound];
                            for &input in &h.inputs {
                                inv.add(&mut sum, w, input);
                            }
                            sum
                        })
                        .collect();
                    let table: Vec<Fr> = (0..bound)
                        .map(|r| {
                            let byte = if r < BYTES {
                                m8[r] * inv.u8[r]
                            } else {
                                Fr::ZERO
                            };
                            byte + mc[r] * inv.common[r]
                        })
                        .collect();
                    let tuples: Vec<Vec<Fr>> = w
                        .tuples
                        .par_iter()
                        .zip(self.tuple_inputs.par_iter().zip(&self.tuple_tags))
                        .map(|(records, (held, &tag))| {
                            let mut h = tuple_helper(records, alpha, theta, tag, bound);
                            for &input in held {
                                inv.add(&mut h, w, input);
                            }
                            h
                        })
                        .collect();
                    let mut helpers = helpers;
                    let table_sum = match self.helpers.iter().position(|h| h.with_table) {
                        Some(i) => {
                            for (h, t) in helpers[i].iter_mut().zip(&table) {
                                *h -= t;
                            }
                            vec![Fr::ZERO; bound]
                        }
                        None => table.clone(),
                    };
                    let mut running = Vec::with_capacity(bound + 1);
                    let mut s = Fr::ZERO;
                    for r in 0..bound {
                        running.push(s);
                        s += helpers.iter().chain(&tuples).map(|h| h[r]).sum::<Fr>() - table_sum[r];
                    }
                    running.push(s);
                    for (h, v) in self.helpers.iter().zip(&helpers) {
                        set(&mut region, h.column, v);
                    }
                    for (h, v) in self.tuple_helpers.iter().zip(&tuples) {
                        set(&mut region, *h, v);
                    }
                    if let Some(h) = self.h_table {
                        let negated: Vec<Fr> = table.iter().map(|t| -*t).collect();
                        set(&mut region, h, &negated);
                    }
                    set(&mut region, self.sum, &running);
                }
                for (c, r, v) in forged.cells() {
                    region.assign_advice(c, r, Value::known(v));
                }
                Ok(())
            },
        )
    }

    /// How often each byte and each common-range value occurs in the inputs. Values outside
    /// their range are not counted: the running sum then does not end at zero.
    fn multiplicities(&self, w: &RangeWitness, bound: usize) -> (Vec<Fr>, Vec<Fr>) {
        let mut m8 = vec![0u64; bound];
        let mut mc = vec![0u64; bound];
        for (c, r) in self.inputs() {
            let (m, limit) = match r {
                Range::U8 => (&mut m8, BYTES),
                Range::Common => (&mut mc, bound),
            };
            for x in w.values(c) {
                if let Some(v) = small(x, limit) {
                    m[v] += 1;
                }
            }
        }
        let field = |m: Vec<u64>| m.into_iter().map(Fr::from).collect();
        (field(m8), field(mc))
    }
}

/// The range tables' terms `n / d`: `-m8 / (α - γ - t8)` and `-mc / (α - tc)`.
fn table_terms(
    m: &mut VirtualCells<'_, Fr>,
    t8: Column<Fixed>,
    tc: Column<Fixed>,
    m8: Column<Advice>,
    mc: Column<Advice>,
    alpha: Expression<Fr>,
    gamma: Expression<Fr>,
) -> [(Expression<Fr>, Expression<Fr>); 2] {
    let d8 = alpha.clone() - gamma - m.query_fixed(t8, Rotation::cur());
    let dc = alpha - m.query_fixed(tc, Rotation::cur());
    let m8 = m.query_advice(m8, Rotation::cur());
    let mc = m.query_advice(mc, Rotation::cur());
    [(-m8, d8), (-mc, dc)]
}

/// `h = Σ n_i / d_i` without division: `h · Π d - Σ_i n_i Π_{j≠i} d_j`.
fn helper_constraint(
    h: Expression<Fr>,
    terms: &[(Expression<Fr>, Expression<Fr>)],
) -> Expression<Fr> {
    let product = |skip: Option<usize>| {
        terms
            .iter()
            .enumerate()
            .filter(|&(i, _)| Some(i) != skip)
            .fold(Expression::Constant(Fr::ONE), |acc, (_, (_, d))| {
                acc * d.clone()
            })
    };
    let numerator = terms
        .iter()
        .enumerate()
        .fold(Expression::Constant(Fr::ZERO), |acc, (i, (n, _))| {
            acc + n.clone() * product(Some(i))
        });
    h * product(None) - numerator
}

/// Whether `e` reads a cell of a row above the one it is evaluated on.
fn reads_above(e: &Expression<Fr>) -> bool {
    e.evaluate(
        &|_| false,
        &|_| false,
        &|q| q.rotation().0 < 0,
        &|q| q.rotation().0 < 0,
        &|q| q.rotation().0 < 0,
        &|_| false,
        &|a| a,
        &|a, b| a || b,
        &|a, b| a || b,
        &|a, _| a,
    )
}

/// `θ · (tag + Σ_i f_i θ^(i+1))`. The tag keeps lookups apart: without it, a tuple would
/// equal any longer one it is a prefix of with zeros after (an access `(loc, addr, start,
/// end, value, is_i32)` the image row `(fid, iid, class, sub, a, b, 0)`), and one lookup's
/// table could supply another's inputs.
fn compress(theta: Expression<Fr>, tag: u64, tuple: Vec<Expression<Fr>>) -> Expression<Fr> {
    let tail = tuple
        .into_iter()
        .rev()
        .fold(Expression::Constant(Fr::ZERO), |acc, f| {
            (acc + f) * theta.clone()
        });
    (tail + Expression::Constant(Fr::from(tag))) * theta
}

/// [`compress`] on values.
fn compress_values(theta: Fr, tag: u64, tuple: &[Fr]) -> Fr {
    let tail = tuple
        .iter()
        .rev()
        .fold(Fr::ZERO, |acc, f| (acc + f) * theta);
    (tail + Fr::from(tag)) * theta
}

/// A tuple lookup's helper column: `Σ ± n / (α - e)` of its records, by row.
fn tuple_helper(records: &[TupleRecord], alpha: Fr, theta: Fr, tag: u64, bound: usize) -> Vec<Fr> {
    let mut inv: Vec<Fr> = records
        .iter()
        .map(|t| alpha - compress_values(theta, tag, &t.tuple))
        .collect();
    inv.iter_mut().batch_invert();
    let mut h = vec![Fr::ZERO; bound];
    for (t, inv) in records.iter().zip(inv) {
        if let Some(cell) = h.get_mut(t.row) {
            match t.side {
                Side::Input => *cell += t.n * inv,
                Side::Table => *cell -= t.n * inv,
            }
        }
    }
    h
}

/// The argument's advice columns.
#[derive(Clone, Debug)]
pub struct RangeColumns {
    pub m8: Column<Advice>,
    pub mc: Column<Advice>,
    pub helpers: Vec<Column<Advice>>,
    pub tuple_helpers: Vec<Column<Advice>>,
    /// The range-checked inputs each tuple helper holds.
    pub tuple_inputs: Vec<Vec<(Column<Advice>, Range)>>,
    /// The range-checked columns, in helper order (the tuple helpers' last).
    pub inputs: Vec<(Column<Advice>, Range)>,
    /// The table terms' helper, when they have one of their own.
    pub h_table: Option<Column<Advice>>,
    pub sum: Column<Advice>,
}

/// `x` as an integer below `limit`, if it is one.
fn small(x: &Fr, limit: usize) -> Option<usize> {
    let repr = x.to_repr();
    let bytes = repr.as_ref();
    if bytes[8..].iter().any(|&b| b != 0) {
        return None;
    }
    let v = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
    (v < limit as u64).then_some(v as usize)
}

/// `1 / (α - γ - x)` for every byte and `1 / (α - x)` for every common-range value, so that
/// the helpers of an honest witness need no inversion per cell.
struct Inverses {
    alpha: Fr,
    gamma: Fr,
    u8: Vec<Fr>,
    common: Vec<Fr>,
}

impl Inverses {
    fn new(alpha: Fr, gamma: Fr, bound: usize) -> Self {
        let mut u8: Vec<Fr> = (0..BYTES as u64)
            .map(|x| alpha - gamma - Fr::from(x))
            .collect();
        let mut common: Vec<Fr> = (0..bound as u64).map(|x| alpha - Fr::from(x)).collect();
        u8.iter_mut().batch_invert();
        common.par_chunks_mut(1 << 12).for_each(|c| {
            c.iter_mut().batch_invert();
        });
        Inverses {
            alpha,
            gamma,
            u8,
            common,
        }
    }

    /// Adds the input column's `1 / (α - e)`, row by row, to a helper's values.
    fn add(&self, helper: &mut [Fr], w: &RangeWitness, (c, r): (Column<Advice>, Range)) {
        for (h, x) in helper.iter_mut().zip(w.values(c)) {
            *h += self.of(r, x);
        }
    }

    /// `1 / (α - e)` for a cell `x` of range `r` (a value out of range is inverted directly).
    fn of(&self, r: Range, x: &Fr) -> Fr {
        let (table, shift) = match r {
            Range::U8 => (&self.u8, self.gamma),
            Range::Common => (&self.common, Fr::ZERO),
        };
        match small(x, table.len()) {
            Some(v) => table[v],
            None => (self.alpha - shift - x).invert().unwrap_or(Fr::ZERO),
        }
    }
}

/// The values the tables assign to the range-checked columns, rows `0 .. B` (zero where
/// nothing is assigned), kept apart from the region for the helpers' witness.
#[derive(Debug)]
pub struct RangeWitness {
    /// Position in `values` by advice column index.
    slot: Vec<Option<usize>>,
    values: Vec<Vec<Fr>>,
    /// Each tuple lookup's records.
    tuples: Vec<Vec<TupleRecord>>,
}

/// `n` copies of `tuple` on `side` of a tuple lookup, on row `row`.
#[derive(Clone, Debug)]
struct TupleRecord {
    row: usize,
    side: Side,
    n: Fr,
    tuple: Vec<Fr>,
}

impl RangeWitness {
    fn new(k: u32, columns: Vec<Column<Advice>>, lookups: usize) -> Self {
        let rows = common_bound(k) as usize;
        let mut slot = vec![None; columns.iter().map(|c| c.index() + 1).max().unwrap_or(0)];
        for (i, c) in columns.iter().enumerate() {
            slot[c.index()] = Some(i);
        }
        RangeWitness {
            slot,
            values: vec![vec![Fr::ZERO; rows]; columns.len()],
            tuples: vec![vec![]; lookups],
        }
    }

    /// Records `n` copies of `tuple` on `side` of tuple lookup `lookup` (in the order of
    /// `configure`'s lookups), on row `row`.
    pub fn record_tuple(&mut self, lookup: usize, side: Side, row: usize, n: u64, tuple: Vec<Fr>) {
        self.record_tuple_n(lookup, side, row, Fr::from(n), tuple);
    }

    /// [`RangeWitness::record_tuple`] with `n` any field element (a forged multiplicity).
    pub fn record_tuple_n(&mut self, lookup: usize, side: Side, row: usize, n: Fr, tuple: Vec<Fr>) {
        self.tuples[lookup].push(TupleRecord {
            row,
            side,
            n,
            tuple,
        });
    }

    /// Records an assigned cell (cells of other columns, or past row `B`, are ignored).
    pub fn record(&mut self, column: Column<Advice>, row: usize, v: Fr) {
        if let Some(&Some(i)) = self.slot.get(column.index()) {
            if let Some(cell) = self.values[i].get_mut(row) {
                *cell = v;
            }
        }
    }

    fn values(&self, c: Column<Advice>) -> &[Fr] {
        let i = self.slot[c.index()].expect("an input column");
        &self.values[i]
    }
}
