/* fuzz_stanza.c - libFuzzer target for the stanza layer (>>stanza), under ASan+UBSan.

   Input: 4 header bytes, then an XML stream.
     data[0]     tokenizer limits: the defaults, or small ones from data[1]
     data[1]     small limits (depth, attrs, token)
     data[2..3]  the arena's size (0..65535 bytes, malloc'd to exactly that size)
   The stream is tokenized in chunks (sizes from the input), every token pushed into the
   collector. Each complete stanza is written back out with the builder, tokenized again
   inside a stream header and collected into a second arena; the two trees must be equal
   node by node. Checked as well: an arena of xmpp_tree_arena_size() bytes never gives
   XMPP_ERR_NOSPACE (but to a stanza of more than XMPP_TREE_NS_MAX namespaces, skipped
   by design), and the builder accepts every tree the collector makes (but an
   element in the xml namespace, which it refuses by design). */
#define XMPP_BUILD_DEPTH 70
#define XMPP_IMPLEMENTATION
#include "../../xmpp.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../treecmp.h"

#define HEADER "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"

static int in_xml_ns(const xmpp_node *n)
{
    const xmpp_node *c;
    if (!n || xmpp_node_is_text(n)) return 0;
    if (xmpp_str_eq(xmpp_node_ns(n), XMPP_XMLNS_XML)) return 1;
    for (c = xmpp_node_first(n); c; c = xmpp_node_next(c))
        if (in_xml_ns(c)) return 1;
    return 0;
}

/* Write root out, read it back, compare. */
static void round_trip(const xmpp_node *root)
{
    static char out[1 << 20], doc[(1 << 20) + 128];
    static unsigned char tbuf[1 << 20], arena[(1 << 22)];
    xmpp_builder b;
    xmpp_xml x;
    xmpp_xml_limits lim;
    xmpp_xml_token t;
    xmpp_tree s;
    size_t len, dl, off = 0, used;
    const xmpp_node *again = NULL;
    xmpp_err r;

    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    xmpp_build_node(&b, root);
    r = xmpp_build_finish(&b, &len);
    if (r == XMPP_ERR_INVALID && in_xml_ns(root)) return;
    if (r != XMPP_OK) {
        fprintf(stderr, "builder refused a collected tree: %s (%s)\n", xmpp_strerror(r), xmpp_build_errmsg(&b));
        abort();
    }
    memcpy(doc, HEADER, sizeof HEADER - 1);
    memcpy(doc + sizeof HEADER - 1, out, len);
    dl = sizeof HEADER - 1 + len;
    memset(&lim, 0, sizeof lim);
    lim.max_depth = 80;
    lim.max_attrs = 4096;
    lim.max_name = 65535;
    lim.max_token = 65535;
    lim.max_stanza = 1 << 20;
    if (xmpp_xml_init(&x, tbuf, sizeof tbuf, &lim)) abort();
    xmpp_tree_init(&s, arena, sizeof arena);
    while (off < dl && !again) {
        if (xmpp_xml_feed(&x, doc + off, dl - off, &used)) {
            fprintf(stderr, "the builder's output does not tokenize: %s at %llu: %s\n%.*s\n",
                    xmpp_err_condition(xmpp_xml_error(&x)->code),
                    (unsigned long long)xmpp_xml_error(&x)->offset, xmpp_xml_error(&x)->message,
                    (int)dl, doc);
            abort();
        }
        off += used;
        while (xmpp_xml_next(&x, &t) == XMPP_OK)
            if (xmpp_tree_push(&s, &t) == XMPP_OK) again = xmpp_tree_root(&s);
    }
    if (!again || !same_tree(root, again)) {
        fprintf(stderr, "round trip differs:\n%.*s\n", (int)dl, doc);
        abort();
    }
}

/* The distinct namespaces the current stanza uses, the well-known ones (which the tree
   stores in no bytes) not counted: past XMPP_TREE_NS_MAX the collector skips the stanza
   whatever the arena. Kept as hashes; counting stops one past the bound. */
static uint64_t ns_seen[XMPP_TREE_NS_MAX + 1];
static unsigned ns_count;

static void ns_note(xmpp_str u)
{
    static const char *const known[] = { "jabber:client", "jabber:server", XMPP_XMLNS_XML,
        "http://etherx.jabber.org/streams", XMPP_XMLNS_STANZAS };
    uint64_t h = 14695981039346656037u;
    size_t i;
    if (!u.n || ns_count > XMPP_TREE_NS_MAX) return;
    for (i = 0; i < sizeof known / sizeof known[0]; i++)
        if (xmpp_str_eq(u, known[i])) return;
    for (i = 0; i < u.n; i++) h = (h ^ (unsigned char)u.p[i]) * 1099511628211u;
    for (i = 0; i < ns_count; i++)
        if (ns_seen[i] == h) return;
    ns_seen[ns_count++] = h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xmpp_xml_limits lim, *limp = NULL;
    xmpp_xml x;
    xmpp_xml_token t;
    xmpp_tree s;
    unsigned char *tbuf, *arena;
    size_t len, off = 0, asize, tsize, bound;
    uint32_t seed;
    if (size < 4) return 0;
    memset(&lim, 0, sizeof lim);
    if (data[0] & 1) {
        lim.max_depth = 2u + data[1] % 8u;
        lim.max_attrs = 1u + data[1] / 8u % 8u;
        lim.max_token = 16u + data[1] * 4u;
        lim.max_stanza = 64u + data[0] * 8u;
        limp = &lim;
    }
    asize = (size_t)data[2] | (size_t)data[3] << 8;
    bound = xmpp_tree_arena_size(limp);
    if (data[0] & 2) asize = bound;   /* big enough for anything: no NOSPACE allowed */
    seed = data[0] ^ (uint32_t)data[2] << 8;
    data += 4;
    len = size - 4;
    tsize = xmpp_xml_buffer_size(limp);
    tbuf = (unsigned char *)malloc(tsize);
    arena = (unsigned char *)malloc(asize ? asize : 1);
    if (!tbuf || !arena || xmpp_xml_init(&x, tbuf, tsize, limp)) abort();
    xmpp_tree_init(&s, arena, asize);
    while (off < len) {
        size_t n, used;
        xmpp_err r;
        seed = seed * 1103515245u + 12345u;
        n = 1 + (seed >> 16) % 97;
        if (n > len - off) n = len - off;
        r = xmpp_xml_feed(&x, data + off, n, &used);
        off += used;
        while (xmpp_xml_next(&x, &t) == XMPP_OK) {
            xmpp_err c;
            if (t.kind == XMPP_XML_START) {
                size_t i;
                if (t.depth == 2) ns_count = 0;
                ns_note(t.ns);
                for (i = 0; i < t.nattrs; i++) ns_note(t.attrs[i].ns);
            }
            c = xmpp_tree_push(&s, &t);
            if (c == XMPP_OK) {
                if (xmpp_tree_used(&s) > asize) abort();
                round_trip(xmpp_tree_root(&s));
            } else if (c == XMPP_ERR_NOSPACE) {
                if (asize >= bound && ns_count <= XMPP_TREE_NS_MAX) {
                    fprintf(stderr, "NOSPACE with an arena of xmpp_tree_arena_size() = %zu bytes\n", bound);
                    abort();
                }
            } else if (c != XMPP_AGAIN) {
                fprintf(stderr, "push refused a token in order: %d\n", (int)c);
                abort();
            }
        }
        if (r) break;
    }
    free(tbuf);
    free(arena);
    return 0;
}
