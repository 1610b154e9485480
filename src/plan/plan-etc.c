/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ResolvConf= and Timezone=: nspawn's values turned into what the start
 * does with /etc/resolv.conf and /etc/localtime. Pure: which host file
 * exists, and what the image holds, is looked at by the start
 * (spawn/etc-decide.c); the plan only says what may be used.
 *
 * cell's one departure from nspawn: "auto" never writes into the image.
 * nspawn copies into a writable image; cell binds, and creates a missing
 * file only where the root is its own tmpfs or overlay (Volatile=yes or
 * overlay), so a root directory is written only by the values that say so
 * (copy-*, replace-*, delete, symlink). */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "fs-util.h"
#include "plan-internal.h"

#define RESOLV_HOST   "/etc/resolv.conf"
#define RESOLV_STATIC "/usr/lib/systemd/resolv.conf"
#define RESOLV_UPLINK "/run/systemd/resolve/resolv.conf"
#define RESOLV_STUB   "/run/systemd/resolve/stub-resolv.conf"

/* Whether cell may write the root's /etc: Volatile=yes and overlay give a
 * tmpfs or an overlay of cell's own; without Volatile= the image itself,
 * unless ReadOnly=yes; Volatile=state keeps everything but /var read-only. */
static bool plan_etc_writable(const CellConfig *c) {
        switch (c->volatile_mode) {
        case CELL_VOLATILE_YES:
        case CELL_VOLATILE_OVERLAY:
                return true;
        case CELL_VOLATILE_STATE:
                return false;
        case CELL_VOLATILE_NO:
        default:
                return !c->read_only;
        }
}

/* The root is a tmpfs or an overlay cell made: nothing written reaches the image. */
static bool plan_etc_own_root(const CellConfig *c) {
        return c->volatile_mode == CELL_VOLATILE_YES || c->volatile_mode == CELL_VOLATILE_OVERLAY;
}

static int plan_etc_origin(PlanEtcFile *f, const CellConfig *c, const char *file, unsigned line) {
        if (line == 0)
                return 0;
        file = file ?: c->path;
        if (file && !(f->file = strdup(file)))
                return -ENOMEM;
        f->line = line;
        return 0;
}

/* A value that writes the root, on a root cell must not write. */
static int plan_etc_check(const PlanEtcFile *f, const CellConfig *c, Diagnostics *diag) {
        const char *dash;
        char hint[32];

        if (f->mode == PLAN_ETC_OFF || f->mode == PLAN_ETC_BIND || plan_etc_writable(c))
                return 0;
        /* What would do instead: the bind of the same file, or nothing. */
        dash = strchr(f->setting, '-');
        if (f->mode == PLAN_ETC_DELETE)
                (void) snprintf(hint, sizeof hint, "off");
        else
                (void) snprintf(hint, sizeof hint, "bind%s", dash ?: "");
        return diag_error(diag, f->file ?: c->path, f->line,
                          "%s=%s: writes %s, but %s keeps the root read-only "
                          "(%s=%s leaves the image alone; Volatile=overlay gives a writable copy)",
                          f->key, f->setting, f->target,
                          c->volatile_mode == CELL_VOLATILE_STATE ? "Volatile=state" : "ReadOnly=yes",
                          f->key, hint) ?: -EINVAL;
}

static int plan_build_resolv_conf(Plan *p, const CellConfig *c, Diagnostics *diag) {
        PlanEtcFile *f = &p->resolv_conf;
        CellResolvConf v = c->resolv_conf;
        static const char * const sources[] = { RESOLV_HOST, RESOLV_STATIC, RESOLV_UPLINK, RESOLV_STUB };
        int r;

        *f = (PlanEtcFile) {
                .key = "ResolvConf",
                .setting = cell_resolv_conf_to_string(v) ?: "auto",
                .target = "/etc/resolv.conf",
                .create_missing = plan_etc_own_root(c),
                .empty_root = c->volatile_mode == CELL_VOLATILE_YES,
        };
        r = plan_etc_origin(f, c, c->resolv_conf_file, c->resolv_conf_line);
        if (r < 0)
                return r;

        switch (v) {
        case CELL_RESOLV_CONF_AUTO:
                /* A private network has its own DNS setup (or none); the
                 * host's network the host's /etc/resolv.conf, its links
                 * followed on the host: what works in the host's network
                 * by definition. Not resolved's stub, which nspawn takes
                 * when resolved says over D-Bus that its stub listens: the
                 * plan asks no bus, and a host that uses the stub has its
                 * /etc/resolv.conf lead there. */
                f->automatic = true;
                if (c->private_network)
                        f->mode = PLAN_ETC_OFF;
                else {
                        f->mode = PLAN_ETC_BIND;
                        f->sources[0] = RESOLV_HOST;
                }
                return 0;
        case CELL_RESOLV_CONF_OFF:
                f->mode = PLAN_ETC_OFF;
                return 0;
        case CELL_RESOLV_CONF_DELETE:
                f->mode = PLAN_ETC_DELETE;
                break;
        case CELL_RESOLV_CONF_COPY_HOST ... CELL_RESOLV_CONF_COPY_STUB:
                f->mode = PLAN_ETC_COPY;
                f->sources[0] = sources[v - CELL_RESOLV_CONF_COPY_HOST];
                break;
        case CELL_RESOLV_CONF_REPLACE_HOST ... CELL_RESOLV_CONF_REPLACE_STUB:
                f->mode = PLAN_ETC_REPLACE;
                f->sources[0] = sources[v - CELL_RESOLV_CONF_REPLACE_HOST];
                break;
        case CELL_RESOLV_CONF_BIND_HOST ... CELL_RESOLV_CONF_BIND_STUB:
                f->mode = PLAN_ETC_BIND;
                f->sources[0] = sources[v - CELL_RESOLV_CONF_BIND_HOST];
                break;
        case _CELL_RESOLV_CONF_MAX:
        default:
                return -EINVAL;
        }
        return plan_etc_check(f, c, diag);
}

static int plan_build_timezone(Plan *p, const CellConfig *c, Diagnostics *diag) {
        PlanEtcFile *f = &p->timezone;
        int r;

        *f = (PlanEtcFile) {
                .key = "Timezone",
                .setting = cell_timezone_to_string(c->timezone) ?: "auto",
                .target = "/etc/localtime",
                .create_missing = plan_etc_own_root(c),
                .empty_root = c->volatile_mode == CELL_VOLATILE_YES,
                .sources = { "/etc/localtime" },
        };
        r = plan_etc_origin(f, c, c->timezone_file, c->timezone_line);
        if (r < 0)
                return r;

        switch (c->timezone) {
        case CELL_TIMEZONE_AUTO:
                /* nspawn's "symlink if the host's is a link, else copy, bind
                 * on a read-only image", without the copy: a root of cell's
                 * own gets the link (the container's own zone data), an image
                 * the bind. */
                f->automatic = true;
                f->mode = f->create_missing ? PLAN_ETC_SYMLINK_OR_BIND : PLAN_ETC_BIND;
                return 0;
        case CELL_TIMEZONE_OFF:
                f->mode = PLAN_ETC_OFF;
                f->sources[0] = NULL;
                return 0;
        case CELL_TIMEZONE_COPY:
                /* nspawn's copy replaces the file, a link too (Debian's
                 * localtime -> zoneinfo/Etc/UTC): written through, the link
                 * would change that zone file instead. */
                f->mode = PLAN_ETC_REPLACE;
                break;
        case CELL_TIMEZONE_BIND:
                f->mode = PLAN_ETC_BIND;
                break;
        case CELL_TIMEZONE_SYMLINK:
                f->mode = PLAN_ETC_SYMLINK;
                break;
        case CELL_TIMEZONE_DELETE:
                f->mode = PLAN_ETC_DELETE;
                f->sources[0] = NULL;
                break;
        case _CELL_TIMEZONE_MAX:
        default:
                return -EINVAL;
        }
        return plan_etc_check(f, c, diag);
}

/* The unit's own mount of the file itself (Bind=, BindReadOnly=,
 * Inaccessible=): the last one, which is what the container sees there. */
static const PlanMount *plan_etc_mounted(const Plan *p, const char *target) {
        const PlanMount *found = NULL;

        for (size_t i = 0; i < p->n_mounts; i++) {
                const PlanMount *m = &p->mounts[i];

                if (m->line > 0 && (m->kind == PLAN_MOUNT_BIND || m->kind == PLAN_MOUNT_MASK) &&
                    path_is_below(m->target, target) && path_is_below(target, m->target))
                        found = m;
        }
        return found;
}

/* The file is a mount point of the unit's own: what the start does there
 * is decided now, said at the key's line, never as the EBUSY or EROFS of
 * the start. "auto" leaves the unit's mount as it is: it was asked for,
 * "auto" was not. */
static int plan_etc_over_mount(PlanEtcFile *f, const Plan *p, const CellConfig *c, Diagnostics *diag) {
        const PlanMount *m = plan_etc_mounted(p, f->target);
        const char *why;

        if (!m || f->mode == PLAN_ETC_OFF)
                return 0;
        if (f->automatic) {
                f->mode = PLAN_ETC_OFF;
                return 0;
        }
        switch (f->mode) {
        case PLAN_ETC_REPLACE:
        case PLAN_ETC_SYMLINK:
        case PLAN_ETC_DELETE:
                /* rename() and unlink() of a mount point: EBUSY, always. */
                why = f->mode == PLAN_ETC_DELETE ? "removes" : "replaces";
                break;
        case PLAN_ETC_COPY:
                /* Written into: a writable Bind='s file takes the bytes
                 * (cell.unit(5)); a read-only one, or a mask, cannot. */
                if (m->kind == PLAN_MOUNT_BIND && !(m->flags & MS_RDONLY))
                        return 0;
                why = "writes into";
                break;
        case PLAN_ETC_BIND:
                /* Over a Bind=, as nspawn binds over it; a mask is kept. */
                if (m->kind != PLAN_MOUNT_MASK)
                        return 0;
                why = "binds over";
                break;
        case PLAN_ETC_OFF:
        case PLAN_ETC_SYMLINK_OR_BIND:
        case _PLAN_ETC_MODE_MAX:
        default:
                return 0;
        }
        return diag_error(diag, f->file ?: c->path, f->line,
                          "%s=%s: %s %s, but %s (%s:%u) mounts %sthere (%s=off leaves that mount as it is)",
                          f->key, f->setting, why, f->target, m->entry ?: m->target, m->file ?: c->path, m->line,
                          m->kind == PLAN_MOUNT_MASK ? "an inaccessible file " :
                          (m->flags & MS_RDONLY) ? "a read-only file " : "a file ",
                          f->key) ?: -EINVAL;
}

int plan_build_etc(Plan *p, const CellConfig *c, Diagnostics *diag) {
        int r, q;

        r = plan_build_resolv_conf(p, c, diag);
        if (r == -ENOMEM)
                return r;
        if (r >= 0)
                r = plan_etc_over_mount(&p->resolv_conf, p, c, diag);
        if (r == -ENOMEM)
                return r;
        q = plan_build_timezone(p, c, diag);
        if (q == -ENOMEM)
                return q;
        if (q >= 0)
                q = plan_etc_over_mount(&p->timezone, p, c, diag);
        if (q == -ENOMEM)
                return q;
        return r < 0 ? r : q;
}

void plan_etc_file_done(PlanEtcFile *f) {
        f->file = mfree(f->file);
        f->source = mfree(f->source);
        f->link = mfree(f->link);
}
