/* strophe_names.c - xmpp.h and libstrophe in one program (DESIGN.md: no exported symbol
   may collide with libstrophe's): this unit uses xmpp.h, strophe_names2.c uses strophe.h,
   linked together with -lstrophe; both libraries' SHA-1 and base64 are called and agree.
   (The two headers are kept in separate units: strophe.h's XMPP_SE_* enumerators clash
   with the stanza layer's.) */
#define XMPP_IMPLEMENTATION
#include "../xmpp.h"
#include "check.h"
#include <string.h>

int strophe_side(const char *in, size_t n, char *b64, size_t cap, unsigned char *sha1);   /* strophe_names2.c */

static void test_both_in_one_program(void)
{
    unsigned char d[20], e[20];
    char b[8], s[8];
    size_t n;
    CHECK(strophe_side("abc", 3, s, sizeof s, e) == 0);
    CHECK(xmpp_b64_encode("abc", 3, b, sizeof b, &n) == XMPP_OK && n == 4 && memcmp(b, s, 4) == 0);
    xmpp_hash_once(XMPP_SHA1, "abc", 3, d);
    CHECK(memcmp(d, e, 20) == 0);
}

int main(void)
{
    RUN(test_both_in_one_program);
    return check_done();
}
