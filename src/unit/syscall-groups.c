/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "macros.h"
#include "syscall-groups.h"

#define MEMBERS(...) ((const char * const[]) { __VA_ARGS__, NULL })

/* Sorted by name; members sorted, nested groups first. The members are
 * systemd 252's (systemd-analyze syscall-filter of 252.39): mmap and munmap
 * are @default's, not @file-system's; stime is @obsolete's, not @clock's.
 * @known, as systemd's, is every call the build knew of: here the kernel
 * headers' (syscall-known.c). */
static const SyscallGroup groups[] = {
        { "@aio", "Asynchronous I/O", MEMBERS(
                "io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64",
                "io_setup", "io_submit", "io_uring_enter", "io_uring_register", "io_uring_setup") },
        { "@basic-io", "Reading, writing, seeking, closing and duplicating file descriptors", MEMBERS(
                "_llseek", "close", "close_range", "dup", "dup2", "dup3", "lseek", "pread64", "preadv",
                "preadv2", "pwrite64", "pwritev", "pwritev2", "read", "readv", "write", "writev") },
        { "@chown", "Changing file ownership", MEMBERS(
                "chown", "chown32", "fchown", "fchown32", "fchownat", "lchown", "lchown32") },
        { "@clock", "Setting the system clock", MEMBERS(
                "adjtimex", "clock_adjtime", "clock_adjtime64", "clock_settime", "clock_settime64",
                "settimeofday") },
        { "@cpu-emulation", "CPU emulation (vm86, LDT)", MEMBERS(
                "modify_ldt", "subpage_prot", "switch_endian", "vm86", "vm86old") },
        { "@debug", "Debugging, tracing and performance monitoring", MEMBERS(
                "lookup_dcookie", "perf_event_open", "pidfd_getfd", "ptrace", "rtas",
                "s390_runtime_instr", "sys_debug_setcontext") },
        { "@default", "Calls always allowed, even by an allow list (exit, time, ids, futex ...)", MEMBERS(
                "arch_prctl", "brk", "cacheflush", "clock_getres", "clock_getres_time64", "clock_gettime",
                "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "execve", "exit",
                "exit_group", "futex", "futex_time64", "futex_waitv", "get_robust_list",
                "get_thread_area", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32",
                "getgroups", "getgroups32", "getpgid", "getpgrp", "getpid", "getppid", "getrandom",
                "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit", "getsid", "gettid",
                "gettimeofday", "getuid", "getuid32", "membarrier", "mmap", "mmap2", "mprotect", "munmap",
                "nanosleep", "pause", "prlimit64", "restart_syscall", "riscv_flush_icache",
                "riscv_hwprobe", "rseq", "rt_sigreturn", "sched_getaffinity", "sched_yield",
                "set_robust_list", "set_thread_area", "set_tid_address", "set_tls", "sigreturn", "time",
                "ugetrlimit", "uretprobe") },
        { "@file-system", "File system access: open, stat, mkdir, rename, xattrs, inotify ...", MEMBERS(
                "access", "chdir", "chmod", "close", "creat", "faccessat", "faccessat2", "fallocate",
                "fchdir", "fchmod", "fchmodat", "fchmodat2", "fcntl", "fcntl64", "fgetxattr", "flistxattr",
                "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64",
                "ftruncate", "ftruncate64", "futimesat", "getcwd", "getdents", "getdents64", "getxattr",
                "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "lgetxattr",
                "link", "linkat", "listxattr", "llistxattr", "lremovexattr", "lsetxattr", "lstat",
                "lstat64", "mkdir", "mkdirat", "mknod", "mknodat", "newfstatat", "oldfstat", "oldlstat",
                "oldstat", "open", "openat", "openat2", "readlink",
                "readlinkat", "removexattr", "rename", "renameat", "renameat2", "rmdir", "setxattr",
                "stat", "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "truncate",
                "truncate64", "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes") },
        { "@io-event", "Event loops: epoll, poll, select, eventfd", MEMBERS(
                "_newselect", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
                "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "poll", "ppoll",
                "ppoll_time64", "pselect6", "pselect6_time64", "select") },
        { "@ipc", "SysV IPC, POSIX message queues, pipes, memfd", MEMBERS(
                "ipc", "memfd_create", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive",
                "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "msgctl",
                "msgget", "msgrcv", "msgsnd", "pipe", "pipe2", "process_madvise", "process_vm_readv",
                "process_vm_writev", "semctl", "semget", "semop", "semtimedop", "semtimedop_time64",
                "shmat", "shmctl", "shmdt", "shmget") },
        { "@keyring", "The kernel keyring", MEMBERS(
                "add_key", "keyctl", "request_key") },
        { "@known", "Every system call the kernel headers of this build name", syscall_group_known },
        { "@memlock", "Locking memory", MEMBERS(
                "mlock", "mlock2", "mlockall", "munlock", "munlockall") },
        { "@module", "Loading and unloading kernel modules", MEMBERS(
                "delete_module", "finit_module", "init_module") },
        { "@mount", "Mounting, unmounting, pivot_root and chroot", MEMBERS(
                "chroot", "fsconfig", "fsmount", "fsopen", "fspick", "mount", "mount_setattr",
                "move_mount", "open_tree", "pivot_root", "umount", "umount2") },
        { "@network-io", "Sockets: create, connect, send, receive", MEMBERS(
                "accept", "accept4", "bind", "connect", "getpeername", "getsockname", "getsockopt",
                "listen", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "send",
                "sendmmsg", "sendmsg", "sendto", "setsockopt", "shutdown", "socket", "socketcall",
                "socketpair") },
        { "@obsolete", "Obsolete, unusual or unimplemented calls", MEMBERS(
                "_sysctl", "afs_syscall", "bdflush", "break", "create_module", "ftime",
                "get_kernel_syms", "getpmsg", "gtty", "idle", "lock", "mpx", "prof", "profil",
                "putpmsg", "query_module", "security", "sgetmask", "ssetmask", "stime", "stty",
                "sysfs", "tuxcall", "ulimit", "uselib", "ustat", "vserver") },
        { "@pkey", "Memory protection keys", MEMBERS(
                "pkey_alloc", "pkey_free", "pkey_mprotect") },
        { "@privileged", "Calls that need super-user capabilities", MEMBERS(
                "@chown", "@clock", "@module", "@raw-io", "@reboot", "@swap",
                "_sysctl", "acct", "bpf", "capset", "chroot", "fanotify_init", "fanotify_mark",
                "nfsservctl", "open_by_handle_at", "pivot_root", "quotactl", "quotactl_fd",
                "setdomainname", "setfsuid", "setfsuid32", "setgroups", "setgroups32", "sethostname",
                "setresuid", "setresuid32", "setreuid", "setreuid32", "setuid", "setuid32", "vhangup") },
        { "@process", "Process control: clone, fork, kill, namespaces, prctl", MEMBERS(
                "capget", "clone", "clone3", "execveat", "fork", "getrusage", "kill", "pidfd_open",
                "pidfd_send_signal", "prctl", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "setns",
                "swapcontext", "tgkill", "times", "tkill", "unshare", "vfork", "wait4", "waitid",
                "waitpid") },
        { "@raw-io", "Raw I/O port and PCI config access", MEMBERS(
                "ioperm", "iopl", "pciconfig_iobase", "pciconfig_read", "pciconfig_write",
                "s390_pci_mmio_read", "s390_pci_mmio_write") },
        { "@reboot", "Rebooting and kexec", MEMBERS(
                "kexec_file_load", "kexec_load", "reboot") },
        { "@resources", "Changing scheduling, memory policy and resource limits", MEMBERS(
                "ioprio_set", "mbind", "migrate_pages", "move_pages", "nice", "sched_setaffinity",
                "sched_setattr", "sched_setparam", "sched_setscheduler", "set_mempolicy",
                "set_mempolicy_home_node", "setpriority", "setrlimit") },
        { "@setuid", "Changing user and group credentials", MEMBERS(
                "setgid", "setgid32", "setgroups", "setgroups32", "setregid", "setregid32", "setresgid",
                "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setuid",
                "setuid32") },
        { "@signal", "Signal handling", MEMBERS(
                "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigsuspend", "rt_sigtimedwait",
                "rt_sigtimedwait_time64", "sigaction", "sigaltstack", "signal", "signalfd", "signalfd4",
                "sigpending", "sigprocmask", "sigsuspend") },
        { "@swap", "Enabling and disabling swap", MEMBERS(
                "swapoff", "swapon") },
        { "@sync", "Flushing files and memory to storage", MEMBERS(
                "fdatasync", "fsync", "msync", "sync", "sync_file_range", "sync_file_range2", "syncfs") },
        { "@system-service", "What a typical system service needs", MEMBERS(
                "@aio", "@basic-io", "@chown", "@default", "@file-system", "@io-event", "@ipc",
                "@keyring", "@memlock", "@network-io", "@process", "@resources", "@setuid", "@signal",
                "@sync", "@timer",
                "arm_fadvise64_64", "capget", "capset", "copy_file_range", "fadvise64", "fadvise64_64",
                "flock", "get_mempolicy", "getcpu", "getpriority", "ioctl", "ioprio_get", "kcmp",
                "madvise", "mremap", "name_to_handle_at", "oldolduname", "olduname", "personality",
                "readahead", "readdir", "remap_file_pages", "sched_get_priority_max",
                "sched_get_priority_min", "sched_getattr", "sched_getparam", "sched_getscheduler",
                "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_yield", "sendfile", "sendfile64",
                "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setpgid", "setsid", "splice",
                "sysinfo", "tee", "umask", "uname", "userfaultfd", "vmsplice") },
        { "@timer", "Timers and alarms", MEMBERS(
                "alarm", "getitimer", "setitimer", "timer_create", "timer_delete", "timer_getoverrun",
                "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64",
                "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
                "timerfd_settime64", "times") },
        {},
};

const char * const *syscall_group_members(const char *name) {
        if (isempty(name) || name[0] != '@')
                return NULL;
        for (const SyscallGroup *g = groups; g->name; g++)
                if (streq(g->name, name))
                        return g->members;
        return NULL;
}

static bool group_contains(const char *group, const char *name, unsigned depth) {
        /* Groups nest a few levels (@system-service > @process ...); the
         * bound only guards against a table that would loop. */
        if (depth >= 16)
                return false;
        for (const char * const *m = syscall_group_members(group); m && *m; m++)
                if (streq(*m, name) || ((*m)[0] == '@' && group_contains(*m, name, depth + 1)))
                        return true;
        return false;
}

bool syscall_group_contains(const char *group, const char *name) {
        return group_contains(group, name, 0);
}

const SyscallGroup *syscall_group_list(void) {
        return groups;
}
