//! The proof file: self-describing and versioned.
//!
//! | bytes | field |
//! |---|---|
//! | 8 | magic `ZKWASMPF` |
//! | 4 | format version (little-endian) |
//! | 32 | program id |
//! | 4 | circuit size `k` |
//! | 4 + 8n | instance count, then each instance (u64, little-endian) |
//! | 4 + m | proof length, then the proof |

use crate::Error;

const MAGIC: &[u8; 8] = b"ZKWASMPF";
/// The version of the file format this crate writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// A proof of one run, with what a verifier needs besides the keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    pub program_id: [u8; 32],
    pub k: u32,
    /// The public instances, in execution order.
    pub instances: Vec<u64>,
    pub bytes: Vec<u8>,
}

impl Proof {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(60 + 8 * self.instances.len() + self.bytes.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&self.program_id);
        out.extend_from_slice(&self.k.to_le_bytes());
        out.extend_from_slice(&(self.instances.len() as u32).to_le_bytes());
        for v in &self.instances {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&(self.bytes.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.bytes);
        out
    }

    pub fn from_bytes(b: &[u8]) -> Result<Proof, Error> {
        let mut r = Reader { b, at: 0 };
        if r.take(8)? != MAGIC {
            return Err(Error::Format("not a zkwasm proof file".into()));
        }
        let version = r.u32()?;
        if version != FORMAT_VERSION {
            return Err(Error::Format(format!(
                "format version {version}, this build reads {FORMAT_VERSION}"
            )));
        }
        let program_id = r.take(32)?.try_into().expect("32 bytes");
        let k = r.u32()?;
        let n = r.u32()? as usize;
        let instances = (0..n).map(|_| r.u64()).collect::<Result<_, _>>()?;
        let m = r.u32()? as usize;
        let bytes = r.take(m)?.to_vec();
        if r.at != b.len() {
            return Err(Error::Format(format!(
                "{} bytes after the proof",
                b.len() - r.at
            )));
        }
        Ok(Proof {
            program_id,
            k,
            instances,
            bytes,
        })
    }
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.b.len());
        let end = end.ok_or_else(|| Error::Format(format!("truncated at byte {}", self.at)))?;
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn u32(&mut self) -> Result<u32, Error> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }

    fn u64(&mut self) -> Result<u64, Error> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
}
