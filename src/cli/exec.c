/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cell exec [--user] NAME [--] CMD [ARGS...]: run CMD inside a running cell.
 *
 *   cell exec (host, root)                    CMD's process
 *   close inherited fds, not dumpable
 *   plan from the unit, find PID 1, pidfd
 *   open its root and cgroup.procs files
 *   setns(pidfd, the namespaces it has)
 *   fork ------------------------------------> (in its PID namespace) waits
 *   write the child into the cell's cgroups
 *   "go" ------------------------------------> [PrivateUsers=: root of its
 *                                              user namespace, not the host's
 *                                              unmapped root] a session of its
 *                                              own (no controlling terminal), chroot
 *                                              into its root, [-t: a pty of
 *   <------------------------------------------ the container's devpts, the
 *   [-t: forward our terminal to it]           slave its terminal and stdio]
 *                                              then the plan's steps as cell
 *                                              run does: rlimits, bounding
 *                                              set, ids, caps, no_new_privs,
 *                                              seccomp, exec
 *   forward signals, wait, exit with its status
 *
 * cell exec itself stays outside the PID namespace, so nothing in the cell
 * can see it; both stay non-dumpable until exec, so nothing inside can
 * ptrace them or open their fds through /proc (runc's CVE-2016-9962). */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#include "console.h"
#include "exec-interpreter.h"
#include "exec-sealed.h"
#include "exec-supervise.h"
#include "exec-target.h"
#include "identity.h"
#include "instance.h"
#include "log.h"
#include "parse-number.h"
#include "plan.h"
#include "privilege.h"
#include "pty-forward.h"
#include "run-stdio.h"
#include "seccomp-filter.h"
#include "signal-util.h"
#include "spawn-child.h"
#include "spawn-env.h"
#include "spawn-sched.h"
#include "strv.h"
#include "unit.h"
#include "verbs.h"

#define EXEC_EXIT_CANNOT_EXECUTE 126
#define EXEC_EXIT_NOT_FOUND      127

static void help(void) {
        printf("cell exec [OPTIONS] NAME [--] CMD [ARGS...]\n\n"
               "Run CMD inside the running cell NAME: in its namespaces, cgroup and root, as\n"
               "its user, with its capabilities, no_new_privs and system call filter as the\n"
               "unit says (recomputed from the unit file now). CMD is looked up in the\n"
               "container's PATH. On a terminal (stdin, stdout and stderr), CMD gets a\n"
               "pseudo-terminal of the container's own, forwarded to ours; else cell's\n"
               "stdin, stdout and stderr as they are. With a pseudo-terminal, ^] typed\n"
               "three times within a second kills CMD (exit status 137).\n\n"
               "  -h --help    Show this help\n"
               "  -t --pty     Always give CMD a pseudo-terminal of the container's\n"
               "  -P --pipe    Never: CMD gets cell's stdin, stdout and stderr\n"
               "               (both: on a terminal -t, else -P, the default)\n"
               "     --user    Ask the user's systemd instead of the system's\n\n"
               "Exit status: CMD's own (128+N when it died of signal N), 1 when the unit is\n"
               "invalid or its file is gone now, 2 when cell could not run it, 3 when the\n"
               "cell is not running, 126 when CMD cannot be executed, 127 when it is not\n"
               "found (as from a shell).\n");
}

/* Joined the cell's user namespace (PrivateUsers=): become its root, as the
 * payload did before its own steps (spawn/child.c) and as nsenter and
 * systemd's namespace_enter() do. setns() left us the host's root, an ID not
 * mapped there (nobody inside), and every step up to User= must be the
 * container's root's, not that: access(2), which the PATH lookup takes,
 * drops all capabilities for a real UID that is not the namespace's root,
 * and only a change away from its root clears the effective capabilities
 * a WorkingDirectory= check of User= must run without. */
static int exec_userns_root(SpawnError *err) {
        /* The host's supplementary groups go first, while we may still drop them. */
        if (setgroups(0, NULL) < 0)
                return spawn_error(err, errno, "user namespace: setgroups");
        if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                return spawn_error(err, errno, "user namespace: becoming its root (UID and GID 0)");
        /* The credential change cleared both: nothing in the container may
         * ptrace us before exec, and we die with cell exec. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return spawn_error(err, errno, "prctl after becoming the user namespace's root");
        return 0;
}

/* In the child, inside the namespaces: the plan's steps in run's order. */
static int exec_child(const Plan *p, const ExecTarget *t, const SeccompProgram *prog, char **argv,
                      char **env_pass, char **env_host, int console_sock, const struct winsize *ws,
                      const ExecStdio *stdio, SpawnError *err, int *ret_status) {
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *exec_path = NULL;
        _cleanup_(identity_done) Identity id = {};
        int r;

        /* OOMScoreAdjust=, a raise or the value a lowering left us (cell
         * exec made it, exec_oom_score_lower()), before we become the user
         * namespace's root: our /proc files, non-dumpable, are the host's
         * root's, which that could not open (spawn-sched.h). */
        if (p->oom_score_adjust_set) {
                r = oom_score_adjust_apply(0, p->oom_score_adjust, err);
                if (r < 0)
                        return r;
        }
        if (t->namespaces & CLONE_NEWUSER) {
                r = exec_userns_root(err);
                if (r < 0)
                        return r;
        }

        /* A session of its own, without a controlling terminal: in the caller's,
         * ioctl(TIOCSTI) on fd 0 or /dev/tty would push input into the host's
         * shell (bubblewrap's --new-session, CVE-2017-5226). */
        if (setsid() < 0)
                return spawn_error(err, errno, "setsid");

        /* Its root: the one its PID 1 sees (pivot_root'ed), not our mount namespace's. */
        if (fchdir(t->root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0)
                return spawn_error(err, errno, "entering the container's root");
        /* No file of the host's as fd 0, 1 or 2 for the host's root (run-stdio.h). */
        r = exec_stdio_child(stdio, err);
        if (r < 0)
                return r;

        /* The maps of the user namespace joined, whatever the unit says now. */
        r = identity_resolve_files("/etc/passwd", "/etc/group", p->user, p->group,
                                   p->supplementary_groups, t->namespaces & CLONE_NEWUSER, &id, err);
        if (r < 0)
                return r;
        r = env_assignf(&env, "PATH", SPAWN_DEFAULT_PATH);
        if (r >= 0 && id.home)
                r = env_assignf(&env, "HOME", id.home);
        if (r >= 0)
                r = env_assignf(&env, "USER", id.user_name);
        if (r >= 0)
                r = env_assignf(&env, "LOGNAME", id.user_name);
        if (r >= 0 && id.shell)
                r = env_assignf(&env, "SHELL", id.shell);
        if (r >= 0)
                r = env_assign_strv(&env, env_pass);
        if (r >= 0)
                r = env_assign_strv(&env, p->environment);
        if (r >= 0)
                r = env_assign_strv(&env, env_host);
        if (r >= 0)
                r = env_assignf(&env, "container", "cell");
        /* As systemd gives every command of a service, not its main one alone
         * (ExecStartPre=, ExecReload=): the unit's credentials, its user's. */
        if (r >= 0 && p->credentials_directory)
                r = env_assignf(&env, "CREDENTIALS_DIRECTORY", p->credentials_directory);
        if (r < 0)
                return spawn_error(err, r, "building the environment");
        env_unset_strv(env, p->unset_environment);
        r = spawn_find_exec(argv[0], env_get(env, "PATH"), &exec_path);
        if (r == -ENOENT) {
                char why[384];
                /* As a shell, podman exec and docker exec: 127, not found;
                 * in which $PATH (the unit's Environment=PATH= may be it). */
                *ret_status = EXEC_EXIT_NOT_FOUND;
                exec_not_found_in_path(env_get(env, "PATH"), why, sizeof why);
                return spawn_error(err, r, "%s: %s", argv[0], why);
        }
        if (r < 0)
                return spawn_error(err, r, "%s: looking it up in the container", argv[0]);

        /* -t: a terminal of the container's own devpts, opened in its root,
         * as its controlling terminal, stdin, stdout and stderr. The caller's
         * terminal is then not in the container at all. */
        if (console_sock >= 0) {
                int slave;
                r = console_open_send(console_sock, ws, id.uid, &slave, err);
                if (r >= 0)
                        r = console_attach(slave, true, err);
                if (r < 0)
                        return r;
        }

        /* The very steps the payload took (cell run), up to execve, with
         * the program compiled on the host as the payload's was. */
        r = privilege_exec(p, NULL, &id, prog, "", exec_path, argv, env, err);
        /* The execve itself failed (its messages begin with the path): a
         * shell's 127 for a file that is not there, else 126. A step
         * before it is cell's failure (2). */
        if (startswith(err->message, exec_path) && err->message[strlen(exec_path)] == ':')
                *ret_status = err->error == ENOENT && access(exec_path, F_OK) < 0 ?
                        EXEC_EXIT_NOT_FOUND : EXEC_EXIT_CANNOT_EXECUTE;
        return r;
}

/* The host side, read before we leave the host: the variables passed
 * through (TERM, PassEnvironment=) into *pass, EnvironmentFile= and our
 * caller's TERM once more (over Environment=: the terminal is this
 * command's) into *env. */
static int exec_host_environment(const Plan *p, char ***pass, char ***env) {
        const char *term = getenv("TERM");

        int r = cli_pass_environment(p, pass);
        if (r >= 0)
                r = cli_read_environment_files(p, env);
        if (r < 0)
                return r;
        if (term && env_assignf(env, "TERM", term) < 0)
                return log_oom();
        return cli_check_environment(p, *pass, *env);
}

/* A failure of ours or of the command's child: named where the unit set
 * the key (User=, WorkingDirectory=, ...), as by cell run. */
static int exec_log_error(const Plan *p, const SpawnError *err) {
        char origin[PATH_MAX + 32];

        plan_message_origin(p, err->message, origin, sizeof origin);
        if (err->complete && err->message[0])
                return log_error_errno(err->error ?: EIO, "%s%s", origin, err->message);
        return log_error_errno(err->error ?: EIO, "%s%s: %m", origin, err->message[0] ? err->message : "exec");
}

/* OOMScoreAdjust= below our own: set on ourselves while we still hold the
 * host's CAP_SYS_RESOURCE (going below the lowest value we had needs it),
 * for the command to inherit at the fork. Once in the cell's user namespace
 * (PrivateUsers=) neither it nor we hold that capability, and we fork there,
 * so the write from outside that cell run's supervisor does (spawn_release())
 * is not ours to do. A raise needs no privilege: the command writes that
 * (exec_child()). *ret_fd: our own oom_score_adj, open to write *ret_old
 * back after the fork (a raise again); -EBADF when nothing was lowered. */
static int exec_oom_score_lower(const Plan *p, int *ret_fd, int *ret_old, SpawnError *err) {
        _cleanup_close_ int fd = -EBADF;
        char text[16] = {};
        int old, r;

        *ret_fd = -EBADF;
        if (!p->oom_score_adjust_set)
                return 0;
        fd = open("/proc/self/oom_score_adj", O_RDWR|O_CLOEXEC|O_NOCTTY);
        if (fd < 0 || pread(fd, text, sizeof text - 1, 0) <= 0)
                return spawn_error(err, errno, "OOMScoreAdjust=%d: reading cell's own", p->oom_score_adjust);
        text[strcspn(text, "\n")] = 0;
        r = parse_int_range(text, -1000, 1000, &old);
        if (r < 0)
                return spawn_error(err, r, "OOMScoreAdjust=%d: reading cell's own", p->oom_score_adjust);
        if (p->oom_score_adjust >= old)
                return 0;
        r = oom_score_adjust_apply(0, p->oom_score_adjust, err);
        if (r < 0)
                return r;
        *ret_fd = TAKE_FD(fd);
        *ret_old = old;
        return 0;
}

/* Ours back to what it was, once the command has its own: a raise. */
static void exec_oom_score_restore(int *fd, int old) {
        char text[16];
        int n;

        if (*fd < 0)
                return;
        n = snprintf(text, sizeof text, "%d", old);
        if (pwrite(*fd, text, (size_t) n, 0) != n)
                log_debug_errno(errno, "Restoring cell exec's own oom_score_adj: %m");
        *fd = safe_close(*fd);
}

static int exec_run(const Plan *p, const CellInstance *inst, ExecTarget *t, char **argv, bool pty) {
        _cleanup_strv_free_ char **env_pass = NULL, **env_host = NULL;
        _cleanup_(seccomp_program_done) SeccompProgram prog = {};
        _cleanup_close_ int sigfd = -EBADF, child_pidfd = -EBADF, master = -EBADF, oom_fd = -EBADF;
        _cleanup_(pty_forward_done) PtyForward forward = PTY_FORWARD_NULL;
        int console[2] = { -EBADF, -EBADF };
        struct winsize ws = {};
        int go[2] = { -EBADF, -EBADF }, errp[2] = { -EBADF, -EBADF };
        ExecStdio stdio = EXEC_STDIO_NULL;
        SpawnError err = {};
        uint64_t ignored;
        sigset_t mask;
        pid_t pid;
        char pidtext[32];
        ssize_t n;
        int r, oom_old = 0;

        r = exec_host_environment(p, &env_pass, &env_host);
        if (r < 0)
                return r;
        /* On the host, before joining: the cache is the host's, and so is
         * the fs.nr_open of LimitNOFILE=infinity. */
        rlimits_prepare(p->rlimits, p->n_rlimits);
        r = privilege_seccomp_compile(p, true, &prog, &err);
        if (r < 0)
                return log_error_errno(r, "%s: %m", err.message);
        /* What our caller made us ignore (nohup, "trap '' INT", a background
         * job's SIGINT), read from the host's procfs, before joining: the
         * command gets SIG_DFL for those, as the payload does. */
        ignored = signals_ignored_self();
        r = exec_signals(&mask);
        if (r < 0)
                return log_error_errno(r, "Blocking signals: %m");
        sigfd = signalfd(-1, &mask, SFD_CLOEXEC|SFD_NONBLOCK);
        if (sigfd < 0)
                return log_error_errno(errno, "Creating the signalfd that forwards signals to the command: %m");
        /* Named by step: out of fds, a bare "pipe:" says nothing of what failed. */
        if (pipe2(go, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
                r = log_error_errno(errno, "Creating the pipes to the command's process: %m");
                goto out;
        }
        if (pty) {
                /* What a write to a terminal that went away would send: an
                 * EPIPE is enough (it stays pending, and a fork drops it). */
                sigset_t pipe_mask;
                sigemptyset(&pipe_mask);
                sigaddset(&pipe_mask, SIGPIPE);
                console_window_size(&ws);
                if (sigprocmask(SIG_BLOCK, &pipe_mask, NULL) < 0 ||
                    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, console) < 0) {
                        r = log_error_errno(errno, "Creating the socket that receives the command's pty: %m");
                        goto out;
                }
        }

        /* Pumps for our fds that are files of the host's, on the host, in
         * our cgroup: the command gets pipes (run-stdio.h). */
        if (!pty) {
                r = exec_stdio_guard(p, !(t->namespaces & CLONE_NEWUSER), &stdio);
                if (r < 0)
                        goto out;
        }

        /* Last on the host: lowering the OOM score needs its CAP_SYS_RESOURCE. */
        r = exec_oom_score_lower(p, &oom_fd, &oom_old, &err);
        if (r < 0) {
                r = exec_log_error(p, &err);
                goto out;
        }

#ifdef __SANITIZE_ADDRESS__
        /* Test builds only: LeakSanitizer's check, now rather than at exit.
         * Its check forks a tracer, which after the setns() below would be
         * born in the cell's PID namespace, and killed there when the cell's
         * PID 1 ends: the check then waits for it forever, and the PID 1,
         * which cannot finish dying before our zombie tracer is reaped, with it. */
        __lsan_do_leak_check();
#endif

        /* One call joins them all, the user namespace first, so that we have
         * the capabilities the others need in it. PID: our children only. */
        if (t->namespaces != 0 && setns(t->pidfd, t->namespaces) < 0) {
                /* The pidfd's process is gone (or a zombie, whose namespaces
                 * are gone): the cell stopped since it was found (3). */
                r = -errno;
                if (r == -ESRCH || exec_target_exited(t)) {
                        (void) exec_target_gone(inst, "joining its namespaces", r);
                        r = CELL_EXIT_NOT_RUNNING;
                } else
                        r = log_error_errno(r, "Joining the namespaces of PID %d: %m", (int) t->leader);
                goto out;
        }

        pid = fork();
        if (pid < 0) {
                r = log_error_errno(errno, "Forking the command's process: %m");
                goto out;
        }
        if (pid == 0) {
                int status = CELL_EXIT_FAILURE;
                char c;
                go[1] = safe_close(go[1]);
                errp[0] = safe_close(errp[0]);
                console[0] = safe_close(console[0]);
                if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
                        _exit(CELL_EXIT_FAILURE);
                signals_reset(ignored);
                /* Nothing runs before we are in the cell's cgroup. */
                if (read(go[0], &c, 1) != 1)
                        _exit(CELL_EXIT_FAILURE);
                (void) exec_child(p, t, &prog, argv, env_pass, env_host, console[1], &ws, &stdio, &err, &status);
                (void) !write(errp[1], &err, sizeof err);
                _exit(status);
        }
        go[0] = safe_close(go[0]);
        errp[1] = safe_close(errp[1]);
        console[1] = safe_close(console[1]);
        exec_stdio_close_child_ends(&stdio);
        exec_oom_score_restore(&oom_fd, oom_old);
        child_pidfd = (int) syscall(SYS_pidfd_open, pid, 0);

        /* Into every cgroup of the cell: its limits and accounting apply,
         * and stopping the cell stops this too. */
        snprintf(pidtext, sizeof pidtext, "%d", (int) pid);
        for (size_t i = 0; i < t->n_procs_fds; i++)
                if (write(t->procs_fds[i], pidtext, strlen(pidtext)) < 0) {
                        /* Its cgroup removed (ENODEV) as its PID 1 ended: not running (3). */
                        r = -errno;
                        if (exec_target_exited(t)) {
                                (void) exec_target_gone(inst, "moving the command into its cgroup", r);
                                r = CELL_EXIT_NOT_RUNNING;
                        } else
                                r = log_error_errno(r, "Moving the command into the cell's cgroup: %m");
                        (void) kill(pid, SIGKILL);
                        (void) waitpid(pid, NULL, 0);
                        goto out;
                }
        exec_target_done(t);
        if (write(go[1], "x", 1) != 1) {
                r = log_error_errno(errno, "Releasing the command: %m");
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                goto out;
        }
        go[1] = safe_close(go[1]);

        /* -t: the pty's master, or EOF when it failed before (its error follows). */
        if (console[0] >= 0) {
                r = console_recv_master(console[0], &master);
                if (r < 0) {
                        r = log_error_errno(r, "Receiving the command's pty: %m");
                        (void) kill(pid, SIGKILL);
                        (void) waitpid(pid, NULL, 0);
                        goto out;
                }
        }

        /* EOF: it exec'd (the pipe is close-on-exec); data: it failed. */
        n = read(errp[0], &err, sizeof err);
        if (n > 0) {
                int status = 0;

                (void) waitpid(pid, &status, 0);
                r = exec_log_error(p, &err);
                /* The command's 126 or 127, as from a shell, else cell's failure. */
                if (WIFEXITED(status) && (WEXITSTATUS(status) == EXEC_EXIT_NOT_FOUND ||
                                           WEXITSTATUS(status) == EXEC_EXIT_CANNOT_EXECUTE))
                        r = WEXITSTATUS(status);
                goto out;
        }
        if (child_pidfd < 0) {
                int status;
                r = waitpid(pid, &status, 0) < 0 ? log_error_errno(errno, "Reaping the command (waitpid): %m")
                        : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        } else {
                if (master >= 0) {
                        r = pty_forward_start(&forward, TAKE_FD(master), STDIN_FILENO, STDOUT_FILENO,
                                              PTY_FORWARD_ESCAPE);
                        if (r < 0)
                                log_warning_errno(r, "Forwarding to the command's pty: %m");
                }
                r = exec_supervise(pid, child_pidfd, sigfd, forward.master >= 0 ? &forward : NULL);
        }
out:
        exec_stdio_finish(&stdio);
        exec_oom_score_restore(&oom_fd, oom_old);
        safe_close(console[0]);
        safe_close(console[1]);
        safe_close(go[0]);
        safe_close(go[1]);
        safe_close(errp[0]);
        safe_close(errp[1]);
        return r;
}

int verb_exec(int argc, char *argv[]) {
        enum { ARG_USER = 0x100 };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h'      },
                { "pty",  no_argument, NULL, 't'      },
                { "pipe", no_argument, NULL, 'P'      },
                { "user", no_argument, NULL, ARG_USER },
                {}
        };
        _cleanup_free_ char *name = NULL;
        ExecTarget t = { .pidfd = -EBADF, .root_fd = -EBADF, .device_programs = -ENOENT };
        CellInstance inst = {};
        bool user_bus = false, want_pty = false, want_pipe = false, not_running;
        char **cmd;
        Plan plan = {};
        int c, r;

        /* Before anything else: no fd of whoever called us may reach the cell,
         * and nothing in it may read our memory while we are in its namespaces. */
        if (close_range(3, ~0U, 0) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
                log_error_errno(errno, "Hardening cell exec: %m");
                return CELL_EXIT_FAILURE;
        }
        /* From a sealed copy of our binary: no process of ours in the cell is
         * the host's file, which a container's root could rewrite. Where the
         * kernel refuses (an executable memfd forbidden, vm.memfd_noexec=2),
         * the check of the command's path alone stands. */
        r = exec_run_sealed(argc, argv);
        if (r < 0)
                log_debug_errno(r, "Running from a sealed copy of cell: %m");

        while ((c = getopt_long(argc, argv, "+htP", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return CELL_EXIT_OK;
                case 't':
                        want_pty = true;
                        break;
                case 'P':
                        want_pipe = true;
                        break;
                case ARG_USER:
                        user_bus = true;
                        break;
                case '?':
                        return CELL_EXIT_FAILURE;
                default:
                        return CELL_EXIT_FAILURE;
                }
        if (optind >= argc) {
                log_error("Missing cell name. See \"cell exec --help\".");
                return CELL_EXIT_FAILURE;
        }
        cmd = argv + optind + 1;
        if (*cmd && streq(*cmd, "--"))
                cmd++;
        if (!*cmd) {
                log_error("Missing command. See \"cell exec --help\".");
                return CELL_EXIT_FAILURE;
        }

        r = cli_find_instance(argv[optind], user_bus, true, &name, &inst);
        if (r != CELL_EXIT_OK)
                return r;

        /* The unit as it is now: identity, capabilities and filter as the plan says. */
        const UnitLoadOptions lo = { .name = inst.unit_path ? name : NULL };
        const PlanOptions po = { .argv_override = cmd };
        r = cli_load_plan(inst.unit_path ?: name, &lo, &po, &plan);
        if (r < 0) {
                instance_done(&inst);
                return cli_unit_exit_status(r);
        }

        log_set_prefix(name);
        r = exec_find_target(&inst, &t);
        /* Still starting, or its PID 1 exited since the lookup: not running (3). */
        not_running = r == -EBUSY || r == -ESRCH;
        if (r >= 0)
                r = exec_withhold_mknod(&plan, &inst, &t);
        if (r >= 0)
                /* As systemd-run: -t alone forces a pty, -P alone never,
                 * both (and neither: machinectl shell's default on a
                 * terminal) ask whether stdin, stdout and stderr are one. */
                r = exec_run(&plan, &inst, &t, cmd, want_pty == want_pipe ? console_on_terminal() : want_pty);
        log_set_prefix(NULL);
        exec_target_done(&t);
        plan_done(&plan);
        instance_done(&inst);
        return not_running ? CELL_EXIT_NOT_RUNNING : r < 0 ? CELL_EXIT_FAILURE : r;
}
