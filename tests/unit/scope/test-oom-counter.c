/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/scope/oom-counter.c: cgroup1's memory.oom_control counts the kills of
 * its cgroup's own processes only, so a kill in a cgroup the payload made
 * below the container's is read there: a tree of plain files stands in. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oom-counter.h"
#include "test.h"

static void put(const char *dir, const char *sub, unsigned kills) {
        _cleanup_free_ char *d = NULL, *f = NULL;
        FILE *o;

        ASSERT_TRUE(asprintf(&d, "%s%s%s", dir, *sub ? "/" : "", sub) > 0);
        (void) mkdir(d, 0755);
        ASSERT_TRUE(asprintf(&f, "%s/memory.oom_control", d) > 0);
        ASSERT_NOT_NULL(o = fopen(f, "we"));
        fprintf(o, "oom_kill_disable 0\nunder_oom 0\noom_kill %u\n", kills);
        fclose(o);
}

TEST(v1_kills_below_are_counted) {
        char dir[] = "/tmp/test-oom-counter.XXXXXX";
        _cleanup_free_ char *f = NULL, *rm = NULL;
        OomCounter c = OOM_COUNTER_NULL;

        ASSERT_NOT_NULL(mkdtemp(dir));
        put(dir, "", 0);
        put(dir, "payload.slice", 0);
        put(dir, "payload.slice/worker", 2);
        put(dir, "init.scope", 0);
        ASSERT_TRUE(asprintf(&f, "%s/memory.oom_control", dir) > 0);
        c.fd = open(f, O_RDONLY|O_CLOEXEC);
        ASSERT_TRUE(c.fd >= 0);
        c.unified = true;               /* as the cgroupfs manager reads it: no eventfd */

        /* Without the directory: its own counter only. */
        ASSERT_OK(oom_counter_update(&c));
        ASSERT_FALSE(oom_counter_killed(&c));

        c.dirfd = open(dir, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        ASSERT_OK(oom_counter_update(&c));
        ASSERT_EQ_U64(c.kills, 2);
        ASSERT_TRUE(oom_counter_killed(&c));
        put(dir, "", 1);
        ASSERT_OK(oom_counter_update(&c));
        ASSERT_EQ_U64(c.kills, 3);

        /* The payload removes its cgroup: what was counted stays. */
        ASSERT_TRUE(asprintf(&rm, "rm -rf '%s/payload.slice'", dir) > 0);
        ASSERT_EQ(system(rm), 0);
        ASSERT_OK(oom_counter_update(&c));
        ASSERT_EQ_U64(c.kills, 3);

        oom_counter_done(&c);
        ASSERT_EQ(c.dirfd, -EBADF);
        free(rm);
        ASSERT_TRUE(asprintf(&rm, "rm -rf '%s'", dir) > 0);
        ASSERT_EQ(system(rm), 0);
}
