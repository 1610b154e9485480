/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cell __finish: not for humans. cell-monitor (src/monitor) execs it from
 * the binary the container's "cell run" ran from, in the same process,
 * once the payload has exited, for what "cell run" would have done then and
 * cell-monitor cannot (it links none of the libraries): Port='s nft table,
 * the host sides of VirtualEthernet= and VirtualEthernetExtra=, Zone='s
 * bridge (if no port is left), Interface='s interfaces (moved back), the
 * cgroupfs manager's cgroups (emptied and removed, and cell back out of its
 * leaf, then the name's lock released), the runtime state, and what the
 * start made of the container's /run/host on a host directory. Exits with
 * the payload's status. */

#include <string.h>
#include <unistd.h>

#include "log.h"
#include "monitor-handover.h"
#include "name-lock.h"
#include "runtime-state.h"
#include "scope.h"
#include "spawn.h"
#include "verbs.h"

int verb_finish(int argc, char *argv[]) {
        MonitorFinish f;
        Spawn spawn = SPAWN_NULL;
        int r;

        r = monitor_finish_parse(argc, argv, &f);
        if (r < 0)
                return CELL_EXIT_FAILURE;
        log_set_prefix(f.name);
        log_debug("Cleaning up after the payload (cell __finish).");

        /* In run.c's order: the container's network first, then its cgroups. */
        spawn.veth_index = f.veth.index;
        memcpy(spawn.veth_name, f.veth.name, sizeof spawn.veth_name);
        spawn.netfw_table = TAKE_PTR(f.netfw_table);
        memcpy(spawn.netfw_handles, f.netfw_handles, sizeof spawn.netfw_handles);
        spawn.netns_fd = TAKE_FD(f.netns_fd);
        spawn.moved = TAKE_PTR(f.moved);
        spawn.n_moved = f.n_moved;
        spawn.zone = TAKE_PTR(f.zone);
        spawn.extras = TAKE_PTR(f.extras);
        spawn.n_extras = f.n_extras;
        spawn.run_host = TAKE_PTR(f.run_host);
        spawn.run_host_absent = f.run_host_absent;
        spawn_done(&spawn);
        if (f.dirs.dirs) {
                Scope *scope = NULL;
                r = scope_adopt_cgroupfs(f.name, &f.dirs, &scope);
                if (r < 0)
                        log_error_errno(r, "Removing the container's cgroups: %m");
                scope_free(scope);
        } else
                /* The none manager's (or systemd's, with a network to take
                 * down): the name is free, before the state goes, as above. */
                name_lock_release(f.name, TAKE_FD(f.dirs.lock_fd));
        if (f.state)
                (void) runtime_state_remove(f.name, getpid());

        r = f.status;
        monitor_finish_done(&f);
        return r;
}
