/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: unit text -> unit_load() -> plan_build() -> JSON and text.
 *
 * The input is the whole unit file. It goes through the real front door
 * (unit_load() on a path, via a memfd) with an empty search path, so no
 * host directory is read, and a template instance name, so the instance
 * specifiers have something to expand to. A valid unit is planned and
 * printed; the JSON must pass the strict syntax check, and loading the same
 * file again must give byte-identical JSON. Any crash, sanitizer report,
 * leak, invalid JSON, differing JSON or silent refusal is a finding.
 *
 * Drop-ins: each line "--- drop-in" starts one (the text before the first
 * is the unit). The unit is then the template fuzz@.cell in a directory of
 * its own, loaded by name as fuzz@a-b from that search path, and the
 * drop-ins are NN.conf in turn in fuzz@a-b.cell.d/, fuzz@.cell.d/,
 * fuzz@a-.cell.d/ and cell.d/ there, so that they mask and interleave as
 * unit-dropin.h says. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "json-check.h"
#include "plan.h"
#include "strv.h"
#include "unit.h"

static void write_all(int fd, const uint8_t *data, size_t size) {
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

#define DROPIN_MARK "\n--- drop-in\n"
#define DROPINS_MAX 8

static const char *const dropin_dirs[] = { "fuzz@a-b.cell.d", "fuzz@.cell.d", "fuzz@a-.cell.d", "cell.d" };

/* The search directory of this process, made once (and its drop-in
 * directories); removed at exit. */
static char dropin_top[] = "/tmp/fuzz-unit-XXXXXX";

static void dropin_top_remove(void) {
        char p[128];

        for (size_t d = 0; d < ELEMENTSOF(dropin_dirs); d++) {
                (void) snprintf(p, sizeof p, "%s/%s", dropin_top, dropin_dirs[d]);
                (void) rmdir(p);
        }
        (void) rmdir(dropin_top);
}

static void write_file(const char *path, const uint8_t *data, size_t size) {
        _cleanup_close_ int fd = open(path, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC|O_NOFOLLOW, 0644);

        if (fd < 0)
                abort();
        write_all(fd, data, size);
}

/* Writes the unit and its drop-ins (as the header says); returns how many
 * files it wrote into *ret_paths, for dropin_files_remove(). */
static size_t dropin_files_write(const uint8_t *data, size_t size, char ret_paths[][128]) {
        const uint8_t *end = data + size, *part = data;
        size_t n = 0;

        static bool made = false;

        if (!made) {
                char p[128];

                if (!mkdtemp(dropin_top))
                        abort();
                for (size_t d = 0; d < ELEMENTSOF(dropin_dirs); d++) {
                        (void) snprintf(p, sizeof p, "%s/%s", dropin_top, dropin_dirs[d]);
                        if (mkdir(p, 0755) < 0)
                                abort();
                }
                atexit(dropin_top_remove);
                made = true;
        }
        while (part <= end && n <= DROPINS_MAX) {
                const uint8_t *m = memmem(part, (size_t) (end - part), DROPIN_MARK, strlen(DROPIN_MARK));
                const uint8_t *stop = m ? m + 1 : end;    /* the part keeps its last newline */

                if (n == 0)
                        (void) snprintf(ret_paths[n], 128, "%s/fuzz@.cell", dropin_top);
                else
                        (void) snprintf(ret_paths[n], 128, "%s/%s/%02zu.conf", dropin_top,
                                        dropin_dirs[(n - 1) % ELEMENTSOF(dropin_dirs)], n);
                write_file(ret_paths[n++], part, (size_t) (stop - part));
                if (!m)
                        break;
                part = m + strlen(DROPIN_MARK);
        }
        return n;
}

static void dropin_files_remove(char paths[][128], size_t n) {
        for (size_t i = 0; i < n; i++)
                if (unlink(paths[i]) < 0)
                        abort();
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
static char *load_plan_print(const char *path, char * const *search_path, const PlanOptions *plan_opts,
                             size_t *ret_size) {
        const UnitLoadOptions opts = {
                /* an instance, so that %i, %I, %j ... expand to something */
                .name = "fuzz@a-b",
                .search_path = search_path,
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
        /* The options, picked by the input's last byte: bit 0 "cell run NAME -- ARGS";
         * with bit 7 (never at the end of a text file: the seeds keep the defaults)
         * bit 1 "cell verify" (verify_only), bits 2-3 "cell run --register=yes|no". */
        char *argv_override[] = { (char *) "/bin/true", (char *) "--", (char *) "%i", NULL };
        uint8_t last = size > 0 ? data[size - 1] : 0, more = last & 0x80 ? last : 0;
        const PlanOptions plan_opts = {
                .argv_override = last & 1 ? argv_override : NULL,
                .verify_only = more & 2,
                .register_machine = (more >> 2 & 3) == 1 ? 1 : (more >> 2 & 3) == 2 ? -1 : 0,
        };
        const PlanOptions *po = (last & 1) || (more & 14) ? &plan_opts : NULL;
        char *empty_search_path[] = { NULL }, *dropin_search_path[] = { dropin_top, NULL };
        char * const *search_path = empty_search_path;
        _cleanup_free_ char *json = NULL;
        _cleanup_close_ int fd = -EBADF;
        char files[DROPINS_MAX + 1][128];
        size_t json_size = 0, n_files = 0;
        char path[64];

        if (size > FUZZ_INPUT_MAX)
                return 0;

        if (memmem(data, size, DROPIN_MARK, strlen(DROPIN_MARK))) {
                /* by name from its directory, with the drop-ins there */
                n_files = dropin_files_write(data, size, files);
                search_path = dropin_search_path;
                snprintf(path, sizeof path, "fuzz@a-b");
        } else {
                fd = memfd_create("fuzz-unit", MFD_CLOEXEC);
                if (fd < 0)
                        abort();
                write_all(fd, data, size);
                snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        }

        json = load_plan_print(path, search_path, po, &json_size);
        /* The seeds that are to reach plan_build()'s end with every key
         * (every-key.cell): FUZZ_EXPECT_VALID=1 fuzz-unit-replay FILE. */
        if (!json && getenv("FUZZ_EXPECT_VALID")) {
                fprintf(stderr, "the unit was expected to be valid (FUZZ_DEBUG=1 says why not)\n");
                abort();
        }
        if (json) {
                /* "The same input gives byte-identical output" (cell plan --json). */
                _cleanup_free_ char *again = NULL;
                size_t again_size = 0;

                again = load_plan_print(path, search_path, po, &again_size);
                if (!again || again_size != json_size || memcmp(json, again, json_size) != 0) {
                        fprintf(stderr, "the same unit gave two different plans:\n%.*s\n---\n%.*s\n",
                                (int) json_size, json, (int) again_size, strempty(again));
                        abort();
                }
        }
        dropin_files_remove(files, n_files);
        return 0;
}
