/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "test.h"

static TestCase tests[512];
static size_t n_tests;

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

int main(int argc, char *argv[]) {
        const char *only = argc > 1 ? argv[1] : NULL;
        size_t ran = 0;

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
                tests[i].func();
                ran++;
        }
        if (ran == 0) {
                fprintf(stderr, "no test ran\n");
                return EXIT_FAILURE;
        }
        printf("%zu tests passed\n", ran);
        return EXIT_SUCCESS;
}
