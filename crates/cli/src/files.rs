//! The files `setup` and `prove` write into an output directory, and reading them back.

use crate::exit::Failure;
use std::fs::{File, TryLockError};
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

    /// Takes the directory for this process (creating it), so that a second `setup` or
    /// `prove` into it fails at once instead of interleaving its files with this one's. The
    /// lock is the open file `.lock` (an OS file lock, released when the process ends, even
    /// when it is killed); keep the returned file while writing.
    pub fn lock(&self) -> Result<File, Failure> {
        self.create()?;
        let path = self.0.join(".lock");
        let fail = |e| Failure::write_output(&format!("`{}`", path.display()), &e);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(fail)?;
        match file.try_lock() {
            Ok(()) => {
                self.remove_partial_files()?;
                Ok(file)
            }
            Err(TryLockError::WouldBlock) => Err(Failure::busy(&self.0)),
            Err(TryLockError::Error(e)) => Err(fail(e)),
        }
    }

    /// Removes what an interrupted writer left (`NAME.partial.PID`, see [`write`]): with the
    /// lock held, no other process is writing them.
    fn remove_partial_files(&self) -> Result<(), Failure> {
        let entries = std::fs::read_dir(&self.0)
            .map_err(|e| Failure::write_output(&format!("--output `{}`", self.0.display()), &e))?;
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().contains(".partial.") {
                remove(&entry.path())?;
            }
        }
        Ok(())
    }

    /// Refuses the directory when it holds the keys of another program than `program` (or
    /// keys whose program.json cannot tell which): replacing them would delete that program's
    /// proof.
    pub fn refuse_foreign_keys(&self, program: &zkwasm_prover::Program) -> Result<(), Failure> {
        if !self.pk().exists() && !self.vk().exists() {
            return Ok(());
        }
        let described = std::fs::read(self.program())
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|v| Some((v["program_id"].as_str()?.to_string(), v["k"].as_u64()?)));
        match described {
            Some((id, k)) if u32::try_from(k).is_ok_and(|k| program.id(k).to_string() == id) => {
                Ok(())
            }
            found => Err(Failure::foreign_keys(&self.0, found.map(|(id, _)| id))),
        }
    }

    /// Moves the proof of an earlier run (and its instances) aside before a new run is proved,
    /// so that a failed run never leaves it looking like its own; returns where it went.
    pub fn retire_proof(&self) -> Result<Option<PathBuf>, Failure> {
        if !self.proof().exists() {
            return Ok(None);
        }
        let aside = |p: PathBuf, name: &str| -> Result<PathBuf, Failure> {
            let to = self.0.join(name);
            std::fs::rename(&p, &to)
                .map_err(|e| Failure::write_output(&format!("`{}`", to.display()), &e))?;
            Ok(to)
        };
        if self.instances().exists() {
            aside(self.instances(), "instances.previous.json")?;
        }
        aside(self.proof(), "proof.previous.bin").map(Some)
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

/// Writes a proof to `path`; when that fails, into the temporary directory instead, so that
/// the work is not lost (the failure, which names where the proof went, still ends the
/// command).
pub fn write_proof(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    write(path, bytes).map_err(|f| {
        let rescue = std::env::temp_dir().join(format!("zkwasm-proof-{}.bin", std::process::id()));
        match write(&rescue, bytes) {
            Ok(()) => f.hint(&format!(
                "the proof was written to `{}` instead",
                rescue.display()
            )),
            Err(_) => f.hint("the proof could not be written anywhere and is lost"),
        }
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
