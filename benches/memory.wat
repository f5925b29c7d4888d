;; A memory-heavy workload for `benches/prove.rs`, provable with the covered classes: `n`
;; rounds (the public input) of a hash-like walk over the first page, each loading bytes,
;; half-words, words and double words at unaligned addresses (some spanning two blocks) and
;; storing double words, words and bytes back; outputs the running value. A round is 40
;; steps, 7 of them loads and stores (the reference system's instruction mix has about 10%).
(module
  (import "env" "wasm_input" (func $in (param i32) (result i64)))
  (import "env" "wasm_output" (func $out (param i64)))
  (memory 1)
  (func (export "zkmain") (local $n i64) (local $i i64) (local $p i32) (local $acc i64)
    (local.set $n (call $in (i32.const 1)))
    (local.set $acc (i64.const 0x9e3779b97f4a7c15))
    (block $done
      (loop $round
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i64.add (i64.mul (local.get $acc) (i64.const 31))
          (i64.load offset=3 (local.get $p))))
        (i64.store offset=5 (local.get $p) (local.get $acc))
        (local.set $acc (i64.add (local.get $acc) (i64.load16_s offset=1 (local.get $p))))
        (i32.store offset=2 (local.get $p) (i32.load8_u offset=7 (local.get $p)))
        (i32.store8 (local.get $p) (i32.load offset=6 (local.get $p)))
        (local.set $p (i32.add (local.get $p) (i32.const 13)))
        (if (i32.gt_u (local.get $p) (i32.const 65000))
          (then (local.set $p (i32.sub (local.get $p) (i32.const 65000)))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $round)))
    (call $out (local.get $acc))))
