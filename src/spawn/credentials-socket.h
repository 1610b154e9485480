/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* LoadCredential=ID:PATH where PATH is an AF_UNIX stream socket, as systemd
 * 252 reads one for a service (systemd.exec(5), "Credentials"): cell
 * connects once at start, from a socket bound to the abstract address
 * "\0RANDOM/unit/UNIT/ID" (so that one server can tell its consumers apart
 * with getpeername()), shuts down its side for writing and reads until the
 * server closes. RANDOM is 16 hex digits; UNIT is the container's scope
 * unit (cell-NAME.scope), whichever cgroup manager runs it. */

#include <stddef.h>
#include <stdint.h>

#include "macros.h"

/* systemd's default start timeout (DefaultTimeoutStartSec=), which bounds a
 * service's reads of its credential sockets, all of them together. */
#define CELL_CREDENTIAL_SOCKET_TIMEOUT_USEC (90 * USEC_PER_SEC)

/* The most UNIT and ID of the peer name may have together: "\0", 16 hex
 * digits, "/unit/", UNIT, "/", ID and a NUL in sun_path's 108 bytes, as
 * systemd's sockaddr_un_set_path() insists on the NUL too. */
#define CELL_CREDENTIAL_SOCKET_UNIT_ID_MAX 83

/* Reads the whole credential (at most max bytes) into a malloc()ed buffer.
 * Errors: -ENAMETOOLONG when "\0RANDOM/unit/UNIT/ID" does not fit an
 * AF_UNIX address (108 bytes), -ETIMEDOUT when the server neither accepted
 * nor finished within timeout_usec, -EINTR as soon as interrupt_fd (a
 * signalfd of the signals that end a start; -EBADF: none) is readable,
 * -EFBIG beyond max, else the -errno of the socket call that failed
 * (-ECONNREFUSED: nobody listens). The data read so far is erased on every
 * failure. */
int credential_socket_read(const char *path, const char *unit, const char *id, uint64_t timeout_usec,
                           int interrupt_fd, size_t max, char **ret, size_t *ret_size);
