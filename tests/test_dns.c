/* test_dns.c - RFC 6120 §3.2 resolution, sans-I/O: the SRV query we build (byte for
   byte, RFC 1035 §4.1), the answers we read (compression, several records, other record
   types, "." targets, NXDOMAIN) and refuse (wrong id, not a response, truncated, server
   failure, pointer loops, lengths out of the message, every truncation of a good answer,
   bad host names), and RFC 2782 ordering (priority, weights over many draws with a
   seeded generator). tests/dns/run.sh runs the POSIX glue against a real resolver. */
#define XMPP_IMPLEMENTATION
#include "../xmpp.h"
#include "check.h"
#include <stdlib.h>
#include <string.h>

static const unsigned char want_query[] = {
    0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    12, '_', 'x', 'm', 'p', 'p', '-', 'c', 'l', 'i', 'e', 'n', 't', 4, '_', 't', 'c', 'p',
    7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0x00, 0x21, 0x00, 0x01
};

static void test_query(void)
{
    unsigned char q[300];
    size_t n = 99, i;
    CHECK(xmpp_srv_query(q, sizeof q, &n, 0x1234, "_xmpp-client._tcp", xmpp_str_z("example.com")) == XMPP_OK);
    CHECK(n == sizeof want_query && memcmp(q, want_query, n) == 0);
    CHECK(xmpp_srv_query(q, sizeof q, &n, 0x1234, "_xmpp-client._tcp", xmpp_str_z("example.com.")) == XMPP_OK);
    CHECK(n == sizeof want_query && memcmp(q, want_query, n) == 0);   /* the root dot is implied */
    n = 99;   /* a buffer of exactly the query's size is enough */
    CHECK(xmpp_srv_query(q, sizeof want_query, &n, 0x1234, "_xmpp-client._tcp", xmpp_str_z("example.com")) == XMPP_OK);
    CHECK(n == sizeof want_query && memcmp(q, want_query, n) == 0);
    for (i = 0; i < sizeof want_query; i++)   /* exactly the size it needs */
        CHECK(xmpp_srv_query(q, i, &n, 0x1234, "_xmpp-client._tcp", xmpp_str_z("example.com")) == XMPP_ERR_NOSPACE && n == 0);
    CHECK(xmpp_srv_query(q, sizeof q, &n, 1, "_xmpp-client._tcp", xmpp_str_z("")) == XMPP_ERR_INVALID);
    CHECK(xmpp_srv_query(q, sizeof q, &n, 1, "_xmpp-client._tcp", xmpp_str_z("a..b")) == XMPP_ERR_INVALID);
    CHECK(xmpp_srv_query(q, sizeof q, &n, 1, "_xmpp-client._tcp", xmpp_str_z(".a")) == XMPP_ERR_INVALID);
    CHECK(xmpp_srv_query(q, sizeof q, &n, 1, "_xmpp-client._tcp",
                         xmpp_str_z("a234567890123456789012345678901234567890123456789012345678901234.b")) == XMPP_ERR_INVALID);
    CHECK(xmpp_srv_query(q, sizeof q, &n, 1, "_xmpp-client._tcp",
                         xmpp_str_z("a23456789012345678901234567890123456789012345678901234567890123.b")) == XMPP_OK);   /* 63 */
    {   /* 253 bytes of name at most */
        char d[300];
        memset(d, 'a', sizeof d);
        for (i = 50; i < sizeof d; i += 51) d[i] = '.';
        CHECK(xmpp_srv_query(q, sizeof q, &n, 1, "_xmpp-client._tcp", xmpp_str_z("")) == XMPP_ERR_INVALID);
        CHECK(xmpp_srv_query(q, sizeof q, &n, 1, "_xmpp-client._tcp", xmpp__str(d, 253 - 18)) == XMPP_OK);
        CHECK(xmpp_srv_query(q, sizeof q, &n, 1, "_xmpp-client._tcp", xmpp__str(d, 254 - 18)) == XMPP_ERR_INVALID);
    }
}

/* ---- answers, built by hand */

static unsigned char msg[1024];
static size_t mlen;

static void put(const void *p, size_t n) { memcpy(msg + mlen, p, n); mlen += n; }
static void put16(unsigned v) { unsigned char b[2]; b[0] = (unsigned char)(v >> 8); b[1] = (unsigned char)v; put(b, 2); }

/* A response to want_query (id 0x1234) with flags2 (RCODE) and nanswers answers to come. */
static void answer_begin(unsigned flags2, unsigned nanswers)
{
    mlen = 0;
    put(want_query, sizeof want_query);
    msg[2] = 0x81;             /* QR, RD */
    msg[3] = (unsigned char)(0x80 | flags2);   /* RA, RCODE */
    msg[7] = (unsigned char)nanswers;
}

/* An SRV record for the question's name (a pointer to offset 12); target: dotted name
   written out, or "" for ".", or "@N" for a pointer to offset N. */
static void srv(unsigned prio, unsigned weight, unsigned port, const char *target)
{
    size_t rdlen_at;
    put16(0xC00C);
    put16(33); put16(1);
    put16(0); put16(300);      /* TTL */
    rdlen_at = mlen;
    put16(0);
    put16(prio); put16(weight); put16(port);
    if (target[0] == '@') {
        put16(0xC000 | (unsigned)atoi(target + 1));
    } else {
        const char *p = target;
        while (*p) {
            const char *dot = strchr(p, '.');
            size_t l = dot ? (size_t)(dot - p) : strlen(p);
            unsigned char lb = (unsigned char)l;
            put(&lb, 1);
            put(p, l);
            p += l + (dot ? 1 : 0);
        }
        put("", 1);
    }
    msg[rdlen_at] = (unsigned char)((mlen - rdlen_at - 2) >> 8);
    msg[rdlen_at + 1] = (unsigned char)(mlen - rdlen_at - 2);
}

static void test_parse(void)
{
    xmpp_srv_target t[4];
    size_t n = 9, target_at;
    answer_begin(0, 4);
    target_at = mlen + 12 + 6;   /* where the first record's target name will be */
    srv(10, 60, 5222, "xmpp1.example.com");
    srv(20, 0, 5223, "@30");     /* "example.com" of the question, compressed */
    {   /* a CNAME among them: skipped */
        put16(0xC00C); put16(5); put16(1); put16(0); put16(300); put16(2); put16(0xC01E);
    }
    {   /* a target that is "backup" + a pointer to the first target's "example.com" */
        char ptr[8];
        sprintf(ptr, "@%u", (unsigned)(target_at + 6));
        put16(0xC00C); put16(33); put16(1); put16(0); put16(300); put16(6 + 7 + 2);
        put16(10); put16(40); put16(5269);
        put("\6backup", 7);
        put16(0xC000 | (unsigned)atoi(ptr + 1));
    }
    CHECK(xmpp_srv_parse(msg, mlen, want_query, sizeof want_query, t, 4, &n) == XMPP_OK && n == 3);
    CHECK(t[0].priority == 10 && t[0].weight == 60 && t[0].port == 5222 && strcmp(t[0].host, "xmpp1.example.com") == 0);
    CHECK(t[1].priority == 20 && t[1].weight == 0 && t[1].port == 5223 && strcmp(t[1].host, "example.com") == 0);
    CHECK(t[2].port == 5269 && strcmp(t[2].host, "backup.example.com") == 0);
    /* more records than room: the first max */
    CHECK(xmpp_srv_parse(msg, mlen, want_query, sizeof want_query, t, 2, &n) == XMPP_OK && n == 2 && t[1].port == 5223);
    /* every truncation: refused, never read past the end (ASan watches) */
    {
        size_t cut, full = mlen;
        static unsigned char copy[1024];
        for (cut = 0; cut < full; cut++) {
            memcpy(copy, msg, cut);
            CHECK(xmpp_srv_parse(copy, cut, want_query, sizeof want_query, t, 4, &n) == XMPP_ERR_PROTOCOL);
        }
    }
    /* not ours, or not usable */
    {   /* another id; another question; the same question in other letter case */
        unsigned char q2[sizeof want_query];
        memcpy(q2, want_query, sizeof q2);
        q2[1] ^= 1;
        CHECK(xmpp_srv_parse(msg, mlen, q2, sizeof q2, t, 4, &n) == XMPP_ERR_PROTOCOL);
        memcpy(q2, want_query, sizeof q2);
        q2[40] = 'x';   /* "example.cxm" */
        CHECK(xmpp_srv_parse(msg, mlen, q2, sizeof q2, t, 4, &n) == XMPP_ERR_PROTOCOL);
        memcpy(q2, want_query, sizeof q2);
        q2[31] = 'E';   /* "Example.com" (0x20 randomisation, RFC 5452 §9.1) */
        CHECK(xmpp_srv_parse(msg, mlen, q2, sizeof q2, t, 4, &n) == XMPP_OK && n == 3);
    }
    msg[2] = 0x01;
    CHECK(xmpp_srv_parse(msg, mlen, want_query, sizeof want_query, t, 4, &n) == XMPP_ERR_PROTOCOL);   /* a query */
    msg[2] = 0x83;
    CHECK(xmpp_srv_parse(msg, mlen, want_query, sizeof want_query, t, 4, &n) == XMPP_ERR_PROTOCOL);   /* TC: truncated */
    msg[2] = 0x81;
    msg[3] = 0x82;
    CHECK(xmpp_srv_parse(msg, mlen, want_query, sizeof want_query, t, 4, &n) == XMPP_ERR_PROTOCOL);   /* SERVFAIL */
}

/* The question echoed in other letter case (a resolver's 0x20 randomisation, RFC 5452
   §9.1; here an upper-case answer to our lower-case query); a one-letter target (not "."); an SRV record reached through
   a CNAME (RFC 2782: the owner name compressed as a pointer to the CNAME's target, itself
   a label and a pointer: two jumps, the record read after the first pointer). */
static void test_parse_more(void)
{
    xmpp_srv_target t[2];
    size_t n = 9, cname_at;
    answer_begin(0, 1);
    srv(5, 10, 5222, "xmpp.example.com");
    memcpy(msg + 13, "_XMPP-CLIENT", 12);   /* the answer's copy of the question upper case */
    msg[31] = 'E';
    CHECK(xmpp_srv_parse(msg, mlen, want_query, sizeof want_query, t, 2, &n) == XMPP_OK && n == 1);
    CHECK(n == 1 && t[0].port == 5222 && strcmp(t[0].host, "xmpp.example.com") == 0);
    answer_begin(0, 1);
    srv(5, 10, 5223, "x");
    n = 9;
    CHECK(xmpp_srv_parse(msg, mlen, want_query, sizeof want_query, t, 2, &n) == XMPP_OK && n == 1);
    CHECK(n == 1 && t[0].port == 5223 && strcmp(t[0].host, "x") == 0);
    answer_begin(0, 2);
    put16(0xC00C); put16(5); put16(1); put16(0); put16(300); put16(6);   /* CNAME srv.example.com */
    cname_at = mlen;
    put("\3srv", 4); put16(0xC01E);
    put16(0xC000 | (unsigned)cname_at);   /* srv.example.com SRV 1 2 5269 xmpp.example.com */
    put16(33); put16(1); put16(0); put16(300); put16(6 + 5 + 2);
    put16(1); put16(2); put16(5269);
    put("\4xmpp", 5); put16(0xC01E);
    n = 9;
    CHECK(xmpp_srv_parse(msg, mlen, want_query, sizeof want_query, t, 2, &n) == XMPP_OK && n == 1);
    CHECK(n == 1 && t[0].priority == 1 && t[0].weight == 2 && t[0].port == 5269 &&
          strcmp(t[0].host, "xmpp.example.com") == 0);
}

static void test_no_service(void)
{
    xmpp_srv_target t[2];
    size_t n = 9;
    answer_begin(3, 0);   /* NXDOMAIN: fall back to the domain */
    CHECK(xmpp_srv_parse(msg, mlen, want_query, sizeof want_query, t, 2, &n) == XMPP_AGAIN && n == 0);
    answer_begin(0, 0);   /* the name exists, no SRV */
    CHECK(xmpp_srv_parse(msg, mlen, want_query, sizeof want_query, t, 2, &n) == XMPP_AGAIN && n == 0);
    answer_begin(0, 1);   /* RFC 2782: target "." */
    srv(0, 0, 0, "");
    CHECK(xmpp_srv_parse(msg, mlen, want_query, sizeof want_query, t, 2, &n) == XMPP_ERR_AUTH && n == 0);
}

static void test_malformed(void)
{
    xmpp_srv_target t[2];
    size_t n;
    answer_begin(0, 1);   /* a target pointing at itself: a loop */
    srv(0, 0, 5222, "@65");
    CHECK(mlen == 67);
    CHECK(xmpp_srv_parse(msg, mlen, want_query, sizeof want_query, t, 2, &n) == XMPP_ERR_PROTOCOL);
    answer_begin(0, 1);   /* a pointer past the end */
    srv(0, 0, 5222, "@900");
    CHECK(xmpp_srv_parse(msg, mlen, want_query, sizeof want_query, t, 2, &n) == XMPP_ERR_PROTOCOL);
    answer_begin(0, 1);   /* rdlength past the end */
    srv(0, 0, 5222, "a.b");
    msg[mlen - 12] = 0x10;
    CHECK(xmpp_srv_parse(msg, mlen, want_query, sizeof want_query, t, 2, &n) == XMPP_ERR_PROTOCOL);
    answer_begin(0, 1);   /* a target name longer than its rdata */
    srv(0, 0, 5222, "abc.de");
    msg[mlen - 15] = (unsigned char)(msg[mlen - 15] - 2);
    CHECK(xmpp_srv_parse(msg, mlen, want_query, sizeof want_query, t, 2, &n) == XMPP_ERR_PROTOCOL);
    answer_begin(0, 1);   /* host names: no NUL, '.', space or '/' inside a label */
    srv(0, 0, 5222, "a b.example");
    CHECK(xmpp_srv_parse(msg, mlen, want_query, sizeof want_query, t, 2, &n) == XMPP_ERR_PROTOCOL);
    answer_begin(0, 1);
    srv(0, 0, 5222, "evil");
    msg[mlen - 3] = 0;    /* "ev\0l" */
    CHECK(xmpp_srv_parse(msg, mlen, want_query, sizeof want_query, t, 2, &n) == XMPP_ERR_PROTOCOL);
    answer_begin(0, 1);   /* a reserved label type (0x40) */
    srv(0, 0, 5222, "ab");
    msg[mlen - 4] = 0x41;
    CHECK(xmpp_srv_parse(msg, mlen, want_query, sizeof want_query, t, 2, &n) == XMPP_ERR_PROTOCOL);
    answer_begin(0, 1);   /* a name of 255 bytes written out: 257 on the wire, too long */
    {
        char name[300];
        size_t i;
        memset(name, 'a', sizeof name);
        for (i = 63; i < 260; i += 64) name[i] = '.';
        name[255] = 0;
        srv(0, 0, 5222, name);
        CHECK(xmpp_srv_parse(msg, mlen, want_query, sizeof want_query, t, 2, &n) == XMPP_ERR_PROTOCOL);
        answer_begin(0, 1);
        name[250] = 0;
        srv(0, 0, 5222, name);
        CHECK(xmpp_srv_parse(msg, mlen, want_query, sizeof want_query, t, 2, &n) == XMPP_OK && strlen(t[0].host) == 250);
        answer_begin(0, 1);
        name[250] = 'a'; name[253] = 0;   /* 253: the longest there is */
        srv(0, 0, 5222, name);
        CHECK(xmpp_srv_parse(msg, mlen, want_query, sizeof want_query, t, 2, &n) == XMPP_OK && strlen(t[0].host) == 253);
    }
}

/* ---- RFC 2782 order */

static uint32_t seed;
static void rng(void *ctx, unsigned char *buf, size_t n)
{
    (void)ctx;
    while (n--) { seed = seed * 1664525u + 1013904223u; *buf++ = (unsigned char)(seed >> 24); }
}

static void target(xmpp_srv_target *t, unsigned prio, unsigned weight, const char *host)
{
    t->priority = (uint16_t)prio;
    t->weight = (uint16_t)weight;
    t->port = 5222;
    strcpy(t->host, host);
}

static void test_order(void)
{
    xmpp_srv_target t[5];
    int i, heavy_first = 0, zero_first = 0;
    target(&t[0], 20, 0, "c");
    target(&t[1], 10, 0, "b");
    target(&t[2], 30, 0, "d");
    target(&t[3], 5, 0, "a");
    seed = 1;
    xmpp_srv_order(t, 4, rng, NULL);
    CHECK(!strcmp(t[0].host, "a") && !strcmp(t[1].host, "b") && !strcmp(t[2].host, "c") && !strcmp(t[3].host, "d"));
    /* weights 10 and 90 at one priority: the heavy one first about 90 times in 100 (the
       draw is uniform over 0..sum, so 91/101 exactly) */
    for (i = 0; i < 10000; i++) {
        target(&t[0], 1, 10, "light");
        target(&t[1], 1, 90, "heavy");
        target(&t[2], 0, 5, "first");
        xmpp_srv_order(t, 3, rng, NULL);
        CHECK(!strcmp(t[0].host, "first"));
        heavy_first += !strcmp(t[1].host, "heavy");
    }
    CHECK(heavy_first > 8700 && heavy_first < 9300);
    /* weight 0 among weighted ones: chosen first only when the draw is 0 (1 in sum + 1) */
    for (i = 0; i < 10000; i++) {
        target(&t[0], 1, 50, "w");
        target(&t[1], 1, 0, "zero");
        xmpp_srv_order(t, 2, rng, NULL);
        zero_first += !strcmp(t[0].host, "zero");
    }
    CHECK(zero_first > 100 && zero_first < 320);   /* 1/51 of 10000 = 196 */
}

/* RFC 2782's selection, step by step with scripted draws: the draw is the rng's 4 bytes
   (big-endian) mod (sum + 1); the first target whose running sum of weights reaches it is
   taken, and the others keep their order. */
static const unsigned char *draws;
static void rng_script(void *ctx, unsigned char *buf, size_t n)
{
    (void)ctx;
    memcpy(buf, draws, n);
    draws += n;
}

static void test_order_draws(void)
{
    static const unsigned char d[] = { 0, 0, 1, 0,   0, 0, 0, 0 };   /* 256, then 0 */
    xmpp_srv_target t[3];
    target(&t[0], 1, 100, "a");   /* running sums 100, 300, 600: 256 % 601 picks b */
    target(&t[1], 1, 200, "b");
    target(&t[2], 1, 300, "c");
    draws = d;
    xmpp_srv_order(t, 3, rng_script, NULL);   /* then a, c: 0 % 401 picks a */
    CHECK(draws == d + 8);
    CHECK(!strcmp(t[0].host, "b") && !strcmp(t[1].host, "a") && !strcmp(t[2].host, "c"));
    CHECK(t[0].weight == 200 && t[1].weight == 100 && t[2].weight == 300);
}

int main(void)
{
    RUN(test_query);
    RUN(test_parse);
    RUN(test_parse_more);
    RUN(test_no_service);
    RUN(test_malformed);
    RUN(test_order);
    RUN(test_order_draws);
    return check_done();
}
