/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "fs-util.h"
#include "strv.h"
#include "unit-dir-links.h"
#include "unit-name.h"

/* The unit files among a directory's symlinks, listed once per process
 * while the directory is unchanged: "cell verify" of 1,000 units in one
 * directory asks for the aliases there 1,000 times, and listing it each time
 * took 0.3 s where loading the units takes 0.04 s. A directory's mtime moves
 * whenever an entry is added, removed or renamed. */
typedef struct DirLinks {
        char *dir;
        dev_t dev;
        ino_t ino;
        struct timespec mtime;
        char **links;           /* "web.cell", ... (entries that may be symlinks) */
} DirLinks;

static DirLinks *dir_links_cache;
static size_t n_dir_links_cache;

/* At exit, so that no checker takes the cache for a leak. */
static void dir_links_cache_free(void) __attribute__((destructor));
static void dir_links_cache_free(void) {
        for (size_t i = 0; i < n_dir_links_cache; i++) {
                free(dir_links_cache[i].dir);
                strv_free(dir_links_cache[i].links);
        }
        dir_links_cache = mfree(dir_links_cache);
        n_dir_links_cache = 0;
}

static int dir_list_links(const char *path, const struct stat *st, DirLinks *ret) {
        _cleanup_(closedirp) DIR *dir = NULL;
        _cleanup_strv_free_ char **links = NULL;
        struct dirent *de;
        int r;

        dir = opendir(path);
        if (!dir)
                return -errno;
        while ((errno = 0, de = readdir(dir))) {
                if ((de->d_type != DT_LNK && de->d_type != DT_UNKNOWN) || !endswith(de->d_name, UNIT_SUFFIX))
                        continue;
                r = strv_extend(&links, de->d_name);
                if (r < 0)
                        return r;
        }
        if (errno != 0)
                return negative_errno();
        if (!links && !(links = calloc(1, sizeof(char *))))
                return -ENOMEM;
        ret->links = TAKE_PTR(links);
        ret->dev = st->st_dev;
        ret->ino = st->st_ino;
        ret->mtime = st->st_mtim;
        return 0;
}

int unit_dir_links(const char *path, char ***ret) {
        DirLinks *c = NULL, fresh = {};
        struct stat st;
        int r;

        if (stat(path, &st) < 0)
                return -errno;
        for (size_t i = 0; i < n_dir_links_cache; i++)
                if (streq(dir_links_cache[i].dir, path)) {
                        c = dir_links_cache + i;
                        break;
                }
        if (c && c->dev == st.st_dev && c->ino == st.st_ino &&
            c->mtime.tv_sec == st.st_mtim.tv_sec && c->mtime.tv_nsec == st.st_mtim.tv_nsec) {
                *ret = c->links;
                return 0;
        }

        r = dir_list_links(path, &st, &fresh);
        if (r < 0)
                return r;
        if (!c) {
                DirLinks *n = reallocarray(dir_links_cache, n_dir_links_cache + 1, sizeof(DirLinks));
                if (!n) {
                        strv_free(fresh.links);
                        return -ENOMEM;
                }
                dir_links_cache = n;
                c = dir_links_cache + n_dir_links_cache;
                *c = (DirLinks) {};
                c->dir = strdup(path);
                if (!c->dir) {
                        strv_free(fresh.links);
                        return -ENOMEM;
                }
                n_dir_links_cache++;
        }
        strv_free(c->links);
        c->links = fresh.links;
        c->dev = fresh.dev;
        c->ino = fresh.ino;
        c->mtime = fresh.mtime;
        *ret = c->links;
        return 0;
}
