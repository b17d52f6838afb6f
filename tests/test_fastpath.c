/* test_fastpath.c - the tokenizer's speed shortcuts (XMPP_FAST: start tags read in one go,
   SIMD or word-at-a-time runs, references decoded in one go, namespace shortcuts, text
   shortcuts) change nothing: two copies built with them (fastpath2.c with SIMD where the
   machine has it, fastpath3.c without) and one built without (this file), over random
   XMPP-like documents, many of them broken, under random small limits and buffers smaller
   than xmpp_xml_buffer_size(), give the same tokens, offsets and errors. The copy without
   is fed each document whole; the copies with, whole, byte by byte and in random pieces. */
#undef XMPP_FAST
#define XMPP_FAST 0
#define FP_RUN fastpath_run_small
#include "fastpath.h"
#include "check.h"
#include <stdint.h>

typedef size_t fp_run(const unsigned char *doc, size_t len, const size_t *cuts, size_t ncuts,
                      const xmpp_xml_limits *lim, size_t shrink, char *out, size_t size);
fp_run fastpath_run_fast;    /* fastpath2.c: XMPP_FAST, with SIMD where the machine has it */
fp_run fastpath_run_words;   /* fastpath3.c: XMPP_FAST without SIMD (XMPP_NO_SIMD) */
static fp_run *const fast_runs[] = { fastpath_run_fast, fastpath_run_words };
static const char *const fast_names[] = { "", "XMPP_NO_SIMD: " };

#ifndef TEST_FAST_DOCS
#define TEST_FAST_DOCS 6000
#endif
#define DOC_MAX 20000

static uint64_t rs = 88172645463325252u;
static unsigned R(unsigned n)   /* 0..n-1 (xorshift) */
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return n ? (unsigned)(rs % n) : 0;
}

static unsigned char doc[DOC_MAX];
static size_t dl;
static unsigned plain, multibyte;   /* this document: meant to be well-formed; text heavy in UTF-8 */

static void put_n(const char *s, size_t n)
{
    if (dl + n < DOC_MAX) { memcpy(doc + dl, s, n); dl += n; }
}
static void put(const char *s) { put_n(s, strlen(s)); }
static void put_c(int c) { if (dl + 1 < DOC_MAX) doc[dl++] = (unsigned char)c; }

static const char *const prefixes[] = { "", "", "", "a", "b", "stream", "xml", "xmlns", "p" };
static const char *const locals[] = { "x", "message", "body", "a", "xmlns", "lang", "id", "to", "b",
                                      "Q", "_", "n-1.2", "xml", "abcde" };
static const char *const uris[] = { "", "jabber:client", "urn:x", "http://www.w3.org/XML/1998/namespace",
                                     "http://www.w3.org/2000/xmlns/", "urn:xmpp:long:namespace:uri:0123456789" };

static void gen_name(int element)
{
    unsigned k = R(20);
    const char *p;
    if (plain) {   /* unprefixed, or xml:lang on an attribute: always bound */
        if (!element && !R(8)) put("xml:");
        put(locals[R(14)]);
        return;
    }
    switch (k) {
    case 0: { unsigned n = 1 + R(40); put_c('n'); while (n--) put_c("abz09_-."[R(8)]); return; }
    case 1: put("\xc3\xa9l"); return;              /* non-ASCII name */
    case 2: put("a:b:c"); return;                  /* two colons */
    case 3: put("e\xe2\x80\x8c"); return;          /* U+200C, a NameChar */
    case 4: if (!element) { put("xmlns:"); put(prefixes[3 + R(6)]); return; } break;
    default: break;
    }
    p = prefixes[R(9)];
    if (*p) { put(p); put_c(':'); }
    put(locals[R(14)]);
}

static void gen_chars(int in_value)
{
    static const char *const utf8[] = { "\xc3\xa9", "\xdf\xbf", "\xc2\x80", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                        "a", "\xc2", "]", "\r" };
    static const char *const bad[] = { "\xc0\x80", "\xc1\xbf", "\xc2", "\xc2\x41", "\xdf\xc0", "\xe0\x80\x80",
                                       "\xed\xa0\x80", "\xef\xbf\xbe", "\xef\xbf\xbf", "\xf4\x90\x80\x80", "\xf5",
                                       "\x80", "\x01", "\x7f", "\xc3" };
    /* references: well-formed ones first (the plain documents take only those), then
       the edges of the one-go decoding: digit counts, range, non-characters, typos */
    static const char *const refs[] = { "&lt;", "&gt;", "&amp;", "&quot;", "&apos;", "&#65;", "&#x10FFFF;",
                                        "&#1114111;", "&#x7FF;", "&#xFFFD;", "&#0000065;", "&#x00041;",
                                        "&#x0000041;", "&#00000065;", "&#x110000;", "&#1114112;", "&#0;",
                                        "&#xD800;", "&#xFFFE;", "&#x;", "&#;", "&#65", "&#X41;", "&#x4g;",
                                        "&am;", "&ampx;", "&lt", "&quo;", "&aposx;", "&foo;", "&#x9;",
                                        "&#99999999999;" };
    unsigned n = multibyte ? R(200) : R(4) == 0 ? R(80) : R(12);
    while (n--) {
        unsigned k = R(40);
        if (multibyte && R(2)) { put(utf8[R(plain ? 6 : 9)]); continue; }
        if (plain && k >= 27 && k != 37) k = R(27);
        if (k < 22) { put_c("abcdefgh ./:-_0123456>="[R(23)]); continue; }
        switch (k) {
        case 22: put("\xc3\xa9"); break;
        case 23: put("\xdf\xbf"); break;
        case 24: put("\xc2\x80"); break;
        case 25: put("\xe2\x82\xac"); break;
        case 26: put("\xf0\x9f\x98\x80"); break;
        case 27: put("&amp;"); break;
        case 28: put(R(2) ? "&#x41;" : "&#233;"); break;
        case 29: put_c(in_value ? (R(2) ? '"' : '\'') : ']'); break;
        case 30: put(R(2) ? "\r\n" : "\r"); break;
        case 31: put_c(R(2) ? '\t' : '\n'); break;
        case 32: put(in_value ? "'" : "]]"); break;
        case 33: put(in_value ? "\"" : "]]>"); break;
        case 34: put(bad[R(15)]); break;
        case 35: if (!R(4)) put_c('<'); break;
        case 36: put_c('&'); break;
        case 37: put(refs[R(plain || R(2) ? 12 : sizeof refs / sizeof *refs)]); break;
        default: put_c('a' + (int)R(26)); break;
        }
    }
}

static void gen_attrs(void)
{
    unsigned n = R(4) ? R(4) : R(20), i, first = R(14);
    if (plain) n = R(2) ? 0 : n % 9;
    for (i = 0; i < n; i++) {
        unsigned k = R(6);
        int q = R(2) ? '"' : '\'';
        put_c(R(8) ? ' ' : R(2) ? '\n' : '\t');
        if (k == 0 && (!plain || i == 0)) {
            put("xmlns");
            if (!plain && R(2)) { put_c(':'); put(prefixes[3 + R(6)]); }
        } else if (plain) {   /* distinct names, but now and then the first one again */
            unsigned again = i && !R(24);
            put(locals[(first + (again ? 0 : i)) % 14]);
            put_c('0' + (int)((again ? 0 : i) / 14));
        } else {
            gen_name(0);
        }
        put(R(15) ? "=" : " = ");
        put_c(q);
        if (k == 0 || R(5) == 0) put(uris[R(plain ? 3 : 6)]);
        else gen_chars(1);
        if (plain || R(30)) put_c(q);
    }
    if (R(10) == 0) put_c(' ');
}

static void gen_element(unsigned depth)
{
    size_t start = dl + 1, nl;
    char name[256];
    unsigned n;
    put_c('<');
    gen_name(1);
    nl = dl < start ? 0 : dl - start < sizeof name ? dl - start : sizeof name;   /* doc full: none */
    memcpy(name, doc + start, nl);
    gen_attrs();
    if (R(4) == 0) { put(plain || R(20) ? "/>" : "/ >"); return; }
    put_c('>');
    for (n = depth > 5 ? 0 : R(4); n; n--) {
        unsigned k = R(5);
        if (k < 2) gen_element(depth + 1);
        else if (k == 2 && !R(3)) { put("<![CDATA["); gen_chars(0); put("]]>"); }
        else gen_chars(0);
    }
    put("</");
    if (plain || R(30)) put_n(name, nl); else put("zz");
    if (!R(10)) put_c(' ');
    put_c('>');
}

static void gen_doc(void)
{
    static const char mut[] = "<>/=\"' :x\t\r\n&;]![\xc3\xa9\x80";
    unsigned m;
    dl = 0;
    plain = R(2);
    multibyte = R(4) == 0;
    if (R(3) == 0) put("<?xml version='1.0'?>");
    if (R(5)) {
        unsigned n = 1 + R(6);
        put("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
            "to='example.com' version='1.0'>");
        while (n--) {
            if (R(3) == 0) gen_chars(0);
            gen_element(2);
        }
        if (R(2)) put("</stream:stream>");
    } else {
        gen_element(1);
    }
    m = plain || R(3) ? 0 : 1 + R(4);   /* mutations: a byte changed, added, removed */
    while (m-- && dl > 2) {
        size_t at = R((unsigned)dl);
        switch (R(3)) {
        case 0: doc[at] = (unsigned char)mut[R(sizeof mut - 1)]; break;
        case 1: memmove(doc + at + 1, doc + at, dl - at); doc[at] = (unsigned char)mut[R(sizeof mut - 1)]; dl++; break;
        default: memmove(doc + at, doc + at + 1, dl - at - 1); dl--; break;
        }
        if (dl + 1 >= DOC_MAX) break;
    }
}

static void dump(const char *what, const char *want, const char *got)
{
    size_t i;
    printf("%s differs; document (%lu bytes): ", what, (unsigned long)dl);
    for (i = 0; i < dl; i++)
        if (doc[i] >= 0x20 && doc[i] < 0x7F && doc[i] != '\\') putchar(doc[i]);
        else printf("\\x%02x", doc[i]);
    printf("\nwithout XMPP_FAST:\n%swith:\n%s", want, got);
}

static void test_fast_equals_small(void)
{
    static char want[1 << 20], got[1 << 20];
    static size_t cuts[DOC_MAX + 1];
    unsigned i, bad = 0, errors = 0, tokens = 0;
    for (i = 0; i < TEST_FAST_DOCS && bad < 3; i++) {
        xmpp_xml_limits lim;
        size_t shrink = 0, nc, j;
        int way;
        memset(&lim, 0, sizeof lim);
        gen_doc();
        if (R(plain ? 4 : 2) == 0) {
            lim.max_depth = R(3) ? 1 + R(6) : 0;
            lim.max_attrs = 1 + R(6);
            lim.max_name = R(3) ? 1 + R(24) : 0;
            lim.max_token = 16 + R(R(2) ? 40 : 200);
            lim.max_stanza = R(3) ? 1 + R(R(2) ? 100 : 600) : 0;
        }
        if (R(4) == 0) shrink = R(R(2) ? 400 : 4000);
        fastpath_run_small(doc, dl, NULL, 0, &lim, shrink, want, sizeof want);
        errors += strstr(want, "error: ") != NULL;
        tokens += strstr(want, "\n@") != NULL;
        for (way = 0; way < 8; way++) {   /* whole, byte by byte, pieces of 1-16, of 1-300; */
            nc = 0;                          /* each with and without SIMD */
            if (way % 4 == 1) for (j = 1; j <= dl; j++) cuts[nc++] = j;
            for (j = 0; way % 4 >= 2 && j < dl; cuts[nc++] = j)
                j += 1 + R(way % 4 == 2 ? 16 : 300);
            fast_runs[way / 4](doc, dl, cuts, nc, &lim, shrink, got, sizeof got);
            if (strcmp(want, got) != 0) {
                printf("%s", fast_names[way / 4]);
                dump(way % 4 == 0 ? "whole" : way % 4 == 1 ? "byte by byte" : "pieces", want, got);
                bad++;
                break;
            }
        }
    }
    printf("  %u documents: %u end in an error, %u give two tokens or more\n", i, errors, tokens);
    CHECK(bad == 0);
    /* the documents reach both ends: some fail, many give several tokens (about half of
       them; a third is the bound, so that a change to the generator does not trip it) */
    CHECK(errors > TEST_FAST_DOCS / 10 && errors < TEST_FAST_DOCS - TEST_FAST_DOCS / 10);
    CHECK(tokens > TEST_FAST_DOCS / 3);
}

/* Every buffer size from too small to enough, for a range of max_token: the buffer runs
   out at every point of the document (the text shortcuts must then fail as the states do). */
static void test_fast_equals_small_every_buffer(void)
{
    static const char *const docs[] = {
        "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"
        "<message to='a@b' id='1'><body>hi &amp; bye</body><x xmlns='urn:x'><y/></x></message>"
        "<iq type='get'><q xmlns='urn:q' a='\xc3\xa9\xe2\x82\xac'>\xc3\xa9t\xc3\xa9</q></iq>"
        "<a><![CDATA[x]]]]><b/>]]</a></stream:stream>",
        "<r><abcdef><g/></abcdef><abcdefghijk><g/></abcdefghijk>"
        "<a b='1' c='2'><d e='3'/>text<f/></a><g>\xdf\xbf\xdf\xbf</g></r>"
    };
    static char want[1 << 16], got[1 << 16];
    static size_t cuts[1024];
    unsigned d, token, v, bad = 0;
    size_t shrink, j, runs = 0;
    for (d = 0; d < 2; d++) {
        dl = strlen(docs[d]);
        memcpy(doc, docs[d], dl);
        for (j = 0; j < dl; j++) cuts[j] = j + 1;
        for (token = 16; token < 80 && !bad; token++) {
            xmpp_xml_limits lim = { 6, 4, 0, 0, 0 };
            size_t bs;
            lim.max_token = token;
            bs = xmpp_xml_buffer_size(&lim);
            for (shrink = 0; shrink < bs && !bad; shrink++) {
                fastpath_run_small(doc, dl, NULL, 0, &lim, shrink, want, sizeof want);
                if (strstr(want, "init refused")) break;   /* smaller ones are refused too */
                for (v = 0; v < 2 && !bad; v++) {
                    fast_runs[v](doc, dl, NULL, 0, &lim, shrink, got, sizeof got);
                    if (strcmp(want, got) != 0) { dump("whole, small buffer", want, got); bad++; }
                    fast_runs[v](doc, dl, cuts, dl, &lim, shrink, got, sizeof got);
                    if (!bad && strcmp(want, got) != 0) { dump("byte by byte, small buffer", want, got); bad++; }
                    if (bad) printf("%s\n", fast_names[v]);
                }
                runs++;
            }
        }
    }
    CHECK(bad == 0);
    CHECK(runs > 1000);
}

int main(void)
{
    RUN(test_fast_equals_small);
    RUN(test_fast_equals_small_every_buffer);
    return check_done();
}
