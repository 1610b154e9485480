/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Walks a cgroup subtree through directory fds only: the names below the
 * container's cgroup are the container's choice, so nothing is followed
 * but real directories (cgroupfs has no symlinks, O_NOFOLLOW makes sure)
 * and the depth is bounded. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup-tree.h"
#include "cgroup-util.h"
#include "fs-util.h"
#include "macros.h"

/* Calls visit(fd, userdata) on dirfd, then on every cgroup below it,
 * depth-first; with trim, removes each child after its own subtree. Stops
 * at the first visit() that returns non-zero and returns that. */
static int walk(int dirfd, unsigned depth, bool trim, int (*visit)(int fd, void *userdata), void *userdata) {
        DIR *d;
        int r = 0, first_error = 0;

        if (visit) {
                r = visit(dirfd, userdata);
                if (r != 0)
                        return r;
        }
        if (depth >= CG_TREE_DEPTH_MAX)
                return trim ? -ELOOP : 0;

        /* The caller keeps dirfd. */
        d = opendir_at(dirfd, ".");
        if (!d)
                return -errno;

        for (struct dirent *de; (de = readdir(d)); ) {
                _cleanup_close_ int child = -EBADF;

                if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                child = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (child < 0) {
                        if (errno != ENOENT && first_error == 0)
                                first_error = -errno;
                        continue;
                }
                r = walk(child, depth + 1, trim, visit, userdata);
                if (r != 0 && !trim)
                        break;
                if (r < 0 && first_error == 0)
                        first_error = r;
                child = safe_close(child);
                if (trim && unlinkat(dirfd, de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT && first_error == 0)
                        first_error = -errno;
                r = 0;
        }
        closedir(d);
        return r != 0 ? r : first_error;
}

static int visit_first_pid(int fd, void *userdata) {
        _cleanup_free_ char *procs = NULL;
        long pid;

        if (cg_read(fd, "cgroup.procs", &procs) < 0)
                return 0;
        pid = strtol(procs, NULL, 10);
        if (pid <= 0)
                return 0;
        *(pid_t *) userdata = (pid_t) pid;
        return 1;
}

pid_t cg_tree_first_pid(int dirfd) {
        pid_t pid = 0;
        int r;

        r = walk(dirfd, 0, false, visit_first_pid, &pid);
        return r < 0 ? r : pid;
}

typedef struct SignalVisit {
        int sig;
        pid_t except;
        int n;
} SignalVisit;

static int visit_signal(int fd, void *userdata) {
        _cleanup_free_ char *procs = NULL;
        SignalVisit *v = userdata;

        if (cg_read(fd, "cgroup.procs", &procs) < 0)
                return 0;
        for (char *p = procs; *p; ) {
                char *e;
                long pid = strtol(p, &e, 10);
                int pidfd;

                if (e == p)
                        break;
                p = *e ? e + 1 : e;
                if (pid <= 0)
                        continue;
                v->n++;
                if (pid == v->except)
                        continue;
                /* Only a member of the container's cgroup, i.e. something
                 * cell started; the pidfd pins it, so a PID recycled since
                 * the read is not hit. */
                pidfd = (int) syscall(SYS_pidfd_open, (pid_t) pid, 0);
                if (pidfd >= 0) {
                        (void) syscall(SYS_pidfd_send_signal, pidfd, v->sig, NULL, 0);
                        safe_close(pidfd);
                } else if (errno == ENOSYS)
                        (void) kill((pid_t) pid, v->sig);
        }
        return 0;
}

int cg_tree_signal(int dirfd, int sig, pid_t except) {
        SignalVisit v = { .sig = sig, .except = except };

        (void) walk(dirfd, 0, false, visit_signal, &v);
        return v.n;
}

int cg_tree_trim(int dirfd) {
        return walk(dirfd, 0, true, NULL, NULL);
}
