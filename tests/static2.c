/* static2.c - a second translation unit with its own static copy of xmpp.h (test_build.c) */
#define XMPP_STATIC
#define XMPP_IMPLEMENTATION
#include "../xmpp.h"
#include <string.h>

int static2_count_tokens(const char *doc);

int static2_count_tokens(const char *doc)
{
    static unsigned char buf[4096];
    xmpp_xml x;
    xmpp_xml_token t;
    size_t used, off = 0, n = strlen(doc);
    int k = 0;
    if (xmpp_xml_init(&x, buf, sizeof buf, NULL)) return -1;
    while (off < n && xmpp_xml_feed(&x, doc + off, n - off, &used) == XMPP_OK) {
        off += used;
        while (xmpp_xml_next(&x, &t) == XMPP_OK) k++;
    }
    return k;
}
