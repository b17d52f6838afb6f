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

// The TLS hook is plain C types; with XMPP_BEARSSL the backend's types too.
int cxx_uses_the_tls_hook(xmpp_tls *t);
int cxx_uses_the_tls_hook(xmpp_tls *t)
{
    size_t n = 0;
    if (xmpp_tls_start(t, "example.com", "xmpp-client") != XMPP_OK) return -1;
    const unsigned char *p = xmpp_tls_output(t, &n);
    if (p) xmpp_tls_output_ack(t, n);
    return xmpp_tls_state(t) == XMPP_TLS_HANDSHAKING ? 1 : 0;
}
#ifdef XMPP_BEARSSL
int cxx_uses_bearssl(xmpp_tls_bearssl *b, unsigned char *buf);
int cxx_uses_bearssl(xmpp_tls_bearssl *b, unsigned char *buf)
{
    xmpp_tls_bearssl_config c = xmpp_tls_bearssl_config();
    c.flags = XMPP_TLS_INSECURE_NO_VERIFY;
    return xmpp_tls_bearssl_init(b, &c, buf, XMPP_TLS_BUF_SIZE(9, 1), 1) == XMPP_OK ? 1 : 0;
}
#endif
