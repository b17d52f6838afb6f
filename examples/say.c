/* say.c - log in, send one chat message, print the first reply, close.
       XMPP_PASSWORD=... say [--server HOST[:PORT]] [--ca FILE] [--direct-tls]
                             [--cert FILE --key FILE] [--plaintext] [--reconnect] JID TO TEXT
   TLS by default, like echo_bot (options: xmpp_posix_client_start in xmpp.h). Waits up
   to 10 s for a message back from TO; exit status 0 if one came, 1 if not or on any
   failure, 2 for usage. Link with -lbearssl. */
#define _POSIX_C_SOURCE 200809L
#define XMPP_POSIX
#define XMPP_BEARSSL
#define XMPP_IMPLEMENTATION
#include "../xmpp.h"
#include <stdio.h>

int main(int argc, char **argv)
{
    static xmpp_posix_client c;
    xmpp_stream_event ev;
    const char *why;
    uint64_t deadline = 0;
    int r, got = 0;
    if ((r = xmpp_posix_client_start(&c, argc, argv, &why)) != 0)
        return xmpp_posix_client_failed("say", r, why, "TO TEXT");
    if (c.nargs != 3) {
        xmpp_posix_client_end(&c);
        return xmpp_posix_client_failed("say", -2, "JID TO TEXT, please", "TO TEXT");
    }
    do {
        r = xmpp_posix_client_step(&c, 200, &why);
        while (xmpp_stream_next(&c.s, &ev)) {
            xmpp_builder *b;
            if (ev.kind == XMPP_STREAM_ONLINE && (b = xmpp_stream_send_begin(&c.s)) != NULL) {
                printf("online as %.*s (%s); to %s: %s\n", (int)ev.jid.n, ev.jid.p, xmpp_stream_mechanism(&c.s),
                       c.args[1], c.args[2]);
                xmpp_build_message(b, c.args[1], "chat", NULL, c.args[2]);
                xmpp_stream_send_end(&c.s);
                deadline = xmpp_posix_now_ms() + 10000;
            } else if (ev.kind == XMPP_STREAM_STANZA && xmpp_node_is(ev.stanza, NULL, "message")) {
                xmpp_str from = xmpp_node_attr(ev.stanza, NULL, "from");
                xmpp_str body = xmpp_node_text(xmpp_node_child(ev.stanza, NULL, "body"));
                if (!body.n || got) continue;
                printf("reply from %.*s: %.*s\n", (int)from.n, from.p ? from.p : "", (int)body.n, body.p);
                got = 1;
                xmpp_stream_close(&c.s);
            } else {
                xmpp_posix_report("say", &c.s, &ev);   /* closed: ..., failures */
            }
        }
        if (deadline && !got && xmpp_posix_now_ms() > deadline) {
            fprintf(stderr, "say: no reply within 10 s\n");
            deadline = 0;
            xmpp_stream_close(&c.s);
        }
        fflush(stdout);
    } while (r > 0);
    xmpp_posix_client_failed("say", r, why, NULL);
    xmpp_posix_client_end(&c);
    return got ? 0 : 1;
}
