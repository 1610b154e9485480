/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How the printers show the seccomp filter: the JSON's "seccomp" object
 * and the text's "Seccomp:" lines, with what the keys that add to it asked
 * for (plan-seccomp-restrict.c). */

#include <errno.h>
#include <stdio.h>

#include "json-write.h"
#include "parse-isolation.h"
#include "parse-sched.h"
#include "plan-internal.h"

static void json_errno(JsonWriter *w, int error) {
        char buf[32];
        json_string(w, plan_errno_to_string(error, buf, sizeof buf));
}

const char *plan_seccomp_compare_to_string(PlanSeccompCompare c) {
        switch (c) {
        case PLAN_SECCOMP_MASKED_EQ:
                return "masked-eq";
        case PLAN_SECCOMP_NE:
                return "ne";
        case PLAN_SECCOMP_GE:
                return "ge";
        default:
                return "unknown";
        }
}

static void seccomp_restrict_json(JsonWriter *w, const Plan *p) {
        json_key(w, "architectures");
        if (p->n_syscall_archs > 0) {
                json_array_begin_inline(w);
                for (size_t i = 0; i < p->n_syscall_archs; i++)
                        json_string(w, syscall_arch_to_string(p->syscall_archs[i]));
                json_array_end(w);
        } else
                json_null(w);

        json_key(w, "namespaces_allowed");
        if (p->restrict_namespaces) {
                json_array_begin_inline(w);
                for (unsigned long f = 1; f != 0 && f <= namespace_flags_all(); f <<= 1)
                        if (p->namespaces_allowed & f)
                                json_string(w, namespace_flag_to_string(f));
                json_array_end(w);
        } else
                json_null(w);

        json_key(w, "address_families");
        if (p->restrict_address_families) {
                json_object_begin_inline(w);
                json_key(w, "allow_list");
                json_bool(w, p->address_families_allow_list);
                json_key(w, "families");
                json_array_begin_inline(w);
                for (int af = 0; af < 64; af++)
                        if (p->address_families & (UINT64_C(1) << af))
                                json_string(w, address_family_to_string(af));
                json_array_end(w);
                json_object_end(w);
        } else
                json_null(w);

        json_key(w, "lock_personality");
        json_string(w, p->lock_personality ? personality_to_string(p->locked_personality) : NULL);

        json_key(w, "restrict_realtime");
        json_bool(w, p->restrict_realtime);

        json_key(w, "restrict_suid_sgid");
        json_bool(w, p->restrict_suid_sgid);

        json_key(w, "memory_deny_write_execute");
        json_bool(w, p->memory_deny_write_execute);
}

static void seccomp_restrict_text(const Plan *p, FILE *f) {
        if (p->n_syscall_archs > 0) {
                fputs("  architectures:", f);
                for (size_t i = 0; i < p->n_syscall_archs; i++)
                        fprintf(f, " %s", strna(syscall_arch_to_string(p->syscall_archs[i])));
                fputc('\n', f);
        }
        if (p->restrict_namespaces) {
                fputs("  namespaces allowed:", f);
                if (p->namespaces_allowed == 0)
                        fputs(" none", f);
                for (unsigned long fl = 1; fl != 0 && fl <= namespace_flags_all(); fl <<= 1)
                        if (p->namespaces_allowed & fl)
                                fprintf(f, " %s", namespace_flag_to_string(fl));
                fputc('\n', f);
        }
        if (p->restrict_address_families) {
                fprintf(f, "  address families %s:", p->address_families_allow_list ? "allowed" : "denied");
                if (p->address_families == 0)
                        fputs(" none", f);
                for (int af = 0; af < 64; af++)
                        if (p->address_families & (UINT64_C(1) << af))
                                fprintf(f, " %s", strna(address_family_to_string(af)));
                fputc('\n', f);
        }
        if (p->lock_personality)
                fprintf(f, "  personality locked: %s\n", strna(personality_to_string(p->locked_personality)));
        if (p->restrict_realtime)
                fputs("  real-time scheduling: refused\n", f);
        if (p->restrict_suid_sgid)
                fputs("  set-user-ID and set-group-ID bits: refused\n", f);
        if (p->memory_deny_write_execute)
                fputs("  writable and executable memory: refused\n", f);
}

void plan_seccomp_json(JsonWriter *w, const Plan *p) {
        json_object_begin(w);
        json_key(w, "enabled");
        json_bool(w, p->seccomp);
        json_key(w, "default_action");
        json_string(w, plan_seccomp_action_to_string(p->seccomp_default_action));
        json_key(w, "default_errno");
        if (p->seccomp_default_action == PLAN_SECCOMP_ERRNO)
                json_errno(w, p->seccomp_default_error);
        else
                json_null(w);
        json_key(w, "suppress_sync");
        json_bool(w, p->suppress_sync);
        seccomp_restrict_json(w, p);
        json_key(w, "rules");
        json_array_begin(w);
        for (size_t i = 0; i < p->n_syscalls; i++) {
                const PlanSyscallRule *r = &p->syscalls[i];

                json_object_begin_inline(w);
                json_key(w, "syscall");
                json_string(w, r->name);
                json_key(w, "action");
                json_string(w, plan_seccomp_action_to_string(r->action));
                json_key(w, "errno");
                if (r->action == PLAN_SECCOMP_ERRNO)
                        json_errno(w, r->error);
                else
                        json_null(w);
                json_key(w, "arguments");
                json_array_begin_inline(w);
                for (unsigned k = 0; k < r->n_args; k++) {
                        const PlanSyscallArg *a = &r->args[k];

                        json_object_begin_inline(w);
                        json_key(w, "compare");
                        json_string(w, plan_seccomp_compare_to_string(a->compare));
                        json_key(w, "index");
                        json_uint(w, a->index);
                        json_key(w, "mask");
                        json_uint(w, a->mask);
                        json_key(w, "value");
                        json_uint(w, a->value);
                        json_key(w, "name");
                        json_string(w, a->name);
                        json_object_end(w);
                }
                json_array_end(w);
                json_key(w, "abi");
                json_string(w, r->abi != 0 ? syscall_arch_to_string(r->abi) : NULL);
                json_object_end(w);
        }
        json_array_end(w);
        json_object_end(w);
}

void plan_seccomp_text(const Plan *p, FILE *f) {
        char buf[32];

        fprintf(f, "Seccomp:           default %s", plan_seccomp_action_to_string(p->seccomp_default_action));
        if (p->seccomp_default_action == PLAN_SECCOMP_ERRNO)
                fprintf(f, " (%s)", plan_errno_to_string(p->seccomp_default_error, buf, sizeof buf));
        fprintf(f, ", %zu rules\n", p->n_syscalls);
        seccomp_restrict_text(p, f);
        for (PlanSeccompAction a = PLAN_SECCOMP_ALLOW; a <= PLAN_SECCOMP_SUCCEED; a++) {
                size_t n = 0;

                for (size_t i = 0; i < p->n_syscalls; i++) {
                        const PlanSyscallRule *r = &p->syscalls[i];

                        if (r->action != a)
                                continue;
                        if (n++ == 0)
                                fprintf(f, "  %s:", plan_seccomp_action_to_string(a));
                        fprintf(f, " %s", r->name);
                        for (unsigned k = 0; k < r->n_args; k++)
                                fprintf(f, "%s%s%s%s", k == 0 ? "[" : "&",
                                        r->args[k].compare == PLAN_SECCOMP_NE ? "!=" :
                                        r->args[k].compare == PLAN_SECCOMP_GE ? ">=" : "", strna(r->args[k].name),
                                        k + 1 == r->n_args ? "]" : "");
                        if (r->abi != 0)
                                fprintf(f, "@%s", strna(syscall_arch_to_string(r->abi)));
                        if (a == PLAN_SECCOMP_ERRNO && r->error != EPERM)
                                fprintf(f, "(%s)", plan_errno_to_string(r->error, buf, sizeof buf));
                }
                if (n > 0)
                        fputc('\n', f);
        }
}
