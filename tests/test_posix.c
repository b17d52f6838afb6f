/* test_posix.c - the POSIX glue without a server: xmpp_posix_step over a socketpair.
   A peer that floods the client with pings and never reads: the client's answers fill the
   socket, and every step still returns (sends never block: the socket stays
   non-blocking and the glue waits with poll() for at most wait_ms), so the stream's
   clock keeps running. A step that hangs is caught by an alarm (10 s, a hang, not a
   speed check). Then the helpers for command-line tools: the one-line event reports
   and the failure messages, read back from stdout and stderr, and the client's exit
   status after a clean close and after a lost connection, against a fake server on an
   ephemeral loopback port (plaintext). Over TLS (tlsserver.h's server engine on the
   other end of a socketpair): an echo bot's burst, and xmpp_posix_tls_new from files. */
#define _POSIX_C_SOURCE 200809L
#define XMPP_IMPLEMENTATION
#define XMPP_POSIX
#define XMPP_BEARSSL
#include "../xmpp.h"
#include "check.h"
#include "tlsserver.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_alarm(int sig)
{
    static const char m[] = "test_posix: a step hung for 10 s\n0 passed, 1 failed\n";
    (void)sig;
    if (write(1, m, sizeof m - 1) < 0) _exit(1);
    _exit(1);
}

/* A plaintext client stream for alice@a.test (password "pw") in mem. */
static xmpp_err plain_stream(xmpp_stream *s, unsigned char *mem, size_t size)
{
    xmpp_stream_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.jid = xmpp_str_z("alice@a.test");
    cfg.password = xmpp_str_z("pw");
    cfg.rng = xmpp_posix_random;
    cfg.tls = XMPP_TLS_NEVER;
    cfg.plain_clear = 1;
    return xmpp_stream_init(s, &cfg, mem, size);
}

/* The server's side of a PLAIN login of plain_stream(), up to the bound JID, in one piece. */
static const char *const login =
    "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
    "id='1' version='1.0'><stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
    "<mechanism>PLAIN</mechanism></mechanisms></stream:features><success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"
    "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
    "id='2' version='1.0'><stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>"
    "<iq type='result' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>alice@a.test/r</jid></bind></iq>";

/* Five messages from b, for an echo bot to answer. */
static const char burst[] =
    "<message from='b@a.test/x' type='chat'><body>1</body></message>"
    "<message from='b@a.test/x' type='chat'><body>2</body></message>"
    "<message from='b@a.test/x' type='chat'><body>3</body></message>"
    "<message from='b@a.test/x' type='chat'><body>4</body></message>"
    "<message from='b@a.test/x' type='chat'><body>5</body></message>";

/* n steps of an echo bot's loop: each message answered to its sender with its body. */
static void echo_steps(xmpp_posix_io *io, xmpp_stream *s, int n)
{
    xmpp_stream_event e;
    const char *why;
    while (n-- > 0) {
        CHECK(xmpp_posix_step(io, s, 10, &why) >= 0);
        while (xmpp_stream_next(s, &e)) {
            xmpp_builder *b;
            if (e.kind != XMPP_STREAM_STANZA || !(b = xmpp_stream_send_begin(s))) continue;
            xmpp_build_message_str(b, xmpp_node_attr(e.stanza, NULL, "from"), "chat", NULL,
                                   xmpp_node_text(xmpp_node_child(e.stanza, NULL, "body")));
            CHECK(xmpp_stream_send_end(s) == XMPP_OK);
        }
    }
}

static void test_peer_not_reading(void)
{
    static unsigned char mem[24000];
    static xmpp_posix_io io;
    static xmpp_stream s;
    xmpp_stream_event e;
    const char *why;
    int sv[2], online = 0, steps, pings = 0, fl;
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
    CHECK(plain_stream(&s, mem, sizeof mem) == XMPP_OK);
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

/* The answers to a burst of stanzas leave in one send(), the answer to the last one
   included (it is built after the step that fed it: the glue holds the send until the
   next step); and an event left unpulled holds nothing back. SOCK_SEQPACKET keeps each
   send() a record of its own, so the peer counts them. */
static void test_burst_one_send(void)
{
    static unsigned char mem[24000];
    static xmpp_posix_io io;
    static xmpp_stream s;
    xmpp_stream_event e;
    const char *why;
    char rec[8192];
    int sv[2], i, steps, echoes = 0, records = 0, online = 0;
    ssize_t n;
    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL, 0) | O_NONBLOCK);
    fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL, 0) | O_NONBLOCK);
    CHECK(plain_stream(&s, mem, sizeof mem) == XMPP_OK);
    xmpp_posix_io_init(&io, sv[0]);
    xmpp_stream_tick(&s, xmpp_posix_now_ms());
    CHECK(write(sv[1], login, strlen(login)) == (ssize_t)strlen(login));
    for (steps = 0; steps < 20 && !online; steps++) {
        CHECK(xmpp_posix_step(&io, &s, 10, &why) >= 0);
        while (xmpp_stream_next(&s, &e)) online |= e.kind == XMPP_STREAM_ONLINE;
    }
    CHECK(online);
    CHECK(write(sv[1], burst, strlen(burst)) == (ssize_t)strlen(burst));
    echo_steps(&io, &s, 10);
    while ((n = read(sv[1], rec, sizeof rec - 1)) > 0) {
        const char *q = rec;
        rec[n] = '\0';
        records += strstr(q, "<message") != NULL;   /* not the login's output, if it comes now */
        while ((q = strstr(q, "<message")) != NULL) { echoes++; q++; }
    }
    CHECK(echoes == 5);
    CHECK(records == 1);
    /* a stanza fed but its event not pulled: the close still goes out at the next step */
    CHECK(write(sv[1], burst, strlen(burst) / 5) == (ssize_t)(strlen(burst) / 5));
    for (i = 0; i < 3; i++) CHECK(xmpp_posix_step(&io, &s, 10, &why) >= 0);
    xmpp_stream_close(&s);
    CHECK(xmpp_posix_step(&io, &s, 10, &why) >= 0);
    n = read(sv[1], rec, sizeof rec - 1);
    CHECK(n > 0 && strstr((rec[n > 0 ? n : 0] = '\0', rec), "</stream:stream>") != NULL);
    close(sv[0]);
    close(sv[1]);
}

/* ---- the resolver's address, connect and dial without DNS */

/* A UDP socket bound to an ephemeral port of ::1 or 127.0.0.1 (*port), or -1. */
static int udp_bound(int v6, unsigned *port)
{
    struct sockaddr_storage ss;
    struct sockaddr_in *a4 = (struct sockaddr_in *)(void *)&ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)(void *)&ss;
    socklen_t len = v6 ? sizeof *a6 : sizeof *a4;
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
    memset(&ss, 0, sizeof ss);
    if (v6) { a6->sin6_family = AF_INET6; a6->sin6_addr = in6addr_loopback; a6->sin6_port = htons((uint16_t)*port); }
    else { a4->sin_family = AF_INET; a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK); a4->sin_port = htons((uint16_t)*port); }
    if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) || getsockname(fd, (struct sockaddr *)&ss, &len)) {
        if (fd >= 0) close(fd);
        return -1;
    }
    *port = ntohs(v6 ? a6->sin6_port : a4->sin_port);
    return fd;
}

/* Whether a DNS query (12 bytes or more) is waiting on fd. */
static int got_query(int fd)
{
    unsigned char q[512];
    return recv(fd, q, sizeof q, MSG_DONTWAIT) >= 12;
}

/* XMPP_RESOLVER as "IPv4:PORT", "[IPv6]:PORT" and a bare address (port 53): the query
   goes there (nobody answers: a timeout, not "no resolver"). */
static void test_resolver_address(void)
{
    xmpp_srv_target t[2];
    size_t n;
    const char *why;
    char env[64];
    unsigned port = 0;
    int fd = udp_bound(0, &port);
    CHECK(fd >= 0);
    snprintf(env, sizeof env, "127.0.0.1:%u", port);
    setenv("XMPP_RESOLVER", env, 1);
    CHECK(xmpp_posix_resolve("_xmpp-client._tcp", xmpp_str_z("a.test"), t, 2, &n, 50, &why) == XMPP_ERR_TIMEOUT);
    CHECK(n == 0 && strcmp(why, "no answer from the DNS resolver") == 0);
    CHECK(got_query(fd));
    if (fd >= 0) close(fd);
    port = 0;
    fd = udp_bound(1, &port);   /* IPv6 loopback, where the machine has it */
    if (fd >= 0) {
        snprintf(env, sizeof env, "[::1]:%u", port);
        setenv("XMPP_RESOLVER", env, 1);
        CHECK(xmpp_posix_resolve("_xmpp-client._tcp", xmpp_str_z("a.test"), t, 2, &n, 50, &why) == XMPP_ERR_TIMEOUT);
        CHECK(got_query(fd));
        close(fd);
    } else {
        printf("  no IPv6 loopback: XMPP_RESOLVER=[::1]:PORT not checked\n");
    }
    port = 53;   /* the default port, where it can be bound (root, or nobody there) */
    fd = udp_bound(0, &port);
    setenv("XMPP_RESOLVER", "127.0.0.1", 1);
    CHECK(xmpp_posix_resolve("_xmpp-client._tcp", xmpp_str_z("a.test"), t, 2, &n, 50, &why) != XMPP_ERR_INVALID);
    if (fd >= 0) CHECK(got_query(fd));
    if (fd >= 0) close(fd);
    unsetenv("XMPP_RESOLVER");
}

static void test_connect_fails(void)
{
    const char *why = NULL;
    unsigned port = 0;
    int l, c1, fd;
    uint64_t t0;
    CHECK(xmpp_posix_connect("", 5222, 200, &why) == -1);   /* no address */
    CHECK(why && strcmp(why, "no address for the host") == 0);
    /* a listener whose queue is full drops the SYN: the connect times out */
    {
        struct sockaddr_in a;
        socklen_t len = sizeof a;
        l = socket(AF_INET, SOCK_STREAM, 0);
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        CHECK(bind(l, (struct sockaddr *)&a, sizeof a) == 0 && listen(l, 0) == 0 &&
              getsockname(l, (struct sockaddr *)&a, &len) == 0);
        port = ntohs(a.sin_port);
    }
    c1 = xmpp_posix_connect("127.0.0.1", port, 1000, &why);   /* fills the queue */
    CHECK(c1 >= 0);
    t0 = xmpp_posix_now_ms();
    fd = xmpp_posix_connect("127.0.0.1", port, 200, &why);
    if (fd >= 0) close(fd);
    else CHECK(why && strcmp(why, "connection timed out") == 0 && xmpp_posix_now_ms() - t0 >= 150);
    CHECK(fd == -1 || fd >= 3);   /* never 0, 1 or 2 */
    if (c1 >= 0) close(c1);
    close(l);
}

static void test_dial_server(void)
{
    static char longname[400];
    const char *why = NULL;
    char where[64];
    struct sockaddr_in6 a;
    socklen_t len = sizeof a;
    int l = socket(AF_INET6, SOCK_STREAM, 0), fd, cfd;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    if (l >= 0 && bind(l, (struct sockaddr *)&a, sizeof a) == 0 && listen(l, 1) == 0 &&
        getsockname(l, (struct sockaddr *)&a, &len) == 0) {   /* where the machine has ::1 */
        snprintf(where, sizeof where, "[::1]:%u", (unsigned)ntohs(a.sin6_port));
        fd = xmpp_posix_dial(where, xmpp_str_z("a.test"), 9, 1000, &why);   /* not the default port */
        CHECK(fd >= 0);
        cfd = fd >= 0 ? accept(l, NULL, NULL) : -1;
        CHECK(cfd >= 0);
        if (cfd >= 0) close(cfd);
        if (fd >= 0) close(fd);
    } else {
        printf("  no IPv6 loopback: xmpp_posix_dial(\"[::1]:PORT\") not checked\n");
    }
    if (l >= 0) close(l);
    memset(longname, 'a', 300);   /* a host name longer than the 255 bytes room */
    why = NULL;
    CHECK(xmpp_posix_dial(longname, xmpp_str_z("a.test"), 5222, 200, &why) == -1);
    CHECK(why && strcmp(why, "no host, or a host name too long") == 0);
    CHECK(xmpp_posix_dial("127.0.0.1:0", xmpp_str_z("a.test"), 5222, 200, &why) == -1);
    CHECK(why && strcmp(why, "bad port (HOST:PORT)") == 0);
}

/* ---- the step's waiting */

/* An idle connection: the step waits wait_ms in poll() and says nothing happened. */
static void test_idle_step_waits(void)
{
    static unsigned char mem[24000];
    static xmpp_posix_io io;
    static xmpp_stream s;
    const char *why;
    int sv[2], r;
    uint64_t t0;
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL, 0) | O_NONBLOCK);
    CHECK(plain_stream(&s, mem, sizeof mem) == XMPP_OK);
    xmpp_posix_io_init(&io, sv[0]);
    xmpp_stream_tick(&s, xmpp_posix_now_ms());
    t0 = xmpp_posix_now_ms();
    r = xmpp_posix_step(&io, &s, 200, &why);
    CHECK(r == 0);
    CHECK(xmpp_posix_now_ms() - t0 >= 150);
    close(sv[0]);
    close(sv[1]);
}

/* A full socket that the peer drains after 100 ms: the flush waits for it (poll() on
   POLLOUT) and sends the rest (giving up, it would leave output). */
static void test_flush_waits_for_room(void)
{
    static unsigned char mem[24000];
    static xmpp_posix_io io;
    static xmpp_stream s;
    static char junk[4096];
    int sv[2], small = 4096, status;
    size_t n;
    pid_t pid;
    uint64_t t0, took;
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL, 0) | O_NONBLOCK);
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    CHECK(plain_stream(&s, mem, sizeof mem) == XMPP_OK);
    xmpp_posix_io_init(&io, sv[0]);
    xmpp_stream_tick(&s, xmpp_posix_now_ms());   /* the stream header, queued */
    while (write(sv[0], junk, sizeof junk) > 0) {}
    fflush(stdout);
    pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {   /* the peer: drains, after a while, until the end */
        char b[4096];
        close(sv[0]);
        poll(NULL, 0, 100);
        while (read(sv[1], b, sizeof b) > 0) {}
        _exit(0);
    }
    close(sv[1]);
    t0 = xmpp_posix_now_ms();
    xmpp_posix_flush(&io, &s);
    took = xmpp_posix_now_ms() - t0;
    xmpp_stream_output(&s, &n);
    CHECK(n == 0);
    CHECK(took >= 50);   /* it waited for the peer (no upper bound: the machine may be busy) */
    close(sv[0]);
    if (pid > 0) waitpid(pid, &status, 0);
}

/* ---- the helpers for command-line tools */

/* What a piece of code writes to stdout (fd 1) and stderr (fd 2), caught in temporary
   files: capture_begin(), the code, capture_end(out, err). */
static int saved_fd[3];
static FILE *caught[3];
static void capture_begin(void)
{
    int fd;
    fflush(stdout);
    fflush(stderr);
    for (fd = 1; fd <= 2; fd++) {
        caught[fd] = tmpfile();
        saved_fd[fd] = dup(fd);
        dup2(fileno(caught[fd]), fd);
    }
}
static void capture_end(char *out, char *err, size_t size)
{
    char *to[3];
    int fd;
    to[1] = out;
    to[2] = err;
    fflush(stdout);
    fflush(stderr);
    for (fd = 1; fd <= 2; fd++) {
        size_t n;
        dup2(saved_fd[fd], fd);
        close(saved_fd[fd]);
        rewind(caught[fd]);
        n = fread(to[fd], 1, size - 1, caught[fd]);
        to[fd][n] = '\0';
        fclose(caught[fd]);
    }
}

static const char *const hdr =
    "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
    "id='1' version='1.0'>";

/* Feed a whole server script to a fresh plaintext stream, report every event. */
static void report_all(const char *script)
{
    static unsigned char mem[24000];
    static xmpp_stream s;
    xmpp_stream_event e;
    size_t off = 0, n = strlen(script), used;
    CHECK(plain_stream(&s, mem, sizeof mem) == XMPP_OK);
    xmpp_stream_tick(&s, 1000);
    while (off < n) {
        size_t out_n;
        xmpp_stream_output(&s, &out_n);
        xmpp_stream_output_ack(&s, out_n);
        if (xmpp_stream_feed(&s, script + off, n - off, &used) != XMPP_OK) off = n;
        off += used;
        while (xmpp_stream_next(&s, &e)) xmpp_posix_report("bot", &s, &e);
    }
    while (xmpp_stream_next(&s, &e)) xmpp_posix_report("bot", &s, &e);
}

static void test_report(void)
{
    static char out[2048], err[2048], script[2048];
    const char *sasl = "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                       "<mechanism>PLAIN</mechanism></mechanisms></stream:features>";
    /* online, then a stream error with a text: the error, then the close */
    snprintf(script, sizeof script, "%s%s<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>%s"
             "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>"
             "<iq type='result' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>alice@a.test/r</jid>"
             "</bind></iq><stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text "
             "xmlns='urn:ietf:params:xml:ns:xmpp-streams'>replaced</text></stream:error></stream:stream>", hdr, sasl, hdr);
    capture_begin();
    report_all(script);
    capture_end(out, err, sizeof out);
    CHECK(strcmp(out, "online as alice@a.test/r (PLAIN)\nclosed: the server sent a stream error\n") == 0);
    CHECK(strcmp(err, "bot: stream error: conflict replaced\n"
                      "bot: the server sent a stream error: the server sent a stream error\n") == 0);
    /* a failed login, its text after the condition */
    snprintf(script, sizeof script, "%s%s<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/>"
             "<text>bad password</text></failure>", hdr, sasl);
    capture_begin();
    report_all(script);
    capture_end(out, err, sizeof out);
    CHECK(strcmp(out, "closed: SASL authentication failed\n") == 0);
    CHECK(strcmp(err, "bot: login failed: not-authorized bad password\n"
                      "bot: authentication failed: SASL authentication failed\n") == 0);
    /* name NULL: no prefix; a condition without text: no trailing space */
    capture_begin();
    {
        xmpp_stream_event e;
        memset(&e, 0, sizeof e);
        e.kind = XMPP_STREAM_ERROR;
        e.condition = xmpp_str_z("reset");
        xmpp_posix_report(NULL, NULL, &e);
        e.kind = XMPP_STREAM_STANZA;   /* not reported */
        xmpp_posix_report(NULL, NULL, &e);
        e.kind = XMPP_STREAM_CLOSED;   /* a clean close: stdout only */
        e.text = xmpp_str_z("closed by us, confirmed by the server");
        xmpp_posix_report(NULL, NULL, &e);
    }
    capture_end(out, err, sizeof out);
    CHECK(strcmp(out, "closed: closed by us, confirmed by the server\n") == 0);
    CHECK(strcmp(err, "stream error: reset\n") == 0);
}

static void test_client_failed(void)
{
    static char out[1024], err[1024];
    int r[4];
    capture_begin();
    r[0] = xmpp_posix_client_failed("say", -2, "JID TO TEXT, please", "TO TEXT");
    r[1] = xmpp_posix_client_failed("bot", -2, "too many arguments", NULL);
    r[2] = xmpp_posix_client_failed("bot", -1, "a.test: connection refused", NULL);
    r[3] = xmpp_posix_client_failed("bot", 0, "not printed", NULL) + xmpp_posix_client_failed("bot", 1, NULL, NULL);
    capture_end(out, err, sizeof out);
    CHECK(r[0] == 2 && r[1] == 2 && r[2] == 1 && r[3] == 0);
    CHECK(out[0] == '\0');
    CHECK(strcmp(err, "say: JID TO TEXT, please\n"
                      "usage: XMPP_PASSWORD=... say " XMPP_POSIX_CLIENT_USAGE " TO TEXT\n"
                      "bot: too many arguments\n"
                      "usage: XMPP_PASSWORD=... bot " XMPP_POSIX_CLIENT_USAGE "\n"
                      "bot: a.test: connection refused\n") == 0);
}

/* A listening socket on an ephemeral loopback port (*port), or -1. */
static int listener(unsigned *port)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 1) ||
        getsockname(fd, (struct sockaddr *)&a, &len)) return -1;
    *port = ntohs(a.sin_port);
    return fd;
}

/* The client's exit status: 0 after a close both sides made, 1 after the server hung up,
   1 after a failed start. */
static void test_client_end(void)
{
    static xmpp_posix_client c;
    char where[32], *argv[5];
    const char *why;
    unsigned port = 0;
    int l = listener(&port), fd, round, r = 1, steps;
    CHECK(l >= 0);
    if (l < 0) return;
    snprintf(where, sizeof where, "127.0.0.1:%u", port);
    argv[0] = (char *)"bot";
    argv[1] = (char *)"--plaintext";
    argv[2] = (char *)"--server";
    argv[3] = where;
    argv[4] = (char *)"alice@a.test";
    setenv("XMPP_PASSWORD", "pw", 1);
    signal(SIGALRM, on_alarm);
    for (round = 0; round < 2; round++) {   /* 0: a clean close; 1: the server hangs up */
        xmpp_stream_event e;
        memset(&c, 0, sizeof c);
        alarm(10);
        CHECK(xmpp_posix_client_start(&c, 5, argv, &why) == 0);
        fd = accept(l, NULL, NULL);
        CHECK(fd >= 0);
        {   /* what we batch goes out at once (no Nagle); room for the answers to a burst */
            int v = 0;
            socklen_t vl = sizeof v;
            CHECK(getsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &v, &vl) == 0 && v);
            CHECK(c.s.out_size == 8192);
        }
        CHECK(write(fd, hdr, strlen(hdr)) == (ssize_t)strlen(hdr));
        for (steps = 0; steps < 50 && xmpp_stream_state_of(&c.s) < XMPP_STATE_FEATURES; steps++) {
            r = xmpp_posix_client_step(&c, 20, &why);
            while (xmpp_stream_next(&c.s, &e)) {}
        }
        CHECK(xmpp_stream_state_of(&c.s) == XMPP_STATE_FEATURES);
        if (round == 0) {
            xmpp_stream_close(&c.s);
            CHECK(xmpp_posix_client_step(&c, 20, &why) == 1);   /* sends </stream:stream> */
            CHECK(write(fd, "</stream:stream>", 16) == 16);
        } else {
            close(fd);
            fd = -1;
        }
        for (steps = 0; steps < 50 && (r = xmpp_posix_client_step(&c, 20, &why)) > 0; steps++)
            while (xmpp_stream_next(&c.s, &e)) {}
        while (xmpp_stream_next(&c.s, &e)) {}
        CHECK(r == 0);
        CHECK(steps == (round == 0 ? 1 : 0));   /* the step that reads the end says so */   /* over (after the hang-up the CLOSED event says why) */
        CHECK(xmpp_stream_state_of(&c.s) == XMPP_STATE_CLOSED);
        CHECK(xmpp_posix_client_end(&c) == round);
        alarm(0);
        if (fd >= 0) close(fd);
    }
    close(l);
    memset(&c, 0, sizeof c);   /* bad usage: nothing to close, and not clean */
    CHECK(xmpp_posix_client_start(&c, 2, argv, &why) == -2);
    CHECK(xmpp_posix_client_end(&c) == 1);
}

/* Start c as "bot [opts...] --server 127.0.0.1:port alice@a.test" (opts: up to 4). */
static int start_on(xmpp_posix_client *c, unsigned port, const char *o1, const char *o2, const char **why)
{
    static char where[32];
    char *argv[8];
    int argc = 0;
    snprintf(where, sizeof where, "127.0.0.1:%u", port);
    argv[argc++] = (char *)"bot";
    if (o1) argv[argc++] = (char *)o1;
    if (o2) argv[argc++] = (char *)o2;
    argv[argc++] = (char *)"--server";
    argv[argc++] = where;
    argv[argc++] = (char *)"alice@a.test";
    return xmpp_posix_client_start(c, argc, argv, why);
}

static void no_trace(void *ctx, int kind, const char *text, size_t n)
{
    (void)ctx; (void)kind; (void)text; (void)n;
}

/* What the client keeps of the caller's settings and of its options; the messages of a
   failed start. */
static void test_client_options(void)
{
    static xmpp_posix_client c;
    static char want[96];
    const char *why = NULL;
    unsigned port = 0;
    int l = listener(&port), fd;
    CHECK(l >= 0);
    if (l < 0) return;
    setenv("XMPP_PASSWORD", "pw", 1);
    memset(&c, 0, sizeof c);
    c.cfg.trace = no_trace;
    c.cfg.trace_ctx = &c;
    c.cfg.timeout_ms = 1234;
    c.cfg.ping_ms = 5678;
    c.cfg.limits.max_depth = 20;
    c.cfg.xml_buf = 5000;
    c.cfg.arena = 6000;
    CHECK(start_on(&c, port, "--plaintext", NULL, &why) == 0);
    CHECK(c.cfg.trace == no_trace && c.cfg.trace_ctx == &c && c.cfg.timeout_ms == 1234 && c.cfg.ping_ms == 5678);
    CHECK(c.cfg.limits.max_depth == 20 && c.cfg.xml_buf == 5000 && c.cfg.arena == 6000);
    CHECK(c.cfg.tls == XMPP_TLS_NEVER && c.cfg.tls_hook == NULL);
    CHECK(c.cfg.password.n == 2 && memcmp(c.cfg.password.p, "pw", 2) == 0);
    fd = accept(l, NULL, NULL);
    CHECK(fd >= 0);
    CHECK(xmpp_posix_client_end(&c) == 1);
    if (fd >= 0) close(fd);
    /* TLS: the hook (from the system's CAs, where there are), given back by
       xmpp_posix_client_end. (Its anchors' sizing pass once computed NULL + 0, which the
       sanitizer build stops at.) */
    if (access("/etc/ssl/certs/ca-certificates.crt", R_OK) == 0) {
        int r;
        memset(&c, 0, sizeof c);
        r = start_on(&c, port, NULL, NULL, &why);
        CHECK(r == 0);
        CHECK(c.cfg.tls == XMPP_TLS_REQUIRED && c.cfg.tls_hook != NULL);
        fd = r == 0 ? accept(l, NULL, NULL) : -1;
        CHECK(xmpp_posix_client_end(&c) == 1);
        CHECK(c.cfg.tls_hook == NULL && c.fd == -1);
        if (fd >= 0) close(fd);
    } else {
        printf("  no /etc/ssl/certs/ca-certificates.crt: the TLS hook of xmpp_posix_client_start not checked\n");
    }
    /* --plaintext with a TLS option */
    memset(&c, 0, sizeof c);
    CHECK(start_on(&c, port, "--plaintext", "--direct-tls", &why) == -2);
    CHECK(why && strcmp(why, "--plaintext goes with no TLS option") == 0);
    {
        char *argv[] = { (char *)"bot", (char *)"--plaintext", (char *)"--cert", (char *)"c.pem",
                         (char *)"--key", (char *)"k.pem", (char *)"alice@a.test" };
        memset(&c, 0, sizeof c);
        CHECK(xmpp_posix_client_start(&c, 7, argv, &why) == -2);
        CHECK(why && strcmp(why, "--plaintext goes with no TLS option") == 0);
    }
    /* the stream cannot start (its output buffer does not fit): -1, the socket closed */
    memset(&c, 0, sizeof c);
    c.cfg.out = 1u << 20;
    CHECK(start_on(&c, port, "--plaintext", NULL, &why) == -1);
    CHECK(why && strstr(why, "could not start the stream") != NULL);
    CHECK(c.fd == -1);
    fd = accept(l, NULL, NULL);
    if (fd >= 0) close(fd);
    /* nobody there: the server given, then why */
    close(l);
    memset(&c, 0, sizeof c);
    CHECK(start_on(&c, port, "--plaintext", NULL, &why) == -1);
    snprintf(want, sizeof want, "127.0.0.1:%u: connection refused or unreachable", port);
    CHECK(why && strcmp(why, want) == 0);
}

/* SIGINT: the next step closes the stream. */
static void test_client_signal(void)
{
    static xmpp_posix_client c;
    const char *why = NULL;
    unsigned port = 0;
    int l = listener(&port), fd;
    CHECK(l >= 0);
    if (l < 0) return;
    setenv("XMPP_PASSWORD", "pw", 1);
    memset(&c, 0, sizeof c);
    CHECK(start_on(&c, port, "--plaintext", NULL, &why) == 0);
    fd = accept(l, NULL, NULL);
    CHECK(write(fd, hdr, strlen(hdr)) == (ssize_t)strlen(hdr));
    raise(SIGINT);
    CHECK(xmpp_posix_client_step(&c, 20, &why) == 1);
    CHECK(c.closing == 1);
    xmpp_posix_client_end(&c);
    if (fd >= 0) close(fd);
    close(l);
}

/* Step c (events pulled) until it returns <= 0 or the time is up; its last result. */
static int steps_until(xmpp_posix_client *c, int ms)
{
    const char *why;
    xmpp_stream_event e;
    uint64_t end = xmpp_posix_now_ms() + (uint64_t)ms;
    int r = 1;
    while (r > 0 && xmpp_posix_now_ms() < end) {
        r = xmpp_posix_client_step(c, 10, &why);
        while (xmpp_stream_next(&c->s, &e)) {}
    }
    return r;
}

/* A connection accepted on l within ms, or -1. */
static int accept_within(int l, int ms, xmpp_posix_client *c)
{
    const char *why;
    xmpp_stream_event e;
    uint64_t end = xmpp_posix_now_ms() + (uint64_t)ms;
    struct pollfd pf;
    pf.fd = l;
    pf.events = POLLIN;
    while (xmpp_posix_now_ms() < end) {
        if (poll(&pf, 1, 0) > 0) return accept(l, NULL, NULL);
        if (c) {
            CHECK(xmpp_posix_client_step(c, 10, &why) == 1);
            while (xmpp_stream_next(&c->s, &e)) {}
        } else {
            poll(NULL, 0, 10);
        }
    }
    return -1;
}

/* see-other-host: the client connects there, the step goes on. */
static void test_client_redirect(void)
{
    static xmpp_posix_client c;
    static char script[1024];
    const char *why = NULL;
    unsigned port = 0, port2 = 0;
    int l = listener(&port), l2 = listener(&port2), fd, fd2;
    CHECK(l >= 0 && l2 >= 0);
    if (l < 0 || l2 < 0) return;
    setenv("XMPP_PASSWORD", "pw", 1);
    memset(&c, 0, sizeof c);
    CHECK(start_on(&c, port, "--plaintext", NULL, &why) == 0);
    fd = accept(l, NULL, NULL);
    snprintf(script, sizeof script, "%s<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>"
             "127.0.0.1:%u</see-other-host></stream:error></stream:stream>", hdr, port2);
    CHECK(write(fd, script, strlen(script)) == (ssize_t)strlen(script));
    close(fd);
    fd2 = accept_within(l2, 2000, &c);
    CHECK(fd2 >= 0);
    CHECK(c.redirects == 1);
    xmpp_posix_client_end(&c);
    if (fd2 >= 0) close(fd2);
    close(l);
    close(l2);
}

/* --reconnect: a hang-up and a passing stream error are tried again (after a random
   wait, once per failure, the wait growing), a lasting one is not. */
/* A client started with --reconnect against the listener l (on port), whose first
   connection gets the stream error cond and is closed. */
static void reconnect_then_error(xmpp_posix_client *c, int l, unsigned port, const char *cond)
{
    static char script[1024];
    const char *why = NULL;
    int fd;
    memset(c, 0, sizeof *c);
    CHECK(start_on(c, port, "--plaintext", "--reconnect", &why) == 0);
    fd = accept_within(l, 1000, NULL);
    snprintf(script, sizeof script, "%s<stream:error><%s xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
             "</stream:error></stream:stream>", hdr, cond);
    CHECK(fd >= 0 && write(fd, script, strlen(script)) == (ssize_t)strlen(script));
    if (fd >= 0) close(fd);
}

static void test_client_reconnect(void)
{
    static xmpp_posix_client c;
    const char *why = NULL;
    unsigned port = 0;
    int l = listener(&port), fd, fd2, fd3, i;
    CHECK(l >= 0);
    if (l < 0) return;
    fcntl(l, F_SETFL, fcntl(l, F_GETFL, 0) | O_NONBLOCK);
    setenv("XMPP_PASSWORD", "pw", 1);
    signal(SIGALRM, on_alarm);
    alarm(20);
    /* the server hangs up: the step says "go on", the client dials again, once */
    memset(&c, 0, sizeof c);
    CHECK(start_on(&c, port, "--plaintext", "--reconnect", &why) == 0);
    fd = accept_within(l, 1000, NULL);
    CHECK(fd >= 0);
    CHECK(xmpp_posix_client_step(&c, 10, &why) == 1);   /* sends the header */
    close(fd);
    fd2 = accept_within(l, 3000, &c);   /* every step returns 1 meanwhile */
    CHECK(fd2 >= 0);
    CHECK(c.attempt == 1 && c.retry_at == 0);
    for (i = 0; i < 10; i++) CHECK(xmpp_posix_client_step(&c, 10, &why) == 1);
    fd3 = accept_within(l, 50, NULL);   /* not dialled again */
    CHECK(fd3 < 0);
    if (fd3 >= 0) close(fd3);
    /* a second hang-up before going online: the next wait is longer */
    if (fd2 >= 0) close(fd2);
    for (i = 0; i < 10 && !c.retry_at; i++) CHECK(xmpp_posix_client_step(&c, 10, &why) == 1);
    CHECK(c.retry_at != 0 && c.attempt == 2);
    CHECK(xmpp_posix_client_end(&c) == 1);
    /* a connection reset (send fails first): a CLOSED event, and again */
    memset(&c, 0, sizeof c);
    CHECK(start_on(&c, port, "--plaintext", "--reconnect", &why) == 0);
    fd = accept_within(l, 1000, NULL);
    CHECK(fd >= 0);
    if (fd >= 0) {
        struct linger lg;
        lg.l_onoff = 1;
        lg.l_linger = 0;
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        close(fd);
    }
    poll(NULL, 0, 50);
    CHECK(xmpp_posix_client_step(&c, 10, &why) == 1);
    CHECK(xmpp_stream_state_of(&c.s) == XMPP_STATE_CLOSED);
    fd2 = accept_within(l, 3000, &c);
    CHECK(fd2 >= 0);
    CHECK(xmpp_posix_client_end(&c) == 1);
    if (fd2 >= 0) close(fd2);
    /* a passing stream error (each of the six): again */
    alarm(20);
    for (i = 0; i < 6; i++) {
        static const char *const passing[] = { "system-shutdown", "connection-timeout", "reset",
                                               "internal-server-error", "remote-connection-failed",
                                               "resource-constraint" };
        reconnect_then_error(&c, l, port, passing[i]);
        fd2 = accept_within(l, 3000, &c);
        CHECK(fd2 >= 0);
        CHECK(strcmp(c.cond, "") == 0);   /* forgotten once connected again */
        CHECK(xmpp_posix_client_end(&c) == 1);
        if (fd2 >= 0) close(fd2);
    }
    /* a lasting one (conflict): over */
    reconnect_then_error(&c, l, port, "conflict");
    CHECK(steps_until(&c, 2000) == 0);
    CHECK(strcmp(c.cond, "conflict") == 0 && c.retry_at == 0);
    CHECK(xmpp_posix_client_end(&c) == 1);
    alarm(0);
    close(l);
}

/* xmpp_posix_tls_new from files (the certificates of tlsserver.h): a CA file, a client
   certificate chain and its key; and each way the files can be wrong, named in the
   message. */
/* the file to, n copies of the file from one after the other */
static int copies(const char *from, const char *to, int n)
{
    static char text[16384];
    size_t len;
    FILE *f = fopen(from, "rb"), *g;
    if (!f) return 0;
    len = fread(text, 1, sizeof text, f);
    fclose(f);
    if (!(g = fopen(to, "wb"))) return 0;
    while (n-- > 0) if (fwrite(text, 1, len, g) != len) { fclose(g); return 0; }
    return fclose(g) == 0;
}

static void test_tls_new_files(void)
{
    char cmd[600], ca[600], chain[600], key[600], nine[600];
    const char *why = NULL;
    xmpp_tls *t;
    NEED_CERTS();
    snprintf(ca, sizeof ca, "%s/ca.crt", dir);
    snprintf(chain, sizeof chain, "%s/a.test.chain", dir);
    snprintf(key, sizeof key, "%s/a.test.key", dir);
    snprintf(nine, sizeof nine, "%s/nine.chain", dir);
    /* a CA, a two-certificate chain and its key */
    t = xmpp_posix_tls_new(ca, chain, key, &why);
    CHECK(t != NULL && why == NULL);
    xmpp_posix_tls_free(t);
    t = xmpp_posix_tls_new(ca, NULL, NULL, &why);   /* no client certificate */
    CHECK(t != NULL && why == NULL);
    xmpp_posix_tls_free(t);
    /* one of the two */
    CHECK(xmpp_posix_tls_new(ca, chain, NULL, &why) == NULL);
    CHECK(why && strcmp(why, "--cert/--key: a client certificate needs both files") == 0);
    CHECK(xmpp_posix_tls_new(ca, NULL, key, &why) == NULL && why && strstr(why, "needs both files"));
    /* a file that is not there, or not what it should be: the message names it */
    snprintf(cmd, sizeof cmd, "%s/none.crt", dir);
    CHECK(xmpp_posix_tls_new(cmd, NULL, NULL, &why) == NULL && why && strncmp(why, cmd, strlen(cmd)) == 0);
    CHECK(xmpp_posix_tls_new(key, NULL, NULL, &why) == NULL && why && strncmp(why, key, strlen(key)) == 0);
    CHECK(xmpp_posix_tls_new(ca, key, key, &why) == NULL && why && strncmp(why, key, strlen(key)) == 0);
    CHECK(xmpp_posix_tls_new(ca, chain, chain, &why) == NULL && why && strncmp(why, chain, strlen(chain)) == 0);
    /* a chain of nine certificates: one more than the eight kept; eight are kept */
    CHECK(copies(ca, nine, 9));
    CHECK(xmpp_posix_tls_new(ca, nine, key, &why) == NULL && why && strncmp(why, nine, strlen(nine)) == 0);
    CHECK(why && strstr(why, "too many certificates") != NULL);
    CHECK(copies(ca, nine, 8));
    t = xmpp_posix_tls_new(ca, nine, key, &why);
    CHECK(t != NULL && why == NULL);
    xmpp_posix_tls_free(t);
}

/* ---- xmpp_posix_step over TLS: the client with the BearSSL backend on one end of a
   socketpair, tlsserver.h's server engine on the other, moved by srv_io */

static char tls_heard[16384];   /* plaintext the server received */
static size_t tls_nheard;
static unsigned tls_app_records;      /* application-data records the client sent */
static size_t tls_rec_left, tls_hdr_have;   /* where srv_io is in the client's records */
static unsigned char tls_hdr[5];

/* Count the client's application-data records (type 23) in n raw bytes. */
static void count_records(const unsigned char *p, size_t n)
{
    while (n) {
        if (tls_rec_left) {
            size_t k = n < tls_rec_left ? n : tls_rec_left;
            tls_rec_left -= k; p += k; n -= k;
            continue;
        }
        tls_hdr[tls_hdr_have++] = *p++;
        n--;
        if (tls_hdr_have == 5) {
            tls_app_records += tls_hdr[0] == 23;
            tls_rec_left = (size_t)tls_hdr[3] << 8 | tls_hdr[4];
            tls_hdr_have = 0;
        }
    }
}

/* The server's end, until nothing moves: records in from fd, plaintext out to tls_heard,
   *say (if any) sent as one record, records out to fd. 0 if its engine failed. */
static int srv_io(int fd, const char **say)
{
    br_ssl_engine_context *eng = &srv.sc.eng;
    unsigned char *b;
    size_t len;
    ssize_t n;
    int moved = 1;
    while (moved) {
        unsigned st = br_ssl_engine_current_state(eng);
        moved = 0;
        if (st == BR_SSL_CLOSED) return br_ssl_engine_last_error(eng) == BR_ERR_OK;
        if ((st & BR_SSL_SENDREC) && (b = br_ssl_engine_sendrec_buf(eng, &len)) && (n = write(fd, b, len)) > 0) {
            br_ssl_engine_sendrec_ack(eng, (size_t)n);
            moved = 1;
        } else if ((st & BR_SSL_RECVAPP) && (b = br_ssl_engine_recvapp_buf(eng, &len))) {
            if (len > sizeof tls_heard - 1 - tls_nheard) len = sizeof tls_heard - 1 - tls_nheard;
            memcpy(tls_heard + tls_nheard, b, len);
            tls_heard[tls_nheard += len] = 0;
            br_ssl_engine_recvapp_ack(eng, len);
            moved = len > 0;
        } else if (say && *say && **say && (st & BR_SSL_SENDAPP) && (b = br_ssl_engine_sendapp_buf(eng, &len))) {
            size_t k = strlen(*say);
            if (k > len) k = len;
            memcpy(b, *say, k);
            br_ssl_engine_sendapp_ack(eng, k);
            *say += k;
            if (!**say) br_ssl_engine_flush(eng, 0);
            moved = 1;
        } else if ((st & BR_SSL_RECVREC) && (b = br_ssl_engine_recvrec_buf(eng, &len)) && (n = read(fd, b, len)) > 0) {
            count_records(b, (size_t)n);
            br_ssl_engine_recvrec_ack(eng, (size_t)n);
            moved = 1;
        }
    }
    return 1;
}

/* An echo bot's loop over TLS (direct TLS, PLAIN): five messages from the server in one
   record are all answered with no more bytes from the server (the step feeds what TLS
   holds without waiting in poll()), in one record (the step sends when nothing more is
   held), and the close goes out. */
static void test_tls_step_burst(void)
{
    static unsigned char mem[24000], tbuf[BR_SSL_BUFSIZE_BIDI];
    static xmpp_posix_io io;
    static xmpp_stream s;
    static xmpp_tls_bearssl tb;
    xmpp_tls_bearssl_config tc;
    xmpp_stream_config cfg;
    xmpp_stream_event e;
    const char *why, *say = NULL, *p;
    int sv[2], steps, online = 0, echoes = 0, sent_login = 0, closed = 0;
    unsigned before;
    NEED_CERTS();
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL, 0) | O_NONBLOCK);
    fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL, 0) | O_NONBLOCK);
    CHECK(server_start("a.test.chain", "a.test.key", 0, NULL));
    memset(&tc, 0, sizeof tc);
    tc.anchors = ca_anchor;
    tc.nanchors = nca;
    tc.now = (int64_t)time(NULL);
    CHECK(xmpp_tls_bearssl_init(&tb, &tc, tbuf, sizeof tbuf, 1) == XMPP_OK);
    memset(&cfg, 0, sizeof cfg);
    cfg.jid = xmpp_str_z("alice@a.test");
    cfg.password = xmpp_str_z("pw");
    cfg.rng = xmpp_posix_random;
    cfg.tls_hook = &tb.tls;
    cfg.direct_tls = 1;
    CHECK(xmpp_stream_init(&s, &cfg, mem, sizeof mem) == XMPP_OK);
    xmpp_posix_io_init(&io, sv[0]);
    xmpp_stream_tick(&s, xmpp_posix_now_ms());
    signal(SIGALRM, on_alarm);
    alarm(20);
    tls_nheard = 0;
    tls_app_records = 0;
    tls_rec_left = tls_hdr_have = 0;
    for (steps = 0; steps < 500 && !online; steps++) {
        CHECK(xmpp_posix_step(&io, &s, 10, &why) >= 0);
        CHECK(srv_io(sv[1], &say));
        if (!sent_login && strstr(tls_heard, "<stream:stream")) { say = login; sent_login = 1; }
        while (xmpp_stream_next(&s, &e)) online |= e.kind == XMPP_STREAM_ONLINE;
    }
    CHECK(online);
    for (steps = 0; steps < 5; steps++) {   /* the client's last login bytes (the bind) reach the server */
        CHECK(xmpp_posix_step(&io, &s, 10, &why) >= 0);
        CHECK(srv_io(sv[1], &say));
    }
    CHECK(strstr(tls_heard, "bind-1") != NULL);
    before = tls_app_records;
    tls_nheard = 0;
    tls_heard[0] = 0;
    say = burst;
    CHECK(srv_io(sv[1], &say) && !*say);   /* one record, and no more bytes after it */
    echo_steps(&io, &s, 10);
    CHECK(srv_io(sv[1], NULL));
    for (p = tls_heard; (p = strstr(p, "<message")) != NULL; p++) echoes++;
    CHECK(echoes == 5);
    CHECK(tls_app_records - before == 1);
    xmpp_stream_close(&s);
    CHECK(xmpp_posix_step(&io, &s, 10, &why) >= 0);
    CHECK(srv_io(sv[1], NULL));
    CHECK(strstr(tls_heard, "</stream:stream>") != NULL);
    say = "</stream:stream>";
    CHECK(srv_io(sv[1], &say));
    for (steps = 0; steps < 100 && !closed; steps++) {
        CHECK(xmpp_posix_step(&io, &s, 10, &why) >= 0);
        while (xmpp_stream_next(&s, &e)) closed |= e.kind == XMPP_STREAM_CLOSED;
    }
    CHECK(closed);
    alarm(0);
    close(sv[0]);
    close(sv[1]);
}

int main(int argc, char **argv)
{
    certs_make(NULL, argc > 0 ? argv[0] : "test_posix");
    RUN(test_tls_new_files);
    RUN(test_tls_step_burst);
    RUN(test_peer_not_reading);
    RUN(test_burst_one_send);
    RUN(test_resolver_address);
    RUN(test_connect_fails);
    RUN(test_dial_server);
    RUN(test_idle_step_waits);
    RUN(test_flush_waits_for_room);
    RUN(test_report);
    RUN(test_client_failed);
    RUN(test_client_end);
    RUN(test_client_options);
    RUN(test_client_signal);
    RUN(test_client_redirect);
    RUN(test_client_reconnect);
    certs_done(NULL);
    return check_done();
}
