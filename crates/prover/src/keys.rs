//! Proving and verifying keys of one program at one circuit size, and their files.
//!
//! | bytes | field |
//! |---|---|
//! | 8 | magic `ZKWASMVK` or `ZKWASMPK` |
//! | 4 | format version |
//! | 32 | program id |
//! | 4 | circuit size `k` |
//! | 8 | the circuit's constants: entry function, initial pages (u32 each) |
//! | n | the backend's own key encoding (verifying key: compressed points; proving key: raw) |
//! | 32 | BLAKE2b-256 of all the bytes before |
//!
//! The checksum is checked before anything else is read. The backend rebuilds a key's constraint system from the circuit and its constants when
//! reading, so a key file holds only commitments and polynomials.

use crate::control::{Control, Stage};
use crate::file::{header, seal, unseal, Reader};
use crate::{Error, Params, Program, ProgramId};
use halo2_proofs::halo2curves::bn256::G1Affine;
use halo2_proofs::plonk::{self, keygen_pk, keygen_vk_custom, Circuit};
use halo2_proofs::poly::commitment::Params as _;
use halo2_proofs::SerdeFormat;
use zkwasm_circuits::etable::Start;
use zkwasm_circuits::vm::VmCircuit;

const VK_MAGIC: &[u8; 8] = b"ZKWASMVK";
const PK_MAGIC: &[u8; 8] = b"ZKWASMPK";

/// What checks a proof: the commitments to the program's image and the circuit's fixed
/// tables. It binds the program: a proof verifies only against the keys of the program and `k`
/// it was made for.
#[derive(Clone, Debug)]
pub struct VerifyingKey {
    pub program_id: ProgramId,
    pub k: u32,
    start: Start,
    pub(crate) vk: plonk::VerifyingKey<G1Affine>,
}

/// What makes proofs: the verifying key plus the fixed polynomials in evaluation form.
/// Shared freely between threads (`&ProvingKey` is `Sync`).
#[derive(Debug)]
pub struct ProvingKey {
    pub program_id: ProgramId,
    pub k: u32,
    start: Start,
    pub(crate) pk: plonk::ProvingKey<G1Affine>,
}

/// Makes the keys of `program` at the parameters' size.
pub fn setup(params: &Params, program: &Program) -> Result<(ProvingKey, VerifyingKey), Error> {
    setup_with(params, program, &Control::default())
}

/// [`setup`] with progress reports and cancellation.
pub fn setup_with(
    params: &Params,
    program: &Program,
    control: &Control,
) -> Result<(ProvingKey, VerifyingKey), Error> {
    let k = params.k();
    let circuit = VmCircuit::new(k, program.image_tables()).without_witnesses();
    let keygen = |e: plonk::Error| Error::Internal(format!("key generation: {e:?}"));
    let vk = control.stage(Stage::VerifyingKey, || {
        keygen_vk_custom(params, &circuit, true).map_err(keygen)
    })?;
    let pk = control.stage(Stage::ProvingKey, || {
        keygen_pk(params, vk.clone(), &circuit).map_err(keygen)
    })?;
    let (program_id, start) = (program.id(k), circuit.params());
    Ok((
        ProvingKey {
            program_id,
            k,
            start,
            pk,
        },
        VerifyingKey {
            program_id,
            k,
            start,
            vk,
        },
    ))
}

/// The file header shared by both keys.
fn key_header(magic: &[u8; 8], id: &ProgramId, k: u32, start: &Start) -> Vec<u8> {
    let mut out = header(magic, id, k);
    out.extend_from_slice(&start.entry_fid.to_le_bytes());
    out.extend_from_slice(&start.pages.to_le_bytes());
    out
}

/// Opens a key file: its id, `k`, circuit constants and the backend's bytes, with the backend's
/// own `k` (bytes 1..5 of its encoding) checked against ours before the backend sizes anything
/// from it.
fn open_key<'a>(
    b: &'a [u8],
    magic: &[u8; 8],
    what: &'static str,
) -> Result<(ProgramId, u32, Start, &'a [u8]), Error> {
    let b = match b.get(..8) {
        Some(m) if m == magic => unseal(b, what)?,
        _ => return Err(Error::Format(format!("not a zkwasm {what} file"))),
    };
    let (mut r, id, k) = Reader::open(b, magic, what)?;
    let start = Start {
        entry_fid: r.u32()?,
        pages: r.u32()?,
    };
    let rest = r.rest();
    let backend_k = rest
        .get(1..5)
        .map(|s| u32::from_le_bytes(s.try_into().expect("4 bytes")));
    if !(zkwasm_tables::MIN_K..=zkwasm_tables::MAX_K).contains(&k) || backend_k != Some(k) {
        return Err(Error::Format(format!(
            "{what} file: inconsistent circuit size"
        )));
    }
    Ok((id, k, start, rest))
}

/// Reads a backend object that must use up `bytes` exactly.
fn read_all<T>(
    mut bytes: &[u8],
    what: &'static str,
    read: impl FnOnce(&mut &[u8]) -> std::io::Result<T>,
) -> Result<T, Error> {
    let t = read(&mut bytes).map_err(|e| Error::Format(format!("{what} file: {e}")))?;
    if !bytes.is_empty() {
        return Err(Error::Format(format!(
            "{} bytes after the end of the {what}",
            bytes.len()
        )));
    }
    Ok(t)
}

impl VerifyingKey {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = key_header(VK_MAGIC, &self.program_id, self.k, &self.start);
        out.extend_from_slice(&self.vk.to_bytes(SerdeFormat::Processed));
        seal(out)
    }

    pub fn from_bytes(b: &[u8]) -> Result<VerifyingKey, Error> {
        let what = "verifying key";
        let (program_id, k, start, rest) = open_key(b, VK_MAGIC, what)?;
        let vk = read_all(rest, what, |r| {
            plonk::VerifyingKey::read::<_, VmCircuit>(r, SerdeFormat::Processed, start)
        })?;
        Ok(VerifyingKey {
            program_id,
            k,
            start,
            vk,
        })
    }

    /// BLAKE2b-256 of the key file: what to compare when checking that a received verifying
    /// key is the one `setup` makes for a program.
    pub fn hash(&self) -> [u8; 32] {
        let h = blake2b_simd::Params::new()
            .hash_length(32)
            .hash(&self.to_bytes());
        h.as_bytes().try_into().expect("32 bytes")
    }
}

impl ProvingKey {
    pub fn verifying_key(&self) -> VerifyingKey {
        VerifyingKey {
            program_id: self.program_id,
            k: self.k,
            start: self.start,
            vk: self.pk.get_vk().clone(),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = key_header(PK_MAGIC, &self.program_id, self.k, &self.start);
        out.extend_from_slice(&self.pk.to_bytes(SerdeFormat::RawBytes));
        seal(out)
    }

    pub fn from_bytes(b: &[u8]) -> Result<ProvingKey, Error> {
        let what = "proving key";
        let (program_id, k, start, rest) = open_key(b, PK_MAGIC, what)?;
        let pk = read_all(rest, what, |r| {
            plonk::ProvingKey::read::<_, VmCircuit>(r, SerdeFormat::RawBytes, start)
        })?;
        Ok(ProvingKey {
            program_id,
            k,
            start,
            pk,
        })
    }
}
