/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* [Install] Alias=, as systemctl enable takes it (unit-alias.h). */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse-value.h"
#include "strv.h"
#include "unit-alias.h"
#include "unit-name.h"

_printf_(2, 3)
static int alias_refused(char **ret_why, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(ret_why, fmt, ap);
        va_end(ap);
        return r < 0 ? -ENOMEM : -EXDEV;
}

/* The old form, DIR.wants/NAME or DIR.requires/NAME (slash: the last '/'):
 * systemd 252 makes that link as WantedBy=DIR (RequiredBy=) would, without
 * a word, if NAME is the unit's own name. */
static int install_alias_in_dir(const char *service, const char *alias, const char *slash,
                                char **ret_path, char **ret_why) {
        static const char * const dirs[] = { ".wants", ".requires" };
        _cleanup_free_ char *dir = NULL;
        const char *suffix = NULL, *name;
        size_t n = slash - alias;

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
                if (n > strlen(dirs[i]) && strncmp(slash - strlen(dirs[i]), dirs[i], strlen(dirs[i])) == 0)
                        suffix = dirs[i];
        if (!suffix)
                return alias_refused(ret_why, "a name with a \"/\" is the old form of a link in another "
                                     "unit's directory, UNIT.wants/ or UNIT.requires/, which \"%.*s/\" is not",
                                     (int) n, alias);
        dir = strndup(alias, n - strlen(suffix));
        if (!dir)
                return -ENOMEM;
        name = slash + 1;
        if (!unit_name_is_valid(dir))
                return alias_refused(ret_why, "\"%s\" before %s/ is no unit name", dir, suffix);
        if (strlen(dir) + strlen(suffix) > NAME_MAX)
                return alias_refused(ret_why, "the directory %s%s/ would be longer than %d characters",
                                     dir, suffix, NAME_MAX);
        if (!streq(name, service))
                return alias_refused(ret_why, "a link in %s%s/ is named as the unit it pulls in, %s (\"%s%s/%s\")",
                                     dir, suffix, service, dir, suffix, service);
        return asprintf(ret_path, "%s%s/%s", dir, suffix, service) < 0 ? -ENOMEM : 1;
}

int unit_install_alias(const char *service, const char *alias, char **ret_path, char **ret_why) {
        /* systemd's unit_type_may_alias() */
        static const char * const may_alias[] = {
                ".service", ".socket", ".target", ".device", ".timer", ".path", NULL,
        };
        _cleanup_free_ char *name = NULL;
        const char *instance = strchr(service, '@') + 1, *slash = strrchr(alias, '/'), *at, *type;
        int instance_len = (int) (strlen(instance) - strlen(".service"));

        *ret_path = *ret_why = NULL;
        if (slash)
                return install_alias_in_dir(service, alias, slash, ret_path, ret_why);

        name = strdup(alias);
        if (!name)
                return -ENOMEM;
        if (!unit_name_is_valid(name))
                return alias_refused(ret_why, "\"%s\" is no unit name", name);
        at = strchr(name, '@');
        type = strrchr(name, '.');
        /* A template takes the service's instance ("instance propagation"):
         * www@.service is www@web.service for cell@web.service. */
        if (at && at + 1 == type) {
                char *m;

                if (asprintf(&m, "%.*s%.*s%s", (int) (at - name + 1), name, instance_len, instance, type) < 0)
                        return -ENOMEM;
                free(name);
                name = m;
                if (!unit_name_is_valid(name))
                        return alias_refused(ret_why, "%s, the template given the instance, is no unit name "
                                             "(too long)", name);
                at = strchr(name, '@');
                type = strrchr(name, '.');
        }
        /* Checked in the order of systemd's unit_validate_alias_symlink_or_warn(). */
        if (!strv_contains((char * const *) may_alias, type))
                return alias_refused(ret_why, "systemd has no alias of a %s unit", type);
        if (at && streq(type, ".device"))
                return alias_refused(ret_why, "systemd has no template or instance of a .device unit");
        if (streq(name, service))
                return 0;       /* its own name: systemctl enable skips it without a word */
        if (!at || type - (at + 1) != instance_len || strncmp(at + 1, instance, instance_len) != 0)
                return alias_refused(ret_why, "systemd takes only an alias of the same instance (like "
                                     "\"www@%.*s.service\", or the template \"www@.service\") for %s",
                                     instance_len, instance, service);
        if (!streq(type, ".service"))
                return alias_refused(ret_why, "systemd takes only an alias of the same type (.service) for %s",
                                     service);
        *ret_path = TAKE_PTR(name);
        return 1;
}
