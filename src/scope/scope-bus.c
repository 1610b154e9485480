/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The systemd manager: the container's cgroup is a transient scope unit.
 *
 * Round trips on the hot path: none of our own. scope_new() connects (Hello
 * goes out at once, never waited for) and queues the JobRemoved match;
 * scope_attach() sends StartTransientUnit asynchronously, so systemd
 * creates the scope while the child builds its mounts; scope_wait()
 * runs the event loop until both the reply (the job's path) and the
 * matching JobRemoved signal have arrived. Only the error paths make
 * synchronous calls (on UnitExists: reading the state of the unit that
 * exists already, ResetFailedUnit, stopping one that is over but not yet
 * ended -- see scope-bus-leftover.c; StopUnit after a failed start), or wait (a connection
 * the broker turned away is tried again: bus_reconnect()).
 *
 * All of it has a deadline, from the connect on ($CELL_SCOPE_TIMEOUT, 30 s by
 * default): a broker that takes the connection and never answers would
 * otherwise keep cell for sd-bus's authentication timeout (90 s) per try. A
 * stop request (SIGTERM, SIGINT, SIGHUP) ends the wait at once, whatever it
 * waits for.
 *
 * The connection lasts as long as the start: once the payload runs,
 * scope_release() closes it. systemd then stops the scope by itself (the
 * unit's KillSignal= and TimeoutStopSec= are the scope's); "cell stop" and a
 * service's stop reach cell's supervisor instead, which stops the payload
 * gracefully.
 *
 * What PID 1 does per start is paid serially by every container of a boot
 * storm, so nothing goes to it that the start does not need: no Version query,
 * no AddRef= and no Controller= (each costs PID 1 a bus track and dbus-daemon
 * a match), and the device policy is cell's own BPF program
 * (cgroup-devices.c) where it can be. */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-login.h>

#include "log.h"
#include "parse-value.h"
#include "scope-bus-leftover.h"
#include "scope-internal.h"
#include "strv.h"

#define SYSTEMD_PATH      "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER   "org.freedesktop.systemd1.Manager"

/* How long a failed start waits for systemd to take its StopUnit. */
#define STOP_REPLY_TIMEOUT_USEC (2 * USEC_PER_SEC)

/* A connection the broker turns away is tried again, after 5, 10, 20, ... ms
 * (at most 250 ms, plus up to half of it at random), 40 times: ~9 s in all. */
#define RECONNECT_FIRST_USEC (5 * USEC_PER_MSEC)
#define RECONNECT_MAX_USEC   (250 * USEC_PER_MSEC)
#define RECONNECT_TRIES      40U

/* How long systemd has to make the scope, from the connect to the end of its
 * job. A little over sd-bus's own timeout for a method call (25 s), which
 * systemd-run gives StartTransientUnit: a systemd that answers that late
 * still makes it. $CELL_SCOPE_TIMEOUT replaces it. */
#define SCOPE_BUS_TIMEOUT_USEC (30 * USEC_PER_SEC)

struct ScopeBus {
        sd_bus *bus;
        sd_bus_slot *slot_job_removed, *slot_filter, *slot_call;
        PlanProperty *props;    /* a copy of the plan's, so the plan may go away */
        size_t n_props;
        char *slice, *description;      /* added when the plan's properties lack them */
        char *service;          /* the .service cell runs in: BindsTo= and Before= it (no After=) */
        int kill_signal;        /* KillSignal= when the plan's properties lack it */
        uint64_t timeout_stop_usec;     /* TimeoutStopUSec= likewise */
        bool user_bus;
        pid_t pid;
        uint64_t deadline;      /* CLOCK_MONOTONIC: the scope is made by then, or the start fails */
        int stop_fd;            /* while scope_bus_wait() waits: the stop signals, never read */
        bool stop_requested;    /* ... one of them came */
        bool welcomed;          /* the broker answered a call of ours: Hello went through */
        unsigned reconnects;    /* connections the broker turned away, tried again */
        bool reset_tried;       /* ResetFailedUnit was tried for UnitExists */
        bool leftover_stopped;  /* an active but empty leftover was stopped: this start replaced it */
        bool sent;              /* StartTransientUnit went out: StopUnit on free */
        bool job_filter;        /* JobRemoved comes through on_message_filter() (arg2 rule) */
        char *manager;          /* the unique name that answered StartTransientUnit */
        char *early_sender;     /* ... and the sender of a JobRemoved before that answer */
        bool replied;           /* its reply (the job path) arrived */
        bool finished;          /* the job is over (or failed): result is final */
        int result;
        char *job;              /* the job's object path */
        char *early_job, *early_result; /* a JobRemoved seen before the reply */
};

/* What is left of the deadline: USEC_INFINITY for none, 0 when it passed. */
static uint64_t deadline_left(const ScopeBus *b) {
        uint64_t now;

        if (b->deadline == USEC_INFINITY)
                return USEC_INFINITY;
        now = now_monotonic_usec();
        return b->deadline > now ? b->deadline - now : 0;
}

int scope_bus_timeout(Scope *s) {
        const char *e = getenv("CELL_SCOPE_TIMEOUT");
        uint64_t usec;

        s->bus_timeout_usec = SCOPE_BUS_TIMEOUT_USEC;
        if (!e)
                return 0;
        if (parse_timespan(e, USEC_PER_SEC, &usec) < 0)
                return scope_set_error(s, -EINVAL, "$CELL_SCOPE_TIMEOUT=%s: not a time span (\"30s\", \"2min\", "
                                       "\"infinity\")", e);
        /* As systemd's TimeoutStartSec=: 0 turns the deadline off. */
        s->bus_timeout_usec = usec == 0 ? USEC_INFINITY : usec;
        return 0;
}

static void job_finish(Scope *s, int r) {
        ScopeBus *b = s->bus;
        if (b->finished)
                return;
        b->finished = true;
        b->result = r;
}

static void job_result(Scope *s, const char *result) {
        if (streq(result, "done"))
                return job_finish(s, 0);
        int r = streq(result, "canceled") ? -ECANCELED :
                streq(result, "timeout") ? -ETIMEDOUT :
                streq(result, "dependency") ? -ENOLINK : -EIO;
        job_finish(s, scope_set_error(s, r, "starting %s failed: job result '%s'", s->unit, result));
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

static int on_message_filter(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Scope *s = userdata;
        ScopeBus *b = s->bus;

        /* Our job's JobRemoved, sent to us by the broker for the arg2 rule
         * (job_removed_subscribe()). */
        if (b->job_filter && sd_bus_message_is_signal(m, SYSTEMD_MANAGER, "JobRemoved") &&
            streq_ptr(sd_bus_message_get_path(m), SYSTEMD_PATH))
                return on_job_removed(m, userdata, ret_error);
        if (!sd_bus_message_is_signal(m, "org.freedesktop.DBus.Local", "Disconnected"))
                return 0;
        if (!b->finished)
                job_finish(s, scope_set_error(s, -ECONNRESET,
                                              "lost the connection to the bus while waiting for %s", s->unit));
        return 0;
}

static int start_send(Scope *s);

/* UnitExists: a leftover scope of that name (scope-bus-leftover.c). Inactive or
 * failed: reset it and try once more. Active with no process in it (the scope of
 * a cell of this name that has just ended, before systemd has seen its end; or
 * one systemd missed the end of): stop that activation, then try again. Running:
 * another cell of that name. Synchronous, but only ever on this error path. */
static int handle_unit_exists(Scope *s) {
        ScopeBus *b = s->bus;
        _cleanup_(scope_leftover_unit_done) ScopeLeftoverUnit u = { .n_processes = -1 };
        _cleanup_free_ char *why = NULL;
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
                        return start_send(s);   /* gone, or inactive: nothing to reset */
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
                return start_send(s);
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
                job_finish(s, scope_set_error(s, -ECONNRESET,
                                              "lost the connection to the bus while waiting for %s", s->unit));
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
                        r = scope_set_error(s, sd_bus_error_get_errno(e) > 0 ? -sd_bus_error_get_errno(e) : -EIO,
                                            "StartTransientUnit(%s) failed: %s (%s)",
                                            s->unit, e->message ?: "no message", e->name);
                if (r < 0)
                        job_finish(s, r);
                return 0;
        }

        r = sd_bus_message_read(m, "o", &path);
        if (r < 0) {
                job_finish(s, scope_set_error(s, -EBADMSG, "StartTransientUnit(%s): bad reply", s->unit));
                return 0;
        }
        free(b->job);
        b->job = strdup(path);
        if (!b->job) {
                job_finish(s, -ENOMEM);
                return 0;
        }
        free(b->manager);
        b->manager = NULL;
        if (sd_bus_message_get_sender(m)) {
                b->manager = strdup(sd_bus_message_get_sender(m));
                if (!b->manager) {
                        job_finish(s, -ENOMEM);
                        return 0;
                }
        }
        b->replied = true;
        if (b->early_job && streq(b->early_job, b->job) && (!b->manager || streq_ptr(b->early_sender, b->manager)))
                job_result(s, strempty(b->early_result));
        return 0;
}

static int start_send(Scope *s) {
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
                .pid = b->pid, .service = b->service,
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
        uint64_t left = deadline_left(b);
        uint64_t call_timeout = left == USEC_INFINITY ? 0 : left + USEC_PER_SEC;
        b->slot_call = sd_bus_slot_unref(b->slot_call);
        r = sd_bus_call_async(b->bus, &b->slot_call, m, on_start_reply, s, call_timeout);
        if (r == -ENOTCONN || r == -ECONNRESET) {
                /* The connection dropped before the call could go: as if while we waited
                 * for its answer (scope_bus_wait() sees whether to try again). */
                job_finish(s, scope_set_error(s, -ECONNRESET, "lost the connection to the bus while waiting for %s",
                                              s->unit));
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
 * has dropped meanwhile is sd-bus's own making: on_message_filter() has it. */
static void match_answered(Scope *s, sd_bus_message *m) {
        ScopeBus *b = s->bus;
        const sd_bus_error *e = sd_bus_message_get_error(m);

        if (!e) {
                b->welcomed = true;
                return;
        }
        if (sd_bus_is_open(b->bus) > 0 && !b->finished)
                job_finish(s, scope_set_error(s, -EIO, "cannot subscribe to JobRemoved: %s", e->message ?: e->name));
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
 * call and its signals are dispatched by on_message_filter(): sd-bus 252 cannot
 * test an argument that follows non-string ones in its local matching (it drops
 * the connection on such a signal), and it would read the rule's backslashes as
 * escapes, which brokers do not: inside quotes a backslash stands for itself in
 * the D-Bus specification, dbus-daemon and dbus-broker, so an escaped unit name
 * ("cell-my\x2dweb.scope", every cell name with "-" or "@") is matched as it
 * is. Only an apostrophe could end the quotes (systemd's escaping leaves none,
 * but this is not the place to rely on it); that, and systemd's private socket
 * (no broker), keep the plain match. */
static int job_removed_subscribe(Scope *s) {
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

/* Connects (Hello goes out at once, never waited for) and queues our match. */
static int bus_connect(Scope *s) {
        ScopeBus *b = s->bus;
        int r;

        r = scope_bus_open(b->user_bus, &b->bus);
        if (r < 0)
                return scope_set_error(s, r, "cannot connect to the %s bus: %s",
                                       b->user_bus ? "user" : "system", strerror(-r));

        r = sd_bus_attach_event(b->bus, s->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return r;

        /* Local only: the connection dropping. */
        r = sd_bus_add_filter(b->bus, &b->slot_filter, on_message_filter, s);
        if (r < 0)
                return r;

        /* Before the call, so no JobRemoved can slip by; async: AddMatch is queued behind
         * Hello and ahead of StartTransientUnit, and the broker handles them in order. */
        r = job_removed_subscribe(s);
        if (r < 0)
                return scope_set_error(s, r, "cannot subscribe to JobRemoved: %s", strerror(-r));
        return 0;
}

/* The connection, its slots and the state of the call on it go. */
static void bus_disconnect(ScopeBus *b) {
        b->slot_call = sd_bus_slot_unref(b->slot_call);
        b->slot_job_removed = sd_bus_slot_unref(b->slot_job_removed);
        b->slot_filter = sd_bus_slot_unref(b->slot_filter);
        if (b->bus) {
                (void) sd_bus_detach_event(b->bus);
                /* Not flushed: sd_bus_flush() waits, with no timeout of its own and deaf
                 * to a stop request, for a broker that has not finished the handshake
                 * (sd-bus's 90 s), and on one that has nothing of ours is left unsent
                 * (StopUnit is a call: it went out). */
                b->bus = sd_bus_close_unref(b->bus);
        }
}

/* The connection dropped before the broker answered anything of ours: it turned
 * us away (dbus-daemon refuses a user more connections than its limit, 256 for
 * root on the system bus, in its answer to Hello; a boot that starts hundreds of
 * cells at once meets it). Nothing of ours was passed on to systemd then. */
static bool turned_away(const ScopeBus *b) {
        return b->finished && b->result == -ECONNRESET && !b->welcomed && !b->replied;
}

/* Whether a stop request is pending, after waiting for one for up to usec:
 * SIGTERM, SIGINT or SIGHUP (cell blocks them and reads them later, through a
 * signalfd of its own). b->stop_fd is only polled, never read: the signal stays
 * pending for that later reader. */
static bool stop_pending(ScopeBus *b, uint64_t usec) {
        struct pollfd p = { .fd = b->stop_fd, .events = POLLIN };
        struct timespec ts = {
                .tv_sec = (time_t) (usec / USEC_PER_SEC),
                .tv_nsec = (long) (usec % USEC_PER_SEC * NSEC_PER_USEC),
        };

        if (b->stop_requested)
                return true;
        if (b->stop_fd < 0)
                return false;
        while (ppoll(&p, 1, &ts, NULL) < 0)
                if (errno != EINTR)
                        return false;
        if (p.revents & POLLIN)
                b->stop_requested = true;
        return b->stop_requested;
}

/* Sleeps usec, but not past a stop request, so that a ^C is not kept waiting
 * for the retries below, nor past the deadline. -ECANCELED when asked to stop. */
static int pause_unless_interrupted(ScopeBus *b, uint64_t usec) {
        return stop_pending(b, MIN(usec, deadline_left(b))) ? -ECANCELED : 0;
}

/* ... so another connection is tried, after a pause that grows, with some
 * randomness so that the cells turned away together do not all come back together. */
static int bus_reconnect(Scope *s) {
        ScopeBus *b = s->bus;
        uint64_t pause = MIN(RECONNECT_FIRST_USEC << MIN(b->reconnects, 10U), RECONNECT_MAX_USEC);
        int r;

        if (b->reconnects >= RECONNECT_TRIES)
                return scope_set_error(s, -ECONNRESET, "the %s bus dropped the connection before answering, %u times "
                                       "(its limit of connections per user reached?)",
                                       b->user_bus ? "user" : "system", b->reconnects + 1);
        pause += ((uint64_t) getpid() * 2654435761U + b->reconnects * 40503U) % (pause / 2 + 1);
        b->reconnects++;

        bus_disconnect(b);
        b->finished = b->sent = b->replied = b->welcomed = b->job_filter = false;
        b->result = 0;
        b->job = mfree(b->job);
        b->manager = mfree(b->manager);
        b->early_job = mfree(b->early_job);
        b->early_result = mfree(b->early_result);
        b->early_sender = mfree(b->early_sender);
        s->error = mfree(s->error);

        r = pause_unless_interrupted(b, pause);
        if (r < 0)
                return scope_set_error(s, r, "interrupted while waiting for the %s bus", b->user_bus ? "user" : "system");
        r = bus_connect(s);
        if (r < 0)      /* no broker any more: it was not a refusal, it went away */
                return scope_set_error(s, -ECONNRESET, "lost the connection to the bus while waiting for %s", s->unit);
        return b->pid > 0 ? start_send(s) : 0;
}

int scope_bus_new(Scope *s, const Plan *p, bool user_bus) {
        _cleanup_free_ char *unit = NULL;
        ScopeBus *b;
        int r;

        if (!s->unit)
                return scope_set_error(s, -EINVAL, "the plan names no scope unit");

        b = s->bus = calloc(1, sizeof(ScopeBus));
        if (!b)
                return -ENOMEM;

        r = plan_properties_copy(p->properties, p->n_properties, &b->props);
        if (r < 0)
                return r;
        b->n_props = p->n_properties;
        b->kill_signal = p->kill_signal;
        b->timeout_stop_usec = p->timeout_stop_usec;
        if ((p->slice && !(b->slice = strdup(p->slice))) ||
            (p->description && !(b->description = strdup(p->description))))
                return -ENOMEM;

        b->user_bus = user_bus;
        b->stop_fd = -EBADF;
        if (s->bus_timeout_usec == 0)   /* scope_bus_timeout() not asked */
                s->bus_timeout_usec = SCOPE_BUS_TIMEOUT_USEC;
        /* From here: the connect is where waiting for the bus begins. */
        b->deadline = s->bus_timeout_usec == USEC_INFINITY ? USEC_INFINITY : now_monotonic_usec() + s->bus_timeout_usec;
        r = bus_connect(s);
        if (r < 0)
                return r;

        /* cell inside a service: the scope binds to it (read from our own cgroup, no
         * bus call; start_send() needs it). After the connect: the broker reads our
         * AUTH meanwhile (libsystemd's first look at cgroups takes 0.3 ms). On the
         * user bus, the service of the user's manager, which is the one that makes
         * the scope: the system's unit there is user@UID.service, which that
         * manager does not know. */
        if ((user_bus ? sd_pid_get_user_unit(0, &unit) : sd_pid_get_unit(0, &unit)) >= 0 &&
            endswith(unit, ".service"))
                b->service = TAKE_PTR(unit);
        return 0;
}

int scope_bus_attach(Scope *s, pid_t pid) {
        ScopeBus *b = s->bus;

        if (!b || b->sent)
                return -EBUSY;
        b->pid = pid;
        /* What the broker has answered by now (AUTH), so that Hello and the calls
         * queued behind it go out as soon as they can, without waiting here. */
        while (sd_bus_process(b->bus, NULL) > 0)
                ;
        /* The connection dropped already: on_message_filter() said so. */
        if (b->finished && !turned_away(b))
                return b->result;
        /* The device policy's program first (~0.1 ms): should the kernel refuse it
         * (a service whose SystemCallFilter= denies bpf()), systemd is asked for
         * DevicePolicy= instead, in this very call. Attached once the job is done. */
        int r = scope_devices_load(s);
        if (r < 0)
                return r;
        if (b->finished)
                return 0;       /* turned away: scope_bus_wait() connects again and sends */
        return start_send(s);
}

pid_t scope_bus_pid(const Scope *s) {
        return s->bus ? s->bus->pid : 0;
}

sd_bus *scope_bus_connection(const Scope *s) {
        return s && s->bus ? s->bus->bus : NULL;
}

bool scope_leftover_stopped(const Scope *s) {
        return s && s->bus && s->bus->leftover_stopped;
}

int scope_service_stop(Scope *s, ScopeServiceStop *ret) {
        if (!s || !s->bus || !s->bus->service) {
                *ret = SCOPE_SERVICE_NOT_MAIN;
                return 0;
        }
        if (!s->bus->bus || sd_bus_is_open(s->bus->bus) <= 0)
                return -ENOTCONN;
        return scope_bus_service_stop(s->bus->bus, s->bus->service, getpid(), ret);
}

/* The deadline passed: which step did not come, and how long it was waited for. */
static int deadline_passed(Scope *s) {
        ScopeBus *b = s->bus;
        const char *address = NULL;
        char t[32];

        snprintf(t, sizeof t, "%g s", (double) s->bus_timeout_usec / (double) USEC_PER_SEC);
        if (!b->welcomed) {
                if (b->bus)
                        (void) sd_bus_get_address(b->bus, &address);
                return scope_set_error(s, -ETIMEDOUT, "the %s bus at %s did not answer within %s",
                                       b->user_bus ? "user" : "system", strna(address), t);
        }
        if (!b->replied)
                return scope_set_error(s, -ETIMEDOUT, "systemd did not answer StartTransientUnit(%s) within %s",
                                       s->unit, t);
        return scope_set_error(s, -ETIMEDOUT, "systemd did not finish the start job of %s within %s", s->unit, t);
}

static int interrupted(Scope *s) {
        ScopeBus *b = s->bus;

        if (!b->welcomed)
                return scope_set_error(s, -ECANCELED, "interrupted while waiting for the %s bus",
                                       b->user_bus ? "user" : "system");
        return scope_set_error(s, -ECANCELED, "interrupted while waiting for %s", s->unit);
}

/* Only wakes the event loop and says so in *requested; nothing reads the fd. */
static int on_stop_signal(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        bool *requested = userdata;

        *requested = true;
        return 0;
}

int scope_watch_stop_signals(Scope *s, bool *requested, sd_event_source **ret_source, int *ret_fd) {
        _cleanup_close_ int fd = -EBADF;
        sigset_t mask;
        int r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (fd < 0)
                return -errno;
        r = sd_event_add_io(s->event, ret_source, fd, EPOLLIN, on_stop_signal, requested);
        if (r < 0)
                return r;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int bus_wait_loop(Scope *s) {
        ScopeBus *b = s->bus;
        int r;

        for (;;) {
                int code;

                if (b->finished && turned_away(b)) {
                        r = bus_reconnect(s);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (b->finished)
                        return b->result;

                if (stop_pending(b, 0) || sd_event_get_state(s->event) == SD_EVENT_FINISHED ||
                    sd_event_get_exit_code(s->event, &code) >= 0)
                        return interrupted(s);
                uint64_t left = deadline_left(b);
                if (left == 0)
                        return deadline_passed(s);

                r = sd_event_run(s->event, left);
                if (r == -EBUSY) {
                        /* Called from inside an event handler: drive the bus by hand, in
                         * short waits, for the stop signals are not in its poll. */
                        r = sd_bus_process(b->bus, NULL);
                        if (r == 0)
                                r = sd_bus_wait(b->bus, MIN(left, 10 * USEC_PER_MSEC));
                }
                if (r == -ECONNRESET || r == -ENOTCONN || r == -EPIPE)
                        job_finish(s, scope_set_error(s, -ECONNRESET,
                                                      "lost the connection to the bus while waiting for %s", s->unit));
                else if (r < 0 && r != -EINTR)
                        return scope_set_error(s, r, "waiting for %s: %s", s->unit, strerror(-r));
        }
}

int scope_bus_wait(Scope *s) {
        ScopeBus *b = s->bus;
        _cleanup_(sd_event_source_disable_unrefp) sd_event_source *stop_source = NULL;
        _cleanup_close_ int stop_fd = -EBADF;
        int r;

        if (!b || b->pid <= 0)
                return -ENOTCONN;

        /* A stop request ends the wait at once, whatever systemd or the broker do.
         * The watch leaves the event loop with this wait, before the supervisor's
         * signal sources come. */
        r = scope_watch_stop_signals(s, &b->stop_requested, &stop_source, &stop_fd);
        if (r < 0)
                return scope_set_error(s, r, "waiting for %s: watching the stop signals: %s", s->unit, strerror(-r));
        b->stop_fd = stop_fd;
        r = bus_wait_loop(s);
        b->stop_fd = -EBADF;
        return r;
}

/* The payload runs in its scope: we need nothing more from systemd, and it asks
 * nothing of us (no Controller=). A connection held for the container's whole
 * life would count against the bus's connections per user (dbus-daemon: 256 for
 * root, on a host with other root services on the bus too), cost PID 1 and the
 * broker a client each, and so cap how many containers a host can run. */
void scope_bus_release(Scope *s) {
        if (s && s->bus)
                bus_disconnect(s->bus);
}

void scope_bus_free(Scope *s) {
        ScopeBus *b = s->bus;

        if (!b)
                return;
        if (b->bus && b->replied && sd_bus_is_open(b->bus) > 0) {
                /* The start failed after systemd made the scope (never another cell's,
                 * after UnitExists): whatever is left of the payload goes, a start job
                 * still queued is cancelled. Waited for (the reply only, not the job):
                 * systemd checks who asks by asking the broker, which no longer knows a
                 * client that has hung up, and then refuses. An empty scope is gone
                 * already (CollectMode=) and this answers NoSuchUnit, which is fine.
                 * Once the payload ran, the connection is gone (scope_bus_release()):
                 * the payload was PID 1 of its PID namespace, so its end empties the
                 * scope, and systemd collects it. */
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
                if (sd_bus_message_new_method_call(b->bus, &m, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                                   "StopUnit") >= 0 &&
                    sd_bus_message_append(m, "ss", s->unit, "replace") >= 0)
                        (void) sd_bus_call(b->bus, m, STOP_REPLY_TIMEOUT_USEC, NULL, NULL);
        }
        bus_disconnect(b);
        plan_properties_free(b->props, b->n_props);
        free(b->slice);
        free(b->description);
        free(b->service);
        free(b->job);
        free(b->early_job);
        free(b->early_result);
        free(b->early_sender);
        free(b->manager);
        free(b);
        s->bus = NULL;
}
