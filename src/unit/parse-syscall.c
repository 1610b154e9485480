/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <seccomp.h>
#include <string.h>

#include "parse-exec.h"
#include "parse-syscall.h"
#include "parse-value.h"
#include "strv.h"
#include "syscall-groups.h"

int parse_syscall_error(const char *s, bool allow_zero, int *ret) {
        if (streq_ptr(s, "kill")) {
                *ret = CELL_SYSCALL_KILL;
                return 0;
        }
        if (allow_zero && streq_ptr(s, "0")) {
                *ret = 0;
                return 0;
        }
        return parse_errno(s, ret);
}

bool syscall_name_is_valid(const char *name) {
        return !isempty(name) && seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR;
}

static void cell_syscall_done(CellSyscall *s) {
        free(s->name);
        free(s->file);
}

void cell_syscall_filter_reset(CellConfig *c) {
        for (size_t i = 0; i < c->n_syscall_filter; i++)
                cell_syscall_done(&c->syscall_filter[i]);
        c->syscall_filter = mfree(c->syscall_filter);
        c->n_syscall_filter = 0;
        c->syscall_filter_set = false;
        c->syscall_filter_allow_list = false;
}

typedef struct SyscallList {
        CellSyscall *items;
        size_t n;
} SyscallList;

static void syscall_list_done(SyscallList *l) {
        for (size_t i = 0; i < l->n; i++)
                cell_syscall_done(&l->items[i]);
        l->items = mfree(l->items);
        l->n = 0;
}

static ssize_t syscall_list_find(const SyscallList *l, const char *name) {
        for (size_t i = 0; i < l->n; i++)
                if (streq(l->items[i].name, name))
                        return (ssize_t) i;
        return -1;
}

/* Adds name at the end, moving it there with its new error if already in:
 * the plan lets the last item for a call decide its error, and a later
 * ":ERRNO" must win over a group added in between ("~open:EACCES",
 * "~@file-system", "~open:EIO": EIO, as systemd's map keeps it). The line
 * (file, line) that added it last is its origin: the plan's messages about
 * it name that line. */
static int syscall_list_add(SyscallList *l, const char *name, int error, bool from_group,
                            const char *file, unsigned line) {
        ssize_t i = syscall_list_find(l, name);
        _cleanup_free_ char *copy = NULL, *file_copy = NULL;
        CellSyscall *n;

        if (file) {
                file_copy = strdup(file);
                if (!file_copy)
                        return -ENOMEM;
        }
        if (i >= 0) {
                CellSyscall item = l->items[i];

                memmove(l->items + i, l->items + i + 1, (l->n - (size_t) i - 1) * sizeof(CellSyscall));
                item.error = error;
                item.from_group = item.from_group && from_group;
                free(item.file);
                item.file = TAKE_PTR(file_copy);
                item.line = line;
                l->items[l->n - 1] = item;
                return 0;
        }
        copy = strdup(name);
        if (!copy)
                return -ENOMEM;
        n = realloc(l->items, (l->n + 1) * sizeof(CellSyscall));
        if (!n)
                return -ENOMEM;
        l->items = n;
        l->items[l->n++] = (CellSyscall) { .name = TAKE_PTR(copy), .error = error, .from_group = from_group,
                                           .file = TAKE_PTR(file_copy), .line = line };
        return 0;
}

static void syscall_list_remove(SyscallList *l, const char *name) {
        ssize_t i = syscall_list_find(l, name);

        if (i < 0)
                return;
        cell_syscall_done(&l->items[i]);
        memmove(l->items + i, l->items + i + 1, (l->n - (size_t) i - 1) * sizeof(CellSyscall));
        l->n--;
}

/* Adds name (expanding it if it is a group) with error to l. depth guards
 * against a cycle in the group table. */
static int syscall_list_add_expanded(SyscallList *l, const char *name, int error, bool from_group,
                                     const char *file, unsigned line, unsigned depth) {
        const char * const *members = syscall_group_members(name);
        int r;

        if (!members)
                return syscall_list_add(l, name, error, from_group, file, line);
        if (depth > 8)
                return -ELOOP;
        for (const char * const *m = members; *m; m++) {
                r = syscall_list_add_expanded(l, *m, error, true, file, line, depth + 1);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Copies c's filter into l with every group expanded to syscall names. */
static int syscall_list_expand_config(SyscallList *l, const CellConfig *c) {
        for (size_t i = 0; i < c->n_syscall_filter; i++) {
                const CellSyscall *s = &c->syscall_filter[i];
                int r = syscall_list_add_expanded(l, s->name, s->error, s->from_group, s->file, s->line, 0);
                if (r < 0)
                        return r;
        }
        return 0;
}

int parse_syscall_filter(CellConfig *c, const char *s, const char *file, unsigned line,
                         SyscallFilterError *ret_error, char **ret_word) {
        _cleanup_strv_free_ char **words = NULL;
        _cleanup_(syscall_list_done) SyscallList l = {};
        _cleanup_free_ int *errors = NULL;
        bool invert = false, allow_list, adding;
        size_t n_words;
        int r;

        *ret_error = SYSCALL_FILTER_OK;
        *ret_word = NULL;

        s += strspn(s, " \t");
        if (*s == '~') {
                invert = true;
                s++;
        }
        /* As systemd 252 splits it (extract_first_word() without flags): a
         * quote is part of the word ("mount" in quotes is no call), a
         * backslash keeps the next character, no C escapes. */
        r = split_words_full(s, 0, &words);
        /* "~" alone is systemd's empty deny list: it denies nothing, but
         * makes the filter a deny list for the lines after it. */
        if (r == -EINVAL || (r >= 0 && !words[0] && !invert)) {
                *ret_error = SYSCALL_FILTER_SYNTAX;
                return -EINVAL;
        }
        if (r < 0)
                return r;

        /* Validate everything before touching c. */
        n_words = strv_length(words);
        errors = calloc(n_words, sizeof(int));
        if (!errors)
                return -ENOMEM;
        for (size_t i = 0; i < n_words; i++) {
                char *w = words[i], *colon = strchr(w, ':');
                SyscallFilterError e = SYSCALL_FILTER_OK;

                errors[i] = -1;
                if (colon) {
                        *colon = 0;
                        if (!invert)
                                e = SYSCALL_FILTER_ERRNO_IN_ALLOW;
                        else if (parse_syscall_error(colon + 1, true, &errors[i]) < 0)
                                e = SYSCALL_FILTER_BAD_ERRNO;
                }
                if (e == SYSCALL_FILTER_OK && !syscall_group_members(w) && !syscall_name_is_valid(w))
                        e = SYSCALL_FILTER_BAD_NAME;
                if (e != SYSCALL_FILTER_OK) {
                        if (colon)
                                *colon = ':';
                        *ret_error = e;
                        *ret_word = strdup(w);
                        return *ret_word ? -EINVAL : -ENOMEM;
                }
        }

        allow_list = c->syscall_filter_set ? c->syscall_filter_allow_list : !invert;
        adding = allow_list != invert;

        if (adding) {
                /* Same kind as the filter: add, keeping groups as written. */
                for (size_t i = 0; i < c->n_syscall_filter; i++) {
                        const CellSyscall *item = &c->syscall_filter[i];

                        r = syscall_list_add(&l, item->name, item->error, item->from_group, item->file,
                                             item->line);
                        if (r < 0)
                                return r;
                }
                /* A new allow list starts with @default, as systemd's does:
                 * without it no program could even map its memory, and a
                 * later "~" line may still take calls out of it. */
                if (!c->syscall_filter_set && allow_list) {
                        r = syscall_list_add(&l, "@default", -1, false, file, line);
                        if (r < 0)
                                return r;
                }
                for (size_t i = 0; i < n_words; i++) {
                        r = syscall_list_add(&l, words[i], errors[i], false, file, line);
                        if (r < 0)
                                return r;
                }
        } else {
                /* The other kind: take the calls out, so both sides are expanded
                 * to single syscalls ("@clock ~clock_settime" allows the rest). */
                SyscallList removed = {};

                r = syscall_list_expand_config(&l, c);
                for (size_t i = 0; r >= 0 && i < n_words; i++)
                        r = syscall_list_add_expanded(&removed, words[i], -1, false, NULL, 0, 0);
                for (size_t i = 0; r >= 0 && i < removed.n; i++)
                        syscall_list_remove(&l, removed.items[i].name);
                syscall_list_done(&removed);
                if (r < 0)
                        return r;
        }

        for (size_t i = 0; i < c->n_syscall_filter; i++)
                cell_syscall_done(&c->syscall_filter[i]);
        free(c->syscall_filter);
        c->syscall_filter = TAKE_PTR(l.items);
        c->n_syscall_filter = l.n;
        l.n = 0;
        c->syscall_filter_set = true;
        c->syscall_filter_allow_list = allow_list;
        return 0;
}
