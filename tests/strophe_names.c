/* strophe_names.c - xmpp.h and libstrophe in one program (DESIGN.md: no exported symbol
   may collide with libstrophe's): both headers in one translation unit, both libraries'
   hashing and base64 called, linked with -lstrophe. */
#include <strophe.h>
#define XMPP_IMPLEMENTATION
#include "../xmpp.h"
#include "check.h"
#include <string.h>

static void test_both_in_one_program(void)
{
    unsigned char d[20], e[20];
    char b[8];
    size_t n;
    xmpp_ctx_t *ctx = xmpp_ctx_new(NULL, NULL);
    char *s = xmpp_base64_encode(ctx, (const unsigned char *)"abc", 3);
    CHECK(xmpp_b64_encode("abc", 3, b, sizeof b, &n) == XMPP_OK && n == 4 && memcmp(b, s, 4) == 0);
    xmpp_free(ctx, s);
    xmpp_sha1_digest((const unsigned char *)"abc", 3, e);
    xmpp_hash_once(XMPP_SHA1, "abc", 3, d);
    CHECK(memcmp(d, e, 20) == 0);
    xmpp_ctx_free(ctx);
}

int main(void)
{
    RUN(test_both_in_one_program);
    return check_done();
}
