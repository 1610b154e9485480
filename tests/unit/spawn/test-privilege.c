/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/spawn/privilege.c: WorkingDirectory= as the payload and cell exec
 * enter it, on directories made here (the host's own root stands in for
 * the container's). Each test goes back to the cwd it started in. And what
 * of the caller's is left behind: its session keyring, its audit login
 * UID (each in a child of its own). */
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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

static long session_keyring(void) {
        return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 1, 0, 0);
}

/* The caller's session keyring (a login's, named here) is not what the
 * command execs with: a new one, as systemd's KeyringMode=private. */
TEST(session_keyring_is_new) {
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                SpawnError err = {};
                long caller, after;

                caller = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "test-privilege-caller", 0, 0, 0);
                if (caller < 0)
                        _exit(TEST_SKIP);       /* no keyrings here (or a filter refuses them) */
                if (privilege_session_keyring(&err) < 0)
                        _exit(2);
                after = session_keyring();
                _exit(after > 0 && after != caller && session_keyring() == after ? 0 : 3);
        }
        (void) test_child_ran(pid, "no session keyrings here");
}

static int loginuid_write(const char *v) {
        _cleanup_close_ int fd = open("/proc/self/loginuid", O_WRONLY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        return write(fd, v, strlen(v)) == (ssize_t) strlen(v) ? 0 : -errno;
}

static int loginuid_read(char buf[static 16]) {
        _cleanup_close_ int fd = open("/proc/self/loginuid", O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return -errno;
        n = read(fd, buf, 15);
        if (n < 0)
                return -errno;
        buf[n] = 0;
        return 0;
}

/* CAP_AUDIT_CONTROL (30) in our effective set. */
static bool has_audit_control(void) {
        FILE *f = fopen("/proc/self/status", "re");
        char line[256];
        unsigned long long eff = 0;

        while (f && fgets(line, sizeof line, f))
                if (sscanf(line, "CapEff: %llx", &eff) == 1)
                        break;
        if (f)
                fclose(f);
        return eff & (1ULL << 30);
}

/* A login's audit UID (as an admin's shell has it) is not the payload's:
 * unset where the kernel lets us; where it does not, said so, not failed. */
TEST(loginuid_reset) {
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                SpawnError err = {};
                char now[16];
                int r;

                /* Root may set it (once, or again with CAP_AUDIT_CONTROL). */
                if (loginuid_write("1000") < 0 || loginuid_read(now) < 0 || strcmp(now, "1000") != 0)
                        _exit(TEST_SKIP);
                r = privilege_reset_loginuid(&err);
                if (r < 0 || loginuid_read(now) < 0)
                        _exit(2);
                /* Without CAP_AUDIT_CONTROL (anyone may set an unset one) it stays, said so. */
                if (!has_audit_control())
                        _exit(r == 1 && strcmp(now, "1000") == 0 ? TEST_SKIP : 3);
                _exit(r == 0 && strcmp(now, "4294967295") == 0 ? 0 : 4);
        }
        (void) test_child_ran_part(pid, "no audit login UID to set here, or no CAP_AUDIT_CONTROL to unset it");

        /* Unset already: nothing to do, nothing kept. */
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                SpawnError err = {};
                char now[16];

                if (loginuid_read(now) < 0 || strcmp(now, "4294967295") != 0)
                        _exit(TEST_SKIP);
                _exit(privilege_reset_loginuid(&err) == 0 ? 0 : 2);
        }
        (void) test_child_ran_part(pid, "this process has an audit login UID");
}
