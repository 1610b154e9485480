/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Telling an OOM kill in a cgroup that systemd owns (the transient scope).
 *
 * cell cannot simply read the counter after the payload has exited: the
 * scope has CollectMode=inactive-or-failed, so systemd removes its cgroup as
 * soon as it is empty, and a read at exit races that removal. Instead cell
 * watches while the cgroup exists:
 *
 *   cgroup2: memory.events; kernfs notifies a change with EPOLLPRI, and each
 *     change is read at once (oom_kill N).
 *   cgroup1: the memory controller's OOM notifier: an eventfd registered in
 *     cgroup.event_control for memory.oom_control fires on every OOM of the
 *     group; memory.oom_control then says how many were killed (oom_kill N).
 *     It also fires when the cgroup is removed; then the read fails.
 *
 * The cgroup comes from /proc/PID/cgroup of the payload (no bus round trip).
 * The watch is set up once the child is let go (scope_child_released()),
 * while it execs: not before, for the start's latency, and not later, for a payload
 * killed in its first moments (MemoryMax= too small for it) is gone with its
 * scope by the supervisor's first turn of the event loop, and cgroup1 shows
 * an exiting process in "/" of every hierarchy. The source runs at high
 * priority, so that an OOM notification is handled before the payload's
 * exit that follows it. Left: a kill that empties the scope may be read only
 * after systemd removed it (then the end is told as a plain SIGKILL;
 * cell.unit(5) says so): rare on cgroup1, whose notifier fires at once,
 * likelier on cgroup2, which notifies a change of memory.events at most once
 * in 10 ms (the oom_kill after the "max" events may come late). */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "cgroup-util.h"
#include "oom-counter.h"
#include "scope-internal.h"

struct ScopeOom {
        EventSource *io;
        OomCounter counter;
};

static int on_oom_event(EventSource *source, int fd, uint32_t revents, void *userdata) {
        ScopeOom *o = userdata;

        /* Once the cgroup is removed, its file polls ready for good. */
        if (oom_counter_event(&o->counter) < 0)
                (void) event_source_set_enabled(o->io, EVENT_OFF);
        return 0;
}

/* path cut after its component name ("/machine.slice/cell-web.scope/sub" ->
 * "/machine.slice/cell-web.scope"): the payload may have made sub-cgroups
 * (Delegate=yes) by now. NULL when the path does not pass through name:
 * the scope has no cgroup of its own in that hierarchy. */
static char *cut_at(const char *path, const char *name) {
        size_t l = strlen(name);
        for (const char *p = path; (p = strchr(p, '/')); p++)
                if (strncmp(p + 1, name, l) == 0 && (p[1 + l] == '/' || p[1 + l] == 0))
                        return strndup(path, p + 1 + l - path);
        return NULL;
}

static int watch_v2(ScopeOom *o, const char *dir) {
        _cleanup_free_ char *f = NULL;
        if (asprintf(&f, "%s/memory.events", dir) < 0)
                return -ENOMEM;
        o->counter.fd = open(f, O_RDONLY|O_CLOEXEC|O_NOCTTY);
        if (o->counter.fd < 0)
                return negative_errno();        /* no memory controller here */
        o->counter.unified = true;
        return 0;
}

static int watch_v1(ScopeOom *o, const char *dir) {
        _cleanup_free_ char *f = NULL, *ctl = NULL;
        char line[64];

        if (asprintf(&f, "%s/memory.oom_control", dir) < 0 || asprintf(&ctl, "%s/cgroup.event_control", dir) < 0)
                return -ENOMEM;
        o->counter.fd = open(f, O_RDONLY|O_CLOEXEC|O_NOCTTY);
        if (o->counter.fd < 0)
                return negative_errno();
        /* Its oom_kill counts its own processes' kills: those below it are read there. */
        o->counter.dirfd = open(dir, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (o->counter.dirfd < 0)
                return negative_errno();
        o->counter.efd = eventfd(0, EFD_CLOEXEC|EFD_NONBLOCK);
        if (o->counter.efd < 0)
                return negative_errno();
        _cleanup_close_ int cfd = open(ctl, O_WRONLY|O_CLOEXEC|O_NOCTTY);
        if (cfd < 0)
                return negative_errno();
        /* "<eventfd> <memory.oom_control fd>": the memory controller's OOM notifier. */
        snprintf(line, sizeof line, "%d %d", o->counter.efd, o->counter.fd);
        if (write(cfd, line, strlen(line)) < 0)
                return negative_errno();
        return 0;
}

static int watch_setup(ScopeOom *o, Event *event, pid_t pid, const char *name) {
        _cleanup_free_ char *rel = NULL, *dir = NULL;
        CgroupMembership *own = NULL;
        CgroupMount *mounts = NULL;
        size_t n_own = 0, n_mounts = 0;
        int r;

        r = cg_read_both(pid, &own, &n_own, &mounts, &n_mounts);
        if (r < 0)
                return r;

        /* A cgroup1 memory hierarchy (a hybrid host) holds the controller; else cgroup2. */
        const CgroupMount *m = cg_mount_find(mounts, n_mounts, "memory");
        const char *p = m ? cg_membership_path(own, n_own, "memory") : NULL;
        if (!m || !p) {
                m = cg_mount_find(mounts, n_mounts, NULL);
                p = m ? cg_membership_path(own, n_own, NULL) : NULL;
        }
        r = -ENOENT;
        if (m && p && (rel = cut_at(p, name)) && (dir = cg_mount_path(m, rel)))
                r = m->unified ? watch_v2(o, dir) : watch_v1(o, dir);
        else if (rel && !dir)
                r = -ENOMEM;
        if (r >= 0) {
                uint32_t events = 0;
                int fd = oom_counter_poll_fd(&o->counter, &events);
                r = event_add_io(event, &o->io, fd, events, on_oom_event, o);
        }
        if (r >= 0)
                r = event_source_set_priority(o->io, EVENT_PRIORITY_IMPORTANT);
        if (r >= 0)
                (void) oom_counter_update(&o->counter);        /* a kill before the watch began */
        cg_membership_free(own, n_own);
        cg_mount_free(mounts, n_mounts);
        return r;
}

int scope_oom_watch_new(Event *event, pid_t pid, const char *cgroup_name, ScopeOom **ret) {
        ScopeOom *o;
        int r;

        if (!event || pid <= 0 || !cgroup_name || !ret)
                return -EINVAL;
        o = calloc(1, sizeof(ScopeOom));
        if (!o)
                return -ENOMEM;
        o->counter = OOM_COUNTER_NULL;
        /* No memory cgroup of the scope's own, or it is gone already: nothing
         * to watch, and only the report of a kill is missing. */
        r = watch_setup(o, event, pid, cgroup_name);
        if (r < 0) {
                scope_oom_watch_free(o);
                return r;
        }
        *ret = o;
        return 0;
}

bool scope_oom_watch_killed(ScopeOom *o) {
        return o && oom_counter_killed(&o->counter);
}

const OomCounter *scope_oom_watch_counter(const ScopeOom *o) {
        return o ? &o->counter : NULL;
}

ScopeOom *scope_oom_watch_free(ScopeOom *o) {
        if (!o)
                return NULL;
        event_source_disable_unref(o->io);
        oom_counter_done(&o->counter);
        free(o);
        return NULL;
}
