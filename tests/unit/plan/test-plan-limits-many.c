/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan_build() of a unit of thousands of [Limits] lines: the same entries,
 * in the same order, named by the same lines as a unit of a few gets. How
 * long it takes is tests/bench's to measure, never a pass or fail here. */

#include <stdio.h>

#include "plan-internal.h"
#include "plan-test.h"

#define MANY 3000

/* IOReadBandwidthMax= of /dev/dI (a third of them again, later, with
 * another value), IOWriteBandwidthMax= of the same devices, emptied and
 * given ten others. */
TEST(io_devices_many_lines) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, k = 0;
        unsigned line = 5, read_line[MANY];
        FILE *f = open_memstream(&buf, &size);
        CellConfig c;
        Plan p = {};

        ASSERT_NOT_NULL(f);
        fputs("[Root]\nDirectory=/var/lib/cell/test\n[Exec]\nExec=/bin/true\n[Limits]\n", f);
        for (unsigned i = 0; i < MANY; i++) {
                fprintf(f, "IOReadBandwidthMax=/dev/d%u %u\n", i, i + 1), read_line[i] = ++line;
                fprintf(f, "IOWriteBandwidthMax=/dev/d%u 1M\n", i), ++line;
        }
        for (unsigned i = 0; i < MANY; i += 3)
                fprintf(f, "IOReadBandwidthMax=/dev/d%u %u\n", i, 7 * i + 1), read_line[i] = ++line;
        fputs("IOWriteBandwidthMax=\n", f), ++line;
        for (unsigned i = 0; i < 10; i++)
                fprintf(f, "IOWriteBandwidthMax=/dev/e%u 2M\n", i);
        ASSERT_EQ(fclose(f), 0);

        config_from_text(&c, "many", buf);
        ASSERT_EQ(c.n_io_devices, (size_t) MANY + 10);
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.limits.n_io_devices, (size_t) MANY + 10);
        for (unsigned i = 0; i < MANY; i++, k++) {
                const CellIODevice *d = p.limits.io_devices + k;
                char path[32], want[64], message[64], got[256];

                snprintf(path, sizeof path, "/dev/d%u", i);
                ASSERT_EQ(d->kind, CELL_IO_READ_BPS);
                ASSERT_STREQ(d->path, path);
                ASSERT_EQ_U64(d->value, i % 3 == 0 ? 7 * i + 1 : i + 1);
                ASSERT_EQ(d->line, read_line[i]);
                /* The start's message of it is named by that line. */
                snprintf(want, sizeof want, "many.cell:%u: ", read_line[i]);
                snprintf(message, sizeof message, "IOReadBandwidthMax=%s: refused", path);
                ASSERT_CONTAINS(plan_message_origin(&p, message, got, sizeof got), want);
        }
        for (unsigned i = 0; i < 10; i++, k++) {
                char path[32];

                snprintf(path, sizeof path, "/dev/e%u", i);
                ASSERT_EQ(p.limits.io_devices[k].kind, CELL_IO_WRITE_BPS);
                ASSERT_STREQ(p.limits.io_devices[k].path, path);
                ASSERT_EQ(p.limits.io_devices[k].line, line + 1 + i);
        }
        plan_done(&p);
        cell_config_done(&c);
}

/* The start's messages of thousands of DeviceAllow= and IODeviceWeight=
 * entries are each named by their line: the first of a path written twice,
 * a message of "PATH VALUE" by its path, one of the key as a whole by its
 * first line and how many more. */
TEST(entry_origins_many_lines) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        unsigned line = 5;
        FILE *f = open_memstream(&buf, &size);
        CellConfig c;
        Plan p = {};
        char message[64], got[256], want[64];

        ASSERT_NOT_NULL(f);
        fputs("[Root]\nDirectory=/var/lib/cell/test\n[Exec]\nExec=/bin/true\n[Limits]\n", f);
        for (unsigned i = 0; i < MANY; i++) {
                fprintf(f, "DeviceAllow=/dev/x%u rw\n", MANY - i);
                fprintf(f, "IODeviceWeight=/dev/x%u 100\n", MANY - i);
        }
        for (unsigned i = 0; i < MANY; i++)
                fprintf(f, "DeviceAllow=/dev/x%u r\n", MANY - i);
        ASSERT_EQ(fclose(f), 0);

        config_from_text(&c, "many", buf);
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.limits.n_device_allow, (size_t) 2 * MANY);
        for (unsigned i = 0; i < MANY; i++) {
                snprintf(message, sizeof message, "DeviceAllow=/dev/x%u: refused", MANY - i);
                snprintf(want, sizeof want, "many.cell:%u: ", line + 1 + 2 * i);
                ASSERT_CONTAINS(plan_message_origin(&p, message, got, sizeof got), want);
                snprintf(message, sizeof message, "IODeviceWeight=/dev/x%u 100: not applied", MANY - i);
                snprintf(want, sizeof want, "many.cell:%u: ", line + 2 + 2 * i);
                ASSERT_CONTAINS(plan_message_origin(&p, message, got, sizeof got), want);
        }
        ASSERT_STREQ(plan_message_origin(&p, "DeviceAllow=/dev/x0: refused", got, sizeof got), "");
        ASSERT_STREQ(plan_message_origin(&p, "IODeviceWeight=/dev/x1x: refused", got, sizeof got), "");
        snprintf(want, sizeof want, "many.cell:%u (and %u more lines): ", line + 2, MANY - 1);
        ASSERT_CONTAINS(plan_message_origin(&p, "IODeviceWeight=: refused", got, sizeof got), want);
        plan_done(&p);
        cell_config_done(&c);
}
