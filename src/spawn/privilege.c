/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdio.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "exec-interpreter.h"
#include "parse-sched.h"
#include "privilege.h"
#include "spawn-child.h"
#include "spawn-sched.h"

int privilege_seccomp_compile(const Plan *p, bool cached, SeccompProgram *ret, SpawnError *err) {
        bool nnp;
        int r;

        if (!p->seccomp) {
                *ret = (SeccompProgram) {};
                return SECCOMP_CACHE_OFF;
        }
        /* Without CAP_SYS_ADMIN the kernel takes a filter only with
         * no_new_privs; that is then implied (as systemd does). */
        nnp = p->no_new_privileges || !(p->cap_effective & (UINT64_C(1) << CAP_SYS_ADMIN));
        if (cached)
                return seccomp_cache_program(p->seccomp_default_action, p->seccomp_default_error,
                                             p->syscalls, p->n_syscalls, p->syscall_archs, p->n_syscall_archs,
                                             nnp, ret, err);
        r = seccomp_program_compile(p->seccomp_default_action, p->seccomp_default_error,
                                    p->syscalls, p->n_syscalls, p->syscall_archs, p->n_syscall_archs,
                                    nnp, ret, err);
        return r < 0 ? r : SECCOMP_CACHE_OFF;
}

/* WorkingDirectory=, resolved inside the root: a symlink in the image must
 * not lead the cwd out of it (CVE-2024-21626 is a cwd outside the root).
 * With "-", as systemd, any failure to enter it is none: the payload starts
 * in the container's "/" (systemd leaves the cwd as it was, which is the
 * root's "/" too). A failure of "~" names the home it stood for, which the
 * unit does not: the user's in the container's /etc/passwd. */
int privilege_chdir(const Plan *p, const Identity *id, SpawnError *err) {
        const char *wd = p->working_directory ?: "/";
        struct open_how how = {
                .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        _cleanup_close_ int root = -EBADF, fd = -EBADF;
        const char *what = NULL, *shown = wd;
        char cwd[4096], home[sizeof err->message];
        int r = 0;

        /* A user whose home is "/" (or who has none) starts there. */
        if (streq(wd, "~")) {
                wd = id->home ?: "/";
                (void) snprintf(home, sizeof home, "~ (the home of %s, %s)", strna(id->user_name), wd);
                shown = home;
        }

        root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return spawn_error(err, errno, "WorkingDirectory=%s: opening /", shown);
        fd = (int) syscall(SYS_openat2, root, wd, &how, sizeof how);
        if (fd < 0)
                r = -errno;
        else if (fchdir(fd) < 0) {
                r = -errno;
                what = ": chdir";
        /* getcwd() fails (or says "(unreachable)") for a cwd outside our root. */
        } else if (!getcwd(cwd, sizeof cwd) || cwd[0] != '/') {
                r = -EXDEV;
                what = ": resolves outside the container";
        }
        if (r >= 0)
                return 0;
        if (!p->working_directory_missing_ok)
                return spawn_error(err, -r, "WorkingDirectory=%s%s", shown, strempty(what));
        /* Back to the root, wherever a failed fchdir() may have left us. */
        if (fchdir(root) < 0)
                return spawn_error(err, errno, "WorkingDirectory=-%s: chdir /", shown);
        return 0;
}

int privilege_session_keyring(SpawnError *err) {
        /* A NULL name: a new anonymous keyring, ours alone (after the uid
         * change: it belongs to the payload's user, counts on its quota). */
        if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL, 0, 0, 0) >= 0)
                return 0;
        if (errno == ENOSYS || errno == EOPNOTSUPP || errno == EPERM || errno == EACCES)
                return 0;
        return spawn_error(err, errno, "joining a new session keyring");
}

int privilege_reset_loginuid(SpawnError *err) {
        _cleanup_close_ int fd = -EBADF;
        char now[16] = "";
        ssize_t n;

        fd = open("/proc/self/loginuid", O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return errno == ENOENT ? 0 : spawn_error(err, errno, "opening /proc/self/loginuid");
        n = read(fd, now, sizeof now - 1);
        if (n < 0)
                return spawn_error(err, errno, "reading /proc/self/loginuid");
        now[n] = 0;
        if (streq(now, "4294967295"))
                return 0;
        /* The kernel unsets the audit session with it. */
        if (pwrite(fd, "4294967295", 10, 0) == 10)
                return 0;
        if (errno == EPERM)
                return 1;
        return spawn_error(err, errno, "resetting /proc/self/loginuid");
}

int privilege_bound(const Plan *p, uint64_t *ret_held, SpawnError *err) {
        uint64_t held;
        int r;

        /* What cell itself cannot grant: an error if the unit asked for it
         * by name, else left out of the default set (a host whose own
         * bounding set lacks it). */
        held = caps_held();
        r = caps_check_held(p->cap_required, p->cap_ambient, held, err);
        if (r >= 0)
                r = caps_bounding_set(p->cap_bounding & held, err);
        if (r < 0)
                return r;
        *ret_held = held;
        return 0;
}

int privilege_exec(const Plan *p, const uint64_t *bounded, const Identity *id, const SeccompProgram *prog,
                   const char *what, const char *path, char * const argv[], char * const envp[],
                   SpawnError *err) {
        sigset_t none;
        uint64_t held;
        char why[384];
        struct stat st;
        int r;

        /* Before the uid change, when every file of the tree is readable: the
         * tree must not make the kernel run cell's own binary (/proc/self/exe)
         * in the container, where its root could reopen it for writing. */
        r = exec_check_magic_links(path, why, sizeof why);
        if (r < 0)
                return spawn_error_complete(err, -r, "%s%s: %s", what, path, why);

        /* The limits first, while we still hold CAP_SYS_RESOURCE: raising a
         * hard limit needs it. A LimitNOFILE= that lowers comes last
         * (rlimits_apply() below): as low as systemd allows, it must not fail
         * the opens on the way. OOMScoreAdjust= is the caller's: cell run's
         * supervisor writes it from outside (spawn_release()), cell exec
         * before its command becomes the user namespace's root (cli/exec.c). */
        r = rlimits_apply_early(p->rlimits, p->n_rlimits, err);
        if (r < 0)
                return r;

        if (bounded)
                held = *bounded;
        else {
                r = privilege_bound(p, &held, err);
                if (r < 0)
                        return r;
        }
        r = caps_keep_across_uid_change(err);
        if (r >= 0)
                r = identity_apply(id, err);
        if (r < 0)
                return r;
        /* The credential change cleared both: still nothing in the container
         * may ptrace us or read our memory before exec, and we die with our
         * parent. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 ||
            prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return spawn_error(err, errno, "prctl after the uid change");

        r = privilege_session_keyring(err);
        if (r < 0)
                return r;

        umask(p->umask);
        r = privilege_chdir(p, id, err);
        if (r < 0)
                return r;

        r = caps_apply(p->cap_effective & held, p->cap_permitted & held, p->cap_inheritable & held,
                       p->cap_ambient & held, err);
        if (r < 0)
                return r;

        /* No exec may grant privileges (setuid, file caps) beyond the plan's. */
        if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return spawn_error(err, errno, "NoNewPrivileges=yes");

        /* Whatever of cell's is still open (the sync socket, an error pipe)
         * goes at exec. */
        if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                return spawn_error(err, errno, "marking file descriptors close-on-exec");

        sigemptyset(&none);
        if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
                return spawn_error(err, errno, "resetting the signal mask");

        /* Personality=: personality(2) sets only the caller's, so here,
         * inherited by what we exec; before the filter, which may deny the
         * call (cell's default filter leaves it alone). */
        if (p->personality_set && personality(p->personality) < 0)
                return spawn_error(err, errno, "Personality=%s", strna(personality_to_string(p->personality)));

        /* LimitNOFILE= now: only lowers what rlimits_apply_early() set,
         * which needs no privilege; after the last open of ours, before the
         * filter (which may deny setrlimit: @resources). */
        r = rlimits_apply(p->rlimits, p->n_rlimits, err);
        if (r < 0)
                return r;

        if (p->seccomp) {
                /* Last: from here on cell's own code may trip over the rules. */
                r = seccomp_program_load(prog, err);
                if (r < 0)
                        return r;
        }

        execve(path, argv, envp);
        r = -errno;
        /* ENOENT of a file that exists: name the interpreter it lacks. Not
         * under an allow-list filter, which may kill us for the reads. */
        if (r == -ENOENT && (!p->seccomp || p->seccomp_default_action == PLAN_SECCOMP_ALLOW) &&
            exec_missing_interpreter(path, why, sizeof why) > 0)
                return spawn_error(err, r, "%s%s: %s", what, path, why);
        /* EACCES names no reason: a stat after the failure, only to explain
         * it (what was exec'd is what the kernel refused, not this); as
         * above, not under an allow-list filter. */
        if (r == -EACCES && (!p->seccomp || p->seccomp_default_action == PLAN_SECCOMP_ALLOW) &&
            stat(path, &st) >= 0) {
                if (S_ISDIR(st.st_mode))
                        return spawn_error_complete(err, EISDIR, "%s%s: is a directory", what, path);
                if (S_ISREG(st.st_mode) && !(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)))
                        return spawn_error_complete(err, r, "%s%s: is not executable (no x bit)", what, path);
                if (!S_ISREG(st.st_mode))
                        return spawn_error_complete(err, r, "%s%s: is not a regular file", what, path);
        }
        return spawn_error(err, r, "%s%s: execve", what, path);
}
