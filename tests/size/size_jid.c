/* size_jid.c - the JID code (>>jid) alone, as firmware links it: freestanding, everything
   else dropped by --gc-sections. `make size` builds and measures it (size_layer.sh). */
#include "probe.h"

/* nm -S reports this object's size */
char xmpp_sizeof_jid[sizeof(xmpp_jid)];

/* every JID function, on inputs the compiler cannot see */
const char *volatile jid_in = "juliet@example.com/balcony";
volatile size_t jid_len = 26;
char jid_out[64];
volatile int jid_sink;

void entry(void);
void entry(void)
{
    xmpp_jid a, b, c;
    xmpp_errinfo e;
    size_t need;
    jid_sink = (int)xmpp_jid_parse(&a, jid_in, jid_len, &e);
    jid_sink = (int)xmpp_jid_make(&b, a.local, a.domain, a.resource, &e);
    c = xmpp_jid_to_bare(&a);
    jid_sink = xmpp_jid_equal(&a, &b) + xmpp_jid_bare_equal(&a, &c) + xmpp_jid_is_bare(&c);
    jid_sink = (int)xmpp_jid_format(&a, jid_out, sizeof jid_out, &need);
    xmpp_sizeof_jid[0] = (char)need;
}
