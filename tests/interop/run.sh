#!/bin/bash
# run.sh BINARY [ARGS...] - run the interop test BINARY (the compiled test_interop.c) against
# throwaway Prosody and ejabberd servers on loopback: make a private temp dir, start the
# servers with servers.sh, run BINARY with its output passed through, stop the servers and
# remove the dir (always, from an EXIT trap). Exits with BINARY's status. BINARY gets the dir
# in XMPP_INTEROP_DIR (the throwaway CA is $XMPP_INTEROP_DIR/certs/ca.crt).
# If a server is not installed or does not come up, says why and runs BINARY anyway: its
# tests for that server are then skipped (failures under CI=true), so the "N passed, N
# failed" line is always printed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: run.sh BINARY [ARGS...]" >&2; exit 2; }
bin=$1; shift
case $bin in */*) ;; *) bin=./$bin;; esac

dir=$(mktemp -d "${TMPDIR:-/tmp}/xmpp-interop.XXXXXX") || { echo "run.sh: mktemp failed"; exit 1; }
child=
cleanup() {
    [ -n "$child" ] && kill -TERM "$child" 2>/dev/null   # interrupted: the test first
    "$here/servers.sh" stop "$dir" 2>&1
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# servers.sh talks on stderr: send it to stdout, so that it shows in order in the test log
if ! "$here/servers.sh" start "$dir" 2>&1; then
    echo "run.sh: not every server came up (see above); running the test anyway: it skips what is not there"
fi
# in the background, so that a signal to run.sh is acted on at once (wait is interruptible);
# XMPP_INTEROP_DIR tells the test where the certificates are (DIR/certs/ca.crt)
XMPP_INTEROP_DIR=$dir "$bin" "$@" &
child=$!
wait "$child"
status=$?
child=
exit $status
