/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* StartTransientUnit refused for a property (scope-bus-job.c has the other
 * answers): an older or differently built systemd that does not know one
 * ("Cannot set property StartupAllowedCPUs, or unknown property."), or a
 * value it does not take ("Value specified in TasksMaxScale is out of
 * range"). systemd names the property, not the unit key: cell says which key
 * made it, with its value, so that "cell run" can name where the key was
 * written (plan_message_origin()), or that it is cell's own property. */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-io.h"
#include "parse-limits.h"
#include "scope-bus-internal.h"
#include "strv.h"

static bool is_word_char(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Whether the name at m..m+n is part of a unit's name in the message
 * ("Unit MemoryMax.service not found.", "cell-Delegate.scope"): a
 * character a unit name has next to it, or a suffix after a dot. systemd
 * names a property between blanks, quotes, "=" or ",". */
static bool in_unit_name(const char *message, const char *m, size_t n) {
        return (m > message && strchr("-_.@:\\", m[-1])) ||
               (m[n] && strchr("-_@:\\", m[n])) ||
               (m[n] == '.' && is_word_char(m[n + 1]));
}

/* Where message names name as a word of its own (not "MemoryMax" inside
 * "MemoryMaxScale", nor inside a unit's name), or NULL. */
static const char *find_word(const char *message, const char *name) {
        size_t n = strlen(name);

        for (const char *m = strstr(message, name); m; m = strstr(m + 1, name))
                if ((m == message || !is_word_char(m[-1])) && !is_word_char(m[n]) && !in_unit_name(message, m, n))
                        return m;
        return NULL;
}

/* A character of a unit's name: systemd's, and "@" of an instance's. */
static bool is_unit_name_char(char c) {
        return is_word_char(c) || (c && strchr(":-_.\\@", c));
}

/* Whether message names the unit name as a whole: "Unit x.service not
 * found.", not "x.service" inside "ax.service" or "x.service.d". */
static bool names_unit(const char *message, const char *name) {
        size_t n = strlen(name);

        for (const char *m = strstr(message, name); n > 0 && m; m = strstr(m + 1, name)) {
                const char *after = m + n;

                if (m > message && is_unit_name_char(m[-1]))
                        continue;
                if (!*after || !is_unit_name_char(*after) ||
                    (*after == '.' && (!after[1] || !is_unit_name_char(after[1]))))
                        return true;
        }
        return false;
}

/* The keys that pull units into the start's transaction, whose units'
 * failure also fails its job (result "dependency"; a failed Wants= unit
 * does not), in the order cell names them: Requires= before BindsTo=. */
static const char * const pulling_keys[] = { "Requires", "BindsTo", NULL };

/* A property that is one of the unit's own lists of units (After=,
 * Requires=, ...): scope/'s PartOf= of the service has no key. */
static bool unit_list(const PlanProperty *q) {
        return q->key && streq(q->name, q->key) && streq_ptr(q->signature, "as");
}

static bool pulling(const PlanProperty *q) {
        return unit_list(q) && strv_contains((char **) pulling_keys, q->key);
}

/* The dependency entry systemd's message names, where it names no property:
 * it refuses a name it does not take while it reads the properties ("Invalid
 * unit name foo@.service": the first key sent that has it), and a unit the
 * start pulls in that it cannot start ("Unit x.service not found.", "... is
 * masked.", "... failed to load properly"): then the key that pulls it in,
 * Requires= or BindsTo=, rather than an After= of the same unit. The
 * unit's own entries only: scope/'s PartOf= of the service is not one. */
static const PlanProperty *refused_dependency(const ScopeBus *b, const char *message, const char **ret_entry) {
        bool parsing = startswith(message, "Invalid unit name ");

        for (unsigned pass = parsing; pass < 2; pass++)
                for (size_t i = 0; i < b->n_props; i++) {
                        const PlanProperty *q = b->props + i;

                        if (pass == 0 ? !pulling(q) : !unit_list(q))
                                continue;
                        for (size_t j = 0; q->as && q->as[j]; j++)
                                if (names_unit(message, q->as[j])) {
                                        *ret_entry = q->as[j];
                                        return q;
                                }
                }
        return NULL;
}

/* For a transaction systemd refused for conflicting jobs on the unit entry
 * names ("'stop' and 'start' for a.service"): the other half of the
 * conflict among the unit's keys, or NULL: Conflicts=a.service beside the
 * Requires=, BindsTo= or Wants= q of it, or one of those beside Conflicts=. */
static const char *other_key_of(const ScopeBus *b, const PlanProperty *q, const char *entry) {
        static const char * const starting[] = { "Requires", "BindsTo", "Wants", NULL };
        bool stopping = streq(q->key, "Conflicts");

        for (size_t i = 0; i < b->n_props; i++) {
                const PlanProperty *o = b->props + i;

                if (o == q || !unit_list(o) || !strv_contains(o->as, entry))
                        continue;
                if (stopping ? strv_contains((char **) starting, o->key) : streq(o->key, "Conflicts"))
                        return o->key;
        }
        return NULL;
}

/* A conflict systemd finds on the scope itself: an entry of Requires= or
 * BindsTo= whose unit Conflicts= names too (systemd may find the two jobs
 * on either unit), or NULL. */
static const PlanProperty *pulled_and_conflicting(const ScopeBus *b, const char **ret_entry) {
        for (size_t i = 0; i < b->n_props; i++) {
                const PlanProperty *q = b->props + i;

                if (!pulling(q))
                        continue;
                for (size_t j = 0; q->as && q->as[j]; j++)
                        if (other_key_of(b, q, q->as[j])) {
                                *ret_entry = q->as[j];
                                return q;
                        }
        }
        return NULL;
}

/* The first of the keys that pull units into the start's transaction
 * (Requires=, then BindsTo=) the unit has, or NULL: for a conflict systemd
 * finds on the scope itself, which one of the units they pull in brings
 * about (it conflicts with another, or with the scope). */
static const char *pulling_key(const ScopeBus *b) {
        for (size_t k = 0; pulling_keys[k]; k++)
                for (size_t i = 0; i < b->n_props; i++) {
                        const PlanProperty *q = b->props + i;

                        if (unit_list(q) && streq(q->key, pulling_keys[k]) && q->as && q->as[0])
                                return q->key;
                }
        return NULL;
}

typedef struct Refused {
        const char *at;         /* where the message names it: the first named wins */
        const char *name;       /* the property */
        bool own;               /* cell's own, of no key */
        const PlanProperty *prop;       /* the plan's, for its key and value */
        CellIOKind io;          /* _CELL_IO_KIND_MAX, or the IO kind it is */
} Refused;

static void consider(Refused *best, const char *message, const char *name, bool own, const PlanProperty *prop,
                     CellIOKind io) {
        const char *at = find_word(message, name);

        if (at && (!best->at || at < best->at))
                *best = (Refused) { .at = at, .name = name, .own = own, .prop = prop, .io = io };
}

/* "KEY=VALUE: " of the one entry of the IO key of kind t, with its origin;
 * the key alone when several disks have it (systemd names none). */
static void io_prefix(const Scope *s, CellIOKind t, char *buf, size_t n) {
        const ScopeBus *b = s->bus;
        const char *entry = NULL;
        size_t disks = 0;

        for (size_t i = 0; i < s->n_io_disks; i++)
                if (s->io_disks[i].set[t]) {
                        disks++;
                        if (s->io_disks[i].origin[t] < strv_length(b->io_entries))
                                entry = b->io_entries[s->io_disks[i].origin[t]];
                }
        if (disks == 1 && entry)
                (void) snprintf(buf, n, "%s: ", entry);
        else
                (void) snprintf(buf, n, "%s=: ", io_kind_key(t));
}

int scope_bus_io_entries(ScopeBus *b, const PlanLimits *l) {
        for (size_t i = 0; i < l->n_io_devices; i++) {
                const CellIODevice *d = l->io_devices + i;
                char where[PATH_MAX + 32] = "", value[32];
                _cleanup_free_ char *e = NULL;

                if (d->file)
                        (void) snprintf(where, sizeof where, "%s:%u: ", d->file, d->line);
                /* As the unit writes it: a latency is a time span ("25ms"). */
                if (d->kind == CELL_IO_LATENCY)
                        plan_format_usec(d->value, value, sizeof value);
                else
                        (void) snprintf(value, sizeof value, "%" PRIu64, d->value);
                if (asprintf(&e, "%s%s=%s %s", where, io_kind_key(d->kind), d->path, value) < 0)
                        return -ENOMEM;
                if (strv_push(&b->io_entries, TAKE_PTR(e)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int scope_bus_refused(Scope *s, const sd_bus_error *e) {
        const ScopeBus *b = s->bus;
        int r = sd_bus_error_get_errno(e) > 0 ? -sd_bus_error_get_errno(e) : -EIO;
        const char *message = e->message ?: "no message";
        Refused best = { .io = _CELL_IO_KIND_MAX };
        char value[PATH_MAX + 64];
        const char *key = NULL;

        /* What StartTransientUnit carried (scope_bus_append_start_properties()):
         * the plan's first, so that its BindsTo= and Before= are the unit's,
         * then what scope/ adds. */
        for (size_t i = 0; i < b->n_props; i++) {
                const PlanProperty *q = b->props + i;
                PlanProperty sent;

                if (s->devices_own && (streq(q->name, "DevicePolicy") || streq(q->name, "DeviceAllow")))
                        continue;
                /* Under the name it was sent: TasksMax=100% as TasksMax, its value the unit's. */
                consider(&best, message, scope_bus_property_sent(q, &sent)->name, !q->key, q, _CELL_IO_KIND_MAX);
        }
        for (CellIOKind t = 0; t < _CELL_IO_KIND_MAX; t++)
                for (size_t i = 0; i < s->n_io_disks; i++)
                        if (s->io_disks[i].set[t]) {
                                consider(&best, message, cg_io_property(t), false, NULL, t);
                                break;
                        }
        if (b->slice)
                consider(&best, message, "Slice", false, NULL, _CELL_IO_KIND_MAX);
        if (b->description)
                consider(&best, message, "Description", false, NULL, _CELL_IO_KIND_MAX);
        if (b->kill_signal > 0)
                consider(&best, message, "KillSignal", false, NULL, _CELL_IO_KIND_MAX);
        if (b->timeout_stop_usec > 0)
                consider(&best, message, "TimeoutStopUSec", false, NULL, _CELL_IO_KIND_MAX);
        consider(&best, message, "PIDs", true, NULL, _CELL_IO_KIND_MAX);
        if (b->service) {
                /* Part of the service cell runs in: no key of the unit's. */
                consider(&best, message, "PartOf", true, NULL, _CELL_IO_KIND_MAX);
                consider(&best, message, "Before", true, NULL, _CELL_IO_KIND_MAX);
        }

        if (!best.at) {
                bool conflict = sd_bus_error_has_name(e, "org.freedesktop.systemd1.TransactionJobsConflicting");
                const char *entry = NULL, *other, *pulling;
                const PlanProperty *q = refused_dependency(b, message, &entry);

                if (!q && conflict && names_unit(message, s->unit))
                        q = pulled_and_conflicting(b, &entry);

                /* "Requires=x.service: ...": plan_message_origin() names that
                 * entry's line; a conflict, the other key naming it too. */
                if (q && conflict && (other = other_key_of(b, q, entry)))
                        return scope_set_error(s, r, "%s=%s: systemd refused the start: %s (%s; %s=%s too)", q->key,
                                               entry, message, e->name, other, entry);
                if (q && conflict)
                        return scope_set_error(s, r, "%s=%s: systemd refused the start: %s (%s)", q->key, entry,
                                               message, e->name);
                if (q)
                        return scope_set_error(s, r, "%s=%s: systemd refused %s: %s (%s)", q->key, entry, q->name,
                                               message, e->name);
                /* Conflicting jobs for the scope itself: a unit the scope pulls in
                 * conflicts with another, or with the scope; which one systemd
                 * does not say: the key as a whole, its first line and how many more. */
                if (conflict && names_unit(message, s->unit) && (pulling = pulling_key(b)))
                        return scope_set_error(s, r, "%s=: systemd refused the start: %s (%s)", pulling, message,
                                               e->name);
                return scope_set_error(s, r, "StartTransientUnit(%s) failed: %s (%s)", s->unit, message, e->name);
        }
        if (!best.own && best.io != _CELL_IO_KIND_MAX) {
                io_prefix(s, best.io, value, sizeof value);
                return scope_set_error(s, r, "%ssystemd refused %s: %s (%s)", value, best.name, message, e->name);
        }
        if (!best.own && plan_property_key(best.name, &key) < 0)
                key = NULL;
        if (best.own || !key)
                return scope_set_error(s, r, "StartTransientUnit(%s) failed: systemd refused %s, cell's own "
                                       "property: %s (%s)", s->unit, best.name, message, e->name);

        /* scope/'s own additions of a key: their values as sent. */
        PlanProperty sent = { .name = best.name, .key = key };
        if (best.prop)
                sent = *best.prop;
        else if (streq(key, "Slice"))
                sent = (PlanProperty) { .name = best.name, .key = key, .signature = "s", .s = b->slice };
        else if (streq(key, "Description"))
                sent = (PlanProperty) { .name = best.name, .key = key, .signature = "s", .s = b->description };
        else if (streq(key, "KillSignal"))
                sent = (PlanProperty) { .name = best.name, .key = key, .signature = "i", .i = b->kill_signal };
        else if (streq(key, "TimeoutStopSec"))
                sent = (PlanProperty) { .name = best.name, .key = key, .signature = "t",
                                        .t = b->timeout_stop_usec };
        return scope_set_error(s, r, "%s=%s: systemd refused %s: %s (%s)", key,
                               plan_property_value(&sent, value, sizeof value), best.name, message, e->name);
}

int scope_bus_required_units(const ScopeBus *b, char ***ret) {
        _cleanup_(strv_freep) char **l = NULL;

        for (size_t i = 0; i < b->n_props; i++)
                if (pulling(b->props + i))
                        for (size_t j = 0; b->props[i].as && b->props[i].as[j]; j++)
                                if (!strv_contains(l, b->props[i].as[j]) && strv_extend(&l, b->props[i].as[j]) < 0)
                                        return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

int scope_bus_dependency_failed(Scope *s, char * const *failed) {
        const ScopeBus *b = s->bus;
        _cleanup_free_ char *list = NULL;

        if (!failed || !failed[0])
                return scope_set_error(s, -ENOLINK, "starting %s failed: job result 'dependency'", s->unit);
        list = strv_join(failed, ", ");
        if (!list)
                return -ENOMEM;
        /* The first entry that names one of them: Requires= before BindsTo=,
         * in the unit's order; plan_message_origin() names its line. */
        for (size_t k = 0; pulling_keys[k]; k++)
                for (size_t i = 0; i < b->n_props; i++) {
                        const PlanProperty *q = b->props + i;

                        if (!unit_list(q) || !streq(q->key, pulling_keys[k]))
                                continue;
                        for (size_t j = 0; q->as && q->as[j]; j++)
                                if (strv_contains(failed, q->as[j]))
                                        return scope_set_error(s, -ENOLINK, "%s=%s: starting %s failed: job result "
                                                               "'dependency': %s failed (systemctl status says why)",
                                                               q->key, q->as[j], s->unit, list);
                }
        return scope_set_error(s, -ENOLINK, "starting %s failed: job result 'dependency': %s failed", s->unit, list);
}
