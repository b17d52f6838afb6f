/* runner - runs test commands, passes their output through, and sums the
   "N passed, N failed[, N skipped]" line each one ends with into one such line.
   Usage: runner LABEL=COMMAND ...   A command that dies, prints no count line, or exits
   1 although its count lines report no failure counts as one failure. With CI=true in the environment a skipped test is a failure. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
    long pass = 0, fail = 0, skip = 0;
    const char *ci = getenv("CI");
    int strict = ci && strcmp(ci, "true") == 0, i;
    for (i = 1; i < argc; i++) {
        char line[4096], *cmd = strchr(argv[i], '=');
        const char *label = argv[i];
        int counted = 0, st;
        long failed = 0;   /* what this command's count lines report */
        FILE *f;
        if (!cmd) { fprintf(stderr, "runner: expected LABEL=COMMAND, got %s\n", argv[i]); return 2; }
        *cmd++ = 0;
        fflush(stdout);
        if (!(f = popen(cmd, "r"))) { printf("[%s] cannot run: %s\n", label, cmd); fail++; continue; }
        while (fgets(line, sizeof line, f)) {
            long p, fl, s = 0;
            int n = 0;
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
        st = pclose(f);
        if (!counted || !WIFEXITED(st) || (WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 1)) {
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
