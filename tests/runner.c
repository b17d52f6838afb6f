/* runner - runs test commands, passes their output through, and sums the
   "N passed, N failed[, N skipped]" line each one ends with into one such line.
   Usage: runner LABEL=COMMAND ...   A command that dies, prints no count line, exits 1
   although its count lines report no failure, or runs longer than RUNNER_TIMEOUT seconds
   (default 1200) counts as one failure. A command that runs too long is stopped: SIGTERM
   to its process group (its own; a script's traps then stop its test and servers by PID),
   SIGKILL to what is left of the group 30 s later, and 5 s after that its output is no
   longer waited for (something outside the group may hold it open). A command that takes
   10 s or more has its time printed. With CI=true in the environment a skipped test is a
   failure. */
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

/* SIGALRM: the command's time is up. The first alarm asks its process group to stop, the
   second (30 s later, time for a script's cleanup) kills what is left of it, the third
   (5 s later) gives up its output. */
static void on_alarm(int sig)
{
    (void)sig;
    if (!child_group || timed_out >= 3) return;
    timed_out++;
    if (timed_out == 1) { kill(-(pid_t)child_group, SIGTERM); alarm(30); }
    else if (timed_out == 2) { kill(-(pid_t)child_group, SIGKILL); alarm(5); }
}

/* SIGINT, SIGTERM, SIGHUP (a Ctrl-C at the terminal reaches only the foreground group,
   which the command is not in): passed on to the command's group, whose output is read
   to its end (a script's cleanup that writes to a closed pipe would die of SIGPIPE), and
   then taken as usual (see main). A second one is taken at once. */
static void on_stop(int sig)
{
    if (stopping || !child_group) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    stopping = sig;
    kill(-(pid_t)child_group, sig);
}

/* Start COMMAND under /bin/sh in a process group of its own, its stdout on a pipe. */
static FILE *start(const char *cmd, pid_t *pid)
{
    int fd[2];
    if (pipe(fd)) return NULL;
    if ((*pid = fork()) < 0) { close(fd[0]); close(fd[1]); return NULL; }
    if (*pid == 0) {
        setpgid(0, 0);
        close(fd[0]);
        if (fd[1] != STDOUT_FILENO) { dup2(fd[1], STDOUT_FILENO); close(fd[1]); }
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    setpgid(*pid, *pid);   /* also here: either may run first */
    close(fd[1]);
    return fdopen(fd[0], "r");
}

int main(int argc, char **argv)
{
    long pass = 0, fail = 0, skip = 0;
    const char *ci = getenv("CI"), *to = getenv("RUNNER_TIMEOUT");
    int strict = ci && strcmp(ci, "true") == 0, i;
    unsigned limit = 1200;
    struct sigaction sa;
    if (to) {
        char *end;
        unsigned long v = strtoul(to, &end, 10);
        if (!*to || *end || v == 0 || v > 86400) {
            fprintf(stderr, "runner: RUNNER_TIMEOUT must be 1 to 86400 seconds, got '%s'\n", to);
            return 2;
        }
        limit = (unsigned)v;
    }
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
        char line[4096], *cmd = strchr(argv[i], '=');
        const char *label = argv[i];
        int counted = 0, st = 0;
        long failed = 0;   /* what this command's count lines report */
        time_t t0;
        pid_t pid;
        FILE *f;
        if (!cmd) { fprintf(stderr, "runner: expected LABEL=COMMAND, got %s\n", argv[i]); return 2; }
        *cmd++ = 0;
        fflush(stdout);
        if (!(f = start(cmd, &pid))) { printf("[%s] cannot run: %s\n", label, cmd); fail++; continue; }
        t0 = time(NULL);
        timed_out = 0;
        child_group = pid;
        alarm(limit);
        for (;;) {
            long p, fl, s = 0;
            int n = 0;
            if (!fgets(line, sizeof line, f)) {
                if (!ferror(f) || errno != EINTR || timed_out >= 3) break;
                clearerr(f);
                continue;
            }
            if (sscanf(line, "%ld passed, %ld failed%n", &p, &fl, &n) == 2 && n > 0) {
                sscanf(line + n, ", %ld skipped", &s);
                pass += p; fail += fl; skip += s;
                failed += fl;
                counted = 1;
                printf("[%s] %s", label, line);
            } else {
                printf("    %s", line);
            }
            fflush(stdout);
        }
        fclose(f);
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
        alarm(0);
        child_group = 0;
        if (stopping) {
            fflush(stdout);
            signal((int)stopping, SIG_DFL);
            raise((int)stopping);
        }
        if (time(NULL) - t0 >= 10) printf("[%s] took %ld s\n", label, (long)(time(NULL) - t0));
        if (timed_out) {
            printf("[%s] stopped after %u s (RUNNER_TIMEOUT): 1 failed\n", label, limit);
            fail++;
        } else if (!counted || !WIFEXITED(st) || (WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 1)) {
            printf("[%s] died or printed no count line (status %d): 1 failed\n", label, st);
            fail++;
        } else if (WEXITSTATUS(st) == 1 && !failed) {
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
