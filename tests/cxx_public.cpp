// cxx_public.cpp - the public part of xmpp.h compiles as C++ (no implementation here).
#include "../xmpp.h"

int cxx_uses_the_api(xmpp_xml *x, xmpp_xml_token *t);
int cxx_uses_the_api(xmpp_xml *x, xmpp_xml_token *t)
{
    size_t used = 0;
    if (xmpp_xml_feed(x, "<a/>", 4, &used) != XMPP_OK) return -1;
    return xmpp_xml_next(x, t) == XMPP_OK && t->kind == XMPP_XML_START ? 1 : 0;
}

int cxx_uses_the_jid_api(char *out, size_t size);
int cxx_uses_the_jid_api(char *out, size_t size)
{
    xmpp_jid j, k;
    xmpp_str l = { "juliet", 6 }, d = { "example.com", 11 }, r = { 0, 0 };
    size_t need = 0;
    if (xmpp_jid_parse(&j, "Juliet@Example.com/balcony", 26, 0) != XMPP_OK) return -1;
    if (xmpp_jid_make(&k, l, d, r, 0) != XMPP_OK || !xmpp_jid_is_bare(&k)) return -1;
    xmpp_jid b = xmpp_jid_to_bare(&j);
    if (!xmpp_jid_equal(&b, &k) || !xmpp_jid_bare_equal(&j, &k)) return -1;
    return xmpp_jid_format(&j, out, size, &need) == XMPP_OK ? (int)need : -1;
}
