/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "config-build.h"
#include "fs-util.h"
#include "log.h"
#include "process-name.h"
#include "take-back.h"
#include "verbs.h"

typedef struct Verb {
        const char *name;
        int (*run)(int argc, char *argv[]);
        const char *summary;
} Verb;

static const Verb verbs[] = {
        { "verify", verb_verify, "Check unit files and report every problem"  },
        { "plan",   verb_plan,   "Show what a unit would do, after drop-ins"  },
        { "run",    verb_run,    "Run a unit's container in the foreground"   },
        { "list",   verb_list,   "List the running cells"                     },
        { "status", verb_status, "Show a running cell"                        },
        { "stop",   verb_stop,   "Stop a running cell gracefully"             },
        { "kill",   verb_kill,   "Send a signal to a running cell"            },
        { "exec",   verb_exec,   "Run a command inside a running cell"        },
        /* cell-monitor's way back into cell (finish.c); not in --help. */
        { "__finish", verb_finish, NULL                                       },
};

/* Started with stdin, stdout or stderr closed (a daemon's child, "cell run
 * X >&-"), the next open() would be given that number: a lock file, the
 * memfd the tree build records what it made in, a cgroup's file; every
 * message to stderr would be written into it, and the payload would start
 * with it as its stdout. /dev/null holds each closed one, as glibc does for
 * a set-user-ID program; without the fd flag FD_CLOEXEC, as stdio. */
static void stdio_open(void) {
        for (int fd = 0; fd < 3; fd++) {
                int n;

                if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
                        continue;
                n = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
                if (n >= 0 && n != fd) {
                        /* Not the lowest free fd: should not happen; leave it as it was. */
                        (void) close(n);
                        return;
                }
        }
}

/* Output a verb printed but could not write (a full disk, a closed pipe):
 * exit 0 would claim output that is not there, as coreutils' close_stdout()
 * says. The verbs that print much (list, status, plan) say it themselves,
 * and exit 2; this catches the rest (--help, --version, ...), once. */
static int stdout_check(int status) {
        int r = fflush_and_check(stdout);

        if (r >= 0 || status != CELL_EXIT_OK)
                return status;
        log_error_errno(r, "Failed to write to standard output: %m");
        return CELL_EXIT_FAILURE;
}

/* $CELL_RUNTIME_DIR and $CELL_CACHE_DIR replace /run/cell and /var/cache/cell
 * only as absolute paths. A relative one was replaced by the default without
 * a word: the runtime state of a cell meant to be apart (a test's) went into
 * the host's /run/cell, next to the real ones, and took their names' locks.
 * Refused instead, as systemd refuses a relative $CREDENTIALS_DIRECTORY; an
 * empty one is unset, as systemd takes empty variables. */
static int environment_check(void) {
        static const char *const names[] = { "CELL_RUNTIME_DIR", "CELL_CACHE_DIR" };

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                const char *e = getenv(names[i]);

                if (!isempty(e) && e[0] != '/') {
                        log_error("$%s=%s is not an absolute path, refusing it (unset, it is %s).",
                                  names[i], e, i == 0 ? CELL_RUNTIME_DIR : CELL_CACHE_DIR);
                        return -EINVAL;
                }
        }
        return 0;
}

static void help(void) {
        printf("cell - a declarative, systemd-style container launcher\n\n"
               "Usage: cell [--help] [--version] VERB [OPTIONS] ...\n\n"
               "Verbs:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (verbs[i].summary)
                        printf("  %-8s %s\n", verbs[i].name, verbs[i].summary);
        printf("\nSee cell(1), cell.unit(5) and \"cell VERB --help\".\n");
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help",    no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {}
        };
        int c;

        /* Before argv[0] is replaced below: where the command line lies. */
        process_name_save(argc, argv);
        stdio_open();
        log_parse_environment();
        take_back_hook_set();

        /* A SIGCHLD ignored by whoever started us (a shell's trap '' CHLD, a
         * daemon that ignores it) is inherited through exec and makes the
         * kernel reap our children unseen: cell run and cell exec wait for
         * theirs and report their exit status. */
        (void) sigaction(SIGCHLD, &(const struct sigaction) { .sa_handler = SIG_DFL }, NULL);

        /* getopt's own messages begin with argv[0]: "cell: ...", as every
         * other message of cell's, not the path it was run by. */
        argv[0] = (char *) "cell";
        /* Stop at the first non-option: everything after the verb is the verb's. */
        while ((c = getopt_long(argc, argv, "+hV", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return stdout_check(CELL_EXIT_OK);
                case 'V':
                        printf("cell %s\n", CELL_VERSION);
                        return stdout_check(CELL_EXIT_OK);
                case '?':
                        return CELL_EXIT_FAILURE;
                default:
                        return CELL_EXIT_FAILURE;
                }

        if (optind >= argc) {
                log_error("Missing verb. See \"cell --help\".");
                return CELL_EXIT_FAILURE;
        }

        if (environment_check() < 0)
                return CELL_EXIT_FAILURE;

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(argv[optind], verbs[i].name)) {
                        int first = optind;
                        char name[32];

                        /* The verb's getopt's: "cell run: unrecognized option
                         * '--frob'", not "run: ...". */
                        (void) snprintf(name, sizeof name, "cell %s", verbs[i].name);
                        argv[first] = name;

                        /* Each verb parses from its own name on; optind = 0 makes
                         * getopt_long start afresh. */
                        optind = 0;
                        return stdout_check(verbs[i].run(argc - first, argv + first));
                }

        log_error("Unknown verb \"%s\". See \"cell --help\".", argv[optind]);
        return CELL_EXIT_FAILURE;
}
