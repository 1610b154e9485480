/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Exec='s command through a /proc magic link, as written
 * (plan_command_check_proc()): "cell run" always refuses it (the start's
 * exec check, spawn/exec-interpreter.c), so the plan refuses it too, with
 * the start's words at Exec='s line, and "cell verify" agrees with "cell run". */

#include "plan-internal.h"
#include "plan-test.h"

static void exec_refused(const char *exec, const char *needle) {
        _cleanup_free_ char *text = NULL;
        CellConfig c;

        ASSERT_TRUE(asprintf(&text, "[Root]\nDirectory=/var/lib/cell/test\n[Exec]\nExec=%s --version\n", exec) > 0);
        config_from_files(&c, "x", text, NULL);
        plan_fails(&c, needle);
        cell_config_done(&c);
}

static void exec_planned(const char *exec) {
        _cleanup_free_ char *text = NULL;
        CellConfig c;
        Plan p = {};

        ASSERT_TRUE(asprintf(&text, "[Root]\nDirectory=/var/lib/cell/test\n[Exec]\nExec=%s --version\n", exec) > 0);
        config_from_files(&c, "x", text, NULL);
        plan_ok(&c, NULL, &p);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(exec_proc_magic_refused) {
        /* The start's message, word for word, after FILE:LINE. */
        exec_refused("/proc/self/exe", "x.cell:4: Exec=/proc/self/exe: a /proc magic link on the way (as "
                     "/proc/self/exe, which would run cell's own binary in the container): refused");
        exec_refused("/proc/1/exe", "x.cell:4: Exec=/proc/1/exe: a /proc magic link on the way");
        exec_refused("/proc/thread-self/exe", "x.cell:4: Exec=/proc/thread-self/exe: a /proc magic link");
        exec_refused("/proc/self/fd/3", "x.cell:4: Exec=/proc/self/fd/3: a /proc magic link");
        exec_refused("/proc/1/root/bin/sh", "x.cell:4: Exec=/proc/1/root/bin/sh: a /proc magic link");
        exec_refused("/proc/self/cwd/app", "Exec=/proc/self/cwd/app: a /proc magic link");
        exec_refused("/proc/1/task/1/exe", "Exec=/proc/1/task/1/exe: a /proc magic link");
        exec_refused("//proc/./self//exe", "Exec=//proc/./self//exe: a /proc magic link");
}

TEST(exec_proc_magic_from_dropin) {
        CellConfig c;

        config_from_files(&c, "x", "[Root]\nDirectory=/var/lib/cell/test\n[Exec]\nExec=/bin/true\n",
                          "[Exec]\nExec=\nExec=/proc/self/exe\n");
        plan_fails(&c, "x.cell.d/x.conf:3: Exec=/proc/self/exe: a /proc magic link");
        cell_config_done(&c);
}

TEST(exec_proc_plain) {
        /* Plain files of /proc, and /proc/self itself (a plain link): no
         * magic link on the way; the exec says what is wrong with them. */
        exec_planned("/proc/self/status");
        exec_planned("/proc/self/fd");
        exec_planned("/proc/self");
        exec_planned("/proc/sys/kernel/exe");
        exec_planned("/procx/self/exe");
        exec_planned("/srv/proc/self/exe");
        exec_planned("/proc/selfish/exe");
        /* A name looked up in $PATH. */
        exec_planned("exe");
}

TEST(exec_proc_predicate) {
        ASSERT_TRUE(plan_path_has_proc_magic_link("/proc/self/map_files/400000-401000"));
        ASSERT_TRUE(plan_path_has_proc_magic_link("/proc/self/ns/mnt"));
        ASSERT_TRUE(plan_path_has_proc_magic_link("/proc/42/root"));
        ASSERT_FALSE(plan_path_has_proc_magic_link("/proc/self/ns"));
        ASSERT_FALSE(plan_path_has_proc_magic_link("/proc/self/task/exe"));
        ASSERT_FALSE(plan_path_has_proc_magic_link("/proc/1x/exe"));
        /* ".." could lead anywhere: not guessed. */
        ASSERT_FALSE(plan_path_has_proc_magic_link("/proc/self/../1/exe"));
        ASSERT_FALSE(plan_path_has_proc_magic_link("proc/self/exe"));
        ASSERT_FALSE(plan_path_has_proc_magic_link(NULL));
}

TEST(exec_proc_boot_not_checked) {
        CellConfig c;
        Plan p = {};

        /* A command line's ARGS replace Exec=: no line of the unit, the start checks them. */
        config_minimal(&c, "x");
        plan_ok(&c, &(const PlanOptions) { .argv_override = (char *[]) { (char *) "/proc/self/exe", NULL } }, &p);
        plan_done(&p);
        cell_config_done(&c);
}
