/*
 * sha256 — SHA-256 of a message given as private input.
 *
 * Inputs:  private: len (bytes, at most 4096), then ceil(len / 8) words holding
 *          the message bytes, little-endian (byte i is bits 8*(i%8).. of word i/8).
 * Outputs: the 32-byte digest as 4 u64, each the big-endian value of 8 digest
 *          bytes, so the hex of the instances reads like the usual digest.
 *          sha256("abc") -> ba7816bf8f01cfea 414140de5dae2223 b00361a396177a9c b410ff61f20015ad
 * Exercises: i32 rotates/shifts/xor/and, loops, a static constant table (data
 *          segment), byte stores, i32 loads.
 */
#include "zkwasm.h"

typedef unsigned int u32;
typedef unsigned long long u64;
typedef unsigned char u8;

#define MAX_LEN 4096

static const u32 K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static u32 H[8];
static u8 msg[MAX_LEN + 72]; /* message + padding */

static inline u32 rotr(u32 x, u32 n) { return (x >> n) | (x << (32 - n)); }

static void compress(const u8 *block) {
    u32 w[64];
    for (int i = 0; i < 16; i++) {
        w[i] = ((u32)block[4 * i] << 24) | ((u32)block[4 * i + 1] << 16) |
               ((u32)block[4 * i + 2] << 8) | (u32)block[4 * i + 3];
    }
    for (int i = 16; i < 64; i++) {
        u32 s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        u32 s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    u32 a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
    for (int i = 0; i < 64; i++) {
        u32 S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        u32 ch = (e & f) ^ (~e & g);
        u32 t1 = h + S1 + ch + K[i] + w[i];
        u32 S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        u32 maj = (a & b) ^ (a & c) ^ (b & c);
        u32 t2 = S0 + maj;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    H[0] += a;
    H[1] += b;
    H[2] += c;
    H[3] += d;
    H[4] += e;
    H[5] += f;
    H[6] += g;
    H[7] += h;
}

void zkmain(void) {
    u64 len = zk_private_u64();
    zk_assert(len <= MAX_LEN);

    /* Unpack the message bytes from little-endian input words. */
    u64 word = 0;
    for (u32 i = 0; i < (u32)len; i++) {
        if ((i & 7) == 0) word = zk_private_u64();
        msg[i] = (u8)(word >> (8 * (i & 7)));
    }

    /* Padding: 0x80, zeros, 64-bit big-endian bit length. */
    u32 n = (u32)len;
    u32 padded = (n + 9 + 63) & ~63u;
    msg[n] = 0x80;
    for (u32 i = n + 1; i < padded - 8; i++) msg[i] = 0;
    u64 bits = len * 8;
    for (int i = 0; i < 8; i++) msg[padded - 1 - i] = (u8)(bits >> (8 * i));

    H[0] = 0x6a09e667;
    H[1] = 0xbb67ae85;
    H[2] = 0x3c6ef372;
    H[3] = 0xa54ff53a;
    H[4] = 0x510e527f;
    H[5] = 0x9b05688c;
    H[6] = 0x1f83d9ab;
    H[7] = 0x5be0cd19;
    for (u32 off = 0; off < padded; off += 64) compress(msg + off);

    for (int i = 0; i < 4; i++) zk_output_u64(((u64)H[2 * i] << 32) | H[2 * i + 1]);
}
