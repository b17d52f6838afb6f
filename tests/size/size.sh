#!/bin/sh
# size.sh - cross-compile the tokenizer alone and print its code and RAM.
#   Thumb (Cortex-M0+) with arm-none-eabi-gcc -Os, and RV64 with riscv64-unknown-elf-gcc -Os,
#   freestanding (XMPP_FREESTANDING: no libc), unused code dropped with --gc-sections.
# Prints: target, text (code + read-only data), data, bss, sizeof(xmpp_xml), sizeof(token).
set -u
src=$(dirname "$0")/size_xml.c
out=${1:-build/size}
mkdir -p "$out"
status=0
printf '%-24s %6s %7s %5s %5s %17s %14s\n' target code rodata data bss 'sizeof(xmpp_xml)' 'sizeof(token)'
measure() {   # name cc size nm flags...
    name=$1 cc=$2 sz=$3 nmt=$4; shift 4
    if ! command -v "$cc" >/dev/null 2>&1; then
        printf '%-24s not measured: %s not installed\n' "$name" "$cc"; status=1; return
    fi
    elf="$out/$name.elf"
    if ! "$cc" -Os -std=c99 -Wall -Wextra -pedantic -Wconversion -Wshadow -Werror -ffreestanding \
        -ffunction-sections -fdata-sections -nostdlib -Wl,--gc-sections -Wl,-e,entry \
        "$@" "$src" -o "$elf" -lgcc; then
        printf '%-24s build failed\n' "$name"; status=1; return
    fi
    set -- $("$sz" -A "$elf" | awk '$1==".text"{t+=$2} $1==".rodata"||$1==".srodata"{r+=$2} $1==".data"||$1==".sdata"{d+=$2} $1==".bss"||$1==".sbss"{b+=$2} END{print t+0, r+0, d+0, b+0}')
    st=$("$nmt" -S "$elf" | awk '$4=="xmpp_sizeof_xml"{print $2}')
    tt=$("$nmt" -S "$elf" | awk '$4=="xmpp_sizeof_token"{print $2}')
    # the two probe arrays are in bss; report bss without them
    bss=$(( $4 - 0x$st - 0x$tt ))
    printf '%-24s %6s %7s %5s %5s %17d %14d\n' "$name" "$1" "$2" "$3" "$bss" "0x$st" "0x$tt"
}
measure cortex-m0plus-thumb arm-none-eabi-gcc arm-none-eabi-size arm-none-eabi-nm -mthumb -mcpu=cortex-m0plus
measure cortex-m3-thumb arm-none-eabi-gcc arm-none-eabi-size arm-none-eabi-nm -mthumb -mcpu=cortex-m3
measure riscv64-rv64imac riscv64-unknown-elf-gcc riscv64-unknown-elf-size riscv64-unknown-elf-nm -march=rv64imac -mabi=lp64 -mcmodel=medany
echo "code: machine code (incl. the probe's ~100 bytes and memcpy/memset); rodata: character"
echo "table (256 B), error messages and namespace names; bss: the probe's 1024-byte buffer and"
echo "its xmpp_xml state. The library itself has no writable static data."
exit $status
