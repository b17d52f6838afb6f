/* test_jid.c - XMPP addresses (>>jid): every example of RFC 7622 §3.5 (with erratum
   4560), the split rule of §3.1, each limit at 1023/1024 bytes, each forbidden localpart
   character, domain labels, IPv4 and IPv6 literals, UTF-8, compare, bare, format (with
   overflow) and make. Each test checks the exact views, or the exact error: code,
   message and byte offset. Small enough for the Cortex-M0 image (about 7 KB of static
   RAM). */
#define XMPP_IMPLEMENTATION
#include "../xmpp.h"
#include "check.h"
#include <string.h>

/* the messages, as xmpp.h writes them */
#define M_EMPTY_LOCAL   "empty localpart before '@'"
#define M_EMPTY_DOMAIN  "empty domainpart"
#define M_EMPTY_RES     "empty resourcepart after '/'"
#define M_LONG_LOCAL    "localpart longer than 1023 bytes"
#define M_LONG_DOMAIN   "domainpart longer than 1023 bytes"
#define M_LONG_RES      "resourcepart longer than 1023 bytes"
#define M_LOCAL_CHAR    "character not allowed in localpart: \" & ' / : < > @ (RFC 7622 §3.3.1)"
#define M_LOCAL_SPACE   "space in localpart (PRECIS IdentifierClass)"
#define M_LOCAL_CTRL    "control character in localpart"
#define M_LOCAL_UTF8    "localpart is not valid UTF-8"
#define M_RES_CTRL      "control character in resourcepart"
#define M_RES_UTF8      "resourcepart is not valid UTF-8"
#define M_DOM_CHAR      "character not allowed in domainpart (letters, digits, '-', '.', non-ASCII)"
#define M_DOM_AT        "'@' in domainpart (only the first '@' ends the localpart)"
#define M_DOM_CTRL      "control character in domainpart"
#define M_DOM_UTF8      "domainpart is not valid UTF-8"
#define M_LABEL_EMPTY   "empty label in domainpart (leading '.' or \"..\")"
#define M_LABEL_LONG    "domain label longer than 63 bytes"
#define M_LABEL_START   "domain label starts with '-'"
#define M_LABEL_END     "domain label ends with '-'"
#define M_IPV4          "invalid IPv4 address (the last label is all digits)"
#define M_IPV6          "invalid IPv6 address in [ ]"
#define M_BRACKET       "'[' without a closing ']' at the end of the domainpart"

static char big[XMPP_JID_MAX_LEN + 8];        /* long inputs */
static char out[XMPP_JID_MAX_LEN + 8];        /* formatted JIDs */

static xmpp_str S(const char *s)
{
    xmpp_str v;
    v.p = s;
    v.n = strlen(s);
    return v;
}

/* view v is want (NULL: the absent view {NULL, 0}), and lies inside [lo, lo + len) */
static int view_is(xmpp_str v, const char *want, const char *lo, size_t len, const char *what)
{
    int ok;
    if (!want) ok = v.p == NULL && v.n == 0;
    else ok = v.p && v.n == strlen(want) && memcmp(v.p, want, v.n) == 0 && v.p >= lo && v.p + v.n <= lo + len;
    if (!ok) printf("  %s: got [%.*s] (%lu bytes%s), want [%s]\n", what, (int)(v.n > 80 ? 80 : v.n),
                    v.p ? v.p : "", (unsigned long)v.n, v.p ? "" : ", NULL", want ? want : "(none)");
    return ok;
}

/* s[0..n) parses, into these views of s, with err cleared */
static int valid_n(const char *s, size_t n, const char *l, const char *d, const char *r)
{
    xmpp_jid j;
    xmpp_errinfo e;
    xmpp_err rc = xmpp_jid_parse(&j, s, n, &e);
    int ok;
    if (rc != XMPP_OK || e.code != XMPP_OK) {
        printf("  %.*s: rejected: %s at %lu\n", (int)(n > 80 ? 80 : n), s, e.message, (unsigned long)e.offset);
        return 0;
    }
    ok = view_is(j.local, l, s, n, "local") & view_is(j.domain, d, s, n, "domain")
       & view_is(j.resource, r, s, n, "resource");
    if (!ok) printf("  in %.*s\n", (int)(n > 80 ? 80 : n), s);
    return ok;
}

static int valid(const char *s, const char *l, const char *d, const char *r)
{
    return valid_n(s, strlen(s), l, d, r);
}

/* s[0..n) is rejected with this message at this offset, and *jid is left all empty */
static int invalid_n(const char *s, size_t n, unsigned long off, const char *msg)
{
    xmpp_jid j;
    xmpp_errinfo e;
    xmpp_err rc;
    memset(&j, 0x55, sizeof j);
    rc = xmpp_jid_parse(&j, s, n, &e);
    if (rc == XMPP_ERR_JID_MALFORMED && e.code == rc && e.offset == off && strcmp(e.message, msg) == 0
        && !j.local.p && !j.local.n && !j.domain.p && !j.domain.n && !j.resource.p && !j.resource.n)
        return 1;
    printf("  %.*s: got %d \"%s\" at %lu, want \"%s\" at %lu\n", (int)(n > 80 ? 80 : n), s, (int)rc,
           rc ? e.message : "", rc ? (unsigned long)e.offset : 0UL, msg, off);
    return 0;
}

static int invalid(const char *s, unsigned long off, const char *msg)
{
    return invalid_n(s, strlen(s), off, msg);
}

/* parse a and b (both valid); equal / bare_equal as given */
static int same(const char *a, const char *b, int eq, int bare_eq)
{
    xmpp_jid x, y;
    if (xmpp_jid_parse(&x, a, strlen(a), NULL) || xmpp_jid_parse(&y, b, strlen(b), NULL)) return 0;
    if (xmpp_jid_equal(&x, &y) == eq && xmpp_jid_equal(&y, &x) == eq
        && xmpp_jid_bare_equal(&x, &y) == bare_eq && xmpp_jid_bare_equal(&y, &x) == bare_eq) return 1;
    printf("  %s vs %s: equal %d, bare_equal %d\n", a, b, xmpp_jid_equal(&x, &y), xmpp_jid_bare_equal(&x, &y));
    return 0;
}

/* parse s, format it: want */
static int formats(const char *s, const char *want)
{
    xmpp_jid j;
    size_t need = 0;
    if (xmpp_jid_parse(&j, s, strlen(s), NULL)) return 0;
    if (xmpp_jid_format(&j, out, sizeof out, &need) == XMPP_OK && need == strlen(want) && strcmp(out, want) == 0)
        return 1;
    printf("  %s: formatted [%s] (%lu), want [%s]\n", s, out, (unsigned long)need, want);
    return 0;
}

/* ---- RFC 7622 §3.5 */

static void test_rfc7622_3_5_1_valid(void)
{
    /* the fifteen examples of §3.5.1, in order */
    CHECK(valid("juliet@example.com", "juliet", "example.com", NULL));
    CHECK(valid("juliet@example.com/foo", "juliet", "example.com", "foo"));
    CHECK(valid("juliet@example.com/foo bar", "juliet", "example.com", "foo bar"));
    CHECK(valid("juliet@example.com/foo@bar", "juliet", "example.com", "foo@bar"));
    CHECK(valid("foo\\20bar@example.com", "foo\\20bar", "example.com", NULL));   /* XEP-0106, not unescaped */
    CHECK(valid("fussball@example.com", "fussball", "example.com", NULL));
    CHECK(valid("fu\xc3\x9f" "ball@example.com", "fu\xc3\x9f" "ball", "example.com", NULL));
    CHECK(valid("\xcf\x80@example.com", "\xcf\x80", "example.com", NULL));                /* pi */
    CHECK(valid("\xce\xa3@example.com/foo", "\xce\xa3", "example.com", "foo"));           /* capital sigma */
    CHECK(valid("\xcf\x83@example.com/foo", "\xcf\x83", "example.com", "foo"));           /* small sigma */
    CHECK(valid("\xcf\x82@example.com/foo", "\xcf\x82", "example.com", "foo"));           /* final sigma */
    CHECK(valid("king@example.com/\xe2\x99\x9a", "king", "example.com", "\xe2\x99\x9a")); /* black king */
    CHECK(valid("example.com", NULL, "example.com", NULL));
    CHECK(valid("example.com/foobar", NULL, "example.com", "foobar"));
    CHECK(valid("a.example.com/b@example.net", NULL, "a.example.com", "b@example.net"));
}

static void test_rfc7622_3_5_2_invalid(void)
{
    /* §3.5.2, in order */
    CHECK(invalid("\"juliet\"@example.com", 0, M_LOCAL_CHAR));
    CHECK(invalid("foo bar@example.com", 3, M_LOCAL_SPACE));
    /* example 18, "juliet@example.com/ foo", was withdrawn by erratum 4560: OpaqueString
       allows a leading space */
    CHECK(valid("juliet@example.com/ foo", "juliet", "example.com", " foo"));
    CHECK(invalid("@example.com/", 0, M_EMPTY_LOCAL));         /* the first error in the text */
    CHECK(invalid("juliet@", 7, M_EMPTY_DOMAIN));
    CHECK(invalid("/foobar", 0, M_EMPTY_DOMAIN));
}

static void test_rfc7622_3_5_2_precis_not_implemented(void)
{
    /* Examples 20 (U+2163 ROMAN NUMERAL FOUR, a compatibility character) and 21 (U+265A
       BLACK CHESS KING, a symbol) are invalid only by the PRECIS IdentifierClass, which
       is not implemented (README.md): valid UTF-8 outside the ASCII range is accepted. */
    CHECK(valid("henry\xe2\x85\xa3@example.com", "henry\xe2\x85\xa3", "example.com", NULL));
    CHECK(valid("\xe2\x99\x9a@example.com", "\xe2\x99\x9a", "example.com", NULL));
    /* and no Unicode case mapping: the three sigmas of examples 9-11 stay distinct
       (PRECIS UsernameCaseMapped would make 9 and 10 equal) */
    CHECK(same("\xce\xa3@example.com/foo", "\xcf\x83@example.com/foo", 0, 0));
    CHECK(same("\xcf\x83@example.com/foo", "\xcf\x82@example.com/foo", 0, 0));
}

static void test_rfc7622_3_1_split(void)
{
    /* the first '/' starts the resource; the first '@' before it ends the localpart */
    CHECK(valid("a@b/c@d/e", "a", "b", "c@d/e"));
    CHECK(valid("a/b@c", NULL, "a", "b@c"));
    CHECK(valid("a//", NULL, "a", "/"));
    CHECK(valid("a@b//c", "a", "b", "/c"));
    CHECK(valid("a@b/@", "a", "b", "@"));
    CHECK(invalid("a@b@c", 3, M_DOM_AT));
    CHECK(invalid("@", 0, M_EMPTY_LOCAL));
    CHECK(invalid("/", 0, M_EMPTY_DOMAIN));
    CHECK(invalid("@/", 0, M_EMPTY_LOCAL));
    CHECK(invalid("a@/r", 2, M_EMPTY_DOMAIN));
    CHECK(invalid("example.com/", 11, M_EMPTY_RES));
    CHECK(invalid("a@example.com/", 13, M_EMPTY_RES));
    CHECK(invalid("", 0, M_EMPTY_DOMAIN));
    CHECK(invalid_n(NULL, 0, 0, M_EMPTY_DOMAIN));
    /* no NUL needed: only n bytes are read */
    CHECK(valid_n("juliet@example.comXYZ", 18, "juliet", "example.com", NULL));
    CHECK(valid_n("juliet@example.com/r\0x", 20, "juliet", "example.com", "r"));
    CHECK(invalid_n("juliet@example.com/r\0x", 22, 20, M_RES_CTRL));
}

/* ---- lengths: 1023 bytes per part */

/* 'x' * n at big + off */
static void fill(size_t off, size_t n, char c)
{
    memset(big + off, c, n);
}

/* a domain of exactly n bytes at big + off: 63-byte labels, dots, a shorter last label */
static void fill_domain(size_t off, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) big[off + i] = (i % 64 == 63 || i == n - 1) ? 'd' : 'a';
    for (i = 63; i + 1 < n; i += 64) big[off + i] = '.';
}

static void test_lengths_1023(void)
{
    size_t n;
    xmpp_jid j;
    /* localpart */
    fill(0, 1023, 'l'); memcpy(big + 1023, "@example.com", 12);
    CHECK(xmpp_jid_parse(&j, big, 1035, NULL) == XMPP_OK && j.local.n == 1023 && j.local.p == big);
    fill(0, 1024, 'l'); memcpy(big + 1024, "@example.com", 12);
    CHECK(invalid_n(big, 1036, 1023, M_LONG_LOCAL));
    /* domainpart: 1023 bytes; 1024 with a trailing dot (the dot is not part of it) */
    fill_domain(0, 1023);
    CHECK(xmpp_jid_parse(&j, big, 1023, NULL) == XMPP_OK && j.domain.n == 1023 && !j.local.n);
    big[1023] = '.';
    CHECK(xmpp_jid_parse(&j, big, 1024, NULL) == XMPP_OK && j.domain.n == 1023);
    fill_domain(0, 1024);
    CHECK(invalid_n(big, 1024, 1023, M_LONG_DOMAIN));
    memcpy(big, "j@", 2); fill_domain(2, 1024);
    CHECK(invalid_n(big, 1026, 1025, M_LONG_DOMAIN));
    /* resourcepart */
    memcpy(big, "j@d/", 4); fill(4, 1023, 'r');
    CHECK(xmpp_jid_parse(&j, big, 1027, NULL) == XMPP_OK && j.resource.n == 1023 && j.resource.p == big + 4);
    fill(4, 1024, 'r');
    CHECK(invalid_n(big, 1028, 4 + 1023, M_LONG_RES));
    /* the longest JID: 3 * 1023 + 2 bytes, formatted into XMPP_JID_MAX_LEN + 1 */
    fill(0, 1023, 'L'); big[1023] = '@'; fill_domain(1024, 1023); big[2047] = '/'; fill(2048, 1023, 'R');
    n = 3 * 1023 + 2;
    CHECK(n == XMPP_JID_MAX_LEN);
    CHECK(xmpp_jid_parse(&j, big, n, NULL) == XMPP_OK);
    {
        size_t need = 0;
        CHECK(xmpp_jid_format(&j, out, XMPP_JID_MAX_LEN + 1, &need) == XMPP_OK && need == XMPP_JID_MAX_LEN);
        CHECK(out[0] == 'l' && out[1023] == '@' && out[2047] == '/' && out[2048] == 'R' && out[n] == 0);
        CHECK(xmpp_jid_format(&j, out, XMPP_JID_MAX_LEN, &need) == XMPP_ERR_NOSPACE && need == XMPP_JID_MAX_LEN);
    }
    /* multi-byte characters count in bytes: 511 two-byte characters + 1 byte = 1023 */
    for (n = 0; n < 1022; n += 2) memcpy(big + n, "\xc3\xa9", 2);
    big[1022] = 'x'; memcpy(big + 1023, "@d", 2);
    CHECK(xmpp_jid_parse(&j, big, 1025, NULL) == XMPP_OK && j.local.n == 1023);
    memcpy(big + 1022, "\xc3\xa9@d", 4);
    CHECK(invalid_n(big, 1026, 1023, M_LONG_LOCAL));
}

/* ---- localpart */

static void test_localpart_forbidden_chars(void)
{
    /* RFC 7622 §3.3.1: " & ' : < > (and '/' '@', which the split takes first) */
    static const char forbidden[] = "\"&':<>";
    char s[32];
    size_t i;
    xmpp_jid j;
    xmpp_errinfo e;
    for (i = 0; forbidden[i]; i++) {
        memcpy(s, "ju?iet@example.com", 19);
        s[2] = forbidden[i];
        CHECK(invalid(s, 2, M_LOCAL_CHAR));
        s[6] = 0;   /* and through xmpp_jid_make */
        CHECK(xmpp_jid_make(&j, S(s), S("example.com"), S(""), &e) == XMPP_ERR_JID_MALFORMED
              && e.offset == 2 && strcmp(e.message, M_LOCAL_CHAR) == 0);
    }
    /* '/' and '@' can only reach a localpart through xmpp_jid_make */
    CHECK(xmpp_jid_make(&j, S("ju/iet"), S("example.com"), S(""), &e) == XMPP_ERR_JID_MALFORMED
          && e.offset == 2 && strcmp(e.message, M_LOCAL_CHAR) == 0);
    CHECK(xmpp_jid_make(&j, S("ju@iet"), S("example.com"), S(""), &e) == XMPP_ERR_JID_MALFORMED
          && e.offset == 2 && strcmp(e.message, M_LOCAL_CHAR) == 0);
    /* space, controls (C0, DEL, C1 as UTF-8) */
    CHECK(invalid(" juliet@example.com", 0, M_LOCAL_SPACE));
    CHECK(invalid("juliet @example.com", 6, M_LOCAL_SPACE));
    CHECK(invalid("ju\tliet@example.com", 2, M_LOCAL_CTRL));
    CHECK(invalid("ju\x1fliet@example.com", 2, M_LOCAL_CTRL));
    CHECK(invalid("ju\x7fliet@example.com", 2, M_LOCAL_CTRL));
    CHECK(invalid("ju\xc2\x85liet@example.com", 2, M_LOCAL_CTRL));     /* U+0085 NEL */
    CHECK(invalid_n("ju\0liet@example.com", 19, 2, M_LOCAL_CTRL));
    /* U+00A0 is the first code point after the C1 controls: accepted (no PRECIS) */
    CHECK(valid("ju\xc2\xa0liet@example.com", "ju\xc2\xa0liet", "example.com", NULL));
}

static void test_localpart_allowed_ascii(void)
{
    /* every printable ASCII character but " & ' / : < > @ and space */
    char l[128], s[160];
    size_t n = 0;
    int c;
    for (c = 0x21; c < 0x7F; c++)
        if (!strchr("\"&'/:<>@", c)) l[n++] = (char)c;
    l[n] = 0;
    memcpy(s, l, n);
    memcpy(s + n, "@example.com", 13);
    CHECK(n == 94 - 8);
    CHECK(valid(s, l, "example.com", NULL));
}

/* ---- resourcepart */

static void test_resourcepart(void)
{
    CHECK(valid("a@b/ ", "a", "b", " "));
    CHECK(valid("a@b/ foo ", "a", "b", " foo "));
    CHECK(valid("a@b/\"&'<>:@/", "a", "b", "\"&'<>:@/"));
    CHECK(valid("a@b/Caf\xc3\xa9 \xf0\x9f\x8d\xba", "a", "b", "Caf\xc3\xa9 \xf0\x9f\x8d\xba"));
    CHECK(invalid("a@b/x\ty", 5, M_RES_CTRL));
    CHECK(invalid("a@b/x\ny", 5, M_RES_CTRL));
    CHECK(invalid("a@b/\x7f", 4, M_RES_CTRL));
    CHECK(invalid("a@b/x\xc2\x9f", 5, M_RES_CTRL));                    /* U+009F */
    CHECK(invalid("a@b/x\xff", 5, M_RES_UTF8));
    CHECK(invalid("a@b/", 3, M_EMPTY_RES));
}

/* ---- UTF-8 (the same decoder for every part) */

static void test_utf8(void)
{
    CHECK(valid("\xc2\xa1\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf@x",
                "\xc2\xa1\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", "x", NULL));
    CHECK(invalid("a\x80@x", 1, M_LOCAL_UTF8));              /* stray continuation byte */
    CHECK(invalid("a\xc0\xaf@x", 1, M_LOCAL_UTF8));          /* overlong '/' */
    CHECK(invalid("a\xc1\xbf@x", 1, M_LOCAL_UTF8));          /* overlong */
    CHECK(invalid("a\xe0\x9f\xbf@x", 1, M_LOCAL_UTF8));      /* overlong 3-byte */
    CHECK(invalid("a\xf0\x8f\xbf\xbf@x", 1, M_LOCAL_UTF8));  /* overlong 4-byte */
    CHECK(invalid("a\xed\xa0\x80@x", 1, M_LOCAL_UTF8));      /* surrogate U+D800 */
    CHECK(invalid("a\xed\xbf\xbf@x", 1, M_LOCAL_UTF8));      /* surrogate U+DFFF */
    CHECK(invalid("a\xf4\x90\x80\x80@x", 1, M_LOCAL_UTF8));  /* U+110000 */
    CHECK(invalid("a\xf5\x80\x80\x80@x", 1, M_LOCAL_UTF8));
    CHECK(invalid("a\xff@x", 1, M_LOCAL_UTF8));
    CHECK(invalid("a\xe2\x82@x", 1, M_LOCAL_UTF8));          /* truncated by the '@' */
    CHECK(invalid_n("a\xe2\x82\xac", 3, 1, M_DOM_UTF8));     /* truncated by the end */
    CHECK(invalid("a@b/\xe2\x82", 4, M_RES_UTF8));
    CHECK(invalid("\xe2\x82\xac\xc3(@x", 3, M_LOCAL_UTF8));
}

/* ---- domainpart */

static void test_domain_labels(void)
{
    CHECK(valid("a@a-b.c", "a", "a-b.c", NULL));
    CHECK(valid("a@a--b.c", "a", "a--b.c", NULL));
    CHECK(valid("xn--bcher-kva.example", NULL, "xn--bcher-kva.example", NULL));
    CHECK(valid("Example.COM", NULL, "Example.COM", NULL));
    CHECK(valid("localhost", NULL, "localhost", NULL));
    CHECK(valid("a.b.c.d.e.f", NULL, "a.b.c.d.e.f", NULL));
    CHECK(valid("123.example", NULL, "123.example", NULL));    /* only the last label matters */
    CHECK(valid("b\xc3\xbc" "cher.example", NULL, "b\xc3\xbc" "cher.example", NULL));
    CHECK(valid("\xe4\xbe\x8b\xe3\x81\x88.\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88", NULL,
                "\xe4\xbe\x8b\xe3\x81\x88.\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88", NULL));
    /* hyphens */
    CHECK(invalid("a@-b.c", 2, M_LABEL_START));
    CHECK(invalid("a@b.-c", 4, M_LABEL_START));
    CHECK(invalid("a@b-.c", 3, M_LABEL_END));
    CHECK(invalid("a@b.c-", 5, M_LABEL_END));
    CHECK(invalid("a@b.c-.", 5, M_LABEL_END));
    CHECK(invalid("-", 0, M_LABEL_START));
    CHECK(invalid("\xc3\xbc-", 2, M_LABEL_END));
    /* empty labels */
    CHECK(invalid(".example.com", 0, M_LABEL_EMPTY));
    CHECK(invalid("a@example..com", 10, M_LABEL_EMPTY));  /* the second dot */
    CHECK(invalid("a@example.com..", 13, M_LABEL_EMPTY));   /* one dot dropped, then "com." */
    CHECK(invalid("..", 0, M_LABEL_EMPTY));
    /* characters */
    CHECK(invalid("a@exa_mple.com", 5, M_DOM_CHAR));
    CHECK(invalid("a@example.com:5222", 13, M_DOM_CHAR));
    CHECK(invalid("a@exa mple.com", 5, M_DOM_CHAR));
    CHECK(invalid("a@example.com\\", 13, M_DOM_CHAR));
    CHECK(invalid("a@ex[::1]", 4, M_DOM_CHAR));
    CHECK(invalid("a@ex\x01.com", 4, M_DOM_CHAR));
    CHECK(invalid("a@ex\x7f.com", 4, M_DOM_CHAR));   /* DEL: ASCII, not a letter, digit, '-' or '.' */
    CHECK(invalid("a@ex\xc2\x80.com", 4, M_DOM_CTRL));
    CHECK(invalid("a@ex\xc3.com", 4, M_DOM_UTF8));
    CHECK(invalid("a@b@c/d", 3, M_DOM_AT));
}

static void test_domain_label_63(void)
{
    xmpp_jid j;
    memcpy(big, "a@", 2);
    fill(2, 63, 'x');
    memcpy(big + 65, ".com", 4);
    CHECK(xmpp_jid_parse(&j, big, 69, NULL) == XMPP_OK && j.domain.n == 67);
    fill(2, 64, 'x');
    memcpy(big + 66, ".com", 4);
    CHECK(invalid_n(big, 70, 2 + 63, M_LABEL_LONG));
    CHECK(invalid_n(big + 2, 64, 63, M_LABEL_LONG));                   /* the last label */
    /* a non-ASCII label is not held to 63 bytes: the limit is on its A-label (punycode),
       which is not computed (no IDNA2008) */
    {
        size_t i;
        for (i = 0; i < 30; i++) memcpy(big + 2 + 3 * i, "\xe4\xbe\x8b", 3);
        memcpy(big + 92, ".com", 4);
        CHECK(xmpp_jid_parse(&j, big, 96, NULL) == XMPP_OK && j.domain.n == 94);
    }
}

static void test_domain_trailing_dot(void)
{
    /* RFC 7622 §3.2: one trailing dot is dropped from the domain view */
    CHECK(valid("example.com.", NULL, "example.com", NULL));
    CHECK(valid("juliet@example.com./balcony", "juliet", "example.com", "balcony"));
    CHECK(invalid("a@b./", 4, M_EMPTY_RES));
    CHECK(invalid(".", 0, M_EMPTY_DOMAIN));
    CHECK(invalid("a@.", 2, M_EMPTY_DOMAIN));
    CHECK(invalid("a@./r", 2, M_EMPTY_DOMAIN));
    CHECK(same("juliet@example.com.", "juliet@example.com", 1, 1));
    /* ASCII case mapping at its bounds: A and Z fold, [ (Z + 1) does not */
    CHECK(same("AZaz@AZ.example/AZ", "azaz@az.example/AZ", 1, 1));
    CHECK(same("AZaz@AZ.example/AZ", "azaz@az.example/az", 0, 1));
    CHECK(same("a[@example.com", "a{@example.com", 0, 0));
    CHECK(formats("Juliet@Example.com./r", "juliet@example.com/r"));
}

static void test_domain_ipv4(void)
{
    CHECK(valid("a@127.0.0.1", "a", "127.0.0.1", NULL));
    CHECK(valid("0.0.0.9", NULL, "0.0.0.9", NULL));   /* zero octets (the all-zero address is the same rule) */
    CHECK(valid("255.255.255.255/r", NULL, "255.255.255.255", "r"));
    CHECK(valid("192.0.2.1.", NULL, "192.0.2.1", NULL));
    CHECK(valid("10.0.0.1.example", NULL, "10.0.0.1.example", NULL));   /* a name, not an address */
    /* a domain whose last label is all digits must be an IPv4 address */
    CHECK(invalid("a@256.0.0.1", 2, M_IPV4));
    CHECK(invalid("a@1.2.3.256", 2, M_IPV4));
    CHECK(invalid("a@1.2.3", 2, M_IPV4));
    CHECK(invalid("a@1.2.3.4.5", 2, M_IPV4));
    CHECK(invalid("a@01.2.3.4", 2, M_IPV4));                 /* no leading zeros (RFC 3986) */
    CHECK(invalid("a@1.2.3.00", 2, M_IPV4));
    CHECK(invalid("a@1234.1.1.1", 2, M_IPV4));
    CHECK(invalid("a@example.123", 2, M_IPV4));
    CHECK(invalid("a@42", 2, M_IPV4));
    CHECK(invalid("a@1..2.3", 4, M_LABEL_EMPTY));
    CHECK(invalid("a@1.2.3.-4", 8, M_LABEL_START));
}

static void test_domain_ipv6(void)
{
    static const char *const good[] = {
        "[::1]", "[::]", "[1:2:3:4:5:6:7:8]", "[1::]", "[1::8]", "[::8]", "[1:2:3:4:5:6:7::]",
        "[::2:3:4:5:6:7:8]", "[1:2:3::6:7:8]", "[2001:DB8::1]", "[2001:db8:0:0:0:0:2:1]",
        "[fe80::1:2]", "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]", "[::ffff:192.0.2.1]",
        "[::1.2.3.4]", "[1:2:3:4:5:6:1.2.3.4]", "[1::5:6:1.2.3.4]", "[0000:0000::0001]"
    };
    static const char *const bad[] = {
        "[]", "[:]", "[:::]", "[1:2:3:4:5:6:7:8:9]", "[1:2:3:4:5:6:7]", "[1::2::3]",
        "[12345::]", "[::1%eth0]", "[::1%25eth0]", "[127.0.0.1]", "[::g]", "[1:]", "[:1]",
        "[1:2:3:4:5:6:7:8::]", "[::1:2:3:4:5:6:7:8]", "[::1.2.3]", "[::1.2.3.256]",
        "[1:2:3:4:5:6:7:1.2.3.4]", "[1.2.3.4::]", "[::ffff:1.2.3.4:5]", "[v1.x]", "[ ::1]",
        "[::1 ]", "[:::1]", "[1:::2]", "[[::1]]", "[::01.2.3.4]"
    };
    size_t i;
    char s[64];
    for (i = 0; i < sizeof good / sizeof *good; i++) {
        size_t n = strlen(good[i]);
        memcpy(s, "a@", 2);
        memcpy(s + 2, good[i], n + 1);
        CHECK(valid(s, "a", good[i], NULL));
        memcpy(s + 2 + n, "/r", 3);
        CHECK(valid(s, "a", good[i], "r"));
    }
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        memcpy(s, "a@", 2);
        memcpy(s + 2, bad[i], strlen(bad[i]) + 1);
        CHECK(invalid(s, 2, M_IPV6));
    }
    CHECK(invalid("a@[::1", 2, M_BRACKET));
    CHECK(invalid("a@[::1]x", 2, M_BRACKET));
    CHECK(invalid("[", 0, M_BRACKET));
    CHECK(invalid("a@::1]", 2, M_DOM_CHAR));
    CHECK(invalid("a@::1", 2, M_DOM_CHAR));
    CHECK(valid("[::1]./r", NULL, "[::1]", "r"));              /* the trailing dot goes first */
    /* compared as text after ASCII lowercasing, not as addresses */
    CHECK(same("[2001:DB8::1]", "[2001:db8::1]", 1, 1));
    CHECK(same("[::1]", "[0::1]", 0, 0));
    CHECK(formats("A@[2001:DB8::A]/R", "a@[2001:db8::a]/R"));
}

/* ---- compare, bare, format, make */

static void test_compare(void)
{
    CHECK(same("juliet@example.com", "juliet@example.com", 1, 1));
    CHECK(same("Juliet@Example.COM", "juliet@example.com", 1, 1));
    CHECK(same("JULIET@EXAMPLE.COM/balcony", "juliet@example.com/balcony", 1, 1));
    CHECK(same("juliet@example.com/Balcony", "juliet@example.com/balcony", 0, 1));   /* resource exact */
    CHECK(same("juliet@example.com/balcony", "juliet@example.com/orchard", 0, 1));
    CHECK(same("juliet@example.com", "juliet@example.com/balcony", 0, 1));
    CHECK(same("juliet@example.com", "romeo@example.com", 0, 0));
    CHECK(same("juliet@example.com", "juliet@example.net", 0, 0));
    CHECK(same("example.com", "juliet@example.com", 0, 0));
    CHECK(same("example.com/r", "example.com/r", 1, 1));
    /* only ASCII letters fold: the pairs 0x5B-0x5F / 0x7B-0x7F, 32 apart, stay apart */
    CHECK(same("x[@x", "x{@x", 0, 0));
    CHECK(same("x\\@x", "x|@x", 0, 0));
    CHECK(same("x]@x", "x}@x", 0, 0));
    CHECK(same("x^@x", "x~@x", 0, 0));
    CHECK(same("x@[::A]", "X@[::a]", 1, 1));
    CHECK(same("\xc3\x89@x", "\xc3\xa9@x", 0, 0));         /* E-acute vs e-acute: no Unicode fold */
    CHECK(same("a@b/r", "a@b/r/", 0, 1));
}

static void test_bare(void)
{
    const char *s = "juliet@example.com/balcony";
    xmpp_jid j, b, bb;
    CHECK(xmpp_jid_parse(&j, s, strlen(s), NULL) == XMPP_OK);
    CHECK(!xmpp_jid_is_bare(&j));
    b = xmpp_jid_to_bare(&j);
    CHECK(xmpp_jid_is_bare(&b));
    CHECK(b.local.p == j.local.p && b.local.n == j.local.n);
    CHECK(b.domain.p == j.domain.p && b.domain.n == j.domain.n);
    CHECK(b.resource.p == NULL && b.resource.n == 0);
    CHECK(xmpp_jid_bare_equal(&b, &j) && !xmpp_jid_equal(&b, &j));
    bb = xmpp_jid_to_bare(&b);
    CHECK(xmpp_jid_equal(&bb, &b));
    CHECK(xmpp_jid_format(&b, out, sizeof out, NULL) == XMPP_OK && strcmp(out, "juliet@example.com") == 0);
    CHECK(xmpp_jid_parse(&j, "example.com", 11, NULL) == XMPP_OK && xmpp_jid_is_bare(&j));
    CHECK(xmpp_jid_parse(&j, "example.com/r", 13, NULL) == XMPP_OK && !xmpp_jid_is_bare(&j));
}

static void test_format(void)
{
    xmpp_jid j;
    size_t need = 99;
    CHECK(formats("juliet@example.com", "juliet@example.com"));
    CHECK(formats("Juliet@Example.COM/Balcony", "juliet@example.com/Balcony"));
    CHECK(formats("EXAMPLE.COM.", "example.com"));
    CHECK(formats("Example.com/A@B/C", "example.com/A@B/C"));
    CHECK(formats("\xc3\x89Z@\xc3\x9c" "B.example/\xc3\x89", "\xc3\x89z@\xc3\x9c" "b.example/\xc3\x89"));  /* ASCII only */
    CHECK(formats("A!#$%()*+,;=?[\\]^_`{|}~@X", "a!#$%()*+,;=?[\\]^_`{|}~@x"));
    /* overflow: nothing cut, "" written, the size needed reported */
    CHECK(xmpp_jid_parse(&j, "juliet@example.com/r", 20, NULL) == XMPP_OK);
    memset(out, '#', 32);
    CHECK(xmpp_jid_format(&j, out, 20, &need) == XMPP_ERR_NOSPACE && need == 20);
    CHECK(out[0] == 0 && out[1] == '#' && out[20] == '#');
    memset(out, '#', 32);
    CHECK(xmpp_jid_format(&j, out, 21, &need) == XMPP_OK && need == 20 && strcmp(out, "juliet@example.com/r") == 0);
    CHECK(out[21] == '#');
    memset(out, '#', 32);
    CHECK(xmpp_jid_format(&j, out, 1, &need) == XMPP_ERR_NOSPACE && need == 20 && out[0] == 0 && out[1] == '#');
    need = 99;
    CHECK(xmpp_jid_format(&j, NULL, 0, &need) == XMPP_ERR_NOSPACE && need == 20);
    CHECK(xmpp_jid_format(&j, out, sizeof out, NULL) == XMPP_OK);
    /* a JID that failed to parse */
    CHECK(xmpp_jid_parse(&j, "@", 1, NULL) == XMPP_ERR_JID_MALFORMED);
    memset(out, '#', 32);
    CHECK(xmpp_jid_format(&j, out, sizeof out, &need) == XMPP_ERR_INVALID && need == 0 && out[0] == 0);
    /* one not made by parse or make, with a part no JID has */
    CHECK(xmpp_jid_parse(&j, "a@b/c", 5, NULL) == XMPP_OK);
    j.resource.n = XMPP_JID_MAX_PART + 1;
    need = 99;
    CHECK(xmpp_jid_format(&j, out, sizeof out, &need) == XMPP_ERR_INVALID && need == 0 && out[0] == 0);
    /* the output parses back to an equal JID, and formats to itself */
    {
        static const char *const v[] = { "A@B.C/D", "x.Y./z", "[::A]", "K\xc3\xa9@X/ /" };
        static char again[64];
        size_t i;
        xmpp_jid k;
        for (i = 0; i < sizeof v / sizeof *v; i++) {
            CHECK(xmpp_jid_parse(&j, v[i], strlen(v[i]), NULL) == XMPP_OK);
            CHECK(xmpp_jid_format(&j, out, sizeof out, &need) == XMPP_OK);
            CHECK(xmpp_jid_parse(&k, out, need, NULL) == XMPP_OK && xmpp_jid_equal(&j, &k));
            CHECK(xmpp_jid_format(&k, again, sizeof again, NULL) == XMPP_OK && strcmp(again, out) == 0);
        }
    }
}

static void test_make(void)
{
    xmpp_jid j, k;
    xmpp_errinfo e;
    xmpp_str none = { NULL, 0 };
    char res[8] = "balcony";
    CHECK(xmpp_jid_make(&j, S("juliet"), S("example.com"), S(res), &e) == XMPP_OK && e.code == XMPP_OK);
    CHECK(j.local.n == 6 && j.domain.n == 11 && j.resource.p == res && j.resource.n == 7);
    CHECK(xmpp_jid_parse(&k, "juliet@example.com/balcony", 26, NULL) == XMPP_OK && xmpp_jid_equal(&j, &k));
    /* empty local or resource: none */
    CHECK(xmpp_jid_make(&j, S(""), S("Example.com."), none, NULL) == XMPP_OK);
    CHECK(j.local.p == NULL && j.resource.p == NULL && j.domain.n == 11);
    CHECK(xmpp_jid_format(&j, out, sizeof out, NULL) == XMPP_OK && strcmp(out, "example.com") == 0);
    /* a resource made of anything but controls; it may hold '@' and '/' */
    CHECK(xmpp_jid_make(&j, none, S("d"), S("a@b/c"), NULL) == XMPP_OK);
    CHECK(xmpp_jid_format(&j, out, sizeof out, NULL) == XMPP_OK && strcmp(out, "d/a@b/c") == 0);
    /* errors, at offsets in the text local "@" domain "/" resource */
    CHECK(xmpp_jid_make(&j, S("juliet"), S(""), S("r"), &e) == XMPP_ERR_JID_MALFORMED
          && e.offset == 7 && strcmp(e.message, M_EMPTY_DOMAIN) == 0 && j.domain.n == 0);
    CHECK(xmpp_jid_make(&j, none, none, none, &e) == XMPP_ERR_JID_MALFORMED
          && e.offset == 0 && strcmp(e.message, M_EMPTY_DOMAIN) == 0);
    CHECK(xmpp_jid_make(&j, S("juliet"), S("exa mple.com"), S("r"), &e) == XMPP_ERR_JID_MALFORMED
          && e.offset == 10 && strcmp(e.message, M_DOM_CHAR) == 0);
    CHECK(xmpp_jid_make(&j, S("juliet"), S("example.com/r"), none, &e) == XMPP_ERR_JID_MALFORMED
          && e.offset == 18 && strcmp(e.message, M_DOM_CHAR) == 0);
    CHECK(xmpp_jid_make(&j, S("juliet"), S("example.com"), S("r\n"), &e) == XMPP_ERR_JID_MALFORMED
          && e.offset == 20 && strcmp(e.message, M_RES_CTRL) == 0);
    CHECK(xmpp_jid_make(&j, S("a b"), S("example.com"), none, &e) == XMPP_ERR_JID_MALFORMED
          && e.offset == 1 && strcmp(e.message, M_LOCAL_SPACE) == 0);
    /* an '@' in a domain given apart: the same message as the second '@' of a parse */
    CHECK(xmpp_jid_make(&j, none, S("a@b"), none, &e) == XMPP_ERR_JID_MALFORMED
          && e.offset == 1 && strcmp(e.message, M_DOM_AT) == 0);
    fill(0, 1024, 'r');
    {
        xmpp_str r;
        r.p = big;
        r.n = 1024;
        CHECK(xmpp_jid_make(&j, S("j"), S("example.com"), r, &e) == XMPP_ERR_JID_MALFORMED
              && e.offset == 1 + 1 + 11 + 1 + 1023 && strcmp(e.message, M_LONG_RES) == 0);
        r.n = 1023;
        CHECK(xmpp_jid_make(&j, S("j"), S("example.com"), r, &e) == XMPP_OK && j.resource.n == 1023);
    }
}

static void test_errors(void)
{
    xmpp_jid j;
    xmpp_errinfo e;
    CHECK(strcmp(xmpp_strerror(XMPP_ERR_JID_MALFORMED), "malformed XMPP address (RFC 7622)") == 0);
    CHECK(strcmp(xmpp_err_condition(XMPP_ERR_JID_MALFORMED), "improper-addressing") == 0);
    CHECK(strcmp(xmpp_err_condition(XMPP_ERR_NOSPACE), "resource-constraint") == 0);
    CHECK(xmpp_strerror(XMPP_ERR_NOSPACE)[0] != 0);
    /* err may be NULL; success clears it */
    CHECK(xmpp_jid_parse(&j, "a@", 2, NULL) == XMPP_ERR_JID_MALFORMED);
    e.code = XMPP_ERR_INVALID;
    e.offset = 7;
    CHECK(xmpp_jid_parse(&j, "a@b", 3, &e) == XMPP_OK && e.code == XMPP_OK && e.offset == 0 && e.message);
    /* the first error in the text wins */
    CHECK(invalid("a b@c d/e\tf", 1, M_LOCAL_SPACE));
    CHECK(invalid("ab@c d/e\tf", 4, M_DOM_CHAR));
    CHECK(invalid("ab@cd/e\tf", 7, M_RES_CTRL));
}

int main(void)
{
    RUN(test_rfc7622_3_5_1_valid);
    RUN(test_rfc7622_3_5_2_invalid);
    RUN(test_rfc7622_3_5_2_precis_not_implemented);
    RUN(test_rfc7622_3_1_split);
    RUN(test_lengths_1023);
    RUN(test_localpart_forbidden_chars);
    RUN(test_localpart_allowed_ascii);
    RUN(test_resourcepart);
    RUN(test_utf8);
    RUN(test_domain_labels);
    RUN(test_domain_label_63);
    RUN(test_domain_trailing_dot);
    RUN(test_domain_ipv4);
    RUN(test_domain_ipv6);
    RUN(test_compare);
    RUN(test_bare);
    RUN(test_format);
    RUN(test_make);
    RUN(test_errors);
    return check_done();
}
