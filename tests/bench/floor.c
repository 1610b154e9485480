/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* floor ROOT CMD...: the physical floor of a container start. One clone
 * into new mount, PID, UTS, IPC, network and cgroup namespaces, pivot_root
 * into ROOT, /proc mounted, exec CMD; the parent waits. No cgroup, no caps,
 * no seccomp, no checks: nothing any launcher can skip. */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char stack[64 * 1024] __attribute__((aligned(16)));
static char **args;

static int child(void *root) {
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0 || chdir(root) < 0 ||
            syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 || chdir("/") < 0 ||
            mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return perror("floor"), 127;
        execv(args[0], args);
        return perror("floor: execv"), 127;
}

int main(int argc, char *argv[]) {
        int status;

        if (argc < 3)
                return fprintf(stderr, "usage: floor ROOT CMD...\n"), 2;
        args = argv + 2;
        pid_t pid = clone(child, stack + sizeof stack, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS |
                          CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP | SIGCHLD, argv[1]);
        if (pid < 0 || waitpid(pid, &status, 0) < 0)
                return perror("floor"), 2;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
