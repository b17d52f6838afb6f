/* test_stream.c - the client stream (>>stream) against scripted servers: each scenario
   is a transcript of server bytes; the test asserts the events and the exact bytes we
   send. Most scenarios run twice: server bytes fed whole, and one byte at a time. SCRAM
   scenarios use this library's own SCRAM server (>>sasl) to answer. */
#define XMPP_IMPLEMENTATION
#include "../xmpp.h"
#include "check.h"
#include <stdlib.h>
#include <string.h>

#define SHDR "<?xml version='1.0'?><stream:stream xmlns='jabber:client' " \
             "xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='a.test' version='1.0'>"
#define CHDR "<?xml version='1.0'?><stream:stream xmlns='jabber:client' " \
             "xmlns:stream='http://etherx.jabber.org/streams' version='1.0' to='a.test' xml:lang='en'>"
#define SASL_NS "urn:ietf:params:xml:ns:xmpp-sasl"
#define FEAT_PLAIN "<stream:features><mechanisms xmlns='" SASL_NS "'><mechanism>PLAIN</mechanism>" \
                   "</mechanisms></stream:features>"
#define FEAT_BIND "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>"
#define BIND_OUT "<iq type=\"set\" id=\"bind-1\"><bind xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\">" \
                 "<resource>r1</resource></bind></iq>"
#define BIND_OK "<iq type='result' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>" \
                "<jid>alice@a.test/r1</jid></bind></iq>"

/* Sizes: the defaults suit the host and the Cortex-M3; the Cortex-M0 image (16 KiB of RAM)
   builds with TEST_SMALL: smaller stream buffers and test buffers. */
#ifdef TEST_SMALL
#define TEST_MEM 5820
#define TEST_OUT 768
#define TEST_TRACE 2048
#define TEST_EVENTS 1024
#define TEST_BIG 1500
#define TEST_SASL_BUF 192   /* the largest message is about 155 bytes; 256 overran the M0's stack */
#endif
#ifndef TEST_SASL_BUF
#define TEST_SASL_BUF 512   /* a SCRAM message of our scripted server */
#endif
#ifndef TEST_BIG
#define TEST_BIG 3000      /* bytes of the body of a stanza too big for a 1 KiB arena */
#endif
#ifndef TEST_EVENTS
#define TEST_EVENTS 2048
#endif
#ifndef TEST_OUT
#define TEST_OUT 4096
#endif
#ifndef TEST_TRACE
#define TEST_TRACE 8192
#endif
#ifndef TEST_MEM
#define TEST_MEM 24000
#endif

typedef struct {
    xmpp_stream s;
    xmpp_stream_config cfg;
    unsigned char mem[TEST_MEM];
    size_t chunk;          /* server bytes per feed: 0 whole */
    char events[TEST_EVENTS];   /* one line per event */
    char out[TEST_OUT];    /* what we sent since the last take() */
    uint64_t now;
} harness;

static harness h;
static char closed_text[80];      /* the text of the last XMPP_STREAM_CLOSED event */
static char trace[TEST_TRACE];    /* the trace test's; other tests borrow it */

static void rng(void *ctx, unsigned char *buf, size_t n)
{
    unsigned *st = (unsigned *)ctx;
    while (n--) { *st = *st * 1103515245u + 12345u; *buf++ = (unsigned char)(*st >> 16); }
}
static unsigned rng_state;

static void log_event(const xmpp_stream_event *e)
{
    char line[512];
    switch (e->kind) {
    case XMPP_STREAM_STARTTLS: sprintf(line, "STARTTLS\n"); break;
    case XMPP_STREAM_ONLINE: sprintf(line, "ONLINE %.*s\n", (int)e->jid.n, e->jid.p); break;
    case XMPP_STREAM_STANZA: {
        xmpp_str n = xmpp_node_name(e->stanza), id = xmpp_node_attr(e->stanza, NULL, "id");
        sprintf(line, "STANZA %.*s %.*s\n", (int)n.n, n.p, (int)id.n, id.p ? id.p : "");
        break;
    }
    case XMPP_STREAM_SKIPPED: sprintf(line, "SKIPPED\n"); break;
    case XMPP_STREAM_ERROR:
        sprintf(line, "STREAM_ERROR %.*s [%.*s]\n", (int)e->condition.n, e->condition.p, (int)e->text.n,
                e->text.p ? e->text.p : "");
        break;
    case XMPP_STREAM_SASL_FAILURE:
        sprintf(line, "SASL_FAILURE %.*s [%.*s]\n", (int)e->condition.n, e->condition.p, (int)e->text.n,
                e->text.p ? e->text.p : "");
        break;
    case XMPP_STREAM_CLOSED:   /* the condition we sent, else the error's */
        sprintf(closed_text, "%.*s", (int)(e->text.n < 79 ? e->text.n : 79), e->text.p ? e->text.p : "");
        sprintf(line, "CLOSED %.*s\n", e->err ? (int)e->condition.n : 2, e->err ? e->condition.p : "ok");
        break;
    default: sprintf(line, "?\n"); break;
    }
    if (strlen(h.events) + strlen(line) < sizeof h.events) strcat(h.events, line);
}

static void drain(void)
{
    xmpp_stream_event e;
    while (xmpp_stream_next(&h.s, &e)) log_event(&e);
}

/* Start a client: PLAIN allowed in clear text, no TLS (scripted servers on no wire). */
static void start(size_t chunk, xmpp_tls_policy tls)
{
    memset(&h.cfg, 0, sizeof h.cfg);
    h.cfg.jid = xmpp_str_z("alice@a.test/r1");
    h.cfg.password = xmpp_str_z("secret");
    rng_state = 7;
    h.cfg.rng = rng;
    h.cfg.rng_ctx = &rng_state;
    h.cfg.tls = tls;
    h.cfg.plain_clear = 1;
    h.cfg.timeout_ms = 1000;
#ifdef TEST_SMALL
    h.cfg.xml_buf = 1536;
    h.cfg.arena = 1536;
    h.cfg.out = 512;
#endif
    h.chunk = chunk;
    h.events[0] = h.out[0] = 0;
    h.now = 0;
}

static int init(void)
{
    drain();
    if (xmpp_stream_init(&h.s, &h.cfg, h.mem, sizeof h.mem) != XMPP_OK) return 0;
    xmpp_stream_tick(&h.s, 0);   /* the clock starts at 0 */
    return 1;
}

/* The server sends bytes. */
static void srv(const char *bytes)
{
    size_t len = strlen(bytes), off = 0, used;
    int stuck = 0;
    while (off < len && stuck < 3) {
        size_t n = h.chunk && len - off > h.chunk ? h.chunk : len - off;
        xmpp_stream_feed(&h.s, bytes + off, n, &used);
        off += used;
        stuck = used ? 0 : stuck + 1;   /* 0 bytes taken: an event waits, or it is over */
        drain();
        if (xmpp_stream_wants(&h.s) & (XMPP_WANT_CLOSED | XMPP_WANT_TLS)) break;
    }
}

/* What we sent since the last call (acknowledged, as if written). */
static const char *take(void)
{
    size_t n;
    const unsigned char *p = xmpp_stream_output(&h.s, &n);
    if (n >= sizeof h.out) n = sizeof h.out - 1;
    memcpy(h.out, p, n);
    h.out[n] = 0;
    xmpp_stream_output_ack(&h.s, n);
    return h.out;
}

static int same(const char *got, const char *want)
{
    if (strcmp(got, want) == 0) return 1;
    printf("chunk %lu\nwant: %s\ngot:  %s\n", (unsigned long)h.chunk, want, got);
    return 0;
}

static void tick(uint64_t ms)
{
    h.now += ms;
    xmpp_stream_tick(&h.s, h.now);
    drain();
}

/* Up to online with PLAIN: header, features, auth, success, restart, bind. */
static void login_plain(void)
{
    CHECK(init());
    CHECK(same(take(), CHDR));
    srv(SHDR FEAT_PLAIN);
    /* RFC 4616: authzid NUL authcid NUL password = "\0alice\0secret" */
    CHECK(same(take(), "<auth xmlns=\"" SASL_NS "\" mechanism=\"PLAIN\">AGFsaWNlAHNlY3JldA==</auth>"));
    srv("<success xmlns='" SASL_NS "'/>");
    CHECK(same(take(), CHDR));
    srv(SHDR FEAT_BIND);
    CHECK(same(take(), BIND_OUT));
    srv(BIND_OK);
}

static void test_happy_plain(void)
{
    size_t chunk;
    for (chunk = 0; chunk <= 1; chunk++) {
        start(chunk, XMPP_TLS_NEVER);
        login_plain();
        CHECK(same(h.events, "ONLINE alice@a.test/r1\n"));
        CHECK(xmpp_stream_state_of(&h.s) == XMPP_STATE_ONLINE);
        /* a message in, a reply out */
        srv("<message from='bob@a.test/x' to='alice@a.test/r1' type='chat' id='m1'><body>hi</body></message>");
        CHECK(same(h.events, "ONLINE alice@a.test/r1\nSTANZA message m1\n"));
        {
            xmpp_builder *b = xmpp_stream_send_begin(&h.s);
            CHECK(b != NULL);
            xmpp_build_message(b, "bob@a.test/x", "chat", "m2", "hello");
            CHECK(xmpp_stream_send_end(&h.s) == XMPP_OK);
            CHECK(same(take(), "<message to=\"bob@a.test/x\" type=\"chat\" id=\"m2\"><body>hello</body></message>"));
        }
        /* XEP-0199: a server ping is answered, not reported */
        srv("<iq from='a.test' to='alice@a.test/r1' type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>");
        CHECK(same(take(), "<iq type=\"result\" id=\"p1\" to=\"a.test\"/>"));
        /* closing handshake */
        xmpp_stream_close(&h.s);
        CHECK(same(take(), "</stream:stream>"));
        CHECK(xmpp_stream_state_of(&h.s) == XMPP_STATE_CLOSING);
        srv("</stream:stream>");
        CHECK(same(h.events, "ONLINE alice@a.test/r1\nSTANZA message m1\nCLOSED ok\n"));
        CHECK(xmpp_stream_wants(&h.s) & XMPP_WANT_CLOSED);
    }
}

/* SCRAM: our own SCRAM server answers. */
static void scram_login(xmpp_sasl_mech mech, const char *mech_name, int tamper)
{
    xmpp_sasl_server v;
    xmpp_sasl_server_config sc;
    static const unsigned char salt[] = "0123456789abcdef";
    unsigned char raw[TEST_SASL_BUF], msg[TEST_SASL_BUF];   /* on the stack: the M0 image's deepest frame */
    char b64[TEST_SASL_BUF * 4 / 3 + 4], line[TEST_SASL_BUF * 2];
    size_t n = 0, m = 0;
    const char *p, *q;
    xmpp_err r;
    memset(&sc, 0, sizeof sc);
    sc.mech = mech;
    sc.username = xmpp_str_z("alice");
    sc.password = xmpp_str_z("secret");
    sc.salt = salt;
    sc.salt_len = 16;
    sc.iterations = 4096;
    sc.nonce = xmpp_str_z("serverNONCE");
    CHECK(xmpp_sasl_server_start(&v, &sc) == XMPP_OK);
    CHECK(init());
    take();
    sprintf(line, SHDR "<stream:features><mechanisms xmlns='" SASL_NS "'><mechanism>PLAIN</mechanism>"
                  "<mechanism>%s</mechanism></mechanisms></stream:features>", mech_name);
    srv(line);
    p = take();
    sprintf(line, "<auth xmlns=\"" SASL_NS "\" mechanism=\"%s\">", mech_name);
    CHECK(strncmp(p, line, strlen(line)) == 0);
    /* the initial response to our server, its challenge back */
    p = strchr(p, '>') + 1;
    q = strstr(p, "</auth>");
    CHECK(q && xmpp_b64_decode(p, (size_t)(q - p), raw, sizeof raw, &n) == XMPP_OK);
    CHECK(xmpp_sasl_server_step(&v, raw, n, msg, sizeof msg, &m) == XMPP_AGAIN);
    xmpp_b64_encode(msg, m, b64, sizeof b64, &n);
    sprintf(line, "<challenge xmlns='" SASL_NS "'>%.*s</challenge>", (int)n, b64);
    srv(line);
    p = take();
    CHECK(strncmp(p, "<response xmlns=\"" SASL_NS "\">", strlen("<response xmlns=\"" SASL_NS "\">")) == 0);
    p = strchr(p, '>') + 1;
    q = strstr(p, "</response>");
    CHECK(q && xmpp_b64_decode(p, (size_t)(q - p), raw, sizeof raw, &n) == XMPP_OK);
    r = xmpp_sasl_server_step(&v, raw, n, msg, sizeof msg, &m);
    CHECK(r == XMPP_OK);
    if (tamper) msg[4] = msg[4] == 'A' ? 'B' : 'A';   /* "v=" + a wrong signature, still base64 */
    xmpp_b64_encode(msg, m, b64, sizeof b64, &n);
    sprintf(line, "<success xmlns='" SASL_NS "'>%.*s</success>", (int)n, b64);
    srv(line);
}

static void test_happy_scram(void)
{
    size_t chunk;
    for (chunk = 0; chunk <= 1; chunk++) {
        start(chunk, XMPP_TLS_NEVER);
        scram_login(XMPP_SASL_SCRAM_SHA_1, "SCRAM-SHA-1", 0);
        CHECK(same(take(), CHDR));
        srv(SHDR FEAT_BIND);
        CHECK(same(take(), BIND_OUT));
        srv(BIND_OK);
        CHECK(same(h.events, "ONLINE alice@a.test/r1\n"));
        CHECK(strcmp(xmpp_stream_mechanism(&h.s), "SCRAM-SHA-1") == 0);
        start(chunk, XMPP_TLS_NEVER);
        scram_login(XMPP_SASL_SCRAM_SHA_256, "SCRAM-SHA-256", 0);
        CHECK(strcmp(xmpp_stream_mechanism(&h.s), "SCRAM-SHA-256") == 0);
        CHECK(same(take(), CHDR));
        CHECK(same(h.events, ""));
    }
}

/* The server's signature is wrong: not logged in, whatever it said. */
static void test_scram_bad_server(void)
{
    start(0, XMPP_TLS_NEVER);
    scram_login(XMPP_SASL_SCRAM_SHA_256, "SCRAM-SHA-256", 1);
    CHECK(same(h.events, "CLOSED not-authorized\n"));
    CHECK(same(take(), "</stream:stream>"));
}

static void test_sasl_failure(void)
{
    size_t chunk;
    for (chunk = 0; chunk <= 1; chunk++) {
        start(chunk, XMPP_TLS_NEVER);
        CHECK(init());
        take();
        srv(SHDR FEAT_PLAIN);
        take();
        srv("<failure xmlns='" SASL_NS "'><not-authorized/><text xml:lang='en'>wrong password</text></failure>");
        CHECK(same(h.events, "SASL_FAILURE not-authorized [wrong password]\nCLOSED not-authorized\n"));
        CHECK(same(take(), "</stream:stream>"));
        /* nothing more is taken; feed says why the stream ended */
        {
            size_t used = 9;
            CHECK(xmpp_stream_feed(&h.s, "<message/>", 10, &used) == XMPP_ERR_AUTH && used == 0);
        }
        srv("<message/>");
        CHECK(same(h.events, "SASL_FAILURE not-authorized [wrong password]\nCLOSED not-authorized\n"));
    }
}

/* RFC 6120 §6.5: every SASL failure condition, reported by name with its text. */
static void test_sasl_failure_conditions(void)
{
    static const char *const conds[] = {
        "aborted", "account-disabled", "credentials-expired", "encryption-required",
        "incorrect-encoding", "invalid-authzid", "invalid-mechanism", "malformed-request",
        "mechanism-too-weak", "not-authorized", "temporary-auth-failure" };
    size_t k;
    for (k = 0; k < sizeof conds / sizeof conds[0]; k++) {
        char doc[300], want[300];
        start(0, XMPP_TLS_NEVER);
        CHECK(init());
        take();
        srv(SHDR FEAT_PLAIN);
        take();
        sprintf(doc, "<failure xmlns='" SASL_NS "'><text xml:lang='en'>because %u</text><%s/></failure>",
                (unsigned)k, conds[k]);
        srv(doc);
        sprintf(want, "SASL_FAILURE %s [because %u]\nCLOSED not-authorized\n", conds[k], (unsigned)k);
        CHECK(same(h.events, want));
    }
}

/* The application's own TLS (no hook: tls_active, cfg.cb_data): SCRAM-*-PLUS bound to its
   tls-server-end-point data when offered; when -PLUS is not offered (stripped by a man in
   the middle?), the GS2 flag 'y' (RFC 5802 §6), which a server that can bind refuses. */
static void test_app_tls_channel_binding(void)
{
    static const unsigned char cb[32] = { 1, 2, 3 };
    unsigned char raw[256];
    size_t n = 0;
    const char *p, *q;
    int k;
    for (k = 0; k < 2; k++) {
        start(0, XMPP_TLS_NEVER);
        h.cfg.tls_active = 1;
        h.cfg.cb_data = cb;
        h.cfg.cb_len = sizeof cb;
        CHECK(init());
        take();
        srv(k == 0 ? SHDR "<stream:features><mechanisms xmlns='" SASL_NS "'><mechanism>SCRAM-SHA-1</mechanism>"
                     "<mechanism>SCRAM-SHA-1-PLUS</mechanism></mechanisms></stream:features>"
                   : SHDR "<stream:features><mechanisms xmlns='" SASL_NS "'><mechanism>SCRAM-SHA-1</mechanism>"
                     "</mechanisms></stream:features>");
        p = take();
        CHECK(strstr(p, k == 0 ? "mechanism=\"SCRAM-SHA-1-PLUS\"" : "mechanism=\"SCRAM-SHA-1\"") != NULL);
        p = strchr(p, '>');
        q = p ? strstr(p, "</auth>") : NULL;
        CHECK(q && xmpp_b64_decode(p + 1, (size_t)(q - p - 1), raw, sizeof raw, &n) == XMPP_OK);
        if (k == 0) CHECK(n > 24 && memcmp(raw, "p=tls-server-end-point,,", 24) == 0);
        else CHECK(n > 3 && memcmp(raw, "y,,", 3) == 0);
    }
}

/* cfg.mechanism: only that one (when offered, and allowed by the policy). */
static void test_forced_mechanism(void)
{
    start(0, XMPP_TLS_NEVER);
    h.cfg.mechanism = "PLAIN";   /* SCRAM-SHA-1 would win otherwise */
    CHECK(init());
    take();
    srv(SHDR "<stream:features><mechanisms xmlns='" SASL_NS "'><mechanism>SCRAM-SHA-1</mechanism>"
        "<mechanism>PLAIN</mechanism></mechanisms></stream:features>");
    CHECK(same(take(), "<auth xmlns=\"" SASL_NS "\" mechanism=\"PLAIN\">AGFsaWNlAHNlY3JldA==</auth>"));
    start(0, XMPP_TLS_NEVER);
    h.cfg.mechanism = "SCRAM-SHA-256";   /* not offered */
    CHECK(init());
    take();
    srv(SHDR "<stream:features><mechanisms xmlns='" SASL_NS "'><mechanism>SCRAM-SHA-1</mechanism>"
        "<mechanism>PLAIN</mechanism></mechanisms></stream:features>");
    CHECK(same(h.events, "CLOSED invalid-mechanism\n"));
    CHECK(strcmp(h.s.err.message, "the server does not offer the configured SASL mechanism") == 0);
    start(0, XMPP_TLS_NEVER);
    h.cfg.mechanism = "PLAIN";
    h.cfg.plain_clear = 0;   /* the policy still holds: no password in clear text */
    CHECK(init());
    take();
    srv(SHDR FEAT_PLAIN);
    CHECK(same(h.events, "CLOSED invalid-mechanism\n"));
}

/* A long offer (RFC 6120 §6.4.1: any number of <mechanism/>): the first 16 are weighed,
   so PLAIN as the 16th after 15 unknown ones is chosen. */
static void test_many_mechanisms(void)
{
    char *feat = trace;   /* (RAM is short on the M0) */
    int k;
    start(0, XMPP_TLS_NEVER);
    CHECK(init());
    take();
    strcpy(feat, SHDR "<stream:features><mechanisms xmlns='" SASL_NS "'>");
    for (k = 0; k < 15; k++) sprintf(feat + strlen(feat), "<mechanism>X-UNKNOWN-%d</mechanism>", k);
    strcat(feat, "<mechanism>PLAIN</mechanism></mechanisms></stream:features>");
    srv(feat);
    CHECK(same(h.events, ""));
    CHECK(same(take(), "<auth xmlns=\"" SASL_NS "\" mechanism=\"PLAIN\">AGFsaWNlAHNlY3JldA==</auth>"));
}

/* cfg.anonymous (RFC 4505): a JID that is just the domain, the server's name for us. */
static void test_anonymous(void)
{
    size_t chunk;
    for (chunk = 0; chunk <= 1; chunk++) {
        start(chunk, XMPP_TLS_NEVER);
        h.cfg.jid = xmpp_str_z("a.test");
        h.cfg.anonymous = 1;
        CHECK(init());
        CHECK(same(take(), CHDR));
        srv(SHDR "<stream:features><mechanisms xmlns='" SASL_NS "'><mechanism>PLAIN</mechanism>"
            "<mechanism>ANONYMOUS</mechanism></mechanisms></stream:features>");
        CHECK(same(take(), "<auth xmlns=\"" SASL_NS "\" mechanism=\"ANONYMOUS\">=</auth>"));
        srv("<success xmlns='" SASL_NS "'/>");
        CHECK(same(take(), CHDR));
        srv(SHDR FEAT_BIND);
        CHECK(same(take(), "<iq type=\"set\" id=\"bind-1\"><bind xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\"/></iq>"));
        srv("<iq type='result' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
            "<jid>7f3a9c@a.test/x1</jid></bind></iq>");
        CHECK(same(h.events, "ONLINE 7f3a9c@a.test/x1\n"));
    }
    start(0, XMPP_TLS_NEVER);   /* no ANONYMOUS offered: nothing else is tried */
    h.cfg.jid = xmpp_str_z("a.test");
    h.cfg.anonymous = 1;
    CHECK(init());
    take();
    srv(SHDR FEAT_PLAIN);
    CHECK(same(h.events, "CLOSED invalid-mechanism\n"));
    start(0, XMPP_TLS_NEVER);   /* a domain alone without anonymous: refused at init */
    h.cfg.jid = xmpp_str_z("a.test");
    CHECK(xmpp_stream_init(&h.s, &h.cfg, h.mem, sizeof h.mem) == XMPP_ERR_INVALID);
}

/* A stream error at every step of the negotiation. */
static void test_stream_error_every_step(void)
{
    static const char *const before[] = {   /* what the server sent before the error */
        SHDR, SHDR FEAT_PLAIN, SHDR FEAT_PLAIN "<success xmlns='" SASL_NS "'/>" SHDR,
        SHDR FEAT_PLAIN "<success xmlns='" SASL_NS "'/>" SHDR FEAT_BIND,
        SHDR FEAT_PLAIN "<success xmlns='" SASL_NS "'/>" SHDR FEAT_BIND BIND_OK };
    /* RFC 6120 §4.9.3: every defined condition, at every step of the login */
    static const char *const conds[] = {
        "bad-format", "bad-namespace-prefix", "conflict", "connection-timeout", "host-gone",
        "host-unknown", "improper-addressing", "internal-server-error", "invalid-from",
        "invalid-namespace", "invalid-xml", "not-authorized", "not-well-formed", "policy-violation",
        "remote-connection-failed", "reset", "resource-constraint", "restricted-xml",
        "see-other-host", "system-shutdown", "undefined-condition", "unsupported-encoding",
        "unsupported-feature", "unsupported-stanza-type", "unsupported-version" };
    size_t i, chunk, k;
    for (chunk = 0; chunk <= 1; chunk++)
        for (i = 0; i < sizeof before / sizeof before[0]; i++)
            for (k = 0; k < sizeof conds / sizeof conds[0]; k++) {
                char doc[1024], want[200];
                start(chunk, XMPP_TLS_NEVER);
                CHECK(init());
                sprintf(doc, "%s<stream:error><%s xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                             "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>why %u</text></stream:error>"
                             "</stream:stream>", before[i], conds[k], (unsigned)k);
                srv(doc);
                if (strcmp(conds[k], "see-other-host") == 0)   /* its text: the element's */
                    sprintf(want, "STREAM_ERROR see-other-host []\nCLOSED undefined-condition\n");
                else
                    sprintf(want, "STREAM_ERROR %s [why %u]\nCLOSED undefined-condition\n", conds[k], (unsigned)k);
                CHECK(strstr(h.events, want) != NULL);
                if (!strstr(h.events, want)) printf("step %u: %s\n", (unsigned)i, h.events);
                CHECK(xmpp_stream_wants(&h.s) & XMPP_WANT_CLOSED);
                take();
                CHECK(strstr(h.out, "</stream:stream>") != NULL);
            }
    /* see-other-host carries the host in its element */
    start(0, XMPP_TLS_NEVER);
    CHECK(init());
    srv(SHDR "<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>b.test:5222"
             "</see-other-host></stream:error>");
    CHECK(same(h.events, "STREAM_ERROR see-other-host [b.test:5222]\nCLOSED undefined-condition\n"));
}

/* Bad XML from the server: we send the stream error and close. */
static void test_garbage(void)
{
    size_t chunk;
    for (chunk = 0; chunk <= 1; chunk++) {
        start(chunk, XMPP_TLS_NEVER);
        CHECK(init());
        take();
        srv(SHDR "<stream:features><<");
        CHECK(same(h.events, "CLOSED not-well-formed\n"));
        CHECK(same(take(), "<stream:error><not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                           "</stream:error></stream:stream>"));
        start(chunk, XMPP_TLS_NEVER);
        CHECK(init());
        take();
        srv(SHDR "<!-- hi -->");
        CHECK(same(h.events, "CLOSED restricted-xml\n"));
        /* not a stream header, or no version 1.0 */
        start(chunk, XMPP_TLS_NEVER);
        CHECK(init());
        take();
        srv("<html>");
        CHECK(same(h.events, "CLOSED invalid-namespace\n"));
        start(chunk, XMPP_TLS_NEVER);
        CHECK(init());
        take();
        srv("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>");
        CHECK(same(h.events, "CLOSED unsupported-version\n"));
        /* something else where features belong */
        start(chunk, XMPP_TLS_NEVER);
        CHECK(init());
        srv(SHDR "<message/>");
        CHECK(same(h.events, "CLOSED undefined-condition\n"));
    }
}

static void test_timeouts(void)
{
    /* a server that never answers */
    start(0, XMPP_TLS_NEVER);
    CHECK(init());
    tick(999);
    CHECK(same(h.events, ""));
    tick(1);
    CHECK(same(h.events, "CLOSED connection-timeout\n"));
    /* one that stalls in the middle of SASL */
    start(0, XMPP_TLS_NEVER);
    CHECK(init());
    srv(SHDR FEAT_PLAIN);
    tick(500);
    CHECK(same(h.events, ""));
    tick(600);
    CHECK(same(h.events, "CLOSED connection-timeout\n"));
    /* we give up on a silent server: our side of the stream is closed (§4.4) */
    start(0, XMPP_TLS_NEVER);
    CHECK(init());
    take();
    tick(1000);
    CHECK(same(h.events, "CLOSED connection-timeout\n"));
    CHECK(same(closed_text, "the server did not answer in time"));
    CHECK(same(take(), "</stream:stream>"));
    /* a clock that does not start at 0: the timeout still runs from the first tick */
    start(0, XMPP_TLS_NEVER);
    drain();
    CHECK(xmpp_stream_init(&h.s, &h.cfg, h.mem, sizeof h.mem) == XMPP_OK);
    h.now = 86400000;
    xmpp_stream_tick(&h.s, h.now);
    drain();
    tick(999);
    CHECK(same(h.events, ""));
    tick(1);
    CHECK(same(h.events, "CLOSED connection-timeout\n"));
    /* closing: the server never closes its side */
    start(0, XMPP_TLS_NEVER);
    login_plain();
    xmpp_stream_close(&h.s);
    tick(1000);
    CHECK(same(h.events, "ONLINE alice@a.test/r1\nCLOSED connection-timeout\n"));
}

static void test_keepalive(void)
{
    start(0, XMPP_TLS_NEVER);
    h.cfg.ping_ms = 5000;
    login_plain();
    take();
    tick(4999);
    CHECK(same(take(), ""));
    tick(1);
    CHECK(same(take(), "<iq type=\"get\" id=\"ping-k\" to=\"a.test\"><ping xmlns=\"urn:xmpp:ping\"/></iq>"));
    srv("<iq type='result' id='ping-k' from='a.test'/>");
    tick(2000);
    CHECK(same(h.events, "ONLINE alice@a.test/r1\n"));   /* answered: no event */
    tick(5000);
    take();
    tick(1000);   /* this one is not answered */
    CHECK(same(h.events, "ONLINE alice@a.test/r1\nCLOSED connection-timeout\n"));
    /* XEP-0199 §4.2: a ping only after ping_ms of silence: a stanza received restarts it */
    start(0, XMPP_TLS_NEVER);
    h.cfg.ping_ms = 5000;
    login_plain();
    take();
    tick(4000);
    srv("<message id='m1'/>");
    tick(1000);
    CHECK(same(take(), ""));
    tick(3999);
    CHECK(same(take(), ""));
    tick(1);
    CHECK(same(take(), "<iq type=\"get\" id=\"ping-k\" to=\"a.test\"><ping xmlns=\"urn:xmpp:ping\"/></iq>"));
    CHECK(same(h.events, "ONLINE alice@a.test/r1\nSTANZA message m1\n"));
}

static void test_tls_policy(void)
{
    /* required, not offered: refused (no downgrade) */
    start(0, XMPP_TLS_REQUIRED);
    CHECK(init());
    srv(SHDR FEAT_PLAIN);
    CHECK(same(h.events, "CLOSED policy-violation\n"));
    /* offered: <starttls/>, <proceed/>, the application's TLS, then a new stream with from */
    start(0, XMPP_TLS_OPTIONAL);
    CHECK(init());
    take();
    srv(SHDR "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
             "<mechanisms xmlns='" SASL_NS "'><mechanism>PLAIN</mechanism></mechanisms></stream:features>");
    CHECK(same(take(), "<starttls xmlns=\"urn:ietf:params:xml:ns:xmpp-tls\"/>"));
    srv("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>\x16\x03\x01");   /* TLS bytes follow */
    CHECK(same(h.events, "STARTTLS\n"));
    CHECK(xmpp_stream_wants(&h.s) & XMPP_WANT_TLS);
    xmpp_stream_tls_done(&h.s);
    CHECK(same(take(), "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                       "xmlns:stream='http://etherx.jabber.org/streams' version='1.0' to='a.test' "
                       "from='alice@a.test' xml:lang='en'>"));
    /* never, but the server requires it */
    start(0, XMPP_TLS_NEVER);
    CHECK(init());
    srv(SHDR "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
             "</stream:features>");
    CHECK(same(h.events, "CLOSED policy-violation\n"));
    /* PLAIN in clear text is not chosen unless allowed */
    start(0, XMPP_TLS_NEVER);
    h.cfg.plain_clear = 0;
    CHECK(init());
    srv(SHDR FEAT_PLAIN);
    CHECK(same(h.events, "CLOSED invalid-mechanism\n"));
}

static void test_session_and_skip(void)
{
    static char big_own[TEST_BIG + 100 > TEST_TRACE ? TEST_BIG + 100 : 1];
    char *big = TEST_BIG + 100 > TEST_TRACE ? big_own : trace;   /* the trace test runs later: RAM is short on the M0 */
    start(0, XMPP_TLS_NEVER);
    h.cfg.arena = 1024;
    CHECK(init());
    take();
    srv(SHDR FEAT_PLAIN "<success xmlns='" SASL_NS "'/>");
    take();
    /* RFC 3921 session, required: after binding */
    srv(SHDR "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
             "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></stream:features>");
    take();
    srv(BIND_OK);
    CHECK(same(take(), "<iq type=\"set\" id=\"session-1\"><session xmlns=\"urn:ietf:params:xml:ns:xmpp-session\"/></iq>"));
    CHECK(same(h.events, ""));
    srv("<iq type='result' id='session-1'/>");
    CHECK(same(h.events, "ONLINE alice@a.test/r1\n"));
    /* a stanza bigger than the arena is skipped; the next one arrives */
    strcpy(big, "<message id='big'><body>");
    memset(big + strlen(big), 'x', TEST_BIG);
    strcat(big, "</body></message><message id='small'/>");
    srv(big);
    CHECK(same(h.events, "ONLINE alice@a.test/r1\nSKIPPED\nSTANZA message small\n"));
}

/* The trace: state changes with their RFC section, chunks in and out, SASL masked. */
static int trace_full;
static void tracer(void *ctx, int kind, const char *text, size_t n)
{
    static const char *const kinds[] = { "?", "STATE", "IN", "OUT", "SASL_IN", "SASL_OUT" };
    size_t len = strlen(trace), i;
    (void)ctx;
    if (len + 2 * n + 12 >= sizeof trace) { trace_full = 1; return; }
    len += (size_t)sprintf(trace + len, "%s ", kinds[kind >= 1 && kind <= 5 ? kind : 0]);
    for (i = 0; i < n; i++) {   /* NUL (PLAIN's separator) as \0 */
        if (text[i]) trace[len++] = text[i];
        else { trace[len++] = '\\'; trace[len++] = '0'; }
    }
    trace[len++] = '\n';
    trace[len] = 0;
}

static void test_trace(void)
{
    start(0, XMPP_TLS_NEVER);
    trace[0] = 0;
    h.cfg.trace = tracer;
    login_plain();
    CHECK(strstr(trace, "STATE §4.3.2 waiting for <stream:features/>\n") != NULL);
    CHECK(strstr(trace, "STATE §6.4 SASL exchange\n") != NULL);
    CHECK(strstr(trace, "STATE §7.6 resource binding\n") != NULL);
    CHECK(strstr(trace, "STATE online (§8 stanzas)\n") != NULL);
    CHECK(strstr(trace, "OUT (SASL message, not shown)\n") != NULL);
    CHECK(strstr(trace, "AGFsaWNlAHNlY3JldA==") == NULL);   /* the password never shows */
    CHECK(strstr(trace, "IN <success xmlns='" SASL_NS "'/>\n") != NULL);
    CHECK(strstr(trace, "OUT " BIND_OUT "\n") != NULL);
    CHECK(strstr(trace, "SASL_OUT \\0alice\\0(hidden)\n") != NULL);   /* decoded, password hidden */
    CHECK(strstr(trace, "secret") == NULL);
    CHECK(!trace_full);
    {   /* a stanza of the application: shown as it goes out (only SASL is masked) */
        xmpp_builder *b = xmpp_stream_send_begin(&h.s);
        CHECK(b != NULL);
        xmpp_build_message(b, "bob@a.test", "chat", "m9", "hi");
        CHECK(xmpp_stream_send_end(&h.s) == XMPP_OK);
        CHECK(strstr(trace, "OUT <message to=\"bob@a.test\" type=\"chat\" id=\"m9\"><body>hi</body></message>\n") != NULL);
    }
    /* the last two states: closing, then closed when the server closes too */
    xmpp_stream_close(&h.s);
    CHECK(strstr(trace, "STATE §4.4 closing: </stream:stream> sent\n") != NULL);
    srv("</stream:stream>");
    CHECK(strstr(trace, "STATE closed\n") != NULL);
    CHECK(!trace_full);
#ifndef TEST_SMALL   /* (the M0 image has neither the RAM nor the output buffer for it) */
    {   /* a username so long that "(hidden)" has no room: the password is cut off anyway */
        static char jid[520];
        memset(jid, 'a', 503);
        strcpy(jid + 503, "@a.test/r1");
        start(0, XMPP_TLS_NEVER);
        trace[0] = 0;
        h.cfg.trace = tracer;
        h.cfg.jid = xmpp_str_z(jid);
        h.cfg.password = xmpp_str_z("hunter2");
        CHECK(init());
        take();
        srv(SHDR FEAT_PLAIN);
        CHECK(strstr(trace, "SASL_OUT \\0aaaa") != NULL);
        CHECK(strstr(trace, "hunter2") == NULL);
    }
#endif
    /* SCRAM: the server's messages decoded, our proof hidden */
    start(0, XMPP_TLS_NEVER);
    trace[0] = 0;
    h.cfg.trace = tracer;
    scram_login(XMPP_SASL_SCRAM_SHA_1, "SCRAM-SHA-1", 0);
    CHECK(same(h.events, ""));
    CHECK(strstr(trace, "SASL_OUT n,,n=alice,r=") != NULL);
    {   /* the client-first message has no secret: shown whole, nothing "(hidden)" */
        const char *first = strstr(trace, "SASL_OUT n,,n=alice,r="), *eol = first ? strchr(first, '\n') : NULL;
        CHECK(eol && eol - first > 22 && memchr(first, '(', (size_t)(eol - first)) == NULL);
    }
    CHECK(strstr(trace, "SASL_IN r=") != NULL && strstr(trace, ",s=MDEyMzQ1Njc4OWFiY2RlZg==,i=4096\n") != NULL);
    CHECK(strstr(trace, "SASL_OUT c=biws,r=") != NULL && strstr(trace, ",p=(hidden)\n") != NULL);
    CHECK(strstr(trace, "SASL_IN v=") != NULL);
    CHECK(strstr(trace, "secret") == NULL);
    CHECK(!trace_full);   /* nothing cut: the checks above saw it all */
}

/* §7.6.1: the bound JID must be the account we logged in as (case aside): a server (or a
   client certificate, with EXTERNAL) naming someone else must not log us in as them. */
static void test_bind_other_account(void)
{
    size_t chunk;
    for (chunk = 0; chunk <= 1; chunk++) {
        start(chunk, XMPP_TLS_NEVER);
        CHECK(init());
        take();
        srv(SHDR FEAT_PLAIN);
        take();
        srv("<success xmlns='" SASL_NS "'/>");
        take();
        srv(SHDR FEAT_BIND);
        take();
        srv("<iq type='result' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
            "<jid>bob@a.test/r1</jid></bind></iq>");
        CHECK(same(h.events, "CLOSED not-authorized\n"));
        CHECK(same(take(), "<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                           "</stream:error></stream:stream>"));
        start(chunk, XMPP_TLS_NEVER);   /* the same account in other case: fine */
        CHECK(init());
        take();
        srv(SHDR FEAT_PLAIN "<success xmlns='" SASL_NS "'/>" SHDR FEAT_BIND
            "<iq type='result' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
            "<jid>Alice@A.TEST/r1</jid></bind></iq>");
        CHECK(same(h.events, "ONLINE Alice@A.TEST/r1\n"));
    }
}

/* A negotiation message that does not fit the output buffer ends the stream (nothing is
   sent halfway): <auth/> with a password too long for a 256-byte output buffer. */
static void test_no_room_for_auth(void)
{
    char *pw = trace;   /* (RAM is short on the M0) */
    memset(pw, 'p', 300);
    pw[300] = 0;
    start(0, XMPP_TLS_NEVER);
    h.cfg.out = 256;
    h.cfg.password = xmpp_str_z(pw);
    CHECK(init());
    CHECK(same(take(), CHDR));
    srv(SHDR FEAT_PLAIN);
    CHECK(same(h.events, "CLOSED resource-constraint\n"));
    CHECK(xmpp_stream_state_of(&h.s) == XMPP_STATE_CLOSED);
    CHECK(xmpp_stream_wants(&h.s) & XMPP_WANT_CLOSED);
    CHECK(same(take(), "</stream:stream>"));
}

/* Our stream header that does not fit the output buffer ends the stream too, and it
   stays ended: at the restart after SASL (the <auth/> still queued, as when the socket
   is slow, leaves no room for it) and at init. */
static void test_no_room_for_header(void)
{
    size_t n;
    start(0, XMPP_TLS_NEVER);
    h.cfg.out = 200;
    CHECK(init());
    CHECK(same(take(), CHDR));
    srv(SHDR FEAT_PLAIN);   /* <auth/> queued, not written */
    CHECK(xmpp_stream_output(&h.s, &n) != NULL && n > 200 - sizeof CHDR);
    srv("<success xmlns='" SASL_NS "'/>");
    CHECK(same(h.events, "CLOSED resource-constraint\n"));
    CHECK(xmpp_stream_state_of(&h.s) == XMPP_STATE_CLOSED);
    CHECK(xmpp_stream_wants(&h.s) & XMPP_WANT_CLOSED);
    srv(SHDR FEAT_BIND BIND_OK);   /* nothing more happens */
    CHECK(same(h.events, "CLOSED resource-constraint\n"));
    CHECK(xmpp_stream_state_of(&h.s) == XMPP_STATE_CLOSED);
    CHECK(strstr(take(), "<iq") == NULL);
    /* at init: the first header does not fit */
    start(0, XMPP_TLS_NEVER);
    h.cfg.out = 64;
    drain();
    CHECK(xmpp_stream_init(&h.s, &h.cfg, h.mem, sizeof h.mem) == XMPP_ERR_NOSPACE);
    CHECK(xmpp_stream_state_of(&h.s) == XMPP_STATE_CLOSED);
    CHECK(xmpp_stream_wants(&h.s) & XMPP_WANT_CLOSED);
    drain();
    CHECK(same(h.events, "CLOSED resource-constraint\n"));
    h.events[0] = 0;
}

/* RFC 6120 §7.6.2: a bind answered with an error (here §7.6.2.2 conflict, the request
   echoed) is no login, whatever the iq carries; RFC 3921 §3: the same for the session. */
static void test_bind_session_errors(void)
{
    start(0, XMPP_TLS_NEVER);
    CHECK(init());
    take();
    srv(SHDR FEAT_PLAIN "<success xmlns='" SASL_NS "'/>");
    take();
    srv(SHDR FEAT_BIND);
    CHECK(same(take(), BIND_OUT));
    srv("<iq type='error' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>alice@a.test/r1</jid>"
        "</bind><error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>");
    CHECK(same(h.events, "CLOSED undefined-condition\n"));
    CHECK(same(closed_text, "resource binding failed (iq error)"));
    CHECK(xmpp_stream_state_of(&h.s) == XMPP_STATE_CLOSED);
    start(0, XMPP_TLS_NEVER);
    CHECK(init());
    take();
    srv(SHDR FEAT_PLAIN "<success xmlns='" SASL_NS "'/>");
    take();
    srv(SHDR "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
        "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></stream:features>");
    take();
    srv(BIND_OK);
    CHECK(same(h.events, ""));
    take();
    srv("<iq type='error' id='session-1'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/>"
        "<error type='wait'><internal-server-error xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>");
    CHECK(same(h.events, "CLOSED undefined-condition\n"));
    CHECK(xmpp_stream_state_of(&h.s) == XMPP_STATE_CLOSED);
    CHECK(same(take(), "</stream:stream>"));
}

/* <success>=</success> (Prosody 0.10 sends it; "=" is data present and empty, as in
   §6.4.2): PLAIN succeeds, the stream restarts. */
static void test_success_equals(void)
{
    start(0, XMPP_TLS_NEVER);
    CHECK(init());
    take();
    srv(SHDR FEAT_PLAIN);
    take();
    srv("<success xmlns='" SASL_NS "'>=</success>");
    CHECK(same(h.events, ""));
    CHECK(same(take(), CHDR));
    srv(SHDR FEAT_BIND);
    CHECK(same(take(), BIND_OUT));
    srv(BIND_OK);
    CHECK(same(h.events, "ONLINE alice@a.test/r1\n"));
}

/* XEP-0199 §4.3 with RFC 6120 §8.1.2.1: a ping with no 'from' is from our server; the
   result goes back with no 'to'. */
static void test_ping_without_from(void)
{
    start(0, XMPP_TLS_NEVER);
    login_plain();
    take();
    srv("<iq type='get' id='p2'><ping xmlns='urn:xmpp:ping'/></iq>");
    CHECK(same(take(), "<iq type=\"result\" id=\"p2\"/>"));
    CHECK(same(h.events, "ONLINE alice@a.test/r1\n"));
}

/* The buffers in mem are apart: a stanza that nearly fills the arena leaves what waits in
   the output buffer as it was. */
static void test_buffers_apart(void)
{
    char *big = trace;   /* (RAM is short on the M0) */
    size_t body;
    start(0, XMPP_TLS_NEVER);
    body = (h.cfg.arena ? h.cfg.arena : 4096) - 400;
    if (body + 100 > sizeof trace) body = sizeof trace - 100;
    login_plain();
    take();
    {
        xmpp_builder *b = xmpp_stream_send_begin(&h.s);
        CHECK(b != NULL);
        xmpp_build_message(b, "bob@a.test/x", "chat", "m2", "hello");
        CHECK(xmpp_stream_send_end(&h.s) == XMPP_OK);
    }
    strcpy(big, "<message id='big'><body>");
    memset(big + strlen(big), 'x', body);
    strcpy(big + strlen("<message id='big'><body>") + body, "</body></message>");
    srv(big);
    CHECK(same(h.events, "ONLINE alice@a.test/r1\nSTANZA message big\n"));
    CHECK(same(take(), "<message to=\"bob@a.test/x\" type=\"chat\" id=\"m2\"><body>hello</body></message>"));
}

static void test_misuse(void)
{
    start(0, XMPP_TLS_NEVER);
    h.cfg.jid = xmpp_str_z("a.test");   /* no localpart */
    CHECK(!init());
    start(0, XMPP_TLS_NEVER);
    h.cfg.rng = NULL;
    CHECK(!init());
    {   /* a client whose init failed is over, for the reason init gave */
        size_t used = 9;
        CHECK(xmpp_stream_feed(&h.s, "<a>", 3, &used) == XMPP_ERR_INVALID && used == 0);
        CHECK(xmpp_stream_wants(&h.s) & XMPP_WANT_CLOSED);
    }
    start(0, XMPP_TLS_NEVER);
    CHECK(xmpp_stream_init(&h.s, &h.cfg, h.mem, xmpp_stream_mem_size(&h.cfg) - 1) == XMPP_ERR_INVALID);
    CHECK(xmpp_stream_init(&h.s, &h.cfg, h.mem, xmpp_stream_mem_size(&h.cfg)) == XMPP_OK);
    CHECK(xmpp_stream_send_begin(&h.s) == NULL);   /* not online yet */
    {
        char id[18];
        CHECK(xmpp_stream_make_id(&h.s, id, sizeof id) == id && id[0] == 'x' && strlen(id) == 17);
        CHECK(xmpp_stream_make_id(&h.s, id, 17) == NULL);
    }
}

int main(void)
{
    RUN(test_happy_plain);
    RUN(test_happy_scram);
    RUN(test_scram_bad_server);
    RUN(test_sasl_failure);
    RUN(test_stream_error_every_step);
    RUN(test_garbage);
    RUN(test_timeouts);
    RUN(test_keepalive);
    RUN(test_tls_policy);
    RUN(test_session_and_skip);
    RUN(test_trace);
    RUN(test_bind_other_account);
    RUN(test_sasl_failure_conditions);
    RUN(test_forced_mechanism);
    RUN(test_app_tls_channel_binding);
    RUN(test_anonymous);
    RUN(test_many_mechanisms);
    RUN(test_no_room_for_auth);
    RUN(test_no_room_for_header);
    RUN(test_bind_session_errors);
    RUN(test_success_equals);
    RUN(test_ping_without_from);
    RUN(test_buffers_apart);
    RUN(test_misuse);
    return check_done();
}
