/* test_interop.c - the XML tokenizer (>>xml) against real servers on loopback: Prosody
   (a.test, 127.0.0.1:15222) and ejabberd (c.test, 127.0.0.1:35222), as started by
   tests/interop/servers.sh (tests/interop/run.sh does start, run, stop).

   For each server and each chunk size (1, 7, 64, 1460 bytes, and each recv() whole) it
   opens a raw TCP connection, sends a client stream header, feeds the reply to the
   tokenizer cut into pieces of that size until </stream:features> has been tokenized,
   then sends </stream:stream> and reads on until the server's CLOSE token or EOF.
   The checks run on the tokens. A server whose port refuses connections is SKIPped
   (tests/runner turns skips into failures under CI=true).

   Build: cc -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -pedantic -Wconversion
          -Wshadow -Werror -I. -o test_interop tests/interop/test_interop.c
   Run:   test_interop [-v]     (-v: print every token line of the whole-read session) */
#define XMPP_IMPLEMENTATION
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
#define TIMEOUT_MS 5000      /* connect, and reading the features */
#define CLOSE_MS 3000        /* after sending </stream:stream>: CLOSE or EOF */
#define LINGER_MS 2000       /* after the CLOSE token: how long to wait for EOF */

/* ---- one connection */

#define NCHUNK 5
static const size_t chunks[NCHUNK] = { 1, 7, 64, 1460, 0 };   /* 0: each recv() whole */
#define MAXMECH 16

typedef struct {
    size_t chunk;
    int connected, refused;       /* refused: the port did not accept (server not there) */
    char err[512];                /* what went wrong, "" if nothing */
    /* bytes and token lines */
    unsigned char raw[32768];
    size_t nraw, nraw_features;   /* all bytes received; those up to </stream:features> */
    char lines[32768];            /* canonical lines, exactly */
    char masked[32768];           /* the same with the stream id replaced by "*" */
    size_t nlines, nmasked, nlines_features;
    int ntok;
    /* facts from the tokens */
    int ntok_before_open, decl_seen, decl_first;
    char decl_version[32];
    int open_seen, open_ok_name;
    uint32_t open_depth;
    char from[256], version[32], id[256], open_line[1024];
    int features_start, features_end, in_features;
    uint32_t features_depth;
    char children[1024];          /* "{ns}local" of each features child, space-separated */
    int starttls, starttls_required, mechanisms, in_mechs, in_mech;
    char mech[MAXMECH][64], mech_cur[64];
    int nmech;
    int close_sent, close_token, eof_after_close, tokens_after_close;
    char after_close[1024];       /* token lines after </stream:stream> was sent */
    double ms_features, ms_close, ms_eof;
} session;

typedef struct {
    const char *name, *domain;
    int port;
    int done, unreachable;
    char why[640];
    session s[NCHUNK];
} server;

static server prosody = { "prosody", "a.test", 15222, 0, 0, "", { { 0 } } };
static server ejabberd = { "ejabberd", "c.test", 35222, 0, 0, "", { { 0 } } };
static int verbose;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void fail(session *s, const char *fmt, ...)
{
    va_list ap;
    if (s->err[0]) return;      /* keep the first */
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
}

static void append(char *buf, size_t cap, size_t *n, const char *p, size_t len)
{
    if (*n + len + 1 > cap) len = cap - *n - 1;
    memcpy(buf + *n, p, len);
    *n += len;
    buf[*n] = 0;
}

static int str_is(xmpp_str s, const char *z)
{
    size_t n = strlen(z);
    return s.n == n && memcmp(s.p, z, n) == 0;
}

static void str_copy(char *dst, size_t cap, xmpp_str s)
{
    size_t n = s.n < cap - 1 ? s.n : cap - 1;
    memcpy(dst, s.p, n);
    dst[n] = 0;
}

static int name_is(const xmpp_xml_token *t, const char *ns, const char *local)
{
    return str_is(t->ns, ns) && str_is(t->local, local);
}

/* The value of the unprefixed attribute local, or NULL. */
static const xmpp_str *attr(const xmpp_xml_token *t, const char *local)
{
    size_t i;
    for (i = 0; i < t->nattrs; i++)
        if (t->attrs[i].ns.n == 0 && str_is(t->attrs[i].local, local)) return &t->attrs[i].value;
    return NULL;
}

static void on_token(session *s, const xmpp_xml_token *t)
{
    static char line[1 << 16];
    size_t need;
    xmpp_xml_token_format(t, line, sizeof line, &need);
    append(s->lines, sizeof s->lines, &s->nlines, line, strlen(line));
    append(s->lines, sizeof s->lines, &s->nlines, "\n", 1);
    s->ntok++;
    if (s->close_sent) {
        size_t n = strlen(s->after_close);
        s->tokens_after_close++;
        append(s->after_close, sizeof s->after_close, &n, line, strlen(line));
        append(s->after_close, sizeof s->after_close, &n, "\n", 1);
    }

    /* the masked copy: the stream id differs per connection */
    if (t->kind == XMPP_XML_OPEN) {
        xmpp_xml_attr a[64];
        xmpp_xml_token m = *t;
        size_t i;
        for (i = 0; i < t->nattrs && i < 64; i++) {
            a[i] = t->attrs[i];
            if (a[i].ns.n == 0 && str_is(a[i].local, "id")) { a[i].value.p = "*"; a[i].value.n = 1; }
        }
        m.attrs = a;
        m.nattrs = i;
        xmpp_xml_token_format(&m, line, sizeof line, &need);
    }
    append(s->masked, sizeof s->masked, &s->nmasked, line, strlen(line));
    append(s->masked, sizeof s->masked, &s->nmasked, "\n", 1);

    switch (t->kind) {
    case XMPP_XML_DECL: {
        const xmpp_str *v = attr(t, "version");
        s->decl_seen = 1;
        s->decl_first = s->ntok == 1;
        if (v) str_copy(s->decl_version, sizeof s->decl_version, *v);
        break;
    }
    case XMPP_XML_OPEN: {
        const xmpp_str *v;
        if (s->open_seen++) break;
        s->ntok_before_open = s->ntok - 1;
        s->open_depth = t->depth;
        s->open_ok_name = name_is(t, NS_STREAM, "stream");
        if ((v = attr(t, "from")) != NULL) str_copy(s->from, sizeof s->from, *v);
        if ((v = attr(t, "version")) != NULL) str_copy(s->version, sizeof s->version, *v);
        if ((v = attr(t, "id")) != NULL) str_copy(s->id, sizeof s->id, *v);
        xmpp_xml_token_format(t, s->open_line, sizeof s->open_line, &need);
        break;
    }
    case XMPP_XML_START:
        if (t->depth == 2 && name_is(t, NS_STREAM, "features") && !s->features_start) {
            s->features_start = 1;
            s->in_features = 1;
            s->features_depth = t->depth;
        } else if (s->in_features && t->depth == 3) {
            size_t n = strlen(s->children);
            if (n) append(s->children, sizeof s->children, &n, " ", 1);
            append(s->children, sizeof s->children, &n, "{", 1);
            append(s->children, sizeof s->children, &n, t->ns.p, t->ns.n);
            append(s->children, sizeof s->children, &n, "}", 1);
            append(s->children, sizeof s->children, &n, t->local.p, t->local.n);
            if (name_is(t, NS_TLS, "starttls")) s->starttls = 1;
            if (name_is(t, NS_SASL, "mechanisms")) { s->mechanisms = 1; s->in_mechs = 1; }
        } else if (s->in_features && t->depth == 4 && name_is(t, NS_TLS, "required")) {
            s->starttls_required = 1;
        } else if (s->in_mechs && t->depth == 4 && name_is(t, NS_SASL, "mechanism")) {
            s->in_mech = 1;
            s->mech_cur[0] = 0;
        }
        break;
    case XMPP_XML_TEXT:
        if (s->in_mech && t->depth == 4) {
            size_t n = strlen(s->mech_cur);
            append(s->mech_cur, sizeof s->mech_cur, &n, t->text.p, t->text.n);
        }
        break;
    case XMPP_XML_END:
        if (s->in_mech && t->depth == 4) {
            s->in_mech = 0;
            if (s->nmech < MAXMECH) memcpy(s->mech[s->nmech++], s->mech_cur, sizeof s->mech_cur);
        } else if (s->in_mechs && t->depth == 3) {
            s->in_mechs = 0;
        } else if (s->in_features && t->depth == 2) {
            s->in_features = 0;
            if (name_is(t, NS_STREAM, "features")) s->features_end = 1;
        }
        break;
    case XMPP_XML_CLOSE:
        if (s->close_sent) s->close_token = 1;
        break;
    default:
        break;
    }
}

/* Feed n bytes cut into pieces of chunk bytes (0: one piece). Each piece goes through a
   scratch buffer that is scribbled over once feed has returned, so a token that still
   pointed into the input would show garbage. Returns 0, or -1 on a tokenizer error. */
static int feed(session *s, xmpp_xml *x, const unsigned char *p, size_t n, size_t chunk)
{
    static unsigned char scratch[65536];
    size_t pos = 0;
    while (pos < n) {
        size_t len = chunk && chunk < n - pos ? chunk : n - pos, off = 0;
        memcpy(scratch, p + pos, len);
        while (off < len) {
            size_t used = 0;
            int got = 0;
            xmpp_xml_token t;
            xmpp_err r = xmpp_xml_feed(x, scratch + off, len - off, &used);
            memset(scratch + off, 0xA5, used);
            off += used;
            while (xmpp_xml_next(x, &t) == XMPP_OK) { on_token(s, &t); got = 1; }
            if (r != XMPP_OK) {
                const xmpp_errinfo *e = xmpp_xml_error(x);
                fail(s, "tokenizer error (chunk %zu): %s at byte %llu: %s", chunk,
                     xmpp_err_condition(e->code), (unsigned long long)e->offset, e->message);
                return -1;
            }
            if (!used && !got) {
                fail(s, "tokenizer stalled: feed took 0 of %zu bytes and gave no token at byte %llu",
                     len - off, (unsigned long long)(s->nraw - n + pos + off));
                return -1;
            }
        }
        pos += len;
    }
    return 0;
}

/* Connect to 127.0.0.1:port within TIMEOUT_MS. Returns the (non-blocking) socket or -1. */
static int connect_to(session *s, int port)
{
    struct sockaddr_in sa;
    struct pollfd pfd;
    int fd = socket(AF_INET, SOCK_STREAM, 0), soerr = 0, r;
    socklen_t sl = sizeof soerr;
    if (fd < 0) { fail(s, "socket: %s", strerror(errno)); return -1; }
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    r = connect(fd, (struct sockaddr *)&sa, sizeof sa);
    if (r < 0 && errno == EINPROGRESS) {
        pfd.fd = fd;
        pfd.events = POLLOUT;
        r = poll(&pfd, 1, TIMEOUT_MS);
        if (r == 0) { s->refused = 1; fail(s, "connect to 127.0.0.1:%d timed out", port); close(fd); return -1; }
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
        if (soerr) { errno = soerr; r = -1; } else r = 0;
    }
    if (r < 0) {
        s->refused = 1;
        fail(s, "connect to 127.0.0.1:%d: %s", port, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(session *s, int fd, const char *p)
{
    size_t n = strlen(p), off = 0;
    double end = now_ms() + TIMEOUT_MS;
    while (off < n) {
        ssize_t w = send(fd, p + off, n - off, MSG_NOSIGNAL);
        if (w > 0) { off += (size_t)w; continue; }
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) && now_ms() < end) {
            struct pollfd pfd;
            pfd.fd = fd;
            pfd.events = POLLOUT;
            poll(&pfd, 1, 100);
            continue;
        }
        fail(s, "send: %s", w < 0 ? strerror(errno) : "timeout");
        return -1;
    }
    return 0;
}

/* Read until done(s) or EOF (returns 1) or the deadline (returns 0); -1 on error. */
static int read_until(session *s, int fd, xmpp_xml *x, double deadline, int (*done)(const session *))
{
    static unsigned char buf[65536];
    while (!done(s)) {
        struct pollfd pfd;
        double left = deadline - now_ms();
        ssize_t r;
        if (left <= 0) return 0;
        pfd.fd = fd;
        pfd.events = POLLIN;
        if (poll(&pfd, 1, (int)left + 1) < 0 && errno != EINTR) { fail(s, "poll: %s", strerror(errno)); return -1; }
        r = recv(fd, buf, sizeof buf, 0);
        if (r == 0) return 1;
        if (r < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
            if (errno == ECONNRESET) return 1;
            fail(s, "recv: %s", strerror(errno));
            return -1;
        }
        if (s->nraw + (size_t)r <= sizeof s->raw) {
            memcpy(s->raw + s->nraw, buf, (size_t)r);
            s->nraw += (size_t)r;
        } else {
            fail(s, "more than %zu bytes received", sizeof s->raw);
            return -1;
        }
        if (feed(s, x, buf, (size_t)r, s->chunk) < 0) return -1;
    }
    return 2;
}

static int features_done(const session *s) { return s->features_end; }
static int close_done(const session *s) { return s->close_token; }
static int never_done(const session *s) { (void)s; return 0; }

static unsigned char tbuf[XMPP_XML_BUF_SIZE(XMPP_XML_DEFAULT_DEPTH, XMPP_XML_DEFAULT_ATTRS,
                                            XMPP_XML_DEFAULT_TOKEN)];

static void run_session(const server *sv, session *s)
{
    char hdr[512];
    xmpp_xml x;
    double t0 = now_ms();
    int fd, r;
    xmpp_xml_init(&x, tbuf, sizeof tbuf, NULL);
    if ((fd = connect_to(s, sv->port)) < 0) return;
    s->connected = 1;
    snprintf(hdr, sizeof hdr, "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
             "xmlns:stream='" NS_STREAM "' to='%s' version='1.0'>", sv->domain);
    if (send_all(s, fd, hdr) < 0) goto out;
    r = read_until(s, fd, &x, now_ms() + TIMEOUT_MS, features_done);
    if (r < 0) goto out;
    if (r != 2) {
        fail(s, "%s before </stream:features> (%zu bytes, %d tokens so far)",
             r == 1 ? "server closed the connection" : "timeout", s->nraw, s->ntok);
        goto out;
    }
    s->ms_features = now_ms() - t0;
    s->nraw_features = s->nraw;
    s->nlines_features = s->nlines;
    s->close_sent = 1;
    t0 = now_ms();
    if (send_all(s, fd, "</stream:stream>") < 0) goto out;
    r = read_until(s, fd, &x, now_ms() + CLOSE_MS, close_done);
    if (r < 0) goto out;
    if (r == 1) { s->eof_after_close = 1; s->ms_eof = now_ms() - t0; goto out; }
    if (r == 0) { fail(s, "neither CLOSE nor EOF within %d ms of sending </stream:stream>", CLOSE_MS); goto out; }
    s->ms_close = now_ms() - t0;
    /* after the CLOSE token: does the server also close TCP? */
    r = read_until(s, fd, &x, now_ms() + LINGER_MS, never_done);
    if (r == 1) { s->eof_after_close = 1; s->ms_eof = now_ms() - t0; }
out:
    close(fd);
}

static void print_mechs(const session *s, char *out, size_t cap)
{
    size_t n = 0;
    int i;
    out[0] = 0;
    for (i = 0; i < s->nmech; i++) {
        if (i) append(out, cap, &n, " ", 1);
        append(out, cap, &n, s->mech[i], strlen(s->mech[i]));
    }
}

/* Run every session of a server once; later tests look at the results. */
static void ensure(server *sv)
{
    size_t i;
    session *w;
    char mechs[512];
    if (sv->done) return;
    sv->done = 1;
    for (i = 0; i < NCHUNK; i++) {
        session *s = &sv->s[i];
        s->chunk = chunks[i];
        run_session(sv, s);
        if (i == 0 && s->refused) {
            sv->unreachable = 1;
            snprintf(sv->why, sizeof sv->why, "%s (%s) not reachable: %s", sv->name, sv->domain, s->err);
            return;
        }
        if (i == 0 && !s->features_end) {   /* do not wait out 5 timeouts on a hung server */
            for (i = 1; i < NCHUNK; i++) {
                sv->s[i].chunk = chunks[i];
                fail(&sv->s[i], "not run: the first connection failed");
            }
            break;
        }
    }
    w = &sv->s[NCHUNK - 1];
    if (!w->features_end) return;
    print_mechs(w, mechs, sizeof mechs);
    printf("%s %s:%d: features %.0f ms after connect: %s; mechanisms: %s%s\n", sv->name,
           sv->domain, sv->port, w->ms_features, w->children[0] ? w->children : "(none)", mechs,
           w->starttls_required ? "; starttls <required/>" : "");
    printf("%s %s:%d: on </stream:stream>: %s%s\n", sv->name, sv->domain, sv->port,
           w->close_token ? "CLOSE token" : "no CLOSE token",
           w->eof_after_close ? ", then closed the connection" : ", connection left open");
    if (verbose) {
        printf("---- %s, whole reads: %zu bytes, %d tokens\n%s----\n", sv->name, w->nraw, w->ntok, w->lines);
        printf("%.*s\n----\n", (int)w->nraw, (const char *)w->raw);
    }
}

/* ---- the checks, one RUN per (server, check). Each looks at every connection (chunk
   size) and reports, per connection, the first thing that is wrong. */

static void report(const char *file, int line, const server *sv, const session *s, const char *fmt, ...)
{
    va_list ap;
    printf("%s:%d: %s %s:%d chunk %zu%s: ", file, line, sv->name, sv->domain, sv->port, s->chunk,
           s->chunk ? "" : " (whole reads)");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    check_bad++;                /* what CHECK() does on failure (check.h) */
}

/* Inside a loop over the sessions: on failure, report and go on with the next session. */
#define REQUIRE(s, cond, ...) \
    if (!(cond)) { report(__FILE__, __LINE__, sv, s, __VA_ARGS__); continue; } else (void)0
/* The later checks need a connection that got its features. */
#define REQUIRE_FEATURES(s) \
    REQUIRE(s, (s)->features_end, "nothing to check: no </stream:features> (see %s_connect)", sv->name)

static void t_connect(const server *sv)
{
    size_t i;
    for (i = 0; i < NCHUNK; i++) {
        const session *s = &sv->s[i];
        REQUIRE(s, !s->err[0] || s->features_end, "%s", s->err);
        REQUIRE(s, s->features_end, "no </stream:features>");
    }
}

static void t_decl(const server *sv)
{
    size_t i;
    for (i = 0; i < NCHUNK; i++) {
        const session *s = &sv->s[i];
        REQUIRE_FEATURES(s);
        /* RFC 6120 lets a server leave the declaration out, but both servers send one */
        REQUIRE(s, s->decl_seen && s->decl_first, "no XML declaration as the first token");
        REQUIRE(s, strcmp(s->decl_version, "1.0") == 0, "declaration version=\"%s\"", s->decl_version);
    }
}

static void t_open(const server *sv)
{
    size_t i;
    for (i = 0; i < NCHUNK; i++) {
        const session *s = &sv->s[i];
        REQUIRE_FEATURES(s);
        REQUIRE(s, s->open_seen == 1, "%d OPEN tokens", s->open_seen);
        REQUIRE(s, s->ntok_before_open <= 1, "%d tokens before the stream header", s->ntok_before_open);
        REQUIRE(s, s->open_ok_name && s->open_depth == 1,
                "OPEN is not {" NS_STREAM "}stream at depth 1: %s", s->open_line);
        REQUIRE(s, strcmp(s->from, sv->domain) == 0, "from=\"%s\", want \"%s\"", s->from, sv->domain);
        REQUIRE(s, strcmp(s->version, "1.0") == 0, "version=\"%s\", want \"1.0\"", s->version);
        REQUIRE(s, s->id[0] != 0, "empty or missing stream id: %s", s->open_line);
        /* a fresh id per connection */
        REQUIRE(s, i == 0 || strcmp(s->id, sv->s[0].id) != 0, "same stream id as the first connection: %s", s->id);
    }
}

static void t_features(const server *sv)
{
    size_t i;
    for (i = 0; i < NCHUNK; i++) {
        const session *s = &sv->s[i];
        REQUIRE_FEATURES(s);
        REQUIRE(s, s->features_start && s->features_depth == 2,
                "no START {" NS_STREAM "}features at depth 2");
    }
}

static void t_starttls(const server *sv)
{
    size_t i;
    for (i = 0; i < NCHUNK; i++) {
        const session *s = &sv->s[i];
        REQUIRE_FEATURES(s);
        REQUIRE(s, s->starttls, "no {" NS_TLS "}starttls among the features: %s", s->children);
        REQUIRE(s, !s->starttls_required, "<starttls/> has <required/>: servers.sh should only offer it");
    }
}

static int has_mech(const session *s, const char *m)
{
    int i;
    for (i = 0; i < s->nmech; i++) if (strcmp(s->mech[i], m) == 0) return 1;
    return 0;
}

static void t_mechanisms(const server *sv)
{
    size_t i;
    char m[512], m0[512];
    print_mechs(&sv->s[0], m0, sizeof m0);
    for (i = 0; i < NCHUNK; i++) {
        const session *s = &sv->s[i];
        print_mechs(s, m, sizeof m);
        REQUIRE_FEATURES(s);
        REQUIRE(s, s->mechanisms, "no {" NS_SASL "}mechanisms among the features: %s", s->children);
        REQUIRE(s, has_mech(s, "SCRAM-SHA-1"), "no SCRAM-SHA-1 among the mechanisms: %s", m);
        REQUIRE(s, has_mech(s, "PLAIN"), "no PLAIN among the mechanisms: %s", m);
        /* the same list, in the same order, on every connection */
        REQUIRE(s, strcmp(m, m0) == 0, "mechanisms \"%s\" differ from chunk 1's \"%s\"", m, m0);
    }
}

/* Re-tokenize src's bytes in a fresh tokenizer cut at chunk; the exact lines go to out. */
static void refeed(const session *src, size_t chunk, session *out)
{
    xmpp_xml x;
    memset(out, 0, sizeof *out);
    out->chunk = chunk;
    out->nraw = src->nraw;
    xmpp_xml_init(&x, tbuf, sizeof tbuf, NULL);
    feed(out, &x, src->raw, src->nraw, chunk);
}

/* The first line where a and b differ, as "token line N differs: <A> vs <B>" */
static const char *first_diff(const char *a, const char *b)
{
    static char out[2048];
    size_t i = 0, start = 0, la, lb;
    int n = 1;
    for (; a[i] && a[i] == b[i]; i++)
        if (a[i] == '\n') { n++; start = i + 1; }
    la = strcspn(a + start, "\n");
    lb = strcspn(b + start, "\n");
    snprintf(out, sizeof out, "token line %d differs: <%.*s> vs <%.*s>", n,
             (int)(la > 900 ? 900 : la), a + start, (int)(lb > 900 ? 900 : lb), b + start);
    return out;
}

static void t_chunking(const server *sv)
{
    static session again;
    size_t i, j;
    const session *w = &sv->s[NCHUNK - 1];
    for (i = 0; i < NCHUNK; i++) {
        const session *s = &sv->s[i];
        REQUIRE_FEATURES(s);
        /* across connections: the same token lines for every chunk size (stream id masked) */
        REQUIRE(s, !w->features_end || strcmp(s->masked, w->masked) == 0,
                "unlike the whole-read connection's: %s", first_diff(s->masked, w->masked));
        /* within the connection: its bytes re-fed at every chunk size give exactly its lines */
        for (j = 0; j < NCHUNK; j++) {
            refeed(s, chunks[j], &again);
            if (again.err[0] || strcmp(again.lines, s->lines) != 0) break;
        }
        REQUIRE(s, j == NCHUNK, "its own bytes re-fed at chunk %zu: %s", j < NCHUNK ? chunks[j] : 0,
                again.err[0] ? again.err : first_diff(again.lines, s->lines));
    }
}

static void t_close(const server *sv)
{
    size_t i;
    for (i = 0; i < NCHUNK; i++) {
        const session *s = &sv->s[i];
        REQUIRE_FEATURES(s);
        REQUIRE(s, s->close_sent, "</stream:stream> not sent: %s", s->err);
        REQUIRE(s, !s->err[0], "%s", s->err);
        REQUIRE(s, s->close_token || s->eof_after_close, "no CLOSE token and no EOF after </stream:stream>");
        /* nothing but the CLOSE may come (a <stream:error/> would be a complaint) */
        REQUIRE(s, s->tokens_after_close == s->close_token, "tokens after </stream:stream>:\n%.*s",
                (int)(strlen(s->after_close) ? strlen(s->after_close) - 1 : 0), s->after_close);
    }
}

/* For the checks after _connect: 0 (after one failure line) when no connection got as far
   as its features, so that there is nothing to look at. */
static int got_features(const server *sv)
{
    size_t i;
    for (i = 0; i < NCHUNK; i++) if (sv->s[i].features_end) return 1;
    printf("%s:%d: %s %s:%d: nothing to check: no connection got its features (see %s_connect)\n",
           __FILE__, __LINE__, sv->name, sv->domain, sv->port, sv->name);
    check_bad++;
    return 0;
}

#define SERVER_TEST(S, T) \
    static void S##_##T(void) { ensure(&S); if (S.unreachable) SKIP(S.why); if (got_features(&S)) t_##T(&S); }
#define SERVER_TESTS(S) \
    static void S##_connect(void) { ensure(&S); if (S.unreachable) SKIP(S.why); t_connect(&S); } \
    SERVER_TEST(S, decl) SERVER_TEST(S, open) SERVER_TEST(S, features) SERVER_TEST(S, starttls) \
    SERVER_TEST(S, mechanisms) SERVER_TEST(S, chunking) SERVER_TEST(S, close)
SERVER_TESTS(prosody)
SERVER_TESTS(ejabberd)

int main(int argc, char **argv)
{
    verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    signal(SIGPIPE, SIG_IGN);
    RUN(prosody_connect);
    RUN(prosody_decl);
    RUN(prosody_open);
    RUN(prosody_features);
    RUN(prosody_starttls);
    RUN(prosody_mechanisms);
    RUN(prosody_chunking);
    RUN(prosody_close);
    RUN(ejabberd_connect);
    RUN(ejabberd_decl);
    RUN(ejabberd_open);
    RUN(ejabberd_features);
    RUN(ejabberd_starttls);
    RUN(ejabberd_mechanisms);
    RUN(ejabberd_chunking);
    RUN(ejabberd_close);
    return check_done();
}
