/* fuzz_jid.c - libFuzzer target for XMPP addresses (>>jid).
       clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
             -I. tests/fuzz/fuzz_jid.c -o build/fuzz_jid
       tests/fuzz/run.sh build/fuzz_jid 60 tests/fuzz/corpus_jid tests/fuzz/jid.dict

   The input is the JID text, parsed from a heap copy of exactly its size (ASan sees any
   read past it). Checked:
     - an error is XMPP_ERR_JID_MALFORMED with a message, an offset inside the input (or at its end) and
       the views all empty; the same input with the ASCII letters before the first '/'
       upper-cased fails the same way (same message, same offset);
     - a JID: the views lie in the input where the split rule puts them (RFC 7622 §3.1:
       local = up to the first '@' before the first '/', resource = after the first '/'),
       each part 1-1023 bytes when present, the domain without a trailing dot;
       is_bare and to_bare agree; the upper-cased input parses to an equal JID;
     - format: OK into a buffer of XMPP_JID_MAX_LEN + 1 bytes, *need = strlen, the input
       length or one less (the dropped dot); into an exact heap buffer of *need + 1 bytes
       OK, into *need bytes XMPP_ERR_NOSPACE with "" written and the same *need;
     - round trip: the output parses, equal (and bare_equal) to the original, and formats
       to itself (idempotent); xmpp_jid_make from the parsed parts gives an equal JID;
     - IP literals, against libc: the domain text (as the split rule cuts it, one
       trailing dot dropped) is accepted by xmpp_jid_make alone exactly when
       inet_pton(AF_INET6) accepts what is between its brackets ("[...]"), or, for
       digits and dots only, when inet_pton(AF_INET) accepts it.
   Any failure prints what happened and abort()s. */
#define _POSIX_C_SOURCE 200809L
#define XMPP_IMPLEMENTATION
#include "../../xmpp.h"
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL(...) do { fprintf(stderr, "fuzz_jid: "); fprintf(stderr, __VA_ARGS__); \
    fprintf(stderr, "\n"); abort(); } while (0)

static void check_view(xmpp_str v, const char *lo, size_t n, const char *what)
{
    if (!v.n) { if (v.p) FAIL("%s: empty view with a pointer", what); return; }
    if (v.n > XMPP_JID_MAX_PART) FAIL("%s: %zu bytes", what, v.n);
    if (v.p < lo || v.p > lo + n || v.n > (size_t)(lo + n - v.p)) FAIL("%s: view outside the input", what);
}

static int empty(const xmpp_jid *j)
{
    return !j->local.p && !j->local.n && !j->domain.p && !j->domain.n && !j->resource.p && !j->resource.n;
}

/* the domain text d[0..n): IP literal verdicts of xmpp_jid_make and of inet_pton agree */
static void check_ip(const char *d, size_t n)
{
    char buf[64];
    unsigned char addr[16];
    size_t i;
    int v4 = n > 0, ours, libc;
    xmpp_jid m;
    xmpp_str none = { NULL, 0 }, dom;
    dom.p = d;
    dom.n = n;                               /* xmpp_jid_make drops the trailing dot */
    if (n && d[n - 1] == '.') n--;
    if (!n || n >= sizeof buf) return;
    for (i = 0; i < n; i++) if (!((d[i] >= '0' && d[i] <= '9') || d[i] == '.')) v4 = 0;
    if (!v4 && !(n >= 2 && d[0] == '[' && d[n - 1] == ']' && !memchr(d, 0, n))) return;
    ours = xmpp_jid_make(&m, none, dom, none, NULL) == XMPP_OK;
    if (v4) { memcpy(buf, d, n); buf[n] = 0; }
    else { memcpy(buf, d + 1, n - 2); buf[n - 2] = 0; }
    libc = inet_pton(v4 ? AF_INET : AF_INET6, buf, addr) == 1;
    if (ours != libc) FAIL("domain \"%.*s\": ours %s, inet_pton %s", (int)n, d, ours ? "valid" : "invalid", libc ? "valid" : "invalid");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char out[XMPP_JID_MAX_LEN + 1], again[XMPP_JID_MAX_LEN + 1];
    char *s = (char *)malloc(size ? size : 1), *up = (char *)malloc(size ? size : 1), *exact;
    size_t i, slash, at, need = 0, need2 = 0;
    xmpp_jid j, u, k, m;
    xmpp_errinfo e, eu;
    xmpp_err r, ru;
    if (!s || !up) abort();
    memcpy(s, data, size);
    memcpy(up, data, size);
    for (slash = 0; slash < size && s[slash] != '/'; slash++)
        if (up[slash] >= 'a' && up[slash] <= 'z') up[slash] = (char)(up[slash] - 32);
    for (at = 0; at < slash && s[at] != '@'; at++) {}

    check_ip(s + (at < slash ? at + 1 : 0), slash - (at < slash ? at + 1 : 0));
    r = xmpp_jid_parse(&j, s, size, &e);
    ru = xmpp_jid_parse(&u, up, size, &eu);
    if (r != ru) FAIL("upper-casing changed the verdict: %d vs %d", (int)r, (int)ru);
    if (r != XMPP_OK) {
        if (r != XMPP_ERR_JID_MALFORMED || e.code != r || !e.message) FAIL("error %d/%d", (int)r, (int)e.code);
        if (e.offset > size) FAIL("error offset %llu of %zu bytes", (unsigned long long)e.offset, size);
        if (!empty(&j)) FAIL("views left after an error");
        if (eu.offset != e.offset || strcmp(eu.message, e.message) != 0)
            FAIL("upper-cased: \"%s\" at %llu, was \"%s\" at %llu", eu.message, (unsigned long long)eu.offset,
                 e.message, (unsigned long long)e.offset);
        if (xmpp_jid_format(&j, out, sizeof out, &need) != XMPP_ERR_INVALID || need || out[0]) FAIL("format of a failed JID");
        free(s); free(up);
        return 0;
    }
    if (e.code != XMPP_OK) FAIL("err not cleared");
    check_view(j.local, s, size, "local");
    check_view(j.domain, s, size, "domain");
    check_view(j.resource, s, size, "resource");
    /* the split rule */
    if ((at < slash) != (j.local.n != 0) || (j.local.n && (j.local.p != s || j.local.n != at)))
        FAIL("localpart is not what precedes the first '@' before the first '/'");
    if (!j.domain.n || j.domain.p != s + (at < slash ? at + 1 : 0)
        || (j.domain.p + j.domain.n != s + slash && !(j.domain.p + j.domain.n == s + slash - 1 && s[slash - 1] == '.')))
        FAIL("domainpart is not what lies between");
    if (j.domain.p[j.domain.n - 1] == '.') FAIL("trailing dot kept");
    if ((slash < size) != (j.resource.n != 0) || (j.resource.n && (j.resource.p != s + slash + 1 || j.resource.p + j.resource.n != s + size)))
        FAIL("resourcepart is not what follows the first '/'");
    if (xmpp_jid_is_bare(&j) != !j.resource.n) FAIL("is_bare");
    k = xmpp_jid_to_bare(&j);
    if (!xmpp_jid_is_bare(&k) || !xmpp_jid_bare_equal(&k, &j) || (xmpp_jid_equal(&k, &j) != !j.resource.n)) FAIL("to_bare");
    if (!xmpp_jid_equal(&j, &u) || !xmpp_jid_equal(&u, &j)) FAIL("upper-cased JID not equal");

    /* format */
    if (xmpp_jid_format(&j, out, sizeof out, &need) != XMPP_OK) FAIL("format failed");
    if (need != strlen(out) || (need != size && need + 1 != size)) FAIL("format: need %zu, strlen %zu, input %zu", need, strlen(out), size);
    exact = (char *)malloc(need + 1);
    if (!exact) abort();
    if (xmpp_jid_format(&j, exact, need + 1, &need2) != XMPP_OK || need2 != need || memcmp(exact, out, need + 1) != 0)
        FAIL("format into an exact buffer");
    memset(exact, 'x', need + 1);
    if (xmpp_jid_format(&j, exact, need, &need2) != XMPP_ERR_NOSPACE || need2 != need || exact[0] != 0
        || (need > 1 && exact[1] != 'x'))
        FAIL("format into a buffer one byte short");
    free(exact);
    for (i = 0; i < (j.local.n ? j.local.n + 1 : 0) + j.domain.n; i++)
        if (out[i] >= 'A' && out[i] <= 'Z') FAIL("upper-case letter left in the bare part of \"%s\"", out);

    /* round trip */
    if (xmpp_jid_parse(&k, out, need, &e) != XMPP_OK) FAIL("formatted \"%s\" does not parse: %s", out, e.message);
    if (!xmpp_jid_equal(&j, &k) || !xmpp_jid_equal(&k, &j) || !xmpp_jid_bare_equal(&j, &k)) FAIL("round trip not equal: \"%s\"", out);
    if (xmpp_jid_format(&k, again, sizeof again, &need2) != XMPP_OK || need2 != need || strcmp(again, out) != 0)
        FAIL("format not idempotent: \"%s\" then \"%s\"", out, again);
    if (xmpp_jid_make(&m, j.local, j.domain, j.resource, &e) != XMPP_OK || !xmpp_jid_equal(&m, &j))
        FAIL("make from the parts: %s", e.message);
    free(s);
    free(up);
    return 0;
}
