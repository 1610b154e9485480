/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A lock directory of a test's own, as the per-host lock tests take their
 * locks in (port-lock.h, netif-lock.h): made, its lock files counted, and
 * removed with them. */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "test.h"

/* A new /tmp/PREFIX.XXXXXX in dir (n bytes). */
static inline void lock_dir_test_make(char *dir, size_t n, const char *prefix) {
        ASSERT_TRUE((size_t) snprintf(dir, n, "/tmp/%s.XXXXXX", prefix) < n);
        ASSERT_NOT_NULL(mkdtemp(dir));
}

/* How many files dir holds, dotfiles left out. */
static inline size_t lock_dir_test_files(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *de;
        size_t n = 0;

        ASSERT_NOT_NULL(d);
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}

/* Removes dir and the lock files in it. */
static inline void lock_dir_test_remove(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *de;

        ASSERT_NOT_NULL(d);
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        (void) unlinkat(dirfd(d), de->d_name, 0);
        closedir(d);
        ASSERT_OK(rmdir(dir));
}
