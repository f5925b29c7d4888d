//! Loading: bytes (binary or WAT) → validated module → [`Module`] in the flat ISA.
//!
//! wasmi validates first (its errors are the reference's), then wasmparser drives our own
//! compiler over the same bytes: module sections become the init tables (globals, table
//! elements, data), function bodies go through [`function::compile_body`]; a module that uses
//! `memory.copy`, `memory.fill` or `popcnt` gets their helper functions ([`helpers`]).

mod function;
mod helpers;
mod names;

use crate::image::{Body, Function, Global, MemoryImage, Module, NumTy, Signature};
use crate::isa::HostFn;
use crate::{Error, Limits, Result, PAGE_SIZE};
use std::collections::BTreeMap;
use wasmparser::{
    ConstExpr, DataKind, ElementItems, ElementKind, ExternalKind, FuncValidatorAllocations,
    Operator, Parser, Payload, RefType, TypeRef, ValType, ValidPayload, Validator, WasmFeatures,
};

/// The Wasm features the compiler accepts. Float code validates (and is rejected only when it
/// runs); reference types validate so that modern toolchains' encodings load, but reference
/// values cannot be created (their instructions are unsupported when executed).
pub fn features() -> WasmFeatures {
    WasmFeatures::WASM1
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::REFERENCE_TYPES
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::MULTI_VALUE
}

/// Turns WAT text into a binary; binaries pass through.
pub fn to_binary(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>> {
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes.into());
    }
    wat::parse_bytes(bytes).map_err(|e| Error::Malformed(e.to_string()))
}

/// Validates with wasmi, the reference implementation, with the same features we compile.
fn validate_with_wasmi(bytes: &[u8]) -> Result<()> {
    let mut cfg = wasmi::Config::default();
    cfg.compilation_mode(wasmi::CompilationMode::LazyTranslation);
    let engine = wasmi::Engine::new(&cfg);
    wasmi::Module::new(&engine, bytes)
        .map(drop)
        .map_err(|e| Error::Invalid(e.to_string()))
}

/// Loads a module from a Wasm binary or WAT text, validates and compiles it.
pub fn load(bytes: &[u8], limits: &Limits) -> Result<Module> {
    let bin = to_binary(bytes)?;
    validate_with_wasmi(&bin)?;
    compile(&bin, limits)
}

fn wasm_err(e: wasmparser::BinaryReaderError) -> Error {
    // wasmi accepted the module, so whatever our validator refuses is a feature we lack.
    Error::UnsupportedFeature(e.to_string())
}

pub(crate) fn num_ty(t: ValType, offset: usize) -> Result<NumTy> {
    Ok(match t {
        ValType::I32 => NumTy::I32,
        ValType::I64 => NumTy::I64,
        ValType::F32 => NumTy::F32,
        ValType::F64 => NumTy::F64,
        ValType::Ref(r) if r == RefType::FUNCREF => NumTy::FuncRef,
        ValType::Ref(r) if r == RefType::EXTERNREF => NumTy::ExternRef,
        other => {
            return Err(Error::UnsupportedFeature(format!(
                "value type {other} is not supported (at offset {offset:#x})"
            )))
        }
    })
}

fn signature(ft: &wasmparser::FuncType, offset: usize) -> Result<Signature> {
    let conv = |ts: &[ValType]| {
        ts.iter()
            .map(|&t| num_ty(t, offset))
            .collect::<Result<Vec<_>>>()
    };
    Ok(Signature {
        params: conv(ft.params())?,
        results: conv(ft.results())?,
    })
}

/// Evaluates a constant expression (global initialiser, segment offset, element item).
/// Element items evaluate to a function index + 1 (0 = null).
fn eval_const(expr: &ConstExpr<'_>, globals: &[Global]) -> Result<u64> {
    let mut ops = expr.get_operators_reader();
    let offset = ops.original_position();
    let op = ops.read().map_err(wasm_err)?;
    let v = match op {
        Operator::I32Const { value } => value as u32 as u64,
        Operator::I64Const { value } => value as u64,
        Operator::F32Const { value } => value.bits() as u64,
        Operator::F64Const { value } => value.bits(),
        Operator::GlobalGet { global_index } => globals[global_index as usize].init,
        Operator::RefNull { .. } => 0,
        Operator::RefFunc { function_index } => function_index as u64 + 1,
        other => {
            return Err(Error::UnsupportedFeature(format!(
                "constant expression `{}` at offset {offset:#x}",
                names::opcode_name(&other)
            )))
        }
    };
    Ok(v)
}

/// Compiles a binary that wasmi has validated.
pub fn compile(bytes: &[u8], limits: &Limits) -> Result<Module> {
    let mut validator = Validator::new_with_features(features());
    let mut m = Module {
        types: vec![],
        functions: vec![],
        br_table: vec![],
        table: vec![],
        memory: MemoryImage::default(),
        globals: vec![],
        start: None,
        exports: BTreeMap::new(),
        unsupported: vec![],
        helpers: vec![],
    };
    let mut table_max: Option<u64> = None;
    let mut allocs = FuncValidatorAllocations::default();
    // Decode with our features too: wasmi's defaults read some MVP-malformed encodings (a
    // reserved zero byte, an over-long LEB offset) as multi-memory or memory64 immediates.
    let mut parser = Parser::new(0);
    parser.set_features(features());
    for payload in parser.parse_all(bytes) {
        let payload = payload.map_err(|e| Error::Malformed(e.to_string()))?;
        let valid = validator.payload(&payload).map_err(wasm_err)?;
        match payload {
            Payload::TypeSection(r) => {
                let offset = r.range().start;
                for ft in r.into_iter_err_on_gc_types() {
                    m.types.push(signature(&ft.map_err(wasm_err)?, offset)?);
                }
            }
            Payload::ImportSection(r) => {
                for imp in r {
                    let imp = imp.map_err(wasm_err)?;
                    let kind = match imp.ty {
                        TypeRef::Func(t) => {
                            let host = HostFn::by_name(imp.name).filter(|_| imp.module == "env");
                            if let Some(host) = host {
                                check_host_signature(host, &m.types[t as usize])?;
                                m.functions.push(Function {
                                    type_idx: t,
                                    n_locals: 0,
                                    body: Body::Host(host),
                                });
                                continue;
                            }
                            "function"
                        }
                        TypeRef::Table(_) => "table",
                        TypeRef::Memory(_) => "memory",
                        TypeRef::Global(_) => "global",
                        TypeRef::Tag(_) => "tag",
                    };
                    return Err(Error::UnsupportedImport {
                        module: imp.module.to_string(),
                        name: imp.name.to_string(),
                        kind: kind.to_string(),
                    });
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    let type_idx = t.map_err(wasm_err)?;
                    let n_locals = m.types[type_idx as usize].params.len() as u32;
                    m.functions.push(Function {
                        type_idx,
                        n_locals,
                        body: Body::Code {
                            code: vec![],
                            offsets: vec![],
                        },
                    });
                }
            }
            Payload::TableSection(r) => {
                let offset = r.range().start;
                for t in r {
                    let t = t.map_err(wasm_err)?;
                    if !m.table.is_empty() || table_max.is_some() {
                        return Err(Error::UnsupportedFeature(format!(
                            "more than one table (at offset {offset:#x})"
                        )));
                    }
                    if t.ty.element_type != RefType::FUNCREF {
                        return Err(Error::UnsupportedFeature(format!(
                            "table of {} (at offset {offset:#x}); only funcref tables are supported",
                            t.ty.element_type
                        )));
                    }
                    if t.ty.initial > limits.max_table as u64 {
                        return Err(Error::Instantiation(format!(
                            "table of {} elements exceeds the table limit of {}",
                            t.ty.initial, limits.max_table
                        )));
                    }
                    m.table = vec![None; t.ty.initial as usize];
                    table_max = Some(t.ty.maximum.unwrap_or(u64::MAX));
                }
            }
            Payload::MemorySection(r) => {
                for mem in r {
                    let mem = mem.map_err(wasm_err)?;
                    if mem.initial > limits.max_pages as u64 {
                        return Err(Error::Instantiation(format!(
                            "memory of {} initial pages exceeds the page limit of {}",
                            mem.initial, limits.max_pages
                        )));
                    }
                    m.memory = MemoryImage {
                        exists: true,
                        initial_pages: mem.initial as u32,
                        max_pages: mem.maximum.map(|p| p.min(u32::MAX as u64) as u32),
                        data: vec![],
                    };
                }
            }
            Payload::GlobalSection(r) => {
                for g in r {
                    let g = g.map_err(wasm_err)?;
                    let offset = g.init_expr.get_binary_reader().original_position();
                    let ty = num_ty(g.ty.content_type, offset)?;
                    let init = eval_const(&g.init_expr, &m.globals)?;
                    m.globals.push(Global {
                        ty,
                        mutable: g.ty.mutable,
                        init,
                    });
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.map_err(wasm_err)?;
                    if e.kind == ExternalKind::Func {
                        m.exports.insert(e.name.to_string(), e.index);
                    }
                }
            }
            Payload::StartSection { func, .. } => m.start = Some(func),
            Payload::ElementSection(r) => {
                for el in r {
                    let el = el.map_err(wasm_err)?;
                    let ElementKind::Active { offset_expr, .. } = el.kind else {
                        continue; // passive/declared: only table.init reads them (unsupported)
                    };
                    let base = eval_const(&offset_expr, &m.globals)? as u32 as usize;
                    let items: Vec<Option<u32>> = match el.items {
                        ElementItems::Functions(fs) => fs
                            .into_iter()
                            .map(|f| f.map(Some).map_err(wasm_err))
                            .collect::<Result<_>>()?,
                        ElementItems::Expressions(_, es) => es
                            .into_iter()
                            .map(|e| {
                                let v = eval_const(&e.map_err(wasm_err)?, &m.globals)?;
                                Ok(v.checked_sub(1).map(|f| f as u32))
                            })
                            .collect::<Result<_>>()?,
                    };
                    let end = base
                        .checked_add(items.len())
                        .filter(|&e| e <= m.table.len());
                    let Some(end) = end else {
                        return Err(Error::Instantiation(
                            "out of bounds table access: element segment does not fit table 0"
                                .into(),
                        ));
                    };
                    m.table[base..end].copy_from_slice(&items);
                }
            }
            Payload::DataSection(r) => {
                for d in r {
                    let d = d.map_err(wasm_err)?;
                    let DataKind::Active { offset_expr, .. } = d.kind else {
                        continue; // passive: only memory.init reads them (unsupported)
                    };
                    let base = eval_const(&offset_expr, &m.globals)? as u32 as usize;
                    let size = m.memory.initial_pages as usize * PAGE_SIZE;
                    if base.checked_add(d.data.len()).is_none_or(|e| e > size) {
                        return Err(Error::Instantiation(
                            "out of bounds memory access: data segment does not fit memory 0"
                                .into(),
                        ));
                    }
                    m.memory.data.push((base as u32, d.data.to_vec()));
                }
            }
            _ => {}
        }
        if let ValidPayload::Func(to_validate, body) = valid {
            let fid = to_validate.index;
            let mut fv = to_validate.into_validator(std::mem::take(&mut allocs));
            let (code, offsets, n_locals) = function::compile_body(&mut m, fid, &mut fv, &body)?;
            m.functions[fid as usize] = Function {
                type_idx: m.functions[fid as usize].type_idx,
                n_locals,
                body: Body::Code { code, offsets },
            };
            allocs = fv.into_allocations();
        }
    }
    helpers::append(&mut m);
    Ok(m)
}

fn check_host_signature(host: HostFn, sig: &Signature) -> Result<()> {
    let (params, results) = host.signature();
    let same = |a: &[NumTy], b: &[crate::ValTy]| {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.is_int() && x.width() == *y)
    };
    if same(&sig.params, params) && same(&sig.results, results) {
        return Ok(());
    }
    let expected = Signature {
        params: params.iter().map(|t| NumTy::int(*t)).collect(),
        results: results.iter().map(|t| NumTy::int(*t)).collect(),
    };
    Err(Error::ImportSignature {
        name: host.name().to_string(),
        found: sig.to_string(),
        expected: expected.to_string(),
    })
}
