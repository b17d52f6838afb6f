/* fuzz_scram.c - libFuzzer target: the SCRAM client (>>sasl) fed arbitrary server messages,
   and the SCRAM server fed arbitrary client messages.
       clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_scram.c -o build/fuzz_scram
       tests/fuzz/run.sh build/fuzz_scram 60 tests/fuzz/corpus-scram tests/fuzz/scram.dict

   Input: a 3-byte header, then the first message, then the second.
       h[0] bit 0    SHA-1 (else SHA-256)
            bit 1    -PLUS, with channel-binding data
            bit 2    server mode: the two messages are the client's first and final ones
            bit 3    client: the second message comes as a challenge (else with <success/>)
            bit 4    client: a valid cache for a different salt is given (with the password)
            bits 5-7 the output buffer: 0 exact size needed, else h[0] >> 5 times 24 bytes
       h[1..2]       length of the first message (little endian, cut to what is there)
   The client's nonce is RFC 5802's (SHA-1) or RFC 7677's (SHA-256), so the RFC server
   messages are seeds (with another password, so they reach the signature check and fail
   there); iteration counts up to 4096 are accepted.
   Checked: no crash, no read or write outside exact-size buffers (ASan); a response never
   longer than the buffer; XMPP_ERR_NOSPACE reports a size that then works (not SPACE again)
   and changes nothing; every error is sticky, has a message, and is one the API lists;
   and neither side ever accepts the other: nothing here knows the password, so a success
   would be a forged signature or proof. Any failure abort()s. */
#define XMPP_IMPLEMENTATION
#include "../../xmpp.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#define FAIL(what) do { fprintf(stderr, "fuzz_scram: %s (line %d)\n", what, __LINE__); abort(); } while (0)

static const unsigned char cb[32] = "0123456789abcdef0123456789abcdef";
static const unsigned char salt[12] = "salt-of-fuzz";

static void check_err(xmpp_err e, const xmpp_errinfo *info)
{
    if (e == XMPP_OK || e == XMPP_AGAIN) return;
    if (e != XMPP_ERR_SASL_MALFORMED && e != XMPP_ERR_AUTH && e != XMPP_ERR_POLICY_VIOLATION &&
        e != XMPP_ERR_INVALID)
        FAIL("unexpected error code");
    if (info->code != e || !info->message || !info->message[0]) FAIL("error without its info");
}

/* a step with an exact-size copy of the input and an output of `want` bytes (0: exactly
   what is needed, found through XMPP_ERR_NOSPACE) */
typedef xmpp_err (*step_fn)(void *obj, const void *in, size_t n, unsigned char *out, size_t size, size_t *len);
static xmpp_err c_step(void *o, const void *in, size_t n, unsigned char *out, size_t size, size_t *len)
{ return xmpp_sasl_step((xmpp_sasl *)o, in, n, out, size, len); }
static xmpp_err s_step(void *o, const void *in, size_t n, unsigned char *out, size_t size, size_t *len)
{ return xmpp_sasl_server_step((xmpp_sasl_server *)o, in, n, out, size, len); }

static xmpp_err step(step_fn f, void *obj, const uint8_t *msg, size_t n, size_t want)
{
    unsigned char *in = (unsigned char *)malloc(n ? n : 1), *out;
    size_t size = want, len = 0, len2 = 0;
    xmpp_err e;
    memcpy(in, msg, n);
    out = (unsigned char *)malloc(size ? size : 1);
    e = f(obj, in, n, out, size, &len);
    if (e == XMPP_ERR_NOSPACE) {
        if (len <= size) FAIL("XMPP_ERR_NOSPACE with a size that fits");
        free(out);
        size = len;
        out = (unsigned char *)malloc(size);
        e = f(obj, in, n, out, size, &len2);
        if (e == XMPP_ERR_NOSPACE) FAIL("XMPP_ERR_NOSPACE twice");
        len = len2;
    }
    if ((e == XMPP_OK || e == XMPP_AGAIN) && len > size) FAIL("response longer than the buffer");
    free(out);
    free(in);
    return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static xmpp_sasl s;
    static xmpp_sasl_server v;
    uint8_t h;
    size_t n1, want;
    const uint8_t *m1, *m2;
    size_t n2;
    int sha1, plus;
    xmpp_err e, e2;
    if (size < 3) return 0;
    h = data[0];
    n1 = (size_t)data[1] | (size_t)data[2] << 8;
    if (n1 > size - 3) n1 = size - 3;
    m1 = data + 3;
    m2 = m1 + n1;
    n2 = size - 3 - n1;
    sha1 = h & 1;
    plus = (h >> 1) & 1;
    want = (size_t)(h >> 5) * 24;

    if (h & 4) {   /* server mode */
        xmpp_sasl_server_config c;
        memset(&c, 0, sizeof c);
        c.mech = sha1 ? (plus ? XMPP_SASL_SCRAM_SHA_1_PLUS : XMPP_SASL_SCRAM_SHA_1)
                      : (plus ? XMPP_SASL_SCRAM_SHA_256_PLUS : XMPP_SASL_SCRAM_SHA_256);
        c.username = (xmpp_str){ "user", 4 };
        c.password = (xmpp_str){ "not-pencil", 10 };
        c.salt = salt;
        c.salt_len = sizeof salt;
        c.iterations = 2;
        c.nonce = (xmpp_str){ "3rfcNHYJY1ZVvWVs7j", 18 };
        c.plus_offered = (h >> 3) & 1;
        if (plus) { c.cb_data = cb; c.cb_len = sizeof cb; }
        if (xmpp_sasl_server_start(&v, &c) != XMPP_OK) FAIL("server start");
        e = step(s_step, &v, m1, n1, want);
        check_err(e, xmpp_sasl_server_error(&v));
        if (e == XMPP_OK) FAIL("authenticated by a first message");
        e2 = step(s_step, &v, m2, n2, want);
        check_err(e2, xmpp_sasl_server_error(&v));
        if (e2 == XMPP_OK) FAIL("a client proof was forged");
        if (e != XMPP_AGAIN && e2 != e) FAIL("server error not sticky");
        return 0;
    }

    {   /* client mode */
        xmpp_sasl_config c;
        xmpp_sasl_cache cache;
        unsigned char first[128];
        size_t len;
        memset(&c, 0, sizeof c);
        c.mech = sha1 ? (plus ? XMPP_SASL_SCRAM_SHA_1_PLUS : XMPP_SASL_SCRAM_SHA_1)
                      : (plus ? XMPP_SASL_SCRAM_SHA_256_PLUS : XMPP_SASL_SCRAM_SHA_256);
        c.authcid = (xmpp_str){ "user", 4 };
        c.password = (xmpp_str){ "not-pencil", 10 };
        c.nonce = sha1 ? (xmpp_str){ "fyko+d2lbbFgONRv9qkxdawL", 24 } : (xmpp_str){ "rOprNGfwEbeRWgbNEkqO", 20 };
        c.min_iterations = 1;
        c.max_iterations = 4096;
        if (plus) { c.cb_data = cb; c.cb_len = sizeof cb; }
        if (h & 16) {
            memset(&cache, 0, sizeof cache);
            cache.valid = 1;
            cache.alg = sha1 ? 20 : 32;
            cache.iterations = 4096;
            cache.salt_len = 1;
            c.cache = &cache;
        }
        if (xmpp_sasl_start(&s, &c, first, sizeof first, &len) != XMPP_OK) FAIL("client start");
        e = step(c_step, &s, m1, n1, want);
        check_err(e, xmpp_sasl_error(&s));
        if (e == XMPP_OK) {
            if (h & 8) {
                e2 = step(c_step, &s, m2, n2, want);
                if (e2 == XMPP_OK) e2 = xmpp_sasl_success(&s, NULL, 0);
            } else {
                unsigned char *fin = (unsigned char *)malloc(n2 ? n2 : 1);
                memcpy(fin, m2, n2);
                e2 = xmpp_sasl_success(&s, fin, n2);
                free(fin);
            }
            check_err(e2, xmpp_sasl_error(&s));
            if (e2 == XMPP_OK) FAIL("a server signature was forged");
            e = e2;
        }
        if (xmpp_sasl_success(&s, m2, n2) != e || xmpp_sasl_error(&s)->code != e) FAIL("client error not sticky");
        if (c.cache && cache.valid && cache.salt_len != 1) FAIL("cache marked valid for an unverified server");
    }
    return 0;
}
