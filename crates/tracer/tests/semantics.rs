//! Compiler and interpreter semantics on hand-written WAT: results, traps, errors, and the
//! shape of the trace (events per instruction, frames). Every trace is also
//! replayed: each read must see the last write (or the image's initial value).

use std::collections::HashMap;
use zkwasm_tracer::isa::{Instr, ValTy};
use zkwasm_tracer::trace::{Loc, Rw};
use zkwasm_tracer::*;

fn image(wat: &str) -> Image {
    load(wat.as_bytes(), &Limits::default())
        .unwrap()
        .image("zkmain")
        .unwrap()
}

fn run_in(img: &Image, inputs: Inputs, limits: Limits) -> Result<Execution> {
    let run = execute(img, &inputs, &limits)?;
    replay(img, &run.trace);
    Ok(run)
}

fn run(wat: &str) -> Execution {
    run_in(&image(wat), Inputs::default(), Limits::default()).unwrap()
}

fn err(wat: &str) -> Error {
    run_in(&image(wat), Inputs::default(), Limits::default()).unwrap_err()
}

/// Every read sees the last write to its location, or the initial value; stack slots are
/// written before they are read; steps are consecutive in frames and sp.
fn replay(img: &Image, trace: &Trace) {
    let mut mem: HashMap<(Loc, u32), u64> = HashMap::new();
    for (b, v) in img.module.memory.blocks() {
        mem.insert((Loc::Heap, b), v);
    }
    for (i, g) in img.module.globals.iter().enumerate() {
        mem.insert((Loc::Global, i as u32), g.init);
    }
    for (i, step) in trace.steps.iter().enumerate() {
        assert!(
            img.instr(step.fid, step.iid).is_some(),
            "step {i} at a missing instruction"
        );
        for e in trace.events_of(i) {
            let key = (e.loc, e.addr);
            assert_eq!(
                e.value & e.ty.mask(),
                e.value,
                "value wider than its type at step {i}: {e:?}"
            );
            match e.rw {
                Rw::Read => {
                    let seen = match mem.get(&key) {
                        Some(v) => *v,
                        None if e.loc == Loc::Heap => 0,
                        None => panic!("step {} reads unwritten {e:?}", i + 1),
                    };
                    assert_eq!(seen, e.value, "step {} reads a stale value: {e:?}", i + 1);
                }
                Rw::Write => {
                    mem.insert(key, e.value);
                }
            }
        }
    }
}

const IO: &str = r#"(import "env" "wasm_input" (func $in (param i32) (result i64)))
                    (import "env" "wasm_output" (func $out (param i64)))
                    (import "env" "require" (func $require (param i32)))"#;

fn outputs(wat_body: &str, public: Vec<u64>) -> Vec<u64> {
    let wat = format!("(module {IO} {wat_body})");
    let img = image(&wat);
    run_in(
        &img,
        Inputs {
            public,
            private: vec![],
        },
        Limits::default(),
    )
    .unwrap()
    .outcome
    .outputs
}

#[test]
fn zkwasm_example_instances() {
    let wat = format!(
        r#"(module {IO} (func (export "zkmain")
            (call $out (i64.mul (call $in (i32.const 1)) (i64.const 2)))
            (call $out (i64.mul (call $in (i32.const 1)) (i64.const 2)))))"#
    );
    let img = image(&wat);
    let run = run_in(
        &img,
        Inputs {
            public: vec![133, 2],
            private: vec![],
        },
        Limits::default(),
    )
    .unwrap();
    assert_eq!(run.outcome.instances, vec![133, 266, 2, 4]);
    assert_eq!(run.outcome.outputs, vec![266, 4]);
}

#[test]
fn locals_by_depth_and_zero_initialised() {
    let out = outputs(
        r#"(func $f (param $a i64) (param $b i32) (result i64)
             (local $x i64) (local $y i32)
             (local.set $x (i64.add (local.get $a) (i64.extend_i32_u (local.get $b))))
             (local.set $y (i32.add (local.get $y) (i32.const 5)))
             (i64.add (local.get $x) (i64.extend_i32_u (local.tee $b (local.get $y)))))
           (func (export "zkmain") (call $out (call $f (i64.const 100) (i32.const 7))))"#,
        vec![],
    );
    assert_eq!(out, vec![112]);
}

#[test]
fn blocks_branches_and_drop_keep() {
    // br out of nested blocks with extra operands on the stack; br_if keeps a value; loops.
    let out = outputs(
        r#"(func $sum (param $n i32) (result i32) (local $acc i32)
             (block $done
               (loop $top
                 (br_if $done (i32.eqz (local.get $n)))
                 (local.set $acc (i32.add (local.get $acc) (local.get $n)))
                 (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                 (br $top)))
             (local.get $acc))
           (func $nested (result i64)
             (i64.const 1) (i64.const 2)
             (block $b (result i64)
               (i64.const 3) (i64.const 4) (i64.const 5)
               (br $b (i64.const 42)))
             (i64.add) (drop))
           (func $brif (param i32) (result i32)
             (block $b (result i32)
               (i32.const 9) (i32.const 10)
               (br_if $b (local.get 0))
               (drop) (drop) (i32.const 11)))
           (func (export "zkmain")
             (call $out (i64.extend_i32_u (call $sum (i32.const 10))))
             (call $out (i64.const 7) (drop) (call $nested))
             (call $out (i64.extend_i32_u (call $brif (i32.const 1))))
             (call $out (i64.extend_i32_u (call $brif (i32.const 0)))))"#,
        vec![],
    );
    assert_eq!(out, vec![55, 1, 10, 11]);
}

#[test]
fn if_else_br_table_and_return() {
    let out = outputs(
        r#"(func $sel (param i32) (result i64)
             (block $d (block $c (block $b (block $a
               (br_table $a $b $c $d (local.get 0)))
               (return (i64.const 100)))
               (return (i64.const 200)))
               (return (i64.const 300)))
             (i64.const 400))
           (func $sign (param i64) (result i32)
             (if (result i32) (i64.lt_s (local.get 0) (i64.const 0))
               (then (i32.const -1))
               (else (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 0)) (else (i32.const 1))))))
           (func $noelse (param i32) (result i32) (local i32)
             (if (local.get 0) (then (local.set 1 (i32.const 5))))
             (local.get 1))
           (func (export "zkmain")
             (call $out (call $sel (i32.const 0)))
             (call $out (call $sel (i32.const 2)))
             (call $out (call $sel (i32.const 3)))
             (call $out (call $sel (i32.const 99)))
             (call $out (i64.extend_i32_s (call $sign (i64.const -5))))
             (call $out (i64.extend_i32_s (call $sign (i64.const 0))))
             (call $out (i64.extend_i32_s (call $sign (i64.const 8))))
             (call $out (i64.extend_i32_u (call $noelse (i32.const 1))))
             (call $out (i64.extend_i32_u (call $noelse (i32.const 0)))))"#,
        vec![],
    );
    assert_eq!(out, vec![100, 300, 400, 400, u64::MAX, 0, 1, 5, 0]);
}

#[test]
fn multi_value_blocks_and_functions() {
    let out = outputs(
        r#"(func $swap (param i64 i32) (result i32 i64) (local.get 1) (local.get 0))
           (func $pair (result i64 i64)
             (i64.const 1)
             (block $b (result i64 i64)
               (i32.const 7) (drop)
               (i64.const 2) (i64.const 3) (br $b))
             (drop))
           (func (export "zkmain")
             (call $swap (i64.const 10) (i32.const 20))
             (call $out) (call $out (i64.extend_i32_u))
             (call $pair) (call $out) (call $out))"#,
        vec![],
    );
    assert_eq!(out, vec![10, 20, 2, 1]);
}

#[test]
fn function_results_are_the_runs_results() {
    let r =
        run(r#"(module (func (export "zkmain") (result i32 i64) (i32.const -1) (i64.const 5)))"#);
    assert_eq!(r.outcome.results, vec![0xffff_ffff, 5]);
}

#[test]
fn calls_record_frames() {
    let r = run(r#"(module (func $leaf (result i32) (i32.const 1))
             (func $mid (result i32) (call $leaf) (call $leaf) (i32.add))
             (func (export "zkmain") (result i32) (call $mid)))"#);
    let frames = &r.trace.frames;
    assert_eq!(frames.len(), 4);
    // zkmain is called by the entry function; mid by zkmain; leaf twice by mid.
    let zkmain = frames[0];
    assert_eq!(zkmain.parent, 0);
    assert_eq!(frames[1].parent, zkmain.call_eid);
    assert_eq!(frames[1].callee, 1);
    assert!(frames.iter().all(|f| f.return_eid > f.call_eid));
    for f in frames {
        let ret = r.trace.steps[f.return_eid as usize - 1];
        assert_eq!(
            ret.frame, f.call_eid,
            "the return runs in the frame it closes"
        );
        let after = r.trace.steps[f.return_eid as usize];
        assert_eq!(
            (after.fid, after.iid, after.frame),
            (f.ret_fid, f.ret_iid, f.parent)
        );
    }
}

#[test]
fn loads_and_stores_touch_blocks() {
    let wat = r#"(module (memory 1) (data (i32.const 8) "\01\02\03\04\05\06\07\08\09\0a")
        (func (export "zkmain") (result i64)
          (i64.store16 (i32.const 15) (i64.const 0xbbaa))
          (i64.load (i32.const 12))))"#;
    let img = image(wat);
    let r = run_in(&img, Inputs::default(), Limits::default()).unwrap();
    // bytes 12..20: 05 06 07 aa | bb 0a 00 00
    assert_eq!(r.outcome.results, vec![0x0000_0abb_aa07_0605]);
    let store = r
        .trace
        .steps
        .iter()
        .position(|s| matches!(img.instr(s.fid, s.iid), Some(Instr::Store { .. })))
        .unwrap();
    let heap: Vec<_> = r
        .trace
        .events_of(store)
        .iter()
        .filter(|e| e.loc == Loc::Heap)
        .map(|e| (e.rw, e.addr))
        .collect();
    // A write stands for a read-modify-write (the memory table's previous entry holds what
    // it overwrote): no block reads.
    assert_eq!(heap, vec![(Rw::Write, 1), (Rw::Write, 2)]);
}

#[test]
fn sign_extension_and_narrow_loads() {
    let out = outputs(
        r#"(memory 1) (data (i32.const 0) "\80\ff\7f")
           (func (export "zkmain")
             (call $out (i64.extend_i32_u (i32.load8_s (i32.const 0))))
             (call $out (i64.load16_s (i32.const 0)))
             (call $out (i64.extend_i32_u (i32.load16_u (i32.const 1))))
             (call $out (i64.extend8_s (i64.const 0x80)))
             (call $out (i64.extend_i32_u (i32.extend16_s (i32.const 0x8000))))
             (call $out (i64.extend32_s (i64.const 0x80000000))))"#,
        vec![],
    );
    assert_eq!(
        out,
        vec![
            0xffff_ff80,
            0xffff_ffff_ffff_ff80,
            0x7fff,
            u64::MAX - 0x7f,
            0xffff_8000,
            0xffff_ffff_8000_0000
        ]
    );
}

#[test]
fn globals_and_memory_grow() {
    let out = outputs(
        r#"(memory 1 3) (global $g (mut i64) (i64.const 40))
           (func (export "zkmain")
             (global.set $g (i64.add (global.get $g) (i64.const 2)))
             (call $out (global.get $g))
             (call $out (i64.extend_i32_u (memory.grow (i32.const 2))))
             (call $out (i64.extend_i32_u (memory.grow (i32.const 1))))
             (call $out (i64.extend_i32_u (memory.size)))
             (i32.store (i32.const 131068) (i32.const 1)))"#,
        vec![],
    );
    assert_eq!(out, vec![42, 1, 0xffff_ffff, 3]);
}

#[test]
fn bulk_memory_runs_as_calls_to_helpers() {
    let wat = r#"(module (memory 1) (data (i32.const 3) "abcdefghijklmnopqrstu")
        (func (export "zkmain")
          (memory.copy (i32.const 100) (i32.const 3) (i32.const 21))
          (memory.copy (i32.const 5) (i32.const 3) (i32.const 21))
          (memory.fill (i32.const 201) (i32.const 0x141) (i32.const 17))
          (memory.copy (i32.const 0) (i32.const 0) (i32.const 0))))"#;
    let img = image(wat);
    let r = run_in(&img, Inputs::default(), Limits::default()).unwrap();
    let mut inst = Instance::new(&img.module, Limits::default());
    inst.run(&img.entry, &Inputs::default(), &mut NullSink)
        .unwrap();
    let mem = inst.memory();
    assert_eq!(&mem[100..121], b"abcdefghijklmnopqrstu");
    assert_eq!(
        &mem[3..26],
        b"ababcdefghijklmnopqrstu",
        "overlapping copy runs backwards"
    );
    assert_eq!(
        &mem[200..219],
        b"\0AAAAAAAAAAAAAAAAA\0",
        "the value's low byte"
    );
    // The helpers follow the module's one function in the order of first use; four calls
    // open four frames.
    use zkwasm_tracer::image::Helper;
    let (copy, fill) = (1, 2);
    let helpers = [(copy, Helper::MemoryCopy), (fill, Helper::MemoryFill)];
    assert_eq!(img.module.helpers, helpers);
    let callees: Vec<u32> = r.trace.frames.iter().map(|f| f.callee).collect();
    assert_eq!(callees, [0, copy, copy, fill, copy]);
    // At most about 3 steps per byte for short runs, plus about 55 per call.
    let in_helpers = r.trace.steps.iter().filter(|s| s.fid >= copy).count();
    assert!(in_helpers < 4 * 65 + 3 * 59, "{in_helpers} steps");
}

/// Every copy and fill of up to 40 bytes between positions around block boundaries moves
/// exactly the bytes `memmove` and `memset` do, in both directions and overlapping.
#[test]
fn bulk_memory_helpers_agree_with_memmove() {
    let wat = r#"(module (memory 1)
        (func (export "zkmain"))
        (func (export "copy") (param i32 i32 i32)
          (memory.copy (local.get 0) (local.get 1) (local.get 2)))
        (func (export "fill") (param i32 i32 i32)
          (memory.fill (local.get 0) (local.get 1) (local.get 2))))"#;
    let m = load(wat.as_bytes(), &Limits::default()).unwrap();
    let mut inst = Instance::new(&m, Limits::default());
    let init: Vec<u8> = (0..128u32).map(|i| (i * 7 + 1) as u8).collect();
    let set = |inst: &mut Instance, bytes: &[u8]| {
        let f = m
            .entry_function(m.exports["fill"], &[0, 0, 0], false)
            .unwrap();
        inst.run(&f, &Inputs::default(), &mut NullSink).unwrap();
        for (i, &b) in bytes.iter().enumerate() {
            let f = m.entry_function(m.exports["fill"], &[i as u64, b as u64, 1], false);
            inst.run(&f.unwrap(), &Inputs::default(), &mut NullSink)
                .unwrap();
        }
    };
    set(&mut inst, &init);
    assert_eq!(&inst.memory()[..128], &init[..]);
    let positions = [0u32, 1, 7, 8, 9, 15, 16, 21, 24, 31, 40];
    for &d in &positions {
        for &s in &positions {
            for n in [0u32, 1, 2, 3, 5, 7, 8, 9, 15, 16, 31, 32, 33, 40] {
                set(&mut inst, &init);
                let f = m.entry_function(m.exports["copy"], &[d as u64, s as u64, n as u64], false);
                inst.run(&f.unwrap(), &Inputs::default(), &mut NullSink)
                    .unwrap();
                let mut want = init.clone();
                want.copy_within(s as usize..(s + n) as usize, d as usize);
                assert_eq!(
                    &inst.memory()[..128],
                    &want[..],
                    "copy {d} <- {s}, {n} bytes"
                );
            }
        }
        for n in [0u32, 1, 3, 7, 8, 13, 32, 39] {
            set(&mut inst, &init);
            let f = m.entry_function(m.exports["fill"], &[d as u64, 0x1e5, n as u64], false);
            inst.run(&f.unwrap(), &Inputs::default(), &mut NullSink)
                .unwrap();
            let mut want = init.clone();
            want[d as usize..(d + n) as usize].fill(0xe5);
            assert_eq!(&inst.memory()[..128], &want[..], "fill {d}, {n} bytes");
        }
    }
}

#[test]
fn bulk_memory_bounds_trap_before_writing_at_the_callers_instruction() {
    for (op, args) in [
        (
            "memory.fill",
            "(i32.const 65530) (i32.const 1) (i32.const 7)",
        ),
        (
            "memory.fill",
            "(i32.const 65537) (i32.const 1) (i32.const 0)",
        ),
        (
            "memory.copy",
            "(i32.const 65530) (i32.const 0) (i32.const 7)",
        ),
        (
            "memory.copy",
            "(i32.const 0) (i32.const 65530) (i32.const 7)",
        ),
        (
            "memory.copy",
            "(i32.const 0) (i32.const 65537) (i32.const 0)",
        ),
        ("memory.copy", "(i32.const -1) (i32.const 0) (i32.const 2)"),
    ] {
        let wat = format!(
            r#"(module (memory 1)
                 (func (export "zkmain") (i32.store (i32.const 65528) (i32.const 9)) ({op} {args})))"#
        );
        let img = image(&wat);
        let e = run_in(&img, Inputs::default(), Limits::default()).unwrap_err();
        let Error::Trap { kind, at } = e else {
            panic!("{op} {args}: {e}")
        };
        assert_eq!(kind, TrapKind::MemoryOutOfBounds, "{op} {args}");
        assert_eq!(
            (at.fid, at.iid),
            (0, 6),
            "{op} {args}: reported at the {op}"
        );
        assert!(at.offset > 0);
    }
    // Exactly up to the end is in bounds, for any length down to zero.
    let wat = r#"(module (memory 1)
        (func (export "zkmain")
          (memory.fill (i32.const 65529) (i32.const 1) (i32.const 7))
          (memory.copy (i32.const 65536) (i32.const 65536) (i32.const 0))
          (memory.copy (i32.const 65500) (i32.const 65529) (i32.const 7))))"#;
    run(wat);
}

#[test]
fn traps_name_their_location() {
    let e = err(
        r#"(module (func (export "zkmain") (result i32) (i32.div_s (i32.const 1) (i32.const 0))))"#,
    );
    let Error::Trap { kind, at } = e else {
        panic!("{e}")
    };
    assert_eq!(kind, TrapKind::IntegerDivideByZero);
    assert_eq!(at.fid, 0);
    assert!(at.offset > 0);
    assert!(e.to_string().contains("integer divide by zero"), "{e}");
    let cases = [
        (
            r#"(func (export "zkmain") unreachable)"#,
            TrapKind::Unreachable,
        ),
        (
            r#"(func (export "zkmain") (drop (i32.div_s (i32.const 0x80000000) (i32.const -1))))"#,
            TrapKind::IntegerOverflow,
        ),
        (
            r#"(memory 1) (func (export "zkmain") (drop (i32.load (i32.const 65533))))"#,
            TrapKind::MemoryOutOfBounds,
        ),
        (
            r#"(table 2 funcref) (func (export "zkmain") (call_indirect (i32.const 5)))"#,
            TrapKind::TableOutOfBounds,
        ),
        (
            r#"(table 2 funcref) (func (export "zkmain") (call_indirect (i32.const 1)))"#,
            TrapKind::UninitializedElement,
        ),
        (
            r#"(table 1 funcref) (elem (i32.const 0) $f) (func $f (param i32))
               (func (export "zkmain") (call_indirect (i32.const 0)))"#,
            TrapKind::IndirectCallTypeMismatch,
        ),
    ];
    for (body, kind) in cases {
        assert_eq!(
            err(&format!("(module {body})")).trap(),
            Some(kind),
            "{body}"
        );
    }
}

#[test]
fn call_indirect_dispatches() {
    let out = outputs(
        r#"(type $t (func (param i64) (result i64)))
           (table 3 funcref) (elem (i32.const 1) $double $square)
           (func $double (type $t) (i64.add (local.get 0) (local.get 0)))
           (func $square (type $t) (i64.mul (local.get 0) (local.get 0)))
           (func (export "zkmain")
             (call $out (call_indirect (type $t) (i64.const 7) (i32.const 1)))
             (call $out (call_indirect (type $t) (i64.const 7) (i32.const 2))))"#,
        vec![],
    );
    assert_eq!(out, vec![14, 49]);
}

#[test]
fn host_errors() {
    let wat = format!(r#"(module {IO} (func (export "zkmain") (drop (call $in (i32.const 0)))))"#);
    let e = run_in(&image(&wat), Inputs::default(), Limits::default()).unwrap_err();
    assert_eq!(
        e,
        Error::MissingInput {
            kind: InputKind::Private,
            index: 0
        }
    );
    assert!(e.to_string().contains("private input #0"), "{e}");
    let wat = format!(
        r#"(module {IO} (func (export "zkmain") (call $require (i32.const 1)) (call $require (i32.const 0))))"#
    );
    let e = run_in(&image(&wat), Inputs::default(), Limits::default()).unwrap_err();
    let Error::RequireFailed { at } = e else {
        panic!("{e}")
    };
    assert_eq!(at.eid, 5, "call, const, require, const, require");
}

#[test]
fn floats_fail_only_when_executed() {
    let wat = r#"(module
        (func $f (result f32) (f32.add (f32.const 1) (f32.const 2)))
        (func (export "zkmain") (result i32) (i32.const 3))
        (func (export "floaty") (result f32) (call $f)))"#;
    assert_eq!(run(wat).outcome.results, vec![3]);
    let img = load(wat.as_bytes(), &Limits::default())
        .unwrap()
        .image("floaty")
        .unwrap();
    let e = dry_run(&img, &Inputs::default(), &Limits::default()).unwrap_err();
    let Error::UnsupportedOpcode { opcode, at } = &e else {
        panic!("{e}")
    };
    assert_eq!(opcode, "f32.const");
    assert_eq!(at.fid, 0);
    assert!(
        e.to_string().contains("f32.const") && e.to_string().contains("offset"),
        "{e}"
    );
}

#[test]
fn limits_are_enforced() {
    let looping = image(r#"(module (func (export "zkmain") (loop (br 0))))"#);
    let limits = Limits {
        max_steps: 1000,
        ..Limits::default()
    };
    let e = run_in(&looping, Inputs::default(), limits).unwrap_err();
    assert!(
        matches!(
            e,
            Error::LimitExceeded {
                limit: Limit::Steps,
                ..
            }
        ),
        "{e}"
    );
    let rec = image(r#"(module (func $r (call $r)) (func (export "zkmain") (call $r)))"#);
    let e = run_in(&rec, Inputs::default(), Limits::default()).unwrap_err();
    assert!(
        matches!(
            e,
            Error::LimitExceeded {
                limit: Limit::CallDepth,
                ..
            }
        ),
        "{e}"
    );
    let deep = image(
        r#"(module (func $r (param i64) (call $r (local.get 0))) (func (export "zkmain") (call $r (i64.const 0))))"#,
    );
    let limits = Limits {
        max_stack: 1000,
        ..Limits::default()
    };
    let e = run_in(&deep, Inputs::default(), limits).unwrap_err();
    assert!(
        matches!(
            e,
            Error::LimitExceeded {
                limit: Limit::ValueStack,
                ..
            }
        ),
        "{e}"
    );
    let big = r#"(module (memory 2000))"#;
    let e = load(big.as_bytes(), &Limits::default()).unwrap_err();
    assert!(matches!(e, Error::Instantiation(_)), "{e}");
}

#[test]
fn load_errors() {
    let l = Limits::default();
    assert!(matches!(
        load(b"\0asm\x01\0\0\0\x99", &l),
        Err(Error::Invalid(_))
    ));
    assert!(matches!(
        load(b"(module (func (i32.add)))", &l),
        Err(Error::Invalid(_))
    ));
    assert!(matches!(load(b"(modul", &l), Err(Error::Malformed(_))));
    let e = load(br#"(module (import "wasi" "fd_write" (func)))"#, &l).unwrap_err();
    assert!(e.to_string().contains("wasi.fd_write"), "{e}");
    let e = load(
        br#"(module (import "env" "wasm_input" (func (param i64))))"#,
        &l,
    )
    .unwrap_err();
    assert!(matches!(e, Error::ImportSignature { .. }), "{e}");
    let m = load(br#"(module (func (export "f") (param i32)))"#, &l).unwrap();
    assert!(matches!(
        m.clone().image("zkmain"),
        Err(Error::MissingExport(_))
    ));
    assert!(matches!(m.image("f"), Err(Error::EntrySignature { .. })));
}

#[test]
fn start_function_is_traced() {
    let r = run(r#"(module (global $g (mut i32) (i32.const 1))
             (func $start (global.set $g (i32.const 7)))
             (start $start)
             (func (export "zkmain") (result i32) (global.get $g)))"#);
    assert_eq!(r.outcome.results, vec![7]);
    assert_eq!(r.trace.frames.len(), 2);
}

#[test]
fn events_have_widths() {
    let img =
        image(r#"(module (func (export "zkmain") (result i64) (i64.extend_i32_u (i32.const 1))))"#);
    let r = run_in(&img, Inputs::default(), Limits::default()).unwrap();
    let conv = r
        .trace
        .steps
        .iter()
        .position(|s| matches!(img.instr(s.fid, s.iid), Some(Instr::Conv(_))))
        .unwrap();
    let ev = r.trace.events_of(conv);
    assert_eq!((ev[0].rw, ev[0].ty), (Rw::Read, ValTy::I32));
    assert_eq!((ev[1].rw, ev[1].ty), (Rw::Write, ValTy::I64));
}

#[test]
fn segment_drops_run_as_no_ops() {
    let wat = r#"(module (memory 1) (data $p "abc") (table 1 funcref) (elem $e func $f)
        (func $f)
        (func (export "zkmain") (result i32) (data.drop $p) (elem.drop $e) (data.drop $p) (i32.const 5)))"#;
    let img = image(wat);
    let r = run_in(&img, Inputs::default(), Limits::default()).unwrap();
    assert_eq!(r.outcome.results, vec![5]);
    let nops: Vec<usize> = (0..r.trace.steps.len())
        .filter(|&i| img.instr(r.trace.steps[i].fid, r.trace.steps[i].iid) == Some(Instr::Nop))
        .collect();
    assert_eq!(nops.len(), 3);
    assert!(nops.iter().all(|&i| r.trace.events_of(i).is_empty()));
    let init = r#"(module (memory 1) (data $p "abc")
        (func (export "zkmain") (memory.init $p (i32.const 0) (i32.const 0) (i32.const 1))))"#;
    let Error::UnsupportedOpcode { opcode, .. } = err(init) else {
        panic!()
    };
    assert_eq!(opcode, "memory.init");
}

/// A host function in the table is called through a wrapper the compiler appends (the table
/// names it, with the host's signature): `call_indirect` runs as into any function, and a
/// failing `require` is reported at the `call_indirect`.
#[test]
fn host_functions_in_the_table_run_through_wrappers() {
    let wat = |arg: i32| {
        format!(
            r#"(module
  (import "env" "require" (func $require (param i32)))
  (import "env" "wasm_input" (func $input (param i32) (result i64)))
  (table 3 funcref)
  (elem (i32.const 0) $require $input $input)
  (func (export "zkmain") (result i64)
    (call_indirect (param i32) (i32.const {arg}) (i32.const 0))
    (call_indirect (param i32) (result i64) (i32.const 1) (i32.const 2))))"#
        )
    };
    let img = image(&wat(1));
    use zkwasm_tracer::image::Helper;
    use zkwasm_tracer::isa::HostFn;
    let (req, input) = (3, 4);
    assert_eq!(
        img.module.helpers,
        [
            (req, Helper::Host(HostFn::Require)),
            (input, Helper::Host(HostFn::WasmInput))
        ]
    );
    assert_eq!(img.module.table, [Some(req), Some(input), Some(input)]);
    let inputs = Inputs {
        public: vec![42],
        ..Inputs::default()
    };
    let r = run_in(&img, inputs, Limits::default()).unwrap();
    assert_eq!(r.outcome.results, [42]);
    let e = run_in(&image(&wat(0)), Inputs::default(), Limits::default()).unwrap_err();
    let Error::RequireFailed { at } = e else {
        panic!("{e}")
    };
    assert_eq!((at.fid, at.iid), (2, 2), "at the call_indirect: {e}");
}
