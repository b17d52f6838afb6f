/* test_sasl.c - crypto and SASL (>>sasl): FIPS 180 / NIST hash vectors (every split of
   every message), RFC 2202 and RFC 4231 HMAC, RFC 6070 and RFC 7914 §11 PBKDF2, RFC 4648
   §10 base64 and what it must reject, the RFC 5802 §5 and RFC 7677 §3 SCRAM exchanges
   byte for byte (client and server), our client against our server (every mechanism,
   -PLUS, authzid, caching), and each malformed message with its exact error.
   The same file runs on the host (gcc, clang, ASan, with XMPP_BEARSSL) and on the
   emulated Cortex-M3 and Cortex-M0 (tests/firmware), with the same counts. */
#define XMPP_IMPLEMENTATION
#include "../xmpp.h"
#include "check.h"
#include <string.h>

/* ---- helpers */

static xmpp_str S(const char *z)
{
    xmpp_str s;
    s.p = z;
    s.n = strlen(z);
    return s;
}

static int hexval(char c)
{
    return c <= '9' ? c - '0' : c - 'a' + 10;
}

/* d[0, n) is the hex string h (n bytes) */
static int eq_hex(const unsigned char *d, size_t n, const char *h)
{
    size_t i;
    if (strlen(h) != 2 * n) return 0;
    for (i = 0; i < n; i++)
        if (d[i] != (unsigned char)(hexval(h[2 * i]) << 4 | hexval(h[2 * i + 1]))) {
            printf("  byte %lu differs: want %s\n", (unsigned long)i, h);
            return 0;
        }
    return 1;
}

static int eq_bytes(const void *d, size_t n, const char *want)
{
    if (n == strlen(want) && memcmp(d, want, n) == 0) return 1;
    printf("  got  \"%.*s\"\n  want \"%s\"\n", (int)n, (const char *)d, want);
    return 0;
}

/* an error with exactly this code and message */
static int is_err(const xmpp_errinfo *e, xmpp_err code, const char *msg)
{
    if (e->code == code && e->message && strcmp(e->message, msg) == 0) return 1;
    printf("  got  %d \"%s\"\n  want %d \"%s\"\n", (int)e->code, e->message ? e->message : "(null)",
           (int)code, msg);
    return 0;
}

/* an error with exactly this code, message and offset */
static int is_err_at(const xmpp_errinfo *e, xmpp_err code, const char *msg, uint64_t off)
{
    if (!is_err(e, code, msg)) return 0;
    if (e->offset == off) return 1;
    printf("  offset %lu, want %lu\n", (unsigned long)e->offset, (unsigned long)off);
    return 0;
}

/* a deterministic RNG for nonces */
static void test_rng(void *ctx, unsigned char *buf, size_t n)
{
    uint32_t *x = (uint32_t *)ctx;
    while (n--) {
        *x ^= *x << 13; *x ^= *x >> 17; *x ^= *x << 5;
        *buf++ = (unsigned char)*x;
    }
}

/* ---- hashes: FIPS 180-2 appendix A / NIST example vectors */

static const char *const fips_msgs[] = {
    "", "abc", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
};
#ifndef XMPP_NO_SHA1
static const char *const fips_sha1[] = {
    "da39a3ee5e6b4b0d3255bfef95601890afd80709", "a9993e364706816aba3e25717850c26c9cd0d89d",
    "84983e441c3bd26ebaae4aa1f95129e5e54670f1", "a49b2446a02c645bf419f995b67091253a04a259"
};
#endif
static const char *const fips_sha256[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
};

/* m hashed whole (one shot), byte by byte, and cut in two at every offset: all give want */
static int hash_all_ways(xmpp_hash_alg alg, const void *m, size_t n, const char *want)
{
    unsigned char d[XMPP_HASH_MAX];
    xmpp_hash h;
    size_t cut, i;
    xmpp_hash_once(alg, m, n, d);
    if (!eq_hex(d, alg, want)) return 0;
    xmpp_hash_init(&h, alg);
    for (i = 0; i < n; i++) xmpp_hash_update(&h, (const char *)m + i, 1);
    xmpp_hash_final(&h, d);
    if (!eq_hex(d, alg, want)) return 0;
    for (cut = 0; cut <= n; cut++) {
        xmpp_hash_init(&h, alg);
        xmpp_hash_update(&h, m, cut);
        xmpp_hash_update(&h, (const char *)m + cut, n - cut);
        xmpp_hash_final(&h, d);
        if (!eq_hex(d, alg, want)) { printf("  cut at %lu\n", (unsigned long)cut); return 0; }
    }
    return 1;
}

/* the million-'a' message in pieces of the given size */
static void million_a(xmpp_hash_alg alg, size_t piece, unsigned char *d)
{
    static unsigned char a[1000];
    xmpp_hash h;
    size_t left = 1000000;
    memset(a, 'a', sizeof a);
    xmpp_hash_init(&h, alg);
    while (left) {
        size_t k = left < piece ? left : piece;
        xmpp_hash_update(&h, a, k);
        left -= k;
    }
    xmpp_hash_final(&h, d);
}

#ifndef XMPP_NO_SHA1
static void test_sha1_fips180(void)
{
    unsigned char d[20];
    size_t i;
    for (i = 0; i < 4; i++) CHECK(hash_all_ways(XMPP_SHA1, fips_msgs[i], strlen(fips_msgs[i]), fips_sha1[i]));
    million_a(XMPP_SHA1, 1000, d);
    CHECK(eq_hex(d, 20, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"));
    million_a(XMPP_SHA1, 997, d);
    CHECK(eq_hex(d, 20, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"));
}
#endif

static void test_sha256_fips180(void)
{
    unsigned char d[32];
    size_t i;
    for (i = 0; i < 4; i++) CHECK(hash_all_ways(XMPP_SHA256, fips_msgs[i], strlen(fips_msgs[i]), fips_sha256[i]));
    million_a(XMPP_SHA256, 1000, d);
    CHECK(eq_hex(d, 32, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    million_a(XMPP_SHA256, 63, d);
    CHECK(eq_hex(d, 32, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
}

/* Lengths around the block and padding boundaries (55, 56, 63, 64, 65, 119, 120 ...):
   every length from 0 to 300 cut in three at many places gives the one-shot digest. */
static void test_hash_splits(void)
{
    static unsigned char m[300];
    unsigned char want[32], d[32];
    xmpp_hash h;
    size_t n, i, j;
    unsigned a;
    for (i = 0; i < sizeof m; i++) m[i] = (unsigned char)(i * 7 + 3);
    for (a = 0; a < 2; a++) {
#ifdef XMPP_NO_SHA1
        xmpp_hash_alg alg = XMPP_SHA256;
        if (a) break;
#else
        xmpp_hash_alg alg = a ? XMPP_SHA256 : XMPP_SHA1;
#endif
        for (n = 0; n <= sizeof m; n++) {
            xmpp_hash_once(alg, m, n, want);
            for (i = 0; i <= n; i += 13)
                for (j = i; j <= n; j += 29) {
                    xmpp_hash_init(&h, alg);
                    xmpp_hash_update(&h, m, i);
                    xmpp_hash_update(&h, m + i, j - i);
                    xmpp_hash_update(&h, m + j, n - j);
                    xmpp_hash_final(&h, d);
                    CHECK(memcmp(d, want, alg) == 0);
                }
        }
    }
    /* a finished context is wiped */
    xmpp_hash_init(&h, XMPP_SHA256);
    xmpp_hash_update(&h, "secret", 6);
    xmpp_hash_final(&h, d);
    for (i = 0; i < sizeof h; i++) CHECK(((unsigned char *)&h)[i] == 0);
}

/* ---- HMAC */

typedef struct { const unsigned char *key; size_t klen; const char *data; size_t dlen; size_t keep; const char *want; } hmac_case;

static int hmac_all_ways(xmpp_hash_alg alg, const hmac_case *c)
{
    unsigned char d[32];
    xmpp_hmac m;
    size_t cut;
    xmpp_hmac_once(alg, c->key, c->klen, c->data, c->dlen, d);
    if (!eq_hex(d, c->keep, c->want)) return 0;
    for (cut = 0; cut <= c->dlen; cut++) {
        xmpp_hmac_init(&m, alg, c->key, c->klen);
        xmpp_hmac_update(&m, c->data, cut);
        xmpp_hmac_update(&m, c->data + cut, c->dlen - cut);
        xmpp_hmac_final(&m, d);
        if (!eq_hex(d, c->keep, c->want)) return 0;
    }
    return 1;
}

static unsigned char k0b[20], kaa[131], k0c[20], k125[25];
static char ddd[50], dcd[50];
static void hmac_keys(void)
{
    size_t i;
    memset(k0b, 0x0b, sizeof k0b);
    memset(kaa, 0xaa, sizeof kaa);
    memset(k0c, 0x0c, sizeof k0c);
    for (i = 0; i < 25; i++) k125[i] = (unsigned char)(i + 1);
    memset(ddd, (char)0xdd, sizeof ddd);
    memset(dcd, (char)0xcd, sizeof dcd);
}

#ifndef XMPP_NO_SHA1
static void test_hmac_sha1_rfc2202(void)
{
    const char *big1 = "Test Using Larger Than Block-Size Key - Hash Key First";
    const char *big2 = "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data";
    hmac_case cs[7];
    size_t i;
    hmac_keys();
    cs[0].key = k0b; cs[0].klen = 20; cs[0].data = "Hi There"; cs[0].want = "b617318655057264e28bc0b6fb378c8ef146be00";
    cs[1].key = (const unsigned char *)"Jefe"; cs[1].klen = 4; cs[1].data = "what do ya want for nothing?";
    cs[1].want = "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79";
    cs[2].key = kaa; cs[2].klen = 20; cs[2].data = ddd; cs[2].want = "125d7342b9ac11cd91a39af48aa17b4f63f175d3";
    cs[3].key = k125; cs[3].klen = 25; cs[3].data = dcd; cs[3].want = "4c9007f4026250c6bc8414f9bf50c86c2d7235da";
    cs[4].key = k0c; cs[4].klen = 20; cs[4].data = "Test With Truncation"; cs[4].want = "4c1a03424b55e07fe7f27be1";
    cs[5].key = kaa; cs[5].klen = 80; cs[5].data = big1; cs[5].want = "aa4ae5e15272d00e95705637ce8a3b55ed402112";
    cs[6].key = kaa; cs[6].klen = 80; cs[6].data = big2; cs[6].want = "e8e99d0f45237d786d6bbaa7965c7808bbff1a91";
    for (i = 0; i < 7; i++) {
        cs[i].dlen = cs[i].data == ddd || cs[i].data == dcd ? 50 : strlen(cs[i].data);
        cs[i].keep = strlen(cs[i].want) / 2;
        CHECK(hmac_all_ways(XMPP_SHA1, &cs[i]));
    }
}
#endif

static void test_hmac_sha256_rfc4231(void)
{
    hmac_case cs[7];
    size_t i;
    hmac_keys();
    cs[0].key = k0b; cs[0].klen = 20; cs[0].data = "Hi There";
    cs[0].want = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7";
    cs[1].key = (const unsigned char *)"Jefe"; cs[1].klen = 4; cs[1].data = "what do ya want for nothing?";
    cs[1].want = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    cs[2].key = kaa; cs[2].klen = 20; cs[2].data = ddd;
    cs[2].want = "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe";
    cs[3].key = k125; cs[3].klen = 25; cs[3].data = dcd;
    cs[3].want = "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b";
    cs[4].key = k0c; cs[4].klen = 20; cs[4].data = "Test With Truncation";
    cs[4].want = "a3b6167473100ee06e0c796c2955552b";   /* truncated to 128 bits */
    cs[5].key = kaa; cs[5].klen = 131; cs[5].data = "Test Using Larger Than Block-Size Key - Hash Key First";
    cs[5].want = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54";
    cs[6].key = kaa; cs[6].klen = 131;
    cs[6].data = "This is a test using a larger than block-size key and a larger than block-size data."
                 " The key needs to be hashed before being used by the HMAC algorithm.";
    cs[6].want = "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2";
    for (i = 0; i < 7; i++) {
        cs[i].dlen = cs[i].data == ddd || cs[i].data == dcd ? 50 : strlen(cs[i].data);
        cs[i].keep = strlen(cs[i].want) / 2;
        CHECK(hmac_all_ways(XMPP_SHA256, &cs[i]));
    }
}

/* ---- PBKDF2 */

#ifndef XMPP_NO_SHA1
static void test_pbkdf2_sha1_rfc6070(void)
{
    unsigned char d[25];
    xmpp_pbkdf2(XMPP_SHA1, "password", 8, "salt", 4, 1, d, 20);
    CHECK(eq_hex(d, 20, "0c60c80f961f0e71f3a9b524af6012062fe037a6"));
    xmpp_pbkdf2(XMPP_SHA1, "password", 8, "salt", 4, 2, d, 20);
    CHECK(eq_hex(d, 20, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"));
    xmpp_pbkdf2(XMPP_SHA1, "password", 8, "salt", 4, 4096, d, 20);
    CHECK(eq_hex(d, 20, "4b007901b765489abead49d926f721d065a429c1"));
#ifdef TEST_SLOW   /* 16777216 iterations: seconds on a PC */
    xmpp_pbkdf2(XMPP_SHA1, "password", 8, "salt", 4, 16777216, d, 20);
    CHECK(eq_hex(d, 20, "eefe3d61cd4da4e4e9945b3d6ba2158c2634e984"));
#endif
    xmpp_pbkdf2(XMPP_SHA1, "passwordPASSWORDpassword", 24, "saltSALTsaltSALTsaltSALTsaltSALTsalt", 36, 4096, d, 25);
    CHECK(eq_hex(d, 25, "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"));
    xmpp_pbkdf2(XMPP_SHA1, "pass\0word", 9, "sa\0lt", 5, 4096, d, 16);
    CHECK(eq_hex(d, 16, "56fa6aa75548099dcc37d7f03425e0c3"));
}
#endif

static void test_pbkdf2_sha256_rfc7914(void)
{
    unsigned char d[64];
    xmpp_pbkdf2(XMPP_SHA256, "passwd", 6, "salt", 4, 1, d, 64);
    CHECK(eq_hex(d, 64, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                        "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"));
    xmpp_pbkdf2(XMPP_SHA256, "Password", 8, "NaCl", 4, 80000, d, 64);
    CHECK(eq_hex(d, 64, "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
                        "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"));
}

/* ---- base64, constant-time compare, wipe */

static void test_base64_rfc4648_s10(void)
{
    static const char *const raw[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
    static const char *const enc[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
    char out[16];
    unsigned char bin[16];
    size_t i, n;
    for (i = 0; i < 7; i++) {
        CHECK(xmpp_b64_encode(raw[i], strlen(raw[i]), out, sizeof out, &n) == XMPP_OK);
        CHECK(eq_bytes(out, n, enc[i]));
        CHECK(n == XMPP_B64_ENCODED_SIZE(strlen(raw[i])));
        CHECK(xmpp_b64_decode(enc[i], strlen(enc[i]), bin, sizeof bin, &n) == XMPP_OK);
        CHECK(eq_bytes(bin, n, raw[i]));
        CHECK(n <= XMPP_B64_DECODED_MAX(strlen(enc[i])));
    }
    /* every byte value, both ways */
    for (i = 0; i < 256; i += 3) {
        unsigned char b[3], back[3];
        char e[4];
        b[0] = (unsigned char)i; b[1] = (unsigned char)(255 - i); b[2] = (unsigned char)(i * 7);
        CHECK(xmpp_b64_encode(b, 3, e, 4, &n) == XMPP_OK && n == 4);
        CHECK(xmpp_b64_decode(e, 4, back, 3, &n) == XMPP_OK && n == 3 && memcmp(b, back, 3) == 0);
    }
}

/* what strict base64 rejects, with the offset of the first bad character */
static void test_base64_rejects(void)
{
    static const struct { const char *in; size_t at, len; } bad[] = {
        { "Zg=", 0, 0 }, { "Z", 0, 0 }, { "Zm9vY", 4, 0 }, { "Zm9vYg=", 4, 0 },   /* not a multiple of 4 */
        { "Zm9v!mFy", 4, 0 }, { "Zm9v YmF", 4, 0 }, { "Zm9\nvYmF", 3, 0 },    /* bad characters */
        { "Zm-v", 2, 0 }, { "Zm_v", 2, 0 }, { "Zm9v\0mFy", 4, 8 },
        { "Zg==Zg==", 2, 0 }, { "Z===", 1, 0 }, { "====", 0, 0 }, { "=Zg=", 0, 0 }, /* '=' not at the end */
        { "Zh==", 1, 0 }, { "Zm9=", 2, 0 }, { "Zm9vYh==", 5, 0 }, { "Zm9vYmF=", 6, 0 }, /* non-canonical */
        { "Zg=A", 2, 0 }
    };
    unsigned char bin[16];
    size_t i, n, len;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        len = bad[i].len ? bad[i].len : strlen(bad[i].in);
        n = 99;
        CHECK(xmpp_b64_decode(bad[i].in, len, bin, sizeof bin, &n) == XMPP_ERR_BASE64);
        if (n != bad[i].at) printf("  %s: offset %lu, want %lu\n", bad[i].in, (unsigned long)n, (unsigned long)bad[i].at);
        CHECK(n == bad[i].at);
    }
    /* sizes: the exact need is reported, nothing is written */
    memset(bin, 0x55, sizeof bin);
    CHECK(xmpp_b64_decode("Zm9vYg==", 8, bin, 3, &n) == XMPP_ERR_NOSPACE && n == 4 && bin[0] == 0x55);
    CHECK(xmpp_b64_decode("Zm9vYg==", 8, bin, 4, &n) == XMPP_OK && n == 4);
    CHECK(xmpp_b64_decode("", 0, NULL, 0, &n) == XMPP_OK && n == 0);
    CHECK(xmpp_b64_encode("foob", 4, (char *)bin, 7, &n) == XMPP_ERR_NOSPACE && n == 8);
}

static void test_ct_equal_and_wipe(void)
{
    unsigned char a[40], b[40];
    size_t i;
    for (i = 0; i < 40; i++) a[i] = b[i] = (unsigned char)i;
    CHECK(xmpp_ct_equal(a, b, 40) == 1);
    CHECK(xmpp_ct_equal(a, b, 0) == 1);
    for (i = 0; i < 40; i++) {
        b[i] ^= 0x80;
        CHECK(xmpp_ct_equal(a, b, 40) == 0);
        b[i] ^= 0x81;
        CHECK(xmpp_ct_equal(a, b, 40) == 0);
        b[i] ^= 0x01;
    }
    xmpp_wipe(a, sizeof a);
    for (i = 0; i < 40; i++) CHECK(a[i] == 0);
}

/* ---- SCRAM: the RFC exchanges, byte for byte */

typedef struct {
    xmpp_sasl_mech mech;
    const char *nonce, *snonce, *salt_b64, *first, *server_first, *final, *server_final;
} rfc_exchange;

#ifndef XMPP_NO_SHA1
static const rfc_exchange rfc5802 = {   /* RFC 5802 §5 */
    XMPP_SASL_SCRAM_SHA_1, "fyko+d2lbbFgONRv9qkxdawL", "3rfcNHYJY1ZVvWVs7j", "QSXCR+Q6sek8bf92",
    "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
    "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
    "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
    "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="
};
#endif
static const rfc_exchange rfc7677 = {   /* RFC 7677 §3 */
    XMPP_SASL_SCRAM_SHA_256, "rOprNGfwEbeRWgbNEkqO", "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", "W22ZaJ0SNY7soEsUEjb6gQ==",
    "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
};

static void rfc_client(const rfc_exchange *x)
{
    xmpp_sasl s;
    xmpp_sasl_config c;
    unsigned char out[256];
    size_t n;
    memset(&c, 0, sizeof c);
    c.mech = x->mech;
    c.authcid = S("user");
    c.password = S("pencil");
    c.nonce = S(x->nonce);
    CHECK(xmpp_sasl_start(&s, &c, out, sizeof out, &n) == XMPP_OK);
    CHECK(eq_bytes(out, n, x->first));
    CHECK(xmpp_sasl_step(&s, x->server_first, strlen(x->server_first), out, sizeof out, &n) == XMPP_OK);
    CHECK(eq_bytes(out, n, x->final));
    CHECK(xmpp_sasl_success(&s, x->server_final, strlen(x->server_final)) == XMPP_OK);
    CHECK(xmpp_sasl_error(&s)->code == XMPP_OK);
}

static void rfc_server(const rfc_exchange *x)
{
    static xmpp_sasl_server v;
    xmpp_sasl_server_config c;
    unsigned char salt[32], out[256];
    size_t n, slen;
    memset(&c, 0, sizeof c);
    CHECK(xmpp_b64_decode(x->salt_b64, strlen(x->salt_b64), salt, sizeof salt, &slen) == XMPP_OK);
    c.mech = x->mech;
    c.username = S("user");
    c.password = S("pencil");
    c.salt = salt;
    c.salt_len = slen;
    c.iterations = 4096;
    c.nonce = S(x->snonce);
    CHECK(xmpp_sasl_server_start(&v, &c) == XMPP_OK);
    CHECK(xmpp_sasl_server_step(&v, x->first, strlen(x->first), out, sizeof out, &n) == XMPP_AGAIN);
    CHECK(eq_bytes(out, n, x->server_first));
    CHECK(xmpp_sasl_server_step(&v, x->final, strlen(x->final), out, sizeof out, &n) == XMPP_OK);
    CHECK(eq_bytes(out, n, x->server_final));
    CHECK(xmpp_sasl_server_authzid(&v).n == 0);
}

#ifndef XMPP_NO_SHA1
static void test_scram_sha1_rfc5802_s5(void) { rfc_client(&rfc5802); rfc_server(&rfc5802); }
#endif
static void test_scram_sha256_rfc7677_s3(void) { rfc_client(&rfc7677); rfc_server(&rfc7677); }

/* ---- our client against our server */

typedef struct {
    xmpp_sasl s;
    xmpp_sasl_server v;
    unsigned char a[512], b[512];
    size_t an, bn;
    xmpp_err client, server;   /* the first error on each side (XMPP_OK: none) */
} duel;

static duel D;

static void client_cfg(xmpp_sasl_config *c, xmpp_sasl_mech m, const char *user, const char *pw)
{
    static uint32_t seed = 12345;
    memset(c, 0, sizeof *c);
    c->mech = m;
    c->authcid = S(user);
    c->password = S(pw);
    c->rng = test_rng;
    c->rng_ctx = &seed;
}

static const unsigned char test_salt[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static void server_cfg(xmpp_sasl_server_config *c, xmpp_sasl_mech m, const char *user, const char *pw)
{
    static uint32_t seed = 999;
    memset(c, 0, sizeof *c);
    c->mech = m;
    c->username = S(user);
    c->password = S(pw);
    c->salt = test_salt;
    c->salt_len = sizeof test_salt;
    c->iterations = 4096;
    c->rng = test_rng;
    c->rng_ctx = &seed;
}

/* Run a whole exchange; tamper (if not NULL) may change the client's final message. */
static void run_duel(const xmpp_sasl_config *cc, const xmpp_sasl_server_config *sc,
                     void (*tamper)(unsigned char *m, size_t *n))
{
    duel *d = &D;
    xmpp_err e;
    d->client = d->server = XMPP_OK;
    if ((d->server = xmpp_sasl_server_start(&d->v, sc)) != XMPP_OK) return;
    if ((d->client = xmpp_sasl_start(&d->s, cc, d->a, sizeof d->a, &d->an)) != XMPP_OK) return;
    for (;;) {
        e = xmpp_sasl_server_step(&d->v, d->a, d->an, d->b, sizeof d->b, &d->bn);
        if (e == XMPP_OK) break;
        if (e != XMPP_AGAIN) { d->server = e; return; }
        if ((d->client = xmpp_sasl_step(&d->s, d->b, d->bn, d->a, sizeof d->a, &d->an)) != XMPP_OK) return;
        if (tamper) tamper(d->a, &d->an);
    }
    d->client = xmpp_sasl_success(&d->s, d->b, d->bn);
}

static void test_scram_client_vs_server(void)
{
    xmpp_sasl_config cc;
    xmpp_sasl_server_config sc;
    static const xmpp_sasl_mech ms[] = {
#ifndef XMPP_NO_SHA1
        XMPP_SASL_SCRAM_SHA_1,
#endif
        XMPP_SASL_SCRAM_SHA_256 };
    size_t i;
    for (i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        client_cfg(&cc, ms[i], "juliet", "r0m30myr0m30");
        server_cfg(&sc, ms[i], "juliet", "r0m30myr0m30");
        run_duel(&cc, &sc, NULL);
        CHECK(D.client == XMPP_OK && D.server == XMPP_OK);
        /* a wrong password: the server says so, the client never verifies it */
        client_cfg(&cc, ms[i], "juliet", "wrong");
        run_duel(&cc, &sc, NULL);
        CHECK(D.server == XMPP_ERR_AUTH);
        CHECK(is_err(xmpp_sasl_server_error(&D.v), XMPP_ERR_AUTH, "wrong password (the proof does not verify)"));
    }
    /* a username and authzid with ',' and '=' (escaped as =2C and =3D) */
    client_cfg(&cc, XMPP_SASL_SCRAM_SHA_256, "a,b=c", "pw");
    cc.authzid = S("x=y,z@example.com");
    server_cfg(&sc, XMPP_SASL_SCRAM_SHA_256, "a,b=c", "pw");
    run_duel(&cc, &sc, NULL);
    CHECK(D.client == XMPP_OK && D.server == XMPP_OK);
    CHECK(eq_bytes(xmpp_sasl_server_authzid(&D.v).p, xmpp_sasl_server_authzid(&D.v).n, "x=y,z@example.com"));
    /* a server that stores only keys (no password) */
    {
        unsigned char stored[32], server[32];
        xmpp_sasl_scram_keys(XMPP_SHA256, S("pw"), test_salt, sizeof test_salt, 4096, stored, server);
        client_cfg(&cc, XMPP_SASL_SCRAM_SHA_256, "bob", "pw");
        server_cfg(&sc, XMPP_SASL_SCRAM_SHA_256, "bob", "");
        sc.stored_key = stored;
        sc.server_key = server;
        run_duel(&cc, &sc, NULL);
        CHECK(D.client == XMPP_OK && D.server == XMPP_OK);
    }
    /* a non-ASCII password passes unchanged (SASLprep: see README) */
    client_cfg(&cc, XMPP_SASL_SCRAM_SHA_256, "bob", "p\xc3\xa4ss");
    server_cfg(&sc, XMPP_SASL_SCRAM_SHA_256, "bob", "p\xc3\xa4ss");
    run_duel(&cc, &sc, NULL);
    CHECK(D.client == XMPP_OK && D.server == XMPP_OK);
    /* unknown user */
    client_cfg(&cc, XMPP_SASL_SCRAM_SHA_256, "eve", "pw");
    server_cfg(&sc, XMPP_SASL_SCRAM_SHA_256, "bob", "pw");
    run_duel(&cc, &sc, NULL);
    CHECK(is_err(xmpp_sasl_server_error(&D.v), XMPP_ERR_AUTH, "unknown user"));
}

static const unsigned char fake_cb[32] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
                                           13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28 };

static void test_scram_plus_channel_binding(void)
{
    xmpp_sasl_config cc;
    xmpp_sasl_server_config sc;
    unsigned char other[32];
    static const xmpp_sasl_mech ms[] = {
#ifndef XMPP_NO_SHA1
        XMPP_SASL_SCRAM_SHA_1_PLUS,
#endif
        XMPP_SASL_SCRAM_SHA_256_PLUS };
    size_t i;
    for (i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        client_cfg(&cc, ms[i], "juliet", "pw");
        cc.cb_data = fake_cb;
        cc.cb_len = sizeof fake_cb;
        server_cfg(&sc, ms[i], "juliet", "pw");
        sc.cb_data = fake_cb;
        sc.cb_len = sizeof fake_cb;
        run_duel(&cc, &sc, NULL);
        CHECK(D.client == XMPP_OK && D.server == XMPP_OK);
        /* the first message carries p=tls-server-end-point */
        CHECK(xmpp_sasl_start(&D.s, &cc, D.a, sizeof D.a, &D.an) == XMPP_OK);
        CHECK(D.an > 24 && memcmp(D.a, "p=tls-server-end-point,,n=juliet,r=", 35) == 0);
        /* a man in the middle: the channels differ */
        memcpy(other, fake_cb, sizeof other);
        other[31] ^= 1;
        sc.cb_data = other;
        run_duel(&cc, &sc, NULL);
        CHECK(is_err(xmpp_sasl_server_error(&D.v), XMPP_ERR_AUTH, "the channel binding (c=) does not match"));
    }
    /* the client's binding type is not the server's */
    client_cfg(&cc, XMPP_SASL_SCRAM_SHA_256_PLUS, "juliet", "pw");
    cc.cb_data = fake_cb;
    cc.cb_len = sizeof fake_cb;
    cc.cb_type = S("tls-exporter");
    server_cfg(&sc, XMPP_SASL_SCRAM_SHA_256_PLUS, "juliet", "pw");
    sc.cb_data = fake_cb;
    sc.cb_len = sizeof fake_cb;
    run_duel(&cc, &sc, NULL);
    CHECK(is_err(xmpp_sasl_server_error(&D.v), XMPP_ERR_AUTH, "unsupported channel-binding type"));
    /* GS2 flags (RFC 5802 §6): the client has channel binding, the server offered no -PLUS:
       'y'; a server that did offer -PLUS sees the downgrade */
    client_cfg(&cc, XMPP_SASL_SCRAM_SHA_256, "juliet", "pw");
    cc.cb_data = fake_cb;
    cc.cb_len = sizeof fake_cb;
    CHECK(xmpp_sasl_start(&D.s, &cc, D.a, sizeof D.a, &D.an) == XMPP_OK && memcmp(D.a, "y,,", 3) == 0);
    server_cfg(&sc, XMPP_SASL_SCRAM_SHA_256, "juliet", "pw");
    run_duel(&cc, &sc, NULL);
    CHECK(D.client == XMPP_OK && D.server == XMPP_OK);
    sc.plus_offered = 1;
    run_duel(&cc, &sc, NULL);
    CHECK(is_err(xmpp_sasl_server_error(&D.v), XMPP_ERR_AUTH,
                 "the client thinks we cannot bind channels, but we offered -PLUS: a downgrade"));
    /* the client saw -PLUS offered but chose otherwise: 'n' */
    cc.plus_offered = 1;
    CHECK(xmpp_sasl_start(&D.s, &cc, D.a, sizeof D.a, &D.an) == XMPP_OK && memcmp(D.a, "n,,", 3) == 0);
    /* -PLUS needs data */
    client_cfg(&cc, XMPP_SASL_SCRAM_SHA_256_PLUS, "juliet", "pw");
    CHECK(xmpp_sasl_start(&D.s, &cc, D.a, sizeof D.a, &D.an) == XMPP_ERR_INVALID);
    CHECK(is_err(xmpp_sasl_error(&D.s), XMPP_ERR_INVALID, "a -PLUS mechanism needs channel-binding data (cb_data)"));
}

static void test_scram_cache(void)
{
    xmpp_sasl_config cc;
    xmpp_sasl_server_config sc;
    xmpp_sasl_cache cache;
    memset(&cache, 0, sizeof cache);
    client_cfg(&cc, XMPP_SASL_SCRAM_SHA_256, "juliet", "pw");
    cc.cache = &cache;
    server_cfg(&sc, XMPP_SASL_SCRAM_SHA_256, "juliet", "pw");
    /* first login: PBKDF2, and the cache is filled, valid only after the server's proof */
    CHECK(xmpp_sasl_server_start(&D.v, &sc) == XMPP_OK);
    CHECK(xmpp_sasl_start(&D.s, &cc, D.a, sizeof D.a, &D.an) == XMPP_OK);
    CHECK(xmpp_sasl_server_step(&D.v, D.a, D.an, D.b, sizeof D.b, &D.bn) == XMPP_AGAIN);
    CHECK(xmpp_sasl_step(&D.s, D.b, D.bn, D.a, sizeof D.a, &D.an) == XMPP_OK);
    CHECK(cache.valid == 0 && cache.iterations == 4096 && cache.alg == 32 && cache.salt_len == 16);
    CHECK(memcmp(cache.salt, test_salt, 16) == 0);
    CHECK(xmpp_sasl_server_step(&D.v, D.a, D.an, D.b, sizeof D.b, &D.bn) == XMPP_OK);
    CHECK(xmpp_sasl_success(&D.s, D.b, D.bn) == XMPP_OK);
    CHECK(cache.valid == 1);
    /* next login without the password: PBKDF2 skipped (it could not run) */
    cc.password = S("");
    run_duel(&cc, &sc, NULL);
    CHECK(D.client == XMPP_OK && D.server == XMPP_OK);
    /* the server changed its iteration count: without a password, a clear error */
    sc.iterations = 5000;
    run_duel(&cc, &sc, NULL);
    CHECK(is_err(xmpp_sasl_error(&D.s), XMPP_ERR_INVALID,
                 "no password, and the cache is not for this salt and iteration count"));
    CHECK(cache.valid == 1);   /* untouched */
    /* with the password it recomputes and caches the new values */
    cc.password = S("pw");
    run_duel(&cc, &sc, NULL);
    CHECK(D.client == XMPP_OK && D.server == XMPP_OK && cache.valid == 1 && cache.iterations == 5000);
    /* a cache for the other hash does not count */
    cc.password = S("");
    cache.alg = 20;
    CHECK(xmpp_sasl_start(&D.s, &cc, D.a, sizeof D.a, &D.an) == XMPP_ERR_INVALID);
    CHECK(is_err(xmpp_sasl_error(&D.s), XMPP_ERR_INVALID, "SCRAM needs a password, or a valid cache for this hash"));
}

/* ---- the client against each malformed server message */

typedef struct { const char *msg; xmpp_err code; const char *why; } bad_case;

#define N7677 "rOprNGfwEbeRWgbNEkqO"
#define R7677 "r=" N7677 "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
#define S7677 "s=W22ZaJ0SNY7soEsUEjb6gQ=="
#define M_ATTR "server-first-message: malformed attribute (a letter, '=', a value)"

static void scram_start_7677(xmpp_sasl *s)
{
    xmpp_sasl_config c;
    unsigned char out[64];
    size_t n;
    memset(&c, 0, sizeof c);
    c.mech = XMPP_SASL_SCRAM_SHA_256;
    c.authcid = S("user");
    c.password = S("pencil");
    c.nonce = S(N7677);
    CHECK(xmpp_sasl_start(s, &c, out, sizeof out, &n) == XMPP_OK);
}

static void test_scram_bad_server_first(void)
{
    static const bad_case cs[] = {
        { "", XMPP_ERR_SASL_MALFORMED, "empty server-first-message" },
        { "r=xOprNGfwEbeRWgbNEkqO%hvYDpW," S7677 ",i=4096", XMPP_ERR_AUTH, "the server's nonce (r=) does not start with our nonce" },
        { "r=rOprNGfwEbeRWgb," S7677 ",i=4096", XMPP_ERR_AUTH, "the server's nonce (r=) does not start with our nonce" },
        { "r=" N7677 "," S7677 ",i=4096", XMPP_ERR_AUTH, "the server's nonce (r=) adds nothing to ours" },
        { "r=" N7677 "ab\x7f," S7677 ",i=4096", XMPP_ERR_SASL_MALFORMED, "server-first-message: the nonce (r=) is not printable ASCII" },
        { "r=" N7677 "a b," S7677 ",i=4096", XMPP_ERR_SASL_MALFORMED, "server-first-message: the nonce (r=) is not printable ASCII" },
        { "r=," S7677 ",i=4096", XMPP_ERR_SASL_MALFORMED, "server-first-message: the nonce (r=) is not printable ASCII" },
        { R7677 "," S7677 ",i=0", XMPP_ERR_POLICY_VIOLATION, "server-first-message: the iteration count (i=) is below the minimum" },
        { R7677 "," S7677 ",i=4095", XMPP_ERR_POLICY_VIOLATION, "server-first-message: the iteration count (i=) is below the minimum" },
        { R7677 "," S7677 ",i=100001", XMPP_ERR_POLICY_VIOLATION, "server-first-message: the iteration count (i=) is above the maximum" },
        { R7677 "," S7677 ",i=99999999999999999999999", XMPP_ERR_POLICY_VIOLATION, "server-first-message: the iteration count (i=) is above the maximum" },
        { R7677 "," S7677 ",i=4096x", XMPP_ERR_SASL_MALFORMED, "server-first-message: the iteration count (i=) is not a number" },
        { R7677 "," S7677 ",i=-4096", XMPP_ERR_SASL_MALFORMED, "server-first-message: the iteration count (i=) is not a number" },
        { R7677 "," S7677 ",i=04096", XMPP_ERR_SASL_MALFORMED, "server-first-message: the iteration count (i=) is not a number" },
        { R7677 "," S7677 ",i=", XMPP_ERR_SASL_MALFORMED, "server-first-message: the iteration count (i=) is not a number" },
        { R7677 "," S7677 ",i= 4096", XMPP_ERR_SASL_MALFORMED, "server-first-message: the iteration count (i=) is not a number" },
        { R7677 ",s=W22ZaJ0SNY7soEsUEjb6gQ=,i=4096", XMPP_ERR_SASL_MALFORMED, "server-first-message: the salt (s=) is not valid base64" },
        { R7677 ",s=W22ZaJ0SNY7so!sUEjb6gQ==,i=4096", XMPP_ERR_SASL_MALFORMED, "server-first-message: the salt (s=) is not valid base64" },
        { R7677 ",s=W22ZaJ0SNY7soEsUEjb6gR==,i=4096", XMPP_ERR_SASL_MALFORMED, "server-first-message: the salt (s=) is not valid base64" },
        { R7677 ",s=,i=4096", XMPP_ERR_SASL_MALFORMED, "server-first-message: the salt (s=) is empty" },
        { R7677 ",s=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,i=4096",
          XMPP_ERR_POLICY_VIOLATION, "server-first-message: the salt is longer than XMPP_SASL_SALT_MAX bytes" },
        { R7677 ",i=4096", XMPP_ERR_SASL_MALFORMED, "server-first-message: the salt (s=) must follow the nonce" },
        { R7677 ",i=4096," S7677, XMPP_ERR_SASL_MALFORMED, "server-first-message: the salt (s=) must follow the nonce" },
        { R7677 "," S7677, XMPP_ERR_SASL_MALFORMED, "server-first-message: no iteration count (i=)" },
        { R7677, XMPP_ERR_SASL_MALFORMED, "server-first-message: no salt (s=)" },
        { "r=" N7677 "%hvYDp", XMPP_ERR_SASL_MALFORMED, "server-first-message: no salt (s=)" },
        { S7677 "," R7677 ",i=4096", XMPP_ERR_SASL_MALFORMED, "server-first-message: the nonce (r=) must come first" },
        { "i=4096," R7677 "," S7677, XMPP_ERR_SASL_MALFORMED, "server-first-message: the nonce (r=) must come first" },
        { R7677 "," S7677 ",i=4096,r=" N7677 "x", XMPP_ERR_SASL_MALFORMED, "server-first-message: duplicate or misplaced attribute" },
        { R7677 "," S7677 ",i=4096,s=AAAA", XMPP_ERR_SASL_MALFORMED, "server-first-message: duplicate or misplaced attribute" },
        { R7677 "," S7677 ",i=4096,i=4096", XMPP_ERR_SASL_MALFORMED, "server-first-message: duplicate or misplaced attribute" },
        { R7677 "," S7677 ",i=4096,m=x", XMPP_ERR_SASL_MALFORMED, "server-first-message: duplicate or misplaced attribute" },
        { R7677 "," R7677 "," S7677 ",i=4096", XMPP_ERR_SASL_MALFORMED, "server-first-message: the salt (s=) must follow the nonce" },
        { "m=foo," R7677 "," S7677 ",i=4096", XMPP_ERR_SASL_MALFORMED, "server-first-message: a mandatory extension (m=) we do not support" },
        { "e=unknown-user", XMPP_ERR_AUTH, "server error e=unknown-user" },
        { "e=other-error", XMPP_ERR_AUTH, "server error e=other-error" },
        { "e=no-resources,x=1", XMPP_ERR_AUTH, "server error e=no-resources" },
        { "e=something-new", XMPP_ERR_AUTH, "server error e= (a value RFC 5802 does not define)" },
        { "r", XMPP_ERR_SASL_MALFORMED, M_ATTR },
        { "r=", XMPP_ERR_SASL_MALFORMED, "server-first-message: the nonce (r=) is not printable ASCII" },
        { "=abc", XMPP_ERR_SASL_MALFORMED, M_ATTR },
        { "rr=abc", XMPP_ERR_SASL_MALFORMED, M_ATTR },
        { "1=abc", XMPP_ERR_SASL_MALFORMED, M_ATTR },
        { R7677 ",," S7677 ",i=4096", XMPP_ERR_SASL_MALFORMED, "server-first-message: malformed attribute (a letter, '=', a value)" },
        { R7677 "," S7677 ",i=4096,", XMPP_ERR_SASL_MALFORMED, M_ATTR },
        { R7677 "," S7677 ",i=4096,xx=1", XMPP_ERR_SASL_MALFORMED, M_ATTR },
        { R7677 "," S7677 ",i=4096,x", XMPP_ERR_SASL_MALFORMED, M_ATTR },
    };
    xmpp_sasl s;
    unsigned char out[256];
    size_t i, n;
    for (i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        scram_start_7677(&s);
        if (xmpp_sasl_step(&s, cs[i].msg, strlen(cs[i].msg), out, sizeof out, &n) != cs[i].code)
            printf("  case %lu: %s\n", (unsigned long)i, cs[i].msg);
        CHECK(is_err(xmpp_sasl_error(&s), cs[i].code, cs[i].why));
        CHECK(n == 0);
        /* sticky */
        CHECK(xmpp_sasl_step(&s, rfc7677.server_first, strlen(rfc7677.server_first), out, sizeof out, &n) == cs[i].code);
        CHECK(xmpp_sasl_success(&s, rfc7677.server_final, strlen(rfc7677.server_final)) == cs[i].code);
    }
    /* a NUL inside a value */
    {
        static const char nul[] = R7677 ",s=W22Z\0J0SNY7soEsUEjb6gQ==,i=4096";
        scram_start_7677(&s);
        CHECK(xmpp_sasl_step(&s, nul, sizeof nul - 1, out, sizeof out, &n) == XMPP_ERR_SASL_MALFORMED);
        CHECK(is_err(xmpp_sasl_error(&s), XMPP_ERR_SASL_MALFORMED, M_ATTR));
    }
    /* an unknown optional extension is ignored */
    scram_start_7677(&s);
    CHECK(xmpp_sasl_step(&s, R7677 "," S7677 ",i=4096,x=whatever", strlen(R7677 "," S7677 ",i=4096,x=whatever"),
                         out, sizeof out, &n) == XMPP_OK);
    /* configurable bounds */
    {
        xmpp_sasl_config c;
        memset(&c, 0, sizeof c);
        c.mech = XMPP_SASL_SCRAM_SHA_256;
        c.authcid = S("user");
        c.password = S("pencil");
        c.nonce = S(N7677);
        c.min_iterations = 5000;
        CHECK(xmpp_sasl_start(&s, &c, out, sizeof out, &n) == XMPP_OK);
        CHECK(xmpp_sasl_step(&s, rfc7677.server_first, strlen(rfc7677.server_first), out, sizeof out, &n) == XMPP_ERR_POLICY_VIOLATION);
        c.min_iterations = 1;
        c.max_iterations = 4000;
        CHECK(xmpp_sasl_start(&s, &c, out, sizeof out, &n) == XMPP_OK);
        CHECK(xmpp_sasl_step(&s, rfc7677.server_first, strlen(rfc7677.server_first), out, sizeof out, &n) == XMPP_ERR_POLICY_VIOLATION);
        c.min_iterations = 5000;
        CHECK(xmpp_sasl_start(&s, &c, out, sizeof out, &n) == XMPP_ERR_INVALID);
        CHECK(is_err(xmpp_sasl_error(&s), XMPP_ERR_INVALID, "min_iterations is above max_iterations"));
    }
}

/* the error offset points at the offending attribute */
static void test_scram_error_offsets(void)
{
    xmpp_sasl s;
    unsigned char out[256];
    size_t n;
    const char *m = R7677 "," S7677 ",i=4096x";
    scram_start_7677(&s);
    CHECK(xmpp_sasl_step(&s, m, strlen(m), out, sizeof out, &n) == XMPP_ERR_SASL_MALFORMED);
    CHECK(xmpp_sasl_error(&s)->offset == strlen(m) - 1);
    m = R7677 ",s=W22ZaJ0SNY7so!sUEjb6gQ==,i=4096";
    scram_start_7677(&s);
    CHECK(xmpp_sasl_step(&s, m, strlen(m), out, sizeof out, &n) == XMPP_ERR_SASL_MALFORMED);
    CHECK(xmpp_sasl_error(&s)->offset == (uint64_t)(strchr(m, '!') - m));
}

static void test_scram_bad_server_final(void)
{
    static const bad_case cs[] = {
        { "", XMPP_ERR_AUTH, "the server claims success without its signature (v=): it is not verified" },
        { "v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", XMPP_ERR_AUTH,
          "the server's signature (v=) is wrong: it does not know the password, or is not the server" },
        { "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", XMPP_ERR_AUTH,
          "the server's signature (v=) is wrong: it does not know the password, or is not the server" },
        { "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4A6rri", XMPP_ERR_AUTH,
          "the server's signature (v=) is wrong: it does not know the password, or is not the server" },
        { "v=", XMPP_ERR_AUTH, "the server's signature (v=) is wrong: it does not know the password, or is not the server" },
        { "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4", XMPP_ERR_SASL_MALFORMED, "server-final-message: the signature (v=) is not valid base64" },
        { "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G5=", XMPP_ERR_SASL_MALFORMED, "server-final-message: the signature (v=) is not valid base64" },
        { "e=invalid-proof", XMPP_ERR_AUTH, "server error e=invalid-proof" },
        { "e=channel-bindings-dont-match", XMPP_ERR_AUTH, "server error e=channel-bindings-dont-match" },
        { "x=1,v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", XMPP_ERR_SASL_MALFORMED, "server-final-message: expected v= (the server's signature) or e=" },
        { "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=,v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
          XMPP_ERR_SASL_MALFORMED, "server-final-message: duplicate or misplaced attribute" },
        { "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=,e=other-error", XMPP_ERR_SASL_MALFORMED, "server-final-message: duplicate or misplaced attribute" },
        { "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=,", XMPP_ERR_SASL_MALFORMED, "server-final-message: malformed attribute (a letter, '=', a value)" },
        { "v", XMPP_ERR_SASL_MALFORMED, "server-final-message: malformed attribute (a letter, '=', a value)" },
    };
    xmpp_sasl s;
    unsigned char out[256];
    size_t i, n;
    for (i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        int as_challenge;
        for (as_challenge = 0; as_challenge < 2; as_challenge++) {
            xmpp_err e;
            scram_start_7677(&s);
            CHECK(xmpp_sasl_step(&s, rfc7677.server_first, strlen(rfc7677.server_first), out, sizeof out, &n) == XMPP_OK);
            e = as_challenge ? xmpp_sasl_step(&s, cs[i].msg, strlen(cs[i].msg), out, sizeof out, &n)
                             : xmpp_sasl_success(&s, cs[i].msg, strlen(cs[i].msg));
            if (e != cs[i].code) printf("  case %lu: %s\n", (unsigned long)i, cs[i].msg);
            CHECK(is_err(xmpp_sasl_error(&s), cs[i].code, cs[i].why));
            CHECK(xmpp_sasl_success(&s, rfc7677.server_final, strlen(rfc7677.server_final)) == cs[i].code);
        }
    }
    /* extensions after v= are allowed */
    scram_start_7677(&s);
    CHECK(xmpp_sasl_step(&s, rfc7677.server_first, strlen(rfc7677.server_first), out, sizeof out, &n) == XMPP_OK);
    CHECK(xmpp_sasl_success(&s, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=,x=y", 50) == XMPP_OK);
    /* the signature as a challenge, then an empty success */
    scram_start_7677(&s);
    CHECK(xmpp_sasl_step(&s, rfc7677.server_first, strlen(rfc7677.server_first), out, sizeof out, &n) == XMPP_OK);
    CHECK(xmpp_sasl_step(&s, rfc7677.server_final, strlen(rfc7677.server_final), out, sizeof out, &n) == XMPP_OK && n == 0);
    CHECK(xmpp_sasl_success(&s, "", 0) == XMPP_OK);
    /* ... but not with more data */
    scram_start_7677(&s);
    CHECK(xmpp_sasl_step(&s, rfc7677.server_first, strlen(rfc7677.server_first), out, sizeof out, &n) == XMPP_OK);
    CHECK(xmpp_sasl_step(&s, rfc7677.server_final, strlen(rfc7677.server_final), out, sizeof out, &n) == XMPP_OK);
    CHECK(xmpp_sasl_success(&s, rfc7677.server_final, strlen(rfc7677.server_final)) == XMPP_ERR_SASL_MALFORMED);
    CHECK(is_err(xmpp_sasl_error(&s), XMPP_ERR_SASL_MALFORMED, "unexpected additional data with success"));
    /* success before the exchange: the server is not verified */
    scram_start_7677(&s);
    CHECK(xmpp_sasl_success(&s, "", 0) == XMPP_ERR_AUTH);
    CHECK(is_err(xmpp_sasl_error(&s), XMPP_ERR_AUTH, "the server claims success before the SCRAM exchange: it is not verified"));
    /* a third challenge */
    scram_start_7677(&s);
    CHECK(xmpp_sasl_step(&s, rfc7677.server_first, strlen(rfc7677.server_first), out, sizeof out, &n) == XMPP_OK);
    CHECK(xmpp_sasl_step(&s, rfc7677.server_final, strlen(rfc7677.server_final), out, sizeof out, &n) == XMPP_OK);
    CHECK(xmpp_sasl_step(&s, "x", 1, out, sizeof out, &n) == XMPP_ERR_INVALID);
    /* after the end */
    scram_start_7677(&s);
    CHECK(xmpp_sasl_step(&s, rfc7677.server_first, strlen(rfc7677.server_first), out, sizeof out, &n) == XMPP_OK);
    CHECK(xmpp_sasl_success(&s, rfc7677.server_final, strlen(rfc7677.server_final)) == XMPP_OK);
    CHECK(xmpp_sasl_success(&s, rfc7677.server_final, strlen(rfc7677.server_final)) == XMPP_ERR_INVALID);
}

/* Every prefix of the RFC server messages: an error, never a crash, never success. */
static void test_scram_truncated(void)
{
    xmpp_sasl s;
    unsigned char out[256];
    size_t i, n;
    const char *f = rfc7677.server_first, *v = rfc7677.server_final;
    for (i = 0; i < strlen(f); i++) {
        scram_start_7677(&s);
        CHECK(xmpp_sasl_step(&s, f, i, out, sizeof out, &n) != XMPP_OK);
    }
    for (i = 0; i < strlen(v); i++) {
        scram_start_7677(&s);
        CHECK(xmpp_sasl_step(&s, f, strlen(f), out, sizeof out, &n) == XMPP_OK);
        CHECK(xmpp_sasl_success(&s, v, i) != XMPP_OK);
    }
}

/* ---- the server against malformed client messages */

static void test_server_bad_client_first(void)
{
    static const bad_case cs[] = {
        { "", XMPP_ERR_SASL_MALFORMED, "empty client-first-message" },
        { "x,,n=user,r=abc", XMPP_ERR_SASL_MALFORMED, "client-first-message: the GS2 flag must be n, y or p=" },
        { "n,n=user,r=abc", XMPP_ERR_SASL_MALFORMED, "client-first-message: malformed GS2 header" },
        { "nn,,n=user,r=abc", XMPP_ERR_SASL_MALFORMED, "client-first-message: malformed GS2 header" },
        { "n", XMPP_ERR_SASL_MALFORMED, "client-first-message: malformed GS2 header" },
        { "n,a=user", XMPP_ERR_SASL_MALFORMED, "client-first-message: malformed authzid (a=)" },
        { "n,a=us=ZZer,n=user,r=abc", XMPP_ERR_SASL_MALFORMED, "client-first-message: malformed authzid (a=)" },
        { "n,,r=abc", XMPP_ERR_SASL_MALFORMED, "client-first-message: expected the username (n=)" },
        { "n,,", XMPP_ERR_SASL_MALFORMED, "client-first-message: expected the username (n=)" },
        { "n,,m=ext,n=user,r=abc", XMPP_ERR_SASL_MALFORMED, "client-first-message: a mandatory extension (m=) we do not support" },
        { "n,,n=bob,r=abc", XMPP_ERR_AUTH, "unknown user" },
        { "n,,n=use,r=abc", XMPP_ERR_AUTH, "unknown user" },
        { "n,,n=users,r=abc", XMPP_ERR_AUTH, "unknown user" },
        { "n,,n=us=2Cer,r=abc", XMPP_ERR_AUTH, "unknown user" },
        { "n,,n=us=er,r=abc", XMPP_ERR_SASL_MALFORMED, "client-first-message: bad username encoding" },
        { "n,,n=user=,r=abc", XMPP_ERR_SASL_MALFORMED, "client-first-message: bad username encoding" },
        { "n,,n=user", XMPP_ERR_SASL_MALFORMED, "client-first-message: expected the nonce (r=)" },
        { "n,,n=user,s=abc", XMPP_ERR_SASL_MALFORMED, "client-first-message: expected the nonce (r=)" },
        { "n,,n=user,r=", XMPP_ERR_SASL_MALFORMED, "client-first-message: the nonce (r=) is not printable ASCII" },
        { "n,,n=user,r=a b", XMPP_ERR_SASL_MALFORMED, "client-first-message: the nonce (r=) is not printable ASCII" },
        { "n,,n=user,r=abc,r=abc", XMPP_ERR_SASL_MALFORMED, "client-first-message: malformed, duplicate or misplaced attribute" },
        { "n,,n=user,r=abc,", XMPP_ERR_SASL_MALFORMED, "client-first-message: malformed, duplicate or misplaced attribute" },
        { "p=tls-server-end-point,,n=user,r=abc", XMPP_ERR_SASL_MALFORMED, "channel binding (p=) with a mechanism without -PLUS" },
        { "p=,,n=user,r=abc", XMPP_ERR_SASL_MALFORMED, "channel binding (p=) with a mechanism without -PLUS" },
        { "p", XMPP_ERR_SASL_MALFORMED, "client-first-message: malformed GS2 header" },
    };
    xmpp_sasl_server_config sc;
    static xmpp_sasl_server v;
    unsigned char out[256];
    size_t i, n;
    server_cfg(&sc, XMPP_SASL_SCRAM_SHA_256, "user", "pencil");
    for (i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        CHECK(xmpp_sasl_server_start(&v, &sc) == XMPP_OK);
        if (xmpp_sasl_server_step(&v, cs[i].msg, strlen(cs[i].msg), out, sizeof out, &n) != cs[i].code)
            printf("  case %lu: %s\n", (unsigned long)i, cs[i].msg);
        CHECK(is_err(xmpp_sasl_server_error(&v), cs[i].code, cs[i].why));
        CHECK(xmpp_sasl_server_step(&v, "n,,n=user,r=abc", 15, out, sizeof out, &n) == cs[i].code);
    }
    /* extensions are ignored; an authzid is kept */
    CHECK(xmpp_sasl_server_start(&v, &sc) == XMPP_OK);
    CHECK(xmpp_sasl_server_step(&v, "y,a=adm=3Din,n=user,r=abc,x=1", 29, out, sizeof out, &n) == XMPP_AGAIN);
    CHECK(n > 5 && memcmp(out, "r=abc", 5) == 0);
    /* -PLUS without p= */
    sc.mech = XMPP_SASL_SCRAM_SHA_256_PLUS;
    sc.cb_data = fake_cb;
    sc.cb_len = 32;
    CHECK(xmpp_sasl_server_start(&v, &sc) == XMPP_OK);
    CHECK(xmpp_sasl_server_step(&v, "n,,n=user,r=abc", 15, out, sizeof out, &n) == XMPP_ERR_SASL_MALFORMED);
    CHECK(is_err(xmpp_sasl_server_error(&v), XMPP_ERR_SASL_MALFORMED, "a -PLUS mechanism without channel binding (p=)"));
    /* too long for the server's buffer */
    {
        static char big[XMPP_SASL_SERVER_BUF + 8];
        memset(big, 'a', sizeof big);
        memcpy(big, "n,,n=user,r=", 12);
        sc.mech = XMPP_SASL_SCRAM_SHA_256;
        CHECK(xmpp_sasl_server_start(&v, &sc) == XMPP_OK);
        CHECK(xmpp_sasl_server_step(&v, big, sizeof big, out, sizeof out, &n) == XMPP_ERR_POLICY_VIOLATION);
    }
}

/* tampering with the client's final message */
static size_t find(const unsigned char *m, size_t n, const char *pat)   /* offset of pat, or n */
{
    size_t i, k = strlen(pat);
    for (i = 0; i + k <= n; i++) if (memcmp(m + i, pat, k) == 0) return i;
    return n;
}
static void drop_proof(unsigned char *m, size_t *n) { *n = find(m, *n, ",p="); }
static void flip_proof(unsigned char *m, size_t *n) { m[*n - 3] = m[*n - 3] == 'A' ? 'B' : 'A'; }
static void bad_proof_b64(unsigned char *m, size_t *n) { m[*n - 3] = '!'; }
static void flip_nonce(unsigned char *m, size_t *n) { m[find(m, *n, ",r=") + 3] ^= 1; }
static void flip_cbind(unsigned char *m, size_t *n) { (void)n; m[2] = m[2] == 'b' ? 'e' : 'b'; }
static void proof_first(unsigned char *m, size_t *n)
{
    /* "c=..,r=..,p=.." -> "c=..,r=..,p=..,x=1" */
    memcpy(m + *n, ",x=1", 4);
    *n += 4;
}
static void no_cbind(unsigned char *m, size_t *n) { memmove(m, m + 7, *n - 7); *n -= 7; }   /* drops "c=biws," */
static void nul_end(unsigned char *m, size_t *n) { m[(*n)++] = 0; }

static void test_server_bad_client_final(void)
{
    static const struct { void (*f)(unsigned char *, size_t *); xmpp_err code; const char *why; } cs[] = {
        { drop_proof, XMPP_ERR_SASL_MALFORMED, "client-final-message: no proof (p=)" },
        { flip_proof, XMPP_ERR_AUTH, "wrong password (the proof does not verify)" },
        { bad_proof_b64, XMPP_ERR_SASL_MALFORMED, "client-final-message: the proof (p=) is not base64 of a digest" },
        { flip_nonce, XMPP_ERR_AUTH, "the nonce (r=) is not this exchange's" },
        { flip_cbind, XMPP_ERR_AUTH, "the channel binding (c=) does not match" },
        { proof_first, XMPP_ERR_SASL_MALFORMED, "client-final-message: the proof (p=) must come last" },
        { no_cbind, XMPP_ERR_SASL_MALFORMED, "client-final-message: expected the channel binding (c=) first" },
        { nul_end, XMPP_ERR_SASL_MALFORMED, "client-final-message: malformed, duplicate or misplaced attribute" },
    };
    xmpp_sasl_config cc;
    xmpp_sasl_server_config sc;
    size_t i;
    for (i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        client_cfg(&cc, XMPP_SASL_SCRAM_SHA_256, "user", "pencil");
        server_cfg(&sc, XMPP_SASL_SCRAM_SHA_256, "user", "pencil");
        run_duel(&cc, &sc, cs[i].f);
        if (D.server != cs[i].code) printf("  case %lu\n", (unsigned long)i);
        CHECK(is_err(xmpp_sasl_server_error(&D.v), cs[i].code, cs[i].why));
    }
}

/* ---- PLAIN, EXTERNAL, ANONYMOUS */

static void test_plain_external_anonymous(void)
{
    xmpp_sasl_config cc;
    xmpp_sasl_server_config sc;
    xmpp_sasl s;
    static xmpp_sasl_server v;
    unsigned char out[64];
    size_t n;
    /* PLAIN, RFC 4616 §2 */
    client_cfg(&cc, XMPP_SASL_PLAIN, "tim", "tanstaaftanstaaf");
    CHECK(xmpp_sasl_start(&s, &cc, out, sizeof out, &n) == XMPP_OK);
    CHECK(n == 21 && memcmp(out, "\0tim\0tanstaaftanstaaf", 21) == 0);
    CHECK(xmpp_sasl_step(&s, "x", 1, out, sizeof out, &n) == XMPP_ERR_SASL_MALFORMED);
    CHECK(is_err(xmpp_sasl_error(&s), XMPP_ERR_SASL_MALFORMED, "a challenge, but this mechanism expects none"));
    cc.authzid = S("Ursel");
    CHECK(xmpp_sasl_start(&s, &cc, out, sizeof out, &n) == XMPP_OK);
    CHECK(n == 26 && memcmp(out, "Ursel\0tim\0tanstaaftanstaaf", 26) == 0);
    CHECK(xmpp_sasl_success(&s, "", 0) == XMPP_OK);
    CHECK(xmpp_sasl_start(&s, &cc, out, sizeof out, &n) == XMPP_OK);
    CHECK(xmpp_sasl_success(&s, "x", 1) == XMPP_ERR_SASL_MALFORMED);
    server_cfg(&sc, XMPP_SASL_PLAIN, "tim", "tanstaaftanstaaf");
    run_duel(&cc, &sc, NULL);
    CHECK(D.client == XMPP_OK && D.server == XMPP_OK);
    CHECK(eq_bytes(xmpp_sasl_server_authzid(&D.v).p, xmpp_sasl_server_authzid(&D.v).n, "Ursel"));
    client_cfg(&cc, XMPP_SASL_PLAIN, "tim", "tanstaaftanstaa");
    run_duel(&cc, &sc, NULL);
    CHECK(is_err(xmpp_sasl_server_error(&D.v), XMPP_ERR_AUTH, "wrong password"));
    client_cfg(&cc, XMPP_SASL_PLAIN, "tom", "tanstaaftanstaaf");
    run_duel(&cc, &sc, NULL);
    CHECK(is_err(xmpp_sasl_server_error(&D.v), XMPP_ERR_AUTH, "unknown user"));
    CHECK(xmpp_sasl_server_start(&v, &sc) == XMPP_OK);
    CHECK(xmpp_sasl_server_step(&v, "tim\0pw", 6, out, sizeof out, &n) == XMPP_ERR_SASL_MALFORMED);
    CHECK(is_err(xmpp_sasl_server_error(&v), XMPP_ERR_SASL_MALFORMED, "PLAIN: expected authzid NUL authcid NUL password"));
    CHECK(xmpp_sasl_server_start(&v, &sc) == XMPP_OK);
    CHECK(xmpp_sasl_server_step(&v, "\0tim\0pw\0", 8, out, sizeof out, &n) == XMPP_ERR_SASL_MALFORMED);
    CHECK(is_err(xmpp_sasl_server_error(&v), XMPP_ERR_SASL_MALFORMED, "PLAIN: more than two NUL bytes"));
    CHECK(xmpp_sasl_server_start(&v, &sc) == XMPP_OK);
    CHECK(xmpp_sasl_server_step(&v, "\0tim\0tanstaaftanstaa\x01", 21, out, sizeof out, &n) == XMPP_ERR_SASL_MALFORMED);
    /* EXTERNAL: the authzid, or nothing */
    memset(&cc, 0, sizeof cc);
    cc.mech = XMPP_SASL_EXTERNAL;
    CHECK(xmpp_sasl_start(&s, &cc, out, sizeof out, &n) == XMPP_OK && n == 0);
    CHECK(xmpp_sasl_success(&s, NULL, 0) == XMPP_OK);
    cc.authzid = S("juliet@example.com");
    CHECK(xmpp_sasl_start(&s, &cc, out, sizeof out, &n) == XMPP_OK);
    CHECK(eq_bytes(out, n, "juliet@example.com"));
    /* ANONYMOUS: nothing */
    memset(&cc, 0, sizeof cc);
    cc.mech = XMPP_SASL_ANONYMOUS;
    CHECK(xmpp_sasl_start(&s, &cc, out, sizeof out, &n) == XMPP_OK && n == 0);
    CHECK(xmpp_sasl_success(&s, NULL, 0) == XMPP_OK);
    /* bad configurations */
    memset(&cc, 0, sizeof cc);
    CHECK(xmpp_sasl_start(&s, &cc, out, sizeof out, &n) == XMPP_ERR_INVALID);
    CHECK(is_err(xmpp_sasl_error(&s), XMPP_ERR_INVALID, "no SASL mechanism chosen, or an unknown one"));
    client_cfg(&cc, XMPP_SASL_PLAIN, "", "pw");
    CHECK(xmpp_sasl_start(&s, &cc, out, sizeof out, &n) == XMPP_ERR_INVALID);
    CHECK(is_err(xmpp_sasl_error(&s), XMPP_ERR_INVALID, "no username (authcid)"));
    client_cfg(&cc, XMPP_SASL_PLAIN, "tim", "");
    CHECK(xmpp_sasl_start(&s, &cc, out, sizeof out, &n) == XMPP_ERR_INVALID);
    CHECK(is_err(xmpp_sasl_error(&s), XMPP_ERR_INVALID, "PLAIN needs a password"));
    CHECK(xmpp_sasl_step(&s, "x", 1, out, sizeof out, &n) == XMPP_ERR_INVALID);   /* sticky */
    client_cfg(&cc, XMPP_SASL_SCRAM_SHA_256, "tim", "pw");
    cc.rng = NULL;
    CHECK(xmpp_sasl_start(&s, &cc, out, sizeof out, &n) == XMPP_ERR_INVALID);
    CHECK(is_err(xmpp_sasl_error(&s), XMPP_ERR_INVALID, "SCRAM needs a client nonce: give an rng (or the nonce)"));
    cc.nonce = S("a,b");
    CHECK(xmpp_sasl_start(&s, &cc, out, sizeof out, &n) == XMPP_ERR_INVALID);
    CHECK(is_err(xmpp_sasl_error(&s), XMPP_ERR_INVALID,
                 "the client nonce must be 1 to XMPP_SASL_NONCE_MAX printable ASCII characters, no ','"));
}

/* SASLprep: ASCII control characters are refused (RFC 4013 §2.3, C.2.1) */
static void test_saslprep_ascii(void)
{
    xmpp_sasl_config cc;
    xmpp_sasl s;
    unsigned char out[64];
    size_t n;
    client_cfg(&cc, XMPP_SASL_SCRAM_SHA_256, "us\x01er", "pw");
    CHECK(xmpp_sasl_start(&s, &cc, out, sizeof out, &n) == XMPP_ERR_INVALID);
    CHECK(is_err(xmpp_sasl_error(&s), XMPP_ERR_INVALID, "the username has a control character (SASLprep, RFC 4013 §2.3)"));
    client_cfg(&cc, XMPP_SASL_SCRAM_SHA_256, "us\x1f", "pw");   /* the last control character */
    CHECK(xmpp_sasl_start(&s, &cc, out, sizeof out, &n) == XMPP_ERR_INVALID);
    CHECK(is_err(xmpp_sasl_error(&s), XMPP_ERR_INVALID, "the username has a control character (SASLprep, RFC 4013 §2.3)"));
    client_cfg(&cc, XMPP_SASL_SCRAM_SHA_256, "user", "p\x7fw");
    CHECK(xmpp_sasl_start(&s, &cc, out, sizeof out, &n) == XMPP_ERR_INVALID);
    CHECK(is_err(xmpp_sasl_error(&s), XMPP_ERR_INVALID, "the password has a control character (SASLprep, RFC 4013 §2.3)"));
    client_cfg(&cc, XMPP_SASL_PLAIN, "user", "pw");
    cc.authzid = S("a\nb");
    CHECK(xmpp_sasl_start(&s, &cc, out, sizeof out, &n) == XMPP_ERR_INVALID);
    CHECK(is_err(xmpp_sasl_error(&s), XMPP_ERR_INVALID, "the authzid has a control character (SASLprep, RFC 4013 §2.3)"));
    client_cfg(&cc, XMPP_SASL_PLAIN, "user", "p w~!");   /* space and other printable ASCII: unchanged */
    CHECK(xmpp_sasl_start(&s, &cc, out, sizeof out, &n) == XMPP_OK);
    CHECK(n == 11 && memcmp(out, "\0user\0p w~!", 11) == 0);
}

/* XMPP_ERR_NOSPACE: the exact size is reported and nothing changes */
static void test_sasl_space(void)
{
    xmpp_sasl_config c;
    xmpp_sasl s;
    unsigned char out[256];
    size_t n, need;
    memset(&c, 0, sizeof c);
    c.mech = XMPP_SASL_SCRAM_SHA_256;
    c.authcid = S("user");
    c.password = S("pencil");
    c.nonce = S(N7677);
    CHECK(xmpp_sasl_start(&s, &c, out, 10, &n) == XMPP_ERR_NOSPACE && n == strlen(rfc7677.first));
    CHECK(xmpp_sasl_start(&s, &c, out, n, &n) == XMPP_OK && eq_bytes(out, n, rfc7677.first));
    need = strlen(rfc7677.final);
    CHECK(xmpp_sasl_step(&s, rfc7677.server_first, strlen(rfc7677.server_first), out, need - 1, &n) == XMPP_ERR_NOSPACE);
    CHECK(n == need);
    CHECK(xmpp_sasl_error(&s)->code == XMPP_OK);
    CHECK(xmpp_sasl_step(&s, rfc7677.server_first, strlen(rfc7677.server_first), out, need, &n) == XMPP_OK);
    CHECK(eq_bytes(out, n, rfc7677.final));
    CHECK(xmpp_sasl_success(&s, rfc7677.server_final, strlen(rfc7677.server_final)) == XMPP_OK);
}

/* ---- where each error is (offset: the byte of the message being parsed, 0 when
   there is no message: a bad configuration, a call out of turn) */

#define V7677 "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="

static void test_scram_client_offsets(void)
{
    static const char big_salt[] = R7677 ",s=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,i=4096";
    static const struct { const char *msg; xmpp_err code; const char *why; size_t off; } first[] = {
        { "m=foo," R7677 "," S7677 ",i=4096", XMPP_ERR_SASL_MALFORMED, "server-first-message: a mandatory extension (m=) we do not support", 0 },
        { "r=" N7677 "ab\x7f," S7677 ",i=4096", XMPP_ERR_SASL_MALFORMED, "server-first-message: the nonce (r=) is not printable ASCII", 2 },
        { "r=" N7677 "," S7677 ",i=4096", XMPP_ERR_AUTH, "the server's nonce (r=) adds nothing to ours", 2 },
        { big_salt, XMPP_ERR_POLICY_VIOLATION, "server-first-message: the salt is longer than XMPP_SASL_SALT_MAX bytes",
          sizeof R7677 + 2 },   /* the salt's value: past R7677 "," and "s=" */
    };
    static const struct { const char *msg; xmpp_err code; const char *why; size_t off; } final[] = {
        { "", XMPP_ERR_AUTH, "the server claims success without its signature (v=): it is not verified", 0 },
        { "e=invalid-proof", XMPP_ERR_AUTH, "server error e=invalid-proof", 0 },
        { "x=1," V7677, XMPP_ERR_SASL_MALFORMED, "server-final-message: expected v= (the server's signature) or e=", 0 },
        { "v", XMPP_ERR_SASL_MALFORMED, "server-final-message: malformed attribute (a letter, '=', a value)", 0 },
        { V7677 "," V7677, XMPP_ERR_SASL_MALFORMED, "server-final-message: duplicate or misplaced attribute", sizeof V7677 },
        { V7677 ",x=1,e=other-error", XMPP_ERR_SASL_MALFORMED, "server-final-message: duplicate or misplaced attribute", sizeof V7677 + 4 },
    };
    xmpp_sasl s;
    unsigned char out[256];
    size_t i, n;
    for (i = 0; i < sizeof first / sizeof first[0]; i++) {
        scram_start_7677(&s);
        CHECK(xmpp_sasl_step(&s, first[i].msg, strlen(first[i].msg), out, sizeof out, &n) == first[i].code);
        CHECK(is_err_at(xmpp_sasl_error(&s), first[i].code, first[i].why, first[i].off));
    }
    for (i = 0; i < sizeof final / sizeof final[0]; i++) {
        scram_start_7677(&s);
        CHECK(xmpp_sasl_step(&s, rfc7677.server_first, strlen(rfc7677.server_first), out, sizeof out, &n) == XMPP_OK);
        CHECK(xmpp_sasl_success(&s, final[i].msg, strlen(final[i].msg)) == final[i].code);
        CHECK(is_err_at(xmpp_sasl_error(&s), final[i].code, final[i].why, final[i].off));
    }
    /* success before the exchange */
    scram_start_7677(&s);
    CHECK(xmpp_sasl_success(&s, "", 0) == XMPP_ERR_AUTH);
    CHECK(is_err_at(xmpp_sasl_error(&s), XMPP_ERR_AUTH, "the server claims success before the SCRAM exchange: it is not verified", 0));
}

static void test_server_offsets(void)
{
    static char authz[XMPP_SASL_SERVER_BUF + 1 + 22];
    xmpp_sasl_config cc;
    xmpp_sasl_server_config sc;
    unsigned char out[64];
    size_t n;
    server_cfg(&sc, XMPP_SASL_SCRAM_SHA_256, "user", "pencil");
    CHECK(xmpp_sasl_server_start(&D.v, &sc) == XMPP_OK);
    CHECK(xmpp_sasl_server_step(&D.v, "", 0, out, sizeof out, &n) == XMPP_ERR_SASL_MALFORMED);
    CHECK(is_err_at(xmpp_sasl_server_error(&D.v), XMPP_ERR_SASL_MALFORMED, "empty client-first-message", 0));
    CHECK(xmpp_sasl_server_start(&D.v, &sc) == XMPP_OK);
    CHECK(xmpp_sasl_server_step(&D.v, "p=tls-server-end-point,,n=user,r=abc", 36, out, sizeof out, &n) == XMPP_ERR_SASL_MALFORMED);
    CHECK(is_err_at(xmpp_sasl_server_error(&D.v), XMPP_ERR_SASL_MALFORMED, "channel binding (p=) with a mechanism without -PLUS", 0));
    sc.mech = XMPP_SASL_SCRAM_SHA_256_PLUS;
    sc.cb_data = fake_cb;
    sc.cb_len = sizeof fake_cb;
    CHECK(xmpp_sasl_server_start(&D.v, &sc) == XMPP_OK);
    CHECK(xmpp_sasl_server_step(&D.v, "p=tls-exporter,,n=user,r=abc", 28, out, sizeof out, &n) == XMPP_ERR_AUTH);
    CHECK(is_err_at(xmpp_sasl_server_error(&D.v), XMPP_ERR_AUTH, "unsupported channel-binding type", 2));
    /* the proof's offset: just past ",p=" */
    client_cfg(&cc, XMPP_SASL_SCRAM_SHA_256, "user", "pencil");
    server_cfg(&sc, XMPP_SASL_SCRAM_SHA_256, "user", "pencil");
    run_duel(&cc, &sc, bad_proof_b64);
    CHECK(is_err_at(xmpp_sasl_server_error(&D.v), XMPP_ERR_SASL_MALFORMED,
                    "client-final-message: the proof (p=) is not base64 of a digest", find(D.a, D.an, ",p=") + 3));
    /* PLAIN: an authzid longer than the buffer that would keep it */
    memset(authz, 'a', XMPP_SASL_SERVER_BUF + 1);
    memcpy(authz + XMPP_SASL_SERVER_BUF + 1, "\0tim\0tanstaaftanstaaf", 21);
    server_cfg(&sc, XMPP_SASL_PLAIN, "tim", "tanstaaftanstaaf");
    CHECK(xmpp_sasl_server_start(&D.v, &sc) == XMPP_OK);
    CHECK(xmpp_sasl_server_step(&D.v, authz, sizeof authz - 1, out, sizeof out, &n) == XMPP_ERR_POLICY_VIOLATION);
    CHECK(is_err_at(xmpp_sasl_server_error(&D.v), XMPP_ERR_POLICY_VIOLATION,
                    "PLAIN: the authzid is longer than XMPP_SASL_SERVER_BUF", 0));
}

static void test_config_error_offsets(void)
{
    xmpp_sasl_config cc;
    xmpp_sasl_server_config sc;
    xmpp_sasl s;
    unsigned char out[64];
    size_t n;
    client_cfg(&cc, XMPP_SASL_SCRAM_SHA_256, "user", "p\x01w");
    CHECK(xmpp_sasl_start(&s, &cc, out, sizeof out, &n) == XMPP_ERR_INVALID);
    CHECK(is_err_at(xmpp_sasl_error(&s), XMPP_ERR_INVALID, "the password has a control character (SASLprep, RFC 4013 §2.3)", 0));
    client_cfg(&cc, XMPP_SASL_PLAIN, "tim", "");
    CHECK(xmpp_sasl_start(&s, &cc, out, sizeof out, &n) == XMPP_ERR_INVALID);
    CHECK(is_err_at(xmpp_sasl_error(&s), XMPP_ERR_INVALID, "PLAIN needs a password", 0));
    server_cfg(&sc, XMPP_SASL_SCRAM_SHA_256, "user", "pencil");
    sc.salt_len = 0;
    CHECK(xmpp_sasl_server_start(&D.v, &sc) == XMPP_ERR_INVALID);
    CHECK(is_err_at(xmpp_sasl_server_error(&D.v), XMPP_ERR_INVALID, "SCRAM needs a salt (1 to 65535 bytes)", 0));
    server_cfg(&sc, XMPP_SASL_SCRAM_SHA_256, "user", "");
    CHECK(xmpp_sasl_server_start(&D.v, &sc) == XMPP_ERR_INVALID);
    CHECK(is_err_at(xmpp_sasl_server_error(&D.v), XMPP_ERR_INVALID, "SCRAM needs the stored and server keys, or the password", 0));
}

/* PLAIN on the server: done after one message; another is out of turn */
static void test_server_plain_done(void)
{
    static const char msg[] = "\0tim\0tanstaaftanstaaf";
    xmpp_sasl_server_config sc;
    unsigned char out[64];
    size_t n;
    server_cfg(&sc, XMPP_SASL_PLAIN, "tim", "tanstaaftanstaaf");
    CHECK(xmpp_sasl_server_start(&D.v, &sc) == XMPP_OK);
    CHECK(xmpp_sasl_server_step(&D.v, msg, sizeof msg - 1, out, sizeof out, &n) == XMPP_OK && n == 0);
    CHECK(xmpp_sasl_server_error(&D.v)->code == XMPP_OK);
    CHECK(xmpp_sasl_server_step(&D.v, msg, sizeof msg - 1, out, sizeof out, &n) == XMPP_ERR_INVALID);
    CHECK(is_err_at(xmpp_sasl_server_error(&D.v), XMPP_ERR_INVALID, "xmpp_sasl_server_step before start or after the end", 0));
}

/* The server's XMPP_ERR_NOSPACE: the exact size is reported, nothing changes, and a
   buffer of exactly that size is enough (both messages). */
static void test_server_space(void)
{
    xmpp_sasl_config cc;
    xmpp_sasl_server_config sc;
    size_t need;
    client_cfg(&cc, XMPP_SASL_SCRAM_SHA_256, "juliet", "pw");
    server_cfg(&sc, XMPP_SASL_SCRAM_SHA_256, "juliet", "pw");
    CHECK(xmpp_sasl_server_start(&D.v, &sc) == XMPP_OK);
    CHECK(xmpp_sasl_start(&D.s, &cc, D.a, sizeof D.a, &D.an) == XMPP_OK);
    CHECK(xmpp_sasl_server_step(&D.v, D.a, D.an, D.b, 0, &need) == XMPP_ERR_NOSPACE);
    CHECK(need > 0 && xmpp_sasl_server_step(&D.v, D.a, D.an, D.b, need - 1, &D.bn) == XMPP_ERR_NOSPACE && D.bn == need);
    CHECK(xmpp_sasl_server_error(&D.v)->code == XMPP_OK);
    CHECK(xmpp_sasl_server_step(&D.v, D.a, D.an, D.b, need, &D.bn) == XMPP_AGAIN && D.bn == need);
    CHECK(xmpp_sasl_step(&D.s, D.b, D.bn, D.a, sizeof D.a, &D.an) == XMPP_OK);
    need = 2 + XMPP_B64_ENCODED_SIZE(32);   /* "v=" and the signature */
    CHECK(xmpp_sasl_server_step(&D.v, D.a, D.an, D.b, need - 1, &D.bn) == XMPP_ERR_NOSPACE && D.bn == need);
    CHECK(xmpp_sasl_server_error(&D.v)->code == XMPP_OK);
    CHECK(xmpp_sasl_server_step(&D.v, D.a, D.an, D.b, need, &D.bn) == XMPP_OK && D.bn == need);
    CHECK(xmpp_sasl_success(&D.s, D.b, D.bn) == XMPP_OK);
}

/* The server's buffer holds the client-first-message, ',', the server-first-message
   and ',' (RFC 5802 §3 AuthMessage up to the final message): an exchange that fills it
   to the last byte completes (the proof computed here from the RFC's formulas); one
   byte more is refused. */
static void test_server_buffer_full(void)
{
    xmpp_sasl_server_config sc;
    xmpp_hmac cs, ss;
    unsigned char salted[32], ck[32], stored[32], sk[32], sig[32];
    char b64[48];
    size_t n, k, sf, len, i, cn;
    /* need = n + 1 + sf + 1, with n = 12 + cn ("n,,n=user,r=" nonce) and
       sf = 2 + cn + snonce + 3 + 24 + 3 + 4 ("r=" nonces ",s=" salt ",i=4096") */
    const char *snonce = XMPP_SASL_SERVER_BUF % 2 ? "S" : "ST";
    cn = (XMPP_SASL_SERVER_BUF - 50 - strlen(snonce)) / 2;
    server_cfg(&sc, XMPP_SASL_SCRAM_SHA_256, "user", "pencil");
    sc.nonce = S(snonce);
    /* one byte too many */
    memcpy(D.a, "n,,n=user,r=", 12);
    memset(D.a + 12, 'c', cn + 1);
    CHECK(xmpp_sasl_server_start(&D.v, &sc) == XMPP_OK);
    CHECK(xmpp_sasl_server_step(&D.v, D.a, 12 + cn + 1, D.b, sizeof D.b, &len) == XMPP_ERR_POLICY_VIOLATION);
    CHECK(is_err(xmpp_sasl_server_error(&D.v), XMPP_ERR_POLICY_VIOLATION,
                 "SCRAM: the messages are longer than XMPP_SASL_SERVER_BUF"));
    /* exactly full */
    n = 12 + cn;
    CHECK(xmpp_sasl_server_start(&D.v, &sc) == XMPP_OK);
    CHECK(xmpp_sasl_server_step(&D.v, D.a, n, D.b, sizeof D.b, &sf) == XMPP_AGAIN);
    CHECK(n + 1 + sf + 1 == XMPP_SASL_SERVER_BUF);
    xmpp_pbkdf2(XMPP_SHA256, "pencil", 6, test_salt, sizeof test_salt, 4096, salted, 32);
    xmpp_hmac_once(XMPP_SHA256, salted, 32, "Client Key", 10, ck);
    xmpp_hash_once(XMPP_SHA256, ck, 32, stored);
    xmpp_hmac_once(XMPP_SHA256, salted, 32, "Server Key", 10, sk);
    xmpp_hmac_init(&cs, XMPP_SHA256, stored, 32);
    xmpp_hmac_init(&ss, XMPP_SHA256, sk, 32);
    /* AuthMessage = client-first-message-bare "," server-first-message "," final-without-proof */
    xmpp_hmac_update(&cs, D.a + 3, n - 3);
    xmpp_hmac_update(&ss, D.a + 3, n - 3);
    xmpp_hmac_update(&cs, ",", 1);
    xmpp_hmac_update(&ss, ",", 1);
    xmpp_hmac_update(&cs, D.b, sf);
    xmpp_hmac_update(&ss, D.b, sf);
    xmpp_hmac_update(&cs, ",", 1);
    xmpp_hmac_update(&ss, ",", 1);
    memcpy(D.a, "c=biws,", 7);
    memcpy(D.a + 7, D.b, 2 + cn + strlen(snonce));   /* "r=" and the combined nonce */
    k = 7 + 2 + cn + strlen(snonce);
    xmpp_hmac_update(&cs, D.a, k);
    xmpp_hmac_update(&ss, D.a, k);
    xmpp_hmac_final(&cs, sig);
    for (i = 0; i < 32; i++) sig[i] ^= ck[i];   /* ClientProof */
    memcpy(D.a + k, ",p=", 3);
    CHECK(xmpp_b64_encode(sig, 32, (char *)D.a + k + 3, sizeof D.a - k - 3, &len) == XMPP_OK);
    CHECK(xmpp_sasl_server_step(&D.v, D.a, k + 3 + len, D.b, sizeof D.b, &len) == XMPP_OK);
    xmpp_hmac_final(&ss, sig);   /* ServerSignature */
    memcpy(b64, "v=", 2);
    CHECK(xmpp_b64_encode(sig, 32, b64 + 2, sizeof b64 - 2, &k) == XMPP_OK);
    b64[2 + k] = 0;
    CHECK(eq_bytes(D.b, len, b64));
}

/* Iteration counts up to 2^32 - 1 are read exactly: with max_iterations at UINT32_MAX
   and a cache for the count, the client logs in without a password against a server
   that stores only the keys (derived here from the cached SaltedPassword, RFC 5802 §3).
   A count past 2^32 - 1 is above any maximum. */
static void test_scram_large_iterations(void)
{
    static const uint32_t counts[] = { 4000000000u, 4294967290u, 4294967294u, 4294967295u };
    static const char *const over[] = { "4294967296", "4294967300", "99999999999" };
    xmpp_sasl_config cc;
    xmpp_sasl_server_config sc;
    xmpp_sasl_cache cache;
    xmpp_sasl s;
    unsigned char ck[32], stored[32], sk[32], out[64];
    char msg[160];
    size_t i, n;
    for (i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        memset(&cache, 0, sizeof cache);
        cache.valid = 1;
        cache.alg = 32;
        cache.iterations = counts[i];
        cache.salt_len = sizeof test_salt;
        memcpy(cache.salt, test_salt, sizeof test_salt);
        memset(cache.salted_password, 0x42, 32);
        xmpp_hmac_once(XMPP_SHA256, cache.salted_password, 32, "Client Key", 10, ck);
        xmpp_hash_once(XMPP_SHA256, ck, 32, stored);
        xmpp_hmac_once(XMPP_SHA256, cache.salted_password, 32, "Server Key", 10, sk);
        client_cfg(&cc, XMPP_SASL_SCRAM_SHA_256, "juliet", "");   /* no password: the cache must match */
        cc.cache = &cache;
        cc.max_iterations = UINT32_MAX;
        server_cfg(&sc, XMPP_SASL_SCRAM_SHA_256, "juliet", "");
        sc.iterations = counts[i];
        sc.stored_key = stored;
        sc.server_key = sk;
        run_duel(&cc, &sc, NULL);
        CHECK(D.client == XMPP_OK && D.server == XMPP_OK);
        CHECK(xmpp_sasl_error(&D.s)->code == XMPP_OK);
    }
    for (i = 0; i < sizeof over / sizeof over[0]; i++) {
        memset(&cc, 0, sizeof cc);
        cc.mech = XMPP_SASL_SCRAM_SHA_256;
        cc.authcid = S("user");
        cc.password = S("pencil");
        cc.nonce = S(N7677);
        cc.max_iterations = UINT32_MAX;
        CHECK(xmpp_sasl_start(&s, &cc, out, sizeof out, &n) == XMPP_OK);
        /* out (64 bytes) is too small for the answer: were the count taken, the step
           would stop at XMPP_ERR_NOSPACE before starting PBKDF2 at 2^32 - 1 */
        snprintf(msg, sizeof msg, "%s,%s,i=%s", R7677, S7677, over[i]);
        CHECK(xmpp_sasl_step(&s, msg, strlen(msg), out, sizeof out, &n) == XMPP_ERR_POLICY_VIOLATION);
        CHECK(is_err_at(xmpp_sasl_error(&s), XMPP_ERR_POLICY_VIOLATION,
                        "server-first-message: the iteration count (i=) is above the maximum",
                        strlen(msg) - strlen(over[i])));
    }
}

/* ---- mechanism selection */

static void test_sasl_select(void)
{
    xmpp_str all[8], some[3], one[1];
    xmpp_sasl_policy p;
    size_t i;
    for (i = 1; i < 8; i++) all[i - 1] = S(xmpp_sasl_mech_name((xmpp_sasl_mech)i));
    all[7] = S("X-OAUTH2");
    memset(&p, 0, sizeof p);
    /* no TLS: SCRAM yes, -PLUS and PLAIN no */
    CHECK(xmpp_sasl_select(all, 8, &p) == XMPP_SASL_SCRAM_SHA_256);
    CHECK(xmpp_sasl_select(all, 8, NULL) == XMPP_SASL_SCRAM_SHA_256);
    p.tls = 1;
    CHECK(xmpp_sasl_select(all, 8, &p) == XMPP_SASL_SCRAM_SHA_256);
    p.cb = 1;
    CHECK(xmpp_sasl_select(all, 8, &p) == XMPP_SASL_SCRAM_SHA_256_PLUS);
    some[0] = S("PLAIN"); some[1] = S("SCRAM-SHA-1-PLUS"); some[2] = S("SCRAM-SHA-256");
#ifndef XMPP_NO_SHA1
    CHECK(xmpp_sasl_select(some, 3, &p) == XMPP_SASL_SCRAM_SHA_1_PLUS);
    p.cb = 0;
    CHECK(xmpp_sasl_select(some, 3, &p) == XMPP_SASL_SCRAM_SHA_256);
    some[2] = S("SCRAM-SHA-1");
    CHECK(xmpp_sasl_select(some, 3, &p) == XMPP_SASL_SCRAM_SHA_1);
#else
    p.cb = 0;
    some[2] = S("SCRAM-SHA-1");
#endif
    CHECK(xmpp_sasl_plus_offered(some, 3) == 1);
    CHECK(xmpp_sasl_plus_offered(some, 1) == 0);
    /* PLAIN only over TLS, unless allowed */
    one[0] = S("PLAIN");
    CHECK(xmpp_sasl_select(one, 1, &p) == XMPP_SASL_PLAIN);
    p.tls = 0;
    CHECK(xmpp_sasl_select(one, 1, &p) == XMPP_SASL_NONE);
    p.plain_clear = 1;
    CHECK(xmpp_sasl_select(one, 1, &p) == XMPP_SASL_PLAIN);
    /* EXTERNAL only with a client certificate, and then first */
    memset(&p, 0, sizeof p);
    p.tls = 1;
    p.cb = 1;
    one[0] = S("EXTERNAL");
    CHECK(xmpp_sasl_select(one, 1, &p) == XMPP_SASL_NONE);
    p.client_cert = 1;
    CHECK(xmpp_sasl_select(all, 8, &p) == XMPP_SASL_EXTERNAL);
    /* ANONYMOUS only when asked, and then nothing else */
    one[0] = S("ANONYMOUS");
    p.client_cert = 0;
    CHECK(xmpp_sasl_select(one, 1, &p) == XMPP_SASL_NONE);
    p.anonymous = 1;
    CHECK(xmpp_sasl_select(all, 8, &p) == XMPP_SASL_ANONYMOUS);
    CHECK(xmpp_sasl_select(some, 3, &p) == XMPP_SASL_NONE);
    /* names are exact */
    one[0] = S("scram-sha-256");
    p.anonymous = 0;
    CHECK(xmpp_sasl_select(one, 1, &p) == XMPP_SASL_NONE);
    one[0] = S("SCRAM-SHA-256 ");
    CHECK(xmpp_sasl_select(one, 1, &p) == XMPP_SASL_NONE);
    CHECK(xmpp_sasl_select(NULL, 0, &p) == XMPP_SASL_NONE);
    CHECK(strcmp(xmpp_sasl_mech_name(XMPP_SASL_SCRAM_SHA_256_PLUS), "SCRAM-SHA-256-PLUS") == 0);
    CHECK(strcmp(xmpp_sasl_mech_name((xmpp_sasl_mech)99), "") == 0);
}

static void test_error_table(void)
{
    CHECK(strcmp(xmpp_strerror(XMPP_ERR_AUTH), "authentication failed") == 0);
    CHECK(strcmp(xmpp_err_condition(XMPP_ERR_AUTH), "not-authorized") == 0);
    CHECK(strcmp(xmpp_err_condition(XMPP_ERR_SASL_MALFORMED), "malformed-request") == 0);
    CHECK(strcmp(xmpp_err_condition(XMPP_ERR_SASL_MECHANISM), "invalid-mechanism") == 0);
    CHECK(strcmp(xmpp_err_condition(XMPP_ERR_BASE64), "incorrect-encoding") == 0);
    CHECK(strcmp(xmpp_strerror(XMPP_ERR_NOSPACE), "buffer or arena too small") == 0);
}

int main(void)
{
#ifndef XMPP_NO_SHA1
    RUN(test_sha1_fips180);
#endif
    RUN(test_sha256_fips180);
    RUN(test_hash_splits);
#ifndef XMPP_NO_SHA1
    RUN(test_hmac_sha1_rfc2202);
#endif
    RUN(test_hmac_sha256_rfc4231);
#ifndef XMPP_NO_SHA1
    RUN(test_pbkdf2_sha1_rfc6070);
#endif
    RUN(test_pbkdf2_sha256_rfc7914);
    RUN(test_base64_rfc4648_s10);
    RUN(test_base64_rejects);
    RUN(test_ct_equal_and_wipe);
#ifndef XMPP_NO_SHA1
    RUN(test_scram_sha1_rfc5802_s5);
#endif
    RUN(test_scram_sha256_rfc7677_s3);
    RUN(test_scram_client_vs_server);
    RUN(test_scram_plus_channel_binding);
    RUN(test_scram_cache);
    RUN(test_scram_bad_server_first);
    RUN(test_scram_error_offsets);
    RUN(test_scram_bad_server_final);
    RUN(test_scram_truncated);
    RUN(test_server_bad_client_first);
    RUN(test_server_bad_client_final);
    RUN(test_plain_external_anonymous);
    RUN(test_saslprep_ascii);
    RUN(test_sasl_space);
    RUN(test_scram_client_offsets);
    RUN(test_server_offsets);
    RUN(test_config_error_offsets);
    RUN(test_server_plain_done);
    RUN(test_server_space);
    RUN(test_server_buffer_full);
    RUN(test_scram_large_iterations);
    RUN(test_sasl_select);
    RUN(test_error_table);
    return check_done();
}
