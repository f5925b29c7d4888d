//! KZG parameters: read from a directory in the format halo2 writes (`K{k}.params`), cut down
//! from a larger file there, or generated for development.

use crate::Error;
use halo2_proofs::halo2curves::bn256::Bn256;
use halo2_proofs::halo2curves::group::GroupEncoding;
use halo2_proofs::poly::commitment::{Params as _, ParamsProver};
use halo2_proofs::poly::kzg::commitment::ParamsKZG;
use halo2_proofs::SerdeFormat;
use std::path::{Path, PathBuf};
use zkwasm_tables::MAX_K;

/// The largest parameter file looked for to cut down: BN254's scalar field has 2^28-th roots
/// of unity, so no setup for halo2 is larger.
const LARGEST_FILE: u32 = 28;

/// KZG parameters over BN254.
pub type Params = ParamsKZG<Bn256>;

/// Where [`load_params`] found its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Read from `K{k}.params`.
    Read(PathBuf),
    /// Cut down from the larger `K{j}.params` (any prefix of a powers-of-tau setup is one), and
    /// cached as `K{k}.params` when the directory is writable.
    Downsized { from: PathBuf, cached: bool },
    /// Generated from local randomness and written to `K{k}.params`: **not** from a trusted
    /// setup. Whoever ran the generation could have kept the secret and forge proofs; such
    /// parameters convince only those who trust the machine that made them.
    Generated(PathBuf),
}

impl Origin {
    pub fn is_generated(&self) -> bool {
        matches!(self, Origin::Generated(_))
    }
}

fn file(dir: &Path, k: u32) -> PathBuf {
    dir.join(format!("K{k}.params"))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Reads `K{k}.params` from `dir`; failing that, cuts down the smallest larger `K{j}.params`
/// there; failing that, generates development parameters. What is derived or generated is
/// written to `K{k}.params`, so it is never made twice.
pub fn load_params(dir: &Path, k: u32) -> Result<(Params, Origin), Error> {
    if let Some(found) = find(dir, k)? {
        return Ok(found);
    }
    let path = file(dir, k);
    let params = ParamsKZG::<Bn256>::setup(k, rand::rngs::OsRng);
    Ok(match save(dir, &path, k, &params)? {
        None => (params, Origin::Generated(path)),
        Some(theirs) => (theirs, Origin::Read(path)),
    })
}

/// Like [`load_params`], but never generates: what a verifier calls, since only the
/// parameters the keys were made with can check their proofs.
pub fn read_params(dir: &Path, k: u32) -> Result<(Params, Origin), Error> {
    find(dir, k)?.ok_or_else(|| {
        Error::Params(format!(
            "no {} (nor a larger K*.params) in {}: verifying needs the parameters the keys were made with (never generated)",
            file(dir, k).display(),
            dir.display()
        ))
    })
}

/// `K{k}.params` read, or cut down from a larger file (and then saved), if there is either.
fn find(dir: &Path, k: u32) -> Result<Option<(Params, Origin)>, Error> {
    if !(zkwasm_tables::MIN_K..=MAX_K).contains(&k) {
        return Err(Error::Unsupported(format!(
            "k = {k}: circuits are between k = {} and k = {MAX_K}",
            zkwasm_tables::MIN_K
        )));
    }
    let path = file(dir, k);
    if path.exists() {
        return Ok(Some((read(&path, k)?, Origin::Read(path))));
    }
    let larger = (k + 1..=LARGEST_FILE)
        .map(|j| (j, file(dir, j)))
        .find(|(_, p)| p.exists());
    let Some((j, from)) = larger else {
        return Ok(None);
    };
    let params = read_prefix(&from, j, k)?;
    // A read-only directory (a mounted ceremony) still serves: the cache is only a saving.
    Ok(Some(match save(dir, &path, k, &params) {
        Ok(None) => (params, Origin::Downsized { from, cached: true }),
        Ok(Some(theirs)) => (theirs, Origin::Read(path)),
        Err(_) => (
            params,
            Origin::Downsized {
                from,
                cached: false,
            },
        ),
    }))
}

/// Writes parameters whole under a unique name, then links them into place unless a
/// concurrent caller got there first: then its parameters are returned, read from the file.
/// Keys are only valid with the parameters on disk, so a file is never replaced, and a
/// reader never sees half a file.
fn save(dir: &Path, path: &Path, k: u32, params: &Params) -> Result<Option<Params>, Error> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut bytes = vec![];
    params.write(&mut bytes).map_err(io(path))?;
    let partial = path.with_extension(format!("params.{:016x}.partial", rand::random::<u64>()));
    std::fs::write(&partial, bytes).map_err(io(&partial))?;
    let linked = std::fs::hard_link(&partial, path);
    let _ = std::fs::remove_file(&partial);
    match linked {
        Ok(()) => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(Some(read(path, k)?)),
        Err(e) => Err(io(path)(e)),
    }
}

/// What identifies a setup whatever its size: a hash of the first two G1 points (the
/// generator and the secret times it) and of the G2 generator and the secret times it. Keys
/// record it, so proving or verifying with other parameters fails with a clear error instead of
/// an invalid proof.
pub fn fingerprint(params: &Params) -> [u8; 32] {
    let g = params.get_g();
    let mut h = blake2b_simd::Params::new().hash_length(32).to_state();
    for p in &g[..2] {
        h.update(p.to_bytes().as_ref());
    }
    h.update(params.g2().to_bytes().as_ref());
    h.update(params.s_g2().to_bytes().as_ref());
    h.finalize().as_bytes().try_into().expect("32 bytes")
}

/// The parameters for `k` inside the larger file `path` (for `j`), reading only what they
/// need: the first 2^k G1 points and the two G2 points (a K24 ceremony file holds 2 GiB of
/// points, most of which a small circuit never uses). Their Lagrange forms are recomputed.
fn read_prefix(path: &Path, j: u32, k: u32) -> Result<Params, Error> {
    use std::io::{Read, Seek, SeekFrom};
    let corrupt = || {
        Error::Params(format!(
            "{}: not KZG parameters for k = {j}",
            path.display()
        ))
    };
    let mut f = std::fs::File::open(path).map_err(io(path))?;
    let len = f.metadata().map_err(io(path))?.len();
    let mut header = [0u8; 4];
    f.read_exact(&mut header).map_err(io(path))?;
    if u32::from_le_bytes(header) != j || len != file_size(j) {
        return Err(corrupt());
    }
    let points = (1usize << k) * 64;
    let mut g = vec![0u8; points];
    f.read_exact(&mut g).map_err(io(path))?;
    let mut g2 = [0u8; 256];
    f.seek(SeekFrom::Start(len - 256)).map_err(io(path))?;
    f.read_exact(&mut g2).map_err(io(path))?;
    // A K{k} file with the G1 points standing in for their Lagrange forms, which `downsize`
    // then recomputes from them.
    let bytes = [&k.to_le_bytes()[..], &g, &g, &g2].concat();
    let mut params = ParamsKZG::<Bn256>::read_custom(&mut &bytes[..], SerdeFormat::RawBytes)
        .map_err(|_| corrupt())?;
    params.downsize(k);
    Ok(params)
}

/// The size of a `K{k}.params` file: k, 2^k G1 points and their 2^k Lagrange forms (64 bytes
/// each), two G2 points (128 each).
fn file_size(k: u32) -> u64 {
    4 + (1u64 << k) * 128 + 256
}

/// Reads parameters for `k` from `path`, checking every point is on its curve. The backend
/// allocates 2^k points from the file's first word before reading them: the header and the
/// exact size are checked first, so a corrupt file is an error, not an abort.
fn read(path: &Path, k: u32) -> Result<Params, Error> {
    let bytes = std::fs::read(path).map_err(io(path))?;
    let header = bytes
        .get(..4)
        .map(|h| u32::from_le_bytes(h.try_into().expect("4 bytes")));
    let corrupt = || {
        Error::Params(format!(
            "{}: not KZG parameters for k = {k}",
            path.display()
        ))
    };
    if header != Some(k) || bytes.len() as u64 != file_size(k) {
        return Err(corrupt());
    }
    ParamsKZG::<Bn256>::read_custom(&mut &bytes[..], SerdeFormat::RawBytes).map_err(|_| corrupt())
}
