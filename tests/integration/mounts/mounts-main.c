/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* test-mounts CASE: runs one case of test_cases[] (see mounts-lib.h). */

#include <errno.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macros.h"
#include "mounts-lib.h"

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) (flag == FTW_DP ? rmdir(path) : unlink(path));
        return 0;
}

/* A busybox root with a merged /usr: usr/bin/busybox and its applets,
 * bin -> usr/bin, sbin -> usr/bin, and the usual empty directories. */
static void make_root(TestEnv *env) {
        static const char *const dirs[] = { "usr", "usr/bin", "etc", "proc", "sys", "dev", "run", "tmp", "var", "root" };
        static const char *const applets[] = { "sh", "cat", "ls", "echo", "mount", "touch", "stat" };
        char *p, *q;

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                p = path_join(env->root, dirs[i]);
                make_dir(p);
                free(p);
        }
        p = path_join(env->root, "usr/bin/busybox");
        q = NULL;
        CHECK(asprintf(&q, "cp /bin/busybox %s", p) >= 0);
        CHECK(system(q) == 0);
        free(q);
        free(p);
        for (size_t i = 0; i < ELEMENTSOF(applets); i++) {
                p = path_join(env->root, "usr/bin");
                q = path_join(p, applets[i]);
                make_link("busybox", q);
                free(q);
                free(p);
        }
        p = path_join(env->root, "bin");
        make_link("usr/bin", p);
        free(p);
        p = path_join(env->root, "sbin");
        make_link("usr/bin", p);
        free(p);
        p = path_join(env->root, "etc/passwd");
        write_file(p, "root:x:0:0:root:/root:/bin/sh\n");
        free(p);

        make_dir(env->host);
        p = path_join(env->host, "srcdir");
        make_dir(p);
        free(p);
        p = path_join(env->host, "srcdir/MARKER-cell-mounts");
        write_file(p, "marker\n");
        free(p);
        p = path_join(env->host, "srcfile");
        write_file(p, "srcfile\n");
        free(p);
        p = path_join(env->host, "hostfile");
        write_file(p, "host secret\n");
        free(p);
}

static int run_sandbox(const TestCase *tc, TestEnv *env) {
        pid_t pid;
        int status;

        pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
                char *after;

                /* The test's own mount namespace: private towards the host, then
                 * shared inside, so a container that forgot MS_PRIVATE would
                 * leak its mounts into this table (checked below). */
                CHECK(unshare(CLONE_NEWNS) == 0);
                CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
                CHECK(mount(NULL, "/", NULL, MS_REC | MS_SHARED, NULL) == 0);
                env->sandbox_mountinfo = read_file("/proc/self/mountinfo");
                CHECK(env->sandbox_mountinfo);

                tc->run(env);

                after = read_file("/proc/self/mountinfo");
                CHECK(after);
                if (!streq(after, env->sandbox_mountinfo)) {
                        fprintf(stderr, "the sandbox's mount table changed:\n--- before\n%s--- after\n%s",
                                env->sandbox_mountinfo, after);
                        _exit(1);
                }
                free(after);
                free(env->sandbox_mountinfo);
                _exit(0);
        }
        CHECK(waitpid(pid, &status, 0) == pid);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char *argv[]) {
        const TestCase *tc = NULL;
        TestEnv env = {};
        char *host_before, *host_after;
        int r;

        if (argc != 2) {
                fprintf(stderr, "usage: %s CASE\n", argv[0]);
                return 2;
        }
        for (const TestCase *c = test_cases; c->name; c++)
                if (streq(c->name, argv[1]))
                        tc = c;
        if (!tc) {
                fprintf(stderr, "unknown case %s\n", argv[1]);
                return 2;
        }
        if (geteuid() != 0) {
                fprintf(stderr, "not root, skipping\n");
                return 77;
        }

        host_before = read_file("/proc/self/mountinfo");
        CHECK(host_before);

        strcpy(env.base, "/tmp/cell-mounts-XXXXXX");
        CHECK(mkdtemp(env.base));
        (void) snprintf(env.root, sizeof env.root, "%s/root", env.base);
        (void) snprintf(env.host, sizeof env.host, "%s/host", env.base);
        make_dir(env.root);

        /* Root setup runs in a child too: a failed CHECK must not skip the cleanup. */
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
                make_root(&env);
                _exit(0);
        }
        CHECK(waitpid(pid, &r, 0) == pid);
        r = WIFEXITED(r) ? WEXITSTATUS(r) : 1;
        if (r == 0)
                r = run_sandbox(tc, &env);
        if (r == 0 && tc->after) {
                pid = fork();
                CHECK(pid >= 0);
                if (pid == 0) {
                        tc->after(&env);
                        _exit(0);
                }
                CHECK(waitpid(pid, &r, 0) == pid);
                r = WIFEXITED(r) ? WEXITSTATUS(r) : 1;
        }

        /* Cleanup, whatever happened: nothing was ever mounted in this
         * namespace, and FTW_PHYS never follows the planted symlinks. */
        CHECK(nftw(env.base, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) == 0);
        CHECK(access(env.base, F_OK) < 0 && errno == ENOENT);

        host_after = read_file("/proc/self/mountinfo");
        CHECK(host_after);
        if (!streq(host_before, host_after)) {
                fprintf(stderr, "the host's mount table changed\n");
                r = 1;
        }
        free(host_before);
        free(host_after);
        if (r == 0)
                printf("ok %s\n", tc->name);
        return r;
}
