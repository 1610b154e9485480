/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

static TestCase tests[512];
static size_t n_tests;
/* The running test called test_skip(), or only test_skip_part(). */
static bool skipped, skipped_part;

void test_register(const char *name, void (*func)(void)) {
        if (n_tests >= ELEMENTSOF(tests)) {
                fprintf(stderr, "too many tests\n");
                abort();
        }
        tests[n_tests++] = (TestCase) { name, func };
}

char *test_runtime_dir_new(const char *name) {
        char *d = NULL;

        ASSERT_TRUE(asprintf(&d, "/tmp/test-%s.XXXXXX", name) > 0);
        ASSERT_NOT_NULL(mkdtemp(d));
        ASSERT_EQ(setenv("CELL_RUNTIME_DIR", d, 1), 0);
        return d;
}

void test_runtime_dir_free(char *dir) {
        _cleanup_free_ char *cmd = NULL;

        ASSERT_TRUE(asprintf(&cmd, "rm -rf '%s'", dir) > 0);
        ASSERT_EQ(system(cmd), 0);
        unsetenv("CELL_RUNTIME_DIR");
        free(dir);
}

TestNofile test_nofile_room(int n) {
        struct rlimit old, low;
        int probe;

        /* The lowest free fd: the next open() gets it. */
        probe = open("/dev/null", O_RDONLY|O_CLOEXEC);
        ASSERT_TRUE(probe >= 0);
        close(probe);
        ASSERT_TRUE(getrlimit(RLIMIT_NOFILE, &old) >= 0);
        low = (struct rlimit) { .rlim_cur = (rlim_t) probe + (rlim_t) n, .rlim_max = old.rlim_max };
        ASSERT_TRUE(setrlimit(RLIMIT_NOFILE, &low) >= 0);
        return (TestNofile) { .cur = old.rlim_cur, .max = old.rlim_max };
}

void test_nofile_restore(TestNofile old) {
        struct rlimit l = { .rlim_cur = (rlim_t) old.cur, .rlim_max = (rlim_t) old.max };

        ASSERT_TRUE(setrlimit(RLIMIT_NOFILE, &l) >= 0);
}

TestStderr test_stderr_capture(void) {
        char path[] = "/tmp/test-stderr-XXXXXX";
        TestStderr c;

        c.fd = mkostemp(path, O_CLOEXEC);
        ASSERT_TRUE(c.fd >= 0);
        ASSERT_TRUE(unlink(path) >= 0);
        fflush(stderr);
        c.saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        ASSERT_TRUE(c.saved >= 0);
        ASSERT_TRUE(dup2(c.fd, STDERR_FILENO) == STDERR_FILENO);
        return c;
}

void test_stderr_release(TestStderr c, char *buf, size_t size) {
        ssize_t n;

        fflush(stderr);
        ASSERT_TRUE(dup2(c.saved, STDERR_FILENO) == STDERR_FILENO);
        ASSERT_TRUE(close(c.saved) >= 0);
        n = pread(c.fd, buf, size - 1, 0);
        ASSERT_TRUE(n >= 0);
        buf[n] = 0;
        ASSERT_TRUE(close(c.fd) >= 0);
}

static void say_skip(const char *prefix, const char *why, va_list ap) {
        int saved_errno = errno;        /* for a %m in why */

        fputs(prefix, stdout);
        errno = saved_errno;
        vprintf(why, ap);
        fputc('\n', stdout);
        fflush(stdout);
}

void test_skip(const char *why, ...) {
        va_list ap;

        va_start(ap, why);
        say_skip("skipped: ", why, ap);
        va_end(ap);
        skipped = true;
}

void test_skip_part(const char *why, ...) {
        va_list ap;

        va_start(ap, why);
        say_skip("skipped in part: ", why, ap);
        va_end(ap);
        skipped_part = true;
}

bool test_skipped(void) {
        return skipped;
}

bool test_child_status_at(int status, bool part, const char *why, const char *file, int line) {
        if (WIFEXITED(status) && WEXITSTATUS(status) == TEST_SKIP) {
                if (part)
                        test_skip_part("%s", why);
                else
                        test_skip("%s", why);
                return false;
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "%s:%d: the test's child ", file, line);
                if (WIFEXITED(status))
                        fprintf(stderr, "exited %d\n", WEXITSTATUS(status));
                else
                        fprintf(stderr, "was killed by signal %d\n", WTERMSIG(status));
                abort();
        }
        return true;
}

bool test_child_ran_at(pid_t pid, bool part, const char *why, const char *file, int line) {
        int status;

        if (waitpid(pid, &status, 0) != pid) {
                fprintf(stderr, "%s:%d: waitpid(%d): %m\n", file, line, (int) pid);
                abort();
        }
        return test_child_status_at(status, part, why, file, line);
}

int main(int argc, char *argv[]) {
        const char *only = argc > 1 ? argv[1] : NULL;
        size_t ran = 0, n_skipped = 0, n_part = 0;

        /* Every disposition the default: a suite started under nohup (or by a
         * shell's background job) would pass its ignored SIGHUP to the
         * supervisors the tests fork, which keep it ignored, as nohup asks. */
        for (int sig = 1; sig < SIGRTMIN; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) signal(sig, SIG_DFL);

        for (size_t i = 0; i < n_tests; i++) {
                if (only && !streq(only, tests[i].name))
                        continue;
                printf("/* %s */\n", tests[i].name);
                fflush(stdout);
                skipped = skipped_part = false;
                tests[i].func();
                ran++;
                n_skipped += skipped;
                n_part += skipped_part && !skipped;
        }
        if (ran == 0) {
                fprintf(stderr, "no test ran\n");
                return EXIT_FAILURE;
        }
        /* meson's exitcode protocol has one result per binary: SKIP (77)
         * only when nothing here was tested. A binary whose other tests
         * passed, or whose tests skipped only a part, is OK, its skips said
         * in its log. */
        if (n_skipped == ran) {
                printf("%zu tests skipped\n", ran);
                return TEST_SKIP;
        }
        if (n_skipped + n_part > 0)
                printf("%zu tests passed (%zu of them in part), %zu skipped\n", ran - n_skipped, n_part,
                       n_skipped);
        else
                printf("%zu tests passed\n", ran);
        return EXIT_SUCCESS;
}
