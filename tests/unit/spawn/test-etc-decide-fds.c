/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* etc_file_decide() at few fds ("cell run" under a low RLIMIT_NOFILE). The
 * root comes as the caller's own fd ("/proc/self/fd/N", run_root_path()):
 * used as is, not opened again, which took the last fd and named the
 * directory "/proc/self/fd/N". And a look into the image that fails for want
 * of an fd fails the decision, naming that step, rather than pass for "no
 * such file" or "no link there". */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mount-etc.h"
#include "test.h"

/* fn with room for n more fds than are open now. */
static int decide_with_fds(PlanEtcFile *f, const char *root, SpawnError *note, int n) {
        TestNofile old = test_nofile_room(n);
        int r = etc_file_decide(f, root, note);

        test_nofile_restore(old);
        return r;
}

TEST(root_fd_used_as_is) {
        const char *tmpdir = getenv("TMPDIR");
        char dir[PATH_MAX], host[PATH_MAX + 16], etc[PATH_MAX + 16], link[PATH_MAX + 32], root[64];
        SpawnError note = {};
        PlanEtcFile f;
        int fd, root_fd;

        /* An image whose /etc/resolv.conf is a link: auto leaves it alone. */
        (void) snprintf(dir, sizeof dir, "%s/cell-test-etc-fds.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
        ASSERT_NOT_NULL(mkdtemp(dir));
        (void) snprintf(host, sizeof host, "%s/host", dir);
        (void) snprintf(etc, sizeof etc, "%s/etc", dir);
        (void) snprintf(link, sizeof link, "%s/resolv.conf", etc);
        ASSERT_OK(mkdir(etc, 0755) < 0 ? -errno : 0);
        fd = open(host, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        close(fd);
        ASSERT_OK(symlink("../run/resolv.conf", link) < 0 ? -errno : 0);
        root_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(root_fd >= 0);
        (void) snprintf(root, sizeof root, "/proc/self/fd/%d", root_fd);

        /* One fd to spare is enough to look: the link is seen. */
        f = (PlanEtcFile) { .key = "ResolvConf", .setting = "auto", .target = "/etc/resolv.conf",
                            .mode = PLAN_ETC_BIND, .automatic = true, .sources = { host } };
        ASSERT_EQ(decide_with_fds(&f, root, &note, 1), 1);
        ASSERT_STREQ(note.message, "ResolvConf=auto: a symlink in the image: /etc/resolv.conf, left as the "
                     "image has it");
        ASSERT_EQ(f.mode, PLAN_ETC_OFF);
        free(f.source);

        /* None: the look into the image fails, named, not the root's "/proc/self/fd/N". */
        f = (PlanEtcFile) { .key = "ResolvConf", .setting = "auto", .target = "/etc/resolv.conf",
                            .mode = PLAN_ETC_BIND, .automatic = true, .sources = { host } };
        note = (SpawnError) {};
        ASSERT_ERROR(decide_with_fds(&f, root, &note, 0), EMFILE);
        ASSERT_STREQ(note.message, "ResolvConf=auto: looking up /etc/resolv.conf in the container");
        free(f.source);

        /* A path of no fd of ours is opened, as ever. */
        f = (PlanEtcFile) { .key = "ResolvConf", .setting = "auto", .target = "/etc/resolv.conf",
                            .mode = PLAN_ETC_BIND, .automatic = true, .sources = { host } };
        note = (SpawnError) {};
        ASSERT_EQ(etc_file_decide(&f, dir, &note), 1);
        ASSERT_EQ(f.mode, PLAN_ETC_OFF);
        free(f.source);
        f = (PlanEtcFile) { .key = "ResolvConf", .setting = "auto", .target = "/etc/resolv.conf",
                            .mode = PLAN_ETC_BIND, .automatic = true, .sources = { host } };
        note = (SpawnError) {};
        ASSERT_ERROR(etc_file_decide(&f, "/proc/self/fd/999999", &note), ENOENT);
        ASSERT_STREQ(note.message, "Directory=/proc/self/fd/999999: cannot open");
        free(f.source);

        close(root_fd);
        ASSERT_OK(unlink(link) < 0 ? -errno : 0);
        ASSERT_OK(rmdir(etc) < 0 ? -errno : 0);
        ASSERT_OK(unlink(host) < 0 ? -errno : 0);
        ASSERT_OK(rmdir(dir) < 0 ? -errno : 0);
}
