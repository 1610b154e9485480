/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Internal to config-*.c: the key table's shape and its parsers.
 *
 * A parser gets the value of one assignment and the member it writes
 * (data = (char *) config + key->offset). An empty value is a reset and
 * each parser handles it (lists empty, single values back to default).
 * It returns 0, -ENOMEM, or -EINVAL; on -EINVAL the dispatcher reports
 * "Key=value: expected <key->expected>" unless the parser already reported
 * something more precise with config_bad(). */

#include <stddef.h>

#include "config-parse.h"
#include "config.h"
#include "diag.h"
#include "parse-exec.h"

typedef struct ConfigKey ConfigKey;

typedef struct ConfigContext {
        const char *file;       /* as the reader names it; only valid during the call: an entry copies it */
        unsigned line;
        Diagnostics *diag;
        const char *section;
        const char *key;
        const char *value;
        const ConfigSpecifiers *specifiers;     /* NULL: "%" is taken as written */
        /* cell verify: an Alias= systemctl enable refuses is an error, not
         * a warning with the alias left out (config_assign_expand()). */
        bool verify;
        bool reported;
        /* Set by the parser of a list key whose items the start or a check
         * across keys may name one by one: the list's length after this line (config_origin_record()). */
        size_t items;
        /* Set by the parser of a CPU or NUMA node set: the CPUs (nodes) this
         * line named, which its origin keeps (config_origin_record() takes
         * them); reset: the line named none, and so emptied the set. */
        uint8_t *set;
        size_t set_size;
        bool reset;
} ConfigContext;

/* Where a key's specifiers are expanded (config-parse.h says why). */
typedef enum ConfigSpecifierMode {
        CONFIG_SPEC_NONE = 0,     /* numbers, sizes, names: "%" is no specifier */
        CONFIG_SPEC_VALUE,        /* the whole value, before its parser sees it */
        CONFIG_SPEC_PARSER,       /* the parser, in each word or path it splits off */
} ConfigSpecifierMode;

typedef int (*ConfigParser)(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);

struct ConfigKey {
        const char *section;
        const char *key;
        ConfigParser parse;
        size_t offset;          /* of the member in CellConfig */
        int ltype;              /* parser specific (default, resource, read-only ...) */
        const char *expected;   /* "an absolute path": completes "Key=value: expected ..." */
        ConfigSpecifierMode specifiers;
};

/* Reports "Key=value: expected <fmt...>" and returns -EINVAL (or -ENOMEM). */
int config_bad(ConfigContext *ctx, const char *fmt, ...) _printf_(2, 3);

/* For CONFIG_SPEC_PARSER keys: s with its specifiers expanded into a
 * new *ret (a copy where the key takes none or the loader gave no
 * specifiers). An unknown or unresolvable specifier is reported as
 * "Key=value: unknown specifier %x" and gives -EINVAL. */
int config_expand(ConfigContext *ctx, const ConfigKey *k, const char *s, char **ret);
/* ... each word of l, in place. */
int config_expand_strv(ConfigContext *ctx, const ConfigKey *k, char **l);
/* ... *path in place, then checked again as an absolute path without ".."
 * and normalised: "Key=value: expected ... (its specifiers make it "...")". */
int config_expand_path(ConfigContext *ctx, const ConfigKey *k, char **path);
/* ctx->value split into words (extract_first_word() with flags; bad
 * quoting is reported), then each word's specifiers expanded: what a list
 * key adds. *ret is an empty strv for a value of blanks. */
int config_split_words(ConfigContext *ctx, const ConfigKey *k, ExtractFlags flags, char ***ret);

/* config-generic.c */
/* Grows *array of *n elements of size sz by one; the new slot (zeroed), NULL on OOM. */
void *config_array_append(void **array, size_t *n, size_t sz);
/* The length of *list, a word list of c (&c->after ...), kept for its next
 * line; config_list_extend() appends copies of words to it. */
size_t config_list_length(CellConfig *c, char ***list);
void config_list_set_length(CellConfig *c, char ***list, size_t n);
int config_list_extend(CellConfig *c, char ***list, char * const *words);
/* Replaces *dst with a copy of s (NULL for an empty s: the reset). */
int config_set_string(char **dst, const char *s);
/* Words of ctx->value (config_split_words()), each checked by valid(),
 * appended to *list, one of c's lists (c NULL: the caller's own); an empty
 * value resets it. */
int config_parse_words(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, char ***list,
                       ExtractFlags flags, bool (*valid)(const char *));
/* Where an entry was written, for the plan's and the start's messages: its
 * own copy of the reader's file name (the main file or the drop-in) and the line. */
int config_entry_origin(const ConfigContext *ctx, char **ret_file, unsigned *ret_line);
/* A CPU or NUMA node set's line (AllowedCPUs= ..., CPUAffinity=): its
 * CPUs added to *set, or the set emptied by a line that names none; the
 * line's own CPUs in ctx->set for its origin. -EINVAL: not a set. */
int config_cpu_set_line(ConfigContext *ctx, uint8_t **set, size_t *set_size);
/* Every key cell knows, in the table's order (*ret_n of them): for the test
 * that holds them against cell.unit(5). */
const ConfigKey *config_key_table(size_t *ret_n);
/* After a good assignment: where key k was set, in c->origins (see
 * CellOrigin). 0 or -ENOMEM. */
int config_origin_record(CellConfig *c, ConfigContext *ctx, const ConfigKey *k);
int config_parse_string(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
/* An empty value that systemd (who: "systemd", "nspawn") ignores, keeping
 * the earlier one: refused, not taken for a reset, so that a drop-in's
 * "Key=" does not undo here what it leaves alone there. -EINVAL or -ENOMEM. */
int config_empty_refused(ConfigContext *ctx, const char *expected, const char *who);
int config_parse_bool(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_tristate(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_unit_names(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_unit_name(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_instance(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_documentation(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_description(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_path(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_user(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_users(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_hostname(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_ifname(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_ifnames(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);

/* config-root.c */
int config_parse_bind(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_tmpfs(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_inaccessible(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_overlay(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_volatile(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);

/* config-exec.c */
int config_parse_exec(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_environment(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_environment_file(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_env_names(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_working_directory(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_umask(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_signal(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_timeout(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_register(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_machine_id(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);

/* config-credential.c */
int config_parse_load_credential(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_set_credential(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);

/* config-etc.c */
int config_parse_resolv_conf(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_timezone(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);

/* config-sched.c */
int config_parse_nice(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_cpu_sched_policy(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_cpu_sched_priority(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_io_sched_class(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_io_sched_priority(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_cpu_affinity(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_personality(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
/* For config_finish(): CPUSchedulingPriority= outside the range of the
 * policy in force, reported in diag at its line. 0, or -ENOMEM. */
int config_finish_sched(const CellConfig *c, Diagnostics *diag);

/* config-isolation.c */
int config_parse_private_users(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_capabilities(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_syscall_filter(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_syscall_archs(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_restrict_namespaces(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_address_families(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_errno(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);

/* config-limits.c */
int config_parse_memory(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_cpu_quota(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_cpu_quota_period(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_cpu_weight(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_weight(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_cpuset(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_tasks_max(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_device_allow(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_io_device(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_rlimit(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_oom_score_adjust(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_slice(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_port(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_address(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);

/* config-network.c */
int config_parse_zone(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);
int config_parse_veth_extra(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data);

/* config.c: frees of list members, shared with the reset paths */
void cell_config_free_binds(CellConfig *c);
void cell_config_free_tmpfs(CellConfig *c);
void cell_config_free_inaccessible(CellConfig *c);
void cell_config_free_overlays(CellConfig *c);
void cell_config_free_environment_files(CellConfig *c);
void cell_config_free_device_allow(CellConfig *c);
/* LoadCredential= (set false) or SetCredential= (set true); values erased. */
void cell_config_free_credentials(CellConfig *c, bool set);   /* config-credential.c */
void cell_config_free_veth_extras(CellConfig *c);   /* config-network.c */
/* The IO per-device entries of kind, or all of them for _CELL_IO_KIND_MAX. */
void cell_config_free_io_devices(CellConfig *c, CellIOKind kind);
