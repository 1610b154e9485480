/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Running cells stopped and signalled: through their "cell run", systemd or
 * their cgroup, every process pinned by a pidfd before it is signalled. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup-tree.h"
#include "cgroup-util.h"
#include "instance-internal.h"
#include "instance.h"
#include "runtime-state.h"
#include "scope-internal.h"
#include "signal-util.h"

/* The step the last instance_stop() or instance_kill() failed at. */
static char last_step[192];

_printf_(2, 3) static int step_failed(int r, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(last_step, sizeof last_step, fmt, ap);
        va_end(ap);
        return r;
}

const char *instance_last_step(void) {
        return last_step[0] ? last_step : NULL;
}

/* what: the process, for the step's name ("the container's init"). */
static int pidfd_open_pinned(pid_t pid, uint64_t start, const char *what) {
        uint64_t now;
        int fd = (int) syscall(SYS_pidfd_open, pid, 0), r;

        if (fd < 0 && errno != ESRCH)
                return step_failed(negative_errno(), "opening a pidfd of %s (PID %d)", what, (int) pid);
        if (fd < 0)
                return -ESRCH;
        /* The pidfd pins the process from now on; the start time says it
         * is still the one we looked up, not a recycled PID. -ESRCH only
         * when it is not: a stat file that cannot be read (EMFILE, ENOMEM)
         * is no proof the cell is gone, which would have "cell stop" say
         * it stopped one that runs on, or SIGKILL it. */
        if (start > 0) {
                r = runtime_pid_start_time(pid, &now);
                if (r >= 0 && now != start)
                        r = -ESRCH;
                if (r < 0) {
                        safe_close(fd);
                        return r == -ESRCH ? r : step_failed(r, "reading /proc/%d/stat of %s", (int) pid, what);
                }
        }
        return fd;
}

/* Waits until the process behind pidfd has exited, at most timeout_usec. */
static int pidfd_wait_gone(int pidfd, uint64_t timeout_usec) {
        struct pollfd p = { .fd = pidfd, .events = POLLIN };
        int ms = timeout_usec == USEC_INFINITY || timeout_usec / 1000 > INT32_MAX ? -1 : (int) (timeout_usec / 1000);

        for (;;) {
                int k = poll(&p, 1, ms);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return negative_errno();
                return k == 0 ? -ETIMEDOUT : 0;
        }
}

/* cell run stops its payload as systemd would: KillSignal= to the container's
 * init, SIGKILL to all after TimeoutStopSec=, then its cgroup goes. -ESRCH when
 * that supervisor is gone already. */
static int stop_through_supervisor(const CellInstance *i, pid_t supervisor, int leader_fd, uint64_t timeout_usec) {
        _cleanup_close_ int sup_fd = -EBADF;
        int r;

        if (supervisor <= 0)
                return -ESRCH;
        /* The runtime state's supervisor by its start time too: it was
         * alive when the state was read, but may have ended since and its
         * PID gone to another process, which must not get our SIGTERM. */
        sup_fd = pidfd_open_pinned(supervisor, i->manager == CGROUP_MANAGER_SYSTEMD ? 0 : i->supervisor_start,
                                   "its cell run");
        if (sup_fd < 0)
                return sup_fd;  /* -ESRCH: gone; else unknown, and its payload is not killed for it */
        /* Pinned now; still the init's parent, so not a PID reused meanwhile. */
        if (i->manager == CGROUP_MANAGER_SYSTEMD && instance_parent_of(i->leader) != supervisor)
                return -ESRCH;
        if (syscall(SYS_pidfd_send_signal, sup_fd, SIGTERM, NULL, 0) < 0)
                return errno == ESRCH ? -ESRCH :
                        step_failed(negative_errno(), "sending SIGTERM to its cell run (PID %d)", (int) supervisor);
        /* A stopped supervisor (^Z, SIGSTOP) would hold the SIGTERM, and this
         * wait, for ever: continued, as systemd's kill_and_sigcont(). */
        (void) syscall(SYS_pidfd_send_signal, sup_fd, SIGCONT, NULL, 0);
        r = pidfd_wait_gone(sup_fd, timeout_usec);
        if (r < 0)
                return step_failed(r, "waiting for its cell run (PID %d) to end", (int) supervisor);
        r = pidfd_wait_gone(leader_fd, 5 * USEC_PER_SEC);
        return r < 0 ? step_failed(r, "waiting for the container's init (PID %d) to end", (int) i->leader) : 0;
}

int instance_stop(const CellInstance *i, bool user_bus, uint64_t timeout_usec) {
        _cleanup_close_ int leader_fd = -EBADF;
        pid_t supervisor = i->supervisor;
        int r;

        last_step[0] = 0;
        /* A cell run by hand with a scope: stopped by its "cell run", like a cgroupfs
         * run below, since systemd would signal every process of the scope. */
        if (i->manager == CGROUP_MANAGER_SYSTEMD && !i->service && i->leader > 0) {
                supervisor = instance_scope_supervisor_of(i->leader);
                leader_fd = supervisor > 0 ? pidfd_open_pinned(i->leader, i->leader_start, "the container's init") :
                        -ESRCH;
                r = leader_fd >= 0 ? stop_through_supervisor(i, supervisor, leader_fd, timeout_usec) : leader_fd;
                if (r != -ESRCH)
                        return r;
        }
        /* A service's cell: systemd stops the service, and its cell (the main process)
         * does the same, so that the service's Restart= does not start it again (also
         * with the cgroupfs manager, in the service's own cgroup); or the scope, when
         * no "cell run" is found: systemd sends its KillSignal= to every process in it. */
        if (i->manager == CGROUP_MANAGER_CGROUPFS && i->service) {
                /* i->service is there only where the cell run is its main process
                 * (instance_check_service()); a service that merely contains it goes on. */
                sd_bus *bus = NULL;
                if (scope_bus_open(user_bus, &bus) >= 0) {
                        r = instance_bus_stop(bus, i, timeout_usec);
                        sd_bus_close_unref(bus);
                        return r;
                }
                /* no bus: its cell is asked below, as for any cgroupfs run */
        }
        if (i->manager == CGROUP_MANAGER_SYSTEMD) {
                sd_bus *bus = NULL;
                r = scope_bus_open(user_bus, &bus);
                if (r < 0)
                        return step_failed(r, "connecting to the service manager's bus");
                r = instance_bus_stop(bus, i, timeout_usec);
                sd_bus_close_unref(bus);
                return r;
        }

        leader_fd = pidfd_open_pinned(i->leader, i->leader_start, "the container's init");
        if (leader_fd == -ESRCH)
                return 0;       /* already gone */
        if (leader_fd < 0)
                return leader_fd;
        r = stop_through_supervisor(i, supervisor, leader_fd, timeout_usec);
        if (r != -ESRCH)
                return r;
        /* Its supervisor died: nobody else will stop it gracefully. */
        if (syscall(SYS_pidfd_send_signal, leader_fd, SIGKILL, NULL, 0) < 0)
                return step_failed(negative_errno(), "sending SIGKILL to the container's init (PID %d), whose cell "
                                   "run is gone", (int) i->leader);
        r = pidfd_wait_gone(leader_fd, timeout_usec);
        return r < 0 ? step_failed(r, "waiting for the container's init (PID %d) to end", (int) i->leader) : 0;
}

int instance_stop_service(const char *name, bool user_bus, uint64_t timeout_usec, char **ret_service) {
        sd_bus *bus = NULL;
        int r;

        /* No bus: no service of systemd's to ask about (what the caller
         * knows without one stands). */
        if (scope_bus_open(user_bus, &bus) < 0)
                return -ESRCH;
        r = instance_bus_stop_service(bus, name, timeout_usec, ret_service);
        sd_bus_close_unref(bus);
        return r;
}

int instance_service_instances(bool user_bus, bool include_active, char ***ret) {
        sd_bus *bus = NULL;
        int r;

        /* No bus: no service of systemd's (as instance_stop_service()). */
        if (scope_bus_open(user_bus, &bus) < 0) {
                *ret = NULL;
                return 0;
        }
        r = instance_bus_service_instances(bus, include_active, ret);
        sd_bus_close_unref(bus);
        return r;
}

/* SIGNAL to every process in the container's cgroup and below it but its PID 1. */
static int kill_cgroup_members(const CellInstance *i, int sig) {
        CgroupMembership *own = NULL;
        CgroupMount *mounts = NULL;
        size_t n_own = 0, n_mounts = 0;
        int r, n = -ESRCH;

        r = cg_read_both(i->leader, &own, &n_own, &mounts, &n_mounts);
        if (r < 0)
                return r;
        /* One hierarchy lists them all: cgroup2 if cell made a dir there, else any v1 one.
         * The container's own cgroup with its subtree (an init inside may have moved its
         * processes below it, PID 1 included). */
        const char *controllers[] = { NULL, "name=systemd", "memory", "pids" };
        for (size_t k = 0; k < ELEMENTSOF(controllers) && n <= 0; k++) {
                const CgroupMount *m = cg_mount_find(mounts, n_mounts, controllers[k]);
                const char *leader = cg_membership_path(own, n_own, controllers[k]);
                _cleanup_free_ char *p = NULL, *dir = NULL;
                _cleanup_close_ int fd = -EBADF;

                if (!m || !leader || streq(leader, "/") || !(p = instance_own_cgroup(leader, i->name)) ||
                    !(dir = cg_mount_path(m, p)))
                        continue;
                fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd >= 0)
                        n = cg_tree_signal(fd, sig, i->leader) ?: -ESRCH;
        }
        cg_membership_free(own, n_own);
        cg_mount_free(mounts, n_mounts);
        return n;
}

/* sig to the container's PID 1, as "cell kill --all" sends it once every
 * other process has it: with a sigqueue value that tells cell's reaper
 * (Init=yes) not to pass it on (signal-util.h). */
static int kill_leader_last(int fd, int sig) {
        siginfo_t si = { .si_signo = sig, .si_code = SI_QUEUE };

        si.si_pid = getpid();
        si.si_uid = getuid();
        si.si_value.sival_int = SIGNAL_VALUE_EVERY_PROCESS;
        return RET_NERRNO(syscall(SYS_pidfd_send_signal, fd, sig, &si, 0));
}

/* Each process once, the payload too: systemd's KillUnit would signal the
 * reaper of Init=yes with the rest, and it passes every signal on to the
 * payload, which had its own already. */
static int kill_every_process(const CellInstance *i, bool user_bus, int sig) {
        _cleanup_close_ int fd = -EBADF;
        sd_bus *bus = NULL;
        int r;

        /* Pinned first: its PID is what the walk leaves out. */
        fd = i->leader > 0 ? pidfd_open_pinned(i->leader, i->leader_start, "the container's init") : -ESRCH;
        if (fd < 0 && fd != -ESRCH)
                return fd;
        r = fd >= 0 ? kill_cgroup_members(i, sig) : -ESRCH;
        if (r >= 0)
                return kill_leader_last(fd, sig);
        if (i->manager != CGROUP_MANAGER_SYSTEMD)
                return r;
        /* No PID 1 or no cgroup of its own found where systemd has the scope: systemd's walk. */
        r = scope_bus_open(user_bus, &bus);
        if (r < 0)
                return step_failed(r, "connecting to the service manager's bus");
        r = instance_bus_kill_all(bus, i, sig);
        sd_bus_close_unref(bus);
        return r;
}

int instance_kill(const CellInstance *i, bool user_bus, int sig, bool all) {
        _cleanup_close_ int fd = -EBADF;

        last_step[0] = 0;
        /* (no cgroup, the none manager: the leader is all we know) */
        if (all && i->manager != CGROUP_MANAGER_NONE)
                return kill_every_process(i, user_bus, sig);
        if (i->leader <= 0)
                return -ESRCH;
        fd = pidfd_open_pinned(i->leader, i->leader_start, "the container's init");
        if (fd < 0)
                return fd;
        return RET_NERRNO(syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0));
}
