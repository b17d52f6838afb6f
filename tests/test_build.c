/* test_build.c - the header builds the ways users build it: XMPP_STATIC in two
   translation units of one program (this file and static2.c), the public part as C++
   (cxx_public.cpp, compiled by the Makefile), XMPP_FREESTANDING (checked by `make size`). */
#define XMPP_STATIC
#define XMPP_IMPLEMENTATION
#include "../xmpp.h"
#include "check.h"
#include <string.h>

int static2_count_tokens(const char *doc);   /* static2.c, its own private copy of xmpp.h */

static int count_tokens(const char *doc)
{
    static unsigned char buf[XMPP_XML_BUF_SIZE(4, 4, 256)];
    xmpp_xml_limits lim = { 4, 4, 0, 256, 0 };
    xmpp_xml x;
    xmpp_xml_token t;
    size_t used, off = 0, n = strlen(doc);
    int k = 0;
    if (xmpp_xml_init(&x, buf, sizeof buf, &lim)) return -1;
    while (off < n && xmpp_xml_feed(&x, doc + off, n - off, &used) == XMPP_OK) {
        off += used;
        while (xmpp_xml_next(&x, &t) == XMPP_OK) k++;
    }
    return k;
}

static void test_static_in_two_units(void)
{
    const char *doc = "<a><b x='1'>t</b></a>";
    CHECK(count_tokens(doc) == 5);
    CHECK(static2_count_tokens(doc) == 5);
}

static void test_buf_size_macro_is_constant(void)
{
    /* usable as an array size in a static declaration */
    static unsigned char b[XMPP_XML_BUF_SIZE(8, 8, 512)];
    xmpp_xml_limits l = { 8, 8, 0, 512, 0 };
    CHECK(sizeof b == xmpp_xml_buffer_size(&l));
}

int main(void)
{
    RUN(test_static_in_two_units);
    RUN(test_buf_size_macro_is_constant);
    return check_done();
}
