#!/bin/bash
# servers.sh - run throwaway XMPP servers on loopback for the interop tests.
#
#   servers.sh start DIR [prosody|ejabberd]   create DIR, certs, configs, users; start; wait
#   servers.sh stop DIR [prosody|ejabberd]    stop what DIR/*.pid records (by PID only)
#
#   Prosody  a.test  127.0.0.1: 15222 c2s (STARTTLS offered, not required), 15223 direct TLS,
#                    15269 s2s, 15270 s2s direct TLS, 15347 component
#            b.test  the same ports (a second virtual host): passwords stored for SCRAM-SHA-256
#                    (password_hash = "SHA-256"), so it offers SCRAM-SHA-256[-PLUS], no SHA-1
#   ejabberd c.test  127.0.0.1: 35222 c2s (STARTTLS offered, not required), 35223 direct TLS,
#                    35224 c2s STARTTLS verifying client certificates (tls_verify: SASL
#                    EXTERNAL offered, XEP-0178), 35269 s2s, 35347 component,
#                    35400 Erlang distribution (no epmd)
#            d.test  the same ports (a second virtual host): passwords stored for SCRAM-SHA-256
#                    (auth_scram_hash: sha256), so it offers SCRAM-SHA-256[-PLUS], no SHA-1;
#                    pings its clients after 2 s of silence (mod_ping send_pings), kills
#                    those that do not answer within 2 s
#   Users on each domain: alice/alice-pw, bob/bob-pw. Client certificates (for SASL
#   EXTERNAL): alice@c.test from the CA, and one self-signed (the CA did not sign it),
#   each naming alice@c.test as subjectAltName otherName id-on-xmppAddr.
#
# DIR is private to the caller (e.g. mktemp -d). Layout: DIR/certs (throwaway CA, a.test,
# b.test, c.test and d.test server certs; alice@c.test.crt/.key and
# alice@c.test-selfsigned.crt/.key client certs), DIR/prosody, DIR/ejabberd (config, data, logs), DIR/NAME.pid (the
# server process: lua for Prosody, beam.smp for ejabberd). Runs as root; everything listens
# on 127.0.0.1 only. ejabberd is started with erl directly (never ejabberdctl, never epmd).
# stop sends SIGTERM to each recorded PID whose command line still names DIR, waits up to
# 10 s, then SIGKILL. Both commands are idempotent; stop is safe after a failed start.
# Exit status: 0 if every requested server is up (start) or gone (stop), 1 otherwise.
# Environment: SERVERS_START_TIMEOUT (s, default 30), SERVERS_STOP_TIMEOUT (s, default 10),
# SERVERS_SH_TRACE=1 (timestamps of the start phases).
set -u

PROSODY_PORTS="15222 15223 15269 15270 15347"
EJABBERD_PORTS="35222 35223 35224 35269 35347 35400"
START_TIMEOUT=${SERVERS_START_TIMEOUT:-30}   # seconds until a c2s port must accept TCP
STOP_TIMEOUT=${SERVERS_STOP_TIMEOUT:-10}     # seconds from SIGTERM to SIGKILL

say() { printf 'servers.sh: %s\n' "$*" >&2; }

usage() { say "usage: servers.sh start|stop DIR [prosody|ejabberd]"; exit 2; }

now_ms() { date +%s%3N; }

# trace WHAT: with SERVERS_SH_TRACE=1, print milliseconds since the command started
T0=$(now_ms)
trace() { [ "${SERVERS_SH_TRACE:-}" = 1 ] && say "+$(( $(now_ms) - T0 )) ms: $*"; return 0; }

# port_open PORT: does 127.0.0.1:PORT accept a TCP connection?
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# alive PID: the process exists and is not a zombie
alive() {
    local st
    [ -r "/proc/$1/stat" ] || return 1
    st=$(sed 's/^.*) \(.\).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# ours PID: the process is alive and its command line names our instance dir
ours() {
    alive "$1" && tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | grep -qF "$DIR/"
}

# ---------------------------------------------------------------- certificates
make_certs() {
    local d
    mkdir -p "$DIR/certs" || return 1
    (
        cd "$DIR/certs" || exit 1
        umask 077
        if [ ! -s ca.crt ]; then
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
                -keyout ca.key -out ca.crt -days 30 -subj "/CN=xmpp.h interop test CA" \
                -addext "basicConstraints=critical,CA:TRUE" \
                -addext "keyUsage=critical,keyCertSign,cRLSign" >openssl.log 2>&1 || exit 1
        fi
        for d in a.test b.test c.test d.test; do
            [ -s "$d.pem" ] && continue
            printf 'subjectAltName=DNS:%s,DNS:*.%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n' \
                "$d" "$d" > "$d.ext"
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
                -keyout "$d.key" -out "$d.csr" -subj "/CN=$d" >>openssl.log 2>&1 || exit 1
            openssl x509 -req -in "$d.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
                -out "$d.crt" -extfile "$d.ext" >>openssl.log 2>&1 || exit 1
            cat "$d.key" "$d.crt" ca.crt > "$d.pem.tmp" && mv "$d.pem.tmp" "$d.pem" || exit 1
        done
        # client certificates for SASL EXTERNAL (XEP-0178): the JID as id-on-xmppAddr
        # (RFC 6120 §13.7.1.4), which is where ejabberd looks (not the CN, not an email)
        if [ ! -s alice@c.test.crt ] || [ ! -s alice@c.test-selfsigned.crt ]; then
            printf 'subjectAltName=otherName:1.3.6.1.5.5.7.8.5;UTF8:alice@c.test\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' \
                > alice@c.test.ext
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
                -keyout alice@c.test.key -out alice@c.test.csr -subj "/CN=alice@c.test" >>openssl.log 2>&1 || exit 1
            openssl x509 -req -in alice@c.test.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
                -out alice@c.test.crt -extfile alice@c.test.ext >>openssl.log 2>&1 || exit 1
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
                -keyout alice@c.test-selfsigned.key -out alice@c.test-selfsigned.crt -days 30 \
                -subj "/CN=alice@c.test" \
                -addext "subjectAltName=otherName:1.3.6.1.5.5.7.8.5;UTF8:alice@c.test" \
                -addext "extendedKeyUsage=clientAuth" >>openssl.log 2>&1 || exit 1
        fi
    ) || { say "certificate generation failed:"; tail -n 20 "$DIR/certs/openssl.log" >&2; return 1; }
}

# ---------------------------------------------------------------- helpers
# check_free NAME PORTS...: fail if something already listens on one of the ports
check_free() {
    local name=$1 p; shift
    for p in "$@"; do
        if port_open "$p"; then
            say "$name: 127.0.0.1:$p is already in use (another instance running?); not starting $name"
            return 1
        fi
    done
}

# wait_up NAME PID T0 PORT LOG...: wait until 127.0.0.1:PORT accepts, or fail with the log
# tail (T0: launch time in ms)
wait_up() {
    local name=$1 pid=$2 t0=$3 port=$4 f; shift 4
    while :; do
        if ! alive "$pid"; then
            say "$name (pid $pid) exited before 127.0.0.1:$port opened"
            break
        fi
        if port_open "$port"; then
            say "$name up: pid $pid, 127.0.0.1:$port accepts $(( $(now_ms) - t0 )) ms after launch"
            return 0
        fi
        if [ $(( $(now_ms) - t0 )) -ge $(( START_TIMEOUT * 1000 )) ]; then
            say "$name (pid $pid): 127.0.0.1:$port did not accept within $START_TIMEOUT s"
            break
        fi
        sleep 0.05
    done
    for f in "$@"; do
        [ -s "$f" ] || continue
        say "---- last lines of $f"
        tail -n 25 "$f" >&2
    done
    return 1
}

# running NAME: DIR/NAME.pid names a live process of ours
running() {
    local pid
    [ -s "$DIR/$1.pid" ] || return 1
    pid=$(cat "$DIR/$1.pid" 2>/dev/null)
    case $pid in ''|*[!0-9]*) return 1;; esac
    ours "$pid"
}

# ---------------------------------------------------------------- Prosody a.test, b.test
prosody_config() {
    local p="$DIR/prosody"
    mkdir -p "$p/data" || return 1
    chmod 700 "$p" "$p/data"
    cat > "$p/prosody.cfg.lua" <<EOF
-- generated by servers.sh: Prosody a.test and b.test on loopback, run as root
run_as_root = true
pidfile = "$p/prosody-internal.pidfile"
data_path = "$p/data"
certificates = "$DIR/certs"
log = { debug = "$p/prosody.log"; error = "*console" }
interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_ports = { 15222 }
c2s_direct_tls_ports = { 15223 }
s2s_ports = { 15269 }
s2s_direct_tls_ports = { 15270 }
component_ports = { 15347 }
component_interfaces = { "127.0.0.1" }
http_ports = { }
https_ports = { }
modules_enabled = {
  "roster"; "saslauth"; "tls"; "disco"; "ping"; "smacks"; "carbons"; "offline";
}
modules_disabled = { "dialback" }  -- s2s authenticates by certificate (SASL EXTERNAL) only
-- STARTTLS offered but not required (the library has no TLS yet), and PLAIN offered
-- before TLS, so the pre-TLS <stream:features/> carry <starttls/> and <mechanisms/>.
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
s2s_require_encryption = true
s2s_secure_auth = true
authentication = "internal_hashed"

VirtualHost "a.test"
  ssl = { certificate = "$DIR/certs/a.test.crt"; key = "$DIR/certs/a.test.key"; cafile = "$DIR/certs/ca.crt" }

-- SCRAM-SHA-256: mod_auth_internal_hashed stores the keys of one hash, chosen per host
VirtualHost "b.test"
  password_hash = "SHA-256"
  ssl = { certificate = "$DIR/certs/b.test.crt"; key = "$DIR/certs/b.test.key"; cafile = "$DIR/certs/ca.crt" }

Component "component.a.test"
  component_secret = "component-secret"
EOF
}

prosody_register() {
    local cfg="$DIR/prosody/prosody.cfg.lua" u h
    for h in a.test b.test; do
        for u in alice bob; do
            prosodyctl --config "$cfg" register "$u" "$h" "$u-pw" \
                >>"$DIR/prosody/prosodyctl.log" 2>&1 </dev/null || {
                say "prosody: registering $u@$h failed:"; tail -n 20 "$DIR/prosody/prosodyctl.log" >&2
                return 1
            }
        done
    done
}

prosody_launch() {
    local p="$DIR/prosody" pid
    if running prosody; then say "prosody already running (pid $(cat "$DIR/prosody.pid"))"; return 0; fi
    rm -f "$DIR/prosody.pid"
    command -v prosody >/dev/null 2>&1 && command -v prosodyctl >/dev/null 2>&1 ||
        { say "prosody is not installed (apt-get install prosody)"; return 1; }
    check_free prosody $PROSODY_PORTS || return 1
    prosody_config || { say "prosody: cannot write the config in $p"; return 1; }
    trace prosody register
    prosody_register || return 1
    trace prosody launch
    : > "$p/stdout.log"
    # prosody is a lua5.4 script (#!/usr/bin/env lua5.4): $! is the lua process itself
    ( cd "$p" && exec prosody --config "$p/prosody.cfg.lua" -F ) >>"$p/stdout.log" 2>&1 </dev/null &
    pid=$!
    disown "$pid" 2>/dev/null   # no job-control chatter if it has to be killed
    PROSODY_T0=$(now_ms)
    echo "$pid" > "$DIR/prosody.pid"
    PROSODY_PID=$pid
}

prosody_wait() {
    wait_up prosody "$PROSODY_PID" "$PROSODY_T0" 15222 "$DIR/prosody/stdout.log" "$DIR/prosody/prosody.log" && return 0
    stop_one prosody
    return 1
}

# ---------------------------------------------------------------- ejabberd c.test, d.test
ejabberd_libs() {
    local d
    for d in /usr/lib/*/ejabberd-[0-9]* /usr/lib/ejabberd-[0-9]* /usr/lib/erlang/lib/ejabberd-[0-9]*; do
        [ -d "$d/ebin" ] && { dirname "$d"; return 0; }
    done
    return 1
}

ejabberd_config() {
    local e="$DIR/ejabberd"
    mkdir -p "$e/spool" "$e/logs" || return 1
    chmod 700 "$e"
    [ -s "$e/cookie" ] || od -An -tx1 -N16 /dev/urandom | tr -d ' \n' > "$e/cookie"
    chmod 600 "$e/cookie"
    : > "$e/resolv.conf"     # empty: no system nameserver for Erlang's resolver
    cat > "$e/inetrc" <<EOF
{resolv_conf, "$e/resolv.conf"}.
{nameserver, {127,0,0,1}, 35353}.
EOF
    cat > "$e/ejabberd.yml" <<EOF
# generated by servers.sh: ejabberd c.test and d.test on loopback, run as root with erl directly
hosts:
  - "c.test"
  - "d.test"
loglevel: info
log_rotate_count: 0
certfiles:
  - "$DIR/certs/c.test.pem"
  - "$DIR/certs/d.test.pem"
ca_file: "$DIR/certs/ca.crt"
listen:
  -
    port: 35222
    ip: "127.0.0.1"
    module: ejabberd_c2s
    # STARTTLS offered but not required (the library has no TLS yet)
    starttls: true
    access: c2s
    shaper: c2s_shaper
    max_stanza_size: 262144
  -
    port: 35223
    ip: "127.0.0.1"
    module: ejabberd_c2s
    tls: true
    access: c2s
    shaper: c2s_shaper
    max_stanza_size: 262144
  -
    # client certificates verified against the test CA: SASL EXTERNAL offered (XEP-0178)
    port: 35224
    ip: "127.0.0.1"
    module: ejabberd_c2s
    starttls: true
    tls_verify: true
    cafile: "$DIR/certs/ca.crt"
    access: c2s
    shaper: c2s_shaper
    max_stanza_size: 262144
  -
    port: 35269
    ip: "127.0.0.1"
    module: ejabberd_s2s_in
    max_stanza_size: 524288
  -
    port: 35347
    ip: "127.0.0.1"
    module: ejabberd_service
    hosts:
      "component.c.test":
        password: "component-secret"
s2s_use_starttls: required
s2s_cafile: "$DIR/certs/ca.crt"
outgoing_s2s_families: [ipv4]
s2s_dns_timeout: 2
s2s_dns_retries: 1
auth_method: internal
auth_password_format: scram
# d.test stores SCRAM-SHA-256 keys (c.test keeps the default, SHA-1): ejabberd then offers
# SCRAM-SHA-256 and SCRAM-SHA-256-PLUS there, and no SCRAM-SHA-1. And it pings its clients
# (XEP-0199) after 2 s without a stanza from them, and drops a client that leaves a ping
# unanswered for 2 s. A host's modules replace the global list: the same, but mod_ping.
host_config:
  "d.test":
    auth_scram_hash: sha256
    modules:
      mod_disco: {}
      mod_ping:
        send_pings: true
        ping_interval: 2
        ping_ack_timeout: 2
        timeout_action: kill
      mod_stream_mgmt: {}
      mod_roster: {}
      mod_offline: {}
      mod_carboncopy: {}
acl:
  loopback:
    ip:
      - "127.0.0.0/8"
      - "::1/128"
access_rules:
  local:
    allow: all
  c2s:
    allow: all
shaper:
  normal:
    rate: 3000
    burst_size: 20000
  fast: 100000
shaper_rules:
  c2s_shaper:
    none: all
  s2s_shaper: fast
# mod_s2s_dialback deliberately not loaded: s2s must authenticate with SASL EXTERNAL
modules:
  mod_disco: {}
  mod_ping: {}
  mod_stream_mgmt: {}
  mod_roster: {}
  mod_offline: {}
  mod_carboncopy: {}
EOF
}

# ejabberd_env LIBS: ERLENV = the environment for every erl we run (env(1) arguments)
ejabberd_env() {
    local e="$DIR/ejabberd"
    ERLENV=(-u EJABBERD_PID_PATH -u ERL_FLAGS -u ERL_AFLAGS -u ERL_ZFLAGS
        EJABBERD_CONFIG_PATH="$e/ejabberd.yml" EJABBERD_LOG_PATH="$e/logs/ejabberd.log"
        ERL_INETRC="$e/inetrc" ERL_LIBS="$1" ERL_CRASH_DUMP="$e/logs/erl_crash.dump" HOME="$e")
    COOKIE=$(cat "$e/cookie")
}

ejabberd_launch() {
    local e="$DIR/ejabberd" libs pid
    if running ejabberd; then say "ejabberd already running (pid $(cat "$DIR/ejabberd.pid"))"; return 0; fi
    rm -f "$DIR/ejabberd.pid"
    libs=$(ejabberd_libs) && command -v erl >/dev/null 2>&1 ||
        { say "ejabberd is not installed (apt-get install ejabberd)"; return 1; }
    check_free ejabberd $EJABBERD_PORTS || return 1
    ejabberd_config || { say "ejabberd: cannot write the config in $e"; return 1; }
    : > "$e/logs/stdout.log"
    trace ejabberd launch
    ejabberd_env "$libs"
    # env execs erl (a sh script), which execs erlexec, which execs beam.smp: $! is the VM.
    # -erl_epmd_port: the node listens on 35400 and needs no epmd (-start_epmd false).
    ( cd "$e/spool" && exec env "${ERLENV[@]}" erl -sname ejabberd35200@localhost \
        -setcookie "$COOKIE" -erl_epmd_port 35400 -start_epmd false \
        +K true +P 250000 -kernel inet_dist_use_interface '{127,0,0,1}' \
        -env ERL_CRASH_DUMP_BYTES 0 -mnesia dir "\"$e/spool\"" -s ejabberd -noinput
    ) >>"$e/logs/stdout.log" 2>&1 </dev/null &
    pid=$!
    disown "$pid" 2>/dev/null   # no job-control chatter if it has to be killed
    EJABBERD_T0=$(now_ms)
    echo "$pid" > "$DIR/ejabberd.pid"
    EJABBERD_PID=$pid
    EJABBERD_LIBS=$libs
}

# ejabberd_register: register alice and bob on c.test and d.test through a hidden Erlang node
# (no epmd, no listening socket). One VM for all (~0.35 s); what `ejabberdctl register` does.
ejabberd_register() {
    local t0 log="$DIR/ejabberd/logs/register.log"
    trace ejabberd register
    t0=$(now_ms)
    ejabberd_env "$EJABBERD_LIBS"
    if env "${ERLENV[@]}" erl -setcookie "$COOKIE" -erl_epmd_port 35400 -start_epmd false \
        -sname "ctl_$$@localhost" -hidden -noinput -dist_listen false -eval '
        N = ejabberd35200@localhost,
        R = [{U, H, rpc:call(N, ejabberd_auth, try_register,
                             [list_to_binary(U), H, list_to_binary(U ++ "-pw")])}
             || H <- [<<"c.test">>, <<"d.test">>], U <- ["alice", "bob"]],
        io:format("~p~n", [R]),
        Bad = [X || {_, _, X} <- R, X =/= ok, X =/= {error, exists}],
        halt(case Bad of [] -> 0; _ -> 1 end).' >"$log" 2>&1 </dev/null; then
        say "ejabberd: users registered in $(( $(now_ms) - t0 )) ms"
        return 0
    fi
    say "ejabberd: registering users failed:"
    tail -n 20 "$log" >&2
    return 1
}

ejabberd_wait() {
    if wait_up ejabberd "$EJABBERD_PID" "$EJABBERD_T0" 35222 "$DIR/ejabberd/logs/stdout.log" \
            "$DIR/ejabberd/logs/ejabberd.log" "$DIR/ejabberd/logs/error.log" &&
       ejabberd_register; then
        return 0
    fi
    stop_one ejabberd
    return 1
}

# ---------------------------------------------------------------- stop
# stop_one NAME: SIGTERM the recorded PID, wait, SIGKILL; remove the pid file
stop_one() {
    local f="$DIR/$1.pid" pid
    [ -e "$f" ] || return 0
    pid=$(cat "$f" 2>/dev/null)
    case $pid in
        ''|*[!0-9]*) say "$1: ignoring bad pid file $f"; rm -f "$f"; return 0;;
    esac
    if ours "$pid"; then
        kill -TERM "$pid" 2>/dev/null
        STOPPING="$STOPPING $1:$pid"
    elif alive "$pid"; then
        say "$1: pid $pid is no longer our server (command line does not name $DIR); not killing it"
    fi
    rm -f "$f"
}

# reap: wait for every pid in STOPPING to go, SIGKILL after STOP_TIMEOUT
reap() {
    local t0 left item pid rc=0
    t0=$(now_ms)
    while :; do
        left=""
        for item in $STOPPING; do alive "${item#*:}" && left="$left $item"; done
        [ -z "$left" ] && break
        if [ $(( $(now_ms) - t0 )) -ge $(( STOP_TIMEOUT * 1000 )) ]; then
            for item in $left; do
                pid=${item#*:}
                say "${item%%:*} (pid $pid) ignored SIGTERM for $STOP_TIMEOUT s: SIGKILL"
                kill -KILL "$pid" 2>/dev/null
            done
            sleep 0.2
            for item in $left; do
                alive "${item#*:}" && { say "${item%%:*} (pid ${item#*:}) survived SIGKILL"; rc=1; }
            done
            break
        fi
        sleep 0.05
    done
    [ -n "$STOPPING" ] && say "stopped$STOPPING in $(( $(now_ms) - t0 )) ms"
    STOPPING=""
    return $rc
}

# ---------------------------------------------------------------- main
[ $# -ge 2 ] || usage
cmd=$1 DIR=$2 only=${3:-}
case $only in ''|prosody|ejabberd) ;; *) usage;; esac
case $DIR in /*) ;; *) DIR="$(pwd)/$DIR";; esac
DIR=${DIR%/}
STOPPING=""
case $cmd in
start)
    umask 022
    mkdir -p "$DIR" || { say "cannot create $DIR"; exit 1; }
    DIR=$(cd "$DIR" && pwd -P)
    t0=$(now_ms)
    command -v openssl >/dev/null 2>&1 || { say "openssl is not installed"; exit 1; }
    trace certs
    make_certs || exit 1
    trace certs done
    rc=0 PROSODY_PID="" EJABBERD_PID=""
    # launch both, then wait for both: they boot in parallel
    if [ "$only" != prosody ]; then ejabberd_launch || rc=1; fi
    if [ "$only" != ejabberd ]; then prosody_launch || rc=1; fi
    if [ -n "$PROSODY_PID" ]; then prosody_wait || rc=1; fi
    if [ -n "$EJABBERD_PID" ]; then ejabberd_wait || rc=1; fi
    reap || rc=1     # whatever a failed wait stopped
    say "start took $(( $(now_ms) - t0 )) ms (status $rc)"
    exit $rc
    ;;
stop)
    [ -d "$DIR" ] || exit 0
    DIR=$(cd "$DIR" && pwd -P)
    if [ -n "$only" ]; then
        stop_one "$only"
    else
        for f in "$DIR"/*.pid; do [ -e "$f" ] && stop_one "$(basename "$f" .pid)"; done
    fi
    reap
    ;;
*) usage;;
esac
