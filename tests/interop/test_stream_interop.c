/* test_stream_interop.c - the client stream (>>stream) against real servers: Prosody
   (a.test, 127.0.0.1:15222, direct TLS 15223) and ejabberd (c.test, 35222, direct TLS
   35223; 35224 verifying client certificates), each with a second host storing
   SCRAM-SHA-256 keys (Prosody b.test, ejabberd d.test, same ports), started by
   tests/interop/run.sh (servers.sh: users alice/alice-pw and bob/bob-pw; certificates
   from a throwaway CA in $XMPP_INTEROP_DIR/certs). TLS is the
   stream's own, through the hook (cfg.tls_hook: the BearSSL backend, made by the POSIX
   glue's xmpp_posix_tls_new() with the test CA), required, verified for the JID's
   domain; a small poll() loop around the sans-I/O client:
     - alice logs in over STARTTLS (the strongest mechanism offered: SCRAM-*-PLUS bound to
       the TLS channel when the server offers it; the server's signature verified), is
       bound to a full JID, sends presence and a message to herself, and gets it back;
       then closes, and the server closes too (</stream:stream>, then TLS close_notify);
     - the same over direct TLS (XEP-0368, ALPN xmpp-client);
     - the same in plaintext (XMPP_TLS_NEVER; the servers allow it on loopback);
     - the same on the SHA-256 hosts: SCRAM-SHA-256-PLUS over STARTTLS, SCRAM-SHA-256 in
       plaintext, and no SCRAM-SHA-1 offered there;
     - alice and bob online at once: a message from alice arrives at bob, with its body;
     - a wrong password: SASL failure not-authorized, then the stream closed;
     - a CA that did not sign the server's certificate: XMPP_ERR_TLS_UNTRUSTED, no login;
     - examples/echo_bot (ECHO_BOT, default build/echo_bot --ca the test CA) as alice over
       STARTTLS and over direct TLS: bob's message comes back to bob; SIGTERM makes the bot
       close the stream cleanly and exit 0; with another CA it exits 1 saying why;
     - python3-slixmpp (tests/interop/slixmpp_peer.py, SLIXMPP_PEER, run by /usr/bin/python3)
       as bob over STARTTLS: its message reaches us, our reply reaches it; with another CA
       it refuses the server;
     - alice gets her roster, adds bob (a roster push arrives, answered; the result for our
       set too), removes him (push with subscription remove);
     - ejabberd d.test pings alice every 2 s of silence: the stream answers each ping
       itself (our iq result in the trace out) and alice stays online; bob, not read
       from, is dropped;
     - SASL EXTERNAL (XEP-0178) on ejabberd's 35224 (tls_verify): alice's certificate
       (id-on-xmppAddr alice@c.test, from the test CA) logs her in without a password; a
       self-signed one gets not-authorized; without a certificate, or where EXTERNAL is
       not offered, the password login goes on (why not Prosody: above ejabberd_verify).
   A server that is not running makes its tests skipped (failures under CI=true). */
#define XMPP_IMPLEMENTATION
#define XMPP_POSIX
#define XMPP_BEARSSL
#include "../../xmpp.h"
#include "../check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT_MS 10000

typedef struct {
    const char *name, *domain;
    int port, direct_port;
} server;

static const server prosody = { "prosody", "a.test", 15222, 15223 };
static const server ejabberd = { "ejabberd", "c.test", 35222, 35223 };
/* The same servers, a second virtual host each whose passwords are stored for SHA-256 */
static const server prosody256 = { "prosody", "b.test", 15222, 15223 };
static const server ejabberd256 = { "ejabberd", "d.test", 35222, 35223 };

enum { STARTTLS, DIRECT, PLAIN };   /* how a client connects */
static const char *const mode_names[] = { "STARTTLS", "direct TLS", "plaintext" };

static char ca_file[600], other_ca[600];

typedef struct client client;
struct client {
    int fd;
    xmpp_tls *tls;
    xmpp_stream s;
    xmpp_stream_config cfg;
    char jid[128];
    unsigned char mem[24000];
    char log[4096];          /* one line per event */
    char tin[16384], tout[16384];   /* the trace hook's chunks in and out (plaintext XML),
                                       as much as fits */
    void (*on_stanza)(client *c, const xmpp_node *st);   /* a test's own look at each stanza */
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void rng(void *ctx, unsigned char *buf, size_t n)
{
    FILE *f = fopen("/dev/urandom", "rb");
    (void)ctx;
    if (!f || fread(buf, 1, n, f) != n) abort();
    fclose(f);
}

static void logf_(client *c, const char *line)
{
    if (strlen(c->log) + strlen(line) + 2 < sizeof c->log) { strcat(c->log, line); strcat(c->log, "\n"); }
}

static void on_event(client *c, const xmpp_stream_event *e)
{
    char line[512];
    switch (e->kind) {
    case XMPP_STREAM_ONLINE: snprintf(line, sizeof line, "ONLINE %.*s", (int)e->jid.n, e->jid.p); break;
    case XMPP_STREAM_STANZA: {
        xmpp_str n = xmpp_node_name(e->stanza), id = xmpp_node_attr(e->stanza, NULL, "id");
        xmpp_str body = xmpp_node_text(xmpp_node_child(e->stanza, NULL, "body"));
        snprintf(line, sizeof line, "STANZA %.*s %.*s %.*s", (int)n.n, n.p, (int)id.n, id.p ? id.p : "",
                 (int)body.n, body.p ? body.p : "");
        logf_(c, line);
        if (c->on_stanza) c->on_stanza(c, e->stanza);   /* its lines after the STANZA line */
        return;
    }
    case XMPP_STREAM_SASL_FAILURE:   /* the condition, then the server's text (if any) */
        snprintf(line, sizeof line, "SASL_FAILURE %.*s\t%.*s", (int)e->condition.n, e->condition.p,
                 (int)e->text.n, e->text.p ? e->text.p : "");
        break;
    case XMPP_STREAM_ERROR:
        snprintf(line, sizeof line, "STREAM_ERROR %.*s", (int)e->condition.n, e->condition.p);
        break;
    case XMPP_STREAM_CLOSED:
        snprintf(line, sizeof line, "CLOSED %s", e->err ? xmpp_strerror(e->err) : "ok");
        break;
    default:
        snprintf(line, sizeof line, "EVENT %d", (int)e->kind);
        break;
    }
    logf_(c, line);
}

/* The trace hook: XML in and out appended to c->tin / c->tout (state changes ignored). */
static void trace(void *ctx, int kind, const char *text, size_t n)
{
    client *c = ctx;
    char *buf = kind == XMPP_TRACE_IN ? c->tin : kind == XMPP_TRACE_OUT ? c->tout : NULL;
    size_t have;
    if (!buf) return;
    have = strlen(buf);
    if (have + n + 1 > sizeof c->tin) return;
    memcpy(buf + have, text, n);
    buf[have + n] = 0;
}

/* The mechanisms of the last <mechanisms/> the server sent, space-separated, into out. */
static void offered_mechanisms(const client *c, char *out, size_t size)
{
    const char *p = c->tin, *q, *end;
    out[0] = 0;
    for (q = p; (q = strstr(q, "<mechanisms")) != NULL; q++) p = q;
    end = strstr(p, "</mechanisms>");
    if (p == c->tin || !end) return;
    while ((p = strstr(p, "<mechanism>")) != NULL && p < end) {
        p += 11;
        q = strchr(p, '<');
        if (!q) break;
        snprintf(out + strlen(out), size - strlen(out), "%s%.*s", out[0] ? " " : "", (int)(q - p), p);
    }
}

/* 0 ok, 1 server not there, -1 setup failed. ca: the CA file to trust (NULL: the test CA);
   cert, key: a client certificate and its key (PEM files; NULL: none), and then
   cfg.client_cert (SASL EXTERNAL when offered). */
/* Does 127.0.0.1:port accept a connection? */
static int server_up(int port)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0), ok;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    if (fd >= 0) close(fd);
    return ok;
}

static const char *force_mechanism;   /* cfg.mechanism for the next dial (NULL: the strongest) */

static int dial_cert(client *c, const server *sv, const char *user, const char *password, int mode, const char *ca,
                     const char *cert, const char *key)
{
    struct sockaddr_in sa;
    const char *why;
    memset(c, 0, sizeof *c);
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)(mode == DIRECT ? sv->direct_port : sv->port));
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        if (c->fd >= 0) close(c->fd);
        return 1;
    }
    snprintf(c->jid, sizeof c->jid, "%s@%s/interop", user, sv->domain);
    c->cfg.jid = xmpp_str_z(c->jid);
    c->cfg.password = xmpp_str_z(password);
    c->cfg.rng = rng;
    c->cfg.tls = mode == PLAIN ? XMPP_TLS_NEVER : XMPP_TLS_REQUIRED;
    c->cfg.direct_tls = mode == DIRECT;
    c->cfg.timeout_ms = TIMEOUT_MS;
    c->cfg.mechanism = force_mechanism;
    c->cfg.trace = trace;
    c->cfg.trace_ctx = c;
    c->cfg.client_cert = cert != NULL;
    if (mode != PLAIN && !(c->cfg.tls_hook = c->tls = xmpp_posix_tls_new(ca ? ca : ca_file, cert, key, &why))) {
        printf("  TLS setup: %s\n", why);
        return -1;
    }
    if (xmpp_stream_init(&c->s, &c->cfg, c->mem, sizeof c->mem)) return -1;
    xmpp_stream_tick(&c->s, now_ms());
    return 0;
}

static int dial_ca(client *c, const server *sv, const char *user, const char *password, int mode, const char *ca)
{
    return dial_cert(c, sv, user, password, mode, ca, NULL, NULL);
}

static int dial(client *c, const server *sv, const char *user, const char *password, int mode)
{
    return dial_ca(c, sv, user, password, mode, NULL);
}

static void hang_up(client *c)
{
    close(c->fd);
    xmpp_posix_tls_free(c->tls);
    c->tls = NULL;
}

/* One round: send what is due, wait up to ms for bytes, feed them, take the events. */
static void pump(client *c, int ms)
{
    size_t n, off = 0, used;
    const unsigned char *out = xmpp_stream_output(&c->s, &n);
    unsigned char buf[4096];
    struct pollfd p;
    ssize_t r, r2;
    xmpp_stream_event e;
    while (n && (r = send(c->fd, out, n, MSG_NOSIGNAL)) > 0) {   /* TLS: maybe several records */
        xmpp_stream_output_ack(&c->s, (size_t)r);
        out = xmpp_stream_output(&c->s, &n);
    }
    xmpp_stream_tick(&c->s, now_ms());
    while (xmpp_stream_next(&c->s, &e)) on_event(c, &e);
    if (xmpp_stream_wants(&c->s) & XMPP_WANT_CLOSED) return;
    if (xmpp_stream_wants(&c->s) & XMPP_WANT_FEED) {   /* stanzas the TLS backend holds */
        xmpp_stream_feed(&c->s, NULL, 0, &used);
        while (xmpp_stream_next(&c->s, &e)) on_event(c, &e);
        return;
    }
    p.fd = c->fd;
    p.events = POLLIN;
    if (poll(&p, 1, ms) <= 0) return;
    r = recv(c->fd, buf, sizeof buf, 0);
    if (r <= 0) {
        logf_(c, "EOF");
        xmpp_stream_eof(&c->s);
        while (xmpp_stream_next(&c->s, &e)) on_event(c, &e);
        return;
    }
    while (off < (size_t)r) {
        xmpp_stream_feed(&c->s, buf + off, (size_t)r - off, &used);
        off += used;
        while (xmpp_stream_next(&c->s, &e)) on_event(c, &e);
        if (xmpp_stream_wants(&c->s) & XMPP_WANT_CLOSED) break;
        if (!used) {   /* TLS output first (a full backend buffer) */
            out = xmpp_stream_output(&c->s, &n);
            if (n && (r2 = send(c->fd, out, n, MSG_NOSIGNAL)) > 0) xmpp_stream_output_ack(&c->s, (size_t)r2);
            else if (!n) break;
        }
    }
}

/* Pump a and b (b may be NULL) until a's log has want; 1 if it came in time. */
static int wait_for(client *a, client *b, const char *want)
{
    uint64_t end = now_ms() + TIMEOUT_MS;
    while (now_ms() < end) {
        if (strstr(a->log, want)) return 1;
        if (xmpp_stream_wants(&a->s) == XMPP_WANT_CLOSED) break;   /* over, nothing left to send */
        pump(a, b ? 20 : 100);
        if (b) pump(b, 20);
    }
    if (strstr(a->log, want)) return 1;
    printf("  waited for \"%s\"; events:\n%s", want, a->log);
    return 0;
}

static void send_message(client *c, const char *to, const char *id, const char *body)
{
    xmpp_builder *b = xmpp_stream_send_begin(&c->s);
    CHECK(b != NULL);
    if (!b) return;
    xmpp_build_message(b, to, "chat", id, body);
    CHECK(xmpp_stream_send_end(&c->s) == XMPP_OK);
}

static void send_presence(client *c)
{
    xmpp_builder *b = xmpp_stream_send_begin(&c->s);
    CHECK(b != NULL);
    if (!b) return;
    xmpp_build_presence(b, NULL, NULL, NULL, NULL, 0);
    CHECK(xmpp_stream_send_end(&c->s) == XMPP_OK);
}

static char last_offer[512];   /* the mechanisms offered to the last login_message_close */

/* want_mech: the mechanism the login must have used (NULL: any SCRAM) */
static void login_message_close(const server *sv, int mode, const char *want_mech)
{
    static client a;
    char want[256], full[256];
    const char *mech;
    int r = dial(&a, sv, "alice", "alice-pw", mode);
    if (r == 1) SKIP("server not running");
    CHECK(r == 0);
    snprintf(want, sizeof want, "ONLINE alice@%s/", sv->domain);
    CHECK(wait_for(&a, NULL, want));
    {   /* the full JID the server bound */
        const char *p = strstr(a.log, "ONLINE ");
        size_t n = p ? strcspn(p + 7, "\n") : 0;
        snprintf(full, sizeof full, "%.*s", (int)n, p ? p + 7 : "");
    }
    mech = xmpp_stream_mechanism(&a.s);
    offered_mechanisms(&a, last_offer, sizeof last_offer);
    printf("  %s %s %s: online as %s (%s%s%s; offered: %s)\n", sv->name, sv->domain, mode_names[mode], full,
           mech, a.s.cb_len ? " with " : "", a.s.cb_len ? a.s.cb_type : "", last_offer);
    CHECK(strstr(last_offer, mech) != NULL);
    if (!force_mechanism) CHECK(strncmp(mech, "SCRAM-", 6) == 0);   /* SCRAM, not PLAIN, even over TLS */
    if (want_mech) CHECK(strcmp(mech, want_mech) == 0);
    if (mode != PLAIN) CHECK(xmpp_tls_state(a.tls) == XMPP_TLS_OPEN);
    send_presence(&a);
    send_message(&a, full, "self-1", "hello me & <you>");
    CHECK(wait_for(&a, NULL, "STANZA message self-1 hello me & <you>"));
    xmpp_stream_close(&a.s);
    CHECK(wait_for(&a, NULL, "CLOSED ok"));
    hang_up(&a);
}

static void two_clients(const server *sv)
{
    static client a, b;
    char bob[256], want[256];
    int r = dial(&a, sv, "alice", "alice-pw", STARTTLS);
    if (r == 1) SKIP("server not running");
    CHECK(r == 0 && dial(&b, sv, "bob", "bob-pw", DIRECT) == 0);
    snprintf(want, sizeof want, "ONLINE alice@%s/", sv->domain);
    CHECK(wait_for(&a, &b, want));
    snprintf(want, sizeof want, "ONLINE bob@%s/", sv->domain);
    CHECK(wait_for(&b, &a, want));
    send_presence(&b);
    {
        const char *p = strstr(b.log, "ONLINE ");
        size_t n = p ? strcspn(p + 7, "\n") : 0;
        snprintf(bob, sizeof bob, "%.*s", (int)n, p ? p + 7 : "");
    }
    send_message(&a, bob, "ab-1", "from alice");
    CHECK(wait_for(&b, &a, "STANZA message ab-1 from alice"));
    xmpp_stream_close(&a.s);
    xmpp_stream_close(&b.s);
    CHECK(wait_for(&a, &b, "CLOSED ok"));
    CHECK(wait_for(&b, &a, "CLOSED ok"));
    hang_up(&a);
    hang_up(&b);
}

static void wrong_password(const server *sv)
{
    static client a;
    int r = dial(&a, sv, "alice", "not-the-password", STARTTLS);
    if (r == 1) SKIP("server not running");
    CHECK(r == 0);
    CHECK(wait_for(&a, NULL, "SASL_FAILURE not-authorized"));
    CHECK(wait_for(&a, NULL, "CLOSED authentication failed"));
    CHECK(strstr(a.log, "ONLINE") == NULL);
    hang_up(&a);
}

/* The server's certificate is not from the CA we trust: the handshake fails, precisely. */
static void unknown_ca(const server *sv, int mode)
{
    static client a;
    int r;
    if (!other_ca[0]) { printf("  no other CA (openssl failed)\n"); CHECK(0); return; }
    r = dial_ca(&a, sv, "alice", "alice-pw", mode, other_ca);
    if (r == 1) SKIP("server not running");
    CHECK(r == 0);
    CHECK(wait_for(&a, NULL, "CLOSED server certificate not trusted (unknown CA or bad chain)"));
    CHECK(xmpp_tls_error(a.tls)->code == XMPP_ERR_TLS_UNTRUSTED);
    printf("  %s %s, another CA: %s\n", sv->name, mode_names[mode], xmpp_tls_error(a.tls)->message);
    CHECK(strstr(a.log, "ONLINE") == NULL);
    hang_up(&a);
}

/* Read the bot's output into out (appending) until it has want or ms pass. */
static int bot_says(int fd, char *out, size_t size, const char *want, int ms)
{
    uint64_t end = now_ms() + (uint64_t)ms;
    while (!strstr(out, want) && now_ms() < end) {
        struct pollfd p;
        size_t n = strlen(out);
        ssize_t r;
        p.fd = fd;
        p.events = POLLIN;
        if (poll(&p, 1, 100) <= 0) continue;
        r = read(fd, out + n, size - n - 1);
        if (r <= 0) break;
        out[n + (size_t)r] = 0;
    }
    if (strstr(out, want)) return 1;
    printf("  the bot did not say \"%s\"; it said:\n%s", want, out);
    return 0;
}

/* Start examples/echo_bot as alice (mode: STARTTLS or DIRECT; ca: --ca), its output on *fd. */
static pid_t bot_start(const server *sv, int mode, const char *ca, int *fd)
{
    const char *bin = getenv("ECHO_BOT") ? getenv("ECHO_BOT") : "build/echo_bot";
    char port[32], jid[64];
    int pipefd[2];
    pid_t pid;
    if (access(bin, X_OK) != 0) { printf("  no %s: build it first\n", bin); return -1; }
    snprintf(port, sizeof port, "127.0.0.1:%d", mode == DIRECT ? sv->direct_port : sv->port);
    snprintf(jid, sizeof jid, "alice@%s/bot", sv->domain);
    if (pipe(pipefd)) return -1;
    pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], 1);
        dup2(pipefd[1], 2);
        close(pipefd[0]);
        setenv("XMPP_PASSWORD", "alice-pw", 1);
        if (mode == DIRECT) execl(bin, bin, "--server", port, "--ca", ca, "--direct-tls", jid, (char *)NULL);
        else execl(bin, bin, "--server", port, "--ca", ca, jid, (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    *fd = pipefd[0];
    return pid;
}

static void echo_bot(const server *sv, int mode)
{
    static client b;
    static char out[4096];
    char want[128];
    int fd = -1, status = -1, r;
    pid_t pid;
    r = dial(&b, sv, "bob", "bob-pw", STARTTLS);
    if (r == 1) SKIP("server not running");
    CHECK(r == 0);
    out[0] = 0;
    pid = bot_start(sv, mode, ca_file, &fd);
    CHECK(pid > 0);
    if (pid <= 0) return;
    snprintf(want, sizeof want, "online as alice@%s/bot", sv->domain);
    CHECK(bot_says(fd, out, sizeof out, want, TIMEOUT_MS));
    snprintf(want, sizeof want, "ONLINE bob@%s/", sv->domain);
    CHECK(wait_for(&b, NULL, want));
    snprintf(want, sizeof want, "alice@%s/bot", sv->domain);
    send_message(&b, want, "e-1", "echo me, <bot> & all");
    CHECK(wait_for(&b, NULL, "STANZA message  echo me, <bot> & all"));
    CHECK(bot_says(fd, out, sizeof out, "echo to bob@", TIMEOUT_MS));
    kill(pid, SIGTERM);   /* by PID: the bot closes the stream */
    CHECK(bot_says(fd, out, sizeof out, "closed: closed by us, confirmed by the server", TIMEOUT_MS));
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(fd);
    xmpp_stream_close(&b.s);
    CHECK(wait_for(&b, NULL, "CLOSED ok"));
    hang_up(&b);
}

/* The bot with a CA that did not sign the server's certificate: exit 1, and why. */
static void echo_bot_bad_ca(const server *sv)
{
    static char out[4096];
    int fd = -1, status = -1;
    pid_t pid;
    if (!server_up(sv->port)) SKIP("server not running");
    if (!other_ca[0]) { CHECK(0); return; }
    out[0] = 0;
    pid = bot_start(sv, STARTTLS, other_ca, &fd);
    CHECK(pid > 0);
    if (pid <= 0) return;
    CHECK(bot_says(fd, out, sizeof out, "echo_bot: server certificate not trusted (unknown CA or bad chain)", TIMEOUT_MS));
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    close(fd);
}

/* ---------------------------------------------------------------- helpers for the tests below */

/* Copy a view into a NUL-terminated buffer (cut to fit). */
static const char *zcopy(char *out, size_t size, xmpp_str v)
{
    snprintf(out, size, "%.*s", (int)v.n, v.p ? v.p : "");
    return out;
}

/* The full JID of the ONLINE line in c's log, into out. */
static void bound_jid(const client *c, char *out, size_t size)
{
    const char *p = strstr(c->log, "ONLINE ");
    size_t n = p ? strcspn(p + 7, "\n") : 0;
    snprintf(out, size, "%.*s", (int)n, p ? p + 7 : "");
}

/* Log in as alice over STARTTLS and wait until online; full: the bound JID. 0 ok, 1 the
   server is not there, -1 failed. */
static int alice_online(client *a, const server *sv, char *full, size_t size)
{
    char want[128];
    int r = dial(a, sv, "alice", "alice-pw", STARTTLS);
    if (r) return r;
    snprintf(want, sizeof want, "ONLINE alice@%s/", sv->domain);
    if (!wait_for(a, NULL, want)) return -1;
    bound_jid(a, full, size);
    return 0;
}

/* ---------------------------------------------------------------- slixmpp, a client we did not write */

static const char *peer_script(void)
{
    return getenv("SLIXMPP_PEER") ? getenv("SLIXMPP_PEER") : "tests/interop/slixmpp_peer.py";
}

/* Is python3-slixmpp there (Debian's imports only under /usr/bin/python3)? */
static int have_slixmpp(void)
{
    static int known = -1;
    if (known < 0)
        known = access(peer_script(), R_OK) == 0 &&
                system("/usr/bin/python3 -c 'import slixmpp' >/dev/null 2>&1") == 0;
    return known;
}

/* Start tests/interop/slixmpp_peer.py as bob@DOMAIN/slixmpp sending body to `to`; its
   stdout on *fd (stderr stays ours: its reason for failing shows in the test log). */
static pid_t peer_start(const server *sv, const char *ca, const char *to, const char *body, int *fd)
{
    char port[16], jid[64];
    const char *py = peer_script();
    int pipefd[2];
    pid_t pid;
    snprintf(port, sizeof port, "%d", sv->port);
    snprintf(jid, sizeof jid, "bob@%s/slixmpp", sv->domain);
    if (pipe(pipefd)) return -1;
    pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], 1);
        close(pipefd[0]);
        close(pipefd[1]);
        setenv("XMPP_PASSWORD", "bob-pw", 1);
        execl("/usr/bin/python3", "/usr/bin/python3", py, "--port", port, "--ca", ca, "--jid", jid,
              "--body", body, "--timeout", "10", to, (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    if (pid < 0) { close(pipefd[0]); return -1; }
    *fd = pipefd[0];
    return pid;
}

/* Pump a (NULL: none) while reading the peer's stdout into out, until out has a whole line
   or the pipe closes or ms pass; 1 if a line came. */
static int peer_line(client *a, int fd, char *out, size_t size, int ms)
{
    uint64_t end = now_ms() + (uint64_t)ms;
    while (!strchr(out, '\n') && now_ms() < end) {
        struct pollfd p;
        size_t n = strlen(out);
        ssize_t r;
        if (a) pump(a, 20);
        p.fd = fd;
        p.events = POLLIN;
        if (poll(&p, 1, a ? 0 : 100) <= 0) continue;
        r = read(fd, out + n, size - n - 1);
        if (r <= 0) break;
        out[n + (size_t)r] = 0;
    }
    return strchr(out, '\n') != NULL;
}

/* Wait up to ms for the peer to exit; if it hangs, SIGKILL it (by its PID). Its status,
   or -1 when it had to be killed. */
static int peer_wait(pid_t pid, int ms)
{
    uint64_t end = now_ms() + (uint64_t)ms;
    int status;
    while (now_ms() < end) {
        if (waitpid(pid, &status, WNOHANG) == pid) return status;
        poll(NULL, 0, 20);
    }
    printf("  the slixmpp peer (pid %d) did not exit within %d ms: killed\n", (int)pid, ms);
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

/* alice's messages: "MSG <from>\t<body>" for each chat message with a body */
static void message_stanza(client *c, const xmpp_node *st)
{
    char line[600], from[256], body[256];
    const xmpp_node *b = xmpp_node_child(st, XMPP_XMLNS_CLIENT, "body");
    if (!xmpp_node_is(st, XMPP_XMLNS_CLIENT, "message") || !b) return;
    zcopy(from, sizeof from, xmpp_node_attr(st, NULL, "from"));
    zcopy(body, sizeof body, xmpp_node_text(b));
    snprintf(line, sizeof line, "MSG %s\t%s", from, body);
    logf_(c, line);
}

/* A message exchange with python3-slixmpp (a client we did not write) as bob over
   STARTTLS, our client as alice over STARTTLS: bob's message reaches us with its body
   (XML-special characters and all), our reply reaches bob, who prints it. */
static void slixmpp_exchange(const server *sv)
{
    static client a;
    static char out[1024];
    char full[256], want[512], bob[256];
    const char *p, *q;
    int fd = -1, r, status;
    pid_t pid;
    if (!have_slixmpp()) SKIP("no python3-slixmpp under /usr/bin/python3 (apt-get install python3-slixmpp)");
    r = alice_online(&a, sv, full, sizeof full);
    if (r == 1) SKIP("server not running");
    CHECK(r == 0);
    if (r) { hang_up(&a); return; }
    a.on_stanza = message_stanza;
    send_presence(&a);
    out[0] = 0;
    pid = peer_start(sv, ca_file, full, "hello from slixmpp & <python>", &fd);
    CHECK(pid > 0);
    if (pid <= 0) { hang_up(&a); return; }
    /* bob's message, from bob@DOMAIN/slixmpp */
    snprintf(want, sizeof want, "MSG bob@%s/slixmpp\thello from slixmpp & <python>\n", sv->domain);
    CHECK(wait_for(&a, NULL, want));
    p = strstr(a.log, "MSG ");
    q = p ? strchr(p, '\t') : NULL;
    snprintf(bob, sizeof bob, "%.*s", q ? (int)(q - p - 4) : 0, q ? p + 4 : "");
    printf("  %s: from slixmpp: %s", sv->name, p ? p + 4 : "(nothing)\n");
    /* our reply, printed by the peer as "from <our full JID>: <body>" */
    send_message(&a, bob, "slix-1", "hello back from xmpp.h & <C>\nline 2");
    CHECK(peer_line(&a, fd, out, sizeof out, 15000));
    printf("  %s: slixmpp printed: %s", sv->name, out[0] ? out : "(nothing)\n");
    snprintf(want, sizeof want, "from %s: hello back from xmpp.h & <C>\\nline 2\n", full);
    CHECK(strcmp(out, want) == 0);
    status = peer_wait(pid, 8000);
    CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(fd);
    xmpp_stream_close(&a.s);
    CHECK(wait_for(&a, NULL, "CLOSED ok"));
    hang_up(&a);
}

/* The peer is not a stub: with a CA that did not sign the server's certificate it
   refuses the server and exits 1 (so the exchange above really was verified TLS). */
static void slixmpp_bad_ca(const server *sv)
{
    static client a;
    static char out[1024];
    char full[256];
    int fd = -1, r, status;
    pid_t pid;
    if (!have_slixmpp()) SKIP("no python3-slixmpp under /usr/bin/python3 (apt-get install python3-slixmpp)");
    if (!other_ca[0]) { CHECK(0); return; }
    r = alice_online(&a, sv, full, sizeof full);   /* someone to talk to: it must not get there */
    if (r == 1) SKIP("server not running");
    CHECK(r == 0);
    if (r) { hang_up(&a); return; }
    a.on_stanza = message_stanza;
    out[0] = 0;
    pid = peer_start(sv, other_ca, full, "must not arrive", &fd);
    CHECK(pid > 0);
    if (pid <= 0) { hang_up(&a); return; }
    CHECK(!peer_line(&a, fd, out, sizeof out, 12000));   /* nothing on stdout, the pipe closed */
    status = peer_wait(pid, 8000);
    CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 1);
    printf("  %s: slixmpp with another CA: exit status %d (its reason on stderr above)\n", sv->name,
           status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    CHECK(strstr(a.log, "MSG ") == NULL);
    xmpp_stream_close(&a.s);
    CHECK(wait_for(&a, NULL, "CLOSED ok"));
    close(fd);
    hang_up(&a);
}

/* ---------------------------------------------------------------- roster push (RFC 6121 §2.1.6) */

static char roster_owner[128];   /* alice's bare JID, for checking the pushes' from */

/* alice's iqs: each roster push (iq set with jabber:iq:roster query) is checked (from absent
   or our bare JID, §2.1.6), logged as "PUSH <item jid> <subscription> <name>", and answered
   with an iq result (to its from, if any); results and errors are logged "IQ <type> <id>". */
static void roster_stanza(client *c, const xmpp_node *st)
{
    char line[1024], type[16], id[128], from[256], jid[256], sub[32], name[64];
    const xmpp_node *q = xmpp_node_child(st, "jabber:iq:roster", "query"), *item;
    xmpp_builder *b;
    if (!xmpp_node_is(st, XMPP_XMLNS_CLIENT, "iq")) return;
    zcopy(type, sizeof type, xmpp_node_attr(st, NULL, "type"));
    zcopy(id, sizeof id, xmpp_node_attr(st, NULL, "id"));
    zcopy(from, sizeof from, xmpp_node_attr(st, NULL, "from"));
    if (strcmp(type, "set") != 0 || !q) {
        snprintf(line, sizeof line, "IQ %s %s", type, id);
        logf_(c, line);
        return;
    }
    item = xmpp_node_child(q, "jabber:iq:roster", "item");
    zcopy(jid, sizeof jid, xmpp_node_attr(item, NULL, "jid"));
    zcopy(sub, sizeof sub, xmpp_node_attr(item, NULL, "subscription"));
    zcopy(name, sizeof name, xmpp_node_attr(item, NULL, "name"));
    if (from[0] && strcmp(from, roster_owner) != 0) {   /* §2.1.6: a forged push, ignore it */
        snprintf(line, sizeof line, "BAD_PUSH from %s", from);
        logf_(c, line);
        return;
    }
    snprintf(line, sizeof line, "PUSH %s %s %s (from \"%s\", id %s)", jid, sub, name, from, id);
    logf_(c, line);
    b = xmpp_stream_send_begin(&c->s);
    CHECK(b != NULL);
    if (!b) return;
    xmpp_build_iq(b, "result", id, from[0] ? from : NULL);
    xmpp_build_end(b);
    CHECK(xmpp_stream_send_end(&c->s) == XMPP_OK);
}

/* Send <iq type=TYPE id=ID><query xmlns=jabber:iq:roster>[<item jid=JID name=NAME
   subscription=SUB/>]</query></iq> (NULL: left out). */
static void send_roster_iq(client *c, const char *type, const char *id, const char *jid, const char *name,
                           const char *sub)
{
    xmpp_builder *b = xmpp_stream_send_begin(&c->s);
    CHECK(b != NULL);
    if (!b) return;
    xmpp_build_iq(b, type, id, NULL);
    xmpp_build_start(b, "jabber:iq:roster", "query");
    if (jid) {
        xmpp_build_start(b, "jabber:iq:roster", "item");
        xmpp_build_attr(b, NULL, "jid", jid);
        if (name) xmpp_build_attr(b, NULL, "name", name);
        if (sub) xmpp_build_attr(b, NULL, "subscription", sub);
        xmpp_build_end(b);
    }
    xmpp_build_end(b);
    xmpp_build_end(b);
    CHECK(xmpp_stream_send_end(&c->s) == XMPP_OK);
}

/* Roster pushes arrive as XMPP_STREAM_STANZA events: alice gets her roster (becoming an
   interested resource, §2.1.2), adds bob (§2.3); the server pushes the new item
   (subscription none) and answers our set with a result; we answer the push. Then the
   same for removing him (§2.5: the push says subscription remove). */
static void roster_push(const server *sv)
{
    static client a;
    char full[256], bobjid[64], want[256], idwant[256];
    const char *p;
    int r;
    r = alice_online(&a, sv, full, sizeof full);
    if (r == 1) SKIP("server not running");
    CHECK(r == 0);
    if (r) { hang_up(&a); return; }
    snprintf(roster_owner, sizeof roster_owner, "alice@%s", sv->domain);
    snprintf(bobjid, sizeof bobjid, "bob@%s", sv->domain);
    a.on_stanza = roster_stanza;
    send_roster_iq(&a, "get", "roster-get-1", NULL, NULL, NULL);
    CHECK(wait_for(&a, NULL, "IQ result roster-get-1"));
    send_roster_iq(&a, "set", "roster-set-1", bobjid, "Bob & co", NULL);
    snprintf(want, sizeof want, "PUSH %s none Bob & co", bobjid);
    CHECK(wait_for(&a, NULL, want));
    CHECK(wait_for(&a, NULL, "IQ result roster-set-1"));
    p = strstr(a.log, "PUSH ");
    printf("  %s: %.*s\n", sv->name, p ? (int)strcspn(p, "\n") : 9, p ? p : "(no push)");
    /* our answer to the push: an iq result with its id (in the trace out) */
    p = p ? strstr(p, ", id ") : NULL;
    snprintf(idwant, sizeof idwant, "<iq type=\"result\" id=\"%.*s\"", p ? (int)strcspn(p + 5, ")") : 0, p ? p + 5 : "");
    CHECK(p && strstr(a.tout, idwant) != NULL);
    send_roster_iq(&a, "set", "roster-rm-1", bobjid, NULL, "remove");
    snprintf(want, sizeof want, "PUSH %s remove", bobjid);
    CHECK(wait_for(&a, NULL, want));
    CHECK(wait_for(&a, NULL, "IQ result roster-rm-1"));
    CHECK(strstr(a.log, "BAD_PUSH") == NULL && strstr(a.log, "IQ error") == NULL);
    xmpp_stream_close(&a.s);
    CHECK(wait_for(&a, NULL, "CLOSED ok"));
    hang_up(&a);
}

/* ---------------------------------------------------------------- server pings (XEP-0199) */

/* ejabberd's d.test pings each client after 2 s without a stanza from it (mod_ping
   send_pings, ping_interval 2) and kills one that leaves a ping unanswered for 2 s
   (timeout_action kill). The stream answers pings itself: alice stays online for 6.5 s
   (three intervals), at least two pings come in, and each has our
   <iq type="result" id="ID" to="d.test"/> in the trace out. Meanwhile bob, online too but
   not read from (so not answering), is dropped by the server: the setup would catch a
   client that does not answer. Prosody 0.12 cannot be made
   to ping a client: its mod_ping only answers pings, and on a read timeout mod_c2s sends
   a whitespace keepalive (mod_smacks an <r/> where stream management is on); a server
   ping needs the community module mod_pinger, which Debian does not ship. So this test is
   ejabberd's only. */
static void server_pings(const server *sv)
{
    static client a, b;
    char full[256], id[128], want[300];
    const char *p;
    uint64_t end;
    int r, pings = 0, answered = 0;
    r = alice_online(&a, sv, full, sizeof full);
    if (r == 1) SKIP("server not running");
    CHECK(r == 0);
    if (r) { hang_up(&a); return; }
    CHECK(dial(&b, sv, "bob", "bob-pw", STARTTLS) == 0);
    snprintf(want, sizeof want, "ONLINE bob@%s/", sv->domain);
    CHECK(wait_for(&b, &a, want));
    end = now_ms() + 6500;   /* bob is not pumped from here on */
    while (now_ms() < end && !(xmpp_stream_wants(&a.s) & XMPP_WANT_CLOSED)) pump(&a, 100);
    CHECK(xmpp_stream_state_of(&a.s) == XMPP_STATE_ONLINE);
    CHECK(strstr(a.log, "CLOSED") == NULL && strstr(a.log, "STREAM_ERROR") == NULL);
    CHECK(strstr(a.log, "STANZA iq") == NULL);   /* answered inside, not handed to us */
    /* each <iq ...> in that carries urn:xmpp:ping: its id, and our answer out */
    for (p = a.tin; (p = strstr(p, "<iq ")) != NULL; p++) {
        const char *gt = strchr(p, '>'), *close = strstr(p, "</iq>"), *ping = strstr(p, "urn:xmpp:ping");
        const char *ida = strstr(p, " id=");
        char quote;
        size_t n;
        if (!gt || !ping || !close || ping > close || !ida || ida > gt) continue;
        quote = ida[4];
        n = strcspn(ida + 5, quote == '"' ? "\"" : "'");
        snprintf(id, sizeof id, "%.*s", (int)n, ida + 5);
        pings++;
        snprintf(want, sizeof want, "<iq type=\"result\" id=\"%s\" to=\"%s\"/>", id, sv->domain);
        if (strstr(a.tout, want)) answered++;
        else printf("  ping %s not answered (no %s in the trace out)\n", id, want);
        if (pings == 1) printf("  %s %s: ping in: %.*s\n  our answer: %s\n", sv->name, sv->domain,
                               (int)(close + 5 - p), p, want);
    }
    printf("  %s %s: %d pings in 6.5 s, %d answered, still online\n", sv->name, sv->domain, pings, answered);
    CHECK(pings >= 2);
    CHECK(answered == pings);
    /* bob left his pings unanswered for more than 2 s: the server has dropped him (it
       closes the TCP connection: no stream error, no TLS close_notify) */
    CHECK(wait_for(&b, NULL, "CLOSED"));
    p = strstr(b.log, "CLOSED");
    printf("  %s %s: bob, not answering: %.*s\n", sv->name, sv->domain, p ? (int)strcspn(p, "\n") : 0, p ? p : "");
    CHECK(strstr(b.log, "CLOSED ok") == NULL);
    CHECK(strstr(b.tin, "urn:xmpp:ping") != NULL);   /* he was pinged, then cut off: */
    CHECK(strstr(b.log, "EOF\nCLOSED") != NULL);      /* ejabberd just closes the socket */
    hang_up(&b);
    xmpp_stream_close(&a.s);
    CHECK(wait_for(&a, NULL, "CLOSED ok"));
    hang_up(&a);
}

/* ---------------------------------------------------------------- SASL EXTERNAL (XEP-0178) */

/* ejabberd 23.01 c.test on 35224: a c2s listener with tls_verify (client certificates
   verified against the test CA; EXTERNAL is offered once TLS is up, to every client). Its
   EXTERNAL (xmpp_stream_pkix) takes the JID from the certificate's subjectAltName otherName
   id-on-xmppAddr (not the CN or an email address), and with an empty authzid (what we send)
   logs in as that JID if its domain is the stream's; a certificate that does not verify
   gets <not-authorized/> with OpenSSL's reason as the text. Prosody 0.12 cannot be tested:
   its util.sasl EXTERNAL needs an "external" profile that no auth provider Debian ships
   gives (internal_hashed has none); c2s certificate login is the community module
   mod_auth_ccert, not packaged, so not fetched here. */
static const server ejabberd_verify = { "ejabberd", "c.test", 35224, 0 };

static void cert_paths(char *cert, char *key, size_t size, const char *name)
{
    const char *d = getenv("XMPP_INTEROP_DIR");
    snprintf(cert, size, "%s/certs/%s.crt", d ? d : ".", name);
    snprintf(key, size, "%s/certs/%s.key", d ? d : ".", name);
}

/* alice's certificate from the test CA, no password: EXTERNAL, online as alice@c.test,
   and the session works (a message to herself comes back). */
static void external_login(void)
{
    static client a;
    char cert[700], key[700], full[256], offer[512];
    const char *mech;
    int r;
    cert_paths(cert, key, sizeof cert, "alice@c.test");
    r = dial_cert(&a, &ejabberd_verify, "alice", "", STARTTLS, NULL, cert, key);
    if (r == 1) SKIP("server not running");
    CHECK(r == 0);
    if (r) return;
    CHECK(wait_for(&a, NULL, "ONLINE alice@c.test/"));
    bound_jid(&a, full, sizeof full);
    mech = xmpp_stream_mechanism(&a.s);
    offered_mechanisms(&a, offer, sizeof offer);
    printf("  ejabberd c.test:35224 STARTTLS + client certificate: online as %s (%s; offered: %s)\n", full, mech, offer);
    CHECK(strcmp(mech, "EXTERNAL") == 0);
    CHECK(strstr(offer, "EXTERNAL") != NULL);
    CHECK(strncmp(full, "alice@c.test/", 13) == 0);
    CHECK(xmpp_tls_state(a.tls) == XMPP_TLS_OPEN);
    send_message(&a, full, "ext-1", "logged in by certificate");
    CHECK(wait_for(&a, NULL, "STANZA message ext-1 logged in by certificate"));
    xmpp_stream_close(&a.s);
    CHECK(wait_for(&a, NULL, "CLOSED ok"));
    hang_up(&a);
}

/* A self-signed certificate naming alice@c.test (the CA did not sign it): the TLS
   handshake passes (ejabberd asks for a certificate but does not require one), EXTERNAL
   fails with not-authorized, and the stream ends without a login. */
static void external_untrusted(void)
{
    static client a;
    char cert[700], key[700];
    const char *p;
    int r;
    cert_paths(cert, key, sizeof cert, "alice@c.test-selfsigned");
    r = dial_cert(&a, &ejabberd_verify, "alice", "", STARTTLS, NULL, cert, key);
    if (r == 1) SKIP("server not running");
    CHECK(r == 0);
    if (r) return;
    CHECK(wait_for(&a, NULL, "SASL_FAILURE not-authorized"));
    CHECK(wait_for(&a, NULL, "CLOSED authentication failed"));
    p = strstr(a.log, "SASL_FAILURE");
    printf("  ejabberd c.test:35224, self-signed client certificate: %s: %.*s\n", xmpp_stream_mechanism(&a.s),
           p ? (int)strcspn(p, "\n") : 0, p ? p : "");
    CHECK(strcmp(xmpp_stream_mechanism(&a.s), "EXTERNAL") == 0);
    CHECK(strstr(a.log, "ONLINE") == NULL);
    hang_up(&a);
}

/* The same listener without a client certificate: EXTERNAL is offered but not ours to
   take (cfg.client_cert 0), so the password login (SCRAM-SHA-1-PLUS) goes on as usual. */
static void external_offered_no_cert(void)
{
    static client a;
    char offer[512];
    int r = dial(&a, &ejabberd_verify, "alice", "alice-pw", STARTTLS);
    if (r == 1) SKIP("server not running");
    CHECK(r == 0);
    if (r) return;
    CHECK(wait_for(&a, NULL, "ONLINE alice@c.test/"));
    offered_mechanisms(&a, offer, sizeof offer);
    printf("  ejabberd c.test:35224 without a certificate: %s (offered: %s)\n", xmpp_stream_mechanism(&a.s), offer);
    CHECK(strstr(offer, "EXTERNAL") != NULL);
    CHECK(strcmp(xmpp_stream_mechanism(&a.s), "SCRAM-SHA-1-PLUS") == 0);
    xmpp_stream_close(&a.s);
    CHECK(wait_for(&a, NULL, "CLOSED ok"));
    hang_up(&a);
}

/* A client certificate where EXTERNAL is not offered (35222, no tls_verify): the client
   falls back to the password (SCRAM-SHA-1-PLUS). */
static void external_not_offered(void)
{
    static client a;
    char cert[700], key[700], offer[512];
    int r;
    cert_paths(cert, key, sizeof cert, "alice@c.test");
    r = dial_cert(&a, &ejabberd, "alice", "alice-pw", STARTTLS, NULL, cert, key);
    if (r == 1) SKIP("server not running");
    CHECK(r == 0);
    if (r) return;
    CHECK(wait_for(&a, NULL, "ONLINE alice@c.test/"));
    offered_mechanisms(&a, offer, sizeof offer);
    printf("  ejabberd c.test:35222 with a certificate: %s (offered: %s)\n", xmpp_stream_mechanism(&a.s), offer);
    CHECK(strstr(offer, "EXTERNAL") == NULL);
    CHECK(strcmp(xmpp_stream_mechanism(&a.s), "SCRAM-SHA-1-PLUS") == 0);
    xmpp_stream_close(&a.s);
    CHECK(wait_for(&a, NULL, "CLOSED ok"));
    hang_up(&a);
}

static void prosody_login(void) { login_message_close(&prosody, STARTTLS, NULL); }
static void ejabberd_login(void) { login_message_close(&ejabberd, STARTTLS, NULL); }
static void prosody_login_direct(void) { login_message_close(&prosody, DIRECT, NULL); }
static void ejabberd_login_direct(void) { login_message_close(&ejabberd, DIRECT, NULL); }
static void prosody_login_plain(void) { login_message_close(&prosody, PLAIN, NULL); }
static void ejabberd_login_plain(void) { login_message_close(&ejabberd, PLAIN, NULL); }
/* SCRAM-SHA-256 (RFC 7677) against real servers. Both can: Prosody 0.12 stores the keys
   of the hash named by password_hash (mod_auth_internal_hashed; util.sasl.scram registers
   SCRAM-SHA-1 and SCRAM-SHA-256, each with -PLUS over tls-unique), ejabberd 23.01 those of
   auth_scram_hash; either offers only the SCRAM mechanisms of the hash it stores. So on
   b.test and d.test no SCRAM-SHA-1 is offered, and the login must be SCRAM-SHA-256-PLUS
   over TLS (bound with tls-unique, the only binding either offers over TLS 1.2) and
   SCRAM-SHA-256 without it. */
static void login_sha256(const server *sv, int mode, const char *want)
{
    last_offer[0] = 0;
    login_message_close(sv, mode, want);
    if (check_skip) return;
    CHECK(strstr(last_offer, "SCRAM-SHA-1") == NULL);
}
static void prosody_login_sha256(void) { login_sha256(&prosody256, STARTTLS, "SCRAM-SHA-256-PLUS"); }
static void ejabberd_login_sha256(void) { login_sha256(&ejabberd256, STARTTLS, "SCRAM-SHA-256-PLUS"); }
static void prosody_login_sha256_plain(void) { login_sha256(&prosody256, PLAIN, "SCRAM-SHA-256"); }
static void ejabberd_login_sha256_plain(void) { login_sha256(&ejabberd256, PLAIN, "SCRAM-SHA-256"); }
static void prosody_two(void) { two_clients(&prosody); }
static void ejabberd_two(void) { two_clients(&ejabberd); }
static void prosody_wrong(void) { wrong_password(&prosody); }
static void ejabberd_wrong(void) { wrong_password(&ejabberd); }
static void prosody_unknown_ca(void) { unknown_ca(&prosody, STARTTLS); }
static void ejabberd_unknown_ca(void) { unknown_ca(&ejabberd, DIRECT); }
/* An example program against a server: its whole output (stdout and stderr) in out, its
   exit status returned (-1 if it could not run). cmd is run by the shell. */
static int run_example(const char *cmd, char *out, size_t size)
{
    FILE *f = popen(cmd, "r");
    size_t n = 0;
    int st;
    if (!f) return -1;
    while (n + 1 < size && fgets(out + n, (int)(size - n), f)) n += strlen(out + n);
    out[n] = 0;
    st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* examples/trace.c: the annotated login, with the SASL messages decoded and the proof and
   password hidden; and examples/say.c with the echo bot (what make demo shows). */
static void examples_trace_say(const server *sv)
{
    static char out[32768], bot_out[4096], cmd[1500];
    char want[128];
    int fd = -1, status = -1, r;
    pid_t pid;
    if (!server_up(sv->port)) SKIP("server not running");
    snprintf(cmd, sizeof cmd, "XMPP_PASSWORD=alice-pw build/trace --server 127.0.0.1:%d --ca '%s' alice@%s/trace 2>&1",
             sv->port, ca_file, sv->domain);
    r = run_example(cmd, out, sizeof out);
    CHECK(r == 0);
    CHECK(strstr(out, "-- §5.4.3.3 TLS established\n") != NULL);
    CHECK(strstr(out, "   SASL >> p=tls-unique,,n=alice,r=") != NULL);
    CHECK(strstr(out, ",p=(hidden)\n") != NULL);
    CHECK(strstr(out, "   SASL << v=") != NULL);
    CHECK(strstr(out, "alice-pw") == NULL);
    snprintf(want, sizeof want, "== online as alice@%s/trace with SCRAM-SHA-1-PLUS over TLS 1.2", sv->domain);
    CHECK(strstr(out, want) != NULL);
    CHECK(strstr(out, "== closed: closed by us, confirmed by the server") != NULL);
    if (r != 0) printf("%s", out);
    /* say, answered by the echo bot */
    bot_out[0] = 0;
    pid = bot_start(sv, STARTTLS, ca_file, &fd);
    CHECK(pid > 0);
    if (pid <= 0) return;
    snprintf(want, sizeof want, "online as alice@%s/bot", sv->domain);
    CHECK(bot_says(fd, bot_out, sizeof bot_out, want, TIMEOUT_MS));
    snprintf(cmd, sizeof cmd, "XMPP_PASSWORD=bob-pw build/say --server 127.0.0.1:%d --ca '%s' bob@%s alice@%s/bot "
             "'say & <echo>' 2>&1", sv->port, ca_file, sv->domain, sv->domain);
    r = run_example(cmd, out, sizeof out);
    CHECK(r == 0);
    snprintf(want, sizeof want, "reply from alice@%s/bot: say & <echo>\n", sv->domain);
    CHECK(strstr(out, want) != NULL);
    if (r != 0) printf("%s", out);
    kill(pid, SIGTERM);
    CHECK(bot_says(fd, bot_out, sizeof bot_out, "closed: closed by us, confirmed by the server", TIMEOUT_MS));
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(fd);
}

/* A listening socket on 127.0.0.1:port for a fake server of ours, or -1. */
static int listen_loopback(int port)
{
    struct sockaddr_in sa;
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 8) < 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

/* RFC 6120 §4.9.3.19: a server that says see-other-host. A fake one on 127.0.0.1:25410
   (a child of ours, stopped by PID) answers every connection with its stream header and
   the error naming target; the POSIX glue follows it (examples/trace shows how). */
static pid_t redirector(const char *target)
{
    int lfd = listen_loopback(25410);
    pid_t pid;
    if (lfd < 0) return -1;
    pid = fork();
    if (pid == 0) {
        for (;;) {
            char buf[2048], reply[1024];
            int fd = accept(lfd, NULL, NULL);
            ssize_t n;
            if (fd < 0) _exit(0);
            n = recv(fd, buf, sizeof buf, 0);   /* the client's header */
            snprintf(reply, sizeof reply, "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                     "xmlns:stream='http://etherx.jabber.org/streams' from='a.test' id='r1' version='1.0'>"
                     "<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>%s"
                     "</see-other-host></stream:error></stream:stream>", target);
            if (n > 0 && send(fd, reply, strlen(reply), MSG_NOSIGNAL) < 0) _exit(1);
            n = recv(fd, buf, sizeof buf, 0);   /* its </stream:stream> */
            (void)n;
            close(fd);
        }
    }
    close(lfd);
    return pid;
}

static void see_other_host(void)
{
    static char out[32768], cmd[1500];
    pid_t pid;
    int r, status;
    if (!server_up(prosody.port)) SKIP("server not running");
    /* sent on to Prosody: online there, no error or close on the way */
    pid = redirector("127.0.0.1:15222");
    CHECK(pid > 0);
    if (pid <= 0) return;
    snprintf(cmd, sizeof cmd, "XMPP_PASSWORD=alice-pw build/trace --server 127.0.0.1:25410 --ca '%s' alice@a.test/moved 2>&1",
             ca_file);
    r = run_example(cmd, out, sizeof out);
    CHECK(r == 0);
    CHECK(strstr(out, "-- §4.9.3.19 see-other-host: connecting there\n") != NULL);
    CHECK(strstr(out, "== online as alice@a.test/moved with SCRAM-SHA-1-PLUS over TLS 1.2") != NULL);
    CHECK(strstr(out, "== stream error") == NULL);
    if (r != 0) printf("%s", out);
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    /* sent back to itself: followed three times, then the error comes through */
    pid = redirector("127.0.0.1:25410");
    CHECK(pid > 0);
    if (pid <= 0) return;
    r = run_example(cmd, out, sizeof out);
    CHECK(r == 1);
    {
        const char *p = out;
        int hops = 0;
        while ((p = strstr(p, "see-other-host: connecting there")) != NULL) { hops++; p++; }
        CHECK(hops == XMPP_POSIX_REDIRECTS);
    }
    CHECK(strstr(out, "== stream error: see-other-host\n") != NULL);
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
}

/* PLAIN, when asked for (cfg.mechanism), over TLS: RFC 4616 with both servers. */
static void plain_login(const server *sv)
{
    force_mechanism = "PLAIN";
    login_message_close(sv, STARTTLS, "PLAIN");
    force_mechanism = NULL;
}
static void prosody_plain(void) { plain_login(&prosody); }
static void ejabberd_plain(void) { plain_login(&ejabberd); }

/* --reconnect: a fake server on 127.0.0.1:25412 (a child of ours, stopped by PID) drops the
   first two connections at once, then relays the third to Prosody. The client waits a
   random, growing time before each new try, and ends up online. */
static pid_t flaky_relay(void)
{
    struct sockaddr_in sa;
    int lfd = listen_loopback(25412), k;
    pid_t pid;
    if (lfd < 0) return -1;
    memset(&sa, 0, sizeof sa);   /* where the relay goes: Prosody */
    sa.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    pid = fork();
    if (pid == 0) {
        for (k = 0;; k++) {
            int fd = accept(lfd, NULL, NULL), up;
            struct pollfd pf[2];
            if (fd < 0) _exit(0);
            if (k < 2) { close(fd); continue; }   /* dropped at once */
            up = socket(AF_INET, SOCK_STREAM, 0);
            sa.sin_port = htons((uint16_t)prosody.port);
            if (up < 0 || connect(up, (struct sockaddr *)&sa, sizeof sa) < 0) _exit(1);
            pf[0].fd = fd; pf[1].fd = up;
            pf[0].events = pf[1].events = POLLIN;
            for (;;) {   /* relay both ways until one side closes */
                char buf[16384];
                ssize_t n;
                int i;
                if (poll(pf, 2, 10000) <= 0) break;
                for (i = 0; i < 2; i++)
                    if (pf[i].revents & (POLLIN | POLLHUP)) {
                        n = recv(pf[i].fd, buf, sizeof buf, 0);
                        if (n <= 0 || send(pf[1 - i].fd, buf, (size_t)n, MSG_NOSIGNAL) != n) goto done;
                    }
            }
        done:
            close(fd);
            close(up);
        }
    }
    close(lfd);
    return pid;
}

static void reconnect_backoff(void)
{
    static char out[65536], cmd[1500];
    pid_t pid;
    int r, status, tries = 0;
    const char *p;
    if (!server_up(prosody.port)) SKIP("server not running");
    pid = flaky_relay();
    CHECK(pid > 0);
    if (pid <= 0) return;
    snprintf(cmd, sizeof cmd, "XMPP_PASSWORD=alice-pw build/trace --reconnect --server 127.0.0.1:25412 --ca '%s' "
             "alice@a.test/again 2>&1", ca_file);
    r = run_example(cmd, out, sizeof out);
    CHECK(r == 0);
    for (p = out; (p = strstr(p, "-- reconnecting in ")) != NULL; p++) {
        unsigned ms = 0, cap = 0;
        int attempt = 0;
        CHECK(sscanf(p, "-- reconnecting in %u ms (attempt %d, at most %u ms)", &ms, &attempt, &cap) == 3);
        tries++;
        CHECK(attempt == tries && cap == 500u << (tries - 1) && ms <= cap);   /* 500, 1000, ...: full jitter */
    }
    CHECK(tries == 2);
    CHECK(strstr(out, "== closed: connection closed before the stream ended") != NULL);   /* each drop, told */
    CHECK(strstr(out, "== online as alice@a.test/again with SCRAM-SHA-1-PLUS") != NULL);
    if (r != 0 || tries != 2) printf("%s", out);
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
}

static void prosody_examples(void) { examples_trace_say(&prosody); }
static void ejabberd_examples(void) { examples_trace_say(&ejabberd); }

static void prosody_echo(void) { echo_bot(&prosody, STARTTLS); }
static void ejabberd_echo(void) { echo_bot(&ejabberd, STARTTLS); }
static void prosody_echo_direct(void) { echo_bot(&prosody, DIRECT); }
static void ejabberd_echo_direct(void) { echo_bot(&ejabberd, DIRECT); }
static void prosody_echo_bad_ca(void) { echo_bot_bad_ca(&prosody); }
static void prosody_slixmpp(void) { slixmpp_exchange(&prosody); }
static void ejabberd_slixmpp(void) { slixmpp_exchange(&ejabberd); }
static void prosody_slixmpp_bad_ca(void) { slixmpp_bad_ca(&prosody); }
static void prosody_roster_push(void) { roster_push(&prosody); }
static void ejabberd_roster_push(void) { roster_push(&ejabberd); }
static void ejabberd_server_pings(void) { server_pings(&ejabberd256); }

int main(void)
{
    const char *d = getenv("XMPP_INTEROP_DIR");
    char cmd[1600];
    snprintf(ca_file, sizeof ca_file, "%s/certs/ca.crt", d ? d : ".");
    snprintf(other_ca, sizeof other_ca, "%s/other-ca.crt", d ? d : ".");
    snprintf(cmd, sizeof cmd, "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
             "-keyout '%s/other-ca.key' -out '%s' -days 2 -subj '/CN=not the interop CA' "
             "-addext basicConstraints=critical,CA:TRUE >/dev/null 2>&1", d ? d : ".", other_ca);
    if (system(cmd) != 0) other_ca[0] = 0;
    RUN(prosody_login);
    RUN(ejabberd_login);
    RUN(prosody_login_direct);
    RUN(ejabberd_login_direct);
    RUN(prosody_login_plain);
    RUN(ejabberd_login_plain);
    RUN(prosody_login_sha256);
    RUN(ejabberd_login_sha256);
    RUN(prosody_login_sha256_plain);
    RUN(ejabberd_login_sha256_plain);
    RUN(prosody_two);
    RUN(ejabberd_two);
    RUN(prosody_wrong);
    RUN(ejabberd_wrong);
    RUN(prosody_unknown_ca);
    RUN(ejabberd_unknown_ca);
    RUN(prosody_echo);
    RUN(ejabberd_echo);
    RUN(prosody_echo_direct);
    RUN(ejabberd_echo_direct);
    RUN(prosody_echo_bad_ca);
    RUN(prosody_slixmpp);
    RUN(ejabberd_slixmpp);
    RUN(prosody_slixmpp_bad_ca);
    RUN(prosody_roster_push);
    RUN(ejabberd_roster_push);
    RUN(ejabberd_server_pings);
    RUN(external_login);
    RUN(external_untrusted);
    RUN(external_offered_no_cert);
    RUN(external_not_offered);
    RUN(prosody_plain);
    RUN(ejabberd_plain);
    RUN(prosody_examples);
    RUN(see_other_host);
    RUN(reconnect_backoff);
    RUN(ejabberd_examples);
    return check_done();
}
