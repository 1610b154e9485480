/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "cell run"'s start, step by step (run-start.h): the scope, the child, and
 * what ended a start that did not get to the payload. */

#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-util.h"
#include "cgroup-v1-notice.h"
#include "console.h"
#include "env-util.h"
#include "id128-util.h"
#include "log.h"
#include "notify.h"
#include "run-start.h"
#include "strv.h"
#include "verbs.h"

/* What cell sets in the payload's environment, around the plan's. */
int run_build_environment(const Plan *p, char ***before, char ***after) {
        uint64_t watchdog;
        char n[32];
        int r;

        r = cli_pass_environment(p, before);
        if (r < 0)
                return r;
        r = cli_read_environment_files(p, after);
        if (r < 0)
                return r;

        if (p->notify_socket && env_assignf(after, "NOTIFY_SOCKET", p->notify_socket) < 0)
                return log_oom();
        /* Boot=yes: not for an init (systemd) that does not ping its container
         * manager; cell keeps the watchdog (run_container()). */
        watchdog = p->boot ? 0 : notify_watchdog_usec();
        if (watchdog > 0) {
                (void) snprintf(n, sizeof n, "%llu", (unsigned long long) watchdog);
                if (env_assignf(after, "WATCHDOG_USEC", n) < 0)
                        return log_oom();
        }
        if (env_assignf(after, "container", "cell") < 0)
                return log_oom();
        /* As systemd-nspawn: where the payload finds LoadCredential= and SetCredential=. */
        if (p->credentials_directory && env_assignf(after, "CREDENTIALS_DIRECTORY", p->credentials_directory) < 0)
                return log_oom();
        /* As systemd-nspawn: the ID machined knows the container by, which
         * a systemd inside takes when the image has no /etc/machine-id. */
        if (p->machine_id_set) {
                char uuid[ID128_UUID_STRING_MAX];
                if (env_assignf(after, "container_uuid", id128_to_uuid_string(p->machine_id, uuid)) < 0)
                        return log_oom();
        }
        /* Here, before anything is made, rather than at execve() in the
         * container with the kernel's "Argument list too long". */
        return cli_check_environment(p, *before, *after);
}

int run_image_mount_again(const Plan *p, RootImage *image) {
        RootImage again = ROOT_IMAGE_NULL;
        SpawnError err = {};
        int r;

        if (!p->root_image)
                return 0;
        /* Its locks go over to the new mount, never let go in between:
         * another start could take the image there, and ours would fail. */
        r = root_image_mount_again(p, image, &again, &err);
        if (r < 0)
                return run_report_spawn_error(p, &err, r);
        root_image_done(image);
        *image = again;
        return 0;
}

/* The scope is made (both paths of "cell run" come here once): what a systemd
 * scope leaves unapplied without a word; then, with --verbose, the plan. */
void run_log_plan(const Plan *p, CgroupManager m) {
        if (m == CGROUP_MANAGER_SYSTEMD) {
                /* On a v1 host: CPUWeight=idle, which systemd writes as
                 * cpu.shares 2, and IO weights where the blkio hierarchy
                 * weighs no IO or is not mounted, which it sets as
                 * properties and writes nothing for; its debug log alone
                 * says so, and cell cannot tell afterwards. Said once each,
                 * as the cgroupfs manager says them. */
                cg_v1_start_warn(p, m, NULL, 0, CG_V1_NOTICE_CPU_IDLE);
                cg_v1_start_warn(p, m, NULL, 0, CG_V1_NOTICE_IO_WEIGHTS);
        }
        if (log_get_max_level() < LOG_DEBUG)
                return;
        log_debug("Unit %s, root %s, cgroup manager %s, scope %s in %s.",
                  p->unit_path, plan_root_source(p), strna(cgroup_manager_to_string(m)),
                  strna(p->scope_unit), strna(p->slice));
        for (size_t i = 0; i < p->n_mounts; i++) {
                const PlanMount *mt = p->mounts + i;
                log_debug("mount %s: %s -> %s%s%s", plan_mount_kind_to_string(mt->kind),
                          strna(mt->source ?: mt->fstype), strna(mt->target),
                          mt->data ? " " : "", strempty(mt->data));
        }
        _cleanup_free_ char *cmd = strv_join(p->argv, " ");
        log_debug("Exec: %s", strna(cmd));
}

/* A step of the build that ran out of memory, with a memory limit on the
 * container's cgroup: the child is in that cgroup while it builds (born in it,
 * or moved by systemd's job meanwhile), so what the kernel allocates for its
 * namespaces and mounts counts against the limit. Said, at the key's line. */
static void report_memory_limit(const Plan *p) {
        const char *key = p->limits.memory_max.kind != CELL_LIMIT_UNSET ? "MemoryMax" :
                          p->limits.memory_swap_max.kind != CELL_LIMIT_UNSET ? "MemorySwapMax" : NULL;
        char origin[PATH_MAX + 32];

        if (key)
                log_error("%s%s=: the container's cgroup holds its set-up too (namespaces, mounts), and this "
                          "limit may be too small for it", plan_origin_prefix(p, key, 0, origin, sizeof origin), key);
}

/* The child's or the scope's failure, once; one about a key the unit set
 * named where it was written, as "cell verify" names it. */
int run_report_spawn_error(const Plan *p, const SpawnError *err, int r) {
        char origin[PATH_MAX + 32];

        if (r == -EINTR)
                return r;
        if (!err->message[0])
                return log_error_errno(r, "Starting the container: %m");
        if (err->complete)
                r = log_error_errno(err->error ?: r, "%s%s",
                                    plan_message_origin(p, err->message, origin, sizeof origin), err->message);
        else
                r = log_error_errno(err->error ?: r, "%s%s: %m",
                                    plan_message_origin(p, err->message, origin, sizeof origin), err->message);
        /* The child's step, not the supervisor's allocations. */
        if (err->error == ENOMEM)
                report_memory_limit(p);
        return r;
}

/* A child that fails while it builds the container (Exec= not found, an
 * unknown User=, a missing Bind= source) reports why and exits, often before
 * systemd's move into the scope, which skips an exiting process: the scope's
 * check then finds it outside its cgroup, and that was reported instead of
 * the cause. The child's report precedes its exit, so it is there to read
 * when the scope's start fails. An empty socket means the child is still at
 * work: the scope's failure stands, and nothing here waits (with a console,
 * its pty may be there alone: then until the child's build ends). */
int run_child_failed_first(Spawn *spawn, int interrupt_fd, SpawnError *err) {
        struct pollfd pfd = { .fd = spawn->sync_fd, .events = POLLIN };
        int r;

        if (spawn->sync_fd < 0 || poll(&pfd, 1, 0) <= 0 || !(pfd.revents & POLLIN))
                return 0;
        r = spawn_wait_prepared(spawn, interrupt_fd, NULL, err);
        /* PREPARED: the child was well; EOF (-ECHILD): it died saying nothing. */
        if (r >= 0 || r == -ECHILD || r == -EINTR)
                return 0;
        return r;
}

/* Whether the start ended because a stop was asked for: SIGTERM (systemctl
 * stop, cell stop) pending, or, with no signal, systemd cancelling the
 * scope's job or refusing it for a stop job already queued (-ESHUTDOWN). Then
 * nothing runs and nothing is left, which is what was asked: exit status 0,
 * as a service stopped while it starts ends inactive, not failed. ^C and
 * SIGHUP keep their failure. */
bool run_stopped_while_starting(int r) {
        sigset_t pending;

        if (sigpending(&pending) < 0)
                return false;
        if (sigismember(&pending, SIGTERM) > 0)
                return r == -EINTR || r == -ECANCELED || r == -ESHUTDOWN;
        if (sigismember(&pending, SIGINT) > 0 || sigismember(&pending, SIGHUP) > 0)
                return false;
        return r == -ECANCELED || r == -ESHUTDOWN;
}

static bool stop_signal_pending(void) {
        sigset_t pending;

        return sigpending(&pending) >= 0 &&
                (sigismember(&pending, SIGTERM) > 0 || sigismember(&pending, SIGINT) > 0 ||
                 sigismember(&pending, SIGHUP) > 0);
}

/* systemd ended the scope's start (r) for a stop of the service cell runs
 * in, but sends that stop's signal only when it runs the stop job, which
 * may wait (for the stops of units ordered after the service). The main
 * process of a Type=notify service that exits before then, without READY=1,
 * ends it failed (result 'protocol') where the stop asked for inactive: so
 * cell, its child killed, waits for the signal while systemd says the stop
 * is still to come (its TimeoutStartSec= still bounds the wait). 0: a stop
 * (the signal, or the end of it, is the caller's); -ESRCH: the service is
 * not being stopped, systemd stopped the scope alone. */
int run_await_service_stop(Scope *scope, int r, int interrupt_fd, Spawn *spawn) {
        bool waiting = false;

        if (r != -ECANCELED && r != -ESHUTDOWN)
                return 0;
        for (;;) {
                ScopeServiceStop st;
                struct pollfd pfd = { .fd = interrupt_fd, .events = POLLIN };
                int k;

                if (stop_signal_pending())
                        return 0;
                k = scope_service_stop(scope, &st);
                if (k < 0) {
                        log_debug_errno(k, "Asking systemd about the service's stop: %m");
                        return 0;
                }
                if (st == SCOPE_SERVICE_NOT_STOPPING)
                        return -ESRCH;
                if (st != SCOPE_SERVICE_STOP_QUEUED)
                        return 0;
                if (!waiting) {
                        log_debug("The service's stop job is queued: waiting for its signal.");
                        spawn_kill(spawn);
                        *spawn = SPAWN_NULL;
                        waiting = true;
                }
                /* Asked again every second: the job may be replaced or cancelled. */
                k = ppoll(&pfd, 1, &(struct timespec) { .tv_sec = 1 }, NULL);
                if (k < 0 && errno != EINTR)
                        return 0;
        }
}

/* The scope's own text already says what failed and why; one about a
 * [Limits] key the kernel or systemd refused is named where the key was
 * written, as run_report_spawn_error() names a spawn's. */
int run_report_scope_error(const Plan *p, const char *text, int r) {
        char origin[PATH_MAX + 32];

        /* "already running" is no cgroup step's failure: the name's lock's
         * (every manager's, none's too) or the systemd scope's of that name. */
        if (text && r == -EEXIST && startswith(text, "cell ") && strstr(text, " is already running ("))
                return log_error_errno(r, "%s", text);
        if (text)
                return log_error_errno(r, "cgroup: %s%s", plan_message_origin(p, text, origin, sizeof origin), text);
        return log_error_errno(r, "cgroup: %m");
}

/* Where no device policy restricts the container (no cgroup, or a kernel that
 * refused cell's BPF filter) and it shares the host's user namespace, CAP_MKNOD
 * would let its root make any device node -- /dev/kmsg, a disk -- and use it:
 * it is withheld, and a unit that names it is refused (crun refuses to start
 * without its device program). In a user namespace the kernel refuses device
 * nodes itself. A node the image has already would still open in either, so
 * its root is mounted nodev (mount-setup.c). Decided before the clone: the
 * child bounds its caps early. */
static int withhold_mknod(Plan *p, const Scope *scope) {
        const uint64_t mknod = UINT64_C(1) << CAP_MKNOD;
        const char *why;
        int layout = 0;

        p->devices_unrestricted = !scope_devices_restricted(scope);
        if (scope_devices_restricted(scope) || (p->namespaces & CLONE_NEWUSER) || !(p->cap_bounding & mknod))
                return 0;
        /* No filter without a word from the kernel: whether there is a cgroup2
         * tree at all, read again; failing that read (out of fds, as the
         * scope's own step may have been) is no "no cgroup2 tree". */
        if (scope_manager(scope) != CGROUP_MANAGER_NONE && scope_devices_unrestricted(scope) >= 0) {
                layout = cg_layout();
                if (layout < 0)
                        return log_error_errno(layout, "cgroup: no device filter on the container's cgroup, and "
                                               "reading the host's cgroup mounts to tell why failed: %m");
        }
        why = scope_manager(scope) == CGROUP_MANAGER_NONE ? "no cgroup, --cgroup-manager=none" :
                scope_devices_unrestricted(scope) < 0 ? "the kernel refused cell's BPF device filter" :
                layout < CGROUP_LAYOUT_HYBRID ? "no cgroup2 tree for cell's BPF device filter" :
                "cell's cgroup in the cgroup2 tree, for its BPF device filter, could not be made";
        if (p->cap_required & mknod)
                return log_error_errno(EPERM, "%s=CAP_MKNOD: device access is not restricted here (%s), "
                                       "so the container's root could make and use any device node; refusing to "
                                       "start. Use a cgroup manager with a device filter, or PrivateUsers=.",
                                       p->cap_ambient & mknod ? "AmbientCapability" : "Capability", why);
        log_warning("Device access is not restricted (%s): CAP_MKNOD is withheld from the container, "
                    "so that its root cannot make device nodes.", why);
        plan_withhold_capabilities(p, mknod);
        return 0;
}

/* systemd applies Startup*= while the system starts up or shuts down, and
 * switches to the normal values after; nothing would switch them here. Each
 * key the unit sets, where it set it. */
static void startup_notice(const Plan *p) {
        const char *keys[PLAN_STARTUP_KEYS_MAX];
        size_t n = plan_limits_startup_keys(&p->limits, keys);

        for (size_t i = 0; i < n; i++) {
                char key[64], origin[PATH_MAX + 32];

                (void) snprintf(key, sizeof key, "%s=:", keys[i]);
                log_notice("%s%s Startup*= keys are not applied: the cgroupfs manager has no start-up or shutdown "
                           "phase, so %s= (or its default) holds throughout, as in systemd once start-up is done.",
                           plan_message_origin(p, key, origin, sizeof origin), key, keys[i] + strlen("Startup"));
        }
}

/* scope_new(), its failure reported, and a word on what it made. */
int run_new_scope(Plan *p, CgroupManager manager, bool user_bus, Event *event, Scope **ret) {
        int r = scope_new(p, manager, user_bus, event, ret);
        if (r < 0)
                return run_report_scope_error(p, scope_last_error(NULL), r);
        /* An init (Boot=yes) is told too: systemd as PID 1 mounts and manages
         * a cgroup hierarchy, which the container then has none of. */
        if (scope_manager(*ret) == CGROUP_MANAGER_NONE)
                log_warning("Running without a cgroup (--cgroup-manager=none): no limits are enforced%s.",
                            p->boot ? ", and Boot=yes's init finds no cgroup hierarchy of the container's own "
                            "under /sys/fs/cgroup: a systemd init cannot boot so" : "");
        if (scope_manager(*ret) == CGROUP_MANAGER_CGROUPFS)
                startup_notice(p);
        r = withhold_mknod(p, *ret);
        if (r < 0)
                return r;
        run_log_plan(p, scope_manager(*ret));
        return 0;
}

/* SpawnParams.note: in the name's lock, wherever it is held now. */
static void note_in_name_lock(const char *key, const char *value, void *userdata) {
        scope_name_note(userdata, key, value);
}

/* Clones the container's init, which builds its mounts at once and then
 * waits to be released; scope: the one whose cgroup it is born in (if any). */
int run_start_child(const Plan *p, char **env_before, char **env_after, const Scope *scope,
                    const SeccompProgram *seccomp, bool console, const int *output_fds, const RunStdio *stdio,
                    const RootImage *image, int root_fd, SpawnLocks *locks, Spawn *spawn) {
        SpawnError err = {};
        SpawnParams params = {
                .plan = p,
                .environment_before = env_before,
                .environment_after = env_after,
                .cgroup_fd = scope_clone_into_fd(scope),
                .seccomp = seccomp,     /* empty without a filter */
                .console = console,
                .relay_output = output_fds,
                .output_fds = { output_fds ? output_fds[0] : -EBADF, output_fds ? output_fds[1] : -EBADF },
                .null_fds = stdio->null_fds,
                .input_fd = stdio->input_fd,
                .root_image_fd = image ? image->mount_fd : -EBADF,
                .root_image_lock_fd = image ? image->lock_fd : -EBADF,
                .root_image_whole_lock_fd = image ? image->whole_lock_fd : -EBADF,
                .root_directory_fd = root_fd,
                .locks = locks,
                .note = note_in_name_lock,
                .note_userdata = (void *) scope,
        };
        if (console)
                console_window_size(&params.console_size);
        int r = spawn_start(&params, spawn, &err);
        if (r < 0)
                return run_report_spawn_error(p, &err, r);
        log_debug("Cloned the container's init: PID %d%s.", (int) spawn->pid,
                  spawn->into_cgroup ? ", born in its cgroup" : "");
        return 0;
}
