/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Drop-ins: NAME.cell.d/ *.conf, and for an instance also
 * TEMPLATE.cell.d/ *.conf ("worker@.cell.d/"), for a name with dashes also
 * its prefixes' ("a-b-c" reads "a-b-.cell.d/" and "a-.cell.d/"), and
 * cell.d/ *.conf for every unit, searched in every directory of the search
 * path, merged exactly as systemd merges them
 * (unit_file_find_dropin_paths() + conf_files_list_strv()):
 *
 *  - the candidate directories are, for each search directory in priority
 *    order, DIR/NAME.cell.d, DIR/TEMPLATE.cell.d and the prefixes' (the most
 *    specific first); then DIR/cell.d for each search directory;
 *  - a file name found in several of them is taken from the first one only
 *    (/etc/cell masks /usr/lib/cell; an instance drop-in masks the template
 *    drop-in of the same name in the same directory);
 *  - the survivors are applied in file name order (strcmp), whichever
 *    directory they come from: template and instance drop-ins interleave by
 *    name, there is no "all template drop-ins first" pass.
 *
 * Only names ending in ".conf" and not starting with '.' count; a drop-in
 * that is a symlink to /dev/null masks its name and contributes nothing.
 * So does, as in systemd (conf_files_list_strv() with no flags lists it,
 * config_parse() skips a file that fails to open with ENOENT), a symlink
 * that leads nowhere. Both are listed here, so that they mask, and
 * unit_load() skips them: neither is among the unit's drop-ins applied
 * (CellConfig.dropin_paths; systemd 252's DropInPaths lists both, though
 * neither adds anything: cell lists what was applied). An entry of such a
 * name that is a directory, or a symlink to one, masks its name too, as in
 * systemd (which lists it and reads nothing from it, without a word), and
 * is not listed here at all.
 *
 * A unit with aliases (unit-alias.h) reads the drop-ins of all its names:
 * its own name's directories in every search directory first, then each
 * alias's, then cell.d/. */

#include <stdbool.h>
#include <stddef.h>

/* A drop-in that is not installed yet ("cell verify --drop-in": a file
 * Ansible is about to deploy), read exactly as an installed one is. */
typedef struct UnitExtraDropin {
        const char *path;
        /* "mem.conf": as if installed under that name in the unit's own
         * drop-in directory of the highest priority: it replaces every
         * installed drop-in of that name and is applied at that name's place
         * in file name order. NULL: applied after every installed drop-in,
         * in the order given (a temporary file's name says nothing). Either
         * way, a file that is one of the unit's installed drop-ins replaces
         * it rather than being applied twice. */
        const char *name;
} UnitExtraDropin;

/* Whether file (a base name) can be a drop-in: "NAME.conf", not hidden. */
bool unit_dropin_name_is_valid(const char *file);

/* ret: the drop-in paths to apply, in order (an empty strv when there are
 * none). Unreadable directories other than missing ones are an error. */
int unit_dropin_find(char * const *dirs, const char *name, char ***ret);
/* The same for a unit with several names, its own first; on an error
 * reading a directory, *ret_bad_dir (if not NULL) is that directory. Which
 * drop-in directories dirs hold is known from their listings as of the last
 * unit_dir_cache_expire() (unit-dir-links.h; the unit's lookup,
 * unit_location_find(), begins with one); unit_dropin_find() looks anew. */
int unit_dropin_find_names(char * const *dirs, char * const *names, char ***ret, char **ret_bad_dir);

/* Adds the drop-ins extra, not installed (UnitExtraDropin), to *paths as
 * unit_dropin_find*() made it (in file name order): those with a name where
 * that name sorts, each replacing the drop-ins of *paths of its name (of two
 * extra ones of a name, the later one given); then those without, in the
 * order given. A drop-in of *paths that is the same file (inode) as an
 * extra one is replaced by it too, and one without a name takes its name;
 * one without a name given twice (a path, or the same file) is added once.
 * -EINVAL for a name that is none (unit_dropin_name_is_valid()), -ENOMEM. */
int unit_dropin_add_extra(char ***paths, const UnitExtraDropin *extra, size_t n_extra);
