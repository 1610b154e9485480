/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Internal to src/scope: what instance.c, instance-bus.c and
 * instance-stop.c share. cli/ uses instance.h only. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "instance.h"

/* The container's own cgroup in path (instance.c's own_cgroup_only()), or
 * path itself where it has no such component. NULL on ENOMEM. */
char *instance_own_cgroup(const char *path, const char *name);

/* The PPid: line of /proc/PID/status; 0 when unreadable. */
pid_t instance_parent_of(pid_t pid);

/* A cell that systemd knows as a scope: its "cell run" is the process that
 * cloned the container's init, so the init's parent, as long as that is still
 * a process named "cell" (or "cell-monitor", which a long-running cell
 * becomes by exec: src/monitor). An init whose cell died is reparented (to
 * PID 1 or a subreaper), and that must never get our SIGTERM. 0 if not found. */
pid_t instance_scope_supervisor_of(pid_t leader);

/* The bus side (instance-bus.c). */
int instance_bus_find(sd_bus *bus, const char *name, CellInstance *ret);
int instance_bus_list(sd_bus *bus, CellInstance **ret, size_t *ret_n);
/* StopUnit of the service (else the scope), its job waited for: -EIO when
 * it failed, -ECANCELED when another job replaced it. */
int instance_bus_stop(sd_bus *bus, const CellInstance *i, uint64_t timeout_usec);
/* The MainPID of service (0: none), or -errno. */
int instance_bus_service_main_pid(sd_bus *bus, const char *service, pid_t *ret);
/* Stops cell@NAME.service where it is starting, waits out its RestartSec=,
 * has a start job queued or is up (any scope aside); -ESRCH when it is not
 * loaded or is inactive with no start to come. */
int instance_bus_stop_service(sd_bus *bus, const char *name, uint64_t timeout_usec, char **ret_service);
/* The instances of the loaded cell@*.service units that are starting or wait
 * out RestartSec= (include_active: or are up, reloading or stopping). */
int instance_bus_service_instances(sd_bus *bus, bool include_active, char ***ret);
int instance_bus_kill_all(sd_bus *bus, const CellInstance *i, int sig);
