/* fuzz_stream.c - libFuzzer target for the client stream (>>stream), under ASan+UBSan:
   the client fed arbitrary server bytes at every state of the login.

   Input: 3 header bytes, then server bytes.
     data[0] % 5  how far a scripted server takes the login before the input takes over:
                  0 nothing, 1 the header, 2 the features (PLAIN), 3 the SASL success and
                  the new header, 4 bind: online
     data[1]      chunk sizes and when to tick the clock or ask to close
     data[2]      the arena size (small ones make stanzas get skipped)
   Checked: no crash, leak or undefined behaviour; events make sense (ONLINE at most once
   and only with a JID, CLOSED last and once); a closed stream takes no more bytes and
   wants nothing but to be closed; output never exceeds the output buffer. */
#define XMPP_IMPLEMENTATION
#include "../../xmpp.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHDR "<?xml version='1.0'?><stream:stream xmlns='jabber:client' " \
             "xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='a.test' version='1.0'>"
static const char *const script[] = {
    SHDR,
    "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN"
    "</mechanism></mechanisms></stream:features>",
    "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>" SHDR,
    "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>"
    "<iq type='result' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
    "<jid>alice@a.test/r1</jid></bind></iq>",
};

static void rng(void *ctx, unsigned char *buf, size_t n)
{
    (void)ctx;
    memset(buf, 'r', n);
}

static unsigned char mem[64 * 1024];
static int online, closed;

static void events(xmpp_stream *s)
{
    xmpp_stream_event e;
    while (xmpp_stream_next(s, &e)) {
        if (closed) { fprintf(stderr, "an event after CLOSED\n"); abort(); }
        if (e.kind == XMPP_STREAM_ONLINE) {
            if (online++ || !e.jid.n) { fprintf(stderr, "ONLINE twice or without a JID\n"); abort(); }
        } else if (e.kind == XMPP_STREAM_CLOSED) {
            closed = 1;
        } else if (e.kind == XMPP_STREAM_STANZA) {
            /* walk the tree: it must be readable */
            const xmpp_node *c;
            size_t n = 0;
            for (c = xmpp_node_first(e.stanza); c; c = xmpp_node_next(c)) n += xmpp_node_text(c).n;
            (void)n;
        }
    }
}

static void feed(xmpp_stream *s, const unsigned char *p, size_t len, unsigned chunk)
{
    size_t off = 0, used;
    int idle = 0;
    while (off < len && idle < 2) {
        size_t n = chunk && len - off > chunk ? chunk : len - off;
        int was_closed = closed;
        xmpp_stream_feed(s, p + off, n, &used);
        off += used;
        events(s);
        if (was_closed && used) { fprintf(stderr, "bytes taken after CLOSED\n"); abort(); }
        idle = used ? 0 : idle + 1;
        if (xmpp_stream_wants(s) & XMPP_WANT_TLS) xmpp_stream_tls_done(s);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xmpp_stream s;
    xmpp_stream_config cfg;
    size_t n, k;
    unsigned chunk, mode;
    if (size < 3) return 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.jid = xmpp_str_z("alice@a.test/r1");
    cfg.password = xmpp_str_z("secret");
    cfg.rng = rng;
    cfg.tls = (data[1] & 64) ? XMPP_TLS_OPTIONAL : XMPP_TLS_NEVER;
    cfg.plain_clear = 1;
    cfg.timeout_ms = 1000;
    cfg.ping_ms = (data[1] & 128) ? 500 : 0;
    cfg.arena = 64u + (size_t)data[2] * 16u;
    online = closed = 0;
    if (xmpp_stream_init(&s, &cfg, mem, sizeof mem)) abort();
    xmpp_stream_tick(&s, 0);
    mode = data[0] % 5;
    chunk = data[1] & 7;
    for (k = 0; k < mode; k++) {
        feed(&s, (const unsigned char *)script[k], strlen(script[k]), 0);
        xmpp_stream_output(&s, &n);
        xmpp_stream_output_ack(&s, n);
    }
    feed(&s, data + 3, size - 3, chunk);
    if (data[1] & 8) xmpp_stream_close(&s);
    if (data[1] & 16) { xmpp_stream_tick(&s, 600); events(&s); xmpp_stream_tick(&s, 5000); events(&s); }
    if (xmpp_stream_output(&s, &n) && n > 2048) { fprintf(stderr, "output past the buffer\n"); abort(); }
    if (closed && !(xmpp_stream_wants(&s) & XMPP_WANT_CLOSED)) { fprintf(stderr, "CLOSED but not wanting close\n"); abort(); }
    return 0;
}
