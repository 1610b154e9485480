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
 * (cgroup-devices.c) where it can be.
 *
 * This file holds the connection, the wait and the end; the start job's
 * call and signals are in scope-bus-job.c. */

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

#include "cgroup-util.h"
#include "log.h"
#include "parse-value.h"
#include "scope-bus-leftover.h"
#include "scope-bus-internal.h"
#include "strv.h"

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

/* Connects (Hello goes out at once, never waited for) and queues our match. */
static int bus_connect(Scope *s) {
        ScopeBus *b = s->bus;
        int r;

        r = scope_bus_open(b->user_bus, &b->bus);
        if (r < 0) {
                _cleanup_free_ char *address = scope_bus_address(b->user_bus);
                return scope_set_error(s, r, "cannot connect to the %s bus at %s: %s",
                                       b->user_bus ? "user" : "system", strna(address), strerror(-r));
        }

        r = scope_bus_loop_attach(&b->loop, b->bus, s->event, EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return r;

        /* Local only: the connection dropping. */
        r = sd_bus_add_filter(b->bus, &b->slot_filter, scope_bus_message_filter, s);
        if (r < 0)
                return r;

        /* Before the call, so no JobRemoved can slip by; async: AddMatch is queued behind
         * Hello and ahead of StartTransientUnit, and the broker handles them in order. */
        r = scope_bus_job_subscribe(s);
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
                scope_bus_loop_detach(&b->loop);
                /* Not flushed: sd_bus_flush() waits, with no timeout of its own and deaf
                 * to a stop request, for a broker that has not finished the handshake
                 * (sd-bus's 90 s), and on one that has nothing of ours is left unsent
                 * (StopUnit is a call: it went out). */
                b->bus = sd_bus_close_unref(b->bus);
        }
}

/* The connection dropped before the broker answered anything of ours, after it
 * took the connection: it turned us away (dbus-daemon refuses a user more
 * connections than its limit, 256 for root on the system bus, in its answer to
 * Hello; a boot that starts hundreds of cells at once meets it). Nothing of ours
 * was passed on to systemd then. Not a connect that failed (a TCP address with
 * no broker listening: refused, no route): nothing to wait for there. */
static bool turned_away(const ScopeBus *b) {
        return b->finished && b->result == -ECONNRESET && !b->welcomed && !b->replied && b->loop.connected;
}

int scope_bus_lost(Scope *s) {
        ScopeBus *b = s->bus;
        const char *address = NULL;

        if (b->loop.connected)
                return scope_set_error(s, -ECONNRESET, "lost the connection to the bus while waiting for %s", s->unit);
        (void) sd_bus_get_address(b->bus, &address);
        return scope_set_error(s, -ECONNREFUSED, "cannot connect to the %s bus at %s: the connection failed "
                               "(refused, or no route)", b->user_bus ? "user" : "system", strna(address));
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
        return stop_pending(b, MIN(usec, scope_bus_deadline_left(b))) ? -ECANCELED : 0;
}

/* ... so another connection is tried, after a pause that grows, with some
 * randomness so that the cells turned away together do not all come back together. */
static int bus_reconnect(Scope *s) {
        ScopeBus *b = s->bus;
        uint64_t pause = MIN(RECONNECT_FIRST_USEC << MIN(b->reconnects, 10U), RECONNECT_MAX_USEC);
        int r;

        if (b->reconnects >= RECONNECT_TRIES) {
                const char *address = NULL;
                (void) sd_bus_get_address(b->bus, &address);
                return scope_set_error(s, -ECONNRESET, "the %s bus at %s dropped the connection before answering, "
                                       "%u times (its limit of connections per user reached?)",
                                       b->user_bus ? "user" : "system", strna(address), b->reconnects + 1);
        }
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
        return b->pid > 0 ? scope_bus_start_send(s) : 0;
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
        r = scope_bus_io_entries(b, &p->limits);
        if (r < 0)
                return r;
        b->kill_signal = p->kill_signal;
        b->timeout_stop_usec = p->timeout_stop_usec;
        if ((p->slice && !(b->slice = strdup(p->slice))) ||
            (p->description && !(b->description = strdup(p->description))))
                return -ENOMEM;
        /* The file the cell runs from, kept by systemd with the scope as a
         * generated unit's: "cell exec/status NAME" read it there (the
         * cgroupfs and none managers keep it in the runtime state). One
         * line, or none: systemd writes it into the transient unit file. */
        if (p->unit_path) {
                b->source_path = realpath(p->unit_path, NULL);
                if (!b->source_path && errno == ENOMEM)
                        return -ENOMEM;
                if (b->source_path && strchr(b->source_path, '\n'))
                        b->source_path = mfree(b->source_path);
        }

        b->user_bus = user_bus;
        b->stop_fd = -EBADF;
        if (s->bus_timeout_usec == 0)   /* scope_bus_timeout() not asked */
                s->bus_timeout_usec = SCOPE_BUS_TIMEOUT_USEC;
        /* From here: the connect is where waiting for the bus begins. */
        b->deadline = s->bus_timeout_usec == USEC_INFINITY ? USEC_INFINITY : now_monotonic_usec() + s->bus_timeout_usec;
        r = bus_connect(s);
        if (r < 0)
                return r;
        /* The name's, before StartTransientUnit: a start refused for another
         * cell of the name (another manager's too) leaves no scope. "cell
         * run" took it before anything (scope_lock_name()): handed over here.
         * Else after the connect, so that a bus that does not answer (auto:
         * the cgroupfs manager then) has taken nothing. The system's scopes alone: a
         * --user scope is the user manager's, whose names are not those of
         * runtime_state_dir(), the system's /run/cell (a user other than
         * root could not lock there anyway). */
        if (!user_bus) {
                r = scope_name_lock(s, CGROUP_MANAGER_SYSTEMD, &s->lock_fd);
                if (r < 0)
                        return r;
        }

        /* cell inside a service: the scope binds to it (read from our own cgroup, no
         * bus call; scope_bus_start_send() needs it). After the connect: the broker
         * reads our AUTH meanwhile. On the user bus, the service of the user's
         * manager, which is the one that makes the scope: the system's unit there
         * is user@UID.service, which that manager does not know. */
        if (cg_own_unit(user_bus, &unit) >= 0 && endswith(unit, ".service"))
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
        /* The connection dropped already: scope_bus_message_filter() said so. */
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
        return scope_bus_start_send(s);
}

pid_t scope_bus_pid(const Scope *s) {
        return s->bus ? s->bus->pid : 0;
}

sd_bus *scope_bus_connection(const Scope *s) {
        return s && s->bus ? s->bus->bus : NULL;
}

int scope_bus_connection_error(const Scope *s) {
        return s && s->bus ? s->bus->loop.error : 0;
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
static int on_stop_signal(EventSource *source, int fd, uint32_t revents, void *userdata) {
        bool *requested = userdata;

        *requested = true;
        return 0;
}

int scope_watch_stop_signals(Scope *s, bool *requested, EventSource **ret_source, int *ret_fd) {
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
        r = event_add_io(s->event, ret_source, fd, EPOLLIN, on_stop_signal, requested);
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

                if (stop_pending(b, 0) || event_get_state(s->event) == EVENT_FINISHED ||
                    event_get_exit_code(s->event, &code) >= 0)
                        return interrupted(s);
                uint64_t left = scope_bus_deadline_left(b);
                if (left == 0)
                        return deadline_passed(s);

                r = event_run(s->event, left);
                if (r >= 0 && b->loop.error < 0)
                        r = b->loop.error;      /* the connection is not driven any more */
                if (r == -EBUSY) {
                        /* Called from inside an event handler: drive the bus by hand, in
                         * short waits, for the stop signals are not in its poll. */
                        r = sd_bus_process(b->bus, NULL);
                        if (r == 0)
                                r = sd_bus_wait(b->bus, MIN(left, 10 * USEC_PER_MSEC));
                }
                if (r == -ECONNRESET || r == -ENOTCONN || r == -EPIPE)
                        scope_bus_job_finish(s, scope_bus_lost(s));
                else if (r < 0 && r != -EINTR)
                        return scope_set_error(s, r, "waiting for %s: %s", s->unit, strerror(-r));
        }
}

int scope_bus_wait(Scope *s) {
        ScopeBus *b = s->bus;
        _cleanup_(event_source_disable_unrefp) EventSource *stop_source = NULL;
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
        strv_free(b->io_entries);
        free(b->slice);
        free(b->description);
        free(b->source_path);
        free(b->service);
        free(b->job);
        free(b->early_job);
        free(b->early_result);
        free(b->early_sender);
        free(b->manager);
        free(b);
        s->bus = NULL;
}
