/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fake systemd's leftover scopes (fake-leftover.h). */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-leftover.h"
#include "macros.h"

#define UNIT_PREFIX "/org/freedesktop/systemd1/unit"
#define NO_INVOCATION "org.freedesktop.systemd1.NoUnitForInvocationID"

typedef enum Kind { BUSY, LEFT, STALE, UNCLEAN, NOSTOP, SWAPPED, STARTING, AGAIN, _KIND_MAX, KIND_NONE = -1 } Kind;

static const char * const kind_names[_KIND_MAX] = {
        [BUSY] = "busy", [LEFT] = "left", [STALE] = "stale",
        [UNCLEAN] = "unclean", [NOSTOP] = "nostop", [SWAPPED] = "swapped", [STARTING] = "starting", [AGAIN] = "again",
};

static struct {
        unsigned gen;           /* the activation holding the name: 1, then 2 (swapped) */
        bool stopped, reset;
        unsigned stops[3];      /* Unit.Stop per activation (1, 2); [0]: StopUnit by name */
} kinds[_KIND_MAX];

static Kind kind_of_name(const char *unit) {
        for (int k = 0; k < _KIND_MAX; k++)
                if (strstr(unit, kind_names[k]))
                        return (Kind) k;
        return KIND_NONE;
}

static unsigned gen_now(Kind k) {
        return kinds[k].gen ?: 1;
}

/* Over and collected: nothing is left of the unit. */
static bool gone(Kind k) {
        return (k == STALE && kinds[k].stopped) || (k == UNCLEAN && kinds[k].reset) ||
               (k == LEFT && kinds[k].reset);
}

/* The kind and activation an object path names: by invocation ID (32 hex
 * digits: the kind's index, the activation, then filler) or by unit name
 * (the activation that holds it now). -1: neither. */
static Kind resolve(const char *path, unsigned *ret_gen, bool *ret_by_id) {
        _cleanup_free_ char *label = NULL;
        unsigned k, g;

        if (sd_bus_path_decode(path, UNIT_PREFIX, &label) <= 0)
                return KIND_NONE;
        if (strlen(label) == 32 && sscanf(label, "%2x%2x", &k, &g) == 2 && k < _KIND_MAX) {
                *ret_gen = g;
                *ret_by_id = true;
                return (Kind) k;
        }
        Kind n = kind_of_name(label);
        if (n != KIND_NONE) {
                *ret_gen = gen_now(n);
                *ret_by_id = false;
        }
        return n;
}

/* Whether the activation is still the unit's; sets systemd's error if not. */
static bool current(Kind k, unsigned gen, bool by_id, sd_bus_error *error) {
        if (!by_id || (gen == gen_now(k) && !gone(k)))
                return true;
        sd_bus_error_setf(error, NO_INVOCATION, "No unit with the specified invocation ID known.");
        return false;
}

bool fake_leftover_exists(const char *unit) {
        Kind k = kind_of_name(unit);
        return k != KIND_NONE && !gone(k);
}

int fake_leftover_active_state(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        unsigned gen = 0;
        bool by_id = false;
        Kind k = resolve(path, &gen, &by_id);

        if (k == KIND_NONE)
                return sd_bus_message_append(reply, "s", "inactive");
        if (!current(k, gen, by_id, error))
                return -ENOENT;
        const char *state = gone(k) || k == STARTING || k == AGAIN ? "inactive" :
                            k == LEFT ? "failed" :
                            k == UNCLEAN && kinds[k].stopped ? "failed" : "active";
        return sd_bus_message_append(reply, "s", state);
}

int fake_leftover_invocation_id(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        unsigned gen = 0;
        bool by_id = false;
        Kind k = resolve(path, &gen, &by_id);
        uint8_t id[16];

        /* A failed unit of systemd's keeps its last ID; "left" stands for one without. */
        if (k == KIND_NONE || k == LEFT || k == STARTING || gone(k))
                return sd_bus_message_append_array(reply, 'y', NULL, 0);
        memset(id, 0xab, sizeof id);
        id[0] = (uint8_t) k;
        id[1] = (uint8_t) gen;
        return sd_bus_message_append_array(reply, 'y', id, sizeof id);
}

int fake_leftover_job(sd_bus *bus, const char *path, const char *interface, const char *property,
                      sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        unsigned gen = 0;
        bool by_id = false;
        Kind k = resolve(path, &gen, &by_id);

        if (k == STARTING || k == AGAIN)
                return sd_bus_message_append(reply, "(uo)", 7, "/org/freedesktop/systemd1/job/7");
        return sd_bus_message_append(reply, "(uo)", 0, "/");
}

int fake_leftover_processes(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        unsigned gen = 0;
        bool by_id = false;
        Kind k = resolve(sd_bus_message_get_path(m), &gen, &by_id);

        if (k == KIND_NONE)
                return sd_bus_reply_method_return(m, "a(sus)", 0);
        if (!current(k, gen, by_id, error))
                return -ENOENT;
        if (k == BUSY)
                return sd_bus_reply_method_return(m, "a(sus)", 1, "/machine.slice/cell-busy.scope", 4242, "sleep");
        if (k == SWAPPED && gen == 2)
                return sd_bus_reply_method_return(m, "a(sus)", 1, "/machine.slice/cell-swapped.scope", 4343, "sh");
        int r = sd_bus_reply_method_return(m, "a(sus)", 0);
        /* Read empty: now it ends, and another cell's start takes the name. */
        if (k == SWAPPED)
                kinds[k].gen = 2;
        return r;
}

int fake_leftover_stop(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        unsigned gen = 0;
        bool by_id = false;
        Kind k = resolve(sd_bus_message_get_path(m), &gen, &by_id);

        if (k == KIND_NONE)
                return sd_bus_error_set(error, "org.freedesktop.systemd1.NoSuchUnit", "Unit not loaded.");
        if (gen < ELEMENTSOF(kinds[k].stops))
                kinds[k].stops[by_id ? gen : 0]++;
        if (!current(k, gen, by_id, error))
                return -ENOENT;
        if (k == NOSTOP)
                return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED, "Access denied");
        kinds[k].stopped = true;
        return sd_bus_reply_method_return(m, "o", "/org/freedesktop/systemd1/job/77");
}

void fake_leftover_reset(const char *unit) {
        Kind k = kind_of_name(unit);
        /* systemd resets only what is failed. */
        if (k == LEFT || (k == UNCLEAN && kinds[k].stopped))
                kinds[k].reset = true;
}

void fake_leftover_stopped_by_name(const char *unit) {
        Kind k = kind_of_name(unit);
        if (k != KIND_NONE)
                kinds[k].stops[0]++;
}

int fake_leftover_probe(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *name;
        int r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        Kind k = kind_of_name(name);
        if (k == KIND_NONE)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "no leftover kind in %s", name);
        return sd_bus_reply_method_return(m, "uuu", kinds[k].stops[1], kinds[k].stops[2], kinds[k].stops[0]);
}
