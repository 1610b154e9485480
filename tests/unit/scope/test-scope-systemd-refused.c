/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A property systemd refuses (the fake systemd of fake-systemd.c refuses
 * it in systemd 252's words): which key of the unit made it, and where that
 * key was written. Skips when dbus-daemon is missing. */

#include <limits.h>
#include <stdio.h>

#include "fake-bus.h"
#include "fake-systemd.h"
#include "plan/plan-test.h"
#include "scope-internal.h"
#include "test.h"

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
