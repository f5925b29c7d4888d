//! The files `setup` and `prove` write into an output directory, and reading them back.

use crate::exit::Failure;
use std::path::{Path, PathBuf};

/// An output directory: `vk.bin`, `pk.bin`, `program.json` (from `setup`), `proof.bin` and
/// `instances.json` (from `prove`).
pub struct OutDir(pub PathBuf);

impl OutDir {
    pub fn vk(&self) -> PathBuf {
        self.0.join("vk.bin")
    }
    pub fn pk(&self) -> PathBuf {
        self.0.join("pk.bin")
    }
    pub fn program(&self) -> PathBuf {
        self.0.join("program.json")
    }
    pub fn proof(&self) -> PathBuf {
        self.0.join("proof.bin")
    }
    pub fn instances(&self) -> PathBuf {
        self.0.join("instances.json")
    }

    /// Creates the directory (before any long work, so a bad `--output` fails at once).
    pub fn create(&self) -> Result<(), Failure> {
        let fail = |e| Failure::write_output(&format!("--output `{}`", self.0.display()), &e);
        std::fs::create_dir_all(&self.0).map_err(fail)
    }
}

pub fn read(what: &str, path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::read_file(what, path, &e))
}

/// Writes the whole file under a temporary name, then renames it into place: a reader (or a
/// process killed mid-write) never leaves half a file under the real name.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let fail = |e| Failure::write_output(&format!("`{}`", path.display()), &e);
    let partial = path.with_extension(format!("partial.{}", std::process::id()));
    std::fs::write(&partial, bytes).map_err(fail)?;
    std::fs::rename(&partial, path).map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        fail(e)
    })
}

/// Removes a file if it is there.
pub fn remove(path: &Path) -> Result<(), Failure> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(Failure::write_output(&format!("`{}`", path.display()), &e))
        }
        _ => Ok(()),
    }
}

/// Reads a key file; a damaged or foreign one is named, with what to do.
pub fn read_key<T>(
    what: &str,
    path: &Path,
    parse: impl FnOnce(&[u8]) -> Result<T, zkwasm_prover::Error>,
) -> Result<T, Failure> {
    parse(&read(what, path)?).map_err(|e| {
        Failure::from(e).hint(&format!(
            "`{}`: make the keys again with `zkwasm-cli setup`",
            path.display()
        ))
    })
}

/// Pretty JSON, newline-terminated.
pub fn write_json(path: &Path, value: &serde_json::Value) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).expect("JSON values serialize");
    write(path, format!("{text}\n").as_bytes())
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
