/* test_tls_interop.c - the TLS hook with the BearSSL backend (>>tls) against real servers on
   loopback: Prosody (a.test) and ejabberd (c.test) as started by tests/interop/servers.sh
   (tests/interop/run.sh starts them, sets XMPP_INTEROP_DIR, runs this, stops them).

   STARTTLS by hand, the way the stream will do it (RFC 6120 §5.4): TCP, stream header,
   <stream:features/> through our tokenizer, <starttls/>, <proceed/>, then our TLS client
   over the socket (POSIX read/write here only), the server certificate verified against
   the throwaway CA with the XMPP domain as the name, a new stream header over TLS and the
   post-TLS features (SASL mechanisms) read back through the tokenizer. For each buffer
   size from the full 33178 bytes down to 837 (half duplex, 512-byte fragments): the client
   asks for max_fragment_length below 16384, and the test reads the server's ServerHello to
   say whether the server agreed. Also direct TLS (XEP-0368, ALPN xmpp-client), a
   SCRAM-SHA-1-PLUS login with our tls-unique (RFC 5802, test-only SCRAM code below; the
   servers check the binding against their own TLS stacks), and the negative cases: wrong name, unknown CA (a trust anchor that is not the server's CA),
   expired (the caller's clock a year ahead). A server whose port refuses is SKIPped.

   Run: XMPP_INTEROP_DIR=DIR test_tls_interop [-v]   (DIR/certs/ca.crt: the servers' CA) */
#define XMPP_IMPLEMENTATION
#define XMPP_BEARSSL
#include "../../xmpp.h"
#include "../check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NS_STREAM "http://etherx.jabber.org/streams"
#define NS_TLS "urn:ietf:params:xml:ns:xmpp-tls"
#define NS_SASL "urn:ietf:params:xml:ns:xmpp-sasl"
#define TIMEOUT_MS 5000

static int verbose;
static char certdir[600];

typedef struct {
    const char *name, *domain;
    int port, tls_port;
    int unreachable;
    char why[300];
} server;

static server prosody = { "prosody", "a.test", 15222, 15223, 0, "" };
static server ejabberd = { "ejabberd", "c.test", 35222, 35223, 0, "" };

/* ---- one connection's state */

typedef struct {
    int fd;
    char err[600];
    xmpp_xml x;
    unsigned char xbuf[XMPP_XML_BUF_SIZE(XMPP_XML_DEFAULT_DEPTH, XMPP_XML_DEFAULT_ATTRS,
                                         XMPP_XML_DEFAULT_TOKEN)];
    /* what the tokens said */
    int features_end, starttls, proceed, in_mechs, in_mech, nmech;
    char mechs[512], mech_cur[64];
    int sasl_done, in_sasl;        /* a depth-2 SASL reply ended; inside one */
    char sasl_name[32], sasl_text[1024];
    /* TLS */
    xmpp_tls_bearssl tb;
    unsigned char tlsbuf[BR_SSL_BUFSIZE_BIDI];
    unsigned char cert[4096];
    unsigned char first[8192];     /* the server's first TLS bytes (ServerHello) */
    size_t nfirst;
    unsigned char pending[16384];  /* bytes read from the socket not yet fed */
    size_t npending;
} conn;

static conn C;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void fail(conn *c, const char *fmt, ...)
{
    va_list ap;
    if (c->err[0]) return;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
}

static int str_is(xmpp_str s, const char *z)
{
    size_t n = strlen(z);
    return s.n == n && memcmp(s.p, z, n) == 0;
}

static void reset_tokens(conn *c)
{
    xmpp_xml_init(&c->x, c->xbuf, sizeof c->xbuf, NULL);
    c->features_end = c->starttls = c->proceed = c->in_mechs = c->in_mech = c->nmech = 0;
    c->mechs[0] = 0;
    c->sasl_done = c->in_sasl = 0;
    c->sasl_name[0] = c->sasl_text[0] = 0;
}

static void on_token(conn *c, const xmpp_xml_token *t)
{
    if (verbose) {
        static char line[4096];
        size_t need;
        xmpp_xml_token_format(t, line, sizeof line, &need);
        printf("    | %s\n", line);
    }
    switch (t->kind) {
    case XMPP_XML_START:
        if (t->depth == 3 && str_is(t->ns, NS_TLS) && str_is(t->local, "starttls")) c->starttls = 1;
        if (t->depth == 2 && str_is(t->ns, NS_TLS) && str_is(t->local, "proceed")) c->proceed = 1;
        if (t->depth == 3 && str_is(t->ns, NS_SASL) && str_is(t->local, "mechanisms")) c->in_mechs = 1;
        if (c->in_mechs && t->depth == 4 && str_is(t->local, "mechanism")) { c->in_mech = 1; c->mech_cur[0] = 0; }
        if (t->depth == 2 && str_is(t->ns, NS_SASL)) {
            c->in_sasl = 1;
            c->sasl_done = 0;
            c->sasl_text[0] = 0;
            snprintf(c->sasl_name, sizeof c->sasl_name, "%.*s", (int)(t->local.n < 31 ? t->local.n : 31), t->local.p);
        }
        break;
    case XMPP_XML_TEXT:
        if (c->in_mech) {
            size_t n = strlen(c->mech_cur), k = t->text.n < sizeof c->mech_cur - n - 1 ? t->text.n : sizeof c->mech_cur - n - 1;
            memcpy(c->mech_cur + n, t->text.p, k);
            c->mech_cur[n + k] = 0;
        }
        if (c->in_sasl && t->depth == 2) {
            size_t n = strlen(c->sasl_text);
            snprintf(c->sasl_text + n, sizeof c->sasl_text - n, "%.*s", (int)t->text.n, t->text.p);
        }
        break;
    case XMPP_XML_END:
        if (c->in_mech && t->depth == 4) {
            c->in_mech = 0;
            {
                size_t n = strlen(c->mechs);
                snprintf(c->mechs + n, sizeof c->mechs - n, "%s%.60s", c->nmech++ ? " " : "", c->mech_cur);
            }
        } else if (c->in_mechs && t->depth == 3) {
            c->in_mechs = 0;
        } else if (t->depth == 2 && str_is(t->ns, NS_STREAM) && str_is(t->local, "features")) {
            c->features_end = 1;
        } else if (t->depth == 2 && c->in_sasl) {
            c->in_sasl = 0;
            c->sasl_done = 1;
        }
        break;
    default:
        break;
    }
}

/* Feed bytes to the tokenizer until done(c) holds; the bytes after that stay in *rest. */
static int tokenize(conn *c, const unsigned char *p, size_t n, int (*done)(const conn *), size_t *taken)
{
    size_t off = 0;
    while (off < n && !done(c)) {
        size_t used = 0;
        xmpp_xml_token t;
        xmpp_err r = xmpp_xml_feed(&c->x, p + off, n - off, &used);
        off += used;
        while (xmpp_xml_next(&c->x, &t) == XMPP_OK) on_token(c, &t);
        if (r != XMPP_OK) {
            fail(c, "tokenizer: %s", xmpp_xml_error(&c->x)->message);
            return -1;
        }
    }
    *taken = off;
    return 0;
}

static int features_done(const conn *c) { return c->features_end; }
static int sasl_done(const conn *c) { return c->sasl_done; }
static int proceed_done(const conn *c) { return c->proceed; }

/* ---- sockets */

static int connect_to(conn *c, int port)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) { fail(c, "socket: %s", strerror(errno)); return -1; }
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        fail(c, "connect to 127.0.0.1:%d: %s", port, strerror(errno));
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static int send_raw(conn *c, const unsigned char *p, size_t n)
{
    size_t off = 0;
    double end = now_ms() + TIMEOUT_MS;
    while (off < n) {
        ssize_t w = send(c->fd, p + off, n - off, MSG_NOSIGNAL);
        if (w > 0) { off += (size_t)w; continue; }
        if (w < 0 && (errno == EAGAIN || errno == EINTR) && now_ms() < end) {
            struct pollfd pfd = { c->fd, POLLOUT, 0 };
            poll(&pfd, 1, 100);
            continue;
        }
        fail(c, "send: %s", w < 0 ? strerror(errno) : "timeout");
        return -1;
    }
    return 0;
}

/* Read what is there (waiting up to ms); returns bytes, 0 on EOF, -1 on timeout/error. */
static ssize_t recv_some(conn *c, unsigned char *buf, size_t cap, double deadline)
{
    for (;;) {
        struct pollfd pfd = { c->fd, POLLIN, 0 };
        double left = deadline - now_ms();
        ssize_t r;
        if (left <= 0) return -1;
        poll(&pfd, 1, (int)left + 1);
        r = recv(c->fd, buf, cap, 0);
        if (r >= 0) return r;
        if (errno == EAGAIN || errno == EINTR) continue;
        if (errno == ECONNRESET) return 0;
        fail(c, "recv: %s", strerror(errno));
        return -2;
    }
}

/* ---- plain XML before TLS */

static int plain_until(conn *c, int (*done)(const conn *))
{
    static unsigned char buf[16384];
    double deadline = now_ms() + TIMEOUT_MS;
    while (!done(c)) {
        size_t taken;
        ssize_t r = recv_some(c, buf, sizeof buf, deadline);
        if (r <= 0) { fail(c, "%s while waiting (plain)", r == 0 ? "EOF" : "timeout"); return -1; }
        if (tokenize(c, buf, (size_t)r, done, &taken) < 0) return -1;
        /* after <proceed/> the rest is TLS (there should be none: the server waits) */
        if (taken < (size_t)r) {
            memcpy(c->pending, buf + taken, (size_t)r - taken);
            c->npending = (size_t)r - taken;
        }
    }
    return 0;
}

/* ---- TLS over the socket */

static int tls_flush(conn *c)
{
    const unsigned char *p;
    size_t n;
    while ((p = xmpp_tls_output(&c->tb.tls, &n)) != NULL) {
        if (send_raw(c, p, n) < 0) return -1;
        xmpp_tls_output_ack(&c->tb.tls, n);
    }
    return 0;
}

/* Move bytes until done(c) or the TLS state leaves HANDSHAKING/OPEN. Plaintext goes to the
   tokenizer (if tok) and is then dropped. */
static int tls_until(conn *c, int (*done)(const conn *), int tok)
{
    static unsigned char buf[16384];
    double deadline = now_ms() + TIMEOUT_MS;
    xmpp_tls *t = &c->tb.tls;
    for (;;) {
        size_t off = 0, n;
        ssize_t r;
        if (tls_flush(c) < 0) return -1;
        if (done(c)) return 0;
        if (xmpp_tls_state(t) > XMPP_TLS_OPEN) return -1;
        if (c->npending) {
            memcpy(buf, c->pending, c->npending);
            r = (ssize_t)c->npending;
            c->npending = 0;
        } else {
            r = recv_some(c, buf, sizeof buf, deadline);
        }
        if (r == -1) { fail(c, "timeout (TLS state %d)", (int)xmpp_tls_state(t)); return -1; }
        if (r < 0) return -1;
        if (r == 0) { xmpp_tls_eof(t); return -1; }
        if (c->nfirst < sizeof c->first) {
            size_t k = (size_t)r < sizeof c->first - c->nfirst ? (size_t)r : sizeof c->first - c->nfirst;
            memcpy(c->first + c->nfirst, buf, k);
            c->nfirst += k;
        }
        while (off < (size_t)r) {
            size_t used = 0;
            const unsigned char *p;
            xmpp_tls_feed(t, buf + off, (size_t)r - off, &used);
            off += used;
            while ((p = xmpp_tls_read(t, &n)) != NULL) {
                size_t taken = n;
                if (tok && tokenize(c, p, n, done, &taken) < 0) return -1;
                xmpp_tls_read_ack(t, n);
            }
            if (xmpp_tls_state(t) > XMPP_TLS_OPEN) return -1;
            if (!used && off < (size_t)r) {
                if (tls_flush(c) < 0) return -1;   /* half duplex: output first */
            }
        }
    }
}

static int is_open(const conn *c) { return xmpp_tls_state((xmpp_tls *)&c->tb.tls) == XMPP_TLS_OPEN; }

static int tls_send(conn *c, const char *s)
{
    size_t n = strlen(s), off = 0, used;
    double deadline = now_ms() + TIMEOUT_MS;
    while (off < n && now_ms() < deadline) {
        if (xmpp_tls_write(&c->tb.tls, (const unsigned char *)s + off, n - off, &used) != XMPP_OK) return -1;
        off += used;
        if (tls_flush(c) < 0) return -1;
    }
    return off == n ? 0 : -1;
}

/* The Maximum Fragment Length the server's ServerHello echoes (RFC 6066 §4): 9..12, or 0
   if it has no such extension; -1 if the ServerHello could not be read. */
static int server_mfl(const conn *c)
{
    const unsigned char *p = c->first;
    size_t n = c->nfirst, i, end, hl;
    if (n < 5 + 4 + 2 + 32 + 1 || p[0] != 22 || p[5] != 2) return -1;
    hl = (size_t)p[6] << 16 | (size_t)p[7] << 8 | p[8];
    end = 9 + hl;
    if (end > n) return -1;
    i = 9 + 2 + 32;
    i += 1 + p[i];              /* session id */
    i += 2 + 1;                 /* cipher suite, compression */
    if (i + 2 > end) return 0;  /* no extensions */
    i += 2;
    while (i + 4 <= end) {
        unsigned type = (unsigned)p[i] << 8 | p[i + 1], len = (unsigned)p[i + 2] << 8 | p[i + 3];
        if (type == 1 && len == 1 && i + 5 <= end) return 8 + p[i + 4];
        i += 4 + len;
    }
    return 0;
}

static br_x509_trust_anchor anchors[4];
static size_t nanchors;
static unsigned char anchor_store[4096];

static size_t slurp(const char *name, unsigned char *buf, size_t cap)
{
    char path[1200];
    FILE *f;
    size_t n;
    snprintf(path, sizeof path, "%s/%s", certdir, name);
    if (!(f = fopen(path, "rb"))) return 0;
    n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = 0;
    return n;
}

typedef struct {
    size_t size;           /* TLS buffer */
    int bidi;
    const char *tls_name;  /* name to verify (NULL: the domain) */
    const br_x509_trust_anchor *anchors;
    size_t nanchors;
    int64_t clock_skew;    /* seconds added to now */
    int direct;            /* XEP-0368 direct TLS */
    int scram_plus;        /* then log in with SCRAM-SHA-1-PLUS over tls-unique: 1 as is,
                              2 with one bit of the binding data flipped */
} attempt;

typedef struct {
    int ok;                /* OPEN and post-TLS features read */
    xmpp_err code;
    const char *message;
    unsigned suite, version;
    int mfl;
    char mechs[512];
    int end_point_ok, cert_ok, unique_len;
    double ms;
    char sasl[64];         /* "success" (server signature verified), "failure", or why not */
} outcome;

static int scram_plus(conn *c, const char *user, const char *pw, int flip, char *res, size_t cap);

/* One connection: STARTTLS (or direct TLS), verify, features over TLS. */
static void run(server *sv, const attempt *a, outcome *o)
{
    conn *c = &C;
    char hdr[300];
    xmpp_tls_bearssl_config cfg;
    double t0 = now_ms();
    memset(o, 0, sizeof *o);
    memset(c->err, 0, sizeof c->err);
    c->nfirst = c->npending = 0;
    reset_tokens(c);
    snprintf(hdr, sizeof hdr, "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
             "xmlns:stream='" NS_STREAM "' to='%s' version='1.0'>", sv->domain);
    if ((c->fd = connect_to(c, a->direct ? sv->tls_port : sv->port)) < 0) {
        sv->unreachable = 1;
        snprintf(sv->why, sizeof sv->why, "%.200s", c->err);
        o->message = c->err;
        return;
    }
    if (!a->direct) {
        if (send_raw(c, (const unsigned char *)hdr, strlen(hdr)) < 0 || plain_until(c, features_done) < 0) goto out;
        if (!c->starttls) { fail(c, "no <starttls/> offered"); goto out; }
        if (send_raw(c, (const unsigned char *)"<starttls xmlns='" NS_TLS "'/>", 51) < 0 ||
            plain_until(c, proceed_done) < 0) goto out;
    }
    memset(&cfg, 0, sizeof cfg);
    cfg.anchors = a->anchors;
    cfg.nanchors = a->nanchors;
    cfg.now = (int64_t)time(NULL) + a->clock_skew;
    cfg.cert = c->cert;
    cfg.cert_size = sizeof c->cert;
    if (xmpp_tls_bearssl_init(&c->tb, &cfg, c->tlsbuf, a->size, a->bidi) != XMPP_OK ||
        xmpp_tls_start(&c->tb.tls, a->tls_name ? a->tls_name : sv->domain, a->direct ? "xmpp-client" : NULL) != XMPP_OK) {
        fail(c, "TLS start: %s", xmpp_tls_error(&c->tb.tls)->message);
        goto out;
    }
    tls_until(c, is_open, 0);
    o->mfl = server_mfl(c);
    if (!is_open(c)) goto out;
    o->suite = xmpp_tls_bearssl_suite(&c->tb);
    o->version = xmpp_tls_bearssl_version(&c->tb);
    /* RFC 6120 §5.4.3.3: a new stream over TLS, the old features are void */
    reset_tokens(c);
    if (tls_send(c, hdr) < 0 || tls_until(c, features_done, 1) < 0) goto out;
    memcpy(o->mechs, c->mechs, sizeof o->mechs);
    o->ok = 1;
    {   /* the peer certificate is the server's file, tls-server-end-point its SHA-256 */
        static unsigned char pem[8192], store[8192];
        br_x509_certificate cert[3];
        const unsigned char *der;
        unsigned char cb[64], sha[32];
        size_t n, count, used, len;
        const char *why;
        char name[64];
        br_sha256_context h;
        snprintf(name, sizeof name, "%s.crt", sv->domain);
        n = slurp(name, pem, sizeof pem);
        if (xmpp_tls_bearssl_certs((const char *)pem, n, cert, 3, &count, store, sizeof store, &used, &why) == XMPP_OK &&
            xmpp_tls_peer_cert(&c->tb.tls, &der, &len) == XMPP_OK) {
            o->cert_ok = len == cert[0].data_len && memcmp(der, cert[0].data, len) == 0;
            br_sha256_init(&h);
            br_sha256_update(&h, cert[0].data, cert[0].data_len);
            br_sha256_out(&h, sha);
            o->end_point_ok = xmpp_tls_channel_binding(&c->tb.tls, XMPP_TLS_CB_SERVER_END_POINT, cb, sizeof cb, &len) == XMPP_OK &&
                              len == 32 && memcmp(cb, sha, 32) == 0;
            if (xmpp_tls_channel_binding(&c->tb.tls, XMPP_TLS_CB_UNIQUE, cb, sizeof cb, &len) == XMPP_OK)
                o->unique_len = (int)len;
        }
    }
    if (a->scram_plus) scram_plus(c, "alice", "alice-pw", a->scram_plus == 2, o->sasl, sizeof o->sasl);
    tls_send(c, "</stream:stream>");
    xmpp_tls_close(&c->tb.tls);
    tls_flush(c);
out:
    o->code = xmpp_tls_error(&c->tb.tls)->code;
    o->message = o->code ? xmpp_tls_error(&c->tb.tls)->message : c->err;
    o->ms = now_ms() - t0;
    close(c->fd);
}

static const char *suite_name(unsigned s)
{
    switch (s) {
    case BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: return "ECDHE-ECDSA-AES128-GCM-SHA256";
    case BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: return "ECDHE-ECDSA-AES256-GCM-SHA384";
    case BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: return "ECDHE-ECDSA-CHACHA20-POLY1305";
    case BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: return "ECDHE-RSA-AES128-GCM-SHA256";
    case BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: return "ECDHE-RSA-AES256-GCM-SHA384";
    case BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: return "ECDHE-RSA-CHACHA20-POLY1305";
    default: return "?";
    }
}

static attempt good(size_t size, int bidi)
{
    attempt a;
    memset(&a, 0, sizeof a);
    a.size = size;
    a.bidi = bidi;
    a.anchors = anchors;
    a.nanchors = nanchors;
    return a;
}

/* STARTTLS at every buffer size, from full to the smallest. */
static void t_starttls(server *sv)
{
    static const struct { unsigned log2; int bidi; } sz[] = { { 14, 1 }, { 14, 0 }, { 12, 1 }, { 10, 1 }, { 9, 1 }, { 9, 0 } };
    size_t i;
    for (i = 0; i < sizeof sz / sizeof sz[0]; i++) {
        attempt a = good(XMPP_TLS_BUF_SIZE(sz[i].log2, sz[i].bidi), sz[i].bidi);
        outcome o;
        run(sv, &a, &o);
        if (sv->unreachable) { check_skip = 1; printf("SKIP %s: %s\n", sv->name, sv->why); return; }
        printf("%s %s STARTTLS, %5zu-byte %s buffer (fragments %5u): %s; %s, %s; server MFL %s; mechanisms: %s (%.0f ms)\n",
               sv->name, sv->domain, a.size, a.bidi ? "bidi" : "mono", 1u << sz[i].log2,
               o.ok ? "ok" : o.message, o.version == BR_TLS12 ? "TLS 1.2" : "?", suite_name(o.suite),
               o.mfl > 0 ? (o.mfl == (int)sz[i].log2 ? "echoed" : "other") : o.mfl == 0 ? "none" : "unread",
               o.mechs, o.ms);
        CHECK(o.ok);
        CHECK(o.version == BR_TLS12);
        CHECK(o.cert_ok && o.end_point_ok && o.unique_len == 12);
        CHECK(strstr(o.mechs, "SCRAM-SHA-1") != NULL);
        /* a 16384 buffer asks for nothing; smaller ones get their fragment length back */
        CHECK(sz[i].log2 == 14 ? o.mfl == 0 : o.mfl == (int)sz[i].log2);
    }
}

static void t_direct_tls(server *sv)
{
    attempt a = good(XMPP_TLS_BUF_SIZE(9, 1), 1);
    outcome o;
    a.direct = 1;
    run(sv, &a, &o);
    if (sv->unreachable) { check_skip = 1; printf("SKIP %s: %s\n", sv->name, sv->why); return; }
    printf("%s %s direct TLS (ALPN xmpp-client), 1434-byte buffer: %s; %s; mechanisms: %s\n", sv->name,
           sv->domain, o.ok ? "ok" : o.message, suite_name(o.suite), o.mechs);
    CHECK(o.ok && o.cert_ok && o.end_point_ok);
}

static void expect(server *sv, const attempt *a, const char *what, xmpp_err code, const char *msg)
{
    outcome o;
    run(sv, a, &o);
    if (sv->unreachable) { check_skip = 1; printf("SKIP %s: %s\n", sv->name, sv->why); return; }
    printf("%s %s %s: %s: %s\n", sv->name, sv->domain, what, xmpp_strerror(o.code), o.message);
    CHECK(!o.ok);
    CHECK(o.code == code);
    CHECK(o.message && strcmp(o.message, msg) == 0);
}

static void t_wrong_name(server *sv)
{
    attempt a = good(sizeof C.tlsbuf, 1);
    a.tls_name = strcmp(sv->domain, "a.test") ? "a.test" : "c.test";   /* the other server's name */
    expect(sv, &a, "verified as the wrong name", XMPP_ERR_TLS_NAME,
           "the server's certificate does not name the XMPP domain (no matching dNSName)");
}

static void t_unknown_ca(server *sv)
{
    /* the only anchor: the other server's certificate (a direct-trust anchor, not a CA) */
    static br_x509_trust_anchor other[1];
    static unsigned char store[1024];
    static unsigned char pem[8192];
    size_t n, count, used;
    const char *why;
    attempt a = good(sizeof C.tlsbuf, 1);
    n = slurp(strcmp(sv->domain, "a.test") ? "a.test.crt" : "c.test.crt", pem, sizeof pem);
    CHECK(xmpp_tls_bearssl_anchors((const char *)pem, n, other, 1, &count, store, sizeof store, &used, &why) == XMPP_OK);
    a.anchors = other;
    a.nanchors = 1;
    expect(sv, &a, "verified against another anchor", XMPP_ERR_TLS_UNTRUSTED,
           "the server's certificate chain does not lead to a trust anchor (unknown CA)");
}

static void t_expired(server *sv)
{
    attempt a = good(sizeof C.tlsbuf, 1);
    a.clock_skew = 365 * 86400;      /* the certificates are valid for 30 days */
    expect(sv, &a, "a year later by the caller's clock", XMPP_ERR_TLS_EXPIRED,
           "a certificate in the server's chain is expired or not yet valid");
}

/* SCRAM-SHA-1-PLUS (RFC 5802) with our tls-unique: the server checks the binding data
   against its own TLS stack's (OpenSSL for Prosody, fast_tls/OpenSSL for ejabberd). With
   one bit flipped it must refuse. */
static void t_scram_plus(server *sv)
{
    attempt a = good(XMPP_TLS_BUF_SIZE(9, 1), 1);
    outcome o;
    a.scram_plus = 1;
    run(sv, &a, &o);
    if (sv->unreachable) { check_skip = 1; printf("SKIP %s: %s\n", sv->name, sv->why); return; }
    printf("%s %s SCRAM-SHA-1-PLUS with tls-unique: %s\n", sv->name, sv->domain, o.ok ? o.sasl : o.message);
    CHECK(o.ok && strcmp(o.sasl, "success") == 0);
    a.scram_plus = 2;
    run(sv, &a, &o);
    printf("%s %s SCRAM-SHA-1-PLUS with wrong binding data: %s\n", sv->name, sv->domain, o.ok ? o.sasl : o.message);
    CHECK(o.ok && strncmp(o.sasl, "failure", 7) == 0);
}

#define SERVER_TESTS(S) \
    static void S##_scram_plus(void) { if (S.unreachable) SKIP(S.why); t_scram_plus(&S); } \
    static void S##_starttls(void) { t_starttls(&S); } \
    static void S##_direct_tls(void) { if (S.unreachable) SKIP(S.why); t_direct_tls(&S); } \
    static void S##_wrong_name(void) { if (S.unreachable) SKIP(S.why); t_wrong_name(&S); } \
    static void S##_unknown_ca(void) { if (S.unreachable) SKIP(S.why); t_unknown_ca(&S); } \
    static void S##_expired(void) { if (S.unreachable) SKIP(S.why); t_expired(&S); }
SERVER_TESTS(prosody)
SERVER_TESTS(ejabberd)

int main(int argc, char **argv)
{
    static unsigned char pem[8192];
    const char *d = getenv("XMPP_INTEROP_DIR");
    size_t n, used;
    const char *why = "";
    verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    signal(SIGPIPE, SIG_IGN);
    snprintf(certdir, sizeof certdir, "%s/certs", d ? d : ".");
    n = slurp("ca.crt", pem, sizeof pem);
    if (!n || xmpp_tls_bearssl_anchors((const char *)pem, n, anchors, 4, &nanchors, anchor_store,
                                       sizeof anchor_store, &used, &why) != XMPP_OK) {
        printf("no CA at %s/ca.crt (%s): XMPP_INTEROP_DIR must name the servers.sh directory\n", certdir, why);
        prosody.unreachable = ejabberd.unreachable = 1;
        snprintf(prosody.why, sizeof prosody.why, "no CA certificate");
        snprintf(ejabberd.why, sizeof ejabberd.why, "no CA certificate");
    }
    RUN(prosody_starttls);
    RUN(prosody_direct_tls);
    RUN(prosody_scram_plus);
    RUN(prosody_wrong_name);
    RUN(prosody_unknown_ca);
    RUN(prosody_expired);
    RUN(ejabberd_starttls);
    RUN(ejabberd_direct_tls);
    RUN(ejabberd_scram_plus);
    RUN(ejabberd_wrong_name);
    RUN(ejabberd_unknown_ca);
    RUN(ejabberd_expired);
    return check_done();
}

/* ---- SCRAM-SHA-1-PLUS, test-only (the SASL layer will have its own): HMAC and SHA-1 from
   BearSSL, PBKDF2 and base64 here. */

static void hmac_sha1(const unsigned char *key, size_t klen, const void *msg, size_t mlen, unsigned char out[20])
{
    br_hmac_key_context kc;
    br_hmac_context hc;
    br_hmac_key_init(&kc, &br_sha1_vtable, key, klen);
    br_hmac_init(&hc, &kc, 0);
    br_hmac_update(&hc, msg, mlen);
    br_hmac_out(&hc, out);
}

static size_t b64_enc(const unsigned char *p, size_t n, char *out)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i, o = 0;
    for (i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
        out[o++] = a[v >> 18 & 63];
        out[o++] = a[v >> 12 & 63];
        out[o++] = i + 1 < n ? a[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? a[v & 63] : '=';
    }
    out[o] = 0;
    return o;
}

static size_t b64_dec(const char *s, unsigned char *out)
{
    uint32_t v = 0;
    int bits = 0;
    size_t o = 0;
    for (; *s && *s != '='; s++) {
        const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const char *q = strchr(a, *s);
        if (!q) continue;
        v = v << 6 | (uint32_t)(q - a);
        bits += 6;
        if (bits >= 8) { bits -= 8; out[o++] = (unsigned char)(v >> bits); }
    }
    out[o] = 0;
    return o;
}

/* The value of "k=" in a SCRAM attribute list, copied to out. */
static int scram_attr(const char *msg, char k, char *out, size_t cap)
{
    const char *p = msg;
    while (p && *p) {
        if (p[0] == k && p[1] == '=') {
            size_t n = strcspn(p + 2, ",");
            if (n >= cap) return 0;
            memcpy(out, p + 2, n);
            out[n] = 0;
            return 1;
        }
        p = strchr(p, ',');
        if (p) p++;
    }
    return 0;
}

static int sasl_send(conn *c, const char *elem, const char *mech, const char *payload)
{
    static char buf[2048], b64[1400];
    b64_enc((const unsigned char *)payload, strlen(payload), b64);
    if (mech)
        snprintf(buf, sizeof buf, "<%s xmlns='" NS_SASL "' mechanism='%s'>%s</%s>", elem, mech, b64, elem);
    else
        snprintf(buf, sizeof buf, "<%s xmlns='" NS_SASL "'>%s</%s>", elem, b64, elem);
    c->sasl_done = 0;
    return tls_send(c, buf) < 0 || tls_until(c, sasl_done, 1) < 0 ? -1 : 0;
}

static int scram_plus(conn *c, const char *user, const char *pw, int flip, char *res, size_t cap)
{
    static const char gs2[] = "p=tls-unique,,";
    unsigned char cb[64], gs2cb[128], salt[128], sp[20], u[20], ck[20], sk[20], stored[20], sig[20], proof[20], ssig[20];
    char nonce[40], first_bare[128], server_first[512], final_wo[512], auth[1200], msg[1024];
    char r[256], s64[256], it[16], c64[200], p64[64], v[64], vexp[64];
    unsigned char raw[20];
    size_t cblen, saltlen, i, n, k;
    unsigned long iters;
    br_sha1_context h;
    snprintf(res, cap, "not run");
    if (xmpp_tls_channel_binding(&c->tb.tls, XMPP_TLS_CB_UNIQUE, cb, sizeof cb, &cblen) != XMPP_OK) {
        snprintf(res, cap, "no tls-unique");
        return -1;
    }
    if (flip) cb[0] ^= 1;
    for (i = 0; i < sizeof raw; i++) raw[i] = (unsigned char)(rand() & 0xFF);
    b64_enc(raw, 18, nonce);
    snprintf(first_bare, sizeof first_bare, "n=%s,r=%s", user, nonce);
    snprintf(msg, sizeof msg, "%s%s", gs2, first_bare);
    if (sasl_send(c, "auth", "SCRAM-SHA-1-PLUS", msg) < 0) { snprintf(res, cap, "no reply to <auth/>"); return -1; }
    if (strcmp(c->sasl_name, "challenge")) { snprintf(res, cap, "%s instead of challenge", c->sasl_name); return -1; }
    b64_dec(c->sasl_text, (unsigned char *)server_first);
    if (!scram_attr(server_first, 'r', r, sizeof r) || !scram_attr(server_first, 's', s64, sizeof s64) ||
        !scram_attr(server_first, 'i', it, sizeof it) || strncmp(r, nonce, strlen(nonce))) {
        snprintf(res, cap, "bad server-first-message");
        return -1;
    }
    iters = strtoul(it, NULL, 10);
    saltlen = b64_dec(s64, salt);
    /* PBKDF2-HMAC-SHA1 (RFC 8018 §5.2), one block: Hi() of RFC 5802 §2.2 */
    memcpy(salt + saltlen, "\0\0\0\1", 4);
    hmac_sha1((const unsigned char *)pw, strlen(pw), salt, saltlen + 4, u);
    memcpy(sp, u, 20);
    for (n = 1; n < iters; n++) {
        hmac_sha1((const unsigned char *)pw, strlen(pw), u, 20, u);
        for (k = 0; k < 20; k++) sp[k] ^= u[k];
    }
    memcpy(gs2cb, gs2, sizeof gs2 - 1);
    memcpy(gs2cb + sizeof gs2 - 1, cb, cblen);
    b64_enc(gs2cb, sizeof gs2 - 1 + cblen, c64);
    snprintf(final_wo, sizeof final_wo, "c=%s,r=%s", c64, r);
    snprintf(auth, sizeof auth, "%s,%s,%s", first_bare, server_first, final_wo);
    hmac_sha1(sp, 20, "Client Key", 10, ck);
    br_sha1_init(&h);
    br_sha1_update(&h, ck, 20);
    br_sha1_out(&h, stored);
    hmac_sha1(stored, 20, auth, strlen(auth), sig);
    for (k = 0; k < 20; k++) proof[k] = ck[k] ^ sig[k];
    b64_enc(proof, 20, p64);
    snprintf(msg, sizeof msg, "%s,p=%s", final_wo, p64);
    if (sasl_send(c, "response", NULL, msg) < 0) { snprintf(res, cap, "no reply to <response/>"); return -1; }
    if (strcmp(c->sasl_name, "success")) {
        snprintf(res, cap, "%s %.40s", c->sasl_name, c->sasl_text);
        return -1;
    }
    hmac_sha1(sp, 20, "Server Key", 10, sk);
    hmac_sha1(sk, 20, auth, strlen(auth), ssig);
    b64_enc(ssig, 20, vexp);
    b64_dec(c->sasl_text, (unsigned char *)msg);
    if (!scram_attr(msg, 'v', v, sizeof v) || strcmp(v, vexp)) { snprintf(res, cap, "server signature wrong"); return -1; }
    snprintf(res, cap, "success");
    return 0;
}
