/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/spawn/spawn-run-host.c (and src/basic/run-host-made.c): where the container's /run/host is on the
 * host, what of it a start makes there, and its removal, on directories
 * made here (no root needed). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "spawn-run-host.h"
#include "test.h"

static char dir[64];

static void dir_new(void) {
        snprintf(dir, sizeof dir, "/tmp/test-spawn-run-host.XXXXXX");
        ASSERT_NOT_NULL(mkdtemp(dir));
}

static void dir_free(void) {
        _cleanup_free_ char *cmd = NULL;
        ASSERT_TRUE(asprintf(&cmd, "rm -rf '%s'", dir) > 0);
        ASSERT_EQ(system(cmd), 0);
}

static char *path_of(const char *rel) {
        char *p = NULL;
        ASSERT_TRUE(asprintf(&p, "%s/%s", dir, rel) > 0);
        return p;
}

/* A socket bound at path, as the child binds the notify socket. */
static void socket_at(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        ASSERT_TRUE(fd >= 0);
        ASSERT_TRUE(strlen(path) < sizeof sa.sun_path);
        strcpy(sa.sun_path, path);
        ASSERT_OK(bind(fd, (struct sockaddr *) &sa, sizeof sa));
        close(fd);
}

static char *path_for(const PlanMount *m, size_t n) {
        Plan p = { .mounts = (PlanMount *) m, .n_mounts = n };
        char *r = NULL;

        ASSERT_OK(run_host_path(&p, &r));
        return r;
}

TEST(path) {
        const PlanMount tmpfs = { .kind = PLAN_MOUNT_FS, .source = (char *) "tmpfs", .target = (char *) "/run" };
        const PlanMount run = { .kind = PLAN_MOUNT_BIND, .source = (char *) "/srv/run", .target = (char *) "/run" };
        const PlanMount run_slash = { .kind = PLAN_MOUNT_BIND, .source = (char *) "/srv/run/",
                                      .target = (char *) "/run/" };
        const PlanMount host = { .kind = PLAN_MOUNT_BIND, .source = (char *) "/srv/h", .target = (char *) "/run/host" };
        const PlanMount in_root = { .kind = PLAN_MOUNT_BIND, .source = (char *) "/var/run", .target = (char *) "/run",
                                    .source_in_root = true };
        const PlanMount ro = { .kind = PLAN_MOUNT_READ_ONLY, .target = (char *) "/run" };
        const PlanMount other = { .kind = PLAN_MOUNT_BIND, .source = (char *) "/srv/x", .target = (char *) "/run/x" };
        char *r;

        /* cell's own tmpfs on /run: nothing on the host. */
        ASSERT_NULL(path_for(&tmpfs, 1));
        ASSERT_NULL(path_for((const PlanMount[]) { tmpfs, other }, 2));
        ASSERT_NULL(path_for((const PlanMount[]) { tmpfs, in_root }, 2));
        /* A host directory at /run: its "host". */
        ASSERT_STREQ(r = path_for((const PlanMount[]) { tmpfs, run, ro, other }, 4), "/srv/run/host");
        free(r);
        ASSERT_STREQ(r = path_for(&run_slash, 1), "/srv/run/host");
        free(r);
        /* At /run/host: the directory itself, also below a bound /run. */
        ASSERT_STREQ(r = path_for((const PlanMount[]) { tmpfs, run, host }, 3), "/srv/h");
        free(r);
        /* The last mount there counts. */
        ASSERT_NULL(path_for((const PlanMount[]) { run, tmpfs }, 2));
}

TEST(absent_and_remove) {
        _cleanup_free_ char *host = NULL, *notify = NULL, *creds = NULL, *left = NULL;

        dir_new();
        host = path_of("host");
        notify = path_of("host/notify");
        creds = path_of("host/credentials");
        left = path_of("host/left");

        /* No parent: nothing would be made. */
        ASSERT_EQ(run_host_absent("/nonexistent/dir/host"), 0u);

        /* None of it: all of it, made and removed again. */
        ASSERT_EQ(run_host_absent(host), (unsigned) _RUN_HOST_ALL);
        ASSERT_OK(mkdir(host, 0755));
        socket_at(notify);
        ASSERT_OK(mkdir(creds, 0755));
        run_host_remove(host, _RUN_HOST_ALL);
        ASSERT_TRUE(access(host, F_OK) < 0 && errno == ENOENT);

        /* The directory there before: it stays, what was made goes. */
        ASSERT_OK(mkdir(host, 0755));
        ASSERT_EQ(run_host_absent(host), (unsigned) (RUN_HOST_NOTIFY | RUN_HOST_CREDENTIALS));
        socket_at(notify);
        ASSERT_OK(mkdir(creds, 0755));
        run_host_remove(host, RUN_HOST_NOTIFY | RUN_HOST_CREDENTIALS);
        ASSERT_OK(access(host, F_OK));
        ASSERT_TRUE(access(notify, F_OK) < 0 && access(creds, F_OK) < 0);

        /* What was there before stays: the socket too. */
        socket_at(notify);
        ASSERT_EQ(run_host_absent(host), (unsigned) RUN_HOST_CREDENTIALS);
        run_host_remove(host, RUN_HOST_CREDENTIALS);
        ASSERT_OK(access(notify, F_OK));
        ASSERT_OK(unlink(notify));

        /* What the payload left: the directory stays with it; a file named
         * "notify" is no socket of ours; a credentials directory with
         * something in it stays. */
        ASSERT_OK(rmdir(host));
        ASSERT_OK(mkdir(host, 0755));
        ASSERT_OK(mkdir(creds, 0755));
        ASSERT_OK(mknodat(AT_FDCWD, left, S_IFREG | 0644, 0));
        ASSERT_OK(mknodat(AT_FDCWD, notify, S_IFREG | 0644, 0));
        run_host_remove(host, _RUN_HOST_ALL);
        ASSERT_OK(access(left, F_OK));
        ASSERT_OK(access(notify, F_OK));
        ASSERT_TRUE(access(creds, F_OK) < 0);

        /* A link in the directory's place is not followed. */
        ASSERT_OK(unlink(left));
        ASSERT_OK(unlink(notify));
        ASSERT_OK(rmdir(host));
        ASSERT_OK(symlink("/tmp", host));
        run_host_remove(host, _RUN_HOST_ALL);
        ASSERT_OK(access(host, F_OK));
        dir_free();
}

TEST(format_parse) {
        _cleanup_free_ char *t = NULL, *p = NULL;
        unsigned a = 0;

        ASSERT_OK(run_host_format("/srv/run/host", RUN_HOST_NOTIFY | RUN_HOST_CREDENTIALS, &t));
        ASSERT_STREQ(t, "6:/srv/run/host");
        ASSERT_OK(run_host_parse(t, &p, &a));
        ASSERT_STREQ(p, "/srv/run/host");
        ASSERT_EQ(a, (unsigned) (RUN_HOST_NOTIFY | RUN_HOST_CREDENTIALS));
        ASSERT_ERROR(run_host_parse("0:/x", &p, &a), EINVAL);
        ASSERT_ERROR(run_host_parse("8:/x", &p, &a), EINVAL);
        ASSERT_ERROR(run_host_parse("1:x", &p, &a), EINVAL);
        ASSERT_ERROR(run_host_parse("1/x", &p, &a), EINVAL);
        ASSERT_ERROR(run_host_parse(":/x", &p, &a), EINVAL);
}
