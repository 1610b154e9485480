/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Where a unit comes from: a name looked up in the search path, or a path
 * used as given. */

#include "macros.h"

typedef struct UnitLocation {
        char *path;             /* the main file to read */
        char *name;             /* unit name without ".cell": "web", "worker@3" */
        char **aliases;         /* the unit's other names (symlinks to it), sorted */
        char **notes;           /* symlinks ignored on the way, "PATH: why" */
        char *missing;          /* -ENXIO: the name an alias leads to, which does not exist */
        char **dropin_dirs;     /* directories searched for NAME.cell.d/, highest priority first */
        char **search_path;     /* the search path that was used (for messages) */
} UnitLocation;

void unit_location_done(UnitLocation *l);

/* The directories searched for names, highest priority first: override if
 * not NULL; else $CELL_UNIT_PATH (colon separated, empty components ignored,
 * relative ones made absolute against the working directory; a trailing ':'
 * appends the built-in path, as $SYSTEMD_UNIT_PATH does);
 * else CELL_UNIT_SEARCH_PATH. */
int unit_search_path_get(char * const *override, char ***ret);

/* Whether s is used as a path (contains a '/') rather than looked up. */
bool unit_is_path(const char *s) _pure_;

/* Resolves name_or_path:
 *  - with a '/': the file as given, whatever its name; the unit name is
 *    name_override, else the file's basename minus ".cell". Drop-ins are
 *    searched next to the file first, then in search_path; in search_path
 *    alone when name_override makes the file another unit than it is (a
 *    temporary copy that stands in for it), with the drop-ins of the
 *    aliases name_override has where it is installed (not when it is an
 *    alias itself). The file is not opened here.
 *    Without an override, a file that is an alias by the rules of
 *    unit-alias.h (its directory counting as the search path's first) is
 *    called after the unit it aliases, and the unit's aliases are found;
 *    so they are with an override that is the unit's own name ("foo@7"
 *    for foo@.cell): only another name drops them.
 *    An instance's file that does not exist (dir/foo@7.cell, no --name
 *    of another unit) is its template beside it, dir/foo@.cell, as the
 *    unit foo@7 (systemd-analyze verify finds it there); ret->path is
 *    then the template's. Nothing else is looked up for a missing file.
 *  - else a unit name ("web", "web.cell", "worker@3"): the first
 *    NAME.cell found in search_path; for an instance with no file of its
 *    own, the first TEMPLATE.cell found (worker@3 -> worker@.cell). An
 *    alias is followed to its unit's file and the unit is called after
 *    that (web.cell -> nginx.cell is the unit "nginx", with the alias
 *    "web"); unit-alias.h has the rules.
 *
 * Returns 0; -EINVAL when no valid unit name results (bad name, or a file
 * name that is not one and no override); -ENOENT when a name is not found;
 * -ENXIO when it is an alias that leads nowhere (ret->missing, ret->path:
 * the alias); -ELOOP for an alias loop; -ENOMEM. ret->search_path and
 * ret->notes are filled in on these errors too (caller frees with
 * unit_location_done()). */
int unit_location_find(const char *name_or_path, const char *name_override,
                       char * const *search_path, UnitLocation *ret);

/* The name of the unit that name is (name itself, or the unit it is an
 * alias of: "web" -> "nginx") in the search path (NULL: as
 * unit_search_path_get()). -ENOENT, -ENXIO, -ELOOP as above. */
int unit_name_canonical(const char *name, char * const *search_path, char **ret);
