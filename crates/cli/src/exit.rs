//! Exit codes and the mapping from failures to them. The codes are part of the CLI's interface:
//! keep them stable.

use crate::out::note;
use serde_json::{json, Value};
use std::fmt;
use zkwasm_prover::Error as ProverError;
use zkwasm_tracer::Error;

/// Help text listing the exit codes (shown by `--help` of every command).
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  the program ran and failed: trap, require failed, missing input, limit exceeded
     (`trace --max-bytes` too), unsupported instruction executed
  2  usage error, bad input syntax (e.g. `--public 12x`), unreadable `:file` input, or an
     output that cannot be written (a file, stdout or stderr; `--output` locked by another
     run, or holding another program's keys without `setup --force`)
  3  the module cannot be read or loaded: file not found, malformed or invalid Wasm,
     unsupported feature or import, missing export, bad entry signature, instantiation
     error; or parameters, keys or the proof file cannot be read, or are corrupt (keys)
  4  internal error: the run's tables break a rule of the circuits (a zkwasm bug: please
     report it with the program and inputs)
  5  the proof is rejected: invalid, damaged, or for another program, k or key
  6  the run cannot be proved with these keys: it needs a larger k (the message names
     it), a longer run than the largest circuit holds, or the keys are for another
     program";

/// The process exit code of a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    Success = 0,
    /// The program ran and failed.
    RunFailed = 1,
    /// Usage or input-syntax error (clap's own usage errors also exit with 2).
    Usage = 2,
    /// The module cannot be read or loaded.
    Load = 3,
    /// A bug in zkwasm itself: the tables of a run break a rule.
    Internal = 4,
    /// `verify`: the proof is not valid for the key.
    Rejected = 5,
    /// `prove`: the run does not fit the keys or the circuits.
    Unprovable = 6,
}

/// A failure of a command: its exit code, a machine-readable kind and a one-line message.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub kind: &'static str,
    pub message: String,
    /// Extra structured detail for `--json` (trap kind, location, ...).
    pub detail: Option<Value>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Failure {
    /// The module file could not be read.
    pub fn read_module(path: &std::path::Path, err: &std::io::Error) -> Failure {
        Failure {
            exit: Exit::Load,
            kind: "io",
            message: format!("cannot read module `{}`: {err}", path.display()),
            detail: None,
        }
    }

    /// An output file could not be created or written.
    pub fn write_output(what: &str, err: &std::io::Error) -> Failure {
        Failure {
            exit: Exit::Usage,
            kind: "output",
            message: format!("cannot write {what}: {err}"),
            detail: None,
        }
    }

    /// A file zkwasm reads (keys, proof) is missing or unreadable.
    pub fn read_file(what: &str, path: &std::path::Path, err: &std::io::Error) -> Failure {
        Failure {
            exit: Exit::Load,
            kind: "io",
            message: format!("cannot read {what} `{}`: {err}", path.display()),
            detail: None,
        }
    }

    /// Another process holds the output directory's lock.
    pub fn busy(dir: &std::path::Path) -> Failure {
        Failure {
            exit: Exit::Usage,
            kind: "output_busy",
            message: format!(
                "another zkwasm-cli is writing into `{}` (it holds its .lock): wait for it, or choose another --output",
                dir.display()
            ),
            detail: None,
        }
    }

    /// `setup` into a directory that holds another program's keys.
    pub fn foreign_keys(dir: &std::path::Path, id: Option<String>) -> Failure {
        let whose = id.map_or("keys of an unknown program".into(), |id| {
            format!("the keys of another program ({id})")
        });
        Failure {
            exit: Exit::Usage,
            kind: "foreign_keys",
            message: format!(
                "`{}` holds {whose}: replacing them would delete its proof; give --force to replace them, or choose another --output",
                dir.display()
            ),
            detail: None,
        }
    }

    /// A proof that does not verify, including a damaged proof file: the verifier's answer.
    pub fn rejected(e: zkwasm_prover::Error) -> Failure {
        let (kind, e) = match e {
            ProverError::Format(_) => ("proof_file", e),
            ProverError::ProgramMismatch { .. } => ("program_mismatch", e),
            ProverError::Invalid => ("invalid_proof", e),
            other => return Failure::from(other),
        };
        Failure {
            exit: Exit::Rejected,
            kind,
            message: e.to_string(),
            detail: None,
        }
    }

    /// Adds what to do about it to the message.
    pub fn hint(mut self, hint: &str) -> Failure {
        self.message = format!("{}; {hint}", self.message);
        self
    }

    /// A verifying key other than the one the verifier expects.
    pub fn rejected_key(found: &str, expected: &str) -> Failure {
        Failure {
            exit: Exit::Rejected,
            kind: "vk_hash_mismatch",
            message: format!("the verifying key's hash is {found}, expected {expected}"),
            detail: None,
        }
    }

    /// Prints `error: MESSAGE` on stderr.
    pub fn report(&self) {
        note!("error: {}", one_line(&self.message));
    }

    /// The `"error"` object of `--json` output.
    pub fn to_json(&self) -> Value {
        let mut obj = json!({
            "kind": self.kind,
            "message": one_line(&self.message),
            "exit_code": self.exit as u8,
        });
        if let (Some(Value::Object(extra)), Value::Object(map)) = (&self.detail, &mut obj) {
            map.extend(extra.clone());
        }
        obj
    }
}

/// Exit code and kind of every tracer error. Exhaustive on purpose: a new error variant must
/// be given its exit code here.
pub fn classify(e: &Error) -> (Exit, &'static str) {
    match e {
        Error::Malformed(_) => (Exit::Load, "malformed"),
        Error::Invalid(_) => (Exit::Load, "invalid"),
        Error::UnsupportedFeature(_) => (Exit::Load, "unsupported_feature"),
        Error::UnsupportedImport { .. } => (Exit::Load, "unsupported_import"),
        Error::ImportSignature { .. } => (Exit::Load, "import_signature"),
        Error::MissingExport(_) => (Exit::Load, "missing_export"),
        Error::EntrySignature { .. } => (Exit::Load, "entry_signature"),
        Error::Instantiation(_) => (Exit::Load, "instantiation"),
        Error::UnsupportedOpcode { .. } => (Exit::RunFailed, "unsupported_opcode"),
        Error::MissingInput { .. } => (Exit::RunFailed, "missing_input"),
        Error::RequireFailed { .. } => (Exit::RunFailed, "require_failed"),
        Error::Trap { .. } => (Exit::RunFailed, "trap"),
        Error::LimitExceeded { .. } => (Exit::RunFailed, "limit_exceeded"),
        Error::BadInput { .. } => (Exit::Usage, "bad_input"),
    }
}

fn detail(e: &Error) -> Option<Value> {
    let at = |at: &zkwasm_tracer::Location| json!({"fid": at.fid, "iid": at.iid, "offset": at.offset, "eid": at.eid});
    Some(match e {
        Error::Trap { kind, at: loc } => json!({"trap": kind, "at": at(loc)}),
        Error::UnsupportedOpcode { opcode, at: loc } => json!({"opcode": opcode, "at": at(loc)}),
        Error::RequireFailed { at: loc } => json!({"at": at(loc)}),
        Error::LimitExceeded {
            limit,
            limit_value,
            at: loc,
        } => {
            json!({"limit": limit, "limit_value": limit_value, "at": at(loc)})
        }
        Error::MissingInput { kind, index } => json!({"input_kind": kind, "index": index}),
        Error::BadInput { input, reason } => json!({"input": input, "reason": reason}),
        Error::MissingExport(name) => json!({"export": name}),
        _ => return None,
    })
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        let (exit, kind) = classify(&e);
        Failure {
            exit,
            kind,
            message: e.to_string(),
            detail: detail(&e),
        }
    }
}

/// Exit code and kind of every prover error outside `verify` (see [`Failure::rejected`]).
impl From<ProverError> for Failure {
    fn from(e: ProverError) -> Failure {
        let (exit, kind) = match &e {
            ProverError::Tracer(t) => classify(t),
            ProverError::Io { .. } => (Exit::Load, "io"),
            ProverError::Params(_) | ProverError::ParamsMismatch(_) => (Exit::Load, "params"),
            ProverError::Format(_) => (Exit::Load, "key_file"),
            ProverError::TooLong { .. } => (Exit::Unprovable, "too_long"),
            ProverError::BeyondLargestCircuit { .. } => (Exit::Unprovable, "too_long"),
            ProverError::TooManySteps { .. } => (Exit::Unprovable, "too_long"),
            ProverError::Unsupported(_) => (Exit::Unprovable, "unsupported"),
            ProverError::ProgramMismatch { .. } => (Exit::Unprovable, "program_mismatch"),
            ProverError::Invalid => (Exit::Rejected, "invalid_proof"),
            ProverError::Internal(_) | ProverError::Cancelled(_) => (Exit::Internal, "internal"),
            ProverError::ConstraintsFailed { .. } => (Exit::Internal, "constraints"),
        };
        let detail = match &e {
            ProverError::Tracer(t) => detail(t),
            ProverError::TooLong { need, k, .. } => Some(json!({"need_k": need, "k": k})),
            ProverError::BeyondLargestCircuit { need, max } => {
                Some(json!({"need_k": need, "max_k": max}))
            }
            ProverError::TooManySteps { steps, max } => {
                Some(json!({"stopped_at_steps": steps, "max_k": max}))
            }
            _ => None,
        };
        Failure {
            exit,
            kind,
            message: e.to_string(),
            detail,
        }
    }
}

/// A message on one line, as errors are printed: the first line of a multi-line one (a WAT
/// parser's error draws the source under it), with the location its `-->` line names.
fn one_line(message: &str) -> String {
    let mut lines = message.lines();
    let first = lines.next().unwrap_or_default().trim_end();
    match lines.find_map(|l| l.trim().strip_prefix("--> ")) {
        Some(at) => format!("{first} (at {at})"),
        None => first.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkwasm_tracer::{InputKind, Location, TrapKind};

    #[test]
    fn codes_are_stable() {
        let at = Location {
            fid: 1,
            iid: 2,
            offset: 3,
            eid: 4,
        };
        assert_eq!(classify(&Error::Malformed("x".into())).0 as u8, 3);
        assert_eq!(Exit::Internal as u8, 4);
        assert_eq!(classify(&Error::MissingExport("zkmain".into())).0 as u8, 3);
        assert_eq!(
            classify(&Error::Trap {
                kind: TrapKind::Unreachable,
                at
            })
            .0 as u8,
            1
        );
        assert_eq!(
            classify(&Error::MissingInput {
                kind: InputKind::Public,
                index: 0
            })
            .0 as u8,
            1
        );
        assert_eq!(
            classify(&Error::BadInput {
                input: "x".into(),
                reason: "y".into()
            })
            .0 as u8,
            2
        );
    }

    #[test]
    fn json_error_has_kind_message_and_detail() {
        let at = Location {
            fid: 1,
            iid: 2,
            offset: 3,
            eid: 4,
        };
        let f = Failure::from(Error::Trap {
            kind: TrapKind::IntegerDivideByZero,
            at,
        });
        let v = f.to_json();
        assert_eq!(v["kind"], "trap");
        assert_eq!(v["exit_code"], 1);
        assert_eq!(v["trap"], "integer_divide_by_zero");
        assert_eq!(v["at"]["eid"], 4);
        assert!(v["message"]
            .as_str()
            .unwrap()
            .contains("integer divide by zero"));
    }
}
