/* bench_xml.c - the >>xml tokenizer side by side with expat (namespace mode) and libxml2
   (SAX2 push parser) on a generated XMPP stream (tests/corpus.h), fed in chunks of 1, 64,
   1460 and 65536 bytes. Every parser does the same small work per event: count
   elements, attributes (namespace declarations excluded) and text bytes; the counts of
   the three must agree, or the run fails.

   Build (-O2):
     gcc -O2 -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -I/usr/include/libxml2 \
         tests/bench/bench_xml.c -o build/bench_xml -lexpat -lxml2

   Usage:
     bench_xml [--size BYTES] [--runs N] [--seed S]
         the table: for each chunk size and parser, the best of N runs (default 5) in
         MB/s (10^6 bytes per second) and the speed ratio ours/expat.
     bench_xml --parser ours|expat|libxml2|none|loop --chunk N [--size BYTES] [--runs N]
         one parser at one chunk size (for callgrind: tests/bench/bench_instr.sh). "none"
         only generates the corpus; "loop" runs ours's loop with a feed and a next that do
         nothing (feed takes the bytes, next has no token): what the loop costs. All the
         parsing happens inside bench_measured(), so
         `valgrind --tool=callgrind --toggle-collect=bench_measured` counts only that.
     bench_xml --verify [--size BYTES] [--chunk N]
         a deep cross-check instead of timing: each parser hashes every element name
         ({ns}local), attribute ({ns}local=value) and all text, in document order, at each
         chunk size (or only N); all hashes must be equal.
   Exit status: 0 if every parser agreed, 1 otherwise, 2 on bad usage. */
#define XMPP_IMPLEMENTATION
#include "../../xmpp.h"
#include "../corpus.h"

#include <expat.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOINLINE __attribute__((noinline))

enum { P_OURS, P_EXPAT, P_LIBXML2, P_COUNT, P_NONE = P_COUNT, P_LOOP };
static const char *const parser_names[] = { "ours", "expat", "libxml2", "none", "loop" };

typedef struct counts {
    uint64_t elements, attrs, text;  /* start tags, attributes, bytes of decoded text */
    uint64_t hash;                   /* --verify only: FNV-1a of the event stream */
    int verify;
    int errors;
    char what[160];                  /* the first error */
} counts;

/* ---- the --verify hash: FNV-1a over markers and names; text bytes go in raw, so the
   result does not depend on how a parser splits text. Attributes are combined in an
   order-independent way (their order carries no meaning). */

#define FNV_OFF 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    while (n--) h = (h ^ *s++) * FNV_PRIME;
    return h;
}
static uint64_t fnv_byte(uint64_t h, unsigned char c) { return fnv(h, &c, 1); }

static uint64_t hash_name(uint64_t h, const char *ns, size_t nsn, const char *local, size_t ln)
{
    h = fnv(h, ns, nsn);
    h = fnv_byte(h, 0x02);
    h = fnv(h, local, ln);
    return fnv_byte(h, 0x02);
}

static void h_start(counts *c, const char *ns, size_t nsn, const char *local, size_t ln)
{
    c->hash = fnv_byte(c->hash, 0x01);
    c->hash = hash_name(c->hash, ns, nsn, local, ln);
}
static uint64_t h_attr(const char *ns, size_t nsn, const char *local, size_t ln, const char *v, size_t vn)
{
    uint64_t h = hash_name(FNV_OFF, ns, nsn, local, ln);
    return fnv_byte(fnv(h, v, vn), 0x02);
}
static void h_attrs_done(counts *c, uint64_t sum) { c->hash = fnv(fnv_byte(c->hash, 0x03), &sum, sizeof sum); }
static void h_end(counts *c, const char *ns, size_t nsn, const char *local, size_t ln)
{
    c->hash = fnv_byte(c->hash, 0x04);
    c->hash = hash_name(c->hash, ns, nsn, local, ln);
}

static void fail(counts *c, const char *what)
{
    if (!c->errors++) snprintf(c->what, sizeof c->what, "%s", what);
}

/* ---- ours */

static unsigned char *ours_buf;
static size_t ours_size;

static void ours_verify_token(counts *c, const xmpp_xml_token *t)
{
    size_t i;
    uint64_t sum = 0;
    switch (t->kind) {
    case XMPP_XML_OPEN:
    case XMPP_XML_START:
        h_start(c, t->ns.p, t->ns.n, t->local.p, t->local.n);
        for (i = 0; i < t->nattrs; i++) {
            const xmpp_xml_attr *a = &t->attrs[i];
            sum += h_attr(a->ns.p, a->ns.n, a->local.p, a->local.n, a->value.p, a->value.n);
        }
        h_attrs_done(c, sum);
        break;
    case XMPP_XML_END:
    case XMPP_XML_CLOSE:
        h_end(c, t->ns.p, t->ns.n, t->local.p, t->local.n);
        break;
    case XMPP_XML_TEXT:
        c->hash = fnv(c->hash, t->text.p, t->text.n);
        break;
    default:
        break;
    }
}

/* --parser loop: a feed that takes the bytes and does nothing else, and a next that has
   no token, out of line as a tokenizer's are: what the loop and its two calls cost. */
static NOINLINE xmpp_err stub_feed(xmpp_xml *x, const void *data, size_t len, size_t *used)
{
    (void)data;
    x->base += len;
    *used = len;
    return XMPP_OK;
}

static NOINLINE xmpp_err stub_next(xmpp_xml *x, xmpp_xml_token *t)
{
    if (!x->pending) return XMPP_AGAIN;   /* always: feed never makes one */
    memset(t, 0, sizeof *t);
    return XMPP_OK;
}

/* verify is a constant in each caller, so the timed loop carries no hashing code. So is
   stub: with it, stub_feed and stub_next instead of the tokenizer's (--parser loop). */
static __attribute__((always_inline)) inline void run_ours_loop(const unsigned char *doc, size_t len,
                                                                 size_t chunk, counts *c, int verify, int stub)
{
    xmpp_xml x;
    xmpp_xml_token t;
    uint64_t elements = 0, attrs = 0, text = 0;
    size_t off = 0, end = chunk < len ? chunk : len, used;
    int closed = 0;
    if (xmpp_xml_init(&x, ours_buf, ours_size, NULL)) { fail(c, "xmpp_xml_init failed"); return; }
    /* one loop: feed what is left of the current chunk [off, end), pull the tokens, move
       to the next chunk when this one is used up (feed stops after each token) */
    while (off < len) {
        xmpp_err r = (stub ? stub_feed : xmpp_xml_feed)(&x, doc + off, end - off, &used);
        off += used;
        while ((stub ? stub_next : xmpp_xml_next)(&x, &t) == XMPP_OK) {
            if (t.kind == XMPP_XML_TEXT) text += t.text.n;
            else if (t.kind == XMPP_XML_START || t.kind == XMPP_XML_OPEN) { elements++; attrs += t.nattrs; }
            else if (t.kind == XMPP_XML_CLOSE) closed = 1;
            if (verify) ours_verify_token(c, &t);
        }
        if (r) {
            char msg[160];
            const xmpp_errinfo *e = xmpp_xml_error(&x);
            snprintf(msg, sizeof msg, "ours: %s at byte %llu: %s", xmpp_err_condition(e->code),
                     (unsigned long long)e->offset, e->message);
            fail(c, msg);
            return;
        }
        if (off == end) {
            end += chunk;
            if (end > len) end = len;
        }
    }
    if (!closed && !stub) fail(c, "ours: the stream was not closed");
    c->elements = elements;
    c->attrs = attrs;
    c->text = text;
}

static void run_ours(const unsigned char *doc, size_t len, size_t chunk, counts *c)
{
    if (c->verify) run_ours_loop(doc, len, chunk, c, 1, 0);
    else run_ours_loop(doc, len, chunk, c, 0, 0);
}

static void run_loop(const unsigned char *doc, size_t len, size_t chunk, counts *c)
{
    run_ours_loop(doc, len, chunk, c, 0, 1);
}

/* ---- expat: namespace mode, triplets: "uri\1local\1prefix", "uri\1local" or "local" */

static void XMLCALL ex_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    counts *c = (counts *)ud;
    (void)name;
    c->elements++;
    for (; atts[0]; atts += 2) c->attrs++;
}
static void XMLCALL ex_end(void *ud, const XML_Char *name) { (void)ud; (void)name; }
static void XMLCALL ex_chars(void *ud, const XML_Char *s, int len) { (void)s; ((counts *)ud)->text += (unsigned)len; }

static void ex_split(const char *name, const char **ns, size_t *nsn, const char **local, size_t *ln)
{
    const char *s1 = strchr(name, '\x01'), *s2;
    if (!s1) { *ns = ""; *nsn = 0; *local = name; *ln = strlen(name); return; }
    *ns = name;
    *nsn = (size_t)(s1 - name);
    *local = s1 + 1;
    s2 = strchr(s1 + 1, '\x01');
    *ln = s2 ? (size_t)(s2 - s1 - 1) : strlen(s1 + 1);
}
static void XMLCALL exv_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    counts *c = (counts *)ud;
    const char *ns, *local;
    size_t nsn, ln;
    uint64_t sum = 0;
    ex_start(ud, name, atts);
    ex_split(name, &ns, &nsn, &local, &ln);
    h_start(c, ns, nsn, local, ln);
    for (; atts[0]; atts += 2) {
        ex_split(atts[0], &ns, &nsn, &local, &ln);
        sum += h_attr(ns, nsn, local, ln, atts[1], strlen(atts[1]));
    }
    h_attrs_done(c, sum);
}
static void XMLCALL exv_end(void *ud, const XML_Char *name)
{
    const char *ns, *local;
    size_t nsn, ln;
    ex_split(name, &ns, &nsn, &local, &ln);
    h_end((counts *)ud, ns, nsn, local, ln);
}
static void XMLCALL exv_chars(void *ud, const XML_Char *s, int len)
{
    counts *c = (counts *)ud;
    c->text += (unsigned)len;
    c->hash = fnv(c->hash, s, (size_t)len);
}

static void run_expat(const unsigned char *doc, size_t len, size_t chunk, counts *c)
{
    XML_Parser p = XML_ParserCreateNS(NULL, '\x01');
    size_t off, n;
    if (!p) { fail(c, "expat: XML_ParserCreateNS failed"); return; }
    XML_SetReturnNSTriplet(p, 1);
    XML_SetHashSalt(p, 0x5EED);   /* fixed: expat's random salt would make callgrind counts vary */
    XML_SetUserData(p, c);
    if (c->verify) {
        XML_SetElementHandler(p, exv_start, exv_end);
        XML_SetCharacterDataHandler(p, exv_chars);
    } else {
        XML_SetElementHandler(p, ex_start, ex_end);
        XML_SetCharacterDataHandler(p, ex_chars);
    }
    for (off = 0; off <= len; off += n) {
        int last = off == len;
        n = last ? 0 : len - off < chunk ? len - off : chunk;
        if (XML_Parse(p, (const char *)doc + off, (int)n, last) != XML_STATUS_OK) {
            char msg[160];
            snprintf(msg, sizeof msg, "expat: %s at byte %lld", XML_ErrorString(XML_GetErrorCode(p)),
                     (long long)XML_GetCurrentByteIndex(p));
            fail(c, msg);
            break;
        }
        if (last) break;
    }
    XML_ParserFree(p);
}

/* ---- libxml2: SAX2 push parser, no tree, no entity substitution (XML_PARSE_NOENT off) */

static void lx_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                     int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
                     int nb_defaulted, const xmlChar **attributes)
{
    counts *c = (counts *)((xmlParserCtxtPtr)ctx)->_private;
    (void)localname; (void)prefix; (void)uri; (void)nb_namespaces; (void)namespaces;
    (void)nb_defaulted; (void)attributes;
    c->elements++;
    c->attrs += (unsigned)nb_attributes;
}
static void lx_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
    (void)ctx; (void)localname; (void)prefix; (void)uri;
}
static void lx_chars(void *ctx, const xmlChar *s, int len)
{
    (void)s;
    ((counts *)((xmlParserCtxtPtr)ctx)->_private)->text += (unsigned)len;
}

static size_t cstrlen(const xmlChar *s) { return s ? strlen((const char *)s) : 0; }
static void lxv_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                      int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
                      int nb_defaulted, const xmlChar **attributes)
{
    counts *c = (counts *)((xmlParserCtxtPtr)ctx)->_private;
    uint64_t sum = 0;
    int i;
    lx_start(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes, nb_defaulted, attributes);
    h_start(c, (const char *)(uri ? uri : (const xmlChar *)""), cstrlen(uri), (const char *)localname, cstrlen(localname));
    for (i = 0; i < nb_attributes; i++) {
        const xmlChar **a = attributes + 5 * i;   /* localname, prefix, URI, value, end */
        /* without XML_PARSE_NOENT libxml2 reports "&amp;" in a value as "&#38;" (so that a
           tree can be written back); undo that for the comparison */
        char v[8192];
        size_t vn = 0;
        const xmlChar *q;
        for (q = a[3]; q < a[4] && vn < sizeof v; q++) {
            if (q + 5 <= a[4] && memcmp(q, "&#38;", 5) == 0) { v[vn++] = '&'; q += 4; }
            else v[vn++] = (char)*q;
        }
        sum += h_attr((const char *)(a[2] ? a[2] : (const xmlChar *)""), cstrlen(a[2]), (const char *)a[0],
                      cstrlen(a[0]), v, vn);
    }
    h_attrs_done(c, sum);
}
static void lxv_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
    (void)prefix;
    h_end((counts *)((xmlParserCtxtPtr)ctx)->_private, (const char *)(uri ? uri : (const xmlChar *)""),
          cstrlen(uri), (const char *)localname, cstrlen(localname));
}
static void lxv_chars(void *ctx, const xmlChar *s, int len)
{
    counts *c = (counts *)((xmlParserCtxtPtr)ctx)->_private;
    c->text += (unsigned)len;
    c->hash = fnv(c->hash, s, (size_t)len);
}
static void lx_error(void *ud, xmlErrorPtr e)
{
    char msg[160];
    (void)ud;
    if (e->level < XML_ERR_ERROR) return;
    snprintf(msg, sizeof msg, "libxml2: %s", e->message ? e->message : "error");
    msg[strcspn(msg, "\n")] = 0;
    fail((counts *)((xmlParserCtxtPtr)e->ctxt)->_private, msg);
}

static void run_libxml2(const unsigned char *doc, size_t len, size_t chunk, counts *c)
{
    xmlSAXHandler sax;
    xmlParserCtxtPtr ctxt;
    size_t off, n;
    memset(&sax, 0, sizeof sax);
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = c->verify ? lxv_start : lx_start;
    sax.endElementNs = c->verify ? lxv_end : lx_end;
    sax.characters = c->verify ? lxv_chars : lx_chars;
    sax.ignorableWhitespace = sax.characters;   /* white space is text, as for the others */
    sax.serror = lx_error;
    ctxt = xmlCreatePushParserCtxt(&sax, NULL, NULL, 0, NULL);
    if (!ctxt) { fail(c, "libxml2: xmlCreatePushParserCtxt failed"); return; }
    ctxt->_private = c;
    ctxt->userData = ctxt;   /* handlers get the context, which points at the counts */
    for (off = 0; off < len; off += n) {
        n = len - off < chunk ? len - off : chunk;
        if (xmlParseChunk(ctxt, (const char *)doc + off, (int)n, 0)) break;
    }
    xmlParseChunk(ctxt, NULL, 0, 1);
    if (!ctxt->wellFormed && !c->errors) fail(c, "libxml2: not well-formed");
    xmlFreeParserCtxt(ctxt);
}

/* Everything measured happens in here (callgrind --toggle-collect=bench_measured). */
NOINLINE void bench_measured(int parser, const unsigned char *doc, size_t len, size_t chunk, counts *c);
NOINLINE void bench_measured(int parser, const unsigned char *doc, size_t len, size_t chunk, counts *c)
{
    switch (parser) {
    case P_OURS: run_ours(doc, len, chunk, c); break;
    case P_EXPAT: run_expat(doc, len, chunk, c); break;
    case P_LIBXML2: run_libxml2(doc, len, chunk, c); break;
    case P_LOOP: run_loop(doc, len, chunk, c); break;
    default: break;
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Best of runs; *c gets the counts of the last run (all runs must agree). */
static double time_parser(int parser, const unsigned char *doc, size_t len, size_t chunk, int runs, counts *c)
{
    double best = 1e30;
    int i;
    for (i = 0; i < runs; i++) {
        counts r;
        double t0, t1;
        memset(&r, 0, sizeof r);
        t0 = now();
        bench_measured(parser, doc, len, chunk, &r);
        t1 = now();
        if (t1 - t0 < best) best = t1 - t0;
        if (i && (r.elements != c->elements || r.attrs != c->attrs || r.text != c->text) && !r.errors)
            fail(&r, "counts differ between runs");
        *c = r;
        if (r.errors) break;
    }
    return best;
}

static int parse_parser(const char *s)
{
    int i;
    if (strcmp(s, "none") == 0) return P_NONE;
    if (strcmp(s, "loop") == 0) return P_LOOP;
    for (i = 0; i < P_COUNT; i++)
        if (strcmp(s, parser_names[i]) == 0) return i;
    return -1;
}

static int usage(void)
{
    fprintf(stderr, "usage: bench_xml [--size BYTES] [--runs N] [--seed S] [--chunk N]\n"
                    "                 [--parser ours|expat|libxml2|none|loop] [--verify]\n");
    return 2;
}

int main(int argc, char **argv)
{
    static const size_t chunks[] = { 1, 64, 1460, 65536 };
    size_t size = 20000000, chunk = 0, len, nchunks, ci;
    const size_t *chunk_list = chunks;
    int runs = 5, parser = -1, verify = 0, i, ok = 1;
    uint32_t seed = 20240601;
    char *doc;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--verify") == 0) { verify = 1; continue; }
        if (!v) return usage();
        i++;
        if (strcmp(a, "--size") == 0) size = strtoul(v, NULL, 10);
        else if (strcmp(a, "--runs") == 0) runs = atoi(v);
        else if (strcmp(a, "--seed") == 0) seed = (uint32_t)strtoul(v, NULL, 0);
        else if (strcmp(a, "--chunk") == 0) chunk = strtoul(v, NULL, 10);
        else if (strcmp(a, "--parser") == 0) { if ((parser = parse_parser(v)) < 0) return usage(); }
        else return usage();
    }
    if (runs < 1 || size < 1000 || (parser >= 0 && parser != P_NONE && !chunk && !verify)) return usage();

    /* the corpus: a little headroom so that the last stanza fits */
    doc = malloc(size + 65536);
    if (!doc) { perror("malloc"); return 2; }
    len = corpus_make(doc, size + 65536, size, seed);
    ours_size = xmpp_xml_buffer_size(NULL);
    ours_buf = malloc(ours_size);
    xmlInitParser();
    nchunks = chunk ? 1 : sizeof chunks / sizeof chunks[0];
    if (chunk) chunk_list = &chunk;

    if (parser == P_NONE) {
        printf("parser none chunk %zu bytes %zu\n", chunk, len);
        return 0;
    }

    if (verify) {   /* deep cross-check, no timing */
        printf("verify: corpus %zu bytes, seed %u\n", len, (unsigned)seed);
        for (ci = 0; ci < nchunks; ci++) {
            counts c[P_COUNT];
            int p;
            for (p = 0; p < P_COUNT; p++) {
                memset(&c[p], 0, sizeof c[p]);
                c[p].verify = 1;
                c[p].hash = FNV_OFF;
                bench_measured(p, (const unsigned char *)doc, len, chunk_list[ci], &c[p]);
                printf("chunk %6zu %-8s elements %llu attrs %llu text %llu hash %016llx%s%s\n", chunk_list[ci],
                       parser_names[p], (unsigned long long)c[p].elements, (unsigned long long)c[p].attrs,
                       (unsigned long long)c[p].text, (unsigned long long)c[p].hash,
                       c[p].errors ? "  ERROR: " : "", c[p].errors ? c[p].what : "");
                if (c[p].errors || c[p].hash != c[0].hash || c[p].elements != c[0].elements ||
                    c[p].attrs != c[0].attrs || c[p].text != c[0].text)
                    ok = 0;
            }
        }
        printf("verify: %s\n", ok ? "all parsers agree" : "MISMATCH");
        return ok ? 0 : 1;
    }

    if (parser >= 0) {   /* one parser, one chunk size */
        counts c;
        double t = time_parser(parser, (const unsigned char *)doc, len, chunk, runs, &c);
        printf("parser %s chunk %zu bytes %zu MB/s %.1f elements %llu attrs %llu text %llu%s%s\n",
               parser_names[parser], chunk, len, (double)len / t / 1e6, (unsigned long long)c.elements,
               (unsigned long long)c.attrs, (unsigned long long)c.text, c.errors ? " ERROR: " : "",
               c.errors ? c.what : "");
        return c.errors ? 1 : 0;
    }

    printf("corpus: %zu bytes (seed %u), best of %d run%s, MB/s = 10^6 bytes/s\n", len, (unsigned)seed,
           runs, runs == 1 ? "" : "s");
    printf("%7s  %-8s %10s %10s   %s\n", "chunk", "parser", "MB/s", "vs expat", "elements / attributes / text bytes");
    for (ci = 0; ci < nchunks; ci++) {
        counts c[P_COUNT];
        double t[P_COUNT];
        int p;
        for (p = 0; p < P_COUNT; p++) {
            t[p] = time_parser(p, (const unsigned char *)doc, len, chunk_list[ci], runs, &c[p]);
            if (!c[p].errors && (c[p].elements != c[0].elements || c[p].attrs != c[0].attrs || c[p].text != c[0].text))
                fail(&c[p], "counts differ from ours");
        }
        for (p = 0; p < P_COUNT; p++) {
            printf("%7zu  %-8s %10.1f %10.2f   %llu / %llu / %llu%s%s\n", chunk_list[ci], parser_names[p],
                   (double)len / t[p] / 1e6, t[P_EXPAT] / t[p], (unsigned long long)c[p].elements,
                   (unsigned long long)c[p].attrs, (unsigned long long)c[p].text,
                   c[p].errors ? "  ERROR: " : "", c[p].errors ? c[p].what : "");
            if (c[p].errors) ok = 0;
        }
        fflush(stdout);
    }
    printf("%s\n", ok ? "all parsers agree on elements, attributes and text bytes" : "MISMATCH or ERROR");
    return ok ? 0 : 1;
}
