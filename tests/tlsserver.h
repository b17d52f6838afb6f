/* tlsserver.h - for the tests that need TLS in one process (test_tls.c, test_stream_tls.c):
   throwaway certificates made by tests/tls/mkcerts.sh in a temp dir, their files decoded,
   and a BearSSL server engine to talk to. Include after xmpp.h (with XMPP_BEARSSL) and
   check.h. */
#ifndef TLSSERVER_H
#define TLSSERVER_H
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char dir[512];
static int have_certs;

/* ---- files */

static size_t slurp(const char *name, unsigned char *buf, size_t cap)
{
    char path[1024];
    FILE *f;
    size_t n;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (!(f = fopen(path, "rb"))) { printf("cannot open %s\n", path); return 0; }
    n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = 0;
    return n;
}

/* ---- certificates, keys, anchors decoded once per file */

typedef struct {
    br_x509_certificate chain[4];
    size_t nchain;
    xmpp_tls_bearssl_key key;
    unsigned char store[8192], kstore[2048];
} ident;

static int load_ident(ident *id, const char *crt, const char *key)
{
    static unsigned char pem[16384];
    size_t n, used;
    const char *why;
    n = slurp(crt, pem, sizeof pem);
    if (xmpp_tls_bearssl_certs((const char *)pem, n, id->chain, 4, &id->nchain, id->store,
                               sizeof id->store, &used, &why) != XMPP_OK) {
        printf("%s: %s\n", crt, why);
        return 0;
    }
    n = slurp(key, pem, sizeof pem);
    if (xmpp_tls_bearssl_key_decode(&id->key, (const char *)pem, n, id->kstore, sizeof id->kstore,
                                    &used, &why) != XMPP_OK) {
        printf("%s: %s\n", key, why);
        return 0;
    }
    return 1;
}

static br_x509_trust_anchor ca_anchor[2];
static unsigned char ca_store[2048];
static size_t nca;

/* ---- the in-process BearSSL server */

typedef struct {
    br_ssl_server_context sc;
    br_x509_minimal_context xc;     /* for client certificates */
    unsigned char buf[BR_SSL_BUFSIZE_BIDI];
    const char *alpn[1];
} server;

static server srv;

/* A server with the certificate crt (its key: key). client_auth: require a client
   certificate from ca. alpn: offer that protocol (NULL: none). */
static int server_start(const char *crt, const char *key, int client_auth, const char *alpn)
{
    static ident sid;
    if (!load_ident(&sid, crt, key)) return 0;
    if (sid.key.type == BR_KEYTYPE_EC)
        br_ssl_server_init_full_ec(&srv.sc, sid.chain, sid.nchain, BR_KEYTYPE_EC, &sid.key.k.ec);
    else
        br_ssl_server_init_full_rsa(&srv.sc, sid.chain, sid.nchain, &sid.key.k.rsa);
    br_ssl_engine_set_buffer(&srv.sc.eng, srv.buf, sizeof srv.buf, 1);
    if (client_auth) {
        /* verifying the client's CertificateVerify needs these (init_full_* leaves them out) */
        br_ssl_engine_set_default_ecdsa(&srv.sc.eng);
        br_ssl_engine_set_default_rsavrfy(&srv.sc.eng);
        br_x509_minimal_init_full(&srv.xc, ca_anchor, nca);
        br_ssl_server_set_trust_anchor_names_alt(&srv.sc, ca_anchor, nca);
        br_ssl_engine_set_x509(&srv.sc.eng, &srv.xc.vtable);
    }
    if (alpn) {
        srv.alpn[0] = alpn;
        br_ssl_engine_set_protocol_names(&srv.sc.eng, srv.alpn, 1);
    }
    return br_ssl_server_reset(&srv.sc);
}

#define NEED_CERTS() do { if (!have_certs) SKIP("no certificates (openssl missing?)"); } while (0)

/* Make the certificates in arg (kept) or a fresh temp dir (removed by certs_done), and
   decode ca.crt into ca_anchor. argv0: to find the script from another directory. */
static void certs_make(const char *arg, const char *argv0)
{
    char cmd[2400];
    static unsigned char pem[8192];
    size_t n, used;
    const char *why;
    if (arg) snprintf(dir, sizeof dir, "%s", arg);
    else {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/xmpp-tls.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir)) { perror("mkdtemp"); return; }
    }
    /* from the repository root, or beside a binary in it, or in build/ under it */
    snprintf(cmd, sizeof cmd, "tests/tls/mkcerts.sh '%s' >/dev/null 2>&1 || "
             "\"$(dirname '%s')\"/tests/tls/mkcerts.sh '%s' >/dev/null 2>&1 || "
             "\"$(dirname '%s')\"/../tests/tls/mkcerts.sh '%s' >/dev/null 2>&1", dir, argv0, dir, argv0, dir);
    have_certs = system(cmd) == 0;
    if (!have_certs) printf("tests/tls/mkcerts.sh failed (run from the repository root; openssl installed?)\n");
    else {
        n = slurp("ca.crt", pem, sizeof pem);
        if (xmpp_tls_bearssl_anchors((const char *)pem, n, ca_anchor, 2, &nca, ca_store, sizeof ca_store, &used, &why)) {
            /* openssl made it, our PEM decoder refused it: a failure, not a reason to skip */
            printf("ca.crt: %s\nFAIL certs_make\n", why);
#ifdef CHECK_H
            check_failed++;
#endif
            have_certs = 0;
        }
    }
}

static void certs_done(const char *arg)
{
    char cmd[600];
    if (arg || !dir[0]) return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) printf("could not remove %s\n", dir);
}
#endif
