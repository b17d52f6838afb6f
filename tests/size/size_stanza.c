/* size_stanza.c - the stanza layer (>>stanza: collector, navigation, builder, common
   stanzas) alone, as firmware links it: freestanding, everything else dropped by
   --gc-sections. `make size` builds and measures it (size_layer.sh). The tokenizer
   helpers it shares (UTF-8 and name checks) are counted with the tokenizer. */
#include "probe.h"

/* nm -S reports these objects' sizes */
char xmpp_sizeof_tree[sizeof(xmpp_tree)];
char xmpp_sizeof_builder[sizeof(xmpp_builder)];

unsigned char arena[2048];
char out[512];
xmpp_xml_token token;   /* filled by the tokenizer in real use */
volatile int sink;
static void rng(void *ctx, unsigned char *buf, size_t n) { (void)ctx; memset(buf, 7, n); }

void entry(void);
void entry(void)
{
    xmpp_tree s;
    xmpp_builder b;
    const xmpp_node *r, *c;
    xmpp_str ns, name, value;
    size_t len;
    char text[64];
    xmpp_tree_init(&s, arena, sink ? sizeof arena : xmpp_tree_arena_size(NULL));
    sink = (int)xmpp_tree_push(&s, &token);
    r = xmpp_tree_root(&s);
    sink = xmpp_node_is(r, "jabber:client", "message") + xmpp_node_is_text(r);
    sink += (int)xmpp_node_attr(r, NULL, "from").n + (int)xmpp_node_name(r).n + (int)xmpp_node_ns(r).n;
    sink += xmpp_node_attr_at(r, xmpp_node_attr_count(r) - 1, &ns, &name, &value);
    for (c = xmpp_node_first(r); c; c = xmpp_node_next(c)) sink++;
    c = xmpp_node_child(r, NULL, "body");
    sink += (int)xmpp_node_text(c).n + (int)xmpp_node_text_copy(c, text, sizeof text);
    sink += (int)xmpp_str_copy(xmpp_node_text(xmpp_node_next_sibling(c, NULL, "x")), text, sizeof text);
    xmpp_tree_reset(&s);
    xmpp_build_init(&b, out, sizeof out, XMPP_XMLNS_CLIENT);
    xmpp_build_message(&b, "a@b", "chat", xmpp_make_id(text, sizeof text, rng, NULL), "hi");
    xmpp_build_presence(&b, NULL, NULL, "away", "x", 5);
    xmpp_build_iq(&b, "get", "1", NULL);
    xmpp_build_start(&b, "urn:x", "q");
    xmpp_build_attr(&b, "urn:y", "k", "v");
    xmpp_build_raw(&b, xmpp_str_z("<x/>"));
    xmpp_build_end(&b);
    xmpp_build_end(&b);
    xmpp_build_error_reply(&b, r, XMPP_SERR_ITEM_NOT_FOUND, "t");
    xmpp_build_node(&b, r);
    sink += xmpp_serr_find(xmpp_str_z("gone"));
    sink += (int)xmpp_build_finish(&b, &len) + (xmpp_build_errmsg(&b) != NULL);
    xmpp_sizeof_tree[0] = xmpp_sizeof_builder[0] = (char)len;
}
