/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cell exec's target (exec-target.h): the running cell's PID 1, pinned, and
 * what of it is opened on the host before cell exec joins it. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "cgroup-devices.h"
#include "cgroup-util.h"
#include "exec-target.h"
#include "fs-util.h"
#include "log.h"
#include "runtime-state.h"
#include "strv.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

void exec_target_done(ExecTarget *t) {
        t->pidfd = safe_close(t->pidfd);
        t->root_fd = safe_close(t->root_fd);
        for (size_t i = 0; i < t->n_procs_fds; i++)
                safe_close(t->procs_fds[i]);
        t->n_procs_fds = 0;
}

/* A zombie's pidfd polls readable, a reaped one's hangs up too (Linux 6.9). */
bool exec_target_exited(const ExecTarget *t) {
        struct pollfd p = { .fd = t->pidfd, .events = POLLIN };

        return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN|POLLHUP));
}

/* Which namespaces the leader has that we do not: those are joined. */
static int exec_namespaces(pid_t leader, int *ret) {
        static const struct { const char *name; int flag; } ns[] = {
                { "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },   { "uts", CLONE_NEWUTS },
                { "ipc", CLONE_NEWIPC },   { "net", CLONE_NEWNET },  { "cgroup", CLONE_NEWCGROUP },
                { "pid", CLONE_NEWPID },   { "time", CLONE_NEWTIME },
        };
        int flags = 0;

        for (size_t i = 0; i < ELEMENTSOF(ns); i++) {
                char theirs[64], ours[64];
                struct stat a, b;

                snprintf(theirs, sizeof theirs, "/proc/%d/ns/%s", (int) leader, ns[i].name);
                snprintf(ours, sizeof ours, "/proc/self/ns/%s", ns[i].name);
                if (stat(theirs, &a) < 0) {
                        if (errno == ENOENT && ns[i].flag == CLONE_NEWTIME)
                                continue;       /* a kernel without time namespaces */
                        return negative_errno();
                }
                if (stat(ours, &b) < 0)
                        return negative_errno();
                if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
                        flags |= ns[i].flag;
        }
        *ret = flags;
        return 0;
}

/* Whether the cgroup dir is frozen: cgroup2's cgroup.events ("frozen 1"),
 * or the v1 freezer's freezer.state (controller "freezer"). */
static bool cgroup_frozen(const char *dir, const char *controller) {
        _cleanup_free_ char *file = NULL, *text = NULL;
        bool v2 = !controller;

        if (!v2 && !streq(controller, "freezer"))
                return false;
        if (asprintf(&file, "%s/%s", dir, v2 ? "cgroup.events" : "freezer.state") < 0 ||
            cg_read_file(file, &text) < 0)
                return false;
        if (!v2)
                return startswith(text, "FROZEN") || startswith(text, "FREEZING");
        return startswith(text, "frozen 1") || strstr(text, "\nfrozen 1");
}

/* cgroup.procs of the leader's cgroup in each mounted hierarchy, opened now
 * while we are root on the host: the kernel checks a migration against the
 * opener's credentials and cgroup namespace. */
static int exec_open_cgroups(const CellInstance *inst, ExecTarget *t) {
        CgroupMembership *own = NULL;
        CgroupMount *mounts = NULL;
        size_t n_own = 0, n_mounts = 0;
        int r;

        r = cg_read_both(t->leader, &own, &n_own, &mounts, &n_mounts);
        if (r < 0)
                return exec_target_exited(t) ? exec_target_gone(inst, "reading its cgroups", r) :
                        log_error_errno(r, "Reading the cgroups of PID %d: %m", (int) t->leader);
        for (size_t i = 0; i < n_own && r >= 0; i++) {
                const char *ctrl = own[i].id == 0 ? NULL : (own[i].controllers ? own[i].controllers[0] : NULL);
                const CgroupMount *m;
                _cleanup_free_ char *dir = NULL, *file = NULL;
                int fd;

                if (own[i].id != 0 && !ctrl)
                        continue;
                /* Outside our cgroup namespace ("/.."): not ours to join. */
                if (startswith(own[i].path, "/.."))
                        continue;
                m = cg_mount_find(mounts, n_mounts, ctrl);
                if (!m || !(dir = cg_mount_path(m, own[i].path)) || asprintf(&file, "%s/cgroup.procs", dir) < 0) {
                        if (!m)
                                continue;       /* a hierarchy we have not mounted */
                        r = log_oom();
                        break;
                }
                if (t->n_procs_fds >= EXEC_CGROUPS_MAX) {
                        r = log_error_errno(E2BIG, "PID %d is in more than %d cgroup hierarchies.",
                                            (int) t->leader, EXEC_CGROUPS_MAX);
                        break;
                }
                fd = open(file, O_WRONLY|O_CLOEXEC);
                if (fd < 0 && errno == ENOENT)
                        continue;       /* a hierarchy mounted elsewhere, not where we look */
                if (fd < 0) {
                        r = -errno;
                        r = exec_target_exited(t) ? exec_target_gone(inst, "opening its cgroups", r) :
                                log_error_errno(r, "Opening %s: %m", file);
                        break;
                }
                t->procs_fds[t->n_procs_fds++] = fd;
                /* A frozen cell would freeze the command the moment it
                 * joins, and cell exec with it (podman refuses a paused
                 * container the same way). */
                if (cgroup_frozen(dir, own[i].id == 0 ? NULL : ctrl)) {
                        log_error("The cell is frozen (%s): thaw it first (\"systemctl thaw\" of its scope, or "
                                  "cgroup.freeze), then run the command.", dir);
                        r = -EAGAIN;
                        break;
                }
                if (own[i].id == 0) {
                        _cleanup_close_ int dfd = open(dir, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
                        t->device_programs = dfd < 0 ? -errno : cgroup_devices_count(dfd);
                }
        }
        cg_membership_free(own, n_own);
        cg_mount_free(mounts, n_mounts);
        return r;
}

/* What cell run decided at the start (run-start.c, withhold_mknod()),
 * decided again: without a device policy on the cell's cgroup (no cgroup,
 * or a cgroupfs cell the kernel refused the BPF filter) and outside a user
 * namespace, CAP_MKNOD would let the command make any device node. The
 * user namespace is the one the cell has, not the one the unit says now: a
 * PrivateUsers= added to the file of a cell that runs without must not
 * hand the command CAP_MKNOD in the host's. */
int exec_withhold_mknod(Plan *p, const CellInstance *inst, const ExecTarget *t) {
        const uint64_t mknod = UINT64_C(1) << CAP_MKNOD;

        if (inst->manager == CGROUP_MANAGER_SYSTEMD || t->device_programs > 0 ||
            (t->namespaces & CLONE_NEWUSER) || !(p->cap_bounding & mknod))
                return 0;
        if (p->cap_required & mknod)
                return log_error_errno(EPERM, "%s=CAP_MKNOD: device access is not restricted in cell %s, "
                                       "so the command could make and use any device node; refusing to run it.",
                                       p->cap_ambient & mknod ? "AmbientCapability" : "Capability", inst->name);
        log_debug("No device policy on the cell's cgroup: CAP_MKNOD is withheld, as from the payload.");
        plan_withhold_capabilities(p, mknod);
        return 0;
}

/* Its PID 1 exited since the cell was looked up: not running now, as one
 * that was not running at all (exit 3), as "cell kill" says of it; the
 * step that found it out named, with how it failed. */
int exec_target_gone(const CellInstance *inst, const char *step, int error) {
        if (step && error != 0)
                log_error_errno(error, "cell %s is not running: its PID 1 (%d) exited meanwhile (%s: %m).",
                                inst->name, (int) inst->leader, step);
        else
                log_error("cell %s is not running: its PID 1 (%d) exited meanwhile.", inst->name, (int) inst->leader);
        return -ESRCH;
}

int exec_find_target(const CellInstance *inst, ExecTarget *t) {
        uint64_t start;
        char root[64];
        int r;

        if (inst->leader <= 0)
                /* Not -ESRCH: a cell found without a PID 1 is no cell that stopped (2, not 3). */
                return log_error_errno(ENOENT, "Cannot find the container's PID 1 of cell %s.", inst->name);
        t->leader = inst->leader;
        t->pidfd = (int) syscall(SYS_pidfd_open, t->leader, 0);
        if (t->pidfd < 0 && errno == ESRCH)
                return exec_target_gone(inst, "pidfd_open", ESRCH);
        if (t->pidfd < 0)
                return log_error_errno(errno, "pidfd_open(%d): %m", (int) t->leader);
        /* From here the pidfd pins it; the start time says it is still the
         * process we looked up, not a recycled PID. */
        if (inst->leader_start > 0) {
                r = runtime_pid_start_time(t->leader, &start);
                /* Only a stat of another process, or none, says it exited (not EMFILE). */
                if ((r >= 0 && start != inst->leader_start) || r == -ESRCH)
                        return exec_target_gone(inst, NULL, 0);
                if (r < 0)
                        return exec_target_exited(t) ? exec_target_gone(inst, "reading its start time", r) :
                                log_error_errno(r, "Reading the start time of PID %d: %m", (int) t->leader);
        }

        /* Below, what /proc says of it: a PID 1 that exits meanwhile is
         * gone from there (ENOENT, ESRCH, or a zombie's empty namespaces),
         * which its pidfd tells apart from a failure of ours. */
        r = exec_namespaces(t->leader, &t->namespaces);
        if (r < 0)
                return exec_target_exited(t) ? exec_target_gone(inst, "reading its namespaces", r) :
                        log_error_errno(r, "Reading the namespaces of PID %d: %m", (int) t->leader);
        snprintf(root, sizeof root, "/proc/%d/root", (int) t->leader);
        t->root_fd = open(root, O_PATH|O_DIRECTORY|O_CLOEXEC);
        if (t->root_fd < 0) {
                r = -errno;
                return exec_target_exited(t) ? exec_target_gone(inst, "opening its root", r) :
                        log_error_errno(r, "Opening %s: %m", root);
        }
        /* Its root is still ours: the start is under way (a systemd scope
         * holds the child while it builds its mounts, before pivot_root), and
         * the command would run in the host's file system. A running cell's
         * root never is the host's (Directory=/ needs Volatile=). */
        struct stat theirs, ours;
        if (fstat(t->root_fd, &theirs) < 0 || stat("/", &ours) < 0) {
                r = -errno;
                return exec_target_exited(t) ? exec_target_gone(inst, "checking its root", r) :
                        log_error_errno(r, "Checking the root of PID %d: %m", (int) t->leader);
        }
        if (stat_same_inode(&theirs, &ours)) {
                log_error("Cell %s is still starting; try again when it runs.", inst->name);
                return -EBUSY;
        }
        return exec_open_cgroups(inst, t);
}
