// cxx_public.cpp - the public part of xmpp.h compiles as C++ (no implementation here).
#include "../xmpp.h"

int cxx_uses_the_api(xmpp_xml *x, xmpp_xml_token *t);
int cxx_uses_the_api(xmpp_xml *x, xmpp_xml_token *t)
{
    size_t used = 0;
    if (xmpp_xml_feed(x, "<a/>", 4, &used) != XMPP_OK) return -1;
    return xmpp_xml_next(x, t) == XMPP_OK && t->kind == XMPP_XML_START ? 1 : 0;
}
