/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The fake systemd's leftover scopes, for fake-systemd.c: units of
 * cell's name that exist already, each with its activations in turn, read and
 * stopped by invocation ID (/org/freedesktop/systemd1/unit/<ID>) or by name.
 * The kind is a word in the unit's name:
 *   busy      active, PID 4242 in it
 *   left      failed, no invocation ID, until ResetFailedUnit
 *   stale     active and empty until Unit.Stop of that activation
 *   unclean   the same, but the stop leaves it failed until ResetFailedUnit
 *   nostop    active and empty; Unit.Stop is refused ("Access denied")
 *   swapped   active and empty; once its processes are read, it is over and a
 *             second activation (another cell's, PID 4343) holds the name
 *   starting  inactive with a start job queued (another cell's start, before
 *             systemd ran its job): no invocation ID yet
 *   again     the same, the unit still holding the ID of its last activation
 * Runs in the fake's process; its handlers go into the fake's vtables. */

#include <stdbool.h>
#include <systemd/sd-bus.h>

/* StartTransientUnit of unit must be answered UnitExists. */
bool fake_leftover_exists(const char *unit);

/* Unit: ActiveState, InvocationID and Job; Scope: GetProcesses; Unit: Stop. */
int fake_leftover_active_state(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error);
int fake_leftover_invocation_id(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error);
int fake_leftover_job(sd_bus *bus, const char *path, const char *interface, const char *property,
                      sd_bus_message *reply, void *userdata, sd_bus_error *error);
int fake_leftover_processes(sd_bus_message *m, void *userdata, sd_bus_error *error);
int fake_leftover_stop(sd_bus_message *m, void *userdata, sd_bus_error *error);

/* Manager: ResetFailedUnit and StopUnit (by name) of unit. */
void fake_leftover_reset(const char *unit);
void fake_leftover_stopped_by_name(const char *unit);

/* Not systemd's: LeftoverStops(s kind) -> (uuu), the Unit.Stop calls on its
 * first and second activation and the StopUnit calls by name. */
int fake_leftover_probe(sd_bus_message *m, void *userdata, sd_bus_error *error);
