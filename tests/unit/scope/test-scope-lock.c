/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/scope/scope.c: the start's hold on its name (scope_lock_name()), taken
 * before scope_new() and taken over by it, in a runtime directory of the
 * test's own (CELL_RUNTIME_DIR). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macros.h"
#include "name-lock.h"
#include "run-host-made.h"
#include "scope.h"
#include "test.h"

static char *lock_path(const char *dir, const char *name) {
        char *p = NULL;

        ASSERT_TRUE(asprintf(&p, "%s/lock/%s.lock", dir, name) > 0);
        return p;
}

static char *read_text(const char *path) {
        char buf[256] = {};
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return NULL;
        ASSERT_TRUE(read(fd, buf, sizeof buf - 1) >= 0);
        close(fd);
        return strdup(buf);
}

/* Whether another start (another open file description) would find the name
 * held, and by us. */
static bool held_by_us(const char *name) {
        pid_t holder = 0;
        int fd = -EBADF, r;

        r = name_lock_acquire(name, &fd, &holder, NULL);
        if (r >= 0)
                name_lock_release(name, fd);
        return r == -EBUSY && holder == getpid();
}

/* A start's lock is the one its scope holds: the none manager's scope takes
 * it over (no second lock, the file's manager named then), holds it to its
 * end and lets it go with it; nothing is left for the cancel. */
TEST(taken_early_then_taken_over) {
        char *d = test_runtime_dir_new("scope-lock");
        Plan p = { .name = (char *) "web", .scope_unit = (char *) "cell-web.scope" };
        _cleanup_free_ char *path = lock_path(d, "web"), *text = NULL, *want = NULL;
        Scope *s = NULL;

        /* auto: which manager is not known yet, so the file names none. */
        ASSERT_OK(scope_lock_name("web", CGROUP_MANAGER_AUTO, false));
        ASSERT_TRUE(held_by_us("web"));
        text = read_text(path);
        ASSERT_TRUE(asprintf(&want, "%d\n", (int) getpid()) > 0);
        ASSERT_STREQ(text, want);
        ASSERT_EQ(name_lock_holder_manager("web"), _CGROUP_MANAGER_MAX);

        ASSERT_OK(scope_new(&p, CGROUP_MANAGER_NONE, false, NULL, &s));
        ASSERT_TRUE(scope_name_lock_fd(s) >= 0);
        ASSERT_TRUE(held_by_us("web"));
        ASSERT_EQ(name_lock_holder_manager("web"), CGROUP_MANAGER_NONE);
        scope_lock_name_cancel();       /* taken over: nothing to let go of */
        ASSERT_TRUE(held_by_us("web"));
        ASSERT_NULL(scope_free(s));
        ASSERT_TRUE(access(path, F_OK) < 0 && errno == ENOENT);
        test_runtime_dir_free(d);
}

/* A scope_new() that fails gives the lock back to the start, which still
 * holds its name (for another manager's try, or its end); the cancel then
 * lets it go. A scope of another name does not take it. */
TEST(given_back_when_the_scope_fails) {
        char *d = test_runtime_dir_new("scope-lock");
        CellIODevice io = { .kind = CELL_IO_READ_BPS, .path = (char *) "/nonexistent/cell-disk", .value = 1,
                            .file = (char *) "web.cell", .line = 7 };
        Plan p = { .name = (char *) "web", .scope_unit = (char *) "cell-web.scope",
                   .limits = { .io_devices = &io, .n_io_devices = 1 } };
        Plan other = { .name = (char *) "db", .scope_unit = (char *) "cell-db.scope" };
        _cleanup_free_ char *path = lock_path(d, "web");
        Scope *s = NULL;

        ASSERT_OK(scope_lock_name("web", CGROUP_MANAGER_CGROUPFS, false));
        ASSERT_EQ(name_lock_holder_manager("web"), CGROUP_MANAGER_CGROUPFS);
        /* The IO limit's disk is not there: refused before any cgroup is made. */
        ASSERT_ERROR(scope_new(&p, CGROUP_MANAGER_CGROUPFS, false, NULL, &s), ENOENT);
        ASSERT_TRUE(strstr(strempty(scope_last_error(NULL)), "web.cell:7: IOReadBandwidthMax=") != NULL);
        ASSERT_TRUE(held_by_us("web"));

        ASSERT_OK(scope_new(&other, CGROUP_MANAGER_NONE, false, NULL, &s));
        ASSERT_NULL(scope_free(s));
        ASSERT_TRUE(held_by_us("web"));

        scope_lock_name_cancel();
        ASSERT_TRUE(access(path, F_OK) < 0 && errno == ENOENT);
        ASSERT_FALSE(held_by_us("web"));
        test_runtime_dir_free(d);
}

/* The name held by another start (here a child): refused at once, naming
 * it; nothing taken. A --user scope takes none (its names are the user
 * manager's), a --user run without a scope does. */
TEST(refused_while_held) {
        char *d = test_runtime_dir_new("scope-lock");
        _cleanup_free_ char *path = lock_path(d, "web"), *want = NULL;
        int up[2], down[2], status;
        pid_t pid;
        char c;

        ASSERT_OK(pipe2(up, O_CLOEXEC));
        ASSERT_OK(pipe2(down, O_CLOEXEC));
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                if (scope_lock_name("web", CGROUP_MANAGER_NONE, false) < 0 || write(up[1], "x", 1) != 1)
                        _exit(1);
                (void) !read(down[0], &c, 1);
                _exit(0);
        }
        ASSERT_EQ(read(up[0], &c, 1), 1);
        ASSERT_ERROR(scope_lock_name("web", CGROUP_MANAGER_AUTO, false), EEXIST);
        ASSERT_TRUE(asprintf(&want, "cell web is already running (PID %d holds %s)", (int) pid, path) > 0);
        ASSERT_STREQ(scope_last_error(NULL), want);
        scope_lock_name_cancel();       /* nothing was taken */
        ASSERT_EQ(name_lock_holder_manager("web"), CGROUP_MANAGER_NONE);
        ASSERT_OK(scope_lock_name("web", CGROUP_MANAGER_SYSTEMD, true));
        ASSERT_OK(scope_lock_name("web", CGROUP_MANAGER_AUTO, true));
        ASSERT_ERROR(scope_lock_name("web", CGROUP_MANAGER_CGROUPFS, true), EEXIST);
        ASSERT_EQ(write(down[1], "x", 1), 1);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        ASSERT_OK(scope_lock_name("web", CGROUP_MANAGER_NONE, true));
        ASSERT_TRUE(held_by_us("web"));
        scope_lock_name_cancel();
        ASSERT_TRUE(access(path, F_OK) < 0 && errno == ENOENT);
        close(up[0]);
        close(up[1]);
        close(down[0]);
        close(down[1]);
        test_runtime_dir_free(d);
}

/* dir/rel, in one of a few static buffers. */
static const char *at(const char *dir, const char *rel) {
        static char buf[4][PATH_MAX];
        static unsigned n;
        char *b = buf[n++ % ELEMENTSOF(buf)];

        ASSERT_TRUE(snprintf(b, PATH_MAX, "%s/%s", dir, rel) < PATH_MAX);
        return b;
}

/* A socket bound at path, as the child binds the notify socket: closed
 * (stale, as a killed run's), or its fd (live, another container's). */
static int socket_at(const char *path, bool keep) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        ASSERT_TRUE(fd >= 0);
        ASSERT_TRUE(strlen(path) < sizeof sa.sun_path);
        strcpy(sa.sun_path, path);
        ASSERT_OK(bind(fd, (struct sockaddr *) &sa, sizeof sa));
        if (keep)
                return fd;
        close(fd);
        return -EBADF;
}

/* A run killed after it made its container's /run/host in a host directory
 * (run-host-made.h): it noted that in its name's lock (scope_name_note(),
 * before any scope) and removed nothing. Its name's next start takes it
 * back, as "cell stop NAME" does (scope_cgroupfs_take_back(), any manager);
 * where another container's live socket is there since, nothing is removed. */
TEST(killed_run_host_taken_back) {
        char *d = test_runtime_dir_new("scope-lock");
        _cleanup_free_ char *host = NULL, *note = NULL, *line = NULL, *path = lock_path(d, "web");

        ASSERT_TRUE(asprintf(&host, "%s/bound-run", d) > 0);
        ASSERT_TRUE(asprintf(&note, "%u:%s", (unsigned) _RUN_HOST_ALL, host) > 0);
        ASSERT_TRUE(asprintf(&line, RUN_HOST_NOTE " %s\n", note) > 0);
        for (int taker = 0; taker < 3; taker++) {
                _cleanup_free_ char *text = NULL;
                int status = 0, live = -EBADF;
                pid_t pid = fork();

                ASSERT_TRUE(pid >= 0);
                if (pid == 0) {
                        /* The killed run: noted, made, gone without a word. */
                        if (scope_lock_name("web", CGROUP_MANAGER_NONE, false) < 0)
                                _exit(1);
                        scope_name_note(NULL, RUN_HOST_NOTE, note);
                        if (mkdir(host, 0755) < 0 || mkdir(at(host, "credentials"), 0755) < 0)
                                _exit(1);
                        (void) socket_at(at(host, "notify"), false);
                        _exit(0);
                }
                ASSERT_EQ(waitpid(pid, &status, 0), pid);
                ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
                text = read_text(path);
                ASSERT_CONTAINS(text, line);
                if (taker == 2) {
                        /* Another container's since: the stale socket replaced by its live one. */
                        ASSERT_OK(unlink(at(host, "notify")));
                        live = socket_at(at(host, "notify"), true);
                }
                if (taker == 0) {
                        ASSERT_OK(scope_lock_name("web", CGROUP_MANAGER_NONE, false));
                        scope_lock_name_cancel();
                } else
                        ASSERT_OK(scope_cgroupfs_take_back("web", NULL));
                ASSERT_TRUE(access(path, F_OK) < 0 && errno == ENOENT);
                if (taker < 2) {
                        ASSERT_TRUE(access(host, F_OK) < 0 && errno == ENOENT);
                        continue;
                }
                ASSERT_OK(access(at(host, "notify"), F_OK));
                ASSERT_OK(access(at(host, "credentials"), F_OK));
                close(live);
                ASSERT_OK(unlink(at(host, "notify")));
                ASSERT_OK(rmdir(at(host, "credentials")));
                ASSERT_OK(rmdir(host));
        }
        test_runtime_dir_free(d);
}
