#!/usr/bin/env bash
# Rebuilds every guests/*.c into guests/wasm/NAME.wasm.
#
#   bash guests/build.sh            # from anywhere
#   CLANG=clang-14 bash guests/build.sh
#
# The committed .wasm files were built with Debian 12's clang 14 (clang, lld). The build
# is deterministic: relative paths only, no debug info, so rebuilding with the same
# compiler gives byte-identical files (CI: `bash guests/build.sh && git diff --exit-code
# guests/wasm`). Another clang version may generate different (equally valid) code.
#
# When wasm-objdump (wabt) is installed, the script also checks that each program imports
# only the host ABI (env.wasm_input, env.wasm_output, env.require) and contains the
# operators it exists to exercise.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

CLANG="${CLANG:-clang}"
if ! command -v "$CLANG" >/dev/null 2>&1; then
    echo "error: $CLANG not found; install clang and lld (Debian 12: apt-get install -y clang lld wabt)" >&2
    exit 1
fi
if ! "$CLANG" --target=wasm32 -print-prog-name=wasm-ld >/dev/null 2>&1 || ! command -v wasm-ld >/dev/null 2>&1; then
    echo "error: wasm-ld not found; install lld (Debian 12: apt-get install -y lld)" >&2
    exit 1
fi
version="$("$CLANG" --version | head -n 1)"
case "$version" in
*"clang version 14."*) ;;
*) echo "warning: the committed binaries were built with clang 14; this is: $version" >&2 ;;
esac

COMMON_FLAGS=(
    --target=wasm32
    -O2
    -g0
    -nostdlib
    -fno-builtin
    -ffile-prefix-map="$PWD"=.
    -Iinclude
    -Wall
    -Werror
    -Wl,--no-entry
    -Wl,--export=zkmain
    -Wl,--strip-debug
)

# Extra flags per program.
extra_flags() {
    case "$1" in
    bytes) echo "-msign-ext" ;;
    bulk) echo "-mbulk-memory" ;;
    *) echo "" ;;
    esac
}

# Operators each program must contain (checked with wasm-objdump).
must_contain() {
    case "$1" in
    switch) echo "br_table" ;;
    fnptr) echo "call_indirect" ;;
    bulk) echo "memory.copy memory.fill" ;;
    bytes) echo "i32.extend8_s i32.extend16_s i64.extend8_s i64.extend16_s i64.extend32_s i64.load32_s i32.load16_s" ;;
    i64arith) echo "i64.div_s i64.div_u i64.rem_s i64.rem_u i64.rotl i64.rotr i64.clz i64.ctz i64.popcnt" ;;
    weighted) echo "loop i64.mul i64.lt_u" ;;
    fibonacci) echo "loop i64.add" ;;
    horner) echo "loop i64.mul i64.add" ;;
    *) echo "" ;;
    esac
}

mkdir -p wasm
shopt -s nullglob
sources=(*.c)
if [ "${#sources[@]}" -eq 0 ]; then
    echo "error: no guest sources in $PWD" >&2
    exit 1
fi

have_objdump=0
if command -v wasm-objdump >/dev/null 2>&1; then
    have_objdump=1
else
    echo "note: wasm-objdump not found (install wabt): skipping import/operator checks" >&2
fi

for src in "${sources[@]}"; do
    name="${src%.c}"
    out="wasm/$name.wasm"
    # shellcheck disable=SC2046 # word splitting of the flag list is intended
    "$CLANG" "${COMMON_FLAGS[@]}" $(extra_flags "$name") -o "$out" "$src"

    if [ "$have_objdump" -eq 1 ]; then
        imports="$(wasm-objdump -x -j Import "$out" 2>/dev/null | grep -o '<- [^ ]*' | sed 's/<- //' || true)"
        for imp in $imports; do
            case "$imp" in
            env.wasm_input | env.wasm_output | env.require) ;;
            *)
                echo "error: $out imports $imp (only env.wasm_input, env.wasm_output and env.require are allowed;" \
                    "define memcpy/memset yourself or build with -mbulk-memory)" >&2
                exit 1
                ;;
            esac
        done
        disasm="$(wasm-objdump -d "$out")"
        for op in $(must_contain "$name"); do
            if ! grep -q -- " $op" <<<"$disasm"; then
                echo "error: $out does not contain $op" >&2
                exit 1
            fi
        done
    fi
    if grep -q -a -F -- "$PWD" "$out"; then
        echo "error: $out embeds the build path $PWD" >&2
        exit 1
    fi
    echo "built $out ($(wc -c <"$out") bytes)"
done
