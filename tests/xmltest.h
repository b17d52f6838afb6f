/* xmltest.h - drive the tokenizer over a document in a given chunking and render what
   comes out in the canonical format, one line per token, plus a final
   "error: CONDITION at byte N: MESSAGE" line if it fails. Shared by the tokenizer tests. */
#ifndef XMLTEST_H
#define XMLTEST_H
#include <string.h>
#include "../xmpp.h"

/* Buffer sizes; the 16 KiB Cortex-M0 image (tests/firmware) makes them small. */
#ifndef XT_LINE
#define XT_LINE (1 << 16)      /* one rendered token */
#endif
#ifndef XT_SCRATCH
#define XT_SCRATCH (1 << 20)   /* the largest piece fed at once */
#endif

typedef struct {
    char *p;
    size_t size, n;
    int ntok;
} xt_out;

/* A file may use some of these helpers only (test_fastpath uses xt_put and xt_error). */
#if defined(__GNUC__) || defined(__clang__)
#define XT_MAYBE_UNUSED __attribute__((unused))
#else
#define XT_MAYBE_UNUSED
#endif

static XT_MAYBE_UNUSED void xt_put(xt_out *o, const char *s, size_t n)
{
    if (o->n + n + 1 > o->size) n = o->size - o->n - 1;
    memcpy(o->p + o->n, s, n);
    o->n += n;
    o->p[o->n] = 0;
}

static XT_MAYBE_UNUSED void xt_drain(xmpp_xml *x, xt_out *o)
{
    xmpp_xml_token t;
    static char line[XT_LINE];
    size_t need;
    while (xmpp_xml_next(x, &t) == XMPP_OK) {
        xmpp_xml_token_format(&t, line, sizeof line, &need);
        xt_put(o, line, strlen(line));
        xt_put(o, "\n", 1);
        o->ntok++;
    }
}

static XT_MAYBE_UNUSED void xt_error(const xmpp_xml *x, xt_out *o)
{
    const xmpp_errinfo *e = xmpp_xml_error(x);
    if (e->code) {
        char line[256];
        /* %lu, not %llu: newlib-nano on the microcontrollers has no long long printf */
        snprintf(line, sizeof line, "error: %s at byte %lu: %s\n", xmpp_err_condition(e->code),
                 (unsigned long)e->offset, e->message);
        xt_put(o, line, strlen(line));
    }
}

/* Feed doc[0..len) cut at the offsets cuts[0..ncuts) (none: whole). Each piece
   is copied to a scratch buffer that is scribbled over after feed returns, so a token
   that still pointed into the caller's input would show garbage. */
static XT_MAYBE_UNUSED void xt_run(xmpp_xml *x, const char *doc, size_t len, const size_t *cuts, size_t ncuts,
                   xt_out *o)
{
    static unsigned char scratch[XT_SCRATCH];
    size_t pos = 0, ci = 0;
    o->n = 0;
    o->ntok = 0;
    o->p[0] = 0;
    while (pos < len) {
        size_t end = ci < ncuts ? cuts[ci++] : len, off = pos, used;
        if (end > len) end = len;
        while (off < end) {
            size_t n = end - off < sizeof scratch ? end - off : sizeof scratch;
            xmpp_err r;
            memcpy(scratch, doc + off, n);
            r = xmpp_xml_feed(x, scratch, n, &used);
            memset(scratch, 0xA5, n);
            off += used;
            xt_drain(x, o);
            if (r != XMPP_OK) { xt_error(x, o); return; }
        }
        pos = end;
    }
    xt_drain(x, o);
    xt_error(x, o);
}
#endif
