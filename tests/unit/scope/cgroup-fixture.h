/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the tests that make real cgroups (test-scope-cgroupfs.c,
 * test-scope-cgroupfs-v1.c, test-cgroup-leaf.c) read from them and how they
 * clear them afterwards. */

/* The cgroup child below ours in the hierarchy of controller (NULL:
 * cgroup2), or NULL where we have none there. Freed by the caller. */
char *fixture_child_dir(const char *controller, const char *child);

/* What a failed test body left of child in the hierarchy of controller: its
 * processes killed (fixture_kill_procs()), the cgroup removed once they are
 * gone (a second at most). Nothing where there is none. */
void fixture_remove_child(const char *controller, const char *child);

/* The first line of dir/file, without its newline; NULL when it cannot be
 * read. Freed by the caller. */
char *fixture_read(const char *dir, const char *file);

/* SIGKILL to every process dir/cgroup.procs lists: a test's own cgroup holds
 * only what the test started, and no other process is touched. */
void fixture_kill_procs(const char *dir);

/* Runs body in a child process, then cleanup here whether body passed or
 * not; fails the test if body did, skips it if body called test_skip(). */
void fixture_run(void (*body)(void), void (*cleanup)(void));
