/* fuzz_dns.c - libFuzzer target for the SRV answer parser (>>stream §3.2), under
   ASan+UBSan: any bytes as a DNS answer to our SRV query for a-test.com (id 0x1234; half
   the time the input gets that id and question, so parsing goes deep). Checked: no crash or
   read past the end; a success has 1..max records whose host names are NUL-terminated,
   non-empty, at most XMPP_SRV_HOST_MAX bytes of letters, digits, '-', '_' and '.';
   xmpp_srv_order then keeps the same records, sorted by priority. */
#define XMPP_IMPLEMENTATION
#include "../../xmpp.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void rng(void *ctx, unsigned char *buf, size_t n) { (void)ctx; memset(buf, 0x5A, n); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned char m[4096], q[300];
    static size_t qn;
    xmpp_srv_target t[4];
    size_t n = 99, i, k;
    unsigned sum = 0, sum2 = 0;
    xmpp_err r;
    if (size > sizeof m) return 0;
    if (!qn && xmpp_srv_query(q, sizeof q, &qn, 0x1234, "_xmpp-client._tcp", xmpp_str_z("a-test.com"))) abort();
    memcpy(m, data, size);
    if (size >= qn && (m[0] & 1)) {   /* half the time our id and question, so parsing goes deep */
        m[0] = q[0];
        m[1] = q[1];
        memcpy(m + 12, q + 12, qn - 12);
    }
    r = xmpp_srv_parse(m, size, q, qn, t, 4, &n);
    if (r != XMPP_OK) {
        if (n != 0) { fprintf(stderr, "a count without success\n"); abort(); }
        return 0;
    }
    if (n < 1 || n > 4) { fprintf(stderr, "count %zu\n", n); abort(); }
    for (i = 0; i < n; i++) {
        size_t len = strnlen(t[i].host, sizeof t[i].host);
        if (!len || len > XMPP_SRV_HOST_MAX) { fprintf(stderr, "host length %zu\n", len); abort(); }
        for (k = 0; k < len; k++) {
            unsigned char c = (unsigned char)t[i].host[k];
            if (!(((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) {
                fprintf(stderr, "host byte 0x%02x\n", c);
                abort();
            }
        }
        sum += t[i].port + t[i].weight * 7u + t[i].priority * 13u;
    }
    xmpp_srv_order(t, n, rng, NULL);
    for (i = 0; i < n; i++) {
        if (i && t[i - 1].priority > t[i].priority) { fprintf(stderr, "not sorted\n"); abort(); }
        sum2 += t[i].port + t[i].weight * 7u + t[i].priority * 13u;
    }
    if (sum != sum2) { fprintf(stderr, "records changed by the order\n"); abort(); }
    return 0;
}
