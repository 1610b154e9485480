/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Symlinks in the search path, as systemd 252 reads its unit path
 * (unit_file_build_name_map(), unit_file_resolve_symlink(),
 * unit_file_find_fragment() in src/shared/unit-file.c):
 *
 *  - DIR/NAME.cell that is not a symlink is the unit NAME's file;
 *  - a symlink whose target lies outside the search path is a "linked" unit
 *    file: the unit is NAME, called after the link, and is read through it
 *    (a link to /dev/null is a mask);
 *  - a symlink whose target is a file directly in a directory of the search
 *    path is an *alias*: NAME is another name of the target's unit, which is
 *    looked up by its name (so the target's name counts, not which copy the
 *    link points to). A plain name aliases a plain name, a template a
 *    template, an instance the same instance or a template (web@1.cell ->
 *    www@.cell); anything else, and a link to a unit of its own name, is
 *    ignored, as systemd ignores it;
 *  - the first directory with an entry of a name decides (ignored links
 *    aside); an alias whose target does not exist hides lower copies.
 *
 * Where cell differs: a target in a subdirectory of a search directory is a
 * linked file here; systemd takes it for an alias by its file name, looked
 * up at the top of the search path, and warns that the link is suspicious. */

#include "macros.h"

typedef enum UnitEntryKind {
        UNIT_ENTRY_FILE,        /* a file (or whatever is no symlink) */
        UNIT_ENTRY_LINKED,      /* a symlink out of the search path */
        UNIT_ENTRY_ALIAS,       /* a symlink to another unit's name */
} UnitEntryKind;

typedef struct UnitEntry {
        UnitEntryKind kind;
        char *name;             /* the entry's unit name: "web", "worker@" */
        char *path;             /* DIR/NAME.cell */
        char *alias_of;         /* UNIT_ENTRY_ALIAS: the target's unit name */
} UnitEntry;

void unit_entry_done(UnitEntry *e);

/* notes: when not NULL, a "PATH: why" is appended for each symlink that
 * was ignored on the way (a note each, however often it is passed). */

/* The entry of name (without ".cell") in search_path, the first directory
 * having one winning. -ENOENT when there is none. */
int unit_entry_lookup(char * const *search_path, const char *name, char ***notes, UnitEntry *ret);

/* Classifies DIR/FILE by the rules above, as if found in search_path. 0 and
 * ret filled in; -EXDEV when it is a symlink systemd would ignore (a note
 * says why, unless it is a link to its own name); -ENOENT when it does not
 * exist; -EINVAL when FILE is no unit file name. */
int unit_entry_classify(char * const *search_path, const char *dir, const char *file,
                        char ***notes, UnitEntry *ret);

/* Follows aliases from entry (at most 8 hops; an instance name missing at
 * the end of a hop is looked up as its template, as systemd's
 * unit_ids_map_get()) to the entry of the unit's file. -ENXIO when an alias
 * leads nowhere (*ret_missing: the name that does not exist), -ELOOP. */
int unit_entry_resolve(char * const *search_path, const UnitEntry *entry, char ***notes,
                       UnitEntry *ret, char **ret_missing);

/* unit_entry_lookup() and unit_entry_resolve() of name; an instance not
 * found so (or whose alias leads nowhere) is looked up as its template, as
 * in systemd's unit_file_find_fragment(). -ENOENT, -ENXIO, -ELOOP. */
int unit_name_resolve(char * const *search_path, const char *name, char ***notes,
                      UnitEntry *ret, char **ret_missing);

/* The unit name of a unit whose file is fragment, requested as name:
 * fragment's name, with name's instance if fragment is a template. */
int unit_canonical_name(const UnitEntry *fragment, const char *name, char **ret);

/* The other names of the unit whose file is fragment and whose name is
 * canonical: every alias in search_path that leads to fragment (a template's
 * alias with canonical's instance, an instance alias only for its own
 * instance), sorted, without canonical. */
int unit_aliases_find(char * const *search_path, const UnitEntry *fragment, const char *canonical,
                      char ***ret);

/* [Install] Alias=ALIAS of the unit whose service is service (an instance,
 * "cell@web.service"), as systemctl enable takes it (systemd 252's
 * unit_file_verify_alias()). Returns 1 and *ret_path, the link to make (relative to the
 * unit directory): an alias, a link to service ("www@web.service", a
 * template given the instance: "www@.service" makes it too), or the old
 * form "UNIT.wants/SERVICE" (".requires/"), a link to the template file as
 * WantedBy=UNIT makes it; 0 for the service's own name, which systemctl
 * enable skips without a word; -EXDEV and *ret_why when systemd refuses it;
 * -ENOMEM. */
int unit_install_alias(const char *service, const char *alias, char **ret_path, char **ret_why);
