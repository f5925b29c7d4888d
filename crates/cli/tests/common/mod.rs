//! Running the `zkwasm-cli` binary and reading what it printed.

use std::process::{Command, Output};

pub fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkwasm-cli"))
        .args(args)
        .output()
        .expect("the binary runs")
}

pub fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Runs the binary with stdout (`out_full`) or stderr going to `/dev/full`, where every write
/// fails; the other stream is captured.
#[cfg(target_os = "linux")]
#[allow(dead_code)] // Not every test binary writes to a full device.
pub fn cli_full(args: &[&str], out_full: bool) -> Output {
    let full = || {
        std::fs::File::options()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let mut c = Command::new(env!("CARGO_BIN_EXE_zkwasm-cli"));
    c.args(args);
    if out_full {
        c.stdout(full());
    } else {
        c.stderr(full());
    }
    c.output().expect("the binary runs")
}
