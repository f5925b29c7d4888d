/*
 * horner — evaluates a private polynomial at a public point (Horner's rule, modulo 2^64) and
 * outputs the value: a commitment-free "I know coefficients giving this value" statement.
 *
 * Inputs:  public: x, degree d (at most 64); private: d + 1 coefficients, highest first.
 * Outputs: p(x) mod 2^64. x = 3, d = 2, coefficients [2, 0, 5] -> instances [3, 2, 23].
 * Exercises: a loop of i64 multiply-adds over private inputs; provable end to end.
 */
#include "zkwasm.h"

void zkmain(void) {
    unsigned long long x = zk_public_u64();
    unsigned long long d = zk_public_u64();
    zk_assert(d <= 64);
    unsigned long long acc = zk_private_u64();
    for (unsigned long long i = 0; i < d; i++) {
        acc = acc * x + zk_private_u64();
    }
    zk_output_u64(acc);
}
