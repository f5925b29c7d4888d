/*
 * fnptr — calls through function pointers (call_indirect through the table).
 *
 * Inputs:  public: seed, n (1..=64).
 * Outputs: chain: acc = ops[sel_i](acc, x_i) over i < n, with sel_i taken from the seed
 *          bits and x_i from an LCG;
 *          folds: the fold of xs with each of the 8 binary ops, combined as
 *          h = h * 31 + fold_j;
 *          small: a u32 chain of unary ops (a second function type);
 *          with seed = 0x9e3779b97f4a7c15, n = 40 the instances are
 *          [0x9e3779b97f4a7c15, 40, 0x672f5ea39b026ecf, 0x1d4dedc938e71a1b, 0xfaab68bb].
 * Exercises: call_indirect with two signatures, element segment, indirect calls from a
 *          higher-order function, i64 arithmetic.
 */
#include "zkwasm.h"

typedef unsigned long long u64;
typedef unsigned int u32;

typedef u64 (*binop)(u64, u64);
typedef u32 (*unop)(u32);

static u64 op_add(u64 a, u64 b) { return a + b; }
static u64 op_sub(u64 a, u64 b) { return a - b; }
static u64 op_mul(u64 a, u64 b) { return a * b; }
static u64 op_xor(u64 a, u64 b) { return a ^ b; }
static u64 op_or(u64 a, u64 b) { return a | (b >> 7); }
static u64 op_and(u64 a, u64 b) { return a & ~b; }
static u64 op_rot(u64 a, u64 b) { return (a << (b & 63)) | (a >> ((64 - (b & 63)) & 63)); }
static u64 op_max(u64 a, u64 b) { return a > b ? a : b; }

static binop const ops[8] = {op_add, op_sub, op_mul, op_xor, op_or, op_and, op_rot, op_max};

static u32 un_inc(u32 x) { return x + 1; }
static u32 un_dbl(u32 x) { return x * 2 + 1; }
static u32 un_neg(u32 x) { return -x; }
static u32 un_mix(u32 x) { return (x ^ (x >> 13)) * 0x9e3779b1u; }

static unop const unops[4] = {un_inc, un_dbl, un_neg, un_mix};

static u64 xs[64];

__attribute__((noinline)) static u64 fold(binop f, const u64 *v, int n, u64 init) {
    u64 acc = init;
    for (int i = 0; i < n; i++) acc = f(acc, v[i]);
    return acc;
}

void zkmain(void) {
    u64 seed = zk_public_u64();
    u64 n = zk_public_u64();
    zk_assert(n >= 1 && n <= 64);

    u64 x = seed;
    for (int i = 0; i < (int)n; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        xs[i] = x;
    }

    u64 acc = seed;
    for (int i = 0; i < (int)n; i++) acc = ops[(seed >> ((i % 21) * 3)) & 7](acc, xs[i]);
    zk_output_u64(acc);

    u64 h = 0;
    for (int j = 0; j < 8; j++) h = h * 31 + fold(ops[j], xs, (int)n, (u64)j);
    zk_output_u64(h);

    u32 s = (u32)seed;
    for (int i = 0; i < (int)n; i++) s = unops[(xs[i] >> 62) & 3](s);
    zk_output_u64(s);
}
