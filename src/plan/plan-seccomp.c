/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The seccomp rule set: cell's default deny list, always, plus
 * SystemCallFilter= in systemd's syntax. Rules are single syscall names
 * (groups expanded), a few of them for one argument value only, sorted and
 * unique, so the JSON is stable; spawn/ skips names the running
 * architecture does not have. */

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "plan-internal.h"
#include "syscall-groups.h"

/* Denied with EPERM in every container, whatever SystemCallFilter= says.
 * Each reaches kernel state that no namespace isolates. */
const char * const plan_seccomp_default_deny[] = {
        "_sysctl",              /* obsolete sysctl interface, writes host kernel settings */
        "acct",                 /* switches process accounting for the whole host */
        "add_key",              /* the kernel keyring is not namespaced */
        "bpf",                  /* loads programs into the host kernel */
        "create_module",        /* kernel modules (obsolete interface) */
        "delete_module",        /* unloads host kernel modules */
        "finit_module",         /* loads host kernel modules */
        "get_kernel_syms",      /* kernel modules (obsolete interface) */
        "init_module",          /* loads host kernel modules */
        "ioperm",               /* raw I/O port access */
        "iopl",                 /* raw I/O port access, all ports */
        "kexec_file_load",      /* replaces the running kernel */
        "kexec_load",           /* replaces the running kernel */
        "keyctl",               /* the kernel keyring is not namespaced */
        "lookup_dcookie",       /* kernel profiling, leaks host paths */
        "nfsservctl",           /* the kernel NFS server (removed in Linux 3.1) */
        "open_by_handle_at",    /* opens files by handle, past every mount boundary ("shocker") */
        "perf_event_open",      /* host-wide performance events, an information leak */
        "query_module",         /* kernel modules (obsolete interface) */
        "quotactl",             /* quotas of the host's file systems */
        "reboot",               /* the host's reboot; allowed with Boot=yes (seccomp_denies()) */
        "request_key",          /* the kernel keyring is not namespaced */
        "swapoff",              /* the host's swap */
        "swapon",               /* the host's swap */
        "uselib",               /* obsolete a.out loader */
        "userfaultfd",          /* a favourite primitive of kernel exploits */
        "vm86",                 /* x86 virtual 8086 mode */
        "vm86old",              /* x86 virtual 8086 mode */
        NULL,
};

/* ioctl requests denied with EPERM in every container, whatever
 * SystemCallFilter= says, compared on the request's low 32 bits (the kernel
 * reads it as an unsigned int) as Flatpak does. Each pushes bytes into a
 * terminal's input: a container holding an fd of the host's terminal (its
 * stdin, a command of cell exec) would have the host's shell read and run
 * them as host root after cell returned. The kernel refuses TIOCSTI only
 * without CAP_SYS_ADMIN, which a Boot=yes container has in the host's user
 * namespace. */
const PlanIoctlDeny plan_seccomp_default_deny_ioctl[] = {
        { "TIOCSTI", TIOCSTI },         /* CVE-2017-5226: a byte into the input queue */
        { "TIOCLINUX", TIOCLINUX },     /* CVE-2023-28100: the console's selection, pasted as input */
};
const size_t plan_seccomp_n_default_deny_ioctl = ELEMENTSOF(plan_seccomp_default_deny_ioctl);

/* Nested @groups deeper than this are a loop. */
#define PLAN_SYSCALL_GROUP_DEPTH_MAX 16

int plan_seccomp_add(SeccompBuilder *b, const char *name, PlanSeccompAction action, int error) {
        if (b->check_only)
                return 0;
        if (b->n == b->allocated) {
                size_t a = MAX(b->allocated * 2, (size_t) 64);
                SeccompItem *items = realloc(b->items, sizeof(SeccompItem) * a);
                if (!items)
                        return -ENOMEM;
                b->items = items;
                b->allocated = a;
        }
        char *n = strdup(name);
        if (!n)
                return -ENOMEM;
        b->items[b->n] = (SeccompItem) {
                .rule = {
                        .name = n,
                        .action = action,
                        .error = action == PLAN_SECCOMP_ERRNO ? error : 0,
                },
                .seq = b->n,
        };
        b->n++;
        return 0;
}

int plan_seccomp_add_args(SeccompBuilder *b, const char *name, PlanSeccompAction action, int error,
                          const PlanSyscallArg *args, unsigned n_args) {
        PlanSyscallRule *rule;
        int r;

        assert(n_args <= PLAN_SYSCALL_ARGS_MAX);
        r = plan_seccomp_add(b, name, action, error);
        if (r < 0 || b->check_only)
                return r;
        rule = &b->items[b->n - 1].rule;
        rule->n_args = n_args;
        memcpy(rule->args, args, n_args * sizeof *args);
        return 0;
}

int plan_seccomp_add_abi(SeccompBuilder *b, const char *name, PlanSeccompAction action, int error, uint32_t abi) {
        int r = plan_seccomp_add(b, name, action, error);

        if (r < 0 || b->check_only)
                return r;
        b->items[b->n - 1].rule.abi = abi;
        return 0;
}

int plan_seccomp_add_arg(SeccompBuilder *b, const char *name, PlanSeccompAction action, int error, unsigned index,
                         PlanSeccompCompare compare, uint32_t mask, uint32_t value, const char *value_name) {
        const PlanSyscallArg arg = {
                .compare = compare,
                .index = index,
                .mask = mask,
                .value = value,
                .name = value_name,
        };

        return plan_seccomp_add_args(b, name, action, error, &arg, 1);
}

/* Whether the rules so far already deny every call of name (its last rule
 * for any arguments, or the default): a restriction then adds nothing, and
 * must not turn a kill or another errno into its own. */
bool plan_seccomp_denied(const SeccompBuilder *b, const char *name) {
        for (size_t i = b->n; i > 0; i--) {
                const PlanSyscallRule *r = &b->items[i - 1].rule;

                if (r->n_args == 0 && r->abi == 0 && streq(r->name, name))
                        return r->action != PLAN_SECCOMP_ALLOW;
        }
        return b->default_action != PLAN_SECCOMP_ALLOW;
}

static void seccomp_builder_done(SeccompBuilder *b) {
        for (size_t i = 0; i < b->n; i++)
                free(b->items[i].rule.name);
        free(b->items);
        *b = (SeccompBuilder) {};
}

/* Where item was written: its line's drop-in, or the main file. */
static const char *syscall_item_file(const CellConfig *c, const CellSyscall *item) {
        return item->file ?: c->path;
}

/* Adds name (item's, or a member of its group), or every member of an
 * @group (recursively). Returns 0, -ENOMEM, or -EINVAL (reported, at the
 * item's line) for an unknown group or a loop. */
static int seccomp_add_expanded(SeccompBuilder *b, const CellConfig *c, const CellSyscall *item, const char *name,
                                PlanSeccompAction action, int error, unsigned depth, Diagnostics *diag) {
        const char * const *members;
        int r;

        if (name[0] != '@')
                return plan_seccomp_add(b, name, action, error);

        if (depth >= PLAN_SYSCALL_GROUP_DEPTH_MAX)
                return diag_error(diag, syscall_item_file(c, item), item->line,
                                  "SystemCallFilter=%s: groups nest too deep (a loop?)", name) ?: -EINVAL;
        members = syscall_group_members(name);
        if (!members)
                return diag_error(diag, syscall_item_file(c, item), item->line,
                                  "SystemCallFilter=%s: unknown system call group", name) ?: -EINVAL;
        for (const char * const *m = members; *m; m++) {
                r = seccomp_add_expanded(b, c, item, *m, action, error, depth + 1, diag);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Whether the default deny list holds name for this unit. reboot() is
 * allowed to a Boot=yes container's init: in a PID namespace other than the
 * host's the kernel ends that namespace's init instead (SIGHUP for a restart,
 * SIGINT for a halt or power-off; any other command fails), which is how its
 * systemd reboots or powers off, as under systemd-nspawn. */
static bool seccomp_denies(const CellConfig *c, const char *name) {
        return !(c->boot && streq(name, "reboot"));
}

static bool plan_seccomp_in_default_deny(const CellConfig *c, const char *name) {
        for (const char * const *d = plan_seccomp_default_deny; *d; d++)
                if (streq(*d, name))
                        return seccomp_denies(c, name);
        return false;
}

static int seccomp_arg_compare(const PlanSyscallArg *x, const PlanSyscallArg *y) {
        if (x->compare != y->compare)
                return x->compare < y->compare ? -1 : 1;
        if (x->index != y->index)
                return x->index < y->index ? -1 : 1;
        if (x->mask != y->mask)
                return x->mask < y->mask ? -1 : 1;
        if (x->value != y->value)
                return x->value < y->value ? -1 : 1;
        return 0;
}

/* The order of two rules' calls: by name; a name's rules for every ABI
 * first; its rule for any arguments first, then those by fewer
 * comparisons, then by the comparisons. 0: the same calls. */
static int seccomp_rule_calls_compare(const PlanSyscallRule *x, const PlanSyscallRule *y) {
        int r = strcmp(x->name, y->name);

        if (r != 0)
                return r;
        if (x->abi != y->abi)
                return x->abi < y->abi ? -1 : 1;
        if (x->n_args != y->n_args)
                return x->n_args < y->n_args ? -1 : 1;
        for (unsigned i = 0; i < x->n_args; i++) {
                r = seccomp_arg_compare(&x->args[i], &y->args[i]);
                if (r != 0)
                        return r;
        }
        return 0;
}

static int seccomp_item_compare(const void *a, const void *b) {
        const SeccompItem *x = a, *y = b;
        int r = seccomp_rule_calls_compare(&x->rule, &y->rule);

        if (r != 0)
                return r;
        return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sorted by name (then argument), one rule per name and argument: the last
 * one added. */
static int seccomp_builder_finish(SeccompBuilder *b, Plan *p) {
        if (b->n > 1)
                qsort(b->items, b->n, sizeof(SeccompItem), seccomp_item_compare);

        p->syscalls = new0(PlanSyscallRule, b->n ?: 1);
        if (!p->syscalls)
                return -ENOMEM;
        for (size_t i = 0; i < b->n; i++) {
                if (i + 1 < b->n && seccomp_rule_calls_compare(&b->items[i].rule, &b->items[i + 1].rule) == 0) {
                        free(b->items[i].rule.name);
                        continue;
                }
                p->syscalls[p->n_syscalls++] = b->items[i].rule;
        }
        b->n = 0;       /* every name is owned by the plan or freed */
        return 0;
}

static int seccomp_add_default_deny(SeccompBuilder *b, const CellConfig *c) {
        int r;

        for (const char * const *d = plan_seccomp_default_deny; *d; d++) {
                if (!seccomp_denies(c, *d))
                        continue;
                r = plan_seccomp_add(b, *d, PLAN_SECCOMP_ERRNO, EPERM);
                if (r < 0)
                        return r;
        }
        /* ioctl(fd, REQUEST, ...): the request is argument 1. */
        for (size_t i = 0; i < plan_seccomp_n_default_deny_ioctl; i++) {
                const PlanIoctlDeny *d = plan_seccomp_default_deny_ioctl + i;
                r = plan_seccomp_add_arg(b, "ioctl", PLAN_SECCOMP_ERRNO, EPERM, 1, PLAN_SECCOMP_MASKED_EQ, UINT32_MAX, d->request, d->name);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* SuppressSync=, as systemd-nspawn's: every call of @sync returns 0 and
 * does nothing; open() and openat() with O_SYNC or O_DSYNC fail with EINVAL
 * (a program may then open without), and openat2(), whose flags no filter
 * can see, with ENOSYS (libc falls back to openat()). Added last: they win
 * over an allow list's rules for the same calls. */
static int seccomp_add_suppress_sync(SeccompBuilder *b) {
        static const struct {
                const char *name;
                unsigned flags_index;
        } opens[] = {
                { "open", 1 },
                { "openat", 2 },
        };
        int r;

        for (const char * const *m = syscall_group_members("@sync"); m && *m; m++) {
                r = plan_seccomp_add(b, *m, PLAN_SECCOMP_SUCCEED, 0);
                if (r < 0)
                        return r;
        }
        /* O_SYNC is __O_SYNC|O_DSYNC: the O_DSYNC bit catches both as libc
         * passes them; __O_SYNC alone, which the kernel takes for O_SYNC, has
         * a rule of its own. */
        for (size_t i = 0; i < ELEMENTSOF(opens); i++) {
                r = plan_seccomp_add_arg(b, opens[i].name, PLAN_SECCOMP_ERRNO, EINVAL, opens[i].flags_index,
                                         PLAN_SECCOMP_MASKED_EQ, O_DSYNC, O_DSYNC, "O_DSYNC");
                if (r >= 0)
                        r = plan_seccomp_add_arg(b, opens[i].name, PLAN_SECCOMP_ERRNO, EINVAL,
                                                 opens[i].flags_index, PLAN_SECCOMP_MASKED_EQ, O_SYNC & ~O_DSYNC,
                                                 O_SYNC & ~O_DSYNC, "__O_SYNC");
                if (r < 0)
                        return r;
        }
        return plan_seccomp_add(b, "openat2", PLAN_SECCOMP_ERRNO, ENOSYS);
}

/* Whether the allow list of c names name, itself or by a group. */
static bool syscall_filter_allows(const CellConfig *c, const char *name) {
        for (size_t i = 0; i < c->n_syscall_filter; i++) {
                const char *item = c->syscall_filter[i].name;

                if (streq(item, name) || (item[0] == '@' && syscall_group_contains(item, name)))
                        return true;
        }
        return false;
}

/* execve(2) in an allow list that left it out ("~execve"): cell execs the
 * payload after the filter is in, so it is allowed anyway, and for every
 * later exec of the payload too. Said, and in the rules, so that the plan
 * shows what the payload gets; systemd's start would fail instead. */
static int seccomp_allow_execve(SeccompBuilder *b, const CellConfig *c, Diagnostics *diag) {
        const char *file;
        unsigned line;
        int r;

        if (syscall_filter_allows(c, "execve"))
                return 0;
        /* About the key as a whole: its removals keep no line of their own. */
        line = cell_config_origin(c, "SystemCallFilter", 0, &file);
        r = diag_warning(diag, file, line,
                         "SystemCallFilter=: the allow list leaves out execve, which starts the payload: "
                         "allowed anyway, for the payload's later execs too");
        if (r < 0)
                return r;
        return plan_seccomp_add(b, "execve", PLAN_SECCOMP_ALLOW, 0);
}

/* What a configured error (an errno, 0, CELL_SYSCALL_KILL) makes a denied call do. */
static PlanSeccompAction seccomp_deny_action(int error) {
        return error == CELL_SYSCALL_KILL ? PLAN_SECCOMP_KILL :
                error == 0 ? PLAN_SECCOMP_SUCCEED : PLAN_SECCOMP_ERRNO;
}

static int plan_build_seccomp_rules(Plan *p, const CellConfig *c, SeccompBuilder *b, Diagnostics *diag) {
        int error = c->syscall_error_number >= 0 ? c->syscall_error_number : EPERM;
        bool invalid = false;
        int r;

        p->seccomp = true;
        p->suppress_sync = c->suppress_sync;

        if (!c->syscall_filter_set || !c->syscall_filter_allow_list) {
                /* No filter, or a deny list ("~..."): everything is allowed but
                 * the default deny list and the names given. Rules added later
                 * win, so ":ERRNO" on a name of the default list changes its
                 * error. */
                p->seccomp_default_action = PLAN_SECCOMP_ALLOW;
                b->default_action = PLAN_SECCOMP_ALLOW;
                r = seccomp_add_default_deny(b, c);
                if (r < 0)
                        return r;
                for (size_t i = 0; c->syscall_filter_set && i < c->n_syscall_filter; i++) {
                        const CellSyscall *s = &c->syscall_filter[i];
                        int e = s->error >= 0 ? s->error : error;

                        r = seccomp_add_expanded(b, c, s, s->name, seccomp_deny_action(e), e, 0, diag);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0)
                                invalid = true;
                        /* The filter is in before cell execs the payload: a
                         * unit that denies execve could never start (as under
                         * systemd, whose start fails): said at its line. */
                        if (streq(s->name, "execve") ||
                            (s->name[0] == '@' && syscall_group_contains(s->name, "execve"))) {
                                r = diag_error(diag, syscall_item_file(c, s), s->line,
                                               "SystemCallFilter=~%s: denies execve, which starts the payload: "
                                               "the container could never start", s->name);
                                if (r < 0)
                                        return r;
                                invalid = true;
                        }
                }
                r = plan_seccomp_restrict(p, c, b, diag);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        invalid = true;
                if (c->suppress_sync && (r = seccomp_add_suppress_sync(b)) < 0)
                        return r;
                return invalid ? -EINVAL : 0;
        }

        /* An allow list, even one a "~" line emptied: everything else fails
         * with SystemCallErrorNumber= (EPERM), or kills. The parser started
         * it with @default, as systemd does, so that a process can map
         * memory and exit at all. */
        p->seccomp_default_action = error == CELL_SYSCALL_KILL ? PLAN_SECCOMP_KILL : PLAN_SECCOMP_ERRNO;
        p->seccomp_default_error = p->seccomp_default_action == PLAN_SECCOMP_ERRNO ? error : 0;
        b->default_action = p->seccomp_default_action;
        for (size_t i = 0; i < c->n_syscall_filter; i++) {
                const CellSyscall *s = &c->syscall_filter[i];

                if (s->error >= 0) {
                        /* systemd ignores it too: in an allow list there is no error to return. */
                        r = diag_warning(diag, syscall_item_file(c, s), s->line,
                                         "SystemCallFilter=%s: an error number applies only to a deny list (\"~\"), ignoring it",
                                         s->name);
                        if (r < 0)
                                return r;
                }
                if (s->name[0] != '@' && !s->from_group && plan_seccomp_in_default_deny(c, s->name)) {
                        r = diag_warning(diag, syscall_item_file(c, s), s->line,
                                         "SystemCallFilter=%s: always denied (cell's default deny list), ignoring it",
                                         s->name);
                        if (r < 0)
                                return r;
                }
                r = seccomp_add_expanded(b, c, s, s->name, PLAN_SECCOMP_ALLOW, 0, 0, diag);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        invalid = true;
        }
        r = seccomp_allow_execve(b, c, diag);
        if (r < 0)
                return r;
        /* Last, so that they win over any allow rule from a group. */
        r = seccomp_add_default_deny(b, c);
        if (r < 0)
                return r;
        r = plan_seccomp_restrict(p, c, b, diag);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                invalid = true;
        if (c->suppress_sync && (r = seccomp_add_suppress_sync(b)) < 0)
                return r;
        return invalid ? -EINVAL : 0;
}

int plan_build_seccomp(Plan *p, const CellConfig *c, bool expand, Diagnostics *diag) {
        SeccompBuilder b = {
                .check_only = !expand,
        };
        int r, k;

        r = plan_build_seccomp_rules(p, c, &b, diag);
        if (r != -ENOMEM) {
                k = seccomp_builder_finish(&b, p);
                if (k < 0)
                        r = k;
        }
        seccomp_builder_done(&b);
        return r;
}
