/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The probe's "state" field: what a process inherits across execve and
 * systemd resets for a service (and nspawn for a container's init): the
 * blocked signals, the session and process group, the controlling
 * terminal, the OOM score adjustment, the timer slack, the securebits and
 * whether we are dumpable, as one JSON object on one line of stdout. */
void probe_state_json(void);
