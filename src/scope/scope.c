/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The front of the scope stage: picks the cgroup manager and dispatches to
 * scope-bus.c (a transient systemd scope) or scope-cgroupfs.c (a cgroup cell
 * manages itself). CGROUP_MANAGER_NONE is handled here: it does nothing. */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-leftover.h"
#include "cgroup-prime.h"
#include "log.h"
#include "name-lock.h"
#include "parse-limits.h"
#include "runtime-state.h"
#include "scope-cgroupfs.h"
#include "scope-internal.h"

static const char * const cgroup_manager_table[_CGROUP_MANAGER_MAX] = {
        [CGROUP_MANAGER_AUTO] = "auto",
        [CGROUP_MANAGER_SYSTEMD] = "systemd",
        [CGROUP_MANAGER_CGROUPFS] = "cgroupfs",
        [CGROUP_MANAGER_NONE] = "none",
};

const char *cgroup_manager_to_string(CgroupManager m) {
        if ((unsigned) m >= _CGROUP_MANAGER_MAX)
                return NULL;
        return cgroup_manager_table[m];
}

CgroupManager cgroup_manager_from_string(const char *s) {
        if (!s)
                return _CGROUP_MANAGER_MAX;
        for (CgroupManager m = 0; m < _CGROUP_MANAGER_MAX; m++)
                if (streq(cgroup_manager_table[m], s))
                        return m;
        return _CGROUP_MANAGER_MAX;
}

int scope_set_error(Scope *s, int r, const char *fmt, ...) {
        va_list ap;
        char *t;

        va_start(ap, fmt);
        if (vasprintf(&t, fmt, ap) < 0)
                t = NULL;
        va_end(ap);
        free(s->error);
        s->error = t;
        return r;
}

/* The name's lock into *ret_fd, its file naming manager (_CGROUP_MANAGER_MAX:
 * none yet); the refusal's text into *ret_error. */
static int name_lock_take(const char *name, CgroupManager manager, int *ret_fd, char **ret_error) {
        _cleanup_free_ char *notes = NULL, *path = NULL;
        pid_t holder = 0;
        int r;

        /* One name, one cell, whatever manager runs it: systemd makes a scope's
         * name unique among its scopes only, and the cgroupfs and none
         * managers have no scope at all. */
        r = name_lock_acquire_as(name, manager, ret_fd, &holder, &notes);
        if (r == -EBUSY) {
                (void) name_lock_path(name, &path);
                if ((holder > 0 ? asprintf(ret_error, NAME_LOCK_RUNNING_FMT, name, (int) holder, strna(path)) :
                     asprintf(ret_error, "cell %s is already running (another cell holds %s)", name,
                              strna(path))) < 0)
                        *ret_error = NULL;
                return -EEXIST;
        }
        if (r == -EAGAIN) {
                (void) name_lock_path(name, &path);
                if (asprintf(ret_error, "cell %s: a take-back of what a killed run of it left has held %s for %u s",
                             name, strna(path), name_lock_take_back_wait_ms / 1000) < 0)
                        *ret_error = NULL;
                return -EEXIST;
        }
        if (r < 0) {
                if (asprintf(ret_error, "cannot lock the name %s in %s: %s", name, runtime_state_dir(),
                             strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }
        /* What a killed cgroupfs cell of this name made, wherever it started,
         * whichever manager runs this one: its notes are replaced by ours. */
        if (!isempty(notes))
                (void) cgroup_leftover_take_back(notes, 1000, NULL);
        return 0;
}

int scope_name_lock(Scope *s, CgroupManager manager, int *ret_fd) {
        char *error = NULL;
        int r;

        if (s->lock_fd >= 0) {
                /* Taken before the manager was known (scope_lock_name()): named
                 * now, once, for "cell list". */
                if (!s->lock_named)
                        name_lock_note(s->lock_fd, NAME_LOCK_NOTE_MANAGER, cgroup_manager_to_string(manager));
                s->lock_named = true;
                int fd = TAKE_FD(s->lock_fd);
                *ret_fd = fd;
                return 0;
        }
        r = name_lock_take(s->name, manager, ret_fd, &error);
        if (r < 0) {
                free(s->error);
                s->error = error;
                return r;
        }
        s->lock_named = true;
        return 0;
}

/* The text of the last scope_new() failure: there is no Scope to carry it,
 * so scope_last_error(NULL) returns it. */
static char *scope_new_error = NULL;

/* What sd_booted() checks (the directory systemd makes first thing as PID 1),
 * without libsystemd: cell loads that on first use (src/cli/libsystemd-dlopen.h),
 * and scope_prime() asks before it has started the kernel's wait. */
static bool booted_with_systemd(void) {
        return faccessat(AT_FDCWD, "/run/systemd/system/", F_OK, AT_SYMLINK_NOFOLLOW) >= 0;
}

/* The name's lock of a start, taken before anything of it was made
 * (scope_lock_name()); the next scope_new() of the name takes it over. */
static struct {
        int fd;
        char *name;
        bool named;     /* its file names the manager */
} early_lock = { .fd = -EBADF };

int scope_lock_name(const char *name, CgroupManager manager, bool user_bus) {
        char *error = NULL;
        int r;

        /* A --user scope's names are its user manager's (scope-bus.c); only
         * another manager it falls back on takes the system's lock. */
        if (isempty(name) || early_lock.name ||
            (user_bus && (manager == CGROUP_MANAGER_SYSTEMD || manager == CGROUP_MANAGER_AUTO)))
                return 0;
        early_lock.name = strdup(name);
        if (!early_lock.name)
                return -ENOMEM;
        /* AUTO: the manager is named once scope_new() has chosen it. */
        r = name_lock_take(name, manager == CGROUP_MANAGER_AUTO ? _CGROUP_MANAGER_MAX : manager, &early_lock.fd,
                           &error);
        free(scope_new_error);
        scope_new_error = error;
        if (r < 0 || early_lock.fd < 0) {
                early_lock.name = mfree(early_lock.name);
                return r;
        }
        early_lock.named = manager != CGROUP_MANAGER_AUTO;
        return 0;
}

void scope_lock_name_cancel(void) {
        if (early_lock.name)
                name_lock_release(early_lock.name, TAKE_FD(early_lock.fd));
        early_lock.name = mfree(early_lock.name);
}

void scope_name_note(const Scope *s, const char *key, const char *value) {
        int fd = scope_name_lock_fd(s);

        if (fd < 0 && !s && early_lock.name)
                fd = early_lock.fd;
        name_lock_note(fd, key, value);
}

/* scope_new(): the start's lock, if it was taken for this name. */
static void early_lock_adopt(Scope *s) {
        if (early_lock.fd < 0 || !streq_ptr(early_lock.name, s->name))
                return;
        s->lock_fd = TAKE_FD(early_lock.fd);
        s->lock_named = early_lock.named;
        s->lock_early = true;
}

/* A failed scope_new() gives the start's lock back, wherever the manager
 * put it: the start goes on holding its name (another manager's try, its
 * end), and no start of the name comes in between. */
static void early_lock_give_back(Scope *s) {
        int *fd;

        if (!s || !s->lock_early)
                return;
        /* The cgroupfs manager's, once it took it over; before that, the Scope's. */
        fd = s->fs && s->fs->lock_fd >= 0 ? &s->fs->lock_fd : &s->lock_fd;
        if (*fd < 0)
                return;
        early_lock.fd = TAKE_FD(*fd);
        early_lock.named = s->lock_named;
        s->lock_early = false;
}

static int scope_new_fail(Scope *s, int r) {
        early_lock_give_back(s);
        free(scope_new_error);
        scope_new_error = s ? TAKE_PTR(s->error) : NULL;
        scope_free(s);
        return r;
}

/* The disk behind each IO per-device limit, before any cgroup or scope is
 * made: systemd drops a limit whose path it cannot resolve, with only a
 * warning in its log, and the cgroupfs manager writes the numbers. */
static int scope_io_resolve(Scope *s, const PlanLimits *l) {
        _cleanup_free_ dev_t *devs = NULL;

        if (l->n_io_devices == 0)
                return 0;
        devs = calloc(l->n_io_devices, sizeof(dev_t));
        if (!devs)
                return -ENOMEM;
        for (size_t i = 0; i < l->n_io_devices; i++) {
                const CellIODevice *d = l->io_devices + i;
                int r = cg_io_resolve(d->path, devs + i);
                if (r < 0)
                        return scope_set_error(s, r, "%s:%u: %s=%s: %s", strna(d->file), d->line,
                                               io_kind_key(d->kind), d->path,
                                               r == -ENOTBLK ? "a character device, not a block device" :
                                               r == -ENODEV ? "no block device is behind its file system" :
                                               r == -EXDEV ? "its btrfs is made of several devices: name the "
                                                             "disk to limit" :
                                               strerror(-r));
        }
        return cg_io_disks(l->io_devices, devs, l->n_io_devices, &s->io_disks, &s->n_io_disks);
}

CgroupManager scope_detect_manager(bool user_bus) {
        if (booted_with_systemd()) {
                sd_bus *bus = NULL;
                if (scope_bus_open(user_bus, &bus) >= 0) {
                        /* No flush: nothing was sent, and a bus that never answers its
                         * handshake would hold a flush for sd-bus's 90 s. */
                        sd_bus_close_unref(bus);
                        return CGROUP_MANAGER_SYSTEMD;
                }
        }
        return scope_cgroupfs_usable() > 0 ? CGROUP_MANAGER_CGROUPFS : CGROUP_MANAGER_NONE;
}

/* Started by scope_prime(), taken over by the next scope_new(). */
static CgroupPrime *early_prime = NULL;

bool scope_expects_systemd(CgroupManager manager) {
        return manager == CGROUP_MANAGER_SYSTEMD || (manager == CGROUP_MANAGER_AUTO && booted_with_systemd());
}

void scope_prime(CgroupManager manager, bool force) {
        if (early_prime)
                return;
        /* Only where systemd will move the payload into its scope: the cgroupfs
         * manager clones it into its cgroup on cgroup2 (nothing to wait for), and
         * on the hybrid layout a helper's move would hold the kernel's cgroup_mutex
         * through the grace period, which cell's own mkdir()s of the container's
         * cgroups then wait for, before the clone: a lone start there took 17.1 ms
         * primed, 10.6 ms not (tests/bench/RESULTS.md, the forty-ninth session).
         * And only where that move waits long (cg_prime_useful()), unless asked for. */
        if (!scope_expects_systemd(manager))
                return;
        if (!force && !cg_prime_useful(NULL)) {
                log_debug("The kernel expedites its grace periods: no early cgroup move.");
                return;
        }
        if (cg_prime_start(NULL, &early_prime) >= 0)
                log_debug("An early cgroup move starts the kernel's grace period.");
}

void scope_prime_cancel(void) {
        early_prime = cg_prime_reap(early_prime, true, NULL);
}

int scope_new(const Plan *p, CgroupManager manager, bool user_bus, Event *event, Scope **ret) {
        int r;

        if (!p || !ret || (unsigned) manager >= _CGROUP_MANAGER_MAX)
                return -EINVAL;
        if (manager == CGROUP_MANAGER_SYSTEMD && !event)
                return -EINVAL;

        Scope *s = calloc(1, sizeof(Scope));
        if (!s)
                return scope_new_fail(NULL, -ENOMEM);
        s->lock_fd = -EBADF;    /* before anything can fail: scope_free() must find no fd 0 here */
        s->name = strdup(strempty(p->name));
        s->unit = p->scope_unit ? strdup(p->scope_unit) : NULL;
        if (!s->name || (p->scope_unit && !s->unit))
                return scope_new_fail(s, -ENOMEM);
        early_lock_adopt(s);
        if (event)
                s->event = event_ref(event);
        s->devices_prog_fd = -EBADF;
        s->n_needs = cg_limits_needs(&p->limits, s->needs);
        if (manager != CGROUP_MANAGER_NONE) {
                r = scope_io_resolve(s, &p->limits);
                if (r >= 0)
                        r = scope_devices_prepare(s, p, user_bus);
                if (r < 0)
                        return scope_new_fail(s, r);
        }

        s->prime = TAKE_PTR(early_prime);
        if (manager == CGROUP_MANAGER_AUTO) {
                /* systemd when it is PID 1 and its bus answers; else our own cgroup;
                 * with no cgroup filesystem at all (an initramfs): none. */
                manager = CGROUP_MANAGER_NONE;
                if (event && booted_with_systemd()) {
                        /* A bad $CELL_SCOPE_TIMEOUT is no reason to take another manager. */
                        r = scope_bus_timeout(s);
                        if (r < 0)
                                return scope_new_fail(s, r);
                        r = scope_bus_new(s, p, user_bus);
                        if (r >= 0)
                                manager = CGROUP_MANAGER_SYSTEMD;
                        /* -EEXIST: the name runs; no other manager runs it again. */
                        else if (r == -ENOMEM || r == -EEXIST)
                                return scope_new_fail(s, r);
                }
                if (manager == CGROUP_MANAGER_NONE && scope_cgroupfs_usable() > 0)
                        manager = CGROUP_MANAGER_CGROUPFS;
                free(s->error);
                s->error = NULL;
        } else if (manager == CGROUP_MANAGER_SYSTEMD) {
                r = scope_bus_timeout(s);
                if (r >= 0)
                        r = scope_bus_new(s, p, user_bus);
                if (r < 0)
                        return scope_new_fail(s, r);
        }

        s->manager = manager;
        if (manager == CGROUP_MANAGER_SYSTEMD) {
                s->n_needs = cg_limits_needs_systemd(&p->limits, s->needs, s->n_needs);
                r = scope_cpuset_expect(s, &p->limits);
                if (r < 0)
                        return scope_new_fail(s, r);
                /* systemd clamps the period as cgroupfs does, with a warning in its
                 * journal only: the unit's reader is told, once the scope holds
                 * the limits (scope_wait()), not before a refusal of the unit. */
                r = scope_cpu_period_notice_text(p, &s->period_notice);
                if (r < 0)
                        return scope_new_fail(s, r);
        }
        if (manager == CGROUP_MANAGER_CGROUPFS) {
                /* No bus after all: the helper must be gone before cell checks that
                 * it is alone in its cgroup (cgroup-leaf.c). */
                s->prime = cg_prime_reap(s->prime, true, NULL);
                r = scope_cgroupfs_new(s, p);
                if (r < 0)
                        return scope_new_fail(s, r);
        }
        /* No cgroup, but the name all the same: the runtime state, the only
         * trace of such a cell, is one per name. */
        if (manager == CGROUP_MANAGER_NONE) {
                r = scope_name_lock(s, manager, &s->lock_fd);
                if (r < 0)
                        return scope_new_fail(s, r);
        }
        scope_new_error = mfree(scope_new_error);
        *ret = s;
        return 0;
}

CgroupManager scope_manager(const Scope *s) {
        return s ? s->manager : CGROUP_MANAGER_NONE;
}

int scope_clone_into_fd(const Scope *s) {
        if (!s || s->manager != CGROUP_MANAGER_CGROUPFS)
                return -EBADF;
        return scope_cgroupfs_clone_into_fd(s);
}

int scope_attach(Scope *s, pid_t pid, bool born_in) {
        if (!s || pid <= 0)
                return -EINVAL;
        switch (s->manager) {
        case CGROUP_MANAGER_SYSTEMD:
                return scope_bus_attach(s, pid);
        case CGROUP_MANAGER_CGROUPFS:
                return scope_cgroupfs_attach(s, pid, born_in);
        case CGROUP_MANAGER_NONE:
                return 0;
        case CGROUP_MANAGER_AUTO:
        case _CGROUP_MANAGER_MAX:
        default:
                return -EINVAL;
        }
}

int scope_wait(Scope *s) {
        if (!s)
                return -EINVAL;
        if (s->manager == CGROUP_MANAGER_SYSTEMD) {
                int r = scope_bus_wait(s);
                if (r < 0)
                        return r;
                /* systemd's move is done, so the helper's is too, as a rule (it waited for
                 * the same grace period); should it still be at work (no CPU for it yet),
                 * it is not waited for here but when the scope goes. */
                s->prime = cg_prime_reap(s->prime, false, NULL);
                r = scope_check_and_attach(s, scope_bus_pid(s));
                if (r < 0)
                        return r;
                if (s->period_notice)
                        log_notice("%s", s->period_notice);
                s->period_notice = mfree(s->period_notice);
                return 0;
        }
        return 0;       /* cgroupfs: cgroup.procs was written synchronously by scope_attach() */
}

void scope_child_released(Scope *s) {
        /* systemd removes an empty scope at once (CollectMode=): watch for OOM
         * kills while it exists. Without the watch only the report is missing. */
        if (s && s->manager == CGROUP_MANAGER_SYSTEMD && !s->oom)
                (void) scope_oom_watch_new(s->event, scope_bus_pid(s), s->unit, &s->oom);
}

void scope_release(Scope *s) {
        if (s && s->manager == CGROUP_MANAGER_SYSTEMD) {
                scope_machined_free(s);
                scope_bus_release(s);
                /* No start under way any more for "cell list/status/stop/kill":
                 * the scope names this cell now (one write). */
                name_lock_note(s->lock_fd, NAME_LOCK_NOTE_STARTED, "scope");
        }
}

const char *scope_last_error(const Scope *s) {
        return s ? s->error : scope_new_error;
}

const OomCounter *scope_oom_counter(Scope *s) {
        const OomCounter *c = NULL;

        if (s && s->manager == CGROUP_MANAGER_SYSTEMD)
                c = scope_oom_watch_counter(s->oom);
        else if (s && s->manager == CGROUP_MANAGER_CGROUPFS)
                c = scope_cgroupfs_oom_counter(s);
        return c && c->fd >= 0 ? c : NULL;
}

bool scope_oom_killed(Scope *s) {
        if (!s)
                return false;
        if (s->manager == CGROUP_MANAGER_SYSTEMD)
                return scope_oom_watch_killed(s->oom);
        if (s->manager != CGROUP_MANAGER_CGROUPFS)
                return false;
        return scope_cgroupfs_oom_killed(s);
}

Scope *scope_free(Scope *s) {
        if (!s)
                return NULL;
        s->oom = scope_oom_watch_free(s->oom);
        s->prime = cg_prime_reap(s->prime, true, NULL);
        scope_machined_free(s);
        scope_bus_free(s);
        scope_cgroupfs_free(s);
        scope_devices_free(s);
        free(s->io_disks);
        free(s->period_notice);
        for (ScopeCpuset i = 0; i < _SCOPE_CPUSET_MAX; i++) {
                free(s->cpuset[i]);
                free(s->cpuset_startup[i]);
        }
        /* Last: the scope's StopUnit is sent, the cgroups are gone. */
        name_lock_release(s->name, s->lock_fd);
        event_unref(s->event);
        free(s->name);
        free(s->unit);
        free(s->error);
        free(s);
        return NULL;
}
