/* test_golden.c - the tokenizer against the golden corpus in tests/xml: each NAME.xml is
   tokenized whole, one byte at a time and in 7-byte chunks (default limits), and the
   canonical output must equal NAME.out. A final "error: CONDITION at byte N" line is
   compared up to and including the offset (the message after it is free text).
   Usage: test_golden tests/xml/NAME.xml ...   (one pass or fail per file) */
#define XMPP_IMPLEMENTATION
#include "../xmpp.h"
#include "check.h"
#include "xmltest.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GOLDEN_MAX (1 << 16)   /* largest input or expected output we accept */

static char got[1 << 17];
static char want[GOLDEN_MAX + 1];
static char doc[GOLDEN_MAX + 1];

/* Read a whole file into buf (NUL-terminated); returns its length, or -1. */
static long read_file(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    if (!f) return -1;
    n = fread(buf, 1, size - 1, f);
    if (!feof(f) && n == size - 1) { fclose(f); return -1; }   /* too big */
    fclose(f);
    buf[n] = 0;
    return (long)n;
}

/* A line of a rendered output: [p, p + n), newline not included. */
typedef struct { const char *p; size_t n; } line;

static size_t split_lines(const char *s, line *out, size_t max)
{
    size_t k = 0;
    while (*s && k < max) {
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        out[k].p = s;
        out[k].n = n;
        k++;
        s += n + (e ? 1 : 0);
    }
    return k;
}

/* The part of an "error: CONDITION at byte N..." line that is compared: up to the end of
   N. Any other line is compared whole. */
static size_t significant(line l)
{
    static const char pre[] = "error: ";
    const char *at;
    size_t i;
    if (l.n < sizeof pre - 1 || memcmp(l.p, pre, sizeof pre - 1) != 0) return l.n;
    for (at = NULL, i = 0; i + 9 <= l.n; i++)
        if (memcmp(l.p + i, " at byte ", 9) == 0) { at = l.p + i + 9; break; }
    if (!at) return l.n;
    while (at < l.p + l.n && *at >= '0' && *at <= '9') at++;
    return (size_t)(at - l.p);
}

static int line_eq(line a, line b)
{
    size_t na = significant(a), nb = significant(b);
    return na == nb && memcmp(a.p, b.p, na) == 0;
}

static int output_eq(const char *a, const char *b)
{
    static line la[4096], lb[4096];
    size_t na = split_lines(a, la, 4096), nb = split_lines(b, lb, 4096), i;
    if (na != nb) return 0;
    for (i = 0; i < na; i++)
        if (!line_eq(la[i], lb[i])) return 0;
    return 1;
}

/* Print a line-by-line diff of want against got (longest common subsequence). */
static void print_diff(const char *w, const char *g)
{
    static line lw[512], lg[512];
    static unsigned short lcs[513][513];
    size_t nw = split_lines(w, lw, 512), ng = split_lines(g, lg, 512), i, j;
    for (i = nw + 1; i-- > 0;)
        for (j = ng + 1; j-- > 0;) {
            if (i == nw || j == ng) lcs[i][j] = 0;
            else if (line_eq(lw[i], lg[j])) lcs[i][j] = (unsigned short)(lcs[i + 1][j + 1] + 1);
            else lcs[i][j] = lcs[i + 1][j] > lcs[i][j + 1] ? lcs[i + 1][j] : lcs[i][j + 1];
        }
    i = j = 0;
    while (i < nw || j < ng) {
        if (i < nw && j < ng && line_eq(lw[i], lg[j])) {
            printf("      %.*s\n", (int)lg[j].n, lg[j].p);
            i++, j++;
        } else if (j < ng && (i == nw || lcs[i][j + 1] >= lcs[i + 1][j])) {
            printf("    + %.*s\n", (int)lg[j].n, lg[j].p);
            j++;
        } else {
            printf("    - %.*s\n", (int)lw[i].n, lw[i].p);
            i++;
        }
    }
}

/* Tokenize doc[0..len) cut every `step` bytes (0: whole) and render into got. */
static void render(const char *d, size_t len, size_t step, void *buf, size_t bufsize)
{
    static size_t cuts[GOLDEN_MAX + 1];
    size_t ncuts = 0, at;
    xmpp_xml x;
    xt_out o;
    o.p = got;
    o.size = sizeof got;
    if (step)
        for (at = step; ; at += step) {
            cuts[ncuts++] = at < len ? at : len;
            if (at >= len) break;
        }
    xmpp_xml_init(&x, buf, bufsize, NULL);
    xt_run(&x, d, len, cuts, ncuts, &o);
}

/* Check one NAME.xml against NAME.out in the three chunkings; 1 if all match. */
static int golden(const char *xml_path, void *buf, size_t bufsize)
{
    static const size_t steps[] = { 0, 1, 7 };
    static const char *const step_names[] = { "whole", "1-byte chunks", "7-byte chunks" };
    static char first[sizeof got];
    char out_path[4096];
    size_t plen = strlen(xml_path), k;
    long dlen, wlen;
    int ok = 1;
    if (plen < 4 || strcmp(xml_path + plen - 4, ".xml") != 0 || plen >= sizeof out_path) {
        printf("%s: not a .xml path\n", xml_path);
        return 0;
    }
    memcpy(out_path, xml_path, plen - 4);
    memcpy(out_path + plen - 4, ".out", 5);
    if ((dlen = read_file(xml_path, doc, sizeof doc)) < 0) { printf("%s: cannot read\n", xml_path); return 0; }
    if ((wlen = read_file(out_path, want, sizeof want)) < 0) { printf("%s: cannot read\n", out_path); return 0; }
    if (wlen > 0 && want[wlen - 1] != '\n') { printf("%s: last line has no newline\n", out_path); return 0; }
    first[0] = 0;
    for (k = 0; k < sizeof steps / sizeof *steps; k++) {
        render(doc, (size_t)dlen, steps[k], buf, bufsize);
        if (output_eq(want, got)) continue;
        if (ok) printf("--- %s\n", xml_path);
        ok = 0;
        if (first[0] && strcmp(got, first) == 0) {
            printf("  %s: same output as above\n", step_names[k]);
            continue;
        }
        printf("  %s: want (-) / got (+)\n", step_names[k]);
        print_diff(want, got);
        if (!first[0]) memcpy(first, got, strlen(got) + 1);
    }
    return ok;
}

int main(int argc, char **argv)
{
    size_t bufsize = xmpp_xml_buffer_size(NULL);
    void *buf = malloc(bufsize);
    int i;
    if (!buf) { printf("out of memory\n"); return 2; }
    if (argc < 2) { printf("usage: %s tests/xml/NAME.xml ...\n", argv[0]); check_failed++; }
    for (i = 1; i < argc; i++) {
        const char *name = strrchr(argv[i], '/');
        name = name ? name + 1 : argv[i];
        check_bad = check_skip = 0;
        if (!golden(argv[i], buf, bufsize)) check_bad++;
        if (check_bad) { check_failed++; printf("FAIL %s\n", name); }
        else check_passed++;
        fflush(stdout);
    }
    free(buf);
    return check_done();
}
