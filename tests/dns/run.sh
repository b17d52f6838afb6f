#!/bin/bash
# run.sh BINARY - run the DNS test BINARY (tests/dns/test_dns_posix.c) against a real DNS
# server: Debian's dnsmasq on 127.0.0.1:25353 only, no upstream, serving the SRV records
# below; started here and stopped by its PID (always, from an EXIT trap). BINARY finds it
# through XMPP_RESOLVER. If dnsmasq is not installed, BINARY runs anyway and skips (a
# failure under CI=true).
#   _xmpp-client._tcp.a.test    SRV 10 60 25301 localhost.   SRV 20 0 25302 localhost.
#   _xmpps-client._tcp.a.test   SRV 0 0 25303 localhost.
#   _xmpp-client._tcp.nosrv.test SRV 0 0 0 .   (the service is decidedly not there)
#   anything else under .test and .localhost: NXDOMAIN
set -u
[ $# -ge 1 ] || { echo "usage: run.sh BINARY" >&2; exit 2; }
bin=$1
case $bin in */*) ;; *) bin=./$bin;; esac
dir=$(mktemp -d "${TMPDIR:-/tmp}/xmpp-dns.XXXXXX") || { echo "run.sh: mktemp failed"; exit 1; }
pid=
cleanup() {
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dns=$(command -v dnsmasq || ls /usr/sbin/dnsmasq 2>/dev/null)
if [ -n "$dns" ]; then
    "$dns" --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --no-poll \
        --listen-address=127.0.0.1 --bind-interfaces --port=25353 --user=root --pid-file= \
        --local=/test/ --local=/localhost/ --log-facility="$dir/dnsmasq.log" \
        --srv-host=_xmpp-client._tcp.a.test,localhost,25301,10,60 \
        --srv-host=_xmpp-client._tcp.a.test,localhost,25302,20,0 \
        --srv-host=_xmpps-client._tcp.a.test,localhost,25303,0,0 \
        --srv-host=_xmpp-client._tcp.nosrv.test &
    pid=$!
    sleep 0.3
    kill -0 "$pid" 2>/dev/null || { echo "run.sh: dnsmasq did not start:"; cat "$dir/dnsmasq.log" 2>/dev/null; pid=; }
else
    echo "run.sh: dnsmasq is not installed (apt-get install dnsmasq-base); the tests skip"
fi
XMPP_RESOLVER=127.0.0.1:25353 DNS_UP=${pid:+1} "$bin"
