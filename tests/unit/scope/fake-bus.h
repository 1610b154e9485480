/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A private dbus-daemon standing in for the system bus, and a fake service on
 * it (a child process), for the tests of cell's conversation with systemd and
 * systemd-machined (test-scope-systemd*.c, test-scope-machine.c). */

#include <stdbool.h>
#include <systemd/sd-bus.h>

/* Run in the child on its connection to the private bus: adds the fake's
 * vtables and takes its names; negative errno on failure. */
typedef int (*fake_bus_setup_t)(sd_bus *bus, void *userdata);

/* Starts dbus-daemon (config: its configuration file; NULL: its session bus),
 * points $DBUS_SYSTEM_BUS_ADDRESS at it and forks the fake, which serves calls
 * once setup has run; returns when the fake holds its names. False (the test
 * skipped, test_skip()) when dbus-daemon is missing. */
bool fake_bus_start(const char *config, fake_bus_setup_t setup, void *userdata);

/* Stops the broker, then the fake, and unsets $DBUS_SYSTEM_BUS_ADDRESS. */
void fake_bus_stop(void);
