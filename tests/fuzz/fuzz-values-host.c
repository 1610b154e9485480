/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-values' parsers of text that is read at run time, not from the unit
 * file: EnvironmentFile= (env_file_parse(), also os-release(5) for the
 * specifiers), and nft's echo of the Port= table (netfw.c), with the
 * table's name made from the unit's. Input as fuzz-values.c's. */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "env-util.h"
#include "fuzz-values.h"
#include "netfw.h"
#include "parse-value.h"
#include "strv.h"
#include "unit-name.h"
#include "utf8.h"

/* The file is the text; param bit 0 starts from an environment that holds
 * one variable already, which a later assignment of it replaces. */
void fuzz_env_file(const char *s, uint8_t param) {
        _cleanup_strv_free_ char **env = NULL;
        unsigned line = 4242;
        FILE *f;
        int r;

        if ((param & 1) && strv_extend(&env, "KEPT=1") < 0)
                abort();
        f = fmemopen((void *) s, strlen(s), "r");
        if (!f)
                return;         /* fmemopen() refuses an empty buffer on old glibc */
        r = env_file_parse(f, &env, &line);
        fclose(f);
        CHECK(r == 0 || r == -EINVAL || r == -EBADMSG || r == -EILSEQ || r == -ENOBUFS);
        /* The line an error is on, in the file. */
        if (r < 0)
                CHECK(line >= 1 && line <= 1 + (unsigned) strlen(s));
        else
                CHECK(line == 4242);
        STRV_FOREACH(e, env) {
                const char *eq = strchr(*e, '=');
                _cleanup_free_ char *name = NULL;

                /* What execve(2) gets: a valid name, '=', UTF-8 */
                CHECK(eq);
                name = strndup(*e, (size_t) (eq - *e));
                if (!name)
                        abort();
                CHECK(env_name_is_valid(name));
                CHECK(utf8_is_valid_n(eq + 1, strlen(eq + 1)));
                /* a later assignment replaces an earlier one */
                for (char * const *o = e + 1; *o; o++)
                        CHECK(!(strncmp(*o, *e, (size_t) (eq - *e) + 1) == 0));
        }
}

static void check_table_name(const char *name, const char *t) {
        CHECK(t);
        CHECK(strncmp(t, "cell-", 5) == 0);
        /* nft's longest name */
        CHECK(strlen(t) <= 255);
        /* nft's characters in a name; ":" separates it in --netfw-table= */
        CHECK(strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-/") == strlen(t));
}

/* param bit 0: the text is nft's echo, searched for the table of the unit
 * "fuzz" (bit 1: its ip6 one); else two unit names separated by a tab,
 * whose tables must differ when the names do. */
void fuzz_netfw(const char *s, uint8_t param) {
        if (param & 1) {
                int family = param & 2 ? AF_INET6 : AF_INET;
                uint64_t h = netfw_echo_table_handle(s, family, "cell-fuzz");
                char n[32];

                /* A handle is none (0) or one nft gave, never the value
                 * that means "remove by name" (netfw.h). */
                CHECK(h != NETFW_HANDLE_BY_NAME);
                if (h != 0) {
                        /* ... of the last line that adds the table */
                        const char *prefix = family == AF_INET6 ? "add table ip6 cell-fuzz # handle " :
                                                                   "add table ip cell-fuzz # handle ";
                        const char *last = NULL;

                        for (const char *l = s; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                                if (startswith(l, prefix))
                                        last = l + strlen(prefix);
                        (void) snprintf(n, sizeof n, "%" PRIu64, h);
                        CHECK(last && startswith(last, n) && strchr("\n", last[strlen(n)]));
                }
                return;
        }

        const char *tab = strchr(s, '\t');
        _cleanup_free_ char *a = tab ? strndup(s, (size_t) (tab - s)) : strdup(s);
        const char *b = tab ? tab + 1 : NULL;
        _cleanup_free_ char *ta = NULL, *tb = NULL;

        if (!a)
                abort();
        /* What a Plan's name is: a valid cell name (unit_load()). */
        if (!cell_name_is_valid(a, UNIT_NAME_ANY))
                return;
        ta = netfw_table_name(a);
        check_table_name(a, ta);
        if (!b || !cell_name_is_valid(b, UNIT_NAME_ANY))
                return;
        tb = netfw_table_name(b);
        check_table_name(b, tb);
        /* Two units never share a table. */
        CHECK(streq(a, b) == streq(ta, tb));
}
