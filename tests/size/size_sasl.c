/* size_sasl.c - the crypto + SASL client layer alone, as firmware links it: freestanding,
   a SCRAM login (mechanism selection, start, step, success, the cache) plus PLAIN, with
   everything unused dropped by --gc-sections. tests/size/size_sasl.sh builds and measures
   it, with and without XMPP_NO_SHA1. The SCRAM server is not in it (a device logs in). */
#include "probe.h"

/* nm -S reports these objects' sizes */
char xmpp_sizeof_sasl[sizeof(xmpp_sasl)];
char xmpp_sizeof_cache[sizeof(xmpp_sasl_cache)];

static void rng(void *ctx, unsigned char *buf, size_t n) { (void)ctx; while (n--) *buf++ = 4; }

void entry(const xmpp_str *offered, size_t n, const unsigned char *in, size_t len, unsigned char *out);
void entry(const xmpp_str *offered, size_t n, const unsigned char *in, size_t len, unsigned char *out)
{
    static xmpp_sasl s;
    static xmpp_sasl_cache cache;
    xmpp_sasl_config c;
    xmpp_sasl_policy p = { 1, 0, 0, 0, 0 };
    size_t k;
    memset(&c, 0, sizeof c);
    c.mech = xmpp_sasl_select(offered, n, &p);
    c.authcid.p = "user"; c.authcid.n = 4;
    c.password.p = "pencil"; c.password.n = 6;
    c.rng = rng;
    c.cache = &cache;
    xmpp_sasl_start(&s, &c, out, 200, &k);
    xmpp_sasl_step(&s, in, len, out, 200, &k);
    xmpp_sasl_success(&s, in, len);
    xmpp_sizeof_sasl[0] = (char)xmpp_sasl_error(&s)->code;
    xmpp_sizeof_cache[0] = 1;
}
