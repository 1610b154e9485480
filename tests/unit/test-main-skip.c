/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Cases of test-main.c's skip contract, each run alone by
 * test-main-skip.sh (by name: test-main runs only the test argv[1] names)
 * and its exit status checked there: no test of its own. */
#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup-fixture.h"
#include "test.h"

/* A child the test forked, which ends as test_skipped() says (as
 * fixture_run()'s does); then what its wait status makes of the test. */
static void child_then_status(bool skip, int code) {
        int status;
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                if (skip)
                        test_skip("in the child");
                exit(test_skipped() ? TEST_SKIP : code);
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        if (test_child_status(status, "the child skipped"))
                printf("the child ran\n");
}

TEST(passes) {
        ASSERT_FALSE(test_skipped());
}

TEST(skips) {
        test_skip("nothing to test here");
        ASSERT_TRUE(test_skipped());
}

TEST(skips_in_part) {
        test_skip_part("this half");
        ASSERT_FALSE(test_skipped());
}

TEST(skip_keeps_errno) {
        errno = ENOENT;
        test_skip("a %s: %m", "reason");
}

TEST(child_skips) {
        child_then_status(true, 0);
}

TEST(child_passes) {
        child_then_status(false, 0);
}

TEST(child_fails) {
        child_then_status(false, 1);
}

static void body_skips(void) {
        test_skip("in fixture_run()'s child");
}

static void body_passes(void) {
}

static void cleanup_said(void) {
        printf("cleaned up\n");
}

TEST(fixture_skips) {
        fixture_run(body_skips, cleanup_said);
}

TEST(fixture_passes) {
        fixture_run(body_passes, cleanup_said);
        ASSERT_FALSE(test_skipped());
}

TEST(child_ran_skips) {
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid == 0)
                _exit(TEST_SKIP);
        ASSERT_FALSE(test_child_ran(pid, "the child could not"));
}

/* A child that checks the test's second half skips only that half. */
TEST(child_ran_skips_in_part) {
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid == 0)
                _exit(TEST_SKIP);
        ASSERT_FALSE(test_child_ran_part(pid, "the second half"));
        ASSERT_FALSE(test_skipped());
}
