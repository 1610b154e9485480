/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The tests' stand-in for systemd's notify socket: an abstract datagram
 * socket named in $NOTIFY_SOCKET. */

/* Binds "@tag-PID" and points $NOTIFY_SOCKET at it. */
int test_upstream_open(const char *tag);
/* The next datagram that arrived, waiting up to timeout_ms for it (0: not
 * at all); NULL when none came. Freed by the caller. */
char *test_upstream_read(int fd, int timeout_ms);
