#!/bin/sh
# strings.sh CC - no string literal of xmpp.h may sit in the one section GCC shares among
# a file's tables: the literals that an array of pointers (or any static initializer)
# points to go to ".rodata.str1.N", which the linker keeps whole as soon as one of them
# is used, so a firmware image with the tokenizer alone carried every layer's names and
# messages (2 KB). Lists of strings are arrays instead (see xmpp__nth in xmpp.h); a
# literal inside a function goes to a section of that function's own (".rodata.FN.str1.N")
# and is dropped with it. Compiles the whole library as firmware does (freestanding) and
# as a POSIX program with the BearSSL backend, with -fdata-sections, and fails if any
# object has such a shared section, printing what is in it (freestanding at -Os and -O2,
# the two builds of the tokenizer, XMPP_FAST off and on). GCC only: clang puts every
# literal used in a function into one section shared by the file anyway.
set -u
cc=${1:-gcc}
dir=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM   # cleanup, and stop
pass=0 fail=0
command -v readelf >/dev/null 2>&1 || { echo "strings: readelf not found (binutils)"; echo "0 passed, 1 failed"; exit 1; }
check() {   # name flags...
    name=$1; shift
    printf '#define XMPP_IMPLEMENTATION\n#include "%s/../../xmpp.h"\n' "$(cd "$dir" && pwd)" > "$tmp/$name.c"
    if ! "$cc" -std=c99 -ffunction-sections -fdata-sections "$@" -c -o "$tmp/$name.o" "$tmp/$name.c"; then
        echo "FAIL $name: does not compile"; fail=$((fail + 1)); return
    fi
    shared=$(readelf -SW "$tmp/$name.o" | sed -n 's/.*\] \(\.rodata\.str[0-9.]*\) .*/\1/p')
    if [ -n "$shared" ]; then
        echo "FAIL $name: string literals in a section shared by the whole file ($shared):"
        for s in $shared; do readelf -p "$s" "$tmp/$name.o" | sed -n 's/^ *\[ *[0-9a-f]*\]  /    /p'; done |
            sed '20q'   # the first 20 are enough to find the table
        fail=$((fail + 1))
    else
        echo "ok   $name: every literal in its function's own section"
        pass=$((pass + 1))
    fi
}
check freestanding -Os -DXMPP_FREESTANDING -ffreestanding             # as firmware: without XMPP_FAST
check freestanding-fast -O2 -DXMPP_FREESTANDING -ffreestanding        # with it
check posix-bearssl -O2 -D_POSIX_C_SOURCE=200809L -DXMPP_BEARSSL
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
