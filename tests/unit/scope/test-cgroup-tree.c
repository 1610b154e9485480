/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The subtree walk of src/scope/cgroup-tree.c on an ordinary directory tree
 * standing in for a cgroup subtree (cgroup.procs files written by the test):
 * PIDs found at any depth, symlinks never followed, children removed deepest
 * first, and a depth bound for what a container may have made. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>

#include "cgroup-tree.h"
#include "test.h"

static void write_file(const char *path, const char *text) {
        FILE *f = fopen(path, "we");
        ASSERT_NOT_NULL(f);
        fputs(text, f);
        ASSERT_EQ(fclose(f), 0);
}

static char *make_tmp(void) {
        char *d = strdup("/tmp/cell-cgtree.XXXXXX");
        ASSERT_NOT_NULL(d);
        ASSERT_NOT_NULL(mkdtemp(d));
        return d;
}

static void remove_tree(const char *d) {
        char cmd[PATH_MAX + 16];
        (void) snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
        ASSERT_EQ(system(cmd), 0);
}

TEST(first_pid_at_any_depth) {
        char *d = make_tmp(), p[PATH_MAX];
        int fd;

        (void) snprintf(p, sizeof p, "%s/cgroup.procs", d);
        write_file(p, "");
        (void) snprintf(p, sizeof p, "%s/init.scope", d);
        ASSERT_OK(mkdir(p, 0755));
        (void) snprintf(p, sizeof p, "%s/system.slice", d);
        ASSERT_OK(mkdir(p, 0755));
        (void) snprintf(p, sizeof p, "%s/system.slice/journald.service", d);
        ASSERT_OK(mkdir(p, 0755));
        fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(cg_tree_first_pid(fd), 0);

        (void) snprintf(p, sizeof p, "%s/system.slice/journald.service/cgroup.procs", d);
        write_file(p, "4242\n4243\n");
        ASSERT_EQ(cg_tree_first_pid(fd), 4242);

        close(fd);
        remove_tree(d);
        free(d);
}

TEST(symlinks_are_not_followed) {
        char *d = make_tmp(), *outside = make_tmp(), p[PATH_MAX];
        int fd;

        (void) snprintf(p, sizeof p, "%s/cgroup.procs", outside);
        write_file(p, "777\n");
        (void) snprintf(p, sizeof p, "%s/link", d);
        ASSERT_OK(symlink(outside, p));
        fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(cg_tree_first_pid(fd), 0);
        /* The kill walk lists nothing either: no PID outside the tree. */
        ASSERT_EQ(cg_tree_signal(fd, SIGKILL, 0), 0);
        close(fd);
        remove_tree(d);
        remove_tree(outside);
        free(d);
        free(outside);
}

TEST(trim_removes_children_deepest_first) {
        char *d = make_tmp(), p[PATH_MAX];
        struct stat st;
        int fd;

        for (const char *sub = "a\0a/b\0a/b/c\0d\0"; *sub; sub += strlen(sub) + 1) {
                (void) snprintf(p, sizeof p, "%s/%s", d, sub);
                ASSERT_OK(mkdir(p, 0755));
        }
        fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(cg_tree_trim(fd));
        (void) snprintf(p, sizeof p, "%s/a", d);
        ASSERT_ERROR(stat(p, &st) < 0 ? -errno : 0, ENOENT);
        (void) snprintf(p, sizeof p, "%s/d", d);
        ASSERT_ERROR(stat(p, &st) < 0 ? -errno : 0, ENOENT);
        /* The top stays: the caller removes it. */
        ASSERT_OK(stat(d, &st));
        close(fd);
        ASSERT_OK(rmdir(d));
        free(d);
}

TEST(trim_is_bounded) {
        char *d = make_tmp();
        int fd, dirfd;

        /* CG_TREE_DEPTH_MAX + 8 levels, made relative to keep paths short. */
        dirfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(dirfd >= 0);
        for (unsigned i = 0; i < CG_TREE_DEPTH_MAX + 8; i++) {
                int next;
                ASSERT_OK(mkdirat(dirfd, "x", 0755));
                next = openat(dirfd, "x", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                ASSERT_TRUE(next >= 0);
                close(dirfd);
                dirfd = next;
        }
        close(dirfd);
        fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_TRUE(cg_tree_trim(fd) < 0);
        close(fd);
        remove_tree(d);
        free(d);
}
