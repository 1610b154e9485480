/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A leftover scope of our name (StartTransientUnit answered UnitExists).
 *
 * Inactive or failed: scope-bus.c resets it and starts again. Running with
 * processes: another cell of that name, refused. Active with an empty cgroup:
 * over, but not yet ended by systemd (scope-bus-leftover.h says the two ways
 * that happens). Such a scope is stopped, which systemd does at once since it
 * finds nothing to kill, and the start is sent again. Every read and the stop
 * go through the activation's invocation ID, never the name: a start of the
 * same name in between (another cell) is a new activation, and stays alone.
 * A scope with a process in it is another cell's, never touched, but for
 * one of a killed cell of the very service that starts us (below). */

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "macros.h"
#include "scope-bus-leftover.h"
#include "strv.h"

/* What systemd answers for an invocation ID it no longer knows: that activation is over. */
#define NO_INVOCATION_ERROR "org.freedesktop.systemd1.NoUnitForInvocationID"

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
        /* A state not read is not known to be active: never stopped on a guess. */
        if (!active_state || n_processes != 0)
                return SCOPE_LEFTOVER_RUNNING;
        /* Active, or deactivating (a stop job under way): over once the cgroup is
         * empty. Activating is a start under way, another cell's: its process may
         * not be in yet. */
        if (streq(active_state, "active") || streq(active_state, "deactivating"))
                return SCOPE_LEFTOVER_STALE;
        return SCOPE_LEFTOVER_RUNNING;
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
        if (r < 0 && sd_bus_error_has_name(&error, NO_INVOCATION_ERROR))
                r = -ENOENT;
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

/* -ENOENT when the activation at path has ended (systemd dropped its ID). */
static int read_state(sd_bus *bus, const char *path, char **ret) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = sd_bus_get_property_string(bus, SYSTEMD_SERVICE, path, "org.freedesktop.systemd1.Unit",
                                           "ActiveState", &error, ret);
        if (r < 0 && sd_bus_error_has_name(&error, NO_INVOCATION_ERROR))
                r = -ENOENT;
        sd_bus_error_free(&error);
        return r;
}

/* The object path of the unit's current activation, by its InvocationID. */
static int invocation_path(sd_bus *bus, const char *unit, char **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *name_path = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        const uint8_t *id;
        char hex[33];
        size_t n;
        int r;

        r = sd_bus_path_encode(SYSTEMD_UNIT_PATH, unit, &name_path);
        if (r < 0)
                return r;
        r = sd_bus_get_property(bus, SYSTEMD_SERVICE, name_path, "org.freedesktop.systemd1.Unit", "InvocationID",
                                &error, &reply, "ay");
        sd_bus_error_free(&error);
        if (r < 0)
                return r;
        r = sd_bus_message_read_array(reply, 'y', (const void **) &id, &n);
        if (r < 0)
                return r;
        if (n != 16)
                return -ENODATA;        /* never started: no activation to name */
        for (size_t i = 0; i < n; i++)
                snprintf(hex + 2 * i, 3, "%02x", id[i]);
        return sd_bus_path_encode(SYSTEMD_UNIT_PATH, hex, ret);
}

int scope_bus_unit_job(sd_bus *bus, const char *unit_path, uint32_t *ret_id, char **ret_job) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *job;
        int r;

        r = sd_bus_get_property(bus, SYSTEMD_SERVICE, unit_path, "org.freedesktop.systemd1.Unit", "Job", &error,
                                &reply, "(uo)");
        sd_bus_error_free(&error);
        if (r >= 0)
                r = sd_bus_message_read(reply, "(uo)", ret_id, &job);
        if (r >= 0 && ret_job)
                r = (*ret_job = strdup(job)) ? 0 : -ENOMEM;
        return r;
}

int scope_bus_unit_main_pid(sd_bus *bus, const char *unit_path, pid_t *ret) {
        uint32_t pid = 0;
        int r = sd_bus_get_property_trivial(bus, SYSTEMD_SERVICE, unit_path, "org.freedesktop.systemd1.Service",
                                            "MainPID", NULL, 'u', &pid);
        if (r < 0)
                return r;
        *ret = (pid_t) pid;
        return 0;
}

/* > 0 when a job is queued for the unit at path: a start of another cell's,
 * between systemd making the unit and running its job. */
static int job_pending(sd_bus *bus, const char *path) {
        uint32_t id;
        int r = scope_bus_unit_job(bus, path, &id, NULL);
        return r < 0 ? r : id != 0;
}

void scope_bus_leftover_read(sd_bus *bus, const char *unit, ScopeLeftoverUnit *ret) {
        _cleanup_free_ char *name_path = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        int r;

        *ret = (ScopeLeftoverUnit) { .n_processes = -1 };
        if (sd_bus_path_encode(SYSTEMD_UNIT_PATH, unit, &name_path) < 0)
                return;
        if (invocation_path(bus, unit, &ret->path) < 0)
                /* No activation: over, or not started yet (told apart below). */
                r = read_state(bus, name_path, &ret->state);
        else {
                r = read_state(bus, ret->path, &ret->state);
                if (r == -ENOENT)
                        r = (ret->state = strdup("inactive")) ? 0 : -ENOMEM;   /* ended since the ID was read */
                /* Processes only matter for an activation that is not over. */
                if (r >= 0 && !state_is_inactive(ret->state)) {
                        r = scope_bus_unit_pids(bus, ret->path, &pids, &n);
                        if (r == -ENOENT) {
                                free(ret->state);
                                r = (ret->state = strdup("inactive")) ? 0 : -ENOMEM;
                        } else if (r >= 0) {
                                ret->n_processes = n > INT_MAX ? INT_MAX : (int) n;
                                ret->first_pid = n > 0 ? (uint32_t) pids[0] : 0;
                        }
                }
        }
        /* Over, but the name has a job queued: another cell's start under way,
         * between systemd making its unit and running the job. "activating" to
         * the classification, as its ActiveState will be: never reset. */
        if (r >= 0 && state_is_inactive(ret->state) && job_pending(bus, name_path) != 0) {
                free(ret->state);
                ret->state = strdup("activating");
        }
}

void scope_leftover_unit_done(ScopeLeftoverUnit *u) {
        free(u->path);
        free(u->state);
        *u = (ScopeLeftoverUnit) { .n_processes = -1 };
}

int scope_bus_leftover_stop(sd_bus *bus, const ScopeLeftoverUnit *u, uint64_t timeout_usec, char **ret_why) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        uint64_t deadline = now_monotonic_usec() + timeout_usec;
        /* The stop job runs once systemd has answered the call: look again soon. */
        uint64_t pause = USEC_PER_MSEC / 2;
        char *why = NULL;
        int r;

        if (!u->path)
                return -ENODATA;
        r = sd_bus_call_method(bus, SYSTEMD_SERVICE, u->path, "org.freedesktop.systemd1.Unit", "Stop", &error,
                               NULL, "s", "replace");
        if (r < 0 && sd_bus_error_has_name(&error, NO_INVOCATION_ERROR))
                r = 0;          /* over by itself in between: all we want */
        else if (r < 0 && error.message)
                why = strdup(error.message);
        sd_bus_error_free(&error);

        while (r >= 0) {
                _cleanup_free_ char *state = NULL;
                int q = read_state(bus, u->path, &state);

                if (q == -ENOENT || (q >= 0 && streq(state, "inactive")))
                        return 0;
                if (q >= 0 && streq(state, "failed"))
                        return 1;
                if (q < 0) {
                        r = q;
                        break;
                }
                if (now_monotonic_usec() >= deadline) {
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

int scope_bus_unit_service_links(sd_bus *bus, const char *unit_path, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;

        /* BindsTo=: a scope of a cell from before PartOf=. A list that
         * cannot be read adds nothing. */
        for (size_t i = 0; i < 2; i++) {
                _cleanup_strv_free_ char **more = NULL;

                if (sd_bus_get_property_strv(bus, SYSTEMD_SERVICE, unit_path, "org.freedesktop.systemd1.Unit",
                                             i == 0 ? "PartOf" : "BindsTo", NULL, &more) == -ENOMEM ||
                    strv_extend_strv(&l, more) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int scope_bus_leftover_kill(sd_bus *bus, const ScopeLeftoverUnit *u, char **ret_why) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        if (!u->path)
                return -ENODATA;
        r = sd_bus_call_method(bus, SYSTEMD_SERVICE, u->path, "org.freedesktop.systemd1.Unit", "Kill", &error,
                               NULL, "si", "all", SIGKILL);
        if (r < 0 && sd_bus_error_has_name(&error, NO_INVOCATION_ERROR))
                r = 0;          /* over by itself in between */
        else if (r < 0 && error.message && ret_why)
                *ret_why = strdup(error.message);
        sd_bus_error_free(&error);
        return r;
}
