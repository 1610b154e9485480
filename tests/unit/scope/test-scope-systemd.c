/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The systemd manager's conversation, rootless: a private dbus-daemon and a
 * fake org.freedesktop.systemd1 (a child process) that answers like systemd
 * 252 -- PIDFDs refused with PropertyReadOnly, JobRemoved after the reply,
 * UnitExists, RequestStop to the Controller -- and fails the job when cell
 * sends what PID 1 would pay for in vain (PIDFDs, AddRef=). The real systemd is exercised
 * by tests/integration/systemd/. Skips when dbus-daemon is missing. */

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>

#include "scope-internal.h"
#include "test.h"

static pid_t daemon_pid = -1, fake_pid = -1;
static bool reset_called;

/* ---- the fake systemd ---- */

/* The stale scope (systemd 252 after a cell killed in its first ms): active,
 * no process in it, until a process attached to it has come and gone -- the
 * populated 1 -> 0 event systemd missed. */
static pid_t stale_attached;

static bool stale_over(void) {
        return stale_attached > 0 && kill(stale_attached, 0) < 0 && errno == ESRCH;
}

static int fake_get_active_state(sd_bus *bus, const char *path, const char *interface, const char *property,
                                 sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const char *state = strstr(path, "busy") || strstr(path, "undeleg") ? "active" :
                            strstr(path, "stale") ? (stale_over() ? "inactive" : "active") :
                            reset_called ? "inactive" : "failed";
        return sd_bus_message_append(reply, "s", state);
}

static int fake_get_processes(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        if (strstr(sd_bus_message_get_path(m), "busy"))
                return sd_bus_reply_method_return(m, "a(sus)", 1, "/machine.slice/cell-busy.scope", 4242, "sleep");
        return sd_bus_reply_method_return(m, "a(sus)", 0);
}

/* The PPid: line of /proc/PID/status; 0 when unreadable. */
static pid_t parent_of(pid_t pid) {
        char path[64], line[256];
        pid_t ppid = 0;
        snprintf(path, sizeof path, "/proc/%d/status", (int) pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return 0;
        while (fgets(line, sizeof line, f))
                if (sscanf(line, "PPid: %d", &ppid) == 1)
                        break;
        fclose(f);
        return ppid;
}

static int fake_attach(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *unit, *sub;
        const void *a;
        size_t sz;
        uint32_t pid;
        int r;

        if ((r = sd_bus_message_read(m, "ss", &unit, &sub)) < 0 ||
            (r = sd_bus_message_read_array(m, 'u', &a, &sz)) < 0)
                return r;
        if (sz != sizeof pid)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "one PID expected");
        memcpy(&pid, a, sizeof pid);
        /* systemd's own refusals, in its words. */
        if (strstr(unit, "undeleg"))
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "Process migration not available on non-delegated units.");
        if (!strstr(unit, "stale") || stale_attached > 0)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Unit is not active, refusing.");
        /* Never the payload (that would make the stale scope the new one's), and a
         * live child of cell's: what exits right after is what ends the scope. */
        if (pid == (uint32_t) getppid())
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "the payload was attached");
        if (*sub)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "a sub-cgroup was named");
        if (kill((pid_t) pid, 0) < 0 || parent_of((pid_t) pid) != getppid())
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "not a live child of cell");
        stale_attached = (pid_t) pid;
        return sd_bus_reply_method_return(m, NULL);
}

static int fake_reset_failed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        reset_called = true;
        return sd_bus_reply_method_return(m, NULL);
}

static int fake_start(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        sd_bus *bus = sd_bus_message_get_bus(m);
        const char *unit, *mode, *controller = NULL, *slice = NULL;
        bool pidfds = false, addref = false;
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
        if (strstr(unit, "refused"))
                return sd_bus_error_set(error, "org.freedesktop.systemd1.NoSuchUnit", "Unit nope.slice not found.");
        if (strstr(unit, "busy") || strstr(unit, "undeleg") || (strstr(unit, "stale") && !stale_over()) ||
            (strstr(unit, "left") && !reset_called))
                return sd_bus_error_setf(error, "org.freedesktop.systemd1.UnitExists", "Unit %s already exists.", unit);

        /* What cell must have said, checked here and reported through the job result. */
        if (pid != (uint32_t) getppid())
                snprintf(bad, sizeof bad, "bad-pid-%u", pid);
        else if (addref)
                snprintf(bad, sizeof bad, "addref-sent");       /* a bus track in PID 1 per start, for nothing */
        else if (!controller || !streq(controller, sd_bus_message_get_sender(m)))
                snprintf(bad, sizeof bad, "bad-controller");
        else if (!streq_ptr(slice, "machine.slice"))
                snprintf(bad, sizeof bad, "bad-slice");
        else if (!streq(mode, "fail"))
                snprintf(bad, sizeof bad, "bad-mode");

        snprintf(job, sizeof job, "/org/freedesktop/systemd1/job/%u", ++n_job);
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
        if (strstr(unit, "stop") && controller) {
                sd_bus_message *s = NULL;
                char *path = NULL;
                if (sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &path) >= 0 &&
                    sd_bus_message_new_signal(bus, &s, path, "org.freedesktop.systemd1.Scope", "RequestStop") >= 0 &&
                    sd_bus_message_set_destination(s, controller) >= 0)
                        (void) sd_bus_send(bus, s, NULL);
                sd_bus_message_unref(s);
                free(path);
        }
        return 1;
}

static const sd_bus_vtable fake_manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("StartTransientUnit", "ssa(sv)a(sa(sv))", "o", fake_start, 0),
        SD_BUS_METHOD("ResetFailedUnit", "s", "", fake_reset_failed, 0),
        SD_BUS_METHOD("AttachProcessesToUnit", "ssau", "", fake_attach, 0),
        SD_BUS_METHOD("StopUnit", "ss", "o", fake_reset_failed, 0),
        SD_BUS_VTABLE_END
};
static const sd_bus_vtable fake_unit_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("ActiveState", "s", fake_get_active_state, 0, 0),
        SD_BUS_VTABLE_END
};
static const sd_bus_vtable fake_scope_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("GetProcesses", "", "a(sus)", fake_get_processes, 0),
        SD_BUS_VTABLE_END
};

static _noreturn_ void fake_systemd(int ready_fd) {
        sd_bus *bus = NULL;
        if (sd_bus_open_system(&bus) < 0 ||
            sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                     fake_manager_vtable, NULL) < 0 ||
            sd_bus_add_fallback_vtable(bus, NULL, "/org/freedesktop/systemd1/unit", "org.freedesktop.systemd1.Unit",
                                       fake_unit_vtable, NULL, NULL) < 0 ||
            sd_bus_add_fallback_vtable(bus, NULL, "/org/freedesktop/systemd1/unit", "org.freedesktop.systemd1.Scope",
                                       fake_scope_vtable, NULL, NULL) < 0 ||
            sd_bus_request_name(bus, "org.freedesktop.systemd1", 0) < 0)
                _exit(1);
        (void) write(ready_fd, "r", 1);
        close(ready_fd);
        for (;;) {
                int r = sd_bus_process(bus, NULL);
                if (r < 0)
                        _exit(0);
                if (r == 0 && sd_bus_wait(bus, UINT64_MAX) < 0)
                        _exit(0);
        }
}

/* ---- setup ---- */

static bool start_fakes(void) {
        int addr_pipe[2], ready_pipe[2];
        char addr[512];
        ssize_t k;

        if (access("/usr/bin/dbus-daemon", X_OK) < 0) {
                printf("skipped: no dbus-daemon\n");
                return false;
        }
        ASSERT_OK(pipe2(addr_pipe, O_CLOEXEC));
        daemon_pid = fork();
        ASSERT_TRUE(daemon_pid >= 0);
        if (daemon_pid == 0) {
                char fdarg[32];
                (void) prctl(PR_SET_PDEATHSIG, SIGTERM);        /* no orphan if the test aborts */
                int fd = fcntl(addr_pipe[1], F_DUPFD, 3);       /* without CLOEXEC: for dbus-daemon */
                snprintf(fdarg, sizeof fdarg, "--print-address=%d", fd);
                execl("/usr/bin/dbus-daemon", "dbus-daemon", "--session", "--nofork", "--nosyslog", fdarg, NULL);
                _exit(127);
        }
        close(addr_pipe[1]);
        k = read(addr_pipe[0], addr, sizeof addr - 1);
        close(addr_pipe[0]);
        ASSERT_TRUE(k > 0);
        addr[k] = 0;
        addr[strcspn(addr, "\n")] = 0;
        ASSERT_OK(setenv("DBUS_SYSTEM_BUS_ADDRESS", addr, 1));

        ASSERT_OK(pipe2(ready_pipe, O_CLOEXEC));
        fake_pid = fork();
        ASSERT_TRUE(fake_pid >= 0);
        if (fake_pid == 0) {
                (void) prctl(PR_SET_PDEATHSIG, SIGTERM);
                close(ready_pipe[0]);
                fake_systemd(ready_pipe[1]);
        }
        close(ready_pipe[1]);
        char c;
        ASSERT_EQ(read(ready_pipe[0], &c, 1), 1);
        close(ready_pipe[0]);
        return true;
}

/* The broker first: the connections drop (the fake would otherwise die first and
 * the broker answer the pending call with NoReply, a different failure). */
static void stop_fakes(void) {
        if (daemon_pid > 0) {
                kill(daemon_pid, SIGTERM);
                waitpid(daemon_pid, NULL, 0);
        }
        if (fake_pid > 0) {
                kill(fake_pid, SIGTERM);
                waitpid(fake_pid, NULL, 0);
        }
        fake_pid = daemon_pid = -1;
        unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
}

static unsigned n_stop;
static void on_request_stop(void *userdata) {
        n_stop++;
}

/* Runs one scope through new/attach/wait; returns wait's result. limits: NULL for none. */
static int run_limited(const char *name, const char *unit, const PlanLimits *limits, sd_event *e, Scope **ret) {
        Plan p = { .name = (char *) name, .scope_unit = (char *) unit, .slice = (char *) "machine.slice",
                   .description = (char *) "cell test",
                   .limits = limits ? *limits : (PlanLimits) { .cpu_quota_per_sec_usec = USEC_INFINITY } };
        ScopeCallbacks cb = { .request_stop = on_request_stop };
        Scope *s = NULL;

        ASSERT_OK(scope_new(&p, CGROUP_MANAGER_SYSTEMD, false, e, &cb, &s));
        ASSERT_EQ(scope_manager(s), CGROUP_MANAGER_SYSTEMD);
        ASSERT_ERROR(scope_clone_into_fd(s), EBADF);
        ASSERT_OK(scope_attach(s, getpid(), false));
        int r = scope_wait(s);
        *ret = s;
        return r;
}

static int run_one(const char *name, const char *unit, sd_event *e, Scope **ret) {
        return run_limited(name, unit, NULL, e, ret);
}

TEST(systemd_conversation) {
        sd_event *e = NULL;
        Scope *s = NULL;

        if (!start_fakes())
                return;
        ASSERT_OK(sd_event_new(&e));

        /* PIDs, no PIDFDs, no AddRef=, Controller and Slice: checked by the fake. */
        ASSERT_OK(run_one("ok", "cell-ok.scope", e, &s));
        ASSERT_NULL(scope_last_error(s));
        scope_free(s);

        /* A job that fails: the result is named. */
        ASSERT_ERROR(run_one("fail", "cell-fail.scope", e, &s), EIO);
        ASSERT_STREQ(scope_last_error(s), "starting cell-fail.scope failed: job result 'failed'");
        scope_free(s);

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
        ASSERT_FALSE(scope_stale_cleared(s));
        scope_free(s);

        /* A failed leftover: ResetFailedUnit, then the retry works. */
        ASSERT_OK(run_one("left", "cell-left.scope", e, &s));
        scope_free(s);

        /* Active with no process in it (systemd missed its end): cleared through a
         * short-lived child attached to it, then started anew. */
        ASSERT_OK(run_one("stale", "cell-stale.scope", e, &s));
        ASSERT_NULL(scope_last_error(s));
        ASSERT_TRUE(scope_stale_cleared(s));
        /* The helper is reaped: the only children left are the broker and the fake. */
        ASSERT_EQ(waitpid(-1, NULL, WNOHANG), 0);
        scope_free(s);

        /* ... but not when systemd refuses to attach: the start is refused, with its words. */
        ASSERT_ERROR(run_one("undeleg", "cell-undeleg.scope", e, &s), EEXIST);
        ASSERT_STREQ(scope_last_error(s), "cell-undeleg.scope is active with no process in it, and could not be "
                                          "cleared: Process migration not available on non-delegated units.");
        ASSERT_FALSE(scope_stale_cleared(s));
        scope_free(s);

        /* A limit systemd did not put in force: the fake makes no cgroup, so this
         * process is in no cell-unenforced.scope, and TasksMax= is refused. */
        PlanLimits tasks = { .cpu_quota_per_sec_usec = USEC_INFINITY,
                             .tasks_max = { .kind = CELL_LIMIT_VALUE, .value = 32 } };
        ASSERT_ERROR(run_limited("unenforced", "cell-unenforced.scope", &tasks, e, &s), EOPNOTSUPP);
        ASSERT_CONTAINS(scope_last_error(s), "TasksMax=: systemd has no pids controller for cell-unenforced.scope, "
                                             "so the limit would not be enforced");
        scope_free(s);

        /* systemctl stop: RequestStop reaches the controller. */
        n_stop = 0;
        ASSERT_OK(run_one("stop", "cell-stop.scope", e, &s));
        for (int i = 0; i < 100 && n_stop == 0; i++)
                ASSERT_OK(sd_event_run(e, 50 * USEC_PER_MSEC));
        ASSERT_EQ(n_stop, 1);
        scope_free(s);

        /* The bus goes away while waiting for the job. */
        Plan p = { .name = (char *) "hang", .scope_unit = (char *) "cell-hang.scope",
                   .limits.cpu_quota_per_sec_usec = USEC_INFINITY };
        ASSERT_OK(scope_new(&p, CGROUP_MANAGER_SYSTEMD, false, e, NULL, &s));
        ASSERT_OK(scope_attach(s, getpid(), false));
        stop_fakes();
        ASSERT_ERROR(scope_wait(s), ECONNRESET);
        ASSERT_STREQ(scope_last_error(s), "lost the connection to the bus while waiting for cell-hang.scope");
        scope_free(s);

        sd_event_unref(e);
}
