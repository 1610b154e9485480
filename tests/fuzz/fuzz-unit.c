/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: unit text -> unit_load() -> plan_build() -> JSON and text.
 *
 * The input is the whole unit file. It goes through the real front door
 * (unit_load() on a path, via a memfd) with an empty search path, so no
 * host directory is read, and a template instance name, so the instance
 * specifiers have something to expand to. A valid unit is planned and
 * printed; the JSON must pass the strict syntax check. Any crash, sanitizer
 * report, leak or invalid JSON is a finding. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Prints p both ways into memory; the JSON must be valid JSON. */
static void plan_print_check(const Plan *p) {
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
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *empty_search_path[] = { NULL };
        const UnitLoadOptions opts = {
                .name = "fuzz@a-b",
                .search_path = empty_search_path,
        };
        CellConfig c;
        Diagnostics diag = {};
        char path[64];
        int fd, r;

        if (size > FUZZ_INPUT_MAX)
                return 0;

        fd = memfd_create("fuzz-unit", MFD_CLOEXEC);
        if (fd < 0)
                abort();
        memfd_write_all(fd, data, size);
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

        r = unit_load(path, &opts, &c, &diag);
        if (r == -ENOMEM)
                abort();
        /* For looking at one input: FUZZ_DEBUG=1 fuzz-unit-replay FILE */
        if (getenv("FUZZ_DEBUG")) {
                fprintf(stderr, "unit_load: %d\n", r);
                STRV_FOREACH(m, diag.messages)
                        fprintf(stderr, "  %s\n", *m);
        }
        /* A failed load must have said why. */
        if (r < 0 && diag.n_errors == 0)
                abort();
        if (r >= 0) {
                Plan p = {};

                r = plan_build(&c, NULL, &p, &diag);
                if (r == -ENOMEM)
                        abort();
                if (r >= 0)
                        plan_print_check(&p);
                plan_done(&p);
        }

        cell_config_done(&c);
        diag_done(&diag);
        close(fd);
        return 0;
}
