#!/bin/sh
# bench_hostile.sh BENCH_BINARY - instructions per input byte, counted by callgrind, from
# bytes to tree for the hostile stanza streams of tests/bench/bench_hostile.c and for the
# generated corpus beside them: what a peer can make us spend per byte it sends.
set -eu
BIN=${1:?usage: bench_hostile.sh BENCH_BINARY}
command -v valgrind >/dev/null 2>&1 || { echo "bench_hostile: valgrind not found" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM   # cleanup, and stop
printf 'hostile stanzas, bytes to tree at 1460-byte chunks (callgrind Ir inside bench_measured / bytes)\n'
for k in 0 1 2 4 3; do
    valgrind --tool=callgrind --toggle-collect=bench_measured --callgrind-out-file="$tmp/cg.out" \
        "$BIN" "$k" >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/out" "$tmp/err" >&2; exit 1; }
    ir=$(sed -n 's/^totals: *\([0-9][0-9]*\).*/\1/p' "$tmp/cg.out")
    [ -n "$ir" ] || ir=$(sed -n 's/^summary: *\([0-9][0-9]*\).*/\1/p' "$tmp/cg.out")
    set -- $(cat "$tmp/out")   # kind K bytes B stanzas S skipped K
    case $k in
        0) what="one namespace per element (<a xmlns='N'/>...)" ;;
        1) what="60 prefixes, 204-byte URIs, <pN:a/>..." ;;
        2) what="3,900-byte default namespace, 15,000 <a/> in it" ;;
        3) what="the generated corpus (tests/corpus.h)" ;;
        4) what="the same with a 1-byte namespace" ;;
    esac
    printf '%-50s %9.1f instr/byte   (%s stanzas collected, %s skipped)\n' "$what" \
        "$(awk -v i="$ir" -v b="$4" 'BEGIN { print i / b }')" "$6" "$8"
done
