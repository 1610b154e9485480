/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The payload's environment and working directory in the plan:
 * PassEnvironment=, UnsetEnvironment=, WorkingDirectory=-, in the plan and
 * in its JSON and text. */

#include <stdio.h>

#include "env-util.h"
#include "json-check.h"
#include "plan-test.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* TERM first, always; then what the unit names, each once. */
TEST(pass_and_unset) {
        CellConfig c;
        Plan p = {};

        config_from_text(&c, "env",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "[Exec]\n"
                         "Exec=/bin/true\n"
                         "PassEnvironment=LANG TERM\n"
                         "PassEnvironment=LC_ALL LANG\n"
                         "UnsetEnvironment=container \"TERM=dumb\"\n"
                         "Environment=A=1\n");
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(strv_length(p.pass_environment), 3);
        ASSERT_STREQ(p.pass_environment[0], "TERM");
        ASSERT_STREQ(p.pass_environment[1], "LANG");
        ASSERT_STREQ(p.pass_environment[2], "LC_ALL");
        ASSERT_EQ(strv_length(p.unset_environment), 2);
        ASSERT_STREQ(p.unset_environment[0], "container");
        ASSERT_STREQ(p.unset_environment[1], "TERM=dumb");
        ASSERT_EQ(strv_length(p.environment), 3);
        ASSERT_STREQ(p.environment[0], DEFAULT_PATH);
        ASSERT_STREQ(p.environment[1], "container=cell");
        ASSERT_STREQ(p.environment[2], "A=1");

        _cleanup_free_ char *j = plan_printed(&p, plan_print_json);
        _cleanup_free_ char *t = plan_printed(&p, plan_print_text);
        ASSERT_TRUE(json_check(j, strlen(j)));
        ASSERT_CONTAINS(j, "\n  \"pass_environment\": [\n    \"TERM\",\n    \"LANG\",\n    \"LC_ALL\"\n  ],\n"
                        "  \"unset_environment\": [\n    \"container\",\n    \"TERM=dumb\"\n  ],\n");
        ASSERT_CONTAINS(t, "\nPassed through:    TERM LANG LC_ALL\nUnset:             container TERM=dumb\n");
        plan_done(&p);
        cell_config_done(&c);
}

/* The default PATH is a built-in variable: PassEnvironment=PATH overrides
 * it (the plan leaves it out; the spawn sets it first for a caller without
 * $PATH), and Environment=PATH the passed one, as in systemd. */
TEST(pass_path) {
        CellConfig c;
        Plan p = {};

        config_from_text(&c, "env",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "[Exec]\n"
                         "Exec=/bin/true\n"
                         "PassEnvironment=PATH\n");
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(strv_length(p.environment), 1);
        ASSERT_STREQ(p.environment[0], "container=cell");
        ASSERT_EQ(strv_length(p.pass_environment), 2);
        ASSERT_STREQ(p.pass_environment[1], "PATH");
        ASSERT_NULL(p.unset_environment);
        plan_done(&p);
        cell_config_done(&c);

        config_from_text(&c, "env",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "[Exec]\n"
                         "Exec=/bin/true\n"
                         "PassEnvironment=PATH\n"
                         "Environment=PATH=/opt/bin\n");
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(strv_length(p.environment), 2);
        ASSERT_STREQ(p.environment[0], "container=cell");
        ASSERT_STREQ(p.environment[1], "PATH=/opt/bin");
        plan_done(&p);
        cell_config_done(&c);
}

/* Without the keys: the JSON has them, empty (additive, never absent). */
TEST(defaults_in_json) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "env");
        plan_ok(&c, NULL, &p);
        ASSERT_FALSE(p.working_directory_missing_ok);
        _cleanup_free_ char *j = plan_printed(&p, plan_print_json);
        _cleanup_free_ char *t = plan_printed(&p, plan_print_text);
        ASSERT_CONTAINS(j, "\n  \"unset_environment\": [],\n");
        ASSERT_CONTAINS(j, "\n  \"working_directory\": \"/\",\n  \"working_directory_missing_ok\": false,\n");
        ASSERT_CONTAINS(t, "\nWorking directory: /\n");
        ASSERT_NULL(strstr(t, "Unset:"));
        plan_done(&p);
        cell_config_done(&c);
}

TEST(working_directory_missing_ok) {
        CellConfig c;
        Plan p = {};

        config_from_text(&c, "wd",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "[Exec]\n"
                         "Exec=/bin/true\n"
                         "WorkingDirectory=-/srv/data\n");
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(p.working_directory, "/srv/data");
        ASSERT_TRUE(p.working_directory_missing_ok);
        _cleanup_free_ char *j = plan_printed(&p, plan_print_json);
        _cleanup_free_ char *t = plan_printed(&p, plan_print_text);
        ASSERT_CONTAINS(j, "\n  \"working_directory\": \"/srv/data\",\n  \"working_directory_missing_ok\": true,\n");
        ASSERT_CONTAINS(t, "\nWorking directory: /srv/data (\"/\" if it cannot be entered)\n");
        plan_done(&p);
        cell_config_done(&c);

        config_from_text(&c, "wd",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "[Exec]\n"
                         "Exec=/bin/true\n"
                         "WorkingDirectory=-~\n");
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(p.working_directory, "~");
        ASSERT_TRUE(p.working_directory_missing_ok);
        plan_done(&p);
        cell_config_done(&c);
}

/* An Environment= of a variable cell sets itself never reaches the payload
 * (a warning says so): the plan shows cell's value where it knows it, in
 * the assignment's place, and leaves what the start decides
 * ($WATCHDOG_USEC; $CREDENTIALS_DIRECTORY without credentials is the unit's). */
TEST(cell_own_variables_shown_as_set) {
        CellConfig c;
        Plan p = {};

        config_from_text(&c, "env",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "[Exec]\n"
                         "Exec=/bin/true\n"
                         "MachineID=0123456789abcdef0123456789abcdef\n"
                         "SetCredential=token:x\n"
                         "Environment=A=1 container=docker NOTIFY_SOCKET=/x CREDENTIALS_DIRECTORY=/y\n"
                         "Environment=container_uuid=u WATCHDOG_USEC=5\n");
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(strv_length(p.environment), 7);
        ASSERT_STREQ(p.environment[1], "container=cell");
        ASSERT_STREQ(p.environment[2], "A=1");
        ASSERT_STREQ(p.environment[3], "NOTIFY_SOCKET=" CELL_NOTIFY_SOCKET);
        ASSERT_STREQ(p.environment[4], "CREDENTIALS_DIRECTORY=" PLAN_CREDENTIALS_DIRECTORY);
        ASSERT_STREQ(p.environment[5], "container_uuid=01234567-89ab-cdef-0123-456789abcdef");
        ASSERT_STREQ(p.environment[6], "WATCHDOG_USEC=5");
        _cleanup_free_ char *t = plan_printed(&p, plan_print_text);
        ASSERT_CONTAINS(t, " container=cell A=1 NOTIFY_SOCKET=" CELL_NOTIFY_SOCKET " ");
        plan_done(&p);
        cell_config_done(&c);

        config_from_text(&c, "env",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "[Exec]\n"
                         "Exec=/bin/true\n"
                         "Environment=CREDENTIALS_DIRECTORY=/y container_uuid=u\n");
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(env_get(p.environment, "CREDENTIALS_DIRECTORY"), "/y");
        ASSERT_STREQ(env_get(p.environment, "container_uuid"), "u");
        ASSERT_NULL(env_get(p.environment, "NOTIFY_SOCKET"));
        plan_done(&p);
        cell_config_done(&c);
}

/* Thousands of Environment= lines (each name twice, a reset halfway): the
 * list as a few lines give it, every name once in the order first set,
 * with its last value. How long it takes is tests/bench's to measure. */
TEST(environment_many_lines) {
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        CellConfig c;
        Plan p = {};

        ASSERT_NOT_NULL(f);
        fputs("[Root]\nDirectory=/var/lib/cell/test\n[Exec]\nExec=/bin/true\n", f);
        fputs("Environment=GONE=1\nEnvironment=\n", f);
        for (unsigned i = 0; i < 3000; i++)
                fprintf(f, "Environment=V%u=a%u \"W%u=b c\"\n", i, i, i);
        for (unsigned i = 3000; i > 0; i--)
                fprintf(f, "Environment=V%u=z%u\n", i - 1, i - 1);
        ASSERT_EQ(fclose(f), 0);
        config_from_text(&c, "env", text);
        free(text);
        ASSERT_EQ(strv_length(c.environment), 6000);
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(strv_length(p.environment), 6002);
        ASSERT_STREQ(p.environment[0], DEFAULT_PATH);
        ASSERT_STREQ(p.environment[1], "container=cell");
        for (unsigned i = 0; i < 3000; i++) {
                char v[32], w[32];

                snprintf(v, sizeof v, "V%u=z%u", i, i);
                snprintf(w, sizeof w, "W%u=b c", i);
                ASSERT_STREQ(p.environment[2 + 2 * i], v);
                ASSERT_STREQ(p.environment[3 + 2 * i], w);
        }
        ASSERT_NULL(env_get(p.environment, "GONE"));
        plan_done(&p);
        cell_config_done(&c);
}

/* Thousands of PassEnvironment= and UnsetEnvironment= lines, names said
 * again: each name once, in the order first named, and each passed name's
 * origin the line that first named it (TERM's too, which comes first). */
TEST(pass_environment_many_lines) {
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        CellConfig c;
        Plan p = {};

        ASSERT_NOT_NULL(f);
        fputs("[Root]\nDirectory=/var/lib/cell/test\n[Exec]\nExec=/bin/true\n", f);
        /* Line 5 on: P<i> on line 5 + 2i, with P<i-3> again; TERM on line 5 + 2*100. */
        for (unsigned i = 0; i < 3000; i++) {
                fprintf(f, "PassEnvironment=P%u%s", i, i == 100 ? " TERM" : "");
                if (i >= 3)
                        fprintf(f, " P%u", i - 3);
                fprintf(f, "\nUnsetEnvironment=U%u U%u=x\n", i % 700, i);
        }
        ASSERT_EQ(fclose(f), 0);
        config_from_text(&c, "env", text);
        free(text);
        ASSERT_EQ(strv_length(c.pass_environment), 3001);
        ASSERT_EQ(strv_length(c.unset_environment), 3700);
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(strv_length(p.pass_environment), 3001);
        ASSERT_STREQ(p.pass_environment[0], "TERM");
        ASSERT_EQ(plan_key_origin(&p, "PassEnvironment", 0)->line, 5 + 2 * 100);
        for (unsigned i = 0; i < 3000; i++) {
                char want[16];
                const CellOrigin *o = plan_key_origin(&p, "PassEnvironment", i + 1);

                snprintf(want, sizeof want, "P%u", i);
                ASSERT_STREQ(p.pass_environment[i + 1], want);
                ASSERT_NOT_NULL(o);
                ASSERT_EQ(o->line, 5 + 2 * i);
        }
        ASSERT_STREQ(p.unset_environment[0], "U0");
        ASSERT_STREQ(p.unset_environment[1], "U0=x");
        ASSERT_STREQ(p.unset_environment[3699], "U2999=x");
        plan_done(&p);
        cell_config_done(&c);
}
