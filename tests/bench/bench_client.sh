#!/bin/bash
# bench_client.sh BINARY [LOGINS [MESSAGES]] - start a throwaway Prosody (a.test on
# 127.0.0.1:15222, tests/interop/servers.sh) in a private temp dir, run the client bench
# (tests/bench/bench_client.c: ours vs libstrophe, logins and an echo bot) against it with
# the throwaway CA, stop Prosody by PID and remove the dir.
set -u
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: bench_client.sh BINARY [LOGINS [MESSAGES]]" >&2; exit 2; }
bin=$1; shift
case $bin in */*) ;; *) bin=./$bin;; esac
dir=$(mktemp -d "${TMPDIR:-/tmp}/xmpp-bench.XXXXXX") || exit 1
trap '"$here/../interop/servers.sh" stop "$dir" 2>/dev/null; rm -rf "$dir"' EXIT
"$here/../interop/servers.sh" start "$dir" prosody 2>/dev/null || { echo "bench_client.sh: Prosody did not start"; exit 1; }
"$bin" "$dir/certs/ca.crt" "$@"
