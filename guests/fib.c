/*
 * fib — recursive Fibonacci of a public input (the zkWasm fibonacci example).
 *
 * Inputs:  public: n (at most 25).
 * Outputs: fib(n), with fib(0) = 0, fib(1) = 1. n = 20 -> instances [20, 6765].
 * Exercises: deep recursion (call/return, frames), i32 arithmetic, br_if.
 */
#include "zkwasm.h"

__attribute__((noinline)) static unsigned fib(unsigned n) {
    if (n < 4) return (n + 1) / 2; /* fib(0..4) = 0, 1, 1, 2 */
    return fib(n - 1) + fib(n - 2);
}

void zkmain(void) {
    unsigned long long n = zk_public_u64();
    zk_assert(n <= 25);
    zk_output_u64(fib((unsigned)n));
}
