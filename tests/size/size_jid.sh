#!/bin/sh
# size_jid.sh [OUTDIR] - cross-compile the JID code (>>jid) alone and print its size:
#   -Os, freestanding (XMPP_FREESTANDING: no libc), --gc-sections, like size.sh.
#   code: the xmpp_jid_* and xmpp__jid_* functions (nm -S; not the probe size_jid.c, not
#   memcpy/memset); tables: their read-only arrays; messages: the bytes of the string
#   literals in the >>jid implementation (the linker keeps every literal of the
#   translation unit in one merged section, so they are counted from the source).
set -u
here=$(dirname "$0")
src=$here/size_jid.c
out=${1:-build/size}
mkdir -p "$out"
status=0
msgs=$(awk '/^\/\* =+ >>jid$/ { n++ } n == 2 && /^\/\* =+ >>sasl/ { exit } n == 2' "$here/../../xmpp.h" |
       grep -o '"\([^"\\]\|\\.\)*"' | sed 's/^"//; s/"$//; s/\\\(.\)/\1/g' | LC_ALL=C awk '{ s += length($0) + 1 } END { print s + 0 }')
printf '%-24s %6s %6s %8s %16s\n' 'JID layer' code tables messages 'sizeof(xmpp_jid)'
measure() {   # name cc nm flags...
    name=$1 cc=$2 nmt=$3; shift 3
    if ! command -v "$cc" >/dev/null 2>&1; then
        printf '%-24s not measured: %s not installed\n' "$name" "$cc"; status=1; return
    fi
    elf="$out/jid-$name.elf"
    if ! "$cc" -Os -std=c99 -Wall -Wextra -pedantic -Wconversion -Wshadow -Werror -ffreestanding \
        -ffunction-sections -fdata-sections -nostdlib -Wl,--gc-sections -Wl,-e,entry \
        "$@" "$src" -o "$elf" -lgcc; then
        printf '%-24s build failed\n' "$name"; status=1; return
    fi
    set -- $("$nmt" -S "$elf" | awk '
        function hex(h,   i, v) { v = 0; h = tolower(h); for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1; return v }
        $3 ~ /^[tT]$/ && $4 ~ /^xmpp_+jid_/ { c += hex($2) }
        $3 ~ /^[rR]$/ { r += hex($2) }
        $4 == "xmpp_sizeof_jid" { z = hex($2) }
        END { print c + 0, r + 0, z + 0 }')
    printf '%-24s %6s %6s %8s %16s\n' "$name" "$1" "$2" "$msgs" "$3"
}
measure cortex-m0plus-thumb arm-none-eabi-gcc arm-none-eabi-nm -mthumb -mcpu=cortex-m0plus
measure cortex-m3-thumb arm-none-eabi-gcc arm-none-eabi-nm -mthumb -mcpu=cortex-m3
measure riscv64-rv64imac riscv64-unknown-elf-gcc riscv64-unknown-elf-nm -march=rv64imac -mabi=lp64 -mcmodel=medany
exit $status
