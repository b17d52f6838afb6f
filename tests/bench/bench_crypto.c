/* bench_crypto.c - SHA-1, SHA-256 and PBKDF2 throughput: ours (>>sasl, built in) against
   BearSSL's portable C code (libbearssl) and OpenSSL's libcrypto (assembly where the CPU
   has it), in one process, on the same data. `make bench` runs it.
   Each figure is the best of 15 runs, the three taking turns. The three must produce the same digests and keys.
   Columns: MB/s (hashes) or iterations per second (PBKDF2, one HMAC per iteration), then
   ours / BearSSL and ours / OpenSSL (above 1: ours is faster). */
#define XMPP_IMPLEMENTATION
#include "../../xmpp.h"
#include <bearssl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

#define CHUNK 16384
#define TOTAL (16u << 20)   /* bytes hashed per run */
static unsigned char data[CHUNK];

/* ---- the three implementations behind one shape */

static void ours_hash(int sha256, size_t chunk, unsigned char *out)
{
    xmpp_hash h;
    size_t done;
    xmpp_hash_init(&h, sha256 ? XMPP_SHA256 : XMPP_SHA1);
    for (done = 0; done < TOTAL; done += chunk) xmpp_hash_update(&h, data, chunk);
    xmpp_hash_final(&h, out);
}

static void br_hash(int sha256, size_t chunk, unsigned char *out)
{
    size_t done;
    if (sha256) {
        br_sha256_context c;
        br_sha256_init(&c);
        for (done = 0; done < TOTAL; done += chunk) br_sha256_update(&c, data, chunk);
        br_sha256_out(&c, out);
    } else {
        br_sha1_context c;
        br_sha1_init(&c);
        for (done = 0; done < TOTAL; done += chunk) br_sha1_update(&c, data, chunk);
        br_sha1_out(&c, out);
    }
}

static void ossl_hash(int sha256, size_t chunk, unsigned char *out)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    size_t done;
    EVP_DigestInit_ex(c, sha256 ? EVP_sha256() : EVP_sha1(), NULL);
    for (done = 0; done < TOTAL; done += chunk) EVP_DigestUpdate(c, data, chunk);
    EVP_DigestFinal_ex(c, out, NULL);
    EVP_MD_CTX_free(c);
}

static void ours_pbkdf2(int sha256, unsigned it, unsigned char *out)
{
    xmpp_pbkdf2(sha256 ? XMPP_SHA256 : XMPP_SHA1, "pencil", 6, "QSXCR+Q6sek8bf92", 16, it, out,
                sha256 ? 32 : 20);
}

/* BearSSL has no PBKDF2: the loop a BearSSL user writes, with the key schedule done once */
static void br_pbkdf2(int sha256, unsigned it, unsigned char *out)
{
    br_hmac_key_context kc;
    br_hmac_context c;
    unsigned char u[32];
    size_t hl = sha256 ? 32 : 20, k;
    unsigned i;
    br_hmac_key_init(&kc, sha256 ? &br_sha256_vtable : &br_sha1_vtable, "pencil", 6);
    br_hmac_init(&c, &kc, 0);
    br_hmac_update(&c, "QSXCR+Q6sek8bf92", 16);
    br_hmac_update(&c, "\0\0\0\1", 4);
    br_hmac_out(&c, u);
    memcpy(out, u, hl);
    for (i = 1; i < it; i++) {
        br_hmac_init(&c, &kc, 0);
        br_hmac_update(&c, u, hl);
        br_hmac_out(&c, u);
        for (k = 0; k < hl; k++) out[k] ^= u[k];
    }
}

static void ossl_pbkdf2(int sha256, unsigned it, unsigned char *out)
{
    PKCS5_PBKDF2_HMAC("pencil", 6, (const unsigned char *)"QSXCR+Q6sek8bf92", 16, (int)it,
                      sha256 ? EVP_sha256() : EVP_sha1(), sha256 ? 32 : 20, out);
}

typedef void (*hash_fn)(int, size_t, unsigned char *);
typedef void (*kdf_fn)(int, unsigned, unsigned char *);

#define ROUNDS 15

/* The three in turn, ROUNDS times (so that a busy moment on the machine hits all three
   alike); each one's best time. out: 3 digests of 32 bytes. */
static void race_hash(hash_fn f[3], int sha256, size_t chunk, unsigned char *out, double *best)
{
    double t;
    int r, k;
    for (k = 0; k < 3; k++) best[k] = 1e9;
    for (r = 0; r < ROUNDS; r++)
        for (k = 0; k < 3; k++) {
            t = now();
            f[k](sha256, chunk, out + 32 * k);
            t = now() - t;
            if (t < best[k]) best[k] = t;
        }
    for (k = 0; k < 3; k++) best[k] = (double)TOTAL / best[k] / 1e6;   /* MB/s */
}

static void race_kdf(kdf_fn f[3], int sha256, unsigned it, unsigned char *out, double *best)
{
    double t;
    int r, k;
    for (k = 0; k < 3; k++) best[k] = 1e9;
    for (r = 0; r < ROUNDS; r++)
        for (k = 0; k < 3; k++) {
            t = now();
            f[k](sha256, it, out + 32 * k);
            t = now() - t;
            if (t < best[k]) best[k] = t;
        }
    for (k = 0; k < 3; k++) best[k] = (double)it / best[k];   /* iterations/s */
}

int main(void)
{
    static const size_t chunks[] = { 64, CHUNK };
    hash_fn hf[3] = { ours_hash, br_hash, ossl_hash };
    kdf_fn kf[3] = { ours_pbkdf2, br_pbkdf2, ossl_pbkdf2 };
    unsigned char out[96];
    double r[3];
    size_t i, hl;
    int sha256, bad = 0;
    for (i = 0; i < CHUNK; i++) data[i] = (unsigned char)(i * 131 + 7);
    printf("%-28s %14s %14s %14s %9s %9s\n", "", "ours", "BearSSL", "OpenSSL", "/BearSSL", "/OpenSSL");
    for (sha256 = 0; sha256 < 2; sha256++) {
        hl = sha256 ? 32 : 20;
        for (i = 0; i < 2; i++) {
            char name[40];
            race_hash(hf, sha256, chunks[i], out, r);
            snprintf(name, sizeof name, "%s, %lu-byte updates", sha256 ? "SHA-256" : "SHA-1", (unsigned long)chunks[i]);
            printf("%-28s %9.1f MB/s %9.1f MB/s %9.1f MB/s %8.2fx %8.2fx\n", name, r[0], r[1], r[2], r[0] / r[1], r[0] / r[2]);
            if (memcmp(out, out + 32, hl) || memcmp(out, out + 64, hl)) bad = 1;
        }
    }
    for (sha256 = 0; sha256 < 2; sha256++) {
        hl = sha256 ? 32 : 20;
        race_kdf(kf, sha256, 40000, out, r);
        printf("%-28s %9.0f it/s %9.0f it/s %9.0f it/s %8.2fx %8.2fx\n",
               sha256 ? "PBKDF2-HMAC-SHA-256" : "PBKDF2-HMAC-SHA-1", r[0], r[1], r[2], r[0] / r[1], r[0] / r[2]);
        if (memcmp(out, out + 32, hl) || memcmp(out, out + 64, hl)) bad = 1;
    }
    if (bad) printf("MISMATCH: the implementations disagree\n");
    return bad;
}
