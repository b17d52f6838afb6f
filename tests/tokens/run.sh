#!/bin/bash
# run.sh BINARY - examples/tokens (build/tokens) against the golden files: each
# tests/xml/NAME.xml read whole from the file, with --chunk 1, and from stdin must print
# NAME.out (an error line must be "error: CONDITION at byte N: MESSAGE"; .out stops before
# ": MESSAGE") and exit 0, or 1 if NAME.out ends in an error; usage errors exit 2 and print
# nothing on stdout; --connect against a one-connection python3 server (skipped without
# python3): the header, stdin and </stream:stream> go out, each token is flushed at once,
# and a stdin that cannot be read is an I/O error.
set -u
bin=${1:?usage: run.sh BINARY}
case $bin in */*) ;; *) bin=./$bin;; esac
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/xmpp-tokens.XXXXXX") || { echo "0 passed, 1 failed"; exit 1; }
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
pass=0 fail=0 skip=0
check() { if [ "$1" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $2"; fi; }
full='^error: [a-z-]+ at byte [0-9]+: .+$'

for xml in "$here"/../xml/*.xml; do
    out=${xml%.xml}.out want=0
    grep -q '^error: ' "$out" && want=1
    for how in whole chunk1 stdin; do
        case $how in
            whole) "$bin" "$xml" >"$dir/got" 2>&1;;
            chunk1) "$bin" --chunk 1 "$xml" >"$dir/got" 2>&1;;
            stdin) "$bin" <"$xml" >"$dir/got" 2>&1;;
        esac
        st=$? ok=0
        [ "$st" = "$want" ] || ok=1
        [ "$want" = 0 ] || tail -n 1 "$dir/got" | grep -qE "$full" || ok=1
        sed -E 's/^(error: [a-z-]+ at byte [0-9]+): .+$/\1/' "$dir/got" | cmp -s - "$out" || ok=1
        check $ok "$(basename "$xml") ($how): status $st (want $want)"
        [ $ok = 0 ] || diff "$out" "$dir/got" | head -n 6
    done
done

for args in "--chunk 0" "--chunk" "--chunk -1" "--chunk +5" "--chunk 3x" "--bogus" "a.xml b.xml" "--connect 127.0.0.1:1" \
            "--domain a.test" "--connect 127.0.0.1:1 --domain a.test a.xml" "$dir/missing.xml"; do
    "$bin" $args </dev/null >"$dir/got" 2>/dev/null
    st=$?
    [ "$st" = 2 ] && [ ! -s "$dir/got" ]
    check $? "usage: tokens $args: status $st (want 2, nothing on stdout)"
done

# a read error (a directory): exit 1, a message on stderr, nothing on stdout
"$bin" "$dir" >"$dir/got" 2>"$dir/err"
st=$?
[ "$st" = 1 ] && [ ! -s "$dir/got" ] && [ -s "$dir/err" ]
check $? "tokens DIRECTORY: status $st (want 1, a message on stderr only)"

# a token line longer than the program's 16 KiB line buffer comes out whole: five
# prefixes bound to 4000-byte URIs, all used on one element
{
    printf '<r>'
    for k in 0 1 2 3 4; do printf "<e xmlns:p$k='urn:%04000d'>" $k; done
    printf '<x p0:a="1" p1:a="1" p2:a="1" p3:a="1" p4:a="1"/>'
} >"$dir/long.xml"
"$bin" "$dir/long.xml" | awk 'NR == 7 { print (length($0) > 20000 && /}a="1"$/) }' | grep -qx 1
check $? "a token line over 16 KiB is printed whole"

if command -v python3 >/dev/null; then   # sends the header, waits for the client's end, then the rest
    doc=$here/../xml/rfc6120-s2c-features-starttls.xml
    python3 - "$dir" "$doc" <<'EOF' &
import os, socket, sys
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)
open(sys.argv[1] + '/port.tmp', 'w').write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + '/port.tmp', sys.argv[1] + '/port')
s.settimeout(10); c, _ = s.accept(); c.settimeout(10)
doc = open(sys.argv[2], 'rb').read(); cut = doc.index(b'>', doc.index(b'<stream:stream')) + 1
c.sendall(doc[:cut]); got = b''
while not got.endswith(b'</stream:stream>'):
    d = c.recv(4096)
    if not d: break
    got += d
open(sys.argv[1] + '/received', 'wb').write(got); c.sendall(doc[cut:]); c.close()
EOF
    pid=$!
    for i in $(seq 100); do [ -f "$dir/port" ] && break; sleep 0.1; done
    # <presence/> goes in only once the stream header's token was printed: it must be flushed
    { for i in $(seq 100); do grep -q '^open 1 ' "$dir/live" 2>/dev/null && { printf '<presence/>'; break; }
      sleep 0.1; done; } |
        timeout --foreground -k 5 20 "$bin" --chunk 7 --connect "127.0.0.1:$(cat "$dir/port" 2>/dev/null)" --domain a.test >"$dir/live"
    st=$?
    wait "$pid"; pid=
    check $st "--connect: status $st (want 0)"
    cmp -s "$dir/live" "${doc%.xml}.out"
    check $? "--connect: the tokens printed are not $(basename "${doc%.xml}.out")"
    printf "%s" "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'" \
        " to='a.test' version='1.0'><presence/></stream:stream>" | cmp -s - "$dir/received"
    check $? "--connect: the server did not receive header, stdin, </stream:stream>"
    # a failed read of stdin is an I/O error (exit 1, a message), not the end of stdin
    rm -f "$dir/port"
    python3 - "$dir" <<'EOF' &
import os, socket, sys
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)
open(sys.argv[1] + '/port.tmp', 'w').write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + '/port.tmp', sys.argv[1] + '/port')
s.settimeout(10); c, _ = s.accept(); c.settimeout(10)
while c.recv(4096): pass
c.close()
EOF
    pid=$!
    for i in $(seq 100); do [ -f "$dir/port" ] && break; sleep 0.1; done
    timeout --foreground -k 5 20 "$bin" --connect "127.0.0.1:$(cat "$dir/port" 2>/dev/null)" --domain a.test <"$dir" >/dev/null 2>"$dir/err"
    st=$?
    wait "$pid"; pid=
    [ $st = 1 ] && grep -q '^tokens: .*[Ii]s a directory' "$dir/err"
    check $? "--connect with stdin unreadable (a directory): status $st (want 1 and a message)"
else
    echo "tokens: python3 is not installed; the --connect tests skip"
    skip=1
fi
echo "$pass passed, $fail failed$([ $skip = 0 ] || echo ", $skip skipped")"
[ "$fail" = 0 ]
