/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Running cells: the front, the runtime-state side and what both share.
 * The bus side is instance-bus.c, stop and kill instance-stop.c. */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup-util.h"
#include "instance-internal.h"
#include "instance.h"
#include "log.h"
#include "runtime-state.h"
#include "scope-internal.h"
#include "strv.h"
#include "unit-name.h"
#include "utf8.h"

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

char *instance_own_cgroup(const char *path, const char *name) {
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
                if (!(p = instance_own_cgroup(own[k].path, i->name)) || !(label = strv_join(own[k].controllers, ","))) {
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
                        i->control_group = instance_own_cgroup(p, i->name);
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
        uint64_t start = 0;
        int r;

        r = runtime_state_read(name, &s);
        if (r < 0)
                return r == -ENOENT || r == -ESTALE ? -ESRCH : r;
        /* cell writes its own name there: another (a copy made by hand, "a
         * b" or an escape sequence in it) is a state that does not parse,
         * not a second name for the cell, nor one to list or stop by. */
        if (!streq(s.name, name)) {
                runtime_state_done(&s);
                return -EBADMSG;
        }
        /* A supervisor whose stat cannot be read (EMFILE) is not gone: "cell
         * stop" would SIGKILL the payload of one it takes for dead. */
        r = s.supervisor > 0 ? runtime_pid_start_time(s.supervisor, &start) : -ESRCH;
        if (r < 0 && r != -ESRCH) {
                runtime_state_done(&s);
                return r;
        }

        CellInstance i = {
                .manager = s.manager,
                .leader = s.leader,
                .leader_start = s.leader_start,
                .supervisor = r >= 0 && start == s.supervisor_start ? s.supervisor : 0,
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

pid_t instance_parent_of(pid_t pid) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        const char *l;

        if (asprintf(&path, "/proc/%d/status", (int) pid) < 0 || cg_read_file(path, &text) < 0 ||
            !(l = strstr(text, "\nPPid:")))
                return 0;
        return (pid_t) strtol(l + strlen("\nPPid:"), NULL, 10);
}

bool instance_pid_comm_is(pid_t pid, const char *comm) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        size_t n = strlen(comm);

        if (pid <= 0 || asprintf(&path, "/proc/%d/comm", (int) pid) < 0 || cg_read_file(path, &text) < 0)
                return false;
        return strncmp(text, comm, n) == 0 && streq(text + n, "\n");
}

pid_t instance_scope_supervisor_of(pid_t leader) {
        pid_t ppid;

        if (leader <= 0 || (ppid = instance_parent_of(leader)) <= 1)
                return 0;
        return instance_pid_comm_is(ppid, "cell") || instance_pid_comm_is(ppid, "cell-monitor") ? ppid : 0;
}

bool instance_leader_is_reaper(const CellInstance *i) {
        _cleanup_free_ char *path = NULL;
        char exe[PATH_MAX];
        struct stat a, b;
        ssize_t n;

        /* The reaper is a fork of cell's, never exec'd nor renamed: "cell"
         * (a payload has the comm of what it exec'd). */
        if (!instance_pid_comm_is(i->leader, "cell"))
                return false;
        if (asprintf(&path, "/proc/%d/exe", (int) i->leader) < 0)
                return false;
        /* It is not dumpable: its exe is unreadable but with CAP_SYS_PTRACE. */
        n = readlink(path, exe, sizeof exe - 1);
        if (n < 0)
                return errno == EACCES || errno == EPERM;
        exe[n] = 0;
        if (stat(path, &a) >= 0 && stat("/proc/self/exe", &b) >= 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
                return true;
        /* Another build of cell (replaced since the start: " (deleted)"). */
        return endswith(exe, "/cell") || endswith(exe, "/cell (deleted)");
}

/* The supervisor of a scope's cell, and the service it runs in only where
 * cell is that service's main process (instance_check_service()). */
static void instance_set_supervisor(CellInstance *i) {
        i->supervisor = instance_scope_supervisor_of(i->leader);
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

/* Whether a name found in a listing is one a verb takes ("cell status
 * NAME"): a directory made by hand in the runtime directory ("a b",
 * "x\033[2J") or a scope of another's named as cell names its own is
 * left out with a debug line, as systemd's listings leave out the files
 * whose names are no unit names. */
static bool instance_name_listed(const char *name, const char *where) {
        if (cell_name_is_valid(name, UNIT_NAME_ANY))
                return true;
        /* Escaped: it is what is not to reach a terminal. */
        _cleanup_free_ char *shown = utf8_escaped(name);
        log_debug("Ignoring %s \"%s\": not a valid cell name.", where, strna(shown));
        return false;
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
                size_t kept = 0;
                for (size_t k = 0; k < n; k++) {
                        if (!instance_name_listed(l[k].name, "the scope of")) {
                                instance_done(&l[k]);
                                continue;
                        }
                        l[kept] = l[k];
                        instance_set_supervisor(&l[kept++]);
                }
                n = kept;
        }
        r = runtime_state_list(&names);
        STRV_FOREACH(name, r >= 0 ? names : NULL) {
                CellInstance i;
                CellInstance *m;
                if (!instance_name_listed(*name, "the runtime directory")) {
                        r = 0;
                        continue;
                }
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
