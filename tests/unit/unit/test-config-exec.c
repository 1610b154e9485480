/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/unit/config-exec.c: [Exec]'s values. Against systemd 252's: what
 * config_parse_exec() and config_parse_environ() of systemd refuse
 * (measured with "systemd-analyze verify" of ExecStart= and Environment=),
 * cell refuses, naming file, line and key; what they accept, cell accepts. */
#include <limits.h>
#include <signal.h>

#include "config-assign-test.h"
#include "env-util.h"
#include "strv.h"
#include "test.h"

/* systemd's string_is_safe(): "Executable name contains special characters". */
TEST(command_special_characters) {
        CellConfig c;

        cell_config_init(&c);
        BAD(&c, "Exec", "Exec", "\"/bin/tr\\\"ue\" -x",
            "web.cell:7: Exec=\"/bin/tr\\\"ue\" -x: expected a command without quotes, backslashes or control "
            "characters once unquoted and unescaped (\"/bin/tr\"ue\" holds a quote, which systemd refuses there)");
        BAD(&c, "Exec", "Exec", "\"/bin/tr'ue\"", "holds a quote");
        BAD(&c, "Exec", "Exec", "/bin/tr\\x27ue", "holds a quote");
        BAD(&c, "Exec", "Exec", "\"/bin/tr\\\\\\\\ue\"", "holds a backslash");
        BAD(&c, "Exec", "Exec", "tr\\x5cue", "(\"tr\\ue\" holds a backslash");
        BAD(&c, "Exec", "Exec", "/bin/tr\\tue", "holds a control character");
        BAD(&c, "Exec", "Exec", "/bin/tr\\x01ue", "holds a control character");
        BAD(&c, "Exec", "Exec", "/bin/tr\\x7fue", "holds a control character");
        BAD(&c, "Exec", "Exec", "\"/bin/tr\\nue\"", "holds a control character");
        ASSERT_NULL(c.exec);
        /* Only the command: an argument may hold any of them. */
        OK(&c, "Exec", "Exec", "/bin/sh -c \"echo \\\"a'b\\\\\\\" \\t\\x7f\"");
        ASSERT_STREQ(c.exec[2], "echo \"a'b\\\" \t\x7f");
        /* Bytes of 0x80 and above pass, UTF-8 or not, as in systemd; so does
         * "\uFFFE", which systemd's "\u" takes. */
        OK(&c, "Exec", "Exec", "/bin/tr\\xc3\\xa9ue");
        ASSERT_STREQ(c.exec[0], "/bin/tr\xc3\xa9ue");
        OK(&c, "Exec", "Exec", "/bin/tr\\xffue");
        ASSERT_STREQ(c.exec[0], "/bin/tr\xffue");
        OK(&c, "Exec", "Exec", "/bin/tr\\uFFFEue");
        ASSERT_STREQ(c.exec[0], "/bin/tr\xef\xbf\xbeue");
        /* "\U" of no character is no escape: systemd keeps the backslash and
         * then refuses the command; cell refuses the escape. */
        BAD(&c, "Exec", "Exec", "/bin/tr\\U0000FFFEue", "names no Unicode character");
        ASSERT_STREQ(c.exec[0], "/bin/tr\xef\xbf\xbeue");
        cell_config_done(&c);
        diag_done(&diag);
}

/* A lone ";" first, quoted or not, is systemd's separator; "\;" first is no
 * escape there ("Executable name contains special characters: \;"). */
TEST(command_semicolon) {
        CellConfig c;

        cell_config_init(&c);
        BAD(&c, "Exec", "Exec", "\";\" /bin/true", "expected one command (a lone \";\" separates commands");
        BAD(&c, "Exec", "Exec", "\\; /bin/true", "\"\\;\" is no escape");
        OK(&c, "Exec", "Exec", "/usr/bin/find /srv -exec rm {} \\;");
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
        BAD(&c, "Exec", "Exec", path, "(one is 256, as systemd refuses)");
        ASSERT_NULL(c.exec);
        strcpy(path + 1 + NAME_MAX, "/x");
        OK(&c, "Exec", "Exec", path);
        /* 4095 bytes in components of 200: the longest path systemd takes. */
        for (size_t i = 0; i < PATH_MAX - 1; i++)
                path[i] = i % 201 == 0 ? '/' : 'b';
        path[PATH_MAX - 1] = 0;
        OK(&c, "Exec", "Exec", path);
        path[PATH_MAX - 1] = 'b';
        path[PATH_MAX] = 0;
        BAD(&c, "Exec", "Exec", path, "is neither, as systemd says");
        cell_config_done(&c);
        diag_done(&diag);
}

/* systemd's UnsetEnvironment= drops an assignment whose value is not UTF-8
 * ("Invalid environment name or assignment"); cell refuses the line. */
TEST(unset_environment_utf8) {
        CellConfig c;

        cell_config_init(&c);
        BAD(&c, "Exec", "UnsetEnvironment", "A A=\\xff",
            "web.cell:7: UnsetEnvironment=: the value of A is not valid UTF-8");
        BAD(&c, "Exec", "UnsetEnvironment", "A=\\uFFFE", "the value of A is not valid UTF-8");
        ASSERT_NULL(c.unset_environment);
        OK(&c, "Exec", "UnsetEnvironment", "A=\\xc3\\xa9 B");
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

                env = strdup(assign(&c, "Exec", "Environment", values[i]) ?: "");
                ASSERT_NOT_NULL(env);
                unset = assign(&c, "Exec", "UnsetEnvironment", values[i]);
                ASSERT_NOT_NULL(unset);
                ASSERT_NULL(strstr(unset, "bad quoting or escape"));
                /* The same reason after the key's own "expected ...". */
                ASSERT_NOT_NULL(strchr(env, '('));
                ASSERT_CONTAINS(unset, strrchr(env, '('));
        }
        BAD(&c, "Exec", "UnsetEnvironment", "A\\x00B", "web.cell:7: UnsetEnvironment=A\\x00B: expected ");
        BAD(&c, "Exec", "UnsetEnvironment", "A\\x00B", "(\"\\x...\" is no escape of a character a value may hold: "
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
        BAD(&c, "Exec", "Environment", "A=\\uFFFE", "web.cell:7: Environment=: the value of A is not valid UTF-8");
        BAD(&c, "Exec", "Environment", "A=\\uFDD0", "the value of A is not valid UTF-8");
        BAD(&c, "Exec", "Environment", "A=\\uFDEF", "the value of A is not valid UTF-8");
        BAD(&c, "Exec", "Environment", "A=\\ud800", "the value of A is not valid UTF-8");
        BAD(&c, "Exec", "Environment", "A=\\U0001FFFF", "names no Unicode character");
        ASSERT_NULL(c.environment);
        OK(&c, "Exec", "Environment", "A=\\uFDF0 B=\\uFFFD C=\\x01");
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
        BAD(&c, "Exec", "User", "0100", "web.cell:7: User=0100: expected a user name or a numeric UID");
        BAD(&c, "Exec", "Group", "00", "web.cell:7: Group=00: expected a group name or a numeric GID");
        OK(&c, "Exec", "User", "0");
        ASSERT_EQ(diag.n_warnings, warnings);
        OK(&c, "Exec", "User", "a.b");
        ASSERT_EQ(diag.n_warnings, warnings + 1);
        OK(&c, "Exec", "Group", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        ASSERT_EQ(diag.n_warnings, warnings + 2);
        ASSERT_STREQ(c.group, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        OK(&c, "Exec", "Group", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        ASSERT_EQ(diag.n_warnings, warnings + 2);
        cell_config_done(&c);
}

/* WorkingDirectory= with "-": systemd ignores, with a warning, a path that
 * is not normalised or "-" alone; cell refuses them (neither is common, and
 * an ignored line would start the payload elsewhere than its author meant). */
TEST(working_directory_ignored_by_systemd) {
        CellConfig c;

        cell_config_init(&c);
        BAD(&c, "Exec", "WorkingDirectory", "-/a/../b", "web.cell:7: WorkingDirectory=-/a/../b: expected");
        BAD(&c, "Exec", "WorkingDirectory", "-", "web.cell:7: WorkingDirectory=-: expected");
        ASSERT_NULL(c.working_directory);
        OK(&c, "Exec", "WorkingDirectory", "-/a//./b/");
        ASSERT_STREQ(c.working_directory, "/a/b");
        ASSERT_TRUE(c.working_directory_missing_ok);
        cell_config_done(&c);
}

/* systemd 252 takes a tab in WorkingDirectory='s path as part of a name. */
TEST(working_directory_control_characters) {
        char long_path[300] = "/";
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Exec", "WorkingDirectory", "-/srv/a\tb");
        ASSERT_STREQ(c.working_directory, "/srv/a\tb");
        OK(&c, "Exec", "WorkingDirectory", "/srv/\x01");
        ASSERT_STREQ(c.working_directory, "/srv/\x01");
        memset(long_path + 1, 'a', 256);
        BAD(&c, "Exec", "WorkingDirectory", long_path, "(no component of it over 255 bytes, as systemd's NAME_MAX)");
        cell_config_done(&c);
}

TEST(exec) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Exec", "Exec", "/bin/sh -c 'echo hi'");
        OK(&c, "Exec", "Exec", "httpd -f \"-p\" 80");
        ASSERT_EQ(strv_length(c.exec), 4);      /* last wins */
        ASSERT_STREQ(c.exec[2], "-p");
        BAD(&c, "Exec", "Exec", "sh -c \"oops", "expected a command line");
        ASSERT_EQ(strv_length(c.exec), 4);
        /* As systemd's ExecStart=: an absolute path or a file name, and no prefix. */
        BAD_EXACT(&c, "Exec", "Exec", "bin/httpd -X",
                  "web.cell:7: Exec=bin/httpd -X: expected an absolute path or a plain file name as the "
                  "command (\"bin/httpd\" is neither, as systemd says)");
        BAD(&c, "Exec", "Exec", "./httpd", "(\"./httpd\" is neither");
        BAD(&c, "Exec", "Exec", "/usr/bin/", "(\"/usr/bin/\" is neither");
        BAD(&c, "Exec", "Exec", "..", "(\"..\" is neither");
        BAD_EXACT(&c, "Exec", "Exec", "-/bin/true",
                  "web.cell:7: Exec=-/bin/true: expected a command without a prefix (ExecStart='s \"-\" "
                  "and the other prefixes of systemd.service(5) have no meaning here)");
        BAD(&c, "Exec", "Exec", "\"@/bin/true\" x", "ExecStart='s \"@\"");
        BAD(&c, "Exec", "Exec", "+true", "ExecStart='s \"+\"");
        ASSERT_EQ(strv_length(c.exec), 4);
        OK(&c, "Exec", "Exec", "/bin/true -x");
        ASSERT_STREQ(c.exec[0], "/bin/true");
        OK(&c, "Exec", "Exec", "");
        ASSERT_NULL(c.exec);

        OK(&c, "Exec", "Boot", "on");
        ASSERT_TRUE(c.boot);
        OK(&c, "Exec", "Environment", "A=1 B=2");
        OK(&c, "Exec", "Environment", "\"A=one more\"");
        ASSERT_EQ(strv_length(c.environment), 2);
        ASSERT_STREQ(c.environment[0], "A=one more");
        BAD_EXACT(&c, "Exec", "Environment", "X",
                  "web.cell:7: Environment=X: expected space-separated KEY=VALUE assignments (\"X\" is not one)");
        /* A value that is not UTF-8 (here from a C escape): named, not quoted;
         * nothing of its line is kept. */
        BAD_EXACT(&c, "Exec", "Environment", "C=3 A=\\xff",
                  "web.cell:7: Environment=: the value of A is not valid UTF-8");
        ASSERT_EQ(strv_length(c.environment), 2);
        OK(&c, "Exec", "Environment", "A=\\xc3\\xa9");
        ASSERT_STREQ(c.environment[0], "A=\xc3\xa9");
        OK(&c, "Exec", "Environment", "");
        ASSERT_NULL(c.environment);
        /* What cell sets itself, over Environment=: taken, with a warning
         * that it never reaches the payload (the plan would show it). */
        size_t env_warnings = diag.n_warnings;
        OK(&c, "Exec", "Environment", "A=1 container=docker containerX=1 NOTIFY_SOCKET=/x");
        ASSERT_EQ(strv_length(c.environment), 4);
        ASSERT_EQ(diag.n_warnings, env_warnings + 2);
        ASSERT_STREQ(diag.messages[strv_length(diag.messages) - 2],
                     "web.cell:7: warning: Environment=: cell sets $container itself, over Environment= and "
                     "EnvironmentFile=: this assignment never reaches the payload");
        ASSERT_CONTAINS(diag.messages[strv_length(diag.messages) - 1], "$NOTIFY_SOCKET itself,");
        OK(&c, "Exec", "Environment", "container_uuid=x");
        ASSERT_CONTAINS(diag.messages[strv_length(diag.messages) - 1],
                        "$container_uuid itself with Register=yes or MachineID=, over Environment= and "
                        "EnvironmentFile=: this assignment does not reach the payload then");
        OK(&c, "Exec", "Environment", "");

        OK(&c, "Exec", "EnvironmentFile", "-/etc/default/web");
        OK(&c, "Exec", "EnvironmentFile", "/etc/web.env");
        ASSERT_EQ(c.n_environment_files, 2);
        ASSERT_TRUE(c.environment_files[0].ignore_missing);
        ASSERT_STREQ(c.environment_files[0].path, "/etc/default/web");
        BAD(&c, "Exec", "EnvironmentFile", "web.env", "expected an absolute path");
        OK(&c, "Exec", "EnvironmentFile", "");
        ASSERT_EQ(c.n_environment_files, 0);

        /* PassEnvironment=, as systemd's: names, appended, each once;
         * quotes undone, no C escapes ("\\x42" is "x42"). */
        OK(&c, "Exec", "PassEnvironment", "A B");
        OK(&c, "Exec", "PassEnvironment", "B \"C\" 'D' A C E\\x42");
        ASSERT_EQ(strv_length(c.pass_environment), 5);
        ASSERT_STREQ(c.pass_environment[2], "C");
        ASSERT_STREQ(c.pass_environment[3], "D");
        ASSERT_STREQ(c.pass_environment[4], "Ex42");
        /* systemd drops a bad name with a warning; cell refuses the line, as Environment=. */
        BAD_EXACT(&c, "Exec", "PassEnvironment", "F 1X",
                  "web.cell:7: PassEnvironment=F 1X: expected space-separated variable names (letters, digits "
                  "and \"_\", not starting with a digit) (\"1X\" is not one)");
        BAD(&c, "Exec", "PassEnvironment", "G=1", "(\"G=1\" is not one)");
        BAD(&c, "Exec", "PassEnvironment", "\"H", "(bad quoting or escape)");
        ASSERT_EQ(strv_length(c.pass_environment), 5);
        OK(&c, "Exec", "PassEnvironment", "");
        ASSERT_NULL(c.pass_environment);

        /* UnsetEnvironment=: names or exact assignments, C escapes as Environment=. */
        OK(&c, "Exec", "UnsetEnvironment", "A \"B=x y\" C=");
        OK(&c, "Exec", "UnsetEnvironment", "A D=\\x41");
        ASSERT_EQ(strv_length(c.unset_environment), 4);
        ASSERT_STREQ(c.unset_environment[1], "B=x y");
        ASSERT_STREQ(c.unset_environment[2], "C=");
        ASSERT_STREQ(c.unset_environment[3], "D=A");
        BAD_EXACT(&c, "Exec", "UnsetEnvironment", "E =x",
                  "web.cell:7: UnsetEnvironment=E =x: expected space-separated variable names or KEY=VALUE "
                  "assignments (\"=x\" is not one)");
        BAD(&c, "Exec", "UnsetEnvironment", "E-F", "(\"E-F\" is not one)");
        ASSERT_EQ(strv_length(c.unset_environment), 4);
        OK(&c, "Exec", "UnsetEnvironment", "");
        ASSERT_NULL(c.unset_environment);

        OK(&c, "Exec", "User", "www-data");
        OK(&c, "Exec", "Group", "33");
        BAD(&c, "Exec", "User", "bad:name", "expected a user name or a numeric UID");
        ASSERT_STREQ(c.user, "www-data");
        /* systemd's relaxed names (SSSD, Windows domains): taken, with a warning. */
        size_t warnings = diag.n_warnings;
        OK(&c, "Exec", "User", "alice@example.com");
        ASSERT_STREQ(c.user, "alice@example.com");
        ASSERT_EQ(diag.n_warnings, warnings + 1);
        ASSERT_CONTAINS(diag.messages[strv_length(diag.messages) - 1],
                        "web.cell:7: warning: User=alice@example.com: not a portable user or group name");
        OK(&c, "Exec", "Group", "domain users");
        BAD(&c, "Exec", "User", "-1", "expected a user name or a numeric UID");
        OK(&c, "Exec", "User", "www-data");
        ASSERT_EQ(diag.n_warnings, warnings + 2);
        OK(&c, "Exec", "SupplementaryGroups", "adm audio");
        OK(&c, "Exec", "SupplementaryGroups", "video");
        ASSERT_EQ(strv_length(c.supplementary_groups), 3);
        OK(&c, "Exec", "SupplementaryGroups", "DOMAIN\\\\admins");
        ASSERT_STREQ(c.supplementary_groups[3], "DOMAIN\\admins");
        ASSERT_EQ(diag.n_warnings, warnings + 3);
        BAD(&c, "Exec", "SupplementaryGroups", "a/b", "(\"a/b\" is not one)");
        ASSERT_EQ(strv_length(c.supplementary_groups), 4);
        /* Split as systemd 252 splits it, without unquoting or C escapes: a
         * quote is part of the name (and warned about), a backslash keeps
         * the next character. */
        OK(&c, "Exec", "SupplementaryGroups", "\"wheel\" \\x41dm a\\ b");
        ASSERT_EQ(strv_length(c.supplementary_groups), 7);
        ASSERT_STREQ(c.supplementary_groups[4], "\"wheel\"");
        ASSERT_STREQ(c.supplementary_groups[5], "x41dm");
        ASSERT_STREQ(c.supplementary_groups[6], "a b");
        ASSERT_EQ(diag.n_warnings, warnings + 5);
        OK(&c, "Exec", "SupplementaryGroups", "");
        ASSERT_NULL(c.supplementary_groups);

        OK(&c, "Exec", "WorkingDirectory", "~");
        ASSERT_STREQ(c.working_directory, "~");
        OK(&c, "Exec", "WorkingDirectory", "/srv//www");
        ASSERT_STREQ(c.working_directory, "/srv/www");
        ASSERT_FALSE(c.working_directory_missing_ok);
        BAD(&c, "Exec", "WorkingDirectory", "www", "expected an absolute path");
        /* "-": a directory that cannot be entered is none of an error, as in systemd. */
        OK(&c, "Exec", "WorkingDirectory", "-/srv/maybe");
        ASSERT_STREQ(c.working_directory, "/srv/maybe");
        ASSERT_TRUE(c.working_directory_missing_ok);
        OK(&c, "Exec", "WorkingDirectory", "-~");
        ASSERT_STREQ(c.working_directory, "~");
        ASSERT_TRUE(c.working_directory_missing_ok);
        BAD(&c, "Exec", "WorkingDirectory", "-", "prefixed with \"-\"");
        BAD(&c, "Exec", "WorkingDirectory", "--/srv", "expected an absolute path");
        BAD(&c, "Exec", "WorkingDirectory", "-srv", "expected an absolute path");
        ASSERT_STREQ(c.working_directory, "~");
        OK(&c, "Exec", "WorkingDirectory", "/srv");
        ASSERT_FALSE(c.working_directory_missing_ok);
        OK(&c, "Exec", "WorkingDirectory", "-/srv");
        OK(&c, "Exec", "WorkingDirectory", "");
        ASSERT_NULL(c.working_directory);
        ASSERT_FALSE(c.working_directory_missing_ok);

        OK(&c, "Exec", "UMask", "0077");
        ASSERT_TRUE(c.umask_set);
        ASSERT_EQ(c.umask, 077);
        BAD_EXACT(&c, "Exec", "UMask", "999",
                  "web.cell:7: UMask=999: expected an octal mode between 0000 and 07777");
        /* systemd takes any mode up to 07777 (umask(2) keeps the 0777 bits). */
        OK(&c, "Exec", "UMask", "1777");
        ASSERT_EQ(c.umask, 01777);
        OK(&c, "Exec", "UMask", "7777");
        ASSERT_EQ(c.umask, 07777);
        BAD(&c, "Exec", "UMask", "17777", "expected an octal mode between 0000 and 07777");
        /* systemd ignores an empty value and keeps the earlier one: refused. */
        BAD_EXACT(&c, "Exec", "UMask", "", "web.cell:7: UMask=: expected an octal mode between 0000 and 07777; "
                  "an empty value resets nothing, as in systemd");
        ASSERT_TRUE(c.umask_set);
        ASSERT_EQ(c.umask, 07777);

        OK(&c, "Exec", "Hostname", "web-1");
        BAD(&c, "Exec", "Hostname", "web_1@x", "expected a host name");
        /* systemd's labels: none starts or ends with a hyphen. */
        BAD(&c, "Exec", "Hostname", "-web", "expected a host name");
        BAD(&c, "Exec", "Hostname", "web.-1", "expected a host name");
        BAD(&c, "Exec", "Hostname", "web-", "expected a host name");
        ASSERT_STREQ(c.hostname, "web-1");
        OK(&c, "Exec", "NotifyReady", "true");
        OK(&c, "Exec", "Init", "1");
        ASSERT_TRUE(c.notify_ready && c.init);
        ASSERT_FALSE(c.suppress_sync);
        OK(&c, "Exec", "SuppressSync", "yes");
        ASSERT_TRUE(c.suppress_sync);
        BAD(&c, "Exec", "SuppressSync", "sometimes", "expected a boolean");

        OK(&c, "Exec", "KillSignal", "SIGRTMIN+3");
        ASSERT_EQ(c.kill_signal, SIGRTMIN + 3);
        BAD(&c, "Exec", "KillSignal", "SIGNOPE", "expected a signal name");
        /* systemd's signal names, not glibc's. */
        OK(&c, "Exec", "KillSignal", "SIGIO");
        ASSERT_EQ(c.kill_signal, SIGIO);
        OK(&c, "Exec", "KillSignal", "IO");
        ASSERT_EQ(c.kill_signal, SIGIO);
        BAD_EXACT(&c, "Exec", "KillSignal", "SIGPOLL",
                  "web.cell:7: KillSignal=SIGPOLL: expected a signal name (SIGTERM, TERM, SIGRTMIN+3) or number");
        OK(&c, "Exec", "KillSignal", "29");
        ASSERT_EQ(c.kill_signal, SIGIO);
        BAD(&c, "Exec", "KillSignal", "", "an empty value resets nothing, as in systemd");
        ASSERT_EQ(c.kill_signal, SIGIO);

        OK(&c, "Exec", "TimeoutStopSec", "1min 30s");
        ASSERT_TRUE(c.timeout_stop_set);
        ASSERT_EQ_U64(c.timeout_stop_usec, 90 * USEC_PER_SEC);
        OK(&c, "Exec", "TimeoutStopSec", "0");
        ASSERT_EQ_U64(c.timeout_stop_usec, USEC_INFINITY);
        OK(&c, "Exec", "TimeoutStopSec", "infinity");
        ASSERT_EQ_U64(c.timeout_stop_usec, USEC_INFINITY);
        BAD(&c, "Exec", "TimeoutStopSec", "soon", "expected a time span");
        BAD(&c, "Exec", "TimeoutStopSec", "12.34.56", "TimeoutStopSec=12.34.56: expected a time span");
        BAD(&c, "Exec", "TimeoutStopSec", "1.2.3", "TimeoutStopSec=1.2.3: expected a time span");
        BAD(&c, "Exec", "TimeoutStopSec", "5.s", "expected a time span");
        ASSERT_EQ_U64(c.timeout_stop_usec, USEC_INFINITY);
        OK(&c, "Exec", "TimeoutStopSec", "12.34 .56");
        ASSERT_EQ_U64(c.timeout_stop_usec, 12900 * USEC_PER_MSEC);
        OK(&c, "Exec", "TimeoutStopSec", "1.5h");
        ASSERT_EQ_U64(c.timeout_stop_usec, 5400 * USEC_PER_SEC);
        BAD(&c, "Exec", "TimeoutStopSec", "", "an empty value resets nothing, as in systemd");
        ASSERT_TRUE(c.timeout_stop_set);
        ASSERT_EQ_U64(c.timeout_stop_usec, 5400 * USEC_PER_SEC);
        cell_config_done(&c);
        diag_done(&diag);
}

/* One variable longer than execve(2) takes fails at verify, naming it
 * (its value is too long to quote), and not at exec with E2BIG. */
TEST(environment_too_long) {
        _cleanup_free_ char *value = NULL, *want = NULL;
        size_t max = env_assignment_max();
        CellConfig c;

        cell_config_init(&c);
        /* "BIG=" and max - 5 bytes: max - 1, with the NUL max, is the most. */
        value = malloc(max + 8);
        ASSERT_NOT_NULL(value);
        memcpy(value, "A=1 BIG=", 8);
        memset(value + 8, 'x', max - 5);
        value[max + 3] = 0;
        OK(&c, "Exec", "Environment", value);
        ASSERT_EQ(strv_length(c.environment), 2);
        ASSERT_EQ(strlen(c.environment[1]), max - 1);

        /* One more byte, quoted: the message names BIG, not the value. */
        OK(&c, "Exec", "Environment", "");
        free(value);
        value = malloc(max + 16);
        ASSERT_NOT_NULL(value);
        memcpy(value, "A=1 \"BIG=", 9);
        memset(value + 9, 'x', max - 4);
        memcpy(value + 9 + max - 4, "\"", 2);
        ASSERT_TRUE(asprintf(&want, "web.cell:7: Environment=: the variable BIG is too long: %zu bytes as "
                             "KEY=VALUE, and the kernel passes at most %zu (MAX_ARG_STRLEN, %zu with the NUL)",
                             max, max - 1, max) > 0);
        BAD_EXACT(&c, "Exec", "Environment", value, want);
        ASSERT_NULL(c.environment);
        cell_config_done(&c);
}

/* So does an argument of Exec= that execve(2) refuses whatever the host
 * (E2BIG): cell verify accepted it, and every start failed at the exec. */
TEST(exec_argument_too_long) {
        _cleanup_free_ char *value = NULL, *want = NULL;
        size_t max = env_assignment_max();
        CellConfig c;

        cell_config_init(&c);
        /* "/bin/echo " and max - 1 bytes: the longest argument there is. */
        value = malloc(max + 16);
        ASSERT_NOT_NULL(value);
        memcpy(value, "/bin/echo ", 10);
        memset(value + 10, 'y', max - 1);
        value[10 + max - 1] = 0;
        OK(&c, "Exec", "Exec", value);
        ASSERT_EQ(strv_length(c.exec), 2);
        ASSERT_EQ(strlen(c.exec[1]), max - 1);

        /* One more byte: named by its place, not quoted. */
        memcpy(value + 10 + max - 1, "y", 2);
        ASSERT_TRUE(asprintf(&want, "web.cell:7: Exec=: argument 1 is too long: %zu bytes, and the kernel "
                             "passes at most %zu (MAX_ARG_STRLEN, %zu with the NUL)", max, max - 1, max) > 0);
        BAD_EXACT(&c, "Exec", "Exec", value, want);
        /* The earlier Exec= stays, as after any bad value. */
        ASSERT_EQ(strv_length(c.exec), 2);
        cell_config_done(&c);
}

TEST(exec_register_machine_id) {
        static const uint8_t id[16] = {
                0x0b, 0x6f, 0x5a, 0x2e, 0x6e, 0x3c, 0x4d, 0x6b, 0x9c, 0x2c, 0x74, 0x0d, 0x3e, 0xc5, 0x5d, 0x01,
        };
        CellConfig c;

        cell_config_init(&c);
        ASSERT_FALSE(c.register_machine);       /* cell's default, unlike nspawn's */
        ASSERT_FALSE(c.machine_id_set);
        OK(&c, "Exec", "Register", "yes");
        ASSERT_TRUE(c.register_machine);
        ASSERT_STREQ(c.register_file, "web.cell");
        ASSERT_EQ(c.register_line, 7);
        BAD_EXACT(&c, "Exec", "Register", "maybe",
                  "web.cell:7: Register=maybe: expected a boolean (yes/no, true/false, on/off, 1/0)");
        ASSERT_TRUE(c.register_machine);        /* a bad value changes nothing */
        OK(&c, "Exec", "Register", "no");
        ASSERT_FALSE(c.register_machine);
        ASSERT_NULL(c.register_file);
        OK(&c, "Exec", "Register", "on");
        OK(&c, "Exec", "Register", "");         /* the empty one resets: no */
        ASSERT_FALSE(c.register_machine);
        ASSERT_EQ(c.register_line, 0);

        OK(&c, "Exec", "MachineID", "0b6f5a2e6e3c4d6b9c2c740d3ec55d01");
        ASSERT_TRUE(c.machine_id_set);
        ASSERT_TRUE(memcmp(c.machine_id, id, 16) == 0);
        memset(c.machine_id, 0, 16);
        OK(&c, "Exec", "MachineID", "0B6F5A2E-6E3C-4D6B-9C2C-740D3EC55D01");   /* the UUID form */
        ASSERT_TRUE(memcmp(c.machine_id, id, 16) == 0);
        BAD_EXACT(&c, "Exec", "MachineID", "00000000000000000000000000000000",
                  "web.cell:7: MachineID=00000000000000000000000000000000: expected 32 hexadecimal digits, "
                  "or a UUID (8-4-4-4-12), not all zeros (all zeros is no ID)");
        BAD(&c, "Exec", "MachineID", "0b6f5a2e6e3c4d6b9c2c740d3ec55d0", "MachineID=0b6f5a2e6e3c4d6b9c2c740d3ec55d0: expected 32");
        BAD(&c, "Exec", "MachineID", "0b6f5a2e-6e3c4d6b-9c2c-740d3ec55d01", "expected 32");
        BAD(&c, "Exec", "MachineID", "%m", "expected 32");     /* no specifiers */
        ASSERT_TRUE(memcmp(c.machine_id, id, 16) == 0);
        OK(&c, "Exec", "MachineID", "");
        ASSERT_FALSE(c.machine_id_set);
        /* [Exec] keys */
        ASSERT_CONTAINS(assign(&c, "Isolation", "Register", "yes"), "Register");
        diag_done(&diag);
        cell_config_done(&c);
}
