/* test_posix.c - the POSIX glue without a server: xmpp_posix_step over a socketpair.
   A peer that floods the client with pings and never reads: the client's answers fill the
   socket, and every step still returns (sends never block: the socket stays
   non-blocking and the glue waits with poll() for at most wait_ms), so the stream's
   clock keeps running. A step that hangs is caught by an alarm (10 s, a hang, not a
   speed check). */
#define _POSIX_C_SOURCE 200809L
#define XMPP_IMPLEMENTATION
#define XMPP_POSIX
#include "../xmpp.h"
#include "check.h"
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void on_alarm(int sig)
{
    static const char m[] = "test_posix: a step hung for 10 s\n0 passed, 1 failed\n";
    (void)sig;
    if (write(1, m, sizeof m - 1) < 0) _exit(1);
    _exit(1);
}

static void test_peer_not_reading(void)
{
    static unsigned char mem[24000];
    static xmpp_posix_io io;
    static xmpp_stream s;
    xmpp_stream_config cfg;
    xmpp_stream_event e;
    const char *why;
    int sv[2], online = 0, steps, pings = 0, fl;
    const char *login =
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
        "id='1' version='1.0'><stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
        "<mechanism>PLAIN</mechanism></mechanisms></stream:features><success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
        "id='2' version='1.0'><stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>"
        "<iq type='result' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>alice@a.test/r</jid></bind></iq>";
    const char *ping = "<iq type='get' id='p' from='a.test'><ping xmlns='urn:xmpp:ping'/></iq>";
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    fl = fcntl(sv[0], F_GETFL, 0);   /* as xmpp_posix_connect leaves it */
    fcntl(sv[0], F_SETFL, fl | O_NONBLOCK);
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    {   /* small socket buffers: the client's answers fill them soon */
        int small = 4096;
        setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
        setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    }
    memset(&cfg, 0, sizeof cfg);
    cfg.jid = xmpp_str_z("alice@a.test");
    cfg.password = xmpp_str_z("pw");
    cfg.rng = xmpp_posix_random;
    cfg.tls = XMPP_TLS_NEVER;
    cfg.plain_clear = 1;
    CHECK(xmpp_stream_init(&s, &cfg, mem, sizeof mem) == XMPP_OK);
    xmpp_posix_io_init(&io, sv[0]);
    xmpp_stream_tick(&s, xmpp_posix_now_ms());
    CHECK(write(sv[1], login, strlen(login)) == (ssize_t)strlen(login));
    signal(SIGALRM, on_alarm);
    for (steps = 0; steps < 100; steps++) {
        if (online) while (write(sv[1], ping, strlen(ping)) > 0) pings++;   /* floods, never reads */
        alarm(10);
        if (xmpp_posix_step(&io, &s, 10, &why) < 0) { printf("step: %s\n", why); CHECK(0); break; }
        alarm(0);
        while (xmpp_stream_next(&s, &e)) online |= e.kind == XMPP_STREAM_ONLINE;
    }
    CHECK(online);
    CHECK(pings > 100);   /* the answers had nowhere to go */
    CHECK(xmpp_stream_wants(&s) & XMPP_WANT_WRITE);   /* still queued, nothing lost */
    close(sv[0]);
    close(sv[1]);
}

int main(void)
{
    RUN(test_peer_not_reading);
    return check_done();
}
