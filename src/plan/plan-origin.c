/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where the unit set the keys the start may fail on (plan.h: Plan.origins),
 * and the one place that says so in front of a start's message:
 * "FILE:LINE: User=nobody: no such user in the container's /etc/passwd",
 * as "cell verify" names a bad value. With drop-ins, the key alone does not
 * say which file. */

#include <stdio.h>
#include <string.h>

#include "plan-internal.h"
#include "strv.h"

/* The keys of one value in force that the start may refuse (the image, the
 * host or the kernel has the last word), and the lists whose items it names
 * one by one; the [Limits] keys the kernel (cgroupfs) or systemd may refuse
 * at the start, and the other keys of the scope's properties. A key whose
 * value builds up over lines without a count (Capability=, CPUAffinity=) is
 * not here: its last line need not be the one that failed. Mounts,
 * DeviceAllow= and the IO device keys keep their origin in their own
 * entries; ResolvConf= and Timezone= in PlanEtcFile. */
static const char * const origin_keys[] = {
        "Directory", "Image", "Volatile",
        "Exec", "User", "Group", "SupplementaryGroups", "WorkingDirectory", "Hostname",
        "EnvironmentFile", "MachineID", "Personality",
        "Nice", "CPUSchedulingPolicy", "CPUSchedulingPriority", "IOSchedulingClass", "IOSchedulingPriority",
        "OOMScoreAdjust", "PrivateUsers", "PrivateTime",
        "MemoryMax", "MemoryHigh", "MemorySwapMax", "MemoryMin", "MemoryLow",
        "CPUQuota", "CPUQuotaPeriodSec", "CPUWeight", "StartupCPUWeight", "IOWeight", "StartupIOWeight",
        "TasksMax",
        "Port",
        /* What else StartTransientUnit gets of one value (plan-scope.c's
         * plan_property_keys[]), which systemd may refuse: a slice it cannot
         * load ("a-.slice"), a value an older systemd does not take. */
        "Description", "Slice", "KillSignal", "TimeoutStopSec",
};

/* Sets of CPUs or NUMA nodes, which add up over lines as systemd's: the
 * kernel refuses the set as a whole, so a line is named only when it alone
 * set the key. */
static const char * const origin_keys_one_line[] = {
        "AllowedCPUs", "StartupAllowedCPUs", "AllowedMemoryNodes", "StartupAllowedMemoryNodes",
};

static bool origin_key_kept(const CellOrigin *o) {
        /* LimitCPU= ... LimitRTTIME=: one value each. */
        if (startswith(o->key, "Limit"))
                return true;
        for (size_t i = 0; i < ELEMENTSOF(origin_keys); i++)
                if (streq(origin_keys[i], o->key))
                        return true;
        for (size_t i = 0; i < ELEMENTSOF(origin_keys_one_line); i++)
                if (streq(origin_keys_one_line[i], o->key))
                        return o->lines <= 1;
        return false;
}

int plan_build_origins(Plan *p, const CellConfig *c, const PlanOptions *opts) {
        bool exec_override = opts && opts->argv_override && opts->argv_override[0];

        /* "cell verify" starts nothing: no start error to name a line for. */
        if (c->n_origins == 0 || (opts && opts->verify_only))
                return 0;
        p->origins = new0(CellOrigin, c->n_origins);
        if (!p->origins)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_origins; i++) {
                const CellOrigin *o = c->origins + i;
                /* NULL: the main file's (a config made by hand: its path too). */
                const char *file = o->file ?: c->path;
                CellOrigin *e;

                if (!origin_key_kept(o) || !file || o->line == 0)
                        continue;
                /* "cell run NAME -- ARGS": what runs is no line's. */
                if (exec_override && streq(o->key, "Exec"))
                        continue;
                e = p->origins + p->n_origins;
                *e = (CellOrigin) { .key = o->key, .line = o->line, .items = o->items, .lines = o->lines };
                e->file = strdup(file);
                if (!e->file)
                        return -ENOMEM;
                p->n_origins++;
        }
        return 0;
}

void plan_origins_done(Plan *p) {
        for (size_t i = 0; i < p->n_origins; i++)
                free(p->origins[i].file);
        p->origins = mfree(p->origins);
        p->n_origins = 0;
}

const CellOrigin *plan_key_origin(const Plan *p, const char *key, size_t item) {
        return cell_origin_find(p->origins, p->n_origins, key, item);
}

const char *plan_root_key(const Plan *p) {
        return p->root_image ? "Image" : "Directory";
}

const char *plan_root_source(const Plan *p) {
        return p->root_image ?: p->root_directory;
}

const char *plan_origin_prefix(const Plan *p, const char *key, size_t item, char *buf, size_t n) {
        const CellOrigin *o = plan_key_origin(p, key, item);

        if (n == 0)
                return buf;
        buf[0] = 0;
        if (o)
                (void) snprintf(buf, n, "%s:%u: ", o->file, o->line);
        return buf;
}

const char *plan_message_origin(const Plan *p, const char *message, char *buf, size_t n) {
        char key[64];
        size_t k = strspn(message, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
        size_t item = 0;

        if (n > 0)
                buf[0] = 0;
        /* "Key=value..." only: one that begins "FILE:LINE: " names its origin itself. */
        if (k == 0 || k >= sizeof key || message[k] != '=')
                return buf;
        memcpy(key, message, k);
        key[k] = 0;

        /* SupplementaryGroups=GROUP: that group's line; a message about the
         * list as a whole names none. EnvironmentFile='s messages are its
         * reader's (cli/environment-files.c), which knows the entry. */
        if (streq(key, "SupplementaryGroups")) {
                const char *v = message + k + 1;
                size_t len = strcspn(v, ":");

                while (p->supplementary_groups && p->supplementary_groups[item] &&
                       !(strlen(p->supplementary_groups[item]) == len &&
                         strncmp(p->supplementary_groups[item], v, len) == 0))
                        item++;
                if (len == 0 || !p->supplementary_groups || !p->supplementary_groups[item])
                        return buf;
        } else if (streq(key, "EnvironmentFile"))
                return buf;
        return plan_origin_prefix(p, key, item, buf, n);
}
