/* trace.c - log in and print an annotated trace of the whole login, for teaching: each
   state change with the RFC section it implements (--), the XML in (<<) and out (>>)
   above TLS, each SASL message decoded (secrets hidden), the TLS parameters; then close.
       XMPP_PASSWORD=... trace [--server HOST[:PORT]] [--ca FILE] [--direct-tls]
                               [--cert FILE --key FILE] [--plaintext] [--reconnect] JID
   Options as for echo_bot (xmpp_posix_client_start in xmpp.h). Link with -lbearssl. */
#define _POSIX_C_SOURCE 200809L
#define XMPP_POSIX
#define XMPP_BEARSSL
#define XMPP_IMPLEMENTATION
#include "../xmpp.h"
#include <stdio.h>

/* One line per entry; incoming XML comes a token at a time and goes on the same line. */
static int last;   /* the kind of the line open (-1: one of main's) */
static void show(void *ctx, int kind, const char *text, size_t n)
{
    static const char *const mark[] = { "", "--", "<<", ">>", "   SASL <<", "   SASL >>" };
    size_t i;
    (void)ctx;
    if (kind != XMPP_TRACE_IN || last != XMPP_TRACE_IN)
        printf("%s%s ", last ? "\n" : "", mark[kind >= 1 && kind <= 5 ? kind : 0]);
    for (i = 0; i < n; i++)   /* PLAIN's NUL separators and other controls, visibly */
        printf((unsigned char)text[i] < 0x20 && text[i] != '\n' ? "\\x%02x" : "%c", (unsigned char)text[i]);
    last = kind;
}

int main(int argc, char **argv)
{
    static xmpp_posix_client c;
    xmpp_stream_event ev;
    const char *why;
    int r, ok = 0;
    c.cfg.trace = show;
    if ((r = xmpp_posix_client_start(&c, argc, argv, &why)) != 0)
        return xmpp_posix_client_failed("trace", r, why, NULL);   /* usage: 2, else 1 */
    do {
        r = xmpp_posix_client_step(&c, 200, &why);
        while (xmpp_stream_next(&c.s, &ev)) {
            xmpp_tls_bearssl *b = (xmpp_tls_bearssl *)(void *)c.cfg.tls_hook;
            last = ev.kind == XMPP_STREAM_STANZA ? last : -1;   /* the lines below are main's */
            if (ev.kind == XMPP_STREAM_ONLINE) {
                printf("\n== online as %.*s with %s", (int)ev.jid.n, ev.jid.p, xmpp_stream_mechanism(&c.s));
                if (b) printf(" over TLS 1.%u, cipher suite 0x%04X", xmpp_tls_bearssl_version(b) - 0x301, xmpp_tls_bearssl_suite(b));
                ok = 1;
                xmpp_stream_close(&c.s);   /* RFC 6120 §4.4 */
            } else if (ev.kind == XMPP_STREAM_SASL_FAILURE || ev.kind == XMPP_STREAM_ERROR) {
                printf("\n== %s: %.*s", ev.kind == XMPP_STREAM_ERROR ? "stream error" : "SASL failure",
                       (int)ev.condition.n, ev.condition.p);
            } else if (ev.kind == XMPP_STREAM_CLOSED) {
                printf("\n== closed: %s%s%.*s", ev.err ? xmpp_strerror(ev.err) : "", ev.err ? ": " : "",
                       (int)ev.text.n, ev.text.p ? ev.text.p : "");
                ok = ok && !ev.err;
            }
        }
    } while (r > 0);
    if (r < 0) { printf("\n== %s", why); ok = 0; }
    printf("\n");
    xmpp_posix_client_end(&c);
    return ok ? 0 : 1;
}
