/*
 * i64arith — a mix of 64- and 32-bit integer arithmetic, signed and unsigned.
 *
 * Inputs:  public: a, b, rounds (at most 1000), c, d.
 * Outputs: a and b after `rounds` rounds of mixing (see mix()), then the quotient
 *          c / d (signed, unguarded: d = 0 traps with integer divide by zero,
 *          c = i64::MIN, d = -1 traps with integer overflow).
 *          The computation is mirrored in tests/guests.rs. With public
 *          [0x0123456789abcdef, 0xfedcba9876543210, 100, -7, 2] the instances are
 *          [0x0123456789abcdef, 0xfedcba9876543210, 100, 0xe70c5f2560424408,
 *           0x4eb5559fcab9cb05, -7, 2, -3].
 * Exercises: i64/i32 mul, div_s/div_u/rem_s/rem_u, shl/shr_s/shr_u, rotl/rotr,
 *          clz/ctz/popcnt, signed/unsigned compares, eqz, select, extend/wrap,
 *          the division traps.
 */
#include "zkwasm.h"

typedef unsigned long long u64;
typedef long long i64;
typedef unsigned int u32;
typedef int i32;

static inline u64 rotl64(u64 x, u64 r) { return (x << (r & 63)) | (x >> ((64 - (r & 63)) & 63)); }
static inline u64 rotr64(u64 x, u64 r) { return (x >> (r & 63)) | (x << ((64 - (r & 63)) & 63)); }
static inline u32 rotl32(u32 x, u32 r) { return (x << (r & 31)) | (x >> ((32 - (r & 31)) & 31)); }
static inline u64 clz64(u64 x) { return x ? (u64)__builtin_clzll(x) : 64; }
static inline u64 ctz64(u64 x) { return x ? (u64)__builtin_ctzll(x) : 64; }
static inline u32 clz32(u32 x) { return x ? (u32)__builtin_clz(x) : 32; }
static inline u32 ctz32(u32 x) { return x ? (u32)__builtin_ctz(x) : 32; }

__attribute__((noinline)) static u64 mix(u64 a, u64 b) {
    i64 sa = (i64)a, sb = (i64)b;
    u64 du = b | 1, du2 = (b >> 5) | 2;
    i64 ds = (i64)(b | 1), ds2 = ((sb >> 9) & ~7LL) | 4; /* never 0 or -1 */
    if (ds == -1) ds = 7;
    u64 r = a * b;
    r += a / du;
    r ^= a % du2;
    r += (u64)(sa / ds);
    r ^= (u64)(sa % ds2);
    r += a << (b & 63);
    r ^= a >> (b >> 58);
    r += (u64)(sa >> (b & 63));
    r ^= rotl64(a, b);
    r += rotr64(b, a);
    r ^= clz64(a) | (ctz64(b) << 8) | ((u64)__builtin_popcountll(a ^ b) << 16);
    r += ((u64)(sa < sb) << 1) | ((u64)(a < b) << 2) | ((u64)(sa >= sb) << 3) |
         ((u64)(a >= b) << 4) | ((u64)(a == b) << 5) | ((u64)(a == 0) << 6) |
         ((u64)(sa > 0) << 7);

    u32 x = (u32)a, y = (u32)(b >> 32);
    i32 sx = (i32)x, sy = (i32)y;
    u32 dy = y | 1;
    i32 sdy = sy | 1;
    if (sdy == -1) sdy = 5;
    u32 q = x / dy, m = x % (dy + 2);
    i32 sq = sx / sdy, sm = sx % ((sy & ~7) | 4);
    r += ((u64)q << 32) | m;
    r ^= (u64)(i64)sq;              /* i64.extend_i32_s */
    r += (u64)(u32)sm;              /* i64.extend_i32_u */
    r ^= (u64)(x << (y & 31)) << 3;
    r += (u64)(i64)(sx >> (y & 31));
    r ^= (u64)(x >> (y & 31)) << 7;
    r += (u64)rotl32(x, y) * 3;
    r ^= ((u64)clz32(x) << 40) | ((u64)ctz32(y) << 48) | ((u64)__builtin_popcount(x & y) << 56);
    r += (u64)(x * y) + (u64)(sx < sy) + (u64)(x > y) * 2;
    r = (sa & 1) ? r : ~r; /* select or branch */
    return r;
}

void zkmain(void) {
    u64 a = zk_public_u64();
    u64 b = zk_public_u64();
    u64 rounds = zk_public_u64();
    zk_assert(rounds <= 1000);
    for (u64 i = 0; i < rounds; i++) {
        u64 na = mix(a, b);
        b = rotl64(b, 17) ^ (a + i);
        a = na;
    }
    zk_output_u64(a);
    zk_output_u64(b);

    i64 c = zk_public_i64();
    i64 d = zk_public_i64();
    zk_output_u64((u64)(c / d));
}
