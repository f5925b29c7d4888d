/*
 * bytes — byte, halfword and word accesses at every alignment, including accesses
 * that cross 8-byte boundaries, and the sign-extension operators (built with -msign-ext).
 *
 * Inputs:  public: seed, rounds (1..=16).
 * Outputs: a checksum of every load, then the first four (aligned) words of the buffer.
 *          The computation is mirrored in tests/guests.rs. seed = 0x0123456789abcdef,
 *          rounds = 3 gives [0x0123456789abcdef, 3, 0x3fcf0b8728a3f868, 0x26506c04e376c3fc,
 *          0xa1a29b0b0dd66378, 0x1c8a8586d6b74c57, 0x24f83c493998b260].
 * Exercises: i32.load8_s/u, i32.load16_s/u, i64.load8_s/u, i64.load16_s/u,
 *          i64.load32_s/u, unaligned i32/i64 loads and stores, i32.store8/16,
 *          i64.store8/16/32, i32.extend8_s/16_s, i64.extend8_s/16_s/32_s, a data segment.
 */
#include "zkwasm.h"

typedef unsigned long long u64;
typedef long long i64;
typedef unsigned int u32;
typedef int i32;
typedef unsigned short u16;
typedef short i16;
typedef unsigned char u8;
typedef signed char i8;

/* Unaligned, aliasing-safe views of memory. */
typedef u64 __attribute__((aligned(1), may_alias)) u64u;
typedef u32 __attribute__((aligned(1), may_alias)) u32u;
typedef i32 __attribute__((aligned(1), may_alias)) i32u;
typedef u16 __attribute__((aligned(1), may_alias)) u16u;
typedef i16 __attribute__((aligned(1), may_alias)) i16u;

#define LEN 64

/* 8-aligned, with a non-zero initial image (data segment). */
static u8 buf[LEN + 16] __attribute__((aligned(8))) =
    "The quick brown fox jumps over the lazy dog; zkwasm bytes test 0123456789abcdef";

/*
 * One accessor per operator. They are not inlined, so that each compiles to exactly the
 * operator named (inlined, LLVM folds extensions into neighbouring shifts and loads).
 */
#define ACCESSOR(name, ret, arg, expr) \
    __attribute__((noinline)) static ret name(arg) { return expr; }
ACCESSOR(ld8s_32, i32, const u8 *p, *(const i8 *)p)          /* i32.load8_s */
ACCESSOR(ld8u_32, u32, const u8 *p, *p)                      /* i32.load8_u */
ACCESSOR(ld16s_32, i32, const u8 *p, *(const i16u *)p)       /* i32.load16_s */
ACCESSOR(ld16u_32, u32, const u8 *p, *(const u16u *)p)       /* i32.load16_u */
ACCESSOR(ld32_32, u32, const u8 *p, *(const u32u *)p)        /* i32.load */
ACCESSOR(ld8s_64, i64, const u8 *p, *(const i8 *)p)          /* i64.load8_s */
ACCESSOR(ld8u_64, u64, const u8 *p, *p)                      /* i64.load8_u */
ACCESSOR(ld16s_64, i64, const u8 *p, *(const i16u *)p)       /* i64.load16_s */
ACCESSOR(ld16u_64, u64, const u8 *p, *(const u16u *)p)       /* i64.load16_u */
ACCESSOR(ld32s_64, i64, const u8 *p, *(const i32u *)p)       /* i64.load32_s */
ACCESSOR(ld32u_64, u64, const u8 *p, *(const u32u *)p)       /* i64.load32_u */
ACCESSOR(ld64, u64, const u8 *p, *(const u64u *)p)           /* i64.load */
ACCESSOR(ext8_32, i32, u32 x, (i8)x)                         /* i32.extend8_s */
ACCESSOR(ext16_32, i32, u32 x, (i16)x)                       /* i32.extend16_s */
ACCESSOR(ext8_64, i64, u64 x, (i8)x)                         /* i64.extend8_s */
ACCESSOR(ext16_64, i64, u64 x, (i16)x)                       /* i64.extend16_s */
ACCESSOR(ext32_64, i64, u64 x, (i32)x)                       /* i64.extend32_s */

__attribute__((noinline)) static u64 checksum(u64 h) {
    for (u32 o = 0; o < LEN; o++) {
        const u8 *p = buf + o;
        h = h * 31 + (u64)(u32)ld8s_32(p);
        h = h * 31 + ld8u_32(p + 1);
        h = h * 31 + (u64)(u32)ld16s_32(p + 2);
        h = h * 31 + ld16u_32(p + 1);
        h = h * 31 + ld32_32(p + 3);
        h = h * 31 + (u64)ld8s_64(p + 4);
        h = h * 31 + ld8u_64(p + 5);
        h = h * 31 + (u64)ld16s_64(p + 5);
        h = h * 31 + ld16u_64(p + 6);
        h = h * 31 + (u64)ld32s_64(p + 7);
        h = h * 31 + ld32u_64(p + 2);
        h = h * 31 + ld64(p + 5);
        u32 w = (u32)h;
        h = h * 31 + (u64)(u32)ext8_32(w + 3);
        h = h * 31 + (u64)(u32)ext16_32(w * 5);
        h = h * 31 + (u64)ext8_64(h >> 3);
        h = h * 31 + (u64)ext16_64(h >> 5);
        h = h * 31 + (u64)ext32_64(h >> 7);
    }
    return h;
}

__attribute__((noinline)) static void scramble(u64 x, u32 round) {
    for (u32 o = 0; o < LEN; o += 1) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        u8 *p = buf + ((o * 7 + round) % LEN);
        switch ((x >> 60) & 7) {
        case 0: *p = (u8)(x >> 32); break;                     /* store8 */
        case 1: *(u16u *)p = (u16)(x >> 40); break;            /* store16 */
        case 2: *(u32u *)p = (u32)(x >> 16); break;            /* store (unaligned) */
        case 3: *(u64u *)p = x; break;                          /* i64.store (unaligned) */
        case 4: *(u64u *)p ^= x >> 1; break;                    /* i64 load + store */
        case 5: *(u32u *)p += (u32)(x >> 33); break;            /* i32 load + store */
        case 6: *(u16u *)(p + 1) -= (u16)(x >> 24); break;
        default: p[3] = p[0] ^ p[9]; break;
        }
    }
}

void zkmain(void) {
    u64 seed = zk_public_u64();
    u64 rounds = zk_public_u64();
    zk_assert(rounds >= 1 && rounds <= 16);
    u64 h = seed;
    for (u32 r = 0; r < (u32)rounds; r++) {
        scramble(h ^ r, r);
        h = checksum(h);
    }
    zk_output_u64(h);
    for (int i = 0; i < 4; i++) zk_output_u64(((u64 *)buf)[i]);
}
