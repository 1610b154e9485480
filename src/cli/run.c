/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cell run FILE|NAME [-- ARGS...]: load, plan, create the cgroup, spawn the
 * payload into it, and supervise it in the foreground. The work is in
 * spawn/, scope/ and notify/; this file is the order of things and the one
 * place that tells the human what went wrong. */

#include <errno.h>
#include <getopt.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <systemd/sd-event.h>

#include "id128-util.h"
#include "libsystemd-dlopen.h"
#include "log.h"
#include "monitor-handover.h"
#include "monitor.h"
#include "notify.h"
#include "parse-value.h"
#include "plan.h"
#include "privilege.h"
#include "run-host.h"
#include "runtime-state.h"
#include "scope.h"
#include "spawn-env.h"
#include "spawn.h"
#include "strv.h"
#include "supervise.h"
#include "unit.h"
#include "verbs.h"

typedef struct RunArgs {
        CgroupManager manager;
        bool user_bus;
        const char *name;
        const char *unit;
        char **argv;            /* after "--", NULL when none */
        int register_machine;   /* --register=: > 0 yes, < 0 no, 0 the unit's Register= */
} RunArgs;

typedef struct Run {
        Plan *plan;
        Supervisor *supervisor;
        bool ready_sent;
        /* What the hand-over to cell-monitor reads (src/monitor). */
        const Spawn *spawn;
        Scope *scope;
        const NotifyProxy *proxy;
        bool state_published;
        int monitor_fd, cell_fd;
} Run;

static void help(void) {
        printf("cell run [OPTIONS] FILE|NAME [-- ARGS...]\n\n"
               "Run a unit's container in the foreground and supervise it.\n\n"
               "  -h --help                  Show this help\n"
               "     --cgroup-manager=MODE   auto (default), systemd, cgroupfs or none\n"
               "     --user                  Talk to the user's systemd (user bus)\n"
               "     --name=NAME             Name of the unit (for specifiers, hostname, scope)\n"
               "     --register=BOOL         Register with systemd-machined (default: Register=)\n"
               "  -v --verbose               Narrate every step on stderr\n\n"
               "ARGS replace Exec= (with Boot=yes they are appended to init's command line);\n"
               "options go before FILE|NAME, and ARGS that start with \"-\" after \"--\".\n"
               "Exit status: the payload's own, 128+N when it died of signal N, 1 when the\n"
               "unit is invalid or cannot be loaded (missing, a directory), 2 when cell\n"
               "itself failed.\n");
}

/* Returns 1 to go on, 0 to exit successfully (--help), <0 on usage errors. */
static int parse_argv(int argc, char *argv[], RunArgs *a) {
        enum { ARG_CGROUP_MANAGER = 0x100, ARG_USER, ARG_NAME, ARG_REGISTER };
        static const struct option options[] = {
                { "help",           no_argument,       NULL, 'h'                },
                { "cgroup-manager", required_argument, NULL, ARG_CGROUP_MANAGER },
                { "user",           no_argument,       NULL, ARG_USER           },
                { "name",           required_argument, NULL, ARG_NAME           },
                { "register",       required_argument, NULL, ARG_REGISTER       },
                { "verbose",        no_argument,       NULL, 'v'                },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "+hv", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_CGROUP_MANAGER:
                        a->manager = cgroup_manager_from_string(optarg);
                        if (a->manager == _CGROUP_MANAGER_MAX)
                                return log_error_errno(EINVAL, "Unknown --cgroup-manager=%s (auto, systemd, cgroupfs, none).",
                                                       optarg);
                        break;
                case ARG_USER:
                        a->user_bus = true;
                        break;
                case ARG_NAME:
                        a->name = optarg;
                        break;
                case ARG_REGISTER: {
                        int b = parse_boolean(optarg);
                        if (b < 0)
                                return log_error_errno(EINVAL, "Invalid --register=%s (a boolean: yes or no).", optarg);
                        a->register_machine = b ? 1 : -1;
                        break;
                }
                case 'v':
                        log_set_max_level(LOG_DEBUG);
                        break;
                case '?':
                        return -EINVAL;
                default:
                        return -EINVAL;
                }

        if (optind >= argc)
                return log_error_errno(EINVAL, "Missing unit. See \"cell run --help\".");
        a->unit = argv[optind++];
        /* getopt_long() stops at the unit; "--" after it starts the ARGS. */
        if (optind < argc && streq(argv[optind], "--"))
                optind++;
        else if (optind < argc && argv[optind][0] == '-')
                /* "cell run web -v" or "... --user" means an option put where
                 * systemctl would take it, never a payload named "-v": started,
                 * it would make a container (a system scope for --user) only
                 * to fail its Exec=. ARGS that start with "-" follow "--". */
                return log_error_errno(EINVAL, "\"%s\" after the unit: options go before %s, the payload's "
                                       "arguments after \"--\". See \"cell run --help\".",
                                       argv[optind], a->unit);
        if (optind < argc)
                a->argv = argv + optind;
        return 1;
}

/* What cell sets in the payload's environment, around the plan's. */
static int build_environment(const Plan *p, char ***before, char ***after) {
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

/* READY=1 to our own supervisor, once. */
static void run_ready(Run *run) {
        if (run->ready_sent)
                return;
        run->ready_sent = true;
        notify_supervisor_ready(run->plan->name);
}

static void on_payload_ready(void *userdata) {
        log_debug("The payload reported READY=1.");
        run_ready(userdata);
}

/* As a service's TimeoutStopSec=, the unit's may be extended by the payload. */
static void on_payload_extend_timeout(uint64_t usec, void *userdata) {
        Run *run = userdata;

        supervisor_extend_stop(run->supervisor, usec);
}

/* The payload has run for MONITOR_AFTER_USEC: cell becomes cell-monitor,
 * which maps a fraction of what cell does, for the container's whole life;
 * what the payload's exit leaves to do comes back to cell ("cell __finish",
 * src/cli/finish.c). See src/monitor/monitor.h. */
static int on_handover(sd_event_source *source, uint64_t usec, void *userdata) {
        Run *run = userdata;
        const MonitorHandover h = {
                .plan = run->plan,
                .spawn = run->spawn,
                .scope = run->scope,
                .proxy = run->proxy,
                .ready_sent = run->ready_sent,
                .stop_requested = supervisor_stop_requested(run->supervisor),
                .state_published = run->state_published,
                .monitor_fd = run->monitor_fd,
                .cell_fd = run->cell_fd,
        };
        const char *why = monitor_handover_refused(&h);

        if (why) {
                log_debug("cell stays the payload's supervisor: %s.", why);
                return 0;
        }
        /* Returns only when the exec failed; then cell simply carries on. */
        log_debug_errno(monitor_hand_over(&h), "cell stays the payload's supervisor: starting cell-monitor failed: %m");
        return 0;
}

static void log_plan(const Plan *p, CgroupManager m) {
        if (log_get_max_level() < LOG_DEBUG)
                return;
        log_debug("Unit %s, root %s, cgroup manager %s, scope %s in %s.",
                  p->unit_path, p->root_directory, strna(cgroup_manager_to_string(m)),
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

/* The child's or the scope's failure, once. */
static int report_spawn_error(const SpawnError *err, int r) {
        if (r == -EINTR)
                return r;
        if (err->message[0])
                return log_error_errno(err->error ?: r, "%s: %m", err->message);
        return log_error_errno(r, "Starting the container: %m");
}

/* Whether the start ended because a stop was asked for: SIGTERM (systemctl
 * stop, cell stop) pending, or, with no signal, systemd cancelling the
 * scope's job or refusing it for a stop job already queued (-ESHUTDOWN). Then
 * nothing runs and nothing is left, which is what was asked: exit status 0,
 * as a service stopped while it starts ends inactive, not failed. ^C and
 * SIGHUP keep their failure. */
static bool stopped_while_starting(int r) {
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
static int await_service_stop(Scope *scope, int r, int interrupt_fd, Spawn *spawn) {
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

/* The scope's own text already says what failed and why. */
static int report_scope_error(const char *text, int r) {
        if (text)
                return log_error_errno(r, "cgroup: %s", text);
        return log_error_errno(r, "cgroup: %m");
}

/* Where no device policy restricts the container (no cgroup, or a kernel that
 * refused cell's BPF filter) and it shares the host's user namespace, CAP_MKNOD
 * would let its root make any device node -- /dev/kmsg, a disk -- and use it:
 * it is withheld, and a unit that names it is refused (crun refuses to start
 * without its device program). In a user namespace the kernel refuses device
 * nodes itself. Decided before the clone: the child bounds its caps early. */
static int withhold_mknod(Plan *p, const Scope *scope) {
        const uint64_t mknod = UINT64_C(1) << CAP_MKNOD;
        const char *why;

        if (scope_devices_restricted(scope) || (p->namespaces & CLONE_NEWUSER) || !(p->cap_bounding & mknod))
                return 0;
        why = scope_manager(scope) == CGROUP_MANAGER_NONE ? "no cgroup, --cgroup-manager=none" :
                scope_devices_unrestricted(scope) < 0 ? "the kernel refused cell's BPF device filter" :
                "no cgroup2 tree for cell's BPF device filter";
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

/* scope_new(), its failure reported, and a word on what it made. */
static int new_scope(Plan *p, CgroupManager manager, bool user_bus, sd_event *event, Scope **ret) {
        int r = scope_new(p, manager, user_bus, event, ret);
        if (r < 0)
                return report_scope_error(scope_last_error(NULL), r);
        if (scope_manager(*ret) == CGROUP_MANAGER_NONE)
                log_warning("Running without a cgroup (--cgroup-manager=none): no limits are enforced.");
        /* systemd applies Startup*= while the system starts up or shuts down, and
         * switches to the normal values after; nothing would switch them here. */
        const char *startup = plan_limits_startup_key(&p->limits);
        if (scope_manager(*ret) == CGROUP_MANAGER_CGROUPFS && startup)
                log_notice("%s=: Startup*= keys are not applied: the cgroupfs manager has no start-up or "
                           "shutdown phase, so the normal values hold throughout, as in systemd once start-up "
                           "is done.", startup);
        r = withhold_mknod(p, *ret);
        if (r < 0)
                return r;
        log_plan(p, scope_manager(*ret));
        return 0;
}

/* Clones the container's init, which builds its mounts at once and then
 * waits to be released; cgroup_fd: the cgroup it is born in, or -EBADF. */
static int start_child(const Plan *p, char **env_before, char **env_after, int cgroup_fd,
                       const SeccompProgram *seccomp, Spawn *spawn) {
        SpawnError err = {};
        const SpawnParams params = {
                .plan = p,
                .environment_before = env_before,
                .environment_after = env_after,
                .cgroup_fd = cgroup_fd,
                .seccomp = seccomp,     /* empty without a filter */
        };
        int r = spawn_start(&params, spawn, &err);
        if (r < 0)
                return report_spawn_error(&err, r);
        log_debug("Cloned the container's init: PID %d%s.", (int) spawn->pid,
                  spawn->into_cgroup ? ", born in its cgroup" : "");
        return 0;
}

static int run_container(Plan *p, const RunArgs *a, int *ret_status) {
        _cleanup_strv_free_ char **env_before = NULL, **env_after = NULL;
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        sd_event_source *handover = NULL;
        _cleanup_close_ int interrupt_fd = -EBADF, notify_fd = -EBADF;
        _cleanup_(spawn_kill) Spawn spawn = SPAWN_NULL;
        _cleanup_(seccomp_program_done) SeccompProgram seccomp = {};
        Scope *scope = NULL;
        NotifyProxy *proxy = NULL;
        Run run = { .plan = p, .monitor_fd = -EBADF, .cell_fd = -EBADF };
        SpawnError err = {};
        sigset_t set;
        int r, status = 0;
        bool state_published = false;

        /* Nothing is made for a start that cannot register. */
        r = run_machine_check(p, a->manager, a->user_bus, run_machine_what(a->register_machine));
        if (r < 0)
                return r;
        r = build_environment(p, &env_before, &env_after);
        if (r < 0)
                return r;

        /* Blocked before clone: sd-event reads them through a signalfd, and
         * the child must not die of one before it execs. */
        r = supervise_block_signals();
        if (r < 0)
                return log_error_errno(r, "Blocking signals: %m");
        /* While starting, SIGTERM/SIGINT/SIGHUP abort the start. */
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGHUP);
        interrupt_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        if (interrupt_fd < 0)
                return log_error_errno(errno, "signalfd: %m");

        /* On the host, before clone: the cache is the host's, and a hit
         * spares the child libseccomp's work. */
        r = privilege_seccomp_compile(p, true, &seccomp, &err);
        if (r < 0) {
                report_spawn_error(&err, r);
                goto finish;
        }
        if (p->seccomp)
                log_debug("System call filter: %zu instructions, %s.", seccomp.n_insns,
                          seccomp_cache_result_to_string(r));

        /* Where systemd makes the scope, the child is cloned first: it builds
         * its mounts while cell loads libsystemd, connects and systemd runs the
         * scope's job (it needs no cgroup to be born in). The cgroupfs manager
         * makes the cgroup first, so that the child is born in it; that needs
         * no event loop, so libsystemd is loaded after the clone there too. */
        bool child_first = scope_expects_systemd(a->manager);
        if (!child_first) {
                r = new_scope(p, a->manager, a->user_bus, NULL, &scope);
                if (r < 0)
                        goto finish;
        }
        r = start_child(p, env_before, env_after, scope_clone_into_fd(scope), &seccomp, &spawn);
        if (r < 0)
                goto finish;

        /* libsystemd, now that the child builds its mounts: one that cannot be
         * loaded ends the start here, and what was made is undone. */
        r = libsystemd_load();
        if (r < 0)
                goto finish;
        r = sd_event_default(&event);
        if (r < 0) {
                log_error_errno(r, "Creating the event loop: %m");
                goto finish;
        }
        /* Boot=yes: the service's WatchdogSec= is kept by cell, which pings
         * while its loop runs (cell-monitor, later, too): a systemd booted in
         * the container pings no container manager. */
        if (p->boot && notify_watchdog_usec() > 0)
                (void) sd_event_set_watchdog(event, true);

        r = supervisor_new(p, event, &run.supervisor);
        if (r < 0) {
                log_oom();
                goto finish;
        }

        if (child_first) {
                r = scope_new(p, CGROUP_MANAGER_SYSTEMD, a->user_bus, event, &scope);
                if (r >= 0)
                        log_plan(p, CGROUP_MANAGER_SYSTEMD);
                else if (r != -ENOMEM && a->manager == CGROUP_MANAGER_AUTO && !p->register_machine) {
                        /* Auto, and systemd's bus did not answer: the cgroupfs manager
                         * wants cell alone in its cgroup and the child born in the
                         * container's, so this child goes and auto decides again
                         * (not with Register=yes: that manager makes no scope). */
                        log_debug("No systemd bus after all (%s): cloning the container's init again.",
                                  strna(scope_last_error(NULL)));
                        spawn_kill(&spawn);
                        spawn = SPAWN_NULL;
                        r = new_scope(p, a->manager, a->user_bus, event, &scope);
                        if (r >= 0)
                                r = start_child(p, env_before, env_after, scope_clone_into_fd(scope), &seccomp,
                                                &spawn);
                        if (r < 0)
                                goto finish;
                } else {
                        report_scope_error(scope_last_error(NULL), r);
                        goto finish;
                }
        }

        /* The scope job runs while the child builds its mounts. */
        r = scope_attach(scope, spawn.pid, spawn.into_cgroup);
        if (r >= 0)
                r = scope_wait(scope);
        if (r < 0 && await_service_stop(scope, r, interrupt_fd, &spawn) == -ESRCH) {
                log_error("cgroup: %s, while the service cell runs in is not being stopped.",
                          strna(scope_last_error(scope)));
                goto finish;
        }
        if (r < 0 && stopped_while_starting(r)) {
                log_info("Stopped while starting (%s); nothing was left running.",
                         strna(scope_last_error(scope)));
                goto stopped;
        }
        if (r < 0) {
                report_scope_error(scope_last_error(scope), r);
                goto finish;
        }
        if (scope_leftover_stopped(scope))
                log_debug("Stopped %s, left active with no process in it by an earlier run of this name.",
                          p->scope_unit);
        log_debug("The container's cgroup is in place.");
        /* Register=yes: the leader sits in the scope now, where machined looks for
         * it; the answer is waited for once the payload runs. */
        if (p->register_machine) {
                r = run_machine_register(p, scope, &spawn, run_machine_what(a->register_machine));
                if (r < 0)
                        goto finish;
        }

        r = spawn_wait_prepared(&spawn, interrupt_fd, &notify_fd, &err);
        if (r >= 0) {
                log_debug("The container's file system is ready; releasing it.");
                r = spawn_release(&spawn, &err);
        }
        if (r >= 0)
                r = spawn_wait_exec(&spawn, interrupt_fd, &err);
        /* machined's answer, which came while the payload started; refused: the
         * payload, which has just exec'd, goes with its scope. */
        if (r >= 0 && p->register_machine && (r = run_machine_wait(scope, &spawn)) < 0 &&
            !stopped_while_starting(r)) {
                run_machine_report(scope, r, run_machine_what(a->register_machine));
                goto finish;
        }
        if (r < 0 && stopped_while_starting(r)) {
                log_info("Stopped while starting (SIGTERM); nothing was left running.");
                goto stopped;
        }
        if (r < 0) {
                if (r == -EINTR)
                        log_error("Interrupted while starting the container.");
                else
                        report_spawn_error(&err, r);
                goto finish;
        }
        log_debug("The payload is running.");
        interrupt_fd = safe_close(interrupt_fd);
        scope_release(scope);

        /* (lifecycle) Without systemd nobody else knows this cell runs: "cell
         * list/status/stop/kill/exec" find it through /run/cell/NAME/state. */
        if (scope_manager(scope) != CGROUP_MANAGER_SYSTEMD) {
                r = runtime_state_publish(p->name, p->unit_path, scope_manager(scope), spawn.pid);
                if (r < 0)
                        log_debug_errno(r, "No runtime state for cell list/exec: %m");
                state_published = r >= 0;
        }

        if (notify_fd >= 0) {
                const NotifyCallbacks notify_cb = {
                        .ready = on_payload_ready,
                        .extend_timeout = on_payload_extend_timeout,
                        .userdata = &run,
                };
                r = notify_proxy_new(p, event, notify_fd, spawn.pid, &notify_cb, &proxy);
                if (r >= 0)
                        notify_fd = -EBADF;     /* taken over */
                else {
                        log_debug_errno(r, "No notify proxy: %m");
                        notify_fd = safe_close(notify_fd);
                }
        }
        if (!p->notify_ready || !proxy) {
                if (p->notify_ready)
                        log_warning("NotifyReady=yes, but the notify proxy is not available: reporting ready now.");
                run_ready(&run);
        }

        r = supervisor_watch(run.supervisor, spawn.pid, spawn.pidfd);
        if (r >= 0) {
                run.spawn = &spawn;
                run.scope = scope;
                run.proxy = proxy;
                run.state_published = state_published;
                if (monitor_open(&run.monitor_fd, &run.cell_fd) < 0)
                        log_debug("No cell-monitor: cell stays the supervisor.");
                if (sd_event_add_time_relative(event, &handover, CLOCK_MONOTONIC, MONITOR_AFTER_USEC, 0,
                                               on_handover, &run) < 0)
                        log_debug("No timer for the hand-over to cell-monitor: cell stays the supervisor.");
                r = supervisor_run(run.supervisor, &status);
        }
        if (r < 0) {
                log_error_errno(r, "Supervising the payload: %m");
                goto finish;
        }
        int code, code_status;
        supervisor_exit_info(run.supervisor, &code, &code_status);
        supervise_log_exit(code, code_status, supervisor_stop_requested(run.supervisor),
                           scope_oom_killed(scope), p->init);
        if (supervise_orderly_stop(code, code_status, supervisor_stop_requested(run.supervisor),
                                   p->kill_signal, p->init))
                status = 0;
        log_debug("The payload exited with status %d.", status);
        *ret_status = status;
        r = 0;
        goto finish;

stopped:
        *ret_status = CELL_EXIT_OK;
        r = 0;

finish:
        /* Whatever happened: no process, no cgroup left behind. */
        handover = sd_event_source_disable_unref(handover);
        run.monitor_fd = safe_close(run.monitor_fd);
        run.cell_fd = safe_close(run.cell_fd);
        proxy = notify_proxy_free(proxy);
        spawn_kill(&spawn);
        scope = scope_free(scope);
        run.supervisor = supervisor_free(run.supervisor);
        if (state_published)
                (void) runtime_state_remove(p->name, getpid());
        return r;
}

static int run_unit(const RunArgs *a) {
        Plan plan = {};
        int r, status = CELL_EXIT_FAILURE;

        const UnitLoadOptions lo = { .name = a->name };
        const PlanOptions po = { .argv_override = a->argv, .register_machine = a->register_machine };
        r = cli_load_plan(a->unit, &lo, &po, &plan);
        if (r < 0) {
                if (r == -ENOMEM)
                        log_oom();
                return cli_unit_exit_status(r);
        }

        log_set_prefix(plan.name);
        r = run_decide_etc_files(&plan);
        if (r >= 0)
                r = run_machine_decide_id(&plan);
        if (r >= 0)
                r = run_container(&plan, a, &status);
        log_set_prefix(NULL);
        plan_done(&plan);
        return r < 0 ? CELL_EXIT_FAILURE : status;
}

int verb_run(int argc, char *argv[]) {
        RunArgs a = { .manager = CGROUP_MANAGER_AUTO };
        const char *prime;
        int r;

        r = parse_argv(argc, argv, &a);
        if (r <= 0)
                return r == 0 ? CELL_EXIT_OK : CELL_EXIT_FAILURE;

        /* The kernel's wait for systemd's move of the payload starts now, not
         * in the middle of the scope's job (src/scope/cgroup-prime.c).
         * $CELL_CGROUP_PRIME=0 turns it off, =1 on where it would not be
         * worth it (both for measurements, tests/bench). */
        prime = getenv("CELL_CGROUP_PRIME");
        if (!streq_ptr(prime, "0"))
                scope_prime(a.manager, streq_ptr(prime, "1"));
        r = run_unit(&a);
        scope_prime_cancel();   /* only when no scope_new() took it over */
        return r;
}
