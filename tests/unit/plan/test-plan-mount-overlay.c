/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan_build(): the unit's overlays against each other and the root, and
 * the entries the start's messages quote (plan-mount-check.c). */

#include <sys/mount.h>

#include "plan-internal.h"
#include "plan-test.h"

/* Overlay layers that overlayfs does not allow (an upper directory in a lower
 * one of its own mount, or around one: the kernel refuses a lower in the upper,
 * ELOOP at the start, "Too many levels of symbolic links") or mounts with
 * undefined contents (a layer another overlay writes to: an upper twice, which
 * would share its work directory too) are refused at cell verify, with the
 * lines of both. Read-only overlays may
 * share layers, and a "+" path is not the host path of the same name. */
TEST(mounts_overlay_layers_shared) {
        CellConfig c;
        Plan p = {};

        config_from_text(&c, "ov",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "Overlay=/srv/l:/srv/l:/a\n"                    /* line 3 */
                         "Overlay=/srv:/srv/l:/b\n"                      /* line 4 */
                         "Overlay=/srv/up/l:/srv/up:/c\n"                /* line 5 */
                         "Overlay=/l1:/up:/d\n"                          /* line 6 */
                         "Overlay=/l2:/up:/e\n"                          /* line 7 */
                         "OverlayReadOnly=/up::/f\n"                     /* line 8 */
                         "[Exec]\n"
                         "Exec=/bin/true\n");
        plan_fails(&c, "ov.cell:3: Overlay=/srv/l:/srv/l:/a: the upper directory /srv/l is or contains the lower "
                   "layer /srv/l: overlayfs refuses overlapping layers");
        /* /srv/l is the upper of line 3, which writes to it. */
        plan_fails(&c, "ov.cell:4: Overlay=/srv:/srv/l:/b: /srv/l is a layer of the overlay of ");
        plan_fails(&c, "ov.cell:5: Overlay=/srv/up/l:/srv/up:/c: the upper directory /srv/up is or contains the "
                   "lower layer /srv/up/l: ");
        plan_fails(&c, "ov.cell:7: Overlay=/l2:/up:/e: /up is a layer of the overlay of ");
        plan_fails(&c, "ov.cell:6 too, and one of them writes to it: overlayfs leaves what they show undefined");
        plan_fails(&c, "ov.cell:8: OverlayReadOnly=/up::/f: /up is a layer of the overlay of ");
        cell_config_done(&c);

        config_from_text(&c, "ok",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "OverlayReadOnly=/l1:/l2:/a\n"
                         "OverlayReadOnly=/l2:/l1:/b\n"
                         "Overlay=/l1::/c\n"
                         "Overlay=/l1::/d\n"
                         "Overlay=+/l:+/up:/e\n"
                         "Overlay=/l:/up:/f\n"
                         "Overlay=/srv/l:/srv/lu:/g\n"
                         "Overlay=/srv/m:/srv/m/new/upper:/h\n"   /* an upper in a lower: the kernel mounts it */
                         "[Exec]\n"
                         "Exec=/bin/true\n");
        plan_ok(&c, NULL, &p);
        plan_done(&p);
        cell_config_done(&c);
}

/* Volatile=state makes the root read-only before the unit's mounts, as
 * nspawn's --volatile=state (whose overlay then fails on a "+" upper): a
 * writable overlay's "+" upper outside /var is refused at verify, never
 * made in the image. On the host, below /var (the tmpfs), empty, read-only
 * or under ReadOnly=yes (which cell unseals for it) it is taken. */
TEST(mounts_overlay_volatile_state) {
        CellConfig c;
        Plan p = {};

        config_from_text(&c, "vs",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "Volatile=state\n"
                         "Overlay=+/usr/share:+/srv/changes:/usr/share\n"       /* line 4 */
                         "Overlay=+/srv/l:+/opt\n"                              /* line 5 */
                         "[Exec]\n"
                         "Exec=/bin/true\n");
        plan_fails(&c, "vs.cell:4: Overlay=+/usr/share:+/srv/changes:/usr/share: the upper directory "
                   "+/srv/changes is in the container's root, which Volatile=state makes read-only before the "
                   "unit's mounts (as systemd-nspawn does)");
        plan_fails(&c, "vs.cell:5: Overlay=+/srv/l:+/opt: the upper directory +/opt is in the container's root");
        cell_config_done(&c);

        config_from_text(&c, "ok",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "Volatile=state\n"
                         "Overlay=+/usr/share:+/var/lib/changes:/usr/share\n"
                         "Overlay=/srv/l:/srv/up:/a\n"
                         "Overlay=+/opt::/b\n"
                         "OverlayReadOnly=+/opt:+/srv/ro:/c\n"
                         "[Exec]\n"
                         "Exec=/bin/true\n");
        plan_ok(&c, NULL, &p);
        plan_done(&p);
        cell_config_done(&c);

        config_from_text(&c, "ro",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "ReadOnly=yes\n"
                         "Overlay=+/usr/share:+/srv/changes:/usr/share\n"
                         "[Exec]\n"
                         "Exec=/bin/true\n");
        plan_ok(&c, NULL, &p);
        plan_done(&p);
        cell_config_done(&c);
}

static const char *entry_of(const Plan *p, const char *target) {
        const PlanMount *m = plan_find_mount(p, target, NULL);

        ASSERT_NOT_NULL(m);
        return m ? m->entry : NULL;
}

/* Each mount of the unit's keeps its entry as written, for the start's
 * messages (a missing layer of one of two overlays of a target); the
 * built-in ones have none. */
TEST(mounts_entry_as_written) {
        CellConfig c;
        Plan p = {};

        config_from_text(&c, "e",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "Bind=/srv/%N:/data:norbind\n"
                         "TemporaryFileSystem=/scratch:size=64M\n"
                         "Overlay=+/l1:+/l2:+/up:/o\n"
                         "OverlayReadOnly=/srv/%N\\:x::/o\n"
                         "Inaccessible=/secret -/proc/kcore/ -/%N/x\n"
                         "[Exec]\n"
                         "Exec=/bin/true\n");
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(entry_of(&p, "/data"), "Bind=/srv/%N:/data:norbind");
        ASSERT_STREQ(entry_of(&p, "/scratch"), "TemporaryFileSystem=/scratch:size=64M");
        ASSERT_STREQ(entry_of(&p, "/secret"), "Inaccessible=/secret");
        /* As written: "-", the trailing slash and the specifier kept. */
        ASSERT_STREQ(entry_of(&p, "/proc/kcore"), "Inaccessible=-/proc/kcore/");
        ASSERT_STREQ(entry_of(&p, "/e/x"), "Inaccessible=-/%N/x");
        for (size_t i = 0, n = 0; i < p.n_mounts; i++) {
                const PlanMount *m = &p.mounts[i];

                if (m->line == 0) {
                        ASSERT_NULL(m->entry);
                        continue;
                }
                if (!streq(m->target, "/o"))
                        continue;
                /* Of one target, in the order written. */
                ASSERT_STREQ(m->entry, n++ == 0 ? "Overlay=+/l1:+/l2:+/up:/o" : "OverlayReadOnly=/srv/%N\\:x::/o");
        }
        plan_done(&p);
        cell_config_done(&c);
}
