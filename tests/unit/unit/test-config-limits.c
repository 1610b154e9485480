/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/unit/config-limits.c: [Limits]' values (cgroup limits, Limit*=), and
 * as systemd 252's unit files take them (load-fragment.c) where the parsers
 * alone do not say it. */
#include <sys/resource.h>

#include "config-assign-test.h"
#include "strv.h"
#include "test.h"

/* An empty Limit*= is no reset in systemd 252: rlimit_parse() finds no
 * number in it ("Failed to parse resource value, ignoring"), and the
 * earlier value stays. cell took it as a reset, so a drop-in's
 * "LimitNOFILE=" silently dropped the unit's limit, where systemd keeps it. */
TEST(rlimit_empty_is_no_reset) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_NULL(assign(&c, "Limits", "LimitNOFILE", "1024:4096"));
        ASSERT_STREQ(assign(&c, "Limits", "LimitNOFILE", ""),
                     "web.cell:7: LimitNOFILE=: expected SOFT[:HARD], each a number or \"infinity\"; "
                     "an empty value resets nothing, as in systemd");
        ASSERT_TRUE(c.rlimits[RLIMIT_NOFILE].set);
        ASSERT_EQ_U64(c.rlimits[RLIMIT_NOFILE].soft, 1024);
        ASSERT_EQ_U64(c.rlimits[RLIMIT_NOFILE].hard, 4096);
        ASSERT_CONTAINS(assign(&c, "Limits", "LimitCPU", ""), "LimitCPU=: expected SOFT[:HARD], each a time span");
        ASSERT_FALSE(c.rlimits[RLIMIT_CPU].set);
        ASSERT_CONTAINS(assign(&c, "Limits", "LimitNICE", ""), "LimitNICE=: expected SOFT[:HARD], each a nice level");
        /* The later assignment wins, as in systemd. */
        ASSERT_NULL(assign(&c, "Limits", "LimitNOFILE", "infinity"));
        ASSERT_EQ_U64(c.rlimits[RLIMIT_NOFILE].soft, RLIM_INFINITY);
        cell_config_done(&c);
        diag_done(&diag);
}

/* An empty Slice= is no reset either: systemd 252 loads no slice of that
 * name ("Unit name  is not valid") and keeps the earlier one. cell put the
 * container back in machine.slice. */
TEST(slice_empty_is_no_reset) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_NULL(assign(&c, "Limits", "Slice", "web.slice"));
        ASSERT_STREQ(assign(&c, "Limits", "Slice", ""),
                     "web.cell:7: Slice=: expected a slice unit name such as \"machine.slice\"");
        ASSERT_STREQ(c.slice, "web.slice");
        cell_config_done(&c);
        diag_done(&diag);
}

TEST(limits) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Limits", "MemoryMax", "512M");
        ASSERT_EQ(c.memory_max.kind, CELL_LIMIT_VALUE);
        ASSERT_EQ_U64(c.memory_max.value, UINT64_C(512) << 20);
        OK(&c, "Limits", "MemoryHigh", "80%");
        ASSERT_EQ(c.memory_high.kind, CELL_LIMIT_PERCENT);
        ASSERT_EQ(c.memory_high.permyriad, 8000);
        OK(&c, "Limits", "MemorySwapMax", "infinity");
        ASSERT_EQ(c.memory_swap_max.kind, CELL_LIMIT_INFINITY);
        BAD_EXACT(&c, "Limits", "MemoryMax", "12Q",
                  "web.cell:7: MemoryMax=12Q: expected bytes with K/M/G/T/P/E suffix, a percentage or \"infinity\"");
        BAD(&c, "Limits", "MemoryMax", "101%", "MemoryMax=101%: expected bytes");
        ASSERT_EQ_U64(c.memory_max.value, UINT64_C(512) << 20);
        /* Sizes as systemd's parse_size(): descending suffixes, "5.G", "+5M". */
        OK(&c, "Limits", "MemoryMax", "1G 512M");
        ASSERT_EQ_U64(c.memory_max.value, UINT64_C(3) << 29);
        OK(&c, "Limits", "MemoryMax", "5.G");
        ASSERT_EQ_U64(c.memory_max.value, UINT64_C(5) << 30);
        OK(&c, "Limits", "MemoryHigh", "10.M");
        ASSERT_EQ_U64(c.memory_high.value, UINT64_C(10) << 20);
        OK(&c, "Limits", "MemoryMax", "+5M");
        ASSERT_EQ_U64(c.memory_max.value, UINT64_C(5) << 20);
        BAD(&c, "Limits", "MemoryMax", "1 2", "MemoryMax=1 2: expected bytes");
        BAD(&c, "Limits", "MemoryMax", "1K 1M", "MemoryMax=1K 1M: expected bytes");
        BAD(&c, "Limits", "MemoryMax", "-5M", "MemoryMax=-5M: expected bytes");
        ASSERT_EQ_U64(c.memory_max.value, UINT64_C(5) << 20);
        /* No limit of nothing at all, except for swap (systemd: "Memory
         * limit '0' out of range"); nor 2^64-1 bytes, for any of them. */
        BAD_EXACT(&c, "Limits", "MemoryMax", "0",
                  "web.cell:7: MemoryMax=0: expected a limit above 0 "
                  "(only MemorySwapMax=, MemoryMin= and MemoryLow= may be 0)");
        BAD(&c, "Limits", "MemoryMax", "0%", "MemoryMax=0%: expected a limit above 0");
        BAD(&c, "Limits", "MemoryMax", "0.00%", "MemoryMax=0.00%: expected a limit above 0");
        BAD(&c, "Limits", "MemoryMax", "0K", "MemoryMax=0K: expected a limit above 0");
        BAD(&c, "Limits", "MemoryHigh", "0", "MemoryHigh=0: expected a limit above 0");
        BAD(&c, "Limits", "MemoryHigh", "0%", "MemoryHigh=0%: expected a limit above 0");
        ASSERT_EQ_U64(c.memory_max.value, UINT64_C(5) << 20);
        ASSERT_EQ_U64(c.memory_high.value, UINT64_C(10) << 20);
        OK(&c, "Limits", "MemoryMax", "0.01%");
        ASSERT_EQ(c.memory_max.permyriad, 1);
        OK(&c, "Limits", "MemorySwapMax", "0");
        ASSERT_EQ(c.memory_swap_max.kind, CELL_LIMIT_VALUE);
        ASSERT_EQ_U64(c.memory_swap_max.value, 0);
        OK(&c, "Limits", "MemorySwapMax", "0%");
        ASSERT_EQ(c.memory_swap_max.kind, CELL_LIMIT_PERCENT);
        ASSERT_EQ(c.memory_swap_max.permyriad, 0);
        BAD_EXACT(&c, "Limits", "MemorySwapMax", "18446744073709551615",
                  "web.cell:7: MemorySwapMax=18446744073709551615: expected fewer than 2^64-1 bytes, or \"infinity\"");
        BAD(&c, "Limits", "MemoryMax", "18446744073709551615", "expected fewer than 2^64-1 bytes");
        OK(&c, "Limits", "MemoryMax", "18446744073709551614");
        ASSERT_EQ_U64(c.memory_max.value, UINT64_MAX - 1);
        OK(&c, "Limits", "MemoryMax", "");
        ASSERT_EQ(c.memory_max.kind, CELL_LIMIT_UNSET);

        /* The protections take what MemoryMax= does, and 0 (a protection of
         * nothing: systemd's MemoryMin=0); empty resets. */
        OK(&c, "Limits", "MemoryMin", "64M");
        ASSERT_EQ(c.memory_min.kind, CELL_LIMIT_VALUE);
        ASSERT_EQ_U64(c.memory_min.value, UINT64_C(64) << 20);
        OK(&c, "Limits", "MemoryLow", "12.5%");
        ASSERT_EQ(c.memory_low.kind, CELL_LIMIT_PERCENT);
        ASSERT_EQ(c.memory_low.permyriad, 1250);
        OK(&c, "Limits", "MemoryMin", "infinity");
        ASSERT_EQ(c.memory_min.kind, CELL_LIMIT_INFINITY);
        OK(&c, "Limits", "MemoryMin", "0");
        ASSERT_EQ(c.memory_min.kind, CELL_LIMIT_VALUE);
        ASSERT_EQ_U64(c.memory_min.value, 0);
        OK(&c, "Limits", "MemoryLow", "0%");
        ASSERT_EQ(c.memory_low.kind, CELL_LIMIT_PERCENT);
        ASSERT_EQ(c.memory_low.permyriad, 0);
        BAD_EXACT(&c, "Limits", "MemoryLow", "101%",
                  "web.cell:7: MemoryLow=101%: expected bytes with K/M/G/T/P/E suffix, a percentage or \"infinity\"");
        BAD(&c, "Limits", "MemoryMin", "-1", "MemoryMin=-1: expected bytes");
        BAD(&c, "Limits", "MemoryLow", "18446744073709551615", "expected fewer than 2^64-1 bytes");
        ASSERT_EQ(c.memory_low.kind, CELL_LIMIT_PERCENT);
        OK(&c, "Limits", "MemoryMin", "");
        ASSERT_EQ(c.memory_min.kind, CELL_LIMIT_UNSET);
        OK(&c, "Limits", "MemoryLow", "");
        ASSERT_EQ(c.memory_low.kind, CELL_LIMIT_UNSET);

        OK(&c, "Limits", "CPUQuota", "150%");
        ASSERT_TRUE(c.cpu_quota_set);
        ASSERT_EQ_U64(c.cpu_quota_per_sec_usec, 1500000);
        OK(&c, "Limits", "CPUQuota", "12.5%");
        ASSERT_EQ_U64(c.cpu_quota_per_sec_usec, 125000);
        BAD(&c, "Limits", "CPUQuota", "0%", "expected a percentage above 0%");
        BAD(&c, "Limits", "CPUQuota", "50", "expected a percentage");
        OK(&c, "Limits", "CPUQuota", "");
        ASSERT_FALSE(c.cpu_quota_set);

        /* CPUQuotaPeriodSec=: any time span, as systemd (0 and 5s too:
         * clamped where applied); "infinity" and empty are the default. */
        OK(&c, "Limits", "CPUQuotaPeriodSec", "10ms");
        ASSERT_TRUE(c.cpu_quota_period_set);
        ASSERT_EQ_U64(c.cpu_quota_period_usec, 10000);
        OK(&c, "Limits", "CPUQuotaPeriodSec", "1");
        ASSERT_EQ_U64(c.cpu_quota_period_usec, USEC_PER_SEC);
        OK(&c, "Limits", "CPUQuotaPeriodSec", "0");
        ASSERT_TRUE(c.cpu_quota_period_set);
        ASSERT_EQ_U64(c.cpu_quota_period_usec, 0);
        OK(&c, "Limits", "CPUQuotaPeriodSec", "5s");
        ASSERT_EQ_U64(c.cpu_quota_period_usec, 5 * USEC_PER_SEC);
        BAD_EXACT(&c, "Limits", "CPUQuotaPeriodSec", "-1",
                  "web.cell:7: CPUQuotaPeriodSec=-1: expected a time span (\"10ms\", bare number: seconds; "
                  "kept within 1ms..1s) or \"infinity\"");
        BAD(&c, "Limits", "CPUQuotaPeriodSec", "abc", "CPUQuotaPeriodSec=abc: expected a time span");
        ASSERT_EQ_U64(c.cpu_quota_period_usec, 5 * USEC_PER_SEC);
        OK(&c, "Limits", "CPUQuotaPeriodSec", "infinity");
        ASSERT_FALSE(c.cpu_quota_period_set);
        OK(&c, "Limits", "CPUQuotaPeriodSec", "20ms");
        OK(&c, "Limits", "CPUQuotaPeriodSec", "");
        ASSERT_FALSE(c.cpu_quota_period_set);

        OK(&c, "Limits", "CPUWeight", "10000");
        ASSERT_EQ_U64(c.cpu_weight, 10000);
        OK(&c, "Limits", "IOWeight", "1");
        ASSERT_EQ_U64(c.io_weight, 1);
        BAD_EXACT(&c, "Limits", "CPUWeight", "0",
                  "web.cell:7: CPUWeight=0: expected a number between 1 and 10000, or \"idle\"");
        /* "idle" (systemd 252; cgroup2's cpu.idle), in lower case only. */
        OK(&c, "Limits", "CPUWeight", "idle");
        ASSERT_TRUE(c.cpu_weight_idle);
        ASSERT_EQ_U64(c.cpu_weight, 0);
        BAD(&c, "Limits", "CPUWeight", "IDLE", "CPUWeight=IDLE: expected a number between 1 and 10000, or \"idle\"");
        ASSERT_TRUE(c.cpu_weight_idle);
        OK(&c, "Limits", "CPUWeight", "300");
        ASSERT_FALSE(c.cpu_weight_idle);
        ASSERT_EQ_U64(c.cpu_weight, 300);
        OK(&c, "Limits", "CPUWeight", "idle");
        OK(&c, "Limits", "CPUWeight", "");
        ASSERT_FALSE(c.cpu_weight_idle);
        ASSERT_EQ_U64(c.cpu_weight, 0);
        BAD(&c, "Limits", "IOWeight", "idle", "IOWeight=idle: expected a number between 1 and 10000");
        BAD(&c, "Limits", "IOWeight", "10001", "expected a number between 1 and 10000");
        OK(&c, "Limits", "IOWeight", "");
        ASSERT_EQ_U64(c.io_weight, 0);

        /* The IO per-device keys, as systemd's: DEVICE VALUE, sizes to the base of 1000. */
        OK(&c, "Limits", "IOReadBandwidthMax", "/dev/vda 5M");
        OK(&c, "Limits", "IOReadBandwidthMax", "\"/dev//sdb/\" infinity");
        OK(&c, "Limits", "IOWriteIOPSMax", "/var/lib 1.5K");
        OK(&c, "Limits", "IODeviceWeight", "/dev/vda 10000");
        OK(&c, "Limits", "IODeviceLatencyTargetSec", "/dev/vda 25ms");
        ASSERT_EQ(c.n_io_devices, 5);
        ASSERT_EQ(c.io_devices[0].kind, CELL_IO_READ_BPS);
        ASSERT_STREQ(c.io_devices[0].path, "/dev/vda");
        ASSERT_EQ_U64(c.io_devices[0].value, 5000000);
        ASSERT_STREQ(c.io_devices[0].file, "web.cell");
        ASSERT_EQ(c.io_devices[0].line, 7);
        ASSERT_STREQ(c.io_devices[1].path, "/dev/sdb");
        ASSERT_EQ_U64(c.io_devices[1].value, UINT64_MAX);
        ASSERT_EQ(c.io_devices[2].kind, CELL_IO_WRITE_IOPS);
        ASSERT_EQ_U64(c.io_devices[2].value, 1500);
        ASSERT_EQ_U64(c.io_devices[3].value, 10000);
        ASSERT_EQ(c.io_devices[4].kind, CELL_IO_LATENCY);
        ASSERT_EQ_U64(c.io_devices[4].value, 25000);
        /* A device named again takes the new value, in its place. */
        OK(&c, "Limits", "IOReadBandwidthMax", "/dev/vda 1K");
        ASSERT_EQ(c.n_io_devices, 5);
        ASSERT_EQ_U64(c.io_devices[0].value, 1000);
        /* ... and where it was written last (a drop-in's line), for the start's messages. */
        ASSERT_OK(config_assign(&c, "Limits", "IOReadBandwidthMax", "/dev/vda 2K", "web.cell.d/io.conf", 3, &diag));
        ASSERT_EQ(c.n_io_devices, 5);
        ASSERT_EQ_U64(c.io_devices[0].value, 2000);
        ASSERT_STREQ(c.io_devices[0].file, "web.cell.d/io.conf");
        ASSERT_EQ(c.io_devices[0].line, 3);
        OK(&c, "Limits", "IOReadBandwidthMax", "/dev/vda 1K");
        BAD_EXACT(&c, "Limits", "IOReadBandwidthMax", "/dev/vda 0",
                  "web.cell:7: IOReadBandwidthMax=/dev/vda 0: expected DEVICE BYTES: an absolute path (a block "
                  "device, or a file on it) and bytes per second above 0 with K/M/G/T/P/E suffix (base 1000) or "
                  "\"infinity\"");
        BAD(&c, "Limits", "IOReadBandwidthMax", "/dev/vda", "expected DEVICE BYTES");
        BAD(&c, "Limits", "IOReadBandwidthMax", "vda 5M", "expected DEVICE BYTES");
        BAD(&c, "Limits", "IOReadBandwidthMax", "/dev/../vda 5M", "expected DEVICE BYTES");
        BAD(&c, "Limits", "IOWriteBandwidthMax", "/dev/vda 5X", "expected DEVICE BYTES");
        BAD(&c, "Limits", "IOReadIOPSMax", "/dev/vda -1", "expected DEVICE IOPS");
        BAD(&c, "Limits", "IODeviceWeight", "/dev/vda 0", "expected DEVICE WEIGHT");
        BAD(&c, "Limits", "IODeviceLatencyTargetSec", "/dev/vda 5x", "expected DEVICE TIMESPAN");
        ASSERT_EQ(c.n_io_devices, 5);
        /* An empty value drops that key's entries only. */
        OK(&c, "Limits", "IOReadBandwidthMax", "");
        ASSERT_EQ(c.n_io_devices, 3);
        ASSERT_EQ(c.io_devices[0].kind, CELL_IO_WRITE_IOPS);
        ASSERT_EQ(c.io_devices[2].kind, CELL_IO_LATENCY);
        OK(&c, "Limits", "IOWriteIOPSMax", "");
        OK(&c, "Limits", "IODeviceWeight", "");
        OK(&c, "Limits", "IODeviceLatencyTargetSec", "");
        ASSERT_EQ(c.n_io_devices, 0);
        ASSERT_NULL(c.io_devices);

        OK(&c, "Limits", "AllowedCPUs", "0-3,5");
        ASSERT_EQ(c.allowed_cpus_size, 1);
        ASSERT_EQ(c.allowed_cpus[0], 0x2f);
        BAD(&c, "Limits", "AllowedCPUs", "3-1", "expected CPU indices and ranges");
        /* As systemd's: assignments add up, one without CPUs resets. */
        OK(&c, "Limits", "AllowedCPUs", "8");
        ASSERT_EQ(c.allowed_cpus_size, 2);
        ASSERT_EQ(c.allowed_cpus[0], 0x2f);
        ASSERT_EQ(c.allowed_cpus[1], 0x01);
        OK(&c, "Limits", "AllowedCPUs", ",");
        ASSERT_NULL(c.allowed_cpus);
        OK(&c, "Limits", "AllowedCPUs", "1");
        OK(&c, "Limits", "AllowedCPUs", "");
        ASSERT_NULL(c.allowed_cpus);

        OK(&c, "Limits", "TasksMax", "512");
        ASSERT_EQ(c.tasks_max.kind, CELL_LIMIT_VALUE);
        ASSERT_EQ_U64(c.tasks_max.value, 512);
        /* C's notation, as systemd's safe_atou64(). */
        OK(&c, "Limits", "TasksMax", "010");
        ASSERT_EQ_U64(c.tasks_max.value, 8);
        OK(&c, "Limits", "TasksMax", "0x200");
        ASSERT_EQ_U64(c.tasks_max.value, 512);
        BAD(&c, "Limits", "TasksMax", "08", "expected a number above 0");
        OK(&c, "Limits", "TasksMax", "10%");
        ASSERT_EQ(c.tasks_max.kind, CELL_LIMIT_PERCENT);
        OK(&c, "Limits", "TasksMax", "infinity");
        ASSERT_EQ(c.tasks_max.kind, CELL_LIMIT_INFINITY);
        BAD(&c, "Limits", "TasksMax", "0", "expected a number above 0");
        /* 0% is systemd 252's too (its unit files: TasksMax 0, pids.max 0),
         * -0% as well; a negative one is not. */
        OK(&c, "Limits", "TasksMax", "0%");
        ASSERT_EQ(c.tasks_max.kind, CELL_LIMIT_PERCENT);
        ASSERT_EQ(c.tasks_max.permyriad, 0);
        OK(&c, "Limits", "TasksMax", "-0%");
        ASSERT_EQ(c.tasks_max.kind, CELL_LIMIT_PERCENT);
        BAD(&c, "Limits", "TasksMax", "-1%", "expected a number above 0");
        BAD(&c, "Limits", "TasksMax", "1K", "expected a number above 0");

        OK(&c, "Limits", "DeviceAllow", "/dev/fuse rw");
        OK(&c, "Limits", "DeviceAllow", "char-pts");
        OK(&c, "Limits", "DeviceAllow", "block-loop mwr");
        /* /proc/devices names with a "/" (x86's cpu/msr), and patterns of them, as systemd takes them */
        OK(&c, "Limits", "DeviceAllow", "char-cpu/msr r");
        OK(&c, "Limits", "DeviceAllow", "char-cpu/* r");
        ASSERT_EQ(c.n_device_allow, 5);
        ASSERT_STREQ(c.device_allow[0].perms, "rw");
        ASSERT_STREQ(c.device_allow[1].perms, "rwm");
        ASSERT_STREQ(c.device_allow[2].perms, "rwm");
        ASSERT_STREQ(c.device_allow[3].path, "char-cpu/msr");
        ASSERT_STREQ(c.device_allow[4].path, "char-cpu/*");
        BAD(&c, "Limits", "DeviceAllow", "char-", "expected a device");
        BAD(&c, "Limits", "DeviceAllow", "\"char-a b\" r", "expected a device");
        BAD(&c, "Limits", "DeviceAllow", "/dev/null x", "expected a device");
        BAD(&c, "Limits", "DeviceAllow", "/etc/passwd r", "expected a device");
        BAD(&c, "Limits", "DeviceAllow", "/dev/null r w", "expected a device");
        /* The letters as written, as systemd 252 takes them: no quotes, no escapes. */
        BAD(&c, "Limits", "DeviceAllow", "/dev/null \"rw\"", "expected a device");
        BAD(&c, "Limits", "DeviceAllow", "/dev/null \\rw", "expected a device");
        ASSERT_EQ(c.n_device_allow, 5);
        OK(&c, "Limits", "DeviceAllow", "");
        ASSERT_EQ(c.n_device_allow, 0);

        OK(&c, "Limits", "OOMScoreAdjust", "-1000");
        ASSERT_TRUE(c.oom_score_adjust_set);
        ASSERT_EQ(c.oom_score_adjust, -1000);
        BAD(&c, "Limits", "OOMScoreAdjust", "1001", "expected a number between -1000 and 1000");
        OK(&c, "Limits", "OOMScoreAdjust", "");
        ASSERT_FALSE(c.oom_score_adjust_set);

        OK(&c, "Limits", "Slice", "web.slice");
        ASSERT_STREQ(c.slice, "web.slice");
        BAD(&c, "Limits", "Slice", "web.service", "expected a slice unit name");
        /* systemd's slice_name_is_valid(): its dashes are the tree's levels. */
        BAD(&c, "Limits", "Slice", "a--b.slice", "expected a slice unit name");
        BAD(&c, "Limits", "Slice", "-a.slice", "expected a slice unit name");
        BAD(&c, "Limits", "Slice", "a-.slice", "expected a slice unit name");
        BAD(&c, "Limits", "Slice", "a@b.slice", "expected a slice unit name");
        ASSERT_STREQ(c.slice, "web.slice");
        OK(&c, "Limits", "Slice", "a-b-c.slice");
        OK(&c, "Limits", "Slice", "-.slice");
        BAD(&c, "Limits", "Slice", "", "expected a slice unit name");
        ASSERT_STREQ(c.slice, "-.slice");
        cell_config_done(&c);
        diag_done(&diag);
}

/* systemd 252's AllowedMemoryNodes= and the Startup*= keys: the values of
 * AllowedCPUs=, CPUWeight= and IOWeight=, each kept apart. */
TEST(limits_startup_and_memory_nodes) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Limits", "StartupCPUWeight", "50");
        ASSERT_EQ_U64(c.startup_cpu_weight, 50);
        ASSERT_EQ_U64(c.cpu_weight, 0);
        BAD_EXACT(&c, "Limits", "StartupCPUWeight", "10001",
                  "web.cell:7: StartupCPUWeight=10001: expected a number between 1 and 10000, or \"idle\"");
        BAD(&c, "Limits", "StartupCPUWeight", "0", "StartupCPUWeight=0: expected a number between 1 and 10000");
        ASSERT_EQ_U64(c.startup_cpu_weight, 50);
        OK(&c, "Limits", "StartupCPUWeight", "idle");
        ASSERT_TRUE(c.startup_cpu_weight_idle);
        ASSERT_EQ_U64(c.startup_cpu_weight, 0);
        ASSERT_FALSE(c.cpu_weight_idle);
        OK(&c, "Limits", "CPUWeight", "300");
        ASSERT_TRUE(c.startup_cpu_weight_idle);
        OK(&c, "Limits", "StartupCPUWeight", "");
        ASSERT_FALSE(c.startup_cpu_weight_idle);
        ASSERT_EQ_U64(c.startup_cpu_weight, 0);
        ASSERT_EQ_U64(c.cpu_weight, 300);

        OK(&c, "Limits", "StartupIOWeight", "10000");
        ASSERT_EQ_U64(c.startup_io_weight, 10000);
        ASSERT_EQ_U64(c.io_weight, 0);
        BAD_EXACT(&c, "Limits", "StartupIOWeight", "idle",
                  "web.cell:7: StartupIOWeight=idle: expected a number between 1 and 10000");
        OK(&c, "Limits", "StartupIOWeight", "");
        ASSERT_EQ_U64(c.startup_io_weight, 0);

        /* As AllowedCPUs=: assignments add up, one naming none resets. */
        OK(&c, "Limits", "AllowedMemoryNodes", "0-1");
        OK(&c, "Limits", "AllowedMemoryNodes", "3 9");
        ASSERT_EQ(c.allowed_memory_nodes_size, 2);
        ASSERT_EQ(c.allowed_memory_nodes[0], 0x0b);
        ASSERT_EQ(c.allowed_memory_nodes[1], 0x02);
        ASSERT_NULL(c.allowed_cpus);
        BAD_EXACT(&c, "Limits", "AllowedMemoryNodes", "1-0",
                  "web.cell:7: AllowedMemoryNodes=1-0: expected NUMA node indices and ranges separated by "
                  "commas or spaces (\"0-1,3\"), below 8192");
        BAD(&c, "Limits", "AllowedMemoryNodes", "8192", "below 8192");
        ASSERT_EQ(c.allowed_memory_nodes[0], 0x0b);
        OK(&c, "Limits", "AllowedMemoryNodes", "");
        ASSERT_NULL(c.allowed_memory_nodes);
        ASSERT_EQ(c.allowed_memory_nodes_size, 0);

        OK(&c, "Limits", "StartupAllowedCPUs", "1,3");
        ASSERT_EQ(c.startup_allowed_cpus_size, 1);
        ASSERT_EQ(c.startup_allowed_cpus[0], 0x0a);
        ASSERT_NULL(c.allowed_cpus);
        BAD(&c, "Limits", "StartupAllowedCPUs", "x", "StartupAllowedCPUs=x: expected CPU indices and ranges");
        OK(&c, "Limits", "StartupAllowedMemoryNodes", "0");
        ASSERT_EQ(c.startup_allowed_memory_nodes[0], 0x01);
        ASSERT_NULL(c.allowed_memory_nodes);
        OK(&c, "Limits", "StartupAllowedMemoryNodes", ",");
        ASSERT_NULL(c.startup_allowed_memory_nodes);
        OK(&c, "Limits", "StartupAllowedMemoryNodes", "2");       /* freed by cell_config_done() */
        cell_config_done(&c);
        diag_done(&diag);
}

TEST(rlimits) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Limits", "LimitNOFILE", "1024:4096");
        ASSERT_TRUE(c.rlimits[RLIMIT_NOFILE].set);
        ASSERT_EQ_U64(c.rlimits[RLIMIT_NOFILE].soft, 1024);
        ASSERT_EQ_U64(c.rlimits[RLIMIT_NOFILE].hard, 4096);
        OK(&c, "Limits", "LimitNPROC", "infinity");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_NPROC].soft, RLIM_INFINITY);
        ASSERT_EQ_U64(c.rlimits[RLIMIT_NPROC].hard, RLIM_INFINITY);
        OK(&c, "Limits", "LimitCORE", "0:infinity");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_CORE].hard, RLIM_INFINITY);
        OK(&c, "Limits", "LimitSTACK", "8M");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_STACK].soft, 8 << 20);
        OK(&c, "Limits", "LimitMEMLOCK", "64K");
        OK(&c, "Limits", "LimitAS", "4G");
        OK(&c, "Limits", "LimitFSIZE", "1T");
        OK(&c, "Limits", "LimitDATA", "1G");
        OK(&c, "Limits", "LimitRSS", "1G");
        OK(&c, "Limits", "LimitMSGQUEUE", "800K");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_MSGQUEUE].soft, 800 << 10);
        OK(&c, "Limits", "LimitCPU", "1min");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_CPU].soft, 60);
        OK(&c, "Limits", "LimitCPU", "1500ms");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_CPU].soft, 2);   /* rounded up to whole seconds */
        OK(&c, "Limits", "LimitCPU", "30");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_CPU].soft, 30);
        OK(&c, "Limits", "LimitRTTIME", "500");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_RTTIME].soft, 500);
        OK(&c, "Limits", "LimitRTTIME", "1s");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_RTTIME].soft, 1000000);
        OK(&c, "Limits", "LimitNICE", "-5");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_NICE].soft, 25);
        OK(&c, "Limits", "LimitNICE", "+19");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_NICE].soft, 1);
        OK(&c, "Limits", "LimitNICE", "40");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_NICE].soft, 40);
        OK(&c, "Limits", "LimitLOCKS", "100");
        OK(&c, "Limits", "LimitSIGPENDING", "100");
        OK(&c, "Limits", "LimitRTPRIO", "10");

        BAD(&c, "Limits", "LimitNICE", "-21", "expected SOFT[:HARD], each a nice level -20..19");
        BAD(&c, "Limits", "LimitNICE", "41", "a raw value 0..40");
        BAD_EXACT(&c, "Limits", "LimitNOFILE", "4096:1024",
                  "web.cell:7: LimitNOFILE=4096:1024: expected SOFT[:HARD], each a number or \"infinity\", "
                  "with SOFT not above HARD");
        BAD(&c, "Limits", "LimitNOFILE", "1K", "each a number or \"infinity\"");
        BAD(&c, "Limits", "LimitAS", "12Q", "each bytes with K/M/G/T/P/E suffix");
        /* Sizes of rlimits are systemd's parse_size() too. */
        BAD(&c, "Limits", "LimitCORE", "1 2", "LimitCORE=1 2: expected SOFT[:HARD], each bytes");
        BAD(&c, "Limits", "LimitCORE", "1K 1M", "LimitCORE=1K 1M: expected SOFT[:HARD], each bytes");
        OK(&c, "Limits", "LimitCORE", "5.G:+10.G 5K");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_CORE].soft, UINT64_C(5) << 30);
        ASSERT_EQ_U64(c.rlimits[RLIMIT_CORE].hard, (UINT64_C(10) << 30) + (5 << 10));
        OK(&c, "Limits", "LimitCORE", "10.M:1G 512M");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_CORE].soft, UINT64_C(10) << 20);
        ASSERT_EQ_U64(c.rlimits[RLIMIT_CORE].hard, UINT64_C(3) << 29);
        BAD(&c, "Limits", "LimitCPU", "12.34.56", "LimitCPU=12.34.56: expected SOFT[:HARD], each a time span");
        BAD(&c, "Limits", "LimitCPU", "soon", "each a time span");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_NOFILE].soft, 1024);
        BAD(&c, "Limits", "LimitNOFILE", "", "LimitNOFILE=: expected SOFT[:HARD]");
        ASSERT_TRUE(c.rlimits[RLIMIT_NOFILE].set);
        cell_config_done(&c);
        diag_done(&diag);
}
