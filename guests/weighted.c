/* Weighted sum of n private values: sum(value_i * w), required below a public bound and
 * output. Built from calls, i64 add/mul, comparisons and branches only, so the first circuit
 * classes prove it end to end (circuits/tests/vm.rs).
 *
 * Public inputs: n, w, bound. Private inputs: n values. Instances: [n, w, bound, sum]. */
#include "zkwasm.h"

__attribute__((noinline)) static unsigned long long weighted(unsigned long long n, unsigned long long w) {
    unsigned long long s = 0;
    for (unsigned long long i = 0; i < n; i++) {
        s += zk_private_u64() * w;
    }
    return s;
}

void zkmain(void) {
    unsigned long long n = zk_public_u64();
    unsigned long long w = zk_public_u64();
    unsigned long long bound = zk_public_u64();
    unsigned long long s = weighted(n, w);
    zk_assert(s < bound);
    zk_output_u64(s);
}
