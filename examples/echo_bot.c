/* echo_bot.c - log in, send presence, echo every chat message body back to its sender.
       XMPP_PASSWORD=... echo_bot [--server HOST[:PORT]] [--ca FILE] [--direct-tls]
                                  [--cert FILE --key FILE] [--plaintext] [--reconnect] JID
   TLS by default (STARTTLS, or --direct-tls), the server's certificate checked against the
   CAs in --ca FILE (default: the system's) for the JID's domain; see xmpp_posix_client_start
   in xmpp.h for every option. One line per event; SIGINT/SIGTERM close the stream cleanly;
   exit status 1 with a message on any failure, 2 for usage. Link with -lbearssl. */
#define _POSIX_C_SOURCE 200809L
#define XMPP_POSIX
#define XMPP_BEARSSL
#define XMPP_IMPLEMENTATION
#include "../xmpp.h"
#include <stdio.h>

/* A chat message with a body: send the body back to whoever sent it. */
static void echo(xmpp_stream *s, const xmpp_node *m)
{
    xmpp_str from = xmpp_node_attr(m, NULL, "from"), body = xmpp_node_text(xmpp_node_child(m, NULL, "body"));
    xmpp_builder *b;
    if (!xmpp_node_is(m, NULL, "message") || !from.p || !body.n ||
        xmpp_str_eq(xmpp_node_attr(m, NULL, "type"), "error") || !(b = xmpp_stream_send_begin(s)))
        return;
    xmpp_build_start(b, XMPP_XMLNS_CLIENT, "message");
    xmpp_build_attr_str(b, NULL, "to", from);
    xmpp_build_attr(b, NULL, "type", "chat");
    xmpp_build_start(b, XMPP_XMLNS_CLIENT, "body");
    xmpp_build_text(b, body);
    xmpp_build_end(b);
    xmpp_build_end(b);
    printf("echo to %.*s: %.*s\n", (int)from.n, from.p, (int)body.n, body.p);
    if (xmpp_stream_send_end(s)) printf("could not send the echo (output buffer full)\n");
}

int main(int argc, char **argv)
{
    static xmpp_posix_client c;
    xmpp_stream_event ev;
    const char *why;
    int r, failed = 0;
    if ((r = xmpp_posix_client_start(&c, argc, argv, &why)) != 0) {
        if (r == -2) fprintf(stderr, "echo_bot: %s\nusage: XMPP_PASSWORD=... echo_bot " XMPP_POSIX_CLIENT_USAGE "\n", why);
        else fprintf(stderr, "echo_bot: %s\n", why);
        return r == -2 ? 2 : 1;
    }
    do {
        r = xmpp_posix_client_step(&c, 500, &why);
        while (xmpp_stream_next(&c.s, &ev)) {
            if (ev.kind == XMPP_STREAM_ONLINE) {
                xmpp_builder *b = xmpp_stream_send_begin(&c.s);
                printf("online as %.*s (%s)\n", (int)ev.jid.n, ev.jid.p, xmpp_stream_mechanism(&c.s));
                if (b) { xmpp_build_presence(b, NULL, NULL, NULL, NULL, 0); xmpp_stream_send_end(&c.s); }
            } else if (ev.kind == XMPP_STREAM_STANZA) {
                echo(&c.s, ev.stanza);
            } else if (ev.kind == XMPP_STREAM_SASL_FAILURE || ev.kind == XMPP_STREAM_ERROR) {
                fprintf(stderr, "echo_bot: %s: %.*s %.*s\n", ev.kind == XMPP_STREAM_ERROR ? "stream error" : "login failed",
                        (int)ev.condition.n, ev.condition.p, (int)ev.text.n, ev.text.p ? ev.text.p : "");
            } else if (ev.kind == XMPP_STREAM_CLOSED) {
                printf("closed: %.*s\n", (int)ev.text.n, ev.text.p ? ev.text.p : "");
                if (ev.err) fprintf(stderr, "echo_bot: %s: %.*s\n", xmpp_strerror(ev.err), (int)ev.text.n, ev.text.p);
                failed = ev.err != XMPP_OK;
            }
        }
        fflush(stdout);
    } while (r > 0);
    if (r < 0) { fprintf(stderr, "echo_bot: %s\n", why); failed = 1; }
    xmpp_posix_client_end(&c);
    return failed;
}
