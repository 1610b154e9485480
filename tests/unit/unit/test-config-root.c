/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/unit/config-root.c: [Root]'s values. Image=: the key, and its
 * exclusion with Directory= (a unit has exactly one root), as nspawn's
 * --image= and --directory=. */
#include <string.h>

#include "config-assign-test.h"
#include "strv.h"
#include "test.h"

/* [Root]'s key = value at line of file: the one message it produced. */
static const char *root_assign_at(CellConfig *c, const char *key, const char *value, const char *file, unsigned line) {
        size_t before = diag.n_errors;

        ASSERT_OK(config_assign(c, "Root", key, value, file, line, &diag));
        if (diag.n_errors == before)
                return NULL;
        ASSERT_EQ(diag.n_errors, before + 1);
        return diag.messages[strv_length(diag.messages) - 1];
}

#define ROOT_OK(c, k, v) ASSERT_NULL(root_assign_at(c, k, v, "web.cell", 3))
#define ROOT_BAD(c, k, v, text) ASSERT_STREQ(root_assign_at(c, k, v, "web.cell", 3), text)

TEST(image_value) {
        CellConfig c;

        cell_config_init(&c);
        ROOT_OK(&c, "Image", "/var/lib/machines/web.raw");
        ASSERT_STREQ(c.image, "/var/lib/machines/web.raw");
        /* A path as Directory='s: absolute, normalized, no "..". */
        ROOT_OK(&c, "Image", "/srv//img/./web.squashfs");
        ASSERT_STREQ(c.image, "/srv/img/web.squashfs");
        ROOT_BAD(&c, "Image", "web.raw", "web.cell:3: Image=web.raw: expected an absolute path without \"..\"");
        ROOT_BAD(&c, "Image", "/srv/../web.raw",
                 "web.cell:3: Image=/srv/../web.raw: expected an absolute path without \"..\"");
        ASSERT_STREQ(c.image, "/srv/img/web.squashfs");
        /* Empty: not set again. */
        ROOT_OK(&c, "Image", "");
        ASSERT_NULL(c.image);
        cell_config_done(&c);
        diag_done(&diag);
}

TEST(image_or_directory) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_OK(config_assign(&c, "Exec", "Exec", "/bin/true", "web.cell", 8, &diag));

        /* Image= alone is a root. */
        ROOT_OK(&c, "Image", "/srv/web.raw");
        ASSERT_EQ(finish(&c), 0);

        /* Both: named where Image= was written, in its drop-in. */
        ROOT_OK(&c, "Directory", "/srv/web");
        ASSERT_NULL(root_assign_at(&c, "Image", "/srv/web.raw", "web.cell.d/image.conf", 2));
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/image.conf:2: Directory= and Image= exclude each other: "
                     "the container's root is a directory or an image");
        diag_done(&diag);

        /* A drop-in's empty Image= leaves Directory= alone. */
        ASSERT_NULL(root_assign_at(&c, "Image", "", "web.cell.d/reset.conf", 1));
        ASSERT_EQ(finish(&c), 0);

        /* Neither: named where the empty assignment unset it. */
        ROOT_OK(&c, "Directory", "");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell:3: Directory= is missing (an empty assignment here unset it): "
                     "[Root] needs the absolute path of the container's root directory (or Image= that of a file "
                     "system image)");
        diag_done(&diag);
        cell_config_done(&c);
}

TEST(root) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Root", "Directory", "/var/lib//machines/web/");
        ASSERT_STREQ(c.directory, "/var/lib/machines/web");
        BAD_EXACT(&c, "Root", "Directory", "/srv/../etc",
                  "web.cell:7: Directory=/srv/../etc: expected an absolute path without \"..\"");
        BAD(&c, "Root", "Directory", "relative", "expected an absolute path");
        ASSERT_STREQ(c.directory, "/var/lib/machines/web");     /* a bad value changes nothing */
        OK(&c, "Root", "ReadOnly", "yes");
        ASSERT_TRUE(c.read_only);
        BAD(&c, "Root", "ReadOnly", "maybe", "ReadOnly=maybe: expected a boolean");
        OK(&c, "Root", "ReadOnly", "");
        ASSERT_FALSE(c.read_only);

        OK(&c, "Root", "Bind", "/srv/www:/www:norbind");
        OK(&c, "Root", "BindReadOnly", "-/etc/resolv.conf");
        OK(&c, "Root", "Bind", "/srv/data");
        ASSERT_EQ(c.n_binds, 3);
        ASSERT_FALSE(c.binds[0].recursive);
        ASSERT_TRUE(c.binds[1].read_only && c.binds[1].ignore_missing);
        ASSERT_EQ(c.binds[1].line, 7);
        ASSERT_STREQ(c.binds[1].file, "web.cell");
        BAD(&c, "Root", "Bind", "/a:/b:ro", "Bind=/a:/b:ro: expected [-][+]SRC[:DST[:OPTS]]");
        /* nspawn's empty SRC (a temporary directory) is named, with what to write instead */
        BAD(&c, "Root", "Bind", ":/b", "(an empty SRC, nspawn's temporary directory under /var/tmp, is not taken: "
            "TemporaryFileSystem=DST gives an empty writable directory)");
        BAD(&c, "Root", "BindReadOnly", "-+:/b:norbind", "nspawn's temporary directory");
        ASSERT_NULL(strstr(assign(&c, "Root", "Bind", "/a:/b:ro"), "nspawn"));
        BAD(&c, "Root", "Bind", "/a:/b:norbind,rootidmap", "(nspawn's rootidmap, which makes SRC's owner the "
            "container's root, is not taken)");
        /* Bind= resets Bind= entries only */
        OK(&c, "Root", "Bind", "");
        ASSERT_EQ(c.n_binds, 1);
        ASSERT_STREQ(c.binds[0].source, "/etc/resolv.conf");
        OK(&c, "Root", "BindReadOnly", "");
        ASSERT_EQ(c.n_binds, 0);
        ASSERT_NULL(c.binds);

        OK(&c, "Root", "TemporaryFileSystem", "/tmp:mode=1777,size=10%");
        OK(&c, "Root", "TemporaryFileSystem", "/run");
        ASSERT_EQ(c.n_tmpfs, 2);
        ASSERT_STREQ(c.tmpfs[0].options, "mode=1777,size=10%");
        ASSERT_STREQ(c.tmpfs[1].file, "web.cell");
        ASSERT_EQ(c.tmpfs[1].line, 7);
        BAD(&c, "Root", "TemporaryFileSystem", "/tmp:size=lots", "expected PATH[:OPTS]");
        OK(&c, "Root", "TemporaryFileSystem", "");
        ASSERT_EQ(c.n_tmpfs, 0);

        OK(&c, "Root", "Inaccessible", "/proc/kcore /sys/firmware");
        OK(&c, "Root", "Inaccessible", "/boot");
        ASSERT_EQ(c.n_inaccessible, 3);
        ASSERT_STREQ(c.inaccessible[1].path, "/sys/firmware");
        ASSERT_STREQ(c.inaccessible[1].file, "web.cell");
        ASSERT_EQ(c.inaccessible[1].line, 7);
        BAD(&c, "Root", "Inaccessible", "boot", "expected space-separated absolute paths");
        ASSERT_EQ(c.n_inaccessible, 3);
        OK(&c, "Root", "Inaccessible", "");
        ASSERT_NULL(c.inaccessible);
        ASSERT_EQ(c.n_inaccessible, 0);

        OK(&c, "Root", "Overlay", "/l1:/l2:/up:/usr");
        OK(&c, "Root", "OverlayReadOnly", "/l:/opt");
        ASSERT_EQ(c.n_overlays, 2);
        ASSERT_TRUE(c.overlays[1].read_only);
        ASSERT_STREQ(c.overlays[1].file, "web.cell");
        BAD(&c, "Root", "Overlay", "/only", "expected [+]LOWER");
        OK(&c, "Root", "Overlay", "");
        ASSERT_EQ(c.n_overlays, 1);

        OK(&c, "Root", "Volatile", "state");
        ASSERT_EQ(c.volatile_mode, CELL_VOLATILE_STATE);
        BAD(&c, "Root", "Volatile", "tmpfs", "expected no, yes, state or overlay");
        OK(&c, "Root", "Volatile", "");
        ASSERT_EQ(c.volatile_mode, CELL_VOLATILE_NO);
        cell_config_done(&c);
        diag_done(&diag);
}
