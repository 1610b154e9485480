/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* [Exec] Nice=, CPUScheduling*=, IOScheduling*=, CPUAffinity= and
 * Personality=: the payload's process attributes, with systemd's syntax,
 * defaults and order rules (a policy written clamps the priority into its
 * range; an IO class keeps the IO priority). What the start does with them
 * is spawn/sched.c's and privilege.c's. */
#include <linux/ioprio.h>
#include <sched.h>
#include <string.h>
#include <sys/personality.h>

#include "config-parsers.h"
#include "parse-sched.h"
#include "parse-value.h"

int config_parse_nice(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        int v;

        if (isempty(ctx->value)) {
                c->sched.nice_set = false;
                c->sched.nice = 0;
                return 0;
        }
        if (parse_int_range(ctx->value, -20, 19, &v) < 0)
                return -EINVAL;
        c->sched.nice_set = true;
        c->sched.nice = v;
        return 0;
}

int config_parse_cpu_sched_policy(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        CellSched *s = &c->sched;
        int policy;

        if (isempty(ctx->value)) {
                /* As systemd: the priority goes with the policy. */
                s->cpu_policy_set = s->cpu_priority_set = false;
                s->cpu_policy = s->cpu_priority = 0;
                return 0;
        }
        if (parse_sched_policy(ctx->value, &policy) < 0)
                return -EINVAL;
        s->cpu_policy_set = true;
        s->cpu_policy = policy;
        /* A priority written before (or in the file a drop-in overrides)
         * moves into the new policy's range, as systemd does: a drop-in's
         * CPUSchedulingPolicy=other turns a real-time unit back into an
         * ordinary one. */
        if (s->cpu_priority_set)
                s->cpu_priority = MAX(sched_policy_priority_min(policy),
                                      MIN(s->cpu_priority, sched_policy_priority_max(policy)));
        return 0;
}

int config_parse_cpu_sched_priority(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        CellSched *s = &c->sched;
        _cleanup_free_ char *file = NULL;
        unsigned line;
        int v, r;

        /* No reset: systemd 252 takes an empty value for a number it cannot
         * read and ignores the line, keeping the priority before it. */
        if (isempty(ctx->value))
                return config_bad(ctx, "%s; an empty value resets nothing, as in systemd "
                                  "(an empty CPUSchedulingPolicy= resets both)", k->expected);
        /* Only Linux's outer bounds here: the policy may come later. Whether
         * it fits the policy is config_finish_sched()'s. */
        if (parse_int_range(ctx->value, 0, 99, &v) < 0)
                return -EINVAL;
        r = config_entry_origin(ctx, &file, &line);
        if (r < 0)
                return r;
        free(s->cpu_priority_file);
        s->cpu_priority_file = TAKE_PTR(file);
        s->cpu_priority_line = line;
        s->cpu_priority_set = true;
        s->cpu_priority = v;
        return 0;
}

int config_parse_io_sched_class(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        CellSched *s = &c->sched;
        int class;

        if (isempty(ctx->value)) {
                /* As systemd: both IO keys go back to the default. */
                s->io_set = false;
                s->io_class = s->io_priority = 0;
                return 0;
        }
        if (parse_ioprio_class(ctx->value, &class) < 0)
                return -EINVAL;
        if (!s->io_set)
                s->io_priority = 4;
        /* As systemd: "none" is what the kernel makes of no class, best-effort 4. */
        if (class == IOPRIO_CLASS_NONE) {
                class = IOPRIO_CLASS_BE;
                s->io_priority = 4;
        }
        s->io_set = true;
        s->io_class = class;
        return 0;
}

int config_parse_io_sched_priority(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        CellSched *s = &c->sched;
        int v;

        if (isempty(ctx->value)) {
                s->io_set = false;
                s->io_class = s->io_priority = 0;
                return 0;
        }
        if (parse_int_range(ctx->value, 0, 7, &v) < 0)
                return -EINVAL;
        if (!s->io_set)
                s->io_class = IOPRIO_CLASS_BE;
        s->io_set = true;
        s->io_priority = v;
        return 0;
}

int config_parse_cpu_affinity(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        if (streq(ctx->value, "numa"))
                return config_bad(ctx, "%s (\"numa\" takes the CPUs of NUMAPolicy=, which cell does not have)",
                                  k->expected);
        return config_cpu_set_line(ctx, &c->sched.cpu_affinity, &c->sched.cpu_affinity_size);
}

int config_parse_personality(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        unsigned long p;
        int r;

        if (isempty(ctx->value)) {
                c->personality_set = false;
                c->personality = 0;
                return 0;
        }
        r = parse_personality(ctx->value, &p);
        if (r == -EOPNOTSUPP) {
                /* As nspawn: a container of another architecture cannot run here. */
                const char *native = personality_to_string(PER_LINUX), *secondary = personality_to_string(PER_LINUX32);

                if (!native)
                        return config_bad(ctx, "%s (cell does not know which one this machine is)", k->expected);
                return config_bad(ctx, "%s%s%s, the architectures this machine runs", native,
                                  secondary ? " or " : "", strempty(secondary));
        }
        if (r < 0)
                return -EINVAL;
        c->personality_set = true;
        c->personality = p;
        return 0;
}

int config_finish_sched(const CellConfig *c, Diagnostics *diag) {
        const CellSched *s = &c->sched;
        int policy = s->cpu_policy_set ? s->cpu_policy : SCHED_OTHER;
        int min = sched_policy_priority_min(policy), max = sched_policy_priority_max(policy);

        /* A priority written after its policy (or with none, which is
         * "other") is not clamped: systemd fails the start with it, cell
         * says so now. */
        if (!s->cpu_priority_set || (s->cpu_priority >= min && s->cpu_priority <= max))
                return 0;
        if (max == 0)
                return diag_error(diag, s->cpu_priority_file, s->cpu_priority_line,
                                  "CPUSchedulingPriority=%d: the policy %s%s takes only 0 "
                                  "(1..99 need CPUSchedulingPolicy=fifo or rr)", s->cpu_priority,
                                  sched_policy_to_string(policy), s->cpu_policy_set ? "" : " (the default)");
        return diag_error(diag, s->cpu_priority_file, s->cpu_priority_line,
                          "CPUSchedulingPriority=%d: the policy %s takes %d..%d", s->cpu_priority,
                          sched_policy_to_string(policy), min, max);
}
