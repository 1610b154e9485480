/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared between the plan_build() parts (plan.c, plan-mount.c,
 * plan-seccomp.c, plan-scope.c) and the printers. Not for other stages. */

#include <stdlib.h>

#include "plan.h"

/* Appends a mount; strings are copied (NULL stays NULL). Returns the new
 * entry in *ret (valid until the next append), 0 or -ENOMEM. */
int plan_mount_append(Plan *p, PlanMountKind kind, const char *source, const char *target,
                      const char *fstype, unsigned long flags, const char *data, PlanMount **ret);
/* Frees what one entry of p->mounts holds. */
void plan_mount_done(PlanMount *m);
/* path's components joined by one "/" each, after a "/": "/a//b/" is "/a/b",
 * "//" is "" (as path_is_below() takes them, any path is below it). NULL:
 * no memory. */
char *plan_path_components(const char *path);
int plan_build_mounts(Plan *p, const CellConfig *c, Diagnostics *diag);
/* plan-exec-check.c: whether an absolute path, as written, passes a /proc
 * magic link (/proc/self/exe, /proc/1/root/..., /proc/self/fd/N); and
 * Exec='s command refused at its line when it does, as the start would. */
bool plan_path_has_proc_magic_link(const char *path);
int plan_command_check_proc(const Plan *p, const CellConfig *c, Diagnostics *diag);
/* expand=false: check groups and names, build no rules (PlanOptions.verify_only). */
int plan_build_seccomp(Plan *p, const CellConfig *c, bool expand, Diagnostics *diag);
int plan_build_scope(Plan *p, const CellConfig *c, Diagnostics *diag);
int plan_build_etc(Plan *p, const CellConfig *c, Diagnostics *diag);
int plan_build_network(Plan *p, const CellConfig *c, Diagnostics *diag);
int plan_build_machine(Plan *p, const CellConfig *c, const PlanOptions *opts, Diagnostics *diag);
void plan_links_free(PlanLink *l, size_t n);
/* plan-sched.c: Nice= ... CPUAffinity=, Personality=; and how the printers
 * show them (the JSON's keys always, the text's lines only when set). */
int plan_build_sched(Plan *p, const CellConfig *c);
void plan_sched_done(Plan *p);
struct JsonWriter;
void plan_sched_json(struct JsonWriter *w, const Plan *p);
void plan_sched_text(const Plan *p, FILE *f);
void plan_etc_file_done(PlanEtcFile *f);
/* plan-origin.c: where the unit set the keys the start may name (Plan.origins). */
int plan_build_credentials(Plan *p, const CellConfig *c);
void plan_credentials_done(Plan *p);
struct JsonWriter;
void plan_credentials_json(struct JsonWriter *w, const Plan *p);
void plan_credentials_text(const Plan *p, FILE *f);
int plan_build_origins(Plan *p, const CellConfig *c, const PlanOptions *opts);
void plan_origins_done(Plan *p);

/* Names for the printers; NULL when unknown. */
const char *plan_capability_to_name(unsigned cap);     /* "CAP_CHOWN" */
const char *plan_rlimit_to_name(int resource);         /* "NOFILE" */
const char *plan_volatile_to_string(CellVolatile v);   /* "no", "yes", "state", "overlay" */

/* The namespaces and mount flags the plan uses, with their names, in the
 * order they are printed. */
typedef struct PlanFlagName {
        unsigned long flag;
        const char *name;
} PlanFlagName;
extern const PlanFlagName plan_namespace_names[];
extern const size_t plan_namespace_names_count;
extern const PlanFlagName plan_mount_flag_names[];
extern const size_t plan_mount_flag_names_count;
extern const PlanFlagName plan_protect_names[];         /* plan-protect.c */
extern const size_t plan_protect_names_count;

/* "SIGTERM", "SIGRTMIN+3" into buf. */
/* "EPERM" into buf, or the number. */
const char *plan_errno_to_string(int error, char *buf, size_t size);

#define new0(t, n) ((t *) calloc((n), sizeof(t)))

/* Exposed for the tests. */
uint32_t plan_users_pick_base(const char *name);
char *plan_hostname_from_name(const char *name);

/* cell's default seccomp deny list, NULL-terminated (plan-seccomp.c). */
extern const char * const plan_seccomp_default_deny[];
/* ...and its ioctl requests, denied by argument (plan-seccomp.c). */
typedef struct PlanIoctlDeny {
        const char *name;
        uint32_t request;
} PlanIoctlDeny;
extern const PlanIoctlDeny plan_seccomp_default_deny_ioctl[];
extern const size_t plan_seccomp_n_default_deny_ioctl;

/* The seccomp rules as plan-seccomp.c collects them: of the rules for one
 * call (and argument), the last one added wins. */
typedef struct SeccompItem {
        PlanSyscallRule rule;
        size_t seq;             /* insertion order */
} SeccompItem;

typedef struct SeccompBuilder {
        SeccompItem *items;
        size_t n, allocated;
        bool check_only;        /* walk and check everything, keep nothing */
        PlanSeccompAction default_action;
} SeccompBuilder;

/* A rule for name, whatever its arguments; one for name only when
 * argument index compares with value as compare says (value_name: static,
 * for the printers); and one only when all n_args comparisons hold (at most
 * PLAN_SYSCALL_ARGS_MAX, each of another argument). 0 or -ENOMEM. */
int plan_seccomp_add(SeccompBuilder *b, const char *name, PlanSeccompAction action, int error);
int plan_seccomp_add_arg(SeccompBuilder *b, const char *name, PlanSeccompAction action, int error, unsigned index,
                         PlanSeccompCompare compare, uint32_t mask, uint32_t value, const char *value_name);
int plan_seccomp_add_args(SeccompBuilder *b, const char *name, PlanSeccompAction action, int error,
                          const PlanSyscallArg *args, unsigned n_args);
/* A rule for name, whatever its arguments, through abi's entry point alone. */
int plan_seccomp_add_abi(SeccompBuilder *b, const char *name, PlanSeccompAction action, int error, uint32_t abi);

/* Whether the rules so far already deny every call of name (its last rule
 * for any arguments, or the default). */
bool plan_seccomp_denied(const SeccompBuilder *b, const char *name);

/* plan-seccomp-restrict.c: the rules of RestrictNamespaces=,
 * RestrictAddressFamilies= and LockPersonality=, added after
 * SystemCallFilter='s; and SystemCallArchitectures=. */
int plan_seccomp_restrict(Plan *p, const CellConfig *c, SeccompBuilder *b, Diagnostics *diag);
/* plan-seccomp-print.c: the "seccomp" object of the JSON, the
 * "Seccomp:" lines of the text, with what those keys asked for. */
const char *plan_seccomp_compare_to_string(PlanSeccompCompare c);    /* "masked-eq", "ne", "ge" */
void plan_seccomp_json(struct JsonWriter *w, const Plan *p);
void plan_seccomp_text(const Plan *p, FILE *f);

/* plan-protect.c: the Protect*= keys (Plan.protect, from the config's),
 * their rules (added after SystemCallFilter='s), the capabilities they take
 * out, the paths they mask or make read-only. */
unsigned plan_protect_flags(const CellConfig *c);
int plan_protect_seccomp(const Plan *p, SeccompBuilder *b);
uint64_t plan_protect_capabilities(unsigned protect);
int plan_protect_mounts(Plan *p);
