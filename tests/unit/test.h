/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Small ASSERT_… macros in the manner of systemd's tests. A test file is a
 * list of TEST(name) { ... } blocks; test-main.c runs them in file order and
 * prints one line per test. A failed assertion aborts the test binary with
 * the file, line and both values. */

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "macros.h"

typedef struct TestCase {
        const char *name;
        void (*func)(void);
} TestCase;

void test_register(const char *name, void (*func)(void));

/* A fresh /tmp/test-NAME.XXXXXX set as $CELL_RUNTIME_DIR (cell's /run/cell),
 * and its removal with everything in it, the variable unset. */
char *test_runtime_dir_new(const char *name);
void test_runtime_dir_free(char *dir);

/* RLIMIT_NOFILE lowered so that n more fds than are open now can be opened
 * (from the lowest free one on); the limit it was, for
 * test_nofile_restore(). Out of fds the code under test must say so. */
typedef struct TestNofile {
        unsigned long long cur, max;
} TestNofile;
TestNofile test_nofile_room(int n);
void test_nofile_restore(TestNofile old);

/* stderr into an unlinked file from test_stderr_capture() on, until
 * test_stderr_release() puts the test's own back and gives what was written
 * there in buf (size > 0 bytes, NUL-terminated, cut to fit): what the code
 * under test said. stdio's buffer is flushed at both ends. Nests. */
typedef struct TestStderr {
        int fd, saved;
} TestStderr;
TestStderr test_stderr_capture(void);
void test_stderr_release(TestStderr c, char *buf, size_t size);

/* The exit status by which a child a test forked says "this machine cannot
 * do what the test needs" (a namespace, a privilege): the test skips, as
 * meson counts a test binary's exit status 77. */
#define TEST_SKIP 77

/* The running test (what of it is left) is not tested here, for why: said
 * on stdout. A binary whose every test that ran skipped so exits TEST_SKIP
 * (test-main.c). */
void test_skip(const char *why, ...) _printf_(1, 2);

/* A part of the running test is not tested here, for why (said on stdout),
 * where the rest of it was or will be: the test still counts as run. */
void test_skip_part(const char *why, ...) _printf_(1, 2);

/* Whether the running test has called test_skip(): a child it forked that
 * did ends with TEST_SKIP, so that its parent learns of it. */
bool test_skipped(void);

/* Waits for pid, a child the test forked, which exits 0 when what it checks
 * holds, or TEST_SKIP when it cannot be checked here: then the test skips
 * (test_skip(), for why). Any other end fails the test, at the caller's
 * line. Whether the child ran (exited 0). */
#define test_child_ran(pid, why) test_child_ran_at((pid), false, (why), __FILE__, __LINE__)
/* The same for a child that checks a part of the test, the rest of which
 * ran: its TEST_SKIP is test_skip_part(), and the test still counts as run. */
#define test_child_ran_part(pid, why) test_child_ran_at((pid), true, (why), __FILE__, __LINE__)
bool test_child_ran_at(pid_t pid, bool part, const char *why, const char *file, int line);
/* The same for a child already waited for (the caller cleans up first): its
 * wait status. */
#define test_child_status(status, why) test_child_status_at((status), false, (why), __FILE__, __LINE__)
bool test_child_status_at(int status, bool part, const char *why, const char *file, int line);

#define TEST(name)                                                      \
        static void test_##name(void);                                  \
        __attribute__((constructor)) static void test_register_##name(void) { \
                test_register(#name, test_##name);                      \
        }                                                               \
        static void test_##name(void)

#define TEST_FAIL(...)                                                  \
        do {                                                            \
                fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);         \
                fprintf(stderr, __VA_ARGS__);                           \
                fputc('\n', stderr);                                    \
                abort();                                                \
        } while (0)

#define ASSERT_TRUE(expr)                                               \
        do { if (!(expr)) TEST_FAIL("Assertion failed: %s", #expr); } while (0)
#define ASSERT_FALSE(expr) ASSERT_TRUE(!(expr))
#define ASSERT_NULL(expr) ASSERT_TRUE((expr) == NULL)
#define ASSERT_NOT_NULL(expr) ASSERT_TRUE((expr) != NULL)

#define ASSERT_EQ(a, b)                                                 \
        do {                                                            \
                intmax_t _a = (intmax_t) (a), _b = (intmax_t) (b);      \
                if (_a != _b)                                           \
                        TEST_FAIL("Assertion failed: %s == %s (%jd != %jd)", #a, #b, _a, _b); \
        } while (0)
#define ASSERT_EQ_U64(a, b)                                             \
        do {                                                            \
                uint64_t _a = (uint64_t) (a), _b = (uint64_t) (b);      \
                if (_a != _b)                                           \
                        TEST_FAIL("Assertion failed: %s == %s (%" PRIu64 " != %" PRIu64 ")", #a, #b, _a, _b); \
        } while (0)
#define ASSERT_STREQ(a, b)                                              \
        do {                                                            \
                const char *_a = (a), *_b = (b);                        \
                if (!streq_ptr(_a, _b))                                 \
                        TEST_FAIL("Assertion failed: %s == %s (\"%s\" != \"%s\")", #a, #b, \
                                  _a ?: "(null)", _b ?: "(null)");      \
        } while (0)
/* The string contains the substring. */
#define ASSERT_CONTAINS(haystack, needle)                               \
        do {                                                            \
                const char *_h = (haystack), *_n = (needle);            \
                if (!_h || !strstr(_h, _n))                             \
                        TEST_FAIL("Assertion failed: \"%s\" contains \"%s\"", _h ?: "(null)", _n); \
        } while (0)
/* r >= 0 */
#define ASSERT_OK(expr)                                                 \
        do {                                                            \
                int _r = (expr);                                        \
                if (_r < 0)                                             \
                        TEST_FAIL("Assertion failed: %s succeeds (got %d: %s)", #expr, _r, strerror(-_r)); \
        } while (0)
/* r == -error */
#define ASSERT_ERROR(expr, error)                                       \
        do {                                                            \
                int _r = (expr);                                        \
                if (_r != -(error))                                     \
                        TEST_FAIL("Assertion failed: %s fails with %s (got %d)", #expr, #error, _r); \
        } while (0)
