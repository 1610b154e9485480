/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* "cell run"'s steps on the host around the container (run-host.c): what
 * it decides before clone (ResolvConf=, Timezone=, the machine ID), and
 * Register='s checks and call to systemd-machined. Each logs its own
 * failure; what = "Register=yes" or "--register=yes", for messages. */

#include <stdbool.h>

#include "plan.h"
#include "scope.h"
#include "spawn.h"

/* For messages: where registering was asked for (RunArgs.register_machine). */
static inline const char *run_machine_what(int register_option) {
        return register_option > 0 ? "--register=yes" : "Register=yes";
}

/* Refuses Register=yes where no systemd scope will be (the cgroupfs or none
 * manager, AUTO on a host not booted with systemd) or with --user. */
int run_machine_check(const Plan *p, CgroupManager manager, bool user_bus, const char *what);
/* Directory= (not with Image=), opened once before anything is decided on
 * it (O_PATH): the start decides on, locks and checks its build against
 * this directory (spawn.h, SpawnParams.root_directory_fd), wherever a link
 * in its path leads later. One that cannot be opened fails the start,
 * reported. *ret_fd: -EBADF with Image= (or no absolute Directory=, which
 * the build reports). */
int run_open_root(const Plan *p, int *ret_fd);
/* "/proc/self/fd/N" of it, for what takes a path (buf of at least 32 bytes). */
const char *run_root_path(int root_fd, char *buf, size_t size);
/* ResolvConf=, Timezone=: what the host and the image hold decides "auto"
 * now; a value that cannot be honoured fails the start. root: the path the
 * container's root is opened by (run_root_path(), root_image_root_path()). */
int run_decide_etc_files(Plan *p, const char *root);
/* The machine ID (spawn/machine-id.c), when p registers or has MachineID=. */
int run_machine_decide_id(Plan *p, const char *root);
/* Sends the registration once scope_wait() is done. */
int run_machine_register(const Plan *p, Scope *scope, const Spawn *spawn, const char *what);
/* scope_register_machine_wait(), and the machine dropped again when the
 * payload has ended already (scope_unregister_machine()). */
int run_machine_wait(Scope *scope, const Spawn *spawn);
/* The failure of scope_register_machine_wait(), reported. */
int run_machine_report(const Scope *scope, int r, const char *what);
