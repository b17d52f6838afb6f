#!/bin/sh
# runner.sh RUNNER - the test runner (tests/runner.c) on made-up commands: its sum line, and
# what it counts as a failure (a command that dies, prints no count line, exits 1 with no
# failure in its count, or runs past RUNNER_TIMEOUT; a skip under CI=true); how it stops a
# command (SIGTERM, then SIGKILL after RUNNER_GRACE) and passes a SIGTERM of its own on.
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
# all_gone: the processes whose PIDs are in $tmp/sh and $tmp/sleep have ended (a zombie
# has: here one whose parent died waits for PID 1, which may not reap it soon); a killed
# process may take a moment, so this waits up to 5 s
all_gone() {
    for f in sh sleep; do
        [ -s "$tmp/$f" ] || return 1
        p=$(cat "$tmp/$f") i=0
        while kill -0 "$p" 2>/dev/null && ! grep -q '^[0-9]* (.*) Z' "/proc/$p/stat" 2>/dev/null; do
            [ $i -lt 50 ] || return 1
            sleep 0.1; i=$((i + 1))
        done
    done
}
# RUNNER_GRACE seconds after the SIGTERM, SIGKILL for a group that ignores it (the sleep
# inherits the ignored SIGTERM); both processes are gone when the runner goes on (3 s
# before the SIGTERM: time for sh to start and ignore it on a loaded machine)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM   # cleanup, and stop
t0=$(date +%s)
out=$(RUNNER_TIMEOUT=3 RUNNER_GRACE=1 "$bin" "a=trap '' TERM; echo \$\$ > $tmp/sh; sleep 60 & echo \$! > $tmp/sleep; wait" \
      "b=echo 2 passed, 0 failed")
st=$? t=$(( $(date +%s) - t0 ))
gone=1
all_gone || gone=0
if [ "$st" = 1 ] && [ "$t" -lt 30 ] && [ $gone = 1 ] && [ "$(echo "$out" | tail -n 1)" = "2 passed, 1 failed" ]; then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
    echo "FAIL runner with RUNNER_GRACE=1 on a group that ignores SIGTERM: status $st after $t s," \
         "processes gone: $gone, printed:"; echo "$out"
fi
# SIGTERM to the runner reaches the command's group: its trap cleans up, the rest of the
# group (a background sleep) dies, and the runner then dies of the same signal
rm -f "$tmp/sh" "$tmp/sleep"
RUNNER_GRACE=5 "$bin" "a=trap 'echo cleaned > $tmp/clean; exit 1' TERM; sleep 60 & echo \$! > $tmp/sleep; echo \$\$ > $tmp/sh; wait" \
    > "$tmp/out" &
rp=$!
i=0
while [ ! -s "$tmp/sh" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
kill -TERM $rp
wait $rp 2>/dev/null
st=$?
gone=1
all_gone || gone=0
if [ "$st" = 143 ] && [ "$(cat "$tmp/clean" 2>/dev/null)" = cleaned ] && [ $gone = 1 ]; then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
    echo "FAIL runner passing SIGTERM on: status $st (want 143), trap: '$(cat "$tmp/clean" 2>/dev/null)'," \
         "processes gone: $gone, printed:"; cat "$tmp/out"
fi
# a limit that is not 1 to its maximum of seconds: a usage error (2), nothing run
for v in RUNNER_TIMEOUT=0 RUNNER_TIMEOUT=86401 RUNNER_TIMEOUT=1x RUNNER_GRACE=0 RUNNER_GRACE=3601 RUNNER_GRACE=; do
    out=$(env "$v" "$bin" "a=echo ran" 2>&1)
    st=$?
    if [ "$st" = 2 ] && ! echo "$out" | grep -q ran && echo "$out" | grep -q "must be 1 to"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL runner with $v: status $st (want 2), printed: $out"
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
