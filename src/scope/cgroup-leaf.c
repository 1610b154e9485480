/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* cgroup2's "no internal processes" rule, for the cgroupfs manager.
 *
 * A non-root cgroup that has processes of its own cannot enable domain
 * controllers (memory, io) for its children. cell starts in its own cgroup
 * (a "systemd-run --scope", a Delegate=yes service), so to put the container
 * into a child with limits it first moves itself into a leaf beside it:
 *
 *   <own>/                       subtree_control: +memory +pids +cpu ...
 *   <own>/cell.supervisor-PID/   cell itself
 *   <own>/cell-NAME/             the payload, with its limits
 *
 * Only when cell is alone there: any other process of that cgroup would be
 * taken out of the place its own supervisor put it (and could not stay, once
 * the controllers are on), so then cell refuses and says why. One leaf per
 * cell ("cell." never begins a container's "cell-NAME"): two cells that
 * started in the same cgroup each move into their own.
 *
 * On exit cell puts things back as it found them: when no other child is
 * left it turns the controllers off again, moves itself back into its own
 * cgroup (never out of it) and removes its leaf. While another cell still
 * runs beside it that cannot be done (the controllers are that cell's too):
 * the leaf stays, empty, and the last cell out removes it; should a cell be
 * SIGKILLed, systemd removes the leaf with the unit's cgroup. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup-leftover.h"
#include "cgroup-util.h"
#include "fs-util.h"
#include "log.h"
#include "name-lock.h"
#include "scope-cgroupfs.h"

#define LEAF_PREFIX "cell.supervisor-"

/* The controllers the cgroupfs manager enables (scope-cgroupfs.c setup_v2). */
static const char * const leaf_controllers[] = { "cpuset", "cpu", "io", "memory", "pids" };

/* The PIDs in cgroup.procs other than ours, as text ("12, 34, ..."), or NULL when none. */
static int other_pids(int dirfd, char **ret) {
        _cleanup_free_ char *procs = NULL, *text = NULL;
        size_t len = 0;
        unsigned n = 0;
        int r;

        r = cg_read(dirfd, "cgroup.procs", &procs);
        if (r < 0)
                return r;
        for (char *p = procs; *p; ) {
                char *e;
                long pid = strtol(p, &e, 10);
                if (e == p)
                        break;
                p = *e ? e + 1 : e;
                if (pid <= 0 || pid == (long) getpid())
                        continue;
                if (++n > 4)
                        continue;               /* a few name the case; the count says the rest */
                char item[32];
                int k = snprintf(item, sizeof item, "%s%ld", len ? ", " : "", pid);
                char *t = realloc(text, len + k + 1);
                if (!t)
                        return -ENOMEM;
                text = t;
                memcpy(text + len, item, k + 1);
                len += k;
        }
        if (n > 4) {
                char *t = NULL;
                if (asprintf(&t, "%s and %u more", text, n - 4) < 0)
                        return -ENOMEM;
                free(text);
                text = t;
        }
        *ret = TAKE_PTR(text);
        return (int) n;
}

bool scope_leaf_tasks_default(const char *own, int own_fd, bool leaf_anyway) {
        _cleanup_free_ char *avail = NULL, *others = NULL;

        if (cg_read(own_fd, "cgroup.controllers", &avail) < 0 || !cg_list_has(avail, "pids")) {
                log_debug("No default TasksMax= for the container: %s has no pids controller.", own);
                return false;
        }
        if (!leaf_anyway && faccessat(own_fd, "cgroup.type", F_OK, 0) >= 0 && other_pids(own_fd, &others) != 0) {
                log_debug("No default TasksMax= for the container: cell's cgroup %s holds other processes.", own);
                return false;
        }
        return true;
}

int scope_leaf_enter(Scope *s, const char *own, int own_fd, char **ret_leaf) {
        _cleanup_free_ char *others = NULL, *leaf = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        r = other_pids(own_fd, &others);
        if (r < 0)
                return scope_set_error(s, r, "cannot read %s/cgroup.procs: %s", own, strerror(-r));
        if (r > 0)
                return scope_set_error(s, -EBUSY,
                                       "cannot apply the limits: cell's cgroup %s also holds other processes "
                                       "(PID %s), and cgroup2 enables no controllers below a cgroup that has "
                                       "processes of its own. Run cell in a cgroup of its own, e.g. "
                                       "\"systemd-run --scope -p Delegate=yes cell run ...\" or a service with "
                                       "Delegate=yes whose cgroup holds cell alone", own, others);

        if (asprintf(&leaf, "%s/" LEAF_PREFIX "%d", own, (int) getpid()) < 0)
                return -ENOMEM;
        name_lock_note(s->fs ? s->fs->lock_fd : -EBADF, CGROUP_NOTE_LEAF, leaf);
        /* A second try: an empty leftover of a killed cell that had our PID
         * (EEXIST: ours now) may be taken back by another cell in between
         * (cgroup-leftover.c: ENOENT, or ENODEV once removed). */
        for (int attempt = 0; attempt < 2; attempt++) {
                if (mkdir(leaf, 0755) < 0 && errno != EEXIST) {
                        r = negative_errno();
                        return scope_cgroupfs_mkdir_error(s, r, leaf);
                }
                fd = safe_close(fd);
                fd = open(leaf, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
                /* "0": the writing process, i.e. cell with all its threads. */
                r = fd < 0 ? negative_errno() : cg_write(fd, "cgroup.procs", "0");
                if (r != -ENOENT && r != -ENODEV)
                        break;
        }
        if (r < 0) {
                (void) rmdir(leaf);
                /* Threaded controllers (cpu, cpuset, pids) on in a cgroup that has
                 * processes make it a thread root: no cgroup below it may hold any. */
                if (r == -EOPNOTSUPP)
                        return scope_set_error(s, r, "cannot move cell into cgroup %s: %s has controllers on in its "
                                               "cgroup.subtree_control while it holds processes (cell), which makes it "
                                               "a thread root in cgroup2, below which no cgroup may hold processes; "
                                               "turn them off there or run cell in a cgroup of its own", leaf, own);
                return scope_set_error(s, r, "cannot move cell into cgroup %s: %s", leaf, strerror(-r));
        }
        *ret_leaf = TAKE_PTR(leaf);
        return 0;
}

/* Removes empty leaves of cells that are gone; true if some other child of
 * own (another cell's leaf or container) remains. */
static bool sweep_siblings(const char *own, const char *leaf_name) {
        DIR *d = opendir_at(AT_FDCWD, own);
        bool others = false;

        if (!d)
                return true;
        for (struct dirent *de; (de = readdir(d)); ) {
                if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, "..") ||
                    streq(de->d_name, leaf_name))
                        continue;
                /* A populated cgroup cannot be removed (EBUSY): a running cell's leaf stays. */
                if (startswith(de->d_name, LEAF_PREFIX) && unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) >= 0)
                        continue;
                others = true;
        }
        closedir(d);
        return others;
}

void scope_leaf_leave(const char *own, const char *leaf) {
        _cleanup_free_ char *enabled = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *leaf_name;
        char pid[32];

        if (!own || !leaf)
                return;
        leaf_name = strrchr(leaf, '/');
        leaf_name = leaf_name ? leaf_name + 1 : leaf;
        if (sweep_siblings(own, leaf_name))
                return;                         /* the controllers serve another cell still */

        fd = open(own, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (fd < 0)
                return;
        /* Off again, so that cell may rejoin its own cgroup: no child uses them now. */
        if (cg_read(fd, "cgroup.subtree_control", &enabled) >= 0)
                for (size_t i = 0; i < ELEMENTSOF(leaf_controllers); i++)
                        if (cg_list_has(enabled, leaf_controllers[i])) {
                                char op[32];
                                snprintf(op, sizeof op, "-%s", leaf_controllers[i]);
                                (void) cg_write(fd, "cgroup.subtree_control", op);
                        }
        snprintf(pid, sizeof pid, "%d", (int) getpid());
        if (cg_write(fd, "cgroup.procs", pid) < 0)
                return;                         /* still in the leaf: it stays for systemd */
        (void) rmdir(leaf);
}
