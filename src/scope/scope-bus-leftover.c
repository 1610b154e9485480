/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A leftover scope of our name (StartTransientUnit answered UnitExists).
 *
 * Inactive or failed: scope-bus.c resets it and starts again. Running with
 * processes: another cell of that name, refused. The third case is systemd's
 * (seen with 252, on the hybrid layout and on pure cgroup2): a cell killed in
 * the first milliseconds of its setup leaves a scope that is active with an
 * empty cgroup, for good. Its StartTransientUnit named the container's init
 * while that was already exiting (it dies with cell, PR_SET_PDEATHSIG); the
 * kernel's migration skips an exiting task without an error, so systemd
 * "attached" it (its check that some PID is left to attach passed) and
 * entered running, but the cgroup was never populated. With cgroup2 doing
 * the tracking (pure, and hybrid too: systemd watches the unified tree),
 * systemd ends a scope only on the inotify event of cgroup.events going
 * populated 0; it never synthesizes one there (that fallback is for the
 * legacy tree only), so the event never comes, and a stop job waits for it
 * until TimeoutStopSec=. The next start of the name would say "already
 * running" forever.
 *
 * The fix gives systemd the event it waits for, through its own interface:
 * AttachProcessesToUnit (the scope is delegated, Delegate=yes, which that
 * call requires, and active) moves a child of ours into the scope's cgroup
 * in every hierarchy; the child exits at once, the cgroup goes populated
 * 0 -> 1 -> 0, systemd reads cgroup.events, finds it empty and the scope
 * dead, and CollectMode=inactive-or-failed lets it go. No cgroup path of
 * ours is involved, and a scope with a process in it is never touched. */

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "macros.h"
#include "scope-bus-leftover.h"

#define SYSTEMD_SERVICE "org.freedesktop.systemd1"
#define SYSTEMD_PATH    "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"

static const char * const leftover_table[_SCOPE_LEFTOVER_MAX] = {
        [SCOPE_LEFTOVER_RESET] = "reset",
        [SCOPE_LEFTOVER_STALE] = "stale",
        [SCOPE_LEFTOVER_RUNNING] = "running",
};

const char *scope_leftover_to_string(ScopeLeftover l) {
        if ((unsigned) l >= _SCOPE_LEFTOVER_MAX)
                return NULL;
        return leftover_table[l];
}

static bool state_is_inactive(const char *state) {
        return state && (streq(state, "inactive") || streq(state, "failed"));
}

ScopeLeftover scope_leftover_classify(const char *active_state, int n_processes) {
        if (state_is_inactive(active_state))
                return SCOPE_LEFTOVER_RESET;
        /* A state not read is not known to be active: never clear on a guess. */
        if (!active_state || n_processes != 0)
                return SCOPE_LEFTOVER_RUNNING;
        /* active, activating, deactivating (a stop job waiting for the same empty
         * event), reloading: every state in which systemd waits for the cgroup. */
        return SCOPE_LEFTOVER_STALE;
}

int scope_bus_leftover_state(sd_bus *bus, const char *unit_path, char **ret_state) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = sd_bus_get_property_string(bus, SYSTEMD_SERVICE, unit_path, "org.freedesktop.systemd1.Unit",
                                           "ActiveState", &error, ret_state);
        sd_bus_error_free(&error);
        return r;
}

int scope_bus_unit_pids(sd_bus *bus, const char *unit_path, pid_t **ret, size_t *ret_n) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        size_t n = 0, allocated = 0;
        const char *cg, *cmd;
        uint32_t pid;
        int r;

        /* systemd's own enumeration of the cgroup, sub-cgroups included (Delegate=yes:
         * the payload may have made some), in whatever hierarchy it tracks with and
         * whatever cgroup namespace we are in: no path of ours to get wrong. */
        r = sd_bus_call_method(bus, SYSTEMD_SERVICE, unit_path, "org.freedesktop.systemd1.Scope",
                               "GetProcesses", &error, &reply, NULL);
        sd_bus_error_free(&error);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "(sus)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(reply, "(sus)", &cg, &pid, &cmd)) > 0) {
                if (n == allocated) {
                        pid_t *m = realloc(pids, (allocated = allocated * 2 + 16) * sizeof(pid_t));
                        if (!m)
                                return -ENOMEM;
                        pids = m;
                }
                pids[n++] = (pid_t) pid;
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(pids);
        *ret_n = n;
        return 0;
}

int scope_bus_leftover_processes(sd_bus *bus, const char *unit_path, int *ret_n, uint32_t *ret_first_pid) {
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        int r;

        r = scope_bus_unit_pids(bus, unit_path, &pids, &n);
        if (r < 0)
                return r;
        *ret_n = n > INT_MAX ? INT_MAX : (int) n;
        *ret_first_pid = n > 0 ? (uint32_t) pids[0] : 0;
        return 0;
}

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / NSEC_PER_USEC;
}

ScopeLeftover scope_bus_leftover_settle(sd_bus *bus, const char *unit_path, uint64_t timeout_usec,
                                        char **state, int *n, uint32_t *first_pid) {
        uint64_t deadline = now_usec() + timeout_usec;
        ScopeLeftover l = scope_leftover_classify(*state, *n);

        while (l == SCOPE_LEFTOVER_STALE && now_usec() < deadline) {
                _cleanup_free_ char *now = NULL;

                (void) nanosleep(&(struct timespec) { .tv_nsec = (long) (2 * USEC_PER_MSEC * NSEC_PER_USEC) }, NULL);
                if (scope_bus_leftover_state(bus, unit_path, &now) < 0)
                        break;
                free(*state);
                *state = TAKE_PTR(now);
                /* Still active and empty: someone may have put a process in it since. */
                if (!state_is_inactive(*state) && scope_bus_leftover_processes(bus, unit_path, n, first_pid) < 0)
                        *n = -1;
                l = scope_leftover_classify(*state, *n);
        }
        return l;
}

/* A child that only waits for the pipe's write end to close (our close, or our
 * death: it never outlives us) and exits. Its only job is to be a live process
 * that systemd can move into the scope. */
static int helper_start(pid_t *ret_pid, int *ret_fd) {
        int p[2];
        pid_t pid;

        if (pipe2(p, O_CLOEXEC) < 0)
                return negative_errno();
        pid = fork();
        if (pid < 0) {
                int r = negative_errno();
                safe_close(p[0]);
                safe_close(p[1]);
                return r;
        }
        if (pid == 0) {
                char c;
                /* Nothing but read and _exit here: a forked copy of a process with a bus
                 * connection and an event loop must touch neither. It keeps no fd of ours
                 * either (the bus, the container's sync socket): nobody waiting for one of
                 * them to close must wait for it. */
                if (p[0] > 3)
                        (void) close_range(3, (unsigned) p[0] - 1, 0);
                (void) close_range((unsigned) p[0] + 1, ~0U, 0);
                while (read(p[0], &c, 1) < 0 && errno == EINTR)
                        ;
                _exit(EXIT_SUCCESS);
        }
        safe_close(p[0]);
        *ret_pid = pid;
        *ret_fd = p[1];
        return 0;
}

static void helper_stop(pid_t pid, int fd) {
        safe_close(fd);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
}

int scope_bus_clear_stale(sd_bus *bus, const char *unit, const char *unit_path, uint64_t timeout_usec,
                          char **ret_why) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        uint64_t deadline = now_usec() + timeout_usec;
        uint64_t pause = 2 * USEC_PER_MSEC;
        char *why = NULL;
        pid_t pid;
        int fd, r;

        r = helper_start(&pid, &fd);
        if (r < 0)
                return r;
        r = sd_bus_call_method(bus, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER, "AttachProcessesToUnit",
                               &error, NULL, "ssau", unit, "", 1, (uint32_t) pid);
        if (r < 0 && error.message)
                why = strdup(error.message);
        sd_bus_error_free(&error);
        /* In or not, the helper goes now: in, its exit is the event systemd waits for. */
        helper_stop(pid, fd);

        for (;;) {
                _cleanup_free_ char *state = NULL;
                int q = scope_bus_leftover_state(bus, unit_path, &state);

                /* Also when the attach was refused: the scope may have ended in between
                 * ("Unit is not active, refusing."), which is all we want. */
                if (q >= 0 && state_is_inactive(state)) {
                        free(why);
                        return 0;
                }
                if (r >= 0 && q < 0)
                        r = q;
                if (r < 0)
                        break;
                if (now_usec() >= deadline) {
                        r = -ETIMEDOUT;
                        why = strdup("systemd did not end it in time");
                        break;
                }
                (void) nanosleep(&(struct timespec) { .tv_nsec = (long) (pause * NSEC_PER_USEC) }, NULL);
                pause = MIN(pause * 2, 50 * USEC_PER_MSEC);
        }
        if (ret_why)
                *ret_why = why;
        else
                free(why);
        return r;
}
