/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The unit tree the test-unit-load*.c tests build: a temporary directory
 * with etc/, run/ and usr/ as the search path. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "config-parse.h"
#include "strv.h"
#include "test.h"
#include "unit-lexer.h"
#include "unit.h"

/* Every test builds its unit tree under a fresh temporary directory. */
typedef struct Tree {
        char root[64];
        char **files;           /* created, removed in reverse order */
        char **search_path;     /* the tree's etc/, run/ and usr/ */
} Tree;

static inline char *tree_path(Tree *t, const char *rel) {
        char *p;

        ASSERT_TRUE(asprintf(&p, "%s/%s", t->root, rel) > 0);
        return p;
}

static inline void tree_init(Tree *t) {
        snprintf(t->root, sizeof(t->root), "/tmp/test-unit-load-XXXXXX");
        ASSERT_NOT_NULL(mkdtemp(t->root));
        t->files = NULL;
        t->search_path = NULL;
        ASSERT_OK(strv_push(&t->search_path, tree_path(t, "etc")));
        ASSERT_OK(strv_push(&t->search_path, tree_path(t, "run")));
        ASSERT_OK(strv_push(&t->search_path, tree_path(t, "usr")));
}

/* Writes size bytes to root/rel, creating the directories on the way. */
static inline char *tree_write(Tree *t, const char *rel, const char *text, size_t size) {
        char *p = tree_path(t, rel);
        int fd;

        for (size_t i = strlen(t->root) + 1; p[i]; i++) {
                _cleanup_free_ char *dir = NULL;

                if (p[i] != '/')
                        continue;
                dir = strndup(p, i);
                ASSERT_NOT_NULL(dir);
                if (mkdir(dir, 0755) >= 0)
                        ASSERT_OK(strv_extend(&t->files, dir));
        }
        fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(write(fd, text, size), (ssize_t) size);
        close(fd);
        if (!strv_contains(t->files, p))
                ASSERT_OK(strv_extend(&t->files, p));
        return p;
}
/* For string literals (NUL bytes included). */
#define WRITE_PATH(t, rel, text) tree_write(t, rel, text, sizeof(text) - 1)
#define WRITE(t, rel, text) free(WRITE_PATH(t, rel, text))

static inline void tree_done(Tree *t) {
        for (size_t n = strv_length(t->files); n > 0; n--)
                ASSERT_EQ(remove(t->files[n - 1]), 0);
        ASSERT_EQ(rmdir(t->root), 0);
        t->files = strv_free(t->files);
        t->search_path = strv_free(t->search_path);
}

/* Makes root/rel a symlink to target, removed with the tree. */
static inline void tree_symlink(Tree *t, const char *rel, const char *target) {
        _cleanup_free_ char *p = tree_path(t, rel);

        ASSERT_OK(symlink(target, p));
        ASSERT_OK(strv_extend(&t->files, p));
}

/* unit_load() of name through the tree's search path. */
static inline int tree_load(Tree *t, const char *name, CellConfig *c, Diagnostics *d) {
        return unit_load(name, &(UnitLoadOptions) { .search_path = t->search_path }, c, d);
}

static inline void dump(const Diagnostics *d) {
        STRV_FOREACH(m, d->messages)
                fprintf(stderr, "  diag: %s\n", *m);
}

#define VALID "[Root]\nDirectory=/srv/x\n[Exec]\nExec=/bin/true\n"
