/* test_tls.c - the TLS hook (>>tls) with its BearSSL backend, in one process: our client
   against a BearSSL server engine, bytes moved by hand in chunks of every size, as the
   stream will move them at STARTTLS. Certificates are made fresh by tests/tls/mkcerts.sh
   (openssl) in a temp dir at every run: certificates expire, so none is committed.
   Interop with other TLS stacks (Prosody, ejabberd) is tests/interop/test_tls_interop.c.

   Build: cc -std=c99 -D_POSIX_C_SOURCE=200809L -DXMPP_BEARSSL ... tests/test_tls.c -lbearssl
   Run:   test_tls [DIR]   (DIR: keep the certificates there; default a fresh temp dir) */
#define XMPP_IMPLEMENTATION
#define XMPP_BEARSSL
#include "../xmpp.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tlsserver.h"

/* ---- our client */

typedef struct {
    xmpp_tls_bearssl b;
    unsigned char buf[BR_SSL_BUFSIZE_BIDI];
    unsigned char cert[4096];
} client;

static client cl;

static int64_t now(void) { return (int64_t)time(NULL); }

static void client_init(xmpp_tls_bearssl_config *cfg, size_t size, int bidi)
{
    cfg->cert = cl.cert;
    cfg->cert_size = sizeof cl.cert;
    CHECK(xmpp_tls_bearssl_init(&cl.b, cfg, cl.buf, size, bidi) == XMPP_OK);
}

static xmpp_tls_bearssl_config verify_cfg(void)
{
    xmpp_tls_bearssl_config c;
    memset(&c, 0, sizeof c);
    c.anchors = ca_anchor;
    c.nanchors = nca;
    c.now = now();
    return c;
}

/* ---- moving bytes: chunk bytes at a time (0: all there is), until nothing moves.
   Application data each side received is collected. */

static unsigned char c_got[65536], s_got[65536];
static size_t nc_got, ns_got;
static int corrupt_next_server_record;     /* flip a byte in the next server record */
static size_t s_sent_total;

static int pump(size_t chunk)
{
    xmpp_tls *t = &cl.b.tls;
    br_ssl_engine_context *se = &srv.sc.eng;
    int moved = 1, rounds = 0;
    while (moved && rounds++ < 100000) {
        size_t n, k, used;
        const unsigned char *p;
        unsigned char *q;
        moved = 0;
        /* client -> server */
        if ((p = xmpp_tls_output(t, &n)) != NULL) {
            unsigned st = br_ssl_engine_current_state(se);
            if ((st & BR_SSL_RECVREC) && (q = br_ssl_engine_recvrec_buf(se, &k)) != NULL) {
                if (chunk && k > chunk) k = chunk;
                if (k > n) k = n;
                memcpy(q, p, k);
                br_ssl_engine_recvrec_ack(se, k);
                xmpp_tls_output_ack(t, k);
                moved = 1;
            }
        }
        /* server -> client */
        if ((q = br_ssl_engine_sendrec_buf(se, &n)) != NULL) {
            if (chunk && n > chunk) n = chunk;
            if (corrupt_next_server_record && xmpp_tls_state(t) == XMPP_TLS_OPEN && n > 10) {
                q[n - 1] ^= 0x40;
                corrupt_next_server_record = 0;
            }
            xmpp_tls_feed(t, q, n, &used);
            if (used) { br_ssl_engine_sendrec_ack(se, used); s_sent_total += used; moved = 1; }
        }
        /* application data */
        while ((p = xmpp_tls_read(t, &n)) != NULL) {
            if (chunk && n > chunk) n = chunk;
            if (nc_got + n <= sizeof c_got) memcpy(c_got + nc_got, p, n);
            nc_got += n;
            xmpp_tls_read_ack(t, n);
            moved = 1;
        }
        if ((q = br_ssl_engine_recvapp_buf(se, &n)) != NULL) {
            if (chunk && n > chunk) n = chunk;
            if (ns_got + n <= sizeof s_got) memcpy(s_got + ns_got, q, n);
            ns_got += n;
            br_ssl_engine_recvapp_ack(se, n);
            moved = 1;
        }
    }
    return rounds;
}

/* Server sends len bytes of data (in records as big as it likes). */
static size_t server_send(const unsigned char *data, size_t len, size_t chunk)
{
    size_t off = 0, n;
    unsigned char *q;
    while (off < len && (q = br_ssl_engine_sendapp_buf(&srv.sc.eng, &n)) != NULL) {
        if (n > len - off) n = len - off;
        if (chunk && n > chunk) n = chunk;
        memcpy(q, data + off, n);
        br_ssl_engine_sendapp_ack(&srv.sc.eng, n);
        off += n;
        br_ssl_engine_flush(&srv.sc.eng, 0);
        pump(chunk);
    }
    return off;
}

/* Everything the client has to send, to the server (which may take it in pieces). */
static void to_server(void)
{
    const unsigned char *p;
    unsigned char *q;
    size_t n, k;
    while ((p = xmpp_tls_output(&cl.b.tls, &n)) != NULL &&
           (br_ssl_engine_current_state(&srv.sc.eng) & BR_SSL_RECVREC) &&
           (q = br_ssl_engine_recvrec_buf(&srv.sc.eng, &k)) != NULL) {
        if (k > n) k = n;
        memcpy(q, p, k);
        br_ssl_engine_recvrec_ack(&srv.sc.eng, k);
        xmpp_tls_output_ack(&cl.b.tls, k);
    }
}

static size_t client_send(const unsigned char *data, size_t len, size_t chunk)
{
    size_t off = 0, used;
    while (off < len) {
        size_t n = chunk && len - off > chunk ? chunk : len - off;
        if (xmpp_tls_write(&cl.b.tls, data + off, n, &used) != XMPP_OK) break;
        off += used;
        pump(chunk);
        if (!used && xmpp_tls_state(&cl.b.tls) != XMPP_TLS_OPEN) break;
    }
    return off;
}

static void reset_counts(void)
{
    nc_got = ns_got = s_sent_total = 0;
    corrupt_next_server_record = 0;
}

/* A full handshake with the given client config against the server cert crt/key. */
static xmpp_tls_status handshake(xmpp_tls_bearssl_config *cfg, const char *name, const char *crt,
                                 const char *key, size_t size, int bidi, size_t chunk)
{
    reset_counts();
    if (!server_start(crt, key, 0, NULL)) return XMPP_TLS_IDLE;
    client_init(cfg, size, bidi);
    xmpp_tls_start(&cl.b.tls, name, NULL);
    pump(chunk);
    return xmpp_tls_state(&cl.b.tls);
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    size_t i;
    for (i = 0; i < n; i++) { seed = seed * 1103515245u + 12345u; p[i] = (unsigned char)(seed >> 16); }
}

/* ---- tests */

static void test_pem_anchors(void)
{
    static unsigned char pem[8192];
    br_x509_trust_anchor ta[3];
    unsigned char store[1024];
    size_t n, count = 9, used = 0;
    const char *why = NULL;
    NEED_CERTS();
    n = slurp("ca.crt", pem, sizeof pem);
    CHECK(xmpp_tls_bearssl_anchors((const char *)pem, n, ta, 3, &count, store, sizeof store, &used, &why) == XMPP_OK);
    CHECK(count == 1);
    CHECK(ta[0].flags == BR_X509_TA_CA);
    CHECK(ta[0].pkey.key_type == BR_KEYTYPE_EC);
    CHECK(ta[0].pkey.key.ec.curve == BR_EC_secp256r1 && ta[0].pkey.key.ec.qlen == 65);
    CHECK(used == ta[0].dn.len + 65 && used < 200);
    CHECK(ta[0].dn.data == store);
    /* the DN is the DER of "CN=xmpp.h test CA" */
    CHECK(ta[0].dn.len > 14 && memcmp(ta[0].dn.data + ta[0].dn.len - 14, "xmpp.h test CA", 14) == 0);
    /* a chain file: both certificates; the leaf is not a CA (direct trust anchor) */
    n = slurp("a.test.chain", pem, sizeof pem);
    CHECK(xmpp_tls_bearssl_anchors((const char *)pem, n, ta, 3, &count, store, sizeof store, &used, &why) == XMPP_OK);
    CHECK(count == 2 && ta[0].flags == 0 && ta[1].flags == BR_X509_TA_CA);
    /* text before the BEGIN line (RFC 7468 §2), even text that starts with '0' (0x30,
       a DER SEQUENCE's first byte): still PEM, and the certificate is the same */
    {
        static const char *const pre[] = { "Issuer: xmpp.h test CA\n", "0 explanatory text\n" };
        br_x509_certificate certs[2];
        unsigned char der[1024];
        size_t i, nder, k;
        nder = slurp("ca.der", der, sizeof der);
        for (i = 0; i < 2; i++) {
            k = strlen(pre[i]);
            memcpy(pem, pre[i], k);
            n = k + slurp("ca.crt", pem + k, sizeof pem - k);
            CHECK(xmpp_tls_bearssl_anchors((const char *)pem, n, ta, 3, &count, store, sizeof store, &used, &why) == XMPP_OK);
            CHECK(count == 1 && ta[0].flags == BR_X509_TA_CA);
            CHECK(xmpp_tls_bearssl_certs((const char *)pem, n, certs, 2, &count, store, sizeof store, &used, &why) == XMPP_OK);
            CHECK(count == 1 && certs[0].data_len == nder && memcmp(certs[0].data, der, nder) == 0);
        }
    }
    /* the label "X509 CERTIFICATE" (RFC 7468 §5.3: older tools write it) is a certificate
       too; "X509 CRL" is not */
    {
        static char relabeled[8192];
        char *p;
        br_x509_certificate certs[2];
        int k;
        for (k = 0; k < 2; k++) {
            const char *label = k == 0 ? "X509 CERTIFICATE-----" : "X509 CRL-----";
            const char *q = (const char *)pem;
            n = slurp("ca.crt", pem, sizeof pem - 1);
            pem[n] = 0;
            for (p = relabeled; *q; ) {   /* "CERTIFICATE-----" in both lines */
                if (strncmp(q, "CERTIFICATE-----", 16) == 0) { strcpy(p, label); p += strlen(label); q += 16; }
                else *p++ = *q++;
            }
            CHECK(xmpp_tls_bearssl_certs(relabeled, (size_t)(p - relabeled), certs, 2, &count, store, sizeof store,
                                         &used, &why) == (k == 0 ? XMPP_OK : XMPP_ERR_INVALID));
            CHECK(k == 1 || count == 1);
        }
    }
    /* DER */
    n = slurp("ca.der", pem, sizeof pem);
    CHECK(xmpp_tls_bearssl_anchors((const char *)pem, n, ta, 3, &count, store, sizeof store, &used, &why) == XMPP_OK);
    CHECK(count == 1 && ta[0].flags == BR_X509_TA_CA);
    {   /* DER with a byte after it is not DER: read as PEM, and there is none (documented) */
        br_x509_certificate certs[2];
        pem[n] = '\n';
        why = NULL;
        CHECK(xmpp_tls_bearssl_certs((const char *)pem, n + 1, certs, 2, &count, store, sizeof store, &used,
                                     &why) == XMPP_ERR_INVALID);
        CHECK(why && strcmp(why, "no PEM object of the expected kind") == 0);
    }
    /* RSA anchor (a leaf, but decoding is the same): n and e */
    n = slurp("rsa.crt", pem, sizeof pem);
    CHECK(xmpp_tls_bearssl_anchors((const char *)pem, n, ta, 3, &count, store, sizeof store, &used, &why) == XMPP_OK);
    CHECK(count == 1 && ta[0].pkey.key_type == BR_KEYTYPE_RSA && ta[0].pkey.key.rsa.nlen == 256);
    CHECK(ta[0].pkey.key.rsa.elen == 3 && memcmp(ta[0].pkey.key.rsa.e, "\x01\x00\x01", 3) == 0);
}

static void test_pem_errors(void)
{
    static unsigned char pem[8192];
    br_x509_trust_anchor ta[2];
    br_x509_certificate certs[2];
    unsigned char store[1024];
    size_t n, count, used, need;
    const char *why = NULL;
    xmpp_tls_bearssl_key key;
    NEED_CERTS();
    n = slurp("a.test.chain", pem, sizeof pem);
    /* storage too small: NOSPACE, and the size reported is enough */
    CHECK(xmpp_tls_bearssl_anchors((const char *)pem, n, ta, 2, &count, store, 50, &need, &why) == XMPP_ERR_NOSPACE);
    CHECK(strcmp(why, "too many certificates or too little storage") == 0);
    CHECK(need > 50 && need <= sizeof store);
    CHECK(xmpp_tls_bearssl_anchors((const char *)pem, n, ta, 2, &count, store, need, &used, &why) == XMPP_OK);
    CHECK(count == 2 && used <= need);
    /* room for one anchor only */
    CHECK(xmpp_tls_bearssl_anchors((const char *)pem, n, ta, 1, &count, store, sizeof store, &used, &why) == XMPP_ERR_NOSPACE);
    CHECK(count == 1);
    /* certs: same rules */
    CHECK(xmpp_tls_bearssl_certs((const char *)pem, n, certs, 2, &count, store, 100, &need, &why) == XMPP_ERR_NOSPACE);
    CHECK(xmpp_tls_bearssl_certs((const char *)pem, n, certs, 2, &count, store, sizeof store, &used, &why) == XMPP_OK);
    CHECK(count == 2 && used == need && certs[0].data == store && certs[1].data == store + certs[0].data_len);
    /* not PEM, no certificate in it, broken base64, a truncated object */
    CHECK(xmpp_tls_bearssl_anchors("hello", 5, ta, 2, &count, store, sizeof store, &used, &why) == XMPP_ERR_INVALID);
    CHECK(strcmp(why, "no PEM object of the expected kind") == 0);
    n = slurp("client.key", pem, sizeof pem);
    CHECK(xmpp_tls_bearssl_anchors((const char *)pem, n, ta, 2, &count, store, sizeof store, &used, &why) == XMPP_ERR_INVALID);
    CHECK(strcmp(why, "no PEM object of the expected kind") == 0);
    {
        const char *bad = "-----BEGIN CERTIFICATE-----\nMIIB!!!!\n-----END CERTIFICATE-----\n";
        CHECK(xmpp_tls_bearssl_anchors(bad, strlen(bad), ta, 2, &count, store, sizeof store, &used, &why) == XMPP_ERR_INVALID);
        CHECK(strcmp(why, "malformed PEM") == 0);
    }
    n = slurp("ca.crt", pem, sizeof pem);
    CHECK(xmpp_tls_bearssl_anchors((const char *)pem, n - 30, ta, 2, &count, store, sizeof store, &used, &why) == XMPP_ERR_INVALID);
    CHECK(strcmp(why, "malformed PEM") == 0);          /* cut inside the END line */
    n = (size_t)((unsigned char *)strstr((const char *)pem, "-----END") - pem);
    CHECK(xmpp_tls_bearssl_anchors((const char *)pem, n, ta, 2, &count, store, sizeof store, &used, &why) == XMPP_ERR_INVALID);
    CHECK(strcmp(why, "PEM object without its END line") == 0);
    {   /* valid base64, but not a certificate */
        const char *junk = "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n";
        CHECK(xmpp_tls_bearssl_anchors(junk, strlen(junk), ta, 2, &count, store, sizeof store, &used, &why) == XMPP_ERR_INVALID);
        CHECK(strcmp(why, "malformed or unsupported certificate (BearSSL's X.509 decoder refused it)") == 0);
    }
    /* keys */
    n = slurp("ca.crt", pem, sizeof pem);
    CHECK(xmpp_tls_bearssl_key_decode(&key, (const char *)pem, n, store, sizeof store, &used, &why) == XMPP_ERR_INVALID);
    CHECK(strcmp(why, "no private key (EC, RSA or PKCS#8) found") == 0);
    n = slurp("rsa.key", pem, sizeof pem);
    CHECK(xmpp_tls_bearssl_key_decode(&key, (const char *)pem, n, store, 100, &need, &why) == XMPP_ERR_NOSPACE);
    CHECK(key.type == 0 && need > 100 && need < 1024);
}

static void test_pem_keys(void)
{
    static unsigned char pem[8192];
    unsigned char store[1024];
    size_t n, used;
    const char *why;
    xmpp_tls_bearssl_key k1, k2;
    NEED_CERTS();
    n = slurp("client.key", pem, sizeof pem);             /* PKCS#8 */
    CHECK(xmpp_tls_bearssl_key_decode(&k1, (const char *)pem, n, store, sizeof store, &used, &why) == XMPP_OK);
    CHECK(k1.type == BR_KEYTYPE_EC && k1.k.ec.curve == BR_EC_secp256r1 && k1.k.ec.xlen == 32 && used == 32);
    n = slurp("client.sec1", pem, sizeof pem);            /* SEC 1 "EC PRIVATE KEY" */
    CHECK(xmpp_tls_bearssl_key_decode(&k2, (const char *)pem, n, store + 32, sizeof store - 32, &used, &why) == XMPP_OK);
    CHECK(k2.type == BR_KEYTYPE_EC && k2.k.ec.xlen == 32 && memcmp(k1.k.ec.x, k2.k.ec.x, 32) == 0);
    n = slurp("rsa.pkcs1", pem, sizeof pem);              /* PKCS#1 "RSA PRIVATE KEY" */
    CHECK(xmpp_tls_bearssl_key_decode(&k1, (const char *)pem, n, store, sizeof store, &used, &why) == XMPP_OK);
    CHECK(k1.type == BR_KEYTYPE_RSA && k1.k.rsa.n_bitlen == 2048 && k1.k.rsa.plen == 128);
    CHECK(used == k1.k.rsa.plen + k1.k.rsa.qlen + k1.k.rsa.dplen + k1.k.rsa.dqlen + k1.k.rsa.iqlen);
    /* text before the BEGIN line (RFC 7468 §2), even text that starts with '0' (0x30,
       a DER SEQUENCE's first byte): still PEM */
    memmove(pem + 6, pem, n);
    memcpy(pem, "0 key\n", 6);
    CHECK(xmpp_tls_bearssl_key_decode(&k2, (const char *)pem, n + 6, store, sizeof store, &used, &why) == XMPP_OK);
    CHECK(k2.type == BR_KEYTYPE_RSA && k2.k.rsa.plen == 128);
    memmove(pem, pem + 6, n);
    /* used and why may be NULL */
    CHECK(xmpp_tls_bearssl_key_decode(&k2, (const char *)pem, n, store, sizeof store, NULL, NULL) == XMPP_OK);
    CHECK(k2.type == BR_KEYTYPE_RSA && k2.k.rsa.plen == 128);
}

static void test_init_errors(void)
{
    xmpp_tls_bearssl_config c;
    memset(&c, 0, sizeof c);
    c.anchors = ca_anchor;
    c.nanchors = 1;
    CHECK(xmpp_tls_bearssl_init(&cl.b, &c, cl.buf, XMPP_TLS_BUF_SIZE(9, 1) - 1, 1) == XMPP_ERR_INVALID);
    CHECK(strcmp(xmpp_tls_error(&cl.b.tls)->message, "TLS buffer smaller than XMPP_TLS_BUF_SIZE(9, bidi)") == 0);
    CHECK(xmpp_tls_state(&cl.b.tls) == XMPP_TLS_FAILED);
    CHECK(xmpp_tls_start(&cl.b.tls, "a.test", NULL) == XMPP_ERR_INVALID);
    CHECK(xmpp_tls_bearssl_init(&cl.b, &c, cl.buf, XMPP_TLS_BUF_SIZE(9, 0), 0) == XMPP_OK);
    CHECK(xmpp_tls_state(&cl.b.tls) == XMPP_TLS_IDLE);
    CHECK(xmpp_tls_start(&cl.b.tls, "", NULL) == XMPP_ERR_INVALID);
    CHECK(strcmp(xmpp_tls_error(&cl.b.tls)->message, "no server name: it is needed to verify the certificate") == 0);
    c.nanchors = 0;
    CHECK(xmpp_tls_bearssl_init(&cl.b, &c, cl.buf, sizeof cl.buf, 1) == XMPP_ERR_INVALID);
    CHECK(strncmp(xmpp_tls_error(&cl.b.tls)->message, "no trust anchors", 16) == 0);
    c.flags = XMPP_TLS_INSECURE_NO_VERIFY;   /* no anchors needed, no name needed */
    CHECK(xmpp_tls_bearssl_init(&cl.b, &c, cl.buf, sizeof cl.buf, 1) == XMPP_OK);
    CHECK(xmpp_tls_start(&cl.b.tls, NULL, NULL) == XMPP_OK);
    CHECK(xmpp_tls_state(&cl.b.tls) == XMPP_TLS_HANDSHAKING);
    /* the codes have messages and no stream error condition */
    CHECK(strcmp(xmpp_strerror(XMPP_ERR_TLS_NAME), "server certificate does not match the XMPP domain") == 0);
    CHECK(xmpp_err_condition(XMPP_ERR_TLS) == NULL && xmpp_err_condition(XMPP_ERR_TLS_CLOSED) == NULL);
}

/* The good path: every chunk size, both directions, then the facts the stream needs. */
static void test_handshake_and_data(void)
{
    static const size_t chunks[] = { 1, 7, 100, 1460, 0 };
    static unsigned char der[4096], out[20000], in[20000];
    size_t i, nder;
    NEED_CERTS();
    nder = slurp("a.test.der", der, sizeof der);
    fill(out, sizeof out, 1);
    fill(in, sizeof in, 2);
    for (i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        xmpp_tls_bearssl_config c = verify_cfg();
        xmpp_tls *t = &cl.b.tls;
        const unsigned char *p;
        unsigned char cb[XMPP_TLS_CB_MAX], sha[32];
        size_t n;
        br_sha256_context h;
        CHECK(handshake(&c, "a.test", "a.test.chain", "a.test.key", sizeof cl.buf, 1, chunks[i]) == XMPP_TLS_OPEN);
        if (xmpp_tls_state(t) != XMPP_TLS_OPEN) { printf("chunk %zu: %s\n", chunks[i], xmpp_tls_error(t)->message); continue; }
        CHECK(xmpp_tls_error(t)->code == XMPP_OK);
        CHECK(xmpp_tls_bearssl_version(&cl.b) == BR_TLS12);
        CHECK(xmpp_tls_bearssl_suite(&cl.b) == BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        /* both ways: 20000 bytes, more than one record */
        CHECK(client_send(out, sizeof out, chunks[i]) == sizeof out);
        CHECK(ns_got == sizeof out && memcmp(s_got, out, sizeof out) == 0);
        CHECK(server_send(in, sizeof in, chunks[i]) == sizeof in);
        CHECK(nc_got == sizeof in && memcmp(c_got, in, sizeof in) == 0);
        /* the peer certificate, as sent */
        CHECK(xmpp_tls_peer_cert(t, &p, &n) == XMPP_OK);
        CHECK(n == nder && memcmp(p, der, n) == 0);
        /* tls-server-end-point: SHA-256 of that DER (ecdsa-with-SHA256) */
        br_sha256_init(&h);
        br_sha256_update(&h, der, nder);
        br_sha256_out(&h, sha);
        CHECK(xmpp_tls_channel_binding(t, XMPP_TLS_CB_SERVER_END_POINT, cb, sizeof cb, &n) == XMPP_OK);
        CHECK(n == 32 && memcmp(cb, sha, 32) == 0);
        CHECK(xmpp_tls_channel_binding(t, XMPP_TLS_CB_SERVER_END_POINT, cb, 31, &n) == XMPP_ERR_NOSPACE && n == 32);
        /* tls-unique: the client's Finished, as the server saw it */
        CHECK(xmpp_tls_channel_binding(t, XMPP_TLS_CB_UNIQUE, cb, sizeof cb, &n) == XMPP_OK);
        CHECK(n == 12 && memcmp(cb, srv.sc.eng.saved_finished, 12) == 0);
        CHECK(xmpp_tls_channel_binding(t, XMPP_TLS_CB_EXPORTER, cb, sizeof cb, &n) == XMPP_ERR_INVALID && n == 0);
        /* clean close: our close_notify, the server answers, CLOSED without error */
        xmpp_tls_close(t);
        CHECK(xmpp_tls_write(t, out, 10, &n) == XMPP_ERR_INVALID && n == 0);
        pump(chunks[i]);
        CHECK(br_ssl_engine_current_state(&srv.sc.eng) == BR_SSL_CLOSED);
        CHECK(br_ssl_engine_last_error(&srv.sc.eng) == BR_ERR_OK);
        CHECK(xmpp_tls_state(t) == XMPP_TLS_CLOSED);
        CHECK(xmpp_tls_error(t)->code == XMPP_OK);
        CHECK(xmpp_tls_eof(t) == XMPP_OK);
    }
}

static void test_before_open(void)
{
    xmpp_tls_bearssl_config c = verify_cfg();
    xmpp_tls *t = &cl.b.tls;
    unsigned char cb[64];
    const unsigned char *p;
    size_t n;
    NEED_CERTS();
    client_init(&c, sizeof cl.buf, 1);
    CHECK(xmpp_tls_output(t, &n) == NULL && n == 0);
    CHECK(xmpp_tls_feed(t, cb, 1, &n) == XMPP_ERR_INVALID && n == 0);
    CHECK(xmpp_tls_start(t, "a.test", NULL) == XMPP_OK);
    CHECK((p = xmpp_tls_output(t, &n)) != NULL && n > 100 && p[0] == 22);   /* ClientHello record */
    CHECK(xmpp_tls_write(t, cb, 5, &n) == XMPP_OK && n == 0);                /* not yet */
    CHECK(xmpp_tls_read(t, &n) == NULL);
    n = 99;
    CHECK(xmpp_tls_channel_binding(t, XMPP_TLS_CB_SERVER_END_POINT, cb, sizeof cb, &n) == XMPP_AGAIN && n == 0);
    n = 99;
    CHECK(xmpp_tls_peer_cert(t, &p, &n) == XMPP_AGAIN && n == 0 && p == NULL);
}

static void test_rsa_server(void)
{
    xmpp_tls_bearssl_config c = verify_cfg();
    static unsigned char data[3000];
    NEED_CERTS();
    CHECK(handshake(&c, "a.test", "rsa.crt", "rsa.key", sizeof cl.buf, 1, 0) == XMPP_TLS_OPEN);
    CHECK(xmpp_tls_bearssl_suite(&cl.b) == BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    fill(data, sizeof data, 3);
    CHECK(client_send(data, sizeof data, 0) == sizeof data && ns_got == sizeof data);
}

static void test_end_point_sha384(void)
{
    xmpp_tls_bearssl_config c = verify_cfg();
    static unsigned char der[4096];
    unsigned char cb[64], sha[48];
    size_t n, nder;
    br_sha384_context h;
    NEED_CERTS();
    nder = slurp("sha384.der", der, sizeof der);
    CHECK(handshake(&c, "a.test", "sha384.crt", "sha384.key", sizeof cl.buf, 1, 0) == XMPP_TLS_OPEN);
    br_sha384_init(&h);
    br_sha384_update(&h, der, nder);
    br_sha384_out(&h, sha);
    /* RFC 5929 §4.1: the certificate's own signature hash when it is not MD5 or SHA-1 */
    CHECK(xmpp_tls_channel_binding(&cl.b.tls, XMPP_TLS_CB_SERVER_END_POINT, cb, sizeof cb, &n) == XMPP_OK);
    CHECK(n == 48 && memcmp(cb, sha, 48) == 0);
}

/* Small buffers: the client asks for a 512-byte max_fragment_length; BearSSL's server
   honours it, so 1434 bytes (bidi) and 837 (mono) carry a handshake and 10000 bytes. */
static void test_small_buffers(void)
{
    static const struct { unsigned log2; int bidi; } sz[] = { { 9, 1 }, { 9, 0 }, { 10, 1 }, { 12, 0 } };
    static unsigned char out[10000], in[10000];
    size_t i;
    NEED_CERTS();
    fill(out, sizeof out, 4);
    fill(in, sizeof in, 5);
    for (i = 0; i < sizeof sz / sizeof sz[0]; i++) {
        xmpp_tls_bearssl_config c = verify_cfg();
        size_t size = XMPP_TLS_BUF_SIZE(sz[i].log2, sz[i].bidi);
        CHECK(handshake(&c, "a.test", "a.test.chain", "a.test.key", size, sz[i].bidi, 64) == XMPP_TLS_OPEN);
        if (xmpp_tls_state(&cl.b.tls) != XMPP_TLS_OPEN) { printf("size %zu: %s\n", size, xmpp_tls_error(&cl.b.tls)->message); continue; }
        CHECK(client_send(out, sizeof out, 0) == sizeof out && ns_got == sizeof out && memcmp(s_got, out, sizeof out) == 0);
        CHECK(server_send(in, sizeof in, 0) == sizeof in && nc_got == sizeof in && memcmp(c_got, in, sizeof in) == 0);
    }
    CHECK(XMPP_TLS_BUF_SIZE(14, 1) == BR_SSL_BUFSIZE_BIDI && XMPP_TLS_BUF_SIZE(14, 0) == BR_SSL_BUFSIZE_MONO);
    CHECK(XMPP_TLS_BUF_SIZE(9, 1) == 1434 && XMPP_TLS_BUF_SIZE(9, 0) == 837);
}

/* ---- verification failures, each with its exact code and message */

static void expect_fail(xmpp_err code, const char *msg)
{
    const xmpp_errinfo *e = xmpp_tls_error(&cl.b.tls);
    CHECK(xmpp_tls_state(&cl.b.tls) == XMPP_TLS_FAILED);
    CHECK(e->code == code);
    CHECK(strcmp(e->message, msg) == 0);
    if (e->code != code || strcmp(e->message, msg) != 0)
        printf("    got %s: %s (BearSSL %d)\n", xmpp_strerror(e->code), e->message, xmpp_tls_bearssl_last_error(&cl.b));
}

static void test_unknown_ca(void)
{
    xmpp_tls_bearssl_config c = verify_cfg();
    size_t n;
    NEED_CERTS();
    CHECK(handshake(&c, "a.test", "other.crt", "other.key", sizeof cl.buf, 1, 0) == XMPP_TLS_FAILED);
    expect_fail(XMPP_ERR_TLS_UNTRUSTED, "the server's certificate chain does not lead to a trust anchor (unknown CA)");
    /* sticky, and nothing more moves; the server got our alert */
    CHECK(xmpp_tls_feed(&cl.b.tls, (const unsigned char *)"x", 1, &n) == XMPP_ERR_TLS_UNTRUSTED && n == 0);
    CHECK(xmpp_tls_write(&cl.b.tls, (const unsigned char *)"x", 1, &n) == XMPP_ERR_TLS_UNTRUSTED && n == 0);
    /* BearSSL sends no alert when it rejects a certificate: the server sees only EOF */
    CHECK(br_ssl_engine_last_error(&srv.sc.eng) == BR_ERR_OK);
}

static void test_wrong_name(void)
{
    xmpp_tls_bearssl_config c = verify_cfg();
    NEED_CERTS();
    CHECK(handshake(&c, "b.test", "a.test.chain", "a.test.key", sizeof cl.buf, 1, 0) == XMPP_TLS_FAILED);
    expect_fail(XMPP_ERR_TLS_NAME, "the server's certificate does not name the XMPP domain (no matching dNSName)");
    /* the wildcard covers one label, not two, not the parent */
    CHECK(handshake(&c, "conference.a.test", "a.test.chain", "a.test.key", sizeof cl.buf, 1, 0) == XMPP_TLS_OPEN);
    CHECK(handshake(&c, "x.conference.a.test", "a.test.chain", "a.test.key", sizeof cl.buf, 1, 0) == XMPP_TLS_FAILED);
    expect_fail(XMPP_ERR_TLS_NAME, "the server's certificate does not name the XMPP domain (no matching dNSName)");
    CHECK(handshake(&c, "A.TEST", "a.test.chain", "a.test.key", sizeof cl.buf, 1, 0) == XMPP_TLS_OPEN);
}

static void test_expired(void)
{
    xmpp_tls_bearssl_config c = verify_cfg();
    const char *msg = "a certificate in the server's chain is expired or not yet valid";
    NEED_CERTS();
    /* a certificate that expired in 2020 (made with openssl ca -enddate) */
    CHECK(handshake(&c, "a.test", "expired.crt", "expired.key", sizeof cl.buf, 1, 0) == XMPP_TLS_FAILED);
    expect_fail(XMPP_ERR_TLS_EXPIRED, msg);
    /* ...which was fine in January 2020 by the caller's clock */
    c.now = 1579000000;   /* 2020-01-14 */
    CHECK(handshake(&c, "a.test", "expired.crt", "expired.key", sizeof cl.buf, 1, 0) == XMPP_TLS_OPEN);
    /* a valid certificate with the clock 60 days ahead, and before it was made */
    c.now = now() + 60 * 86400;
    CHECK(handshake(&c, "a.test", "a.test.chain", "a.test.key", sizeof cl.buf, 1, 0) == XMPP_TLS_FAILED);
    expect_fail(XMPP_ERR_TLS_EXPIRED, msg);
    c.now = 946684800;    /* 2000-01-01 */
    CHECK(handshake(&c, "a.test", "a.test.chain", "a.test.key", sizeof cl.buf, 1, 0) == XMPP_TLS_FAILED);
    expect_fail(XMPP_ERR_TLS_EXPIRED, msg);
}

static void test_insecure(void)
{
    xmpp_tls_bearssl_config c = verify_cfg();
    unsigned char cb[64];
    size_t n;
    NEED_CERTS();
    c.flags = XMPP_TLS_INSECURE_NO_VERIFY;
    c.anchors = NULL;
    c.nanchors = 0;
    CHECK(handshake(&c, "b.test", "other.crt", "other.key", sizeof cl.buf, 1, 7) == XMPP_TLS_OPEN);
    CHECK(xmpp_tls_channel_binding(&cl.b.tls, XMPP_TLS_CB_SERVER_END_POINT, cb, sizeof cb, &n) == XMPP_OK && n == 32);
    CHECK(handshake(&c, "a.test", "expired.crt", "expired.key", sizeof cl.buf, 1, 0) == XMPP_TLS_OPEN);
    CHECK(handshake(&c, "a.test", "rsa.crt", "rsa.key", sizeof cl.buf, 1, 0) == XMPP_TLS_OPEN);
}

/* The peer goes away mid-handshake: TCP EOF, or a close_notify alert. */
static void test_closed_mid_handshake(void)
{
    xmpp_tls_bearssl_config c = verify_cfg();
    xmpp_tls *t = &cl.b.tls;
    unsigned char *q;
    size_t k, used;
    NEED_CERTS();
    reset_counts();
    CHECK(server_start("a.test.chain", "a.test.key", 0, NULL));
    client_init(&c, sizeof cl.buf, 1);
    xmpp_tls_start(t, "a.test", NULL);
    /* the ClientHello reaches the server; the server's first bytes reach us; then EOF */
    to_server();
    q = br_ssl_engine_sendrec_buf(&srv.sc.eng, &k);
    CHECK(q && k > 20);
    CHECK(xmpp_tls_feed(t, q, 20, &used) == XMPP_OK && used == 20);
    CHECK(xmpp_tls_state(t) == XMPP_TLS_HANDSHAKING);
    CHECK(xmpp_tls_eof(t) == XMPP_ERR_TLS_CLOSED);
    expect_fail(XMPP_ERR_TLS_CLOSED, "the peer closed the connection during the TLS handshake");

    /* the server sends close_notify right after its hello */
    reset_counts();
    CHECK(server_start("a.test.chain", "a.test.key", 0, NULL));
    client_init(&c, sizeof cl.buf, 1);
    xmpp_tls_start(t, "a.test", NULL);
    to_server();
    br_ssl_engine_close(&srv.sc.eng);
    pump(0);
    expect_fail(XMPP_ERR_TLS_CLOSED, "the peer closed TLS (close_notify) during the handshake");
}

static void test_bad_record(void)
{
    xmpp_tls_bearssl_config c = verify_cfg();
    static unsigned char in[100];
    NEED_CERTS();
    CHECK(handshake(&c, "a.test", "a.test.chain", "a.test.key", sizeof cl.buf, 1, 0) == XMPP_TLS_OPEN);
    corrupt_next_server_record = 1;
    server_send(in, sizeof in, 0);
    CHECK(nc_got == 0);
    expect_fail(XMPP_ERR_TLS, "bad record MAC: a record was corrupted or tampered with");
    /* not TLS at all: an XMPP server that did not switch */
    {
        size_t used;
        client_init(&c, sizeof cl.buf, 1);
        xmpp_tls_start(&cl.b.tls, "a.test", NULL);
        xmpp_tls_feed(&cl.b.tls, (const unsigned char *)"<stream:error>", 14, &used);
        expect_fail(XMPP_ERR_TLS, "the peer does not speak TLS 1.2 (or not TLS at all: plain XML after <proceed/>?)");
    }
}

static void test_truncation(void)
{
    xmpp_tls_bearssl_config c = verify_cfg();
    NEED_CERTS();
    CHECK(handshake(&c, "a.test", "a.test.chain", "a.test.key", sizeof cl.buf, 1, 0) == XMPP_TLS_OPEN);
    CHECK(xmpp_tls_eof(&cl.b.tls) == XMPP_ERR_TLS_CLOSED);
    CHECK(xmpp_tls_state(&cl.b.tls) == XMPP_TLS_CLOSED);
    CHECK(strncmp(xmpp_tls_error(&cl.b.tls)->message, "the connection closed without a TLS close_notify", 48) == 0);
    /* the server closes cleanly: CLOSED, no error */
    CHECK(handshake(&c, "a.test", "a.test.chain", "a.test.key", sizeof cl.buf, 1, 0) == XMPP_TLS_OPEN);
    br_ssl_engine_close(&srv.sc.eng);
    pump(0);
    CHECK(xmpp_tls_state(&cl.b.tls) == XMPP_TLS_CLOSED && xmpp_tls_error(&cl.b.tls)->code == XMPP_OK);
}

/* Mutual TLS set up: our certificate and key in c, a server that asks for a client
   certificate, a client initialised (not started). */
static int mutual_start(xmpp_tls_bearssl_config *c, ident *me, const char *crt, const char *key)
{
    if (!load_ident(me, crt, key)) return 0;
    c->chain = me->chain;
    c->nchain = me->nchain;
    c->key = &me->key;
    reset_counts();
    if (!server_start("a.test.chain", "a.test.key", 1, NULL)) return 0;
    client_init(c, sizeof cl.buf, 1);
    return 1;
}

static void test_mutual_tls(void)
{
    static ident me;
    xmpp_tls_bearssl_config c = verify_cfg();
    static unsigned char data[500];
    NEED_CERTS();
    /* EC client certificate (SEC 1 key), verified by the server against our CA */
    CHECK(mutual_start(&c, &me, "client.crt", "client.sec1"));
    xmpp_tls_start(&cl.b.tls, "a.test", NULL);
    pump(100);
    CHECK(xmpp_tls_state(&cl.b.tls) == XMPP_TLS_OPEN);
    CHECK(br_ssl_engine_last_error(&srv.sc.eng) == BR_ERR_OK);
    {
        unsigned usages = 0;
        const br_x509_pkey *pk = srv.xc.vtable->get_pkey(&srv.xc.vtable, &usages);
        CHECK(pk && pk->key_type == BR_KEYTYPE_EC);
    }
    fill(data, sizeof data, 6);
    CHECK(client_send(data, sizeof data, 0) == sizeof data && ns_got == sizeof data);
    /* without a client certificate the server refuses */
    c.chain = NULL;
    c.nchain = 0;
    c.key = NULL;
    reset_counts();
    CHECK(server_start("a.test.chain", "a.test.key", 1, NULL));
    client_init(&c, sizeof cl.buf, 1);
    xmpp_tls_start(&cl.b.tls, "a.test", NULL);
    pump(0);
    /* BearSSL's server fails without an alert; then it closes the connection */
    CHECK(br_ssl_engine_last_error(&srv.sc.eng) == BR_ERR_NO_CLIENT_AUTH);
    CHECK(xmpp_tls_state(&cl.b.tls) == XMPP_TLS_HANDSHAKING);
    CHECK(xmpp_tls_eof(&cl.b.tls) == XMPP_ERR_TLS_CLOSED);
    expect_fail(XMPP_ERR_TLS_CLOSED, "the peer closed the connection during the TLS handshake");
    /* a key without a chain is a configuration error */
    c.key = &me.key;
    CHECK(xmpp_tls_bearssl_init(&cl.b, &c, cl.buf, sizeof cl.buf, 1) == XMPP_ERR_INVALID);
}

static void test_alpn(void)
{
    xmpp_tls_bearssl_config c = verify_cfg();
    const char *sel;
    NEED_CERTS();
    reset_counts();
    CHECK(server_start("a.test.chain", "a.test.key", 0, "xmpp-client"));
    client_init(&c, sizeof cl.buf, 1);
    CHECK(xmpp_tls_start(&cl.b.tls, "a.test", "xmpp-client") == XMPP_OK);
    pump(0);
    CHECK(xmpp_tls_state(&cl.b.tls) == XMPP_TLS_OPEN);
    sel = br_ssl_engine_get_selected_protocol(&srv.sc.eng);
    CHECK(sel && strcmp(sel, "xmpp-client") == 0);
    /* SNI: the server saw the name */
    CHECK(strcmp(br_ssl_engine_get_server_name(&srv.sc.eng), "a.test") == 0);
    {   /* the backend keeps a name of up to 63 bytes; longer or empty is refused */
        char name[65];
        memset(name, 'x', 64);
        name[63] = 0;
        CHECK(xmpp_tls_start(&cl.b.tls, "a.test", name) == XMPP_OK);
        name[63] = 'x';
        name[64] = 0;
        CHECK(xmpp_tls_start(&cl.b.tls, "a.test", name) == XMPP_ERR_INVALID);
        CHECK(strcmp(xmpp_tls_error(&cl.b.tls)->message, "ALPN protocol name empty or too long") == 0);
        CHECK(xmpp_tls_start(&cl.b.tls, "a.test", "") == XMPP_ERR_INVALID);
    }
}


/* ---- the details: tls-server-end-point per signature algorithm, the peer's alerts, the
   peer certificate while it arrives, starting again, storage and key sizes */

/* tls-server-end-point for each signature algorithm (RFC 5929 §4.1): the hash of the
   signature algorithm, SHA-256 for MD5 and SHA-1, undefined for RSASSA-PSS (no single
   hash named by the algorithm identifier). Self-signed certificates, so not verified. */
static void test_end_point_algorithms(void)
{
    static const struct { const char *name, *key; const br_hash_class *hash; } ep[] = {
        { "ep-rsa-md5", "rsa.key", &br_sha256_vtable },
        { "ep-rsa-sha1", "rsa.key", &br_sha256_vtable },
        { "ep-rsa-sha224", "rsa.key", &br_sha224_vtable },
        { "ep-rsa-sha512", "rsa.key", &br_sha512_vtable },
        { "ep-rsa-pss", "rsa.key", NULL },
        { "ep-ec-sha1", "a.test.key", &br_sha256_vtable },
        { "ep-ec-sha224", "a.test.key", &br_sha224_vtable },
        { "ep-ec-sha512", "a.test.key", &br_sha512_vtable },
    };
    static unsigned char der[4096];
    size_t i;
    int missing = 0;
    NEED_CERTS();
    for (i = 0; i < sizeof ep / sizeof ep[0]; i++) {
        xmpp_tls_bearssl_config c = verify_cfg();
        char crt[64], dername[64];
        unsigned char cb[XMPP_TLS_CB_MAX], h[64];
        const unsigned char *p;
        size_t n, nder, hlen;
        br_hash_compat_context hc;
        c.flags = XMPP_TLS_INSECURE_NO_VERIFY;
        snprintf(crt, sizeof crt, "%s.crt", ep[i].name);
        snprintf(dername, sizeof dername, "%s.der", ep[i].name);
        {   /* mkcerts.sh leaves one out where OpenSSL will not sign with its hash */
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", dir, crt);
            if (access(path, R_OK) != 0) { printf("    %s: not made by mkcerts.sh here\n", crt); missing++; continue; }
        }
        nder = slurp(dername, der, sizeof der);
        CHECK(handshake(&c, "a.test", crt, ep[i].key, sizeof cl.buf, 1, 0) == XMPP_TLS_OPEN);
        CHECK(xmpp_tls_peer_cert(&cl.b.tls, &p, &n) == XMPP_OK && n == nder && memcmp(p, der, n) == 0);
        if (!ep[i].hash) {
            CHECK(xmpp_tls_channel_binding(&cl.b.tls, XMPP_TLS_CB_SERVER_END_POINT, cb, sizeof cb, &n) == XMPP_ERR_INVALID);
            continue;
        }
        ep[i].hash->init(&hc.vtable);
        ep[i].hash->update(&hc.vtable, der, nder);
        ep[i].hash->out(&hc.vtable, h);
        hlen = ep[i].hash->desc >> BR_HASHDESC_OUT_OFF & BR_HASHDESC_OUT_MASK;
        CHECK(xmpp_tls_channel_binding(&cl.b.tls, XMPP_TLS_CB_SERVER_END_POINT, cb, sizeof cb, &n) == XMPP_OK);
        CHECK(n == hlen && memcmp(cb, h, hlen) == 0);
        if (n != hlen) printf("    %s: %zu bytes, want %zu\n", ep[i].name, n, hlen);
    }
    if (missing) SKIP("certificates this OpenSSL would not sign (MD5 or SHA-1): their algorithms not checked");
}

/* A fatal alert from the peer during the handshake, one per record (RFC 5246 §7.2): the
   code is XMPP_ERR_TLS, the message names the alert. */
static void test_peer_alerts(void)
{
    static const struct { unsigned char alert; const char *msg; } al[] = {
        { 40, "the peer sent a handshake_failure alert (no common cipher suite, curve or "
              "signature algorithm; BearSSL speaks TLS 1.2 with ECDHE and AES-GCM/ChaCha20)" },
        { 42, "the peer rejected our client certificate (bad/unsupported/expired/unknown certificate alert)" },
        { 46, "the peer rejected our client certificate (bad/unsupported/expired/unknown certificate alert)" },
        { 48, "the peer sent an unknown_ca alert: it does not trust our client certificate's CA" },
        { 70, "the peer sent a protocol_version alert: it does not accept TLS 1.2" },
        { 112, "unrecognized_name alert: the server has no certificate for that name (SNI)" },
        { 116, "the server requires a client certificate (certificate_required alert)" },
        { 20, "the peer sent a bad_record_mac alert" },
        { 41, "the peer sent a fatal TLS alert" },
        { 80, "the peer sent a fatal TLS alert" },
        { 113, "the peer sent a fatal TLS alert" },
        { 115, "the peer sent a fatal TLS alert" },
    };
    size_t i;
    NEED_CERTS();
    for (i = 0; i < sizeof al / sizeof al[0]; i++) {
        xmpp_tls_bearssl_config c = verify_cfg();
        /* an alert record: type 21, TLS 1.2, length 2, level fatal (2), description */
        unsigned char rec[7] = { 21, 3, 3, 0, 2, 2, 0 };
        size_t n, used;
        rec[6] = al[i].alert;
        client_init(&c, sizeof cl.buf, 1);
        CHECK(xmpp_tls_start(&cl.b.tls, "a.test", NULL) == XMPP_OK);
        CHECK(xmpp_tls_output(&cl.b.tls, &n) != NULL);      /* the ClientHello, "sent" */
        xmpp_tls_output_ack(&cl.b.tls, n);
        CHECK(xmpp_tls_feed(&cl.b.tls, rec, sizeof rec, &used) == XMPP_ERR_TLS);
        expect_fail(XMPP_ERR_TLS, al[i].msg);
    }
}

/* The peer certificate is there only once whole: fed a byte at a time, xmpp_tls_peer_cert()
   says XMPP_AGAIN until it gives exactly the DER the server sent. */
static void test_peer_cert_when_whole(void)
{
    xmpp_tls_bearssl_config c = verify_cfg();
    static unsigned char der[4096];
    xmpp_tls *t = &cl.b.tls;
    size_t nder, rounds = 0;
    int seen = 0;
    NEED_CERTS();
    nder = slurp("a.test.der", der, sizeof der);
    reset_counts();
    CHECK(server_start("a.test.chain", "a.test.key", 0, NULL));
    client_init(&c, sizeof cl.buf, 1);
    CHECK(xmpp_tls_start(t, "a.test", NULL) == XMPP_OK);
    while (xmpp_tls_state(t) == XMPP_TLS_HANDSHAKING && rounds++ < 100000) {
        unsigned char *q;
        const unsigned char *p;
        size_t k, used, n;
        xmpp_err r;
        to_server();
        if ((q = br_ssl_engine_sendrec_buf(&srv.sc.eng, &k)) == NULL) break;
        xmpp_tls_feed(t, q, 1, &used);
        br_ssl_engine_sendrec_ack(&srv.sc.eng, used);
        r = xmpp_tls_peer_cert(t, &p, &n);
        if (r == XMPP_OK) {
            if (!seen) CHECK(n == nder && memcmp(p, der, n) == 0);
            seen = 1;
        } else {
            CHECK(r == XMPP_AGAIN && !seen && p == NULL && n == 0);
        }
    }
    pump(0);
    CHECK(xmpp_tls_state(t) == XMPP_TLS_OPEN && seen);
}

/* xmpp_tls_start() again on the same object starts over (its contract): the error of the
   first attempt does not stay. */
static void test_start_again(void)
{
    xmpp_tls_bearssl_config c = verify_cfg();
    xmpp_tls *t = &cl.b.tls;
    const xmpp_errinfo *e;
    NEED_CERTS();
    reset_counts();
    CHECK(server_start("a.test.chain", "a.test.key", 0, NULL));
    client_init(&c, sizeof cl.buf, 1);
    e = xmpp_tls_error(t);
    CHECK(e->code == XMPP_OK && e->message && strcmp(e->message, "no error") == 0 && e->offset == 0);
    CHECK(xmpp_tls_start(t, "", NULL) == XMPP_ERR_INVALID);
    CHECK(xmpp_tls_state(t) == XMPP_TLS_FAILED);
    CHECK(xmpp_tls_start(t, "a.test", NULL) == XMPP_OK);
    e = xmpp_tls_error(t);
    CHECK(xmpp_tls_state(t) == XMPP_TLS_HANDSHAKING);
    CHECK(e->code == XMPP_OK && strcmp(e->message, "no error") == 0 && e->offset == 0);
    pump(0);
    CHECK(xmpp_tls_state(t) == XMPP_TLS_OPEN && xmpp_tls_error(t)->code == XMPP_OK);
    /* after a failed handshake too */
    CHECK(handshake(&c, "b.test", "a.test.chain", "a.test.key", sizeof cl.buf, 1, 0) == XMPP_TLS_FAILED);
    CHECK(server_start("a.test.chain", "a.test.key", 0, NULL));
    CHECK(xmpp_tls_start(t, "a.test", NULL) == XMPP_OK);
    pump(0);
    CHECK(xmpp_tls_state(t) == XMPP_TLS_OPEN && xmpp_tls_error(t)->code == XMPP_OK);
    CHECK(strcmp(xmpp_tls_error(t)->message, "no error") == 0);
}

/* Mutual TLS with an RSA client key (PKCS#1): the server verifies our certificate. */
static void test_mutual_tls_rsa(void)
{
    static ident me;
    xmpp_tls_bearssl_config c = verify_cfg();
    static unsigned char data[300];
    unsigned usages = 0;
    const br_x509_pkey *pk;
    NEED_CERTS();
    CHECK(mutual_start(&c, &me, "rsa.crt", "rsa.pkcs1"));
    CHECK(me.key.type == BR_KEYTYPE_RSA);
    CHECK(xmpp_tls_start(&cl.b.tls, "a.test", NULL) == XMPP_OK);
    pump(0);
    CHECK(xmpp_tls_state(&cl.b.tls) == XMPP_TLS_OPEN);
    CHECK(br_ssl_engine_last_error(&srv.sc.eng) == BR_ERR_OK);
    pk = srv.xc.vtable->get_pkey(&srv.xc.vtable, &usages);
    CHECK(pk && pk->key_type == BR_KEYTYPE_RSA);
    fill(data, sizeof data, 8);
    CHECK(client_send(data, sizeof data, 0) == sizeof data && ns_got == sizeof data);
}

/* Storage of exactly the size reported as needed holds the same bytes as a large one. */
static void test_pem_exact_storage(void)
{
    static unsigned char pem[8192], big[2048], exact[2048], cbig[4096], cexact[4096];
    br_x509_trust_anchor ta[2], tb[2];
    br_x509_certificate ca[2], cb[2];
    size_t n, count, used, need, i;
    const char *why;
    NEED_CERTS();
    n = slurp("a.test.chain", pem, sizeof pem);
    CHECK(xmpp_tls_bearssl_anchors((const char *)pem, n, ta, 2, &count, big, sizeof big, &need, &why) == XMPP_OK);
    CHECK(count == 2);
    memset(exact, 0xA5, sizeof exact);
    CHECK(xmpp_tls_bearssl_anchors((const char *)pem, n, tb, 2, &count, exact, need, &used, &why) == XMPP_OK);
    CHECK(count == 2 && used == need);
    CHECK(need < sizeof exact && exact[need] == 0xA5);   /* nothing written past it */
    for (i = 0; i < 2; i++) {
        CHECK(tb[i].dn.len == ta[i].dn.len && memcmp(tb[i].dn.data, ta[i].dn.data, ta[i].dn.len) == 0);
        CHECK(tb[i].pkey.key.ec.qlen == ta[i].pkey.key.ec.qlen &&
              memcmp(tb[i].pkey.key.ec.q, ta[i].pkey.key.ec.q, ta[i].pkey.key.ec.qlen) == 0);
    }
    CHECK(xmpp_tls_bearssl_certs((const char *)pem, n, ca, 2, &count, cbig, sizeof cbig, &need, &why) == XMPP_OK);
    memset(cexact, 0xA5, sizeof cexact);
    CHECK(xmpp_tls_bearssl_certs((const char *)pem, n, cb, 2, &count, cexact, need, &used, &why) == XMPP_OK);
    CHECK(need < sizeof cexact && cexact[need] == 0xA5);
    CHECK(count == 2 && used == need);
    for (i = 0; i < 2; i++)
        CHECK(cb[i].data_len == ca[i].data_len && memcmp(cb[i].data, ca[i].data, ca[i].data_len) == 0);
}


/* The size query: no storage (NULL) gives XMPP_ERR_NOSPACE and the bytes needed, writing
   nothing. A toy RSA key in PKCS#1 DER (p 11, q 13, e 7, d 103: every part one byte). */
static void test_key_size_query(void)
{
    static const unsigned char der[] = {
        0x30, 0x1C, 0x02, 0x01, 0x00, 0x02, 0x02, 0x00, 0x8F, 0x02, 0x01, 0x07, 0x02, 0x01, 0x67,
        0x02, 0x01, 0x0B, 0x02, 0x01, 0x0D, 0x02, 0x01, 0x03, 0x02, 0x01, 0x07, 0x02, 0x01, 0x06
    };
    xmpp_tls_bearssl_key key;
    unsigned char store[5];
    size_t used = 0;
    const char *why;
    CHECK(xmpp_tls_bearssl_key_decode(&key, (const char *)der, sizeof der, NULL, 0, &used, &why) == XMPP_ERR_NOSPACE);
    CHECK(used == 5 && key.type == 0 && strcmp(why, "key storage too small") == 0);
    CHECK(xmpp_tls_bearssl_key_decode(&key, (const char *)der, sizeof der, NULL, 100, &used, &why) == XMPP_ERR_NOSPACE);
    CHECK(used == 5 && key.type == 0);
    CHECK(xmpp_tls_bearssl_key_decode(&key, (const char *)der, sizeof der, store, sizeof store, &used, &why) == XMPP_OK);
    CHECK(used == 5 && key.type == BR_KEYTYPE_RSA && key.k.rsa.n_bitlen == 8);
    CHECK(key.k.rsa.plen == 1 && key.k.rsa.p[0] == 11 && key.k.rsa.q[0] == 13 && key.k.rsa.dp[0] == 3 &&
          key.k.rsa.dq[0] == 7 && key.k.rsa.iq[0] == 6);
}


/* Key decoding errors: broken base64 is "malformed PEM"; storage too small for an EC key
   leaves the key empty (type 0), as for RSA. */
static void test_key_errors(void)
{
    static unsigned char pem[8192];
    const char *bad = "-----BEGIN PRIVATE KEY-----\nMIIB!!!!\n-----END PRIVATE KEY-----\n";
    unsigned char store[64];
    xmpp_tls_bearssl_key key;
    size_t n, used;
    const char *why;
    CHECK(xmpp_tls_bearssl_key_decode(&key, bad, strlen(bad), store, sizeof store, &used, &why) == XMPP_ERR_INVALID);
    CHECK(strcmp(why, "malformed PEM") == 0 && key.type == 0);
    bad = "-----BEGIN PRIVATE KEY-----\nMAMCAQE=\n-----END PRIVATE KEY-----\n";   /* not a key */
    CHECK(xmpp_tls_bearssl_key_decode(&key, bad, strlen(bad), store, sizeof store, &used, &why) == XMPP_ERR_INVALID);
    CHECK(strcmp(why, "malformed or unsupported private key (encrypted keys are not supported)") == 0);
    NEED_CERTS();
    n = slurp("client.key", pem, sizeof pem);
    CHECK(xmpp_tls_bearssl_key_decode(&key, (const char *)pem, n, store, 31, &used, &why) == XMPP_ERR_NOSPACE);
    CHECK(used == 32 && key.type == 0 && strcmp(why, "key storage too small") == 0);
}

static void test_rng(void);

int main(int argc, char **argv)
{
    certs_make(argc > 1 ? argv[1] : NULL, argv[0]);
    RUN(test_pem_anchors);
    RUN(test_pem_errors);
    RUN(test_pem_keys);
    RUN(test_init_errors);
    RUN(test_before_open);
    RUN(test_handshake_and_data);
    RUN(test_rsa_server);
    RUN(test_end_point_sha384);
    RUN(test_small_buffers);
    RUN(test_unknown_ca);
    RUN(test_wrong_name);
    RUN(test_expired);
    RUN(test_insecure);
    RUN(test_closed_mid_handshake);
    RUN(test_bad_record);
    RUN(test_truncation);
    RUN(test_mutual_tls);
    RUN(test_alpn);
    RUN(test_rng);
    RUN(test_end_point_algorithms);
    RUN(test_peer_alerts);
    RUN(test_peer_cert_when_whole);
    RUN(test_start_again);
    RUN(test_mutual_tls_rsa);
    RUN(test_pem_exact_storage);
    RUN(test_key_size_query);
    RUN(test_key_errors);
    printf("sizeof(xmpp_tls_bearssl) = %zu, of which br_ssl_client_context %zu, X.509 %zu\n",
           sizeof(xmpp_tls_bearssl), sizeof(br_ssl_client_context), sizeof(cl.b.xv));
    certs_done(argc > 1 ? argv[1] : NULL);
    return check_done();
}

/* config.rng: its bytes are injected; the handshake still works (BearSSL mixes in the
   OS source too on Linux). */
static int rng_calls;
static void test_rng_fn(void *ctx, unsigned char *buf, size_t n)
{
    (void)ctx;
    rng_calls++;
    fill(buf, n, 7);
}
static void test_rng(void)
{
    xmpp_tls_bearssl_config c = verify_cfg();
    NEED_CERTS();
    c.rng = test_rng_fn;
    CHECK(handshake(&c, "a.test", "a.test.chain", "a.test.key", sizeof cl.buf, 1, 0) == XMPP_TLS_OPEN);
    CHECK(rng_calls == 1);
}
