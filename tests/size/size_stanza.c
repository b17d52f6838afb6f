/* size_stanza.c - the stanza layer (>>stanza: collector, navigation, builder, common
   stanzas) alone, as firmware links it: freestanding, everything else dropped by
   --gc-sections. `make size` builds and measures it (size_layer.sh). The tokenizer
   helpers it shares (UTF-8 and name checks) are counted with the tokenizer. */
#define XMPP_FREESTANDING
#define XMPP_IMPLEMENTATION
#include "../../xmpp.h"

/* in case the compiler turns a struct copy into a call (counted in the text size) */
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *dp = (unsigned char *)d;
    const unsigned char *sp = (const unsigned char *)s;
    while (n--) *dp++ = *sp++;
    return d;
}
void *memset(void *d, int c, size_t n)
{
    unsigned char *dp = (unsigned char *)d;
    while (n--) *dp++ = (unsigned char)c;
    return d;
}

/* nm -S reports these objects' sizes */
char xmpp_sizeof_stanza[sizeof(xmpp_stanza)];
char xmpp_sizeof_builder[sizeof(xmpp_builder)];

unsigned char arena[2048];
char out[512];
xmpp_xml_token token;   /* filled by the tokenizer in real use */
volatile int sink;
static void rng(void *ctx, unsigned char *buf, size_t n) { (void)ctx; memset(buf, 7, n); }

void entry(void);
void entry(void)
{
    xmpp_stanza s;
    xmpp_builder b;
    const xmpp_node *r, *c;
    xmpp_str ns, name, value;
    size_t len;
    char text[64];
    xmpp_stanza_init(&s, arena, sink ? sizeof arena : xmpp_stanza_arena_size(NULL));
    sink = (int)xmpp_stanza_push(&s, &token);
    r = xmpp_stanza_root(&s);
    sink = xmpp_node_is(r, "jabber:client", "message") + xmpp_node_is_text(r);
    sink += (int)xmpp_node_attr(r, NULL, "from").n + (int)xmpp_node_name(r).n + (int)xmpp_node_ns(r).n;
    sink += xmpp_node_attr_at(r, xmpp_node_attr_count(r) - 1, &ns, &name, &value);
    for (c = xmpp_node_first(r); c; c = xmpp_node_next(c)) sink++;
    c = xmpp_node_child(r, NULL, "body");
    sink += (int)xmpp_node_text(c).n + (int)xmpp_node_text_copy(c, text, sizeof text);
    sink += (int)xmpp_str_copy(xmpp_node_text(xmpp_node_next_sibling(c, NULL, "x")), text, sizeof text);
    xmpp_stanza_reset(&s);
    xmpp_build_init(&b, out, sizeof out, XMPP_CLIENT_NS);
    xmpp_build_message(&b, "a@b", "chat", xmpp_make_id(text, sizeof text, rng, NULL), "hi");
    xmpp_build_presence(&b, NULL, NULL, "away", "x", 5);
    xmpp_build_iq(&b, "get", "1", NULL);
    xmpp_build_start(&b, "urn:x", "q");
    xmpp_build_attr(&b, "urn:y", "k", "v");
    xmpp_build_raw(&b, xmpp_str_z("<x/>"));
    xmpp_build_end(&b);
    xmpp_build_end(&b);
    xmpp_build_error_reply(&b, r, XMPP_SE_ITEM_NOT_FOUND, "t");
    xmpp_build_node(&b, r);
    sink += xmpp_stanza_error_find(xmpp_str_z("gone"));
    sink += (int)xmpp_build_finish(&b, &len) + (xmpp_build_errmsg(&b) != NULL);
    xmpp_sizeof_stanza[0] = xmpp_sizeof_builder[0] = (char)len;
}
