/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/capability.h>
#include <linux/ioprio.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/resource.h>

#include "config-parsers.h"
#include "config-test.h"
#include "env-util.h"
#include "strv.h"
#include "test.h"

static Diagnostics diag;

static const char *assign(CellConfig *c, const char *section, const char *key, const char *value) {
        return config_test_assign(&diag, c, section, key, value);
}

/* The same at line of file. */
static const char *assign_at(CellConfig *c, const char *section, const char *key, const char *value,
                             const char *file, unsigned line) {
        size_t before = diag.n_errors;

        ASSERT_OK(config_assign(c, section, key, value, file, line, &diag));
        if (diag.n_errors == before)
                return NULL;
        return diag.messages[strv_length(diag.messages) - 1];
}

#define OK(c, s, k, v) ASSERT_NULL(assign(c, s, k, v))
#define BAD(c, s, k, v, text) ASSERT_CONTAINS(assign(c, s, k, v), text)
#define BAD_EXACT(c, s, k, v, text) ASSERT_STREQ(assign(c, s, k, v), text)

TEST(defaults) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_TRUE(c.private_network);
        ASSERT_TRUE(c.no_new_privileges);
        ASSERT_EQ(c.umask, 0022);
        ASSERT_FALSE(c.umask_set);
        ASSERT_EQ(c.syscall_error_number, -1);
        ASSERT_NULL(c.slice);
        ASSERT_NULL(c.exec);
        ASSERT_EQ(c.private_users, CELL_PRIVATE_USERS_NO);
        cell_config_done(&c);
        cell_config_done(&c);   /* twice is harmless */
}

TEST(unit_install) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Unit", "Description", "A web server");
        OK(&c, "Unit", "Description", "Last wins");
        ASSERT_STREQ(c.description, "Last wins");
        OK(&c, "Unit", "Documentation", "man:cell.unit(5) https://example.com/doc");
        ASSERT_EQ(strv_length(c.documentation), 2);
        BAD(&c, "Unit", "Documentation", "example.com", "(\"example.com\" is not one)");
        /* no URL has a blank, quote, backslash or control character (or, as in
         * systemd, a byte beyond ASCII): the generator could not write it as one word */
        BAD_EXACT(&c, "Unit", "Documentation", "\"man:a b\"",
                  "web.cell:7: Documentation=\"man:a b\": expected space-separated URLs "
                  "(http://, https://, file:/, info:, man:) (\"man:a b\" is not one)");
        BAD(&c, "Unit", "Documentation", "\"man:c\\\"d\"", "(bad quoting or escape)");
        BAD(&c, "Unit", "Documentation", "\"man:c'd\"", "is not one");
        BAD(&c, "Unit", "Documentation", "man:c\\\\d", "is not one");
        BAD(&c, "Unit", "Documentation", "https://x/\\ty", "is not one");
        BAD(&c, "Unit", "Documentation", "https://x/\\x7f", "is not one");
        BAD(&c, "Unit", "Documentation", "https://example.com/caf\u00e9", "is not one");
        ASSERT_EQ(strv_length(c.documentation), 2);
        OK(&c, "Unit", "After", "network-online.target");
        OK(&c, "Unit", "After", "a.service b.socket");
        ASSERT_EQ(strv_length(c.after), 3);
        OK(&c, "Unit", "After", "");
        ASSERT_NULL(c.after);
        BAD_EXACT(&c, "Unit", "Wants", "network",
                  "web.cell:7: Wants=network: expected space-separated unit names such as "
                  "\"network-online.target\" (\"network\" is not one)");
        OK(&c, "Unit", "Before", "x.target");
        OK(&c, "Unit", "Requires", "y.service");
        OK(&c, "Unit", "BindsTo", "z.mount");
        OK(&c, "Unit", "PartOf", "p.target");
        OK(&c, "Unit", "Conflicts", "shutdown.target");
        ASSERT_STREQ(c.conflicts[0], "shutdown.target");
        OK(&c, "Install", "WantedBy", "multi-user.target");
        OK(&c, "Install", "RequiredBy", "machines.target");
        OK(&c, "Install", "Alias", "www.service");
        /* an escaped unit name is kept as written, as systemd keeps it: unescaped,
         * "mnt-data\x2d1.mount" (/mnt/data-1) would be "mnt-data-1.mount" (/mnt/data/1) */
        OK(&c, "Unit", "After", "mnt-data\\x2d1.mount dev-disk-by\\x2duuid-1234.device");
        ASSERT_STREQ(c.after[0], "mnt-data\\x2d1.mount");
        ASSERT_STREQ(c.after[1], "dev-disk-by\\x2duuid-1234.device");
        /* [Unit] takes no quotes, as systemd's config_parse_unit_deps() (it ignores
         * After="a.service" as no unit name); [Install] removes them. */
        BAD_EXACT(&c, "Unit", "After", "\"a.service\"",
                  "web.cell:7: After=\"a.service\": expected space-separated unit names such as "
                  "\"network-online.target\" (\"\"a.service\"\" is not one)");
        BAD(&c, "Unit", "Wants", "'b.service'", "(\"'b.service'\" is not one)");
        OK(&c, "Install", "WantedBy", "\"q.target\"");
        ASSERT_STREQ(c.wanted_by[1], "q.target");
        OK(&c, "Unit", "Wants", "mnt-data\\\\x2d1.mount");
        ASSERT_STREQ(c.wants[0], "mnt-data\\\\x2d1.mount");
        OK(&c, "Install", "WantedBy", "a\\x2db.target");
        ASSERT_STREQ(c.wanted_by[2], "a\\x2db.target");
        OK(&c, "Install", "Alias", "www@w\\x2d1.service");
        ASSERT_STREQ(c.alias[1], "www@w\\x2d1.service");
        BAD(&c, "Unit", "After", "a.service\\", "(\"a.service\\\" is not one)");
        /* Another cell is named by its service: the refusal says which. */
        BAD(&c, "Unit", "After", "a.service db.cell", "(\"db.cell\" is not one: the cell \"db\" runs as "
            "\"cell@db.service\")");
        BAD(&c, "Unit", "Wants", "worker@3.cell", "the cell \"worker@3\" runs as \"cell@worker@3.service\"");
        BAD(&c, "Install", "WantedBy", "x.cell", "the cell \"x\" runs as \"cell@x.service\"");
        BAD_EXACT(&c, "Unit", "After", "worker@.cell",
                  "web.cell:7: After=worker@.cell: expected space-separated unit names such as "
                  "\"network-online.target\" (\"worker@.cell\" is not one)");
        BAD_EXACT(&c, "Unit", "After", ".cell",
                  "web.cell:7: After=.cell: expected space-separated unit names such as "
                  "\"network-online.target\" (\".cell\" is not one)");
        /* A template is no unit to depend on (systemd refuses the scope's
         * start for it); [Install]'s WantedBy= of one is systemd's own. */
        BAD_EXACT(&c, "Unit", "After", "a.service foo@.service",
                  "web.cell:7: After=a.service foo@.service: expected a unit, not the template \"foo@.service\": "
                  "name one of its instances (\"foo@NAME.service\")");
        BAD(&c, "Unit", "Requires", "db@.service", "not the template \"db@.service\"");
        OK(&c, "Unit", "Requires", "db@main.service");
        ASSERT_STREQ(c.requires[strv_length(c.requires) - 1], "db@main.service");
        OK(&c, "Install", "WantedBy", "getty@.service");
        OK(&c, "Install", "DefaultInstance", "1");
        ASSERT_STREQ(c.default_instance, "1");
        BAD(&c, "Install", "DefaultInstance", "a b", "expected an instance name");
        OK(&c, "Install", "DefaultInstance", "");
        ASSERT_NULL(c.default_instance);
        cell_config_done(&c);
        diag_done(&diag);
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

TEST(isolation) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Isolation", "PrivateNetwork", "no");
        ASSERT_FALSE(c.private_network);
        OK(&c, "Isolation", "PrivateNetwork", "");
        ASSERT_TRUE(c.private_network);         /* reset to the default, yes */
        OK(&c, "Isolation", "NoNewPrivileges", "false");
        ASSERT_FALSE(c.no_new_privileges);
        OK(&c, "Isolation", "NoNewPrivileges", "");
        ASSERT_TRUE(c.no_new_privileges);
        OK(&c, "Isolation", "PrivateTime", "yes");
        ASSERT_TRUE(c.private_time);

        OK(&c, "Isolation", "PrivateUsers", "pick");
        ASSERT_EQ(c.private_users, CELL_PRIVATE_USERS_PICK);
        ASSERT_EQ(c.private_users_count, 65536);
        OK(&c, "Isolation", "PrivateUsers", "yes");
        ASSERT_EQ(c.private_users, CELL_PRIVATE_USERS_YES);
        OK(&c, "Isolation", "PrivateUsers", "100000:65536");
        ASSERT_EQ(c.private_users, CELL_PRIVATE_USERS_FIXED);
        ASSERT_EQ(c.private_users_uid, 100000);
        ASSERT_EQ(c.private_users_count, 65536);
        OK(&c, "Isolation", "PrivateUsers", "200000");
        ASSERT_EQ(c.private_users_uid, 200000);
        ASSERT_EQ(c.private_users_count, 65536);
        /* As nspawn: the COUNT in C's notation, the UID decimal (a UID is never octal). */
        OK(&c, "Isolation", "PrivateUsers", "0100000:0x10000");
        ASSERT_EQ(c.private_users_uid, 100000);
        ASSERT_EQ(c.private_users_count, 65536);
        BAD(&c, "Isolation", "PrivateUsers", "0x10:1", "expected no, yes, pick or UID[:COUNT]");
        BAD(&c, "Isolation", "PrivateUsers", "4294967295:2", "UID+COUNT <= 4294967295");
        BAD(&c, "Isolation", "PrivateUsers", "1000:0", "COUNT >= 1");
        /* As nspawn's parse_uid(): the 16-bit (uid_t) -1 is no UID; a range across it is fine. */
        BAD(&c, "Isolation", "PrivateUsers", "65535:1", "UID is not 65535");
        BAD(&c, "Isolation", "PrivateUsers", "65535", "UID is not 65535");
        OK(&c, "Isolation", "PrivateUsers", "65534:2");
        ASSERT_EQ(c.private_users_uid, 65534);
        BAD(&c, "Isolation", "PrivateUsers", "some", "expected no, yes, pick or UID[:COUNT]");
        /* nspawn's "identity" is 0:65536: the host's root as the container's. */
        BAD_EXACT(&c, "Isolation", "PrivateUsers", "identity",
                  "web.cell:7: PrivateUsers=identity: expected no, yes, pick or UID[:COUNT]; not nspawn's "
                  "\"identity\" (0:65536), which makes the container's root the host's root");
        OK(&c, "Isolation", "PrivateUsers", "no");
        ASSERT_EQ(c.private_users, CELL_PRIVATE_USERS_NO);

        OK(&c, "Isolation", "Capability", "CAP_NET_ADMIN");
        OK(&c, "Isolation", "Capability", "sys_time");
        ASSERT_EQ_U64(c.capability, (UINT64_C(1) << CAP_NET_ADMIN) | (UINT64_C(1) << CAP_SYS_TIME));
        BAD_EXACT(&c, "Isolation", "Capability", "CAP_FLY",
                  "web.cell:7: Capability=CAP_FLY: expected capability names (CAP_NET_ADMIN, net_raw) "
                  "or \"all\" (\"CAP_FLY\" is not one)");
        OK(&c, "Isolation", "Capability", "");
        ASSERT_EQ_U64(c.capability, 0);
        OK(&c, "Isolation", "DropCapability", "all");
        ASSERT_TRUE(c.drop_capability & (UINT64_C(1) << CAP_SYS_ADMIN));
        OK(&c, "Isolation", "AmbientCapability", "CAP_NET_BIND_SERVICE");
        OK(&c, "Isolation", "AmbientCapability", "net_raw");
        ASSERT_EQ_U64(c.ambient_capability, (UINT64_C(1) << CAP_NET_BIND_SERVICE) | (UINT64_C(1) << CAP_NET_RAW));
        /* "all" is refused, as nspawn refuses it: every capability, whatever the user. */
        BAD_EXACT(&c, "Isolation", "AmbientCapability", "chown,ALL",
                  "web.cell:7: AmbientCapability=chown,ALL: expected capability names (CAP_NET_BIND_SERVICE, "
                  "net_raw); \"all\" is not taken here");
        BAD(&c, "Isolation", "AmbientCapability", "CAP_FLY", "(\"CAP_FLY\" is not one)");
        BAD(&c, "Isolation", "Capability", "~CAP_NET_RAW",
            "(\"~CAP_NET_RAW\" is not one; DropCapability= takes capabilities away)");
        ASSERT_EQ_U64(c.ambient_capability, (UINT64_C(1) << CAP_NET_BIND_SERVICE) | (UINT64_C(1) << CAP_NET_RAW));
        OK(&c, "Isolation", "AmbientCapability", "");
        ASSERT_EQ_U64(c.ambient_capability, 0);

        OK(&c, "Isolation", "SystemCallFilter", "@system-service");
        OK(&c, "Isolation", "SystemCallFilter", "~@privileged");
        ASSERT_TRUE(c.syscall_filter_allow_list);
        BAD_EXACT(&c, "Isolation", "SystemCallFilter", "~fly",
                  "web.cell:7: SystemCallFilter=~fly: expected system call names or @groups (\"fly\" is neither)");
        BAD(&c, "Isolation", "SystemCallFilter", "~mount:EWHAT",
            "expected an errno name, a number 0..4095 or \"kill\"");
        BAD(&c, "Isolation", "SystemCallFilter", "~mount:4096", "expected an errno name, a number 0..4095");
        BAD(&c, "Isolation", "SystemCallFilter", "~mount:KILL", "(in \"mount:KILL\")");
        BAD(&c, "Isolation", "SystemCallFilter", "mount:EPERM", "no :ERRNO in an allow list");
        BAD(&c, "Isolation", "SystemCallFilter", "~mount ~", "expected system call names or @groups");
        OK(&c, "Isolation", "SystemCallFilter", "");
        ASSERT_FALSE(c.syscall_filter_set);
        /* "~" alone is systemd's empty deny list: nothing denied, but the
         * lines after it take calls out of a deny list, not make an allow list. */
        OK(&c, "Isolation", "SystemCallFilter", "~");
        ASSERT_TRUE(c.syscall_filter_set);
        ASSERT_FALSE(c.syscall_filter_allow_list);
        ASSERT_EQ(c.n_syscall_filter, 0U);
        OK(&c, "Isolation", "SystemCallFilter", "mount");
        ASSERT_FALSE(c.syscall_filter_allow_list);
        ASSERT_EQ(c.n_syscall_filter, 0U);
        OK(&c, "Isolation", "SystemCallFilter", "");
        OK(&c, "Isolation", "SystemCallFilter", "~@mount");
        ASSERT_FALSE(c.syscall_filter_allow_list);
        /* As systemd 252: ":kill" kills, ":0" returns success doing nothing. */
        OK(&c, "Isolation", "SystemCallFilter", "~ptrace:kill sync:0");
        ASSERT_EQ(c.n_syscall_filter, 3U);
        ASSERT_STREQ(c.syscall_filter[1].name, "ptrace");
        ASSERT_EQ(c.syscall_filter[1].error, CELL_SYSCALL_KILL);
        ASSERT_STREQ(c.syscall_filter[2].name, "sync");
        ASSERT_EQ(c.syscall_filter[2].error, 0);

        OK(&c, "Isolation", "SystemCallErrorNumber", "EPERM");
        ASSERT_EQ(c.syscall_error_number, EPERM);
        OK(&c, "Isolation", "SystemCallErrorNumber", "38");
        ASSERT_EQ(c.syscall_error_number, 38);
        BAD(&c, "Isolation", "SystemCallErrorNumber", "EFOO", "expected an errno name");
        /* "kill" as systemd 252 takes it; 0 is no error to fail with. */
        OK(&c, "Isolation", "SystemCallErrorNumber", "kill");
        ASSERT_EQ(c.syscall_error_number, CELL_SYSCALL_KILL);
        BAD_EXACT(&c, "Isolation", "SystemCallErrorNumber", "0",
                  "web.cell:7: SystemCallErrorNumber=0: expected an errno name (EPERM), a number between 1 "
                  "and 4095, or \"kill\"");
        OK(&c, "Isolation", "SystemCallErrorNumber", "");
        ASSERT_EQ(c.syscall_error_number, -1);
        cell_config_done(&c);
        diag_done(&diag);
}

TEST(limits) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Limits", "MemoryMax", "512M");
        ASSERT_EQ(c.memory_max.kind, CELL_LIMIT_VALUE);
        ASSERT_EQ_U64(c.memory_max.value, UINT64_C(512) << 20);
        OK(&c, "Limits", "MemoryHigh", "80%");
        ASSERT_EQ(c.memory_high.kind, CELL_LIMIT_PERCENT);
        ASSERT_EQ(c.memory_high.permyriad, 8000);
        OK(&c, "Limits", "MemorySwapMax", "infinity");
        ASSERT_EQ(c.memory_swap_max.kind, CELL_LIMIT_INFINITY);
        BAD_EXACT(&c, "Limits", "MemoryMax", "12Q",
                  "web.cell:7: MemoryMax=12Q: expected bytes with K/M/G/T/P/E suffix, a percentage or \"infinity\"");
        BAD(&c, "Limits", "MemoryMax", "101%", "MemoryMax=101%: expected bytes");
        ASSERT_EQ_U64(c.memory_max.value, UINT64_C(512) << 20);
        /* Sizes as systemd's parse_size(): descending suffixes, "5.G", "+5M". */
        OK(&c, "Limits", "MemoryMax", "1G 512M");
        ASSERT_EQ_U64(c.memory_max.value, UINT64_C(3) << 29);
        OK(&c, "Limits", "MemoryMax", "5.G");
        ASSERT_EQ_U64(c.memory_max.value, UINT64_C(5) << 30);
        OK(&c, "Limits", "MemoryHigh", "10.M");
        ASSERT_EQ_U64(c.memory_high.value, UINT64_C(10) << 20);
        OK(&c, "Limits", "MemoryMax", "+5M");
        ASSERT_EQ_U64(c.memory_max.value, UINT64_C(5) << 20);
        BAD(&c, "Limits", "MemoryMax", "1 2", "MemoryMax=1 2: expected bytes");
        BAD(&c, "Limits", "MemoryMax", "1K 1M", "MemoryMax=1K 1M: expected bytes");
        BAD(&c, "Limits", "MemoryMax", "-5M", "MemoryMax=-5M: expected bytes");
        ASSERT_EQ_U64(c.memory_max.value, UINT64_C(5) << 20);
        /* No limit of nothing at all, except for swap (systemd: "Memory
         * limit '0' out of range"); nor 2^64-1 bytes, for any of them. */
        BAD_EXACT(&c, "Limits", "MemoryMax", "0",
                  "web.cell:7: MemoryMax=0: expected a limit above 0 "
                  "(only MemorySwapMax=, MemoryMin= and MemoryLow= may be 0)");
        BAD(&c, "Limits", "MemoryMax", "0%", "MemoryMax=0%: expected a limit above 0");
        BAD(&c, "Limits", "MemoryMax", "0.00%", "MemoryMax=0.00%: expected a limit above 0");
        BAD(&c, "Limits", "MemoryMax", "0K", "MemoryMax=0K: expected a limit above 0");
        BAD(&c, "Limits", "MemoryHigh", "0", "MemoryHigh=0: expected a limit above 0");
        BAD(&c, "Limits", "MemoryHigh", "0%", "MemoryHigh=0%: expected a limit above 0");
        ASSERT_EQ_U64(c.memory_max.value, UINT64_C(5) << 20);
        ASSERT_EQ_U64(c.memory_high.value, UINT64_C(10) << 20);
        OK(&c, "Limits", "MemoryMax", "0.01%");
        ASSERT_EQ(c.memory_max.permyriad, 1);
        OK(&c, "Limits", "MemorySwapMax", "0");
        ASSERT_EQ(c.memory_swap_max.kind, CELL_LIMIT_VALUE);
        ASSERT_EQ_U64(c.memory_swap_max.value, 0);
        OK(&c, "Limits", "MemorySwapMax", "0%");
        ASSERT_EQ(c.memory_swap_max.kind, CELL_LIMIT_PERCENT);
        ASSERT_EQ(c.memory_swap_max.permyriad, 0);
        BAD_EXACT(&c, "Limits", "MemorySwapMax", "18446744073709551615",
                  "web.cell:7: MemorySwapMax=18446744073709551615: expected fewer than 2^64-1 bytes, or \"infinity\"");
        BAD(&c, "Limits", "MemoryMax", "18446744073709551615", "expected fewer than 2^64-1 bytes");
        OK(&c, "Limits", "MemoryMax", "18446744073709551614");
        ASSERT_EQ_U64(c.memory_max.value, UINT64_MAX - 1);
        OK(&c, "Limits", "MemoryMax", "");
        ASSERT_EQ(c.memory_max.kind, CELL_LIMIT_UNSET);

        /* The protections take what MemoryMax= does, and 0 (a protection of
         * nothing: systemd's MemoryMin=0); empty resets. */
        OK(&c, "Limits", "MemoryMin", "64M");
        ASSERT_EQ(c.memory_min.kind, CELL_LIMIT_VALUE);
        ASSERT_EQ_U64(c.memory_min.value, UINT64_C(64) << 20);
        OK(&c, "Limits", "MemoryLow", "12.5%");
        ASSERT_EQ(c.memory_low.kind, CELL_LIMIT_PERCENT);
        ASSERT_EQ(c.memory_low.permyriad, 1250);
        OK(&c, "Limits", "MemoryMin", "infinity");
        ASSERT_EQ(c.memory_min.kind, CELL_LIMIT_INFINITY);
        OK(&c, "Limits", "MemoryMin", "0");
        ASSERT_EQ(c.memory_min.kind, CELL_LIMIT_VALUE);
        ASSERT_EQ_U64(c.memory_min.value, 0);
        OK(&c, "Limits", "MemoryLow", "0%");
        ASSERT_EQ(c.memory_low.kind, CELL_LIMIT_PERCENT);
        ASSERT_EQ(c.memory_low.permyriad, 0);
        BAD_EXACT(&c, "Limits", "MemoryLow", "101%",
                  "web.cell:7: MemoryLow=101%: expected bytes with K/M/G/T/P/E suffix, a percentage or \"infinity\"");
        BAD(&c, "Limits", "MemoryMin", "-1", "MemoryMin=-1: expected bytes");
        BAD(&c, "Limits", "MemoryLow", "18446744073709551615", "expected fewer than 2^64-1 bytes");
        ASSERT_EQ(c.memory_low.kind, CELL_LIMIT_PERCENT);
        OK(&c, "Limits", "MemoryMin", "");
        ASSERT_EQ(c.memory_min.kind, CELL_LIMIT_UNSET);
        OK(&c, "Limits", "MemoryLow", "");
        ASSERT_EQ(c.memory_low.kind, CELL_LIMIT_UNSET);

        OK(&c, "Limits", "CPUQuota", "150%");
        ASSERT_TRUE(c.cpu_quota_set);
        ASSERT_EQ_U64(c.cpu_quota_per_sec_usec, 1500000);
        OK(&c, "Limits", "CPUQuota", "12.5%");
        ASSERT_EQ_U64(c.cpu_quota_per_sec_usec, 125000);
        BAD(&c, "Limits", "CPUQuota", "0%", "expected a percentage above 0%");
        BAD(&c, "Limits", "CPUQuota", "50", "expected a percentage");
        OK(&c, "Limits", "CPUQuota", "");
        ASSERT_FALSE(c.cpu_quota_set);

        /* CPUQuotaPeriodSec=: any time span, as systemd (0 and 5s too:
         * clamped where applied); "infinity" and empty are the default. */
        OK(&c, "Limits", "CPUQuotaPeriodSec", "10ms");
        ASSERT_TRUE(c.cpu_quota_period_set);
        ASSERT_EQ_U64(c.cpu_quota_period_usec, 10000);
        OK(&c, "Limits", "CPUQuotaPeriodSec", "1");
        ASSERT_EQ_U64(c.cpu_quota_period_usec, USEC_PER_SEC);
        OK(&c, "Limits", "CPUQuotaPeriodSec", "0");
        ASSERT_TRUE(c.cpu_quota_period_set);
        ASSERT_EQ_U64(c.cpu_quota_period_usec, 0);
        OK(&c, "Limits", "CPUQuotaPeriodSec", "5s");
        ASSERT_EQ_U64(c.cpu_quota_period_usec, 5 * USEC_PER_SEC);
        BAD_EXACT(&c, "Limits", "CPUQuotaPeriodSec", "-1",
                  "web.cell:7: CPUQuotaPeriodSec=-1: expected a time span (\"10ms\", bare number: seconds; "
                  "kept within 1ms..1s) or \"infinity\"");
        BAD(&c, "Limits", "CPUQuotaPeriodSec", "abc", "CPUQuotaPeriodSec=abc: expected a time span");
        ASSERT_EQ_U64(c.cpu_quota_period_usec, 5 * USEC_PER_SEC);
        OK(&c, "Limits", "CPUQuotaPeriodSec", "infinity");
        ASSERT_FALSE(c.cpu_quota_period_set);
        OK(&c, "Limits", "CPUQuotaPeriodSec", "20ms");
        OK(&c, "Limits", "CPUQuotaPeriodSec", "");
        ASSERT_FALSE(c.cpu_quota_period_set);

        OK(&c, "Limits", "CPUWeight", "10000");
        ASSERT_EQ_U64(c.cpu_weight, 10000);
        OK(&c, "Limits", "IOWeight", "1");
        ASSERT_EQ_U64(c.io_weight, 1);
        BAD_EXACT(&c, "Limits", "CPUWeight", "0",
                  "web.cell:7: CPUWeight=0: expected a number between 1 and 10000, or \"idle\"");
        /* "idle" (systemd 252; cgroup2's cpu.idle), in lower case only. */
        OK(&c, "Limits", "CPUWeight", "idle");
        ASSERT_TRUE(c.cpu_weight_idle);
        ASSERT_EQ_U64(c.cpu_weight, 0);
        BAD(&c, "Limits", "CPUWeight", "IDLE", "CPUWeight=IDLE: expected a number between 1 and 10000, or \"idle\"");
        ASSERT_TRUE(c.cpu_weight_idle);
        OK(&c, "Limits", "CPUWeight", "300");
        ASSERT_FALSE(c.cpu_weight_idle);
        ASSERT_EQ_U64(c.cpu_weight, 300);
        OK(&c, "Limits", "CPUWeight", "idle");
        OK(&c, "Limits", "CPUWeight", "");
        ASSERT_FALSE(c.cpu_weight_idle);
        ASSERT_EQ_U64(c.cpu_weight, 0);
        BAD(&c, "Limits", "IOWeight", "idle", "IOWeight=idle: expected a number between 1 and 10000");
        BAD(&c, "Limits", "IOWeight", "10001", "expected a number between 1 and 10000");
        OK(&c, "Limits", "IOWeight", "");
        ASSERT_EQ_U64(c.io_weight, 0);

        /* The IO per-device keys, as systemd's: DEVICE VALUE, sizes to the base of 1000. */
        OK(&c, "Limits", "IOReadBandwidthMax", "/dev/vda 5M");
        OK(&c, "Limits", "IOReadBandwidthMax", "\"/dev//sdb/\" infinity");
        OK(&c, "Limits", "IOWriteIOPSMax", "/var/lib 1.5K");
        OK(&c, "Limits", "IODeviceWeight", "/dev/vda 10000");
        OK(&c, "Limits", "IODeviceLatencyTargetSec", "/dev/vda 25ms");
        ASSERT_EQ(c.n_io_devices, 5);
        ASSERT_EQ(c.io_devices[0].kind, CELL_IO_READ_BPS);
        ASSERT_STREQ(c.io_devices[0].path, "/dev/vda");
        ASSERT_EQ_U64(c.io_devices[0].value, 5000000);
        ASSERT_STREQ(c.io_devices[0].file, "web.cell");
        ASSERT_EQ(c.io_devices[0].line, 7);
        ASSERT_STREQ(c.io_devices[1].path, "/dev/sdb");
        ASSERT_EQ_U64(c.io_devices[1].value, UINT64_MAX);
        ASSERT_EQ(c.io_devices[2].kind, CELL_IO_WRITE_IOPS);
        ASSERT_EQ_U64(c.io_devices[2].value, 1500);
        ASSERT_EQ_U64(c.io_devices[3].value, 10000);
        ASSERT_EQ(c.io_devices[4].kind, CELL_IO_LATENCY);
        ASSERT_EQ_U64(c.io_devices[4].value, 25000);
        /* A device named again takes the new value, in its place. */
        OK(&c, "Limits", "IOReadBandwidthMax", "/dev/vda 1K");
        ASSERT_EQ(c.n_io_devices, 5);
        ASSERT_EQ_U64(c.io_devices[0].value, 1000);
        /* ... and where it was written last (a drop-in's line), for the start's messages. */
        ASSERT_OK(config_assign(&c, "Limits", "IOReadBandwidthMax", "/dev/vda 2K", "web.cell.d/io.conf", 3, &diag));
        ASSERT_EQ(c.n_io_devices, 5);
        ASSERT_EQ_U64(c.io_devices[0].value, 2000);
        ASSERT_STREQ(c.io_devices[0].file, "web.cell.d/io.conf");
        ASSERT_EQ(c.io_devices[0].line, 3);
        OK(&c, "Limits", "IOReadBandwidthMax", "/dev/vda 1K");
        BAD_EXACT(&c, "Limits", "IOReadBandwidthMax", "/dev/vda 0",
                  "web.cell:7: IOReadBandwidthMax=/dev/vda 0: expected DEVICE BYTES: an absolute path (a block "
                  "device, or a file on it) and bytes per second above 0 with K/M/G/T/P/E suffix (base 1000) or "
                  "\"infinity\"");
        BAD(&c, "Limits", "IOReadBandwidthMax", "/dev/vda", "expected DEVICE BYTES");
        BAD(&c, "Limits", "IOReadBandwidthMax", "vda 5M", "expected DEVICE BYTES");
        BAD(&c, "Limits", "IOReadBandwidthMax", "/dev/../vda 5M", "expected DEVICE BYTES");
        BAD(&c, "Limits", "IOWriteBandwidthMax", "/dev/vda 5X", "expected DEVICE BYTES");
        BAD(&c, "Limits", "IOReadIOPSMax", "/dev/vda -1", "expected DEVICE IOPS");
        BAD(&c, "Limits", "IODeviceWeight", "/dev/vda 0", "expected DEVICE WEIGHT");
        BAD(&c, "Limits", "IODeviceLatencyTargetSec", "/dev/vda 5x", "expected DEVICE TIMESPAN");
        ASSERT_EQ(c.n_io_devices, 5);
        /* An empty value drops that key's entries only. */
        OK(&c, "Limits", "IOReadBandwidthMax", "");
        ASSERT_EQ(c.n_io_devices, 3);
        ASSERT_EQ(c.io_devices[0].kind, CELL_IO_WRITE_IOPS);
        ASSERT_EQ(c.io_devices[2].kind, CELL_IO_LATENCY);
        OK(&c, "Limits", "IOWriteIOPSMax", "");
        OK(&c, "Limits", "IODeviceWeight", "");
        OK(&c, "Limits", "IODeviceLatencyTargetSec", "");
        ASSERT_EQ(c.n_io_devices, 0);
        ASSERT_NULL(c.io_devices);

        OK(&c, "Limits", "AllowedCPUs", "0-3,5");
        ASSERT_EQ(c.allowed_cpus_size, 1);
        ASSERT_EQ(c.allowed_cpus[0], 0x2f);
        BAD(&c, "Limits", "AllowedCPUs", "3-1", "expected CPU indices and ranges");
        /* As systemd's: assignments add up, one without CPUs resets. */
        OK(&c, "Limits", "AllowedCPUs", "8");
        ASSERT_EQ(c.allowed_cpus_size, 2);
        ASSERT_EQ(c.allowed_cpus[0], 0x2f);
        ASSERT_EQ(c.allowed_cpus[1], 0x01);
        OK(&c, "Limits", "AllowedCPUs", ",");
        ASSERT_NULL(c.allowed_cpus);
        OK(&c, "Limits", "AllowedCPUs", "1");
        OK(&c, "Limits", "AllowedCPUs", "");
        ASSERT_NULL(c.allowed_cpus);

        OK(&c, "Limits", "TasksMax", "512");
        ASSERT_EQ(c.tasks_max.kind, CELL_LIMIT_VALUE);
        ASSERT_EQ_U64(c.tasks_max.value, 512);
        /* C's notation, as systemd's safe_atou64(). */
        OK(&c, "Limits", "TasksMax", "010");
        ASSERT_EQ_U64(c.tasks_max.value, 8);
        OK(&c, "Limits", "TasksMax", "0x200");
        ASSERT_EQ_U64(c.tasks_max.value, 512);
        BAD(&c, "Limits", "TasksMax", "08", "expected a number above 0");
        OK(&c, "Limits", "TasksMax", "10%");
        ASSERT_EQ(c.tasks_max.kind, CELL_LIMIT_PERCENT);
        OK(&c, "Limits", "TasksMax", "infinity");
        ASSERT_EQ(c.tasks_max.kind, CELL_LIMIT_INFINITY);
        BAD(&c, "Limits", "TasksMax", "0", "expected a number above 0");
        BAD(&c, "Limits", "TasksMax", "1K", "expected a number above 0");

        OK(&c, "Limits", "DeviceAllow", "/dev/fuse rw");
        OK(&c, "Limits", "DeviceAllow", "char-pts");
        OK(&c, "Limits", "DeviceAllow", "block-loop mwr");
        /* /proc/devices names with a "/" (x86's cpu/msr), and patterns of them, as systemd takes them */
        OK(&c, "Limits", "DeviceAllow", "char-cpu/msr r");
        OK(&c, "Limits", "DeviceAllow", "char-cpu/* r");
        ASSERT_EQ(c.n_device_allow, 5);
        ASSERT_STREQ(c.device_allow[0].perms, "rw");
        ASSERT_STREQ(c.device_allow[1].perms, "rwm");
        ASSERT_STREQ(c.device_allow[2].perms, "rwm");
        ASSERT_STREQ(c.device_allow[3].path, "char-cpu/msr");
        ASSERT_STREQ(c.device_allow[4].path, "char-cpu/*");
        BAD(&c, "Limits", "DeviceAllow", "char-", "expected a device");
        BAD(&c, "Limits", "DeviceAllow", "\"char-a b\" r", "expected a device");
        BAD(&c, "Limits", "DeviceAllow", "/dev/null x", "expected a device");
        BAD(&c, "Limits", "DeviceAllow", "/etc/passwd r", "expected a device");
        BAD(&c, "Limits", "DeviceAllow", "/dev/null r w", "expected a device");
        OK(&c, "Limits", "DeviceAllow", "");
        ASSERT_EQ(c.n_device_allow, 0);

        OK(&c, "Limits", "OOMScoreAdjust", "-1000");
        ASSERT_TRUE(c.oom_score_adjust_set);
        ASSERT_EQ(c.oom_score_adjust, -1000);
        BAD(&c, "Limits", "OOMScoreAdjust", "1001", "expected a number between -1000 and 1000");
        OK(&c, "Limits", "OOMScoreAdjust", "");
        ASSERT_FALSE(c.oom_score_adjust_set);

        OK(&c, "Limits", "Slice", "web.slice");
        ASSERT_STREQ(c.slice, "web.slice");
        BAD(&c, "Limits", "Slice", "web.service", "expected a slice unit name");
        /* systemd's slice_name_is_valid(): its dashes are the tree's levels. */
        BAD(&c, "Limits", "Slice", "a--b.slice", "expected a slice unit name");
        BAD(&c, "Limits", "Slice", "-a.slice", "expected a slice unit name");
        BAD(&c, "Limits", "Slice", "a-.slice", "expected a slice unit name");
        BAD(&c, "Limits", "Slice", "a@b.slice", "expected a slice unit name");
        ASSERT_STREQ(c.slice, "web.slice");
        OK(&c, "Limits", "Slice", "a-b-c.slice");
        OK(&c, "Limits", "Slice", "-.slice");
        BAD(&c, "Limits", "Slice", "", "expected a slice unit name");
        ASSERT_STREQ(c.slice, "-.slice");
        cell_config_done(&c);
        diag_done(&diag);
}

/* systemd 252's AllowedMemoryNodes= and the Startup*= keys: the values of
 * AllowedCPUs=, CPUWeight= and IOWeight=, each kept apart. */
TEST(limits_startup_and_memory_nodes) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Limits", "StartupCPUWeight", "50");
        ASSERT_EQ_U64(c.startup_cpu_weight, 50);
        ASSERT_EQ_U64(c.cpu_weight, 0);
        BAD_EXACT(&c, "Limits", "StartupCPUWeight", "10001",
                  "web.cell:7: StartupCPUWeight=10001: expected a number between 1 and 10000, or \"idle\"");
        BAD(&c, "Limits", "StartupCPUWeight", "0", "StartupCPUWeight=0: expected a number between 1 and 10000");
        ASSERT_EQ_U64(c.startup_cpu_weight, 50);
        OK(&c, "Limits", "StartupCPUWeight", "idle");
        ASSERT_TRUE(c.startup_cpu_weight_idle);
        ASSERT_EQ_U64(c.startup_cpu_weight, 0);
        ASSERT_FALSE(c.cpu_weight_idle);
        OK(&c, "Limits", "CPUWeight", "300");
        ASSERT_TRUE(c.startup_cpu_weight_idle);
        OK(&c, "Limits", "StartupCPUWeight", "");
        ASSERT_FALSE(c.startup_cpu_weight_idle);
        ASSERT_EQ_U64(c.startup_cpu_weight, 0);
        ASSERT_EQ_U64(c.cpu_weight, 300);

        OK(&c, "Limits", "StartupIOWeight", "10000");
        ASSERT_EQ_U64(c.startup_io_weight, 10000);
        ASSERT_EQ_U64(c.io_weight, 0);
        BAD_EXACT(&c, "Limits", "StartupIOWeight", "idle",
                  "web.cell:7: StartupIOWeight=idle: expected a number between 1 and 10000");
        OK(&c, "Limits", "StartupIOWeight", "");
        ASSERT_EQ_U64(c.startup_io_weight, 0);

        /* As AllowedCPUs=: assignments add up, one naming none resets. */
        OK(&c, "Limits", "AllowedMemoryNodes", "0-1");
        OK(&c, "Limits", "AllowedMemoryNodes", "3 9");
        ASSERT_EQ(c.allowed_memory_nodes_size, 2);
        ASSERT_EQ(c.allowed_memory_nodes[0], 0x0b);
        ASSERT_EQ(c.allowed_memory_nodes[1], 0x02);
        ASSERT_NULL(c.allowed_cpus);
        BAD_EXACT(&c, "Limits", "AllowedMemoryNodes", "1-0",
                  "web.cell:7: AllowedMemoryNodes=1-0: expected NUMA node indices and ranges separated by "
                  "commas or spaces (\"0-1,3\"), below 8192");
        BAD(&c, "Limits", "AllowedMemoryNodes", "8192", "below 8192");
        ASSERT_EQ(c.allowed_memory_nodes[0], 0x0b);
        OK(&c, "Limits", "AllowedMemoryNodes", "");
        ASSERT_NULL(c.allowed_memory_nodes);
        ASSERT_EQ(c.allowed_memory_nodes_size, 0);

        OK(&c, "Limits", "StartupAllowedCPUs", "1,3");
        ASSERT_EQ(c.startup_allowed_cpus_size, 1);
        ASSERT_EQ(c.startup_allowed_cpus[0], 0x0a);
        ASSERT_NULL(c.allowed_cpus);
        BAD(&c, "Limits", "StartupAllowedCPUs", "x", "StartupAllowedCPUs=x: expected CPU indices and ranges");
        OK(&c, "Limits", "StartupAllowedMemoryNodes", "0");
        ASSERT_EQ(c.startup_allowed_memory_nodes[0], 0x01);
        ASSERT_NULL(c.allowed_memory_nodes);
        OK(&c, "Limits", "StartupAllowedMemoryNodes", ",");
        ASSERT_NULL(c.startup_allowed_memory_nodes);
        OK(&c, "Limits", "StartupAllowedMemoryNodes", "2");       /* freed by cell_config_done() */
        cell_config_done(&c);
        diag_done(&diag);
}

TEST(rlimits) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Limits", "LimitNOFILE", "1024:4096");
        ASSERT_TRUE(c.rlimits[RLIMIT_NOFILE].set);
        ASSERT_EQ_U64(c.rlimits[RLIMIT_NOFILE].soft, 1024);
        ASSERT_EQ_U64(c.rlimits[RLIMIT_NOFILE].hard, 4096);
        OK(&c, "Limits", "LimitNPROC", "infinity");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_NPROC].soft, RLIM_INFINITY);
        ASSERT_EQ_U64(c.rlimits[RLIMIT_NPROC].hard, RLIM_INFINITY);
        OK(&c, "Limits", "LimitCORE", "0:infinity");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_CORE].hard, RLIM_INFINITY);
        OK(&c, "Limits", "LimitSTACK", "8M");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_STACK].soft, 8 << 20);
        OK(&c, "Limits", "LimitMEMLOCK", "64K");
        OK(&c, "Limits", "LimitAS", "4G");
        OK(&c, "Limits", "LimitFSIZE", "1T");
        OK(&c, "Limits", "LimitDATA", "1G");
        OK(&c, "Limits", "LimitRSS", "1G");
        OK(&c, "Limits", "LimitMSGQUEUE", "800K");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_MSGQUEUE].soft, 800 << 10);
        OK(&c, "Limits", "LimitCPU", "1min");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_CPU].soft, 60);
        OK(&c, "Limits", "LimitCPU", "1500ms");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_CPU].soft, 2);   /* rounded up to whole seconds */
        OK(&c, "Limits", "LimitCPU", "30");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_CPU].soft, 30);
        OK(&c, "Limits", "LimitRTTIME", "500");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_RTTIME].soft, 500);
        OK(&c, "Limits", "LimitRTTIME", "1s");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_RTTIME].soft, 1000000);
        OK(&c, "Limits", "LimitNICE", "-5");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_NICE].soft, 25);
        OK(&c, "Limits", "LimitNICE", "+19");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_NICE].soft, 1);
        OK(&c, "Limits", "LimitNICE", "40");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_NICE].soft, 40);
        OK(&c, "Limits", "LimitLOCKS", "100");
        OK(&c, "Limits", "LimitSIGPENDING", "100");
        OK(&c, "Limits", "LimitRTPRIO", "10");

        BAD(&c, "Limits", "LimitNICE", "-21", "expected SOFT[:HARD], each a nice level -20..19");
        BAD(&c, "Limits", "LimitNICE", "41", "a raw value 0..40");
        BAD_EXACT(&c, "Limits", "LimitNOFILE", "4096:1024",
                  "web.cell:7: LimitNOFILE=4096:1024: expected SOFT[:HARD], each a number or \"infinity\", "
                  "with SOFT not above HARD");
        BAD(&c, "Limits", "LimitNOFILE", "1K", "each a number or \"infinity\"");
        BAD(&c, "Limits", "LimitAS", "12Q", "each bytes with K/M/G/T/P/E suffix");
        /* Sizes of rlimits are systemd's parse_size() too. */
        BAD(&c, "Limits", "LimitCORE", "1 2", "LimitCORE=1 2: expected SOFT[:HARD], each bytes");
        BAD(&c, "Limits", "LimitCORE", "1K 1M", "LimitCORE=1K 1M: expected SOFT[:HARD], each bytes");
        OK(&c, "Limits", "LimitCORE", "5.G:+10.G 5K");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_CORE].soft, UINT64_C(5) << 30);
        ASSERT_EQ_U64(c.rlimits[RLIMIT_CORE].hard, (UINT64_C(10) << 30) + (5 << 10));
        OK(&c, "Limits", "LimitCORE", "10.M:1G 512M");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_CORE].soft, UINT64_C(10) << 20);
        ASSERT_EQ_U64(c.rlimits[RLIMIT_CORE].hard, UINT64_C(3) << 29);
        BAD(&c, "Limits", "LimitCPU", "12.34.56", "LimitCPU=12.34.56: expected SOFT[:HARD], each a time span");
        BAD(&c, "Limits", "LimitCPU", "soon", "each a time span");
        ASSERT_EQ_U64(c.rlimits[RLIMIT_NOFILE].soft, 1024);
        BAD(&c, "Limits", "LimitNOFILE", "", "LimitNOFILE=: expected SOFT[:HARD]");
        ASSERT_TRUE(c.rlimits[RLIMIT_NOFILE].set);
        cell_config_done(&c);
        diag_done(&diag);
}

TEST(network) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Network", "VirtualEthernet", "yes");
        ASSERT_TRUE(c.virtual_ethernet);
        OK(&c, "Network", "Bridge", "br0");
        ASSERT_STREQ(c.bridge, "br0");
        BAD(&c, "Network", "Bridge", "a/b", "expected an interface name");
        OK(&c, "Network", "Port", "8080:80");
        OK(&c, "Network", "Port", "udp:53");
        OK(&c, "Network", "Port", "tcp:443");
        ASSERT_EQ(c.n_ports, 3);
        ASSERT_EQ(c.ports[0].protocol, IPPROTO_TCP);
        ASSERT_EQ(c.ports[0].host_port, 8080);
        ASSERT_EQ(c.ports[0].container_port, 80);
        ASSERT_EQ(c.ports[1].protocol, IPPROTO_UDP);
        ASSERT_EQ(c.ports[1].container_port, 53);
        BAD(&c, "Network", "Port", "sctp:1", "expected [tcp|udp:]HOSTPORT");
        BAD(&c, "Network", "Port", "0", "expected [tcp|udp:]HOSTPORT");
        BAD(&c, "Network", "Port", "65536", "expected [tcp|udp:]HOSTPORT");
        BAD(&c, "Network", "Port", "80:", "expected [tcp|udp:]HOSTPORT");
        /* One host port of a protocol goes to one place (nspawn refuses a
         * second --port= for it): said at the second one's line. */
        BAD_EXACT(&c, "Network", "Port", "8080:8080", "web.cell:7: Port=8080:8080: tcp port 8080 of the host is "
                  "forwarded by an earlier Port= already (an empty Port= clears the list)");
        BAD(&c, "Network", "Port", "udp:53:5353", "udp port 53 of the host is forwarded by an earlier Port=");
        ASSERT_EQ(c.n_ports, 3);
        OK(&c, "Network", "Port", "udp:8080");          /* another protocol */
        ASSERT_EQ(c.n_ports, 4);
        OK(&c, "Network", "Port", "");
        ASSERT_EQ(c.n_ports, 0);
        OK(&c, "Network", "Port", "8080:8080");         /* after the reset */
        ASSERT_EQ(c.n_ports, 1);
        cell_config_done(&c);
        diag_done(&diag);
}

TEST(network_links) {
        CellConfig c;

        cell_config_init(&c);
        /* Space-separated lists; a repeated key adds, an empty value resets. */
        OK(&c, "Network", "Interface", "eth1 \"enp3s0\"");
        OK(&c, "Network", "Interface", "wlan0");
        ASSERT_EQ((int) strv_length(c.interfaces), 3);
        ASSERT_STREQ(c.interfaces[0], "eth1");
        ASSERT_STREQ(c.interfaces[1], "enp3s0");
        ASSERT_STREQ(c.interfaces[2], "wlan0");
        OK(&c, "Network", "MACVLAN", "eth0");
        OK(&c, "Network", "IPVLAN", "bond0 eth2");
        ASSERT_STREQ(c.macvlan[0], "eth0");
        ASSERT_EQ((int) strv_length(c.ipvlan), 2);
        ASSERT_STREQ(c.ipvlan[1], "eth2");
        /* nspawn's later IFACE:NEWNAME is not taken: ":" is in no interface name. */
        BAD(&c, "Network", "Interface", "eth1:lan", "Interface=eth1:lan: expected space-separated interface names");
        BAD(&c, "Network", "MACVLAN", "eth0 a/b", "(\"a/b\" is not one)");
        BAD(&c, "Network", "IPVLAN", "0123456789abcdef", "each 1 to 15 ASCII characters");
        ASSERT_EQ((int) strv_length(c.interfaces), 3);  /* a bad value changes nothing */
        /* A name twice in one key: two interfaces of one name, said at the line. */
        BAD_EXACT(&c, "Network", "Interface", "eth3 eth1", "web.cell:7: Interface=eth3 eth1: eth1 is named by an "
                  "earlier line already (an empty Interface= clears the list)");
        BAD_EXACT(&c, "Network", "IPVLAN", "eth9 eth9", "web.cell:7: IPVLAN=eth9 eth9: eth9 is named twice (an "
                  "empty IPVLAN= clears the list)");
        ASSERT_EQ((int) strv_length(c.interfaces), 3);
        ASSERT_EQ((int) strv_length(c.ipvlan), 2);
        OK(&c, "Network", "MACVLAN", "eth1");           /* each key's list is its own here */
        OK(&c, "Network", "MACVLAN", "");
        BAD(&c, "Network", "MACVLAN", "eth0 eth0", "MACVLAN=eth0 eth0: eth0 is named twice");
        ASSERT_NULL(c.macvlan);
        OK(&c, "Network", "Interface", "");
        ASSERT_NULL(c.interfaces);
        OK(&c, "Network", "MACVLAN", "");
        ASSERT_NULL(c.macvlan);
        cell_config_done(&c);
        diag_done(&diag);
}

TEST(network_zone_veth_extra) {
        CellConfig c;

        cell_config_init(&c);
        /* Zone=NAME: "vz-" + NAME must be an interface name (nspawn's rule). */
        OK(&c, "Network", "Zone", "web");
        ASSERT_STREQ(c.zone, "web");
        ASSERT_STREQ(c.zone_file, "web.cell");
        ASSERT_EQ(c.zone_line, 7);
        OK(&c, "Network", "Zone", "abcdefghijkl");             /* vz- + 12: 15 bytes */
        BAD_EXACT(&c, "Network", "Zone", "abcdefghijklm",
                  "web.cell:7: Zone=abcdefghijklm: expected a zone name (1 to 12 ASCII characters, no \"/\", \":\", "
                  "\"%\" or spaces: \"vz-\" + NAME names the bridge)");
        BAD(&c, "Network", "Zone", "a/b", "expected a zone name");
        BAD(&c, "Network", "Zone", "a:b", "expected a zone name");
        BAD(&c, "Network", "Zone", "a b", "expected a zone name");
        BAD(&c, "Network", "Zone", "a%b", "expected a zone name");
        BAD(&c, "Network", "Zone", "w\xc3\xa0", "expected a zone name");  /* nspawn: ASCII only */
        ASSERT_STREQ(c.zone, "abcdefghijkl");                   /* a bad value changes nothing */
        OK(&c, "Network", "Zone", "");
        ASSERT_NULL(c.zone);
        ASSERT_NULL(c.zone_file);

        /* VirtualEthernetExtra=HOSTIF[:CONTAINERIF], one pair a line. */
        OK(&c, "Network", "VirtualEthernetExtra", "vx0:inner0");
        OK(&c, "Network", "VirtualEthernetExtra", "vy0");
        ASSERT_EQ(c.n_veth_extras, 2);
        ASSERT_STREQ(c.veth_extras[0].host, "vx0");
        ASSERT_STREQ(c.veth_extras[0].container, "inner0");
        ASSERT_STREQ(c.veth_extras[1].host, "vy0");
        ASSERT_STREQ(c.veth_extras[1].container, "vy0");    /* the same name by default */
        ASSERT_STREQ(c.veth_extras[1].file, "web.cell");
        ASSERT_EQ(c.veth_extras[1].line, 7);
        BAD_EXACT(&c, "Network", "VirtualEthernetExtra", "vx0:",
                  "web.cell:7: VirtualEthernetExtra=vx0:: expected HOSTIF[:CONTAINERIF], interface names of 1 to 15 "
                  "ASCII characters (no \"/\", \":\", \"%\" or spaces; not \"all\", \"default\" or digits only)");
        BAD(&c, "Network", "VirtualEthernetExtra", ":inner", "expected HOSTIF[:CONTAINERIF]");
        BAD(&c, "Network", "VirtualEthernetExtra", "a:b:c", "expected HOSTIF[:CONTAINERIF]");
        BAD(&c, "Network", "VirtualEthernetExtra", "0123456789abcdef", "expected HOSTIF[:CONTAINERIF]");
        BAD(&c, "Network", "VirtualEthernetExtra", "vx0:0123456789abcdef", "expected HOSTIF[:CONTAINERIF]");
        BAD(&c, "Network", "VirtualEthernetExtra", "a/b", "expected HOSTIF[:CONTAINERIF]");
        BAD(&c, "Network", "VirtualEthernetExtra", "a b", "expected HOSTIF[:CONTAINERIF]");
        /* What the kernel refuses only at the start, and nspawn's ifindex. */
        BAD(&c, "Network", "VirtualEthernetExtra", "all", "expected HOSTIF[:CONTAINERIF]");
        BAD(&c, "Network", "VirtualEthernetExtra", "vx1:default", "expected HOSTIF[:CONTAINERIF]");
        BAD(&c, "Network", "VirtualEthernetExtra", "123", "expected HOSTIF[:CONTAINERIF]");
        ASSERT_EQ(c.n_veth_extras, 2);
        OK(&c, "Network", "VirtualEthernetExtra", "");
        ASSERT_EQ(c.n_veth_extras, 0);
        ASSERT_NULL(c.veth_extras);
        cell_config_done(&c);
        diag_done(&diag);
}

TEST(unknown_and_extensions) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "X-Ansible", "Anything", "goes");
        OK(&c, "Limits", "X-Owner", "team-web");
        BAD_EXACT(&c, "Limits", "MemroyMax", "1G",
                  "web.cell:7: unknown key \"MemroyMax\" in section [Limits], did you mean \"MemoryMax\"?");
        BAD_EXACT(&c, "Limits", "memorymax", "1G",
                  "web.cell:7: unknown key \"memorymax\" in section [Limits], did you mean \"MemoryMax\"?");
        BAD_EXACT(&c, "Exec", "MemoryMax", "1G",
                  "web.cell:7: unknown key \"MemoryMax\" in section [Exec], it belongs in [Limits]");
        BAD_EXACT(&c, "Exec", "Frobnicate", "1",
                  "web.cell:7: unknown key \"Frobnicate\" in section [Exec]");
        /* A .nspawn file's key that cell has elsewhere, under another name. */
        BAD_EXACT(&c, "Network", "Private", "yes", "web.cell:7: unknown key \"Private\" in section [Network]: "
                  "systemd-nspawn's Private= is PrivateNetwork= in [Isolation]");
        BAD_EXACT(&c, "Limit", "MemoryMax", "1G",
                  "web.cell:7: unknown section [Limit], did you mean [Limits]?");
        /* the same unknown section is reported once per file */
        OK(&c, "Limit", "TasksMax", "5");
        ASSERT_EQ(c.tasks_max.kind, CELL_LIMIT_UNSET);
        BAD_EXACT(&c, "Service", "ExecStart", "/bin/true", "web.cell:7: unknown section [Service]: a .service "
                  "unit's section: what runs is in [Exec] here (Exec=, User=, Environment=, ...), its resources in "
                  "[Limits] (MemoryMax=, CPUQuota=, TasksMax=, LimitNOFILE=, ...)");
        BAD_EXACT(&c, "Unknown", "Key", "1", "web.cell:7: unknown section [Unknown]");
        BAD(&c, "", "Exec", "x", "outside of any [Section]");
        /* keys are case-sensitive, as systemd's */
        BAD(&c, "exec", "Exec", "x", "unknown section [exec], did you mean [Exec]?");
        ASSERT_NULL(c.exec);
        ASSERT_EQ(diag.n_errors, 10);
        cell_config_done(&c);
        diag_done(&diag);
}

/* A unit ported from a .nspawn file or a .service: what to write instead. */
TEST(unknown_with_hints) {
        CellConfig c;

        cell_config_init(&c);
        BAD_EXACT(&c, "Files", "Bind", "/srv", "web.cell:7: unknown section [Files]: systemd-nspawn's [Files] keys "
                  "(Bind=, BindReadOnly=, TemporaryFileSystem=, Inaccessible=, Overlay=, OverlayReadOnly=, "
                  "ReadOnly=, Volatile=) are in [Root] here");
        BAD(&c, "Exec", "Ephemeral", "yes", "unknown key \"Ephemeral\" in section [Exec]: systemd-nspawn's "
            "Ephemeral= is not supported: Volatile=overlay in [Root]");
        BAD(&c, "Exec", "ProcessTwo", "yes", "systemd-nspawn's ProcessTwo= is Init=yes in [Exec]");
        BAD(&c, "Exec", "Parameters", "-b", "the command line is Exec= in [Exec]");
        BAD(&c, "Exec", "PivotRoot", "/usr", "systemd-nspawn's PivotRoot= is not supported");
        BAD(&c, "Exec", "LinkJournal", "no", "systemd-nspawn's LinkJournal= is not supported");
        BAD(&c, "Exec", "ExecStart", "/bin/true", "a .service unit's ExecStart= is Exec= in [Exec]");
        BAD(&c, "Exec", "RootDirectory", "/srv/root", "a .service unit's RootDirectory= is Directory= in [Root]");
        BAD(&c, "Isolation", "CapabilityBoundingSet", "CAP_NET_ADMIN",
            "Capability= and DropCapability= in [Isolation]");
        BAD(&c, "Exec", "DynamicUser", "yes", "PrivateUsers=pick in [Isolation]");
        BAD(&c, "Isolation", "SystemCallLog", "@raw-io", "systemd's SystemCallLog= is not supported");
        BAD(&c, "Exec", "Restart", "on-failure", "a drop-in of cell@NAME.service (cell@.service(8), RESTARTING)");
        BAD_EXACT(&c, "Limits", "CPUShares", "512", "web.cell:7: unknown key \"CPUShares\" in section [Limits]: "
                  "systemd's deprecated cgroup v1 name: CPUWeight= in [Limits], 1-10000 with 100 the default "
                  "(CPUShares= counted 2-262144, 1024 the default)");
        BAD(&c, "Limits", "MemoryLimit", "1G", "systemd's deprecated cgroup v1 name: MemoryMax= in [Limits]");
        BAD(&c, "Limits", "BlockIOWeight", "500", "IOWeight= in [Limits]");
        BAD(&c, "Limits", "BlockIOReadBandwidth", "/dev/sda 1M", "IOReadBandwidthMax= in [Limits]");
        /* Whatever section it is in: the name says where it went. */
        BAD(&c, "Exec", "MemoryLimit", "1G", "MemoryMax= in [Limits]");
        /* systemd's switches that cell's scope settles: what it does instead. */
        BAD_EXACT(&c, "Limits", "MemoryAccounting", "yes", "web.cell:7: unknown key \"MemoryAccounting\" in section "
                  "[Limits]: systemd's MemoryAccounting= has no key here: cell asks for no accounting, so a systemd "
                  "scope gets systemd's DefaultMemoryAccounting= (systemd-system.conf(5)), and a limit (MemoryMax=, "
                  "...) turns its controller on, with either manager");
        BAD(&c, "Limits", "TasksAccounting", "yes", "DefaultTasksAccounting= (systemd-system.conf(5)), and a limit "
            "(TasksMax=)");
        BAD(&c, "Limits", "CPUAccounting", "yes", "DefaultCPUAccounting=");
        BAD(&c, "Limits", "IOAccounting", "yes", "DefaultIOAccounting=");
        BAD(&c, "Limits", "Delegate", "yes", "cell's systemd scope always has Delegate=yes (cell plan shows it)");
        /* A section's own hint only for that section. */
        BAD_EXACT(&c, "Exec", "Private", "yes", "web.cell:7: unknown key \"Private\" in section [Exec]");
        ASSERT_EQ(diag.n_errors, 23);
        cell_config_done(&c);
        diag_done(&diag);
}

TEST(no_diag_swallows) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_OK(config_assign(&c, "Limits", "MemoryMax", "12Q", "x.cell", 1, NULL));
        ASSERT_OK(config_assign(&c, "Nope", "A", "b", "x.cell", 1, NULL));
        ASSERT_EQ(c.memory_max.kind, CELL_LIMIT_UNSET);
        ASSERT_OK(config_finish(&c, "x.cell", NULL));
        cell_config_done(&c);
}

static size_t finish(CellConfig *c) {
        size_t before = diag.n_errors;
        ASSERT_OK(config_finish(c, "web.cell", &diag));
        return diag.n_errors - before;
}

/* A key a drop-in's empty assignment unset is missing at that line: the
 * main file (which sets it) is not where to look. A later value forgets it. */
TEST(finish_names_the_empty_assignment) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_NULL(assign_at(&c, "Root", "Directory", "/srv/web", "web.cell", 2));
        ASSERT_NULL(assign_at(&c, "Exec", "Exec", "/bin/httpd", "web.cell", 4));
        ASSERT_NULL(assign_at(&c, "Root", "Directory", "", "web.cell.d/10-x.conf", 2));
        ASSERT_NULL(assign_at(&c, "Exec", "Exec", "", "web.cell.d/10-x.conf", 4));
        ASSERT_NULL(assign_at(&c, "Exec", "Boot", "no", "web.cell.d/10-x.conf", 5));
        ASSERT_EQ(finish(&c), 2);
        ASSERT_STREQ(diag.messages[0],
                     "web.cell.d/10-x.conf:2: Directory= is missing (an empty assignment here unset it): [Root] "
                     "needs the absolute path of the container's root directory (or Image= that of a file system "
                     "image)");
        ASSERT_STREQ(diag.messages[1], "web.cell.d/10-x.conf:4: Exec= is missing (an empty assignment here unset "
                     "it): [Exec] needs a command line in Exec= or Boot=yes");
        diag_done(&diag);

        /* Set again: nothing is missing, and nothing remembered. */
        ASSERT_NULL(assign_at(&c, "Root", "Directory", "/srv/other", "web.cell.d/20-y.conf", 2));
        ASSERT_NULL(assign_at(&c, "Exec", "Boot", "yes", "web.cell.d/20-y.conf", 3));
        ASSERT_EQ(finish(&c), 0);
        ASSERT_EQ(c.n_emptied, 1);      /* Exec=, which Boot=yes stands in for */
        cell_config_done(&c);
}

/* A required key written with a bad value is not also missing: the value
 * is the one problem, as systemd's verify says (its line only). So for
 * each of the keys and their alternatives, in the main file or a drop-in;
 * another key's refused line (WorkingDirectory=) does not count. */
TEST(finish_refused_is_not_missing) {
        _cleanup_free_ char *value = NULL;
        size_t max = env_assignment_max();
        CellConfig c;

        cell_config_init(&c);
        ASSERT_NOT_NULL(assign_at(&c, "Root", "Directory", "root", "web.cell", 2));
        /* An argument execve(2) would refuse (E2BIG). */
        value = malloc(max + 16);
        ASSERT_NOT_NULL(value);
        memcpy(value, "/bin/echo ", 10);
        memset(value + 10, 'y', max);
        value[10 + max] = 0;
        ASSERT_NOT_NULL(assign_at(&c, "Exec", "Exec", value, "web.cell", 4));
        ASSERT_EQ(finish(&c), 0);
        ASSERT_EQ(strv_length(diag.messages), 2);
        diag_done(&diag);
        cell_config_done(&c);

        /* The alternatives: Image= for Directory=, Boot= for Exec=. */
        cell_config_init(&c);
        ASSERT_NOT_NULL(assign_at(&c, "Root", "Image", "img.raw", "web.cell", 2));
        ASSERT_NOT_NULL(assign_at(&c, "Exec", "Boot", "maybe", "web.cell", 4));
        ASSERT_EQ(finish(&c), 0);
        diag_done(&diag);
        cell_config_done(&c);

        /* Refused in a drop-in; and a key of a similar name refused does not hide a missing one. */
        cell_config_init(&c);
        ASSERT_OK(strv_extend(&c.dropin_paths, "web.cell.d/10-x.conf"));
        ASSERT_NOT_NULL(assign_at(&c, "Root", "Directory", "/srv/../x", "web.cell.d/10-x.conf", 2));
        ASSERT_NOT_NULL(assign_at(&c, "Exec", "WorkingDirectory", "rel", "web.cell.d/10-x.conf", 3));
        ASSERT_NOT_NULL(assign_at(&c, "Exec", "Execute", "/bin/true", "web.cell.d/10-x.conf", 4));
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[3], "web.cell: Exec= is missing: [Exec] needs a command line in Exec= or Boot=yes");
        diag_done(&diag);
        cell_config_done(&c);

        /* A later line of the key counts, not the refused one: emptied after it, it is missing there. */
        cell_config_init(&c);
        ASSERT_NOT_NULL(assign_at(&c, "Root", "Directory", "root", "web.cell", 2));
        ASSERT_NULL(assign_at(&c, "Root", "Directory", "", "web.cell.d/10-x.conf", 2));
        ASSERT_NULL(assign_at(&c, "Exec", "Exec", "/bin/true", "web.cell", 4));
        ASSERT_EQ(finish(&c), 1);
        ASSERT_CONTAINS(diag.messages[1], "web.cell.d/10-x.conf:2: Directory= is missing");
        diag_done(&diag);
        cell_config_done(&c);
}

TEST(finish) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_EQ(finish(&c), 2);
        ASSERT_STREQ(diag.messages[0],
                     "web.cell: Directory= is missing: [Root] needs the absolute path of the container's root directory "
                     "(or Image= that of a file system image)");
        ASSERT_STREQ(diag.messages[1], "web.cell: Exec= is missing: [Exec] needs a command line in Exec= or Boot=yes");
        diag_done(&diag);

        OK(&c, "Root", "Directory", "/srv/web");
        ASSERT_NULL(assign_at(&c, "Exec", "Exec", "/bin/httpd", "web.cell", 4));
        ASSERT_EQ(finish(&c), 0);

        /* Said where the key the message starts with was written. */
        OK(&c, "Exec", "Boot", "yes");
        ASSERT_NULL(assign_at(&c, "Exec", "Init", "yes", "web.cell.d/init.conf", 2));
        ASSERT_EQ(finish(&c), 2);
        ASSERT_STREQ(diag.messages[0], "web.cell:4: Exec= and Boot=yes exclude each other: "
                     "with Boot=yes the payload is /sbin/init");
        ASSERT_STREQ(diag.messages[1], "web.cell.d/init.conf:2: Init=yes and Boot=yes exclude each other: "
                     "with Boot=yes the init system is PID 1");
        diag_done(&diag);
        OK(&c, "Exec", "Exec", "");
        OK(&c, "Exec", "Init", "no");
        ASSERT_EQ(finish(&c), 0);       /* Boot=yes alone is a payload */

        /* Said at the line of the Bind=, in the drop-in that has it. */
        OK(&c, "Root", "Bind", "/srv/data:/data:idmap");
        ASSERT_NULL(assign_at(&c, "Root", "BindReadOnly", "/srv/ro::idmap", "web.cell.d/ro.conf", 3));
        /* As the unit wrote them, "\:" and "\\" too: grep finds them. */
        ASSERT_NULL(assign_at(&c, "Root", "Bind", "/srv/a\\:b:/d\\\\x:rbind,idmap", "web.cell.d/colon.conf", 5));
        ASSERT_EQ(finish(&c), 3);
        ASSERT_STREQ(diag.messages[0],
                     "web.cell:7: Bind=/srv/data:/data:idmap: \"idmap\" needs PrivateUsers=yes, pick or UID[:COUNT]");
        ASSERT_STREQ(diag.messages[1], "web.cell.d/ro.conf:3: BindReadOnly=/srv/ro::idmap: \"idmap\" "
                     "needs PrivateUsers=yes, pick or UID[:COUNT]");
        ASSERT_STREQ(diag.messages[2], "web.cell.d/colon.conf:5: Bind=/srv/a\\:b:/d\\\\x:rbind,idmap: \"idmap\" "
                     "needs PrivateUsers=yes, pick or UID[:COUNT]");
        OK(&c, "Isolation", "PrivateUsers", "pick");
        ASSERT_EQ(finish(&c), 0);
        diag_done(&diag);

        /* Said at the first Port= of the list (a drop-in's own file and line). */
        ASSERT_NULL(assign_at(&c, "Network", "Port", "80", "web.cell.d/port.conf", 4));
        OK(&c, "Network", "Port", "81");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/port.conf:4: Port= needs VirtualEthernet=yes, Bridge= or Zone=: "
                     "ports are forwarded to the container's veth address");
        diag_done(&diag);
        OK(&c, "Network", "Bridge", "br0");
        /* Ports go to the container's Address= of each family (as nspawn's
         * to its addresses, IPv4 and IPv6): without one, said now. */
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/port.conf:4: Port= needs an Address= to forward to in "
                     "[Network], IPv4 or IPv6, not link-local, loopback, unspecified, multicast or broadcast: ports "
                     "are forwarded to the container's first address of each family (cell runs no DHCP to learn "
                     "one)");
        diag_done(&diag);
        /* An empty Port= starts the list again, and where it was written. */
        OK(&c, "Network", "Port", "");
        ASSERT_NULL(assign_at(&c, "Network", "Port", "80", "web.cell", 12));
        ASSERT_EQ(finish(&c), 1);
        ASSERT_CONTAINS(diag.messages[0], "web.cell:12: Port= needs an Address= to forward to");
        diag_done(&diag);
        /* Not to IPv6's link-local addresses: nspawn forwards only to one
         * of a scope below link, which the host's other links reach (::1
         * is none of an interface's: the kernel refuses it). */
        OK(&c, "Network", "Address", "fe80::2/64");
        BAD(&c, "Network", "Address", "::1/128", "nor ::1 or an IPv6 multicast one, which the kernel puts on no "
            "interface");
        diag_done(&diag);
        ASSERT_EQ(finish(&c), 1);
        ASSERT_CONTAINS(diag.messages[0], "web.cell:12: Port= needs an Address= to forward to");
        diag_done(&diag);
        /* IPv6 alone will do: ports are forwarded over IPv6 only. */
        OK(&c, "Network", "Address", "fd00::2/64");
        ASSERT_EQ(finish(&c), 0);
        OK(&c, "Network", "Address", "");
        OK(&c, "Network", "Address", "10.0.0.2/24");
        ASSERT_EQ(finish(&c), 0);
        ASSERT_TRUE(c.virtual_ethernet);        /* implied by Bridge= */
        OK(&c, "Isolation", "PrivateNetwork", "no");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_CONTAINS(diag.messages[0], "Bridge= needs PrivateNetwork=yes");
        diag_done(&diag);
        cell_config_done(&c);
}

TEST(finish_network_links) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Root", "Directory", "/srv/web");
        OK(&c, "Exec", "Exec", "/bin/httpd");
        /* Address= and Gateway= need an interface of the container's own
         * (said where Address= was written) ... */
        ASSERT_NULL(assign_at(&c, "Network", "Address", "10.0.0.2/24", "web.cell", 9));
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell:9: Address= needs an interface in the container: "
                     "VirtualEthernet=yes, Bridge=, Zone=, Interface=, MACVLAN= or IPVLAN=");
        diag_done(&diag);
        /* ... which MACVLAN=, IPVLAN= and Interface= give it. */
        OK(&c, "Network", "MACVLAN", "eth0");
        ASSERT_EQ(finish(&c), 0);
        OK(&c, "Network", "MACVLAN", "");
        OK(&c, "Network", "IPVLAN", "eth0");
        ASSERT_EQ(finish(&c), 0);
        OK(&c, "Network", "IPVLAN", "");
        /* Interface= is counted: a check names the line of the name it is about. */
        ASSERT_NULL(assign_at(&c, "Network", "Interface", "eth1", "web.cell.d/net.conf", 2));
        OK(&c, "Network", "Gateway", "10.0.0.1");
        ASSERT_EQ(finish(&c), 0);
        /* Port= still needs the veth: it forwards to the host's side of it. */
        OK(&c, "Network", "Port", "80");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_CONTAINS(diag.messages[0], "Port= needs VirtualEthernet=yes, Bridge= or Zone=");
        diag_done(&diag);
        OK(&c, "Network", "Port", "");

        /* Each implies a private network: PrivateNetwork=no contradicts it. */
        OK(&c, "Isolation", "PrivateNetwork", "no");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/net.conf:2: Interface= needs PrivateNetwork=yes: it gives the container "
                     "an interface of its own network namespace");
        diag_done(&diag);
        OK(&c, "Network", "Interface", "");
        OK(&c, "Network", "IPVLAN", "eth0");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_CONTAINS(diag.messages[0], "IPVLAN= needs PrivateNetwork=yes");
        diag_done(&diag);
        OK(&c, "Isolation", "PrivateNetwork", "yes");

        /* An interface moved in is no longer the host's to be a parent. */
        ASSERT_NULL(assign_at(&c, "Network", "Interface", "eth2", "web.cell", 10));
        ASSERT_NULL(assign_at(&c, "Network", "Interface", "eth0", "web.cell.d/if.conf", 5));
        OK(&c, "Network", "MACVLAN", "eth1 eth0");
        ASSERT_EQ(finish(&c), 2);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/if.conf:5: Interface=eth0 and MACVLAN=eth0 exclude each other: "
                     "the interface is moved into the container");
        ASSERT_STREQ(diag.messages[1], "web.cell.d/if.conf:5: Interface=eth0 and IPVLAN=eth0 exclude each other: "
                     "the interface is moved into the container");
        diag_done(&diag);
        OK(&c, "Network", "MACVLAN", "");
        OK(&c, "Network", "IPVLAN", "");
        OK(&c, "Network", "Bridge", "eth0");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/if.conf:5: Interface=eth0 and Bridge=eth0 exclude each other: "
                     "the interface is moved into the container (and a bridge cannot change network namespace)");
        diag_done(&diag);
        OK(&c, "Network", "Bridge", "br0");
        ASSERT_EQ(finish(&c), 0);
        cell_config_done(&c);
}

/* Gateway= must be on Address='s link, as the kernel adds a default route
 * (cell has no GatewayOnLink=): else the start failed with ENETUNREACH.
 * Said at that Gateway='s own line, a drop-in's too, with the subnets it
 * is outside of; IPv6's link-local gateways are on every link. */
TEST(finish_gateway_on_link) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Root", "Directory", "/srv/web");
        OK(&c, "Exec", "Exec", "/bin/httpd");
        OK(&c, "Network", "VirtualEthernet", "yes");
        ASSERT_NULL(assign_at(&c, "Network", "Address", "10.0.0.2/24", "web.cell", 8));
        ASSERT_NULL(assign_at(&c, "Network", "Address", "10.8.3.2/22", "web.cell", 9));
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "10.0.0.1", "web.cell", 10));
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "10.8.0.1", "web.cell", 11));
        ASSERT_EQ(finish(&c), 0);
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "10.1.0.1", "web.cell.d/gw.conf", 3));
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "fd00::1", "web.cell.d/gw.conf", 4));
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "fe80::1", "web.cell.d/gw.conf", 5));
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "10.0.0.255", "web.cell.d/gw.conf", 6));
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "224.0.0.1", "web.cell.d/gw.conf", 7));
        ASSERT_EQ(finish(&c), 4);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/gw.conf:3: Gateway=10.1.0.1 is outside the subnet of every IPv4 "
                     "Address= (10.0.0.0/24, 10.8.0.0/22): the kernel adds a default route only via a gateway on the "
                     "link (cell has no GatewayOnLink=)");
        ASSERT_STREQ(diag.messages[1], "web.cell.d/gw.conf:4: Gateway=fd00::1 needs an IPv6 Address= whose subnet "
                     "holds it (or a link-local one, fe80::/10): the kernel adds a default route only via a gateway "
                     "on the link (cell has no GatewayOnLink=)");
        ASSERT_STREQ(diag.messages[2], "web.cell.d/gw.conf:6: Gateway=10.0.0.255 is the broadcast address of the "
                     "subnet of Address=10.0.0.2/24: no router has it");
        ASSERT_STREQ(diag.messages[3], "web.cell.d/gw.conf:7: Gateway=224.0.0.1 is a loopback, unspecified, "
                     "multicast or broadcast address: no router has it");
        diag_done(&diag);

        /* An IPv6 Address= brings fd00::1 on the link; the container's own
         * IPv6 address is no gateway the kernel takes. */
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "", "web.cell.d/gw.conf", 8));
        ASSERT_NULL(assign_at(&c, "Network", "Address", "fd00::2/64", "web.cell.d/gw.conf", 9));
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "fd00::1", "web.cell.d/gw.conf", 10));
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "fd00::2", "web.cell.d/gw.conf", 11));
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/gw.conf:11: Gateway=fd00::2 is the container's own "
                     "Address=fd00::2/64: the kernel takes no local address as an IPv6 gateway");
        diag_done(&diag);

        /* Without any Address= left, an IPv4 gateway is on no link. */
        OK(&c, "Network", "Gateway", "");
        OK(&c, "Network", "Address", "");
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "fe80::1", "web.cell", 12));
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "10.0.0.1", "web.cell", 13));
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell:13: Gateway=10.0.0.1 needs an IPv4 Address= whose subnet holds it: "
                     "the kernel adds a default route only via a gateway on the link (cell has no GatewayOnLink=)");
        diag_done(&diag);
        BAD_EXACT(&c, "Network", "Address", "0.0.0.0/24", "web.cell:7: Address=0.0.0.0/24: expected an IPv4 or "
                  "IPv6 address with a prefix length (\"10.0.0.2/24\", \"fd00::2/64\"), not a null one (0.0.0.0, "
                  "::: cell picks no free address of the subnet, as networkd does for it), nor ::1 or an IPv6 "
                  "multicast one, which the kernel puts on no interface");
        diag_done(&diag);
        /* An Address= refused for its value is the one error. */
        BAD(&c, "Network", "Address", "10.0.0.300/24", "expected an IPv4 or IPv6 address");
        diag_done(&diag);
        ASSERT_EQ(finish(&c), 0);
        /* No interface at all: that is the error, said once. */
        OK(&c, "Network", "Address", "10.0.0.2/24");
        OK(&c, "Network", "VirtualEthernet", "no");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_CONTAINS(diag.messages[0], "Address= needs an interface in the container");
        diag_done(&diag);
        cell_config_done(&c);
}

/* The host's lo as a macvlan's or an ipvlan's parent, as the bridge, as a
 * veth's host side: the kernel refuses each at the start (an Ethernet
 * parent only, no bridge, a name taken). Said at the line of that item. */
TEST(finish_host_loopback) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Root", "Directory", "/srv/web");
        OK(&c, "Exec", "Exec", "/bin/httpd");
        ASSERT_NULL(assign_at(&c, "Network", "MACVLAN", "eth0", "web.cell", 6));
        ASSERT_NULL(assign_at(&c, "Network", "MACVLAN", "lo", "web.cell.d/lo.conf", 2));
        ASSERT_NULL(assign_at(&c, "Network", "IPVLAN", "eth1 lo", "web.cell.d/lo.conf", 3));
        ASSERT_NULL(assign_at(&c, "Network", "Bridge", "lo", "web.cell.d/lo.conf", 4));
        ASSERT_NULL(assign_at(&c, "Network", "VirtualEthernetExtra", "lo:x0", "web.cell.d/lo.conf", 5));
        ASSERT_EQ(finish(&c), 4);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/lo.conf:2: MACVLAN=lo: the host's loopback cannot be the parent "
                     "of a macvlan (an Ethernet link can)");
        ASSERT_STREQ(diag.messages[1], "web.cell.d/lo.conf:3: IPVLAN=lo: the host's loopback cannot be the parent "
                     "of an ipvlan (an Ethernet link can)");
        ASSERT_STREQ(diag.messages[2], "web.cell.d/lo.conf:4: Bridge=lo: the host's loopback is no bridge");
        ASSERT_STREQ(diag.messages[3], "web.cell.d/lo.conf:5: VirtualEthernetExtra=lo:x0: the host side would be "
                     "the host's loopback");
        diag_done(&diag);
        OK(&c, "Network", "MACVLAN", "");
        OK(&c, "Network", "IPVLAN", "");
        OK(&c, "Network", "Bridge", "br0");
        OK(&c, "Network", "VirtualEthernetExtra", "");
        ASSERT_EQ(finish(&c), 0);
        cell_config_done(&c);
}

TEST(finish_zone_veth_extra) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Root", "Directory", "/srv/web");
        OK(&c, "Exec", "Exec", "/bin/httpd");
        /* Zone= implies the veth, as nspawn's; Address=, Gateway= and Port= go with it. */
        ASSERT_NULL(assign_at(&c, "Network", "Zone", "web", "web.cell.d/zone.conf", 3));
        OK(&c, "Network", "Address", "10.0.0.2/24");
        OK(&c, "Network", "Port", "80");
        ASSERT_EQ(finish(&c), 0);
        ASSERT_TRUE(c.virtual_ethernet);
        /* Zone= and Bridge= exclude each other (nspawn's rule), said where Zone= was written. */
        OK(&c, "Network", "Bridge", "br0");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/zone.conf:3: Zone=web and Bridge=br0 exclude each other: "
                     "the veth's host side goes on one bridge");
        diag_done(&diag);
        OK(&c, "Network", "Bridge", "");
        OK(&c, "Isolation", "PrivateNetwork", "no");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/zone.conf:3: Zone= needs PrivateNetwork=yes: a veth link only exists in a "
                     "private network namespace");
        diag_done(&diag);
        OK(&c, "Network", "Zone", "");
        OK(&c, "Network", "Address", "");
        OK(&c, "Network", "Port", "");
        c.virtual_ethernet = false;

        /* VirtualEthernetExtra= needs a private network too, and gives no
         * interface for Address=. */
        ASSERT_NULL(assign_at(&c, "Network", "VirtualEthernetExtra", "vx0", "web.cell.d/vx.conf", 4));
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/vx.conf:4: VirtualEthernetExtra= needs PrivateNetwork=yes: a veth link only "
                     "exists in a private network namespace");
        diag_done(&diag);
        OK(&c, "Isolation", "PrivateNetwork", "yes");
        ASSERT_EQ(finish(&c), 0);
        ASSERT_FALSE(c.virtual_ethernet);
        OK(&c, "Network", "Address", "10.0.0.2/24");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_CONTAINS(diag.messages[0], "Address= needs an interface in the container");
        diag_done(&diag);
        cell_config_done(&c);
}

/* NotifyReady=yes with $NOTIFY_SOCKET unset (by name, or by the exact value
 * cell sets): a warning at the line that unset it (not the last
 * UnsetEnvironment= line: the list's words keep their own), as the start
 * would wait for a READY=1 that a payload reading $NOTIFY_SOCKET never sends.
 * Another value of it, or another name, is not that. */
TEST(finish_notify_socket_unset) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Root", "Directory", "/srv/web");
        OK(&c, "Exec", "Exec", "/bin/httpd");
        ASSERT_NULL(assign_at(&c, "Exec", "UnsetEnvironment", "TERM NOTIFY_SOCKET", "web.cell.d/env.conf", 2));
        ASSERT_NULL(assign_at(&c, "Exec", "UnsetEnvironment", "LANG", "web.cell.d/env.conf", 3));
        ASSERT_EQ(finish(&c), 0);
        ASSERT_EQ(diag.n_warnings, 0);          /* NotifyReady=no: cell reports ready itself */
        ASSERT_NULL(assign_at(&c, "Exec", "NotifyReady", "yes", "web.cell.d/ready.conf", 3));
        ASSERT_EQ(finish(&c), 0);
        ASSERT_EQ(diag.n_warnings, 1);
        ASSERT_STREQ(diag.messages[0],
                     "web.cell.d/env.conf:2: warning: NotifyReady=yes with UnsetEnvironment=NOTIFY_SOCKET: the "
                     "payload gets no $NOTIFY_SOCKET to send READY=1 to, and the container counts as started only "
                     "once one comes (under cell@.service, a start that waits until its timeout); only a payload "
                     "that sends to /run/host/notify by that name reaches it");
        diag_done(&diag);
        OK(&c, "Exec", "UnsetEnvironment", "");
        OK(&c, "Exec", "UnsetEnvironment", "NOTIFY_SOCKET=/elsewhere NOTIFY_SOCKETX TERM");
        ASSERT_EQ(finish(&c), 0);
        ASSERT_EQ(diag.n_warnings, 0);
        /* Said again on a later line: the first line that added it. */
        ASSERT_NULL(assign_at(&c, "Exec", "UnsetEnvironment", "NOTIFY_SOCKET=/run/host/notify", "web.cell", 9));
        ASSERT_NULL(assign_at(&c, "Exec", "UnsetEnvironment", "NOTIFY_SOCKET=/run/host/notify TERM", "web.cell",
                              10));
        ASSERT_EQ(finish(&c), 0);
        ASSERT_EQ(diag.n_warnings, 1);
        ASSERT_CONTAINS(diag.messages[0], "web.cell:9: warning: NotifyReady=yes with "
                        "UnsetEnvironment=NOTIFY_SOCKET=/run/host/notify: ");
        diag_done(&diag);
        cell_config_done(&c);
}

TEST(exec_resolv_conf_timezone) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_EQ(c.resolv_conf, CELL_RESOLV_CONF_AUTO);
        ASSERT_EQ(c.timezone, CELL_TIMEZONE_AUTO);
        OK(&c, "Exec", "ResolvConf", "bind-stub");
        ASSERT_EQ(c.resolv_conf, CELL_RESOLV_CONF_BIND_STUB);
        ASSERT_STREQ(c.resolv_conf_file, "web.cell");
        ASSERT_EQ(c.resolv_conf_line, 7);
        OK(&c, "Exec", "ResolvConf", "replace-uplink");
        ASSERT_EQ(c.resolv_conf, CELL_RESOLV_CONF_REPLACE_UPLINK);
        OK(&c, "Exec", "ResolvConf", "copy-static");
        ASSERT_EQ(c.resolv_conf, CELL_RESOLV_CONF_COPY_STATIC);
        OK(&c, "Exec", "ResolvConf", "delete");
        ASSERT_EQ(c.resolv_conf, CELL_RESOLV_CONF_DELETE);
        OK(&c, "Exec", "ResolvConf", "off");
        ASSERT_EQ(c.resolv_conf, CELL_RESOLV_CONF_OFF);
        /* Every name reads back as itself. */
        for (int v = 0; v < _CELL_RESOLV_CONF_MAX; v++) {
                CellResolvConf back;

                ASSERT_OK(cell_resolv_conf_from_string(cell_resolv_conf_to_string(v), &back));
                ASSERT_EQ((int) back, v);
        }
        BAD_EXACT(&c, "Exec", "ResolvConf", "xyz",
                  "web.cell:7: ResolvConf=xyz: expected off, copy-host, copy-static, copy-uplink, copy-stub, "
                  "replace-host, replace-static, replace-uplink, replace-stub, bind-host, bind-static, "
                  "bind-uplink, bind-stub, delete or auto");
        BAD(&c, "Exec", "ResolvConf", "bind", "ResolvConf=bind: expected off, copy-host");
        ASSERT_EQ(c.resolv_conf, CELL_RESOLV_CONF_OFF);  /* a bad value changes nothing */
        /* A boolean as nspawn takes it: true is auto, false off. */
        OK(&c, "Exec", "ResolvConf", "yes");
        ASSERT_EQ(c.resolv_conf, CELL_RESOLV_CONF_AUTO);
        OK(&c, "Exec", "ResolvConf", "no");
        ASSERT_EQ(c.resolv_conf, CELL_RESOLV_CONF_OFF);
        /* nspawn ignores an empty one and keeps the earlier mode: refused. */
        BAD(&c, "Exec", "ResolvConf", "", "an empty value resets nothing, as in nspawn");
        ASSERT_EQ(c.resolv_conf, CELL_RESOLV_CONF_OFF);
        ASSERT_EQ(c.resolv_conf_line, 7);

        for (int v = 0; v < _CELL_TIMEZONE_MAX; v++) {
                CellTimezone back;

                OK(&c, "Exec", "Timezone", cell_timezone_to_string(v));
                ASSERT_EQ((int) c.timezone, v);
                ASSERT_OK(cell_timezone_from_string(cell_timezone_to_string(v), &back));
                ASSERT_EQ((int) back, v);
        }
        ASSERT_EQ(c.timezone_line, 7);
        BAD_EXACT(&c, "Exec", "Timezone", "Europe/Berlin",
                  "web.cell:7: Timezone=Europe/Berlin: expected off, copy, bind, symlink, delete or auto");
        BAD(&c, "Exec", "Timezone", "copy-host", "Timezone=copy-host: expected off, copy, bind");
        /* [Exec] keys: not in another section. */
        ASSERT_CONTAINS(assign(&c, "Isolation", "ResolvConf", "off"), "ResolvConf");
        BAD(&c, "Exec", "Timezone", "", "an empty value resets nothing, as in nspawn");
        ASSERT_EQ(c.timezone, (CellTimezone) (_CELL_TIMEZONE_MAX - 1));
        diag_done(&diag);
        cell_config_done(&c);
}

/* Nice=, CPUScheduling*=, IOScheduling*=, CPUAffinity=, Personality=:
 * systemd's values, its order rules, and what cell refuses up front. */
TEST(exec_sched) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Root", "Directory", "/srv/web");
        OK(&c, "Exec", "Exec", "/bin/httpd");
        ASSERT_FALSE(c.sched.nice_set || c.sched.cpu_policy_set || c.sched.cpu_priority_set ||
                     c.sched.cpu_reset_on_fork || c.sched.io_set || c.personality_set);
        ASSERT_NULL(c.sched.cpu_affinity);

        OK(&c, "Exec", "Nice", "-20");
        ASSERT_TRUE(c.sched.nice_set);
        ASSERT_EQ(c.sched.nice, -20);
        OK(&c, "Exec", "Nice", "19");
        ASSERT_EQ(c.sched.nice, 19);
        BAD_EXACT(&c, "Exec", "Nice", "20", "web.cell:7: Nice=20: expected a nice level between -20 and 19");
        BAD(&c, "Exec", "Nice", "-21", "Nice=-21: expected a nice level");
        BAD(&c, "Exec", "Nice", "high", "Nice=high: expected");
        ASSERT_EQ(c.sched.nice, 19);
        OK(&c, "Exec", "Nice", "");
        ASSERT_FALSE(c.sched.nice_set);

        /* A priority, then a policy: clamped into the policy's range, as systemd. */
        OK(&c, "Exec", "CPUSchedulingPriority", "50");
        ASSERT_TRUE(c.sched.cpu_priority_set);
        ASSERT_EQ(c.sched.cpu_priority_line, 7);
        ASSERT_STREQ(c.sched.cpu_priority_file, "web.cell");
        OK(&c, "Exec", "CPUSchedulingPolicy", "fifo");
        ASSERT_EQ(c.sched.cpu_policy, SCHED_FIFO);
        ASSERT_EQ(c.sched.cpu_priority, 50);
        ASSERT_EQ(finish(&c), 0);
        OK(&c, "Exec", "CPUSchedulingPolicy", "other");         /* a drop-in turning it off */
        ASSERT_EQ(c.sched.cpu_policy, SCHED_OTHER);
        ASSERT_EQ(c.sched.cpu_priority, 0);
        ASSERT_EQ(finish(&c), 0);
        OK(&c, "Exec", "CPUSchedulingPolicy", "rr");
        ASSERT_EQ(c.sched.cpu_priority, 1);
        OK(&c, "Exec", "CPUSchedulingPolicy", "1");             /* the kernel's number of fifo */
        ASSERT_EQ(c.sched.cpu_policy, SCHED_FIFO);
        BAD_EXACT(&c, "Exec", "CPUSchedulingPolicy", "deadline",
                  "web.cell:7: CPUSchedulingPolicy=deadline: expected other, batch, idle, fifo or rr");
        BAD(&c, "Exec", "CPUSchedulingPriority", "100", "CPUSchedulingPriority=100: expected a number between 0 and 99");
        BAD(&c, "Exec", "CPUSchedulingPriority", "-1", "expected a number between 0 and 99");
        ASSERT_EQ(c.sched.cpu_policy, SCHED_FIFO);
        ASSERT_EQ(c.sched.cpu_priority, 1);

        /* A priority after its policy is not clamped: outside the policy's range it is refused, at its line. */
        diag_done(&diag);
        OK(&c, "Exec", "CPUSchedulingPriority", "0");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell:7: CPUSchedulingPriority=0: the policy fifo takes 1..99");
        diag_done(&diag);
        OK(&c, "Exec", "CPUSchedulingPolicy", "idle");
        OK(&c, "Exec", "CPUSchedulingPriority", "5");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell:7: CPUSchedulingPriority=5: the policy idle takes only 0 "
                     "(1..99 need CPUSchedulingPolicy=fifo or rr)");
        diag_done(&diag);
        /* The empty policy takes the priority with it; a priority alone is "other"'s. */
        OK(&c, "Exec", "CPUSchedulingPolicy", "");
        ASSERT_FALSE(c.sched.cpu_policy_set || c.sched.cpu_priority_set);
        ASSERT_EQ(finish(&c), 0);
        OK(&c, "Exec", "CPUSchedulingPriority", "10");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_CONTAINS(diag.messages[0], "CPUSchedulingPriority=10: the policy other (the default) takes only 0");
        diag_done(&diag);
        /* An empty priority is no reset (systemd ignores it): an empty policy resets both. */
        BAD(&c, "Exec", "CPUSchedulingPriority", "", "CPUSchedulingPriority=: expected a number between 0 and 99");
        ASSERT_TRUE(c.sched.cpu_priority_set);
        OK(&c, "Exec", "CPUSchedulingPolicy", "");
        ASSERT_FALSE(c.sched.cpu_priority_set);
        ASSERT_EQ(finish(&c), 0);

        OK(&c, "Exec", "CPUSchedulingResetOnFork", "yes");
        ASSERT_TRUE(c.sched.cpu_reset_on_fork);
        BAD(&c, "Exec", "CPUSchedulingResetOnFork", "maybe", "expected a boolean");
        BAD(&c, "Exec", "CPUSchedulingResetOnFork", "", "an empty value resets nothing, as in systemd");
        ASSERT_TRUE(c.sched.cpu_reset_on_fork);
        OK(&c, "Exec", "CPUSchedulingResetOnFork", "no");

        /* The IO class keeps the priority and the priority the class; "none" is best-effort 4. */
        OK(&c, "Exec", "IOSchedulingClass", "realtime");
        ASSERT_TRUE(c.sched.io_set);
        ASSERT_EQ(c.sched.io_class, IOPRIO_CLASS_RT);
        ASSERT_EQ(c.sched.io_priority, 4);
        OK(&c, "Exec", "IOSchedulingPriority", "0");
        ASSERT_EQ(c.sched.io_class, IOPRIO_CLASS_RT);
        ASSERT_EQ(c.sched.io_priority, 0);
        OK(&c, "Exec", "IOSchedulingClass", "3");
        ASSERT_EQ(c.sched.io_class, IOPRIO_CLASS_IDLE);
        ASSERT_EQ(c.sched.io_priority, 0);
        OK(&c, "Exec", "IOSchedulingClass", "none");
        ASSERT_EQ(c.sched.io_class, IOPRIO_CLASS_BE);
        ASSERT_EQ(c.sched.io_priority, 4);
        BAD_EXACT(&c, "Exec", "IOSchedulingClass", "rt",
                  "web.cell:7: IOSchedulingClass=rt: expected realtime, best-effort, idle, none, or 0..3");
        BAD(&c, "Exec", "IOSchedulingPriority", "8", "IOSchedulingPriority=8: expected a number between 0");
        OK(&c, "Exec", "IOSchedulingClass", "");
        ASSERT_FALSE(c.sched.io_set);
        OK(&c, "Exec", "IOSchedulingPriority", "7");
        ASSERT_TRUE(c.sched.io_set);
        ASSERT_EQ(c.sched.io_class, IOPRIO_CLASS_BE);
        ASSERT_EQ(c.sched.io_priority, 7);
        OK(&c, "Exec", "IOSchedulingPriority", "");
        ASSERT_FALSE(c.sched.io_set);

        /* CPUAffinity= lines add up; the empty one resets; "numa" needs NUMAPolicy=. */
        OK(&c, "Exec", "CPUAffinity", "0-2 7");
        OK(&c, "Exec", "CPUAffinity", "9,1");
        ASSERT_EQ(c.sched.cpu_affinity_size, 2);
        ASSERT_EQ(c.sched.cpu_affinity[0], 0x87);
        ASSERT_EQ(c.sched.cpu_affinity[1], 0x02);
        OK(&c, "Exec", "CPUAffinity", "3");
        ASSERT_EQ(c.sched.cpu_affinity[0], 0x8f);
        BAD_EXACT(&c, "Exec", "CPUAffinity", "numa",
                  "web.cell:7: CPUAffinity=numa: expected CPU indices and ranges separated by commas or spaces "
                  "(\"0-3 7\"), below 8192 (\"numa\" takes the CPUs of NUMAPolicy=, which cell does not have)");
        BAD(&c, "Exec", "CPUAffinity", "8192", "CPUAffinity=8192: expected CPU indices");
        BAD(&c, "Exec", "CPUAffinity", "2-1", "CPUAffinity=2-1: expected CPU indices");
        ASSERT_EQ(c.sched.cpu_affinity[0], 0x8f);
        OK(&c, "Exec", "CPUAffinity", "");
        ASSERT_NULL(c.sched.cpu_affinity);
        ASSERT_EQ(c.sched.cpu_affinity_size, 0);
        /* Quotes removed as systemd's; a value of separators alone resets too. */
        OK(&c, "Exec", "CPUAffinity", "\"0-1\"");
        ASSERT_EQ(c.sched.cpu_affinity[0], 0x03);
        BAD(&c, "Exec", "CPUAffinity", "\"0 1\"", "CPUAffinity=\"0 1\": expected CPU indices");
        OK(&c, "Exec", "CPUAffinity", ",");
        ASSERT_NULL(c.sched.cpu_affinity);

        BAD(&c, "Exec", "Personality", "x87", "Personality=x87: expected an architecture name");
#if defined(__x86_64__) && !defined(__ILP32__)
        OK(&c, "Exec", "Personality", "x86");
        ASSERT_TRUE(c.personality_set);
        ASSERT_EQ(c.personality, PER_LINUX32);
        OK(&c, "Exec", "Personality", "x86-64");
        ASSERT_EQ(c.personality, PER_LINUX);
        /* As nspawn: a name systemd knows, of an architecture this machine does not run. */
        BAD_EXACT(&c, "Exec", "Personality", "arm64",
                  "web.cell:7: Personality=arm64: expected x86-64 or x86, the architectures this machine runs");
        ASSERT_EQ(c.personality, PER_LINUX);
#endif
        OK(&c, "Exec", "Personality", "");
        ASSERT_FALSE(c.personality_set);
        /* [Exec] keys, as systemd's. */
        ASSERT_CONTAINS(assign(&c, "Isolation", "CPUAffinity", "1"), "it belongs in [Exec]");
        diag_done(&diag);
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

/* The origin of key in c: its index in c->origins, or -1. */
static int origin_find(const CellConfig *c, const char *key, size_t nth) {
        for (size_t i = 0; i < c->n_origins; i++)
                if (streq(c->origins[i].key, key) && nth-- == 0)
                        return (int) i;
        return -1;
}

TEST(origins) {
        CellConfig c;
        int i;

        cell_config_init(&c);
        /* A key of one value: its last line, the drop-in's own path. */
        ASSERT_NULL(assign_at(&c, "Exec", "User", "nobody", "web.cell", 3));
        ASSERT_NULL(assign_at(&c, "Exec", "User", "test", "web.cell.d/10-x.conf", 2));
        i = origin_find(&c, "User", 0);
        ASSERT_TRUE(i >= 0);
        ASSERT_STREQ(c.origins[i].file, "web.cell.d/10-x.conf");
        ASSERT_EQ(c.origins[i].line, 2);
        ASSERT_EQ(c.origins[i].items, 0);
        ASSERT_EQ(origin_find(&c, "User", 1), -1);
        /* A bad value changes nothing, its line either. */
        ASSERT_NOT_NULL(assign_at(&c, "Exec", "User", "bad:name", "web.cell.d/20-y.conf", 9));
        ASSERT_STREQ(c.origins[origin_find(&c, "User", 0)].file, "web.cell.d/10-x.conf");
        /* Each key its own; the main file's lines keep no copy of its path. */
        c.path = strdup("web.cell");
        ASSERT_NOT_NULL(c.path);
        ASSERT_NULL(assign_at(&c, "Limits", "LimitNOFILE", "1024", "web.cell", 12));
        ASSERT_EQ(c.origins[origin_find(&c, "LimitNOFILE", 0)].line, 12);
        ASSERT_NULL(c.origins[origin_find(&c, "LimitNOFILE", 0)].file);
        /* The reset forgets it. */
        ASSERT_NULL(assign_at(&c, "Exec", "User", "", "web.cell.d/30-z.conf", 1));
        ASSERT_EQ(origin_find(&c, "User", 0), -1);
        ASSERT_TRUE(origin_find(&c, "LimitNOFILE", 0) >= 0);

        /* A counted list: a record a line, with the list's length after it. */
        ASSERT_NULL(assign_at(&c, "Exec", "SupplementaryGroups", "wheel", "web.cell", 5));
        ASSERT_NULL(assign_at(&c, "Exec", "SupplementaryGroups", "audio video", "web.cell.d/10-x.conf", 4));
        i = origin_find(&c, "SupplementaryGroups", 0);
        ASSERT_EQ(c.origins[i].line, 5);
        ASSERT_EQ(c.origins[i].items, 1);
        i = origin_find(&c, "SupplementaryGroups", 1);
        ASSERT_STREQ(c.origins[i].file, "web.cell.d/10-x.conf");
        ASSERT_EQ(c.origins[i].items, 3);
        ASSERT_NULL(assign_at(&c, "Exec", "SupplementaryGroups", "", "web.cell.d/10-x.conf", 5));
        ASSERT_EQ(origin_find(&c, "SupplementaryGroups", 0), -1);
        ASSERT_NULL(assign_at(&c, "Exec", "SupplementaryGroups", "kvm", "web.cell.d/10-x.conf", 6));
        ASSERT_EQ(c.origins[origin_find(&c, "SupplementaryGroups", 0)].items, 1);

        ASSERT_NULL(assign_at(&c, "Exec", "EnvironmentFile", "-/etc/a.env", "web.cell", 8));
        ASSERT_NULL(assign_at(&c, "Exec", "EnvironmentFile", "/etc/b.env", "web.cell.d/10-x.conf", 7));
        ASSERT_EQ(c.origins[origin_find(&c, "EnvironmentFile", 0)].items, 1);
        ASSERT_EQ(c.origins[origin_find(&c, "EnvironmentFile", 1)].items, 2);
        ASSERT_EQ(c.origins[origin_find(&c, "EnvironmentFile", 1)].line, 7);

        /* A set of CPUs or nodes: a record a line, with the CPUs it named
         * (a CPU refused at the start names its line); a line of no CPU
         * (",") resets as the empty value does; a bad line changes nothing. */
        ASSERT_NULL(assign_at(&c, "Limits", "AllowedCPUs", "0-1", "web.cell", 9));
        ASSERT_NULL(assign_at(&c, "Limits", "AllowedCPUs", "9", "web.cell.d/10-x.conf", 8));
        ASSERT_NOT_NULL(assign_at(&c, "Limits", "AllowedCPUs", "2-1", "web.cell.d/10-x.conf", 9));
        ASSERT_EQ(c.allowed_cpus_size, 2);
        ASSERT_EQ(c.allowed_cpus[0], 0x03);
        ASSERT_EQ(c.allowed_cpus[1], 0x02);
        i = origin_find(&c, "AllowedCPUs", 0);
        ASSERT_EQ(c.origins[i].line, 9);
        ASSERT_EQ(c.origins[i].set_size, 1);
        ASSERT_EQ(c.origins[i].set[0], 0x03);
        i = origin_find(&c, "AllowedCPUs", 1);
        ASSERT_EQ(c.origins[i].line, 8);
        ASSERT_EQ(c.origins[i].lines, 2);
        ASSERT_EQ(c.origins[i].set_size, 2);
        ASSERT_EQ(c.origins[i].set[0], 0x00);
        ASSERT_EQ(c.origins[i].set[1], 0x02);
        ASSERT_EQ(origin_find(&c, "AllowedCPUs", 2), -1);
        ASSERT_NULL(assign_at(&c, "Limits", "AllowedCPUs", ",", "web.cell.d/10-x.conf", 10));
        ASSERT_NULL(c.allowed_cpus);
        ASSERT_EQ(origin_find(&c, "AllowedCPUs", 0), -1);
        ASSERT_NULL(assign_at(&c, "Limits", "AllowedCPUs", "1", "web.cell.d/10-x.conf", 11));
        ASSERT_EQ(c.origins[origin_find(&c, "AllowedCPUs", 0)].lines, 1);
        ASSERT_NULL(assign_at(&c, "Exec", "CPUAffinity", "3", "web.cell", 6));
        ASSERT_NULL(assign_at(&c, "Exec", "CPUAffinity", "0 3", "web.cell", 7));
        ASSERT_EQ(c.origins[origin_find(&c, "CPUAffinity", 1)].set[0], 0x09);
        ASSERT_NULL(assign_at(&c, "Exec", "CPUAffinity", "", "web.cell", 8));
        ASSERT_EQ(origin_find(&c, "CPUAffinity", 0), -1);
        diag_done(&diag);
        cell_config_done(&c);
        ASSERT_EQ(c.n_origins, 0);
}

/* Every boolean key: systemd's (config_parse_bool()) ignore an empty value
 * and keep the earlier one, so cell refuses it and keeps the value; nspawn's
 * settings' (config_parse_tristate()) take it for the default. */
TEST(bool_empty_value) {
        size_t n, strict = 0, tristate = 0;
        const ConfigKey *t = config_key_table(&n);

        for (size_t i = 0; i < n; i++) {
                bool *b;
                CellConfig c;

                if (t[i].parse != config_parse_bool && t[i].parse != config_parse_tristate)
                        continue;
                cell_config_init(&c);
                b = (bool *) ((uint8_t *) &c + t[i].offset);
                OK(&c, t[i].section, t[i].key, t[i].ltype ? "no" : "yes");
                ASSERT_EQ(*b, !t[i].ltype);
                if (t[i].parse == config_parse_bool) {
                        BAD(&c, t[i].section, t[i].key, "", "an empty value resets nothing, as in systemd");
                        ASSERT_EQ(*b, !t[i].ltype);
                        strict++;
                } else {
                        OK(&c, t[i].section, t[i].key, "");
                        ASSERT_EQ(*b, (bool) t[i].ltype);
                        tristate++;
                }
                cell_config_done(&c);
        }
        /* LockPersonality=, MemoryDenyWriteExecute=, ... and ReadOnly=, NotifyReady=, ... */
        ASSERT_TRUE(strict >= 10);
        ASSERT_EQ(tristate, 6u);
        diag_done(&diag);
}
