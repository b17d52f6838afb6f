#!/bin/sh
# valgrind.sh TEST... - each unit test program (the gcc builds) once more under valgrind's
# memcheck: a read of memory never written (a struct field left unset, such as a pollfd's
# events passed to poll(), or BearSSL reading an uninitialised buffer) is an error that
# ASan does not see. Each program that passes with no valgrind error is one pass; its own
# count line is shown indented. Without valgrind: one skip (a failure under CI=true).
set -u
if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind: not installed; the memcheck runs skip"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM   # cleanup, and stop
pass=0 fail=0
for t in "$@"; do
    name=$(basename "$t")
    valgrind -q --error-exitcode=99 --track-origins=yes "$t" >"$tmp/out" 2>"$tmp/err"
    st=$?
    last=$(tail -n 1 "$tmp/out")
    case $last in *" passed, 0 failed"*) counted=1 ;; *) counted=0 ;; esac
    if [ "$st" = 0 ] && [ $counted = 1 ] && ! grep -q '^==[0-9]*==' "$tmp/err"; then
        pass=$((pass + 1))
        echo "$name under memcheck: $last" | sed 's/passed, 0 failed.*/passed/'
    else
        fail=$((fail + 1))
        echo "FAIL $name under memcheck: status $st, its count: '$last'"
        sed -n '1,40p' "$tmp/err"
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
