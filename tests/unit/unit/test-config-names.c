/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hostname= and DefaultInstance= against what systemd-nspawn's Hostname=
 * and systemd's DefaultInstance= take; Description= as cell-generator(8)
 * can write it; Alias= as systemctl enable takes it. */

#include "config-parse.h"
#include "strv.h"
#include "test.h"
#include "unit-alias.h"

static Diagnostics diag;

/* Assigns at line 7 of web.cell, as cell verify does if verify; the last
 * message if the line added one. */
static const char *assign_as(bool verify, CellConfig *c, const char *section, const char *key, const char *value) {
        size_t before = diag.n_messages;

        ASSERT_OK(config_assign_expand(c, NULL, verify, section, key, value, "web.cell", 7, &diag));
        return diag.n_messages == before ? NULL : diag.messages[diag.n_messages - 1];
}

static const char *assign(CellConfig *c, const char *section, const char *key, const char *value) {
        return assign_as(false, c, section, key, value);
}

static const char *verify(CellConfig *c, const char *section, const char *key, const char *value) {
        return assign_as(true, c, section, key, value);
}

TEST(hostname_labels) {
        char label63[64], label64[65], name[512];
        CellConfig c;

        memset(label63, 'a', 63);
        label63[63] = 0;
        memset(label64, 'a', 64);
        label64[64] = 0;
        cell_config_init(&c);

        ASSERT_NULL(assign(&c, "Exec", "Hostname", label63));
        ASSERT_STREQ(c.hostname, label63);
        /* 64 characters fit the kernel, but no DNS label (nspawn refuses it). */
        snprintf(name, sizeof name, "web.cell:7: Hostname=%s: expected a host name (letters, digits, \"-\", \"_\", "
                 "dot-separated, at most 64 characters), and no label (between dots) longer than 63, as in DNS "
                 "and systemd-nspawn's Hostname=", label64);
        ASSERT_STREQ(assign(&c, "Exec", "Hostname", label64), name);
        ASSERT_STREQ(c.hostname, label63);
        ASSERT_NULL(assign(&c, "Exec", "Hostname", "a.b-c.d_e"));
        ASSERT_STREQ(c.hostname, "a.b-c.d_e");
        ASSERT_NULL(assign(&c, "Exec", "Hostname", ""));
        ASSERT_NULL(c.hostname);
        cell_config_done(&c);
        diag_done(&diag);
}

TEST(default_instance_of_no_template) {
        size_t warnings;
        CellConfig c;

        cell_config_init(&c);
        c.name = strdup("web");
        ASSERT_NOT_NULL(c.name);
        warnings = diag.n_warnings;
        /* systemd: "DefaultInstance= only makes sense for template units, ignoring." */
        ASSERT_STREQ(assign(&c, "Install", "DefaultInstance", "1"),
                     "web.cell:7: warning: DefaultInstance=1: web is no template (NAME@.cell), and only a "
                     "template has a default instance: unused, as systemd ignores it");
        ASSERT_EQ(diag.n_warnings, warnings + 1);
        ASSERT_EQ(diag.n_errors, 0);
        /* The reset says nothing. */
        ASSERT_NULL(assign(&c, "Install", "DefaultInstance", ""));
        cell_config_done(&c);

        /* A template, checked as an instance, and a real instance: said nothing. */
        cell_config_init(&c);
        c.name = strdup("web@test_instance");
        ASSERT_NOT_NULL(c.name);
        ASSERT_NULL(assign(&c, "Install", "DefaultInstance", "1"));
        ASSERT_STREQ(c.default_instance, "1");
        free(c.name);
        c.name = strdup("web@3");
        ASSERT_NOT_NULL(c.name);
        ASSERT_NULL(assign(&c, "Install", "DefaultInstance", "2"));
        ASSERT_EQ(diag.n_warnings, warnings + 1);
        cell_config_done(&c);
        diag_done(&diag);
}

/* cell verify said such a unit was valid, and cell-generator skipped it at
 * boot ("cannot be written into a unit file"): its WantedBy= links never made. */
TEST(description_the_generator_can_write) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_NULL(assign(&c, "Unit", "Description", "Static web server, 50% done \\o/"));
        ASSERT_STREQ(c.description, "Static web server, 50% done \\o/");
        ASSERT_STREQ(assign(&c, "Unit", "Description", "a\tb"),
                     "web.cell:7: Description=a\tb: expected a string without control characters (\\x09 here), "
                     "which cell-generator(8) could not write into cell@.service's drop-in");
        ASSERT_CONTAINS(assign(&c, "Unit", "Description", "bell\a"), "(\\x07 here)");
        ASSERT_CONTAINS(assign(&c, "Unit", "Description", "del\x7f"), "(\\x7f here)");
        ASSERT_STREQ(assign(&c, "Unit", "Description", "web\\"),
                     "web.cell:7: Description=web\\: expected a string that does not end in \"\\\", which "
                     "would join the next line of the drop-in cell-generator(8) writes");
        /* Refused lines leave the last good one. */
        ASSERT_STREQ(c.description, "Static web server, 50% done \\o/");
        ASSERT_NULL(assign(&c, "Unit", "Description", ""));
        ASSERT_NULL(c.description);
        cell_config_done(&c);
        diag_done(&diag);
}


/* systemd splits Documentation= as config_parse_strv(): quotes removed, a
 * backslash kept. cell took "man:foo\x2dbar(1)" for "man:foo-bar(1)", which
 * is not the URL systemd reads: refused now, as the backslash it keeps. */
TEST(documentation_keeps_backslash) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_NULL(assign(&c, "Unit", "Documentation", "man:cell(1) \"https://example.com/a\""));
        ASSERT_STREQ(c.documentation[0], "man:cell(1)");
        ASSERT_STREQ(c.documentation[1], "https://example.com/a");
        ASSERT_STREQ(assign(&c, "Unit", "Documentation", "man:foo\\x2dbar(1)"),
                     "web.cell:7: Documentation=man:foo\\x2dbar(1): expected space-separated URLs (http://, "
                     "https://, file:/, info:, man:) (\"man:foo\\x2dbar(1)\" is not one)");
        /* A backslash escapes no blank either: "man:a\" and "b", as systemd splits it. */
        ASSERT_CONTAINS(assign(&c, "Unit", "Documentation", "man:a\\ b"), "(\"man:a\\\" is not one)");
        ASSERT_EQ(strv_length(c.documentation), 2u);
        ASSERT_NULL(assign(&c, "Unit", "Documentation", ""));
        ASSERT_NULL(c.documentation);
        cell_config_done(&c);
        diag_done(&diag);
}

/* cell verify said nothing of an Alias= systemctl enable refuses (systemd
 * 252's unit_file_verify_alias()): only cell-generator(8) warned, at boot.
 * Refused now where the unit is checked, naming the line and why. */
TEST(alias_refused_by_verify) {
        CellConfig c;

        cell_config_init(&c);
        c.name = strdup("web");
        ASSERT_NOT_NULL(c.name);
        ASSERT_STREQ(verify(&c, "Install", "Alias", "www.service"),
                     "web.cell:7: Alias=www.service: systemd takes only an alias of the same instance (like "
                     "\"www@web.service\", or the template \"www@.service\") for cell@web.service; systemctl "
                     "enable refuses it (cell-generator(8) leaves it out)");
        ASSERT_STREQ(verify(&c, "Install", "Alias", "www@web.service www@.socket"),
                     "web.cell:7: Alias=www@web.service www@.socket: www@.socket: systemd takes only an alias of "
                     "the same type (.service) for cell@web.service; systemctl enable refuses it (cell-generator(8) "
                     "leaves it out)");
        ASSERT_CONTAINS(verify(&c, "Install", "Alias", "www@db.service"), "Alias=www@db.service: systemd takes only "
                        "an alias of the same instance");
        ASSERT_CONTAINS(verify(&c, "Install", "Alias", "web.slice"), "Alias=web.slice: systemd has no alias of a "
                        ".slice unit;");
        ASSERT_NULL(c.alias);
        ASSERT_EQ(diag.n_errors, 4u);
        /* What systemctl enable takes: the same instance, a template (given the
         * instance), its own name (skipped there), the old form in a .wants/. */
        ASSERT_NULL(verify(&c, "Install", "Alias", "www@web.service www@.service cell@web.service cell@.service"));
        ASSERT_NULL(verify(&c, "Install", "Alias", "multi-user.target.wants/cell@web.service"));
        ASSERT_EQ(strv_length(c.alias), 5u);
        /* No unit name stays what it was: an error whatever checks it. */
        ASSERT_CONTAINS(verify(&c, "Install", "Alias", "www"), "Alias=www: expected");
        cell_config_done(&c);

        /* A template, checked as its instance (DefaultInstance=1). */
        cell_config_init(&c);
        c.name = strdup("worker@1");
        ASSERT_NOT_NULL(c.name);
        ASSERT_NULL(verify(&c, "Install", "Alias", "job@.service job@worker@1.service"));
        ASSERT_CONTAINS(verify(&c, "Install", "Alias", "job@1.service"), "(like \"www@worker@1.service\", or the "
                        "template \"www@.service\") for cell@worker@1.service;");
        cell_config_done(&c);
        diag_done(&diag);
}

/* Elsewhere (cell run, and cell-generator(8) at boot) a refused alias is a
 * warning and is left out, the unit's other aliases kept: a wrong alias
 * must not keep a container from starting. */
TEST(alias_left_out_elsewhere) {
        CellConfig c;

        cell_config_init(&c);
        c.name = strdup("web");
        ASSERT_NOT_NULL(c.name);
        ASSERT_STREQ(assign(&c, "Install", "Alias", "www.service www@web.service a.target.wants/x.service"),
                     "web.cell:7: warning: Alias=www.service www@web.service a.target.wants/x.service: "
                     "a.target.wants/x.service: a link in a.target.wants/ is named as the unit it pulls in, "
                     "cell@web.service (\"a.target.wants/cell@web.service\"); systemctl enable refuses it: left out");
        ASSERT_EQ(diag.n_errors, 0u);
        ASSERT_EQ(diag.n_warnings, 2u);
        ASSERT_CONTAINS(diag.messages[0], "web.cell:7: warning: Alias=www.service www@web.service "
                        "a.target.wants/x.service: www.service: systemd takes only");
        ASSERT_EQ(strv_length(c.alias), 1u);
        ASSERT_STREQ(c.alias[0], "www@web.service");
        cell_config_done(&c);
        diag_done(&diag);
}
