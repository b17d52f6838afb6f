#!/bin/sh
# bench_stanza_instr.sh BENCH_BINARY [SIZE] - instructions per input byte from bytes to
# stanza trees, counted by callgrind: ours (tokenizer + collector + one walk of each tree,
# streaming) at each chunk size, and libstrophe (xmpp_stanza_new_from_string on whole
# stanzas, one walk, release).
#
# Each configuration is one run of BENCH_BINARY (tests/bench/bench_stanza.c) under
#     valgrind --tool=callgrind --toggle-collect=bench_measured
# so only the instructions executed inside bench_measured() count, not the corpus
# generation, the splitting of the stream into stanza strings for libstrophe, or the
# process start. The corpus is SIZE bytes (default 2000000) from the fixed seed. Ours is
# divided by the whole stream's bytes, libstrophe by the bytes of the stanzas it parsed.
# Target (issue 4): ours <= 27 instructions/byte from bytes to tree at any chunk size.
set -eu

BIN=${1:?usage: bench_stanza_instr.sh BENCH_BINARY [SIZE]}
SIZE=${2:-2000000}
CHUNKS="1 64 1460 65536"
TARGET=27

command -v valgrind >/dev/null 2>&1 || { echo "bench_stanza_instr: valgrind not found" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM   # cleanup, and stop

# measure PARSER CHUNK: sets IR (instructions in bench_measured) and BYTES (bytes parsed)
measure() {
    if ! valgrind --tool=callgrind --toggle-collect=bench_measured \
            --callgrind-out-file="$tmp/cg.out" \
            "$BIN" --parser "$1" --chunk "$2" --size "$SIZE" --runs 1 \
            >"$tmp/out" 2>"$tmp/err"; then
        echo "bench_stanza_instr: $BIN --parser $1 --chunk $2 failed:" >&2
        cat "$tmp/out" "$tmp/err" >&2
        exit 1
    fi
    BYTES=$(sed -n 's/.* bytes \([0-9][0-9]*\).*/\1/p' "$tmp/out")
    STANZAS=$(sed -n 's/.* stanzas \([0-9][0-9]*\) .*/\1/p' "$tmp/out")
    IR=$(sed -n 's/^totals: *\([0-9][0-9]*\).*/\1/p' "$tmp/cg.out")
    [ -n "$IR" ] || IR=$(sed -n 's/^summary: *\([0-9][0-9]*\).*/\1/p' "$tmp/cg.out")
    if [ -z "$BYTES" ] || [ -z "$IR" ] || [ -z "$STANZAS" ]; then
        echo "bench_stanza_instr: could not read the counts of --parser $1 --chunk $2" >&2
        exit 1
    fi
}

measure libstrophe 1460
ir_s=$IR bytes_s=$BYTES stanzas_s=$STANZAS
printf 'stanzas: instructions per input byte, bytes to tree (callgrind Ir inside bench_measured / bytes)\n'
printf 'ours: streaming, the whole %s-byte corpus (bench_stanza --size %s) in chunks\n' "$(
    "$BIN" --parser none --chunk 1 --size "$SIZE" | sed -n 's/.* bytes \([0-9][0-9]*\).*/\1/p')" "$SIZE"
printf 'libstrophe: xmpp_stanza_new_from_string on whole stanzas (its best case, no chunking), %s stanzas, %s bytes\n' \
    "$stanzas_s" "$bytes_s"
printf '%13s %10s %12s %16s   %s\n' chunk ours/byte ours/stanza libstrophe/ours target
for c in $CHUNKS; do
    measure ours "$c"
    awk -v c="$c" -v i="$IR" -v b="$BYTES" -v n="$STANZAS" -v si="$ir_s" -v sb="$bytes_s" -v t="$TARGET" 'BEGIN {
        printf "%13s %10.2f %12.0f %15.2fx   <= %s: %s\n", c, i / b, i / n, (si / sb) / (i / b), t,
               (i / b <= t ? "met" : "NOT met")
    }'
done
awk -v i="$ir_s" -v b="$bytes_s" -v n="$stanzas_s" 'BEGIN {
    printf "%13s %10.2f %12.0f   (libstrophe)\n", "whole stanzas", i / b, i / n
}'
