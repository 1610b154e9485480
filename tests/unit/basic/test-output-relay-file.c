/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* output-relay.c with a regular file as OUT (StandardError=file: beside a
 * journal stream), which splice() writes to and epoll cannot watch: while
 * the payload writes on, a splice() that found the pipe empty just before
 * the payload's next write must not make the relay wait for OUT, or the
 * caller (cell, cell-monitor) would stop reading the pipe for good and the
 * payload's writes would block for ever (seen in test-soak.sh). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "output-relay.h"
#include "test.h"

/* A writer that writes small pieces as fast as it can, for a while: the
 * pipe runs empty and fills again all the time, the race at its most likely. */
TEST(file_out_never_waited_for) {
        OutputRelay r = OUTPUT_RELAY_NULL;
        char path[] = "/tmp/test-output-relay-file.XXXXXX";
        int p[2], fd = mkostemp(path, O_CLOEXEC);
        size_t want = 4U * 1024U * 1024U;
        unsigned long turns = 0;
        pid_t writer;
        struct stat st;
        int k = 1, status;

        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(unlink(path), 0);
        ASSERT_EQ(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
        ASSERT_OK(output_relay_start(&r, p[0], fd));
        alarm(60);
        writer = fork();
        ASSERT_TRUE(writer >= 0);
        if (writer == 0) {
                char line[64];

                /* Not a reader of its own: the test's end is its EPIPE. */
                safe_close(p[0]);
                memset(line, 'x', sizeof line - 1);
                line[sizeof line - 1] = '\n';
                (void) fcntl(p[1], F_SETFL, 0);         /* blocking, as the payload's */
                for (size_t n = 0; n < want; n += sizeof line)
                        if (write(p[1], line, sizeof line) != (ssize_t) sizeof line)
                                _exit(1);
                _exit(0);
        }
        safe_close(p[1]);

        while (k > 0) {
                short events = 0;

                k = output_relay_dispatch(&r);
                turns++;
                /* A regular file takes what it is given: never waited for. */
                if (k > 0)
                        ASSERT_EQ(output_relay_poll_fd(&r, &events), p[0]);
        }
        ASSERT_EQ(k, 0);
        ASSERT_EQ(waitpid(writer, &status, 0), writer);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        ASSERT_EQ(fstat(fd, &st), 0);
        ASSERT_EQ_U64((uint64_t) st.st_size, (uint64_t) want);
        ASSERT_FALSE(r.copy);                           /* splice() wrote it all */
        ASSERT_TRUE(turns > 1);
        output_relay_done(&r);
        safe_close(fd);
        alarm(0);
}
