/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* [Root] Image=: the key, and its exclusion with Directory= (a unit has
 * exactly one root), as nspawn's --image= and --directory=. */
#include <string.h>

#include "config-parse.h"
#include "strv.h"
#include "test.h"

static Diagnostics diag;

static const char *assign_at(CellConfig *c, const char *key, const char *value, const char *file, unsigned line) {
        size_t before = diag.n_errors;

        ASSERT_OK(config_assign(c, "Root", key, value, file, line, &diag));
        if (diag.n_errors == before)
                return NULL;
        ASSERT_EQ(diag.n_errors, before + 1);
        return diag.messages[strv_length(diag.messages) - 1];
}

#define OK(c, k, v) ASSERT_NULL(assign_at(c, k, v, "web.cell", 3))
#define BAD(c, k, v, text) ASSERT_STREQ(assign_at(c, k, v, "web.cell", 3), text)

static size_t finish(CellConfig *c) {
        size_t before = diag.n_errors;

        ASSERT_OK(config_finish(c, "web.cell", &diag));
        return diag.n_errors - before;
}

TEST(image_value) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Image", "/var/lib/machines/web.raw");
        ASSERT_STREQ(c.image, "/var/lib/machines/web.raw");
        /* A path as Directory='s: absolute, normalized, no "..". */
        OK(&c, "Image", "/srv//img/./web.squashfs");
        ASSERT_STREQ(c.image, "/srv/img/web.squashfs");
        BAD(&c, "Image", "web.raw", "web.cell:3: Image=web.raw: expected an absolute path without \"..\"");
        BAD(&c, "Image", "/srv/../web.raw",
            "web.cell:3: Image=/srv/../web.raw: expected an absolute path without \"..\"");
        ASSERT_STREQ(c.image, "/srv/img/web.squashfs");
        /* Empty: not set again. */
        OK(&c, "Image", "");
        ASSERT_NULL(c.image);
        cell_config_done(&c);
        diag_done(&diag);
}

TEST(image_or_directory) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_OK(config_assign(&c, "Exec", "Exec", "/bin/true", "web.cell", 8, &diag));

        /* Image= alone is a root. */
        OK(&c, "Image", "/srv/web.raw");
        ASSERT_EQ(finish(&c), 0);

        /* Both: named where Image= was written, in its drop-in. */
        OK(&c, "Directory", "/srv/web");
        ASSERT_NULL(assign_at(&c, "Image", "/srv/web.raw", "web.cell.d/image.conf", 2));
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/image.conf:2: Directory= and Image= exclude each other: "
                     "the container's root is a directory or an image");
        diag_done(&diag);

        /* A drop-in's empty Image= leaves Directory= alone. */
        ASSERT_NULL(assign_at(&c, "Image", "", "web.cell.d/reset.conf", 1));
        ASSERT_EQ(finish(&c), 0);

        /* Neither: named where the empty assignment unset it. */
        OK(&c, "Directory", "");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell:3: Directory= is missing (an empty assignment here unset it): "
                     "[Root] needs the absolute path of the container's root directory (or Image= that of a file "
                     "system image)");
        diag_done(&diag);
        cell_config_done(&c);
}
