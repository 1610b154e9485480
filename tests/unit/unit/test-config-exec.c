/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* [Exec]'s values against systemd 252's: what config_parse_exec() and
 * config_parse_environ() of systemd refuse (measured with "systemd-analyze
 * verify" of ExecStart= and Environment=), cell refuses, naming file, line
 * and key; what they accept, cell accepts. */
#include <limits.h>

#include "config-test.h"
#include "strv.h"
#include "test.h"

static Diagnostics diag;

static const char *assign(CellConfig *c, const char *key, const char *value) {
        return config_test_assign(&diag, c, "Exec", key, value);
}

#define OK(c, k, v) ASSERT_NULL(assign(c, k, v))
#define BAD(c, k, v, text) ASSERT_CONTAINS(assign(c, k, v), text)

/* systemd's string_is_safe(): "Executable name contains special characters". */
TEST(command_special_characters) {
        CellConfig c;

        cell_config_init(&c);
        BAD(&c, "Exec", "\"/bin/tr\\\"ue\" -x",
            "web.cell:7: Exec=\"/bin/tr\\\"ue\" -x: expected a command without quotes, backslashes or control "
            "characters once unquoted and unescaped (\"/bin/tr\"ue\" holds a quote, which systemd refuses there)");
        BAD(&c, "Exec", "\"/bin/tr'ue\"", "holds a quote");
        BAD(&c, "Exec", "/bin/tr\\x27ue", "holds a quote");
        BAD(&c, "Exec", "\"/bin/tr\\\\\\\\ue\"", "holds a backslash");
        BAD(&c, "Exec", "tr\\x5cue", "(\"tr\\ue\" holds a backslash");
        BAD(&c, "Exec", "/bin/tr\\tue", "holds a control character");
        BAD(&c, "Exec", "/bin/tr\\x01ue", "holds a control character");
        BAD(&c, "Exec", "/bin/tr\\x7fue", "holds a control character");
        BAD(&c, "Exec", "\"/bin/tr\\nue\"", "holds a control character");
        ASSERT_NULL(c.exec);
        /* Only the command: an argument may hold any of them. */
        OK(&c, "Exec", "/bin/sh -c \"echo \\\"a'b\\\\\\\" \\t\\x7f\"");
        ASSERT_STREQ(c.exec[2], "echo \"a'b\\\" \t\x7f");
        /* Bytes of 0x80 and above pass, UTF-8 or not, as in systemd; so does
         * "\uFFFE", which systemd's "\u" takes. */
        OK(&c, "Exec", "/bin/tr\\xc3\\xa9ue");
        ASSERT_STREQ(c.exec[0], "/bin/tr\xc3\xa9ue");
        OK(&c, "Exec", "/bin/tr\\xffue");
        ASSERT_STREQ(c.exec[0], "/bin/tr\xffue");
        OK(&c, "Exec", "/bin/tr\\uFFFEue");
        ASSERT_STREQ(c.exec[0], "/bin/tr\xef\xbf\xbeue");
        /* "\U" of no character is no escape: systemd keeps the backslash and
         * then refuses the command; cell refuses the escape. */
        BAD(&c, "Exec", "/bin/tr\\U0000FFFEue", "names no Unicode character");
        ASSERT_STREQ(c.exec[0], "/bin/tr\xef\xbf\xbeue");
        cell_config_done(&c);
        diag_done(&diag);
}

/* A lone ";" first, quoted or not, is systemd's separator; "\;" first is no
 * escape there ("Executable name contains special characters: \;"). */
TEST(command_semicolon) {
        CellConfig c;

        cell_config_init(&c);
        BAD(&c, "Exec", "\";\" /bin/true", "expected one command (a lone \";\" separates commands");
        BAD(&c, "Exec", "\\; /bin/true", "\"\\;\" is no escape");
        OK(&c, "Exec", "/usr/bin/find /srv -exec rm {} \\;");
        ASSERT_STREQ(c.exec[5], ";");
        cell_config_done(&c);
        diag_done(&diag);
}

/* systemd's path_is_valid(): no component longer than NAME_MAX; the whole
 * path shorter than PATH_MAX. */
TEST(command_path_length) {
        char path[PATH_MAX + 8];
        CellConfig c;

        cell_config_init(&c);
        path[0] = '/';
        memset(path + 1, 'a', NAME_MAX + 1);
        strcpy(path + 1 + NAME_MAX + 1, "/x");
        BAD(&c, "Exec", path, "(one is 256, as systemd refuses)");
        ASSERT_NULL(c.exec);
        strcpy(path + 1 + NAME_MAX, "/x");
        OK(&c, "Exec", path);
        /* 4095 bytes in components of 200: the longest path systemd takes. */
        for (size_t i = 0; i < PATH_MAX - 1; i++)
                path[i] = i % 201 == 0 ? '/' : 'b';
        path[PATH_MAX - 1] = 0;
        OK(&c, "Exec", path);
        path[PATH_MAX - 1] = 'b';
        path[PATH_MAX] = 0;
        BAD(&c, "Exec", path, "is neither, as systemd says");
        cell_config_done(&c);
        diag_done(&diag);
}

/* systemd's UnsetEnvironment= drops an assignment whose value is not UTF-8
 * ("Invalid environment name or assignment"); cell refuses the line. */
TEST(unset_environment_utf8) {
        CellConfig c;

        cell_config_init(&c);
        BAD(&c, "UnsetEnvironment", "A A=\\xff", "web.cell:7: UnsetEnvironment=: the value of A is not valid UTF-8");
        BAD(&c, "UnsetEnvironment", "A=\\uFFFE", "the value of A is not valid UTF-8");
        ASSERT_NULL(c.unset_environment);
        OK(&c, "UnsetEnvironment", "A=\\xc3\\xa9 B");
        ASSERT_STREQ(c.unset_environment[0], "A=\xc3\xa9");
        cell_config_done(&c);
        diag_done(&diag);
}

/* A bad escape or quote in UnsetEnvironment= is named as Environment= names
 * it, not as "bad quoting or escape". */
TEST(unset_environment_bad_escape) {
        static const char *const values[] = { "A\\x00B", "A=\\q", "A \"B", "A\\" };
        CellConfig c;

        cell_config_init(&c);
        for (size_t i = 0; i < ELEMENTSOF(values); i++) {
                _cleanup_free_ char *env = NULL;
                const char *unset;

                env = strdup(assign(&c, "Environment", values[i]) ?: "");
                ASSERT_NOT_NULL(env);
                unset = assign(&c, "UnsetEnvironment", values[i]);
                ASSERT_NOT_NULL(unset);
                ASSERT_NULL(strstr(unset, "bad quoting or escape"));
                /* The same reason after the key's own "expected ...". */
                ASSERT_NOT_NULL(strchr(env, '('));
                ASSERT_CONTAINS(unset, strrchr(env, '('));
        }
        BAD(&c, "UnsetEnvironment", "A\\x00B", "web.cell:7: UnsetEnvironment=A\\x00B: expected ");
        BAD(&c, "UnsetEnvironment", "A\\x00B", "(\"\\x...\" is no escape of a character a value may hold: "
            "\\xNN, \\uNNNN, \\UNNNNNNNN or \\NNN, never NUL)");
        ASSERT_NULL(c.unset_environment);
        cell_config_done(&c);
        diag_done(&diag);
}

/* systemd's Environment= drops an assignment whose value is not UTF-8 as
 * its utf8_is_valid() says ("Invalid environment assignment"): "\uFFFE",
 * "\uFDD0", "\ud800"; cell refuses the line. */
TEST(environment_non_characters) {
        CellConfig c;

        cell_config_init(&c);
        BAD(&c, "Environment", "A=\\uFFFE", "web.cell:7: Environment=: the value of A is not valid UTF-8");
        BAD(&c, "Environment", "A=\\uFDD0", "the value of A is not valid UTF-8");
        BAD(&c, "Environment", "A=\\uFDEF", "the value of A is not valid UTF-8");
        BAD(&c, "Environment", "A=\\ud800", "the value of A is not valid UTF-8");
        BAD(&c, "Environment", "A=\\U0001FFFF", "names no Unicode character");
        ASSERT_NULL(c.environment);
        OK(&c, "Environment", "A=\\uFDF0 B=\\uFFFD C=\\x01");
        ASSERT_STREQ(c.environment[0], "A=\xef\xb7\xb0");
        ASSERT_STREQ(c.environment[1], "B=\xef\xbf\xbd");
        ASSERT_STREQ(c.environment[2], "C=\x01");
        cell_config_done(&c);
        diag_done(&diag);
}

/* A specifier whose file (os-release, machine-info) is not UTF-8 or holds a
 * NUL byte: the message says which, not strerror()'s "multibyte" text. */
static int expand_fails(void *userdata, const char *s, char **ret, char *ret_bad) {
        *ret_bad = 'o';
        return *(const int *) userdata;
}

TEST(specifier_file_unreadable_text) {
        int error = -EILSEQ;
        const ConfigSpecifiers spec = { .expand = expand_fails, .userdata = &error };
        size_t before = diag.n_errors;
        CellConfig c;

        cell_config_init(&c);
        ASSERT_OK(config_assign_expand(&c, &spec, false, "Exec", "Environment", "OS=%o", "web.cell", 9, &diag));
        ASSERT_EQ(diag.n_errors, before + 1);
        ASSERT_CONTAINS(diag.messages[strv_length(diag.messages) - 1],
                        "web.cell:9: Environment=OS=%o: cannot expand specifier %o: the file it reads "
                        "(os-release(5), machine-info(5)) is not valid UTF-8");
        error = -EUCLEAN;
        ASSERT_OK(config_assign_expand(&c, &spec, false, "Exec", "Environment", "OS=%o", "web.cell", 9, &diag));
        ASSERT_CONTAINS(diag.messages[strv_length(diag.messages) - 1],
                        "(os-release(5), machine-info(5)) holds a NUL byte");
        error = -ENOENT;
        ASSERT_OK(config_assign_expand(&c, &spec, false, "Exec", "Environment", "OS=%o", "web.cell", 9, &diag));
        ASSERT_CONTAINS(diag.messages[strv_length(diag.messages) - 1], "cannot expand specifier %o: No such file");
        cell_config_done(&c);
}

/* User=, Group=: systemd 252 refuses an all-digit value parse_uid() does
 * not take ("0100", "00": "Invalid user/group name or numeric ID"), and
 * takes with a notice a name its strict rules do not (a ".", 32 bytes). */
TEST(user_group_systemd_rules) {
        size_t warnings = diag.n_warnings;
        CellConfig c;

        cell_config_init(&c);
        BAD(&c, "User", "0100", "web.cell:7: User=0100: expected a user name or a numeric UID");
        BAD(&c, "Group", "00", "web.cell:7: Group=00: expected a group name or a numeric GID");
        OK(&c, "User", "0");
        ASSERT_EQ(diag.n_warnings, warnings);
        OK(&c, "User", "a.b");
        ASSERT_EQ(diag.n_warnings, warnings + 1);
        OK(&c, "Group", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        ASSERT_EQ(diag.n_warnings, warnings + 2);
        ASSERT_STREQ(c.group, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        OK(&c, "Group", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        ASSERT_EQ(diag.n_warnings, warnings + 2);
        cell_config_done(&c);
}

/* WorkingDirectory= with "-": systemd ignores, with a warning, a path that
 * is not normalised or "-" alone; cell refuses them (neither is common, and
 * an ignored line would start the payload elsewhere than its author meant). */
TEST(working_directory_ignored_by_systemd) {
        CellConfig c;

        cell_config_init(&c);
        BAD(&c, "WorkingDirectory", "-/a/../b", "web.cell:7: WorkingDirectory=-/a/../b: expected");
        BAD(&c, "WorkingDirectory", "-", "web.cell:7: WorkingDirectory=-: expected");
        ASSERT_NULL(c.working_directory);
        OK(&c, "WorkingDirectory", "-/a//./b/");
        ASSERT_STREQ(c.working_directory, "/a/b");
        ASSERT_TRUE(c.working_directory_missing_ok);
        cell_config_done(&c);
}

/* systemd 252 takes a tab in WorkingDirectory='s path as part of a name. */
TEST(working_directory_control_characters) {
        char long_path[300] = "/";
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "WorkingDirectory", "-/srv/a\tb");
        ASSERT_STREQ(c.working_directory, "/srv/a\tb");
        OK(&c, "WorkingDirectory", "/srv/\x01");
        ASSERT_STREQ(c.working_directory, "/srv/\x01");
        memset(long_path + 1, 'a', 256);
        BAD(&c, "WorkingDirectory", long_path, "(no component of it over 255 bytes, as systemd's NAME_MAX)");
        cell_config_done(&c);
}
