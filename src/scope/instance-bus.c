/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Running cells as systemd knows them: transient scopes cell-*.scope. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "instance-internal.h"
#include "instance.h"
#include "scope-bus-leftover.h"
#include "runtime-state.h"
#include "strv.h"
#include "unit-name.h"

#define SYSTEMD_PATH    "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"
#define SYSTEMD_UNIT    "org.freedesktop.systemd1.Unit"
#define SYSTEMD_SCOPE   "org.freedesktop.systemd1.Scope"

/* The leader among the scope's processes. */
static int bus_leader(sd_bus *bus, const char *unit, pid_t *ret) {
        _cleanup_free_ char *path = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        int r;

        r = sd_bus_path_encode(SYSTEMD_UNIT_PATH, unit, &path);
        if (r < 0)
                return r;
        r = scope_bus_unit_pids(bus, path, &pids, &n);
        if (r < 0)
                return r;
        *ret = instance_pick_leader(pids, n);
        return 0;
}

static int get_s(sd_bus *bus, const char *path, const char *iface, const char *prop, char **ret) {
        return sd_bus_get_property_string(bus, SYSTEMD_SERVICE, path, iface, prop, NULL, ret);
}

static int get_t(sd_bus *bus, const char *path, const char *iface, const char *prop, uint64_t *ret) {
        return sd_bus_get_property_trivial(bus, SYSTEMD_SERVICE, path, iface, prop, NULL, 't', ret);
}

int instance_bus_service_main_pid(sd_bus *bus, const char *service, pid_t *ret) {
        _cleanup_free_ char *path = NULL;
        int r = sd_bus_path_encode(SYSTEMD_UNIT_PATH, service, &path);
        return r < 0 ? r : scope_bus_unit_main_pid(bus, path, ret);
}

/* The service cell runs in, of the scope's PartOf= (cell run's; BindsTo= on
 * a scope of a cell older than that): the one whose main process is the
 * scope's supervisor, the cell (a unit's own PartOf=db.service is in those
 * lists too), else the first .service (instance_check_service() drops it). */
static int pick_service(sd_bus *bus, const char *path, pid_t supervisor, CellInstance *i) {
        _cleanup_strv_free_ char **l = NULL;
        const char *pick = NULL;
        pid_t pick_main_pid = 0;

        if (scope_bus_unit_service_links(bus, path, &l) < 0)
                return -ENOMEM;
        STRV_FOREACH(u, l) {
                pid_t main_pid = 0;

                if (!endswith(*u, ".service"))
                        continue;
                (void) instance_bus_service_main_pid(bus, *u, &main_pid);
                if (!pick || (supervisor > 0 && main_pid == supervisor)) {
                        pick = *u;
                        pick_main_pid = main_pid;
                }
                if (supervisor > 0 && main_pid == supervisor)
                        break;
        }
        if (!pick)
                return 0;
        i->service = strdup(pick);
        if (!i->service)
                return -ENOMEM;
        i->service_main_pid = pick_main_pid;
        return 0;
}

/* Fills i from the scope at object path; -ESRCH when it is not active. */
static int fill_from_unit(sd_bus *bus, const char *path, CellInstance *i) {
        _cleanup_free_ char *active = NULL, *sub = NULL;
        uint64_t since = 0;
        int r;

        if ((r = get_s(bus, path, SYSTEMD_UNIT, "ActiveState", &active)) < 0 ||
            (r = get_s(bus, path, SYSTEMD_UNIT, "SubState", &sub)) < 0)
                return r;
        if (!streq(active, "active") && !streq(active, "activating") && !streq(active, "reloading") &&
            !streq(active, "deactivating"))
                return -ESRCH;  /* a leftover inactive or failed scope is no running cell */
        if (asprintf(&i->state, "%s/%s", active, sub) < 0)
                return -ENOMEM;

        if ((r = get_s(bus, path, SYSTEMD_UNIT, "Description", &i->description)) < 0 ||
            (r = get_s(bus, path, SYSTEMD_SCOPE, "Slice", &i->slice)) < 0 ||
            (r = get_s(bus, path, SYSTEMD_SCOPE, "ControlGroup", &i->control_group)) < 0)
                return r;
        /* The file it runs from (cell run sets it; "" on a scope of an older cell). */
        r = get_s(bus, path, SYSTEMD_UNIT, "SourcePath", &i->unit_path);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || isempty(i->unit_path))
                i->unit_path = mfree(i->unit_path);
        if (get_t(bus, path, SYSTEMD_SCOPE, "MemoryCurrent", &i->memory_current) < 0)
                i->memory_current = UINT64_MAX;
        if (get_t(bus, path, SYSTEMD_SCOPE, "TasksCurrent", &i->tasks_current) < 0)
                i->tasks_current = UINT64_MAX;
        if (get_t(bus, path, SYSTEMD_UNIT, "ActiveEnterTimestamp", &since) >= 0)
                i->since_usec = since;

        r = bus_leader(bus, i->unit, &i->leader);
        if (r == -ENOMEM)
                return r;
        if (i->leader > 0)
                (void) runtime_pid_start_time(i->leader, &i->leader_start);

        /* The service cell runs in (PartOf= it, added by cell run): stopping
         * that is stopping the cell for good, Restart= included. */
        return pick_service(bus, path, instance_scope_supervisor_of(i->leader), i);
}

static int find_unit(sd_bus *bus, const char *unit, const char *name, CellInstance *ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *path;
        int r;

        r = sd_bus_call_method(bus, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER, "GetUnit",
                               &error, &reply, "s", unit);
        if (r < 0)
                return sd_bus_error_has_name(&error, "org.freedesktop.systemd1.NoSuchUnit") ? -ESRCH : r;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;

        CellInstance i = {
                .manager = CGROUP_MANAGER_SYSTEMD,
                .name = strdup(name),
                .unit = strdup(unit),
                .memory_current = UINT64_MAX,
                .tasks_current = UINT64_MAX,
        };
        if (!i.name || !i.unit) {
                instance_done(&i);
                return -ENOMEM;
        }
        r = fill_from_unit(bus, path, &i);
        if (r < 0) {
                instance_done(&i);
                return r;
        }
        *ret = i;
        return 0;
}

int instance_bus_find(sd_bus *bus, const char *name, CellInstance *ret) {
        _cleanup_free_ char *unit = NULL;
        int r = instance_unit_from_name(name, &unit);
        if (r < 0)
                return r == -ENOMEM ? r : -ESRCH;
        return find_unit(bus, unit, name, ret);
}

/* ListUnitsByPatterns(states, { pattern }): the reply, its array of
 * "(ssssssouso)" entered (id, description, load, active, sub, following,
 * path, job id, job type, job path), for sd_bus_message_read() of each. */
#define UNIT_LIST_ENTRY "(ssssssouso)"
static int list_units(sd_bus *bus, char **states, const char *pattern, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                           "ListUnitsByPatterns");
        if (r >= 0)
                r = sd_bus_message_append_strv(m, states);
        if (r >= 0)
                r = sd_bus_message_append_strv(m, (char *[]) { (char *) pattern, NULL });
        if (r >= 0)
                r = sd_bus_call(bus, m, 0, NULL, &reply);
        if (r >= 0)
                r = sd_bus_message_enter_container(reply, 'a', UNIT_LIST_ENTRY);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(reply);
        return 0;
}

int instance_bus_list(sd_bus *bus, CellInstance **ret, size_t *ret_n) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_strv_free_ char **units = NULL;
        CellInstance *l = NULL;
        size_t n = 0;
        const char *id, *desc;
        int r;

        r = list_units(bus, (char *[]) { (char *) "active", (char *) "activating", (char *) "deactivating", NULL },
                       "cell-*.scope", &reply);
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(reply, UNIT_LIST_ENTRY, &id, &desc, NULL, NULL, NULL, NULL,
                                        NULL, NULL, NULL, NULL)) > 0)
                /* cell's scopes say so in their description ("cell NAME: ..."). */
                if (startswith(desc, "cell ") && (r = strv_extend(&units, id)) < 0)
                        return r;
        if (r < 0)
                return r;

        STRV_FOREACH(u, units) {
                _cleanup_free_ char *name = NULL;
                CellInstance i, *g;

                if (instance_name_from_unit(*u, &name) < 0)
                        continue;
                r = find_unit(bus, *u, name, &i);
                if (r == -ESRCH)
                        continue;       /* gone since the listing */
                if (r < 0) {
                        instance_free_many(l, n);
                        return r;
                }
                g = realloc(l, (n + 1) * sizeof(CellInstance));
                if (!g) {
                        instance_done(&i);
                        instance_free_many(l, n);
                        return -ENOMEM;
                }
                l = g;
                l[n++] = i;
        }
        *ret = l;
        *ret_n = n;
        return 0;
}

typedef struct JobWait {
        const char *job;
        char *result;
        bool done;
} JobWait;

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        JobWait *w = userdata;
        const char *path, *unit, *result;
        uint32_t id;

        if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
                return 0;
        if (w->job && streq(path, w->job)) {
                w->result = strdup(result);
                w->done = true;
        }
        return 0;
}

int instance_bus_stop(sd_bus *bus, const CellInstance *i, uint64_t timeout_usec) {
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *job = NULL;
        JobWait w = {};
        const char *target = i->service ?: i->unit, *path;
        uint64_t deadline = timeout_usec == USEC_INFINITY ? USEC_INFINITY : now_monotonic_usec() + timeout_usec;
        int r;

        /* The match first: the job may be over before the call returns. */
        r = sd_bus_match_signal(bus, &slot, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER, "JobRemoved",
                                on_job_removed, &w);
        if (r < 0)
                return r;
        r = sd_bus_call_method(bus, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER, "StopUnit",
                               NULL, &reply, "ss", target, "replace");
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;
        job = strdup(path);
        if (!job)
                return -ENOMEM;
        w.job = job;

        while (!w.done) {
                uint64_t now = now_monotonic_usec();
                if (now >= deadline) {
                        free(w.result);
                        return -ETIMEDOUT;
                }
                r = sd_bus_process(bus, NULL);
                if (r < 0) {
                        free(w.result);
                        return r;
                }
                if (r > 0)
                        continue;
                r = sd_bus_wait(bus, deadline == USEC_INFINITY ? UINT64_MAX : deadline - now);
                if (r < 0) {
                        free(w.result);
                        return r;
                }
        }
        /* "canceled": another job replaced it (a start queued meanwhile),
         * as systemctl says "Job for UNIT canceled."; the rest failed. */
        if (!w.result)
                return -ENOMEM;         /* its copy failed, not the job: not said as a failed stop */
        r = streq(w.result, "done") ? 0 : streq(w.result, "canceled") ? -ECANCELED : -EIO;
        free(w.result);
        return r;
}

/* Whether a cell@ service in this state may start its cell (again): one
 * that is starting (before the scope), waits out its RestartSec= (SubState
 * auto-restart, whichever ActiveState goes with it), or has a
 * start job queued that has not begun (still "inactive": ordered After= a
 * unit that is starting, or during boot); with include_active also one
 * that is up, reloading or stopping with no cell found. */
static bool service_may_start(const char *active, const char *sub, const char *job_type, bool include_active) {
        if (streq(active, "activating") || startswith(sub, "auto-restart") ||
            streq_ptr(job_type, "start") || streq_ptr(job_type, "restart") ||
            streq_ptr(job_type, "try-restart") || streq_ptr(job_type, "reload-or-start"))
                return true;
        return include_active && (streq(active, "active") || streq(active, "reloading") ||
                                  streq(active, "deactivating"));
}

/* The type of the job queued on the unit at path ("" when none). */
static int unit_job_type(sd_bus *bus, const char *path, char **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *job;
        uint32_t id;
        int r;

        r = sd_bus_get_property(bus, SYSTEMD_SERVICE, path, SYSTEMD_UNIT, "Job", NULL, &reply, "(uo)");
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "(uo)", &id, &job);
        if (r < 0)
                return r;
        if (id == 0)
                return (*ret = strdup("")) ? 0 : -ENOMEM;
        return get_s(bus, job, "org.freedesktop.systemd1.Job", "JobType", ret);
}

int instance_bus_stop_service(sd_bus *bus, const char *name, uint64_t timeout_usec, char **ret_service) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *service = NULL, *active = NULL, *sub = NULL, *job_type = NULL, *path = NULL;
        const char *p;
        int r;

        r = cell_service_name(name, &service);
        if (r < 0)
                return r;
        r = sd_bus_call_method(bus, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER, "GetUnit",
                               &error, &reply, "s", service);
        if (r < 0)
                return sd_bus_error_has_name(&error, "org.freedesktop.systemd1.NoSuchUnit") ||
                       sd_bus_error_has_name(&error, SD_BUS_ERROR_INVALID_ARGS) ? -ESRCH : r;
        r = sd_bus_message_read(reply, "o", &p);
        if (r < 0)
                return r;
        path = strdup(p);
        if (!path)
                return -ENOMEM;
        if ((r = get_s(bus, path, SYSTEMD_UNIT, "ActiveState", &active)) < 0 ||
            (r = get_s(bus, path, SYSTEMD_UNIT, "SubState", &sub)) < 0)
                return r;
        /* (a job gone meanwhile: none) */
        if (unit_job_type(bus, path, &job_type) == -ENOMEM)
                return -ENOMEM;
        /* A stop now is what keeps its Restart= (or its queued start) from
         * starting the cell (again). Inactive or failed with no start to
         * come: nothing to stop. */
        if (!service_may_start(active, sub, job_type, true))
                return -ESRCH;

        CellInstance i = { .service = service };
        r = instance_bus_stop(bus, &i, timeout_usec);
        if (r >= 0 && ret_service)
                *ret_service = TAKE_PTR(service);
        return r;
}

int instance_bus_service_instances(sd_bus *bus, bool include_active, char ***ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_strv_free_ char **names = NULL;
        const char *id, *active, *sub, *job_type;
        int r;

        /* Every loaded one (no state asked), its state and job read from the same reply. */
        r = list_units(bus, NULL, "cell@*.service", &reply);
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(reply, UNIT_LIST_ENTRY, &id, NULL, NULL, &active, &sub, NULL,
                                        NULL, NULL, &job_type, NULL)) > 0) {
                char *instance;

                if (!service_may_start(active, sub, job_type, include_active))
                        continue;
                r = cell_name_from_service(id, &instance);
                if (r == -EINVAL)
                        continue;       /* the bare template, if loaded */
                if (r < 0 || strv_push(&names, instance) < 0)
                        return -ENOMEM;         /* (strv_push() frees it) */
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(names);
        return 0;
}

int instance_bus_kill_all(sd_bus *bus, const CellInstance *i, int sig) {
        return sd_bus_call_method(bus, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER, "KillUnit",
                                  NULL, NULL, "ssi", i->unit, "all", (int32_t) sig);
}
