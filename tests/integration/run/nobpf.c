/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nobpf CMD [ARGS...]: runs CMD under a seccomp filter that fails bpf(2)
 * with EPERM, as a service with SystemCallFilter=~bpf does: the kernel then
 * refuses cell its BPF device filter. libc only, so it builds anywhere. */

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#error "nobpf: add this architecture's AUDIT_ARCH_*"
#endif

int main(int argc, char *argv[]) {
        struct sock_filter insns[] = {
                /* Another architecture's entry point: allowed, this is a test helper. */
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 0, 3),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_bpf, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = { .len = sizeof insns / sizeof insns[0], .filter = insns };

        if (argc < 2) {
                fprintf(stderr, "usage: nobpf CMD [ARGS...]\n");
                return 2;
        }
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0) {
                perror("nobpf: seccomp");
                return 2;
        }
        execv(argv[1], argv + 1);
        perror("nobpf: execv");
        return 2;
}
