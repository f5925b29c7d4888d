//! Writing to stdout and stderr without `println!`'s panic (exit 101) when a write fails (a
//! full disk, `> /dev/full`, a closed stream): a failed stdout write ends the command with
//! exit 2 (an output that cannot be written) and says so on stderr; a failed stderr write
//! leaves nobody to tell, so it is remembered and a command that would have succeeded exits
//! with 2 instead ([`exit_code`]). A closed pipe still ends the process quietly (`SIGPIPE`,
//! see `main`), as other Unix tools do.

use crate::exit::{Exit, Failure};
use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

static STDERR_FAILED: AtomicBool = AtomicBool::new(false);

/// Writes to stdout (flushed, so the failure shows here and not at exit).
pub fn stdout(args: fmt::Arguments<'_>) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    out.write_fmt(args)
        .and_then(|_| out.flush())
        .map_err(|e| Failure::write_output("standard output", &e))
}

/// Writes to stderr; a failure is remembered for [`exit_code`].
pub fn stderr(args: fmt::Arguments<'_>) {
    if io::stderr().lock().write_fmt(args).is_err() {
        STDERR_FAILED.store(true, Ordering::Relaxed);
    }
}

/// The command's exit code: `exit`, or 2 for a successful command whose stderr could not be
/// written.
pub fn exit_code(exit: Exit) -> Exit {
    if exit == Exit::Success && STDERR_FAILED.load(Ordering::Relaxed) {
        Exit::Usage
    } else {
        exit
    }
}

/// `println!` to stdout, as a `Result<(), Failure>`.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::out::stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprintln!` to stderr, remembering a failure.
macro_rules! note {
    ($($arg:tt)*) => {
        $crate::out::stderr(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {note, say};

/// The exit of a command whose output is `printed`: success, or the write's failure (reported).
pub fn done(printed: Result<(), Failure>) -> Exit {
    match printed {
        Ok(()) => Exit::Success,
        Err(f) => {
            f.report();
            f.exit
        }
    }
}
