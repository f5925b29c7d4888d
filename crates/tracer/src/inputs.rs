//! Program inputs: the public and private input streams read by `wasm_input`.

use serde::Serialize;

/// Inputs of one run, consumed in order by `wasm_input(1)` (public) and `wasm_input(0)` (private).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Inputs {
    pub public: Vec<u64>,
    pub private: Vec<u64>,
}
