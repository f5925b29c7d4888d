/*
 * zkwasm.h — host ABI of the zkwasm VM for C guest programs.
 *
 * The VM links exactly three host functions, all imported from module "env".
 * They are compatible with DelphinusLab zkWasm guests:
 *
 *   wasm_input(is_public: i32) -> i64
 *       is_public != 0: the next public input. Public inputs are also appended
 *                       to the instances (the public values of the proof).
 *       is_public == 0: the next private (witness) input; not revealed.
 *       Reading past the end of a stream stops the run with a
 *       "missing input" error.
 *   wasm_output(v: i64)
 *       Appends v to the instances.
 *   require(cond: i32)
 *       Stops the run with a "require failed" error when cond == 0. In the
 *       proof this is the constraint cond * cond^-1 = 1, so a proof exists only
 *       for runs where every require holds.
 *
 * The instances of a run are the public inputs and the outputs, interleaved
 * in execution order.
 *
 * Build a guest (freestanding, no libc):
 *
 *   clang --target=wasm32 -O2 -nostdlib -fno-builtin -Iguests/include \
 *         -Wl,--no-entry -Wl,--export=zkmain -o prog.wasm prog.c
 *
 * The declarations below make the three functions imports from "env", so
 * -Wl,--allow-undefined is not needed (and without it, any other undefined
 * symbol is a link error rather than an import the VM would refuse).
 *
 * The entry point is an exported function taking no parameters, by convention
 *
 *   ZK_EXPORT("zkmain") void zkmain(void) { ... }
 *
 * Floating point is not supported by the VM: do not use float or double.
 * Without libc, define memcpy/memset yourself if the compiler needs them (it
 * emits calls to them for struct copies), or build with -mbulk-memory so
 * they become the memory.copy / memory.fill instructions.
 */
#ifndef ZKWASM_H
#define ZKWASM_H

#ifdef __cplusplus
extern "C" {
#endif

#define ZK_IMPORT(name) \
    __attribute__((import_module("env"), import_name(name)))

/* Exports a function under the given name (in addition to -Wl,--export=). */
#define ZK_EXPORT(name) __attribute__((export_name(name), visibility("default")))

/* Next public (is_public != 0) or private (is_public == 0) input. */
ZK_IMPORT("wasm_input") unsigned long long wasm_input(int is_public);

/* Appends a value to the instances. */
ZK_IMPORT("wasm_output") void wasm_output(unsigned long long value);

/* Stops the run (no proof exists) when cond == 0. */
ZK_IMPORT("require") void require(int cond);

/* Next public input: also becomes the next instance. */
static inline unsigned long long zk_public_u64(void) { return wasm_input(1); }

/* Next private input: a witness known only to the prover. */
static inline unsigned long long zk_private_u64(void) { return wasm_input(0); }

/* Next public input as a signed 64-bit integer (two's complement). */
static inline long long zk_public_i64(void) { return (long long)wasm_input(1); }

/* Next private input as a signed 64-bit integer (two's complement). */
static inline long long zk_private_i64(void) { return (long long)wasm_input(0); }

/* Appends a value to the instances. */
static inline void zk_output_u64(unsigned long long v) { wasm_output(v); }

/* Constrains c to be true (non-zero); the run fails otherwise. */
#define zk_assert(c) require((c) ? 1 : 0)

#ifdef __cplusplus
}
#endif

#endif /* ZKWASM_H */
