/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macros.h"

/* NULL-terminated arrays of malloc'ed strings. A NULL strv is the empty list. */

char **strv_free(char **l);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free)
#define _cleanup_strv_free_ _cleanup_(strv_freep)

size_t strv_length(char * const *l) _pure_;
bool strv_contains(char * const *l, const char *s) _pure_;
char **strv_copy(char * const *l);                     /* NULL on OOM */
int strv_push(char ***l, char *value);                 /* takes value; -ENOMEM (value freed) */
/* As strv_push(), with *l's length kept in *n by the caller: thousands of
 * values are not each appended by a walk to the end. */
int strv_push_n(char ***l, size_t *n, char *value);
int strv_extend(char ***l, const char *value);         /* copies value */
int strv_extend_strv(char ***l, char * const *other);  /* copies each */
char *strv_join(char * const *l, const char *sep);     /* NULL on OOM */
/* strcmp() of two char * elements, for qsort() and bsearch() of a strv. */
int strv_cmp(const void *a, const void *b) _pure_;
void strv_sort(char **l);                              /* in strcmp() order */

#define STRV_FOREACH(s, l) for (char * const *s = (l); s && *s; s++)
