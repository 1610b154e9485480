/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cgroup2's no-internal-process rule (src/scope/cgroup-leaf.c), for real:
 * needs root and a writable cgroup2 tree, and skips without them. Each body
 * runs in a child process that makes "cell-leaftest-PID" below the cgroup2
 * dir it runs in and moves itself there (standing for cell's own cgroup);
 * the parent removes whatever is left, killing only processes in it. */

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cgroup-fixture.h"
#include "cgroup-util.h"
#include "scope-internal.h"
#include "test.h"

static char own[512];           /* the test's stand-in for cell's own cgroup */

/* The cgroup2 dir we are in, or NULL without a cgroup2 mount. */
static char *v2_dir(void) {
        char *path = NULL;
        return cg_v2_dir_of(0, &path) >= 0 ? path : NULL;
}

static bool exists(const char *dir, const char *name) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        return access(path, F_OK) >= 0;
}

static char *self_cgroup(void) {
        CgroupMembership *m = NULL;
        size_t n = 0;
        ASSERT_OK(cg_read_membership(0, &m, &n));
        const char *v2 = cg_membership_path(m, n, NULL);
        ASSERT_NOT_NULL(v2);
        char *r = strdup(v2);
        cg_membership_free(m, n);
        return r;
}

static void enter_own(void) {
        char pid[32];
        _cleanup_close_ int fd = open(own, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        snprintf(pid, sizeof pid, "%d", (int) getpid());
        ASSERT_OK(cg_write(fd, "cgroup.procs", pid));
}

/* Alone: into the leaf and back, the leaf removed; an available controller
 * can be enabled only once cell is out of the way. */
static void alone(void) {
        Scope s = {};
        char *leaf = NULL, *before, *in, leaf_name[64];
        _cleanup_close_ int fd = -EBADF;

        enter_own();
        before = self_cgroup();
        fd = open(own, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);

        char *avail = fixture_read(own, "cgroup.controllers"), ctl[32] = "", op[40];
        if (avail && *avail) {
                snprintf(ctl, sizeof ctl, "%.*s", (int) strcspn(avail, " "), avail);
                snprintf(op, sizeof op, "+%s", ctl);
                /* The rule itself: not while we are in there. */
                ASSERT_ERROR(cg_write(fd, "cgroup.subtree_control", op), EBUSY);
        }

        ASSERT_OK(scope_leaf_enter(&s, own, fd, &leaf));
        snprintf(leaf_name, sizeof leaf_name, "cell.supervisor-%d", (int) getpid());
        ASSERT_TRUE(endswith(leaf, leaf_name));
        in = self_cgroup();
        ASSERT_TRUE(endswith(in, leaf_name));
        ASSERT_TRUE(startswith(in, before));
        if (*ctl) {
                ASSERT_OK(cg_write(fd, "cgroup.subtree_control", op));
                /* Not one leaf_leave() turns off: the test does. */
                if (!strstr("cpuset cpu io memory pids", ctl)) {
                        snprintf(op, sizeof op, "-%s", ctl);
                        ASSERT_OK(cg_write(fd, "cgroup.subtree_control", op));
                }
        }

        scope_leaf_leave(own, leaf);
        char *after = self_cgroup();
        ASSERT_STREQ(after, before);            /* back where it was, never elsewhere */
        ASSERT_FALSE(exists(own, leaf_name));
        char *enabled = fixture_read(own, "cgroup.subtree_control");
        ASSERT_STREQ(enabled, "");              /* as it was found */

        free(avail);
        free(enabled);
        free(after);
        free(in);
        free(before);
        free(leaf);
        free(s.error);
}

/* Another process in the cgroup: refused, with why and what to do; nothing moved. */
static void not_alone(void) {
        Scope s = {};
        char *leaf = NULL, want[64];
        _cleanup_close_ int fd = -EBADF;

        enter_own();
        pid_t other = fork();
        ASSERT_TRUE(other >= 0);
        if (other == 0) {
                pause();
                _exit(0);
        }
        char *before = self_cgroup();
        fd = open(own, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_ERROR(scope_leaf_enter(&s, own, fd, &leaf), EBUSY);
        ASSERT_NULL(leaf);
        snprintf(want, sizeof want, "(PID %d)", (int) other);
        ASSERT_CONTAINS(s.error, want);
        ASSERT_CONTAINS(s.error, "cgroup of its own");
        char *after = self_cgroup();
        ASSERT_STREQ(after, before);
        snprintf(want, sizeof want, "cell.supervisor-%d", (int) getpid());
        ASSERT_FALSE(exists(own, want));

        kill(other, SIGKILL);
        ASSERT_EQ(waitpid(other, NULL, 0), other);
        free(after);
        free(before);
        free(s.error);
}

/* Two cells from one cgroup: each its own leaf. The first out cannot go back
 * while the other runs: its leaf stays (empty), and the last one out removes
 * it with its own. */
static void two_cells(void) {
        Scope s = {};
        char *leaf = NULL, mine[64], theirs[64], path[1024];
        _cleanup_close_ int fd = -EBADF;
        int go[2];

        enter_own();
        fd = open(own, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(scope_leaf_enter(&s, own, fd, &leaf));
        snprintf(mine, sizeof mine, "cell.supervisor-%d", (int) getpid());

        /* "Another cell" running in a leaf beside ours (born in ours, moved there). */
        ASSERT_OK(pipe2(go, O_CLOEXEC));
        pid_t other = fork();
        ASSERT_TRUE(other >= 0);
        if (other == 0) {
                char c;
                (void) !read(go[0], &c, 1);
                _exit(0);
        }
        snprintf(theirs, sizeof theirs, "cell.supervisor-%d", (int) other);
        snprintf(path, sizeof path, "%s/%s", own, theirs);
        ASSERT_OK(mkdir(path, 0755));
        char pid[32];
        snprintf(pid, sizeof pid, "%d", (int) other);
        ASSERT_OK(cg_write(AT_FDCWD, strcat(path, "/cgroup.procs"), pid));

        char *before = self_cgroup();
        scope_leaf_leave(own, leaf);
        char *after = self_cgroup();
        ASSERT_STREQ(after, before);            /* stayed in its leaf */
        ASSERT_TRUE(exists(own, mine));
        ASSERT_TRUE(exists(own, theirs));       /* a running cell's leaf is never touched */

        /* The other one exits; its leaf is left empty like ours... */
        ASSERT_EQ(write(go[1], "x", 1), 1);
        ASSERT_EQ(waitpid(other, NULL, 0), other);
        /* ... and whoever leaves last takes every empty leaf along (here: us, again). */
        for (int i = 0; i < 1000 && exists(own, theirs); i++) {       /* 10 s: a loaded host */
                scope_leaf_leave(own, leaf);
                if (exists(own, theirs))
                        usleep(10000);  /* the exit is still being accounted */
        }
        ASSERT_FALSE(exists(own, theirs));
        ASSERT_FALSE(exists(own, mine));
        char *back = self_cgroup();
        ASSERT_TRUE(strlen(before) > strlen(mine) + 1);
        before[strlen(before) - strlen(mine) - 1] = 0;   /* our own cgroup, the leaf's parent */
        ASSERT_STREQ(back, before);

        close(go[0]);
        close(go[1]);
        free(back);
        free(after);
        free(before);
        free(leaf);
        free(s.error);
}

static void cleanup_own(void) {
        /* Leaves first (deepest), then own; kill only what is in them. */
        for (int round = 0; round < 100; round++) {
                fixture_kill_procs(own);
                char cmd[1100];
                snprintf(cmd, sizeof cmd, "find '%s' -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null", own);
                (void) !system(cmd);
                if (rmdir(own) >= 0 || errno == ENOENT)
                        return;
                usleep(10000);
        }
}

static void run_isolated(void (*body)(void)) {
        char *base = v2_dir();
        if (geteuid() != 0 || !base) {
                test_skip("needs root and a cgroup2 tree");
                free(base);
                return;
        }
        snprintf(own, sizeof own, "%s/cell-leaftest-%d", base, (int) getpid());
        free(base);
        if (mkdir(own, 0755) < 0) {
                test_skip("cannot create %s: %m", own);
                return;
        }
        fixture_run(body, cleanup_own);
}

TEST(leaf_alone_in_and_back) {
        run_isolated(alone);
}

TEST(leaf_refused_with_other_processes) {
        run_isolated(not_alone);
}

TEST(leaf_two_cells_last_out_cleans) {
        run_isolated(two_cells);
}
