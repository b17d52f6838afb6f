/* test_xml.c - the XML tokenizer (>>xml): every rule of the tokenizer with its own input,
   each input fed whole, one byte at a time and cut at every offset. */
#define XMPP_IMPLEMENTATION
/* A start tag is read in one go (XMPP_FAST) only with 16 bytes left in the chunk; with 2,
   the short inputs below take that path too when fed whole or in two pieces, and byte by
   byte they never do: both must give the same tokens and errors. */
#define XMPP__TAG_FAST_MIN 2
#include "../xmpp.h"
#include "check.h"
#include "xmltest.h"
#include "corpus.h"
#include <stdlib.h>

#ifndef TEST_TBUF   /* the tokenizer's buffer, and the rendered tokens of one run */
#define TEST_TBUF (1 << 17)
#endif
#ifndef TEST_GOT
#define TEST_GOT (1 << 17)
#endif
#ifndef TEST_BRACKETS   /* ']' in the long CDATA run */
#define TEST_BRACKETS 4000
#endif
static unsigned char tbuf[TEST_TBUF];
static char got[TEST_GOT];

/* Tokenize doc whole, byte by byte, and cut once at every offset: all must print want. */
static int expect_lim(const char *doc, size_t len, const xmpp_xml_limits *lim, const char *want)
{
    xmpp_xml x;
    xt_out o;
    size_t i, cut, *cuts = malloc((len + 1) * sizeof *cuts);
    int ok = 1;
    o.p = got;
    o.size = sizeof got;
    for (i = 0; i < len; i++) cuts[i] = i + 1;
    for (cut = 0; cut <= len + 1 && ok; cut++) {
        xmpp_xml_init(&x, tbuf, sizeof tbuf, lim);
        if (cut == 0) xt_run(&x, doc, len, NULL, 0, &o);               /* whole */
        else if (cut == len + 1) xt_run(&x, doc, len, cuts, len, &o);  /* byte by byte */
        else xt_run(&x, doc, len, &cut, 1, &o);                        /* two pieces */
        if (strcmp(got, want) != 0) {
            printf("input: %.*s\ncut: %s %lu\nwant:\n%sgot:\n%s", (int)len, doc,
                   cut == len + 1 ? "bytes" : "at", (unsigned long)cut, want, got);
            ok = 0;
        }
    }
    free(cuts);
    return ok;
}

static int expect(const char *doc, const char *want)
{
    return expect_lim(doc, strlen(doc), NULL, want);
}

#define NS_STREAM "http://etherx.jabber.org/streams"
#define NS_XML "http://www.w3.org/XML/1998/namespace"
#define HDR "<stream:stream xmlns='jabber:client' xmlns:stream='" NS_STREAM "' to='a.test' version='1.0'>"
#define HDR_TOK "open 1 stream:stream {" NS_STREAM "}stream to=\"a.test\" version=\"1.0\"\n"

/* ---- tokens */

static void test_tokens_stream(void)
{
    CHECK(expect("<?xml version='1.0' encoding='UTF-8'?>" HDR "<message to='b@c'><body>hi</body></message></stream:stream>",
        "decl version=\"1.0\" encoding=\"UTF-8\"\n" HDR_TOK
        "start 2 message {jabber:client}message to=\"b@c\"\n"
        "start 3 body {jabber:client}body\n"
        "text 3 \"hi\"\n"
        "end 3 body {jabber:client}body\n"
        "end 2 message {jabber:client}message\n"
        "close 1 stream:stream {" NS_STREAM "}stream\n"));
}

static void test_tokens_open_without_close(void)
{
    /* the stream header is a token as soon as its '>' arrives */
    CHECK(expect(HDR, HDR_TOK));
    CHECK(expect(HDR "<presence/>", HDR_TOK "start 2 presence {jabber:client}presence\nend 2 presence {jabber:client}presence\n"));
}

static void test_tokens_empty_root(void)
{
    CHECK(expect("<stream:stream xmlns:stream='" NS_STREAM "'/>",
        "open 1 stream:stream {" NS_STREAM "}stream\nclose 1 stream:stream {" NS_STREAM "}stream\n"));
}

static void test_tokens_whitespace_keepalive(void)
{
    CHECK(expect(HDR " \n <iq/>\t", HDR_TOK "text 1 \" \\n \"\nstart 2 iq {jabber:client}iq\nend 2 iq {jabber:client}iq\n"));
}

static void test_tokens_prolog_whitespace_and_bom(void)
{
    CHECK(expect("\xEF\xBB\xBF<?xml version='1.0'?>\n<a/>\n", "decl version=\"1.0\"\nopen 1 a {}a\nclose 1 a {}a\n"));
    CHECK(expect("  <a/>  ", "open 1 a {}a\nclose 1 a {}a\n"));
}

static void test_tokens_offsets(void)
{
    xmpp_xml x;
    xmpp_xml_token t;
    const char *doc = "<a>xy<b/>z</a>";
    size_t used, off = 0, n = strlen(doc);
    uint64_t offs[8];
    int k = 0;
    xmpp_xml_init(&x, tbuf, sizeof tbuf, NULL);
    while (off < n) {
        CHECK(xmpp_xml_feed(&x, doc + off, n - off, &used) == XMPP_OK);
        off += used;
        while (xmpp_xml_next(&x, &t) == XMPP_OK && k < 8) offs[k++] = t.offset;
    }
    CHECK(k == 6);
    CHECK(offs[0] == 0 && offs[1] == 3 && offs[2] == 5 && offs[3] == 5 && offs[4] == 9 && offs[5] == 10);
}

/* ---- names and namespaces */

static void test_ns_default_and_prefixed(void)
{
    CHECK(expect("<a xmlns='urn:a' xmlns:p='urn:p'><p:b p:x='1' y='2'/><c/></a>",
        "open 1 a {urn:a}a\n"
        "start 2 p:b {urn:p}b y=\"2\" {urn:p}x=\"1\"\n"
        "end 2 p:b {urn:p}b\n"
        "start 2 c {urn:a}c\nend 2 c {urn:a}c\nclose 1 a {urn:a}a\n"));
}

static void test_ns_scoping(void)
{
    /* a declaration lasts to the end of its element; the outer one comes back */
    CHECK(expect("<a xmlns='urn:1'><b xmlns='urn:2'><c/></b><d/><e xmlns=''/></a>",
        "open 1 a {urn:1}a\nstart 2 b {urn:2}b\nstart 3 c {urn:2}c\nend 3 c {urn:2}c\nend 2 b {urn:2}b\n"
        "start 2 d {urn:1}d\nend 2 d {urn:1}d\nstart 2 e {}e\nend 2 e {}e\nclose 1 a {urn:1}a\n"));
    /* the default namespace declared in the tag, or the parent's: every combination */
    CHECK(expect("<a xmlns='urn:1'><b><c xmlns='urn:2'><d/></c><e q='1'/></b></a>",
        "open 1 a {urn:1}a\nstart 2 b {urn:1}b\nstart 3 c {urn:2}c\nstart 4 d {urn:2}d\nend 4 d {urn:2}d\n"
        "end 3 c {urn:2}c\nstart 3 e {urn:1}e q=\"1\"\nend 3 e {urn:1}e\nend 2 b {urn:1}b\nclose 1 a {urn:1}a\n"));
    CHECK(expect("<p:a xmlns:p='urn:p' xmlns='urn:d'><b/><p:c><d/></p:c></p:a>",
        "open 1 p:a {urn:p}a\nstart 2 b {urn:d}b\nend 2 b {urn:d}b\nstart 2 p:c {urn:p}c\n"
        "start 3 d {urn:d}d\nend 3 d {urn:d}d\nend 2 p:c {urn:p}c\nclose 1 p:a {urn:p}a\n"));
    CHECK(expect("<a xmlns='urn:1'><b xmlns:q='urn:q'><c/></b><f xmlns=''><g/></f></a>",
        "open 1 a {urn:1}a\nstart 2 b {urn:1}b\nstart 3 c {urn:1}c\nend 3 c {urn:1}c\nend 2 b {urn:1}b\n"
        "start 2 f {}f\nstart 3 g {}g\nend 3 g {}g\nend 2 f {}f\nclose 1 a {urn:1}a\n"));
    CHECK(expect("<a xmlns:p='urn:1'><p:b xmlns:p='urn:2'/><p:c/></a>",
        "open 1 a {}a\nstart 2 p:b {urn:2}b\nend 2 p:b {urn:2}b\nstart 2 p:c {urn:1}c\nend 2 p:c {urn:1}c\nclose 1 a {}a\n"));
}

static void test_ns_declared_after_use(void)
{
    /* declarations count for the whole tag, wherever they stand in it */
    CHECK(expect("<p:a p:x='1' xmlns:p='urn:p'/>",
        "open 1 p:a {urn:p}a {urn:p}x=\"1\"\nclose 1 p:a {urn:p}a\n"));
}

static void test_ns_xml_prefix(void)
{
    CHECK(expect("<a xml:lang='en'/>", "open 1 a {}a {" NS_XML "}lang=\"en\"\nclose 1 a {}a\n"));
    CHECK(expect("<a xmlns:xml='" NS_XML "'/>", "open 1 a {}a\nclose 1 a {}a\n"));
    CHECK(expect("<a xmlns:xml='urn:x'/>", "error: not-well-formed at byte 21: the xml prefix is bound to its own namespace only\n"));
    CHECK(expect("<a xmlns:p='" NS_XML "'/>", "error: not-well-formed at byte 50: the xml prefix is bound to its own namespace only\n"));
    CHECK(expect("<a xmlns:xmlns='urn:x'/>", "error: not-well-formed at byte 23: the xmlns prefix cannot be declared\n"));
    CHECK(expect("<a xmlns:p='http://www.w3.org/2000/xmlns/'/>", "error: not-well-formed at byte 43: the xmlns namespace cannot be bound\n"));
    CHECK(expect("<xmlns:a/>", "error: not-well-formed at byte 9: the xmlns prefix cannot name an element\n"));
}

static void test_ns_undeclared_prefix(void)
{
    CHECK(expect("<p:a/>", "error: not-well-formed at byte 5: undeclared namespace prefix on element\n"));
    CHECK(expect("<a p:x='1'/>", "error: not-well-formed at byte 11: undeclared namespace prefix on attribute\n"));
    CHECK(expect("<a xmlns:p=''/>", "error: not-well-formed at byte 14: a prefix cannot be undeclared (xmlns:p=\"\")\n"));
    /* out of scope after its element ends */
    CHECK(expect("<a><b xmlns:p='u'/><p:c/></a>", "open 1 a {}a\nstart 2 b {}b\nend 2 b {}b\n"
                 "error: not-well-formed at byte 24: undeclared namespace prefix on element\n"));
}

static void test_ns_unique_attributes(void)
{
    CHECK(expect("<a x='1' x='2'/>", "error: not-well-formed at byte 15: duplicate attribute\n"));
    /* and on a child, with and without namespaces around it (the start tag's shortcuts) */
    CHECK(expect("<s><a x='1' x='2'/></s>", "open 1 s {}s\nerror: not-well-formed at byte 18: duplicate attribute\n"));
    CHECK(expect("<s xmlns='u'><m><a x='1' y='2' x='3'></a></m></s>",
                 "open 1 s {u}s\nstart 2 m {u}m\nerror: not-well-formed at byte 36: duplicate attribute\n"));
    CHECK(expect("<p:s xmlns:p='u'><a x='1' x='2'/></p:s>",
                 "open 1 p:s {u}s\nerror: not-well-formed at byte 32: duplicate attribute\n"));
    CHECK(expect("<a xmlns='u' xmlns='u'/>", "error: not-well-formed at byte 23: duplicate attribute\n"));
    CHECK(expect("<a xmlns:p='u' xmlns:q='u' p:x='1' q:x='2'/>",
                 "error: not-well-formed at byte 43: duplicate attribute (same namespace and name)\n"));
    /* same local name, different namespaces: fine; unprefixed x has no namespace */
    CHECK(expect("<a xmlns='u' xmlns:p='u' x='1' p:x='2'/>", "open 1 a {u}a x=\"1\" {u}x=\"2\"\nclose 1 a {u}a\n"));
}

/* Names compared whole: two attribute names (and two prefixes) of 1 to 13 bytes that
   differ in any one byte are two names; the same name twice is a duplicate. */
static void test_ns_unique_every_byte(void)
{
    char name[16], other[16], doc[128], want[128];
    size_t n, i, bad = 0;
    for (n = 1; n <= 13; n++) {
        for (i = 0; i < n; i++) name[i] = (char)('a' + i);
        name[n] = 0;
        sprintf(doc, "<a %s='1' %s='2'/>", name, name);
        sprintf(want, "error: not-well-formed at byte %lu: duplicate attribute\n", (unsigned long)(2 * n + 13));
        bad += !expect(doc, want);
        for (i = 0; i < n; i++) {
            strcpy(other, name);
            other[i] = 'z';
            sprintf(doc, "<a %s='1' %s='2'/>", name, other);
            sprintf(want, "open 1 a {}a %s=\"1\" %s=\"2\"\nclose 1 a {}a\n", name, other);
            bad += !expect(doc, want);
            sprintf(doc, "<a xmlns:%s='u' xmlns:%s='v' %s:x='1' %s:x='2'/>", name, other, name, other);
            sprintf(want, "open 1 a {}a {u}x=\"1\" {v}x=\"2\"\nclose 1 a {}a\n");
            bad += !expect(doc, want);
        }
    }
    CHECK(bad == 0);
}

static void test_names_syntax(void)
{
    CHECK(expect("<a:b:c/>", "error: not-well-formed at byte 4: more than one ':' in a name\n"));
    CHECK(expect("<:a/>", "error: not-well-formed at byte 1: invalid character at the start of a name\n"));
    CHECK(expect("<a:/>", "error: not-well-formed at byte 3: invalid character at the start of a name\n"));
    CHECK(expect("<1a/>", "error: not-well-formed at byte 1: invalid character at the start of a name\n"));
    CHECK(expect("<a:1/>", "error: not-well-formed at byte 3: invalid character at the start of a name\n"));
    CHECK(expect("< a/>", "error: not-well-formed at byte 1: invalid character at the start of a name\n"));
    CHECK(expect("<a.b-c_d9/>", "open 1 a.b-c_d9 {}a.b-c_d9\nclose 1 a.b-c_d9 {}a.b-c_d9\n"));
    /* non-ASCII names: XML 1.0 5th edition NameStartChar / NameChar */
    CHECK(expect("<\xC3\xA9t\xC3\xA9 \xE4\xB8\xAD='1'/>", "open 1 \xC3\xA9t\xC3\xA9 {}\xC3\xA9t\xC3\xA9 \xE4\xB8\xAD=\"1\"\nclose 1 \xC3\xA9t\xC3\xA9 {}\xC3\xA9t\xC3\xA9\n"));
    CHECK(expect("<a\xC2\xB7/>", "open 1 a\xC2\xB7 {}a\xC2\xB7\nclose 1 a\xC2\xB7 {}a\xC2\xB7\n"));
    CHECK(expect("<\xC2\xB7/>", "error: not-well-formed at byte 2: invalid character in a name\n"));   /* not a start char */
    CHECK(expect("<a\xC3\x97/>", "error: not-well-formed at byte 3: invalid character in a name\n"));   /* U+00D7 */
    /* the top of [#x10000-#xEFFFF]: U+EFFFF is a name character, U+F0000 is not */
    CHECK(expect("<a\xF3\xAF\xBF\xBF/>", "open 1 a\xF3\xAF\xBF\xBF {}a\xF3\xAF\xBF\xBF\nclose 1 a\xF3\xAF\xBF\xBF {}a\xF3\xAF\xBF\xBF\n"));
    CHECK(expect("<a\xF3\xB0\x80\x80/>", "error: not-well-formed at byte 5: invalid character in a name\n"));
}

static void test_tag_syntax(void)
{
    CHECK(expect("<a x='1'y='2'/>", "error: not-well-formed at byte 8: attributes must be separated by white space\n"));
    CHECK(expect("<a x = \"1\"\n\ty\t=\t'2' ></a >", "open 1 a {}a x=\"1\" y=\"2\"\nclose 1 a {}a\n"));
    CHECK(expect("<a x/>", "error: not-well-formed at byte 4: expected '=' after an attribute name\n"));
    CHECK(expect("<a x=1/>", "error: not-well-formed at byte 5: attribute value not quoted\n"));
    CHECK(expect("<a/ >", "error: not-well-formed at byte 3: expected '>' after '/'\n"));
    CHECK(expect("<a x='<'/>", "error: not-well-formed at byte 6: '<' in an attribute value\n"));
    CHECK(expect("<a x='\"' y=\"'\"/>", "open 1 a {}a x=\"\\\"\" y=\"'\"\nclose 1 a {}a\n"));
}

static void test_end_tags(void)
{
    CHECK(expect("<a></b>", "open 1 a {}a\nerror: not-well-formed at byte 5: end tag does not match the start tag\n"));
    CHECK(expect("<a></ab>", "open 1 a {}a\nerror: not-well-formed at byte 6: end tag does not match the start tag\n"));
    CHECK(expect("<ab></a>", "open 1 ab {}ab\nerror: not-well-formed at byte 7: end tag does not match the start tag\n"));
    CHECK(expect("<p:a xmlns:p='u' xmlns:q='u'></q:a>", "open 1 p:a {u}a\nerror: not-well-formed at byte 31: end tag does not match the start tag\n"));
    CHECK(expect("</a>", "error: not-well-formed at byte 1: end tag without a start tag\n"));
    CHECK(expect("<a>x</a><b/>", "open 1 a {}a\ntext 1 \"x\"\nclose 1 a {}a\nerror: not-well-formed at byte 9: markup after the root element\n"));
    {   /* names of 1-12 bytes, each byte wrong in turn, one too many, one too few; with
           bytes after the end tag (XMPP_FAST compares up to eight bytes in one go) */
        static const char abc[] = "abcdefghijkl";
        char doc[128], want[256];
        int len, pos;
        for (len = 1; len <= 12; len++) {
            for (pos = 0; pos <= len + 1; pos++) {
                char wrong[16];
                int at = 7 + len + (pos <= len ? pos : len - 1);
                memcpy(wrong, abc, (size_t)len);
                wrong[len] = 0;
                if (pos < len) wrong[pos] = 'z';
                else if (pos == len) { wrong[len] = 'z'; wrong[len + 1] = 0; }
                else wrong[len - 1] = 0;
                snprintf(doc, sizeof doc, "<r><%.*s></%s><s/><s/></r>", len, abc, wrong);
                snprintf(want, sizeof want, "open 1 r {}r\nstart 2 %.*s {}%.*s\nerror: not-well-formed at byte %d: "
                         "end tag does not match the start tag\n", len, abc, len, abc, at);
                CHECK(expect(doc, want));
            }
            snprintf(doc, sizeof doc, "<r><%.*s></%.*s><s/><s/></r>", len, abc, len, abc);
            snprintf(want, sizeof want, "open 1 r {}r\nstart 2 %.*s {}%.*s\nend 2 %.*s {}%.*s\nstart 2 s {}s\n"
                     "end 2 s {}s\nstart 2 s {}s\nend 2 s {}s\nclose 1 r {}r\n", len, abc, len, abc, len, abc, len, abc);
            CHECK(expect(doc, want));
        }
    }
    /* after the root: comments and PIs are well-formed XML, restricted by RFC 6120 */
    CHECK(expect("<a/><!-- x -->", "open 1 a {}a\nclose 1 a {}a\nerror: restricted-xml at byte 6: comment\n"));
    CHECK(expect("<a/> <?pi?>", "open 1 a {}a\nclose 1 a {}a\nerror: restricted-xml at byte 6: processing instruction\n"));
    CHECK(expect("<a/>x", "open 1 a {}a\nclose 1 a {}a\nerror: not-well-formed at byte 4: text outside the root element\n"));
}

/* ---- text */

static void test_text_entities(void)
{
    CHECK(expect("<a>&lt;&gt;&amp;&apos;&quot;</a>", "open 1 a {}a\ntext 1 \"<>&'\\\"\"\nclose 1 a {}a\n"));
    CHECK(expect("<a>&#65;&#x42;&#x0000043;&#x263a;&#128512;</a>", "open 1 a {}a\ntext 1 \"ABC\xE2\x98\xBA\xF0\x9F\x98\x80\"\nclose 1 a {}a\n"));
    CHECK(expect("<a x='&lt;&#x41;&amp;'/>", "open 1 a {}a x=\"<A&\"\nclose 1 a {}a\n"));
    CHECK(expect("<a>& </a>", "open 1 a {}a\nerror: not-well-formed at byte 4: '&' not followed by a reference\n"));
    CHECK(expect("<a>&lt </a>", "open 1 a {}a\nerror: not-well-formed at byte 6: entity reference without ';'\n"));
    CHECK(expect("<a>&#;</a>", "open 1 a {}a\nerror: not-well-formed at byte 5: invalid character reference\n"));
    CHECK(expect("<a>&#x;</a>", "open 1 a {}a\nerror: not-well-formed at byte 6: invalid character reference\n"));
    CHECK(expect("<a>&#12a;</a>", "open 1 a {}a\nerror: not-well-formed at byte 7: invalid character reference\n"));
    /* '@' and '`' sit just below 'A' and 'a' (found by fuzzing: once read as hex digits) */
    CHECK(expect("<a>&#x26@;</a>", "open 1 a {}a\nerror: not-well-formed at byte 8: invalid character reference\n"));
    CHECK(expect("<a>&#x26`;</a>", "open 1 a {}a\nerror: not-well-formed at byte 8: invalid character reference\n"));
    CHECK(expect("<a>&#xaF;&#XA;</a>", "open 1 a {}a\nerror: not-well-formed at byte 11: invalid character reference\n"));
    CHECK(expect("<a>&#0;</a>", "open 1 a {}a\nerror: not-well-formed at byte 6: character reference to a character not allowed in XML\n"));
    CHECK(expect("<a>&#xD800;</a>", "open 1 a {}a\nerror: not-well-formed at byte 10: character reference to a character not allowed in XML\n"));
    CHECK(expect("<a>&#xFFFE;</a>", "open 1 a {}a\nerror: not-well-formed at byte 10: character reference to a character not allowed in XML\n"));
    CHECK(expect("<a>&#x110000;</a>", "open 1 a {}a\nerror: not-well-formed at byte 11: character reference beyond U+10FFFF\n"));
    CHECK(expect("<a>&#99999999999;</a>", "open 1 a {}a\nerror: not-well-formed at byte 11: character reference beyond U+10FFFF\n"));
}

static void test_text_line_ends(void)
{
    /* XML 1.0 §2.11: CR LF and lone CR become LF; character references are kept */
    CHECK(expect("<a>1\r\n2\r3\n4\r\r\n5&#13;\r</a>", "open 1 a {}a\ntext 1 \"1\\n2\\n3\\n4\\n\\n5\\r\\n\"\nclose 1 a {}a\n"));
    CHECK(expect("<a><![CDATA[x\r\ny]]></a>", "open 1 a {}a\ntext 1 \"x\\ny\"\nclose 1 a {}a\n"));
}

static void test_attr_normalisation(void)
{
    /* XML 1.0 §3.3.3: each TAB, LF, CR (CR LF counted once) becomes a space; references kept */
    CHECK(expect("<a x='1\t2\n3\r\n4\r5&#10;&#9;6  7'/>", "open 1 a {}a x=\"1 2 3 4 5\\n\\t6  7\"\nclose 1 a {}a\n"));
}

static void test_cdata(void)
{
    CHECK(expect("<a>x<![CDATA[<b>&amp;]]]]>y</a>", "open 1 a {}a\ntext 1 \"x\"\ntext 1 \"<b>&amp;]]\"\ntext 1 \"y\"\nclose 1 a {}a\n"));
    CHECK(expect("<a><![CDATA[]]></a>", "open 1 a {}a\nclose 1 a {}a\n"));
    CHECK(expect("<a><![CDATX[", "open 1 a {}a\nerror: not-well-formed at byte 10: invalid markup after '<!['\n"));
    CHECK(expect("<![CDATA[x]]><a/>", "error: not-well-formed at byte 2: invalid markup after '<!'\n"));
}

static void test_text_cdata_end_forbidden(void)
{
    static char doc[600];
    int n;
    for (n = 255; n <= 258; n++) {   /* the bracket count once wrapped at 256 (review) */
        memcpy(doc, "<a>", 3);
        memset(doc + 3, ']', (size_t)n);
        memcpy(doc + 3 + n, "></a>", 6);
        CHECK(expect_lim(doc, strlen(doc), NULL, n == 255 ? "open 1 a {}a\nerror: not-well-formed at byte 258: ']]>' in text\n"
                        : n == 256 ? "open 1 a {}a\nerror: not-well-formed at byte 259: ']]>' in text\n"
                        : n == 257 ? "open 1 a {}a\nerror: not-well-formed at byte 260: ']]>' in text\n"
                                   : "open 1 a {}a\nerror: not-well-formed at byte 261: ']]>' in text\n"));
    }
    CHECK(expect("<a>]]></a>", "open 1 a {}a\nerror: not-well-formed at byte 5: ']]>' in text\n"));
    CHECK(expect("<a>]] ]>]]]x</a>", "open 1 a {}a\ntext 1 \"]] ]>]]]x\"\nclose 1 a {}a\n"));
    /* markup between "]]" and '>' (found by the differential test) */
    CHECK(expect("<a>]]<b/>></a>", "open 1 a {}a\ntext 1 \"]]\"\nstart 2 b {}b\nend 2 b {}b\ntext 1 \">\"\nclose 1 a {}a\n"));
    CHECK(expect("<r><a>]]</a>></r>", "open 1 r {}r\nstart 2 a {}a\ntext 2 \"]]\"\nend 2 a {}a\ntext 1 \">\"\nclose 1 r {}r\n"));
}

static void test_text_control_chars(void)
{
    CHECK(expect("<a>\x01</a>", "open 1 a {}a\nerror: not-well-formed at byte 3: control character in text\n"));
    CHECK(expect("<a x='\x1f'/>", "error: not-well-formed at byte 6: control character in an attribute value\n"));
    CHECK(expect_lim("<a>\0</a>", 8, NULL, "open 1 a {}a\nerror: not-well-formed at byte 3: control character in text\n"));
    CHECK(expect("<a>\x7f\t</a>", "open 1 a {}a\ntext 1 \"\\x7f\\t\"\nclose 1 a {}a\n"));
}

static void test_utf8(void)
{
    CHECK(expect("<a>\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xEF\xBF\xBD</a>", "open 1 a {}a\ntext 1 \"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xEF\xBF\xBD\"\nclose 1 a {}a\n"));
    CHECK(expect("<a>\xC0\x80</a>", "open 1 a {}a\nerror: unsupported-encoding at byte 3: invalid UTF-8\n"));       /* overlong NUL */
    CHECK(expect("<a>\xC1\xBF</a>", "open 1 a {}a\nerror: unsupported-encoding at byte 3: invalid UTF-8\n"));       /* overlong */
    CHECK(expect("<a>\xE0\x9F\xBF</a>", "open 1 a {}a\nerror: unsupported-encoding at byte 4: invalid UTF-8\n"));   /* overlong */
    CHECK(expect("<a>\xF0\x8F\xBF\xBF</a>", "open 1 a {}a\nerror: unsupported-encoding at byte 4: invalid UTF-8\n"));
    CHECK(expect("<a>\xED\xA0\x80</a>", "open 1 a {}a\nerror: unsupported-encoding at byte 4: invalid UTF-8\n"));   /* surrogate */
    CHECK(expect("<a>\xF4\x90\x80\x80</a>", "open 1 a {}a\nerror: unsupported-encoding at byte 4: invalid UTF-8\n")); /* > U+10FFFF */
    CHECK(expect("<a>\xF5\x80</a>", "open 1 a {}a\nerror: unsupported-encoding at byte 3: invalid UTF-8\n"));
    CHECK(expect("<a>\x80</a>", "open 1 a {}a\nerror: unsupported-encoding at byte 3: invalid UTF-8\n"));           /* lone continuation */
    CHECK(expect("<a>\xC3<</a>", "open 1 a {}a\nerror: unsupported-encoding at byte 4: invalid UTF-8\n"));          /* truncated */
    /* UTF-8, but not XML characters */
    CHECK(expect("<a>\xEF\xBF\xBE</a>", "open 1 a {}a\nerror: not-well-formed at byte 5: U+FFFE or U+FFFF (not an XML character)\n"));
    CHECK(expect("<a>\xEF\xBF\xBF</a>", "open 1 a {}a\nerror: not-well-formed at byte 5: U+FFFE or U+FFFF (not an XML character)\n"));
    /* bytes that cannot start UTF-8 outside the root: a UTF-16 byte order mark */
    CHECK(expect("\xFF\xFE<\0a\0/\0>\0", "error: unsupported-encoding at byte 0: invalid UTF-8\n"));
    CHECK(expect("<a/>\xC0", "open 1 a {}a\nclose 1 a {}a\nerror: unsupported-encoding at byte 4: invalid UTF-8\n"));
    /* UTF-16 without a byte order mark: a 00 byte at the start */
    CHECK(expect_lim("\0<\0a\0/\0>", 8, NULL, "error: unsupported-encoding at byte 0: a 00 byte at the start: UTF-16 or UTF-32, not UTF-8\n"));
    CHECK(expect_lim("<\0a\0/\0>\0", 8, NULL, "error: unsupported-encoding at byte 1: a 00 byte at the start: UTF-16 or UTF-32, not UTF-8\n"));
    CHECK(expect_lim(" \0<\0s\0>\0", 8, NULL, "error: unsupported-encoding at byte 1: a 00 byte at the start: UTF-16 or UTF-32, not UTF-8\n"));
    /* a 00 byte later is an XML error, not an encoding one (review) */
    CHECK(expect_lim("<a/> <\0", 7, NULL, "open 1 a {}a\nclose 1 a {}a\nerror: not-well-formed at byte 6: markup after the root element\n"));
    CHECK(expect_lim("   \0<a/>", 8, NULL, "error: not-well-formed at byte 3: text outside the root element\n"));
    CHECK(expect("<a x='\xE2\x82'/>", "error: unsupported-encoding at byte 8: invalid UTF-8\n"));
    CHECK(expect("<a\xE2\x82/>", "error: unsupported-encoding at byte 4: invalid UTF-8\n"));
}

/* ---- RFC 6120 §11: restricted XML */

static void test_restricted(void)
{
    CHECK(expect("<a><!-- hi --></a>", "open 1 a {}a\nerror: restricted-xml at byte 5: comment\n"));
    CHECK(expect("<!-- hi --><a/>", "error: restricted-xml at byte 2: comment\n"));
    CHECK(expect("<a><?pi x?></a>", "open 1 a {}a\nerror: restricted-xml at byte 4: processing instruction\n"));
    CHECK(expect("<?pi x?><a/>", "error: restricted-xml at byte 2: processing instruction\n"));
    CHECK(expect("<?xml-stylesheet x?><a/>", "error: restricted-xml at byte 5: processing instruction\n"));
    CHECK(expect(" <?xml version='1.0'?><a/>", "error: restricted-xml at byte 2: processing instruction\n"));
    CHECK(expect("<?xml version='1.0'?><?xml version='1.0'?><a/>", "decl version=\"1.0\"\nerror: restricted-xml at byte 22: processing instruction\n"));
    CHECK(expect("<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>", "error: restricted-xml at byte 2: document type declaration\n"));
    CHECK(expect("<a>&e;</a>", "open 1 a {}a\nerror: restricted-xml at byte 5: entity reference other than the predefined ones\n"));
    CHECK(expect("<a>&ampx;</a>", "open 1 a {}a\nerror: restricted-xml at byte 8: entity reference other than the predefined ones\n"));
    CHECK(expect("<a>&quotx;</a>", "open 1 a {}a\nerror: restricted-xml at byte 8: entity reference other than the predefined ones\n"));
    CHECK(expect("<a x='&nbsp;'/>", "error: restricted-xml at byte 11: entity reference other than the predefined ones\n"));
    /* one letter from a predefined one, in text and in a value (the XMPP_FAST shortcut
       decodes whole references itself) */
    CHECK(expect("<s>&apox;</s>", "open 1 s {}s\nerror: restricted-xml at byte 8: entity reference other than the predefined ones\n"));
    CHECK(expect("<s a='&apox;'/>", "error: restricted-xml at byte 11: entity reference other than the predefined ones\n"));
}

static void test_xml_declaration(void)
{
    CHECK(expect("<?xml version=\"1.0\" encoding='utf-8' standalone='yes' ?><a/>",
                 "decl version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"\nopen 1 a {}a\nclose 1 a {}a\n"));
    CHECK(expect("<?xml version='1.1'?><a/>", "decl version=\"1.1\"\nopen 1 a {}a\nclose 1 a {}a\n"));
    CHECK(expect("<?xml encoding='UTF-8'?><a/>", "error: not-well-formed at byte 23: XML declaration without version\n"));
    CHECK(expect("<?xml version='2.0'?><a/>", "error: not-well-formed at byte 20: XML declaration: version is not 1.x\n"));
    CHECK(expect("<?xml version='1.0' encoding='ISO-8859-1'?><a/>", "error: unsupported-encoding at byte 42: encoding other than UTF-8 declared\n"));
    CHECK(expect("<?xml version='1.0' encoding='UTF-16'?><a/>", "error: unsupported-encoding at byte 38: encoding other than UTF-8 declared\n"));
    CHECK(expect("<?xml version='1.0' encoding='UTF-9'?><a/>", "error: unsupported-encoding at byte 37: encoding other than UTF-8 declared\n"));
    CHECK(expect("<?xml version='1.0' standalone='maybe'?><a/>", "error: not-well-formed at byte 39: XML declaration: standalone is not yes or no\n"));
    CHECK(expect("<?xml version='1.0' foo='x'?><a/>", "error: not-well-formed at byte 28: XML declaration: unknown or misplaced pseudo-attribute\n"));
    CHECK(expect("<?xml encoding='UTF-8' version='1.0'?><a/>", "error: not-well-formed at byte 37: XML declaration without version\n"));
    CHECK(expect("<?xml version='1.0'><a/>", "error: not-well-formed at byte 19: XML declaration not closed by '?>'\n"));
    CHECK(expect("<?xml version='&amp;'?>", "error: not-well-formed at byte 15: reference in the XML declaration\n"));
}

/* ---- limits: policy-violation, never truncation */

static void test_limit_depth(void)
{
    xmpp_xml_limits l = { 3, 0, 0, 0, 0 };
    CHECK(expect_lim("<a><b><c/></b></a>", 18, &l, "open 1 a {}a\nstart 2 b {}b\nstart 3 c {}c\nend 3 c {}c\nend 2 b {}b\nclose 1 a {}a\n"));
    CHECK(expect_lim("<a><b><c><d/>", 13, &l, "open 1 a {}a\nstart 2 b {}b\nstart 3 c {}c\nerror: policy-violation at byte 10: elements nested deeper than max_depth\n"));
}

static void test_limit_attrs(void)
{
    xmpp_xml_limits l = { 0, 2, 0, 0, 0 };
    CHECK(expect_lim("<a x='1' y='2'/>", 16, &l, "open 1 a {}a x=\"1\" y=\"2\"\nclose 1 a {}a\n"));
    CHECK(expect_lim("<a x='1' y='2' z='3'/>", 22, &l, "error: policy-violation at byte 15: more attributes than max_attrs\n"));
}

static void test_limit_name(void)
{
    xmpp_xml_limits l = { 0, 0, 4, 0, 0 };
    CHECK(expect_lim("<abcd wxyz='1'/>", 16, &l, "open 1 abcd {}abcd wxyz=\"1\"\nclose 1 abcd {}abcd\n"));
    CHECK(expect_lim("<abcde/>", 8, &l, "error: policy-violation at byte 5: name longer than max_name\n"));
    CHECK(expect_lim("<a vwxyz='1'/>", 14, &l, "error: policy-violation at byte 7: name longer than max_name\n"));
    CHECK(expect_lim("<ab:cd/>", 8, &l, "error: policy-violation at byte 5: name longer than max_name\n"));
    CHECK(expect_lim("<abc\xC3\xA9/>", 8, &l, "error: policy-violation at byte 4: name longer than max_name\n"));
    {   /* max_name as large as max_token: the name reaches max_token first */
        xmpp_xml_limits t = { 0, 0, 16, 16, 0 };
        CHECK(expect_lim("<aaaaaaaaaaaaaaaaa>", 19, &t, "error: policy-violation at byte 17: start tag longer than max_token\n"));
    }
}

static void test_limit_token(void)
{
    xmpp_xml_limits l = { 0, 0, 0, 16, 0 };
    /* a start tag: names + decoded values, at most max_token bytes */
    CHECK(expect_lim("<a x='0123456789abcd'/>", 23, &l, "open 1 a {}a x=\"0123456789abcd\"\nclose 1 a {}a\n"));
    CHECK(expect_lim("<a x='0123456789abcde'/>", 24, &l, "error: policy-violation at byte 20: start tag longer than max_token\n"));
    /* a name that reaches max_token before max_name: the message says max_token */
    CHECK(expect_lim("<a bcdefghijklmnopqrs='1'/>", 27, &l, "error: policy-violation at byte 18: start tag longer than max_token\n"));
    CHECK(expect_lim("<abcdefghijklmnopqrs/>", 22, &l, "error: policy-violation at byte 17: start tag longer than max_token\n"));
    /* a reference needs room for what it decodes to, not more (review) */
    CHECK(expect_lim("<a x='0123456789abc&lt;'/>", 26, &l, "open 1 a {}a x=\"0123456789abc<\"\nclose 1 a {}a\n"));
    CHECK(expect_lim("<a x='0123456789abc&#x20AC;'/>", 30, &l, "error: policy-violation at byte 26: start tag longer than max_token\n"));
    /* text: split into tokens of at most max_token - 3 bytes, at character boundaries */
    CHECK(expect_lim("<a>0123456789abcdefghijklmnopqrstuvwxyz</a>", 43, &l,
        "open 1 a {}a\ntext 1 \"0123456789abc\"\ntext 1 \"defghijklmnop\"\ntext 1 \"qrstuvwxyz\"\nclose 1 a {}a\n"));
    CHECK(expect_lim("<a>0123456789\xE2\x82\xAC\xE2\x82\xAC&amp;</a>", 28, &l,
        "open 1 a {}a\ntext 1 \"0123456789\xE2\x82\xAC\"\ntext 1 \"\xE2\x82\xAC&\"\nclose 1 a {}a\n"));
    /* a character that starts below the split point and ends past it (found by fuzzing:
       the fast path once ran past the buffer here) */
    CHECK(expect_lim("<w>012345678901\xE2\x80\xBF" "abcdefghijklmnopq</w>", 39, &l,
        "open 1 w {}w\ntext 1 \"012345678901\xE2\x80\xBF\"\ntext 1 \"abcdefghijklm\"\ntext 1 \"nopq\"\nclose 1 w {}w\n"));
    /* no hold-back at a split: text that fills its token is out with its last byte (a
       plain byte, a character's last byte, a reference's ';', a CR, ']]'; in CDATA too),
       in every chunking; "]]>" across the split is still caught */
    {
        static const char *const split[][2] = {   /* input, the text token it completes */
            { "<a>0123456789abc", "0123456789abc" },
            { "<a>0123456789ab\xC3\xA9", "0123456789ab\xC3\xA9" },
            { "<a>0123456789ab&amp;", "0123456789ab&" },
            { "<a>0123456789ab\r", "0123456789ab\\n" },
            { "<a>0123456789ab\r\nc", "0123456789ab\\n" },
            { "<a>0123456789a]]", "0123456789a]]" },
            { "<a><![CDATA[0123456789abc", "0123456789abc" },
            { "<a><![CDATA[0123456789ab]", "0123456789ab" },
        };
        char want[64];
        size_t i;
        for (i = 0; i < sizeof split / sizeof split[0]; i++) {
            sprintf(want, "open 1 a {}a\ntext 1 \"%s\"\n", split[i][1]);
            CHECK(expect_lim(split[i][0], strlen(split[i][0]), &l, want));
        }
    }
    CHECK(expect_lim("<a>0123456789a]]>", 17, &l,
        "open 1 a {}a\ntext 1 \"0123456789a]]\"\nerror: not-well-formed at byte 16: ']]>' in text\n"));
    {   /* the byte after a split that is the first one past max_stanza: the text before
           it is out in every chunking, also when that byte ends the CDATA section or is
           the LF of a CR LF (found by review: whole, the scanner took it first) */
        xmpp_xml_limits m = { 0, 0, 0, 16, 25 };
        CHECK(expect_lim("<s><m><![CDATA[0123456789a]]></m></s>", 37, &m,
            "open 1 s {}s\nstart 2 m {}m\ntext 2 \"0123456789a\"\n"
            "error: policy-violation at byte 28: stanza larger than max_stanza\n"));
        m.max_stanza = 16;
        CHECK(expect_lim("<s><m>0123456789ab\r\n</m></s>", 28, &m,
            "open 1 s {}s\nstart 2 m {}m\ntext 2 \"0123456789ab\\n\"\n"
            "error: policy-violation at byte 19: stanza larger than max_stanza\n"));
    }
    /* CDATA: pieces of a split section have their own offsets; a long run of ']' is
       split like any text (found by fuzzing: it once ran past the buffer) */
    CHECK(expect_lim("<a><![CDATA[0123456789abcdefghij]]></a>", 39, &l,
        "open 1 a {}a\ntext 1 \"0123456789abc\"\ntext 1 \"defghij\"\nclose 1 a {}a\n"));
    {
        static char doc[TEST_BRACKETS + 32];
        xmpp_xml x;
        xt_out o;
        int i, n = 0;
        memcpy(doc, "<a><![CDATA[", 12);
        memset(doc + 12, ']', TEST_BRACKETS);
        memcpy(doc + 12 + TEST_BRACKETS, "]]></a>", 8);
        o.p = got;
        o.size = sizeof got;
        xmpp_xml_init(&x, tbuf, xmpp_xml_buffer_size(&l), &l);
        xt_run(&x, doc, strlen(doc), NULL, 0, &o);
        for (i = 0; got[i]; i++) n += got[i] == ']';
        CHECK(n == TEST_BRACKETS && x.err.code == XMPP_OK && strstr(got, "close 1 a") != NULL);
    }
}

static void test_limit_stanza(void)
{
    xmpp_xml_limits l = { 0, 0, 0, 0, 17 };
    const char *ok = "<s><m>0123456789</m> <m>0123456789</m></s>";
    const char *big = "<s><m>0123456789a</m></s>";
    CHECK(expect_lim(ok, strlen(ok), &l, "open 1 s {}s\nstart 2 m {}m\ntext 2 \"0123456789\"\nend 2 m {}m\ntext 1 \" \"\n"
                                       "start 2 m {}m\ntext 2 \"0123456789\"\nend 2 m {}m\nclose 1 s {}s\n"));
    CHECK(expect_lim(big, strlen(big), &l, "open 1 s {}s\nstart 2 m {}m\ntext 2 \"0123456789a\"\nerror: policy-violation at byte 20: stanza larger than max_stanza\n"));
}

static void test_limit_stanza_counts_elements_only(void)
{
    /* RFC 6120: a stanza is a depth-2 element; CDATA at depth 1 and the stream's end tag
       are not (found by fuzzing) */
    xmpp_xml_limits l = { 0, 0, 0, 0, 8 };
    const char *a = "<s><![CDATA[x]]>                              <a/></s>";
    const char *b = "<stream></stream>";
    const char *c = "<s><abc>0123</abc></s>";
    CHECK(expect_lim(a, strlen(a), &l, "open 1 s {}s\ntext 1 \"x\"\ntext 1 \"                              \"\nstart 2 a {}a\nend 2 a {}a\nclose 1 s {}s\n"));
    CHECK(expect_lim(b, strlen(b), &l, "open 1 stream {}stream\nclose 1 stream {}stream\n"));
    /* feed counts only the bytes before the error */
    {
        xmpp_xml x;
        size_t used;
        xmpp_xml_token t;
        xmpp_xml_init(&x, tbuf, sizeof tbuf, &l);
        CHECK(xmpp_xml_feed(&x, c, strlen(c), &used) == XMPP_OK && used == 3);
        CHECK(xmpp_xml_next(&x, &t) == XMPP_OK);
        CHECK(xmpp_xml_feed(&x, c + 3, strlen(c) - 3, &used) == XMPP_OK && used == 5);
        CHECK(xmpp_xml_next(&x, &t) == XMPP_OK);
        CHECK(xmpp_xml_feed(&x, c + 8, strlen(c) - 8, &used) == XMPP_ERR_POLICY_VIOLATION);
        CHECK(used == 3 && xmpp_xml_error(&x)->offset == 11);
    }
}

static void test_limit_small_buffer(void)
{
    /* a buffer smaller than xmpp_xml_buffer_size(): running out is a policy-violation */
    static unsigned char small[sizeof(xmpp_xml_attr) * 2 + 200];
    xmpp_xml_limits l = { 0, 2, 0, 0, 0 };
    xmpp_xml x;
    xt_out o;
    const char *doc = "<a><b><c><d><e><f><g><h><i><j><k><l><m><n>";
    o.p = got;
    o.size = sizeof got;
    CHECK(xmpp_xml_init(&x, small, sizeof small, &l) == XMPP_OK);
    xt_run(&x, doc, strlen(doc), NULL, 0, &o);
    CHECK(strstr(got, "error: policy-violation") != NULL);
    CHECK(strstr(got, "tokenizer buffer full") != NULL);
    /* a name that runs into the buffer's end before max_name and max_token: buffer full */
    {
        char name[600];
        memset(name, 'n', sizeof name - 1);
        name[sizeof name - 1] = '\0';
        l.max_name = 1000;
        CHECK(xmpp_xml_init(&x, small, sizeof small, &l) == XMPP_OK);
        xt_run(&x, "<", 1, NULL, 0, &o);
        xt_run(&x, name, strlen(name), NULL, 0, &o);
        CHECK(strstr(got, "error: policy-violation") != NULL && strstr(got, "tokenizer buffer full") != NULL);
        if (!strstr(got, "tokenizer buffer full")) printf("%s", got);
    }
    {   /* a root element that leaves exactly 4 bytes for text: text goes out a byte at a
           time (a character of up to 4 bytes must fit), with 3 the buffer is full. The
           buffer's end is aligned, so the name's length varies until the smallest buffer
           that works leaves exactly 4 (and not 5 or more: "xy" in one token, or none) */
        static unsigned char bb[512];
        xmpp_xml_limits one = { 0, 1, 0, 0, 0 };
        char d[96];
        size_t n, size = 0;
        int found = 0;
        for (n = 20; n < 80 && !found; n++) {
            d[0] = '<';
            memset(d + 1, 'a', n);
            memcpy(d + 1 + n, ">xy", 4);
            for (size = 64; size < sizeof bb; size++) {
                if (xmpp_xml_init(&x, bb, size, &one)) continue;
                xt_run(&x, d, n + 4, NULL, 0, &o);
                if (!strstr(got, "error")) break;
            }
            found = size < sizeof bb && strstr(got, "\ntext 1 \"x\"\ntext 1 \"y\"\n") != NULL;
        }
        CHECK(found);
    }
}

static void test_init_errors(void)
{
    xmpp_xml x;
    xmpp_xml_limits l = { 0, 0, 0, 70000, 0 };
    size_t used;
    CHECK(xmpp_xml_init(&x, tbuf, sizeof tbuf, &l) == XMPP_ERR_INVALID);
    l.max_token = 15;   /* too small for text to get through */
    CHECK(xmpp_xml_init(&x, tbuf, sizeof tbuf, &l) == XMPP_ERR_INVALID);
    xmpp_xml_reset(&x);   /* a failed tokenizer stays failed */
    CHECK(xmpp_xml_feed(&x, "<a/>", 4, &used) == XMPP_ERR_INVALID && used == 0);
    CHECK(xmpp_xml_init(&x, tbuf, 100, NULL) == XMPP_ERR_INVALID);
    CHECK(xmpp_xml_init(&x, NULL, 100, NULL) == XMPP_ERR_INVALID);
    CHECK(xmpp_xml_error(&x)->code == XMPP_ERR_INVALID);
    CHECK(xmpp_xml_buffer_size(NULL) == XMPP_XML_BUF_SIZE(16, 16, 4096));
    CHECK(xmpp_xml_buffer_size(&l) == 0);   /* limits init refuses: 0 */
    {   /* the largest limits: over 4 GiB, so 0 where size_t has 32 bits (it once wrapped) */
        xmpp_xml_limits big = { 65535, 65535, 0, 65535, 0 };
        uint64_t want = 65536u * (24 + 2 * (uint64_t)sizeof(void *) + 65535 + 4 * 65535) +
                        65535 * (uint64_t)sizeof(xmpp_xml_attr) + 2 * sizeof(void *);
        CHECK(want > 0xFFFFFFFFu);
        CHECK(xmpp_xml_buffer_size(&big) == (sizeof(size_t) < 8 ? 0 : (size_t)want));
    }
    CHECK(xmpp_xml_init(&x, tbuf, xmpp_xml_buffer_size(NULL), NULL) == XMPP_OK);
    CHECK(xmpp_xml_init(&x, tbuf + 1, xmpp_xml_buffer_size(NULL), NULL) == XMPP_OK);   /* any alignment */
    {   /* the documented maxima are taken: 65535 attributes */
        xmpp_xml_limits most = { 0, 65535, 0, 0, 0 };
        size_t n = xmpp_xml_buffer_size(&most);
        unsigned char *b = n ? malloc(n) : NULL;
        CHECK(n > 0 && (b != NULL || sizeof(void *) < 8));   /* a board may lack the MBs */
        if (b) CHECK(xmpp_xml_init(&x, b, n, &most) == XMPP_OK);
        free(b);
    }
}

/* The buffer from xmpp_xml_buffer_size() holds the worst case: max_depth elements, each
   with a max_token start tag made of namespace declarations. */
static void test_buffer_size_worst_case(void)
{
    xmpp_xml_limits l = { 4, 2, 8, 40, 0 };
    size_t size = xmpp_xml_buffer_size(&l);
    unsigned char *b = malloc(size);
    xmpp_xml x;
    xt_out o;
    char doc[512];
    int i;
    doc[0] = 0;
    for (i = 0; i < 4; i++)  /* 40 bytes stored per tag: "a" + "xmlns:b" + "x"*26 + "xmlns" + "y" */
        strcat(doc, "<a xmlns:b='xxxxxxxxxxxxxxxxxxxxxxxxxx' xmlns='y'>");
    o.p = got;
    o.size = sizeof got;
    CHECK(xmpp_xml_init(&x, b, size, &l) == XMPP_OK);
    xt_run(&x, doc, strlen(doc), NULL, 0, &o);
    CHECK(o.ntok == 4 && x.err.code == XMPP_OK);
    free(b);
}

/* ---- the API contract */

static void test_feed_stops_at_token(void)
{
    xmpp_xml x;
    xmpp_xml_token t;
    size_t used;
    const char *doc = "<a><b/>text</a>";
    xmpp_xml_init(&x, tbuf, sizeof tbuf, NULL);
    CHECK(xmpp_xml_feed(&x, doc, strlen(doc), &used) == XMPP_OK && used == 3);
    CHECK(xmpp_xml_feed(&x, doc + 3, strlen(doc) - 3, &used) == XMPP_OK && used == 0);  /* token waiting */
    CHECK(xmpp_xml_next(&x, &t) == XMPP_OK && t.kind == XMPP_XML_OPEN);
    CHECK(xmpp_xml_next(&x, &t) == XMPP_AGAIN);
    CHECK(xmpp_xml_feed(&x, doc + 3, strlen(doc) - 3, &used) == XMPP_OK && used == 4);
    CHECK(xmpp_xml_next(&x, &t) == XMPP_OK && t.kind == XMPP_XML_START);
    CHECK(xmpp_xml_next(&x, &t) == XMPP_OK && t.kind == XMPP_XML_END && t.depth == 2);
    CHECK(xmpp_xml_next(&x, &t) == XMPP_AGAIN);
    CHECK(xmpp_xml_feed(&x, "", 0, &used) == XMPP_OK && used == 0);
}

static void test_error_sticky(void)
{
    xmpp_xml x;
    xmpp_xml_token t;
    size_t used;
    xmpp_xml_init(&x, tbuf, sizeof tbuf, NULL);
    CHECK(xmpp_xml_feed(&x, "<a><!-", 6, &used) == XMPP_OK && used == 3);
    CHECK(xmpp_xml_next(&x, &t) == XMPP_OK);
    CHECK(xmpp_xml_feed(&x, "<!-", 3, &used) == XMPP_ERR_RESTRICTED_XML && used == 2);
    CHECK(xmpp_xml_next(&x, &t) == XMPP_ERR_RESTRICTED_XML);
    CHECK(xmpp_xml_feed(&x, "</a>", 4, &used) == XMPP_ERR_RESTRICTED_XML && used == 0);
    CHECK(xmpp_xml_error(&x)->offset == 5);
    CHECK(strcmp(xmpp_err_condition(xmpp_xml_error(&x)->code), "restricted-xml") == 0);
    CHECK(strcmp(xmpp_strerror(XMPP_ERR_POLICY_VIOLATION), "a configured limit was exceeded") == 0);
    CHECK(xmpp_err_condition(XMPP_OK) == NULL && xmpp_err_condition(XMPP_AGAIN) == NULL);
}

/* n strings of list (see xmpp__nth), none empty unless the list is of names (where ""
   is none), messages all different, and nothing after the n-th but the array's own
   closing NUL */
static void check_list(const char *list, size_t size, unsigned n, int names)
{
    unsigned i, j;
    for (i = 0; i < n; i++) {
        const char *a = xmpp__nth(list, i);
        CHECK(a >= list && a < list + size - 1);
        CHECK(names || a[0]);
        for (j = 0; j < i && !names; j++) CHECK(strcmp(a, xmpp__nth(list, j)) != 0);
    }
    CHECK(xmpp__nth(list, n) == list + size - 1);
}

/* The lists of messages and names (one array each, not pointers: see xmpp__nth) have
   exactly one entry for each code, in order. */
static void test_message_lists(void)
{
    unsigned i;
    check_list(xmpp__err_msg, sizeof xmpp__err_msg, XMPP__ERR_COUNT, 0);
    check_list(xmpp__err_cond, sizeof xmpp__err_cond, XMPP__ERR_COUNT, 1);
    check_list(xmpp__fail_msg, sizeof xmpp__fail_msg, XMPP__E_COUNT, 0);
    CHECK(xmpp__find(xmpp__err_cond, XMPP__ERR_COUNT, xmpp_str_z("not-well-formed")) == XMPP_ERR_NOT_WELL_FORMED);
    CHECK(xmpp__find(xmpp__err_cond, XMPP__ERR_COUNT, xmpp_str_z("not-well")) == XMPP__ERR_COUNT);
    CHECK(xmpp__find(xmpp__err_cond, XMPP__ERR_COUNT, xmpp_str_z("not-well-formedx")) == XMPP__ERR_COUNT);
    CHECK(xmpp__find(xmpp__err_cond, 3, xmpp_str_z("not-well-formed")) == 3);   /* past count */
    /* the first and the last of each, and the ends of the ranges */
    CHECK(strcmp(xmpp_strerror(XMPP_OK), "no error") == 0);
    CHECK(strcmp(xmpp_strerror(XMPP_ERR_CLOSED), "connection closed before the stream ended") == 0);
    CHECK(strcmp(xmpp_strerror(XMPP__ERR_COUNT), "unknown error") == 0);
    CHECK(strcmp(xmpp_strerror((xmpp_err)-1), "unknown error") == 0);
    CHECK(strcmp(xmpp_err_condition(XMPP_ERR_INVALID), "internal-server-error") == 0);
    CHECK(strcmp(xmpp_err_condition(XMPP_ERR_NO_TLS), "policy-violation") == 0);
    CHECK(strcmp(xmpp_err_condition(XMPP__ERR_COUNT), "undefined-condition") == 0);
    for (i = 0; i < XMPP__ERR_COUNT; i++)   /* none exactly for these */
        CHECK((xmpp_err_condition((xmpp_err)i) == NULL) ==
              (i == XMPP_OK || i == XMPP_AGAIN || i >= XMPP_ERR_TLS));
    CHECK(strcmp(xmpp__nth(xmpp__fail_msg, 0), "invalid byte order mark") == 0);
    CHECK(strcmp(xmpp__nth(xmpp__fail_msg, XMPP__E_STATE), "internal error: unknown tokenizer state") == 0);
    /* (the tokenizer's messages as it reports them: in the expected outputs above) */
}

static void test_reset_restart(void)
{
    /* RFC 6120 §4.3.3: after STARTTLS or SASL success a new stream starts */
    xmpp_xml x;
    xt_out o;
    o.p = got;
    o.size = sizeof got;
    xmpp_xml_init(&x, tbuf, sizeof tbuf, NULL);
    xt_run(&x, HDR "<proceed/>", strlen(HDR "<proceed/>"), NULL, 0, &o);
    CHECK(o.ntok == 3);
    xmpp_xml_reset(&x);
    xt_run(&x, "<?xml version='1.0'?>" HDR, strlen("<?xml version='1.0'?>" HDR), NULL, 0, &o);
    CHECK(strcmp(got, "decl version=\"1.0\"\n" HDR_TOK) == 0);
    /* the old stream's declarations are gone with it: its prefix is undeclared now, its
       default namespace no longer in scope */
    xmpp_xml_init(&x, tbuf, sizeof tbuf, NULL);
    xt_run(&x, "<s xmlns:p='u' xmlns='d'>", 25, NULL, 0, &o);
    CHECK(o.ntok == 1);
    xmpp_xml_reset(&x);
    xt_run(&x, "<p:s>", 5, NULL, 0, &o);
    CHECK(strcmp(got, "error: not-well-formed at byte 4: undeclared namespace prefix on element\n") == 0);
    xmpp_xml_init(&x, tbuf, sizeof tbuf, NULL);
    xt_run(&x, "<s xmlns='d'>", 13, NULL, 0, &o);
    xmpp_xml_reset(&x);
    xt_run(&x, "<s><m/>", 7, NULL, 0, &o);
    CHECK(strcmp(got, "open 1 s {}s\nstart 2 m {}m\nend 2 m {}m\n") == 0);
}

/* No hold-back: feeding a document up to the byte that completes a token makes that
   token available, whatever came before. */
static void test_no_hold_back(void)
{
    const char *doc = "<?xml version='1.0'?>" HDR "<message><body>hi</body></message><presence/>";
    size_t n = strlen(doc), len;
    static unsigned char ntok[512];
    xmpp_xml x;
    xt_out o;
    o.p = got;
    o.size = sizeof got;
    for (len = 0; len <= n; len++) {
        xmpp_xml_init(&x, tbuf, sizeof tbuf, NULL);
        xt_run(&x, doc, len, NULL, 0, &o);
        ntok[len] = (unsigned char)o.ntok;
    }
    /* completing bytes: decl '>', header '>', <message>'s '>', <body>'s '>', the '<' after
       "hi", </body>'s '>', </message>'s '>', <presence/>'s '>' (START and END) */
    {
        const char *p = doc;
        size_t decl = (size_t)(strchr(p, '>') - p) + 1;
        size_t hdr = strlen("<?xml version='1.0'?>" HDR);
        size_t msg = hdr + 9, body = msg + 6, text = body + 3, ebody = text + 6, emsg = ebody + 10, pres = n;
        CHECK(ntok[decl - 1] == 0 && ntok[decl] == 1);
        CHECK(ntok[hdr - 1] == 1 && ntok[hdr] == 2);
        CHECK(ntok[msg - 1] == 2 && ntok[msg] == 3);
        CHECK(ntok[body - 1] == 3 && ntok[body] == 4);
        CHECK(ntok[text - 1] == 4 && ntok[text] == 5);
        CHECK(ntok[ebody - 1] == 5 && ntok[ebody] == 6);
        CHECK(ntok[emsg - 1] == 6 && ntok[emsg] == 7);
        CHECK(ntok[pres - 1] == 7 && ntok[pres] == 9);
    }
}

/* The randomised split test: a 2 MB generated XMPP stream (less on the emulated
   microcontrollers: TEST_CORPUS), fed whole and in random chunkings (1 to 3 bytes, 1 to
   100, 1 to 5000), renders the same tokens every time (compared by a hash of the lines,
   so that it needs no memory but the document's). */
#ifndef TEST_CORPUS
#define TEST_CORPUS 2000000
#endif
static uint32_t split_run(const char *doc, size_t len, size_t span, uint32_t seed, int *ntok)
{
    static char line[XT_LINE];
    xmpp_xml x;
    xmpp_xml_token t;
    size_t off = 0, used, need, end, i;
    uint32_t h = 2166136261u;   /* FNV-1a over the rendered lines */
    *ntok = 0;
    xmpp_xml_init(&x, tbuf, sizeof tbuf, NULL);
    while (off < len) {
        seed ^= seed << 13; seed ^= seed >> 17; seed ^= seed << 5;
        end = span ? off + 1 + seed % span : len;
        if (end > len) end = len;
        while (off < end) {
            if (xmpp_xml_feed(&x, doc + off, end - off, &used) != XMPP_OK) return 0;
            off += used;
            while (xmpp_xml_next(&x, &t) == XMPP_OK) {
                xmpp_xml_token_format(&t, line, sizeof line, &need);
                for (i = 0; line[i]; i++) h = (h ^ (unsigned char)line[i]) * 16777619u;
                h = (h ^ '\n') * 16777619u;
                ++*ntok;
            }
        }
    }
    return h;
}

static void test_random_splits_large_corpus(void)
{
    static char doc[TEST_CORPUS + TEST_CORPUS / 16];
    size_t len = corpus_make(doc, sizeof doc, TEST_CORPUS, 7);
    int n0, n;
    uint32_t whole = split_run(doc, len, 0, 1, &n0);
    CHECK(len > TEST_CORPUS / 8 && whole != 0 && (size_t)n0 > len / 100);
    CHECK(split_run(doc, len, 3, 12345, &n) == whole && n == n0);
    CHECK(split_run(doc, len, 100, 777, &n) == whole && n == n0);
    CHECK(split_run(doc, len, 5000, 4242, &n) == whole && n == n0);
}

int main(void)
{
    RUN(test_tokens_stream);
    RUN(test_tokens_open_without_close);
    RUN(test_tokens_empty_root);
    RUN(test_tokens_whitespace_keepalive);
    RUN(test_tokens_prolog_whitespace_and_bom);
    RUN(test_tokens_offsets);
    RUN(test_ns_default_and_prefixed);
    RUN(test_ns_scoping);
    RUN(test_ns_declared_after_use);
    RUN(test_ns_xml_prefix);
    RUN(test_ns_undeclared_prefix);
    RUN(test_ns_unique_attributes);
    RUN(test_ns_unique_every_byte);
    RUN(test_names_syntax);
    RUN(test_tag_syntax);
    RUN(test_end_tags);
    RUN(test_text_entities);
    RUN(test_text_line_ends);
    RUN(test_attr_normalisation);
    RUN(test_cdata);
    RUN(test_text_cdata_end_forbidden);
    RUN(test_text_control_chars);
    RUN(test_utf8);
    RUN(test_restricted);
    RUN(test_xml_declaration);
    RUN(test_limit_depth);
    RUN(test_limit_attrs);
    RUN(test_limit_name);
    RUN(test_limit_token);
    RUN(test_limit_stanza);
    RUN(test_limit_stanza_counts_elements_only);
    RUN(test_limit_small_buffer);
    RUN(test_init_errors);
    RUN(test_buffer_size_worst_case);
    RUN(test_feed_stops_at_token);
    RUN(test_error_sticky);
    RUN(test_message_lists);
    RUN(test_reset_restart);
    RUN(test_no_hold_back);
    RUN(test_random_splits_large_corpus);
    return check_done();
}
