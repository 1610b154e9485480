/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config-parse.h"
#include "parse-syscall.h"
#include "strv.h"
#include "syscall-groups.h"
#include "test.h"

static ssize_t find(const CellConfig *c, const char *name) {
        for (size_t i = 0; i < c->n_syscall_filter; i++)
                if (streq(c->syscall_filter[i].name, name))
                        return (ssize_t) i;
        return -1;
}

static int apply(CellConfig *c, const char *s) {
        _cleanup_free_ char *word = NULL;
        SyscallFilterError e;

        if (isempty(s)) {
                cell_syscall_filter_reset(c);
                return 0;
        }
        return parse_syscall_filter(c, s, NULL, 0, &e, &word);
}

TEST(groups_table) {
        const SyscallGroup *g = syscall_group_list();
        const char *expected[] = {
                "@aio", "@basic-io", "@chown", "@clock", "@cpu-emulation", "@debug", "@file-system",
                "@io-event", "@ipc", "@keyring", "@memlock", "@module", "@mount", "@network-io",
                "@obsolete", "@pkey", "@privileged", "@process", "@raw-io", "@reboot", "@resources",
                "@setuid", "@signal", "@swap", "@sync", "@system-service", "@timer",
        };
        size_t n = 0, unknown = 0, total = 0;

        for (size_t i = 0; i < ELEMENTSOF(expected); i++)
                ASSERT_NOT_NULL(syscall_group_members(expected[i]));
        ASSERT_NULL(syscall_group_members("@nope"));
        ASSERT_NULL(syscall_group_members("clock"));
        ASSERT_NULL(syscall_group_members(NULL));

        for (; g->name; g++, n++) {
                ASSERT_TRUE(g->name[0] == '@');
                ASSERT_NOT_NULL(g->description);
                ASSERT_NOT_NULL(g->members[0]);
                if (g[1].name)
                        ASSERT_TRUE(strcmp(g->name, g[1].name) < 0);    /* sorted */
                for (const char * const *m = g->members; *m; m++) {
                        total++;
                        if ((*m)[0] == '@')
                                ASSERT_NOT_NULL(syscall_group_members(*m));
                        else if (!syscall_name_is_valid(*m))
                                unknown++;
                }
        }
        ASSERT_TRUE(n >= ELEMENTSOF(expected));
        /* a few obsolete calls are unknown even to libseccomp, not more */
        ASSERT_TRUE(unknown * 20 < total);
}

TEST(groups_contents) {
        const char * const *m = syscall_group_members("@clock");
        bool settime = false;

        for (; *m; m++)
                settime = settime || streq(*m, "clock_settime");
        ASSERT_TRUE(settime);
        ASSERT_STREQ(syscall_group_members("@system-service")[0], "@aio");
}

/* Membership through nested groups: @system-service holds @process, which
 * holds execve; neither holds reboot. */
TEST(groups_contain) {
        ASSERT_TRUE(syscall_group_contains("@clock", "clock_settime"));
        ASSERT_TRUE(syscall_group_contains("@system-service", "@process"));
        ASSERT_TRUE(syscall_group_contains("@system-service", "execve"));
        ASSERT_TRUE(syscall_group_contains("@system-service", "io_setup"));
        ASSERT_FALSE(syscall_group_contains("@system-service", "reboot"));
        ASSERT_FALSE(syscall_group_contains("@clock", "execve"));
        ASSERT_FALSE(syscall_group_contains("@nosuchgroup", "execve"));
        ASSERT_FALSE(syscall_group_contains("execve", "execve"));
}

/* Whether group names name itself, not through a nested group. */
static bool group_lists(const char *group, const char *name) {
        for (const char * const *m = syscall_group_members(group); m && *m; m++)
                if (streq(*m, name))
                        return true;
        return false;
}

/* Names systemd 252 lists in a group besides a nested group that has them
 * too: the lists are systemd's, word for word. */
TEST(groups_list_as_systemd_252) {
        ASSERT_TRUE(group_lists("@system-service", "sched_yield"));
        ASSERT_TRUE(group_lists("@system-service", "capset"));
        ASSERT_TRUE(group_lists("@default", "sched_yield"));
}

/* Whether group holds name, through its nested groups too. */
static bool in_group(const char *group, const char *name) {
        for (const char * const *m = syscall_group_members(group); m && *m; m++)
                if (streq(*m, name) || ((*m)[0] == '@' && in_group(*m, name)))
                        return true;
        return false;
}

/* @known is every call the build's headers name, those whose name starts
 * with "_" too: i386's _llseek (its libc's lseek64()) and _newselect, which
 * systemd 252's @known has. Without them SystemCallFilter=@known refused a
 * 32-bit program's seek (SystemCallErrorNumber=ENOSYS: "not implemented"). */
TEST(known_has_names_with_underscore) {
#if defined(__x86_64__) || defined(__i386__)
        ASSERT_TRUE(in_group("@known", "_llseek"));
        ASSERT_TRUE(in_group("@known", "_newselect"));
#endif
        ASSERT_TRUE(in_group("@known", "read"));
        ASSERT_FALSE(in_group("@known", "syscalls"));
}

/* Where systemd 252 (systemd-analyze syscall-filter) puts a call. */
TEST(groups_as_systemd_252) {
        /* mmap and munmap are @default's only: "~@file-system" must not take
         * them from a program, an allow list always has them. */
        ASSERT_TRUE(in_group("@default", "mmap"));
        ASSERT_TRUE(in_group("@default", "munmap"));
        ASSERT_FALSE(in_group("@file-system", "mmap"));
        ASSERT_FALSE(in_group("@file-system", "mmap2"));
        ASSERT_FALSE(in_group("@file-system", "munmap"));
        /* Newer waits and the uretprobe trampoline: always allowed. */
        ASSERT_TRUE(in_group("@default", "futex_waitv"));
        ASSERT_TRUE(in_group("@default", "uretprobe"));
        ASSERT_TRUE(in_group("@system-service", "futex_waitv"));
        /* stime is obsolete, not a way to set the clock any more. */
        ASSERT_FALSE(in_group("@clock", "stime"));
        ASSERT_TRUE(in_group("@obsolete", "stime"));
        ASSERT_FALSE(in_group("@privileged", "stime"));
        /* A few of the others, as 252 has them. */
        ASSERT_TRUE(in_group("@mount", "fsopen"));
        ASSERT_TRUE(in_group("@mount", "mount_setattr"));
        ASSERT_TRUE(in_group("@privileged", "clock_settime"));
        ASSERT_TRUE(in_group("@privileged", "init_module"));
        ASSERT_TRUE(in_group("@privileged", "swapon"));
        ASSERT_TRUE(in_group("@privileged", "quotactl_fd"));
        ASSERT_FALSE(in_group("@privileged", "setgid"));
        ASSERT_TRUE(in_group("@raw-io", "pciconfig_read"));
        ASSERT_TRUE(in_group("@reboot", "kexec_file_load"));
        ASSERT_TRUE(in_group("@debug", "pidfd_getfd"));
        ASSERT_TRUE(in_group("@cpu-emulation", "modify_ldt"));
        ASSERT_TRUE(in_group("@system-service", "ioctl"));
        ASSERT_FALSE(in_group("@system-service", "mount"));
        ASSERT_FALSE(in_group("@system-service", "reboot"));
}

TEST(allow_list) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_OK(apply(&c, "@basic-io read"));
        ASSERT_TRUE(c.syscall_filter_set);
        ASSERT_TRUE(c.syscall_filter_allow_list);
        /* an allow list starts with @default, as systemd's */
        ASSERT_EQ(c.n_syscall_filter, 3);
        ASSERT_STREQ(c.syscall_filter[0].name, "@default");
        ASSERT_STREQ(c.syscall_filter[1].name, "@basic-io");
        ASSERT_EQ(c.syscall_filter[1].error, -1);
        ASSERT_FALSE(c.syscall_filter[1].from_group);
        /* same kind: adds, duplicates once */
        ASSERT_OK(apply(&c, "openat read"));
        ASSERT_EQ(c.n_syscall_filter, 4);
        /* the other kind takes calls out, expanding groups */
        ASSERT_OK(apply(&c, "~write"));
        ASSERT_TRUE(c.syscall_filter_allow_list);
        ASSERT_EQ(find(&c, "@basic-io"), -1);
        ASSERT_EQ(find(&c, "write"), -1);
        ASSERT_TRUE(find(&c, "writev") >= 0);
        ASSERT_TRUE(c.syscall_filter[find(&c, "writev")].from_group);
        ASSERT_TRUE(find(&c, "read") >= 0);
        ASSERT_FALSE(c.syscall_filter[find(&c, "read")].from_group);
        ASSERT_TRUE(find(&c, "openat") >= 0);
        ASSERT_TRUE(find(&c, "execve") >= 0);
        /* reset */
        ASSERT_OK(apply(&c, ""));
        ASSERT_FALSE(c.syscall_filter_set);
        ASSERT_EQ(c.n_syscall_filter, 0);
        /* a deny list has no @default */
        ASSERT_OK(apply(&c, "~ptrace"));
        ASSERT_EQ(c.n_syscall_filter, 1);
        ASSERT_EQ(find(&c, "@default"), -1);
        cell_config_done(&c);
}

/* As systemd: @default is part of the allow list, not beside it, so a "~"
 * line can take its calls out too, and an allow list emptied by "~" lines
 * stays an allow list. */
TEST(allow_list_default_can_be_taken_out) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_OK(apply(&c, "@system-service"));
        ASSERT_OK(apply(&c, "~getrandom"));
        ASSERT_EQ(find(&c, "getrandom"), -1);
        ASSERT_TRUE(find(&c, "getpid") >= 0);
        ASSERT_OK(apply(&c, "~@default @system-service"));
        ASSERT_TRUE(c.syscall_filter_set);
        ASSERT_TRUE(c.syscall_filter_allow_list);
        ASSERT_EQ(c.n_syscall_filter, 0);
        cell_config_done(&c);
}

TEST(deny_list) {
        CellConfig c;
        _cleanup_free_ char *word = NULL;
        SyscallFilterError e;

        cell_config_init(&c);
        ASSERT_OK(apply(&c, "~@mount @clock:EPERM"));
        ASSERT_TRUE(c.syscall_filter_set);
        ASSERT_FALSE(c.syscall_filter_allow_list);
        ASSERT_EQ(c.n_syscall_filter, 2);
        ASSERT_EQ(c.syscall_filter[0].error, -1);
        ASSERT_EQ(c.syscall_filter[1].error, EPERM);
        /* a later ~ adds, and a later :ERRNO for the same name wins */
        ASSERT_OK(apply(&c, "~ptrace:EACCES @clock:13"));
        ASSERT_EQ(c.n_syscall_filter, 3);
        ASSERT_EQ(c.syscall_filter[find(&c, "@clock")].error, 13);
        ASSERT_EQ(c.syscall_filter[find(&c, "ptrace")].error, EACCES);
        /* an allow assignment takes calls out of the deny list */
        ASSERT_OK(apply(&c, "clock_gettime settimeofday"));
        ASSERT_FALSE(c.syscall_filter_allow_list);
        ASSERT_EQ(find(&c, "settimeofday"), -1);
        ASSERT_TRUE(find(&c, "clock_settime") >= 0);
        ASSERT_EQ(c.syscall_filter[find(&c, "clock_settime")].error, 13);
        ASSERT_TRUE(find(&c, "mount") >= 0);

        /* errors leave the config alone and name the word */
        size_t n = c.n_syscall_filter;
        ASSERT_ERROR(parse_syscall_filter(&c, "~nosuchcall", NULL, 0, &e, &word), EINVAL);
        ASSERT_EQ(e, SYSCALL_FILTER_BAD_NAME);
        ASSERT_STREQ(word, "nosuchcall");
        word = mfree(word);
        ASSERT_ERROR(parse_syscall_filter(&c, "~@nosuchgroup", NULL, 0, &e, &word), EINVAL);
        ASSERT_EQ(e, SYSCALL_FILTER_BAD_NAME);
        word = mfree(word);
        ASSERT_ERROR(parse_syscall_filter(&c, "~reboot:EFOO", NULL, 0, &e, &word), EINVAL);
        ASSERT_EQ(e, SYSCALL_FILTER_BAD_ERRNO);
        ASSERT_STREQ(word, "reboot:EFOO");
        word = mfree(word);
        ASSERT_ERROR(parse_syscall_filter(&c, "reboot:EPERM", NULL, 0, &e, &word), EINVAL);
        ASSERT_EQ(e, SYSCALL_FILTER_ERRNO_IN_ALLOW);
        word = mfree(word);
        /* Split as systemd 252 splits it, without unquoting or C escapes: a
         * quote is part of the word, so no call ("mount" in quotes is
         * ignored there), a backslash keeps the next character. */
        ASSERT_ERROR(parse_syscall_filter(&c, "\"reboot", NULL, 0, &e, &word), EINVAL);
        ASSERT_EQ(e, SYSCALL_FILTER_BAD_NAME);
        ASSERT_STREQ(word, "\"reboot");
        word = mfree(word);
        ASSERT_ERROR(parse_syscall_filter(&c, "~\"mount\"", NULL, 0, &e, &word), EINVAL);
        ASSERT_EQ(e, SYSCALL_FILTER_BAD_NAME);
        ASSERT_STREQ(word, "\"mount\"");
        word = mfree(word);
        ASSERT_ERROR(parse_syscall_filter(&c, "~\\x6dount", NULL, 0, &e, &word), EINVAL);
        ASSERT_EQ(e, SYSCALL_FILTER_BAD_NAME);
        ASSERT_STREQ(word, "x6dount");
        word = mfree(word);
        ASSERT_EQ(c.n_syscall_filter, n);
        ASSERT_EQ(find(&c, "kexec_load"), -1);
        ASSERT_OK(parse_syscall_filter(&c, "~k\\exec_load", NULL, 0, &e, &word));
        ASSERT_TRUE(find(&c, "kexec_load") >= 0);
        n = c.n_syscall_filter;
        /* "~" alone (systemd's empty deny list) adds nothing to one. */
        ASSERT_OK(parse_syscall_filter(&c, "~", NULL, 0, &e, &word));
        ASSERT_EQ(c.n_syscall_filter, n);
        ASSERT_FALSE(c.syscall_filter_allow_list);
        cell_config_done(&c);
}

TEST(names) {
        ASSERT_TRUE(syscall_name_is_valid("openat"));
        ASSERT_TRUE(syscall_name_is_valid("clock_settime"));
        ASSERT_FALSE(syscall_name_is_valid("open_sesame"));
        ASSERT_FALSE(syscall_name_is_valid(""));
}
