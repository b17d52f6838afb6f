/* stack_sasl.c - the RAM of one SCRAM login on the target: paint the stack below this
   frame, run the client side of the RFC 7677 SCRAM-SHA-256 exchange (and of the RFC 5802
   SCRAM-SHA-1 one: real iteration counts, 4096) and read back how deep the calls went.
   Printed by `make size` (run under qemu, tests/firmware/run.sh); part of make test. */
#define XMPP_IMPLEMENTATION
#include "../../xmpp.h"
#include <stdio.h>
#include <string.h>

#define WATCH 3072

static unsigned char out[128];   /* the largest response here: 108 bytes */

static const char *const msgs[2][4] = {
    { "rOprNGfwEbeRWgbNEkqO",
      "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
      "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=" },
    { "fyko+d2lbbFgONRv9qkxdawL",
      "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
      "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
      "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=" }
};

static __attribute__((noinline)) int login(int sha1)
{
    static xmpp_sasl s;
    xmpp_sasl_config c;
    const char *const *m = msgs[sha1];
    size_t n;
    memset(&c, 0, sizeof c);
    c.mech = sha1 ? XMPP_SASL_SCRAM_SHA_1 : XMPP_SASL_SCRAM_SHA_256;
    c.authcid.p = "user"; c.authcid.n = 4;
    c.password.p = "pencil"; c.password.n = 6;
    c.nonce.p = m[0]; c.nonce.n = strlen(m[0]);
    if (xmpp_sasl_start(&s, &c, out, sizeof out, &n)) return 0;
    if (xmpp_sasl_step(&s, m[1], strlen(m[1]), out, sizeof out, &n)) return 0;
    if (n != strlen(m[2]) || memcmp(out, m[2], n)) return 0;
    return xmpp_sasl_success(&s, m[3], strlen(m[3])) == XMPP_OK;
}

static __attribute__((noinline)) size_t measure(int sha1, int *ok)
{
    volatile unsigned char *sp = (volatile unsigned char *)__builtin_frame_address(0), *p;
    for (p = sp - WATCH; p < sp - 64; p++) *p = 0x5A;
    *ok = login(sha1);
    for (p = sp - WATCH; p < sp && *p == 0x5A; p++) {}
    return (size_t)(sp - p);
}

int main(void)
{
    int ok256, ok1;
    size_t s256 = measure(0, &ok256), s1 = measure(1, &ok1);
    printf("SCRAM client peak stack: %lu bytes for SCRAM-SHA-256, %lu for SCRAM-SHA-1 (RFC 7677/5802 logins, i=4096)\n",
           (unsigned long)s256, (unsigned long)s1);
    printf("xmpp_sasl state: %lu bytes; response buffer: %lu bytes; xmpp_sasl_cache: %lu bytes\n",
           (unsigned long)sizeof(xmpp_sasl), (unsigned long)sizeof out, (unsigned long)sizeof(xmpp_sasl_cache));
    if (!ok256 || !ok1) { printf("0 passed, 1 failed\n"); return 1; }
    printf("1 passed, 0 failed\n");
    return 0;
}
