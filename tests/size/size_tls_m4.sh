#!/bin/sh
# size_tls_m4.sh OUTDIR - the whole client with TLS (tests/size/size_client_tls.c: the
# stream, SASL, stanzas, tokenizer and the BearSSL backend) for Cortex-M4,
# arm-none-eabi-gcc -Os -mthumb -mcpu=cortex-m4, newlib-nano, --gc-sections. Debian ships
# no BearSSL for ARM, so its source package (bearssl, the version libbearssl-dev is built
# from) is fetched with apt-get source into OUTDIR/bearssl-src (once; BEARSSL_SRC=DIR
# takes a tree you have) and compiled for the M4 into OUTDIR/libbearssl-m4.a. Without
# network or deb-src access it says so and measures nothing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-build/size}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cc=arm-none-eabi-gcc
command -v $cc >/dev/null 2>&1 || { echo "size_tls_m4: $cc not installed"; exit 0; }
src=${BEARSSL_SRC:-}
if [ -z "$src" ]; then
    src=$(ls -d "$out"/bearssl-src/bearssl-*/ 2>/dev/null | head -n 1)
fi
if [ -z "$src" ] || [ ! -d "$src/src" ]; then
    a="$out/apt"
    mkdir -p "$a/lists/partial" "$a/cache/archives/partial" "$a/parts" "$out/bearssl-src"
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        > "$a/parts/deb-src.sources"
    opts="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$a/parts -o Dir::State::Lists=$a/lists -o Dir::Cache=$a/cache"
    if ! (apt-get $opts update && cd "$out/bearssl-src" && apt-get $opts source bearssl) > "$out/bearssl-fetch.log" 2>&1; then
        echo "BearSSL for Cortex-M4: not measured (apt-get source bearssl failed: see $out/bearssl-fetch.log)"
        exit 0
    fi
    src=$(ls -d "$out"/bearssl-src/bearssl-*/ | head -n 1)
fi
lib="$out/libbearssl-m4.a"
if [ ! -s "$lib" ]; then
    mkdir -p "$out/bearssl-m4"
    find "$src/src" -name '*.c' | while read -r f; do
        o="$out/bearssl-m4/$(echo "${f#$src/src/}" | tr / _).o"
        $cc -Os -mthumb -mcpu=cortex-m4 -ffunction-sections -fdata-sections -I"$src/inc" -I"$src/src" \
            -c "$f" -o "$o" 2>>"$out/bearssl-m4.log" || echo "size_tls_m4: $f failed (see $out/bearssl-m4.log)"
    done
    arm-none-eabi-ar rcs "$lib" "$out"/bearssl-m4/*.o
fi
elf="$out/client-tls-cortex-m4.elf"
$cc -Os -std=c99 -Wall -Wextra -Wshadow -mthumb -mcpu=cortex-m4 -ffunction-sections -fdata-sections \
    -I"$src/inc" --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections -Wl,-Map,"$elf.map" \
    -c "$here/size_client_tls.c" -o "$out/size_client_tls.o" &&
$cc -mthumb -mcpu=cortex-m4 --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections -Wl,-Map,"$elf.map" \
    "$out/size_client_tls.o" -o "$elf" "$lib" || { echo "size_tls_m4: build failed"; exit 1; }
# text + rodata kept by the linker, per origin (from the map): our object, BearSSL, the rest
set -- $(awk '
    function hex(h,   i, v) { v = 0; h = tolower(h); sub(/^0x/, "", h); for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1; return v }
    /^Linker script and memory map/ { kept = 1 }   # before it: the discarded sections
    kept && /^ \.(text|rodata)/ { name = $1; if (NF == 1) { getline; $0 = " " name " " $0 } }
    kept && /^ \.(text|rodata)[^ ]* +0x[0-9a-f]+ +0x[0-9a-f]+ / {
        n = hex($3); if ($4 ~ /size_client_tls\.o$/) { x += n; if ($1 ~ /^\.rodata/) xr += n }
        else if ($4 ~ /libbearssl-m4\.a/) b += n; else o += n }
    END { print x + 0, b + 0, o + 0, xr + 0 }' "$elf.map")
ours=$1 bear=$2 rest=$3 ours_ro=$4
st=$(arm-none-eabi-nm -S "$elf" | awk '$4 == "xmpp_sizeof_stream" { print $2 }')
tl=$(arm-none-eabi-nm -S "$elf" | awk '$4 == "xmpp_sizeof_tls_bearssl" { print $2 }')
echo "the whole client with TLS on the Cortex-M4 ($(basename "$src")), code + read-only data:" \
     "xmpp.h $ours bytes ($ours_ro of them read-only data), BearSSL $bear, newlib and libgcc $rest; total $((ours + bear + rest))"
echo "its RAM, all static: xmpp_stream $((0x$st)) + memory 6324 (1.5 KiB tokenizer, 2 KiB arena, 512 output," \
     "SASL, JID) + xmpp_tls_bearssl $((0x$tl)) + TLS buffer 837 (XMPP_TLS_BUF_SIZE(9, 0), the smallest that" \
     "works with Prosody and ejabberd) = $((0x$st + 6324 + 0x$tl + 837)) bytes"
