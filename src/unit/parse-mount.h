/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The [Root] mount keys, in systemd-nspawn's syntax: ':' separates fields
 * and "\:" embeds one in a path ("\\" a backslash). All return 0, -EINVAL
 * for a bad value, -ENOMEM; ret is untouched on failure and owned by the
 * caller on success (free with the matching *_done()). Bind=, TemporaryFileSystem=
 * and Overlay= keep s as written in ret->raw, for the plan's messages. */

#include "config.h"

/* Bind=/BindReadOnly= [-][+]SRC[:DST[:OPTS]], OPTS comma separated from
 * rbind, norbind, nosuid, nodev, noexec, idmap, noidmap (the last of a
 * pair wins). "+" (a path inside the container root) stays on the
 * source; DST defaults to SRC without it. */
int parse_bind(const char *s, bool read_only, CellBind *ret);
/* Whether the OPTS of such a value name option ("rootidmap", which
 * parse_bind() refuses: for a message that names it). */
bool bind_has_option(const char *s, const char *option);
void cell_bind_done(CellBind *b);

/* TemporaryFileSystem= PATH[:OPTS], OPTS comma separated from mode=OCTAL,
 * size=BYTES|N%, nr_inodes=N, ro, rw, nosuid, nodev, noexec. The options
 * come back validated and normalised (sizes in bytes), NULL if none. */
int parse_tmpfs(const char *s, CellTmpfs *ret);
void cell_tmpfs_done(CellTmpfs *t);

/* Overlay=/OverlayReadOnly= [+]LOWER...:[+]UPPER:DEST, or [+]LOWER:[+]UPPER
 * (the upper doubles as destination). Lowers are kept in written order,
 * lowest first; "+" stays on paths relative to the container root; an
 * empty UPPER ("") means a temporary one. */
int parse_overlay(const char *s, bool read_only, CellOverlay *ret);
void cell_overlay_done(CellOverlay *o);

/* Volatile= no/yes/state/overlay (booleans accepted for no/yes). */
int parse_volatile(const char *s, CellVolatile *ret);

/* Inaccessible=: whitespace separated absolute paths (quoting allowed, a
 * "-" prefix accepted and dropped: a missing path is always skipped),
 * appended to *list normalised. On -EINVAL *list is unchanged. */
int parse_inaccessible(const char *s, char ***list);
void cell_inaccessible_done(CellInaccessible *i);
