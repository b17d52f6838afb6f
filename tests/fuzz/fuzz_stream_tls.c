/* fuzz_stream_tls.c - libFuzzer target for the client stream running TLS through the hook
   (cfg.tls_hook, the BearSSL backend), under ASan+UBSan. A BearSSL server engine in the
   same process (tests/tlsserver.h, certificates made once by tests/tls/mkcerts.sh) plays
   the server after <proceed/>.

   Input: 2 header bytes, then the fuzzer's bytes.
     data[0] % 4  where they go: 0 in place of the server's TLS handshake (raw bytes after
                  <proceed/>), 1 as records after a completed handshake (garbage on the
                  wire), 2 as the server's plaintext XML inside TLS (the new stream header
                  and what follows), 3 like 2 with direct TLS (XEP-0368)
     data[1]      chunk sizes (& 7), a half-duplex 837-byte backend buffer (& 8), tell the
                  stream the connection closed at the end (& 16), close it ourselves (& 32)
   Checked: no crash, leak or undefined behaviour; CLOSED comes at most once and last;
   once closed the stream takes no more bytes and wants to be closed; a TLS failure is
   reported with a TLS error code. */
#define XMPP_IMPLEMENTATION
#define XMPP_BEARSSL
#include "../../xmpp.h"
#include <stdio.h>
#define SKIP(why) return
#include "../tlsserver.h"

#define SHDR "<?xml version='1.0'?><stream:stream xmlns='jabber:client' " \
             "xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='a.test' version='1.0'>"
#define FEAT_TLS "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>"
#define PROCEED "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"

static xmpp_tls_bearssl tb;
static unsigned char tbuf[BR_SSL_BUFSIZE_BIDI];
static xmpp_stream s;
static unsigned char mem[32768];
static int closed;
static xmpp_err closed_err;

static void rng(void *ctx, unsigned char *buf, size_t n)
{
    (void)ctx;
    memset(buf, 'r', n);
}

static void events(void)
{
    xmpp_stream_event e;
    while (xmpp_stream_next(&s, &e)) {
        if (closed) { fprintf(stderr, "an event after CLOSED\n"); abort(); }
        if (e.kind == XMPP_STREAM_CLOSED) { closed = 1; closed_err = e.err; }
    }
}

static size_t feed(const unsigned char *p, size_t len, unsigned chunk)
{
    size_t off = 0, used;
    int held = 0;
    while (off < len || ((xmpp_stream_wants(&s) & XMPP_WANT_FEED) && held++ < 10000)) {
        size_t n = chunk && len - off > chunk ? chunk : len - off;
        int was_closed = closed;
        xmpp_stream_feed(&s, p + off, n, &used);
        events();
        if (was_closed && used) { fprintf(stderr, "bytes taken after CLOSED\n"); abort(); }
        off += used;
        if (!used && off < len) break;   /* the backend is full: its output first */
    }
    return off;
}

/* Client output to the server engine, server records to the client, until nothing moves. */
static void pump(unsigned chunk)
{
    int moved = 1, rounds = 0;
    br_ssl_engine_context *se = &srv.sc.eng;
    while (moved && rounds++ < 10000) {
        const unsigned char *p;
        unsigned char *q;
        size_t n, k;
        moved = 0;
        if ((p = xmpp_stream_output(&s, &n)) != NULL && n && (br_ssl_engine_current_state(se) & BR_SSL_RECVREC) &&
            (q = br_ssl_engine_recvrec_buf(se, &k)) != NULL) {
            if (k > n) k = n;
            memcpy(q, p, k);
            br_ssl_engine_recvrec_ack(se, k);
            xmpp_stream_output_ack(&s, k);
            moved = 1;
        }
        if ((q = br_ssl_engine_sendrec_buf(se, &n)) != NULL && (k = feed(q, n, chunk)) != 0) {
            br_ssl_engine_sendrec_ack(se, k);
            moved = 1;
        }
        if ((q = br_ssl_engine_recvapp_buf(se, &n)) != NULL) {
            br_ssl_engine_recvapp_ack(se, n);
            moved = 1;
        }
        if (xmpp_stream_wants(&s) & XMPP_WANT_FEED) {
            size_t used;
            xmpp_stream_feed(&s, NULL, 0, &used);
            events();
            moved = 1;
        }
    }
}

static void drop_output(void)
{
    size_t n;
    xmpp_stream_output(&s, &n);
    xmpp_stream_output_ack(&s, n);
}

static void cleanup(void) { certs_done(NULL); }

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    certs_make(NULL, (*argv)[0]);
    atexit(cleanup);
    if (!have_certs) {   /* abort() skips atexit: remove the temp dir first */
        fprintf(stderr, "fuzz_stream_tls: no certificates\n");
        certs_done(NULL);
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xmpp_tls_bearssl_config tc;
    xmpp_stream_config cfg;
    unsigned mode, chunk;
    size_t n;
    unsigned char *q;
    if (size < 2) return 0;
    mode = data[0] % 4;
    chunk = data[1] & 7;
    memset(&tc, 0, sizeof tc);
    tc.anchors = ca_anchor;
    tc.nanchors = nca;
    tc.now = (int64_t)time(NULL);
    if (xmpp_tls_bearssl_init(&tb, &tc, tbuf, (data[1] & 8) ? XMPP_TLS_BUF_SIZE(9, 0) : sizeof tbuf,
                              (data[1] & 8) ? 0 : 1))
        abort();
    memset(&cfg, 0, sizeof cfg);
    cfg.jid = xmpp_str_z("alice@a.test/r1");
    cfg.password = xmpp_str_z("secret");
    cfg.rng = rng;
    cfg.tls_hook = &tb.tls;
    cfg.direct_tls = mode == 3;
    cfg.timeout_ms = 1000;
    closed = 0;
    closed_err = XMPP_OK;
    if (xmpp_stream_init(&s, &cfg, mem, sizeof mem)) abort();
    xmpp_stream_tick(&s, 0);
    if (mode != 3) {   /* plaintext up to <proceed/> */
        drop_output();
        feed((const unsigned char *)SHDR FEAT_TLS PROCEED, strlen(SHDR FEAT_TLS PROCEED), 0);
    }
    if (mode == 0) {
        drop_output();   /* the ClientHello goes nowhere; the fuzzer answers */
        feed(data + 2, size - 2, chunk);
    } else {
        if (!server_start("a.test.chain", "a.test.key", 0, NULL)) abort();
        pump(chunk);
        if (xmpp_tls_state(&tb.tls) != XMPP_TLS_OPEN) { fprintf(stderr, "no handshake\n"); abort(); }
        if (mode == 1) {
            feed(data + 2, size - 2, chunk);
        } else {   /* the fuzzer's bytes as the server's plaintext */
            size_t off = 0;
            while (off < size - 2 && !closed && (q = br_ssl_engine_sendapp_buf(&srv.sc.eng, &n)) != NULL) {
                if (n > size - 2 - off) n = size - 2 - off;
                memcpy(q, data + 2 + off, n);
                br_ssl_engine_sendapp_ack(&srv.sc.eng, n);
                br_ssl_engine_flush(&srv.sc.eng, 0);
                off += n;
                pump(chunk);
            }
        }
    }
    if (data[1] & 32) { xmpp_stream_close(&s); drop_output(); events(); }
    if (data[1] & 16) { xmpp_stream_eof(&s); events(); }
    xmpp_stream_tick(&s, 5000);
    events();
    drop_output();
    if (closed && !(xmpp_stream_wants(&s) & XMPP_WANT_CLOSED)) { fprintf(stderr, "CLOSED but not wanting close\n"); abort(); }
    if (closed && xmpp_tls_state(&tb.tls) == XMPP_TLS_FAILED && closed_err != xmpp_tls_error(&tb.tls)->code &&
        closed_err != XMPP_ERR_TIMEOUT) {
        fprintf(stderr, "TLS failed (%s) but the stream closed with %s\n", xmpp_tls_error(&tb.tls)->message,
                xmpp_strerror(closed_err));
        abort();
    }
    return 0;
}
