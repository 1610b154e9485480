/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The systemd manager's conversation, rootless: a private dbus-daemon and a
 * fake org.freedesktop.systemd1 (a child process) that answers like systemd
 * 252 -- PIDFDs refused with PropertyReadOnly, JobRemoved after the reply,
 * UnitExists -- and fails the job when cell sends what PID 1 would pay for in
 * vain (PIDFDs, AddRef=, Controller=) or leaves out what its own stop of the
 * scope needs (KillSignal=, TimeoutStopUSec=). The real systemd is exercised
 * by tests/integration/systemd/. Skips when dbus-daemon is missing. */

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>

#include "fake-bus.h"
#include "fake-leftover.h"
#include "plan/plan-test.h"
#include "scope-internal.h"
#include "test.h"

/* ---- the fake systemd ---- */

static uint64_t mono_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / NSEC_PER_USEC;
}

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
        return sd_bus_reply_method_return(m, "o", "/org/freedesktop/systemd1/job/0");
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
static int fake_systemd(sd_bus *bus, void *userdata) {
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

/* Asks the fake (Probe) until the client that started unit is connected or
 * not as wanted, and has got want_stops StopUnit calls, for up to 20 s (the
 * broker need not pass on one client's messages before another's, and a loaded
 * host may take its time to). */
static void probe(const char *unit, bool want_connected, unsigned want_stops) {
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
static void leftover_stops(const char *kind, unsigned want_first, unsigned want_second, unsigned want_by_name) {
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
static int run_limited(const char *name, const char *unit, const PlanLimits *limits, Event *e, Scope **ret) {
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

static int run_one(const char *name, const char *unit, Event *e, Scope **ret) {
        return run_limited(name, unit, NULL, e, ret);
}

TEST(systemd_conversation) {
        Event *e = NULL;
        Scope *s = NULL;

        if (!fake_bus_start(NULL, fake_systemd, NULL))
                return;
        ASSERT_OK(event_new(&e));

        /* PIDs, Slice, KillSignal and TimeoutStopUSec; no PIDFDs, AddRef= or
         * Controller=: checked by the fake. */
        ASSERT_OK(run_one("ok", "cell-ok.scope", e, &s));
        ASSERT_NULL(scope_last_error(s));
        scope_free(s);

        /* Once the payload runs, cell lets go of the bus: no connection held for the
         * container's life, and nothing sent at its end (the scope ends with it). */
        ASSERT_OK(run_one("release", "cell-release.scope", e, &s));
        probe("cell-release.scope", true, 0);
        scope_release(s);
        probe("cell-release.scope", false, 0);
        scope_free(s);
        usleep(100 * 1000);     /* time for a StopUnit, were one sent */
        probe("cell-release.scope", false, 0);

        /* A job that fails: the result is named, and the scope systemd made is
         * stopped before cell lets go of the bus. */
        ASSERT_ERROR(run_one("fail", "cell-fail.scope", e, &s), EIO);
        ASSERT_STREQ(scope_last_error(s), "starting cell-fail.scope failed: job result 'failed'");
        scope_free(s);
        probe("cell-fail.scope", false, 1);

        /* A JobRemoved from anyone but the manager that made the job is not believed:
         * a forged "done" would release the payload before it is in its cgroup. */
        ASSERT_ERROR(run_one("forged", "cell-forged.scope", e, &s), EIO);
        ASSERT_STREQ(scope_last_error(s), "starting cell-forged.scope failed: job result 'failed'");
        scope_free(s);

        /* Refused outright: systemd's own words. */
        ASSERT_TRUE(run_one("refused", "cell-refused.scope", e, &s) < 0);
        ASSERT_STREQ(scope_last_error(s), "StartTransientUnit(cell-refused.scope) failed: Unit nope.slice not found. "
                                          "(org.freedesktop.systemd1.NoSuchUnit)");
        scope_free(s);

        /* Running already. */
        ASSERT_ERROR(run_one("busy", "cell-busy.scope", e, &s), EEXIST);
        ASSERT_STREQ(scope_last_error(s), "cell busy is already running (cell-busy.scope, PID 4242)");
        ASSERT_FALSE(scope_leftover_stopped(s));
        leftover_stops("busy", 0, 0, 0);
        scope_free(s);

        /* A failed leftover without an activation: ResetFailedUnit, then the retry works. */
        ASSERT_OK(run_one("left", "cell-left.scope", e, &s));
        ASSERT_FALSE(scope_leftover_stopped(s));
        scope_free(s);

        /* Active with no process in it (a cell of that name that has just ended, or
         * one systemd missed the end of): that activation is stopped, through its
         * invocation ID and never by name, and the start goes through. */
        ASSERT_OK(run_one("stale", "cell-stale.scope", e, &s));
        ASSERT_NULL(scope_last_error(s));
        ASSERT_TRUE(scope_leftover_stopped(s));
        leftover_stops("stale", 1, 0, 0);
        scope_free(s);

        /* ... a stop that leaves it failed: reset, then started. */
        ASSERT_OK(run_one("unclean", "cell-unclean.scope", e, &s));
        ASSERT_TRUE(scope_leftover_stopped(s));
        leftover_stops("unclean", 1, 0, 0);
        scope_free(s);

        /* ... a stop systemd refuses: the start is refused, with its words. */
        ASSERT_ERROR(run_one("nostop", "cell-nostop.scope", e, &s), EEXIST);
        ASSERT_STREQ(scope_last_error(s), "cell-nostop.scope is active with no process in it, and could not be "
                                          "stopped: Access denied");
        ASSERT_FALSE(scope_leftover_stopped(s));
        scope_free(s);

        /* ... over by itself after it was read, and the name taken by another cell's
         * start: the stop names the activation that was read, so the new one is not
         * touched, and this start is refused as for any running cell. */
        ASSERT_ERROR(run_one("swapped", "cell-swapped.scope", e, &s), EEXIST);
        ASSERT_STREQ(scope_last_error(s), "cell swapped is already running (cell-swapped.scope, PID 4343)");
        leftover_stops("swapped", 1, 0, 0);
        scope_free(s);

        /* Inactive with a start job queued: another cell's start, before systemd
         * ran its job. Refused as running, never reset or stopped. */
        ASSERT_ERROR(run_one("starting", "cell-starting.scope", e, &s), EEXIST);
        ASSERT_STREQ(scope_last_error(s), "cell starting is already running (cell-starting.scope, activating)");
        leftover_stops("starting", 0, 0, 0);
        scope_free(s);
        /* ... also when the unit still has the ID of its last activation. */
        ASSERT_ERROR(run_one("again", "cell-again.scope", e, &s), EEXIST);
        ASSERT_STREQ(scope_last_error(s), "cell again is already running (cell-again.scope, activating)");
        leftover_stops("again", 0, 0, 0);
        scope_free(s);

        /* A limit systemd did not put in force: the fake makes no cgroup, so this
         * process is in no cell-unenforced.scope, and TasksMax= is refused. */
        PlanLimits tasks = { .cpu_quota_per_sec_usec = USEC_INFINITY,
                             .tasks_max = { .kind = CELL_LIMIT_VALUE, .value = 32 } };
        ASSERT_ERROR(run_limited("unenforced", "cell-unenforced.scope", &tasks, e, &s), EOPNOTSUPP);
        ASSERT_CONTAINS(scope_last_error(s), "TasksMax=: systemd has no pids controller for cell-unenforced.scope, "
                                             "so the limit would not be enforced");
        scope_free(s);
        /* ... nor a Startup*= one, which systemd applies while the system
         * starts up or shuts down: it needs the controller all the same. */
        static uint8_t cpu0[1] = { 0x01 };
        PlanLimits startup = { .cpu_quota_per_sec_usec = USEC_INFINITY,
                               .startup_allowed_cpus = cpu0, .startup_allowed_cpus_size = sizeof cpu0 };
        ASSERT_ERROR(run_limited("unenforced2", "cell-unenforced2.scope", &startup, e, &s), EOPNOTSUPP);
        ASSERT_CONTAINS(scope_last_error(s), "StartupAllowedCPUs=: systemd has no cpuset controller for "
                                             "cell-unenforced2.scope");
        scope_free(s);

        /* The bus goes away while waiting for the job. */
        Plan p = { .name = (char *) "hang", .scope_unit = (char *) "cell-hang.scope",
                   .limits.cpu_quota_per_sec_usec = USEC_INFINITY };
        ASSERT_OK(scope_new(&p, CGROUP_MANAGER_SYSTEMD, false, e, &s));
        ASSERT_OK(scope_attach(s, getpid(), false));
        fake_bus_stop();
        ASSERT_ERROR(scope_wait(s), ECONNRESET);
        ASSERT_STREQ(scope_last_error(s), "lost the connection to the bus while waiting for cell-hang.scope");
        scope_free(s);

        event_unref(e);
}

/* The unit the refusals below are of: the main file's keys, the drop-in's. */
#define REFUSED_UNIT "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\nKillSignal=SIGUSR1\n" \
        "[Limits]\nCPUQuota=5000%\nAllowedCPUs=0-1\nStartupAllowedCPUs=0-1,3\nTasksMax=64\nMemoryMax=1G\n"
#define REFUSED_DROPIN "[Limits]\nMemoryMax=50%\n"

/* The start of plan p as unit (a "refuse:NAME" the fake refuses); its
 * message, and where "cell run" says the key was written (the temporary
 * directory cut off: "web.cell:7: "). */
static int run_refused(Plan *p, const char *unit, Event *e, char *where, size_t n, Scope **ret) {
        char buf[PATH_MAX + 32];
        const char *slash;
        Scope *s = NULL;

        free(p->scope_unit);
        p->scope_unit = xstrdup(unit);
        ASSERT_OK(scope_new(p, CGROUP_MANAGER_SYSTEMD, false, e, &s));
        ASSERT_OK(scope_attach(s, getpid(), false));
        int r = scope_wait(s);
        ASSERT_NOT_NULL(scope_last_error(s));
        plan_message_origin(p, scope_last_error(s), buf, sizeof buf);
        slash = strstr(buf, "/web.cell");
        snprintf(where, n, "%s", slash ? slash + 1 : buf);
        *ret = s;
        return r;
}

/* systemd refuses a property cell sent: the message says which unit key made
 * it, with its value, and "cell run" names where that key was written --
 * the drop-in, where it set the key -- as for any value the start refuses.
 * One cell adds of its own accord is said to be so; a refusal that names no
 * property stays systemd's words alone. */
TEST(property_refused) {
        Event *e = NULL;
        Scope *s = NULL;
        CellConfig c;
        Plan p = {};
        char where[PATH_MAX + 32];

        if (!fake_bus_start(NULL, fake_systemd, NULL))
                return;
        ASSERT_OK(event_new(&e));
        config_from_files(&c, "web", REFUSED_UNIT, REFUSED_DROPIN);
        plan_ok(&c, NULL, &p);

#define READ_ONLY(name) "Cannot set property " name ", or unknown property. " \
        "(org.freedesktop.DBus.Error.PropertyReadOnly)"
        static const struct {
                const char *unit;       /* "refuse:PROPERTY": the fake systemd refuses it */
                const char *error, *where;
                int errnum;             /* what the start fails with: InvalidArgs is EINVAL; 0: any */
        } cases[] = {
                /* A value systemd does not take. */
                { "refuse:CPUQuotaPerSecUSec", "CPUQuota=5000%: systemd refused CPUQuotaPerSecUSec: "
                  "CPUQuotaPerSecUSec= value out of range (org.freedesktop.DBus.Error.InvalidArgs)", "web.cell:7: ",
                  EINVAL },
                /* Set in the drop-in: its file and line; a percentage as its Scale property. */
                { "refuse:MemoryMaxScale", "MemoryMax=50%: systemd refused MemoryMaxScale: Value specified in "
                  "MemoryMaxScale is out of range (org.freedesktop.DBus.Error.InvalidArgs)", "web.cell.d/x.conf:2: ",
                  EINVAL },
                /* A property an older systemd does not know: "StartupAllowedCPUs",
                 * not the "AllowedCPUs" inside its name. */
                { "refuse:StartupAllowedCPUs", "StartupAllowedCPUs=0-1,3: systemd refused StartupAllowedCPUs: "
                  READ_ONLY("StartupAllowedCPUs"), "web.cell:9: " },
                { "refuse:TasksMax", "TasksMax=64: systemd refused TasksMax: " READ_ONLY("TasksMax"), "web.cell:10: " },
                /* One the scope adds from a key of the unit's. */
                { "refuse:KillSignal", "KillSignal=SIGUSR1: systemd refused KillSignal: " READ_ONLY("KillSignal"),
                  "web.cell:5: " },
                /* cell's own: no key, no file. */
                { "refuse:Delegate", "StartTransientUnit(refuse:Delegate) failed: systemd refused Delegate, cell's "
                  "own property: " READ_ONLY("Delegate"), "" },
                /* No property named: systemd's words, as they were. */
                { "refuse:none", "StartTransientUnit(refuse:none) failed: Invalid unit name or type. "
                  "(org.freedesktop.DBus.Error.InvalidArgs)", "", EINVAL },
        };
#undef READ_ONLY

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                int r = run_refused(&p, cases[i].unit, e, where, sizeof where, &s);

                ASSERT_TRUE(r < 0);
                if (cases[i].errnum != 0)
                        ASSERT_ERROR(r, cases[i].errnum);
                ASSERT_STREQ(scope_last_error(s), cases[i].error);
                ASSERT_STREQ(where, cases[i].where);
                scope_free(s);
        }

        plan_done(&p);
        cell_config_done(&c);
        fake_bus_stop();
        event_unref(e);
}

/* TasksMax=100% is sent as TasksMax (the system's number of tasks), not as
 * the TasksMaxScale the plan has: refused, it is named under the name systemd
 * saw, with the value the unit wrote. */
TEST(tasks_max_full_refused) {
        Event *e = NULL;
        Scope *s = NULL;
        CellConfig c;
        Plan p = {};
        char where[PATH_MAX + 32];

        if (!fake_bus_start(NULL, fake_systemd, NULL))
                return;
        ASSERT_OK(event_new(&e));
        config_from_files(&c, "web", "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\n[Limits]\nTasksMax=100%\n",
                          NULL);
        plan_ok(&c, NULL, &p);

        ASSERT_TRUE(run_refused(&p, "refuse:TasksMax", e, where, sizeof where, &s) < 0);
        ASSERT_STREQ(scope_last_error(s), "TasksMax=100%: systemd refused TasksMax: Cannot set property TasksMax, "
                                          "or unknown property. (org.freedesktop.DBus.Error.PropertyReadOnly)");
        ASSERT_STREQ(where, "web.cell:6: ");
        scope_free(s);

        plan_done(&p);
        cell_config_done(&c);
        fake_bus_stop();
        event_unref(e);
}

/* A child holding two connections to the bus, registered (Hello answered)
 * before this returns, for hold_usec (USEC_INFINITY: until killed). */
static pid_t start_filler(uint64_t hold_usec) {
        int ready[2];
        char c;

        ASSERT_OK(pipe2(ready, O_CLOEXEC));
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                sd_bus *a = NULL, *b = NULL;
                const char *name;
                if (sd_bus_open_system(&a) < 0 || sd_bus_get_unique_name(a, &name) < 0 ||
                    sd_bus_open_system(&b) < 0 || sd_bus_get_unique_name(b, &name) < 0)
                        _exit(1);
                (void) !write(ready[1], "r", 1);
                if (hold_usec == USEC_INFINITY)
                        pause();
                else
                        usleep((useconds_t) hold_usec);
                _exit(0);
        }
        close(ready[1]);
        ASSERT_EQ(read(ready[0], &c, 1), 1);
        close(ready[0]);
        return pid;
}

/* A broker that allows a user 3 connections (dbus-daemon's system bus: 256):
 * the fake systemd holds one, a child of ours two more for 300 ms. cell's
 * connection is turned away (the broker refuses its Hello); it tries again,
 * a little later each time, and gets through once the child is gone. */
TEST(turned_away_then_through) {
        static const char config[] =
                "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
                " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                "<busconfig><include>/usr/share/dbus-1/session.conf</include>\n"
                "<limit name=\"max_connections_per_user\">3</limit></busconfig>\n";
        char path[] = "/tmp/test-scope-systemd-XXXXXX";
        int fd = mkstemp(path);
        Event *e = NULL;
        Scope *s = NULL;

        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(write(fd, config, sizeof config - 1), (ssize_t) (sizeof config - 1));
        close(fd);
        bool up = fake_bus_start(path, fake_systemd, NULL);
        unlink(path);
        if (!up)
                return;
        ASSERT_OK(event_new(&e));

        /* t0 before the child: its 300 ms start after t0 however late we
         * run again, so that the wait below is 300 ms at least. */
        uint64_t t0 = mono_usec();
        pid_t filler = start_filler(300 * USEC_PER_MSEC);
        ASSERT_OK(run_one("away", "cell-away.scope", e, &s));
        uint64_t t1 = mono_usec();
        ASSERT_NULL(scope_last_error(s));
        /* It did wait for the child's connections to go. */
        int status;
        ASSERT_EQ(waitpid(filler, &status, WNOHANG), filler);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        ASSERT_TRUE(t1 - t0 >= 250 * USEC_PER_MSEC);
        scope_free(s);

        /* Turned away again and again, with a stop request pending (cell blocks
         * SIGTERM and reads it later): no more tries, the start ends at once. */
        filler = start_filler(USEC_INFINITY);
        sigset_t term, old;
        sigemptyset(&term);
        sigaddset(&term, SIGTERM);
        ASSERT_OK(sigprocmask(SIG_BLOCK, &term, &old));
        ASSERT_OK(kill(getpid(), SIGTERM));
        t0 = mono_usec();
        ASSERT_ERROR(run_one("stopped", "cell-stopped.scope", e, &s), ECANCELED);
        ASSERT_STREQ(scope_last_error(s), "interrupted while waiting for the system bus");
        /* At the first refusal, not after tries that grow to 250 ms each
         * (~9 s); 3 s of room for a loaded host. */
        ASSERT_TRUE(mono_usec() - t0 < 3 * USEC_PER_SEC);
        scope_free(s);
        ASSERT_EQ(sigtimedwait(&term, NULL, &(struct timespec) {}), SIGTERM);
        ASSERT_OK(sigprocmask(SIG_SETMASK, &old, NULL));
        kill(filler, SIGKILL);
        ASSERT_EQ(waitpid(filler, NULL, 0), filler);

        fake_bus_stop();
        event_unref(e);
}

/* An upper bound on a wait that a deadline or a stop request of 300 or 500 ms
 * ends: room for a loaded host (ASan, parallel tests), and far below what it
 * would be without them (sd-bus's 25 s for a call or a handshake, the default
 * 30 s of $CELL_SCOPE_TIMEOUT). */
#define SLOW_HOST_USEC (10 * USEC_PER_SEC)

/* A child that sends us SIGTERM after usec (blocked here: cell blocks it too). */
static pid_t kill_later(uint64_t usec) {
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                usleep((useconds_t) usec);
                (void) kill(getppid(), SIGTERM);
                _exit(0);
        }
        return pid;
}

/* Blocks SIGTERM (old: the mask before), as cell run does before it starts. */
static void block_term(sigset_t *old) {
        sigset_t term;

        sigemptyset(&term);
        sigaddset(&term, SIGTERM);
        ASSERT_OK(sigprocmask(SIG_BLOCK, &term, old));
}

/* The SIGTERM is still pending for cell's own reader: taken here, and the mask restored. */
static void expect_term_pending(const sigset_t *old) {
        sigset_t term;

        sigemptyset(&term);
        sigaddset(&term, SIGTERM);
        ASSERT_EQ(sigtimedwait(&term, NULL, &(struct timespec) {}), SIGTERM);
        ASSERT_OK(sigprocmask(SIG_SETMASK, old, NULL));
}

/* How long systemd has to make the scope ($CELL_SCOPE_TIMEOUT), through a
 * broker that works: a StartTransientUnit systemd never answers, a job that
 * never ends. Each fails within the deadline, naming its step; a scope systemd
 * made is stopped. A stop request while the job is awaited ends the wait at
 * once (it used to wait for whatever the bus sent next). */
TEST(deadline_through_the_broker) {
        Event *e = NULL;
        Scope *s = NULL;
        sigset_t old;
        uint64_t t0, t;

        if (!fake_bus_start(NULL, fake_systemd, NULL))
                return;
        ASSERT_OK(event_new(&e));
        ASSERT_OK(setenv("CELL_SCOPE_TIMEOUT", "300ms", 1));

        t0 = mono_usec();
        ASSERT_ERROR(run_one("mute", "cell-mute.scope", e, &s), ETIMEDOUT);
        t = mono_usec() - t0;
        ASSERT_STREQ(scope_last_error(s), "systemd did not answer StartTransientUnit(cell-mute.scope) within 0.3 s");
        ASSERT_TRUE(t >= 300 * USEC_PER_MSEC && t < SLOW_HOST_USEC);
        scope_free(s);
        probe("cell-mute.scope", false, 0);

        t0 = mono_usec();
        ASSERT_ERROR(run_one("hangdl", "cell-hangdl.scope", e, &s), ETIMEDOUT);
        t = mono_usec() - t0;
        ASSERT_STREQ(scope_last_error(s), "systemd did not finish the start job of cell-hangdl.scope within 0.3 s");
        ASSERT_TRUE(t >= 300 * USEC_PER_MSEC && t < SLOW_HOST_USEC);
        scope_free(s);
        probe("cell-hangdl.scope", false, 1);

        /* The default deadline (30 s) is far; a SIGTERM 300 ms in ends the wait. */
        ASSERT_OK(unsetenv("CELL_SCOPE_TIMEOUT"));
        block_term(&old);
        t0 = mono_usec();
        pid_t killer = kill_later(300 * USEC_PER_MSEC);
        ASSERT_ERROR(run_one("hangstop", "cell-hangstop.scope", e, &s), ECANCELED);
        ASSERT_STREQ(scope_last_error(s), "interrupted while waiting for cell-hangstop.scope");
        scope_free(s);
        ASSERT_TRUE(mono_usec() - t0 < SLOW_HOST_USEC);
        probe("cell-hangstop.scope", false, 1);
        ASSERT_EQ(waitpid(killer, NULL, 0), killer);
        expect_term_pending(&old);

        fake_bus_stop();
        event_unref(e);
}

/* A "bus" that accepts connections and never says a word, not even in the
 * handshake: a child of ours holding every connection it accepts. */
static pid_t start_mute_bus(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int ready[2];
        char c;

        ASSERT_TRUE(strlen(path) < sizeof sa.sun_path);
        strcpy(sa.sun_path, path);
        ASSERT_OK(pipe2(ready, O_CLOEXEC));
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0 || listen(fd, 16) < 0)
                        _exit(1);
                (void) !write(ready[1], "r", 1);
                for (;;)
                        (void) accept4(fd, NULL, NULL, SOCK_CLOEXEC);   /* held, never read */
        }
        close(ready[1]);
        ASSERT_EQ(read(ready[0], &c, 1), 1);
        close(ready[0]);
        return pid;
}

/* The system bus takes the connection and never answers: sd-bus would wait
 * 90 s for the handshake, per try, and cell tried 40 times. Now the deadline
 * ends it, naming the bus's address, and so does a stop request, at once;
 * neither is kept waiting by the disconnect. */
TEST(mute_bus) {
        char dir[] = "/tmp/test-scope-mute-XXXXXX", path[PATH_MAX], address[PATH_MAX + 16], want[PATH_MAX + 128];
        Event *e = NULL;
        Scope *s = NULL;
        sigset_t old;
        uint64_t t0, t;

        ASSERT_NOT_NULL(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/bus", dir);
        pid_t mute = start_mute_bus(path);
        snprintf(address, sizeof address, "unix:path=%s", path);
        ASSERT_OK(setenv("DBUS_SYSTEM_BUS_ADDRESS", address, 1));
        ASSERT_OK(event_new(&e));

        ASSERT_OK(setenv("CELL_SCOPE_TIMEOUT", "500ms", 1));
        t0 = mono_usec();
        ASSERT_ERROR(run_one("mute", "cell-mute.scope", e, &s), ETIMEDOUT);
        snprintf(want, sizeof want, "the system bus at %s did not answer within 0.5 s", address);
        ASSERT_STREQ(scope_last_error(s), want);
        scope_free(s);
        t = mono_usec() - t0;
        ASSERT_TRUE(t >= 500 * USEC_PER_MSEC && t < SLOW_HOST_USEC);

        /* The default deadline (30 s) is far; a SIGTERM 500 ms in ends the wait. */
        ASSERT_OK(unsetenv("CELL_SCOPE_TIMEOUT"));
        block_term(&old);
        /* t0 before the child: its 500 ms start after t0, however late we run again. */
        t0 = mono_usec();
        pid_t killer = kill_later(500 * USEC_PER_MSEC);
        ASSERT_ERROR(run_one("mute", "cell-mute.scope", e, &s), ECANCELED);
        ASSERT_STREQ(scope_last_error(s), "interrupted while waiting for the system bus");
        scope_free(s);
        t = mono_usec() - t0;
        ASSERT_TRUE(t >= 400 * USEC_PER_MSEC && t < SLOW_HOST_USEC);
        ASSERT_EQ(waitpid(killer, NULL, 0), killer);
        expect_term_pending(&old);

        /* Not a time span: said so, and no bus is tried. */
        Plan p = { .name = (char *) "mute", .scope_unit = (char *) "cell-mute.scope",
                   .limits.cpu_quota_per_sec_usec = USEC_INFINITY };
        ASSERT_OK(setenv("CELL_SCOPE_TIMEOUT", "soon", 1));
        ASSERT_ERROR(scope_new(&p, CGROUP_MANAGER_SYSTEMD, false, e, &s), EINVAL);
        ASSERT_STREQ(scope_last_error(NULL), "$CELL_SCOPE_TIMEOUT=soon: not a time span (\"30s\", \"2min\", \"infinity\")");
        ASSERT_OK(unsetenv("CELL_SCOPE_TIMEOUT"));

        kill(mute, SIGKILL);
        ASSERT_EQ(waitpid(mute, NULL, 0), mute);
        unlink(path);
        rmdir(dir);
        ASSERT_OK(unsetenv("DBUS_SYSTEM_BUS_ADDRESS"));
        event_unref(e);
}

/* A connect that fails is no broker turning cell away: not tried again for
 * ~9 s nor blamed on the limit of connections per user, but said at once,
 * naming the address. TCP (the connect finishes in the event loop): a port
 * bound and not listened on refuses. AF_UNIX (the connect is synchronous): a
 * socket bound and not listened on refuses likewise. */
TEST(refused_connect) {
        struct sockaddr_in in = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        struct sockaddr_un un = { .sun_family = AF_UNIX };
        char dir[] = "/tmp/test-scope-refused-XXXXXX", address[PATH_MAX + 16], want[PATH_MAX + 128];
        socklen_t n = sizeof in;
        Event *e = NULL;
        Scope *s = NULL;

        int tcp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (tcp < 0 || bind(tcp, (struct sockaddr *) &in, sizeof in) < 0) {
                test_skip("no loopback TCP");
                if (tcp >= 0)
                        close(tcp);
                return;
        }
        ASSERT_OK(getsockname(tcp, (struct sockaddr *) &in, &n));
        snprintf(address, sizeof address, "tcp:host=127.0.0.1,port=%u", (unsigned) ntohs(in.sin_port));
        ASSERT_OK(setenv("DBUS_SYSTEM_BUS_ADDRESS", address, 1));
        ASSERT_OK(event_new(&e));
        uint64_t t0 = mono_usec();
        int r = run_one("refused", "cell-refused.scope", e, &s);
        uint64_t t = mono_usec() - t0;
        ASSERT_ERROR(r, ECONNREFUSED);
        snprintf(want, sizeof want, "cannot connect to the system bus at %s: the connection failed (refused, or "
                 "no route)", address);
        ASSERT_STREQ(scope_last_error(s), want);
        ASSERT_TRUE(t < 3 * USEC_PER_SEC);     /* not ~9 s of tries; room for a loaded host */
        scope_free(s);
        close(tcp);

        ASSERT_NOT_NULL(mkdtemp(dir));
        snprintf(un.sun_path, sizeof un.sun_path, "%s/bus", dir);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(bind(fd, (struct sockaddr *) &un, sizeof un));
        snprintf(address, sizeof address, "unix:path=%s", un.sun_path);
        ASSERT_OK(setenv("DBUS_SYSTEM_BUS_ADDRESS", address, 1));
        Plan p = { .name = (char *) "refused", .scope_unit = (char *) "cell-refused.scope",
                   .limits.cpu_quota_per_sec_usec = USEC_INFINITY };
        ASSERT_ERROR(scope_new(&p, CGROUP_MANAGER_SYSTEMD, false, e, &s), ECONNREFUSED);
        snprintf(want, sizeof want, "cannot connect to the system bus at %s: %s", address, strerror(ECONNREFUSED));
        ASSERT_STREQ(scope_last_error(NULL), want);
        close(fd);
        unlink(un.sun_path);
        rmdir(dir);
        ASSERT_OK(unsetenv("DBUS_SYSTEM_BUS_ADDRESS"));
        event_unref(e);
}
