/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan_build() of a unit of thousands of lines: the same mounts, in the same
 * order, and the same DeviceAllow= and Port= as a unit of a few lines gets.
 * How long it takes is tests/bench's to measure, never a pass or fail here. */

#include <sys/mount.h>

#include "plan-internal.h"
#include "plan-test.h"

#define MANY 3000

/* The unit: Inaccessible=/srv/dI for each I, then /srv/dI/sub (each hidden
 * by the first) and /srv/dI-x (a sibling, not below it) on one line;
 * Bind= and TemporaryFileSystem= of /mnt/bI in descending order, each
 * target twice (the Bind= first), DeviceAllow= and Port= MANY times. */
static char *many_text(void) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        ASSERT_NOT_NULL(f);
        fputs("[Root]\nDirectory=/var/lib/cell/test\n", f);
        for (unsigned i = 0; i < MANY; i++)
                fprintf(f, "Inaccessible=/srv/d%u\n", i);
        for (unsigned i = 0; i < MANY; i++)
                fprintf(f, "Inaccessible=/srv/d%u/sub /srv/d%u-x\n", i, i);
        for (unsigned i = MANY; i > 0; i--)
                fprintf(f, "Bind=/h:/mnt/b%u\n", i);
        for (unsigned i = MANY; i > 0; i--)
                fprintf(f, "TemporaryFileSystem=/mnt/b%u\n", i);
        fputs("[Exec]\nExec=/bin/true\n[Limits]\n", f);
        for (unsigned i = 0; i < MANY; i++)
                fprintf(f, "DeviceAllow=/dev/x%u rw\n", i);
        fputs("[Network]\nVirtualEthernet=yes\nAddress=10.0.0.2/24\n", f);
        for (unsigned i = 0; i < MANY; i++)
                fprintf(f, "Port=tcp:%u:%u\n", 1000 + i, 1000 + i);
        ASSERT_EQ(fclose(f), 0);
        return buf;
}

/* Orders as the plan does: component by component, "/mnt/b10" before "/mnt/b2". */
static int target_compare(const void *a, const void *b) {
        return strcmp(*(const char * const *) a, *(const char * const *) b);
}

TEST(mounts_many_lines) {
        _cleanup_free_ char *text = many_text();
        char **targets = calloc(MANY, sizeof(char *));
        const PlanProperty *devices = NULL;
        CellConfig c;
        Plan p = {};
        size_t i, last, n_masks = 0;

        ASSERT_NOT_NULL(targets);
        config_from_text(&c, "many", text);
        ASSERT_EQ(c.n_inaccessible, (size_t) 3 * MANY);
        ASSERT_EQ(c.n_binds, (size_t) MANY);
        ASSERT_EQ(c.n_tmpfs, (size_t) MANY);
        plan_ok(&c, NULL, &p);

        /* Bind= and TemporaryFileSystem= sorted by target (no name here has
         * a character below "/", so strcmp() orders as the plan), each
         * target's Bind= before its TemporaryFileSystem=, as written. */
        for (unsigned k = 0; k < MANY; k++)
                ASSERT_TRUE(asprintf(&targets[k], "/mnt/b%u", k + 1) > 0);
        qsort(targets, MANY, sizeof(char *), target_compare);
        ASSERT_NOT_NULL(plan_find_mount(&p, "/tmp", &last));
        i = last + 1;
        for (unsigned k = 0; k < MANY; k++) {
                ASSERT_EQ(p.mounts[i].kind, PLAN_MOUNT_BIND);
                ASSERT_STREQ(p.mounts[i++].target, targets[k]);
                ASSERT_EQ(p.mounts[i].kind, PLAN_MOUNT_FS);
                ASSERT_STREQ(p.mounts[i++].target, targets[k]);
        }

        /* The masks in the order written, without the hidden /srv/dI/sub. */
        for (unsigned k = 0; k < 2 * MANY; k++, i++) {
                char want[64];

                if (k < MANY)
                        snprintf(want, sizeof want, "/srv/d%u", k);
                else
                        snprintf(want, sizeof want, "/srv/d%u-x", k - MANY);
                ASSERT_EQ(p.mounts[i].kind, PLAN_MOUNT_MASK);
                ASSERT_STREQ(p.mounts[i].target, want);
                ASSERT_EQ(p.mounts[i].line, k < MANY ? 3 + k : 3 + MANY + (k - MANY));
        }
        for (size_t j = 0; j < p.n_mounts; j++)
                if (p.mounts[j].kind == PLAN_MOUNT_MASK && startswith(p.mounts[j].target, "/srv/"))
                        n_masks++;
        ASSERT_EQ(n_masks, (size_t) 2 * MANY);

        /* DeviceAllow=: cell's own nodes, then each line's, in order. */
        for (size_t j = 0; j < p.n_properties; j++)
                if (streq(p.properties[j].name, "DeviceAllow"))
                        devices = &p.properties[j];
        ASSERT_NOT_NULL(devices);
        size_t n = strv_length(devices->as);
        ASSERT_TRUE(n >= 2 * MANY);
        for (unsigned k = 0; k < MANY; k++) {
                char want[64];

                snprintf(want, sizeof want, "/dev/x%u", k);
                ASSERT_STREQ(devices->as[n - 2 * MANY + 2 * k], want);
                ASSERT_STREQ(devices->as[n - 2 * MANY + 2 * k + 1], "rw");
        }

        /* Port=: every line, and its origin counts them all. */
        ASSERT_EQ(p.n_ports, (size_t) MANY);
        const CellOrigin *o = NULL;
        for (size_t j = 0; j < p.n_origins; j++)
                if (streq(p.origins[j].key, "Port"))
                        o = &p.origins[j];
        ASSERT_NOT_NULL(o);
        ASSERT_EQ(o->lines, (unsigned) MANY);

        for (unsigned k = 0; k < MANY; k++)
                free(targets[k]);
        free(targets);
        plan_done(&p);
        cell_config_done(&c);
}

/* Thousands of overlays: the one that shares a layer with an earlier one
 * names the first such, as when each was held against every earlier one. */
TEST(overlays_many_lines) {
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        CellConfig c;

        ASSERT_NOT_NULL(f);
        fputs("[Root]\nDirectory=/var/lib/cell/test\n", f);
        for (unsigned i = 0; i < MANY; i++)     /* overlay i on line 3 + i */
                fprintf(f, "Overlay=/l%u:/u%u:/mnt/o%u\n", i, i, i);
        fputs("OverlayReadOnly=/u7::/mnt/ro\n", f);
        fputs("Overlay=/x:/l9:/mnt/w\n", f);
        fputs("Overlay=/u11:/u12:/mnt/z\n", f);
        fputs("[Exec]\nExec=/bin/true\n", f);
        ASSERT_EQ(fclose(f), 0);
        config_from_text(&c, "many", text);
        free(text);
        ASSERT_EQ(c.n_overlays, (size_t) MANY + 3);
        /* Reads what overlay 7 writes to. */
        plan_fails(&c, "many.cell:3003: OverlayReadOnly=/u7::/mnt/ro: /u7 is a layer of the overlay of ");
        plan_fails(&c, "many.cell:10 too, and one of them writes to it");
        /* Writes to a lower layer of overlay 9. */
        plan_fails(&c, "many.cell:3004: Overlay=/x:/l9:/mnt/w: /l9 is a layer of the overlay of ");
        plan_fails(&c, "many.cell:12 too");
        /* Writes to overlay 12's upper, reads overlay 11's: 11 is the first. */
        plan_fails(&c, "many.cell:3005: Overlay=/u11:/u12:/mnt/z: /u11 is a layer of the overlay of ");
        plan_fails(&c, "many.cell:14 too");
        cell_config_done(&c);
}
