/*
 * fibonacci — iterative Fibonacci modulo 2^64 of a public input, with a public bound.
 *
 * Inputs:  public: n (at most 100,000).
 * Outputs: fib(n) mod 2^64, fib(0) = 0. n = 90 -> instances [90, 2880067194370816120].
 * Exercises: a long loop of i64 additions and comparisons; the circuits prove it end to end
 * (the benchmarks use it to fill a circuit: 17 steps per iteration).
 */
#include "zkwasm.h"

__attribute__((noinline)) static unsigned long long fib(unsigned long long n) {
    unsigned long long a = 0, b = 1;
    /* Not unrolled: the remainder loop would need i64.and, which no circuit covers yet. */
#pragma clang loop unroll(disable)
    for (unsigned long long i = 0; i < n; i++) {
        unsigned long long c = a + b;
        a = b;
        b = c;
    }
    return a;
}

void zkmain(void) {
    unsigned long long n = zk_public_u64();
    zk_assert(n <= 100000);
    zk_output_u64(fib(n));
}
