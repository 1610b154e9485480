/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sync protocol's framing: messages, errors and a passed fd. */
#include <fcntl.h>
#include <sys/socket.h>

#include "spawn-child.h"
#include "test.h"

TEST(message_round_trip_with_fd) {
        _cleanup_close_ int a = -EBADF, b = -EBADF, passed = -EBADF;
        int pair[2], fds[2], got = -EBADF;
        SpawnMessage m;

        ASSERT_OK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair));
        a = pair[0];
        b = pair[1];
        ASSERT_OK(pipe2(fds, O_CLOEXEC));
        safe_close(fds[1]);
        passed = fds[0];

        ASSERT_OK(spawn_message_send(a, SPAWN_MSG_PREPARED, NULL, passed));
        ASSERT_EQ(spawn_message_recv(b, &m, &got), 1);
        ASSERT_EQ(m.type, SPAWN_MSG_PREPARED);
        ASSERT_TRUE(got >= 0 && got != passed);
        /* Received close-on-exec, like every fd of ours. */
        ASSERT_TRUE(fcntl(got, F_GETFD) & FD_CLOEXEC);
        safe_close(got);
}

TEST(error_message_and_eof) {
        _cleanup_close_ int a = -EBADF, b = -EBADF;
        int pair[2], fd = 123;
        SpawnError err = {};
        SpawnMessage m;

        ASSERT_OK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair));
        a = pair[0];
        b = pair[1];

        ASSERT_ERROR(spawn_error(&err, ENOENT, "Bind=%s: source does not exist", "/srv/www"), ENOENT);
        ASSERT_OK(spawn_message_send(a, SPAWN_MSG_ERROR, &err, -EBADF));
        ASSERT_EQ(spawn_message_recv(b, &m, &fd), 1);
        ASSERT_EQ(fd, -EBADF);
        ASSERT_EQ(m.type, SPAWN_MSG_ERROR);
        ASSERT_EQ(m.error.error, ENOENT);
        ASSERT_STREQ(m.error.message, "Bind=/srv/www: source does not exist");

        a = safe_close(a);
        ASSERT_EQ(spawn_message_recv(b, &m, NULL), 0);
}

/* The child's ERROR, then its exit with our IDMAP_DONE unread: the kernel
 * reports ECONNRESET once, ahead of the ERROR. The ERROR is what is read,
 * then EOF -- not EOF at once ("the container's init died during setup"). */
TEST(error_read_after_reset) {
        _cleanup_close_ int a = -EBADF, b = -EBADF;
        int pair[2];
        SpawnError err = {};
        SpawnMessage m;

        ASSERT_OK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair));
        a = pair[0];    /* the child's end */
        b = pair[1];    /* the supervisor's */

        ASSERT_ERROR(spawn_error(&err, ENOENT, "Bind=%s: source does not exist", "/nonexist"), ENOENT);
        ASSERT_OK(spawn_message_send(a, SPAWN_MSG_ERROR, &err, -EBADF));
        ASSERT_OK(spawn_message_send(b, SPAWN_MSG_IDMAP_DONE, NULL, -EBADF));
        a = safe_close(a);      /* gone, IDMAP_DONE unread */

        ASSERT_EQ(spawn_message_recv(b, &m, NULL), 1);
        ASSERT_EQ(m.type, SPAWN_MSG_ERROR);
        ASSERT_EQ(m.error.error, ENOENT);
        ASSERT_STREQ(m.error.message, "Bind=/nonexist: source does not exist");
        ASSERT_EQ(spawn_message_recv(b, &m, NULL), 0);
}

TEST(short_datagram_is_refused) {
        _cleanup_close_ int a = -EBADF, b = -EBADF;
        int pair[2];
        SpawnMessage m;

        ASSERT_OK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair));
        a = pair[0];
        b = pair[1];
        ASSERT_EQ(write(a, "x", 1), 1);
        ASSERT_ERROR(spawn_message_recv(b, &m, NULL), EBADMSG);
}
