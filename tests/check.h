/* check.h - the test harness: CHECK(cond) and RUN(test); a run ends with the line
   "N passed, N failed" (", N skipped" when any were skipped), exit status 1 on failure.
   A test is a void function; it fails if any CHECK in it fails. */
#ifndef CHECK_H
#define CHECK_H
#include <stdio.h>

static int check_passed, check_failed, check_skipped, check_bad, check_skip;

#define CHECK(c) do { if (!(c)) { check_bad++; \
    printf("%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c); } } while (0)
#define SKIP(why) do { check_skip = 1; printf("SKIP %s: %s\n", __func__, why); return; } while (0)
#define RUN(t) do { check_bad = check_skip = 0; t(); \
    if (check_skip) check_skipped++; \
    else if (check_bad) { check_failed++; printf("FAIL %s\n", #t); } \
    else { check_passed++; } \
    fflush(stdout); } while (0)

static int check_done(void)
{
    printf("%d passed, %d failed", check_passed, check_failed);
    if (check_skipped) printf(", %d skipped", check_skipped);
    printf("\n");
    return check_failed ? 1 : 0;
}
#endif
