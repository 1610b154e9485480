/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* StartTransientUnit refused for a property (scope-bus-refused.c): which
 * key and value cell names for systemd's message, without a bus. */

#include <stdlib.h>
#include <sys/sysmacros.h>
#include <systemd/sd-bus.h>

#include "scope-bus-internal.h"
#include "scope-internal.h"
#include "strv.h"
#include "test.h"

/* An IO device key's property refused: the entry, with its own file and line,
 * where one disk has the key; the key alone where several have it. */
TEST(io_property_refused) {
        CellIODevice devices[] = {
                { .kind = CELL_IO_READ_BPS, .path = (char *) "/dev/sda", .value = 1000000,
                  .file = (char *) "/etc/cell/web.cell", .line = 8 },
                { .kind = CELL_IO_READ_BPS, .path = (char *) "/dev/sdb", .value = 2000000,
                  .file = (char *) "/etc/cell/web.cell", .line = 9 },
                { .kind = CELL_IO_LATENCY, .path = (char *) "/dev/sdb", .value = 25000,
                  .file = (char *) "/etc/cell/web.cell.d/io.conf", .line = 2 },
        };
        CgroupIODisk disks[2] = { { .dev = makedev(8, 0) }, { .dev = makedev(8, 16) } };
        PlanLimits l = { .io_devices = devices, .n_io_devices = ELEMENTSOF(devices) };
        ScopeBus b = {};
        Scope s = { .unit = (char *) "cell-web.scope", .bus = &b, .io_disks = disks, .n_io_disks = 2 };
        sd_bus_error e = SD_BUS_ERROR_NULL;

        disks[0].set[CELL_IO_READ_BPS] = disks[1].set[CELL_IO_READ_BPS] = disks[1].set[CELL_IO_LATENCY] = true;
        disks[0].origin[CELL_IO_READ_BPS] = 0;
        disks[1].origin[CELL_IO_READ_BPS] = 1;
        disks[1].origin[CELL_IO_LATENCY] = 2;
        ASSERT_OK(scope_bus_io_entries(&b, &l));

        sd_bus_error_set(&e, SD_BUS_ERROR_PROPERTY_READ_ONLY,
                         "Cannot set property IODeviceLatencyTargetUSec, or unknown property.");
        ASSERT_TRUE(scope_bus_refused(&s, &e) < 0);
        ASSERT_STREQ(s.error, "/etc/cell/web.cell.d/io.conf:2: IODeviceLatencyTargetSec=/dev/sdb 25ms: "
                              "systemd refused IODeviceLatencyTargetUSec: Cannot set property "
                              "IODeviceLatencyTargetUSec, or unknown property. "
                              "(org.freedesktop.DBus.Error.PropertyReadOnly)");
        sd_bus_error_free(&e);
        sd_bus_error_set(&e, SD_BUS_ERROR_INVALID_ARGS, "Path 'IOReadBandwidthMax' specified in "
                         "/dev/block/8:16= is not normalized.");
        ASSERT_ERROR(scope_bus_refused(&s, &e), EINVAL);
        ASSERT_STREQ(s.error, "IOReadBandwidthMax=: systemd refused IOReadBandwidthMax: Path "
                              "'IOReadBandwidthMax' specified in /dev/block/8:16= is not normalized. "
                              "(org.freedesktop.DBus.Error.InvalidArgs)");
        sd_bus_error_free(&e);
        free(s.error);
        strv_free(b.io_entries);
}

/* A refusal that names a unit, not a property: a unit whose name holds a
 * property's ("MemoryMax.service", the scope "cell-Delegate.scope") is not
 * taken for that property; systemd's words stay as they are. */
TEST(refusal_naming_a_unit) {
        PlanProperty props[] = {
                { .name = "Delegate", .signature = "b", .b = true },
                { .name = "MemoryMax", .key = "MemoryMax", .signature = "t", .t = 1 << 30 },
                { .name = "Requires", .key = "Requires", .signature = "as" },
        };
        ScopeBus b = { .props = props, .n_props = ELEMENTSOF(props) };
        Scope s = { .unit = (char *) "cell-Delegate.scope", .bus = &b };
        sd_bus_error e = SD_BUS_ERROR_NULL;

        sd_bus_error_set(&e, "org.freedesktop.systemd1.NoSuchUnit", "Unit MemoryMax.service not found.");
        ASSERT_TRUE(scope_bus_refused(&s, &e) < 0);
        ASSERT_STREQ(s.error, "StartTransientUnit(cell-Delegate.scope) failed: Unit MemoryMax.service not found. "
                              "(org.freedesktop.systemd1.NoSuchUnit)");
        sd_bus_error_free(&e);
        sd_bus_error_set(&e, "org.freedesktop.systemd1.UnitMasked", "Unit cell-Delegate.scope is masked.");
        ASSERT_TRUE(scope_bus_refused(&s, &e) < 0);
        ASSERT_STREQ(s.error, "StartTransientUnit(cell-Delegate.scope) failed: Unit cell-Delegate.scope is masked. "
                              "(org.freedesktop.systemd1.UnitMasked)");
        sd_bus_error_free(&e);
        /* The property itself, at the end of a sentence: still named. */
        sd_bus_error_set(&e, SD_BUS_ERROR_PROPERTY_READ_ONLY, "Cannot set property MemoryMax.");
        ASSERT_TRUE(scope_bus_refused(&s, &e) < 0);
        ASSERT_STREQ(s.error, "MemoryMax=1G: systemd refused MemoryMax: Cannot set property MemoryMax. "
                              "(org.freedesktop.DBus.Error.PropertyReadOnly)");
        sd_bus_error_free(&e);
        free(s.error);
}

/* A transaction with conflicting jobs (systemd 252's transaction.c): on a
 * unit an entry names, that entry (the key that pulls it in first) and the
 * other key naming it, the other half of the conflict; on the scope itself,
 * the key that pulls units in, as a whole (systemd does not say which). */
TEST(refused_conflict) {
        char *requires[] = { (char *) "a.service", (char *) "b.service", NULL };
        char *conflicts[] = { (char *) "a.service", (char *) "c.service", NULL };
        char *bindsto[] = { (char *) "d.service", NULL };
        PlanProperty props[] = {
                { .name = "After", .key = "After", .signature = "as", .as = requires },
                { .name = "Conflicts", .key = "Conflicts", .signature = "as", .as = conflicts },
                { .name = "Requires", .key = "Requires", .signature = "as", .as = requires },
                { .name = "BindsTo", .key = "BindsTo", .signature = "as", .as = bindsto },
        };
        ScopeBus b = { .props = props, .n_props = ELEMENTSOF(props) };
        Scope s = { .unit = (char *) "cell-web.scope", .bus = &b };
        sd_bus_error e = SD_BUS_ERROR_NULL;

        sd_bus_error_set(&e, "org.freedesktop.systemd1.TransactionJobsConflicting",
                         "Transaction contains conflicting jobs 'stop' and 'start' for a.service. Probably "
                         "contradicting requirement dependencies configured.");
        ASSERT_TRUE(scope_bus_refused(&s, &e) < 0);
        ASSERT_STREQ(s.error, "Requires=a.service: systemd refused the start: Transaction contains conflicting "
                              "jobs 'stop' and 'start' for a.service. Probably contradicting requirement "
                              "dependencies configured. (org.freedesktop.systemd1.TransactionJobsConflicting; "
                              "Conflicts=a.service too)");
        sd_bus_error_free(&e);
        /* A unit only Conflicts= names (another unit pulls it in). */
        sd_bus_error_set(&e, "org.freedesktop.systemd1.TransactionJobsConflicting",
                         "Transaction contains conflicting jobs 'start' and 'stop' for c.service. Probably "
                         "contradicting requirement dependencies configured.");
        ASSERT_TRUE(scope_bus_refused(&s, &e) < 0);
        ASSERT_TRUE(startswith(s.error, "Conflicts=c.service: systemd refused the start: Transaction contains "));
        ASSERT_NULL(strstr(s.error, " too)"));
        sd_bus_error_free(&e);
        /* On the scope (systemd may find the jobs on either unit): the
         * entry Conflicts= names too, else Requires= as a whole. */
        sd_bus_error_set(&e, "org.freedesktop.systemd1.TransactionJobsConflicting",
                         "Transaction contains conflicting jobs 'stop' and 'start' for cell-web.scope. Probably "
                         "contradicting requirement dependencies configured.");
        ASSERT_TRUE(scope_bus_refused(&s, &e) < 0);
        ASSERT_TRUE(startswith(s.error, "Requires=a.service: systemd refused the start: Transaction contains "
                                        "conflicting jobs 'stop' and 'start' for cell-web.scope."));
        ASSERT_TRUE(endswith(s.error, "; Conflicts=a.service too)"));
        conflicts[0] = (char *) "e.service";
        ASSERT_TRUE(scope_bus_refused(&s, &e) < 0);
        ASSERT_TRUE(startswith(s.error, "Requires=: systemd refused the start: Transaction contains conflicting "
                                        "jobs 'stop' and 'start' for cell-web.scope."));
        /* ... BindsTo= where it has no Requires=; neither: systemd's words. */
        props[2].as = NULL;
        ASSERT_TRUE(scope_bus_refused(&s, &e) < 0);
        ASSERT_TRUE(startswith(s.error, "BindsTo=: systemd refused the start: "));
        props[3].as = NULL;
        ASSERT_TRUE(scope_bus_refused(&s, &e) < 0);
        ASSERT_TRUE(startswith(s.error, "StartTransientUnit(cell-web.scope) failed: Transaction contains "));
        sd_bus_error_free(&e);
        /* An ordering cycle names no unit: systemd's words. */
        sd_bus_error_set(&e, "org.freedesktop.systemd1.TransactionOrderIsCyclic",
                         "Transaction order is cyclic. See system logs for details.");
        ASSERT_TRUE(scope_bus_refused(&s, &e) < 0);
        ASSERT_STREQ(s.error, "StartTransientUnit(cell-web.scope) failed: Transaction order is cyclic. See system "
                              "logs for details. (org.freedesktop.systemd1.TransactionOrderIsCyclic)");
        sd_bus_error_free(&e);
        free(s.error);
}

/* The start job's result "dependency" names no unit: the units of the
 * unit's Requires= and BindsTo= entries are asked about, and the entry of
 * the first that failed is named (Requires= first), for its line. */
TEST(dependency_failed) {
        char *requires[] = { (char *) "a.service", (char *) "b.service", NULL };
        char *bindsto[] = { (char *) "c.service", (char *) "a.service", NULL };
        char *wants[] = { (char *) "d.service", NULL };
        PlanProperty props[] = {
                { .name = "Wants", .key = "Wants", .signature = "as", .as = wants },
                { .name = "BindsTo", .key = "BindsTo", .signature = "as", .as = bindsto },
                { .name = "Requires", .key = "Requires", .signature = "as", .as = requires },
                /* a BindsTo= of no key (scope/'s of the service, before PartOf=): no entry of the unit's. */
                { .name = "BindsTo", .signature = "as", .as = wants },
        };
        ScopeBus b = { .props = props, .n_props = ELEMENTSOF(props) };
        Scope s = { .unit = (char *) "cell-web.scope", .bus = &b };
        char **names = NULL;

        /* Each once; not Wants='s (its failure fails no start). */
        ASSERT_OK(scope_bus_required_units(&b, &names));
        ASSERT_NOT_NULL(names);
        ASSERT_STREQ(names[0], "c.service");
        ASSERT_STREQ(names[1], "a.service");
        ASSERT_STREQ(names[2], "b.service");
        ASSERT_NULL(names[3]);
        names = strv_free(names);

        ASSERT_ERROR(scope_bus_dependency_failed(&s, (char *[]) { (char *) "b.service", NULL }), ENOLINK);
        ASSERT_STREQ(s.error, "Requires=b.service: starting cell-web.scope failed: job result 'dependency': "
                              "b.service failed (systemctl status says why)");
        /* a.service, in both: Requires='s entry. */
        ASSERT_ERROR(scope_bus_dependency_failed(&s, (char *[]) { (char *) "c.service", (char *) "a.service",
                                                                   NULL }), ENOLINK);
        ASSERT_TRUE(startswith(s.error, "Requires=a.service: starting cell-web.scope failed: job result "
                                        "'dependency': c.service, a.service failed"));
        ASSERT_ERROR(scope_bus_dependency_failed(&s, (char *[]) { (char *) "c.service", NULL }), ENOLINK);
        ASSERT_TRUE(startswith(s.error, "BindsTo=c.service: "));
        /* None failed (a slice's assertion, a unit that is only stopped): as before. */
        ASSERT_ERROR(scope_bus_dependency_failed(&s, NULL), ENOLINK);
        ASSERT_STREQ(s.error, "starting cell-web.scope failed: job result 'dependency'");
        ASSERT_ERROR(scope_bus_dependency_failed(&s, (char *[]) { (char *) "d.service", NULL }), ENOLINK);
        ASSERT_STREQ(s.error, "starting cell-web.scope failed: job result 'dependency': d.service failed");

        /* No Requires= nor BindsTo=: nothing to ask. */
        b.n_props = 1;
        ASSERT_OK(scope_bus_required_units(&b, &names));
        ASSERT_NULL(names);
        free(s.error);
}

/* A refusal that names an entry of the unit's dependencies, not a property:
 * systemd's words for a name it does not take, and for a unit the start
 * pulls in that it cannot start. The key and entry are named, for
 * plan_message_origin() to name the entry's line. */
TEST(refused_dependency) {
        char *after[] = { (char *) "a.service", (char *) "foo@.service", (char *) "x.service", NULL };
        char *requires[] = { (char *) "x.service", (char *) "dev-sda1.device", NULL };
        char *partof[] = { (char *) "foo@.service", NULL };
        PlanProperty props[] = {
                { .name = "Delegate", .signature = "b", .b = true },
                { .name = "After", .key = "After", .signature = "as", .as = after },
                { .name = "Requires", .key = "Requires", .signature = "as", .as = requires },
                { .name = "PartOf", .key = "PartOf", .signature = "as", .as = partof },
        };
        ScopeBus b = { .props = props, .n_props = ELEMENTSOF(props) };
        Scope s = { .unit = (char *) "cell-web.scope", .bus = &b };
        sd_bus_error e = SD_BUS_ERROR_NULL;

        /* Refused while the properties are read: the first key sent that has it. */
        sd_bus_error_set(&e, SD_BUS_ERROR_INVALID_ARGS, "Invalid unit name foo@.service");
        ASSERT_ERROR(scope_bus_refused(&s, &e), EINVAL);
        ASSERT_STREQ(s.error, "After=foo@.service: systemd refused After: Invalid unit name foo@.service "
                              "(org.freedesktop.DBus.Error.InvalidArgs)");
        sd_bus_error_free(&e);
        /* Pulled in and not found: the key that pulls it in, not After='s. */
        sd_bus_error_set(&e, "org.freedesktop.systemd1.NoSuchUnit", "Unit x.service not found.");
        ASSERT_TRUE(scope_bus_refused(&s, &e) < 0);
        ASSERT_STREQ(s.error, "Requires=x.service: systemd refused Requires: Unit x.service not found. "
                              "(org.freedesktop.systemd1.NoSuchUnit)");
        sd_bus_error_free(&e);
        sd_bus_error_set(&e, SD_BUS_ERROR_INVALID_ARGS, "Unit dev-sda1.device failed to load properly, please "
                         "adjust/correct and reload service manager: Invalid argument");
        ASSERT_ERROR(scope_bus_refused(&s, &e), EINVAL);
        ASSERT_TRUE(startswith(s.error, "Requires=dev-sda1.device: systemd refused Requires: Unit dev-sda1.device "));
        sd_bus_error_free(&e);
        /* A unit only After= has: After=. */
        sd_bus_error_set(&e, "org.freedesktop.systemd1.UnitMasked", "Unit a.service is masked.");
        ASSERT_TRUE(scope_bus_refused(&s, &e) < 0);
        ASSERT_TRUE(startswith(s.error, "After=a.service: systemd refused After: "));
        sd_bus_error_free(&e);
        /* A name that only holds an entry's ("ax.service", "x.service.d"), or
         * none of the unit's: systemd's words as they are. */
        sd_bus_error_set(&e, "org.freedesktop.systemd1.NoSuchUnit", "Unit ax.service not found.");
        ASSERT_TRUE(scope_bus_refused(&s, &e) < 0);
        ASSERT_STREQ(s.error, "StartTransientUnit(cell-web.scope) failed: Unit ax.service not found. "
                              "(org.freedesktop.systemd1.NoSuchUnit)");
        sd_bus_error_free(&e);
        sd_bus_error_set(&e, SD_BUS_ERROR_INVALID_ARGS, "Bad drop-in x.service.d/y.conf");
        ASSERT_ERROR(scope_bus_refused(&s, &e), EINVAL);
        ASSERT_TRUE(startswith(s.error, "StartTransientUnit(cell-web.scope) failed: "));
        sd_bus_error_free(&e);
        free(s.error);
}
