#!/bin/bash
# demo.sh ECHO_BOT SAY - the README's demo: start a throwaway Prosody (a.test on
# 127.0.0.1:15222, certificates from a throwaway CA) in a private temp dir; run the echo
# bot as alice@a.test/bot over STARTTLS with the server's certificate verified against
# that CA; send it a message as bob with SAY (examples/say.c) and print the echo that
# comes back; stop the bot with SIGTERM (by PID: it closes the stream cleanly); stop
# Prosody and remove the dir (always, from an EXIT trap). Exits 0 if the echo came back
# and the bot exited 0.
set -u
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 2 ] || { echo "usage: demo.sh ECHO_BOT SAY" >&2; exit 2; }
bot=$1 say=$2
case $bot in */*) ;; *) bot=./$bot;; esac
case $say in */*) ;; *) say=./$say;; esac

dir=$(mktemp -d "${TMPDIR:-/tmp}/xmpp-demo.XXXXXX") || { echo "demo.sh: mktemp failed" >&2; exit 1; }
botpid=
cleanup() {
    [ -n "$botpid" ] && kill -TERM "$botpid" 2>/dev/null
    "$here/servers.sh" stop "$dir"
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

"$here/servers.sh" start "$dir" prosody || { echo "demo.sh: Prosody did not start (see above)" >&2; exit 1; }
ca=$dir/certs/ca.crt
echo
echo "\$ XMPP_PASSWORD=alice-pw $bot --server 127.0.0.1:15222 --ca ca.crt alice@a.test/bot &"
XMPP_PASSWORD=alice-pw "$bot" --server 127.0.0.1:15222 --ca "$ca" alice@a.test/bot > "$dir/bot.log" 2>&1 &
botpid=$!
for _ in $(seq 100); do grep -q '^online as' "$dir/bot.log" && break; kill -0 "$botpid" 2>/dev/null || break; sleep 0.1; done
sed 's/^/    bot: /' "$dir/bot.log"
grep -q '^online as' "$dir/bot.log" || { echo "demo.sh: the bot did not come online" >&2; exit 1; }
echo
echo "\$ XMPP_PASSWORD=bob-pw $say --server 127.0.0.1:15222 --ca ca.crt bob@a.test alice@a.test/bot 'Hello, bot!'"
XMPP_PASSWORD=bob-pw "$say" --server 127.0.0.1:15222 --ca "$ca" bob@a.test alice@a.test/bot 'Hello, bot!' 2>&1 | sed 's/^/    say: /'
said=${PIPESTATUS[0]}
echo
echo "\$ kill -TERM $botpid    # the bot closes the stream"
kill -TERM "$botpid"
wait "$botpid"
botstatus=$?
botpid=
sed 's/^/    bot: /' "$dir/bot.log"
echo "demo.sh: say exited $said, the bot exited $botstatus"
[ "$said" = 0 ] && [ "$botstatus" = 0 ]
