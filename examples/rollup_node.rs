//! A rollup node's use of zkwasm: one program, keys made once, then a stream of transactions
//! (inputs) proved concurrently by a pool of workers, each proof checked by a verifier that
//! holds only the verifying key, as another node would.
//!
//! ```sh
//! cargo run --release --example rollup_node            # parameters in ./params
//! cargo run --release --example rollup_node -- DIR     # parameters in DIR
//! ```
//!
//! The program is the bundled `guests/wasm/weighted.wasm`: public (n, weight, bound), private
//! n values; it outputs their weighted sum and requires it below the bound.

use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::Mutex;
use std::time::Instant;
use zkwasm::prover::{self, Control, Program, Proof, Stage};
use zkwasm::tracer::{Inputs, Limits};

const WASM: &[u8] = include_bytes!("../guests/wasm/weighted.wasm");
const WORKERS: usize = 3;

/// The node's transactions: each a different set of inputs for the same program.
fn transactions() -> Vec<Inputs> {
    (1..=8u64)
        .map(|i| {
            let values: Vec<u64> = (0..i).map(|j| 10 * i + j).collect();
            Inputs {
                public: vec![i, i + 1, u64::MAX],
                private: values,
            }
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "params".into()));
    let program = Program::load(WASM, "zkmain", Limits::default())?;
    let txs = transactions();

    // One size for every transaction: the largest dry run decides it.
    let mut k = zkwasm::tables::MIN_K;
    for tx in &txs {
        let run = prover::execute(&program, tx)?;
        if let Some(e) = run.obstacle() {
            return Err(e.into());
        }
        k = k.max(run.min_k);
    }
    let (params, origin) = prover::load_params(&dir, k)?;
    if origin.is_generated() {
        eprintln!(
            "note: development parameters generated in {} (not a trusted setup)",
            dir.display()
        );
    }
    let started = Instant::now();
    let (pk, vk) = prover::setup(&params, &program)?;
    println!(
        "setup: program {} at k = {k} in {:.2?}",
        pk.program_id,
        started.elapsed()
    );

    // Workers take transactions from a queue and send back proofs; the verifier below sees
    // only the verifying key and the proof bytes.
    let queue = Mutex::new(txs.iter().enumerate());
    let (send, receive) = mpsc::channel::<(usize, Result<Vec<u8>, prover::Error>)>();
    let started = Instant::now();
    std::thread::scope(|s| {
        for worker in 0..WORKERS {
            let (queue, send, params, pk, program) = (&queue, send.clone(), &params, &pk, &program);
            s.spawn(move || loop {
                let Some((i, tx)) = queue.lock().expect("queue").next() else {
                    break;
                };
                let control = Control::with_progress(move |stage, fraction| {
                    if stage == Stage::Proof && fraction == 0.0 {
                        eprintln!("worker {worker}: proving transaction {i}");
                    }
                });
                let proof = prover::prove_with(params, pk, program, tx, &control);
                send.send((i, proof.map(|p| p.to_bytes())))
                    .expect("receiver alive");
            });
        }
        drop(send);
        for (i, proof) in receive {
            let proof = Proof::from_bytes(&proof?)?;
            let instances = prover::verify(&params, &vk, &proof)?;
            let tx = &txs[i];
            let expected: u64 = tx.private.iter().map(|v| v * tx.public[1]).sum();
            assert_eq!(instances.last(), Some(&expected), "transaction {i}");
            println!("transaction {i}: verified, instances {instances:?}");
        }
        Ok::<(), Box<dyn std::error::Error>>(())
    })?;
    println!(
        "{} proofs by {WORKERS} workers in {:.2?}, all verified",
        txs.len(),
        started.elapsed()
    );
    Ok(())
}
