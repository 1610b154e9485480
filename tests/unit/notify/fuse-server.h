/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A FUSE file system served by the test itself over raw /dev/fuse (no
 * libfuse): a root directory with one empty file "file", which opens, and
 * whose every FUSE_FLUSH (asked by each close() of it) is read and never
 * answered, as a payload's own server may do. For the tests of what cell
 * does with a file of it that the payload passes along (test-notify-closer.c). */

#include <stdbool.h>
#include <sys/types.h>

typedef struct FuseServer {
        const char *dir;        /* the mount point, the caller's */
        pid_t pid;              /* the server, a child of ours; 0: none */
        int flushes;            /* a byte on it for every FUSE_FLUSH the server read */
} FuseServer;

/* In a mount namespace of our own (made here): the file system mounted on
 * dir (an empty directory) and served by a child. *ret_dev: the connection (/dev/fuse), the
 * caller's to close. false when FUSE cannot be mounted here (no /dev/fuse,
 * not allowed): nothing is left then. */
bool fuse_server_start(FuseServer *s, const char *dir, int *ret_dev);
/* The next FUSE_FLUSH read by the server within timeout_msec. */
bool fuse_server_flush_seen(FuseServer *s, int timeout_msec);
/* Ends the server (killed: its /dev/fuse closed, so once no one else holds
 * the connection, every request waiting for it fails) and unmounts. */
void fuse_server_stop(FuseServer *s);
