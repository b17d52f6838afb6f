#!/bin/sh
# run.sh FUZZ_BINARY SECONDS [CORPUS_DIR [DICT]] - run the libFuzzer target for SECONDS on
# a copy of the seed corpus (default tests/fuzz/corpus, with tests/fuzz/xml.dict) in a
# temporary directory. Prints libFuzzer's final coverage
# and stats lines, and ends with "1 passed, 0 failed" or "0 passed, 1 failed". On a
# failure the temporary directory is kept: the crash input path and the log are printed
# (reproduce with: FUZZ_BINARY CRASH_FILE).
set -u
bin=${1:?usage: run.sh FUZZ_BINARY SECONDS}
secs=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
seeds=${3:-$here/corpus}
dict=${4:-$here/xml.dict}

if [ ! -x "$bin" ]; then
    echo "fuzz: $bin is not an executable"
    echo "0 passed, 1 failed"
    exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/$(basename "$bin").XXXXXX") || { echo "0 passed, 1 failed"; exit 1; }
mkdir -p "$work/corpus" "$work/crashes"
cp "$seeds"/* "$work/corpus/"

"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
    -dict="$dict" -artifact_prefix="$work/crashes/" -print_final_stats=1 \
    "$work/corpus" >"$work/log" 2>&1
status=$?

# the last progress line (execs, coverage, corpus) and the final stats
grep -E '^#[0-9]+' "$work/log" | tail -n 1 | sed 's/^/fuzz: /'
grep -E '^stat::' "$work/log" | sed 's/^/fuzz: /'
crashes=$(ls "$work/crashes" 2>/dev/null | wc -l)
if [ "$status" -eq 0 ] && [ "$crashes" -eq 0 ]; then
    echo "fuzz: $secs s, no failure"
    rm -rf "$work"
    echo "1 passed, 0 failed"
    exit 0
fi
echo "fuzz: FAILED (exit status $status); log: $work/log"
tail -n 60 "$work/log" | sed 's/^/fuzz: | /'
for f in "$work"/crashes/*; do
    [ -e "$f" ] && echo "fuzz: crash input: $f (reproduce: $bin $f)"
done
echo "0 passed, 1 failed"
exit 1
