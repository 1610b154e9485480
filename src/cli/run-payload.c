/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "cell run" once the payload runs: readiness, the runtime state and the
 * hand-over to cell-monitor (run-payload.h). */

#include <errno.h>
#include <limits.h>
#include <unistd.h>

#include "log.h"
#include "macros.h"
#include "monitor-handover.h"
#include "monitor.h"
#include "run-payload.h"
#include "runtime-state.h"

void run_ready(Run *run) {
        if (run->ready_sent)
                return;
        run->ready_sent = true;
        notify_supervisor_ready(run->plan->name);
}

void run_on_payload_ready(void *userdata) {
        Run *run = userdata;

        log_debug("The payload reported READY=1.");
        if (!run->plan->notify_ready) {
                run_ready(run);         /* sent at the start already */
                return;
        }
        /* NotifyReady=yes: the relay passed the payload's READY=1 up, once:
         * the service's; cell's own would be a second. */
        if (run->ready_sent)
                return;
        run->ready_sent = true;
        notify_supervisor_ready_relayed(run->plan->name);
}

/* As a service's TimeoutStopSec=, the unit's may be extended by the payload. */
void run_on_payload_extend_timeout(uint64_t usec, void *userdata) {
        Run *run = userdata;

        supervisor_extend_stop(run->supervisor, usec);
}

/* What cell-monitor is handed, as things are now. */
static MonitorHandover run_handover_state(const Run *run) {
        return (MonitorHandover) {
                .plan = run->plan,
                .spawn = run->spawn,
                .scope = run->scope,
                .proxy = run->proxy,
                .ready_sent = run->ready_sent,
                .stop_requested = supervisor_stop_requested(run->supervisor),
                .state_published = run->state_published,
                .monitor_fd = run->monitor_fd,
                .cell_fd = run->cell_fd,
                .output_fds = { run->relay->output[0].pipe, run->relay->output[1].pipe },
                .output_gone = { run->relay->output[0].out_gone, run->relay->output[1].out_gone },
                .output_dropping = { run->relay->output[0].out_dropping_told,
                                     run->relay->output[1].out_dropping_told },
                .console = run->relay->console,
                .console_cr_held = run->relay->output[0].n_cr_held,
                .console_slave_fd = run->relay->console_slave,
        };
}

/* Whether the cell-monitor opened at the payload's start reads our hand-over
 * (monitor_agrees()). One that does not is let go, and cell stays the
 * supervisor, as with CELL_MONITOR=0: the container runs on and stops as
 * any other, only without cell-monitor's smaller footprint. */
static bool run_monitor_agrees(Run *run) {
        char why[PATH_MAX + 256];
        int r;

        if (run->monitor_asked)
                return run->monitor_fd >= 0;
        run->monitor_asked = true;
        r = monitor_agrees(run->monitor_fd, why, sizeof why);
        if (r >= 0)
                return true;
        log_full_errno(r == -EPROTO || r == -EPROTONOSUPPORT ? LOG_NOTICE : LOG_DEBUG, r,
                       "cell stays the container's supervisor: %s", why);
        run->monitor_fd = safe_close(run->monitor_fd);
        return false;
}

/* The payload has run for MONITOR_AFTER_USEC: cell becomes cell-monitor,
 * which maps a fraction of what cell does, for the container's whole life;
 * what the payload's exit leaves to do comes back to cell ("cell __finish",
 * src/cli/finish.c). See src/monitor/monitor.h. */
int run_on_handover(EventSource *source, uint64_t usec, void *userdata) {
        Run *run = userdata;
        MonitorHandover h = run_handover_state(run);
        const char *why = run->console ? "the console's pty is forwarded by cell" : monitor_handover_refused(&h);

        if (why) {
                log_debug("cell stays the payload's supervisor: %s.", why);
                run_relay_resume(run->relay);   /* if it waited for the flush below */
                return 0;
        }
        /* Asked once, before our output is flushed for it. */
        if (!run_monitor_agrees(run)) {
                run_relay_resume(run->relay);
                return 0;
        }
        /* What the relay holds is written first, unbounded, the loop on and the pipes unread: none lost, in order. */
        if (run_relay_flush_for_handover(run->relay, source) > 0) {
                log_debug("The hand-over to cell-monitor waits until our output takes what the relay holds.");
                return 0;
        }
        h = run_handover_state(run);    /* output_gone as that flush left it */
        /* cell-monitor relays the payload's output from here on, starting anew. */
        run_relay_suspend(run->relay);
        /* Returns only when the exec failed; then cell simply carries on. */
        log_debug_errno(monitor_hand_over(&h), "cell stays the payload's supervisor: starting cell-monitor failed: %m");
        run_relay_resume(run->relay);
        return 0;
}

int run_publish_state(const Plan *p, Scope *scope, pid_t pid, bool *ret_published) {
        pid_t other = 0;
        int r;

        *ret_published = false;
        /* (lifecycle) Without systemd nobody else knows this cell runs: "cell
         * list/status/stop/kill/exec" find it through /run/cell/NAME/state. */
        if (scope_manager(scope) == CGROUP_MANAGER_SYSTEMD)
                return 0;
        r = runtime_state_publish(p->name, p->unit_path, scope_manager(scope), pid, &other);
        if (r == -EBUSY)        /* a start the name's lock did not refuse: none was taken */
                log_warning("Another cell of this name runs (supervisor PID %d): cell list, status, stop, "
                            "kill and exec find that one, not this one.", (int) other);
        else if (r < 0 && r != -ESRCH && scope_name_lock_fd(scope) >= 0) {
                /* Ours to write (the name's lock is there), but full or out of fds: a
                 * cell run on unseen would be one no "cell list" shows nor "cell stop" stops. */
                log_error_errno(r, "Writing the runtime state %s/%s/state, by which cell list, status, "
                                "stop, kill and exec find the cell: %m", runtime_state_dir(), p->name);
                (void) runtime_state_remove(p->name, getpid());
                return r;
        } else if (r < 0) {
                log_debug_errno(r, "No runtime state for cell list/exec: %m");
                /* (A payload that ended already: -ESRCH.) A killed cell's
                 * state of this name is left for us to remove, as at our end. */
                (void) runtime_state_remove(p->name, getpid());
        }
        *ret_published = r >= 0;
        return 0;
}
