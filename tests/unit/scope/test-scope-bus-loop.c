/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An sd-bus connection driven by cell's event loop (scope-bus-loop.c): two
 * peers on a socketpair, both attached to one loop, and every message moved
 * by event_run()/event_loop() only (the tests never call sd_bus_process() nor
 * sd_bus_wait()). The server answers Echo and never answers Ignore. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-id128.h>

#include "event-loop.h"
#include "scope-bus-loop.h"
#include "test.h"

#define TEST_PATH  "/org/cell/Test"
#define TEST_IFACE "org.cell.Test"

#define MSEC(n) ((uint64_t) (n) * USEC_PER_MSEC)
/* Long enough for any machine: a wait this long is a failure, not a slow run. */
#define LONG_WAIT (10 * USEC_PER_SEC)

typedef struct Peers {
        Event *event;
        sd_bus *client, *server;
        BusLoop client_loop, server_loop;
        unsigned n_echo, n_ignored;     /* calls the server took */
        unsigned n_replies;             /* replies the client saw, all calls */
} Peers;

/* One call of the client's, and what its reply said. */
typedef struct Call {
        Peers *peers;
        uint32_t sent;
        unsigned n;                     /* times the reply callback ran */
        uint64_t at;
        char *text;
        uint32_t number;
        char *error_name;
        int error_errno;
        void *owner;                    /* what the test keeps it in, for its callback */
} Call;

static int method_echo(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Peers *p = userdata;
        _cleanup_free_ char *t = NULL;
        const char *text;
        uint32_t n;
        int r;

        r = sd_bus_message_read(m, "su", &text, &n);
        if (r < 0)
                return r;
        p->n_echo++;
        if (asprintf(&t, "echo: %s", text) < 0)
                return -ENOMEM;
        return sd_bus_reply_method_return(m, "su", t, n + 1);
}

/* Taken, never answered. */
static int method_ignore(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Peers *p = userdata;

        p->n_ignored++;
        return 1;
}

static const sd_bus_vtable test_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Echo", "su", "su", method_echo, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Ignore", "", "", method_ignore, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};

/* Both ends started (the handshake is left to the loop), neither attached. */
static void peers_new_detached(Peers *p) {
        sd_id128_t id;
        int sp[2];

        *p = (Peers) { .client_loop = BUS_LOOP_NULL, .server_loop = BUS_LOOP_NULL };
        ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp));
        ASSERT_OK(event_new(&p->event));

        ASSERT_OK(sd_bus_new(&p->server));
        ASSERT_OK(sd_bus_set_fd(p->server, sp[0], sp[0]));
        ASSERT_OK(sd_id128_randomize(&id));
        ASSERT_OK(sd_bus_set_server(p->server, 1, id));
        ASSERT_OK(sd_bus_add_object_vtable(p->server, NULL, TEST_PATH, TEST_IFACE, test_vtable, p));
        ASSERT_OK(sd_bus_start(p->server));

        ASSERT_OK(sd_bus_new(&p->client));
        ASSERT_OK(sd_bus_set_fd(p->client, sp[1], sp[1]));
        ASSERT_OK(sd_bus_start(p->client));
}

static void peers_new_full(Peers *p, int64_t client_priority, int64_t server_priority) {
        peers_new_detached(p);
        ASSERT_OK(scope_bus_loop_attach(&p->server_loop, p->server, p->event, server_priority));
        ASSERT_OK(scope_bus_loop_attach(&p->client_loop, p->client, p->event, client_priority));
        ASSERT_TRUE(p->client_loop.bus == p->client);
        ASSERT_NOT_NULL(p->client_loop.io);
        ASSERT_NOT_NULL(p->client_loop.timer);
}

static void peers_new(Peers *p) {
        peers_new_full(p, EVENT_PRIORITY_NORMAL, EVENT_PRIORITY_NORMAL);
}

static void peers_free(Peers *p) {
        scope_bus_loop_detach(&p->client_loop);
        scope_bus_loop_detach(&p->server_loop);
        p->client = sd_bus_close_unref(p->client);
        p->server = sd_bus_close_unref(p->server);
        /* The last reference: a source left on it would be a leak ASan reports. */
        p->event = event_unref(p->event);
}

static void call_done(Call *c) {
        c->text = mfree(c->text);
        c->error_name = mfree(c->error_name);
}

/* What a reply said, kept in c. */
static void call_record(Call *c, sd_bus_message *m) {
        const sd_bus_error *e = sd_bus_message_get_error(m);

        c->n++;
        c->at = now_monotonic_usec();
        c->peers->n_replies++;
        if (e) {
                ASSERT_NOT_NULL(c->error_name = strdup(e->name));
                c->error_errno = sd_bus_message_get_errno(m);
                return;
        }
        const char *text;
        ASSERT_OK(sd_bus_message_read(m, "su", &text, &c->number));
        ASSERT_NOT_NULL(c->text = strdup(text));
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        call_record(userdata, m);
        return 0;
}

static void call_echo(Peers *p, Call *c, uint32_t n, sd_bus_message_handler_t callback) {
        _cleanup_free_ char *text = NULL;

        c->peers = p;
        c->sent = n;
        ASSERT_TRUE(asprintf(&text, "call-%u", n) > 0);
        ASSERT_OK(sd_bus_call_method_async(p->client, NULL, NULL, TEST_PATH, TEST_IFACE, "Echo", callback, c,
                                           "su", text, n));
}

/* The reply to c, as the server gives it. */
static void assert_echoed(const Call *c) {
        _cleanup_free_ char *want = NULL;

        ASSERT_EQ(c->n, 1);
        ASSERT_NULL(c->error_name);
        ASSERT_TRUE(asprintf(&want, "echo: call-%u", c->sent) > 0);
        ASSERT_STREQ(c->text, want);
        ASSERT_EQ(c->number, c->sent + 1);
}

/* event_run() until *counter reaches want. */
static void run_until(Event *e, const unsigned *counter, unsigned want) {
        uint64_t deadline = now_monotonic_usec() + LONG_WAIT;

        while (*counter < want) {
                if (now_monotonic_usec() > deadline)
                        TEST_FAIL("the loop did not get there: %u of %u", *counter, want);
                ASSERT_OK(event_run(e, MSEC(100)));
        }
}

/* event_run() until a 100 ms wait dispatches nothing; how many it dispatched
 * before that. A loop that spins never gets there. */
static unsigned run_until_idle(Event *e) {
        for (unsigned n = 0; n < 1000; n++) {
                int r = event_run(e, MSEC(100));

                ASSERT_OK(r);
                if (r == 0)
                        return n;
        }
        TEST_FAIL("the loop still dispatches something after 1000 turns: it spins");
}

/* One Echo there and back: the handshake done, both ends running. */
static void peers_round_trip(Peers *p) {
        Call c = {};
        unsigned want = p->n_replies + 1;

        call_echo(p, &c, 7, on_reply);
        run_until(p->event, &p->n_replies, want);
        assert_echoed(&c);
        call_done(&c);
}

static int on_reply_exit(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Call *c = userdata;

        call_record(c, m);
        ASSERT_OK(event_exit(c->peers->event, 0));
        return 0;
}

static int on_guard(EventSource *s, uint64_t usec, void *userdata) {
        return event_exit(event_source_get_event(s), -ETIMEDOUT);
}

/* A call made before the handshake: its reply comes back, and its callback
 * runs, with nothing but event_loop() turning. */
TEST(async_call_replied_through_loop) {
        _cleanup_(event_source_disable_unrefp) EventSource *guard = NULL;
        Peers p;
        Call c = {};

        peers_new(&p);
        call_echo(&p, &c, 41, on_reply_exit);
        ASSERT_OK(event_add_time_relative(p.event, &guard, LONG_WAIT, on_guard, NULL));
        ASSERT_EQ(event_loop(p.event), 0);
        assert_echoed(&c);
        ASSERT_STREQ(c.text, "echo: call-41");
        ASSERT_EQ(c.number, 42);
        ASSERT_EQ(p.n_echo, 1);
        call_done(&c);
        guard = event_source_disable_unref(guard);
        peers_free(&p);
}

/* Twenty calls at once: each reply to its own call, once, and nothing after. */
TEST(many_calls_all_replied) {
        Peers p;
        Call c[20] = {};

        peers_new(&p);
        for (unsigned i = 0; i < ELEMENTSOF(c); i++)
                call_echo(&p, &c[i], 100 + i, on_reply);
        run_until(p.event, &p.n_replies, ELEMENTSOF(c));
        (void) run_until_idle(p.event);
        ASSERT_EQ(p.n_echo, ELEMENTSOF(c));
        ASSERT_EQ(p.n_replies, ELEMENTSOF(c));
        for (unsigned i = 0; i < ELEMENTSOF(c); i++) {
                assert_echoed(&c[i]);
                call_done(&c[i]);
        }
        peers_free(&p);
}

/* Replies that sd-bus has read already (into its queue, by a synchronous
 * call made from a callback) leave nothing on the fd to wake for: only the
 * timer, due at once, gets them dispatched. */
typedef struct Queued {
        Call calls[20];
        bool stuffed;
        int call_r;
        int events;
        uint64_t timeout;
} Queued;

static int on_reply_stuff(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Call *c = userdata;
        Peers *p = c->peers;
        Queued *q = c->owner;

        call_record(c, m);
        /* All answered, the rest of the replies on our socket still: a call
         * the server cannot answer (it is not driven meanwhile) reads them
         * into sd-bus's queue while it waits for its own. */
        if (q->stuffed || p->n_echo < ELEMENTSOF(q->calls) || p->n_replies >= ELEMENTSOF(q->calls))
                return 0;
        q->stuffed = true;

        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL, *reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;

        ASSERT_OK(sd_bus_message_new_method_call(p->client, &call, NULL, TEST_PATH, TEST_IFACE, "Ignore"));
        q->call_r = sd_bus_call(p->client, call, MSEC(50), &error, &reply);
        sd_bus_error_free(&error);
        q->events = sd_bus_get_events(p->client);
        ASSERT_OK(sd_bus_get_timeout(p->client, &q->timeout));
        return 0;
}

TEST(queued_replies_dispatched_by_timer) {
        Peers p;
        Queued q = {};

        /* The server first whenever both are ready: it answers all twenty
         * (they reach it in one write) before the client reads one reply. */
        peers_new_full(&p, EVENT_PRIORITY_NORMAL, EVENT_PRIORITY_IMPORTANT);
        for (unsigned i = 0; i < ELEMENTSOF(q.calls); i++) {
                q.calls[i].owner = &q;
                call_echo(&p, &q.calls[i], i, on_reply_stuff);
        }
        run_until(p.event, &p.n_replies, ELEMENTSOF(q.calls));
        ASSERT_TRUE(q.stuffed);
        ASSERT_ERROR(q.call_r, ETIMEDOUT);
        /* Then: replies queued, the fd not waited on for input, the timeout now. */
        ASSERT_EQ(q.events & POLLIN, 0);
        ASSERT_EQ_U64(q.timeout, 0);
        (void) run_until_idle(p.event);
        ASSERT_EQ(p.n_replies, ELEMENTSOF(q.calls));
        for (unsigned i = 0; i < ELEMENTSOF(q.calls); i++) {
                assert_echoed(&q.calls[i]);
                call_done(&q.calls[i]);
        }
        peers_free(&p);
}

/* A call the server never answers: its timeout, from the loop's timer. */
TEST(call_timeout_through_timer) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        Peers p;
        Call c = {};
        uint64_t start;
        unsigned turns = 0;

        peers_new(&p);
        peers_round_trip(&p);
        c.peers = &p;
        ASSERT_OK(sd_bus_message_new_method_call(p.client, &m, NULL, TEST_PATH, TEST_IFACE, "Ignore"));
        start = now_monotonic_usec();
        ASSERT_OK(sd_bus_call_async(p.client, NULL, m, on_reply, &c, MSEC(50)));
        while (c.n == 0) {
                ASSERT_TRUE(now_monotonic_usec() - start < LONG_WAIT);
                if (event_run(p.event, MSEC(100)) > 0)
                        turns++;
        }
        ASSERT_EQ(c.n, 1);
        ASSERT_EQ(p.n_ignored, 1);
        ASSERT_STREQ(c.error_name, SD_BUS_ERROR_NO_REPLY);
        ASSERT_EQ(c.error_errno, ETIMEDOUT);
        ASSERT_NULL(c.text);
        /* Not before it was due; and the loop waited for it, not spun: the
         * server's read, the timer, a spare turn or two. */
        ASSERT_TRUE(c.at - start >= MSEC(50));
        ASSERT_TRUE(turns < 10);
        (void) run_until_idle(p.event);
        ASSERT_EQ(c.n, 1);
        call_done(&c);
        peers_free(&p);
}

/* The peer closing: a call still waiting fails, then the client's filter
 * sees the local Disconnected, all through the loop; then the loop is idle. */
typedef struct Disconnect {
        unsigned n_disconnected;
        Call *pending;
        unsigned pending_n_at_disconnect;
        int open_at_disconnect;
} Disconnect;

static int on_filter(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Disconnect *d = userdata;

        if (!sd_bus_message_is_signal(m, "org.freedesktop.DBus.Local", "Disconnected"))
                return 0;
        d->n_disconnected++;
        d->pending_n_at_disconnect = d->pending->n;
        d->open_at_disconnect = sd_bus_is_open(sd_bus_message_get_bus(m));
        return 0;
}

TEST(peer_disconnect_through_loop) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        Peers p;
        Call c = {};
        Disconnect d = { .pending = &c };
        unsigned n;

        peers_new(&p);
        ASSERT_OK(sd_bus_add_filter(p.client, NULL, on_filter, &d));
        peers_round_trip(&p);
        c.peers = &p;
        ASSERT_OK(sd_bus_message_new_method_call(p.client, &m, NULL, TEST_PATH, TEST_IFACE, "Ignore"));
        ASSERT_OK(sd_bus_call_async(p.client, NULL, m, on_reply, &c, 0));
        run_until(p.event, &p.n_ignored, 1);

        scope_bus_loop_detach(&p.server_loop);
        p.server = sd_bus_close_unref(p.server);

        run_until(p.event, &d.n_disconnected, 1);
        ASSERT_EQ(d.n_disconnected, 1);
        /* The waiting call failed first, as the connection went. */
        ASSERT_EQ(d.pending_n_at_disconnect, 1);
        ASSERT_STREQ(c.error_name, SD_BUS_ERROR_NO_REPLY);
        ASSERT_EQ(d.open_at_disconnect, 0);
        ASSERT_EQ(sd_bus_is_open(p.client), 0);

        /* A turn or two to let go of the closed connection, then none: no spin
         * on a hung-up fd or a timer due at 0. */
        n = run_until_idle(p.event);
        ASSERT_TRUE(n <= 3);
        ASSERT_EQ(event_run(p.event, MSEC(100)), 0);
        ASSERT_EQ(event_run(p.event, MSEC(100)), 0);
        ASSERT_EQ(d.n_disconnected, 1);
        ASSERT_EQ(c.n, 1);
        call_done(&c);
        peers_free(&p);
}

/* Detached from inside a reply callback, the BusLoop freed there too: no
 * source of the bus is left, a reply arriving later is not dispatched; a new
 * attachment picks it up. */
typedef struct Detach {
        Peers *peers;
        BusLoop *loop;                  /* heap, freed in the callback */
        Call first, second;
        bool detached;
} Detach;

static int on_reply_detach(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Detach *d = userdata;

        call_record(&d->first, m);
        scope_bus_loop_detach(d->loop);
        ASSERT_NULL(d->loop->io);
        ASSERT_NULL(d->loop->timer);
        ASSERT_NULL(d->loop->bus);
        d->loop = mfree(d->loop);
        d->detached = true;
        /* Sent at once (nothing queued): the server answers, nobody reads it. */
        call_echo(d->peers, &d->second, 9, on_reply);
        return 0;
}

TEST(detach_from_reply_callback) {
        Peers p;
        Detach d = { .peers = &p };
        unsigned n_echo;

        peers_new_detached(&p);
        ASSERT_OK(scope_bus_loop_attach(&p.server_loop, p.server, p.event, EVENT_PRIORITY_NORMAL));
        ASSERT_NOT_NULL(d.loop = malloc(sizeof(BusLoop)));
        ASSERT_OK(scope_bus_loop_attach(d.loop, p.client, p.event, EVENT_PRIORITY_NORMAL));

        d.first.peers = &p;
        d.first.sent = 5;
        ASSERT_OK(sd_bus_call_method_async(p.client, NULL, NULL, TEST_PATH, TEST_IFACE, "Echo", on_reply_detach,
                                           &d, "su", "call-5", (uint32_t) 5));
        run_until(p.event, &p.n_echo, 2);
        ASSERT_TRUE(d.detached);
        assert_echoed(&d.first);

        /* The server's answer waits on the client's socket: the loop has
         * nothing to do for it. */
        (void) run_until_idle(p.event);
        ASSERT_EQ(d.second.n, 0);
        ASSERT_EQ(event_run(p.event, MSEC(100)), 0);
        ASSERT_EQ(d.second.n, 0);

        /* Attached again (its fd left the epoll with the detach): the reply comes. */
        n_echo = p.n_echo;
        ASSERT_OK(scope_bus_loop_attach(&p.client_loop, p.client, p.event, EVENT_PRIORITY_NORMAL));
        run_until(p.event, &d.second.n, 1);
        assert_echoed(&d.second);
        ASSERT_EQ(p.n_echo, n_echo);
        call_done(&d.first);
        call_done(&d.second);
        peers_free(&p);
}

/* A bus without a connection cannot be attached: the error, and no source. */
TEST(attach_without_connection) {
        _cleanup_(event_unrefp) Event *e = NULL;
        sd_bus *bus = NULL;
        BusLoop l = BUS_LOOP_NULL;
        int sp[2];

        ASSERT_OK(event_new(&e));

        /* Never started. */
        ASSERT_OK(sd_bus_new(&bus));
        ASSERT_ERROR(scope_bus_loop_attach(&l, bus, e, EVENT_PRIORITY_NORMAL), ENOTCONN);
        ASSERT_NULL(l.io);
        ASSERT_NULL(l.timer);
        scope_bus_loop_detach(&l);
        bus = sd_bus_unref(bus);

        /* Started, then closed. */
        ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp));
        ASSERT_OK(sd_bus_new(&bus));
        ASSERT_OK(sd_bus_set_fd(bus, sp[0], sp[0]));
        ASSERT_OK(sd_bus_start(bus));
        sd_bus_close(bus);
        l = BUS_LOOP_NULL;
        ASSERT_ERROR(scope_bus_loop_attach(&l, bus, e, EVENT_PRIORITY_NORMAL), ENOTCONN);
        ASSERT_NULL(l.io);
        ASSERT_NULL(l.timer);
        scope_bus_loop_detach(&l);
        bus = sd_bus_unref(bus);
        sp[1] = safe_close(sp[1]);

        /* Nothing was left on the loop. */
        ASSERT_EQ(event_run(e, 0), 0);
}

/* A message that does not parse: sd_bus_process() fails and leaves the
 * connection open. The loop stops driving it, says so in l->error, and does
 * not spin on the bytes left unread. */
TEST(malformed_message_stops_the_connection) {
        Peers p;
        unsigned dispatched = 0;
        char junk[4096];

        peers_new(&p);
        peers_round_trip(&p);
        scope_bus_loop_detach(&p.server_loop);
        /* 'x' is no byte order: the header is refused with -EBADMSG. */
        memset(junk, 'x', sizeof junk);
        ASSERT_EQ(write(sd_bus_get_fd(p.server), junk, sizeof junk), (ssize_t) sizeof junk);
        for (unsigned i = 0; i < 20 && p.client_loop.error == 0; i++)
                (void) event_run(p.event, MSEC(100));
        ASSERT_TRUE(p.client_loop.error < 0);
        ASSERT_TRUE(sd_bus_is_open(p.client) > 0);
        /* Nothing of it is dispatched any more. */
        for (unsigned i = 0; i < 5; i++)
                if (event_run(p.event, MSEC(20)) > 0)
                        dispatched++;
        ASSERT_EQ(dispatched, 0u);
        peers_free(&p);
}

typedef struct Reuse {
        Event *event;
        int old_fd;
        int sp[2];
        EventSource *source;
        unsigned n_disconnected, n_fired;
} Reuse;

static int on_reused(EventSource *s, int fd, uint32_t revents, void *userdata) {
        Reuse *r = userdata;
        char c;

        ASSERT_EQ(read(fd, &c, 1), 1);
        r->n_fired++;
        return 0;
}

/* On Disconnected, a new socket that takes the number sd-bus's fd had, in the loop. */
static int on_filter_reuse(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Reuse *r = userdata;
        int mine;

        if (!sd_bus_message_is_signal(m, "org.freedesktop.DBus.Local", "Disconnected"))
                return 0;
        r->n_disconnected++;
        ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, r->sp));
        mine = r->sp[0] == r->old_fd ? 0 : r->sp[1] == r->old_fd ? 1 : -1;
        if (mine < 0)
                TEST_FAIL("fd %d was not taken again (%d, %d): the test proves nothing", r->old_fd, r->sp[0],
                          r->sp[1]);
        ASSERT_OK(event_add_io(r->event, &r->source, r->sp[mine], EPOLLIN, on_reused, r));
        ASSERT_EQ(write(r->sp[1 - mine], "x", 1), 1);
        return 0;
}

/* sd-bus closes its fd itself when the peer hangs up, before the loop hears
 * of it. The loop watches a copy of its own, so a new fd of the same number,
 * added meanwhile, keeps its place in the epoll. */
TEST(fd_number_reused_after_hangup) {
        Peers p;
        Reuse r = { .sp = { -EBADF, -EBADF } };
        int hold[2];

        peers_new(&p);
        r.event = p.event;
        ASSERT_OK(sd_bus_add_filter(p.client, NULL, on_filter_reuse, &r));
        peers_round_trip(&p);
        r.old_fd = sd_bus_get_fd(p.client);
        /* The server goes first; a pipe takes the numbers its fd frees. */
        scope_bus_loop_detach(&p.server_loop);
        p.server = sd_bus_close_unref(p.server);
        ASSERT_OK(pipe2(hold, O_CLOEXEC));
        run_until(p.event, &r.n_disconnected, 1);
        for (unsigned i = 0; i < 10 && r.n_fired == 0; i++)
                (void) event_run(p.event, MSEC(100));
        ASSERT_EQ(r.n_fired, 1u);
        r.source = event_source_disable_unref(r.source);
        safe_close(r.sp[0]);
        safe_close(r.sp[1]);
        safe_close(hold[0]);
        safe_close(hold[1]);
        peers_free(&p);
}
