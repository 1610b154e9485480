/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fs-util.h"
#include "strv.h"
#include "unit-dir-links.h"
#include "unit-name.h"

/* "cell verify" of 1,000 units in one directory asks for the aliases there
 * 1,000 times, and listing it each time took 0.3 s where loading the units
 * takes 0.04 s. A directory's mtime moves whenever an entry is added,
 * removed or renamed; but by the kernel's clock tick, so a change within
 * the tick of the one before may leave it as it was: a listing made less
 * than RACY_NSEC after the directory's mtime is not trusted (as git's
 * "racy" index entries). */
#define RACY_NSEC 1000000000LL

typedef struct DirListing {
        char *dir;
        unsigned epoch;         /* of the last check; dir_cache_epoch: still good */
        int error;              /* -errno of stat() or the listing; 0: listed */
        bool racy;              /* listed within RACY_NSEC of its mtime: list again */
        dev_t dev;
        ino_t ino;
        struct timespec mtime;
        char **links;           /* "web.cell", ... (entries that may be symlinks) */
        char **subdirs;         /* "web.cell.d", "cell.d", ... (sorted; entries that may be directories) */
} DirListing;

static DirListing *dir_cache;
static size_t n_dir_cache;
static unsigned dir_cache_epoch = 1;

/* At exit, so that no checker takes the cache for a leak. */
static void dir_cache_free(void) __attribute__((destructor));
static void dir_cache_free(void) {
        for (size_t i = 0; i < n_dir_cache; i++) {
                free(dir_cache[i].dir);
                strv_free(dir_cache[i].links);
                strv_free(dir_cache[i].subdirs);
        }
        dir_cache = mfree(dir_cache);
        n_dir_cache = 0;
}

void unit_dir_cache_expire(void) {
        dir_cache_epoch++;
}

static long long timespec_nsec(const struct timespec *t) {
        return (long long) t->tv_sec * 1000000000LL + t->tv_nsec;
}

static int strv_extend_or_empty(char ***l, const char *s) {
        if (s)
                return strv_extend(l, s);
        if (!*l && !(*l = calloc(1, sizeof(char *))))
                return -ENOMEM;
        return 0;
}

static int dir_list(const char *path, char ***ret_links, char ***ret_subdirs) {
        _cleanup_(closedirp) DIR *dir = NULL;
        _cleanup_strv_free_ char **links = NULL, **subdirs = NULL;
        struct dirent *de;
        int r;

        dir = opendir(path);
        if (!dir)
                return -errno;
        while ((errno = 0, de = readdir(dir))) {
                bool maybe_link = de->d_type == DT_LNK || de->d_type == DT_UNKNOWN;

                if (maybe_link && endswith(de->d_name, UNIT_SUFFIX)) {
                        r = strv_extend(&links, de->d_name);
                        if (r < 0)
                                return r;
                }
                if ((maybe_link || de->d_type == DT_DIR) && endswith(de->d_name, ".d")) {
                        r = strv_extend(&subdirs, de->d_name);
                        if (r < 0)
                                return r;
                }
        }
        if (errno != 0)
                return negative_errno();
        r = strv_extend_or_empty(&links, NULL);
        if (r >= 0)
                r = strv_extend_or_empty(&subdirs, NULL);
        if (r < 0)
                return r;
        strv_sort(subdirs);
        *ret_links = TAKE_PTR(links);
        *ret_subdirs = TAKE_PTR(subdirs);
        return 0;
}

static DirListing *dir_cache_entry(const char *path) {
        DirListing *n;

        for (size_t i = 0; i < n_dir_cache; i++)
                if (streq(dir_cache[i].dir, path))
                        return dir_cache + i;

        n = reallocarray(dir_cache, n_dir_cache + 1, sizeof(DirListing));
        if (!n)
                return NULL;
        dir_cache = n;
        n += n_dir_cache;
        *n = (DirListing) { .dir = strdup(path), .error = -ENOENT };
        if (!n->dir)
                return NULL;
        n_dir_cache++;
        return n;
}

/* path's entry, checked in this epoch; NULL on ENOMEM. */
static DirListing *dir_lookup(const char *path) {
        DirListing *c;
        struct timespec now = {};
        struct stat st;
        char **links = NULL, **subdirs = NULL;
        int r;

        c = dir_cache_entry(path);
        if (!c || c->epoch == dir_cache_epoch)
                return c;

        if (stat(path, &st) < 0) {
                c->error = -errno;
                c->epoch = dir_cache_epoch;
                return c;
        }
        if (c->error == 0 && !c->racy && c->dev == st.st_dev && c->ino == st.st_ino &&
            c->mtime.tv_sec == st.st_mtim.tv_sec && c->mtime.tv_nsec == st.st_mtim.tv_nsec) {
                c->epoch = dir_cache_epoch;
                return c;
        }

        (void) clock_gettime(CLOCK_REALTIME, &now);
        r = dir_list(path, &links, &subdirs);
        if (r == -ENOMEM)
                return NULL;
        c->links = strv_free(c->links);
        c->subdirs = strv_free(c->subdirs);
        c->error = r;
        if (r >= 0) {
                c->links = links;
                c->subdirs = subdirs;
                c->dev = st.st_dev;
                c->ino = st.st_ino;
                c->mtime = st.st_mtim;
                c->racy = timespec_nsec(&now) - timespec_nsec(&st.st_mtim) < RACY_NSEC;
        }
        c->epoch = dir_cache_epoch;
        return c;
}

int unit_dir_links(const char *path, char ***ret) {
        DirListing *c = dir_lookup(path);

        if (!c)
                return -ENOMEM;
        if (c->error < 0)
                return c->error;
        *ret = c->links;
        return 0;
}

bool unit_dir_may_have_dir(const char *path, const char *name) {
        DirListing *c = dir_lookup(path);

        if (!c)
                return true;    /* out of memory: let the open() decide */
        if (c->error == -ENOENT || c->error == -ENOTDIR)
                return false;
        if (c->error < 0)
                return true;
        return bsearch(&name, c->subdirs, strv_length(c->subdirs), sizeof(char *), strv_cmp);
}
