#!/bin/bash
# demo.sh TOKENS_BINARY - start a throwaway Prosody (a.test on 127.0.0.1:15222) in a private
# temp dir, run `TOKENS_BINARY --connect 127.0.0.1:15222 --domain a.test < /dev/null` (it
# prints one canonical token line per token the server sends; on stdin EOF it sends
# </stream:stream> and prints on until the server closes), then stop Prosody and remove the
# dir (always, from an EXIT trap). Exits with the tool's status (1 if Prosody did not start).
set -u
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: demo.sh TOKENS_BINARY" >&2; exit 2; }
bin=$1
case $bin in */*) ;; *) bin=./$bin;; esac

dir=$(mktemp -d "${TMPDIR:-/tmp}/xmpp-demo.XXXXXX") || { echo "demo.sh: mktemp failed" >&2; exit 1; }
child=
cleanup() {
    [ -n "$child" ] && kill -TERM "$child" 2>/dev/null   # interrupted: the tool first
    "$here/servers.sh" stop "$dir"
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

"$here/servers.sh" start "$dir" prosody || { echo "demo.sh: Prosody did not start (see above)" >&2; exit 1; }
echo "demo.sh: $bin --connect 127.0.0.1:15222 --domain a.test < /dev/null" >&2
# in the background, so that a signal to demo.sh is acted on at once (wait is interruptible)
"$bin" --connect 127.0.0.1:15222 --domain a.test < /dev/null &
child=$!
wait "$child"
status=$?
child=
exit $status
