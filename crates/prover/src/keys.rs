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

/// A backend key and how its file is told apart and encoded.
trait BackendKey: Sized {
    const MAGIC: &'static [u8; 8];
    const WHAT: &'static str;
    const FORMAT: SerdeFormat;
    fn bytes(&self) -> Vec<u8>;
    fn read(r: &mut &[u8], start: Start) -> std::io::Result<Self>;
}

impl BackendKey for plonk::VerifyingKey<G1Affine> {
    const MAGIC: &'static [u8; 8] = b"ZKWASMVK";
    const WHAT: &'static str = "verifying key";
    const FORMAT: SerdeFormat = SerdeFormat::Processed;
    fn bytes(&self) -> Vec<u8> {
        self.to_bytes(Self::FORMAT)
    }
    fn read(r: &mut &[u8], start: Start) -> std::io::Result<Self> {
        Self::read::<_, VmCircuit>(r, Self::FORMAT, start)
    }
}

impl BackendKey for plonk::ProvingKey<G1Affine> {
    const MAGIC: &'static [u8; 8] = b"ZKWASMPK";
    const WHAT: &'static str = "proving key";
    const FORMAT: SerdeFormat = SerdeFormat::RawBytes;
    fn bytes(&self) -> Vec<u8> {
        self.to_bytes(Self::FORMAT)
    }
    fn read(r: &mut &[u8], start: Start) -> std::io::Result<Self> {
        Self::read::<_, VmCircuit>(r, Self::FORMAT, start)
    }
}

/// A key file: header, circuit constants, the backend's encoding, checksum.
fn encode<K: BackendKey>(id: &ProgramId, k: u32, start: &Start, key: &K) -> Vec<u8> {
    let mut out = header(K::MAGIC, id, k);
    out.extend_from_slice(&start.entry_fid.to_le_bytes());
    out.extend_from_slice(&start.pages.to_le_bytes());
    out.extend_from_slice(&key.bytes());
    seal(out)
}

/// Reads a key file: the checksum first, then the header, then the backend's encoding with
/// the backend's own `k` (bytes 1..5 of it) checked against ours before the backend sizes
/// anything from it, and nothing left over.
fn decode<K: BackendKey>(b: &[u8]) -> Result<(ProgramId, u32, Start, K), Error> {
    let what = K::WHAT;
    let b = match b.get(..8) {
        Some(m) if m == K::MAGIC => unseal(b, what)?,
        _ => return Err(Error::Format(format!("not a zkwasm {what} file"))),
    };
    let (mut r, id, k) = Reader::open(b, K::MAGIC, what)?;
    let start = Start {
        entry_fid: r.u32()?,
        pages: r.u32()?,
    };
    let mut rest = r.rest();
    let backend_k = rest
        .get(1..5)
        .map(|s| u32::from_le_bytes(s.try_into().expect("4 bytes")));
    if !(zkwasm_tables::MIN_K..=zkwasm_tables::MAX_K).contains(&k) || backend_k != Some(k) {
        return Err(Error::Format(format!(
            "{what} file: inconsistent circuit size"
        )));
    }
    let key = K::read(&mut rest, start).map_err(|e| Error::Format(format!("{what} file: {e}")))?;
    if !rest.is_empty() {
        return Err(Error::Format(format!(
            "{} bytes after the end of the {what}",
            rest.len()
        )));
    }
    Ok((id, k, start, key))
}

impl VerifyingKey {
    pub fn to_bytes(&self) -> Vec<u8> {
        encode(&self.program_id, self.k, &self.start, &self.vk)
    }

    pub fn from_bytes(b: &[u8]) -> Result<VerifyingKey, Error> {
        let (program_id, k, start, vk) = decode(b)?;
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
        encode(&self.program_id, self.k, &self.start, &self.pk)
    }

    pub fn from_bytes(b: &[u8]) -> Result<ProvingKey, Error> {
        let (program_id, k, start, pk) = decode(b)?;
        Ok(ProvingKey {
            program_id,
            k,
            start,
            pk,
        })
    }
}
