/*
 * bulk — memcpy/memmove/memset-heavy code, built with -mbulk-memory so they become the
 * memory.copy and memory.fill instructions.
 *
 * Inputs:  public: seed, rounds (1..=32), oob (0 or 1).
 * Outputs: a hash of the 2 KiB buffer after `rounds` rounds of fills, copies and
 *          overlapping moves in both directions, then the buffer's first word.
 *          oob = 1 then copies 8 bytes to 4 bytes before the end of memory: the run
 *          traps (out of bounds memory access) before writing anything.
 *          The computation is mirrored in tests/guests.rs. seed = 7, rounds = 8, oob = 0
 *          gives [7, 8, 0, 0x2d39832a0bbf9885, 0].
 * Exercises: memory.copy (forward, backward/overlapping, unaligned, length 0),
 *          memory.fill, memory.size, the bulk-memory bounds check.
 */
#include "zkwasm.h"

typedef unsigned long long u64;
typedef unsigned int u32;
typedef unsigned char u8;

#define LEN 2048

static u8 buf[LEN] __attribute__((aligned(8)));

static u64 next(u64 *x) {
    *x = *x * 6364136223846793005ull + 1442695040888963407ull;
    return *x >> 33;
}

void zkmain(void) {
    u64 seed = zk_public_u64();
    u64 rounds = zk_public_u64();
    u64 oob = zk_public_u64();
    zk_assert(rounds >= 1 && rounds <= 32);

    u8 *end = (u8 *)(__builtin_wasm_memory_size(0) * 65536);
    u64 x = seed;
    for (u32 r = 0; r < (u32)rounds; r++) {
        /* fill [a, a + n) with a byte */
        u32 a = next(&x) % LEN;
        u32 n = next(&x) % (LEN - a) % 300;
        __builtin_memset(buf + a, (int)next(&x), n);

        /* copy between two disjoint halves */
        u32 src = next(&x) % (LEN / 2);
        u32 dst = LEN / 2 + next(&x) % (LEN / 2);
        u32 m = next(&x) % 257;
        if (src + m > LEN / 2) m = LEN / 2 - src;
        if (dst + m > LEN) m = LEN - dst;
        __builtin_memcpy(buf + dst, buf + src, m);

        /* overlapping moves: forwards (dst < src) and backwards (dst > src) */
        u32 s = next(&x) % (LEN - 512);
        u32 k = next(&x) % 200;
        u32 d = next(&x) % 64;
        __builtin_memmove(buf + s, buf + s + d, k);
        __builtin_memmove(buf + s + d + 1, buf + s, k);

        /* zero-length copies and fills (z is 0, but the compiler cannot know it), one of
         * them at the very end of memory, which the bounds check allows */
        u32 z = (u32)(rounds >> 6);
        __builtin_memmove(buf + (x % LEN), buf, z);
        __builtin_memset(buf + ((x >> 7) % LEN), 0xff, z);
        __builtin_memmove(end, buf + 1, z);
    }

    u64 h = 0;
    const u64 *w = (const u64 *)buf;
    for (u32 i = 0; i < LEN / 8; i++) h = (h ^ w[i]) * 0x100000001b3ull;
    zk_output_u64(h);
    zk_output_u64(w[0]);

    if (oob) {
        __builtin_memcpy(end - 4, buf, 8);
        zk_output_u64(1); /* not reached */
    }
}
