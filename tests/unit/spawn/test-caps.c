/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/capability.h>
#include <stdio.h>
#include <sys/wait.h>

#include "caps.h"
#include "test.h"

static unsigned long long status_hex(const char *key) {
        FILE *f = fopen("/proc/self/status", "re");
        char line[256];
        unsigned long long v = ~0ULL;
        size_t l = strlen(key);

        ASSERT_NOT_NULL(f);
        while (fgets(line, sizeof line, f))
                if (strncmp(line, key, l) == 0 && line[l] == ':')
                        v = strtoull(line + l + 1, NULL, 16);
        fclose(f);
        return v;
}

TEST(count_is_sane) {
        ASSERT_TRUE(caps_count() > CAP_SETFCAP);
        ASSERT_TRUE(caps_count() <= 64);
}

TEST(apply_drops_everything_not_asked_for) {
        pid_t pid = fork();
        int status;

        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                /* Dropping is allowed to anyone, root or not. */
                if (caps_apply(0, 0, 0, 0, NULL) < 0)
                        _exit(10);
                if (status_hex("CapEff") != 0 || status_hex("CapPrm") != 0 ||
                    status_hex("CapInh") != 0 || status_hex("CapAmb") != 0)
                        _exit(11);
                _exit(0);
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
}

TEST(apply_keeps_what_is_asked_for_when_root) {
        pid_t pid;
        int status;

        if (geteuid() != 0 || status_hex("CapPrm") == 0) {
                test_skip("needs root's capabilities");
                return;
        }
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                uint64_t keep = (UINT64_C(1) << CAP_CHOWN) | (UINT64_C(1) << CAP_KILL);
                uint64_t amb = UINT64_C(1) << CAP_NET_BIND_SERVICE;

                if (caps_bounding_set(keep | amb, NULL) < 0)
                        _exit(10);
                if (caps_apply(keep, keep, 0, amb, NULL) < 0)
                        _exit(11);
                if (status_hex("CapEff") != keep || status_hex("CapPrm") != (keep | amb) ||
                    status_hex("CapInh") != amb || status_hex("CapAmb") != amb ||
                    status_hex("CapBnd") != (keep | amb))
                        _exit(12);
                _exit(0);
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
}
