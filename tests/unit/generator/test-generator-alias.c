/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Alias= of a cell's service against what systemctl enable makes for an
 * instance's Alias= (systemd's unit_file_verify_alias()). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generator.h"
#include "generator-test.h"
#include "strv.h"
#include "test.h"
#include "unit.h"

/* The entries generator_unit() makes of a unit with this [Install] section. */
static void generate(const char *dir, const char *file, const char *service, const char *install,
                     GeneratorOutput *out) {
        _cleanup_free_ char *text = NULL, *path = NULL, *error = NULL;
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_(diag_done) Diagnostics d = {};

        ASSERT_TRUE(asprintf(&text, "[Install]\n%s[Root]\nDirectory=/srv/web\n[Exec]\nExec=/bin/true\n",
                             install) > 0);
        write_file(dir, file, text);
        ASSERT_TRUE(asprintf(&path, "%s/%s", dir, file) > 0);
        ASSERT_OK(unit_load(path, NULL, &c, &d));
        ASSERT_OK(generator_unit(&c, service, "/lib/systemd/system/cell@.service", out, &error));
        ASSERT_NULL(error);
}

/* systemctl enable of an instance makes a template alias the instance's
 * ("instance propagation"): www@.service is www@web.service for
 * cell@web.service. The generator left it out, with a warning. */
TEST(template_alias_takes_the_instance) {
        _cleanup_free_ char *dir = tmpdir_new("test-generator-alias");
        _cleanup_(generator_output_done) GeneratorOutput out = {};

        generate(dir, "web.cell", "cell@web.service", "Alias=www@.service\n", &out);
        ASSERT_EQ(out.n_entries, 2u);
        ASSERT_STREQ(out.entries[1].path, "www@web.service");
        ASSERT_STREQ(out.entries[1].link_target, "cell@web.service");
        ASSERT_NULL(out.warnings);
        rm_rf(dir);
}

/* A template's default instance is the instance it propagates. */
TEST(template_alias_of_default_instance) {
        _cleanup_free_ char *dir = tmpdir_new("test-generator-alias");
        _cleanup_(generator_output_done) GeneratorOutput out = {};

        generate(dir, "worker@.cell", "cell@worker@1.service", "DefaultInstance=1\nAlias=job@.service\n", &out);
        ASSERT_EQ(out.n_entries, 2u);
        ASSERT_STREQ(out.entries[1].path, "job@worker@1.service");
        ASSERT_STREQ(out.entries[1].link_target, "cell@worker@1.service");
        ASSERT_NULL(out.warnings);
        rm_rf(dir);
}

/* An alias of the service's own name (written so, or propagated to it) is
 * skipped quietly, as systemctl enable does (-ELOOP): it made a link
 * cell@web.service -> cell@web.service, pointing to itself. */
TEST(self_alias_is_skipped) {
        _cleanup_free_ char *dir = tmpdir_new("test-generator-alias");
        _cleanup_(generator_output_done) GeneratorOutput out = {};

        generate(dir, "web.cell", "cell@web.service", "Alias=cell@web.service cell@.service\n", &out);
        ASSERT_EQ(out.n_entries, 1u);
        ASSERT_STREQ(out.entries[0].path, "cell@web.service.d/" GENERATOR_DROPIN_NAME);
        ASSERT_NULL(out.warnings);
        rm_rf(dir);
}

/* What systemd rejects stays out, with a warning each: a plain name, another
 * type (a template of one too), another instance. */
TEST(other_aliases_left_out) {
        _cleanup_free_ char *dir = tmpdir_new("test-generator-alias");
        _cleanup_(generator_output_done) GeneratorOutput out = {};

        generate(dir, "web.cell", "cell@web.service", "Alias=www.service www@.socket www@db.service\n", &out);
        ASSERT_EQ(out.n_entries, 1u);
        ASSERT_EQ(strv_length(out.warnings), 3u);
        ASSERT_CONTAINS(out.warnings[0], "Alias=www.service: systemd takes only an alias of the same instance "
                        "(like \"www@web.service\", or the template \"www@.service\") for cell@web.service");
        ASSERT_CONTAINS(out.warnings[1], "Alias=www@.socket: ");
        ASSERT_CONTAINS(out.warnings[2], "Alias=www@db.service: ");
        rm_rf(dir);
}

/* A propagated name that is too long for a unit name is left out. */
TEST(template_alias_too_long) {
        _cleanup_free_ char *dir = tmpdir_new("test-generator-alias"), *install = NULL;
        _cleanup_(generator_output_done) GeneratorOutput out = {};
        char prefix[246];     /* 245 + "@.service": 254; + "@web.service": 257 */

        memset(prefix, 'a', sizeof prefix - 1);
        prefix[sizeof prefix - 1] = 0;
        ASSERT_TRUE(asprintf(&install, "Alias=%s@.service\n", prefix) > 0);
        generate(dir, "web.cell", "cell@web.service", install, &out);
        ASSERT_EQ(out.n_entries, 1u);
        ASSERT_EQ(strv_length(out.warnings), 1u);
        rm_rf(dir);
}
