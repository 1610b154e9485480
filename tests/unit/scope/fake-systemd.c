/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fake systemd of fake-systemd.h: its manager's methods and its units'
 * and scopes' (fake-leftover.c), run in the fake's process; and the test's
 * side, which asks it how cell left the bus and starts scopes through it. */

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "fake-leftover.h"
#include "fake-systemd.h"
#include "scope-internal.h"
#include "strv.h"
#include "test.h"

/* ---- the fake systemd ---- */

static int fake_reset_failed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *unit;
        int r = sd_bus_message_read(m, "s", &unit);
        if (r < 0)
                return r;
        fake_leftover_reset(unit);
        return sd_bus_reply_method_return(m, NULL);
}

/* Who started which unit, and how often it was stopped: for Probe below. */
static struct { char unit[64], sender[64]; unsigned stops; } started[32];
static size_t n_started;

static size_t started_find(const char *unit) {
        for (size_t i = 0; i < n_started; i++)
                if (streq(started[i].unit, unit))
                        return i;
        return SIZE_MAX;
}

static int fake_stop(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *unit, *mode;
        int r = sd_bus_message_read(m, "ss", &unit, &mode);
        if (r < 0)
                return r;
        size_t i = started_find(unit);
        if (i != SIZE_MAX)
                started[i].stops++;
        fake_leftover_stopped_by_name(unit);
        r = sd_bus_reply_method_return(m, "o", "/org/freedesktop/systemd1/job/0");
        /* "jobdone": the stop job ends, as systemd's, for a caller that waits for it. */
        if (r >= 0 && strstr(unit, "jobdone"))
                (void) sd_bus_emit_signal(sd_bus_message_get_bus(m), "/org/freedesktop/systemd1",
                                          "org.freedesktop.systemd1.Manager", "JobRemoved", "uoss", 0,
                                          "/org/freedesktop/systemd1/job/0", unit, "done");
        return r;
}

/* Not systemd's: for the test to ask how cell left the bus. Whether the client
 * that started UNIT is still connected, and how many StopUnit calls it got. */
static int fake_probe(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        sd_bus_message *reply = NULL;
        const char *unit;
        int has = 0, r;

        if ((r = sd_bus_message_read(m, "s", &unit)) < 0)
                return r;
        size_t i = started_find(unit);
        if (i == SIZE_MAX)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s was never started", unit);
        r = sd_bus_call_method(sd_bus_message_get_bus(m), "org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus", "NameHasOwner", error, &reply, "s", started[i].sender);
        if (r >= 0)
                r = sd_bus_message_read(reply, "b", &has);
        sd_bus_message_unref(reply);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, "bu", has, started[i].stops);
}

/* "refuse:NAME": systemd refuses the property NAME, in its own words (systemd
 * 252's src/core/dbus-cgroup.c, dbus-unit.c): a value out of range, or a
 * property it does not know (an older systemd). "refuse:none": a refusal
 * that names no property. */
static int fake_refuse(const char *what, char * const *sent, sd_bus_error *error) {
        if (streq(what, "none"))
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Invalid unit name or type.");
        if (!strv_contains(sent, what))
                return sd_bus_error_setf(error, "org.test.NotSent", "%s was not sent", what);
        if (streq(what, "CPUQuotaPerSecUSec"))
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "CPUQuotaPerSecUSec= value out of range");
        if (endswith(what, "Scale") || streq(what, "MemoryMax"))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Value specified in %s is out of range",
                                         what);
        return sd_bus_error_setf(error, SD_BUS_ERROR_PROPERTY_READ_ONLY, "Cannot set property %s, or unknown property.",
                                 what);
}

static int fake_start(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        sd_bus *bus = sd_bus_message_get_bus(m);
        const char *unit, *mode, *controller = NULL, *slice = NULL;
        _cleanup_strv_free_ char **sent = NULL;
        bool pidfds = false, addref = false;
        int32_t kill_signal = 0;
        uint64_t timeout_stop = 0;
        uint32_t pid = 0;
        char job[128], bad[256] = "";
        static unsigned n_job = 0;
        int r;

        if ((r = sd_bus_message_read(m, "ss", &unit, &mode)) < 0 ||
            (r = sd_bus_message_enter_container(m, 'a', "(sv)")) < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'r', "sv")) > 0) {
                const char *name;
                if ((r = sd_bus_message_read(m, "s", &name)) < 0)
                        return r;
                if ((r = strv_extend(&sent, name)) < 0)
                        return r;
                if (streq(name, "PIDFDs")) {
                        pidfds = true;
                        r = sd_bus_message_skip(m, "v");
                } else if (streq(name, "PIDs")) {
                        const void *a;
                        size_t sz;
                        if ((r = sd_bus_message_enter_container(m, 'v', "au")) < 0 ||
                            (r = sd_bus_message_read_array(m, 'u', &a, &sz)) < 0)
                                return r;
                        if (sz == sizeof(uint32_t))
                                memcpy(&pid, a, sizeof pid);
                        r = sd_bus_message_exit_container(m);
                } else if (streq(name, "AddRef")) {
                        int b;
                        r = sd_bus_message_read(m, "v", "b", &b);
                        addref = b;
                } else if (streq(name, "Controller"))
                        r = sd_bus_message_read(m, "v", "s", &controller);
                else if (streq(name, "Slice"))
                        r = sd_bus_message_read(m, "v", "s", &slice);
                else if (streq(name, "KillSignal"))
                        r = sd_bus_message_read(m, "v", "i", &kill_signal);
                else if (streq(name, "TimeoutStopUSec"))
                        r = sd_bus_message_read(m, "v", "t", &timeout_stop);
                else
                        r = sd_bus_message_skip(m, "v");
                if (r < 0)
                        return r;
                if ((r = sd_bus_message_exit_container(m)) < 0)
                        return r;
        }
        if (r < 0)
                return r;

        /* systemd 252 refuses PIDFDs; cell must never offer it (a refused call and a
         * resend would cost every start a round trip). */
        if (pidfds)
                return sd_bus_error_set(error, SD_BUS_ERROR_PROPERTY_READ_ONLY,
                                        "Cannot set property PIDFDs, or unknown property.");
        if (startswith(unit, "refuse:"))
                return fake_refuse(unit + strlen("refuse:"), sent, error);
        if (strstr(unit, "refused"))
                return sd_bus_error_set(error, "org.freedesktop.systemd1.NoSuchUnit", "Unit nope.slice not found.");
        if (fake_leftover_exists(unit))
                return sd_bus_error_setf(error, "org.freedesktop.systemd1.UnitExists", "Unit %s already exists.", unit);

        if (n_started < ELEMENTSOF(started) && started_find(unit) == SIZE_MAX) {
                snprintf(started[n_started].unit, sizeof started[n_started].unit, "%s", unit);
                snprintf(started[n_started].sender, sizeof started[n_started].sender, "%s",
                         sd_bus_message_get_sender(m));
                n_started++;
        }

        /* What cell must have said, checked here and reported through the job result. */
        if (pid != (uint32_t) getppid())
                snprintf(bad, sizeof bad, "bad-pid-%u", pid);
        else if (addref)
                snprintf(bad, sizeof bad, "addref-sent");       /* a bus track in PID 1 per start, for nothing */
        else if (controller)
                snprintf(bad, sizeof bad, "controller-sent");   /* a bus track in PID 1 per start, and a client to ask */
        else if (kill_signal != SIGUSR2 || timeout_stop != 7 * USEC_PER_SEC)
                snprintf(bad, sizeof bad, "bad-stop-%d-%" PRIu64, (int) kill_signal, timeout_stop);
        else if (!streq_ptr(slice, "machine.slice"))
                snprintf(bad, sizeof bad, "bad-slice");
        else if (!streq(mode, "fail"))
                snprintf(bad, sizeof bad, "bad-mode");

        snprintf(job, sizeof job, "/org/freedesktop/systemd1/job/%u", ++n_job);
        if (strstr(unit, "mute"))
                return 1;       /* no answer, ever: a systemd that hangs */
        if (strstr(unit, "early")) {
                /* The job over before the reply is sent: cell keeps the
                 * signal until the reply names its job. */
                (void) sd_bus_emit_signal(bus, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                          "JobRemoved", "uoss", n_job, job, unit,
                                          *bad ? bad : strstr(unit, "fail") ? "failed" : "done");
                return sd_bus_reply_method_return(m, "o", job);
        }
        if ((r = sd_bus_reply_method_return(m, "o", job)) < 0)
                return r;
        if (strstr(unit, "hang"))
                return 1;       /* no JobRemoved, ever */
        if (strstr(unit, "forged")) {
                /* Another client of the bus says "done" first, straight to cell (a
                 * directed signal needs no match); the manager's own "failed" comes
                 * 200 ms later and is the one that counts. */
                sd_bus *other = NULL;
                sd_bus_message *f = NULL;
                if (sd_bus_open_system(&other) >= 0 &&
                    sd_bus_message_new_signal(other, &f, "/org/freedesktop/systemd1",
                                              "org.freedesktop.systemd1.Manager", "JobRemoved") >= 0 &&
                    sd_bus_message_append(f, "uoss", n_job, job, unit, "done") >= 0 &&
                    sd_bus_message_set_destination(f, sd_bus_message_get_sender(m)) >= 0)
                        (void) sd_bus_send(other, f, NULL);
                sd_bus_message_unref(f);
                sd_bus_flush_close_unref(other);
                usleep(200 * 1000);
                (void) sd_bus_emit_signal(bus, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                          "JobRemoved", "uoss", n_job, job, unit, "failed");
                return 1;
        }
        /* A JobRemoved of someone else's job first: must be ignored. */
        (void) sd_bus_emit_signal(bus, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "JobRemoved",
                                  "uoss", 999, "/org/freedesktop/systemd1/job/999", "other.service", "failed");
        (void) sd_bus_emit_signal(bus, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "JobRemoved",
                                  "uoss", n_job, job, unit, *bad ? bad : strstr(unit, "fail") ? "failed" : "done");
        return 1;
}

static const sd_bus_vtable fake_manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("StartTransientUnit", "ssa(sv)a(sa(sv))", "o", fake_start, 0),
        SD_BUS_METHOD("ResetFailedUnit", "s", "", fake_reset_failed, 0),
        SD_BUS_METHOD("StopUnit", "ss", "o", fake_stop, 0),
        SD_BUS_METHOD("Probe", "s", "bu", fake_probe, 0),
        SD_BUS_METHOD("LeftoverStops", "s", "uuu", fake_leftover_probe, 0),
        SD_BUS_VTABLE_END
};

static const sd_bus_vtable fake_unit_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("ActiveState", "s", fake_leftover_active_state, 0, 0),
        SD_BUS_PROPERTY("InvocationID", "ay", fake_leftover_invocation_id, 0, 0),
        SD_BUS_PROPERTY("Job", "(uo)", fake_leftover_job, 0, 0),
        SD_BUS_METHOD("Stop", "s", "o", fake_leftover_stop, 0),
        SD_BUS_VTABLE_END
};

static const sd_bus_vtable fake_scope_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("GetProcesses", "", "a(sus)", fake_leftover_processes, 0),
        SD_BUS_VTABLE_END
};

/* The fake's manager, units and scopes, and systemd's name. */
int fake_systemd(sd_bus *bus, void *userdata) {
        int r;

        if ((r = sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                          fake_manager_vtable, NULL)) < 0 ||
            (r = sd_bus_add_fallback_vtable(bus, NULL, "/org/freedesktop/systemd1/unit", "org.freedesktop.systemd1.Unit",
                                            fake_unit_vtable, NULL, NULL)) < 0 ||
            (r = sd_bus_add_fallback_vtable(bus, NULL, "/org/freedesktop/systemd1/unit", "org.freedesktop.systemd1.Scope",
                                            fake_scope_vtable, NULL, NULL)) < 0)
                return r;
        return sd_bus_request_name(bus, "org.freedesktop.systemd1", 0);
}

/* ---- the test's side ---- */

uint64_t mono_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / NSEC_PER_USEC;
}

/* Asks the fake (Probe) until the client that started unit is connected or
 * not as wanted, and has got want_stops StopUnit calls, for up to 20 s (the
 * broker need not pass on one client's messages before another's, and a loaded
 * host may take its time to). */
void probe(const char *unit, bool want_connected, unsigned want_stops) {
        sd_bus *bus = NULL;
        int connected = -1;
        unsigned stops = 0;

        ASSERT_OK(sd_bus_open_system(&bus));
        for (int i = 0; i < 2000; i++) {
                sd_bus_message *reply = NULL;
                ASSERT_OK(sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                             "org.freedesktop.systemd1.Manager", "Probe", NULL, &reply, "s", unit));
                ASSERT_OK(sd_bus_message_read(reply, "bu", &connected, &stops));
                sd_bus_message_unref(reply);
                if (!!connected == want_connected && stops == want_stops)
                        break;
                usleep(10 * 1000);
        }
        sd_bus_flush_close_unref(bus);
        ASSERT_EQ(!!connected, want_connected);
        ASSERT_EQ(stops, want_stops);
}

/* The fake's count of stops of a leftover kind: Unit.Stop on its first and
 * second activation, and StopUnit by name (which scope_free() sends for a
 * scope this test made and never released: ask before). */
void leftover_stops(const char *kind, unsigned want_first, unsigned want_second, unsigned want_by_name) {
        sd_bus *bus = NULL;
        sd_bus_message *reply = NULL;
        unsigned first, second, by_name;

        ASSERT_OK(sd_bus_open_system(&bus));
        ASSERT_OK(sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                     "org.freedesktop.systemd1.Manager", "LeftoverStops", NULL, &reply, "s", kind));
        ASSERT_OK(sd_bus_message_read(reply, "uuu", &first, &second, &by_name));
        sd_bus_message_unref(reply);
        sd_bus_flush_close_unref(bus);
        ASSERT_EQ(first, want_first);
        ASSERT_EQ(second, want_second);
        ASSERT_EQ(by_name, want_by_name);
}

/* Runs one scope through new/attach/wait; returns wait's result. limits: NULL for none. */
int run_limited(const char *name, const char *unit, const PlanLimits *limits, Event *e, Scope **ret) {
        Plan p = { .name = (char *) name, .scope_unit = (char *) unit, .slice = (char *) "machine.slice",
                   .description = (char *) "cell test", .kill_signal = SIGUSR2,
                   .timeout_stop_usec = 7 * USEC_PER_SEC,
                   .limits = limits ? *limits : (PlanLimits) { .cpu_quota_per_sec_usec = USEC_INFINITY } };
        Scope *s = NULL;

        ASSERT_OK(scope_new(&p, CGROUP_MANAGER_SYSTEMD, false, e, &s));
        ASSERT_EQ(scope_manager(s), CGROUP_MANAGER_SYSTEMD);
        ASSERT_ERROR(scope_clone_into_fd(s), EBADF);
        ASSERT_OK(scope_attach(s, getpid(), false));
        int r = scope_wait(s);
        *ret = s;
        return r;
}

int run_one(const char *name, const char *unit, Event *e, Scope **ret) {
        return run_limited(name, unit, NULL, e, ret);
}
