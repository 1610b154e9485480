/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Names a unit ported from systemd-nspawn or from a .service may carry that
 * cell has under another name, in another form, or not at all: a refusal
 * that says what to write is worth more than "unknown key" to whoever
 * ports a file (or validates a fleet's with `cell verify`). */

#include <stddef.h>

#include "config-hints.h"
#include "macros.h"

typedef struct ConfigHint {
        const char *section;    /* NULL: in any section */
        const char *key;        /* NULL: the section itself */
        const char *text;
} ConfigHint;

static const ConfigHint hints[] = {
        /* systemd.nspawn(5)'s sections and keys. */
        { "Files", NULL,
          "systemd-nspawn's [Files] keys (Bind=, BindReadOnly=, TemporaryFileSystem=, Inaccessible=, Overlay=, "
          "OverlayReadOnly=, ReadOnly=, Volatile=) are in [Root] here" },
        { "Network", "Private", "systemd-nspawn's Private= is PrivateNetwork= in [Isolation]" },
        { NULL, "Ephemeral",
          "systemd-nspawn's Ephemeral= is not supported: Volatile=overlay in [Root] keeps the root's changes "
          "in memory and drops them when the container ends" },
        { NULL, "ProcessTwo",
          "systemd-nspawn's ProcessTwo= is Init=yes in [Exec] (a minimal reaper as PID 1, the payload as PID 2)" },
        { NULL, "Parameters",
          "systemd-nspawn's Parameters= has no key here: the command line is Exec= in [Exec]; with Boot=yes, "
          "init's arguments follow \"--\" on cell run's command line" },
        { NULL, "PivotRoot", "systemd-nspawn's PivotRoot= is not supported: the root is Directory= or Image= itself" },
        { NULL, "LinkJournal",
          "systemd-nspawn's LinkJournal= is not supported: the container's journal is not linked into the host's" },
        { NULL, "BindUser", "systemd-nspawn's BindUser= is not supported" },
        { NULL, "PrivateUsersOwnership",
          "systemd-nspawn's PrivateUsersOwnership= has no key here: cell never changes the image's owners, "
          "PrivateUsers=pick maps them with idmapped mounts" },
        { NULL, "PrivateUsersChown",
          "systemd-nspawn's PrivateUsersChown= has no key here: cell never changes the image's owners, "
          "PrivateUsers=pick maps them with idmapped mounts" },

        /* A .service unit's. */
        { "Service", NULL,
          "a .service unit's section: what runs is in [Exec] here (Exec=, User=, Environment=, ...), its resources "
          "in [Limits] (MemoryMax=, CPUQuota=, TasksMax=, LimitNOFILE=, ...)" },
        { NULL, "ExecStart", "a .service unit's ExecStart= is Exec= in [Exec]" },
        { NULL, "RootDirectory", "a .service unit's RootDirectory= is Directory= in [Root]" },
        { NULL, "RootImage", "a .service unit's RootImage= is Image= in [Root]" },
        { NULL, "BindPaths", "a .service unit's BindPaths= is Bind= in [Root]" },
        { NULL, "BindReadOnlyPaths",
          "a .service unit's BindReadOnlyPaths= is BindReadOnly= in [Root]" },
        { NULL, "InaccessiblePaths",
          "a .service unit's InaccessiblePaths= is Inaccessible= in [Root]" },
        { NULL, "ProtectSystem",
          "a .service unit's ProtectSystem=: ReadOnly=yes in [Root] makes all of the root read-only" },
        { NULL, "CapabilityBoundingSet",
          "a .service unit's CapabilityBoundingSet= is Capability= and DropCapability= in [Isolation], "
          "which add to and take from the container's default set" },
        { NULL, "DynamicUser",
          "a .service unit's DynamicUser= has no key here: PrivateUsers=pick in [Isolation] gives the container "
          "a range of UIDs no other container or host user has" },
        { NULL, "SystemCallLog",
          "systemd's SystemCallLog= is not supported: cell logs no system calls; SystemCallFilter= in "
          "[Isolation] denies them" },
        { NULL, "AmbientCapabilities",
          "a .service unit's AmbientCapabilities= is AmbientCapability= in [Isolation]" },
        /* What the service that runs cell decides (cell@.service(8)). */
#define SERVICE_KEY "the service's: set it in a drop-in of cell@NAME.service (cell@.service(8)"
        { NULL, "Restart", SERVICE_KEY ", RESTARTING)" },
        { NULL, "RestartSec", SERVICE_KEY ", RESTARTING)" },
        { NULL, "TimeoutStartSec", SERVICE_KEY ")" },
        { NULL, "WatchdogSec", SERVICE_KEY ", WATCHDOG)" },

        /* systemd's per-unit switches that cell's scope settles itself. */
#define ACCOUNTING(key, dflt, limits) \
        "systemd's " key "= has no key here: cell asks for no accounting, so a systemd scope gets systemd's " \
        dflt "= (systemd-system.conf(5)), and a limit (" limits ") turns its controller on, with either manager"
        { NULL, "MemoryAccounting", ACCOUNTING("MemoryAccounting", "DefaultMemoryAccounting", "MemoryMax=, ...") },
        { NULL, "TasksAccounting", ACCOUNTING("TasksAccounting", "DefaultTasksAccounting", "TasksMax=") },
        { NULL, "CPUAccounting", ACCOUNTING("CPUAccounting", "DefaultCPUAccounting", "CPUQuota=, CPUWeight=, ...") },
        { NULL, "IOAccounting",
          ACCOUNTING("IOAccounting", "DefaultIOAccounting", "IOWeight=, IOReadBandwidthMax=, ...") },
#undef ACCOUNTING
        { NULL, "Delegate",
          "systemd's Delegate= has no key here: cell's systemd scope always has Delegate=yes (cell plan shows it), "
          "so the container may manage the cgroup tree below its own" },

        /* systemd's deprecated cgroup v1 names, with the scale that changed. */
        { NULL, "MemoryLimit", "systemd's deprecated cgroup v1 name: MemoryMax= in [Limits]" },
        { NULL, "CPUShares",
          "systemd's deprecated cgroup v1 name: CPUWeight= in [Limits], 1-10000 with 100 the default "
          "(CPUShares= counted 2-262144, 1024 the default)" },
        { NULL, "StartupCPUShares",
          "systemd's deprecated cgroup v1 name: StartupCPUWeight= in [Limits], 1-10000 with 100 the default "
          "(StartupCPUShares= counted 2-262144, 1024 the default)" },
        { NULL, "BlockIOWeight",
          "systemd's deprecated cgroup v1 name: IOWeight= in [Limits], 1-10000 with 100 the default "
          "(BlockIOWeight= counted 10-1000, 500 the default)" },
        { NULL, "StartupBlockIOWeight",
          "systemd's deprecated cgroup v1 name: StartupIOWeight= in [Limits], 1-10000 with 100 the default "
          "(StartupBlockIOWeight= counted 10-1000, 500 the default)" },
        { NULL, "BlockIODeviceWeight",
          "systemd's deprecated cgroup v1 name: IODeviceWeight= in [Limits], 1-10000 "
          "(BlockIODeviceWeight= counted 10-1000)" },
        { NULL, "BlockIOReadBandwidth", "systemd's deprecated cgroup v1 name: IOReadBandwidthMax= in [Limits]" },
        { NULL, "BlockIOWriteBandwidth", "systemd's deprecated cgroup v1 name: IOWriteBandwidthMax= in [Limits]" },
};

const char *config_hint(const char *section, const char *key) {
        for (size_t i = 0; i < ELEMENTSOF(hints); i++) {
                const ConfigHint *h = &hints[i];

                if (h->section && !streq_ptr(h->section, section))
                        continue;
                if (key ? h->key && streq(h->key, key) : !h->key)
                        return h->text;
        }
        return NULL;
}
