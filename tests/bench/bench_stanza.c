/* bench_stanza.c - bytes to stanza trees: the >>stanza collector (fed by the >>xml
   tokenizer, streaming, at chunk sizes 1, 64, 1460, 65536) side by side with libstrophe
   (Debian libstrophe-dev) building its xmpp_stanza_t trees, on the generated XMPP stream
   of tests/corpus.h.

   ours: xmpp_xml_feed/xmpp_xml_next on the whole stream in chunks, every token into
     xmpp_stanza_push (one arena, reused per stanza), and each complete tree walked once:
     elements, attributes and text bytes are counted from the tree.
   libstrophe: its stream parser is not exported by the shared library; the one public way
     from bytes to a tree is xmpp_stanza_new_from_string(ctx, str), which parses one
     complete stanza string with expat (a new parser per call). So the stream is split into
     stanza strings beforehand (with our tokenizer, outside the measurement), and what is
     timed is xmpp_stanza_new_from_string + the same walk of its tree
     (xmpp_stanza_get_children/get_next/get_attribute_count/get_text_ptr) +
     xmpp_stanza_release. That is libstrophe's best case: whole stanzas, no chunking, and
     no stream header or white space between stanzas to scan. A stanza it cannot parse on
     its own (stream:features: its prefix is declared on the stream header) is left out of
     its share, and said so.
   All three counts (elements, attributes, text bytes) of both must equal the tokenizer's
   counts of the same stanzas, or the run fails.

   Memory: libstrophe gets a counting allocator (xmpp_ctx_new(&mem, NULL), a size header
   per block; expat's blocks go through it too), so the allocations and the peak heap of
   each stanza are known; ours allocates nothing and reports the arena bytes each stanza
   takes (xmpp_stanza_used): the ratio to the stanza's bytes on the wire over the corpus,
   and the arena three typical stanzas built here need (a chat message, a roster push, a
   64 KiB PEP avatar data item).

   Build (-O2):
     gcc -O2 -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra \
         tests/bench/bench_stanza.c -o build/bench_stanza -lstrophe

   Usage:
     bench_stanza [--size BYTES] [--runs N] [--seed S]
         everything: throughput table (best of N runs, default 5), memory, arena ratios.
     bench_stanza --parser ours|libstrophe|none --chunk N [--size BYTES] [--runs N]
         one configuration (for callgrind: tests/bench/bench_stanza_instr.sh); libstrophe
         ignores N (whole stanzas). All the measured work happens inside bench_measured(),
         so `valgrind --tool=callgrind --toggle-collect=bench_measured` counts only that.
   Exit status: 0 if every count agreed, 1 otherwise, 2 on bad usage. */
#define XMPP_IMPLEMENTATION
#include "../../xmpp.h"
#include "../corpus.h"

/* strophe.h declares enum constants with the same names as ours (XMPP_SE_*): rename its
   copies (the values are not used here) */
#define XMPP_SE_CONFLICT STROPHE_SE_CONFLICT
#define XMPP_SE_INTERNAL_SERVER_ERROR STROPHE_SE_INTERNAL_SERVER_ERROR
#define XMPP_SE_NOT_AUTHORIZED STROPHE_SE_NOT_AUTHORIZED
#define XMPP_SE_POLICY_VIOLATION STROPHE_SE_POLICY_VIOLATION
#define XMPP_SE_RESOURCE_CONSTRAINT STROPHE_SE_RESOURCE_CONSTRAINT
#define XMPP_SE_UNDEFINED_CONDITION STROPHE_SE_UNDEFINED_CONDITION
#include <strophe.h>
#undef XMPP_SE_CONFLICT
#undef XMPP_SE_INTERNAL_SERVER_ERROR
#undef XMPP_SE_NOT_AUTHORIZED
#undef XMPP_SE_POLICY_VIOLATION
#undef XMPP_SE_RESOURCE_CONSTRAINT
#undef XMPP_SE_UNDEFINED_CONDITION

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOINLINE __attribute__((noinline))

enum { P_OURS, P_STROPHE, P_COUNT, P_NONE = P_COUNT };
static const char *const parser_names[] = { "ours", "libstrophe" };

typedef struct counts {
    uint64_t stanzas, elements, attrs, text;  /* text: bytes of decoded text */
    int errors;
    char what[160];                           /* the first error */
} counts;

static void fail(counts *c, const char *what)
{
    if (!c->errors++) snprintf(c->what, sizeof c->what, "%s", what);
}

static int same(const counts *a, const counts *b)
{
    return a->stanzas == b->stanzas && a->elements == b->elements && a->attrs == b->attrs && a->text == b->text;
}

/* ---- the stream, split into stanzas by the tokenizer (outside the measurement) */

typedef struct stanza_span {
    size_t start, end;   /* [start, end): from the '<' of its START to just after its END */
    counts c;            /* the tokenizer's counts for it */
    int strophe;         /* 1: in libstrophe's share; at strophe_off in strophe_buf */
    size_t strophe_off;
} stanza_span;

static const unsigned char *doc;
static size_t doc_len;
static stanza_span *spans;
static size_t nspans;
static counts tok_all, tok_strophe;   /* tokenizer counts: all stanzas; libstrophe's share */
static size_t strophe_bytes;          /* bytes on the wire of libstrophe's share */
static char *strophe_buf;             /* its stanzas as NUL-terminated strings */
static size_t *strophe_list;          /* offsets into strophe_buf, in order */
static size_t strophe_n;

static unsigned char *tok_buf, *arena;
static size_t tok_size, arena_size;

/* Tokenize the whole stream once: every stanza's span and counts. 0 on success. */
static int split_stream(void)
{
    xmpp_xml x;
    xmpp_xml_token t;
    size_t off = 0, used, cap = 1024;
    stanza_span *cur = NULL;
    spans = malloc(cap * sizeof *spans);
    if (!spans || xmpp_xml_init(&x, tok_buf, tok_size, NULL)) return 1;
    while (off < doc_len) {
        xmpp_err r = xmpp_xml_feed(&x, doc + off, doc_len - off, &used);
        off += used;
        while (xmpp_xml_next(&x, &t) == XMPP_OK) {
            if (t.kind == XMPP_XML_START && t.depth == 2) {
                if (nspans == cap && !(spans = realloc(spans, (cap *= 2) * sizeof *spans))) return 1;
                cur = &spans[nspans++];
                memset(cur, 0, sizeof *cur);
                cur->start = (size_t)t.offset;
                cur->c.stanzas = 1;
            }
            if (!cur) continue;   /* the stream header, white space between stanzas */
            if (t.kind == XMPP_XML_START) { cur->c.elements++; cur->c.attrs += t.nattrs; }
            else if (t.kind == XMPP_XML_TEXT) cur->c.text += t.text.n;
            else if (t.kind == XMPP_XML_END && t.depth == 2) { cur->end = off; cur = NULL; }
        }
        if (r) {
            const xmpp_errinfo *e = xmpp_xml_error(&x);
            fprintf(stderr, "bench_stanza: the corpus does not tokenize: %s at byte %llu: %s\n",
                    xmpp_err_condition(e->code), (unsigned long long)e->offset, e->message);
            return 1;
        }
    }
    return 0;
}

static void add_counts(counts *to, const counts *c)
{
    to->stanzas += c->stanzas;
    to->elements += c->elements;
    to->attrs += c->attrs;
    to->text += c->text;
}

/* ---- ours */

/* one walk of the tree: elements, attributes, text bytes */
static void walk_ours(const xmpp_node *n, counts *c)
{
    const xmpp_node *ch;
    c->elements++;
    c->attrs += xmpp_node_attr_count(n);
    for (ch = xmpp_node_first(n); ch; ch = xmpp_node_next(ch)) {
        if (xmpp_node_is_text(ch)) c->text += xmpp_node_text(ch).n;
        else walk_ours(ch, c);
    }
}

static void run_ours(size_t chunk, counts *c)
{
    const unsigned char *d = doc;
    size_t len = doc_len, off = 0, end = chunk < len ? chunk : len, used;
    xmpp_xml x;
    xmpp_xml_token t;
    xmpp_stanza s;
    int closed = 0;
    if (xmpp_xml_init(&x, tok_buf, tok_size, NULL)) { fail(c, "xmpp_xml_init failed"); return; }
    xmpp_stanza_init(&s, arena, arena_size);
    while (off < len) {
        xmpp_err r = xmpp_xml_feed(&x, d + off, end - off, &used);
        off += used;
        while (xmpp_xml_next(&x, &t) == XMPP_OK) {
            xmpp_err e = xmpp_stanza_push(&s, &t);
            if (e == XMPP_OK) {
                c->stanzas++;
                walk_ours(xmpp_stanza_root(&s), c);
            } else if (e != XMPP_AGAIN) {
                char msg[160];
                snprintf(msg, sizeof msg, "ours: xmpp_stanza_push: %s at byte %llu", xmpp_strerror(e),
                         (unsigned long long)t.offset);
                fail(c, msg);
                return;
            } else if (t.kind == XMPP_XML_CLOSE) {
                closed = 1;
            }
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
    if (!closed) fail(c, "ours: the stream was not closed");
}

/* ---- libstrophe, with a counting allocator */

typedef struct heap {
    uint64_t allocs, reallocs, frees;
    size_t cur, peak;
} heap;

#define HDR 16   /* keeps the blocks 16-byte aligned, like malloc's */

/* Counting is on only in the untimed pass (prepare_strophe); in the timed runs these are
   plain malloc/free/realloc plus the header: under callgrind libstrophe then costs 1.8%
   more instructions than with its default allocator (xmpp_ctx_new(NULL, NULL)). */
static int heap_counting;

static void *h_alloc(size_t n, void *ud)
{
    heap *h = (heap *)ud;
    unsigned char *p = malloc(n + HDR);
    if (!p) return NULL;
    memcpy(p, &n, sizeof n);
    if (heap_counting) {
        h->allocs++;
        if ((h->cur += n) > h->peak) h->peak = h->cur;
    }
    return p + HDR;
}
static void h_free(void *q, void *ud)
{
    heap *h = (heap *)ud;
    unsigned char *p = (unsigned char *)q - HDR;
    size_t n;
    if (!q) return;
    if (heap_counting) {
        memcpy(&n, p, sizeof n);
        h->frees++;
        h->cur -= n;
    }
    free(p);
}
static void *h_realloc(void *q, size_t n, void *ud)
{
    heap *h = (heap *)ud;
    unsigned char *p;
    size_t old;
    if (!q) return h_alloc(n, ud);
    p = (unsigned char *)q - HDR;
    memcpy(&old, p, sizeof old);
    if (!(p = realloc(p, n + HDR))) return NULL;
    memcpy(p, &n, sizeof n);
    if (heap_counting) {
        h->reallocs++;
        h->cur = h->cur - old + n;
        if (h->cur > h->peak) h->peak = h->cur;
    }
    return p + HDR;
}

static heap strophe_heap;
static xmpp_ctx_t *strophe_ctx;

/* one walk of the tree; libstrophe keeps an element's namespace as an "xmlns" attribute,
   which is not counted (our tree and the tokenizer do not count namespace declarations) */
static void walk_strophe(xmpp_stanza_t *st, counts *c)
{
    xmpp_stanza_t *ch;
    c->elements++;
    c->attrs += (unsigned)xmpp_stanza_get_attribute_count(st) - (xmpp_stanza_get_ns(st) != NULL);
    for (ch = xmpp_stanza_get_children(st); ch; ch = xmpp_stanza_get_next(ch)) {
        if (xmpp_stanza_is_text(ch)) c->text += strlen(xmpp_stanza_get_text_ptr(ch));
        else walk_strophe(ch, c);
    }
}

static void run_strophe(counts *c)
{
    size_t i;
    for (i = 0; i < strophe_n; i++) {
        xmpp_stanza_t *st = xmpp_stanza_new_from_string(strophe_ctx, strophe_buf + strophe_list[i]);
        if (!st) { fail(c, "libstrophe: xmpp_stanza_new_from_string failed"); return; }
        c->stanzas++;
        walk_strophe(st, c);
        xmpp_stanza_release(st);
    }
}

/* Everything measured happens in here (callgrind --toggle-collect=bench_measured). */
NOINLINE void bench_measured(int parser, size_t chunk, counts *c);
NOINLINE void bench_measured(int parser, size_t chunk, counts *c)
{
    switch (parser) {
    case P_OURS: run_ours(chunk, c); break;
    case P_STROPHE: run_strophe(c); break;
    default: break;
    }
}

/* Which stanzas libstrophe parses on their own: try each one (not timed), with its
   allocations and peak heap per stanza, and its counts checked against the tokenizer's. */
typedef struct strophe_mem {
    uint64_t allocs, allocs_max;          /* malloc + realloc calls: total, most in a stanza */
    size_t peak_max, peak_max_wire;       /* largest peak heap of a stanza, that stanza's size */
    double peak_ratio_max;                /* largest peak heap / stanza size */
    size_t largest_wire, largest_peak;    /* the largest stanza and its peak heap */
    size_t left_out;
    char left_out_name[64];
    uint64_t setup_allocs;                /* the same for "<r/>": the cost of a call */
    size_t setup_peak;
} strophe_mem;

static int prepare_strophe(strophe_mem *m)
{
    size_t i, total = 0;
    for (i = 0; i < nspans; i++) total += spans[i].end - spans[i].start + 1;
    strophe_buf = malloc(total);
    strophe_list = malloc(nspans * sizeof *strophe_list);
    if (!strophe_buf || !strophe_list) return 1;
    memset(m, 0, sizeof *m);
    heap_counting = 1;   /* blocks alive now (the context) were not counted: start from 0 */
    strophe_heap.cur = strophe_heap.peak = 0;
    {   /* the fixed cost of a call: the smallest stanza */
        uint64_t before = strophe_heap.allocs + strophe_heap.reallocs;
        size_t base = strophe_heap.cur;
        xmpp_stanza_t *st;
        strophe_heap.peak = base;
        if (!(st = xmpp_stanza_new_from_string(strophe_ctx, "<r/>"))) return 1;
        xmpp_stanza_release(st);
        m->setup_allocs = strophe_heap.allocs + strophe_heap.reallocs - before;
        m->setup_peak = strophe_heap.peak - base;
    }
    total = 0;
    for (i = 0; i < nspans; i++) {
        stanza_span *sp = &spans[i];
        size_t n = sp->end - sp->start, before_allocs, base;
        xmpp_stanza_t *st;
        char *str = strophe_buf + total;
        memcpy(str, doc + sp->start, n);
        str[n] = '\0';
        before_allocs = (size_t)(strophe_heap.allocs + strophe_heap.reallocs);
        base = strophe_heap.cur;
        strophe_heap.peak = base;
        st = xmpp_stanza_new_from_string(strophe_ctx, str);
        if (!st) {
            if (!m->left_out++) {
                size_t k = strcspn(str + 1, " />\t\r\n");
                snprintf(m->left_out_name, sizeof m->left_out_name, "%.*s", (int)(k < 60 ? k : 60), str + 1);
            }
            continue;
        }
        {
            counts c;
            memset(&c, 0, sizeof c);
            c.stanzas = 1;
            walk_strophe(st, &c);
            if (!same(&c, &sp->c)) {
                fprintf(stderr, "bench_stanza: libstrophe counts differ at byte %zu: elements %llu/%llu "
                        "attrs %llu/%llu text %llu/%llu (libstrophe/tokenizer)\n", sp->start,
                        (unsigned long long)c.elements, (unsigned long long)sp->c.elements,
                        (unsigned long long)c.attrs, (unsigned long long)sp->c.attrs,
                        (unsigned long long)c.text, (unsigned long long)sp->c.text);
                return 1;
            }
        }
        xmpp_stanza_release(st);
        {
            size_t allocs = (size_t)(strophe_heap.allocs + strophe_heap.reallocs) - before_allocs;
            size_t peak = strophe_heap.peak - base;
            m->allocs += allocs;
            if (allocs > m->allocs_max) m->allocs_max = allocs;
            if (peak > m->peak_max) { m->peak_max = peak; m->peak_max_wire = n; }
            if ((double)peak / (double)n > m->peak_ratio_max) m->peak_ratio_max = (double)peak / (double)n;
            if (n > m->largest_wire) { m->largest_wire = n; m->largest_peak = peak; }
        }
        sp->strophe = 1;
        sp->strophe_off = total;
        strophe_list[strophe_n++] = total;
        strophe_bytes += n;
        add_counts(&tok_strophe, &sp->c);
        total += n + 1;
    }
    heap_counting = 0;
    return 0;
}

/* ---- arena bytes per stanza (ours), over the corpus */

typedef struct kind_stat {
    char name[32];
    uint64_t n;
    double sum, max;
} kind_stat;

typedef struct arena_stat {
    uint64_t n, over;     /* stanzas; those over the 1.5x target */
    double sum, max;
    size_t worst_wire, worst_used, worst_at, used_max;
    char worst_name[80];
    kind_stat kinds[16];
    size_t nkinds;
} arena_stat;

static int arena_ratios(arena_stat *a)
{
    xmpp_xml x;
    xmpp_xml_token t;
    xmpp_stanza s;
    size_t off = 0, used, i = 0;
    memset(a, 0, sizeof *a);
    if (xmpp_xml_init(&x, tok_buf, tok_size, NULL)) return 1;
    xmpp_stanza_init(&s, arena, arena_size);
    while (off < doc_len) {
        xmpp_err r = xmpp_xml_feed(&x, doc + off, doc_len - off, &used);
        off += used;
        while (xmpp_xml_next(&x, &t) == XMPP_OK) {
            xmpp_err e = xmpp_stanza_push(&s, &t);
            const xmpp_node *root, *child;
            size_t wire, k;
            double ratio;
            xmpp_str name;
            if (e == XMPP_AGAIN) continue;
            if (e != XMPP_OK || i >= nspans) return 1;
            root = xmpp_stanza_root(&s);
            wire = off - (size_t)xmpp_stanza_offset(&s);   /* feed stopped right after the END */
            if (wire != spans[i].end - spans[i].start) return 1;
            i++;
            ratio = (double)xmpp_stanza_used(&s) / (double)wire;
            name = xmpp_node_name(root);
            a->n++;
            a->sum += ratio;
            a->over += ratio > 1.5;
            if (xmpp_stanza_used(&s) > a->used_max) a->used_max = xmpp_stanza_used(&s);
            if (ratio > a->max) {
                xmpp_str cn;
                a->max = ratio;
                a->worst_wire = wire;
                a->worst_used = xmpp_stanza_used(&s);
                a->worst_at = (size_t)xmpp_stanza_offset(&s);
                child = xmpp_node_child(root, NULL, NULL);
                cn = xmpp_node_name(child);
                if (child)
                    snprintf(a->worst_name, sizeof a->worst_name, "<%.*s><%.*s>", (int)name.n, name.p,
                             (int)cn.n, cn.p);
                else
                    snprintf(a->worst_name, sizeof a->worst_name, "<%.*s/>", (int)name.n, name.p);
            }
            for (k = 0; k < a->nkinds; k++)
                if (xmpp_str_eq(name, a->kinds[k].name)) break;
            if (k == a->nkinds && k < sizeof a->kinds / sizeof a->kinds[0]) {
                xmpp_str_copy(name, a->kinds[k].name, sizeof a->kinds[k].name);
                a->nkinds++;
            }
            if (k < a->nkinds) {
                a->kinds[k].n++;
                a->kinds[k].sum += ratio;
                if (ratio > a->kinds[k].max) a->kinds[k].max = ratio;
            }
        }
        if (r) return 1;
    }
    return i == nspans ? 0 : 1;
}

/* ---- three typical stanzas, built here */

static const char typical_head[] =
    "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
    "from='example.com' to='juliet@example.com' version='1.0'>";

static const char typical_chat[] =
    "<message from='romeo@montague.example/orchard' to='juliet@capulet.example/balcony' "
    "type='chat' id='6e1c9f3a-4b2d' xml:lang='en'>"
    "<body>Art thou not Romeo, and a Montague? &lt;3</body>"
    "<active xmlns='http://jabber.org/protocol/chatstates'/></message>";

static const char typical_roster[] =
    "<iq to='juliet@example.com/balcony' id='a78b4q6ha463' type='set'>"
    "<query xmlns='jabber:iq:roster' ver='ver14'>"
    "<item jid='nurse@example.com' name='Nurse' subscription='both'><group>Servants</group></item>"
    "</query></iq>";

static const char typical_pep_open[] =
    "<message from='juliet@capulet.example' to='romeo@montague.example/orchard' type='headline' "
    "id='avatar-data-1'><event xmlns='http://jabber.org/protocol/pubsub#event'>"
    "<items node='urn:xmpp:avatar:data'><item id='111f4b3c50d7b0df729d299bc6f8e9ef9066971f'>"
    "<data xmlns='urn:xmpp:avatar:data'>";
static const char typical_pep_close[] = "</data></item></items></event></message>";

#define PEP_DATA 65536   /* base64 characters of the avatar */

/* Tokenize head + stanza + close with limits for big stanzas, collect: *wire, *used. */
static int typical_arena(const char *stanza, size_t n, size_t *used_out)
{
    static const char tail[] = "</stream:stream>";
    xmpp_xml_limits lim;
    xmpp_xml x;
    xmpp_xml_token t;
    xmpp_stanza s;
    size_t bsize, asize, hlen = sizeof typical_head - 1, len = hlen + n + sizeof tail - 1, off = 0, used;
    unsigned char *buf, *ar;
    char *d;
    int found = 0;
    memset(&lim, 0, sizeof lim);
    lim.max_token = 65535;
    lim.max_stanza = 1u << 20;
    bsize = xmpp_xml_buffer_size(&lim);
    asize = xmpp_stanza_arena_size(&lim);
    buf = malloc(bsize);
    ar = malloc(asize);
    d = malloc(len);
    if (!buf || !ar || !d || xmpp_xml_init(&x, buf, bsize, &lim)) return 1;
    memcpy(d, typical_head, hlen);
    memcpy(d + hlen, stanza, n);
    memcpy(d + hlen + n, tail, sizeof tail - 1);
    xmpp_stanza_init(&s, ar, asize);
    while (off < len) {
        xmpp_err r = xmpp_xml_feed(&x, d + off, len - off, &used);
        off += used;
        while (xmpp_xml_next(&x, &t) == XMPP_OK) {
            xmpp_err e = xmpp_stanza_push(&s, &t);
            if (e == XMPP_OK) {
                if (off - (size_t)xmpp_stanza_offset(&s) != n) return 1;
                *used_out = xmpp_stanza_used(&s);
                found = 1;
            } else if (e != XMPP_AGAIN) {
                return 1;
            }
        }
        if (r) return 1;
    }
    free(buf);
    free(ar);
    free(d);
    return found ? 0 : 1;
}

static int typical_stanzas(void)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t olen = sizeof typical_pep_open - 1, clen = sizeof typical_pep_close - 1;
    size_t pep_len = olen + PEP_DATA + clen, i, used;
    char *pep = malloc(pep_len);
    uint32_t r = 0x2545F491u;
    struct { const char *what, *s; size_t n; } ts[3];
    int k, ok = 1;
    if (!pep) return 1;
    memcpy(pep, typical_pep_open, olen);
    for (i = 0; i < PEP_DATA; i++) {   /* base64-looking bytes from a fixed xorshift */
        r ^= r << 13; r ^= r >> 17; r ^= r << 5;
        pep[olen + i] = b64[r >> 26];
    }
    memcpy(pep + olen + PEP_DATA, typical_pep_close, clen);
    ts[0].what = "chat message"; ts[0].s = typical_chat; ts[0].n = sizeof typical_chat - 1;
    ts[1].what = "roster push"; ts[1].s = typical_roster; ts[1].n = sizeof typical_roster - 1;
    ts[2].what = "64 KiB PEP item"; ts[2].s = pep; ts[2].n = pep_len;
    printf("arena for typical stanzas (tokenizer limits max_token 65535, max_stanza 1 MiB):\n");
    printf("  %-16s %10s %10s %7s\n", "stanza", "wire B", "arena B", "ratio");
    for (k = 0; k < 3; k++) {
        if (typical_arena(ts[k].s, ts[k].n, &used)) {
            printf("  %-16s ERROR: not collected\n", ts[k].what);
            ok = 0;
            continue;
        }
        printf("  %-16s %10zu %10zu %6.2fx\n", ts[k].what, ts[k].n, used, (double)used / (double)ts[k].n);
    }
    free(pep);
    return ok ? 0 : 1;
}

/* ---- timing */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Best of runs; *c gets the counts of the last run, checked against want. */
static double time_parser(int parser, size_t chunk, int runs, const counts *want, counts *c)
{
    double best = 1e30;
    int i;
    for (i = 0; i < runs; i++) {
        counts r;
        double t0, t1;
        memset(&r, 0, sizeof r);
        t0 = now();
        bench_measured(parser, chunk, &r);
        t1 = now();
        if (t1 - t0 < best) best = t1 - t0;
        if (!r.errors && !same(&r, want)) fail(&r, "counts differ from the tokenizer's");
        *c = r;
        if (r.errors) break;
    }
    return best;
}

static int parse_parser(const char *s)
{
    int i;
    if (strcmp(s, "none") == 0) return P_NONE;
    for (i = 0; i < P_COUNT; i++)
        if (strcmp(s, parser_names[i]) == 0) return i;
    return -1;
}

static int usage(void)
{
    fprintf(stderr, "usage: bench_stanza [--size BYTES] [--runs N] [--seed S]\n"
                    "       bench_stanza --parser ours|libstrophe|none --chunk N [--size BYTES] [--runs N]\n");
    return 2;
}

static void print_counts(const counts *c)
{
    printf("%llu / %llu / %llu / %llu", (unsigned long long)c->stanzas, (unsigned long long)c->elements,
           (unsigned long long)c->attrs, (unsigned long long)c->text);
}

int main(int argc, char **argv)
{
    static const size_t chunks[] = { 1, 64, 1460, 65536 };
    static xmpp_mem_t mem = { h_alloc, h_free, h_realloc, &strophe_heap };
    size_t size = 20000000, chunk = 0, i;
    int runs = 5, parser = -1, ok = 1;
    uint32_t seed = 20240601;
    char *d;
    strophe_mem sm;
    for (i = 1; i < (size_t)argc; i++) {
        const char *a = argv[i], *v = i + 1 < (size_t)argc ? argv[i + 1] : NULL;
        if (!v) return usage();
        i++;
        if (strcmp(a, "--size") == 0) size = strtoul(v, NULL, 10);
        else if (strcmp(a, "--runs") == 0) runs = atoi(v);
        else if (strcmp(a, "--seed") == 0) seed = (uint32_t)strtoul(v, NULL, 0);
        else if (strcmp(a, "--chunk") == 0) chunk = strtoul(v, NULL, 10);
        else if (strcmp(a, "--parser") == 0) { if ((parser = parse_parser(v)) < 0) return usage(); }
        else return usage();
    }
    if (runs < 1 || size < 1000 || (parser >= 0 && !chunk)) return usage();

    /* the corpus: a little headroom so that the last stanza fits */
    d = malloc(size + 65536);
    if (!d) { perror("malloc"); return 2; }
    doc_len = corpus_make(d, size + 65536, size, seed);
    doc = (const unsigned char *)d;
    tok_size = xmpp_xml_buffer_size(NULL);
    arena_size = xmpp_stanza_arena_size(NULL);
    tok_buf = malloc(tok_size);
    arena = malloc(arena_size);
    if (!tok_buf || !arena || split_stream()) { fprintf(stderr, "bench_stanza: cannot split the corpus\n"); return 1; }
    for (i = 0; i < nspans; i++) add_counts(&tok_all, &spans[i].c);

    xmpp_initialize();
    strophe_ctx = xmpp_ctx_new(&mem, NULL);
    if (!strophe_ctx || prepare_strophe(&sm)) { fprintf(stderr, "bench_stanza: libstrophe setup failed\n"); return 1; }

    if (parser == P_NONE) {
        printf("parser none chunk %zu bytes %zu\n", chunk, doc_len);
        return 0;
    }
    if (parser >= 0) {   /* one configuration */
        counts c;
        double t = time_parser(parser, chunk, runs, parser == P_OURS ? &tok_all : &tok_strophe, &c);
        size_t bytes = parser == P_OURS ? doc_len : strophe_bytes;
        if (parser == P_OURS) printf("parser ours chunk %zu", chunk);
        else printf("parser libstrophe chunk whole-stanzas");
        printf(" stanzas %llu MB/s %.1f stanzas/s %.0f bytes %zu%s%s\n", (unsigned long long)c.stanzas,
               (double)bytes / t / 1e6, (double)c.stanzas / t, bytes, c.errors ? " ERROR: " : "",
               c.errors ? c.what : "");
        return c.errors ? 1 : 0;
    }

    printf("corpus: %zu bytes (seed %u), %zu stanzas; best of %d run%s, MB/s = 10^6 bytes/s\n", doc_len,
           (unsigned)seed, nspans, runs, runs == 1 ? "" : "s");
    printf("ours:       streaming: xmpp_xml_feed/next in chunks of N bytes + xmpp_stanza_push into one\n"
           "            %zu-byte arena (xmpp_stanza_arena_size(NULL)) + one walk of each tree; all %zu bytes\n",
           arena_size, doc_len);
    printf("libstrophe: whole stanzas (its best case: split beforehand, no chunking, no stream to scan):\n"
           "            xmpp_stanza_new_from_string + one walk + xmpp_stanza_release; %zu stanzas, %zu bytes\n",
           strophe_n, strophe_bytes);
    if (sm.left_out)
        printf("            (%zu left out: <%s>, whose prefix is declared on the stream header)\n", sm.left_out,
               sm.left_out_name);
    printf("%13s  %-10s %8s %11s %16s   %s\n", "chunk", "parser", "MB/s", "stanzas/s", "ours/libstrophe",
           "stanzas / elements / attributes / text bytes");
    {
        counts cs, co[sizeof chunks / sizeof chunks[0]];
        double ts, to[sizeof chunks / sizeof chunks[0]];
        size_t ci;
        ts = time_parser(P_STROPHE, 0, runs, &tok_strophe, &cs);
        for (ci = 0; ci < sizeof chunks / sizeof chunks[0]; ci++) {
            double r;
            to[ci] = time_parser(P_OURS, chunks[ci], runs, &tok_all, &co[ci]);
            r = ((double)co[ci].stanzas / to[ci]) / ((double)cs.stanzas / ts);
            printf("%13zu  %-10s %8.1f %11.0f %15.2fx   ", chunks[ci], "ours", (double)doc_len / to[ci] / 1e6,
                   (double)co[ci].stanzas / to[ci], r);
            print_counts(&co[ci]);
            printf("%s%s\n", co[ci].errors ? "  ERROR: " : "", co[ci].errors ? co[ci].what : "");
            if (co[ci].errors) ok = 0;
            fflush(stdout);
        }
        printf("%13s  %-10s %8.1f %11.0f %16s   ", "whole stanzas", "libstrophe", (double)strophe_bytes / ts / 1e6,
               (double)cs.stanzas / ts, "1.00x");
        print_counts(&cs);
        printf("%s%s\n", cs.errors ? "  ERROR: " : "", cs.errors ? cs.what : "");
        if (cs.errors) ok = 0;
    }
    printf("%s\n", ok ? "counts agree with the tokenizer's (ours: every stanza; libstrophe: its share)"
                      : "MISMATCH or ERROR");

    {
        arena_stat a;
        size_t k;
        if (arena_ratios(&a)) {
            printf("arena ratios: ERROR\n");
            ok = 0;
        } else {
            printf("\nmemory per stanza:\n");
            printf("  ours:       0 mallocs; one arena of %zu bytes (xmpp_stanza_arena_size(NULL): enough for any\n"
                   "              stanza the default limits let through), of which the corpus's stanzas used\n"
                   "              at most %zu bytes\n", arena_size, a.used_max);
            printf("  libstrophe: %.1f allocations per stanza (malloc + realloc calls; most %llu), of which %llu\n"
                   "              are the per-call setup (measured on <r/>: a new expat parser each call);\n"
                   "              peak heap per stanza up to %zu bytes (a %zu-byte stanza), at most %.1fx a\n"
                   "              stanza's size (%zu bytes for <r/>); the largest stanza (%zu bytes) peaked\n"
                   "              at %zu bytes = %.1fx its size\n",
                   strophe_n ? (double)sm.allocs / (double)strophe_n : 0.0, (unsigned long long)sm.allocs_max,
                   (unsigned long long)sm.setup_allocs, sm.peak_max, sm.peak_max_wire, sm.peak_ratio_max,
                   sm.setup_peak, sm.largest_wire, sm.largest_peak,
                   sm.largest_wire ? (double)sm.largest_peak / (double)sm.largest_wire : 0.0);
            printf("\narena bytes / wire bytes (xmpp_stanza_used / the stanza's bytes on the wire), %llu stanzas:\n",
                   (unsigned long long)a.n);
            printf("  max %.3fx (%s, %zu bytes -> %zu arena bytes, at byte %zu), mean %.2fx; largest arena use %zu bytes\n",
                   a.max, a.worst_name, a.worst_wire, a.worst_used, a.worst_at, a.sum / (double)a.n, a.used_max);
            printf("  target <= 1.5x for the corpus's stanzas: %s (%llu stanza%s over 1.5x)\n",
                   a.max <= 1.5 ? "met" : "NOT met", (unsigned long long)a.over, a.over == 1 ? "" : "s");
            printf("  by root element:");
            for (k = 0; k < a.nkinds; k++)
                printf("%s %s %llu, mean %.2fx, max %.2fx", k ? ";" : "", a.kinds[k].name,
                       (unsigned long long)a.kinds[k].n, a.kinds[k].sum / (double)a.kinds[k].n, a.kinds[k].max);
            printf("\n");
        }
    }
    printf("\n");
    if (typical_stanzas()) ok = 0;
    xmpp_ctx_free(strophe_ctx);
    return ok ? 0 : 1;
}
