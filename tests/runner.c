/* runner - runs test commands, passes their output through, and sums the
   "N passed, N failed[, N skipped]" line each one ends with into one such line.
   Usage: runner LABEL=COMMAND ...   A command that dies, prints no count line, exits 1
   although its count lines report no failure, or runs longer than RUNNER_TIMEOUT seconds
   (default 1200) counts as one failure. Each command runs in a process group of its own
   (terminal reads and writes do not stop it: SIGTTIN and SIGTTOU are ignored there). One
   that runs too long is stopped: SIGTERM to its group (a script's traps then stop its
   test and servers by PID), SIGKILL to what is left of the group RUNNER_GRACE seconds
   later (default 30), and 5 s after that its output is no longer waited for (something
   outside the group may hold it open). SIGINT, SIGTERM or SIGHUP to the runner is passed
   on to the group, whose output is then read for at most the same RUNNER_GRACE + 5 s
   before the runner stops; a second one stops it at once. A command that takes 10 s or more has its time printed. With
   CI=true in the environment a skipped test is a failure. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t child_group, timed_out, stopping;
static unsigned grace = 30;   /* seconds from SIGTERM to SIGKILL (RUNNER_GRACE) */

/* SIGALRM: the command's time is up. The first alarm asks its process group to stop, the
   second (grace seconds later, time for a script's cleanup) kills what is left of it, the
   third (5 s later) gives up its output. */
static void on_alarm(int sig)
{
    (void)sig;
    if (!child_group || timed_out >= 3) return;
    timed_out++;
    if (timed_out == 1) { kill(-(pid_t)child_group, SIGTERM); alarm(grace); }
    else if (timed_out == 2) { kill(-(pid_t)child_group, SIGKILL); alarm(5); }
}

/* SIGINT, SIGTERM, SIGHUP (a Ctrl-C at the terminal reaches only the foreground group,
   which the command is not in): passed on to the command's group, whose output is read
   to its end (a script's cleanup that writes to a closed pipe would die of SIGPIPE) for
   at most grace + 5 s, as after a timeout, and then taken as usual (see main). A second
   one is taken at once. */
static void on_stop(int sig)
{
    if (stopping || !child_group) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    stopping = sig;
    kill(-(pid_t)child_group, sig);
    timed_out = 1;   /* then SIGKILL and giving up, as for a timeout (on_alarm) */
    alarm(grace);
}

/* Start COMMAND under /bin/sh in a process group of its own, its stdout on a pipe (the
   read end is returned, or -1). The caller blocks the runner's signals around this and
   the setting of child_group; the child gets the mask old back. */
static int start(const char *cmd, pid_t *pid, const sigset_t *old)
{
    int fd[2];
    if (pipe(fd)) return -1;
    if ((*pid = fork()) < 0) { close(fd[0]); close(fd[1]); return -1; }
    if (*pid == 0) {
        int i;
        static const int dfl[] = { SIGINT, SIGTERM, SIGHUP, SIGALRM };
        setpgid(0, 0);
        signal(SIGTTIN, SIG_IGN);   /* a background group: the terminal must not stop it */
        signal(SIGTTOU, SIG_IGN);
        for (i = 0; i < 4; i++) {   /* ours are not for it (an ignored one stays ignored) */
            struct sigaction sa;
            sigaction(dfl[i], NULL, &sa);
            if (sa.sa_handler != SIG_IGN) signal(dfl[i], SIG_DFL);
        }
        sigprocmask(SIG_SETMASK, old, NULL);
        close(fd[0]);
        if (fd[1] != STDOUT_FILENO) { dup2(fd[1], STDOUT_FILENO); close(fd[1]); }
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    setpgid(*pid, *pid);   /* also here: either may run first */
    close(fd[1]);
    return fd[0];
}

typedef struct { long pass, fail, skip, failed; int counted; } counts;

/* One line of a command's output (len bytes, a newline at its end or not): a count line
   is summed and shown with the label, any other indented. */
static void take_line(const char *label, const char *p, size_t len, counts *k)
{
    char line[4100];
    long ps, fl, sk = 0;
    int n = 0;
    if (len > sizeof line - 2) len = sizeof line - 2;
    memcpy(line, p, len);
    if (!len || line[len - 1] != '\n') line[len++] = '\n';
    line[len] = 0;
    if (sscanf(line, "%ld passed, %ld failed%n", &ps, &fl, &n) == 2 && n > 0) {
        sscanf(line + n, ", %ld skipped", &sk);
        k->pass += ps; k->fail += fl; k->skip += sk;
        k->failed += fl;
        k->counted = 1;
        printf("[%s] %s", label, line);
    } else {
        printf("    %s", line);
    }
    fflush(stdout);
}

/* The environment variable name, if set: 1 to max seconds into *v (else a message, 0). */
static int seconds(const char *name, unsigned long max, unsigned *v)
{
    const char *s = getenv(name);
    char *end;
    unsigned long n;
    if (!s) return 1;
    n = strtoul(s, &end, 10);
    if (!*s || *end || n == 0 || n > max) {
        fprintf(stderr, "runner: %s must be 1 to %lu seconds, got '%s'\n", name, max, s);
        return 0;
    }
    *v = (unsigned)n;
    return 1;
}

int main(int argc, char **argv)
{
    long pass = 0, fail = 0, skip = 0;
    const char *ci = getenv("CI");
    int strict = ci && strcmp(ci, "true") == 0, i;
    unsigned limit = 1200;
    struct sigaction sa;
    if (!seconds("RUNNER_TIMEOUT", 86400, &limit) || !seconds("RUNNER_GRACE", 3600, &grace)) return 2;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;   /* no SA_RESTART: a read waiting on a stopped command ends */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    for (i = 0; i < 3; i++) {   /* not those ignored when we started (nohup) */
        static const int stops[3] = { SIGINT, SIGTERM, SIGHUP };
        struct sigaction old;
        sigaction(stops[i], NULL, &old);
        if (old.sa_handler == SIG_IGN) continue;
        sa.sa_handler = on_stop;
        sigaction(stops[i], &sa, NULL);
    }
    for (i = 1; i < argc; i++) {
        char buf[4096], *cmd = strchr(argv[i], '=');
        const char *label = argv[i];
        size_t have = 0;
        int st = 0, fd;
        counts k = { 0, 0, 0, 0, 0 };
        time_t t0;
        pid_t pid;
        sigset_t block, old;
        if (!cmd) { fprintf(stderr, "runner: expected LABEL=COMMAND, got %s\n", argv[i]); return 2; }
        *cmd++ = 0;
        fflush(stdout);
        sigemptyset(&block);
        sigaddset(&block, SIGINT);
        sigaddset(&block, SIGTERM);
        sigaddset(&block, SIGHUP);
        sigaddset(&block, SIGALRM);
        sigprocmask(SIG_BLOCK, &block, &old);
        fd = start(cmd, &pid, &old);
        if (fd >= 0) {
            timed_out = 0;
            child_group = pid;
            alarm(limit);
        }
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (fd < 0) { printf("[%s] cannot run: %s\n", label, cmd); fail++; continue; }
        t0 = time(NULL);
        /* read(), not stdio: a signal must not lose a line read in part (the last words of
           a program that hangs); the lines are split here */
        while (timed_out < 3) {
            ssize_t r = read(fd, buf + have, sizeof buf - have);
            size_t len;
            char *nl;
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            have += (size_t)r;
            while (have && ((nl = memchr(buf, '\n', have)) != NULL || have == sizeof buf)) {
                len = nl ? (size_t)(nl - buf) + 1 : have;   /* a line longer than buf: in parts */
                take_line(label, buf, len, &k);
                memmove(buf, buf + len, have - len);
                have -= len;
            }
        }
        if (have) take_line(label, buf, have, &k);   /* a last line without its newline */
        close(fd);
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
        alarm(0);
        child_group = 0;
        if (stopping) {
            fflush(stdout);
            signal((int)stopping, SIG_DFL);
            raise((int)stopping);
        }
        pass += k.pass; fail += k.fail; skip += k.skip;
        if (time(NULL) - t0 >= 10) printf("[%s] took %ld s\n", label, (long)(time(NULL) - t0));
        if (timed_out) {
            printf("[%s] stopped: it ran past RUNNER_TIMEOUT (%u s): 1 failed\n", label, limit);
            fail++;
        } else if (!k.counted || !WIFEXITED(st) || (WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 1)) {
            printf("[%s] died or printed no count line (status %d): 1 failed\n", label, st);
            fail++;
        } else if (WEXITSTATUS(st) == 1 && !k.failed) {
            printf("[%s] exited 1 but reported no failure: 1 failed\n", label);
            fail++;
        }
    }
    if (strict && skip) {
        printf("CI=true: %ld skipped tests count as failures\n", skip);
        fail += skip;
        skip = 0;
    }
    printf("%ld passed, %ld failed", pass, fail);
    if (skip) printf(", %ld skipped", skip);
    printf("\n");
    return fail ? 1 : 0;
}
