/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The seccomp rule set: default deny list, SystemCallFilter= deny and allow
 * lists, groups, errors, sorting. */

#include <fcntl.h>
#include <sys/ioctl.h>

#include "plan-internal.h"
#include "plan-test.h"
#include "syscall-groups.h"

/* By name, then the rule for any arguments, then those by fewer comparisons,
 * then by argument and value (all here compare alike). */
static void assert_sorted_unique(const Plan *p) {
        for (size_t i = 1; i < p->n_syscalls; i++) {
                const PlanSyscallRule *a = &p->syscalls[i - 1], *b = &p->syscalls[i];
                int r = strcmp(a->name, b->name);

                if (r == 0 && a->n_args != b->n_args)
                        r = a->n_args < b->n_args ? -1 : 1;
                /* As the builder sorts: comparison, index, mask, value. */
                for (unsigned k = 0; r == 0 && k < a->n_args; k++) {
                        r = a->args[k].compare < b->args[k].compare ? -1 : a->args[k].compare > b->args[k].compare;
                        if (r == 0)
                                r = a->args[k].index < b->args[k].index ? -1 : a->args[k].index > b->args[k].index;
                        if (r == 0)
                                r = a->args[k].mask < b->args[k].mask ? -1 : a->args[k].mask > b->args[k].mask;
                        if (r == 0)
                                r = a->args[k].value < b->args[k].value ? -1 : a->args[k].value > b->args[k].value;
                }
                if (r >= 0)
                        TEST_FAIL("rules not sorted/unique: %s, %s", a->name, b->name);
        }
}

/* The rule for name's calls with value in argument index (alone), if any. */
static const PlanSyscallRule *find_arg_rule(const Plan *p, const char *name, unsigned index, uint32_t value) {
        for (size_t i = 0; i < p->n_syscalls; i++)
                if (streq(p->syscalls[i].name, name) && p->syscalls[i].n_args == 1 &&
                    p->syscalls[i].args[0].index == index && p->syscalls[i].args[0].value == value)
                        return &p->syscalls[i];
        return NULL;
}

/* ioctl(fd, TIOCSTI|TIOCLINUX, ...) denied with EPERM: in every plan. */
static void assert_terminal_injection_denied(const Plan *p) {
        static const struct { const char *name; uint32_t request; } requests[] = {
                { "TIOCSTI", TIOCSTI }, { "TIOCLINUX", TIOCLINUX },
        };

        for (size_t i = 0; i < ELEMENTSOF(requests); i++) {
                const PlanSyscallRule *r = find_arg_rule(p, "ioctl", 1, requests[i].request);
                if (!r)
                        TEST_FAIL("no rule for ioctl(%s)", requests[i].name);
                ASSERT_EQ(r->action, PLAN_SECCOMP_ERRNO);
                ASSERT_EQ(r->error, EPERM);
                ASSERT_STREQ(r->args[0].name, requests[i].name);
        }
}

static void assert_rule(const Plan *p, const char *name, PlanSeccompAction action, int error) {
        const PlanSyscallRule *r = plan_find_syscall(p, name);
        if (!r)
                TEST_FAIL("no rule for %s", name);
        ASSERT_EQ(r->action, action);
        ASSERT_EQ(r->error, error);
}

TEST(default_deny_list) {
        CellConfig c;
        Plan p = {};
        size_t n = 0;

        config_minimal(&c, "s");
        plan_ok(&c, NULL, &p);
        ASSERT_TRUE(p.seccomp);
        ASSERT_EQ(p.seccomp_default_action, PLAN_SECCOMP_ALLOW);
        for (const char * const *d = plan_seccomp_default_deny; *d; d++) {
                assert_rule(&p, *d, PLAN_SECCOMP_ERRNO, EPERM);
                n++;
        }
        assert_terminal_injection_denied(&p);
        /* By argument only: ioctl itself is not denied. */
        for (size_t i = 0; i < p.n_syscalls; i++)
                ASSERT_TRUE(!streq(p.syscalls[i].name, "ioctl") || p.syscalls[i].n_args > 0);
        /* ...and the host's root makes no cgroup namespace (test-plan-seccomp-restrict.c):
         * clone[cgroup], clone3, setns[cgroup], setns[0], unshare[cgroup]. */
        ASSERT_EQ(p.n_syscalls, n + 2 + 5);
        assert_sorted_unique(&p);
        /* The list named in the task, all there; ptrace is not. */
        for (const char * const *d = (const char * const[]) {
                        "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "bpf",
                        "perf_event_open", "keyctl", "add_key", "request_key", "open_by_handle_at", "swapon",
                        "swapoff", "reboot", "acct", "quotactl", "lookup_dcookie", "userfaultfd", NULL }; *d; d++)
                ASSERT_NOT_NULL(plan_find_syscall(&p, *d));
        ASSERT_NULL(plan_find_syscall(&p, "ptrace"));
        plan_done(&p);
        cell_config_done(&c);
}

/* Boot=yes: reboot() is the init's way to reboot or power off; in a PID
 * namespace the kernel confines it to that namespace. Nothing else changes,
 * and a unit's own rule for it still holds. */
TEST(boot_allows_reboot) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "s");
        c.boot = true;
        plan_ok(&c, NULL, &p);
        ASSERT_NULL(plan_find_syscall(&p, "reboot"));
        assert_rule(&p, "kexec_load", PLAN_SECCOMP_ERRNO, EPERM);
        assert_terminal_injection_denied(&p);
        plan_done(&p);
        cell_config_done(&c);

        config_minimal(&c, "s");
        c.boot = true;
        c.syscall_filter_set = true;
        config_add_syscall(&c, "@reboot", -1);
        plan_ok(&c, NULL, &p);
        assert_rule(&p, "reboot", PLAN_SECCOMP_ERRNO, EPERM);
        plan_done(&p);
        cell_config_done(&c);

        /* An allow list that names it allows it, without the warning. */
        Diagnostics d = {};
        config_minimal(&c, "s");
        c.boot = true;
        c.syscall_filter_set = c.syscall_filter_allow_list = true;
        config_add_syscall(&c, "@default", -1);
        config_add_syscall(&c, "reboot", -1);
        ASSERT_OK(plan_build(&c, NULL, &p, &d));
        ASSERT_EQ(d.n_warnings, 0);
        assert_rule(&p, "reboot", PLAN_SECCOMP_ALLOW, 0);
        diag_done(&d);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(deny_list) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "s");
        config_add_syscall(&c, "@clock", -1);
        config_add_syscall(&c, "ptrace", ENOSYS);
        config_add_syscall(&c, "bpf", EACCES);     /* changes the error of a default entry */
        c.syscall_error_number = EIO;
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.seccomp_default_action, PLAN_SECCOMP_ALLOW);
        assert_rule(&p, "settimeofday", PLAN_SECCOMP_ERRNO, EIO);
        assert_rule(&p, "clock_settime", PLAN_SECCOMP_ERRNO, EIO);
        assert_rule(&p, "ptrace", PLAN_SECCOMP_ERRNO, ENOSYS);
        assert_rule(&p, "bpf", PLAN_SECCOMP_ERRNO, EACCES);
        assert_rule(&p, "kexec_load", PLAN_SECCOMP_ERRNO, EPERM);      /* the default list keeps EPERM */
        ASSERT_NULL(plan_find_syscall(&p, "read"));
        assert_terminal_injection_denied(&p);
        assert_sorted_unique(&p);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(deny_list_later_entry_wins) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "s");
        config_add_syscall(&c, "@clock", ENOSYS);
        config_add_syscall(&c, "settimeofday", EACCES);
        plan_ok(&c, NULL, &p);
        assert_rule(&p, "settimeofday", PLAN_SECCOMP_ERRNO, EACCES);
        assert_rule(&p, "adjtimex", PLAN_SECCOMP_ERRNO, ENOSYS);
        plan_done(&p);
        cell_config_done(&c);
}

/* Several SystemCallFilter= lines, as read from a file: a name given again
 * takes its new error even with a group that covers it in between, as in
 * systemd, where every line updates one map from call to error. */
TEST(deny_list_lines_later_errno_wins) {
        CellConfig c;
        Plan p = {};

        config_from_text(&c, "s", "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\n[Isolation]\n"
                         "SystemCallFilter=~clock_settime:EACCES adjtimex:ENOSYS\n"
                         "SystemCallFilter=~@clock:EPERM\n"
                         "SystemCallFilter=~clock_settime:EIO\n");
        plan_ok(&c, NULL, &p);
        assert_rule(&p, "clock_settime", PLAN_SECCOMP_ERRNO, EIO);
        assert_rule(&p, "adjtimex", PLAN_SECCOMP_ERRNO, EPERM);
        assert_rule(&p, "settimeofday", PLAN_SECCOMP_ERRNO, EPERM);
        plan_done(&p);
        cell_config_done(&c);
}

/* ":kill" and SystemCallErrorNumber=kill kill the process, ":0" returns
 * success doing nothing, as in systemd 252; cell's default deny list keeps
 * EPERM. */
TEST(kill_and_succeed) {
        CellConfig c;
        Plan p = {};

        config_from_text(&c, "s", "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\n[Isolation]\n"
                         "SystemCallFilter=~ptrace:kill sethostname:0 @clock\n"
                         "SystemCallErrorNumber=kill\n");
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.seccomp_default_action, PLAN_SECCOMP_ALLOW);
        assert_rule(&p, "ptrace", PLAN_SECCOMP_KILL, 0);
        assert_rule(&p, "sethostname", PLAN_SECCOMP_SUCCEED, 0);
        assert_rule(&p, "clock_settime", PLAN_SECCOMP_KILL, 0);
        assert_rule(&p, "bpf", PLAN_SECCOMP_ERRNO, EPERM);
        plan_done(&p);
        cell_config_done(&c);

        /* An allow list: what it does not name kills. */
        config_from_text(&c, "s", "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\n[Isolation]\n"
                         "SystemCallFilter=@system-service\n"
                         "SystemCallErrorNumber=kill\n");
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.seccomp_default_action, PLAN_SECCOMP_KILL);
        ASSERT_EQ(p.seccomp_default_error, 0);
        assert_rule(&p, "read", PLAN_SECCOMP_ALLOW, 0);
        assert_rule(&p, "bpf", PLAN_SECCOMP_ERRNO, EPERM);
        ASSERT_NULL(plan_find_syscall(&p, "sethostname"));
        plan_done(&p);
        cell_config_done(&c);
}

/* An allow list from a file, as systemd 252 reads it: @default is in it,
 * so a "~" line takes a call of @default out; emptied, it still denies
 * everything else; a group's members that cell always denies are not
 * warned about as if the unit had named them. */
TEST(allow_list_lines_as_systemd) {
        CellConfig c;
        Plan p = {};
        Diagnostics d = {};

        config_from_text(&c, "s", "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\n[Isolation]\n"
                         "SystemCallFilter=@system-service\n"
                         "SystemCallFilter=~getrandom\n");
        ASSERT_OK(plan_build(&c, NULL, &p, &d));
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_EQ(d.n_warnings, 0);
        diag_done(&d);
        ASSERT_EQ(p.seccomp_default_action, PLAN_SECCOMP_ERRNO);
        ASSERT_NULL(plan_find_syscall(&p, "getrandom"));
        assert_rule(&p, "getpid", PLAN_SECCOMP_ALLOW, 0);
        assert_rule(&p, "read", PLAN_SECCOMP_ALLOW, 0);
        assert_rule(&p, "keyctl", PLAN_SECCOMP_ERRNO, EPERM);
        plan_done(&p);
        cell_config_done(&c);

        config_from_text(&c, "s", "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\n[Isolation]\n"
                         "SystemCallFilter=read\n"
                         "SystemCallFilter=~read\n");
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.seccomp_default_action, PLAN_SECCOMP_ERRNO);
        ASSERT_NULL(plan_find_syscall(&p, "read"));
        assert_rule(&p, "exit_group", PLAN_SECCOMP_ALLOW, 0);
        plan_done(&p);
        cell_config_done(&c);

        config_from_text(&c, "s", "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\n[Isolation]\n"
                         "SystemCallFilter=read\n"
                         "SystemCallFilter=~read @default\n");
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.seccomp_default_action, PLAN_SECCOMP_ERRNO);
        ASSERT_NULL(plan_find_syscall(&p, "read"));
        ASSERT_NULL(plan_find_syscall(&p, "exit_group"));
        /* All but execve, which starts the payload: the plan has it. */
        assert_rule(&p, "execve", PLAN_SECCOMP_ALLOW, 0);
        plan_done(&p);
        cell_config_done(&c);
}

/* An allow list that takes execve out: cell still execs the payload with
 * it, and so may the payload later; the plan says so (a rule and a warning
 * at the key's line) instead of listing no execve. execveat, which cell
 * never calls, stays the unit's: denied where the list leaves it out, as
 * in systemd's. */
TEST(allow_list_without_execve) {
        CellConfig c;
        Plan p = {};
        Diagnostics d = {};

        config_from_text(&c, "s", "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\n[Isolation]\n"
                         "SystemCallFilter=@system-service\n"
                         "SystemCallFilter=~execve execveat\n");
        ASSERT_OK(plan_build(&c, NULL, &p, &d));
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_EQ(d.n_warnings, 1);
        ASSERT_CONTAINS(d.messages[0], "s.cell:7: warning: SystemCallFilter=: the allow list leaves out execve");
        diag_done(&d);
        assert_rule(&p, "execve", PLAN_SECCOMP_ALLOW, 0);
        ASSERT_NULL(plan_find_syscall(&p, "execveat"));
        plan_done(&p);
        cell_config_done(&c);

        /* @default has execve, not execveat: no warning, no execveat. */
        config_from_text(&c, "s", "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\n[Isolation]\n"
                         "SystemCallFilter=@basic-io\n");
        ASSERT_OK(plan_build(&c, NULL, &p, &d));
        ASSERT_EQ(d.n_warnings, 0);
        diag_done(&d);
        assert_rule(&p, "execve", PLAN_SECCOMP_ALLOW, 0);
        ASSERT_NULL(plan_find_syscall(&p, "execveat"));
        plan_done(&p);
        cell_config_done(&c);
}

/* "~ioctl:ENOTTY" denies every request; TIOCSTI and TIOCLINUX keep their own
 * rules (EPERM), beside it. */
TEST(deny_list_ioctl_keeps_the_request_rules) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "s");
        config_add_syscall(&c, "ioctl", ENOTTY);
        plan_ok(&c, NULL, &p);
        const PlanSyscallRule *r = plan_find_syscall(&p, "ioctl");
        ASSERT_NOT_NULL(r);
        ASSERT_EQ(r->n_args, 0U);
        assert_rule(&p, "ioctl", PLAN_SECCOMP_ERRNO, ENOTTY);
        assert_terminal_injection_denied(&p);
        assert_sorted_unique(&p);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(allow_list) {
        CellConfig c;
        Plan p = {};
        Diagnostics d = {};
        _cleanup_free_ char *all = NULL;

        config_minimal(&c, "s");
        c.syscall_filter_allow_list = true;
        config_add_syscall(&c, "@default", -1);       /* as the parser starts an allow list */
        config_add_syscall(&c, "@basic-io", -1);
        config_add_syscall(&c, "bpf", -1);
        config_add_syscall(&c, "openat", EACCES);
        ASSERT_OK(plan_build(&c, NULL, &p, &d));
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_EQ(d.n_warnings, 2);
        all = strv_join(d.messages, "\n");
        ASSERT_CONTAINS(all, "SystemCallFilter=bpf: always denied");
        ASSERT_CONTAINS(all, "SystemCallFilter=openat: an error number applies only to a deny list");
        diag_done(&d);

        ASSERT_EQ(p.seccomp_default_action, PLAN_SECCOMP_ERRNO);
        ASSERT_EQ(p.seccomp_default_error, EPERM);
        assert_rule(&p, "read", PLAN_SECCOMP_ALLOW, 0);
        assert_rule(&p, "openat", PLAN_SECCOMP_ALLOW, 0);
        /* @default, so that exec and exit work at all. */
        assert_rule(&p, "execve", PLAN_SECCOMP_ALLOW, 0);
        assert_rule(&p, "exit_group", PLAN_SECCOMP_ALLOW, 0);
        assert_rule(&p, "rt_sigreturn", PLAN_SECCOMP_ALLOW, 0);
        /* The default deny list stays denied, listed or not. */
        assert_rule(&p, "bpf", PLAN_SECCOMP_ERRNO, EPERM);
        assert_rule(&p, "reboot", PLAN_SECCOMP_ERRNO, EPERM);
        /* Anything else is simply not there: the default action applies. */
        ASSERT_NULL(plan_find_syscall(&p, "socket"));
        assert_sorted_unique(&p);
        plan_done(&p);
        cell_config_done(&c);
}

/* SuppressSync=yes: @sync succeeds doing nothing, open()/openat() with
 * O_DSYNC (and so O_SYNC) fail with EINVAL, openat2() with ENOSYS; in a
 * deny list, and in an allow list that allows them, where they win. */
TEST(suppress_sync) {
        for (int allow = 0; allow <= 1; allow++) {
                CellConfig c;
                Plan p = {};
                const PlanSyscallRule *r;

                config_minimal(&c, "s");
                c.suppress_sync = true;
                if (allow) {
                        c.syscall_filter_allow_list = true;
                        config_add_syscall(&c, "@default", -1);       /* as the parser starts an allow list */
                        config_add_syscall(&c, "@system-service", -1);
                } else
                        config_add_syscall(&c, "fsync", EIO);
                plan_ok(&c, NULL, &p);
                ASSERT_TRUE(p.suppress_sync);
                for (const char * const *m = syscall_group_members("@sync"); *m; m++)
                        assert_rule(&p, *m, PLAN_SECCOMP_SUCCEED, 0);
                assert_rule(&p, "openat2", PLAN_SECCOMP_ERRNO, ENOSYS);
                r = find_arg_rule(&p, "openat", 2, O_DSYNC);
                ASSERT_NOT_NULL(r);
                ASSERT_EQ(r->args[0].mask, O_DSYNC);
                ASSERT_EQ(r->action, PLAN_SECCOMP_ERRNO);
                ASSERT_EQ(r->error, EINVAL);
                ASSERT_EQ(find_arg_rule(&p, "open", 1, O_DSYNC)->args[0].mask, O_DSYNC);
                /* __O_SYNC alone (the kernel takes it for O_SYNC) has its own rule. */
                ASSERT_EQ(find_arg_rule(&p, "openat", 2, O_SYNC & ~O_DSYNC)->error, EINVAL);
                ASSERT_EQ(find_arg_rule(&p, "open", 1, O_SYNC & ~O_DSYNC)->args[0].mask, (uint32_t) (O_SYNC & ~O_DSYNC));
                /* O_SYNC includes the bit; a plain open does not match. */
                ASSERT_EQ((uint32_t) O_SYNC & r->args[0].mask, r->args[0].value);
                ASSERT_TRUE(((uint32_t) (O_WRONLY | O_CREAT) & r->args[0].mask) != r->args[0].value);
                /* The ioctl rules compare the whole request. */
                ASSERT_EQ(find_arg_rule(&p, "ioctl", 1, TIOCSTI)->args[0].mask, UINT32_MAX);
                if (allow)
                        assert_rule(&p, "openat", PLAN_SECCOMP_ALLOW, 0);
                assert_terminal_injection_denied(&p);
                assert_sorted_unique(&p);
                plan_done(&p);

                /* Without it: none of that. */
                c.suppress_sync = false;
                plan_ok(&c, NULL, &p);
                ASSERT_FALSE(p.suppress_sync);
                ASSERT_NULL(find_arg_rule(&p, "openat", 2, O_DSYNC));
                if (allow)
                        assert_rule(&p, "fsync", PLAN_SECCOMP_ALLOW, 0);
                else
                        assert_rule(&p, "fsync", PLAN_SECCOMP_ERRNO, EIO);
                plan_done(&p);
                cell_config_done(&c);
        }
}

TEST(allow_list_nested_groups_and_errno) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "s");
        c.syscall_filter_allow_list = true;
        config_add_syscall(&c, "@default", -1);       /* as the parser starts an allow list */
        c.syscall_error_number = ENOSYS;
        config_add_syscall(&c, "@system-service", -1);
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.seccomp_default_error, ENOSYS);
        assert_rule(&p, "read", PLAN_SECCOMP_ALLOW, 0);         /* via @basic-io */
        assert_rule(&p, "openat", PLAN_SECCOMP_ALLOW, 0);       /* via @file-system */
        /* Members of the group that are on the default list stay denied, with EPERM. */
        assert_rule(&p, "userfaultfd", PLAN_SECCOMP_ERRNO, EPERM);
        assert_rule(&p, "keyctl", PLAN_SECCOMP_ERRNO, EPERM);
        /* ioctl is allowed (@system-service has it), but not TIOCSTI/TIOCLINUX. */
        assert_rule(&p, "ioctl", PLAN_SECCOMP_ALLOW, 0);
        assert_terminal_injection_denied(&p);
        /* No '@' name survives expansion. */
        for (size_t i = 0; i < p.n_syscalls; i++)
                ASSERT_TRUE(p.syscalls[i].name[0] != '@');
        assert_sorted_unique(&p);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(unknown_group) {
        CellConfig c;

        config_minimal(&c, "s");
        config_add_syscall(&c, "@no-such-group", -1);
        plan_fails(&c, "SystemCallFilter=@no-such-group: unknown system call group");
        /* Named at the item's line, in its drop-in if it came from one. */
        c.syscall_filter[0].line = 8;
        plan_fails(&c, "s.cell:8: SystemCallFilter=@no-such-group: unknown system call group");
        c.syscall_filter[0].file = xstrdup("s.cell.d/x.conf");
        plan_fails(&c, "s.cell.d/x.conf:8: SystemCallFilter=@no-such-group: unknown system call group");
        cell_config_done(&c);
}

/* A warning about an item names the line that added it last, a drop-in's
 * own path: the items of one key come from many lines. */
TEST(item_lines) {
        CellConfig c;
        Plan p = {};
        Diagnostics d = {};

        config_from_files(&c, "s", "[Root]\nDirectory=/srv/s\n[Exec]\nExec=/bin/true\n[Isolation]\n"
                          "SystemCallFilter=bpf @basic-io\nSystemCallFilter=kexec_load\n",
                          "[Isolation]\nSystemCallFilter=~@clock\nSystemCallFilter=bpf\n");
        ASSERT_OK(plan_build(&c, NULL, &p, &d));
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_EQ(d.n_warnings, 2);
        ASSERT_CONTAINS(d.messages[0], "/s.cell:7: warning: SystemCallFilter=kexec_load: always denied");
        ASSERT_CONTAINS(d.messages[1], "/s.cell.d/x.conf:3: warning: SystemCallFilter=bpf: always denied");
        diag_done(&d);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(emptied_filter_keeps_default_list) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "s");
        c.syscall_filter_set = true;    /* "SystemCallFilter=" */
        plan_ok(&c, NULL, &p);
        ASSERT_TRUE(p.seccomp);
        ASSERT_EQ(p.seccomp_default_action, PLAN_SECCOMP_ALLOW);
        assert_rule(&p, "kexec_load", PLAN_SECCOMP_ERRNO, EPERM);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(default_group_exists) {
        /* The allow list depends on it. */
        ASSERT_NOT_NULL(syscall_group_members("@default"));
}

TEST(verify_only_checks_without_rules) {
        CellConfig c;
        Plan p = {};
        Diagnostics d = {};
        PlanOptions o = { .verify_only = true };

        config_minimal(&c, "s");
        c.syscall_filter_allow_list = true;
        config_add_syscall(&c, "@default", -1);       /* as the parser starts an allow list */
        config_add_syscall(&c, "@system-service", -1);
        config_add_syscall(&c, "bpf", -1);
        ASSERT_OK(plan_build(&c, &o, &p, &d));
        ASSERT_EQ(p.n_syscalls, 0);
        ASSERT_EQ(d.n_warnings, 1);             /* the same checks, the same warning */
        ASSERT_EQ(p.seccomp_default_action, PLAN_SECCOMP_ERRNO);
        plan_done(&p);
        diag_done(&d);

        config_add_syscall(&c, "@nope", -1);
        ASSERT_ERROR(plan_build(&c, &o, &p, &d), EINVAL);
        ASSERT_EQ(d.n_errors, 1);
        diag_done(&d);
        cell_config_done(&c);
}

/* A deny list that takes execve, by name or through a group (@default has
 * it), denies cell's own exec of the payload: such a unit can never start,
 * as under systemd, whose start fails. Said at the line that denies it,
 * whatever its action; an allow line after it gives execve back. */
TEST(deny_list_execve_is_refused) {
#define UNIT_HEAD "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\n[Isolation]\n"
        static const char *units[] = {
                UNIT_HEAD "SystemCallFilter=~execve\n",
                UNIT_HEAD "SystemCallFilter=~@default:ENOSYS\n",
                UNIT_HEAD "SystemCallFilter=~read execve:kill\n",
        };
        CellConfig c;
        Plan p = {};
        Diagnostics d = {};

        for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                config_from_text(&c, "s", units[i]);
                ASSERT_ERROR(plan_build(&c, NULL, &p, &d), EINVAL);
                ASSERT_EQ(d.n_errors, 1);
                ASSERT_CONTAINS(d.messages[0], "s.cell:6: SystemCallFilter=");
                ASSERT_CONTAINS(d.messages[0], "denies execve, which starts the payload");
                diag_done(&d);
                plan_done(&p);
                cell_config_done(&c);
        }

        config_from_text(&c, "s", UNIT_HEAD "SystemCallFilter=~@default\nSystemCallFilter=execve\n");
#undef UNIT_HEAD
        ASSERT_OK(plan_build(&c, NULL, &p, &d));
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_NULL(plan_find_syscall(&p, "execve"));
        diag_done(&d);
        plan_done(&p);
        cell_config_done(&c);
}
