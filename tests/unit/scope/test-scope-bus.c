/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Marshalling the plan's properties for StartTransientUnit, by signature.
 * sd_bus_message_new_method_call() refuses a bus fresh from sd_bus_new()
 * (-ENOTCONN), so the bus gets one end of a socketpair and is started; it
 * never sends anything. The message is sealed and read back. */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-bus.h>

#include "config-parse.h"
#include "scope-bus-internal.h"
#include "scope-internal.h"
#include "strv.h"
#include "test.h"

static int pair[2] = { -1, -1 };

static sd_bus *test_bus(void) {
        sd_bus *bus = NULL;
        ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, pair));
        ASSERT_OK(sd_bus_new(&bus));
        ASSERT_OK(sd_bus_set_fd(bus, pair[0], pair[0]));
        ASSERT_OK(sd_bus_start(bus));
        return bus;
}

static void test_bus_done(sd_bus *bus) {
        /* No flush: that would wait for the authentication nobody answers. */
        sd_bus_close_unref(bus);
        pair[1] = safe_close(pair[1]);
}

/* Marshals the properties into a(sv), seals, rewinds, returns the message positioned inside a(sv). */
static sd_bus_message *marshal(sd_bus *bus, const PlanProperty *p, size_t n) {
        sd_bus_message *m = NULL;
        ASSERT_OK(sd_bus_message_new_method_call(bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                                 "org.freedesktop.systemd1.Manager", "StartTransientUnit"));
        ASSERT_OK(sd_bus_message_open_container(m, 'a', "(sv)"));
        for (size_t i = 0; i < n; i++)
                ASSERT_OK(scope_bus_append_property(m, p + i));
        ASSERT_OK(sd_bus_message_close_container(m));
        ASSERT_OK(sd_bus_message_seal(m, 1, 0));
        ASSERT_OK(sd_bus_message_rewind(m, true));
        ASSERT_EQ(sd_bus_message_enter_container(m, 'a', "(sv)"), 1);
        return m;
}

static void enter(sd_bus_message *m, const char *name, const char *sig) {
        const char *n;
        ASSERT_EQ(sd_bus_message_enter_container(m, 'r', "sv"), 1);
        ASSERT_EQ(sd_bus_message_read(m, "s", &n), 1);
        ASSERT_STREQ(n, name);
        ASSERT_EQ(sd_bus_message_enter_container(m, 'v', sig), 1);
}

static void leave(sd_bus_message *m) {
        ASSERT_OK(sd_bus_message_exit_container(m));    /* v */
        ASSERT_OK(sd_bus_message_exit_container(m));    /* r */
}

TEST(marshal_every_signature) {
        sd_bus *bus = test_bus();
        char *as[] = { (char *) "a.service", (char *) "b.service", NULL };
        char *pairs[] = { (char *) "/dev/null", (char *) "rwm", (char *) "char-pts", (char *) "rw", NULL };
        uint8_t cpus[] = { 0x05, 0x80 };
        PlanProperty p[] = {
                { .name = "MemoryMax", .signature = "t", .t = UINT64_C(536870912) },
                { .name = "MemoryMaxScale", .signature = "u", .u = UINT32_C(2147483648) },
                { .name = "KillSignal", .signature = "i", .i = -3 },
                { .name = "Delegate", .signature = "b", .b = true },
                { .name = "Slice", .signature = "s", .s = (char *) "machine.slice" },
                { .name = "After", .signature = "as", .as = as },
                { .name = "AllowedCPUs", .signature = "ay", .ay = cpus, .ay_size = sizeof cpus },
                { .name = "DeviceAllow", .signature = "a(ss)", .as = pairs },
        };
        sd_bus_message *m = marshal(bus, p, ELEMENTSOF(p));
        uint64_t t;
        uint32_t u;
        int32_t i;
        int b;
        const char *s, *x, *y;
        const void *bytes;
        size_t size;
        char **l = NULL;

        enter(m, "MemoryMax", "t");
        ASSERT_EQ(sd_bus_message_read(m, "t", &t), 1);
        ASSERT_EQ_U64(t, 536870912);
        leave(m);

        enter(m, "MemoryMaxScale", "u");
        ASSERT_EQ(sd_bus_message_read(m, "u", &u), 1);
        ASSERT_EQ_U64(u, UINT32_C(2147483648));
        leave(m);

        enter(m, "KillSignal", "i");
        ASSERT_EQ(sd_bus_message_read(m, "i", &i), 1);
        ASSERT_EQ(i, -3);
        leave(m);

        enter(m, "Delegate", "b");
        ASSERT_EQ(sd_bus_message_read(m, "b", &b), 1);
        ASSERT_TRUE(b);
        leave(m);

        enter(m, "Slice", "s");
        ASSERT_EQ(sd_bus_message_read(m, "s", &s), 1);
        ASSERT_STREQ(s, "machine.slice");
        leave(m);

        enter(m, "After", "as");
        ASSERT_OK(sd_bus_message_read_strv(m, &l));
        ASSERT_EQ(strv_length(l), 2);
        ASSERT_STREQ(l[0], "a.service");
        ASSERT_STREQ(l[1], "b.service");
        l = strv_free(l);
        leave(m);

        enter(m, "AllowedCPUs", "ay");
        ASSERT_OK(sd_bus_message_read_array(m, 'y', &bytes, &size));
        ASSERT_EQ(size, 2);
        ASSERT_EQ(((const uint8_t *) bytes)[0], 0x05);
        ASSERT_EQ(((const uint8_t *) bytes)[1], 0x80);
        leave(m);

        enter(m, "DeviceAllow", "a(ss)");
        ASSERT_EQ(sd_bus_message_enter_container(m, 'a', "(ss)"), 1);
        ASSERT_EQ(sd_bus_message_read(m, "(ss)", &x, &y), 1);
        ASSERT_STREQ(x, "/dev/null");
        ASSERT_STREQ(y, "rwm");
        ASSERT_EQ(sd_bus_message_read(m, "(ss)", &x, &y), 1);
        ASSERT_STREQ(x, "char-pts");
        ASSERT_STREQ(y, "rw");
        ASSERT_EQ(sd_bus_message_read(m, "(ss)", &x, &y), 0);  /* exactly two pairs */
        ASSERT_OK(sd_bus_message_exit_container(m));
        leave(m);

        ASSERT_EQ(sd_bus_message_at_end(m, false), 1);
        sd_bus_message_unref(m);
        test_bus_done(bus);
}

TEST(marshal_empty_values) {
        sd_bus *bus = test_bus();
        PlanProperty p[] = {
                { .name = "Wants", .signature = "as", .as = NULL },
                { .name = "AllowedCPUs", .signature = "ay", .ay = NULL, .ay_size = 0 },
        };
        sd_bus_message *m = marshal(bus, p, ELEMENTSOF(p));
        char **l = NULL;
        const void *bytes;
        size_t size = 99;

        enter(m, "Wants", "as");
        ASSERT_OK(sd_bus_message_read_strv(m, &l));
        ASSERT_EQ(strv_length(l), 0);
        strv_free(l);
        leave(m);
        enter(m, "AllowedCPUs", "ay");
        ASSERT_OK(sd_bus_message_read_array(m, 'y', &bytes, &size));
        ASSERT_EQ(size, 0);
        leave(m);
        sd_bus_message_unref(m);
        test_bus_done(bus);
}

TEST(marshal_refuses_bad_input) {
        sd_bus *bus = test_bus();
        sd_bus_message *m = NULL;
        char *odd[] = { (char *) "/dev/null", NULL };
        PlanProperty unknown = { .name = "X", .signature = "a{sv}" };
        PlanProperty unpaired = { .name = "DeviceAllow", .signature = "a(ss)", .as = odd };
        PlanProperty nosig = { .name = "X" };

        ASSERT_OK(sd_bus_message_new_method_call(bus, &m, "a.b", "/", "a.b", "C"));
        ASSERT_OK(sd_bus_message_open_container(m, 'a', "(sv)"));
        ASSERT_ERROR(scope_bus_append_property(m, &unknown), EINVAL);
        sd_bus_message_unref(m);

        ASSERT_OK(sd_bus_message_new_method_call(bus, &m, "a.b", "/", "a.b", "C"));
        ASSERT_OK(sd_bus_message_open_container(m, 'a', "(sv)"));
        ASSERT_ERROR(scope_bus_append_property(m, &unpaired), EINVAL);
        sd_bus_message_unref(m);

        ASSERT_OK(sd_bus_message_new_method_call(bus, &m, "a.b", "/", "a.b", "C"));
        ASSERT_OK(sd_bus_message_open_container(m, 'a', "(sv)"));
        ASSERT_ERROR(scope_bus_append_property(m, &nosig), EINVAL);
        sd_bus_message_unref(m);
        test_bus_done(bus);
}

static void expect_string(sd_bus_message *m, const char *name, const char *want) {
        const char *v;
        enter(m, name, "s");
        ASSERT_EQ(sd_bus_message_read(m, "s", &v), 1);
        ASSERT_STREQ(v, want);
        leave(m);
}

/* An "as" of exactly one entry. */
static void expect_one_string(sd_bus_message *m, const char *name, const char *want) {
        char **v = NULL;
        enter(m, name, "as");
        ASSERT_OK(sd_bus_message_read_strv(m, &v));
        ASSERT_EQ(strv_length(v), 1);
        ASSERT_STREQ(v[0], want);
        strv_free(v);
        leave(m);
}

/* The whole a(sv) of StartTransientUnit: the plan's properties (the device
 * policy left out when cell attaches its own), then what cell adds only where
 * the plan has none, then PIDs, PartOf= and Before= the service. */
TEST(start_properties) {
        sd_bus *bus = test_bus();
        sd_bus_message *m = NULL;
        char *allow[] = { (char *) "/dev/null", (char *) "rwm", NULL };
        PlanProperty p[] = {
                { .name = "Slice", .signature = "s", .s = (char *) "plan.slice" },
                { .name = "DevicePolicy", .signature = "s", .s = (char *) "closed" },
                { .name = "DeviceAllow", .signature = "a(ss)", .as = allow },
                { .name = "TimeoutStopUSec", .signature = "t", .t = 5 },
        };
        CgroupIODisk disks[2] = { { .dev = makedev(254, 0) }, { .dev = makedev(8, 16) } };
        disks[0].set[CELL_IO_READ_BPS] = disks[1].set[CELL_IO_READ_BPS] = disks[1].set[CELL_IO_LATENCY] = true;
        disks[0].value[CELL_IO_READ_BPS] = 5000000;
        disks[1].value[CELL_IO_READ_BPS] = UINT64_MAX;
        disks[1].value[CELL_IO_LATENCY] = 25000;
        ScopeStartProps sp = {
                .props = p, .n_props = ELEMENTSOF(p), .skip_device_policy = true,
                .slice = "machine.slice", .description = "cell web",
                .kill_signal = SIGUSR2, .timeout_stop_usec = 7,
                .pid = 4242, .service = "cell@web.service", .source_path = "/srv/units/web.cell",
                .io_disks = disks, .n_io_disks = ELEMENTSOF(disks),
        };
        const char *path;
        const PlanProperty *bad = NULL;
        int32_t sig;
        uint64_t t;
        const void *pids;
        size_t size;

        ASSERT_OK(sd_bus_message_new_method_call(bus, &m, "a.b", "/", "a.b", "C"));
        ASSERT_OK(scope_bus_append_start_properties(m, &sp, &bad));
        ASSERT_NULL(bad);
        ASSERT_OK(sd_bus_message_seal(m, 1, 0));
        ASSERT_OK(sd_bus_message_rewind(m, true));
        ASSERT_EQ(sd_bus_message_enter_container(m, 'a', "(sv)"), 1);
        /* The plan's Slice=, not cell's default; no device policy; its TimeoutStopUSec= only. */
        expect_string(m, "Slice", "plan.slice");
        enter(m, "TimeoutStopUSec", "t");
        ASSERT_EQ(sd_bus_message_read(m, "t", &t), 1);
        ASSERT_EQ(t, 5);
        leave(m);
        /* The IO limits per disk found, each as /dev/block/MAJ:MIN, one a(st) per key. */
        enter(m, "IOReadBandwidthMax", "a(st)");
        ASSERT_EQ(sd_bus_message_enter_container(m, 'a', "(st)"), 1);
        ASSERT_EQ(sd_bus_message_read(m, "(st)", &path, &t), 1);
        ASSERT_STREQ(path, "/dev/block/254:0");
        ASSERT_EQ_U64(t, 5000000);
        ASSERT_EQ(sd_bus_message_read(m, "(st)", &path, &t), 1);
        ASSERT_STREQ(path, "/dev/block/8:16");
        ASSERT_EQ_U64(t, UINT64_MAX);
        ASSERT_EQ(sd_bus_message_read(m, "(st)", &path, &t), 0);
        ASSERT_OK(sd_bus_message_exit_container(m));
        leave(m);
        enter(m, "IODeviceLatencyTargetUSec", "a(st)");
        ASSERT_EQ(sd_bus_message_enter_container(m, 'a', "(st)"), 1);
        ASSERT_EQ(sd_bus_message_read(m, "(st)", &path, &t), 1);
        ASSERT_STREQ(path, "/dev/block/8:16");
        ASSERT_EQ_U64(t, 25000);
        ASSERT_EQ(sd_bus_message_read(m, "(st)", &path, &t), 0);
        ASSERT_OK(sd_bus_message_exit_container(m));
        leave(m);
        expect_string(m, "Description", "cell web");
        /* The file it runs from: "cell exec web" reads it back (not the search path's web.cell). */
        expect_string(m, "SourcePath", "/srv/units/web.cell");
        enter(m, "KillSignal", "i");
        ASSERT_EQ(sd_bus_message_read(m, "i", &sig), 1);
        ASSERT_EQ(sig, SIGUSR2);
        leave(m);
        enter(m, "PIDs", "au");
        ASSERT_OK(sd_bus_message_read_array(m, 'u', &pids, &size));
        ASSERT_EQ(size, sizeof(uint32_t));
        ASSERT_EQ(*(const uint32_t *) pids, 4242);
        leave(m);
        expect_one_string(m, "PartOf", "cell@web.service");
        expect_one_string(m, "Before", "cell@web.service");
        ASSERT_EQ(sd_bus_message_enter_container(m, 'r', "sv"), 0);   /* nothing more */
        sd_bus_message_unref(m);

        /* A property that cannot be marshalled is named. */
        PlanProperty broken[] = { { .name = "Broken", .signature = "a{sv}" } };
        sp = (ScopeStartProps) { .props = broken, .n_props = 1, .pid = 1 };
        ASSERT_OK(sd_bus_message_new_method_call(bus, &m, "a.b", "/", "a.b", "C"));
        ASSERT_ERROR(scope_bus_append_start_properties(m, &sp, &bad), EINVAL);
        ASSERT_TRUE(bad == broken);
        sd_bus_message_unref(m);
        test_bus_done(bus);
}

/* Skips the (sv) entries up to name, then reads its "t". */
static uint64_t read_t(sd_bus_message *m, const char *name) {
        const char *n;
        uint64_t t;

        for (;;) {
                ASSERT_EQ(sd_bus_message_enter_container(m, 'r', "sv"), 1);
                ASSERT_EQ(sd_bus_message_read(m, "s", &n), 1);
                if (streq(n, name))
                        break;
                ASSERT_OK(sd_bus_message_skip(m, "v"));
                ASSERT_OK(sd_bus_message_exit_container(m));
        }
        ASSERT_EQ(sd_bus_message_enter_container(m, 'v', "t"), 1);
        ASSERT_EQ(sd_bus_message_read(m, "t", &t), 1);
        leave(m);
        return t;
}

/* The "ay" that follows, as "bytes: 01 02". */
static void expect_ay(sd_bus_message *m, const char *name, const char *want) {
        const void *bytes;
        size_t size;
        char got[64] = "bytes:";

        enter(m, name, "ay");
        ASSERT_OK(sd_bus_message_read_array(m, 'y', &bytes, &size));
        for (size_t i = 0; i < size && strlen(got) + 4 < sizeof got; i++)
                snprintf(got + strlen(got), sizeof got - strlen(got), " %02x", ((const uint8_t *) bytes)[i]);
        ASSERT_STREQ(got, want);
        leave(m);
}

/* systemd 252's AllowedMemoryNodes= and Startup*= keys, from the unit's
 * text to StartTransientUnit: each property with systemd's name and type
 * (StartupCPUWeight=idle is 0, as CPUWeight=idle), the bitmaps as "ay". */
TEST(start_properties_startup_and_memory_nodes) {
        static const char *const keys[][2] = {
                { "AllowedCPUs", "0-1" },
                { "StartupAllowedCPUs", "0" },
                { "AllowedMemoryNodes", "0 9" },
                { "StartupAllowedMemoryNodes", "1" },
                { "CPUWeight", "100" },
                { "StartupCPUWeight", "idle" },
                { "StartupIOWeight", "900" },
        };
        sd_bus *bus = test_bus();
        sd_bus_message *m = NULL;
        Diagnostics diag = {};
        CellConfig c;
        Plan p;

        cell_config_init(&c);
        c.name = strdup("boot");
        c.path = strdup("boot.cell");
        c.directory = strdup("/var/lib/cell/boot");
        ASSERT_NOT_NULL(c.name);
        ASSERT_NOT_NULL(c.path);
        ASSERT_NOT_NULL(c.directory);
        ASSERT_OK(strv_extend(&c.exec, "/bin/true"));
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                ASSERT_OK(config_assign(&c, "Limits", keys[i][0], keys[i][1], "boot.cell", 3, &diag));
        ASSERT_EQ(diag.n_errors, 0);
        ASSERT_OK(plan_build(&c, &(PlanOptions) {}, &p, &diag));
        ScopeStartProps sp = { .props = p.properties, .n_props = p.n_properties, .pid = 1 };

        ASSERT_OK(sd_bus_message_new_method_call(bus, &m, "a.b", "/", "a.b", "C"));
        ASSERT_OK(scope_bus_append_start_properties(m, &sp, NULL));
        ASSERT_OK(sd_bus_message_seal(m, 1, 0));
        ASSERT_OK(sd_bus_message_rewind(m, true));
        ASSERT_EQ(sd_bus_message_enter_container(m, 'a', "(sv)"), 1);
        ASSERT_EQ_U64(read_t(m, "CPUWeight"), 100);
        ASSERT_EQ_U64(read_t(m, "StartupCPUWeight"), 0);
        ASSERT_EQ_U64(read_t(m, "StartupIOWeight"), 900);
        expect_ay(m, "AllowedCPUs", "bytes: 03");
        expect_ay(m, "StartupAllowedCPUs", "bytes: 01");
        expect_ay(m, "AllowedMemoryNodes", "bytes: 01 02");
        expect_ay(m, "StartupAllowedMemoryNodes", "bytes: 02");
        sd_bus_message_unref(m);
        plan_done(&p);
        cell_config_done(&c);
        diag_done(&diag);
        test_bus_done(bus);
}

/* Every property StartTransientUnit gets -- the plan's with every key that
 * makes one, and what the scope adds -- says which unit key it comes from,
 * or that it is cell's own (plan-scope.c's plan_property_keys[]): a refusal
 * of any of them can be named (scope-bus-refused.c). */
TEST(every_property_has_its_key) {
        static const char *const keys[][3] = {
                { "Unit", "Description", "web server" },
                { "Unit", "After", "a.service" },
                { "Unit", "Before", "b.service" },
                { "Unit", "Wants", "c.service" },
                { "Unit", "Requires", "d.service" },
                { "Unit", "BindsTo", "e.service" },
                { "Unit", "PartOf", "f.service" },
                { "Unit", "Conflicts", "g.service" },
                { "Limits", "Slice", "web.slice" },
                { "Limits", "MemoryMax", "1G" },
                { "Limits", "MemoryHigh", "50%" },
                { "Limits", "MemorySwapMax", "0" },
                { "Limits", "MemoryMin", "10%" },
                { "Limits", "MemoryLow", "infinity" },
                { "Limits", "CPUQuota", "12.5%" },
                { "Limits", "CPUQuotaPeriodSec", "10ms" },
                { "Limits", "CPUWeight", "idle" },
                { "Limits", "StartupCPUWeight", "50" },
                { "Limits", "IOWeight", "200" },
                { "Limits", "StartupIOWeight", "300" },
                { "Limits", "AllowedCPUs", "0-2 5" },
                { "Limits", "StartupAllowedCPUs", "1" },
                { "Limits", "AllowedMemoryNodes", "0" },
                { "Limits", "StartupAllowedMemoryNodes", "0" },
                { "Limits", "TasksMax", "25%" },
                { "Limits", "DeviceAllow", "/dev/fuse rw" },
        };
        /* As the unit writes them: what a refusal says. */
        static const char *const values[][2] = {
                { "Description", "web server" }, { "Slice", "web.slice" }, { "After", "a.service" },
                { "MemoryMax", "1G" }, { "MemoryHighScale", "50%" }, { "MemorySwapMax", "0" },
                { "MemoryMinScale", "10%" }, { "MemoryLow", "infinity" }, { "CPUQuotaPerSecUSec", "12.5%" },
                { "CPUQuotaPeriodUSec", "10ms" }, { "CPUWeight", "idle" }, { "StartupCPUWeight", "50" },
                { "AllowedCPUs", "0-2,5" }, { "StartupAllowedCPUs", "1" }, { "TasksMaxScale", "25%" },
                { "Delegate", "" }, { "DeviceAllow", "" },
        };
        sd_bus *bus = test_bus();
        sd_bus_message *m = NULL;
        Diagnostics diag = {};
        CellConfig c;
        Plan p;
        CgroupIODisk disks[1] = { { .dev = makedev(8, 0) } };
        const char *name, *key;
        char value[64];
        size_t n = 0;

        cell_config_init(&c);
        c.name = strdup("web");
        c.path = strdup("web.cell");
        c.directory = strdup("/var/lib/cell/web");
        ASSERT_NOT_NULL(c.name);
        ASSERT_NOT_NULL(c.path);
        ASSERT_NOT_NULL(c.directory);
        ASSERT_OK(strv_extend(&c.exec, "/bin/true"));
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                ASSERT_OK(config_assign(&c, keys[i][0], keys[i][1], keys[i][2], "web.cell", 3, &diag));
        ASSERT_EQ(diag.n_errors, 0);
        ASSERT_OK(plan_build(&c, &(PlanOptions) {}, &p, &diag));
        for (CellIOKind t = 0; t < _CELL_IO_KIND_MAX; t++)
                disks[0].set[t] = true;
        ScopeStartProps sp = {
                .props = p.properties, .n_props = p.n_properties,
                .slice = "machine.slice", .description = "cell web",
                .kill_signal = SIGUSR2, .timeout_stop_usec = 7,
                .pid = 4242, .service = "cell@web.service",
                .io_disks = disks, .n_io_disks = ELEMENTSOF(disks),
        };

        for (size_t i = 0; i < ELEMENTSOF(values); i++) {
                const PlanProperty *q = NULL;
                for (size_t j = 0; j < p.n_properties; j++)
                        if (streq(p.properties[j].name, values[i][0]))
                                q = p.properties + j;
                ASSERT_NOT_NULL(q);
                ASSERT_STREQ(plan_property_value(q, value, sizeof value), values[i][1]);
        }

        ASSERT_OK(sd_bus_message_new_method_call(bus, &m, "a.b", "/", "a.b", "C"));
        ASSERT_OK(scope_bus_append_start_properties(m, &sp, NULL));
        ASSERT_OK(sd_bus_message_seal(m, 1, 0));
        ASSERT_OK(sd_bus_message_rewind(m, true));
        ASSERT_EQ(sd_bus_message_enter_container(m, 'a', "(sv)"), 1);
        while (sd_bus_message_enter_container(m, 'r', "sv") > 0) {
                ASSERT_EQ(sd_bus_message_read(m, "s", &name), 1);
                if (plan_property_key(name, &key) < 0)
                        fprintf(stderr, "%s: sent without its key in plan_property_keys[]\n", name);
                ASSERT_OK(plan_property_key(name, &key));
                ASSERT_OK(sd_bus_message_skip(m, "v"));
                ASSERT_OK(sd_bus_message_exit_container(m));
                n++;
        }
        /* The plan's: one of each of the 26 keys, 4 of cell's own; the scope's: 6
         * of IO, KillSignal, TimeoutStopUSec, PIDs and the service's PartOf and Before. */
        ASSERT_EQ(n, 41U);
        ASSERT_ERROR(plan_property_key("PIDFDs", &key), ENOENT);
        ASSERT_OK(plan_property_key("CPUQuotaPerSecUSec", &key));
        ASSERT_STREQ(key, "CPUQuota");
        ASSERT_OK(plan_property_key("PIDs", &key));
        ASSERT_NULL(key);
        sd_bus_message_unref(m);
        plan_done(&p);
        cell_config_done(&c);
        diag_done(&diag);
        test_bus_done(bus);
}

TEST(manager_names) {
        ASSERT_STREQ(cgroup_manager_to_string(CGROUP_MANAGER_AUTO), "auto");
        ASSERT_STREQ(cgroup_manager_to_string(CGROUP_MANAGER_CGROUPFS), "cgroupfs");
        ASSERT_NULL(cgroup_manager_to_string(_CGROUP_MANAGER_MAX));
        for (CgroupManager m = 0; m < _CGROUP_MANAGER_MAX; m++)
                ASSERT_EQ(cgroup_manager_from_string(cgroup_manager_to_string(m)), m);
        ASSERT_EQ(cgroup_manager_from_string("systemd"), CGROUP_MANAGER_SYSTEMD);
        ASSERT_EQ(cgroup_manager_from_string("cgroup"), _CGROUP_MANAGER_MAX);
        ASSERT_EQ(cgroup_manager_from_string(NULL), _CGROUP_MANAGER_MAX);
}

TEST(manager_none_does_nothing) {
        Plan p = { .name = (char *) "web", .scope_unit = (char *) "cell-web.scope" };
        char run[] = "/tmp/test-scope-bus.XXXXXX", lock[64], cmd[64];
        Scope *s = NULL, *again = NULL;
        struct stat st;

        /* Nothing but the name's lock, in a runtime directory of the test's own. */
        ASSERT_NOT_NULL(mkdtemp(run));
        ASSERT_OK(setenv("CELL_RUNTIME_DIR", run, 1));
        (void) snprintf(lock, sizeof lock, "%s/lock/web.lock", run);
        ASSERT_OK(scope_new(&p, CGROUP_MANAGER_NONE, false, NULL, &s));
        ASSERT_EQ(scope_manager(s), CGROUP_MANAGER_NONE);
        ASSERT_ERROR(scope_clone_into_fd(s), EBADF);
        ASSERT_OK(scope_attach(s, getpid(), false));
        ASSERT_OK(scope_wait(s));
        ASSERT_FALSE(scope_oom_killed(s));
        ASSERT_NULL(scope_last_error(s));
        ASSERT_TRUE(scope_name_lock_fd(s) >= 0);
        ASSERT_OK(stat(lock, &st));
        /* A second none run of the name: refused, as a cgroupfs one is. */
        ASSERT_ERROR(scope_new(&p, CGROUP_MANAGER_NONE, false, NULL, &again), EEXIST);
        ASSERT_NULL(again);
        ASSERT_TRUE(strstr(strempty(scope_last_error(NULL)), "cell web is already running (PID ") != NULL);
        ASSERT_NULL(scope_free(s));
        /* Let go, its file removed: the name is free again. */
        ASSERT_TRUE(stat(lock, &st) < 0 && errno == ENOENT);
        ASSERT_OK(scope_new(&p, CGROUP_MANAGER_NONE, false, NULL, &again));
        ASSERT_NULL(scope_free(again));
        (void) snprintf(cmd, sizeof cmd, "rm -rf '%s'", run);
        ASSERT_EQ(system(cmd), 0);
        unsetenv("CELL_RUNTIME_DIR");
}

TEST(systemd_without_bus_fails_clearly) {
        Plan p = { .name = (char *) "web", .scope_unit = (char *) "cell-web.scope" };
        Event *e = NULL;
        Scope *s = NULL;
        const char *old = getenv("DBUS_SYSTEM_BUS_ADDRESS");
        char *saved = old ? strdup(old) : NULL;

        /* A bus that is not there: the connect fails at once, with text naming the bus. */
        ASSERT_OK(setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/cell-test-bus", 1));
        ASSERT_OK(event_new(&e));
        ASSERT_TRUE(scope_new(&p, CGROUP_MANAGER_SYSTEMD, false, e, &s) < 0);
        ASSERT_NULL(s);
        ASSERT_STREQ(scope_last_error(NULL), "cannot connect to the system bus at unix:path=/nonexistent/cell-test-bus: "
                     "No such file or directory");
        event_unref(e);
        if (saved)
                setenv("DBUS_SYSTEM_BUS_ADDRESS", saved, 1);
        else
                unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
        free(saved);
}

TEST(detect_manager_without_systemd) {
        /* Where systemd is not PID 1 (this build box), AUTO never picks it. */
        if (sd_booted() > 0) {
                test_skip("booted with systemd");
                return;
        }
        CgroupManager m = scope_detect_manager(false);
        ASSERT_TRUE(m == CGROUP_MANAGER_CGROUPFS || m == CGROUP_MANAGER_NONE);
        ASSERT_EQ(m, scope_cgroupfs_usable() > 0 ? CGROUP_MANAGER_CGROUPFS : CGROUP_MANAGER_NONE);
}

/* A key systemd sets on cgroup2 only, with the scope's controller on a v1
 * hierarchy (the hybrid layout): systemd has the controller (MemoryMax= works
 * there), so the refusal says that the key is cgroup2's, not that the
 * controller is missing. */
TEST(limits_unmet_on_v1) {
        Plan p = { .name = (char *) "web", .scope_unit = (char *) "cell-web.scope" };
        char *mem[] = { (char *) "memory", NULL }, *blkio[] = { (char *) "blkio", NULL }, *none[] = { NULL };
        CgroupMembership m[] = {
                { .id = 4, .controllers = mem, .path = (char *) "/machine.slice/cell-web.scope" },
                { .id = 0, .controllers = none, .path = (char *) "/machine.slice/cell-web.scope" },
        };
        CgroupNeed high = { .controller = "memory", .v1 = "memory", .key = "MemoryHigh", .v2_only = true };
        CgroupNeed iops = { .controller = "io", .v1 = "blkio", .key = "IOReadIOPSMax", .v2_only = true };
        Event *e = NULL;
        Scope *s = NULL;

        ASSERT_OK(event_new(&e));
        ASSERT_OK(scope_new(&p, CGROUP_MANAGER_NONE, false, e, &s));
        ASSERT_ERROR(scope_limits_unmet_error(s, &high, m, ELEMENTSOF(m)), EOPNOTSUPP);
        ASSERT_STREQ(scope_last_error(s), "MemoryHigh=: systemd sets this key on cgroup2 only, and cell-web.scope has "
                     "its memory controller on cgroup v1 here (the \"memory\" hierarchy), so the limit would not be "
                     "enforced");
        /* ... no blkio hierarchy holds the scope: the controller is missing. */
        ASSERT_ERROR(scope_limits_unmet_error(s, &iops, m, ELEMENTSOF(m)), EOPNOTSUPP);
        ASSERT_CONTAINS(scope_last_error(s), "IOReadIOPSMax=: systemd has no io controller for cell-web.scope");
        m[0].controllers = blkio;
        ASSERT_ERROR(scope_limits_unmet_error(s, &iops, m, ELEMENTSOF(m)), EOPNOTSUPP);
        ASSERT_CONTAINS(scope_last_error(s), "IOReadIOPSMax=: systemd sets this key on cgroup2 only");
        /* ... in another cgroup of that hierarchy: not the scope's. */
        m[0].path = (char *) "/machine.slice";
        ASSERT_ERROR(scope_limits_unmet_error(s, &iops, m, ELEMENTSOF(m)), EOPNOTSUPP);
        ASSERT_CONTAINS(scope_last_error(s), "systemd has no io controller for cell-web.scope");
        scope_free(s);
        event_unref(e);
}
