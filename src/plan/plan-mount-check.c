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
 * its top lower layer). */
static bool overlay_writes(const CellOverlay *o) {
        return !o->read_only && !isempty(o->upper);
}

static int layer_entry_compare(const void *a, const void *b) {
        const OverlayLayerEntry *x = a, *y = b;
        int d = strcmp(x->path, y->path);

        return d != 0 ? d : (x->overlay > y->overlay) - (x->overlay < y->overlay);
}

static void layer_entry_add(OverlayLayerEntry *l, size_t *n, const char *path, size_t overlay) {
        l[(*n)++] = (OverlayLayerEntry) { .path = path, .overlay = overlay };
}

int plan_overlay_layers_build(const CellConfig *c, OverlayLayers *ret) {
        size_t n = 0;

        for (size_t j = 0; j < c->n_overlays; j++)
                n += 1 + strv_length(c->overlays[j].lower);
        *ret = (OverlayLayers) {};
        ret->layers = calloc(MAX(n, (size_t) 1), sizeof(OverlayLayerEntry));
        ret->uppers = calloc(MAX(c->n_overlays, (size_t) 1), sizeof(OverlayLayerEntry));
        if (!ret->layers || !ret->uppers) {
                plan_overlay_layers_done(ret);
                return -ENOMEM;
        }
        for (size_t j = 0; j < c->n_overlays; j++) {
                const CellOverlay *e = &c->overlays[j];

                if (e->upper)
                        layer_entry_add(ret->layers, &ret->n_layers, e->upper, j);
                STRV_FOREACH(l, e->lower)
                        layer_entry_add(ret->layers, &ret->n_layers, *l, j);
                if (overlay_writes(e))
                        layer_entry_add(ret->uppers, &ret->n_uppers, e->upper, j);
        }
        qsort(ret->layers, ret->n_layers, sizeof(OverlayLayerEntry), layer_entry_compare);
        qsort(ret->uppers, ret->n_uppers, sizeof(OverlayLayerEntry), layer_entry_compare);
        return 0;
}

void plan_overlay_layers_done(OverlayLayers *l) {
        free(l->layers);
        free(l->uppers);
        *l = (OverlayLayers) {};
}

/* The first overlay (the lowest index) of those sorted in l that has path,
 * or SIZE_MAX. */
static size_t layer_first(const OverlayLayerEntry *l, size_t n, const char *path) {
        size_t lo = 0, hi = n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (strcmp(l[mid].path, path) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo < n && streq(l[lo].path, path) ? l[lo].overlay : SIZE_MAX;
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
 * not seen). The earlier overlay named is the first that shares a layer:
 * found in the sorted layers of all (plan_overlay_layers_build()), not by
 * holding each against every earlier one. */
int plan_overlay_check_layers(const CellConfig *c, const OverlayLayers *layers, size_t i, PlanMountErrors *errs) {
        const CellOverlay *o = &c->overlays[i];
        size_t first = SIZE_MAX, j;
        const CellOverlay *e;
        const char *shared;

        if (overlay_writes(o)) {
                bool plus = o->upper[0] == '+';

                STRV_FOREACH(l, o->lower)
                        if (path_is_below(*l + plus, o->upper + plus))
                                return plan_mount_entry_error(errs, c, o->file, o->line, 0, plan_overlay_entry(o),
                                                              "the upper directory %s is or contains the lower "
                                                              "layer %s: overlayfs refuses overlapping layers",
                                                              o->upper, *l);
                /* An earlier overlay with our upper as a layer of its. */
                first = layer_first(layers->layers, layers->n_layers, o->upper);
        }
        /* An earlier overlay that writes to one of our layers. */
        j = o->upper ? layer_first(layers->uppers, layers->n_uppers, o->upper) : SIZE_MAX;
        STRV_FOREACH(l, o->lower)
                j = MIN(j, layer_first(layers->uppers, layers->n_uppers, *l));
        if (first >= i && j >= i)
                return 0;
        /* Of both, the earlier overlay; ours the layer where it is both. */
        if (first < i && first <= j)
                e = &c->overlays[first], shared = o->upper;
        else
                e = &c->overlays[j], shared = e->upper;
        return plan_mount_entry_error(errs, c, o->file, o->line, 0, plan_overlay_entry(o),
                                      "%s is a layer of the overlay of %s:%u too, and one of "
                                      "them writes to it: overlayfs leaves what they show "
                                      "undefined", shared, strempty(plan_entry_file(c, e->file)),
                                      e->line);
}

/* A mount of the unit's (u) at or below one of cell's masks of a kernel
 * interface (b: /proc/acpi, /sys/firmware), which comes after the unit's
 * mounts so that no Bind= uncovers what it hides: the mask would hide the
 * unit's mount too, without a word (nspawn masks no /sys path, and shows a
 * Bind= on /sys/firmware). Refused with its line; an Inaccessible= there
 * hides nothing the mask does not. 0 where u is not hidden so. */
static int plan_mount_check_masked(const CellConfig *c, const PlanMount *u, const PlanMount *b,
                                   PlanMountErrors *errs) {
        bool at;

        if (u->kind == PLAN_MOUNT_MASK || b->kind != PLAN_MOUNT_MASK || !path_is_below(u->target, b->target) ||
            (!path_is_below(b->target, "/proc") && !path_is_below(b->target, "/sys")))
                return 0;
        at = path_is_below(b->target, u->target);
        return plan_mount_entry_error(errs, c, u->file, u->line, 0, strdup(u->entry),
                                      "cannot mount %s %s: cell masks %s after the unit's mounts, which would "
                                      "hide it", at ? "over" : "on", u->target, b->target);
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
        /* Cell's own entries after first_unit, a few: each of the unit's
         * mounts is held against them alone, not against all the others. */
        _cleanup_free_ size_t *own = calloc(p->n_mounts, sizeof(size_t));
        bool invalid = false;
        size_t k = first_unit, n_own = 0;
        int r;

        if (!drop || !own)
                return -ENOMEM;
        for (size_t j = first_unit; j < p->n_mounts; j++)
                if (p->mounts[j].line == 0)
                        own[n_own++] = j;
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
                for (size_t o = 0; o < n_own; o++) {
                        size_t j = own[o];
                        const PlanMount *b = &p->mounts[j];
                        const char *what;

                        /* On a mask below /proc, the refusal below says why. */
                        if (!path_is_below(b->target, "/proc") || !path_is_below(b->target, u->target)) {
                                r = plan_mount_check_masked(c, u, b, errs);
                                if (r == -ENOMEM)
                                        return r;
                                if (r < 0) {
                                        invalid = true;
                                        break;
                                }
                        }
                        if (!path_is_below(b->target, u->target))
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

char *plan_path_components(const char *path) {
        char *s = malloc(strlen(path) + 2), *q = s;

        if (!s)
                return NULL;
        for (;;) {
                size_t n;

                path += strspn(path, "/");
                if (!*path)
                        break;
                n = strcspn(path, "/");
                *q++ = '/';
                memcpy(q, path, n);
                q += n;
                path += n;
        }
        *q = 0;
        return s;
}

typedef struct HiddenEntry {
        const char *path;       /* plan_path_components() */
        size_t index;
} HiddenEntry;

static int hidden_entry_compare(const void *a, const void *b) {
        const HiddenEntry *x = a, *y = b;
        int d = strcmp(x->path, y->path);

        return d != 0 ? d : (x->index > y->index) - (x->index < y->index);
}

/* The first entry (the lowest index) of those sorted whose path is the first
 * n bytes of key, or NULL. */
static const HiddenEntry *hidden_entry_find(const HiddenEntry *l, size_t n_l, const char *key, size_t n) {
        size_t lo = 0, hi = n_l;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int d = strncmp(l[mid].path, key, n);

                if (d == 0)
                        d = l[mid].path[n] ? 1 : 0;
                if (d < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo < n_l && strncmp(l[lo].path, key, n) == 0 && !l[lo].path[n] ? l + lo : NULL;
}

int plan_inaccessible_hidden(const CellConfig *c, bool **ret) {
        size_t n = c->n_inaccessible, n_l = 0, all = SIZE_MAX;
        _cleanup_free_ bool *hidden = calloc(MAX(n, (size_t) 1), sizeof(bool));
        _cleanup_free_ HiddenEntry *l = calloc(MAX(n, (size_t) 1), sizeof(HiddenEntry));
        _cleanup_strv_free_ char **paths = calloc(n + 1, sizeof(char *));   /* l's, owned */

        if (!hidden || !l || !paths)
                return -ENOMEM;
        /* Every earlier entry's path, sorted: an entry is hidden when one of
         * its own leading paths ("/a", "/a/b" of "/a/b/c") is one of them,
         * found in log n, not by holding it against every earlier entry (a
         * unit of thousands of Inaccessible= lines took a minute). "/"
         * hides nothing here: it is refused. */
        for (size_t i = 0; i < n; i++) {
                if (streq(c->inaccessible[i].path, "/"))
                        continue;
                paths[n_l] = plan_path_components(c->inaccessible[i].path);
                if (!paths[n_l])
                        return -ENOMEM;
                l[n_l] = (HiddenEntry) { .path = paths[n_l], .index = i };
                /* "//": all that follows is below it. */
                if (!l[n_l].path[0])
                        all = MIN(all, i);
                n_l++;
        }
        qsort(l, n_l, sizeof(HiddenEntry), hidden_entry_compare);
        for (size_t k = 0; k < n_l; k++) {
                const char *path = l[k].path;
                size_t i = l[k].index;

                hidden[i] = i > all;
                for (size_t end = 1; !hidden[i] && path[0]; end++) {
                        const HiddenEntry *e;

                        end += strcspn(path + end, "/");
                        e = hidden_entry_find(l, n_l, path, end);
                        hidden[i] = e && e->index < i;
                        if (!path[end])
                                break;
                }
        }
        *ret = TAKE_PTR(hidden);
        return 0;
}

/* What cell makes at target of its own before the unit's mounts that is no
 * directory: a device node (/dev/zero) or a symlink (/dev/fd, /dev/ptmx);
 * NULL for anything else. */
static const char *own_non_directory(const PlanMount *b) {
        if (b->kind == PLAN_MOUNT_DEVICE)
                return "a device node";
        if (b->kind == PLAN_MOUNT_SYMLINK)
                return "a symlink";
        return NULL;
}

/* Whether a mount of the unit's lies over b: at a directory above it
 * (TemporaryFileSystem=/dev), which the unit's own mount below then lands
 * in instead. */
static bool own_file_covered(const Plan *p, size_t first_unit, const PlanMount *b) {
        for (size_t k = first_unit; k < p->n_mounts; k++) {
                const PlanMount *m = &p->mounts[k];

                if (m->line != 0 && (m->kind == PLAN_MOUNT_FS || m->kind == PLAN_MOUNT_OVERLAY ||
                                     m->kind == PLAN_MOUNT_BIND) &&
                    path_is_below(b->target, m->target) && !path_is_below(m->target, b->target))
                        return true;
        }
        return false;
}

int plan_mounts_check_own_files(const Plan *p, const CellConfig *c, size_t first_unit, PlanMountErrors *errs) {
        _cleanup_free_ bool *covered = calloc(MAX(first_unit, (size_t) 1), sizeof(bool));
        bool invalid = false;

        if (!covered)
                return -ENOMEM;
        /* A few nodes and links, each against the unit's mounts once. */
        for (size_t j = 0; j < first_unit; j++)
                covered[j] = own_non_directory(&p->mounts[j]) && own_file_covered(p, first_unit, &p->mounts[j]);

        /* The start makes cell's /dev nodes and links first, then mounts the
         * unit's: a file system (TemporaryFileSystem=, Overlay=) goes only on
         * a directory, and nothing can be below a node or a link; the start
         * failed there ("target exists and is not a directory"), as
         * systemd's (the kernel's ENOTDIR) and nspawn's do, after "cell
         * verify" passed. A Bind= at a node is the start's to decide: a file
         * may go there, a directory not, and the plan does not look at the
         * host's source (verify and run do, cli/verify-mounts.c). */
        for (size_t i = first_unit; i < p->n_mounts; i++) {
                const PlanMount *u = &p->mounts[i];
                bool dir = u->kind == PLAN_MOUNT_FS || u->kind == PLAN_MOUNT_OVERLAY;

                if (u->line == 0 || (!dir && u->kind != PLAN_MOUNT_BIND))
                        continue;
                for (size_t j = 0; j < first_unit; j++) {
                        const PlanMount *b = &p->mounts[j];
                        const char *what = own_non_directory(b);
                        bool at;

                        if (!what || covered[j] || !path_is_below(u->target, b->target))
                                continue;
                        at = path_is_below(b->target, u->target);
                        if (at && !dir)
                                continue;
                        invalid = true;
                        if (plan_mount_entry_error(errs, c, u->file, u->line, 0, strdup(u->entry),
                                                   "cannot mount %s %s: cell makes %s %s (%s) before the "
                                                   "unit's mounts, and %s", at ? "over" : "on", u->target,
                                                   b->target, what, b->kind == PLAN_MOUNT_SYMLINK ? b->source :
                                                   "as the host's", at ? "a file system goes only on a directory" :
                                                   "nothing can be below it") == -ENOMEM)
                                return -ENOMEM;
                        break;
                }
        }
        return invalid ? -EINVAL : 0;
}

/* What cell makes in /run/host after the unit's mounts: the notify socket
 * (Plan.notify_socket, /run/host/notify), in every container, and with
 * credentials their file system at PLAN_CREDENTIALS_DIRECTORY. A mount of
 * the unit's at one or below it failed that start ("something else is
 * there", "cannot make /run/host/credentials"), naming no line, after
 * "cell verify" passed; or lay hidden below the credentials; an
 * Inaccessible= there found nothing to hide yet and hid nothing, and one
 * above (/run) failed the start ("creating /run/host: Read-only file
 * system"). */
int plan_mounts_check_run_host(const Plan *p, const CellConfig *c, size_t first_unit, PlanMountErrors *errs) {
        const struct {
                const char *path, *what;
        } own[] = {
                { p->notify_socket, "the container's notify socket (NOTIFY_SOCKET=)" },
                { c->n_load_credentials + c->n_set_credentials > 0 ? PLAN_CREDENTIALS_DIRECTORY : NULL,
                  "the credentials ($CREDENTIALS_DIRECTORY)" },
        };
        bool invalid = false;

        for (size_t i = first_unit; i < p->n_mounts; i++) {
                const PlanMount *u = &p->mounts[i];

                for (size_t k = 0; u->line > 0 && k < ELEMENTSOF(own); k++) {
                        bool below;

                        if (!own[k].path)
                                continue;
                        below = path_is_below(u->target, own[k].path);
                        /* An Inaccessible= above it (/run) is a read-only
                         * directory in which cell cannot make it. */
                        if (!below && (u->kind != PLAN_MOUNT_MASK || !path_is_below(own[k].path, u->target)))
                                continue;
                        invalid = true;
                        if (plan_mount_entry_error(errs, c, u->file, u->line, 0, strdup(u->entry),
                                                   "cannot mount %s %s: cell mounts %s at %s after the unit's "
                                                   "mounts", below && !streq(u->target, own[k].path) ? "on" : "over",
                                                   u->target, own[k].what, own[k].path) == -ENOMEM)
                                return -ENOMEM;
                        break;
                }
        }
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

const PlanMount *plan_unit_mount_holding(const Plan *p, const char *path) {
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
