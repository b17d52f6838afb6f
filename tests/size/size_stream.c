/* size_stream.c - the whole client without TLS, as firmware links it: the tokenizer, the
   collector and builder, JIDs, SHA-1/SHA-256/HMAC/PBKDF2/base64, the SASL client and the
   client stream, freestanding, everything unused dropped by --gc-sections. `make size`
   measures it (size_layer.sh: every xmpp_ function). */
#include "probe.h"

char xmpp_sizeof_stream[sizeof(xmpp_stream)];

static unsigned char mem[1536 + 2048 + 512 + 1708 + 512 + 8];
static xmpp_stream s;
volatile int sink;
static void rng(void *ctx, unsigned char *buf, size_t n) { (void)ctx; memset(buf, 7, n); }

void entry(void);
void entry(void)
{
    xmpp_stream_config cfg;
    xmpp_stream_event ev;
    xmpp_builder *b;
    size_t n, used;
    const unsigned char *out;
    memset(&cfg, 0, sizeof cfg);
    cfg.jid = xmpp_str_z("alice@a.test/r1");
    cfg.password = xmpp_str_z("secret");
    cfg.rng = rng;
    cfg.xml_buf = 1536;
    cfg.arena = 2048;
    cfg.out = 512;
    sink = (int)xmpp_stream_init(&s, &cfg, mem, sizeof mem);
    xmpp_stream_tick(&s, 0);
    xmpp_stream_feed(&s, mem, (size_t)sink, &used);
    while (xmpp_stream_next(&s, &ev)) sink += (int)ev.kind + (int)xmpp_node_text(ev.stanza).n;
    if ((b = xmpp_stream_send_begin(&s)) != NULL) {
        xmpp_build_message(b, "bob@a.test", "chat", NULL, "hi");
        sink += (int)xmpp_stream_send_end(&s);
    }
    out = xmpp_stream_output(&s, &n);
    xmpp_stream_output_ack(&s, n);
    sink += out[0] + (int)xmpp_stream_wants(&s);
    if (sink == 3) xmpp_stream_tls_done(&s);
    xmpp_stream_close(&s);
    xmpp_sizeof_stream[0] = (char)sink;
}
