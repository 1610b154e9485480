/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Register=yes: the container as a machine of systemd-machined, so that
 * machinectl lists it, shows its status, terminates, kills, powers off and
 * reboots it, as it does systemd-nspawn's.
 *
 * RegisterMachineWithNetwork, not CreateMachine: the scope exists already
 * (systemd-nspawn --keep-unit's way), and machined finds it from the cgroup of
 * the leader, which therefore goes only once the scope's job is done. It goes
 * out on the connection the scope was made on, without waiting: the answer
 * comes while the payload is released and execs, and is waited for before
 * the connection goes (scope_release()) and before READY=1. machined is
 * bus-activated: the first call starts it.
 *
 * Nothing unregisters the machine: machined drops it when its unit, the
 * scope, is gone, and "machinectl terminate" stops the scope, whose end is
 * the payload's and so cell's. machined learns of that end a little later
 * than systemd: a cell of that name started at once again (a service's
 * restart) may find the machine still there, with the scope's name as its
 * unit. That one is over (the scope of that name is this start's now) and
 * is unregistered, and the call made again -- synchronously, within the
 * start's deadline, on this error path only. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#include "log.h"
#include "scope-internal.h"

#define MACHINED_SERVICE "org.freedesktop.machine1"
#define MACHINED_PATH    "/org/freedesktop/machine1"
#define MACHINED_MANAGER "org.freedesktop.machine1.Manager"

struct ScopeMachined {
        char *name;
        uint8_t id[16];
        bool has_id;
        char *root_directory;
        pid_t leader;
        int32_t ifindices[8];
        size_t n_ifindices;
        bool leftover_tried;    /* a stale machine of this name was dropped once */
        char *holder_unit;      /* MachineExists: the unit of the machine that has the name ... */
        uint32_t holder_leader; /* ... and its leader, for the refusal's words */
        sd_bus_slot *slot;
        uint64_t deadline;      /* CLOCK_MONOTONIC, USEC_INFINITY for none */
        bool done;              /* the answer came (or the call failed): result is final */
        int result;
        bool stop_requested;
};

static int machined_finish(Scope *s, int r) {
        ScopeMachined *m = s->machined;

        m->slot = sd_bus_slot_unref(m->slot);
        m->done = true;
        m->result = r;
        return 0;
}

static int register_send(Scope *s);

/* What is left of the deadline, for a synchronous call: sd-bus's own 25 s
 * would outlast $CELL_SCOPE_TIMEOUT. 1 us when it is over: fail at once
 * (0 would mean sd-bus's default). */
static uint64_t call_timeout_left(const ScopeMachined *m) {
        uint64_t now = now_monotonic_usec();

        if (m->deadline == USEC_INFINITY)
                return 0;
        return m->deadline > now ? m->deadline - now : 1;
}

/* A call to machined with one or two string arguments (b NULL for one),
 * within the deadline. */
static int machined_call(Scope *s, const char *path, const char *interface, const char *member,
                         sd_bus_error *error, sd_bus_message **reply, const char *a, const char *b) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *msg = NULL;
        int r;

        r = sd_bus_message_new_method_call(scope_bus_connection(s), &msg, MACHINED_SERVICE, path, interface, member);
        if (r >= 0)
                r = b ? sd_bus_message_append(msg, "ss", a, b) : sd_bus_message_append(msg, "s", a);
        if (r < 0)
                return r;
        return sd_bus_call(scope_bus_connection(s), msg, call_timeout_left(s->machined), error, reply);
}

/* The unit and leader of the machine of our name, as machined has them now. */
static int machine_read(Scope *s, sd_bus_error *error, char **ret_unit, uint32_t *ret_leader) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL, *unit_reply = NULL, *leader_reply = NULL;
        const char *path, *unit;
        int r;

        r = machined_call(s, MACHINED_PATH, MACHINED_MANAGER, "GetMachine", error, &reply, s->machined->name, NULL);
        if (r >= 0)
                r = sd_bus_message_read(reply, "o", &path);
        if (r >= 0)
                r = machined_call(s, path, "org.freedesktop.DBus.Properties", "Get", error, &unit_reply,
                                  "org.freedesktop.machine1.Machine", "Unit");
        if (r >= 0)
                r = sd_bus_message_read(unit_reply, "v", "s", &unit);
        if (r >= 0)
                r = machined_call(s, path, "org.freedesktop.DBus.Properties", "Get", error, &leader_reply,
                                  "org.freedesktop.machine1.Machine", "Leader");
        if (r >= 0)
                r = sd_bus_message_read(leader_reply, "v", "u", ret_leader);
        if (r >= 0 && !(*ret_unit = strdup(unit)))
                r = -ENOMEM;
        return r;
}

/* MachineExists: whether that machine is a leftover of an earlier start of
 * this very scope (its unit has our scope's name, its leader is not ours),
 * and then drops machined's record of it (UnregisterMachine: the unit is
 * not touched). > 0 when dropped. */
static int drop_leftover(Scope *s) {
        ScopeMachined *m = s->machined;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *unit = NULL;
        uint32_t leader = 0;
        int r;

        /* Each call within the start's deadline, as the registration's. */
        r = machine_read(s, &error, &unit, &leader);
        if (r < 0 && (sd_bus_error_has_name(&error, "org.freedesktop.machine1.NoSuchMachine") ||
                      sd_bus_error_has_name(&error, "org.freedesktop.DBus.Error.UnknownObject")))
                r = 1;          /* gone by itself since machined refused: try again */
        else if (r >= 0 && (!streq_ptr(unit, s->unit) || leader == (uint32_t) m->leader)) {
                /* another container's: refused as it is, naming whose it is
                 * ("web@3" and "web-3" are both the machine "web-3") */
                free(m->holder_unit);
                m->holder_unit = TAKE_PTR(unit);
                m->holder_leader = leader;
                r = 0;
        } else if (r >= 0) {
                log_debug("Machine %s is left over from an earlier %s (leader PID %u): unregistering it.", m->name,
                          s->unit, leader);
                r = machined_call(s, MACHINED_PATH, MACHINED_MANAGER, "UnregisterMachine", &error, NULL, m->name, NULL);
                /* Gone meanwhile by itself: as good. */
                r = r >= 0 || sd_bus_error_has_name(&error, "org.freedesktop.machine1.NoSuchMachine") ? 1 : r;
        }
        sd_bus_error_free(&error);
        return r;
}

static int on_register_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Scope *s = userdata;
        ScopeMachined *m = s->machined;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        sd_bus *bus = scope_bus_connection(s);

        if (!e)
                return machined_finish(s, 0);
        if (!bus || sd_bus_is_open(bus) <= 0)
                /* The reply sd-bus makes up for a call pending when the connection dropped. */
                return machined_finish(s, scope_set_error(s, -ECONNRESET, "lost the connection to the bus while "
                                                          "waiting for systemd-machined"));
        int r = sd_bus_error_get_errno(e) > 0 ? -sd_bus_error_get_errno(e) : -EIO;
        if (sd_bus_error_has_name(e, "org.freedesktop.machine1.MachineExists") && !m->leftover_tried) {
                m->leftover_tried = true;
                m->slot = sd_bus_slot_unref(m->slot);
                if (drop_leftover(s) > 0) {
                        int q = register_send(s);
                        return q < 0 ? machined_finish(s, q) : 0;
                }
        }
        /* Not there: the broker knows no such name (Debian: no systemd-container),
         * or its activation failed (systemd's errors: masked, no such unit, ...). */
        if (sd_bus_error_has_name(e, "org.freedesktop.DBus.Error.ServiceUnknown") ||
            sd_bus_error_has_name(e, "org.freedesktop.DBus.Error.NameHasNoOwner") ||
            startswith(e->name, "org.freedesktop.DBus.Error.Spawn.") ||
            startswith(e->name, "org.freedesktop.systemd1."))
                return machined_finish(s, scope_set_error(s, -EHOSTDOWN, "systemd-machined is not available "
                                                          "(installed? Debian: systemd-container; masked?): %s (%s)",
                                                          e->message ?: "no message", e->name));
        if (m->holder_unit)
                return machined_finish(s, scope_set_error(s, r, "systemd-machined refused RegisterMachineWithNetwork(%s): "
                                                          "%s (%s); it is the machine of %s, leader PID %" PRIu32,
                                                          m->name, e->message ?: "no message", e->name,
                                                          m->holder_unit, m->holder_leader));
        return machined_finish(s, scope_set_error(s, r, "systemd-machined refused RegisterMachineWithNetwork(%s): "
                                                  "%s (%s)", m->name, e->message ?: "no message", e->name));
}

static int register_send(Scope *s) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *msg = NULL;
        ScopeMachined *m = s->machined;
        sd_bus *bus = scope_bus_connection(s);
        int r;

        r = sd_bus_message_new_method_call(bus, &msg, MACHINED_SERVICE, MACHINED_PATH, MACHINED_MANAGER,
                                           "RegisterMachineWithNetwork");
        if (r >= 0)
                r = sd_bus_message_append(msg, "s", m->name);
        if (r >= 0)
                /* No ID: machined keeps none (an empty array). */
                r = sd_bus_message_append_array(msg, 'y', m->id, m->has_id ? sizeof m->id : 0);
        if (r >= 0)
                r = sd_bus_message_append(msg, "ssus", "cell", "container", (uint32_t) m->leader,
                                          strempty(m->root_directory));
        if (r >= 0)
                r = sd_bus_message_append_array(msg, 'i', m->ifindices, m->n_ifindices * sizeof(int32_t));
        if (r < 0)
                return r;

        uint64_t now = now_monotonic_usec();
        uint64_t call_timeout = m->deadline == USEC_INFINITY ? 0 :
                (m->deadline > now ? m->deadline - now : 0) + USEC_PER_SEC;
        r = sd_bus_call_async(bus, &m->slot, msg, on_register_reply, s, call_timeout);
        if (r < 0)
                return scope_set_error(s, r, "cannot send RegisterMachineWithNetwork(%s): %s", m->name, strerror(-r));
        return 0;
}

int scope_register_machine(Scope *s, const ScopeMachine *machine) {
        sd_bus *bus = scope_bus_connection(s);
        ScopeMachined *m;

        if (!s || !machine || !machine->name || machine->leader <= 0 ||
            machine->n_ifindices > ELEMENTSOF(m->ifindices))
                return -EINVAL;
        if (s->manager != CGROUP_MANAGER_SYSTEMD)
                return scope_set_error(s, -EOPNOTSUPP, "systemd-machined registers the container by its systemd "
                                       "scope, and the %s manager makes none",
                                       cgroup_manager_to_string(s->manager));
        if (!bus || s->machined)
                return -EBUSY;

        m = s->machined = calloc(1, sizeof(ScopeMachined));
        if (!m)
                return -ENOMEM;
        m->name = strdup(machine->name);
        m->root_directory = machine->root_directory ? strdup(machine->root_directory) : NULL;
        if (!m->name || (machine->root_directory && !m->root_directory))
                return -ENOMEM;
        if (machine->id) {
                memcpy(m->id, machine->id, sizeof m->id);
                m->has_id = true;
        }
        m->leader = machine->leader;
        if (machine->n_ifindices > 0)
                memcpy(m->ifindices, machine->ifindices, machine->n_ifindices * sizeof(int32_t));
        m->n_ifindices = machine->n_ifindices;
        /* Its own deadline, as long as the scope's had. */
        m->deadline = s->bus_timeout_usec == USEC_INFINITY ? USEC_INFINITY :
                now_monotonic_usec() + (s->bus_timeout_usec ?: 30 * USEC_PER_SEC);
        return register_send(s);
}

int scope_register_machine_wait(Scope *s) {
        _cleanup_(event_source_disable_unrefp) EventSource *stop_source = NULL;
        _cleanup_close_ int stop_fd = -EBADF;
        ScopeMachined *m = s ? s->machined : NULL;
        int r;

        if (!m)
                return -ENOTCONN;
        /* A stop request ends the wait at once, as scope_bus_wait()'s. */
        r = scope_watch_stop_signals(s, &m->stop_requested, &stop_source, &stop_fd);
        if (r < 0)
                return scope_set_error(s, r, "waiting for systemd-machined: watching the stop signals: %s",
                                       strerror(-r));

        while (!m->done) {
                uint64_t now = now_monotonic_usec(), left;

                if (m->stop_requested)
                        return scope_set_error(s, -ECANCELED, "interrupted while waiting for systemd-machined");
                left = m->deadline == USEC_INFINITY ? USEC_INFINITY : m->deadline > now ? m->deadline - now : 0;
                if (left == 0)
                        return scope_set_error(s, -ETIMEDOUT, "systemd-machined did not answer "
                                               "RegisterMachineWithNetwork(%s) within %g s", m->name,
                                               (double) s->bus_timeout_usec / (double) USEC_PER_SEC);
                r = event_run(s->event, left);
                if (r >= 0)
                        r = scope_bus_connection_error(s);
                if (r < 0 && r != -EINTR)
                        return scope_set_error(s, r, "waiting for systemd-machined: %s", strerror(-r));
        }
        return m->result;
}

int scope_unregister_machine(Scope *s) {
        ScopeMachined *m = s ? s->machined : NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *unit = NULL;
        uint32_t leader = 0;
        int r;

        if (!m || !m->done || m->result < 0)
                return -ENOTCONN;
        /* Only while the name is still ours: machined may have dropped it since,
         * and another container have taken it. */
        r = machine_read(s, &error, &unit, &leader);
        if (r >= 0 && leader == (uint32_t) m->leader)
                r = machined_call(s, MACHINED_PATH, MACHINED_MANAGER, "UnregisterMachine", &error, NULL, m->name, NULL);
        else if (r >= 0)
                r = 0;
        if (r < 0 && sd_bus_error_has_name(&error, "org.freedesktop.machine1.NoSuchMachine"))
                r = 0;
        sd_bus_error_free(&error);
        return r;
}

void scope_machined_free(Scope *s) {
        ScopeMachined *m = s->machined;

        if (!m)
                return;
        sd_bus_slot_unref(m->slot);
        free(m->name);
        free(m->root_directory);
        free(m->holder_unit);
        free(m);
        s->machined = NULL;
}
