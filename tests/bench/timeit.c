/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* timeit [-n RUNS] [-w WARMUP] [-g MS] [-a] [-c] [-f FD=FILE] SPEC OUT: start-to-exit wall time of the
 * commands in SPEC, interleaved (round r runs every command once, so that
 * drift of the machine hits all of them alike), in an order shuffled anew
 * each round (fixed seed: the same sequence every time). A fixed order would
 * favour whoever follows a launcher that moved a process between cgroups:
 * the kernel makes the first migration after a quiet spell wait for an RCU
 * grace period (5-20 ms here), and one soon after another does not wait.
 *
 * SPEC: one command per line, fields separated by tabs: LABEL, then argv;
 * NAME=VALUE fields before argv[0] are added to that command's environment.
 * "{}" in an argument becomes a token unique to the run ("<line>x<round>"):
 * launchers that name a scope or container after it must not collide with
 * the one of the previous run, which systemd may still be collecting.
 * OUT: one line per measured run, "LABEL NANOSECONDS EXITSTATUS".
 * stdin and stdout are /dev/null, stderr goes to OUT.log; -f opens FILE
 * read-only as FD in every child (bwrap --seccomp FD). Medians are the
 * caller's business (tests/bench/run). Not hyperfine: hyperfine cannot vary
 * an argument from one run to the next.
 *
 * -g MS: a quiet spell of MS milliseconds before every run, so that each
 * start is a lone one (a service started at boot, a deployment's single
 * "cell run") and pays the kernel's grace period in full, if it pays it.
 *
 * -a: again at once. Each command runs twice in a row with the same token,
 * and the second run is the one measured: the same container name started
 * again right after its last run exited (a job run in a loop, a quick
 * restart), while systemd may still hold the last run's scope.
 *
 * -c: also the CPU each run cost, as a fourth field in nanoseconds ("-" if
 * the kernel has no counter): the command's task-clock as perf stat counts
 * it, from its exec on, inherited by every process it forks (also one that
 * another process reaps, or that a service manager moved into a scope) and
 * read when the command has exited; not PID 1 or dbus-daemon, which work on
 * its behalf. The counter costs forks and
 * context switches a little, so the caller makes a pass of its own for it. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/perf_event.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 32
#define MAX_ARGS 2048

extern char **environ;

typedef struct Cmd {
        char *label;
        char *argv[MAX_ARGS + 1];
        size_t argc;
        char **envp;            /* environ, plus the command's NAME=VALUE fields */
} Cmd;

static long long now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* -c: forks, opens a task-clock counter on the child that starts at its exec
 * and is inherited by all it forks, lets it exec with posix_spawn's file
 * actions done by hand, waits. *ret_cpu: nanoseconds, or -1. */
static int run_counted(char **a, char **envp, const char *logpath, int extra_fd, const char *extra,
                       int *ret_status, long long *ret_cpu) {
        struct perf_event_attr attr = {
                .type = PERF_TYPE_SOFTWARE,
                .size = sizeof attr,
                .config = PERF_COUNT_SW_TASK_CLOCK,
                .disabled = 1,
                .enable_on_exec = 1,
                .inherit = 1,
        };
        int go[2], counter;
        unsigned long long v;
        pid_t pid;

        if (pipe2(go, O_CLOEXEC) < 0)
                return -1;
        pid = fork();
        if (pid < 0) {
                close(go[0]);
                close(go[1]);
                return -1;
        }
        if (pid == 0) {
                char c;
                int fd;

                close(go[1]);
                if (read(go[0], &c, 1) != 1)
                        _exit(127);
                /* Opened O_CLOEXEC, so that only their copies (dup2() clears
                 * the flag) reach the command, as with posix_spawn's actions. */
                if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0)
                        _exit(127);
                if ((fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0 || dup2(fd, 2) < 0)
                        _exit(127);
                if (extra_fd > 2 && extra &&
                    ((fd = open(extra, O_RDONLY | O_CLOEXEC)) < 0 ||
                     (fd == extra_fd ? fcntl(fd, F_SETFD, 0) : dup2(fd, extra_fd)) < 0))
                        _exit(127);
                execve(a[0], a, envp);
                _exit(127);
        }
        close(go[0]);
        counter = syscall(SYS_perf_event_open, &attr, pid, -1, -1, PERF_FLAG_FD_CLOEXEC);
        if (write(go[1], "x", 1) != 1)
                perror("timeit: write");
        close(go[1]);
        while (waitpid(pid, ret_status, 0) < 0)
                ;
        *ret_cpu = counter >= 0 && read(counter, &v, sizeof v) == sizeof v ? (long long) v : -1;
        if (counter >= 0)
                close(counter);
        return 0;
}

/* "{}" in each argument replaced by token; returns a new argv (leaked: tiny). */
static char **expand(const Cmd *c, const char *token) {
        static char *out[MAX_ARGS + 1];
        for (size_t i = 0; i < c->argc; i++) {
                const char *a = c->argv[i], *p = strstr(a, "{}");
                if (!p) {
                        out[i] = (char *) a;
                        continue;
                }
                if (asprintf(&out[i], "%.*s%s%s", (int) (p - a), a, token, p + 2) < 0)
                        out[i] = (char *) a;
        }
        out[c->argc] = NULL;
        return out;
}

int main(int argc, char *argv[]) {
        int runs = 20, warmup = 2, gap_ms = 0, passes = 1, opt, counted = 0;
        Cmd cmds[MAX_CMDS];
        size_t n = 0;
        char *line = NULL, logpath[4096], *extra = NULL;
        size_t linesz = 0;
        int extra_fd = -1;
        FILE *spec, *out;

        while ((opt = getopt(argc, argv, "+n:w:g:acf:")) > 0)
                switch (opt) {
                case 'n': runs = atoi(optarg); break;
                case 'w': warmup = atoi(optarg); break;
                case 'g': gap_ms = atoi(optarg); break;
                case 'a': passes = 2; break;
                case 'c': counted = 1; break;
                case 'f': extra_fd = atoi(optarg); extra = strchr(optarg, '=') ? strchr(optarg, '=') + 1 : NULL; break;
                default: return 2;
                }
        if (argc - optind != 2)
                return fprintf(stderr, "usage: timeit [-n RUNS] [-w WARMUP] [-g MS] [-a] [-c] [-f FD=FILE] SPEC OUT\n"), 2;
        spec = fopen(argv[optind], "re");
        out = fopen(argv[optind + 1], "we");
        if (!spec || !out)
                return perror("timeit"), 2;
        snprintf(logpath, sizeof logpath, "%s.log", argv[optind + 1]);

        while (n < MAX_CMDS && getline(&line, &linesz, spec) > 0) {
                Cmd *c = cmds + n;
                char *save = NULL;
                line[strcspn(line, "\n")] = 0;
                c->label = strtok_r(line, "\t", &save);
                if (!c->label)
                        continue;
                c->label = strdup(c->label);
                c->argc = 0;
                size_t n_env = 0, n_environ = 0;
                while (environ[n_environ])
                        n_environ++;
                c->envp = calloc(n_environ + MAX_ARGS + 1, sizeof(char *));
                for (char *a; c->argc < MAX_ARGS && (a = strtok_r(NULL, "\t", &save)); ) {
                        if (c->argc == 0 && a[0] != '/' && strchr(a, '='))
                                c->envp[n_env++] = strdup(a);
                        else
                                c->argv[c->argc++] = strdup(a);
                }
                memcpy(c->envp + n_env, environ, n_environ * sizeof(char *));
                if (c->argc > 0)
                        n++;
        }

        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, logpath, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (extra_fd > 2 && extra)
                posix_spawn_file_actions_addopen(&fa, extra_fd, extra, O_RDONLY, 0);

        size_t order[MAX_CMDS];
        uint64_t seed = 0x9e3779b97f4a7c15ULL;
        for (size_t i = 0; i < n; i++)
                order[i] = i;
        for (int r = -warmup; r < runs; r++) {
                for (size_t k = n; k > 1; k--) {        /* Fisher-Yates, xorshift64 */
                        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
                        size_t j = seed % k, t = order[k - 1];
                        order[k - 1] = order[j], order[j] = t;
                }
                for (size_t o = 0; o < n; o++) {
                        size_t i = order[o];
                        char token[64];
                        pid_t pid;
                        int status;

                        snprintf(token, sizeof token, "%zux%d", i, r + warmup);
                        char **a = expand(cmds + i, token);
                        if (gap_ms > 0)
                                nanosleep(&(struct timespec) { gap_ms / 1000, (gap_ms % 1000) * 1000000L }, NULL);
                        long long t0 = 0, cpu = -1;
                        for (int p = 0; p < passes; p++) {      /* the last pass is measured */
                                t0 = now_ns();
                                if (counted) {
                                        if (run_counted(a, cmds[i].envp, logpath, extra_fd, extra, &status, &cpu) < 0) {
                                                perror("timeit: fork");
                                                return 2;
                                        }
                                        continue;
                                }
                                if (posix_spawn(&pid, a[0], &fa, NULL, a, cmds[i].envp) != 0) {
                                        perror(a[0]);
                                        return 2;
                                }
                                while (waitpid(pid, &status, 0) < 0)
                                        ;
                        }
                        long long dt = now_ns() - t0;
                        if (r < 0)
                                continue;
                        fprintf(out, "%s %lld %d", cmds[i].label, dt,
                                WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
                        if (counted && cpu >= 0)
                                fprintf(out, " %lld", cpu);
                        else if (counted)
                                fputs(" -", out);
                        fputc('\n', out);
                }
        }
        fclose(out);
        return 0;
}
