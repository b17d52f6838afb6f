/* size_tls.c - the TLS hook alone (no backend), freestanding, for `make size`
   (tests/size/size_tls.sh). With -DXMPP_BEARSSL (compiled, not linked: no BearSSL for ARM
   here) it only reports the backend's state size for the target. */
#ifdef XMPP_BEARSSL
#define XMPP_IMPLEMENTATION
#include "../../xmpp.h"
char xmpp_sizeof_tls_bearssl[sizeof(xmpp_tls_bearssl)];
char xmpp_sizeof_br_client[sizeof(br_ssl_client_context)];
char xmpp_sizeof_br_x509[sizeof(br_x509_minimal_context)];
#else
#include "probe.h"

void entry(xmpp_tls *t);
void entry(xmpp_tls *t)
{
    unsigned char b[64];
    const unsigned char *p;
    size_t n;
    xmpp_tls_start(t, "a.test", 0);
    xmpp_tls_feed(t, b, sizeof b, &n);
    xmpp_tls_eof(t);
    if ((p = xmpp_tls_output(t, &n)) != 0) xmpp_tls_output_ack(t, n);
    xmpp_tls_write(t, b, sizeof b, &n);
    if ((p = xmpp_tls_read(t, &n)) != 0) xmpp_tls_read_ack(t, n);
    xmpp_tls_close(t);
    (void)xmpp_tls_state(t);
    (void)xmpp_tls_error(t);
    xmpp_tls_peer_cert(t, &p, &n);
    xmpp_tls_channel_binding(t, XMPP_TLS_CB_SERVER_END_POINT, b, sizeof b, &n);
}
#endif
