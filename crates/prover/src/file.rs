//! The common frame of zkwasm's binary files (proofs, verifying keys, proving keys): a magic
//! word naming the kind of file, the format version, the circuit version, the program id and
//! the circuit size, all little-endian, then the kind's own fields.

use crate::{Error, ProgramId, CIRCUIT_VERSION};

/// The version of the file formats this crate writes and reads.
pub const FORMAT_VERSION: u32 = 4;

/// Starts a file of kind `magic`.
pub(crate) fn header(magic: &[u8; 8], id: &ProgramId, k: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(52);
    out.extend_from_slice(magic);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&CIRCUIT_VERSION.to_le_bytes());
    out.extend_from_slice(&id.0);
    out.extend_from_slice(&k.to_le_bytes());
    out
}

const CHECKSUM: usize = 32;

fn checksum(b: &[u8]) -> [u8; CHECKSUM] {
    let h = blake2b_simd::Params::new().hash_length(CHECKSUM).hash(b);
    h.as_bytes().try_into().expect("32 bytes")
}

/// Ends a file with the checksum of everything before it.
pub(crate) fn seal(mut out: Vec<u8>) -> Vec<u8> {
    let sum = checksum(&out);
    out.extend_from_slice(&sum);
    out
}

/// The file without its checksum, once the checksum matches. Key files are checked whole
/// before the backend reads them: its readers size buffers from the file and panic on short
/// input, so only intact files may reach them.
pub(crate) fn unseal<'a>(b: &'a [u8], what: &'static str) -> Result<&'a [u8], Error> {
    let body = b.len().checked_sub(CHECKSUM).map(|n| b.split_at(n));
    match body {
        Some((body, sum)) if checksum(body)[..] == *sum => Ok(body),
        _ => Err(Error::Format(format!(
            "{what} file damaged: its checksum does not match"
        ))),
    }
}

/// Reads a file field by field; every shortfall is an [`Error::Format`] naming the offset.
pub(crate) struct Reader<'a> {
    b: &'a [u8],
    at: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// Checks the magic word, the format version and the circuit version (files of another
    /// circuit are refused before anything of theirs is read); returns the reader and the
    /// program id and `k` of the file.
    pub fn open(
        b: &'a [u8],
        magic: &[u8; 8],
        what: &'static str,
    ) -> Result<(Reader<'a>, ProgramId, u32), Error> {
        let mut r = Reader { b, at: 0, what };
        if r.take(8).ok() != Some(&magic[..]) {
            return Err(Error::Format(format!("not a zkwasm {what} file")));
        }
        let version = r.u32()?;
        if version != FORMAT_VERSION {
            return Err(Error::Format(format!(
                "{what} file format version {version}, this build reads {FORMAT_VERSION}"
            )));
        }
        let circuit = r.u32()?;
        if circuit != CIRCUIT_VERSION {
            return Err(Error::Format(format!(
                "{what} made for circuit version {circuit}, this build's circuit is version {CIRCUIT_VERSION}: make it again"
            )));
        }
        let id = ProgramId(r.take(32)?.try_into().expect("32 bytes"));
        let k = r.u32()?;
        Ok((r, id, k))
    }

    pub fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.b.len());
        let end = end.ok_or_else(|| {
            Error::Format(format!("{} file truncated at byte {}", self.what, self.at))
        })?;
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }

    pub fn u32(&mut self) -> Result<u32, Error> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }

    pub fn u64(&mut self) -> Result<u64, Error> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }

    /// The rest of the file.
    pub fn rest(&mut self) -> &'a [u8] {
        let s = &self.b[self.at..];
        self.at = self.b.len();
        s
    }

    /// Checks nothing follows what was read.
    pub fn finish(self) -> Result<(), Error> {
        match self.b.len() - self.at {
            0 => Ok(()),
            n => Err(Error::Format(format!(
                "{n} bytes after the end of the {}",
                self.what
            ))),
        }
    }
}
