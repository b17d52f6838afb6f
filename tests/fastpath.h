/* fastpath.h - one private copy of the tokenizer (XMPP_STATIC) and a function that runs it
   over a document, for test_fastpath.c: included by test_fastpath.c (built without the
   speed shortcuts) and by fastpath2.c (with them), each defining FP_RUN to its own name.

   FP_RUN(doc, len, cuts, ncuts, lim, shrink, out, size) feeds doc cut at the offsets
   cuts[0..ncuts) (none: whole), each piece copied to its own allocation that is scribbled
   over and freed after the feed (ASan sees any read past it or later), with a tokenizer
   buffer of xmpp_xml_buffer_size(lim) - shrink bytes, and renders into out: one line per
   token with its offset, then the error line (xmltest.h's formats). */
#define XMPP_STATIC
#define XMPP_IMPLEMENTATION
#include "../xmpp.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xmltest.h"

size_t FP_RUN(const unsigned char *doc, size_t len, const size_t *cuts, size_t ncuts,
              const xmpp_xml_limits *lim, size_t shrink, char *out, size_t size);

/* Each token as xmltest.h renders it, after its offset. */
static int fp_drain(xmpp_xml *x, xt_out *o)
{
    static char line[1 << 16];
    xmpp_xml_token t;
    size_t need;
    int n = 0;
    while (xmpp_xml_next(x, &t) == XMPP_OK) {
        char off[32];
        snprintf(off, sizeof off, "@%lu ", (unsigned long)t.offset);
        xt_put(o, off, strlen(off));
        xmpp_xml_token_format(&t, line, sizeof line, &need);
        xt_put(o, line, strlen(line));
        xt_put(o, "\n", 1);
        n++;
    }
    return n;
}

size_t FP_RUN(const unsigned char *doc, size_t len, const size_t *cuts, size_t ncuts,
              const xmpp_xml_limits *lim, size_t shrink, char *out, size_t size)
{
    xt_out o;
    xmpp_xml x;
    size_t pos = 0, ci = 0, bs = xmpp_xml_buffer_size(lim);
    unsigned char *buf;
    o.p = out;
    o.size = size;
    o.n = 0;
    o.ntok = 0;
    out[0] = 0;
    if (shrink < bs) bs -= shrink;
    if (!(buf = (unsigned char *)malloc(bs))) { xt_put(&o, "malloc\n", 7); return o.n; }
    if (xmpp_xml_init(&x, buf, bs, lim) != XMPP_OK) { xt_put(&o, "init refused\n", 13); free(buf); return o.n; }
    while (pos < len) {
        size_t end = ci < ncuts ? cuts[ci++] : len, off = pos, used;
        if (end > len) end = len;
        while (off < end) {
            size_t n = end - off;
            unsigned char *piece = (unsigned char *)malloc(n);
            xmpp_err r;
            int got;
            if (!piece) { xt_put(&o, "malloc\n", 7); free(buf); return o.n; }
            memcpy(piece, doc + off, n);
            r = xmpp_xml_feed(&x, piece, n, &used);
            memset(piece, 0xA5, n);
            free(piece);
            off += used;
            got = fp_drain(&x, &o);
            if (r != XMPP_OK) { xt_error(&x, &o); free(buf); return o.n; }
            if (!used && !got) { xt_put(&o, "stuck: feed took nothing, no token\n", 35); free(buf); return o.n; }
        }
        pos = end;
    }
    fp_drain(&x, &o);
    xt_error(&x, &o);
    free(buf);
    return o.n;
}
