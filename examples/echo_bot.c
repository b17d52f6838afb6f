/* echo_bot.c - log in, send presence, echo every chat message body back to its sender.
       XMPP_PASSWORD=... echo_bot [--server HOST[:PORT]] [--ca FILE] [--direct-tls]
                                  [--cert FILE --key FILE] [--plaintext] JID
   TLS by default: STARTTLS (RFC 6120 §5) on port 5222, or --direct-tls (XEP-0368) on
   5223; the server's certificate checked against the CAs in --ca FILE (default: the
   system's) for the JID's domain. --cert/--key: a client certificate, then SASL EXTERNAL
   when offered. --plaintext: no TLS (a private link only: loopback, a test network).
   One line per event on stdout; SIGINT/SIGTERM close the stream cleanly; exit status 1
   with a message on any failure (bad password, unreachable server, certificate error),
   2 for usage. Link with -lbearssl. */
#define _POSIX_C_SOURCE 200809L
#define XMPP_POSIX
#define XMPP_BEARSSL
#define XMPP_IMPLEMENTATION
#include "../xmpp.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

/* A chat message with a body: send the body back to whoever sent it. */
static void echo(xmpp_stream *s, const xmpp_node *m)
{
    xmpp_str from = xmpp_node_attr(m, NULL, "from"), body = xmpp_node_text(xmpp_node_child(m, NULL, "body"));
    xmpp_builder *b;
    if (!xmpp_node_is(m, NULL, "message") || !from.p || !body.p || !body.n ||
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
    static unsigned char mem[32768];
    xmpp_stream_config cfg = { 0 };
    xmpp_stream s;
    xmpp_stream_event ev;
    xmpp_posix_io io;
    xmpp_jid j;
    const char *server = NULL, *jid = NULL, *pw = getenv("XMPP_PASSWORD"), *why, *ca = NULL, *cert = NULL, *key = NULL;
    int i, plaintext = 0, direct = 0, fd, failed = 0;
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--server") && i + 1 < argc) server = argv[++i];
        else if (!strcmp(argv[i], "--ca") && i + 1 < argc) ca = argv[++i];
        else if (!strcmp(argv[i], "--cert") && i + 1 < argc) cert = argv[++i];
        else if (!strcmp(argv[i], "--key") && i + 1 < argc) key = argv[++i];
        else if (!strcmp(argv[i], "--direct-tls")) direct = 1;
        else if (!strcmp(argv[i], "--plaintext")) plaintext = 1;
        else if (argv[i][0] != '-' && !jid) jid = argv[i];
        else jid = NULL, i = argc;
    }
    if (!jid || (!pw && !cert) || xmpp_jid_parse(&j, jid, strlen(jid), NULL) || (plaintext && (direct || cert))) {
        fprintf(stderr, "usage: XMPP_PASSWORD=... echo_bot [--server HOST[:PORT]] [--ca FILE] [--direct-tls]\n"
                        "                               [--cert FILE --key FILE] [--plaintext] JID\n");
        return 2;
    }
    cfg.jid = xmpp_str_z(jid);
    cfg.password = xmpp_str_z(pw ? pw : "");
    cfg.rng = xmpp_posix_random;
    cfg.tls = plaintext ? XMPP_TLS_NEVER : XMPP_TLS_REQUIRED;
    cfg.direct_tls = (uint8_t)direct;
    cfg.client_cert = cert != NULL;
    if (!plaintext && !(cfg.tls_hook = xmpp_posix_tls_new(ca, cert, key, &why))) {
        fprintf(stderr, "echo_bot: %s\n", why);
        return 1;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    if ((fd = xmpp_posix_dial(server, j.domain, direct ? 5223 : 5222, 10000, &why)) < 0) {
        fprintf(stderr, "echo_bot: %s: %s\n", server ? server : jid, why);
        return 1;
    }
    if (xmpp_stream_init(&s, &cfg, mem, sizeof mem)) { fprintf(stderr, "echo_bot: bad configuration\n"); return 1; }
    xmpp_posix_io_init(&io, fd);
    xmpp_stream_tick(&s, xmpp_posix_now_ms());
    while (!(xmpp_stream_wants(&s) & XMPP_WANT_CLOSED)) {
        if (stop == 1) { stop = 2; printf("closing\n"); xmpp_stream_close(&s); }
        if (xmpp_posix_step(&io, &s, 500, &why) < 0) { fprintf(stderr, "echo_bot: %s\n", why); failed = 1; break; }
        while (xmpp_stream_next(&s, &ev)) {
            if (ev.kind == XMPP_STREAM_ONLINE) {
                xmpp_builder *b = xmpp_stream_send_begin(&s);
                printf("online as %.*s (%s)\n", (int)ev.jid.n, ev.jid.p, xmpp_stream_mechanism(&s));
                if (b) { xmpp_build_presence(b, NULL, NULL, NULL, NULL, 0); xmpp_stream_send_end(&s); }
            } else if (ev.kind == XMPP_STREAM_STANZA) {
                echo(&s, ev.stanza);
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
    }
    xmpp_posix_flush(&io, &s);
    close(fd);
    xmpp_posix_tls_free(cfg.tls_hook);
    return failed;
}
