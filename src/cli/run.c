/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cell run FILE|NAME [-- ARGS...]: load, plan, create the cgroup, spawn the
 * payload into it, and supervise it in the foreground. The work is in
 * spawn/, scope/ and notify/; this file is the order of things and the one
 * place that tells the human what went wrong. */

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include "event-loop.h"

#include "credentials.h"
#include "diag.h"
#include "fs-util.h"
#include "libsystemd-dlopen.h"
#include "log.h"
#include "monitor-handover.h"
#include "monitor.h"
#include "mount-source.h"
#include "notify.h"
#include "plan.h"
#include "privilege.h"
#include "root-image.h"
#include "run-args.h"
#include "run-console.h"
#include "run-host.h"
#include "run-payload.h"
#include "run-relay.h"
#include "run-start.h"
#include "runtime-state.h"
#include "scope.h"
#include "spawn-env.h"
#include "spawn.h"
#include "strv.h"
#include "supervise.h"
#include "unit-name.h"
#include "unit-path.h"
#include "unit.h"
#include "verbs.h"
#include "verify-mounts.h"

/* Before anything is made: a mount of the unit's at or below /dev/console,
 * where a console (every mode but pipe) gets its pty bound after the unit's
 * mounts, on a file made there for it. Such a mount failed the start as
 * "creating /dev/console: File exists", without its line, after verify
 * passed it; an Inaccessible= there hid nothing (nspawn's console covers
 * what is there too). */
static int run_console_check_mounts(const Plan *p, RunConsoleMode m) {
        if (m == RUN_CONSOLE_PIPE)
                return 0;
        for (size_t i = 0; i < p->n_mounts; i++) {
                const PlanMount *u = &p->mounts[i];
                char what[MOUNT_DESCRIBE_MAX];

                if (u->line == 0 || !path_is_below(u->target, "/dev/console"))
                        continue;
                return log_error_errno(EEXIST, "%s: cell binds the console's pty over /dev/console (--console=%s) "
                                       "after the unit's mounts: a mount of the unit's there needs "
                                       "--console=pipe (-P).", mount_describe(u, what, sizeof what),
                                       run_console_mode_to_string(m));
        }
        return 0;
}

static int run_container(Plan *p, const RunArgs *a, RootImage *image, int *root_fd, int *ret_status) {
        _cleanup_strv_free_ char **env_before = NULL, **env_after = NULL;
        _cleanup_(event_unrefp) Event *event = NULL;
        EventSource *handover = NULL;
        _cleanup_close_ int interrupt_fd = -EBADF, notify_fd = -EBADF;
        _cleanup_(spawn_kill) Spawn spawn = SPAWN_NULL;
        _cleanup_(seccomp_program_done) SeccompProgram seccomp = {};
        Scope *scope = NULL;
        NotifyProxy *proxy = NULL;
        Run run = { .plan = p, .monitor_fd = -EBADF, .cell_fd = -EBADF };
        RunConsole console = RUN_CONSOLE_NULL;
        RunConsoleMode console_mode = run_console_mode_resolve(a->console, p->boot);
        RunRelay relay = RUN_RELAY_NULL;
        RunStdio stdio = RUN_STDIO_NULL;
        SpawnError err = {};
        sigset_t set;
        int r, status = 0;
        bool state_published = false;

        /* Nothing is made for a start that cannot register. */
        r = run_machine_check(p, a->manager, a->user_bus, run_machine_what(a->register_machine));
        if (r < 0)
                return r;
        r = run_console_check_mounts(p, console_mode);
        if (r < 0)
                return r;
        r = run_build_environment(p, &env_before, &env_after);
        if (r < 0)
                return r;
        /* While starting, SIGTERM/SIGINT/SIGHUP abort the start (blocked since
         * run_unit(): read through this signalfd). */
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGHUP);
        interrupt_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        if (interrupt_fd < 0)
                return log_error_errno(errno, "Creating the signalfd that reads a stop during the start: %m");
        /* One that came while the image was mounted (or the unit read) ends
         * the start here, before anything else is made; the image is undone
         * by our caller. */
        if (run_stopped_while_starting(-EINTR)) {
                log_info("Stopped while starting (SIGTERM); nothing was left running.");
                goto stopped;
        }
        if (sigpending(&set) >= 0 && (sigismember(&set, SIGINT) > 0 || sigismember(&set, SIGHUP) > 0)) {
                log_error("Interrupted while starting the container.");
                goto finish;
        }

        /* Before anything is made: a credential that cannot be read fails the
         * start here, leaving nothing behind. Read as the host's root from our
         * caller's $CREDENTIALS_DIRECTORY (systemd's LoadCredential= of the
         * service that runs cell). */
        r = credentials_read(p, &(const CredentialSources) {
                                     .caller_dir = getenv("CREDENTIALS_DIRECTORY"),
                                     .interruptible = true, .interrupt_fd = interrupt_fd,
                             }, &err);
        if (r < 0 && run_stopped_while_starting(r)) {
                log_info("Stopped while starting (SIGTERM); nothing was left running.");
                goto stopped;
        }
        if (r == -EINTR) {
                log_error("Interrupted while starting the container.");
                goto finish;
        }
        if (r < 0) {
                run_report_spawn_error(p, &err, r);
                goto finish;
        }
        if (p->n_credential_data > 0)
                log_debug("Credentials for %s: %zu.", p->credentials_directory, p->n_credential_data);

        /* On the host, before clone: the cache is the host's, and a hit
         * spares the child libseccomp's work. */
        r = privilege_seccomp_compile(p, true, &seccomp, &err);
        if (r < 0) {
                run_report_spawn_error(p, &err, r);
                goto finish;
        }
        if (p->seccomp)
                log_debug("System call filter: %zu instructions, %s.", seccomp.n_insns,
                          seccomp_cache_result_to_string(r));

        /* Where systemd makes the scope, the child is cloned first: it builds
         * its mounts while cell loads libsystemd, connects and systemd runs the
         * scope's job (it needs no cgroup to be born in). The cgroupfs manager
         * makes the cgroup first, so that the child is born in it, and loads no
         * libsystemd unless the unit registers with systemd-machined. */
        /* As the service's journal stream: the payload writes to pipes of ours,
         * so that journald files its lines under the service (run-relay.h). */
        /* The host's files in our fds 0, 1 and 2 kept from a container root
         * that is the host's (run-stdio.h): the outputs relayed as well. */
        run_stdio_guard(p, console_mode == RUN_CONSOLE_PIPE, &stdio);
        r = run_relay_open(&relay, console_mode == RUN_CONSOLE_PIPE, stdio.relay_fds);
        if (r < 0)
                goto finish;
        run.relay = &relay;
        bool child_first = scope_expects_systemd(a->manager);
        if (!child_first) {
                r = run_new_scope(p, a->manager, a->user_bus, NULL, &scope);
                if (r < 0)
                        goto finish;
        }
        r = run_stdio_start(&stdio);
        if (r < 0)
                goto finish;
        r = run_start_child(p, env_before, env_after, scope, &seccomp,
                            console_mode != RUN_CONSOLE_PIPE,
                            run_relay_write_ends(&relay), &stdio, image, *root_fd, NULL, &spawn);
        if (r < 0)
                goto finish;

        /* libsystemd, for the scope's bus, now that the child builds its mounts:
         * one that cannot be loaded ends the start here, and what was made is
         * undone. A start that asks no bus never loads it: the event loop is
         * cell's own (event-loop.h); what else calls libsystemd loads it on
         * first use (libsystemd-dlopen.c). */
        if (child_first) {
                r = libsystemd_load();
                if (r < 0)
                        goto finish;
        }
        r = event_new(&event);
        if (r < 0) {
                log_error_errno(r, "Creating the event loop: %m");
                goto finish;
        }
        /* What waits for our supervisor goes from the loop. Boot=yes: the service's
         * WatchdogSec= is kept by cell, which pings while its loop runs (cell-monitor,
         * later, too): a systemd booted in the container pings no container manager. */
        (void) notify_loop_attach(event, p->boot ? notify_watchdog_usec() : 0);

        r = supervisor_new(p, event, &run.supervisor);
        if (r < 0) {
                log_oom();
                goto finish;
        }

        if (child_first) {
                r = scope_new(p, CGROUP_MANAGER_SYSTEMD, a->user_bus, event, &scope);
                if (r >= 0)
                        run_log_plan(p, CGROUP_MANAGER_SYSTEMD);
                else if (r != -ENOMEM && r != -EEXIST && a->manager == CGROUP_MANAGER_AUTO && !p->register_machine) {
                        /* Auto, and systemd's bus did not answer: the cgroupfs manager
                         * wants cell alone in its cgroup and the child born in the
                         * container's, so this child goes and auto decides again
                         * (not with Register=yes: that manager makes no scope). */
                        _cleanup_(spawn_locks_done) SpawnLocks locks = SPAWN_LOCKS_NULL;

                        log_debug("No systemd bus after all (%s): cloning the container's init again.",
                                  strna(scope_last_error(NULL)));
                        /* The same start: its ports, UID range and places stay
                         * its own across, never another start's in between. */
                        r = spawn_kill_keep_locks(&spawn, &locks, &err);
                        spawn = SPAWN_NULL;
                        if (r < 0)
                                r = run_report_spawn_error(p, &err, r);
                        if (r >= 0)
                                r = run_new_scope(p, a->manager, a->user_bus, event, &scope);
                        if (r >= 0)
                                r = run_image_mount_again(p, image);
                        if (r >= 0)
                                r = run_start_child(p, env_before, env_after, scope, &seccomp,
                                                    console_mode != RUN_CONSOLE_PIPE,
                                                    run_relay_write_ends(&relay), &stdio, image,
                                                    *root_fd, &locks, &spawn);
                        if (r < 0)
                                goto finish;
                } else {
                        run_report_scope_error(p, scope_last_error(NULL), r);
                        goto finish;
                }
        }

        /* No clone is made after this point: what was read for the
         * credentials is the child's now, and leaves cell's memory. */
        plan_credentials_forget(p);
        run_relay_close_write_ends(&relay);
        run_stdio_close_input(&stdio);

        /* The scope job runs while the child builds its mounts. */
        r = scope_attach(scope, spawn.pid, spawn.into_cgroup);
        if (r >= 0)
                r = scope_wait(scope);
        if (r < 0 && run_await_service_stop(scope, r, interrupt_fd, &spawn) == -ESRCH) {
                log_error("cgroup: %s, while the service cell runs in is not being stopped.",
                          strna(scope_last_error(scope)));
                goto finish;
        }
        if (r < 0 && run_stopped_while_starting(r)) {
                log_info("Stopped while starting (%s); nothing was left running.",
                         strna(scope_last_error(scope)));
                goto stopped;
        }
        if (r < 0) {
                SpawnError child_err = {};
                int k = run_child_failed_first(&spawn, interrupt_fd, &child_err);

                if (k < 0)
                        r = run_report_spawn_error(p, &child_err, k);
                else
                        run_report_scope_error(p, scope_last_error(scope), r);
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
                if (r >= 0)
                        scope_child_released(scope);
        }
        if (r >= 0)
                r = spawn_wait_exec(&spawn, interrupt_fd, &err);
        /* machined's answer, which came while the payload started; refused: the
         * payload, which has just exec'd, goes with its scope. */
        if (r >= 0 && p->register_machine && (r = run_machine_wait(scope, &spawn)) < 0 &&
            !run_stopped_while_starting(r)) {
                run_machine_report(scope, r, run_machine_what(a->register_machine));
                goto finish;
        }
        if (r < 0 && run_stopped_while_starting(r)) {
                log_info("Stopped while starting (SIGTERM); nothing was left running.");
                goto stopped;
        }
        if (r < 0) {
                if (r == -EINTR)
                        log_error("Interrupted while starting the container.");
                else {
                        if (scope_oom_killed(scope))
                                spawn_error_oom_killed(&spawn, &err);
                        run_report_spawn_error(p, &err, r);
                }
                goto finish;
        }
        log_debug("The payload is running.");
        /* The start succeeded: what its build made stays. */
        spawn_started(&spawn);
        /* Directory= was for the start: the container's life holds none of the host's places open. */
        *root_fd = safe_close(*root_fd);
        interrupt_fd = safe_close(interrupt_fd);
        scope_release(scope);

        r = run_publish_state(p, scope, spawn.pid, &state_published);
        if (r < 0)
                goto finish;

        if (notify_fd >= 0) {
                const NotifyCallbacks notify_cb = {
                        .ready = run_on_payload_ready,
                        .extend_timeout = run_on_payload_extend_timeout,
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

        /* The console's pty: to an output that is no terminal, relayed as
         * pipe mode's output is, and cell-monitor's after the hand-over;
         * else forwarded from here in our loop, and cell stays the
         * supervisor (cell-monitor forwards no terminal). */
        if (spawn.console_fd >= 0 && run_console_relayed(console_mode))
                run_relay_take_console(&relay, TAKE_FD(spawn.console_fd));
        else if (spawn.console_fd >= 0) {
                run.console = true;
                r = run_console_start(&console, event, console_mode, TAKE_FD(spawn.console_fd), spawn.pidfd);
                if (r < 0)
                        log_warning_errno(r, "Forwarding the console: %m");
                supervisor_set_resize(run.supervisor, run_console_resize, &console);
        }

        r = run_relay_start(&relay, event);
        if (r < 0)
                goto finish;
        r = supervisor_watch(run.supervisor, spawn.pid, spawn.pidfd);
        if (r >= 0) {
                run.spawn = &spawn;
                run.scope = scope;
                run.proxy = proxy;
                run.state_published = state_published;
                if (monitor_open(&run.monitor_fd, &run.cell_fd) < 0)
                        log_debug("No cell-monitor: cell stays the supervisor.");
                if (event_add_time_relative(event, &handover, MONITOR_AFTER_USEC, run_on_handover, &run) < 0)
                        log_debug("No timer for the hand-over to cell-monitor: cell stays the supervisor.");
                /* Last of all that is pending: a signal the loop has read
                 * already (a stop's SIGTERM) is handled, not lost at the exec. */
                else
                        (void) event_source_set_priority(handover, EVENT_PRIORITY_IDLE);
                r = supervisor_run(run.supervisor, &status);
        }
        if (r < 0) {
                log_error_errno(r, "Supervising the payload: %m");
                goto finish;
        }
        SuperviseEnd end = {
                .stop_requested = supervisor_stop_requested(run.supervisor),
                .oom_killed = scope_oom_killed(scope),
                .kill_signal = p->kill_signal,
                .init = p->init,
                .boot = p->boot,
        };
        supervisor_exit_info(run.supervisor, &end.code, &end.status);
        run_console_done(&console);     /* its last words before ours */
        run_relay_done(&relay);
        status = supervise_end_status(&end);
        log_debug("The payload exited with status %d.", status);
        *ret_status = status;
        r = 0;
        goto finish;

stopped:
        *ret_status = CELL_EXIT_OK;
        r = 0;

finish:
        /* Whatever happened: no process, no cgroup left behind. */
        handover = event_source_disable_unref(handover);
        /* Our terminal as it was, on every way out. */
        run_console_done(&console);
        run.monitor_fd = safe_close(run.monitor_fd);
        run.cell_fd = safe_close(run.cell_fd);
        proxy = notify_proxy_free(proxy);
        notify_loop_detach();
        spawn_kill(&spawn);
        run_relay_done(&relay);         /* what it wrote before it was killed */
        run_stdio_done(&stdio);
        scope = scope_free(scope);
        run.supervisor = supervisor_free(run.supervisor);
        if (state_published)
                (void) runtime_state_remove(p->name, getpid());
        return r;
}

/* The name the unit runs as is that of a template ("cell run ./worker@.cell",
 * "cell run worker@"): systemctl refuses to start one ("missing the instance
 * name"); the instance "i", which the loader puts in, is for verify and plan. */
static bool run_name_is_template(const RunArgs *a) {
        _cleanup_free_ char *n = NULL;
        const char *s = a->name;

        if (!s) {
                s = a->unit;
                if (unit_is_path(s))
                        s = basename(s);
        }
        return unit_name_normalize(s, &n) >= 0 && cell_name_is_valid(n, UNIT_NAME_TEMPLATE);
}

static int run_unit(const RunArgs *a) {
        Plan plan = {};
        RootImage image = ROOT_IMAGE_NULL;
        _cleanup_close_ int root_fd = -EBADF;
        char root_buf[32];
        const char *root;
        int r, status = CELL_EXIT_FAILURE;

        /* Blocked before anything is made (Image='s loop device and mount
         * come first): a stop then is a stop while starting (exit 0, see
         * run_container()), not a death of SIGTERM (143, which systemd counts
         * as the service's failure). The event loop reads them through a
         * signalfd, and the child must not die of one before it execs. */
        r = supervise_block_signals();
        if (r < 0) {
                log_error_errno(r, "Blocking signals: %m");
                return CELL_EXIT_FAILURE;
        }

        const UnitLoadOptions lo = { .name = a->name };
        const PlanOptions po = { .argv_override = a->argv, .register_machine = a->register_machine };
        r = cli_load_plan(a->unit, &lo, &po, &plan);
        if (r < 0) {
                if (r == -ENOMEM)
                        log_oom();
                return cli_unit_exit_status(r);
        }
        /* The watchdog is the payload's: systemd's SIGABRT when it fires is
         * a stop, read by the supervisor (supervise-common.h). */
        if (!plan.boot)
                (void) supervise_block_watchdog_abort();
        if (run_name_is_template(a)) {
                _cleanup_free_ char *prefix = NULL;

                (void) unit_name_to_prefix(plan.name, &prefix);
                log_error("%s: %s@ is a template, and a template runs only as an instance: name one, as "
                          "\"cell run --name %s@INSTANCE %s\" or \"cell run %s@INSTANCE\".", plan.unit_path,
                          strna(prefix), strna(prefix), a->unit, strna(prefix));
                plan_done(&plan);
                return CELL_EXIT_FAILURE;
        }

        log_set_prefix(plan.name);
        /* The name first: a start of a name that runs is refused before it
         * attaches an image, reads a credential (a socket's one-time answer,
         * a decryption) or clones, and one that waits for those is a start
         * under way to "cell stop" and "cell list". */
        r = scope_lock_name(plan.name, a->manager, a->user_bus);
        if (r < 0) {
                if (r == -ENOMEM)
                        log_oom();
                else
                        run_report_scope_error(&plan, scope_last_error(NULL), r);
                log_set_prefix(NULL);
                plan_done(&plan);
                return CELL_EXIT_FAILURE;
        }
        /* Image=: mounted before the image is looked at; the container's
         * mount holds it from its start on, ours goes at the end (and with
         * the last of them the loop device). */
        if (plan.root_image) {
                SpawnError err = {};

                r = root_image_mount(&plan, &image, &err);
                if (r < 0)
                        r = run_report_spawn_error(&plan, &err, r);
                else
                        log_debug("Image %s: %s%s%s%s.", plan.root_image, image.fstype, image.device[0] ? " on " : "",
                                  image.device, image.read_only ? ", read-only" : "");
        }
        /* Directory=, opened once: what is decided on, locked and built on
         * is this directory, wherever a link in its path leads later. */
        if (r >= 0)
                r = run_open_root(&plan, &root_fd);
        /* A mount whose target is a file of the other kind would fail the
         * start (ENOTDIR, EISDIR): a problem of the unit's (exit 1), said
         * as "cell verify" says it, before anything is made for it. */
        if (r >= 0) {
                _cleanup_(diag_done) Diagnostics diag = {};

                r = cli_check_mount_targets(&plan, root_fd, &diag);
                cli_diag_print(&diag);
                if (r == -ENOMEM)
                        log_oom();
                else if (r < 0)
                        status = CELL_EXIT_INVALID;
        }
        root = root_fd >= 0 ? run_root_path(root_fd, root_buf, sizeof root_buf) :
                root_image_root_path(&plan, &image, root_buf, sizeof root_buf);
        if (r >= 0)
                r = run_decide_etc_files(&plan, root);
        if (r >= 0)
                r = run_machine_decide_id(&plan, root);
        if (r >= 0)
                r = run_container(&plan, a, &image, &root_fd, &status);
        root_image_done(&image);
        log_set_prefix(NULL);
        plan_done(&plan);
        return r < 0 && status != CELL_EXIT_INVALID ? CELL_EXIT_FAILURE : status;
}

int verb_run(int argc, char *argv[]) {
        RunArgs a = { .manager = CGROUP_MANAGER_AUTO, .console = RUN_CONSOLE_AUTOPIPE };
        const char *prime;
        int r;

        r = run_parse_argv(argc, argv, &a);
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
        scope_lock_name_cancel();       /* likewise */
        /* systemd goes by our exit: what it has not read yet, first. */
        (void) notify_drain(NOTIFY_DRAIN_USEC);
        return r;
}
