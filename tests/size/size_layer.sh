#!/bin/sh
# size_layer.sh OUTDIR LAYER NEXT SYMBOLS PROBE SIZEOF [SIZEOF2] - cross-compile one layer's code
# alone and print its size: -Os, freestanding (XMPP_FREESTANDING: no libc),
# --gc-sections, like size.sh. tests/size/PROBE.c calls each of the layer's functions.
#   code: the functions whose names match the awk regex SYMBOLS (nm -S; not the probe, not
#   memcpy/memset); tables: the read-only arrays the image keeps, of every layer the probe
#   links (character classes, constants, and the lists of names and messages, one array
#   each: see xmpp__nth); messages: the bytes of the string literals in the implementation
#   part of >>LAYER up to >>NEXT, counted from the source (after the link, literals have
#   no names; those of the lists are in both columns);
#   sizeof: the size of the probe's array named SIZEOF (the layer's state struct), and
#   of the one named SIZEOF2 if given (a second struct, such as the builder's).
# Example: size_layer.sh build/size jid sasl '^xmpp_+jid_' size_jid xmpp_sizeof_jid
set -u
here=$(dirname "$0")
out=${1:?usage: size_layer.sh OUTDIR LAYER NEXT SYMBOLS PROBE SIZEOF}
layer=${2:?} next=${3:?} syms=${4:?} probe=${5:?} sizeof=${6:?} sizeof2=${7:-}
src=$here/$probe.c
mkdir -p "$out"
status=0
msgs=$(awk -v l="^/[*] =+ >>$layer([^a-z]|\$)" -v x="^/[*] =+ >>$next([^a-z]|\$)" \
       '$0 ~ l { n++ } n == 2 && $0 ~ x { exit } n == 2' "$here/../../xmpp.h" |
       grep -o '"\([^"\\]\|\\.\)*"' | sed 's/^"//; s/"$//; s/\\\(.\)/\1/g' | LC_ALL=C awk '{ s += length($0) + 1 } END { print s + 0 }')
printf '%-24s %6s %6s %8s %8s' ">>$layer" code tables messages sizeof
[ -z "$sizeof2" ] || printf ' %8s' sizeof2
printf '\n'
measure() {   # name cc nm flags...
    name=$1 cc=$2 nmt=$3; shift 3
    if ! command -v "$cc" >/dev/null 2>&1; then
        printf '%-24s not measured: %s not installed\n' "$name" "$cc"; status=1; return
    fi
    elf="$out/$layer-$name.elf"
    [ "$probe" = "size_$layer" ] || elf="$out/$probe-$name.elf"   # a variant: its own image
    if ! "$cc" -Os -std=c99 -Wall -Wextra -pedantic -Wconversion -Wshadow -Werror -ffreestanding \
        -ffunction-sections -fdata-sections -nostdlib -Wl,--gc-sections -Wl,-e,entry \
        "$@" "$src" -o "$elf" -lgcc; then
        printf '%-24s build failed\n' "$name"; status=1; return
    fi
    set -- $("$nmt" -S "$elf" | awk -v syms="$syms" -v sizeof="$sizeof" -v sizeof2="$sizeof2" '
        function hex(h,   i, v) { v = 0; h = tolower(h); for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1; return v }
        $3 ~ /^[tT]$/ && $4 ~ syms { c += hex($2) }
        $3 ~ /^[rR]$/ { r += hex($2) }
        $4 == sizeof { z = hex($2) }
        sizeof2 != "" && $4 == sizeof2 { z2 = hex($2) }
        END { print c + 0, r + 0, z + 0, z2 + 0 }')
    printf '%-24s %6s %6s %8s %8s' "$name" "$1" "$2" "$msgs" "$3"
    [ -z "$sizeof2" ] || printf ' %8s' "$4"
    printf '\n'
}
measure cortex-m0plus-thumb arm-none-eabi-gcc arm-none-eabi-nm -mthumb -mcpu=cortex-m0plus
measure cortex-m3-thumb arm-none-eabi-gcc arm-none-eabi-nm -mthumb -mcpu=cortex-m3
measure riscv64-rv64imac riscv64-unknown-elf-gcc riscv64-unknown-elf-nm -march=rv64imac -mabi=lp64 -mcmodel=medany
exit $status
