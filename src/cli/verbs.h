/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One verb per file (crun's layout); each parses its own options with
 * getopt_long starting at argv[0] == the verb's name, and returns the
 * process exit status. */

/* Exit statuses, documented in cell(1). The payload's own status (or
 * 128+signal) is returned by "run" as it is. */
#define CELL_EXIT_OK            0
#define CELL_EXIT_INVALID       1       /* a unit is invalid */
#define CELL_EXIT_FAILURE       2       /* usage, environment or launcher error */
/* (added) status/stop/kill: the cell is not running (as "systemctl status"). */
#define CELL_EXIT_NOT_RUNNING   3

int verb_verify(int argc, char *argv[]);
int verb_plan(int argc, char *argv[]);
int verb_run(int argc, char *argv[]);
/* (added) The lifecycle verbs: list.c, status.c, stop.c, kill.c, exec.c. */
int verb_list(int argc, char *argv[]);
int verb_status(int argc, char *argv[]);
int verb_stop(int argc, char *argv[]);
int verb_kill(int argc, char *argv[]);
int verb_exec(int argc, char *argv[]);
/* cell-monitor's way back (finish.c): the clean-up after the payload. */
int verb_finish(int argc, char *argv[]);

/* Shared by list.c and status.c (defined in list.c). */
typedef struct CellInstance CellInstance;
typedef struct JsonWriter JsonWriter;
uint64_t cli_now_realtime_usec(void);
const char *cli_format_bytes(char *buf, size_t size, uint64_t v);
const char *cli_format_span(char *buf, size_t size, uint64_t usec);
uint64_t cli_uptime_usec(const CellInstance *i);
/* Whether i runs as "systemctl status" counts a unit running: not starting,
 * not stopping ("running": true in the JSON, exit 0 of "cell status"). */
bool cli_instance_running(const CellInstance *i);
void cli_instance_json(JsonWriter *w, const CellInstance *i);
/* The start under way (or the run that cleans up after its payload) that
 * holds NAME's lock, as "cell list" shows it; -ESRCH when none does. */
int cli_lock_holder_instance(const char *name, CellInstance *ret);

/* unit-status.c: the exit status for unit_load()'s or plan_build()'s error
 * r < 0: CELL_EXIT_INVALID when the unit is invalid or cannot be loaded as
 * a unit at all (missing, a directory, not a regular file, too large, a
 * symlink loop, a name too long),
 * CELL_EXIT_FAILURE when it could not be read (permissions, I/O, memory). */
int cli_unit_exit_status(int r);
/* unit-status.c: unit_load() and plan_build() of UNIT, every diagnostic of
 * both printed to stderr. Returns 0 with *ret filled in, else their error
 * (*ret untouched), for cli_unit_exit_status(); logs nothing else. */
typedef struct Diagnostics Diagnostics;
typedef struct Plan Plan;
typedef struct PlanOptions PlanOptions;
typedef struct UnitLoadOptions UnitLoadOptions;
int cli_load_plan(const char *unit, const UnitLoadOptions *lo, const PlanOptions *po, Plan *ret);
/* Each message of d on stderr, as cli_load_plan() prints the unit's. */
void cli_diag_print(const Diagnostics *d);

/* lookup.c: --name=NAME of run, verify and plan. A name that can be none
 * is a usage error (exit 2), refused, saying why, before the unit is read;
 * the loader would report it as an invalid unit (exit 1), the status of a
 * unit file at fault. 0 or a negative errno (logged). */
int cli_check_name_option(const char *name);

/* lookup.c: the running cell ARG names ("web", "web.cell", "worker@3").
 * Returns CELL_EXIT_OK with *ret_name and *ret filled in, else the exit
 * status after logging why: CELL_EXIT_FAILURE for a bad name or a failed
 * lookup, CELL_EXIT_NOT_RUNNING (logged only with report_not_running; the
 * name is still handed back) when no such cell runs. */
int cli_find_instance(const char *arg, bool user_bus, bool report_not_running,
                      char **ret_name, CellInstance *ret);
/* Whether systemd runs the machine and has a scope of the cell NAME (NULL:
 * of any cell), but its (user_bus: the user's) bus does not answer: the
 * cells in its scopes cannot be looked up. */
bool cli_systemd_unreachable(bool user_bus, const char *name);

/* environment-files.c: the plan's EnvironmentFile= files read into *env,
 * in order (a missing "-" one skipped); what was wrong with one logged:
 * not a regular file, too large, a line too long or not KEY=VALUE. */
int cli_read_environment_files(const Plan *p, char ***env);
/* ... the variables of our own environment the plan passes through (TERM,
 * PassEnvironment=), those that are set, into *env. */
int cli_pass_environment(const Plan *p, char ***env);
/* ... the payload's environment merged as the spawn does (less the user's
 * $HOME, $USER ..., from the container's passwd): a variable longer than
 * execve(2) takes is logged, naming it and where it came from, -E2BIG. */
int cli_check_environment(const Plan *p, char * const *before, char * const *after);
