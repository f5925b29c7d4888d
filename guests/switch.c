/*
 * switch — a bytecode interpreter whose dispatch is a dense switch, which clang
 * compiles to br_table.
 *
 * Inputs:  public: n.
 * Outputs: the results of three bytecode programs run on n: sum_{i=1..n} i*i, the
 *          Collatz step count of n, n - n*n (wrapping), then a checksum of the opcode
 *          dispatch counts.
 *          n = 27 -> instances [27, 6930, 111, 0xfffffffffffffd42, 0xb9b0a7a9]
 *          (2565 bytecode instructions dispatched).
 * Exercises: br_table (dense switch, default arm), loops, i64 arithmetic, byte loads from
 *          a data segment.
 */
#include "zkwasm.h"

typedef unsigned long long u64;
typedef unsigned char u8;

enum {
    OP_HALT,  /* stop, result = top */
    OP_PUSH,  /* push next byte */
    OP_LOAD,  /* push reg[next byte] */
    OP_STORE, /* reg[next byte] = pop */
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_AND,
    OP_SHR1,  /* top >>= 1 */
    OP_DUP,
    OP_JZ,    /* pop; if zero jump to next byte */
    OP_JMP,   /* jump to next byte */
    OP_LT,    /* b = pop, a = pop, push a < b */
    OP_EQ,
    OP_NOT,
    OP_SWAP,
};

/* r0 = n, r1 = i, r2 = acc: acc = 0; i = 1; while !(n < i) { acc += i*i; i += 1 } */
static const u8 sum_squares[] = {
    OP_PUSH, 0, OP_STORE, 2,        /*  0: acc = 0 */
    OP_PUSH, 1, OP_STORE, 1,        /*  4: i = 1 */
    OP_LOAD, 0, OP_LOAD, 1, OP_LT,  /*  8: n < i */
    OP_JZ, 17,                      /* 13: if !(n < i) goto 17 */
    OP_JMP, 35,                     /* 15: goto end */
    OP_LOAD, 1, OP_DUP, OP_MUL,     /* 17: i * i */
    OP_LOAD, 2, OP_ADD, OP_STORE, 2, /* 21: acc += i * i */
    OP_LOAD, 1, OP_PUSH, 1, OP_ADD, /* 26: i + 1 */
    OP_STORE, 1, OP_JMP, 8,         /* 31: i = i + 1; loop */
    OP_LOAD, 2, OP_HALT,            /* 35: end: return acc */
};

/* r0 = n, r2 = steps: while n != 1 { n = n & 1 ? 3n + 1 : n >> 1; steps += 1 } */
static const u8 collatz[] = {
    OP_PUSH, 0, OP_STORE, 2,                          /*  0: steps = 0 */
    OP_LOAD, 0, OP_PUSH, 1, OP_EQ, OP_NOT, OP_JZ, 44, /*  4: if n == 1 goto end */
    OP_LOAD, 0, OP_PUSH, 1, OP_AND, OP_JZ, 30,        /* 12: if n even goto 30 */
    OP_LOAD, 0, OP_DUP, OP_DUP, OP_ADD, OP_ADD,       /* 19: 3n */
    OP_PUSH, 1, OP_ADD, OP_JMP, 33,                   /* 25: 3n + 1; goto 33 */
    OP_LOAD, 0, OP_SHR1,                              /* 30: n >> 1 */
    OP_STORE, 0,                                      /* 33: n = new value */
    OP_LOAD, 2, OP_PUSH, 1, OP_ADD, OP_STORE, 2,      /* 35: steps += 1 */
    OP_JMP, 4,                                        /* 42: loop */
    OP_LOAD, 2, OP_HALT,                              /* 44: end: return steps */
};

/* n - n * n (wrapping) */
static const u8 swap_sub[] = {
    OP_LOAD, 0, OP_DUP, OP_MUL, /* 0: n * n */
    OP_LOAD, 0, OP_SWAP, OP_SUB, /* 4: n - n * n */
    OP_HALT,                     /* 8 */
};

static u64 counts[16];

__attribute__((noinline)) static u64 run(const u8 *code, u64 n) {
    u64 stack[16];
    u64 reg[4] = {n, 0, 0, 0};
    int sp = 0, pc = 0;
    for (;;) {
        u8 op = code[pc++];
        counts[op & 15]++;
        switch (op) {
        case OP_HALT:
            return stack[sp - 1];
        case OP_PUSH:
            stack[sp++] = code[pc++];
            break;
        case OP_LOAD:
            stack[sp++] = reg[code[pc++] & 3];
            break;
        case OP_STORE:
            reg[code[pc++] & 3] = stack[--sp];
            break;
        case OP_ADD:
            sp--;
            stack[sp - 1] += stack[sp];
            break;
        case OP_SUB:
            sp--;
            stack[sp - 1] -= stack[sp];
            break;
        case OP_MUL:
            sp--;
            stack[sp - 1] *= stack[sp];
            break;
        case OP_AND:
            sp--;
            stack[sp - 1] &= stack[sp];
            break;
        case OP_SHR1:
            stack[sp - 1] >>= 1;
            break;
        case OP_DUP:
            stack[sp] = stack[sp - 1];
            sp++;
            break;
        case OP_JZ: {
            u8 target = code[pc++];
            if (stack[--sp] == 0) pc = target;
            break;
        }
        case OP_JMP:
            pc = code[pc];
            break;
        case OP_LT:
            sp--;
            stack[sp - 1] = stack[sp - 1] < stack[sp];
            break;
        case OP_EQ:
            sp--;
            stack[sp - 1] = stack[sp - 1] == stack[sp];
            break;
        case OP_NOT:
            stack[sp - 1] = !stack[sp - 1];
            break;
        case OP_SWAP: {
            u64 t = stack[sp - 1];
            stack[sp - 1] = stack[sp - 2];
            stack[sp - 2] = t;
            break;
        }
        default:
            require(0); /* invalid opcode */
            return 0;
        }
        zk_assert(sp >= 0 && sp <= 16);
    }
}

void zkmain(void) {
    u64 n = zk_public_u64();
    zk_assert(n >= 1 && n <= 1000);
    zk_output_u64(run(sum_squares, n));
    zk_output_u64(run(collatz, n));
    zk_output_u64(run(swap_sub, n));
    u64 check = 0;
    for (int i = 0; i < 16; i++) check = check * 3 + counts[i];
    zk_output_u64(check);
}
