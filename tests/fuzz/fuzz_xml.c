/* fuzz_xml.c - libFuzzer target for the XML tokenizer (>>xml), with the differential
   check against expat (../diffexpat.h).
       clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
             -I. tests/fuzz/fuzz_xml.c -lexpat -o build/fuzz_xml
       tests/fuzz/run.sh build/fuzz_xml 60

   Input: an 8-byte header, then the document.
       h[0] bits 0-1  limits: 0 defaults, 1 generous, 2-3 small ones from h[1..5]
            bits 2-3  chunking: 0 whole, 1 one byte at a time, 2 random 1..16 bytes,
                      3 random 1..(1 + 4 * h[7]) bytes, from the seed h[6..7]
            bit 4     a buffer smaller than xmpp_xml_buffer_size() (h[5] sets how much)
            bits 5-7  the buffer's misalignment (0..7 bytes)
       h[1..5]        max_depth, max_attrs, max_name, max_token, max_stanza (small mode)
   Every input is tokenized twice with those limits, whole and in the chunking, in a
   buffer of the exact size (ASan sees any byte past it), each piece from a scratch copy
   that is scribbled over after feed() returns. Checked on every token and call:
     - every view in a token lies inside the tokenizer's buffer (or is empty, or the
       static XML namespace URI); the attrs array too;
     - kinds and depths follow the nesting: DECL first at depth 0, OPEN at 1 once, START
       at depth+1, END/CLOSE at the depth and with the name of the open element, TEXT
       never empty, never longer than max_token, inside the root;
     - offsets never decrease and lie before the bytes consumed so far;
     - feed() consumes <= len; when it stops early without an error a token is ready;
       after an error, err.offset = bytes consumed; the error is sticky (feed and next
       return it, consume nothing, the errinfo does not change);
     - both chunkings give the same tokens and the same error (code, offset, message);
     - with no limit hit, the same tokens (text merged, but for the trailing text) and
       error as with generous limits;
   and then diff_expat() (generous limits, same chunking) must not report a mismatch.
   Any failure prints what happened and abort()s. */
#define XMPP_IMPLEMENTATION
#include "../../xmpp.h"
#include "../diffexpat.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL(...) do { fprintf(stderr, "fuzz_xml: "); fprintf(stderr, __VA_ARGS__); \
    fprintf(stderr, "\n"); abort(); } while (0)

typedef struct {
    const unsigned char *lo, *hi;   /* the buffer */
    xmpp_xml_limits lim;            /* in effect: zero fields replaced by the defaults */
    dx_stream st;
    xmpp_errinfo err;
    uint64_t consumed, last_off;
    int ntok, closed, decl_ok;
    /* open elements: "prefix local ns" strings */
    char **stack;
    size_t depth, scap;
} run_out;

static void in_buf(const run_out *o, const void *p, size_t n, const char *what)
{
    const unsigned char *q = (const unsigned char *)p;
    if (!n) return;
    if (q == (const unsigned char *)xmpp__ns_xml && n == sizeof xmpp__ns_xml - 1) return;
    if (q < o->lo || q > o->hi || n > (size_t)(o->hi - q))
        FAIL("%s view [%p, +%zu) outside the buffer [%p, %p)", what, p, n, (const void *)o->lo, (const void *)o->hi);
}

static char *name_of(const xmpp_xml_token *t)
{
    size_t n = t->prefix.n + t->local.n + t->ns.n + 3;
    char *s = (char *)malloc(n);
    if (!s) abort();
    snprintf(s, n, "%.*s %.*s %.*s", (int)t->prefix.n, t->prefix.p, (int)t->local.n, t->local.p,
             (int)t->ns.n, t->ns.p);
    return s;
}

static void check_token(run_out *o, const xmpp_xml_token *t)
{
    size_t i;
    char *nm;
    in_buf(o, t->ns.p, t->ns.n, "ns");
    in_buf(o, t->local.p, t->local.n, "local");
    in_buf(o, t->prefix.p, t->prefix.n, "prefix");
    in_buf(o, t->text.p, t->text.n, "text");
    if (t->nattrs) in_buf(o, t->attrs, t->nattrs * sizeof *t->attrs, "attrs array");
    if (t->nattrs > o->lim.max_attrs) FAIL("%zu attributes > max_attrs", t->nattrs);
    for (i = 0; i < t->nattrs; i++) {
        in_buf(o, t->attrs[i].ns.p, t->attrs[i].ns.n, "attr ns");
        in_buf(o, t->attrs[i].local.p, t->attrs[i].local.n, "attr local");
        in_buf(o, t->attrs[i].prefix.p, t->attrs[i].prefix.n, "attr prefix");
        in_buf(o, t->attrs[i].value.p, t->attrs[i].value.n, "attr value");
        if (!t->attrs[i].local.n) FAIL("empty attribute name");
    }
    if (t->offset < o->last_off) FAIL("offset %llu after %llu", (unsigned long long)t->offset, (unsigned long long)o->last_off);
    if (t->offset >= o->consumed) FAIL("offset %llu not before the %llu bytes consumed", (unsigned long long)t->offset, (unsigned long long)o->consumed);
    o->last_off = t->offset;
    if (o->closed) FAIL("token after CLOSE");
    switch (t->kind) {
    case XMPP_XML_DECL:
        if (o->ntok || t->depth || !t->nattrs) FAIL("DECL not first, or depth %u, or no version", t->depth);
        break;
    case XMPP_XML_OPEN:
    case XMPP_XML_START:
        if ((t->kind == XMPP_XML_OPEN) != (o->depth == 0)) FAIL("OPEN/START at depth %zu", o->depth);
        if (t->depth != o->depth + 1) FAIL("start tag depth %u with %zu open", t->depth, o->depth);
        if (!t->local.n || t->local.n + t->prefix.n > o->lim.max_name) FAIL("element name length");
        o->stack = (char **)dx_grow(o->stack, &o->scap, o->depth + 1, sizeof *o->stack);
        o->stack[o->depth++] = name_of(t);
        break;
    case XMPP_XML_END:
    case XMPP_XML_CLOSE:
        if ((t->kind == XMPP_XML_CLOSE) != (o->depth == 1)) FAIL("END/CLOSE at depth %zu", o->depth);
        if (t->depth != o->depth) FAIL("end tag depth %u with %zu open", t->depth, o->depth);
        nm = name_of(t);
        if (strcmp(nm, o->stack[o->depth - 1]) != 0) FAIL("end tag %s closes %s", nm, o->stack[o->depth - 1]);
        free(nm);
        free(o->stack[--o->depth]);
        if (t->kind == XMPP_XML_CLOSE) o->closed = 1;
        break;
    case XMPP_XML_TEXT:
        if (!t->text.n) FAIL("empty TEXT");
        if (t->text.n > o->lim.max_token) FAIL("TEXT of %zu bytes > max_token %u", t->text.n, o->lim.max_token);
        if (!o->depth || t->depth != o->depth) FAIL("TEXT at depth %u with %zu open", t->depth, o->depth);
        break;
    default:
        FAIL("token kind %d", (int)t->kind);
    }
    o->ntok++;
    dx_token(&o->st, t);
}

static int drain(xmpp_xml *x, run_out *o)
{
    xmpp_xml_token t;
    xmpp_err r;
    int n = 0;
    while ((r = xmpp_xml_next(x, &t)) == XMPP_OK) { check_token(o, &t); n++; }
    if (r != XMPP_AGAIN && r != xmpp_xml_error(x)->code) FAIL("next() returned %d, error is %d", (int)r, (int)xmpp_xml_error(x)->code);
    return n;
}

static void run(const unsigned char *doc, size_t len, const size_t *chunks, size_t nch,
                const xmpp_xml_limits *lim, unsigned char *buf, size_t size, run_out *o)
{
    xmpp_xml x;
    const xmpp_errinfo *e;
    size_t pos = 0, ci = 0, i;
    memset(o, 0, sizeof *o);
    dx_stream_init(&o->st);
    if (xmpp_xml_init(&x, buf, size, lim) != XMPP_OK) FAIL("init failed");
    o->lo = buf;
    o->hi = buf + size;
    if (lim) o->lim = *lim;
    if (!o->lim.max_depth) o->lim.max_depth = XMPP_XML_DEFAULT_DEPTH;
    if (!o->lim.max_attrs) o->lim.max_attrs = XMPP_XML_DEFAULT_ATTRS;
    if (!o->lim.max_name) o->lim.max_name = XMPP_XML_DEFAULT_NAME;
    if (!o->lim.max_token) o->lim.max_token = XMPP_XML_DEFAULT_TOKEN;
    if (!o->lim.max_stanza) o->lim.max_stanza = XMPP_XML_DEFAULT_STANZA;
    while (pos < len && !xmpp_xml_error(&x)->code) {
        size_t n = len - pos;
        unsigned char *scratch;
        while (ci < nch && chunks[ci] == 0) ci++;
        if (ci < nch && chunks[ci] < n) n = chunks[ci];
        ci++;
        scratch = (unsigned char *)malloc(n);   /* exact size: ASan sees reads past it */
        if (!scratch) abort();
        memcpy(scratch, doc + pos, n);
        for (i = 0; i < n; ) {
            size_t used = 99999;
            xmpp_err r = xmpp_xml_feed(&x, scratch + i, n - i, &used);
            int got;
            if (used > n - i) FAIL("used %zu > %zu", used, n - i);
            if (r != xmpp_xml_error(&x)->code) FAIL("feed returned %d, error is %d", (int)r, (int)xmpp_xml_error(&x)->code);
            i += used;
            o->consumed += used;
            memset(scratch, 0xA5, n);   /* nothing may point into the input any more */
            memcpy(scratch + i, doc + pos + i, n - i);
            got = drain(&x, o);
            if (r != XMPP_OK) {
                if (xmpp_xml_error(&x)->offset != o->consumed)
                    FAIL("error at %llu but %llu bytes consumed", (unsigned long long)xmpp_xml_error(&x)->offset, (unsigned long long)o->consumed);
                break;
            }
            if (i < n && !got) FAIL("feed stopped after %zu of %zu bytes with no token and no error", used, n - (i - used));
        }
        free(scratch);
        pos += n;
    }
    drain(&x, o);
    e = xmpp_xml_error(&x);
    o->err = *e;
    if (e->code) {   /* sticky */
        xmpp_xml_token t;
        size_t used = 99999;
        if (!e->message) FAIL("error without a message");
        if (e->offset > len) FAIL("error offset %llu past the input", (unsigned long long)e->offset);
        if (xmpp_xml_feed(&x, "<a>", 3, &used) != e->code || used != 0) FAIL("error not sticky in feed");
        if (xmpp_xml_next(&x, &t) != e->code) FAIL("error not sticky in next");
        if (e->code != o->err.code || e->offset != o->err.offset || e->message != o->err.message)
            FAIL("errinfo changed");
    } else if (o->closed && o->depth) {
        FAIL("closed with elements open");
    }
    dx_finish(&o->st);
    for (i = 0; i < o->depth; i++) free(o->stack[i]);
    free(o->stack);
    o->stack = NULL;
}

static void show_input(const unsigned char *doc, size_t len)
{
    fprintf(stderr, "input: ");
    dx_show(stderr, (const char *)doc, len, 0, 600);
}

static void same_runs(const run_out *a, const run_out *b, const unsigned char *doc, size_t len,
                      const char *what, int trailing_text_may_differ)
{
    size_t i;
    int same = trailing_text_may_differ ? dx_same_but_trailing_text(&a->st, &b->st)
                                        : a->st.nl == b->st.nl;
    for (i = 0; same && !trailing_text_may_differ && i < a->st.nl; i++)
        same = strcmp(dx_get(&a->st, i), dx_get(&b->st, i)) == 0;
    if (a->err.code != b->err.code || a->err.offset != b->err.offset || a->err.message != b->err.message)
        same = 0;
    if (same) return;
    show_input(doc, len);
    fprintf(stderr, "%s: errors %d@%llu '%s' vs %d@%llu '%s'\n", what, (int)a->err.code,
            (unsigned long long)a->err.offset, a->err.message ? a->err.message : "", (int)b->err.code,
            (unsigned long long)b->err.offset, b->err.message ? b->err.message : "");
    for (i = 0; i < a->st.nl || i < b->st.nl; i++) {
        const char *la = i < a->st.nl ? dx_get(&a->st, i) : "(none)";
        const char *lb = i < b->st.nl ? dx_get(&b->st, i) : "(none)";
        if (strcmp(la, lb) != 0) { fprintf(stderr, "line %zu:\n  %.300s\n  %.300s\n", i, la, lb); break; }
    }
    FAIL("%s differ", what);
}

static uint32_t xs(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xmpp_xml_limits lim, *limp = NULL;
    const unsigned char *doc = data + 8;
    size_t len, nch = 0, bsize, mis, i;
    size_t *chunks = NULL;
    unsigned char *buf;
    run_out whole, cut;
    uint32_t seed;
    int cmode;
    char why[8192];
    dx_result r;

    if (size < 8) return 0;
    len = size - 8;
    memset(&lim, 0, sizeof lim);
    switch (data[0] & 3) {
    case 0: break;
    case 1: dx_generous(&lim); limp = &lim; break;
    default:
        lim.max_depth = 1u + data[1] % 12u;
        lim.max_attrs = 1u + data[2] % 10u;
        lim.max_name = 1u + data[3] % 40u;
        lim.max_token = 1u + data[4];
        lim.max_stanza = 1u + 8u * data[5];
        limp = &lim;
    }
    bsize = limp && (data[0] & 3) == 1 ? (size_t)1 << 20 : xmpp_xml_buffer_size(limp);
    if (data[0] & 16) bsize = bsize * (1u + data[5] % 100u) / 100u;
    mis = (size_t)(data[0] >> 5);
    buf = (unsigned char *)malloc(bsize + mis);
    if (!buf) abort();

    /* the chunking */
    cmode = (data[0] >> 2) & 3;
    seed = (uint32_t)data[6] << 8 | data[7] | 0x10000u;
    if (cmode && len) {
        chunks = (size_t *)malloc(len * sizeof *chunks);
        if (!chunks) abort();
        for (i = 0; i < len; nch++) {
            size_t c = cmode == 1 ? 1 : cmode == 2 ? 1 + xs(&seed) % 16u : 1 + xs(&seed) % (1u + 4u * data[7]);
            chunks[nch] = c;
            i += c;
        }
    }

    {   /* a buffer too small for init is an error to report, not a crash */
        xmpp_xml probe;
        if (xmpp_xml_init(&probe, buf + mis, bsize, limp) != XMPP_OK) {
            free(buf);
            bsize = xmpp_xml_buffer_size(limp);
            buf = (unsigned char *)malloc(bsize + mis);
            if (!buf) abort();
        }
    }
    run(doc, len, NULL, 0, limp, buf + mis, bsize, &whole);
    run(doc, len, chunks, nch, limp, buf + mis, bsize, &cut);
    same_runs(&whole, &cut, doc, len, "whole and chunked runs", 0);

    if (whole.err.code != XMPP_ERR_POLICY_VIOLATION) {
        dx_side g;
        run_out gr;
        dx_run_ours((const char *)doc, len, NULL, 0, NULL, &g);
        memset(&gr, 0, sizeof gr);
        gr.st = g.st;
        gr.err.code = (xmpp_err)g.code;
        gr.err.offset = g.off;
        gr.err.message = g.msg;
        same_runs(&whole, &gr, doc, len, "runs with these limits and with generous ones", 1);
        dx_side_free(&g);
    }

    if (diff_expat_ex((const char *)doc, len, chunks, nch, NULL, &r, why, sizeof why)) {
        show_input(doc, len);
        fprintf(stderr, "%s", why);
        FAIL("differs from expat");
    }

    dx_stream_free(&whole.st);
    dx_stream_free(&cut.st);
    free(chunks);
    free(buf);
    return 0;
}
