/* bench_client.c - the client against libstrophe (Debian's libstrophe-dev, with OpenSSL)
   through the same Prosody (a.test on 127.0.0.1:15222, started by bench_client.sh), in one
   run, as ratios:
     1. login: connect, STARTTLS with the certificate verified, SCRAM, bind, online, close;
        LOGINS times each; wall time and this process's CPU time per login.
     2. echo bot: the bot (ours: examples/echo_bot's loop; libstrophe's: its usual handler)
        runs in a child process as alice@a.test/bot; a driver (our client, bob) sends it
        MESSAGES chat messages, WINDOW in flight, and waits for every echo; messages per
        second, and the bot's CPU per message (its getrusage from online to the end,
        divided by the messages), which is issue 6's target: under a third of libstrophe's.
   Usage: bench_client CA_FILE [LOGINS [MESSAGES]] (default 20 and 10000). CPU times are
   real, from CLOCK_PROCESS_CPUTIME_ID: noisy on a shared machine, hence the best of three
   runs for the bots; nothing here is asserted. */
#define _POSIX_C_SOURCE 200809L
#define XMPP_POSIX
#define XMPP_BEARSSL
#define XMPP_IMPLEMENTATION
#include "../../xmpp.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int strophe_login(const char *jid, const char *pw, const char *host, unsigned short port, const char *ca);
int strophe_echo_bot(const char *jid, const char *pw, const char *host, unsigned short port, const char *ca,
                     volatile sig_atomic_t *stop, void (*online)(void));

#define WINDOW 20
static const char *ca;

static double user_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
}

/* user + kernel CPU of this process, to the nanosecond (the scheduler's own count;
   getrusage's user/kernel split is sampled at clock ticks, so it is only indicative) */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- our client, through the POSIX glue with the options the examples take */

static int ours_open(xmpp_posix_client *c, const char *jid, const char *pw)
{
    char *argv[7];
    const char *why;
    argv[0] = (char *)"bench";
    argv[1] = (char *)"--server";
    argv[2] = (char *)"127.0.0.1:15222";
    argv[3] = (char *)"--ca";
    argv[4] = (char *)ca;
    argv[5] = (char *)jid;
    argv[6] = NULL;
    setenv("XMPP_PASSWORD", pw, 1);
    memset(c, 0, sizeof *c);
    if (xmpp_posix_client_start(c, 6, argv, &why)) { fprintf(stderr, "bench: %s\n", why); return -1; }
    return 0;
}

/* Step until an event of this kind; 0 if it came. */
static int ours_until(xmpp_posix_client *c, xmpp_stream_event_kind kind, xmpp_stream_event *out)
{
    xmpp_stream_event ev;
    const char *why;
    int r;
    do {
        r = xmpp_posix_client_step(c, 1000, &why);
        while (xmpp_stream_next(&c->s, &ev))
            if (ev.kind == kind) { if (out) *out = ev; return 0; }
    } while (r > 0);
    return -1;
}

static int ours_login(const char *jid, const char *pw)
{
    static xmpp_posix_client c;
    int ok;
    if (ours_open(&c, jid, pw)) return -1;
    ok = ours_until(&c, XMPP_STREAM_ONLINE, NULL) == 0;
    xmpp_stream_close(&c.s);
    ours_until(&c, XMPP_STREAM_CLOSED, NULL);
    xmpp_posix_client_end(&c);
    return ok ? 0 : -1;
}

static void echo(xmpp_stream *s, const xmpp_node *m)
{
    xmpp_str from = xmpp_node_attr(m, NULL, "from"), body = xmpp_node_text(xmpp_node_child(m, NULL, "body"));
    xmpp_builder *b;
    if (!xmpp_node_is(m, NULL, "message") || !from.p || !body.n || !(b = xmpp_stream_send_begin(s))) return;
    xmpp_build_message_str(b, from, "chat", NULL, body);
    xmpp_stream_send_end(s);
}

static int report_fd;
static void report_cpu(void)   /* CPU, then user CPU alone */
{
    double t[2];
    t[0] = cpu_s();
    t[1] = user_s();
    if (write(report_fd, t, sizeof t) != sizeof t) _exit(3);
}

static void ours_bot(void)
{
    static xmpp_posix_client c;
    xmpp_stream_event ev;
    const char *why;
    int r;
    if (ours_open(&c, "alice@a.test/bot", "alice-pw")) _exit(1);
    do {
        r = xmpp_posix_client_step(&c, 100, &why);
        while (xmpp_stream_next(&c.s, &ev)) {
            if (ev.kind == XMPP_STREAM_ONLINE) {
                xmpp_builder *b = xmpp_stream_send_begin(&c.s);
                if (b) { xmpp_build_presence(b, NULL, NULL, NULL, NULL, 0); xmpp_stream_send_end(&c.s); }
                report_cpu();
            } else if (ev.kind == XMPP_STREAM_STANZA) {
                echo(&c.s, ev.stanza);
            }
        }
    } while (r > 0);
    xmpp_posix_client_end(&c);
}

static volatile sig_atomic_t st_stop;
static void on_term(int sig) { (void)sig; st_stop = 1; }

static void strophe_bot(void)
{
    signal(SIGTERM, on_term);
    strophe_echo_bot("alice@a.test/bot", "alice-pw", "127.0.0.1", 15222, ca, &st_stop, report_cpu);
}

/* Start the bot in a child; online_cpu[0..1] its CPU and user CPU when it came online. */
static pid_t bot_start(void (*bot)(void), int *fd, double *online_cpu)
{
    int p[2];
    pid_t pid;
    if (pipe(p)) return -1;
    pid = fork();
    if (pid == 0) {
        close(p[0]);
        report_fd = p[1];
        bot();
        report_cpu();
        _exit(0);
    }
    close(p[1]);
    *fd = p[0];
    if (read(p[0], online_cpu, 2 * sizeof *online_cpu) != 2 * sizeof *online_cpu) return -1;
    return pid;
}

/* The driver: bob sends n messages, WINDOW at a time, until every echo is back. */
static double drive(int n)
{
    static xmpp_posix_client c;
    xmpp_stream_event ev;
    const char *why;
    int sent = 0, back = 0, r;
    double t0;
    char body[64];
    if (ours_open(&c, "bob@a.test/driver", "bob-pw") || ours_until(&c, XMPP_STREAM_ONLINE, NULL)) return -1;
    t0 = wall_s();
    do {
        while (sent < n && sent - back < WINDOW) {
            xmpp_builder *b = xmpp_stream_send_begin(&c.s);
            if (!b) break;
            snprintf(body, sizeof body, "message %d of the bench, with some text", sent);
            xmpp_build_message(b, "alice@a.test/bot", "chat", NULL, body);
            if (xmpp_stream_send_end(&c.s)) break;   /* output full: send first */
            sent++;
        }
        r = xmpp_posix_client_step(&c, 1000, &why);
        while (xmpp_stream_next(&c.s, &ev))
            if (ev.kind == XMPP_STREAM_STANZA && xmpp_node_is(ev.stanza, NULL, "message") &&
                xmpp_node_child(ev.stanza, NULL, "body"))
                back++;
    } while (r > 0 && back < n && wall_s() - t0 < 60);
    t0 = wall_s() - t0;
    xmpp_stream_close(&c.s);
    ours_until(&c, XMPP_STREAM_CLOSED, NULL);
    xmpp_posix_client_end(&c);
    return back == n ? t0 : -1;
}

static int bot_run(const char *name, void (*bot)(void), int n, double *rate, double *cpu_per, double *user_per)
{
    int fd, status;
    double online_cpu[2], end_cpu[2] = { -1, -1 }, secs;
    pid_t pid = bot_start(bot, &fd, online_cpu);
    if (pid < 0) { printf("  %s bot did not come online\n", name); return -1; }
    secs = drive(n);
    kill(pid, SIGTERM);
    if (read(fd, end_cpu, sizeof end_cpu) != sizeof end_cpu) end_cpu[0] = -1;
    waitpid(pid, &status, 0);
    close(fd);
    if (secs < 0 || end_cpu[0] < 0) { printf("  %s bot: not every echo came back\n", name); return -1; }
    *rate = n / secs;
    *cpu_per = (end_cpu[0] - online_cpu[0]) / n;
    *user_per = (end_cpu[1] - online_cpu[1]) / n;
    return 0;
}

int main(int argc, char **argv)
{
    int logins = argc > 2 ? atoi(argv[2]) : 20, messages = argc > 3 ? atoi(argv[3]) : 10000, i, bad = 0;
    double t, c, ow, oc, sw, sc, orate = 0, ocpu, ouser = 0, srate = 0, scpu, suser = 0;
    if (argc < 2) { fprintf(stderr, "usage: bench_client CA_FILE [LOGINS [MESSAGES]]\n"); return 2; }
    ca = argv[1];
    signal(SIGPIPE, SIG_IGN);
    printf("login through Prosody on loopback (STARTTLS, certificate verified, SCRAM, bind), %d each:\n", logins);
    t = wall_s(); c = cpu_s();
    for (i = 0; i < logins; i++) bad |= ours_login("alice@a.test/login", "alice-pw");
    ow = (wall_s() - t) / logins * 1e3; oc = (cpu_s() - c) / logins * 1e3;
    t = wall_s(); c = cpu_s();
    for (i = 0; i < logins; i++) bad |= strophe_login("alice@a.test/login", "alice-pw", "127.0.0.1", 15222, ca);
    sw = (wall_s() - t) / logins * 1e3; sc = (cpu_s() - c) / logins * 1e3;
    printf("  xmpp.h (BearSSL)       %7.2f ms wall  %7.2f ms CPU per login\n", ow, oc);
    printf("  libstrophe (OpenSSL)   %7.2f ms wall  %7.2f ms CPU per login\n", sw, sc);
    printf("  ratio (libstrophe / xmpp.h): wall %.2fx, CPU %.2fx%s\n", sw / ow, sc / oc, bad ? "  (a login failed!)" : "");
    printf("echo bot, %d messages through Prosody, %d in flight, best of 3 runs each:\n", messages, WINDOW);
    ocpu = scpu = 1e9;
    for (i = 0; i < 3; i++) {   /* best of three, alternating: the machine is shared */
        double r1, c1, u1, r2, c2, u2;
        if (bot_run("xmpp.h", ours_bot, messages, &r1, &c1, &u1) ||
            bot_run("libstrophe", strophe_bot, messages, &r2, &c2, &u2))
            return 1;
        if (c1 < ocpu) { ocpu = c1; orate = r1; ouser = u1; }
        if (c2 < scpu) { scpu = c2; srate = r2; suser = u2; }
    }
    printf("  xmpp.h bot       %8.0f messages/s  %6.1f us CPU per message (%5.1f us user, %5.1f us kernel)\n",
           orate, ocpu * 1e6, ouser * 1e6, (ocpu - ouser) * 1e6);
    printf("  libstrophe bot   %8.0f messages/s  %6.1f us CPU per message (%5.1f us user, %5.1f us kernel)\n",
           srate, scpu * 1e6, suser * 1e6, (scpu - suser) * 1e6);
    printf("  ratio (libstrophe / xmpp.h): CPU per message %.2fx (target: over 3x), user CPU %.2fx\n",
           scpu / ocpu, suser / ouser);
    return bad;
}
