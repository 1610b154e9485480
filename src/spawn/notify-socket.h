/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "spawn-error.h"

/* Binds an AF_UNIX datagram socket at PATH (making its directory), with
 * SO_PASSCRED, mode 0666, into *ret; PATH empty or NULL: none (*ret
 * -EBADF). A stale socket there (a killed start's, on a /run bound from
 * the host) is replaced; a live one, or anything that is no socket, fails
 * the start and is left as it is. */
int notify_socket_bind(const char *path, int *ret, SpawnError *err);
