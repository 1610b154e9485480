/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs-util.h"
#include "identity.h"
#include "strv.h"

/* As systemd's READ_FULL_BYTES_MAX: more is no passwd or group file. */
#define IDENTITY_FILE_MAX (64U * 1024U * 1024U - 1U)

/* A decimal id, no sign, no junk, not the "-1" sentinel. */
static bool parse_id(const char *s, uint32_t *ret) {
        char *end;
        unsigned long v;

        if (isempty(s) || s[0] < '0' || s[0] > '9')
                return false;
        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || *end != 0 || v >= UINT32_MAX)
                return false;
        *ret = (uint32_t) v;
        return true;
}

/* Splits a line of a colon separated database into at most n fields (in
 * place). Returns the number of fields. */
static size_t split_fields(char *line, char **fields, size_t n) {
        size_t k = 0;
        char *p = line;

        line[strcspn(line, "\n")] = 0;
        while (k < n) {
                fields[k++] = p;
                p = strchr(p, ':');
                if (!p)
                        break;
                *p++ = 0;
        }
        return k;
}

/* An absolute path of the passwd file as systemd's path_simplify() leaves
 * it, in place: "//" and "." components and a trailing "/" dropped. systemd
 * sets $HOME and $SHELL so, and compares with "/" and the nologin shells
 * by path (path_equal()): "/bin//false" refuses logins as "/bin/false" does. */
static void passwd_path_simplify(char *path) {
        char *w = path;
        const char *r = path;

        if (*r != '/')
                return;         /* relative: neither a home nor a shell below */
        *w++ = '/';
        for (;;) {
                size_t n;

                r += strspn(r, "/");
                if (*r == 0)
                        break;
                n = strcspn(r, "/");
                if (n != 1 || r[0] != '.') {
                        if (w[-1] != '/')
                                *w++ = '/';
                        memmove(w, r, n);
                        w += n;
                }
                r += n;
        }
        *w = 0;
}

/* As systemd sets $HOME and $SHELL only where they tell something: not a
 * home of "/" (or none, or a relative one), not a shell that refuses logins.
 * Both simplified first (passwd_path_simplify()). */
static bool home_useful(const char *home) {
        return !isempty(home) && home[0] == '/' && !streq(home, "/");
}

static bool shell_useful(const char *shell) {
        static const char *const nologin[] = {
                "/bin/nologin", "/sbin/nologin", "/usr/bin/nologin", "/usr/sbin/nologin",
                "/bin/false", "/usr/bin/false", "/bin/true", "/usr/bin/true",
        };

        if (isempty(shell) || shell[0] != '/')
                return false;
        for (size_t i = 0; i < ELEMENTSOF(nologin); i++)
                if (streq(shell, nologin[i]))
                        return false;
        return true;
}

typedef struct PasswdEntry {
        char *name;
        uid_t uid;
        gid_t gid;
        char *home;
        char *shell;
} PasswdEntry;

static void passwd_entry_done(PasswdEntry *e) {
        free(e->name);
        free(e->home);
        free(e->shell);
}

/* Finds the entry whose uid is key when key is numeric, else whose name is
 * key: as systemd (get_user_creds()), a number is an id, never a name -- an
 * image's entry named "1000" of UID 0 must not make User=1000 root. Returns
 * 1 when found, 0 when not, -ENOMEM. */
static int passwd_find(FILE *f, const char *key, PasswdEntry *ret) {
        _cleanup_free_ char *line = NULL;
        size_t n = 0;
        uint32_t id;
        bool numeric = parse_id(key, &id);

        rewind(f);
        while (getline(&line, &n, f) >= 0) {
                char *fl[7];
                uint32_t uid, gid;

                if (split_fields(line, fl, 7) < 7)
                        continue;
                if (!parse_id(fl[2], &uid) || !parse_id(fl[3], &gid))
                        continue;
                if (numeric ? uid != id : !streq(fl[0], key))
                        continue;

                *ret = (PasswdEntry) { .uid = uid, .gid = gid };
                passwd_path_simplify(fl[5]);
                passwd_path_simplify(fl[6]);
                ret->name = strdup(fl[0]);
                ret->home = home_useful(fl[5]) ? strdup(fl[5]) : NULL;
                ret->shell = shell_useful(fl[6]) ? strdup(fl[6]) : NULL;
                if (!ret->name || (!ret->home && home_useful(fl[5])) ||
                    (!ret->shell && shell_useful(fl[6]))) {
                        passwd_entry_done(ret);
                        return -ENOMEM;
                }
                return 1;
        }
        return 0;
}

/* Finds the group numbered key when key is numeric, else named key (as
 * passwd_find()). Returns 1 with *ret_gid. */
static int group_find(FILE *f, const char *key, gid_t *ret_gid) {
        _cleanup_free_ char *line = NULL;
        size_t n = 0;
        uint32_t id;
        bool numeric = parse_id(key, &id);

        rewind(f);
        while (getline(&line, &n, f) >= 0) {
                char *fl[4];
                uint32_t gid;

                if (split_fields(line, fl, 4) < 3 || !parse_id(fl[2], &gid))
                        continue;
                if (numeric ? gid != id : !streq(fl[0], key))
                        continue;
                *ret_gid = gid;
                return 1;
        }
        return 0;
}

static int groups_add(Identity *id, gid_t g) {
        gid_t *a;

        for (size_t i = 0; i < id->n_groups; i++)
                if (id->groups[i] == g)
                        return 0;
        if (id->n_groups >= NGROUPS_MAX)
                return -E2BIG;
        a = realloc(id->groups, sizeof(gid_t) * (id->n_groups + 1));
        if (!a)
                return -ENOMEM;
        a[id->n_groups++] = g;
        id->groups = a;
        return 0;
}

/* The groups whose member list names user (what initgroups would add). */
static int groups_add_memberships(FILE *f, const char *user, Identity *id) {
        _cleanup_free_ char *line = NULL;
        size_t n = 0;

        rewind(f);
        while (getline(&line, &n, f) >= 0) {
                char *fl[4], *save = NULL;
                uint32_t gid;

                if (split_fields(line, fl, 4) < 4 || !parse_id(fl[2], &gid))
                        continue;
                for (char *m = strtok_r(fl[3], ",", &save); m; m = strtok_r(NULL, ",", &save))
                        if (streq(m, user)) {
                                int r = groups_add(id, gid);
                                if (r < 0)
                                        return r;
                                break;
                        }
        }
        return 0;
}

/* The ranges of one of /proc/self/uid_map and gid_map ("INSIDE OUTSIDE
 * COUNT" lines; the kernel takes at most 340). */
typedef struct IdRanges {
        size_t n;
        struct {
                uint32_t first, count;
        } r[340];
} IdRanges;

static int id_ranges_read(FILE *f, IdRanges *ret) {
        unsigned long first, outside, count;

        ret->n = 0;
        rewind(f);
        while (ret->n < ELEMENTSOF(ret->r)) {
                int k = fscanf(f, "%lu %lu %lu", &first, &outside, &count);

                if (k == EOF)
                        break;
                if (k != 3 || first > UINT32_MAX || count > UINT32_MAX)
                        return -EBADMSG;
                ret->r[ret->n].first = (uint32_t) first;
                ret->r[ret->n].count = (uint32_t) count;
                ret->n++;
        }
        return 0;
}

static bool id_mapped(const IdRanges *m, uint32_t id) {
        if (!m)
                return true;
        for (size_t i = 0; i < m->n; i++)
                if (id >= m->r[i].first && (uint64_t) id < (uint64_t) m->r[i].first + m->r[i].count)
                        return true;
        return false;
}

/* "0..999": what the namespace maps, for the message. */
static const char *id_ranges_format(const IdRanges *m, char *buf, size_t size) {
        size_t off = 0;

        buf[0] = 0;
        for (size_t i = 0; i < m->n && off < size; i++) {
                int k = snprintf(buf + off, size - off, "%s%" PRIu32 "..%" PRIu64, i > 0 ? ", " : "",
                                 m->r[i].first, (uint64_t) m->r[i].first + m->r[i].count - 1);
                if (k < 0)
                        break;
                off += (size_t) k;
        }
        return m->n > 0 ? buf : "none";
}

/* An id the container's user namespace does not map cannot be taken (the
 * kernel's EINVAL at setgroups/setresuid, after "prepared", naming no
 * key): refused here, naming the key and the id. */
_printf_(4, 5)
static int unmapped_error(SpawnError *err, const IdRanges *m, bool gid, const char *fmt, ...) {
        char what[256], ranges[128];
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        return spawn_error_complete(err, EINVAL, "%s is not mapped in the container's user namespace, whose "
                                    "%s are %s (PrivateUsers=)", what, gid ? "GIDs" : "UIDs",
                                    id_ranges_format(m, ranges, sizeof ranges));
}

void identity_done(Identity *id) {
        free(id->groups);
        free(id->user_name);
        free(id->home);
        free(id->shell);
        *id = (Identity) {};
}

int identity_resolve_mapped(FILE *passwd, FILE *group, FILE *uid_map, FILE *gid_map, const char *user,
                            const char *group_name, char * const *supplementary, Identity *ret, SpawnError *err) {
        _cleanup_(identity_done) Identity id = {};
        IdRanges uids, gids;
        const IdRanges *um = NULL, *gm = NULL;
        PasswdEntry pw = {};
        const char *key = user ?: "root";
        uint32_t n = 0;
        size_t n_initgroups;
        int r = 0;

        /* Unreadable or odd maps: no check here, the kernel's remains. */
        if (uid_map && gid_map && id_ranges_read(uid_map, &uids) >= 0 && id_ranges_read(gid_map, &gids) >= 0) {
                um = &uids;
                gm = &gids;
        }

        if (passwd) {
                /* No User=: UID 0, whatever the image names it. */
                r = passwd_find(passwd, user ?: "0", &pw);
                if (r < 0)
                        return spawn_error(err, r, "User=%s: reading the container's /etc/passwd", key);
        }
        if (r > 0) {
                id.uid = pw.uid;
                id.gid = pw.gid;
                id.user_name = TAKE_PTR(pw.name);
                id.home = TAKE_PTR(pw.home);
                id.shell = TAKE_PTR(pw.shell);
        } else if (!user || parse_id(user, &n)) {
                /* Root always exists; a numeric id needs no entry (and has
                 * no home). */
                id.uid = id.gid = user ? n : 0;
                id.user_name = strdup(key);
                id.home = user ? NULL : strdup("/root");
                if (!id.user_name || (!user && !id.home))
                        return spawn_error(err, ENOMEM, "User=%s", key);
        } else
                return spawn_error_complete(err, ESRCH, "User=%s: no such user in the container's /etc/passwd", user);
        passwd_entry_done(&pw);
        if (!id_mapped(um, id.uid))
                return unmapped_error(err, um, false, "User=%s: UID %u", key, (unsigned) id.uid);

        if (group_name) {
                r = group ? group_find(group, group_name, &id.gid) : 0;
                if (r < 0)
                        return spawn_error(err, r, "Group=%s", group_name);
                if (r == 0) {
                        if (!parse_id(group_name, &n))
                                return spawn_error_complete(err, ESRCH, "Group=%s: no such group in the container's /etc/group",
                                                   group_name);
                        id.gid = n;
                }
                if (!id_mapped(gm, id.gid))
                        return unmapped_error(err, gm, true, "Group=%s: GID %u", group_name, (unsigned) id.gid);
        } else if (!id_mapped(gm, id.gid))
                return unmapped_error(err, gm, true, "User=%s: its group, GID %u (the container's /etc/passwd),",
                                      key, (unsigned) id.gid);

        /* As systemd: initgroups(user, gid), i.e. the group the payload runs
         * as and the user's memberships, for a User= whose group is not 0;
         * root's memberships (which some images list) are not taken. */
        if (user && id.gid != 0) {
                r = groups_add(&id, id.gid);
                if (r >= 0 && group)
                        r = groups_add_memberships(group, id.user_name, &id);
                if (r < 0)
                        return spawn_error(err, r, "User=%s: reading the container's /etc/group", key);
        }
        n_initgroups = id.n_groups;
        for (size_t i = 0; i < n_initgroups; i++)
                if (!id_mapped(gm, id.groups[i]))
                        return unmapped_error(err, gm, true, "User=%s: GID %u, a group the container's /etc/group "
                                              "makes it a member of,", key, (unsigned) id.groups[i]);

        STRV_FOREACH(g, supplementary) {
                gid_t gid;

                r = group ? group_find(group, *g, &gid) : 0;
                if (r == 0) {
                        if (!parse_id(*g, &n))
                                return spawn_error_complete(err, ESRCH,
                                                   "SupplementaryGroups=%s: no such group in the container's /etc/group", *g);
                        gid = n;
                }
                if (r >= 0 && !id_mapped(gm, gid))
                        return unmapped_error(err, gm, true, "SupplementaryGroups=%s: GID %u", *g, (unsigned) gid);
                if (r >= 0)
                        r = groups_add(&id, gid);
                if (r < 0)
                        return spawn_error(err, r, "SupplementaryGroups=%s", *g);
        }

        *ret = id;
        id = (Identity) {};
        return 0;
}

int identity_resolve(FILE *passwd, FILE *group, const char *user, const char *group_name,
                     char * const *supplementary, Identity *ret, SpawnError *err) {
        return identity_resolve_mapped(passwd, group, NULL, NULL, user, group_name, supplementary, ret, err);
}

/* The whole of a container's file, read with the host's privileges: by
 * cell run before the payload, and by cell exec while the container's root
 * may have replaced it. A regular file (or /dev/null) of at most
 * IDENTITY_FILE_MAX bytes, however much its size says (procfs says 0): a
 * FIFO there would hang the start for ever, and a link to /dev/zero or
 * /proc/self/pagemap have getline() take all the host's memory. *ret NULL
 * when there is no such file. */
static int identity_file_read(const char *path, char **ret, size_t *ret_size, SpawnError *err) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        int r;

        *ret = NULL;
        *ret_size = 0;
        r = open_text_file(path, IDENTITY_FILE_MAX, &fd, NULL);
        if (r == -ENOENT)
                return 0;
        if (r == -EISDIR || r == -EBADFD)
                return spawn_error_complete(err, r, "the container's %s is not a regular file (a %s), refusing "
                                            "to read it", path,
                                            r == -EISDIR ? "directory" : "device node, FIFO or socket");
        if (r < 0 && r != -EFBIG)
                return spawn_error(err, r, "opening the container's %s", path);
        if (r >= 0)
                r = read_full_fd(fd, IDENTITY_FILE_MAX, READ_FULL_NULL_DEVICE, &buf, &size);
        if (r == -EFBIG)
                return spawn_error_complete(err, EFBIG, "the container's %s is larger than %u bytes, "
                                            "refusing to read it", path, IDENTITY_FILE_MAX);
        if (r < 0)
                return spawn_error(err, r, "reading the container's %s", path);
        /* An empty file names no one, as a missing one (and fmemopen()
         * refuses a size of 0). */
        if (size > 0) {
                *ret = TAKE_PTR(buf);
                *ret_size = size;
        }
        return 0;
}

int identity_resolve_files(const char *passwd_path, const char *group_path,
                           const char *user, const char *group_name,
                           char * const *supplementary, bool userns, Identity *ret, SpawnError *err) {
        _cleanup_(fclosep) FILE *p = NULL, *g = NULL, *um = NULL, *gm = NULL;
        _cleanup_free_ char *pbuf = NULL, *gbuf = NULL;
        size_t psize, gsize;
        int r;

        r = identity_file_read(passwd_path, &pbuf, &psize, err);
        if (r >= 0)
                r = identity_file_read(group_path, &gbuf, &gsize, err);
        if (r < 0)
                return r;
        if (pbuf)
                p = fmemopen(pbuf, psize, "r");
        if (gbuf)
                g = fmemopen(gbuf, gsize, "r");
        if ((pbuf && !p) || (gbuf && !g))
                return spawn_error(err, errno, "reading the container's %s and %s", passwd_path, group_path);

        /* The maps of the user namespace we are in (the container's, once
         * the supervisor wrote them); none readable: not checked. */
        if (userns) {
                um = fopen("/proc/self/uid_map", "re");
                gm = fopen("/proc/self/gid_map", "re");
        }
        return identity_resolve_mapped(p, g, um, gm, user, group_name, supplementary, ret, err);
}

int identity_apply(const Identity *id, SpawnError *err) {
        /* Groups first: once the uid is no longer 0 we could not change them. */
        if (setgroups(id->n_groups, id->groups) < 0)
                return spawn_error(err, errno, "SupplementaryGroups=: setgroups");
        if (setresgid(id->gid, id->gid, id->gid) < 0)
                return spawn_error(err, errno, "Group=: setresgid(%u)", (unsigned) id->gid);
        if (setresuid(id->uid, id->uid, id->uid) < 0)
                return spawn_error(err, errno, "User=%s: setresuid(%u)", id->user_name, (unsigned) id->uid);
        return 0;
}
