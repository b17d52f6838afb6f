#!/bin/sh
# runner.sh RUNNER - the test runner (tests/runner.c) on made-up commands: its sum line, and
# what it counts as a failure (a command that dies, prints no count line, exits 1 with no
# failure in its count, or runs past RUNNER_TIMEOUT; a skip under CI=true).
set -u
bin=${1:?usage: runner.sh RUNNER}
pass=0 fail=0
# expect WANT [CI] ARGS...: the runner's last line must be WANT (and its status 1 if WANT
# counts a failure, else 0)
expect() {
    want=$1 ci=$2; shift 2
    last=$(CI=$ci "$bin" "$@" | tail -n 1)
    got=$(CI=$ci "$bin" "$@" >/dev/null; echo $?)
    case $want in *", 0 failed"*) wst=0 ;; *) wst=1 ;; esac
    if [ "$last" = "$want" ] && [ "$got" = "$wst" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL runner $*: printed '$last', status $got (want '$want', status $wst)"
    fi
}
expect "5 passed, 0 failed" "" "a=echo 2 passed, 0 failed" "b=echo 3 passed, 0 failed"
expect "2 passed, 1 failed" "" "a=echo 2 passed, 1 failed; exit 1"
expect "2 passed, 0 failed, 1 skipped" "" "a=echo 2 passed, 0 failed, 1 skipped"
expect "2 passed, 1 failed" true "a=echo 2 passed, 0 failed, 1 skipped"
expect "0 passed, 1 failed" "" "a=echo no count line"
expect "1 passed, 1 failed" "" "a=echo 1 passed, 0 failed; kill -9 \$\$"
expect "1 passed, 1 failed" "" "a=echo 1 passed, 0 failed; exit 1"
expect "1 passed, 1 failed" "" "a=echo 1 passed, 0 failed; exit 3"
# a command that hangs is stopped at RUNNER_TIMEOUT and counted as a failure; the commands
# after it still run
t0=$(date +%s)
# (and the last words of the hung one, a line without its newline, are shown)
out=$(RUNNER_TIMEOUT=1 "$bin" "a=echo 1 passed, 0 failed; printf 'now waiting'; sleep 60" "b=echo 2 passed, 0 failed")
st=$? t=$(( $(date +%s) - t0 ))
if [ "$st" = 1 ] && [ "$t" -lt 30 ] && [ "$(echo "$out" | tail -n 1)" = "3 passed, 1 failed" ] &&
   echo "$out" | grep -q '^\[a\] stopped: it ran past RUNNER_TIMEOUT (1 s)' &&
   echo "$out" | grep -q '^    now waiting$'; then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
    echo "FAIL runner with RUNNER_TIMEOUT=1 on 'sleep 60': status $st after $t s, printed:"; echo "$out"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
