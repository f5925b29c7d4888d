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

    pub fn create(&self) -> Result<(), Failure> {
        std::fs::create_dir_all(&self.0)
            .map_err(|e| Failure::write_output(&format!("`{}`", self.0.display()), &e))
    }
}

pub fn read(what: &str, path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::read_file(what, path, &e))
}

pub fn write(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes)
        .map_err(|e| Failure::write_output(&format!("`{}`", path.display()), &e))
}

/// Pretty JSON, newline-terminated.
pub fn write_json(path: &Path, value: &serde_json::Value) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).expect("JSON values serialize");
    write(path, format!("{text}\n").as_bytes())
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
