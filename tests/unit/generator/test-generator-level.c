/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The generator's messages by their level: a warning's line marked for the
 * kernel log (GeneratorOptions.mark_warnings), and a unit skipped without a
 * word only when it is masked, not when its one error quotes "is masked". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "generator.h"
#include "generator-test.h"
#include "strv.h"
#include "test.h"

/* generator_run() --dry-run over units; its err text in *ret_err. */
static int run_dry(char *units, bool mark, char **ret_err) {
        _cleanup_free_ char *o = NULL;

        return run_generator(units, "/run/systemd/generator", true, mark, &o, ret_err);
}

/* Whether text has line as one of its lines. */
static bool has_line(const char *text, const char *line) {
        size_t n = strlen(line);

        for (const char *p = text; (p = strstr(p, line)); p++)
                if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
                        return true;
        return false;
}

/* Before, the one error's text was searched for "is masked": a unit whose
 * only problem quoted those words was skipped as masked, without a message
 * and without counting as invalid (exit 0). */
TEST(error_quoting_is_masked_is_reported) {
        _cleanup_free_ char *units = tmpdir_new("test-generator-level"), *e = NULL, *want = NULL;

        write_file(units, "web.cell", "[Root]\nDirectory=/\nVolatile=yes\n[Exec]\nExec=/bin/true\n"
                                      "NotifyReady=is masked (symlink to /dev/null)\n");
        ASSERT_EQ(run_dry(units, false, &e), 1);
        ASSERT_TRUE(asprintf(&want, "cell-generator: %s/web.cell:6: NotifyReady=is masked (symlink to /dev/null): "
                             "expected", units) > 0);
        ASSERT_CONTAINS(e, want);
        ASSERT_CONTAINS(e, "cell-generator: web.cell is invalid, skipped\n");
        rm_rf(units);
}

/* A masked unit is still off without a word, as systemd has it, a warning
 * of its own or not. */
TEST(masked_unit_is_silent) {
        _cleanup_free_ char *units = tmpdir_new("test-generator-level"), *e = NULL, *p = NULL;

        ASSERT_TRUE(asprintf(&p, "%s/masked.cell", units) > 0);
        ASSERT_EQ(symlink("/dev/null", p), 0);
        write_file(units, "empty.cell", "");
        ASSERT_EQ(run_dry(units, true, &e), 0);
        ASSERT_TRUE(e == NULL || strstr(e, "masked") == NULL);
        ASSERT_TRUE(e == NULL || strstr(e, "empty") == NULL);
        rm_rf(units);
}

/* Marked: each warning's line begins with "<4>", an error's with nothing;
 * unmarked (the tests', the default), the text is as it always was. */
TEST(warnings_are_marked) {
        _cleanup_free_ char *units = tmpdir_new("test-generator-level"), *e = NULL, *plain = NULL;
        _cleanup_free_ char *user = NULL, *alias = NULL, *bad = NULL;

        /* warnings of the unit's (diag_warning()): User=, and an Alias= systemd
         * refuses, left out (an error for cell verify, a warning at boot) */
        write_file(units, "web.cell", "[Install]\nAlias=other.service\n"
                                      "[Root]\nDirectory=/\nVolatile=yes\n[Exec]\nExec=/bin/true\nUser=9bad\n");
        /* an error whose key reads as a warning's text */
        write_file(units, "zzz.cell", "warning: y=1\n[Root]\nDirectory=/\nVolatile=yes\n[Exec]\nExec=/bin/true\n");
        ASSERT_TRUE(asprintf(&user, "cell-generator: %s/web.cell:8: warning: User=9bad: ", units) > 0);
        ASSERT_TRUE(asprintf(&alias, "cell-generator: %s/web.cell:2: warning: Alias=other.service: ", units) > 0);
        ASSERT_TRUE(asprintf(&bad, "cell-generator: %s/zzz.cell:1: warning: y=1: assignment before any "
                             "[Section] header", units) > 0);

        ASSERT_EQ(run_dry(units, true, &e), 1);
        ASSERT_CONTAINS(e, "<4>");
        for (const char *l = e; *l; l = strchrnul(l, '\n') + (strchr(l, '\n') ? 1 : 0)) {
                bool marked = startswith(l, GENERATOR_WARNING_MARK);
                const char *t = marked ? l + strlen(GENERATOR_WARNING_MARK) : l;

                ASSERT_TRUE(startswith(t, "cell-generator: "));
                ASSERT_EQ(marked, startswith(t, user) || startswith(t, alias));
        }
        ASSERT_TRUE(strstr(e, "\n<4>") || startswith(e, "<4>"));
        ASSERT_TRUE(has_line(e, bad));

        ASSERT_EQ(run_dry(units, false, &plain), 1);
        ASSERT_NULL(strstr(plain, "<4>"));
        ASSERT_CONTAINS(plain, user);
        ASSERT_CONTAINS(plain, alias);
        rm_rf(units);
}
