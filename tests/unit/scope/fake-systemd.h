/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A fake org.freedesktop.systemd1 on the private bus of fake-bus.h, for the
 * tests of cell's conversation with systemd (test-scope-systemd*.c): it
 * answers like systemd 252 and fails the start job when cell sent what it
 * must not, or left out what it must send (fake-systemd.c says which). Its
 * leftover units are fake-leftover.h's. And the test's side of it. */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "scope.h"

/* fake_bus_start()'s setup: the fake's manager, units and scopes, and
 * systemd's name. */
int fake_systemd(sd_bus *bus, void *userdata);

/* CLOCK_MONOTONIC in µs. */
uint64_t mono_usec(void);

/* Asks the fake whether the client that started unit is connected, and how
 * many StopUnit calls it got, until both are as wanted (up to 20 s). */
void probe(const char *unit, bool want_connected, unsigned want_stops);

/* The fake's count of stops of a leftover kind (fake-leftover.h): by
 * activation (first, second) and by name. */
void leftover_stops(const char *kind, unsigned want_first, unsigned want_second, unsigned want_by_name);

/* Runs one scope through new/attach/wait with the plan the fake expects;
 * returns wait's result. limits: NULL for none. */
int run_limited(const char *name, const char *unit, const PlanLimits *limits, Event *e, Scope **ret);
int run_one(const char *name, const char *unit, Event *e, Scope **ret);
