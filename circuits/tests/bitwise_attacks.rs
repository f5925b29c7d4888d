//! An adversarial review of the bitwise operations (`op_bin`'s `and`, `or` and `xor` through
//! the bit table, `bittable.rs`) and of the arithmetic rule rewritten with them. Each attack
//! is a consistent forgery: the written value forged in the MTable too ([`forge_write`]), the
//! class's and the bit table's cells overwritten, and, where the circuit's own witness
//! records cannot follow a forged cell, the lookup's helper and the running sum patched to
//! match it ([`Forgery::terms`]), so that only the constraint that should object can. Each
//! test asserts the exact set of failing constraints; an accepted forgery is a true statement
//! (a block moved, multiplicities shuffled), never a false one.
//!
//! What holds, as found: a bit-table entry composes its triple from 48 cells, each a nibble
//! (every pair of every row `0 .. B` is in the AND table), so the triple is below 2^64 and
//! true; the entry's selector stops at block `B / 8 - 2`, whose rows end before `B`, so no
//! entry reads a row the nibble lookups leave out; `copies` and `uses` only restate true
//! tuples (the AND table is fixed, its rows past 256 repeat `(0, 0, 0)`); the tags keep the
//! nibble and bit lookups apart; the class's fields are pinned by `sub`, and the limbs' i32
//! upper bytes are zero.

#[allow(dead_code)] // Shared with tests/vm.rs, which uses all of it.
mod runs;

use ff::Field;
use halo2_proofs::dev::MockProver;
use halo2_proofs::plonk::{Advice, Circuit, Column, ConstraintSystem};
use runs::patch::{cell, challenges, compress};
use runs::*;
use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;
use zkwasm_circuits::bittable::{BitColumns, PAIRS};
use zkwasm_circuits::etable::ROWS;
use zkwasm_circuits::mock::failures;
use zkwasm_circuits::range::common_bound;
use zkwasm_circuits::vm::{tuple_lookup, VmCircuit, VmConfig};
use zkwasm_circuits::Fr;
use zkwasm_tables::encode::Class;
use zkwasm_tables::fixed::{nibbles, NIBBLES};
use zkwasm_tables::Tables;
use zkwasm_tracer::isa::{BinOp, Instr};

const BIN: &str = "gate: op bin arith";
const SUM: &str = "gate: range sum ends at zero";

/// The nibble lookup (first pair) and the bit lookup among the range argument's tuple
/// lookups (`vm::tuple_lookup`), and their tags (`vm::Lookup::tag`).
static NIBBLE: LazyLock<(usize, u64)> =
    LazyLock::new(|| tuple_lookup("nibble lookup").expect("a lookup of the VM"));
static BIT: LazyLock<(usize, u64)> =
    LazyLock::new(|| tuple_lookup("bit lookup").expect("a lookup of the VM"));

/// A program of `body`'s instructions.
fn wat(body: &str) -> String {
    format!("(module (func (export \"zkmain\")\n{body}))")
}

/// The first step running `op`: its index, its result's event index and the result.
fn bin_step(t: &Tables, want: BinOp) -> (usize, usize, u64) {
    let i = (0..t.etable.len())
        .find(|&i| matches!(t.etable[i].instr, Instr::Bin { op, .. } if op == want))
        .expect("the program runs it");
    let events = t.events_of(i);
    (i, events.len() - 1, events[events.len() - 1].value)
}

/// The circuit's configuration (for its columns).
fn config(t: &Tables) -> VmConfig {
    let mut meta = ConstraintSystem::<Fr>::default();
    let c = VmCircuit::new(k_for(t), t.clone());
    VmCircuit::configure_with_params(&mut meta, c.params())
}

/// A bit-table column, by name.
type BitColumn = fn(&BitColumns) -> Column<Advice>;

fn a(i: usize) -> BitColumn {
    [|c: &BitColumns| c.a[0], |c: &BitColumns| c.a[1]][i]
}

fn b(i: usize) -> BitColumn {
    [|c: &BitColumns| c.b[0], |c: &BitColumns| c.b[1]][i]
}

fn r(i: usize) -> BitColumn {
    [|c: &BitColumns| c.r[0], |c: &BitColumns| c.r[1]][i]
}

const COPIES: BitColumn = |c| c.copies;
const USES: BitColumn = |c| c.uses;

/// The cells of a bit-table block starting at `row` that make it compose `(lhs, rhs, and)`
/// (nibble `n` on row `row + n / PAIRS`, pair `n % PAIRS`), whether or not `and` is the AND.
fn block(row: usize, lhs: u64, rhs: u64, and: u64) -> Vec<(BitColumn, usize, Fr)> {
    let (l, rh, an) = (nibbles(lhs), nibbles(rhs), nibbles(and));
    (0..NIBBLES)
        .flat_map(|n| {
            let (at, p) = (row + n / PAIRS, n % PAIRS);
            [(a(p), l[n]), (b(p), rh[n]), (r(p), an[n])].map(|(c, v)| (c, at, Fr::from(v as u64)))
        })
        .collect()
}

/// A lookup (its index and tag, as [`NIBBLE`] and [`BIT`]), a row, how many copies, a tuple.
type Term = ((usize, u64), usize, Fr, Vec<Fr>);

/// An arithmetic step (the instruction), its op, the value written instead and the class's
/// cells forged with it.
type ArithCase = (&'static str, BinOp, u64, &'static [(&'static str, u64)]);

/// A forged run: ETable cells of the `BinArith` class (step, cell, value), bit-table cells
/// (column, row, value), and the lookup terms the circuit's witness records miss.
#[derive(Default)]
struct Forgery {
    etable: Vec<(usize, &'static str, Fr)>,
    bits: Vec<(BitColumn, usize, Fr)>,
    /// `(lookup, tag, row, n, tuple)`: `n` copies of `tuple` on the input side (`n > 0`) or
    /// `-n` on the table side of the tuple lookup, on row `row`: added to its helper there,
    /// and to the running sum on every later row.
    terms: Vec<Term>,
}

/// The circuit of `t` with `f`'s cells forged (its terms not yet patched in).
fn circuit(t: &Tables, f: &Forgery) -> VmCircuit {
    let mut c = VmCircuit::new(k_for(t), t.clone());
    let cfg = config(t);
    let etable = cfg.etable_rc();
    for &(i, name, v) in &f.etable {
        let cell = etable
            .class_cell(Class::BinArith, name)
            .expect("a class cell");
        c.etable_overrides
            .set(cell.column, i * ROWS + cell.rot as usize, v);
    }
    let cols = config(t).bit_columns();
    for &(column, row, v) in &f.bits {
        c.bit_overrides.set(column(&cols), row, v);
    }
    c
}

/// What fails in the run of `t` forged by `f`.
fn attack(t: &Tables, f: &Forgery) -> BTreeSet<String> {
    let k = k_for(t);
    let mut c = circuit(t, f);
    if !f.terms.is_empty() {
        let [alpha, _, theta] = challenges();
        let prover = MockProver::run(k, &c, c.instances()).unwrap();
        let range = config(t).range_columns();
        let bound = common_bound(k) as usize;
        let mut cells: HashMap<(Column<Advice>, usize), Fr> = HashMap::new();
        for &((lookup, tag), row, n, ref tuple) in &f.terms {
            let term = n * (alpha - compress(theta, tag, tuple)).invert().unwrap();
            let h = range.tuple_helpers[lookup];
            let at = |c, r| cell(&prover, c, r);
            *cells.entry((h, row)).or_insert_with(|| at(h, row)) += term;
            for s in row + 1..=bound {
                *cells
                    .entry((range.sum, s))
                    .or_insert_with(|| at(range.sum, s)) += term;
            }
        }
        for ((column, row), v) in cells {
            c.range_overrides.set(column, row, v);
        }
    }
    failures(k, &c, c.instances())
}

/// The honest value of a bit-table cell.
fn honest_bit_cell(t: &Tables, column: BitColumn, row: usize) -> Fr {
    let k = k_for(t);
    let c = VmCircuit::new(k, t.clone());
    let prover = MockProver::run(k, &c, c.instances()).unwrap();
    cell(&prover, column(&config(t).bit_columns()), row)
}

/// The harness itself: a term patched into a helper without a cell of the circuit making it
/// fails the lookup's gate (with its opposite on another row, the sum still balances), so a
/// patch only stands for a term the circuit has (`uses_only_move_between_copies_of_a_row`).
#[test]
fn a_patched_term_the_circuit_lacks_is_caught() {
    let t = tables(&wat("(drop (i64.and (i64.const 255) (i64.const 15)))"));
    let tuple = vec![Fr::from(3), Fr::from(5), Fr::from(1)];
    let pair = Forgery {
        terms: vec![
            (*BIT, 10, Fr::ONE, tuple.clone()),
            (*BIT, 40, -Fr::ONE, tuple.clone()),
        ],
        ..Default::default()
    };
    assert_eq!(attack(&t, &pair), set(&["gate: bit lookup"]));
    let one = Forgery {
        terms: vec![(*BIT, 10, Fr::ONE, tuple)],
        ..Default::default()
    };
    assert_eq!(attack(&t, &one), set(&["gate: bit lookup", SUM]));
}

/// The end of the usable area: entries are supplied from blocks `0 .. B / 8 - 1` only (the
/// last one ends at row `B - 9`); a block at `B - 8` or at `B` (whose rows past `B` no
/// nibble lookup reads) supplies nothing.
#[test]
fn blocks_past_the_last_entry_supply_nothing() {
    let t = tables(&wat("(drop (i64.and (i64.const 255) (i64.const 15)))"));
    let bound = common_bound(k_for(&t)) as usize;
    let (i, e, result) = bin_step(&t, BinOp::And);
    assert_eq!(result, 0x0f);
    let moved = |row: usize| {
        let mut bits = block(row, 0xff, 0x0f, 0x0f);
        bits.extend([(COPIES, 0, Fr::ZERO), (COPIES, row, Fr::ONE)]);
        Forgery {
            bits,
            ..Default::default()
        }
    };
    // The honest entry moved to the last block: a true statement, accepted.
    assert_eq!(attack(&t, &moved(bound - 16)), set(&[]));
    // One block further: its rows are all nibble-checked, but no entry starts there.
    assert_eq!(attack(&t, &moved(bound - 8)), set(&[SUM]));
    // `0xff & 0x0f` claimed as `0x1f`, from a block at row `B` (unchecked rows, whose false
    // pair `(15, 0, 1)` would otherwise pass): supplied nowhere.
    let mut forged = t.clone();
    forge_write(&mut forged, i, e, 0x1f);
    let mut bits = block(bound, 0xff, 0x0f, 0x1f);
    bits.extend([(COPIES, 0, Fr::ZERO), (COPIES, bound, Fr::ONE)]);
    let false_entry = Forgery {
        etable: vec![(i, "hi0", Fr::from(0x1f))],
        bits,
        ..Default::default()
    };
    assert_eq!(attack(&forged, &false_entry), set(&[SUM]));
}

/// A false pair on a row past the run's entries, with no copies: the nibble lookups read
/// every row `0 .. B`, supplied or not.
#[test]
fn a_false_pair_past_the_run_fails_the_and_table() {
    let t = tables(&wat("(drop (i64.and (i64.const 255) (i64.const 15)))"));
    let bound = common_bound(k_for(&t)) as usize;
    for row in [8, 100, bound - 1] {
        let f = Forgery {
            bits: vec![(r(1), row, Fr::from(1))],
            ..Default::default()
        };
        assert_eq!(attack(&t, &f), set(&[SUM]), "row {row}");
    }
}

/// Tags: `0 & 0` claimed as 8 by an entry whose own pair `(0, 0, 8)` composes the same
/// triple `(0, 0, 8)`, supplied twice (the step's lookup and its own nibble lookup). With one
/// tag for both lookups the sum would balance; with tags 5 and 6 it does not.
#[test]
fn an_entry_cannot_supply_its_own_nibble_pair() {
    let t = tables(&wat("(drop (i64.and (i64.const 0) (i64.const 0)))"));
    let (i, e, result) = bin_step(&t, BinOp::And);
    assert_eq!(result, 0);
    let mut forged = t;
    forge_write(&mut forged, i, e, 8);
    for copies in [1, 2] {
        let f = Forgery {
            etable: vec![(i, "hi0", Fr::from(8))],
            bits: vec![(r(0), 0, Fr::from(8)), (COPIES, 0, Fr::from(copies))],
            ..Default::default()
        };
        assert_eq!(attack(&forged, &f), set(&[SUM]), "copies {copies}");
    }
}

/// `copies` as any field element: entries shared between steps, or negative (then the block
/// looks its own true triple up), are true statements and accepted; what does not balance
/// fails the sum.
#[test]
fn copies_only_restate_true_triples() {
    let and = "(drop (i64.and (i64.const 255) (i64.const 15)))\n";
    let t = tables(&wat(&and.repeat(2)));
    assert_eq!(t.bit_table.len(), 2);
    let copies = |v: &[(usize, Fr)]| Forgery {
        bits: v.iter().map(|&(row, n)| (COPIES, row, n)).collect(),
        ..Default::default()
    };
    let (one, two, three) = (Fr::ONE, Fr::from(2), Fr::from(3));
    // The two steps' entries are the same triple: one supplies both.
    assert_eq!(attack(&t, &copies(&[(0, two), (8, Fr::ZERO)])), set(&[]));
    assert_eq!(attack(&t, &copies(&[(0, three), (8, -one)])), set(&[]));
    // A zero block past the run looking `(0, 0, 0)` up, another supplying it.
    assert_eq!(attack(&t, &copies(&[(40, -one), (80, one)])), set(&[]));
    assert_eq!(attack(&t, &copies(&[(40, -one)])), set(&[SUM]));
    assert_eq!(attack(&t, &copies(&[(0, two)])), set(&[SUM]));
}

/// The AND table's rows past 256 are zeros, a second `(0, 0, 0)`: its uses may move there
/// (a true statement, accepted); moved past `B` (outside the sum) or to another row of the
/// table they no longer balance.
#[test]
fn uses_only_move_between_copies_of_a_row() {
    let t = tables(&wat("(drop (i32.xor (i32.const 255) (i32.const 15)))"));
    let bound = common_bound(k_for(&t)) as usize;
    let zeros = honest_bit_cell(&t, USES, 0);
    let zero_tuple = vec![Fr::ZERO; 3];
    let moved = |to: usize, patched: bool| Forgery {
        bits: vec![(USES, 0, zeros - Fr::ONE), (USES, to, Fr::ONE)],
        // The witness records the table's first 256 rows only: the circuit's term of `to`.
        terms: if patched {
            vec![(*NIBBLE, to, -Fr::ONE, zero_tuple.clone())]
        } else {
            vec![]
        },
        ..Default::default()
    };
    assert_eq!(attack(&t, &moved(300, true)), set(&[]));
    assert_eq!(attack(&t, &moved(bound - 1, true)), set(&[]));
    assert_eq!(attack(&t, &moved(bound, false)), set(&[SUM]));
    // Row 1 is `(0, 1, 0)`, which no pair of the run is.
    assert_eq!(attack(&t, &moved(1, false)), set(&[SUM]));
}

/// A mul passed off as an and of its operands (`0xff · 0x0f` claimed as `0x0f`), with the bit
/// table supplying the true triple and the step's bit lookup patched in: only `sub` objects
/// (the image says mul). And the other way, an and claimed as a mul without its lookup.
#[test]
fn a_mul_and_an_and_cannot_swap_rules() {
    let t = tables(&wat("(drop (i64.mul (i64.const 255) (i64.const 15)))"));
    let (i, e, result) = bin_step(&t, BinOp::Mul);
    assert_eq!(result, 0xef1);
    let mut forged = t;
    forge_write(&mut forged, i, e, 0x0f);
    let triple = [0xff, 0x0f, 0x0f].map(Fr::from).to_vec();
    let mut bits = block(0, 0xff, 0x0f, 0x0f);
    bits.push((COPIES, 0, Fr::ONE));
    let f = Forgery {
        etable: vec![
            (i, "is_mul", Fr::ZERO),
            (i, "is_and", Fr::ONE),
            (i, "hi0", Fr::from(0x0f)),
        ],
        bits,
        terms: vec![(*BIT, i * ROWS, Fr::ONE, triple)],
    };
    assert_eq!(attack(&forged, &f), set(&[BIN]));

    let t = tables(&wat("(drop (i64.and (i64.const 255) (i64.const 15)))"));
    let (i, e, _) = bin_step(&t, BinOp::And);
    let mut forged = t;
    forge_write(&mut forged, i, e, 0xef1);
    let f = Forgery {
        etable: vec![
            (i, "is_mul", Fr::ONE),
            (i, "is_and", Fr::ZERO),
            (i, "hi0", Fr::ZERO),
        ],
        bits: vec![(COPIES, 0, Fr::ZERO)],
        // The witness records the and's lookup of what its result claims.
        terms: vec![(
            *BIT,
            i * ROWS,
            -Fr::ONE,
            [0xff, 0x0f, 0xef1].map(Fr::from).to_vec(),
        )],
    };
    assert_eq!(attack(&forged, &f), set(&[BIN]));
}

/// An i32 operand with bit 32 set (`i32.const 255` written as `2^32 + 255`, its read and the
/// bit table's entry to match): the and step itself holds (its triple is true of the forged
/// operand, and its result's upper bytes are zero), the const's write does not: the 32-bit
/// range of an i32 operand is its writer's rule.
#[test]
fn an_i32_operand_with_upper_bits_is_its_writers_fault() {
    let t = tables(&wat("(drop (i32.and (i32.const 255) (i32.const 15)))"));
    let c = step(&t, |i| matches!(i, Instr::I32Const(255)));
    let mut forged = t;
    forge_write(&mut forged, c, 0, 255 | 1 << 32);
    forged.bit_table[0].lhs = 255 | 1 << 32;
    assert_eq!(
        attack(&forged, &Forgery::default()),
        set(&["gate: op const"])
    );
}

/// The rewritten arithmetic rule: an i32 mul's or add's wrap kept in the result's upper bytes
/// (`2^16 · 2^16` as `2^32` with `hi = 0`, `(2^32 - 1) + 1` as `2^32` with no carry), a hi
/// on an add, a carry on a xor: each fails the class's gate, and only it.
#[test]
fn the_arithmetic_rule_keeps_its_limbs() {
    let cases: [ArithCase; 4] = [
        (
            "i32.mul (i32.const 65536) (i32.const 65536)",
            BinOp::Mul,
            1 << 32,
            &[("hi0", 0)],
        ),
        (
            "i32.add (i32.const -1) (i32.const 1)",
            BinOp::Add,
            1 << 32,
            &[("carry", 0)],
        ),
        (
            "i64.add (i64.const 1) (i64.const 2)",
            BinOp::Add,
            3,
            &[("hi0", 1)],
        ),
        (
            "i64.xor (i64.const 255) (i64.const 15)",
            BinOp::Xor,
            0xf0,
            &[("carry", 1)],
        ),
    ];
    for (body, op, written, cells) in cases {
        let t = tables(&wat(&format!("(drop ({body}))")));
        let (i, e, _) = bin_step(&t, op);
        let mut forged = t;
        forge_write(&mut forged, i, e, written);
        let f = Forgery {
            etable: cells.iter().map(|&(n, v)| (i, n, Fr::from(v))).collect(),
            ..Default::default()
        };
        assert_eq!(attack(&forged, &f), set(&[BIN]), "{body}");
    }
}

/// The degree-5 limit: the class's rule (`sel · is_mul · lhs · rhs`: 2 + 1 + 2), the bit
/// lookup's helper (`q · n_in · d_t`, `n_in = q_step · bit · bitwise`: 1 + 3 + 1), the nibble
/// lookups' (degree 4 with the table, 5 with a range input), and the whole circuit.
#[test]
fn the_new_constraints_stay_at_degree_5() {
    let t = tables(&wat("(drop (i64.or (i64.const 1) (i64.const 2)))"));
    let mut meta = ConstraintSystem::<Fr>::default();
    let c = VmCircuit::new(k_for(&t), t);
    VmCircuit::configure_with_params(&mut meta, c.params());
    let degree = |name: &str| {
        let gates = meta.gates().iter().filter(|g| g.name() == name);
        gates
            .flat_map(|g| g.polynomials().iter().map(|p| p.degree()))
            .max()
            .unwrap_or_else(|| panic!("no gate {name}"))
    };
    for name in [
        "op bin arith",
        "bit lookup",
        "nibble lookup",
        "nibble lookup (second pair)",
    ] {
        assert_eq!(degree(name), 5, "{name}");
    }
    assert_eq!(meta.degree(), 5);
}
