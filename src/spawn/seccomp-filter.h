/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The plan's system call filter, compiled with libseccomp. (Named
 * seccomp-filter.h, not seccomp.h, so as not to shadow libseccomp's own
 * <seccomp.h> on the include path.) */

#include <stdbool.h>
#include <stddef.h>
#include <linux/filter.h>
#include <seccomp.h>

#include "plan.h"
#include "spawn-error.h"

/* Builds the filter: default_action for everything not listed, each rule's
 * action for its syscall (rules by argument, n_args > 0, and those for one
 * ABI, abi != 0, are left out: see
 * seccomp_program_compile()), on the native architecture and those of
 * archs (SCMP_ARCH_*, SystemCallArchitectures=), a call of any other
 * killing the process; with no archs on the native architecture and its
 * secondary ones (x86 and x32 on x86_64), so a 32-bit entry point cannot
 * bypass it;
 * as a binary tree of syscall numbers where libseccomp can (>= 2.5).
 * Names unknown on an architecture are skipped there. no_new_privs: the
 * filter sets PR_SET_NO_NEW_PRIVS when loaded (required without
 * CAP_SYS_ADMIN). When the default action is not "allow", execve and
 * execveat are allowed unless a rule names them: the filter is loaded right
 * before exec, which must pass for the payload to start at all. */
int seccomp_filter_build(PlanSeccompAction default_action, int default_error,
                         const PlanSyscallRule *rules, size_t n_rules, const uint32_t *archs, size_t n_archs,
                         bool no_new_privs, scmp_filter_ctx *ret, SpawnError *err);

/* Builds and loads it into the calling thread. Loaded LAST, right before
 * execve: after it, cell's own code could trip over its rules. Same as
 * seccomp_program_compile() then seccomp_program_load(). */
int seccomp_filter_load(PlanSeccompAction default_action, int default_error,
                        const PlanSyscallRule *rules, size_t n_rules, const uint32_t *archs, size_t n_archs,
                        bool no_new_privs, SpawnError *err);

/* The filter compiled to the kernel's BPF ahead of loading it: the child
 * compiles it while the scope job still runs (before it reports PREPARED)
 * and only loads it, last, right before execve. */
typedef struct SeccompProgram {
        struct sock_filter *insns;
        size_t n_insns;
        bool no_new_privs;      /* PR_SET_NO_NEW_PRIVS before loading */
} SeccompProgram;

/* seccomp_filter_build(), then exported as BPF, exactly what seccomp_load()
 * would hand the kernel. With rules by argument (n_args > 0) or for one ABI
 * (abi != 0) a guard goes in front: those rules alone, compiled by
 * libseccomp one ABI at a time, merged, as a filter that allows
 * everything else, whose "allow" jumps to the filter instead; with each
 * rule that denies a SysV IPC call once more for i386's (s390's, ppc's)
 * ipc() with that call in its low 16 bits, whatever is above them. A call
 * the guard denies is denied with its rule's action whatever the filter
 * says (libseccomp has no defined verdict where a rule for any arguments
 * and one by argument both match); any other gets the filter's. One
 * program, loaded once. seccomp_program_done() frees it. */
int seccomp_program_compile(PlanSeccompAction default_action, int default_error,
                            const PlanSyscallRule *rules, size_t n_rules, const uint32_t *archs, size_t n_archs,
                            bool no_new_privs, SeccompProgram *ret, SpawnError *err);

/* Loads it into the calling thread as seccomp_load() does with libseccomp's
 * default attributes: no_new_privs first if asked, then the filter, no flags. */
int seccomp_program_load(const SeccompProgram *prog, SpawnError *err);

void seccomp_program_done(SeccompProgram *prog);
