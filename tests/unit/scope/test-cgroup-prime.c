/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cgroup-prime.c: the helper that starts the kernel's grace period for a
 * cgroup move. What is checked: the write's outcome comes back, the helper is
 * reaped and sends no SIGCHLD, and nothing but the helper ever moves (the
 * cgroup tests need root and cgroup2, and skip without them). Whether the
 * priming shortens systemd's move is a matter of time, measured by
 * tests/bench, never asserted here. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup-prime.h"
#include "cgroup-util.h"
#include "test.h"

static void assert_no_child_left(void) {
        siginfo_t si = {};
        ASSERT_EQ(waitid(P_ALL, 0, &si, WEXITED | WNOHANG | __WALL), -1);
        ASSERT_EQ(errno, ECHILD);
}

static char *own_cgroup_text(void) {
        char *text = NULL;
        ASSERT_OK(cg_read_file("/proc/self/cgroup", &text));
        return text;
}

TEST(reap_null) {
        int r = 7;

        ASSERT_NULL(cg_prime_reap(NULL, true, NULL));
        ASSERT_NULL(cg_prime_reap(NULL, false, &r));
        ASSERT_EQ(r, 7);
        ASSERT_ERROR(cg_prime_start(NULL, NULL), EINVAL);
}

/* A directory whose "cgroup.procs" is dev (a symlink): a stand-in cgroup
 * that needs no root. /dev/full refuses every write (ENOSPC), /dev/null
 * takes it. The caller removes it with drop_fake(). */
static char *fake_cgroup(const char *dev) {
        char *dir = strdup("/tmp/cell-prime-XXXXXX"), *procs = NULL;

        ASSERT_NOT_NULL(dir);
        ASSERT_NOT_NULL(mkdtemp(dir));
        ASSERT_TRUE(asprintf(&procs, "%s/cgroup.procs", dir) > 0);
        ASSERT_OK(symlink(dev, procs));
        free(procs);
        return dir;
}

static void drop_fake(char *dir) {
        char *procs = NULL;

        ASSERT_TRUE(asprintf(&procs, "%s/cgroup.procs", dir) > 0);
        ASSERT_OK(unlink(procs));
        ASSERT_OK(rmdir(dir));
        free(procs);
        free(dir);
}

TEST(no_file_no_helper) {
        /* cell opens the file itself: nothing to open, no helper. */
        CgroupPrime *p = NULL;

        ASSERT_ERROR(cg_prime_start("/nonexistent-cell-prime", &p), ENOENT);
        ASSERT_NULL(p);
        assert_no_child_left();
}

TEST(write_failure_comes_back_and_helper_is_reaped) {
        char *dir = fake_cgroup("/dev/full");
        CgroupPrime *p = NULL;
        int r = 0;

        ASSERT_OK(cg_prime_start(dir, &p));
        ASSERT_NOT_NULL(p);
        ASSERT_NULL(cg_prime_reap(p, true, &r));
        ASSERT_EQ(r, -ENOSPC);
        assert_no_child_left();
        drop_fake(dir);
}

TEST(helper_leaves_errno_alone) {
        /* The helper shares our memory and thread pointer: its failing write must
         * not show up in our errno. */
        char *dir = fake_cgroup("/dev/full");
        CgroupPrime *p = NULL;
        int r = 0;

        errno = 0;
        ASSERT_OK(cg_prime_start(dir, &p));
        ASSERT_NULL(cg_prime_reap(p, true, &r));        /* all of it succeeds: errno untouched by us */
        ASSERT_EQ(r, -ENOSPC);
        ASSERT_EQ(errno, 0);
        drop_fake(dir);
}

TEST(reap_without_waiting) {
        /* Not blocking: p comes back while the helper runs, NULL once it is reaped. */
        char *dir = fake_cgroup("/dev/null");
        CgroupPrime *p = NULL;
        int r = 1, tries = 0;

        ASSERT_OK(cg_prime_start(dir, &p));
        while ((p = cg_prime_reap(p, false, &r)) && tries++ < 30000)   /* 30 s: a loaded host */
                usleep(1000);
        ASSERT_NULL(p);
        ASSERT_EQ(r, 0);
        assert_no_child_left();
        drop_fake(dir);
}

TEST(no_sigchld) {
        /* sd-event owns SIGCHLD in cell: the helper must not raise it. */
        char *dir = fake_cgroup("/dev/full");
        sigset_t chld, old, pending;
        CgroupPrime *p = NULL;
        int r = 0;

        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        ASSERT_OK(sigprocmask(SIG_BLOCK, &chld, &old));
        ASSERT_OK(cg_prime_start(dir, &p));
        ASSERT_NULL(cg_prime_reap(p, true, &r));
        ASSERT_EQ(r, -ENOSPC);
        ASSERT_OK(sigpending(&pending));
        ASSERT_FALSE(sigismember(&pending, SIGCHLD));
        ASSERT_OK(sigprocmask(SIG_SETMASK, &old, NULL));
        drop_fake(dir);
}

TEST(own_cgroup_moves_nothing) {
        _cleanup_free_ char *dir = NULL, *before = NULL, *after = NULL;
        CgroupPrime *p = NULL;
        int r = 1;

        if (geteuid() != 0 || cg_v2_dir_of(0, &dir) < 0) {
                test_skip("needs root and a cgroup2 tree");
                return;
        }
        before = own_cgroup_text();
        ASSERT_OK(cg_prime_start(NULL, &p));
        ASSERT_NULL(cg_prime_reap(p, true, &r));
        ASSERT_EQ(r, 0);                /* the write went through: the kernel took the lock */
        after = own_cgroup_text();
        ASSERT_STREQ(after, before);
        assert_no_child_left();
}

TEST(only_the_helper_moves) {
        /* Given another cgroup, the helper moves itself there, never us, and the
         * cgroup is empty again once it has been reaped. */
        _cleanup_free_ char *base = NULL, *before = NULL, *after = NULL, *events = NULL;
        char dir[4096];
        CgroupPrime *p = NULL;
        int r = 1;

        if (geteuid() != 0 || cg_v2_dir_of(0, &base) < 0) {
                test_skip("needs root and a cgroup2 tree");
                return;
        }
        snprintf(dir, sizeof dir, "%s/cell-primetest-%d", base, (int) getpid());
        if (mkdir(dir, 0755) < 0) {
                test_skip("cannot create %s: %m", dir);
                return;
        }
        before = own_cgroup_text();
        ASSERT_OK(cg_prime_start(dir, &p));
        ASSERT_NULL(cg_prime_reap(p, true, &r));
        after = own_cgroup_text();
        snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "/cgroup.events");
        (void) cg_read_file(dir, &events);
        *strrchr(dir, '/') = 0;
        ASSERT_OK(rmdir(dir));          /* empty: the helper was in it and is gone */
        ASSERT_EQ(r, 0);
        ASSERT_STREQ(after, before);
        ASSERT_CONTAINS(events, "populated 0");
}

static volatile sig_atomic_t usr1_seen;
static void on_usr1(int sig) {
        usr1_seen++;
}

TEST(helper_starts_with_signals_blocked) {
        /* A handler of ours must never run in the helper: it would run on the
         * helper's small stack with our thread pointer. The helper writes into a
         * full FIFO and waits there; SIGUSR1 sent to it must stay pending. Were it
         * not blocked, our handler would run in the helper (and count, in the
         * memory we share) or its write would fail with EINTR. */
        char dir[] = "/tmp/cell-prime-XXXXXX", procs[64], fifo[64], path[64], buf[4096];
        struct sigaction sa = { .sa_handler = on_usr1 }, old_sa;
        _cleanup_free_ char *children = NULL;
        CgroupPrime *p = NULL;
        int r = 1, keep;

        ASSERT_NOT_NULL(mkdtemp(dir));
        snprintf(fifo, sizeof fifo, "%s/fifo", dir);
        snprintf(procs, sizeof procs, "%s/cgroup.procs", dir);
        ASSERT_OK(mkfifo(fifo, 0600));
        ASSERT_OK(symlink(fifo, procs));
        keep = open(fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC);     /* reader and writer: opens at once */
        ASSERT_TRUE(keep >= 0);
        while (write(keep, buf, sizeof buf) > 0)
                ;                                               /* full: the helper's write waits */
        ASSERT_OK(sigaction(SIGUSR1, &sa, &old_sa));
        usr1_seen = 0;

        ASSERT_OK(cg_prime_start(dir, &p));
        snprintf(path, sizeof path, "/proc/self/task/%d/children", (int) gettid());
        for (int i = 0; i < 100 && (!children || !*children); i++) {
                children = mfree(children);
                ASSERT_OK(cg_read_file(path, &children));
                usleep(1000);
        }
        pid_t helper = (pid_t) atoi(children);
        ASSERT_TRUE(helper > 0);
        ASSERT_OK(kill(helper, SIGUSR1));
        usleep(20000);
        while (read(keep, buf, sizeof buf) > 0)
                ;                                               /* room again: the write completes */
        ASSERT_NULL(cg_prime_reap(p, true, &r));
        ASSERT_EQ(r, 0);
        ASSERT_EQ(usr1_seen, 0);

        ASSERT_OK(sigaction(SIGUSR1, &old_sa, NULL));
        close(keep);
        ASSERT_OK(unlink(procs));
        ASSERT_OK(unlink(fifo));
        ASSERT_OK(rmdir(dir));
        assert_no_child_left();
}

/* A stand-in for /sys/kernel with rcu_expedited and rcu_normal as given
 * (NULL: no such file). The caller removes it with drop_kernel_dir(). */
static char *kernel_dir(const char *expedited, const char *normal) {
        char *dir = strdup("/tmp/cell-rcu-XXXXXX");
        const char *names[] = { "rcu_expedited", "rcu_normal" }, *values[] = { expedited, normal };

        ASSERT_NOT_NULL(dir);
        ASSERT_NOT_NULL(mkdtemp(dir));
        for (size_t i = 0; i < 2; i++) {
                char *path = NULL;
                FILE *f;

                if (!values[i])
                        continue;
                ASSERT_TRUE(asprintf(&path, "%s/%s", dir, names[i]) > 0);
                ASSERT_NOT_NULL(f = fopen(path, "we"));
                ASSERT_TRUE(fputs(values[i], f) >= 0);
                ASSERT_OK(fclose(f));
                free(path);
        }
        return dir;
}

static void drop_kernel_dir(char *dir) {
        const char *names[] = { "rcu_expedited", "rcu_normal" };

        for (size_t i = 0; i < 2; i++) {
                char *path = NULL;

                ASSERT_TRUE(asprintf(&path, "%s/%s", dir, names[i]) > 0);
                (void) unlink(path);
                free(path);
        }
        ASSERT_OK(rmdir(dir));
        free(dir);
}

TEST(useful_unless_grace_periods_are_expedited) {
        static const struct {
                const char *expedited, *normal;
                bool useful;
        } cases[] = {
                { "0\n", "0\n", true },         /* a normal kernel: the wait is long */
                { "1\n", "0\n", false },        /* expedited: short, and dear per start */
                { "1\n", NULL,  false },        /* no rcu_normal: it cannot override */
                { "1\n", "1\n", true },         /* rcu_normal wins over rcu_expedited */
                { NULL,  "0\n", true },         /* no rcu_expedited: a normal kernel */
                { "x\n", "0\n", true },         /* unreadable: assume the slow wait */
                { "",    "0\n", true },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *dir = kernel_dir(cases[i].expedited, cases[i].normal);

                ASSERT_EQ(cg_prime_useful(dir), cases[i].useful);
                drop_kernel_dir(dir);
        }
        ASSERT_TRUE(cg_prime_useful("/nonexistent-cell-kernel"));
}
