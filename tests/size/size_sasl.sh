#!/bin/sh
# size_sasl.sh - the crypto + SASL client layer cross-compiled for Cortex-M0+ (-Os, Thumb,
# freestanding, --gc-sections; tests/size/size_sasl.c), with and without SHA-1; and our
# hash + HMAC code next to BearSSL's (the objects in Debian's libbearssl.a), both x86-64
# gcc -O2, summed the same way (the sizes nm -S gives the functions and tables).
set -u
here=$(dirname "$0")
out=${1:-build/size}
mkdir -p "$out"
status=0
printf '%-34s %6s %7s %5s %16s %16s\n' 'crypto + SASL client' code rodata bss 'sizeof(xmpp_sasl)' 'sizeof(cache)'
measure() {   # name flags...
    name=$1; shift
    elf="$out/sasl-$(echo "$name" | tr -c 'A-Za-z0-9\n' '-').elf"
    if ! command -v arm-none-eabi-gcc >/dev/null 2>&1; then
        printf '%-34s not measured: arm-none-eabi-gcc not installed\n' "$name"; status=1; return
    fi
    if ! arm-none-eabi-gcc -Os -std=c99 -Wall -Wextra -pedantic -Wconversion -Wshadow -Werror -ffreestanding \
        -mthumb -mcpu=cortex-m0plus -ffunction-sections -fdata-sections -nostdlib -Wl,--gc-sections -Wl,-e,entry \
        "$@" "$here/size_sasl.c" -o "$elf" -lgcc; then
        printf '%-34s build failed\n' "$name"; status=1; return
    fi
    set -- $(arm-none-eabi-size -A "$elf" | awk '$1==".text"{t+=$2} $1==".rodata"{r+=$2} $1==".bss"{b+=$2} END{print t+0, r+0, b+0}')
    ss=$(arm-none-eabi-nm -S "$elf" | awk '$4=="xmpp_sizeof_sasl"{print $2}')
    sc=$(arm-none-eabi-nm -S "$elf" | awk '$4=="xmpp_sizeof_cache"{print $2}')
    printf '%-34s %6s %7s %5s %16d %16d\n' "$name" "$1" "$2" "$(( $3 - 0x$ss - 0x$sc ))" "0x$ss" "0x$sc"
}
measure 'Cortex-M0+, SHA-1 and SHA-256'
measure 'Cortex-M0+, XMPP_NO_SHA1' -DXMPP_NO_SHA1
echo "code: machine code incl. memcpy/memset and the probe; rodata: SHA-256 constants, base64"
echo "alphabet, mechanism names, error messages; bss: the probe's state and cache (no library data)."

# hash + HMAC: ours vs BearSSL, x86-64 gcc -O2
lib=/usr/lib/x86_64-linux-gnu/libbearssl.a
[ -f "$lib" ] || lib=$(gcc -print-file-name=libbearssl.a)
if [ ! -f "$lib" ]; then
    echo "hash + HMAC vs BearSSL: not measured (libbearssl.a not found: apt-get install libbearssl-dev)"
    exit $status
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/size_sasl.XXXXXX")
(cd "$tmp" && ar x "$lib" sha1.o sha2small.o hmac.o dec32be.o enc32be.o)
cat > "$tmp/ours.c" <<'C'
#define XMPP_IMPLEMENTATION
#include "xmpp.h"
C
gcc -O2 -std=c99 -I"$here/../.." -c -o "$tmp/ours.o" "$tmp/ours.c"
sum() { nm -S "$@" | awk 'NF==4 && $3 ~ /^[TtRrDd]$/ {print $4, $2}' ; }
ours=$(sum "$tmp/ours.o" | grep -E '^(xmpp__sha1_block|xmpp__sha256_block|xmpp__compress|xmpp_hash_[a-z]*|xmpp__hash_out|xmpp__hmac_key|xmpp__hmac_out|xmpp_hmac_[a-z]*|xmpp__be32|xmpp__put_be32|xmpp__hash_iv|xmpp__sha256_k) ' |
       while read -r n s; do echo $((0x$s)); done | awk '{ t += $1 } END { print t }')
bear=$(sum "$tmp/sha1.o" "$tmp/sha2small.o" "$tmp/hmac.o" "$tmp/dec32be.o" "$tmp/enc32be.o" |
       while read -r n s; do echo $((0x$s)); done | awk '{ t += $1 } END { print t }')
echo "SHA-1 + SHA-256 + HMAC, x86-64 gcc -O2, functions and tables: ours $ours bytes, BearSSL $bear bytes (Debian's libbearssl.a: sha1.o sha2small.o hmac.o dec32be.o enc32be.o)"
rm -rf "$tmp"
exit $status
