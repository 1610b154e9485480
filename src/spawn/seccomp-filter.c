/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <linux/ipc.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp-filter.h"

static void seccomp_releasep(scmp_filter_ctx *c) {
        if (*c)
                seccomp_release(*c);
}

static uint32_t seccomp_action(PlanSeccompAction a, int error) {
        switch (a) {
        case PLAN_SECCOMP_ALLOW:
                return SCMP_ACT_ALLOW;
        case PLAN_SECCOMP_ERRNO:
                return SCMP_ACT_ERRNO((uint16_t) (error > 0 ? error : EPERM));
        case PLAN_SECCOMP_KILL:
                return SCMP_ACT_KILL_PROCESS;
        case PLAN_SECCOMP_SUCCEED:
                return SCMP_ACT_ERRNO(0);       /* a return value of 0: success, nothing done */
        default:
                return SCMP_ACT_KILL_PROCESS;
        }
}

/* Rules by argument, and those of one ABI, are the guard's. */
static bool rule_in_guard(const PlanSyscallRule *rule) {
        return rule->n_args > 0 || rule->abi != 0;
}

/* The SysV IPC calls that i386 (and s390, ppc) also make through one
 * multiplexer, ipc(CALL, first, second, third, ptr, fifth); for each of
 * the call's own arguments, the one of ipc's that the kernel hands on as
 * it (-1: read from memory, which no filter sees). */
typedef struct IpcCall {
        const char *name;
        uint32_t call;
        int8_t arg[6];
} IpcCall;

static const IpcCall ipc_calls[] = {
        { "msgctl", MSGCTL, { 1, 2, 4, -1, -1, -1 } },
        { "msgget", MSGGET, { 1, 2, -1, -1, -1, -1 } },
        /* msgp and msgtyp: in memory for version 0, in ptr and fifth else. */
        { "msgrcv", MSGRCV, { 1, -1, 2, -1, 3, -1 } },
        { "msgsnd", MSGSND, { 1, 4, 2, 3, -1, -1 } },
        { "semctl", SEMCTL, { 1, 2, 3, -1, -1, -1 } },
        { "semget", SEMGET, { 1, 2, 3, -1, -1, -1 } },
        { "semop", SEMOP, { 1, 4, 2, -1, -1, -1 } },
        { "semtimedop", SEMTIMEDOP, { 1, 4, 2, 5, -1, -1 } },
        { "shmat", SHMAT, { 1, 4, 2, -1, -1, -1 } },
        { "shmctl", SHMCTL, { 1, 2, 4, -1, -1, -1 } },
        { "shmdt", SHMDT, { 4, -1, -1, -1, -1, -1 } },
        { "shmget", SHMGET, { 1, 2, 3, -1, -1, -1 } },
};

/* A rule that denies one of them; NULL for any other rule. */
static const IpcCall *rule_ipc_call(const PlanSyscallRule *rule) {
        if (rule->action == PLAN_SECCOMP_ALLOW)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(ipc_calls); i++)
                if (streq(ipc_calls[i].name, rule->name))
                        return ipc_calls + i;
        return NULL;
}

static bool rules_name(const PlanSyscallRule *rules, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (!rule_in_guard(rules + i) && streq(rules[i].name, name))
                        return true;
        return false;
}

static bool rules_need_guard(const PlanSyscallRule *rules, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (rule_in_guard(rules + i) || rule_ipc_call(rules + i))
                        return true;
        return false;
}

static struct scmp_arg_cmp seccomp_cmp(unsigned index, const PlanSyscallArg *a) {
        if (a->compare == PLAN_SECCOMP_NE)
                return SCMP_CMP(index, SCMP_CMP_NE, a->value);
        if (a->compare == PLAN_SECCOMP_GE)
                return SCMP_CMP(index, SCMP_CMP_GE, a->value);
        /* The low 32 bits only (the mask has no more): the kernel truncates
         * an int argument, so a value with its high half set must match too. */
        return SCMP_CMP(index, SCMP_CMP_MASKED_EQ, a->mask, a->value);
}

static int seccomp_add(scmp_filter_ctx c, const PlanSyscallRule *rule, uint32_t action, uint32_t default_action) {
        struct scmp_arg_cmp cmp[PLAN_SYSCALL_ARGS_MAX] = {};
        int nr, r;

        /* A name this architecture (or libseccomp) does not know has
         * nothing to filter here. */
        nr = seccomp_syscall_resolve_name(rule->name);
        if (nr == __NR_SCMP_ERROR)
                return 0;
        if (action == default_action)
                return 0;
        if (rule->n_args > PLAN_SYSCALL_ARGS_MAX)
                return -EINVAL;
        for (unsigned i = 0; i < rule->n_args; i++)
                cmp[i] = seccomp_cmp(rule->args[i].index, &rule->args[i]);
        /* All of them must hold for the rule to match. */
        r = seccomp_rule_add_array(c, action, nr, rule->n_args, cmp);
        /* -EDOM/-EINVAL: a pseudo syscall not present on a secondary arch. */
        if (r == -EDOM || r == -EOPNOTSUPP)
                return 0;
        return r;
}

/* A rule denying a SysV IPC call, once more for ipc() on an ABI that has
 * it. libseccomp's own (for a rule on shmat(), ipc(SHMAT, ...)) compares
 * the whole first argument, but the kernel takes the call from its low 16
 * bits and the rest as a "version" that most calls ignore: without this,
 * ipc(SHMAT | 2 << 16, id, SHM_EXEC, ...) is shmat() past the rule. The
 * call's arguments compared at ipc's places; one ipc has in memory is not
 * compared, so the rule denies more there, never less. */
static int seccomp_add_ipc(scmp_filter_ctx c, const PlanSyscallRule *rule, const IpcCall *call, uint32_t action) {
        struct scmp_arg_cmp cmp[1 + PLAN_SYSCALL_ARGS_MAX];
        unsigned n = 0;
        int nr, r;

        if (rule->n_args > PLAN_SYSCALL_ARGS_MAX)
                return -EINVAL;
        nr = seccomp_syscall_resolve_name("ipc");
        if (nr == __NR_SCMP_ERROR)
                return 0;
        cmp[n++] = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffff, call->call);
        for (unsigned i = 0; i < rule->n_args; i++) {
                int at = rule->args[i].index < ELEMENTSOF(call->arg) ? call->arg[rule->args[i].index] : -1;

                if (at >= 0)
                        cmp[n++] = seccomp_cmp((unsigned) at, &rule->args[i]);
        }
        r = seccomp_rule_add_array(c, action, nr, n, cmp);
        /* An ABI without ipc() (x86-64, x32): its calls are direct. */
        if (r == -EDOM || r == -EOPNOTSUPP)
                return 0;
        return r;
}

/* The ABIs the filter covers, the native one first, which it always does;
 * archs (SystemCallArchitectures=) lists the others; none: every one this
 * machine runs, so that a 32-bit entry point cannot bypass the rules.
 * Returns how many are in ret (room for SECCOMP_FILTER_ARCHS_MAX). */
#define SECCOMP_FILTER_ARCHS_MAX (CELL_SYSCALL_ARCHS_MAX + 1)
static size_t seccomp_filter_archs(const uint32_t *archs, size_t n_archs, uint32_t ret[static SECCOMP_FILTER_ARCHS_MAX]) {
        static const uint32_t x86_64_secondary[] = { SCMP_ARCH_X86, SCMP_ARCH_X32 };
        size_t n = 0;

        ret[n++] = seccomp_arch_native();
        if (n_archs == 0 && seccomp_arch_native() == SCMP_ARCH_X86_64) {
                archs = x86_64_secondary;
                n_archs = ELEMENTSOF(x86_64_secondary);
        }
        for (size_t i = 0; i < n_archs && n < SECCOMP_FILTER_ARCHS_MAX; i++)
                if (archs[i] != seccomp_arch_native())
                        ret[n++] = archs[i];
        return n;
}

static int seccomp_add_arches(scmp_filter_ctx c, const uint32_t *archs, size_t n_archs, SpawnError *err) {
        uint32_t list[SECCOMP_FILTER_ARCHS_MAX];
        size_t n = seccomp_filter_archs(archs, n_archs, list);
        int r;

        for (size_t i = 1; i < n; i++) {
                r = seccomp_arch_add(c, list[i]);
                if (r < 0 && r != -EEXIST)
                        return spawn_error(err, r, "SystemCallFilter=: adding a secondary architecture");
        }
        return 0;
}

int seccomp_filter_build(PlanSeccompAction default_action, int default_error,
                         const PlanSyscallRule *rules, size_t n_rules, const uint32_t *archs, size_t n_archs,
                         bool no_new_privs, scmp_filter_ctx *ret, SpawnError *err) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx c = NULL;
        uint32_t def = seccomp_action(default_action, default_error);
        int r;

        c = seccomp_init(def);
        if (!c)
                return spawn_error(err, ENOMEM, "SystemCallFilter=: seccomp_init");

        r = seccomp_add_arches(c, archs, n_archs, err);
        if (r < 0)
                return r;
        /* A call through the entry point of an ABI the filter does not cover
         * (one SystemCallArchitectures= leaves out; on a host where cell adds
         * no secondary ABI, any other) kills the whole process, as cell's
         * kill does everywhere: libseccomp's default kills the thread alone,
         * and the rest of the payload would go on. */
        r = seccomp_attr_set(c, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        if (r < 0)
                return spawn_error(err, r, "SystemCallFilter=: setting the action for other architectures");

        r = seccomp_attr_set(c, SCMP_FLTATR_CTL_NNP, no_new_privs ? 1 : 0);
        if (r < 0)
                return spawn_error(err, r, "SystemCallFilter=: setting no_new_privs");

        /* Rules as a binary tree sorted by number, not a list: the same
         * verdicts, but the kernel runs the program for every syscall number
         * of both entry points when it takes it (its allow cache), under the
         * task's signal lock, after GO: 40 µs instead of 120 here. Only
         * libseccomp >= 2.5 has it; an older one builds the list. */
        r = seccomp_attr_set(c, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        if (r < 0 && r != -EINVAL && r != -EOPNOTSUPP)
                return spawn_error(err, r, "SystemCallFilter=: asking for a binary tree");

        for (size_t i = 0; i < n_rules; i++) {
                if (rule_in_guard(rules + i))
                        continue;       /* the guard's (seccomp_guard_build()) */
                r = seccomp_add(c, rules + i, seccomp_action(rules[i].action, rules[i].error), def);
                if (r < 0)
                        return spawn_error(err, r, "SystemCallFilter=: adding %s", rules[i].name);
        }

        /* Our own execve() of the payload comes after the filter; the plan
         * has it already (with a warning where the unit left it out), this
         * is for rules of no plan's. execveat() is the unit's to allow: cell
         * does not use it. */
        if (default_action != PLAN_SECCOMP_ALLOW && !rules_name(rules, n_rules, "execve")) {
                r = seccomp_add(c, &(const PlanSyscallRule) { .name = (char *) "execve" }, SCMP_ACT_ALLOW, def);
                if (r < 0)
                        return spawn_error(err, r, "SystemCallFilter=: allowing execve");
        }

        *ret = TAKE_PTR(c);
        return 0;
}

/* The guard's rules for one ABI, arch, in a filter of its own: those for
 * every ABI and those for arch alone. */
static int seccomp_guard_arch(uint32_t arch, const PlanSyscallRule *rules, size_t n_rules, scmp_filter_ctx *ret,
                              SpawnError *err) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx c = NULL;
        int r;

        c = seccomp_init(SCMP_ACT_ALLOW);
        if (!c)
                return spawn_error(err, ENOMEM, "SystemCallFilter=: seccomp_init");
        r = seccomp_attr_set(c, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
        if (r >= 0 && arch != seccomp_arch_native()) {
                r = seccomp_arch_remove(c, SCMP_ARCH_NATIVE);
                if (r >= 0)
                        r = seccomp_arch_add(c, arch);
        }
        if (r < 0)
                return spawn_error(err, r, "SystemCallFilter=: building the argument rules");
        for (size_t i = 0; i < n_rules; i++) {
                const IpcCall *call = rule_ipc_call(rules + i);
                uint32_t action = seccomp_action(rules[i].action, rules[i].error);

                if (rules[i].abi != 0 && rules[i].abi != arch)
                        continue;
                r = rule_in_guard(rules + i) ? seccomp_add(c, rules + i, action, SCMP_ACT_ALLOW) : 0;
                if (r >= 0 && call)
                        r = seccomp_add_ipc(c, rules + i, call, action);
                if (r < 0)
                        return spawn_error(err, r, "SystemCallFilter=: adding %s[%s]", rules[i].name,
                                           strna(rules[i].n_args > 0 ? rules[i].args[0].name : NULL));
        }
        *ret = TAKE_PTR(c);
        return 0;
}

/* The rules by argument, and those for one ABI, in a filter of their own
 * that allows everything else: libseccomp has no defined verdict for a call
 * that both an argument rule and a rule for any arguments match (an allow
 * list that allows ioctl, and ioctl(TIOCSTI) denied). One filter per ABI,
 * merged: a rule for one ABI (i386's old mmap()) must not touch the
 * native call of the same name. Unknown arches pass here too: the filter
 * behind the guard refuses them. */
static int seccomp_guard_build(const PlanSyscallRule *rules, size_t n_rules, const uint32_t *archs, size_t n_archs,
                               scmp_filter_ctx *ret, SpawnError *err) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx c = NULL;
        uint32_t list[SECCOMP_FILTER_ARCHS_MAX];
        size_t n = seccomp_filter_archs(archs, n_archs, list);
        int r;

        for (size_t i = 0; i < n; i++) {
                _cleanup_(seccomp_releasep) scmp_filter_ctx one = NULL;

                r = seccomp_guard_arch(list[i], rules, n_rules, &one, err);
                if (r < 0)
                        return r;
                if (!c) {
                        c = TAKE_PTR(one);
                        continue;
                }
                /* On success it takes one over. */
                r = seccomp_merge(c, one);
                if (r < 0)
                        return spawn_error(err, r, "SystemCallFilter=: merging the argument rules");
                one = NULL;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

/* libseccomp's program for c, as seccomp_load() would hand it to the kernel. */
static int seccomp_export(scmp_filter_ctx c, struct sock_filter **ret, size_t *ret_n, SpawnError *err) {
        _cleanup_free_ struct sock_filter *insns = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        ssize_t n;
        int r;

        /* libseccomp 2.5 exports only to an fd: a memfd, as big as the program. */
        fd = memfd_create("cell-seccomp", MFD_CLOEXEC);
        if (fd < 0)
                return spawn_error(err, errno, "SystemCallFilter=: memfd_create");
        r = seccomp_export_bpf(c, fd);
        if (r < 0)
                return spawn_error(err, r, "SystemCallFilter=: compiling the seccomp filter");
        if (fstat(fd, &st) < 0)
                return spawn_error(err, errno, "SystemCallFilter=: compiling the seccomp filter");
        /* The kernel takes at most BPF_MAXINSNS instructions (and counts them in a u16). */
        if (st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) != 0 ||
            (size_t) st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS)
                return spawn_error(err, E2BIG, "SystemCallFilter=: the compiled filter has %lld bytes",
                                   (long long) st.st_size);

        insns = malloc(st.st_size);
        if (!insns)
                return spawn_error(err, ENOMEM, "SystemCallFilter=: compiling the seccomp filter");
        n = pread(fd, insns, st.st_size, 0);
        if (n != st.st_size)
                return spawn_error(err, n < 0 ? errno : EIO, "SystemCallFilter=: reading the compiled filter");

        *ret = TAKE_PTR(insns);
        *ret_n = (size_t) st.st_size / sizeof(struct sock_filter);
        return 0;
}

/* One program, the guard in front: where the guard would allow a call it
 * jumps to the filter's first instruction instead, so a call passes only
 * if both let it, and the guard's denial wins. Classic BPF jumps are
 * forward and relative: the filter's own stay valid behind the guard. */
static int seccomp_chain(const struct sock_filter *guard, size_t n_guard, const struct sock_filter *filter,
                         size_t n_filter, struct sock_filter **ret, size_t *ret_n, SpawnError *err) {
        struct sock_filter *insns;

        if (n_guard + n_filter > BPF_MAXINSNS)
                return spawn_error(err, E2BIG, "SystemCallFilter=: the compiled filter has %zu instructions",
                                   n_guard + n_filter);
        insns = malloc((n_guard + n_filter) * sizeof *insns);
        if (!insns)
                return spawn_error(err, ENOMEM, "SystemCallFilter=: compiling the seccomp filter");
        memcpy(insns, guard, n_guard * sizeof *insns);
        memcpy(insns + n_guard, filter, n_filter * sizeof *insns);
        for (size_t pc = 0; pc < n_guard; pc++) {
                struct sock_filter *i = insns + pc;

                if (BPF_CLASS(i->code) != BPF_RET)
                        continue;
                /* libseccomp returns constants; anything else is not understood here. */
                if (BPF_RVAL(i->code) != BPF_K) {
                        free(insns);
                        return spawn_error(err, EINVAL, "SystemCallFilter=: unexpected return in the argument rules");
                }
                if (i->k == SECCOMP_RET_ALLOW)
                        *i = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JA, (uint32_t) (n_guard - 1 - pc), 0, 0);
        }
        *ret = insns;
        *ret_n = n_guard + n_filter;
        return 0;
}

int seccomp_program_compile(PlanSeccompAction default_action, int default_error,
                            const PlanSyscallRule *rules, size_t n_rules, const uint32_t *archs, size_t n_archs,
                            bool no_new_privs, SeccompProgram *ret, SpawnError *err) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx c = NULL, g = NULL;
        _cleanup_free_ struct sock_filter *insns = NULL, *guard = NULL, *chained = NULL;
        size_t n_insns = 0, n_guard = 0, n_chained = 0;
        int r;

        r = seccomp_filter_build(default_action, default_error, rules, n_rules, archs, n_archs, no_new_privs, &c, err);
        if (r >= 0)
                r = seccomp_export(c, &insns, &n_insns, err);
        if (r < 0)
                return r;

        if (rules_need_guard(rules, n_rules)) {
                r = seccomp_guard_build(rules, n_rules, archs, n_archs, &g, err);
                if (r >= 0)
                        r = seccomp_export(g, &guard, &n_guard, err);
                if (r >= 0)
                        r = seccomp_chain(guard, n_guard, insns, n_insns, &chained, &n_chained, err);
                if (r < 0)
                        return r;
                free(insns);
                insns = TAKE_PTR(chained);
                n_insns = n_chained;
        }

        *ret = (SeccompProgram) {
                .insns = TAKE_PTR(insns),
                .n_insns = n_insns,
                .no_new_privs = no_new_privs,
        };
        return 0;
}

int seccomp_program_load(const SeccompProgram *prog, SpawnError *err) {
        struct sock_fprog fprog = {
                .len = (unsigned short) prog->n_insns,
                .filter = prog->insns,
        };

        if (!prog->insns || prog->n_insns == 0)
                return spawn_error(err, EINVAL, "SystemCallFilter=: no compiled filter to load");

        /* What seccomp_load() does for SCMP_FLTATR_CTL_NNP: without CAP_SYS_ADMIN the
         * kernel takes a filter only from a thread that can gain no privileges. */
        if (prog->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return spawn_error(err, errno, "SystemCallFilter=: setting no_new_privs");

        /* Flags 0, as seccomp_load() with libseccomp's defaults: no TSYNC (we are
         * one thread), no LOG, and no SPEC_ALLOW -- the kernel's speculative
         * execution mitigations for filtered tasks stay on. */
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0) {
                if (errno != ENOSYS)
                        return spawn_error(err, errno, "SystemCallFilter=: loading the seccomp filter");
                /* A kernel before 3.17 (no seccomp()): the prctl, as libseccomp falls back to. */
                if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) < 0)
                        return spawn_error(err, errno, "SystemCallFilter=: loading the seccomp filter");
        }
        return 0;
}

void seccomp_program_done(SeccompProgram *prog) {
        prog->insns = mfree(prog->insns);
        prog->n_insns = 0;
}

int seccomp_filter_load(PlanSeccompAction default_action, int default_error,
                        const PlanSyscallRule *rules, size_t n_rules, const uint32_t *archs, size_t n_archs,
                        bool no_new_privs, SpawnError *err) {
        SeccompProgram prog = {};
        int r;

        r = seccomp_program_compile(default_action, default_error, rules, n_rules, archs, n_archs, no_new_privs,
                                    &prog, err);
        if (r < 0)
                return r;
        r = seccomp_program_load(&prog, err);
        seccomp_program_done(&prog);
        return r;
}
