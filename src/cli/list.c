/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cell list [--json] [--legend=BOOL] [--no-legend] [--user]: the cells, from
 * systemd's scopes and cell's own runtime state. */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fs-util.h"
#include "instance.h"
#include "json-write.h"
#include "log.h"
#include "name-lock.h"
#include "parse-value.h"
#include "runtime-state.h"
#include "strv.h"
#include "unit-name.h"
#include "utf8.h"
#include "verbs.h"

uint64_t cli_now_realtime_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / NSEC_PER_USEC;
}

/* "1.5G", "320.0K", "12B"; "-" when unknown. */
const char *cli_format_bytes(char *buf, size_t size, uint64_t v) {
        static const char suffix[] = "KMGTPE";
        double d = (double) v;
        int i = -1;

        if (v == UINT64_MAX)
                return "-";
        if (v < 1024) {
                snprintf(buf, size, "%" PRIu64 "B", v);
                return buf;
        }
        while (d >= 1024 && i < 5) {
                d /= 1024;
                i++;
        }
        snprintf(buf, size, "%.1f%c", d, suffix[i]);
        return buf;
}

/* "3d 4h", "5min 2s", "40s"; "-" when unknown. */
const char *cli_format_span(char *buf, size_t size, uint64_t usec) {
        uint64_t s = usec / USEC_PER_SEC;

        if (usec == UINT64_MAX)
                return "-";
        if (s >= 86400)
                snprintf(buf, size, "%" PRIu64 "d %" PRIu64 "h", s / 86400, s % 86400 / 3600);
        else if (s >= 3600)
                snprintf(buf, size, "%" PRIu64 "h %" PRIu64 "min", s / 3600, s % 3600 / 60);
        else if (s >= 60)
                snprintf(buf, size, "%" PRIu64 "min %" PRIu64 "s", s / 60, s % 60);
        else
                snprintf(buf, size, "%" PRIu64 "s", s);
        return buf;
}

uint64_t cli_uptime_usec(const CellInstance *i) {
        uint64_t now = cli_now_realtime_usec();
        return i->since_usec > 0 && i->since_usec <= now ? now - i->since_usec : UINT64_MAX;
}

static void json_uint_or_null(JsonWriter *w, uint64_t v) {
        if (v == UINT64_MAX)
                json_null(w);
        else
                json_uint(w, v);
}

bool cli_instance_running(const CellInstance *i) {
        /* As "systemctl status" counts a unit running (exit 0): active or
         * reloading alone. A scope systemd stops ("deactivating/stop-sigterm")
         * may still hold the payload, but it is on its way out, as a start
         * under way or a run that cleans up after its payload
         * (cli_lock_holder_instance(): "activating", "deactivating") is not
         * yet or no longer running; nor is a cell "cell status" did not find
         * (no state at all). The cgroupfs and none managers' is "running". */
        return i->state && (streq(i->state, "running") || startswith(i->state, "active/") ||
                            startswith(i->state, "reloading/"));
}

void cli_instance_json(JsonWriter *w, const CellInstance *i) {
        json_object_begin(w);
        json_key(w, "name");            json_string(w, i->name);
        json_key(w, "running");         json_bool(w, cli_instance_running(i));
        json_key(w, "manager");         json_string(w, cgroup_manager_to_string(i->manager));
        json_key(w, "scope");           json_string(w, i->unit);
        json_key(w, "slice");           json_string(w, i->slice);
        json_key(w, "service");         json_string(w, i->service);
        json_key(w, "description");     json_string(w, i->description);
        json_key(w, "unit_path");       json_string(w, i->unit_path);
        json_key(w, "state");           json_string(w, i->state);
        json_key(w, "pid");
        if (i->leader > 0)
                json_uint(w, (uint64_t) i->leader);
        else
                json_null(w);
        json_key(w, "supervisor_pid");
        if (i->supervisor > 0)
                json_uint(w, (uint64_t) i->supervisor);
        else
                json_null(w);
        json_key(w, "since_usec");      json_uint_or_null(w, i->since_usec ?: UINT64_MAX);
        json_key(w, "uptime_usec");     json_uint_or_null(w, cli_uptime_usec(i));
        json_key(w, "control_group");   json_string(w, i->control_group);
        json_key(w, "memory_current");  json_uint_or_null(w, i->memory_current);
        json_key(w, "tasks_current");   json_uint_or_null(w, i->tasks_current);
        json_object_end(w);
}

static void help(void) {
        printf("cell list [OPTIONS]\n\n"
               "List the cells: name, cgroup manager, scope, the container's PID 1, state,\n"
               "uptime, memory and tasks. Those running, starting and stopping, and those\n"
               "whose cell run was killed (\"failed\": \"cell stop NAME\" removes what it left).\n\n"
               "  -h --help          Show this help\n"
               "     --json         Print a JSON array (keys documented in cell(1))\n"
               "     --legend=BOOL  Whether to show the column headings and the count\n"
               "     --no-legend    Leave out the column headings and the count: one line\n"
               "                    per cell, its name first (for scripts)\n"
               "     --user         Ask the user's systemd instead of the system's\n\n"
               "Exit status: 0 listed (\"No cells.\" too), 2 on errors, also when systemd's\n"
               "bus does not answer: the cells in its scopes are missing then.\n");
}

/* One line of the table: the columns as text. */
enum { LIST_COLUMNS = 8 };
typedef struct ListRow {
        const char *col[LIST_COLUMNS];
        char pid[16], up[32], mem[32], tasks[32];
        char *name;     /* x->name escaped */
} ListRow;

static int list_row_fill(ListRow *row, const CellInstance *x) {
        /* As "cell status" shows a description: a name of a scope that is
         * none of cell's with an escape sequence or a bidi override in it
         * would otherwise recolour or reorder the terminal's lines. */
        row->name = utf8_escaped(x->name);
        if (!row->name)
                return -ENOMEM;
        snprintf(row->pid, sizeof row->pid, "%d", (int) x->leader);
        if (x->tasks_current == UINT64_MAX)
                snprintf(row->tasks, sizeof row->tasks, "-");
        else
                snprintf(row->tasks, sizeof row->tasks, "%" PRIu64, x->tasks_current);
        row->col[0] = row->name;
        row->col[1] = strna(cgroup_manager_to_string(x->manager));
        row->col[2] = x->unit ?: "-";
        row->col[3] = x->leader > 0 ? row->pid : "-";
        row->col[4] = strna(x->state);
        row->col[5] = cli_format_span(row->up, sizeof row->up, cli_uptime_usec(x));
        row->col[6] = cli_format_bytes(row->mem, sizeof row->mem, x->memory_current);
        row->col[7] = row->tasks;
        return 0;
}

/* The errno of the first write to stdout that failed (*error, when it is
 * 0): a buffer that failed as it filled up is dropped, and the final
 * fflush() may then succeed, leaving only ferror() without a cause. */
static void list_note_error(int n, int *error) {
        if (n < 0 && *error == 0)
                *error = errno > 0 ? errno : EIO;
}

static void list_row_print(const ListRow *row, const size_t width[static LIST_COLUMNS], int *error) {
        /* No padding after the last column: no trailing blanks. */
        for (size_t k = 0; k < LIST_COLUMNS - 1; k++)
                list_note_error(printf("%-*s ", (int) width[k], row->col[k]), error);
        list_note_error(printf("%s\n", row->col[LIST_COLUMNS - 1]), error);
}

/* As machinectl list and systemctl list-units print theirs: each column as
 * wide as its widest entry (a long name widens its column instead of
 * pushing the rest of its line out of place), one blank between columns,
 * the headings only with the legend (and only the legend's count when no
 * cell runs). */
static int list_print_table(const CellInstance *l, size_t n, bool legend) {
        static const ListRow heading = { .col = {
                "NAME", "MANAGER", "SCOPE", "PID", "STATE", "UPTIME", "MEMORY", "TASKS" } };
        _cleanup_free_ ListRow *rows = NULL;
        size_t width[LIST_COLUMNS] = {};
        int error = 0, r = 0;

        if (n > 0) {
                rows = calloc(n, sizeof *rows);
                if (!rows)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < n && r >= 0; i++)
                r = list_row_fill(rows + i, l + i);
        if (r < 0)
                goto out;
        for (size_t k = 0; k < LIST_COLUMNS; k++) {
                width[k] = legend ? strlen(heading.col[k]) : 0;
                for (size_t i = 0; i < n; i++)
                        width[k] = MAX(width[k], strlen(rows[i].col[k]));
        }

        if (legend && n > 0)
                list_row_print(&heading, width, &error);
        for (size_t i = 0; i < n; i++)
                list_row_print(rows + i, width, &error);
        if (legend) {
                if (n > 0)
                        list_note_error(printf("\n%zu cell%s listed.\n", n, n == 1 ? "" : "s"), &error);
                else
                        list_note_error(printf("No cells.\n"), &error);
        }
        r = fflush_and_check(stdout);
        if (error > 0)
                r = -error;
out:
        for (size_t i = 0; i < n; i++)
                free(rows[i].name);
        return r;
}

/* A start under way: the name's lock held, no runtime state yet
 * (name_lock_holder_pidfd()). Shown as systemctl shows an activating unit:
 * state "activating", the PID of its cell run, nothing else known. A
 * holder whose state is there (stale: its payload has ended) cleans up
 * after its run: "deactivating", as systemctl shows a unit that stops.
 * -ESRCH when no one holds the lock. */
int cli_lock_holder_instance(const char *name, CellInstance *ret) {
        pid_t pid = 0;
        _cleanup_close_ int pidfd = name_lock_holder_pidfd(name, &pid);

        if (pidfd < 0)
                return -ESRCH;
        bool stopping = runtime_state_of_supervisor(name, pid) > 0;  /* unknown: as a start */
        CgroupManager manager = name_lock_holder_manager(name);
        CellInstance i = { .manager = manager < _CGROUP_MANAGER_MAX ? manager : CGROUP_MANAGER_CGROUPFS,
                           .supervisor = pid,
                           .memory_current = UINT64_MAX, .tasks_current = UINT64_MAX,
                           .name = strdup(name),
                           .state = strdup(stopping ? "deactivating" : "activating") };
        if (!i.name || !i.state) {
                instance_done(&i);
                return -ENOMEM;
        }
        *ret = i;
        return 0;
}

/* Whether name is among the n at l already. */
static bool list_has(const CellInstance *l, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (streq(l[i].name, name))
                        return true;
        return false;
}

/* x appended to the n at l (taken: done on failure). */
static int list_append(CellInstance **l, size_t *n, CellInstance *x) {
        CellInstance *m = x->name && x->state ? realloc(*l, (*n + 1) * sizeof **l) : NULL;

        if (!m) {
                instance_done(x);
                return -ENOMEM;
        }
        *l = m;
        m[(*n)++] = *x;
        return 0;
}

/* The runs that were killed: their runtime state left, their cell run and
 * payload gone (runtime_state_left()). Listed as systemctl list-units lists
 * a unit that failed, state "failed", until "cell stop NAME" or the name's
 * next start removes what they left; no PID 1, no uptime. -ESRCH: none of
 * NAME (or one that is unreadable, or names another: "cell status NAME"
 * says what is wrong, as instance_list() leaves it out). */
static int left_instance(const char *name, CellInstance *ret) {
        RuntimeState s = {};
        int r;

        /* A name no verb takes is left out, as instance_list() leaves it. */
        if (!cell_name_is_valid(name, UNIT_NAME_ANY))
                return -ESRCH;
        r = runtime_state_left(name, &s);
        if (r == -ENOMEM)
                return r;
        if (r <= 0 || !streq_ptr(s.name, name)) {
                runtime_state_done(&s);
                return -ESRCH;
        }
        *ret = (CellInstance) { .manager = s.manager, .name = strdup(name), .state = strdup("failed"),
                                .unit_path = TAKE_PTR(s.unit_path),
                                .memory_current = UINT64_MAX, .tasks_current = UINT64_MAX };
        runtime_state_done(&s);
        return 0;
}

/* Of names, those not listed yet that make() finds (-ESRCH: none), among
 * the others, by name. */
static int list_add(CellInstance **l, size_t *n, char **names, int (*make)(const char *name, CellInstance *ret)) {
        size_t before = *n;
        int r;

        STRV_FOREACH(name, names) {
                CellInstance x;

                if (list_has(*l, *n, *name))
                        continue;
                r = make(*name, &x);
                if (r == -ESRCH)
                        continue;
                if (r >= 0)
                        r = list_append(l, n, &x);
                if (r < 0)
                        return r;
        }
        if (*n > before)
                instance_sort(*l, *n);
        return 0;
}

/* The starts under way and the runs that clean up (their name's lock
 * held), then the runs that were killed (their runtime state left). */
static int list_add_not_running(CellInstance **l, size_t *n) {
        _cleanup_strv_free_ char **locked = NULL, **states = NULL;
        int r;

        r = name_lock_names(&locked);
        if (r >= 0)
                r = list_add(l, n, locked, cli_lock_holder_instance);
        if (r >= 0)
                r = runtime_state_list(&states);
        if (r >= 0)
                r = list_add(l, n, states, left_instance);
        return r;
}

int verb_list(int argc, char *argv[]) {
        enum { ARG_JSON = 0x100, ARG_LEGEND, ARG_NO_LEGEND, ARG_USER };
        static const struct option options[] = {
                { "help",      no_argument,       NULL, 'h'           },
                { "json",      no_argument,       NULL, ARG_JSON      },
                { "legend",    required_argument, NULL, ARG_LEGEND    },
                { "no-legend", no_argument,       NULL, ARG_NO_LEGEND },
                { "user",      no_argument,       NULL, ARG_USER      },
                {}
        };
        bool json = false, legend = true, user_bus = false;
        CellInstance *l = NULL;
        size_t n = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return CELL_EXIT_OK;
                case ARG_JSON:
                        json = true;
                        break;
                case ARG_LEGEND:
                        /* systemctl's --legend=BOOL (since 248); --no-legend is its older form. */
                        r = parse_boolean(optarg);
                        if (r < 0) {
                                _cleanup_free_ char *shown = utf8_escaped(optarg);     /* as a name is echoed */
                                if (!shown)
                                        return log_oom(), CELL_EXIT_FAILURE;
                                log_error("Invalid --legend=%s: expected a boolean.", shown);
                                return CELL_EXIT_FAILURE;
                        }
                        legend = r;
                        break;
                case ARG_NO_LEGEND:
                        legend = false;
                        break;
                case ARG_USER:
                        user_bus = true;
                        break;
                case '?':
                        return CELL_EXIT_FAILURE;
                default:
                        return CELL_EXIT_FAILURE;
                }
        if (optind < argc) {
                log_error("cell list takes no arguments. See \"cell list --help\".");
                return CELL_EXIT_FAILURE;
        }

        /* Those of the runtime state are listed all the same, but never as
         * all there are ("No cells." with cell@web.service running). A cell
         * found in systemd's scope says the bus answered the listing: no
         * second connection to ask it again (a systemd start under way, its
         * name's lock alone, says nothing of the bus). */
        bool bus_answered = false;
        r = instance_list(user_bus, &l, &n);
        for (size_t i = 0; r >= 0 && i < n; i++)
                bus_answered = bus_answered || l[i].manager == CGROUP_MANAGER_SYSTEMD;
        if (r >= 0)
                r = list_add_not_running(&l, &n);
        if (r < 0) {
                log_error_errno(r, "Listing the running cells: %m");
                return CELL_EXIT_FAILURE;
        }
        bool partial = !bus_answered && cli_systemd_unreachable(user_bus, NULL);
        if (partial)
                log_error("The %s bus does not answer: the cells in systemd's scopes cannot be listed, only "
                          "those run with the cgroupfs or none manager.", user_bus ? "user" : "system");

        if (json) {
                JsonWriter w;
                json_writer_init(&w, stdout, true);
                json_array_begin(&w);
                for (size_t i = 0; i < n; i++)
                        cli_instance_json(&w, l + i);
                json_array_end(&w);
                r = json_writer_finish(&w);
        } else if (!partial || n > 0)
                r = list_print_table(l, n, legend);
        if (r == -ENOMEM)
                log_oom();
        else if (r < 0)
                /* A full disk, a closed pipe: a script must not take what it got for the whole list. */
                log_error_errno(r, "Failed to print the cells: %m");
        instance_free_many(l, n);
        return r < 0 || partial ? CELL_EXIT_FAILURE : CELL_EXIT_OK;
}
