/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What a SIGKILLed cell of the cgroupfs manager leaves, and who takes it back.
 *
 * Killed, a cell removes nothing: its cell-NAME in each hierarchy (empty
 * once its container is gone: the PID namespace dies with its init), on
 * cgroup2 its leaf cell.supervisor-PID (cgroup-leaf.c), and the controllers
 * it turned on in its start cgroup's cgroup.subtree_control stay. Only what
 * is provably that cell's and provably dead is taken back:
 *
 *   - cell's: a cell notes in its name's lock file (name-lock.h), before it
 *     makes them, each cgroup it makes and each controller it turns on, and
 *     only what those notes name is touched: never a cgroup another program
 *     made, or a controller that was on before;
 *   - dead: the lock is held from before the first cgroup to after the last
 *     is gone, so a lock file that is there with its lock free is a killed
 *     holder's; and only an empty cgroup is removed.
 *
 * A controller is turned off only where no child is left in that cgroup:
 * another cell beside it (or another program's cgroup) may need it.
 *
 * The same notes name what a run of any manager made of its container's
 * /run/host in a host directory (run-host-made.h): taken back by the same
 * takers, after the cgroups (its container is gone by then: PDEATHSIG).
 *
 * Who: the next cell run of that name (its lock is the one it takes), any
 * cgroupfs cell run that finds a cell-NAME beside its own whose NAME's lock
 * is free (the sweep at its start), and "cell stop NAME" of a cell that
 * does not run (scope_cgroupfs_take_back()). Each holds the name's lock
 * for it, and the name's take-back lock around that (name-lock.h): a start
 * of the name that meets it waits, instead of taking it for a running cell. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-leftover.h"
#include "cgroup-tree.h"
#include "fs-util.h"
#include "instance.h"
#include "name-lock.h"
#include "run-host-made.h"
#include "runtime-state.h"
#include "scope.h"

/* path, opened if it is a cgroup whose name starts with prefix: the notes
 * are root's, but only what cell names so is ever removed. */
static int open_noted(const char *path, const char *prefix) {
        const char *base = strrchr(path, '/');
        struct statfs sf;
        int fd;

        if (path[0] != '/' || !base || !startswith(base + 1, prefix))
                return -EINVAL;
        fd = open(path, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (fstatfs(fd, &sf) < 0 || (sf.f_type != CGROUP_SUPER_MAGIC && sf.f_type != CGROUP2_SUPER_MAGIC)) {
                safe_close(fd);
                return -EMEDIUMTYPE;
        }
        return fd;
}

/* An empty noted cgroup removed: 1; gone already: 0; still populated, or
 * not one of cell's: -errno. */
static int remove_noted(const char *path, const char *prefix, unsigned wait_ms) {
        _cleanup_close_ int fd = open_noted(path, prefix);

        if (fd == -ENOENT)
                return 0;
        if (fd < 0)
                return fd;
        /* Killed a moment ago: the kernel may still be taking its container down. */
        for (unsigned i = 0; cg_tree_first_pid(fd) > 0; i++) {
                if (i * 10 >= wait_ms)
                        return -EBUSY;
                (void) nanosleep(&(struct timespec) { .tv_nsec = 10 * 1000000L }, NULL);
        }
        /* What an init inside made below it first (PrivateUsers= delegates it). */
        (void) cg_tree_trim(fd);
        if (rmdir(path) < 0)
                return errno == ENOENT ? 0 : negative_errno();
        return 1;
}

static bool has_children(const char *path) {
        DIR *d = opendir_at(AT_FDCWD, path);
        bool any = false;

        if (!d)
                return true;
        for (struct dirent *de; !any && (de = readdir(d)); )
                any = de->d_type == DT_DIR && !streq(de->d_name, ".") && !streq(de->d_name, "..");
        closedir(d);
        return any;
}

/* "enabled CONTROLLER PATH": off again in PATH, where no child is left. */
static void turn_off(const char *value) {
        _cleanup_free_ char *controller = NULL, *enabled = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *path = strchr(value, ' ');
        struct statfs sf;
        char op[64];

        if (!path || path == value || (size_t) (path - value) >= sizeof op - 1 || path[1] != '/')
                return;
        controller = strndup(value, (size_t) (path - value));
        path++;
        if (!controller || has_children(path))
                return;
        fd = open(path, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
        if (fd < 0 || fstatfs(fd, &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC)
                return;
        if (cg_read(fd, "cgroup.subtree_control", &enabled) < 0 || !cg_list_has(enabled, controller))
                return;
        snprintf(op, sizeof op, "-%s", controller);
        (void) cg_write(fd, "cgroup.subtree_control", op);
}

static LeftoverNoteHook note_hook = NULL;

void cgroup_leftover_set_hook(LeftoverNoteHook hook) {
        note_hook = hook;
}

static bool is_cgroup_note(const char *l) {
        return startswith(l, CGROUP_NOTE_DIR " ") || startswith(l, CGROUP_NOTE_LEAF " ") ||
                startswith(l, CGROUP_NOTE_ENABLED " ");
}

/* A note of another stage's, "KEY VALUE": to the hook. */
static void other_note(char *line) {
        char *value = strchr(line, ' ');

        if (!note_hook || !value || value == line)
                return;
        *value++ = 0;
        note_hook(line, value);
}

unsigned cgroup_leftover_take_back(const char *notes, unsigned wait_ms, bool *ret_all) {
        unsigned removed = 0;
        bool all = true;

        /* The cgroups first, then the leaf beside them; the controllers once
         * their cgroups are gone; what a killed run made of its container's
         * /run/host on the host once its container is (run-host-made.h). */
        for (int pass = 0; pass < 4; pass++) {
                _cleanup_free_ char *copy = strdup(strempty(notes));
                char *save = NULL;

                if (!copy) {
                        all = false;
                        break;
                }
                for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                        const char *v;
                        int r;

                        if (pass == 0 && (v = startswith(l, CGROUP_NOTE_DIR " ")))
                                r = remove_noted(v, "cell-", wait_ms);
                        else if (pass == 1 && (v = startswith(l, CGROUP_NOTE_LEAF " ")))
                                r = remove_noted(v, "cell.supervisor-", 0);
                        else {
                                if (pass == 2 && (v = startswith(l, CGROUP_NOTE_ENABLED " ")))
                                        turn_off(v);
                                else if (pass == 3 && (v = startswith(l, RUN_HOST_NOTE " ")))
                                        (void) run_host_take_back(v);
                                else if (pass == 3 && !is_cgroup_note(l))
                                        other_note(l);
                                continue;
                        }
                        if (r > 0)
                                removed++;
                        else if (r < 0)
                                all = false;
                }
        }
        if (ret_all)
                *ret_all = all;
        return removed;
}

/* NAME's lock, if a killed holder left it: what its notes name taken back,
 * its runtime state removed, and the file with it when nothing is left. */
static int take_back_name(const char *name, unsigned wait_ms, unsigned *ret_removed) {
        _cleanup_free_ char *notes = NULL;
        int fd = -EBADF, take_back_fd = -EBADF, r;
        bool all = false;

        r = name_lock_take_stale(name, &fd, &take_back_fd, &notes);
        if (r < 0)
                return r;
        if (fd < 0) {
                name_lock_release_stale(name, fd, take_back_fd, false);
                return -EPERM;          /* no lock: nothing is known to be dead */
        }
        *ret_removed = cgroup_leftover_take_back(notes, wait_ms, &all);
        (void) runtime_state_remove(name, 0);
        /* Not all: the notes stay, for a later try. */
        name_lock_release_stale(name, fd, take_back_fd, all);
        return 0;
}

void cgroup_leftover_sweep(const CgroupMount *mounts, size_t n_mounts, const CgroupMembership *own, size_t n_own,
                           const char *self_child) {
        const CgroupMount *m = cg_mount_find(mounts, n_mounts, NULL);
        const char *p = m ? cg_membership_path(own, n_own, NULL) : NULL;
        _cleanup_free_ char *dir = NULL;
        DIR *d;

        if (!m || !p) {
                m = cg_mount_find(mounts, n_mounts, "name=systemd");
                p = m ? cg_membership_path(own, n_own, "name=systemd") : NULL;
        }
        if (!m || !p || !(dir = cg_mount_path(m, p)) || !(d = opendir_at(AT_FDCWD, dir)))
                return;
        for (struct dirent *de; (de = readdir(d)); ) {
                _cleanup_free_ char *unit = NULL, *name = NULL;
                unsigned removed = 0;

                if (de->d_type != DT_DIR || !startswith(de->d_name, "cell-") || streq(de->d_name, self_child))
                        continue;
                /* cell-NAME is named after the scope unit cell-NAME.scope. */
                if (asprintf(&unit, "%s.scope", de->d_name) < 0 || instance_name_from_unit(unit, &name) < 0)
                        continue;
                /* No wait: a cell killed this very moment is the next one's to take back. */
                (void) take_back_name(name, 0, &removed);
        }
        closedir(d);
}

int scope_cgroupfs_take_back(const char *name, unsigned *ret_removed) {
        unsigned removed = 0;
        int r = take_back_name(name, 1000, &removed);

        if (r == -ENOENT || r == -EPERM)
                r = 0;                  /* no killed run of it left its lock */
        else if (r == -EBUSY)
                r = 0;                  /* a start of it since, or another take-back: theirs to take back */
        if (r >= 0 && ret_removed)
                *ret_removed = removed;
        return r;
}
