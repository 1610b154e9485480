/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "cell run"'s steps on the host around the container (run-host.h). */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "id128-util.h"
#include "log.h"
#include "machine-id.h"
#include "mount-etc.h"
#include "run-host.h"
#include "run-start.h"

int run_open_root(const Plan *p, int *ret_fd) {
        SpawnError err = {};
        int fd;

        *ret_fd = -EBADF;
        if (p->root_image || isempty(p->root_directory) || p->root_directory[0] != '/')
                return 0;
        /* Followed, as systemd-nspawn follows --directory=: the one time
         * it is. O_PATH: no read access is needed to hold it. */
        fd = open(p->root_directory, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return run_report_spawn_error(p, &err, spawn_error(&err, errno, errno == ENOENT ?
                                                                   "Directory=%s: does not exist" :
                                                                   "Directory=%s: cannot open",
                                                                   p->root_directory));
        *ret_fd = fd;
        return 0;
}

const char *run_root_path(int root_fd, char *buf, size_t size) {
        (void) snprintf(buf, size, "/proc/self/fd/%d", root_fd);
        return buf;
}

/* ResolvConf=, Timezone=: what the host and the image hold decides
 * "auto" now; a value that cannot be honoured fails the start. */
int run_decide_etc_files(Plan *p, const char *root) {
        PlanEtcFile *files[] = { &p->resolv_conf, &p->timezone };

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                SpawnError note = {};
                bool automatic = files[i]->automatic;
                char origin[PATH_MAX + 32];
                int r;

                r = etc_file_decide(files[i], root, &note);
                /* ResolvConf= and Timezone= name their own origin; Directory= is named here. */
                if (r < 0)
                        return log_error_errno(note.error ?: r, "%s%s: %m",
                                               plan_message_origin(p, note.message, origin, sizeof origin),
                                               note.message);
                if (r > 0)
                        log_full(automatic ? LOG_DEBUG : LOG_NOTICE, "%s.", note.message);
                else if (files[i]->mode != PLAN_ETC_OFF)
                        log_debug("%s=%s: %s %s%s%s.", files[i]->key, files[i]->setting,
                                  plan_etc_mode_to_string(files[i]->mode), files[i]->target,
                                  files[i]->link || files[i]->source ? " from " : "",
                                  strempty(files[i]->link ?: files[i]->source));
        }
        return 0;
}

int run_machine_check(const Plan *p, CgroupManager manager, bool user_bus, const char *what) {
        char origin[PATH_MAX + 32] = "";

        if (!p->register_machine)
                return 0;
        /* The unit's line, where the unit asked for it (not --register=yes). */
        if (startswith(what, "Register="))
                plan_origin_prefix(p, "Register", 0, origin, sizeof origin);
        /* machined is the system's, on the system bus, and takes root's calls only. */
        if (user_bus)
                return log_error_errno(EOPNOTSUPP, "%s%s: systemd-machined registers the system's containers, not a "
                                       "user's (--user); run without --user, or with --register=no.", origin, what);
        if (!scope_expects_systemd(manager))
                return log_error_errno(EOPNOTSUPP, "%s%s: systemd-machined registers a container by its systemd "
                                       "scope, and the %s manager makes none%s; use the systemd manager, or "
                                       "--register=no.", origin, what,
                                       manager == CGROUP_MANAGER_AUTO ? "cgroupfs" : cgroup_manager_to_string(manager),
                                       manager == CGROUP_MANAGER_AUTO ? " (this host was not booted with systemd)" : "");
        return 0;
}

int run_machine_decide_id(Plan *p, const char *root) {
        static const char * const source[] = {
                [MACHINE_ID_IMAGE] = "the image's /etc/machine-id",
                [MACHINE_ID_UNIT] = "MachineID=",
                [MACHINE_ID_RANDOM] = "random",
        };
        SpawnError note = {};
        char id[ID128_STRING_MAX], origin[PATH_MAX + 32];
        int r;

        /* Directory= or MachineID=, named where the unit set it. */
        r = machine_id_decide(p, root, &note);
        plan_message_origin(p, note.message, origin, sizeof origin);
        if (r == -EINVAL)
                return log_error_errno(r, "%s%s.", origin, note.message);
        if (r < 0)
                return log_error_errno(note.error ?: r, "%s%s: %m", origin, note.message);
        if (note.message[0])
                log_notice("%s%s.", origin, note.message);
        if (r > MACHINE_ID_NONE)
                log_debug("Machine ID %s (%s).", id128_to_string(p->machine_id, id), source[r]);
        return 0;
}

int run_machine_register(const Plan *p, Scope *scope, const Spawn *spawn, const char *what) {
        const int32_t ifindex = spawn->veth_index;
        const ScopeMachine m = {
                .name = p->machine_name,
                .id = p->machine_id_set ? p->machine_id : NULL,
                .root_directory = p->root_directory,
                .leader = spawn->pid,
                .ifindices = &ifindex,
                .n_ifindices = ifindex > 0 ? 1 : 0,
        };
        int r = scope_register_machine(scope, &m);
        if (r < 0)
                return run_machine_report(scope, r, what);
        log_debug("Registering the container with systemd-machined as %s (leader PID %d).", p->machine_name,
                  (int) spawn->pid);
        return 0;
}

int run_machine_report(const Scope *scope, int r, const char *what) {
        const char *text = scope_last_error(scope);

        if (text)
                return log_error_errno(r, "%s: %s", what, text);
        return log_error_errno(r, "%s: registering with systemd-machined: %m", what);
}

int run_machine_wait(Scope *scope, const Spawn *spawn) {
        siginfo_t si = {};
        int r;

        r = scope_register_machine_wait(scope);
        if (r < 0)
                return r;
        /* A payload that has ended already (a zombie, not reaped yet) may have
         * ended before machined registered it, which then missed the end of
         * its scope and would list it, and refuse its name to another, until
         * something else made it look. Dropped here: it is ours (our leader). */
        if (waitid(P_PID, spawn->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
                return 0;
        r = scope_unregister_machine(scope);
        if (r < 0)
                log_debug_errno(r, "The payload ended while systemd-machined registered it; unregistering: %m");
        else
                log_debug("The payload ended while systemd-machined registered it: unregistered.");
        return 0;
}
