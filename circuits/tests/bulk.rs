//! `memory.copy` and `memory.fill` on whole runs: they are calls to the compiler's helper
//! functions (`zkwasm_tracer::compile::helpers`), whose steps the load, store, arithmetic and
//! jump classes prove. Copies in both directions, overlapping, of zero bytes and up to the
//! end of memory after a grow are accepted; a copy that skips or duplicates a block, a
//! fill with a forged byte and a copy claimed against a smaller memory are rejected.

#[allow(dead_code)] // Shared with tests/vm.rs, which uses all of it.
mod runs;

use runs::*;
use std::collections::BTreeSet;
use zkwasm_tables::Tables;
use zkwasm_tracer::isa::Instr;
use zkwasm_tracer::trace::{Loc, Rw};

const STORE: &str = "gate: op store";

/// Copies forward and backward (overlapping both ways), unaligned and of every tail length,
/// zero-length ones (also at the very end of memory), and fills; then the last bytes of a
/// grown memory.
const BULK: &str = r#"(module (memory 1 2)
  (data (i32.const 3) "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP")
  (func (export "zkmain")
    (memory.copy (i32.const 100) (i32.const 3) (i32.const 47))
    (memory.copy (i32.const 5) (i32.const 3) (i32.const 45))
    (memory.copy (i32.const 101) (i32.const 104) (i32.const 43))
    (memory.copy (i32.const 200) (i32.const 7) (i32.const 7))
    (memory.copy (i32.const 0) (i32.const 65536) (i32.const 0))
    (memory.fill (i32.const 301) (i32.const 0x1a5) (i32.const 39))
    (memory.fill (i32.const 65536) (i32.const 7) (i32.const 0))
    (drop (memory.grow (i32.const 1)))
    (memory.fill (i32.const 131000) (i32.const 0xee) (i32.const 72))
    (memory.copy (i32.const 131064) (i32.const 3) (i32.const 8))))"#;

/// The helpers' function ids: the last two functions before the entry.
fn helpers(t: &Tables) -> (u32, u32) {
    let entry = t.image.state.entry_fid;
    (entry - 2, entry - 1)
}

/// The steps of helper `fid` that store, with their writes' event indices.
fn helper_stores(t: &Tables, fid: u32) -> Vec<(usize, usize)> {
    (0..t.etable.len())
        .filter(|&i| t.etable[i].fid == fid && matches!(t.etable[i].instr, Instr::Store { .. }))
        .flat_map(|i| {
            let events = t.events_of(i);
            (0..events.len())
                .filter(move |&e| events[e].rw == Rw::Write && events[e].loc == Loc::Heap)
                .map(move |e| (i, e))
        })
        .collect()
}

/// The value write `e` of step `i` overwrote: its location's MTable entry that ends there.
fn overwritten(t: &Tables, i: usize, e: usize) -> u64 {
    let (ev, eid) = (t.events_of(i)[e], t.etable[i].eid);
    t.mtable
        .iter()
        .find(|m| (m.loc, m.addr, m.end) == (ev.loc, ev.addr, eid))
        .expect("a write ends its location's previous entry")
        .value
}

#[test]
fn copies_and_fills_are_accepted() {
    let t = tables(BULK);
    let (copy, fill) = helpers(&t);
    let calls = |fid| t.jtable.iter().filter(|j| j.callee == fid).count();
    assert_eq!((calls(copy), calls(fill)), (6, 3));
    assert_eq!(run(t), BTreeSet::new());
}

#[test]
fn a_copy_that_skips_or_duplicates_a_block_is_rejected() {
    let t = tables(BULK);
    let (copy, fill) = helpers(&t);
    let stores = helper_stores(&t, copy);
    assert!(stores.len() > 10, "{stores:?}");
    let (i, e) = stores[3];
    let old = overwritten(&t, i, e);
    // Skipped: the block keeps its old value, as if the store had not moved anything.
    let mut skipped = t.clone();
    forge_write(&mut skipped, i, e, old);
    // (A later copy reads this block back: its load of the forged bytes fails too.)
    let failed = run(skipped);
    assert!(failed.contains(STORE), "{failed:?}");
    // Duplicated: the block written with the value the previous store wrote.
    let (pi, pe) = stores[2];
    let previous = t.events_of(pi)[pe].value;
    let mut duplicated = t.clone();
    forge_write(&mut duplicated, i, e, previous);
    let failed = run(duplicated);
    assert!(failed.contains(STORE), "{failed:?}");
    // A fill's block with one byte other than the fill's.
    let (i, e) = helper_stores(&t, fill)[1];
    let written = t.events_of(i)[e].value;
    let mut forged = t.clone();
    forge_write(&mut forged, i, e, written ^ 0x100);
    assert_eq!(run(forged), set(&[STORE]));
}

#[test]
fn a_copy_claimed_against_a_smaller_memory_is_rejected() {
    // The copy's last block lies in the second page; claimed against one page from the
    // start, its stores are past the end (and `memory.size` answers 1, not 2).
    let wat = r#"(module (memory 2)
      (func (export "zkmain") (memory.copy (i32.const 65530) (i32.const 0) (i32.const 16))))"#;
    let mut t = tables(wat);
    assert_eq!(run(t.clone()), BTreeSet::new());
    t.image.state.pages = 1;
    for r in &mut t.etable {
        r.pages = 1;
    }
    let failed = run(t);
    assert!(failed.contains(STORE), "{failed:?}");
}
