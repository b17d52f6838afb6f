/* trace.c - log in and print an annotated trace of the whole login, for teaching: each
   state change with the RFC section it implements, every chunk in (<<) and out (>>) as
   plaintext XML (TLS records are below it), each SASL message decoded (secrets hidden),
   the TLS parameters; then close the stream.
       XMPP_PASSWORD=... trace [--server HOST[:PORT]] [--ca FILE] [--direct-tls]
                               [--cert FILE --key FILE] [--plaintext] JID
   Options as for echo_bot (xmpp_posix_client_start in xmpp.h). Link with -lbearssl. */
#define _POSIX_C_SOURCE 200809L
#define XMPP_POSIX
#define XMPP_BEARSSL
#define XMPP_IMPLEMENTATION
#include "../xmpp.h"
#include <stdio.h>
#include <string.h>

/* Bytes in come a token at a time; they are held and printed as one line until the next
   entry of another kind, so each line reads as what arrived before that entry. */
static char held[8192];
static size_t nheld;

static void put(const char *mark, const char *text, size_t n)
{
    size_t i;
    printf("%s ", mark);
    for (i = 0; i < n; i++) {   /* PLAIN's NUL separators and other controls, visibly */
        unsigned char ch = (unsigned char)text[i];
        if (ch < 0x20 && ch != '\n') printf("\\x%02x", ch);
        else putchar(ch);
    }
    putchar('\n');
}

static void show(void *ctx, int kind, const char *text, size_t n)
{
    static const char *const mark[] = { "", "--", "<<", ">>", "   SASL <<", "   SASL >>" };
    (void)ctx;
    if (kind == XMPP_TRACE_IN && nheld + n <= sizeof held) {
        memcpy(held + nheld, text, n);
        nheld += n;
        return;
    }
    if (nheld) put("<<", held, nheld);
    nheld = 0;
    if (kind == XMPP_TRACE_IN && n > sizeof held) put("<<", text, n);
    else if (kind == XMPP_TRACE_IN) { memcpy(held, text, n); nheld = n; }
    else put(mark[kind >= 1 && kind <= 5 ? kind : 0], text, n);
}

int main(int argc, char **argv)
{
    static xmpp_posix_client c;
    xmpp_stream_event ev;
    const char *why;
    int r, ok = 0;
    c.cfg.trace = show;
    if ((r = xmpp_posix_client_start(&c, argc, argv, &why)) != 0) {
        fprintf(stderr, "trace: %s\n", why);
        if (r == -2) fprintf(stderr, "usage: XMPP_PASSWORD=... trace " XMPP_POSIX_CLIENT_USAGE "\n");
        return r == -2 ? 2 : 1;
    }
    do {
        r = xmpp_posix_client_step(&c, 200, &why);
        while (xmpp_stream_next(&c.s, &ev)) {
            if (ev.kind == XMPP_STREAM_ONLINE) {
                xmpp_tls_bearssl *b = (xmpp_tls_bearssl *)(void *)c.cfg.tls_hook;
                printf("== online as %.*s with %s", (int)ev.jid.n, ev.jid.p, xmpp_stream_mechanism(&c.s));
                if (b) printf(" over TLS 1.%u, cipher suite 0x%04X", xmpp_tls_bearssl_version(b) - 0x301,
                              xmpp_tls_bearssl_suite(b));
                printf("\n");
                ok = 1;
                xmpp_stream_close(&c.s);   /* RFC 6120 §4.4 */
            } else if (ev.kind == XMPP_STREAM_SASL_FAILURE || ev.kind == XMPP_STREAM_ERROR) {
                printf("== %s: %.*s\n", ev.kind == XMPP_STREAM_ERROR ? "stream error" : "SASL failure",
                       (int)ev.condition.n, ev.condition.p);
            } else if (ev.kind == XMPP_STREAM_CLOSED) {
                printf("== closed: %s%s%.*s\n", ev.err ? xmpp_strerror(ev.err) : "", ev.err ? ": " : "",
                       (int)ev.text.n, ev.text.p ? ev.text.p : "");
                ok = ok && !ev.err;
            }
        }
    } while (r > 0);
    if (r < 0) { printf("== %s\n", why); ok = 0; }
    xmpp_posix_client_end(&c);
    return ok ? 0 : 1;
}
