/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Running cells: the front, the runtime-state side and what both share.
 * The bus side is instance-bus.c. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-tree.h"
#include "cgroup-util.h"
#include "instance.h"
#include "runtime-state.h"
#include "scope-internal.h"
#include "signal-util.h"
#include "strv.h"
#include "unit-name.h"

void instance_done(CellInstance *i) {
        free(i->name);
        free(i->unit);
        free(i->slice);
        free(i->description);
        free(i->state);
        free(i->service);
        free(i->unit_path);
        free(i->control_group);
        *i = (CellInstance) {};
}

void instance_free_many(CellInstance *l, size_t n) {
        for (size_t i = 0; i < n; i++)
                instance_done(l + i);
        free(l);
}

int instance_unit_from_name(const char *name, char **ret) {
        _cleanup_free_ char *e = NULL;
        int r = unit_name_escape(name, &e);
        if (r < 0)
                return r;
        return asprintf(ret, "cell-%s.scope", e) < 0 ? -ENOMEM : 0;
}

int instance_name_from_unit(const char *unit, char **ret) {
        const char *s = startswith(unit, "cell-"), *e = endswith(unit, ".scope");
        _cleanup_free_ char *mid = NULL;

        if (!s || !e || e <= s)
                return -EINVAL;
        mid = strndup(s, (size_t) (e - s));
        if (!mid)
                return -ENOMEM;
        return unit_name_unescape(mid, ret);
}

/* The NSpid: line of /proc/PID/status: how deep PID's namespace is below
 * ours (0: ours) and its PID there. */
static int pid_ns_info(pid_t pid, unsigned *ret_depth, pid_t *ret_inner) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        const char *l;
        unsigned depth = 0;
        long last = 0;
        int r;

        if (asprintf(&path, "/proc/%d/status", (int) pid) < 0)
                return -ENOMEM;
        r = cg_read_file(path, &text);
        if (r < 0)
                return r;
        l = strstr(text, "\nNSpid:");
        if (!l)
                return -EOPNOTSUPP;
        l += strlen("\nNSpid:");
        for (;;) {
                char *e;
                long v = strtol(l, &e, 10);
                if (e == l)
                        break;
                last = v;
                depth++;
                l = e;
                if (*l == '\n' || !*l)
                        break;
        }
        if (depth == 0)
                return -EIO;
        *ret_depth = depth - 1;
        *ret_inner = (pid_t) last;
        return 0;
}

pid_t instance_pick_leader(const pid_t *pids, size_t n) {
        pid_t best = 0;
        unsigned best_depth = 0;

        /* The container's PID 1 is PID 1 of the shallowest PID namespace
         * below ours; a nested container inside has a deeper one. */
        for (size_t i = 0; i < n; i++) {
                unsigned depth;
                pid_t inner;
                if (pid_ns_info(pids[i], &depth, &inner) < 0 || depth == 0 || inner != 1)
                        continue;
                if (!best || depth < best_depth) {
                        best = pids[i];
                        best_depth = depth;
                }
        }
        return best;
}

/* The container's own cgroup in path: PID 1 may sit below it, in a subtree
 * its init made (PrivateUsers= delegates it: "/cell-web/init.scope"). The
 * path is cut after the first component named like the cell's cgroup; NULL
 * (errno ENOENT) where it has none: a hierarchy where the cell has no cgroup
 * of its own (cell@NAME.service with the cgroupfs manager and no TasksMax=:
 * the service's pids cgroup). */
static char *own_cgroup_only(const char *path, const char *name) {
        _cleanup_free_ char *escaped = NULL, *dir = NULL;
        const char *p = path;
        size_t n;

        if (unit_name_escape(name, &escaped) < 0 || asprintf(&dir, "cell-%s", escaped) < 0)
                return NULL;
        n = strlen(dir);
        while ((p = strchr(p, '/'))) {
                p++;
                if (strncmp(p, dir, n) == 0 && (p[n] == '/' || p[n] == 0 || streq(p + n, ".scope") ||
                                                startswith(p + n, ".scope/")))
                        return strndup(path, (size_t) (p - path) + n +
                                       (startswith(p + n, ".scope") ? strlen(".scope") : 0));
        }
        errno = ENOENT;
        return NULL;
}

/* The same, or path itself where it has no such component. */
static char *own_cgroup(const char *path, const char *name) {
        char *p = own_cgroup_only(path, name);
        return p || errno != ENOENT ? p : strdup(path);
}

/* The controllers whose v1 hierarchy matters for "cell status": those the
 * limits are enforced in, and the OOM kills counted. */
static bool controller_matters(char * const *controllers) {
        static const char * const which[] = { "memory", "pids", "cpu", "cpuset", "blkio" };
        for (size_t k = 0; k < ELEMENTSOF(which); k++)
                if (strv_contains(controllers, which[k]))
                        return true;
        return false;
}

int instance_cgroups_elsewhere(const CellInstance *i, char ***ret) {
        _cleanup_strv_free_ char **paths = NULL, **labels = NULL, **lines = NULL;
        CgroupMembership *own = NULL;
        size_t n_own = 0;
        int r;

        *ret = NULL;
        if (i->leader <= 0 || !i->control_group)
                return 0;
        r = cg_read_membership(i->leader, &own, &n_own);
        if (r < 0)
                return r;
        for (size_t k = 0; r >= 0 && k < n_own; k++) {
                _cleanup_free_ char *p = NULL, *label = NULL;
                size_t at = 0;

                if (own[k].id == 0 || !controller_matters(own[k].controllers))
                        continue;
                if (!(p = own_cgroup(own[k].path, i->name)) || !(label = strv_join(own[k].controllers, ","))) {
                        r = -ENOMEM;
                        break;
                }
                if (streq(p, i->control_group))
                        continue;
                /* One line a path: "/x/cell-web (cpu,cpuacct, memory)". */
                while (paths && paths[at] && !streq(paths[at], p))
                        at++;
                if (paths && paths[at]) {
                        char *joined = NULL;
                        if (asprintf(&joined, "%s, %s", labels[at], label) < 0) {
                                r = -ENOMEM;
                                break;
                        }
                        free(labels[at]);
                        labels[at] = joined;
                } else if (strv_push(&paths, TAKE_PTR(p)) < 0 || strv_push(&labels, TAKE_PTR(label)) < 0)
                        r = -ENOMEM;
        }
        cg_membership_free(own, n_own);
        for (size_t k = 0; r >= 0 && paths && paths[k]; k++) {
                char *line = NULL;
                if (asprintf(&line, "%s (%s)", paths[k], labels[k]) < 0 || strv_push(&lines, line) < 0)
                        r = -ENOMEM;
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(lines);
        return 0;
}

/* memory.current / pids.current of a cgroupfs-managed cell, from its
 * leader's cgroups: cgroup2 first, then the v1 memory and pids hierarchies. */
static void fill_cgroup_stats(CellInstance *i) {
        CgroupMembership *own = NULL;
        CgroupMount *mounts = NULL;
        size_t n_own = 0, n_mounts = 0;

        i->memory_current = i->tasks_current = UINT64_MAX;
        if (cg_read_both(i->leader, &own, &n_own, &mounts, &n_mounts) < 0)
                return;

        const struct { const char *controller, *file; uint64_t *dest; } want[] = {
                { NULL,     "memory.current",        &i->memory_current },
                { "memory", "memory.usage_in_bytes", &i->memory_current },
                { NULL,     "pids.current",          &i->tasks_current  },
                { "pids",   "pids.current",          &i->tasks_current  },
        };
        for (size_t k = 0; k < ELEMENTSOF(want); k++) {
                const CgroupMount *m = cg_mount_find(mounts, n_mounts, want[k].controller);
                const char *leader = cg_membership_path(own, n_own, want[k].controller);
                _cleanup_free_ char *p = NULL, *dir = NULL, *file = NULL, *v = NULL;

                /* Only a cgroup of the cell's own: its parent's counts are others' too. */
                if (*want[k].dest != UINT64_MAX || !m || !leader || !(p = own_cgroup_only(leader, i->name)) ||
                    !(dir = cg_mount_path(m, p)))
                        continue;
                if (!i->control_group && !want[k].controller)
                        i->control_group = strdup(p);
                if (asprintf(&file, "%s/%s", dir, want[k].file) < 0 || cg_read_file(file, &v) < 0)
                        continue;
                char *e;
                unsigned long long u = strtoull(v, &e, 10);
                if (e != v)
                        *want[k].dest = u;
        }
        if (!i->control_group) {
                const char *p = cg_membership_path(own, n_own, "name=systemd");
                if (p)
                        i->control_group = own_cgroup(p, i->name);
        }
        cg_membership_free(own, n_own);
        cg_mount_free(mounts, n_mounts);
}

/* A cell names the service it runs in only where it is that service's main
 * process: a service that merely contains it (a script's, a runner's,
 * user@UID.service of a desktop's terminal) is not cell's, and "cell stop"
 * must not stop it. */
static void instance_check_service(CellInstance *i) {
        if (i->service && (i->supervisor <= 0 || i->service_main_pid != i->supervisor))
                i->service = mfree(i->service);
}

/* A cgroupfs-managed cell, from /run/cell/NAME/state. The service recorded
 * there is the one its "cell run" started in; bus (NULL: no systemd, so no
 * running service either) tells whether cell is still that service's main
 * process. */
static int instance_from_state(sd_bus *bus, const char *name, CellInstance *ret) {
        RuntimeState s;
        int r;

        r = runtime_state_read(name, &s);
        if (r < 0)
                return r == -ENOENT || r == -ESTALE ? -ESRCH : r;

        CellInstance i = {
                .manager = s.manager,
                .leader = s.leader,
                .leader_start = s.leader_start,
                .supervisor = runtime_pid_is(s.supervisor, s.supervisor_start) ? s.supervisor : 0,
                .supervisor_start = s.supervisor_start,
                .since_usec = s.since_usec,
                .name = TAKE_PTR(s.name),
                .unit_path = TAKE_PTR(s.unit_path),
                .service = TAKE_PTR(s.service),
                .state = strdup("running"),
        };
        runtime_state_done(&s);
        if (!i.state) {
                instance_done(&i);
                return -ENOMEM;
        }
        if (i.service && bus)
                (void) instance_bus_service_main_pid(bus, i.service, &i.service_main_pid);
        instance_check_service(&i);
        /* Without a cgroup of its own (manager none) its cgroup's numbers are not its own. */
        i.memory_current = i.tasks_current = UINT64_MAX;
        if (i.manager == CGROUP_MANAGER_CGROUPFS)
                fill_cgroup_stats(&i);
        *ret = i;
        return 0;
}

/* The PPid: line of /proc/PID/status; 0 when unreadable. */
static pid_t parent_of(pid_t pid) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        const char *l;

        if (asprintf(&path, "/proc/%d/status", (int) pid) < 0 || cg_read_file(path, &text) < 0 ||
            !(l = strstr(text, "\nPPid:")))
                return 0;
        return (pid_t) strtol(l + strlen("\nPPid:"), NULL, 10);
}

/* A cell that systemd knows as a scope: its "cell run" is the process that
 * cloned the container's init, so the init's parent, as long as that is still
 * a process named "cell" (or "cell-monitor", which a long-running cell
 * becomes by exec: src/monitor). An init whose cell died is reparented (to
 * PID 1 or a subreaper), and that must never get our SIGTERM. 0 if not found. */
static pid_t scope_supervisor_of(pid_t leader) {
        _cleanup_free_ char *path = NULL, *comm = NULL;
        pid_t ppid;

        if (leader <= 0 || (ppid = parent_of(leader)) <= 1)
                return 0;
        if (asprintf(&path, "/proc/%d/comm", (int) ppid) < 0 || cg_read_file(path, &comm) < 0)
                return 0;
        return streq(comm, "cell\n") || streq(comm, "cell-monitor\n") ? ppid : 0;
}

/* The supervisor of a scope's cell, and the service it runs in only where
 * cell is that service's main process (instance_check_service()). */
static void instance_set_supervisor(CellInstance *i) {
        i->supervisor = scope_supervisor_of(i->leader);
        instance_check_service(i);
}

/* The verbs below call systemd synchronously and close without a flush:
 * nothing of theirs is left to send, and a bus that never finished its
 * handshake would hold a flush for sd-bus's 90 s. */
static sd_bus *bus_open_quiet(bool user_bus) {
        sd_bus *bus = NULL;
        return scope_bus_open(user_bus, &bus) >= 0 ? bus : NULL;
}

int instance_find(const char *name, bool user_bus, CellInstance *ret) {
        sd_bus *bus = bus_open_quiet(user_bus);
        int r = -ESRCH;

        if (bus) {
                r = instance_bus_find(bus, name, ret);
                if (r >= 0)
                        instance_set_supervisor(ret);
        }
        if (r == -ESRCH)
                r = instance_from_state(bus, name, ret);
        sd_bus_close_unref(bus);
        return r;
}

static int cmp_instance(const void *a, const void *b) {
        return strcmp(((const CellInstance *) a)->name, ((const CellInstance *) b)->name);
}

void instance_sort(CellInstance *l, size_t n) {
        if (n > 1)
                qsort(l, n, sizeof(CellInstance), cmp_instance);
}

int instance_list(bool user_bus, CellInstance **ret, size_t *ret_n) {
        _cleanup_strv_free_ char **names = NULL;
        CellInstance *l = NULL;
        size_t n = 0;
        sd_bus *bus = bus_open_quiet(user_bus);
        int r;

        if (bus) {
                r = instance_bus_list(bus, &l, &n);
                if (r < 0) {
                        sd_bus_close_unref(bus);
                        return r;
                }
                for (size_t k = 0; k < n; k++)
                        instance_set_supervisor(&l[k]);
        }
        r = runtime_state_list(&names);
        STRV_FOREACH(name, r >= 0 ? names : NULL) {
                CellInstance i;
                CellInstance *m;
                r = instance_from_state(bus, *name, &i);
                /* A state that does not parse (a newer cell's MANAGER=) names
                 * no PID we could check: not a running cell, and no reason to
                 * list none of the others ("cell status" says what is wrong). */
                if (r == -ESRCH || r == -EBADMSG) {
                        r = 0;
                        continue;
                }
                if (r < 0)
                        break;
                m = realloc(l, (n + 1) * sizeof(CellInstance));
                if (!m) {
                        instance_done(&i);
                        r = -ENOMEM;
                        break;
                }
                l = m;
                l[n++] = i;
        }
        sd_bus_close_unref(bus);
        if (r < 0) {
                instance_free_many(l, n);
                return r;
        }
        instance_sort(l, n);
        *ret = l;
        *ret_n = n;
        return 0;
}

static int pidfd_open_pinned(pid_t pid, uint64_t start) {
        int fd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (fd < 0)
                return negative_errno();
        /* The pidfd pins the process from now on; the start time says it
         * is still the one we looked up, not a recycled PID. */
        if (start > 0 && !runtime_pid_is(pid, start)) {
                safe_close(fd);
                return -ESRCH;
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
        sup_fd = pidfd_open_pinned(supervisor, i->manager == CGROUP_MANAGER_SYSTEMD ? 0 : i->supervisor_start);
        if (sup_fd < 0)
                return -ESRCH;
        /* Pinned now; still the init's parent, so not a PID reused meanwhile. */
        if (i->manager == CGROUP_MANAGER_SYSTEMD && parent_of(i->leader) != supervisor)
                return -ESRCH;
        if (syscall(SYS_pidfd_send_signal, sup_fd, SIGTERM, NULL, 0) < 0)
                return negative_errno();
        /* A stopped supervisor (^Z, SIGSTOP) would hold the SIGTERM, and this
         * wait, for ever: continued, as systemd's kill_and_sigcont(). */
        (void) syscall(SYS_pidfd_send_signal, sup_fd, SIGCONT, NULL, 0);
        r = pidfd_wait_gone(sup_fd, timeout_usec);
        if (r < 0)
                return r;
        return pidfd_wait_gone(leader_fd, 5 * USEC_PER_SEC);
}

int instance_stop(const CellInstance *i, bool user_bus, uint64_t timeout_usec) {
        _cleanup_close_ int leader_fd = -EBADF;
        pid_t supervisor = i->supervisor;
        int r;

        /* A cell run by hand with a scope: stopped by its "cell run", like a cgroupfs
         * run below, since systemd would signal every process of the scope. */
        if (i->manager == CGROUP_MANAGER_SYSTEMD && !i->service && i->leader > 0) {
                supervisor = scope_supervisor_of(i->leader);
                leader_fd = supervisor > 0 ? pidfd_open_pinned(i->leader, i->leader_start) : -ESRCH;
                r = leader_fd >= 0 ? stop_through_supervisor(i, supervisor, leader_fd, timeout_usec) : -ESRCH;
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
                        return r;
                r = instance_bus_stop(bus, i, timeout_usec);
                sd_bus_close_unref(bus);
                return r;
        }

        leader_fd = pidfd_open_pinned(i->leader, i->leader_start);
        if (leader_fd == -ESRCH)
                return 0;       /* already gone */
        if (leader_fd < 0)
                return leader_fd;
        r = stop_through_supervisor(i, supervisor, leader_fd, timeout_usec);
        if (r != -ESRCH)
                return r;
        /* Its supervisor died: nobody else will stop it gracefully. */
        if (syscall(SYS_pidfd_send_signal, leader_fd, SIGKILL, NULL, 0) < 0)
                return negative_errno();
        return pidfd_wait_gone(leader_fd, timeout_usec);
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

                if (!m || !leader || streq(leader, "/") || !(p = own_cgroup(leader, i->name)) ||
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
        fd = i->leader > 0 ? pidfd_open_pinned(i->leader, i->leader_start) : -ESRCH;
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
                return r;
        r = instance_bus_kill_all(bus, i, sig);
        sd_bus_close_unref(bus);
        return r;
}

int instance_kill(const CellInstance *i, bool user_bus, int sig, bool all) {
        _cleanup_close_ int fd = -EBADF;

        /* (no cgroup, the none manager: the leader is all we know) */
        if (all && i->manager != CGROUP_MANAGER_NONE)
                return kill_every_process(i, user_bus, sig);
        if (i->leader <= 0)
                return -ESRCH;
        fd = pidfd_open_pinned(i->leader, i->leader_start);
        if (fd < 0)
                return fd;
        return RET_NERRNO(syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0));
}
