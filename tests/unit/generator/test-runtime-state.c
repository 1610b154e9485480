/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/scope/runtime-state.c and the rootless parts of src/scope/instance.c. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "instance.h"
#include "runtime-state.h"
#include "strv.h"
#include "test.h"

static char *dir_new(void) {
        return test_runtime_dir_new("runtime-state");
}

static void dir_free(char *d) {
        test_runtime_dir_free(d);
}

TEST(format_parse_round_trip) {
        RuntimeState s = {
                .name = (char *) "worker@3", .unit_path = (char *) "/etc/cell/worker@.cell",
                .service = (char *) "cell@worker@3.service",
                .manager = CGROUP_MANAGER_CGROUPFS, .supervisor = 100, .supervisor_start = 5,
                .leader = 101, .leader_start = 6, .since_usec = 1234567,
        };
        _cleanup_free_ char *text = NULL;
        RuntimeState t;

        ASSERT_OK(runtime_state_format(&s, &text));
        ASSERT_CONTAINS(text, "NAME=worker@3\n");
        ASSERT_CONTAINS(text, "MANAGER=cgroupfs\n");
        ASSERT_OK(runtime_state_parse(text, &t));
        ASSERT_STREQ(t.name, "worker@3");
        ASSERT_STREQ(t.unit_path, "/etc/cell/worker@.cell");
        ASSERT_STREQ(t.service, "cell@worker@3.service");
        ASSERT_EQ(t.manager, CGROUP_MANAGER_CGROUPFS);
        ASSERT_EQ(t.supervisor, 100);
        ASSERT_EQ_U64(t.supervisor_start, 5);
        ASSERT_EQ(t.leader, 101);
        ASSERT_EQ_U64(t.leader_start, 6);
        ASSERT_EQ_U64(t.since_usec, 1234567);
        runtime_state_done(&t);

        /* no service: the key is empty, and read back as none */
        s.service = NULL;
        text = mfree(text);
        ASSERT_OK(runtime_state_format(&s, &text));
        ASSERT_CONTAINS(text, "SERVICE=\n");
        ASSERT_OK(runtime_state_parse(text, &t));
        ASSERT_NULL(t.service);
        runtime_state_done(&t);
        text = mfree(text);

        /* what a state must have, and what it must not be */
        ASSERT_ERROR(runtime_state_parse("NAME=x\nMANAGER=cgroupfs\nSUPERVISOR=1\n", &t), EBADMSG);
        /* a value that is no number does not parse either (not EINVAL, which
         * made "cell list" fail as a whole) */
        ASSERT_ERROR(runtime_state_parse("NAME=x\nMANAGER=cgroupfs\nSUPERVISOR=1\nLEADER=-4\n", &t), EBADMSG);
        ASSERT_ERROR(runtime_state_parse("NAME=x\nMANAGER=cgroupfs\nSUPERVISOR=1\nLEADER=2\nLEADER_START=\n", &t),
                     EBADMSG);
        ASSERT_ERROR(runtime_state_parse("NAME=x\nMANAGER=cgroupfs\nSUPERVISOR=1\nLEADER=2\nSINCE=soon\n", &t),
                     EBADMSG);
        ASSERT_ERROR(runtime_state_parse("NAME=x\nMANAGER=bogus\nSUPERVISOR=1\nLEADER=2\n", &t), EBADMSG);
        /* a newline in a value would forge a key */
        s.unit_path = (char *) "/x\nLEADER=1";
        ASSERT_ERROR(runtime_state_format(&s, &text), EINVAL);
}

TEST(pid_start_time_pins_a_process) {
        uint64_t start;
        ASSERT_OK(runtime_pid_start_time(getpid(), &start));
        ASSERT_TRUE(start > 0);
        ASSERT_TRUE(runtime_pid_is(getpid(), start));
        ASSERT_FALSE(runtime_pid_is(getpid(), start + 1));
        ASSERT_FALSE(runtime_pid_is(0, start));
}

/* A PID that existed and is gone (reaped). */
static pid_t dead_pid(void) {
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0)
                _exit(0);
        ASSERT_EQ(waitpid(pid, NULL, 0), pid);
        return pid;
}

TEST(write_read_list_remove) {
        char *d = dir_new();
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ char *unit = NULL, *path = NULL;
        RuntimeState s;

        ASSERT_TRUE(asprintf(&unit, "%s/web.cell", d) > 0);
        ASSERT_OK(runtime_state_publish("web", unit, CGROUP_MANAGER_CGROUPFS, getpid(), NULL));
        ASSERT_OK(runtime_state_read("web", &s));
        ASSERT_STREQ(s.name, "web");
        ASSERT_EQ(s.leader, getpid());
        ASSERT_EQ(s.supervisor, getpid());
        ASSERT_TRUE(s.since_usec > 0);
        runtime_state_done(&s);

        /* a state whose leader is gone is stale, never a recycled PID */
        RuntimeState old = {
                .name = (char *) "old", .manager = CGROUP_MANAGER_CGROUPFS,
                .supervisor = getpid(), .leader = dead_pid(), .leader_start = 1,
        };
        ASSERT_OK(runtime_state_write(&old));
        ASSERT_ERROR(runtime_state_read("old", &s), ESTALE);
        ASSERT_ERROR(runtime_state_read("none", &s), ENOENT);
        ASSERT_ERROR(runtime_state_read("../etc", &s), EINVAL);

        /* unit files share the directory: only NAME/state counts */
        ASSERT_TRUE(asprintf(&path, "%s/x.cell", d) > 0);
        FILE *f = fopen(path, "we");
        ASSERT_NOT_NULL(f);
        fclose(f);
        ASSERT_OK(runtime_state_list(&names));
        ASSERT_EQ(strv_length(names), 2u);
        ASSERT_STREQ(names[0], "old");
        ASSERT_STREQ(names[1], "web");

        /* only the run that wrote it removes it */
        ASSERT_ERROR(runtime_state_remove("web", getpid() + 1), EBUSY);
        ASSERT_OK(runtime_state_remove("web", getpid()));
        ASSERT_ERROR(runtime_state_read("web", &s), ENOENT);

        /* a killed cell's state (its supervisor gone) is removed by the next
         * run of that name, even one whose payload ended before it published */
        ASSERT_ERROR(runtime_state_publish("web", unit, CGROUP_MANAGER_NONE, dead_pid(), NULL), ESRCH);
        old.name = (char *) "web";
        old.supervisor = dead_pid();
        old.supervisor_start = 1;
        ASSERT_OK(runtime_state_write(&old));
        ASSERT_OK(runtime_state_remove("web", getpid()));
        ASSERT_ERROR(runtime_state_read("web", &s), ENOENT);

        /* what writers killed mid-write left (each its own temporary file)
         * goes with the last state, and the directory with it; a running
         * writer's stays (faults-kill: the directory was left) */
        _cleanup_free_ char *web = NULL, *tmp_dead = NULL, *gone_dead = NULL, *tmp_live = NULL;
        ASSERT_TRUE(asprintf(&web, "%s/web", d) > 0);
        ASSERT_TRUE(asprintf(&tmp_dead, "%s/.state.tmp.%d", web, (int) dead_pid()) > 0);
        ASSERT_TRUE(asprintf(&gone_dead, "%s/.state.gone.%d", web, (int) dead_pid()) > 0);
        ASSERT_TRUE(asprintf(&tmp_live, "%s/.state.tmp.%d", web, (int) getppid()) > 0);
        ASSERT_OK(runtime_state_publish("web", unit, CGROUP_MANAGER_CGROUPFS, getpid(), NULL));
        for (const char *const *q = (const char *const[]) { tmp_dead, gone_dead, tmp_live, NULL }; *q; q++) {
                FILE *w = fopen(*q, "we");
                ASSERT_NOT_NULL(w);
                fclose(w);
        }
        ASSERT_OK(runtime_state_remove("web", getpid()));
        ASSERT_TRUE(access(tmp_dead, F_OK) < 0 && access(gone_dead, F_OK) < 0);
        ASSERT_OK(access(tmp_live, F_OK));
        ASSERT_OK(unlink(tmp_live));
        ASSERT_OK(runtime_state_publish("web", unit, CGROUP_MANAGER_CGROUPFS, getpid(), NULL));
        FILE *w = fopen(tmp_dead, "we");
        ASSERT_NOT_NULL(w);
        fclose(w);
        ASSERT_OK(runtime_state_remove("web", getpid()));
        ASSERT_TRUE(access(web, F_OK) < 0);
        dir_free(d);
}

TEST(instance_from_runtime_state) {
        char *d = dir_new();
        CellInstance i = {};

        ASSERT_OK(runtime_state_publish("plain", NULL, CGROUP_MANAGER_NONE, getpid(), NULL));
        ASSERT_OK(instance_find("plain", false, &i));
        ASSERT_STREQ(i.name, "plain");
        ASSERT_EQ(i.manager, CGROUP_MANAGER_NONE);
        ASSERT_EQ(i.leader, getpid());
        ASSERT_EQ(i.supervisor, getpid());
        ASSERT_STREQ(i.state, "running");
        instance_done(&i);
        ASSERT_ERROR(instance_find("other", false, &i), ESRCH);
        dir_free(d);
}

/* A child that sleeps until killed (or the test ends: not holding its
 * output open past a failed assertion). */
static pid_t sleeper(void) {
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                (void) close_range(1, 2, 0);
                pause();
                _exit(0);
        }
        return pid;
}

TEST(stop_pins_the_supervisor) {
        uint64_t leader_start, sup_start;
        pid_t leader = sleeper(), other = sleeper();
        int status;

        ASSERT_OK(runtime_pid_start_time(leader, &leader_start));
        ASSERT_OK(runtime_pid_start_time(other, &sup_start));
        /* The state's supervisor ended after the state was read, and its
         * PID is another process's now (a start time that is not its own):
         * that one gets no SIGTERM; the leader, whose supervisor is gone,
         * is killed instead. */
        CellInstance i = {
                .manager = CGROUP_MANAGER_NONE,
                .leader = leader, .leader_start = leader_start,
                .supervisor = other, .supervisor_start = sup_start + 1,
        };
        ASSERT_OK(instance_stop(&i, false, 5 * USEC_PER_SEC));
        ASSERT_EQ(waitpid(leader, &status, 0), leader);
        ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        ASSERT_EQ(waitpid(other, &status, WNOHANG), 0);
        ASSERT_OK(kill(other, SIGKILL));
        ASSERT_EQ(waitpid(other, &status, 0), other);
}

/* The "cell run" that wrote a state, its payload there or gone: past its
 * start (cell status of a cgroupfs run that cleans up is no start); not a
 * process that took its PID since, nor another one. */
TEST(state_of_supervisor) {
        char *d = dir_new();
        uint64_t start;
        pid_t other = sleeper();
        int status;

        ASSERT_FALSE(runtime_state_of_supervisor("web", getpid()));        /* no state */
        ASSERT_OK(runtime_pid_start_time(getpid(), &start));
        RuntimeState s = {
                .name = (char *) "web", .manager = CGROUP_MANAGER_CGROUPFS,
                .supervisor = getpid(), .supervisor_start = start, .leader = dead_pid(), .leader_start = 1,
        };
        ASSERT_OK(runtime_state_write(&s));
        ASSERT_TRUE(runtime_state_of_supervisor("web", getpid()));          /* its payload gone */
        ASSERT_FALSE(runtime_state_of_supervisor("web", other));
        ASSERT_FALSE(runtime_state_of_supervisor("web", 0));
        s.supervisor_start = start + 1;                                     /* its PID reused since */
        ASSERT_OK(runtime_state_write(&s));
        ASSERT_FALSE(runtime_state_of_supervisor("web", getpid()));
        ASSERT_OK(kill(other, SIGKILL));
        ASSERT_EQ(waitpid(other, &status, 0), other);
        dir_free(d);
}

/* What a killed run left ("cell status" says so): its state, with its
 * cell run and its payload both gone; not the state of a payload that
 * runs on, nor of a cell run that still cleans up. */
TEST(state_left_by_a_killed_run) {
        char *d = dir_new();
        uint64_t start;
        RuntimeState t = {};

        ASSERT_EQ(runtime_state_left("web", &t), 0);                        /* no state */
        ASSERT_OK(runtime_pid_start_time(getpid(), &start));
        RuntimeState s = {
                .name = (char *) "web", .unit_path = (char *) "/etc/cell/web.cell",
                .manager = CGROUP_MANAGER_CGROUPFS, .supervisor = dead_pid(), .supervisor_start = 1,
                .leader = dead_pid(), .leader_start = 1,
        };
        ASSERT_OK(runtime_state_write(&s));
        ASSERT_EQ(runtime_state_left("web", &t), 1);
        ASSERT_STREQ(t.unit_path, "/etc/cell/web.cell");
        ASSERT_EQ(t.manager, CGROUP_MANAGER_CGROUPFS);
        ASSERT_EQ(t.supervisor, s.supervisor);
        runtime_state_done(&t);
        s.leader = getpid();                                                /* the payload runs on */
        s.leader_start = start;
        ASSERT_OK(runtime_state_write(&s));
        ASSERT_EQ(runtime_state_left("web", &t), 0);
        s.leader = dead_pid();                                              /* its cell run cleans up */
        s.supervisor = getpid();
        s.supervisor_start = start;
        ASSERT_OK(runtime_state_write(&s));
        ASSERT_EQ(runtime_state_left("web", &t), 0);
        s.supervisor_start = start + 1;                                     /* that PID reused since */
        ASSERT_OK(runtime_state_write(&s));
        ASSERT_EQ(runtime_state_left("web", &t), 1);
        runtime_state_done(&t);
        dir_free(d);
}

TEST(publish_keeps_a_running_cells_state) {
        char *d = dir_new();
        pid_t sup = sleeper(), leader = sleeper(), other = 0;
        RuntimeState first = { .name = (char *) "twice", .manager = CGROUP_MANAGER_NONE,
                               .supervisor = sup, .leader = leader }, s;
        int status;

        ASSERT_OK(runtime_pid_start_time(sup, &first.supervisor_start));
        ASSERT_OK(runtime_pid_start_time(leader, &first.leader_start));
        ASSERT_OK(runtime_state_write(&first));
        /* A second start of the name (the none manager lets it run) keeps
         * the first one's state: otherwise the first could no longer be
         * found, and the second's end would remove what named it. */
        ASSERT_ERROR(runtime_state_publish("twice", NULL, CGROUP_MANAGER_NONE, getpid(), &other), EBUSY);
        ASSERT_EQ(other, sup);
        ASSERT_OK(runtime_state_read("twice", &s));
        ASSERT_EQ(s.supervisor, sup);
        ASSERT_EQ(s.leader, leader);
        runtime_state_done(&s);
        ASSERT_ERROR(runtime_state_remove("twice", getpid()), EBUSY);
        /* Its container gone (its supervisor about to remove it): replaced. */
        ASSERT_OK(kill(leader, SIGKILL));
        ASSERT_EQ(waitpid(leader, &status, 0), leader);
        ASSERT_OK(runtime_state_publish("twice", NULL, CGROUP_MANAGER_NONE, getpid(), &other));
        ASSERT_OK(runtime_state_read("twice", &s));
        ASSERT_EQ(s.supervisor, getpid());
        runtime_state_done(&s);
        /* ... and the first one's end leaves the second's state alone. */
        ASSERT_ERROR(runtime_state_remove("twice", sup), EBUSY);
        ASSERT_OK(runtime_state_remove("twice", getpid()));
        ASSERT_OK(kill(sup, SIGKILL));
        ASSERT_EQ(waitpid(sup, &status, 0), sup);
        dir_free(d);
}

TEST(publish_and_remove_wait_for_the_state_lock) {
        char *d = dir_new();
        _cleanup_free_ char *lock = NULL;
        _cleanup_close_ int fd = -EBADF;
        RuntimeState s;
        int status;
        pid_t pid;

        /* Whose state is there and its replacement (or removal) are one
         * step: another cell's state written between them would be lost. */
        ASSERT_TRUE(asprintf(&lock, "%s/.state-lock", d) > 0);
        fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(flock(fd, LOCK_EX));
        uint64_t t0 = now_monotonic_usec();
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                safe_close(fd);         /* the lock is our parent's alone */
                _exit(runtime_state_publish("locked", NULL, CGROUP_MANAGER_NONE, getppid(), NULL) < 0);
        }
        (void) usleep(200 * 1000);
        /* Not there while we hold the lock, unless the publish's wait (1 s
         * from its fork at least) ran out: a loaded host may keep us from
         * looking for that long, and then it is written unlocked, rightly. */
        int r = runtime_state_read("locked", &s);
        if (r >= 0) {
                runtime_state_done(&s);
                ASSERT_TRUE(now_monotonic_usec() - t0 >= USEC_PER_SEC);
        } else
                ASSERT_ERROR(r, ENOENT);
        fd = safe_close(fd);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        ASSERT_OK(runtime_state_read("locked", &s));
        runtime_state_done(&s);

        /* A holder that never lets go (stopped there) delays a removal by
         * a second, no more: it is done unlocked then. */
        fd = open(lock, O_RDWR | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(flock(fd, LOCK_EX));
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                safe_close(fd);
                _exit(runtime_state_remove("locked", getppid()) < 0);
        }
        /* Up to 30 s (a loaded host): without the bound it would be never. */
        pid_t w = 0;
        for (unsigned i = 0; i < 3000 && w == 0; i++) {
                w = waitpid(pid, &status, WNOHANG);
                if (w == 0)
                        (void) usleep(10 * 1000);
        }
        if (w == 0)
                (void) kill(pid, SIGKILL);
        ASSERT_EQ(w, pid);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        ASSERT_ERROR(runtime_state_read("locked", &s), ENOENT);
        fd = safe_close(fd);
        ASSERT_OK(runtime_state_publish("locked", NULL, CGROUP_MANAGER_NONE, getpid(), NULL));
        /* The state files are not listed as a name. */
        _cleanup_strv_free_ char **names = NULL;
        ASSERT_OK(runtime_state_list(&names));
        ASSERT_EQ(strv_length(names), 1u);
        dir_free(d);
}

TEST(scope_names) {
        _cleanup_free_ char *u = NULL, *n = NULL, *m = NULL;

        ASSERT_OK(instance_unit_from_name("worker@3", &u));
        ASSERT_STREQ(u, "cell-worker\\x403.scope");
        ASSERT_OK(instance_name_from_unit(u, &n));
        ASSERT_STREQ(n, "worker@3");
        ASSERT_OK(instance_name_from_unit("cell-my\\x2dweb.scope", &m));
        ASSERT_STREQ(m, "my-web");
        ASSERT_ERROR(instance_name_from_unit("cell-web.service", &m), EINVAL);
        ASSERT_ERROR(instance_name_from_unit("web.scope", &m), EINVAL);
}

TEST(pick_leader) {
        /* we are in no PID namespace below the caller's: not a container's PID 1 */
        pid_t self = getpid();
        ASSERT_EQ(instance_pick_leader(&self, 1), 0);
        ASSERT_EQ(instance_pick_leader(NULL, 0), 0);
}
