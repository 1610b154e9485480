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

/* The entries generator_unit() makes of a unit with this [Install] section
 * (what unit_load() said in *d). */
static void generate_diag(const char *dir, const char *file, const char *service, const char *install,
                          GeneratorOutput *out, Diagnostics *d) {
        _cleanup_free_ char *text = NULL, *path = NULL, *error = NULL;
        _cleanup_(cell_config_done) CellConfig c = {};

        ASSERT_TRUE(asprintf(&text, "[Install]\n%s[Root]\nDirectory=/srv/web\n[Exec]\nExec=/bin/true\n",
                             install) > 0);
        write_file(dir, file, text);
        ASSERT_TRUE(asprintf(&path, "%s/%s", dir, file) > 0);
        ASSERT_OK(unit_load(path, NULL, &c, d));
        ASSERT_OK(generator_unit(&c, service, "/lib/systemd/system/cell@.service", out, &error));
        ASSERT_NULL(error);
}

static void generate(const char *dir, const char *file, const char *service, const char *install,
                     GeneratorOutput *out) {
        _cleanup_(diag_done) Diagnostics d = {};

        generate_diag(dir, file, service, install, out, &d);
        ASSERT_EQ(d.n_messages, 0u);
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

/* What systemd rejects stays out, with a warning each at its line (unit_load()
 * leaves it out, as at boot): a plain name, another type (a template of one
 * too), another instance, a type systemd has no alias of. */
TEST(other_aliases_left_out) {
        _cleanup_free_ char *dir = tmpdir_new("test-generator-alias");
        _cleanup_(generator_output_done) GeneratorOutput out = {};
        _cleanup_(diag_done) Diagnostics d = {};

        generate_diag(dir, "web.cell", "cell@web.service", "Alias=www.service www@.socket\nAlias=www@db.service\n"
                      "Alias=www.mount\n", &out, &d);
        ASSERT_EQ(out.n_entries, 1u);
        ASSERT_NULL(out.warnings);
        ASSERT_EQ(d.n_errors, 0u);
        ASSERT_EQ(d.n_warnings, 4u);
        ASSERT_CONTAINS(d.messages[0], "web.cell:2: warning: Alias=www.service www@.socket: www.service: systemd "
                        "takes only an alias of the same instance (like \"www@web.service\", or the template "
                        "\"www@.service\") for cell@web.service; systemctl enable refuses it: left out");
        ASSERT_CONTAINS(d.messages[1], "web.cell:2: warning: Alias=www.service www@.socket: www@.socket: systemd "
                        "takes only an alias of the same type (.service) for cell@web.service;");
        ASSERT_CONTAINS(d.messages[2], "web.cell:3: warning: Alias=www@db.service: systemd takes only an alias of "
                        "the same instance");
        ASSERT_CONTAINS(d.messages[3], "web.cell:4: warning: Alias=www.mount: systemd has no alias of a .mount unit;");
        rm_rf(dir);
}

/* A config made by hand (no unit_load()): generator_unit() leaves out what
 * systemd refuses itself, with a warning. */
TEST(other_aliases_left_out_by_the_generator) {
        _cleanup_(generator_output_done) GeneratorOutput out = {};
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *error = NULL;

        cell_config_init(&c);
        c.path = strdup("/etc/cell/web.cell");
        ASSERT_NOT_NULL(c.path);
        ASSERT_OK(strv_extend(&c.alias, "www.service"));
        ASSERT_OK(strv_extend(&c.alias, "x.target.wants/cell@.service"));
        ASSERT_OK(generator_unit(&c, "cell@web.service", "/lib/systemd/system/cell@.service", &out, &error));
        ASSERT_EQ(out.n_entries, 1u);
        ASSERT_EQ(strv_length(out.warnings), 2u);
        ASSERT_CONTAINS(out.warnings[0], "Alias=www.service: systemd takes only an alias of the same instance");
        ASSERT_CONTAINS(out.warnings[1], "Alias=x.target.wants/cell@.service: a link in x.target.wants/ is named "
                        "as the unit it pulls in, cell@web.service");
}

/* The old form of Alias=, a link in another unit's .wants/ or .requires/:
 * systemd 252's systemctl enable makes it, without a word, as WantedBy=
 * (RequiredBy=) makes it: a link to the template. It was refused as no
 * unit name. */
TEST(alias_in_wants_dir) {
        _cleanup_free_ char *dir = tmpdir_new("test-generator-alias");
        _cleanup_(generator_output_done) GeneratorOutput out = {};

        generate(dir, "web.cell", "cell@web.service", "Alias=foo.target.wants/cell@web.service\n"
                 "Alias=app.target.requires/cell@web.service\nAlias=foo@bar.target.wants/cell@web.service\n", &out);
        ASSERT_EQ(out.n_entries, 4u);
        ASSERT_STREQ(out.entries[1].path, "foo.target.wants/cell@web.service");
        ASSERT_STREQ(out.entries[1].link_target, "/lib/systemd/system/cell@.service");
        ASSERT_STREQ(out.entries[2].path, "app.target.requires/cell@web.service");
        ASSERT_STREQ(out.entries[2].link_target, "/lib/systemd/system/cell@.service");
        ASSERT_STREQ(out.entries[3].path, "foo@bar.target.wants/cell@web.service");
        ASSERT_NULL(out.warnings);
        rm_rf(dir);
}

/* The same link by WantedBy= and by the old Alias= is made once. */
TEST(alias_in_wants_dir_and_wanted_by) {
        _cleanup_free_ char *dir = tmpdir_new("test-generator-alias");
        _cleanup_(generator_output_done) GeneratorOutput out = {};

        generate(dir, "web.cell", "cell@web.service", "WantedBy=foo.target\nAlias=foo.target.wants/cell@web.service\n",
                 &out);
        ASSERT_EQ(out.n_entries, 2u);
        ASSERT_STREQ(out.entries[1].path, "foo.target.wants/cell@web.service");
        rm_rf(dir);
}

/* What systemctl enable refuses of the old form (its messages: "cannot
 * alias", "invalid unit reference"): another file name, a directory that is
 * no .wants/ or .requires/ of a unit. */
TEST(alias_in_wants_dir_refused) {
        _cleanup_free_ char *dir = tmpdir_new("test-generator-alias");
        _cleanup_(generator_output_done) GeneratorOutput out = {};
        _cleanup_(diag_done) Diagnostics d = {};

        generate_diag(dir, "web.cell", "cell@web.service", "Alias=foo.target.wants/cell@.service\n"
                      "Alias=foo.target.wants/x.service\nAlias=foo.wants/cell@web.service\n"
                      "Alias=a/foo.target.wants/cell@web.service\nAlias=foo.target.upholds/cell@web.service\n",
                      &out, &d);
        ASSERT_EQ(out.n_entries, 1u);
        ASSERT_EQ(d.n_warnings, 5u);
        ASSERT_CONTAINS(d.messages[0], ":2: warning: Alias=foo.target.wants/cell@.service: a link in "
                        "foo.target.wants/ is named as the unit it pulls in, cell@web.service "
                        "(\"foo.target.wants/cell@web.service\"); systemctl enable refuses it: left out");
        ASSERT_CONTAINS(d.messages[1], ":3: warning: Alias=foo.target.wants/x.service: a link in");
        ASSERT_CONTAINS(d.messages[2], ":4: warning: Alias=foo.wants/cell@web.service: \"foo\" before .wants/ is "
                        "no unit name;");
        ASSERT_CONTAINS(d.messages[3], ":5: warning: Alias=a/foo.target.wants/cell@web.service: \"a/foo.target\" "
                        "before .wants/ is no unit name;");
        ASSERT_CONTAINS(d.messages[4], ":6: warning: Alias=foo.target.upholds/cell@web.service: a name with a \"/\" "
                        "is the old form of a link in another unit's directory, UNIT.wants/ or UNIT.requires/, "
                        "which \"foo.target.upholds/\" is not;");
        rm_rf(dir);
}

/* A propagated name that is too long for a unit name is left out. */
TEST(template_alias_too_long) {
        _cleanup_free_ char *dir = tmpdir_new("test-generator-alias"), *install = NULL;
        _cleanup_(generator_output_done) GeneratorOutput out = {};
        _cleanup_(diag_done) Diagnostics d = {};
        char prefix[246];     /* 245 + "@.service": 254; + "@web.service": 257 */

        memset(prefix, 'a', sizeof prefix - 1);
        prefix[sizeof prefix - 1] = 0;
        ASSERT_TRUE(asprintf(&install, "Alias=%s@.service\n", prefix) > 0);
        generate_diag(dir, "web.cell", "cell@web.service", install, &out, &d);
        ASSERT_EQ(out.n_entries, 1u);
        ASSERT_EQ(d.n_warnings, 1u);
        ASSERT_CONTAINS(d.messages[0], "@web.service, the template given the instance, is no unit name (too long)");
        rm_rf(dir);
}
