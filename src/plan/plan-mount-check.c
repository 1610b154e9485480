/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The checks of the unit's mounts (plan-mount-check.h): overlay layers
 * against each other and the root, and the unit's mounts against what cell
 * mounts after them. Split from plan-mount.c, which builds the list. */

#include <errno.h>
#include <sys/mount.h>
#include <stdlib.h>
#include <string.h>

#include "fs-util.h"
#include "plan-internal.h"
#include "plan-mount-check.h"
#include "strv.h"

/* Whether an overlay writes to its upper directory (an OverlayReadOnly='s is
 * its top lower layer), and whether path is one of its layers. */
static bool overlay_writes(const CellOverlay *o) {
        return !o->read_only && !isempty(o->upper);
}

static bool overlay_has_layer(const CellOverlay *o, const char *path) {
        return streq_ptr(o->upper, path) || strv_contains(o->lower, path);
}

/* The layers of overlays[i] against its own and those of the overlays
 * before it. The kernel refuses an upper directory that is or contains a
 * lower layer of its mount (ELOOP, "Too many levels of symbolic links", at
 * the start), and mounts a layer another overlay writes to with a warning
 * that what both show is undefined; two overlays of one upper would also
 * share cell's work directory beside it. nspawn hands both to the kernel;
 * they are refused here, with their lines. An upper inside a lower layer
 * is mounted, as by the kernel and nspawn. Paths compare as written, "+"
 * ones with "+" ones (a host path that leads into the root, or a link, is
 * not seen). */
int plan_overlay_check_layers(const CellConfig *c, size_t i, PlanMountErrors *errs) {
        const CellOverlay *o = &c->overlays[i];

        if (overlay_writes(o)) {
                bool plus = o->upper[0] == '+';

                STRV_FOREACH(l, o->lower)
                        if (path_is_below(*l + plus, o->upper + plus))
                                return plan_mount_entry_error(errs, c, o->file, o->line, 0, plan_overlay_entry(o),
                                                              "the upper directory %s is or contains the lower "
                                                              "layer %s: overlayfs refuses overlapping layers",
                                                              o->upper, *l);
        }
        for (size_t j = 0; j < i; j++) {
                const CellOverlay *e = &c->overlays[j];
                const char *shared = overlay_writes(o) && overlay_has_layer(e, o->upper) ? o->upper :
                        overlay_writes(e) && overlay_has_layer(o, e->upper) ? e->upper : NULL;

                if (shared)
                        return plan_mount_entry_error(errs, c, o->file, o->line, 0, plan_overlay_entry(o),
                                                      "%s is a layer of the overlay of %s:%u too, and one of "
                                                      "them writes to it: overlayfs leaves what they show "
                                                      "undefined", shared, strempty(plan_entry_file(c, e->file)),
                                                      e->line);
        }
        return 0;
}

/* What cell mounts after the unit's mounts, which no mount of the unit's
 * may cover up or be covered by unseen: the masks and read-only paths below
 * /proc (made only on the container's procfs: spawn refuses anything else
 * there, a fake /proc) and the cgroup. A unit's mount on one of those (or
 * above one below /proc) is refused here, with its line, not at the start
 * as a "fake /proc" or silently hidden below the cgroup. An Inaccessible=
 * at or above one hides it: the entry is dropped (masking a mask would find
 * its /dev/null, not procfs; a cgroup mounted on a mask would undo it).
 * /proc itself the start needs. */
int plan_mounts_check_api(Plan *p, const CellConfig *c, size_t first_unit, PlanMountErrors *errs) {
        _cleanup_free_ bool *drop = calloc(p->n_mounts, sizeof(bool));
        bool invalid = false;
        size_t k = first_unit;

        if (!drop)
                return -ENOMEM;
        for (size_t i = first_unit; i < p->n_mounts; i++) {
                const PlanMount *u = &p->mounts[i];

                if (u->line == 0)
                        continue;
                if (path_is_below("/proc", u->target)) {
                        invalid = true;
                        if (plan_mount_entry_error(errs, c, u->file, u->line, plan_mount_entry_item(c, u),
                                                   strdup(u->entry),
                                                   "cannot mount over %s: the container's /proc is its procfs",
                                                   u->target) == -ENOMEM)
                                return -ENOMEM;
                        continue;
                }
                for (size_t j = first_unit; j < p->n_mounts; j++) {
                        const PlanMount *b = &p->mounts[j];
                        const char *what;

                        if (b->line != 0 || !path_is_below(b->target, u->target))
                                continue;
                        if (b->kind == PLAN_MOUNT_CGROUP) {
                                if (u->kind == PLAN_MOUNT_MASK)
                                        drop[j] = true;
                                else if (streq(b->target, u->target)) {
                                        invalid = true;
                                        if (plan_mount_entry_error(errs, c, u->file, u->line, 0,
                                                                   strdup(u->entry),
                                                                   "cannot mount over %s: cell mounts the "
                                                                   "container's cgroup there after the unit's "
                                                                   "mounts", u->target) == -ENOMEM)
                                                return -ENOMEM;
                                }
                                continue;
                        }
                        if ((b->kind != PLAN_MOUNT_MASK && b->kind != PLAN_MOUNT_READ_ONLY) ||
                            !path_is_below(b->target, "/proc"))
                                continue;
                        if (u->kind == PLAN_MOUNT_MASK) {
                                drop[j] = true;
                                continue;
                        }
                        what = b->kind == PLAN_MOUNT_MASK ? "masks" : "makes";
                        invalid = true;
                        if (plan_mount_entry_error(errs, c, u->file, u->line, 0,
                                                   strdup(u->entry),
                                                   "cannot mount over %s: cell %s %s%s on the container's procfs "
                                                   "after the unit's mounts", u->target, what, b->target,
                                                   b->kind == PLAN_MOUNT_MASK ? "" : " read-only") == -ENOMEM)
                                return -ENOMEM;
                        break;
                }
        }

        /* Drop the built-in entries a unit's Inaccessible= covers. */
        for (size_t i = first_unit; i < p->n_mounts; i++) {
                PlanMount *m = &p->mounts[i];

                if (!drop[i]) {
                        p->mounts[k++] = *m;
                        continue;
                }
                plan_mount_done(m);
        }
        p->n_mounts = k;
        return invalid ? -EINVAL : 0;
}

/* Volatile=state makes the root read-only before the unit's mounts, and
 * mounts its /var tmpfs, as nspawn's --volatile=state does (setup_volatile_mode()
 * before mount_custom()): an upper directory in the root ("+") outside /var
 * can then be neither made nor written (overlayfs refuses an upper on a
 * read-only mount), and nspawn's start fails on it. Refused here, with its
 * line, rather than made writable for the overlay, which would write the
 * image that Volatile=state keeps as it is. An OverlayReadOnly='s upper is
 * only read; one below /var is on the tmpfs, lost at exit as /var is. */
int plan_overlay_check_volatile(const CellConfig *c, const CellOverlay *o, PlanMountErrors *errs) {
        if (c->volatile_mode != CELL_VOLATILE_STATE || o->read_only || isempty(o->upper) || o->upper[0] != '+' ||
            path_is_below(o->upper + 1, "/var"))
                return 0;
        return plan_mount_entry_error(errs, c, o->file, o->line, 0, plan_overlay_entry(o),
                                      "the upper directory %s is in the container's root, which Volatile=state "
                                      "makes read-only before the unit's mounts (as systemd-nspawn does): an "
                                      "upper on the host, below /var (Volatile=state's tmpfs) or empty (a "
                                      "private tmpfs) is writable", o->upper);
}

/* Whether a path has a "." or ".." component, which paths compared as
 * written cannot follow. */
static bool path_has_dot_component(const char *s) {
        for (;;) {
                size_t n;

                s += strspn(s, "/");
                if (!*s)
                        return false;
                n = strcspn(s, "/");
                if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
                        return true;
                s += n;
        }
}

/* The unit's mount a path inside the container is found on: the last made
 * at or above it, which lies over every one before (the masks come last);
 * NULL when that is one of cell's own. */
static const PlanMount *plan_unit_mount_holding(const Plan *p, const char *path) {
        const PlanMount *top = NULL;

        for (size_t i = 0; i < p->n_mounts; i++)
                if (path_is_below(path, p->mounts[i].target))
                        top = &p->mounts[i];
        return top && top->entry ? top : NULL;
}

/* An Inaccessible=, or a TemporaryFileSystem= (empty when the payload
 * starts; but /run, where cell puts its own files): nothing below it. */
static const char *plan_mount_empty(const PlanMount *m) {
        if (m->kind == PLAN_MOUNT_MASK)
                return "hides it";
        if (m->kind == PLAN_MOUNT_FS && streq_ptr(m->fstype, "tmpfs") && !path_is_below("/run", m->target))
                return "puts an empty file system over it";
        return NULL;
}

int plan_command_check_mounts(const Plan *p, const CellConfig *c, Diagnostics *diag) {
        const PlanMount *top;
        const char *cmd, *why, *file;
        unsigned line;

        /* Exec='s own command (never expanded, as systemd's): not init
         * (Boot=yes) nor a command line's, which are no line of the unit. */
        if (!p->argv_expand || !p->argv || !p->argv[0])
                return 0;
        cmd = p->argv[0];
        if (cmd[0] != '/' || path_has_dot_component(cmd))
                return 0;

        top = plan_unit_mount_holding(p, cmd);
        if (!top)
                return 0;
        why = plan_mount_empty(top);
        /* An rbind's submounts keep their own flags. */
        if (!why && (top->flags & MS_NOEXEC) && !(top->kind == PLAN_MOUNT_BIND && (top->flags & MS_REC)))
                why = "mounts it noexec, and the kernel runs nothing from there";
        if (!why)
                return 0;

        line = cell_config_origin(c, "Exec", 0, &file);
        return diag_error(diag, file, line, "Exec=%s: %s (%s:%u) %s: the command could never start", cmd, top->entry,
                          plan_entry_file(c, top->file), top->line, why) ?: -EINVAL;
}

int plan_working_directory_check_mounts(const Plan *p, const CellConfig *c, Diagnostics *diag) {
        const char *wd = p->working_directory, *why, *file;
        const PlanMount *top;
        unsigned line;

        /* "-": "/" where it cannot be entered; "~": the user's, known at the start. */
        if (!wd || wd[0] != '/' || p->working_directory_missing_ok || path_has_dot_component(wd))
                return 0;
        top = plan_unit_mount_holding(p, wd);
        /* The mount point itself is an empty directory, which can be entered. */
        if (!top || path_is_below(top->target, wd))
                return 0;
        why = plan_mount_empty(top);
        if (!why)
                return 0;

        line = cell_config_origin(c, "WorkingDirectory", 0, &file);
        return diag_error(diag, file, line, "WorkingDirectory=%s: %s (%s:%u) %s: the directory could never be "
                          "entered (WorkingDirectory=-%s falls back to \"/\")", wd, top->entry,
                          plan_entry_file(c, top->file), top->line, why, wd) ?: -EINVAL;
}
