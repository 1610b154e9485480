/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The container's machine ID, decided at start on the host, before clone:
 * what systemd-machined knows it by (Register=yes) and what the payload gets
 * as $container_uuid. As systemd-nspawn decides it: the image's
 * /etc/machine-id when it holds an ID (the container's own systemd uses
 * that, so the two agree; not with Volatile=yes, whose /etc is a tmpfs),
 * else MachineID=, else a random one. cell mounts
 * nothing over /etc/machine-id: a systemd inside that finds none there takes
 * $container_uuid from its environment, as under nspawn. */

#include <stdint.h>

#include "plan.h"
#include "spawn-error.h"

typedef enum MachineIdSource {
        MACHINE_ID_NONE,        /* neither Register=yes nor MachineID=: none decided */
        MACHINE_ID_IMAGE,       /* the image's /etc/machine-id */
        MACHINE_ID_UNIT,        /* MachineID= */
        MACHINE_ID_RANDOM,
} MachineIdSource;

/* root_directory's /etc/machine-id, looked up inside the root (its links
 * lead nowhere outside). 0 and the ID; -ENOMEDIUM when it holds none yet
 * (missing, empty, "uninitialized": systemd's rule); -EINVAL when it holds
 * something else or is no regular file; -errno. */
int machine_id_read_image(const char *root_directory, uint8_t ret[static 16]);

/* Sets p->machine_id (and machine_id_set) when p registers or has
 * MachineID=; returns where it came from. A MachineID= the image's ID
 * overrides is said in note (returned MACHINE_ID_IMAGE, note->message set).
 * -errno with note set when the image's file is there but holds no ID, or
 * one of all zeros (refused, as by nspawn). root: the path the root is
 * opened by (Directory=, or Image='s mount as /proc/self/fd/N). */
int machine_id_decide(Plan *p, const char *root, SpawnError *note);
