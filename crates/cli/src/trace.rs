//! `trace`: runs the program and streams its human-readable execution trace, one record per
//! executed instruction, through a [`Sink`]: memory use does not grow with the trace.

use crate::args::ProgramArgs;
use crate::exit::{Exit, Failure};
use crate::out::note;
use clap::{Args, ValueEnum};
use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use zkwasm_tracer::trace::{Loc, Rw, StepView};
use zkwasm_tracer::{Frame, Image, MemEvent, Sink, Step};

const FIELDS_HELP: &str =
    "Record fields (one record per executed instruction, state BEFORE it executes):
  eid        step number, from 1
  fid, iid   function index and instruction index; pc = \"fid:iid\"
  offset     byte offset in the module of the Wasm operator the instruction came from
  instr      the instruction (compiled ISA mnemonic)
  depth      call depth (0 in the entry function); frame = frame id (eid of the opening call)
  sp         value stack depth (next free slot); pages = allocated memory pages
  stack_top  up to --stack-top values, top of the stack first
  n_locals, locals  the current function's locals, parameters first
  events     memory accesses of the step, in order: location (stack slot, heap block, global),
             read/write, address, width and value. A heap address is an 8-byte BLOCK index
             (block 12 = bytes 96..104) and its value the block as a little-endian u64.
  call       for a call: the frame opened (frame_index, callee, return address)
  return     for a return: the frame closed (frame_index)
Values are unsigned 64-bit decimal integers. jsonl: one JSON object per line. csv: a header line,
nested fields as compact strings (\"W stack[0] i32 5; R heap block 12 (bytes 96..104) 7\").";

/// Output format of the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// A header line, then one row per step.
    Csv,
    /// One aligned line per step, for reading.
    Text,
}

#[derive(Args, Debug)]
#[command(after_help = format!("{FIELDS_HELP}\n\n{}", crate::args::after_help()))]
pub struct TraceArgs {
    #[command(flatten)]
    pub program: ProgramArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Jsonl, help_heading = "Output")]
    pub format: Format,

    /// Write the trace to FILE instead of stdout (a summary then goes to stderr).
    #[arg(long, short, value_name = "FILE", help_heading = "Output")]
    pub output: Option<PathBuf>,

    /// How many values from the top of the stack each record shows.
    #[arg(long, value_name = "N", default_value_t = 3, help_heading = "Output")]
    pub stack_top: usize,

    /// Stop the run (exit 1) once the trace would exceed N bytes: an endless loop must not
    /// fill the disk. The records written are complete; raise N for longer traces.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_BYTES, help_heading = "Output")]
    pub max_bytes: u64,
}

/// `--max-bytes`' default: 1 GiB, about 5 million steps of JSON lines.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;

pub fn run(args: &TraceArgs) -> Exit {
    let program = match args.program.load() {
        Ok(p) => p,
        Err(f) => {
            f.report();
            return f.exit;
        }
    };
    let out: Box<dyn Write> = match &args.output {
        Some(path) => match std::fs::File::create(path) {
            Ok(f) => Box::new(f),
            Err(e) => {
                let f = Failure::write_output(&format!("trace file `{}`", path.display()), &e);
                f.report();
                return f.exit;
            }
        },
        None => Box::new(io::stdout().lock()),
    };
    let mut sink = TraceSink::new(
        BufWriter::with_capacity(1 << 16, out),
        args.format,
        &program.program.image,
        args.stack_top,
        args.max_bytes,
    );
    sink.header();
    let result = zkwasm_tracer::run_with(
        &program.program.image,
        &program.inputs,
        &program.program.limits,
        &mut sink,
    );
    let sink_full = sink.full().is_some();
    // A closed pipe (`| head`) is not an error of ours.
    let (written, io_result) = sink.finish();
    let io_failure = io_result
        .err()
        .filter(|e| e.kind() != io::ErrorKind::BrokenPipe)
        .map(|e| Failure::write_output("trace", &e));
    match result {
        Err(e) => {
            if let Some(f) = &io_failure {
                f.report();
            }
            let mut f = Failure::from(e);
            if sink_full {
                f.message += &format!(" after {written} steps; raise it with --max-bytes");
            }
            f.report();
            f.exit
        }
        Ok(outcome) => {
            if let Some(f) = io_failure {
                f.report();
                return f.exit;
            }
            if let Some(path) = &args.output {
                note!(
                    "wrote {written} steps to {}; instances: {:?}, results: {:?}",
                    path.display(),
                    outcome.instances,
                    outcome.results
                );
            }
            Exit::Success
        }
    }
}

/// Where the pending record is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// No record pending.
    Empty,
    /// The step is executing: its view and/or some events are in.
    Open,
    /// The step has executed; written when the next step starts (a call or return hook of this
    /// step may still come) or at the end.
    Done,
}

/// The step being assembled. Its buffers are reused from step to step.
#[derive(Default)]
struct Record {
    eid: u32,
    step: Option<Step>,
    /// Only known with the machine view.
    depth: Option<u32>,
    has_view: bool,
    locals: Vec<u64>,
    /// Top of the stack first.
    stack_top: Vec<u64>,
    events: Vec<MemEvent>,
    call: Option<(u32, Frame)>,
    ret: Option<u32>,
}

impl Record {
    fn reset(&mut self) {
        self.step = None;
        self.depth = None;
        self.has_view = false;
        self.locals.clear();
        self.stack_top.clear();
        self.events.clear();
        self.call = None;
        self.ret = None;
    }
}

/// A [`Sink`] that formats each step as it completes and writes it out.
struct TraceSink<'a, W: Write> {
    out: W,
    format: Format,
    image: &'a Image,
    stack_top: usize,
    state: State,
    rec: Record,
    next_eid: u32,
    written: u64,
    /// Bytes written, and the most that may be (`--max-bytes`); `overflow` once a record
    /// did not fit.
    bytes: u64,
    max_bytes: u64,
    overflow: bool,
    /// Scratch line buffer.
    line: String,
    error: Option<io::Error>,
}

impl<'a, W: Write> TraceSink<'a, W> {
    fn new(out: W, format: Format, image: &'a Image, stack_top: usize, max_bytes: u64) -> Self {
        TraceSink {
            out,
            format,
            image,
            stack_top,
            state: State::Empty,
            rec: Record::default(),
            next_eid: 1,
            written: 0,
            bytes: 0,
            max_bytes,
            overflow: false,
            line: String::with_capacity(512),
            error: None,
        }
    }

    fn header(&mut self) {
        if self.format == Format::Csv {
            let h = "eid,fid,iid,pc,offset,instr,depth,frame,sp,pages,stack_top,n_locals,locals,events,call,return\n";
            if let Err(e) = self.out.write_all(h.as_bytes()) {
                self.error.get_or_insert(e);
            }
        }
    }

    /// Writes the pending record if it is complete and starts a fresh one.
    fn begin(&mut self) {
        if self.state == State::Done {
            self.flush_record();
        }
        if self.state != State::Open {
            self.rec.reset();
            self.state = State::Open;
        }
    }

    fn flush_record(&mut self) {
        self.state = State::Empty;
        if self.error.is_some() {
            return;
        }
        self.line.clear();
        match self.format {
            Format::Jsonl => self.format_jsonl(),
            Format::Csv => self.format_csv(),
            Format::Text => self.format_text(),
        }
        self.line.push('\n');
        let len = self.line.len() as u64;
        if self.overflow || self.bytes + len > self.max_bytes {
            self.overflow = true;
            return;
        }
        match self.out.write_all(self.line.as_bytes()) {
            Ok(()) => {
                self.written += 1;
                self.bytes += len;
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// Writes the last record and flushes. A step that started but did not finish (the run
    /// failed in it) is not written.
    fn finish(mut self) -> (u64, io::Result<()>) {
        if self.state == State::Done {
            self.flush_record();
        }
        let result = match self.error.take() {
            Some(e) => Err(e),
            None => self.out.flush(),
        };
        (self.written, result)
    }

    fn instr(&self, step: &Step) -> String {
        self.image
            .instr(step.fid, step.iid)
            .map_or_else(|| "?".to_string(), |i| i.to_string())
    }

    fn offset(&self, step: &Step) -> u32 {
        self.image
            .function(step.fid)
            .map_or(0, |f| f.offset(step.iid))
    }

    fn format_jsonl(&mut self) {
        let r = &self.rec;
        let s = r.step.expect("a complete record has its step");
        let l = &mut self.line;
        let instr = serde_json::to_string(&self.image.instr(s.fid, s.iid).map(|i| i.to_string()))
            .expect("a string serializes");
        let _ = write!(
            l,
            r#"{{"eid":{},"fid":{},"iid":{},"pc":"{}:{}","offset":{},"instr":{instr},"depth":{},"frame":{},"sp":{},"pages":{}"#,
            r.eid,
            s.fid,
            s.iid,
            s.fid,
            s.iid,
            self.image.function(s.fid).map_or(0, |f| f.offset(s.iid)),
            opt(r.depth),
            s.frame,
            s.sp,
            s.pages
        );
        if r.has_view {
            l.push_str(r#","stack_top":"#);
            json_list(l, &r.stack_top);
            let _ = write!(l, r#","n_locals":{},"locals":"#, r.locals.len());
            json_list(l, &r.locals);
        } else {
            l.push_str(r#","stack_top":null,"n_locals":null,"locals":null"#);
        }
        l.push_str(r#","events":["#);
        for (i, e) in r.events.iter().enumerate() {
            if i > 0 {
                l.push(',');
            }
            let _ = write!(
                l,
                r#"{{"loc":"{}","rw":"{}","addr":{},"ty":"{}","value":{}"#,
                loc_name(e.loc),
                rw_name(e.rw),
                e.addr,
                e.ty.name(),
                e.value
            );
            if e.loc == Loc::Heap {
                let _ = write!(l, r#","byte_addr":{}"#, e.addr as u64 * 8);
            }
            l.push('}');
        }
        l.push(']');
        if let Some((index, f)) = r.call {
            let _ = write!(
                l,
                r#","call":{{"frame_index":{index},"callee":{},"parent":{},"ret":"{}:{}"}}"#,
                f.callee, f.parent, f.ret_fid, f.ret_iid
            );
        }
        if let Some(index) = r.ret {
            let _ = write!(l, r#","return":{{"frame_index":{index}}}"#);
        }
        l.push('}');
    }

    fn format_csv(&mut self) {
        let s = self.rec.step.expect("a complete record has its step");
        let instr = self.instr(&s);
        let offset = self.offset(&s);
        let r = &self.rec;
        let l = &mut self.line;
        let _ = write!(
            l,
            "{},{},{},{}:{},{},",
            r.eid, s.fid, s.iid, s.fid, s.iid, offset
        );
        csv_field(l, &instr);
        let _ = write!(
            l,
            ",{},{},{},{},",
            r.depth.map_or_else(String::new, |d| d.to_string()),
            s.frame,
            s.sp,
            s.pages
        );
        if r.has_view {
            space_list(l, &r.stack_top);
            let _ = write!(l, ",{},", r.locals.len());
            space_list(l, &r.locals);
        } else {
            l.push_str(",,");
        }
        l.push(',');
        let mut events = String::new();
        compact_events(&mut events, &r.events);
        csv_field(l, &events);
        l.push(',');
        if let Some((index, f)) = r.call {
            csv_field(l, &call_text(index, &f));
        }
        l.push(',');
        if let Some(index) = r.ret {
            let _ = write!(l, "frame {index}");
        }
    }

    fn format_text(&mut self) {
        let s = self.rec.step.expect("a complete record has its step");
        let instr = self.instr(&s);
        let offset = self.offset(&s);
        let r = &self.rec;
        let l = &mut self.line;
        let pc = format!("{}:{}", s.fid, s.iid);
        let _ = write!(l, "#{:<6} {pc:>8} @{offset:#07x}  {instr:<28}", r.eid);
        let _ = write!(
            l,
            " depth={} frame={} sp={} pages={}",
            opt(r.depth),
            s.frame,
            s.sp,
            s.pages
        );
        if r.has_view {
            l.push_str(" top=[");
            space_list(l, &r.stack_top);
            let _ = write!(l, "] locals({})=[", r.locals.len());
            space_list(l, &r.locals);
            l.push(']');
        }
        if !r.events.is_empty() {
            l.push_str(" | ");
            compact_events(l, &r.events);
        }
        if let Some((index, f)) = r.call {
            let _ = write!(l, " | call {}", call_text(index, &f));
        }
        if let Some(index) = r.ret {
            let _ = write!(l, " | return frame {index}");
        }
    }
}

impl<W: Write> Sink for TraceSink<'_, W> {
    const WANTS_VIEW: bool = true;

    fn full(&self) -> Option<u64> {
        self.overflow.then_some(self.max_bytes)
    }

    fn before(&mut self, view: &StepView<'_>) {
        if self.state == State::Done {
            self.flush_record();
        }
        // Events without a view would belong to this step: keep them.
        if self.state == State::Empty {
            self.rec.reset();
        }
        self.state = State::Open;
        let r = &mut self.rec;
        r.eid = view.eid;
        r.step = Some(view.step);
        r.depth = Some(view.depth);
        r.has_view = true;
        r.locals.clear();
        r.locals.extend_from_slice(view.locals);
        r.stack_top.clear();
        r.stack_top
            .extend(view.stack.iter().rev().take(self.stack_top));
    }

    fn event(&mut self, e: MemEvent) {
        self.begin();
        self.rec.events.push(e);
    }

    fn step(&mut self, step: Step) {
        self.begin();
        let r = &mut self.rec;
        if !r.has_view {
            r.eid = self.next_eid;
            r.step = Some(step);
        } else if let Some(s) = &mut r.step {
            // The view's state is authoritative; keep the event bookkeeping of the step.
            s.events_end = step.events_end;
        }
        self.next_eid = r.eid.wrapping_add(1);
        self.state = State::Done;
    }

    fn call(&mut self, index: u32, frame: Frame) {
        let attach = match self.state {
            State::Open => true,
            State::Done => frame.call_eid == self.rec.eid,
            State::Empty => false,
        };
        if attach {
            self.rec.call = Some((index, frame));
        }
    }

    fn ret(&mut self, index: u32, eid: u32) {
        let attach = match self.state {
            State::Open => true,
            State::Done => eid == self.rec.eid,
            State::Empty => false,
        };
        if attach {
            self.rec.ret = Some(index);
        }
    }
}

fn opt(v: Option<u32>) -> String {
    v.map_or_else(|| "null".to_string(), |v| v.to_string())
}

fn loc_name(loc: Loc) -> &'static str {
    match loc {
        Loc::Stack => "stack",
        Loc::Heap => "heap",
        Loc::Global => "global",
    }
}

fn rw_name(rw: Rw) -> &'static str {
    match rw {
        Rw::Read => "read",
        Rw::Write => "write",
    }
}

fn json_list(l: &mut String, values: &[u64]) {
    l.push('[');
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            l.push(',');
        }
        let _ = write!(l, "{v}");
    }
    l.push(']');
}

fn space_list(l: &mut String, values: &[u64]) {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            l.push(' ');
        }
        let _ = write!(l, "{v}");
    }
}

/// `R stack[3] i32 5; W heap block 12 (bytes 96..104) 7; R global[0] i64 1`.
fn compact_events(l: &mut String, events: &[MemEvent]) {
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            l.push_str("; ");
        }
        let rw = match e.rw {
            Rw::Read => 'R',
            Rw::Write => 'W',
        };
        let _ = match e.loc {
            Loc::Stack => write!(l, "{rw} stack[{}] {} {}", e.addr, e.ty.name(), e.value),
            Loc::Global => write!(l, "{rw} global[{}] {} {}", e.addr, e.ty.name(), e.value),
            Loc::Heap => {
                let start = e.addr as u64 * 8;
                write!(
                    l,
                    "{rw} heap block {} (bytes {start}..{}) {}",
                    e.addr,
                    start + 8,
                    e.value
                )
            }
        };
    }
}

fn call_text(index: u32, f: &Frame) -> String {
    format!(
        "frame {index} -> fn {} (returns to {}:{})",
        f.callee, f.ret_fid, f.ret_iid
    )
}

/// Appends `s` as one CSV field, quoted when it needs to be.
fn csv_field(l: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        l.push('"');
        l.push_str(&s.replace('"', "\"\""));
        l.push('"');
    } else {
        l.push_str(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quoting() {
        let mut l = String::new();
        csv_field(&mut l, "br_table 1, 2");
        l.push(',');
        csv_field(&mut l, "say \"hi\"");
        l.push(',');
        csv_field(&mut l, "plain");
        assert_eq!(l, r#""br_table 1, 2","say ""hi""",plain"#);
    }

    #[test]
    fn heap_events_show_block_and_bytes() {
        let e = MemEvent {
            value: 7,
            addr: 12,
            loc: Loc::Heap,
            rw: Rw::Read,
            ty: zkwasm_tracer::ValTy::I64,
        };
        let s = MemEvent {
            value: 5,
            addr: 0,
            loc: Loc::Stack,
            rw: Rw::Write,
            ty: zkwasm_tracer::ValTy::I32,
        };
        let mut l = String::new();
        compact_events(&mut l, &[e, s]);
        assert_eq!(l, "R heap block 12 (bytes 96..104) 7; W stack[0] i32 5");
    }
}
