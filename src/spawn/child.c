/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child, from clone to execve, step by step in the order they must
 * happen. Each step returns -errno with err filled in; spawn_child() sends
 * the first failure to the supervisor and exits. Nothing here logs. */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "caps.h"
#include "console.h"
#include "exec-interpreter.h"
#include "fs-util.h"
#include "identity.h"
#include "init.h"
#include "mount-credentials.h"
#include "mount-setup.h"
#include "mount-source.h"
#include "mount-util.h"
#include "notify-socket.h"
#include "privilege.h"
#include "seccomp-filter.h"
#include "signal-util.h"
#include "spawn-child.h"
#include "spawn-env.h"
#include "spawn-net.h"
#include "spawn-sched.h"
#include "spawn-users.h"
#include "strv.h"
#include "timens.h"

typedef struct ChildContext {
        const SpawnParams *params;
        const Plan *plan;
        int sync_fd;
        Identity identity;
        char **environment;
        char **argv;            /* Exec= with the environment's variables expanded */
        char *exec_path;
        int tree_fd;            /* PrivateUsers=: the root the builder made */
        SeccompProgram seccomp; /* compiled before PREPARED, loaded last (child_exec()) */
        bool host_unified;      /* the host's /sys/fs/cgroup is cgroup2 alone */
        uint64_t held;          /* cell's bounding set, before privilege_bound() dropped the rest */
        MountUndo made;         /* what mount_setup_root() made, until it is handed to the
                                 * supervisor (child_hand_over_made()), which takes it back
                                 * from the record in any case */
        int record_fd;          /* without PrivateUsers=: the supervisor's record of it, written
                                 * as it is made (mount-record.h); -EBADF after the hand-over */
        int image_fd;           /* without PrivateUsers=: Image='s detached mount, the supervisor's
                                 * (root-image.h), until the root is made; else -EBADF */
        const SharedLocks *places; /* the supervisor's locks (our copy of its memory): the places
                                 * the build must find at their paths (shared-lock.h) */
} ChildContext;

/* Step 1: tie our life to the supervisor's and hide from the payload. */
static int child_guard(ChildContext *c, SpawnError *err) {
        struct pollfd pfd = { .fd = c->sync_fd, .events = POLLIN };
        int r;

        /* The payload must never outlive the supervisor. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
                return spawn_error(err, errno, "prctl(PR_SET_PDEATHSIG)");
        /* The supervisor may have died before the line above: then its end
         * of the sync socket is closed. (getppid() is 0 in a new PID
         * namespace, so it cannot tell.) */
        if (poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLHUP))
                _exit(EXIT_FAILURE);

        /* A new session, always: the container must not share the host's
         * controlling terminal, or it could push input into the host's
         * shell with TIOCSTI (that needs the terminal to be its controlling
         * one, or CAP_SYS_ADMIN, which only Boot=yes gives: the default
         * seccomp deny list refuses TIOCSTI there, plan-seccomp.c), and the
         * terminal's ^C must reach the supervisor only, which forwards it.
         * Terminal fds 0-2 still work for reading and writing; job control
         * inside would need a pty of our own. */
        if (setsid() < 0)
                return spawn_error(err, errno, "setsid");

        /* The audit login UID of the caller's login (an admin's shell) is
         * not the container's: what it does is no user's login session.
         * Only possible here, in the host's user namespace (not with
         * PrivateUsers=, whose child is cloned into its own: it stays). */
        r = privilege_reset_loginuid(err);
        if (r < 0)
                return r;

        /* While cell's code runs inside the namespaces, /proc/1/exe is
         * cell's binary on the host: non-dumpable makes it (and the rest of
         * /proc/1) unreachable for anything the container runs
         * (CVE-2019-5736). */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return spawn_error(err, errno, "prctl(PR_SET_DUMPABLE)");
        return 0;
}

/* Step 2a: the relay's pipes as fd 1 and 2 (their originals go with the
 * fds closed next): the service's journal stream itself is not the
 * payload's to write to, or journald would file its lines under the
 * payload's scope, not the service that cell runs in; nor is a file of the
 * host's (src/cli/run-stdio.h), nor as fd 0, whose pipe cell-stdin fills. */
static int child_output(ChildContext *c, SpawnError *err) {
        if (c->params->input_fd > STDERR_FILENO && dup2(c->params->input_fd, STDIN_FILENO) < 0)
                return spawn_error(err, errno, "making cell-stdin's pipe stdin");
        if (!c->params->relay_output)
                return 0;
        /* -EBADF: that one is not relayed, and stays as it is. */
        for (int i = 0; i < 2; i++)
                if (c->params->output_fds[i] >= 0 && dup2(c->params->output_fds[i], STDOUT_FILENO + i) < 0)
                        return spawn_error(err, errno, "making the output relay's pipe %s",
                                           i == 0 ? "stdout" : "stderr");
        return 0;
}

int spawn_stdio_null(unsigned fds, SpawnError *err) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        if (fds == 0)
                return 0;
        fd = open("/dev/null", O_RDWR | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return spawn_error(err, errno, "opening the container's /dev/null for stdio");
        if (fstat(fd, &st) < 0)
                return spawn_error(err, errno, "the container's /dev/null");
        if (!stat_is_null_device(&st))
                return spawn_error(err, ENODEV, "the container's /dev/null is no null device");
        for (int i = STDIN_FILENO; i <= STDERR_FILENO; i++)
                if ((fds & (1u << i)) && dup2(fd, i) < 0)
                        return spawn_error(err, errno, "making the container's /dev/null fd %d", i);
        return 0;
}

/* Step 2: nothing of the supervisor's (bus, cgroup dir, unit file) stays
 * open in here (CVE-2024-21626). */
static int child_close_fds(ChildContext *c, SpawnError *err) {
        /* The ones we keep: the sync socket, the record of what the build
         * makes (closed at its hand-over, child_hand_over_made()), and
         * Image='s mount (closed once the root is made of it). */
        int keep[3] = { c->sync_fd, c->record_fd, c->image_fd }, from = 3;

        /* In ascending order, for the ranges between them. */
        for (size_t i = 1; i < ELEMENTSOF(keep); i++)
                for (size_t j = i; j > 0 && keep[j] < keep[j - 1]; j--) {
                        int t = keep[j];
                        keep[j] = keep[j - 1];
                        keep[j - 1] = t;
                }
        for (size_t i = 0; i < ELEMENTSOF(keep); i++) {
                if (keep[i] < 0)
                        continue;
                if (keep[i] > from && close_range((unsigned) from, (unsigned) keep[i] - 1, 0) < 0)
                        return spawn_error(err, errno, "closing inherited file descriptors");
                from = keep[i] + 1;
        }
        if (close_range((unsigned) from, ~0U, 0) < 0)
                return spawn_error(err, errno, "closing inherited file descriptors");
        return 0;
}

/* Step 3 (PrivateUsers=, VirtualEthernet=, Interface=, MACVLAN=, IPVLAN=):
 * wait for the supervisor's part (our maps written, the links moved in or
 * made) and, with PrivateUsers=, for the
 * builder's tree (spawn-tree.c); then become the user namespace's root so
 * that files we create belong to it. */
static int child_user_namespace(ChildContext *c, SpawnError *err) {
        bool userns = c->plan->namespaces & CLONE_NEWUSER, done = false;
        SpawnMessage m;
        int r, fd;

        if (!userns && !plan_network_has_links(c->plan))
                return 0;
        while (!done || (userns && c->tree_fd < 0)) {
                r = spawn_message_recv(c->sync_fd, &m, &fd);
                if (r <= 0)
                        _exit(EXIT_FAILURE);
                if (m.type == SPAWN_MSG_IDMAP_DONE && !done) {
                        safe_close(fd);
                        done = true;
                } else if (m.type == SPAWN_MSG_TREE_READY && userns && fd >= 0 && c->tree_fd < 0)
                        c->tree_fd = fd;
                else if (m.type == SPAWN_MSG_ERROR) {
                        /* The builder's failure, reported as ours. */
                        safe_close(fd);
                        *err = m.error;
                        return -(m.error.error ?: EIO);
                } else {
                        safe_close(fd);
                        return spawn_error(err, EBADMSG, "user namespace: unexpected message %u", m.type);
                }
        }
        if (!userns)
                return 0;
        if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                return spawn_error(err, errno, "user namespace: becoming root inside");
        /* The credential change cleared PDEATHSIG: the container must
         * still never outlive the supervisor (the Init=yes reaper forks
         * long before the payload sets it again). */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
                return spawn_error(err, errno, "prctl(PR_SET_PDEATHSIG)");
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return spawn_error(err, errno, "prctl(PR_SET_DUMPABLE)");
        if (setgroups(0, NULL) < 0)
                return spawn_error(err, errno, "user namespace: setgroups");
        return 0;
}

/* Step 3, without PrivateUsers= and links (whose IDMAP_DONE comes after
 * it): wait until the supervisor holds our mount namespace. Nothing is
 * made before: whatever we make is taken back from there if the start
 * fails, also if we are killed halfway (spawn-undo.h). */
static int child_await_held(ChildContext *c, SpawnError *err) {
        SpawnMessage m;
        int r, fd;

        if ((c->plan->namespaces & CLONE_NEWUSER) || plan_network_has_links(c->plan))
                return 0;
        r = spawn_message_recv(c->sync_fd, &m, &fd);
        if (r <= 0)
                _exit(EXIT_FAILURE);    /* the supervisor could not hold it, and kills us */
        safe_close(fd);
        if (m.type != SPAWN_MSG_HELD)
                return spawn_error(err, EBADMSG, "unexpected message %u from the supervisor", m.type);
        return 0;
}

/* Step 4 (PrivateUsers=): our own copy of the tree the builder made, and
 * into it. The copy is made from inside our user namespace of a mount
 * namespace owned by the host's: the kernel locks every mount in it, so
 * no root of ours can remount a read-only one read-write, unmount a mask
 * or peel a mount off what it covers. The root is entered by the fd the
 * builder sent, before the unshare moves our cwd into the copy: no host
 * path is walked by the container's root. */
static int child_enter_tree(ChildContext *c, SpawnError *err) {
        _cleanup_close_ int root_fd = TAKE_FD(c->tree_fd), here_fd = -EBADF, tree_fd = -EBADF;
        int r;

        if (fchdir(root_fd) < 0)
                return spawn_error(err, errno, "user namespace: entering the root");
        if (unshare(CLONE_NEWNS) < 0)
                return spawn_error(err, errno, "user namespace: unshare(CLONE_NEWNS)");
        /* pivot_root refuses a locked mount as the new root: a recursive
         * clone of the root, stacked onto it, is the one mount not locked
         * -- everything below it and every mount's flags stay locked. */
        here_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (here_fd < 0)
                return spawn_error(err, errno, "user namespace: opening the root");
        tree_fd = mount_clone_tree(here_fd, true);
        if (tree_fd < 0)
                return spawn_error(err, tree_fd, "user namespace: cloning the root");
        r = mount_move(tree_fd, here_fd);
        if (r < 0)
                return spawn_error(err, r, "user namespace: attaching the root");
        return mount_setup_pivot(tree_fd, err);
}

/* Step 6: the host name and the network interfaces of our namespaces. */
static int child_uts_and_net(ChildContext *c, SpawnError *err) {
        const Plan *p = c->plan;

        if ((p->namespaces & CLONE_NEWUTS) && p->hostname &&
            sethostname(p->hostname, strlen(p->hostname)) < 0)
                return spawn_error(err, errno, "Hostname=%s", p->hostname);
        if (!(p->namespaces & CLONE_NEWNET))
                return 0;
        /* The supervisor put the links in before IDMAP_DONE: each up, and
         * Address=/Gateway= on the one the plan says. */
        return spawn_network_configure(p, err);
}

/* Step 2b (PrivateTime=yes), before step 3 makes us the user namespace's
 * root (see there): a time namespace for what we exec (or fork), its
 * offsets written while no process is in it (timens.c). */
static int child_time_namespace(ChildContext *c, SpawnError *err) {
        if (!(c->plan->namespaces & CLONE_NEWTIME))
                return 0;
        return timens_setup(err);
}

/* How the messages below name what runs: Exec= (or Boot=yes's init), or
 * "cell run NAME -- ARGS"'s command, which is no line of the unit's. */
static const char *child_argv_key(const Plan *p) {
        return p->argv_expand || p->boot ? "Exec=" : "The command ";
}

/* What execve(2) would refuse with E2BIG, "Argument list too long", naming
 * nothing: an argument too long, or the arguments and the environment past
 * the limit that the payload's stack limit (LimitSTACK=, else ours, which it
 * inherits) sets. Said here, with the argument and the variables expanded
 * into it; source: spawn_expand_argv()'s, NULL when nothing was expanded. */
static int child_check_argv(ChildContext *c, const size_t *source, SpawnError *err) {
        const Plan *p = c->plan;
        char why[400];
        int r;

        r = spawn_check_argv(p->argv, c->argv, source, c->environment, c->exec_path,
                             spawn_plan_exec_strings_max(p), why, sizeof why);
        if (r < 0)
                return spawn_error_complete(err, r, "%s%s: %s", child_argv_key(p), p->argv[0], why);
        return 0;
}

/* Step 8: everything that can fail because of what is in the root, checked
 * before we say "prepared": the user, the environment, the command. */
static int child_resolve(ChildContext *c, SpawnError *err) {
        const Plan *p = c->plan;
        const SpawnParams *sp = c->params;
        Identity *id = &c->identity;
        _cleanup_free_ size_t *source = NULL;
        struct stat st;
        int r;

        r = identity_resolve_files("/etc/passwd", "/etc/group", p->user, p->group,
                                   p->supplementary_groups, p->namespaces & CLONE_NEWUSER, id, err);
        if (r < 0)
                return r;

        /* systemd's order: the user's basics < passed-through variables
         * (TERM, PassEnvironment=) < Environment= < EnvironmentFile=; then
         * what cell itself sets (systemd sets its own before Environment=;
         * cell's cannot be overridden); UnsetEnvironment= last, over all. */
        r = env_assignf(&c->environment, "PATH", SPAWN_DEFAULT_PATH);
        if (r >= 0 && id->home)
                r = env_assignf(&c->environment, "HOME", id->home);
        if (r >= 0)
                r = env_assignf(&c->environment, "USER", id->user_name);
        if (r >= 0)
                r = env_assignf(&c->environment, "LOGNAME", id->user_name);
        if (r >= 0 && id->shell)
                r = env_assignf(&c->environment, "SHELL", id->shell);
        if (r >= 0)
                r = env_assign_strv(&c->environment, sp->environment_before);
        if (r >= 0)
                r = env_assign_strv(&c->environment, p->environment);
        if (r >= 0)
                r = env_assign_strv(&c->environment, sp->environment_after);
        if (r < 0)
                return spawn_error(err, r, "Environment=: building the environment");
        env_unset_strv(c->environment, p->unset_environment);

        if (strv_length(p->argv) == 0)
                return spawn_error(err, EINVAL, "Exec=: nothing to run");
        /* systemd expands ExecStart='s variables from the final environment;
         * "cell run NAME -- ARGS" runs ARGS as its caller's shell left them. */
        if (p->argv_expand)
                r = spawn_expand_argv(p->argv, c->environment, &c->argv, &source);
        else
                r = (c->argv = strv_copy(p->argv)) ? 0 : -ENOMEM;
        if (r < 0)
                return spawn_error(err, r, "Exec=: expanding variables");
        r = spawn_find_exec(p->argv[0], env_get(c->environment, "PATH"), &c->exec_path);
        if (r == -ENOENT) {
                /* A name: which $PATH (Environment=PATH= may have replaced the default). */
                char why[384];
                exec_not_found_in_path(env_get(c->environment, "PATH"), why, sizeof why);
                return spawn_error(err, r, "%s%s: %s", child_argv_key(p), p->argv[0], why);
        }
        if (r < 0)
                return spawn_error(err, r, "%s%s", child_argv_key(p), p->argv[0]);
        /* An absolute path must exist now; a relative one with a slash is
         * looked up from WorkingDirectory= at exec time. */
        if (p->argv[0][0] == '/' && stat(c->exec_path, &st) < 0)
                return spawn_error(err, errno, "%s%s: not found in the container", child_argv_key(p), p->argv[0]);
        return child_check_argv(c, source, err);
}

/* The last steps of the process that execs the payload (PID 1, or PID 2
 * with Init=yes). */
static int child_exec(ChildContext *c, SpawnError *err) {
        const Plan *p = c->plan;

        /* The payload of Init=yes is the reaper's child: a session of its
         * own as well (see child_guard()). */
        if (getsid(0) != getpid() && setsid() < 0)
                return spawn_error(err, errno, "setsid");
        /* --console=: the pty on our stdin is the payload's terminal. */
        if (c->params->console && ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)
                return spawn_error(err, errno, "making the console the controlling terminal");

        /* The same last steps as "cell exec": the seccomp program was
         * compiled before PREPARED, it is only loaded here, last. */
        return privilege_exec(p, &c->held, &c->identity, &c->seccomp, "Exec=", c->exec_path, c->argv,
                              c->environment, err);
}

/* The plan's filter as BPF before PREPARED: the supervisor's (compiled or
 * read from the cache on the host before clone), else compiled now, while
 * the supervisor still waits for the scope job, so that its cost is off the
 * path after GO; never through the cache, which here would be the image's.
 * Nothing is loaded here: the program takes effect last, right before
 * execve (child_exec()). */
static int child_seccomp_compile(ChildContext *c, SpawnError *err) {
        int r;

        if (c->params->seccomp) {
                c->seccomp = *c->params->seccomp;       /* our copy of the supervisor's memory */
                return 0;
        }
        r = privilege_seccomp_compile(c->plan, false, &c->seccomp, err);
        return r < 0 ? r : 0;
}

/* Right after pivot_root: what the build made is the supervisor's to take
 * back from here on, which holds our mount namespace and has the record,
 * written as it was made: if the start fails later -- at a later step of
 * ours, or after GO, when our privileges are gone (spawn-undo.h). Not
 * later: the old root we detached shows none of the host's other mounts
 * any more, so an Overlay= upper on one (a /var/lib/machines of its own)
 * could not be found from it; the supervisor walks the host's mount table
 * as it is. The record goes before anything of the container is read: no
 * payload can reach it, nothing more is written to it. */
static void child_hand_over_made(ChildContext *c) {
        c->record_fd = safe_close(c->record_fd);
        c->made.created.record_fd = -EBADF;
}

bool spawn_child_unshares_net(const Plan *p) {
        return (p->namespaces & CLONE_NEWNET) && !(p->namespaces & CLONE_NEWUSER) && !plan_network_has_links(p);
}

static int child_run(ChildContext *c, SpawnError *err) {
        const Plan *p = c->plan;
        SpawnMessage m;
        _cleanup_close_ int notify_fd = -EBADF;
        int r;

        r = child_guard(c, err);
        if (r >= 0)
                r = child_output(c, err);
        if (r >= 0)
                r = child_close_fds(c, err);
        if (r < 0)
                return r;
        /* Every disposition back to default (a SIG_IGN of the host's shell must
         * not reach the payload); the mask stays blocked until right before exec.
         * cell installs no handler (it reads signals through a signalfd). Still
         * the host's procfs here. */
        signals_reset(signals_ignored_self());

        /* The container's /sys/fs/cgroup takes the host's layout, read while "/" is
         * still the host's: the kernel lists every v1 hierarchy mounted anywhere in
         * /proc/self/cgroup (a named one for old containers on a cgroup2 host, say),
         * which is not what the host has at /sys/fs/cgroup. */
        c->host_unified = cgroup_host_unified();

        /* Our own network namespace before anything else (sysfs mounted below
         * shows the namespace of whoever mounts it); until here the child ran
         * only cell's own code. */
        if (spawn_child_unshares_net(p) && unshare(CLONE_NEWNET) < 0)
                return spawn_error(err, errno, "unshare(CLONE_NEWNET)");

        /* Before we become the user namespace's root: that credential
         * change leaves us non-dumpable, and /proc/self/timens_offsets then
         * belongs to the host's root, whom we no longer are. */
        r = child_time_namespace(c, err);
        if (r >= 0)
                r = child_user_namespace(c, err);
        if (r >= 0)
                r = child_await_held(c, err);
        if (r < 0)
                return r;

        if (p->namespaces & CLONE_NEWUSER)
                r = child_enter_tree(c, err);
        else
                r = mount_setup_root(p, c->image_fd, c->places, &c->made, err);
        /* The root holds the image now: nothing of the host's stays open. */
        c->image_fd = safe_close(c->image_fd);
        if (r < 0)
                return r;
        child_hand_over_made(c);
        /* What was made is the supervisor's to take back from here on, and
         * the host's "/" the list may hold goes before anything of the
         * container is read (its passwd, its Exec=). */
        mount_undo_done(&c->made);

        r = spawn_stdio_null(c->params->null_fds, err);
        if (r < 0)
                return r;

        /* Step 5: the notify socket (notify-socket.h). */
        r = notify_socket_bind(c->plan->notify_socket, &notify_fd, err);
        if (r < 0)
                mount_error_name_holder(c->plan, c->plan->notify_socket, err);
        if (r >= 0)
                r = child_uts_and_net(c, err);
        if (r >= 0)
                r = child_resolve(c, err);
        /* The payload's user is known: its credentials become its own. */
        if (r >= 0)
                r = mount_credentials_seal(p, c->identity.uid, c->identity.gid, err);
        if (r >= 0 && c->params->console)
                r = console_setup_container(c->sync_fd, &c->params->console_size, c->identity.uid, err);
        if (r >= 0)
                r = child_seccomp_compile(c, err);
        /* The bounding set now, not after GO: it limits only what exec can
         * gain, and we still hold every capability the steps after GO need. */
        if (r >= 0)
                r = privilege_bound(p, &c->held, err);
        if (r < 0)
                return r;

        r = spawn_message_send(c->sync_fd, SPAWN_MSG_PREPARED, NULL, notify_fd);
        if (r < 0)
                _exit(EXIT_FAILURE);
        notify_fd = safe_close(notify_fd);

        /* Nothing runs before the supervisor says our cgroup is in place. */
        r = spawn_message_recv(c->sync_fd, &m, NULL);
        if (r <= 0)
                _exit(EXIT_FAILURE);
        if (m.type != SPAWN_MSG_GO)
                return spawn_error(err, EBADMSG, "unexpected message %u from the supervisor", m.type);

        /* Where our cgroups are, read before the cgroup namespace makes each
         * "/": a v1 hierarchy (or the unified tree of a hybrid host) where we
         * are in none of the container's own (a controller systemd's scope
         * does not take, one the cgroupfs manager made nothing in) is cell's,
         * and the host's tree below it is no business of the container's. */
        _cleanup_free_ char *memberships = NULL;
        size_t memberships_size;
        if (!c->host_unified) {
                r = read_full_file_at(AT_FDCWD, "/proc/self/cgroup", 0, 64 * 1024, 0, &memberships,
                                      &memberships_size);
                if (r < 0)
                        return spawn_error(err, r, "cannot read /proc/self/cgroup");
        }

        /* Only now, inside the final cgroup: created earlier, the container
         * would see its own cgroup as "/../machine.slice/...". */
        if (p->cgroup_namespace && unshare(CLONE_NEWCGROUP) < 0)
                return spawn_error(err, errno, "unshare(CLONE_NEWCGROUP)");
        r = mount_setup_cgroup(p, m.index == SPAWN_GO_DELEGATED, memberships, err);
        if (r < 0)
                return r;

        if (p->init) {
                pid_t pid = fork();
                if (pid < 0)
                        return spawn_error(err, errno, "Init=yes: fork");
                if (pid > 0) {
                        /* Only the payload holds the sync socket now: its
                         * exec (or its error) is what the supervisor sees. */
                        c->sync_fd = safe_close(c->sync_fd);
                        init_reaper(pid);
                }
                if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
                        return spawn_error(err, errno, "Init=yes: prctl(PR_SET_PDEATHSIG)");
                /* CPUSchedulingResetOnFork=yes: the supervisor left it off the
                 * reaper, whose fork would have reset us. */
                if (p->sched.cpu_set && p->sched.cpu_reset_on_fork) {
                        r = sched_reset_on_fork_self(&p->sched, err);
                        if (r < 0)
                                return r;
                }
        }

        return child_exec(c, err);
}

_noreturn_ void spawn_child(const SpawnParams *params, const SharedLocks *places, int sync_fd, int record_fd) {
        ChildContext c = {
                .params = params,
                .plan = params->plan,
                .places = places,
                .sync_fd = sync_fd,
                .tree_fd = -EBADF,
                .made = MOUNT_UNDO_NULL,
                .record_fd = record_fd,
                /* With PrivateUsers= the builder attaches it (spawn-tree.c). */
                .image_fd = params->plan->root_image && !(params->plan->namespaces & CLONE_NEWUSER) ?
                            params->root_image_fd : -EBADF,
        };
        SpawnError err = {};

        c.made.created.record_fd = record_fd;

        /* A failed start leaves the image and the host as they were: with
         * the record, the supervisor takes back (spawn-undo.h). */
        if (child_run(&c, &err) < 0)
                mount_undo_run(&c.made);
        if (c.sync_fd >= 0)
                (void) spawn_message_send(c.sync_fd, SPAWN_MSG_ERROR, &err, -EBADF);
        _exit(EXIT_FAILURE);
}
