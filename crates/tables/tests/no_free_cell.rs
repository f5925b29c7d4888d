//! No free cell: changing any single field of any row of the ETable, its events, the MTable,
//! the JTable, the bit table or the instances must be rejected by the checker, and the checker
//! must never panic on such tables. (The image table is the program itself: changing it
//! changes what is proved, not whether a run is honest.)

mod common;

use proptest::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;
use zkwasm_tables::{build, check, Tables};
use zkwasm_tracer::isa::{Instr, ValTy};
use zkwasm_tracer::trace::{Loc, Rw};
use zkwasm_tracer::{execute, load, Inputs, Limits};

fn honest() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let limits = Limits::default();
        let img = load(common::CLASSES.as_bytes(), &limits)
            .unwrap()
            .image("zkmain")
            .unwrap();
        let inputs = Inputs {
            public: vec![12],
            private: vec![0x1234_5678_9abc_def0],
        };
        let run = execute(&img, &inputs, &limits).unwrap();
        let t = build(&img, &run.trace, &run.outcome.instances, &limits);
        check(&t).expect("honest tables pass");
        t
    })
}

/// A different value for a field: flip one bit of it, or replace it.
fn other(v: u64, bit: u32, replace: Option<u64>) -> u64 {
    match replace {
        Some(r) if r != v => r,
        _ => v ^ (1 << bit),
    }
}

/// Mutates field `field` (modulo the row type's field count) of row `row` of table `table`.
/// Returns a description, or `None` when the mutation would leave the tables unchanged.
fn mutate(
    t: &mut Tables,
    table: usize,
    row: usize,
    field: usize,
    bit: u32,
    replace: Option<u64>,
) -> Option<String> {
    let n32 = |v: u32| other(v as u64, bit % 32, replace) as u32;
    match table % 6 {
        0 => {
            let i = row % t.etable.len();
            let r = &mut t.etable[i];
            match field % 11 {
                0 => r.eid = n32(r.eid),
                1 => r.fid = n32(r.fid),
                2 => r.iid = n32(r.iid),
                3 => r.sp = n32(r.sp),
                4 => r.pages = n32(r.pages),
                5 => r.frame = n32(r.frame),
                6 => r.rest_mops = other(r.rest_mops, bit, replace),
                7 => r.rest_calls = n32(r.rest_calls),
                8 => r.rest_returns = n32(r.rest_returns),
                9 => r.instance = n32(r.instance),
                _ => {
                    r.instr = match r.instr {
                        Instr::I32Const(v) => Instr::I32Const(v ^ 1),
                        Instr::Drop => Instr::Select(ValTy::I32),
                        _ => Instr::Drop,
                    }
                }
            }
            Some(format!("etable[{i}] field {}", field % 11))
        }
        1 => {
            let i = row % t.events.len();
            let e = &mut t.events[i];
            match field % 5 {
                0 => e.value = other(e.value, bit % 32, replace.map(|r| r & 0xffff_ffff)),
                1 => e.addr = n32(e.addr),
                2 => {
                    e.loc = if e.loc == Loc::Stack {
                        Loc::Heap
                    } else {
                        Loc::Stack
                    }
                }
                3 => {
                    e.rw = if e.rw == Rw::Read {
                        Rw::Write
                    } else {
                        Rw::Read
                    }
                }
                _ => {
                    e.ty = if e.ty == ValTy::I32 {
                        ValTy::I64
                    } else {
                        ValTy::I32
                    }
                }
            }
            Some(format!("events[{i}] field {}", field % 5))
        }
        2 => {
            let i = row % t.mtable.len();
            let r = &mut t.mtable[i];
            match field % 8 {
                0 => r.addr = n32(r.addr),
                1 => r.start = n32(r.start),
                2 => r.end = n32(r.end),
                3 => r.value = other(r.value, bit % 32, replace.map(|r| r & 0xffff_ffff)),
                4 => {
                    r.ty = if r.ty == ValTy::I32 {
                        ValTy::I64
                    } else {
                        ValTy::I32
                    }
                }
                5 => r.init = !r.init,
                6 => r.mutable = !r.mutable,
                _ => {
                    r.loc = if r.loc == Loc::Global {
                        Loc::Heap
                    } else {
                        Loc::Global
                    }
                }
            }
            Some(format!("mtable[{i}] field {}", field % 8))
        }
        3 => {
            let i = row % t.jtable.len();
            let r = &mut t.jtable[i];
            match field % 7 {
                0 => r.frame = n32(r.frame),
                1 => r.parent = n32(r.parent),
                2 => r.callee = n32(r.callee),
                3 => r.ret_fid = n32(r.ret_fid),
                4 => r.ret_iid = n32(r.ret_iid),
                5 => r.returned = !r.returned,
                _ => r.is_static = !r.is_static,
            }
            Some(format!("jtable[{i}] field {}", field % 7))
        }
        4 => {
            let i = row % t.bit_table.len();
            let r = &mut t.bit_table[i];
            match field % 3 {
                0 => r.lhs = other(r.lhs, bit, replace),
                1 => r.rhs = other(r.rhs, bit, replace),
                _ => r.and = other(r.and, bit, replace),
            }
            Some(format!("bit_table[{i}] field {}", field % 3))
        }
        _ => {
            let i = row % t.instances.len();
            t.instances[i] = other(t.instances[i], bit, replace);
            Some(format!("instances[{i}]"))
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_changed_field_is_rejected(
        table in 0usize..6, row in any::<usize>(), field in any::<usize>(), bit in 0u32..64,
        replace in prop::option::of(prop_oneof![Just(0u64), Just(1u64), Just(u32::MAX as u64), any::<u64>()]),
    ) {
        let mut t = honest().clone();
        let what = mutate(&mut t, table, row, field, bit, replace);
        prop_assume!(what.is_some() && &t != honest());
        let verdict = catch_unwind(AssertUnwindSafe(|| check(&t)));
        let what = what.unwrap_or_default();
        prop_assert!(verdict.is_ok(), "the checker panicked on {}", what);
        prop_assert!(verdict.unwrap().is_err(), "{} was accepted", what);
    }
}
