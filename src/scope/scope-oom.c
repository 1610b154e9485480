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
 * The cgroup comes from /proc/PID/cgroup of the payload (no bus round trip),
 * and nothing is opened before the payload runs: the watch is set up by a
 * deferred event, on the supervisor's first turn of the event loop. The
 * sources run at high priority, so that an OOM notification is handled
 * before the payload's exit that follows it. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "cgroup-util.h"
#include "scope-internal.h"

struct ScopeOom {
        sd_event_source *defer, *io;
        pid_t pid;
        char *name;             /* the scope's cgroup directory name ("cell-web.scope") */
        int fd;                 /* cgroup2: memory.events; cgroup1: memory.oom_control */
        int efd;                /* cgroup1: the eventfd of the OOM notifier */
        bool unified;
        bool gone;              /* the cgroup was removed: the counter is final */
        bool oom_seen;          /* cgroup1: an OOM notification while the cgroup existed */
        uint64_t kills;         /* the last oom_kill read */
};

/* oom_kill of the open file (pread from 0: a cgroup file is read whole again,
 * which also re-arms kernfs poll). -errno once the cgroup is gone. */
static int read_kills(ScopeOom *o, uint64_t *ret) {
        char buf[512];
        ssize_t k = pread(o->fd, buf, sizeof buf - 1, 0);
        if (k < 0)
                return negative_errno();
        buf[k] = 0;
        for (char *line = buf; *line; ) {
                char *eol = strchrnul(line, '\n');
                const char *v = startswith(line, "oom_kill ");
                if (v) {
                        *ret = strtoull(v, NULL, 10);
                        return 0;
                }
                line = *eol ? eol + 1 : eol;
        }
        return -ENODATA;
}

static int update(ScopeOom *o) {
        uint64_t n;
        int r = read_kills(o, &n);
        if (r < 0) {
                /* Removed: nothing will change any more, and a removed kernfs
                 * file polls ready for good. */
                o->gone = true;
                if (o->io)
                        (void) sd_event_source_set_enabled(o->io, SD_EVENT_OFF);
                return r;
        }
        o->kills = MAX(o->kills, n);
        return 0;
}

static int on_memory_events(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        update(userdata);
        return 0;
}

static int on_oom_eventfd(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        ScopeOom *o = userdata;
        uint64_t n;
        if (read(o->efd, &n, sizeof n) != (ssize_t) sizeof n)
                return 0;
        /* Readable: an OOM of the group (a removal leaves nothing to read). */
        if (update(o) >= 0)
                o->oom_seen = true;
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
        o->fd = open(f, O_RDONLY|O_CLOEXEC|O_NOCTTY);
        if (o->fd < 0)
                return negative_errno();        /* no memory controller here */
        o->unified = true;
        return sd_event_add_io(sd_event_source_get_event(o->defer), &o->io, o->fd, EPOLLPRI,
                               on_memory_events, o);
}

static int watch_v1(ScopeOom *o, const char *dir) {
        _cleanup_free_ char *f = NULL, *ctl = NULL;
        char line[64];
        int r;

        if (asprintf(&f, "%s/memory.oom_control", dir) < 0 || asprintf(&ctl, "%s/cgroup.event_control", dir) < 0)
                return -ENOMEM;
        o->fd = open(f, O_RDONLY|O_CLOEXEC|O_NOCTTY);
        if (o->fd < 0)
                return negative_errno();
        o->efd = eventfd(0, EFD_CLOEXEC|EFD_NONBLOCK);
        if (o->efd < 0)
                return negative_errno();
        _cleanup_close_ int cfd = open(ctl, O_WRONLY|O_CLOEXEC|O_NOCTTY);
        if (cfd < 0)
                return negative_errno();
        /* "<eventfd> <memory.oom_control fd>": the memory controller's OOM notifier. */
        snprintf(line, sizeof line, "%d %d", o->efd, o->fd);
        if (write(cfd, line, strlen(line)) < 0)
                return negative_errno();
        r = sd_event_add_io(sd_event_source_get_event(o->defer), &o->io, o->efd, EPOLLIN, on_oom_eventfd, o);
        return r;
}

static int watch_setup(ScopeOom *o) {
        _cleanup_free_ char *rel = NULL, *dir = NULL;
        CgroupMembership *own = NULL;
        CgroupMount *mounts = NULL;
        size_t n_own = 0, n_mounts = 0;
        int r;

        r = cg_read_both(o->pid, &own, &n_own, &mounts, &n_mounts);
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
        if (m && p && (rel = cut_at(p, o->name)) && (dir = cg_mount_path(m, rel)))
                r = m->unified ? watch_v2(o, dir) : watch_v1(o, dir);
        else if (rel && !dir)
                r = -ENOMEM;
        if (r >= 0 && o->io)
                r = sd_event_source_set_priority(o->io, SD_EVENT_PRIORITY_IMPORTANT);
        if (r >= 0) {
                /* A kill before the watch began. */
                uint64_t n;
                if (read_kills(o, &n) >= 0)
                        o->kills = n;
        }
        cg_membership_free(own, n_own);
        cg_mount_free(mounts, n_mounts);
        return r;
}

static int on_defer(sd_event_source *source, void *userdata) {
        ScopeOom *o = userdata;
        if (watch_setup(o) < 0) {
                /* No memory cgroup of the scope's own, or it is gone already:
                 * nothing to watch. Library code: no log. */
                o->io = sd_event_source_disable_unref(o->io);
                o->fd = safe_close(o->fd);
                o->efd = safe_close(o->efd);
        }
        return 0;
}

int scope_oom_watch_new(sd_event *event, pid_t pid, const char *cgroup_name, ScopeOom **ret) {
        ScopeOom *o;
        int r;

        if (!event || pid <= 0 || !cgroup_name || !ret)
                return -EINVAL;
        o = calloc(1, sizeof(ScopeOom));
        if (!o)
                return -ENOMEM;
        o->fd = o->efd = -EBADF;
        o->pid = pid;
        o->name = strdup(cgroup_name);
        if (!o->name) {
                scope_oom_watch_free(o);
                return -ENOMEM;
        }
        r = sd_event_add_defer(event, &o->defer, on_defer, o);
        if (r >= 0)
                r = sd_event_source_set_priority(o->defer, SD_EVENT_PRIORITY_IMPORTANT);
        if (r < 0) {
                scope_oom_watch_free(o);
                return r;
        }
        *ret = o;
        return 0;
}

bool scope_oom_watch_killed(ScopeOom *o) {
        if (!o)
                return false;
        if (o->fd >= 0 && !o->gone) {
                /* Once more at the payload's exit, if the cgroup is still there. */
                if (o->efd >= 0) {
                        uint64_t n;
                        if (read(o->efd, &n, sizeof n) == (ssize_t) sizeof n && update(o) >= 0)
                                o->oom_seen = true;
                }
                (void) update(o);
        }
        /* cgroup1 notifies before the victim is chosen, so a removal right after
         * may leave the counter unread: then the notification alone counts. */
        return o->kills > 0 || (!o->unified && o->oom_seen && o->gone);
}

ScopeOom *scope_oom_watch_free(ScopeOom *o) {
        if (!o)
                return NULL;
        sd_event_source_disable_unref(o->defer);
        sd_event_source_disable_unref(o->io);
        safe_close(o->fd);
        safe_close(o->efd);
        free(o->name);
        free(o);
        return NULL;
}
