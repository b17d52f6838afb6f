/* size_client_tls.c - the whole client with TLS, as firmware links it on a Cortex-M4: the
   client stream running STARTTLS through the BearSSL backend (verifying a chain against
   one compiled-in anchor, the smallest buffer that interoperates with Prosody and
   ejabberd: XMPP_TLS_BUF_SIZE(9, 0) = 837 bytes), SCRAM-*-PLUS, everything unused dropped
   by --gc-sections. tests/size/size_tls_m4.sh builds BearSSL for the M4 from Debian's
   source package and measures this. */
#define XMPP_BEARSSL
#define XMPP_IMPLEMENTATION
#include "../../xmpp.h"

char xmpp_sizeof_stream[sizeof(xmpp_stream)];
char xmpp_sizeof_tls_bearssl[sizeof(xmpp_tls_bearssl)];

static unsigned char mem[1536 + 2048 + 512 + 1708 + 512 + 8];
static unsigned char tlsbuf[XMPP_TLS_BUF_SIZE(9, 0)];
static xmpp_stream s;
static xmpp_tls_bearssl tb;
static unsigned char ca_dn[32], ca_q[65] = { 4 };
static br_x509_trust_anchor anchor;
volatile int sink;
static void rng(void *ctx, unsigned char *buf, size_t n) { (void)ctx; memset(buf, 7, n); }

int main(void)
{
    xmpp_stream_config cfg;
    xmpp_tls_bearssl_config tc;
    xmpp_stream_event ev;
    xmpp_builder *b;
    size_t n, used;
    const unsigned char *out;
    anchor.dn.data = ca_dn;
    anchor.dn.len = sizeof ca_dn;
    anchor.flags = BR_X509_TA_CA;
    anchor.pkey.key_type = BR_KEYTYPE_EC;
    anchor.pkey.key.ec.curve = BR_EC_secp256r1;
    anchor.pkey.key.ec.q = ca_q;
    anchor.pkey.key.ec.qlen = sizeof ca_q;
    memset(&tc, 0, sizeof tc);
    tc.anchors = &anchor;
    tc.nanchors = 1;
    tc.now = 1764547200;   /* the firmware's clock */
    tc.rng = rng;
    sink = (int)xmpp_tls_bearssl_init(&tb, &tc, tlsbuf, sizeof tlsbuf, 0);
    memset(&cfg, 0, sizeof cfg);
    cfg.jid = xmpp_str_z("alice@a.test/r1");
    cfg.password = xmpp_str_z("secret");
    cfg.rng = rng;
    cfg.xml_buf = 1536;
    cfg.arena = 2048;
    cfg.out = 512;
    cfg.tls_hook = &tb.tls;
    sink += (int)xmpp_stream_init(&s, &cfg, mem, sizeof mem);
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
    xmpp_stream_close(&s);
    if (sink == 3) xmpp_stream_eof(&s);
    return xmpp_sizeof_stream[0] + xmpp_sizeof_tls_bearssl[0] + sink;
}
