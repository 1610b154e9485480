/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sched.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "plan.h"
#include "specifier.h"
#include "test.h"

static char *expand(SpecifierContext *c, const char *s) {
        char *r = NULL;

        ASSERT_OK(specifier_expand(c, s, &r, NULL));
        return r;
}

static void check(SpecifierContext *c, const char *in, const char *expect) {
        _cleanup_free_ char *s = expand(c, in);

        ASSERT_STREQ(s, expect);
}

static void write_file(const char *path, const char *text) {
        FILE *f = fopen(path, "we");

        ASSERT_NOT_NULL(f);
        fputs(text, f);
        ASSERT_EQ(fclose(f), 0);
}

TEST(names_of_instance) {
        _cleanup_(specifier_context_done) SpecifierContext c = { .name = "my-web@srv-www\\x2dx" };

        check(&c, "%n", "my-web@srv-www\\x2dx.cell");
        check(&c, "%N", "my-web@srv-www\\x2dx");
        check(&c, "%p", "my-web");
        check(&c, "%P", "my/web");
        check(&c, "%i", "srv-www\\x2dx");
        check(&c, "%I", "srv/www-x");
        check(&c, "%j", "web");
        check(&c, "%J", "web");
        check(&c, "%f", "/srv/www-x");
        ASSERT_EQ(c.n_host_lookups, 0);
}

TEST(names_of_plain_unit) {
        _cleanup_(specifier_context_done) SpecifierContext c = { .name = "web" };

        check(&c, "%n %N %p %P", "web.cell web web web");
        check(&c, "[%i][%I]", "[][]");
        check(&c, "%j %J %f", "web web /web");
}

TEST(last_component) {
        _cleanup_(specifier_context_done) SpecifierContext c = { .name = "a-b\\x2dc-d\\x20e@1" };

        check(&c, "%j", "d\\x20e");
        check(&c, "%J", "d e");
}

TEST(directories) {
        _cleanup_(specifier_context_done) SpecifierContext c = { .name = "web" };

        check(&c, "%t %S %C %L %E %T %V", "/run /var/lib /var/cache /var/log /etc /tmp /var/tmp");
        check(&c, "100%% %%n", "100% %n");
        check(&c, "trailing %", "trailing %");
        /* Not a letter or digit after the '%': no specifier, as systemd's. */
        check(&c, "50% done %-5s|%.2f %/ %\xc3\xa9 %%%", "50% done %-5s|%.2f %/ %\xc3\xa9 %%");
        check(&c, "", "");
        check(&c, "no specifiers", "no specifiers");
        ASSERT_EQ(c.n_host_lookups, 0);
}

TEST(host) {
        _cleanup_(specifier_context_done) SpecifierContext c = { .name = "web" };
        char host[257] = {};
        struct utsname u;

        ASSERT_EQ(gethostname(host, sizeof(host) - 1), 0);
        ASSERT_EQ(uname(&u), 0);
        check(&c, "%H", host);
        check(&c, "%v", u.release);
        {
                _cleanup_free_ char *e = NULL;

                ASSERT_TRUE(asprintf(&e, "%s/%s/%s", host, u.release, host) > 0);
                check(&c, "%H/%v/%H", e);
        }
        /* Each looked up once. */
        ASSERT_EQ(c.n_host_lookups, 2);
}

/* systemd's %d: cell's credentials are where the payload sees them; it
 * was an unknown specifier, so "Exec=/bin/web --key=%d/tls.key", as
 * systemd.exec(5) shows it, made the unit invalid. */
TEST(credentials_directory) {
        _cleanup_(specifier_context_done) SpecifierContext c = { .name = "web" };

        check(&c, "--key=%d/tls.key", "--key=/run/host/credentials/tls.key");
        ASSERT_STREQ(SPECIFIER_CREDENTIALS_DIRECTORY, PLAN_CREDENTIALS_DIRECTORY);
        ASSERT_EQ(c.n_host_lookups, 0);
}

TEST(unknown) {
        _cleanup_(specifier_context_done) SpecifierContext c = { .name = "web" };
        char *s = NULL, bad = 0;

        ASSERT_ERROR(specifier_expand(&c, "a %x b", &s, &bad), EBADSLT);
        ASSERT_EQ(bad, 'x');
        ASSERT_ERROR(specifier_expand(&c, "%n%Q", &s, &bad), EBADSLT);
        ASSERT_EQ(bad, 'Q');
        ASSERT_NULL(s);
        /* systemd's undocumented cgroup paths (cell.syntax(7)) are unknown here. */
        for (const char *p = "crR"; *p; p++) {
                char t[] = { '%', *p, 0 };

                ASSERT_ERROR(specifier_expand(&c, t, &s, &bad), EBADSLT);
                ASSERT_EQ(bad, *p);
        }
}

TEST(bad_instance_escape) {
        _cleanup_(specifier_context_done) SpecifierContext c = { .name = "w@a\\x00b" };
        char *s = NULL, bad = 0;

        check(&c, "%i", "a\\x00b");
        ASSERT_ERROR(specifier_expand(&c, "%I", &s, &bad), EINVAL);
        ASSERT_EQ(bad, 'I');
}

TEST(machine_and_boot_id_lazy_and_once) {
        char dir[] = "/tmp/test-specifier-XXXXXX", mid[64], bid[64];
        _cleanup_(specifier_context_done) SpecifierContext c = { .name = "web" };
        char *s = NULL, bad = 0;

        ASSERT_NOT_NULL(mkdtemp(dir));
        snprintf(mid, sizeof(mid), "%s/machine-id", dir);
        snprintf(bid, sizeof(bid), "%s/boot_id", dir);
        c.machine_id_path = mid;
        c.boot_id_path = bid;

        /* Missing files do not matter while nothing asks for them. */
        check(&c, "%n %p %t", "web.cell web /run");
        ASSERT_EQ(c.n_host_lookups, 0);
        ASSERT_ERROR(specifier_expand(&c, "%m", &s, &bad), ENOENT);
        ASSERT_EQ(bad, 'm');

        write_file(mid, "0123456789ABCDEF0123456789abcdef\n");
        write_file(bid, "01234567-89ab-cdef-0123-456789abcdef\n");
        /* The failure is remembered: one lookup per load. */
        ASSERT_ERROR(specifier_expand(&c, "%m", &s, &bad), ENOENT);
        ASSERT_EQ(c.n_host_lookups, 1);

        specifier_context_done(&c);
        check(&c, "%m", "0123456789abcdef0123456789abcdef");
        check(&c, "%b", "0123456789abcdef0123456789abcdef");
        ASSERT_EQ(c.n_host_lookups, 2);
        write_file(mid, "ffffffffffffffffffffffffffffffff\n");
        check(&c, "%m-%m %b", "0123456789abcdef0123456789abcdef-0123456789abcdef0123456789abcdef "
                              "0123456789abcdef0123456789abcdef");
        ASSERT_EQ(c.n_host_lookups, 2);

        specifier_context_done(&c);
        write_file(mid, "uninitialized\n");
        ASSERT_ERROR(specifier_expand(&c, "%m", &s, &bad), ENOMEDIUM);
        specifier_context_done(&c);
        write_file(mid, "");
        ASSERT_ERROR(specifier_expand(&c, "%m", &s, &bad), ENOMEDIUM);
        specifier_context_done(&c);
        write_file(mid, "0123456789abcdef0123456789abcdeX\n");
        ASSERT_ERROR(specifier_expand(&c, "%m", &s, &bad), EINVAL);
        specifier_context_done(&c);
        write_file(mid, "0123456789abcdef0123456789abcdef00\n");
        ASSERT_ERROR(specifier_expand(&c, "%m", &s, &bad), EINVAL);
        ASSERT_NULL(s);

        ASSERT_EQ(unlink(mid), 0);
        ASSERT_EQ(unlink(bid), 0);
        ASSERT_EQ(rmdir(dir), 0);
}

TEST(real_boot_id) {
        _cleanup_(specifier_context_done) SpecifierContext c = { .name = "web" };
        _cleanup_free_ char *s = NULL;

        /* /proc is there on every machine the tests run on. */
        s = expand(&c, "%b");
        ASSERT_EQ(strlen(s), 32);
        ASSERT_EQ(strspn(s, "0123456789abcdef"), 32);
}

TEST(manager_user) {
        _cleanup_(specifier_context_done) SpecifierContext c = { .name = "web" };

        /* The system manager's, whoever runs cell. */
        check(&c, "%u %U %g %G %h %s", "root 0 root 0 /root /bin/sh");
        ASSERT_EQ(c.n_host_lookups, 0);
}

static void check_raw(const char *raw, bool short_name, const char *expect) {
        _cleanup_free_ char *s = NULL;

        ASSERT_OK(specifier_hostname_from_raw(raw, short_name, NULL, &s));
        ASSERT_STREQ(s, expect);
}

/* systemd 252's gethostname_malloc() and gethostname_short_malloc(): a host
 * with no name (empty, or the kernel's "(none)") is "localhost" in %H and
 * %l, and so is, in %l, one starting with '.' (whose short name is empty). */
TEST(hostname_fallback) {
        check_raw("web.example.org", false, "web.example.org");
        check_raw("web.example.org", true, "web");
        check_raw("localhost", false, "localhost");
        check_raw("", false, "localhost");
        check_raw("", true, "localhost");
        check_raw("(none)", false, "localhost");
        check_raw("(none)", true, "localhost");
        check_raw(".web", false, ".web");
        check_raw(".web", true, "localhost");
        check_raw("(none).x", true, "(none)");

        /* The same through specifier_expand(), with the kernel's name set in
         * a UTS namespace of a child's own (a user namespace's without root). */
        static const struct {
                const char *raw, *expect;
        } cases[] = {
                { "", "localhost localhost localhost" },
                { "(none)", "localhost localhost localhost" },
                { ".web", ".web localhost localhost" },
                { "a.b", "a.b a a" },
        };
        /* systemd 252's get_default_hostname(): $SYSTEMD_DEFAULT_HOSTNAME, else
         * os-release's DEFAULT_HOSTNAME=, each only where it is a valid host
         * name, else "localhost". */
        static const struct {
                const char *env, *os_release, *expect;
        } defaults[] = {
                { NULL, "DEFAULT_HOSTNAME=box.example\n", "box.example box box" },
                { "env-host", "DEFAULT_HOSTNAME=box.example\n", "env-host env-host env-host" },
                { "-bad", "DEFAULT_HOSTNAME=box\n", "box box box" },
                { NULL, "DEFAULT_HOSTNAME=a..b\n", "localhost localhost localhost" },
                { "", "ID=debian\n", "localhost localhost localhost" },
        };
        char dir[] = "/tmp/test-specifier-XXXXXX", os_release[64];
        pid_t pid;

        ASSERT_NOT_NULL(mkdtemp(dir));
        snprintf(os_release, sizeof(os_release), "%s/os-release", dir);
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                if (unshare(geteuid() == 0 ? CLONE_NEWUTS : CLONE_NEWUSER | CLONE_NEWUTS) < 0)
                        _exit(TEST_SKIP);
                for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                        _cleanup_(specifier_context_done) SpecifierContext c = {
                                .name = "web", .machine_info_path = "/nonexistent/machine-info",
                                .os_release_path = "/nonexistent/os-release",
                        };

                        if (sethostname(cases[i].raw, strlen(cases[i].raw)) < 0)
                                _exit(TEST_SKIP);
                        check(&c, "%H %l %q", cases[i].expect);
                }
                ASSERT_EQ(sethostname("", 0), 0);
                for (size_t i = 0; i < ELEMENTSOF(defaults); i++) {
                        _cleanup_(specifier_context_done) SpecifierContext c = {
                                .name = "web", .machine_info_path = "/nonexistent/machine-info",
                                .os_release_path = os_release,
                        };

                        write_file(os_release, defaults[i].os_release);
                        if (defaults[i].env)
                                ASSERT_EQ(setenv("SYSTEMD_DEFAULT_HOSTNAME", defaults[i].env, 1), 0);
                        else
                                ASSERT_EQ(unsetenv("SYSTEMD_DEFAULT_HOSTNAME"), 0);
                        check(&c, "%H %l %q", defaults[i].expect);
                }
                /* A host that has a name keeps it, whatever the defaults say. */
                {
                        _cleanup_(specifier_context_done) SpecifierContext c = {
                                .name = "web", .os_release_path = os_release,
                        };

                        ASSERT_EQ(setenv("SYSTEMD_DEFAULT_HOSTNAME", "env-host", 1), 0);
                        ASSERT_EQ(sethostname("real.example", strlen("real.example")), 0);
                        check(&c, "%H %l", "real.example real");
                }
                _exit(0);
        }
        test_child_ran_part(pid, "no UTS namespace to set the host name in");
        (void) unlink(os_release);
        ASSERT_EQ(rmdir(dir), 0);
}

TEST(short_and_pretty_hostname) {
        char dir[] = "/tmp/test-specifier-XXXXXX", info[64], host[257] = {};
        _cleanup_(specifier_context_done) SpecifierContext c = { .name = "web" };
        _cleanup_free_ char *short_host = NULL;

        ASSERT_NOT_NULL(mkdtemp(dir));
        snprintf(info, sizeof(info), "%s/machine-info", dir);
        c.machine_info_path = info;
        ASSERT_EQ(gethostname(host, sizeof(host) - 1), 0);
        short_host = strndup(host, strcspn(host, "."));
        ASSERT_NOT_NULL(short_host);

        check(&c, "%l", short_host);
        /* no machine-info: the short host name */
        check(&c, "%q", short_host);

        specifier_context_done(&c);
        write_file(info, "# comment\nICON_NAME=computer\nPRETTY_HOSTNAME=\"Lennart's \\\"Box\\\"\"\n");
        check(&c, "[%q]", "[Lennart's \"Box\"]");
        specifier_context_done(&c);
        write_file(info, "PRETTY_HOSTNAME=\n");
        check(&c, "%q", short_host);
        specifier_context_done(&c);

        /* A machine-info systemd cannot read (not UTF-8, a NUL byte, no
         * file at all) is no error: systemd 252's %q (get_pretty_hostname()
         * failing) is then the short host name, measured with
         * "systemd-analyze verify" of "Description=%q". */
        write_file(info, "X=\xff\nPRETTY_HOSTNAME=Box\n");
        check(&c, "%q", short_host);
        specifier_context_done(&c);
        ASSERT_EQ(truncate(info, 0), 0);
        {
                static const char nul[] = "PRETTY_HOSTNAME=a\0b\n";
                FILE *f = fopen(info, "we");

                ASSERT_NOT_NULL(f);
                ASSERT_EQ(fwrite(nul, 1, sizeof nul - 1, f), sizeof nul - 1);
                ASSERT_EQ(fclose(f), 0);
        }
        check(&c, "%q", short_host);
        specifier_context_done(&c);
        ASSERT_EQ(unlink(info), 0);
        ASSERT_EQ(mkdir(info, 0755), 0);
        check(&c, "%q", short_host);
        ASSERT_EQ(rmdir(info), 0);

        ASSERT_EQ(rmdir(dir), 0);
}

TEST(os_release) {
        char dir[] = "/tmp/test-specifier-XXXXXX", osr[64];
        _cleanup_(specifier_context_done) SpecifierContext c = { .name = "web" };
        char *s = NULL, bad = 0;

        ASSERT_NOT_NULL(mkdtemp(dir));
        snprintf(osr, sizeof(osr), "%s/os-release", dir);
        c.os_release_path = osr;

        ASSERT_ERROR(specifier_expand(&c, "%o", &s, &bad), ENOENT);
        ASSERT_EQ(bad, 'o');
        specifier_context_done(&c);

        write_file(osr, "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n"
                        "IMAGE_ID='base'\nIMAGE_VERSION=1.2\nBUILD_ID=20261130\n");
        /* a field the file lacks is empty, as in systemd */
        check(&c, "%o/%w/[%W]/%M/%A/%B", "debian/12/[]/base/1.2/20261130");
        ASSERT_EQ(c.n_host_lookups, 1);
        check(&c, "%o", "debian");
        ASSERT_EQ(c.n_host_lookups, 1);

        ASSERT_EQ(unlink(osr), 0);
        ASSERT_EQ(rmdir(dir), 0);
}

/* As systemd's parse_env_file() (measured with systemd 252's
 * "systemd-analyze verify" of "ExecStart=/x/%o-%w"): an odd line of
 * os-release(5) costs nothing but itself; only a file that is not UTF-8
 * (a non-character included) or holds a NUL fails %o. */
TEST(os_release_odd_lines) {
        static const char nul[] = "ID=debian\nX=a\0b\n";
        char dir[] = "/tmp/test-specifier-XXXXXX", osr[64], info[64];
        _cleanup_(specifier_context_done) SpecifierContext c = { .name = "web" };
        char *s = NULL, bad = 0;
        FILE *f;

        ASSERT_NOT_NULL(mkdtemp(dir));
        snprintf(osr, sizeof(osr), "%s/os-release", dir);
        snprintf(info, sizeof(info), "%s/machine-info", dir);
        c.os_release_path = osr;
        c.machine_info_path = info;

        /* No "=", keys that are no variable names, an escape that is none. */
        write_file(osr, "garbage line\n1X=bar\nA-B=c\nA B=d\nID =debian\n VERSION_ID=\"12\\q\"\n");
        check(&c, "%o-%w", "debian-12\\q");
        specifier_context_done(&c);
        /* "export " is part of the key; a quote that never closes takes the rest. */
        write_file(osr, "export ID=x\nVERSION_ID=1\nVARIANT_ID=\"a\nb");
        check(&c, "[%o]-%w-%W", "[]-1-a\nb");
        specifier_context_done(&c);
        write_file(info, "PRETTY_HOSTNAME='Box\n");
        check(&c, "%q", "Box\n");
        specifier_context_done(&c);

        /* A value of another key that is not UTF-8, or a non-character, fails the file. */
        write_file(osr, "NAME=\xff\nID=debian\n");
        ASSERT_ERROR(specifier_expand(&c, "%o", &s, &bad), EILSEQ);
        specifier_context_done(&c);
        write_file(osr, "NAME=\xef\xbf\xbe\nID=debian\n");
        ASSERT_ERROR(specifier_expand(&c, "%o", &s, &bad), EILSEQ);
        specifier_context_done(&c);
        write_file(osr, "ID=debian\n\xff=1\n");
        ASSERT_ERROR(specifier_expand(&c, "%o", &s, &bad), EILSEQ);
        specifier_context_done(&c);
        f = fopen(osr, "we");
        ASSERT_NOT_NULL(f);
        ASSERT_EQ(fwrite(nul, 1, sizeof nul - 1, f), sizeof nul - 1);
        ASSERT_EQ(fclose(f), 0);
        ASSERT_ERROR(specifier_expand(&c, "%o", &s, &bad), EUCLEAN);
        ASSERT_EQ(bad, 'o');

        ASSERT_EQ(unlink(osr), 0);
        ASSERT_EQ(unlink(info), 0);
        ASSERT_EQ(rmdir(dir), 0);
}

TEST(architecture) {
        _cleanup_(specifier_context_done) SpecifierContext c = { .name = "web" };
        struct utsname u;

        ASSERT_EQ(uname(&u), 0);
        /* systemd's names, not uname's */
        if (streq(u.machine, "x86_64"))
                check(&c, "%a", "x86-64");
        else if (streq(u.machine, "aarch64"))
                check(&c, "%a", "arm64");
        else {
                _cleanup_free_ char *s = expand(&c, "%a");
                ASSERT_FALSE(isempty(s));
        }
}

TEST(fragment_path) {
        _cleanup_(specifier_context_done) SpecifierContext c = { .name = "web" };
        char *s = NULL, bad = 0;

        ASSERT_ERROR(specifier_expand(&c, "%y", &s, &bad), ENOENT);
        ASSERT_EQ(bad, 'y');
        c.fragment_path = "/etc/cell/web.cell";
        check(&c, "%y %Y", "/etc/cell/web.cell /etc/cell");
        c.fragment_path = "/web.cell";
        check(&c, "%Y", "/");
        c.fragment_path = "web.cell";
        check(&c, "%Y", ".");
}

/* [Install]'s specifiers are those systemctl enable resolves (systemd 252,
 * "systemctl --root=DIR enable a@b-c.service" with "WantedBy=x-%X.target"
 * for each X): %i %j %n %N %p, the host's and the user's; not %I %P %J
 * %f, the directories, %h %s %y %Y %d, nor the unknown ones. */
TEST(first_not_install) {
        for (const char *c = "ijnNpaAbBHlqmMovwWgGuU"; *c; c++) {
                char s[] = { 'x', '-', '%', *c, '.', 't', 0 };

                ASSERT_EQ(specifier_first_not_install(s), 0);
        }
        for (const char *c = "IPJfytSCLETVhsYdcrRxkZ0"; *c; c++) {
                char s[] = { '%', 'i', '-', '%', *c, 0 };

                ASSERT_EQ(specifier_first_not_install(s), *c);
        }
        /* "%%" is a '%', and what is no specifier stays as written. */
        ASSERT_EQ(specifier_first_not_install("%%I 50% %-x %"), 0);
        ASSERT_EQ(specifier_first_not_install("%%%I"), 'I');
        ASSERT_EQ(specifier_first_not_install(""), 0);
}
