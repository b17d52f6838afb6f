/* test_sasl_interop.c - our SASL client (>>sasl) logging in to real servers: Prosody
   (a.test, 127.0.0.1:15222) and ejabberd (c.test, 35222), started by tests/interop/run.sh
   (servers.sh: users alice/alice-pw, STARTTLS offered but not required, PLAIN allowed in
   the clear). Over plain TCP, with the tokenizer reading the server's stream:
     - the mechanism xmpp_sasl_select() picks from the server's offer (no TLS: SCRAM), a
       login with the server's signature verified by xmpp_sasl_success();
     - the same with a wrong password: the server's <failure><not-authorized/>, and our
       client never got to success;
     - SCRAM again with the salted password cached from the first login and no password;
     - PLAIN (allowed in the clear by policy.plain_clear) with the password.
   A server that is not running makes its tests skipped (failures under CI=true). */
#define XMPP_IMPLEMENTATION
#include "../../xmpp.h"
#include "../check.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TIMEOUT_MS 10000
#define NS_SASL "urn:ietf:params:xml:ns:xmpp-sasl"

typedef struct {
    const char *name, *domain;
    int port;
} server;

static const server prosody = { "prosody", "a.test", 15222 };
static const server ejabberd = { "ejabberd", "c.test", 35222 };

/* one connection: the socket, the tokenizer and what it has seen */
typedef struct {
    int fd;
    xmpp_xml x;
    char elem[32];          /* the depth-2 element being read, or the last one */
    int ended;              /* it has ended */
    char text[2048];        /* its text (SASL data: base64) */
    size_t ntext;
    char cond[48];          /* <failure/>: the condition */
    char mechs[8][32];      /* <stream:features>: the mechanisms */
    size_t nmechs;
    int in_mech;
} conn;

static unsigned char tbuf[XMPP_XML_BUF_SIZE(8, 8, 4096)];

static void copy(char *dst, size_t cap, xmpp_str s)
{
    size_t n = s.n < cap - 1 ? s.n : cap - 1;
    memcpy(dst, s.p, n);
    dst[n] = 0;
}

static void on_token(conn *c, const xmpp_xml_token *t)
{
    if (t->kind == XMPP_XML_START && t->depth == 2) {
        copy(c->elem, sizeof c->elem, t->local);
        c->ended = 0;
        c->ntext = 0;
        c->cond[0] = 0;
    } else if (t->kind == XMPP_XML_START && t->depth == 3 && strcmp(c->elem, "failure") == 0) {
        if (!(t->local.n == 4 && memcmp(t->local.p, "text", 4) == 0)) copy(c->cond, sizeof c->cond, t->local);
    } else if (t->kind == XMPP_XML_START && t->depth == 4 && t->local.n == 9 &&
               memcmp(t->local.p, "mechanism", 9) == 0) {
        c->in_mech = 1;
    } else if (t->kind == XMPP_XML_TEXT && t->depth == 4 && c->in_mech && c->nmechs < 8) {
        copy(c->mechs[c->nmechs++], sizeof c->mechs[0], t->text);
        c->in_mech = 0;
    } else if (t->kind == XMPP_XML_TEXT && t->depth == 2 && c->ntext + t->text.n < sizeof c->text) {
        memcpy(c->text + c->ntext, t->text.p, t->text.n);
        c->ntext += t->text.n;
    } else if (t->kind == XMPP_XML_END && t->depth == 2) {
        c->ended = 1;
    }
}

static int send_str(conn *c, const char *p)
{
    size_t n = strlen(p), off = 0;
    while (off < n) {
        ssize_t w = send(c->fd, p + off, n - off, MSG_NOSIGNAL);
        if (w <= 0) return -1;
        off += (size_t)w;
    }
    return 0;
}

/* read until the next depth-2 element has ended; 0 on success */
static int read_element(conn *c)
{
    unsigned char buf[4096];
    xmpp_xml_token t;
    c->ended = 0;
    while (!c->ended) {
        struct pollfd p;
        ssize_t r;
        size_t off = 0, used;
        p.fd = c->fd;
        p.events = POLLIN;
        if (poll(&p, 1, TIMEOUT_MS) <= 0) { printf("  timed out waiting for the server\n"); return -1; }
        r = recv(c->fd, buf, sizeof buf, 0);
        if (r <= 0) { printf("  connection closed\n"); return -1; }
        while (off < (size_t)r && !c->ended) {
            if (xmpp_xml_feed(&c->x, buf + off, (size_t)r - off, &used) != XMPP_OK) {
                printf("  tokenizer: %s\n", xmpp_xml_error(&c->x)->message);
                return -1;
            }
            off += used;
            while (xmpp_xml_next(&c->x, &t) == XMPP_OK) on_token(c, &t);
        }
        if (off < (size_t)r) { printf("  unexpected bytes after the element\n"); return -1; }
    }
    return 0;
}

/* connect, open the stream, read the features; 0 on success, 1 if the server is not there */
static int open_stream(conn *c, const server *sv)
{
    struct sockaddr_in sa;
    char hdr[256];
    memset(c, 0, sizeof *c);
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)sv->port);
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        if (c->fd >= 0) close(c->fd);
        return 1;
    }
    xmpp_xml_init(&c->x, tbuf, sizeof tbuf, NULL);
    snprintf(hdr, sizeof hdr, "<?xml version='1.0'?><stream:stream to='%s' xmlns='jabber:client' "
             "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>", sv->domain);
    if (send_str(c, hdr) || read_element(c) || strcmp(c->elem, "features") != 0) {
        printf("  %s: no <stream:features/>\n", sv->name);
        close(c->fd);
        return -1;
    }
    return 0;
}

/* send a SASL element with data base64 encoded (empty: "=" in <auth/>, nothing otherwise) */
static int send_sasl(conn *c, const char *elem, const char *mech, const unsigned char *d, size_t n)
{
    char b64[1024], msg[1300];
    size_t k = 0;
    if (xmpp_b64_encode(d, n, b64, sizeof b64 - 1, &k) != XMPP_OK) return -1;
    if (!n && mech) b64[k++] = '=';
    b64[k] = 0;
    if (mech) snprintf(msg, sizeof msg, "<%s xmlns='" NS_SASL "' mechanism='%s'>%s</%s>", elem, mech, b64, elem);
    else snprintf(msg, sizeof msg, "<%s xmlns='" NS_SASL "'>%s</%s>", elem, b64, elem);
    return send_str(c, msg);
}

/* One login. Returns the client's result (XMPP_OK: success with the server verified);
   *cond gets the server's failure condition, if any. */
static xmpp_err login(conn *c, xmpp_sasl_config *cfg, char *cond, size_t ncond)
{
    static xmpp_sasl s;
    unsigned char out[512], in[1536];
    size_t n, m;
    xmpp_err e;
    cond[0] = 0;
    e = xmpp_sasl_start(&s, cfg, out, sizeof out, &n);
    if (e) return e;
    if (send_sasl(c, "auth", xmpp_sasl_mech_name(cfg->mech), out, n)) return XMPP_ERR_INVALID;
    for (;;) {
        if (read_element(c)) return XMPP_ERR_INVALID;
        if (xmpp_b64_decode(c->text, c->ntext, in, sizeof in, &m) != XMPP_OK &&
            !(c->ntext == 1 && c->text[0] == '=')) {
            printf("  the server's %s is not base64\n", c->elem);
            return XMPP_ERR_BASE64;
        }
        if (c->ntext == 1 && c->text[0] == '=') m = 0;
        if (strcmp(c->elem, "challenge") == 0) {
            e = xmpp_sasl_step(&s, in, m, out, sizeof out, &n);
            if (e) return e;
            if (send_sasl(c, "response", NULL, out, n)) return XMPP_ERR_INVALID;
        } else if (strcmp(c->elem, "success") == 0) {
            return xmpp_sasl_success(&s, in, m);
        } else {
            snprintf(cond, ncond, "%s", c->elem[0] && strcmp(c->elem, "failure") == 0 ? c->cond : c->elem);
            return XMPP_ERR_AUTH;
        }
    }
}

static void rng(void *ctx, unsigned char *buf, size_t n)
{
    FILE *f = fopen("/dev/urandom", "rb");
    (void)ctx;
    if (!f || fread(buf, 1, n, f) != n) memset(buf, 7, n);
    if (f) fclose(f);
}

static xmpp_sasl_cache cache[2];

static void scram(const server *sv, int which)
{
    conn c;
    xmpp_sasl_config cfg;
    xmpp_sasl_policy pol;
    xmpp_str offered[8];
    char cond[48];
    size_t i;
    int r = open_stream(&c, sv);
    if (r == 1) SKIP("server not running");
    CHECK(r == 0);
    if (r) return;
    for (i = 0; i < c.nmechs; i++) { offered[i].p = c.mechs[i]; offered[i].n = strlen(c.mechs[i]); }
    memset(&pol, 0, sizeof pol);
    memset(&cfg, 0, sizeof cfg);
    cfg.mech = xmpp_sasl_select(offered, c.nmechs, &pol);
    cfg.plus_offered = (uint8_t)xmpp_sasl_plus_offered(offered, c.nmechs);
    cfg.authcid.p = "alice";
    cfg.authcid.n = 5;
    cfg.password.p = which == 1 ? "wrong-pw" : "alice-pw";
    cfg.password.n = which == 2 ? 0 : 8;
    cfg.rng = rng;
    cfg.cache = which == 1 ? NULL : &cache[sv == &ejabberd];   /* filled by the first login */
    if (which == 0) memset(cfg.cache, 0, sizeof *cfg.cache);
    printf("  %s offers", sv->name);
    for (i = 0; i < c.nmechs; i++) printf(" %s", c.mechs[i]);
    printf("; we choose %s\n", xmpp_sasl_mech_name(cfg.mech));
    CHECK(cfg.mech == XMPP_SASL_SCRAM_SHA_1 || cfg.mech == XMPP_SASL_SCRAM_SHA_256);
    if (which == 0) {
        CHECK(login(&c, &cfg, cond, sizeof cond) == XMPP_OK);
        CHECK(cache[sv == &ejabberd].valid == 1);
    } else if (which == 1) {
        CHECK(login(&c, &cfg, cond, sizeof cond) == XMPP_ERR_AUTH);
        CHECK(strcmp(cond, "not-authorized") == 0);
    } else {
        if (!cache[sv == &ejabberd].valid) SKIP("no cache from the first login");
        CHECK(login(&c, &cfg, cond, sizeof cond) == XMPP_OK);
    }
    if (cond[0]) printf("  %s says <%s/>\n", sv->name, cond);
    close(c.fd);
}

static void plain(const server *sv)
{
    conn c;
    xmpp_sasl_config cfg;
    xmpp_sasl_policy pol;
    xmpp_str offered[8];
    char cond[48];
    size_t i;
    int r = open_stream(&c, sv);
    if (r == 1) SKIP("server not running");
    CHECK(r == 0);
    if (r) return;
    for (i = 0; i < c.nmechs; i++) { offered[i].p = c.mechs[i]; offered[i].n = strlen(c.mechs[i]); }
    memset(&pol, 0, sizeof pol);
    pol.plain_clear = 1;
    memset(&cfg, 0, sizeof cfg);
    offered[0].p = "PLAIN";   /* choose PLAIN out of the offer */
    offered[0].n = 5;
    for (i = 0; i < c.nmechs && strcmp(c.mechs[i], "PLAIN") != 0; i++) {}
    if (i == c.nmechs) SKIP("PLAIN not offered");
    cfg.mech = xmpp_sasl_select(offered, 1, &pol);
    CHECK(cfg.mech == XMPP_SASL_PLAIN);
    cfg.authcid.p = "alice";
    cfg.authcid.n = 5;
    cfg.password.p = "alice-pw";
    cfg.password.n = 8;
    CHECK(login(&c, &cfg, cond, sizeof cond) == XMPP_OK);
    if (cond[0]) printf("  %s says <%s/>\n", sv->name, cond);
    close(c.fd);
}

static void prosody_scram_login(void) { scram(&prosody, 0); }
static void prosody_scram_wrong_password(void) { scram(&prosody, 1); }
static void prosody_scram_cached(void) { scram(&prosody, 2); }
static void prosody_plain_login(void) { plain(&prosody); }
static void ejabberd_scram_login(void) { scram(&ejabberd, 0); }
static void ejabberd_scram_wrong_password(void) { scram(&ejabberd, 1); }
static void ejabberd_scram_cached(void) { scram(&ejabberd, 2); }
static void ejabberd_plain_login(void) { plain(&ejabberd); }

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    RUN(prosody_scram_login);
    RUN(prosody_scram_wrong_password);
    RUN(prosody_scram_cached);
    RUN(prosody_plain_login);
    RUN(ejabberd_scram_login);
    RUN(ejabberd_scram_wrong_password);
    RUN(ejabberd_scram_cached);
    RUN(ejabberd_plain_login);
    return check_done();
}
