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
   (ending where its allocation ends) whose consumed bytes are scribbled over after
   feed() returns. Checked on every token and call:
     - every view in a token lies inside the tokenizer's buffer (or is empty, or the
       static XML namespace URI); the attrs array too;
     - kinds and depths follow the nesting: DECL first at depth 0, OPEN at 1 once, START
       at depth+1, END/CLOSE at the depth and with the name of the open element, TEXT
       never empty, never longer than max_token, inside the root;
     - offsets never decrease and lie before the bytes consumed so far;
     - feed() consumes <= len; when it stops early without an error a token is ready;
       after an error, err.offset = bytes consumed (max_stanza: <=); the error is sticky
       (feed and next return it, consume nothing, the errinfo does not change);
     - a policy-violation is a limit really exceeded: max_depth with max_depth elements
       open, max_stanza exactly max_stanza bytes after the '<' of an open depth-2 element
       (or of its start tag being read), "buffer full" only with a buffer smaller than
       xmpp_xml_buffer_size(); a depth-2 element that ends fits in max_stanza;
     - both chunkings give the same tokens and the same error (code, offset, message),
       the chunked run after tokenizing part of the input and xmpp_xml_reset(), and
       (h[6] bit 7) pulling one token per feed() call, not all;
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
    int ntok, closed, last_kind;
    const unsigned char *doc;
    size_t len;
    /* open elements: "prefix local ns" strings and the offsets of their '<' */
    char **stack;
    uint64_t *soff;
    size_t depth, scap, ocap;
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
    if (t->kind == XMPP_XML_TEXT && o->last_kind == XMPP_XML_TEXT && t->offset == o->last_off)
        FAIL("two TEXT tokens at offset %llu: the second does not start at its first byte", (unsigned long long)t->offset);
    o->last_off = t->offset;
    if (o->closed) FAIL("token after CLOSE");
    switch (t->kind) {
    case XMPP_XML_DECL:
        if (o->ntok || t->depth || !t->nattrs) FAIL("DECL not first, or depth %u, or no version", t->depth);
        if (t->offset != 0 && t->offset != 3) FAIL("DECL at offset %llu", (unsigned long long)t->offset);
        break;
    case XMPP_XML_OPEN:
    case XMPP_XML_START:
        if ((t->kind == XMPP_XML_OPEN) != (o->depth == 0)) FAIL("OPEN/START at depth %zu", o->depth);
        if (t->depth != o->depth + 1) FAIL("start tag depth %u with %zu open", t->depth, o->depth);
        if (t->depth > o->lim.max_depth) FAIL("depth %u > max_depth", t->depth);
        if (!t->local.n || t->local.n + t->prefix.n > o->lim.max_name) FAIL("element name length");
        if (o->doc[t->offset] != '<') FAIL("start tag offset %llu is not at a '<'", (unsigned long long)t->offset);
        o->stack = (char **)dx_grow(o->stack, &o->scap, o->depth + 1, sizeof *o->stack);
        o->soff = (uint64_t *)dx_grow(o->soff, &o->ocap, o->depth + 1, sizeof *o->soff);
        o->soff[o->depth] = t->offset;
        o->stack[o->depth++] = name_of(t);
        break;
    case XMPP_XML_END:
    case XMPP_XML_CLOSE:
        if ((t->kind == XMPP_XML_CLOSE) != (o->depth == 1)) FAIL("END/CLOSE at depth %zu", o->depth);
        if (t->depth != o->depth) FAIL("end tag depth %u with %zu open", t->depth, o->depth);
        nm = name_of(t);
        if (strcmp(nm, o->stack[o->depth - 1]) != 0) FAIL("end tag %s closes %s", nm, o->stack[o->depth - 1]);
        free(nm);
        if (t->offset == o->soff[o->depth - 1]
                ? o->last_kind != XMPP_XML_OPEN && o->last_kind != XMPP_XML_START   /* <a/> */
                : o->doc[t->offset] != '<' || o->doc[t->offset + 1] != '/')
            FAIL("end tag offset %llu is neither its \"</\" nor its empty element's '<'", (unsigned long long)t->offset);
        /* max_stanza: a whole depth-2 element, '<' to last '>', fits */
        if (o->depth == 2 && o->consumed - o->soff[1] > o->lim.max_stanza)
            FAIL("a stanza of %llu bytes passed max_stanza %u", (unsigned long long)(o->consumed - o->soff[1]), o->lim.max_stanza);
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
    o->last_kind = (int)t->kind;
    o->ntok++;
    dx_token(&o->st, t);
}

/* Pull one token if there is one (the lazy way: feed() is called again before next()
   says XMPP_AGAIN, so feed() must take nothing while a token waits, and release it). */
static int pull_one(xmpp_xml *x, run_out *o)
{
    xmpp_xml_token t;
    xmpp_err r = xmpp_xml_next(x, &t);
    if (r == XMPP_OK) { check_token(o, &t); return 1; }
    if (r != XMPP_AGAIN && r != xmpp_xml_error(x)->code) FAIL("next() returned %d, error is %d", (int)r, (int)xmpp_xml_error(x)->code);
    return 0;
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

/* A policy-violation must be a limit really exceeded. full_buffer: the buffer has the
   size xmpp_xml_buffer_size() gives, which "never runs out before a limit does". */
static void check_limit_error(const run_out *o, int full_buffer)
{
    const char *m = o->err.message;
    uint64_t e = o->err.offset, s;
    if (o->err.code != XMPP_ERR_POLICY_VIOLATION) return;
    if (full_buffer && strncmp(m, "tokenizer buffer full", 21) == 0)
        FAIL("'%s' at %llu with a buffer of xmpp_xml_buffer_size() bytes", m, (unsigned long long)e);
    if (strcmp(m, "elements nested deeper than max_depth") == 0 && o->depth != o->lim.max_depth)
        FAIL("max_depth error with %zu elements open, max_depth %u", o->depth, o->lim.max_depth);
    if (strcmp(m, "stanza larger than max_stanza") == 0) {
        if (o->depth >= 2) {
            s = o->soff[1];
        } else {   /* the stanza's start tag is being read: the last '<' starts it */
            for (s = e ? e - 1 : 0; s > 0 && o->doc[s] != '<'; s--) {}
            if (o->doc[s] != '<' || o->depth != 1 || strchr("/!?", o->doc[s + 1]))
                FAIL("max_stanza error at %llu with no stanza open (depth %zu, last '<' at %llu)",
                     (unsigned long long)e, o->depth, (unsigned long long)s);
        }
        if (e - s != o->lim.max_stanza)
            FAIL("max_stanza error at %llu for a stanza starting at %llu, max_stanza %u",
                 (unsigned long long)e, (unsigned long long)s, o->lim.max_stanza);
    }
}

/* Tokenize doc in the given chunking, checking everything; reset: first tokenize part
   of doc, then start over with xmpp_xml_reset() (nothing of the old stream may remain);
   lazy: pull one token after each feed() call, not all of them. */
static void run(const unsigned char *doc, size_t len, const size_t *chunks, size_t nch,
                const xmpp_xml_limits *lim, unsigned char *buf, size_t size, int reset, int lazy,
                run_out *o)
{
    xmpp_xml x;
    const xmpp_errinfo *e;
    size_t pos = 0, ci = 0, i;
    unsigned char *scratch;
    memset(o, 0, sizeof *o);
    dx_stream_init(&o->st);
    if (xmpp_xml_init(&x, buf, size, lim) != XMPP_OK) FAIL("init failed");
    if (reset) {
        xmpp_xml_token t;
        size_t used, off = 0, part = len - len / 3;
        while (off < part && xmpp_xml_feed(&x, doc + off, part - off, &used) == XMPP_OK) {
            off += used;
            while (xmpp_xml_next(&x, &t) == XMPP_OK) {}
        }
        while (xmpp_xml_next(&x, &t) == XMPP_OK) {}
        xmpp_xml_reset(&x);
    }
    o->lo = buf;
    o->hi = buf + size;
    o->doc = doc;
    o->len = len;
    if (lim) o->lim = *lim;
    if (!o->lim.max_depth) o->lim.max_depth = XMPP_XML_DEFAULT_DEPTH;
    if (!o->lim.max_attrs) o->lim.max_attrs = XMPP_XML_DEFAULT_ATTRS;
    if (!o->lim.max_name) o->lim.max_name = XMPP_XML_DEFAULT_NAME;
    if (!o->lim.max_token) o->lim.max_token = XMPP_XML_DEFAULT_TOKEN;
    if (!o->lim.max_stanza) o->lim.max_stanza = XMPP_XML_DEFAULT_STANZA;
    /* each piece is copied to the end of one allocation (len bytes: ASan sees a read
       past the piece) and the bytes feed() consumed are scribbled over right after */
    scratch = (unsigned char *)malloc(len ? len : 1);
    if (!scratch) abort();
    while (pos < len && !xmpp_xml_error(&x)->code) {
        size_t n = len - pos;
        unsigned char *piece;
        while (ci < nch && chunks[ci] == 0) ci++;
        if (ci < nch && chunks[ci] < n) n = chunks[ci];
        ci++;
        piece = scratch + len - n;
        memcpy(piece, doc + pos, n);
        for (i = 0; i < n; ) {
            size_t used = 99999;
            xmpp_err r = xmpp_xml_feed(&x, piece + i, n - i, &used);
            int got;
            if (used > n - i) FAIL("used %zu > %zu", used, n - i);
            if (r != xmpp_xml_error(&x)->code) FAIL("feed returned %d, error is %d", (int)r, (int)xmpp_xml_error(&x)->code);
            memset(piece + i, 0xA5, used);   /* nothing may point into the input any more */
            i += used;
            o->consumed += used;
            got = lazy ? pull_one(&x, o) : drain(&x, o);
            if (r != XMPP_OK) {
                /* the byte at the error offset is not consumed; max_stanza is checked
                   when feed returns, so then the bytes past the limit may be */
                const xmpp_errinfo *ei = xmpp_xml_error(&x);
                drain(&x, o);
                if (strcmp(ei->message, "stanza larger than max_stanza") == 0 ? ei->offset > o->consumed
                                                                          : ei->offset != o->consumed)
                    FAIL("error at %llu but %llu bytes consumed", (unsigned long long)ei->offset, (unsigned long long)o->consumed);
                break;
            }
            if (i < n && !got) FAIL("feed stopped after %zu of %zu bytes with no token and no error", used, n - (i - used));
        }
        pos += n;
    }
    free(scratch);
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
}

static void run_free(run_out *o)
{
    size_t i;
    for (i = 0; i < o->depth; i++) free(o->stack[i]);
    free(o->stack);
    free(o->soff);
    dx_stream_free(&o->st);
    memset(o, 0, sizeof *o);
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
        lim.max_token = 16u + data[4];   /* xmpp_xml_init() takes 16 to 65535 */
        lim.max_stanza = 1u + 8u * data[5];
        limp = &lim;
    }
    bsize = limp && (data[0] & 3) == 1 ? (size_t)256 << 10 : xmpp_xml_buffer_size(limp);
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
    run(doc, len, NULL, 0, limp, buf + mis, bsize, 0, 0, &whole);
    run(doc, len, chunks, nch, limp, buf + mis, bsize, 1, data[6] >> 7, &cut);
    same_runs(&whole, &cut, doc, len, "whole and chunked runs", 0);
    check_limit_error(&whole, (data[0] & 3) != 1 && bsize == xmpp_xml_buffer_size(limp));

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

    run_free(&whole);
    run_free(&cut);
    free(chunks);
    free(buf);
    return 0;
}
