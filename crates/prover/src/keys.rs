//! Proving and verifying keys of one program at one circuit size, and their files.
//!
//! | bytes | field |
//! |---|---|
//! | 8 | magic `ZKWASMVK` or `ZKWASMPK` |
//! | 4 | format version |
//! | 4 | circuit version |
//! | 32 | program id |
//! | 4 | circuit size `k` |
//! | 16 | the circuit's constants: entry function, initial pages, the memory maximum, the largest stack pointer (u32 each) |
//! | 32 | the fingerprint of the parameters the key was made with |
//! | n | the backend's own key encoding (verifying key: compressed points; proving key: raw) |
//! | 32 | BLAKE2b-256 of all the bytes before |
//!
//! The checksum is checked before anything else is read. The backend rebuilds a key's constraint system from the circuit and its constants when
//! reading, so a key file holds only commitments and polynomials.

use crate::control::{Control, Stage};
use crate::file::{header, seal, unseal, Reader};
use crate::params::fingerprint;
use crate::{Error, Params, Program, ProgramId, Proof};
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
    /// [`crate::params::fingerprint`] of the parameters the key was made with: only those
    /// check its proofs.
    pub params: [u8; 32],
    start: Start,
    pub(crate) vk: plonk::VerifyingKey<G1Affine>,
}

/// What makes proofs: the verifying key plus the fixed polynomials in evaluation form.
/// Shared freely between threads (`&ProvingKey` is `Sync`).
#[derive(Debug)]
pub struct ProvingKey {
    pub program_id: ProgramId,
    pub k: u32,
    /// [`crate::params::fingerprint`] of the parameters the key was made with: proofs made
    /// with others would not verify.
    pub params: [u8; 32],
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
    let (vk, circuit) = make_vk(params, program, control)?;
    let pk = control.stage(Stage::ProvingKey, || {
        keygen_pk(params, vk.vk.clone(), &circuit).map_err(keygen_error)
    })?;
    let pk = ProvingKey {
        program_id: vk.program_id,
        k: vk.k,
        params: vk.params,
        start: vk.start,
        pk,
    };
    Ok((pk, vk))
}

/// The verifying key `setup` makes for `program` with these parameters, alone: what a
/// verifier computes to check that a key it received belongs to a module (compare
/// [`VerifyingKey::hash`]), since the program id in a key file is only the key's claim.
pub fn verifying_key(params: &Params, program: &Program) -> Result<VerifyingKey, Error> {
    Ok(make_vk(params, program, &Control::default())?.0)
}

fn keygen_error(e: plonk::Error) -> Error {
    Error::Internal(format!("key generation: {e:?}"))
}

/// The verifying key, and the key-less circuit it was made from.
fn make_vk(
    params: &Params,
    program: &Program,
    control: &Control,
) -> Result<(VerifyingKey, VmCircuit), Error> {
    let k = params.k();
    let tables = program.image_tables();
    let need = tables.usage().min_k();
    if need > k {
        return Err(Error::TooLong {
            need,
            k,
            what: "the program's image",
        });
    }
    let program_id = ProgramId::of(&tables.image, k);
    let circuit = VmCircuit::new(k, tables).without_witnesses();
    let vk = control.stage(Stage::VerifyingKey, || {
        keygen_vk_custom(params, &circuit, true).map_err(keygen_error)
    })?;
    let vk = VerifyingKey {
        program_id,
        k,
        params: fingerprint(params),
        start: circuit.params(),
        vk,
    };
    Ok((vk, circuit))
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

/// What a key file holds besides the backend's key.
struct Frame {
    id: ProgramId,
    k: u32,
    start: Start,
    params: [u8; 32],
}

/// A key file: header, circuit constants, parameters' fingerprint, the backend's encoding,
/// checksum.
fn encode<K: BackendKey>(f: Frame, key: &K) -> Vec<u8> {
    let mut out = header(K::MAGIC, &f.id, f.k);
    out.extend_from_slice(&f.start.entry_fid.to_le_bytes());
    out.extend_from_slice(&f.start.pages.to_le_bytes());
    out.extend_from_slice(&f.start.max_pages.to_le_bytes());
    out.extend_from_slice(&f.start.max_sp.to_le_bytes());
    out.extend_from_slice(&f.params);
    out.extend_from_slice(&key.bytes());
    seal(out)
}

/// Reads a key file: the checksum first, then the header, then the backend's encoding with
/// the backend's own `k` (bytes 1..5 of it) checked against ours before the backend sizes
/// anything from it, and nothing left over. The backend's readers unwrap and size buffers from
/// the file: only intact files of this circuit version reach them, and a panic on a crafted
/// one is still turned into an error.
fn decode<K: BackendKey>(b: &[u8]) -> Result<(Frame, K), Error> {
    let what = K::WHAT;
    // The header first (a key of another format or circuit version says so), then the
    // checksum, then the fields.
    Reader::open(b, K::MAGIC, what)?;
    let (mut r, id, k) = Reader::open(unseal(b, what)?, K::MAGIC, what)?;
    let start = Start {
        entry_fid: r.u32()?,
        pages: r.u32()?,
        max_pages: r.u32()?,
        max_sp: r.u32()?,
    };
    let params = r.take(32)?.try_into().expect("32 bytes");
    let mut rest = r.rest();
    let backend_k = rest
        .get(1..5)
        .map(|s| u32::from_le_bytes(s.try_into().expect("4 bytes")));
    if !(zkwasm_tables::MIN_K..=zkwasm_tables::MAX_K).contains(&k) || backend_k != Some(k) {
        return Err(Error::Format(format!(
            "{what} file: inconsistent circuit size"
        )));
    }
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| K::read(&mut rest, start)));
    let key = match read {
        Ok(Ok(key)) => key,
        Ok(Err(e)) => return Err(Error::Format(format!("{what} file: {e}"))),
        Err(_) => return Err(Error::Format(format!("{what} file: unreadable key"))),
    };
    if !rest.is_empty() {
        return Err(Error::Format(format!(
            "{} bytes after the end of the {what}",
            rest.len()
        )));
    }
    Ok((
        Frame {
            id,
            k,
            start,
            params,
        },
        key,
    ))
}

impl VerifyingKey {
    /// Refuses a proof labelled with another program or size: cheap, before any cryptography
    /// (the key itself is what binds; this catches mix-ups with a clear message).
    pub fn check_label(&self, proof: &Proof) -> Result<(), Error> {
        if proof.program_id != self.program_id || proof.k != self.k {
            return Err(Error::ProgramMismatch {
                what: "the proof",
                expected: self.program_id,
                expected_k: self.k,
                found: proof.program_id,
                found_k: proof.k,
            });
        }
        Ok(())
    }

    fn frame(&self) -> Frame {
        Frame {
            id: self.program_id,
            k: self.k,
            start: self.start,
            params: self.params,
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        encode(self.frame(), &self.vk)
    }

    pub fn from_bytes(b: &[u8]) -> Result<VerifyingKey, Error> {
        let (f, vk) = decode(b)?;
        Ok(VerifyingKey {
            program_id: f.id,
            k: f.k,
            params: f.params,
            start: f.start,
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

    /// The backend's digest of the verifying key, which (unlike the key file) covers the
    /// constraint system: every gate and lookup, not only the fixed columns' commitments.
    pub fn circuit_digest(&self) -> [u8; 32] {
        use halo2_proofs::halo2curves::ff::PrimeField;
        self.vk.transcript_repr().to_repr()
    }
}

impl ProvingKey {
    /// Refuses a program other than the one the key was made for.
    pub fn check_program(&self, program: &Program) -> Result<(), Error> {
        let id = program.id(self.k);
        if id != self.program_id {
            return Err(Error::ProgramMismatch {
                what: "the program",
                expected: self.program_id,
                expected_k: self.k,
                found: id,
                found_k: self.k,
            });
        }
        Ok(())
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        VerifyingKey {
            program_id: self.program_id,
            k: self.k,
            params: self.params,
            start: self.start,
            vk: self.pk.get_vk().clone(),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let frame = Frame {
            id: self.program_id,
            k: self.k,
            start: self.start,
            params: self.params,
        };
        encode(frame, &self.pk)
    }

    pub fn from_bytes(b: &[u8]) -> Result<ProvingKey, Error> {
        let (f, pk) = decode(b)?;
        Ok(ProvingKey {
            program_id: f.id,
            k: f.k,
            params: f.params,
            start: f.start,
            pk,
        })
    }
}
