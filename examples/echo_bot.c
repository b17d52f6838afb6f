/* echo_bot.c - log in, send presence, echo every chat message body back to its sender.
       XMPP_PASSWORD=... echo_bot [--server HOST[:PORT]] [--ca FILE] [--direct-tls]
                                  [--cert FILE --key FILE] [--plaintext] [--reconnect] JID
   TLS by default; options: xmpp_posix_client_start in xmpp.h; link with -lbearssl. Prints one
   line per event, closes cleanly on SIGINT/SIGTERM, exits 1 on any failure, 2 for usage. */
#define _POSIX_C_SOURCE 200809L
#define XMPP_POSIX
#define XMPP_BEARSSL
#define XMPP_IMPLEMENTATION
#include "../xmpp.h"
#include <stdio.h>

/* A message with a body (and not an error): send the body back to whoever sent it. */
static void echo(xmpp_stream *s, const xmpp_node *m)
{
    xmpp_str from = xmpp_node_attr(m, NULL, "from");
    xmpp_str body = xmpp_node_text(xmpp_node_child(m, NULL, "body"));
    xmpp_builder *b;
    if (!xmpp_node_is(m, NULL, "message") || xmpp_str_eq(xmpp_node_attr(m, NULL, "type"), "error")) return;
    if (!from.p || !body.n || !(b = xmpp_stream_send_begin(s))) return;
    xmpp_build_message_str(b, from, "chat", NULL, body);
    printf("echo to %.*s: %.*s\n", (int)from.n, from.p, (int)body.n, body.p);
    if (xmpp_stream_send_end(s)) printf("could not send the echo (output buffer full)\n");
}

int main(int argc, char **argv)
{
    static xmpp_posix_client c;
    xmpp_stream_event ev;
    xmpp_builder *b;
    const char *why;
    int r = xmpp_posix_client_start(&c, argc, argv, &why);
    if (r) return xmpp_posix_client_failed("echo_bot", r, why, NULL);   /* usage: 2, else 1 */
    do {
        r = xmpp_posix_client_step(&c, 500, &why);
        while (xmpp_stream_next(&c.s, &ev)) {
            xmpp_posix_report("echo_bot", &c.s, &ev);   /* online as ..., closed: ..., failures */
            if (ev.kind == XMPP_STREAM_STANZA) echo(&c.s, ev.stanza);
            if (ev.kind == XMPP_STREAM_ONLINE && (b = xmpp_stream_send_begin(&c.s)) != NULL) {
                xmpp_build_presence(b, NULL, NULL, NULL, NULL, 0);   /* RFC 6121 §4.2: available */
                xmpp_stream_send_end(&c.s);
            }
        }
        fflush(stdout);
    } while (r > 0);
    xmpp_posix_client_failed("echo_bot", r, why, NULL);   /* r < 0: the connection, lost */
    return xmpp_posix_client_end(&c);                      /* 0 if the stream closed cleanly */
}
