/* test_stanza.c - stanzas (>>stanza): the collector and its tree, navigation, the builder,
   the common stanzas and stanza errors, and round trips builder -> tokenizer -> tree ->
   builder, for fixed stanzas and random trees, at every chunking. */
#define XMPP_IMPLEMENTATION
#include "../xmpp.h"
#include "check.h"
#include "treecmp.h"
#include <stdlib.h>
#include <string.h>

#ifndef TEST_ARENA
#define TEST_ARENA 8192
#endif
#ifndef TEST_ROUNDS   /* random trees in the property test */
#define TEST_ROUNDS 300
#endif

#ifndef TEST_TBUF
#define TEST_TBUF 16384
#endif
static unsigned char tbuf[TEST_TBUF];
static unsigned char arena[TEST_ARENA];
static char out[TEST_ARENA];

#define HDR "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"

/* Each complete stanza, written back out by the builder, one per line into got; a
   stanza that did not fit as "NOSPACE"; an error as "error <condition>". */
static char got[16384];

static void put_line(const char *s)
{
    size_t n = strlen(got);
    if (n + strlen(s) + 2 < sizeof got) { strcpy(got + n, s); strcat(got, "\n"); }
}

static void emit(const xmpp_tree *s)
{
    xmpp_builder b;
    size_t len;
    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    xmpp_build_node(&b, xmpp_tree_root(s));
    if (xmpp_build_finish(&b, &len) != XMPP_OK) { put_line("BUILD FAILED"); return; }
    put_line(out);
}

/* Tokenize doc in chunks of chunk bytes (0: whole), push every token into a collector
   with an arena of asize bytes. */
static void collect(const char *doc, size_t chunk, size_t asize, const xmpp_xml_limits *lim)
{
    xmpp_xml x;
    xmpp_tree s;
    xmpp_xml_token t;
    size_t len = strlen(doc), off = 0;
    got[0] = '\0';
    xmpp_xml_init(&x, tbuf, sizeof tbuf, lim);
    xmpp_tree_init(&s, arena, asize);
    while (off < len) {
        size_t n = chunk && len - off > chunk ? chunk : len - off, used, done = 0;
        xmpp_err r;
        do {
            r = xmpp_xml_feed(&x, doc + off + done, n - done, &used);
            done += used;
            while (xmpp_xml_next(&x, &t) == XMPP_OK) {
                xmpp_err c = xmpp_tree_push(&s, &t);
                if (c == XMPP_OK) emit(&s);
                else if (c == XMPP_ERR_NOSPACE) put_line("NOSPACE");
                else if (c != XMPP_AGAIN) put_line("PUSH FAILED");
            }
        } while (!r && done < n);
        if (r) {
            char line[80];
            sprintf(line, "error %s", xmpp_err_condition(r));
            put_line(line);
            return;
        }
        off += n;
    }
}

/* collect() at chunk sizes whole, 1, 2, 3, 7 must all give want */
static int expect(const char *doc, size_t asize, const char *want)
{
    static const size_t chunks[] = { 0, 1, 2, 3, 7 };
    size_t i;
    for (i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        collect(doc, chunks[i], asize, NULL);
        if (strcmp(got, want) != 0) {
            printf("doc: %s\nchunk %lu\nwant:\n%sgot:\n%s", doc, (unsigned long)chunks[i], want, got);
            return 0;
        }
    }
    return 1;
}

/* The root of doc's first stanza, collected whole into the global arena. */
static xmpp_tree g;
static const xmpp_node *first(const char *doc)
{
    xmpp_xml x;
    xmpp_xml_token t;
    size_t len = strlen(doc), off = 0, used;
    xmpp_xml_init(&x, tbuf, sizeof tbuf, NULL);
    xmpp_tree_init(&g, arena, sizeof arena);
    while (off < len) {
        if (xmpp_xml_feed(&x, doc + off, len - off, &used)) return NULL;
        off += used;
        while (xmpp_xml_next(&x, &t) == XMPP_OK)
            if (xmpp_tree_push(&g, &t) == XMPP_OK) return xmpp_tree_root(&g);
    }
    return NULL;
}

static int eqs(xmpp_str s, const char *z) { return s.p && xmpp_str_eq(s, z); }

/* ---- the tree and navigation */

static void test_navigation(void)
{
    const xmpp_node *m = first(HDR "<message from='romeo@example.net/orchard' to='juliet@example.com'"
                                   " type='chat' xml:lang='en' id='m1'><body>Art thou not &lt;Romeo&gt;?</body>"
                                   "<thread>e0ffe42b</thread><x:a xmlns:x='urn:x' x:k='v'/></message>");
    const xmpp_node *body, *th, *a;
    xmpp_str ns, name, value;
    CHECK(m != NULL);
    CHECK(xmpp_node_is(m, "jabber:client", "message"));
    CHECK(!xmpp_node_is(m, "jabber:server", "message"));
    CHECK(xmpp_node_is(m, NULL, "message"));
    CHECK(!xmpp_node_is_text(m));
    CHECK(eqs(xmpp_node_ns(m), "jabber:client"));
    CHECK(eqs(xmpp_node_name(m), "message"));
    CHECK(xmpp_node_attr_count(m) == 5);
    CHECK(eqs(xmpp_node_attr(m, NULL, "from"), "romeo@example.net/orchard"));
    CHECK(eqs(xmpp_node_attr(m, "", "to"), "juliet@example.com"));
    CHECK(xmpp_node_attr(m, NULL, "lang").p == NULL);   /* xml:lang is namespaced */
    CHECK(eqs(xmpp_node_attr(m, XMPP_XMLNS_XML, "lang"), "en"));
    CHECK(xmpp_node_attr(m, NULL, "nope").p == NULL);
    CHECK(xmpp_node_attr_at(m, 3, &ns, &name, &value) && eqs(ns, XMPP_XMLNS_XML) && eqs(name, "lang") &&
          eqs(value, "en"));
    CHECK(xmpp_node_attr_at(m, 4, NULL, &name, &value) && eqs(name, "id") && eqs(value, "m1"));
    CHECK(!xmpp_node_attr_at(m, 5, &ns, &name, &value));
    body = xmpp_node_child(m, "jabber:client", "body");
    CHECK(eqs(xmpp_node_text(body), "Art thou not <Romeo>?"));
    CHECK(xmpp_node_child(m, "urn:other", "body") == NULL);
    th = xmpp_node_next_sibling(body, NULL, NULL);
    CHECK(xmpp_node_is(th, "jabber:client", "thread") && eqs(xmpp_node_text(th), "e0ffe42b"));
    a = xmpp_node_child(m, "urn:x", "a");
    CHECK(a != NULL && xmpp_node_next(a) == NULL && xmpp_node_first(a) == NULL);
    CHECK(eqs(xmpp_node_attr(a, "urn:x", "k"), "v") && xmpp_node_attr(a, NULL, "k").p == NULL);
    CHECK(eqs(xmpp_node_text(a), "") && xmpp_node_text(a).p != NULL);
    CHECK(xmpp_node_first(m) == body);
    CHECK(xmpp_node_child(m, NULL, NULL) == body);
    /* text nodes */
    CHECK(xmpp_node_is_text(xmpp_node_first(body)));
    CHECK(eqs(xmpp_node_text(xmpp_node_first(body)), "Art thou not <Romeo>?"));
    CHECK(xmpp_node_name(xmpp_node_first(body)).n == 0);
    /* NULL chains */
    CHECK(xmpp_node_child(NULL, NULL, "x") == NULL);
    CHECK(xmpp_node_text(xmpp_node_child(m, NULL, "nothing")).n == 0);
    CHECK(xmpp_node_attr(NULL, NULL, "x").p == NULL);
    CHECK(xmpp_node_attr_count(NULL) == 0 && !xmpp_node_is(NULL, NULL, NULL));
}

static void test_text_copy(void)
{
    const xmpp_node *p = first(HDR "<message><body>one <b>two</b> three<br/>four</body></message>");
    const xmpp_node *body = xmpp_node_child(p, NULL, "body");
    char buf[32];
    CHECK(xmpp_node_text(body).p == NULL);   /* mixed: several text nodes */
    CHECK(xmpp_node_text_copy(body, buf, sizeof buf) == strlen("one  threefour"));
    CHECK(strcmp(buf, "one  threefour") == 0);
    CHECK(xmpp_node_text_copy(body, buf, 14) == 14);   /* too small: the length needed */
    CHECK(xmpp_node_text_copy(body, buf, 15) == 14 && strcmp(buf, "one  threefour") == 0);
    CHECK(xmpp_node_text_copy(xmpp_node_child(body, NULL, "b"), buf, sizeof buf) == 3 && strcmp(buf, "two") == 0);
    CHECK(xmpp_str_copy(xmpp_node_name(body), buf, 5) == 4 && strcmp(buf, "body") == 0);
    CHECK(xmpp_str_copy(xmpp_node_name(body), buf, 4) == 4);
}

static void test_stream_of_stanzas(void)
{
    CHECK(expect(HDR "<presence/> \n<message to='a@b'><body>hi</body></message>"
                     "<iq type='get' id='1'><query xmlns='jabber:iq:roster'/></iq></stream:stream>",
                 sizeof arena,
                 "<presence/>\n"
                 "<message to=\"a@b\"><body>hi</body></message>\n"
                 "<iq type=\"get\" id=\"1\"><query xmlns=\"jabber:iq:roster\"/></iq>\n"));
    /* stream-level elements are stanzas too; namespaces come back as declarations */
    CHECK(expect(HDR "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
                     "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism>"
                     "</mechanisms></stream:features>",
                 sizeof arena,
                 "<features xmlns=\"http://etherx.jabber.org/streams\">"
                 "<bind xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\"/>"
                 "<mechanisms xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\"><mechanism>PLAIN</mechanism>"
                 "</mechanisms></features>\n"));
    /* CDATA and long text (split by the tokenizer) make one text node */
    CHECK(expect(HDR "<message><body>a<![CDATA[<b>]]>c&amp;</body></message>", sizeof arena,
                 "<message><body>a&lt;b&gt;c&amp;</body></message>\n"));
    /* a tokenizer error ends it */
    CHECK(expect(HDR "<message><body>a</bdy></message>", sizeof arena, "error not-well-formed\n"));
}

static void test_long_text_merged(void)
{
    static char doc[12000], want[12000];
    xmpp_xml_limits lim;
    const xmpp_node *m;
    xmpp_xml x;
    xmpp_xml_token t;
    size_t i, used, off = 0, len, texts = 0;
    memset(&lim, 0, sizeof lim);
    lim.max_token = 128;   /* text comes in many TEXT tokens */
    strcpy(doc, HDR "<message><body>");
    for (i = 0; i < 5000; i++) strcat(doc, i % 50 == 49 ? "\n" : "x");
    strcat(doc, "</body></message>");
    len = strlen(doc);
    xmpp_xml_init(&x, tbuf, sizeof tbuf, &lim);
    xmpp_tree_init(&g, arena, sizeof arena);
    m = NULL;
    while (off < len && !m) {
        if (xmpp_xml_feed(&x, doc + off, len - off, &used)) { CHECK(0); break; }
        off += used;
        while (xmpp_xml_next(&x, &t) == XMPP_OK) {
            if (t.kind == XMPP_XML_TEXT) texts++;
            if (xmpp_tree_push(&g, &t) == XMPP_OK) m = xmpp_tree_root(&g);
        }
    }
    CHECK(texts > 30);
    for (i = 0; i < 5000; i++) want[i] = i % 50 == 49 ? '\n' : 'x';
    want[5000] = 0;
    CHECK(m && eqs(xmpp_node_text(xmpp_node_child(m, NULL, "body")), want));
    CHECK(xmpp_node_next(xmpp_node_first(xmpp_node_child(m, NULL, "body"))) == NULL);
}

/* Namespaces are stored once per stanza: 40 children in one namespace cost no more
   than their names. */
static void test_namespaces_once(void)
{
    static char doc[4096];
    const xmpp_node *q, *c;
    size_t i, n = 0, used;
    strcpy(doc, HDR "<iq type='result' id='d'><query xmlns='http://jabber.org/protocol/disco#info'>");
    for (i = 0; i < 40; i++) strcat(doc, "<feature var='urn:xmpp:ping'/>");
    strcat(doc, "</query></iq>");
    q = xmpp_node_child(first(doc), "http://jabber.org/protocol/disco#info", "query");
    CHECK(q != NULL);
    for (c = xmpp_node_child(q, NULL, "feature"); c; c = xmpp_node_next_sibling(c, NULL, "feature")) {
        CHECK(eqs(xmpp_node_ns(c), "http://jabber.org/protocol/disco#info"));
        n++;
    }
    CHECK(n == 40);
    used = xmpp_tree_used(&g);
    /* records: 40 * (16 + 7 + 4 + 3 + 13) + the iq, the query and two namespace records */
    CHECK(used < 40 * 43 + 200);
    CHECK(used <= (strlen(doc) - strlen(HDR)) * 3 / 2);   /* within 1.5 x the wire size */
}

/* XMPP_TREE_NS_MAX: a stanza may use that many distinct namespaces (repeats and
   well-known ones free); one more and it is skipped like one that does not fit, and the
   next stanza is collected as usual. Element and attribute namespaces both count. */
static void ns_stanza(char *doc, size_t distinct, size_t repeat, int attrs)
{
    size_t i, r;
    strcpy(doc, HDR "<message>");
    for (r = 0; r < repeat; r++)
        for (i = 0; i < distinct; i++)
            sprintf(doc + strlen(doc), attrs ? "<a xmlns:p='urn:%lu' p:v='x'/>" : "<a xmlns='urn:%lu'/>",
                    (unsigned long)i);
    strcat(doc, "</message><presence/>");
}

static void test_namespace_limit(void)
{
    static char doc[12000];
    int attrs;
    for (attrs = 0; attrs <= 1; attrs++) {
        const xmpp_node *c;
        size_t n = 0;
        char want[16];
        ns_stanza(doc, XMPP_TREE_NS_MAX, 2, attrs);
        for (c = xmpp_node_child(first(doc), NULL, "a"); c; c = xmpp_node_next_sibling(c, NULL, "a")) {
            xmpp_str ns, name, value;
            sprintf(want, "urn:%lu", (unsigned long)(n % XMPP_TREE_NS_MAX));
            if (attrs) CHECK(xmpp_node_attr_at(c, 0, &ns, &name, &value) && eqs(ns, want) && eqs(value, "x"));
            else CHECK(eqs(xmpp_node_ns(c), want));
            n++;
        }
        CHECK(n == 2 * XMPP_TREE_NS_MAX);
        ns_stanza(doc, XMPP_TREE_NS_MAX + 1, 1, attrs);
        CHECK(expect(doc, sizeof arena, "NOSPACE\n<presence/>\n"));
    }
}

/* The collector remembers an inherited namespace by where the tokenizer keeps it; once the
   element that declared it closes, the next element in the same place may declare another
   URI of the same length in the same bytes: it must not be taken for the first. */
static void test_namespace_reuse(void)
{
    CHECK(expect(HDR "<message><c xmlns='urn:AAAA'><d/></c><c xmlns='urn:BBBB'><d/></c></message>", sizeof arena,
                 "<message><c xmlns=\"urn:AAAA\"><d/></c><c xmlns=\"urn:BBBB\"><d/></c></message>\n"));
    CHECK(expect(HDR "<message><x><c xmlns='urn:AAAA'><d/><d/></c><c xmlns='urn:BBBB'><d/></c></x></message>",
                 sizeof arena, "<message><x><c xmlns=\"urn:AAAA\"><d/><d/></c><c xmlns=\"urn:BBBB\"><d/></c></x></message>\n"));
    CHECK(expect(HDR "<message><c xmlns:p='urn:AAAA'><p:d/></c><c xmlns:p='urn:BBBB'><p:d/></c></message>", sizeof arena,
                 "<message><c><d xmlns=\"urn:AAAA\"/></c><c><d xmlns=\"urn:BBBB\"/></c></message>\n"));
    CHECK(expect(HDR "<message><c xmlns:p='urn:AAAA'><d p:a='1'/></c><c xmlns:p='urn:BBBB'><d p:a='2'/></c></message>",
                 sizeof arena, "<message><c><d xmlns:ns0=\"urn:AAAA\" ns0:a=\"1\"/></c><c><d xmlns:ns0=\"urn:BBBB\" ns0:a=\"2\"/></c></message>\n"));
}

static void test_nospace_skips_one(void)
{
    static char doc[4096], want[4096];
    strcpy(doc, HDR "<message><body>short</body></message><message><body>");
    memset(doc + strlen(doc), 'y', 600);
    strcat(doc, "</body><x><y/></x></message><presence/><message><body>short</body></message>");
    strcpy(want, "<message><body>short</body></message>\nNOSPACE\n<presence/>\n"
                 "<message><body>short</body></message>\n");
    CHECK(expect(doc, 256, want));
    /* an arena of 0 bytes skips everything, cleanly */
    CHECK(expect(HDR "<a/><b><c/></b>", 0, "NOSPACE\nNOSPACE\n"));
    /* exactly enough: <presence/> = 16 + 8 bytes (jabber:client is well known: no record) */
    CHECK(expect(HDR "<presence/>", 24, "<presence/>\n"));
    CHECK(expect(HDR "<presence/>", 23, "NOSPACE\n"));
    /* a text node: 8 + its bytes, the element 16 + 1 */
    CHECK(expect(HDR "<m>hi</m>", 27, "<m>hi</m>\n"));
    CHECK(expect(HDR "<m>hi</m>", 26, "NOSPACE\n"));
    /* a namespaced attribute: 8 + name + value, its namespace's record 6 + 5 */
    CHECK(expect(HDR "<m xmlns:p='urn:x' p:a='1'/>", 38, "<m xmlns:ns0=\"urn:x\" ns0:a=\"1\"/>\n"));
    CHECK(expect(HDR "<m xmlns:p='urn:x' p:a='1'/>", 37, "NOSPACE\n"));
    /* an unknown namespace takes a record: 6 + 5 bytes */
    CHECK(expect("<stream:stream xmlns='urn:a' xmlns:stream='http://etherx.jabber.org/streams'><presence/>",
                 35, "<presence xmlns=\"urn:a\"/>\n"));
    CHECK(expect("<stream:stream xmlns='urn:a' xmlns:stream='http://etherx.jabber.org/streams'><presence/>",
                 34, "NOSPACE\n"));
}

static void test_push_order(void)
{
    xmpp_tree s;
    xmpp_xml_token t;
    memset(&t, 0, sizeof t);
    xmpp_tree_init(&s, arena, sizeof arena);
    t.kind = XMPP_XML_END;
    t.depth = 2;
    CHECK(xmpp_tree_push(&s, &t) == XMPP_ERR_INVALID);
    t.kind = XMPP_XML_START;
    t.depth = 3;
    CHECK(xmpp_tree_push(&s, &t) == XMPP_ERR_INVALID);
    CHECK(xmpp_tree_root(&s) == NULL);
    /* a token out of order leaves a complete stanza as it was */
    t.depth = 2;
    t.local = xmpp_str_z("a");
    CHECK(xmpp_tree_push(&s, &t) == XMPP_AGAIN);
    t.kind = XMPP_XML_END;
    CHECK(xmpp_tree_push(&s, &t) == XMPP_OK);
    {
        const xmpp_node *root = xmpp_tree_root(&s);
        CHECK(root && xmpp_str_eq(xmpp_node_name(root), "a"));
        CHECK(xmpp_tree_push(&s, &t) == XMPP_ERR_INVALID);   /* a second END */
        t.kind = XMPP_XML_START;
        t.depth = 3;
        CHECK(xmpp_tree_push(&s, &t) == XMPP_ERR_INVALID);
        CHECK(xmpp_tree_root(&s) == root && xmpp_str_eq(xmpp_node_name(root), "a"));
    }
    {   /* a stanza no tokenizer makes (a value of 65,536 bytes) is skipped whole, also in
           an arena with room for it, and the next one is collected */
        static char big[0x10000];
        static unsigned char roomy[0x10000 + 256];
        xmpp_xml_attr at;
        xmpp_tree_init(&s, roomy, sizeof roomy);
        memset(&at, 0, sizeof at);
        at.local = xmpp_str_z("v");
        at.value.p = big;
        at.value.n = sizeof big;
        t.kind = XMPP_XML_START;
        t.depth = 2;
        t.attrs = &at;
        t.nattrs = 1;
        CHECK(xmpp_tree_push(&s, &t) == XMPP_AGAIN);
        t.nattrs = 0;
        t.depth = 3;
        CHECK(xmpp_tree_push(&s, &t) == XMPP_AGAIN);   /* a child, skipped with it */
        t.kind = XMPP_XML_END;
        CHECK(xmpp_tree_push(&s, &t) == XMPP_AGAIN);
        t.depth = 2;
        CHECK(xmpp_tree_push(&s, &t) == XMPP_ERR_NOSPACE);
        t.kind = XMPP_XML_START;
        CHECK(xmpp_tree_push(&s, &t) == XMPP_AGAIN);
        t.kind = XMPP_XML_END;
        CHECK(xmpp_tree_push(&s, &t) == XMPP_OK && xmpp_tree_root(&s) != NULL);
    }
}

/* The tree stays valid until the next stanza's first token. */
static void test_tree_lifetime(void)
{
    static const char doc[] = HDR "<message id='1'/><message id='2'/>";
    xmpp_xml x;
    xmpp_xml_token t;
    xmpp_tree s;
    size_t off = 0, used, len = sizeof doc - 1;
    int seen = 0;
    xmpp_xml_init(&x, tbuf, sizeof tbuf, NULL);
    xmpp_tree_init(&s, arena, sizeof arena);
    while (off < len) {
        if (xmpp_xml_feed(&x, doc + off, len - off, &used)) { CHECK(0); break; }
        off += used;
        while (xmpp_xml_next(&x, &t) == XMPP_OK) {
            if (xmpp_tree_push(&s, &t) == XMPP_OK) {
                seen++;
                CHECK(eqs(xmpp_node_attr(xmpp_tree_root(&s), NULL, "id"), seen == 1 ? "1" : "2"));
                /* where the stanza's '<' is in the stream */
                CHECK(xmpp_tree_offset(&s) == sizeof HDR - 1 + (seen == 1 ? 0 : sizeof "<message id='1'/>" - 1));
            }
        }
        if (seen == 1) CHECK(eqs(xmpp_node_attr(xmpp_tree_root(&s), NULL, "id"), "1"));
    }
    CHECK(seen == 2);
    /* a new stream (restart) forgets the last one */
    t.kind = XMPP_XML_OPEN;
    xmpp_tree_push(&s, &t);
    CHECK(xmpp_tree_root(&s) == NULL);
}

#ifndef TEST_BOUND_N   /* "<a/>x" pieces and namespace bytes of the worst-case stanza */
#define TEST_BOUND_N 500
#define TEST_BOUND_NS 1000
#endif
static void test_arena_bound(void)
{
    /* the worst case: empty elements and one-byte texts, and a long namespace from the
       stream header; the limits just fit it */
    static char doc[TEST_BOUND_N * 5 + TEST_BOUND_NS + 200];
    static unsigned char big[TEST_BOUND_N * 27 + TEST_BOUND_NS + 300];
    xmpp_xml_limits lim;
    xmpp_xml x;
    xmpp_xml_token t;
    xmpp_tree s;
    size_t i, off = 0, used, len, need;
    const xmpp_node *r = NULL;
    strcpy(doc, "<stream:stream xmlns='");
    for (i = 0; i < TEST_BOUND_NS; i++) strcat(doc, "u");
    strcat(doc, "' xmlns:stream='http://etherx.jabber.org/streams'><m>");
    for (i = 0; i < TEST_BOUND_N; i++) strcat(doc, "<a/>x");
    strcat(doc, "</m>");
    len = strlen(doc);
    memset(&lim, 0, sizeof lim);
    lim.max_stanza = TEST_BOUND_N * 5 + 7;
    lim.max_token = TEST_BOUND_NS + 64;
    lim.max_attrs = 4;
    need = xmpp_tree_arena_size(&lim);
    CHECK(need > 0 && need <= sizeof big);
    if (need > sizeof big) return;
    xmpp_xml_init(&x, tbuf, sizeof tbuf, &lim);
    xmpp_tree_init(&s, big, need);
    while (off < len && !r) {
        if (xmpp_xml_feed(&x, doc + off, len - off, &used)) { CHECK(0); break; }
        off += used;
        while (xmpp_xml_next(&x, &t) == XMPP_OK)
            if (xmpp_tree_push(&s, &t) == XMPP_OK) r = xmpp_tree_root(&s);
    }
    CHECK(r != NULL);
    CHECK(xmpp_tree_used(&s) <= need);
    CHECK(xmpp_tree_used(&s) > need * 9 / 10);   /* the bound is not loose here */
    lim.max_stanza = 0xFFFFFFFFu;
    lim.max_token = 65535;
    CHECK(sizeof(size_t) < 8 || xmpp_tree_arena_size(&lim) == 0);
    /* the bound is exact at 2 GiB: 82,595,362 * 26 + 26 + 4096 + 96 fits 31 bits, one more
       fifth of a stanza does not */
    lim.max_token = 4096;
    lim.max_attrs = 16;
    lim.max_stanza = 82595362u * 5;
    CHECK(xmpp_tree_arena_size(&lim) == (size_t)82595362u * 26 + 26 + 4096 + 96);
    lim.max_stanza = 82595363u * 5;
    CHECK(xmpp_tree_arena_size(&lim) == 0);
    CHECK(xmpp_tree_arena_size(NULL) == 65536 / 5 * 26 + 26 + 4096 + 6 * 16);
}

/* Attribute names of 32 KiB and more (max_name and max_token raised to 65535) take the
   long attribute record: collected with an arena of xmpp_tree_arena_size(), read back
   whole, the records after them still found. So does an empty name, which only a
   hand-made token has. */
static void test_long_attr_names(void)
{
    static const size_t lens[] = { 32767, 32768, 40000, 65535 - 7 - 16 };
    xmpp_xml_limits lim;
    xmpp_xml x;
    xmpp_xml_token t;
    xmpp_tree s;
    xmpp_xml_attr a[2];
    size_t i, k, tsize, asize;
    unsigned char *tb, *ar;
    char *doc, *name;
    memset(&lim, 0, sizeof lim);
    lim.max_name = lim.max_token = 65535;
    lim.max_stanza = 200000;
    tsize = xmpp_xml_buffer_size(&lim);
    asize = xmpp_tree_arena_size(&lim);
    tb = (unsigned char *)malloc(tsize);
    ar = (unsigned char *)malloc(asize);
    doc = (char *)malloc(200000);
    name = (char *)malloc(65536);
    CHECK(tb && ar && doc && name);
    if (!tb || !ar || !doc || !name) goto done;
    for (i = 0; i < sizeof lens / sizeof *lens; i++) {
        for (k = 0; k < 2; k++) {   /* a plain name, then a namespaced one */
            const xmpp_node *m = NULL;
            xmpp_str an, av;
            size_t n = lens[i] - (k ? 16 : 0), off = 0, used, len;
            memset(name, 'n', n);
            name[n] = '\0';
            sprintf(doc, HDR "<m a='1' %s%s='v' xmlns:p='urn:p' z='2'/>", k ? "p:" : "", name);
            len = strlen(doc);
            xmpp_xml_init(&x, tb, tsize, &lim);
            xmpp_tree_init(&s, ar, asize);
            while (off < len && !m) {
                if (xmpp_xml_feed(&x, doc + off, len - off, &used)) break;
                off += used;
                while (xmpp_xml_next(&x, &t) == XMPP_OK)
                    if (xmpp_tree_push(&s, &t) == XMPP_OK) m = xmpp_tree_root(&s);
            }
            CHECK(m != NULL);
            if (!m) { printf("name of %lu bytes (%s)\n", (unsigned long)n, k ? "namespaced" : "plain"); continue; }
            CHECK(xmpp_node_attr_count(m) == 3);   /* xmlns:p is no attribute in the tree */
            CHECK(eqs(xmpp_node_attr(m, k ? "urn:p" : NULL, name), "v"));
            CHECK(xmpp_node_attr_at(m, 1, &an, NULL, &av) && an.n == (k ? 5u : 0u) && eqs(av, "v"));
            CHECK(eqs(xmpp_node_attr(m, NULL, "a"), "1") && eqs(xmpp_node_attr(m, NULL, "z"), "2"));
            /* the arena bytes exactly: element 16 + "m", a and z 4 + 1 + 1 each, the long
               name's record (4, 8 with a namespace, 10 from 32768 bytes) + name + value,
               and the record of urn:p (6 + 5) when it is used */
            CHECK(xmpp_tree_used(&s) == 17 + 6 + 6 + (n < 32768 ? (k ? 8u : 4u) : 10u) + n + 1 + (k ? 11u : 0u));
        }
    }
    /* an empty attribute name, then a plain one */
    xmpp_tree_init(&s, arena, sizeof arena);
    memset(&t, 0, sizeof t);
    memset(a, 0, sizeof a);
    t.kind = XMPP_XML_OPEN;
    t.depth = 1;
    t.local = xmpp_str_z("stream");
    CHECK(xmpp_tree_push(&s, &t) == XMPP_AGAIN);
    /* a[0].local stays {NULL, 0} (as memset left it): no memcpy from NULL (UBSan) */
    a[0].value = xmpp_str_z("e");
    a[1].local = xmpp_str_z("b");
    a[1].value = xmpp_str_z("f");
    t.kind = XMPP_XML_START;
    t.depth = 2;
    t.local = xmpp_str_z("m");
    t.attrs = a;
    t.nattrs = 2;
    CHECK(xmpp_tree_push(&s, &t) == XMPP_AGAIN);
    t.kind = XMPP_XML_END;
    t.attrs = NULL;
    t.nattrs = 0;
    CHECK(xmpp_tree_push(&s, &t) == XMPP_OK);
    CHECK(xmpp_node_attr_count(xmpp_tree_root(&s)) == 2);
    CHECK(eqs(xmpp_node_attr(xmpp_tree_root(&s), NULL, ""), "e"));
    CHECK(eqs(xmpp_node_attr(xmpp_tree_root(&s), NULL, "b"), "f"));
done:
    free(tb);
    free(ar);
    free(doc);
    free(name);
}

/* ---- the builder */

static const char *build_ok(xmpp_builder *b)
{
    size_t len;
    xmpp_err r = xmpp_build_finish(b, &len);
    if (r) { printf("build: %s (%s)\n", xmpp_strerror(r), xmpp_build_errmsg(b)); return ""; }
    if (len != strlen(out)) return "(length mismatch)";
    return out;
}

static void test_builder_escaping(void)
{
    xmpp_builder b;
    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    xmpp_build_start(&b, "jabber:client", "message");
    xmpp_build_attr(&b, NULL, "to", "a&b<c>'\"\t\n\r");
    xmpp_build_attr(&b, XMPP_XMLNS_XML, "lang", "en");
    xmpp_build_attr(&b, "urn:x", "k", "v");
    xmpp_build_start(&b, "jabber:client", "body");
    xmpp_build_text(&b, xmpp_str_z("<3 & ]]> 'q' \"d\"\t\n\r\xc3\xa9"));
    xmpp_build_end(&b);
    xmpp_build_end(&b);
    CHECK(strcmp(build_ok(&b),
                 "<message to=\"a&amp;b&lt;c&gt;&apos;&quot;&#x9;&#xA;&#xD;\" xml:lang=\"en\""
                 " xmlns:ns0=\"urn:x\" ns0:k=\"v\"><body>&lt;3 &amp; ]]&gt; &apos;q&apos; &quot;d&quot;\t\n"
                 "&#xD;\xc3\xa9</body></message>") == 0);
    /* what comes back through the tokenizer is what went in */
    {
        const xmpp_node *m = first(HDR "<message to=\"a&amp;b&lt;c&gt;&apos;&quot;&#x9;&#xA;&#xD;\"/>");
        CHECK(eqs(xmpp_node_attr(m, NULL, "to"), "a&b<c>'\"\t\n\r"));
    }
}

static void test_builder_errors(void)
{
    static const char *const bad_text[] = { "\x01", "a\x7f\x80", "\xc0\xaf", "\xed\xa0\x80", "\xef\xbf\xbe", "\xf4\x90\x80\x80", "\xe2\x82" };
    xmpp_builder b;
    size_t i, len;
    for (i = 0; i < sizeof bad_text / sizeof bad_text[0]; i++) {
        xmpp_build_init(&b, out, sizeof out, NULL);
        xmpp_build_start(&b, NULL, "a");
        CHECK(xmpp_build_text(&b, xmpp_str_z("ok")) == XMPP_OK);
        CHECK(xmpp_build_text(&b, xmpp_str_z(bad_text[i])) == XMPP_ERR_INVALID);
        xmpp_build_end(&b);
        CHECK(xmpp_build_finish(&b, &len) == XMPP_ERR_INVALID);
        CHECK(xmpp_build_errmsg(&b) && strstr(xmpp_build_errmsg(&b), "text"));
        /* the call that failed is undone: out holds the calls before it */
        CHECK(len == 5 && strcmp(out, "<a>ok") == 0);
        /* in a value or a namespace: said so, and undone likewise */
        xmpp_build_init(&b, out, sizeof out, NULL);
        xmpp_build_start(&b, NULL, "a");
        CHECK(xmpp_build_attr(&b, NULL, "v", bad_text[i]) == XMPP_ERR_INVALID);
        CHECK(xmpp_build_finish(&b, &len) == XMPP_ERR_INVALID && len == 2 && strcmp(out, "<a") == 0);
        CHECK(strstr(xmpp_build_errmsg(&b), "attribute value or namespace") != NULL);
        xmpp_build_init(&b, out, sizeof out, NULL);
        xmpp_build_start(&b, NULL, "a");
        CHECK(xmpp_build_start(&b, bad_text[i], "b") == XMPP_ERR_INVALID);
        CHECK(xmpp_build_finish(&b, &len) == XMPP_ERR_INVALID && len == 2 && strcmp(out, "<a") == 0);
        CHECK(strstr(xmpp_build_errmsg(&b), "attribute value or namespace") != NULL);
        /* a common stanza is undone whole */
        xmpp_build_init(&b, out, sizeof out, "jabber:client");
        CHECK(xmpp_build_message(&b, "romeo@example.net", "chat", "m1", "ok") == XMPP_OK);
        CHECK(xmpp_build_finish(&b, &len) == XMPP_OK);
        CHECK(xmpp_build_message(&b, "romeo@example.net", "chat", "m2", bad_text[i]) == XMPP_ERR_INVALID);
        {
            size_t len2;
            CHECK(xmpp_build_finish(&b, &len2) == XMPP_ERR_INVALID && len2 == len && strlen(out) == len);
        }
    }
    /* a call refused before it writes anything leaves the calls before it alone */
    for (i = 0; i < 7; i++) {
        xmpp_err r = XMPP_OK;
        xmpp_build_init(&b, out, sizeof out, "jabber:client");
        CHECK(xmpp_build_message(&b, "romeo@example.net", NULL, NULL, "hi") == XMPP_OK);
        CHECK(xmpp_build_start(&b, NULL, "a") == XMPP_OK);
        switch (i) {
        case 0: r = xmpp_build_attr(&b, NULL, "v", NULL); break;
        case 1: r = xmpp_build_node(&b, NULL); break;
        case 2: r = xmpp_build_presence(&b, NULL, NULL, NULL, NULL, 128); break;
        case 3: r = xmpp_build_iq(&b, "got", "1", NULL); break;
        case 4: r = xmpp_build_iq(&b, "get", NULL, NULL); break;
        case 5: r = xmpp_build_error_element(&b, (xmpp_serr)999, NULL, NULL, NULL); break;
        case 6: r = xmpp_build_error_reply(&b, NULL, XMPP_SERR_BAD_REQUEST, NULL); break;
        }
        CHECK(r == XMPP_ERR_INVALID);
        CHECK(xmpp_build_finish(&b, &len) == XMPP_ERR_INVALID);
        CHECK(strcmp(out, "<message to=\"romeo@example.net\"><body>hi</body></message><a xmlns=\"\"") == 0 &&
              len == strlen(out));
    }
    /* names */
    xmpp_build_init(&b, out, sizeof out, NULL);
    CHECK(xmpp_build_start(&b, NULL, "1a") == XMPP_ERR_INVALID);
    xmpp_build_init(&b, out, sizeof out, NULL);
    CHECK(xmpp_build_start(&b, NULL, "a:b") == XMPP_ERR_INVALID);
    xmpp_build_init(&b, out, sizeof out, NULL);
    CHECK(xmpp_build_start(&b, NULL, "") == XMPP_ERR_INVALID);
    xmpp_build_init(&b, out, sizeof out, NULL);
    CHECK(xmpp_build_start(&b, NULL, "caf\xc3\xa9") == XMPP_OK);
    CHECK(xmpp_build_attr(&b, NULL, "xmlns", "x") == XMPP_ERR_INVALID);
    /* with a namespace it is an ordinary name (found by fuzz_stanza: the tokenizer takes
       <a xml:xmlns='v'/>, the builder refused the tree) */
    xmpp_build_init(&b, out, sizeof out, NULL);
    xmpp_build_start(&b, NULL, "a");
    CHECK(xmpp_build_attr(&b, XMPP_XMLNS_XML, "xmlns", "v") == XMPP_OK);
    CHECK(xmpp_build_attr(&b, "urn:p", "xmlns", "w") == XMPP_OK);
    xmpp_build_end(&b);
    CHECK(strcmp(build_ok(&b), "<a xml:xmlns=\"v\" xmlns:ns0=\"urn:p\" ns0:xmlns=\"w\"/>") == 0);
    {
        const xmpp_node *a = first(HDR "<a xml:xmlns=\"v\" xmlns:p=\"urn:p\" p:xmlns=\"w\"/>");
        CHECK(eqs(xmpp_node_attr(a, XMPP_XMLNS_XML, "xmlns"), "v"));
        CHECK(eqs(xmpp_node_attr(a, "urn:p", "xmlns"), "w"));
        CHECK(xmpp_node_attr(a, NULL, "xmlns").p == NULL);
    }
    xmpp_build_init(&b, out, sizeof out, NULL);

    xmpp_build_start(&b, NULL, "a");
    xmpp_build_text(&b, xmpp_str_z("t"));
    CHECK(xmpp_build_attr(&b, NULL, "late", "x") == XMPP_ERR_INVALID);   /* after text */
    /* structure */
    xmpp_build_init(&b, out, sizeof out, NULL);
    CHECK(xmpp_build_end(&b) == XMPP_ERR_INVALID);
    xmpp_build_init(&b, out, sizeof out, NULL);
    xmpp_build_start(&b, NULL, "a");
    CHECK(xmpp_build_finish(&b, &len) == XMPP_ERR_INVALID);   /* left open */
    CHECK(strcmp(xmpp_build_errmsg(&b), "element left open") == 0);
    xmpp_build_init(&b, out, sizeof out, NULL);
    for (i = 0; i < XMPP_BUILD_DEPTH; i++) CHECK(xmpp_build_start(&b, NULL, "a") == XMPP_OK);
    CHECK(xmpp_build_start(&b, NULL, "a") == XMPP_ERR_INVALID);
    /* sticky: nothing after the first error */
    CHECK(xmpp_build_end(&b) == XMPP_ERR_INVALID);
}

/* Overflow: the size needed is reported exactly, and the buffer holds whole calls. */
static void test_builder_overflow(void)
{
    char small[64];
    size_t size, len, full;
    xmpp_builder b;
    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    xmpp_build_message(&b, "juliet@example.com", "chat", "id-1", "Wherefore art thou, Romeo? & more");
    CHECK(xmpp_build_finish(&b, &full) == XMPP_OK);
    for (size = 0; size <= full + 1; size++) {
        memset(small, 'Z', sizeof small);
        xmpp_build_init(&b, size ? (char *)memset(out, 'Z', sizeof out) : small, size, "jabber:client");
        xmpp_build_message(&b, "juliet@example.com", "chat", "id-1", "Wherefore art thou, Romeo? & more");
        if (size > full) {
            CHECK(xmpp_build_finish(&b, &len) == XMPP_OK && len == full);
        } else {
            CHECK(xmpp_build_finish(&b, &len) == XMPP_ERR_NOSPACE);
            CHECK(len == full + 1);   /* a retry with this much succeeds */
            if (size) CHECK(strlen(out) < size);   /* NUL-terminated, nothing past size */
            if (size) CHECK((unsigned char)out[size] == 'Z');
        }
    }
}

static void test_common_stanzas(void)
{
    xmpp_builder b;
    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    xmpp_build_message(&b, "juliet@example.com", "chat", "m1", "hi");
    CHECK(strcmp(build_ok(&b), "<message to=\"juliet@example.com\" type=\"chat\" id=\"m1\"><body>hi</body></message>") == 0);
    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    xmpp_build_message(&b, NULL, NULL, NULL, NULL);
    CHECK(strcmp(build_ok(&b), "<message/>") == 0);
    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    xmpp_build_presence(&b, NULL, NULL, "away", "out <for> lunch", -5);
    CHECK(strcmp(build_ok(&b), "<presence><show>away</show><status>out &lt;for&gt; lunch</status>"
                               "<priority>-5</priority></presence>") == 0);
    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    xmpp_build_presence(&b, "room@muc/nick", "unavailable", NULL, NULL, 0);
    CHECK(strcmp(build_ok(&b), "<presence to=\"room@muc/nick\" type=\"unavailable\"/>") == 0);
    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    CHECK(xmpp_build_presence(&b, NULL, NULL, NULL, NULL, 128) == XMPP_ERR_INVALID);
    {   /* RFC 6121: every defined type and show value, and nothing else */
        static const char *const mtypes[] = { "chat", "error", "groupchat", "headline", "normal" };
        static const char *const ptypes[] = { "error", "probe", "subscribe", "subscribed", "unavailable",
                                              "unsubscribe", "unsubscribed" };
        static const char *const shows[] = { "away", "chat", "dnd", "xa" };
        static const char *const bad[] = { "", "Chat", "available", "online", "chat " };
        size_t i;
        char want[96];
        for (i = 0; i < sizeof mtypes / sizeof mtypes[0]; i++) {
            xmpp_build_init(&b, out, sizeof out, "jabber:client");
            CHECK(xmpp_build_message(&b, NULL, mtypes[i], NULL, NULL) == XMPP_OK);
            sprintf(want, "<message type=\"%s\"/>", mtypes[i]);
            CHECK(strcmp(build_ok(&b), want) == 0);
        }
        for (i = 0; i < sizeof ptypes / sizeof ptypes[0]; i++) {
            xmpp_build_init(&b, out, sizeof out, "jabber:client");
            CHECK(xmpp_build_presence(&b, NULL, ptypes[i], NULL, NULL, 0) == XMPP_OK);
            sprintf(want, "<presence type=\"%s\"/>", ptypes[i]);
            CHECK(strcmp(build_ok(&b), want) == 0);
        }
        for (i = 0; i < sizeof shows / sizeof shows[0]; i++) {
            xmpp_build_init(&b, out, sizeof out, "jabber:client");
            CHECK(xmpp_build_presence(&b, NULL, NULL, shows[i], NULL, 0) == XMPP_OK);
            sprintf(want, "<presence><show>%s</show></presence>", shows[i]);
            CHECK(strcmp(build_ok(&b), want) == 0);
        }
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            size_t len;
            xmpp_build_init(&b, out, sizeof out, "jabber:client");
            CHECK(xmpp_build_message(&b, NULL, bad[i], NULL, "x") == XMPP_ERR_INVALID);
            CHECK(xmpp_build_finish(&b, &len) == XMPP_ERR_INVALID && len == 0 && !out[0]);
            CHECK(strstr(xmpp_build_errmsg(&b), "message type") != NULL);
            xmpp_build_init(&b, out, sizeof out, "jabber:client");
            CHECK(xmpp_build_presence(&b, NULL, bad[i], NULL, NULL, 0) == XMPP_ERR_INVALID);
            CHECK(strstr(xmpp_build_errmsg(&b), "presence type") != NULL);
            xmpp_build_init(&b, out, sizeof out, "jabber:client");
            CHECK(xmpp_build_presence(&b, NULL, NULL, bad[i], NULL, 0) == XMPP_ERR_INVALID);
            CHECK(strstr(xmpp_build_errmsg(&b), "presence show") != NULL);
        }
    }
    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    xmpp_build_presence(&b, NULL, NULL, NULL, NULL, -128);
    CHECK(strcmp(build_ok(&b), "<presence><priority>-128</priority></presence>") == 0);
    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    xmpp_build_iq(&b, "get", "r1", NULL);
    xmpp_build_start(&b, "jabber:iq:roster", "query");
    xmpp_build_end(&b);
    xmpp_build_end(&b);
    CHECK(strcmp(build_ok(&b), "<iq type=\"get\" id=\"r1\"><query xmlns=\"jabber:iq:roster\"/></iq>") == 0);
    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    CHECK(xmpp_build_iq(&b, "fetch", "r1", NULL) == XMPP_ERR_INVALID);
    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    CHECK(xmpp_build_iq(&b, "get", NULL, NULL) == XMPP_ERR_INVALID);
    /* no default namespace given: the stanza declares its own */
    xmpp_build_init(&b, out, sizeof out, NULL);
    xmpp_build_message(&b, "a@b", NULL, NULL, NULL);
    CHECK(strcmp(build_ok(&b), "<message xmlns=\"jabber:client\" to=\"a@b\"/>") == 0);
}

/* Every RFC 6120 §8.3.3 condition: built, read back, found by name. */
static void test_stanza_errors(void)
{
    static const char *const names[] = {
        "bad-request", "conflict", "feature-not-implemented", "forbidden", "gone",
        "internal-server-error", "item-not-found", "jid-malformed", "not-acceptable",
        "not-allowed", "not-authorized", "policy-violation", "recipient-unavailable",
        "redirect", "registration-required", "remote-server-not-found",
        "remote-server-timeout", "resource-constraint", "service-unavailable",
        "subscription-required", "undefined-condition", "unexpected-request" };
    static char doc[2048];
    size_t i;
    CHECK(XMPP__SERR_COUNT == sizeof names / sizeof names[0]);
    for (i = 0; i < XMPP__SERR_COUNT; i++) {
        xmpp_builder b;
        const xmpp_node *e, *c;
        CHECK(strcmp(xmpp_serr_name((xmpp_serr)i), names[i]) == 0);
        CHECK(xmpp_serr_find(xmpp_str_z(names[i])) == (int)i);
        xmpp_build_init(&b, out, sizeof out, "jabber:client");
        xmpp_build_iq(&b, "error", "e1", "a@b");
        xmpp_build_error_element(&b, (xmpp_serr)i, NULL, "xmpp:x@y", "why & how");
        xmpp_build_end(&b);
        sprintf(doc, HDR "%s", build_ok(&b));
        e = xmpp_node_child(first(doc), "jabber:client", "error");
        CHECK(eqs(xmpp_node_attr(e, NULL, "type"), xmpp_serr_type((xmpp_serr)i)));
        c = xmpp_node_child(e, XMPP_XMLNS_STANZAS, NULL);
        CHECK(c && xmpp_serr_find(xmpp_node_name(c)) == (int)i);
        CHECK(eqs(xmpp_node_text(c), (i == XMPP_SERR_GONE || i == XMPP_SERR_REDIRECT) ? "xmpp:x@y" : ""));
        CHECK(eqs(xmpp_node_text(xmpp_node_child(e, XMPP_XMLNS_STANZAS, "text")), "why & how"));
    }
    CHECK(xmpp_serr_find(xmpp_str_z("no-such")) == -1);
    CHECK(xmpp_serr_name(XMPP__SERR_COUNT) == NULL);
    {
        xmpp_builder b;
        xmpp_build_init(&b, out, sizeof out, "jabber:client");
        CHECK(xmpp_build_error_element(&b, XMPP__SERR_COUNT, NULL, NULL, NULL) == XMPP_ERR_INVALID);
    }
}

static void test_error_reply(void)
{
    const xmpp_node *req = first(HDR "<iq from='romeo@example.net/orchard' to='example.com' type='get' id='q7'>"
                                     "<query xmlns='jabber:iq:unknown'/></iq>");
    xmpp_builder b;
    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    xmpp_build_error_reply(&b, req, XMPP_SERR_SERVICE_UNAVAILABLE, NULL);
    CHECK(strcmp(build_ok(&b), "<iq to=\"romeo@example.net/orchard\" id=\"q7\" type=\"error\">"
                               "<error type=\"cancel\"><service-unavailable xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>"
                               "</error></iq>") == 0);
    /* a server-to-server stream: the reply says who it is from (RFC 6120 §8.1.2.2) */
    req = first("<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>"
                "<message from='romeo@example.net' to='juliet@example.com' id='m1'><body>hi</body></message>");
    xmpp_build_init(&b, out, sizeof out, "jabber:server");
    xmpp_build_error_reply(&b, req, XMPP_SERR_ITEM_NOT_FOUND, NULL);
    CHECK(strcmp(build_ok(&b), "<message to=\"romeo@example.net\" from=\"juliet@example.com\" id=\"m1\" type=\"error\">"
                               "<error type=\"cancel\"><item-not-found xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>"
                               "</error></message>") == 0);
}

/* A common stanza inside another element keeps the stream's namespace (XEP-0297: a
   forwarded message is in jabber:client); its children, and an error, the stanza's. */
static void test_stanza_namespace(void)
{
    xmpp_builder b;
    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    xmpp_build_message(&b, "a@b", "chat", "1", NULL);
    xmpp_build_start(&b, "urn:xmpp:forward:0", "forwarded");
    xmpp_build_message(&b, "c@d", "chat", "2", "hi");
    xmpp_build_presence(&b, NULL, NULL, "away", NULL, 0);
    xmpp_build_iq(&b, "get", "3", NULL);
    xmpp_build_end(&b);
    xmpp_build_end(&b);
    CHECK(strcmp(build_ok(&b), "<message to=\"a@b\" type=\"chat\" id=\"1\"/>"
                               "<forwarded xmlns=\"urn:xmpp:forward:0\">"
                               "<message xmlns=\"jabber:client\" to=\"c@d\" type=\"chat\" id=\"2\"><body>hi</body></message>"
                               "<presence xmlns=\"jabber:client\"><show>away</show></presence>"
                               "<iq xmlns=\"jabber:client\" type=\"get\" id=\"3\"/></forwarded>") == 0);
    /* an iq in another namespace, built by hand: its error goes in that namespace */
    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    xmpp_build_start(&b, "jabber:server", "iq");
    xmpp_build_error_element(&b, XMPP_SERR_CONFLICT, NULL, NULL, NULL);
    xmpp_build_end(&b);
    CHECK(strcmp(build_ok(&b), "<iq xmlns=\"jabber:server\"><error type=\"cancel\">"
                               "<conflict xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/></error></iq>") == 0);
}

/* xmpp_build_message_str: to and body as views (no NUL at their end), escaped; a reply
   built straight from a received message's from and body. */
static void test_message_str(void)
{
    const char *line = "juliet@example.com/balcony and more <3 & more, and then some";
    xmpp_str to = { line, 26 }, body = { line + 36, 9 }, none = { NULL, 0 }, empty = { line, 0 };
    const xmpp_node *m;
    xmpp_builder b;
    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    CHECK(xmpp_build_message_str(&b, to, "chat", "m1", body) == XMPP_OK);
    CHECK(strcmp(build_ok(&b), "<message to=\"juliet@example.com/balcony\" type=\"chat\" id=\"m1\">"
                               "<body>&lt;3 &amp; more</body></message>") == 0);
    xmpp_build_init(&b, out, sizeof out, "jabber:client");   /* p NULL: left out; n 0: there, empty */
    xmpp_build_message_str(&b, none, NULL, NULL, none);
    CHECK(strcmp(build_ok(&b), "<message/>") == 0);
    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    xmpp_build_message_str(&b, empty, NULL, NULL, empty);
    CHECK(strcmp(build_ok(&b), "<message to=\"\"><body></body></message>") == 0);
    xmpp_build_init(&b, out, sizeof out, "jabber:client");   /* not UTF-8: the builder's error */
    CHECK(xmpp_build_message_str(&b, to, NULL, NULL, xmpp_str_z("\xFF")) == XMPP_ERR_INVALID);
    m = first(HDR "<message from='romeo@example.net/orchard' type='chat'><body>'tis &lt;sweet&gt;</body></message>");
    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    xmpp_build_message_str(&b, xmpp_node_attr(m, NULL, "from"), "chat", NULL,
                           xmpp_node_text(xmpp_node_child(m, NULL, "body")));
    CHECK(strcmp(build_ok(&b), "<message to=\"romeo@example.net/orchard\" type=\"chat\">"
                               "<body>&apos;tis &lt;sweet&gt;</body></message>") == 0);
}

/* Findings of a review, each pinned down. */
static void test_builder_review(void)
{
    xmpp_builder b;
    size_t len, i;
    static char deep[4];
    /* a translation unit with another XMPP_BUILD_DEPTH: refused, nothing overrun */
    xmpp_build_init_depth(&b, out, sizeof out, NULL, XMPP_BUILD_DEPTH + 1);
    CHECK(xmpp_build_start(&b, NULL, "a") == XMPP_ERR_INVALID);
    CHECK(xmpp_build_finish(&b, &len) == XMPP_ERR_INVALID);
    /* the xmlns namespace is not for attributes */
    xmpp_build_init(&b, out, sizeof out, NULL);
    xmpp_build_start(&b, NULL, "a");
    CHECK(xmpp_build_attr(&b, "http://www.w3.org/2000/xmlns/", "p", "urn:x") == XMPP_ERR_INVALID);
    /* NULL views with a length */
    xmpp_build_init(&b, out, sizeof out, NULL);
    xmpp_build_start(&b, NULL, "a");
    CHECK(xmpp_build_text(&b, xmpp__str(NULL, 3)) == XMPP_ERR_INVALID);
    xmpp_build_init(&b, out, sizeof out, NULL);
    CHECK(xmpp_build_raw(&b, xmpp__str(NULL, 3)) == XMPP_ERR_INVALID);
    /* a raw fragment goes out as it is, inside the element open */
    xmpp_build_init(&b, out, sizeof out, NULL);
    xmpp_build_start(&b, NULL, "m");
    CHECK(xmpp_build_raw(&b, xmpp_str_z("<x a='&amp;'/>")) == XMPP_OK);
    xmpp_build_end(&b);
    CHECK(strcmp(build_ok(&b), "<m><x a='&amp;'/></m>") == 0);
    /* text needs an element */
    xmpp_build_init(&b, out, sizeof out, NULL);
    CHECK(xmpp_build_text(&b, xmpp_str_z("hi")) == XMPP_ERR_INVALID);
    CHECK(xmpp_build_finish(&b, &len) == XMPP_ERR_INVALID && len == 0 && !out[0]);
    /* a name may start with a non-ASCII NameStartChar (U+00E9) */
    xmpp_build_init(&b, out, sizeof out, NULL);
    CHECK(xmpp_build_start(&b, NULL, "\xc3\xa9lan") == XMPP_OK);
    xmpp_build_end(&b);
    CHECK(strcmp(build_ok(&b), "<\xc3\xa9lan/>") == 0);
    /* an error reply without a request says so */
    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    CHECK(xmpp_build_error_reply(&b, NULL, XMPP_SERR_BAD_REQUEST, NULL) == XMPP_ERR_INVALID);
    CHECK(strcmp(xmpp_build_errmsg(&b), "no request to reply to") == 0);
    /* priority out of range: refused before anything is written, no overflow */
    xmpp_build_init(&b, out, sizeof out, NULL);
    CHECK(xmpp_build_presence(&b, NULL, NULL, NULL, NULL, -2147483647 - 1) == XMPP_ERR_INVALID);
    CHECK(strcmp(out, "") == 0);
    /* a misuse found while only counting wins over NOSPACE: the retry size is honest */
    xmpp_build_init(&b, deep, sizeof deep, NULL);
    for (i = 0; i <= XMPP_BUILD_DEPTH; i++) xmpp_build_start(&b, NULL, "a");
    CHECK(xmpp_build_finish(&b, &len) == XMPP_ERR_INVALID);
    /* error replies: never to an error, nor to an iq result */
    {
        const xmpp_node *r = first(HDR "<message from='a@b' type='error' id='1'/>");
        xmpp_build_init(&b, out, sizeof out, "jabber:client");
        CHECK(xmpp_build_error_reply(&b, r, XMPP_SERR_BAD_REQUEST, NULL) == XMPP_ERR_INVALID);
        r = first(HDR "<iq from='a@b' type='result' id='1'/>");
        xmpp_build_init(&b, out, sizeof out, "jabber:client");
        CHECK(xmpp_build_error_reply(&b, r, XMPP_SERR_BAD_REQUEST, NULL) == XMPP_ERR_INVALID);
    }
    /* error types are checked; <text/> has xml:lang; stanzas take the stream's namespace */
    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    CHECK(xmpp_build_error_element(&b, XMPP_SERR_CONFLICT, "later", NULL, NULL) == XMPP_ERR_INVALID);
    xmpp_build_init(&b, out, sizeof out, "jabber:server");
    xmpp_build_iq(&b, "error", "e", NULL);
    xmpp_build_error_element(&b, XMPP_SERR_CONFLICT, "wait", NULL, "busy");
    xmpp_build_end(&b);
    CHECK(strcmp(build_ok(&b), "<iq type=\"error\" id=\"e\"><error type=\"wait\"><conflict xmlns="
                               "\"urn:ietf:params:xml:ns:xmpp-stanzas\"/><text xmlns=\"urn:ietf:params:xml:ns:"
                               "xmpp-stanzas\" xml:lang=\"en\">busy</text></error></iq>") == 0);
}

/* Overflow keeps whole calls: at every buffer size the output is the full output cut
   at the end of some call. steps() makes the calls and, given ends, records b->len after
   each; it returns how many calls it made. */
static void check_whole_calls(size_t (*steps)(xmpp_builder *b, size_t *ends))
{
    size_t ends[16], nends, size, len, full, i;
    xmpp_builder b;
    static char whole[1024];
    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    nends = steps(&b, ends);
    CHECK(xmpp_build_finish(&b, &full) == XMPP_OK && full < sizeof whole);
    strcpy(whole, out);
    for (size = 1; size <= full; size++) {
        int ok;
        xmpp_build_init(&b, out, size, "jabber:client");
        steps(&b, NULL);
        CHECK(xmpp_build_finish(&b, &len) == XMPP_ERR_NOSPACE && len == full + 1);
        ok = strlen(out) == 0;
        for (i = 0; i < nends; i++) ok |= strlen(out) == ends[i];
        CHECK(ok && strncmp(out, whole, strlen(out)) == 0);
        if (!ok) { printf("  size %lu: %s\n", (unsigned long)size, out); break; }
    }
}

#define END_OF_CALL(b) do { if (ends) ends[n] = (b)->len; n++; } while (0)

static size_t steps_calls(xmpp_builder *b, size_t *ends)
{
    size_t n = 0;
    xmpp_build_start(b, "jabber:client", "message"); END_OF_CALL(b);
    xmpp_build_attr(b, NULL, "to", "juliet@example.com"); END_OF_CALL(b);
    xmpp_build_start(b, "urn:x", "body"); END_OF_CALL(b);
    xmpp_build_text(b, xmpp_str_z("a & b")); END_OF_CALL(b);
    xmpp_build_end(b); END_OF_CALL(b);
    xmpp_build_end(b); END_OF_CALL(b);
    return n;
}

static void test_builder_whole_calls(void)
{
    check_whole_calls(steps_calls);
}

/* The same for the calls made of several (the common stanzas, xmpp_build_node): one that
   runs out of room is undone whole, not cut after its last part that fitted. */
static const xmpp_node *whole_req;
static size_t steps_stanzas(xmpp_builder *b, size_t *ends)
{
    size_t n = 0;
    xmpp_build_message(b, "juliet@example.com", "chat", "m1", "Art thou not Romeo?"); END_OF_CALL(b);
    xmpp_build_presence(b, NULL, NULL, "away", "out", -5); END_OF_CALL(b);
    xmpp_build_iq(b, "error", "e1", "a@b"); END_OF_CALL(b);
    xmpp_build_error_element(b, XMPP_SERR_CONFLICT, NULL, NULL, "busy"); END_OF_CALL(b);
    xmpp_build_end(b); END_OF_CALL(b);
    xmpp_build_error_reply(b, whole_req, XMPP_SERR_ITEM_NOT_FOUND, "none"); END_OF_CALL(b);
    xmpp_build_node(b, whole_req); END_OF_CALL(b);
    return n;
}

static void test_builder_whole_stanzas(void)
{
    whole_req = first("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"
                      "<iq from='a@b/c' id='q1' type='get'>"
                      "<query xmlns='jabber:iq:version' x='1'><name>n &amp; m</name></query></iq>");
    CHECK(whole_req != NULL);
    if (whole_req) check_whole_calls(steps_stanzas);
}
#undef END_OF_CALL

static void fake_rng(void *ctx, unsigned char *buf, size_t n)
{
    unsigned *state = (unsigned *)ctx;
    unsigned char *p = (unsigned char *)buf;
    while (n--) { *state = *state * 1103515245u + 12345u; *p++ = (unsigned char)(*state >> 16); }
}

static void counting_rng(void *ctx, unsigned char *buf, size_t n)
{
    unsigned *i = (unsigned *)ctx;
    while (n--) { *buf++ = (unsigned char)(*i * 37 + 5); ++*i; }
}

static void test_ids(void)
{
    char a[17], b[17], small[16];
    unsigned st = 1;
    size_t i;
    CHECK(xmpp_make_id(a, sizeof a, fake_rng, &st) == a && strlen(a) == 16);
    CHECK(xmpp_make_id(b, sizeof b, fake_rng, &st) == b && strcmp(a, b) != 0);
    for (i = 0; i < 16; i++)
        CHECK((a[i] >= 'A' && a[i] <= 'Z') || (a[i] >= 'a' && a[i] <= 'z') || (a[i] >= '0' && a[i] <= '9') ||
              a[i] == '-' || a[i] == '_');
    CHECK(xmpp_make_id(small, sizeof small, fake_rng, &st) == NULL);
    {   /* a known answer: 12 bytes i * 37 + 5 in base64url (RFC 4648 §5; Python's
           base64.urlsafe_b64encode gives the same) */
        unsigned k = 0;
        CHECK(xmpp_make_id(a, sizeof a, counting_rng, &k) == a && strcmp(a, "BSpPdJm-4wgtUnec") == 0);
    }
    CHECK(xmpp_make_id(a, sizeof a, NULL, NULL) == NULL);
}

/* ---- round trips: random trees through the builder, the tokenizer, the collector and
   back out through the builder must give the same bytes; checked field by field too. */

static unsigned rnd_state;
static unsigned rnd(unsigned n)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 16) % n;
}

static const char *const r_names[] = { "message", "body", "x", "item", "caf\xc3\xa9", "a-b.c_d", "q" };
static const char *const r_ns[] = { "jabber:client", "urn:a", "urn:b", "", "http://jabber.org/protocol/pubsub#event" };
static const char *const r_text[] = { "hello", " & < > ' \" ", "\xe4\xbd\xa0\xe5\xa5\xbd", "\n\t\r", "]]>", "x" };

static void random_element(xmpp_builder *b, unsigned depth)
{
    unsigned i, na = rnd(4), nc = depth < 5 ? rnd(4) : 0;
    static const char *const attrs[] = { "id", "to", "from", "type", "k" };
    xmpp_build_start(b, r_ns[rnd(5)], r_names[rnd(7)]);
    for (i = 0; i < na; i++)   /* names distinct: one of each */
        xmpp_build_attr(b, i == 3 ? (rnd(2) ? XMPP_XMLNS_XML : "urn:attr") : NULL, attrs[i], r_text[rnd(6)]);
    for (i = 0; i < nc; i++) {
        if (rnd(3) == 0) xmpp_build_text(b, xmpp_str_z(r_text[rnd(6)]));
        else random_element(b, depth + 1);
    }
    xmpp_build_end(b);
}

/* Field by field: the tree against the builder's input is hard to keep; instead two
   trees of the same bytes, one collected whole and one byte by byte, are compared
   node by node, and the bytes written back equal the original. */
static void test_round_trip_random(void)
{
    static char built[8192], doc[8192 + 200];
    static unsigned char arena2[TEST_ARENA];
    unsigned round;
    int bad = 0;
    rnd_state = 42;
    for (round = 0; round < TEST_ROUNDS && !bad; round++) {
        xmpp_builder b;
        size_t len;
        xmpp_tree s2;
        const xmpp_node *whole;
        xmpp_build_init(&b, built, sizeof built, "jabber:client");
        random_element(&b, 0);
        if (xmpp_build_finish(&b, &len) != XMPP_OK) { bad = 1; printf("build failed: %s\n", xmpp_build_errmsg(&b)); break; }
        sprintf(doc, HDR "%s", built);
        /* whole: into g */
        whole = first(doc);
        if (!whole) { bad = 1; printf("not collected: %s\n", doc); break; }
        /* written back: the same bytes */
        {
            xmpp_builder b2;
            size_t len2;
            xmpp_build_init(&b2, out, sizeof out, "jabber:client");
            xmpp_build_node(&b2, whole);
            if (xmpp_build_finish(&b2, &len2) != XMPP_OK || len2 != len || memcmp(out, built, len)) {
                bad = 1;
                printf("round trip differs:\n%s\n%s\n", built, out);
                break;
            }
        }
        /* byte by byte into a second arena: the same tree */
        {
            xmpp_xml x;
            xmpp_xml_token t;
            size_t off = 0, used, dl = strlen(doc);
            const xmpp_node *r2 = NULL;
            xmpp_xml_init(&x, tbuf, sizeof tbuf, NULL);
            xmpp_tree_init(&s2, arena2, sizeof arena2);
            while (off < dl && !r2) {
                if (xmpp_xml_feed(&x, doc + off, 1, &used)) break;
                off += used;
                while (xmpp_xml_next(&x, &t) == XMPP_OK)
                    if (xmpp_tree_push(&s2, &t) == XMPP_OK) r2 = xmpp_tree_root(&s2);
            }
            if (!same_tree(whole, r2)) { bad = 1; printf("trees differ: %s\n", doc); }
        }
    }
    CHECK(!bad);
    CHECK(round == TEST_ROUNDS);
}

/* The common stanzas through the tokenizer and back, field by field. */
static void test_round_trip_common(void)
{
    static char doc[4096];
    xmpp_builder b;
    const xmpp_node *m;
    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    xmpp_build_message(&b, "juliet@example.com/balcony", "chat", "a1b2", "Neither, fair saint, if either thee dislike. <3");
    sprintf(doc, HDR "%s", build_ok(&b));
    m = first(doc);
    CHECK(xmpp_node_is(m, "jabber:client", "message"));
    CHECK(eqs(xmpp_node_attr(m, NULL, "to"), "juliet@example.com/balcony"));
    CHECK(eqs(xmpp_node_attr(m, NULL, "type"), "chat"));
    CHECK(eqs(xmpp_node_attr(m, NULL, "id"), "a1b2"));
    CHECK(eqs(xmpp_node_text(xmpp_node_child(m, "jabber:client", "body")), "Neither, fair saint, if either thee dislike. <3"));
    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    xmpp_build_presence(&b, "room@conference.example.com/nick", NULL, "dnd", "busy\nreally", 42);
    sprintf(doc, HDR "%s", build_ok(&b));
    m = first(doc);
    CHECK(xmpp_node_is(m, "jabber:client", "presence"));
    CHECK(eqs(xmpp_node_attr(m, NULL, "to"), "room@conference.example.com/nick"));
    CHECK(xmpp_node_attr(m, NULL, "type").p == NULL);
    CHECK(eqs(xmpp_node_text(xmpp_node_child(m, NULL, "show")), "dnd"));
    CHECK(eqs(xmpp_node_text(xmpp_node_child(m, NULL, "status")), "busy\nreally"));
    CHECK(eqs(xmpp_node_text(xmpp_node_child(m, NULL, "priority")), "42"));
    xmpp_build_init(&b, out, sizeof out, "jabber:client");
    xmpp_build_iq(&b, "set", "b1", "example.com");
    xmpp_build_start(&b, "urn:ietf:params:xml:ns:xmpp-bind", "bind");
    xmpp_build_start(&b, "urn:ietf:params:xml:ns:xmpp-bind", "resource");
    xmpp_build_text(&b, xmpp_str_z("balcony"));
    xmpp_build_end(&b);
    xmpp_build_end(&b);
    xmpp_build_end(&b);
    sprintf(doc, HDR "%s", build_ok(&b));
    m = first(doc);
    CHECK(eqs(xmpp_node_attr(m, NULL, "type"), "set") && eqs(xmpp_node_attr(m, NULL, "id"), "b1"));
    CHECK(eqs(xmpp_node_text(xmpp_node_child(xmpp_node_child(m, "urn:ietf:params:xml:ns:xmpp-bind", "bind"),
                                             "urn:ietf:params:xml:ns:xmpp-bind", "resource")), "balcony"));
}

/* The well-known namespaces (jabber:client, jabber:server, the XML namespace, streams,
   stanza errors) take no arena bytes; namespaces of the same lengths that differ from
   them in a byte (or in the byte that tells jabber:client from jabber:server) take a
   record each, and every one reads back as written. */
static void test_well_known_namespaces(void)
{
    static const char *const wk[] = { "jabber:server", "http://etherx.jabber.org/streams",
                                      "urn:ietf:params:xml:ns:xmpp-stanzas", "jabber:client" };
    static const char *const near[] = { "jabber:servex", "http://etherx.jabber.org/streamz",
                                        "urn:ietf:params:xml:ns:xmpp-stanzaz", "jabber:xlient" };
    const char *const *set[2];
    size_t used[2], i, k;
    char doc[1024];
    set[0] = wk;
    set[1] = near;
    for (k = 0; k < 2; k++) {
        const xmpp_node *m, *c;
        sprintf(doc, HDR "<message xml:lang='en'><a xmlns='%s'/><b xmlns='%s'/><c xmlns='%s'/>"
                         "<d xmlns='%s'/></message>", set[k][0], set[k][1], set[k][2], set[k][3]);
        m = first(doc);
        CHECK(m != NULL);
        if (!m) return;
        CHECK(eqs(xmpp_node_ns(m), "jabber:client"));
        CHECK(eqs(xmpp_node_attr(m, "http://www.w3.org/XML/1998/namespace", "lang"), "en"));
        for (i = 0, c = xmpp_node_first(m); i < 4; i++, c = xmpp_node_next(c)) {
            CHECK(c != NULL);
            if (!c) return;
            CHECK(eqs(xmpp_node_ns(c), set[k][i]));
        }
        used[k] = xmpp_tree_used(&g);
    }
    /* four records more: 6 bytes of header and the URI each */
    CHECK(used[1] == used[0] + 4 * 6 + 13 + 32 + 35 + 13);
    /* and the XML namespace (bound to xml:, the same in both sets above) takes no record
       either: xml:lang costs what an attribute in jabber:server does */
    CHECK(first(HDR "<message xml:lang='en'/>") != NULL);
    used[0] = xmpp_tree_used(&g);
    CHECK(first(HDR "<message xmlns:p='jabber:server' p:lang='en'/>") != NULL);
    CHECK(xmpp_tree_used(&g) == used[0]);
}

/* Every well-known namespace with any one byte changed is a namespace of its own, on an
   element and on an attribute: the comparison covers every byte, not just some words. */
static void test_well_known_near_misses(void)
{
    static const char *const wk[] = { "jabber:client", "jabber:server", "http://etherx.jabber.org/streams",
                                      "urn:ietf:params:xml:ns:xmpp-stanzas", "http://www.w3.org/XML/1998/namespace" };
    size_t i, k, bad = 0;
    char uri[64], doc[512];
    for (k = 0; k < sizeof wk / sizeof *wk; k++) {
        for (i = 0; i < strlen(wk[k]); i++) {
            const xmpp_node *m, *c;
            strcpy(uri, wk[k]);
            uri[i] = uri[i] == 'Q' ? 'R' : 'Q';
            sprintf(doc, HDR "<message xmlns:p='%s' p:a='v'><c xmlns='%s'/></message>", uri, uri);
            m = first(doc);
            c = m ? xmpp_node_first(m) : NULL;
            if (!c || !eqs(xmpp_node_ns(c), uri) || !eqs(xmpp_node_attr(m, uri, "a"), "v") ||
                xmpp_node_attr(m, wk[k], "a").p)
                bad++;
        }
    }
    CHECK(bad == 0);
}

int main(void)
{
    RUN(test_navigation);
    RUN(test_text_copy);
    RUN(test_stream_of_stanzas);
    RUN(test_long_text_merged);
    RUN(test_namespaces_once);
    RUN(test_nospace_skips_one);
    RUN(test_namespace_limit);
    RUN(test_namespace_reuse);
    RUN(test_well_known_namespaces);
    RUN(test_well_known_near_misses);
    RUN(test_push_order);
    RUN(test_tree_lifetime);
    RUN(test_arena_bound);
    RUN(test_long_attr_names);
    RUN(test_builder_escaping);
    RUN(test_builder_errors);
    RUN(test_builder_overflow);
    RUN(test_builder_review);
    RUN(test_builder_whole_calls);
    RUN(test_builder_whole_stanzas);
    RUN(test_common_stanzas);
    RUN(test_message_str);
    RUN(test_stanza_errors);
    RUN(test_error_reply);
    RUN(test_stanza_namespace);
    RUN(test_ids);
    RUN(test_round_trip_random);
    RUN(test_round_trip_common);
    return check_done();
}
