/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Register=yes over the scope's connection, rootless: a private dbus-daemon,
 * a fake systemd that makes the scope (its job "done" at once) and a fake
 * systemd-machined that keeps what RegisterMachineWithNetwork carried and
 * refuses as machined 252 does. The real machined is exercised by
 * tests/integration/systemd/test-machined.sh. Skips without dbus-daemon. */

#include <stdio.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "fake-bus.h"
#include "scope-internal.h"
#include "test.h"

/* ---- the fakes ---- */

static struct {
        char name[80], service[32], class[32], root[64];
        uint8_t id[16];
        size_t id_size;
        uint32_t leader;
        int32_t ifindex[4];
        size_t n_ifindex;
} last;

static int fake_start(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *unit, *mode;
        int r;

        if ((r = sd_bus_message_read(m, "ss", &unit, &mode)) < 0 ||
            (r = sd_bus_reply_method_return(m, "o", "/org/freedesktop/systemd1/job/1")) < 0)
                return r;
        (void) sd_bus_emit_signal(sd_bus_message_get_bus(m), "/org/freedesktop/systemd1",
                                  "org.freedesktop.systemd1.Manager", "JobRemoved", "uoss", 1,
                                  "/org/freedesktop/systemd1/job/1", unit, "done");
        return 1;
}

static int fake_stop(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return sd_bus_reply_method_return(m, "o", "/org/freedesktop/systemd1/job/2");
}

/* The machines machined holds already: another container's, and one left
 * over from an earlier start of the scope the test makes (its unit). */
static struct { const char *name, *unit; uint32_t leader; bool gone; } held[] = {
        { "taken", "cell-other.scope", 4242 },
        { "stale", "cell-web\\x403.scope", 4343 },
        { "hang", "cell-web\\x403.scope", 4444 },      /* GetMachine never answers */
};
static unsigned unregistered;

static ssize_t held_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(held); i++)
                if (!held[i].gone && streq(held[i].name, name))
                        return (ssize_t) i;
        return -1;
}

static int fake_get_machine(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        char path[128];
        const char *name;
        int r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        if (held_find(name) < 0)
                return sd_bus_error_setf(error, "org.freedesktop.machine1.NoSuchMachine", "No machine '%s' known", name);
        if (streq(name, "hang"))
                return 1;       /* no answer, ever */
        snprintf(path, sizeof path, "/org/freedesktop/machine1/machine/%s", name);
        return sd_bus_reply_method_return(m, "o", path);
}

static int fake_unregister(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *name;
        int r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        ssize_t i = held_find(name);
        if (i < 0)
                return sd_bus_error_setf(error, "org.freedesktop.machine1.NoSuchMachine", "No machine '%s' known", name);
        held[i].gone = true;
        unregistered++;
        return sd_bus_reply_method_return(m, "");
}

static ssize_t held_of_path(const char *path) {
        const char *name = strrchr(path, '/');
        return name ? held_find(name + 1) : -1;
}

static int fake_machine_unit(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        ssize_t i = held_of_path(path);
        return sd_bus_message_append(reply, "s", i >= 0 ? held[i].unit : "");
}

static int fake_machine_leader(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        ssize_t i = held_of_path(path);
        return sd_bus_message_append(reply, "u", i >= 0 ? held[i].leader : 0);
}

static int fake_register(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *name, *service, *class, *root;
        const void *id, *ifi;
        size_t id_size, ifi_size;
        uint32_t leader;
        int r;

        if ((r = sd_bus_message_read(m, "s", &name)) < 0 ||
            (r = sd_bus_message_read_array(m, 'y', &id, &id_size)) < 0 ||
            (r = sd_bus_message_read(m, "ssus", &service, &class, &leader, &root)) < 0 ||
            (r = sd_bus_message_read_array(m, 'i', &ifi, &ifi_size)) < 0)
                return r;
        if (strstr(name, "mute"))
                return 1;       /* no answer, ever */
        /* machined 252's words */
        if (held_find(name) >= 0)
                return sd_bus_error_setf(error, "org.freedesktop.machine1.MachineExists",
                                         "Machine '%s' already exists", name);
        snprintf(last.name, sizeof last.name, "%s", name);
        snprintf(last.service, sizeof last.service, "%s", service);
        snprintf(last.class, sizeof last.class, "%s", class);
        snprintf(last.root, sizeof last.root, "%s", root);
        last.id_size = MIN(id_size, sizeof last.id);
        memcpy(last.id, id, last.id_size);
        last.leader = leader;
        last.n_ifindex = MIN(ifi_size / sizeof(int32_t), ELEMENTSOF(last.ifindex));
        memcpy(last.ifindex, ifi, last.n_ifindex * sizeof(int32_t));
        return sd_bus_reply_method_return(m, "o", "/org/freedesktop/machine1/machine/x");
}

/* Not machined's: what the last registration carried. */
static int fake_last(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        if ((r = sd_bus_message_new_method_return(m, &reply)) < 0 ||
            (r = sd_bus_message_append(reply, "s", last.name)) < 0 ||
            (r = sd_bus_message_append_array(reply, 'y', last.id, last.id_size)) < 0 ||
            (r = sd_bus_message_append(reply, "ssus", last.service, last.class, last.leader, last.root)) < 0 ||
            (r = sd_bus_message_append_array(reply, 'i', last.ifindex, last.n_ifindex * sizeof(int32_t))) < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* Not machined's: how many UnregisterMachine calls came. */
static int fake_unregistered(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return sd_bus_reply_method_return(m, "u", unregistered);
}

static const sd_bus_vtable fake_systemd_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("StartTransientUnit", "ssa(sv)a(sa(sv))", "o", fake_start, 0),
        SD_BUS_METHOD("StopUnit", "ss", "o", fake_stop, 0),
        SD_BUS_VTABLE_END
};
static const sd_bus_vtable fake_machined_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("RegisterMachineWithNetwork", "sayssusai", "o", fake_register, 0),
        SD_BUS_METHOD("GetMachine", "s", "o", fake_get_machine, 0),
        SD_BUS_METHOD("UnregisterMachine", "s", "", fake_unregister, 0),
        SD_BUS_METHOD("Last", "", "sayssusai", fake_last, 0),
        SD_BUS_METHOD("Unregistered", "", "u", fake_unregistered, 0),
        SD_BUS_VTABLE_END
};
static const sd_bus_vtable fake_machine_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Unit", "s", fake_machine_unit, 0, 0),
        SD_BUS_PROPERTY("Leader", "u", fake_machine_leader, 0, 0),
        SD_BUS_VTABLE_END
};

/* The fake systemd, and the fake machined when *userdata (a bool) says so. */
static int fakes(sd_bus *bus, void *userdata) {
        const bool *machined = userdata;
        int r;

        if ((r = sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                          fake_systemd_vtable, NULL)) < 0 ||
            (r = sd_bus_request_name(bus, "org.freedesktop.systemd1", 0)) < 0)
                return r;
        if (*machined &&
            ((r = sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/machine1", "org.freedesktop.machine1.Manager",
                                           fake_machined_vtable, NULL)) < 0 ||
             (r = sd_bus_add_fallback_vtable(bus, NULL, "/org/freedesktop/machine1/machine",
                                             "org.freedesktop.machine1.Machine", fake_machine_vtable, NULL, NULL)) < 0 ||
             (r = sd_bus_request_name(bus, "org.freedesktop.machine1", 0)) < 0))
                return r;
        return 0;
}

/* A scope through new/attach/wait, then the registration sent. */
static int start_and_register(const char *machine, const uint8_t *id, const int32_t *ifindex, Event *e,
                              Scope **ret) {
        Plan p = { .name = (char *) "web@3", .scope_unit = (char *) "cell-web\\x403.scope",
                   .limits.cpu_quota_per_sec_usec = USEC_INFINITY };
        const ScopeMachine m = {
                .name = machine, .id = id, .root_directory = "/srv/root", .leader = getpid(),
                .ifindices = ifindex, .n_ifindices = ifindex ? 1 : 0,
        };
        Scope *s = NULL;

        ASSERT_OK(scope_new(&p, CGROUP_MANAGER_SYSTEMD, false, e, &s));
        ASSERT_OK(scope_attach(s, getpid(), false));
        ASSERT_OK(scope_wait(s));
        *ret = s;
        int r = scope_register_machine(s, &m);
        if (r < 0)
                return r;
        return scope_register_machine_wait(s);
}

static void read_last(char **ret_name, uint8_t ret_id[16], size_t *ret_id_size, uint32_t *ret_leader,
                      int32_t *ret_ifindex, size_t *ret_n_ifindex) {
        sd_bus *bus = NULL;
        sd_bus_message *reply = NULL;
        const char *name, *service, *class, *root;
        const void *id, *ifi;
        size_t ifi_size;

        ASSERT_OK(sd_bus_open_system(&bus));
        ASSERT_OK(sd_bus_call_method(bus, "org.freedesktop.machine1", "/org/freedesktop/machine1",
                                     "org.freedesktop.machine1.Manager", "Last", NULL, &reply, ""));
        ASSERT_OK(sd_bus_message_read(reply, "s", &name));
        ASSERT_OK(sd_bus_message_read_array(reply, 'y', &id, ret_id_size));
        ASSERT_OK(sd_bus_message_read(reply, "ssus", &service, &class, ret_leader, &root));
        ASSERT_OK(sd_bus_message_read_array(reply, 'i', &ifi, &ifi_size));
        ASSERT_STREQ(service, "cell");
        ASSERT_STREQ(class, "container");
        ASSERT_STREQ(root, "/srv/root");
        *ret_name = strdup(name);
        memcpy(ret_id, id, MIN(*ret_id_size, (size_t) 16));
        *ret_n_ifindex = ifi_size / sizeof(int32_t);
        if (*ret_n_ifindex > 0)
                memcpy(ret_ifindex, ifi, sizeof(int32_t));
        sd_bus_message_unref(reply);
        sd_bus_flush_close_unref(bus);
}

static unsigned unregistered_count(void) {
        sd_bus *bus = NULL;
        sd_bus_message *reply = NULL;
        unsigned n = 0;

        ASSERT_OK(sd_bus_open_system(&bus));
        ASSERT_OK(sd_bus_call_method(bus, "org.freedesktop.machine1", "/org/freedesktop/machine1",
                                     "org.freedesktop.machine1.Manager", "Unregistered", NULL, &reply, ""));
        ASSERT_OK(sd_bus_message_read(reply, "u", &n));
        sd_bus_message_unref(reply);
        sd_bus_flush_close_unref(bus);
        return n;
}

TEST(registration) {
        static const uint8_t id[16] = { 0x0b, 0x6f, 0x5a, 0x2e, 0x6e, 0x3c, 0x4d, 0x6b,
                                        0x9c, 0x2c, 0x74, 0x0d, 0x3e, 0xc5, 0x5d, 0x01 };
        const int32_t veth = 7;
        _cleanup_free_ char *name = NULL;
        uint8_t got_id[16];
        size_t id_size, n_ifindex;
        uint32_t leader;
        int32_t ifindex = 0;
        Event *e = NULL;
        Scope *s = NULL;

        if (!fake_bus_start(NULL, fakes, &(bool) { true }))
                return;
        ASSERT_OK(event_new(&e));

        /* What machined needs: the name, the ID, service "cell", class
         * "container", the leader, the root and the host side of the veth. */
        ASSERT_OK(start_and_register("web-3", id, &veth, e, &s));
        ASSERT_NULL(scope_last_error(s));
        read_last(&name, got_id, &id_size, &leader, &ifindex, &n_ifindex);
        ASSERT_STREQ(name, "web-3");
        ASSERT_EQ(id_size, 16);
        ASSERT_TRUE(memcmp(got_id, id, 16) == 0);
        ASSERT_EQ(leader, (uint32_t) getpid());
        ASSERT_EQ(n_ifindex, 1);
        ASSERT_EQ(ifindex, 7);
        /* Sent once: a second registration of the same start is refused. */
        ASSERT_ERROR(scope_register_machine(s, &(ScopeMachine) { .name = "again", .leader = getpid() }), EBUSY);
        scope_release(s);
        scope_free(s);

        /* No ID and no link: empty arrays. */
        name = mfree(name);
        ASSERT_OK(start_and_register("plain", NULL, NULL, e, &s));
        read_last(&name, got_id, &id_size, &leader, &ifindex, &n_ifindex);
        ASSERT_STREQ(name, "plain");
        ASSERT_EQ(id_size, 0);
        ASSERT_EQ(n_ifindex, 0);
        scope_free(s);

        /* Refused: machined's own words, and its error's name, and whose machine
         * has the name (its unit and leader: two cell names can make one machine
         * name); another container's machine is never unregistered. */
        ASSERT_TRUE(start_and_register("taken", id, NULL, e, &s) < 0);
        ASSERT_STREQ(scope_last_error(s), "systemd-machined refused RegisterMachineWithNetwork(taken): Machine "
                     "'taken' already exists (org.freedesktop.machine1.MachineExists); it is the machine of "
                     "cell-other.scope, leader PID 4242");
        ASSERT_EQ(unregistered_count(), 0);
        scope_free(s);

        /* A machine left over from an earlier start of this scope (machined has
         * not seen its end yet): unregistered, and the call made again. */
        name = mfree(name);
        ASSERT_OK(start_and_register("stale", id, NULL, e, &s));
        ASSERT_EQ(unregistered_count(), 1);
        read_last(&name, got_id, &id_size, &leader, &ifindex, &n_ifindex);
        ASSERT_STREQ(name, "stale");
        ASSERT_EQ(leader, (uint32_t) getpid());
        scope_free(s);

        /* No answer: the scope's deadline ($CELL_SCOPE_TIMEOUT) counts for it too. */
        ASSERT_OK(setenv("CELL_SCOPE_TIMEOUT", "300ms", 1));
        ASSERT_ERROR(start_and_register("mute", id, NULL, e, &s), ETIMEDOUT);
        ASSERT_STREQ(scope_last_error(s), "systemd-machined did not answer RegisterMachineWithNetwork(mute) "
                     "within 0.3 s");
        scope_free(s);

        /* ... and for the look at a machine of the name (MachineExists): no
         * wait of sd-bus's 25 s beyond it. */
        uint64_t t0 = now_monotonic_usec();
        ASSERT_TRUE(start_and_register("hang", id, NULL, e, &s) < 0);
        ASSERT_TRUE(now_monotonic_usec() - t0 < 15 * USEC_PER_SEC);    /* a loaded host's room, short of 25 s */
        ASSERT_CONTAINS(scope_last_error(s), "Machine 'hang' already exists");
        ASSERT_EQ(unregistered_count(), 1);     /* "stale"'s alone */
        ASSERT_OK(unsetenv("CELL_SCOPE_TIMEOUT"));
        scope_free(s);

        /* A start whose bus goes away while machined is asked. */
        ASSERT_OK(scope_new(&(Plan) { .name = (char *) "gone", .scope_unit = (char *) "cell-gone.scope",
                                      .limits.cpu_quota_per_sec_usec = USEC_INFINITY },
                            CGROUP_MANAGER_SYSTEMD, false, e, &s));
        ASSERT_OK(scope_attach(s, getpid(), false));
        ASSERT_OK(scope_wait(s));
        ASSERT_OK(scope_register_machine(s, &(ScopeMachine) { .name = "mute-gone", .leader = getpid() }));
        fake_bus_stop();
        ASSERT_ERROR(scope_register_machine_wait(s), ECONNRESET);
        ASSERT_STREQ(scope_last_error(s), "lost the connection to the bus while waiting for systemd-machined");
        scope_free(s);

        event_unref(e);
}

TEST(machined_missing) {
        Event *e = NULL;
        Scope *s = NULL;

        if (!fake_bus_start(NULL, fakes, &(bool) { false }))
                return;
        ASSERT_OK(event_new(&e));
        /* The broker knows no such name (Debian without systemd-container). */
        ASSERT_ERROR(start_and_register("web", NULL, NULL, e, &s), EHOSTDOWN);
        ASSERT_CONTAINS(scope_last_error(s), "systemd-machined is not available (installed? Debian: "
                        "systemd-container; masked?): ");
        ASSERT_CONTAINS(scope_last_error(s), "(org.freedesktop.DBus.Error.ServiceUnknown)");
        scope_free(s);
        fake_bus_stop();
        event_unref(e);
}

TEST(only_with_a_systemd_scope) {
        Plan p = { .name = (char *) "web", .limits.cpu_quota_per_sec_usec = USEC_INFINITY };
        Scope *s = NULL;

        ASSERT_OK(scope_new(&p, CGROUP_MANAGER_NONE, false, NULL, &s));
        ASSERT_ERROR(scope_register_machine(s, &(ScopeMachine) { .name = "web", .leader = getpid() }), EOPNOTSUPP);
        ASSERT_STREQ(scope_last_error(s), "systemd-machined registers the container by its systemd scope, and "
                     "the none manager makes none");
        ASSERT_ERROR(scope_register_machine_wait(s), ENOTCONN);
        scope_free(s);
}
