/* bench_hostile.c - what hostile stanzas cost from bytes to tree (tokenizer + collector),
   the work that a peer's bytes can make us do. Each kind is a stream of four stanzas of
   about 60 KB (under the default max_stanza, 64 KiB), fed in 1460-byte chunks:
     0  one namespace per element: <message><a xmlns='0'/><a xmlns='1'/>...</message>
        (the collector stores each URI once per stanza and looks it up by comparing: at
        most XMPP_TREE_NS_MAX of them, then the stanza is skipped)
     1  60 prefixes bound to 204-byte URIs that differ only at the end, then
        <p0:a/><p1:a/>... (each reference compared byte by byte with the stored URIs)
     2  a 3,900-byte default namespace on one element, then 15,000 children <a/> in it
     3  the generated XMPP corpus of tests/corpus.h, for comparison
     4  as 2 with a one-byte namespace: what 4-byte elements cost anyway
   bench_hostile KIND prints the bytes, stanzas collected and skipped; all the work happens
   inside bench_measured(), so `valgrind --tool=callgrind --toggle-collect=bench_measured`
   counts just that (tests/bench/bench_hostile.sh, in make bench-instr). */
#define XMPP_IMPLEMENTATION
#include "../../xmpp.h"
#include "../corpus.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

static char *doc;
static size_t len;

static void add(const char *s)
{
    size_t n = strlen(s);
    memcpy(doc + len, s, n);
    len += n;
}

static void add_run(char c, size_t n)
{
    memset(doc + len, c, n);
    len += n;
}

NOINLINE void bench_measured(size_t *stanzas, size_t *skipped);
NOINLINE void bench_measured(size_t *stanzas, size_t *skipped)
{
    static unsigned char tbuf[1 << 20], arena[1 << 20];
    xmpp_xml x;
    xmpp_tree s;
    xmpp_xml_token t;
    size_t off = 0, used;
    if (xmpp_xml_init(&x, tbuf, xmpp_xml_buffer_size(NULL), NULL)) return;
    xmpp_tree_init(&s, arena, xmpp_tree_arena_size(NULL));
    while (off < len) {
        size_t n = len - off > 1460 ? 1460 : len - off, done = 0;
        do {
            if (xmpp_xml_feed(&x, doc + off + done, n - done, &used)) {
                printf("error at byte %llu: %s\n", (unsigned long long)xmpp_xml_error(&x)->offset,
                       xmpp_xml_error(&x)->message);
                return;
            }
            done += used;
            while (xmpp_xml_next(&x, &t) == XMPP_OK) {
                xmpp_err r = xmpp_tree_push(&s, &t);
                if (r == XMPP_OK) ++*stanzas;
                else if (r == XMPP_ERR_NOSPACE) ++*skipped;
            }
        } while (done < n);
        off += n;
    }
}

int main(int argc, char **argv)
{
    int kind = argc == 2 ? atoi(argv[1]) : -1, rep;
    size_t i, j, stanzas = 0, skipped = 0;
    char b[64];
    if (kind < 0 || kind > 4) {
        fprintf(stderr, "usage: bench_hostile 0|1|2|3|4\n");
        return 2;
    }
    doc = malloc(1 << 22);
    if (!doc) return 2;
    if (kind == 3) {
        len = corpus_make(doc, 1 << 22, 240000, 20240601);
    } else {
        add("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>");
        for (rep = 0; rep < 4; rep++) {
            size_t start = len;
            add("<message>");
            if (kind == 0) {
                for (i = 0; len - start < 60000; i++) { sprintf(b, "<a xmlns='%lu'/>", (unsigned long)i); add(b); }
            } else if (kind == 1) {   /* 15 declarations per element (max_attrs is 16) */
                for (j = 0; j < 4; j++) {
                    add("<e");
                    for (i = 0; i < 15; i++) {
                        sprintf(b, " xmlns:p%lu='", (unsigned long)(j * 15 + i));
                        add(b);
                        add_run('u', 200);
                        sprintf(b, "%04lu'", (unsigned long)(j * 15 + i));
                        add(b);
                    }
                    add(">");
                }
                for (i = 0; len - start < 60000; i++) { sprintf(b, "<p%lu:a/>", (unsigned long)(i % 60)); add(b); }
                add("</e></e></e></e>");
            } else {
                add("<e xmlns='");
                add_run('u', kind == 2 ? 3900 : 1);
                add("'>");
                while (len - start < 60000) add("<a/>");
                add("</e>");
            }
            add("</message>");
        }
        add("</stream:stream>");
    }
    bench_measured(&stanzas, &skipped);
    printf("kind %d bytes %lu stanzas %lu skipped %lu\n", kind, (unsigned long)len, (unsigned long)stanzas,
           (unsigned long)skipped);
    return 0;
}
