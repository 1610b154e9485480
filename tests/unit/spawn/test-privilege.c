/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/spawn/privilege.c: WorkingDirectory= as the payload and cell exec
 * enter it, on directories made here (the host's own root stands in for
 * the container's). Each test goes back to the cwd it started in. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privilege.h"
#include "test.h"

static char dir[64];
static int here = -EBADF;

static void dir_new(void) {
        snprintf(dir, sizeof dir, "/tmp/test-privilege.XXXXXX");
        ASSERT_NOT_NULL(mkdtemp(dir));
        here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(here >= 0);
}

static void dir_free(void) {
        _cleanup_free_ char *cmd = NULL;

        ASSERT_EQ(fchdir(here), 0);
        here = safe_close(here);
        ASSERT_TRUE(asprintf(&cmd, "rm -rf '%s'", dir) > 0);
        ASSERT_EQ(system(cmd), 0);
}

static const char *cwd(void) {
        static char buf[4096];
        ASSERT_NOT_NULL(getcwd(buf, sizeof buf));
        return buf;
}

/* "~" is the user's home from the container's /etc/passwd, which the unit
 * does not name: a failure says which home, and whose, it was. */
TEST(home_missing_names_the_home) {
        _cleanup_free_ char *missing = NULL, *file = NULL, *want = NULL;
        Identity id = { .user_name = (char *) "nobody" };
        Plan p = { .working_directory = (char *) "~" };
        SpawnError err = {};
        int fd;

        dir_new();
        ASSERT_TRUE(asprintf(&missing, "%s/nonexistent", dir) > 0);
        id.home = missing;
        ASSERT_EQ(privilege_chdir(&p, &id, &err), -ENOENT);
        ASSERT_TRUE(asprintf(&want, "WorkingDirectory=~ (the home of nobody, %s)", missing) > 0);
        ASSERT_STREQ(err.message, want);
        ASSERT_FALSE(err.complete);     /* ": No such file or directory" follows */

        /* Not a directory: the same words, the kernel's errno. */
        ASSERT_TRUE(asprintf(&file, "%s/file", dir) > 0);
        fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        close(fd);
        id.home = file;
        ASSERT_EQ(privilege_chdir(&p, &id, &err), -ENOTDIR);
        free(want);
        ASSERT_TRUE(asprintf(&want, "WorkingDirectory=~ (the home of nobody, %s)", file) > 0);
        ASSERT_STREQ(err.message, want);

        /* "-~", as systemd's: no failure, the container's "/". */
        p.working_directory_missing_ok = true;
        id.home = missing;
        ASSERT_OK(privilege_chdir(&p, &id, &err));
        ASSERT_STREQ(cwd(), "/");
        dir_free();
}

/* A path of the unit's own is named as it wrote it; a home that exists is
 * entered; no home ("/" or none in /etc/passwd) is "/". */
TEST(path_and_home) {
        _cleanup_free_ char *missing = NULL, *want = NULL;
        Identity id = { .user_name = (char *) "test" };
        Plan p = {};
        SpawnError err = {};

        dir_new();
        ASSERT_TRUE(asprintf(&missing, "%s/nosuchdir", dir) > 0);
        p.working_directory = missing;
        ASSERT_EQ(privilege_chdir(&p, &id, &err), -ENOENT);
        ASSERT_TRUE(asprintf(&want, "WorkingDirectory=%s", missing) > 0);
        ASSERT_STREQ(err.message, want);

        p.working_directory = (char *) "~";
        id.home = dir;
        ASSERT_OK(privilege_chdir(&p, &id, &err));
        ASSERT_STREQ(cwd(), dir);
        id.home = NULL;
        ASSERT_OK(privilege_chdir(&p, &id, &err));
        ASSERT_STREQ(cwd(), "/");
        dir_free();
}
