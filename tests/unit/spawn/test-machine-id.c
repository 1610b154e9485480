/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* machine_id_decide(): nspawn's order (the image's /etc/machine-id, then
 * MachineID=, then a random ID), the image's file read inside the root. */

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "id128-util.h"
#include "machine-id.h"
#include "test.h"

static const uint8_t unit_id[16] = {
        0x0b, 0x6f, 0x5a, 0x2e, 0x6e, 0x3c, 0x4d, 0x6b, 0x9c, 0x2c, 0x74, 0x0d, 0x3e, 0xc5, 0x5d, 0x01,
};

static char root[] = "/tmp/test-machine-id-XXXXXX";

static void image_id(const char *content) {
        char path[PATH_MAX];
        FILE *f;

        snprintf(path, sizeof path, "%s/etc/machine-id", root);
        (void) unlink(path);
        if (!content)
                return;
        f = fopen(path, "we");
        ASSERT_NOT_NULL(f);
        ASSERT_TRUE(fputs(content, f) >= 0);
        ASSERT_EQ(fclose(f), 0);
}

static int decide(bool reg, const uint8_t *id, Plan *p, SpawnError *note) {
        *p = (Plan) { .root_directory = root, .register_machine = reg };
        *note = (SpawnError) {};
        if (id) {
                memcpy(p->machine_id, id, 16);
                p->machine_id_set = true;
        }
        return machine_id_decide(p, p->root_directory, note);
}

static void setup(void) {
        char path[PATH_MAX];

        /* Each test a fresh one: mkdtemp() filled in the last one's name. */
        strcpy(root, "/tmp/test-machine-id-XXXXXX");
        ASSERT_NOT_NULL(mkdtemp(root));
        snprintf(path, sizeof path, "%s/etc", root);
        ASSERT_OK(mkdir(path, 0755));
}

static void teardown(void) {
        char cmd[PATH_MAX + 16];

        snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
        ASSERT_EQ(system(cmd), 0);
}

TEST(decide) {
        char s[ID128_STRING_MAX], path[PATH_MAX];
        SpawnError note;
        uint8_t first[16];
        Plan p;

        setup();

        /* Neither Register=yes nor MachineID=: nothing is decided or read. */
        image_id("garbage\n");
        ASSERT_EQ(decide(false, NULL, &p, &note), MACHINE_ID_NONE);
        ASSERT_FALSE(p.machine_id_set);

        /* No file: MachineID=, else a random ID (a new one each start). */
        image_id(NULL);
        ASSERT_EQ(decide(true, unit_id, &p, &note), MACHINE_ID_UNIT);
        ASSERT_TRUE(memcmp(p.machine_id, unit_id, 16) == 0);
        ASSERT_EQ(note.message[0], 0);
        ASSERT_EQ(decide(false, unit_id, &p, &note), MACHINE_ID_UNIT);
        ASSERT_EQ(decide(true, NULL, &p, &note), MACHINE_ID_RANDOM);
        ASSERT_TRUE(p.machine_id_set);
        ASSERT_FALSE(id128_is_null(p.machine_id));
        memcpy(first, p.machine_id, 16);
        ASSERT_EQ(decide(true, NULL, &p, &note), MACHINE_ID_RANDOM);
        ASSERT_FALSE(memcmp(first, p.machine_id, 16) == 0);

        /* Empty or "uninitialized": none yet, as systemd reads it. */
        image_id("");
        ASSERT_EQ(decide(true, unit_id, &p, &note), MACHINE_ID_UNIT);
        image_id("uninitialized\n");
        ASSERT_EQ(decide(true, unit_id, &p, &note), MACHINE_ID_UNIT);

        /* The image's ID counts, over MachineID= too (said in the note). */
        image_id("4a3f0e1c2b5d4e6f8a9b0c1d2e3f4a5b\n");
        ASSERT_EQ(decide(true, NULL, &p, &note), MACHINE_ID_IMAGE);
        ASSERT_STREQ(id128_to_string(p.machine_id, s), "4a3f0e1c2b5d4e6f8a9b0c1d2e3f4a5b");
        ASSERT_EQ(note.message[0], 0);
        ASSERT_EQ(decide(false, unit_id, &p, &note), MACHINE_ID_IMAGE);
        ASSERT_STREQ(id128_to_string(p.machine_id, s), "4a3f0e1c2b5d4e6f8a9b0c1d2e3f4a5b");
        ASSERT_STREQ(note.message, "MachineID=0b6f5a2e6e3c4d6b9c2c740d3ec55d01: the image's /etc/machine-id "
                     "holds 4a3f0e1c2b5d4e6f8a9b0c1d2e3f4a5b, which counts (as with systemd-nspawn)");
        image_id("4a3f0e1c2b5d4e6f8a9b0c1d2e3f4a5b");       /* no newline */
        ASSERT_EQ(decide(true, NULL, &p, &note), MACHINE_ID_IMAGE);

        /* What is no ID refuses the start, as nspawn does. */
        image_id("00000000000000000000000000000000\n");
        ASSERT_ERROR(decide(true, NULL, &p, &note), EINVAL);
        ASSERT_CONTAINS(note.message, "/etc/machine-id is all zeros, refusing");
        image_id("4a3f0e1c-2b5d-4e6f-8a9b-0c1d2e3f4a5b\n");
        ASSERT_ERROR(decide(true, NULL, &p, &note), EINVAL);
        ASSERT_CONTAINS(note.message, "its /etc/machine-id holds no machine ID");
        image_id("4a3f0e1c2b5d4e6f8a9b0c1d2e3f4a5b\n\n");
        ASSERT_ERROR(decide(true, NULL, &p, &note), EINVAL);

        /* A FIFO is not opened (the start would hang). */
        image_id(NULL);
        snprintf(path, sizeof path, "%s/etc/machine-id", root);
        ASSERT_OK(mkfifo(path, 0644));
        ASSERT_ERROR(decide(true, NULL, &p, &note), EINVAL);

        /* An absolute link is the image's: /etc/os-release of the root (none
         * here, so no ID), never the host's (which is no ID: a refusal). */
        ASSERT_OK(unlink(path));
        ASSERT_OK(symlink("/etc/os-release", path));
        ASSERT_EQ(decide(true, unit_id, &p, &note), MACHINE_ID_UNIT);
        ASSERT_OK(unlink(path));
        ASSERT_OK(symlink("/../../../id", path));
        snprintf(path, sizeof path, "%s/id", root);
        FILE *f = fopen(path, "we");
        ASSERT_NOT_NULL(f);
        fputs("4a3f0e1c2b5d4e6f8a9b0c1d2e3f4a5b\n", f);
        ASSERT_EQ(fclose(f), 0);
        ASSERT_EQ(decide(true, NULL, &p, &note), MACHINE_ID_IMAGE);
        ASSERT_STREQ(id128_to_string(p.machine_id, s), "4a3f0e1c2b5d4e6f8a9b0c1d2e3f4a5b");

        teardown();
}

static int decide_volatile(CellVolatile v, const uint8_t *id, Plan *p, SpawnError *note) {
        *p = (Plan) { .root_directory = root, .register_machine = true, .root_volatile = v };
        *note = (SpawnError) {};
        if (id) {
                memcpy(p->machine_id, id, 16);
                p->machine_id_set = true;
        }
        return machine_id_decide(p, p->root_directory, note);
}

/* Volatile=yes: the container's /etc is a tmpfs, the image's machine-id is
 * not there to count (nspawn looks only once its volatile root is made):
 * MachineID= (or a random ID) it is, without a notice. */
TEST(volatile_root) {
        SpawnError note;
        char s[ID128_STRING_MAX];
        Plan p;

        setup();
        image_id("4a3f0e1c2b5d4e6f8a9b0c1d2e3f4a5b\n");
        ASSERT_EQ(decide_volatile(CELL_VOLATILE_YES, unit_id, &p, &note), MACHINE_ID_UNIT);
        ASSERT_STREQ(id128_to_string(p.machine_id, s), "0b6f5a2e6e3c4d6b9c2c740d3ec55d01");
        ASSERT_EQ(note.message[0], 0);

        /* What is not the image's ID is no refusal either. */
        image_id("00000000000000000000000000000000\n");
        ASSERT_EQ(decide_volatile(CELL_VOLATILE_YES, NULL, &p, &note), MACHINE_ID_RANDOM);

        /* Volatile=state and overlay keep the image's /etc: its ID counts. */
        image_id("4a3f0e1c2b5d4e6f8a9b0c1d2e3f4a5b\n");
        ASSERT_EQ(decide_volatile(CELL_VOLATILE_OVERLAY, unit_id, &p, &note), MACHINE_ID_IMAGE);
        ASSERT_EQ(decide_volatile(CELL_VOLATILE_STATE, unit_id, &p, &note), MACHINE_ID_IMAGE);
        teardown();
}
