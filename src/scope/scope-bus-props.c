/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What StartTransientUnit asks the scope to be: the plan's properties, one
 * "(sv)" entry each, marshalled by the D-Bus signature the plan gives, and
 * what cell adds to them. scope-bus.c holds the conversation. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "cgroup-util.h"
#include "scope-internal.h"
#include "strv.h"

int scope_bus_append_property(sd_bus_message *m, const PlanProperty *p) {
        const char *sig = p->signature;
        int r;

        if (!p->name || !sig)
                return -EINVAL;
        r = sd_bus_message_open_container(m, 'r', "sv");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", p->name);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'v', sig);
        if (r < 0)
                return r;

        if (streq(sig, "t"))
                r = sd_bus_message_append(m, "t", p->t);
        else if (streq(sig, "u"))
                r = sd_bus_message_append(m, "u", p->u);
        else if (streq(sig, "i"))
                r = sd_bus_message_append(m, "i", p->i);
        else if (streq(sig, "b"))
                r = sd_bus_message_append(m, "b", (int) p->b);
        else if (streq(sig, "s"))
                r = sd_bus_message_append(m, "s", strempty(p->s));
        else if (streq(sig, "as"))
                r = sd_bus_message_append_strv(m, p->as);
        else if (streq(sig, "ay"))
                r = sd_bus_message_append_array(m, 'y', p->ay ?: (const uint8_t *) "", p->ay ? p->ay_size : 0);
        else if (streq(sig, "a(ss)")) {
                size_t n = strv_length(p->as);
                if (n % 2 != 0)
                        return -EINVAL;         /* flattened pairs */
                r = sd_bus_message_open_container(m, 'a', "(ss)");
                for (size_t i = 0; r >= 0 && i < n; i += 2)
                        r = sd_bus_message_append(m, "(ss)", p->as[i], p->as[i + 1]);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
        } else
                return -EINVAL;
        if (r < 0)
                return r;

        r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(m);
}

static bool props_have(const ScopeStartProps *p, const char *name) {
        for (size_t i = 0; i < p->n_props; i++)
                if (streq(p->props[i].name, name))
                        return true;
        return false;
}

/* IOReadBandwidthMax= and the rest: per kind one "a(st)" of the disks that
 * have it, each as "/dev/block/MAJ:MIN" (cgroup-io.h says why). */
static int append_io(sd_bus_message *m, const CgroupIODisk *disks, size_t n) {
        int r;

        for (CellIOKind t = 0; t < _CELL_IO_KIND_MAX; t++) {
                bool any = false;
                for (size_t i = 0; i < n; i++)
                        any = any || disks[i].set[t];
                if (!any)
                        continue;
                r = sd_bus_message_open_container(m, 'r', "sv");
                if (r >= 0)
                        r = sd_bus_message_append(m, "s", cg_io_property(t));
                if (r >= 0)
                        r = sd_bus_message_open_container(m, 'v', "a(st)");
                if (r >= 0)
                        r = sd_bus_message_open_container(m, 'a', "(st)");
                for (size_t i = 0; r >= 0 && i < n; i++) {
                        char path[64];
                        if (!disks[i].set[t])
                                continue;
                        snprintf(path, sizeof path, "/dev/block/%u:%u", major(disks[i].dev), minor(disks[i].dev));
                        r = sd_bus_message_append(m, "(st)", path, disks[i].value[t]);
                }
                for (unsigned k = 0; r >= 0 && k < 3; k++)
                        r = sd_bus_message_close_container(m);
                if (r < 0)
                        return r;
        }
        return 0;
}

const PlanProperty *scope_bus_property_sent(const PlanProperty *q, PlanProperty *buf) {
        /* TasksMax=100%: systemd 252 takes it in a unit file (the system's
         * limit) but refuses a TasksMaxScale of 100% on the bus ("out of
         * range": its check is v >= UINT32_MAX). The same limit, resolved
         * as systemd resolves the unit file's and the cgroupfs manager
         * does: the system's number of tasks, as TasksMax. */
        if (!streq(q->name, "TasksMaxScale") || !streq_ptr(q->signature, "u") || q->u != UINT32_MAX)
                return q;
        *buf = (PlanProperty) { .name = "TasksMax", .key = q->key, .signature = "t", .t = cg_system_tasks_max() };
        return buf;
}

int scope_bus_append_start_properties(sd_bus_message *m, const ScopeStartProps *p, const PlanProperty **ret_bad) {
        int r;

        r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < p->n_props; i++) {
                const PlanProperty *q = p->props + i;
                PlanProperty sent;

                if (p->skip_device_policy && (streq(q->name, "DevicePolicy") || streq(q->name, "DeviceAllow")))
                        continue;
                r = scope_bus_append_property(m, scope_bus_property_sent(q, &sent));
                if (r == -EINVAL && ret_bad)
                        *ret_bad = p->props + i;
                if (r < 0)
                        return r;
        }
        r = append_io(m, p->io_disks, p->n_io_disks);
        if (r < 0)
                return r;
        if (p->slice && !props_have(p, "Slice")) {
                r = sd_bus_message_append(m, "(sv)", "Slice", "s", p->slice);
                if (r < 0)
                        return r;
        }
        if (p->description && !props_have(p, "Description")) {
                r = sd_bus_message_append(m, "(sv)", "Description", "s", p->description);
                if (r < 0)
                        return r;
        }
        if (p->source_path) {
                r = sd_bus_message_append(m, "(sv)", "SourcePath", "s", p->source_path);
                if (r < 0)
                        return r;
        }

        /* systemd stops the scope itself ("systemctl stop cell-NAME.scope"): no
         * Controller= asks us, since we are not connected while the payload runs
         * (scope_bus_release()). So it gets the unit's KillSignal= and TimeoutStopSec=. */
        if (p->kill_signal > 0 && !props_have(p, "KillSignal")) {
                r = sd_bus_message_append(m, "(sv)", "KillSignal", "i", (int32_t) p->kill_signal);
                if (r < 0)
                        return r;
        }
        if (p->timeout_stop_usec > 0 && !props_have(p, "TimeoutStopUSec")) {
                r = sd_bus_message_append(m, "(sv)", "TimeoutStopUSec", "t", p->timeout_stop_usec);
                if (r < 0)
                        return r;
        }

        /* PIDs, which every systemd takes, not PIDFDs (v253 on; 252 refuses the whole
         * call): as safe here, since the child is ours, blocked until GO, and cannot
         * exit -- so its PID cannot be reused -- before we reap it. Finding out the
         * version first would cost PID 1 a call per start. */
        r = sd_bus_message_append(m, "(sv)", "PIDs", "au", 1, (uint32_t) p->pid);
        if (r < 0)
                return r;

        /* No AddRef=: the scope holds the child from the start, so nothing collects
         * it while we set it up, and once the payload is gone it should go. */

        /* Run from a service (cell@web.service): stopping it stops the container too.
         * PartOf=, not BindsTo=: systemd stops the units bound to a service the
         * moment it deactivates without a stop job (TimeoutStartSec=, RuntimeMaxSec=
         * run out), and that stop signals every process of the container at once,
         * beside cell's graceful one; PartOf= passes on stop and restart jobs alone.
         * Should cell die, the container's init dies with it (PR_SET_PDEATHSIG) and
         * the scope ends empty. Never After=: the service is still activating
         * (Type=notify, READY=1 comes from cell only after this very job is done),
         * so a scope job ordered after the service's start job would wait for it
         * forever -- a deadlock until TimeoutStartSec=. Before= instead: it orders
         * nothing at start (the service's job runs already), and on "systemctl stop"
         * it holds the scope's stop job until the service is down, so cell stops the
         * payload gracefully (KillSignal= to its init only) before systemd would
         * signal every process of the scope. */
        if (p->service) {
                r = sd_bus_message_append(m, "(sv)", "PartOf", "as", 1, p->service);
                if (r >= 0)
                        r = sd_bus_message_append(m, "(sv)", "Before", "as", 1, p->service);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(m);
}

/* sd-bus's choice (bus_set_address_system()/_user()): the environment's, or
 * the default. secure_getenv(), as sd-bus reads them. */
char *scope_bus_address(bool user_bus) {
        const char *e;
        char *a;

        if (!user_bus) {
                e = secure_getenv("DBUS_SYSTEM_BUS_ADDRESS");
                return strdup(e ?: "unix:path=/run/dbus/system_bus_socket");
        }
        e = secure_getenv("DBUS_SESSION_BUS_ADDRESS");
        if (e)
                return strdup(e);
        e = secure_getenv("XDG_RUNTIME_DIR");
        if (!e)
                return strdup("unix:path=$XDG_RUNTIME_DIR/bus ($XDG_RUNTIME_DIR is not set)");
        return asprintf(&a, "unix:path=%s/bus", e) < 0 ? NULL : a;
}

int scope_bus_open(bool user_bus, sd_bus **ret) {
        /* Connecting an AF_UNIX socket is synchronous: a missing bus fails here. */
        return user_bus ? sd_bus_open_user(ret) : sd_bus_open_system(ret);
}
