/* test_stream_tls.c - the client stream running TLS itself through the hook (cfg.tls_hook,
   the BearSSL backend), against a scripted server in one process whose TLS is a BearSSL
   server engine (tests/tlsserver.h). The test reads the server's side in plaintext: what
   the client sent before STARTTLS, and what the server engine decrypted after it.
     - STARTTLS, then SCRAM-SHA-256-PLUS bound to tls-server-end-point (listed by XEP-0440)
       and to tls-unique (no list), checked by our own SCRAM server with the server
       engine's binding data; bind, a message both ways, the close both ways with TLS's
       close_notify after our </stream:stream>; with full and half-duplex buffers, and
       the server's records fed whole and one byte at a time;
     - direct TLS (XEP-0368): ALPN xmpp-client, the stream header only after the handshake;
     - SASL EXTERNAL with a client certificate (the server requires and verifies it);
     - failures, each with its exact error and no plaintext on the wire after STARTTLS:
       unknown CA, wrong name, expired certificate, TLS required but not offered, the
       server dropping the connection mid-handshake, a broken record, a server that ends
       TLS under the stream.
   Run: test_stream_tls [DIR]   (DIR: keep the certificates; default a fresh temp dir) */
#define XMPP_IMPLEMENTATION
#define XMPP_BEARSSL
#include "../xmpp.h"
#include "check.h"
#include "tlsserver.h"

#define SASL_NS "urn:ietf:params:xml:ns:xmpp-sasl"
#define SHDR "<?xml version='1.0'?><stream:stream xmlns='jabber:client' " \
             "xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='a.test' version='1.0'>"
#define CHDR "<?xml version='1.0'?><stream:stream xmlns='jabber:client' " \
             "xmlns:stream='http://etherx.jabber.org/streams' version='1.0' to='a.test' xml:lang='en'>"
#define CHDR_TLS "<?xml version='1.0'?><stream:stream xmlns='jabber:client' " \
                 "xmlns:stream='http://etherx.jabber.org/streams' version='1.0' to='a.test' " \
                 "from='alice@a.test' xml:lang='en'>"
#define FEAT_TLS "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>" \
                 "<mechanisms xmlns='" SASL_NS "'><mechanism>PLAIN</mechanism></mechanisms></stream:features>"
#define STARTTLS_OUT "<starttls xmlns=\"urn:ietf:params:xml:ns:xmpp-tls\"/>"
#define PROCEED "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
#define FEAT_BIND "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>"
#define BIND_OUT "<iq type=\"set\" id=\"bind-1\"><bind xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\">" \
                 "<resource>r1</resource></bind></iq>"
#define BIND_OK "<iq type='result' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>" \
                "<jid>alice@a.test/r1</jid></bind></iq>"

/* ---- the client: a stream with the BearSSL backend as its hook */

static void pump(void);

static struct {
    xmpp_tls_bearssl tb;
    unsigned char tbuf[BR_SSL_BUFSIZE_BIDI];
    xmpp_stream s;
    xmpp_stream_config cfg;
    unsigned char mem[24000];
    char events[2048];
    ident me;                    /* client certificate (SASL EXTERNAL) */
} cl;

static void rng(void *ctx, unsigned char *buf, size_t n)
{
    unsigned *st = (unsigned *)ctx;
    while (n--) { *st = *st * 1103515245u + 12345u; *buf++ = (unsigned char)(*st >> 16); }
}
static unsigned rng_state;

static int echoing, echo_lost;   /* answer every message (the echo bot's way) */

static void drain(void)
{
    xmpp_stream_event e;
    char line[300];
    while (xmpp_stream_next(&cl.s, &e)) {
        switch (e.kind) {
        case XMPP_STREAM_ONLINE: sprintf(line, "ONLINE %.*s\n", (int)e.jid.n, e.jid.p); break;
        case XMPP_STREAM_STANZA: {
            xmpp_str b = xmpp_node_text(xmpp_node_child(e.stanza, NULL, "body"));
            sprintf(line, "STANZA %.*s\n", (int)b.n, b.p ? b.p : "");
            if (echoing) {
                xmpp_builder *bl = xmpp_stream_send_begin(&cl.s);
                if (bl) {
                    xmpp_build_start(bl, XMPP_XMLNS_CLIENT, "message");
                    xmpp_build_attr(bl, NULL, "to", "bob@a.test");
                    xmpp_build_start(bl, XMPP_XMLNS_CLIENT, "body");
                    xmpp_build_text(bl, b);
                    xmpp_build_end(bl);
                    xmpp_build_end(bl);
                }
                if (!bl || xmpp_stream_send_end(&cl.s) != XMPP_OK) echo_lost++;
            }
            break;
        }
        case XMPP_STREAM_CLOSED:
            sprintf(line, "CLOSED %s: %.*s\n", e.err ? xmpp_strerror(e.err) : "ok", (int)e.text.n, e.text.p);
            break;
        default: sprintf(line, "EVENT %d\n", (int)e.kind); break;
        }
        if (strlen(cl.events) + strlen(line) < sizeof cl.events) strcat(cl.events, line);
    }
}

typedef struct {
    size_t tls_size;      /* the backend's buffer (0: full duplex, 16 KiB records) */
    int bidi;
    int direct;           /* XEP-0368 */
    int cert;             /* a client certificate, for SASL EXTERNAL */
    const char *anchor;   /* the CA file (default ca.crt) */
    const char *jid;      /* default alice@a.test/r1 */
    const char *mechanism;   /* cfg.mechanism */
    int64_t now;          /* the clock for validity (default: now) */
    uint32_t ping_ms;     /* cfg.ping_ms */
} opts;

static int client_start(const opts *o)
{
    xmpp_tls_bearssl_config tc;
    static br_x509_trust_anchor other[2];
    static unsigned char store[2048], pem[8192];
    size_t n, used;
    const char *why;
    memset(&tc, 0, sizeof tc);
    tc.anchors = ca_anchor;
    tc.nanchors = nca;
    if (o->anchor) {
        n = slurp(o->anchor, pem, sizeof pem);
        if (xmpp_tls_bearssl_anchors((const char *)pem, n, other, 2, &tc.nanchors, store, sizeof store, &used, &why))
            return 0;
        tc.anchors = other;
    }
    tc.now = o->now ? o->now : (int64_t)time(NULL);
    if (o->cert) {
        if (!load_ident(&cl.me, "client.crt", "client.key")) return 0;
        tc.chain = cl.me.chain;
        tc.nchain = cl.me.nchain;
        tc.key = &cl.me.key;
    }
    if (xmpp_tls_bearssl_init(&cl.tb, &tc, cl.tbuf, o->tls_size ? o->tls_size : sizeof cl.tbuf,
                              o->tls_size ? o->bidi : 1))
        return 0;
    memset(&cl.cfg, 0, sizeof cl.cfg);
    cl.cfg.jid = xmpp_str_z(o->jid ? o->jid : "alice@a.test/r1");
    cl.cfg.password = xmpp_str_z("secret");
    rng_state = 7;
    cl.cfg.rng = rng;
    cl.cfg.rng_ctx = &rng_state;
    cl.cfg.tls_hook = &cl.tb.tls;
    cl.cfg.direct_tls = (uint8_t)o->direct;
    cl.cfg.client_cert = (uint8_t)o->cert;
    cl.cfg.mechanism = o->mechanism;
    cl.cfg.timeout_ms = 1000;
    cl.cfg.ping_ms = o->ping_ms;
    cl.events[0] = 0;
    if (xmpp_stream_init(&cl.s, &cl.cfg, cl.mem, sizeof cl.mem)) return 0;
    xmpp_stream_tick(&cl.s, 0);
    if (!o->direct) pump();   /* our header, in plaintext */
    return 1;
}

/* ---- the wire between them. Before STARTTLS the server side is plain bytes; after it,
   the BearSSL server engine srv (tlsserver.h). */

static int tls_on;                         /* the server runs TLS */
static size_t chunk;                       /* server bytes per feed (0: as they come) */
static char heard[8192];                   /* plaintext the server received, since the last take */
static size_t nheard;
static char say_buf[8192];                 /* plaintext the server is to send (before TLS) */
static size_t nsay;
static unsigned char wire_out[65536];      /* every byte the client put on the wire */
static size_t nwire;
static int server_eof;                     /* the server closed the TCP connection */
static int flip_record;                    /* corrupt the next server record */

static void heard_put(const void *p, size_t n)
{
    if (nheard + n < sizeof heard) { memcpy(heard + nheard, p, n); nheard += n; heard[nheard] = 0; }
}

/* Feed the client, chunk bytes at a time; 0 if it took nothing. */
static size_t to_client(const unsigned char *p, size_t n)
{
    size_t off = 0, used;
    while (off < n) {
        size_t k = chunk && n - off > chunk ? chunk : n - off;
        xmpp_stream_feed(&cl.s, p + off, k, &used);
        drain();
        off += used;
        if (!used) break;
    }
    return off;
}

/* Move bytes both ways until nothing moves. */
static void pump(void)
{
    int moved = 1, rounds = 0;
    br_ssl_engine_context *se = &srv.sc.eng;
    while (moved && rounds++ < 100000) {
        const unsigned char *p;
        unsigned char *q;
        size_t n, k;
        moved = 0;
        if ((p = xmpp_stream_output(&cl.s, &n)) != NULL && n) {   /* client -> server */
            if (!tls_on) {
                heard_put(p, n);
                k = n;
            } else if ((br_ssl_engine_current_state(se) & BR_SSL_RECVREC) &&
                       (q = br_ssl_engine_recvrec_buf(se, &k)) != NULL) {
                if (k > n) k = n;
                memcpy(q, p, k);
                br_ssl_engine_recvrec_ack(se, k);
            } else {
                k = 0;
            }
            if (k) {
                if (nwire + k <= sizeof wire_out) memcpy(wire_out + nwire, p, k);
                nwire += k;
                xmpp_stream_output_ack(&cl.s, k);
                moved = 1;
            }
        }
        if (nsay) {                     /* server -> client: plaintext from before TLS first */
            k = to_client((const unsigned char *)say_buf, nsay);
            memmove(say_buf, say_buf + k, nsay - k);
            nsay -= k;
            moved |= k != 0;
        } else if (tls_on && (q = br_ssl_engine_sendrec_buf(se, &n)) != NULL) {
            if (flip_record && xmpp_tls_state(&cl.tb.tls) == XMPP_TLS_OPEN && n > 10) {
                q[n - 1] ^= 0x40;
                flip_record = 0;
            }
            k = to_client(q, n);
            if (k) { br_ssl_engine_sendrec_ack(se, k); moved = 1; }
        }
        if (tls_on && (q = br_ssl_engine_recvapp_buf(se, &n)) != NULL) {
            heard_put(q, n);
            br_ssl_engine_recvapp_ack(se, n);
            moved = 1;
        }
        if (xmpp_stream_wants(&cl.s) & XMPP_WANT_FEED) {   /* stanzas held in the backend */
            size_t used;
            xmpp_stream_feed(&cl.s, NULL, 0, &used);
            drain();
            moved = 1;
        }
        drain();
    }
}

/* The server sends text: in plaintext before TLS, as application data after. */
static void say(const char *text)
{
    size_t len = strlen(text), off = 0, n;
    unsigned char *q;
    if (!tls_on) {
        if (nsay + len <= sizeof say_buf) { memcpy(say_buf + nsay, text, len); nsay += len; }
        pump();
        return;
    }
    while (off < len && (q = br_ssl_engine_sendapp_buf(&srv.sc.eng, &n)) != NULL) {
        if (n > len - off) n = len - off;
        memcpy(q, text + off, n);
        br_ssl_engine_sendapp_ack(&srv.sc.eng, n);
        off += n;
        br_ssl_engine_flush(&srv.sc.eng, 0);
        pump();
    }
    pump();
}

/* What the server heard since the last call. */
static const char *take(void)
{
    static char got[8192];
    memcpy(got, heard, nheard + 1);
    nheard = 0;
    heard[0] = 0;
    return got;
}

static int same(const char *got, const char *want)
{
    if (strcmp(got, want) == 0) return 1;
    printf("chunk %lu\nwant: %s\ngot:  %s\n", (unsigned long)chunk, want, got);
    return 0;
}

static void wire_reset(void)
{
    tls_on = 0;
    nheard = nsay = nwire = 0;
    heard[0] = 0;
    server_eof = flip_record = 0;
}

/* The server side of the handshake begins (after <proceed/>, or at once for direct TLS):
   what it said in plaintext still goes out first. */
static int server_tls(const char *crt, const char *key, int client_auth, const char *alpn)
{
    if (!server_start(crt, key, client_auth, alpn)) return 0;
    tls_on = 1;
    pump();
    return 1;
}

/* <proceed/>, and the server's TLS right behind it */
static int proceed(const char *crt, const char *key, int client_auth)
{
    size_t n = strlen(PROCEED);
    memcpy(say_buf + nsay, PROCEED, n);
    nsay += n;
    return server_tls(crt, key, client_auth, NULL);
}

/* Plaintext up to <proceed/>, then the handshake with the server certificate crt. */
static void starttls(const char *crt, const char *key, int client_auth)
{
    CHECK(same(take(), CHDR));
    say(SHDR FEAT_TLS);
    CHECK(same(take(), STARTTLS_OUT));
    CHECK(proceed(crt, key, client_auth));
}

/* nothing after <starttls/> went out in plaintext: every byte after it is a TLS record
   (content types 20..23, version 3.x) */
static int only_records_after(size_t from)
{
    size_t i = from;
    while (i + 5 <= nwire && i + 5 <= sizeof wire_out) {
        if (wire_out[i] < 20 || wire_out[i] > 23 || wire_out[i + 1] != 3) return 0;
        i += 5 + ((size_t)wire_out[i + 3] << 8 | wire_out[i + 4]);
    }
    return i == nwire;
}

/* The base64 payload of <auth/> or <response/> in p, decoded; 0 if there is none. */
static int payload(const char *p, const char *end_tag, unsigned char *raw, size_t size, size_t *n)
{
    const char *q = strchr(p, '>'), *e = q ? strstr(q, end_tag) : NULL;
    if (!e) { printf("no %s in: %s\n", end_tag, p); return 0; }
    return xmpp_b64_decode(q + 1, (size_t)(e - q - 1), raw, size, n) == XMPP_OK;
}

/* SCRAM-SHA-256-PLUS through our SCRAM server, which checks the binding data cb. */
static void scram_plus(const char *features, const char *cb_type, const unsigned char *cb, size_t cb_len)
{
    xmpp_sasl_server v;
    xmpp_sasl_server_config sc;
    static const unsigned char salt[] = "0123456789abcdef";
    unsigned char raw[512], msg[512];
    char b64[700], line[1024], gs2[64];
    size_t n = 0, m = 0;
    const char *p;
    memset(&sc, 0, sizeof sc);
    sc.mech = XMPP_SASL_SCRAM_SHA_256_PLUS;
    sc.username = xmpp_str_z("alice");
    sc.password = xmpp_str_z("secret");
    sc.salt = salt;
    sc.salt_len = 16;
    sc.iterations = 4096;
    sc.nonce = xmpp_str_z("serverNONCE");
    sc.cb_data = cb;
    sc.cb_len = cb_len;
    sc.cb_type = xmpp_str_z(cb_type);
    CHECK(xmpp_sasl_server_start(&v, &sc) == XMPP_OK);
    say(features);
    p = take();
    CHECK(strncmp(p, "<auth xmlns=\"" SASL_NS "\" mechanism=\"SCRAM-SHA-256-PLUS\">", 70) == 0);
    CHECK(payload(p, "</auth>", raw, sizeof raw, &n));
    snprintf(gs2, sizeof gs2, "p=%s,,", cb_type);
    CHECK(n > strlen(gs2) && memcmp(raw, gs2, strlen(gs2)) == 0);
    CHECK(xmpp_sasl_server_step(&v, raw, n, msg, sizeof msg, &m) == XMPP_AGAIN);
    xmpp_b64_encode(msg, m, b64, sizeof b64, &n);
    sprintf(line, "<challenge xmlns='" SASL_NS "'>%.*s</challenge>", (int)n, b64);
    say(line);
    CHECK(payload(take(), "</response>", raw, sizeof raw, &n));
    CHECK(xmpp_sasl_server_step(&v, raw, n, msg, sizeof msg, &m) == XMPP_OK);   /* binding checked */
    xmpp_b64_encode(msg, m, b64, sizeof b64, &n);
    sprintf(line, "<success xmlns='" SASL_NS "'>%.*s</success>", (int)n, b64);
    say(line);
}

/* After SASL: restart, bind, a message each way, the close both ways. */
static void bind_message_close(void)
{
    xmpp_builder *b;
    size_t before;
    CHECK(same(take(), CHDR_TLS));
    say(SHDR FEAT_BIND);
    CHECK(same(take(), BIND_OUT));
    say(BIND_OK);
    CHECK(same(cl.events, "ONLINE alice@a.test/r1\n"));
    say("<message from='bob@a.test/x'><body>over TLS &amp; back</body></message>");
    CHECK(strstr(cl.events, "STANZA over TLS & back\n") != NULL);
    b = xmpp_stream_send_begin(&cl.s);
    CHECK(b != NULL);
    if (!b) return;
    xmpp_build_message(b, "bob@a.test", "chat", "m1", "hi bob");
    CHECK(xmpp_stream_send_end(&cl.s) == XMPP_OK);
    pump();
    CHECK(same(take(), "<message to=\"bob@a.test\" type=\"chat\" id=\"m1\"><body>hi bob</body></message>"));
    xmpp_stream_close(&cl.s);
    pump();
    CHECK(same(take(), "</stream:stream>"));
    before = nwire;
    say("</stream:stream>");
    CHECK(strstr(cl.events, "CLOSED ok") != NULL);
    CHECK(xmpp_stream_wants(&cl.s) == XMPP_WANT_CLOSED);   /* everything sent */
    CHECK(nwire > before);                                  /* the close_notify */
    {   /* the server's own close_notify goes nowhere: we are closed, feed takes nothing */
        size_t n, used = 1;
        const unsigned char *q = br_ssl_engine_sendrec_buf(&srv.sc.eng, &n);
        CHECK(q != NULL);
        if (q) CHECK(xmpp_stream_feed(&cl.s, q, n, &used) == XMPP_OK && used == 0);
        while (br_ssl_engine_sendrec_buf(&srv.sc.eng, &n)) br_ssl_engine_sendrec_ack(&srv.sc.eng, n);
    }
    CHECK(br_ssl_engine_current_state(&srv.sc.eng) == BR_SSL_CLOSED);
    CHECK(br_ssl_engine_last_error(&srv.sc.eng) == BR_ERR_OK);   /* closed by close_notify */
}

static void test_starttls_scram_plus(void)
{
    static const struct { size_t size; int bidi; } bufs[] = { { 0, 1 }, { XMPP_TLS_BUF_SIZE(12, 0), 0 } };
    static unsigned char der[4096];
    unsigned char ep[32];
    size_t i, n;
    NEED_CERTS();
    n = slurp("a.test.der", der, sizeof der);
    xmpp_hash_once(XMPP_SHA256, der, n, ep);   /* tls-server-end-point: SHA-256 for ecdsa-with-SHA256 */
    for (i = 0; i < 2; i++)
        for (chunk = 0; chunk <= 1; chunk++) {
            opts o = { 0 };
            size_t start;
            o.tls_size = bufs[i].size;
            o.bidi = bufs[i].bidi;
            wire_reset();
            CHECK(client_start(&o));
            starttls("a.test.chain", "a.test.key", 0);
            start = nwire;
            CHECK(xmpp_tls_state(&cl.tb.tls) == XMPP_TLS_OPEN);
            CHECK(same(take(), CHDR_TLS));   /* §5.4.3.3: the new header, over TLS */
            scram_plus(SHDR "<stream:features><mechanisms xmlns='" SASL_NS "'><mechanism>SCRAM-SHA-256</mechanism>"
                       "<mechanism>SCRAM-SHA-256-PLUS</mechanism></mechanisms>"
                       "<sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'><channel-binding type='tls-unique'/>"
                       "<channel-binding type='tls-server-end-point'/></sasl-channel-binding></stream:features>",
                       "tls-server-end-point", ep, 32);
            CHECK(strcmp(xmpp_stream_mechanism(&cl.s), "SCRAM-SHA-256-PLUS") == 0);
            bind_message_close();
            CHECK(only_records_after(start));
            if (strstr(cl.events, "CLOSED error")) printf("events:\n%s", cl.events);
        }
    chunk = 0;
}

/* tls-exporter (RFC 9266) from a hook that wraps the BearSSL backend (which cannot give
   it) and answers with fixed bytes */
static const xmpp_tls_class *exporter_base;
static const unsigned char exporter_cb[32] = { 0xE9, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
static xmpp_err exporter_binding(xmpp_tls *t, xmpp_tls_cb type, unsigned char *out, size_t size, size_t *len)
{
    if (type != XMPP_TLS_CB_EXPORTER) return exporter_base->channel_binding(t, type, out, size, len);
    *len = sizeof exporter_cb;
    if (size < sizeof exporter_cb) return XMPP_ERR_NOSPACE;
    memcpy(out, exporter_cb, sizeof exporter_cb);
    return XMPP_OK;
}

/* No XEP-0440 list: tls-unique, the RFC 5802 default (the server's first Finished). A
   list of tls-exporter alone, with a hook that can give it: tls-exporter. */
static void test_tls_unique_exporter(void)
{
    static xmpp_tls_class wrapped;
    int k;
    NEED_CERTS();
    for (k = 0; k < 2; k++) {
        opts o = { 0 };
        wire_reset();
        CHECK(client_start(&o));
        starttls("a.test.chain", "a.test.key", 0);
        CHECK(same(take(), CHDR_TLS));
        if (k == 0) {
            scram_plus(SHDR "<stream:features><mechanisms xmlns='" SASL_NS "'><mechanism>SCRAM-SHA-256-PLUS"
                       "</mechanism></mechanisms></stream:features>", "tls-unique", srv.sc.eng.saved_finished, 12);
        } else {
            exporter_base = cl.tb.tls.vt;
            wrapped = *exporter_base;
            wrapped.channel_binding = exporter_binding;
            cl.tb.tls.vt = &wrapped;
            scram_plus(SHDR "<stream:features><mechanisms xmlns='" SASL_NS "'><mechanism>SCRAM-SHA-256-PLUS"
                       "</mechanism></mechanisms><sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'>"
                       "<channel-binding type='tls-exporter'/></sasl-channel-binding></stream:features>",
                       "tls-exporter", exporter_cb, sizeof exporter_cb);
            cl.tb.tls.vt = exporter_base;
        }
        CHECK(same(take(), CHDR_TLS));
    }
}

static void test_direct_tls(void)
{
    opts o = { 0 };
    NEED_CERTS();
    for (chunk = 0; chunk <= 1; chunk++) {
        wire_reset();
        o.direct = 1;
        CHECK(client_start(&o));
        CHECK(xmpp_stream_state_of(&cl.s) == XMPP_STATE_TLS);
        CHECK(server_tls("a.test.chain", "a.test.key", 0, "xmpp-client"));
        CHECK(br_ssl_engine_get_selected_protocol(&srv.sc.eng) != NULL &&
              strcmp(br_ssl_engine_get_selected_protocol(&srv.sc.eng), "xmpp-client") == 0);
        CHECK(only_records_after(0));
        CHECK(same(take(), CHDR_TLS));   /* the header comes after the handshake */
        say(SHDR "<stream:features><mechanisms xmlns='" SASL_NS "'><mechanism>PLAIN</mechanism>"
            "</mechanisms></stream:features>");   /* PLAIN: fine over TLS */
        CHECK(same(take(), "<auth xmlns=\"" SASL_NS "\" mechanism=\"PLAIN\">AGFsaWNlAHNlY3JldA==</auth>"));
        say("<success xmlns='" SASL_NS "'/>");
        bind_message_close();
        CHECK(only_records_after(0));
    }
    chunk = 0;
}

/* STARTTLS, PLAIN (fine over TLS), bind: online, with nothing pending on either side. */
static int online_over_tls(const opts *o)
{
    wire_reset();
    if (!client_start(o)) return 0;
    starttls("a.test.chain", "a.test.key", 0);
    take();
    say(SHDR "<stream:features><mechanisms xmlns='" SASL_NS "'><mechanism>PLAIN</mechanism>"
        "</mechanisms></stream:features>");
    take();
    say("<success xmlns='" SASL_NS "'/>");
    take();
    say(SHDR FEAT_BIND);
    take();
    say(BIND_OK);
    return same(cl.events, "ONLINE alice@a.test/r1\n");
}

/* 60 messages in one TLS record, each answered as it is handed on: the answers (over
   4 KB) do not fit the 2 KiB output buffer at once, and none is lost, because the stream
   hands the held stanzas on one feed at a time (XMPP_WANT_FEED) with the output sent in
   between. */
static void test_burst_in_one_record(void)
{
    static char burst[8192], want[8192];
    opts o = { 0 };
    int i;
    size_t n = 0, w = 0;
    NEED_CERTS();
    CHECK(online_over_tls(&o));
    for (i = 0; i < 60; i++) {
        n += (size_t)sprintf(burst + n, "<message from='bob@a.test/x'><body>burst message %02d</body></message>", i);
        w += (size_t)sprintf(want + w, "<message to=\"bob@a.test\"><body>burst message %02d</body></message>", i);
    }
    echoing = 1;
    echo_lost = 0;
    say(burst);   /* one sendapp: one record */
    echoing = 0;
    CHECK(echo_lost == 0);
    CHECK(same(take(), want));
}

/* XEP-0199 keepalive over TLS: a ping only after ping_ms of silence on the wire; part of
   a record (no plaintext yet) is traffic all the same. */
static void test_keepalive_partial_record(void)
{
    static const char slow[] = "<message><body>slow link</body></message>";
    opts o = { 0 };
    size_t n, used = 0, k;
    const unsigned char *q;
    NEED_CERTS();
    o.ping_ms = 5000;
    CHECK(online_over_tls(&o));
    xmpp_stream_tick(&cl.s, 4000);
    CHECK(br_ssl_engine_sendapp_buf(&srv.sc.eng, &n) != NULL && n > strlen(slow));
    if (!br_ssl_engine_sendapp_buf(&srv.sc.eng, &n) || n <= strlen(slow)) return;
    memcpy(br_ssl_engine_sendapp_buf(&srv.sc.eng, &n), slow, strlen(slow));
    br_ssl_engine_sendapp_ack(&srv.sc.eng, strlen(slow));
    br_ssl_engine_flush(&srv.sc.eng, 0);
    q = br_ssl_engine_sendrec_buf(&srv.sc.eng, &n);
    CHECK(q != NULL && n > 20);
    if (!q || n <= 20) return;
    xmpp_stream_feed(&cl.s, q, 20, &used);   /* the first 20 bytes of the record, at 4 s */
    CHECK(used == 20);
    br_ssl_engine_sendrec_ack(&srv.sc.eng, used);
    xmpp_stream_tick(&cl.s, 5000);
    xmpp_stream_output(&cl.s, &k);
    CHECK(k == 0);                           /* no ping: bytes came 1 s ago */
    pump();                                  /* the rest of the record */
    CHECK(same(cl.events, "ONLINE alice@a.test/r1\nSTANZA slow link\n"));
    CHECK(same(take(), ""));
    xmpp_stream_tick(&cl.s, 9999);
    pump();
    CHECK(same(take(), ""));
    xmpp_stream_tick(&cl.s, 10000);
    pump();
    CHECK(same(take(), "<iq type=\"get\" id=\"ping-k\" to=\"a.test\"><ping xmlns=\"urn:xmpp:ping\"/></iq>"));
}

/* cfg.mechanism = SCRAM-SHA-256 where -PLUS is offered too: the GS2 flag is 'n' (RFC 5802
   §6: the server can bind, we chose not to), not 'y', which a -PLUS server must refuse as a
   downgrade. */
static void test_forced_scram_flag(void)
{
    opts o = { 0 };
    unsigned char raw[512];
    size_t n = 0;
    const char *p;
    NEED_CERTS();
    wire_reset();
    o.mechanism = "SCRAM-SHA-256";
    CHECK(client_start(&o));
    starttls("a.test.chain", "a.test.key", 0);
    take();
    say(SHDR "<stream:features><mechanisms xmlns='" SASL_NS "'><mechanism>SCRAM-SHA-256-PLUS</mechanism>"
        "<mechanism>SCRAM-SHA-256</mechanism></mechanisms></stream:features>");
    p = take();
    CHECK(strstr(p, "mechanism=\"SCRAM-SHA-256\"") != NULL);
    CHECK(payload(p, "</auth>", raw, sizeof raw, &n) && n > 3 && memcmp(raw, "n,,", 3) == 0);
}

/* SASL EXTERNAL (XEP-0178): the server asked for a certificate and verified it. */
static void test_external(void)
{
    opts o = { 0 };
    NEED_CERTS();
    wire_reset();
    o.cert = 1;
    CHECK(client_start(&o));
    starttls("a.test.chain", "a.test.key", 1);
    CHECK(xmpp_tls_state(&cl.tb.tls) == XMPP_TLS_OPEN);
    CHECK(same(take(), CHDR_TLS));
    CHECK(srv.sc.eng.session.cipher_suite != 0);
    say(SHDR "<stream:features><mechanisms xmlns='" SASL_NS "'><mechanism>SCRAM-SHA-256</mechanism>"
        "<mechanism>EXTERNAL</mechanism></mechanisms></stream:features>");
    CHECK(same(take(), "<auth xmlns=\"" SASL_NS "\" mechanism=\"EXTERNAL\">=</auth>"));
    say("<success xmlns='" SASL_NS "'/>");
    CHECK(same(take(), CHDR_TLS));
}

/* A failed handshake: CLOSED with code and message, nothing in plaintext, WANT_CLOSED. */
static void expect_closed(xmpp_err code, const char *message)
{
    char want[300];
    snprintf(want, sizeof want, "CLOSED %s: %s\n", xmpp_strerror(code), message);
    CHECK(same(cl.events, want));
    CHECK(xmpp_stream_wants(&cl.s) & XMPP_WANT_CLOSED);
    CHECK(!strstr(heard, "stream"));   /* no stream error, no </stream:stream> */
}

static void test_unknown_ca(void)
{
    opts o = { 0 };
    size_t start;
    NEED_CERTS();
    wire_reset();
    CHECK(client_start(&o));
    starttls("other.crt", "other.key", 0);
    start = nwire;
    expect_closed(XMPP_ERR_TLS_UNTRUSTED, xmpp_tls_error(&cl.tb.tls)->message);
    CHECK(xmpp_tls_error(&cl.tb.tls)->code == XMPP_ERR_TLS_UNTRUSTED);
    CHECK(only_records_after(start));
}

static void test_wrong_name(void)
{
    opts o = { 0 };
    NEED_CERTS();
    wire_reset();
    o.jid = "alice@b.test/r1";   /* the JID's domain is the name checked */
    CHECK(client_start(&o));
    CHECK(strstr(take(), "to='b.test'") != NULL);
    say(SHDR FEAT_TLS);
    take();
    CHECK(proceed("a.test.chain", "a.test.key", 0));
    CHECK(xmpp_tls_error(&cl.tb.tls)->code == XMPP_ERR_TLS_NAME);
    expect_closed(XMPP_ERR_TLS_NAME, xmpp_tls_error(&cl.tb.tls)->message);
}

static void test_expired(void)
{
    opts o = { 0 };
    NEED_CERTS();
    wire_reset();
    CHECK(client_start(&o));
    starttls("expired.crt", "expired.key", 0);
    CHECK(xmpp_tls_error(&cl.tb.tls)->code == XMPP_ERR_TLS_EXPIRED);
    expect_closed(XMPP_ERR_TLS_EXPIRED, xmpp_tls_error(&cl.tb.tls)->message);
}

/* TLS required (the default) and no <starttls/> offered: refused before any login. */
static void test_downgrade(void)
{
    opts o = { 0 };
    NEED_CERTS();
    wire_reset();
    CHECK(client_start(&o));
    CHECK(same(take(), CHDR));
    say(SHDR "<stream:features><mechanisms xmlns='" SASL_NS "'><mechanism>PLAIN</mechanism>"
        "<mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>");
    CHECK(same(cl.events, "CLOSED TLS required but not available: the server does not offer STARTTLS "
                          "and TLS is required (downgrade refused)\n"));
    CHECK(same(take(), "</stream:stream>"));   /* no <auth/> */
    CHECK(xmpp_tls_state(&cl.tb.tls) == XMPP_TLS_IDLE);
}

/* The server drops the connection in the middle of the handshake. */
static void test_drop_mid_handshake(void)
{
    opts o = { 0 };
    NEED_CERTS();
    wire_reset();
    CHECK(client_start(&o));
    CHECK(same(take(), CHDR));
    say(SHDR FEAT_TLS);
    take();
    to_client((const unsigned char *)PROCEED, strlen(PROCEED));   /* TLS by hand below */
    CHECK(xmpp_stream_state_of(&cl.s) == XMPP_STATE_TLS);
    CHECK(server_start("a.test.chain", "a.test.key", 0, NULL));
    nwire = 0;
    tls_on = 1;
    {   /* the ClientHello to the server, its first flight half-way to the client */
        const unsigned char *p;
        unsigned char *q;
        size_t n, k;
        while ((p = xmpp_stream_output(&cl.s, &n)) != NULL && n &&
               (q = br_ssl_engine_recvrec_buf(&srv.sc.eng, &k)) != NULL) {
            if (k > n) k = n;
            memcpy(q, p, k);
            br_ssl_engine_recvrec_ack(&srv.sc.eng, k);
            xmpp_stream_output_ack(&cl.s, k);
        }
        q = br_ssl_engine_sendrec_buf(&srv.sc.eng, &n);
        CHECK(q && n > 40);
        if (q) to_client(q, 40);
    }
    CHECK(same(cl.events, ""));
    xmpp_stream_eof(&cl.s);
    drain();
    expect_closed(XMPP_ERR_TLS_CLOSED, "the peer closed the connection during the TLS handshake");
}

/* A record that fails its integrity check, once online: the stream ends with XMPP_ERR_TLS. */
static void test_bad_record(void)
{
    opts o = { 0 };
    NEED_CERTS();
    wire_reset();
    CHECK(client_start(&o));
    starttls("a.test.chain", "a.test.key", 0);
    take();
    say(SHDR "<stream:features><mechanisms xmlns='" SASL_NS "'><mechanism>PLAIN</mechanism>"
        "</mechanisms></stream:features>");
    take();
    flip_record = 1;
    say("<success xmlns='" SASL_NS "'/>");
    CHECK(xmpp_tls_error(&cl.tb.tls)->code == XMPP_ERR_TLS);
    expect_closed(XMPP_ERR_TLS, xmpp_tls_error(&cl.tb.tls)->message);
}

/* close_notify while the stream is open, and a TCP close without close_notify. */
static void test_tls_ends_under_stream(void)
{
    opts o = { 0 };
    NEED_CERTS();
    wire_reset();
    CHECK(client_start(&o));
    starttls("a.test.chain", "a.test.key", 0);
    take();
    br_ssl_engine_close(&srv.sc.eng);
    pump();
    expect_closed(XMPP_ERR_TLS_CLOSED, "the server ended TLS (close_notify) before the stream");

    wire_reset();
    CHECK(client_start(&o));
    starttls("a.test.chain", "a.test.key", 0);
    take();
    say(SHDR);
    xmpp_stream_eof(&cl.s);
    drain();
    CHECK(strstr(cl.events, "CLOSED connection closed during the TLS handshake or without close_notify") != NULL);
}

/* Online, a message sealed into records that never went out, then the connection drops:
   the CLOSED event counts those bytes. And xmpp_stream_close() inside the handshake: no
   stream to close, CLOSED at once, and no </stream:stream> over TLS afterwards. */
static void test_unsent_and_close_in_handshake(void)
{
    opts o = { 0 };
    xmpp_builder *b;
    const unsigned char *p;
    size_t n = 0;
    NEED_CERTS();
    CHECK(online_over_tls(&o));
    b = xmpp_stream_send_begin(&cl.s);
    CHECK(b != NULL);
    if (!b) return;
    xmpp_build_message(b, "bob@a.test", "chat", NULL, "never sent");
    CHECK(xmpp_stream_send_end(&cl.s) == XMPP_OK);
    p = xmpp_stream_output(&cl.s, &n);   /* sealed now, but not acknowledged: not sent */
    CHECK(p && n > 40);
    xmpp_stream_eof(&cl.s);
    {
        xmpp_stream_event e;
        size_t unsent = 0;
        while (xmpp_stream_next(&cl.s, &e))
            if (e.kind == XMPP_STREAM_CLOSED) unsent = e.unsent;
        CHECK(unsent == n);
    }
    wire_reset();   /* closed inside the handshake */
    CHECK(client_start(&o));
    CHECK(same(take(), CHDR));
    say(SHDR FEAT_TLS);
    CHECK(same(take(), STARTTLS_OUT));
    to_client((const unsigned char *)PROCEED, strlen(PROCEED));
    CHECK(xmpp_stream_state_of(&cl.s) == XMPP_STATE_TLS);
    xmpp_stream_close(&cl.s);
    drain();
    CHECK(same(cl.events, "CLOSED ok: closed by us during the TLS handshake\n"));
    CHECK(xmpp_stream_wants(&cl.s) & XMPP_WANT_CLOSED);
    CHECK(server_tls("a.test.chain", "a.test.key", 0, NULL));
    CHECK(!strstr(heard, "stream"));   /* nothing of a stream went out over TLS */
}

/* A plain stream (no hook) told of the TCP close: XMPP_ERR_CLOSED, or fine after our close;
   either way the CLOSED event counts the bytes that never went out. */
static void test_eof_plain(void)
{
    xmpp_stream_config c;
    static xmpp_stream s;
    static unsigned char mem[24000];
    xmpp_stream_event e;
    int got = 0;
    memset(&c, 0, sizeof c);
    c.jid = xmpp_str_z("alice@a.test");
    c.rng = rng;
    c.rng_ctx = &rng_state;
    c.tls = XMPP_TLS_NEVER;
    size_t n;
    CHECK(xmpp_stream_init(&s, &c, mem, sizeof mem) == XMPP_OK);
    xmpp_stream_output(&s, &n);   /* our header, never sent: the event says how much */
    CHECK(n > 100);
    xmpp_stream_eof(&s);
    while (xmpp_stream_next(&s, &e))
        if (e.kind == XMPP_STREAM_CLOSED) got = e.err == XMPP_ERR_CLOSED && e.unsent == n;
    CHECK(got);
    CHECK(xmpp_stream_wants(&s) == XMPP_WANT_CLOSED);   /* nothing left to send */
    CHECK(xmpp_stream_init(&s, &c, mem, sizeof mem) == XMPP_OK);
    xmpp_stream_output(&s, &n);
    xmpp_stream_output_ack(&s, n);
    xmpp_stream_close(&s);
    xmpp_stream_eof(&s);
    got = 0;
    while (xmpp_stream_next(&s, &e))
        if (e.kind == XMPP_STREAM_CLOSED) got = e.err == XMPP_OK && e.unsent == 16;   /* </stream:stream> */
    CHECK(got);
}

int main(int argc, char **argv)
{
    certs_make(argc > 1 ? argv[1] : NULL, argv[0]);
    RUN(test_starttls_scram_plus);
    RUN(test_tls_unique_exporter);
    RUN(test_direct_tls);
    RUN(test_burst_in_one_record);
    RUN(test_keepalive_partial_record);
    RUN(test_external);
    RUN(test_forced_scram_flag);
    RUN(test_unknown_ca);
    RUN(test_wrong_name);
    RUN(test_expired);
    RUN(test_downgrade);
    RUN(test_drop_mid_handshake);
    RUN(test_bad_record);
    RUN(test_tls_ends_under_stream);
    RUN(test_unsent_and_close_in_handshake);
    RUN(test_eof_plain);
    certs_done(argc > 1 ? argv[1] : NULL);
    return check_done();
}
