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
