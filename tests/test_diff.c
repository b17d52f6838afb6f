/* test_diff.c - the XML tokenizer against expat (diffexpat.h): a generated XMPP corpus
   whole and in random chunkings, hand-written tricky documents with the outcome each one
   must have, and a few thousand deterministic mutations of small corpora. Link -lexpat. */
#define XMPP_IMPLEMENTATION
#include "../xmpp.h"
#include "check.h"
#include "diffexpat.h"
#include "corpus.h"
#include <stdlib.h>

static uint32_t rng = 1;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}
static size_t rnd_to(size_t n) { return n ? (size_t)(rnd() % n) : 0; }

static char why[8192];
static int verbose;
static int shown;   /* mismatches printed so far in this group */

/* Chunk sizes in 1..max, enough to cover len. */
static size_t make_chunks(size_t *c, size_t cap, size_t len, size_t max)
{
    size_t n = 0, sum = 0;
    while (sum < len && n < cap) {
        c[n] = 1 + rnd_to(max);
        sum += c[n++];
    }
    return n;
}

static void show(const char *what, const char *doc, size_t len, const dx_result *r)
{
    size_t at = r->ours == DX_REJECT ? (size_t)r->ours_off : (size_t)r->expat_off;
    if (shown++ >= 5) return;
    printf("MISMATCH %s\n  input: ", what);
    dx_show(stdout, doc, len, at, 160);
    printf("  %s", why);
}

/* diff doc once; 1 if it agrees and has class want (DX__COUNT: any allowed class) */
static int diff_one(const char *what, const char *doc, size_t len, const size_t *chunks, size_t n,
                    dx_class want, dx_result *r)
{
    int bad = diff_expat_ex(doc, len, chunks, n, NULL, r, why, sizeof why);
    if (!bad && r->cls != DX_SAME && verbose) {   /* DIFF_VERBOSE=1: show allowed differences */
        printf("allowed, %s\n  input: ", what);
        dx_show(stdout, doc, len, r->ours == DX_REJECT ? (size_t)r->ours_off : (size_t)r->expat_off, 100);
        printf("  %s", why);
    }
    if (!bad && (want == DX__COUNT || r->cls == want)) return 1;
    if (!bad) {
        size_t k = strlen(why);
        snprintf(why + k, sizeof why - k, "  expected: %s\n", dx_class_name[want]);
    }
    show(what, doc, len, r);
    return 0;
}

/* ---- (i) the corpus */

static char *corpus;
static size_t corpus_len;

static void test_corpus_whole(void)
{
    dx_result r;
    corpus = (char *)malloc(1200000);
    corpus_len = corpus_make(corpus, 1200000, 1000000, 42);
    CHECK(corpus_len >= 1000000);
    shown = 0;
    CHECK(diff_one("corpus, whole", corpus, corpus_len, NULL, 0, DX_SAME, &r));
    CHECK(r.ours == DX_ACCEPT && r.expat == DX_ACCEPT);
    printf("corpus: %lu bytes, %lu tokens (merged), both accept\n", (unsigned long)corpus_len,
           (unsigned long)r.ours_lines);
}

static void test_corpus_chunked(void)
{
    static const size_t max[] = { 1, 3, 17, 200, 4096, 70000 };
    size_t i, *c = (size_t *)malloc((corpus_len + 1) * sizeof *c);
    dx_result r;
    char what[64];
    shown = 0;
    rng = 7;
    for (i = 0; i < sizeof max / sizeof max[0]; i++) {
        size_t n = make_chunks(c, corpus_len + 1, corpus_len, max[i]);
        snprintf(what, sizeof what, "corpus, chunks of 1..%lu", (unsigned long)max[i]);
        CHECK(diff_one(what, corpus, corpus_len, c, n, DX_SAME, &r));
        CHECK(r.ours == DX_ACCEPT);
    }
    /* prefixes of the corpus: incomplete on both sides, the same tokens but trailing text */
    for (i = 0; i < 200; i++) {
        size_t len = 1 + rnd_to(20000), n = make_chunks(c, corpus_len + 1, len, 64);
        CHECK(diff_one("corpus prefix", corpus, len, c, n, DX_SAME, &r));
        CHECK(r.ours == DX_INCOMPLETE);
    }
    free(c);
}

/* ---- (ii) hand-written documents */

typedef struct { const char *doc; dx_class want; } hand;

static const hand hands[] = {
    /* namespaces */
    { "<a xmlns='urn:a' xmlns:p='urn:p'><p:b p:x='1' y='2'/><c/></a>", DX_SAME },
    { "<a xmlns='urn:1'><b xmlns='urn:2'><c/></b><d/><e xmlns=''/></a>", DX_SAME },
    { "<a xmlns:p='urn:1'><p:b xmlns:p='urn:2'/><p:c/></a>", DX_SAME },
    { "<p:a p:x='1' xmlns:p='urn:p'/>", DX_SAME },
    { "<a xml:lang='en'><xml:b xml:space='preserve'/></a>", DX_SAME },
    { "<a xmlns:xml='http://www.w3.org/XML/1998/namespace'/>", DX_SAME },
    { "<a xmlns:xml='urn:x'/>", DX_SAME },
    { "<a xmlns:p='http://www.w3.org/XML/1998/namespace'/>", DX_SAME },
    { "<a xmlns='http://www.w3.org/XML/1998/namespace'/>", DX_SAME },
    { "<a xmlns:xmlns='urn:x'/>", DX_SAME },
    { "<a xmlns:p='http://www.w3.org/2000/xmlns/'/>", DX_SAME },
    { "<a xmlns='http://www.w3.org/2000/xmlns/'/>", DX_SAME },
    { "<xmlns:a/>", DX_SAME },
    { "<xmlns xmlns:p='u' p:xmlns='1'/>", DX_SAME },
    { "<p:a/>", DX_SAME },
    { "<a p:x='1'/>", DX_SAME },
    { "<a xmlns:p=''/>", DX_SAME },
    { "<a xmlns:p='u'><b xmlns:q='v'/><q:c/></a>", DX_SAME },
    { "<a x='1' x='2'/>", DX_SAME },
    { "<a xmlns='u' xmlns='u'/>", DX_SAME },
    { "<a xmlns:p='u' xmlns:q='u' p:x='1' q:x='2'/>", DX_SAME },
    { "<a xmlns='u' xmlns:p='u' x='1' p:x='2'/>", DX_SAME },
    { "<a:b:c xmlns:a='u'/>", DX_SAME },
    { "<:a/>", DX_SAME },
    { "<a:/>", DX_SAME },
    { "<a:1 xmlns:a='u'/>", DX_SAME },
    { "<a xmlns:a='u' a:-x='1'/>", DX_SAME },
    { "<p:a xmlns:p='u' xmlns:q='u'></q:a>", DX_SAME },
    { "<a xmlns:p='a&amp;b&#x20;c&#10;d'><p:b/></a>", DX_SAME },
    { "<a xmlns='&#x263a;'><b/></a>", DX_SAME },
    { "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
      "to='example.com' version='1.0'><stream:features/><message to='a@b'><body>hi</body>"
      "</message>\n </stream:stream>", DX_SAME },
    /* references */
    { "<a>&lt;&gt;&amp;&apos;&quot;</a>", DX_SAME },
    { "<a>&#65;&#x42;&#x0000043;&#x263a;&#128512;&#x10FFFF;&#xFFFD;&#xE000;&#xD7FF;</a>", DX_SAME },
    { "<a x='&lt;&#x41;&amp;&quot;&apos;'/>", DX_SAME },
    { "<a>&#13;&#10;&#9;&#32;</a>", DX_SAME },
    { "<a>& </a>", DX_SAME },
    { "<a>&lt </a>", DX_SAME },
    { "<a>&#;</a>", DX_SAME },
    { "<a>&#x;</a>", DX_SAME },
    { "<a>&#12a;</a>", DX_SAME },
    { "<a>&#X41;</a>", DX_SAME },
    { "<a>&#0;</a>", DX_SAME },
    { "<a>&#xD800;</a>", DX_SAME },
    { "<a>&#xFFFE;</a>", DX_SAME },
    { "<a>&#x110000;</a>", DX_SAME },
    { "<a>&#99999999999;</a>", DX_SAME },
    { "<a>&e;</a>", DX_SAME },
    { "<a>&ampx;</a>", DX_SAME },
    { "<a x='&nbsp;'/>", DX_SAME },
    { "<a>&#x110000", DX_EARLY },
    { "<a>&lt", DX_SAME },
    /* CDATA */
    { "<a>x<![CDATA[<b>&amp;]]]]>y</a>", DX_SAME },
    { "<a><![CDATA[]]></a>", DX_SAME },
    { "<a><![CDATA[]]]></a>", DX_SAME },
    { "<a><![CDATA[x]]]]]>]]></a>", DX_SAME },
    { "<a><![CDATA[x\r\ny\rz\r]]></a>", DX_SAME },
    { "<a><![CDATA[\xF0\x9F\x98\x80\xC3\xA9]]></a>", DX_SAME },
    { "<a><![CDATA[\x01]]></a>", DX_SAME },
    { "<a><![CDATX[", DX_SAME },
    { "<![CDATA[x]]><a/>", DX_SAME },
    { "<a><![CDATA[abc", DX_SAME },
    /* text */
    { "<a>]]></a>", DX_SAME },
    { "<a>]] ]>]]]x</a>", DX_SAME },
    { "<a>]]&gt;]]&#62;</a>", DX_SAME },
    { "<a>]]<b/>></a>", DX_SAME },
    { "<r><a>]]</a>></r>", DX_SAME },
    { "<a>]]<![CDATA[]]>></a>", DX_SAME },
    { "<a>\x01</a>", DX_SAME },
    { "<a>\x7f\t\xc2\x80\xc2\x9f</a>", DX_SAME },
    { "<a>1\r\n2\r3\n4\r\r\n5&#13;\r</a>", DX_SAME },
    { "<a>x\r", DX_SAME },
    { "<a>hello", DX_SAME },
    { "<a>hel\xc3", DX_SAME },
    { "<a>x</a><b/>", DX_SAME },
    { "<a/>x", DX_SAME },
    { "<a/>\n \t\r\n", DX_SAME },
    { "text<a/>", DX_SAME },
    /* attributes */
    { "<a x='1\t2\n3\r\n4\r5&#10;&#9;&#13;6  7'/>", DX_SAME },
    { "<a x = \"1\"\n\ty\t=\t'2' ></a >", DX_SAME },
    { "<a x='\"' y=\"'\"/>", DX_SAME },
    { "<a x='>]]>'/>", DX_SAME },
    { "<a x='<'/>", DX_SAME },
    { "<a x=1/>", DX_SAME },
    { "<a x/>", DX_SAME },
    { "<a x='1'y='2'/>", DX_SAME },
    { "<a/ >", DX_SAME },
    { "<a x='\x1f'/>", DX_SAME },
    { "<a x='\xe2\x82\xac \xf0\x9f\x98\x80'/>", DX_SAME },
    { "<a></b>", DX_SAME },
    { "<a></ab>", DX_SAME },
    { "<ab></a>", DX_SAME },
    { "</a>", DX_SAME },
    { "< a/>", DX_SAME },
    { "<a b='1'", DX_SAME },
    { "<a b='1' c", DX_SAME },
    /* UTF-8 */
    { "<a>\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xEF\xBF\xBD</a>", DX_SAME },
    { "<a>\xC0\x80</a>", DX_SAME },
    { "<a>\xC1\xBF</a>", DX_SAME },
    { "<a>\xE0\x9F\xBF</a>", DX_SAME },
    { "<a>\xF0\x8F\xBF\xBF</a>", DX_SAME },
    { "<a>\xED\xA0\x80</a>", DX_SAME },
    { "<a>\xF4\x90\x80\x80</a>", DX_SAME },
    { "<a>\xF5\x80</a>", DX_SAME },
    { "<a>\x80</a>", DX_SAME },
    { "<a>\xC3<</a>", DX_SAME },
    { "<a>\xEF\xBF\xBE</a>", DX_SAME },
    { "<a>\xEF\xBF\xBF</a>", DX_SAME },
    { "<a x='\xE2\x82'/>", DX_SAME },
    { "<\xC3\xA9t\xC3\xA9 \xE4\xB8\xAD='1'/>", DX_SAME },
    { "<a\xC2\xB7/>", DX_SAME },
    { "<\xC2\xB7/>", DX_SAME },
    { "<a\xC3\x97/>", DX_SAME },
    { "<\xF0\x90\x80\x80/>", DX_NAMECHAR },                 /* U+10000 */
    { "<a \xF0\x90\x80\x80='1'/>", DX_NAMECHAR },
    { "<a\xE2\x80\xBF/>", DX_NAMECHAR },                     /* U+203F, a NameChar */
    { "<p:\xF0\x90\x80\x80 xmlns:p='u'/>", DX_NAMECHAR },
    { "\xEF\xBB\xBF<a/>", DX_SAME },
    { "\xEF\xBB\xBF<?xml version='1.0'?><a/>", DX_SAME },
    { "\xEF\xBB<a/>", DX_SAME },
    /* declarations, restricted XML */
    { "<?xml version='1.0'?><a/>", DX_SAME },
    { "<?xml version=\"1.0\" encoding='utf-8' standalone='yes' ?>\n<a/>", DX_SAME },
    { "<?xml version = '1.0' standalone = \"no\"?><a/>", DX_SAME },
    { "<?xml version='1.1'?><a/>", DX_SAME },
    { "<?xml version='2.0'?><a/>", DX_VERSION },
    { "<?xml version='1.0x'?><a/>", DX_VERSION },
    /* digits past 64 bytes, then a letter (the classifier once kept a 63-byte copy) */
    { "<?xml version='1.0222222222222222222222222222222222222222222222222222222222222222222222222x'?><a/>",
      DX_VERSION },
    { "<?xml version='1.0' encoding='ISO-8859-1'?><a>\xe9</a>", DX_ENCODING },
    { "\xEF\xBB\xBF<?xml version='1.0' encoding='US-ASCII'?><a/>", DX_ENCODING },
    { "<?xml version='1.0' encoding='UTF-16'?><a/>", DX_SAME },
    { "<?xml version='1.0' encoding='utf8'?><a/>", DX_SAME },
    { "<?xml encoding='UTF-8'?><a/>", DX_SAME },
    { "<?xml version='1.0' standalone='maybe'?><a/>", DX_SAME },
    { "<?xml version='1.0' standalone='yes' encoding='UTF-8'?><a/>", DX_SAME },
    { "<?xml version='1.0' foo='x'?><a/>", DX_SAME },
    { "<?xml version='1.0'><a/>", DX_EARLY },   /* expat: a PI that has not ended yet */
    { "<?xml version='1.0'?", DX_SAME },
    { "<?xml version='1.0' foo='?>", DX_LATE_DECL },
    { " <?xml version='1.0'?><a/>", DX_SAME },
    { "<?xml version='1.0'?><?xml version='1.0'?><a/>", DX_SAME },
    { "<?xml-stylesheet href='x'?><a/>", DX_RESTRICTED },
    { "<?pi x?><a/>", DX_RESTRICTED },
    { "<a><?pi x?></a>", DX_RESTRICTED },
    { "<a><!-- hi --></a>", DX_RESTRICTED },
    { "<!-- hi --><a/>", DX_RESTRICTED },
    { "<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>", DX_RESTRICTED },
    { "<!DOCTYPE a><a/>", DX_RESTRICTED },
    { "<a/><!-- x -->", DX_RESTRICTED },
    { "<a/><?pi?>", DX_RESTRICTED },
    { "<a/><", DX_EPILOG },
    { "", DX_SAME },
    { "   ", DX_SAME },
    { "<a>", DX_SAME },
};

static void test_hand(void)
{
    size_t i, k, cuts[1], *bytes = (size_t *)malloc(4096 * sizeof *bytes);
    dx_result r;
    shown = 0;
    for (k = 0; k < 4096; k++) bytes[k] = 1;
    for (i = 0; i < sizeof hands / sizeof hands[0]; i++) {
        const char *d = hands[i].doc;
        size_t len = strlen(d), cut;
        int ok = diff_one("hand-written, whole", d, len, NULL, 0, hands[i].want, &r);
        ok = ok && diff_one("hand-written, byte by byte", d, len, bytes, len, hands[i].want, &r);
        for (cut = 1; ok && cut < len; cut++) {
            cuts[0] = cut;
            ok = diff_one("hand-written, cut in two", d, len, cuts, 1, hands[i].want, &r);
        }
        CHECK(ok);
    }
    free(bytes);
}

/* ---- (iii) mutations of small corpora */

static const char *const inserts[] = {
    "<", "&", "]]>", ">", "'", "\"", "/", "=", ":", " ", "\r", "\n", "\t", "\0",
    "&#0;", "&#x110000;", "&#xFFFE;", "&#65;", "&e;", "&lt", "<!--", "-->", "<?p?>", "<!DOCTYPE",
    "<![CDATA[", "<![CDATA[x]]>", "</a>", "<a>", "<b/>", "xmlns:p=''", " xmlns='u'", " p:x='1'",
    " xml:lang='en'", " x='1' x='2'", "\xC0\x80", "\xED\xA0\x80", "\xF8", "\x80", "\xE2\x82",
    "\xF4\x90\x80\x80", "\xEF\xBF\xBE", "\xF0\x90\x80\x80", "\xC3\xA9", "\xC2\xB7", "\xE2\x80\xBF",
    "\xEF\xBB\xBF"
};

static void test_mutations(void)
{
    static char base[8192], doc[9000];
    static size_t chunks[9000];
    unsigned counts[DX__COUNT] = { 0 };
    unsigned verdicts[3][3] = { { 0 } };
    int i, bad = 0;
    dx_result r;
    shown = 0;
    rng = 12345;
    for (i = 0; i < 4000; i++) {
        size_t blen = corpus_make(base, sizeof base, 500 + rnd_to(3000), (uint32_t)(i / 8 + 1));
        size_t len = blen, pos = rnd_to(blen), k, nm = 1 + rnd_to(3), m;
        char what[64];
        memcpy(doc, base, blen);
        for (m = 0; m < nm; m++) {
            pos = rnd_to(len);
            switch (rnd_to(6)) {
            case 0:   /* flip bits of a byte */
                doc[pos] = (char)(doc[pos] ^ (char)(1u << rnd_to(8)));
                break;
            case 1:   /* a random byte */
                doc[pos] = (char)rnd();
                break;
            case 2:   /* delete a few bytes */
                k = 1 + rnd_to(4);
                if (pos + k > len) k = len - pos;
                memmove(doc + pos, doc + pos + k, len - pos - k);
                len -= k;
                break;
            case 3:
            case 4: { /* insert a troublemaker */
                size_t ii = rnd_to(sizeof inserts / sizeof inserts[0]);
                const char *s = inserts[ii];
                k = ii == 13 ? 1 : strlen(s);
                if (len + k > sizeof doc) break;
                memmove(doc + pos + k, doc + pos, len - pos);
                memcpy(doc + pos, s, k);
                len += k;
                break;
            }
            default:  /* truncate */
                len = pos + 1;
                break;
            }
            if (!len) break;
        }
        snprintf(what, sizeof what, "mutation %d", i);
        if (!diff_one(what, doc, len, NULL, 0, DX__COUNT, &r)) bad++;
        else {
            size_t n = make_chunks(chunks, sizeof chunks / sizeof chunks[0], len, i % 3 ? 1 + rnd_to(64) : 1);
            if (!diff_one(what, doc, len, chunks, n, DX__COUNT, &r)) bad++;
        }
        counts[r.cls]++;
        verdicts[r.ours][r.expat]++;
    }
    printf("mutations: 4000 documents;");
    for (i = 0; i < DX__COUNT; i++) if (counts[i]) printf(" %s: %u;", dx_class_name[i], counts[i]);
    printf("\n  verdicts ours/expat: a/a %u, i/i %u, r/r %u, r/a %u, r/i %u, a/r %u, i/r %u\n",
           verdicts[0][0], verdicts[1][1], verdicts[2][2], verdicts[2][0], verdicts[2][1],
           verdicts[0][2], verdicts[1][2]);
    CHECK(bad == 0);
}

int main(void)
{
    verbose = getenv("DIFF_VERBOSE") != NULL;
    RUN(test_corpus_whole);
    RUN(test_corpus_chunked);
    RUN(test_hand);
    RUN(test_mutations);
    free(corpus);
    return check_done();
}
