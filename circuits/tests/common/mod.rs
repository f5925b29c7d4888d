//! Real KZG proving for the circuit tests: development parameters from a seeded rng, keys
//! from the circuit without a witness (so they depend on the program and `k` only), SHPLONK
//! with a Blake2b transcript.

use halo2_proofs::halo2curves::bn256::{Bn256, G1Affine};
use halo2_proofs::plonk::{
    create_proof, keygen_pk, keygen_vk_custom, verify_proof, Circuit, Error, ProvingKey,
    VerifyingKey,
};
use halo2_proofs::poly::commitment::ParamsProver;
use halo2_proofs::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_proofs::poly::kzg::multiopen::{ProverSHPLONK, VerifierSHPLONK};
use halo2_proofs::poly::kzg::strategy::SingleStrategy;
use halo2_proofs::transcript::{
    Blake2bRead, Blake2bWrite, Challenge255, TranscriptReadBuffer, TranscriptWriterBuffer,
};
use rand::rngs::StdRng;
use rand::SeedableRng;
use zkwasm_circuits::Fr;

pub struct Kzg {
    params: ParamsKZG<Bn256>,
    vk: VerifyingKey<G1Affine>,
    pk: ProvingKey<G1Affine>,
}

impl Kzg {
    pub fn setup<C: Circuit<Fr>>(k: u32, circuit: &C) -> Kzg {
        let params = ParamsKZG::<Bn256>::setup(k, &mut StdRng::seed_from_u64(7));
        let shape = circuit.without_witnesses();
        let vk = keygen_vk_custom(&params, &shape, true).unwrap();
        let pk = keygen_pk(&params, vk.clone(), &shape).unwrap();
        Kzg { params, vk, pk }
    }

    /// A proof of `circuit` (whose witness may be forged: proving does not check it).
    pub fn prove<C: Circuit<Fr>>(&self, circuit: &C, instances: &[Vec<Fr>]) -> Vec<u8> {
        let inst: Vec<&[Fr]> = instances.iter().map(|v| &v[..]).collect();
        let mut tw = Blake2bWrite::<_, G1Affine, Challenge255<_>>::init(vec![]);
        create_proof::<
            KZGCommitmentScheme<Bn256>,
            ProverSHPLONK<'_, Bn256>,
            Challenge255<G1Affine>,
            _,
            _,
            _,
        >(
            &self.params,
            &self.pk,
            std::slice::from_ref(circuit),
            &[&inst],
            StdRng::seed_from_u64(11),
            &mut tw,
        )
        .unwrap();
        tw.finalize()
    }

    pub fn verify(&self, proof: &[u8], instances: &[Vec<Fr>]) -> Result<(), Error> {
        let inst: Vec<&[Fr]> = instances.iter().map(|v| &v[..]).collect();
        let mut tr = Blake2bRead::<_, G1Affine, Challenge255<_>>::init(proof);
        verify_proof::<
            KZGCommitmentScheme<Bn256>,
            VerifierSHPLONK<'_, Bn256>,
            Challenge255<G1Affine>,
            _,
            _,
        >(
            self.params.verifier_params(),
            &self.vk,
            SingleStrategy::new(&self.params),
            &[&inst],
            &mut tr,
        )
    }
}
