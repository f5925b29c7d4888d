//! One function body → flat code.
//!
//! Stack layout of a running function: its locals (parameters first) sit on the value stack at
//! `base .. base + n_locals`, its operands above them. With `h` the validator's operand height
//! before an operator, `sp = base + n_locals + h`, so local `idx` is at depth
//! `n_locals + h - idx` from the top. A branch to a label whose frame started at operand height
//! `H` with arity `keep` (a loop's parameters, otherwise its results), after popping `c`
//! condition/index values, drops `h - c - keep - H` values under the kept ones. A jump keeping
//! more than one value over a drop is compiled to moves of the kept values first and a jump
//! that only drops ([`Compiler::moves`]), so every jump keeps at most one value.

use super::names::opcode_name;
use super::{helpers, num_ty, wasm_err};
use crate::image::{Body, Helper, Module, NumTy, UnsupportedOp};
use crate::isa::*;
use crate::Result;
use wasmparser::{BlockType, FrameKind, FuncValidator, FunctionBody, Operator, ValidatorResources};

/// A jump whose target is not known yet: an instruction or a `br_table` entry.
enum Patch {
    Instr(usize),
    Table(usize),
}

struct Label {
    /// Inside unreachable code: nothing is emitted until the label ends.
    dead: bool,
    /// Loop start (branches go backwards to it).
    loop_start: Option<u32>,
    /// The `br_if_eqz` of an `if` still waiting for its `else` (or `end`).
    else_jump: Option<usize>,
    /// Branches to the label's end.
    patches: Vec<Patch>,
}

/// A jump's effect on the stack: `drop` values removed under the `kept` ones.
struct Jump {
    drop: u32,
    kept: Vec<NumTy>,
}

impl Jump {
    /// Whether the kept values move before the jump ([`Compiler::moves`]): more than one,
    /// over a drop.
    fn moves_first(&self) -> bool {
        self.drop > 0 && self.kept.len() > 1
    }
}

struct Compiler<'a> {
    module: &'a mut Module,
    code: Vec<Instr>,
    offsets: Vec<u32>,
    labels: Vec<Label>,
    n_locals: u32,
    results: Vec<NumTy>,
}

type Fv = FuncValidator<ValidatorResources>;

/// Compiles function `fid`; returns its code, per-instruction byte offsets and local count.
pub(super) fn compile_body(
    module: &mut Module,
    fid: u32,
    fv: &mut Fv,
    body: &FunctionBody<'_>,
) -> Result<(Vec<Instr>, Vec<u32>, u32)> {
    let sig = module.signature(fid).clone();
    let mut c = Compiler {
        module,
        code: vec![],
        offsets: vec![],
        // The function body is the outermost label; branching to it returns.
        labels: vec![Label {
            dead: false,
            loop_start: None,
            else_jump: None,
            patches: vec![],
        }],
        n_locals: sig.params.len() as u32,
        results: sig.results,
    };
    let mut locals = body.get_locals_reader().map_err(wasm_err)?;
    for _ in 0..locals.get_count() {
        let offset = locals.original_position();
        let (n, ty) = locals.read().map_err(wasm_err)?;
        fv.define_locals(offset, n, ty).map_err(wasm_err)?;
        // Declared locals start at zero: one traced constant each, so every stack slot the
        // function reads was written inside the trace.
        let width = num_ty(ty, offset)?.width();
        for _ in 0..n {
            c.emit(offset, zero(width));
        }
        c.n_locals += n;
    }
    let mut ops = body.get_operators_reader().map_err(wasm_err)?;
    while !ops.eof() {
        let (op, offset) = ops.read_with_offset().map_err(wasm_err)?;
        c.operator(fv, &op, offset)?;
        fv.op(offset, &op).map_err(wasm_err)?;
    }
    fv.finish(ops.original_position()).map_err(wasm_err)?;
    Ok((c.code, c.offsets, c.n_locals))
}

fn zero(ty: ValTy) -> Instr {
    match ty {
        ValTy::I32 => Instr::I32Const(0),
        ValTy::I64 => Instr::I64Const(0),
    }
}

impl Compiler<'_> {
    fn pc(&self) -> u32 {
        self.code.len() as u32
    }

    fn emit(&mut self, offset: usize, i: Instr) -> usize {
        self.code.push(i);
        self.offsets.push(offset as u32);
        self.code.len() - 1
    }

    fn helper(&mut self, h: Helper) -> u32 {
        helpers::fid(self.module, h)
    }

    fn unsupported(&mut self, op: &Operator<'_>, offset: usize) -> Instr {
        let idx = self.module.unsupported.len() as u32;
        self.module.unsupported.push(UnsupportedOp {
            opcode: opcode_name(op),
            offset: offset as u32,
        });
        Instr::Unsupported(idx)
    }

    fn block_arity(&self, bt: BlockType, params: bool, offset: usize) -> Result<Vec<NumTy>> {
        Ok(match bt {
            BlockType::Empty => vec![],
            BlockType::Type(t) if !params => vec![num_ty(t, offset)?],
            BlockType::Type(_) => vec![],
            BlockType::FuncType(i) => {
                let s = &self.module.types[i as usize];
                if params {
                    s.params.clone()
                } else {
                    s.results.clone()
                }
            }
        })
    }

    /// What a branch to relative depth `depth` drops and keeps, after popping `popped` values.
    fn branch_jump(&self, fv: &Fv, depth: u32, popped: u32, offset: usize) -> Result<Jump> {
        let frame = fv
            .get_control_frame(depth as usize)
            .expect("validated depth");
        let is_loop = frame.kind == FrameKind::Loop;
        let kept = self.block_arity(frame.block_type, is_loop, offset)?;
        let h = fv.operand_stack_height();
        let drop = h - popped - kept.len() as u32 - frame.height as u32;
        Ok(Jump { drop, kept })
    }

    /// What a `return` at the current height drops and keeps.
    fn return_jump(&self, fv: &Fv) -> Jump {
        let drop = fv.operand_stack_height() + self.n_locals - self.results.len() as u32;
        Jump {
            drop,
            kept: self.results.clone(),
        }
    }

    /// Emits the moves of `jump` and returns the drop/keep the jump instruction itself does
    /// (keeping at most one value, as the circuit's jumps do): nothing moves when nothing is
    /// dropped; one kept value moves in the jump; more are moved before it, bottom-first,
    /// each by a `local.get` and a `local.set` `drop` slots lower (a slot already read or
    /// dropped), and the jump only drops. Two steps per value kept, and only on a taken
    /// branch that drops something: rare outside multi-value code.
    fn moves(&mut self, offset: usize, jump: &Jump) -> DropKeep {
        let drop = jump.drop;
        match jump.kept[..] {
            _ if drop == 0 => DropKeep::default(),
            [t] => DropKeep {
                drop,
                keep: 1,
                i64_mask: (t.width() == ValTy::I64) as u16,
            },
            _ => {
                let k = jump.kept.len() as u32;
                for (j, t) in jump.kept.iter().enumerate() {
                    let (depth, ty) = (k - j as u32, t.width());
                    self.emit(offset, Instr::LocalGet { depth, ty });
                    let depth = depth + 1 + drop;
                    self.emit(offset, Instr::LocalSet { depth, ty });
                }
                DropKeep {
                    drop,
                    ..DropKeep::default()
                }
            }
        }
    }

    /// Registers a jump to relative depth `depth`: backwards to a loop's start now, forwards
    /// to a label's end when it is reached. Returns the target known now (0 = to patch).
    fn target(&mut self, depth: u32, site: Patch) -> u32 {
        let i = self.labels.len() - 1 - depth as usize;
        if let Some(start) = self.labels[i].loop_start {
            return start;
        }
        self.labels[i].patches.push(site);
        0
    }

    fn patch(&mut self, site: Patch, dst: u32) {
        match site {
            Patch::Instr(pc) => match &mut self.code[pc] {
                Instr::Br { dst: d, .. }
                | Instr::BrIfEqz { dst: d, .. }
                | Instr::BrIfNez { dst: d, .. } => *d = dst,
                other => unreachable!("patching {other:?}"),
            },
            Patch::Table(i) => self.module.br_table[i].dst = dst,
        }
    }

    fn operator(&mut self, fv: &Fv, op: &Operator<'_>, offset: usize) -> Result<()> {
        use Operator as O;
        // Reachability: inside a label opened in dead code, or after an unconditional
        // transfer of control in the current frame, nothing is emitted.
        let dead = self.labels.last().is_some_and(|l| l.dead)
            || fv.get_control_frame(0).is_some_and(|f| f.unreachable);
        match op {
            O::Block { .. } | O::Loop { .. } | O::If { .. } => {
                let mut label = Label {
                    dead,
                    loop_start: None,
                    else_jump: None,
                    patches: vec![],
                };
                if !dead {
                    match op {
                        O::Loop { .. } => label.loop_start = Some(self.pc()),
                        O::If { .. } => {
                            let j = Instr::BrIfEqz {
                                dst: 0,
                                dk: DropKeep::default(),
                            };
                            label.else_jump = Some(self.emit(offset, j));
                        }
                        _ => {}
                    }
                }
                self.labels.push(label);
                return Ok(());
            }
            O::Else => {
                let label_dead = self.labels.last().is_some_and(|l| l.dead);
                if !label_dead {
                    if !dead {
                        let pc = self.emit(
                            offset,
                            Instr::Br {
                                dst: 0,
                                dk: DropKeep::default(),
                            },
                        );
                        self.labels
                            .last_mut()
                            .expect("if label")
                            .patches
                            .push(Patch::Instr(pc));
                    }
                    let pc = self.pc();
                    if let Some(j) = self.labels.last_mut().and_then(|l| l.else_jump.take()) {
                        self.patch(Patch::Instr(j), pc);
                    }
                }
                return Ok(());
            }
            O::End => {
                let label = self.labels.pop().expect("validated nesting");
                if self.labels.is_empty() {
                    // The function body: the final return, if anything reaches it.
                    // (Branches to the body's end jump to its first instruction.)
                    let pc = self.pc();
                    if !label.dead && (!dead || !label.patches.is_empty()) {
                        let jump = Jump {
                            drop: self.n_locals,
                            kept: self.results.clone(),
                        };
                        let dk = self.moves(offset, &jump);
                        self.emit(offset, Instr::Return(dk));
                    }
                    for p in label.patches {
                        self.patch(p, pc);
                    }
                    return Ok(());
                }
                let pc = self.pc();
                for p in label.patches {
                    self.patch(p, pc);
                }
                if let Some(j) = label.else_jump {
                    self.patch(Patch::Instr(j), pc);
                }
                return Ok(());
            }
            _ if dead => return Ok(()),
            _ => {}
        }
        let h = fv.operand_stack_height();
        let local = |idx: u32| -> Result<(u32, ValTy)> {
            let ty = fv.get_local_type(idx).expect("validated local");
            Ok((self.n_locals + h - idx, num_ty(ty, offset)?.width()))
        };
        let i = match *op {
            O::Nop => return Ok(()),
            O::Unreachable => Instr::Unreachable,
            O::Br { relative_depth } => {
                if relative_depth as usize == self.labels.len() - 1 {
                    Instr::Return(self.moves(offset, &self.return_jump(fv)))
                } else {
                    let jump = self.branch_jump(fv, relative_depth, 0, offset)?;
                    let dk = self.moves(offset, &jump);
                    let dst = self.target(relative_depth, Patch::Instr(self.code.len()));
                    Instr::Br { dst, dk }
                }
            }
            O::BrIf { relative_depth } => {
                let jump = self.branch_jump(fv, relative_depth, 1, offset)?;
                if !jump.moves_first() {
                    let dk = self.moves(offset, &jump);
                    let dst = self.target(relative_depth, Patch::Instr(self.code.len()));
                    Instr::BrIfNez { dst, dk }
                } else {
                    // Moves only when taken: skipped, with the condition, when it is zero.
                    let skip = Instr::BrIfEqz {
                        dst: 0,
                        dk: DropKeep::default(),
                    };
                    let skip = self.emit(offset, skip);
                    let dk = self.moves(offset, &jump);
                    let dst = self.target(relative_depth, Patch::Instr(self.code.len()));
                    self.emit(offset, Instr::Br { dst, dk });
                    self.patch(Patch::Instr(skip), self.pc());
                    return Ok(());
                }
            }
            O::BrTable { ref targets } => {
                let depths = targets
                    .targets()
                    .chain(std::iter::once(Ok(targets.default())))
                    .collect::<std::result::Result<Vec<u32>, _>>()
                    .map_err(wasm_err)?;
                let start = self.module.br_table.len() as u32;
                let jumps = depths
                    .iter()
                    .map(|&d| self.branch_jump(fv, d, 1, offset))
                    .collect::<Result<Vec<_>>>()?;
                let table = Instr::BrTable {
                    start,
                    len: depths.len() as u32,
                };
                self.emit(offset, table);
                // A target that moves more than one value jumps to a stub after the
                // `br_table` (unreachable otherwise: the `br_table` always jumps), one per
                // depth, which moves them and jumps on.
                let mut stubs = std::collections::HashMap::new();
                for (&depth, jump) in depths.iter().zip(&jumps) {
                    let idx = self.module.br_table.len();
                    if !jump.moves_first() {
                        let dk = self.moves(offset, jump);
                        self.module.br_table.push(BrTarget { dst: 0, dk });
                        let dst = self.target(depth, Patch::Table(idx));
                        self.module.br_table[idx].dst = dst;
                        continue;
                    }
                    let stub = match stubs.get(&depth) {
                        Some(&pc) => pc,
                        None => {
                            let pc = self.pc();
                            let dk = self.moves(offset, jump);
                            let dst = self.target(depth, Patch::Instr(self.code.len()));
                            self.emit(offset, Instr::Br { dst, dk });
                            stubs.insert(depth, pc);
                            pc
                        }
                    };
                    self.module.br_table.push(BrTarget {
                        dst: stub,
                        dk: DropKeep::default(),
                    });
                }
                return Ok(());
            }
            O::Return => Instr::Return(self.moves(offset, &self.return_jump(fv))),
            O::Call { function_index } => match self.module.functions[function_index as usize].body
            {
                Body::Host(h) => Instr::CallHost(h),
                Body::Code { .. } => Instr::Call(function_index),
            },
            O::CallIndirect { type_index, .. } => {
                // The first type equal to it: equal signatures have one index, the one
                // the image's elements name (`type_ids`), so the circuit compares indices.
                let types = &self.module.types;
                let sig = &types[type_index as usize];
                let first = types.iter().position(|t| t == sig).unwrap_or(0);
                Instr::CallIndirect {
                    type_idx: first as u32,
                }
            }
            O::Drop => Instr::Drop,
            O::Select | O::TypedSelect { .. } => {
                // The operand under the condition has the selected values' type.
                let ty = match fv.get_operand_type(1) {
                    Some(Some(t)) => num_ty(t, offset)?.width(),
                    _ => ValTy::I32,
                };
                Instr::Select(ty)
            }
            O::LocalGet { local_index } => {
                let (depth, ty) = local(local_index)?;
                Instr::LocalGet { depth, ty }
            }
            O::LocalSet { local_index } => {
                let (depth, ty) = local(local_index)?;
                Instr::LocalSet { depth, ty }
            }
            O::LocalTee { local_index } => {
                let (depth, ty) = local(local_index)?;
                Instr::LocalTee { depth, ty }
            }
            O::GlobalGet { global_index } => Instr::GlobalGet {
                idx: global_index,
                ty: self.module.globals[global_index as usize].ty.width(),
            },
            O::GlobalSet { global_index } => Instr::GlobalSet {
                idx: global_index,
                ty: self.module.globals[global_index as usize].ty.width(),
            },
            O::I32Const { value } => Instr::I32Const(value as u32),
            O::I64Const { value } => Instr::I64Const(value as u64),
            O::I32Load { memarg } => load(LoadKind::I32, memarg.offset),
            O::I64Load { memarg } => load(LoadKind::I64, memarg.offset),
            O::I32Load8S { memarg } => load(LoadKind::I32S8, memarg.offset),
            O::I32Load8U { memarg } => load(LoadKind::I32U8, memarg.offset),
            O::I32Load16S { memarg } => load(LoadKind::I32S16, memarg.offset),
            O::I32Load16U { memarg } => load(LoadKind::I32U16, memarg.offset),
            O::I64Load8S { memarg } => load(LoadKind::I64S8, memarg.offset),
            O::I64Load8U { memarg } => load(LoadKind::I64U8, memarg.offset),
            O::I64Load16S { memarg } => load(LoadKind::I64S16, memarg.offset),
            O::I64Load16U { memarg } => load(LoadKind::I64U16, memarg.offset),
            O::I64Load32S { memarg } => load(LoadKind::I64S32, memarg.offset),
            O::I64Load32U { memarg } => load(LoadKind::I64U32, memarg.offset),
            O::I32Store { memarg } => store(ValTy::I32, 4, memarg.offset),
            O::I32Store8 { memarg } => store(ValTy::I32, 1, memarg.offset),
            O::I32Store16 { memarg } => store(ValTy::I32, 2, memarg.offset),
            O::I64Store { memarg } => store(ValTy::I64, 8, memarg.offset),
            O::I64Store8 { memarg } => store(ValTy::I64, 1, memarg.offset),
            O::I64Store16 { memarg } => store(ValTy::I64, 2, memarg.offset),
            O::I64Store32 { memarg } => store(ValTy::I64, 4, memarg.offset),
            O::MemorySize { .. } => Instr::MemorySize,
            O::MemoryGrow { .. } => Instr::MemoryGrow,
            O::MemoryCopy { .. } => Instr::Call(self.helper(Helper::MemoryCopy)),
            O::MemoryFill { .. } => Instr::Call(self.helper(Helper::MemoryFill)),
            O::DataDrop { .. } | O::ElemDrop { .. } => Instr::Nop,
            O::I32Eqz => Instr::Eqz(ValTy::I32),
            O::I64Eqz => Instr::Eqz(ValTy::I64),
            O::I32Eq => rel(RelOp::Eq, ValTy::I32),
            O::I32Ne => rel(RelOp::Ne, ValTy::I32),
            O::I32LtS => rel(RelOp::LtS, ValTy::I32),
            O::I32LtU => rel(RelOp::LtU, ValTy::I32),
            O::I32GtS => rel(RelOp::GtS, ValTy::I32),
            O::I32GtU => rel(RelOp::GtU, ValTy::I32),
            O::I32LeS => rel(RelOp::LeS, ValTy::I32),
            O::I32LeU => rel(RelOp::LeU, ValTy::I32),
            O::I32GeS => rel(RelOp::GeS, ValTy::I32),
            O::I32GeU => rel(RelOp::GeU, ValTy::I32),
            O::I64Eq => rel(RelOp::Eq, ValTy::I64),
            O::I64Ne => rel(RelOp::Ne, ValTy::I64),
            O::I64LtS => rel(RelOp::LtS, ValTy::I64),
            O::I64LtU => rel(RelOp::LtU, ValTy::I64),
            O::I64GtS => rel(RelOp::GtS, ValTy::I64),
            O::I64GtU => rel(RelOp::GtU, ValTy::I64),
            O::I64LeS => rel(RelOp::LeS, ValTy::I64),
            O::I64LeU => rel(RelOp::LeU, ValTy::I64),
            O::I64GeS => rel(RelOp::GeS, ValTy::I64),
            O::I64GeU => rel(RelOp::GeU, ValTy::I64),
            O::I32Clz => unary(UnaryOp::Clz, ValTy::I32),
            O::I32Ctz => unary(UnaryOp::Ctz, ValTy::I32),
            O::I32Popcnt => Instr::Call(self.helper(Helper::I32Popcnt)),
            O::I64Clz => unary(UnaryOp::Clz, ValTy::I64),
            O::I64Ctz => unary(UnaryOp::Ctz, ValTy::I64),
            O::I64Popcnt => Instr::Call(self.helper(Helper::I64Popcnt)),
            O::I32Add => bin(BinOp::Add, ValTy::I32),
            O::I32Sub => bin(BinOp::Sub, ValTy::I32),
            O::I32Mul => bin(BinOp::Mul, ValTy::I32),
            O::I32DivS => bin(BinOp::DivS, ValTy::I32),
            O::I32DivU => bin(BinOp::DivU, ValTy::I32),
            O::I32RemS => bin(BinOp::RemS, ValTy::I32),
            O::I32RemU => bin(BinOp::RemU, ValTy::I32),
            O::I32And => bin(BinOp::And, ValTy::I32),
            O::I32Or => bin(BinOp::Or, ValTy::I32),
            O::I32Xor => bin(BinOp::Xor, ValTy::I32),
            O::I32Shl => bin(BinOp::Shl, ValTy::I32),
            O::I32ShrS => bin(BinOp::ShrS, ValTy::I32),
            O::I32ShrU => bin(BinOp::ShrU, ValTy::I32),
            O::I32Rotl => bin(BinOp::Rotl, ValTy::I32),
            O::I32Rotr => bin(BinOp::Rotr, ValTy::I32),
            O::I64Add => bin(BinOp::Add, ValTy::I64),
            O::I64Sub => bin(BinOp::Sub, ValTy::I64),
            O::I64Mul => bin(BinOp::Mul, ValTy::I64),
            O::I64DivS => bin(BinOp::DivS, ValTy::I64),
            O::I64DivU => bin(BinOp::DivU, ValTy::I64),
            O::I64RemS => bin(BinOp::RemS, ValTy::I64),
            O::I64RemU => bin(BinOp::RemU, ValTy::I64),
            O::I64And => bin(BinOp::And, ValTy::I64),
            O::I64Or => bin(BinOp::Or, ValTy::I64),
            O::I64Xor => bin(BinOp::Xor, ValTy::I64),
            O::I64Shl => bin(BinOp::Shl, ValTy::I64),
            O::I64ShrS => bin(BinOp::ShrS, ValTy::I64),
            O::I64ShrU => bin(BinOp::ShrU, ValTy::I64),
            O::I64Rotl => bin(BinOp::Rotl, ValTy::I64),
            O::I64Rotr => bin(BinOp::Rotr, ValTy::I64),
            O::I32WrapI64 => Instr::Conv(ConvOp::I32WrapI64),
            O::I64ExtendI32S => Instr::Conv(ConvOp::I64ExtendI32S),
            O::I64ExtendI32U => Instr::Conv(ConvOp::I64ExtendI32U),
            O::I32Extend8S => Instr::Conv(ConvOp::I32Extend8S),
            O::I32Extend16S => Instr::Conv(ConvOp::I32Extend16S),
            O::I64Extend8S => Instr::Conv(ConvOp::I64Extend8S),
            O::I64Extend16S => Instr::Conv(ConvOp::I64Extend16S),
            O::I64Extend32S => Instr::Conv(ConvOp::I64Extend32S),
            // Everything else validates but cannot run here: floats, reference and table
            // instructions, memory.init/data.drop. Rejected when executed, with its name.
            _ => self.unsupported(op, offset),
        };
        self.emit(offset, i);
        Ok(())
    }
}

fn load(kind: LoadKind, offset: u64) -> Instr {
    // Memory32: the validator bounds the static offset by u32.
    Instr::Load {
        kind,
        offset: offset as u32,
    }
}

fn store(ty: ValTy, bytes: u8, offset: u64) -> Instr {
    Instr::Store {
        kind: StoreKind { ty, bytes },
        offset: offset as u32,
    }
}

fn rel(op: RelOp, ty: ValTy) -> Instr {
    Instr::Rel { op, ty }
}

fn unary(op: UnaryOp, ty: ValTy) -> Instr {
    Instr::Unary { op, ty }
}

fn bin(op: BinOp, ty: ValTy) -> Instr {
    Instr::Bin { op, ty }
}
