/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Running a filter's checks in a child: a seccomp filter, once loaded,
 * stays for the process, so each test loads its own in a fork. */

#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

/* Runs f in a child; returns its wait status. */
static inline int in_child(void (*f)(void)) {
        int status;
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                f();
                _exit(0);
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        return status;
}

#define EXITED_OK(status) (WIFEXITED(status) && WEXITSTATUS(status) == 0)
