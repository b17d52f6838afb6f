/* size_xml.c - the tokenizer alone, as firmware links it: freestanding, everything the
   library does not use dropped by --gc-sections. `make size` builds and measures it. */
#include "probe.h"

/* nm -S reports these objects' sizes: the state struct and one token */
char xmpp_sizeof_xml[sizeof(xmpp_xml)];
char xmpp_sizeof_token[sizeof(xmpp_xml_token)];

void entry(void);
void entry(void)
{
    static unsigned char buf[1024];
    static xmpp_xml x;
    xmpp_xml_token t;
    size_t used;
    xmpp_xml_init(&x, buf, sizeof buf, 0);
    xmpp_xml_feed(&x, "<a/>", 4, &used);
    while (xmpp_xml_next(&x, &t) == XMPP_OK) xmpp_sizeof_token[0]++;
    xmpp_sizeof_xml[0] = (char)xmpp_xml_error(&x)->code;
    xmpp_xml_reset(&x);
}
