//! The proof file: self-describing and versioned.
//!
//! | bytes | field |
//! |---|---|
//! | 8 | magic `ZKWASMPF` |
//! | 4 | format version |
//! | 4 | circuit version |
//! | 32 | program id |
//! | 4 | circuit size `k` |
//! | 4 + 8n | instance count, then each instance (u64) |
//! | 4 + m | proof length, then the proof (SHPLONK, Blake2b transcript) |
//!
//! Integers are little-endian.

use crate::file::{header, Reader};
use crate::{Error, ProgramId};

const MAGIC: &[u8; 8] = b"ZKWASMPF";

/// A proof of one run, with what a verifier needs besides the verifying key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    pub program_id: ProgramId,
    pub k: u32,
    /// The public instances, in execution order.
    pub instances: Vec<u64>,
    pub bytes: Vec<u8>,
}

impl Proof {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = header(MAGIC, &self.program_id, self.k);
        out.extend_from_slice(&(self.instances.len() as u32).to_le_bytes());
        for v in &self.instances {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&(self.bytes.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.bytes);
        out
    }

    pub fn from_bytes(b: &[u8]) -> Result<Proof, Error> {
        let (mut r, program_id, k) = Reader::open(b, MAGIC, "proof")?;
        let n = r.u32()? as usize;
        let instances = (0..n).map(|_| r.u64()).collect::<Result<_, _>>()?;
        let m = r.u32()? as usize;
        let bytes = r.take(m)?.to_vec();
        r.finish()?;
        Ok(Proof {
            program_id,
            k,
            instances,
            bytes,
        })
    }
}
