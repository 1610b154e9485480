/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* systemd's unit specifiers (systemd.unit(5), "Specifiers"), with cell's
 * unit as the unit: %n is "web.cell", %N "web", %p/%i the template prefix
 * and instance, ...; the user and directories are the system manager's.
 *
 * Host facts (%m, %b, %H, %l, %q, %v, and os-release's %o %w %W %A %B %M)
 * are looked up on first use only and then kept in the context, so a load
 * that never uses them never reads them, and one that does reads each once. */

#include <stdbool.h>

#include "macros.h"

/* %d, systemd's $CREDENTIALS_DIRECTORY: where the payload finds the
 * credentials of LoadCredential= and SetCredential=, as it sees them (plan.h's
 * PLAN_CREDENTIALS_DIRECTORY, which a test holds equal). */
#define SPECIFIER_CREDENTIALS_DIRECTORY "/run/host/credentials"

typedef struct SpecifierContext {
        const char *name;               /* the unit, without ".cell": "worker@3" */
        const char *fragment_path;      /* %y: its file (NULL: %y and %Y are errors) */
        /* %y is fragment_path's real path (realpath(): absolute, its
         * symlinks resolved; fragment_path itself where that fails),
         * resolved on first use: most units never ask. */
        bool fragment_path_resolve;

        /* Where %m, %b, %q and the os-release ones come from; NULL means
         * /etc/machine-id, /proc/sys/kernel/random/boot_id, /etc/machine-info,
         * /etc/os-release then /usr/lib/os-release (tests point them elsewhere). */
        const char *machine_id_path;
        const char *boot_id_path;
        const char *machine_info_path;
        const char *os_release_path;

        /* Filled in lazily; an error is remembered as well as a value. */
        char *fragment_real_path;
        char *machine_id, *boot_id, *hostname, *kernel_release, *pretty_hostname;
        int machine_id_error, boot_id_error, hostname_error, kernel_release_error, pretty_hostname_error;
        char **os_release;              /* KEY=VALUE, unquoted */
        int os_release_error;
        unsigned n_host_lookups;        /* how many host facts were looked up */
} SpecifierContext;

void specifier_context_done(SpecifierContext *c);

/* systemd's fallback host name (FALLBACK_HOSTNAME, as systemd 252 is built
 * by default): %H and %l of a host that has no name. */
#define SPECIFIER_FALLBACK_HOSTNAME "localhost"

/* Whether a host whose kernel host name is raw has the default name in %H
 * (short_name false) or %l (true), as systemd 252's gethostname_malloc() and
 * gethostname_short_malloc(): an empty or "(none)" name, and, for %l, one
 * starting with '.' (whose short name would be empty). */
bool specifier_hostname_unset(const char *raw, bool short_name) _pure_;

/* %H or %l of such a host: raw, or fallback where specifier_hostname_unset()
 * (systemd's get_default_hostname(): $SYSTEMD_DEFAULT_HOSTNAME, os-release's
 * DEFAULT_HOSTNAME=; SPECIFIER_FALLBACK_HOSTNAME where fallback is NULL);
 * %l is the name up to its first dot. Returns 0 or -ENOMEM. */
int specifier_hostname_from_raw(const char *raw, bool short_name, const char *fallback, char **ret);

/* Whether s contains any '%' at all (the fast path: nothing to expand). */
static inline bool specifier_has_any(const char *s) {
        return strchr(s, '%');
}

/* Expands every specifier in s into a new string. "%%" is '%'; a '%'
 * followed by anything but an ASCII letter or digit ("50% done", "%-5s"),
 * or at the very end, is kept, as systemd does.
 *
 * Returns 0, -EBADSLT for an unknown specifier, -ENOMEM, or the -errno of a
 * specifier that cannot be resolved (no /etc/machine-id: -ENOENT; empty or
 * uninitialized: -ENOMEDIUM; an instance that does not unescape: -EINVAL).
 * On failure *ret_bad (if not NULL) is the specifier character at fault. */
int specifier_expand(SpecifierContext *c, const char *s, char **ret, char *ret_bad);

/* The specifiers systemctl enable resolves in [Install] (WantedBy=,
 * RequiredBy=, Alias=, DefaultInstance=; systemd 252's
 * install_name_printf()): the unit's %i %j %n %N %p, the host's (%a %A %b
 * %B %H %l %q %m %M %o %v %w %W) and the user's (%g %G %u %U), and %%.
 * Measured with "systemctl --root=DIR enable", which refuses any other
 * ("invalid specifier in ..."): %I %P %J %f, the directories, %h %s %y. */
#define SPECIFIERS_INSTALL "ijnNp" "aAbBHlqmMovwW" "gGuU"

/* The first specifier of s (a '%' and an ASCII letter or digit, as
 * specifier_expand() reads it) that systemctl enable does not resolve
 * (SPECIFIERS_INSTALL), or 0 when there is none. */
char specifier_first_not_install(const char *s) _pure_;
