/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan_build(): the mount list -- built-ins, the unit's own, masks, order. */

#include <sys/mount.h>

#include "plan-internal.h"
#include "plan-test.h"

static void assert_mount(const Plan *p, size_t i, PlanMountKind kind, const char *target, const char *fstype,
                         unsigned long flags, const char *data, const char *source) {
        ASSERT_TRUE(i < p->n_mounts);
        const PlanMount *m = &p->mounts[i];
        ASSERT_EQ(m->kind, kind);
        ASSERT_STREQ(m->target, target);
        ASSERT_STREQ(m->fstype, fstype);
        ASSERT_EQ(m->flags, flags);
        ASSERT_STREQ(m->data, data);
        ASSERT_STREQ(m->source, source);
}

TEST(mounts_builtin_order) {
        CellConfig c;
        Plan p = {};
        size_t i = 0;
        const unsigned long nsde = MS_NOSUID | MS_NODEV | MS_NOEXEC;

        config_minimal(&c, "m");
        plan_ok(&c, NULL, &p);

        assert_mount(&p, i++, PLAN_MOUNT_FS, "/proc", "proc", nsde, NULL, "proc");
        /* Before the read-only /proc/sys, which leaves it writable. */
        assert_mount(&p, i, PLAN_MOUNT_WRITABLE, "/proc/sys/net", NULL, nsde, NULL, NULL);
        ASSERT_TRUE(p.mounts[i++].optional);
        assert_mount(&p, i++, PLAN_MOUNT_FS, "/sys", "sysfs", MS_RDONLY | nsde, NULL, "sysfs");
        assert_mount(&p, i++, PLAN_MOUNT_FS, "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=4m,nr_inodes=64k",
                     "tmpfs");
        for (const char * const *d = (const char * const[]) { "/dev/null", "/dev/zero", "/dev/full",
                                                                "/dev/random", "/dev/urandom", "/dev/tty", NULL };
             *d; d++) {
                assert_mount(&p, i, PLAN_MOUNT_DEVICE, *d, NULL, MS_NOSUID | MS_NOEXEC, NULL, *d);
                ASSERT_FALSE(p.mounts[i++].optional);
        }
        /* As nspawn's: skipped on a host without it (no tun module). */
        assert_mount(&p, i, PLAN_MOUNT_DEVICE, "/dev/net/tun", NULL, MS_NOSUID | MS_NOEXEC, NULL, "/dev/net/tun");
        ASSERT_TRUE(p.mounts[i++].optional);
        assert_mount(&p, i++, PLAN_MOUNT_FS, "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                     "newinstance,ptmxmode=0666,mode=0620,gid=5", "devpts");
        assert_mount(&p, i++, PLAN_MOUNT_SYMLINK, "/dev/ptmx", NULL, 0, NULL, "pts/ptmx");
        assert_mount(&p, i++, PLAN_MOUNT_FS, "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV,
                     "mode=1777,size=10%,nr_inodes=400k", "tmpfs");
        assert_mount(&p, i++, PLAN_MOUNT_FS, "/dev/mqueue", "mqueue", nsde, NULL, "mqueue");
        assert_mount(&p, i++, PLAN_MOUNT_SYMLINK, "/dev/fd", NULL, 0, NULL, "/proc/self/fd");
        assert_mount(&p, i++, PLAN_MOUNT_SYMLINK, "/dev/stdin", NULL, 0, NULL, "/proc/self/fd/0");
        assert_mount(&p, i++, PLAN_MOUNT_SYMLINK, "/dev/stdout", NULL, 0, NULL, "/proc/self/fd/1");
        assert_mount(&p, i++, PLAN_MOUNT_SYMLINK, "/dev/stderr", NULL, 0, NULL, "/proc/self/fd/2");
        assert_mount(&p, i++, PLAN_MOUNT_FS, "/run", "tmpfs", MS_NOSUID | MS_NODEV,
                     "mode=0755,size=20%,nr_inodes=800k", "tmpfs");
        /* Skipped on a read-only image without a /tmp. */
        assert_mount(&p, i, PLAN_MOUNT_FS, "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
                     "mode=1777,size=10%,nr_inodes=400k", "tmpfs");
        ASSERT_TRUE(p.mounts[i++].optional);
        for (const char * const *d = (const char * const[]) { "/proc/kallsyms", "/proc/kcore", "/proc/keys", "/proc/timer_list",
                                                                "/proc/sched_debug", "/proc/acpi", "/proc/scsi",
                                                                "/sys/firmware", "/sys/devices/virtual/powercap",
                                                                NULL };
             *d; d++) {
                assert_mount(&p, i, PLAN_MOUNT_MASK, *d, NULL, MS_RDONLY | nsde, NULL, NULL);
                ASSERT_TRUE(p.mounts[i++].optional);
        }
        for (const char * const *d = (const char * const[]) { "/proc/sys", "/proc/sysrq-trigger", "/proc/irq",
                                                                "/proc/bus", "/proc/fs", "/proc/apm", "/proc/asound",
                                                                NULL };
             *d; d++)
                assert_mount(&p, i++, PLAN_MOUNT_READ_ONLY, *d, NULL, MS_RDONLY | MS_REC | nsde, NULL, NULL);
        assert_mount(&p, i++, PLAN_MOUNT_CGROUP, "/sys/fs/cgroup", NULL, MS_RDONLY | nsde, NULL, NULL);
        ASSERT_EQ(i, p.n_mounts);
        for (size_t k = 0; k < p.n_mounts; k++)
                ASSERT_EQ(p.mounts[k].line, 0);

        plan_done(&p);
        cell_config_done(&c);
}

TEST(mounts_sys_without_private_network) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "m");
        c.private_network = false;
        plan_ok(&c, NULL, &p);
        /* A fresh sysfs as with a private network, never a (recursive) bind of
         * the host's /sys: its tracefs, debugfs, securityfs would come along. */
        assert_mount(&p, 1, PLAN_MOUNT_FS, "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                     NULL, "sysfs");
        /* The host's network's sysctls: read-only with the rest of /proc/sys. */
        ASSERT_NULL(plan_find_mount(&p, "/proc/sys/net", NULL));
        for (size_t k = 0; k < p.n_mounts; k++)
                ASSERT_FALSE(p.mounts[k].kind == PLAN_MOUNT_BIND && streq_ptr(p.mounts[k].source, "/sys"));
        plan_done(&p);
        cell_config_done(&c);
}

TEST(mounts_user_order_and_lines) {
        CellConfig c;
        Plan p = {};
        size_t run, b1, b2, t, o, in, kcore, cg;
        const PlanMount *m;

        config_minimal(&c, "m");
        config_add_bind(&c, "/srv/www", "/var/www", true, 7);
        config_add_bind(&c, "/srv/data", NULL, false, 9);
        config_add_bind(&c, "+/srv/in-root", NULL, true, 10);
        c.binds[1].ignore_missing = true;
        c.binds[1].recursive = false;
        c.binds[1].nosuid = c.binds[1].nodev = c.binds[1].noexec = true;
        c.binds[1].idmap = true;

        c.tmpfs = calloc(4, sizeof(CellTmpfs));
        ASSERT_NOT_NULL(c.tmpfs);
        c.tmpfs[0] = (CellTmpfs) { .path = xstrdup("/tmp"), .options = NULL, .line = 11 };
        c.tmpfs[1] = (CellTmpfs) { .path = xstrdup("/scratch"), .options = xstrdup("size=10M,ro,mode=0700,exec"),
                                   .line = 12 };
        c.tmpfs[2] = (CellTmpfs) { .path = xstrdup("/tmp2"), .options = xstrdup("size=10485760"), .line = 12 };
        c.tmpfs[3] = (CellTmpfs) { .path = xstrdup("/tmp3"), .options = xstrdup("ro"), .line = 12 };
        c.n_tmpfs = 4;

        c.overlays = calloc(1, sizeof(CellOverlay));
        ASSERT_NOT_NULL(c.overlays);
        ASSERT_OK(strv_extend(&c.overlays[0].lower, "+/usr"));
        ASSERT_OK(strv_extend(&c.overlays[0].lower, "+/opt"));
        c.overlays[0].upper = xstrdup("");
        c.overlays[0].target = xstrdup("/usr");
        c.overlays[0].line = 13;
        c.n_overlays = 1;

        config_add_inaccessible(&c, "/etc/secret", NULL, 14);

        plan_ok(&c, NULL, &p);

        ASSERT_NOT_NULL(plan_find_mount(&p, "/run", &run));
        ASSERT_NOT_NULL(m = plan_find_mount(&p, "/var/www", &b1));
        ASSERT_EQ(m->kind, PLAN_MOUNT_BIND);
        ASSERT_STREQ(m->source, "/srv/www");
        ASSERT_EQ(m->flags, MS_REC | MS_RDONLY);
        ASSERT_EQ(m->line, 7);
        ASSERT_FALSE(m->optional);

        ASSERT_NOT_NULL(m = plan_find_mount(&p, "/srv/data", &b2));
        ASSERT_STREQ(m->source, "/srv/data");   /* target defaults to the source */
        ASSERT_EQ(m->flags, MS_NOSUID | MS_NODEV | MS_NOEXEC);
        ASSERT_TRUE(m->optional);
        ASSERT_TRUE(m->idmap);
        ASSERT_EQ(m->line, 9);
        ASSERT_FALSE(m->source_in_root);

        /* "+": inside the root, flagged; the "+" is not part of the path. */
        ASSERT_NOT_NULL(m = plan_find_mount(&p, "/srv/in-root", NULL));
        ASSERT_EQ(m->kind, PLAN_MOUNT_BIND);
        ASSERT_STREQ(m->source, "/srv/in-root");
        ASSERT_TRUE(m->source_in_root);
        ASSERT_EQ(m->flags, MS_REC | MS_RDONLY);
        ASSERT_EQ(m->line, 10);

        ASSERT_NOT_NULL(m = plan_find_mount(&p, "/tmp", &t));
        ASSERT_EQ(m->kind, PLAN_MOUNT_FS);
        ASSERT_STREQ(m->fstype, "tmpfs");
        ASSERT_STREQ(m->data, "mode=0755");
        ASSERT_EQ(m->flags, MS_NOSUID | MS_NODEV);
        ASSERT_EQ(m->line, 11);
        ASSERT_NOT_NULL(m = plan_find_mount(&p, "/scratch", NULL));
        ASSERT_STREQ(m->data, "size=10M,mode=0700");
        ASSERT_EQ(m->flags, MS_NOSUID | MS_NODEV | MS_RDONLY);
        /* With options, nspawn leaves the mode to the kernel (1777): mode=0755
         * is for a bare PATH only, so /tmp:size=10M stays a /tmp for all. */
        ASSERT_NOT_NULL(m = plan_find_mount(&p, "/tmp2", NULL));
        ASSERT_STREQ(m->data, "size=10485760");
        ASSERT_NOT_NULL(m = plan_find_mount(&p, "/tmp3", NULL));
        ASSERT_NULL(m->data);
        ASSERT_EQ(m->flags, MS_NOSUID | MS_NODEV | MS_RDONLY);

        ASSERT_NOT_NULL(m = plan_find_mount(&p, "/usr", &o));
        ASSERT_EQ(m->kind, PLAN_MOUNT_OVERLAY);
        ASSERT_TRUE(m->source_in_root);
        ASSERT_EQ(strv_length(m->lower), 2);
        /* "+/usr:+/opt" lists /usr lowest; the plan holds the kernel's order, top-most first. */
        ASSERT_STREQ(m->lower[0], "/opt");
        ASSERT_STREQ(m->lower[1], "/usr");
        ASSERT_STREQ(m->upper, "");
        ASSERT_EQ(m->line, 13);

        ASSERT_NOT_NULL(m = plan_find_mount(&p, "/etc/secret", &in));
        ASSERT_EQ(m->kind, PLAN_MOUNT_MASK);
        ASSERT_EQ(m->line, 14);
        ASSERT_FALSE(m->optional);

        ASSERT_NOT_NULL(plan_find_mount(&p, "/proc/kcore", &kcore));
        ASSERT_NOT_NULL(plan_find_mount(&p, "/sys/fs/cgroup", &cg));

        /* Built-ins, then the unit's sorted by target (/srv/data, /tmp,
         * /usr, /var/www), then Inaccessible=, the masks; cgroup last. */
        ASSERT_TRUE(run < b2);
        ASSERT_TRUE(b2 < t);
        ASSERT_TRUE(t < o);
        ASSERT_TRUE(o < b1);
        ASSERT_TRUE(b1 < in);
        ASSERT_TRUE(in < kcore);
        ASSERT_EQ(cg, p.n_mounts - 1);

        plan_done(&p);
        cell_config_done(&c);
}

/* nspawn sorts its custom mounts by target: a parent is mounted before
 * what lies below it, so a Bind= below a TemporaryFileSystem= (or below
 * another Bind=) written before it is not hidden by it. One target's
 * mounts keep their order (Bind=, TemporaryFileSystem=, Overlay=, each in
 * file order): the last one is on top. */
TEST(mounts_user_sorted_by_target) {
        static const char *const want[] = {
                "/srv", "/srv/data", "/srv/data", "/srv/data/x", "/srv/data-old", "/srv/data-old",
                "/srv/dataz", "/var", "/var/lib/a", "/etc/hidden",
        };
        static const unsigned want_line[] = { 5, 3, 4, 2, 6, 7, 8, 9, 1, 10 };
        CellConfig c;
        Plan p = {};
        size_t last;

        config_minimal(&c, "m");
        config_add_bind(&c, "/h/a", "/var/lib/a", false, 1);
        config_add_bind(&c, "/h/x", "/srv/data/x", false, 2);
        config_add_bind(&c, "/h/data", "/srv/data", false, 3);
        config_add_bind(&c, "/h/data2", "/srv/data", false, 4);
        config_add_bind(&c, "/h/old", "/srv/data-old", false, 6);
        c.tmpfs = calloc(3, sizeof(CellTmpfs));
        ASSERT_NOT_NULL(c.tmpfs);
        c.tmpfs[0] = (CellTmpfs) { .path = xstrdup("/srv"), .line = 5 };
        c.tmpfs[1] = (CellTmpfs) { .path = xstrdup("/srv/data-old"), .line = 7 };
        c.tmpfs[2] = (CellTmpfs) { .path = xstrdup("/srv/dataz"), .line = 8 };
        c.n_tmpfs = 3;
        c.overlays = calloc(1, sizeof(CellOverlay));
        ASSERT_NOT_NULL(c.overlays);
        ASSERT_OK(strv_extend(&c.overlays[0].lower, "/h/var"));
        c.overlays[0].upper = xstrdup("");
        c.overlays[0].target = xstrdup("/var");
        c.overlays[0].line = 9;
        c.n_overlays = 1;
        config_add_inaccessible(&c, "/etc/hidden", NULL, 10);

        plan_ok(&c, NULL, &p);
        ASSERT_NOT_NULL(plan_find_mount(&p, "/tmp", &last));    /* the last built-in */
        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                const PlanMount *m = &p.mounts[last + 1 + i];

                ASSERT_EQ(m->line, want_line[i]);
                ASSERT_STREQ(m->target, want[i]);
        }
        ASSERT_EQ(p.mounts[last + 1 + ELEMENTSOF(want)].line, 0);
        plan_done(&p);
        cell_config_done(&c);
}

/* The built-in /tmp gives way to a unit's own mount there (as written,
 * "/tmp/" too), never to one below it, which goes on top of it. */
TEST(mounts_tmp_replaced) {
        /* k: Bind= at /tmp/, TemporaryFileSystem=, Overlay=, Bind= below /tmp. */
        for (unsigned k = 0; k < 4; k++) {
                CellConfig c;
                Plan p = {};
                size_t at, n = 0;

                config_minimal(&c, "m");
                if (k == 0 || k == 3)
                        config_add_bind(&c, "+/tmp", k == 0 ? "/tmp/" : "/tmp/x", false, 4);
                else if (k == 1) {
                        ASSERT_NOT_NULL(c.tmpfs = calloc(1, sizeof(CellTmpfs)));
                        c.tmpfs[0] = (CellTmpfs) { .path = xstrdup("/tmp"), .line = 4 };
                        c.n_tmpfs = 1;
                } else {
                        ASSERT_NOT_NULL(c.overlays = calloc(1, sizeof(CellOverlay)));
                        ASSERT_OK(strv_extend(&c.overlays[0].lower, "/h/tmp"));
                        c.overlays[0].upper = xstrdup("");
                        c.overlays[0].target = xstrdup("/tmp");
                        c.overlays[0].line = 4;
                        c.n_overlays = 1;
                }
                plan_ok(&c, NULL, &p);
                for (size_t i = 0; i < p.n_mounts; i++)
                        n += streq_ptr(p.mounts[i].target, "/tmp") || streq_ptr(p.mounts[i].target, "/tmp/");
                ASSERT_EQ(n, 1);
                ASSERT_NOT_NULL(plan_find_mount(&p, k == 0 ? "/tmp/" : "/tmp", &at));
                ASSERT_EQ(p.mounts[at].line, k == 3 ? 0 : 4);
                plan_done(&p);
                cell_config_done(&c);
        }
}

TEST(mounts_bad_targets) {
        CellConfig c;

        config_minimal(&c, "m");
        config_add_bind(&c, "/srv", "/", false, 5);
        config_add_bind(&c, "+/srv", "/", false, 6);
        config_add_inaccessible(&c, "/", NULL, 8);
        plan_fails(&c, "m.cell:5: Bind=/srv:/: cannot mount over the container's root");
        plan_fails(&c, "m.cell:6: Bind=+/srv:/: cannot mount over the container's root");
        plan_fails(&c, "m.cell:8: Inaccessible=/: cannot mount over the container's root");
        cell_config_done(&c);

        config_minimal(&c, "m");
        c.overlays = calloc(1, sizeof(CellOverlay));
        ASSERT_NOT_NULL(c.overlays);
        ASSERT_OK(strv_extend(&c.overlays[0].lower, "+/usr"));
        ASSERT_OK(strv_extend(&c.overlays[0].lower, "/srv/usr"));
        c.overlays[0].upper = xstrdup("/srv/upper");
        c.overlays[0].target = xstrdup("/usr");
        c.overlays[0].line = 4;
        c.n_overlays = 1;
        plan_fails(&c, "m.cell:4: Overlay=+/usr:/srv/usr:/srv/upper:/usr: mixing paths");
        /* OverlayReadOnly='s own lines name OverlayReadOnly=, the key the
         * admin wrote (they said "Overlay=", a key the unit may not have). */
        c.overlays[0].read_only = true;
        plan_fails(&c, "m.cell:4: OverlayReadOnly=+/usr:/srv/usr:/srv/upper:/usr: mixing paths");
        strv_free(c.overlays[0].lower);
        c.overlays[0].lower = NULL;
        ASSERT_OK(strv_extend(&c.overlays[0].lower, "/srv/usr"));
        free(c.overlays[0].target);
        c.overlays[0].target = xstrdup("/");
        plan_fails(&c, "m.cell:4: OverlayReadOnly=/srv/usr:/srv/upper:/: cannot mount over the container's root");
        cell_config_done(&c);
}

/* The built-in masks and read-only paths below /proc are made only on the
 * container's procfs: a unit's mount over one (or above it) is refused
 * here with its line, not at the start as a "fake /proc"; an Inaccessible=
 * over one hides it already and replaces it (masking the mask found the
 * mask's /dev/null, not procfs, and failed the start). */
TEST(mounts_over_proc_interfaces) {
        CellConfig c;
        Plan p = {};
        size_t n_masks = 0, n_ro = 0;

        config_minimal(&c, "m");
        config_add_inaccessible(&c, "/proc/keys", NULL, 3);
        config_add_inaccessible(&c, "/proc/sys", NULL, 4);
        config_add_inaccessible(&c, "/proc/sys/kernel", NULL, 5);
        config_add_bind(&c, "/srv/meminfo", "/proc/meminfo", true, 6);   /* lxcfs' way: fine */
        config_add_bind(&c, "/srv/rnd", "/proc/sys/kernel/random", false, 7);
        plan_ok(&c, NULL, &p);
        for (size_t i = 0; i < p.n_mounts; i++) {
                const PlanMount *m = &p.mounts[i];

                if (streq(m->target, "/proc/keys") && m->kind == PLAN_MOUNT_MASK) {
                        n_masks++;
                        ASSERT_EQ(m->line, 3u);
                }
                if (streq(m->target, "/proc/sys")) {
                        n_ro++;
                        ASSERT_EQ(m->kind, PLAN_MOUNT_MASK);
                        ASSERT_EQ(m->line, 4u);
                }
        }
        ASSERT_EQ(n_masks, 1u);
        ASSERT_EQ(n_ro, 1u);
        ASSERT_NULL(plan_find_mount(&p, "/proc/sys/kernel", NULL));     /* hidden by /proc/sys */
        ASSERT_NOT_NULL(plan_find_mount(&p, "/proc/irq", NULL));        /* the others stay */
        ASSERT_NOT_NULL(plan_find_mount(&p, "/proc/timer_list", NULL));
        plan_done(&p);
        cell_config_done(&c);

        /* Said again (a drop-in): one mask, the first. */
        config_minimal(&c, "m");
        config_add_inaccessible(&c, "/proc/timer_list", NULL, 3);
        config_add_inaccessible(&c, "/proc/timer_list", "/etc/cell/m.cell.d/x.conf", 2);
        config_add_inaccessible(&c, "/", NULL, 9);
        plan_fails(&c, "m.cell:9: Inaccessible=/: cannot mount over the container's root");
        c.n_inaccessible--;
        free(c.inaccessible[c.n_inaccessible].path);
        plan_ok(&c, NULL, &p);
        n_masks = 0;
        for (size_t i = 0; i < p.n_mounts; i++)
                if (streq(p.mounts[i].target, "/proc/timer_list")) {
                        n_masks++;
                        ASSERT_EQ(p.mounts[i].line, 3u);
                }
        ASSERT_EQ(n_masks, 1u);
        plan_done(&p);
        cell_config_done(&c);

        config_minimal(&c, "m");
        config_add_bind(&c, "/srv", "/proc/sys", false, 5);
        plan_fails(&c, "m.cell:5: Bind=/srv:/proc/sys: cannot mount over /proc/sys: cell makes /proc/sys read-only");
        cell_config_done(&c);

        config_minimal(&c, "m");
        config_add_bind(&c, "/srv/keys", "/proc/keys", true, 6);
        plan_fails(&c, "m.cell:6: BindReadOnly=/srv/keys:/proc/keys: cannot mount over /proc/keys: "
                   "cell masks /proc/keys");
        cell_config_done(&c);

        config_minimal(&c, "m");
        config_add_bind(&c, "/srv", "/proc", false, 7);
        plan_fails(&c, "m.cell:7: Bind=/srv:/proc: cannot mount over /proc: the container's /proc is its procfs");
        cell_config_done(&c);

        config_minimal(&c, "m");
        config_add_inaccessible(&c, "/proc", NULL, 8);
        plan_fails(&c, "m.cell:8: Inaccessible=/proc: cannot mount over /proc:");
        cell_config_done(&c);

        config_from_text(&c, "t",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "TemporaryFileSystem=/proc/acpi\n"
                         "Overlay=/a:/b:/proc/fs\n"
                         "Inaccessible=-/proc/\n"
                         "[Exec]\n"
                         "Exec=/bin/true\n");
        plan_fails(&c, "t.cell:3: TemporaryFileSystem=/proc/acpi: cannot mount over /proc/acpi: cell masks /proc/acpi");
        plan_fails(&c, "t.cell:4: Overlay=/a:/b:/proc/fs: cannot mount over /proc/fs: cell makes /proc/fs read-only");
        /* Named as written, "-" and all. */
        plan_fails(&c, "t.cell:5: Inaccessible=-/proc/: cannot mount over /proc:");
        cell_config_done(&c);
}

/* The cgroup is mounted after the unit's mounts: an Inaccessible= on it (or
 * above) hid nothing, the cgroup came on top (or the start failed on a
 * read-only mask); a Bind= on it was hidden without a word. */
TEST(mounts_over_cgroup) {
        CellConfig c;
        Plan p = {};

        for (const char * const *t = (const char * const[]) { "/sys/fs/cgroup", "/sys/fs", "/sys", NULL }; *t; t++) {
                config_minimal(&c, "m");
                config_add_inaccessible(&c, *t, NULL, 3);
                plan_ok(&c, NULL, &p);
                size_t n_mask = 0;
                for (size_t i = 0; i < p.n_mounts; i++) {
                        ASSERT_TRUE(p.mounts[i].kind != PLAN_MOUNT_CGROUP);
                        n_mask += p.mounts[i].kind == PLAN_MOUNT_MASK && streq(p.mounts[i].target, *t);
                }
                ASSERT_EQ(n_mask, 1u);
                plan_done(&p);
                cell_config_done(&c);
        }

        config_minimal(&c, "m");
        config_add_bind(&c, "/srv/cg", "/sys/fs/cgroup", false, 4);
        plan_fails(&c, "m.cell:4: Bind=/srv/cg:/sys/fs/cgroup: cannot mount over /sys/fs/cgroup: "
                   "cell mounts the container's cgroup");
        cell_config_done(&c);

        /* Above it is fine: the cgroup goes on what the unit mounted there. */
        config_minimal(&c, "m");
        config_add_bind(&c, "/srv/fs", "/sys/fs", false, 4);
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.mounts[p.n_mounts - 1].kind, PLAN_MOUNT_CGROUP);
        plan_done(&p);
        cell_config_done(&c);
}

/* A drop-in's entries are reported against the drop-in, with their line in
 * it: the main file's name with the drop-in's line would point to the wrong
 * line of the wrong file. The main file's own keep the main file. */
TEST(mounts_bad_targets_in_dropin) {
        _cleanup_free_ char *all = NULL, *want = NULL;
        CellConfig c;
        Diagnostics d = {};
        Plan p = {};

        config_from_files(&c, "dd",
                          "[Root]\n"
                          "Directory=/var/lib/cell/test\n"
                          "BindReadOnly=/srv/main:/\n"                     /* line 3 */
                          "[Exec]\n"
                          "Exec=/bin/true\n",
                          "[Root]\n"
                          "Bind=/srv:/\n"                                  /* line 2 */
                          "TemporaryFileSystem=/\n"                        /* line 3 */
                          "Overlay=+/a:/b:/up:/x\n"                        /* line 4 */
                          "Inaccessible=/etc/x /\n");                      /* line 5 */
        ASSERT_ERROR(plan_build(&c, NULL, &p, &d), EINVAL);
        all = strv_join(d.messages, "\n");
        ASSERT_NOT_NULL(all);
        ASSERT_EQ(d.n_errors, 5);

#define EXPECT(file, fmt, ...)                                                  \
        do {                                                                    \
                want = mfree(want);                                             \
                ASSERT_TRUE(asprintf(&want, "%s:" fmt, file, __VA_ARGS__) > 0); \
                ASSERT_CONTAINS(all, want);                                     \
        } while (0)
        EXPECT(c.path, "%u: BindReadOnly=/srv/main:/: cannot mount over the container's root \"/\"", 3);
        EXPECT(c.dropin_paths[0], "%u: Bind=/srv:/: cannot mount over the container's root \"/\"", 2);
        EXPECT(c.dropin_paths[0], "%u: TemporaryFileSystem=/: cannot mount over the container's root", 3);
        EXPECT(c.dropin_paths[0], "%u: Overlay=+/a:/b:/up:/x: mixing paths", 4);
        EXPECT(c.dropin_paths[0], "%u: Inaccessible=/: cannot mount over the container's root", 5);
#undef EXPECT

        diag_done(&d);
        cell_config_done(&c);
}

/* A plan-time message names the entry as the unit writes it, "Key=value:
 * ..." as the parser's do ("Bind=: ..." read as an empty assignment): its
 * paths with "\:" and "\\", a "-", a tmpfs's options, an overlay of two
 * paths as two, and of an Inaccessible= line the one path at fault. */
TEST(mounts_messages_name_the_entry) {
        CellConfig c;

        config_from_text(&c, "e",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "Bind=-/srv/a\\:b:/\n"                         /* line 3 */
                         "BindReadOnly=/srv/c\\\\d:/proc/sys\n"          /* line 4 */
                         "TemporaryFileSystem=/:mode=0700\n"             /* line 5 */
                         "Overlay=/srv/lower:/proc/fs\n"                 /* line 6 */
                         "Inaccessible=/etc/x /proc /etc/y\n"            /* line 7 */
                         "OverlayReadOnly=/l1:/l2::/sys/fs/cgroup\n"     /* line 8 */
                         "[Exec]\n"
                         "Exec=/bin/true\n");
        plan_fails(&c, "e.cell:3: Bind=-/srv/a\\:b:/: cannot mount over the container's root \"/\"");
        plan_fails(&c, "e.cell:4: BindReadOnly=/srv/c\\\\d:/proc/sys: cannot mount over /proc/sys");
        plan_fails(&c, "e.cell:5: TemporaryFileSystem=/:mode=0700: cannot mount over the container's root");
        plan_fails(&c, "e.cell:6: Overlay=/srv/lower:/proc/fs: cannot mount over /proc/fs");
        plan_fails(&c, "e.cell:7: Inaccessible=/proc: cannot mount over /proc: the container's /proc is its procfs");
        plan_fails(&c, "e.cell:8: OverlayReadOnly=/l1:/l2::/sys/fs/cgroup: cannot mount over /sys/fs/cgroup");
        cell_config_done(&c);
}

/* The mount stage's messages come in the unit's order, as the parser's: the
 * main file's by line, then the drop-in's; of an Inaccessible= line, its
 * paths in the order written. They came by target (the sorted mount list:
 * /proc/keys, /proc/sys, ...) after the root's, whichever line they were
 * on. A Bind='s options are in its entry as written ("Bind=/srv:/proc/sys"
 * named two lines that differ only in them). */
TEST(mounts_messages_in_line_order) {
        static const char * const want[] = {
                "o.cell:3: Inaccessible=/proc: cannot mount over /proc: the container's /proc is its procfs",
                "o.cell:3: Inaccessible=/: cannot mount over the container's root \"/\"",
                "o.cell:4: Bind=/srv:/proc/sys:nosuid,rbind: cannot mount over /proc/sys: cell makes /proc/sys "
                "read-only",
                "o.cell:5: Bind=/srv:/: cannot mount over the container's root \"/\"",
                "o.cell:6: TemporaryFileSystem=/proc/acpi: cannot mount over /proc/acpi: cell masks /proc/acpi",
                "o.cell:7: BindReadOnly=/srv/a:/proc/keys:noexec,norbind,nodev: cannot mount over /proc/keys:",
                "o.cell.d/x.conf:2: Bind=/srv/b:/proc/irq:nodev: cannot mount over /proc/irq:",
                "o.cell.d/x.conf:3: Overlay=/l:/u:/: cannot mount over the container's root \"/\"",
        };
        CellConfig c;
        Diagnostics d = {};

        config_from_files(&c, "o",
                          "[Root]\n"
                          "Directory=/var/lib/cell/test\n"
                          "Inaccessible=/proc /etc/x /\n"                          /* line 3 */
                          "Bind=/srv:/proc/sys:nosuid,rbind\n"                     /* line 4 */
                          "Bind=/srv:/\n"                                          /* line 5 */
                          "TemporaryFileSystem=/proc/acpi\n"                       /* line 6 */
                          "BindReadOnly=/srv/a:/proc/keys:noexec,norbind,nodev\n"  /* line 7 */
                          "[Exec]\n"
                          "Exec=/bin/true\n",
                          "[Root]\n"
                          "Bind=/srv/b:/proc/irq:nodev\n"                          /* line 2 */
                          "Overlay=/l:/u:/\n");                                    /* line 3 */
        plan_fails_in_order(&c, want, ELEMENTSOF(want), &d);
        /* The drop-in named with its directory, o.cell.d/. */
        for (size_t i = 0; i < ELEMENTSOF(want); i++)
                ASSERT_TRUE(startswith(d.messages[i], i < 6 ? c.path : c.dropin_paths[0]));
        diag_done(&d);
        cell_config_done(&c);

        /* "SRC::OPTS": the entry keeps the empty target its options need. */
        config_minimal(&c, "m");
        config_add_bind(&c, "/proc", NULL, false, 4);
        c.binds[0].nosuid = true;
        plan_fails(&c, "m.cell:4: Bind=/proc::nosuid: cannot mount over /proc:");
        cell_config_done(&c);
}

/* A plan-time message quotes the value as the unit wrote it, which grep finds
 * in the unit: a Bind='s options in their order and "rbind" with them, a
 * tmpfs's sizes and modes as written (not "size=67108864,mode=0700"), and
 * specifiers unexpanded. They came in the parsed form: ":nosuid" alone, a
 * fixed order, "/srv/w". */
TEST(mounts_messages_as_written) {
        static const char * const want[] = {
                "w.cell:3: Bind=/srv/%N:/proc/sys:rbind,nosuid: cannot mount over /proc/sys:",
                "w.cell:4: BindReadOnly=-/srv/a:/proc/keys:noexec,idmap,noidmap,norbind: cannot mount over",
                "w.cell:5: TemporaryFileSystem=/proc/acpi:size=64M,mode=700,,ro: cannot mount over /proc/acpi:",
                "w.cell:6: Overlay=/srv/%N\\:x:/proc/fs: cannot mount over /proc/fs:",
                "w.cell:7: OverlayReadOnly=/l1:/l2::/sys/fs/cgroup: cannot mount over /sys/fs/cgroup:",
        };
        CellConfig c;
        Diagnostics d = {};

        config_from_text(&c, "w",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "Bind=/srv/%N:/proc/sys:rbind,nosuid\n"                          /* line 3 */
                         "BindReadOnly=-/srv/a:/proc/keys:noexec,idmap,noidmap,norbind\n" /* line 4 */
                         "TemporaryFileSystem=/proc/acpi:size=64M,mode=700,,ro\n"         /* line 5 */
                         "Overlay=/srv/%N\\:x:/proc/fs\n"                                 /* line 6 */
                         "OverlayReadOnly=/l1:/l2::/sys/fs/cgroup\n"                      /* line 7 */
                         "[Exec]\n"
                         "Exec=/bin/true\n");
        /* The entries are parsed as ever: the text is for messages only. */
        ASSERT_STREQ(c.binds[0].source, "/srv/w");
        ASSERT_STREQ(c.tmpfs[0].options, "size=67108864,mode=0700,ro");
        ASSERT_STREQ(c.overlays[0].lower[0], "/srv/w:x");
        plan_fails_in_order(&c, want, ELEMENTSOF(want), &d);
        diag_done(&d);
        cell_config_done(&c);
}

/* The text plan writes a path as the unit does ("\:" for ':', "\\" for
 * '\'): the lower layers, joined with ':', are one reading only. */
TEST(mounts_text_escaped) {
        _cleanup_free_ char *buf = NULL;
        CellConfig c;
        Plan p = {};

        config_from_text(&c, "m",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "Bind=/srv/a\\:b:/data\\:x\n"
                         "Overlay=/l\\:1:/l2\\\\z:/up\\:u:/o\\:t\n"
                         "[Exec]\n"
                         "Exec=/bin/true\n");
        plan_ok(&c, NULL, &p);
        buf = plan_printed(&p, plan_print_text);
        ASSERT_CONTAINS(buf, "bind      /data\\:x ");
        ASSERT_CONTAINS(buf, "<- /srv/a\\:b (rec)");
        ASSERT_CONTAINS(buf, "overlay   /o\\:t ");
        ASSERT_CONTAINS(buf, " lower /l2\\\\z:/l\\:1 (top first) upper /up\\:u");
        plan_done(&p);
        cell_config_done(&c);
}
