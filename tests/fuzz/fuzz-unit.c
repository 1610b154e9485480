/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: unit text -> unit_load() -> plan_build() -> JSON and text.
 *
 * The input is the whole unit file. It goes through the real front door
 * (unit_load() on a path, via a memfd) with an empty search path, so no
 * host directory is read, and a template instance name, so the instance
 * specifiers have something to expand to. A valid unit is planned and
 * printed; the JSON must pass the strict syntax check, and loading the same
 * file again must give byte-identical JSON. Any crash, sanitizer report,
 * leak, invalid JSON, differing JSON or silent refusal is a finding. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "json-check.h"
#include "plan.h"
#include "strv.h"
#include "unit.h"

static void memfd_write_all(int fd, const uint8_t *data, size_t size) {
        while (size > 0) {
                ssize_t n = write(fd, data, size);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        abort();
                }
                data += n;
                size -= (size_t) n;
        }
}

/* Prints p both ways into memory and returns the JSON, which must be valid
 * JSON. */
static char *plan_print_check(const Plan *p, size_t *ret_size) {
        _cleanup_free_ char *json = NULL, *text = NULL;
        size_t json_size = 0, text_size = 0;
        FILE *f;

        f = open_memstream(&json, &json_size);
        if (!f)
                abort();
        if (plan_print_json(p, f) < 0)
                abort();        /* writing into memory cannot fail */
        if (fclose(f) != 0)
                abort();
        if (!json_check(json, json_size)) {
                fprintf(stderr, "plan_print_json() wrote invalid JSON:\n%.*s\n", (int) json_size, json);
                abort();
        }

        f = open_memstream(&text, &text_size);
        if (!f)
                abort();
        (void) plan_print_text(p, f);
        if (fclose(f) != 0)
                abort();

        *ret_size = json_size;
        return TAKE_PTR(json);
}

/* Loads, plans and prints the unit at path; returns the plan's JSON, or
 * NULL when the unit or its plan is invalid. */
static char *load_plan_print(const char *path, const PlanOptions *plan_opts, size_t *ret_size) {
        char *empty_search_path[] = { NULL };
        const UnitLoadOptions opts = {
                /* an instance, so that %i, %I, %j ... expand to something */
                .name = "fuzz@a-b",
                .search_path = empty_search_path,
        };
        _cleanup_(cell_config_done) CellConfig c;
        _cleanup_(diag_done) Diagnostics diag = {};
        char *json = NULL;
        int r;

        r = unit_load(path, &opts, &c, &diag);
        if (r == -ENOMEM)
                abort();
        if (r >= 0) {
                _cleanup_(plan_done) Plan p = {};

                r = plan_build(&c, plan_opts, &p, &diag);
                if (r == -ENOMEM)
                        abort();
                if (r >= 0)
                        json = plan_print_check(&p, ret_size);
        }
        /* For looking at one input: FUZZ_DEBUG=1 fuzz-unit-replay FILE */
        if (getenv("FUZZ_DEBUG")) {
                fprintf(stderr, "%s: %s\n", path, json ? "valid" : "invalid");
                STRV_FOREACH(m, diag.messages)
                        fprintf(stderr, "  %s\n", *m);
        }
        /* A unit refused must have said why. */
        if (!json && diag.n_errors == 0)
                abort();
        return json;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* "cell run NAME -- ARGS": picked by the input's last byte. */
        char *argv_override[] = { (char *) "/bin/true", (char *) "--", (char *) "%i", NULL };
        const PlanOptions plan_opts = { .argv_override = argv_override };
        const PlanOptions *po = size > 0 && (data[size - 1] & 1) ? &plan_opts : NULL;
        _cleanup_free_ char *json = NULL;
        _cleanup_close_ int fd = -EBADF;
        size_t json_size = 0;
        char path[64];

        if (size > FUZZ_INPUT_MAX)
                return 0;

        fd = memfd_create("fuzz-unit", MFD_CLOEXEC);
        if (fd < 0)
                abort();
        memfd_write_all(fd, data, size);
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

        json = load_plan_print(path, po, &json_size);
        if (json) {
                /* "The same input gives byte-identical output" (cell plan --json). */
                _cleanup_free_ char *again = NULL;
                size_t again_size = 0;

                again = load_plan_print(path, po, &again_size);
                if (!again || again_size != json_size || memcmp(json, again, json_size) != 0) {
                        fprintf(stderr, "the same unit gave two different plans:\n%.*s\n---\n%.*s\n",
                                (int) json_size, json, (int) again_size, strempty(again));
                        abort();
                }
        }
        return 0;
}
