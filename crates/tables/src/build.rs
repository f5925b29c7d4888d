//! Image + trace → tables. Counters are suffix sums over the steps; the MTable is every write
//! plus one init entry per heap block and global the run touches, sorted by location then
//! eid (in parallel), with each entry's interval closed by the next write to its location.

use crate::{
    BitRow, BrEntry, ERow, FuncEntry, ImageTable, InitMemory, InitState, JRow, MRow, Tables,
    END_EID,
};
use rayon::prelude::*;
use std::collections::HashMap;
use zkwasm_tracer::image::{Body, Signature};
use zkwasm_tracer::isa::{BinOp, HostFn, Instr};
use zkwasm_tracer::trace::{Loc, MemEvent, Rw, Trace};
use zkwasm_tracer::{Image, Limits};

/// Wasm's page limit for 32-bit memories.
const MAX_WASM_PAGES: u32 = 65536;
/// Blocks in a 4 GiB address space.
pub(crate) const BLOCK_SPACE: u32 = 1 << 29;

/// Builds the tables of a finished run of `image` (`instances` from its outcome).
pub fn build(image: &Image, trace: &Trace, instances: &[u64], limits: &Limits) -> Tables {
    let img = image_table(image, limits);
    let n = trace.steps.len();
    let events_of = |i: usize| {
        let start = if i == 0 {
            0
        } else {
            trace.steps[i - 1].events_end as usize
        };
        &trace.events[start..trace.steps[i].events_end as usize]
    };

    // Per-step counts, then suffix sums for the counters and prefix sums for instances.
    let mut calls = vec![0u32; n];
    let mut returns = vec![0u32; n];
    for f in &trace.frames {
        calls[f.call_eid as usize - 1] = 1;
        if f.return_eid != 0 {
            returns[f.return_eid as usize - 1] = 1;
        }
    }
    let instrs: Vec<Instr> = trace
        .steps
        .iter()
        .map(|s| {
            image
                .instr(s.fid, s.iid)
                .expect("a traced instruction exists")
        })
        .collect();
    let (mut mops, mut rc, mut rr) = (0u64, 0u32, 0u32);
    let mut etable = vec![];
    etable.reserve_exact(n);
    for i in (0..n).rev() {
        mops += events_of(i).iter().filter(|e| e.rw == Rw::Write).count() as u64;
        rc += calls[i];
        rr += returns[i];
        let s = trace.steps[i];
        etable.push(ERow {
            eid: i as u32 + 1,
            fid: s.fid,
            iid: s.iid,
            sp: s.sp,
            pages: s.pages,
            frame: s.frame,
            instr: instrs[i],
            rest_mops: mops,
            rest_calls: rc,
            rest_returns: rr,
            instance: 0,
            events_end: s.events_end,
        });
    }
    etable.reverse();
    let mut count = 0;
    for (i, row) in etable.iter_mut().enumerate() {
        row.instance = count;
        count += instance_delta(&img, row.instr, events_of(i)) as u32;
    }

    let mtable = mtable(&img, trace, n, &events_of);
    let mut jtable = vec![JRow::entry_frame(img.state.entry_fid)];
    jtable.extend(trace.frames.iter().map(|f| JRow {
        frame: f.call_eid,
        parent: f.parent,
        callee: f.callee,
        ret_fid: f.ret_fid,
        ret_iid: f.ret_iid,
        returned: f.return_eid != 0,
        is_static: false,
    }));
    let bit_table = (0..n)
        .into_par_iter()
        .flat_map_iter(|i| bit_rows(etable[i].instr, events_of(i)))
        .collect();
    Tables {
        image: img,
        etable,
        events: trace.events.clone(),
        mtable,
        jtable,
        bit_table,
        instances: instances.to_vec(),
    }
}

/// The host function a step calls, if any: `call_host`, or a call (direct or through table 0)
/// of an imported function. `events` give `call_indirect`'s table index.
pub(crate) fn step_host(img: &ImageTable, instr: Instr, events: &[MemEvent]) -> Option<HostFn> {
    let callee = match instr {
        Instr::CallHost(h) => return Some(h),
        Instr::Call(f) => f,
        Instr::CallIndirect { .. } => (*img.elements.get(events.first()?.value as usize)?)?,
        _ => return None,
    };
    img.functions.get(callee as usize)?.host
}

/// Whether a step adds an instance: a public `wasm_input` or a `wasm_output`. The host call's
/// first operand read is its argument (after `call_indirect`'s index).
pub(crate) fn instance_delta(img: &ImageTable, instr: Instr, events: &[MemEvent]) -> bool {
    let arg = events.get(matches!(instr, Instr::CallIndirect { .. }) as usize);
    match step_host(img, instr, events) {
        Some(HostFn::WasmInput) => arg.is_some_and(|e| e.value != 0),
        Some(HostFn::WasmOutput) => true,
        _ => false,
    }
}

/// The bit-table rows of a step: a bitwise step's operands and their AND (read rhs, read
/// lhs, write); a signed division's operands' signs, each operand ANDed with the sign bit
/// (lhs first).
fn bit_rows(instr: Instr, ev: &[MemEvent]) -> Vec<BitRow> {
    let Instr::Bin { op, ty } = instr else {
        return vec![];
    };
    let (Some(rhs), Some(lhs)) = (ev.first(), ev.get(1)) else {
        return vec![];
    };
    let row = |lhs: u64, rhs: u64| BitRow {
        lhs,
        rhs,
        and: lhs & rhs,
    };
    match op {
        _ if is_bitwise(op) => vec![row(lhs.value, rhs.value)],
        BinOp::DivS | BinOp::RemS => {
            let top = sign_bit(ty);
            vec![row(lhs.value, top), row(rhs.value, top)]
        }
        _ => vec![],
    }
}

/// The sign bit of a value of type `ty`.
pub fn sign_bit(ty: zkwasm_tracer::ValTy) -> u64 {
    (ty.mask() >> 1) + 1
}

/// Whether `op` is proved through the bit table.
pub fn is_bitwise(op: BinOp) -> bool {
    matches!(op, BinOp::And | BinOp::Or | BinOp::Xor)
}

/// The image table of `image` under `limits`.
pub fn image_table(image: &Image, limits: &Limits) -> ImageTable {
    let m = &image.module;
    let mut canon: HashMap<&Signature, u32> = HashMap::new();
    let type_ids: Vec<u32> = m
        .types
        .iter()
        .enumerate()
        .map(|(i, s)| *canon.entry(s).or_insert(i as u32))
        .collect();
    let mut functions: Vec<FuncEntry> = m
        .functions
        .iter()
        .map(|f| FuncEntry {
            type_id: type_ids[f.type_idx as usize],
            host: match f.body {
                Body::Host(h) => Some(h),
                Body::Code { .. } => None,
            },
        })
        .collect();
    functions.push(FuncEntry {
        type_id: u32::MAX,
        host: None,
    });
    let mut instructions = vec![];
    let mut br_table = vec![];
    for fid in 0..=image.entry_fid() {
        let code = image.function(fid).expect("fid in range").code();
        for (iid, &i) in code.iter().enumerate() {
            instructions.push((fid, iid as u32, i));
            if let Instr::BrTable { start, len } = i {
                for index in 0..len {
                    let target = m.br_table[(start + index) as usize];
                    br_table.push(BrEntry {
                        fid,
                        iid: iid as u32,
                        index,
                        target,
                    });
                }
            }
        }
    }
    let mut memory = vec![];
    let mut next = 0;
    for (block, value) in m.memory.blocks() {
        if block > next {
            memory.push(InitMemory::Zero {
                start: next,
                end: block,
            });
        }
        memory.push(InitMemory::Block { block, value });
        next = block + 1;
    }
    memory.push(InitMemory::Zero {
        start: next,
        end: BLOCK_SPACE,
    });
    let max_pages = m
        .memory
        .max_pages
        .unwrap_or(MAX_WASM_PAGES)
        .min(limits.max_pages);
    ImageTable {
        state: InitState {
            entry_fid: image.entry_fid(),
            pages: m.memory.initial_pages,
            max_pages,
            has_memory: m.memory.exists,
            max_stack: limits.max_stack,
        },
        functions,
        instructions,
        br_table,
        type_ids,
        elements: m.table.clone(),
        memory,
        globals: m.globals.clone(),
    }
}

/// The initial value of a heap block.
pub(crate) fn init_block(img: &ImageTable, block: u32) -> u64 {
    let i = img.memory.partition_point(|e| match *e {
        InitMemory::Block { block: b, .. } => b < block,
        InitMemory::Zero { end, .. } => end <= block,
    });
    match img.memory.get(i) {
        Some(InitMemory::Block { block: b, value }) if *b == block => *value,
        _ => 0,
    }
}

fn mtable<'t>(
    img: &ImageTable,
    trace: &'t Trace,
    n: usize,
    events_of: &(dyn Fn(usize) -> &'t [MemEvent] + Sync),
) -> Vec<MRow> {
    let mutable = |loc: Loc, addr: u32| loc != Loc::Global || img.globals[addr as usize].mutable;
    let mut rows: Vec<MRow> = (0..n)
        .into_par_iter()
        .flat_map_iter(|i| {
            events_of(i)
                .iter()
                .filter(|e| e.rw == Rw::Write)
                .map(move |e| MRow {
                    loc: e.loc,
                    addr: e.addr,
                    start: i as u32 + 1,
                    end: END_EID,
                    value: e.value,
                    ty: e.ty,
                    init: false,
                    mutable: true,
                })
        })
        .collect();
    let mut touched: Vec<(Loc, u32)> = trace
        .events
        .par_iter()
        .filter(|e| e.loc != Loc::Stack)
        .map(|e| (e.loc, e.addr))
        .collect();
    touched.par_sort_unstable();
    touched.dedup();
    rows.extend(touched.into_iter().map(|(loc, addr)| {
        let (value, ty) = match loc {
            Loc::Global => {
                let g = img.globals[addr as usize];
                (g.init, g.ty.width())
            }
            _ => (init_block(img, addr), zkwasm_tracer::ValTy::I64),
        };
        MRow {
            loc,
            addr,
            start: 0,
            end: END_EID,
            value,
            ty,
            init: true,
            mutable: true,
        }
    }));
    for r in rows.iter_mut() {
        r.mutable = mutable(r.loc, r.addr);
    }
    rows.par_sort_unstable_by_key(|r| (r.loc, r.addr, r.start));
    for i in 1..rows.len() {
        if (rows[i - 1].loc, rows[i - 1].addr) == (rows[i].loc, rows[i].addr) {
            rows[i - 1].end = rows[i].start;
        }
    }
    rows
}
