/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Nice=, CPUScheduling*=, IOScheduling*=, CPUAffinity= and Personality=:
 * their values in force, and how "cell plan" shows them: in the JSON as
 * every key, null when unset; in the text only what the unit sets. */

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "json-write.h"
#include "parse-sched.h"
#include "plan-internal.h"

int plan_build_sched(Plan *p, const CellConfig *c) {
        const CellSched *s = &c->sched;
        PlanSched *t = &p->sched;

        t->nice_set = s->nice_set;
        t->nice = s->nice_set ? s->nice : 0;
        /* As systemd's CPUSchedulingResetOnFork=, but in force on its own
         * too (systemd sets it only with a policy or a priority): then on
         * the policy and priority the child inherits, which "other" in
         * their place would change (raise, from "idle"). */
        t->cpu_set = s->cpu_policy_set || s->cpu_priority_set || s->cpu_reset_on_fork;
        t->cpu_inherit = t->cpu_set && !s->cpu_policy_set && !s->cpu_priority_set;
        if (t->cpu_set) {
                t->cpu_policy = s->cpu_policy_set ? s->cpu_policy : SCHED_OTHER;
                /* Unwritten: the policy's lowest, as systemd's clamp of its 0. */
                t->cpu_priority = s->cpu_priority_set ? s->cpu_priority : sched_policy_priority_min(t->cpu_policy);
                t->cpu_reset_on_fork = s->cpu_reset_on_fork;
        }
        t->io_set = s->io_set;
        if (t->io_set) {
                t->io_class = s->io_class;
                t->io_priority = s->io_priority;
        }
        if (s->cpu_affinity) {
                t->cpu_affinity = malloc(s->cpu_affinity_size ?: 1);
                if (!t->cpu_affinity)
                        return -ENOMEM;
                memcpy(t->cpu_affinity, s->cpu_affinity, s->cpu_affinity_size);
                t->cpu_affinity_size = s->cpu_affinity_size;
        }
        p->personality_set = c->personality_set;
        p->personality = c->personality_set ? c->personality : 0;
        return 0;
}

void plan_sched_done(Plan *p) {
        p->sched.cpu_affinity = mfree(p->sched.cpu_affinity);
        p->sched.cpu_affinity_size = 0;
}

void plan_sched_json(JsonWriter *w, const Plan *p) {
        const PlanSched *s = &p->sched;

        json_key(w, "nice");
        if (s->nice_set)
                json_int(w, s->nice);
        else
                json_null(w);
        json_key(w, "cpu_scheduling");
        if (s->cpu_set) {
                json_object_begin_inline(w);
                json_key(w, "policy");
                json_string(w, s->cpu_inherit ? NULL : sched_policy_to_string(s->cpu_policy));
                json_key(w, "priority");
                if (s->cpu_inherit)
                        json_null(w);
                else
                        json_uint(w, (unsigned) s->cpu_priority);
                json_key(w, "reset_on_fork");
                json_bool(w, s->cpu_reset_on_fork);
                json_object_end(w);
        } else
                json_null(w);
        json_key(w, "io_scheduling");
        if (s->io_set) {
                json_object_begin_inline(w);
                json_key(w, "class");
                json_string(w, ioprio_class_to_string(s->io_class));
                json_key(w, "priority");
                json_uint(w, (unsigned) s->io_priority);
                json_object_end(w);
        } else
                json_null(w);
        json_key(w, "cpu_affinity");
        if (s->cpu_affinity) {
                json_array_begin_inline(w);
                for (size_t i = 0; i < s->cpu_affinity_size * 8; i++)
                        if (s->cpu_affinity[i / 8] & (1u << (i % 8)))
                                json_uint(w, i);
                json_array_end(w);
        } else
                json_null(w);
        json_key(w, "personality");
        /* NULL (an architecture cell does not know) prints null too. */
        json_string(w, p->personality_set ? personality_to_string(p->personality) : NULL);
}

void plan_sched_text(const Plan *p, FILE *f) {
        const PlanSched *s = &p->sched;

        if (s->nice_set)
                fprintf(f, "Nice:              %d\n", s->nice);
        if (s->cpu_inherit)
                fputs("CPUScheduling:     inherited, reset on fork\n", f);
        else if (s->cpu_set)
                fprintf(f, "CPUScheduling:     %s, priority %d%s\n", sched_policy_to_string(s->cpu_policy),
                        s->cpu_priority, s->cpu_reset_on_fork ? ", reset on fork" : "");
        if (s->io_set)
                fprintf(f, "IOScheduling:      %s, priority %d\n", ioprio_class_to_string(s->io_class),
                        s->io_priority);
        if (s->cpu_affinity) {
                fputs("CPUAffinity:      ", f);
                for (size_t i = 0; i < s->cpu_affinity_size * 8; i++)
                        if (s->cpu_affinity[i / 8] & (1u << (i % 8)))
                                fprintf(f, " %zu", i);
                fputc('\n', f);
        }
        if (p->personality_set)
                fprintf(f, "Personality:       %s\n", strna(personality_to_string(p->personality)));
}
