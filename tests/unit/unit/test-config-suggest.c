/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "did you mean" for an unknown key or section (src/unit/config-parse.c,
 * suggest()): only what is plausibly a typo of the name. systemd suggests
 * nothing; cell does where the name is close enough, as cargo and rustc do
 * (a third of the typed word's length, at least 1, at most 2 edits), or
 * where the word begins one name alone. */
#include "config-parse.h"
#include "strv.h"
#include "test.h"

static Diagnostics diag;

/* The message config_assign() gives for an unknown key or section at web.cell:7. */
static const char *assign(CellConfig *c, const char *section, const char *key) {
        size_t before = diag.n_errors;

        ASSERT_OK(config_assign(c, section, key, "1", "web.cell", 7, &diag));
        ASSERT_EQ(diag.n_errors, before + 1);
        return diag.messages[strv_length(diag.messages) - 1];
}

#define SAYS(c, s, k, text) ASSERT_STREQ(assign(c, s, k), text)

TEST(implausible_suggestions) {
        CellConfig c;

        cell_config_init(&c);
        /* Two edits of a three-letter word: no typo of "Boot". */
        SAYS(&c, "Exec", "Foo", "web.cell:7: unknown key \"Foo\" in section [Exec]");
        SAYS(&c, "Exec", "Bar", "web.cell:7: unknown key \"Bar\" in section [Exec]");
        /* "Nice" and "Slice", "Port" and "Boot": two edits apart, other keys. */
        SAYS(&c, "Exec", "Nic", "web.cell:7: unknown key \"Nic\" in section [Exec], did you mean \"Nice\"?");
        SAYS(&c, "Limits", "Slic", "web.cell:7: unknown key \"Slic\" in section [Limits], did you mean \"Slice\"?");
        SAYS(&c, "Network", "Boat", "web.cell:7: unknown key \"Boat\" in section [Network]");
        SAYS(&c, "Network", "Bolt", "web.cell:7: unknown key \"Bolt\" in section [Network]");
        /* A short section name two edits from one. */
        SAYS(&c, "Rot", "X", "web.cell:7: unknown section [Rot], did you mean [Root]?");
        SAYS(&c, "Foo", "X", "web.cell:7: unknown section [Foo]");
        ASSERT_NULL(c.exec);
        cell_config_done(&c);
        diag_done(&diag);
}

TEST(plausible_suggestions) {
        CellConfig c;

        cell_config_init(&c);
        /* One edit in a short word, two in a long one, the case alone. */
        SAYS(&c, "Exec", "Usr", "web.cell:7: unknown key \"Usr\" in section [Exec], did you mean \"User\"?");
        SAYS(&c, "Exec", "user", "web.cell:7: unknown key \"user\" in section [Exec], did you mean \"User\"?");
        SAYS(&c, "Limits", "MemroyMax",
             "web.cell:7: unknown key \"MemroyMax\" in section [Limits], did you mean \"MemoryMax\"?");
        SAYS(&c, "Limits", "TASKSMAX",
             "web.cell:7: unknown key \"TASKSMAX\" in section [Limits], did you mean \"TasksMax\"?");
        SAYS(&c, "Isolation", "PrivteNetwrk",
             "web.cell:7: unknown key \"PrivteNetwrk\" in section [Isolation], did you mean \"PrivateNetwork\"?");
        SAYS(&c, "Isolation", "PrivNetwork", "web.cell:7: unknown key \"PrivNetwork\" in section [Isolation]");
        /* The beginning of one name alone. */
        SAYS(&c, "Unit", "Desc",
             "web.cell:7: unknown key \"Desc\" in section [Unit], did you mean \"Description\"?");
        SAYS(&c, "Exec", "WorkingDir",
             "web.cell:7: unknown key \"WorkingDir\" in section [Exec], did you mean \"WorkingDirectory\"?");
        /* ... not of several (Environment=, EnvironmentFile=), nor of two letters. */
        SAYS(&c, "Exec", "Environ", "web.cell:7: unknown key \"Environ\" in section [Exec]");
        SAYS(&c, "Exec", "Wo", "web.cell:7: unknown key \"Wo\" in section [Exec]");
        SAYS(&c, "Lim", "X", "web.cell:7: unknown section [Lim], did you mean [Limits]?");
        SAYS(&c, "Isolaton", "X", "web.cell:7: unknown section [Isolaton], did you mean [Isolation]?");
        cell_config_done(&c);
        diag_done(&diag);
}

/* A key of another section, as written, is said to belong there, even when it
 * is close to (or begins) a key of this one. */
TEST(key_of_another_section) {
        CellConfig c;

        cell_config_init(&c);
        SAYS(&c, "Unit", "Bind", "web.cell:7: unknown key \"Bind\" in section [Unit], it belongs in [Root]");
        SAYS(&c, "Limits", "Nice", "web.cell:7: unknown key \"Nice\" in section [Limits], it belongs in [Exec]");
        SAYS(&c, "Exec", "MemoryMax",
             "web.cell:7: unknown key \"MemoryMax\" in section [Exec], it belongs in [Limits]");
        cell_config_done(&c);
        diag_done(&diag);
}
