/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Image= in the plan: the path (the loop device is made at the start, not
 * here), the JSON's root.image, the text's Root: line, and the line the
 * start's messages about the image name. */

#include <limits.h>

#include "plan-test.h"

TEST(image_plan) {
        CellConfig c;
        Plan p = {};
        char buf[PATH_MAX + 32];
        const char *at;

        config_from_text(&c, "web", "[Root]\nImage=/srv/web.raw\nReadOnly=yes\n[Exec]\nExec=/bin/true\n");
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(p.root_image, "/srv/web.raw");
        ASSERT_NULL(p.root_directory);
        ASSERT_TRUE(p.root_read_only);
        ASSERT_STREQ(plan_root_key(&p), "Image");
        ASSERT_STREQ(plan_root_source(&p), "/srv/web.raw");

        _cleanup_free_ char *j = plan_printed(&p, plan_print_json);
        ASSERT_CONTAINS(j, "  \"root\": {\n    \"directory\": null,\n    \"image\": \"/srv/web.raw\",\n"
                        "    \"read_only\": true,\n");
        _cleanup_free_ char *t = plan_printed(&p, plan_print_text);
        ASSERT_CONTAINS(t, "\nRoot:              /srv/web.raw (image) (read-only)\n");

        /* The start's "Image=...: does not exist" names its line. */
        plan_message_origin(&p, "Image=/srv/web.raw: does not exist", buf, sizeof buf);
        at = strstr(buf, "/web.cell:");
        ASSERT_NOT_NULL(at);
        ASSERT_STREQ(at, "/web.cell:2: ");
        plan_done(&p);
        cell_config_done(&c);
}

TEST(directory_plan) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "web");
        plan_ok(&c, NULL, &p);
        ASSERT_NULL(p.root_image);
        ASSERT_STREQ(plan_root_key(&p), "Directory");
        ASSERT_STREQ(plan_root_source(&p), "/var/lib/cell/test");
        _cleanup_free_ char *j = plan_printed(&p, plan_print_json);
        ASSERT_CONTAINS(j, "    \"directory\": \"/var/lib/cell/test\",\n    \"image\": null,\n");
        _cleanup_free_ char *t = plan_printed(&p, plan_print_text);
        ASSERT_CONTAINS(t, "\nRoot:              /var/lib/cell/test\n");
        plan_done(&p);
        cell_config_done(&c);
}

/* Volatile=: the source stays read-only, but the text's Root: line says what
 * the container's root is, not "read-only" for a root that takes writes. */
TEST(volatile_root_line) {
        static const struct {
                const char *value, *line;
        } cases[] = {
                { "yes", "\nRoot:              tmpfs, /usr from /srv/os (read-only); volatile=yes: "
                         "the rest starts empty, lost at exit\n" },
                { "state", "\nRoot:              /srv/os (read-only); volatile=state: /var a tmpfs, lost at exit\n" },
                { "overlay", "\nRoot:              /srv/os under a tmpfs overlay; volatile=overlay: "
                             "writable, writes lost at exit\n" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *text = NULL;
                CellConfig c;
                Plan p = {};

                ASSERT_OK(asprintf(&text, "[Root]\nDirectory=/srv/os\nVolatile=%s\n[Exec]\nExec=/bin/true\n",
                                   cases[i].value));
                config_from_text(&c, "os", text);
                plan_ok(&c, NULL, &p);
                _cleanup_free_ char *t = plan_printed(&p, plan_print_text);
                ASSERT_CONTAINS(t, cases[i].line);
                plan_done(&p);
                cell_config_done(&c);
        }
}
