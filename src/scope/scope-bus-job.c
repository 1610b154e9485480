/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The scope's start job (scope-bus.c says how the start goes): the
 * StartTransientUnit call sent asynchronously, its reply, the JobRemoved
 * signal that ends the job (through a match, or a message filter where the
 * broker's match rule could not take arg2), and UnitExists, which the
 * leftover of an earlier start may cause (scope-bus-leftover.c). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "log.h"
#include "scope-bus-internal.h"
#include "scope-bus-leftover.h"
#include "strv.h"

/* How long systemd has to say which units failed: the start's failure is
 * told without them after that. */
#define FAILED_UNITS_TIMEOUT_USEC (2 * USEC_PER_SEC)

/* Which units of the unit's Requires= and BindsTo= are failed: one
 * ListUnitsByNames call, made on this failure path only (a start that
 * succeeds makes none). NULL where none is, or systemd did not say. */
static char **failed_required_units(Scope *s) {
        ScopeBus *b = s->bus;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_strv_free_ char **names = NULL, **failed = NULL;
        uint64_t left = scope_bus_deadline_left(b);
        const char *name, *active;

        if (left == 0 || scope_bus_required_units(b, &names) < 0 || !names)
                return NULL;
        if (sd_bus_message_new_method_call(b->bus, &m, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                           "ListUnitsByNames") < 0 ||
            sd_bus_message_append_strv(m, names) < 0 ||
            sd_bus_call(b->bus, m, MIN(left, FAILED_UNITS_TIMEOUT_USEC), NULL, &reply) < 0 ||
            sd_bus_message_enter_container(reply, 'a', "(ssssssouso)") < 0)
                return NULL;
        while (sd_bus_message_read(reply, "(ssssssouso)", &name, NULL, NULL, &active, NULL, NULL, NULL, NULL,
                                   NULL, NULL) > 0)
                if (streq(active, "failed") && strv_extend(&failed, name) < 0)
                        return NULL;
        return TAKE_PTR(failed);
}

static void job_result(Scope *s, const char *result) {
        if (streq(result, "done"))
                return scope_bus_job_finish(s, 0);
        /* systemd names no unit for "dependency": which of those the unit
         * requires failed is asked, so that the entry's line is named. */
        if (streq(result, "dependency")) {
                _cleanup_strv_free_ char **failed = failed_required_units(s);
                return scope_bus_job_finish(s, scope_bus_dependency_failed(s, failed));
        }
        int r = streq(result, "canceled") ? -ECANCELED :
                streq(result, "timeout") ? -ETIMEDOUT : -EIO;
        scope_bus_job_finish(s, scope_set_error(s, r, "starting %s failed: job result '%s'", s->unit, result));
}

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Scope *s = userdata;
        ScopeBus *b = s->bus;
        const char *path, *unit, *result;
        uint32_t id;

        const char *sender = sd_bus_message_get_sender(m);

        if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0 || !streq(unit, s->unit))
                return 0;
        if (b->finished)
                return 0;
        if (!b->replied) {
                /* Systemd replies before the job can finish, but be safe: keep it until we know our job's path. */
                free(b->early_job);
                free(b->early_result);
                free(b->early_sender);
                b->early_job = strdup(path);
                b->early_result = strdup(result);
                b->early_sender = sender ? strdup(sender) : NULL;
                /* A copy lost is the job's end lost: the start would wait for a signal that came. */
                if (!b->early_job || !b->early_result || (sender && !b->early_sender))
                        scope_bus_job_finish(s, -ENOMEM);
                return 0;
        }
        /* Only from the manager that made the job: any client of the bus may send us a
         * signal, and a forged "done" would let the payload run outside its cgroup. */
        if (b->manager && !streq_ptr(sender, b->manager))
                return 0;
        if (b->job && streq(path, b->job))
                job_result(s, result);
        return 0;
}

int scope_bus_message_filter(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Scope *s = userdata;
        ScopeBus *b = s->bus;

        /* Our job's JobRemoved, sent to us by the broker for the arg2 rule
         * (scope_bus_job_subscribe()). */
        if (b->job_filter && sd_bus_message_is_signal(m, SYSTEMD_MANAGER, "JobRemoved") &&
            streq_ptr(sd_bus_message_get_path(m), SYSTEMD_PATH))
                return on_job_removed(m, userdata, ret_error);
        if (!sd_bus_message_is_signal(m, "org.freedesktop.DBus.Local", "Disconnected"))
                return 0;
        if (!b->finished)
                scope_bus_job_finish(s, scope_bus_lost(s));
        return 0;
}

int scope_bus_start_send(Scope *s);

/* UnitExists: a leftover scope of that name (scope-bus-leftover.c). Inactive or
 * failed: reset it and try once more. Active with no process in it (the scope of
 * a cell of this name that has just ended, before systemd has seen its end; or
 * one systemd missed the end of): stop that activation, then try again. Running:
 * another cell of that name. Synchronous, but only ever on this error path. */
static int handle_unit_exists(Scope *s) {
        ScopeBus *b = s->bus;
        _cleanup_(scope_leftover_unit_done) ScopeLeftoverUnit u = { .n_processes = -1 };
        _cleanup_free_ char *why = NULL;
        _cleanup_strv_free_ char **links = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        scope_bus_leftover_read(b->bus, s->unit, &u);
        ScopeLeftover l = scope_leftover_classify(u.state, u.n_processes);
        bool stopped = false;
        if (l == SCOPE_LEFTOVER_STALE && !b->leftover_stopped) {
                r = scope_bus_leftover_stop(b->bus, &u, SCOPE_STALE_TIMEOUT_USEC, &why);
                if (r < 0)
                        return scope_set_error(s, -EEXIST, "%s is %s with no process in it, and could not be stopped: %s",
                                               s->unit, u.state, why ?: strerror(-r));
                b->leftover_stopped = stopped = true;
                if (r == 0)
                        return scope_bus_start_send(s);   /* gone, or inactive: nothing to reset */
                l = SCOPE_LEFTOVER_RESET;       /* failed */
        }

        /* Processes in a scope that is part of the very service we are
         * started by: a killed cell's of this service's run before (we hold
         * the name's lock: no cell of this name is alive), whose payload, its
         * init, cleared its parent-death signal and ran on. As systemd ends
         * what a service's dead main process left (and did along BindsTo=):
         * SIGKILL, so that Restart= starts it again. */
        if (l == SCOPE_LEFTOVER_RUNNING && b->service && u.path && !b->runaway_killed &&
            (streq_ptr(u.state, "active") || streq_ptr(u.state, "deactivating")) &&
            scope_bus_unit_service_links(b->bus, u.path, &links) >= 0 && strv_contains(links, b->service)) {
                b->runaway_killed = true;
                log_warning("%s: left running by a killed cell of %s (PID %" PRIu32 "): killing it.",
                            s->unit, b->service, u.first_pid);
                r = scope_bus_leftover_kill(b->bus, &u, &why);
                if (r >= 0)
                        r = scope_bus_leftover_stop(b->bus, &u, SCOPE_STALE_TIMEOUT_USEC, &why);
                if (r < 0)
                        return scope_set_error(s, -EEXIST, "%s, left running by a killed cell of %s, could not be "
                                               "ended: %s", s->unit, b->service, why ?: strerror(-r));
                stopped = true;
                if (r == 0)
                        return scope_bus_start_send(s);
                l = SCOPE_LEFTOVER_RESET;       /* failed */
        }

        if (l == SCOPE_LEFTOVER_RESET) {
                if (b->reset_tried && !stopped)
                        return scope_set_error(s, -EEXIST, "a leftover %s (%s) could not be reset", s->unit, strna(u.state));
                b->reset_tried = true;
                r = sd_bus_call_method(b->bus, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                       "ResetFailedUnit", &error, NULL, "s", s->unit);
                sd_bus_error_free(&error);
                /* A unit that is merely inactive has nothing to reset: retry regardless. */
                return scope_bus_start_send(s);
        }

        if (u.first_pid > 0)
                return scope_set_error(s, -EEXIST, "cell %s is already running (%s, PID %" PRIu32 ")",
                                       s->name, s->unit, u.first_pid);
        return scope_set_error(s, -EEXIST, "cell %s is already running (%s%s%s)", s->name, s->unit,
                               u.state ? ", " : "", strempty(u.state));
}

static int on_start_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Scope *s = userdata;
        ScopeBus *b = s->bus;
        const sd_bus_error *e;
        const char *path;
        int r;

        b->slot_call = sd_bus_slot_unref(b->slot_call);

        e = sd_bus_message_get_error(m);
        if (e && sd_bus_is_open(b->bus) <= 0) {
                /* The reply sd-bus makes up for a call pending when the connection dropped. */
                scope_bus_job_finish(s, scope_bus_lost(s));
                return 0;
        }
        b->welcomed = true;
        if (e) {
                if (sd_bus_error_has_name(e, "org.freedesktop.systemd1.UnitExists"))
                        r = handle_unit_exists(s);
                else if (sd_bus_error_has_name(e, "org.freedesktop.systemd1.TransactionIsDestructive"))
                        /* A stop job is queued for what the scope binds to (our service being
                         * stopped while it starts): not a failure of the start, its end. */
                        r = scope_set_error(s, -ESHUTDOWN, "StartTransientUnit(%s): %s", s->unit,
                                            e->message ?: "a stop job is queued");
                else
                        r = scope_bus_refused(s, e);
                if (r < 0)
                        scope_bus_job_finish(s, r);
                return 0;
        }

        r = sd_bus_message_read(m, "o", &path);
        if (r < 0) {
                scope_bus_job_finish(s, scope_set_error(s, -EBADMSG, "StartTransientUnit(%s): bad reply", s->unit));
                return 0;
        }
        free(b->job);
        b->job = strdup(path);
        if (!b->job) {
                scope_bus_job_finish(s, -ENOMEM);
                return 0;
        }
        free(b->manager);
        b->manager = NULL;
        if (sd_bus_message_get_sender(m)) {
                b->manager = strdup(sd_bus_message_get_sender(m));
                if (!b->manager) {
                        scope_bus_job_finish(s, -ENOMEM);
                        return 0;
                }
        }
        b->replied = true;
        if (b->early_job && streq(b->early_job, b->job) && (!b->manager || streq_ptr(b->early_sender, b->manager)))
                job_result(s, strempty(b->early_result));
        return 0;
}

int scope_bus_start_send(Scope *s) {
        ScopeBus *b = s->bus;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(b->bus, &m, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                           "StartTransientUnit");
        if (r < 0)
                return r;
        /* "fail": never replace a job queued for a unit of the same name. */
        r = sd_bus_message_append(m, "ss", s->unit, "fail");
        if (r < 0)
                return r;

        ScopeStartProps sp = {
                .props = b->props, .n_props = b->n_props,
                /* cell attaches the device policy itself (scope-devices.c). */
                .skip_device_policy = s->devices_own,
                .slice = b->slice, .description = b->description,
                .kill_signal = b->kill_signal, .timeout_stop_usec = b->timeout_stop_usec,
                .pid = b->pid, .service = b->service, .source_path = b->source_path,
                .io_disks = s->io_disks, .n_io_disks = s->n_io_disks,
        };
        const PlanProperty *bad = NULL;
        r = scope_bus_append_start_properties(m, &sp, &bad);
        if (r == -EINVAL && bad)
                return scope_set_error(s, r, "property %s: cannot marshal signature '%s'",
                                       strna(bad->name), strna(bad->signature));
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "a(sa(sv))", 0);
        if (r < 0)
                return r;

        /* Past the deadline, so that scope_bus_wait() says what timed out, not sd-bus
         * (whose 25 s would otherwise come first). */
        uint64_t left = scope_bus_deadline_left(b);
        uint64_t call_timeout = left == USEC_INFINITY ? 0 : left + USEC_PER_SEC;
        b->slot_call = sd_bus_slot_unref(b->slot_call);
        r = sd_bus_call_async(b->bus, &b->slot_call, m, on_start_reply, s, call_timeout);
        if (r == -ENOTCONN || r == -ECONNRESET) {
                /* The connection dropped before the call could go: as if while we waited
                 * for its answer (scope_bus_wait() sees whether to try again). */
                scope_bus_job_finish(s, scope_bus_lost(s));
                return 0;
        }
        if (r < 0)
                return scope_set_error(s, r, "cannot send StartTransientUnit(%s): %s", s->unit, strerror(-r));
        b->sent = true;
        b->replied = false;
        return 0;
}

/* The answer to our match (an AddMatch call, or sd-bus's own for a plain
 * match): the broker took Hello and it. An error reply of a connection that
 * has dropped meanwhile is sd-bus's own making: scope_bus_message_filter() has it. */
static void match_answered(Scope *s, sd_bus_message *m) {
        ScopeBus *b = s->bus;
        const sd_bus_error *e = sd_bus_message_get_error(m);

        if (!e) {
                b->welcomed = true;
                return;
        }
        if (sd_bus_is_open(b->bus) > 0 && !b->finished)
                scope_bus_job_finish(s, scope_set_error(s, -EIO, "cannot subscribe to JobRemoved: %s", e->message ?: e->name));
}

static int on_add_match(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Scope *s = userdata;

        s->bus->slot_job_removed = sd_bus_slot_unref(s->bus->slot_job_removed);
        match_answered(s, m);
        return 0;
}

static int on_match_installed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        match_answered(userdata, m);
        return 0;
}

/* JobRemoved is a broadcast: in a boot storm of N cells each would wake for the
 * jobs of all N. Through a broker, the rule also names our unit (arg2), so that
 * the broker sends us our own job's only. The rule goes out as a plain AddMatch
 * call and its signals are dispatched by scope_bus_message_filter(): sd-bus 252 cannot
 * test an argument that follows non-string ones in its local matching (it drops
 * the connection on such a signal), and it would read the rule's backslashes as
 * escapes, which brokers do not: inside quotes a backslash stands for itself in
 * the D-Bus specification, dbus-daemon and dbus-broker, so an escaped unit name
 * ("cell-my\x2dweb.scope", every cell name with "-" or "@") is matched as it
 * is. Only an apostrophe could end the quotes (systemd's escaping leaves none,
 * but this is not the place to rely on it); that, and systemd's private socket
 * (no broker), keep the plain match. */
int scope_bus_job_subscribe(Scope *s) {
        ScopeBus *b = s->bus;
        _cleanup_free_ char *rule = NULL;

        if (sd_bus_is_bus_client(b->bus) <= 0 || strchr(s->unit, '\'')) {
                log_debug("Waiting for every JobRemoved of systemd's, to find that of %s.", s->unit);
                return sd_bus_match_signal_async(b->bus, &b->slot_job_removed, SYSTEMD_SERVICE, SYSTEMD_PATH,
                                                 SYSTEMD_MANAGER, "JobRemoved", on_job_removed, on_match_installed, s);
        }
        if (asprintf(&rule, "type='signal',sender='%s',path='%s',interface='%s',member='JobRemoved',arg2='%s'",
                     SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER, s->unit) < 0)
                return -ENOMEM;
        log_debug("Waiting for the JobRemoved of %s alone: %s", s->unit, rule);
        b->job_filter = true;
        return sd_bus_call_method_async(b->bus, &b->slot_job_removed, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                        "org.freedesktop.DBus", "AddMatch", on_add_match, s, "s", rule);
}
