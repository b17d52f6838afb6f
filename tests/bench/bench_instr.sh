#!/bin/sh
# bench_instr.sh BENCH_BINARY [SIZE] - instructions per input byte of each parser at each
# chunk size, counted by callgrind: a number that does not depend on the machine's load.
#
# Each parser and chunk size is one run of BENCH_BINARY (tests/bench/bench_xml.c) under
#     valgrind --tool=callgrind --toggle-collect=bench_measured
# so only the instructions executed inside bench_measured() count: the parse itself
# (parser creation, every feed/next or callback, teardown), not the corpus generation or
# the process start. The corpus is SIZE bytes (default 2000000) from the fixed seed, so
# the counts are the same from run to run.
# Targets (the issue): ours <= 20 instructions/byte at 1460-byte chunks, <= 30 at 1-byte.
set -eu

BIN=${1:?usage: bench_instr.sh BENCH_BINARY [SIZE]}
SIZE=${2:-2000000}
CHUNKS="1 64 1460 65536"
PARSERS="ours expat libxml2"

command -v valgrind >/dev/null 2>&1 || { echo "bench_instr: valgrind not found" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM   # cleanup, and stop

# measure PARSER CHUNK: sets IR (instructions in bench_measured) and BYTES (corpus size)
measure() {
    if ! valgrind --tool=callgrind --toggle-collect=bench_measured \
            --callgrind-out-file="$tmp/cg.out" \
            "$BIN" --parser "$1" --chunk "$2" --size "$SIZE" --runs 1 \
            >"$tmp/out" 2>"$tmp/err"; then
        echo "bench_instr: $BIN --parser $1 --chunk $2 failed:" >&2
        cat "$tmp/out" "$tmp/err" >&2
        exit 1
    fi
    BYTES=$(sed -n 's/.* bytes \([0-9][0-9]*\).*/\1/p' "$tmp/out")
    IR=$(sed -n 's/^totals: *\([0-9][0-9]*\).*/\1/p' "$tmp/cg.out")
    [ -n "$IR" ] || IR=$(sed -n 's/^summary: *\([0-9][0-9]*\).*/\1/p' "$tmp/cg.out")
    if [ -z "$BYTES" ] || [ -z "$IR" ]; then
        echo "bench_instr: could not read the counts of --parser $1 --chunk $2" >&2
        exit 1
    fi
}

printf 'instructions per input byte (callgrind Ir inside bench_measured / corpus bytes)\n'
first=1
for c in $CHUNKS; do
    line=$(printf '%7s' "$c")
    for p in $PARSERS; do
        measure "$p" "$c"
        if [ $first = 1 ]; then
            printf 'corpus: %s bytes (bench_xml --size %s)\n' "$BYTES" "$SIZE"
            printf '%7s %10s %10s %10s %12s   %s\n' chunk ours expat libxml2 ours/expat target
            first=0
        fi
        eval "ir_$p=$IR"
        line="$line $(awk -v i="$IR" -v b="$BYTES" 'BEGIN { printf "%10.2f", i / b }')"
    done
    target=""
    case $c in
        1) target=30 ;;
        1460) target=20 ;;
    esac
    verdict=$(awk -v o="$ir_ours" -v e="$ir_expat" -v b="$BYTES" -v t="$target" 'BEGIN {
        printf "%12.3f", o / e
        if (t != "") printf "   <= %s: %s", t, (o / b <= t ? "met" : "NOT met")
    }')
    printf '%s%s\n' "$line" "$verdict"
done
# What the loop itself costs: ours's loop with a feed and a next that do nothing.
measure loop 1
printf '\nthe loop alone at 1-byte chunks (--parser loop: a feed and a next that do nothing): %s instructions/byte\n' \
    "$(awk -v i="$IR" -v b="$BYTES" 'BEGIN { printf "%.2f", i / b }')"
