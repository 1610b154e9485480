/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "parse-mount.h"
#include "strv.h"
#include "test.h"

TEST(bind) {
        CellBind b;

        ASSERT_OK(parse_bind("/srv/www", false, &b));
        ASSERT_STREQ(b.source, "/srv/www");
        ASSERT_STREQ(b.target, "/srv/www");
        ASSERT_TRUE(b.recursive);
        ASSERT_FALSE(b.ignore_missing || b.read_only || b.nosuid || b.nodev || b.noexec || b.idmap);
        cell_bind_done(&b);

        ASSERT_OK(parse_bind("-/srv//data/:/data:norbind,nosuid,nodev,noexec,idmap", true, &b));
        ASSERT_STREQ(b.source, "/srv/data");
        ASSERT_STREQ(b.target, "/data");
        ASSERT_TRUE(b.ignore_missing && b.read_only && b.nosuid && b.nodev && b.noexec && b.idmap);
        ASSERT_FALSE(b.recursive);
        /* the value as written, for the plan's messages */
        ASSERT_STREQ(b.raw, "-/srv//data/:/data:norbind,nosuid,nodev,noexec,idmap");
        cell_bind_done(&b);

        ASSERT_OK(parse_bind("/a\\:b:/c\\\\d", false, &b));
        ASSERT_STREQ(b.source, "/a:b");
        ASSERT_STREQ(b.target, "/c\\d");
        cell_bind_done(&b);

        /* an empty OPTS, as nspawn: the defaults */
        ASSERT_OK(parse_bind("/a:/b:", false, &b));
        ASSERT_STREQ(b.target, "/b");
        ASSERT_TRUE(b.recursive);
        cell_bind_done(&b);

        ASSERT_OK(parse_bind("/x::rbind", false, &b));
        ASSERT_STREQ(b.target, "/x");
        ASSERT_TRUE(b.recursive);
        cell_bind_done(&b);

        /* "+": a source inside the container root (nspawn); the default target drops the "+". */
        ASSERT_OK(parse_bind("+/srv//www/", false, &b));
        ASSERT_STREQ(b.source, "+/srv/www");
        ASSERT_STREQ(b.target, "/srv/www");
        ASSERT_FALSE(b.ignore_missing);
        cell_bind_done(&b);

        ASSERT_OK(parse_bind("-+/a:/b:norbind", true, &b));
        ASSERT_STREQ(b.source, "+/a");
        ASSERT_STREQ(b.target, "/b");
        ASSERT_TRUE(b.ignore_missing && b.read_only);
        ASSERT_FALSE(b.recursive);
        cell_bind_done(&b);

        /* nspawn 252's noidmap (its default), the last of a pair wins */
        ASSERT_OK(parse_bind("/x:/y:idmap,noidmap", false, &b));
        ASSERT_FALSE(b.idmap);
        cell_bind_done(&b);
        ASSERT_OK(parse_bind("/x:/y:noidmap,idmap", false, &b));
        ASSERT_TRUE(b.idmap);
        cell_bind_done(&b);

        ASSERT_OK(parse_bind("+/x::idmap", false, &b));
        ASSERT_STREQ(b.source, "+/x");
        ASSERT_STREQ(b.target, "/x");
        ASSERT_TRUE(b.idmap);
        cell_bind_done(&b);

        ASSERT_ERROR(parse_bind("+", false, &b), EINVAL);
        ASSERT_ERROR(parse_bind("+relative", false, &b), EINVAL);
        ASSERT_ERROR(parse_bind("+-/a", false, &b), EINVAL);
        ASSERT_ERROR(parse_bind("++/a", false, &b), EINVAL);
        ASSERT_ERROR(parse_bind("+/a/../b", false, &b), EINVAL);
        ASSERT_ERROR(parse_bind("/a:+/b", false, &b), EINVAL);

        ASSERT_ERROR(parse_bind("relative", false, &b), EINVAL);
        ASSERT_ERROR(parse_bind("/a:rel", false, &b), EINVAL);
        ASSERT_ERROR(parse_bind("/a:/b/../etc", false, &b), EINVAL);
        ASSERT_ERROR(parse_bind("/a:/b:ro", false, &b), EINVAL);
        ASSERT_ERROR(parse_bind("/a:", false, &b), EINVAL);
        ASSERT_ERROR(parse_bind("/a:/b:rbind:x", false, &b), EINVAL);
        ASSERT_ERROR(parse_bind("-", false, &b), EINVAL);
        ASSERT_ERROR(parse_bind("/a\\", false, &b), EINVAL);
        /* nspawn's rootidmap is refused, and found for the message to name it */
        ASSERT_ERROR(parse_bind("/a:/b:rootidmap", false, &b), EINVAL);
        ASSERT_TRUE(bind_has_option("/a:/b:norbind,rootidmap", "rootidmap"));
        ASSERT_FALSE(bind_has_option("/a:/b:rootidmapx", "rootidmap"));
        ASSERT_FALSE(bind_has_option("/rootidmap", "rootidmap"));
        ASSERT_FALSE(bind_has_option("/a\\:rootidmap:/b", "rootidmap"));
}

TEST(tmpfs) {
        CellTmpfs t;

        ASSERT_OK(parse_tmpfs("/tmp", &t));
        ASSERT_STREQ(t.path, "/tmp");
        ASSERT_NULL(t.options);
        cell_tmpfs_done(&t);

        ASSERT_OK(parse_tmpfs("/run/app:mode=755,size=64M,nr_inodes=1K,nosuid,nodev,noexec,ro", &t));
        ASSERT_STREQ(t.path, "/run/app");
        ASSERT_STREQ(t.options, "mode=0755,size=67108864,nr_inodes=1024,nosuid,nodev,noexec,ro");
        cell_tmpfs_done(&t);

        ASSERT_OK(parse_tmpfs("/var/tmp:size=10%,rw", &t));
        ASSERT_STREQ(t.options, "size=10%,rw");
        cell_tmpfs_done(&t);

        /* The kernel's lowercase suffixes, as tmpfs(5) and nspawn take them. */
        ASSERT_OK(parse_tmpfs("/tmp:size=512m,nr_inodes=10k", &t));
        ASSERT_STREQ(t.options, "size=536870912,nr_inodes=10240");
        ASSERT_STREQ(t.raw, "/tmp:size=512m,nr_inodes=10k");
        cell_tmpfs_done(&t);
        ASSERT_OK(parse_tmpfs("/tmp:size=1g", &t));
        ASSERT_STREQ(t.options, "size=1073741824");
        cell_tmpfs_done(&t);
        ASSERT_ERROR(parse_tmpfs("/tmp:size=1x", &t), EINVAL);
        /* size=0 is the kernel's "no limit" (tmpfs(5)), which nspawn hands on */
        ASSERT_OK(parse_tmpfs("/tmp:size=0,nr_inodes=0", &t));
        ASSERT_STREQ(t.options, "size=0,nr_inodes=0");
        cell_tmpfs_done(&t);
        ASSERT_OK(parse_tmpfs("/tmp:size=0%", &t));
        ASSERT_STREQ(t.options, "size=0%");
        cell_tmpfs_done(&t);

        ASSERT_ERROR(parse_tmpfs("tmp", &t), EINVAL);
        ASSERT_ERROR(parse_tmpfs("/tmp:mode=999", &t), EINVAL);
        ASSERT_ERROR(parse_tmpfs("/tmp:size=12Q", &t), EINVAL);
        ASSERT_ERROR(parse_tmpfs("/tmp:size=12.5%", &t), EINVAL);
        ASSERT_ERROR(parse_tmpfs("/tmp:uid=0", &t), EINVAL);
        /* an empty OPTS is none, as nspawn's --tmpfs=/tmp:; so are empty
         * options between commas, as the kernel skips them */
        ASSERT_OK(parse_tmpfs("/tmp:", &t));
        ASSERT_STREQ(t.path, "/tmp");
        ASSERT_NULL(t.options);
        cell_tmpfs_done(&t);
        ASSERT_OK(parse_tmpfs("/tmp:,", &t));
        ASSERT_NULL(t.options);
        cell_tmpfs_done(&t);
        ASSERT_OK(parse_tmpfs("/tmp:,noexec,,nodev,", &t));
        ASSERT_STREQ(t.options, "noexec,nodev");
        cell_tmpfs_done(&t);
        ASSERT_ERROR(parse_tmpfs("/tmp:a:b", &t), EINVAL);
        ASSERT_ERROR(parse_tmpfs("/../tmp", &t), EINVAL);
}

TEST(overlay) {
        CellOverlay o;

        ASSERT_OK(parse_overlay("/lower1:+/lower2:/upper:/usr", false, &o));
        ASSERT_EQ(strv_length(o.lower), 2);
        ASSERT_STREQ(o.lower[0], "/lower1");
        ASSERT_STREQ(o.lower[1], "+/lower2");
        ASSERT_STREQ(o.upper, "/upper");
        ASSERT_STREQ(o.target, "/usr");
        ASSERT_FALSE(o.read_only);
        cell_overlay_done(&o);

        /* an empty upper: a temporary one */
        ASSERT_OK(parse_overlay("/lower::/opt", true, &o));
        ASSERT_STREQ(o.upper, "");
        ASSERT_STREQ(o.target, "/opt");
        ASSERT_TRUE(o.read_only);
        cell_overlay_done(&o);

        /* two paths: the second is upper and destination */
        ASSERT_OK(parse_overlay("/lower:+/var/lib", false, &o));
        ASSERT_EQ(strv_length(o.lower), 1);
        ASSERT_STREQ(o.upper, "+/var/lib");
        ASSERT_STREQ(o.target, "/var/lib");
        cell_overlay_done(&o);

        ASSERT_ERROR(parse_overlay("/only", false, &o), EINVAL);
        ASSERT_ERROR(parse_overlay("/lower:", false, &o), EINVAL);
        ASSERT_ERROR(parse_overlay("lower:/u:/d", false, &o), EINVAL);
        ASSERT_ERROR(parse_overlay("/l:/u:rel", false, &o), EINVAL);
        ASSERT_ERROR(parse_overlay("/l:/u:+/d", false, &o), EINVAL);
}

TEST(volatile_mode) {
        CellVolatile v = CELL_VOLATILE_NO;

        ASSERT_OK(parse_volatile("yes", &v));
        ASSERT_EQ(v, CELL_VOLATILE_YES);
        ASSERT_OK(parse_volatile("state", &v));
        ASSERT_EQ(v, CELL_VOLATILE_STATE);
        ASSERT_OK(parse_volatile("overlay", &v));
        ASSERT_EQ(v, CELL_VOLATILE_OVERLAY);
        ASSERT_OK(parse_volatile("off", &v));
        ASSERT_EQ(v, CELL_VOLATILE_NO);
        ASSERT_ERROR(parse_volatile("tmpfs", &v), EINVAL);
}

TEST(inaccessible) {
        _cleanup_strv_free_ char **l = NULL;

        ASSERT_OK(parse_inaccessible("/proc/kcore -/sys/firmware \"/with space\"", &l));
        ASSERT_EQ(strv_length(l), 3);
        ASSERT_STREQ(l[1], "/sys/firmware");
        ASSERT_STREQ(l[2], "/with space");
        ASSERT_ERROR(parse_inaccessible("/ok relative", &l), EINVAL);
        ASSERT_ERROR(parse_inaccessible("/a/../b", &l), EINVAL);
        ASSERT_EQ(strv_length(l), 3);
}
