//! Helper functions the compiler appends to a module whose code needs them: operations that
//! run, and are proved, as calls of ordinary instructions. They are written in Wasm here and
//! compiled by this compiler; their traps are reported at the calling instruction (`interp`).
//!
//! **`memory.copy` and `memory.fill`.** Why not a circuit class of their own: a bulk step
//! moves a variable number of bytes, so it needs micro-steps whose state (destination, source,
//! bytes left, direction) crosses steps, plus one-hot byte positions of the source and the
//! destination and the bytes of two blocks. Measured against the ETable's allocator, that is
//! about 6 more columns (12 cells on every step of every program, where the budget leaves 10
//! for all of Circuits II), to save steps only in programs that copy a lot. A helper costs
//! nothing per step; measured (`zkwasm-cli dry-run`): a copy of 4096 bytes takes 4,278 steps
//! in either direction, a fill 3,250 (about 1 and 0.8 steps per byte in the 32-byte loops),
//! and a call of zero bytes about 55 (bounds, direction, the loops' tests and the tail
//! pieces). Semantics are the spec's (checked against wasmi by the spec tests and the fuzzer):
//! - the bounds first, as 33-bit sums (`dst + n` and, for a copy, `src + n` at most the
//!   memory's size), before any byte moves, even for `n = 0`; out of bounds, the helper
//!   makes a load that always traps ([`TRAP`]), so the trap is the spec's
//!   "out of bounds memory access";
//! - a copy to a higher address runs from the end, so overlapping ranges copy as if through
//!   a buffer: every load of a chunk comes before the store that could overwrite it;
//! - `memory.fill` stores the value's low byte.
//!
//! **`popcnt`** (i32, i64): rare in real code (hashing and parsing code counts zeros, which
//! `clz`/`ctz` prove in one step), so it is the classic SWAR count (bit pairs, nibbles, bytes
//! summed by a multiplication): 31 steps, four bit-table rows, no cell of its own; a class of
//! its own would need the operand's bits or a per-byte count table and its lookups.

use crate::image::{Body, Function, Helper, Module, NumTy, Signature};
use crate::isa::{DropKeep, Instr, ValTy};
use std::sync::OnceLock;

/// A load that traps whatever memory holds: its effective address, `2^32 - 1` plus the
/// offset `2^32 - 1`, is past the largest memory (2^32 bytes).
const TRAP: &str = "(drop (i32.load8_u offset=4294967295 (i32.const -1)))";

/// The store and the load of `width` bytes.
fn ops(width: u32) -> (&'static str, &'static str) {
    match width {
        1 => ("i32.store8", "i32.load8_u"),
        2 => ("i32.store16", "i32.load16_u"),
        4 => ("i32.store", "i32.load"),
        _ => ("i64.store", "i64.load"),
    }
}

/// `$x += k` (`-` for `op = "sub"`).
fn bump(x: &str, op: &str, k: u32) -> String {
    format!("(local.set ${x} (i32.{op} (local.get ${x}) (i32.const {k})))")
}

/// The copy's moves in one direction: a loop of 32 bytes a turn, one of 8, then pieces of 4,
/// 2 and 1 bytes (a piece when its bit of `$n` is set). Forward, `$d` and `$s` point at the
/// next bytes to move and advance after each move; backward, they start at the ends and
/// retreat before each move, so the bytes are moved from the last down, and within a turn
/// the higher words first.
fn copy_moves(forward: bool) -> String {
    let mv = |width: u32, o: u32| {
        let (store, load) = ops(width);
        format!("({store} offset={o} (local.get $d) ({load} offset={o} (local.get $s)))")
    };
    let op = if forward { "add" } else { "sub" };
    let step = |w: u32| format!("{}{}", bump("d", op, w), bump("s", op, w));
    let turn = |w: u32| {
        let mut offsets: Vec<u32> = (0..w).step_by(8).collect();
        if !forward {
            offsets.reverse();
        }
        let moves: String = offsets.into_iter().map(|o| mv(8, o)).collect();
        let (before, after) = if forward {
            (String::new(), step(w))
        } else {
            (step(w), String::new())
        };
        format!(
            "(block $done (loop $l (br_if $done (i32.lt_u (local.get $n) (i32.const {w}))) \
             {before}{moves}{after}{} (br $l)))",
            bump("n", "sub", w)
        )
    };
    let piece = |w: u32| {
        let (before, after) = if forward {
            (String::new(), step(w))
        } else {
            (step(w), String::new())
        };
        format!(
            "(if (i32.and (local.get $n) (i32.const {w})) (then {before}{}{after}))",
            mv(w, 0)
        )
    };
    [turn(32), turn(8), piece(4), piece(2), piece(1)].concat()
}

/// `popcnt` of width `w` (32 or 64) by SWAR: `$x` counts bits in pairs, then nibbles, then
/// bytes, whose sum the multiplication gathers in the top byte.
fn popcnt(w: u32) -> String {
    let t = format!("i{w}");
    let m = |byte: u64| format!("({t}.const {:#x})", (u64::MAX >> (64 - w)) / 255 * byte);
    let x = "(local.get $x)";
    let shr = |k: u32| format!("({t}.shr_u {x} ({t}.const {k}))");
    format!(
        "(func (param $x {t}) (result {t})
    (local.set $x ({t}.sub {x} ({t}.and {s1} {m55})))
    (local.set $x ({t}.add ({t}.and {x} {m33}) ({t}.and {s2} {m33})))
    (local.set $x ({t}.and ({t}.add {x} {s4}) {m0f}))
    ({t}.shr_u ({t}.mul {x} {m01}) ({t}.const {top})))",
        s1 = shr(1),
        s2 = shr(2),
        s4 = shr(4),
        m55 = m(0x55),
        m33 = m(0x33),
        m0f = m(0x0f),
        m01 = m(0x01),
        top = w - 8,
    )
}

/// The signature of helper `h`.
fn signature(h: Helper) -> Signature {
    let (params, results) = match h {
        Helper::MemoryCopy | Helper::MemoryFill => (vec![NumTy::I32; 3], vec![]),
        Helper::I32Popcnt => (vec![NumTy::I32], vec![NumTy::I32]),
        Helper::I64Popcnt => (vec![NumTy::I64], vec![NumTy::I64]),
        Helper::Host(host) => {
            let (params, results) = host.signature();
            let int = |ts: &[ValTy]| ts.iter().map(|&t| NumTy::int(t)).collect();
            (int(params), int(results))
        }
    };
    Signature { params, results }
}

/// The helpers in the order of [`Helper::WASM`]: `memory.copy` and `memory.fill`, each
/// `[dst, src or value, n] -> []`, then `popcnt` of i32 and i64.
fn source() -> String {
    let bound = |x: &str| {
        format!(
            "(i64.gt_u (i64.add (i64.extend_i32_u (local.get {x})) \
             (i64.extend_i32_u (local.get $n))) (local.get $size))"
        )
    };
    let size = "(local.set $size (i64.shl (i64.extend_i32_u (memory.size)) (i64.const 16)))";
    let store_v = |o: u32| format!("(i64.store offset={o} (local.get $d) (local.get $v))");
    let fill32: String = [0, 8, 16, 24].map(store_v).concat();
    format!(
        r#"(module (memory 1)
  (func (param $d i32) (param $s i32) (param $n i32) (local $size i64)
    {size}
    (if (i32.or {bd} {bs}) (then {TRAP}))
    (if (i32.gt_u (local.get $d) (local.get $s))
      (then
        (local.set $d (i32.add (local.get $d) (local.get $n)))
        (local.set $s (i32.add (local.get $s) (local.get $n)))
        {back})
      (else {fwd})))
  (func (param $d i32) (param $b i32) (param $n i32) (local $size i64) (local $v i64)
    {size}
    (if {bd} (then {TRAP}))
    (local.set $v (i64.mul (i64.extend_i32_u (i32.and (local.get $b) (i32.const 255)))
                           (i64.const 0x0101010101010101)))
    (block $done (loop $l
      (br_if $done (i32.lt_u (local.get $n) (i32.const 32)))
      {fill32} {d32} {n32}
      (br $l)))
    (block $done (loop $l
      (br_if $done (i32.lt_u (local.get $n) (i32.const 8)))
      {fill8} {d8} {n8}
      (br $l)))
    (if (i32.and (local.get $n) (i32.const 4)) (then
      (i64.store32 (local.get $d) (local.get $v)) {d4}))
    (if (i32.and (local.get $n) (i32.const 2)) (then
      (i64.store16 (local.get $d) (local.get $v)) {d2}))
    (if (i32.and (local.get $n) (i32.const 1)) (then
      (i64.store8 (local.get $d) (local.get $v)))))
  {popcnt32}
  {popcnt64})"#,
        bd = bound("$d"),
        bs = bound("$s"),
        back = copy_moves(false),
        fwd = copy_moves(true),
        fill8 = store_v(0),
        d32 = bump("d", "add", 32),
        n32 = bump("n", "sub", 32),
        d8 = bump("d", "add", 8),
        n8 = bump("n", "sub", 8),
        d4 = bump("d", "add", 4),
        d2 = bump("d", "add", 2),
        popcnt32 = popcnt(32),
        popcnt64 = popcnt(64),
    )
}

/// The Wasm helpers' compiled code, in the order of [`Helper::WASM`] (compiled once).
fn compiled() -> &'static [Function; 4] {
    static HELPERS: OnceLock<[Function; 4]> = OnceLock::new();
    HELPERS.get_or_init(|| {
        let bin = wat::parse_str(source()).expect("the helpers parse");
        let m = super::compile(&bin, &crate::Limits::default()).expect("the helpers compile");
        std::array::from_fn(|i| {
            let mut f = m.functions[i].clone();
            if let Body::Code { offsets, .. } = &mut f.body {
                // Shared by every call site: no offset of the module's own.
                offsets.iter_mut().for_each(|o| *o = 0);
            }
            f
        })
    })
}

/// The function index of helper `h`: the helpers follow the module's own functions in the
/// order of first use ([`append`] appends them once the module is read).
pub(super) fn fid(m: &mut Module, h: Helper) -> u32 {
    if let Some(&(fid, _)) = m.helpers.iter().find(|(_, x)| *x == h) {
        return fid;
    }
    let fid = (m.functions.len() + m.helpers.len()) as u32;
    m.helpers.push((fid, h));
    fid
}

/// The code of helper `h`: a Wasm helper's, compiled, or a host wrapper's. A wrapper's
/// parameters are the host function's operands already: it calls it and returns what it
/// pushed (its frame holds nothing else).
fn function(h: Helper) -> Function {
    let Helper::Host(host) = h else {
        return compiled()[Helper::WASM.iter().position(|&x| x == h).expect("listed")].clone();
    };
    let code = vec![Instr::CallHost(host), Instr::Return(DropKeep::default())];
    Function {
        type_idx: 0,
        n_locals: host.signature().0.len() as u32,
        body: Body::Code {
            offsets: vec![0; code.len()],
            code,
        },
    }
}

/// Appends the helpers `m`'s code calls, at the indices [`fid`] gave them (after the
/// module's own functions, in the order of first use), each with a type of its own; first,
/// the table's imported host functions become their wrappers.
pub(super) fn append(m: &mut Module) {
    for i in 0..m.table.len() {
        if let Some(f) = m.table[i] {
            if let Body::Host(host) = m.functions[f as usize].body {
                m.table[i] = Some(fid(m, Helper::Host(host)));
            }
        }
    }
    for (fid, h) in std::mem::take(&mut m.helpers) {
        assert_eq!(
            fid as usize,
            m.functions.len(),
            "helpers follow the module's functions"
        );
        let type_idx = m.types.len() as u32;
        m.types.push(signature(h));
        m.functions.push(Function {
            type_idx,
            ..function(h)
        });
        m.helpers.push((fid, h));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_helpers_call_no_helper() {
        for f in compiled() {
            assert!(f.code().iter().all(|i| !matches!(i, crate::Instr::Call(_))));
        }
    }

    #[test]
    fn popcnt_counts_the_bits_of_edge_values() {
        let wat = r#"(module
          (func (export "p32") (param i32) (result i32) (i32.popcnt (local.get 0)))
          (func (export "p64") (param i64) (result i64) (i64.popcnt (local.get 0))))"#;
        let m = crate::load(wat.as_bytes(), &crate::Limits::default()).unwrap();
        let mut inst = crate::Instance::new(&m, crate::Limits::default());
        let mut count = |name: &str, x: u64| {
            let f = m.entry_function(m.exports[name], &[x], false).unwrap();
            let out = inst.run(&f, &crate::Inputs::default(), &mut crate::NullSink);
            out.unwrap().results[0]
        };
        let mut values = vec![
            0,
            1,
            u64::MAX,
            1 << 63,
            1 << 31,
            0x8000_0001,
            0x5555_aaaa_0f0f_f0f0,
        ];
        values.extend((0..64).map(|i| 1u64 << i | 0x0123_4567_89ab_cdef >> i));
        for x in values {
            assert_eq!(count("p64", x), x.count_ones() as u64, "i64 {x:#x}");
            let x32 = x as u32;
            assert_eq!(
                count("p32", x32 as u64),
                x32.count_ones() as u64,
                "i32 {x32:#x}"
            );
        }
    }
}
