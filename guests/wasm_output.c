/*
 * wasm_output — the zkWasm `wasm_output` example: twice, read a public input
 * and output its double.
 *
 * Inputs:  public: a, b.
 * Outputs: 2a, 2b. With public inputs 133 and 2 the instances are [133, 266, 2, 4].
 * Exercises: the host ABI and the interleaving of public inputs and outputs.
 */
#include "zkwasm.h"

void zkmain(void) {
    for (int i = 0; i < 2; i++) {
        unsigned long long v = zk_public_u64();
        zk_output_u64(v * 2);
    }
}
