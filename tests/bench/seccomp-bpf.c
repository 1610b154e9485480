/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* seccomp-bpf OUT SYSCALL...: writes the classic BPF program of a filter
 * that allows everything but SYSCALL..., which fail with EPERM, on x86-64,
 * x86 and x32 (names an architecture lacks are skipped) -- cell's default
 * filter, for "bwrap --seccomp FD", which takes a compiled program. */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
        scmp_filter_ctx c = seccomp_init(SCMP_ACT_ALLOW);
        int fd;

        if (argc < 2 || !c)
                return 2;
        if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
                seccomp_arch_add(c, SCMP_ARCH_X86);
                seccomp_arch_add(c, SCMP_ARCH_X32);
        }
        for (int i = 2; i < argc; i++) {
                int nr = seccomp_syscall_resolve_name(argv[i]);
                if (nr != __NR_SCMP_ERROR)
                        (void) seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), nr, 0);
        }
        fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || seccomp_export_bpf(c, fd) < 0)
                return perror("seccomp-bpf"), 1;
        close(fd);
        seccomp_release(c);
        return 0;
}
